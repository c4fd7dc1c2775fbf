/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_stress.c - stress runs: a test run many times in a row, to see
 * whether it is flaky before anyone depends on it (issue 12 point 5).
 *
 * Two users, one engine:
 *   - `run --new-test-runs N [--stress-budget D]`: once the run's own
 *     attempts are over, each test the history has never seen (no result
 *     at all) that passed runs N more times; its first failure ends its
 *     runs, and the analyzer calls it new-flaky (red: analyzer/evidence.c).
 *     A history without runs has no "new" tests: nothing is stressed.
 *   - `flakeguard stress [--runs N | --until-fail]`: every selected test
 *     runs N times in all (the first run included), or until the first
 *     failure of any; the table says "k of N failed" with a 95% interval.
 *     Nothing goes into the history unless --record.
 *
 * How a test runs again (the phase, on the run's own runner, after its
 * work): the item that ran it is resubmitted, on the same path as a retry
 * (run_prepare_attempt): a case item runs its case; a whole suite runs
 * only the tests still being stressed where it can select (a "rerun"
 * template, GoogleTest, pytest, CTest: cli/select.c), else whole, which is
 * allowed only when every test of it is new and none failed (otherwise
 * tests with history would be stressed too, and a failed test passing a
 * stress run would turn flaky: it says it cannot). Sharded suites rerun their
 * shards whole under the same rule. Items that need fixtures or wait for
 * others are not stressed (their fixtures' cleanups have run).
 *
 * The budget is the stress phase's wall time: at the budget running stress
 * attempts are terminated and dropped (no result), nothing more starts,
 * and the summary names the tests not fully stressed. An interrupt drops
 * running stress attempts the same way.
 *
 * Every stress attempt stays an attempt of its test (fg_attempt.stress):
 * in JSON, JUnit and HTML, and in the history (where the mark itself is
 * not stored: a stress run reads as a run with many attempts).
 */
#include "cli/run.h"

#include <stdlib.h>
#include <string.h>

#define STRESS_DEFAULT_RUNS 10
#define STRESS_UNTIL_FAIL_CAP 100

/* One item of the run that stress runs resubmit. */
struct stress_item {
	struct item_state *is;
	size_t *tests;      /* indexes into rs->run.tests: what it stresses */
	size_t ntests;
	bool whole;         /* reruns whole; else only its tests still going */
	int rounds;         /* stress attempts submitted */
};

struct run_stress {
	struct fg_run known;   /* identities with history (`run`): a set */
	bool no_history;       /* the history has no run: nothing is new */
	bool all;              /* `stress`: every test, not only new ones */
	int rounds;            /* stress attempts per item */
	size_t *base;          /* per test: its attempts before the phase */
	size_t nbase;
	struct stress_item *items;
	size_t nitems;
	char **skipped;        /* "what: why" lines of tests not stressed */
	size_t nskipped;
	bool active;           /* the phase is on */
	bool stop;             /* start nothing more */
	bool budget_hit, failure_hit;
	uint64_t t0;           /* the phase began (monotonic ns) */
	int64_t elapsed_ms;
	size_t dropped0, dropped;
	size_t attempts;       /* stress attempts that ended with a result */
	size_t cut;            /* ... and those dropped (budget, interrupt) */
};

/* ---------------------------------------------------------------------- */
/* Before the run                                                          */
/* ---------------------------------------------------------------------- */

static int add_known(void *ctx, const struct history_scan_row *row)
{
	fg_run_add_test(ctx, row->suite, row->classname, row->name);
	return 0;
}

int run_stress_begin(struct run_state *rs, struct history_store *store,
		     struct fg_error *err)
{
	struct run_stress *s = fg_xcalloc(1, sizeof(*s));
	const struct run_opts *o = rs->o;
	int64_t nruns = 0;
	int rc;

	fg_run_init(&s->known);
	rs->stress = s;
	s->all = o->stress_runs != 0;
	if (s->all) {
		int runs = o->stress_runs > 0 ? o->stress_runs :
			   o->until_fail ? STRESS_UNTIL_FAIL_CAP :
			   STRESS_DEFAULT_RUNS;

		s->rounds = runs - 1; /* the run's own attempt is the first */
		return FG_OK;
	}
	s->rounds = o->new_test_runs;
	if ((rc = history_store_count_runs(store, &nruns, err)))
		return rc;
	s->no_history = nruns == 0;
	if (s->no_history)
		return FG_OK;
	/* NEEDSWORK: every identity of the history; a run's own would do. */
	return history_store_scan(store, 1, NULL, NULL, NULL, add_known,
				  &s->known, err);
}

void run_stress_end(struct run_state *rs)
{
	struct run_stress *s = rs->stress;

	if (!s)
		return;
	fg_run_release(&s->known);
	free(s->base);
	for (size_t i = 0; i < s->nitems; i++)
		free(s->items[i].tests);
	free(s->items);
	for (size_t i = 0; i < s->nskipped; i++)
		free(s->skipped[i]);
	free(s->skipped);
	free(s);
	rs->stress = NULL;
}

bool run_stress_active(const struct run_state *rs)
{
	return rs->stress && rs->stress->active;
}

size_t run_stress_dropped(const struct run_state *rs)
{
	return rs->stress ? rs->stress->dropped : 0;
}

/* ---------------------------------------------------------------------- */
/* Choosing what to stress                                                 */
/* ---------------------------------------------------------------------- */

static bool ran_some(const struct fg_test *t, size_t from)
{
	for (size_t k = from; k < t->nattempts; k++)
		if (t->attempts[k].status != FG_A_SKIPPED)
			return true;
	return false;
}

static bool failed_since(const struct fg_test *t, size_t from)
{
	for (size_t k = from; k < t->nattempts; k++)
		if (fg_astatus_is_failure(t->attempts[k].status))
			return true;
	return false;
}

static bool is_new(struct run_stress *s, const struct fg_test *t)
{
	return !fg_run_find_test(&s->known, t->suite, t->classname, t->name);
}

/*
 * Whether test t is to be stressed (and --filter keeps it): `stress`,
 * every test that ran; `run`,
 * a new test whose run passed in the end (one that failed is red
 * already, and its failure says more than a stress run would).
 */
static bool wanted(struct run_state *rs, const struct fg_test *t)
{
	struct run_stress *s = rs->stress;
	const struct cli_list *f = &rs->o->filter;

	/* --filter: what a suite could not narrow is dropped at the end */
	if (!ran_some(t, 0) || (f->n && !cli_filter_match(f->v, f->n, t->suite,
							  t->classname,
							  t->name)))
		return false;
	if (s->all)
		return true;
	return is_new(s, t) &&
	       (t->outcome == FG_O_PASSED || t->outcome == FG_O_FLAKY);
}

static void skip_note(struct run_stress *s, char *line)
{
	s->skipped = fg_xrealloc(s->skipped,
				 (s->nskipped + 1) * sizeof(*s->skipped));
	s->skipped[s->nskipped++] = line;
}

static bool can_select(const struct fg_suite_cfg *c)
{
	enum cli_framework fw = cli_suite_framework(c);

	return c->rerun || fw == CLI_FW_GTEST || fw == CLI_FW_PYTEST ||
	       fw == CLI_FW_CTEST;
}

/*
 * Whether rerunning t whole with its suite is harmless: `stress`, always;
 * `run`, when t is new and did not fail for good (a test that failed must
 * not pass a stress run, which would make it flaky: green).
 */
static bool may_rerun(struct run_stress *s, const struct fg_test *t)
{
	return s->all || (is_new(s, t) && t->outcome != FG_O_FAILED &&
			  t->outcome != FG_O_QUARANTINED);
}

/*
 * The tests item is answers for, and how many of them are wanted and may
 * be rerun whole.
 */
static size_t item_tests(struct run_state *rs, struct item_state *is,
			 const bool *want, size_t **out, size_t *nwant,
			 size_t *nsafe)
{
	struct fg_run *run = &rs->run;
	size_t n = 0;

	*out = NULL;
	*nwant = *nsafe = 0;
	if (is->item->case_name) {
		struct fg_test *t = fg_run_find_test(run, is->cfg->name,
						     is->self_class,
						     is->self_name);

		if (!t)
			return 0;
		*out = fg_xcalloc(1, sizeof(**out));
		(*out)[n++] = (size_t)(t - run->tests);
	} else {
		for (size_t i = 0; i < run->ntests; i++) {
			if (strcmp(run->tests[i].suite, is->cfg->name))
				continue;
			*out = fg_xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = i;
		}
	}
	for (size_t k = 0; k < n; k++) {
		*nwant += want[(*out)[k]];
		*nsafe += may_rerun(rs->stress, &run->tests[(*out)[k]]);
	}
	return n;
}

/* Decides how item `is` is stressed, if at all; true when it is. */
static bool pick_item(struct run_state *rs, struct item_state *is,
		      const bool *want, bool *claimed)
{
	struct run_stress *s = rs->stress;
	struct stress_item si = { .is = is };
	size_t *tests, n, nwant, nsafe;
	const char *why = NULL;

	/* an item that failed may still have passed new tests (its failure
	 * another test's, perhaps quarantined): wanted() picks by test */
	if (is->item->support || !is->ran || is->why_not ||
	    is->item->empty)
		return false;
	n = item_tests(rs, is, want, &tests, &nwant, &nsafe);
	if (!nwant) {
		free(tests);
		return false;
	}
	if (is->in_deps || is->nneeds)
		why = "it needs fixtures or waits for other tests";
	else if (is->item->case_name)
		si.whole = true;
	else if (nwant < n && is->item->shard < 0 && can_select(is->cfg))
		si.whole = false;
	else if (nsafe == n)
		si.whole = true;
	else if (is->item->shard >= 0)
		why = "its suite runs in shards and has tests with history "
		      "or that failed";
	else
		why = "its suite cannot run single tests and has tests with "
		      "history or that failed (give it a \"rerun\" template)";
	for (size_t k = 0; k < n; k++) {
		if (!want[tests[k]] || why)
			continue;
		si.tests = fg_xrealloc(si.tests,
				       (si.ntests + 1) * sizeof(*si.tests));
		si.tests[si.ntests++] = tests[k];
		claimed[tests[k]] = true;
	}
	if (why) {
		skip_note(s, fg_xasprintf("%zu test%s of '%s': %s", nwant,
					  nwant == 1 ? "" : "s", is->item->id,
					  why));
		for (size_t k = 0; k < n; k++)
			claimed[tests[k]] |= want[tests[k]];
		free(tests);
		return false;
	}
	free(tests);
	s->items = fg_xrealloc(s->items, (s->nitems + 1) * sizeof(*s->items));
	s->items[s->nitems++] = si;
	return true;
}

static void pick(struct run_state *rs)
{
	struct run_stress *s = rs->stress;
	struct fg_run *run = &rs->run;
	bool *want = fg_xcalloc(run->ntests + 1, sizeof(bool));
	bool *claimed = fg_xcalloc(run->ntests + 1, sizeof(bool));
	size_t lost = 0;

	for (size_t i = 0; i < run->ntests; i++) {
		fg_test_settle(&run->tests[i]);
		want[i] = wanted(rs, &run->tests[i]);
	}
	for (size_t i = 0; i < rs->plan.n; i++)
		pick_item(rs, &rs->items[i], want, claimed);
	for (size_t i = 0; i < run->ntests; i++)
		lost += want[i] && !claimed[i];
	if (lost)
		skip_note(s, fg_xasprintf("%zu test%s: flakeguard cannot tell "
					  "which item ran %s (a case whose "
					  "results are named otherwise)", lost,
					  lost == 1 ? "" : "s",
					  lost == 1 ? "it" : "them"));
	free(want);
	free(claimed);
}

/* ---------------------------------------------------------------------- */
/* The phase                                                               */
/* ---------------------------------------------------------------------- */

static struct stress_item *item_of(struct run_stress *s,
				   const struct item_state *is)
{
	for (size_t i = 0; i < s->nitems; i++)
		if (s->items[i].is == is)
			return &s->items[i];
	return NULL;
}

/* A test still being stressed: `run` stops a test at its first failure. */
static bool going(const struct run_stress *s, const struct fg_test *t,
		  size_t base)
{
	return s->all || !failed_since(t, base);
}

static void submit_next(struct runner *r, struct run_state *rs,
			struct stress_item *si)
{
	struct run_stress *s = rs->stress;
	struct item_state *is = si->is;
	size_t active = 0;

	if (s->stop || si->rounds >= s->rounds)
		return;
	run_refs_free(&is->asked, &is->nasked);
	free(is->seen_asked);
	is->seen_asked = NULL;
	for (size_t k = 0; k < si->ntests; k++) {
		const struct fg_test *t = &rs->run.tests[si->tests[k]];

		if (!going(s, t, s->base[si->tests[k]]))
			continue;
		active++;
		if (si->whole)
			continue;
		is->asked = fg_xrealloc(is->asked,
					(is->nasked + 1) * sizeof(*is->asked));
		is->asked[is->nasked].classname = fg_xstrdup(t->classname);
		is->asked[is->nasked++].name = fg_xstrdup(t->name);
	}
	if (!active)
		return;
	if (is->nasked)
		is->seen_asked = fg_xcalloc(is->nasked, sizeof(bool));
	si->rounds++;
	run_prepare_attempt(is);
	runner_submit(r, &is->job);
}

static void check_budget(struct runner *r, struct run_state *rs)
{
	struct run_stress *s = rs->stress;
	int64_t ms;

	if (!s->active || s->budget_hit || rs->o->stress_budget_ms <= 0)
		return;
	ms = (int64_t)((fg_monotonic_ns() - s->t0) / 1000000);
	if (ms < rs->o->stress_budget_ms)
		return;
	s->budget_hit = s->stop = true;
	runner_cancel(r);
}

void run_stress_tick(struct runner *r, struct run_state *rs)
{
	check_budget(r, rs);
}

bool run_stress_drop(struct item_state *is)
{
	struct run_state *rs = is->rs;
	enum runner_end end = is->job.result.end;

	if (!run_stress_active(rs) ||
	    (end != RUNNER_CANCELLED && end != RUNNER_INTERRUPTED))
		return false;
	rs->stress->cut++;
	runner_job_release(&is->job);
	run_release_dir(rs, is->tmpdir);
	is->tmpdir = NULL;
	fg_strv_free(is->env);
	is->env = NULL;
	is->job.env = NULL;
	history_tap_free(is->tap);
	is->tap = NULL;
	return true;
}

void run_stress_attempt(struct runner *r, struct item_state *is)
{
	struct run_state *rs = is->rs;
	struct run_stress *s = rs->stress;
	struct stress_item *si = item_of(s, is);

	s->attempts++;
	run_refs_free(&is->failed_now, &is->nfailed_now);
	if (is->failed && rs->o->until_fail && !s->stop) {
		s->failure_hit = s->stop = true;
		runner_stop(r);
	}
	check_budget(r, rs);
	if (si)
		submit_next(r, rs, si);
}

int run_stress_phase(struct run_state *rs)
{
	struct run_stress *s = rs->stress;
	struct runner *r = rs->runner;
	int rc;

	if (s->no_history || s->rounds <= 0 || rs->fail_fast_hit)
		return FG_OK;
	s->nbase = rs->run.ntests;
	s->base = fg_xcalloc(s->nbase + 1, sizeof(*s->base));
	for (size_t i = 0; i < s->nbase; i++)
		s->base[i] = rs->run.tests[i].nattempts;
	/* --until-fail: a failure in the first run ends it there */
	if (rs->o->until_fail)
		for (size_t i = 0; i < s->nbase; i++)
			if (failed_since(&rs->run.tests[i], 0))
				s->failure_hit = true;
	if (!s->failure_hit)
		pick(rs);
	if (!s->nitems)
		return FG_OK;
	rs->retries_off = true; /* a stress attempt is one run, never retried */
	s->active = true;
	s->t0 = fg_monotonic_ns();
	s->dropped0 = runner_dropped(r);
	for (size_t i = 0; i < s->nitems; i++)
		submit_next(r, rs, &s->items[i]);
	rc = runner_run(r);
	s->active = false;
	s->dropped = runner_dropped(r) - s->dropped0;
	s->elapsed_ms = (int64_t)((fg_monotonic_ns() - s->t0) / 1000000);
	/* everything this phase added is a stress attempt */
	for (size_t i = 0; i < rs->run.ntests; i++) {
		struct fg_test *t = &rs->run.tests[i];

		for (size_t k = i < s->nbase ? s->base[i] : 0;
		     k < t->nattempts; k++)
			t->attempts[k].stress = true;
	}
	return rc;
}

/* ---------------------------------------------------------------------- */
/* What it found                                                           */
/* ---------------------------------------------------------------------- */

/* Runs and failures of t: its stress attempts (`run`), or all (`stress`). */
static void tally(const struct run_stress *s, const struct fg_test *t,
		  unsigned long *runs, unsigned long *fails)
{
	*runs = *fails = 0;
	for (size_t k = 0; k < t->nattempts; k++) {
		const struct fg_attempt *a = &t->attempts[k];

		if (a->status == FG_A_SKIPPED || (!s->all && !a->stress))
			continue;
		(*runs)++;
		*fails += fg_astatus_is_failure(a->status);
	}
}

static void print_budget(FILE *out, struct run_state *rs)
{
	struct run_stress *s = rs->stress;
	char d[32];

	if (!s->budget_hit)
		return;
	fprintf(out, "  --stress-budget %s spent: stopped after %zu stress "
		"run%s (%zu cut short)\n",
		fg_duration_format(rs->o->stress_budget_ms, d, sizeof(d)),
		s->attempts, s->attempts == 1 ? "" : "s", s->cut);
}

static bool any_failed(const struct run_stress *s, struct run_state *rs)
{
	for (size_t i = 0; i < s->nitems; i++)
		for (size_t k = 0; k < s->items[i].ntests; k++) {
			unsigned long runs, fails;

			tally(s, &rs->run.tests[s->items[i].tests[k]], &runs,
			      &fails);
			if (fails)
				return true;
		}
	return false;
}

void run_stress_print(struct run_state *rs)
{
	struct run_stress *s = rs->stress;
	FILE *out = rs->human;
	bool quiet = rs->o->verbosity < 0;
	char d[32];

	if (!s)
		return;
	if (s->no_history) {
		if (!quiet)
			fprintf(out, "\nStress: the history has no run yet, so "
				"no test is new: nothing stressed\n");
		return;
	}
	if (!s->nitems && !s->nskipped)
		return;
	if (quiet && !s->budget_hit && !s->nskipped && !any_failed(s, rs))
		return; /* -q: nothing but news */
	fprintf(out, "\nStress runs of new tests (up to %d each, %s):\n",
		s->rounds, fg_duration_format(s->elapsed_ms, d, sizeof(d)));
	for (size_t i = 0; i < s->nitems; i++) {
		const struct stress_item *si = &s->items[i];

		for (size_t k = 0; k < si->ntests; k++) {
			const struct fg_test *t = &rs->run.tests[si->tests[k]];
			unsigned long runs, fails;

			tally(s, t, &runs, &fails);
			if (quiet && !fails && runs >= (unsigned long)s->rounds)
				continue;
			fprintf(out, "  %s %lu of %lu failed  ",
				fails ? "\u2717" : "\u2713", fails, runs);
			cli_test_label(out, t->suite, t->classname, t->name);
			if (fails)
				fputs(" (new and flaky)", out);
			else if (runs < (unsigned long)s->rounds)
				fprintf(out, " (not fully stressed: %lu of %d "
					"runs)", runs, s->rounds);
			fputc('\n', out);
		}
	}
	print_budget(out, rs);
	for (size_t i = 0; i < s->nskipped; i++)
		fprintf(out, "  not stressed: %s\n", cli_safe(s->skipped[i]));
}

/* `stress`: one line per test, failures first. */
static size_t print_table(struct run_state *rs, size_t *ntests)
{
	struct run_stress *s = rs->stress;
	FILE *out = rs->human;
	size_t failing = 0;

	*ntests = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < rs->run.ntests; i++) {
			struct fg_test *t = &rs->run.tests[i];
			unsigned long runs, fails;
			struct an_interval p;

			tally(s, t, &runs, &fails);
			if (!runs || (pass == 0) != (fails > 0))
				continue;
			(*ntests)++;
			failing += fails > 0;
			if (rs->o->verbosity < 0 && !fails)
				continue;
			an_wilson(fails, runs, &p);
			fprintf(out, "  %s %lu of %lu failed  %5.1f%% [%.1f%%, "
				"%.1f%%]  ", fails ? "FAIL" : "ok  ", fails, runs,
				100 * p.p, 100 * p.lo, 100 * p.hi);
			cli_test_label(out, t->suite, t->classname, t->name);
			fputc('\n', out);
			for (size_t k = 0; fails && k < t->nattempts; k++) {
				const struct fg_attempt *a = &t->attempts[k];

				if (!fg_astatus_is_failure(a->status))
					continue;
				fprintf(out, "      first failure (run %zu): %s"
					"%s%s\n", k + 1,
					fg_astatus_name(a->status),
					a->message ? ": " : "",
					a->message ? cli_safe(a->message) : "");
				break;
			}
			if (fails && t->repro)
				fprintf(out, "      reproduce: %s\n",
					cli_safe(t->repro));
		}
	}
	return failing;
}

