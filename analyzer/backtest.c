/* SPDX-License-Identifier: MIT */
/*
 * analyzer/backtest.c - replay one test's recorded runs under a policy, as
 * if flakeguard had applied it from the first run: what it would have
 * quarantined and released, which failures it would have hidden (and how
 * many of those while the test was broken: a hidden regression), and which
 * failures of a test it calls flaky still made a run red (missed).
 *
 * Each step evaluates the runs so far (an_evaluate over a prefix) and
 * decides with an_decide(), and a failure under quarantine is hidden when
 * an_coverage() says the entry covers it, exactly as `run` does; expiry
 * is not replayed (it depends on calendar time, not on runs), nor the
 * cap, nor the entry's evidence snapshot (signatures are compared with
 * the runs before).
 */
#include "analyzer/analyzer.h"

#include <string.h>

void an_backtest_test(struct an_test *t, const struct an_policy *p,
		      struct an_backtest *bt)
{
	struct an_decision d;
	bool in = false, blocked = false;
	int64_t since = 0; /* entry began, or the last one ended */
	struct history_quarantine q = { .mode = "run", .source = "auto" };
	double chance;

	for (size_t i = 0; i < t->nobs; i++) {
		const struct an_obs *o = &t->obs[i];

		if (!o->attempts)
			continue;
		an_evaluate(t, i + 1, since, p);
		q.since_ms = since;
		an_decide(t, in ? &q : NULL, blocked, o->started_at_ms, p, &d);
		if (d.action == AN_ENTER) {
			in = true;
			since = o->started_at_ms + 1;
			bt->entered++;
		} else if (d.action == AN_LEAVE) {
			in = false;
			since = o->started_at_ms + 1;
			bt->released++;
		}
		bt->runs++;
		if (!o->last_failed)
			continue;
		bt->red_naive++;
		if (in && an_coverage(t, i, NULL, p, &chance) <= AN_COVER_SUSPICIOUS) {
			bt->hidden++;
		} else {
			bt->red_policy++;
			if (t->cat == AN_FLAKY)
				bt->missed++;
		}
	}
	/* hidden_broken: hidden failures the full history calls broken */
	an_evaluate(t, t->nobs, 0, p);
	if (t->cat == AN_BROKEN && in)
		bt->hidden_broken++;
}
