/* SPDX-License-Identifier: MIT */
/*
 * analyzer/summary.c - a test's summary: what the analysis of a run needs
 * of its history, kept per test in the database (history/summary.c) and
 * folded into in the transaction of every run (issue 14).
 *
 * The summary is the test's window: its newest runs, each as the analyzer
 * sees it (struct an_obs less what the run itself says: run id, attempts
 * that ran, of which failed, whether the last failed, duration, failure
 * signature), with three counters:
 *   seen      runs folded in;
 *   clean     runs folded in since the newest one that failed (a lower
 *             bound of the truth when the summary did not start at the
 *             test's first run and saw no failure);
 *   complete  the summary started at the test's first run: seen is all.
 * A run's start, commit and branch come from the runs table when the
 * summary is read (history_store_run_info()), so each run costs about 5
 * bytes. AN_SUMMARY_LONG runs are kept while a failure is among them (the
 * onset scan and the monitor of a failing test look that far back, policy
 * "history"), AN_SUMMARY_SHORT once the test has been clean that long.
 *
 * Decisions are the full recomputation's: the caller loads the same runs
 * from the summary that it would from the results (an_summary_covers()
 * says when the summary holds them all), and an_evaluate() is the same
 * code on the same input; `analyze --rebuild` reads the results instead,
 * and tests compare the two.
 *
 * The text: a version letter, then numbers in a base-32 varint of
 * printable characters (low digits first; the last digit of a number
 * from DIGIT_END, the others from DIGIT_MORE): seen, clean, complete,
 * nobs, then per run, oldest first: run id (the first as it is, then
 * the difference from the previous one, zigzag), attempts * 8 + company
 * * 4 + memory error * 2 + last failed, failed, duration (zigzag), for a
 * failed run the signature's length + 1 (0: none) followed by its bytes,
 * and with company (issue 12 point 3, an_obs_company()): attempts alone,
 * of which failed, attempts beside others, of which failed, interfered *
 * 2 + failed alone, and for an interfered run the length of the names
 * beside it ('\n'-joined) followed by them.
 */
#include "analyzer/analyzer.h"
#include "analyzer/internal.h"

#include <stdlib.h>
#include <string.h>

#define VERSION 'B' /* 'A' (no company) reads as no summary: rebuilt */

