/* SPDX-License-Identifier: MIT */
/*
 * history/summary.c - per-test summaries, kept true in the transaction
 * that writes each run (issue 14): what the analysis of a run reads
 * instead of every test's recent results.
 *
 * The store does not know what a summary says: the caller's fold function
 * (history_store_set_summarizer(); cli/ sets the analyzer's) turns the old
 * text and the test's result in a run into the new text. After a run's
 * rows are in (tx_run_done), history__summary_fold():
 *   1. HS_SUMMARY_PREPARE gives each test of the run a row ('' state:
 *      none yet) and HS_SUMMARY_LOCK locks them in test_id order
 *      (PostgreSQL: two writers of the same test fold one after the
 *      other, never from the same old text);
 *   2. HQ_SUMMARY_FOLD reads each test's old text with its attempts in
 *      this run, and the fold function makes the new text;
 *   3. a test with no summary though it has other runs (a database
 *      migrated to schema 8; merge and gc drop the summaries they make
 *      untrue) is rebuilt: its newest rebuild_runs runs, this one
 *      included, folded from the raw results;
 *   4. HS_SUMMARY_PUT writes them back.
 * Without a fold function the run's tests' summaries are dropped
 * instead: a summary may be missing, never wrong. Readers treat a missing
 * one as "read the raw results".
 *
 * API: history/history.h, section "Per-test summaries".
 */
#include "history/history.h"
#include "history/internal.h"

#include <stdlib.h>
#include <string.h>

void history_store_set_summarizer(struct history_store *st,
				  history_summary_fold_fn fold, void *ctx,
				  int rebuild_runs)
{
	st->fold = fold;
	st->fold_ctx = ctx;
	st->fold_rebuild_runs = rebuild_runs > 0 ? rebuild_runs : 1;
}

static const char *cs(const struct history_row *r, size_t i)
{
	return r->c[i].null ? NULL : r->c[i].s;
}

static int64_t ci(const struct history_row *r, size_t i)
{
	return r->c[i].null ? 0 : r->c[i].i;
}

