/* SPDX-License-Identifier: MIT */
/*
 * cli/analysis.c - the analyzer at the database's edge, shared by `run`,
 * `analyze` and `quarantine`: build the policy (flakeguard.json
 * "quarantine", then --policy KEY=VALUE), load the quarantine entries (the
 * database's, then a committed flakeguard-quarantine.json over them), load
 * each test's history into an struct an_test, write decisions back, and
 * print them.
 *
 * The analyzer itself (analyzer/) never touches the database: everything
 * it decides is computed from what this file hands it.
 */
#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "history/history.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cli_policy_build(const struct fg_config *cfg, const char *const *settings,
		     size_t nsettings, struct an_policy *p,
		     struct fg_error *err)
{
	int rc;

	an_policy_defaults(p);
	if (cfg && cfg->quarantine) {
		char *where = fg_xasprintf("%s: quarantine",
					   cfg->path ? cfg->path : "config");

		rc = an_policy_apply_json(p, cfg->quarantine, where, err);
		free(where);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nsettings; i++)
		if ((rc = an_policy_set(p, settings[i], err)))
			return rc;
	return FG_OK;
}

static int cmp_id(const struct history_quarantine *a, const char *suite,
		  const char *classname, const char *name)
{
	return strcmp(a->suite, suite) || strcmp(a->classname ? a->classname : "",
						  classname ? classname : "") ||
	       strcmp(a->name, name);
}

const struct history_quarantine *
cli_quarantine_find(const struct history_quarantine_list *l, const char *suite,
		    const char *classname, const char *name)
{
	for (size_t i = l ? l->n : 0; i-- > 0;)
		if (!cmp_id(&l->items[i], suite, classname, name))
			return &l->items[i];
	return NULL;
}

int cli_quarantine_load(struct history_store *st, const char *file,
			struct cli_quarantine *q, struct fg_error *err)
{
	struct history_quarantine_list all = { 0 }, from_file = { 0 };
	int rc = FG_OK;

	memset(q, 0, sizeof(*q));
	if (st && (rc = history_quarantine_list(st, true, &all, err)))
		return rc;
	if (file && (rc = an_qfile_read(file, &from_file, err))) {
		history_quarantine_list_release(&all);
		return rc;
	}
	/* all is ordered by identity then since: the last entry of a test
	 * says whether it is active, or ended by expiry (blocked). */
	for (size_t i = 0; i < all.n; i++) {
		struct history_quarantine *e = &all.items[i];
		bool last = i + 1 == all.n ||
			    cmp_id(&all.items[i + 1], e->suite, e->classname,
				   e->name);
		struct history_quarantine_list *to = NULL;

		if (last && !e->released_ms) {
			to = &q->active;
			fg_xgrow((void **)&q->stored.items, &q->stored.cap,
				 q->stored.n + 1, sizeof(*q->stored.items));
			history_quarantine_copy(&q->stored.items[q->stored.n++],
						e);
		}
		else if (last && e->released_reason &&
			 !strcmp(e->released_reason, "expired"))
			to = &q->expired;
		else if (last)
			to = &q->ended;
		if (!to)
			continue;
		fg_xgrow((void **)&to->items, &to->cap, to->n + 1,
			 sizeof(*to->items));
		history_quarantine_copy(&to->items[to->n++], e);
	}
	for (size_t i = 0; i < from_file.n; i++) {
		struct history_quarantine *e = &from_file.items[i];
		struct history_quarantine *old = (struct history_quarantine *)
			cli_quarantine_find(&q->active, e->suite, e->classname,
					    e->name);

		if (old) { /* the reviewed file wins */
			history_quarantine_clear(old);
			history_quarantine_copy(old, e);
			continue;
		}
		fg_xgrow((void **)&q->active.items, &q->active.cap,
			 q->active.n + 1, sizeof(*q->active.items));
		history_quarantine_copy(&q->active.items[q->active.n++], e);
	}
	history_quarantine_list_release(&all);
	history_quarantine_list_release(&from_file);
	return FG_OK;
}

void cli_quarantine_release(struct cli_quarantine *q)
{
	history_quarantine_list_release(&q->active);
	history_quarantine_list_release(&q->expired);
	history_quarantine_list_release(&q->ended);
	history_quarantine_list_release(&q->stored);
}

static int add_row(void *ctx, const struct history_scan_row *r)
{
	an_test_add_row(ctx, r);
	return 0;
}

/*
 * The test's newest `runs` runs into t from its summary when the summary
 * holds exactly those (an_summary_covers()), else from the results.
 */
