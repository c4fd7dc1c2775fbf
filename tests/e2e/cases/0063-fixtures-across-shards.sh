# issue 10, fixtures under --shard and --plan: a fixture's setup and
# cleanup run on every CI node that has a suite requiring it (a database
# set up on another machine is of no use here), and count as run only on
# their own node, so `verify` still finds every planned item once. A
# failed setup skips its dependents with the reason on each node.
cat > flakeguard.json <<'JSON'
{ "suites": [
  { "name": "dbsetup", "command": "touch db.ready", "fixtures": { "setup": ["db"] } },
  { "name": "u1", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "u2", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "u3", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "u4", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "u5", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "u6", "command": "test -e db.ready", "fixtures": { "requires": ["db"] } },
  { "name": "dbclean", "command": "rm db.ready", "fixtures": { "cleanup": ["db"] } },
  { "name": "o1", "command": "true" }, { "name": "o2", "command": "true" },
  { "name": "o3", "command": "true" }, { "name": "o4", "command": "true" }
] }
JSON
fg list --shards 3 --json --db none.db
expect_rc 0
cp out plan.json
for k in 1 2 3; do
	mkdir node$k && cp flakeguard.json node$k/
	(cd node$k && "$FLAKEGUARD" run --plan ../plan.json --shard $k/3 \
		--db h.db --json ../r$k.json >out 2>err) ||
		{ cat node$k/out node$k/err; fail "node $k failed"; }
	# whoever ran a user ran the setup and the cleanup here
	if jq -e '[.tests[].suite] | any(startswith("u"))' r$k.json >/dev/null; then
		jq_is r$k.json '[.tests[] | select(.suite == "dbsetup" or .suite == "dbclean") | .outcome] | join(" ")' "passed passed"
		[ ! -e node$k/db.ready ] || fail "node $k: the cleanup did not run last"
	fi
done
fg verify --plan plan.json r1.json r2.json r3.json
expect_rc 0
# every user ran, once
cat r1.json r2.json r3.json | jq -r '.tests[] | select(.suite | startswith("u")) | .suite + " " + .outcome' | sort > users.txt
[ "$(cat users.txt | tr '\n' ' ')" = "u1 passed u2 passed u3 passed u4 passed u5 passed u6 passed " ] ||
	{ cat users.txt; fail "users"; }
# list shows what a node runs for another's sake
for k in 1 2 3; do
	fg list --plan plan.json --shard $k/3 --db none.db
	expect_rc 0
	if grep -q '^ .* u[0-9]$' out && ! jq -e ".tests[] | select(.suite == \"dbsetup\" and .shard == $k)" plan.json >/dev/null; then
		contains out "dbsetup  (node "
	fi
done

# A failed setup: its users are skipped with the reason, on every node;
# the cleanup still runs; the run is red for the setup.
sed 's/"touch db.ready"/"exit 1"/' flakeguard.json > bad.json
k=$(jq -r '.tests[] | select(.id == "u1") | .shard' plan.json)
fg run -c bad.json --plan plan.json --shard $k/3 --db h.db --json rb.json
expect_rc 1
jq -r '.tests[] | select(.suite | startswith("u")) | .attempts[0].message' rb.json | sort -u > why.txt
[ "$(cat why.txt)" = "not run: fixture 'db' setup 'dbsetup' failed" ] || { cat why.txt; fail "reason"; }
jq_is rb.json '.tests[] | select(.suite == "dbclean") | .attempts[0].status' failed

# A cycle is refused before anything runs.
cat > cycle.json <<'JSON'
{ "suites": [
  { "name": "a", "command": "true", "depends": ["b"] },
  { "name": "b", "command": "true", "fixtures": { "requires": ["f"] } },
  { "name": "c", "command": "true", "fixtures": { "setup": ["f"] }, "depends": ["a"] }
] }
JSON
fg run -c cycle.json --db h.db
expect_rc 2
contains err "a cycle of dependencies"
contains err "'a' waits for 'b' waits for 'c' waits for 'a'"
