#!/bin/sh
# tests/e2e/run.sh [PATTERN] - run the end-to-end cases in tests/e2e/cases/.
#
# Each case is a shell script run in a fresh temporary directory against the
# built binary ($FLAKEGUARD, default ./flakeguard). Output is TAP; the
# closing line is "N passed, N failed". A case named after an issue is a
# regression test for it.
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
total=$(echo "$cases" | wc -l)
echo "1..$total"
n=0 passed=0 failed=0
for c in $cases; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/fg-e2e-XXXXXX")
	# A private copy of the fixture: "no process left" checks look for its
	# path, and must not see other cases' (or other checkouts') processes.
	mkdir "$dir/.bin" && cp "$PROGS/misbehave" "$dir/.bin/misbehave"
	if (cd "$dir" && CASEDIR=$(dirname "$c") && export CASEDIR &&
	    MISBEHAVE=$dir/.bin/misbehave && export MISBEHAVE &&
	    . "$top/tests/e2e/lib.sh" && set -e && . "$c") >"$dir.log" 2>&1; then
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
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
