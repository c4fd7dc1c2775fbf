# Disk full (issue 13): reports are written whole or not at all (never a
# 0-byte file) and every failed one is named; --log-dir failures are one
# summary line and exit 3; a run the database cannot take is never "OK";
# --log-max caps each log at its head and tail.
# Needs a tiny tmpfs: mounted directly as root, else in a user namespace.
cat > talk.json <<'JSON'
{ "suites": [
  { "name": "a", "command": ["sh", "-c", "seq 1 100000"] },
  { "name": "b", "command": ["sh", "-c", "seq 1 100000"] } ] }
JSON
cat > body.sh <<'BODY'
set -eu
FG=$1; MISBEHAVE=$2
mkdir -p full
mount -t tmpfs -o size=2m tmpfs full
trap 'umount full 2>/dev/null || true' EXIT
dd if=/dev/zero of=full/filler bs=4k count=1000 2>/dev/null || true
rc=0
"$FG" run --db h.db --json full/r.json --html full/r.html \
	--junit full/r.xml --markdown full/r.md --log-dir full/logs \
	-c talk.json >out1 2>err1 || rc=$?
echo "rc1=$rc" >result
ls -la full >>listing
# A database that fills up while the tests run.
rm -f full/filler
"$FG" run --db full/h.db -- true >/dev/null 2>&1
printf '#!/bin/sh\ndd if=/dev/zero of=full/filler bs=4k count=1000 2>/dev/null\nexit 0\n' >fill.sh
chmod +x fill.sh
rc=0
"$FG" run --db full/h.db -- ./fill.sh >out2 2>err2 || rc=$?
echo "rc2=$rc" >>result
BODY
if [ "$(id -u)" = 0 ]; then
	sh body.sh "$FLAKEGUARD" "$MISBEHAVE"
else
	unshare -rm sh body.sh "$FLAKEGUARD" "$MISBEHAVE" ||
		fail "cannot mount a tmpfs (not root, no user namespaces)"
fi
cat err1 >&2
grep -q "rc1=3" result || fail "reports on a full disk: $(cat result)"
lacks out1 "OK:"
for f in r.json r.html r.xml r.md; do
	grep -q " $f\$" listing && fail "$f left behind on a full disk"
	contains err1 "cannot write 'full/$f'"
done
grep -q '\.XXXXXX\|\.r\.' listing && fail "temp files left: $(cat listing)"
[ "$(grep -c 'attempt log' err1)" = 1 ] || fail "not one log summary line"
contains err1 "No space left on device"
# The run itself is in the database (it was not on the full disk).
sql_is h.db "SELECT count(*) FROM runs" 1
# A database on the full disk: not recorded, said, exit 3, never OK.
grep -q "rc2=3" result || fail "database on a full disk: $(cat result)"
lacks out2 "OK:"
lacks out2 "recorded as run"
contains out2 "FAILED: the run could not be recorded"
contains err2 "full/h.db"

# --log-max: a 3 MB output keeps 100 KiB: its head, a marker, its tail.
cat > big.json <<'JSON'
{ "suites": [ { "name": "big", "command": ["sh", "-c",
  "echo FIRST-LINE; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE"] } ] }
JSON
fg run -c big.json --db h.db --log-dir logs --log-max 100K
expect_rc 0
log=$(ls logs/*.log)
size=$(wc -c < "$log")
[ "$size" -le 103000 ] || fail "log of $size bytes with --log-max 100K"
[ "$size" -ge 90000 ] || fail "log of only $size bytes"
head -c 20 "$log" | grep -q FIRST-LINE || fail "log lost its head"
tail -c 20 "$log" | grep -q LAST-LINE || fail "log lost its tail"
grep -q "bytes not kept: --log-max" "$log" || fail "no marker in the log"
fg run --db h.db --log-max 12 -- true
expect_rc 2
contains err "invalid --log-max '12'"
