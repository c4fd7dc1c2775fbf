# Missing tests under --shard K/N: a node compares with its own last run
# (same shard), and only the tests of suites it runs whole now, since
# the split can move a suite to another node between runs (here: two plan
# files). A test gone from a suite this node runs is missing; a suite that
# moved to the other node is not; a suite gone from the configuration is.
# backends: sqlite postgresql
cat >suite.sh <<'SH'
#!/bin/sh
# suite.sh LIST: one JUnit testcase per line of LIST
{
echo '<testsuite name="s">'
while read -r n; do echo "<testcase classname=\"k\" name=\"$n\"/>"; done <"$1"
echo '</testsuite>'
} >"$FLAKEGUARD_JUNIT"
SH
chmod +x suite.sh
for s in a b c; do printf '%s1\n%s2\n' $s $s >$s.txt; done
cat >flakeguard.json <<'JSON'
{ "suites": [
  { "name": "a", "command": ["./suite.sh", "a.txt"] },
  { "name": "b", "command": ["./suite.sh", "b.txt"] },
  { "name": "c", "command": ["./suite.sh", "c.txt"] }
] }
JSON
# plan 1: node 1 runs a and c; plan 2: node 1 runs b and c
plan() {
	jq -n --arg one "$1" '{shards: 2, tests: [("a", "b", "c") as $s |
		{suite: $s, classname: "", name: $s, id: $s, estimate_ms: 1000,
		 known: false, shard: (if ($one | contains($s)) then 1 else 2 end)}]}'
}
plan ac >p1.json
plan bc >p2.json
fg run --db h.db --branch main --plan p1.json --shard 1/2 --json r.json
expect_rc 0
jq_is r.json '[.tests[].suite] | unique | join(",")' a,c
fg run --db h.db --branch main --plan p1.json --shard 2/2 --json r.json
expect_rc 0
jq_is r.json '[.tests[].suite] | unique | join(",")' b

# node 1 again, with a2 gone: missing, compared with node 1's run
printf 'a1\n' >a.txt
fg run --db h.db --branch main --plan p1.json --shard 1/2 --json r.json
expect_rc 0
jq_is r.json '.missing.since_run' 1
jq_is r.json '[.missing.tests[].name] | join(",")' a2
contains out '1 test missing since run #1'

# a moves to node 2: not missing on node 1, which now runs b
fg run --db h.db --branch main --plan p2.json --shard 1/2 --json r.json --strict
expect_rc 0
jq_is r.json '[.tests[].suite] | unique | join(",")' b,c
jq_is r.json '.missing.since_run' 3
jq_is r.json '.missing.count' 0

# c leaves the configuration: its tests are missing on the node that ran it
cat >flakeguard.json <<'JSON'
{ "suites": [
  { "name": "a", "command": ["./suite.sh", "a.txt"] },
  { "name": "b", "command": ["./suite.sh", "b.txt"] }
] }
JSON
jq '.tests |= map(select(.suite != "c"))' p2.json >p3.json
fg run --db h.db --branch main --plan p3.json --shard 1/2 --json r.json --strict
expect_rc 1
jq_is r.json '[.missing.tests[].name] | join(",")' c1,c2
contains out 'FAILED: 2 tests missing since run #4 (--strict)'
