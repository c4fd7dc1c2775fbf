/* SPDX-License-Identifier: MIT */
/*
 * analyzer/monitor.c - watching every test's failure rate for a rise, and
 * for its return: a Bernoulli CUSUM whose false-alarm rate is computed,
 * not guessed.
 *
 * The detector (Page 1954; the integer form of Reynolds & Stoumbos 1999):
 * with p0 the test's in-control failure rate and p1 = p0 + rise the rate
 * worth an alarm, a clean run scores ln((1-p1)/(1-p0)) < 0 and a failing
 * run ln(p1/p0) > 0; the statistic is the running sum, floored at 0, which
 * is the largest log-likelihood ratio of "the rate became p1 at some split
 * point" over every split point since it last was 0. Scores are scaled so
 * that a clean run is exactly -s and a failure +r (r/s within 3% of the
 * ratio of the two scores; s = 1 unless the test fails often), which makes
 * the statistic an integer and the detector a finite Markov chain: its average run length (ARL) at any true rate is the solution of
 * a linear system (an_cusum_arl), so the threshold h is chosen for a
 * stated in-control ARL (ARL0) per test, ARL0 = alarm_runs x tests: over
 * all tests and all split points, at most one false alarm per alarm_runs
 * runs of the suite. p0 is only estimated (k failing runs of n), so h is
 * the smallest whose false-alarm rate averaged over the Jeffreys posterior
 * of p0 meets that (an_cusum_design_post): a young or noisy baseline gets
 * a high threshold, a long clean one a low threshold.
 *
 * The monitor around it is the per-test state issue 14 will store: the
 * in-control baseline (runs, failing runs), the statistic and its current
 * excursion, and after an alarm the raised segment; an_monitor_update()
 * folds one run into it, and evaluating a test is that fold over its runs.
 *
 *   in control  runs enter the baseline while the statistic is 0 (an
 *               excursion that returns to 0 is folded in as well); the
 *               first min_base runs only build the baseline;
 *   alarm       the statistic reaches h: "raised" since the run where the
 *               excursion began (the onset); the baseline is frozen;
 *   fixed       while raised, C clean runs in a row that the raised rate
 *               (Jeffreys mean up to its last failure) explains by chance
 *               less than fix_alpha: (1 - p)^C < fix_alpha. The raised
 *               segment is dropped, the clean runs join the baseline;
 *   cleared     while raised, the runs since the alarm favour p0 over p1
 *               by a likelihood ratio of 1/back_alpha (Wald's bound: a
 *               real rise to p1 is cleared so with probability <=
 *               back_alpha): a false alarm; its runs join the baseline.
 *
 * Worked numbers (tests/unit/test_analyzer.c checks them) are in
 * docs/analyzer.md.
 */
#include "analyzer/analyzer.h"
#include "analyzer/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * A design whose threshold takes more than HORIZON failing runs in a row
 * to reach (h > r x HORIZON) watches nothing: every evaluation folds the
 * monitor over at most AN_MONITOR_SPAN stored runs and the judged one
 * (analyzer/evidence.c, monitor_start()), so such a threshold can never
 * be reached, and solving for it costs seconds (a test failing half its
 * runs in a 2,000-test suite asks for h near 100,000). Such a failure
 * joins the baseline, as one at a rate with no p1 above it does.
 */
#define HORIZON (AN_MONITOR_SPAN + 1)

/*
 * Scratch for the solver, grown and reused: a design search solves the
 * chain dozens of times at sizes up to megabytes, and fresh zeroed pages
 * for each solve cost more than the solve. The analyzer is single-threaded
 * (the design memo below assumes it too); the buffers live until exit.
 */
static double *arl_u, *arl_b;
static size_t arl_u_cap, arl_b_cap;

static double *scratch(double **buf, size_t *cap, size_t n)
{
	if (n > *cap) {
		free(*buf);
		*buf = fg_xcalloc(n, sizeof(**buf));
		*cap = n;
	} else {
		memset(*buf, 0, n * sizeof(**buf));
	}
	return *buf;
}

