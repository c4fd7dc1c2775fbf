# Issue 12 point 4: a test built with -fsanitize=address that reads freed
# memory on some attempts only (a counter file drives it: every other
# attempt) passes on retry, which alone would make it flaky and, on two
# commits, quarantined. A sanitizer report is a memory error, a bug: the
# hint names it in the terminal, JSON, Markdown and HTML; the test counts
# (red) in every run it shows, is never quarantined, and stays category
# memory-error in runs where it passes (the history keeps the report).
# backends: sqlite postgresql
cat > uaf.c <<'C'
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "r");
	int n = 0, *p;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	f = fopen(argv[1], "w");
	fprintf(f, "%d\n", n + 1);
	fclose(f);
	printf("attempt %d\n", n);
	fflush(stdout);
	p = malloc(10 * sizeof(*p));
	p[3] = 7;
	if (n % 2 == 0)
		free(p);
	n = p[3]; /* after free on even attempts */
	if (n % 2 != 0)
		free(p);
	return n == 7 ? 0 : 1;
}
C
gcc -g -O0 -fsanitize=address -fno-omit-frame-pointer -o uaf uaf.c ||
	fail "cannot build with -fsanitize=address"
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "uaf", "command": ["$PWD/uaf", "$PWD/count"],
    "env": { "ASAN_OPTIONS": "detect_leaks=0" } },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
i=0
while [ $i -lt 4 ]; do
	i=$((i + 1))
	echo 0 > count # the first attempt reads freed memory, the retry not
	fg run --db t.db --retries 2 --commit "c$i" --json r.json \
		--markdown r.md --html r.html
	expect_rc 1
	jq_is r.json '.tests[] | select(.name=="uaf") | .outcome' flaky
	jq_is r.json '.tests[] | select(.name=="uaf") | .category' memory-error
	jq_is r.json '.tests[] | select(.name=="uaf") | .quarantined' false
	jq_is r.json '.tests[] | select(.name=="uaf") | .counts' true
	jq_is r.json '.tests[] | select(.name=="uaf") | .hint_kind' memory-error
	jq_is r.json '.tests[] | select(.name=="uaf") | .hint | test("^memory error: AddressSanitizer: heap-use-after-free at .*uaf.c:[0-9]+ in main$")' true
	jq_is r.json '.tests[] | select(.name=="uaf") | .attempts[0].hint_kind' memory-error
	jq_is r.json '.tests[] | select(.name=="uaf") | .attempts[1].hint' null
	contains out "hint: memory error: AddressSanitizer: heap-use-after-free at "
	contains out "MEMORY ERROR uaf::uaf: a sanitizer reported a memory error in $i of $i runs"
	contains out "FAILED: 1 test failed: uaf (memory error)"
	contains r.md "hint: memory error: AddressSanitizer: heap-use-after-free"
	contains r.html '<span class="cat memory-error">memory-error</span>'
	contains r.html '<div class="an hint memory-error"><strong>hint:</strong> memory error: AddressSanitizer: heap-use-after-free'
done
# flaky on 4 commits: the same history without the report would enter
sql_is t.db "SELECT count(*) FROM quarantine" 0
# a clean run (no report in it): green, still memory-error from history,
# and still not quarantined
echo 1 > count
fg run --db t.db --retries 2 --commit c5 --json r.json
expect_rc 0
jq_is r.json '.tests[] | select(.name=="uaf") | .outcome' passed
jq_is r.json '.tests[] | select(.name=="uaf") | .category' memory-error
jq_is r.json '.tests[] | select(.name=="uaf") | .hint' null
sql_is t.db "SELECT count(*) FROM quarantine" 0
fg analyze --db t.db
expect_rc 0
contains out "memory-error"
# the hint from the database alone: `report` recomputes it
fg report --db t.db --run 4 --json rep.json
expect_rc 0
jq_is rep.json '.tests[] | select(.name=="uaf") | .hint_kind' memory-error
contains out "hint: memory error: AddressSanitizer: heap-use-after-free at "
# quarantined by hand, a memory error still counts
fg quarantine add --db t.db uaf --reason "a reviewer says so"
expect_rc 0
echo 0 > count
fg run --db t.db --retries 2 --commit c6 --json r.json
expect_rc 1
jq_is r.json '.tests[] | select(.name=="uaf") | .quarantined' true
jq_is r.json '.tests[] | select(.name=="uaf") | .counts' true
contains out "quarantined, but a sanitizer reported a memory error (memory error: AddressSanitizer: heap-use-after-free"
