/* SPDX-License-Identifier: MIT */
/*
 * runner/plan.c - from configured suites to an ordered, sharded plan.
 *
 * Expansion: a suite is one item, or one item per case when it can list
 * its cases and run one (a "cases" list/run pair, or GoogleTest), or one
 * item per shard when it asks for "shards" (the Bazel protocol).
 *
 * Order: longest expected first (CTest's cost-based scheduling). Estimates
 * come from history through a callback (the runner never reads the
 * database); unknown items get a default estimate and so run early, which
 * both finds their cost and avoids ending the run on a long unknown.
 *
 * Partition across CI nodes: deterministic from the plan and estimates
 * alone. Unknown items are placed by a stable hash of their id (so adding
 * history for one test never moves the others), known ones by greedy
 * longest-first bin packing.
 */
#include "runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_OUTPUT_MAX (16 * 1024 * 1024)

void runner_plan_init(struct runner_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void runner_plan_release(struct runner_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].case_name);
		free(p->items[i].id);
	}
	free(p->items);
	runner_plan_init(p);
}

static struct runner_item *add_item(struct runner_plan *p, size_t suite)
{
	struct runner_item *it;

	fg_xgrow((void **)&p->items, &p->cap, p->n + 1, sizeof(*p->items));
	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	it->suite = suite;
	it->shard = -1;
	return it;
}

/* ---------------------------------------------------------------------- */
/* Listing cases                                                           */
/* ---------------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void add_case(struct runner_plan *p, size_t index,
		     const struct fg_suite_cfg *s, const char *name)
{
	struct runner_item *it = add_item(p, index);

	it->case_name = fg_xstrdup(name);
	it->id = fg_xasprintf("%s::%s", s->name, name);
}

/*
 * --gtest_list_tests prints "Suite." lines, then indented test names,
 * each optionally followed by "  # GetParam() = ...". Disabled tests are
 * not listed: gtest would not run them anyway.
 */
static size_t parse_gtest(struct runner_plan *p, size_t index,
			  const struct fg_suite_cfg *s, char *text)
{
	char suite[1024] = "";
	size_t n = 0;

	for (char *rest = text, *line; (line = strsep(&rest, "\n"));) {
		char *hash = strstr(line, "  #");
		char *name, *full;

		if (hash)
			*hash = '\0';
		if (line[0] != ' ') {
			name = trim(line);
			if (*name && name[strlen(name) - 1] == '.')
				snprintf(suite, sizeof(suite), "%s", name);
			else
				suite[0] = '\0';
			continue;
		}
		name = trim(line);
		if (!*name || !*suite || !strncmp(name, "DISABLED_", 9) ||
		    !strncmp(suite, "DISABLED_", 9))
			continue;
		full = fg_xasprintf("%s%s", suite, name);
		add_case(p, index, s, full);
		free(full);
		n++;
	}
	return n;
}

static size_t parse_lines(struct runner_plan *p, size_t index,
			  const struct fg_suite_cfg *s, char *text)
{
	size_t n = 0;

	for (char *rest = text, *line; (line = strsep(&rest, "\n"));) {
		char *name = trim(line);

		if (!*name)
			continue;
		add_case(p, index, s, name);
		n++;
	}
	return n;
}

static int by_id_asc(const void *a, const void *b)
{
	return strcmp(((const struct runner_item *)a)->id,
		      ((const struct runner_item *)b)->id);
}

/*
 * A lister that prints a case twice must not make it run twice (nor make
 * two items with one id): items [start, n) are sorted by id (the plan is
 * ordered later anyway) and repeats dropped with a warning.
 */
static size_t drop_duplicates(struct runner_plan *p, size_t start,
			      const struct fg_suite_cfg *s)
{
	size_t kept = start, dropped = 0;

	if (p->n - start < 2)
		return 0;
	qsort(p->items + start, p->n - start, sizeof(*p->items), by_id_asc);
	for (size_t i = start; i < p->n; i++) {
		if (kept > start && !strcmp(p->items[kept - 1].id,
					    p->items[i].id)) {
			free(p->items[i].id);
			free(p->items[i].case_name);
			dropped++;
			continue;
		}
		p->items[kept++] = p->items[i];
	}
	p->n = kept;
	if (dropped)
		fg_log(FG_LOG_WARN, "plan", "suite '%s' listed %zu case(s) more "
		       "than once; each runs once", s->name, dropped);
	return dropped;
}

static int list_cases(struct runner_plan *p, size_t index,
		      const struct fg_suite_cfg *s, const char *cwd,
		      char *const *env, int64_t timeout_ms,
		      struct fg_error *err)
{
	char **argv = s->cases_list;
	struct runner_captured cap;
	char *out;
	int rc;
	size_t n;

