# import: real JUnit fixtures become one run; counts on stdout, every
# attempt in the database, exit 1 for failures (0 with --no-fail), JSON in
# the format of run --json, and zero test cases is never silent.
# backends: sqlite postgresql
fx=$(cd "$CASEDIR/../../fixtures/junit" && pwd)
fg import --db h.db --commit abc123 --branch main --json r.json \
	"$fx/pytest/report.xml" "$fx/gtest/report.xml"
expect_rc 1
contains out "pytest/report.xml: 13 test cases"
contains out "gtest/report.xml:"
contains out "as run 1 in $(dbshow h.db)"
sql_is h.db "SELECT count(*) FROM runs WHERE commit_sha = 'abc123' AND branch = 'main' AND exit_code = 1" 1
n=$(sql h.db "SELECT count(*) FROM run_tests")
[ "$n" -gt 12 ] || fail "only $n tests recorded"
sql_is h.db "SELECT count(*) FROM tests WHERE suite = 'pytest'" 12
jq_is r.json '.tests | length' "$n"
jq_is r.json '[.tests[] | select(.outcome == "failed")] | length > 0' true

# --no-fail: the same import only records.
fg import --db h.db --no-fail -q "$fx/pytest/report.xml"
expect_rc 0
lacks out "pytest/report.xml:"
contains out "as run 2"
# --name puts every test under one suite.
fg import --db h.db --no-fail --name mine "$fx/pytest/report.xml"
expect_rc 0
sql_is h.db "SELECT count(*) FROM tests WHERE suite = 'mine'" 12

# Nothing to import: said so, exit 1, no run recorded.
mkdir empty
fg import --db h.db empty
expect_rc 1
contains err "no *.xml or *.tap file"
printf '<testsuites></testsuites>\n' > none.xml
fg import --db h.db none.xml
expect_rc 1
contains err "no test case found"
sql_is h.db "SELECT count(*) FROM runs" 3
fg import --db h.db
expect_rc 2
