# History moves between databases as JSON Lines: export, import-history
# into another database, export again: the same lines. Importing twice adds
# nothing; --since filters; a malformed line is named and skipped.
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "xml", "command": ["$MISBEHAVE", "junit-fail"] },
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "state"] }
] }
JSON
fg run --db a.db --retries 1 --commit c1; expect_rc 1
fg run --db a.db --commit c2; expect_rc 1
fg export --db a.db -o a.jsonl; expect_rc 0
[ "$(wc -l < a.jsonl)" = 2 ] || fail "expected 2 lines"
jq_is a.jsonl 'select(.commit=="c1") | .tests[] | select(.name=="flip") | .attempts | length' 2
fg import-history --db b.db a.jsonl; expect_rc 0
contains out "imported 2 run(s)"
fg import-history --db b.db a.jsonl; expect_rc 0
contains out "imported 0 run(s) into $(dbshow b.db), 2 already there"
fg export --db b.db -o b.jsonl; expect_rc 0
cmp a.jsonl b.jsonl || fail "export after import differs"
fg export --db a.db --since 2999-01-01; expect_rc 0
[ ! -s out ] || fail "--since in the future exported runs"
fg export --db a.db --since 1d; expect_rc 0
[ "$(wc -l < out)" = 2 ] || fail "--since 1d lost runs"
{ head -n 1 a.jsonl; echo '{"format": "flakeguard-run/1", "uuid": "x"'; } > bad.jsonl
fg import-history --db c.db bad.jsonl; expect_rc 1
contains err "bad.jsonl:2:"
sql_is c.db "select count(*) from runs" 1
fg export --db a.db --since yesterday; expect_rc 2
fg export --db missing.db; expect_rc 3
# Wrong types are named, not stored as empty strings or negative times.
jq -c '.tests[0].suite = 5' a.jsonl | head -n 1 > typed.jsonl
fg import-history --db d.db typed.jsonl; expect_rc 1
contains err "typed.jsonl:1: a test field has the wrong type"
jq -c '.started_at_ms = -1 | .uuid = "neg"' a.jsonl | head -n 1 > neg.jsonl
fg import-history --db d.db neg.jsonl; expect_rc 1
contains err "negative"
fg run --db '' -- true; expect_rc 2
