/* SPDX-License-Identifier: MIT */
/*
 * analyzer/verdict.c - the exit code of a run, and the one-line reason.
 *
 * The promise: red means something real failed. A test that failed and
 * then passed on retry is flaky, not failed, unless --flaky-result fail.
 */
#include "analyzer/analyzer.h"

#include <string.h>

void an_verdict_counts(const struct fg_summary *sum,
			     const struct an_verdict_opts *opts,
			     struct an_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->real_failures = sum->failed;
	if (opts && opts->flaky_fails)
		v->real_failures += sum->flaky;
	if (v->real_failures) {
		v->exit_code = FG_EXIT_FAILED;
		snprintf(v->reason, sizeof(v->reason),
			 "%zu test%s failed%s", v->real_failures,
			 v->real_failures == 1 ? "" : "s",
			 opts && opts->flaky_fails && sum->flaky ?
				 " (flaky tests count as failures)" : "");
	} else if (sum->flaky) {
		v->exit_code = FG_EXIT_OK;
		snprintf(v->reason, sizeof(v->reason),
			 "no real failures; %zu flaky test%s passed on retry",
			 sum->flaky, sum->flaky == 1 ? "" : "s");
	} else {
		v->exit_code = FG_EXIT_OK;
		snprintf(v->reason, sizeof(v->reason), "all %zu tests passed%s",
			 sum->total - sum->skipped - sum->quarantined,
			 sum->skipped || sum->quarantined ?
				 " (some skipped or quarantined)" : "");
	}
}

void an_verdict(struct fg_run *run, const struct an_verdict_opts *opts,
		      struct an_verdict *v)
{
	struct fg_summary sum;
	char inc[200];
	size_t o;

	an_hints_apply(run);
	for (size_t i = 0; i < run->ntests; i++)
		/* A recorded quarantine decision stands (report, import). */
		if (run->tests[i].outcome != FG_O_QUARANTINED)
			fg_test_settle(&run->tests[i]);
	fg_run_summarize(run, &sum);
	an_verdict_counts(&sum, opts, v);
	an_incidents_describe(run, inc, sizeof(inc));
	o = strlen(v->reason);
	if (inc[0] && o < sizeof(v->reason))
		snprintf(v->reason + o, sizeof(v->reason) - o, "; %s", inc);
}
