# The terminal is safe (issue 13): a suite name from the config with ESC,
# BEL and a newline, C1 controls (CSI, OSC) and bidi overrides in test
# output, and newlines in JUnit names are printed escaped; the JSON keeps
# the exact text.
printf '{ "suites": [ { "name": "evil\\u001b]0;pwned\\u0007\\nname\\u202e", "command": ["sh", "-c", "printf \\"csi \\\\302\\\\23331m osc \\\\302\\\\2350;t\\\\a bidi \\\\342\\\\200\\\\256x\\\\n\\"; exit 3"] } ] }\n' > flakeguard.json
jq -e . flakeguard.json >/dev/null || fail "bad test config"
fg run --db h.db --json r.json -v
expect_rc 1
for f in out err; do
	if LC_ALL=C grep -q "$(printf '\033')" $f; then fail "ESC reached $f"; fi
	if LC_ALL=C grep -q "$(printf '\007')" $f; then fail "BEL reached $f"; fi
	if LC_ALL=C grep -q "$(printf '\302\233')" $f; then fail "C1 CSI reached $f"; fi
	if LC_ALL=C grep -q "$(printf '\302\235')" $f; then fail "C1 OSC reached $f"; fi
	if LC_ALL=C grep -q "$(printf '\342\200\256')" $f; then fail "RLO reached $f"; fi
done
contains out 'evil\x1b]0;pwned\x07\nname\u202e'
contains out 'csi \u009b31m osc \u009d0;t\x07 bidi \u202ex'
# the JSON keeps the exact name
jq -e '.tests[0].suite == "evil\u001b]0;pwned\u0007\nname\u202e"' r.json >/dev/null ||
	fail "JSON lost the exact name"
