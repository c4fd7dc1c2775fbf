/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_run.c - `flakeguard run`: plan, run, read, record, report.
 *
 * This file wires the stages together and owns nothing clever:
 *   config (core) -> plan: items ordered by history, this node's share
 *   (cli/plan.c) -> one runner_job per item attempt (runner) -> JUnit of
 *   each attempt (history) -> the run model -> verdict (analyzer) ->
 *   history database (history) -> reports (reporters).
 *
 * An item's attempt becomes results like this:
 *   - its JUnit XML (at {junit} / FLAKEGUARD_JUNIT, or the suite's fixed
 *     "junit" path) gives one test per test case;
 *   - an item-level test records the process itself when there is no XML,
 *     when the XML is unreadable, when the process ended abnormally
 *     (timeout, signal, leak, could not start), or when it exited non-zero
 *     while its XML shows no failure: a non-zero exit is never a silent
 *     pass. Its name is the suite's (whole suite), the case's, or
 *     "shard K/N".
 * Retries rerun the failed item: one case where the suite runs cases one
 * at a time, else the suite (or shard). Each attempt adds an attempt to
 * every test it reports, so fail-then-pass is recorded as flaky.
 */
#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "history/history.h"
#include "reporters/report.h"
#include "runner/runner.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DB ".flakeguard/history.db"
#define DEFAULT_TIMEOUT_MS (10 * 60 * 1000)
#define OUTPUT_TAIL_FOR_XML (16 * 1024)

struct run_opts {
	const char *config;
	const char *db;
	const char *json;
	const char *junit;
	const char *junit_profile;
	const char *html;
	const char *markdown;
	const char *commit;
	const char *branch;
	const char *color;
	const char *shard;
	const char *plan;
	const char *log_dir;
	int jobs;
	int retries;
	int max_fail;            /* 0: no limit */
	int max_retry_failures;  /* -1: no limit */
	int64_t timeout_ms;
	int64_t kill_grace_ms;
	int64_t leak_timeout_ms;
	bool flaky_fails;
	bool no_capture;
	bool keep_tmp;
	int verbosity;       /* -1 quiet, 0 normal, 1 verbose */
	/* the analyzer (issue 5) */
	const char *qfile;       /* --quarantine FILE */
	bool no_auto_quarantine;
	bool strict_quarantine;
	char **policy;           /* --policy KEY=VALUE, in order */
	size_t npolicy;
};

struct item_state {
	struct run_state *rs;
	const struct runner_item *item;
	const struct fg_suite_cfg *cfg;
	size_t index;
	int attempt;          /* number of the attempt running or last run */
	int max_attempts;
	char *cwd;
	char *junit;          /* where this attempt's XML is expected */
	bool fixed_junit;     /* the suite names its own XML path */
	char *tmpdir;         /* this attempt's TEST_TMPDIR */
	char *log_path;       /* this attempt's --log-dir file */
	char **argv;          /* this attempt's argv */
	char **env;           /* this attempt's complete environment */
	char *self_name;      /* the item-level test's name */
	bool has_self_test;   /* an item-level test exists in the run */
	bool failed;          /* the last attempt failed */
	bool ran;             /* finished for good, not cancelled/interrupted */
	struct runner_job job;
};

struct run_state {
	struct run_opts *o;
	struct fg_config *cfg;
	struct runner_plan plan;
	struct fg_run run;
	struct an_policy policy;          /* config, then flags */
	struct cli_quarantine quarantine; /* database entries + --quarantine */
	struct item_state *items;
	struct runner *runner;
	char *tmpdir;
	char **free_dirs;     /* empty TEST_TMPDIRs ready for reuse */
	size_t nfree_dirs, free_dirs_cap;
	unsigned next_dir;    /* names new TEST_TMPDIRs */
	char run_id[40];
	FILE *human;          /* where progress and the summary go */
	bool color;
	bool live;            /* a TTY: one live status line */
	bool line_drawn;      /* the live line is on screen */
	size_t spawn_errors;
	size_t done;          /* items finished for good */
	size_t failed_items;  /* items whose last attempt failed for good */
	size_t flaky_items;
	size_t retries_left_items; /* failed items waiting for a retry */
	bool retries_off;     /* --max-retry-failures exceeded */
	bool fail_fast_hit;
	int64_t estimate_left_ms;
	uint64_t t0;
	int jobs;
};

/* ---------------------------------------------------------------------- */
/* Per-attempt preparation                                                 */
/* ---------------------------------------------------------------------- */

