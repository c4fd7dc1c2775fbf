/* SPDX-License-Identifier: MIT */
/*
 * history/junit_filter.c - the repairing byte filter in front of libxml2's
 * streaming reader (history/junit.c reads what comes out of it).
 *
 * Why a filter. Real producers write XML that is not well-formed (see
 * shared/JUNIT-DIALECTS.md): cmocka writes several <testsuites> roots in one
 * file and does not escape '<', '&' or '"' in names; jest, Catch2 and
 * Criterion write raw control characters; logs carry invalid UTF-8; test
 * output can be gigabytes in one text node. libxml2 stops at the first
 * well-formedness error, so we repair the byte stream before it gets there
 * (xmlReaderForIO with a read callback instead of xmlReaderForFile). The
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
 *      attribute value the first 64 KiB followed by "[... N bytes
 *      truncated, hash H ...]" (H: FNV-1a of what was cut, so that two
 *      long names never become one), so libxml2 never holds a huge node
 *      and XML_PARSE_HUGE is never needed.
 * Lines stay right: dropped newlines are remembered and libxml2's line
 * numbers mapped back (jf_line_map); columns can be off on a line that was
 * repaired.
 *
 * How: read(2) chunks go through stage 1 (jf_clean: UTF-8 and control
 * characters, into mid[]) and stage 2 (jf_lex: a byte state machine with
 * fast paths that skip plain runs 16 bytes at a time) into out[], from
 * which jf_read() hands bytes over. Lookahead decisions (what a '<' or a
 * quote starts) need at most JF_LOOK_MAX bytes.
 *
 * API (history/internal.h): jf_open(), jf_read(), jf_line_map(),
 * jf_report(), jf_close(). To add a repair: a JFR_ kind and its text
 * below, noted where it happens (jf_note); the reader warns about it.
 */
#include "history/internal.h"
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* JF_ATTR_MAX, the bytes kept of an attribute value: history/internal.h */
#define JF_RAW_SIZE (16 * 1024)   /* read(2) chunk */
#define JF_MID_SIZE (JF_RAW_SIZE * 4 + 16) /* after UTF-8 repair: <= 4x */
#define JF_TEXT_HEAD (32 * 1024)  /* kept from the start of a text run */
#define JF_TEXT_TAIL (32 * 1024)  /* kept from its end */
#define JF_LOOK_MAX 64            /* lookahead for markup / quote decisions */
#define JF_REF_MAX 32             /* longest reference we accept */

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
enum jf_rkind {
	JFR_JUNK, JFR_DOCTYPE, JFR_ENTITY, JFR_RAW_LT, JFR_RAW_AMP, JFR_QUOTE,
	JFR_CDEND, JFR_UTF8, JFR_CTRL, JFR_XMLDECL, JFR_ROOTS, JFR_COUNT_
};

_Static_assert(JFR_COUNT_ <= JF_REPAIR_KINDS, "struct jf_report holds them all");

static const char *const jf_repair_text[JFR_COUNT_] = {
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
	int io_errno;           /* read(2) failed with this */
	bool finished;          /* the whole file went through the lexer */
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
	uint64_t attr_hash;     /* FNV-1a of the bytes dropped */

	struct jf_linefix *fix;
	size_t nfix, fix_cap;
	uint64_t nrep[JFR_COUNT_];
	long rep_line[JFR_COUNT_];
	uint64_t truncated_runs;
};

static void jf_lex(struct jfilter *f, const unsigned char *p, size_t n);
static void jf_byte(struct jfilter *f, unsigned char c);

/* Counts a repair; remembers the input line of the first of its kind. */
static void jf_note_line(struct jfilter *f, enum jf_rkind kind, long line)
{
	if (!f->nrep[kind]++)
		f->rep_line[kind] = line;
}

static long count_nl(const char *s, size_t n);

static void jf_note(struct jfilter *f, enum jf_rkind kind)
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

