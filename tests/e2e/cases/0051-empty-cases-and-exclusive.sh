# A cases suite that lists no case fails the run and is named (issue 10:
# fmt's enforce-checks-test is no GoogleTest binary and vanished from a
# green run); "allow_empty" permits it. "exclusive" suites run alone.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "notgtest", "command": ["true"], "cases": "gtest" },
  { "name": "fine", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db h.db --json r.json
expect_rc 1
contains out "notgtest"
contains out "listed no test case"
jq_is r.json '.tests[] | select(.suite == "notgtest") | .attempts[0].status' error
sed 's/"cases": "gtest" }/"cases": "gtest", "allow_empty": true }/' flakeguard.json > allow.json
fg run -c allow.json --db h.db --json r.json
expect_rc 0
jq_is r.json '[.tests[] | select(.suite == "notgtest")] | length' 0

# Two exclusive suites at -j2 never overlap; a plain pair does.
cat > ex.json <<'JSON'
{ "suites": [
  { "name": "a", "exclusive": true, "command": ["sh", "-c", "touch a.up; sleep 1; [ ! -e b.up ]; r=$?; rm -f a.up; exit $r"] },
  { "name": "b", "exclusive": true, "command": ["sh", "-c", "touch b.up; sleep 1; [ ! -e a.up ]; r=$?; rm -f b.up; exit $r"] }
] }
JSON
fg run -c ex.json --db h.db -j2
expect_rc 0
sed 's/"exclusive": true, //' ex.json > par.json
fg run -c par.json --db h.db -j2
expect_rc 1