static void env_setf(char ***env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void env_setf(char ***env, const char *fmt, ...)
{
	va_list ap;
	char *kv;

	va_start(ap, fmt);
	if (vasprintf(&kv, fmt, ap) < 0)
		kv = NULL;
	va_end(ap);
	if (!kv)
		FG_BUG("out of memory formatting environment");
	cli_env_set(env, kv);
	free(kv);
}

static char **build_env(struct item_state *is)
{
	const struct runner_item *it = is->item;
	char **env = cli_suite_env(is->cfg, is->junit);

	env_setf(&env, "FLAKEGUARD_JUNIT=%s", is->junit);
	env_setf(&env, "XML_OUTPUT_FILE=%s", is->junit);
	env_setf(&env, "FLAKEGUARD_ATTEMPT=%d", is->attempt);
	env_setf(&env, "FLAKEGUARD_RUN_ID=%s", is->rs->run_id);
	env_setf(&env, "TEST_TMPDIR=%s", is->tmpdir);
	if (it->case_name)
		env_setf(&env, "FLAKEGUARD_CASE=%s", it->case_name);
	if (it->shard >= 0) {
		/* The Bazel sharding protocol, and GoogleTest's own. */
		env_setf(&env, "TEST_TOTAL_SHARDS=%d", it->nshards);
		env_setf(&env, "TEST_SHARD_INDEX=%d", it->shard);
		env_setf(&env, "TEST_SHARD_STATUS_FILE=%s/shard-status",
			 is->tmpdir);
		env_setf(&env, "GTEST_TOTAL_SHARDS=%d", it->nshards);
		env_setf(&env, "GTEST_SHARD_INDEX=%d", it->shard);
	}
	return env;
}

static char **build_argv(struct item_state *is)
{
	const struct fg_suite_cfg *s = is->cfg;
	const char *name = is->item->case_name;
	char *const *src = name && s->cases_run ? s->cases_run : s->argv;
	size_t n = fg_strv_len(src);
	char **argv = fg_xcalloc(n + 3, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		char *a = cli_subst(src[i], "{junit}", is->junit);

		argv[i] = cli_subst(a, "{case}", name);
		free(a);
	}
	if (name && s->cases_gtest) {
		argv[n] = fg_xasprintf("--gtest_filter=%s", name);
		argv[n + 1] = fg_xasprintf("--gtest_output=xml:%s", is->junit);
	}
	return argv;
}

/* A file-name-safe form of an item id for --log-dir. */
static char *safe_name(const char *id)
{
	char *s = fg_xstrdup(id);

	for (char *p = s; *p; p++)
		if (*p == '/' || *p == ' ' || *p == ':' || *p == '#' ||
		    (unsigned char)*p < 0x20)
			*p = '_';
	return s;
}

static void prepare_attempt(struct item_state *is)
{
	struct run_state *rs = is->rs;

	is->attempt++;
	if (!is->fixed_junit) {
		free(is->junit);
		is->junit = fg_xasprintf("%s/%zu.%d.xml", rs->tmpdir, is->index,
					 is->attempt);
	}
	/* Stale XML from an earlier run must never be read as this one's. */
	if (unlink(is->junit) < 0 && errno != ENOENT)
		fg_log(FG_LOG_WARN, "run", "cannot remove stale '%s': %s",
		       is->junit, strerror(errno));
	if (rs->o->log_dir) {
		char *safe = safe_name(is->item->id);

		free(is->log_path);
		is->log_path = fg_xasprintf("%s/%s.%d.log", rs->o->log_dir,
					    safe, is->attempt);
		free(safe);
	}
	fg_strv_free(is->argv);
	is->argv = build_argv(is);
	fg_strv_free(is->env);
	is->env = NULL; /* built when the attempt starts: see on_start() */
	is->job = (struct runner_job){
		.name = is->item->id,
		.argv = is->argv,
		.cwd = is->cwd,
		.timeout_ms = is->cfg->timeout_ms ? is->cfg->timeout_ms :
						    rs->o->timeout_ms,
		.slots = is->cfg->slots,
		.locks = is->cfg->locks,
		.log_path = is->log_path,
		.no_capture = rs->o->no_capture,
		.data = is,
	};
	if (is->cfg->group) {
		const struct fg_group_cfg *g = fg_config_group(rs->cfg,
							       is->cfg->group);

		is->job.group = g ? (int)(g - rs->cfg->groups) + 1 : 0;
	}
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 &&
	    errno != ENOENT)
		fg_log(FG_LOG_WARN, "run", "cannot remove '%s': %s", path,
		       strerror(errno));
	return 0;
}

