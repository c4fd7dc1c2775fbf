# Identity (issue 10): `import --name NAME` gives exactly the ids `run`
# records for a suite named NAME; history and quarantine take the
# frameworks' own ids (pytest node ids, GoogleTest Suite.Test); every
# failure prints a line that reproduces it alone, and that line works.
fx=$(cd "$CASEDIR/../../fixtures/junit" && pwd)
pkg-config --exists gtest && command -v g++ >/dev/null ||
	fail "GoogleTest (libgtest-dev) and g++ are needed: make deps installs them"
g++ -std=c++17 -o sample "$fx/gtest/sample_test.cc" \
	$(pkg-config --cflags --libs gtest_main) -pthread
# pytest as its JUnit shows it (pytest itself is not on this machine)
cat > pytest <<SH
#!/bin/sh
for a; do case \$a in --junitxml=*) cp $fx/pytest/report.xml "\${a#--junitxml=}" ;; esac; done
exit 1
SH
chmod +x pytest
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "py", "command": ["./pytest", "-q", "--junitxml={junit}"] },
  { "name": "gt", "command": ["./sample", "--gtest_output=xml:{junit}"] }
] }
JSON
fg run --db run.db --json r.json
expect_rc 1
fg import --db imp.db --name py "$fx/pytest/report.xml"
fg import --db imp.db --name gt --no-fail r.json 2>/dev/null || true
./sample --gtest_output=xml:gt.xml >/dev/null 2>&1 || true
fg import --db imp.db --name gt gt.xml
sqlite3 run.db "SELECT suite, classname, name FROM tests ORDER BY 1, 2, 3" > run.ids
sqlite3 imp.db "SELECT suite, classname, name FROM tests ORDER BY 1, 2, 3" > imp.ids
diff run.ids imp.ids || fail "run and import --name disagree on test ids"
[ "$(wc -l < run.ids)" -gt 15 ] || fail "too few tests: $(cat run.ids)"

# The frameworks' own ids.
fg history --db run.db 'test_sample.py::TestGroup::test_in_class'
expect_rc 0
contains out "py::test_sample.TestGroup::test_in_class"
fg history --db run.db 'test_sample.py::test_unicode[a<b&c]'
expect_rc 0
fg history --db run.db Math.FailsTwice
expect_rc 0
contains out "gt::Math::FailsTwice"
fg quarantine --db run.db add 'Nums/Param.IsEven/1' --reason "odd numbers"
expect_rc 0
contains out "gt::Nums/Param::IsEven/1"
fg quarantine --db run.db remove 'Nums/Param.IsEven/1'
expect_rc 0
fg history --db run.db 'nope.py::Nothing::here'
expect_rc 2

# A line to reproduce each failure alone, in every report; it runs just
# that test.
fg run --db run.db --json r.json --markdown r.md --html r.html
expect_rc 1
contains out "reproduce: "
gline=$(jq -r '.tests[] | select(.classname == "Math" and .name == "FailsTwice") | .reproduce' r.json)
case "$gline" in *"--gtest_filter=Math.FailsTwice"*) ;; *) fail "gtest repro: $gline" ;; esac
line=$(jq -r '.tests[] | select(.name == "test_fail") | .reproduce' r.json)
case "$line" in *"./pytest -q test_sample.py::test_fail") ;; *) fail "pytest repro: $line" ;; esac
line=$(jq -r '.tests[] | select(.name == "test_in_class") | .reproduce' r.json)
[ "$line" = null ] || fail "a passing test got a repro line"
line=$(jq -r '.tests[] | select(.name == "test_pass_and_teardown_error") | .reproduce' r.json)
case "$line" in *"test_sample.py::test_pass_and_teardown_error") ;; *) fail "pytest repro: $line" ;; esac
grep -q 'gtest_filter=Math.FailsTwice' r.md || fail "no repro line in Markdown"
grep -q 'gtest_filter=Math.FailsTwice' r.html || fail "no repro line in HTML"
set +e
sh -c "$gline" > repro.out 2>&1
set -e
grep -q "1 test" repro.out || fail "the repro line did not run one test: $(cat repro.out)"
grep -q "FailsTwice" repro.out || fail "the repro line ran the wrong test"
