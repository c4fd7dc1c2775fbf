# Everything passes: exit 0, summary on stdout, default database created.
printf '#!/bin/sh\nexit 0\n' > ok1; cp ok1 ok2; chmod +x ok1 ok2
fg run -- ./ok1 ./ok2
expect_rc 0
contains out "2 tests: 2 passed, 0 failed"
contains out "OK: all 2 tests passed"
[ -f .flakeguard/history.db ] || fail "default database not created"
sql_is .flakeguard/history.db "select count(*) from runs" 1
# The first run says it starts a fresh history; the next one does not.
contains err "no history at '.flakeguard/history.db' yet"
fg run -- ./ok1
lacks err "no history"
