/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_export.c - `flakeguard export` and `flakeguard import-history`:
 * history as JSON Lines, one run per line, for moving it between
 * databases (or flakeguard versions) and for other tools to read.
 *
 * A line is {"format": "flakeguard-run/1", "uuid", "commit", "branch",
 * "host", "ci_job", "shard", "started_at_ms", "duration_ms", "exit_code",
 * "interrupted", "tests": [{"suite", "classname", "name", "file", "line",
 * "outcome", "duration_ms", "attempts": [{"status", "started_at_ms",
 * "duration_ms", "message", "output", and when known "beside",
 * "beside_names"}]}]}. Runs are known by their uuid, so importing the
 * same lines twice adds nothing.
 */
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* ---------------------------------------------------------------------- */
/* export                                                                  */
/* ---------------------------------------------------------------------- */

/* "2026-11-01", "2026-11-01T10:00:00Z" or "30d" (days ago) -> epoch ms. */
static int parse_since(const char *s, int64_t *ms)
{
	struct tm tm;
	char *end;
	long days;

	days = strtol(s, &end, 10);
	if (end != s && !strcmp(end, "d") && days >= 0) {
		*ms = fg_now_ms() - (int64_t)days * 86400000;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && (*end == 'T' || *end == ' '))
		end = strptime(end + 1, "%H:%M:%S", &tm);
	if (end && *end == 'Z')
		end++;
	if (!end || *end)
		return -1;
	*ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

struct export_opts {
	const char *db, *since, *output;
};

#define E struct export_opts
static const struct cli_opt export_options[] = {
	CLI_PATH(0, "db", E, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_STRING(0, "since", E, since, "DATE",
		   "only runs started since DATE (2026-11-01,\n"
		   "2026-11-01T10:00:00Z, or 30d for 30 days ago)"),
	CLI_PATH('o', "output", E, output, "FILE",
		 "write to FILE (default: stdout)"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef E

static int cmd_export(int argc, char **argv)
{
	struct export_opts o = { .db = CLI_DEFAULT_DB, .output = "-" };
	struct cli_parsed p;
	const char *db, *out_path;
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	int64_t since = 0, *ids = NULL;
	size_t n = 0;
	FILE *out;
	int rc;

	rc = cli_parse(&cli_cmd_export, argc, argv, &o, &p);
	if (!rc && p.nargs)
		rc = cli_usage_error(&cli_cmd_export, "unexpected argument "
				     "'%s'", p.args[0]);
	if (!rc)
		rc = cli_resolve(&cli_cmd_export, &p, NULL);
	cli_parsed_release(&cli_cmd_export, &p);
	if (!rc && o.since && parse_since(o.since, &since))
		rc = cli_usage_error(&cli_cmd_export, "invalid --since '%s' "
				     "(expected 2026-11-01, an ISO time or "
				     "30d)", o.since);
	if (rc)
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	db = o.db;
	out_path = o.output;
	if (cli_open_history_to_read(db, &st, &err) ||
	    history_store_run_ids(st, since, &ids, &n, &err)) {
		history_store_close(st);
		return cli_error(&err);
	}
	out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "flakeguard: cannot write '%s': %s\n", out_path,
			strerror(errno));
		free(ids);
		history_store_close(st);
		return FG_EXIT_INFRA;
	}
	for (size_t i = 0; i < n && rc == FG_EXIT_OK; i++) {
		struct fg_run run;
		json_t *line;

		if (history_store_load_run(st, ids[i], &run, &err)) {
			rc = cli_error(&err);
			break;
		}
		line = cli_run_line(&run);
		if (json_dumpf(line, out, JSON_COMPACT) || fputc('\n', out) == EOF)
			rc = FG_EXIT_INFRA;
		json_decref(line);
		fg_run_release(&run);
	}
	if ((out != stdout ? fclose(out) : fflush(out)) && rc == FG_EXIT_OK)
		rc = FG_EXIT_INFRA;
	if (rc == FG_EXIT_INFRA)
		fprintf(stderr, "flakeguard: cannot write '%s': %s\n", out_path,
			strerror(errno));
	else if (rc == FG_EXIT_OK)
		fprintf(stderr, "exported %zu run(s) from %s\n", n,
			cli_db_label(db));
	free(ids);
	history_store_close(st);
	return rc;
}

const struct cli_command cli_cmd_export = {
	.name = "export",
	.fn = cmd_export,
	.usage = "flakeguard export [--db PATH] [--since DATE] [-o FILE]",
	.summary = "write history as JSON Lines, one run per line",
	.help =
	"Writes every run (oldest first) with its tests and attempts, messages\n"
	"and output excerpts, as one JSON object per line (format\n"
	"\"flakeguard-run/1\"). import-history reads it back.\n",
	.options = export_options,
};

/* ---------------------------------------------------------------------- */
/* import-history                                                          */
/* ---------------------------------------------------------------------- */

static int import_file(struct history_store *st, const char *path,
		       size_t *added, size_t *skipped)
{
	FILE *f = strcmp(path, "-") ? fg_fopen_input(path) : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = FG_EXIT_OK;

	if (!f) {
		fprintf(stderr, "flakeguard: cannot read '%s': %s\n", path,
			strerror(errno));
		return FG_EXIT_INFRA;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct fg_error err = { 0 };
		json_error_t jerr;
		struct fg_run run;
		const char *bad;
		bool has = false;
		json_t *o;

		lineno++;
		if (len <= 1)
			continue;
		o = json_loadb(line, (size_t)len, 0, &jerr);
		if (!o) {
			fprintf(stderr, "flakeguard: %s:%d:%d: %s\n", path,
				lineno, jerr.column, jerr.text);
			rc = FG_EXIT_FAILED;
			continue;
		}
		fg_run_init(&run);
		bad = cli_run_from_line(o, &run);
		json_decref(o);
		if (bad) {
			fprintf(stderr, "flakeguard: %s:%d: %s\n", path, lineno,
				bad);
			rc = FG_EXIT_FAILED;
		} else if (history_store_has_run(st, run.uuid, &has, &err) ||
			   (!has && history_store_write_run(st, &run, &err))) {
			fprintf(stderr, "flakeguard: %s:%d: %s\n", path, lineno,
				err.msg);
			fg_run_release(&run);
			rc = FG_EXIT_INFRA;
			break;
		} else {
			*(has ? skipped : added) += 1;
		}
		fg_run_release(&run);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

struct import_history_opts {
	const char *db;
};

static const struct cli_opt import_history_options[] = {
	CLI_PATH(0, "db", struct import_history_opts, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_HELP_OPT,
	CLI_END,
};

static int cmd_import_history(int argc, char **argv)
{
	struct import_history_opts o = { .db = CLI_DEFAULT_DB };
	struct cli_parsed p;
	const char *db;
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	size_t added = 0, skipped = 0;
	int rc;

	rc = cli_parse(&cli_cmd_import_history, argc, argv, &o, &p);
	if (!rc && !p.nargs)
		rc = cli_usage_error(&cli_cmd_import_history,
				     "no FILE given (- for stdin)");
	if (!rc)
		rc = cli_resolve(&cli_cmd_import_history, &p, NULL);
	if (rc) {
		cli_parsed_release(&cli_cmd_import_history, &p);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	db = o.db;
	if (cli_db_open(db, CLI_DB_CREATE, &st, &err)) {
		cli_parsed_release(&cli_cmd_import_history, &p);
		return cli_error(&err);
	}
	for (int i = 0; i < p.nargs; i++) {
		int r = import_file(st, p.args[i], &added, &skipped);

		if (r > rc)
			rc = r;
		if (r == FG_EXIT_INFRA)
			break;
	}
	cli_parsed_release(&cli_cmd_import_history, &p);
	history_store_close(st);
	printf("imported %zu run(s) into %s, %zu already there\n", added,
	       cli_db_label(db),
	       skipped);
	return rc;
}

const struct cli_command cli_cmd_import_history = {
	.name = "import-history",
	.fn = cmd_import_history,
	.usage = "flakeguard import-history [--db PATH] FILE...",
	.summary = "read JSON Lines written by export into a database",
	.help =
	"Adds each run of each FILE (- for stdin) that the database does not\n"
	"have yet (runs are known by their uuid: importing twice adds nothing).\n"
	"A malformed line is reported as FILE:LINE and skipped.\n",
	.help_after =
	"Exit codes: 0 all lines read, 1 a line was malformed, 2 usage error,\n"
	"3 database error.\n",
	.options = import_history_options,
};
