# A run's selection (schema 6) travels with it: `export` writes it,
# `import-history` and `merge` keep it, so a history moved to another
# database still compares like with like (missing tests). A line written
# before the field existed imports with no selection, and such a run is
# never a baseline.
# backends: sqlite postgresql
cat >flakeguard.json <<JSON
{ "suites": [
  { "name": "a", "command": ["$MISBEHAVE", "pass"] },
  { "name": "b", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db a.db --branch main
expect_rc 0
fg run --db a.db --branch main --suite b --filter 'b*'
expect_rc 0
fg export --db a.db -o a.jsonl
expect_rc 0
jq -s -r '[.[].selection] | join(";")' a.jsonl >sel
[ "$(cat sel)" = "config flakeguard.json;config flakeguard.json --suite b --filter 'b*'" ] ||
	fail "export: $(cat sel)"
fg import-history --db b.db a.jsonl
expect_rc 0
sql_is b.db "SELECT selection FROM runs ORDER BY started_at, id" \
	"config flakeguard.json
config flakeguard.json --suite b --filter 'b*'"
fg export --db b.db -o b.jsonl
expect_rc 0
cmp a.jsonl b.jsonl || fail "export after import differs"
fg merge --db c.db a.db
expect_rc 0
sql_is c.db "SELECT count(*) FROM runs WHERE selection = 'config flakeguard.json'" 1
# the merged history is a baseline like the original
fg run --db c.db --branch main --suite a --json r.json
expect_rc 0
jq_is r.json '.missing' null
fg run --db c.db --branch main --json r.json
expect_rc 0
jq_is r.json '.missing.since_run' 1

# a line from before: no "selection" at all
jq -c 'del(.selection) | .uuid = "old-1"' a.jsonl | head -n 1 >old.jsonl
fg import-history --db d.db old.jsonl
expect_rc 0
sql_is d.db "SELECT count(*) FROM runs WHERE selection IS NULL" 1
fg run --db d.db --branch main --json r.json
expect_rc 0
jq_is r.json '.missing' null
# a wrong type is named
jq -c '.selection = 5 | .uuid = "bad-1"' a.jsonl | head -n 1 >bad.jsonl
fg import-history --db d.db bad.jsonl
expect_rc 1
contains err "bad.jsonl:1: a run field has the wrong type"
