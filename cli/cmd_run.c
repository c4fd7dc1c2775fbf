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
#include "cli/run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS (10 * 60 * 1000)
#define OUTPUT_TAIL_FOR_XML (16 * 1024)

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
	char **env = cli_suite_env(is->cfg, is->junit, is->tap_file);

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

/* The framework ids of the tests this attempt reruns. Caller frees. */
static char **asked_ids(struct item_state *is, enum cli_framework fw)
{
	char **ids = fg_xcalloc(is->nasked + 1, sizeof(char *));

	for (size_t i = 0; i < is->nasked; i++) {
		struct fg_test *t = fg_run_find_test(&is->rs->run, is->cfg->name,
						     is->asked[i].classname,
						     is->asked[i].name);
		struct fg_test key = {
			.suite = is->cfg->name,
			.classname = is->asked[i].classname,
			.name = is->asked[i].name,
			.file = t ? t->file : NULL,
		};

		ids[i] = cli_framework_id(fw, &key);
	}
	return ids;
}

/*
 * The suite's "rerun" template for these ids: an argument "{failed}"
 * becomes one argument per id, "{failed:SEP}" the ids joined by SEP.
 */
static char **expand_rerun(char *const *tmpl, char *const *ids, size_t n)
{
	size_t argc = fg_strv_len(tmpl), k = 0;
	char **argv = fg_xcalloc(argc + n + 1, sizeof(char *));

	for (size_t i = 0; i < argc; i++) {
		const char *f = strstr(tmpl[i], "{failed");
		const char *end = f ? strchr(f, '}') : NULL;
		char *sep, *joined = fg_xstrdup("");

		if (!strcmp(tmpl[i], "{failed}")) {
			for (size_t j = 0; j < n; j++)
				argv[k++] = fg_xstrdup(ids[j]);
			free(joined);
			continue;
		}
		if (!f || !end) {
			argv[k++] = fg_xstrdup(tmpl[i]);
			free(joined);
			continue;
		}
		sep = f[7] == ':' ? fg_xstrndup(f + 8, (size_t)(end - f - 8)) :
				    fg_xstrdup(" ");
		for (size_t j = 0; j < n; j++) {
			char *s = fg_xasprintf("%s%s%s", joined, j ? sep : "",
					       ids[j]);

			free(joined);
			joined = s;
		}
		argv[k++] = fg_xasprintf("%.*s%s%s", (int)(f - tmpl[i]),
					 tmpl[i], joined, end + 1);
		free(joined);
		free(sep);
	}
	return argv;
}

/*
 * The argv of a rerun of only the tests in is->asked: the suite's own
 * "rerun" template, else its framework's way. NULL when neither can
 * select (the whole suite reruns).
 */
static char **selective_argv(struct item_state *is)
{
	enum cli_framework fw = cli_suite_framework(is->cfg);
	char **ids, **argv = NULL;

	if (!is->nasked)
		return NULL;
	ids = asked_ids(is, fw);
	if (is->cfg->rerun)
		argv = expand_rerun(is->cfg->rerun, ids, is->nasked);
	else
		argv = cli_select_argv(is->cfg, fw, (const char *const *)ids,
				       is->nasked);
	fg_strv_free(ids);
	return argv;
}

static char **build_argv(struct item_state *is)
{
	const struct fg_suite_cfg *s = is->cfg;
	const char *name = is->item->case_name;
	char **selected;

	if (is->nmembers)
		return run_batch_argv(is);
	selected = selective_argv(is);

	/* --filter, narrowed by the framework where it can (the first try) */
	if (!selected && !name && is->item->shard < 0)
		selected = cli_filter_argv(s, is->rs->o->filter.v,
					   is->rs->o->filter.n);
	char *const *src = selected ? selected :
			   name && s->cases_run ? s->cases_run : s->argv;
	size_t n = fg_strv_len(src);
	char **argv = fg_xcalloc(n + 3, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		char *a = cli_subst(src[i], "{junit}", is->junit);
		char *b = cli_subst(a, "{tap}", is->tap_file);

		argv[i] = cli_subst(b, "{case}", name);
		free(b);
		free(a);
	}
	if (name && s->cases_gtest) {
		argv[n] = fg_xasprintf("--gtest_filter=%s", name);
		argv[n + 1] = fg_xasprintf("--gtest_output=xml:%s", is->junit);
	}
	fg_strv_free(selected);
	return argv;
}

/*
 * Whether the next attempt can rerun only the tests that failed in this
 * one: a whole suite (not a case or a shard) whose failures were all
 * per-test results, and a way to select them.
 */
