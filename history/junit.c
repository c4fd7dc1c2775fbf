/* SPDX-License-Identifier: MIT */
/*
 * history/junit.c - the JUnit XML reader: a repairing byte filter in front of
 * libxml2's streaming xmlTextReader, and a small state machine that turns
 * <testcase> elements into attempts of struct fg_test.
 *
 * Why a filter. Real producers write XML that is not well-formed (see
 * shared/JUNIT-DIALECTS.md): cmocka writes several <testsuites> roots in one
 * file and does not escape '<', '&' or '"' in names; jest, Catch2 and
 * Criterion write raw control characters; logs carry invalid UTF-8; test
 * output can be gigabytes in one text node. libxml2 stops at the first
 * well-formedness error, so we repair the byte stream before it gets there
 * (xmlReaderForIO with our read callback instead of xmlReaderForFile). The
 * filter is a single pass with bounded memory; it:
 *
 *   1. replaces invalid UTF-8 (and U+FFFE/U+FFFF) by U+FFFD, and control
 *      characters other than TAB/LF/CR by the text "\xNN" (also when they
 *      come as character references such as &#27;);
 *   2. drops junk before the first '<', comments, a DOCTYPE (no DTD, so no
 *      entity can ever expand: billion laughs and XXE are inert) and stray
 *      XML declarations of concatenated files;
 *   3. wraps everything from the first element on in <flakeguard-wrap>, so
 *      several roots are children of one document element;
 *   4. escapes a raw '<' that cannot start markup, a '&' that does not start
 *      a valid reference, a quote inside an attribute value that is not
 *      followed by what may follow a closing quote, and "]]>" in text; a
 *      reference to any entity but the five predefined ones becomes text;
 *   5. keeps of every text run (or CDATA section) the first 32 KiB and the
 *      last 32 KiB with "[... N bytes truncated ...]" between, and of an
 *      attribute value the first 64 KiB, so libxml2 never holds a huge node
 *      and XML_PARSE_HUGE is never needed.
 * Lines stay right: dropped newlines are remembered and libxml2's line
 * numbers mapped back; columns can be off on a line that was repaired.
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
 * pytest writes "failure + teardown error" as two testcases with one name:
 * a duplicate whose error message starts with "failed on teardown" is
 * folded into the attempt before it (one execution, durations added).
 * Suite-level system-out/err goes to the suite's failed tests that have no
 * output of their own (or to its only test: Bazel writes the log there). A
 * suite-level <error>/<failure>, or a suite that counts errors or failures
 * but holds no testcase (cmocka's failed group setup), becomes a synthetic
 * test named "[suite-error]".
 *
 * NEEDSWORK: the filter is a second job in this file (about half of it);
 * it could move to history/junit_filter.c behind history/internal.h.
 *
 * Streaming (history_junit_stream): the same reader fills a small window
 * run of its own instead of the caller's, and hands tests to a sink once
 * nothing later in the file can change them: all of them when an
 * outermost testsuite ends, and inside a big suite the final ones (see
 * jr_final()) whenever JR_WINDOW tests are held. A test seen again after
 * it went is handed on again with only its new attempts (the sink merges,
 * as history_store_run_add_test() does with `merge`). A damaged file read
 * twice calls the sink's rewind() before the second pass.
 * NEEDSWORK: a pytest teardown duplicate that does not directly follow
 * its failure, with the failure already handed on, stays a separate
 * (error) attempt instead of folding into it.
 *
 * API: history_junit_read(), history_junit_stream() (history/history.h).
 */
#include "history/history.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlreader.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ====================================================================== */
/* The repairing input filter                                              */
/* ====================================================================== */

#define JF_RAW_SIZE (16 * 1024)   /* read(2) chunk */
#define JF_MID_SIZE (JF_RAW_SIZE * 4 + 16) /* after UTF-8 repair: <= 4x */
#define JF_TEXT_HEAD (32 * 1024)  /* kept from the start of a text run */
#define JF_TEXT_TAIL (32 * 1024)  /* kept from its end */
#define JF_ATTR_MAX (64 * 1024)   /* kept of an attribute value */
#define JF_LOOK_MAX 64            /* lookahead for markup / quote decisions */
#define JF_REF_MAX 32             /* longest reference we accept */
#define JF_WRAP "flakeguard-wrap"

enum jf_state {
	JF_JUNK,      /* before the first '<' of the file */
	JF_TEXT,      /* character data */
	JF_LT,        /* after '<', deciding what it starts (look[]) */
	JF_TAG,       /* inside a start or end tag, outside quotes */
	JF_ATTR,      /* inside a quoted attribute value */
	JF_QEND,      /* after a quote in a value: does it close it? (look[]) */
	JF_REF,       /* after '&', collecting the reference (ref[]) */
	JF_CDATA,
	JF_COMMENT,
	JF_PI,
	JF_PI_DROP,   /* a stray <?xml ...?> being dropped */
	JF_DOCTYPE,   /* a DOCTYPE being dropped */
};

/* What the filter repaired, reported once per kind at the end. */
enum jf_repair {
	JR_JUNK, JR_DOCTYPE, JR_ENTITY, JR_RAW_LT, JR_RAW_AMP, JR_QUOTE,
	JR_CDEND, JR_UTF8, JR_CTRL, JR_XMLDECL, JR_ROOTS, JR_COUNT_
};

static const char *const jf_repair_text[JR_COUNT_] = {
	"dropped text before the first element",
	"ignored a DOCTYPE (no DTD, no entities)",
	"kept undefined entity references as text",
	"escaped raw '<' characters",
	"escaped raw '&' characters",
	"escaped quote characters inside attribute values",
	"escaped ']]>' in text",
	"replaced invalid UTF-8 with U+FFFD",
	"replaced control characters with \\xNN",
	"dropped repeated XML declarations",
	"several root elements (read them all)",
};

/* Newlines dropped at output line `line` (for mapping line numbers back). */
struct jf_linefix {
	long line;
	long dropped;
};

