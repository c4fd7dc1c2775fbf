/* SPDX-License-Identifier: MIT */
/*
 * analyzer/evidence.c - from a test's runs to its evidence and category.
 *
 * Pure: an struct an_test holds the runs (oldest first) that the caller
 * loaded from the history (cli/analysis.c) or built by hand (the unit
 * tests), and an_evaluate() computes everything from them, so a replay
 * (the backtest) can evaluate any prefix.
 *
 * The unit of evidence is a run: a run "failed" when any attempt failed,
 * "failed hard" when every attempt failed. Runs whose attempts were all
 * skipped are no evidence. docs/analyzer.md states each rule with its
 * formula; the categories, in the order they are tried:
 *   broken     a trailing run of hard failures that the test's earlier
 *              hard-failure rate cannot explain (q_hi^L < broken_alpha);
 *   fixed      a broken streak followed by (at most 10) clean runs;
 *   memory-error  a run in the window had a sanitizer report (a memory
 *              error, analyzer/hint.c): a bug, counted, never quarantined;
 *   new-flaky  one run only (this one), in which a stress run failed
 *              (run --new-test-runs: a new test is rerun N times);
 *   interference  fails beside other tests and passes alone, in >=
 *              interference_runs runs (analyzer/interference.c);
 *   intermittent  the rate monitor (analyzer/monitor.c) alarmed and its
 *              alarm stands: the failure rate rose at commit X;
 *   fixed      the monitor's alarm ended: clean runs in a row that the
 *              raised rate explains by chance less than broken_alpha
 *              (shown for 10 runs after that, while none fails);
 *   flaky      pass and fail on one commit, or >= 2 failing runs with
 *              >= 3 same-branch flips;
 *   new        fewer than min_runs runs;
 *   slow       recent passing median > slow_factor x the earlier one;
 *   stable     everything else.
 */
#include "analyzer/analyzer.h"
#include "analyzer/internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIXED_WINDOW 10
#define SLOW_RECENT 5
#define SLOW_MIN_SAMPLES 10

static const char *const category_names[AN_CATEGORY_COUNT] = {
	[AN_STABLE] = "stable", [AN_FLAKY] = "flaky", [AN_BROKEN] = "broken",
	[AN_NEW_FLAKY] = "new-flaky", [AN_FIXED] = "fixed", [AN_NEW] = "new",
	[AN_SLOW] = "slow", [AN_INTERMITTENT] = "intermittent",
	[AN_INTERFERENCE] = "interference", [AN_MEMORY] = "memory-error",
};

const char *an_category_name(enum an_category c)
{
	return (unsigned)c < AN_CATEGORY_COUNT ? category_names[c] : "?";
}

void an_test_init(struct an_test *t, const char *suite, const char *classname,
		  const char *name)
{
	memset(t, 0, sizeof(*t));
	t->suite = fg_xstrdup(suite ? suite : "");
	t->classname = fg_xstrdup(classname ? classname : "");
	t->name = fg_xstrdup(name ? name : "");
}

static void evidence_release(struct an_evidence *ev)
{
	for (size_t i = 0; i < ev->nsignatures; i++)
		free(ev->signatures[i]);
	free(ev->signatures);
	an__interference_release(ev);
	memset(ev, 0, sizeof(*ev));
}

void an_test_trim(struct an_test *t)
{
	for (size_t i = 0; i < t->nobs; i++) {
		if (!t->obs[i].borrowed) {
			free(t->obs[i].commit);
			free(t->obs[i].branch);
		}
		free(t->obs[i].signature);
		an__obs_release(&t->obs[i]);
	}
	free(t->obs);
	t->obs = NULL;
	t->nobs = t->cap = 0;
}

void an_test_release(struct an_test *t)
{
	an_test_trim(t);
	free(t->suite);
	free(t->classname);
	free(t->name);
	evidence_release(&t->ev);
	memset(t, 0, sizeof(*t));
}

struct an_obs *an_test_add(struct an_test *t, int64_t run_id,
			   int64_t started_at_ms, const char *commit,
			   const char *branch, const enum fg_astatus *statuses,
			   size_t nstatuses, int64_t duration_ms,
			   const char *message)
{
	struct an_obs *o;

	fg_xgrow((void **)&t->obs, &t->cap, t->nobs + 1, sizeof(*t->obs));
	o = &t->obs[t->nobs++];
	memset(o, 0, sizeof(*o));
	o->run_id = run_id;
	o->started_at_ms = started_at_ms;
	o->commit = fg_xstrdup(commit);
	o->branch = fg_xstrdup(branch);
	o->duration_ms = duration_ms;
	for (size_t i = 0; i < nstatuses; i++) {
		if (statuses[i] == FG_A_SKIPPED)
			continue;
		o->attempts++;
		o->last_failed = fg_astatus_is_failure(statuses[i]);
		o->failed += o->last_failed;
	}
	if (o->failed)
		o->signature = an_signature(message ? message : "(no message)");
	return o;
}

