# analyze over a history where nothing is unstable prints an empty ranking
# (it used to hand qsort a NULL array: undefined, fatal under UBSan).
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "quick", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db t.db
expect_rc 0
fg analyze --db t.db
expect_rc 0
fg analyze --db t.db --json
expect_rc 0
jq -e . out >/dev/null || fail "analyze --json printed no JSON"
