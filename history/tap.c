/* SPDX-License-Identifier: MIT */
/*
 * history/tap.c - the TAP reader: the Test Anything Protocol (12, 13, 14)
 * as a test program prints it, read line by line from bytes fed in any
 * chunking, into the sink history_junit_stream() uses.
 *
 * Lines. Bytes collect into one line (at most TAP_LINE_MAX kept; a longer
 * line keeps its head, counts the rest and hashes it, so two long
 * descriptions stay two names). A complete line is cleaned (invalid UTF-8
 * -> U+FFFD, control characters -> "\xNN", a trailing CR dropped) and
 * classified by its indentation (4 spaces per subtest level) and its
 * start: a test point, a plan, "Bail out!", "TAP version", a "# Subtest"
 * comment, a YAML block's "---" (2 more than its test point), or anything
 * else, which is output.
 *
 * Tests. Only one test is open at a time: the last test point. The lines
 * that follow it are its output until the next TAP line, which hands it
 * to the sink (finish_test()). Each level (the top and every subtest) has
 * its plan, its count and a bitmap of the numbers seen; when a level ends
 * (a shallower TAP line, a bail out, the end of the stream) the tests it
 * planned and never reported become error tests "#N" (end_level()).
 *
 * Why nothing is held: a test program may print a million test points or
 * one gigabyte line; the reader holds one line, one test's output (head
 * and tail), one YAML block, and per test 16 bytes of a name set (to tell
 * two tests of one description apart), so it can read a pipe as it comes.
 *
 * API: history_tap_new(), _feed(), _finish(), _free(), _read_file()
 * (history/history.h; rules in docs/internals/readers.md). To accept a
 * new kind of line: classify it in tap_line(), then handle it there.
 */
#include "history/history.h"
#include "history/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAP_LINE_MAX (64 * 1024) /* bytes kept of one line */
#define TAP_OUT_MAX (64 * 1024)  /* output kept per test (head + tail) */
#define TAP_MSG_MAX 4096         /* bytes of a message */
#define TAP_YAML_MAX (64 * 1024) /* bytes kept of a YAML block */
#define TAP_DEPTH_MAX 16         /* subtest levels (deeper: output) */
#define TAP_NUM_MAX ((long)1 << 20) /* test numbers tracked per level */
#define TAP_PLAN_MAX 1000000000L /* a larger plan is clamped */
#ifndef TAP_MISSING_MAX /* (the fuzz build lowers it: the cap is tested) */
#define TAP_MISSING_MAX 10000    /* missing tests reported one by one */
#endif
#define TAP_WARN_EACH 3          /* warnings of a kind before a count */
#define TAP_SUITE_ERROR "[suite-error]"

/* Warnings that may repeat: the first few are said, then a count. */
enum tap_warn {
	W_ORDER,     /* a number other than the next one */
	W_DUP_NAME,  /* a description met twice at one level */
	W_CUT,       /* a line longer than TAP_LINE_MAX */
	W_YAML,      /* a YAML block without its "..." */
	W_BAILED,    /* TAP lines after Bail out! */
	W_DEPTH,     /* subtests nested deeper than TAP_DEPTH_MAX */
	W_BAD,       /* malformed lines after the first (which is the error) */
	W_COUNT_
};

static const char *const tap_warn_text[W_COUNT_] = {
	"test numbers out of sequence",
	"descriptions met twice (kept apart with \" #N\")",
	"lines longer than 64 KiB (cut)",
	"YAML blocks without their closing \"...\"",
	"TAP lines after Bail out! (ignored)",
	"subtests nested too deep (read as output)",
	"malformed TAP",
};

/* The top of the stream, or one subtest. */
struct tap_level {
	long plan;            /* tests planned; -1: no plan yet */
	long plan_line;
	bool plan_closed;     /* the plan came after tests: nothing follows */
	char *skip_all;       /* 1..0: why (owned), or NULL */
	long count;           /* test points read */
	unsigned char *seen;  /* bitmap of the numbers read (<= TAP_NUM_MAX) */
	size_t seen_bytes;
	size_t cls_len;       /* r->cls.len before this level's name */
};

/* A growable string. */
struct tstr {
	char *s;
	size_t len, cap;
};

