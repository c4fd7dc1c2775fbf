/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_run.c - `flakeguard run`: plan, run, read, record, report.
 *
 * This file wires the stages together and owns nothing clever:
 *   config (core) -> one runner_job per suite attempt (runner) -> JUnit of
 *   each attempt (history) -> the run model -> verdict (analyzer) ->
 *   history database (history) -> JSON and terminal (reporters).
 *
 * A suite's attempt becomes results like this:
 *   - its JUnit XML (at {junit} / FLAKEGUARD_JUNIT, or the suite's fixed
 *     "junit" path) gives one test per test case;
 *   - a suite-level test named after the suite records the process itself
 *     when there is no XML, when the XML is unreadable, when the process
 *     ended abnormally (timeout, signal, leak, could not start), or when it
 *     exited non-zero while its XML shows no failure: a non-zero exit is
 *     never a silent pass.
 * Retries rerun the whole suite (--retries, "retries"); each attempt adds
 * an attempt to every test it reports.
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
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_DB ".flakeguard/history.db"
#define DEFAULT_TIMEOUT_MS (10 * 60 * 1000)
#define OUTPUT_TAIL_FOR_XML (16 * 1024)

struct run_opts {
	const char *config;
	const char *db;
	const char *json;
	const char *commit;
	const char *branch;
	const char *color;
	int jobs;
	int retries;
	int64_t timeout_ms;
	int64_t kill_grace_ms;
	int64_t leak_timeout_ms;
	bool flaky_fails;
	int verbosity;       /* -1 quiet, 0 normal, 1 verbose */
};

struct suite_state {
	struct run_state *rs;
	const struct fg_suite_cfg *cfg;
	size_t index;
	int attempt;          /* number of the attempt running or last run */
	int max_attempts;
	char *cwd;            /* absolute or relative to flakeguard's cwd */
	char *junit;          /* where this attempt's XML is expected */
	bool fixed_junit;     /* the suite names its own XML path */
	char **argv;          /* this attempt's argv, {junit} substituted */
	char **env;           /* this attempt's complete environment */
	bool has_suite_test;  /* a suite-level test exists in the run */
	struct runner_job job;
};

struct run_state {
	struct run_opts *o;
	struct fg_config *cfg;
	struct fg_run run;
	struct suite_state *suites;
	char *tmpdir;
	FILE *human;          /* where progress and the summary go */
	bool color;
	size_t spawn_errors;
};

/* ---------------------------------------------------------------------- */
/* Per-attempt preparation                                                 */
/* ---------------------------------------------------------------------- */

/* s with every "{junit}" replaced by path. Caller frees. */
static char *subst_junit(const char *s, const char *path)
{
	const char *p = strstr(s, "{junit}");
	char *head, *rest, *out;

	if (!p)
		return fg_xstrdup(s);
	head = fg_xstrndup(s, (size_t)(p - s));
	rest = subst_junit(p + 7, path);
	out = fg_xasprintf("%s%s%s", head, path, rest);
	free(head);
	free(rest);
	return out;
}

/* Sets KEY=VALUE in the NULL-terminated env vector (replacing KEY). */
static void env_set(char ***env, size_t *n, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < *n; i++) {
		if (!strncmp((*env)[i], kv, klen) && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = fg_xstrdup(kv);
			return;
		}
	}
	*env = fg_xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = fg_xstrdup(kv);
	(*env)[*n] = NULL;
}

static char **build_env(struct suite_state *ss)
{
	char **env = fg_strv_dup(environ);
	size_t n = fg_strv_len(env);
	char *kv;

	for (char **e = ss->cfg->env; e && *e; e++) {
		char *v = subst_junit(*e, ss->junit);

		env_set(&env, &n, v);
		free(v);
	}
	kv = fg_xasprintf("FLAKEGUARD_JUNIT=%s", ss->junit);
	env_set(&env, &n, kv);
	free(kv);
	kv = fg_xasprintf("XML_OUTPUT_FILE=%s", ss->junit);
	env_set(&env, &n, kv);
	free(kv);
	kv = fg_xasprintf("FLAKEGUARD_ATTEMPT=%d", ss->attempt);
	env_set(&env, &n, kv);
	free(kv);
	return env;
}

