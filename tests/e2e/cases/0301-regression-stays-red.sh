# A test that passes for 30 commits and fails every attempt from commit c31
# on stays red in every run (retries do not hide it, nothing quarantines
# it) and is reported broken with c31 once chance cannot explain the streak
# (0.1135^4 < 0.001, docs/analyzer.md).
# backends: sqlite postgresql
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "parse", "command": ["sh", "-c", "exit \$(cat $PWD/mode)"] },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
echo 0 > mode
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	fg run --db t.db --retries 2 --commit "c$i" -q
	expect_rc 0
done
echo 1 > mode
for i in 31 32 33 34; do
	fg run --db t.db --retries 2 --commit "c$i" --json r.json
	expect_rc 1
	jq_is r.json '.tests[] | select(.name=="parse") | .outcome' failed
	jq_is r.json '.tests[] | select(.name=="parse") | .quarantined' false
done
jq_is r.json '.tests[] | select(.name=="parse") | .category' broken
contains out "BROKEN parse::parse: fails every attempt since commit c31"
contains out "FAILED: 1 test failed: parse (broken)"
sql_is t.db "SELECT count(*) FROM quarantine" 0
fg analyze --db t.db --json
expect_rc 0
jq_is out '.tests[0].category' broken
jq_is out '.tests[0].name' parse
# fixed later
echo 0 > mode
fg run --db t.db --retries 2 --commit c35 --json r.json
expect_rc 0
jq_is r.json '.tests[] | select(.name=="parse") | .category' fixed
