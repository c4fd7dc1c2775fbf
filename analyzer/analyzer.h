/* SPDX-License-Identifier: MIT */
/*
 * analyzer/analyzer.h - from recorded results to decisions: the verdict of
 * a run (its exit code and why). Flakiness scoring, categories and the
 * quarantine policy grow here (see docs/ARCHITECTURE.md).
 *
 * The analyzer reads the core model and (later) the history store; it
 * never prints: reporters show what it decided.
 */
#ifndef FG_ANALYZER_H
#define FG_ANALYZER_H

#include "core/core.h"

struct analyzer_opts {
	bool flaky_fails;      /* --flaky-result fail: flaky tests fail the run */
};

struct analyzer_verdict {
	int exit_code;         /* FG_EXIT_OK or FG_EXIT_FAILED */
	size_t real_failures;  /* tests that count against the run */
	char reason[256];      /* one line: why this exit code */
};

/*
 * Settles every test's outcome (fg_test_settle) and decides the run's exit
 * code: 1 when a test failed (or, with flaky_fails, was flaky), else 0.
 * Interrupted runs and infrastructure errors are the caller's to overrule.
 */
void analyzer_verdict(struct fg_run *run, const struct analyzer_opts *opts,
		      struct analyzer_verdict *v);

#endif /* FG_ANALYZER_H */
