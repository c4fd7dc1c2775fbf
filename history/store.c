/* SPDX-License-Identifier: MIT */
/*
 * history/store.c - the history store's public API, the same for both
 * backends (history/store_sqlite.c, history/store_pg.c): which backend a
 * `where` means, the write transaction and its retries, streamed runs
 * (through history/stage.c), and turning rows into records (durations,
 * a test's history, a run, test identities). Merge between any two
 * backends lives here too; SQLite into SQLite takes the backend's faster
 * native path.
 *
 * Nothing here knows SQL: reads go through the backend's query() with a
 * query id (history/internal.h), writes through its tx_* operations.
 */
#include "history/history.h"
#include "history/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How often a transient conflict (PostgreSQL) is retried before giving up. */
#define STORE_RETRIES 8

int history_store_schema_version(void)
{
	return HISTORY_SCHEMA_VERSION;
}

/* ====================================================================== */
/* Errors                                                                  */
/* ====================================================================== */

int history__note(struct history_store *st, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->fail_msg, sizeof(st->fail_msg), fmt, ap);
	va_end(ap);
	st->fail_code = code;
	return code;
}

int history__fail(struct history_store *st, const char *what,
		  struct fg_error *err)
{
	int code = st->fail_code == FG_EDBUNAVAIL ? FG_EDBUNAVAIL : FG_EDB;

	return fg_fail(err, code, "%s '%s': %s", what, st->name,
		       st->fail_msg[0] ? st->fail_msg : "unknown error");
}

/* ====================================================================== */
/* Opening and closing                                                     */
/* ====================================================================== */

bool history_store_is_url(const char *where)
{
	return where && (!strncmp(where, "postgresql://", 13) ||
			 !strncmp(where, "postgres://", 11));
}

bool history_store_url_has_password(const char *where)
{
	return history_store_is_url(where) &&
	       history__pg_url_has_password(where);
}

char *history_store_label(const char *where)
{
	return history_store_is_url(where) ? history__pg_label(where) :
					     fg_xstrdup(where ? where : "");
}

int history_store_open_with(const char *where,
			    const struct history_open_opts *o,
			    struct history_store **out, struct fg_error *err)
{
	static const struct history_open_opts defaults = { 0 };
	struct history_store *st;
	bool missing = false;
	int rc;

	*out = NULL;
	if (!o)
		o = &defaults;
	if (!where || !*where)
		return fg_fail(err, FG_EDB, "history database path is empty");
	st = fg_xcalloc(1, sizeof(*st));
	st->be = history_store_is_url(where) ? &history__pg : &history__sqlite;
	st->where = fg_xstrdup(where);
	st->name = history_store_label(where);
	st->lock_timeout_ms = o->lock_timeout_ms > 0 ? o->lock_timeout_ms :
						      HISTORY_LOCK_TIMEOUT_MS;
	st->waiting = o->waiting;
	st->waiting_ctx = o->waiting_ctx;
	rc = st->be->open(st, o, &missing, err);
	if (rc != FG_OK || missing) {
		history_store_close(st);
		return rc;
	}
	*out = st;
	return FG_OK;
}

int history_store_open(const char *where, struct history_store **out,
		       struct fg_error *err)
{
	return history_store_open_with(where, NULL, out, err);
}

int history_store_open_readonly(const char *where, struct history_store **out,
				struct fg_error *err)
{
	const struct history_open_opts o = { .mode = HISTORY_OPEN_READONLY };

	return history_store_open_with(where, &o, out, err);
}

void history_store_close(struct history_store *st)
{
	if (!st)
		return;
	history__stage_free(st->stage);
	st->be->close(st);
	free(st->where);
	free(st->name);
	free(st);
}

const char *history_store_name(const struct history_store *st)
{
	return st->name;
}

const char *history_store_backend(const struct history_store *st)
{
	return st->be->name;
}

/* ====================================================================== */
/* Writing                                                                 */
/* ====================================================================== */

/* Where the tests of a run come from: memory, or the stage. */
struct run_source {
	const struct fg_run *run;     /* its tests, when stage is NULL */
	struct history_stage *stage;
};

struct feed {
	struct history_store *st;
	const struct fg_test *failed; /* the test whose write failed */
};

