# TAP suites in run (issue 10): "format": "tap" reads the suite's stdout
# as it streams (libuv's runner: the whole list in one process, and one
# test per process exiting 7 for a skip), or the file {tap} names; TODO is
# xfailed/xpassed, Bail out! and planned-but-missing tests are errors, and
# a TAP suite that prints no TAP is an error, never a silent pass.
fx=$(cd "$CASEDIR/../../fixtures/tap" && pwd)
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "uv", "format": "tap", "command": ["cat", "$fx/libuv/all.tap"] },
  { "name": "tty", "format": "tap", "skip_exit_codes": [7],
    "command": ["sh", "-c", "cat $fx/libuv/tty.tap; exit 7"] },
  { "name": "todo", "format": "tap", "command": ["sh", "-c",
    "printf '1..3\\\\nnot ok 1 - known bug # TODO fix later\\\\nok 2 - fixed now # TODO was broken\\\\nok 3 - plain\\\\n'"] },
  { "name": "file", "format": "tap", "command": ["sh", "-c",
    "printf 'noise on stdout\\\\n'; printf 'ok 1 - a\\\\nok 2 - b\\\\n1..2\\\\n' > \"\$TAPFILE\""],
    "env": { "TAPFILE": "{tap}" } }
] }
JSON
# libuv's whole list, as its runner printed it here (two network tests
# failed in the capture): every test point exactly.
jq 'del(.suites[1:])' flakeguard.json > uv.json.cfg
fg run -c uv.json.cfg --db h.db --json r.json
expect_rc 1
n=$(grep -c '^ok\|^not ok' "$fx/libuv/all.tap")
jq_is r.json '[.tests[] | select(.suite == "uv")] | length' "$n"
skips=$(grep -c '^ok .*# SKIP' "$fx/libuv/all.tap")
jq_is r.json '[.tests[] | select(.suite == "uv" and .outcome == "skipped")] | length' "$skips"
nok=$(grep -c '^not ok' "$fx/libuv/all.tap")
jq_is r.json '[.tests[] | select(.suite == "uv" and .outcome == "failed")] | length' "$nok"
jq 'del(.suites[0])' flakeguard.json > rest.json
fg run -c rest.json --db h.db --json r.json -j2
expect_rc 0
jq_is r.json '.tests[] | select(.suite == "tty") | .outcome' skipped
jq_is r.json '[.tests[] | select(.suite == "tty")] | length' 1
jq_is r.json '.tests[] | select(.suite == "todo" and .name == "known bug") | .outcome' xfailed
jq_is r.json '.tests[] | select(.suite == "todo" and .name == "fixed now") | .outcome' xpassed
jq_is r.json '[.tests[] | select(.suite == "file")] | map(.outcome) | join(",")' passed,passed

# Failures, a bail out and missing planned tests; no TAP at all.
cat > bad.json <<'JSON'
{ "suites": [
  { "name": "fails", "format": "tap", "command": ["sh", "-c", "printf '1..2\\nok 1 - good\\nnot ok 2 - bad\\n  ---\\n  message: \"expected 1 got 2\"\\n  ...\\n'"] },
  { "name": "bails", "format": "tap", "command": ["sh", "-c", "printf '1..3\\nok 1 - a\\nBail out! database gone\\n'; exit 1"] },
  { "name": "silent", "format": "tap", "command": ["true"] }
] }
JSON
fg run -c bad.json --db h.db --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.suite == "fails" and .name == "bad") | .attempts[0].message' "expected 1 got 2"
jq_is r.json '[.tests[] | select(.suite == "bails" and .outcome == "failed")] | length >= 2' true
jq_is r.json '.tests[] | select(.suite == "silent") | .attempts[0].status' error
contains out "no TAP test point"
# A retried TAP suite keeps each attempt.
cat > flip.json <<'JSON'
{ "suites": [ { "name": "flip", "format": "tap", "command": ["sh", "-c",
  "if [ -e seen ]; then echo 'ok 1 - t'; else touch seen; echo 'not ok 1 - t'; fi"] } ] }
JSON
fg run -c flip.json --db h.db --json r.json --retries 1
expect_rc 0
jq_is r.json '.tests[] | select(.suite == "flip") | [.attempts[].status] | join(",")' failed,passed
