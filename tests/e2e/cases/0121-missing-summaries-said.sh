# Issue 14: tests without a summary (a database from before summaries, or
# after merge or gc dropped them) are read from the results, which makes
# one run slow at scale. The run says so once, while it happens, with how
# many; the next run has their summaries and says nothing.
# backends: sqlite postgresql
cat > gen.sh <<'SH'
# gen.sh N FAILING: JUnit for 60 tests, test N failing when FAILING=1
i=0
echo '<testsuites><testsuite name="many">'
while [ $i -lt 60 ]; do
	if [ $i -eq "$1" ] && [ "$2" = 1 ]; then
		echo "<testcase classname=\"c\" name=\"t$i\"><failure message=\"boom\"/></testcase>"
	else
		echo "<testcase classname=\"c\" name=\"t$i\"/>"
	fi
	i=$((i + 1))
done
echo '</testsuite></testsuites>'
SH
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "many", "junit": "{junit}",
  "command": ["sh", "-c", "sh $PWD/gen.sh 7 \${FAIL:-0} > {junit}"] } ] }
JSON
# new tests have no runs to read: nothing to say
for n in 1 2 3; do
	fg run --db h.db --commit "c$n"
	expect_rc 0
	lacks err "no summary"
	lacks err "read from the results"
done
sql h.db "DELETE FROM test_summary"
FAIL=1 fg run --db h.db --commit c4
expect_rc 1
contains err "50 of the first 50 tests have no summary"
# (50 of them when it is said; the count at the end says all)
contains err "in all, 60 of 60 tests were read from the results"
contains out "t7"
sql_is h.db "SELECT count(*) FROM test_summary" 60
fg run --db h.db --commit c5
expect_rc 0
lacks err "no summary"
lacks err "read from the results"
# import judges in slices of tests: said once for the whole import
python3 -c '
import sys
print("<testsuites><testsuite name=\"big\">")
for i in range(2200):
    print("<testcase classname=\"c\" name=\"b%d\"/>" % i)
print("</testsuite></testsuites>")' > big.xml
for c in i1 i2; do
	fg import --db h.db --commit "$c" big.xml
	expect_rc 0
	lacks err "no summary"
done
sql h.db "DELETE FROM test_summary"
fg import --db h.db --commit i3 big.xml
expect_rc 0
[ "$(grep -c "have no summary" err)" = 1 ] ||
	fail "said $(grep -c "have no summary" err) times: $(cat err)"