static int feed_test(void *ctx, const struct fg_test *t)
{
	struct feed *f = ctx;
	int rc = f->st->be->tx_test(f->st, t);

	if (rc != FG_OK)
		f->failed = t;
	return rc;
}

/* Formats a write failure; the test named when one is involved. */
static int write_fail(struct history_store *st, const struct fg_test *t,
		      struct fg_error *err)
{
	int code = st->fail_code == FG_EDBUNAVAIL ? FG_EDBUNAVAIL : FG_EDB;

	if (!t)
		return fg_fail(err, code, "cannot write run to '%s': %s",
			       st->name, st->fail_msg);
	return fg_fail(err, code, "cannot write run to '%s': test "
		       "'%s/%s/%s': %s", st->name, t->suite, t->classname,
		       t->name, st->fail_msg);
}

/* One attempt at the whole transaction. */
static int write_once(struct history_store *st, struct fg_run *run,
		      const struct run_source *src,
		      struct history_quarantine_change *qc, size_t nqc,
		      int64_t *id, struct fg_error *err)
{
	const struct history_backend *be = st->be;
	struct feed f = { .st = st };
	size_t added;
	int rc;

	if ((rc = be->tx_begin(st)) != FG_OK) {
		be->tx_end(st, false);
		return rc == HISTORY_RETRY ? rc : write_fail(st, NULL, err);
	}
	rc = be->tx_run(st, run, id);
	if (rc == FG_OK && src->stage) {
		rc = history__stage_each(src->stage, feed_test, &f, err);
		if (rc == FG_EIO) {
			be->tx_end(st, false);
			return history__note(st, FG_EIO, "%s", err->msg);
		}
	}
	for (size_t i = 0; rc == FG_OK && !src->stage && i < run->ntests; i++)
		rc = feed_test(&f, &run->tests[i]);
	if (rc == FG_OK)
		rc = be->tx_run_done(st, &added);
	if (rc == FG_OK)
		rc = history__summary_fold(st, run, *id);
	for (size_t i = 0; rc == FG_OK && i < nqc; i++)
		rc = be->tx_quarantine(st, &qc[i]);
	if (rc == FG_OK)
		rc = be->tx_end(st, true);
	else
		be->tx_end(st, false);
	if (rc != FG_OK && rc != HISTORY_RETRY && rc != FG_EIO)
		write_fail(st, f.failed, err);
	return rc;
}

static int cmp_change(const void *a, const void *b)
{
	const struct history_quarantine *x =
		((const struct history_quarantine_change *)a)->q;
	const struct history_quarantine *y =
		((const struct history_quarantine_change *)b)->q;
	int c = strcmp(x->suite, y->suite);

	if (!c)
		c = strcmp(x->classname ? x->classname : "",
			   y->classname ? y->classname : "");
	return c ? c : strcmp(x->name, y->name);
}

/* Short sleeps between retries, a little longer each time. */
static void retry_pause(int attempt)
{
	struct timespec ts = { 0, (long)(10 + 40 * attempt) * 1000000L };

	nanosleep(&ts, NULL);
}

static int write_run_from(struct history_store *st, struct fg_run *run,
			  const struct run_source *src,
			  struct history_quarantine_change *qc, size_t nqc,
			  struct fg_error *err)
{
	int64_t id = 0;
	int rc;

	run->id = 0;
	if (!run->uuid)
		run->uuid = fg_uuid_new();
	/*
	 * Changes in identity order: every writer takes the per-test locks
	 * (PostgreSQL) in the same order, so two cannot deadlock on them.
	 */
	if (nqc > 1)
		qsort(qc, nqc, sizeof(*qc), cmp_change);
	for (int attempt = 0;; attempt++) {
		for (size_t i = 0; i < nqc; i++)
			qc[i].applied = false;
		rc = write_once(st, run, src, qc, nqc, &id, err);
		if (rc != HISTORY_RETRY)
			break;
		if (attempt + 1 >= STORE_RETRIES) {
			st->fail_code = FG_EDB;
			return write_fail(st, NULL, err);
		}
		fg_log(FG_LOG_DEBUG, "history", "'%s': %s; writing the run "
		       "again", st->name, st->fail_msg);
		retry_pause(attempt);
	}
	if (rc != FG_OK) {
		for (size_t i = 0; i < nqc; i++)
			qc[i].applied = false;
		return rc;
	}
	run->id = id;
	return FG_OK;
}

