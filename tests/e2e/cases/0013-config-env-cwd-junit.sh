# {junit} substitution in command and env, per-suite env, cwd relative to
# the config file, and a string command run through /bin/sh -c.
mkdir -p proj/sub
cat > proj/flakeguard.json <<JSON
{ "suites": [
  { "name": "env", "command": ["$MISBEHAVE", "env", "GREETING"], "env": {"GREETING": "hello-env"} },
  { "name": "cwd", "command": "pwd > where.txt", "cwd": "sub" },
  { "name": "arg", "command": ["$MISBEHAVE", "junit-pass", "{junit}"] },
  { "name": "shell", "command": "test -n \"\$FLAKEGUARD_JUNIT\" && test \"\$FLAKEGUARD_ATTEMPT\" = 1" }
] }
JSON
fg run -c proj/flakeguard.json --db t.db --json r.json
expect_rc 0
[ "$(cat proj/sub/where.txt)" = "$(cd proj/sub && pwd)" ] || fail "cwd not applied"
jq_is r.json '[.tests[] | select(.suite=="arg")] | length >= 2' true
jq_is r.json '.summary.failed' 0
