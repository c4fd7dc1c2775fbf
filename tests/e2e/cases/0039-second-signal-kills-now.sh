# SIGTERM to flakeguard is forwarded (exit 143); a test that ignores it is
# killed after the grace, or at once on a second signal.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "stubborn", "command": ["$MISBEHAVE", "ignore-term"] } ] }
JSON
"$FLAKEGUARD" run --db t.db --json r.json --kill-grace 60s >out 2>err &
pid=$!
sleep 0.7
kill -TERM $pid
sleep 0.5
kill -0 $pid 2>/dev/null || fail "flakeguard did not wait for the grace period"
kill -TERM $pid
# the second signal must end it well within the 60 s grace
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail "second SIGTERM did not kill at once"; }
set +e; wait $pid; rc=$?; set -e
expect_rc 143
jq_is r.json '.run.interrupted' true
jq_is r.json '.tests[0].attempts[0].status' error
no_process_left "$MISBEHAVE ignore-term"