static int one_int(void *ctx, const struct history_row *r)
{
	*(int64_t *)ctx = ci(r, 0);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Folding a run in                                                        */
/* ---------------------------------------------------------------------- */

/* One test of the run: its new state, or to be rebuilt from raw results. */
struct fold_item {
	int64_t test_id;
	char *suite, *classname, *name; /* set when rebuild */
	char *state;                    /* the new state, or NULL: rebuild */
};

struct fold_ctx {
	struct history_store *st;
	const struct fg_run *run;
	int64_t run_id;
	struct fold_item *v;
	size_t n, cap;
	/* the test being read */
	bool open, rebuild;
	int64_t test_id;
	char *suite, *classname, *name, *old, *message, *sanitizer;
	int64_t duration_ms;
	enum fg_astatus *statuses;
	size_t nstatuses, scap;
	int *beside;                    /* per attempt (-1: not known) */
	char **names;                   /* per attempt, or NULL */
	size_t bcap, ncap;
};

static void cur_clear(struct fold_ctx *c)
{
	free(c->suite);
	free(c->classname);
	free(c->name);
	free(c->old);
	free(c->message);
	free(c->sanitizer);
	c->suite = c->classname = c->name = c->old = c->message = NULL;
	c->sanitizer = NULL;
	for (size_t i = 0; i < c->nstatuses; i++) {
		free(c->names[i]);
		c->names[i] = NULL;
	}
	c->nstatuses = 0;
	c->open = false;
}

static void cur_finish(struct fold_ctx *c)
{
	struct fold_item *it;

	if (!c->open)
		return;
	fg_xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	it = &c->v[c->n++];
	memset(it, 0, sizeof(*it));
	it->test_id = c->test_id;
	if (c->rebuild) {
		it->suite = c->suite;
		it->classname = c->classname;
		it->name = c->name;
		c->suite = c->classname = c->name = NULL;
	} else {
		struct history_scan_row row = {
			.test_id = c->test_id,
			.suite = c->suite, .classname = c->classname,
			.name = c->name,
			.run_id = c->run_id,
			.started_at_ms = c->run->started_at_ms,
			.commit = c->run->commit, .branch = c->run->branch,
			.duration_ms = c->duration_ms,
			.nattempts = c->nstatuses, .statuses = c->statuses,
			.message = c->message, .sanitizer = c->sanitizer,
			.beside = c->beside,
			.beside_names = (const char *const *)c->names,
		};

		bool none = !c->old || !*c->old;

		it->state = c->st->fold(c->st->fold_ctx, none ? NULL : c->old,
					&row, none);
	}
	cur_clear(c);
}

static int fold_row(void *ctx, const struct history_row *r)
{
	struct fold_ctx *c = ctx;
	enum fg_astatus s;

	if (!c->open || c->test_id != ci(r, 0)) {
		cur_finish(c);
		c->open = true;
		c->test_id = ci(r, 0);
		c->suite = fg_xstrdup(cs(r, 1));
		c->classname = fg_xstrdup(cs(r, 2));
		c->name = fg_xstrdup(cs(r, 3));
		c->old = fg_xstrdup(cs(r, 4));
		c->rebuild = (!c->old || !*c->old) && ci(r, 5) != 0;
		c->duration_ms = ci(r, 6);
	}
	if (r->c[7].null)
		return 0; /* no attempts */
	s = (enum fg_astatus)ci(r, 8);
	fg_xgrow((void **)&c->statuses, &c->scap, c->nstatuses + 1,
		 sizeof(*c->statuses));
	fg_xgrow((void **)&c->beside, &c->bcap, c->nstatuses + 1,
		 sizeof(*c->beside));
	fg_xgrow((void **)&c->names, &c->ncap, c->nstatuses + 1,
		 sizeof(*c->names));
	c->beside[c->nstatuses] = r->c[11].null ? -1 : (int)ci(r, 11);
	c->names[c->nstatuses] = r->c[12].null ? NULL : fg_xstrdup(cs(r, 12));
	c->statuses[c->nstatuses++] = s;
	if (!c->message && fg_astatus_is_failure(s) && !r->c[9].null)
		c->message = fg_xstrdup(cs(r, 9));
	if (!c->sanitizer && !r->c[10].null)
		c->sanitizer = fg_xstrdup(cs(r, 10));
	return 0;
}

struct rebuild_ctx {
	struct history_store *st;
	char *state;
	int64_t first_run;      /* the test's oldest run id */
};

static int rebuild_row(void *ctx, const struct history_scan_row *row)
{
	struct rebuild_ctx *b = ctx;
	char *next = b->st->fold(b->st->fold_ctx, b->state, row,
				 !b->state && row->run_id == b->first_run);

	free(b->state);
	b->state = next;
	return 0;
}

/* The test's summary from its newest runs' raw results (run included). */
static int rebuild(struct history_store *st, struct fold_item *it)
{
	struct rebuild_ctx b = { .st = st };
	const struct history_arg who[] = {
		HISTORY_T(it->suite), HISTORY_T(it->classname),
		HISTORY_T(it->name),
	};
	struct fg_error err = { 0 };
	int rc = st->be->query(st, HQ_FIRST_RUN, who, 3, one_int,
			       &b.first_run);

	if (rc != FG_OK)
		return rc;
	rc = history_store_scan(st, st->fold_rebuild_runs, it->suite,
				it->classname, it->name, rebuild_row, &b, &err);

	if (rc != FG_OK) {
		free(b.state);
		return rc == FG_EDB || rc == FG_EDBUNAVAIL ?
			history__note(st, rc, "%s", err.msg) : rc;
	}
	it->state = b.state ? b.state : fg_xstrdup("");
	return FG_OK;
}

int history__summary_fold(struct history_store *st, const struct fg_run *run,
			  int64_t run_id)
{
	const struct history_backend *be = st->be;
	struct history_arg id = HISTORY_I(run_id);
	struct fold_ctx c = { .st = st, .run = run, .run_id = run_id };
	int rc;

	if (!st->fold)
		return be->tx_exec(st, HS_SUMMARY_DROP_RUN, &id, 1);
	rc = be->tx_exec(st, HS_SUMMARY_PREPARE, &id, 1);
	if (rc == FG_OK)
		rc = be->tx_exec(st, HS_SUMMARY_LOCK, &id, 1);
	if (rc == FG_OK)
		rc = be->query(st, HQ_SUMMARY_FOLD, &id, 1, fold_row, &c);
	if (rc == FG_OK)
		cur_finish(&c);
	for (size_t i = 0; rc == FG_OK && i < c.n; i++) {
		struct fold_item *it = &c.v[i];
		struct history_arg put[2];

		if (!it->state && (rc = rebuild(st, it)) != FG_OK)
			break;
		put[0] = HISTORY_I(it->test_id);
		put[1] = HISTORY_T(it->state);
		rc = be->tx_exec(st, HS_SUMMARY_PUT, put, 2);
	}
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].suite);
		free(c.v[i].classname);
		free(c.v[i].name);
		free(c.v[i].state);
	}
	free(c.v);
	cur_clear(&c);
	free(c.statuses);
	free(c.beside);
	free(c.names);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */
/* ---------------------------------------------------------------------- */

static int one_text(void *ctx, const struct history_row *r)
{
	char **out = ctx;

	free(*out);
	*out = fg_xstrdup(cs(r, 0));
	return 0;
}

