/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_plan.c - the plan file reader (`run --plan FILE`):
 * apply_plan_file() in cli/plan.c, against a fixed plan of items as the
 * configuration would give them.
 *
 * The seam: apply_plan_file() is static in cli/plan.c, and cli/ is being
 * reorganised, so instead of exporting it this harness includes the file
 * (it is compiled into the harness; the Makefile links the other cli/
 * objects, but neither plan.o nor main.o). What cli/main.c gives the
 * others is stubbed below: the plan file reader never prints.
 */
#include "fuzz.h"
#include "cli/plan.c"

int cli_error(const struct fg_error *e)
{
	(void)e;
	abort(); /* never called by the plan file reader */
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	(void)cmd, (void)fmt;
	abort();
}

int cli_help(const struct cli_command *cmd)
{
	(void)cmd;
	abort();
}

const char *cli_safe(const char *s)
{
	return s;
}

/* The items a configuration of a few suites, cases and shards gives. */
static void plan_of_config(struct runner_plan *p)
{
	/* tests/fuzz/plan/ holds `flakeguard list --shards N --json` of
	 * such a configuration */
	static const char *const ids[] = {
		"unit", "py::test_a", "py::test_b[x]", "gt#1/2", "gt#2/2",
		"sh",
	};

	runner_plan_init(p);
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		struct runner_item *it;

		fg_xgrow((void **)&p->items, &p->cap, p->n + 1,
			 sizeof(*p->items));
		it = &p->items[p->n++];
		memset(it, 0, sizeof(*it));
		it->suite = i;
		it->shard = -1;
		it->id = fg_xstrdup(ids[i]);
		it->case_name = strstr(ids[i], "::") ?
					fg_xstrdup(strstr(ids[i], "::") + 2) :
					NULL;
	}
}

/*
 * The node count the command line gives (--shard K/N): the plan's own
 * "shards" most of the time, so that plans get past that check; else
 * 1..4 from the input's size.
 */
static int shards(const uint8_t *data, size_t size)
{
	char head[256];
	size_t n = size < sizeof(head) - 1 ? size : sizeof(head) - 1;
	const char *p;

	memcpy(head, data, n);
	head[n] = '\0';
	if ((p = strstr(head, "\"shards\"")) && (p = strchr(p, ':')) &&
	    size % 7)
		return (int)(strtol(p + 1, NULL, 10) & 15);
	return 1 + (int)(size % 4);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runner_plan plan;
	struct fg_error err = { 0 };
	size_t n0;
	int rc;

	plan_of_config(&plan);
	n0 = plan.n;
	rc = apply_plan_file(&plan, fuzz_file(data, size), shards(data, size),
			     &err);
	FUZZ_CHECK(rc == FG_OK || rc == FG_ECONFIG);
	if (rc == FG_OK) {
		/* every configured item exactly once, on a valid node */
		FUZZ_CHECK(plan.n == n0);
		for (size_t i = 0; i < plan.n; i++)
			FUZZ_CHECK(plan.items[i].id && plan.items[i].node >= 1 &&
				   plan.items[i].node <= 15);
	} else {
		FUZZ_CHECK(err.msg[0]);
	}
	runner_plan_release(&plan);
	return 0;
}
