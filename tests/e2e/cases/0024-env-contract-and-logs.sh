# The environment contract: TEST_TMPDIR fresh and removed, FLAKEGUARD_RUN_ID
# shared by a run's attempts, stdin is /dev/null; --log-dir keeps full logs.
cat > probe.sh <<'SH'
#!/bin/sh
[ -d "$TEST_TMPDIR" ] || exit 11
[ -z "$(ls -A "$TEST_TMPDIR")" ] || exit 12
touch "$TEST_TMPDIR/scratch"
echo "$TEST_TMPDIR" > "tmpdir.$1"
echo "$FLAKEGUARD_RUN_ID" > "runid.$1"
read line && exit 13
echo "log line from $1"
exit 0
SH
chmod +x probe.sh
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "a", "command": ["./probe.sh", "a"] },
  { "name": "b", "command": ["./probe.sh", "b"] }
] }
JSON
fg run --db t.db --json r.json --log-dir logs
expect_rc 0
[ ! -e "$(cat tmpdir.a)" ] || fail "TEST_TMPDIR not removed"
[ "$(cat tmpdir.a)" != "$(cat tmpdir.b)" ] || fail "TEST_TMPDIR shared"
[ -n "$(cat runid.a)" ] && [ "$(cat runid.a)" = "$(cat runid.b)" ] ||
	fail "FLAKEGUARD_RUN_ID missing or not shared"
contains logs/a.1.log "log line from a"
contains logs/b.1.log "log line from b"
