# make install honours PREFIX and DESTDIR (binary, man page, completion);
# the completion offers the binary's own commands and options.
top=$(cd "$CASEDIR/../../.." && pwd)
make -C "$top" --no-print-directory install PREFIX=/opt/fg DESTDIR="$PWD/stage" \
	BIN="$(realpath --relative-to="$top" "$FLAKEGUARD" 2>/dev/null || echo flakeguard)" >log 2>&1 ||
	{ cat log; fail "make install failed"; }
[ -x stage/opt/fg/bin/flakeguard ] || fail "binary not installed"
[ -f stage/opt/fg/share/man/man1/flakeguard.1 ] || fail "man page not installed"
[ -f stage/opt/fg/share/bash-completion/completions/flakeguard ] || fail "completion not installed"
# The installed man page renders, and groff has nothing to warn about.
groff -man -Tutf8 -ww -z stage/opt/fg/share/man/man1/flakeguard.1 2>groff.log ||
	fail "groff cannot render the man page: $(head -n 5 groff.log)"
[ ! -s groff.log ] || fail "groff warns about the man page: $(head -n 5 groff.log)"
PATH=$PWD/stage/opt/fg/bin:$PATH bash -c '
	. stage/opt/fg/share/bash-completion/completions/flakeguard
	COMP_WORDS=(flakeguard r); COMP_CWORD=1; _flakeguard; echo "${COMPREPLY[*]}" > c1
	COMP_WORDS=(flakeguard run --ret); COMP_CWORD=2; _flakeguard; echo "${COMPREPLY[*]}" > c2
	COMP_WORDS=(flakeguard run --color ""); COMP_CWORD=3; _flakeguard; echo "${COMPREPLY[*]}" > c3'
contains c1 run
contains c1 report
contains c2 --retries
contains c3 never
make -C "$top" --no-print-directory uninstall PREFIX=/opt/fg DESTDIR="$PWD/stage" >/dev/null
[ ! -e stage/opt/fg/bin/flakeguard ] || fail "uninstall left the binary"
