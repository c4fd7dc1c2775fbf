# Issue 12 point 4: every failed attempt gets a root-cause hint from what
# the runner saw: a crash by signal, named (and the assertion before a
# SIGABRT, or a shell's 128 + N exit status), a timeout with the last line
# it printed, leaked processes; in the terminal, JSON and Markdown.
cat > assert.c <<'C'
#include <assert.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("parsing\n");
	fflush(stdout);
	assert(argc == 7);
	return 0;
}
C
gcc -g -o assert_prog assert.c || fail "cannot build assert.c"
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "segv", "command": ["$MISBEHAVE", "crash", "SIGSEGV"] },
  { "name": "assert", "command": ["$PWD/assert_prog"] },
  { "name": "shell", "command": ["sh", "-c",
    "echo start; $MISBEHAVE crash SIGSEGV; exit \$?"] },
  { "name": "hang", "timeout": "1s", "command": ["sh", "-c",
    "echo waiting for the lock; exec $MISBEHAVE hang"] },
  { "name": "leak", "command": ["$MISBEHAVE", "linger", "30"] },
  { "name": "ok", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
fg run --db t.db --json r.json --markdown r.md -j 6
expect_rc 1
hint() { jq -r ".tests[] | select(.name==\"$1\") | .hint" r.json; }
kind() { jq -r ".tests[] | select(.name==\"$1\") | .hint_kind" r.json; }
[ "$(kind segv)" = signal ] || fail "segv: $(kind segv)"
[ "$(hint segv)" = "crash: SIGSEGV (segmentation fault: an invalid memory access)" ] ||
	fail "segv: $(hint segv)"
contains out "hint: crash: SIGSEGV (segmentation fault: an invalid memory access)"
[ "$(kind assert)" = signal ] || fail "assert: $(kind assert)"
case $(hint assert) in
"crash: SIGABRT (aborted: abort(), a failed assert() or a detected corruption); after assertion: "*"assert.c:9: main: Assertion \`argc == 7' failed.") ;;
*) fail "assert: $(hint assert)" ;;
esac
[ "$(kind shell)" = signal ] || fail "shell: $(kind shell)"
contains out "hint: crash: SIGSEGV (segmentation fault: an invalid memory access); exit status 139 = 128 + 11"
[ "$(kind hang)" = timeout ] || fail "hang: $(kind hang)"
[ "$(hint hang)" = 'timeout: timed out after 1.000s, its process group killed (a hang, a deadlock, or too slow under load); last output: "waiting for the lock"' ] ||
	fail "hang: $(hint hang)"
[ "$(kind leak)" = leaked ] || fail "leak: $(kind leak)"
contains out "hint: leaked processes: it exited, but processes it started still held its output open and were killed (misbehave["
jq_is r.json '.tests[] | select(.name=="leak") | .attempts[0].message | test("^exited with status 0 but left processes holding its output open \\(leaked: misbehave\\[[0-9]+\\]\\); they were killed$")' true
jq_is r.json '.tests[] | select(.name=="ok") | .hint' null
jq_is r.json '.tests[] | select(.name=="segv") | .attempts[0].hint_kind' signal
contains r.md "hint: crash: SIGSEGV (segmentation fault: an invalid memory access)"
contains r.md "hint: timeout: timed out after 1.000s"
no_process_left "$MISBEHAVE linger 30"
no_process_left "$MISBEHAVE hang"
