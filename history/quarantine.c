/* SPDX-License-Identifier: MIT */
/*
 * history/quarantine.c - what the analyzer reads and writes: a streaming
 * scan of every test's recent runs, and the quarantine table. Backend-
 * neutral: the SQL is the backends' (HQ_SCAN_*, HQ_QUARANTINE_LIST, and
 * their tx_quarantine()).
 *
 * The scan reads one row per attempt (run_tests joined with its results)
 * and folds the attempts of one (test, run) into one history_scan_row, so
 * the analyzer sees runs, not attempts. Only the newest N runs of a test
 * are read.
 *
 * The quarantine table keeps its history: an entry is never deleted, it is
 * ended (released_at, released_reason), and at most one entry per test is
 * active (a partial unique index enforces it). Every change is a
 * struct history_quarantine_change applied in a write transaction, so it
 * checks and changes the active entry atomically on either backend.
 *
 * API: history/history.h, section "Analysis scan and quarantine table".
 */
#include "history/history.h"
#include "history/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* The scan                                                                */
/* ---------------------------------------------------------------------- */

static const char *cs(const struct history_row *r, size_t i)
{
	return r->c[i].null ? NULL : r->c[i].s;
}

static int64_t ci(const struct history_row *r, size_t i)
{
	return r->c[i].null ? 0 : r->c[i].i;
}

/* The row being folded; strings are copies (column text dies at step). */
struct scan_acc {
	struct history_scan_row row;
	char *suite, *classname, *name, *commit, *branch, *message;
	char *sanitizer;
	enum fg_astatus *statuses;
	int *beside;
	char **beside_names;
	size_t cap, ncap, bcap;
	bool open;
};

static void acc_clear(struct scan_acc *a)
{
	free(a->suite);
	free(a->classname);
	free(a->name);
	free(a->commit);
	free(a->branch);
	free(a->message);
	free(a->sanitizer);
	for (size_t i = 0; i < a->row.nattempts; i++) {
		free(a->beside_names[i]);
		a->beside_names[i] = NULL;
	}
	a->suite = a->classname = a->name = NULL;
	a->commit = a->branch = a->message = a->sanitizer = NULL;
	a->row.nattempts = 0;
	a->open = false;
}

static void acc_start(struct scan_acc *a, const struct history_row *r)
{
	acc_clear(a);
	a->row.test_id = ci(r, 0);
	a->suite = fg_xstrdup(cs(r, 1));
	a->classname = fg_xstrdup(cs(r, 2));
	a->name = fg_xstrdup(cs(r, 3));
	a->row.run_id = ci(r, 4);
	a->row.started_at_ms = ci(r, 5);
	a->commit = fg_xstrdup(cs(r, 6));
	a->branch = fg_xstrdup(cs(r, 7));
	a->row.outcome = (enum fg_outcome)ci(r, 8);
	a->row.duration_ms = ci(r, 9);
	a->open = true;
}

static void acc_attempt(struct scan_acc *a, const struct history_row *r)
{
	enum fg_astatus st;

	if (r->c[10].null)
		return; /* a run_tests row without results */
	st = (enum fg_astatus)ci(r, 11);
	fg_xgrow((void **)&a->statuses, &a->cap, a->row.nattempts + 1,
		 sizeof(*a->statuses));
	fg_xgrow((void **)&a->beside, &a->bcap, a->row.nattempts + 1,
		 sizeof(*a->beside));
	fg_xgrow((void **)&a->beside_names, &a->ncap, a->row.nattempts + 1,
		 sizeof(*a->beside_names));
	a->beside[a->row.nattempts] = r->n <= 15 || r->c[14].null ? -1 :
					(int)ci(r, 14);
	a->beside_names[a->row.nattempts] = r->n > 15 ? fg_xstrdup(cs(r, 15)) :
							  NULL;
	a->statuses[a->row.nattempts++] = st;
	if (!a->message && fg_astatus_is_failure(st) && !r->c[12].null)
		a->message = fg_xstrdup(cs(r, 12));
	if (!a->sanitizer && r->n > 13 && !r->c[13].null)
		a->sanitizer = fg_xstrdup(cs(r, 13));
}