static void prepare_attempt(struct suite_state *ss)
{
	size_t argc = fg_strv_len(ss->cfg->argv);

	ss->attempt++;
	if (!ss->fixed_junit) {
		free(ss->junit);
		ss->junit = fg_xasprintf("%s/%zu.%d.xml", ss->rs->tmpdir,
					 ss->index, ss->attempt);
	}
	/* Stale XML from an earlier run must never be read as this one's. */
	if (unlink(ss->junit) < 0 && errno != ENOENT)
		fg_log(FG_LOG_WARN, "run", "cannot remove stale '%s': %s",
		       ss->junit, strerror(errno));
	fg_strv_free(ss->argv);
	ss->argv = fg_xcalloc(argc + 1, sizeof(char *));
	for (size_t i = 0; i < argc; i++)
		ss->argv[i] = subst_junit(ss->cfg->argv[i], ss->junit);
	fg_strv_free(ss->env);
	ss->env = build_env(ss);
	ss->job.name = ss->cfg->name;
	ss->job.argv = ss->argv;
	ss->job.env = ss->env;
	ss->job.cwd = ss->cwd;
	ss->job.timeout_ms = ss->cfg->timeout_ms ? ss->cfg->timeout_ms :
						    ss->rs->o->timeout_ms;
	ss->job.data = ss;
}

/* ---------------------------------------------------------------------- */
/* From a finished attempt to results                                      */
/* ---------------------------------------------------------------------- */

/* The attempt status of the suite process and a message for it. */
static enum fg_astatus process_status(struct suite_state *ss, char *msg,
				      size_t n)
{
	const struct runner_result *res = &ss->job.result;
	char d[32];

	switch (res->end) {
	case RUNNER_SPAWN_FAILED:
		snprintf(msg, n, "could not start '%s': %s", ss->argv[0],
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
			 fg_duration_format(ss->job.timeout_ms, d, sizeof(d)));
		return FG_A_TIMEOUT;
	case RUNNER_SIGNALED:
		snprintf(msg, n, "killed by signal %d (%s)", res->term_signal,
			 strsignal(res->term_signal));
		return FG_A_CRASHED;
	case RUNNER_EXITED:
		break;
	}
	if (res->leaked) {
		snprintf(msg, n, "exited with status %d but left processes "
			 "holding its output open (leaked); they were killed",
			 res->exit_code);
		return FG_A_LEAKED;
	}
	if (res->exit_code) {
		snprintf(msg, n, "exited with status %d", res->exit_code);
		return FG_A_FAILED;
	}
	msg[0] = '\0';
	return FG_A_PASSED;
}

/* Moves the tests of one attempt's XML into the run, as attempts. */
static size_t merge_xml(struct suite_state *ss, struct fg_run *xml,
			const char *output_tail)
{
	struct fg_run *run = &ss->rs->run;
	size_t failures = 0;

	for (size_t i = 0; i < xml->ntests; i++) {
		struct fg_test *src = &xml->tests[i];
		struct fg_test *dst = NULL;

		/* NEEDSWORK: linear lookup; fine until per-case retries. */
		if (ss->attempt > 1)
			dst = fg_run_find_test(run, src->suite, src->classname,
					       src->name);
		if (!dst) {
			dst = fg_run_add_test(run, src->suite, src->classname,
					      src->name);
			dst->file = src->file;
			dst->line = src->line;
			src->file = NULL;
		}
		for (size_t k = 0; k < src->nattempts; k++) {
			struct fg_attempt *a = &src->attempts[k];
			bool fail = fg_astatus_is_failure(a->status);
			struct fg_attempt *na;

			failures += fail;
			na = fg_test_add_attempt(dst, a->status, a->duration_ms,
						 NULL, NULL);
			na->message = a->message;
			na->output = a->output;
			na->started_at_ms = a->started_at_ms;
			a->message = a->output = NULL;
			if (fail && !na->output && output_tail && *output_tail)
				na->output = fg_xstrdup(output_tail);
		}
	}
	return failures;
}

