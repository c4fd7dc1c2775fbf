#!/bin/sh
# demo.sh - build the example project and run it through flakeguard.
#
#   sh examples/demo.sh /abs/path/to/flakeguard      (what `make demo` does)
#   DEMO_RUNS=5 sh examples/demo.sh ./flakeguard     (several runs: history)
#
# Exit status: 0 when flakeguard exits 0 or 1 (a failing or flaky test is the
# point of the demo), otherwise flakeguard's own status (2 usage/config,
# 3 infrastructure, ...), or the build's if the examples do not build.
set -u

usage="usage: sh examples/demo.sh /path/to/flakeguard"
FG=${1:?$usage}
case $FG in
/*) ;;
*) FG=$PWD/$FG ;;
esac
runs=${DEMO_RUNS:-1}

cd "$(dirname "$0")/.." || exit 3
if [ ! -x "$FG" ]; then
	echo "demo: no flakeguard binary at '$FG' (run 'make' first)" >&2
	exit 127
fi

echo "==> building examples (make -C examples)"
make -C examples || exit $?

db=examples/build/history.db
json=examples/build/run.json
i=1
while [ "$i" -le "$runs" ]; do
	echo
	echo "==> run $i/$runs: flakeguard run -c examples/flakeguard.json"
	"$FG" run -c examples/flakeguard.json --db "$db" --json "$json" \
		--junit examples/build/report.xml --html examples/build/report.html \
		--markdown examples/build/report.md
	rc=$?
	case $rc in
	0 | 1) ;;
	*)
		echo "demo: flakeguard exited $rc: that is a problem with" \
			"flakeguard or its setup, not with the example tests" >&2
		exit "$rc"
		;;
	esac
	i=$((i + 1))
done

echo
if [ "$rc" -eq 0 ]; then
	echo "flakeguard exited 0: every suite passed this time (or a retry"
	echo "passed). ringbuf's test_lag_is_zero_for_fresh_item fails about"
	echo "one run in three; run the demo again and watch it get caught."
else
	echo "flakeguard exited 1: a test failed. Expect it to be"
	echo "ringbuf's test_lag_is_zero_for_fresh_item, which is flaky on"
	echo "purpose (a millisecond boundary can fall between push and check)."
	echo "If a retry passed it, flakeguard should have reported it as flaky."
fi
echo
echo "history database: $db (kept across demo runs; more runs, better scores)"
echo "this run as JSON:  $json"
echo "reports:           examples/build/report.html (open it in a browser),"
echo "                   examples/build/report.xml (JUnit), examples/build/report.md"
echo "the config:        examples/flakeguard.json"
exit 0
