# backends: sqlite postgresql
# Issue 12 point 5: `flakeguard stress` runs the selected tests N times
# (or until the first failure, with a cap) and prints per test "k of N
# failed" with the rate and its 95% interval; exit 1 when any failed. It
# does not touch the history unless --record. "count" fails every third
# run (a counter file), "steady" never does.
cat > suite.sh <<'SH'
#!/bin/sh
[ $# -gt 0 ] && TESTS="$*"
out='<testsuite name="s">'
for t in $TESTS; do
	n=$(cat "$DIR/$t" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$DIR/$t"
	if [ "$t" = count ] && [ $((n % 3)) = 0 ]; then
		out="$out<testcase classname=\"c\" name=\"$t\"><failure message=\"run $n failed\"/></testcase>"
	else
		out="$out<testcase classname=\"c\" name=\"$t\"/>"
	fi
done
echo "$out</testsuite>" > "$FLAKEGUARD_JUNIT"
SH
chmod +x suite.sh
mkdir n
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "s", "command": ["./suite.sh"], "rerun": ["./suite.sh", "{failed}"],
    "env": { "TESTS": "count steady", "DIR": "$PWD/n" } },
  { "name": "p", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg stress --runs 20 --json r.json
expect_rc 1
contains out "FAIL 6 of 20 failed   30.0% [14.5%, 51.9%]  s::c::count"
contains out "first failure (run 3): failed: run 3 failed"
contains out "reproduce: "
contains out "ok   0 of 20 failed    0.0% [0.0%, 16.1%]  s::c::steady"
contains out "ok   0 of 20 failed    0.0% [0.0%, 16.1%]  p::p"
contains out "FAILED: 1 of 3 tests failed at least once"
jq_is r.json '[.tests[].attempts | length] | join(",")' 20,20,20
jq_is r.json '[.tests[] | select(.name=="count") | .attempts[] | select(.stress)] | length' 19
[ "$(cat n/count)" = 20 ] || fail "count ran $(cat n/count) times"
no_db .flakeguard/history.db
# --filter and --suite pick the tests; a stable one exits 0
fg stress --runs 5 --filter 's::c::steady'
expect_rc 0
contains out "ok   0 of 5 failed"
contains out "OK: 1 test, no failure"
lacks out "count"
# --until-fail: stops at the first failure (count: its runs 1, 2, 3)
rm n/count
fg stress --until-fail --suite s --json r.json
expect_rc 1
contains out "up to 100 runs of each test until the first failure"
contains out "FAIL 1 of 3 failed"
contains out "stopped at the first failure (--until-fail)"
jq_is r.json '.tests[] | select(.name=="count") | .attempts | length' 3
# ... with a cap: the stable test alone runs its 7
fg stress --until-fail --runs 7 --suite p
expect_rc 0
contains out "ok   0 of 7 failed"
# --record keeps them: one run, every attempt
fg run --db h.db --suite p
fg stress --runs 4 --suite s --record --db h.db
expect_rc 1
contains out "recorded as run 2 in"
sql_is h.db "SELECT count(*) FROM runs" 2
sql_is h.db "SELECT count(*) FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'steady'" 4
# without --record the history stays as it is
fg stress --runs 3 --suite s --db h.db
sql_is h.db "SELECT count(*) FROM runs" 2
fg stress --runs 0
expect_rc 2
contains err "invalid --runs '0'"
