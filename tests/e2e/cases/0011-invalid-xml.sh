# A suite exiting 0 with garbage XML gets an error result naming the file,
# never a pass.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "garbage", "command": ["$MISBEHAVE", "junit-invalid"] } ] }
JSON
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json '[.tests[] | select(.outcome=="failed")] | length >= 1' true
jq_is r.json '.tests[] | select(.name=="garbage") | .attempts[0].status' error
