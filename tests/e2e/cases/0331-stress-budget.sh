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
