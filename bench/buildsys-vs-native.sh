#!/bin/sh
# bench/buildsys-vs-native.sh FLAKEGUARD ctest|meson BUILD_DIR [REPS] -
# a real project's tests under its own runner and under flakeguard, on
# the same built tree: test counts, per-test outcomes (the vocabulary of
# tests/e2e/buildsys-compare.sh) and wall time, median of REPS runs
# (default 3) each, alternating, -j2 both. Not part of `make bench`: it
# needs a project built beforehand (bench/README.md has the figures and
# the commands that built fmt and pixman).
#
#   sh bench/buildsys-vs-native.sh $PWD/flakeguard ctest /tmp/fmt/build 3
set -eu
[ $# -ge 3 ] || { echo "usage: $0 FLAKEGUARD ctest|meson BUILD_DIR [REPS]" >&2; exit 2; }
FG=$1 KIND=$2 BUILD=$(cd "$3" && pwd) REPS=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "bench: $*" >&2; exit 1; }
# shellcheck source=../tests/e2e/buildsys-compare.sh
. "$here/../tests/e2e/buildsys-compare.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-bs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$REPS"); do
	t0=$(now)
	if [ "$KIND" = ctest ]; then
		(cd "$BUILD" && ctest -j2 >"$tmp/native.out" 2>&1) || true
	else
		meson test -C "$BUILD" --no-rebuild --num-processes 2 \
			>"$tmp/native.out" 2>&1 || true
	fi
	t1=$(now)
	"$FG" run --"$KIND" "$BUILD" -j2 --db "$tmp/h.db" --json "$tmp/r.json" \
		>"$tmp/fg.out" 2>&1 || true
	t2=$(now)
	echo "$t0 $t1" | awk '{print $2 - $1}' >> "$tmp/native.t"
	echo "$t1 $t2" | awk '{print $2 - $1}' >> "$tmp/fg.t"
done
if [ "$KIND" = ctest ]; then
	ctest_outcomes "$tmp/native.out" > "$tmp/native.txt"
else
	jq -r '.name' "$BUILD/meson-logs/testlog.json" | sed 's|.* / ||' |
		sort | uniq -d > "$tmp/repeated"
	meson_outcomes "$BUILD/meson-logs/testlog.json" "$tmp/repeated" \
		> "$tmp/native.txt"
fi
fg_outcomes "$tmp/r.json" > "$tmp/fg.txt"
echo "$KIND: $(wc -l < "$tmp/native.txt") tests; flakeguard: $(wc -l < "$tmp/fg.txt") suites, $(jq '.tests | length' "$tmp/r.json") test results"
for c in pass fail skip disabled notrun; do
	printf '  %-9s %s: %4s   flakeguard: %4s\n' "$c" "$KIND" \
		"$(grep -c " $c\$" "$tmp/native.txt" || true)" \
		"$(grep -c " $c\$" "$tmp/fg.txt" || true)"
done
if diff "$tmp/native.txt" "$tmp/fg.txt" >"$tmp/diff"; then
	echo "  per-test outcomes: identical"
else
	echo "  per-test outcomes DIFFER:"; sed 's/^/    /' "$tmp/diff"
fi
echo "  wall, median of $REPS: $KIND $(median < "$tmp/native.t") s, flakeguard $(median < "$tmp/fg.t") s"
echo "  all runs: $KIND $(tr '\n' ' ' < "$tmp/native.t")/ flakeguard $(tr '\n' ' ' < "$tmp/fg.t")"
tail -n 3 "$tmp/fg.out" | sed 's/^/  flakeguard: /'
