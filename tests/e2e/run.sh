#!/bin/sh
# tests/e2e/run.sh [PATTERN] - run the end-to-end cases in tests/e2e/cases/.
#
# Each case is a shell script run in a fresh temporary directory against the
# built binary ($FLAKEGUARD, default ./flakeguard). Output is TAP; the
# closing line is "N passed, N failed". A case named after an issue is a
# regression test for it.
#
# Backends: a case whose first lines say "# backends: sqlite postgresql"
# runs twice, the second time ("NAME [postgresql]") with its histories on
# the PostgreSQL server of tests/pg/cluster.sh (FG_TEST_PG_URL), each run
# in a database of its own (FG_CASE_PG_URL, dropped afterwards; see lib.sh
# for how NAME.db arguments map to it). "# backends: postgresql" runs only
# there. Without FG_TEST_PG_URL those runs fail: make e2e starts a server.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
FLAKEGUARD=${FLAKEGUARD:-$top/flakeguard}
PROGS=${PROGS:-$top/build/progs}
MISBEHAVE=$PROGS/misbehave
export FLAKEGUARD PROGS MISBEHAVE
[ -x "$FLAKEGUARD" ] || { echo "e2e: no binary at $FLAKEGUARD" >&2; exit 2; }
[ -x "$MISBEHAVE" ] || { echo "e2e: no fixture at $MISBEHAVE" >&2; exit 2; }

cases=$(ls "$top"/tests/e2e/cases/*.sh | sort)
[ $# -gt 0 ] && cases=$(echo "$cases" | grep -- "$1")
# One line per run: "CASE BACKEND".
runs=$(for c in $cases; do
	b=$(sed -n '1,12s/^# backends: //p' "$c")
	for k in ${b:-sqlite}; do echo "$c $k"; done
done)
total=$(echo "$runs" | wc -l)
echo "1..$total"
psql_admin() {
	psql -X -q -v ON_ERROR_STOP=1 "$FG_TEST_PG_URL" "$@"
}
n=0 passed=0 failed=0
while read -r c backend; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	[ "$backend" = sqlite ] || name="$name [$backend]"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/fg-e2e-XXXXXX")
	# A private copy of the fixture: "no process left" checks look for its
	# path, and must not see other cases' (or other checkouts') processes.
	mkdir "$dir/.bin" && cp "$PROGS/misbehave" "$dir/.bin/misbehave"
	pgdb=""
	if [ "$backend" = postgresql ]; then
		if [ -z "${FG_TEST_PG_URL:-}" ]; then
			echo "not ok $n - $name"
			echo "# no PostgreSQL server: run through tests/pg/cluster.sh (make e2e)"
			failed=$((failed + 1))
			rm -rf "$dir"
			continue
		fi
		pgdb=fg_e2e_$$_$n
		psql_admin -c "CREATE DATABASE $pgdb" </dev/null >/dev/null
	fi
	if (cd "$dir" && CASEDIR=$(dirname "$c") && export CASEDIR &&
	    MISBEHAVE=$dir/.bin/misbehave && export MISBEHAVE &&
	    FG_TEST_BACKEND=$backend && export FG_TEST_BACKEND &&
	    FG_CASE_PG_URL=$(echo "${FG_TEST_PG_URL:-}" | sed "s|/fgtest?|/$pgdb?|") &&
	    export FG_CASE_PG_URL &&
	    . "$top/tests/e2e/lib.sh" && set -e && . "$c") >"$dir.log" 2>&1 </dev/null
	then
		echo "ok $n - $name"
		passed=$((passed + 1))
		rm -rf "$dir" "$dir.log"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$dir.log"
		failed=$((failed + 1))
		rm -rf "$dir.log"
		echo "# (work dir kept: $dir)"
	fi
	[ -z "$pgdb" ] || psql_admin -c "DROP DATABASE $pgdb WITH (FORCE)" \
		</dev/null >/dev/null
done <<EOF
$runs
EOF
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
