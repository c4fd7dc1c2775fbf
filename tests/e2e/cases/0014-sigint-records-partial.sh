# SIGINT during a run: running tests are stopped, what finished is recorded,
# the run is marked interrupted, exit 130, no test process is left.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "quick", "command": ["sh", "-c", "\"\$0\" pass && touch quick.done", "$MISBEHAVE"] },
  { "name": "slow", "command": ["$MISBEHAVE", "hang"] }
] }
JSON
"$FLAKEGUARD" run -j2 --db t.db --json r.json --kill-grace 500ms >out 2>err &
pid=$!
# Signal once quick has finished and slow runs (a fixed sleep was too short
# under ASan on a loaded machine).
i=0
until [ -f quick.done ] && ! pgrep -f "touch quick.done" >/dev/null &&
	pgrep -f "$MISBEHAVE hang" >/dev/null; do
	i=$((i + 1))
	[ $i -lt 400 ] || fail "quick never finished or slow never started"
	sleep 0.05
done
sleep 0.3
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 130
jq_is r.json '.run.interrupted' true
jq_is r.json '.tests[] | select(.name=="quick") | .outcome' passed
jq_is r.json '.tests[] | select(.name=="slow") | .attempts[0].status' error
sql_is t.db "select interrupted from runs" 1
no_process_left "$MISBEHAVE hang"