int history_store_record_run(struct history_store *st, struct fg_run *run,
			     struct history_quarantine_change *qc, size_t nqc,
			     struct fg_error *err)
{
	const struct run_source src = { .run = run };

	return write_run_from(st, run, &src, qc, nqc, err);
}

int history_store_write_run(struct history_store *st, struct fg_run *run,
			    struct fg_error *err)
{
	return history_store_record_run(st, run, NULL, 0, err);
}

/* ---------------------------------------------------------------------- */
/* Streamed runs                                                           */
/* ---------------------------------------------------------------------- */

int history_store_run_begin(struct history_store *st, struct fg_run *run,
			    bool merge, struct fg_error *err)
{
	if (st->stage)
		FG_BUG("history_store_run_begin: a run is already open");
	if (!run->uuid)
		run->uuid = fg_uuid_new();
	run->id = 0;
	return history__stage_new(merge, &st->stage, err);
}

int history_store_run_add_test(struct history_store *st,
			       const struct fg_test *t, struct fg_error *err)
{
	int rc;

	if (!st->stage)
		FG_BUG("history_store_run_add_test: no run open");
	rc = history__stage_add(st->stage, t, err);
	/* A duplicate without merge: the same words as a direct write. */
	if (rc == FG_EDB) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		return fg_fail(err, FG_EDB, "cannot write run to '%s': %s",
			       st->name, why);
	}
	return rc;
}

int history_store_run_mark(struct history_store *st, struct fg_error *err)
{
	if (!st->stage)
		FG_BUG("history_store_run_mark: no run open");
	return history__stage_mark(st->stage, err);
}

int history_store_run_rewind(struct history_store *st, struct fg_error *err)
{
	if (!st->stage)
		FG_BUG("history_store_run_rewind: no run open");
	return history__stage_rewind(st->stage, err);
}

void history_store_run_summary(const struct history_store *st,
			       struct fg_summary *sum, struct fg_summary *part)
{
	struct fg_summary none = { 0 };

	if (!st->stage) {
		if (sum)
			*sum = none;
		if (part)
			*part = none;
		return;
	}
	history__stage_summary(st->stage, sum, part);
}

int history_store_run_each(struct history_store *st,
			   int (*fn)(void *ctx, const struct fg_test *t),
			   void *ctx, struct fg_error *err)
{
	if (!st->stage)
		FG_BUG("history_store_run_each: no run open");
	return history__stage_each(st->stage, fn, ctx, err);
}

int history_store_run_set_outcome(struct history_store *st,
				  const struct fg_test *t, enum fg_outcome o,
				  struct fg_error *err)
{
	if (!st->stage)
		FG_BUG("history_store_run_set_outcome: no run open");
	return history__stage_set_outcome(st->stage, t, o, err);
}

int history_store_run_record_end(struct history_store *st, struct fg_run *run,
				 struct history_quarantine_change *qc,
				 size_t nqc, struct fg_error *err)
{
	struct run_source src = { .run = run, .stage = st->stage };
	int rc;

	if (!st->stage)
		return fg_fail(err, FG_EDB, "cannot write run to '%s': no run "
			       "open", st->name);
	rc = write_run_from(st, run, &src, qc, nqc, err);
	history__stage_free(st->stage);
	st->stage = NULL;
	return rc;
}

int history_store_run_end(struct history_store *st, struct fg_run *run,
			  bool commit, struct fg_error *err)
{
	if (commit)
		return history_store_run_record_end(st, run, NULL, 0, err);
	run->id = 0;
	history__stage_free(st->stage);
	st->stage = NULL;
	return FG_OK;
}

/* ====================================================================== */
/* Queries                                                                 */
/* ====================================================================== */

static const char *cell_s(const struct history_row *r, size_t i)
{
	return r->c[i].null ? NULL : r->c[i].s;
}

static int64_t cell_i(const struct history_row *r, size_t i)
{
	return r->c[i].null ? 0 : r->c[i].i;
}

static char *cell_dup(const struct history_row *r, size_t i)
{
	return fg_xstrdup(cell_s(r, i));
}

