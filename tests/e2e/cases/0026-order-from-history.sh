# The second run orders work longest first from recorded durations;
# never-seen items come first. (The sleeps are far apart: under ASan on
# a loaded machine a 10 ms test can take a few hundred.)
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "short", "command": ["$MISBEHAVE", "sleep", "10"] },
  { "name": "long", "command": ["$MISBEHAVE", "sleep", "1600"] },
  { "name": "mid", "command": ["$MISBEHAVE", "sleep", "800"] }
] }
JSON
fg list --db t.db; expect_rc 0
fg run --db t.db -j1; expect_rc 0
fg list --db t.db --json; expect_rc 0
jq_is out '[.tests[].name] | join(",")' "long,mid,short"
jq_is out '[.tests[].known] | all' true
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "short", "command": ["$MISBEHAVE", "sleep", "10"] },
  { "name": "long", "command": ["$MISBEHAVE", "sleep", "1600"] },
  { "name": "newcomer", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg list --db t.db --json; expect_rc 0
jq_is out '[.tests[].name] | join(",")' "newcomer,long,short"