/* Removes a directory tree in-process (no fork, no shell); best effort. */
static void remove_tree(const char *path)
{
	if (rmdir(path) == 0 || errno == ENOENT)
		return;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * TEST_TMPDIRs: every attempt gets an empty directory. Creating and
 * deleting one per attempt cost more than the attempt itself for trivial
 * tests (ext4 with discard), so a directory an attempt left empty is
 * reused by the next; one it left files in is removed.
 */
static char *acquire_dir(struct run_state *rs)
{
	char *dir;

	if (rs->nfree_dirs)
		return rs->free_dirs[--rs->nfree_dirs];
	dir = fg_xasprintf("%s/tmp-%u", rs->tmpdir, rs->next_dir++);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		fg_log(FG_LOG_WARN, "run", "cannot create '%s': %s", dir,
		       strerror(errno));
	return dir;
}

static void release_dir(struct run_state *rs, char *dir)
{
	if (!dir)
		return;
	if (!rs->o->keep_tmp && dir_is_empty(dir)) {
		fg_xgrow((void **)&rs->free_dirs, &rs->free_dirs_cap,
			 rs->nfree_dirs + 1, sizeof(*rs->free_dirs));
		rs->free_dirs[rs->nfree_dirs++] = dir;
		return;
	}
	if (!rs->o->keep_tmp)
		remove_tree(dir);
	free(dir);
}

/* An attempt starts: its TEST_TMPDIR and environment. */
static void on_start(struct runner *r, struct runner_job *job, void *data)
{
	struct item_state *is = job->data;

	(void)r;
	is->tmpdir = acquire_dir(data);
	fg_strv_free(is->env);
	is->env = build_env(is);
	job->env = is->env;
}

/* ---------------------------------------------------------------------- */
/* From a finished attempt to results                                      */
/* ---------------------------------------------------------------------- */

/* The attempt status of the process and a message for it. */
static enum fg_astatus process_status(struct item_state *is, char *msg,
				      size_t n)
{
	const struct runner_result *res = &is->job.result;
	char d[32];

	msg[0] = '\0';
	switch (res->end) {
	case RUNNER_SPAWN_FAILED:
		snprintf(msg, n, "could not start '%s': %s", is->argv[0],
			 strerror(res->spawn_errno));
		return FG_A_ERROR;
	case RUNNER_INTERRUPTED:
		snprintf(msg, n, "interrupted after %s",
			 fg_duration_format(res->duration_ms, d, sizeof(d)));
		return FG_A_ERROR;
	case RUNNER_CANCELLED:
		snprintf(msg, n, "cancelled after %s (--fail-fast)",
			 fg_duration_format(res->duration_ms, d, sizeof(d)));
		return FG_A_SKIPPED;
	case RUNNER_TIMEOUT:
		snprintf(msg, n, "timed out after %s",
			 fg_duration_format(is->job.timeout_ms, d, sizeof(d)));
		return FG_A_TIMEOUT;
	case RUNNER_SIGNALED:
		snprintf(msg, n, "killed by signal %d (%s)", res->term_signal,
			 strsignal(res->term_signal));
		return FG_A_CRASHED;
	case RUNNER_EXITED:
		break;
	}
	if (res->leaked && is->cfg->leak_fails != 0) {
		snprintf(msg, n, "exited with status %d but left processes "
			 "holding its output open (leaked); they were killed",
			 res->exit_code);
		return FG_A_LEAKED;
	}
	if (res->exit_code) {
		snprintf(msg, n, "exited with status %d", res->exit_code);
		return FG_A_FAILED;
	}
	return FG_A_PASSED;
}

/*
 * Moves the tests of one attempt's XML into the run, as attempts; failures
 * the XML gives no output of their own get the tail of the process's.
 */
static size_t merge_xml(struct item_state *is, struct fg_run *xml,
			const char *output_tail)
{
	for (size_t i = 0; output_tail && *output_tail && i < xml->ntests; i++)
		for (size_t k = 0; k < xml->tests[i].nattempts; k++) {
			struct fg_attempt *a = &xml->tests[i].attempts[k];

			if (fg_astatus_is_failure(a->status) && !a->output)
				a->output = fg_xstrdup(output_tail);
		}
	return fg_run_absorb(&is->rs->run, xml);
}

/* Reads this attempt's XML into the run; returns -1 when there was none. */
static long read_xml(struct item_state *is, const char *output_tail,
		     char *xml_problem, size_t n)
{
	struct history_junit_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct fg_run xml;
	struct stat st;
	long failures;
	int rc;

	xml_problem[0] = '\0';
	if (stat(is->junit, &st) < 0)
		return -1;
	fg_run_init(&xml);
	rc = history_junit_read(is->junit, is->cfg->name, &xml, &stats, &err);
	if (rc) {
		fg_log(FG_LOG_WARN, "run", "%s", err.msg);
		snprintf(xml_problem, n, "%s", err.msg);
	} else if (!xml.ntests) {
		snprintf(xml_problem, n, "%s: JUnit XML holds no test case",
			 is->junit);
	}
	failures = (long)merge_xml(is, &xml, output_tail);
	if (!xml.ntests && !rc)
		failures = -1;
	fg_run_release(&xml);
	return failures;
}

static void record_self_test(struct item_state *is, enum fg_astatus st,
			     const char *msg, const char *output)
{
	struct fg_run *run = &is->rs->run;
	struct fg_test *t = NULL;
	struct fg_attempt *a;

	if (is->has_self_test)
		t = fg_run_find_test(run, is->cfg->name, "", is->self_name);
	if (!t)
		t = fg_run_add_test(run, is->cfg->name, "", is->self_name);
	/* Retries continue the attempt numbering of the item. */
	while ((int)t->nattempts + 1 < is->attempt)
		fg_test_add_attempt(t, FG_A_SKIPPED, 0, "not run in this "
				    "attempt", NULL);
	is->has_self_test = true;
	a = fg_test_add_attempt(t, st, is->job.result.duration_ms,
				*msg ? msg : NULL,
				fg_astatus_is_failure(st) ? output : NULL);
	a->started_at_ms = is->job.result.started_at_ms;
}

/* ---------------------------------------------------------------------- */
/* Progress                                                                */
/* ---------------------------------------------------------------------- */

static void clear_live(struct run_state *rs)
{
	if (rs->line_drawn)
		fputs("\r\033[K", rs->human);
	rs->line_drawn = false;
}

static void draw_live(struct run_state *rs)
{
	size_t running = rs->runner ? runner_running(rs->runner) : 0;
	int64_t elapsed = (int64_t)((fg_monotonic_ns() - rs->t0) / 1000000);
	char line[512], d[32];
	int n;

	if (!rs->live || rs->o->verbosity < 0)
		return;
	n = snprintf(line, sizeof(line), "[%zu/%zu] %s, %zu failed, %zu flaky",
		     rs->done, rs->plan.n,
		     fg_duration_format(elapsed, d, sizeof(d)),
		     rs->failed_items, rs->flaky_items);
	if (rs->estimate_left_ms > 0 && rs->jobs > 0) {
		int64_t left = rs->estimate_left_ms, now = fg_now_ms();

		/* Running items are partly done: count what they have left. */
		for (size_t i = 0; i < running; i++) {
			const struct runner_job *j =
				runner_running_job(rs->runner, i);
			const struct item_state *is = j->data;
			int64_t ran = now - j->result.started_at_ms;

			left -= ran < is->item->estimate_ms ?
					ran : is->item->estimate_ms;
		}
		if (left > 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
				      ", ETA %s", fg_duration_format(
					      left / rs->jobs, d, sizeof(d)));
	}
	for (size_t i = 0; i < running && n < 100; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s",
			      i ? ", " : " | ",
			      runner_running_job(rs->runner, i)->name);
	if (n > 110)
		memcpy(line + 107, "...", 4);
	fprintf(rs->human, "\r\033[K%s", line);
	fflush(rs->human);
	rs->line_drawn = true;
}

static void on_tick(struct runner *r, void *data)
{
	(void)r;
	draw_live(data);
}

static void print_progress(struct item_state *is, enum fg_astatus st,
			   long xml_failures)
{
	struct run_state *rs = is->rs;
	struct fg_attempt a = {
		.number = is->attempt,
		.status = xml_failures > 0 && st == FG_A_PASSED ? FG_A_FAILED :
								  st,
		.duration_ms = is->job.result.duration_ms,
	};
	struct fg_test t = {
		.suite = (char *)is->item->id, .classname = "",
		.name = (char *)is->item->id,
	};

	if (rs->o->verbosity < 0)
		return;
	/* On a TTY only failures get a line; the live line shows the rest. */
	if (rs->live && !fg_astatus_is_failure(a.status) &&
	    rs->o->verbosity < 1)
		return;
	clear_live(rs);
	report_term_attempt(rs->human, &t, &a, rs->color);
	fflush(rs->human);
}

/* ---------------------------------------------------------------------- */
/* The runner's callback                                                   */
/* ---------------------------------------------------------------------- */

static bool want_retry(struct item_state *is)
{
	struct run_state *rs = is->rs;
	enum runner_end end = is->job.result.end;

	if (!is->failed || is->attempt >= is->max_attempts || rs->retries_off)
		return false;
	return end != RUNNER_SPAWN_FAILED && end != RUNNER_INTERRUPTED &&
	       end != RUNNER_CANCELLED;
}

static void item_finished(struct item_state *is)
{
	struct run_state *rs = is->rs;

	rs->done++;
	rs->estimate_left_ms -= is->item->estimate_ms;
	is->ran = is->job.result.end != RUNNER_CANCELLED &&
		  is->job.result.end != RUNNER_INTERRUPTED;
	if (is->failed && is->job.result.end != RUNNER_CANCELLED)
		rs->failed_items++;
	else if (is->attempt > 1 && !is->failed)
		rs->flaky_items++;
	if (rs->o->max_fail && rs->failed_items >= (size_t)rs->o->max_fail &&
	    !rs->fail_fast_hit) {
		rs->fail_fast_hit = true;
		clear_live(rs);
		fprintf(stderr, "flakeguard: %zu failure(s): stopping "
			"(--fail-fast/--max-fail)\n", rs->failed_items);
		runner_cancel(rs->runner);
	}
}

static void on_done(struct runner *r, struct runner_job *job, void *data)
{
	struct item_state *is = job->data;
	struct run_state *rs = data;
	char msg[512], xml_problem[1100];
	enum fg_astatus st = process_status(is, msg, sizeof(msg));
	char *output = fg_buf_text(&job->result.output);
	size_t olen = strlen(output);
	const char *tail = olen > OUTPUT_TAIL_FOR_XML ?
				   output + olen - OUTPUT_TAIL_FOR_XML : output;
	long xml_failures;

	if (job->result.end == RUNNER_SPAWN_FAILED) {
		rs->spawn_errors++;
		clear_live(rs);
		fprintf(stderr, "flakeguard: %s: %s\n", is->item->id, msg);
	}
	xml_failures = read_xml(is, tail, xml_problem, sizeof(xml_problem));
	if (xml_failures < 0 || xml_problem[0] ||
	    (st != FG_A_PASSED && st != FG_A_FAILED) ||
	    (st == FG_A_FAILED && xml_failures == 0) || is->has_self_test) {
		if (st == FG_A_FAILED && xml_failures == 0)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 " but its JUnit XML reports no failure");
		if (xml_problem[0] && st == FG_A_PASSED) {
			st = FG_A_ERROR;
			snprintf(msg, sizeof(msg), "%.500s", xml_problem);
		}
		record_self_test(is, st, msg, output);
	}
	print_progress(is, st, xml_failures);
	is->failed = fg_astatus_is_failure(st) || xml_failures > 0;
	free(output);
	runner_job_release(job);
	release_dir(rs, is->tmpdir);
	is->tmpdir = NULL;
	if (is->failed && is->attempt == 1 && rs->o->max_retry_failures >= 0 &&
	    ++rs->retries_left_items > (size_t)rs->o->max_retry_failures &&
	    !rs->retries_off) {
		rs->retries_off = true;
		if (is->max_attempts > 1)
			fprintf(stderr, "flakeguard: more than %d failures: no "
				"more retries (--max-retry-failures)\n",
				rs->o->max_retry_failures);
	}
	if (want_retry(is)) {
		prepare_attempt(is);
		runner_submit(r, &is->job);
		return;
	}
	item_finished(is);
}