static int load_runs(struct history_store *st, const char *state,
		     const struct an_run *ar, struct an_test *t, int runs,
		     size_t *raw, struct fg_error *err)
{
	struct an_summary_head h;

	if (state && !an_summary_head(state, &h) &&
	    an_summary_covers(&h, an_scan_runs(runs))) {
		if (!an_summary_load(t, state, an_scan_runs(runs), ar->runs,
				     ar->nruns))
			return FG_OK;
		/* damaged, or a run it names is gone: the results decide */
	}
	(*raw)++;
	return history_store_scan(st, runs, t->suite, t->classname, t->name,
				  add_row, t, err);
}

/*
 * The test's summary (NULL: none), with the runs it names in ar->runs:
 * read from the oldest run any summary names so far (and 1,000 run ids
 * before it, so that a later, slightly older one rarely reads them again).
 * Only the test being loaded holds pointers into ar->runs (an_judge()
 * drops each test's runs once judged), so they may be read again here.
 */
static int read_summary(struct history_store *st, const char *suite,
			const char *classname, const char *name,
			struct an_run *ar, char **state, struct fg_error *err)
{
	struct an_summary_head h;
	int64_t from;
	int rc = history_store_summary_get(st, suite, classname, name, state,
					   err);

	if (rc || !*state || an_summary_head(*state, &h) || !h.nobs ||
	    h.min_run_id >= ar->runs_from)
		return rc;
	from = h.min_run_id > 1000 ? h.min_run_id - 1000 : 0;
	history_run_info_free(ar->runs, ar->nruns);
	ar->runs = NULL;
	ar->nruns = 0;
	/* failed: none held, and the next summary tries again */
	rc = history_store_run_info(st, from, &ar->runs, &ar->nruns, err);
	ar->runs_from = rc == FG_OK ? from : INT64_MAX;
	return rc;
}

/*
 * The test's history as `run` judges it: the newest window - 1 runs, or
 * history - 1 when one of them or this run (ft) failed (an onset must
 * stay in view to keep it out of quarantine); each from the summary when
 * it holds them, else from the results.
 */
static int load_test(struct history_store *st, const char *state,
		     const struct an_run *ar, struct an_test *t,
		     const struct fg_test *ft, const struct an_policy *p,
		     size_t *raw, struct fg_error *err)
{
	int rc = load_runs(st, state, ar, t, p->window - 1, raw, err);

	if (rc == FG_OK && p->history > p->window &&
	    an_test_has_failure(t, ft) &&
	    t->nobs >= (size_t)p->window - 1) {
		an_test_trim(t);
		rc = load_runs(st, state, ar, t, p->history - 1, raw, err);
	}
	return rc;
}

/*
 * Many tests without a summary (a database from before summaries, or
 * after merge or gc dropped them) make one run slow: each test's history
 * is read from the results, and again to build its summary. Said once,
 * while it happens, so that a CI log explains the wait.
 */
#define RAW_NOTICE_LOADS 50

static void raw_notice(struct an_run *ar, const struct an_run_test *e)
{
	size_t done = (size_t)(e - ar->t) + 1;

	if (ar->raw_said || ar->raw_loads < RAW_NOTICE_LOADS)
		return;
	ar->raw_said = true;
	fprintf(stderr, "flakeguard: %zu of the first %zu tests have no "
		"summary of their history in the database (one from before "
		"summaries, or after merge or gc): their runs are read from the "
		"results, and this run writes their summaries, so it takes "
		"longer once (`flakeguard analyze` writes all of them)\n",
		ar->raw_loads, done);
}

/*
 * an_run.load: a test's history when an_judge() comes to it, from its
 * summary when that serves (an_summary_load_run()), else from the
 * results. The summary is read once, here: the run holds one test's runs
 * at a time, not every test's window (130 MB at 10,000 tests).
 */
static int load_deferred(struct an_run *ar, struct an_run_test *e,
			 const struct fg_test *ft, const struct an_policy *p)
{
	struct history_store *st = ar->load_ctx;
	struct fg_error err = { 0 };
	char *state = NULL;
	size_t raw = 0;
	int rc = read_summary(st, e->an.suite, e->an.classname, e->an.name,
			      ar, &state, &err);

	if (rc == FG_OK && (!state || an_summary_load_run(&e->an, state, ft, p,
							  ar->runs,
							  ar->nruns))) {
		an_test_trim(&e->an);
		rc = load_test(st, state, ar, &e->an, ft, p, &raw, &err);
	}
	/* a test with no runs yet has no summary to miss */
	ar->raw_loads += raw > 0 && e->an.nobs > 0;
	raw_notice(ar, e);
	if (rc != FG_OK && ar->load_failed < 3)
		fg_log(FG_LOG_WARN, "analysis", "%s", err.msg);
	free(state);
	return rc;
}

