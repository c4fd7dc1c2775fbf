# Cheap per-case runs (issue 11): the cases of a "cases": "gtest" suite
# run in batches (one process runs many through --gtest_filter), per-case
# results from the batch's XML; a failed case is retried alone; a case
# that crashes its batch costs the batch only its unreported cases, which
# then run alone, so the crash is the crashing case's own. "batch": false
# keeps one process per case.
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
{
	echo '#include <gtest/gtest.h>'
	echo '#include <cstdlib>'
	for i in $(seq 1 40); do echo "TEST(Many, T$i) { EXPECT_EQ($i, $i); }"; done
	echo 'TEST(Bad, Fails) { EXPECT_EQ(1, 2) << "always"; }'
	echo 'TEST(Bad, Crashes) { if (std::getenv("NEVER_SET") == nullptr) abort(); }'
} > many_test.cc
g++ -std=c++17 -o many many_test.cc $(pkg-config --cflags --libs gtest_main) -pthread
cat > flakeguard.json <<'JSON'
{ "suites": [ { "name": "many", "command": ["./many"], "cases": "gtest" } ] }
JSON
fg run --db h.db --json r.json -j2 --retries 1 --log-dir logs
expect_rc 1
jq_is r.json '[.tests[]] | length' 42
jq_is r.json '[.tests[] | select(.outcome == "passed")] | length' 40
jq_is r.json '.tests[] | select(.name == "Fails") | [.attempts[].status] | join(",")' failed,failed
jq_is r.json '.tests[] | select(.name == "Crashes") | .attempts[0].status' crashed
for i in 1 17 40; do
	jq_is r.json ".tests[] | select(.name == \"T$i\") | .attempts | length" 1
done
jq_is r.json '.items | length' 42
jq_is r.json '[.items[] | select(.ran)] | length' 42
n=$(ls logs | wc -l)
[ "$n" -lt 20 ] || fail "$n processes for 42 cases: not batched"
grep -l 'gtest_filter\|Google Test filter = Many' logs/* >/dev/null || fail "no batch in the logs"
# One process per case when asked.
jq '.suites[0].batch = false' flakeguard.json > single.json
rm -rf logs
fg run -c single.json --db h.db --json r.json -j2 --log-dir logs
expect_rc 1
[ "$(ls logs | wc -l)" = 42 ] || fail "batch: false ran $(ls logs | wc -l) processes"