/* ---------------------------------------------------------------------- */
/* Set-up and tear-down                                                    */
/* ---------------------------------------------------------------------- */

/*
 * Quarantine mode skip: items that are one quarantined test are not run;
 * the test is recorded as skipped. Only whole items can be skipped: a
 * suite without XML of its own tests (identity suite::suite), or a case of
 * a suite run case by case (suite::case, or suite::Class::name for
 * GoogleTest's Class.name); a test inside a suite's XML cannot be.
 */
static bool skip_match(const struct history_quarantine *q,
		       const struct runner_item *it, const char *suite)
{
	const char *want = it->case_name ? it->case_name : suite;
	size_t cl = strlen(q->classname ? q->classname : "");

	if (strcmp(q->mode ? q->mode : "run", "skip") || it->shard >= 0 ||
	    strcmp(q->suite, suite))
		return false;
	if (!cl)
		return !strcmp(q->name, want);
	return !strncmp(want, q->classname, cl) && want[cl] == '.' &&
	       !strcmp(want + cl + 1, q->name);
}

static void skip_quarantined(struct run_state *rs)
{
	const struct history_quarantine_list *l = &rs->quarantine.active;
	size_t keep = 0;

	for (size_t i = 0; i < rs->plan.n; i++) {
		struct runner_item *it = &rs->plan.items[i];
		const char *suite = rs->cfg->suites[it->suite].name;
		const struct history_quarantine *q = NULL;

		for (size_t k = 0; k < l->n && !q; k++)
			if (skip_match(&l->items[k], it, suite))
				q = &l->items[k];
		if (!q) {
			rs->plan.items[keep++] = *it;
			continue;
		}
		fg_test_add_attempt(fg_run_add_test(&rs->run, q->suite,
						    q->classname, q->name),
				    FG_A_SKIPPED, 0, "not run: quarantined "
				    "(mode skip)", NULL);
		/* Settled, for `verify`: quarantine decided it. */
		fg_run_add_item(&rs->run, it->id, it->node, true);
		free(it->id);
		free(it->case_name);
	}
	rs->plan.n = keep;
}