int cli_analysis_prepare(struct history_store *st,
			 const struct cli_quarantine *q, struct fg_run *run,
			 const struct an_policy *p, struct an_run *ar,
			 struct fg_error *err)
{
	int rc = FG_OK;

	(void)p;
	memset(ar, 0, sizeof(*ar));
	ar->t = fg_xcalloc(run->ntests + 1, sizeof(*ar->t));
	ar->n = run->ntests;
	ar->quarantined_total = q->active.n;
	ar->load = load_deferred;
	ar->load_ctx = st;
	ar->runs_from = INT64_MAX;
	/*
	 * One read before any test is judged: a database that cannot be
	 * read at all is said once, and the run gets the plain verdict.
	 */
	if (st && run->ntests) {
		const struct fg_test *ft = &run->tests[0];
		char *state = NULL;

		rc = read_summary(st, ft->suite, ft->classname, ft->name, ar,
				  &state, err);
		free(state);
	}
	for (size_t i = 0; rc == FG_OK && i < run->ntests; i++) {
		struct fg_test *ft = &run->tests[i];
		struct an_run_test *e = &ar->t[i];
		const struct history_quarantine *hq;

		an_test_init(&e->an, ft->suite, ft->classname, ft->name);
		fg_test_settle(ft);
		/* loaded when an_judge() comes to it (load_deferred()) */
		e->deferred = st != NULL;
		if (!st)
			an_test_add_run(&e->an, run, ft);
		if ((hq = cli_quarantine_find(&q->active, ft->suite,
					      ft->classname, ft->name)))
			history_quarantine_copy(&e->q, hq);
		e->blocked = cli_quarantine_find(&q->expired, ft->suite,
						 ft->classname, ft->name);
		if ((hq = cli_quarantine_find(&q->ended, ft->suite,
					      ft->classname, ft->name)))
			e->released_ms = hq->released_ms;
	}
	return rc;
}

void cli_analysis_load_failed(const struct an_run *ar)
{
	fg_log(FG_LOG_DEBUG, "analysis", "%zu tests, %zu loads from the "
	       "results (the rest from summaries)", ar->n, ar->raw_loads);
	if (ar->load_failed)
		fprintf(stderr, "flakeguard: %zu test(s) judged on this run "
			"alone: their history could not be read (the "
			"first errors are above)\n", ar->load_failed);
}

/* Room for one more change; its entry is the caller's to fill. */
static struct history_quarantine_change *
change_new(struct cli_changes *ch, enum history_qop op)
{
	fg_xgrow((void **)&ch->c, &ch->cap_c, ch->n + 1, sizeof(*ch->c));
	fg_xgrow((void **)&ch->q, &ch->cap_q, ch->n + 1, sizeof(*ch->q));
	memset(&ch->c[ch->n], 0, sizeof(ch->c[0]));
	memset(&ch->q[ch->n], 0, sizeof(ch->q[0]));
	ch->c[ch->n].op = op;
	return &ch->c[ch->n++];
}

void cli_analysis_changes(const struct an_run *ar,
			  const struct cli_quarantine *q, int64_t now,
			  struct cli_changes *ch)
{
	for (size_t i = 0; i < ar->n; i++) {
		const struct an_run_test *e = &ar->t[i];
		const struct history_quarantine *seen;
		struct history_quarantine_change *c;

		switch (e->dec.action) {
		case AN_ENTER:
			change_new(ch, HISTORY_Q_ENTER);
			history_quarantine_copy(&ch->q[ch->n - 1], &e->q);
			break;
		case AN_LEAVE:
		case AN_EXPIRED:
			/* End the stored entry the decision was about. */
			seen = cli_quarantine_find(&q->stored, e->an.suite,
						   e->an.classname, e->an.name);
			if (!seen)
				break; /* the file's only: nothing stored */
			c = change_new(ch, HISTORY_Q_END);
			history_quarantine_copy(&ch->q[ch->n - 1], seen);
			c->when_ms = now;
			c->why = e->dec.action == AN_LEAVE ? e->dec.rule : "expired";
			break;
		case AN_NONE:
			break;
		}
	}
}

void cli_changes_release(struct cli_changes *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		history_quarantine_clear(&ch->q[i]);
	free(ch->c);
	free(ch->q);
	memset(ch, 0, sizeof(*ch));
}

int cli_analysis_record(struct history_store *st, struct fg_run *run,
			struct cli_changes *ch, bool staged,
			struct fg_error *err)
{
	struct history_quarantine_change *c = ch->c;
	size_t n = ch->n;
	int rc;

