# Choosing what runs (issue 11): `run -c FILE NAME` runs suite NAME (and
# a NAME that is neither a suite nor a program is an error before
# anything runs or is recorded); --suite GLOB; --filter EXPR (globs, !
# excludes) handed to GoogleTest as --gtest_filter, applied to cases, and
# to the results of suites that cannot narrow; a filter matching nothing
# says what exists and exits 2.
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
fx=$(cd "$CASEDIR/../../fixtures/junit" && pwd)
g++ -std=c++17 -o sample "$fx/gtest/sample_test.cc" \
	$(pkg-config --cflags --libs gtest_main) -pthread
cat > split.json <<JSON
{ "suites": [
  { "name": "test_abc", "command": ["$MISBEHAVE", "pass"] },
  { "name": "test_abd", "command": ["$MISBEHAVE", "pass"] },
  { "name": "other", "command": ["$MISBEHAVE", "fail"] },
  { "name": "gt", "command": ["./sample", "--gtest_output=xml:{junit}"] },
  { "name": "gtc", "command": ["./sample"], "cases": "gtest" },
  { "name": "py", "command": ["sh", "-c", "cp $fx/pytest/report.xml \"\$FLAKEGUARD_JUNIT\"; exit 1"] }
] }
JSON
fg run -c split.json --db h.db --json r.json test_abc
expect_rc 0
jq_is r.json '[.tests[].suite] | unique | join(",")' test_abc
fg run -c split.json --db h.db --json r.json 'test_ab*'
expect_rc 0
jq_is r.json '[.tests[].suite] | unique | join(",")' test_abc,test_abd
fg run -c split.json --db h.db test_abx
expect_rc 2
contains err "test_abx"
contains err "did you mean"
sql_is h.db "SELECT count(*) FROM runs" 2
fg run -c split.json --db h.db --suite 'test_*' --suite other --json r.json
expect_rc 1
jq_is r.json '[.tests[].suite] | unique | join(",")' other,test_abc,test_abd
fg run -c split.json --db h.db --suite nope
expect_rc 2
contains err "'nope' matches no suite"

# --filter: GoogleTest narrowed by --gtest_filter (one process, only the
# matching tests), cases listed but not run, other suites filtered after.
fg run -c split.json --db h.db --suite gt --filter 'Math.*' --filter '!*Throws' --json r.json --log-dir logs
expect_rc 1
jq_is r.json '[.tests[].name] | sort | join(",")' DISABLED_NotRun,FailsTwice,Passes,Skips
grep -q 'Google Test filter = Math.\*-\*Throws' logs/gt.1.log ||
	fail "not narrowed: $(head -3 logs/gt.1.log)"
fg run -c split.json --db h.db --suite gtc --filter '*IsEven*' --json r.json
expect_rc 1
jq_is r.json '[.tests[] | .classname + "." + .name] | sort | join(",")' Nums/Param.IsEven/0,Nums/Param.IsEven/1
jq_is r.json '.items | length' 2
fg run -c split.json --db h.db --suite py --filter 'test_sample::test_unicode*' --json r.json
expect_rc 0
jq_is r.json '[.tests[].name] | length' 3
fg run -c split.json --db h.db --suite gt --filter 'Nothing.Here*'
expect_rc 2
contains err "--filter matched no test"
