# merge: two shard databases fold into one; merging them again adds
# nothing; a missing input is an error that leaves the others merged.
# backends: sqlite postgresql
cat > a.xml <<XML
<testsuite name="s"><testcase name="a1"/><testcase name="a2"><failure message="x"/></testcase></testsuite>
XML
cat > b.xml <<XML
<testsuite name="s"><testcase name="b1"/><testcase name="a1"/></testsuite>
XML
fg import --db shard1.db --no-fail a.xml; expect_rc 0
fg import --db shard1.db --no-fail a.xml; expect_rc 0
fg import --db shard2.db --no-fail b.xml; expect_rc 0
fg merge --db all.db shard1.db shard2.db
expect_rc 0
contains out "$(dbshow shard1.db): 2 runs added"
sql_is all.db "SELECT count(*) FROM runs" 3
sql_is all.db "SELECT count(*) FROM tests" 3
sql_is all.db "SELECT count(*) FROM results" 6
before=$(sql all.db "SELECT count(*) || '/' || (SELECT count(*) FROM results) FROM runs")
fg merge --db all.db shard1.db shard2.db
expect_rc 0
contains out "0 runs added, 2 already here"
contains out "merged 0 runs"
after=$(sql all.db "SELECT count(*) || '/' || (SELECT count(*) FROM results) FROM runs")
[ "$before" = "$after" ] || fail "second merge changed counts: $before -> $after"
sql_is all.db "SELECT count(DISTINCT uuid) FROM runs" 3
fg merge --db all.db nope.db shard2.db
expect_rc 3
contains err "$(dbshow nope.db)"
no_db nope.db
fg merge --db all.db
expect_rc 2
