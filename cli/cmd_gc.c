/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_gc.c - `flakeguard gc`: retention for the history database.
 * history_store_gc() does the work in one transaction; this prints what
 * went.
 */
#include "cli/cli.h"
#include "history/history.h"

#include <getopt.h>
#include <stdlib.h>

enum { OPT_KEEP_DAYS = 256, OPT_KEEP_RUNS, OPT_VACUUM, OPT_MAX_SIZE };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "keep-days", required_argument, NULL, OPT_KEEP_DAYS },
	{ "keep-runs", required_argument, NULL, OPT_KEEP_RUNS },
	{ "vacuum", no_argument, NULL, OPT_VACUUM },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "200M", "1G", "512k", "1048576" -> bytes; -1 when malformed. */
static int64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mult = 1;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = 1024 * 1024; end++; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	return *end ? -1 : (int64_t)(v * (double)mult);
}

static int64_t max_size = -1;

static int parse_opts(int argc, char **argv, const char **db,
		      struct history_gc_opts *o)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			*db = optarg;
			break;
		case OPT_KEEP_DAYS:
		case OPT_KEEP_RUNS:
			if (cli_int_arg(optarg, 0, 1000000000, c == OPT_KEEP_DAYS ?
					&o->keep_days : &o->keep_runs))
				return cli_usage_error(&cli_cmd_gc, "invalid %s "
						       "'%s' (expected a number "
						       ">= 0)", c == OPT_KEEP_DAYS ?
						       "--keep-days" : "--keep-runs",
						       optarg);
			break;
		case OPT_VACUUM:
			o->vacuum = true;
			break;
		case OPT_MAX_SIZE:
			max_size = parse_size(optarg);
			if (max_size < 4096)
				return cli_usage_error(&cli_cmd_gc, "invalid "
						       "--max-size '%s' (e.g. 200M)",
						       optarg);
			break;
		case 'h':
			cli_help(&cli_cmd_gc);
			return -1;
		default:
			return cli_usage_error(&cli_cmd_gc, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_gc, "unexpected argument '%s'",
				       argv[optind]);
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
	const char *db = CLI_DEFAULT_DB;
	int rc;

	if ((rc = parse_opts(argc, argv, &db, &o)))
		return rc < 0 ? FG_EXIT_OK : rc;
	if (cli_open_existing_db(db, &st, &err) != FG_OK ||
	    gc_to_size(st, &o, &g, &err) != FG_OK) {
		history_store_close(st);
		return cli_error(&err);
	}
	history_store_close(st);
	printf("deleted %zu run%s, %zu test%s and %zu results from %s",
	       g.runs, g.runs == 1 ? "" : "s", g.tests, g.tests == 1 ? "" : "s",
	       g.results, db);
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
	"stay). With both limits a run goes when either says so.\n\n"
	"Options:\n"
	"      --db PATH            history database (default .flakeguard/history.db)\n"
	"      --keep-days N        delete runs started more than N days ago\n"
	"      --keep-runs N        keep only the newest N runs\n"
	"      --max-size SIZE      then drop the oldest runs until the file\n"
	"                           fits in SIZE (e.g. 200M, 1G; implies\n"
	"                           --vacuum)\n"
	"      --vacuum             then compact the file (VACUUM)\n"
	"  -h, --help               this help\n\n"
	"Exit codes: 0 done, 2 usage error, 3 database error.\n",
};
