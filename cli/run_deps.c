/* SPDX-License-Identifier: MIT */
/*
 * cli/run_deps.c - fixtures and dependencies for `run`: which items wait
 * for which (runner_job.after) and whether a ready item still runs
 * (runner_opts.on_ready).
 *
 * The edges between suites come from core/deps.c (CTest's
 * FIXTURES_SETUP/CLEANUP/REQUIRED and DEPENDS, or the same keys in
 * flakeguard.json); here they become edges between this run's items: an
 * item waits for every item of the suites its suite waits for. Items not
 * in this run (another CI node's, deselected, disabled) are not waited
 * for: cli/plan.c has already pulled a fixture's setup and cleanup onto
 * every node that needs them.
 *
 * When an item is ready, run_deps_ready() decides, as ctest does:
 *   - a suite with no command (ctest could not find its program): not
 *     run, an error;
 *   - a setup of a fixture it requires failed (or was itself not run for
 *     its own fixture): not run, skipped, with the reason; ctest says
 *     "Not Run" and counts it failed, but the setup's failure already
 *     fails the run and a skip does not hide that;
 *   - a REQUIRED_FILES file is missing: not run, an error.
 * A cleanup runs whatever became of the suites it waits for.
 */
#include "cli/run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Output kept for suites judged by regular expressions over it. */
#define REGEX_OUTPUT_MAX ((size_t)16 << 20)

struct run_need {
	const char *fixture;         /* borrowed from the config */
	const struct item_state *setup;
};

/* Items of each suite: by suite index, a list of item indexes. */
struct by_suite {
	size_t *first;  /* per suite: index into items[], or SIZE_MAX */
	size_t *next;   /* per item: next item of its suite, or SIZE_MAX */
};

static void index_items(const struct run_state *rs, struct by_suite *b)
{
	size_t ns = rs->cfg->nsuites, ni = rs->plan.n;

	b->first = fg_xcalloc(ns + 1, sizeof(size_t));
	b->next = fg_xcalloc(ni + 1, sizeof(size_t));
	for (size_t s = 0; s < ns; s++)
		b->first[s] = SIZE_MAX;
	for (size_t i = ni; i-- > 0;) {
		size_t s = rs->items[i].item->suite;

		b->next[i] = b->first[s];
		b->first[s] = i;
	}
}

/*
 * Appends job to is->after (n entries so far) unless it is there already:
 * seen[j] holds the index + 1 of the last item that took item j, so a
 * cleanup waiting for 10,000 items is built in O(10,000).
 */
static void add_after(struct item_state *is, size_t self, size_t *n,
		      size_t *cap, size_t *seen, struct run_state *rs,
		      size_t j)
{
	if (seen[j] == self + 1)
		return;
	seen[j] = self + 1;
	fg_xgrow((void **)&is->after, cap, *n + 2, sizeof(*is->after));
	is->after[(*n)++] = &rs->items[j].job;
	is->after[*n] = NULL;
}

static void add_need(struct item_state *is, size_t *cap, const char *fixture,
		     const struct item_state *setup)
{
	fg_xgrow((void **)&is->needs, cap, is->nneeds + 1, sizeof(*is->needs));
	is->needs[is->nneeds++] = (struct run_need){ fixture, setup };
}

int run_deps_wire(struct run_state *rs, struct fg_error *err)
{
	struct fg_deps d;
	struct by_suite b;
	size_t *seen;
	int rc;

	for (size_t i = 0; i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];
		const struct fg_suite_cfg *s = is->cfg;

		if (s->pass_regex || s->fail_regex || s->skip_regex)
			is->job.output_max = REGEX_OUTPUT_MAX;
	}
	if ((rc = fg_deps_build(rs->cfg, &d, err)))
		return rc;
	index_items(rs, &b);
	seen = fg_xcalloc(rs->plan.n + 1, sizeof(*seen));
	for (size_t i = 0; i < rs->plan.n; i++) {
		struct item_state *is = &rs->items[i];
		size_t s = is->item->suite, n = 0, acap = 0, ncap = 0;

		for (size_t e = 0; e < d.n[s]; e++) {
			const struct fg_dep *dep = &d.of[s][e];

			for (size_t j = b.first[dep->suite]; j != SIZE_MAX;
			     j = b.next[j]) {
				add_after(is, i, &n, &acap, seen, rs, j);
				is->in_deps = rs->items[j].in_deps = true;
				if (dep->fixture)
					add_need(is, &ncap, dep->fixture,
						 &rs->items[j]);
			}
		}
		is->job.after = is->after;
	}
	free(seen);
	free(b.first);
	free(b.next);
	fg_deps_release(&d);
	return FG_OK;
}

static bool decline(struct item_state *is, enum fg_astatus st, char *why)
{
	free(is->why_not);
	is->why_not = why;
	is->not_run_status = st;
	return false;
}

bool run_deps_ready(struct runner *r, struct runner_job *job, void *data)
{
	struct item_state *is = job->data;
	const struct fg_suite_cfg *s = is->cfg;
	struct stat st;

	(void)r;
	(void)data;
	if (s->broken)
		return decline(is, FG_A_ERROR, fg_xstrdup(s->broken));
	for (size_t k = 0; k < is->nneeds; k++) {
		const struct item_state *setup = is->needs[k].setup;

		if (!setup->failed && !setup->fixture_skipped)
			continue;
		is->fixture_skipped = true;
		return decline(is, FG_A_SKIPPED,
			       fg_xasprintf("not run: fixture '%s' setup '%s' "
					    "failed", is->needs[k].fixture,
					    setup->item->id));
	}
	for (char **f = s->required_files; f && *f; f++) {
		char *path = **f == '/' ? fg_xstrdup(*f) :
			     fg_xasprintf("%s/%s", is->cwd, *f);
		bool missing = stat(path, &st) < 0;

		free(path);
		if (missing)
			return decline(is, FG_A_ERROR,
				       fg_xasprintf("not run: required file "
						    "'%s' is missing "
						    "(required_files)", *f));
	}
	return true;
}

void run_deps_release(struct item_state *is)
{
	free(is->after);
	free(is->needs);
	free(is->why_not);
	is->after = NULL;
	is->needs = NULL;
	is->why_not = NULL;
}