struct jfilter {
	int fd;
	const char *path;
	int io_errno;           /* read(2) failed with this */
	bool finished;          /* the whole file went through the lexer */
	/* Second pass over a damaged file: hand libxml2 only what precedes
	 * the error (output line cut_line, character cut_col). */
	long cut_line, cut_col;
	long hand_line;         /* output line of the next byte handed over */
	long cut_left;          /* bytes of the cut line still to hand, or -1 */
	bool cut_done;
	bool passthrough;       /* UTF-16 with BOM: hand bytes over untouched */
	bool raw8;              /* declared non-UTF-8 encoding: no UTF-8 repair */
	bool first_chunk;
	uint64_t in_total;      /* bytes read from the file */
	long in_line;           /* input line at the start of mid[] */

	unsigned char raw[JF_RAW_SIZE + 4];
	size_t raw_carry;       /* partial UTF-8 sequence kept at raw[0] */
	unsigned char *mid;     /* UTF-8 clean bytes, JF_MID_SIZE */
	const unsigned char *cur; /* lexer position in mid[], for notes */

	char *out;              /* filtered bytes waiting for libxml2 */
	size_t out_len, out_pos, out_cap;
	uint64_t out_total;
	long out_line;          /* 1 + newlines emitted */

	enum jf_state st, ret;  /* ret: state to return to after JF_REF */
	char look[JF_LOOK_MAX + 1];
	size_t nlook;
	char ref[JF_REF_MAX + 1];
	size_t nref;
	char quote;             /* of the current attribute value */
	bool tag_end;           /* current tag is an end tag */
	bool tag_slash;         /* last byte in the tag was '/' */
	int depth;              /* open elements (without the wrapper) */
	int roots;
	bool wrapped;
	int brackets;           /* ']' seen in a row (text: "]]>", CDATA end) */
	int dashes;             /* '-' in a row (comment end) */
	bool qmark;             /* '?' just seen (PI end) */
	int dt_depth;           /* '[' nesting in a DOCTYPE */
	char dt_quote;

	/* text run truncation */
	size_t run;             /* bytes of the current run passed on */
	bool trunc;
	char *ring;             /* JF_TEXT_TAIL bytes */
	size_t ring_pos, ring_len;
	uint64_t ring_in, ring_nl;
	bool cdata_run;
	/* attribute truncation */
	size_t attr_run;
	uint64_t attr_dropped;

	struct jf_linefix *fix;
	size_t nfix, fix_cap;
	uint64_t nrep[JR_COUNT_];
	long rep_line[JR_COUNT_];
	uint64_t truncated_runs;
};

static void jf_lex(struct jfilter *f, const unsigned char *p, size_t n);
static void jf_byte(struct jfilter *f, unsigned char c);

/* Counts a repair; remembers the input line of the first of its kind. */
static void jf_note_line(struct jfilter *f, enum jf_repair kind, long line)
{
	if (!f->nrep[kind]++)
		f->rep_line[kind] = line;
}

static long count_nl(const char *s, size_t n);

static void jf_note(struct jfilter *f, enum jf_repair kind)
{
	long line = f->in_line;

	if (!f->nrep[kind] && f->cur)
		line += count_nl((const char *)f->mid,
				 (size_t)(f->cur - f->mid));
	jf_note_line(f, kind, line);
}

/* Records that `delta` newlines were dropped (or added) after output line `line`. */
static void jf_fix(struct jfilter *f, long line, long delta)
{
	if (!delta)
		return;
	if (f->nfix && f->fix[f->nfix - 1].line == line) {
		f->fix[f->nfix - 1].dropped += delta;
		return;
	}
	fg_xgrow((void **)&f->fix, &f->fix_cap, f->nfix + 1, sizeof(*f->fix));
	f->fix[f->nfix].line = line;
	f->fix[f->nfix++].dropped = delta;
}

static void jf_drop_nl(struct jfilter *f, long n)
{
	jf_fix(f, f->out_line, n);
}

/* Maps a line number of the filtered stream to one of the file. */
static long jf_line(const struct jfilter *f, long line)
{
	long add = 0;

	for (size_t i = 0; i < f->nfix && f->fix[i].line < line; i++)
		add += f->fix[i].dropped;
	return line + add;
}

static long count_nl(const char *s, size_t n)
{
	long k = 0;
	const char *e = s + n;

	if (n < 32) {
		for (; s < e; s++)
			k += *s == '\n';
		return k;
	}
	while (s < e && (s = memchr(s, '\n', (size_t)(e - s)))) {
		k++;
		s++;
	}
	return k;
}

static inline void out_put(struct jfilter *f, const char *s, size_t n)
{
	if (f->out_len + n > f->out_cap)
		fg_xgrow((void **)&f->out, &f->out_cap, f->out_len + n, 1);
	memcpy(f->out + f->out_len, s, n);
	f->out_len += n;
	f->out_total += n;
	f->out_line += n == 1 ? *s == '\n' : count_nl(s, n);
}

