#!/usr/bin/env bash
# bench/runner-makespan.sh FLAKEGUARD - makespan: 200 sleeping tests with
# skewed (lognormal) durations, listed shortest first so the longest come
# last. Each tool's wall time over the lower bound max(sum/j, longest).
# flakeguard and ctest are measured on their second run, when they know
# the durations (flakeguard's history, ctest's CTestCostData.txt).
# Target: flakeguard at or below every peer.
. "$(dirname "$0")/lib-runner.sh" "$@"

N=200 TOTAL_MS=60000
[ "$QUICK" = 0 ] || TOTAL_MS=12000
N=${BENCH_MAKESPAN_N:-$N}
TOTAL_MS=${BENCH_MAKESPAN_MS:-$TOTAL_MS}

cd "$WORK"
# Lognormal(0, 1.8) with a fixed seed, scaled to TOTAL_MS, at least 5 ms;
# sorted ascending: the worst order for a runner that keeps the list's.
awk -v n="$N" -v total="$TOTAL_MS" 'BEGIN {
	srand(20240601)
	for (i = 1; i <= n; i++) {
		u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
		x[i] = exp(1.8 * sqrt(-2 * log(u1)) * cos(6.283185307 * u2))
		s += x[i]
	}
	for (i = 1; i <= n; i++) {
		ms = int(x[i] * total / s + 0.5); if (ms < 5) ms = 5
		print ms
	}
}' | sort -n >ms.txt
awk -v m="$MISBEHAVE" '{ printf "t%04d\t%s sleep %d\n", NR, m, $1 }' ms.txt >tests.tsv
fg_config fg.json <tests.tsv
make_file Makefile <tests.tsv
ctest_dir ct <tests.tsv
build_loop
sort -rn ms.txt | awk -v m="$MISBEHAVE" '{ print m " sleep " $1 }' >longest-first.txt

sum=$(awk '{ s += $1 } END { print s }' ms.txt)
longest=$(sort -n ms.txt | tail -n 1)
lb=$(awk -v s="$sum" -v l="$longest" -v j="$JOBS" 'BEGIN { b = s / j; if (l > b) b = l; print b }')

run_flakeguard() { "$FG" run -j"$JOBS" --db "$WORK/fg.db" -c "$WORK/fg.json"; }
run_make() { make -s -j"$JOBS" -f "$WORK/Makefile"; }
run_ctest() { ctest --test-dir "$WORK/ct/build" -j"$JOBS" -Q; }
run_xargs() { xargs -P"$JOBS" -n1 "$MISBEHAVE" sleep <"$WORK/ms.txt"; }
run_loop() { "$LOOP" -j"$JOBS" "$WORK/longest-first.txt"; }

echo "== makespan: $N tests, lognormal, sum ${sum} ms, longest ${longest} ms, -j$JOBS; lower bound ${lb} ms =="
echo "(first runs of flakeguard and ctest, to record durations)" >&2
timeit run_flakeguard
timeit run_ctest
[ -s ct/build/Testing/Temporary/CTestCostData.txt ] ||
	echo "warning: ctest wrote no cost data" >&2
tools="flakeguard ctest make xargs loop"
for t in $tools; do
	timeit "run_$t"
	record "$t"
done

label() {
	case $1 in
	flakeguard) echo "flakeguard run -j$JOBS (2nd run, history)" ;;
	ctest) echo "ctest -j$JOBS (2nd run, cost data)" ;;
	make) echo "make -j$JOBS (listed order)" ;;
	xargs) echo "xargs -P$JOBS (listed order)" ;;
	loop) echo "bare loop, longest first (knows durations)" ;;
	esac
}
row tool "wall (ms)" "wall / lower bound"
row --- ---: ---:
best=""
for t in $tools; do
	m=$(median "$t")
	row "$(label "$t")" "$m" "$(calc "$m / $lb")"
	case $t in flakeguard) ;; *)
		if [ -z "$best" ] || awk "BEGIN { exit !($m < $best) }"; then best=$m bt=$t; fi ;;
	esac
done
fgr=$(calc "$(median flakeguard) / $lb")
summary "makespan  $N lognormal tests -j$JOBS: flakeguard ${fgr}x lower bound; best peer $(label "$bt") $(calc "$best / $lb")x; target <= every peer: $(verdict "$(median flakeguard) <= $best")"