struct an_obs *an_test_add_run(struct an_test *t, const struct fg_run *run,
			       const struct fg_test *ft)
{
	enum fg_astatus *st = fg_xcalloc(ft->nattempts + 1, sizeof(*st));
	int *beside = fg_xcalloc(ft->nattempts + 1, sizeof(*beside));
	const char **names = fg_xcalloc(ft->nattempts + 1, sizeof(*names));
	const char *msg = NULL;
	struct an_obs *o;

	for (size_t i = 0; i < ft->nattempts; i++) {
		st[i] = ft->attempts[i].status;
		beside[i] = ft->attempts[i].beside;
		names[i] = ft->attempts[i].beside_names;
		if (!msg && fg_astatus_is_failure(st[i]))
			msg = ft->attempts[i].message;
	}
	o = an_test_add(t, run->id, run->started_at_ms, run->commit,
			run->branch, st, ft->nattempts, ft->duration_ms, msg);
	o->memory = o->failed && an_test_memory_error(ft);
	for (size_t i = 0; i < ft->nattempts; i++) {
		if (!ft->attempts[i].stress || st[i] == FG_A_SKIPPED)
			continue;
		o->stress++;
		o->stress_failed += fg_astatus_is_failure(st[i]);
	}
	an_obs_company(o, st, beside, names, ft->nattempts);
	free(st);
	free(beside);
	free(names);
	return o;
}

struct an_obs *an_test_add_row(struct an_test *t,
			       const struct history_scan_row *r)
{
	struct an_obs *o = an_test_add(t, r->run_id, r->started_at_ms,
				       r->commit, r->branch, r->statuses,
				       r->nattempts, r->duration_ms,
				       r->message);
	char buf[AN_HINT_MAX];

	/* The status matters not: a failed one stands for them all. */
	o->memory = o->failed &&
		    ((r->message && an_hint(FG_A_FAILED, r->message, NULL, buf,
					    sizeof(buf)) == AN_HINT_MEMORY) ||
		     (r->sanitizer && an_hint(FG_A_FAILED, NULL, r->sanitizer,
					      buf, sizeof(buf)) ==
					      AN_HINT_MEMORY));
	an_obs_company(o, r->statuses, r->beside, r->beside_names,
		       r->nattempts);
	return o;
}

/* ---------------------------------------------------------------------- */
/* Evidence                                                                */
/* ---------------------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool hard(const struct an_obs *o)
{
	return o->attempts && o->failed == o->attempts;
}

bool an_signature_known(const struct an_test *t, size_t upto, const char *sig)
{
	if (!sig)
		return true;
	for (size_t i = 0; i < upto && i < t->nobs; i++)
		if (same(t->obs[i].signature, sig))
			return true;
	return false;
}

static void add_signature(struct an_evidence *ev, const char *sig)
{
	for (size_t i = 0; i < ev->nsignatures; i++)
		if (!strcmp(ev->signatures[i], sig))
			return;
	ev->signatures = fg_xrealloc(ev->signatures, (ev->nsignatures + 1) *
						       sizeof(char *));
	ev->signatures[ev->nsignatures++] = fg_xstrdup(sig);
}

/*
 * Commits with both a passing and a failing attempt. Runs without a commit
 * may all be the same code or all different: together they count once, and
 * only through a retry that flipped within one run.
 */
struct commit_seen {
	const char *commit;
	bool pass;
};

static int cmp_commit_seen(const void *a, const void *b)
{
	return strcmp(((const struct commit_seen *)a)->commit,
		      ((const struct commit_seen *)b)->commit);
}

/*
 * Only a commit that failed can count, so only the failing runs' commits
 * are sorted (O(m + f log f) for f failing runs: none for a clean test,
 * which is most of a big suite; sorting all m commits of every test took
 * a tenth of a 10,000-test run's analysis), and each passing run looks
 * its commit up among them.
 */
