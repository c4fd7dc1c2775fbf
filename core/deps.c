/* SPDX-License-Identifier: MIT */
/*
 * core/deps.c - what each suite must wait for: CTest's fixtures and
 * DEPENDS as edges between suites.
 *
 * A suite waits for the setups of every fixture it requires (and is not
 * run when one failed: the edge carries the fixture's name), for the
 * suites it "depends" on (order only: CTest runs a test whose dependency
 * failed), and a cleanup waits for the setups and every suite requiring
 * its fixture, whatever became of them. The runner turns the edges into
 * runner_job.after (cli/run_deps.c); this file only builds them and
 * refuses cycles, which would leave the queue waiting for ever.
 *
 * Cost: names are looked up in sorted arrays, so 10,000 suites cost
 * O(n log n) plus the edges themselves (a cleanup of a fixture that 5,000
 * suites require has 5,000).
 */
#include "core/deps.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

enum role { ROLE_SETUP, ROLE_CLEANUP, ROLE_REQUIRED };

struct fx {
	const char *name;   /* the fixture */
	enum role role;
	size_t suite;
};

static int by_fixture(const void *a, const void *b)
{
	const struct fx *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->role != y->role)
		return (int)x->role - (int)y->role;
	return (x->suite > y->suite) - (x->suite < y->suite);
}

struct sname {
	const char *name;
	size_t suite;
};

static int by_sname(const void *a, const void *b)
{
	return strcmp(((const struct sname *)a)->name,
		      ((const struct sname *)b)->name);
}

struct builder {
	const struct fg_config *cfg;
	struct fx *fx;
	size_t nfx, fx_cap;
	struct sname *names;
	struct fg_deps *d;
	size_t *cap;
};

static void add_fx(struct builder *b, char **names, enum role role,
		   size_t suite)
{
	for (; names && *names; names++) {
		fg_xgrow((void **)&b->fx, &b->fx_cap, b->nfx + 1,
			 sizeof(*b->fx));
		b->fx[b->nfx++] = (struct fx){ *names, role, suite };
	}
}

static void add_edge(struct builder *b, size_t from, size_t to,
		     const char *fixture)
{
	struct fg_deps *d = b->d;

	if (from == to)
		return;
	fg_xgrow((void **)&d->of[from], &b->cap[from], d->n[from] + 1,
		 sizeof(**d->of));
	d->of[from][d->n[from]++] = (struct fg_dep){ to, fixture };
}

/* The entries of fixture `name` with `role`: [*lo, *hi) of b->fx. */
static void fx_range(const struct builder *b, const char *name,
		     enum role role, size_t *lo, size_t *hi)
{
	size_t l = 0, h = b->nfx;

	while (l < h) { /* first entry >= (name, role) */
		size_t m = l + (h - l) / 2;
		int c = strcmp(b->fx[m].name, name);

		if (c < 0 || (!c && b->fx[m].role < role))
			l = m + 1;
		else
			h = m;
	}
	*lo = l;
	while (l < b->nfx && !strcmp(b->fx[l].name, name) &&
	       b->fx[l].role == role)
		l++;
	*hi = l;
}

static void edges_of(struct builder *b, size_t i)
{
	const struct fg_suite_cfg *s = &b->cfg->suites[i];
	size_t lo, hi;

	for (char **f = s->fixtures_required; f && *f; f++) {
		fx_range(b, *f, ROLE_SETUP, &lo, &hi);
		for (size_t k = lo; k < hi; k++)
			add_edge(b, i, b->fx[k].suite, b->fx[k].name);
	}
	for (char **n = s->depends; n && *n; n++) {
		struct sname key = { *n, 0 };
		struct sname *hit = bsearch(&key, b->names, b->cfg->nsuites,
					    sizeof(*b->names), by_sname);

		if (hit)
			add_edge(b, i, hit->suite, NULL);
	}
	for (char **f = s->fixtures_cleanup; f && *f; f++) {
		fx_range(b, *f, ROLE_SETUP, &lo, &hi);
		for (size_t k = lo; k < hi; k++)
			add_edge(b, i, b->fx[k].suite, NULL);
		fx_range(b, *f, ROLE_REQUIRED, &lo, &hi);
		for (size_t k = lo; k < hi; k++)
			add_edge(b, i, b->fx[k].suite, NULL);
	}
}

/*
 * Depth-first search with an explicit stack (a chain of 10,000 DEPENDS
 * must not overflow ours). Colour 1: on the current path; 2: done. A
 * grey suite met again closes a cycle, which is named from the stack.
 */
