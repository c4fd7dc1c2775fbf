# Issue 12 point 5: --stress-budget bounds the wall time of the stress
# runs: at the budget the running stress attempts are stopped (and leave
# no result: no half-run attempt is recorded), nothing more starts, and
# the summary says so, naming the tests not fully stressed. The run's own
# verdict is unchanged (green here: nothing failed). No timing is
# asserted: 40 runs of a 1 s test cannot fit in a 2 s budget.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "old", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db h.db
expect_rc 0
cat > flakeguard.json <<JSON
{ "stress_budget": "2s", "suites": [
  { "name": "old", "command": ["$MISBEHAVE", "pass"] },
  { "name": "slow", "command": ["sh", "-c", "exec $MISBEHAVE sleep 1000"] }
] }
JSON
fg run --db h.db --new-test-runs 40 --json r.json
expect_rc 0
contains out "--stress-budget 2.000s spent: stopped after"
contains out "slow::slow (not fully stressed:"
n=$(jq '[.tests[] | select(.name=="slow") | .attempts[] | select(.stress)] | length' r.json)
[ "$n" -lt 40 ] || fail "$n stress runs: the budget did not stop them"
jq_is r.json '[.tests[] | select(.name=="slow") | .attempts[].status] | unique | join(",")' passed
jq_is r.json '.tests[] | select(.name=="old") | .attempts | length' 1
jq_is r.json '[.items[] | select(.ran | not)] | length' 0
lacks err "not started"
no_process_left "$MISBEHAVE"
# FLAKEGUARD_STRESS_BUDGET wins over the file, --stress-budget over both
sed -i 's/"slow"/"slow2"/' flakeguard.json
FLAKEGUARD_STRESS_BUDGET=1s fg run --db h.db --new-test-runs 40
contains out "--stress-budget 1.000s spent"
sed -i 's/"slow2"/"slow3"/' flakeguard.json
FLAKEGUARD_STRESS_BUDGET=1s fg run --db h.db --new-test-runs 40 --stress-budget 3s
contains out "--stress-budget 3.000s spent"
fg run --db h.db --new-test-runs 2 --stress-budget 5 min
expect_rc 2
contains err "one word"
# An interrupt during the stress runs: the run is recorded as interrupted
# (exit 130), and the cut stress attempt leaves no result either.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "old", "command": ["$MISBEHAVE", "pass"] },
  { "name": "slow4", "command": ["sh", "-c", "echo run >> $PWD/started; exec $MISBEHAVE sleep 1000"] }
] }
JSON
set +e
"$FLAKEGUARD" run --db h.db --new-test-runs 40 --json r.json >out 2>err &
pid=$!
set -e
i=0
while [ "$(cat started 2>/dev/null | wc -l)" -lt 2 ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "the stress runs never started"
	sleep 0.1
done
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
expect_rc 130
jq_is r.json '.run.interrupted' true
jq_is r.json '[.tests[] | select(.name=="slow4") | .attempts[].status] | unique | join(",")' passed
sql_is h.db "SELECT interrupted, exit_code FROM runs ORDER BY id DESC LIMIT 1" "1|130"
no_process_left "$MISBEHAVE"
