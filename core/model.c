/* SPDX-License-Identifier: MIT */
/*
 * core/model.c - the in-memory model of a run: tests and their attempts.
 *
 * Every stage speaks this model: the runner and the JUnit reader fill it,
 * the store writes it, the analyzer settles outcomes and reporters print it.
 * A run owns all its strings; fg_run_release() frees everything.
 */
#include "core/model.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char *const astatus_names[FG_A_COUNT] = {
	"passed", "failed", "error", "skipped", "timeout", "crashed", "leaked",
	"xfailed", "xpassed",
};
static const char *const outcome_names[FG_O_COUNT] = {
	"passed", "failed", "flaky", "skipped", "quarantined", "xfailed",
	"xpassed",
};

const char *fg_astatus_name(enum fg_astatus s)
{
	return (unsigned)s < FG_A_COUNT ? astatus_names[s] : "unknown";
}

int fg_astatus_parse(const char *s)
{
	for (int i = 0; i < FG_A_COUNT; i++)
		if (s && !strcmp(s, astatus_names[i]))
			return i;
	return -1;
}

bool fg_astatus_is_failure(enum fg_astatus s)
{
	return !fg_astatus_is_pass(s) && s != FG_A_SKIPPED;
}

bool fg_astatus_is_pass(enum fg_astatus s)
{
	return s == FG_A_PASSED || s == FG_A_XFAILED || s == FG_A_XPASSED;
}

const char *fg_outcome_name(enum fg_outcome o)
{
	return (unsigned)o < FG_O_COUNT ? outcome_names[o] : "unknown";
}

int fg_outcome_parse(const char *s)
{
	for (int i = 0; i < FG_O_COUNT; i++)
		if (s && !strcmp(s, outcome_names[i]))
			return i;
	return -1;
}

void fg_run_init(struct fg_run *run)
{
	memset(run, 0, sizeof(*run));
}

void fg_test_release(struct fg_test *t)
{
	for (size_t i = 0; i < t->nattempts; i++) {
		free(t->attempts[i].message);
		free(t->attempts[i].output);
		free(t->attempts[i].hint);
		free(t->attempts[i].beside_names);
	}
	free(t->attempts);
	for (size_t i = 0; i < t->nculprits; i++)
		free(t->culprits[i].name);
	free(t->culprits);
	free(t->suggestion);
	free(t->suite);
	free(t->classname);
	free(t->name);
	free(t->file);
	free(t->strip);
	free(t->repro);
	free(t->since);
	free(t->reason);
	free(t->note);
	free(t->hint);
	memset(t, 0, sizeof(*t));
}

/* Moves one owned string: dst's is freed, src's left NULL. */
static void take_str(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

void fg_test_take_analysis(struct fg_test *dst, struct fg_test *src)
{
	dst->outcome = src->outcome;
	dst->category = src->category;
	dst->quarantined = src->quarantined;
	dst->hist_runs = src->hist_runs;
	dst->hist_fails = src->hist_fails;
	dst->rate = src->rate;
	dst->rate_lo = src->rate_lo;
	dst->rate_hi = src->rate_hi;
	dst->counts = src->counts;
	take_str(&dst->strip, &src->strip);
	take_str(&dst->since, &src->since);
	take_str(&dst->reason, &src->reason);
	take_str(&dst->note, &src->note);
	take_str(&dst->hint, &src->hint);
	take_str(&dst->repro, &src->repro);
}

void fg_run_release(struct fg_run *run)
{
	for (size_t i = 0; i < run->ntests; i++)
		fg_test_release(&run->tests[i]);
	free(run->tests);
	free(run->commit);
	free(run->branch);
	free(run->host);
	free(run->ci_job);
	free(run->shard);
	free(run->selection);
	free(run->uuid);
	for (size_t i = 0; i < run->nmissing; i++) {
		free(run->missing[i].suite);
		free(run->missing[i].classname);
		free(run->missing[i].name);
	}
	free(run->missing);
	for (size_t i = 0; i < run->nitems; i++)
		free(run->items[i].id);
	free(run->items);
	for (size_t i = 0; i < run->nincidents; i++)
		free(run->incidents[i].signature);
	free(run->incidents);
	free(run->index);
	fg_run_init(run);
}

/* ---------------------------------------------------------------------- */
/* Identity index: open addressing, linear probing, load <= 1/2.           */
/* ---------------------------------------------------------------------- */

static uint64_t id_hash(const char *suite, const char *cls, const char *name)
{
	const char *parts[3] = { suite, cls, name };
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i];
		     *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0x1f) * 1099511628211ull;
	}
	return h;
}

