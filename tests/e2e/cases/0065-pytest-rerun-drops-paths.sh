# A pytest suite whose command names what to collect ("pytest -q tests",
# as attrs and most projects run it): a retry and the reproduce line name
# the failed node ids *instead of* those paths (with them, pytest ran the
# whole directory again plus the node ids a second time: found on attrs'
# suite), keep options and their values ("-p no:cacheprovider",
# "--deselect ID"), and the reproduce line carries the suite's env (run
# without PYTHONPATH=src it tested the installed attrs instead).
#
# ./pytest stands in for pytest (not on every machine): it collects like
# pytest, all of a path named, just the test of a node id, and logs argv.
mkdir -p tests
cat > pytest <<'SH'
#!/bin/sh
# argv into args.N; tests a, b (fails until b.seen exists), c, d
n=1; while [ -e args.$n ]; do n=$((n + 1)); done
printf '%s\n' "$@" > args.$n
xml=; sel=; skip=
while [ $# -gt 0 ]; do
	case $1 in
	--junitxml=*) xml=${1#--junitxml=} ;;
	--deselect) shift; skip="$skip ${1##*::}" ;;
	-p) shift ;;
	-*) ;;
	*::*) sel="$sel ${1##*::}" ;;
	tests) sel="$sel a b c d" ;;
	esac
	shift
done
[ "$PYTHONPATH" = src ] || { echo "PYTHONPATH is '$PYTHONPATH'"; exit 4; }
out='<testsuite name="pytest">'
ran=0
for t in $sel; do
	case " $skip " in *" $t "*) continue ;; esac
	ran=$((ran + 1))
	if [ $t = b ] && [ ! -e b.seen ]; then
		touch b.seen
		out="$out<testcase classname=\"tests.test_x\" name=\"$t\"><failure message=\"first\"/></testcase>"
	else
		out="$out<testcase classname=\"tests.test_x\" name=\"$t\"/>"
	fi
done
echo "ran $ran tests"
[ -n "$xml" ] && echo "$out</testsuite>" > "$xml"
exit 0
SH
chmod +x pytest
cat > flakeguard.json <<'JSON'
{ "suites": [
  { "name": "py",
    "command": ["./pytest", "-p", "no:cacheprovider", "--deselect",
                "tests/test_x.py::d", "--junitxml={junit}", "tests"],
    "env": { "PYTHONPATH": "src", "REPORT_TO": "{junit}" } }
] }
JSON
fg run --db h.db --json r.json --retries 1
expect_rc 0
jq_is r.json '.tests[] | select(.name == "b") | .outcome' flaky
jq_is r.json '[.tests[] | select(.name == "a") | .attempts | length] | add' 1
jq_is r.json '.tests | length' 3
# the retry: options kept, "tests" gone, the node id instead
case $(tr '\n' ' ' < args.2) in
"-p no:cacheprovider --deselect tests/test_x.py::d --junitxml=/"*".xml tests/test_x.py::b ") ;;
*) fail "retry argv: $(tr '\n' ' ' < args.2)" ;;
esac

# The reproduce line: the suite's env (not flakeguard's {junit}), the node
# id alone, and it runs just that test.
line=$(jq -r '.tests[] | select(.name == "b") | .reproduce' r.json)
[ "$line" = "PYTHONPATH=src ./pytest -p no:cacheprovider --deselect tests/test_x.py::d tests/test_x.py::b" ] ||
	fail "reproduce line: $line"
sh -c "$line" > repro.out
contains repro.out "ran 1 tests"

# A value with a space is quoted as a value, so it stays an assignment.
cat > flakeguard.json <<'JSON'
{ "suites": [
  { "name": "py", "command": ["./pytest", "--junitxml={junit}", "tests"],
    "env": { "PYTHONPATH": "src", "OPTS": "a b'c" } }
] }
JSON
rm -f b.seen
fg run --db h2.db --json r.json
expect_rc 1
line=$(jq -r '.tests[] | select(.name == "b") | .reproduce' r.json)
[ "$line" = "PYTHONPATH=src OPTS='a b'\\''c' ./pytest tests/test_x.py::b" ] ||
	fail "reproduce line: $line"
sh -c "$line" > repro.out
contains repro.out "ran 1 tests"