long jf_line_map(const struct jfilter *f, long line)
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
		f->attr_hash = hist_fnv1a(f->attr_hash, s, n);
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
		f->attr_hash = hist_fnv1a(HIST_FNV_INIT, s + cut, n - cut);
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
				jf_note(f, JFR_JUNK);
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
			jf_note(f, JFR_RAW_AMP);
			ref_emit(f, ctx, "amp;");
		} else if (v < 0x20 && v != '\t' && v != '\n' && v != '\r') {
			jf_note(f, JFR_CTRL);
			snprintf(buf, sizeof(buf), "\\x%02lX", v);
			emit_ctx(f, ctx, buf, strlen(buf), true);
		} else if ((v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE ||
			   v == 0xFFFF || v > 0x10FFFF) {
			jf_note(f, JFR_UTF8);
			emit_ctx(f, ctx, "&#xFFFD;", 8, true);
		} else {
			ref_emit(f, ctx, "");
		}
	} else {
		/* No DTD: any other entity would be an error; keep it as text. */
		jf_note(f, JFR_ENTITY);
		ref_emit(f, ctx, "amp;");
	}
}

/* A '&' that does not start a reference: escape it, replay what followed. */
static void ref_fail(struct jfilter *f)
{
	char tmp[JF_REF_MAX + 1];
	size_t n = f->nref;

	jf_note(f, JFR_RAW_AMP);
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
		jf_note(f, JFR_ROOTS);
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
			jf_note(f, JFR_XMLDECL);
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
			jf_note(f, JFR_DOCTYPE);
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
		jf_note(f, JFR_RAW_LT);
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
			char m[80];

			/* The hash keeps values that differ only in what was
			 * cut apart: two long names stay two tests. */
			snprintf(m, sizeof(m),
				 " [... %llu bytes truncated, hash %016llx ...]",
				 (unsigned long long)f->attr_dropped,
				 (unsigned long long)f->attr_hash);
			out_str(f, m);
		}
		out_put(f, &f->quote, 1);
		f->st = JF_TAG;
		f->tag_slash = false;
	} else {
		jf_note(f, JFR_QUOTE);
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
			jf_note(f, JFR_JUNK);
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
			jf_note(f, JFR_CDEND);
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
			jf_note(f, JFR_RAW_LT);
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
			jf_note_line(f, JFR_CTRL, f->in_line +
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
		len = hist_utf8_seq(p, (size_t)(e - p));
		if (len < 0 && !last) {
			f->raw_carry = (size_t)(e - p);
			memmove(f->raw, p, f->raw_carry);
			return (size_t)(o - f->mid);
		}
		if (len <= 0) {
			jf_note_line(f, JFR_UTF8, f->in_line +
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
 * Refills f->out from the file. Returns false when nothing more came (end
 * of file or error).
 */
static bool jf_fill(struct jfilter *f)
{
	ssize_t n;
	size_t total, m;

	f->out_len = f->out_pos = 0;
	while (!f->out_len) {
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

int jf_read(struct jfilter *f, char *buf, int len)
{
	size_t k;

	if (len <= 0)
		return 0;
	if (f->out_pos == f->out_len && !jf_fill(f))
		return f->io_errno ? -1 : 0;
	k = f->out_len - f->out_pos;
	if (k > (size_t)len)
		k = (size_t)len;
	memcpy(buf, f->out + f->out_pos, k);
	f->out_pos += k;
	return (int)k;
}

struct jfilter *jf_open(int fd)
{
	struct jfilter *f = fg_xcalloc(1, sizeof(*f));

	f->fd = fd;
	f->first_chunk = true;
	f->in_line = 1;
	f->out_line = 1;
	f->st = JF_JUNK;
	f->mid = fg_xmalloc(JF_MID_SIZE);
	f->ring = fg_xmalloc(JF_TEXT_TAIL);
	return f;
}

void jf_report(const struct jfilter *f, struct jf_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->io_errno = f->io_errno;
	rep->in_bytes = f->in_total;
	rep->element = f->wrapped;
	rep->finished = f->finished;
	rep->open_elements = f->depth;
	rep->truncated = f->truncated_runs;
	for (int k = 0; k < JFR_COUNT_; k++) {
		struct jf_repair *r;

		if (!f->nrep[k])
			continue;
		r = &rep->repairs[rep->nrepairs++];
		r->what = jf_repair_text[k];
		r->count = f->nrep[k];
		r->line = f->rep_line[k];
		r->benign = k == JFR_ROOTS; /* cmocka, whenever it has groups */
	}
}

void jf_close(struct jfilter *f)
{
	if (!f)
		return;
	free(f->mid);
	free(f->ring);
	free(f->out);
	free(f->fix);
	free(f);
}
