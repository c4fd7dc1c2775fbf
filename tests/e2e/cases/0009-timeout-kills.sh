# A hanging suite is killed at its timeout (with its whole process group),
# recorded as timeout, and the run fails.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "hangs", "command": ["$MISBEHAVE", "hang"], "timeout": "300ms" },
  { "name": "stubborn", "command": ["$MISBEHAVE", "ignore-term"], "timeout": "300ms" },
  { "name": "tree", "command": ["$MISBEHAVE", "spawn-tree", "3"], "timeout": "300ms" }
] }
JSON
fg run --db t.db --json r.json --kill-grace 300ms
expect_rc 1
jq_is r.json '.tests[] | select(.name=="hangs") | .attempts[0].status' timeout
jq_is r.json '.tests[] | select(.name=="stubborn") | .attempts[0].status' timeout
jq_is r.json '.tests[] | select(.name=="tree") | .attempts[0].status' timeout
jq_is r.json '.tests[] | select(.name=="hangs") | .attempts[0].message' "timed out after 300ms"
no_process_left "$MISBEHAVE hang"
no_process_left "$MISBEHAVE ignore-term"
no_process_left "$MISBEHAVE spawn-tree"