static int acc_emit(struct scan_acc *a, history_scan_fn fn, void *ctx)
{
	a->row.suite = a->suite;
	a->row.classname = a->classname;
	a->row.name = a->name;
	a->row.commit = a->commit;
	a->row.branch = a->branch;
	a->row.message = a->message;
	a->row.sanitizer = a->sanitizer;
	a->row.statuses = a->statuses;
	a->row.beside = a->beside;
	a->row.beside_names = (const char *const *)a->beside_names;
	return fn(ctx, &a->row);
}

struct scan_ctx {
	struct scan_acc a;
	history_scan_fn fn;
	void *ctx;
};

static int scan_row(void *ctx, const struct history_row *r)
{
	struct scan_ctx *c = ctx;
	int cb;

	if (!c->a.open || c->a.row.test_id != ci(r, 0) ||
	    c->a.row.run_id != ci(r, 4)) {
		if (c->a.open && (cb = acc_emit(&c->a, c->fn, c->ctx)))
			return cb;
		acc_start(&c->a, r);
	}
	acc_attempt(&c->a, r);
	return 0;
}

int history_store_scan(struct history_store *st, int max_runs,
		       const char *suite, const char *classname,
		       const char *name, history_scan_fn fn, void *ctx,
		       struct fg_error *err)
{
	struct scan_ctx c = { .fn = fn, .ctx = ctx };
	const struct history_arg args[] = {
		HISTORY_I(max_runs < 1 ? 1 : max_runs),
		HISTORY_T(suite),
		HISTORY_T(classname ? classname : ""),
		HISTORY_T(name),
	};
	int rc;

	/* A failing callback's value goes back as it is; the store's gets
	 * a message. The two cannot be told apart by value alone. */
	st->fail_code = 0;
	rc = st->be->query(st, suite ? HQ_SCAN_ONE : HQ_SCAN_ALL, args,
			   suite ? 4 : 1, scan_row, &c);
	if (rc == FG_OK && c.a.open)
		rc = acc_emit(&c.a, fn, ctx);
	else if (rc != FG_OK && st->fail_code && rc == st->fail_code)
		rc = history__fail(st, "cannot scan", err);
	acc_clear(&c.a);
	free(c.a.statuses);
	free(c.a.beside);
	free(c.a.beside_names);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The quarantine table                                                    */
/* ---------------------------------------------------------------------- */

void history_quarantine_clear(struct history_quarantine *q)
{
	free(q->suite);
	free(q->classname);
	free(q->name);
	free(q->reason);
	free(q->source);
	free(q->owner);
	free(q->issue);
	free(q->mode);
	free(q->evidence);
	free(q->released_reason);
	memset(q, 0, sizeof(*q));
}

void history_quarantine_list_release(struct history_quarantine_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		history_quarantine_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void history_quarantine_copy(struct history_quarantine *dst,
			     const struct history_quarantine *src)
{
	*dst = *src;
	dst->suite = fg_xstrdup(src->suite);
	dst->classname = fg_xstrdup(src->classname ? src->classname : "");
	dst->name = fg_xstrdup(src->name);
	dst->reason = fg_xstrdup(src->reason);
	dst->source = fg_xstrdup(src->source);
	dst->owner = fg_xstrdup(src->owner);
	dst->issue = fg_xstrdup(src->issue);
	dst->mode = fg_xstrdup(src->mode);
	dst->evidence = fg_xstrdup(src->evidence);
	dst->released_reason = fg_xstrdup(src->released_reason);
}

static int list_row(void *ctx, const struct history_row *r)
{
	struct history_quarantine_list *out = ctx;
	struct history_quarantine *q;

	fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
		 sizeof(*out->items));
	q = &out->items[out->n++];
	memset(q, 0, sizeof(*q));
	q->suite = fg_xstrdup(cs(r, 0));
	q->classname = fg_xstrdup(cs(r, 1));
	q->name = fg_xstrdup(cs(r, 2));
	q->since_ms = ci(r, 3);
	q->reason = fg_xstrdup(cs(r, 4));
	q->source = fg_xstrdup(cs(r, 5));
	q->owner = fg_xstrdup(cs(r, 6));
	q->expires_ms = ci(r, 7);
	q->issue = fg_xstrdup(cs(r, 8));
	q->mode = fg_xstrdup(cs(r, 9));
	q->evidence = fg_xstrdup(cs(r, 10));
	q->released_ms = ci(r, 11);
	q->released_reason = fg_xstrdup(cs(r, 12));
	return 0;
}

int history_quarantine_list(struct history_store *st, bool all,
			    struct history_quarantine_list *out,
			    struct fg_error *err)
{
	struct history_arg a = HISTORY_I(all);

