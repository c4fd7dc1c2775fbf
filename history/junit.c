/* SPDX-License-Identifier: MIT */
/*
 * history/junit.c - the JUnit XML reader: libxml2's streaming xmlTextReader
 * over a repairing byte filter, and a small state machine that turns
 * <testcase> elements into attempts of struct fg_test.
 *
 * The filter (history/junit_filter.c, behind history/internal.h) repairs
 * what real producers write before libxml2 sees it and wraps the file's
 * roots in one <flakeguard-wrap> element; jf_line_map() turns libxml2's
 * line numbers back into the file's. The reader sees only that interface.
 *
 * Damage. libxml2's reader hands out nodes per 512-byte chunk, so a fatal
 * error also drops the complete elements before it in its chunk. When the
 * error is not simply the end of the file, we undo what the first pass
 * added and read the file again, handing libxml2 only the bytes before the
 * error (backed off to the last '<' on its line): everything complete
 * before the damage is kept, stats->partial is set and FG_EXML names the
 * first pass's error. Nothing read, or not JUnit at all, is FG_EXML too.
 *
 * The model. Each <testcase> is an attempt of the test (suite, classname,
 * name); testcases with the same identity (in this file or already in the
 * run, e.g. gotestsum --rerun-fails or a runner's retry) are further
 * attempts of one test, found through core's index (fg_run_find_test).
 * The suite is the path of the enclosing <testsuite> names joined by '/'
 * (PHPUnit nests three levels), or `suite_fallback` when given; then an
 * empty classname becomes the suite path, so cmocka groups stay apart.
 *
 * Status: the most severe child wins, error > failure > skipped > passed;
 * GoogleTest status="notrun", result="skipped"|"suppressed" and ctest
 * status="disabled" mean skipped. Message: the `message` attribute of the
 * first child of that severity, else the first non-empty line of its body
 * (the second when the first only names "Class::test", as PHPUnit writes),
 * else its `type`; at most 4 KiB. Output, at most 64 KiB (head and tail,
 * with fg_buf's marker): the bodies of failure/error/skipped (stack
 * traces), then system-out and system-err, in document order; the messages
 * of further failure elements (GoogleTest writes one per EXPECT) go there
 * too. Blank lines around the output are dropped.
 *
 * Retries: every flakyFailure/flakyError/rerunFailure/rerunError is a failed
 * (or error) attempt placed before the testcase's own attempt, in document
 * order, with its message, stackTrace + system-out/err as output and its
 * own `time` when given; so flaky* + pass settles as flaky and rerun* +
 * failure as failed. (nextest puts the last run in <failure>; Surefire the
 * first, so there the order of the failed attempts is rotated.)
 * Testcases met again in one file are more attempts of their test, and
 * the reader warns (file:line) about each of the first JR_AGAIN_WARN, then
 * sums up; nothing is merged silently. pytest writes "the call failed,
 * then the teardown errored" as two testcases with one name: both stay
 * attempts, and the error's message gets the failure's before its own
 * (pytest_teardown()), so the last attempt says both.
 * Suite-level system-out/err goes to the suite's failed tests that have no
 * output of their own (or to its only test: Bazel writes the log there). A
 * suite-level <error>/<failure>, or a suite that counts errors or failures
 * but holds no testcase (cmocka's failed group setup), becomes a synthetic
 * test named "[suite-error]".
 *
 * Streaming (history_junit_stream): the same reader fills a small window
 * run of its own instead of the caller's, and hands tests to a sink once
 * nothing later in the file can change them: all of them when an
 * outermost testsuite ends, and inside a big suite the final ones (see
 * jr_final()) whenever JR_WINDOW tests are held. A test seen again after
 * it went is handed on again with only its new attempts (the sink merges,
 * as history_store_run_add_test() does with `merge`). A damaged file read
 * twice calls the sink's rewind() before the second pass. The identities
 * of tests handed on are kept as 64-bit hashes (hist_idset: 16 bytes a
 * test at most, 16 MiB in all) so that a test met again after it went is still warned
 * about, as history_junit_read() would.
 *
 * API: history_junit_read(), history_junit_stream() (history/history.h).
 */
#include "history/history.h"
#include "history/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlreader.h>


/* ====================================================================== */
/* Small helpers: growable strings, capped output, messages               */
/* ====================================================================== */

#define JR_OUT_MAX (64 * 1024) /* output kept per attempt (head + tail) */
#define JR_MSG_MAX 4096        /* bytes of a message */
#define JR_MAX_DEPTH 512
#define JR_SUITE_ERROR "[suite-error]"
#define JR_COUNT_MAX 1000000000L /* counts read from attributes, clamped */
/*
 * Streaming (history_junit_stream): tests are handed on when their
 * outermost testsuite ends, or, inside a suite, once the window holds this
 * many and they can no longer change (see jr_flush()).
 */
#define JR_WINDOW 256

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A growable NUL-terminated string, reused across elements. */
struct jstr {
	char *s;
	size_t len, cap;
};

static void jstr_set(struct jstr *j, const char *s, size_t n)
{
	fg_xgrow((void **)&j->s, &j->cap, n + 1, 1);
	memcpy(j->s, s, n);
	j->s[n] = '\0';
	j->len = n;
}

static void jstr_cat(struct jstr *j, const char *s, size_t n)
{
	fg_xgrow((void **)&j->s, &j->cap, j->len + n + 1, 1);
	memcpy(j->s + j->len, s, n);
	j->len += n;
	j->s[j->len] = '\0';
}

static void jstr_trunc(struct jstr *j, size_t n)
{
	if (j->s) {
		j->len = n;
		j->s[n] = '\0';
	}
}

static const char *jstr_get(const struct jstr *j)
{
	return j->s ? j->s : "";
}

/* Captured output of one attempt: an fg_buf whose memory is reused. */
struct jout {
	struct fg_buf b;
	char last; /* last byte appended, to separate sections */
};

static void jout_reset(struct jout *o)
{
	o->b.head_len = o->b.tail_len = o->b.tail_pos = 0;
	o->b.total = 0;
	o->last = '\n';
}

static void jout_add(struct jout *o, const char *s, size_t n)
{
	if (!n)
		return;
	fg_buf_append(&o->b, s, n);
	o->last = s[n - 1];
}

/* Starts a new section (a body, system-out, ...) on a line of its own. */
static void jout_section(struct jout *o)
{
	if (o->b.total && o->last != '\n')
		jout_add(o, "\n", 1);
}

/* The kept text, or NULL when nothing was captured. Caller frees. */
static char *jout_text(struct jout *o)
{
	size_t n, skip = 0;
	char *s;

	if (!o->b.total)
		return NULL;
	s = fg_buf_text(&o->b);
	/* Blank lines around the text are layout (indentation), not content. */
	n = strlen(s);
	while (n && is_ws((unsigned char)s[n - 1]))
		s[--n] = '\0';
	for (size_t i = 0; i < n && is_ws((unsigned char)s[i]); i++) {
		if (s[i] == '\n')
			skip = i + 1;
	}
	if (!n) {
		free(s);
		return NULL;
	}
	if (skip)
		memmove(s, s + skip, n - skip + 1);
	return s;
}

/*
 * A message: the `message` attribute, or the first non-empty line of the
 * element's body collected as the text comes in.
 */
struct jmsg {
	char s[JR_MSG_MAX + 8];
	size_t len;
	enum { JM_OFF, JM_SKIP, JM_LINE, JM_DONE } st;
	int lines;  /* body lines complete */
	bool body;  /* the text comes from the body, not an attribute */
};

