# Retries rerun only what failed (issue 11): a real GoogleTest binary with
# one flaky case, run as one suite with --retries 2: the retry runs that
# case alone (--gtest_filter) and its neighbours keep one attempt each. A
# "rerun" template with {failed} does the same for any runner, and a test
# the rerun does not report is an error, never a pass. The settle rule: a
# test passed once and failed in a rerun it did not need is flaky.
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
cat > flaky_test.cc <<'CC'
#include <gtest/gtest.h>
#include <fstream>
#include <cstdio>
TEST(Calc, Adds) { EXPECT_EQ(2, 1 + 1); }
TEST(Calc, Subtracts) { EXPECT_EQ(0, 1 - 1); }
TEST(Net, Flaky) {
	/* fails the first time, passes after (a state file beside it) */
	std::ifstream seen("flaky.seen");
	bool again = seen.good();
	std::ofstream("flaky.seen") << "x";
	EXPECT_TRUE(again) << "first try fails";
}
TEST(Net, Steady) { SUCCEED(); }
CC
g++ -std=c++17 -o flaky flaky_test.cc $(pkg-config --cflags --libs gtest_main) -pthread
cat > flakeguard.json <<'JSON'
{ "suites": [ { "name": "gt", "command": ["./flaky", "--gtest_output=xml:{junit}"] } ] }
JSON
fg run --db h.db --json r.json --retries 2 --log-dir logs
expect_rc 0
jq_is r.json '.tests[] | select(.name == "Flaky") | .outcome' flaky
jq_is r.json '.tests[] | select(.name == "Flaky") | [.attempts[].status] | join(",")' failed,passed
for t in Adds Subtracts Steady; do
	jq_is r.json ".tests[] | select(.name == \"$t\") | .attempts | length" 1
done
# the second attempt ran one test, the flaky one
grep -q "gtest_filter = Net.Flaky\|Note: Google Test filter = Net.Flaky" logs/gt.2.log ||
	fail "the retry was not filtered: $(head -5 logs/gt.2.log)"
grep -q "Running 1 test" logs/gt.2.log || fail "the retry ran more than one test"

# A "rerun" template with {failed}: a runner of our own.
cat > runner.sh <<'SH'
#!/bin/sh
# runner.sh XML [TEST...]: runs a, b and c, or only the tests named; "b"
# fails on its first run; "c" is never reported when asked for alone.
xml=$1; shift
[ $# -gt 0 ] && only=" $* " || only=" a b c "
{
echo '<testsuite name="mine">'
for t in a b c; do
	case "$only" in *" $t "*) ;; *) continue ;; esac
	[ "$t" = c ] && [ $# -gt 0 ] && continue
	if [ "$t" = b ] && [ ! -e b.seen ]; then
		touch b.seen
		echo "<testcase classname=\"k\" name=\"$t\"><failure message=\"first\"/></testcase>"
	elif [ "$t" = c ] && [ ! -e c.seen ]; then
		touch c.seen
		echo "<testcase classname=\"k\" name=\"$t\"><failure message=\"c fails\"/></testcase>"
	else
		echo "<testcase classname=\"k\" name=\"$t\"/>"
	fi
done
echo '</testsuite>'
} > "$xml"
SH
chmod +x runner.sh
cat > mine.json <<'JSON'
{ "suites": [ { "name": "mine", "command": ["./runner.sh", "{junit}"],
                "rerun": ["./runner.sh", "{junit}", "{failed}"] } ] }
JSON
fg run -c mine.json --db h.db --json r.json --retries 1
expect_rc 1
jq_is r.json '.tests[] | select(.name == "a") | .attempts | length' 1
jq_is r.json '.tests[] | select(.name == "b") | .outcome' flaky
jq_is r.json '.tests[] | select(.name == "c") | [.attempts[].status] | join(",")' failed,error
contains out "asked to rerun this test, but the rerun reported no result"

# Settle rule: a whole-suite rerun (no way to select) that a passing test
# did not need, and that it fails: flaky, never failed.
cat > whole.sh <<'SH'
#!/bin/sh
n=$(cat runs 2>/dev/null || echo 0); n=$((n + 1)); echo $n > runs
if [ $n = 1 ]; then a='<failure message="a first"/>'; b=''; else a=''; b='<failure message="b on the rerun"/>'; fi
printf '<testsuite name="w"><testcase classname="k" name="a">%s</testcase><testcase classname="k" name="b">%s</testcase></testsuite>\n' "$a" "$b" > "$FLAKEGUARD_JUNIT"
exit 1
SH
chmod +x whole.sh
cat > whole.json <<'JSON'
{ "suites": [ { "name": "whole", "command": ["./whole.sh"] } ] }
JSON
fg run -c whole.json --db h.db --json r.json --retries 1
jq_is r.json '.tests[] | select(.name == "b") | [.attempts[].status] | join(",")' passed,failed
jq_is r.json '.tests[] | select(.name == "b") | .outcome' flaky
jq_is r.json '.tests[] | select(.name == "a") | .outcome' flaky
