/* SPDX-License-Identifier: MIT */
/*
 * analyzer/stats.c - the few statistics the analyzer needs, in plain C:
 * Wilson score intervals, the regularised incomplete beta function (for
 * Beta/Jeffreys posteriors), Bernoulli log-likelihoods (change points) and
 * Wald's sequential probability ratio test (release from quarantine).
 *
 * Worked numbers (tests/unit/test_analyzer.c checks them): Wilson 1/20 is
 * [0.9%, 23.6%]; the SPRT at p0 0.1%, p1 5%, alpha = beta = 5% releases
 * after 59 clean runs, and one failure (-3.91) outweighs 78 passes.
 * docs/analyzer.md derives each formula.
 */
#include "analyzer/analyzer.h"

#include <math.h>
#include <stdio.h>

#define Z95 1.959963984540054

void an_wilson(unsigned long k, unsigned long n, struct an_interval *out)
{
	double z2 = Z95 * Z95, nn = (double)n, kk = (double)k;
	double center, half;

	if (!n) {
		*out = (struct an_interval){ 0, 0, 1 };
		return;
	}
	center = (kk + z2 / 2) / (nn + z2);
	half = Z95 / (nn + z2) * sqrt(kk * (nn - kk) / nn + z2 / 4);
	out->p = kk / nn;
	out->lo = k == 0 ? 0 : center - half;
	out->hi = k == n ? 1 : center + half;
}

/* Lentz's continued fraction for I_x(a, b) (Numerical Recipes betacf). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-14;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = fabs(d) < tiny ? tiny : d;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = fabs(d) < tiny ? tiny : d;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double an_beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/*
 * Newton's method on I_x(a, b) - q inside a bracket that only shrinks (a
 * step leaving it is a halving instead): about 8 evaluations where
 * plain halving took 60, and a design (analyzer/monitor.c) asks for 14
 * quantiles.
 */
double an_beta_quantile(double a, double b, double q)
{
	double lo = 0, hi = 1, x = a / (a + b);
	double lnb = lgamma(a) + lgamma(b) - lgamma(a + b);

	for (int i = 0; i < 100 && hi - lo > 1e-15; i++) {
		double f = an_beta_inc(a, b, x) - q, pdf, next;

		if (f < 0)
			lo = x;
		else
			hi = x;
		pdf = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - lnb);
		next = pdf > 0 && isfinite(pdf) ? x - f / pdf : -1;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - x) <= 1e-15 * x)
			return next;
		x = next;
	}
	return x;
}

double an_prob_above(unsigned long k, unsigned long n, double theta)
{
	return 1 - an_beta_inc(0.5 + (double)k, 0.5 + (double)(n - k), theta);
}

static double log_choose(unsigned long n, unsigned long k)
{
	return lgamma((double)n + 1) - lgamma((double)k + 1) -
	       lgamma((double)(n - k) + 1);
}

double an_hyper_tail(unsigned long x, unsigned long drawn,
		     unsigned long failures, unsigned long total)
{
	unsigned long hi = failures < drawn ? failures : drawn;
	double all, sum = 0;

	if (failures > total || drawn > total)
		return 1;
	/* at least x - (total - drawn) of the failures must be drawn */
	if (x == 0 || (total - drawn < failures &&
		       x <= failures - (total - drawn)))
		return 1;
	if (x > hi)
		return 0;
	all = log_choose(total, drawn);
	for (unsigned long i = x; i <= hi; i++) {
		if (drawn - i > total - failures)
			continue;
		sum += exp(log_choose(failures, i) +
			   log_choose(total - failures, drawn - i) - all);
	}
	return sum > 1 ? 1 : sum;
}

double an_bern_ll(unsigned long k, unsigned long n)
{
	double p, ll = 0;

	if (!n || !k || k == n)
		return 0;
	p = (double)k / (double)n;
	ll = (double)k * log(p) + (double)(n - k) * log1p(-p);
	return ll;
}

char *an_format_p(char *buf, size_t size, const struct an_interval *iv,
		  unsigned long n)
{
	snprintf(buf, size, "p = %.1f%% [%.1f%%, %.1f%%], n = %lu",
		 100 * iv->p, 100 * iv->lo, 100 * iv->hi, n);
	return buf;
}

double an_sprt_pass(const struct an_sprt *s)
{
	return log((1 - s->p0) / (1 - s->p1));
}

double an_sprt_fail(const struct an_sprt *s)
{
	return log(s->p0 / s->p1);
}

double an_sprt_upper(const struct an_sprt *s)
{
	return log((1 - s->beta) / s->alpha);
}

double an_sprt_lower(const struct an_sprt *s)
{
	return log(s->beta / (1 - s->alpha));
}

int an_sprt_clean_runs(const struct an_sprt *s, double from)
{
	double need = an_sprt_upper(s) - from;

	return need <= 0 ? 0 : (int)ceil(need / an_sprt_pass(s) - 1e-9);
}
