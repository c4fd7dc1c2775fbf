# A real GoogleTest binary with "cases": "gtest": listed with
# --gtest_list_tests (disabled tests left out), each test its own process
# with --gtest_filter, results from its own XML; a failing case is retried
# alone.
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
src="$CASEDIR/../../fixtures/junit/gtest/sample_test.cc"
g++ -std=c++17 -o sample "$src" $(pkg-config --cflags --libs gtest_main) -pthread
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "gt", "command": ["./sample"], "cases": "gtest" } ] }
JSON
fg list --json; expect_rc 0
jq_is out '[.tests[].name] | sort | join(",")' \
	"Math.FailsTwice,Math.Passes,Math.Skips,Math.Throws,Nums/Param.IsEven/0,Nums/Param.IsEven/1,Unicode.Cafe"
fg run --db t.db --json r.json --retries 1
expect_rc 1
jq_is r.json '.tests[] | select(.classname=="Math" and .name=="Passes") | .outcome' passed
jq_is r.json '.tests[] | select(.classname=="Math" and .name=="FailsTwice") | .outcome' failed
jq_is r.json '.tests[] | select(.classname=="Math" and .name=="FailsTwice") | .attempts | length' 2
jq_is r.json '.tests[] | select(.classname=="Math" and .name=="Passes") | .attempts | length' 1
jq_is r.json '.tests[] | select(.classname=="Math" and .name=="Skips") | .outcome' skipped
jq_is r.json '[.tests[] | select(.name | test("NotRun"))] | length' 0
