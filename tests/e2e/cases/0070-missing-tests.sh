# Missing tests (issue 10 point 5, issue 11): a test that ran in the last
# run of this branch, shard and selection and not now is listed as missing
# in the terminal (also under -q), JSON, Markdown and HTML; the run stays
# green, and --strict makes it red with the reason. The next run compares
# with this one, so a deliberate removal shows once. A run with another
# selection (--suite a after a full run) is not compared, nor a run of
# another branch. The selection is recorded with the run.
# backends: sqlite postgresql
cat > suite.sh <<'SH'
#!/bin/sh
# suite.sh LIST: one JUnit testcase per line of LIST ("name pass|fail");
# LIST "crash": exit 3 without XML
[ "$(cat "$1")" = crash ] && exit 3
{
echo '<testsuite name="s">'
while read -r n st; do
	if [ "$st" = fail ]; then
		echo "<testcase classname=\"k\" name=\"$n\"><failure message=\"boom\"/></testcase>"
	else
		echo "<testcase classname=\"k\" name=\"$n\"/>"
	fi
done <"$1"
echo '</testsuite>'
} >"$FLAKEGUARD_JUNIT"
! grep -q fail "$1"
SH
chmod +x suite.sh
printf 'a1 pass\na2 pass\na3 pass\n' >a.txt
printf 'b1 pass\nb2 pass\n' >b.txt
cat >flakeguard.json <<'JSON'
{ "suites": [
  { "name": "a", "command": ["./suite.sh", "a.txt"] },
  { "name": "b", "command": ["./suite.sh", "b.txt"] }
] }
JSON
fg run --db h.db --branch main --json r.json
expect_rc 0
jq_is r.json '.run.selection' 'config flakeguard.json'
jq_is r.json '.missing' null
sql_is h.db "SELECT selection FROM runs" 'config flakeguard.json'

# a2 stops running: listed everywhere, the run stays green
printf 'a1 pass\na3 pass\n' >a.txt
fg run --db h.db --branch main --json r.json --html r.html --markdown r.md
expect_rc 0
contains out '1 test missing since run #1'
contains out '    a::k::a2'
contains out 'OK: all 4 tests passed'
jq_is r.json '.missing.since_run' 1
jq_is r.json '.missing.count' 1
jq_is r.json '.missing.tests[0] | [.suite, .classname, .name] | join("/")' a/k/a2
contains r.html 'Missing since run 1 (1)'
contains r.html '<code>a::k::a2</code>'
contains r.md '### Missing since run 1 (1)'
contains r.md '- a::k::a2'
# the next run compares with this one: shown once
fg run --db h.db --branch main --json r.json
expect_rc 0
lacks out 'missing'
jq_is r.json '.missing.count' 0
jq_is r.json '.missing.since_run' 2

# -q on a green run still prints the section
printf 'a1 pass\n' >a.txt
fg run --db h.db --branch main -q
expect_rc 0
contains out '1 test missing since run #3'
contains out 'a::k::a3'

# --strict: red, with the reason in the verdict
printf 'a9 pass\n' >a.txt
fg run --db h.db --branch main --strict --json r.json
expect_rc 1
contains out 'FAILED: 1 test missing since run #4 (--strict)'
jq_is r.json '.run.exit_code' 1
sql_is h.db "SELECT exit_code FROM runs WHERE id = 5" 1
# --strict with nothing missing is green
fg run --db h.db --branch main --strict
expect_rc 0

# another selection is not compared: --suite a after full runs does not
# miss suite b, and the full run after it compares with the full run
fg run --db h.db --branch main --suite a --json r.json
expect_rc 0
lacks out 'missing'
jq_is r.json '.run.selection' 'config flakeguard.json --suite a'
jq_is r.json '.missing' null
fg run --db h.db --branch main --strict --json r.json a
expect_rc 0
jq_is r.json '.missing.since_run' 7
fg run --db h.db --branch main --strict --json r.json
expect_rc 0
jq_is r.json '.missing.since_run' 6
# --filter is part of the selection, and so is the branch
fg run --db h.db --branch main --filter 'b::*' --json r.json
expect_rc 0
jq_is r.json '.run.selection' "config flakeguard.json --filter 'b::*'"
jq_is r.json '.missing' null
printf 'b1 pass\n' >b.txt
fg run --db h.db --branch topic --strict --json r.json
expect_rc 0
jq_is r.json '.missing' null
fg run --db h.db --branch main --strict --json r.json
expect_rc 1
jq_is r.json '[.missing.tests[].name] | join(",")' b2

# an interrupted run is no baseline: a test missing from a run that did
# not finish is not "missing" next time
printf 'b1 pass\nb2 pass\n' >b.txt
fg run --db h.db --branch main --json r.json
expect_rc 0
jq_is r.json '[.missing.tests[].name] | join(",")' ''
sql h.db "UPDATE runs SET interrupted = 1 WHERE id = (SELECT max(id) FROM runs)" >/dev/null
printf 'b1 pass\n' >b.txt
fg run --db h.db --branch main --json r.json
expect_rc 0
jq_is r.json '.missing.since_run' 12

# a suite's process-level test (no XML: "c::c") is no missing test once
# the suite reports its tests again
cat >flakeguard.json <<'JSON'
{ "suites": [
  { "name": "a", "command": ["./suite.sh", "a.txt"] },
  { "name": "b", "command": ["./suite.sh", "b.txt"] },
  { "name": "c", "command": ["./suite.sh", "c.txt"] }
] }
JSON
printf 'c1 pass\n' >c.txt
fg run --db h.db --branch main --strict --json r.json
expect_rc 0
echo crash >c.txt
fg run --db h.db --branch main --json r.json
expect_rc 1
jq_is r.json '[.missing.tests[].name] | join(",")' c1
printf 'c1 pass\n' >c.txt
fg run --db h.db --branch main --strict --json r.json
expect_rc 0
jq_is r.json '.missing.count' 0