static int find_cycle(const struct fg_config *cfg, const struct fg_deps *d,
		      struct fg_error *err)
{
	size_t n = d->nsuites;
	unsigned char *colour = fg_xcalloc(n + 1, 1);
	size_t *stack = fg_xcalloc(n + 1, sizeof(*stack));
	size_t *next = fg_xcalloc(n + 1, sizeof(*next)); /* edge to try */
	int rc = FG_OK;

	for (size_t root = 0; root < n && !rc; root++) {
		size_t top = 0;

		if (colour[root])
			continue;
		stack[top++] = root;
		colour[root] = 1;
		while (top && !rc) {
			size_t u = stack[top - 1], v;

			if (next[u] == d->n[u]) {
				colour[u] = 2;
				top--;
				continue;
			}
			v = d->of[u][next[u]++].suite;
			if (!colour[v]) {
				colour[v] = 1;
				stack[top++] = v;
			} else if (colour[v] == 1) {
				char path[800] = "";
				size_t k = top;

				while (k > 0 && stack[k - 1] != v)
					k--;
				for (size_t j = k - 1; j < top; j++)
					snprintf(path + strlen(path),
						 sizeof(path) - strlen(path),
						 "'%s' waits for ",
						 cfg->suites[stack[j]].name);
				snprintf(path + strlen(path),
					 sizeof(path) - strlen(path), "'%s'",
					 cfg->suites[v].name);
				rc = fg_fail(err, FG_ECONFIG, "a cycle of "
					     "dependencies (depends, fixtures): "
					     "%s", path);
			}
		}
	}
	free(colour);
	free(stack);
	free(next);
	return rc;
}

int fg_deps_build(const struct fg_config *cfg, struct fg_deps *d,
		  struct fg_error *err)
{
	struct builder b = { .cfg = cfg, .d = d };
	size_t n = cfg->nsuites;
	int rc;

	d->nsuites = n;
	d->of = fg_xcalloc(n + 1, sizeof(*d->of));
	d->n = fg_xcalloc(n + 1, sizeof(*d->n));
	b.cap = fg_xcalloc(n + 1, sizeof(*b.cap));
	b.names = fg_xcalloc(n + 1, sizeof(*b.names));
	for (size_t i = 0; i < n; i++) {
		const struct fg_suite_cfg *s = &cfg->suites[i];

		b.names[i] = (struct sname){ s->name, i };
		add_fx(&b, s->fixtures_setup, ROLE_SETUP, i);
		add_fx(&b, s->fixtures_cleanup, ROLE_CLEANUP, i);
		add_fx(&b, s->fixtures_required, ROLE_REQUIRED, i);
	}
	qsort(b.names, n, sizeof(*b.names), by_sname);
	if (b.nfx)
		qsort(b.fx, b.nfx, sizeof(*b.fx), by_fixture);
	for (size_t i = 0; i < n; i++)
		edges_of(&b, i);
	free(b.fx);
	free(b.names);
	free(b.cap);
	rc = find_cycle(cfg, d, err);
	if (rc)
		fg_deps_release(d);
	return rc;
}

void fg_deps_release(struct fg_deps *d)
{
	for (size_t i = 0; d->of && i < d->nsuites; i++)
		free(d->of[i]);
	free(d->of);
	free(d->n);
	memset(d, 0, sizeof(*d));
}

static bool in(char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static bool any_in(char *const *a, char *const *set)
{
	for (; a && *a; a++)
		if (in(set, *a))
			return true;
	return false;
}

/* Adds the names of add to the heap strv *set (no repeats). */
static bool add_names(char ***set, char *const *add)
{
	bool grew = false;

	for (; add && *add; add++) {
		size_t n = fg_strv_len(*set);

		if (in(*set, *add))
			continue;
		*set = fg_xrealloc(*set, (n + 2) * sizeof(char *));
		(*set)[n] = fg_xstrdup(*add);
		(*set)[n + 1] = NULL;
		grew = true;
	}
	return grew;
}

size_t fg_fixtures_close(const struct fg_config *cfg, bool *keep)
{
	char **fixtures = NULL;
	size_t added = 0;
	bool grew = true;

	for (size_t i = 0; i < cfg->nsuites; i++)
		if (keep[i])
			add_names(&fixtures, cfg->suites[i].fixtures_required);
	while (grew) {
		grew = false;
		for (size_t i = 0; i < cfg->nsuites; i++) {
			const struct fg_suite_cfg *s = &cfg->suites[i];

			if (keep[i] || (!any_in(s->fixtures_setup, fixtures) &&
					!any_in(s->fixtures_cleanup, fixtures)))
				continue;
			keep[i] = true;
			added++;
			grew |= add_names(&fixtures, s->fixtures_required);
		}
	}
	fg_strv_free(fixtures);
	return added;
}
