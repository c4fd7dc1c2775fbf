# Per-test policy by pattern (issue 11): "overrides" put two cases of one
# suite under a lock (they would collide at -j3 otherwise), give one case
# its own timeout and retries, and an override that matches nothing is
# named in a warning. A test's identity does not change.
cat > case.sh <<'SH'
#!/bin/sh
# case.sh NAME: "a" and "b" share a resource; "slow" sleeps; "flaky" fails once.
case $1 in
a|b)	echo "$1" >> shared; sleep 1
	[ "$(cat shared)" = "$1" ] || { echo "collision: $(cat shared)"; rm -f shared; exit 1; }
	rm -f shared ;;
slow)	sleep 3 ;;
flaky)	[ -e flaky.seen ] || { touch flaky.seen; exit 1; } ;;
esac
exit 0
SH
chmod +x case.sh
cat > base.json <<'JSON'
{ "suites": [ { "name": "uv", "cases": { "list": ["printf", "a\nb\nc\nslow\nflaky\n"],
                                         "run": ["./case.sh", "{case}"] },
                "command": ["./case.sh"] } ] }
JSON
jq '. + {"overrides": [
  {"filter": "uv::[ab]", "locks": ["shared-file"]},
  {"filter": "slow", "timeout": "500ms", "retries": 0},
  {"filter": "flak*", "retries": 2},
  {"filter": "tcp_*", "group": "net"}],
  "groups": {"net": {"max": 1}}}' base.json > flakeguard.json
for i in 1 2 3; do
	rm -f shared flaky.seen
	fg run --db h.db --json r.json -j3
	expect_rc 1
	jq_is r.json '.tests[] | select(.name == "a") | .outcome' passed
	jq_is r.json '.tests[] | select(.name == "b") | .outcome' passed
	jq_is r.json '.tests[] | select(.name == "slow") | .attempts | map(.status) | join(",")' timeout
	jq_is r.json '.tests[] | select(.name == "flaky") | .outcome' flaky
done
contains err "overrides[3]: filter 'tcp_*' matches no test"
# the same tests, the same ids, with or without overrides
sqlite3 h.db "SELECT suite, classname, name FROM tests ORDER BY 3" > with.ids
rm -f shared flaky.seen
fg run -c base.json --db h.db --json r.json -j3
sqlite3 h.db "SELECT suite, classname, name FROM tests ORDER BY 3" > without.ids
diff with.ids without.ids || fail "overrides changed test ids"
# without the lock the two collide (the check above can fail)
jq_is r.json '.tests[] | select(.name == "a") | .outcome' failed
# bad overrides are config errors naming the place
echo '{"suites": [{"command": "true"}], "overrides": [{"timeout": "5s"}]}' > bad.json
fg run -c bad.json --db h.db
expect_rc 2
contains err "overrides[0]: missing \"filter\""
echo '{"suites": [{"command": "true"}], "overrides": [{"filter": "x", "group": "nope"}]}' > bad.json
fg run -c bad.json --db h.db
expect_rc 2
contains err "overrides[0].group: no group 'nope'"
