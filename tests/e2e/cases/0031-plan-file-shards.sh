# Nodes whose history differs still cover every item exactly once when they
# share a plan file: `list --shards N --json` writes it, `run --plan` obeys.
i=0
{
	echo '{ "suites": ['
	while [ $i -lt 10 ]; do
		[ $i -gt 0 ] && echo ','
		echo "{\"name\": \"t$i\", \"command\": [\"$MISBEHAVE\", \"sleep\", \"$((i * 7))\"]}"
		i=$((i + 1))
	done
	echo '] }'
} > flakeguard.json
fg run --db history.db -j2; expect_rc 0
fg list --db history.db --shards 3 --json; expect_rc 0
cp out plan.json
jq_is plan.json '.shards' 3
jq_is plan.json '.tests | length' 10
# Node 1 has the history, node 2 none, node 3 a different one.
cp history.db n1.db
fg run --db n3.db -- "$MISBEHAVE"; expect_rc 1
for k in 1 2 3; do
	fg run --plan plan.json --shard $k/3 --db n$k.db --json r$k.json; expect_rc 0
	jq -r '.tests[].suite' r$k.json >> ran
done
[ "$(sort ran | uniq | wc -l)" = 10 ] || fail "not every item ran"
[ "$(wc -l < ran)" = 10 ] || fail "an item ran on two nodes"
for k in 1 2 3; do
	[ "$(jq -r "[.tests[] | select(.shard == $k) | .id] | sort | join(\",\")" plan.json)" = \
	  "$(jq -r '[.tests[].suite] | sort | join(",")' r$k.json)" ] || fail "node $k strayed from the plan"
done
# A plan from another configuration is refused, naming the item.
sed 's/"t9"/"t99"/' flakeguard.json > other.json
fg run -c other.json --plan plan.json --shard 1/3 --db x.db; expect_rc 2
contains err "t9"
fg run --plan plan.json --shard 1/2 --db x.db; expect_rc 2
contains err "3 shard(s)"
