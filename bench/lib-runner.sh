# shellcheck shell=bash
# bench/lib-runner.sh - shared helpers of the runner benchmarks
# (bench/runner-*.sh). Sourced, never run.
#
#   . "$(dirname "$0")/lib-runner.sh" "$@"
#
# Sets FG (absolute path of the flakeguard binary), ROOT (the repository),
# BENCH (bench/), WORK (a temporary directory removed on exit), QUICK (0/1
# from BENCH_QUICK), JOBS (2) and MISBEHAVE (a private copy of the fixture
# program, built if missing). Results go to stdout; one line per target to $BENCH_SUMMARY.

set -eu
export LC_ALL=C

if [ $# -lt 1 ]; then
	echo "usage: $0 /path/to/flakeguard" >&2
	exit 2
fi
FG=$1
case $FG in /*) ;; *) FG=$PWD/$FG ;; esac
if [ ! -x "$FG" ]; then
	echo "$0: '$FG' is not an executable" >&2
	exit 2
fi
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] || QUICK=1
JOBS=2
SUMMARY=${BENCH_SUMMARY:-/dev/null}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A private copy: a concurrent `make` relinking build/progs/misbehave must
# not make a benchmarked spawn fail.
if [ ! -x "$ROOT/build/progs/misbehave" ]; then
	make -s -C "$ROOT" build/progs/misbehave >&2
fi
MISBEHAVE=$WORK/misbehave
cp "$ROOT/build/progs/misbehave" "$MISBEHAVE"

have() { command -v "$1" >/dev/null 2>&1; }

# timeit CMD... : runs CMD with stdout/stderr discarded; ELAPSED_US is its
# wall time in microseconds. A non-zero exit is reported, not fatal.
timeit() {
	local t0 t1 rc=0
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>"$WORK/timeit.err" || rc=$?
	t1=${EPOCHREALTIME/./}
	ELAPSED_US=$((t1 - t0))
	if [ "$rc" -ne 0 ]; then
		echo "warning: '$*' exited $rc:" >&2
		tail -n 3 "$WORK/timeit.err" >&2
	fi
}

# record NAME : appends the last ELAPSED_US (as ms) to NAME's samples.
record() { echo "$((ELAPSED_US / 1000)).$(printf '%03d' $((ELAPSED_US % 1000)))" >>"$WORK/samples.$1"; }

# median NAME : the median of NAME's samples in ms (empty when none).
median() {
	[ -s "$WORK/samples.$1" ] || return 0
	sort -n "$WORK/samples.$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2];
		      else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR : floating-point arithmetic with awk.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# verdict OK_EXPR : "met" or "MISSED" for an awk condition.
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"MISSED\" }"; }

# summary LINE : one line for bench/run.sh's final summary.
summary() { printf '%s\n' "$*" >>"$SUMMARY"; }

# fg_config FILE : writes a flakeguard.json from lines "NAME<TAB>ARG..."
# on stdin (argv split on spaces; no quoting needed for what we generate).
fg_config() {
	awk -F '\t' 'BEGIN { printf "{\n  \"suites\": [\n" }
		{
			n = split($2, a, " "); cmd = ""
			for (i = 1; i <= n; i++)
				cmd = cmd (i > 1 ? ", " : "") "\"" a[i] "\""
			printf "%s    { \"name\": \"%s\", \"command\": [%s] }",
			       (NR > 1 ? ",\n" : ""), $1, cmd
		}
		END { printf "\n  ]\n}\n" }' >"$1"
}

# make_file FILE : a Makefile from the same lines: one phony target each.
make_file() {
	awk -F '\t' '{ name[NR] = $1; cmd[NR] = $2 }
		END {
			printf "all:"
			for (i = 1; i <= NR; i++) printf " %s", name[i]
			printf "\n.PHONY: all"
			for (i = 1; i <= NR; i++) printf " %s", name[i]
			printf "\n"
			for (i = 1; i <= NR; i++) printf "%s:\n\t@%s\n", name[i], cmd[i]
		}' >"$1"
}

# ctest_dir DIR : a configured CMake build tree in DIR with one add_test
# per line (same format).
ctest_dir() {
	mkdir -p "$1/src" "$1/build"
	{
		echo 'cmake_minimum_required(VERSION 3.13)'
		echo 'project(fgbench NONE)'
		echo 'enable_testing()'
		awk -F '\t' '{ printf "add_test(NAME %s COMMAND %s)\n", $1, $2 }'
	} >"$1/src/CMakeLists.txt"
	cmake -S "$1/src" -B "$1/build" >/dev/null
}

# row CELL... : one row of a Markdown table.
row() {
	local s='|' c
	for c in "$@"; do s="$s $c |"; done
	printf '%s\n' "$s"
}

# build_loop : compiles bench/capture-loop.c to $LOOP.
build_loop() {
	LOOP=$WORK/capture-loop
	${CC:-cc} -O2 -std=gnu11 -o "$LOOP" "$BENCH/capture-loop.c"
}
