# run writes every report format at once from the same model; under GitHub
# Actions failures become annotations and the summary goes to the step
# summary file.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "xml", "command": ["$MISBEHAVE", "junit-fail"] },
  { "name": "ok", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/step.md \
	fg run --db t.db --json r.json --junit r.xml --html r.html --markdown r.md
expect_rc 1
jq_is r.json '.summary.failed' 1
xmllint --noout r.xml || fail "JUnit output is not well-formed"
grep -q '<testcase' r.xml || fail "no testcase in JUnit output"
contains r.html "<html"
contains r.md "failed"
contains step.md "failed"
contains out "::error"
# Unknown profile: usage error before anything runs.
fg run --junit-profile weird --db t.db; expect_rc 2
