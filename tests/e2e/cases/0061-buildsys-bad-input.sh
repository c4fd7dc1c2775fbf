# issue 10, bad input: a ctest or meson that fails, hangs, prints garbage
# or lists no test, a build dir that is missing or not configured, a
# config naming a test that does not exist: each a clear error naming the
# command or file, exit 2 (3 when the tool cannot start or hangs), nothing
# run and nothing written to the database.
mkdir bin build
fake() { # fake NAME SCRIPT: bin/NAME runs SCRIPT
	printf '#!/bin/sh\n%s\n' "$2" > "bin/$1"
	chmod +x "bin/$1"
}
touch build/CTestTestfile.cmake
# the database has one run; none of the failures below may add one
fg run --db h.db -- /bin/true
expect_rc 0
runs() { sqlite3 h.db 'SELECT count(*) FROM runs'; }
[ "$(runs)" = 1 ] || fail "no first run"
P=$PWD/bin:$PATH

fake ctest 'echo "CMake Error: not a build tree" >&2; exit 8'
PATH=$P fg run --ctest build --db h.db
expect_rc 2
contains err "ctest --show-only=json-v1 in 'build': exited with status 8"
contains err "CMake Error: not a build tree"

fake ctest 'echo "No tests were found!!!"'
PATH=$P fg run --ctest build --db h.db
expect_rc 2
contains err "ctest --show-only=json-v1 in 'build': not JSON: line 1"

fake ctest 'printf "{\"kind\": \"ctestInfo\", \"version\": {\"major\": 1}, \"tests\": [{\"name\": \"t\", \"comm"'
PATH=$P fg run --ctest build --db h.db
expect_rc 2
contains err "ctest --show-only=json-v1 in 'build': not JSON"

fake ctest 'printf "{\"kind\": \"ctestInfo\", \"version\": {\"major\": 1}, \"tests\": []}"'
PATH=$P fg list --ctest build --db h.db
expect_rc 2
contains err "'build': no tests"

fake ctest 'printf "{\"kind\": \"ctestInfo\", \"version\": {\"major\": 1}, \"tests\": [{\"name\": \"t\", \"command\": [\"/bin/true\"], \"properties\": [{\"name\": \"TIMEOUT\", \"value\": \"x\"}]}]}"'
PATH=$P fg run --ctest build --db h.db
expect_rc 2
contains err "test 't': TIMEOUT: expected a number"

fake ctest 'exec sleep 30'
PATH=$P FLAKEGUARD_LIST_TIMEOUT=1s fg run --ctest build --db h.db
expect_rc 3
contains err "ctest --show-only=json-v1 in 'build': 'ctest' did not finish within 1.000s"
no_process_left "$PWD/bin/ctest"

fake ctest 'kill -SEGV $$'
PATH=$P fg run --ctest build --db h.db
expect_rc 3
contains err "killed by signal 11"

# no ctest at all
mkdir nobin && ln -s "$(command -v sh)" nobin/sh
PATH=$PWD/nobin fg run --ctest build --db h.db
expect_rc 3
contains err "could not start 'ctest'"

# a build dir that is missing, a file, or not configured (the real ctest)
fg run --ctest nowhere --db h.db
expect_rc 2
contains err "ctest build dir 'nowhere': No such file or directory"
fg run --ctest h.db --db h.db
expect_rc 2
contains err "not a directory"
mkdir empty
fg run --ctest empty --db h.db
expect_rc 2
contains err "'empty': no tests: there is no CTestTestfile.cmake"

# meson: not a build dir (the real meson), garbage, hangs
if command -v meson >/dev/null; then
	fg run --meson empty --db h.db
	expect_rc 2
	contains err "meson introspect --tests 'empty': exited with status 1"
	contains err "not a meson build directory"
fi
fake meson 'echo "[{\"name\": \"t\", \"cmd\": [\"a\"], \"protocol\": \"junit\"}]"'
PATH=$P fg run --meson empty --db h.db
expect_rc 2
contains err "meson introspect --tests 'empty': test 't': unknown protocol 'junit'"
fake meson 'echo "[]"'
PATH=$P fg run --meson empty --db h.db
expect_rc 2
contains err "meson introspect --tests 'empty': no tests"
fake meson 'exec sleep 30'
PATH=$P FLAKEGUARD_LIST_TIMEOUT=500ms fg run --meson empty --db h.db
expect_rc 3
contains err "did not finish within 0.500s"

# the config: "from" relative to its file; an entry naming no test
mkdir sub
fake ctest 'printf "{\"kind\": \"ctestInfo\", \"version\": {\"major\": 1}, \"tests\": [{\"name\": \"t\", \"command\": [\"/bin/true\"]}]}"'
cp build/CTestTestfile.cmake empty/
cat > sub/fg.json <<'JSON'
{ "from": { "ctest": "../empty" },
  "suites": [ { "name": "tt", "retries": 2 } ] }
JSON
PATH=$P fg run -c sub/fg.json --db h.db
expect_rc 2
contains err "sub/fg.json: suites[0]: no \"command\", and ctest 'sub/../empty' has no test named 'tt'"
sed 's/"tt"/"t"/' sub/fg.json > sub/ok.json
PATH=$P fg run -c sub/ok.json --db h.db --json r.json
expect_rc 0
jq_is r.json '.tests[0].suite' t
# programs and --ctest exclude each other
fg run --ctest build --db h.db -- /bin/true
expect_rc 2
contains err "programs and --ctest or --meson exclude each other"

[ "$(runs)" = 2 ] || fail "$(runs) runs in the database: a failed import wrote one"