/* Reads this attempt's XML into the run; returns -1 when there was none. */
static long read_xml(struct suite_state *ss, const char *output_tail,
		     char *xml_problem, size_t n)
{
	struct history_junit_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct fg_run xml;
	struct stat st;
	long failures;
	int rc;

	xml_problem[0] = '\0';
	if (stat(ss->junit, &st) < 0)
		return -1;
	fg_run_init(&xml);
	rc = history_junit_read(ss->junit, ss->cfg->name, &xml, &stats, &err);
	if (rc) {
		fg_log(FG_LOG_WARN, "run", "%s", err.msg);
		snprintf(xml_problem, n, "%s", err.msg);
	} else if (!xml.ntests) {
		snprintf(xml_problem, n, "%s: JUnit XML holds no test case",
			 ss->junit);
	}
	failures = (long)merge_xml(ss, &xml, output_tail);
	if (!xml.ntests && !rc)
		failures = -1;
	fg_run_release(&xml);
	return failures;
}

static void record_suite_test(struct suite_state *ss, enum fg_astatus st,
			      const char *msg, const char *output)
{
	struct fg_run *run = &ss->rs->run;
	struct fg_test *t = NULL;
	struct fg_attempt *a;

	if (ss->has_suite_test)
		t = fg_run_find_test(run, ss->cfg->name, "", ss->cfg->name);
	if (!t)
		t = fg_run_add_test(run, ss->cfg->name, "", ss->cfg->name);
	ss->has_suite_test = true;
	a = fg_test_add_attempt(t, st, ss->job.result.duration_ms,
				*msg ? msg : NULL,
				fg_astatus_is_failure(st) ? output : NULL);
	a->started_at_ms = ss->job.result.started_at_ms;
}

static void print_progress(struct suite_state *ss, enum fg_astatus st,
			   long xml_failures)
{
	struct run_state *rs = ss->rs;
	struct fg_attempt a = {
		.number = ss->attempt,
		.status = xml_failures > 0 && st == FG_A_PASSED ? FG_A_FAILED :
								  st,
		.duration_ms = ss->job.result.duration_ms,
	};
	struct fg_test t = {
		.suite = ss->cfg->name, .classname = "", .name = ss->cfg->name,
	};

	if (rs->o->verbosity < 0)
		return;
	report_term_attempt(rs->human, &t, &a, rs->color);
	fflush(rs->human);
}

static void on_done(struct runner *r, struct runner_job *job, void *data)
{
	struct suite_state *ss = job->data;
	char msg[512], xml_problem[1100];
	enum fg_astatus st = process_status(ss, msg, sizeof(msg));
	char *output = fg_buf_text(&job->result.output);
	size_t olen = strlen(output);
	const char *tail = olen > OUTPUT_TAIL_FOR_XML ?
				   output + olen - OUTPUT_TAIL_FOR_XML : output;
	long xml_failures;
	bool failed;

	(void)data;
	if (job->result.end == RUNNER_SPAWN_FAILED) {
		ss->rs->spawn_errors++;
		fprintf(stderr, "flakeguard: %s: %s\n", ss->cfg->name, msg);
	}
	xml_failures = read_xml(ss, tail, xml_problem, sizeof(xml_problem));
	if (xml_failures < 0 || xml_problem[0] ||
	    (st != FG_A_PASSED && st != FG_A_FAILED) ||
	    (st == FG_A_FAILED && xml_failures == 0) || ss->has_suite_test) {
		if (st == FG_A_FAILED && xml_failures == 0)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				 " but its JUnit XML reports no failure");
		if (xml_problem[0] && st == FG_A_PASSED) {
			st = FG_A_ERROR;
			snprintf(msg, sizeof(msg), "%.500s", xml_problem);
		}
		record_suite_test(ss, st, msg, output);
	}
	print_progress(ss, st, xml_failures);
	failed = fg_astatus_is_failure(st) || xml_failures > 0;
	free(output);
	runner_job_release(job);
	if (failed && ss->attempt < ss->max_attempts &&
	    job->result.end != RUNNER_SPAWN_FAILED &&
	    job->result.end != RUNNER_INTERRUPTED) {
		prepare_attempt(ss);
		runner_submit(r, &ss->job);
	}
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