/* ---------------------------------------------------------------------- */
/* Durations                                                               */
/* ---------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct dur_fold {
	struct history_durations *out;
	int64_t *buf;
	int window, n;
	char *suite, *classname, *name; /* the test being folded */
};

static void dur_flush(struct dur_fold *f)
{
	struct history_duration *e;

	if (!f->n)
		return;
	qsort(f->buf, (size_t)f->n, sizeof(*f->buf), cmp_i64);
	fg_xgrow((void **)&f->out->items, &f->out->cap, f->out->n + 1,
		 sizeof(*f->out->items));
	e = &f->out->items[f->out->n++];
	e->suite = f->suite;
	e->classname = f->classname;
	e->name = f->name;
	e->median_ms = f->buf[(f->n - 1) / 2];
	e->samples = f->n;
	f->suite = f->classname = f->name = NULL;
	f->n = 0;
}

static int dur_row(void *ctx, const struct history_row *r)
{
	struct dur_fold *f = ctx;

	if (!f->n || strcmp(f->suite, cell_s(r, 0)) ||
	    strcmp(f->classname, cell_s(r, 1)) || strcmp(f->name, cell_s(r, 2))) {
		dur_flush(f);
		f->suite = cell_dup(r, 0);
		f->classname = cell_dup(r, 1);
		f->name = cell_dup(r, 2);
	}
	if (f->n < f->window)
		f->buf[f->n++] = cell_i(r, 3);
	return 0;
}

int history_store_durations(struct history_store *st, int window,
			    struct history_durations *out, struct fg_error *err)
{
	struct dur_fold f = { .out = out };
	int rc;

	f.window = window < 1 ? 1 : window;
	f.buf = fg_xcalloc((size_t)f.window, sizeof(*f.buf));
	rc = st->be->durations(st, f.window, dur_row, &f);
	if (rc == FG_OK)
		dur_flush(&f);
	free(f.suite);
	free(f.classname);
	free(f.name);
	free(f.buf);
	if (rc != FG_OK) {
		history_durations_release(out);
		return history__fail(st, "cannot read durations from", err);
	}
	return FG_OK;
}

static int cmp_identity(const char *suite, const char *classname,
			const char *name, const struct history_duration *e)
{
	int c = strcmp(suite, e->suite);

	if (!c)
		c = strcmp(classname, e->classname);
	return c ? c : strcmp(name, e->name);
}

const struct history_duration *
history_durations_find(const struct history_durations *d, const char *suite,
		       const char *classname, const char *name)
{
	size_t lo = 0, hi = d->n;

	if (!classname)
		classname = "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_identity(suite, classname, name, &d->items[mid]);

		if (!c)
			return &d->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void history_durations_release(struct history_durations *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].suite);
		free(d->items[i].classname);
		free(d->items[i].name);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

/* ---------------------------------------------------------------------- */
/* A test's history                                                        */
/* ---------------------------------------------------------------------- */

static int history_row(void *ctx, const struct history_row *r)
{
	struct history_test_history *h = ctx;
	struct history_attempt_rec *e;

	fg_xgrow((void **)&h->items, &h->cap, h->n + 1, sizeof(*h->items));
	e = &h->items[h->n++];
	memset(e, 0, sizeof(*e));
	e->run_id = cell_i(r, 0);
	e->run_started_at_ms = cell_i(r, 1);
	e->commit = cell_dup(r, 2);
	e->branch = cell_dup(r, 3);
	e->outcome = (enum fg_outcome)cell_i(r, 4);
	e->attempt.number = (int)cell_i(r, 5);
	e->attempt.status = (enum fg_astatus)cell_i(r, 6);
	e->attempt.started_at_ms = cell_i(r, 7);
	e->attempt.duration_ms = cell_i(r, 8);
	e->attempt.message = cell_dup(r, 9);
	e->attempt.output = cell_dup(r, 10);
	return 0;
}

int history_store_test_history(struct history_store *st, const char *suite,
			       const char *classname, const char *name,
			       size_t limit, struct history_test_history *out,
			       struct fg_error *err)
{
	const struct history_arg args[] = {
		HISTORY_T(suite ? suite : ""),
		HISTORY_T(classname ? classname : ""),
		HISTORY_T(name ? name : ""),
		HISTORY_I(limit > INT64_MAX ? INT64_MAX : (int64_t)limit),
	};

