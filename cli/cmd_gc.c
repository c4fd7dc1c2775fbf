/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_gc.c - `flakeguard gc`: retention for the history database.
 * history_store_gc() does the work in one transaction; this prints what
 * went.
 */
#include "cli/cli.h"
#include "history/history.h"

#include <stdlib.h>

struct gc_opts {
	const char *db;
	int keep_days, keep_runs;   /* -1: no limit */
	const char *max_size;
	bool vacuum;
};

#define G struct gc_opts
static const struct cli_opt gc_options[] = {
	CLI_PATH(0, "db", G, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_INT(0, "keep-days", G, keep_days, "N", 0, 1000000000,
		"delete runs started more than N days ago"),
	CLI_INT(0, "keep-runs", G, keep_runs, "N", 0, 1000000000,
		"keep only the newest N runs"),
	CLI_STRING(0, "max-size", G, max_size, "SIZE",
		   "then drop the oldest runs until the file\n"
		   "fits in SIZE (e.g. 200M, 1G; implies\n"
		   "--vacuum)"),
	CLI_FLAG(0, "vacuum", G, vacuum, "then compact the file (VACUUM)"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef G


static int64_t max_size = -1;

static int parse_opts(int argc, char **argv, struct gc_opts *g,
		      struct history_gc_opts *o)
{
	struct cli_parsed p;
	int rc = cli_parse(&cli_cmd_gc, argc, argv, g, &p);

	if (!rc && p.nargs)
		rc = cli_usage_error(&cli_cmd_gc, "unexpected argument '%s'",
				     p.args[0]);
	if (!rc)
		rc = cli_resolve(&cli_cmd_gc, &p, NULL);
	cli_parsed_release(&cli_cmd_gc, &p);
	if (rc)
		return rc;
	if (g->max_size) {
		max_size = cli_size_parse(g->max_size);
		if (max_size < 4096)
			return cli_usage_error(&cli_cmd_gc, "invalid "
					       "--max-size '%s' (e.g. 200M)",
					       g->max_size);
	}
	o->keep_days = g->keep_days;
	o->keep_runs = g->keep_runs;
	o->vacuum = g->vacuum;
	if (o->keep_days < 0 && o->keep_runs < 0 && max_size < 0)
		return cli_usage_error(&cli_cmd_gc, "give --keep-days N, "
				       "--keep-runs N or --max-size SIZE");
	return 0;
}

/*
 * Applies the limits, then (with --max-size) drops the oldest runs until
 * the compacted file fits: bytes per run from the last measurement tell
 * how many runs to keep; a few rounds converge. The newest run is never
 * deleted for size.
 */
static int gc_to_size(struct history_store *st, struct history_gc_opts *o,
		      struct history_gc_stats *total, struct fg_error *err)
{
	struct history_gc_stats g = { 0 };
	int64_t runs;
	int rc;

	if (max_size >= 0)
		o->vacuum = true;
	if (o->keep_days >= 0 || o->keep_runs >= 0) {
		if ((rc = history_store_gc(st, o, &g, err)))
			return rc;
		*total = g;
	}
	if (max_size < 0)
		return FG_OK;
	if (o->keep_days < 0 && o->keep_runs < 0) {
		/* Measure first: a no-op gc that compacts. */
		struct history_gc_opts m = *o;

		m.keep_runs = 1000000000;
		if ((rc = history_store_gc(st, &m, &g, err)))
			return rc;
		*total = g;
	}
	for (int round = 0; round < 8 && g.bytes_after > max_size; round++) {
		struct history_gc_opts m = *o;

		if ((rc = history_store_count_runs(st, &runs, err)))
			return rc;
		if (runs <= 1)
			break;
		m.keep_days = -1;
		m.keep_runs = (int)((double)runs * (double)max_size /
				    (double)g.bytes_after * 0.9);
		if (m.keep_runs >= runs)
			m.keep_runs = (int)runs - 1;
		if (m.keep_runs < 1)
			m.keep_runs = 1;
		if ((rc = history_store_gc(st, &m, &g, err)))
			return rc;
		total->runs += g.runs;
		total->tests += g.tests;
		total->results += g.results;
		total->bytes_after = g.bytes_after;
	}
	if (g.bytes_after > max_size)
		fprintf(stderr, "flakeguard: %s is still %.1f MiB: the newest "
			"run alone is larger than --max-size\n", "the database",
			g.bytes_after / 1048576.0);
	return FG_OK;
}

static int cmd_gc(int argc, char **argv)
{
	struct history_gc_opts o = { .keep_days = -1, .keep_runs = -1 };
	struct history_gc_stats g = { 0 };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct gc_opts go = { .db = CLI_DEFAULT_DB, .keep_days = -1,
			      .keep_runs = -1 };
	const char *db;
	int rc;

	if ((rc = parse_opts(argc, argv, &go, &o)))
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	db = go.db;
	if (cli_open_existing_db(db, &st, &err) != FG_OK ||
	    gc_to_size(st, &o, &g, &err) != FG_OK) {
		history_store_close(st);
		return cli_error(&err);
	}
	history_store_close(st);
	printf("deleted %zu run%s, %zu test%s and %zu results from %s",
	       g.runs, g.runs == 1 ? "" : "s", g.tests, g.tests == 1 ? "" : "s",
	       g.results, cli_db_label(db));
	if (o.vacuum)
		printf(" (%.1f MiB -> %.1f MiB)", g.bytes_before / 1048576.0,
		       g.bytes_after / 1048576.0);
	putchar('\n');
	return fflush(stdout) ? FG_EXIT_INFRA : FG_EXIT_OK;
}

const struct cli_command cli_cmd_gc = {
	.name = "gc",
	.fn = cmd_gc,
	.usage = "flakeguard gc [--db PATH] --keep-days N | --keep-runs N | "
		 "--max-size SIZE [--vacuum]",
	.summary = "delete old runs from the history database",
	.help =
	"Deletes runs older than N days and/or all but the newest N runs, with\n"
	"their results, then tests that have no result left (quarantined tests\n"
	"stay). With both limits a run goes when either says so.\n",
	.help_after = "Exit codes: 0 done, 2 usage error, 3 database error.\n",
	.options = gc_options,
};
