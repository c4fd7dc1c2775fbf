# --rerun-failed (issue 11): runs only the tests that failed or were flaky
# in the last recorded run of this branch, as ctest --rerun-failed and
# pytest --lf do. A real GoogleTest binary run as one suite gets
# --gtest_filter with just those tests; run case by case, only their cases
# run (GoogleTest or a "cases" list); a suite with a "rerun" template gets
# it; a suite with nothing to rerun does not run at all. Nothing failed
# last time: said, exit 0, nothing run or recorded. No history, or none
# for this branch: exit 2. A --rerun-failed run is never compared for
# missing tests, and the full run after it compares with the full run.
# backends: sqlite postgresql
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
cat >t.cc <<'CC'
#include <gtest/gtest.h>
#include <cstdlib>
#include <fstream>
#include <string>
TEST(Calc, Adds) { EXPECT_EQ(2, 1 + 1); }
TEST(Calc, Fails) {
	std::ifstream broken("broken");
	EXPECT_FALSE(broken.good()) << "broken while the file exists";
}
TEST(Net, Flaky) {
	/* fails the first time per suite ($STATE), passes after */
	std::string f = std::string(getenv("STATE")) + ".seen";
	std::ifstream seen(f);
	bool again = seen.good();
	std::ofstream(f) << "x";
	EXPECT_TRUE(again) << "first try fails";
}
TEST(Net, Steady) { SUCCEED(); }
CC
g++ -std=c++17 -o t t.cc $(pkg-config --cflags --libs gtest_main) -pthread
cat >runner.sh <<'SH'
#!/bin/sh
# runner.sh [TEST...]: x, y and z, or only those named; y fails while
# ./broken exists. Each call's arguments go to tpl.calls.
echo "[$*]" >>tpl.calls
[ $# -gt 0 ] && only=" $* " || only=" x y z "
{
echo '<testsuite name="tpl">'
for t in x y z; do
	case "$only" in *" $t "*) ;; *) continue ;; esac
	if [ "$t" = y ] && [ -e broken ]; then
		echo "<testcase classname=\"k\" name=\"$t\"><failure message=\"y\"/></testcase>"
	else
		echo "<testcase classname=\"k\" name=\"$t\"/>"
	fi
done
echo '</testsuite>'
} >"$FLAKEGUARD_JUNIT"
SH
chmod +x runner.sh
touch broken
cat >flakeguard.json <<JSON
{ "suites": [
  { "name": "tpl", "command": ["./runner.sh"], "rerun": ["./runner.sh", "{failed}"] },
  { "name": "cs", "command": ["false"], "cases": { "list": ["printf", "p\\nq\\nr\\n"],
      "run": ["sh", "-c", "echo {case} >>cs.calls; [ {case} != q ] || [ ! -e broken ]"] } },
  { "name": "gt", "command": ["./t", "--gtest_output=xml:{junit}"],
    "env": { "STATE": "gt" } },
  { "name": "gtc", "command": ["./t"], "cases": "gtest",
    "env": { "STATE": "gtc" } },
  { "name": "sh", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db h.db --branch main --retries 1 --json r.json
expect_rc 1
jq_is r.json '[.tests[] | select(.outcome == "failed" or .outcome == "flaky") | .suite + ":" + .classname + "." + .name] | sort | join(",")' \
	cs:.q,gt:Calc.Fails,gt:Net.Flaky,gtc:Calc.Fails,gtc:Net.Flaky,tpl:k.y
rm tpl.calls cs.calls

# only the failed and flaky tests run, by the framework's filter
fg run --db h.db --branch main --rerun-failed --json r.json --log-dir logs
expect_rc 1
contains err '6 failed or flaky test(s) of run #1'
jq_is r.json '[.tests[] | .suite + ":" + .classname + "." + .name] | sort | join(",")' \
	cs:.q,gt:Calc.Fails,gt:Net.Flaky,gtc:Calc.Fails,gtc:Net.Flaky,tpl:k.y
jq_is r.json '[.tests[] | select(.suite == "gt") | .attempts | length] | join(",")' 1,1
jq_is r.json '[.items[].id] | sort | join(",")' cs::q,gt,gtc::Calc.Fails,gtc::Net.Flaky,tpl
[ "$(cat tpl.calls)" = "[y]" ] || fail "the rerun template ran: $(cat tpl.calls)"
[ "$(cat cs.calls)" = "q" ] || fail "cases ran: $(cat cs.calls)"
grep -q 'Google Test filter = Calc.Fails:Net.Flaky' logs/gt.1.log ||
	fail "not narrowed: $(head -3 logs/gt.1.log)"
grep -q 'Running 2 tests' logs/gt.1.log || fail "ran more than the two"
jq_is r.json '.run.selection' 'config flakeguard.json --rerun-failed'
jq_is r.json '.missing' null
sql_is h.db "SELECT count(*) FROM runs" 2

# fixed: the last run's failures (Calc.Fails of both) pass now
rm broken
fg run --db h.db --branch main --rerun-failed --json r.json
expect_rc 0
contains err '4 failed or flaky test(s) of run #2'
jq_is r.json '[.tests[] | .suite + ":" + .classname + "." + .name] | sort | join(",")' \
	cs:.q,gt:Calc.Fails,gtc:Calc.Fails,tpl:k.y

# nothing failed last time: said, exit 0, nothing run or recorded
fg run --db h.db --branch main --rerun-failed
expect_rc 0
contains out 'no failed or flaky tests in run #3'
contains out 'nothing to rerun'
sql_is h.db "SELECT count(*) FROM runs" 3

# no run of this branch, no history: exit 2, nothing created
fg run --db h.db --branch other --rerun-failed
expect_rc 2
contains err "no recorded run of branch 'other'"
sql_is h.db "SELECT count(*) FROM runs" 3
fg run --db none.db --branch main --rerun-failed
expect_rc 2
contains err '--rerun-failed'
no_db none.db

# the full run compares with the last full run, not the reruns
fg run --db h.db --branch main --json r.json
expect_rc 0
jq_is r.json '.missing.since_run' 1
jq_is r.json '.missing.count' 0

# under --shard K/N: node K's failures, all run here (not split again)
cat >two.json <<JSON
{ "suites": [
  { "name": "p", "command": ["$MISBEHAVE", "fail"] },
  { "name": "q", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
jq -n '{shards: 2, tests: [{suite: "p", classname: "", name: "p", id: "p",
	estimate_ms: 1000, known: false, shard: 2}, {suite: "q", classname: "",
	name: "q", id: "q", estimate_ms: 1000, known: false, shard: 1}]}' >plan.json
fg run -c two.json --db s.db --branch main --plan plan.json --shard 2/2
expect_rc 1
fg run -c two.json --db s.db --branch main --shard 1/2 --rerun-failed
expect_rc 2
contains err "no recorded run of branch 'main' on shard 1/2"
fg run -c two.json --db s.db --branch main --shard 2/2 --rerun-failed --json r.json
expect_rc 1
jq_is r.json '[.tests[].suite] | join(",")' p
jq_is r.json '.run.shard' 2/2
