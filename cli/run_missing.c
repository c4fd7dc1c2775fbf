/* SPDX-License-Identifier: MIT */
/*
 * cli/run_missing.c - what `run` selected, the tests that stopped running,
 * and --rerun-failed (issues 10 and 11).
 *
 * A run records its selection: one canonical line built from the options
 * that choose what runs (the config or the programs, --ctest, --meson,
 * --label, --suite and suite names, --filter, --rerun-failed; the shard
 * is recorded on its own). Two runs with the same line, branch and shard
 * were asked to run the same tests, so a test that ran in the newest such
 * run and not in this one is "missing": it stopped running. A run with
 * another selection is never compared (--suite a after a full run does
 * not miss suite b).
 *
 * Under --shard the split follows recorded durations and can move work
 * between nodes from one run to the next: a node compares only the tests
 * of suites it runs whole (an item named after the suite), and those of
 * suites no node runs any more (gone from the configuration).
 *
 * --rerun-failed reads the newest run of this branch and shard (whatever
 * its selection), keeps the suites of its failed and flaky tests, runs
 * only the matching cases of suites run case by case, and asks each whole
 * suite for just those tests the way retries do (cli/select.c: GoogleTest
 * filter, pytest node ids, ctest -R, the suite's "rerun" template); a
 * suite that cannot select runs whole. A test asked for and not reported
 * is an error (run_check_asked()), never a pass. Under --shard K/N the
 * failures are node K's, and cmd_run.c runs them all here (no new split).
 */
#include "cli/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* The selection line                                                      */
/* ---------------------------------------------------------------------- */

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends "flag value" for each value of v[0..n), sorted. */
static void add_sorted(char ***argv, size_t *k, const char *flag,
		       const char *const *v, size_t n)
{
	const char **s = fg_xcalloc(n + 1, sizeof(char *));

	if (n) /* v may be NULL then */
		memcpy(s, v, n * sizeof(char *));
	qsort(s, n, sizeof(char *), by_str);
	*argv = fg_xrealloc(*argv, (*k + 2 * n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		(*argv)[(*k)++] = fg_xstrdup(flag);
		(*argv)[(*k)++] = fg_xstrdup(s[i]);
	}
	(*argv)[*k] = NULL;
	free(s);
}

static void add_one(char ***argv, size_t *k, const char *a)
{
	*argv = fg_xrealloc(*argv, (*k + 2) * sizeof(char *));
	(*argv)[(*k)++] = fg_xstrdup(a);
	(*argv)[*k] = NULL;
}

/* A path as given, without a leading "./" (same file, same line). */
static const char *plain_path(const char *p)
{
	while (p[0] == '.' && p[1] == '/' && p[2])
		p += 2;
	return p;
}

char *run_selection(const struct run_opts *o, const struct fg_config *cfg,
		    int nargs, char **args)
{
	char **argv = fg_xcalloc(1, sizeof(char *)), *line;
	const char **suites;
	size_t k = 0, ns = o->suites.n;
	bool programs = !cfg->path && !o->sel.ctest && !o->sel.meson;

	/* `run -c FILE NAME` is `--suite NAME`: one list */
	suites = fg_xcalloc(o->suites.n + (size_t)nargs + 1, sizeof(char *));
	if (o->suites.n)
		memcpy(suites, o->suites.v, o->suites.n * sizeof(char *));
	if (programs) {
		add_one(&argv, &k, "programs");
		for (int i = 0; i < nargs; i++)
			add_one(&argv, &k, args[i]);
	} else {
		for (int i = 0; i < nargs; i++)
			suites[ns++] = args[i];
	}
	if (cfg->path) {
		add_one(&argv, &k, "config");
		add_one(&argv, &k, plain_path(cfg->path));
	}
	if (o->sel.ctest) {
		add_one(&argv, &k, "--ctest");
		add_one(&argv, &k, plain_path(o->sel.ctest));
	}
	if (o->sel.meson) {
		add_one(&argv, &k, "--meson");
		add_one(&argv, &k, plain_path(o->sel.meson));
	}
	add_sorted(&argv, &k, "--label", o->sel.labels.v, o->sel.labels.n);
	add_sorted(&argv, &k, "--suite", suites, ns);
	add_sorted(&argv, &k, "--filter", o->filter.v, o->filter.n);
	if (o->rerun_failed)
		add_one(&argv, &k, "--rerun-failed");
	if (o->stress_runs) /* `stress --record`: never a run's baseline */
		add_one(&argv, &k, "stress");
	line = cli_shell_line(NULL, argv);
	fg_strv_free(argv);
	free(suites);
	return line;
}

/* ---------------------------------------------------------------------- */
/* Missing tests                                                           */
/* ---------------------------------------------------------------------- */

static bool has_suite(const struct fg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsuites; i++)
		if (!strcmp(cfg->suites[i].name, name))
			return true;
	return false;
}

