# Eight imports of a 200,000-case file at once into one SQLite history all
# land (issue 13.2: a streaming import used to hold the write lock while
# it parsed, and 2 of 12 such imports failed with "database is locked").
# Each parses into its own staging file and takes the lock only to copy
# its run in; every result is counted afterwards.
python3 "$CASEDIR/../../../bench/gen-junit.py" 200000 big.xml
fg import --db h.db --no-fail big.xml; expect_rc 0
per=$(sql h.db "SELECT count(*) FROM results")
[ "$per" -ge 200000 ] || fail "one import stored $per results"
pids=""
for i in 1 2 3 4 5 6 7 8; do
	"$FLAKEGUARD" import --db h.db --no-fail --commit "c$i" big.xml \
		>"out.$i" 2>"err.$i" &
	pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
for i in 1 2 3 4 5 6 7 8; do
	contains "out.$i" "imported 200000 tests from 1 file"
done
[ "$bad" = 0 ] || { cat err.*; fail "$bad of 8 imports failed"; }
sql_is h.db "SELECT count(*) FROM runs" 9
sql_is h.db "SELECT count(*) FROM run_tests" 1800000
sql_is h.db "SELECT count(*) FROM results" $((per * 9))
sql_is h.db "SELECT count(DISTINCT commit_sha) FROM runs" 8
