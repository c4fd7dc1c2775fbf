#!/usr/bin/env bash
# bench/runner-spawn.sh FLAKEGUARD - spawn overhead: N trivial tests
# (/bin/true each) at -j2 under flakeguard and its peers; medians of
# several repetitions, run round-robin, as ratios to make -j2.
# Target: flakeguard <= 1.1x make -j2.
. "$(dirname "$0")/lib-runner.sh" "$@"

N=1000 REPS=5
[ "$QUICK" = 0 ] || { N=200 REPS=3; }
N=${BENCH_SPAWN_N:-$N}
REPS=${BENCH_REPS:-$REPS}

cd "$WORK"
i=0
while [ "$i" -lt "$N" ]; do
	printf 't%05d\t/bin/true\n' "$i"
	i=$((i + 1))
done >tests.tsv
fg_config fg.json <tests.tsv
make_file Makefile <tests.tsv
cut -f2 tests.tsv >cmds.txt
ctest_dir ct <tests.tsv
build_loop

run_flakeguard() { "$FG" run -j"$JOBS" --db "$WORK/fg.db" -c "$WORK/fg.json"; }
run_make() { make -s -j"$JOBS" -f "$WORK/Makefile"; }
run_ctest() { ctest --test-dir "$WORK/ct/build" -j"$JOBS" -Q; }
run_xargs() { seq "$N" | xargs -P"$JOBS" -n1 /bin/true; }
run_parallel() { seq "$N" | parallel -j"$JOBS" /bin/true; }
run_loop() { "$LOOP" -j"$JOBS" "$WORK/cmds.txt"; }

tools="make flakeguard loop ctest xargs"
if have parallel; then
	tools="$tools parallel"
else
	echo "note: GNU parallel not installed (apt-get install parallel); skipped" >&2
fi

echo "== spawn overhead: $N x /bin/true at -j$JOBS, median of $REPS =="
timeit run_flakeguard  # warm-up: page cache, and the history exists after it
for t in $tools; do
	[ "$t" = flakeguard ] || timeit "run_$t"
done
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
	flakeguard) echo "flakeguard run -j$JOBS -c (1 suite each)" ;;
	make) echo "make -j$JOBS (generated Makefile)" ;;
	loop) echo "bare posix_spawn loop (capture-loop.c)" ;;
	ctest) echo "ctest -j$JOBS (add_test each)" ;;
	xargs) echo "xargs -P$JOBS -n1" ;;
	parallel) echo "GNU parallel -j$JOBS" ;;
	esac
}
base=$(median make)
row tool "wall (ms)" "per test (ms)" "ratio vs make -j$JOBS"
row --- ---: ---: ---:
for t in $tools; do
	m=$(median "$t")
	row "$(label "$t")" "$m" "$(calc "$m / $N")" "$(calc "$m / $base")"
done
ratio=$(calc "$(median flakeguard) / $base")
summary "spawn     $N x /bin/true -j$JOBS: flakeguard $(median flakeguard) ms = ${ratio}x make -j$JOBS ($base ms); target <= 1.1x: $(verdict "$ratio <= 1.1")"
