# A suite that lists its cases and runs one at a time: each case is its own
# process (argv, never a shell), and a retry reruns only the failed case.
cat > lister.sh <<'SH'
#!/bin/sh
printf 'alpha\nbeta\nname with spaces\n$(touch pwned)\n'
SH
cat > runone.sh <<'SH'
#!/bin/sh
# fails "beta" on its first attempt only
echo "running [$1] attempt $FLAKEGUARD_ATTEMPT case=$FLAKEGUARD_CASE"
[ "$1" = beta ] && [ "$FLAKEGUARD_ATTEMPT" = 1 ] && exit 1
exit 0
SH
chmod +x lister.sh runone.sh
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "cases", "command": ["false"],
  "cases": { "list": ["./lister.sh"], "run": ["./runone.sh", "{case}"] } } ] }
JSON
fg list --json; expect_rc 0
jq_is out '.tests | length' 4
jq_is out '[.tests[].name] | sort | join(",")' '$(touch pwned),alpha,beta,name with spaces'
fg run --db t.db --json r.json --retries 1
expect_rc 0
[ ! -e pwned ] || fail "a case name went through a shell"
jq_is r.json '.summary.total' 4
jq_is r.json '.tests[] | select(.name=="beta") | .outcome' flaky
jq_is r.json '.tests[] | select(.name=="alpha") | .attempts | length' 1
jq_is r.json '.tests[] | select(.name=="name with spaces") | .outcome' passed
# Regression: a lister that exits right after closing its output (a bare
# `cat FILE`) was killed between the two and reported as "signal 9".
printf 'one\ntwo\n' > cases.txt
cat > quick.json <<JSON
{ "suites": [ { "name": "quick", "command": ["false"],
  "cases": { "list": ["cat", "cases.txt"], "run": ["echo", "{case}"] } } ] }
JSON
n=0
while [ $n -lt 20 ]; do
	fg run -c quick.json --db q.db; expect_rc 0
	n=$((n + 1))
done
# A case listed twice runs once, with a warning.
printf 'one\ntwo\none\n' > cases.txt
fg list -c quick.json --json; expect_rc 0
jq_is out '.tests | length' 2
contains err "listed 1 case(s) more than once"
