# A suite that writes JUnit XML to $FLAKEGUARD_JUNIT: its test cases are the
# results, and a failing case fails the run.
fg run --db t.db --json r.json -- "$PROGS/misbehave"
# misbehave without args is a usage error (exit 2): one failed suite test.
expect_rc 1
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "xml-fail", "command": ["$MISBEHAVE", "junit-fail"] },
  { "name": "xml-pass", "command": ["$MISBEHAVE", "junit-pass"] }
] }
JSON
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json '[.tests[] | select(.suite=="xml-pass")] | length >= 2' true
jq_is r.json '[.tests[] | select(.suite=="xml-pass" and .outcome!="passed")] | length' 0
jq_is r.json '[.tests[] | select(.suite=="xml-fail" and .outcome=="failed")] | length' 1
jq_is r.json '[.tests[] | select(.suite=="xml-fail" and .outcome=="failed")][0].attempts[0].message != null' true
# No suite-level test when the XML explains everything.
jq_is r.json '[.tests[] | select(.name=="xml-fail" or .name=="xml-pass")] | length' 0
