# backends: sqlite postgresql
# Issue 12 point 5: `run --new-test-runs N` reruns each test the history
# has never seen N more times. A new test that fails 1 run in 3 (a counter
# file) makes the run red as new-flaky; a stable new test stays green with
# its N stress runs; an old test is not stressed; a suite that selects
# tests (a "rerun" template) reruns only the new ones; one that cannot
# select reruns whole only when all its tests are new, else says so.
# Every stress attempt is in the JSON (marked), the JUnit and the HTML.
#
# ./suite.sh writes JUnit for the tests named in $TESTS (or in its
# arguments: the rerun template), logs its argv, and "flaky" fails every
# third time it runs.
cat > suite.sh <<'SH'
#!/bin/sh
[ $# -gt 0 ] && TESTS="$*"
echo "$TESTS" >> "$LOG"
out='<testsuite name="s">'
for t in $TESTS; do
	case $t in
	bad)
		out="$out<testcase classname=\"c\" name=\"$t\"><failure message=\"always\"/></testcase>"
		continue ;;
	flaky)
		n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n + 1))
		echo $n > "$COUNTER"
		if [ $((n % 3)) = 0 ]; then
			out="$out<testcase classname=\"c\" name=\"$t\"><failure message=\"run $n: off by one\"/></testcase>"
			continue
		fi ;;
	esac
	out="$out<testcase classname=\"c\" name=\"$t\"/>"
done
echo "$out</testsuite>" > "$FLAKEGUARD_JUNIT"
SH
chmod +x suite.sh
config() { # config TESTS...: suite "sel" (selects) and "whole" (cannot)
	cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "sel", "command": ["./suite.sh"], "rerun": ["./suite.sh", "{failed}"],
    "env": { "TESTS": "$*", "LOG": "$PWD/sel.log", "COUNTER": "$PWD/n" } },
  { "name": "whole", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
}

# No history yet: no test is new, nothing is stressed.
config old
fg run --db h.db --new-test-runs 10 --json r.json
expect_rc 0
contains out "the history has no run yet, so no test is new: nothing stressed"
jq_is r.json '[.tests[].attempts | length] | add' 2

# A stable new test: 10 stress runs of it alone; green.
config old stable
: > sel.log
fg run --db h.db --new-test-runs 10 --json r.json --junit r.xml
expect_rc 0
jq_is r.json '.tests[] | select(.name=="stable") | .attempts | length' 11
jq_is r.json '[.tests[] | select(.name=="stable") | .attempts[] | select(.stress)] | length' 10
jq_is r.json '.tests[] | select(.name=="stable") | .category' new
jq_is r.json '.tests[] | select(.name=="stable") | .reason' "1 run so far; passed its 10 stress runs"
jq_is r.json '.tests[] | select(.name=="old") | .attempts | length' 1
jq_is r.json '.tests[] | select(.name=="whole") | .attempts | length' 1
contains out "0 of 10 failed  sel::c::stable"
# the rerun template named only the new test, 10 times
[ "$(grep -c '^stable$' sel.log)" = 10 ] || { cat sel.log; fail "stable not rerun alone 10 times"; }
[ "$(grep -c old sel.log)" = 1 ] || fail "old was stressed"
xmllint --noout r.xml || fail "r.xml is not XML"
sql_is h.db "SELECT count(*) FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'stable'" 11

