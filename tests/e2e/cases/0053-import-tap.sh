# issue 10 (point 2): `import` reads TAP as well as JUnit XML, by content
# (--format auto) or as told; libuv's runner output is read exactly.
fx=$(cd "$CASEDIR/../../fixtures" && pwd)
fg import --db h.db --name uv "$fx/tap/libuv/all.tap"
expect_rc 1
contains out "all.tap: 513 test cases, 2 failed, 0 flaky, 6 skipped"
contains out "imported 513 tests"
sql_is h.db "SELECT count(*) FROM tests WHERE suite = 'uv'" 513
sql_is h.db "SELECT r.message FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'tty'" "Cannot open /dev/tty as read-only: No such device or address"
sql_is h.db "SELECT r.status FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'tcp_connect_timeout'" 1

# JUnit and TAP in one run, a directory holding both; TAP's suite is the
# file's name without extension.
mkdir mixed
cp "$fx/tap/spec/tap13-yaml.tap" "$fx/junit/gtest/report.xml" mixed/
fg import --db h.db --json r.json mixed
expect_rc 1
contains out "tap13-yaml.tap: 5 test cases, 3 failed"
contains out "report.xml:"
jq_is r.json '[.tests[] | select(.suite == "tap13-yaml")] | length' 5
jq_is r.json '.tests[] | select(.name == "quoted message") | .attempts[0].message' "expected 'a'
but got 'b'"

# Bail out!: the planned tests that never came are errors, said so.
fg import --db h.db "$fx/tap/spec/bail-out.tap"
expect_rc 1
contains out "bail-out.tap: 2 test cases, 4 failed"
sql_is h.db "SELECT r.message FROM results r JOIN tests t ON t.id = r.test_id WHERE t.suite = 'bail-out' AND t.name = '[suite-error]'" "Bail out! database went away"

# A short stream: read, the missing tests recorded as errors, and the
# file named as malformed.
fg import --db h.db "$fx/tap/hostile/plan-short.tap"
expect_rc 1
contains err "plan-short.tap:6: planned 10 tests, 4 reported"
contains out "(partial: the file is damaged)"
sql_is h.db "SELECT count(*) FROM tests WHERE suite = 'plan-short'" 10

# Told the wrong format, or garbage: a clear error naming the file.
fg import --db h.db --format tap "$fx/junit/pytest/report.xml"
expect_rc 1
contains err "report.xml:1: not TAP: no plan and no test line"
fg import --db h.db --format junit "$fx/tap/spec/tap12.tap"
expect_rc 1
contains err "tap12.tap:1:1: not XML"
fg import --db h.db --format yaml x.tap
expect_rc 2
contains err "invalid --format"
