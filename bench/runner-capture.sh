#!/usr/bin/env bash
# bench/runner-capture.sh FLAKEGUARD - capture throughput: 50 tests that
# each write 1 MiB to stdout, at -j2, under flakeguard, ctest and a bare
# pipe-capture loop (bench/capture-loop.c: posix_spawn, poll, read).
# MiB/s of the whole run (spawn to exit); medians of several repetitions.
# Target: flakeguard >= 0.8x the bare loop.
. "$(dirname "$0")/lib-runner.sh" "$@"

N=50 BYTES=1048576 REPS=7
[ "$QUICK" = 0 ] || REPS=3
REPS=${BENCH_REPS:-$REPS}

cd "$WORK"
i=0
while [ "$i" -lt "$N" ]; do
	printf 'c%03d\t%s flood %d\n' "$i" "$MISBEHAVE" "$BYTES"
	i=$((i + 1))
done >tests.tsv
fg_config fg.json <tests.tsv
ctest_dir ct <tests.tsv
cut -f2 tests.tsv >cmds.txt
build_loop

# The loop must see all the bytes, or it measures nothing.
got=$("$LOOP" -j"$JOBS" cmds.txt)
[ "$got" = "$N $((N * BYTES))" ] || { echo "capture-loop read '$got'" >&2; exit 1; }

run_flakeguard() { "$FG" run -j"$JOBS" --db "$WORK/fg.db" -c "$WORK/fg.json"; }
run_ctest() { ctest --test-dir "$WORK/ct/build" -j"$JOBS" -Q; }
run_loop() { "$LOOP" -j"$JOBS" "$WORK/cmds.txt"; }

tools="loop flakeguard ctest"
mib=$((N * BYTES / 1048576))
echo "== capture: $N tests x $((BYTES / 1024)) KiB of stdout at -j$JOBS ($mib MiB), median of $REPS =="
for t in $tools; do timeit "run_$t"; done  # warm-up
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
	loop) echo "bare pipe-capture loop (capture-loop.c)" ;;
	flakeguard) echo "flakeguard run -j$JOBS (head+tail capture, recorded)" ;;
	ctest) echo "ctest -j$JOBS" ;;
	esac
}
base=$(calc "$mib * 1000 / $(median loop)")
row tool "wall (ms)" "MiB/s" "ratio vs bare loop"
row --- ---: ---: ---:
for t in $tools; do
	m=$(median "$t")
	tp=$(calc "$mib * 1000 / $m")
	row "$(label "$t")" "$m" "$tp" "$(calc "$tp / $base")"
done
fgt=$(calc "$mib * 1000 / $(median flakeguard)")
ratio=$(calc "$fgt / $base")
summary "capture   $N x 1 MiB -j$JOBS: flakeguard $fgt MiB/s = ${ratio}x bare loop ($base MiB/s); target >= 0.8x: $(verdict "$ratio >= 0.8")"
