/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_report.c - `flakeguard report`: the reports of any recorded run,
 * regenerated from the history database (the same reporters `run` uses,
 * through report_write_all(), so both give the same files).
 *
 * The run is loaded with history_store_load_run(); its verdict is decided
 * again by analyzer_verdict(), which settles each test from its attempts.
 * The terminal summary goes to stdout (stderr when a report is written to
 * stdout with "-").
 */
#include "cli/cli.h"
#include "history/history.h"
#include "analyzer/analyzer.h"
#include "reporters/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct report_opts {
	const char *db;
	int64_t run_id;   /* 0 = latest */
	struct report_outputs out;
	const char *color;
};

enum {
	OPT_DB = 256, OPT_RUN, OPT_JSON, OPT_JUNIT, OPT_JUNIT_PROFILE, OPT_HTML,
	OPT_MARKDOWN, OPT_COLOR,
};

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "junit-profile", required_argument, NULL, OPT_JUNIT_PROFILE },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "markdown", required_argument, NULL, OPT_MARKDOWN },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "latest" or a positive run id. */
static int parse_run(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!strcmp(s, "latest")) {
		*id = 0;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* 0 to go on, -1 after --help, else an exit code. */
static int parse_opts(int argc, char **argv, struct report_opts *o)
{
	const struct cli_command *cmd = &cli_cmd_report;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_JSON: o->out.json = optarg; break;
		case OPT_JUNIT: o->out.junit = optarg; break;
		case OPT_HTML: o->out.html = optarg; break;
		case OPT_MARKDOWN: o->out.markdown = optarg; break;
		case OPT_RUN:
			if (parse_run(optarg, &o->run_id))
				return cli_usage_error(cmd, "invalid --run '%s' "
						       "(expected a run id or "
						       "latest)", optarg);
			break;
		case OPT_JUNIT_PROFILE:
			if (report_junit_profile_parse(optarg) < 0)
				return cli_usage_error(cmd, "invalid --junit-profile "
						       "'%s' (expected surefire, "
						       "attempts or plain)", optarg);
			o->out.junit_profile = optarg;
			break;
		case OPT_COLOR:
			if (report_color_choose(optarg, stdout) < 0)
				return cli_usage_error(cmd, "invalid --color '%s' "
						       "(expected auto, always or "
						       "never)", optarg);
			o->color = optarg;
			break;
		case 'h':
			cli_help(cmd);
			return -1;
		default:
			return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static bool any_is_stdout(const struct report_outputs *o)
{
	return (o->json && !strcmp(o->json, "-")) ||
	       (o->markdown && !strcmp(o->markdown, "-"));
}

static int cmd_report(int argc, char **argv)
{
	struct report_opts o = { .db = CLI_DEFAULT_DB };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct analyzer_verdict v;
	struct report_term_opts term = { .tail_lines = 20,
					  .ci = report_ci_detect() };
	struct fg_run run;
	const char *gha = getenv("GITHUB_ACTIONS");
	FILE *human;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? FG_EXIT_OK : rc;
	if ((rc = cli_open_history_to_read(o.db, &st, &err)) != FG_OK)
		return cli_error(&err);
	struct history_quarantine_list ql = { 0 };
	struct fg_error qerr;

	rc = history_store_load_run(st, o.run_id, &run, &err);
	/* The quarantine list as it stands now, for the HTML page. */
	struct history_run_brief *recent = NULL;

	if (rc == FG_OK && o.out.html &&
	    history_quarantine_list(st, false, &ql, &qerr) == FG_OK)
		o.out.quarantine = &ql;
	if (rc == FG_OK && o.out.html &&
	    history_store_recent_runs(st, 50, &recent, &o.out.nrecent,
				      &qerr) == FG_OK)
		o.out.recent = recent;
	history_store_close(st);
	if (rc != FG_OK)
		return cli_error(&err);
	analyzer_verdict(&run, NULL, &v);
	/* Under GitHub Actions the Markdown also goes to the job summary,
	 * and failures become annotations (docs/reports.md). */
	o.out.github = o.out.markdown && gha && !strcmp(gha, "true");
	human = any_is_stdout(&o.out) ? stderr : stdout;
	rc = report_write_all(&o.out, &run, &v, &err);
	term.color = report_color_choose(o.color, human) > 0;
	report_term(human, &run, &v, &term);
	fprintf(human, "(run %lld, recorded %s)\n", (long long)run.id,
		o.db);
	fg_run_release(&run);
	history_quarantine_list_release(&ql);
	free(recent);
	if (rc != FG_OK)
		return cli_error(&err);
	if (fflush(stdout))
		return FG_EXIT_INFRA;
	return FG_EXIT_OK;
}

const struct cli_command cli_cmd_report = {
	.name = "report",
	.fn = cmd_report,
	.usage = "flakeguard report [OPTIONS]",
	.summary = "write the reports of a recorded run (HTML, JUnit, JSON, Markdown)",
	.help =
	"Loads a run from the history database, prints its summary and writes\n"
	"the reports asked for (docs/reports.md describes each format).\n\n"
	"Options:\n"
	"      --db PATH            history database (default .flakeguard/history.db)\n"
	"      --run ID|latest      which run (default latest)\n"
	"      --json FILE          the run as JSON (- for stdout)\n"
	"      --junit FILE         merged JUnit XML, retries as Surefire's\n"
	"                           flakyFailure/rerunFailure elements\n"
	"      --junit-profile P    surefire (default), attempts (each attempt a\n"
	"                           testcase) or plain (final status only)\n"
	"      --html FILE          one self-contained HTML page\n"
	"      --markdown FILE      a compact summary for PR comments (- for\n"
	"                           stdout); under GitHub Actions also appended\n"
	"                           to $GITHUB_STEP_SUMMARY, with annotations\n"
	"      --color WHEN         auto, always or never (NO_COLOR is honoured)\n"
	"  -h, --help               this help\n\n"
	"Exit codes: 0 reports written (whatever the run's verdict), 2 usage\n"
	"error or no such run, 3 database or disk error.\n",
};
