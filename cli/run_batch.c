/* SPDX-License-Identifier: MIT */
/*
 * cli/run_batch.c - cheap per-case runs: GoogleTest cases in batches.
 *
 * A "cases": "gtest" suite runs each case as its own process, which buys
 * isolation, finer balancing and per-case retries, but a process per
 * trivial case costs more than the case (fmt: 573 processes, 10.5 s,
 * against 1.4 s for ctest -j2). So the cases of such a suite are run in
 * batches: one process per batch, --gtest_filter naming its cases, and
 * per-case results from the batch's XML. Batches are sized from recorded
 * durations (longest first onto the least loaded batch: one batch a core
 * when every duration is known, two when some are not) so they balance
 * across the cores.
 *
 * Each case keeps its item state: a case that failed in its batch is
 * retried singly (as its second attempt); a case its batch never reported
 * (the batch crashed or timed out before it) runs singly as its first
 * attempt, where a crash or a hang is its own. Cases with overrides, and
 * suites with "batch": false, run one process per case as before.
 */
#include "cli/run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The cap on one --gtest_filter: far below ARG_MAX. */
#define BATCH_FILTER_MAX (64 * 1024)

static bool batchable(const struct item_state *is)
{
	return is->item->case_name && is->cfg->cases_gtest &&
	       !is->cfg->no_batch && !is->own_cfg && is->item->shard < 0 &&
	       !is->item->empty && !is->in_deps;
}

/* The members of one suite (indices into rs->items), longest first. */
struct pick {
	size_t *v;
	size_t n;
};

static struct run_state *sort_rs;

static int by_estimate(const void *a, const void *b)
{
	const struct item_state *x = &sort_rs->items[*(const size_t *)a];
	const struct item_state *y = &sort_rs->items[*(const size_t *)b];

	return (y->item->estimate_ms > x->item->estimate_ms) -
	       (y->item->estimate_ms < x->item->estimate_ms);
}

static struct item_state *new_batch(struct run_state *rs,
				    const struct item_state *first)
{
	struct item_state *b;

	rs->batches = fg_xrealloc(rs->batches,
				  (rs->nbatches + 1) * sizeof(*rs->batches));
	b = &rs->batches[rs->nbatches];
	memset(b, 0, sizeof(*b));
	b->rs = rs;
	b->cfg = first->cfg;
	b->index = rs->plan.n + rs->nbatches;
	b->max_attempts = 1;
	b->cwd = fg_xstrdup(first->cwd);
	b->batch_item.suite = first->item->suite;
	b->batch_item.shard = -1;
	b->batch_item.id = fg_xasprintf("%s[batch %zu]", first->cfg->name,
					rs->nbatches + 1);
	b->self_name = fg_xstrdup(first->cfg->name);
	b->self_class = fg_xstrdup("");
	fg_run_init(&b->tap_run);
	rs->nbatches++;
	return b;
}

/* Splits one suite's members into batches balanced by estimate. */
static void batch_suite(struct run_state *rs, struct pick *p)
{
	size_t nb = (size_t)rs->jobs, first = rs->nbatches;
	int64_t *load;
	size_t *flen;

	/* known durations balance one batch a core; unknown ones, two */
	for (size_t i = 0; i < p->n; i++)
		if (!rs->items[p->v[i]].item->known) {
			nb = (size_t)rs->jobs * 2;
			break;
		}
	if (nb > p->n)
		nb = p->n;
	sort_rs = rs;
	qsort(p->v, p->n, sizeof(*p->v), by_estimate);
	load = fg_xcalloc(nb, sizeof(*load));
	flen = fg_xcalloc(nb, sizeof(*flen));
	for (size_t k = 0; k < nb; k++)
		new_batch(rs, &rs->items[p->v[0]]);
	for (size_t i = 0; i < p->n; i++) {
		struct item_state *m = &rs->items[p->v[i]];
		size_t best = 0, len = strlen(m->item->case_name) + 1;
		struct item_state *b;

		for (size_t k = 1; k < nb; k++)
			if (load[k] < load[best])
				best = k;
		if (flen[best] + len > BATCH_FILTER_MAX)
			continue; /* runs singly, as before batching */
		b = &rs->batches[first + best];
		b->members = fg_xrealloc(b->members, (b->nmembers + 1) *
						     sizeof(*b->members));
		b->members[b->nmembers++] = p->v[i];
		b->batch_item.estimate_ms += m->item->estimate_ms;
		load[best] += m->item->estimate_ms > 0 ?
			      m->item->estimate_ms : 1;
		flen[best] += len;
		m->batched = true;
	}
	free(load);
	free(flen);
}

