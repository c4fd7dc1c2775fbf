# kill -9 of flakeguard (issue 13): no test process is left within 2 s
# (the watchdog kills every running test group), earlier runs are intact,
# and the next run sweeps the temporary directory the dead one left.
export TMPDIR=$PWD/tmp
mkdir -p "$TMPDIR"
marker=fg-orphan-$$-$(date +%s%N)
cat > flakeguard.json <<JSON
{ "jobs": 3, "suites": [
  { "name": "tree", "command": ["sh", "-c", "sleep 300 & sleep 300 & $MISBEHAVE spawn-tree 3 & sleep 301; : $marker"] },
  { "name": "plain", "command": ["sh", "-c", "exec sleep 302 # $marker"] },
  { "name": "kid", "command": ["sh", "-c", "(sleep 303; : $marker) & wait"] }
] }
JSON
fg run --db h.db -- true
expect_rc 0
"$FLAKEGUARD" run --db h.db >out 2>err &
fgpid=$!
# wait until the three suites are running
for i in $(seq 100); do
	[ "$(pgrep -f -- "$marker" | wc -l)" -ge 3 ] && break
	sleep 0.1
done
[ "$(pgrep -f -- "$marker" | wc -l)" -ge 3 ] || fail "tests did not start"
ls "$TMPDIR" | grep -q '^flakeguard-' || fail "no temporary directory"
kill -9 $fgpid
wait $fgpid 2>/dev/null || true
left=""
for i in $(seq 20); do
	left=$(pgrep -f -- "$marker" || true)
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -n "$left" ]; then
	pgrep -af -- "$marker" >&2
	pkill -9 -f -- "$marker"
	fail "test processes outlived flakeguard by 2 s"
fi
# The earlier run is intact; the killed one left no partial row.
sql_is h.db "SELECT count(*) FROM runs" 1
sql_is h.db "PRAGMA integrity_check" ok
ls "$TMPDIR" | grep -q '^flakeguard-' || fail "nothing to sweep?"
fg run --db h.db -- true
expect_rc 0
[ "$(ls "$TMPDIR" | grep -c '^flakeguard-')" = 0 ] ||
	fail "the dead run's temporary directory was not swept: $(ls "$TMPDIR")"
sql_is h.db "SELECT count(*) FROM runs" 2