static bool can_rerun_failed(const struct item_state *is, bool self_failed)
{
	enum cli_framework fw = cli_suite_framework(is->cfg);

	return is->nfailed_now && !self_failed && !is->item->case_name &&
	       is->item->shard < 0 &&
	       (is->cfg->rerun || (fw != CLI_FW_NONE && fw != CLI_FW_CASES));
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

void run_prepare_attempt(struct item_state *is)
{
	struct run_state *rs = is->rs;
	/*
	 * A retry of an attempt that failed beside others runs alone, except
	 * under --fail-fast/--max-fail: a retry held back until nothing runs
	 * would hold back stopping early (one hanging retry alone keeps the
	 * failing retry behind it waiting for its timeout).
	 */
	bool alone = is->attempt > 0 && is->failed && is->beside > 0 &&
		     !rs->o->max_fail;

	is->beside = 0;
	is->nbeside_ids = 0;
	is->attempt++;
	if (!is->fixed_junit) {
		free(is->junit);
		is->junit = fg_xasprintf("%s/%zu.%d.xml", rs->tmpdir, is->index,
					 is->attempt);
	}
	if (is->tap_file) {
		free(is->tap_file);
		is->tap_file = fg_xasprintf("%s/%zu.%d.tap", rs->tmpdir,
					    is->index, is->attempt);
		unlink(is->tap_file);
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
		.timeout_ms = is->cfg->timeout_ms && !rs->o->timeout_forced ?
				      is->cfg->timeout_ms : rs->o->timeout_ms,
		/* capped at -j: an exclusive attempt runs alone */
		.slots = is->cfg->exclusive || alone ? 4096 : is->cfg->slots,
		.locks = is->cfg->locks,
		.log_path = is->log_path,
		.log_max = rs->o->log_max,
		.no_capture = rs->o->no_capture,
		.on_output = is->cfg->format == FG_FORMAT_TAP && !is->tap_file ?
			     run_tap_output : NULL,
		.output_max = is->job.output_max, /* run_deps_wire() */
		.after = is->after,
		.data = is,
	};
	if (is->cfg->group) {
		const struct fg_group_cfg *g = fg_config_group(rs->cfg,
							       is->cfg->group);

		is->job.group = g ? (int)(g - rs->cfg->groups) + 1 : 0;
	}
}

/* ---------------------------------------------------------------------- */
/* Company: which attempts overlapped which (issue 12 point 3)             */
/* ---------------------------------------------------------------------- */

static void company_add(struct item_state *is, const char *id)
{
	is->beside++;
	for (size_t i = 0; i < is->nbeside_ids; i++)
		if (!strcmp(is->beside_ids[i], id))
			return;
	if (is->nbeside_ids < FG_BESIDE_MAX)
		is->beside_ids[is->nbeside_ids++] = id;
}

/*
 * Two attempts overlap when one starts while the other runs: so each
 * start meets every attempt running then, and both note the other.
 */
static void company_meet(struct runner *r, struct item_state *is)
{
	for (size_t i = 0; i < runner_running(r); i++) {
		const struct runner_job *o = runner_running_job(r, i);
		struct item_state *other = o->data;

		if (other == is)
			continue;
		company_add(is, o->name);
		company_add(other, is->job.name);
	}
}

void run_company_set(const struct item_state *is, struct fg_attempt *a)
{
	size_t len = 0, at = 0;

	a->beside = is->beside;
	free(a->beside_names);
	a->beside_names = NULL;
	if (!is->nbeside_ids)
		return;
	for (size_t i = 0; i < is->nbeside_ids; i++)
		len += strlen(is->beside_ids[i]) + 1;
	a->beside_names = fg_xmalloc(len);
	for (size_t i = 0; i < is->nbeside_ids; i++) {
		size_t n = strlen(is->beside_ids[i]);

		if (i)
			a->beside_names[at++] = '\n';
		memcpy(a->beside_names + at, is->beside_ids[i], n);
		/* '\n' separates the names: one inside a name would split it */
		for (size_t k = at; k < at + n; k++)
			if (a->beside_names[k] == '\n')
				a->beside_names[k] = ' ';
		at += n;
	}
	a->beside_names[at] = '\0';
}

void run_company_copy(struct item_state *to, const struct item_state *from)
{
	to->beside = from->beside;
	to->nbeside_ids = from->nbeside_ids;
	memcpy(to->beside_ids, from->beside_ids, sizeof(to->beside_ids));
}

/* An attempt starts: its company, TEST_TMPDIR and environment. */
static void on_start(struct runner *r, struct runner_job *job, void *data)
{
	struct item_state *is = job->data;

	company_meet(r, is);
	is->tmpdir = run_acquire_dir(data);
	fg_strv_free(is->env);
	is->env = build_env(is);
	job->env = is->env;
	run_tap_start(is);
}

/* ---------------------------------------------------------------------- */
/* From a finished attempt to results                                      */
/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* The runner's callback                                                   */
/* ---------------------------------------------------------------------- */

bool run_want_retry(struct item_state *is)
{
	struct run_state *rs = is->rs;
	enum runner_end end = is->job.result.end;

	if (!is->failed || is->attempt >= is->max_attempts || rs->retries_off)
		return false;
	return end != RUNNER_SPAWN_FAILED && end != RUNNER_INTERRUPTED &&
	       end != RUNNER_CANCELLED && end != RUNNER_NOT_STARTED;
}

void run_item_finished(struct item_state *is)
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
		run_clear_live(rs);
		fprintf(stderr, "flakeguard: %zu failure(s): stopping "
			"(--fail-fast/--max-fail)\n", rs->failed_items);
		runner_cancel(rs->runner);
	}
}

static void on_item_done(struct runner *r, struct runner_job *job,
			 struct run_state *rs);

static void on_done(struct runner *r, struct runner_job *job, void *data)
{
	struct item_state *is = job->data;
	struct run_state *rs = data;

	if (is->nmembers) {
		char m[512];
		enum fg_astatus bst = run_process_status(is, m, sizeof(m));

		if (job->result.end == RUNNER_SPAWN_FAILED) {
			rs->spawn_errors++;
			fprintf(stderr, "flakeguard: %s: %s\n",
				cli_safe(is->item->id), cli_safe(m));
		}
		run_print_progress(is, bst, 0);
		run_batch_done(r, is);
		return;
	}
	if (rs->stress && run_stress_drop(is))
		return; /* a stress run cut short: no result */
	on_item_done(r, job, rs);
}

/* An item's attempt ended (not a batch's): results, retry or done. */
static void on_item_done(struct runner *r, struct runner_job *job,
			 struct run_state *rs)
{
	struct item_state *is = job->data;
	char msg[512], xml_problem[1100] = ""; /* will_fail reads none */
	enum fg_astatus st = run_process_status(is, msg, sizeof(msg));
	char *output = fg_buf_text(&job->result.output);
	size_t olen = strlen(output);
	const char *tail = olen > OUTPUT_TAIL_FOR_XML ?
				   output + olen - OUTPUT_TAIL_FOR_XML : output;
	long xml_failures;
	bool self_failed = false;

