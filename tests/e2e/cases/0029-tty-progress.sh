# On a terminal: one live status line (done/total, running test names),
# passing tests get no line of their own; NO_COLOR turns colour off.
command -v script >/dev/null || fail "script(1) from util-linux is needed"
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "a-slow-one", "command": ["$MISBEHAVE", "sleep", "600"] },
  { "name": "quick", "command": ["$MISBEHAVE", "pass"] },
  { "name": "broken", "command": ["$MISBEHAVE", "fail"] }
] }
JSON
TERM=xterm script -qfec "$FLAKEGUARD run -j2 --db t.db" tty.log >/dev/null </dev/null || true
contains tty.log "/3] "
contains tty.log "a-slow-one"
contains tty.log "FAIL"
contains tty.log "3 tests:"
grep -q "PASS.*quick" tty.log && fail "passing test printed on a TTY"
grep -q "$(printf '\033')\[3[12]m" tty.log || fail "no colour on a TTY"
NO_COLOR=1 TERM=xterm script -qfec "$FLAKEGUARD run -j2 --db t.db" tty2.log >/dev/null </dev/null || true
grep -q "$(printf '\033')\[3[12]m" tty2.log && fail "colour despite NO_COLOR"
contains tty2.log "3 tests:"
