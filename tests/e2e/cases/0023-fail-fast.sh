# --fail-fast stops at the first real failure: running work is terminated
# (recorded as skipped, "cancelled"), queued work is not started.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "boom", "command": ["$MISBEHAVE", "fail"] },
  { "name": "long", "command": ["$MISBEHAVE", "hang"] },
  { "name": "q1", "command": ["$MISBEHAVE", "sleep", "100"] },
  { "name": "q2", "command": ["$MISBEHAVE", "sleep", "100"] },
  { "name": "q3", "command": ["$MISBEHAVE", "sleep", "100"] }
] }
JSON
fg run -j2 --fail-fast --db t.db --json r.json --kill-grace 500ms
expect_rc 1
contains err "stopping"
jq_is r.json '.tests[] | select(.name=="boom") | .outcome' failed
jq_is r.json '.tests[] | select(.name=="long") | .attempts[0].status' skipped
jq_is r.json '.summary.failed' 1
no_process_left "$MISBEHAVE hang"