static unsigned long inconsistent_commits(const struct an_test *t,
					  const size_t *v, size_t m)
{
	struct commit_seen *c = NULL;
	unsigned long n = 0;
	bool unknown = false;
	size_t k = 0, f = 0, groups = 0;

	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		if (!o->commit)
			unknown |= o->failed > 0 && o->failed < o->attempts;
		else
			f += o->failed > 0;
	}
	if (!f)
		return unknown;
	c = fg_xcalloc(f + 1, sizeof(*c));
	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		if (o->commit && o->failed > 0) {
			c[k].commit = o->commit;
			c[k++].pass = o->failed < o->attempts;
		}
	}
	/* by commit, one entry per commit: passed in any of its runs */
	qsort(c, k, sizeof(*c), cmp_commit_seen);
	for (size_t i = 0; i < k; i++) {
		if (groups && !strcmp(c[groups - 1].commit, c[i].commit))
			c[groups - 1].pass |= c[i].pass;
		else
			c[groups++] = c[i];
	}
	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];
		struct commit_seen key = { o->commit, false }, *hit;

		if (!o->commit || o->failed > 0 || !o->attempts)
			continue;
		hit = bsearch(&key, c, groups, sizeof(*c), cmp_commit_seen);
		if (hit)
			hit->pass = true;
	}
	for (size_t i = 0; i < groups; i++)
		n += c[i].pass;
	free(c);
	return n + unknown;
}

static void flips(const struct an_test *t, const size_t *v, size_t m,
		  struct an_evidence *ev)
{
	for (size_t i = 1; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		for (size_t j = i; j-- > 0;) {
			const struct an_obs *q = &t->obs[v[j]];

			if (!same(q->branch, o->branch))
				continue;
			ev->flip_pairs++;
			ev->flips += (q->failed > 0) != (o->failed > 0);
			break;
		}
	}
	ev->flip_rate = ev->flip_pairs ?
				(double)ev->flips / (double)ev->flip_pairs : 0;
}

/*
 * Whether the hard failures v[end - L .. end) are a break: L >= broken_runs
 * and the hard-failure rate before them (Wilson upper bound q) makes L in
 * a row unlikely (q^L < broken_alpha). A test with no earlier runs is
 * broken after broken_runs failures.
 */
static bool streak_is_break(const struct an_test *t, const size_t *v,
			    size_t end, unsigned long L,
			    const struct an_policy *p, double *chance)
{
	unsigned long hb = 0, nb = end - L;
	struct an_interval iv;

	*chance = 1;
	if (!L || L < (unsigned long)p->broken_runs)
		return false;
	if (!nb) {
		*chance = 0;
		return true;
	}
	for (size_t i = 0; i < nb; i++)
		hb += hard(&t->obs[v[i]]);
	an_wilson(hb, nb, &iv);
	*chance = pow(iv.hi, (double)L);
	return *chance < p->broken_alpha;
}

static unsigned long trailing(const struct an_test *t, const size_t *v,
			      size_t end, bool want_hard)
{
	unsigned long L = 0;

	while (L < end) {
		const struct an_obs *o = &t->obs[v[end - 1 - L]];

		if (want_hard ? !hard(o) : o->failed > 0)
			break;
		L++;
	}
	return L;
}

static void broken_or_fixed(const struct an_test *t, const size_t *v, size_t m,
			    const struct an_policy *p, struct an_evidence *ev)
{
	unsigned long L = trailing(t, v, m, true), C;

	if (L) {
		ev->broken_streak = L;
		if (streak_is_break(t, v, m, L, p, &ev->broken_chance))
			ev->broken_from = v[m - L] + 1;
		return;
	}
	C = trailing(t, v, m, false);
	if (!C || C > FIXED_WINDOW || C == m)
		return;
	L = trailing(t, v, m - C, true);
	if (streak_is_break(t, v, m - C, L, p, &ev->broken_chance)) {
		ev->broken_streak = L;
		ev->broken_from = v[m - C - L] + 1;
		ev->fixed_at = v[m - C] + 1;
	}
}

/*
 * The onset: every split point s that starts with a failure and has >=
 * min_before runs before it at <= 1% failing (k0 * 100 <= n0: no integer
 * division, which once let 1 failure in 79 runs pass as 0%) is a candidate;
 * for each, the exact chance that a constant rate puts >= k1 of the k
 * failures among the n1 runs from s on (an_hyper_tail). The split where
 * that chance is smallest is kept, with the number of candidates, so that
 * a rule can correct for having chosen the best of them.
 */
