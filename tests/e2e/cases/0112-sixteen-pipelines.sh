# Sixteen pipelines at once on one history (issue 14.3): eight `run`s and
# eight `import`s started together against one database. No result is
# lost: every run, test row and attempt is counted afterwards. Each run
# also decides, at the same moment, to quarantine the same flaky test
# (passed and failed on the same commit on its second commit): it is
# entered once, and the others say another run did it first.
# backends: sqlite postgresql
db=$(dburl h.db)
python3 "$CASEDIR/../../../bench/gen-junit.py" 2000 imp.xml
cat > suite.sh <<'SH'
#!/bin/sh
{ echo '<testsuite name="many">'
  i=0
  while [ $i -lt 200 ]; do
	echo "<testcase classname=\"c$((i % 7))\" name=\"t$i\" time=\"0.01\"/>"
	i=$((i + 1))
  done
  echo '</testsuite>'; } > "$FLAKEGUARD_JUNIT"
SH
chmod +x suite.sh
pipeline_config() { # DIR
	mkdir -p "$1"
	cat > "$1/flakeguard.json" <<JSON
{ "suites": [
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "$PWD/$1/state"] },
  { "name": "many", "command": ["$PWD/suite.sh"] }
] }
JSON
}
# The first flaky commit, recorded before the rush. Each pipeline runs
# its two items one at a time (-j1): flip fails its first attempt in every
# run, which beside `many` and passing alone would read as interference
# from the fifth run (issue 12 point 3); this case is about flaky tests.
pipeline_config p0
fg run -c p0/flakeguard.json --db h.db -j1 --retries 1 --commit c0 -q
expect_rc 0
pids=""
for i in 1 2 3 4 5 6 7 8; do
	pipeline_config "p$i"
	"$FLAKEGUARD" run -c "p$i/flakeguard.json" --db "$db" -j1 --retries 1 \
		--commit "c$i" --json "p$i/r.json" >"p$i/out" 2>"p$i/err" &
	pids="$pids $!"
	"$FLAKEGUARD" import --db "$db" --no-fail --commit "i$i" imp.xml \
		>"imp$i.out" 2>"imp$i.err" &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
if [ "$bad" != 0 ]; then
	tail -n 5 p*/err imp*.err >&2
	fail "$bad of 16 pipelines failed"
fi
for i in 1 2 3 4 5 6 7 8; do
	contains "p$i/out" "recorded as run"
	contains "imp$i.out" "imported 2000 tests from 1 file"
	jq_is "p$i/r.json" '.tests[] | select(.name=="flip") | .outcome' flaky
done
# Every run, every test of every run, every attempt.
sql_is h.db "SELECT count(*) FROM runs" 17
sql_is h.db "SELECT count(*) FROM runs WHERE commit_sha LIKE 'c%'" 9
sql_is h.db "SELECT count(*) FROM run_tests" $((9 * 201 + 8 * 2000))
per_import=$(sql h.db "SELECT count(*) FROM results r JOIN runs ru ON ru.id = r.run_id WHERE ru.commit_sha = 'i1'")
[ "$per_import" -ge 2000 ] || fail "an import stored $per_import results"
sql_is h.db "SELECT count(*) FROM results" $((9 * (200 + 2) + 8 * per_import))
sql_is h.db "SELECT count(*) FROM results r JOIN tests t ON t.id = r.test_id WHERE t.name = 'flip'" 18
# Quarantined once, by one of them; the others were told.
sql_is h.db "SELECT count(*) FROM quarantine" 1
sql_is h.db "SELECT count(*) FROM quarantine q JOIN tests t ON t.id = q.test_id WHERE t.name = 'flip' AND q.released_at IS NULL" 1
told=$(cat p*/err | grep -c "another run quarantined it first" || true)
entered=$(cat p*/out | grep -c "QUARANTINED flip::flip" || true)
[ "$entered" -ge 1 ] || fail "no run decided to quarantine flip"
[ "$told" = $((entered - 1)) ] || fail "$entered runs decided, $told were told another run did it"