static const char DIGIT_END[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
static const char DIGIT_MORE[] = "abcdefghijklmnopqrstuvwxyz!#$%&*";

/* ---------------------------------------------------------------------- */
/* Encoding                                                                */
/* ---------------------------------------------------------------------- */

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
	fg_xgrow((void **)&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void put_u(struct sbuf *b, uint64_t v)
{
	char tmp[16];
	size_t n = 0;

	while (v >= 32) {
		tmp[n++] = DIGIT_MORE[v & 31];
		v >>= 5;
	}
	tmp[n++] = DIGIT_END[v];
	sb_add(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

struct reader {
	const char *p, *end;
	bool bad;
};

/* The value of a digit (+32: more digits follow), or -1; from the two
 * alphabets, built once. */
static int digit_of(char c, bool *more)
{
	static signed char val[256];
	static bool built;
	int v;

	if (!built) {
		memset(val, -1, sizeof(val));
		for (int i = 0; i < 32; i++) {
			val[(unsigned char)DIGIT_END[i]] = (signed char)i;
			val[(unsigned char)DIGIT_MORE[i]] = (signed char)(i + 32);
		}
		built = true;
	}
	v = val[(unsigned char)c];
	if (v < 0)
		return -1;
	*more = v >= 32;
	return v & 31;
}

static uint64_t get_u(struct reader *r)
{
	uint64_t v = 0;

	for (int shift = 0; !r->bad; shift += 5) {
		bool more;
		int d;

		if (r->p >= r->end || shift > 60 ||
		    (d = digit_of(*r->p, &more)) < 0) {
			r->bad = true;
			break;
		}
		r->p++;
		v |= (uint64_t)d << shift;
		if (!more)
			return v;
	}
	return 0;
}

/* One run of the summary; sig points into the text it came from. */
struct sobs {
	int64_t run_id;
	uint64_t attempts, failed;
	bool last_failed;
	bool memory;            /* a memory error's hint (an_obs.memory) */
	int64_t duration_ms;
	const char *sig;        /* NULL: none */
	size_t siglen;
	/* company (struct an_obs) */
	bool company, interfered, failed_alone;
	uint64_t alone, alone_failed, beside_n, beside_failed;
	const char *names;      /* '\n'-joined, or NULL */
	size_t nameslen;
	char *own;              /* names, when this sobs owns them */
};

struct sum {
	struct an_summary_head h;
	struct sobs *o;
	size_t cap;
};

static int parse(const char *text, struct sum *s, bool want_obs)
{
	struct reader r = { text, text + strlen(text), false };
	int64_t id = 0;

	memset(s, 0, sizeof(*s));
	if (r.p >= r.end || *r.p++ != VERSION)
		return -1;
	s->h.seen = get_u(&r);
	s->h.clean = get_u(&r);
	s->h.complete = get_u(&r) != 0;
	s->h.nobs = (size_t)get_u(&r);
	if (r.bad || s->h.nobs > (size_t)(r.end - r.p))
		return -1;
	if (want_obs)
		s->o = fg_xcalloc(s->h.nobs + 1, sizeof(*s->o));
	for (size_t i = 0; i < s->h.nobs && !r.bad; i++) {
		struct sobs o = { 0 };
		uint64_t code;

		id = i ? id + unzigzag(get_u(&r)) : (int64_t)get_u(&r);
		o.run_id = id;
		code = get_u(&r);
		o.attempts = code >> 3;
		o.company = (code >> 2) & 1;
		o.memory = (code >> 1) & 1;
		o.last_failed = code & 1;
		o.failed = get_u(&r);
		o.duration_ms = unzigzag(get_u(&r));
		if (o.failed) {
			uint64_t len = get_u(&r);

			if (len && len - 1 > (uint64_t)(r.end - r.p)) {
				r.bad = true;
				break;
			}
			if (len) {
				o.sig = r.p;
				o.siglen = (size_t)(len - 1);
				r.p += len - 1;
			}
		}
		if (o.company) {
			uint64_t flags, len;

			o.alone = get_u(&r);
			o.alone_failed = get_u(&r);
			o.beside_n = get_u(&r);
			o.beside_failed = get_u(&r);
			flags = get_u(&r);
			o.interfered = flags & 2;
			o.failed_alone = flags & 1;
			if (o.interfered) {
				len = get_u(&r);
				if (r.bad || len > (uint64_t)(r.end - r.p)) {
					r.bad = true;
					break;
				}
				o.names = len ? r.p : NULL;
				o.nameslen = (size_t)len;
				r.p += len;
			}
		}
		if (!i)
			s->h.min_run_id = id;
		s->h.max_run_id = id;
		if (o.attempts) {
			s->h.nonskipped++;
			s->h.upto_newest_ran = i + 1;
		}
		if (want_obs)
			s->o[i] = o;
	}
	if (r.bad || r.p != r.end) {
		free(s->o);
		s->o = NULL;
		return -1;
	}
	return 0;
}

static char *encode(const struct an_summary_head *h, const struct sobs *o,
		    size_t from, size_t to)
{
	struct sbuf b = { 0 };
	int64_t prev = 0;
	char v = VERSION;

	sb_add(&b, &v, 1);
	put_u(&b, h->seen);
	put_u(&b, h->clean);
	put_u(&b, h->complete);
	put_u(&b, to - from);
	for (size_t i = from; i < to; i++) {
		put_u(&b, i == from ? (uint64_t)o[i].run_id :
				      zigzag(o[i].run_id - prev));
		prev = o[i].run_id;
		put_u(&b, o[i].attempts * 8 + (o[i].company ? 4 : 0) +
			      (o[i].memory ? 2 : 0) + (o[i].last_failed ? 1 : 0));
		put_u(&b, o[i].failed);
		put_u(&b, zigzag(o[i].duration_ms));
		if (o[i].failed) {
			put_u(&b, o[i].sig ? o[i].siglen + 1 : 0);
			if (o[i].sig)
				sb_add(&b, o[i].sig, o[i].siglen);
		}
		if (o[i].company) {
			put_u(&b, o[i].alone);
			put_u(&b, o[i].alone_failed);
			put_u(&b, o[i].beside_n);
			put_u(&b, o[i].beside_failed);
			put_u(&b, (o[i].interfered ? 2u : 0u) +
				      (o[i].failed_alone ? 1u : 0u));
			if (o[i].interfered) {
				put_u(&b, o[i].nameslen);
				if (o[i].nameslen)
					sb_add(&b, o[i].names, o[i].nameslen);
			}
		}
	}
	/* exact: a run's transaction holds every test's new state */
	return fg_xrealloc(b.s, b.len + 1);
}

/* A run as the summary keeps it; o->own is the caller's to free. */
static void sobs_of(struct sobs *o, const struct an_obs *a)
{
	struct sbuf names = { 0 };

	memset(o, 0, sizeof(*o));
	o->run_id = a->run_id;
	o->attempts = (uint64_t)a->attempts;
	o->failed = (uint64_t)a->failed;
	o->last_failed = a->last_failed;
	o->memory = a->memory;
	o->duration_ms = a->duration_ms;
	o->sig = a->signature;
	o->siglen = a->signature ? strlen(a->signature) : 0;
	o->alone = a->alone;
	o->alone_failed = a->alone_failed;
	o->beside_n = a->beside_n;
	o->beside_failed = a->beside_failed;
	o->interfered = a->interfered;
	o->failed_alone = a->failed_alone;
	o->company = o->alone || o->beside_n || o->interfered ||
		     o->failed_alone;
	for (size_t i = 0; o->interfered && i < a->nbeside; i++) {
		if (i)
			sb_add(&names, "\n", 1);
		sb_add(&names, a->beside[i], strlen(a->beside[i]));
	}
	o->own = names.s;
	o->names = names.s;
	o->nameslen = names.len;
}

/* How many runs a summary keeps: long while a failure is in view. */
static size_t keep_of(uint64_t clean)
{
	return clean < AN_SUMMARY_LONG ? AN_SUMMARY_LONG : AN_SUMMARY_SHORT;
}

int an_summary_head(const char *state, struct an_summary_head *h)
{
	struct sum s;

	if (!state || parse(state, &s, false))
		return -1;
	*h = s.h;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Folding a run in                                                        */
/* ---------------------------------------------------------------------- */

char *an_summary_fold(const char *state, const struct history_scan_row *row,
		      bool first)
{
	struct sum s;
	struct sobs n;
	struct an_test one;
	const struct an_obs *o;
	char *out;
	size_t at, keep;

	if (!state || parse(state, &s, true)) {
		memset(&s, 0, sizeof(s));
		s.o = fg_xcalloc(2, sizeof(*s.o));
		s.h.complete = first;
	}
	/* the run as the analyzer reads it from the results, exactly */
	an_test_init(&one, NULL, NULL, NULL);
	o = an_test_add_row(&one, row);
	sobs_of(&n, o);
	n.run_id = row->run_id;
	n.duration_ms = row->duration_ms;
	/* Runs are in id order; a concurrent writer's older run (PostgreSQL)
	 * goes where it belongs. */
	at = s.h.nobs;
	while (at > 0 && s.o[at - 1].run_id > n.run_id)
		at--;
	s.o = fg_xrealloc(s.o, (s.h.nobs + 2) * sizeof(*s.o));
	memmove(&s.o[at + 1], &s.o[at], (s.h.nobs - at) * sizeof(*s.o));
	s.o[at] = n;
	s.h.nobs++;
	s.h.seen++;
	if (n.failed) {
		/* runs after it, if it is the newest failure */
		uint64_t after = s.h.nobs - 1 - at;

		if (at == s.h.nobs - 1 || after < s.h.clean)
			s.h.clean = after;
	} else if (s.h.clean >= s.h.nobs - 1 - at) {
		s.h.clean++; /* it is after the newest failure */
	}
	keep = keep_of(s.h.clean);
	out = encode(&s.h, s.o, s.h.nobs > keep ? s.h.nobs - keep : 0,
		     s.h.nobs);
	free(s.o);
	free(n.own);
	an_test_release(&one);
	return out;
}

char *an_summary_of(const struct an_test *t, bool complete)
{
	struct sobs *o = fg_xcalloc(t->nobs + 1, sizeof(*o));
	struct an_summary_head h = { .seen = t->nobs, .complete = complete };
	bool failed = false;
	char *out;
	size_t keep;

	for (size_t i = 0; i < t->nobs; i++)
		sobs_of(&o[i], &t->obs[i]);
	for (size_t i = t->nobs; i-- > 0 && !failed;) {
		failed = t->obs[i].failed > 0;
		if (!failed)
			h.clean++;
	}
	keep = keep_of(h.clean);
	out = encode(&h, o, t->nobs > keep ? t->nobs - keep : 0, t->nobs);
	for (size_t i = 0; i < t->nobs; i++)
		free(o[i].own);
	free(o);
	return out;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */
/* ---------------------------------------------------------------------- */

size_t an_scan_runs(int n)
{
	return n < 1 ? 1 : (size_t)n;
}

bool an_test_has_failure(const struct an_test *t, const struct fg_test *ft)
{
	for (size_t i = 0; i < t->nobs; i++)
		if (t->obs[i].failed)
			return true;
	for (size_t i = 0; i < ft->nattempts; i++)
		if (fg_astatus_is_failure(ft->attempts[i].status))
			return true;
	return false;
}

bool an_summary_covers(const struct an_summary_head *h, size_t runs)
{
	return h->nobs >= runs || (h->complete && h->nobs == h->seen);
}

bool an_summary_covers_clean(const struct an_summary_head *h, size_t runs,
			     size_t window)
{
	return h->clean >= runs && h->nonskipped >= window &&
	       h->upto_newest_ran >= AN_MONITOR_SPAN;
}

static const struct history_run_info *
find_run(const struct history_run_info *runs, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (runs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && runs[lo].id == id ? &runs[lo] : NULL;
}

int an_summary_load(struct an_test *t, const char *state, size_t newest,
		    const struct history_run_info *runs, size_t nruns)
{
	struct sum s;
	size_t from, before = t->nobs;

	if (parse(state, &s, true))
		return -1;
	from = s.h.nobs > newest ? s.h.nobs - newest : 0;
	for (size_t i = from; i < s.h.nobs; i++) {
		const struct sobs *o = &s.o[i];
		const struct history_run_info *ri = find_run(runs, nruns,
							     o->run_id);
		struct an_obs *a;

		if (!ri) { /* undo: t is as it was */
			while (t->nobs > before) {
				struct an_obs *u = &t->obs[--t->nobs];

				free(u->signature);
				an__obs_release(u);
			}
			free(s.o);
			return -1;
		}
		fg_xgrow((void **)&t->obs, &t->cap, t->nobs + 1,
			 sizeof(*t->obs));
		a = &t->obs[t->nobs++];
		memset(a, 0, sizeof(*a));
		a->run_id = o->run_id;
		a->started_at_ms = ri->started_at_ms;
		a->commit = ri->commit;
		a->branch = ri->branch;
		a->borrowed = true;
		a->attempts = (int)o->attempts;
		a->failed = (int)o->failed;
		a->last_failed = o->last_failed;
		a->memory = o->memory;
		a->duration_ms = o->duration_ms;
		if (o->sig)
			a->signature = fg_xstrndup(o->sig, o->siglen);
		a->alone = (uint16_t)o->alone;
		a->alone_failed = (uint16_t)o->alone_failed;
		a->beside_n = (uint16_t)o->beside_n;
		a->beside_failed = (uint16_t)o->beside_failed;
		a->interfered = o->interfered;
		a->failed_alone = o->failed_alone;
		for (const char *p = o->names, *end = p + o->nameslen;
		     p && p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			a->beside = fg_xrealloc(a->beside, (a->nbeside + 1) *
							   sizeof(*a->beside));
			a->beside[a->nbeside++] = fg_xstrndup(p, len);
			p += len + 1;
		}
	}
	free(s.o);
	return 0;
}

int an_summary_load_run(struct an_test *t, const char *state,
			const struct fg_test *ft, const struct an_policy *p,
			const struct history_run_info *runs, size_t nruns)
{
	struct an_summary_head h;
	size_t w = an_scan_runs(p->window - 1);
	size_t l = an_scan_runs(p->history - 1);

	if (an_summary_head(state, &h) || !an_summary_covers(&h, w) ||
	    an_summary_load(t, state, w, runs, nruns))
		return -1;
	/* A test that fails gets its longer history (policy history): an
	 * onset must stay in view to keep it out of quarantine. */
	if (p->history > p->window && an_test_has_failure(t, ft) &&
	    t->nobs >= (size_t)p->window - 1) {
		an_test_trim(t);
		if (!an_summary_covers(&h, l) ||
		    an_summary_load(t, state, l, runs, nruns))
			return -1;
	}
	return 0;
}
