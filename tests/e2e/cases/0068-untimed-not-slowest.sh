# A TAP stream has no timing: libuv's 513 tests in one process all take
# 0 ms. The terminal's "Slowest:" and the HTML's slowest-tests chart rank
# only timed tests (they listed five arbitrary 0 ms tests), and leave the
# section out when nothing was timed.
fx=$(cd "$CASEDIR/../../fixtures/tap" && pwd)
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "uv", "format": "tap", "command": ["cat", "$fx/libuv/all.tap"] }
] }
JSON
fg run --db h.db --html r.html
expect_rc 1
lacks out "Slowest:"
lacks r.html 'id="slowest"'
# a timed test among them is ranked, alone
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "uv", "format": "tap", "command": ["cat", "$fx/libuv/all.tap"] },
  { "name": "timed", "command": ["sh", "-c", "sleep 0.05"] }
] }
JSON
fg run --db h.db --html r.html
expect_rc 1
contains out "Slowest:"
[ "$(sed -n '/^Slowest:/,/^$/p' out | grep -c 'ms\|s ')" = 1 ] ||
	fail "more than the timed test ranked: $(sed -n '/^Slowest:/,/^$/p' out)"
contains r.html 'id="slowest"'
