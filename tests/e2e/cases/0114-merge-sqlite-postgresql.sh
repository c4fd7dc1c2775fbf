# A SQLite history moves into PostgreSQL and back (issue 14): `merge` and
# `export | import-history`, both ways, carry the same runs (the exports
# compare equal), and merging again adds nothing. Output with a tab, a
# backslash, CR, a control character and UTF-8 survives the way in (COPY).
# backends: postgresql
cat > say.sh <<'SH'
#!/bin/sh
printf 'h\303\251llo\tw\\orld\r\001 \\N end\n'
exit 1
SH
chmod +x say.sh
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "xml", "command": ["$MISBEHAVE", "junit-fail"] },
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "state"] },
  { "name": "say", "command": ["$PWD/say.sh"] }
] }
JSON
# The local history is a plain file (not NAME.db: that would be mapped).
for c in c1 c2 c3; do
	rm -f state
	"$FLAKEGUARD" run --db local.sqlite --retries 1 --commit "$c" -q \
		>/dev/null 2>&1 || true
done
"$FLAKEGUARD" export --db local.sqlite -o local.jsonl 2>/dev/null
[ "$(wc -l < local.jsonl)" = 3 ] || fail "expected 3 runs"
jq_is local.jsonl 'select(.commit=="c1") | .tests[] | select(.name=="say") | .attempts[0].output' "$(printf 'h\303\251llo\tw\\orld\r\001 \\N end\n')"
fg merge --db shared.db local.sqlite
expect_rc 0
contains out "local.sqlite: 3 runs added, 0 already here"
fg merge --db shared.db local.sqlite
expect_rc 0
contains out "local.sqlite: 0 runs added, 3 already here"
fg export --db shared.db -o shared.jsonl
expect_rc 0
cmp local.jsonl shared.jsonl || { diff local.jsonl shared.jsonl | head -n 5; fail "SQLite -> PostgreSQL changed the runs"; }
# ... and back into a new SQLite file.
"$FLAKEGUARD" merge --db back.sqlite "$(dburl shared.db)" >out 2>err ||
	{ cat err; fail "PostgreSQL -> SQLite merge failed"; }
contains out "3 runs added"
"$FLAKEGUARD" export --db back.sqlite -o back.jsonl 2>/dev/null
cmp local.jsonl back.jsonl || fail "PostgreSQL -> SQLite changed the runs"
# The same through JSON Lines.
fg import-history --db shared2.db local.jsonl
expect_rc 0
contains out "imported 3 run(s)"
fg export --db shared2.db -o shared2.jsonl
cmp local.jsonl shared2.jsonl || fail "import-history into PostgreSQL changed the runs"
sql_is shared2.db "SELECT count(*) FROM results" "$(sqlite3 local.sqlite 'SELECT count(*) FROM results')"
