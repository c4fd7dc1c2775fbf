/* SPDX-License-Identifier: MIT */
/*
 * bench/monitor-bound.c - what the rate monitor can do at best for issue
 * 12's T2 cases (a known-flaky test whose rate rises by 20 points or
 * more): for p0 known exactly, the CUSUM designed for the rise at a given
 * ARL0 per test, and its exact chance of an alarm within 15 runs at the
 * raised rate (an_cusum_within, the Markov chain), with the median and
 * mean delay. Build after `make`:
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -I. bench/monitor-bound.c \
 *      $(find build/analyzer build/core build/history -name '*.o') \
 *      $(pkg-config --libs jansson libxml-2.0 sqlite3 libuv libpq) -lm \
 *      -o /tmp/monitor-bound && /tmp/monitor-bound

 */
#include "analyzer/analyzer.h"

#include <math.h>
#include <stdio.h>

int main(void)
{
	static const double cases[][2] = { { 0.02, 0.25 }, { 0.02, 0.35 },
					   { 0.05, 0.30 }, { 0.05, 0.45 },
					   { 0.10, 0.35 }, { 0.10, 0.50 } };
	/* 500 x 55 tests (the simulation), and 100 x 55 (T4's 1%) */
	static const double arl0s[] = { 27500, 5500 };

	for (int a = 0; a < 2; a++) {
		double all = 1;

		for (int i = 0; i < 6; i++) {
			double p0 = cases[i][0], p1 = cases[i][1], w;
			struct an_cusum c;

			if (!an_cusum_design(p0, 0.2, arl0s[a], &c))
				return 1;
			w = an_cusum_within(c.s, c.r, c.h, p1, 15);
			all *= w;
			printf("ARL0 %5.0f  %2.0f%% -> %2.0f%%: s %d, r %2d, h %2d;"
			       " within 15 runs %.2f, median %d, mean %.1f\n",
			       arl0s[a], p0 * 100, p1 * 100, c.s, c.r, c.h, w,
			       an_cusum_median(c.s, c.r, c.h, p1, 2000),
			       an_cusum_arl(c.s, c.r, c.h, p1));
		}
		printf("ARL0 %5.0f  all six within 15 runs: %.4f\n", arl0s[a],
		       all);
	}
	return 0;
}
