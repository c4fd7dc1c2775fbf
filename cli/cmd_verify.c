/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_verify.c - `flakeguard verify`: did the CI nodes, together, run
 * every planned item exactly once?
 *
 * Inputs are the plan file every node ran with (`list --shards N --json`,
 * `run --plan`) and each node's `run --json` report, whose "items" list
 * says which items the node was given and which ran to an end. An item
 * that ran nowhere (a node died, was cancelled, or its plan differed) or
 * ran on two nodes is named, and the step fails, so a green merged report
 * can never silently cover less than the whole suite.
 */
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct planned {
	const char *id;   /* borrowed from the plan's JSON */
	int shard;
	int ran;          /* how many reports ran it */
	const char *where;
};

struct verify_opts {
	const char *plan;
	bool allow_missing, quiet;
};

#define V struct verify_opts
static const struct cli_opt verify_options[] = {
	CLI_PATH(0, "plan", V, plan, "FILE", "the plan the nodes ran with"),
	CLI_FLAG(0, "allow-missing", V, allow_missing,
		 "missing items are reported but not a failure"),
	CLI_FLAG('q', "quiet", V, quiet,
		 "only the summary and missing items"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef V

static json_t *load(const char *path, struct fg_error *err)
{
	FILE *f = fg_fopen_input(path);
	json_error_t jerr;
	json_t *j;

	if (!f) {
		fg_fail(err, FG_ECONFIG, "cannot read '%s': %s", path,
			strerror(errno));
		return NULL;
	}
	j = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!j)
		fg_fail(err, FG_ECONFIG, "%s:%d:%d: %s", path, jerr.line,
			jerr.column, jerr.text);
	return j;
}

static struct planned *find(struct planned *p, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].id, id))
			return &p[i];
	return NULL;
}

/* Counts one report's items into the plan; returns problems found. */
static size_t count_report(const char *path, json_t *rep, struct planned *p,
			   size_t n, bool quiet)
{
	json_t *items = json_object_get(rep, "items"), *it;
	size_t i, problems = 0;

	json_array_foreach(items, i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));
		struct planned *pl = id ? find(p, n, id) : NULL;

		if (!pl) {
			fprintf(stderr, "flakeguard: %s: item '%s' is not in "
				"the plan\n", path, id ? id : "?");
			problems++;
			continue;
		}
		if (!json_is_true(json_object_get(it, "ran")))
			continue;
		if (pl->ran++ && !quiet)
			fprintf(stderr, "flakeguard: '%s' ran twice: in %s and "
				"%s\n", pl->id, pl->where, path);
		pl->where = path;
	}
	return problems;
}

static int cmd_verify(int argc, char **argv)
{
	const char *plan_path = NULL;
	bool allow_missing = false, quiet = false;
	struct fg_error err = { 0 };
	struct planned *p = NULL;
	json_t *plan, *tests, *t;
	json_t **reps;
	size_t n, i, problems = 0, missing = 0, twice = 0;
	struct verify_opts o = { 0 };
	struct cli_parsed parsed;
	int nrep, rc;

	rc = cli_parse(&cli_cmd_verify, argc, argv, &o, &parsed);
	if (rc) {
		cli_parsed_release(&cli_cmd_verify, &parsed);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	plan_path = o.plan;
	allow_missing = o.allow_missing;
	quiet = o.quiet;
	nrep = parsed.nargs;
	argv = parsed.args;
	if (!plan_path || nrep < 1) {
		cli_parsed_release(&cli_cmd_verify, &parsed);
		return cli_usage_error(&cli_cmd_verify, "need --plan FILE and "
				       "at least one report");
	}
	if (!(plan = load(plan_path, &err))) {
		cli_parsed_release(&cli_cmd_verify, &parsed);
		return cli_error(&err);
	}
	tests = json_object_get(plan, "tests");
	if (!json_is_array(tests)) {
		json_decref(plan);
		cli_parsed_release(&cli_cmd_verify, &parsed);
		fprintf(stderr, "flakeguard: %s: not a plan file\n", plan_path);
		return FG_EXIT_USAGE;
	}
	n = json_array_size(tests);
	p = fg_xcalloc(n + 1, sizeof(*p));
	json_array_foreach(tests, i, t) {
		p[i].id = json_string_value(json_object_get(t, "id"));
		p[i].shard = (int)json_integer_value(json_object_get(t, "shard"));
		if (!p[i].id)
			p[i].id = "";
	}
	reps = fg_xcalloc((size_t)nrep, sizeof(*reps));
	for (int r = 0; r < nrep; r++) {
		const char *path = argv[r];

		if (!(reps[r] = load(path, &err))) {
			fprintf(stderr, "flakeguard: %s\n", err.msg);
			problems++;
			continue;
		}
		if (!json_is_array(json_object_get(reps[r], "items"))) {
			fprintf(stderr, "flakeguard: %s: no \"items\" (not a "
				"`flakeguard run --json` report?)\n", path);
			problems++;
			continue;
		}
		problems += count_report(path, reps[r], p, n, quiet);
	}
	for (i = 0; i < n; i++) {
		if (p[i].ran == 0) {
			missing++;
			fprintf(stderr, "flakeguard: '%s' (shard %d) ran on no "
				"node\n", p[i].id, p[i].shard);
		} else if (p[i].ran > 1) {
			twice++;
		}
	}
	printf("%zu planned item(s): %zu ran once, %zu missing, %zu ran more "
	       "than once, over %d report(s)\n", n, n - missing - twice,
	       missing, twice, nrep);
	for (int r = 0; r < nrep; r++)
		json_decref(reps[r]);
	free(reps);
	free(p);
	json_decref(plan);
	cli_parsed_release(&cli_cmd_verify, &parsed);
	if (problems || twice || (missing && !allow_missing))
		return FG_EXIT_FAILED;
	return FG_EXIT_OK;
}

const struct cli_command cli_cmd_verify = {
	.name = "verify",
	.fn = cmd_verify,
	.usage = "flakeguard verify --plan PLAN.json REPORT.json...",
	.summary = "check that CI nodes ran every planned item exactly once",
	.help =
	"Compares a plan file (list --shards N --json, used by run --plan on\n"
	"every node) with the nodes' `run --json` reports: an item that ran on\n"
	"no node, or on two, is named and the command exits 1.\n",
	.help_after =
	"Exit codes: 0 every item ran exactly once, 1 an item is missing or\n"
	"duplicated (or a report is unreadable), 2 usage error.\n",
	.options = verify_options,
};
