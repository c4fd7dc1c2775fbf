# ^Z (SIGTSTP) stops the tests with flakeguard and pauses their timeouts;
# fg (SIGCONT) resumes both. A test stopped longer than its timeout still
# passes, because the time it spent stopped does not count.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "slow", "command": ["$MISBEHAVE", "sleep", "1200"], "timeout": "2s" } ] }
JSON
"$FLAKEGUARD" run --db t.db --json r.json >out 2>err &
pid=$!
# ^Z once the test runs (a loaded machine, or ASan, starts slowly)
child=""
for i in $(seq 100); do
	child=$(pgrep -f -- "$MISBEHAVE sleep 1200" | head -n 1)
	[ -n "$child" ] && break
	sleep 0.1
done
[ -n "$child" ] || fail "test process not found"
kill -TSTP $pid
for i in $(seq 50); do
	state=$(awk '{print $3}' /proc/$child/stat)
	fgstate=$(awk '{print $3}' /proc/$pid/stat)
	[ "$state" = T ] && [ "$fgstate" = T ] && break
	sleep 0.1
done
[ "$state" = T ] || fail "test not stopped with flakeguard (state $state)"
[ "$fgstate" = T ] || fail "flakeguard not stopped (state $fgstate)"
sleep 2.5
kill -CONT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 0
jq_is r.json '.tests[0].outcome' passed
