# A test that leaves a daemon behind which escapes its process group
# (setsid, double fork): the run still ends promptly, and the escapee is
# found (flakeguard is the child subreaper) and killed, holding the output
# open or not.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "loud", "command": ["$MISBEHAVE", "escape", "60"] },
  { "name": "quiet", "command": ["$MISBEHAVE", "escape", "60", "quiet"] }
] }
JSON
fg run --db t.db --json r.json --kill-grace 300ms
expect_rc 1
jq_is r.json '.tests[] | select(.name=="loud") | .attempts[0].status' leaked
jq_is r.json '.tests[] | select(.name=="quiet") | .outcome' passed
contains err "escaped their test's process group"
no_process_left "$MISBEHAVE escape"
