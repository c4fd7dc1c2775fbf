#!/bin/sh
# bench/incremental.sh FLAKEGUARD - issue 14's analysis targets, on both
# backends:
#
#   sh tests/pg/cluster.sh sh bench/incremental.sh /abs/path/flakeguard
#
# The 10,000-test suite of bench/gen-suite.py (1% flaky, 3 broken from run
# 100) run by `flakeguard run` (a suite whose command copies the run's
# JUnit file into {junit}), with a history of RUNS_RUN (300) and of
# RUNS_ANALYZE (3,000) runs. Building those with 3,000 real runs would
# take hours, so the history is generated in the database: the first run
# is a real `flakeguard run` (it creates the schema and the 10,000 test
# identities exactly as `run` names them), then one INSERT .. SELECT per
# table makes runs 2..N with gen-suite.py's outcomes (the same formula,
# in SQL, from the number in each test's name) and one attempt per test.
# Those rows bypass the write path, so the summaries are built afterwards
# by `analyze --rebuild` (its time is printed: the one-off cost of a
# migrated database).
#
# Printed, each with "met" or "NOT met":
#   run  at RUNS_RUN runs: total wall <= 1.3x the no-history run (the same
#        command on an empty database), peak RSS <= 64 MB;
#   analyze at RUNS_ANALYZE runs (30 M results): wall <= 5 s.
#   SQLite: the floor under the run's time that no analysis change moves
#        (floor() below).
# Best of REPEAT (3) for wall times. TESTS changes the suite's size; KEEP=1
# keeps the databases (SQLite) and prints where; BACKENDS=postgresql (or
# sqlite) measures one.
# Needs FG_TEST_PG_URL (tests/pg/cluster.sh) for PostgreSQL; without it
# only SQLite is measured.
set -eu
FG=${1:?usage: sh bench/incremental.sh /path/to/flakeguard}
here=$(cd "$(dirname "$0")" && pwd)
tests=${TESTS:-10000}
runs_run=${RUNS_RUN:-300}
runs_an=${RUNS_ANALYZE:-3000}
repeat=${REPEAT:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench-incr.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

python3 "$here/gen-suite.py" "$tests" 1 run1.xml
python3 "$here/gen-suite.py" "$tests" 301 next.xml
cat > fg.json <<JSON
{ "suites": [ { "name": "bench", "junit": "{junit}",
  "command": ["sh", "-c", "cat \"\$FG_XML\" > {junit}"] } ] }
JSON

backends="sqlite"
[ -n "${FG_TEST_PG_URL:-}" ] && backends="sqlite postgresql"
backends=${BACKENDS:-$backends}
pg_url() { # SCHEMA
	printf '%s&options=-csearch_path%%3D%s\n' "$FG_TEST_PG_URL" "$1"
}
where() { # BACKEND NAME
	if [ "$1" = sqlite ]; then echo "$tmp/$2.db"; else pg_url "bench_$2"; fi
}
sqlx() { # BACKEND WHERE SQL
	if [ "$1" = sqlite ]; then
		sqlite3 "$2" "$3"
	else
		psql -X -A -t -q -v ON_ERROR_STOP=1 "$2" -c "$3"
	fi
}
fresh() { # BACKEND WHERE: no database there
	if [ "$1" = sqlite ]; then
		rm -f "$2" "$2-wal" "$2-shm"
	else
		s=${2##*%3D}
		sqlx "$1" "$FG_TEST_PG_URL" "DROP SCHEMA IF EXISTS $s CASCADE" \
			>/dev/null 2>&1
	fi
}
# timed OUT CMD...: wall seconds and peak RSS (KiB) of CMD into OUT.
timed() {
	out=$1; shift
	/usr/bin/time -q -f "%e %M" -o "$out" "$@" >/dev/null 2>"$out.err"
}
best() { # FILES...: the smallest wall time, and the RSS of that run
	for f; do
		case $f in *.err) ;; *) cat "$f" ;; esac
	done | sort -n | head -1
}
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"NOT met\" }"; }

