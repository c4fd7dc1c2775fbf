#!/bin/sh
# check_cli.sh - tests for the helpers in lib.sh, TAP output, no JUnit XML.
# flakeguard sees one result for this suite: its exit status (0 = all ok).
set -u
here=$(dirname "$0")
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

n=0
failed=0

# check DESCRIPTION EXPECTED ACTUAL
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: expected '$2', got '$3'"
		failed=$((failed + 1))
	fi
}

check "bytes stay bytes"         "512B"  "$(human_size 512)"
check "kibibytes get a decimal"  "1.5K"  "$(human_size 1536)"
check "mebibytes"                "5.0M"  "$(human_size 5242880)"
check "zero"                     "0B"    "$(human_size 0)"
check "equal versions"           "0"     "$(semver_cmp 1.2.3 1.2.3)"
check "numeric, not lexical"     "1"     "$(semver_cmp 1.10.0 1.9.3)"
check "older major"              "-1"    "$(semver_cmp 0.9 1.0)"
check "missing parts are zero"   "0"     "$(semver_cmp 1.2 1.2.0)"
check "pre-release tag ignored"  "0"     "$(semver_cmp 2.0.0-rc1 2.0.0)"
check "trim both ends"           "a b"   "$(trim '  a b	')"

echo "1..$n"
[ "$failed" -eq 0 ]