static char *join_path(const char *dir, const char *path)
{
	if (!path)
		return fg_xstrdup(dir);
	if (path[0] == '/' || !strcmp(dir, "."))
		return fg_xstrdup(path);
	return fg_xasprintf("%s/%s", dir, path);
}

static void setup_suites(struct run_state *rs)
{
	rs->suites = fg_xcalloc(rs->cfg->nsuites, sizeof(*rs->suites));
	for (size_t i = 0; i < rs->cfg->nsuites; i++) {
		struct suite_state *ss = &rs->suites[i];
		const struct fg_suite_cfg *sc = &rs->cfg->suites[i];
		int retries = sc->retries >= 0 ? sc->retries : rs->o->retries;

		ss->rs = rs;
		ss->cfg = sc;
		ss->index = i;
		ss->max_attempts = 1 + (retries > 0 ? retries : 0);
		ss->cwd = join_path(rs->cfg->dir, sc->cwd);
		if (sc->junit) {
			char *p = join_path(ss->cwd, sc->junit);

			ss->junit = p[0] == '/' ? p :
				    fg_xasprintf("%s/%s", getenv("PWD") ?
					getenv("PWD") : ".", p);
			if (ss->junit != p)
				free(p);
			ss->fixed_junit = true;
		}
		prepare_attempt(ss);
	}
}

static void free_suites(struct run_state *rs)
{
	for (size_t i = 0; rs->suites && i < rs->cfg->nsuites; i++) {
		struct suite_state *ss = &rs->suites[i];

		if (!ss->fixed_junit && ss->junit)
			unlink(ss->junit);
		for (int a = 1; !ss->fixed_junit && a < ss->attempt; a++) {
			char *p = fg_xasprintf("%s/%zu.%d.xml", rs->tmpdir,
					       ss->index, a);
			unlink(p);
			free(p);
		}
		free(ss->cwd);
		free(ss->junit);
		fg_strv_free(ss->argv);
		fg_strv_free(ss->env);
	}
	free(rs->suites);
	if (rs->tmpdir && rmdir(rs->tmpdir) < 0)
		fg_log(FG_LOG_WARN, "run", "cannot remove '%s': %s",
		       rs->tmpdir, strerror(errno));
	free(rs->tmpdir);
}

static int make_tmpdir(struct run_state *rs, struct fg_error *err)
{
	const char *base = getenv("TMPDIR");
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
	return FG_OK;
}

enum {
	OPT_TIMEOUT = 256, OPT_DB, OPT_JSON, OPT_COMMIT, OPT_BRANCH,
	OPT_RETRIES, OPT_FLAKY_RESULT, OPT_COLOR, OPT_KILL_GRACE,
	OPT_LEAK_TIMEOUT,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-grace", required_argument, NULL, OPT_KILL_GRACE },
	{ "leak-timeout", required_argument, NULL, OPT_LEAK_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "flaky-result", required_argument, NULL, OPT_FLAKY_RESULT },
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	const struct cli_command *cmd = &cli_cmd_run;
	struct fg_error err;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:j:qvh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			if (parse_int(optarg, 1, 4096, &o->jobs))
				return cli_usage_error(cmd, "invalid --jobs '%s' "
						       "(expected 1 to 4096)", optarg);
			break;
		case OPT_TIMEOUT:
		case OPT_KILL_GRACE:
		case OPT_LEAK_TIMEOUT: {
			int64_t *dst = c == OPT_TIMEOUT    ? &o->timeout_ms :
				       c == OPT_KILL_GRACE ? &o->kill_grace_ms :
							     &o->leak_timeout_ms;

			if (fg_duration_parse(optarg, dst, &err))
				return cli_usage_error(cmd, "%s", err.msg);
			break;
		}
		case OPT_RETRIES:
			if (parse_int(optarg, 0, 100, &o->retries))
				return cli_usage_error(cmd, "invalid --retries '%s' "
						       "(expected 0 to 100)", optarg);
			break;
		case OPT_FLAKY_RESULT:
			if (strcmp(optarg, "pass") && strcmp(optarg, "fail"))
				return cli_usage_error(cmd, "invalid --flaky-result "
						       "'%s' (expected pass or fail)",
						       optarg);
			o->flaky_fails = !strcmp(optarg, "fail");
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_COMMIT:
			o->commit = optarg;
			break;
		case OPT_BRANCH:
			o->branch = optarg;
			break;
		case OPT_COLOR:
			if (report_color_choose(optarg, stdout) < 0)
				return cli_usage_error(cmd, "invalid --color '%s' "
						       "(expected auto, always or never)",
						       optarg);
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
			return cli_usage_error(cmd, "invalid option");
		}
	}
	return 0;
}

