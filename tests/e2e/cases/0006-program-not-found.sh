# A program that cannot be started: a clear message naming it, exit 3, and
# the other suites' results (and the error) are still recorded.
printf '#!/bin/sh\nexit 0\n' > ok; chmod +x ok
fg run --db t.db --json r.json -- ./ok ./no-such-test
expect_rc 3
contains err "could not start './no-such-test': No such file or directory"
jq_is r.json '.tests[] | select(.name=="no-such-test") | .attempts[0].status' error
jq_is r.json '.tests[] | select(.name=="ok") | .outcome' passed
sql_is t.db "select count(*) from results" 2
sql_is t.db "select exit_code from runs" 3
