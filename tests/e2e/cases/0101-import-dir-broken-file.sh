# import of a directory (recursive, and a quoted glob) where one file is
# broken: the others are imported, the broken one is named with its line,
# and the exit status says a file could not be read even with --no-fail.
# backends: sqlite postgresql
mkdir -p res/a res/b
cat > res/a/one.xml <<XML
<testsuite name="s1"><testcase classname="c" name="t1" time="0.5"/>
<testcase classname="c" name="t2" time="0.1"/></testsuite>
XML
cat > res/b/two.xml <<XML
<testsuite name="s2"><testcase classname="c" name="t3" time="1"/></testsuite>
XML
printf 'this is not xml at all\n' > res/b/broken.xml
echo ignored > res/a/notes.txt
fg import --db h.db --no-fail res
expect_rc 1
contains err "res/b/broken.xml"
contains out "res/a/one.xml: 2 test cases, 0 failed"
contains out "res/b/two.xml: 1 test case, 0 failed"
contains out "imported 3 tests from 3 files"
sql_is h.db "SELECT count(*) FROM run_tests" 3
# Without the broken file all pass: exit 0.
rm res/b/broken.xml
fg import --db h.db 'res/*/*.xml'
expect_rc 0
contains out "imported 3 tests from 2 files as run 2"
fg import --db h.db 'res/nomatch*.xml'
expect_rc 1
contains err "no file matches"
