# A test whose background child keeps its output open is marked leaked, the
# child is killed, and the run does not wait for it.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "leaky", "command": ["$MISBEHAVE", "linger", "30"] } ] }
JSON
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.name=="leaky") | .attempts[0].status' leaked
jq_is r.json '.tests[0].duration_ms < 5000' true
no_process_left "$MISBEHAVE linger"
