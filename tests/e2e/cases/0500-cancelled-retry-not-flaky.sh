# A test that failed and whose retry was then cancelled by --fail-fast
# never passed: it is failed, not flaky (flaky would hide it, pass the
# run and feed the quarantine).
cat > retry.sh <<'SH'
#!/bin/sh
[ "$FLAKEGUARD_ATTEMPT" = 1 ] && exit 1
exec "$MISBEHAVE" hang
SH
chmod +x retry.sh
cat > slow.sh <<'SH'
#!/bin/sh
sleep 0.5
exit 1
SH
chmod +x slow.sh
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "retry", "command": ["./retry.sh"],
    "env": { "MISBEHAVE": "$MISBEHAVE" } },
  { "name": "slow", "command": ["./slow.sh"] }
] }
JSON
fg run -j2 --retries 1 --fail-fast --db t.db --json r.json --kill-grace 500ms
expect_rc 1
jq_is r.json '[.tests[] | select(.name=="retry") | .attempts[].status] | join(",")' failed,skipped
jq_is r.json '.tests[] | select(.name=="retry") | .outcome' failed
jq_is r.json '.summary.flaky' 0
sql_is t.db "SELECT count(*) FROM run_tests WHERE outcome = 2" 0
no_process_left "$MISBEHAVE hang"
