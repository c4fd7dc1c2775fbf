# A finished run is not lost to another writer's lock (issue 13.2): it
# waits out a 13 s lock (longer than the 10 s the busy timeout used to be),
# saying on stderr why it waits, and is recorded. A streaming import does
# the same. FLAKEGUARD_DB_TIMEOUT shorter than the lock: exit 3 naming the
# lock and the knob, nothing half-written, the run kept aside and folded
# in by the next command (cli/spool.c); a malformed one is a usage error.
printf '#!/bin/sh\nexit 0\n' > ok; chmod +x ok
cat > r.xml <<XML
<testsuite name="s"><testcase classname="c" name="t1"/><testcase classname="c" name="t2"/></testsuite>
XML
fg run --db h.db -- ./ok; expect_rc 0
sqlite3 h.db "BEGIN EXCLUSIVE;" ".shell sleep 13" "COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
fg run --db h.db -- ./ok
cp err run.err
wait $locker
expect_rc 0
contains run.err "waiting for the history database lock (another flakeguard is writing): 1s"
contains run.err "waiting for the history database lock (another flakeguard is writing): 10s"
contains run.err "waited 1"
contains out "recorded as run 2 in h.db"
sql_is h.db "SELECT count(*) FROM runs" 2

sqlite3 h.db "BEGIN EXCLUSIVE;" ".shell sleep 4" "COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
fg import --db h.db r.xml
wait $locker
expect_rc 0
contains err "waited"
contains out "imported 2 tests from 1 file as run 3"

sqlite3 h.db "BEGIN EXCLUSIVE;" ".shell sleep 5" "COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
export FLAKEGUARD_DB_TIMEOUT=2s
fg run --db h.db -- ./ok
unset FLAKEGUARD_DB_TIMEOUT
wait $locker
expect_rc 3
contains err "database is locked"
contains err "FLAKEGUARD_DB_TIMEOUT"
contains err "the run is kept in"
sql_is h.db "SELECT count(*) FROM runs" 3
on_pg || sql_is h.db "PRAGMA integrity_check" ok
# The lock is gone: the next command folds the kept run in.
fg import --db h.db r.xml
expect_rc 0
contains err "folded 1 spooled run"
sql_is h.db "SELECT count(*) FROM runs" 5

export FLAKEGUARD_DB_TIMEOUT=soon
fg run --db h.db -- ./ok
unset FLAKEGUARD_DB_TIMEOUT
expect_rc 2
contains err "invalid FLAKEGUARD_DB_TIMEOUT 'soon'"
