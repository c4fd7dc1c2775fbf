# Outcomes from the exit status (issue 10): 77 is skipped and 99 a hard
# error by default (Automake, Meson); a suite may name its own codes (the
# libuv runner skips with 7); will_fail swaps pass and fail; a disabled
# suite is not run but recorded skipped with its reason. With XML the XML
# decides, but a skip exit with no test case is skipped.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "skip77", "command": ["$MISBEHAVE", "exit", "77"] },
  { "name": "err99", "command": ["$MISBEHAVE", "exit", "99"] },
  { "name": "uvskip", "command": ["sh", "-c", "echo 'ok 1 - tty # SKIP Cannot open /dev/tty'; exit 7"],
    "skip_exit_codes": [7] },
  { "name": "no77", "command": ["$MISBEHAVE", "exit", "77"], "skip_exit_codes": [] },
  { "name": "xfails", "command": ["$MISBEHAVE", "exit", "1"], "will_fail": true },
  { "name": "xpasses", "command": ["$MISBEHAVE", "pass"], "will_fail": true },
  { "name": "off", "command": ["$MISBEHAVE", "hang"], "disabled": "needs a GPU" },
  { "name": "xmlskip", "command": ["sh", "-c", "$MISBEHAVE junit-pass \"\$FLAKEGUARD_JUNIT\"; exit 77"] }
] }
JSON
fg run --db h.db --json r.json
expect_rc 1
o() { jq -r --arg n "$1" '[.tests[] | select(.suite == $n)] | map(.outcome) | join(",")' r.json; }
s() { jq -r --arg n "$1" '.tests[] | select(.suite == $n) | .attempts[-1].status' r.json; }
[ "$(o skip77)" = skipped ] || fail "exit 77: $(o skip77)"
[ "$(o err99)" = failed ] && [ "$(s err99)" = error ] || fail "exit 99: $(o err99)/$(s err99)"
[ "$(o uvskip)" = skipped ] || fail "custom skip code 7: $(o uvskip)"
[ "$(o no77)" = failed ] || fail "skip_exit_codes [] keeps 77 a failure: $(o no77)"
[ "$(o xfails)" = passed ] || fail "will_fail with exit 1: $(o xfails)"
[ "$(o xpasses)" = failed ] || fail "will_fail with exit 0: $(o xpasses)"
[ "$(o off)" = skipped ] || fail "disabled: $(o off)"
jq -e '.tests[] | select(.suite == "off") | .attempts[0].message | test("needs a GPU")' r.json >/dev/null ||
	fail "disabled reason lost"
# XML with test cases decides; the skip exit adds no skipped test
case "$(o xmlskip)" in passed,passed*) ;; *) fail "skip exit with XML: $(o xmlskip)" ;; esac
jq -e '[.tests[] | select(.suite == "xmlskip" and .name == "xmlskip")] | length == 0' r.json >/dev/null ||
	fail "a skip exit with test cases added an item-level test"
contains out "exited with status 99: a hard error"
contains out "expected to fail (will_fail)"
# The skips are never failures in the history: analyze does not call them broken.
for i in 1 2 3 4; do fg run --db h.db --json r.json; done
fg analyze --db h.db --json
expect_rc 0
jq -e '[.tests[] | select(.suite == "uvskip" or .suite == "skip77") | select(.category == "broken")] | length == 0' out >/dev/null ||
	fail "skips called broken: $(cat out)"
fg run --db h.db -c /dev/null 2>/dev/null || true
printf '{ "suites": [ { "command": ["true"], "skip_exit_codes": [0] } ] }' > bad.json
fg run -c bad.json --db h.db
expect_rc 2
contains err "skip_exit_codes: item 0 is not an exit status from 1 to 255"