int run_stress_finish(struct run_state *rs, struct history_store *store,
		      int sig)
{
	struct run_stress *s = rs->stress;
	const struct run_opts *o = rs->o;
	struct fg_error err = { 0 };
	size_t failing, ntests;
	int exit_code;
	char d[32];

	for (size_t i = 0; i < rs->run.ntests; i++)
		fg_test_settle(&rs->run.tests[i]);
	fprintf(rs->human, "\nStress: %s%d run%s of each test%s, in %s:\n",
		o->until_fail ? "up to " : "", s->rounds + 1,
		s->rounds ? "s" : "",
		o->until_fail ? " until the first failure" : "",
		fg_duration_format(rs->run.duration_ms, d, sizeof(d)));
	failing = print_table(rs, &ntests);
	print_budget(rs->human, rs);
	for (size_t i = 0; i < s->nskipped; i++)
		fprintf(rs->human, "  not stressed: %s\n",
			cli_safe(s->skipped[i]));
	if (s->failure_hit)
		fprintf(rs->human, "stopped at the first failure "
			"(--until-fail)\n");
	exit_code = rs->run.interrupted ? 128 + sig :
		    rs->spawn_errors ? FG_EXIT_INFRA :
		    failing ? FG_EXIT_FAILED : FG_EXIT_OK;
	rs->run.exit_code = exit_code;
	if (o->json && report_json_write(o->json, &rs->run, &err)) {
		cli_error(&err);
		exit_code = exit_code ? exit_code : FG_EXIT_INFRA;
	}
	if (o->record) {
		if (history_store_write_run(store, &rs->run, &err)) {
			cli_error(&err);
			exit_code = exit_code ? exit_code : FG_EXIT_INFRA;
		} else if (o->verbosity >= 0) {
			fprintf(rs->human, "recorded as run %lld in %s\n",
				(long long)rs->run.id, cli_db_label(o->db));
		}
	}
	if (rs->run.interrupted)
		fprintf(rs->human, "INTERRUPTED: results are partial\n");
	else if (failing)
		fprintf(rs->human, "FAILED: %zu of %zu test%s failed at least "
			"once\n", failing, ntests, ntests == 1 ? "" : "s");
	else
		fprintf(rs->human, "OK: %zu test%s, no failure\n", ntests,
			ntests == 1 ? "" : "s");
	return exit_code;
}

