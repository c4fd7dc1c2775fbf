#!/bin/sh
# tests/banned.sh DIR... - functions too easy to misuse (git's banned.h):
# unbounded copies and formats, and conversions that hide errors. Prints
# each use (file:line) and fails. Use snprintf/fg_xasprintf, memcpy with a
# checked length, strtol/cli_int_arg instead.
set -u
banned='sprintf|vsprintf|strcpy|strcat|strncpy|strncat|gets|atoi|atol|atoll|strtok|mktemp|tmpnam'
bad=0
for d in "$@"; do
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] || continue
		# a call: the name not preceded by a letter, digit or _ (so
		# snprintf and fg_xasprintf pass), then "(".
		if grep -nE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" "$f" |
		   grep -vE '^[0-9]+:[[:space:]]*(/?\*|//)'; then
			echo "banned: $f uses a banned function (tests/banned.sh)" >&2
			bad=1
		fi
	done
done
[ $bad = 0 ] && echo "banned functions: none"
exit $bad
