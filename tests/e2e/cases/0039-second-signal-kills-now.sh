# SIGTERM to flakeguard is forwarded (exit 143); a test that ignores it is
# killed after the grace, or at once on a second signal.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "stubborn", "command": ["$MISBEHAVE", "ignore-term"] } ] }
JSON
"$FLAKEGUARD" run --db t.db --json r.json --kill-grace 60s >out 2>err &
pid=$!
# Wait until the test ignores SIGTERM (SigIgn bit 15 in /proc): under ASan
# on a loaded machine a fixed sleep sent the signal before it did.
i=0
until t=$(pgrep -f "$MISBEHAVE ignore-term" | head -n 1) && [ -n "$t" ] &&
	[ $((0x$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$t/status 2>/dev/null || echo 0) & 0x4000)) -ne 0 ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the test never started ignoring SIGTERM"
	sleep 0.05
done
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
