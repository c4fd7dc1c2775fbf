#!/bin/sh
# tests/deps.sh PKG... - make sure the pkg-config packages exist.
#
# Missing ones are installed with apt-get when we are root on Debian/Ubuntu;
# otherwise the exact command is printed and we fail. Called by `make deps`
# and before the first build.
set -u
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for p in "$@"; do
	command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$p" 2>/dev/null && continue
	missing="$missing $p"
done
# Command-line tools the tests and the demo use next to the libraries.
for t in sqlite3 jq xmllint g++; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 ||
	missing="$missing python3-jsonschema"
# clang and its libFuzzer runtime (a separate package) for `make fuzz`.
if ! command -v clang >/dev/null 2>&1; then
	missing="$missing clang libclang_rt.fuzzer"
else
	fz=$(mktemp)
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
		clang -fsanitize=fuzzer -x c - -o "$fz" >/dev/null 2>&1 ||
		missing="$missing libclang_rt.fuzzer"
	rm -f "$fz"
fi
[ -z "$missing" ] && exit 0

debs=""
for p in $missing; do
	case "$p" in
	pkg-config) debs="$debs pkg-config" ;;
	libuv) debs="$debs libuv1-dev" ;;
	jansson) debs="$debs libjansson-dev" ;;
	libxml-2.0) debs="$debs libxml2-dev" ;;
	sqlite3) debs="$debs libsqlite3-dev" ;;
	cmocka) debs="$debs libcmocka-dev" ;;
	gtest) debs="$debs libgtest-dev" ;;
	xmllint) debs="$debs libxml2-utils" ;;
	g++) debs="$debs g++" ;;
	python3-jsonschema) debs="$debs python3-jsonschema" ;;
	clang) debs="$debs clang" ;;
	libclang_rt.fuzzer) debs="$debs libclang-rt-dev" ;;
	*) debs="$debs $p" ;;
	esac
done
debs="pkg-config$(echo " $debs" | sed 's/ pkg-config//g')"

echo "flakeguard: missing development packages:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "flakeguard: installing with apt-get:$debs" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $debs >&2 || exit 1
	exit 0
fi
echo "flakeguard: install them with:" >&2
echo "    sudo apt-get install$debs" >&2
exit 1