	if (st->be->query(st, HQ_TEST_HISTORY, args, 4, history_row, out) !=
	    FG_OK) {
		history_test_history_release(out);
		return history__fail(st, "cannot read test history from", err);
	}
	return FG_OK;
}

void history_test_history_release(struct history_test_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->items[i].commit);
		free(h->items[i].branch);
		free(h->items[i].attempt.message);
		free(h->items[i].attempt.output);
	}
	free(h->items);
	memset(h, 0, sizeof(*h));
}

/* ---------------------------------------------------------------------- */
/* Loading a run back                                                      */
/* ---------------------------------------------------------------------- */

struct load {
	struct fg_run *out;
	bool found;
	struct fg_test *t;   /* the test being filled */
	int64_t test_id;
};

static int load_meta_row(void *ctx, const struct history_row *r)
{
	struct load *l = ctx;
	struct fg_run *out = l->out;

	out->id = cell_i(r, 0);
	out->started_at_ms = cell_i(r, 1);
	out->duration_ms = cell_i(r, 2);
	out->commit = cell_dup(r, 3);
	out->branch = cell_dup(r, 4);
	out->host = cell_dup(r, 5);
	out->ci_job = cell_dup(r, 6);
	out->shard = cell_dup(r, 7);
	out->exit_code = (int)cell_i(r, 8);
	out->interrupted = cell_i(r, 9) != 0;
	out->uuid = cell_dup(r, 10);
	out->selection = cell_dup(r, 11);
	l->found = true;
	return 0;
}

/* Rows come grouped by test: a new test_id starts a new struct fg_test. */
static int load_test_row(void *ctx, const struct history_row *r)
{
	struct load *l = ctx;

	if (!l->t || cell_i(r, 7) != l->test_id) {
		l->t = fg_run_add_test(l->out, cell_s(r, 0), cell_s(r, 1),
				       cell_s(r, 2));
		l->t->file = cell_dup(r, 3);
		l->t->line = (int)cell_i(r, 4);
		l->t->outcome = (enum fg_outcome)cell_i(r, 5);
		l->t->duration_ms = cell_i(r, 6);
		l->test_id = cell_i(r, 7);
	}
	if (!r->c[8].null) {
		struct fg_attempt *a = fg_test_add_attempt(
			l->t, (enum fg_astatus)cell_i(r, 9), cell_i(r, 10),
			NULL, NULL);

		a->number = (int)cell_i(r, 8);
		a->started_at_ms = cell_i(r, 11);
		a->message = cell_dup(r, 12);
		a->output = cell_dup(r, 13);
		a->beside = r->c[14].null ? -1 : (int)cell_i(r, 14);
		a->beside_names = cell_dup(r, 15);
	}
	return 0;
}

int history_store_load_run(struct history_store *st, int64_t run_id,
			   struct fg_run *out, struct fg_error *err)
{
	struct load l = { .out = out };
	struct history_arg id = HISTORY_I(run_id);
	int rc, status = FG_OK;

	fg_run_init(out);
	/* One read snapshot: the run and its tests as of one moment. */
	st->be->read_begin(st);
	rc = st->be->query(st, run_id ? HQ_LOAD_RUN : HQ_LOAD_LATEST, &id,
			   run_id ? 1 : 0, load_meta_row, &l);
	if (rc == FG_OK && l.found) {
		id = HISTORY_I(out->id);
		rc = st->be->query(st, HQ_LOAD_TESTS, &id, 1, load_test_row, &l);
	}
	st->be->read_end(st);
	if (rc != FG_OK)
		status = history__fail(st, "cannot load run from", err);
	else if (!l.found && run_id)
		status = fg_fail(err, FG_EINVAL, "no run %lld in '%s'",
				 (long long)run_id, st->name);
	else if (!l.found)
		status = fg_fail(err, FG_EINVAL, "no run in '%s' (the "
				 "history is empty)", st->name);
	if (status != FG_OK) {
		fg_run_release(out);
		fg_run_init(out);
	}
	return status;
}

/* ---------------------------------------------------------------------- */
/* Finding a test by what a user types                                     */
/* ---------------------------------------------------------------------- */