static void change_point(const struct an_test *t, const size_t *v, size_t m,
			 const struct an_policy *p, struct an_evidence *ev)
{
	unsigned long k = 0, k0 = 0;

	for (size_t i = 0; i < m; i++)
		k += t->obs[v[i]].failed > 0;
	ev->change_p = 1;
	for (size_t s = 0; s < m; s++) {
		unsigned long n0 = s, n1 = m - s, k1 = k - k0;
		bool fail = t->obs[v[s]].failed > 0;

		if (fail && n0 >= (unsigned long)p->min_before && k0 * 100 <= n0 &&
		    k1 >= 2) {
			double q = an_hyper_tail(k1, n1, k, m);

			ev->change_splits++;
			if (q < ev->change_p) {
				ev->change_p = q;
				ev->change_at = v[s] + 1;
				ev->before_runs = n0;
				ev->before_fails = k0;
				ev->after_runs = n1;
				ev->after_fails = k1;
			}
		}
		k0 += fail;
	}
}

static void entry_counts(const struct an_test *t, const size_t *v, size_t m,
			 int64_t since_ms, const struct an_policy *p,
			 struct an_evidence *ev)
{
	size_t first = 0;

	while (first < m && t->obs[v[first]].started_at_ms < since_ms)
		first++;
	ev->entry_runs = m - first;
	for (size_t i = first; i < m; i++)
		ev->entry_fails += t->obs[v[i]].failed > 0;
	ev->entry_incons = inconsistent_commits(t, v + first, m - first);
	ev->entry_p_above = an_prob_above(ev->entry_fails, ev->entry_runs,
					  p->threshold);
}

/* The rate monitor folded over the runs (analyzer/monitor.c). */
void an_monitor_cfg_from(const struct an_policy *p, struct an_monitor_cfg *c)
{
	c->rise = p->rise;
	c->arl0 = (double)p->alarm_runs * (double)(p->tests ? p->tests : 1);
	c->min_base = p->min_before;
	c->fix_alpha = p->broken_alpha;
	c->back_alpha = 0.05;
}

/*
 * Each evaluation folds the runs again (the summaries keep the runs, not
 * the monitor's state: see analyzer/summary.c). Folding from the window's first run would restart
 * the detector at a different run every time, and every restart is a new
 * chance of a false alarm on a young baseline; so the fold starts at an
 * anchor that moves only every MONITOR_EPOCH run ids: the first run with
 * id >= ((newest id - MONITOR_EPOCH) / MONITOR_EPOCH) * MONITOR_EPOCH.
 * Between moves, consecutive runs see one continuous detector.
 */
#define MONITOR_EPOCH 100
/* The summaries rely on it (an_summary_covers_clean()). */
_Static_assert(2 * MONITOR_EPOCH == AN_MONITOR_SPAN, "the monitor's span");

static size_t monitor_start(const struct an_test *t, const size_t *v,
			    size_t m)
{
	int64_t newest = 0, anchor;
	size_t s = 0;

	for (size_t i = 0; i < m; i++)
		if (t->obs[v[i]].run_id > newest)
			newest = t->obs[v[i]].run_id;
	if (newest < 2 * MONITOR_EPOCH)
		return 0;
	anchor = (newest - MONITOR_EPOCH) / MONITOR_EPOCH * MONITOR_EPOCH;
	while (s < m && t->obs[v[s]].run_id && t->obs[v[s]].run_id < anchor)
		s++;
	return s;
}

static void monitor(const struct an_test *t, const size_t *v, size_t m,
		    const struct an_policy *p, struct an_evidence *ev)
{
	an_monitor_cfg_from(p, &ev->mon_cfg);
	an_monitor_init(&ev->mon);
	for (size_t i = monitor_start(t, v, m); i < m; i++)
		an_monitor_update(&ev->mon, &ev->mon_cfg,
				  t->obs[v[i]].failed > 0, (int64_t)v[i] + 1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *d, size_t n)
{
	qsort(d, n, sizeof(*d), cmp_i64);
	return d[(n - 1) / 2];
}

static void durations(const struct an_test *t, const size_t *v, size_t m,
		      struct an_evidence *ev)
{
	int64_t *d = fg_xcalloc(m + 1, sizeof(*d));
	size_t n = 0;

	for (size_t i = 0; i < m; i++)
		if (!t->obs[v[i]].failed)
			d[n++] = t->obs[v[i]].duration_ms;
	if (n >= SLOW_MIN_SAMPLES) {
		ev->dur_recent_ms = median(d + n - SLOW_RECENT, SLOW_RECENT);
		ev->dur_before_ms = median(d, n - SLOW_RECENT);
	}
	free(d);
}

static void release_score(const struct an_test *t, const size_t *v, size_t m,
			  int64_t since_ms, const struct an_policy *p,
			  struct an_evidence *ev)
{
	double pass = an_sprt_pass(&p->release), fail = an_sprt_fail(&p->release);
	double lower = an_sprt_lower(&p->release);

	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		if (o->started_at_ms < since_ms)
			continue;
		ev->sprt += o->failed ? fail : pass;
		if (ev->sprt <= lower)
			ev->sprt = 0; /* "keep" decided: start a new test */
		ev->sprt_runs++;
	}
	ev->clean_needed = an_sprt_clean_runs(&p->release, ev->sprt);
}