	memset(out, 0, sizeof(*out));
	if (st->be->query(st, HQ_QUARANTINE_LIST, &a, 1, list_row, out) !=
	    FG_OK) {
		history_quarantine_list_release(out);
		return history__fail(st, "cannot read quarantine in", err);
	}
	return FG_OK;
}

/* Changes in a transaction of their own (retried as a run is). */
static int apply(struct history_store *st, struct history_quarantine_change *c,
		 size_t n)
{
	int rc = HISTORY_RETRY;

	for (int attempt = 0; rc == HISTORY_RETRY && attempt < 8; attempt++) {
		rc = st->be->tx_begin(st);
		for (size_t i = 0; rc == FG_OK && i < n; i++)
			rc = st->be->tx_quarantine(st, &c[i]);
		if (rc == FG_OK)
			rc = st->be->tx_end(st, true);
		else
			st->be->tx_end(st, false);
	}
	if (rc == HISTORY_RETRY)
		st->fail_code = FG_EDB;
	if (rc != FG_OK)
		for (size_t i = 0; i < n; i++)
			c[i].applied = false;
	return rc;
}

static int cmp_change(const void *a, const void *b)
{
	const struct history_quarantine *x =
		((const struct history_quarantine_change *)a)->q;
	const struct history_quarantine *y =
		((const struct history_quarantine_change *)b)->q;
	int k = strcmp(x->suite, y->suite);

	if (!k)
		k = strcmp(x->classname ? x->classname : "",
			   y->classname ? y->classname : "");
	return k ? k : strcmp(x->name, y->name);
}

int history_quarantine_apply(struct history_store *st,
			     struct history_quarantine_change *c, size_t n,
			     struct fg_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].op != HISTORY_Q_END &&
		    (!c[i].q->reason || !*c[i].q->reason))
			return fg_fail(err, FG_EINVAL, "quarantine of '%s' "
				       "needs a reason", c[i].q->name);
	/* Identity order: lockers never wait on each other in a circle. */
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_change);
	if (apply(st, c, n) != FG_OK)
		return history__fail(st, "cannot change quarantine in", err);
	return FG_OK;
}

int history_quarantine_add(struct history_store *st,
			   const struct history_quarantine *q,
			   struct fg_error *err)
{
	struct history_quarantine_change c = {
		.op = HISTORY_Q_REPLACE, .q = q,
	};
	char what[320];

	if (!q->reason || !*q->reason)
		return fg_fail(err, FG_EINVAL, "quarantine of '%s' needs a "
			       "reason", q->name);
	if (apply(st, &c, 1) != FG_OK) {
		snprintf(what, sizeof(what), "cannot quarantine '%.200s' in",
			 q->name);
		return history__fail(st, what, err);
	}
	return FG_OK;
}

int history_quarantine_remove(struct history_store *st, const char *suite,
			      const char *classname, const char *name,
			      int64_t when_ms, const char *why, bool *removed,
			      struct fg_error *err)
{
	const struct history_quarantine id = {
		.suite = (char *)suite,
		.classname = (char *)(classname ? classname : ""),
		.name = (char *)name,
	};
	struct history_quarantine_change c = {
		.op = HISTORY_Q_END, .q = &id, .when_ms = when_ms, .why = why,
	};
	char what[320];

	if (apply(st, &c, 1) != FG_OK) {
		snprintf(what, sizeof(what), "cannot release '%.200s' in",
			 name);
		return history__fail(st, what, err);
	}
	if (removed)
		*removed = c.applied;
	return FG_OK;
}
