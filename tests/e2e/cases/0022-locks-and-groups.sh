# Suites sharing a lock, or a group with max 1, never overlap, while other
# work still runs beside them. Each critical section takes a marker file
# with noclobber: a second holder would fail to create it.
cat > crit.sh <<'SH'
#!/bin/sh
set -C
: > "$1.held" || { echo "overlap on $1"; exit 1; }
sleep 0.2
rm -f "$1.held"
SH
chmod +x crit.sh
cat > flakeguard.json <<JSON
{ "groups": { "db": { "max": 1 } },
  "suites": [
    { "name": "l1", "command": ["./crit.sh", "port"], "locks": ["port-9123"] },
    { "name": "l2", "command": ["./crit.sh", "port"], "locks": ["port-9123"] },
    { "name": "l3", "command": ["./crit.sh", "port"], "locks": ["port-9123"] },
    { "name": "g1", "command": ["./crit.sh", "db"], "group": "db" },
    { "name": "g2", "command": ["./crit.sh", "db"], "group": "db" },
    { "name": "g3", "command": ["./crit.sh", "db"], "group": "db" },
    { "name": "free", "command": ["$MISBEHAVE", "pass"] },
    { "name": "big", "command": ["$MISBEHAVE", "pass"], "slots": 99 }
  ] }
JSON
fg run -j3 --db t.db --json r.json
expect_rc 0
jq_is r.json '.summary.passed' 8
printf '{"groups": {"db": {"max": 1}}, "suites": [{"command": "true", "group": "dbx"}]}' > bad.json
fg run -c bad.json; expect_rc 2; contains err "no group 'dbx'"
