# The acceptance check: two programs, JSON on stdout, exit 1, the
# database holds the run with both tests.
printf '#!/bin/sh\necho all good\n' > pass
printf '#!/bin/sh\necho "expected 3, got 4" >&2\nexit 1\n' > fail
chmod +x pass fail
fg run -j2 --db t.db --json - --commit abc123 --branch main -- ./pass ./fail
expect_rc 1
jq_is out '.tests | length' 2
jq_is out '.summary.total' 2
jq_is out '.summary.passed' 1
jq_is out '.summary.failed' 1
jq_is out '.run.exit_code' 1
jq_is out '.run.commit' abc123
jq_is out '.run.branch' main
jq_is out '.tests[] | select(.name=="fail") | .outcome' failed
jq_is out '.tests[] | select(.name=="fail") | .attempts[0].status' failed
jq_is out '.tests[] | select(.name=="fail") | .attempts[0].message' "exited with status 1"
jq_is out '.tests[] | select(.name=="pass") | .outcome' passed
# The human summary went to stderr, with the failure's output.
contains err "expected 3, got 4"
contains err "FAILED"
sql_is t.db "select count(*) from runs" 1
sql_is t.db "select commit_sha, exit_code from runs" "abc123|1"
sql_is t.db "select count(*) from tests" 2
run_id=$(jq -r .run.id out)
sql_is t.db "select count(*) from results where run_id=$run_id" 2