static int load_config(struct run_opts *o, int nprog, char **progs,
		       struct fg_config *cfg)
{
	struct fg_error err;
	struct stat st;

	fg_config_init(cfg);
	if (nprog) {
		if (o->config)
			fprintf(stderr, "flakeguard: programs given: ignoring "
				"the suites of '%s'\n", o->config);
		for (int i = 0; i < nprog; i++)
			fg_config_add_program(cfg, progs[i]);
		return FG_OK;
	}
	if (!o->config) {
		if (stat("flakeguard.json", &st) < 0)
			return cli_usage_error(&cli_cmd_run,
					       "no programs given and no "
					       "flakeguard.json here (use -c FILE)");
		o->config = "flakeguard.json";
	}
	if (fg_config_load(cfg, o->config, &err))
		return cli_error(&err);
	if (!cfg->nsuites) {
		fprintf(stderr, "flakeguard: %s: no suites to run\n", o->config);
		return FG_EXIT_USAGE;
	}
	return FG_OK;
}

/* Runs everything and fills rs->run. Returns FG_OK or FG_EINTR. */
static int execute(struct run_state *rs, int *signal_out,
		   struct fg_error *err)
{
	struct runner_opts ro = {
		.jobs = rs->o->jobs ? rs->o->jobs : rs->cfg->jobs,
		.kill_grace_ms = rs->o->kill_grace_ms,
		.leak_timeout_ms = rs->o->leak_timeout_ms,
		.on_done = on_done,
		.data = rs,
	};
	struct runner *r;
	uint64_t t0 = fg_monotonic_ns();
	int rc;