static void setup_items(struct run_state *rs)
{
	rs->items = fg_xcalloc(rs->plan.n + 1, sizeof(*rs->items));
	for (size_t i = 0; i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];
		const struct runner_item *it = &rs->plan.items[i];
		const struct fg_suite_cfg *sc = &rs->cfg->suites[it->suite];
		int retries = sc->retries >= 0 ? sc->retries : rs->o->retries;

		is->rs = rs;
		is->item = it;
		is->cfg = sc;
		is->index = i;
		is->max_attempts = 1 + (retries > 0 ? retries : 0);
		is->cwd = cli_suite_cwd(rs->cfg, sc);
		is->self_name = it->case_name ? fg_xstrdup(it->case_name) :
				it->shard >= 0 ?
				fg_xasprintf("shard %d/%d", it->shard + 1,
					     it->nshards) :
				fg_xstrdup(sc->name);
		if (sc->junit && !it->case_name && it->shard < 0) {
			char *p = sc->junit[0] == '/' ? fg_xstrdup(sc->junit) :
				  fg_xasprintf("%s/%s", is->cwd, sc->junit);

			is->junit = p[0] == '/' ? p :
				    fg_xasprintf("%s/%s", getenv("PWD") ?
					getenv("PWD") : ".", p);
			if (is->junit != p)
				free(p);
			is->fixed_junit = true;
		}
		rs->estimate_left_ms += it->estimate_ms;
		prepare_attempt(is);
	}
}

static void free_items(struct run_state *rs)
{
	for (size_t i = 0; rs->items && i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];

		free(is->cwd);
		free(is->junit);
		free(is->tmpdir);
		free(is->log_path);
		free(is->self_name);
		fg_strv_free(is->argv);
		fg_strv_free(is->env);
	}
	free(rs->items);
	for (size_t i = 0; i < rs->nfree_dirs; i++)
		free(rs->free_dirs[i]);
	free(rs->free_dirs);
	if (rs->tmpdir && !rs->o->keep_tmp)
		remove_tree(rs->tmpdir);
	else if (rs->tmpdir)
		fprintf(stderr, "flakeguard: kept '%s'\n", rs->tmpdir);
	free(rs->tmpdir);
}

static int make_tmpdir(struct run_state *rs, struct fg_error *err)
{
	const char *base = getenv("TMPDIR");
	unsigned char rnd[8] = { 0 };
	char *tmpl;

	tmpl = fg_xasprintf("%s/flakeguard-XXXXXX",
			    base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		fg_fail(err, FG_EIO, "cannot create a directory in '%s': %s",
			base && *base ? base : "/tmp", strerror(errno));
		free(tmpl);
		return FG_EIO;
	}
	rs->tmpdir = tmpl;
	if (getrandom(rnd, sizeof(rnd), 0) < 0)
		memcpy(rnd, &rs->t0, sizeof(rnd) < sizeof(rs->t0) ?
				     sizeof(rnd) : sizeof(rs->t0));
	snprintf(rs->run_id, sizeof(rs->run_id),
		 "%llx-%02x%02x%02x%02x%02x%02x%02x%02x",
		 (unsigned long long)fg_now_ms(), rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

enum {
	OPT_TIMEOUT = 256, OPT_DB, OPT_JSON, OPT_COMMIT, OPT_BRANCH,
	OPT_RETRIES, OPT_FLAKY_RESULT, OPT_COLOR, OPT_KILL_GRACE,
	OPT_LEAK_TIMEOUT, OPT_SHARD, OPT_FAIL_FAST, OPT_MAX_FAIL,
	OPT_MAX_RETRY_FAILURES, OPT_LOG_DIR, OPT_NO_CAPTURE, OPT_KEEP_TMP,
	OPT_JUNIT, OPT_JUNIT_PROFILE, OPT_HTML, OPT_MARKDOWN, OPT_PLAN,
	OPT_QUARANTINE, OPT_NO_AUTO_QUARANTINE, OPT_STRICT_QUARANTINE,
	OPT_POLICY,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-grace", required_argument, NULL, OPT_KILL_GRACE },
	{ "leak-timeout", required_argument, NULL, OPT_LEAK_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "max-retry-failures", required_argument, NULL,
	  OPT_MAX_RETRY_FAILURES },
	{ "flaky-result", required_argument, NULL, OPT_FLAKY_RESULT },
	{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
	{ "max-fail", required_argument, NULL, OPT_MAX_FAIL },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "junit-profile", required_argument, NULL, OPT_JUNIT_PROFILE },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "markdown", required_argument, NULL, OPT_MARKDOWN },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "no-capture", no_argument, NULL, OPT_NO_CAPTURE },
	{ "keep-tmp", no_argument, NULL, OPT_KEEP_TMP },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "quarantine", required_argument, NULL, OPT_QUARANTINE },
	{ "no-auto-quarantine", no_argument, NULL, OPT_NO_AUTO_QUARANTINE },
	{ "strict-quarantine", no_argument, NULL, OPT_STRICT_QUARANTINE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int int_opt(const char *name, const char *arg, int min, int max,
		   int *out)
{
	if (!cli_int_arg(arg, min, max, out))
		return 0;
	return cli_usage_error(&cli_cmd_run, "invalid --%s '%s' (expected "
			       "%d to %d)", name, arg, min, max);
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	const struct cli_command *cmd = &cli_cmd_run;
	struct fg_error err;
	int c, rc = 0, idx;

	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, "+c:j:qvh", long_opts,
				       &idx)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			rc = int_opt("jobs", optarg, 1, 4096, &o->jobs);
			break;
		case OPT_TIMEOUT:
		case OPT_KILL_GRACE:
		case OPT_LEAK_TIMEOUT: {
			int64_t *dst = c == OPT_TIMEOUT    ? &o->timeout_ms :
				       c == OPT_KILL_GRACE ? &o->kill_grace_ms :
							     &o->leak_timeout_ms;

			if (fg_duration_parse(optarg, dst, &err))
				rc = cli_usage_error(cmd, "%s", err.msg);
			break;
		}
		case OPT_RETRIES:
			rc = int_opt("retries", optarg, 0, 100, &o->retries);
			break;
		case OPT_MAX_RETRY_FAILURES:
			rc = int_opt("max-retry-failures", optarg, 0, 1000000,
				     &o->max_retry_failures);
			break;
		case OPT_MAX_FAIL:
			rc = int_opt("max-fail", optarg, 1, 1000000,
				     &o->max_fail);
			break;
		case OPT_FAIL_FAST:
			o->max_fail = 1;
			break;
		case OPT_FLAKY_RESULT:
			if (strcmp(optarg, "pass") && strcmp(optarg, "fail"))
				rc = cli_usage_error(cmd, "invalid --flaky-result "
						     "'%s' (expected pass or fail)",
						     optarg);
			o->flaky_fails = !strcmp(optarg, "fail");
			break;
		case OPT_SHARD:
			o->shard = optarg;
			break;
		case OPT_PLAN:
			o->plan = optarg;
			break;
		case OPT_QUARANTINE:
			o->qfile = optarg;
			break;
		case OPT_NO_AUTO_QUARANTINE:
			o->no_auto_quarantine = true;
			break;
		case OPT_STRICT_QUARANTINE:
			o->strict_quarantine = true;
			break;
		case OPT_POLICY:
			o->policy = fg_xrealloc(o->policy, (o->npolicy + 1) *
							   sizeof(char *));
			o->policy[o->npolicy++] = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_JUNIT_PROFILE:
			if (strcmp(optarg, "surefire") && strcmp(optarg, "attempts") &&
			    strcmp(optarg, "plain"))
				rc = cli_usage_error(cmd, "invalid --junit-profile "
						     "'%s' (expected surefire, "
						     "attempts or plain)", optarg);
			o->junit_profile = optarg;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_MARKDOWN:
			o->markdown = optarg;
			break;
		case OPT_LOG_DIR:
			o->log_dir = optarg;
			break;
		case OPT_NO_CAPTURE:
			o->no_capture = true;
			break;
		case OPT_KEEP_TMP:
			o->keep_tmp = true;
			break;
		case OPT_COMMIT:
			o->commit = optarg;
			break;
		case OPT_BRANCH:
			o->branch = optarg;
			break;
		case OPT_COLOR:
			if (report_color_choose(optarg, stdout) < 0)
				rc = cli_usage_error(cmd, "invalid --color '%s' "
						     "(expected auto, always or "
						     "never)", optarg);
			o->color = optarg;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			fg_log_set_level(FG_LOG_DEBUG);
			break;
		case 'h':
			cli_help(cmd);
			return -1;
		default:
			rc = cli_usage_error(cmd, "invalid option");
		}
	}
	return rc;
}