int history_store_summary_get(struct history_store *st, const char *suite,
			      const char *classname, const char *name,
			      char **state, struct fg_error *err)
{
	const struct history_arg args[] = {
		HISTORY_T(suite), HISTORY_T(classname ? classname : ""),
		HISTORY_T(name),
	};

	*state = NULL;
	if (st->be->query(st, HQ_SUMMARY_ONE, args, 3, one_text, state) !=
	    FG_OK) {
		free(*state);
		*state = NULL;
		return history__fail(st, "cannot read summaries from", err);
	}
	return FG_OK;
}

struct each_ctx {
	history_summary_fn fn;
	void *ctx;
};

static int each_row(void *ctx, const struct history_row *r)
{
	struct each_ctx *e = ctx;

	return e->fn(e->ctx, cs(r, 0), cs(r, 1), cs(r, 2), cs(r, 3));
}

int history_store_summary_each(struct history_store *st, history_summary_fn fn,
			       void *ctx, struct fg_error *err)
{
	struct each_ctx e = { .fn = fn, .ctx = ctx };
	int rc;

	st->fail_code = 0;
	rc = st->be->query(st, HQ_SUMMARY_ALL, NULL, 0, each_row, &e);
	if (rc != FG_OK && st->fail_code && rc == st->fail_code)
		rc = history__fail(st, "cannot read summaries from", err);
	return rc;
}

struct info_list {
	struct history_run_info *v;
	size_t n, cap;
};

static int info_row(void *ctx, const struct history_row *r)
{
	struct info_list *l = ctx;
	struct history_run_info *i;

	fg_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	i = &l->v[l->n++];
	i->id = ci(r, 0);
	i->started_at_ms = ci(r, 1);
	i->commit = fg_xstrdup(cs(r, 2));
	i->branch = fg_xstrdup(cs(r, 3));
	return 0;
}

int history_store_run_info(struct history_store *st, int64_t min_id,
			   struct history_run_info **out, size_t *n,
			   struct fg_error *err)
{
	struct info_list l = { 0 };
	struct history_arg a = HISTORY_I(min_id);

	*out = NULL;
	*n = 0;
	if (st->be->query(st, HQ_RUN_INFO, &a, 1, info_row, &l) != FG_OK) {
		history_run_info_free(l.v, l.n);
		return history__fail(st, "cannot read runs from", err);
	}
	*out = l.v;
	*n = l.n;
	return FG_OK;
}

void history_run_info_free(struct history_run_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].commit);
		free(v[i].branch);
	}
	free(v);
}


int history_store_count_tests(struct history_store *st, size_t *n,
			      struct fg_error *err)
{
	int64_t v = 0;

	if (st->be->query(st, HQ_COUNT_TESTS, NULL, 0, one_int, &v) != FG_OK)
		return history__fail(st, "cannot count tests in", err);
	*n = (size_t)v;
	return FG_OK;
}

int history_store_latest_run_id(struct history_store *st, int64_t *id,
				struct fg_error *err)
{
	*id = 0;
	if (st->be->query(st, HQ_LATEST_RUN_ID, NULL, 0, one_int, id) != FG_OK)
		return history__fail(st, "cannot read runs from", err);
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Replacing them all (analyze --rebuild)                                  */
/* ---------------------------------------------------------------------- */

static int replace_once(struct history_store *st, int64_t latest, bool all,
			const struct history_summary_put *v, size_t n,
			bool *written)
{
	const struct history_backend *be = st->be;
	int64_t now = 0;
	int rc = be->tx_begin(st);

	*written = false;
	if (rc == FG_OK)
		rc = be->query(st, HQ_LATEST_RUN_ID, NULL, 0, one_int, &now);
	if (rc != FG_OK || now != latest) {
		be->tx_end(st, false);
		return rc;
	}
	if (all)
		rc = be->tx_exec(st, HS_SUMMARY_CLEAR, NULL, 0);
	for (size_t i = 0; rc == FG_OK && i < n; i++) {
		const struct history_arg a[] = {
			HISTORY_T(v[i].suite),
			HISTORY_T(v[i].classname ? v[i].classname : ""),
			HISTORY_T(v[i].name), HISTORY_T(v[i].state),
		};

		rc = be->tx_exec(st, HS_SUMMARY_PUT_NAMED, a, 4);
	}
	if (rc == FG_OK && (rc = be->tx_end(st, true)) == FG_OK)
		*written = true;
	else
		be->tx_end(st, false);
	return rc;
}

int history_store_summary_replace(struct history_store *st,
				  int64_t latest_run_id, bool all,
				  const struct history_summary_put *v, size_t n,
				  bool *written, struct fg_error *err)
{
	int rc;

	for (int attempt = 0; attempt < 5; attempt++) {
		rc = replace_once(st, latest_run_id, all, v, n, written);
		if (rc != HISTORY_RETRY)
			break;
	}
	if (rc == HISTORY_RETRY)
		st->fail_code = FG_EDB;
	if (rc != FG_OK)
		return history__fail(st, "cannot write summaries to", err);
	return FG_OK;
}
