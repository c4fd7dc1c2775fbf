# The HTML report in a real browser (headless Chromium): the counts, the
# failing test's output and the all-tests table are in the rendered DOM; a
# test named <img src=x onerror=alert(1)> shows as text, and neither it nor
# a "</script>" in a test name runs anything. A spy script injected before
# the page's own records any alert() or breakout; the page's own script
# must have run (data-rendered), so "nothing ran" is not "JS was off".
#
# Chromium comes from Debian (apt-get install chromium) when missing and we
# are root; otherwise the case is skipped with a message.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >apt.log 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update >>apt.log 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >>apt.log 2>&1; } ||
		fail "apt-get install chromium failed: $(tail -n 3 apt.log)"
	browser=$(command -v chromium)
fi
if [ -z "$browser" ]; then
	echo "SKIP: no chromium, and it cannot be installed here (not root or no apt-get)"
	exit 0
fi

chrome() {
	# --virtual-time-budget lets the page's script finish before the dump.
	"$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$(mktemp -d)" \
		--virtual-time-budget=5000 "$@" 2>>chrome.log
}

cat > web.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="web" tests="3" failures="1">
  <testcase classname="web" name="test_ok" time="0.010"/>
  <testcase classname="web" name="&lt;img src=x onerror=alert(1)&gt;" time="0.250">
    <failure message="expected 1, got 2">at web.c:7</failure>
    <system-out>OUTPUT-MARKER-4711 &lt;b&gt;not bold&lt;/b&gt;</system-out>
  </testcase>
  <testcase classname="web" name="&lt;/script&gt;&lt;script&gt;document.documentElement.setAttribute('data-xss','script')&lt;/script&gt;" time="0.020"/>
</testsuite>
XML
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "web", "command": ["sh", "-c", "cp web.xml \"\$FLAKEGUARD_JUNIT\"; exit 1"] },
  { "name": "flip", "command": ["$MISBEHAVE", "flaky", "100", "state"] },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --retries 1
expect_rc 1
fg report --db t.db --html report.html
expect_rc 0
contains out "1 failed"

# The spy goes first in <head>, before the page's CSP and script.
sed 's|<head>|<head><script>window.alert=function(){document.documentElement.setAttribute("data-xss","alert")};</script>|' \
	report.html > spy.html
chrome --dump-dom "file://$PWD/spy.html" > dom.html || fail "chromium failed: $(tail -n 5 chrome.log)"
[ -s dom.html ] || fail "chromium dumped nothing: $(tail -n 5 chrome.log)"

contains dom.html 'data-rendered="1"'
lacks dom.html 'data-xss="'  # the attribute a spy or breakout would set
lacks dom.html '<img'
lacks dom.html '<b>not bold'
contains dom.html '&lt;img src=x onerror=alert(1)&gt;'
contains dom.html '&lt;/script&gt;&lt;script&gt;document.documentElement'
contains dom.html 'id="n-total">5<'
contains dom.html 'id="n-failed">1<'
contains dom.html 'id="n-flaky">1<'
contains dom.html 'id="n-passed">3<'
contains dom.html 'OUTPUT-MARKER-4711 &lt;b&gt;not bold&lt;/b&gt;'
contains dom.html 'expected 1, got 2'
# Every test is a row of the table the script renders.
rows=$(grep -o '<td class="o-' dom.html | wc -l)
[ "$rows" = 5 ] || fail "the table has $rows rows, expected 5"

# The status filter (also reachable as #status=...) leaves the failure.
chrome --dump-dom "file://$PWD/spy.html#status=failed" > failed.html
rows=$(grep -o '<td class="o-' failed.html | wc -l)
[ "$rows" = 1 ] || fail "#status=failed shows $rows rows, expected 1"
contains failed.html '1 of 5 tests'

# A screenshot renders (docs/reports.md tells how to take one).
chrome --screenshot="$PWD/shot.png" --window-size=1280,1400 "file://$PWD/report.html" >/dev/null
[ -s shot.png ] || fail "no screenshot: $(tail -n 5 chrome.log)"