int cli_load_suites(const struct cli_command *cmd, const char **config,
		    int nprog, char **progs, struct fg_config *cfg)
{
	struct fg_error err;
	struct stat st;

	fg_config_init(cfg);
	if (nprog) {
		if (*config)
			fprintf(stderr, "flakeguard: programs given: ignoring "
				"the suites of '%s'\n", *config);
		for (int i = 0; i < nprog; i++)
			fg_config_add_program(cfg, progs[i]);
		return FG_OK;
	}
	if (!*config) {
		if (stat("flakeguard.json", &st) < 0)
			return cli_usage_error(cmd, "no programs given and no "
					       "flakeguard.json here (use -c "
					       "FILE)");
		*config = "flakeguard.json";
	}
	if (fg_config_load(cfg, *config, &err))
		return cli_error(&err);
	if (!cfg->nsuites) {
		fprintf(stderr, "flakeguard: %s: no suites to run\n", *config);
		return FG_EXIT_USAGE;
	}
	return FG_OK;
}

int cli_shard_choose(const struct cli_command *cmd, const char *arg, int *k,
		     int *n)
{
	struct fg_error err;

	*k = *n = 1;
	if (arg) {
		if (runner_shard_parse(arg, k, n, &err))
			return cli_usage_error(cmd, "%s", err.msg);
	} else if (runner_shard_from_env(k, n)) {
		fg_log(FG_LOG_INFO, "run", "shard %d/%d from the CI environment",
		       *k, *n);
	}
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

/* Runs every item and fills rs->run. Returns FG_OK or FG_EINTR. */
static int execute(struct run_state *rs, int *signal_out,
		   struct fg_error *err)
{
	int *group_max = fg_xcalloc(rs->cfg->ngroups + 1, sizeof(int));
	struct runner_opts ro = {
		.jobs = rs->jobs,
		.kill_grace_ms = rs->o->kill_grace_ms,
		.leak_timeout_ms = rs->o->leak_timeout_ms,
		.group_max = group_max,
		.ngroups = rs->cfg->ngroups,
		.tick_ms = rs->live ? 100 : 0,
		.on_tick = rs->live ? on_tick : NULL,
		.on_start = on_start,
		.on_done = on_done,
		.data = rs,
	};
	int rc;

	for (size_t i = 0; i < rs->cfg->ngroups; i++)
		group_max[i] = rs->cfg->groups[i].max;
	if ((rc = runner_new(&ro, &rs->runner, err))) {
		free(group_max);
		return rc;
	}
	for (size_t i = 0; i < rs->plan.n; i++)
		runner_submit(rs->runner, &rs->items[i].job);
	rc = runner_run(rs->runner);
	clear_live(rs);
	*signal_out = runner_signal(rs->runner);
	if (runner_dropped(rs->runner))
		fprintf(stderr, "flakeguard: %zu item(s) not started\n",
			runner_dropped(rs->runner));
	runner_free(rs->runner);
	rs->runner = NULL;
	for (size_t i = 0; i < rs->plan.n; i++)
		fg_run_add_item(&rs->run, rs->items[i].item->id,
				rs->items[i].item->node, rs->items[i].ran);
	free(group_max);
	rs->run.duration_ms = (int64_t)((fg_monotonic_ns() - rs->t0) / 1000000);
	return rc;
}

/* Verdict, exit code, database, reports. Returns the exit code. */
static int finish(struct run_state *rs, struct history_store *store, int sig)
{
	struct run_opts *o = rs->o;
	struct analyzer_verdict v;
	struct fg_error err = { 0 };
	struct an_run ar = { 0 };
	int64_t now = fg_now_ms();
	int exit_code;

	/*
	 * The analyzer: this run's tests against their history plus this
	 * run; the policy enters and releases quarantine, and the verdict
	 * already uses what it decided.
	 */
	if (cli_analysis_prepare(store, &rs->quarantine, &rs->run, &rs->policy,
				 &ar, &err)) {
		struct analyzer_opts ao = { .flaky_fails = o->flaky_fails };

		fprintf(stderr, "flakeguard: %s (no analysis: plain verdict)\n",
			err.msg);
		an_run_release(&ar);
		analyzer_verdict(&rs->run, &ao, &v);
	} else {
		analyzer_judge(&rs->run, &ar, now, &rs->policy, &v);
	}
	exit_code = v.exit_code;
	if (rs->spawn_errors) {
		exit_code = FG_EXIT_INFRA;
		snprintf(v.reason, sizeof(v.reason),
			 "%zu item(s) could not be started", rs->spawn_errors);
	}
	if (rs->run.interrupted) {
		exit_code = sig == SIGTERM ? FG_EXIT_SIGTERM : FG_EXIT_SIGINT;
		snprintf(v.reason, sizeof(v.reason), "interrupted by %s",
			 sig == SIGTERM ? "SIGTERM" : "SIGINT");
	}
	v.exit_code = exit_code;
	rs->run.exit_code = exit_code;

	if (history_store_write_run(store, &rs->run, &err) ||
	    cli_analysis_save(store, &ar, now, &err)) {
		fprintf(stderr, "flakeguard: %s\n", err.msg);
		exit_code = FG_EXIT_INFRA;
	}
	{
		const char *gha = getenv("GITHUB_ACTIONS");
		struct history_quarantine_list ql = { 0 };
		struct report_outputs ro = {
			.json = o->json, .junit = o->junit,
			.junit_profile = o->junit_profile, .html = o->html,
			.markdown = o->markdown,
			.github = gha && !strcmp(gha, "true"),
		};
		struct fg_error qerr;

		/* The list as this run left it (entries it added included). */
		if (o->html && !history_quarantine_list(store, false, &ql, &qerr))
			ro.quarantine = ql.n ? &ql : &rs->quarantine.active;
		if (report_write_all(&ro, &rs->run, &v, &err)) {
			fprintf(stderr, "flakeguard: %s\n", err.msg);
			exit_code = FG_EXIT_INFRA;
		}
		history_quarantine_list_release(&ql);
	}
	if (o->verbosity >= 0 || exit_code) {
		struct report_term_opts to = { .color = rs->color,
						.ci = report_ci_detect() };

		cli_analysis_print(rs->human, &rs->run, &ar, o->qfile);
		report_term(rs->human, &rs->run, &v, &to);
	}
	an_run_release(&ar);
	if (rs->run.id && o->verbosity >= 0)
		fprintf(rs->human, "recorded as run %lld in %s\n",
			(long long)rs->run.id, o->db);
	if (fflush(rs->human) && exit_code == FG_EXIT_OK)
		exit_code = FG_EXIT_INFRA;
	return exit_code;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = {
		.timeout_ms = DEFAULT_TIMEOUT_MS, .max_retry_failures = -1,
	};
	struct run_state rs = { .o = &o };
	struct history_store *store = NULL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	int rc, sig = 0, exit_code, shard_k, shard_n;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc < 0 ? FG_EXIT_OK : rc;
	if ((rc = cli_shard_choose(&cli_cmd_run, o.shard, &shard_k, &shard_n)))
		return rc;
	if ((rc = cli_load_suites(&cli_cmd_run, &o.config, argc - optind,
				  argv + optind, &cfg))) {
		fg_config_release(&cfg);
		return rc;
	}
	rs.cfg = &cfg;
	if (cfg.timeout_ms && o.timeout_ms == DEFAULT_TIMEOUT_MS)
		o.timeout_ms = cfg.timeout_ms;
	if (cfg.retries >= 0 && !o.retries)
		o.retries = cfg.retries;
	if (!o.db)
		o.db = cfg.db ? cfg.db : DEFAULT_DB;
	rs.jobs = o.jobs ? o.jobs : cfg.jobs ? cfg.jobs : runner_default_jobs();
	if (o.no_capture)
		rs.jobs = 1; /* live output from several tests would interleave */
	rs.human = o.json && !strcmp(o.json, "-") ? stderr : stdout;
	rs.color = report_color_choose(o.color, rs.human) > 0;
	rs.live = isatty(fileno(rs.human)) && !o.no_capture &&
		  o.verbosity >= 0 && getenv("TERM") &&
		  strcmp(getenv("TERM"), "dumb");
	rs.t0 = fg_monotonic_ns();
	if (cli_policy_build(&cfg, o.policy, o.npolicy, &rs.policy, &err)) {
		exit_code = err.code == FG_EINVAL ?
			cli_usage_error(&cli_cmd_run, "%s", err.msg) :
			cli_error(&err);
		goto out;
	}
	rs.policy.flaky_fails = o.flaky_fails;
	rs.policy.strict |= o.strict_quarantine;
	if (o.no_auto_quarantine)
		rs.policy.auto_quarantine = false;

	/*
	 * A missing database is normal (first run, CI cache miss): say so, so
	 * a CI that forgot to keep it finds out, and start a fresh history.
	 */
	{
		struct stat st;

		if (stat(o.db, &st) < 0 && errno == ENOENT && o.verbosity >= 0)
			fprintf(stderr, "flakeguard: no history at '%s' yet: "
				"starting a fresh one (keep this file between "
				"CI runs)\n", o.db);
	}
	/* Fail before running anything if results could not be kept. */
	if (history_store_open(o.db, &store, &err) || make_tmpdir(&rs, &err) ||
	    (o.log_dir && mkdir(o.log_dir, 0755) < 0 && errno != EEXIST &&
	     fg_fail(&err, FG_EIO, "cannot create --log-dir '%s': %s",
		     o.log_dir, strerror(errno))) ||
	    cli_plan_build(&cfg, store, o.plan, shard_k, shard_n, &rs.plan,
			   &err) ||
	    cli_quarantine_load(store, o.qfile, &rs.quarantine, &err)) {
		exit_code = cli_error(&err);
		goto out;
	}
	fg_run_init(&rs.run);
	rs.run.commit = fg_xstrdup(o.commit);
	rs.run.branch = fg_xstrdup(o.branch);
	if (shard_n > 1)
		rs.run.shard = fg_xasprintf("%d/%d", shard_k, shard_n);
	cli_detect_meta(&rs.run, cfg.dir);
	rs.run.started_at_ms = fg_now_ms();
	skip_quarantined(&rs);
	setup_items(&rs);

	rc = execute(&rs, &sig, &err);
	if (rc && rc != FG_EINTR) {
		exit_code = cli_error(&err);
		goto out;
	}
	rs.run.interrupted = rc == FG_EINTR;
	exit_code = finish(&rs, store, sig);
out:
	free_items(&rs);
	cli_quarantine_release(&rs.quarantine);
	free(o.policy);
	runner_plan_release(&rs.plan);
	fg_run_release(&rs.run);
	history_store_close(store);
	fg_config_release(&cfg);
	return exit_code;
}

const struct cli_command cli_cmd_run = {
	.name = "run",
	.fn = cmd_run,
	.usage = "flakeguard run [OPTIONS] [--] [PROGRAM...]",
	.summary = "run test suites in parallel and record their results",
	.help =
	"Each PROGRAM is one suite, run with no arguments. Without programs the\n"
	"suites come from flakeguard.json (or -c FILE). Work runs longest first\n"
	"by recorded durations (unknown first).\n\n"
	"Options:\n"
	"  -c, --config FILE        suites from FILE (default: flakeguard.json)\n"
	"  -j, --jobs N             run N at once (default: usable cores)\n"
	"      --shard K/N          run only CI node K's share of N (default:\n"
	"                           CI_NODE_INDEX/TOTAL and friends, else 1/1)\n"
	"      --plan FILE          take order and shards from FILE (written by\n"
	"                           `flakeguard list --shards N --json`)\n"
	"      --timeout DURATION   per-attempt timeout (default 10m; 90s, 1500ms)\n"
	"      --kill-grace DURATION  SIGTERM to SIGKILL on timeout (default 5s)\n"
	"      --leak-timeout DURATION  wait for output held by leftover\n"
	"                           processes after exit (default 200ms)\n"
	"      --retries N          rerun a failing item up to N times (default 0)\n"
	"      --max-retry-failures N  no retries once more than N items failed\n"
	"      --flaky-result pass|fail  whether flaky tests fail the run\n"
	"                           (default pass)\n"
	"      --fail-fast          stop at the first real failure\n"
	"      --max-fail N         stop after N real failures\n"
	"      --db PATH            history database (default .flakeguard/history.db)\n"
	"      --json FILE          write the run as JSON (- for stdout)\n"
	"      --junit FILE         merged JUnit XML (retries as flakyFailure/\n"
	"                           rerunFailure)\n"
	"      --junit-profile P    surefire (default), attempts or plain\n"
	"      --html FILE          self-contained HTML report\n"
	"      --markdown FILE      Markdown summary (PR comments; appended to\n"
	"                           $GITHUB_STEP_SUMMARY under GitHub Actions)\n"
	"      --log-dir DIR        keep every attempt's full output in DIR\n"
	"      --no-capture         let tests write to the terminal (implies -j1)\n"
	"      --keep-tmp           keep the JUnit files and TEST_TMPDIRs\n"
	"      --commit SHA         commit under test (default: CI env or git)\n"
	"      --branch NAME        branch under test (default: CI env or git)\n"
	"      --color WHEN         auto, always or never (NO_COLOR is honoured)\n"
	"      --quarantine FILE    honour a committed quarantine list\n"
	"                           (flakeguard-quarantine.json) besides the\n"
	"                           database's\n"
	"      --no-auto-quarantine do not enter or release tests automatically\n"
	"      --strict-quarantine  a quarantined test failing in a new way\n"
	"                           (new failure signature) fails the run\n"
	"      --policy KEY=VALUE   override a quarantine policy key\n"
	"                           (docs/analyzer.md; repeatable)\n"
	"  -q, --quiet              print only failures and the verdict\n"
	"  -v, --verbose            a line per attempt, debug log on stderr\n"
	"  -h, --help               this help\n\n"
	"Each attempt gets FLAKEGUARD_JUNIT (also XML_OUTPUT_FILE and {junit} in\n"
	"its command and env) naming where to write JUnit XML, FLAKEGUARD_ATTEMPT,\n"
	"FLAKEGUARD_RUN_ID, a fresh TEST_TMPDIR and stdin from /dev/null\n"
	"(docs/environment.md).\n\n"
	"Exit codes: 0 nothing real failed, 1 a test failed, 2 usage or config\n"
	"error, 3 infrastructure error (database, spawn, disk), 130/143\n"
	"interrupted (results so far are recorded).\n",
};