static void out_str(struct jfilter *f, const char *s)
{
	out_put(f, s, strlen(s));
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

/* Writes the kept tail of a truncated run and the marker before it. */
static void ring_flush(struct jfilter *f)
{
	char marker[80];
	size_t start, skip = 0, len = f->ring_len;
	long line;
	char *lin;

	if (!f->trunc)
		return;
	lin = fg_xmalloc(len ? len : 1);
	start = f->ring_len < JF_TEXT_TAIL ? 0 : f->ring_pos;
	memcpy(lin, f->ring + start, len - start);
	memcpy(lin + (len - start), f->ring, start);
	/* Never start inside a UTF-8 sequence or an entity reference. */
	while (skip < len && ((unsigned char)lin[skip] & 0xC0) == 0x80)
		skip++;
	if (!f->cdata_run) {
		for (size_t i = skip; i < len && i < skip + JF_REF_MAX; i++) {
			if (lin[i] == '&')
				break;
			if (lin[i] == ';') {
				skip = i + 1;
				break;
			}
		}
	}
	snprintf(marker, sizeof(marker), "\n[... %llu bytes truncated ...]\n",
		 (unsigned long long)(f->ring_in - (len - skip)));
	line = f->out_line;
	out_str(f, marker);
	out_put(f, lin + skip, len - skip);
	/* The marker's two newlines are ours; ring newlines not kept are lost. */
	jf_fix(f, line, (long)f->ring_nl - count_nl(lin + skip, len - skip) - 2);
	free(lin);
	f->truncated_runs++;
	f->trunc = false;
	f->ring_pos = f->ring_len = 0;
	f->ring_in = f->ring_nl = 0;
}

static void ring_put(struct jfilter *f, const char *s, size_t n)
{
	f->ring_in += n;
	f->ring_nl += (uint64_t)count_nl(s, n);
	if (n >= JF_TEXT_TAIL) {
		memcpy(f->ring, s + n - JF_TEXT_TAIL, JF_TEXT_TAIL);
		f->ring_pos = 0;
		f->ring_len = JF_TEXT_TAIL;
		return;
	}
	while (n) {
		size_t k = JF_TEXT_TAIL - f->ring_pos;

		if (k > n)
			k = n;
		memcpy(f->ring + f->ring_pos, s, k);
		f->ring_pos = (f->ring_pos + k) % JF_TEXT_TAIL;
		if (f->ring_len < JF_TEXT_TAIL)
			f->ring_len = f->ring_len + k > JF_TEXT_TAIL ?
					      JF_TEXT_TAIL :
					      f->ring_len + k;
		s += k;
		n -= k;
	}
}

/*
 * Passes text (or CDATA) bytes on, keeping only head and tail of a long
 * run. An `atomic` chunk (a reference such as "&amp;") is never split.
 */
static void emit_text(struct jfilter *f, const char *s, size_t n, bool atomic)
{
	if (!f->trunc) {
		size_t room = JF_TEXT_HEAD > f->run ? JF_TEXT_HEAD - f->run : 0;
		size_t cut = room;

		if (n <= room) {
			out_put(f, s, n);
			f->run += n;
			return;
		}
		if (atomic)
			cut = 0;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		out_put(f, s, cut);
		f->run += cut;
		s += cut;
		n -= cut;
		f->trunc = true;
	}
	ring_put(f, s, n);
}

/* Ends a text run or CDATA section: writes what truncation kept. */
static void run_end(struct jfilter *f)
{
	ring_flush(f);
	f->run = 0;
	f->brackets = 0;
}

/* Passes attribute value bytes on, keeping the first JF_ATTR_MAX. */
static void emit_attr(struct jfilter *f, const char *s, size_t n, bool atomic)
{
	if (f->attr_dropped) {
		f->attr_dropped += n;
		jf_drop_nl(f, count_nl(s, n));
		return;
	}
	if (f->attr_run + n <= JF_ATTR_MAX) {
		out_put(f, s, n);
		f->attr_run += n;
		return;
	}
	{
		size_t cut = atomic ? 0 : JF_ATTR_MAX - f->attr_run;

		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		out_put(f, s, cut);
		f->attr_run += cut;
		f->attr_dropped = n - cut;
		jf_drop_nl(f, count_nl(s + cut, n - cut));
	}
}

/* Text in the current context: character data, or an attribute value. */
static void emit_ctx(struct jfilter *f, enum jf_state ctx, const char *s,
		     size_t n, bool atomic)
{
	if (ctx == JF_ATTR) {
		emit_attr(f, s, n, atomic);
		return;
	}
	if (!f->wrapped) {
		/* Before the root only whitespace may stand. */
		for (size_t i = 0; i < n; i++) {
			if (is_ws((unsigned char)s[i])) {
				out_put(f, s + i, 1);
			} else {
				jf_note(f, JR_JUNK);
			}
		}
		return;
	}
	emit_text(f, s, n, atomic);
}

/* Replays bytes through the state machine after a lookahead decision. */
static void jf_replay(struct jfilter *f, const char *s, size_t n)
{
	char tmp[JF_LOOK_MAX + 2];

	memcpy(tmp, s, n);
	for (size_t i = 0; i < n; i++)
		jf_byte(f, (unsigned char)tmp[i]);
}

/* Emits "&" prefix ref ";" (prefix is "" or "amp;"). */
static void ref_emit(struct jfilter *f, enum jf_state ctx, const char *prefix)
{
	char buf[JF_REF_MAX + 8];
	size_t k = strlen(prefix);

	buf[0] = '&';
	memcpy(buf + 1, prefix, k);
	memcpy(buf + 1 + k, f->ref, f->nref);
	buf[1 + k + f->nref] = ';';
	emit_ctx(f, ctx, buf, f->nref + k + 2, true);
}

static bool is_predefined(const char *r, size_t n)
{
	switch (n) {
	case 2:
		return (r[0] == 'l' || r[0] == 'g') && r[1] == 't';
	case 3:
		return !memcmp(r, "amp", 3);
	case 4:
		return !memcmp(r, "quot", 4) || !memcmp(r, "apos", 4);
	default:
		return false;
	}
}

/* A complete reference "&...;" (in ref[], without '&' and ';'). */
static void ref_done(struct jfilter *f)
{
	char buf[16];
	enum jf_state ctx = f->ret;

	f->ref[f->nref] = '\0';
	f->st = ctx;
	if (is_predefined(f->ref, f->nref)) {
		ref_emit(f, ctx, "");
	} else if (f->ref[0] == '#') {
		char *end;
		unsigned long v;
		bool hex = f->ref[1] == 'x';

		errno = 0;
		v = strtoul(f->ref + 1 + hex, &end, hex ? 16 : 10);
		if (f->nref < 2 + (size_t)hex || *end || errno ||
		    !(hex ? isxdigit((unsigned char)f->ref[2]) :
			    isdigit((unsigned char)f->ref[1]))) {
			jf_note(f, JR_RAW_AMP);
			ref_emit(f, ctx, "amp;");
		} else if (v < 0x20 && v != '\t' && v != '\n' && v != '\r') {
			jf_note(f, JR_CTRL);
			snprintf(buf, sizeof(buf), "\\x%02lX", v);
			emit_ctx(f, ctx, buf, strlen(buf), true);
		} else if ((v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE ||
			   v == 0xFFFF || v > 0x10FFFF) {
			jf_note(f, JR_UTF8);
			emit_ctx(f, ctx, "&#xFFFD;", 8, true);
		} else {
			ref_emit(f, ctx, "");
		}
	} else {
		/* No DTD: any other entity would be an error; keep it as text. */
		jf_note(f, JR_ENTITY);
		ref_emit(f, ctx, "amp;");
	}
}

/* A '&' that does not start a reference: escape it, replay what followed. */
static void ref_fail(struct jfilter *f)
{
	char tmp[JF_REF_MAX + 1];
	size_t n = f->nref;

	jf_note(f, JR_RAW_AMP);
	memcpy(tmp, f->ref, n);
	f->st = f->ret;
	emit_ctx(f, f->st, "&amp;", 5, true);
	f->nref = 0;
	jf_replay(f, tmp, n);
}

static void ref_byte(struct jfilter *f, unsigned char c)
{
	if (c == ';' && f->nref) {
		ref_done(f);
		return;
	}
	if (f->nref < JF_REF_MAX &&
	    (is_name_char(c) || (c == '#' && !f->nref))) {
		f->ref[f->nref++] = (char)c;
		return;
	}
	ref_fail(f);
	jf_byte(f, c);
}

/* Starts a start tag (c is the first byte of the name). */
static void tag_start(struct jfilter *f, unsigned char c)
{
	if (!f->wrapped) {
		out_str(f, "<" JF_WRAP ">");
		f->wrapped = true;
	}
	if (f->depth == 0 && f->roots++ == 1)
		jf_note(f, JR_ROOTS);
	run_end(f);
	out_put(f, "<", 1);
	out_put(f, (const char *)&c, 1);
	f->st = JF_TAG;
	f->tag_end = false;
	f->tag_slash = false;
}

static bool has_prefix(const char *s, size_t n, const char *pat)
{
	return n <= strlen(pat) && !memcmp(s, pat, n);
}

/* After '<': decide between markup and a raw '<' as the bytes come in. */
static void lt_byte(struct jfilter *f, unsigned char c)
{
	const char *l = f->look;
	size_t n;

	f->look[f->nlook++] = (char)c;
	n = f->nlook;
	if (n == 1 && c == '/') {
		run_end(f);
		out_put(f, "</", 2);
		f->st = JF_TAG;
		f->tag_end = true;
		f->tag_slash = false;
		f->nlook = 0;
		return;
	}
	if (n == 1 && is_name_start(c)) {
		f->nlook = 0;
		tag_start(f, c);
		return;
	}
	if (l[0] == '?') {
		if (n < 5 && has_prefix(l, n, "?xml"))
			return;
		run_end(f);
		f->nlook = 0;
		if (n == 5 && !memcmp(l, "?xml", 4) && is_ws(c) && f->out_total) {
			jf_note(f, JR_XMLDECL);
			f->st = JF_PI_DROP;
			f->qmark = false;
			return;
		}
		out_put(f, "<", 1);
		out_put(f, l, n);
		f->st = JF_PI;
		f->qmark = c == '?' && n > 1;
		return;
	}
	if (l[0] == '!') {
		if (n == 3 && !memcmp(l, "!--", 3)) {
			/* Comments carry nothing for us; dropping them also
			 * spares libxml2's "--" and size rules. */
			run_end(f);
			f->st = JF_COMMENT;
			f->dashes = 0;
			f->nlook = 0;
			return;
		}
		if (n == 8 && !memcmp(l, "![CDATA[", 8)) {
			run_end(f);
			if (!f->wrapped) {
				out_str(f, "<" JF_WRAP ">");
				f->wrapped = true;
			}
			out_put(f, "<![CDATA[", 9);
			f->st = JF_CDATA;
			f->cdata_run = true;
			f->nlook = 0;
			return;
		}
		if (n == 8 && !memcmp(l, "!DOCTYPE", 8)) {
			run_end(f);
			jf_note(f, JR_DOCTYPE);
			f->st = JF_DOCTYPE;
			f->dt_depth = 0;
			f->dt_quote = 0;
			f->nlook = 0;
			return;
		}
		if (has_prefix(l, n, "!--") || has_prefix(l, n, "![CDATA[") ||
		    has_prefix(l, n, "!DOCTYPE"))
			return;
	}
	/* Not markup: a raw '<' in text. */
	{
		char tmp[JF_LOOK_MAX + 1];

		memcpy(tmp, l, n);
		f->nlook = 0;
		f->st = JF_TEXT;
		jf_note(f, JR_RAW_LT);
		emit_ctx(f, JF_TEXT, "&lt;", 4, true);
		jf_replay(f, tmp, n);
	}
}

/*
 * After a quote inside an attribute value: it closes the value when what
 * follows is '>', "/>", "?>" or whitespace then `name=`; else it is a raw
 * quote inside the value (cmocka does not escape them).
 */
static void qend_decide(struct jfilter *f, bool closes)
{
	char tmp[JF_LOOK_MAX + 2];
	size_t n = f->nlook;

	memcpy(tmp, f->look, n);
	f->nlook = 0;
	if (closes) {
		if (f->attr_dropped) {
			char m[64];

			snprintf(m, sizeof(m), " [... %llu bytes truncated ...]",
				 (unsigned long long)f->attr_dropped);
			out_str(f, m);
		}
		out_put(f, &f->quote, 1);
		f->st = JF_TAG;
		f->tag_slash = false;
	} else {
		jf_note(f, JR_QUOTE);
		f->st = JF_ATTR;
		emit_attr(f, f->quote == '"' ? "&quot;" : "&apos;", 6, true);
	}
	jf_replay(f, tmp, n);
}

static void qend_byte(struct jfilter *f, unsigned char c)
{
	/* Phase of look[]: 0 empty, 1 spaces, 2 spaces+name, 3 +spaces. */
	int phase = 0;
	bool push = false, closes = false, decided = false;

	for (size_t i = 0; i < f->nlook; i++) {
		bool ws = is_ws((unsigned char)f->look[i]);

		if (phase == 0 || phase == 1)
			phase = ws ? 1 : 2;
		else if (phase == 2 && ws)
			phase = 3;
	}
	switch (phase) {
	case 0:
		if (c == '>' || c == '/' || c == '?')
			decided = closes = true;
		else if (is_ws(c))
			push = true;
		else
			decided = true;
		break;
	case 1:
		if (c == '>' || c == '/')
			decided = closes = true;
		else if (is_ws(c) || is_name_start(c))
			push = true;
		else
			decided = true;
		break;
	case 2:
	case 3:
		if (c == '=')
			decided = closes = true;
		else if (is_ws(c) || (phase == 2 && is_name_char(c)))
			push = true;
		else
			decided = true;
		break;
	}
	f->look[f->nlook++] = (char)c;
	if (push && f->nlook < JF_LOOK_MAX)
		return;
	qend_decide(f, decided ? closes : true);
}

/*
 * qend_byte()'s decision taken on bytes already at hand (p..e, just after
 * the quote): 1 the quote closes the value, 0 it is a raw quote, -1 the
 * bytes ran out first (then the lookahead takes the slow path).
 */
static int qend_fast(const unsigned char *p, const unsigned char *e)
{
	int phase = 0;

	for (size_t i = 0; p + i < e; i++) {
		unsigned char c = p[i];
		bool push;

		switch (phase) {
		case 0:
			if (c == '>' || c == '/' || c == '?')
				return 1;
			if (!is_ws(c))
				return 0;
			phase = 1;
			push = true;
			break;
		case 1:
			if (c == '>' || c == '/')
				return 1;
			if (is_name_start(c))
				phase = 2;
			else if (!is_ws(c))
				return 0;
			push = true;
			break;
		default:
			if (c == '=')
				return 1;
			if (is_ws(c))
				phase = 3;
			else if (phase == 3 || !is_name_char(c))
				return 0;
			push = true;
			break;
		}
		if (push && i + 1 >= JF_LOOK_MAX)
			return 1;
	}
	return -1;
}

/* One byte of clean UTF-8 through the lexer (the slow path). */
static void jf_byte(struct jfilter *f, unsigned char c)
{
	char ch = (char)c;

	switch (f->st) {
	case JF_JUNK:
		if (c == '<') {
			f->st = JF_LT;
			f->nlook = 0;
		} else if (!is_ws(c)) {
			jf_note(f, JR_JUNK);
		}
		if (c == '\n')
			jf_fix(f, 0, 1); /* before output line 1 */
		return;
	case JF_TEXT:
		if (c == '<') {
			f->st = JF_LT;
			f->nlook = 0;
			return;
		}
		if (c == '&') {
			f->st = JF_REF;
			f->ret = JF_TEXT;
			f->nref = 0;
			return;
		}
		if (c == '>' && f->brackets >= 2) {
			jf_note(f, JR_CDEND);
			f->brackets = 0;
			emit_ctx(f, JF_TEXT, "&gt;", 4, true);
			return;
		}
		f->brackets = c == ']' ? f->brackets + 1 : 0;
		emit_ctx(f, JF_TEXT, &ch, 1, false);
		return;
	case JF_LT:
		lt_byte(f, c);
		return;
	case JF_TAG:
		if (c == '"' || c == '\'') {
			f->st = JF_ATTR;
			f->quote = ch;
			f->attr_run = 0;
			f->attr_dropped = 0;
			out_put(f, &ch, 1);
			return;
		}
		if (c == '>') {
			if (f->tag_end && f->depth > 0)
				f->depth--;
			else if (!f->tag_end && !f->tag_slash)
				f->depth++;
			f->st = JF_TEXT;
			f->cdata_run = false;
			f->run = 0;
			f->brackets = 0;
		}
		f->tag_slash = c == '/';
		out_put(f, &ch, 1);
		return;
	case JF_ATTR:
		if (c == (unsigned char)f->quote) {
			f->st = JF_QEND;
			f->nlook = 0;
		} else if (c == '<') {
			jf_note(f, JR_RAW_LT);
			emit_attr(f, "&lt;", 4, true);
		} else if (c == '&') {
			f->st = JF_REF;
			f->ret = JF_ATTR;
			f->nref = 0;
		} else {
			emit_attr(f, &ch, 1, false);
		}
		return;
	case JF_QEND:
		qend_byte(f, c);
		return;
	case JF_REF:
		ref_byte(f, c);
		return;
	case JF_CDATA:
		if (c == ']') {
			f->brackets++;
			return;
		}
		if (c == '>' && f->brackets >= 2) {
			for (; f->brackets > 2; f->brackets--)
				emit_text(f, "]", 1, false);
			run_end(f);
			out_put(f, "]]>", 3);
			f->st = JF_TEXT;
			f->cdata_run = false;
			return;
		}
		for (; f->brackets > 0; f->brackets--)
			emit_text(f, "]", 1, false);
		emit_text(f, &ch, 1, false);
		return;
	case JF_COMMENT:
		if (c == '\n')
			jf_drop_nl(f, 1);
		if (c == '>' && f->dashes >= 2)
			f->st = JF_TEXT;
		f->dashes = c == '-' ? f->dashes + 1 : 0;
		return;
	case JF_PI:
		out_put(f, &ch, 1);
		if (c == '>' && f->qmark)
			f->st = JF_TEXT;
		f->qmark = c == '?';
		return;
	case JF_PI_DROP:
		if (c == '\n')
			jf_drop_nl(f, 1);
		if (c == '>' && f->qmark)
			f->st = JF_TEXT;
		f->qmark = c == '?';
		return;
	case JF_DOCTYPE:
		if (c == '\n')
			jf_drop_nl(f, 1);
		if (f->dt_quote) {
			if (ch == f->dt_quote)
				f->dt_quote = 0;
		} else if (c == '"' || c == '\'') {
			f->dt_quote = ch;
		} else if (c == '[') {
			f->dt_depth++;
		} else if (c == ']') {
			f->dt_depth--;
		} else if (c == '>' && f->dt_depth <= 0) {
			f->st = JF_TEXT;
		}
		return;
	}
}

/*
 * The first of p..e that is a, b, c or d (or e): the lexer's fast paths
 * skip plain runs with it, 16 bytes at a time where SSE2 is there (every
 * x86-64).
 */
static const unsigned char *scan4(const unsigned char *p,
				  const unsigned char *e, unsigned char a,
				  unsigned char b, unsigned char c,
				  unsigned char d)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
	const __m128i vc = _mm_set1_epi8((char)c), vd = _mm_set1_epi8((char)d);

	while (e - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
			_mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
		int bits = _mm_movemask_epi8(m);

		if (bits)
			return p + __builtin_ctz((unsigned)bits);
		p += 16;
	}
#endif
	while (p < e && *p != a && *p != b && *p != c && *p != d)
		p++;
	return p;
}

/* Clean UTF-8 through the lexer, with fast paths for plain runs. */
static void jf_lex(struct jfilter *f, const unsigned char *p, size_t n)
{
	const unsigned char *e = p + n;

	while (p < e) {
		if (f->st == JF_TEXT && f->wrapped) {
			const unsigned char *q = scan4(p, e, '<', '&', '>', ']');

			if (q > p) {
				f->brackets = 0;
				emit_text(f, (const char *)p, (size_t)(q - p),
					  false);
				p = q;
				continue;
			}
		} else if (f->st == JF_ATTR) {
			const unsigned char *q = scan4(p, e, (unsigned char)f->quote,
						       '<', '&', '&');
			int closes;

			if (q > p) {
				emit_attr(f, (const char *)p, (size_t)(q - p),
					  false);
				p = q;
				continue;
			}
			/* A quote: decide here what it is when the bytes
			 * after it are at hand (no lookahead, no replay). */
			if (q < e && *q == (unsigned char)f->quote &&
			    (closes = qend_fast(q + 1, e)) >= 0) {
				f->cur = q;
				f->nlook = 0;
				qend_decide(f, closes);
				p = q + 1;
				continue;
			}
		} else if (f->st == JF_TAG) {
			const unsigned char *q = scan4(p, e, '"', '\'', '>', '/');

			if (q > p) {
				out_put(f, (const char *)p, (size_t)(q - p));
				f->tag_slash = false;
				p = q;
				continue;
			}
		} else if (f->st == JF_CDATA && !f->brackets) {
			const unsigned char *q = memchr(p, ']', (size_t)(e - p));

			if (!q)
				q = e;
			if (q > p) {
				emit_text(f, (const char *)p, (size_t)(q - p),
					  false);
				p = q;
				continue;
			}
		}
		f->cur = p;
		jf_byte(f, *p++);
	}
	f->cur = NULL;
}

static void mid_ctrl(unsigned char **o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	*(*o)++ = '\\';
	*(*o)++ = 'x';
	*(*o)++ = (unsigned char)hex[c >> 4];
	*(*o)++ = (unsigned char)hex[c & 15];
}

/* Bytes that pass stage 1 untouched: printable ASCII, TAB, LF, CR. */
static const unsigned char jf_plain[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
#define JF_P4(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1
#define JF_P16(c) JF_P4(c), JF_P4(c + 4), JF_P4(c + 8), JF_P4(c + 12)
	JF_P16(0x20), JF_P16(0x30), JF_P16(0x40), JF_P16(0x50), JF_P16(0x60),
	JF_P16(0x70),
#undef JF_P16
#undef JF_P4
};

/*
 * The end of the run of jf_plain bytes starting at p: 16 bytes at a time
 * where SSE2 is there (a signed compare with 0x20 catches both the
 * control bytes and the non-ASCII ones; TAB, LF and CR are let through).
 */
static const unsigned char *plain_end(const unsigned char *p,
				      const unsigned char *e)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(0x20), tab = _mm_set1_epi8('\t');
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');

	while (e - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i ok = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, lf)),
			_mm_cmpeq_epi8(x, cr));
		__m128i bad = _mm_andnot_si128(ok, _mm_cmplt_epi8(x, sp));
		int bits = _mm_movemask_epi8(bad);

		if (bits)
			return p + __builtin_ctz((unsigned)bits);
		p += 16;
	}
