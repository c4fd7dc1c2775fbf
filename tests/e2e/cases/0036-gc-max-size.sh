# gc --max-size keeps the history under a size by dropping the oldest runs
# (the CI cache stays bounded); the newest runs survive.
{
	echo '<testsuite name="big">'
	i=0
	while [ $i -lt 400 ]; do
		echo "<testcase classname=\"c\" name=\"test_$i\" time=\"0.01\"><failure message=\"boom $i\">trace trace trace trace trace</failure></testcase>"
		i=$((i + 1))
	done
	echo '</testsuite>'
} > big.xml
r=0
while [ $r -lt 15 ]; do
	fg import -q --no-fail --db h.db --commit "c$r" big.xml; expect_rc 0
	r=$((r + 1))
done
before=$(stat -c %s h.db)
fg gc --db h.db --max-size 400K; expect_rc 0
contains out "deleted"
after=$(stat -c %s h.db)
[ "$after" -le 409600 ] || fail "still $after bytes (was $before)"
sql_is h.db "select commit_sha from runs order by started_at desc, id desc limit 1" c14
[ "$(sqlite3 h.db 'select count(*) from runs')" -ge 1 ] || fail "no run left"
sql_is h.db "pragma integrity_check" ok
fg gc --db h.db --max-size 12x; expect_rc 2
