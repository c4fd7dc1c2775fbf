/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_merge.c - `flakeguard merge --db OUT IN.db...`: fold the
 * databases of shards (or of other machines) into one.
 *
 * Each input is merged in its own transaction (history_store_merge()):
 * runs are matched by uuid, so merging the same input again adds nothing,
 * and an input that fails leaves OUT as it was before that input.
 */
#include "cli/cli.h"
#include "history/history.h"

#include <getopt.h>
#include <string.h>

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int cmd_merge(int argc, char **argv)
{
	const char *db = CLI_DEFAULT_DB;
	struct history_merge_stats total = { 0 };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	bool quiet = false;
	int c, exit_code = FG_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'q': quiet = true; break;
		case 'h': return cli_help(&cli_cmd_merge);
		default:
			return cli_usage_error(&cli_cmd_merge, "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_merge, "no database to merge");
	if (history_store_open(db, &st, &err) != FG_OK)
		return cli_error(&err);
	for (int i = optind; i < argc; i++) {
		struct history_merge_stats s = { 0 };

		if (history_store_merge(st, argv[i], &s, &err) != FG_OK) {
			cli_error(&err);
			exit_code = FG_EXIT_INFRA;
			continue;
		}
		if (!quiet)
			printf("%s: %zu run%s added, %zu already here, %zu new "
			       "test%s, %zu results\n", argv[i], s.runs_added,
			       s.runs_added == 1 ? "" : "s", s.runs_skipped,
			       s.tests_added, s.tests_added == 1 ? "" : "s",
			       s.results_added);
		total.runs_added += s.runs_added;
		total.results_added += s.results_added;
	}
	history_store_close(st);
	printf("merged %zu run%s (%zu results) into %s\n", total.runs_added,
	       total.runs_added == 1 ? "" : "s", total.results_added, db);
	if (fflush(stdout) && exit_code == FG_EXIT_OK)
		exit_code = FG_EXIT_INFRA;
	return exit_code;
}

const struct cli_command cli_cmd_merge = {
	.name = "merge",
	.fn = cmd_merge,
	.usage = "flakeguard merge [--db OUT] IN.db...",
	.summary = "fold other history databases (shards) into one",
	.help =
	"Copies every run of each IN.db that OUT does not have yet (runs are\n"
	"known by their uuid): merging the same database twice adds nothing.\n"
	"An older IN.db is migrated to the current schema first.\n\n"
	"Options:\n"
	"      --db OUT             the database merged into (default\n"
	"                           .flakeguard/history.db; created if missing)\n"
	"  -q, --quiet              print only the total\n"
	"  -h, --help               this help\n\n"
	"Exit codes: 0 merged, 2 usage error, 3 an input or OUT could not be\n"
	"read or written (the other inputs are still merged).\n",
};