# The outcome of test k in run r: gen-suite.py's fails(), in SQL.
# k is the number in the test's name (test_behaviour_K).
fails_sql='(CASE WHEN CAST(substr(t.name, 16) AS INTEGER) IN (17, 4242, 9001) AND r.n >= 100 THEN 1 WHEN CAST(substr(t.name, 16) AS INTEGER) % 97 <> 5 THEN 0 WHEN (CAST(substr(t.name, 16) AS INTEGER) * 2654435761 + r.n * 40503) % 1000 < 300 THEN 1 ELSE 0 END)'

# gen BACKEND WHERE N: runs 2..N after the real first run.
gen() {
	b=$1 w=$2 n=$3
	if [ "$b" = sqlite ]; then
		series="WITH RECURSIVE s(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM s WHERE n < $n)"
		hex="printf('%040x', s.n)"
		pre="PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; BEGIN;"
		post="COMMIT;"
	else
		series="WITH s(n) AS (SELECT generate_series(2, $n))"
		hex="lpad(to_hex(s.n), 40, '0')"
		pre="BEGIN;"
		post="COMMIT; ANALYZE;"
	fi
	first=$(sqlx "$b" "$w" "SELECT started_at FROM runs WHERE id = 1")
	base=$((first - (n + 1) * 600000))
	sqlx "$b" "$w" "$pre
UPDATE runs SET started_at = $base + 600000 WHERE id = 1;
$series INSERT INTO runs (id, started_at, duration_ms, commit_sha, branch,
  host, exit_code, interrupted, fg_version, uuid)
  SELECT s.n, $base + s.n * 600000, 1000, $hex, 'main', 'bench', 0, 0,
  'bench', 'bench-' || s.n FROM s;
INSERT INTO run_tests (run_id, test_id, outcome, duration_ms, attempts)
  SELECT r.id, t.id, $fails_sql, 1 + CAST(substr(t.name, 16) AS INTEGER) % 997, 1
  FROM (SELECT id, id AS n FROM runs WHERE id >= 2) r CROSS JOIN tests t
  ORDER BY r.id, t.id;
INSERT INTO results (run_id, test_id, attempt, status, duration_ms,
  started_at, message)
  SELECT rt.run_id, rt.test_id, 1, rt.outcome, rt.duration_ms, 0,
  CASE WHEN rt.outcome = 1 THEN 'assert ' || substr(t.name, 16) || ' == '
   || (CAST(substr(t.name, 16) AS INTEGER) + 1) END
  FROM run_tests rt JOIN tests t ON t.id = rt.test_id WHERE rt.run_id >= 2
  ORDER BY rt.run_id, rt.test_id;
DELETE FROM test_summary;
$post" >/dev/null
	if [ "$b" = postgresql ]; then
		sqlx "$b" "$w" "SELECT setval(pg_get_serial_sequence('runs', 'id'), $n)" >/dev/null
	fi
}

# history BACKEND NAME N: a database of N runs with its summaries built.
history() {
	b=$1 w=$(where "$1" "$2") n=$3
	fresh "$b" "$w"
	FG_XML=$tmp/run1.xml "$FG" run -q -c fg.json --db "$w" >/dev/null 2>&1 || true
	t0=$(date +%s.%N)
	gen "$b" "$w" "$n"
	t1=$(date +%s.%N)
	timed "rebuild.$b.$n" "$FG" analyze --db "$w" --rebuild --dry-run
	# --dry-run writes nothing: rebuild for real, timed above without
	# the write, then once more to store the summaries.
	"$FG" analyze --db "$w" --rebuild >/dev/null
	echo "$b: $n runs generated in $(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }") s;" \
		"analyze --rebuild (from the results): $(cut -d' ' -f1 "rebuild.$b.$n") s"
}