/* ---------------------------------------------------------------------- */
/* The `stress` command                                                    */
/* ---------------------------------------------------------------------- */

#define R struct run_opts
static const struct cli_opt stress_options[] = {
	CLI_PATH('c', "config", R, config, "FILE",
		 "suites from FILE (default: flakeguard.json)"),
	CLI_PATH(0, "ctest", R, sel.ctest, "DIR",
		 "the tests of CMake build dir DIR"),
	CLI_PATH(0, "meson", R, sel.meson, "DIR",
		 "the tests of Meson build dir DIR"),
	CLI_LIST(0, "label", R, sel.labels, "L",
		 "only suites labelled L (repeatable)"),
	CLI_LIST(0, "suite", R, suites, "GLOB",
		 "only the suites matching GLOB (repeatable)"),
	CLI_LIST(0, "filter", R, filter, "EXPR",
		 "only the tests matching EXPR, as for run\n"
		 "(repeatable)"),
	CLI_INT(0, "runs", R, stress_runs, "N", 1, 100000,
		"run each test N times in all (default 10;\n"
		"with --until-fail, the cap: default 100)"),
	CLI_FLAG(0, "until-fail", R, until_fail,
		 "stop at the first failure of any test"),
	CLI_INT('j', "jobs", R, jobs, "N", 1, 4096,
		"run N at once (default: usable cores)",
		.env = "FLAKEGUARD_JOBS", .cfg = CLI_CFG_JOBS),
	CLI_DURATION(0, "timeout", R, timeout_ms,
		     "per-attempt timeout (default 10m)",
		     .env = "FLAKEGUARD_TIMEOUT", .cfg = CLI_CFG_TIMEOUT),
	CLI_FLAG(0, "record", R, record,
		 "record the runs in the history (default: not)"),
	CLI_PATH(0, "db", R, db, "PATH|URL",
		 "history: estimates for ordering, and where\n"
		 "--record writes (default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB", .cfg = CLI_CFG_DB),
	CLI_PATH(0, "json", R, json, "FILE",
		 "every attempt as JSON (- for stdout)"),
	CLI_PATH(0, "log-dir", R, log_dir, "DIR",
		 "keep every attempt's full output in DIR"),
	CLI_CHOICE(0, "color", R, color, "WHEN", cli_color_choices,
		   "auto, always or never (NO_COLOR is honoured)"),
	CLI_SET('q', "quiet", R, verbosity, -1,
		"print only failing tests and the verdict"),
	CLI_SET('v', "verbose", R, verbosity, 1,
		"a line per attempt, debug log on stderr"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef R

static int cmd_stress(int argc, char **argv)
{
	const struct run_opts defaults = { .stress_runs = -1 };

	return run_main(&cli_cmd_stress, &defaults, argc, argv);
}

const struct cli_command cli_cmd_stress = {
	.name = "stress",
	.fn = cmd_stress,
	.usage = "flakeguard stress [--runs N | --until-fail] [OPTIONS] [--] "
		 "[PROGRAM...]",
	.summary = "run the selected tests many times: are they flaky?",
	.help =
	"Runs the selected tests (the suites of flakeguard.json or -c FILE, or\n"
	"PROGRAMs; --suite, --filter) N times each, as nextest's stress runs and\n"
	"`ctest --repeat until-fail:N` do, and prints per test how many runs\n"
	"failed, with the failure rate and its 95% interval. Tests rerun the\n"
	"way retries do: only the selected tests where the suite can select\n"
	"them, one case at a time for case suites, else the whole suite. No\n"
	"retries. Nothing is recorded unless --record (a developer's runs of\n"
	"uncommitted code would mislead the CI's history).\n",
	.help_after =
	"Exit codes: 0 no test failed, 1 a test failed in some run, 2 usage or\n"
	"config error, 3 infrastructure error, 129/130/143 interrupted.\n",
	.options = stress_options,
	.flags = CLI_STOP_AT_ARG,
};