#endif
	while (p < e && jf_plain[*p])
		p++;
	return p;
}

/* Length of the valid UTF-8 sequence at p (n bytes available), 0 if the
 * bytes are invalid, or -1 if the sequence is cut at the end of p. */
static int utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int len;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	for (int k = 1; k < len; k++) {
		if ((size_t)k >= n)
			return -1;
		if (p[k] < (k == 1 ? lo : 0x80) || p[k] > (k == 1 ? hi : 0xBF))
			return 0;
	}
	if (len == 3 && c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
		return 0; /* U+FFFE, U+FFFF: not XML characters */
	return len;
}

/*
 * Stage 1: raw bytes to clean UTF-8 in f->mid. Returns the bytes written;
 * a sequence cut at the end (unless `last`) stays in raw[] for next time.
 */
static size_t jf_clean(struct jfilter *f, size_t n, bool last)
{
	const unsigned char *p = f->raw, *e = f->raw + n;
	unsigned char *o = f->mid;

	while (p < e) {
		unsigned char c = *p;
		int len;

		if (jf_plain[c]) {
			const unsigned char *q = plain_end(p + 1, e);

			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			p = q;
			continue;
		}
		if (c < 0x20) {
			/* not TAB, LF or CR: those are plain */
			jf_note_line(f, JR_CTRL, f->in_line +
				     count_nl((const char *)f->raw,
					      (size_t)(p - f->raw)));
			mid_ctrl(&o, c);
			p++;
			continue;
		}
		if (f->raw8) {
			*o++ = c;
			p++;
			continue;
		}
		len = utf8_seq(p, (size_t)(e - p));
		if (len < 0 && !last) {
			f->raw_carry = (size_t)(e - p);
			memmove(f->raw, p, f->raw_carry);
			return (size_t)(o - f->mid);
		}
		if (len <= 0) {
			jf_note_line(f, JR_UTF8, f->in_line +
				count_nl((const char *)f->raw,
					 (size_t)(p - f->raw)));
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(o, p, (size_t)len);
		o += len;
		p += len;
	}
	f->raw_carry = 0;
	return (size_t)(o - f->mid);
}

/* Looks at the XML declaration: a declared non-UTF-8 encoding is left to
 * libxml2 (we then only repair control characters). */
static void jf_sniff(struct jfilter *f, size_t n)
{
	char head[256], *enc, *end;
	size_t k = n < sizeof(head) - 1 ? n : sizeof(head) - 1;

	if (n >= 2 && ((f->raw[0] == 0xFF && f->raw[1] == 0xFE) ||
		       (f->raw[0] == 0xFE && f->raw[1] == 0xFF))) {
		f->passthrough = true;
		return;
	}
	memcpy(head, f->raw, k);
	head[k] = '\0';
	end = strstr(head, "?>");
	if (strncmp(head, "<?xml", 5) || !end)
		return;
	*end = '\0';
	enc = strstr(head, "encoding");
	if (!enc || !(enc = strpbrk(enc, "\"'")))
		return;
	enc++;
	if (strncasecmp(enc, "utf-8", 5) && strncasecmp(enc, "utf8", 4) &&
	    strncasecmp(enc, "us-ascii", 8) && strncasecmp(enc, "ascii", 5))
		f->raw8 = true;
}

/* End of input: close what can be closed, so libxml2 sees a clean end. */
static void jf_finish(struct jfilter *f)
{
	if (f->passthrough)
		return;
	if (f->st == JF_REF)
		ref_fail(f);
	if (f->st == JF_QEND)
		qend_decide(f, true);
	if (f->st == JF_LT && f->nlook) {
		char tmp[JF_LOOK_MAX + 1];
		size_t n = f->nlook;

		memcpy(tmp, f->look, n);
		f->nlook = 0;
		f->st = JF_TEXT;
		emit_ctx(f, JF_TEXT, "&lt;", 4, true);
		emit_ctx(f, JF_TEXT, tmp, n, false);
	} else if (f->st == JF_LT) {
		f->st = JF_TEXT;
		emit_ctx(f, JF_TEXT, "&lt;", 4, true);
	}
	if (f->st == JF_CDATA) {
		for (; f->brackets > 0; f->brackets--)
			emit_text(f, "]", 1, false);
	}
	run_end(f);
	/* Only a complete document gets its wrapper closed: a truncated one
	 * should fail on its own last open element, not on ours. */
	if (f->wrapped && f->depth == 0 && f->st == JF_TEXT)
		out_str(f, "</" JF_WRAP ">");
}

/*
 * Refills f->out from the file, or with `keep` appends to what is there.
 * Returns false when nothing more came (end of file or error).
 */
static bool jf_fill(struct jfilter *f, bool keep)
{
	ssize_t n;
	size_t total, m, before;

	if (!keep)
		f->out_len = f->out_pos = 0;
	before = f->out_len;
	while (f->out_len == before) {
		if (f->finished)
			return false;
		do
			n = read(f->fd, f->raw + f->raw_carry,
				 JF_RAW_SIZE - f->raw_carry);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			f->io_errno = errno;
			return false;
		}
		f->in_total += (uint64_t)n;
		total = f->raw_carry + (size_t)n;
		if (f->first_chunk && total) {
			f->first_chunk = false;
			jf_sniff(f, total);
			if (total >= 3 && !memcmp(f->raw, "\xEF\xBB\xBF", 3)) {
				memmove(f->raw, f->raw + 3, total - 3);
				total -= 3;
			}
		}
		if (f->passthrough) {
			out_put(f, (const char *)f->raw, total);
			f->raw_carry = 0;
			if (!n)
				f->finished = true;
			continue;
		}
		m = jf_clean(f, total, n == 0);
		{
			long nl = count_nl((const char *)f->mid, m);

			jf_lex(f, f->mid, m);
			f->in_line += nl;
		}
		if (!n) {
			jf_finish(f);
			f->finished = true;
		}
	}
	return true;
}

