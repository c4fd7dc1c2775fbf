# A test that fails once and passes on retry (misbehave flaky 100 STATE) on
# two commits enters quarantine automatically; while quarantined its hard
# failure does not fail the run; 59 clean runs release it (SPRT at the
# defaults), not 58.
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "state"] },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
rm -f state
fg run --db t.db --retries 2 --commit c1 --json r.json
expect_rc 0
jq_is r.json '.tests[] | select(.name=="flip") | .quarantined' false
jq_is r.json '.tests[] | select(.name=="flip") | .category' flaky
rm -f state
fg run --db t.db --retries 2 --commit c2 --json r.json
expect_rc 0
contains out "QUARANTINED flip::flip: passed and failed on the same commit on 2 commits"
jq_is r.json '.tests[] | select(.name=="flip") | .quarantined' true
sql_is t.db "SELECT source || ' ' || mode FROM quarantine WHERE released_at IS NULL" "auto run"
# Quarantined and failing every attempt: reported, not failing.
rm -f state
fg run --db t.db --commit c3 --json r.json
expect_rc 0
jq_is r.json '.tests[] | select(.name=="flip") | .outcome' quarantined
jq_is r.json '.summary.quarantined' 1
contains out "quarantined (not failing) flip::flip"
contains out "1 quarantined failure not counted"
sql_is t.db "SELECT exit_code FROM runs ORDER BY id DESC LIMIT 1" 0
# 58 clean runs keep it, the 59th releases it.
i=0
while [ $i -lt 58 ]; do
	i=$((i + 1))
	fg run --db t.db --commit "d$i" -q
	expect_rc 0
done
lacks out "RELEASED"
sql_is t.db "SELECT count(*) FROM quarantine WHERE released_at IS NULL" 1
fg run --db t.db --commit d59 --json r.json
expect_rc 0
contains out "RELEASED flip::flip: SPRT score"
jq_is r.json '.tests[] | select(.name=="flip") | .quarantined' false
sql_is t.db "SELECT released_reason FROM quarantine" sprt
fg analyze --db t.db --dry-run
expect_rc 0
contains out "Policy changes: none"