	if (job->result.log_errno && !rs->log_failures++)
		rs->log_errno = job->result.log_errno;
	if (job->result.end == RUNNER_SPAWN_FAILED) {
		rs->spawn_errors++;
		run_clear_live(rs);
		fprintf(stderr, "flakeguard: %s: %s\n", cli_safe(is->item->id),
			cli_safe(msg));
	}
	/* will_fail swaps the exit status: any XML would say the opposite */
	xml_failures = is->cfg->will_fail ? -1 :
		       is->cfg->format == FG_FORMAT_TAP ?
		       run_read_tap(is, tail, xml_problem, sizeof(xml_problem)) :
		       run_read_xml(is, tail, xml_problem, sizeof(xml_problem));
	if (xml_failures >= 0 && !xml_problem[0] && job->result.end ==
	    RUNNER_EXITED && (st == FG_A_SKIPPED ||
			      (st == FG_A_ERROR && xml_failures > 0))) {
		/*
		 * A skip or hard-error exit with test cases in the XML: the
		 * XML decides (its failures are already in the run).
		 */
		st = xml_failures > 0 ? FG_A_FAILED : FG_A_PASSED;
		if (is->has_self_test)
			run_record_self_test(is, FG_A_SKIPPED, "", output);
	} else if (xml_failures < 0 || xml_problem[0] ||
		   (st != FG_A_PASSED && st != FG_A_FAILED) ||
		   (st == FG_A_FAILED && xml_failures == 0) ||
		   is->has_self_test) {
		if (st == FG_A_FAILED && xml_failures == 0)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 " but its %s reports no failure",
				 is->cfg->format == FG_FORMAT_TAP ? "TAP" :
				 "JUnit XML");
		if (xml_problem[0] && st == FG_A_PASSED) {
			st = FG_A_ERROR;
			snprintf(msg, sizeof(msg), "%.500s", xml_problem);
		}
		run_record_self_test(is, st, msg, output);
		self_failed = fg_astatus_is_failure(st);
	}
	/* a selective rerun must answer for every test it was asked for */
	if (is->nasked && run_check_asked(is) && xml_failures >= 0)
		xml_failures++;
	run_print_progress(is, st, xml_failures);
	is->failed = fg_astatus_is_failure(st) || xml_failures > 0;
	free(output);
	runner_job_release(job);
	run_release_dir(rs, is->tmpdir);
	is->tmpdir = NULL;
	/* A copy of the environment per item adds up over 10,000 items. */
	fg_strv_free(is->env);
	is->env = NULL;
	job->env = NULL;
	if (run_stress_active(rs)) {
		run_stress_attempt(r, is); /* cli/cmd_stress.c */
		return;
	}
	if (is->failed && is->attempt == 1 && rs->o->max_retry_failures >= 0 &&
	    ++rs->retries_left_items > (size_t)rs->o->max_retry_failures &&
	    !rs->retries_off) {
		rs->retries_off = true;
		if (is->max_attempts > 1)
			fprintf(stderr, "flakeguard: more than %d failures: no "
				"more retries (--max-retry-failures)\n",
				rs->o->max_retry_failures);
	}
	if (run_want_retry(is)) {
		/* only what failed, where the suite can select it */
		run_refs_free(&is->asked, &is->nasked);
		free(is->seen_asked);
		is->seen_asked = NULL;
		if (can_rerun_failed(is, self_failed)) {
			is->asked = is->failed_now;
			is->nasked = is->nfailed_now;
			is->failed_now = NULL;
			is->nfailed_now = 0;
			is->seen_asked = fg_xcalloc(is->nasked, sizeof(bool));
		}
		run_refs_free(&is->failed_now, &is->nfailed_now);
		run_prepare_attempt(is);
		runner_submit(r, &is->job);
		return;
	}
	run_item_finished(is);
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
		if (!it->support) /* another node's: see cli/plan.c */
			fg_run_add_item(&rs->run, it->id, it->node, true);
		free(it->id);
		free(it->case_name);
	}
	rs->plan.n = keep;
}

/*
 * Items with nothing to run are recorded, not run: a disabled suite (CTest
 * DISABLED, or "disabled": "why") as skipped with its reason, and a cases
 * suite that listed no case as an error (unless "allow_empty"), so that a
 * vanished suite never passes silently.
 */
static void skip_not_runnable(struct run_state *rs)
{
	size_t keep = 0;

	for (size_t i = 0; i < rs->plan.n; i++) {
		struct runner_item *it = &rs->plan.items[i];
		const struct fg_suite_cfg *sc = &rs->cfg->suites[it->suite];
		char *why;

		if (!sc->disabled && !it->empty) {
			rs->plan.items[keep++] = *it;
			continue;
		}
		if (!sc->disabled && it->empty) {
			fg_test_add_attempt(fg_run_add_test(&rs->run, sc->name,
							    "", sc->name),
					    FG_A_ERROR, 0, "listed no test case "
					    "(set \"allow_empty\": true if that "
					    "is expected)", NULL);
			if (!it->support) /* another node's: see cli/plan.c */
			fg_run_add_item(&rs->run, it->id, it->node, true);
			free(it->id);
			free(it->case_name);
			continue;
		}
		why = fg_xasprintf("not run: disabled (%s)", sc->disabled);
		fg_test_add_attempt(fg_run_add_test(&rs->run, sc->name, "",
						    it->case_name ? it->case_name :
						    sc->name),
				    FG_A_SKIPPED, 0, why, NULL);
		free(why);
		if (!it->support) /* another node's: see cli/plan.c */
			fg_run_add_item(&rs->run, it->id, it->node, true);
		free(it->id);
		free(it->case_name);
	}
	rs->plan.n = keep;
}

/* --filter on cases: a case that does not match is not run at all. */
static void filter_plan(struct run_state *rs)
{
	const struct cli_list *f = &rs->o->filter;
	size_t keep = 0;

	for (size_t i = 0; i < rs->plan.n; i++) {
		struct runner_item *it = &rs->plan.items[i];
		const char *suite = rs->cfg->suites[it->suite].name;

		if (!f->n || !it->case_name ||
		    cli_filter_match(f->v, f->n, suite, "", it->case_name)) {
			rs->plan.items[keep++] = *it;
			continue;
		}
		free(it->id);
		free(it->case_name);
	}
	rs->plan.n = keep;
}

/*
 * --filter on results: what a framework could not narrow ran whole, and
 * only its matching tests are kept. A suite-level test (the process) that
 * failed stays: the process failing is news whatever the filter. Returns
 * how many tests match; *dropped (may be NULL) gets the first one left
 * out, for "did you mean".
 */
static size_t filter_results(struct run_state *rs, char **dropped)
{
	const struct cli_list *f = &rs->o->filter;
	size_t keep = 0, matched = 0;

	if (!f->n)
		return rs->run.ntests;
	for (size_t i = 0; i < rs->run.ntests; i++) {
		struct fg_test *t = &rs->run.tests[i];
		bool self = !*t->classname && !strcmp(t->name, t->suite);
		bool hit = cli_filter_match(f->v, f->n, t->suite,
					    t->classname, t->name);

		matched += hit;
		if (hit || (self && t->outcome == FG_O_FAILED)) {
			rs->run.tests[keep++] = *t;
			continue;
		}
		if (dropped && !*dropped)
			*dropped = *t->classname ?
				fg_xasprintf("%s::%s::%s", t->suite,
					     t->classname, t->name) :
				fg_xasprintf("%s::%s", t->suite, t->name);
		fg_test_release(t);
	}
	rs->run.ntests = keep;
	fg_run_reindex(&rs->run);
	return matched;
}

/* Copies the keys override o gives into the item's own settings. */
static void apply_override(struct fg_suite_cfg *to,
			   const struct fg_override *o)
{
	const struct fg_suite_cfg *v = &o->v;

	if (o->set & FG_OV_TIMEOUT)
		to->timeout_ms = v->timeout_ms;
	if (o->set & FG_OV_RETRIES)
		to->retries = v->retries;
	if (o->set & FG_OV_LOCKS)
		to->locks = v->locks;
	if (o->set & FG_OV_GROUP)
		to->group = v->group;
	if (o->set & FG_OV_SLOTS)
		to->slots = v->slots;
	if (o->set & FG_OV_EXCLUSIVE)
		to->exclusive = v->exclusive;
	if (o->set & FG_OV_SKIP) {
		memcpy(to->skip_codes, v->skip_codes, sizeof(to->skip_codes));
		to->nskip_codes = v->nskip_codes;
	}
	if (o->set & FG_OV_ERROR) {
		memcpy(to->error_codes, v->error_codes,
		       sizeof(to->error_codes));
		to->nerror_codes = v->nerror_codes;
	}
	if (o->set & FG_OV_LEAK)
		to->leak_fails = v->leak_fails;
}

