# Issue 12: the quarantine cap is enforced, and -q still prints every
# decision. Seven tests flake (fail, then pass on retry) on every run; with
# max_count 3 the second commit quarantines three and refuses four, which
# stay visible: a green run prints the entries and the refusals with -q,
# and when a refused test fails every attempt the run is red, saying why.
cat > flakeguard.json <<JSON
{ "quarantine": { "max_count": 3, "max_percent": 0 },
  "suites": [
JSON
for i in 1 2 3 4 5 6 7; do
	sep=,; [ $i = 7 ] && sep=
	cat >> flakeguard.json <<JSON
  { "name": "s$i", "command": ["sh", "-c",
    "test -f $PWD/hard && exit 1; test \"\$FLAKEGUARD_ATTEMPT\" -gt 1"] }$sep
JSON
done
echo '] }' >> flakeguard.json
fg run --db t.db --retries 1 --commit c1 -q
expect_rc 0
fg run --db t.db --retries 1 --commit c2 -q
expect_rc 0
[ "$(grep -c '^  QUARANTINED s' out)" = 3 ] || { cat out; fail "3 entries expected"; }
[ "$(grep -c '^  NOT QUARANTINED s.*quarantine full (3 of 3); it would enter: passed and failed on the same commit on 2 commits' out)" = 4 ] ||
	{ cat out; fail "4 refusals expected"; }
contains out "WARNING: quarantine full (3 of 3): 4 flaky tests not quarantined, their failures count"
sql_is t.db "SELECT count(*) FROM quarantine WHERE released_at IS NULL" 3
# Every test fails every attempt: the three quarantined ones are covered
# (2 of 2 runs failing: their rate explains it), the four others count.
touch hard
fg run --db t.db --retries 1 --commit c3 --json r.json -q
expect_rc 1
contains out "FAILED: 4 tests failed:"
contains out "(flaky; quarantine full)"
jq_is r.json '[.tests[] | select(.outcome == "quarantined")] | length' 3
jq_is r.json '[.tests[] | select(.counts)] | length' 4
sql_is t.db "SELECT count(*) FROM quarantine WHERE released_at IS NULL" 3
