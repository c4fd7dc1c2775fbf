# tests/e2e/lib.sh - helpers for end-to-end cases (sourced by run.sh).
#
# Each case runs in a fresh empty directory (its cwd) with:
#   $FLAKEGUARD  the binary under test      $PROGS  fixture programs
#   $MISBEHAVE   $PROGS/misbehave           $CASEDIR the case's own folder
# A case fails by calling fail (or exiting non-zero).

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# fg ARGS...: run flakeguard, output in ./out and ./err, status in $rc.
fg() {
	set +e
	"$FLAKEGUARD" "$@" >out 2>err
	rc=$?
	set -e
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
	got=$(sqlite3 "$1" "$2") || fail "sqlite3 '$2' failed"
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
