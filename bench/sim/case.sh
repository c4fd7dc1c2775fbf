#!/bin/bash
# bench/sim/case.sh NAME - one simulated test case, run by flakeguard as a
# case of the "sim" suite. What it does in this run was drawn beforehand by
# simulate.py (so that every binary compared sees the same draws): the file
# $SIM_DIR/o/NAME holds "A1 A2 A3 KIND", 1 where attempt N fails. Only
# bash builtins: a run of 55 cases with retries stays well under a second.
# Writes JUnit XML with a message whose numbers vary but whose signature is
# stable per KIND.
if [ "$1" = --list ]; then
	while read -r n; do echo "$n"; done < "$SIM_DIR/cases.txt"
	exit 0
fi
name=$1 attempt=${FLAKEGUARD_ATTEMPT:-1}
read -r a1 a2 a3 kind < "$SIM_DIR/o/$name"
case $attempt in 1) f=$a1 ;; 2) f=$a2 ;; *) f=$a3 ;; esac
if [ "$f" = 1 ]; then
	case $kind in
	regress) msg="assertion failed: expected 3 got 4 (parse.c:$((RANDOM % 90 + 10)))" ;;
	race) msg="lost update: counter is $((RANDOM % 90 + 10)), expected 100" ;;
	*) msg="timeout after $((RANDOM % 900 + 100))ms waiting for 0x$(printf %x $((RANDOM + 4096)))" ;;
	esac
	printf '<testsuite name="sim"><testcase classname="" name="%s"><failure message="%s"/></testcase></testsuite>\n' \
		"$name" "$msg" > "$FLAKEGUARD_JUNIT"
	exit 1
fi
printf '<testsuite name="sim"><testcase classname="" name="%s"/></testsuite>\n' "$name" > "$FLAKEGUARD_JUNIT"
exit 0
