# One precedence rule for every option with a config key (issue 11/15):
# built-in default < flakeguard.json < environment < command line, and a
# value from the environment or the command line also beats a suite's own
# "timeout"/"retries".
cat > flakeguard.json <<JSON
{ "retries": 2, "timeout": "300ms", "db": "cfg.db", "jobs": 1,
  "suites": [
  { "name": "fails", "command": ["$MISBEHAVE", "fail"] }
] }
JSON
attempts() { jq -r '.tests[] | select(.name=="fails") | .attempts | length' r.json; }

# retries: config 2 -> 3 attempts; --retries 0 wins; FLAKEGUARD_RETRIES
# beats the config, and the flag beats the environment.
fg run --json r.json; expect_rc 1
[ "$(attempts)" = 3 ] || fail "config retries 2: $(attempts) attempts"
fg run --json r.json --retries 0; expect_rc 1
[ "$(attempts)" = 1 ] || fail "--retries 0: $(attempts) attempts"
FLAKEGUARD_RETRIES=1 fg run --json r.json; expect_rc 1
[ "$(attempts)" = 2 ] || fail "FLAKEGUARD_RETRIES=1: $(attempts) attempts"
FLAKEGUARD_RETRIES=1 fg run --json r.json --retries 0; expect_rc 1
[ "$(attempts)" = 1 ] || fail "flag over env: $(attempts) attempts"
FLAKEGUARD_RETRIES=x fg run --json r.json; expect_rc 2
contains err "invalid FLAKEGUARD_RETRIES 'x'"

# ...and over a suite's own "retries".
cat > suite.json <<JSON
{ "suites": [ { "name": "fails", "retries": 2,
                "command": ["$MISBEHAVE", "fail"] } ] }
JSON
fg run -c suite.json --db s.db --json r.json; expect_rc 1
[ "$(attempts)" = 3 ] || fail "suite retries 2: $(attempts) attempts"
fg run -c suite.json --db s.db --json r.json --retries 0; expect_rc 1
[ "$(attempts)" = 1 ] || fail "--retries 0 over the suite's: $(attempts)"

# db: config, then FLAKEGUARD_DB, then --db.
sql_is cfg.db "SELECT count(*) FROM runs" 4
FLAKEGUARD_DB=env.db fg run --retries 0; expect_rc 1
sql_is env.db "SELECT count(*) FROM runs" 1
FLAKEGUARD_DB=env.db fg run --retries 0 --db flag.db; expect_rc 1
sql_is flag.db "SELECT count(*) FROM runs" 1
sql_is env.db "SELECT count(*) FROM runs" 1

# timeout: config 300ms kills a 3 s sleeper; env and flag lift it, and the
# flag beats a suite's own timeout.
cat > slow.json <<JSON
{ "timeout": "300ms", "suites": [
  { "name": "sleeper", "command": ["sleep", "3"] } ] }
JSON
tstatus() { jq -r '.tests[] | select(.name=="sleeper") | .attempts[-1].status' r.json; }
fg run -c slow.json --db t.db --json r.json; expect_rc 1
[ "$(tstatus)" = timeout ] || fail "config timeout: $(tstatus)"
FLAKEGUARD_TIMEOUT=20s fg run -c slow.json --db t.db --json r.json; expect_rc 0
fg run -c slow.json --db t.db --json r.json --timeout 20s; expect_rc 0
FLAKEGUARD_TIMEOUT=20s fg run -c slow.json --db t.db --json r.json --timeout 300ms
expect_rc 1
[ "$(tstatus)" = timeout ] || fail "flag over env timeout: $(tstatus)"
cat > slow2.json <<JSON
{ "suites": [ { "name": "sleeper", "timeout": "300ms",
                "command": ["sleep", "3"] } ] }
JSON
fg run -c slow2.json --db t.db --json r.json --timeout 20s; expect_rc 0

# jobs: two tests that each wait for the other to start pass only when
# they run at the same time: config "jobs": 1 keeps them apart, -j2 and
# FLAKEGUARD_JOBS=2 let them meet.
cat > meet.json <<JSON
{ "jobs": 1, "timeout": "30s", "suites": [
  { "name": "a", "command": ["sh", "-c", "touch a.up; for i in \$(seq 50); do [ -e b.up ] && exit 0; sleep 0.1; done; exit 1"] },
  { "name": "b", "command": ["sh", "-c", "touch b.up; for i in \$(seq 50); do [ -e a.up ] && exit 0; sleep 0.1; done; exit 1"] }
] }
JSON
rm -f a.up b.up
fg run -c meet.json --db m.db; expect_rc 1
rm -f a.up b.up
fg run -c meet.json --db m.db -j2; expect_rc 0
rm -f a.up b.up
FLAKEGUARD_JOBS=2 fg run -c meet.json --db m.db; expect_rc 0

# Misspellings get a suggestion; "5 min" is refused with the fix.
fg run --retry 2 -- true; expect_rc 2
contains err "did you mean --retries?"
fg run --timeout 5 min -- true; expect_rc 2
contains err "write it as one word, '5min'"
fg analyse; expect_rc 2
contains err "did you mean 'analyze'?"
fg run --retries=0 --jobs=1 -- true; expect_rc 0
fg run -qj1 -- true; expect_rc 0
