# "shards": N splits a suite into N processes with the Bazel protocol.
cat > sharded.sh <<'SH'
#!/bin/sh
touch "$TEST_SHARD_STATUS_FILE"
echo "$TEST_SHARD_INDEX/$TEST_TOTAL_SHARDS $GTEST_SHARD_INDEX/$GTEST_TOTAL_SHARDS" >> seen
SH
chmod +x sharded.sh
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "big", "command": ["./sharded.sh"], "shards": 3 } ] }
JSON
fg run --db t.db --json r.json
expect_rc 0
[ "$(sort seen | tr '\n' ' ')" = "0/3 0/3 1/3 1/3 2/3 2/3 " ] || { cat seen; fail "shard env wrong"; }
jq_is r.json '[.tests[].name] | sort | join(",")' "shard 1/3,shard 2/3,shard 3/3"