void run_make_batches(struct run_state *rs)
{
	for (size_t s = 0; s < rs->cfg->nsuites; s++) {
		struct pick p = { fg_xcalloc(rs->plan.n + 1, sizeof(size_t)), 0 };

		for (size_t i = 0; i < rs->plan.n; i++)
			if (rs->items[i].item->suite == s &&
			    batchable(&rs->items[i]))
				p.v[p.n++] = i;
		/* below two cases a core, a process each costs nothing */
		if (p.n >= 2 * (size_t)rs->jobs && p.n >= 4)
			batch_suite(rs, &p);
		free(p.v);
	}
	/* items now point into a stable array: wire the batches' items */
	for (size_t k = 0; k < rs->nbatches; k++) {
		struct item_state *b = &rs->batches[k];

		b->item = &b->batch_item;
		run_prepare_attempt(b);
		/* a case's timeout, plus the batch's expected work twice */
		if (b->job.timeout_ms)
			b->job.timeout_ms += 2 * b->batch_item.estimate_ms;
	}
}

char **run_batch_argv(struct item_state *b)
{
	size_t n = fg_strv_len(b->cfg->argv);
	char **argv = fg_xcalloc(n + 3, sizeof(char *));
	char *filter = fg_xstrdup("--gtest_filter=");

	for (size_t i = 0; i < n; i++)
		argv[i] = fg_xstrdup(b->cfg->argv[i]);
	for (size_t i = 0; i < b->nmembers; i++) {
		const struct item_state *m = &b->rs->items[b->members[i]];
		char *f = fg_xasprintf("%s%s%s", filter, i ? ":" : "",
				       m->item->case_name);

		free(filter);
		filter = f;
	}
	argv[n] = filter;
	argv[n + 1] = fg_xasprintf("--gtest_output=xml:%s", b->junit);
	return argv;
}

/* The case "Suite.Test" of member m in the batch's results, or NULL. */
static const struct fg_test *member_test(const struct fg_run *xml,
					 const struct item_state *m)
{
	const char *c = m->item->case_name, *dot = strchr(c, '.');
	char *cls;
	const struct fg_test *t;

	if (!dot)
		return NULL;
	cls = fg_xstrndup(c, (size_t)(dot - c));
	t = fg_run_find_test((struct fg_run *)xml, m->cfg->name, cls, dot + 1);
	free(cls);
	return t;
}

static bool test_failed(const struct fg_test *t)
{
	for (size_t k = 0; k < t->nattempts; k++)
		if (fg_astatus_is_failure(t->attempts[k].status))
			return true;
	return false;
}

/* One member after its batch: done, retried singly, or run singly. */
static void settle_member(struct runner *r, struct item_state *b,
			  struct item_state *m, const struct fg_run *xml)
{
	const struct fg_test *t = xml ? member_test(xml, m) : NULL;
	enum runner_end end = b->job.result.end;

	m->job.result.end = end;
	m->job.result.duration_ms = 0;
	if (end == RUNNER_CANCELLED || end == RUNNER_INTERRUPTED) {
		run_item_finished(m);
		return;
	}
	if (!t) {
		/* not reported: run it alone, its first attempt */
		m->attempt = 0;
		run_prepare_attempt(m);
		runner_submit(r, &m->job);
		return;
	}
	m->attempt = 1;
	m->failed = test_failed(t);
	run_company_copy(m, b);
	if (run_want_retry(m)) {
		run_prepare_attempt(m);
		runner_submit(r, &m->job);
		return;
	}
	run_item_finished(m);
}

void run_batch_done(struct runner *r, struct item_state *b)
{
	struct run_state *rs = b->rs;
	struct history_junit_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct fg_run xml;
	char *output = fg_buf_text(&b->job.result.output);
	bool read;

	fg_run_init(&xml);
	read = access(b->junit, F_OK) == 0 &&
	       history_junit_read(b->junit, b->cfg->name, &xml, &stats,
				  &err) == FG_OK;
	if (!read && access(b->junit, F_OK) == 0)
		fg_log(FG_LOG_WARN, "run", "%s: %s", b->batch_item.id, err.msg);
	/* the failures get the batch's output, as a case's would */
	for (size_t i = 0; i < xml.ntests; i++)
		for (size_t k = 0; k < xml.tests[i].nattempts; k++) {
			struct fg_attempt *a = &xml.tests[i].attempts[k];

			run_company_set(b, a);
			if (fg_astatus_is_failure(a->status) && !a->output)
				a->output = fg_xstrdup(output);
		}
	for (size_t i = 0; i < b->nmembers; i++)
		settle_member(r, b, &rs->items[b->members[i]],
			      xml.ntests ? &xml : NULL);
	fg_run_absorb(&rs->run, &xml);
	fg_run_release(&xml);
	free(output);
	runner_job_release(&b->job);
	run_release_dir(rs, b->tmpdir);
	b->tmpdir = NULL;
	fg_strv_free(b->env);
	b->env = NULL;
	b->job.env = NULL;
}

void run_free_batches(struct run_state *rs)
{
	for (size_t k = 0; k < rs->nbatches; k++) {
		struct item_state *b = &rs->batches[k];

		free(b->members);
		free(b->batch_item.id);
		free(b->cwd);
		free(b->junit);
		free(b->tmpdir);
		free(b->log_path);
		free(b->self_name);
		free(b->self_class);
		fg_strv_free(b->argv);
		fg_strv_free(b->env);
		fg_run_release(&b->tap_run);
	}
	free(rs->batches);
	rs->batches = NULL;
	rs->nbatches = 0;
}
