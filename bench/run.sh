#!/bin/sh
# bench/run.sh FLAKEGUARD - runs every benchmark in bench/ against the
# flakeguard binary FLAKEGUARD and prints a summary (`make bench`).
#
#   sh bench/run.sh /abs/path/flakeguard
#
# Runs bench/runner-*.sh (the runner: spawn overhead, makespan, capture,
# memory), bench/ingest.sh and bench/scale.sh (the history on both
# backends; PostgreSQL when FG_TEST_PG_URL is set, as `make bench` does
# through tests/pg/cluster.sh) when present, each given the binary.
# A benchmark may append one-line results to "$BENCH_SUMMARY"; if it adds
# none, its last line of output stands for it in the summary.
#
# Environment: BENCH_QUICK=1 for a smaller, faster version of everything;
# BENCH_ONLY=NAME[,NAME] runs only those (e.g. runner-spawn,ingest);
# BENCH_STRICT=1 exits 1 when a target is missed (default: only when a
# benchmark itself fails).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh bench/run.sh /path/to/flakeguard" >&2
	exit 2
fi
FG=$1
case $FG in /*) ;; *) FG=$PWD/$FG ;; esac
if [ ! -x "$FG" ]; then
	echo "bench/run.sh: '$FG' is not an executable (run make first)" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
BENCH_SUMMARY=$tmp/summary
export BENCH_SUMMARY
: >"$BENCH_SUMMARY"

scripts=""
for s in "$here"/runner-*.sh "$here"/ingest.sh "$here"/scale.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ -n "${BENCH_ONLY:-}" ]; then
		case ",$BENCH_ONLY," in *",$name,"*) ;; *) continue ;; esac
	fi
	scripts="$scripts $s"
done

failed=0
t0=$(date +%s)
echo "flakeguard benchmarks: $FG"
echo "machine: $(nproc) cores, $(uname -sr)${BENCH_QUICK:+, BENCH_QUICK=$BENCH_QUICK}"
for s in $scripts; do
	name=$(basename "$s" .sh)
	echo
	echo "### $name"
	before=$(wc -l <"$BENCH_SUMMARY")
	rc=0
	case $(head -n 1 "$s") in
	*bash*) bash "$s" "$FG" >"$tmp/out" 2>&1 || rc=$? ;;
	*) sh "$s" "$FG" >"$tmp/out" 2>&1 || rc=$? ;;
	esac
	cat "$tmp/out"
	if [ "$rc" -ne 0 ]; then
		echo "$name: FAILED (exit $rc)" >>"$BENCH_SUMMARY"
		failed=1
	elif [ "$(wc -l <"$BENCH_SUMMARY")" -eq "$before" ]; then
		printf '%s: %s\n' "$name" "$(tail -n 1 "$tmp/out")" >>"$BENCH_SUMMARY"
	fi
done

echo
echo "### summary ($(($(date +%s) - t0)) s)"
cat "$BENCH_SUMMARY"
if [ "$failed" -ne 0 ]; then
	exit 1
fi
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -q MISSED "$BENCH_SUMMARY"; then
	exit 1
fi
exit 0
