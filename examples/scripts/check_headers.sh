#!/bin/sh
# check_headers.sh - every public header of the example library must compile
# on its own (git's `make check-headers`). Passes, prints what it checked.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}

for h in "$here"/ringbuf/*.h; do
	printf '#include "%s"\n' "$h" |
		"$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only -x c -
	echo "ok - $(basename "$h") compiles alone"
done
