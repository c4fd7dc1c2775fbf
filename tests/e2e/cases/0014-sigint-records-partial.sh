# SIGINT during a run: running tests are stopped, what finished is recorded,
# the run is marked interrupted, exit 130, no test process is left.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "quick", "command": ["$MISBEHAVE", "pass"] },
  { "name": "slow", "command": ["$MISBEHAVE", "hang"] }
] }
JSON
"$FLAKEGUARD" run -j2 --db t.db --json r.json --kill-grace 500ms >out 2>err &
pid=$!
sleep 1
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 130
jq_is r.json '.run.interrupted' true
jq_is r.json '.tests[] | select(.name=="quick") | .outcome' passed
jq_is r.json '.tests[] | select(.name=="slow") | .attempts[0].status' error
sql_is t.db "select interrupted from runs" 1
no_process_left "$MISBEHAVE hang"
