#!/bin/sh
# bench/ingest.sh [FLAKEGUARD [BEFORE]] - ingest throughput and history
# latency, by hand (never timed in tests). Figures go in bench/README.md.
# BEFORE, another flakeguard binary (say, one built from the previous
# commit), is timed next to FLAKEGUARD on the same files.
#
#   1. generates JUnit files of 20,000 (~9 MB) and 200,000 (~89 MB) cases
#   2. times `xmllint --stream --noout` and `flakeguard import` on each,
#      with peak RSS (/usr/bin/time), and prints the throughput ratio
#   3. Python junitparser on the big file, if python3-junitparser is there
#   4. imports the big file 5 times (1,000,000 results) and times
#      `flakeguard history TEST`; prints the database size per result
set -eu
here=$(cd "$(dirname "$0")" && pwd)
FG=${1:-$here/../flakeguard}
BEFORE=${2:-}
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-XXXXXX")}
[ -x /usr/bin/time ] || { echo "install GNU time: apt-get install time" >&2; exit 2; }
cd "$work"

/usr/bin/python3 "$here/gen-junit.py" 20000 small.xml
/usr/bin/python3 "$here/gen-junit.py" 200000 big.xml

# measure LABEL CMD...: prints "LABEL seconds MB/s peakKiB" for $file
measure() {
	label=$1; shift
	/usr/bin/time -f "%e %M" -o t.out "$@" >/dev/null 2>&1 || true
	read -r secs kib < t.out
	mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1048576 }')
	rate=$(awk -v m="$mb" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? m / s : m / 0.005) }')
	printf '  %-28s %6.2f s  %7s MB/s  peak RSS %6d KiB\n' "$label" "$secs" "$rate" "$kib"
	echo "$rate" > "rate.$label"
	echo "$kib" > "rss.$label.$file"
}

for file in small.xml big.xml; do
	echo "$file ($(stat -c %s $file) bytes):"
	measure xmllint xmllint --stream --noout "$file"
	if [ -n "$BEFORE" ]; then
		rm -f ing.db ing.db-wal ing.db-shm
		measure before "$BEFORE" import --db ing.db --no-fail -q "$file"
		awk -v a="$(cat rate.before)" -v b="$(cat rate.xmllint)" \
			'BEGIN { printf "  before / xmllint throughput: %.0f%%\n", 100 * a / b }'
	fi
	rm -f ing.db ing.db-wal ing.db-shm
	measure import "$FG" import --db ing.db --no-fail -q "$file"
	awk -v a="$(cat rate.import)" -v b="$(cat rate.xmllint)" \
		'BEGIN { printf "  import / xmllint throughput: %.0f%% (target >= 50%%)\n", 100 * a / b }'
	[ -z "$BEFORE" ] || awk -v a="$(cat rate.import)" -v b="$(cat rate.before)" \
		'BEGIN { printf "  import / before throughput: %.2fx\n", a / b }'
done
# Streaming import: peak RSS must not grow with the file (target <= 32 MB).
awk -v s="$(cat rss.import.small.xml)" -v b="$(cat rss.import.big.xml)" \
	'BEGIN { printf "import peak RSS: %.1f MiB (small) vs %.1f MiB (big): %s\n", s / 1024, b / 1024, (b <= 32768 && b < s * 1.5) ? "flat, <= 32 MiB" : "GROWS or > 32 MiB" }'

file=big.xml
if /usr/bin/python3 -c 'import junitparser' 2>/dev/null; then
	cat > jp.py <<'PY'
import sys, junitparser
n = 0
for suite in junitparser.JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        n += 1
        _ = (case.name, case.classname, case.time, case.result)
print(n)
PY
	measure junitparser /usr/bin/python3 jp.py big.xml
	awk -v a="$(cat rate.import)" -v b="$(cat rate.junitparser)" \
		'BEGIN { printf "  import / junitparser throughput: %.1fx\n", a / b }'
else
	echo "  (python3-junitparser not installed: skipped)"
fi

echo "history with 1,000,000 results:"
rm -f hist.db hist.db-wal hist.db-shm
for i in 1 2 3 4 5; do
	"$FG" import --db hist.db --no-fail -q big.xml >/dev/null
done
n=$(sqlite3 hist.db "SELECT count(*) FROM results")
sz=$(stat -c %s hist.db)
echo "  $n results, $sz bytes: $((sz / n)) bytes per result"
t=suite1000::pkg.module0.TestClass5::test_case_100000_
"$FG" history --db hist.db "$t" >/dev/null
for spec in "$t" test_case_100007_xxxxxxx; do
	t0=$(date +%s%N)
	for k in 1 2 3 4 5 6 7 8 9 10; do
		"$FG" history --db hist.db "$spec" >/dev/null
	done
	t1=$(date +%s%N)
	echo "  history '$(echo "$spec" | cut -c1-40)...': $(( (t1 - t0) / 10000000 )) ms per call (process start included, mean of 10)"
done
echo "(work dir: $work)"
