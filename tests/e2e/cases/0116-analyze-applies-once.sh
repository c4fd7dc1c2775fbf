# `analyze` applies its quarantine decisions as compare-and-set
# (history_quarantine_apply): two analyses deciding at once enter the
# flaky test once, and an analysis that finds it already entered changes
# nothing. Imports make the history (told not to quarantine: an import
# judges its run as `run` does, auto-quarantine included).
# backends: sqlite postgresql
flaky() { # FILE: flip fails, then passes on its rerun; solid passes
	cat > "$1" <<XML
<testsuites>
<testsuite name="s"><testcase classname="c" name="flip"><failure message="timing"/></testcase>
<testcase classname="c" name="solid"/></testsuite>
<testsuite name="s"><testcase classname="c" name="flip"/></testsuite>
</testsuites>
XML
}
flaky f.xml
for c in c1 c2 c3; do
	fg import --db h.db --no-fail --policy auto=false --commit "$c" f.xml
	expect_rc 0
done
sql_is h.db "SELECT count(*) FROM quarantine" 0
db=$(dburl h.db)
"$FLAKEGUARD" analyze --db "$db" >a1.out 2>a1.err &
p1=$!
"$FLAKEGUARD" analyze --db "$db" >a2.out 2>a2.err &
p2=$!
wait $p1 || fail "analyze 1 failed: $(cat a1.err)"
wait $p2 || fail "analyze 2 failed: $(cat a2.err)"
sql_is h.db "SELECT count(*) FROM quarantine" 1
sql_is h.db "SELECT count(*) FROM quarantine q JOIN tests t ON t.id = q.test_id WHERE t.name = 'flip' AND q.released_at IS NULL AND q.source = 'auto'" 1
fg analyze --db h.db
expect_rc 0
contains out "Policy changes: none"
sql_is h.db "SELECT count(*) FROM quarantine" 1
