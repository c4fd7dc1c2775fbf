/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_list.c - `flakeguard list`: the plan `run` would execute, with
 * each item's estimate and CI node, so users can see the balance.
 *
 * Same selection as `run` (programs after --, or the config), same plan
 * code (cli/plan.c), so what list shows is what run does.
 */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct list_opts {
	const char *config, *shard, *db, *plan_file;
	struct cli_select sel;
	int shards;
	bool json;
};

#define L struct list_opts
static const struct cli_opt list_options[] = {
	CLI_PATH('c', "config", L, config, "FILE",
		 "suites from FILE (default: flakeguard.json)"),
	CLI_PATH(0, "ctest", L, sel.ctest, "DIR",
		 "the tests of CMake build dir DIR too\n"
		 "(ctest --show-only=json-v1)"),
	CLI_PATH(0, "meson", L, sel.meson, "DIR",
		 "the tests of Meson build dir DIR too\n"
		 "(meson introspect --tests)"),
	CLI_LIST(0, "label", L, sel.labels, "L",
		 "only suites labelled L (repeatable)"),
	CLI_STRING(0, "shard", L, shard, "K/N", "only node K's share of N"),
	CLI_INT(0, "shards", L, shards, "N", 1, 100000,
		"every item with its node, for N nodes;\n"
		"with --json this is a plan file for\n"
		"`run --plan` (every node runs its share of\n"
		"one plan, whatever history it has)"),
	CLI_PATH(0, "plan", L, plan_file, "FILE",
		 "show a plan file's items for this node"),
	CLI_PATH(0, "db", L, db, "PATH|URL",
		 "history for estimates, a file or URL (default\n"
		 "$FLAKEGUARD_DB, else .flakeguard/history.db;\n"
		 "never created)",
		 .env = "FLAKEGUARD_DB", .cfg = CLI_CFG_DB),
	CLI_FLAG(0, "json", L, json,
		 "{\"tests\": [{suite, classname, name, id,\n"
		 "estimate_ms, known, shard}]}"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef L

static void print_table(const struct runner_plan *plan, int k, int n)
{
	int64_t total = 0;
	char d[32];

	for (size_t i = 0; i < plan->n; i++) {
		const struct runner_item *it = &plan->items[i];

		total += it->estimate_ms;
		if (k && it->support)
			printf("%9s%s  %s  (node %d's; a fixture this node "
			       "needs)\n",
			       fg_duration_format(it->estimate_ms, d, sizeof(d)),
			       it->known ? " " : "?", cli_safe(it->id),
			       it->node);
		else if (k)
			printf("%9s%s  %s\n",
			       fg_duration_format(it->estimate_ms, d, sizeof(d)),
			       it->known ? " " : "?", cli_safe(it->id));
		else
			printf("%9s%s  [%d] %s\n",
			       fg_duration_format(it->estimate_ms, d, sizeof(d)),
			       it->known ? " " : "?", it->node,
			       cli_safe(it->id));
	}
	if (k)
		printf("%zu item(s), shard %d/%d, estimated %s of work "
		       "(? = no history yet)\n", plan->n, k, n,
		       fg_duration_format(total, d, sizeof(d)));
	else
		printf("%zu item(s) over %d shards, estimated %s of work "
		       "(? = no history yet)\n", plan->n, n,
		       fg_duration_format(total, d, sizeof(d)));
}

static int cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	struct cli_parsed p;
	struct history_store *store = NULL;
	struct runner_plan plan;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	const char *db;
	int k, n, rc;

	fg_config_init(&cfg);
	rc = cli_parse(&cli_cmd_list, argc, argv, &o, &p);
	if (!rc && o.shards && o.shard)
		rc = cli_usage_error(&cli_cmd_list, "--shards and --shard "
				     "exclude each other");
	if (!rc)
		rc = cli_shard_choose(&cli_cmd_list, o.shard, &k, &n);
	if (!rc && o.shards) {
		k = 0; /* every node's items */
		n = o.shards;
	}
	if (!rc) {
		/* cli_load_suites() initialises it afresh */
		fg_config_release(&cfg);
		rc = cli_load_suites(&cli_cmd_list, &o.config, p.nargs, p.args,
				     &o.sel, &cfg);
	}
	if (!rc)
		rc = cli_resolve(&cli_cmd_list, &p, &cfg);
	cli_parsed_release(&cli_cmd_list, &p);
	if (rc) {
		fg_config_release(&cfg);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	db = o.db ? o.db : CLI_DEFAULT_DB;
	/* Listing never creates a database: no history, no estimates. */
	if (cli_db_open(db, CLI_DB_IF_EXISTS, &store, &err)) {
		fg_config_release(&cfg);
		return cli_error(&err);
	}
	rc = cli_plan_build(&cfg, store, o.plan_file, k, n, &plan, &err);
	if (rc) {
		rc = cli_error(&err);
	} else {
		if (o.json)
			cli_json_plan(stdout, &cfg, &plan, n);
		else
			print_table(&plan, k, n);
		runner_plan_release(&plan);
	}
	history_store_close(store);
	fg_config_release(&cfg);
	return rc;
}

const struct cli_command cli_cmd_list = {
	.name = "list",
	.fn = cmd_list,
	.usage = "flakeguard list [OPTIONS] [--] [PROGRAM...]",
	.summary = "show the plan: items in run order, estimates, shards",
	.help =
	"Takes the same selection as run (programs after --, or the config)\n"
	"and prints what run would execute on this node, longest first, with\n"
	"each item's estimate from history.\n",
	.options = list_options,
	.flags = CLI_STOP_AT_ARG,
};
