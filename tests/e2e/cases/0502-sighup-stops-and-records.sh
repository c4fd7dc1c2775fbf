# A hangup (terminal or SSH session gone) is an interrupt like SIGTERM: the
# tests are stopped, not left running in their own sessions, the run is
# recorded as interrupted, exit 129. Under nohup it is ignored.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "quick", "command": ["$MISBEHAVE", "pass"] },
  { "name": "slow", "command": ["$MISBEHAVE", "hang"] }
] }
JSON
"$FLAKEGUARD" run -j2 --db t.db --json r.json --kill-grace 500ms >out 2>err &
pid=$!
sleep 1
kill -HUP $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 129
jq_is r.json '.run.interrupted' true
jq_is r.json '.tests[] | select(.name=="quick") | .outcome' passed
sql_is t.db "select interrupted from runs" 1
no_process_left "$MISBEHAVE hang"

cat > flakeguard.json <<JSON
{ "suites": [ { "name": "nap", "command": ["$MISBEHAVE", "sleep", "1500"] } ] }
JSON
nohup "$FLAKEGUARD" run --db t.db >out 2>err &
pid=$!
sleep 0.5
kill -HUP $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 0