static void counts(const struct an_test *t, const size_t *v, size_t m,
		   struct an_evidence *ev)
{
	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		ev->attempts += (unsigned long)o->attempts;
		ev->failed_attempts += (unsigned long)o->failed;
		if (!o->failed)
			continue;
		ev->fail_runs++;
		ev->hard_fails += hard(o);
		ev->retry_flakes += !o->last_failed;
		ev->last_fail = v[i] + 1;
		if (o->memory) {
			ev->memory_runs++;
			ev->memory_last = v[i] + 1;
		}
		if (o->signature)
			add_signature(ev, o->signature);
	}
}

static const char *short_commit(const struct an_test *t, size_t idx1)
{
	const char *c = idx1 ? t->obs[idx1 - 1].commit : NULL;

	return c ? c : "(unknown)"; /* fits %.12s */
}

/* intermittent: the monitor's alarm stands */
static void raised_reason(struct an_test *t)
{
	const struct an_monitor *mo = &t->ev.mon;
	double after = mo->post_runs ? (double)mo->post_fails /
				       (double)mo->post_runs : 0;

	t->cat = AN_INTERMITTENT;
	if (!mo->base_fails)
		snprintf(t->reason, sizeof(t->reason),
			 "began failing intermittently at commit %.12s: %u of "
			 "%u runs since, 0 of %u before",
			 short_commit(t, (size_t)mo->raised_from),
			 mo->post_fails, mo->post_runs, mo->base_runs);
	else
		snprintf(t->reason, sizeof(t->reason),
			 "rate rose from %.1f%% to %.1f%% since commit %.12s: "
			 "%u of %u runs since, %u of %u before",
			 100.0 * mo->base_fails / mo->base_runs, 100 * after,
			 short_commit(t, (size_t)mo->raised_from),
			 mo->post_fails, mo->post_runs, mo->base_fails,
			 mo->base_runs);
}

