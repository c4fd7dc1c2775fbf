/* SPDX-License-Identifier: MIT */
/*
 * analyzer/internal.h - what the analyzer's files share and nothing
 * outside analyzer/ may use.
 */
#ifndef FG_ANALYZER_INTERNAL_H
#define FG_ANALYZER_INTERNAL_H

#include "analyzer/analyzer.h"

/* analyzer/interference.c */
/* Frees what an_obs_company() gave the run. */
void an__obs_release(struct an_obs *o);
/* Interfered runs, failures alone and culprits over obs v[0..m). */
void an__interference(const struct an_test *t, const size_t *v, size_t m,
		      struct an_evidence *ev);
void an__interference_release(struct an_evidence *ev);
/* The rule: >= interference_runs interfered runs, more than alone fails. */
bool an__is_interference(const struct an_evidence *ev,
			 const struct an_policy *p);
/* The category's reason line, with the first culprits. */
void an__interference_reason(const struct an_test *t, char *buf, size_t n);

/* analyzer/monitor.c */
/* Forgets the designs found so far (the memo and the last answers that
 * guide the next search): a test's way to repeat a search from scratch. */
void an__cusum_forget(void);

#endif /* FG_ANALYZER_INTERNAL_H */
