# tests/e2e/lib.sh - helpers for end-to-end cases (sourced by run.sh).
#
# Each case runs in a fresh empty directory (its cwd) with:
#   $FLAKEGUARD  the binary under test      $PROGS  fixture programs
#   $MISBEHAVE   $PROGS/misbehave           $CASEDIR the case's own folder
# A case fails by calling fail (or exiting non-zero).
#
# Histories: on the PostgreSQL run of a case (FG_TEST_BACKEND=postgresql,
# "# backends:" in run.sh), every argument NAME.db of fg, sql and sql_is
# becomes the URL of schema NAME_db in the case's own database, and the
# default history (.flakeguard/history.db) comes from FLAKEGUARD_DB the
# same way; `dbshow NAME.db` is what flakeguard prints for it, `no_db
# NAME.db` checks that nothing created it. SQL in checks must then read
# the same on both (no PRAGMA, no group_concat).

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

on_pg() {
	[ "${FG_TEST_BACKEND:-sqlite}" = postgresql ]
}

# dburl NAME.db: where flakeguard keeps that history on this run.
dburl() {
	if on_pg; then
		printf '%s&options=-csearch_path%%3D%s\n' "$FG_CASE_PG_URL" \
			"$(printf '%s' "$1" | tr -c 'a-zA-Z0-9_' '_')"
	else
		printf '%s\n' "$1"
	fi
}

# dbshow NAME.db: how flakeguard names it in its messages.
dbshow() {
	dburl "$1"
}

if on_pg; then
	FLAKEGUARD_DB=$(dburl .flakeguard/history.db)
	export FLAKEGUARD_DB
fi

# fg ARGS...: run flakeguard, output in ./out and ./err, status in $rc.
fg() {
	if on_pg; then
		n=$#
		for a do
			case $a in
			*.db) a=$(dburl "$a") ;;
			--db=*.db) a=--db=$(dburl "${a#--db=}") ;;
			esac
			set -- "$@" "$a"
		done
		shift "$n"
	fi
	set +e
	"$FLAKEGUARD" "$@" >out 2>err
	rc=$?
	set -e
}

# sql DB QUERY: the query's rows, columns separated by |.
sql() {
	if on_pg; then
		case $1 in
		postgresql://*) u=$1 ;;
		*) u=$(dburl "$1") ;;
		esac
		psql -X -A -t -q -v ON_ERROR_STOP=1 "$u" -c "$2"
	else
		sqlite3 "$1" "$2"
	fi
}

# no_db NAME.db: no history was created there.
no_db() {
	if on_pg; then
		got=$(sql "$FG_CASE_PG_URL" "SELECT count(*) FROM pg_namespace WHERE nspname = '$(printf '%s' "$1" | tr -c 'a-zA-Z0-9_' '_')'")
		[ "$got" = 0 ] || fail "a history was created at $1"
	else
		[ ! -e "$1" ] || fail "a history was created at $1"
	fi
}

# expect_rc N: the last fg call exited N.
expect_rc() {
	[ "$rc" = "$1" ] && return 0
	echo "    --- stdout" >&2; tail -n 30 out >&2
	echo "    --- stderr" >&2; tail -n 30 err >&2
	fail "exit status $rc, expected $1"
}

# contains FILE TEXT: FILE holds TEXT (fixed string).
contains() {
	grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "'$1' lacks '$2'"; }
}

# lacks FILE TEXT
lacks() {
	! grep -qF -- "$2" "$1" || fail "'$1' unexpectedly holds '$2'"
}

# jq_is FILE FILTER EXPECTED: jq -r FILTER FILE prints EXPECTED.
jq_is() {
	got=$(jq -r "$2" "$1") || fail "jq '$2' failed on $1"
	[ "$got" = "$3" ] || fail "jq '$2' on $1: got '$got', expected '$3'"
}

# sql_is DB QUERY EXPECTED
sql_is() {
	got=$(sql "$1" "$2") || fail "sql '$2' failed"
	[ "$got" = "$3" ] || fail "sql '$2': got '$got', expected '$3'"
}

# no_process_left PATTERN: no process whose command line holds PATTERN.
no_process_left() {
	sleep 0.2
	if pgrep -f -- "$1" >/dev/null; then
		pgrep -af -- "$1" >&2
		fail "processes matching '$1' are still alive"
	fi
}
