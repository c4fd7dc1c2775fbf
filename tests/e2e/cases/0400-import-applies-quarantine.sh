# issue 15 (point 4): `import` judges its run as `run` does. A failure of a
# quarantined test imports as quarantined (stored so, shown so in --json,
# exit 0); a failure of a test not quarantined still exits 1; with
# --json the run is loaded back from the database.
# backends: sqlite postgresql
junit() { # FILE then "name:pass|fail" ...
	f=$1; shift
	{
		echo '<testsuite name="s">'
		for t in "$@"; do
			case $t in
			*:fail) echo "<testcase classname=\"c\" name=\"${t%:*}\"><failure message=\"boom\">trace</failure></testcase>" ;;
			*) echo "<testcase classname=\"c\" name=\"${t%:*}\"/>" ;;
			esac
		done
		echo '</testsuite>'
	} > "$f"
}
junit green.xml a:pass b:pass
fg import --db h.db --commit c1 green.xml
expect_rc 0
fg quarantine --db h.db add s::c::a --reason "known flaky"
expect_rc 0

# a fails, and a is quarantined: not a failure of the run
junit red-a.xml a:fail b:pass
fg import --db h.db --commit c2 --json r.json red-a.xml
expect_rc 0
contains out "imported 2 tests"
jq_is r.json '.tests[] | select(.name == "a") | .outcome' quarantined
jq_is r.json '.tests[] | select(.name == "b") | .outcome' passed
jq_is r.json '.tests[] | select(.name == "a") | .attempts[0].message' boom
jq_is r.json '.summary.quarantined' 1
jq_is r.json '.summary.failed' 0
sql_is h.db "SELECT rt.outcome FROM run_tests rt JOIN tests t ON t.id = rt.test_id JOIN runs r ON r.id = rt.run_id WHERE t.name = 'a' AND r.commit_sha = 'c2'" 4
fg history --db h.db s::c::a
expect_rc 0

# --json - : the document on stdout, the lines on stderr
fg import --db h.db --commit c3 --json - red-a.xml
expect_rc 0
jq_is out '.tests[] | select(.name == "a") | .outcome' quarantined
contains err "imported 2 tests"

# b is not quarantined: its failure fails the import
junit red-b.xml a:pass b:fail
fg import --db h.db --commit c4 red-b.xml
expect_rc 1
contains out "imported 2 tests"
# --no-fail still only imports
fg import --db h.db --commit c5 --no-fail red-b.xml
expect_rc 0

# both fail: the quarantined one does not count, the other does
junit red-ab.xml a:fail b:fail
fg import --db h.db --commit c6 --json both.json red-ab.xml
expect_rc 1
jq_is both.json '.tests[] | select(.name == "a") | .outcome' quarantined
jq_is both.json '.tests[] | select(.name == "b") | .outcome' failed

# the same failure from a committed quarantine file only
fg import --db f.db --commit c1 green.xml
expect_rc 0
fg import --db f.db --commit c2 red-b.xml
expect_rc 1
fg quarantine --db h.db export q.json
expect_rc 0
fg import --db f.db --commit c3 --quarantine q.json red-a.xml
expect_rc 0
fg import --db f.db --commit c4 red-a.xml
expect_rc 1

# a bad policy key is a usage error, said before anything is read
fg import --db h.db --policy nosuchkey=1 red-a.xml
expect_rc 2

# A run bigger than one judging slice (1,024 tests): judged the same.
many() { # FILE FAILING...: 2,100 tests t0..t2099, the named ones fail
	f=$1; shift
	python3 - "$f" "$@" <<'PY'
import sys
f, failing = sys.argv[1], set(sys.argv[2:])
with open(f, "w") as o:
    o.write('<testsuite name="big">\n')
    for i in range(2100):
        n = "t%d" % i
        if n in failing:
            o.write('<testcase classname="k" name="%s"><failure message="m"/></testcase>\n' % n)
        else:
            o.write('<testcase classname="k" name="%s"/>\n' % n)
    o.write('</testsuite>\n')
PY
}
many g2.xml
fg import --db b.db --commit c1 g2.xml
expect_rc 0
fg quarantine --db b.db add big::k::t2000 --reason "known"
expect_rc 0
many r2.xml t2000
fg import --db b.db --commit c2 --json b2.json r2.xml
expect_rc 0
contains out "no real failures; 1 quarantined failure not counted"
jq_is b2.json '.tests[] | select(.name == "t2000") | .outcome' quarantined
many r3.xml t5 t1500 t2000
fg import --db b.db --commit c3 r3.xml
expect_rc 1
contains out "2 tests failed: t5 (new), t1500 (new)"