/*
 * ARL from state 0 of the chain: state i in [0, h); a clean run (1 - p)
 * moves to max(i - s, 0), a failure (p) to i + r, absorbed at >= h. The
 * system f = 1 + P f is banded (s below the diagonal, r above), and an
 * M-matrix: elimination without pivoting keeps the band, O(h s r).
 */
double an_cusum_arl(int s, int r, int h, double p)
{
	double q = 1 - p, *u, *b, f0;
	size_t w = (size_t)s + (size_t)r + 1;

	if (s < 1 || r < 1 || h < 1 || p <= 0)
		return INFINITY;
	if (p >= 1)
		return (double)((h + r - 1) / r);
	/* row i holds the coefficients of f(i - s) .. f(i + r) */
	u = scratch(&arl_u, &arl_u_cap, (size_t)h * w);
	b = scratch(&arl_b, &arl_b_cap, (size_t)h);
#define AT(i, c) u[(size_t)(i) * w + (size_t)((c) - (i) + s)]
	for (int i = 0; i < h; i++) {
		b[i] = 1;
		AT(i, i) = 1;
		AT(i, i - s > 0 ? i - s : 0) -= q;
		if (i + r < h)
			AT(i, i + r) -= p;
	}
	for (int j = 0; j < h; j++) {
		double piv = AT(j, j);

		for (int i = j + 1; i < h && i <= j + s; i++) {
			double f = AT(i, j) / piv;

			if (f == 0)
				continue;
			for (int c = j; c < h && c <= j + r; c++)
				AT(i, c) -= f * AT(j, c);
			b[i] -= f * b[j];
		}
	}
	for (int i = h - 1; i >= 0; i--) {
		double x = b[i];

		for (int c = i + 1; c < h && c <= i + r; c++)
			x -= AT(i, c) * b[c];
		b[i] = x / AT(i, i);
	}
#undef AT
	f0 = b[0];
	return f0;
}

/* Run-length distribution: P(alarm within t runs) from state 0. */
double an_cusum_within(int s, int r, int h, double p, int t)
{
	double *d = fg_xcalloc((size_t)h + 1, sizeof(*d));
	double *e = fg_xcalloc((size_t)h + 1, sizeof(*e)), alarm = 0;

	d[0] = 1;
	for (int k = 0; k < t; k++) {
		double *swap;

		memset(e, 0, ((size_t)h + 1) * sizeof(*e));
		for (int i = 0; i < h; i++) {
			if (d[i] == 0)
				continue;
			e[i > s ? i - s : 0] += d[i] * (1 - p);
			if (i + r >= h)
				alarm += d[i] * p;
			else
				e[i + r] += d[i] * p;
		}
		swap = d;
		d = e;
		e = swap;
	}
	free(d);
	free(e);
	return alarm;
}

