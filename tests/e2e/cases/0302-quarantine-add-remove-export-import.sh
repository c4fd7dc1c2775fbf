# quarantine add/list/remove/export/import round trip: the file is sorted,
# one entry per test, stable across exports, and imports into a new
# database as it was.
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "b", "command": ["$MISBEHAVE", "pass"] },
  { "name": "a", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --commit c1 -q
expect_rc 0
fg quarantine --db t.db add b --reason "hangs on CI" --owner ana --expires 2099-01-31 --issue https://example.org/1
expect_rc 0
contains out "quarantined b::b: hangs on CI"
fg quarantine --db t.db add a::a --reason "order dependent" --mode skip
expect_rc 0
fg quarantine --db t.db add x --reason nope
expect_rc 2
contains err "no test 'x'"
fg quarantine --db t.db add a::a
expect_rc 2
fg quarantine --db t.db list --json
expect_rc 0
jq_is out 'length' 2
jq_is out '.[0].name' a
jq_is out '.[0].mode' skip
jq_is out '.[1].owner' ana
jq_is out '.[1].source' manual
jq_is out '.[1].expires[0:10]' 2099-01-31
jq_is out '.[1].evidence.runs' 1
fg quarantine --db t.db list
contains out "owner ana"
contains out "2 tests quarantined"
fg quarantine --db t.db export q.json
expect_rc 0
jq_is q.json '[.tests[].name] | join(",")' a,b
jq_is q.json '.tests[1].issue' https://example.org/1
cp q.json q1.json
fg quarantine --db t.db export q.json
cmp q.json q1.json || fail "export is not stable"
fg quarantine --db new.db import q.json
expect_rc 0
contains out "2 entries imported"
fg quarantine --db new.db export q2.json
cmp q.json q2.json || { diff q.json q2.json; fail "import/export changed the file"; }
fg quarantine --db t.db remove b
expect_rc 0
contains out "released b::b"
fg quarantine --db t.db remove b
expect_rc 2
fg quarantine --db t.db list --json
jq_is out 'length' 1
sql_is t.db "SELECT released_reason FROM quarantine q JOIN tests t ON t.id = q.test_id WHERE t.name = 'b'" removed
