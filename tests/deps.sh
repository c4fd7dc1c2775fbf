#!/bin/sh
# tests/deps.sh PKG...  - make sure everything the build, the tests and the
#                          demo need is installed (PKG: pkg-config names the
#                          build links against, from the Makefile).
# tests/deps.sh --commands - print the commands this script guarantees.
#
# Missing ones are installed with apt-get when we are root on Debian/Ubuntu;
# otherwise the exact command is printed and we fail. Called by `make deps`
# and before the first build (so by `make`, `make demo` and `make check`).
# .ci/fresh-root proves the list on a fresh `debootstrap --variant=minbase`
# Debian 12 with only make and git added; `make lint`
# (tests/lint-commands.py) checks that every command tests/ and the demo run
# is listed here.
set -u

# One line per Debian package: what shows it is installed. A bare word is
# a command on PATH; pc:NAME a pkg-config module; py:NAME a module
# /usr/bin/python3 imports; file:GLOB a file. The first block is what a
# minimal Debian (debootstrap --variant=minbase) with make and git has
# already: listed so the lint knows these commands, and checked like the
# rest.
needs='
coreutils: basename cat chmod cksum cp date dirname env head id ln ls mkdir mkfifo mktemp nohup realpath rm seq sleep sort stat tail timeout touch tr uniq wc
dash: sh
bash: bash
grep: grep
sed: sed
mawk: awk
diffutils: cmp diff
bsdutils: script
util-linux: runuser setpriv unshare
apt: apt-get
make: make
git: git

pkg-config: pkg-config
gcc: cc gcc
libuv1-dev: pc:libuv
libjansson-dev: pc:jansson
libxml2-dev: pc:libxml-2.0
libsqlite3-dev: pc:sqlite3
libcmocka-dev: pc:cmocka
libgtest-dev: pc:gtest pc:gtest_main
g++: g++
sqlite3: sqlite3
procps: pgrep pkill ps
jq: jq
libxml2-utils: xmllint
python3: python3
python3-jsonschema: py:jsonschema
groff-base: groff
chromium: chromium
shfmt: shfmt
meson: meson
ninja-build: ninja
cmake: cmake ctest
valgrind: valgrind
clang: clang
libclang-rt-14-dev: file:/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a
postgresql: psql pg_ctlcluster file:/usr/lib/postgresql/*/bin/initdb
libpq-dev: pc:libpq
'

if [ "${1:-}" = --commands ]; then
	echo "$needs" | sed -n 's/^[^:]*: //p' | tr ' ' '\n' | grep -v -e '^$' -e :
	exit 0
fi

have() {
	case $1 in
	pc:*) pkg-config --exists "${1#pc:}" 2>/dev/null ;;
	py:*) /usr/bin/python3 -c "import ${1#py:}" 2>/dev/null ;;
	file:*)
		for f in ${1#file:}; do
			[ -e "$f" ] && return 0
		done
		return 1
		;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=""
debs=""
# want PACKAGE CHECK...: PACKAGE is needed when a CHECK fails.
want() {
	w_pkg=$1
	shift
	for c in "$@"; do
		have "$c" && continue
		missing="$missing ${c#*:}"
		case " $debs " in
		*" $w_pkg "*) ;;
		*) debs="$debs $w_pkg" ;;
		esac
	done
}

# check_all PKGCONFIG...: sets $missing and $debs.
check_all() {
	missing=""
	debs=""
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		# shellcheck disable=SC2086
		want "${line%%:*}" ${line#*: }
	done <<-EOF
	$needs
	EOF
	# The Makefile's pkg-config modules; one missing from the table above
	# is taken to be its own package name.
	for p in "$@"; do
		pkg=$(echo "$needs" | grep -e " pc:$p\$" -e " pc:$p " | sed 's/:.*//' | head -n 1)
		want "${pkg:-$p}" "pc:$p"
	done
}

check_all "$@"
[ -z "$missing" ] && exit 0

echo "flakeguard: missing:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "flakeguard: installing with apt-get:$debs" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $debs >&2 || exit 1
	check_all "$@"
	[ -z "$missing" ] && exit 0
	echo "flakeguard: still missing after apt-get install:$missing" \
		"(tests/deps.sh names the wrong package)" >&2
	exit 1
fi
echo "flakeguard: install them with:" >&2
echo "    sudo apt-get install$debs" >&2
exit 1