# A new test failing 1 run in 3: red, new-flaky, never quarantined.
config old stable flaky
rm -f n
fg run --db h.db --new-test-runs 10 --json r.json --junit r.xml --html r.html
expect_rc 1
contains r.html "attempt 3 (stress run): failed"
contains r.html "new-flaky"
jq_is r.json '.tests[] | select(.name=="flaky") | .category' new-flaky
jq_is r.json '.tests[] | select(.name=="flaky") | .counts' true
jq_is r.json '.tests[] | select(.name=="flaky") | .outcome' flaky
jq_is r.json '.tests[] | select(.name=="flaky") | [.attempts[].status] | join(",")' passed,passed,failed
jq_is r.json '.tests[] | select(.name=="flaky") | [.attempts[].stress] | join(",")' ",true,true"
jq_is r.json '.tests[] | select(.name=="flaky") | .reason' "first seen in this run: failed 1 of 2 stress runs (50% [9%, 91%] per run)"
jq_is r.json '.tests[] | select(.name=="stable") | .attempts | length' 1
jq_is r.json '.tests[] | select(.name=="old") | .attempts | length' 1
contains out "1 of 2 failed  sel::c::flaky (new and flaky)"
contains out "NEW-FLAKY sel::c::flaky: first seen in this run"
contains out "✓|✓✗ sel: c.flaky  new-flaky"
contains out "FAILED: 1 test failed: flaky (new-flaky)"
contains r.xml "run 3: off by one"
sql_is h.db "SELECT count(*) FROM quarantine" 0

# -q keeps the stress failure and the decision.
config old stable flaky2
rm -f n
sed 's/flaky)/flaky*)/' suite.sh > s2 && cat s2 > suite.sh
fg run --db h.db --new-test-runs 10 -q
expect_rc 1
contains out "(new and flaky)"
contains out "NEW-FLAKY sel::c::flaky2"

# A suite that cannot select runs whole when all its tests are new...
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "plain", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db h.db --new-test-runs 4 --json r.json
expect_rc 0
jq_is r.json '.tests[0].attempts | length' 5
# ... and says it cannot when some have history.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "nosel", "command": ["./suite.sh"],
    "env": { "TESTS": "old", "LOG": "$PWD/nosel.log", "COUNTER": "$PWD/m" } } ] }
JSON
fg run --db h.db --json r.json
expect_rc 0
sed -i 's/"TESTS": "old"/"TESTS": "old new"/' flakeguard.json
fg run --db h.db --new-test-runs 4 --json r.json
expect_rc 0
contains out "not stressed: 1 test of 'nosel': its suite cannot run single tests and has tests with history or that failed"
jq_is r.json '[.tests[].attempts | length] | add' 2

# A test that failed for good is never rerun whole (a passing stress run
# would make it flaky: green): that suite is not stressed...
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "nosel2", "command": ["./suite.sh"],
    "env": { "TESTS": "bad good", "LOG": "$PWD/nosel2.log", "COUNTER": "$PWD/m" } } ] }
JSON
fg run --db h.db --new-test-runs 4 --json r.json
expect_rc 1
contains out "not stressed: 1 test of 'nosel2': its suite cannot run single tests and has tests with history or that failed"
jq_is r.json '[.tests[].attempts | length] | join(",")' 1,1
jq_is r.json '.tests[] | select(.name=="bad") | .outcome' failed
# ... while a suite that selects stresses its new passing tests even when
# another of its tests failed.
config bad2 good2
sed -i 's/bad)/bad*)/' suite.sh
: > sel.log
fg run --db h.db --new-test-runs 4 --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.name=="good2") | .attempts | length' 5
jq_is r.json '.tests[] | select(.name=="bad2") | .attempts | length' 1
[ "$(grep -c '^good2$' sel.log)" = 4 ] || { cat sel.log; fail "good2 not stressed alone"; }

# default < flakeguard.json < FLAKEGUARD_NEW_TEST_RUNS < --new-test-runs
cat > flakeguard.json <<JSON
{ "new_test_runs": 2, "suites": [ { "name": "cfg1", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db h.db --json r.json
jq_is r.json '.tests[0].attempts | length' 3
sed -i 's/cfg1/cfg2/' flakeguard.json
FLAKEGUARD_NEW_TEST_RUNS=3 fg run --db h.db --json r.json
jq_is r.json '.tests[0].attempts | length' 4
sed -i 's/cfg2/cfg3/' flakeguard.json
FLAKEGUARD_NEW_TEST_RUNS=3 fg run --db h.db --json r.json --new-test-runs 0
jq_is r.json '.tests[0].attempts | length' 1
FLAKEGUARD_NEW_TEST_RUNS=x fg run --db h.db
expect_rc 2
contains err "FLAKEGUARD_NEW_TEST_RUNS"