/*
 * On the cut line of a second pass: the bytes before the error position,
 * backed off to the last '<' so that libxml2 ends inside the element that
 * held the error, without reading its damage. Returns how many to hand.
 */
static size_t jf_cut_span(struct jfilter *f)
{
	size_t want, i, chars = 0, lt = 0;
	bool seen_lt = false;

	for (;;) {
		const char *p = f->out + f->out_pos;
		size_t avail = f->out_len - f->out_pos;

		/* cut_col counts characters: walk UTF-8 lead bytes */
		for (i = 0, chars = 0; i < avail && p[i] != '\n'; i++) {
			if (((unsigned char)p[i] & 0xC0) != 0x80 &&
			    ++chars >= (size_t)f->cut_col)
				break;
		}
		if (i < avail || f->finished || f->cut_col > (16L << 20) ||
		    !jf_fill(f, true))
			break;
	}
	want = i;
	for (i = 0; i < want; i++) {
		if (f->out[f->out_pos + i] == '<') {
			lt = i;
			seen_lt = true;
		}
	}
	return seen_lt ? lt : 0;
}

/* xmlInputReadCallback */
static int jf_read(void *ctx, char *buf, int len)
{
	struct jfilter *f = ctx;
	size_t k;

	if (f->cut_done)
		return 0;
	if (f->out_pos == f->out_len && !jf_fill(f, false))
		return f->io_errno ? -1 : 0;
	k = f->out_len - f->out_pos;
	if (k > (size_t)len)
		k = (size_t)len;
	if (f->cut_line) {
		if (f->hand_line >= f->cut_line) {
			if (f->cut_left < 0)
				f->cut_left = (long)jf_cut_span(f);
			k = f->out_len - f->out_pos;
			if (k > (size_t)len)
				k = (size_t)len;
			if (k > (size_t)f->cut_left)
				k = (size_t)f->cut_left;
			f->cut_left -= (long)k;
			f->cut_done = f->cut_left == 0;
		} else {
			for (size_t i = 0; i < k; i++) {
				if (f->out[f->out_pos + i] == '\n' &&
				    ++f->hand_line == f->cut_line) {
					k = i + 1;
					break;
				}
			}
		}
	}
	memcpy(buf, f->out + f->out_pos, k);
	f->out_pos += k;
	return (int)k;
}

