# Issue 14: the analysis from the per-test summaries (kept in each run's
# transaction) decides exactly what the full recomputation from the raw
# results decides (`analyze --rebuild`), byte for byte, on a generated
# history of 1,100 runs with flaky, hard-flaky, regressing (broken, then
# fixed), intermittent, slow, skipped, vanished and new tests; with the
# default policy and others; after gc, merge and more runs (which drop
# and lazily rebuild summaries); and for the decisions of `run`.
# backends: sqlite postgresql
gen() { python3 "$CASEDIR/../tools/gen-history.py" "$@"; }
gen 1100 > h.jsonl
fg import-history --db h.db h.jsonl
expect_rc 0
tests_with_runs="SELECT count(*) FROM tests t WHERE EXISTS (SELECT 1 FROM run_tests rt WHERE rt.test_id = t.id)"
sql_is h.db "SELECT count(*) FROM test_summary" "$(sql h.db "$tests_with_runs")"
same() { # DB [ARGS]: analyze --json from summaries and with --rebuild
	db=$1; shift
	FLAKEGUARD_LOG=debug fg analyze --db "$db" --json --dry-run "$@"
	expect_rc 0
	cp out a.json; cp err a.err
	fg analyze --db "$db" --json --dry-run --rebuild "$@"
	expect_rc 0
	cp out b.json
	cmp a.json b.json || { diff a.json b.json | head -20 >&2
		fail "summaries and --rebuild disagree on $db ($*)"; }
}
same h.db
# most tests came from their summaries (skipped ones from the results)
grep -q "analyze: 2[0-9] tests read from their summary" a.err ||
	fail "summaries not used: $(cat a.err)"
# the history shows what it should
jq_is a.json '[.tests[] | select(.category == "flaky")] | length >= 3' true
jq_is a.json '[.tests[] | select(.change.action == "quarantine")] | length >= 2' true
same h.db --all
same h.db --policy window=50 --policy history=300
same h.db --policy window=400
same h.db --policy window=30 --policy history=30 --all
# a fixed regression and a slowdown, seen with a short window
gen 60 1101 > more.jsonl
fg import-history --db h.db more.jsonl
expect_rc 0
same h.db --all
# gc drops the summaries of the tests that lose runs
fg gc --db h.db --keep-runs 900
expect_rc 0
[ "$(sql h.db "SELECT count(*) FROM test_summary")" -lt \
  "$(sql h.db "$tests_with_runs")" ] || fail "gc kept summaries"
same h.db --all
# more runs rebuild them, test by test, from the raw results
gen 20 1161 > more2.jsonl
fg import-history --db h.db more2.jsonl
expect_rc 0
sql_is h.db "SELECT count(*) FROM run_tests rt WHERE rt.run_id = (SELECT max(id) FROM runs) AND NOT EXISTS (SELECT 1 FROM test_summary s WHERE s.test_id = rt.test_id)" 0
# (a test that did not run since keeps none until analyze writes it)
sql_is h.db "SELECT count(*) FROM test_summary s JOIN tests t ON t.id = s.test_id WHERE t.name = 'gone'" 0
same h.db --all
# analyze (not --dry-run) fills in missing ones; --rebuild rewrites all
sql h.db "DELETE FROM test_summary WHERE test_id IN (SELECT id FROM tests WHERE name LIKE 'stable%')"
fg analyze --db h.db
expect_rc 0
sql_is h.db "SELECT count(*) FROM test_summary" "$(sql h.db "$tests_with_runs")"
same h.db --all
fg analyze --db h.db --rebuild
expect_rc 0
same h.db --all
# merge drops the summaries of the tests it adds runs to
gen 30 3001 > other.jsonl
fg import-history --db o.db other.jsonl
expect_rc 0
fg merge --db h.db o.db
expect_rc 0
same h.db --all
# run: the same decisions from summaries as from the results (y.db has
# its summaries deleted, so every test is read from the results)
gen 250 > all.jsonl
for d in x.db y.db; do
	fg import-history --db $d all.jsonl
	expect_rc 0
done
sql y.db "DELETE FROM test_summary"
cat > u.xml <<XML
<testsuites><testsuite name="unit">
<testcase classname="c" name="flaky1"><failure message="timeout after 5 ms"/></testcase>
<testcase classname="c" name="flaky2"><failure message="expected 0 got 3 at 0x7ffe12"/></testcase>
<testcase classname="c" name="stable1"/>
<testcase classname="c" name="regress"><failure message="boom at line 42"/></testcase>
<testcase classname="c" name="intermit"><failure message="race 9"/></testcase>
<testcase classname="c" name="oldflake"><failure message="old 3"/></testcase>
<testcase classname="c" name="hardflaky"><failure message="assert 9"/></testcase>
<testcase classname="c" name="skipped"><skipped/></testcase>
<testcase classname="c" name="brandnew"/>
</testsuite></testsuites>
XML
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "unit", "junit": "{junit}",
  "command": ["sh", "-c", "cat $PWD/u.xml > {junit}; exit 1"] } ] }
JSON
for d in x.db y.db; do
	FLAKEGUARD_LOG=debug fg run --db $d --commit c-final --json $d.json
	cp err $d.err
	echo "$rc" > $d.rc
	jq -S '.tests | map(del(.duration_ms) | .attempts |= map(del(.duration_ms)))' $d.json > $d.tests
done
cmp x.db.rc y.db.rc || fail "run exit codes differ"
cmp x.db.tests y.db.tests || { diff x.db.tests y.db.tests | head -30 >&2
	fail "run decisions differ between summaries and results"; }
grep -q "9 tests, [0-2] loads from the results" x.db.err || fail "x: $(cat x.db.err)"
# (y: the 8 tests with runs; brandnew has none to read)
grep -q "9 tests, 8 loads from the results" y.db.err || fail "y: $(cat y.db.err)"
jq_is x.db.tests '[.[] | select(.quarantined)] | length >= 1' true