/*
 * "overrides": the item's settings when an override's filter matches its
 * id (suite::case, the case, or the suite). Returns what it matched.
 */
static void apply_overrides(struct run_state *rs, struct item_state *is,
			    size_t *matched)
{
	const char *suite = is->cfg->name;
	const char *name = is->item->case_name ? is->item->case_name : suite;

	for (size_t k = 0; k < rs->cfg->noverrides; k++) {
		const struct fg_override *o = &rs->cfg->overrides[k];
		const char *pat = o->filter;

		if (!cli_filter_match(&pat, 1, suite, "", name))
			continue;
		matched[k]++;
		if (!is->own_cfg) {
			is->own_cfg = fg_xmalloc(sizeof(*is->own_cfg));
			*is->own_cfg = *is->cfg;
			is->cfg = is->own_cfg;
		}
		apply_override(is->own_cfg, o);
	}
}

static void setup_items(struct run_state *rs)
{
	size_t *matched = fg_xcalloc(rs->cfg->noverrides + 1, sizeof(size_t));

	rs->items = fg_xcalloc(rs->plan.n + 1, sizeof(*rs->items));
	for (size_t i = 0; i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];
		const struct runner_item *it = &rs->plan.items[i];
		const struct fg_suite_cfg *sc = &rs->cfg->suites[it->suite];
		int retries;

		is->rs = rs;
		is->item = it;
		is->cfg = sc;
		is->index = i;
		apply_overrides(rs, is, matched);
		sc = is->cfg;
		retries = sc->retries >= 0 && !rs->o->retries_forced ?
			  sc->retries : rs->o->retries;
		is->max_attempts = 1 + (retries > 0 ? retries : 0);
		is->cwd = cli_suite_cwd(rs->cfg, sc);
		is->self_name = it->case_name ? fg_xstrdup(it->case_name) :
				it->shard >= 0 ?
				fg_xasprintf("shard %d/%d", it->shard + 1,
					     it->nshards) :
				fg_xstrdup(sc->name);
		is->self_class = fg_xstrdup("");
		if (it->case_name && sc->cases_gtest &&
		    strchr(it->case_name, '.')) {
			const char *dot = strchr(it->case_name, '.');

			free(is->self_class);
			free(is->self_name);
			is->self_class = fg_xstrndup(it->case_name,
						     (size_t)(dot - it->case_name));
			is->self_name = fg_xstrdup(dot + 1);
		}
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
		/* a TAP suite that names {tap} writes there, not to stdout */
		if (sc->format == FG_FORMAT_TAP && cli_suite_uses(sc, "{tap}"))
			is->tap_file = fg_xstrdup("");
		fg_run_init(&is->tap_run);
		rs->estimate_left_ms += it->estimate_ms;
		run_rerun_ask(is);
		run_prepare_attempt(is);
	}
	for (size_t k = 0; k < rs->cfg->noverrides; k++)
		if (!matched[k])
			fg_log(FG_LOG_WARN, "run", "overrides[%zu]: filter '%s' "
			       "matches no test of this run", k,
			       rs->cfg->overrides[k].filter);
	free(matched);
}

static void free_items(struct run_state *rs)
{
	for (size_t i = 0; rs->items && i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];

		free(is->own_cfg);
		free(is->cwd);
		free(is->junit);
		free(is->tap_file);
		run_refs_free(&is->failed_now, &is->nfailed_now);
		run_refs_free(&is->asked, &is->nasked);
		free(is->seen_asked);
		history_tap_free(is->tap);
		fg_run_release(&is->tap_run);
		free(is->tmpdir);
		free(is->log_path);
		free(is->self_name);
		free(is->self_class);
		fg_strv_free(is->argv);
		fg_strv_free(is->env);
		run_deps_release(is);
	}
	free(rs->items);
	run_free_batches(rs);
	for (size_t i = 0; i < rs->nfree_dirs; i++)
		free(rs->free_dirs[i]);
	free(rs->free_dirs);
	if (rs->tmpdir && !rs->o->keep_tmp)
		run_remove_tree(rs->tmpdir);
	else if (rs->tmpdir)
		fprintf(stderr, "flakeguard: kept '%s'\n", rs->tmpdir);
	free(rs->tmpdir);
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

static const char *const flaky_choices[] = { "pass", "fail", NULL };