static int ids_row(void *ctx, const struct history_row *r)
{
	struct history_test_ids *out = ctx;
	struct history_test_id *e;

	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->items[i].suite, cell_s(r, 0)) &&
		    !strcmp(out->items[i].classname, cell_s(r, 1)) &&
		    !strcmp(out->items[i].name, cell_s(r, 2)))
			return 0;
	fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
		 sizeof(*out->items));
	e = &out->items[out->n++];
	e->suite = cell_dup(r, 0);
	e->classname = cell_dup(r, 1);
	e->name = cell_dup(r, 2);
	e->rank = (int)cell_i(r, 3);
	return 0;
}

/* Candidates whose name is spec + off and whose prefix is spec[0..plen). */
static int find_split(struct history_store *st, const char *spec,
		      size_t plen, size_t off, struct history_test_ids *out)
{
	char *prefix = off ? fg_xstrndup(spec, plen) : NULL;
	const struct history_arg args[] = {
		HISTORY_T(prefix), HISTORY_T(spec + off),
	};
	int rc = st->be->query(st, HQ_FIND_BY_NAME, args, 2, ids_row, out);

	free(prefix);
	return rc;
}

int history_store_find_tests(struct history_store *st, const char *spec,
			     struct history_test_ids *out,
			     struct fg_error *err)
{
	int rc = find_split(st, spec, 0, 0, out);

	/* Every "::" may end the prefix: names may hold "::" themselves. */
	for (const char *p = strstr(spec, "::"); rc == FG_OK && p;
	     p = strstr(p + 1, "::"))
		rc = find_split(st, spec, (size_t)(p - spec),
				(size_t)(p - spec) + 2, out);
	if (rc != FG_OK) {
		history_test_ids_release(out);
		return history__fail(st, "cannot look tests up in", err);
	}
	return FG_OK;
}

void history_test_ids_release(struct history_test_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++) {
		free(ids->items[i].suite);
		free(ids->items[i].classname);
		free(ids->items[i].name);
	}
	free(ids->items);
	memset(ids, 0, sizeof(*ids));
}

/* ---------------------------------------------------------------------- */
/* Runs                                                                    */
/* ---------------------------------------------------------------------- */

static int one_int(void *ctx, const struct history_row *r)
{
	*(int64_t *)ctx = cell_i(r, 0);
	return 0;
}

int history_store_count_runs(struct history_store *st, int64_t *n,
			     struct fg_error *err)
{
	*n = 0;
	if (st->be->query(st, HQ_COUNT_RUNS, NULL, 0, one_int, n) != FG_OK)
		return history__fail(st, "counting runs in", err);
	return FG_OK;
}

struct id_list {
	int64_t *ids;
	size_t n, cap;
};

static int id_row(void *ctx, const struct history_row *r)
{
	struct id_list *l = ctx;

	fg_xgrow((void **)&l->ids, &l->cap, l->n + 1, sizeof(*l->ids));
	l->ids[l->n++] = cell_i(r, 0);
	return 0;
}

int history_store_run_ids(struct history_store *st, int64_t since_ms,
			  int64_t **ids, size_t *n, struct fg_error *err)
{
	struct id_list l = { 0 };
	struct history_arg since = HISTORY_I(since_ms);

	*ids = NULL;
	*n = 0;
	if (st->be->query(st, HQ_RUN_IDS, &since, 1, id_row, &l) != FG_OK) {
		free(l.ids);
		return history__fail(st, "listing runs in", err);
	}
	*ids = l.ids;
	*n = l.n;
	return FG_OK;
}

struct brief_list {
	struct history_run_brief *v;
	size_t n, cap;
};

static int brief_row(void *ctx, const struct history_row *r)
{
	struct brief_list *l = ctx;
	struct history_run_brief *b;

	fg_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	b = &l->v[l->n++];
	b->id = cell_i(r, 0);
	b->started_at_ms = cell_i(r, 1);
	b->duration_ms = cell_i(r, 2);
	b->exit_code = (int)cell_i(r, 3);
	return 0;
}

int history_store_recent_runs(struct history_store *st, size_t limit,
			      struct history_run_brief **out, size_t *n,
			      struct fg_error *err)
{
	struct brief_list l = { 0 };
	struct history_arg lim = HISTORY_I(limit > INT64_MAX ? INT64_MAX :
						       (int64_t)limit);

