#!/bin/bash
# bench/sim/case.sh NAME - one simulated test case, run by flakeguard as a
# case of the "sim" suite. Its failure probability for this run comes from
# $SIM_DIR/spec ("NAME PROB KIND" lines, written per run by simulate.py);
# the draw is a hash of run, name and attempt, so a simulation is
# reproducible. Writes JUnit XML with a message whose numbers vary but
# whose signature is stable per KIND.
if [ "$1" = --list ]; then
	cat "$SIM_DIR/cases.txt"
	exit 0
fi
name=$1
read -r run < "$SIM_DIR/run"
line=$(grep -m1 "^$name " "$SIM_DIR/spec")
set -- $line
prob=${2:-0} kind=${3:-flake}
h=$(printf '%s:%s:%s' "$run" "$name" "${FLAKEGUARD_ATTEMPT:-1}" | cksum)
h=${h%% *}
draw=$(( h % 1000000 ))
limit=$(awk -v p="$prob" 'BEGIN { printf "%d", p * 1000000 }')
if [ "$draw" -lt "$limit" ]; then
	case $kind in
	regress) msg="assertion failed: expected 3 got 4 (parse.c:$((h % 90 + 10)))" ;;
	*) msg="timeout after $((h % 900 + 100))ms waiting for 0x$(printf %x $((h % 65536 + 4096)))" ;;
	esac
	printf '<testsuite name="sim"><testcase classname="" name="%s"><failure message="%s"/></testcase></testsuite>\n' \
		"$name" "$msg" > "$FLAKEGUARD_JUNIT"
	exit 1
fi
printf '<testsuite name="sim"><testcase classname="" name="%s"/></testsuite>\n' "$name" > "$FLAKEGUARD_JUNIT"
exit 0
