# tests/deps.sh maps a missing command to the package that provides it:
# the sqlite3 command is package sqlite3 (not libsqlite3-dev), pgrep is
# procps (issue 13: a fresh Debian had neither, and 22 cases failed). A
# user who cannot install gets the exact apt-get command and exit 1.
top=$(cd "$CASEDIR/../../.." && pwd)
cp "$top/tests/deps.sh" ./deps.sh
sh deps.sh --commands >cmds
for c in sqlite3 pgrep ps cc g++ jq xmllint python3 groff chromium shfmt; do
	grep -qx -- "$c" cmds || fail "deps.sh --commands lacks $c"
done

# Every command deps.sh guarantees but sqlite3 and pgrep (the system's:
# what apt-get installs), on a PATH of their own; as a user who cannot
# install (nobody, when we are root).
syspath=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
installed() { PATH=$syspath command -v "$1"; }
mkdir bin
while read -r c; do
	case $c in sqlite3 | pgrep) continue ;; esac
	p=$(installed "$c") || fail "'$c' is not installed here (make deps installs it)"
	ln -s "$p" "bin/$c"
done <cmds
chmod 755 . bin
chmod 644 deps.sh
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
set +e
as_user env PATH="$PWD/bin" sh deps.sh libuv jansson >out 2>err
rc=$?
set -e
expect_rc 1
[ "$(head -n 1 err)" = "flakeguard: missing: sqlite3 pgrep" ] ||
	fail "expected sqlite3 and pgrep missing, got: $(cat err)"
contains err "sudo apt-get install sqlite3 procps"
lacks err "libsqlite3-dev"

# With everything there, it says nothing and succeeds.
ln -s "$(installed sqlite3)" bin/sqlite3
ln -s "$(installed pgrep)" bin/pgrep
set +e
as_user env PATH="$PWD/bin" sh deps.sh libuv jansson >out 2>err
rc=$?
set -e
expect_rc 0
[ ! -s err ] || fail "deps.sh complained: $(cat err)"