	*out = NULL;
	*n = 0;
	if (st->be->query(st, HQ_RECENT_RUNS, &lim, 1, brief_row, &l) !=
	    FG_OK) {
		free(l.v);
		return history__fail(st, "listing runs in", err);
	}
	/* oldest first, as charts read */
	for (size_t i = 0; i < l.n / 2; i++) {
		struct history_run_brief t = l.v[i];

		l.v[i] = l.v[l.n - 1 - i];
		l.v[l.n - 1 - i] = t;
	}
	*out = l.v;
	*n = l.n;
	return FG_OK;
}

static int one_id_row(void *ctx, const struct history_row *r)
{
	*(int64_t *)ctx = cell_i(r, 0);
	return 0;
}

int history_store_find_run(struct history_store *st,
			   const struct history_run_key *k, int64_t *id,
			   struct fg_error *err)
{
	const struct history_arg args[] = {
		HISTORY_T(k->branch), HISTORY_T(k->shard),
		HISTORY_T(k->selection), HISTORY_I(k->selection ? 0 : 1),
		HISTORY_I(k->complete_only ? 1 : 0),
	};

	*id = 0;
	if (st->be->query(st, HQ_FIND_RUN, args, 5, one_id_row, id) != FG_OK)
		return history__fail(st, "looking up the last run in", err);
	return FG_OK;
}

static int run_test_row(void *ctx, const struct history_row *r)
{
	struct fg_test *t = fg_run_add_test(ctx, cell_s(r, 0), cell_s(r, 1),
					    cell_s(r, 2));

	t->outcome = (enum fg_outcome)cell_i(r, 3);
	return 0;
}

int history_store_run_tests(struct history_store *st, int64_t run_id,
			    struct fg_run *out, struct fg_error *err)
{
	struct history_arg id = HISTORY_I(run_id);

	fg_run_init(out);
	out->id = run_id;
	if (st->be->query(st, HQ_RUN_TEST_IDS, &id, 1, run_test_row, out) !=
	    FG_OK) {
		fg_run_release(out);
		return history__fail(st, "loading the tests of a run from",
				     err);
	}
	return FG_OK;
}

static int found_row(void *ctx, const struct history_row *r)
{
	(void)r;
	*(bool *)ctx = true;
	return 0;
}

int history_store_has_run(struct history_store *st, const char *uuid,
			  bool *has, struct fg_error *err)
{
	struct history_arg u = HISTORY_T(uuid);

	*has = false;
	if (st->be->query(st, HQ_HAS_RUN, &u, 1, found_row, has) != FG_OK) {
		char what[128];

		snprintf(what, sizeof(what), "looking up run %.40s in", uuid);
		return history__fail(st, what, err);
	}
	return FG_OK;
}

/* ====================================================================== */
/* Merging another history in                                             */
/* ====================================================================== */

struct merge_run {
	int64_t id;
	char *uuid;
};

struct merge_list {
	struct merge_run *v;
	size_t n, cap;
};

static int merge_run_row(void *ctx, const struct history_row *r)
{
	struct merge_list *l = ctx;

	fg_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].id = cell_i(r, 0);
	l->v[l->n++].uuid = cell_dup(r, 1);
	return 0;
}

/*
 * Any backend into any other, in one write transaction of st's: each run
 * of src that st lacks is loaded (history_store_load_run()) and written
 * through the tx_* path, as a run of its own.
 */
static int merge_generic(struct history_store *st, struct history_store *src,
			 struct history_merge_stats *s, struct fg_error *err)
{
	struct merge_list l = { 0 };
	const struct history_backend *be = st->be;
	bool told = false; /* err already says what failed */
	int rc;