/*
 * The suite-level test a whole suite or a shard gets only when its process
 * had a problem (no XML, a crash: "suite::suite", "suite::shard 2/4"): it
 * is not missing when the suite reports its tests again.
 */
static bool problem_test(const struct fg_config *cfg, const struct fg_test *t)
{
	int k, n, end = 0;

	if (*t->classname || !has_suite(cfg, t->suite))
		return false;
	return !strcmp(t->name, t->suite) ||
	       (sscanf(t->name, "shard %d/%d%n", &k, &n, &end) == 2 &&
		!t->name[end]);
}

/* Under --shard: whether this node runs suite `name` whole. */
static bool runs_whole(const struct fg_run *run, const char *name)
{
	for (size_t i = 0; i < run->nitems; i++)
		if (!strcmp(run->items[i].id, name))
			return true;
	return false;
}

static void add_missing(struct fg_run *run, const struct fg_test *t)
{
	struct fg_missing *m;

	run->missing = fg_xrealloc(run->missing, (run->nmissing + 1) *
				   sizeof(*run->missing));
	m = &run->missing[run->nmissing++];
	m->suite = fg_xstrdup(t->suite);
	m->classname = fg_xstrdup(t->classname);
	m->name = fg_xstrdup(t->name);
}

void run_find_missing(struct run_state *rs, struct history_store *store)
{
	struct fg_run *run = &rs->run;
	const struct history_run_key key = {
		.branch = run->branch, .shard = run->shard,
		.selection = run->selection, .complete_only = true,
	};
	struct fg_run base;
	struct fg_error err = { 0 };
	int64_t id;

	/*
	 * A partial run (interrupted, --fail-fast) did not run everything
	 * on purpose; --rerun-failed's selection depends on the history.
	 */
	if (run->interrupted || rs->fail_fast_hit || rs->o->rerun_failed ||
	    !run->selection)
		return;
	if (history_store_find_run(store, &key, &id, &err) ||
	    (id && history_store_run_tests(store, id, &base, &err))) {
		fprintf(stderr, "flakeguard: not compared with the last run "
			"(missing tests): %s\n", cli_safe(err.msg));
		return;
	}
	if (!id)
		return;
	run->missing_since = id;
	for (size_t i = 0; i < base.ntests; i++) {
		const struct fg_test *t = &base.tests[i];

		if (fg_run_find_test(run, t->suite, t->classname, t->name) ||
		    problem_test(rs->cfg, t))
			continue;
		if (run->shard && has_suite(rs->cfg, t->suite) &&
		    !runs_whole(run, t->suite))
			continue; /* it may run on another node now */
		add_missing(run, t);
	}
	fg_run_release(&base);
}

void run_strict_verdict(const struct run_state *rs,
			struct an_verdict *v)
{
	const struct fg_run *run = &rs->run;
	char why[128];

	if (!rs->o->strict || !run->nmissing)
		return;
	snprintf(why, sizeof(why), "%zu test%s missing since run #%lld "
		 "(--strict)", run->nmissing, run->nmissing == 1 ? "" : "s",
		 (long long)run->missing_since);
	if (v->exit_code == FG_EXIT_OK) {
		v->exit_code = FG_EXIT_FAILED;
		snprintf(v->reason, sizeof(v->reason), "%s", why);
	} else {
		size_t n = strlen(v->reason);

		snprintf(v->reason + n, sizeof(v->reason) - n, "; and %s", why);
	}
}

/* ---------------------------------------------------------------------- */
/* --rerun-failed                                                          */
/* ---------------------------------------------------------------------- */

static bool wants_rerun(enum fg_outcome o)
{
	return o == FG_O_FAILED || o == FG_O_FLAKY || o == FG_O_QUARANTINED;
}

