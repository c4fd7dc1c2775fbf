# A Ctrl-C that arrives after the tests are over, while the run waits to
# be written (here: another process holds the database's write lock), does
# not throw the finished run away: it is saved, then flakeguard exits 130.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "quick", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db t.db
expect_rc 0
(echo 'BEGIN IMMEDIATE;'; sleep 2; echo 'COMMIT;') | sqlite3 t.db &
locker=$!
sleep 0.3
"$FLAKEGUARD" run --db t.db --json r.json >out 2>err &
pid=$!
sleep 1
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
wait $locker
expect_rc 130
contains err "saving the results first"
contains out "recorded as run 2"
sql_is t.db "select count(*) from runs" 2
jq_is r.json '.summary.passed' 1