#define R struct run_opts
static const struct cli_opt run_options[] = {
	CLI_PATH('c', "config", R, config, "FILE",
		 "suites from FILE (default: flakeguard.json)"),
	CLI_PATH(0, "ctest", R, sel.ctest, "DIR",
		 "run the tests of CMake build dir DIR, without\n"
		 "ctest (ctest --show-only=json-v1)"),
	CLI_PATH(0, "meson", R, sel.meson, "DIR",
		 "run the tests of Meson build dir DIR, without\n"
		 "meson test (meson introspect --tests)"),
	CLI_LIST(0, "label", R, sel.labels, "L",
		 "only suites labelled L: CTest LABELS, Meson\n"
		 "suites, \"labels\" (repeatable)"),
	CLI_INT('j', "jobs", R, jobs, "N", 1, 4096,
		"run N at once (default: usable cores)",
		.env = "FLAKEGUARD_JOBS", .cfg = CLI_CFG_JOBS),
	CLI_STRING(0, "shard", R, shard, "K/N",
		   "run only CI node K's share of N (default:\n"
		   "CI_NODE_INDEX/TOTAL and friends, else 1/1)"),
	CLI_PATH(0, "plan", R, plan, "FILE",
		 "take order and shards from FILE (written by\n"
		 "`flakeguard list --shards N --json`)"),
	CLI_LIST(0, "suite", R, suites, "GLOB",
		 "run only the suites matching GLOB (repeatable)"),
	CLI_LIST(0, "filter", R, filter, "EXPR",
		 "run only the tests matching EXPR, a glob over\n"
		 "their ids (suite::class::name, Class.name,\n"
		 "name); !EXPR excludes (repeatable)"),
	CLI_FLAG(0, "rerun-failed", R, rerun_failed,
		 "run only the tests that failed or were flaky\n"
		 "in the last recorded run of this branch"),
	CLI_FLAG(0, "strict", R, strict,
		 "tests that ran last time (same branch, shard\n"
		 "and selection) and not now fail the run"),
	CLI_DURATION(0, "timeout", R, timeout_ms,
		     "per-attempt timeout (default 10m; 90s, 1500ms)",
		     .env = "FLAKEGUARD_TIMEOUT", .cfg = CLI_CFG_TIMEOUT),
	CLI_DURATION(0, "kill-grace", R, kill_grace_ms,
		     "SIGTERM to SIGKILL on timeout (default 5s)"),
	CLI_DURATION(0, "leak-timeout", R, leak_timeout_ms,
		     "wait for output held by leftover\n"
		     "processes after exit (default 200ms)"),
	CLI_INT(0, "retries", R, retries, "N", 0, 100,
		"rerun a failing item up to N times (default 0)",
		.env = "FLAKEGUARD_RETRIES", .cfg = CLI_CFG_RETRIES),
	CLI_INT(0, "new-test-runs", R, new_test_runs, "N", 0, 1000,
		"run each test the history has never seen N\n"
		"more times: one failure makes it new-flaky\n"
		"(default 0: off)",
		.env = "FLAKEGUARD_NEW_TEST_RUNS",
		.cfg = CLI_CFG_NEW_TEST_RUNS),
	CLI_DURATION(0, "stress-budget", R, stress_budget_ms,
		     "stop --new-test-runs after DURATION of\n"
		     "stress runs (default: no limit)",
		     .env = "FLAKEGUARD_STRESS_BUDGET",
		     .cfg = CLI_CFG_STRESS_BUDGET),
	CLI_INT(0, "max-retry-failures", R, max_retry_failures, "N", 0,
		1000000, "no retries once more than N items failed"),
	CLI_CHOICE(0, "flaky-result", R, flaky_result, "pass|fail",
		   flaky_choices, "whether flaky tests fail the run\n"
		   "(default pass)"),
	CLI_SET(0, "fail-fast", R, max_fail, 1,
		"stop at the first real failure"),
	CLI_INT(0, "max-fail", R, max_fail, "N", 1, 1000000,
		"stop after N real failures"),
	CLI_PATH(0, "db", R, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB", .cfg = CLI_CFG_DB),
	CLI_PATH(0, "json", R, json, "FILE",
		 "write the run as JSON (- for stdout)"),
	CLI_PATH(0, "junit", R, junit, "FILE",
		 "merged JUnit XML (retries as flakyFailure/\n"
		 "rerunFailure)"),
	CLI_CHOICE(0, "junit-profile", R, junit_profile, "P",
		   cli_profile_choices, "surefire (default), attempts or plain"),
	CLI_PATH(0, "html", R, html, "FILE", "self-contained HTML report"),
	CLI_PATH(0, "markdown", R, markdown, "FILE",
		 "Markdown summary (PR comments; appended to\n"
		 "$GITHUB_STEP_SUMMARY under GitHub Actions)"),
	CLI_PATH(0, "log-dir", R, log_dir, "DIR",
		 "keep every attempt's full output in DIR"),
	CLI_STRING(0, "log-max", R, log_max_arg, "SIZE",
		   "cap each --log-dir file at SIZE: its head\n"
		   "and tail are kept (default 64M)"),
	CLI_FLAG(0, "no-capture", R, no_capture,
		 "let tests write to the terminal (implies -j1)"),
	CLI_FLAG(0, "keep-tmp", R, keep_tmp,
		 "keep the JUnit files and TEST_TMPDIRs"),
	CLI_STRING(0, "commit", R, commit, "SHA",
		   "commit under test (default: CI env or git)"),
	CLI_STRING(0, "branch", R, branch, "NAME",
		   "branch under test (default: CI env or git)"),
	CLI_CHOICE(0, "color", R, color, "WHEN", cli_color_choices,
		   "auto, always or never (NO_COLOR is honoured)"),
	CLI_PATH(0, "quarantine", R, qfile, "FILE",
		 "honour a committed quarantine list\n"
		 "(flakeguard-quarantine.json) besides the\n"
		 "database's"),
	CLI_FLAG(0, "no-auto-quarantine", R, no_auto_quarantine,
		 "do not enter or release tests automatically"),
	CLI_FLAG(0, "strict-quarantine", R, strict_quarantine,
		 "a quarantined test failing all its attempts,\n"
		 "or in a new way, always fails the run"),
	CLI_LIST(0, "policy", R, policy, "KEY=VALUE",
		 "override a quarantine policy key\n"
		 "(docs/analyzer.md; repeatable)"),
	CLI_SET('q', "quiet", R, verbosity, -1,
		"print only failures, the verdict and the\n"
		"analyzer's decisions"),
	CLI_SET('v', "verbose", R, verbosity, 1,
		"a line per attempt, debug log on stderr"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef R

/*
 * Parses the command line and, once the config is loaded, resolves every
 * option: default < flakeguard.json < environment < command line. A value
 * from the command line or the environment also wins over a suite's own
 * "timeout" and "retries" (run.timeout_forced, run.retries_forced).
 */
static int resolve_opts(const struct cli_command *cmd, struct cli_parsed *p,
			struct run_opts *o, const struct fg_config *cfg)
{
	int rc = cli_resolve(cmd, p, cfg);

	if (rc)
		return rc;
	o->timeout_forced = cli_opt_source(cmd, p, "timeout") >= CLI_FROM_ENV;
	/* `stress`: every attempt is one run, none a retry */
	o->retries_forced = o->stress_runs ||
			    cli_opt_source(cmd, p, "retries") >= CLI_FROM_ENV;
	if (o->stress_runs)
		o->retries = 0;
	o->flaky_fails = o->flaky_result && !strcmp(o->flaky_result, "fail");
	if (o->log_max_arg) {
		int64_t v = cli_size_parse(o->log_max_arg);

		if (v < 1024)
			return cli_usage_error(cmd, "invalid --log-max "
					       "'%s' (expected a size like 64M, "
					       "at least 1K)", o->log_max_arg);
		o->log_max = (uint64_t)v;
	}
	if (!o->db)
		o->db = CLI_DEFAULT_DB;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Once the runner is gone, so are its signal handlers: a Ctrl-C (or a CI's
 * SIGTERM, or a hangup) while the finished run is analysed and written
 * would kill us with every result lost. From then on the first one is only
 * noted: the results are saved and the reports written, then we exit
 * 128 + signal. A second one kills at once (SA_RESETHAND). They are blocked
 * while the runner closes, so none slips through in between.
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP_SIGNALS (sizeof(stop_signals) / sizeof(*stop_signals))
static volatile sig_atomic_t late_signal;

static void on_late_signal(int sig)
{
	static const char msg[] = "flakeguard: saving the results first "
				  "(again to stop now)\n";

	late_signal = sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return; /* nothing better to do in a signal handler */
}

static void late_signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < NSTOP_SIGNALS; i++)
		sigaddset(&set, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void late_signals_catch(const sigset_t *old)
{
	struct sigaction sa = { .sa_handler = on_late_signal,
				.sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP_SIGNALS; i++) {
		struct sigaction cur;

		/* nohup: an ignored SIGHUP stays ignored */
		if (sigaction(stop_signals[i], NULL, &cur) == 0 &&
		    cur.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, old, NULL);
}

static const char *signal_name(int sig)
{
	return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" :
	       "SIGINT";
}

/* --log-dir: created if missing; anything but a directory is an error. */
static int make_log_dir(const char *dir, struct fg_error *err)
{
	struct stat st;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return fg_fail(err, FG_EIO, "cannot create --log-dir '%s': %s",
			       dir, strerror(errno));
	if (stat(dir, &st) < 0)
		return fg_fail(err, FG_EIO, "cannot use --log-dir '%s': %s",
			       dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fg_fail(err, FG_EIO, "cannot use --log-dir '%s': not a "
			       "directory", dir);
	return FG_OK;
}

/* The runner's tick: the live line, the stress budget. */
static void on_tick(struct runner *r, void *data)
{
	struct run_state *rs = data;

	if (rs->live)
		run_on_tick(r, rs);
	if (rs->stress)
		run_stress_tick(r, rs);
}

/*
 * Runs every item, then the stress runs (cli/cmd_stress.c), and fills
 * rs->run. Returns FG_OK or FG_EINTR.
 */
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
		.tick_ms = rs->live || rs->stress ? 100 : 0,
		.on_tick = rs->live || rs->stress ? on_tick : NULL,
		.on_ready = run_deps_ready,
		.on_start = on_start,
		.on_done = on_done,
		.data = rs,
	};
	sigset_t mask;
	int rc;

	for (size_t i = 0; i < rs->cfg->ngroups; i++)
		group_max[i] = rs->cfg->groups[i].max;
	if ((rc = runner_new(&ro, &rs->runner, err))) {
		free(group_max);
		return rc;
	}
	/* batches first: they carry most of the work of their suites */
	for (size_t k = 0; k < rs->nbatches; k++)
		if (rs->batches[k].nmembers)
			runner_submit(rs->runner, &rs->batches[k].job);
	for (size_t i = 0; i < rs->plan.n; i++)
		if (!rs->items[i].batched)
			runner_submit(rs->runner, &rs->items[i].job);
	rc = runner_run(rs->runner);
	if (rc == FG_OK && rs->stress)
		rc = run_stress_phase(rs);
	late_signals_block(&mask);
	run_clear_live(rs);
	*signal_out = runner_signal(rs->runner);
	if (runner_dropped(rs->runner) > run_stress_dropped(rs))
		fprintf(stderr, "flakeguard: %zu item(s) not started\n",
			runner_dropped(rs->runner) - run_stress_dropped(rs));
	runner_free(rs->runner);
	rs->runner = NULL;
	late_signals_catch(&mask);
	for (size_t i = 0; i < rs->plan.n; i++)
		if (!rs->items[i].item->support) /* another node's */
			fg_run_add_item(&rs->run, rs->items[i].item->id,
					rs->items[i].item->node,
					rs->items[i].ran);
	free(group_max);
	rs->run.duration_ms = (int64_t)((fg_monotonic_ns() - rs->t0) / 1000000);
	return rc;
}

/*
 * Everything that decides run's exit status, gathered as the run ends;
 * run_exit_code() is the one place that turns it into a code.
 */
struct run_end {
	int verdict;            /* the analyzer's: FG_EXIT_OK or _FAILED */
	size_t spawn_errors;    /* items that could not be started */
	int signal;             /* interrupted by it while tests ran, or 0 */
	int late_signal;        /* arrived while the results were saved */
	bool not_recorded;      /* the database did not take the run (nor
				   its quarantine decisions: one transaction) */
	bool reports_failed;    /* a report could not be written */
	bool logs_failed;       /* --log-dir files are incomplete */
	bool output_failed;     /* our own summary could not be written */
};

/*
 * Interrupted beats everything (128 + signal: the results are partial);
 * then an infrastructure problem (3): something could not start, the run
 * is not in the database, a report or the summary is missing; then the
 * verdict. reason (may be NULL) is replaced when the verdict is not what
 * decided.
 */
static int run_exit_code(const struct run_end *e, char *reason, size_t n)
{
	if (e->signal || e->late_signal) {
		int sig = e->signal ? e->signal : e->late_signal;

		if (reason && e->signal)
			snprintf(reason, n, "interrupted by %s",
				 signal_name(sig));
		return 128 + sig; /* FG_EXIT_SIGINT, _SIGTERM, _SIGHUP */
	}
	if (e->spawn_errors) {
		if (reason)
			snprintf(reason, n, "%zu item(s) could not be started",
				 e->spawn_errors);
		return FG_EXIT_INFRA;
	}
	if (e->not_recorded) {
		if (reason)
			snprintf(reason, n, "the run could not be recorded in "
				 "the history database (see above)");
		return FG_EXIT_INFRA;
	}
	if (e->reports_failed || e->logs_failed)
		return FG_EXIT_INFRA;
	/* a failed test is the worse news; main() still says the loss */
	if (e->output_failed && e->verdict == FG_EXIT_OK)
		return FG_EXIT_INFRA;
	return e->verdict;
}

/*
 * The run into the database; when that fails, into the spool beside it
 * (cli/spool.c), so that the next run folds it in. Returns whether the
 * database has it.
 */
static bool record_run(struct run_state *rs, struct history_store *store,
		       const struct an_run *ar, int64_t now)
{
	struct fg_error err = { 0 }, serr = { 0 };
	struct cli_changes ch = { 0 };
	char *spooled = NULL;
	int rc;

	/* The run and its quarantine decisions: one transaction. */
	cli_analysis_changes(ar, &rs->quarantine, now, &ch);
	rc = cli_analysis_record(store, &rs->run, &ch, false, &err);
	cli_changes_release(&ch);
	if (rc == FG_OK)
		return true;
	cli_error(&err);
	if (cli_spool_write(rs->o->db, &rs->run, &spooled, &serr) == FG_OK)
		fprintf(stderr, "flakeguard: the run is kept in '%s': the next "
			"run or import folds it into %s\n", cli_safe(spooled),
			cli_db_label(rs->o->db));
	else
		cli_error(&serr);
	free(spooled);
	rs->run.id = 0;
	return false;
}

/* The reports, with the quarantine list and recent runs the HTML shows. */
static bool write_reports(struct run_state *rs, struct history_store *store,
			  const struct an_verdict *v)
{
	const struct run_opts *o = rs->o;
	const struct fg_ci *ci = fg_ci_detect();
	struct history_quarantine_list ql = { 0 };
	struct history_run_brief *recent = NULL;
	struct report_outputs ro = {
		.json = o->json, .junit = o->junit,
		.junit_profile = o->junit_profile, .html = o->html,
		.markdown = o->markdown,
		.github = ci && !strcmp(ci->id, "github"),
	};
	struct fg_error err, qerr;
	bool ok = true;

	/* The list as this run left it (entries it added included). */
	if (o->html && !history_quarantine_list(store, false, &ql, &qerr))
		ro.quarantine = ql.n ? &ql : &rs->quarantine.active;
	if (o->html && !history_store_recent_runs(store, 50, &recent,
						  &ro.nrecent, &qerr))
		ro.recent = recent;
	if (report_write_all(&ro, &rs->run, v, &err)) {
		cli_error(&err);
		ok = false;
	}
	history_quarantine_list_release(&ql);
	free(recent);
	return ok;
}

/* Each failure (real, flaky or quarantined) gets a line to run it alone. */
static void set_repro_lines(struct run_state *rs)
{
	const struct fg_suite_cfg *last = NULL;

	for (size_t i = 0; i < rs->run.ntests; i++) {
		struct fg_test *t = &rs->run.tests[i];
		const struct fg_suite_cfg *sc = NULL;
		char *cwd;

		if (t->outcome != FG_O_FAILED && t->outcome != FG_O_FLAKY &&
		    t->outcome != FG_O_QUARANTINED)
			continue;
		/* a suite's tests are mostly adjacent: try the last one first */
		if (last && !strcmp(last->name, t->suite))
			sc = last;
		for (size_t k = 0; k < rs->cfg->nsuites && !sc; k++)
			if (!strcmp(rs->cfg->suites[k].name, t->suite))
				sc = &rs->cfg->suites[k];
		/* a test whose program ctest could not find: nothing to run */
		if (!(last = sc) || sc->broken)
			continue;
		cwd = cli_suite_cwd(rs->cfg, sc);
		free(t->repro);
		t->repro = cli_repro_line(sc, cwd, t);
		free(cwd);
	}
}

/* Verdict, database, reports, summary. Returns the exit code. */
static int finish(struct run_state *rs, struct history_store *store, int sig)
{
	struct run_opts *o = rs->o;
	struct an_verdict v;
	struct fg_error err = { 0 };
	struct an_run ar = { 0 };
	int64_t now = fg_now_ms();
	struct run_end e = { .spawn_errors = rs->spawn_errors,
			     .signal = rs->run.interrupted ? sig : 0 };
	char *dropped = NULL;
	int exit_code;

	/*
	 * A --filter that matched nothing is a usage error, like a typo in a
	 * suite name: said with a test that does exist, nothing recorded.
	 */
	if (!filter_results(rs, &dropped) && o->filter.n && !e.signal) {
		fprintf(stderr, "flakeguard: --filter matched no test%s%s%s\n",
			dropped ? " (there is, for one, '" : "",
			dropped ? cli_safe(dropped) : "", dropped ? "')" : "");
		free(dropped);
		return FG_EXIT_USAGE;
	}
	free(dropped);
	if (o->stress_runs) { /* `stress`: its own table and verdict */
		for (size_t i = 0; i < rs->run.ntests; i++)
			fg_test_settle(&rs->run.tests[i]);
		set_repro_lines(rs);
		return run_stress_finish(rs, store, sig);
	}
	/* before the run is recorded: it would be its own baseline */
	run_find_missing(rs, store);

	/*
	 * The analyzer: this run's tests against their history plus this
	 * run; the policy enters and releases quarantine, and the verdict
	 * already uses what it decided.
	 */
	if (cli_analysis_prepare(store, &rs->quarantine, &rs->run, &rs->policy,
				 &ar, &err)) {
		struct an_verdict_opts ao = { .flaky_fails = o->flaky_fails };

		fprintf(stderr, "flakeguard: %s (no analysis: plain verdict)\n",
			cli_safe(err.msg));
		an_run_release(&ar);
		an_verdict(&rs->run, &ao, &v);
	} else {
		an_judge(&rs->run, &ar, now, &rs->policy, &v);
		cli_analysis_load_failed(&ar);
		if (ar.raw_said)
			fprintf(stderr, "flakeguard: in all, %zu of %zu tests "
				"were read from the results\n", ar.raw_loads,
				ar.n);
	}
	run_strict_verdict(rs, &v);
	e.verdict = v.exit_code;
	set_repro_lines(rs);
	/* What the database keeps: the status as far as the tests go. */
	rs->run.exit_code = run_exit_code(&e, NULL, 0);
	e.not_recorded = !record_run(rs, store, &ar, now);
	e.reports_failed = !write_reports(rs, store, &v);
	if (rs->log_failures) {
		fprintf(stderr, "flakeguard: %zu attempt log(s) in '%s' are "
			"missing or incomplete: %s\n", rs->log_failures,
			cli_safe(o->log_dir), strerror(rs->log_errno));
		e.logs_failed = true;
	}
	e.late_signal = late_signal;
	v.exit_code = exit_code = run_exit_code(&e, v.reason, sizeof(v.reason));
	run_stress_print(rs);
	/* -q on a green run still prints every decision CI logs must keep */
	cli_analysis_print(rs->human, &rs->run, &ar, o->qfile,
			   o->verbosity < 0 && !exit_code, NULL);
	if (o->verbosity >= 0 || exit_code) {
		struct report_term_opts to = { .color = rs->color,
						.ci = fg_ci_detect() };

		report_term(rs->human, &rs->run, &v, &to);
	} else {
		/* a green -q run still says that tests stopped running */
		report_term_missing(rs->human, &rs->run, rs->color);
	}
	an_run_release(&ar);
	if (rs->run.id && o->verbosity >= 0)
		fprintf(rs->human, "recorded as run %lld in %s\n",
			(long long)rs->run.id, cli_db_label(o->db));
	e.output_failed = fflush(rs->human) != 0;
	e.late_signal = late_signal;
	return run_exit_code(&e, NULL, 0);
}

int run_main(const struct cli_command *cmd, const struct run_opts *defaults,
	     int argc, char **argv)
{
	struct run_opts o = *defaults;
	struct run_state rs = { .o = &o };
	struct cli_parsed parsed;
	struct history_store *store = NULL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	int rc, sig = 0, exit_code, shard_k, shard_n;
	/* `stress` without --record leaves the history as it is */
	bool keep_db;

	o.timeout_ms = DEFAULT_TIMEOUT_MS;
	o.max_retry_failures = -1;
	o.log_max = 64 << 20;
	rc = cli_parse(cmd, argc, argv, &o, &parsed);
	if (rc) {
		cli_parsed_release(cmd, &parsed);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	keep_db = o.stress_runs && !o.record;
	if (o.verbosity > 0)
		fg_log_set_level(FG_LOG_DEBUG);
	if (o.stress_runs && !o.shard)
		o.shard = "1/1"; /* a developer's, not a CI node's */
	if ((rc = cli_shard_choose(cmd, o.shard, &shard_k, &shard_n))) {
		cli_parsed_release(cmd, &parsed);
		return rc;
	}
	if ((rc = cli_load_suites(cmd, &o.config, parsed.nargs,
				  parsed.args, &o.sel, &cfg)) ||
	    (rc = resolve_opts(cmd, &parsed, &o, &cfg)) ||
	    (rc = cli_keep_suites(cmd, &cfg, o.suites.v, o.suites.n))) {
		cli_parsed_release(cmd, &parsed);
		fg_config_release(&cfg);
		return rc;
	}
	rs.cfg = &cfg;
	rs.jobs = o.jobs ? o.jobs : runner_default_jobs();
	if (o.no_capture)
		rs.jobs = 1; /* live output from several tests would interleave */
	rs.human = o.json && !strcmp(o.json, "-") ? stderr : stdout;
	rs.color = report_color_choose(o.color, rs.human) > 0;
	rs.live = isatty(fileno(rs.human)) && !o.no_capture &&
		  o.verbosity >= 0 && getenv("TERM") &&
		  strcmp(getenv("TERM"), "dumb");
	rs.t0 = fg_monotonic_ns();
	fg_run_init(&rs.run);
	rs.run.commit = fg_xstrdup(o.commit);
	rs.run.branch = fg_xstrdup(o.branch);
	if (shard_n > 1)
		rs.run.shard = fg_xasprintf("%d/%d", shard_k, shard_n);
	rs.run.selection = run_selection(&o, &cfg, parsed.nargs, parsed.args);
	if (cli_policy_build(&cfg, o.policy.v, o.policy.n,
			     &rs.policy, &err)) {
		exit_code = err.code == FG_EINVAL ?
			cli_usage_error(cmd, "%s", err.msg) :
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

		if (!keep_db && !history_store_is_url(o.db) &&
		    stat(o.db, &st) < 0 && errno == ENOENT && o.verbosity >= 0 &&
		    !o.rerun_failed)
			fprintf(stderr, "flakeguard: no history at '%s' yet: "
				"starting a fresh one (keep this file between "
				"CI runs)\n", cli_db_label(o.db));
	}
	/*
	 * Fail before running anything if results could not be kept;
	 * --rerun-failed needs a history: it never starts one.
	 */
	if (cli_db_open(o.db, keep_db || o.rerun_failed ? CLI_DB_IF_EXISTS :
			CLI_DB_CREATE, &store, &err)) {
		exit_code = cli_error(&err);
		goto out;
	}
	if (!store && o.rerun_failed) {
		fprintf(stderr, "flakeguard: --rerun-failed: no history at '%s': "
			"no run to rerun the failures of\n", cli_db_label(o.db));
		exit_code = FG_EXIT_USAGE;
		goto out;
	}
	if ((!keep_db && (cli_spool_fold(store, o.db, stderr), 0)) ||
	    run_make_tmpdir(&rs, &err) ||
	    (o.log_dir && make_log_dir(o.log_dir, &err))) {
		exit_code = cli_error(&err);
		goto out;
	}
	/*
	 * git runs through libuv: only now, with the database open, are fds
	 * 0-2 sure to be taken (SQLite fills closed ones with /dev/null)
	 */
	cli_detect_meta(&rs.run, cfg.dir);
	if (o.rerun_failed && (exit_code = run_rerun_load(&rs, store))) {
		if (exit_code == RUN_NOTHING_TO_RERUN)
			exit_code = FG_EXIT_OK;
		goto out;
	}
	/*
	 * --rerun-failed under --shard K/N reruns node K's failures, all
	 * here: they are not split again (the shard is still recorded)
	 */
	if (cli_plan_build(&cfg, store, o.rerun_failed ? NULL : o.plan,
			   o.rerun_failed ? 1 : shard_k,
			   o.rerun_failed ? 1 : shard_n, &rs.plan, &err) ||
	    cli_quarantine_load(store, o.qfile, &rs.quarantine, &err) ||
	    ((o.new_test_runs > 0 || o.stress_runs) &&
	     run_stress_begin(&rs, store, &err))) {
		exit_code = cli_error(&err);
		goto out;
	}
	rs.run.started_at_ms = fg_now_ms();
	filter_plan(&rs);
	run_rerun_plan(&rs);
	skip_quarantined(&rs);
	skip_not_runnable(&rs);
	setup_items(&rs);
	/* before batching: what waits, or is waited for, is never batched */
	if (run_deps_wire(&rs, &err)) {
		exit_code = cli_error(&err);
		goto out;
	}
	run_make_batches(&rs);

	rc = execute(&rs, &sig, &err);
	if (rc && rc != FG_EINTR) {
		exit_code = cli_error(&err);
		goto out;
	}
	rs.run.interrupted = rc == FG_EINTR;
	exit_code = finish(&rs, store, sig);
out:
	free_items(&rs);
	run_stress_end(&rs);
	cli_quarantine_release(&rs.quarantine);
	cli_parsed_release(cmd, &parsed);
	runner_plan_release(&rs.plan);
	fg_run_release(&rs.run);
	fg_run_release(&rs.rerun);
	history_store_close(store);
	fg_config_release(&cfg);
	return exit_code;
}

static int cmd_run(int argc, char **argv)
{
	const struct run_opts defaults = { 0 };

	return run_main(&cli_cmd_run, &defaults, argc, argv);
}

const struct cli_command cli_cmd_run = {
	.name = "run",
	.fn = cmd_run,
	.usage = "flakeguard run [OPTIONS] [--] [PROGRAM...]",
	.summary = "run test suites in parallel and record their results",
	.help =
	"Each PROGRAM is one suite, run with no arguments. Without programs the\n"
	"suites come from flakeguard.json (or -c FILE), and the tests a build\n"
	"system declares (--ctest DIR, --meson DIR, or \"from\" in the file) are\n"
	"suites too. Work runs longest first by recorded durations (unknown\n"
	"first). Every option's value comes from, in rising order: its default,\n"
	"flakeguard.json, the environment variable named in docs/environment.md,\n"
	"the command line.\n",
	.help_after =
	"Each attempt gets FLAKEGUARD_JUNIT (also XML_OUTPUT_FILE and {junit} in\n"
	"its command and env) naming where to write JUnit XML, FLAKEGUARD_ATTEMPT,\n"
	"FLAKEGUARD_RUN_ID, a fresh TEST_TMPDIR and stdin from /dev/null\n"
	"(docs/environment.md).\n\n"
	"Exit codes: 0 nothing real failed, 1 a test failed, 2 usage or config\n"
	"error, 3 infrastructure error (database, spawn, disk), 129/130/143\n"
	"interrupted by SIGHUP/SIGINT/SIGTERM (results so far are recorded).\n",
	.options = run_options,
	.flags = CLI_STOP_AT_ARG,
};