static void tstr_cat(struct tstr *t, const char *s, size_t n)
{
	fg_xgrow((void **)&t->s, &t->cap, t->len + n + 1, 1);
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void tstr_trunc(struct tstr *t, size_t n)
{
	if (t->s && n <= t->len) {
		t->len = n;
		t->s[n] = '\0';
	}
}

static const char *tstr_get(const struct tstr *t)
{
	return t->s ? t->s : "";
}

/* The open test point. */
struct tap_test {
	bool open;
	int level;
	long line;
	enum fg_astatus st;
	char *cls, *name;     /* owned */
	char msg[TAP_MSG_MAX + 1];
	size_t msg_len;
	int64_t ms;
	struct fg_buf out;
};

struct history_tap {
	char *suite, *label;
	struct history_junit_sink sink;
	struct history_tap_stats st;
	int rc;               /* the sink's non-zero value: stop */

	/* the line being assembled, and its cleaned copy (both grown as
	 * lines need, up to TAP_LINE_MAX and 4 times that) */
	char *line, *clean;
	size_t len, line_cap, clean_cap;
	uint64_t cut, cut_hash; /* bytes past TAP_LINE_MAX, their hash */
	long lineno;

	struct tap_level lv[TAP_DEPTH_MAX];
	int depth;            /* levels open, >= 1 */
	struct tstr cls;      /* subtest names of the open levels, '/' */
	char *subtest;        /* "# Subtest: name" waiting for its level */
	struct tap_test t;
	struct fg_buf pre;    /* output before the first test point */
	bool any_test;

	bool in_yaml;
	size_t yaml_indent;
	struct tstr yaml;
	bool yaml_cut;

	bool bailed;
	char *bail_msg;
	struct fg_buf bail_out;

	bool any_tap;         /* a plan, a test point, a version, a bail out */
	bool bad;             /* malformed: FG_ETAP at the end */
	long bad_line;
	char bad_msg[256];

	struct hist_idset names;
	uint64_t nwarn[W_COUNT_];
	long wline[W_COUNT_];
};

/* ---------------------------------------------------------------------- */
/* Warnings and errors                                                     */
/* ---------------------------------------------------------------------- */

static void tap_say(struct history_tap *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tap_say(struct history_tap *r, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fg_log(FG_LOG_WARN, "tap", "%s:%ld: %s", r->label, line, msg);
	r->st.warnings++;
}

/* A warning of a kind that may repeat (the text only for the first few). */
#define tap_warn(r, kind, ...)                                         \
	do {                                                           \
		if (++(r)->nwarn[kind] <= TAP_WARN_EACH)               \
			tap_say((r), (r)->lineno, __VA_ARGS__);        \
		else                                                   \
			(r)->wline[kind] = (r)->lineno;                \
	} while (0)

/* The stream is malformed: the first reason is the error, later ones warn. */
static void tap_bad(struct history_tap *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tap_bad(struct history_tap *r, long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!r->bad) {
		r->bad = true;
		r->bad_line = line;
		snprintf(r->bad_msg, sizeof(r->bad_msg), "%s", msg);
		return;
	}
	if (++r->nwarn[W_BAD] <= TAP_WARN_EACH)
		tap_say(r, line, "%s", msg);
	else
		r->wline[W_BAD] = line;
}

/* ---------------------------------------------------------------------- */
/* Handing tests on                                                        */
/* ---------------------------------------------------------------------- */

/* Output text of a buffer, blank lines around it dropped; NULL if none. */
static char *out_text(const struct fg_buf *b)
{
	char *s;
	size_t n, skip = 0;

	if (!b->total)
		return NULL;
	s = fg_buf_text(b);
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	for (size_t i = 0; i < n && (s[i] == '\n' || s[i] == ' ' ||
				     s[i] == '\t'); i++)
		if (s[i] == '\n')
			skip = i + 1;
	if (!n) {
		free(s);
		return NULL;
	}
	if (skip)
		memmove(s, s + skip, n - skip + 1);
	return s;
}

/* Hands one test with one attempt to the sink (strings are copied). */
static void emit(struct history_tap *r, const char *cls, const char *name,
		 enum fg_astatus st, int64_t ms, const char *msg, char *out)
{
	struct fg_test t = { 0 };
	struct fg_attempt *a;

	if (r->rc) {
		free(out);
		return;
	}
	t.suite = fg_xstrdup(r->suite);
	t.classname = fg_xstrdup(cls);
	t.name = fg_xstrdup(name);
	a = fg_test_add_attempt(&t, st, ms, msg && *msg ? msg : NULL, NULL);
	a->output = out;
	fg_test_settle(&t);
	r->st.tests++;
	r->rc = r->sink.test(r->sink.ctx, &t);
	fg_test_release(&t);
}

static void yaml_end(struct history_tap *r);

/* The open test is complete: to the sink. */
static void finish_test(struct history_tap *r)
{
	struct tap_test *t = &r->t;

	if (r->in_yaml)
		yaml_end(r);
	if (!t->open)
		return;
	t->open = false;
	emit(r, t->cls, t->name, t->st, t->ms, t->msg_len ? t->msg : NULL,
	     out_text(&t->out));
	free(t->cls);
	free(t->name);
	t->cls = t->name = NULL;
}

/* Sets the open test's message (at most TAP_MSG_MAX, whole characters). */
static void set_msg(struct tap_test *t, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	if (n > TAP_MSG_MAX) {
		n = TAP_MSG_MAX;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(t->msg, s, n);
	t->msg[n] = '\0';
	t->msg_len = n;
}

/* ---------------------------------------------------------------------- */
/* Names                                                                   */
/* ---------------------------------------------------------------------- */

static uint64_t name_hash(const char *cls, const char *name)
{
	uint64_t h = hist_fnv1a(HIST_FNV_INIT, cls, strlen(cls) + 1);

	return hist_fnv1a(h, name, strlen(name));
}

/*
 * The test's name at the current level: its description, or "#N" (N its
 * number); a name met before at this level gets " #K" (K its position at
 * the level: two test points are two tests, however they are described
 * or numbered). Returns an owned string.
 */
static char *test_name(struct history_tap *r, const char *desc, long num,
		       long pos)
{
	const char *cls = tstr_get(&r->cls);
	char *name = *desc ? fg_xstrdup(desc) : fg_xasprintf("#%ld", num);

	if (!hist_idset_add(&r->names, name_hash(cls, name))) {
		char *again = fg_xasprintf("%s #%ld", name, pos);

		tap_warn(r, W_DUP_NAME, "'%.200s' again at this level: recorded "
			 "as '%.200s #%ld'", name, name, pos);
		free(name);
		name = again;
		hist_idset_add(&r->names, name_hash(cls, name));
	}
	return name;
}

/* ---------------------------------------------------------------------- */
/* Levels and plans                                                        */
/* ---------------------------------------------------------------------- */

static bool seen_get(const struct tap_level *lv, long n)
{
	size_t i = (size_t)n / 8;

	return n > 0 && i < lv->seen_bytes && (lv->seen[i] >> (n % 8) & 1);
}

static void seen_set(struct tap_level *lv, long n)
{
	size_t i = (size_t)n / 8;

	if (n <= 0 || n > TAP_NUM_MAX)
		return;
	if (i >= lv->seen_bytes) {
		size_t old = lv->seen_bytes, cap = old;

		fg_xgrow((void **)&lv->seen, &cap, i + 1, 1);
		memset(lv->seen + old, 0, cap - old);
		lv->seen_bytes = cap;
	}
	lv->seen[i] |= (unsigned char)(1u << (n % 8));
}

/*
 * The tests the level planned and never reported become error tests
 * "#N", the lowest numbers not seen, one per missing test (at most
 * TAP_MISSING_MAX; the rest are counted in a warning).
 */
static void report_missing(struct history_tap *r, struct tap_level *lv)
{
	const char *cls = tstr_get(&r->cls);
	long missing = lv->plan - lv->count, made = 0;
	char *why;

	if (lv->plan < 0 || missing <= 0 || lv->skip_all)
		return;
	r->st.partial = true;
	if (r->bailed)
		why = fg_xasprintf("planned but never reported (%s)",
				   r->bail_msg);
	else
		why = fg_xasprintf("planned but never reported (plan 1..%ld, "
				   "%ld reported%s)", lv->plan, lv->count,
				   lv->count ? "" : ": none");
	for (long n = 1; n <= lv->plan && made < missing && !r->rc; n++) {
		char *name;

		if (seen_get(lv, n))
			continue;
		if (made == TAP_MISSING_MAX) {
			tap_say(r, r->lineno, "%ld more planned tests never "
				"reported (not recorded one by one)",
				missing - made);
			break;
		}
		name = test_name(r, "", n, lv->count + made + 1);
		emit(r, cls, name, FG_A_ERROR, 0, why, NULL);
		free(name);
		made++;
	}
	if (!r->bailed)
		tap_bad(r, r->lineno, "%s%splanned %ld test%s, %ld reported",
			cls, *cls ? ": " : "", lv->plan,
			lv->plan == 1 ? "" : "s", lv->count);
	free(why);
}

static void level_release(struct tap_level *lv)
{
	free(lv->skip_all);
	free(lv->seen);
	memset(lv, 0, sizeof(*lv));
	lv->plan = -1;
}

/* Closes the deepest level (a subtest, or the top at the end). */
static void end_level(struct history_tap *r)
{
	struct tap_level *lv = &r->lv[r->depth - 1];

	finish_test(r);
	report_missing(r, lv);
	tstr_trunc(&r->cls, lv->cls_len);
	level_release(lv);
	if (r->depth > 1)
		r->depth--;
}

/* Opens a subtest level named `name` (NULL: "#N" of the parent's next). */
static void push_level(struct history_tap *r, const char *name)
{
	struct tap_level *parent = &r->lv[r->depth - 1], *lv;
	char num[32];

	finish_test(r);
	if (!name) {
		snprintf(num, sizeof(num), "#%ld", parent->count + 1);
		name = num;
	}
	lv = &r->lv[r->depth++];
	level_release(lv);
	lv->cls_len = r->cls.len;
	if (r->cls.len)
		tstr_cat(&r->cls, "/", 1);
	tstr_cat(&r->cls, name, strlen(name));
}

/* Closes levels until `k` is the deepest. */
static void pop_to(struct history_tap *r, int k)
{
	while (r->depth - 1 > k)
		end_level(r);
}

/* A number at p: digits, clamped to `max`; *end after them. -1: none. */
static long parse_num(const char *p, const char **end, long max)
{
	long v = 0;

	if (*p < '0' || *p > '9') {
		*end = p;
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		v = v > max / 10 ? max : v * 10 + (*p - '0');
	*end = p;
	return v > max ? max : v;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * A directive after '#': SKIP or TODO (any case, "skipped" too), then
 * the reason. Returns 'S', 'T' or 0, with *reason set.
 */
static char directive(const char *p, const char **reason)
{
	char kind = 0;

	p = skip_ws(p);
	if (!strncasecmp(p, "skip", 4))
		kind = 'S';
	else if (!strncasecmp(p, "todo", 4))
		kind = 'T';
	if (!kind)
		return 0;
	p += 4;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	if (*p == ':')
		p++;
	*reason = skip_ws(p);
	return kind;
}

/* "1..N [# SKIP reason]" at level k. */
static void on_plan(struct history_tap *r, const char *p)
{
	struct tap_level *lv = &r->lv[r->depth - 1];
	const char *end, *reason = NULL;
	long n = parse_num(p + 3, &end, TAP_PLAN_MAX);

	r->any_tap = true;
	if (lv->plan >= 0) {
		tap_bad(r, r->lineno, "a second plan (the first at line %ld)",
			lv->plan_line);
		return;
	}
	lv->plan = n;
	lv->plan_line = r->lineno;
	lv->plan_closed = lv->count > 0;
	end = skip_ws(end);
	if (*end == '#')
		directive(end + 1, &reason);
	if (n == 0)
		lv->skip_all = fg_xstrdup(reason && *reason ? reason :
					  "no tests planned (1..0)");
	if (lv->plan_closed && lv->count > n)
		tap_bad(r, r->lineno, "plan 1..%ld after %ld tests", n,
			lv->count);
}

/* ---------------------------------------------------------------------- */
/* Test points                                                             */
/* ---------------------------------------------------------------------- */

/*
 * The description of a test point, unescaped ("\#" is '#', "\\" is '\'),
 * up to an unescaped '#'; *rest points there (or at the end). Trimmed.
 */
static char *description(const char *p, const char **rest)
{
	struct tstr d = { 0 };
	size_t n;

	p = skip_ws(p);
	if (*p == '-')
		p = skip_ws(p + 1);
	for (; *p && *p != '#'; p++) {
		if (*p == '\\' && (p[1] == '#' || p[1] == '\\'))
			p++;
		tstr_cat(&d, p, 1);
	}
	*rest = p;
	n = d.len;
	while (n && (d.s[n - 1] == ' ' || d.s[n - 1] == '\t'))
		n--;
	tstr_trunc(&d, n);
	return d.s ? d.s : fg_xstrdup("");
}

static void on_test_point(struct history_tap *r, const char *p, bool ok)
{
	struct tap_level *lv = &r->lv[r->depth - 1];
	struct tap_test *t = &r->t;
	const char *end, *reason = NULL;
	char kind = 0, *desc;
	long num;

	finish_test(r);
	r->any_tap = true;
	r->st.points++;
	if (lv->plan_closed && !lv->skip_all)
		tap_bad(r, r->lineno, "a test after the plan 1..%ld (line %ld)",
			lv->plan, lv->plan_line);
	num = parse_num(skip_ws(p), &end, TAP_PLAN_MAX);
	if (num < 0) {
		num = lv->count + 1;
		end = p;
	} else if (num != lv->count + 1) {
		tap_warn(r, W_ORDER, "test %ld where %ld was next%s", num,
			 lv->count + 1, seen_get(lv, num) ? " (a number "
			 "already seen)" : "");
	}
	lv->count++;
	seen_set(lv, num);
	if (lv->plan >= 0 && !lv->plan_closed && lv->count == lv->plan + 1)
		tap_bad(r, r->lineno, "more tests than the plan 1..%ld (line "
			"%ld)", lv->plan, lv->plan_line);
	desc = description(end, &end);
	if (*end == '#')
		kind = directive(end + 1, &reason);
	t->msg_len = 0;
	t->msg[0] = '\0';
	t->open = true;
	t->level = r->depth - 1;
	t->line = r->lineno;
	t->ms = 0;
	t->st = kind == 'S' ? FG_A_SKIPPED :
		kind == 'T' ? (ok ? FG_A_XPASSED : FG_A_XFAILED) :
		ok ? FG_A_PASSED : FG_A_FAILED;
	t->cls = fg_xstrdup(tstr_get(&r->cls));
	t->name = test_name(r, desc, num, lv->count);
	free(desc);
	if (reason && *reason)
		set_msg(t, reason, strlen(reason));
	t->out.head_len = t->out.tail_len = t->out.tail_pos = 0;
	t->out.total = 0;
	if (!r->any_test && r->pre.total) {
		/* what came before the first test point is its output */
		char *pre = fg_buf_text(&r->pre);

		fg_buf_append(&t->out, pre, strlen(pre));
		fg_buf_append(&t->out, "\n", 1);
		free(pre);
	}
	r->any_test = true;
}

/* ---------------------------------------------------------------------- */
/* YAML diagnostics                                                        */
/* ---------------------------------------------------------------------- */

/* A quoted YAML scalar without its quotes (minimal escapes). */
static void yaml_unquote(struct tstr *v, const char *p, size_t n)
{
	char q = *p;

	if (n < 2 || p[n - 1] != q) {
		tstr_cat(v, p, n);
		return;
	}
	for (size_t i = 1; i + 1 < n; i++) {
		char c = p[i];

		if (q == '\'' && c == '\'' && p[i + 1] == '\'') {
			i++;
		} else if (q == '"' && c == '\\' && i + 2 < n) {
			c = p[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		tstr_cat(v, &c, 1);
	}
}

/* The line of top-level key `key` in the block, or NULL. */
static const char *yaml_key(const char *y, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = y; *p;) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, key, k) && p[k] == ':')
			return p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

/*
 * The value of top-level key `key` in the block (NULL when absent), as a
 * plain, quoted, literal (|) or folded (>) scalar: the YAML that TAP
 * producers write, not all of YAML. Owned by the caller.
 */
static char *yaml_value(const char *y, const char *key)
{
	const char *p = yaml_key(y, key), *val, *nl;
	struct tstr v = { 0 };
	size_t n;
	bool block;
	char join;

	if (!p)
		return NULL;
	val = skip_ws(p + strlen(key) + 1);
	nl = strchr(val, '\n');
	n = nl ? (size_t)(nl - val) : strlen(val);
	while (n && (val[n - 1] == ' ' || val[n - 1] == '\t'))
		n--;
	block = n && (*val == '|' || *val == '>');
	join = block && *val == '|' ? '\n' : ' ';
	if (!block && n && (*val == '"' || *val == '\''))
		yaml_unquote(&v, val, n);
	else if (!block)
		tstr_cat(&v, val, n);
	/* continuation: the lines indented under the key (and, in a block
	 * scalar, blank lines) */
	for (p = nl ? nl + 1 : NULL; p && *p; p = nl ? nl + 1 : NULL) {
		const char *t = skip_ws(p);

		nl = strchr(p, '\n');
		if (t == p && !(block && *p == '\n'))
			break;
		n = nl ? (size_t)(nl - t) : strlen(t);
		if (v.len)
			tstr_cat(&v, &join, 1);
		tstr_cat(&v, t, n);
	}
	n = v.len;
	while (n && (v.s[n - 1] == '\n' || v.s[n - 1] == ' '))
		n--;
	tstr_trunc(&v, n);
	return v.s ? v.s : fg_xstrdup("");
}

static void yaml_begin(struct history_tap *r, size_t indent)
{
	r->in_yaml = true;
	r->yaml_indent = indent;
	r->yaml_cut = false;
	tstr_trunc(&r->yaml, 0);
}

static void yaml_line(struct history_tap *r, const char *s, size_t n)
{
	if (r->yaml.len + n + 1 > TAP_YAML_MAX) {
		r->yaml_cut = true;
		return;
	}
	tstr_cat(&r->yaml, s, n);
	tstr_cat(&r->yaml, "\n", 1);
}

/* The block is over: the test's diagnostics, message and duration. */
static void yaml_end(struct history_tap *r)
{
	struct tap_test *t = &r->t;
	const char *y = tstr_get(&r->yaml);
	char *msg, *ms;

	r->in_yaml = false;
	if (!t->open)
		return;
	fg_buf_append(&t->out, "---\n", 4);
	fg_buf_append(&t->out, y, r->yaml.len);
	if (r->yaml_cut)
		fg_buf_append(&t->out, "[... YAML cut at 64 KiB ...]\n", 29);
	fg_buf_append(&t->out, "...\n", 4);
	if ((ms = yaml_value(y, "duration_ms"))) {
		double v = strtod(ms, NULL);

		if (v > 0 && v < 365.0 * 24 * 3600 * 1000)
			t->ms = (int64_t)(v + 0.5);
		free(ms);
	}
	if (t->st == FG_A_PASSED || t->st == FG_A_XPASSED)
		return;
	msg = yaml_value(y, "message");
	if (msg && *msg) {
		set_msg(t, msg, strlen(msg));
	} else if (!t->msg_len && r->yaml.len) {
		set_msg(t, y, r->yaml.len);
	}
	free(msg);
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                   */
/* ---------------------------------------------------------------------- */

/*
 * The line as valid UTF-8 without control characters (TAB kept) into
 * r->clean, with a cut line's marker; returns its length.
 */
static size_t clean_line(struct history_tap *r, const char *in, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)in, *e = p + n;
	char *o;

	/* 4 bytes out per byte in at most ("\xNN"), and the cut marker */
	fg_xgrow((void **)&r->clean, &r->clean_cap, 4 * n + 96, 1);
	o = r->clean;

	while (p < e) {
		int len;

		if (*p >= 0x20 && *p < 0x7F) {
			*o++ = (char)*p++;
			continue;
		}
		if (*p == '\t') {
			*o++ = '\t';
			p++;
			continue;
		}
		if (*p < 0x80) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
			p++;
			continue;
		}
		len = hist_utf8_seq(p, (size_t)(e - p));
		if (len <= 0) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(o, p, (size_t)len);
		o += len;
		p += len;
	}
	if (r->cut)
		o += snprintf(o, 80, " [... %llu bytes truncated, hash %016llx "
			      "...]", (unsigned long long)r->cut,
			      (unsigned long long)r->cut_hash);
	*o = '\0';
	return (size_t)(o - r->clean);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "ok" or "not ok" followed by the end, a blank or '#': the rest, or NULL. */
static const char *test_point(const char *c, bool *ok)
{
	const char *p = c;

	*ok = !starts(c, "not ok");
	p += *ok ? 2 : 6;
	if (!*ok || starts(c, "ok"))
		if (!*p || *p == ' ' || *p == '\t' || *p == '#')
			return p;
	return NULL;
}

/*
 * A line of output: kept as it is, but a comment (after `ind` blanks)
 * without its "# ".
 */
static void on_output(struct history_tap *r, const char *c, size_t n,
		      size_t ind)
{
	struct fg_buf *b = r->t.open ? &r->t.out : &r->pre;

	if (ind < n && c[ind] == '#') {
		c += ind + 1;
		n -= ind + 1;
		if (n && *c == ' ')
			c++, n--;
		/* a failure's first comment says what failed (libuv: "exit
		 * code 6", Test::More: "Failed test ...") */
		if (r->t.open && !r->t.msg_len && n &&
		    fg_astatus_is_failure(r->t.st))
			set_msg(&r->t, c, n);
	}
	fg_buf_append(b, c, n);
	fg_buf_append(b, "\n", 1);
}

/* One complete line, cleaned, without its newline. */
static void tap_line(struct history_tap *r, const char *s, size_t n)
{
	size_t ind = 0;
	const char *c, *rest;
	bool ok;
	int k;

	while (ind < n && s[ind] == ' ')
		ind++;
	c = s + ind;
	if (r->bailed) {
		if (test_point(c, &ok) || starts(c, "1.."))
			tap_warn(r, W_BAILED, "a TAP line after Bail out!");
		fg_buf_append(&r->bail_out, s, n);
		fg_buf_append(&r->bail_out, "\n", 1);
		return;
	}
	if (r->in_yaml) {
		const char *e = s + n;

		while (e > c && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (ind >= r->yaml_indent && e - c == 3 && starts(c, "...")) {
			yaml_end(r);
			return;
		}
		if (ind >= r->yaml_indent || ind == n) {
			yaml_line(r, s + (ind < r->yaml_indent ? ind :
					  r->yaml_indent),
				  n - (ind < r->yaml_indent ? ind :
				       r->yaml_indent));
			return;
		}
		tap_warn(r, W_YAML, "a YAML block (line %ld) ends without "
			 "\"...\"", r->t.line);
		yaml_end(r);
	}
	if (!strncasecmp(c, "bail out!", 9)) {
		finish_test(r);
		r->any_tap = true;
		r->bailed = true;
		r->st.bailed = true;
		rest = skip_ws(c + 9);
		r->bail_msg = *rest ? fg_xasprintf("Bail out! %s", rest) :
				      fg_xstrdup("Bail out!");
		return;
	}
	k = ind % 4 ? -1 : (int)(ind / 4);
	if (k >= 0 && *c == '#' && (starts(c, "# Subtest") ||
				    starts(c, "#Subtest"))) {
		const char *name = skip_ws(c + (c[1] == ' ' ? 9 : 8));

		if (*name == ':')
			name = skip_ws(name + 1);
		if (k == r->depth && k < TAP_DEPTH_MAX) {
			push_level(r, *name ? name : NULL);
			return;
		}
		if (k < r->depth) {
			pop_to(r, k);
			finish_test(r);
			free(r->subtest);
			r->subtest = fg_xstrdup(name);
			return;
		}
	}
	if (k >= 0 && (test_point(c, &ok) || starts(c, "1..") ||
		       starts(c, "TAP version"))) {
		if (k > r->depth || (k == r->depth && k >= TAP_DEPTH_MAX)) {
			if (k >= TAP_DEPTH_MAX)
				tap_warn(r, W_DEPTH, "subtests nested deeper "
					 "than %d levels", TAP_DEPTH_MAX);
			on_output(r, s, n, ind);
			return;
		}
		if (k == r->depth) {
			push_level(r, r->subtest);
			free(r->subtest);
			r->subtest = NULL;
		}
		pop_to(r, k);
		if ((rest = test_point(c, &ok))) {
			on_test_point(r, rest, ok);
		} else if (starts(c, "1..") && c[3] >= '0' && c[3] <= '9') {
			on_plan(r, c);
		} else if (starts(c, "TAP version")) {
			const char *end;
			long v = parse_num(skip_ws(c + 11), &end, 1000);

			r->any_tap = true;
			if (k == 0 && (v < 13 || v > 14))
				tap_say(r, r->lineno, "TAP version %ld: read "
					"as TAP 14", v);
		} else {
			on_output(r, s, n, ind);
		}
		return;
	}
	if (r->t.open && n == ind + 3 && starts(c, "---") &&
	    ind == (size_t)r->t.level * 4 + 2) {
		yaml_begin(r, ind);
		return;
	}
	on_output(r, s, n, ind);
}

/* A line is complete: clean it and read it. */
static void line_done(struct history_tap *r)
{
	size_t n = r->len;

	r->lineno++;
	if (n && r->line[n - 1] == '\r' && !r->cut)
		n--;
	if (r->cut)
		tap_warn(r, W_CUT, "a line of %llu bytes: the first %d kept",
			 (unsigned long long)(r->len + r->cut), TAP_LINE_MAX);
	n = clean_line(r, r->line ? r->line : "", n);
	tap_line(r, r->clean, n);
	r->len = 0;
	r->cut = 0;
}

/* ---------------------------------------------------------------------- */
/* The API                                                                 */
/* ---------------------------------------------------------------------- */

struct history_tap *history_tap_new(const char *suite, const char *label,
				    const struct history_junit_sink *sink)
{
	struct history_tap *r = fg_xcalloc(1, sizeof(*r));

	r->suite = fg_xstrdup(suite ? suite : "");
	r->label = fg_xstrdup(label ? label : "TAP");
	r->sink = *sink;
	r->depth = 1;
	level_release(&r->lv[0]);
	fg_buf_init(&r->t.out, TAP_OUT_MAX);
	fg_buf_init(&r->pre, TAP_OUT_MAX);
	fg_buf_init(&r->bail_out, TAP_OUT_MAX);
	return r;
}

int history_tap_feed(struct history_tap *r, const void *bytes, size_t len)
{
	const char *p = bytes, *e = p + len;

	while (p < e && !r->rc) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = (size_t)((nl ? nl : e) - p);
		size_t room = TAP_LINE_MAX - r->len;
		size_t take = n < room ? n : room;

		if (take) {
			fg_xgrow((void **)&r->line, &r->line_cap,
				 r->len + take, 1);
			memcpy(r->line + r->len, p, take);
			r->len += take;
		}
		if (take < n) {
			if (!r->cut)
				r->cut_hash = HIST_FNV_INIT;
			r->cut += n - take;
			r->cut_hash = hist_fnv1a(r->cut_hash, p + take,
						 n - take);
		}
		p += n;
		if (nl) {
			line_done(r);
			p++;
		}
	}
	return r->rc;
}

/* Repeated warnings: how many in all, past the ones said. */
static void warn_totals(struct history_tap *r)
{
	for (int k = 0; k < W_COUNT_; k++)
		if (r->nwarn[k] > TAP_WARN_EACH)
			tap_say(r, r->wline[k], "%s: %llu in all (the last "
				"here)", tap_warn_text[k],
				(unsigned long long)r->nwarn[k]);
}

int history_tap_finish(struct history_tap *r, struct history_tap_stats *stats,
		       struct fg_error *err)
{
	struct tap_level *top = &r->lv[0];
	int rc = FG_OK;

	if (r->len || r->cut)
		line_done(r); /* the last line had no newline */
	if (r->in_yaml) {
		tap_warn(r, W_YAML, "a YAML block (line %ld) ends without "
			 "\"...\"", r->t.line);
		yaml_end(r);
	}
	pop_to(r, 0);
	finish_test(r);
	if (top->skip_all && !top->count && !r->bailed)
		emit(r, "", r->suite, FG_A_SKIPPED, 0, top->skip_all,
		     out_text(&r->pre));
	end_level(r);
	if (r->bailed) {
		char *pre = r->any_test ? NULL : out_text(&r->pre);

		if (pre) {
			/* nothing else took what came before: it is the bail
			 * out's context (blank lines alone are nothing) */
			char *after = out_text(&r->bail_out);

			fg_buf_release(&r->bail_out);
			fg_buf_init(&r->bail_out, TAP_OUT_MAX);
			fg_buf_append(&r->bail_out, pre, strlen(pre));
			if (after) {
				fg_buf_append(&r->bail_out, "\n", 1);
				fg_buf_append(&r->bail_out, after, strlen(after));
			}
			free(pre);
			free(after);
		}
		emit(r, "", TAP_SUITE_ERROR, FG_A_ERROR, 0, r->bail_msg,
		     out_text(&r->bail_out));
	}
	warn_totals(r);
	if (!r->any_tap)
		rc = fg_fail(err, FG_ETAP, "%s:1: not TAP: no plan and no "
			     "test line%s", r->label,
			     r->lineno ? "" : " (empty)");
	else if (r->bad)
		rc = fg_fail(err, FG_ETAP, "%s:%ld: %s", r->label, r->bad_line,
			     r->bad_msg);
	if (r->rc)
		rc = r->rc;
	if (stats)
		*stats = r->st;
	return rc;
}

void history_tap_free(struct history_tap *r)
{
	if (!r)
		return;
	for (int i = 0; i < TAP_DEPTH_MAX; i++)
		level_release(&r->lv[i]);
	free(r->t.cls);
	free(r->t.name);
	fg_buf_release(&r->t.out);
	fg_buf_release(&r->pre);
	fg_buf_release(&r->bail_out);
	free(r->cls.s);
	free(r->yaml.s);
	free(r->subtest);
	free(r->bail_msg);
	hist_idset_release(&r->names);
	free(r->suite);
	free(r->label);
	free(r->line);
	free(r->clean);
	free(r);
}

int history_tap_read_file(const char *path, const char *suite,
			  const struct history_junit_sink *sink,
			  struct history_tap_stats *stats,
			  struct fg_error *err)
{
	struct history_tap *r;
	struct stat sb;
	char buf[64 * 1024];
	ssize_t n;
	int fd, rc = FG_OK;

	/* O_NONBLOCK so a FIFO cannot hang us; only regular files are read. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fg_fail(err, FG_EIO, "%s: cannot open: %s", path,
			       strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fg_fail(err, FG_EIO, "%s: not a regular file", path);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	r = history_tap_new(suite, path, sink);
	while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fg_fail(err, FG_EIO, "%s: read error: %s", path,
				     strerror(errno));
			break;
		}
		rc = history_tap_feed(r, buf, (size_t)n);
	}
	if (!rc)
		rc = history_tap_finish(r, stats, err);
	else if (stats)
		*stats = r->st;
	history_tap_free(r);
	close(fd);
	return rc;
}