	if (s->cases_gtest) {
		size_t argc = fg_strv_len(s->argv);

		argv = fg_xcalloc(argc + 2, sizeof(char *));
		memcpy(argv, s->argv, argc * sizeof(char *));
		argv[argc] = "--gtest_list_tests";
	}
	rc = runner_capture(argv, cwd, env, timeout_ms, LIST_OUTPUT_MAX,
			    RUNNER_STDERR_INHERIT, &cap, err);
	if (s->cases_gtest)
		free(argv);
	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return fg_fail(err, rc == FG_EINTR ? FG_EINTR : FG_ESPAWN,
			       "suite '%s': listing cases: %s", s->name, msg);
	}
	if (cap.end != RUNNER_EXITED || cap.exit_code) {
		rc = fg_fail(err, FG_ESPAWN, "suite '%s': listing cases "
			     "failed (%s %d)", s->name,
			     cap.end == RUNNER_EXITED ? "exit status" : "signal",
			     cap.end == RUNNER_EXITED ? cap.exit_code :
							cap.term_signal);
		runner_captured_release(&cap);
		return rc;
	}
	out = cap.output;
	{
		size_t start = p->n;

		n = s->cases_gtest ? parse_gtest(p, index, s, out) :
				     parse_lines(p, index, s, out);
		n -= drop_duplicates(p, start, s);
	}
	free(out);
	if (!n && !s->allow_empty) {
		/* never a silent green: an item the run reports as an error */
		struct runner_item *it = add_item(p, index);

		it->id = fg_xstrdup(s->name);
		it->empty = true;
	}
	return FG_OK;
}

static int add_suite_items(struct runner_plan *p, size_t index,
			   const struct fg_suite_cfg *s, const char *cwd,
			   char *const *env, int64_t timeout_ms,
			   struct fg_error *err)
{
	if (s->cases_list || s->cases_gtest)
		return list_cases(p, index, s, cwd, env, timeout_ms, err);
	if (s->shards > 1) {
		for (int k = 0; k < s->shards; k++) {
			struct runner_item *it = add_item(p, index);

			it->shard = k;
			it->nshards = s->shards;
			it->id = fg_xasprintf("%s#%d/%d", s->name, k + 1,
					      s->shards);
		}
		return FG_OK;
	}
	add_item(p, index)->id = fg_xstrdup(s->name);
	return FG_OK;
}

int runner_plan_add_suite(struct runner_plan *p, size_t index,
			  const struct fg_suite_cfg *s, const char *cwd,
			  char *const *env, int64_t timeout_ms,
			  struct fg_error *err)
{
	size_t start = p->n;
	int rc = add_suite_items(p, index, s, cwd, env, timeout_ms, err);

	for (size_t i = start; i < p->n; i++)
		p->items[i].priority = s->priority;
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Order and partition                                                     */
/* ---------------------------------------------------------------------- */

/*
 * Higher priority first; then unknown items (by id), then known ones
 * longest first (then id).
 */
static int by_estimate_desc(const void *a, const void *b)
{
	const struct runner_item *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->known != y->known)
		return x->known ? 1 : -1;
	if (x->estimate_ms != y->estimate_ms)
		return x->estimate_ms > y->estimate_ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

void runner_plan_order(struct runner_plan *p, runner_estimate_fn fn,
		       void *ctx, int64_t default_ms)
{
	for (size_t i = 0; i < p->n; i++) {
		struct runner_item *it = &p->items[i];
		int64_t ms = 0;

		it->known = fn && fn(ctx, it, &ms);
		it->estimate_ms = it->known ? ms : default_ms;
	}
	if (p->n > 1)
		qsort(p->items, p->n, sizeof(*p->items), by_estimate_desc);
}

static uint64_t stable_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void runner_plan_partition(struct runner_plan *p, int total)
{
	int64_t *load;

	if (total < 1)
		total = 1;
	load = fg_xcalloc((size_t)total, sizeof(*load));
	for (size_t i = 0; i < p->n; i++) {
		struct runner_item *it = &p->items[i];

		if (it->known)
			continue;
		it->node = (int)(stable_hash(it->id) % (uint64_t)total) + 1;
		load[it->node - 1] += it->estimate_ms;
	}
	/* Items are ordered longest first already (runner_plan_order). */
	for (size_t i = 0; i < p->n; i++) {
		struct runner_item *it = &p->items[i];
		int best = 0;

		if (!it->known)
			continue;
		for (int k = 1; k < total; k++)
			if (load[k] < load[best])
				best = k;
		it->node = best + 1;
		load[best] += it->estimate_ms;
	}
	free(load);
}

int runner_shard_parse(const char *s, int *k, int *n, struct fg_error *err)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || *end != '/')
		goto bad;
	b = strtol(end + 1, &end, 10);
	if (*end || errno || a < 1 || b < 1 || a > b || b > 100000)
		goto bad;
	*k = (int)a;
	*n = (int)b;
	return FG_OK;
bad:
	return fg_fail(err, FG_EINVAL,
		       "invalid shard '%s' (expected K/N with 1 <= K <= N)", s);
}

bool runner_shard_from_env(int *k, int *n)
{
	return fg_ci_node(fg_ci_detect(), k, n);
}
