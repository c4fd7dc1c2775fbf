#!/bin/sh
# tests/layering.sh MODULE... - modules listed lowest first; a module's files
# may include only headers of itself and of modules listed before it, and
# internal.h only from its own folder. Prints offenders and fails.
set -u
bad=0
seen=""
for m in "$@"; do
	seen="$seen $m"
	for f in "$m"/*.c "$m"/*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z_]*\)\/[a-z_]*\.h".*/\1/p' "$f"); do
			case " $seen " in
			*" $inc "*) ;;
			*) echo "layering: $f includes a header of '$inc'" >&2; bad=1 ;;
			esac
		done
		if grep -n '#include "[a-z_]*/internal.h"' "$f" | grep -v "\"$m/internal.h\"" >/dev/null; then
			echo "layering: $f includes another module's internal.h" >&2
			bad=1
		fi
	done
done
# runner and history never know each other.
if grep -l '#include "history/' runner/*.c runner/*.h 2>/dev/null ||
   grep -l '#include "runner/' history/*.c history/*.h 2>/dev/null; then
	echo "layering: runner and history must not include each other" >&2
	bad=1
fi
[ $bad = 0 ] && echo "layering: ok"
exit $bad