int an_cusum_median(int s, int r, int h, double p, int max)
{
	int lo = 1, hi = max;

	if (an_cusum_within(s, r, h, p, max) < 0.5)
		return -1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (an_cusum_within(s, r, h, p, mid) >= 0.5)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Integer scores for the ratio of the log-likelihood ratios of a failure
 * and a clean run: the smallest s (<= 8) with r = round(ratio x s) within
 * 3% of it (large ratios, a test that hardly fails: s = 1).
 */
static void scores(double ratio, int *s, int *r)
{
	for (*s = 1; *s <= 8; ++*s) {
		*r = (int)lround(ratio * *s);
		if (*r >= 1 && fabs(*r - ratio * *s) <= 0.03 * ratio * *s)
			return;
	}
	*s = 8;
	*r = (int)lround(ratio * 8);
	if (*r < 1)
		*r = 1;
}

/*
 * The smallest h with rate(h) <= target (rate falls as h grows), or 0 when
 * it is above r x HORIZON. Every h < lb is known to miss the target (a
 * bound the caller proves), so it is never evaluated. The search starts at
 * guess, the answer for the last design of the same scores (0: none; -1:
 * there was none below the horizon, which is most designs of a test that
 * fails often, and one evaluation at the horizon confirms it instead of a
 * dozen on the way up), which a fold's next design rarely moves by more
 * than a few units: galloping away from it, then bisecting, finds the
 * same h as a search from below (rate is monotonic, and each rate(h) is
 * computed the same way whichever h came before).
 */
static int smallest_h(const struct an_cusum *c, int from, int guess,
		      double (*rate)(const struct an_cusum *, int, void *),
		      void *ctx, double target, double lb)
{
	int max = c->r * HORIZON, lo = from, hi = max;

	if (lb > max || from > max)
		return 0;
	if (lo < lb)
		lo = (int)ceil(lb);
	if (guess < 0 && rate(c, max, ctx) > target)
		return 0; /* as the last search found: one evaluation */
	if (guess > lo && guess <= max) {
		if (rate(c, guess, ctx) > target) {
			lo = guess + 1;
		} else {
			/* the answer is <= guess: gallop down */
			hi = guess;
			for (int step = 1;; step *= 2) {
				int p = guess - step;

				if (p < lo)
					break;
				if (rate(c, p, ctx) > target) {
					lo = p + 1;
					break;
				}
				hi = p;
			}
			goto bisect;
		}
	}
	for (int step = 1;; step *= 2) {
		int p = lo + step - 1;

		if (p >= max) {
			if (rate(c, max, ctx) > target)
				return 0;
			break;
		}
		if (rate(c, p, ctx) <= target) {
			hi = p;
			break;
		}
		lo = p + 1;
	}
bisect:
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (rate(c, mid, ctx) <= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

/* The last answer by scores (s, r), -1: none; the next search's guess. */
static struct last_h {
	int s, r, h;
} last_plugin, last_post;

static int guess_of(const struct last_h *l, const struct an_cusum *c)
{
	return l->s == c->s && l->r == c->r ? l->h : 0;
}

static void remember(struct last_h *l, const struct an_cusum *c)
{
	*l = (struct last_h){ c->s, c->r, c->h > 0 ? c->h : -1 };
}

static double rate_at_p0(const struct an_cusum *c, int h, void *ctx)
{
	(void)ctx;
	return 1 / an_cusum_arl(c->s, c->r, h, c->p0);
}

/* p0, p1, the scores and the unit of a design; false: nothing above p0 */
static bool design_scores(double p0, double rise, struct an_cusum *c)
{
	double p1 = p0 + rise, up, down;

	memset(c, 0, sizeof(*c));
	c->p0 = p0;
	if (p1 > 0.999)
		p1 = 0.999;
	c->p1 = p1;
	if (p0 <= 0 || p1 <= p0 + 1e-9)
		return false;
	up = log(p1 / p0);
	down = log((1 - p0) / (1 - p1));
	scores(up / down, &c->s, &c->r);
	c->unit = down / c->s;
	return true;
}

/* h for the plug-in design of c (design_scores()), or 0 */
static int plugin_h(struct an_cusum *c, double arl0)
{
	c->h = smallest_h(c, 1, guess_of(&last_plugin, c), rate_at_p0, NULL,
			  1 / arl0, 0);
	remember(&last_plugin, c);
	return c->h;
}

bool an_cusum_design(double p0, double rise, double arl0,
		     struct an_cusum *c)
{
	return design_scores(p0, rise, c) && plugin_h(c, arl0) > 0;
}

/*
 * The design when p0 is only known through k failures in n runs: r from
 * the posterior mean, and the smallest h whose false-alarm rate averaged
 * over the Jeffreys posterior of p0 (G quantiles) is <= 1/arl0. A young
 * baseline (20 runs, 2 failures) could be a 5% test or a 25% one; the
 * average over both keeps it from alarming on the second.
 */
#define POST_GRID 14

/*
 * The posterior in POST_GRID slices of its probability: four quarters of
 * the lower half, then halving towards the upper tail (the alarm rate
 * grows fast with p, so the tail matters most); each slice is evaluated
 * at its middle quantile and weighed by its probability.
 */
static void post_grid(double *u, double *w)
{
	double lo = 0, width = 0.125;

	for (int j = 0; j < POST_GRID; j++) {
		if (j >= 4)
			width = (1 - lo) / 2;
		if (j == POST_GRID - 1)
			width = 1 - lo;
		u[j] = lo + width / 2;
		w[j] = width;
		lo += width;
	}
}

struct post {
	double pg[POST_GRID], w[POST_GRID];
};

static double mean_rate(const struct an_cusum *c, int h, void *ctx)
{
	const struct post *po = ctx;
	double s = 0;

	for (int j = 0; j < POST_GRID; j++)
		s += po->w[j] / an_cusum_arl(c->s, c->r, h, po->pg[j]);
	return s;
}

/*
 * Designs repeat: tests share baselines (0 of 200), and a test's fold
 * meets the same (k, n) run after run. A direct-mapped memo of the last
 * DESIGN_MEMO designs (the analyzer is single-threaded).
 */
#define DESIGN_MEMO 4096
static struct design_memo {
	unsigned long k, n;
	double rise, arl0;
	struct an_cusum c;
	bool used, ok;
} memo[DESIGN_MEMO];

static bool design_post(unsigned long k, unsigned long n, double rise,
			double arl0, struct an_cusum *c);

bool an_cusum_design_post(unsigned long k, unsigned long n, double rise,
			  double arl0, struct an_cusum *c)
{
	uint64_t hsh = (k * 0x9e3779b97f4a7c15ULL) ^ (n * 0xc2b2ae3d27d4eb4fULL);
	struct design_memo *e = &memo[(hsh ^ (hsh >> 29)) % DESIGN_MEMO];

	if (e->used && e->k == k && e->n == n && e->rise == rise &&
	    e->arl0 == arl0) {
		*c = e->c;
		return e->ok;
	}
	e->ok = design_post(k, n, rise, arl0, &e->c);
	e->k = k;
	e->n = n;
	e->rise = rise;
	e->arl0 = arl0;
	e->used = true;
	*c = e->c;
	return e->ok;
}

void an__cusum_forget(void)
{
	memset(memo, 0, sizeof(memo));
	memset(&last_plugin, 0, sizeof(last_plugin));
	memset(&last_post, 0, sizeof(last_post));
}

static bool design_post(unsigned long k, unsigned long n, double rise,
			double arl0, struct an_cusum *c)
{
	struct post po;
	double u[POST_GRID], up = 0, lb;

	if (!design_scores(an_jeffreys(k, n), rise, c))
		return false;
	post_grid(u, po.w);
	for (int j = 0; j < POST_GRID; j++) {
		double drift;

		po.pg[j] = an_beta_quantile((double)k + 0.5, (double)(n - k) + 0.5,
					    u[j]);
		drift = po.pg[j] * c->r - (1 - po.pg[j]) * c->s;
		if (drift > 0)
			up += po.w[j] * drift;
	}
	/*
	 * A lower bound on h. At a rate whose mean score d = p r - (1 - p) s
	 * is positive, the statistic is at least the unfloored walk, which
	 * ends within h - 1 + r: by Wald's identity ARL <= (h + r - 1) / d.
	 * So rate(h) >= sum of w d over those slices / (h + r - 1), and no h
	 * below up x arl0 - r + 1 can meet the target. A noisy baseline (a
	 * test failing half its runs) needs an h in the tens of thousands,
	 * and the bound puts the search there at once (less a part in 1e9
	 * for rounding). A bound past the horizon answers before the plug-in
	 * design is searched at all: most designs of a test that fails often.
	 */
	lb = up * arl0 * (1 - 1e-9) - c->r + 1;
	if (lb > (double)c->r * HORIZON || !plugin_h(c, arl0)) {
		c->h = 0;
		return false;
	}
	c->h = smallest_h(c, c->h, guess_of(&last_post, c), mean_rate, &po,
			  1 / arl0, lb);
	remember(&last_post, c);
	return c->h > 0;
}

/* ---------------------------------------------------------------------- */
/* The monitor                                                             */
/* ---------------------------------------------------------------------- */

double an_jeffreys(unsigned long k, unsigned long n)
{
	return ((double)k + 0.5) / ((double)n + 1);
}

void an_monitor_init(struct an_monitor *m)
{
	memset(m, 0, sizeof(*m));
}

/* Clean runs in a row that end a raised segment (>= 1). */
unsigned an_monitor_fix_runs(const struct an_monitor *m,
			     const struct an_monitor_cfg *c)
{
	double p = an_jeffreys(m->post_fails, m->post_last);
	double n;

	if (p >= 1)
		return 1;
	n = ceil(log(c->fix_alpha) / log1p(-p) - 1e-9);
	return n < 1 ? 1 : n > 1e6 ? 1000000u : (unsigned)n;
}

static enum an_mon_event raised_step(struct an_monitor *m,
				     const struct an_monitor_cfg *c,
				     bool failed, int64_t ref)
{
	m->post_runs++;
	if (failed) {
		m->post_fails++;
		m->post_last = m->post_runs;
		m->clean = 0;
		m->back += m->llr_fail;
		return AN_MON_NONE;
	}
	m->back += m->llr_pass;
	if (!m->clean++)
		m->clean_from = ref;
	if (m->clean >= an_monitor_fix_runs(m, c)) {
		/* clean for longer than the raised rate explains: fixed;
		 * the raised segment is dropped */
		m->raised = false;
		m->fixed_from = m->clean_from;
		m->since_fixed = 0;
		m->base_runs += m->clean;
		m->stat = 0;
		return AN_MON_FIXED;
	}
	if (m->back < log(1 / c->back_alpha))
		return AN_MON_NONE;
	/* The runs since favour the old rate: a false alarm, or a rise too
	 * small to matter. They join the baseline. */
	m->raised = false;
	m->cleared++;
	m->base_runs += m->post_runs;
	m->base_fails += m->post_fails;
	m->stat = 0;
	return AN_MON_CLEARED;
}

enum an_mon_event an_monitor_update(struct an_monitor *m,
				    const struct an_monitor_cfg *c,
				    bool failed, int64_t ref)
{
	m->runs++;
	m->last_in_base = false;
	if (m->raised)
		return raised_step(m, c, failed, ref);
	if (m->fixed_from) {
		if (failed)
			m->fixed_from = 0;
		else
			m->since_fixed++;
	}
	if (!m->stat && (m->base_runs < (unsigned)c->min_base || !failed)) {
		m->base_runs++;
		m->base_fails += failed;
		m->last_in_base = true;
		return AN_MON_NONE;
	}
	if (!failed) {
		m->stat = m->stat > (unsigned)m->s ? m->stat - (unsigned)m->s : 0;
		m->exc_runs++;
		if (!m->stat) { /* back in control: it was noise */
			m->base_runs += m->exc_runs;
			m->base_fails += m->exc_fails;
			m->exc_runs = m->exc_fails = 0;
		}
		return AN_MON_NONE;
	}
	if (!m->stat) {
		struct an_cusum d;
		bool ok = an_cusum_design_post(m->base_fails, m->base_runs,
					       c->rise, c->arl0, &d);

		if (!ok) {
			m->base_runs++; /* nothing to watch for at this rate */
			m->base_fails++;
			m->last_in_base = true;
			return AN_MON_NONE;
		}
		m->s = d.s;
		m->r = d.r;
		m->h = d.h;
		m->unit = d.unit;
		m->llr_pass = log((1 - d.p0) / (1 - d.p1));
		m->llr_fail = log(d.p0 / d.p1);
		m->exc_from = ref;
	}
	m->stat += (unsigned)m->r;
	m->exc_runs++;
	m->exc_fails++;
	if (m->stat < (unsigned)m->h)
		return AN_MON_NONE;
	m->raised = true;
	m->alarms++;
	m->back = 0;
	m->raised_from = m->exc_from;
	m->post_runs = m->exc_runs;
	m->post_fails = m->exc_fails;
	m->post_last = m->exc_runs;
	m->clean = 0;
	m->stat = 0;
	m->exc_runs = m->exc_fails = 0;
	m->fixed_from = 0;
	return AN_MON_ALARM;
}

double an_hard_chance(unsigned long base_fails, unsigned long base_runs,
		      int attempts)
{
	double c = 1;

	/* E[p^a] under Beta(k + 1/2, n - k + 1/2) */
	for (int i = 0; i < attempts; i++)
		c *= ((double)base_fails + 0.5 + i) /
		     ((double)base_runs + 1 + i);
	return c;
}
