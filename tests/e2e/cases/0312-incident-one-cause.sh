# Issue 12 point 4: many tests failing in one run the same way (here four
# suites connecting to a server that is not there: real refused TCP
# connections) are one incident, named once in the verdict and in every
# report; a failure of its own stays apart. The threshold: at least 3
# tests and at least half of the failed ones (docs/analyzer.md).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat > client.py <<PY
import socket, sys
print("connecting to the database")
sys.stdout.flush()
socket.create_connection(("127.0.0.1", $port), timeout=5)
PY
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "orders", "command": ["python3", "$PWD/client.py"] },
  { "name": "users", "command": ["python3", "$PWD/client.py"] },
  { "name": "billing", "command": ["python3", "$PWD/client.py"] },
  { "name": "search", "command": ["python3", "$PWD/client.py"] },
  { "name": "parser", "command": ["sh", "-c", "echo 'expected 3, got 4'; exit 1"] },
  { "name": "math", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --json r.json --markdown r.md --html r.html
expect_rc 1
sig='ConnectionRefusedError: [Errno N] Connection refused'
contains out "FAILED: 5 tests failed: one incident: 4 of 5 failed tests failed alike: \"$sig\"; parser (new)"
contains out "Incident: 4 of 5 failed tests failed alike"
contains out "    - orders"
contains out "    - search"
lacks out "    - parser"
jq_is r.json '.incidents | length' 1
jq_is r.json '.incidents[0].signature' "$sig"
jq_is r.json '.incidents[0].tests' 4
jq_is r.json '.incidents[0].failed_tests' 5
jq_is r.json '[.tests[] | select(.incident == 1) | .name] | sort | join(",")' billing,orders,search,users
jq_is r.json '.tests[] | select(.name=="parser") | has("incident")' false
jq_is r.json '.tests[] | select(.name=="orders") | .hint_kind' exit
contains r.md "### Incident: 4 of 5 failed tests failed alike"
contains r.html '<section id="incidents">'
# the same from the database
fg report --db t.db --run 1 --json rep.json
jq_is rep.json '.incidents[0].tests' 4
contains out "one incident: 4 of 5 failed tests failed alike"
# two of them alone are no incident (below 3 tests)
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "orders", "command": ["python3", "$PWD/client.py"] },
  { "name": "users", "command": ["python3", "$PWD/client.py"] },
  { "name": "math", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --json r.json
expect_rc 1
jq_is r.json 'has("incidents")' false
lacks out "incident"
