# --shard K/N: every item in exactly one shard, the same partition from
# list and run, and the CI variables pick the node when --shard is absent.
i=0
{
	echo '{ "suites": ['
	while [ $i -lt 12 ]; do
		[ $i -gt 0 ] && echo ','
		echo "{\"name\": \"t$i\", \"command\": [\"$MISBEHAVE\", \"pass\"]}"
		i=$((i + 1))
	done
	echo '] }'
} > flakeguard.json
all=""
for k in 1 2 3; do
	fg list --shard $k/3 --json; expect_rc 0
	cp out list$k
	jq -r '.tests[].name' out >> names
	fg run --shard $k/3 --db db$k --json r$k.json; expect_rc 0
	[ "$(jq -r '[.tests[].name] | sort | join(",")' r$k.json)" = \
	  "$(jq -r '[.tests[].name] | sort | join(",")' list$k)" ] ||
		fail "run and list disagree on shard $k"
done
[ "$(sort names | uniq | wc -l)" = 12 ] || fail "not every test in a shard"
[ "$(wc -l < names)" = 12 ] || fail "a test is in two shards"
sql_is db2 "select shard from runs" "2/3"
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$FLAKEGUARD" list --json > envlist
fg list --shard 2/3 --json
cmp -s envlist out || fail "GitLab CI_NODE_INDEX/TOTAL not honoured"
BUILDKITE_PARALLEL_JOB=1 BUILDKITE_PARALLEL_JOB_COUNT=3 "$FLAKEGUARD" list --json > envlist
cmp -s envlist out || fail "Buildkite variables not honoured (0-based)"
fg list --shard 4/3; expect_rc 2; contains err "invalid shard '4/3'"
