#!/usr/bin/env bash
# bench/runner-batch.sh FLAKEGUARD - cheap per-case runs: a GoogleTest
# binary with N trivial cases, run by flakeguard in cases mode at -j2
# (batched), against the same binary as one suite, one process per case
# ("batch": false), and ctest -j2 with one add_test per case (as
# gtest_discover_tests registers them). Medians, round-robin.
# Target: cases mode <= 1.3x the binary as one suite.
. "$(dirname "$0")/lib-runner.sh" "$@"

N=600 REPS=5
[ "$QUICK" = 0 ] || { N=200 REPS=3; }
N=${BENCH_BATCH_N:-$N}
REPS=${BENCH_REPS:-$REPS}
have g++ && pkg-config --exists gtest || {
	echo "runner-batch: needs g++ and libgtest-dev (make deps)" >&2
	exit 1
}

cd "$WORK"
{
	echo '#include <gtest/gtest.h>'
	i=0
	while [ "$i" -lt "$N" ]; do
		echo "TEST(Bench$((i % 20)), Case$i) { EXPECT_EQ($i, $i); }"
		i=$((i + 1))
	done
} >bench_test.cc
g++ -O1 -std=c++17 -o bench_test bench_test.cc \
	$(pkg-config --cflags --libs gtest_main) -pthread
cat >suite.json <<JSON
{ "suites": [ { "name": "gt", "command": ["$WORK/bench_test", "--gtest_output=xml:{junit}"] } ] }
JSON
cat >cases.json <<JSON
{ "suites": [ { "name": "gt", "command": ["$WORK/bench_test"], "cases": "gtest" } ] }
JSON
cat >single.json <<JSON
{ "suites": [ { "name": "gt", "command": ["$WORK/bench_test"], "cases": "gtest", "batch": false } ] }
JSON
mkdir -p ct
{
	echo 'cmake_minimum_required(VERSION 3.13)'
	echo 'project(b NONE)'
	echo 'enable_testing()'
	"$WORK/bench_test" --gtest_list_tests | awk '
		/^[^ ]/ { s = $1; next }
		{ print "add_test(NAME " s $1 " COMMAND '"$WORK"'/bench_test --gtest_filter=" s $1 ")" }'
} >ct/CMakeLists.txt
(cd ct && cmake -S . -B build >/dev/null)

run_suite() { "$FG" run -j"$JOBS" --db "$WORK/s.db" -c "$WORK/suite.json"; }
run_cases() { "$FG" run -j"$JOBS" --db "$WORK/c.db" -c "$WORK/cases.json"; }
run_single() { "$FG" run -j"$JOBS" --db "$WORK/p.db" -c "$WORK/single.json"; }
run_ctest() { ctest --test-dir "$WORK/ct/build" -j"$JOBS" -Q; }
tools="suite cases single ctest"

echo "== per-case runs: $N trivial GoogleTest cases at -j$JOBS, median of $REPS =="
for t in $tools; do timeit "run_$t"; done   # warm-up, and history
r=1
while [ "$r" -le "$REPS" ]; do
	for t in $tools; do
		timeit "run_$t"
		record "$t"
	done
	r=$((r + 1))
done
label() {
	case $1 in
	suite) echo "flakeguard: the binary as one suite" ;;
	cases) echo "flakeguard: cases mode (batched)" ;;
	single) echo "flakeguard: cases mode, \"batch\": false" ;;
	ctest) echo "ctest -j$JOBS, one add_test per case" ;;
	esac
}
base=$(median suite)
row tool "wall (ms)" "ratio vs one suite"
row --- ---: ---:
for t in $tools; do
	m=$(median "$t")
	row "$(label "$t")" "$m" "$(calc "$m / $base")"
done
ratio=$(calc "$(median cases) / $base")
summary "batch     $N gtest cases -j$JOBS: cases mode $(median cases) ms = ${ratio}x one suite ($base ms; one process per case $(calc "$(median single) / $base")x, ctest $(calc "$(median ctest) / $base")x); target <= 1.3x: $(verdict "$ratio <= 1.3")"