	if ((rc = runner_new(&ro, &r, err)))
		return rc;
	for (size_t i = 0; i < rs->cfg->nsuites; i++)
		runner_submit(r, &rs->suites[i].job);
	rc = runner_run(r);
	*signal_out = runner_signal(r);
	if (rc == FG_EINTR && runner_dropped(r))
		fprintf(stderr, "flakeguard: %zu suite(s) not started\n",
			runner_dropped(r));
	runner_free(r);
	rs->run.duration_ms = (int64_t)((fg_monotonic_ns() - t0) / 1000000);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .retries = 0, .timeout_ms = DEFAULT_TIMEOUT_MS };
	struct run_state rs = { .o = &o };
	struct analyzer_opts ao = { 0 };
	struct analyzer_verdict v;
	struct history_store *store = NULL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	int rc, sig = 0, exit_code;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc < 0 ? FG_EXIT_OK : rc;
	if ((rc = load_config(&o, argc - optind, argv + optind, &cfg))) {
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
	rs.human = o.json && !strcmp(o.json, "-") ? stderr : stdout;
	rs.color = report_color_choose(o.color, rs.human) > 0;

	/* Fail before running anything if results could not be kept. */
	if (history_store_open(o.db, &store, &err) ||
	    make_tmpdir(&rs, &err)) {
		history_store_close(store);
		fg_config_release(&cfg);
		return cli_error(&err);
	}
	fg_run_init(&rs.run);
	rs.run.commit = fg_xstrdup(o.commit);
	rs.run.branch = fg_xstrdup(o.branch);
	cli_detect_meta(&rs.run, cfg.dir);
	rs.run.started_at_ms = fg_now_ms();
	setup_suites(&rs);

	rc = execute(&rs, &sig, &err);
	if (rc && rc != FG_EINTR) {
		exit_code = cli_error(&err);
		goto out;
	}
	rs.run.interrupted = rc == FG_EINTR;
	ao.flaky_fails = o.flaky_fails;
	analyzer_verdict(&rs.run, &ao, &v);
	exit_code = v.exit_code;
	if (rs.spawn_errors) {
		exit_code = FG_EXIT_INFRA;
		snprintf(v.reason, sizeof(v.reason),
			 "%zu suite(s) could not be started", rs.spawn_errors);
	}
	if (rs.run.interrupted) {
		exit_code = sig == SIGTERM ? FG_EXIT_SIGTERM : FG_EXIT_SIGINT;
		snprintf(v.reason, sizeof(v.reason), "interrupted by %s",
			 sig == SIGTERM ? "SIGTERM" : "SIGINT");
	}
	v.exit_code = exit_code;
	rs.run.exit_code = exit_code;

	if (history_store_write_run(store, &rs.run, &err)) {
		fprintf(stderr, "flakeguard: %s\n", err.msg);
		exit_code = FG_EXIT_INFRA;
	}
	if (o.json && report_json_write(o.json, &rs.run, &err)) {
		fprintf(stderr, "flakeguard: %s\n", err.msg);
		exit_code = FG_EXIT_INFRA;
	}
	if (o.verbosity >= 0 || exit_code) {
		struct report_term_opts to = { .color = rs.color };

		report_term(rs.human, &rs.run, &v, &to);
	}
	if (rs.run.id && o.verbosity >= 0)
		fprintf(rs.human, "recorded as run %lld in %s\n",
			(long long)rs.run.id, o.db);
	if (fflush(rs.human) && exit_code == FG_EXIT_OK)
		exit_code = FG_EXIT_INFRA;
out:
	free_suites(&rs);
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
	"suites come from flakeguard.json (or -c FILE).\n\n"
	"Options:\n"
	"  -c, --config FILE        suites from FILE (default: flakeguard.json)\n"
	"  -j, --jobs N             run N suites at once (default: cores)\n"
	"      --timeout DURATION   per-attempt timeout (default 10m; 90s, 1500ms)\n"
	"      --kill-grace DURATION  SIGTERM to SIGKILL on timeout (default 5s)\n"
	"      --leak-timeout DURATION  wait for output held by leftover\n"
	"                           processes after exit (default 200ms)\n"
	"      --retries N          rerun a failing suite up to N times (default 0)\n"
	"      --flaky-result pass|fail  whether flaky tests fail the run\n"
	"                           (default pass)\n"
	"      --db PATH            history database (default .flakeguard/history.db)\n"
	"      --json FILE          write the run as JSON (- for stdout)\n"
	"      --commit SHA         commit under test (default: CI env or git)\n"
	"      --branch NAME        branch under test (default: CI env or git)\n"
	"      --color WHEN         auto, always or never (NO_COLOR is honoured)\n"
	"  -q, --quiet              print only failures and the verdict\n"
	"  -v, --verbose            debug logging on stderr\n"
	"  -h, --help               this help\n\n"
	"Each suite gets FLAKEGUARD_JUNIT (also XML_OUTPUT_FILE and {junit} in its\n"
	"command and env) naming where to write JUnit XML, and FLAKEGUARD_ATTEMPT.\n\n"
	"Exit codes: 0 nothing real failed, 1 a test failed, 2 usage or config\n"
	"error, 3 infrastructure error (database, spawn, disk), 130/143\n"
	"interrupted (results so far are recorded).\n",
};
