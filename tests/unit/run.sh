#!/bin/sh
# tests/unit/run.sh FLAKEGUARD UNIT_BIN... - run the cmocka unit tests
# through flakeguard itself (dogfooding): each binary writes JUnit XML
# (CMOCKA_MESSAGE_OUTPUT=xml), flakeguard reads it, records it in
# $FG_BUILD/selftest.db, prints its summary and writes its reports
# ($FG_BUILD/selftest-report.{json,xml,html,md}). Exit status is flakeguard's.
# With FG_TEST_PG_URL (tests/pg/cluster.sh), test_store runs a second time
# as suite test_store-postgresql, against that server (FG_TEST_DB_URL).
set -eu
fg=$1
shift
build=${FG_BUILD:-build}
progs=$(cd "$build/progs" && pwd)
root=$(pwd)
cfg="$build/selftest.json"
{
	printf '{\n  "suites": [\n'
	sep=""
	for t in "$@"; do
		abs=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
		printf '%s    {"name": "%s", "command": ["%s"], "cwd": "%s", "env": {"CMOCKA_MESSAGE_OUTPUT": "xml", "CMOCKA_XML_FILE": "{junit}", "FG_PROGS": "%s"}}' \
			"$sep" "$(basename "$t")" "$abs" "$root" "$progs"
		sep=",
"
		if [ "$(basename "$t")" = test_store ] && [ -n "${FG_TEST_PG_URL:-}" ]; then
			printf '%s    {"name": "test_store-postgresql", "command": ["%s"], "cwd": "%s", "env": {"CMOCKA_MESSAGE_OUTPUT": "xml", "CMOCKA_XML_FILE": "{junit}", "FG_TEST_DB_URL": "%s"}}' \
				"$sep" "$abs" "$root" "$FG_TEST_PG_URL"
		fi
	done
	printf '\n  ]\n}\n'
} > "$cfg"
# The config's directory is the suites' cwd: run from the repository root.
exec "$fg" run -c "$cfg" --db "$build/selftest.db" --timeout 5m \
	--json "$build/selftest-report.json" --junit "$build/selftest-report.xml" \
	--html "$build/selftest-report.html" --markdown "$build/selftest-report.md"
