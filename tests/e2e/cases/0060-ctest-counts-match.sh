# issue 10: `flakeguard run --ctest build` runs a real CMake project's
# tests itself and judges each one as `ctest -j2` does. The project
# (tests/fixtures/buildsys/cmake) uses every property flakeguard maps:
# WORKING_DIRECTORY, ENVIRONMENT, ENVIRONMENT_MODIFICATION, TIMEOUT,
# SKIP_RETURN_CODE, WILL_FAIL, DISABLED, RESOURCE_LOCK, RUN_SERIAL,
# PROCESSORS, LABELS, FIXTURES_SETUP/CLEANUP/REQUIRED, DEPENDS, the three
# regular expressions, REQUIRED_FILES, a test whose program was not built,
# a crash and a GoogleTest binary.
command -v cmake >/dev/null || fail "cmake is needed: make deps installs it"
fix=$CASEDIR/../../fixtures/buildsys
. "$CASEDIR/../buildsys-compare.sh"
cp -r "$fix/cmake" proj
cmake -S proj -B build >cmake.log 2>&1 || { cat cmake.log; fail "cmake"; }
cmake --build build -j2 >build.log 2>&1 || { cat build.log; fail "build"; }
# GONE is set for both; the test checks ENVIRONMENT_MODIFICATION unset it
export GONE=1

(cd build && ctest -j2 >../ctest.out 2>&1) || true
ctest_outcomes ctest.out > ctest.txt
[ "$(wc -l < ctest.txt)" = 28 ] || { cat ctest.out; fail "ctest ran $(wc -l < ctest.txt) tests, not 28"; }
rm -f build/order.log

fg run --ctest build -j2 --db h.db --json r.json
expect_rc 1
fg_outcomes r.json > fg.txt
same "flakeguard's and ctest's outcomes" ctest.txt fg.txt

# The GoogleTest binary is one ctest test, and three cases here.
jq_is r.json '[.tests[] | select(.suite == "gt")] | length' 3
jq_is r.json '.tests[] | select(.suite == "gt" and .name == "bad") | .outcome' failed
jq_is r.json '.tests[] | select(.suite == "gt" and .classname == "A" and .name == "ok") | .outcome' passed
# Reasons, as ctest gives them.
jq_is r.json '.tests[] | select(.suite == "baduse") | .attempts[0].message' \
	"not run: fixture 'bad' setup 'badsetup' failed"
jq_is r.json '.tests[] | select(.suite == "disabled") | .attempts[0].message' \
	"not run: disabled (DISABLED in CTest)"
jq_is r.json '.tests[] | select(.suite == "reqmissing") | .attempts[0].status' error
jq_is r.json '.tests[] | select(.suite == "nocmd") | .attempts[0].status' error
jq_is r.json '.tests[] | select(.suite == "nocmd") | .reproduce // "none"' none
jq_is r.json '.tests[] | select(.suite == "timeout") | .attempts[0].status' timeout
jq_is r.json '.tests[] | select(.suite == "crash") | .attempts[0].status' crashed
# The fixture ran in order: the setup, both users, then the cleanup (and
# REQUIRED_FILES was judged when the users started, after the setup
# made the file).
[ "$(cat build/order.log | tr '\n' ' ')" = "setup use use clean " ] ||
	fail "fixture order: $(cat build/order.log | tr '\n' ' ')"

# --label: the same selection as ctest -L, the fixture's setup and
# cleanup brought along.
(cd build && ctest -N -L unit) | sed -n 's/^ *Test *#[0-9]*: //p' | sort > want.txt
fg list --ctest build --label unit --db h.db --json
expect_rc 0
jq -r '.tests[].suite' out | sort > got.txt
same "ctest -L unit and --label unit" want.txt got.txt
fg run --ctest build --label fast --db h.db --json r2.json
expect_rc 0
jq_is r2.json '[.tests[].suite] | sort | join(" ")' "lockA lockB"
fg run --ctest build --label nosuch --db h.db
expect_rc 2
contains err "no suite has label 'nosuch'"
contains err "labels here: db, fast, unit"

# Tests named on the command line (or --suite) bring their fixtures along,
# as ctest -R does.
(cd build && ctest -N -R '^dbuse1$') | sed -n 's/^ *Test *#[0-9]*: //p' | sort > want.txt
fg run --ctest build --db h.db --json r3.json dbuse1
expect_rc 0
jq -r '.tests[].suite' r3.json | sort > got.txt
same "ctest -R dbuse1 and run --ctest build dbuse1" want.txt got.txt
fg run --ctest build --suite 'dbuse*' --db h.db --json r4.json
expect_rc 0
jq_is r4.json '[.tests[].suite] | sort | join(" ")' "dbclean dbsetup dbuse1 dbuse2"
