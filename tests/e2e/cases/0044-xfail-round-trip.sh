# xfail (issue 10): pytest's <skipped type="pytest.xfail"> is an expected
# failure, not a skip, all the way through: import counts, database status,
# JSON, terminal counts, and flakeguard's own JUnit keeps the type, so
# reading our output back gives the same outcome.
# backends: sqlite postgresql
fx=$(cd "$CASEDIR/../../fixtures/junit" && pwd)
fg import --db h.db --no-fail --json r.json "$fx/pytest/report.xml"
expect_rc 0
contains out "1 skipped, 1 xfailed"
sql_is h.db "SELECT r.status FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'test_xfail'" 7
sql_is h.db "SELECT rt.outcome FROM run_tests rt JOIN tests t ON t.id = rt.test_id WHERE t.name = 'test_xfail'" 5
jq_is r.json '.summary.xfailed' 1
jq_is r.json '.summary.skipped' 1
jq_is r.json '.tests[] | select(.name == "test_xfail") | .outcome' xfailed
jq_is r.json '.tests[] | select(.name == "test_xfail") | .attempts[0].status' xfailed
jq_is r.json '.tests[] | select(.name == "test_xfail") | .attempts[0].message' "known bug"

fg report --db h.db --junit out.xml --markdown md.md
expect_rc 0
contains out "1 skipped, 0 quarantined, 1 xfailed in"
contains md.md "1 xfailed"
xmllint --noout out.xml || fail "our JUnit is not well-formed"
grep -q 'type="pytest.xfail" message="known bug"' out.xml ||
	fail "JUnit output lost the xfail type"

# Round trip: our own JUnit reads back as the same outcomes.
fg import --db back.db --no-fail --json back.json out.xml
expect_rc 0
contains out "1 skipped, 1 xfailed"
jq_is back.json '.tests[] | select(.name == "test_xfail") | .outcome' xfailed
jq_is back.json '.summary.xfailed' 1