/* Appends at most what fits, never splitting a UTF-8 sequence. */
static void jmsg_put(struct jmsg *m, const char *s, size_t n)
{
	size_t room = JR_MSG_MAX - m->len;

	if (n > room) {
		n = room;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		m->st = JM_DONE;
	}
	memcpy(m->s + m->len, s, n);
	m->len += n;
	m->s[m->len] = '\0';
}

static void jmsg_reset(struct jmsg *m)
{
	m->len = 0;
	m->s[0] = '\0';
	m->st = JM_OFF;
	m->lines = 0;
	m->body = false;
}

/* Sets the message from an attribute; empty means "none". */
static void jmsg_attr(struct jmsg *m, const char *v)
{
	size_t n;

	jmsg_reset(m);
	while (v && is_ws((unsigned char)*v))
		v++;
	n = v ? strlen(v) : 0;
	while (n && is_ws((unsigned char)v[n - 1]))
		n--;
	if (n) {
		jmsg_put(m, v, n);
		m->st = JM_DONE;
	} else {
		m->st = JM_SKIP; /* take it from the body */
		m->body = true;
	}
}

/*
 * Feeds body text; keeps its first two non-empty lines (joined by '\n'):
 * jmsg_pick() chooses one once the element is over.
 */
static void jmsg_body(struct jmsg *m, const char *s, size_t n)
{
	const char *e = s + n;

	while (s < e && (m->st == JM_SKIP || m->st == JM_LINE)) {
		if (m->st == JM_SKIP) {
			while (s < e && is_ws((unsigned char)*s))
				s++;
			if (s == e)
				return;
			if (m->lines)
				jmsg_put(m, "\n", 1);
			m->st = JM_LINE;
		}
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		const char *end = nl ? nl : e;

		jmsg_put(m, s, (size_t)(end - s));
		if (!nl || m->st == JM_DONE)
			return;
		while (m->len && is_ws((unsigned char)m->s[m->len - 1]))
			m->s[--m->len] = '\0';
		m->st = ++m->lines == 2 ? JM_DONE : JM_SKIP;
		s = nl + 1;
	}
}

/*
 * A message from a body is its first line, unless that line only names the
 * test (PHPUnit writes "Class::method" first): then the second.
 */
static void jmsg_pick(struct jmsg *m, const char *name)
{
	char *nl;
	size_t k = strlen(name);

	while (m->len && is_ws((unsigned char)m->s[m->len - 1]))
		m->s[--m->len] = '\0';
	if (!m->body || !(nl = memchr(m->s, '\n', m->len)))
		return;
	if (k && (size_t)(nl - m->s) >= k + 2 &&
	    !memcmp(nl - k, name, k) && !memcmp(nl - k - 2, "::", 2)) {
		m->len -= (size_t)(nl + 1 - m->s);
		memmove(m->s, nl + 1, m->len + 1);
	} else {
		*nl = '\0';
		m->len = (size_t)(nl - m->s);
	}
}

static const char *jmsg_get(const struct jmsg *m)
{
	return m->len ? m->s : NULL;
}

/*
 * An integer attribute (a count, a line, an exponent), clamped to
 * [lo, hi]: producers write anything there (fuzzing found errors="9" x 90),
 * and nothing read from a file may overflow what it is added to.
 * Leading blanks and a sign are taken; junk after the digits is ignored;
 * no digits gives 0 (clamped).
 */