static void categorize(struct an_test *t, const struct an_policy *p)
{
	const struct an_evidence *ev = &t->ev;
	char ps[96];

	an_format_p(ps, sizeof(ps), &ev->p, ev->runs);
	if (ev->broken_from && !ev->fixed_at) {
		t->cat = AN_BROKEN;
		if (ev->broken_chance == 0)
			snprintf(t->reason, sizeof(t->reason),
				 "failed every attempt in all %lu runs since "
				 "first seen at %.12s", ev->broken_streak,
				 short_commit(t, ev->broken_from));
		else
			snprintf(t->reason, sizeof(t->reason),
				 "fails every attempt since commit %.12s (%lu "
				 "runs; by chance at its past rate: %.1g)",
				 short_commit(t, ev->broken_from),
				 ev->broken_streak, ev->broken_chance);
	} else if (ev->fixed_at) {
		t->cat = AN_FIXED;
		snprintf(t->reason, sizeof(t->reason),
			 "passing since commit %.12s after failing %lu runs "
			 "from %.12s", short_commit(t, ev->fixed_at),
			 ev->broken_streak, short_commit(t, ev->broken_from));
	} else if (ev->memory_runs) {
		t->cat = AN_MEMORY;
		snprintf(t->reason, sizeof(t->reason),
			 "a sanitizer reported a memory error in %lu of %lu "
			 "runs, the last at commit %.12s: a bug, never flaky",
			 ev->memory_runs, ev->runs,
			 short_commit(t, ev->memory_last));
	} else if (ev->runs == 1 && ev->stress_fails) {
		struct an_interval sp;

		an_wilson(ev->stress_fails, ev->stress_runs, &sp);
		t->cat = AN_NEW_FLAKY;
		snprintf(t->reason, sizeof(t->reason),
			 "first seen in this run: failed %lu of %lu stress "
			 "run%s (%.0f%% [%.0f%%, %.0f%%] per run)",
			 ev->stress_fails, ev->stress_runs,
			 ev->stress_runs == 1 ? "" : "s", 100 * sp.p,
			 100 * sp.lo, 100 * sp.hi);
	} else if (an__is_interference(ev, p)) {
		t->cat = AN_INTERFERENCE;
		an__interference_reason(t, t->reason, sizeof(t->reason));
	} else if (ev->mon.raised) {
		raised_reason(t);
	} else if (ev->mon.fixed_from &&
		   ev->mon.since_fixed <= FIXED_WINDOW) {
		t->cat = AN_FIXED;
		snprintf(t->reason, sizeof(t->reason),
			 "no failure since commit %.12s (%u runs; its raised "
			 "rate explains that by chance less than %.2g)",
			 short_commit(t, (size_t)ev->mon.fixed_from),
			 ev->mon.clean + ev->mon.since_fixed,
			 ev->mon_cfg.fix_alpha);
	} else if (ev->incons_commits ||
		   (ev->fail_runs >= 2 && ev->flips >= 3)) {
		t->cat = AN_FLAKY;
		snprintf(t->reason, sizeof(t->reason),
			 "%s; pass and fail on %lu commit%s, flip rate %.2f",
			 ps, ev->incons_commits,
			 ev->incons_commits == 1 ? "" : "s", ev->flip_rate);
	} else if (ev->runs < (unsigned long)p->min_runs) {
		t->cat = AN_NEW;
		snprintf(t->reason, sizeof(t->reason), "%lu run%s so far",
			 ev->runs, ev->runs == 1 ? "" : "s");
		if (ev->stress_runs)
			snprintf(t->reason + strlen(t->reason),
				 sizeof(t->reason) - strlen(t->reason),
				 "; passed its %lu stress run%s",
				 ev->stress_runs,
				 ev->stress_runs == 1 ? "" : "s");
	} else if (ev->dur_before_ms &&
		   (double)ev->dur_recent_ms >
			   p->slow_factor * (double)ev->dur_before_ms &&
		   ev->dur_recent_ms - ev->dur_before_ms >= p->slow_min_ms) {
		char a[32], b[32];

		t->cat = AN_SLOW;
		snprintf(t->reason, sizeof(t->reason),
			 "median %s over its last %d passing runs, was %s",
			 fg_duration_format(ev->dur_recent_ms, a, sizeof(a)),
			 SLOW_RECENT,
			 fg_duration_format(ev->dur_before_ms, b, sizeof(b)));
	} else {
		t->cat = AN_STABLE;
		snprintf(t->reason, sizeof(t->reason), "%s%s", ps,
			 ev->fail_runs ? "; no pass and fail on one commit" :
					 "");
	}
}

void an_evaluate(struct an_test *t, size_t nobs, int64_t since_ms,
		 const struct an_policy *p)
{
	struct an_evidence *ev = &t->ev;
	size_t *v = fg_xcalloc(nobs + 1, sizeof(*v)), all = 0, m, *w;

	evidence_release(ev);
	for (size_t i = 0; i < nobs && i < t->nobs; i++)
		if (t->obs[i].attempts)
			v[all++] = i;
	/* The evidence is the newest `window` runs; the onset scan and the
	 * monitor look at all that was loaded (up to `history` runs). */
	m = all > (size_t)p->window ? (size_t)p->window : all;
	w = v + (all - m);
	ev->runs = m;
	ev->last_hard = m && hard(&t->obs[w[m - 1]]);
	if (m) {
		ev->stress_runs = (unsigned long)t->obs[w[m - 1]].stress;
		ev->stress_fails = (unsigned long)t->obs[w[m - 1]].stress_failed;
	}
	counts(t, w, m, ev);
	ev->incons_commits = inconsistent_commits(t, w, m);
	flips(t, w, m, ev);
	an_wilson(ev->fail_runs, m, &ev->p);
	ev->p_above = an_prob_above(ev->fail_runs, m, p->threshold);
	entry_counts(t, w, m, since_ms, p, ev);
	broken_or_fixed(t, w, m, p, ev);
	change_point(t, v, all, p, ev);
	monitor(t, v, all, p, ev);
	release_score(t, w, m, since_ms, p, ev);
	durations(t, w, m, ev);
	an__interference(t, w, m, ev);
	free(v);
	categorize(t, p);
}
