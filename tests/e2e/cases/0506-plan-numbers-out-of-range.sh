# A plan whose numbers do not fit an int is refused, not wrapped: 2^32+2
# shards used to read as 2, and shard 2^32+1 as shard 1.
printf '#!/bin/sh\nexit 0\n' > a; chmod +x a
printf '#!/bin/sh\nexit 0\n' > b; chmod +x b
fg list --shards 2 --json -- ./a ./b
expect_rc 0
cp out plan.json
jq '.shards = 4294967298' plan.json > big.json
fg run --db t.db --plan big.json --shard 1/2 -- ./a ./b
expect_rc 2
contains err "big.json"
jq '.tests[0].shard = 4294967297' plan.json > node.json
fg run --db t.db --plan node.json --shard 1/2 -- ./a ./b
expect_rc 2
contains err "has no valid shard"
fg run --db t.db --plan plan.json --shard 1/2 -- ./a ./b
expect_rc 0
