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

#include <string.h>

struct merge_opts {
	const char *db;
	bool quiet;
};

static const struct cli_opt merge_options[] = {
	CLI_PATH(0, "db", struct merge_opts, db, "OUT",
		 "the history merged into, a file or URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db; created if missing)",
		 .env = "FLAKEGUARD_DB"),
	CLI_FLAG('q', "quiet", struct merge_opts, quiet,
		 "print only the total"),
	CLI_HELP_OPT,
	CLI_END,
};

static int cmd_merge(int argc, char **argv)
{
	struct merge_opts o = { .db = CLI_DEFAULT_DB };
	struct cli_parsed p;
	struct history_merge_stats total = { 0 };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	const char *db;
	int exit_code;

	exit_code = cli_parse(&cli_cmd_merge, argc, argv, &o, &p);
	if (!exit_code && !p.nargs)
		exit_code = cli_usage_error(&cli_cmd_merge,
					    "no database to merge");
	if (!exit_code)
		exit_code = cli_resolve(&cli_cmd_merge, &p, NULL);
	if (exit_code) {
		cli_parsed_release(&cli_cmd_merge, &p);
		return exit_code == CLI_HELP_SHOWN ? FG_EXIT_OK : exit_code;
	}
	db = o.db;
	if (cli_db_open(db, CLI_DB_CREATE, &st, &err) != FG_OK) {
		cli_parsed_release(&cli_cmd_merge, &p);
		return cli_error(&err);
	}
	for (int i = 0; i < p.nargs; i++) {
		struct history_merge_stats s = { 0 };

		if (history_store_merge(st, p.args[i], &s, &err) != FG_OK) {
			cli_error(&err);
			exit_code = FG_EXIT_INFRA;
			continue;
		}
		if (!o.quiet)
			printf("%s: %zu run%s added, %zu already here, %zu new "
			       "test%s, %zu results\n", cli_db_label(p.args[i]),
			       s.runs_added,
			       s.runs_added == 1 ? "" : "s", s.runs_skipped,
			       s.tests_added, s.tests_added == 1 ? "" : "s",
			       s.results_added);
		total.runs_added += s.runs_added;
		total.results_added += s.results_added;
	}
	history_store_close(st);
	cli_parsed_release(&cli_cmd_merge, &p);
	printf("merged %zu run%s (%zu results) into %s\n", total.runs_added,
	       total.runs_added == 1 ? "" : "s", total.results_added,
	       cli_db_label(db));
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
	"An older IN.db is migrated to the current schema first. IN and OUT\n"
	"may be files or postgresql:// URLs: a SQLite history moves into\n"
	"PostgreSQL and back.\n",
	.help_after =
	"Exit codes: 0 merged, 2 usage error, 3 an input or OUT could not be\n"
	"read or written (the other inputs are still merged).\n",
	.options = merge_options,
};