	if (src->be->query(src, HQ_MERGE_RUNS, NULL, 0, merge_run_row, &l))
		return history__fail(src, "cannot read runs from", err);
	for (int attempt = 0;; attempt++) {
		struct history_merge_stats t = { 0 };

		rc = be->tx_begin(st);
		for (size_t i = 0; rc == FG_OK && i < l.n; i++) {
			struct fg_run run;
			bool has = false;
			size_t added = 0;
			int64_t id;

			if ((rc = history_store_has_run(st, l.v[i].uuid, &has,
							err)) != FG_OK ||
			    (!has && (rc = history_store_load_run(
					      src, l.v[i].id, &run, err)))) {
				told = true;
				break;
			}
			if (has) {
				t.runs_skipped++;
				continue;
			}
			rc = be->tx_run(st, &run, &id);
			for (size_t k = 0; rc == FG_OK && k < run.ntests; k++) {
				rc = be->tx_test(st, &run.tests[k]);
				t.results_added += run.tests[k].nattempts;
			}
			if (rc == FG_OK)
				rc = be->tx_run_done(st, &added);
			if (rc == FG_OK)
				rc = history__summary_fold(st, &run, id);
			t.tests_added += added;
			t.runs_added++;
			fg_run_release(&run);
		}
		if (rc == FG_OK && (rc = be->tx_end(st, true)) == FG_OK) {
			s->runs_added += t.runs_added;
			s->runs_skipped += t.runs_skipped;
			s->tests_added += t.tests_added;
			s->results_added += t.results_added;
			break;
		}
		be->tx_end(st, false);
		if (told || rc != HISTORY_RETRY || attempt + 1 >= STORE_RETRIES)
			break;
		retry_pause(attempt);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].uuid);
	free(l.v);
	if (rc != FG_OK && !told) {
		char what[256];

		if (rc == HISTORY_RETRY)
			st->fail_code = FG_EDB;
		snprintf(what, sizeof(what), "cannot merge '%s' into",
			 src->name);
		rc = history__fail(st, what, err);
	}
	return rc;
}

/* The input must exist (open would create it) and not be our own file. */
static int merge_check_path(const char *path, struct fg_error *err)
{
	struct stat in;

	if (stat(path, &in) != 0)
		return fg_fail(err, FG_EDB, "cannot merge '%s': %s", path,
			       strerror(errno));
	if (!S_ISREG(in.st_mode))
		return fg_fail(err, FG_EDB, "cannot merge '%s': not a regular "
			       "file", path);
	return FG_OK;
}

int history_store_merge(struct history_store *st, const char *where,
			struct history_merge_stats *stats, struct fg_error *err)
{
	const struct history_open_opts o = {
		.mode = HISTORY_OPEN_EXISTING,
		.lock_timeout_ms = st->lock_timeout_ms,
		.waiting = st->waiting, .waiting_ctx = st->waiting_ctx,
	};
	struct history_merge_stats s = { 0 };
	struct history_store *src = NULL;
	char what[256];
	int rc;

	if (!history_store_is_url(where) &&
	    (rc = merge_check_path(where, err)) != FG_OK)
		return rc;
	/* Identity checks, and migration (uuids) of an older input. */
	if ((rc = history_store_open_with(where, &o, &src, err)) != FG_OK)
		return rc;
	if (src->be == st->be && st->be->same(st, src)) {
		rc = fg_fail(err, FG_EINVAL, "cannot merge '%s' into itself",
			     src->name);
		history_store_close(src);
		return rc;
	}
	if (src->be == st->be && st->be->merge_native) {
		rc = st->be->merge_native(st, src, &s);
		if (rc != FG_OK) {
			snprintf(what, sizeof(what), "cannot merge '%s' into",
				 src->name);
			rc = history__fail(st, what, err);
		}
	} else {
		rc = merge_generic(st, src, &s, err);
	}
	history_store_close(src);
	if (rc == FG_OK && stats) {
		stats->runs_added += s.runs_added;
		stats->runs_skipped += s.runs_skipped;
		stats->tests_added += s.tests_added;
		stats->results_added += s.results_added;
	}
	return rc;
}

/* ====================================================================== */
/* Retention                                                               */
/* ====================================================================== */

int history_store_gc(struct history_store *st,
		     const struct history_gc_opts *opts,
		     struct history_gc_stats *stats, struct fg_error *err)
{
	struct history_gc_stats g = { 0 };

	if (opts->keep_days < 0 && opts->keep_runs < 0)
		return fg_fail(err, FG_EINVAL, "gc: nothing to do (give a "
			       "number of days or runs to keep)");
	if (st->be->gc(st, opts, &g) != FG_OK)
		return history__fail(st, "cannot delete old runs from", err);
	if (stats)
		*stats = g;
	return FG_OK;
}