	for (size_t i = 0; i < n; i++)
		c[i].q = &ch->q[i];
	if (staged)
		rc = history_store_run_record_end(st, run, c, n, err);
	else
		rc = history_store_record_run(st, run, c, n, err);
	for (size_t i = 0; rc == FG_OK && i < n; i++) {
		if (c[i].applied)
			continue;
		fprintf(stderr, "flakeguard: ");
		cli_test_label(stderr, c[i].q->suite, c[i].q->classname,
			       c[i].q->name);
		fprintf(stderr, ": %s\n", c[i].op == HISTORY_Q_ENTER ?
			"another run quarantined it first (its entry is kept)" :
			"its quarantine entry was changed by another run "
			"meanwhile (not released here)");
	}
	return rc;
}

void cli_test_label(FILE *out, const char *suite, const char *classname,
		    const char *name)
{
	fg_text_write(out, suite, NULL, 0);
	fputs("::", out);
	if (classname && *classname) {
		fg_text_write(out, classname, NULL, 0);
		fputs("::", out);
	}
	fg_text_write(out, name, NULL, 0);
}

int cli_analysis_count_tests(struct history_store *st, size_t *n,
			     struct fg_error *err)
{
	*n = 0;
	return history_store_count_tests(st, n, err);
}

/* The tag of a test's line, or NULL: nothing to say. */
static const char *line_tag(const struct an_run_test *e,
			    const struct fg_test *ft, bool *loud,
			    const char **text)
{
	const struct an_test *t = &e->an;

	*text = ft->note ? ft->note : "";
	*loud = true;
	switch (e->dec.action) {
	case AN_ENTER: *text = e->dec.why; return "QUARANTINED";
	case AN_LEAVE: *text = e->dec.why; return "RELEASED";
	case AN_EXPIRED: *text = e->dec.why; return "EXPIRED";
	case AN_NONE: break;
	}
	if (e->j == AN_J_QUARANTINED) {
		*loud = false;
		return "quarantined (not failing)";
	}
	if (e->j == AN_J_SUSPICIOUS)
		return "SUSPICIOUS";
	if (e->q.name && e->counts)
		return "UNCOVERED"; /* quarantined, but this failure counts */
	if (!strcmp(e->dec.rule, "cap") && e->j != AN_J_PASSED) {
		*text = e->dec.why;
		return "NOT QUARANTINED";
	}
	if (e->j == AN_J_PASSED && t->cat != AN_INTERMITTENT)
		return NULL;
	*text = t->reason;
	switch (t->cat) {
	case AN_BROKEN:
		return e->j == AN_J_FAILED && t->ev.runs > 1 ? "BROKEN" : NULL;
	case AN_INTERMITTENT:
		/* a passing run of an intermittent test still says so */
		return "INTERMITTENT";
	case AN_NEW_FLAKY:
		return "NEW-FLAKY";
	case AN_INTERFERENCE:
		return "INTERFERENCE";
	case AN_MEMORY:
		return e->j == AN_J_FAILED ? "MEMORY ERROR" : NULL;
	default:
		return NULL;
	}
}

/* The lines above the summary: what the analyzer decided and why. */
void cli_analysis_print(FILE *out, const struct fg_run *run,
			const struct an_run *ar, const char *qfile,
			bool loud_only, bool *said)
{
	bool head = said && *said;

	for (size_t i = 0; i < ar->n; i++) {
		const struct an_run_test *e = &ar->t[i];
		const struct fg_test *t = &run->tests[i];
		const char *text, *tag;
		bool loud;

		tag = line_tag(e, t, &loud, &text);
		if (!tag || (loud_only && !loud))
			continue;
		if (!head)
			fprintf(out, "\nAnalysis:\n");
		head = true;
		fprintf(out, "  %s ", tag);
		cli_test_label(out, t->suite, t->classname, t->name);
		fputs(": ", out);
		fg_text_write(out, text, NULL, 0);
		fputc('\n', out);
		if (e->an.cat == AN_INTERFERENCE && t->suggestion) {
			fputs("    suggestion: ", out);
			fg_text_write(out, t->suggestion, NULL, 0);
			fputc('\n', out);
		}
		if (e->dec.action == AN_LEAVE && qfile &&
		    e->q.name == NULL)
			fprintf(out, "    (remove it from '%s' too: flakeguard "
				"quarantine export)\n", qfile);
	}
	if (said)
		*said = head;
	if (ar->cap_exceeded)
		fprintf(out, "\nWARNING: %s\n", ar->cap_note);
}