static int jf_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void jf_init(struct jfilter *f, int fd, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->path = path;
	f->first_chunk = true;
	f->in_line = 1;
	f->out_line = 1;
	f->hand_line = 1;
	f->cut_left = -1;
	f->st = JF_JUNK;
	f->mid = fg_xmalloc(JF_MID_SIZE);
	f->ring = fg_xmalloc(JF_TEXT_TAIL);
}

static void jf_release(struct jfilter *f)
{
	free(f->mid);
	free(f->ring);
	free(f->out);
	free(f->fix);
}

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

struct jreader {
	const char *path, *fallback;
	struct fg_run *run;
	struct history_junit_stats *stats;
	xmlTextReaderPtr xr;
	struct jfilter f;

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

	/* Streaming: run is &window, whose tests go to sink as they settle. */
	const struct history_junit_sink *sink;
	struct fg_run window;
	int sink_rc;           /* a sink callback failed: stop reading */
};

static void jr_warn(struct jreader *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
	return jf_line(&r->f, line);
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

/*
 * Finds or adds the test; *again tells whether this file already gave it an
 * attempt (pytest teardown errors, gotestsum reruns). A test the run had
 * before this file (a runner's retry of the suite) gets more attempts.
 */
static size_t jr_test(struct jreader *r, const char *suite, const char *cls,
		      const char *name, bool *again)
{
	struct fg_test *t = fg_run_find_test(r->run, suite, cls, name);
	size_t idx;

	if (!t)
		t = fg_run_add_test(r->run, suite, cls, name);
	idx = (size_t)(t - r->run->tests);
	if (idx >= r->seen_cap) {
		size_t old = r->seen_cap;

		fg_xgrow((void **)&r->seen, &r->seen_cap, idx + 1,
			 sizeof(*r->seen));
		memset(r->seen + old, 0, (r->seen_cap - old) * sizeof(*r->seen));
	}
	*again = r->seen[idx].here;
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

/* pytest: "failure + teardown error" is one execution written twice. */
static void fold_teardown(struct fg_test *t, const char *msg, char *out,
			  int64_t ms)
{
	struct fg_attempt *a = &t->attempts[t->nattempts - 1];

	if (!fg_astatus_is_failure(a->status))
		a->status = FG_A_ERROR;
	if (!a->message)
		a->message = fg_xstrdup(msg);
	if (out || msg) {
		char *joined = fg_xasprintf("%s%s%s%s%s", a->output ? a->output : "",
					    a->output ? "\n" : "", msg ? msg : "",
					    msg && out ? "\n" : "", out ? out : "");

		free(a->output);
		a->output = joined;
	}
	free(out);
	a->duration_ms += ms;
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
		fg_test_settle(t);
		if (!r->sink_rc)
			r->sink_rc = r->sink->test(r->sink->ctx, t);
		fg_test_release(t);
	}
	jr_compact(r, map);
	free(map);
}

static void case_end(struct jreader *r)
{
	const char *suite, *cls = jstr_get(&r->c_class);
	const char *msg = msg_or_type(&r->c_msg, &r->c_type);
	char *out = jout_text(&r->c_out);
	bool again;
	size_t idx;
	struct fg_test *t;

	/* pytest writes an expected failure as <skipped type="pytest.xfail">. */
	if (r->c_st == FG_A_SKIPPED && streq(jstr_get(&r->c_type), "pytest.xfail"))
		r->c_st = FG_A_XFAILED;
	jr_identity(r, &suite, &cls);
	idx = jr_test(r, suite, cls, jstr_get(&r->c_name), &again);
	t = &r->run->tests[idx];
	if (again && !r->nretries && r->c_st == FG_A_ERROR && msg &&
	    !strncmp(msg, "failed on teardown", 18) && t->nattempts) {
		fold_teardown(t, msg, out, r->c_ms);
	} else {
		for (size_t i = 0; i < r->nretries; i++) {
			struct jretry *rt = &r->retries[i];

			add_attempt(t, rt->st, rt->ms, rt->msg, rt->out);
			free(rt->msg);
			rt->msg = rt->out = NULL;
		}
		add_attempt(t, r->c_st, r->c_ms, msg, out);
	}
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
		 jf_line(&r->f, line), tail);
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
		jr_warn(r, jf_line(&r->f, e->line), "%s", msg);
		return;
	}
	if (r->fatal)
		return;
	r->fatal = true;
	r->err_out_line = e->line;
	r->err_code = e->code;
	r->err_line = jf_line(&r->f, e->line);
	r->err_col = e->int2 > 0 ? e->int2 : 1;
	snprintf(r->err_msg, sizeof(r->err_msg), "%s", msg);
}

