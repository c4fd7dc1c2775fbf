# Regressions from the review of history/: a FIFO as --db or as an import
# file is refused at once (it used to hang); a failure followed by skipped
# attempts in a later file stays a failure (it used to become flaky); a
# locked database names the lock, not the rollback.
mkfifo pipe.db pipe.xml
printf '#!/bin/sh\nexit 0\n' > ok; chmod +x ok
timeout 10 "$FLAKEGUARD" run --db pipe.db -- ./ok >out 2>err && rc=0 || rc=$?
expect_rc 3
contains err "not a regular file"
timeout 10 "$FLAKEGUARD" import --db i.db pipe.xml >out 2>err && rc=0 || rc=$?
expect_rc 1
contains err "pipe.xml: not a regular file"
cat > 1.xml <<XML
<testsuite name="s"><testcase classname="c" name="t"><failure message="boom"/></testcase></testsuite>
XML
cat > 2.xml <<XML
<testsuite name="s"><testcase classname="c" name="t"><skipped/></testcase></testsuite>
XML
fg import --db j.db --json j.json 1.xml 2.xml; expect_rc 1
jq_is j.json '.tests[0].outcome' failed
fg import --db k.db 1.xml 2.xml; expect_rc 1
sql_is k.db "select outcome from run_tests" 1
fg run --db q.db -- ./ok; expect_rc 0
# Another process holds the write lock past the lock timeout (2 s here;
# the default waits minutes: 0110).
sqlite3 q.db "BEGIN EXCLUSIVE;" ".shell sleep 5" "COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
export FLAKEGUARD_DB_TIMEOUT=2s
fg quarantine add --db q.db ok --reason r
unset FLAKEGUARD_DB_TIMEOUT
wait $locker || true
expect_rc 3
contains err "locked"
lacks err "no transaction is active"
# Test cases without a name are kept, with a warning naming file and line.
printf '<testsuite name="s">\n<testcase classname="c"/>\n<testcase classname="c" name=""/>\n</testsuite>\n' > un.xml
fg import --db u.db un.xml; expect_rc 0
contains err "un.xml:2: <testcase> without a name"
contains err "un.xml:3: <testcase> without a name"
