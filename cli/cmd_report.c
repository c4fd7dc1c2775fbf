/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_report.c - `flakeguard report`: the reports of any recorded run,
 * regenerated from the history database (the same reporters `run` uses,
 * through report_write_all(), so both give the same files).
 *
 * The run is loaded with history_store_load_run(); its verdict is decided
 * again by an_verdict(), which settles each test from its attempts.
 * The terminal summary goes to stdout (stderr when a report is written to
 * stdout with "-").
 */
#include "cli/cli.h"
#include "history/history.h"
#include "analyzer/analyzer.h"
#include "reporters/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct report_opts {
	const char *db;
	const char *run;  /* "latest" or a run id */
	int64_t run_id;   /* 0 = latest */
	struct report_outputs out;
	const char *color;
};

#define P struct report_opts
static const struct cli_opt report_options[] = {
	CLI_PATH(0, "db", P, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_STRING(0, "run", P, run, "ID|latest", "which run (default latest)"),
	CLI_PATH(0, "json", P, out.json, "FILE", "the run as JSON (- for stdout)"),
	CLI_PATH(0, "junit", P, out.junit, "FILE",
		 "merged JUnit XML, retries as Surefire's\n"
		 "flakyFailure/rerunFailure elements"),
	CLI_CHOICE(0, "junit-profile", P, out.junit_profile, "P",
		   cli_profile_choices,
		   "surefire (default), attempts (each attempt a\n"
		   "testcase) or plain (final status only)"),
	CLI_PATH(0, "html", P, out.html, "FILE", "one self-contained HTML page"),
	CLI_PATH(0, "markdown", P, out.markdown, "FILE",
		 "a compact summary for PR comments (- for\n"
		 "stdout); under GitHub Actions also appended\n"
		 "to $GITHUB_STEP_SUMMARY, with annotations"),
	CLI_CHOICE(0, "color", P, color, "WHEN", cli_color_choices,
		   "auto, always or never (NO_COLOR is honoured)"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef P

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

/* 0 to go on, CLI_HELP_SHOWN after --help, else an exit code. */
static int parse_opts(int argc, char **argv, struct report_opts *o)
{
	const struct cli_command *cmd = &cli_cmd_report;
	struct cli_parsed p;
	int rc = cli_parse(cmd, argc, argv, o, &p);

	if (!rc && p.nargs)
		rc = cli_usage_error(cmd, "unexpected argument '%s'",
				     p.args[0]);
	if (!rc)
		rc = cli_resolve(cmd, &p, NULL);
	cli_parsed_release(cmd, &p);
	if (!rc && o->run && parse_run(o->run, &o->run_id))
		rc = cli_usage_error(cmd, "invalid --run '%s' (expected a run "
				     "id or latest)", o->run);
	return rc;
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
	struct an_verdict v;
	struct report_term_opts term = { .tail_lines = 20,
					  .ci = fg_ci_detect() };
	struct fg_run run;
	const struct fg_ci *ci = fg_ci_detect();
	FILE *human;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
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
	an_verdict(&run, NULL, &v);
	/* Under GitHub Actions the Markdown also goes to the job summary,
	 * and failures become annotations (docs/reports.md). */
	o.out.github = o.out.markdown && ci && !strcmp(ci->id, "github");
	human = any_is_stdout(&o.out) ? stderr : stdout;
	rc = report_write_all(&o.out, &run, &v, &err);
	term.color = report_color_choose(o.color, human) > 0;
	report_term(human, &run, &v, &term);
	fprintf(human, "(run %lld, recorded %s)\n", (long long)run.id,
		cli_db_label(o.db));
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
	"the reports asked for (docs/reports.md describes each format).\n",
	.help_after =
	"Exit codes: 0 reports written (whatever the run's verdict), 2 usage\n"
	"error or no such run, 3 database or disk error.\n",
	.options = report_options,
};