/* One warning per kind of repair the filter made. */
static void report_repairs(struct jreader *r)
{
	for (int k = 0; k < JR_COUNT_; k++) {
		if (!r->f.nrep[k])
			continue;
		if (k == JR_ROOTS) {
			/* cmocka does this for every run with several groups */
			fg_log(FG_LOG_INFO, "junit", "%s:%ld: %s", r->path,
			       r->f.rep_line[k], jf_repair_text[k]);
			continue;
		}
		jr_warn(r, r->f.rep_line[k], "%s (%llu time%s)",
			jf_repair_text[k], (unsigned long long)r->f.nrep[k],
			r->f.nrep[k] == 1 ? "" : "s");
	}
	if (r->f.truncated_runs)
		fg_log(FG_LOG_DEBUG, "junit", "%s: truncated %llu long texts",
		       r->path, (unsigned long long)r->f.truncated_runs);
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

	if (r->f.io_errno)
		return fg_fail(err, FG_EIO, "%s: read error: %s", path,
			       strerror(r->f.io_errno));
	if (!r->f.in_total)
		return fg_fail(err, FG_EXML, "%s:1:1: empty file", path);
	if (!r->junit_roots) {
		if (r->bad_root[0])
			return fg_fail(err, FG_EXML,
				       "%s:%ld:%ld: not JUnit XML: root element "
				       "<%s>, expected <testsuites> or <testsuite>",
				       path, r->bad_line, r->bad_col,
				       r->bad_root);
		if (!r->f.wrapped)
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
	jf_release(&r->f);
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
	jf_init(&r->f, fd, path);
	r->f.cut_line = cut_line;
	r->f.cut_col = cut_col;
	r->quiet = cut_line > 0;
	fg_buf_init(&r->c_out.b, JR_OUT_MAX);
	fg_buf_init(&r->r_out.b, JR_OUT_MAX);
	fg_buf_init(&r->s_out.b, JR_OUT_MAX);
	/*
	 * No XML_PARSE_NOENT, DTDLOAD, DTDVALID or HUGE: entities stay
	 * unexpanded (the filter removed any DTD anyway) and libxml2 keeps
	 * its limits on names, depth and text size.
	 */
	r->xr = xmlReaderForIO(jf_read, jf_close, &r->f, path, NULL,
			       XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT);
	if (!r->xr) {
		jr_free(r);
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(r->xr, jr_on_error, r);
	jr_loop(r);
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
	return r->fatal && r->f.wrapped && !r->f.io_errno &&
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
	if (r->fatal && r->f.finished && r->f.depth > 0 &&
	    r->err_code == XML_ERR_DOCUMENT_END)
		snprintf(r->err_msg, sizeof(r->err_msg),
			 "unexpected end of file inside %d open element%s",
			 r->f.depth, r->f.depth == 1 ? "" : "s");
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
