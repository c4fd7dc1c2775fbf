# A suite that fails once then passes is flaky: exit 0 by default, 1 with
# --flaky-result fail; every attempt is recorded.
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "state"] },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --json r.json --retries 2
expect_rc 0
jq_is r.json '.tests[] | select(.name=="flip") | .outcome' flaky
jq_is r.json '.tests[] | select(.name=="flip") | [.attempts[].status] | join(",")' "failed,passed"
jq_is r.json '.summary.flaky' 1
contains out "Flaky"
sql_is t.db "select count(*) from results r join tests t on t.id=r.test_id where t.name='flip'" 2
rm -f state
fg run --db t.db --json r.json --retries 1 --flaky-result fail
expect_rc 1
# Without retries the same failure is a plain failure.
rm -f state
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.name=="flip") | .outcome' failed
