/* SPDX-License-Identifier: MIT */
/*
 * analyzer/hint.c - a root-cause hint for a failed attempt, from what is
 * recorded of it: its status, its message and its output excerpt (so a
 * recorded run gets the same hints as the live one, and the history needs
 * nothing more).
 *
 * The first rule that applies gives the kind (docs/analyzer.md, "Hints"):
 *   memory-error  a sanitizer report (AddressSanitizer, LeakSanitizer,
 *                 ThreadSanitizer, MemorySanitizer, HWAddressSanitizer
 *                 "ERROR:"/"WARNING:"/"SUMMARY:" lines, UBSan's
 *                 "file:line:col: runtime error:");
 *   timeout       killed at its timeout (with its last output line);
 *   leaked        exited, but left processes holding its output;
 *   signal        killed by a signal, named (or a shell's 128+N exit),
 *                 with glibc's own corruption report ("double free
 *                 detected") or the assertion that led to it;
 *   assertion     the first assertion-looking line: glibc assert(),
 *                 "assertion ... failed", Python's AssertionError and
 *                 pytest's "E  assert", GoogleTest's "file:line: Failure"
 *                 (and its XML message), cmocka's "[  ERROR   ] --- " and
 *                 "file:line: error: Failure!", Unity's ":FAIL:";
 *   exit          an exit status and nothing more (its last output line);
 *   failure       any other message (its first line).
 * To add a rule, add a matcher below and call it from an_hint().
 */
#include "analyzer/analyzer.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[AN_HINT_KIND_COUNT] = {
	[AN_HINT_NONE] = "none", [AN_HINT_MEMORY] = "memory-error",
	[AN_HINT_TIMEOUT] = "timeout", [AN_HINT_LEAKED] = "leaked",
	[AN_HINT_SIGNAL] = "signal", [AN_HINT_ASSERTION] = "assertion",
	[AN_HINT_EXIT] = "exit", [AN_HINT_FAILURE] = "failure",
};

const char *an_hint_kind_name(enum an_hint_kind k)
{
	return (unsigned)k < AN_HINT_KIND_COUNT ? kind_names[k] : "?";
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                   */
/* ---------------------------------------------------------------------- */

struct line {
	const char *s;
	size_t n;
};

/* The next line of [*p, end), without its "\r\n"; false at the end. */
static bool next_line(const char **p, const char *end, struct line *l)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	l->s = *p;
	l->n = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	while (l->n && (l->s[l->n - 1] == '\r' || l->s[l->n - 1] == ' '))
		l->n--;
	return true;
}

static void trim(struct line *l)
{
	while (l->n && isspace((unsigned char)*l->s))
		l->s++, l->n--;
	while (l->n && isspace((unsigned char)l->s[l->n - 1]))
		l->n--;
}

static const char *find(const struct line *l, const char *what)
{
	return memmem(l->s, l->n, what, strlen(what));
}

static bool starts(const struct line *l, const char *what)
{
	size_t n = strlen(what);

	return l->n >= n && !memcmp(l->s, what, n);
}

static bool ends(const struct line *l, const char *what)
{
	size_t n = strlen(what);

	return l->n >= n && !memcmp(l->s + l->n - n, what, n);
}

/* Case-insensitive search in a line. */
static const char *find_ci(const struct line *l, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= l->n; i++)
		if (!strncasecmp(l->s + i, what, n))
			return l->s + i;
	return NULL;
}

