# A PostgreSQL history that cannot be used (issue 14): an unreachable
# server, a wrong password and a server with a newer schema give exit 3
# and a message naming the host, never the password, for every command
# that takes --db. A --db URL holding a password draws a warning that
# recommends PGPASSWORD, a password file or FLAKEGUARD_DB; the same URL in
# FLAKEGUARD_DB does not. The right password from PGPASSWORD works.
# backends: postgresql
printf '#!/bin/sh\nexit 0\n' > ok; chmod +x ok
cat > r.xml <<XML
<testsuite name="s"><testcase classname="c" name="t1"/></testsuite>
XML
echo '{"format":"flakeguard-run/1","uuid":"u1","started_at_ms":1,"duration_ms":1,"exit_code":0,"interrupted":false,"tests":[]}' > h.jsonl
port=${FG_TEST_PG_TCP_URL##*:}
port=${port%%/*}
casedb=$(echo "$FG_CASE_PG_URL" | sed 's|.*@/\([^?]*\)?.*|\1|')
refused="postgresql://fg:s3cret@127.0.0.1:1/$casedb"
wrong="postgresql://fg:s3cret@127.0.0.1:$port/$casedb"
right="postgresql://fg@127.0.0.1:$port/$casedb?options=-csearch_path%3Dtcp"
for url in "$refused" "$wrong"; do
	for cmd in "run -- ./ok" "import r.xml" "history t1" "report --run latest" \
		   "export -o e.jsonl" "gc --keep-runs 1" "analyze --all" \
		   "quarantine list" "import-history h.jsonl" "merge x.db" \
		   "list -- ./ok"; do
		# shellcheck disable=SC2086
		fg ${cmd%% *} --db "$url" ${cmd#* }
		[ "$rc" = 3 ] || { cat out err; fail "'$cmd' on $url: exit $rc, expected 3"; }
		contains err "127.0.0.1"
		contains err "the --db URL holds a password"
		contains err "PGPASSWORD"
		lacks err "s3cret"
		lacks out "s3cret"
	done
done
fg history --db "$refused" t1
contains err "Connection refused"
fg history --db "$wrong" t1
contains err "password authentication failed"
# In FLAKEGUARD_DB: no warning, the same refusal.
export FLAKEGUARD_DB="$wrong"
fg history t1
unset FLAKEGUARD_DB
expect_rc 3
lacks err "holds a password"
contains err "password authentication failed"
lacks err "s3cret"
# The right password from the environment: it works, over TCP.
export PGPASSWORD="$FG_TEST_PG_PASSWORD"
fg import --db "$right" r.xml
unset PGPASSWORD
expect_rc 0
contains out "as run 1 in $right"
# A newer schema: refused, named, left alone.
fg import --db h.db r.xml; expect_rc 0
sql h.db "UPDATE flakeguard_schema SET version = 99"
for cmd in "run -- ./ok" "import r.xml" "history t1" "report --run latest" "gc --keep-runs 1"; do
	# shellcheck disable=SC2086
	fg ${cmd%% *} --db h.db ${cmd#* }
	[ "$rc" = 3 ] || { cat out err; fail "'$cmd' on a newer schema: exit $rc"; }
	contains err "was created by a newer flakeguard (schema version 99, this one knows up to 6)"
	contains err "host="
done
sql_is h.db "SELECT version FROM flakeguard_schema" 99
sql_is h.db "SELECT count(*) FROM runs" 1