static void index_put(struct fg_run *run, size_t i)
{
	const struct fg_test *t = &run->tests[i];
	size_t mask = run->index_cap - 1;
	size_t pos = (size_t)id_hash(t->suite, t->classname, t->name) & mask;

	while (run->index[pos])
		pos = (pos + 1) & mask;
	run->index[pos] = i + 1;
}

void fg_run_reindex(struct fg_run *run)
{
	size_t cap = 64;

	while (cap < run->ntests * 2 + 2)
		cap *= 2;
	free(run->index);
	run->index = fg_xcalloc(cap, sizeof(*run->index));
	run->index_cap = cap;
	for (size_t i = 0; i < run->ntests; i++)
		index_put(run, i);
}

struct fg_test *fg_run_add_test(struct fg_run *run, const char *suite,
				const char *classname, const char *name)
{
	struct fg_test *t;

	fg_xgrow((void **)&run->tests, &run->tests_cap, run->ntests + 1,
		 sizeof(*run->tests));
	t = &run->tests[run->ntests++];
	memset(t, 0, sizeof(*t));
	t->suite = fg_xstrdup(suite ? suite : "");
	t->classname = fg_xstrdup(classname ? classname : "");
	t->name = fg_xstrdup(name ? name : "");
	if (run->ntests * 2 > run->index_cap)
		fg_run_reindex(run);
	else
		index_put(run, run->ntests - 1);
	return t;
}

struct fg_test *fg_run_find_test(struct fg_run *run, const char *suite,
				 const char *classname, const char *name)
{
	size_t mask, pos;

	suite = suite ? suite : "";
	classname = classname ? classname : "";
	name = name ? name : "";
	if (!run->index_cap)
		return NULL;
	mask = run->index_cap - 1;
	pos = (size_t)id_hash(suite, classname, name) & mask;
	for (; run->index[pos]; pos = (pos + 1) & mask) {
		struct fg_test *t = &run->tests[run->index[pos] - 1];

		if (!strcmp(t->name, name) && !strcmp(t->suite, suite) &&
		    !strcmp(t->classname, classname))
			return t;
	}
	return NULL;
}

struct fg_attempt *fg_test_add_attempt(struct fg_test *t, enum fg_astatus st,
				       int64_t duration_ms, const char *message,
				       const char *output)
{
	struct fg_attempt *a;

	fg_xgrow((void **)&t->attempts, &t->attempts_cap, t->nattempts + 1,
		 sizeof(*t->attempts));
	a = &t->attempts[t->nattempts++];
	memset(a, 0, sizeof(*a));
	a->number = (int)t->nattempts;
	a->status = st;
	a->duration_ms = duration_ms;
	a->message = fg_xstrdup(message);
	a->output = fg_xstrdup(output);
	a->beside = -1;
	return a;
}

