# run --quarantine FILE honours a committed list with a fresh database: a
# quarantined failing suite does not fail the run; a skip-mode entry is not
# run at all; without the file the same run fails.
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "bad", "command": ["$MISBEHAVE", "fail"] },
  { "name": "hang", "command": ["$MISBEHAVE", "hang"], "timeout": "30s" },
  { "name": "good", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
cat > q.json <<JSON
{ "flakeguard_quarantine": 1, "tests": [
  { "suite": "bad", "classname": "", "name": "bad", "reason": "tracked in #12",
    "source": "manual", "owner": "ana", "since": "2026-01-01" },
  { "suite": "hang", "classname": "", "name": "hang", "reason": "hangs",
    "mode": "skip" }
] }
JSON
fg run --db fresh.db --quarantine q.json --json r.json --timeout 20s
expect_rc 0
jq_is r.json '.tests[] | select(.name=="bad") | .outcome' quarantined
jq_is r.json '.tests[] | select(.name=="bad") | .quarantined' true
jq_is r.json '.tests[] | select(.name=="hang") | .outcome' skipped
jq_is r.json '.tests[] | select(.name=="hang") | .attempts[0].message' "not run: quarantined (mode skip)"
contains out "quarantined (not failing) bad::bad: quarantined since 2026-01-01 (manual, owner ana): tracked in #12"
sql_is fresh.db "SELECT count(*) FROM quarantine" 0
fg run --db other.db --json r.json --timeout 1s
expect_rc 1
jq_is r.json '.tests[] | select(.name=="bad") | .outcome' failed
