# Exit 1 with passing XML is an error result, never a silent pass; exit 0
# with failing XML still fails.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "lies-pass", "command": ["$MISBEHAVE", "junit-exit1-pass"] },
  { "name": "lies-fail", "command": ["$MISBEHAVE", "junit-exit0-fail"] }
] }
JSON
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.suite=="lies-pass" and .name=="lies-pass") | .outcome' failed
jq_is r.json '.tests[] | select(.name=="lies-pass") | .attempts[0].message' "exited with status 1 but its JUnit XML reports no failure"
jq_is r.json '[.tests[] | select(.suite=="lies-fail" and .outcome=="failed")] | length' 1
