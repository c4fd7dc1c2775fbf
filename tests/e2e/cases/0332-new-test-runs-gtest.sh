# Issue 12 point 5 on a real framework: GoogleTest. A new test of a suite
# that already has history is stressed alone through --gtest_filter (the
# old tests of the binary are not rerun), and a suite run case by case
# ("cases": "gtest", batched) reruns the new case alone. Counter files make
# New.Flaky fail 1 run in 3.
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
cat > t.cc <<'CC'
#include <gtest/gtest.h>
#include <cstdio>
#include <cstdlib>
#include <string>
static int bump(const char *what)
{
	std::string p = std::string(getenv("COUNTERS")) + "/" + what;
	int n = 0;
	if (FILE *f = fopen(p.c_str(), "r")) { if (fscanf(f, "%d", &n) != 1) n = 0; fclose(f); }
	if (FILE *f = fopen(p.c_str(), "w")) { fprintf(f, "%d\n", ++n); fclose(f); }
	return n;
}
TEST(Old, A) { bump("Old.A"); }
TEST(Old, B) { bump("Old.B"); }
#ifdef WITH_NEW
TEST(New, Flaky) { EXPECT_NE(0, bump("New.Flaky") % 3) << "every third run"; }
TEST(New, Stable) { bump("New.Stable"); }
#endif
CC
g++ -std=c++17 -o old t.cc $(pkg-config --cflags --libs gtest_main) -pthread
g++ -std=c++17 -DWITH_NEW -o new t.cc $(pkg-config --cflags --libs gtest_main) -pthread
cfg() {
	mkdir -p "$PWD/c-$2-gt" "$PWD/c-$2-gtc"
	cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "gt", "command": ["./$1", "--gtest_output=xml:{junit}"], "env": { "COUNTERS": "$PWD/c-$2-gt" } },
  { "name": "gtc", "command": ["./$1"], "cases": "gtest", "env": { "COUNTERS": "$PWD/c-$2-gtc" } }
] }
JSON
}
cfg old seed
fg run --db h.db
expect_rc 0
cfg new stress
fg run --db h.db --new-test-runs 10 --json r.json
expect_rc 1
for s in gt gtc; do
	jq_is r.json ".tests[] | select(.suite==\"$s\" and .name==\"Flaky\") | .category" new-flaky
	jq_is r.json ".tests[] | select(.suite==\"$s\" and .name==\"Flaky\") | .counts" true
	jq_is r.json ".tests[] | select(.suite==\"$s\" and .name==\"Flaky\") | [.attempts[].status] | join(\",\")" passed,passed,failed
	jq_is r.json ".tests[] | select(.suite==\"$s\" and .name==\"Stable\") | .attempts | length" 11
	jq_is r.json ".tests[] | select(.suite==\"$s\" and .name==\"Stable\") | .category" new
	jq_is r.json "[.tests[] | select(.suite==\"$s\" and .classname==\"Old\") | .attempts | length] | join(\",\")" 1,1
	contains out "1 of 2 failed  $s::New::Flaky (new and flaky)"
	contains out "0 of 10 failed  $s::New::Stable"
	# the old tests ran once: never stressed
	[ "$(cat c-stress-$s/Old.A)" = 1 ] || fail "$s: Old.A ran $(cat c-stress-$s/Old.A) times"
	[ "$(cat c-stress-$s/New.Stable)" = 11 ] || fail "$s: New.Stable ran $(cat c-stress-$s/New.Stable) times"
done
jq_is r.json "[.tests[] | select(.name==\"Flaky\") | .attempts[2].message | contains(\"every third run\")] | join(\",\")" true,true
