#!/bin/sh
# bench/analyze-designs.sh FLAKEGUARD [BEFORE] - the rate monitor's design
# cost: `flakeguard analyze` on a young history of a big suite.
#
# TESTS (2,000) tests of bench/gen-suite.py, RUNS (40) runs imported one
# after the other: 20 flaky tests failing about 30% of their runs, with
# baselines of 20-40 runs, so the monitor designs a threshold for young,
# noisy baselines at ARL0 = 500 x 2,000. Prints analyze's wall time (best
# of 3); with BEFORE (an older binary) it is timed beside FLAKEGUARD on the
# same database and their outputs (text and --json) are compared. The
# history is imported by BEFORE when given, and BEFORE goes first: the
# newer binary migrates the database to its schema when it opens it.
set -eu
FG=${1:?usage: sh bench/analyze-designs.sh FLAKEGUARD [BEFORE]}
BEFORE=${2:-}
tests=${TESTS:-2000}
runs=${RUNS:-40}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-design.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for r in $(seq 1 "$runs"); do
	python3 "$here/gen-suite.py" "$tests" "$r" "$tmp/r.xml"
	"${BEFORE:-$FG}" import --db "$tmp/h.db" --name suite --commit "c$r" \
		"$tmp/r.xml" >/dev/null || [ $? -le 1 ] # 1: the run has failures
done

best() { # BIN OUT
	b=
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		"$1" analyze --dry-run --db "$tmp/h.db" >"$2" || true
		t=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }")
		if [ -z "$b" ] || awk "BEGIN { exit !($t < $b) }"; then b=$t; fi
	done
	echo "$b"
}

echo "analyze, $tests tests x $runs runs (best of 3):"
if [ -n "$BEFORE" ]; then
	b=$(best "$BEFORE" "$tmp/b.txt")
	"$BEFORE" analyze --dry-run --json --db "$tmp/h.db" >"$tmp/b.json" || true
fi
a=$(best "$FG" "$tmp/a.txt")
echo "  flakeguard      ${a} s"
if [ -n "$BEFORE" ]; then
	echo "  before          ${b} s  (before / now: $(awk "BEGIN { printf \"%.1f\", $b / ($a > 0 ? $a : 0.01) }")x)"
	"$FG" analyze --dry-run --json --db "$tmp/h.db" >"$tmp/a.json" || true
	if cmp -s "$tmp/a.txt" "$tmp/b.txt" && cmp -s "$tmp/a.json" "$tmp/b.json"; then
		echo "  outputs: identical (text and --json)"
	else
		echo "  outputs: DIFFER"
		diff "$tmp/a.txt" "$tmp/b.txt" | head -20
	fi
fi