# sqltime DB SQL: wall seconds of SQL on a copy of DB, as flakeguard's
# connection writes (WAL, synchronous NORMAL, 4 MiB cache while writing),
# the closing checkpoint included.
sqltime() {
	rm -f "$tmp/floor.db"*
	cp "$1" "$tmp/floor.db"
	[ -z "${3:-}" ] || sqlite3 "$tmp/floor.db" "$3"
	/usr/bin/time -q -f "%e" -o "$tmp/floor.t" sqlite3 "$tmp/floor.db" \
		"PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4096; $2" \
		>/dev/null
	cat "$tmp/floor.t"
}
# floor DB EMPTY_RUN_WALL: what any run at this history writes on SQLite
# besides its own rows. Each run adds one row per test to the test-major
# structures, run_tests_by_test (test_id, run_id) and test_summary, at
# 10,000 scattered places: nearly every page of both is rewritten, to the
# WAL and again at the checkpoint, whatever the analysis costs.
floor() {
	ins="BEGIN; INSERT INTO runs (id, started_at, duration_ms, commit_sha,
	  branch, host, exit_code, interrupted, fg_version, uuid)
	  VALUES (1000000, 1, 1, 'x', 'main', 'bench', 0, 0, 'bench', 'floor');
	  INSERT INTO run_tests SELECT 1000000, id, 0, 5, 1 FROM tests; COMMIT;"
	with=$(sqltime "$1" "$ins")
	without=$(sqltime "$1" "$ins" "DROP INDEX run_tests_by_test")
	sums=$(sqltime "$1" "UPDATE test_summary SET state = state || 'x';")
	echo "sqlite: a run's $tests run_tests rows: $with s with run_tests_by_test," \
		"$without s without it; rewriting the $tests summaries: $sums s"
	echo "sqlite: the 1.3x target leaves $(awk "BEGIN { printf \"%.2f\", 0.3 * $2 }") s over the empty run;" \
		"those two writes alone take $(awk "BEGIN { printf \"%.2f\", $with - $without + $sums }") s"
}

for b in $backends; do
	echo "== $b"
	# run: no history (an empty database), then with RUNS_RUN runs
	for i in $(seq 1 "$repeat"); do
		w=$(where "$b" empty)
		fresh "$b" "$w"
		FG_XML=$tmp/next.xml timed "run0.$b.$i" "$FG" run -q -c fg.json \
			--db "$w" || true
	done
	history "$b" h300 "$runs_run"
	w=$(where "$b" h300)
	for i in $(seq 1 "$repeat"); do
		# (each repeat adds a run: 300, 301, 302 runs of history)
		FG_XML=$tmp/next.xml timed "run1.$b.$i" "$FG" run -q -c fg.json \
			--db "$w" || true
	done
	read -r w0 r0 <<EOF
$(best run0.$b.*)
EOF
	read -r w1 r1 <<EOF
$(best run1.$b.*)
EOF
	echo "$b: run of $tests tests, no history: $w0 s, peak RSS $((r0 / 1024)) MiB"
	echo "$b: run with $runs_run runs of history: $w1 s ($(awk "BEGIN { printf \"%.2f\", $w1 / $w0 }")x):" \
		"$(verdict "$w1 <= 1.3 * $w0") (target <= 1.3x)"
	echo "$b: peak RSS $((r1 / 1024)) MiB: $(verdict "$r1 <= 65536") (target <= 64 MB)"
	[ "$b" = sqlite ] && floor "$w" "$w0"
	# analyze at RUNS_ANALYZE runs
	history "$b" h3k "$runs_an"
	w=$(where "$b" h3k)
	for i in $(seq 1 "$repeat"); do
		timed "an.$b.$i" "$FG" analyze --db "$w" --dry-run
	done
	read -r wa ra <<EOF
$(best an.$b.*)
EOF
	echo "$b: analyze at $runs_an runs ($(sqlx "$b" "$w" "SELECT count(*) FROM results") results): $wa s," \
		"peak RSS $((ra / 1024)) MiB: $(verdict "$wa <= 5") (target <= 5 s)"
	if [ -z "${KEEP:-}" ]; then
		fresh "$b" "$(where "$b" h3k)"
		fresh "$b" "$(where "$b" h300)"
	fi
done
[ -z "${KEEP:-}" ] || echo "kept: $tmp"