/* Appends a line to buf as one line: blanks squeezed, cut with "...". */
static void put(char *buf, size_t size, const char *s, size_t n, size_t max)
{
	size_t o = strlen(buf);
	bool cut = n > max;

	if (cut)
		n = max;
	for (size_t i = 0; i < n && o + 4 < size; i++) {
		char c = s[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == ' ' && o && buf[o - 1] == ' ')
			continue;
		buf[o++] = c;
	}
	if (cut && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static void puts_(char *buf, size_t size, const char *s)
{
	put(buf, size, s, strlen(s), size);
}

/* The last non-blank line of text, or an empty line. */
static struct line last_line(const char *text)
{
	struct line l = { "", 0 }, cur;
	const char *p = text, *end = text ? text + strlen(text) : NULL;

	while (text && next_line(&p, end, &cur)) {
		trim(&cur);
		/* "[... N bytes truncated ...]" is ours */
		if (cur.n && !starts(&cur, "[... "))
			l = cur;
	}
	return l;
}

/* ---------------------------------------------------------------------- */
/* Sanitizers                                                              */
/* ---------------------------------------------------------------------- */

static const char *const tools[] = {
	"AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
	"MemorySanitizer", "HWAddressSanitizer", "UndefinedBehaviorSanitizer",
	NULL,
};

/*
 * A sanitizer line "<lead>: <Tool>: <what>" in l, lead being ERROR,
 * WARNING or SUMMARY (an optional "==PID==" before it). Sets the tool and
 * what follows it.
 */
static bool sanitizer_line(const struct line *l, const char *lead,
			   const char **tool, struct line *what)
{
	const char *at = find(l, lead);

	while (at) {
		const char *t = at + strlen(lead);
		size_t left = (size_t)(l->s + l->n - t);

		for (size_t i = 0; tools[i]; i++) {
			size_t n = strlen(tools[i]);

			if (left > n + 2 && !memcmp(t, tools[i], n) &&
			    t[n] == ':' && t[n + 1] == ' ') {
				*tool = tools[i];
				what->s = t + n + 2;
				what->n = left - n - 2;
				return true;
			}
		}
		at = memmem(at + 1, (size_t)(l->s + l->n - at - 1), lead,
			    strlen(lead));
	}
	return false;
}

/* UBSan: "path:line:col: runtime error: what" (not Go's "panic: ..."). */
static bool ubsan_line(const struct line *l, struct line *where,
		       struct line *what)
{
	const char *at = find(l, ": runtime error: ");
	const char *p;
	int colons = 0;

	if (!at)
		return false;
	/* back over ":digits" twice or once, then a path-like word */
	for (p = at; p > l->s && colons < 2;) {
		const char *d = p;

		while (d > l->s && isdigit((unsigned char)d[-1]))
			d--;
		if (d == p || d == l->s || d[-1] != ':')
			break;
		p = d - 1;
		colons++;
	}
	if (!colons || p == l->s || isspace((unsigned char)p[-1]))
		return false;
	while (p > l->s && !isspace((unsigned char)p[-1]))
		p--;
	where->s = p;
	where->n = (size_t)(at - p);
	what->s = at + strlen(": runtime error: ");
	what->n = (size_t)(l->s + l->n - what->s);
	return true;
}

/* "heap-use-after-free on address 0x... at pc ..." -> "heap-use-after-free" */
static size_t bug_len(const struct line *what)
{
	static const char *const stops[] = {
		" on address", " on unknown address", " at pc", " (pid=",
		" on ", NULL,
	};
	size_t n = what->n;

	for (size_t i = 0; stops[i]; i++) {
		const char *s = memmem(what->s, what->n, stops[i],
				       strlen(stops[i]));

		if (s && (size_t)(s - what->s) < n)
			n = (size_t)(s - what->s);
	}
	return n;
}

static bool memory_sanitizer(const char *text, char *buf, size_t size)
{
	const char *p = text, *end = text + strlen(text);
	const char *htool = NULL, *stool = NULL;
	struct line l, head = { 0 }, sum = { 0 }, ub_where = { 0 },
		       ub_what = { 0 }, w;
	bool ub = false;

	if (!strstr(text, "Sanitizer") && !strstr(text, ": runtime error: "))
		return false;
	while (next_line(&p, end, &l)) {
		if (!htool && !ub && (sanitizer_line(&l, "ERROR: ", &htool, &w) ||
				      sanitizer_line(&l, "WARNING: ", &htool,
						     &w)))
			head = w;
		else if (!htool && !ub && ubsan_line(&l, &ub_where, &ub_what))
			ub = true;
		else if (!stool && sanitizer_line(&l, "SUMMARY: ", &stool, &w))
			sum = w;
	}
	if (!htool && !ub && !stool)
		return false;
	puts_(buf, size, "memory error: ");
	if (ub) {
		puts_(buf, size, "UndefinedBehaviorSanitizer: ");
		put(buf, size, ub_what.s, ub_what.n, 120);
		puts_(buf, size, " at ");
		put(buf, size, ub_where.s, ub_where.n, 100);
		return true;
	}
	if (!htool) { /* a summary alone */
		puts_(buf, size, stool);
		puts_(buf, size, ": ");
		put(buf, size, sum.s, sum.n, 160);
		return true;
	}
	size_t bl = bug_len(&head);

	puts_(buf, size, htool);
	puts_(buf, size, ": ");
	put(buf, size, head.s, bl, 80);
	/* "SUMMARY: AddressSanitizer: heap-use-after-free /t.c:3 in main" */
	if (stool && sum.n > bl && !memcmp(sum.s, head.s, bl) &&
	    sum.s[bl] == ' ') {
		puts_(buf, size, " at ");
		put(buf, size, sum.s + bl + 1, sum.n - bl - 1, 100);
	} else if (stool) {
		puts_(buf, size, " (");
		put(buf, size, sum.s, sum.n, 100);
		puts_(buf, size, ")");
	}
	return true;
}

/* glibc's own reports before it aborts (malloc_printerr, __fortify_fail) */
static bool glibc_report(const char *text, char *buf, size_t size)
{
	static const char *const marks[] = {
		"double free", "corrupted", "invalid pointer",
		"stack smashing detected", "buffer overflow detected",
		"invalid next size", "invalid size", NULL,
	};
	const char *p = text, *end = text + strlen(text);
	struct line l;

	while (next_line(&p, end, &l))
		for (size_t i = 0; marks[i]; i++)
			if (find(&l, marks[i])) {
				trim(&l);
				puts_(buf, size, "; glibc: ");
				put(buf, size, l.s, l.n, 140);
				return true;
			}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Signals                                                                 */
/* ---------------------------------------------------------------------- */

static const struct {
	int sig;
	const char *name, *what;
} signals[] = {
	{ SIGSEGV, "SIGSEGV", "segmentation fault: an invalid memory access" },
	{ SIGABRT, "SIGABRT", "aborted: abort(), a failed assert() or a "
			      "detected corruption" },
	{ SIGBUS, "SIGBUS", "bus error: a misaligned access or a truncated "
			    "mapped file" },
	{ SIGFPE, "SIGFPE", "arithmetic exception: an integer division by "
			    "zero?" },
	{ SIGILL, "SIGILL", "illegal instruction: code built for another CPU, "
			    "or __builtin_trap()" },
	{ SIGTRAP, "SIGTRAP", "trace trap: a breakpoint or __builtin_trap()" },
	{ SIGKILL, "SIGKILL", "killed from outside: the out-of-memory killer?" },
	{ SIGTERM, "SIGTERM", "terminated from outside" },
	{ SIGINT, "SIGINT", "interrupted" },
	{ SIGHUP, "SIGHUP", "hangup" },
	{ SIGQUIT, "SIGQUIT", "quit" },
	{ SIGPIPE, "SIGPIPE", "broken pipe: it wrote to a closed pipe or "
			      "socket" },
	{ SIGALRM, "SIGALRM", "alarm clock: an alarm() it set went off" },
	{ SIGXCPU, "SIGXCPU", "CPU time limit exceeded" },
	{ SIGXFSZ, "SIGXFSZ", "file size limit exceeded" },
	{ SIGSYS, "SIGSYS", "bad system call: a seccomp filter?" },
	{ SIGUSR1, "SIGUSR1", "user signal 1, not handled" },
	{ SIGUSR2, "SIGUSR2", "user signal 2, not handled" },
};

/* "killed by signal 11 (...)", "signal SIGSEGV": the number, or 0. */
static int signal_in(const char *msg)
{
	const char *s = msg ? strstr(msg, "signal ") : NULL;

	for (; s; s = strstr(s + 1, "signal ")) {
		const char *v = s + strlen("signal ");

		if (isdigit((unsigned char)*v))
			return (int)strtol(v, NULL, 10);
		for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++)
			if (!strncmp(v, signals[i].name,
				     strlen(signals[i].name)))
				return signals[i].sig;
	}
	return 0;
}

/* "exited with status N" -> N, or -1. */
static int exit_status_of(const char *msg)
{
	const char *s = msg ? strstr(msg, "exited with status ") : NULL;

	return s && msg == s ?
	       (int)strtol(s + strlen("exited with status "), NULL, 10) : -1;
}

static void put_signal(char *buf, size_t size, int sig)
{
	char tmp[160];

	for (size_t i = 0; i < sizeof(signals) / sizeof(*signals); i++)
		if (signals[i].sig == sig) {
			snprintf(tmp, sizeof(tmp), "%s (%s)", signals[i].name,
				 signals[i].what);
			puts_(buf, size, tmp);
			return;
		}
	snprintf(tmp, sizeof(tmp), "signal %d (%s)", sig, strsignal(sig));
	puts_(buf, size, tmp);
}

/* ---------------------------------------------------------------------- */
/* Assertions                                                              */
/* ---------------------------------------------------------------------- */

/* "path:digits" alone (GoogleTest's XML message begins so). */
static bool file_line(const struct line *l)
{
	size_t i = l->n;

	while (i && isdigit((unsigned char)l->s[i - 1]))
		i--;
	return i > 1 && i < l->n && l->s[i - 1] == ':' &&
	       !memchr(l->s, ' ', i);
}

/* The next non-blank lines after p, joined with " / " (at most max). */
static void put_following(char *buf, size_t size, const char *p,
			  const char *end, int max)
{
	struct line l;

	for (int k = 0; k < max && next_line(&p, end, &l);) {
		trim(&l);
		if (!l.n)
			continue;
		if (starts(&l, "[  FAILED  ]") || starts(&l, "[       OK ]"))
			break;
		puts_(buf, size, k ? " / " : ": ");
		put(buf, size, l.s, l.n, 100);
		k++;
	}
}

static bool assertion_in(const char *text, bool is_message, char *buf,
			 size_t size)
{
	const char *p = text, *end = text + strlen(text), *at;
	struct line l, prev = { "", 0 };
	bool first = true;

	while (next_line(&p, end, &l)) {
		struct line t = l;

		trim(&t);
		if (!t.n)
			continue;
		/* cmocka, XML: "0x3 != 0x2" then "t.c:18: error: Failure!" */
		if (ends(&t, ": error: Failure!") && prev.n) {
			puts_(buf, size, "assertion: ");
			put(buf, size, prev.s, prev.n, 140);
			puts_(buf, size, " (");
			put(buf, size, t.s, t.n - strlen(": error: Failure!"),
			    100);
			puts_(buf, size, ")");
			return true;
		}
		if (starts(&t, "[  ERROR   ] --- ")) { /* cmocka, console */
			puts_(buf, size, "assertion: ");
			put(buf, size, t.s + 17, t.n - 17, 160);
			return true;
		}
		/* GoogleTest: "t.cc:12: Failure" then what failed */
		if (ends(&t, ": Failure") ||
		    (is_message && first && file_line(&t) && p < end)) {
			puts_(buf, size, "assertion at ");
			put(buf, size, t.s, ends(&t, ": Failure") ?
				t.n - strlen(": Failure") : t.n, 100);
			put_following(buf, size, p, end, 3);
			return true;
		}
		/* pytest: "E       assert 1 == 2" */
		if (t.n > 2 && t.s[0] == 'E' && t.s[1] == ' ') {
			struct line e = { t.s + 1, t.n - 1 };

			trim(&e);
			if (starts(&e, "assert") || find(&e, "AssertionError") ||
			    find(&e, "Error:")) {
				puts_(buf, size, "assertion: ");
				put(buf, size, e.s, e.n, 160);
				return true;
			}
		}
		if (find(&t, "AssertionError") ||
		    (is_message && starts(&t, "assert ")) ||
		    ((at = find_ci(&t, "assert")) && find(&t, "failed") &&
		     find(&t, "failed") > at) ||
		    find(&t, ":FAIL:")) {
			puts_(buf, size, "assertion: ");
			put(buf, size, t.s, t.n, 160);
			return true;
		}
		prev = t;
		first = false;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* The rules in order                                                      */
/* ---------------------------------------------------------------------- */

static void put_last_output(char *buf, size_t size, const char *output)
{
	struct line l = last_line(output);

	if (!l.n)
		return;
	puts_(buf, size, "; last output: \"");
	put(buf, size, l.s, l.n, 100);
	puts_(buf, size, "\"");
}

static bool is_ours(const char *msg)
{
	return !msg || exit_status_of(msg) >= 0 ||
	       !strncmp(msg, "killed by signal ", 17) ||
	       !strncmp(msg, "timed out after ", 16);
}

/* The first line of the message as a hint of last resort. */
static void put_first_line(char *buf, size_t size, const char *msg)
{
	const char *p = msg, *end = msg + strlen(msg);
	struct line l;

	while (next_line(&p, end, &l)) {
		trim(&l);
		if (l.n) {
			put(buf, size, l.s, l.n, 160);
			return;
		}
	}
}

enum an_hint_kind an_hint(enum fg_astatus st, const char *message,
			  const char *output, char *buf, size_t size)
{
	int sig = 0, code = exit_status_of(message);
	char tmp[AN_HINT_MAX];

	buf[0] = '\0';
	if (!fg_astatus_is_failure(st) || size < 32)
		return AN_HINT_NONE;
	if ((message && memory_sanitizer(message, buf, size)) ||
	    (output && memory_sanitizer(output, buf, size)))
		return AN_HINT_MEMORY;
	if (st == FG_A_CRASHED)
		sig = signal_in(message);
	else if (code > 128 && code < 128 + 32)
		sig = code - 128;
	if (st == FG_A_TIMEOUT) {
		puts_(buf, size, "timeout: ");
		puts_(buf, size, message ? message : "timed out");
		puts_(buf, size, ", its process group killed (a hang, a "
			   "deadlock, or too slow under load)");
		put_last_output(buf, size, output);
		return AN_HINT_TIMEOUT;
	}
	if (st == FG_A_LEAKED) {
		/* the runner names them: "(leaked: sleep[42]); they were" */
		const char *from = message ? strstr(message, "(leaked: ") : NULL;
		const char *to = from ? strstr(from, "); they were") : NULL;

		puts_(buf, size, "leaked processes: it exited, but processes "
			   "it started still held its output open and were "
			   "killed");
		if (from && to) {
			puts_(buf, size, " (");
			from += strlen("(leaked: ");
			put(buf, size, from, (size_t)(to - from), 120);
			puts_(buf, size, ")");
		}
		puts_(buf, size, ": a server or background job not stopped");
		return AN_HINT_LEAKED;
	}
	if (sig > 0) {
		tmp[0] = '\0';
		puts_(buf, size, "crash: ");
		put_signal(buf, size, sig);
		if (st != FG_A_CRASHED) {
			snprintf(tmp, sizeof(tmp), "; exit status %d = 128 + "
				 "%d: a child killed by it, as a shell reports "
				 "it", code, sig);
			puts_(buf, size, tmp);
		}
		if (sig == SIGABRT && !(message &&
					glibc_report(message, buf, size)) &&
		    output)
			glibc_report(output, buf, size);
		tmp[0] = '\0';
		if ((message && !is_ours(message) &&
		     assertion_in(message, true, tmp, sizeof(tmp))) ||
		    (output && assertion_in(output, false, tmp, sizeof(tmp)))) {
			puts_(buf, size, "; after ");
			puts_(buf, size, tmp);
		}
		return AN_HINT_SIGNAL;
	}
	if ((message && !is_ours(message) &&
	     assertion_in(message, true, buf, size)) ||
	    (output && assertion_in(output, false, buf, size)))
		return AN_HINT_ASSERTION;
	buf[0] = '\0';
	if (!message || is_ours(message)) {
		puts_(buf, size, "exit: ");
		puts_(buf, size, message ? message : "failed without a message");
		put_last_output(buf, size, output);
		return AN_HINT_EXIT;
	}
	puts_(buf, size, "failure: ");
	put_first_line(buf, size, message);
	return AN_HINT_FAILURE;
}