/* A suite name as an fnmatch pattern that matches only itself. */
static char *glob_quote(const char *s)
{
	char *out = fg_xmalloc(strlen(s) * 2 + 1), *o = out;

	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

int run_rerun_load(struct run_state *rs, struct history_store *store)
{
	struct fg_run *want = &rs->rerun;
	struct fg_run last;
	const struct history_run_key key = {
		.branch = rs->run.branch, .shard = rs->run.shard,
	};
	struct fg_error err = { 0 };
	const char **globs;
	size_t nglobs = 0, nelsewhere = 0;
	const char *elsewhere = NULL;
	int64_t id;
	int rc;

	fg_run_init(want);
	if (history_store_find_run(store, &key, &id, &err) ||
	    (id && history_store_run_tests(store, id, &last, &err)))
		return cli_error(&err);
	if (!id) {
		fprintf(stderr, "flakeguard: --rerun-failed: no recorded run of "
			"branch '%s'%s%s in %s: nothing to rerun from\n",
			cli_safe(rs->run.branch ? rs->run.branch : "(none)"),
			rs->run.shard ? " on shard " : "",
			rs->run.shard ? rs->run.shard : "",
			cli_db_label(rs->o->db));
		return FG_EXIT_USAGE;
	}
	want->id = id;
	for (size_t i = 0; i < last.ntests; i++) {
		const struct fg_test *t = &last.tests[i];

		if (!wants_rerun(t->outcome))
			continue;
		if (!has_suite(rs->cfg, t->suite)) {
			nelsewhere++;
			elsewhere = elsewhere ? elsewhere : t->suite;
			continue;
		}
		fg_run_add_test(want, t->suite, t->classname, t->name)->outcome =
			t->outcome;
	}
	if (!want->ntests && !nelsewhere) {
		fg_run_release(&last);
		if (rs->o->verbosity >= 0)
			printf("flakeguard: no failed or flaky tests in run #%lld "
			       "(the last of branch '%s'%s%s): nothing to rerun\n",
			       (long long)id, cli_safe(rs->run.branch ?
			       rs->run.branch : "(none)"), rs->run.shard ?
			       ", shard " : "", rs->run.shard ?
			       rs->run.shard : "");
		return RUN_NOTHING_TO_RERUN;
	}
	if (nelsewhere)
		fprintf(stderr, "flakeguard: --rerun-failed: %zu failed test(s) "
			"of run #%lld are in suites this configuration does "
			"not have ('%s'%s): not run\n", nelsewhere,
			(long long)id, cli_safe(elsewhere),
			nelsewhere > 1 ? ", ..." : "");
	fg_run_release(&last);
	if (!want->ntests) {
		fprintf(stderr, "flakeguard: --rerun-failed: nothing of run "
			"#%lld to rerun with this configuration\n",
			(long long)id);
		return FG_EXIT_USAGE;
	}
	/* their suites, with the fixtures they need */
	globs = fg_xcalloc(want->ntests + 1, sizeof(char *));
	for (size_t i = 0; i < want->ntests; i++)
		if (!i || strcmp(want->tests[i].suite, want->tests[i - 1].suite))
			globs[nglobs++] = glob_quote(want->tests[i].suite);
	rc = cli_keep_suites(&cli_cmd_run, rs->cfg, globs, nglobs);
	for (size_t i = 0; i < nglobs; i++)
		free((char *)globs[i]);
	free(globs);
	if (!rc && rs->o->verbosity >= 0)
		fprintf(stderr, "flakeguard: --rerun-failed: %zu failed or "
			"flaky test(s) of run #%lld\n", want->ntests,
			(long long)id);
	return rc;
}

/* Whether the whole suite failed last time (its suite-level test). */
static bool suite_failed(const struct run_state *rs, const char *suite)
{
	return fg_run_find_test((struct fg_run *)&rs->rerun, suite, "",
				suite) != NULL;
}

/* Whether case `c` of suite is one of the tests to rerun. */
static bool case_wanted(const struct run_state *rs, const char *suite,
			const char *c)
{
	const struct fg_run *w = &rs->rerun;

	for (size_t i = 0; i < w->ntests; i++) {
		const struct fg_test *t = &w->tests[i];
		size_t cl = strlen(t->classname);

		if (strcmp(t->suite, suite))
			continue;
		if (!cl && !strcmp(t->name, c))
			return true;
		if (cl && !strncmp(c, t->classname, cl) && c[cl] == '.' &&
		    !strcmp(c + cl + 1, t->name))
			return true;
	}
	return false;
}

void run_rerun_plan(struct run_state *rs)
{
	size_t keep = 0;

	if (!rs->o->rerun_failed)
		return;
	for (size_t i = 0; i < rs->plan.n; i++) {
		struct runner_item *it = &rs->plan.items[i];
		const char *suite = rs->cfg->suites[it->suite].name;

		if (!it->case_name || it->support ||
		    suite_failed(rs, suite) ||
		    case_wanted(rs, suite, it->case_name)) {
			rs->plan.items[keep++] = *it;
			continue;
		}
		free(it->id);
		free(it->case_name);
	}
	rs->plan.n = keep;
}

void run_rerun_ask(struct item_state *is)
{
	const struct run_state *rs = is->rs;
	const struct fg_run *w = &rs->rerun;
	enum cli_framework fw = cli_suite_framework(is->cfg);
	const char *suite = is->cfg->name;

	if (!rs->o->rerun_failed || is->item->case_name ||
	    is->item->shard >= 0 || is->item->support ||
	    suite_failed(rs, suite) ||
	    (!is->cfg->rerun && (fw == CLI_FW_NONE || fw == CLI_FW_CASES)))
		return; /* the whole item runs */
	for (size_t i = 0; i < w->ntests; i++) {
		const struct fg_test *t = &w->tests[i];

		if (strcmp(t->suite, suite))
			continue;
		is->asked = fg_xrealloc(is->asked, (is->nasked + 1) *
					sizeof(*is->asked));
		is->asked[is->nasked].classname = fg_xstrdup(t->classname);
		is->asked[is->nasked].name = fg_xstrdup(t->name);
		is->nasked++;
	}
	if (is->nasked)
		is->seen_asked = fg_xcalloc(is->nasked, sizeof(bool));
}
