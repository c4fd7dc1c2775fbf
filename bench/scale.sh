#!/bin/sh
# bench/scale.sh FLAKEGUARD - the history at scale, on both backends.
#
#   sh tests/pg/cluster.sh sh bench/scale.sh /abs/path/flakeguard
#
# 1. Bytes per result: RUNS (default 30) runs of a 10,000-test suite
#    (bench/gen-suite.py: 1% flaky, 3 broken, no output for passes)
#    imported one after the other into a SQLite file and into PostgreSQL;
#    the size of the database (SQLite: the file after a checkpoint;
#    PostgreSQL: pg_total_relation_size of flakeguard's tables after
#    VACUUM) over the results it holds.
# 2. 16 concurrent writers: 16 `flakeguard import`s of one 10,000-test run
#    each, started together on a history that already knows the tests;
#    wall time until the last one is done, results per second; then the
#    same 16 one after the other, for comparison.
#
# Needs FG_TEST_PG_URL (tests/pg/cluster.sh sets it) for PostgreSQL;
# without it only SQLite is measured. RUNS and TESTS change the sizes.
set -eu
FG=${1:?usage: sh bench/scale.sh /path/to/flakeguard}
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-30}
tests=${TESTS:-10000}
if [ -n "${BENCH_QUICK:-}" ]; then
	runs=${RUNS:-5}
	tests=${TESTS:-2000}
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
calc() { awk "BEGIN { printf \"%d\", $1 }"; }

for r in $(seq 1 "$runs"); do
	python3 "$here/gen-suite.py" "$tests" "$r" "run$r.xml"
done

pg_url() { # SCHEMA
	printf '%s&options=-csearch_path%%3D%s\n' "$FG_TEST_PG_URL" "$1"
}
pg_sql() { # URL SQL
	psql -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2"
}
backends="sqlite"
[ -n "${FG_TEST_PG_URL:-}" ] && backends="sqlite postgresql"

where() { # BACKEND NAME
	if [ "$1" = sqlite ]; then echo "$tmp/$2.db"; else pg_url "bench_$2"; fi
}
size_of() { # BACKEND WHERE
	if [ "$1" = sqlite ]; then
		sqlite3 "$2" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		sqlite3 "$2" "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"
	else
		pg_sql "$2" "VACUUM (ANALYZE)" >/dev/null
		pg_sql "$2" "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
	fi
}
count() { # BACKEND WHERE TABLE
	if [ "$1" = sqlite ]; then sqlite3 "$2" "SELECT count(*) FROM $3"
	else pg_sql "$2" "SELECT count(*) FROM $3"; fi
}

echo "== bytes per result: $runs runs of $tests tests"
for b in $backends; do
	w=$(where "$b" size)
	t0=$(now)
	for r in $(seq 1 "$runs"); do
		"$FG" import -q --no-fail --db "$w" "run$r.xml" >/dev/null
	done
	t1=$(now)
	bytes=$(size_of "$b" "$w")
	res=$(count "$b" "$w" results)
	echo "$b: $res results, $bytes bytes, $(calc "$bytes / $res") bytes per result;" \
		"$runs imports in $(elapsed "$t0" "$t1") s"
done

echo "== 16 concurrent writers: one $tests-test run each"
for b in $backends; do
	w=$(where "$b" conc)
	"$FG" import -q --no-fail --db "$w" run1.xml >/dev/null
	t0=$(now)
	pids=""
	for i in $(seq 1 16); do
		"$FG" import -q --no-fail --db "$w" "run$(( (i % runs) + 1 )).xml" \
			>"c$i.out" 2>"c$i.err" &
		pids="$pids $!"
	done
	bad=0
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	t1=$(now)
	res=$(count "$b" "$w" results)
	s=$(elapsed "$t0" "$t1")
	echo "$b: 16 at once in $s s, $((res - tests)) results written," \
		"$(calc "($res - $tests) / $s") results/s, $bad failed"
	w=$(where "$b" seq)
	"$FG" import -q --no-fail --db "$w" run1.xml >/dev/null
	t0=$(now)
	for i in $(seq 1 16); do
		"$FG" import -q --no-fail --db "$w" "run$(( (i % runs) + 1 )).xml" >/dev/null
	done
	t1=$(now)
	s=$(elapsed "$t0" "$t1")
	echo "$b: 16 one after the other in $s s," \
		"$(calc "16 * $tests / $s") results/s"
done
