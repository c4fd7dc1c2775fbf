# Every command and long option that --help shows is in the man page and in
# README.md, so the three never disagree.
top=$(cd "$CASEDIR/../../.." && pwd)
fg --help; expect_rc 0
cmds=$(sed -n '/^Commands:/,/^$/p' out | awk 'NF>1 {print $1}')
[ -n "$cmds" ] || fail "no commands in --help"
for c in $cmds; do
	fg "$c" --help; expect_rc 0
	grep -qF "flakeguard $c" "$top/README.md" || fail "README lacks 'flakeguard $c'"
	mc=$(echo "$c" | sed 's/-/\\\\-/g')
	grep -q "^\.B $mc\$" "$top/docs/flakeguard.1" || fail "man page lacks command $c"
	for o in $(grep -o -- '--[a-z][a-z-]*' out | sort -u); do
		man=$(echo "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$man" "$top/docs/flakeguard.1" || fail "man page lacks $c $o"
		grep -qF -- "$o" "$top/README.md" || fail "README lacks $c $o"
	done
done
