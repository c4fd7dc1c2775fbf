#!/usr/bin/env bash
# bench/runner-memory.sh FLAKEGUARD - peak RSS of flakeguard (GNU time -v:
# the largest resident set of it and its children) while one test writes
# 1 GiB of output, and over a run of 10,000 trivial tests.
# Targets: <= 32 MB and <= 64 MB.
. "$(dirname "$0")/lib-runner.sh" "$@"

FLOOD=1073741824 MANY=10000
[ "$QUICK" = 0 ] || { FLOOD=268435456 MANY=2000; }
FLOOD=${BENCH_FLOOD_BYTES:-$FLOOD}
MANY=${BENCH_MEMORY_N:-$MANY}
GTIME=/usr/bin/time
if [ ! -x "$GTIME" ]; then
	echo "note: GNU time not installed (apt-get install time); memory benchmark skipped" >&2
	summary "memory    skipped: /usr/bin/time missing"
	exit 0
fi

cd "$WORK"
printf 'one\t/bin/true\n' | fg_config one.json
printf 'flood\t%s flood %d\n' "$MISBEHAVE" "$FLOOD" | fg_config flood.json
i=0
while [ "$i" -lt "$MANY" ]; do
	printf 't%05d\t/bin/true\n' "$i"
	i=$((i + 1))
done | fg_config many.json

# peak NAME CONFIG : runs flakeguard on CONFIG under GNU time; sets
# RSS_KB and WALL_MS.
peak() {
	local rc=0 t0 t1
	t0=${EPOCHREALTIME/./}
	"$GTIME" -v -o "$WORK/$1.time" "$FG" run -j"$JOBS" --db "$WORK/$1.db" \
		-c "$WORK/$2" >/dev/null 2>"$WORK/$1.err" || rc=$?
	t1=${EPOCHREALTIME/./}
	WALL_MS=$(((t1 - t0) / 1000))
	[ "$rc" = 0 ] || { echo "warning: $1 exited $rc" >&2; tail -n 3 "$WORK/$1.err" >&2; }
	RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$1.time")
}
mb() { calc "$1 / 1024"; }

echo "== memory: peak RSS at -j$JOBS =="
row run "wall (ms)" "peak RSS (MB)" target
row --- ---: ---: ---
peak one one.json
row "1 trivial test (baseline)" "$WALL_MS" "$(mb "$RSS_KB")" ""
peak flood flood.json
flood_mb=$(mb "$RSS_KB")
row "1 test writing $((FLOOD / 1048576)) MiB" "$WALL_MS" "$flood_mb" "<= 32"
peak many many.json
many_mb=$(mb "$RSS_KB")
row "$MANY trivial tests" "$WALL_MS" "$many_mb" "<= 64"
summary "memory    1 test x $((FLOOD / 1048576)) MiB output: ${flood_mb} MB peak RSS; target <= 32 MB: $(verdict "$flood_mb <= 32")"
summary "memory    $MANY trivial tests: ${many_mb} MB peak RSS; target <= 64 MB: $(verdict "$many_mb <= 64")"