void fg_test_settle(struct fg_test *t)
{
	const struct fg_attempt *last = NULL;
	bool any_fail = false, any_pass = false;

	/*
	 * A skipped attempt tells nothing: a retry cancelled by --max-fail or
	 * --fail-fast after a failure must not make the test "flaky" (which
	 * passes the run), so the last attempt that ran decides.
	 */
	for (size_t i = 0; i < t->nattempts; i++) {
		if (fg_astatus_is_failure(t->attempts[i].status))
			any_fail = true;
		if (fg_astatus_is_pass(t->attempts[i].status))
			any_pass = true;
		if (t->attempts[i].status != FG_A_SKIPPED)
			last = &t->attempts[i];
	}
	if (!last) {
		t->outcome = FG_O_SKIPPED;
		if (t->nattempts)
			t->duration_ms = t->attempts[t->nattempts - 1].duration_ms;
		return;
	}
	t->duration_ms = last->duration_ms;
	/*
	 * The settle rule: passed in any attempt of the run and failed in
	 * another is flaky, whatever the order, so a rerun a test did not
	 * need (its suite was retried for a neighbour) cannot turn it red;
	 * failed in every attempt it had is failed.
	 */
	if (any_fail && any_pass)
		t->outcome = FG_O_FLAKY;
	else if (fg_astatus_is_failure(last->status))
		t->outcome = FG_O_FAILED;
	else if (any_fail)
		t->outcome = FG_O_FLAKY;
	else if (last->status == FG_A_XFAILED)
		t->outcome = FG_O_XFAILED;
	else if (last->status == FG_A_XPASSED)
		t->outcome = FG_O_XPASSED;
	else
		t->outcome = FG_O_PASSED;
}

void fg_run_summarize(const struct fg_run *run, struct fg_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < run->ntests; i++) {
		sum->total++;
		switch (run->tests[i].outcome) {
		case FG_O_PASSED:
			sum->passed++;
			break;
		case FG_O_FAILED:
			sum->failed++;
			break;
		case FG_O_FLAKY:
			sum->flaky++;
			break;
		case FG_O_SKIPPED:
			sum->skipped++;
			break;
		case FG_O_QUARANTINED:
			sum->quarantined++;
			break;
		case FG_O_XFAILED:
			sum->xfailed++;
			break;
		case FG_O_XPASSED:
			sum->xpassed++;
			break;
		}
	}
}

void fg_run_add_item(struct fg_run *run, const char *id, int shard, bool ran)
{
	struct fg_run_item *it;

	fg_xgrow((void **)&run->items, &run->items_cap, run->nitems + 1,
		 sizeof(*run->items));
	it = &run->items[run->nitems++];
	it->id = fg_xstrdup(id);
	it->shard = shard;
	it->ran = ran;
}

size_t fg_run_absorb(struct fg_run *dst, struct fg_run *src)
{
	size_t failures = 0;

	for (size_t i = 0; i < src->ntests; i++) {
		struct fg_test *from = &src->tests[i];
		struct fg_test *to = fg_run_find_test(dst, from->suite,
						      from->classname,
						      from->name);

		if (!to) {
			to = fg_run_add_test(dst, from->suite, from->classname,
					     from->name);
			to->line = from->line;
		}
		if (!to->file) {
			to->file = from->file;
			from->file = NULL;
		}
		for (size_t k = 0; k < from->nattempts; k++) {
			struct fg_attempt *a = &from->attempts[k];
			struct fg_attempt *na = fg_test_add_attempt(
				to, a->status, a->duration_ms, NULL, NULL);

			failures += fg_astatus_is_failure(a->status);
			na->started_at_ms = a->started_at_ms;
			na->message = a->message;
			na->output = a->output;
			na->beside = a->beside;
			na->beside_names = a->beside_names;
			a->message = a->output = a->beside_names = NULL;
		}
	}
	return failures;
}

char *fg_uuid_new(void)
{
	unsigned char b[16];

	/* getrandom never fails for 16 bytes once the pool is ready; if it
	 * does anyway, time and pid still make a collision unlikely */
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		uint64_t t = fg_monotonic_ns() ^ (uint64_t)time(NULL) << 32;

		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(t >> (8 * (i % 8)) ^
					       (unsigned)getpid() >> (i % 4));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return fg_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			    "%02x%02x%02x%02x%02x%02x",
			    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
			    b[8], b[9], b[10], b[11], b[12], b[13], b[14],
			    b[15]);
}