static long attr_int(const char *s, long lo, long hi)
{
	long long v = 0;
	bool neg = false;

	while (is_ws((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (LLONG_MAX - 9) / 10)
			break; /* far beyond any bound: the clamp decides */
		v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	return v < lo ? lo : v > hi ? hi : (long)v;
}

/*
 * Parses a `time` attribute in seconds ("1", "0.0190815", "1,234.5") into
 * milliseconds, in the C locale whatever the process locale is. Missing,
 * unparsable or negative gives 0; more than a year is clamped.
 */
static int64_t parse_seconds(const char *s)
{
	double v = 0, scale = 0.1;
	bool digits = false;

	if (!s)
		return 0;
	while (is_ws((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	for (; (*s >= '0' && *s <= '9') || *s == ','; s++) {
		if (*s != ',') {
			v = v * 10 + (*s - '0');
			digits = true;
		}
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10) {
			v += (*s - '0') * scale;
			digits = true;
		}
	}
	if (!digits)
		return 0;
	if ((*s == 'e' || *s == 'E') && s[1]) {
		int ex = (int)attr_int(s + 1, -400, 400);

		for (; ex > 0 && v < 1e12; ex--)
			v *= 10;
		for (; ex < 0 && v > 0; ex++)
			v /= 10;
	}
	v = v * 1000 + 0.5;
	if (v > 365.0 * 24 * 3600 * 1000)
		v = 365.0 * 24 * 3600 * 1000;
	return (int64_t)v;
}

/* ====================================================================== */
/* The reader: elements to tests and attempts                              */
/* ====================================================================== */

enum jkind {
	K_OTHER,       /* ignored, with everything inside (properties, ...) */
	K_WRAP,        /* our <flakeguard-wrap> */
	K_SUITES,      /* <testsuites> */
	K_SUITE,       /* <testsuite>, at any depth */
	K_CASE,        /* <testcase> */
	K_RESULT,      /* failure, error, skipped in a testcase */
	K_CASE_OUT,    /* system-out, system-err in a testcase */
	K_RETRY,       /* flakyFailure, flakyError, rerunFailure, rerunError */
	K_RETRY_TRACE, /* stackTrace in a retry element */
	K_RETRY_OUT,   /* system-out, system-err in a retry element */
	K_SUITE_OUT,   /* system-out, system-err in a testsuite */
	K_SUITE_ERR,   /* error, failure directly in a testsuite */
};

struct jframe {
	enum jkind kind;
	size_t suite_len;   /* K_SUITE: length of the suite path before it */
	size_t touch_mark;  /* K_SUITE: ntouched when it started */
	size_t case_mark;   /* K_SUITE: cases read when it started */
	bool inner_suites;  /* K_SUITE: has nested testsuites */
	long counted_errs;  /* K_SUITE: its errors + failures attributes */
	bool any;           /* K_SUITE: a test was touched inside it */
	bool multi;         /* K_SUITE: ... and more than one distinct test */
	size_t first;       /* K_SUITE: the first one (index in run->tests),
			     * JR_GONE once it went to the sink */
};

#define JR_GONE SIZE_MAX

/* A retry element, kept until its testcase ends. */
struct jretry {
	enum fg_astatus st;
	int64_t ms;
	char *msg, *out; /* owned; moved into the attempt */
};

/* What this file did to run->tests[i] (indexes: the array may move). */
struct jseen {
	bool here;         /* the test got an attempt from this file */
	size_t attempts0;  /* its attempts before this file */
};

/*
 * The second pass over a damaged file hands libxml2 only the filtered
 * bytes before the first pass's error: every line before the error's
 * line, and of that line the bytes before its column, backed off to the
 * last '<' so that libxml2 ends inside the element that held the error
 * without reading its damage (it then fails on the open elements, which
 * is expected). The filter knows nothing of this: it is the reader's
 * recovery, done on the bytes between the two (jr_read()).
 */
struct jcut {
	long line, col;     /* the error in the filtered stream; line 0: none */
	long hand_line;     /* line of the next byte handed to libxml2 */
	long left;          /* bytes of the cut line still to hand; -1: not
			       worked out yet */
	char *pend;         /* bytes read from the filter, not handed yet */
	size_t pos, npend, cap;
};

#define JR_CUT_LINE_MAX (16L << 20) /* longest cut line looked through */

struct jreader {
	const char *path, *fallback;
	struct fg_run *run;
	struct history_junit_stats *stats;
	xmlTextReaderPtr xr;
	struct jfilter *f;     /* the repairing filter: libxml2 reads it */
	struct jf_report rep;  /* what it did, once the pass is over */
	struct jcut cut;       /* second pass: where libxml2 must stop */

	struct jframe fr[JR_MAX_DEPTH];
	int depth;             /* open elements, may exceed JR_MAX_DEPTH */
	struct jstr suite;     /* path of the open testsuites, '/'-joined */
	int junit_roots;
	char bad_root[64];     /* first root that is not JUnit */
	long bad_line, bad_col;

	/* the open <testcase> */
	struct jstr c_name, c_class, c_file, c_type;
	long c_line;
	int64_t c_ms;
	enum fg_astatus c_st;
	int c_sev;             /* 0 passed, 1 skipped, 2 failed, 3 error */
	int c_rsev;            /* the same, of result elements only */
	bool c_primary;        /* the open result element gives the message */
	struct jmsg c_msg;
	struct jout c_out;
	struct jretry *retries;
	size_t nretries, retries_cap;

	/* the open retry element or suite-level error */
	enum fg_astatus r_st;
	int64_t r_ms;
	struct jstr r_type;
	struct jmsg r_msg;
	struct jout r_out;
	struct jout s_out;     /* suite-level system-out/err */

	struct jseen *seen;    /* one per test of the run */
	size_t seen_cap;
	size_t *touched;       /* test indexes, in the order cases ended */
	size_t ntouched, touched_cap;

	bool fatal;            /* libxml2 gave up */
	long err_line, err_col;
	long err_out_line;     /* the same line in the filtered stream */
	int err_code;          /* libxml2's xmlParserErrors */
	char err_msg[256];
	bool quiet;            /* second pass: warnings were given already */
	size_t ntests0;        /* run->ntests before this file */
	size_t again_n;        /* test cases that joined a test met before */
	long again_line;       /* the last of them past the warned ones */
	/*
	 * Streaming: the identities (hist_fnv1a) of the tests handed on, so
	 * that one met again is known as such though it left the window
	 * (16 bytes a test at most, HIST_IDSET_MAX slots).
	 */
	struct hist_idset went;

	/* Streaming: run is &window, whose tests go to sink as they settle. */
	const struct history_junit_sink *sink;
	struct fg_run window;
	int sink_rc;           /* a sink callback failed: stop reading */
};

static void jr_warn(struct jreader *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* How many bytes of s to print to show at most max, whole characters. */
static int utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n <= max)
		return (int)n;
	n = max;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static void jr_warn(struct jreader *r, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fg_log(FG_LOG_WARN, "junit", "%s:%ld: %s", r->path, line, msg);
	r->stats->warnings++;
}

/* Input line of the node the reader is on (else of the parser). */
static long jr_line(struct jreader *r)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(r->xr);
	long line = node ? xmlGetLineNo(node) : -1;

	if (line <= 0)
		line = xmlTextReaderGetParserLineNumber(r->xr);
	return jf_line_map(r->f, line);
}

static bool streq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/*
 * The reader's index bookkeeping, checked in debug builds (-DFG_DEBUG, as
 * `make asan` builds): every index it holds points into run->tests, marks
 * only grow inward, and the tests this file touched are the ones `seen`
 * says. With `full`, the whole touched list too (O(n): after a
 * compaction, where the window keeps n small).
 */
static void jr_check(const struct jreader *r, bool full)
{
#ifdef FG_DEBUG
	const struct fg_run *run = r->run;
	int depth = r->depth < JR_MAX_DEPTH ? r->depth : JR_MAX_DEPTH;
	size_t mark = 0;

	if (run->ntests > r->ntests0 && r->seen_cap < run->ntests)
		FG_BUG("junit: seen[] has %zu slots for %zu tests",
		       r->seen_cap, run->ntests);
	for (int d = 0; d < depth; d++) {
		const struct jframe *fr = &r->fr[d];

		if (fr->kind != K_SUITE)
			continue;
		if (fr->touch_mark < mark || fr->touch_mark > r->ntouched)
			FG_BUG("junit: frame %d touch mark %zu outside "
			       "[%zu, %zu]", d, fr->touch_mark, mark,
			       r->ntouched);
		mark = fr->touch_mark;
		if (fr->any && fr->first != JR_GONE &&
		    fr->first >= run->ntests)
			FG_BUG("junit: frame %d first test %zu of %zu", d,
			       fr->first, run->ntests);
		if (!fr->any && fr->multi)
			FG_BUG("junit: frame %d multi without any", d);
	}
	for (size_t i = full ? 0 : r->ntouched ? r->ntouched - 1 : 0;
	     i < r->ntouched; i++) {
		size_t t = r->touched[i];

		if (t >= run->ntests || t >= r->seen_cap || !r->seen[t].here)
			FG_BUG("junit: touched[%zu] = %zu of %zu tests "
			       "(seen: %d)", i, t, run->ntests,
			       t < r->seen_cap ? r->seen[t].here : -1);
	}
	if (r->sink && full) {
		for (size_t i = 0; i < run->ntests; i++)
			if (i >= r->seen_cap || !r->seen[i].here)
				FG_BUG("junit: window test %zu not seen", i);
	}
#else
	(void)r;
	(void)full;
#endif
}

/* ---------------------------------------------------------------------- */
/* Test lookup: core's index over (suite, classname, name)                 */
/* ---------------------------------------------------------------------- */

static uint64_t identity_hash(const char *suite, const char *cls,
			      const char *name)
{
	uint64_t h = hist_fnv1a(HIST_FNV_INIT, suite, strlen(suite) + 1);

	h = hist_fnv1a(h, cls, strlen(cls) + 1);
	h = hist_fnv1a(h, name, strlen(name));
	return h ? h : 1; /* 0 marks an empty slot */
}

/*
 * Finds or adds the test; *again tells whether this file already gave it an
 * attempt (pytest teardown errors, gotestsum reruns), also when streaming
 * handed it on already. A test the run had before this file (a runner's
 * retry of the suite) gets more attempts, and is not "again".
 */
static size_t jr_test(struct jreader *r, const char *suite, const char *cls,
		      const char *name, bool *again)
{
	struct fg_test *t = fg_run_find_test(r->run, suite, cls, name);
	bool went = false;
	size_t idx;

	if (!t) {
		went = r->went.n &&
		       hist_idset_has(&r->went, identity_hash(suite, cls, name));
		t = fg_run_add_test(r->run, suite, cls, name);
	}
	idx = (size_t)(t - r->run->tests);
	if (idx >= r->seen_cap) {
		size_t old = r->seen_cap;

		fg_xgrow((void **)&r->seen, &r->seen_cap, idx + 1,
			 sizeof(*r->seen));
		memset(r->seen + old, 0, (r->seen_cap - old) * sizeof(*r->seen));
	}
	*again = r->seen[idx].here || went;
	if (!r->seen[idx].here) {
		r->seen[idx].here = true;
		r->seen[idx].attempts0 = t->nattempts;
		r->stats->tests++;
	}
	return idx;
}

static void touch(struct jreader *r, size_t idx)
{
	int n = r->depth < JR_MAX_DEPTH ? r->depth : JR_MAX_DEPTH;

	/* The open suites (not one being ended: depth is below it). */
	for (int i = 0; i < n; i++) {
		struct jframe *fr = &r->fr[i];

		if (fr->kind != K_SUITE)
			continue;
		if (!fr->any) {
			fr->any = true;
			fr->first = idx;
		} else if (fr->first != idx) {
			fr->multi = true;
		}
	}
	fg_xgrow((void **)&r->touched, &r->touched_cap, r->ntouched + 1,
		 sizeof(*r->touched));
	r->touched[r->ntouched++] = idx;
	jr_check(r, false);
}

/* The identity of a test in the open suite (see the file comment). */
static void jr_identity(struct jreader *r, const char **suite,
			const char **cls)
{
	*suite = r->fallback ? r->fallback : jstr_get(&r->suite);
	if (r->fallback && !**cls)
		*cls = jstr_get(&r->suite);
}

/* ---------------------------------------------------------------------- */
/* Element handlers                                                        */
/* ---------------------------------------------------------------------- */

static enum jkind kind_in_root(struct jreader *r, const char *name)
{
	if (streq(name, "testsuites") || streq(name, "testsuite")) {
		r->junit_roots++;
		return streq(name, "testsuites") ? K_SUITES : K_SUITE;
	}
	if (!r->bad_root[0]) {
		snprintf(r->bad_root, sizeof(r->bad_root), "%s", name);
		r->bad_line = jr_line(r);
		r->bad_col = 1;
	}
	return K_OTHER;
}

static bool is_out(const char *name)
{
	return streq(name, "system-out") || streq(name, "system-err");
}

static enum jkind kind_of(struct jreader *r, const char *name)
{
	enum jkind parent = r->depth == 0 ? K_WRAP :
			    r->depth > JR_MAX_DEPTH ? K_OTHER :
			    r->fr[r->depth - 1].kind;

	switch (parent) {
	case K_WRAP:
		if (r->depth == 0 && streq(name, JF_WRAP))
			return K_WRAP;
		return kind_in_root(r, name);
	case K_SUITES:
		if (streq(name, "testsuite"))
			return K_SUITE;
		if (streq(name, "testcase"))
			return K_CASE; /* no suite: "" or the fallback */
		return streq(name, "testsuites") ? K_SUITES : K_OTHER;
	case K_SUITE:
		if (streq(name, "testcase"))
			return K_CASE;
		if (streq(name, "testsuite"))
			return K_SUITE;
		if (is_out(name))
			return K_SUITE_OUT;
		if (streq(name, "error") || streq(name, "failure"))
			return K_SUITE_ERR;
		return K_OTHER;
	case K_CASE:
		if (streq(name, "failure") || streq(name, "error") ||
		    streq(name, "skipped"))
			return K_RESULT;
		if (is_out(name))
			return K_CASE_OUT;
		if (streq(name, "flakyFailure") || streq(name, "flakyError") ||
		    streq(name, "rerunFailure") || streq(name, "rerunError"))
			return K_RETRY;
		return K_OTHER;
	case K_RETRY:
		if (streq(name, "stackTrace"))
			return K_RETRY_TRACE;
		return is_out(name) ? K_RETRY_OUT : K_OTHER;
	default:
		return K_OTHER;
	}
}

/* Calls fn(r, name, value) for each attribute of the current element. */
static void each_attr(struct jreader *r,
		      void (*fn)(struct jreader *, const char *, const char *,
				 void *),
		      void *arg)
{
	while (xmlTextReaderMoveToNextAttribute(r->xr) == 1) {
		const char *n = (const char *)xmlTextReaderConstLocalName(r->xr);
		const char *v = (const char *)xmlTextReaderConstValue(r->xr);

		if (n && v)
			fn(r, n, v, arg);
	}
	xmlTextReaderMoveToElement(r->xr);
}

static void suite_attr(struct jreader *r, const char *n, const char *v,
		       void *arg)
{
	struct jframe *fr = arg;

	if (streq(n, "name") && *v) {
		if (r->suite.len)
			jstr_cat(&r->suite, "/", 1);
		jstr_cat(&r->suite, v, strlen(v));
	} else if (streq(n, "errors") || streq(n, "failures")) {
		long k = attr_int(v, 0, JR_COUNT_MAX);

		/* both clamped: the sum stays within 2 * JR_COUNT_MAX */
		fr->counted_errs = fr->counted_errs + k > JR_COUNT_MAX ?
					   JR_COUNT_MAX :
					   fr->counted_errs + k;
	}
}

static void suite_begin(struct jreader *r, struct jframe *fr)
{
	if (r->depth > 0 && r->depth <= JR_MAX_DEPTH &&
	    r->fr[r->depth - 1].kind == K_SUITE)
		r->fr[r->depth - 1].inner_suites = true;
	fr->suite_len = r->suite.len;
	fr->touch_mark = r->ntouched;
	fr->case_mark = r->stats->cases;
	fr->inner_suites = false;
	fr->counted_errs = 0;
	fr->any = fr->multi = false;
	fr->first = 0;
	jout_reset(&r->s_out);
	each_attr(r, suite_attr, fr);
}

/* Severity order: error > failure > skipped > passed. */
static void case_status(struct jreader *r, enum fg_astatus st)
{
	int sev = st == FG_A_ERROR ? 3 : st == FG_A_FAILED ? 2 :
		  st == FG_A_SKIPPED ? 1 : 0;

	if (sev > r->c_sev) {
		r->c_sev = sev;
		r->c_st = st;
	}
}

static void case_attr(struct jreader *r, const char *n, const char *v,
		      void *arg)
{
	(void)arg;
	if (streq(n, "name"))
		jstr_set(&r->c_name, v, strlen(v));
	else if (streq(n, "classname"))
		jstr_set(&r->c_class, v, strlen(v));
	else if (streq(n, "time"))
		r->c_ms = parse_seconds(v);
	else if (streq(n, "duration") && !r->c_ms)
		r->c_ms = parse_seconds(v); /* Bazel */
	else if (streq(n, "file"))
		jstr_set(&r->c_file, v, strlen(v));
	else if (streq(n, "line"))
		r->c_line = attr_int(v, 0, INT_MAX);
	else if ((streq(n, "status") &&
		  (streq(v, "notrun") || streq(v, "disabled") ||
		   streq(v, "skipped") || streq(v, "SKIPPED"))) ||
		 (streq(n, "result") &&
		  (streq(v, "skipped") || streq(v, "suppressed"))))
		case_status(r, FG_A_SKIPPED);
}

static void case_begin(struct jreader *r)
{
	jstr_set(&r->c_name, "", 0);
	jstr_set(&r->c_class, "", 0);
	jstr_set(&r->c_file, "", 0);
	jstr_set(&r->c_type, "", 0);
	r->c_line = 0;
	r->c_ms = 0;
	r->c_st = FG_A_PASSED;
	r->c_sev = 0;
	r->c_rsev = 0;
	r->c_primary = false;
	jmsg_reset(&r->c_msg);
	jout_reset(&r->c_out);
	r->nretries = 0;
	r->stats->cases++;
	each_attr(r, case_attr, NULL);
	/* Kept, under the empty name; unnamed cases of one class become
	 * attempts of one test, so say it. */
	if (!r->c_name.len)
		jr_warn(r, jr_line(r), "<testcase> without a name: recorded "
			"with an empty name");
}

/* Where the attributes of failure/error/skipped and retries go. */
struct jresult_attrs {
	struct jmsg *msg;
	struct jstr *type;
	int64_t *ms;
};

static void result_attr(struct jreader *r, const char *n, const char *v,
			void *arg)
{
	struct jresult_attrs *a = arg;

	(void)r;
	if (streq(n, "message"))
		jmsg_attr(a->msg, v);
	else if (streq(n, "type"))
		jstr_set(a->type, v, strlen(v));
	else if (streq(n, "time") && a->ms)
		*a->ms = parse_seconds(v);
}

static enum fg_astatus result_status(const char *name)
{
	if (streq(name, "error") || streq(name, "flakyError") ||
	    streq(name, "rerunError"))
		return FG_A_ERROR;
	if (streq(name, "skipped"))
		return FG_A_SKIPPED;
	return FG_A_FAILED;
}

/*
 * failure/error/skipped: the most severe one so far gives status and
 * message; the others leave their message in the output.
 */
static void result_begin(struct jreader *r, const char *name)
{
	enum fg_astatus st = result_status(name);
	int sev = st == FG_A_ERROR ? 3 : st == FG_A_FAILED ? 2 : 1;
	struct jresult_attrs a;

	/* status="notrun" may have set the status: the element still gives
	 * the message. */
	case_status(r, st);
	r->c_primary = sev > r->c_rsev;
	if (r->c_primary)
		r->c_rsev = sev;
	if (r->c_primary) {
		a = (struct jresult_attrs){ &r->c_msg, &r->c_type, NULL };
		jmsg_reset(&r->c_msg);
		r->c_msg.st = JM_SKIP;
		r->c_msg.body = true;
		jstr_set(&r->c_type, "", 0);
		each_attr(r, result_attr, &a);
	} else {
		a = (struct jresult_attrs){ &r->r_msg, &r->r_type, NULL };
		jmsg_reset(&r->r_msg);
		each_attr(r, result_attr, &a);
		if (r->r_msg.st == JM_DONE && r->r_msg.len) {
			jout_section(&r->c_out);
			jout_add(&r->c_out, r->r_msg.s, r->r_msg.len);
		}
	}
	jout_section(&r->c_out);
}

/* Retry elements and suite-level errors collect into r_*. */
static void retry_begin(struct jreader *r, const char *name)
{
	struct jresult_attrs a = { &r->r_msg, &r->r_type, &r->r_ms };

	r->r_st = result_status(name);
	r->r_ms = 0;
	jmsg_reset(&r->r_msg);
	r->r_msg.st = JM_SKIP;
	r->r_msg.body = true;
	jstr_set(&r->r_type, "", 0);
	jout_reset(&r->r_out);
	each_attr(r, result_attr, &a);
}

static const char *msg_or_type(struct jmsg *m, struct jstr *type)
{
	return jmsg_get(m) ? jmsg_get(m) : type->len ? type->s : NULL;
}

static void retry_end(struct jreader *r)
{
	struct jretry *rt;

	fg_xgrow((void **)&r->retries, &r->retries_cap, r->nretries + 1,
		 sizeof(*r->retries));
	rt = &r->retries[r->nretries++];
	rt->st = r->r_st;
	rt->ms = r->r_ms;
	jmsg_pick(&r->r_msg, jstr_get(&r->c_name));
	rt->msg = fg_xstrdup(msg_or_type(&r->r_msg, &r->r_type));
	rt->out = jout_text(&r->r_out);
}

/* Adds an attempt, handing over `out` (which the attempt then owns). */
static struct fg_attempt *add_attempt(struct fg_test *t, enum fg_astatus st,
				      int64_t ms, const char *msg, char *out)
{
	struct fg_attempt *a = fg_test_add_attempt(t, st, ms, msg, NULL);

	a->output = out;
	return a;
}

/* ---------------------------------------------------------------------- */
/* Streaming: handing settled tests on                                     */
/* ---------------------------------------------------------------------- */

/*
 * May window test i go now? Only what nothing later in the file can change:
 * not the test of the last case (a pytest teardown duplicate folds into
 * it), and not one that suite-level output may still reach (its last
 * attempt failed without output of its own; the caller has checked that
 * no open suite holds a single test).
 */
static bool jr_final(const struct jreader *r, size_t i)
{
	const struct fg_test *t = &r->run->tests[i];
	const struct fg_attempt *a;

	if (!t->nattempts || (r->ntouched && r->touched[r->ntouched - 1] == i))
		return false;
	a = &t->attempts[t->nattempts - 1];
	return a->output || !fg_astatus_is_failure(a->status);
}

/* Drops the handed-on tests from the window, remapping what indexes it. */
static void jr_compact(struct jreader *r, size_t *map)
{
	struct fg_run *run = r->run;
	size_t n = 0, k = 0;
	int depth = r->depth < JR_MAX_DEPTH ? r->depth : JR_MAX_DEPTH;

	for (size_t i = 0; i < run->ntests; i++) {
		if (map[i] == SIZE_MAX)
			continue;
		map[i] = n;
		run->tests[n] = run->tests[i];
		if (i < r->seen_cap)
			r->seen[n] = r->seen[i];
		n++;
	}
	if (r->seen_cap > n)
		memset(r->seen + n, 0, (r->seen_cap - n) * sizeof(*r->seen));
	run->ntests = n;
	for (int d = 0; d < depth; d++) {
		struct jframe *fr = &r->fr[d];
		size_t mark = 0;

		/* Only suites hold indexes (the slot of another kind may
		 * still hold those of the suite that used it before). */
		if (fr->kind != K_SUITE)
			continue;
		for (size_t i = 0; i < fr->touch_mark && i < r->ntouched; i++)
			mark += map[r->touched[i]] != SIZE_MAX;
		fr->touch_mark = mark;
		/*
		 * The suite's first test, or JR_GONE once it has been handed
		 * on (then the suite was multi already, or this is the
		 * final flush): never an index of the old window, which the
		 * next compaction would read map[] with.
		 */
		if (fr->any && fr->first != JR_GONE)
			fr->first = map[fr->first];
	}
	for (size_t i = 0; i < r->ntouched; i++)
		if (map[r->touched[i]] != SIZE_MAX)
			r->touched[k++] = map[r->touched[i]];
	r->ntouched = k;
	fg_run_reindex(run);
	jr_check(r, true);
}

/*
 * Streaming: settles the window's tests that are final (all of them with
 * `all`) and hands them to the sink, in the order they were first seen.
 */
static void jr_flush(struct jreader *r, bool all)
{
	struct fg_run *run = r->run;
	int depth = r->depth < JR_MAX_DEPTH ? r->depth : JR_MAX_DEPTH;
	size_t *map;

	if (!r->sink || !run->ntests)
		return;
	for (int d = 0; !all && d < depth; d++)
		if (r->fr[d].kind == K_SUITE && r->fr[d].any && !r->fr[d].multi)
			return;
	map = fg_xmalloc(run->ntests * sizeof(*map));
	for (size_t i = 0; i < run->ntests; i++) {
		struct fg_test *t = &run->tests[i];

		map[i] = i;
		if (!all && !jr_final(r, i))
			continue;
		map[i] = SIZE_MAX;
		hist_idset_add(&r->went,
			       identity_hash(t->suite, t->classname, t->name));
		fg_test_settle(t);
		if (!r->sink_rc)
			r->sink_rc = r->sink->test(r->sink->ctx, t);
		fg_test_release(t);
	}
	jr_compact(r, map);
	free(map);
}

/*
 * pytest writes "the call failed, then the teardown errored" as two
 * testcases of one name, one after the other. Both stay attempts; the
 * error's message follows the failure's in its own, so the test's last
 * attempt says both.
 */
static bool pytest_teardown(const struct jreader *r, size_t idx,
			    const struct fg_test *t, const char *msg)
{
	return r->c_st == FG_A_ERROR && !r->nretries && msg &&
	       !strncmp(msg, "failed on teardown", 18) && r->ntouched &&
	       r->touched[r->ntouched - 1] == idx && t->nattempts &&
	       fg_astatus_is_failure(t->attempts[t->nattempts - 1].status) &&
	       t->attempts[t->nattempts - 1].message;
}

/* At most this many "met again" warnings per file; then one summary. */
#define JR_AGAIN_WARN 3

/* Says that a test case joined a test met before in this file. */
static void warn_again(struct jreader *r, const struct fg_test *t,
		       bool teardown)
{
	long line = jr_line(r);

	if (++r->again_n > JR_AGAIN_WARN) {
		r->again_line = line;
		return;
	}
	jr_warn(r, line, "test case '%.*s%s%.*s' comes again in this file: "
		"recorded as another attempt of the same test%s",
		utf8_prefix(t->classname, 120), t->classname,
		*t->classname ? "::" : "", utf8_prefix(t->name, 120), t->name,
		teardown ? " (pytest: the call failed, then the teardown)" :
			   "");
}

static void case_end(struct jreader *r)
{
	const char *suite, *cls = jstr_get(&r->c_class);
	const char *msg = msg_or_type(&r->c_msg, &r->c_type);
	char *out = jout_text(&r->c_out), *joined = NULL;
	bool again, teardown;
	size_t idx;
	struct fg_test *t;

	/* pytest writes an expected failure as <skipped type="pytest.xfail">. */
	if (r->c_st == FG_A_SKIPPED && streq(jstr_get(&r->c_type), "pytest.xfail"))
		r->c_st = FG_A_XFAILED;
	jr_identity(r, &suite, &cls);
	idx = jr_test(r, suite, cls, jstr_get(&r->c_name), &again);
	t = &r->run->tests[idx];
	teardown = again && pytest_teardown(r, idx, t, msg);
	if (teardown)
		msg = joined = fg_xasprintf(
			"%s\n%s", t->attempts[t->nattempts - 1].message, msg);
	for (size_t i = 0; i < r->nretries; i++) {
		struct jretry *rt = &r->retries[i];

		add_attempt(t, rt->st, rt->ms, rt->msg, rt->out);
		free(rt->msg);
		rt->msg = rt->out = NULL;
	}
	add_attempt(t, r->c_st, r->c_ms, msg, out);
	free(joined);
	if (again)
		warn_again(r, t, teardown);
	r->nretries = 0;
	if (!t->file && r->c_file.len)
		t->file = fg_xstrdup(r->c_file.s);
	if (!t->line && r->c_line > 0)
		t->line = (int)r->c_line;
	touch(r, idx);
	if (r->sink && r->run->ntests >= JR_WINDOW)
		jr_flush(r, false);
}

/* A result that belongs to the suite, not to a case: "[suite-error]". */
static void add_suite_error(struct jreader *r, enum fg_astatus st,
			    const char *msg, char *out)
{
	const char *suite, *cls = "";
	bool again;
	size_t idx;

	jr_identity(r, &suite, &cls);
	idx = jr_test(r, suite, cls, JR_SUITE_ERROR, &again);
	add_attempt(&r->run->tests[idx], st, 0, msg, out);
	touch(r, idx);
}

static void suite_err_end(struct jreader *r)
{
	const char *msg;

	jmsg_pick(&r->r_msg, "");
	msg = msg_or_type(&r->r_msg, &r->r_type);

	jr_warn(r, jr_line(r), "testsuite '%s' reports an error outside any "
		"test case: %s", jstr_get(&r->suite), msg ? msg : "(no message)");
	add_suite_error(r, r->r_st, msg, jout_text(&r->r_out));
}

/*
 * Suite-level output goes to the suite's failed tests that have none of
 * their own, or to its only test (Bazel writes the whole log there).
 */
static void suite_output(struct jreader *r, const struct jframe *fr)
{
	char *text = jout_text(&r->s_out);
	bool single = !fr->multi;

	if (!text)
		return;
	for (size_t i = fr->touch_mark; i < r->ntouched; i++) {
		struct fg_test *t = &r->run->tests[r->touched[i]];
		struct fg_attempt *a = &t->attempts[t->nattempts - 1];

		if (!a->output && (single || fg_astatus_is_failure(a->status)))
			a->output = fg_xstrdup(text);
	}
	free(text);
	jout_reset(&r->s_out);
}

static void suite_end(struct jreader *r, struct jframe *fr)
{
	jr_check(r, false);
	suite_output(r, fr);
	if (r->stats->cases == fr->case_mark && !fr->inner_suites &&
	    fr->counted_errs > 0 && !fr->any) {
		char *msg = fg_xasprintf("testsuite counts %ld errors/failures "
					 "but has no test case",
					 fr->counted_errs);

		jr_warn(r, jr_line(r), "testsuite '%s': %s",
			jstr_get(&r->suite), msg);
		add_suite_error(r, FG_A_ERROR, msg, NULL);
		free(msg);
	}
	jstr_trunc(&r->suite, fr->suite_len);
	if (r->sink) {
		/* The outermost suite ended: nothing can reach its tests. */
		for (int d = 0; d < r->depth; d++)
			if (r->fr[d].kind == K_SUITE)
				return;
		jr_flush(r, true);
	}
}

static void on_end(struct jreader *r)
{
	struct jframe *fr;

	if (r->depth <= 0)
		return;
	if (r->depth-- > JR_MAX_DEPTH)
		return;
	fr = &r->fr[r->depth];
	switch (fr->kind) {
	case K_SUITE:
		suite_end(r, fr);
		break;
	case K_CASE:
		case_end(r);
		break;
	case K_RESULT:
		if (r->c_primary)
			jmsg_pick(&r->c_msg, jstr_get(&r->c_name));
		r->c_primary = false;
		break;
	case K_RETRY:
		retry_end(r);
		break;
	case K_SUITE_ERR:
		suite_err_end(r);
		break;
	default:
		break;
	}
}

static void on_start(struct jreader *r, const char *name, bool empty)
{
	enum jkind k = kind_of(r, name);
	struct jframe *fr;

	if (r->depth >= JR_MAX_DEPTH) {
		r->depth++;
		if (empty)
			on_end(r);
		return;
	}
	fr = &r->fr[r->depth];
	*fr = (struct jframe){ .kind = k }; /* nothing of its last user */
	switch (k) {
	case K_SUITE:
		suite_begin(r, fr);
		break;
	case K_CASE:
		case_begin(r);
		break;
	case K_RESULT:
		result_begin(r, name);
		break;
	case K_CASE_OUT:
		jout_section(&r->c_out);
		break;
	case K_RETRY:
	case K_SUITE_ERR:
		retry_begin(r, name);
		break;
	case K_RETRY_TRACE:
	case K_RETRY_OUT:
		jout_section(&r->r_out);
		break;
	case K_SUITE_OUT:
		jout_section(&r->s_out);
		break;
	default:
		break;
	}
	r->depth++;
	if (empty)
		on_end(r);
}

static void on_text(struct jreader *r, const char *s)
{
	size_t n;
	enum jkind k;

	if (r->depth <= 0 || r->depth > JR_MAX_DEPTH || !s)
		return;
	k = r->fr[r->depth - 1].kind;
	if (k == K_RETRY || k == K_SUITE_ERR || k == K_RESULT) {
		/* Indentation between child elements is not a body. */
		const char *p = s;

		while (is_ws((unsigned char)*p))
			p++;
		if (!*p)
			return;
	}
	switch (k) {
	case K_RESULT:
		n = strlen(s);
		if (r->c_primary)
			jmsg_body(&r->c_msg, s, n);
		jout_add(&r->c_out, s, n);
		break;
	case K_CASE_OUT:
		jout_add(&r->c_out, s, strlen(s));
		break;
	case K_RETRY:
	case K_RETRY_TRACE:
	case K_SUITE_ERR:
		n = strlen(s);
		jmsg_body(&r->r_msg, s, n);
		jout_add(&r->r_out, s, n);
		break;
	case K_RETRY_OUT:
		jout_add(&r->r_out, s, strlen(s));
		break;
	case K_SUITE_OUT:
		jout_add(&r->s_out, s, strlen(s));
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* libxml2 errors, the main loop, the result                               */
/* ---------------------------------------------------------------------- */

/* libxml2 names lines of the filtered stream ("testcase line 12"): map. */
static void map_line_in_msg(struct jreader *r, char *msg, size_t size)
{
	char *p = strstr(msg, " line "), *end, tail[256];
	long line;

	if (!p || p[6] < '0' || p[6] > '9')
		return;
	line = strtol(p + 6, &end, 10);
	snprintf(tail, sizeof(tail), "%s", end);
	snprintf(p, size - (size_t)(p - msg), " line %ld%s",
		 jf_line_map(r->f, line), tail);
}

#if LIBXML_VERSION >= 21200
static void jr_on_error(void *arg, const xmlError *e)
#else
static void jr_on_error(void *arg, xmlErrorPtr e)
#endif
{
	struct jreader *r = arg;
	char msg[256];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
	map_line_in_msg(r, msg, sizeof(msg));
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (e->level != XML_ERR_FATAL) {
		jr_warn(r, jf_line_map(r->f, e->line), "%s", msg);
		return;
	}
	if (r->fatal)
		return;
	r->fatal = true;
	r->err_out_line = e->line;
	r->err_code = e->code;
	r->err_line = jf_line_map(r->f, e->line);
	r->err_col = e->int2 > 0 ? e->int2 : 1;
	snprintf(r->err_msg, sizeof(r->err_msg), "%s", msg);
}

/* One warning per kind of repair the filter made. */
static void report_repairs(struct jreader *r)
{
	for (int k = 0; k < r->rep.nrepairs; k++) {
		const struct jf_repair *p = &r->rep.repairs[k];

		if (p->benign) {
			fg_log(FG_LOG_INFO, "junit", "%s:%ld: %s", r->path,
			       p->line, p->what);
			continue;
		}
		jr_warn(r, p->line, "%s (%llu time%s)", p->what,
			(unsigned long long)p->count, p->count == 1 ? "" : "s");
	}
	if (r->rep.truncated)
		fg_log(FG_LOG_DEBUG, "junit", "%s: truncated %llu long texts",
		       r->path, (unsigned long long)r->rep.truncated);
}

static void jr_loop(struct jreader *r)
{
	int ret = 1;

	while (!r->sink_rc && (ret = xmlTextReaderRead(r->xr)) == 1) {
		switch (xmlTextReaderNodeType(r->xr)) {
		case XML_READER_TYPE_ELEMENT:
			on_start(r,
				 (const char *)xmlTextReaderConstLocalName(r->xr),
				 xmlTextReaderIsEmptyElement(r->xr) == 1);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			on_end(r);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			on_text(r, (const char *)xmlTextReaderConstValue(r->xr));
			break;
		default:
			break;
		}
	}
	if (r->sink_rc)
		return;
	if (ret < 0 && !r->fatal) {
		r->fatal = true;
		r->err_line = jr_line(r);
		r->err_col = 1;
		snprintf(r->err_msg, sizeof(r->err_msg), "unreadable XML");
	}
}

/* Works out what history_junit_read() returns once the loop is over. */
static int jr_result(struct jreader *r, struct fg_error *err)
{
	const char *path = r->path;

	if (r->rep.io_errno)
		return fg_fail(err, FG_EIO, "%s: read error: %s", path,
			       strerror(r->rep.io_errno));
	if (!r->rep.in_bytes)
		return fg_fail(err, FG_EXML, "%s:1:1: empty file", path);
	if (!r->junit_roots) {
		if (r->bad_root[0])
			return fg_fail(err, FG_EXML,
				       "%s:%ld:%ld: not JUnit XML: root element "
				       "<%s>, expected <testsuites> or <testsuite>",
				       path, r->bad_line, r->bad_col,
				       r->bad_root);
		if (!r->rep.element)
			return fg_fail(err, FG_EXML,
				       "%s:1:1: not XML: no element found",
				       path);
		if (r->fatal)
			return fg_fail(err, FG_EXML, "%s:%ld:%ld: %s", path,
				       r->err_line, r->err_col, r->err_msg);
		return fg_fail(err, FG_EXML, "%s:1:1: not JUnit XML", path);
	}
	if (r->bad_root[0])
		jr_warn(r, r->bad_line, "ignored root element <%s>",
			r->bad_root);
	if (r->fatal) {
		r->stats->partial = true;
		jr_warn(r, r->err_line, "%s; %zu test case%s read before it",
			r->err_msg, r->stats->cases,
			r->stats->cases == 1 ? "" : "s");
		return fg_fail(err, FG_EXML,
			       "%s:%ld:%ld: %s (file damaged or truncated; "
			       "%zu test cases read before)",
			       path, r->err_line, r->err_col, r->err_msg,
			       r->stats->cases);
	}
	return FG_OK;
}

static void jr_free(struct jreader *r)
{
	if (r->xr)
		xmlFreeTextReader(r->xr);
	jf_close(r->f);
	free(r->cut.pend);
	free(r->suite.s);
	free(r->c_name.s);
	free(r->c_class.s);
	free(r->c_file.s);
	free(r->c_type.s);
	free(r->r_type.s);
	for (size_t i = 0; i < r->nretries; i++) {
		free(r->retries[i].msg);
		free(r->retries[i].out);
	}
	free(r->retries);
	fg_buf_release(&r->c_out.b);
	fg_buf_release(&r->r_out.b);
	fg_buf_release(&r->s_out.b);
	free(r->seen);
	free(r->touched);
	hist_idset_release(&r->went);
	fg_run_release(&r->window);
	free(r);
}

/* Undoes what a pass added to the run (before the second pass). */
static void jr_rollback(struct jreader *r)
{
	struct fg_run *run = r->run;

	for (size_t i = 0; i < r->ntests0 && i < r->seen_cap; i++) {
		struct fg_test *t = &run->tests[i];

		if (!r->seen[i].here)
			continue;
		while (t->nattempts > r->seen[i].attempts0) {
			t->nattempts--;
			free(t->attempts[t->nattempts].message);
			free(t->attempts[t->nattempts].output);
		}
	}
	while (run->ntests > r->ntests0)
		fg_test_release(&run->tests[--run->ntests]);
	fg_run_reindex(run);
	if (r->sink && !r->sink_rc)
		r->sink_rc = r->sink->rewind(r->sink->ctx);
}

/* Keeps n filtered bytes for later (the cut line's, read too early). */
static void cut_keep(struct jcut *c, const char *p, size_t n)
{
	if (!n)
		return;
	if (c->pos == c->npend)
		c->pos = c->npend = 0;
	fg_xgrow((void **)&c->pend, &c->cap, c->npend + n, 1);
	memcpy(c->pend + c->npend, p, n);
	c->npend += n;
}

/*
 * How many bytes of the cut line to hand: those before the error's
 * column (counted in characters), up to the last '<' among them. Reads
 * the line from the filter as far as needed (at most JR_CUT_LINE_MAX).
 */
static long cut_span(struct jreader *r)
{
	struct jcut *c = &r->cut;
	size_t i, chars, lt = 0;
	char chunk[16 * 1024];
	int n;

	for (;;) {
		const char *p = c->pend ? c->pend + c->pos : "";
		size_t avail = c->npend - c->pos;

		for (i = 0, chars = 0; i < avail && p[i] != '\n'; i++) {
			if (((unsigned char)p[i] & 0xC0) != 0x80 &&
			    ++chars >= (size_t)c->col)
				break;
		}
		if (i < avail || c->col > JR_CUT_LINE_MAX ||
		    avail > (size_t)JR_CUT_LINE_MAX ||
		    (n = jf_read(r->f, chunk, (int)sizeof(chunk))) <= 0)
			break;
		cut_keep(c, chunk, (size_t)n);
	}
	for (size_t k = 0; k < i; k++)
		if (c->pend[c->pos + k] == '<')
			lt = k;
	return (long)lt;
}

/* Hands over the rest of the cut line's bytes, then the end. */
static int cut_tail(struct jreader *r, char *buf, int len)
{
	struct jcut *c = &r->cut;
	size_t k;

	if (c->left < 0)
		c->left = cut_span(r);
	k = c->npend - c->pos;
	if (k > (size_t)len)
		k = (size_t)len;
	if (k > (size_t)c->left)
		k = (size_t)c->left;
	if (!k)
		return 0; /* the cut: libxml2 sees the end here */
	memcpy(buf, c->pend + c->pos, k);
	c->pos += k;
	c->left -= (long)k;
	return (int)k;
}

/* xmlInputReadCallback: the filter's bytes, stopped at the cut if any. */
static int jr_read(void *ctx, char *buf, int len)
{
	struct jreader *r = ctx;
	struct jcut *c = &r->cut;
	bool kept;
	int n;

	if (!c->line)
		return jf_read(r->f, buf, len);
	if (c->hand_line >= c->line)
		return cut_tail(r, buf, len);
	kept = c->pos < c->npend;
	if (kept) {
		n = c->npend - c->pos < (size_t)len ? (int)(c->npend - c->pos) :
						      len;
		memcpy(buf, c->pend + c->pos, (size_t)n);
		c->pos += (size_t)n;
	} else if ((n = jf_read(r->f, buf, len)) <= 0) {
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (buf[i] != '\n' || ++c->hand_line < c->line)
			continue;
		/* The rest is the cut line's: cut_tail() decides on it. */
		if (kept)
			c->pos -= (size_t)(n - i - 1);
		else
			cut_keep(c, buf + i + 1, (size_t)(n - i - 1));
		return i + 1;
	}
	return n;
}

static int jr_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* One pass over the file. Returns NULL if libxml2 would not start. */
static struct jreader *jr_pass(const char *path, const char *fallback,
			       struct fg_run *run,
			       const struct history_junit_sink *sink,
			       struct history_junit_stats *stats, int fd,
			       long cut_line, long cut_col)
{
	struct jreader *r = fg_xcalloc(1, sizeof(*r));

	r->path = path;
	r->fallback = fallback;
	fg_run_init(&r->window);
	r->sink = sink;
	r->run = sink ? &r->window : run;
	r->stats = stats;
	r->ntests0 = r->run->ntests;
	r->f = jf_open(fd);
	r->cut.line = cut_line;
	r->cut.col = cut_col;
	r->cut.hand_line = 1;
	r->cut.left = -1;
	r->quiet = cut_line > 0;
	fg_buf_init(&r->c_out.b, JR_OUT_MAX);
	fg_buf_init(&r->r_out.b, JR_OUT_MAX);
	fg_buf_init(&r->s_out.b, JR_OUT_MAX);
	/*
	 * No XML_PARSE_NOENT, DTDLOAD, DTDVALID or HUGE: entities stay
	 * unexpanded (the filter removed any DTD anyway) and libxml2 keeps
	 * its limits on names, depth and text size.
	 */
	r->xr = xmlReaderForIO(jr_read, jr_close, r, path, NULL,
			       XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT);
	if (!r->xr) {
		jr_free(r);
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(r->xr, jr_on_error, r);
	jr_loop(r);
	jf_report(r->f, &r->rep);
	if (r->again_n > JR_AGAIN_WARN)
		jr_warn(r, r->again_line, "%zu test cases in all came again "
			"in this file (the last here): each recorded as "
			"another attempt of its test", r->again_n);
	return r;
}

/*
 * libxml2's reader hands out nodes per 512-byte chunk: an error drops the
 * complete elements that came before it in its chunk. A second pass that
 * stops just before the error recovers them; it is only worth it when the
 * error is not the end of the file itself.
 */
static bool want_second_pass(const struct jreader *r)
{
	return r->fatal && r->rep.element && !r->rep.io_errno &&
	       r->err_code != XML_ERR_DOCUMENT_END &&
	       r->err_code != XML_ERR_DOCUMENT_EMPTY && r->err_out_line > 0;
}

/* history_junit_read() into `run`, or with a sink history_junit_stream(). */
static int junit_read(const char *path, const char *suite_fallback,
		      struct fg_run *run, const struct history_junit_sink *sink,
		      struct history_junit_stats *stats, struct fg_error *err)
{
	struct history_junit_stats dummy;
	struct jreader *r, *r2;
	int fd, rc;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	/* O_NONBLOCK so a FIFO cannot hang us; only regular files are read. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fg_fail(err, FG_EIO, "%s: cannot open: %s", path,
			       strerror(errno));
	{
		struct stat sb;

		if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			close(fd);
			return fg_fail(err, FG_EIO, "%s: not a regular file",
				       path);
		}
		/* Regular files never block; reads may now wait as usual. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	r = jr_pass(path, suite_fallback, run, sink, stats, fd, 0, 0);
	if (!r) {
		close(fd);
		return fg_fail(err, FG_EIO, "%s: cannot start the XML reader",
			       path);
	}
	report_repairs(r);
	if (!r->sink_rc && want_second_pass(r) && lseek(fd, 0, SEEK_SET) == 0) {
		size_t warnings = stats->warnings;

		jr_rollback(r);
		memset(stats, 0, sizeof(*stats));
		r2 = r->sink_rc ? NULL :
		     jr_pass(path, suite_fallback, run, sink, stats, fd,
			     r->err_out_line, r->err_col);
		stats->warnings = warnings;
		if (r2) {
			/* the first pass's error is the real one */
			r2->fatal = true;
			r2->err_line = r->err_line;
			r2->err_col = r->err_col;
			r2->err_code = r->err_code;
			memcpy(r2->err_msg, r->err_msg, sizeof(r->err_msg));
			r2->quiet = false;
			jr_free(r);
			r = r2;
		}
	}
	close(fd);
	if (r->fatal && r->rep.finished && r->rep.open_elements > 0 &&
	    r->err_code == XML_ERR_DOCUMENT_END)
		snprintf(r->err_msg, sizeof(r->err_msg),
			 "unexpected end of file inside %d open element%s",
			 r->rep.open_elements,
			 r->rep.open_elements == 1 ? "" : "s");
	rc = jr_result(r, err);
	if (sink) {
		jr_flush(r, true);
	} else {
		for (size_t i = 0; i < r->seen_cap && i < run->ntests; i++)
			if (r->seen[i].here)
				fg_test_settle(&run->tests[i]);
	}
	if (r->sink_rc)
		rc = r->sink_rc;
	jr_free(r);
	return rc;
}

int history_junit_read(const char *path, const char *suite_fallback,
		       struct fg_run *run, struct history_junit_stats *stats,
		       struct fg_error *err)
{
	return junit_read(path, suite_fallback, run, NULL, stats, err);
}

int history_junit_stream(const char *path, const char *suite_fallback,
			 const struct history_junit_sink *sink,
			 struct history_junit_stats *stats,
			 struct fg_error *err)
{
	return junit_read(path, suite_fallback, NULL, sink, stats, err);
}
