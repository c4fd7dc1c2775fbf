# issue 10 (points 5, 6): what the JUnit reader reads, it keeps.
# pytest's "call failed, then teardown errored" (two testcases of one name)
# is one test with both results as attempts, both messages in the last,
# and a warning naming file:line; two names of 70,000 characters that
# differ only at the end stay two tests (a hash of the cut part).
fx=$(cd "$CASEDIR/../../fixtures/junit" && pwd)
fg import --db h.db "$fx/pytest/report.xml"
expect_rc 1
contains out "pytest/report.xml: 13 test cases"
contains out "imported 12 tests"
contains err "pytest/report.xml:44: test case 'test_sample::test_fail_and_teardown_error' comes again in this file: recorded as another attempt of the same test (pytest: the call failed, then the teardown)"
q="SELECT r.attempt || ':' || r.status FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'test_fail_and_teardown_error' ORDER BY r.attempt"
sql_is h.db "$q" "1:1
2:2"
sql_is h.db "SELECT instr(r.message, 'body failed') > 0 AND instr(r.message, 'teardown exploded') > 0 FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'test_fail_and_teardown_error' AND r.attempt = 2" 1
sql_is h.db "SELECT rt.outcome || '/' || rt.attempts FROM run_tests rt JOIN tests t ON t.id = rt.test_id WHERE t.name = 'test_fail_and_teardown_error'" "1/2"

# Two 70,000-character names, equal but for their last characters.
a=$(head -c 69996 /dev/zero | tr '\0' a)
{
	echo '<testsuite name="long">'
	echo "<testcase classname=\"c\" name=\"${a}-one\"><failure message=\"boom\"/></testcase>"
	echo "<testcase classname=\"c\" name=\"${a}-two\"/>"
	echo '</testsuite>'
} > long.xml
fg import --db h.db --json long.json long.xml
expect_rc 1
contains out "long.xml: 2 test cases, 1 failed"
contains out "imported 2 tests"
lacks err "comes again"
sql_is h.db "SELECT count(*) FROM tests WHERE suite = 'long'" 2
sql_is h.db "SELECT count(DISTINCT name) FROM tests WHERE suite = 'long' AND name LIKE '%bytes truncated, hash %'" 2
jq_is long.json '[.tests[] | select(.outcome == "failed")] | length' 1
jq_is long.json '[.tests[] | select(.outcome == "passed")] | length' 1
