/* SPDX-License-Identifier: MIT */
/*
 * reporters/report.h - every way a run is shown: the terminal summary, the
 * JSON document (docs/json-format.md), merged JUnit XML, Markdown for PR
 * comments and GitHub, and a self-contained HTML page (docs/reports.md).
 * All reporters are fed the same model (struct fg_run plus the analyzer's
 * verdict), so they never disagree and never query the database.
 *
 * The file reporters never print; report_github_annotations() writes to
 * the stream the caller hands it (cli/ passes stdout).
 */
#ifndef FG_REPORT_H
#define FG_REPORT_H

#include "analyzer/analyzer.h"
#include "core/core.h"

/* --color=auto|always|never for stream f, honouring NO_COLOR. -1: bad mode. */
int report_color_choose(const char *mode, FILE *f);

struct report_term_opts {
	bool color;
	int tail_lines;   /* lines of output shown per failure; default 20 */
	/*
	 * In a CI that folds output, each failure's whole kept output also
	 * follows in a collapsed section (the tail stays visible). NULL:
	 * no CI.
	 */
	const struct fg_ci *ci;
};

/*
 * Prints the summary: one block per real failure (message, tail of output),
 * flaky tests with their attempts, the counts and the verdict.
 */
void report_term(FILE *out, const struct fg_run *run,
		 const struct an_verdict *v,
		 const struct report_term_opts *opts);

/*
 * The "N tests missing since run #R" section (run->missing), or nothing.
 * report_term() prints it; `run -q` on a green run prints it alone.
 */
#define REPORT_MISSING_SHOWN 50
void report_term_missing(FILE *out, const struct fg_run *run, bool color);

/* One line per finished attempt, for progress on a non-TTY. */
void report_term_attempt(FILE *out, const struct fg_test *t,
			 const struct fg_attempt *a, bool color);

/*
 * Writes the run as JSON to path ("-": stdout). Returns FG_OK or FG_EIO
 * naming the path.
 */
int report_json_write(const char *path, const struct fg_run *run,
		      struct fg_error *err);

/* ---------------------------------------------------------------------- */
/* JUnit XML (reporters/junit_out.c)                                       */
/* ---------------------------------------------------------------------- */

enum report_junit_profile {
	REPORT_JUNIT_SUREFIRE = 0, /* flakyFailure/rerunFailure (default) */
	REPORT_JUNIT_ATTEMPTS = 1, /* every attempt its own <testcase> */
	REPORT_JUNIT_PLAIN = 2,    /* the final status only */
};

/* "surefire" (also NULL or ""), "attempts", "plain"; -1 if unknown. */
int report_junit_profile_parse(const char *s);

/*
 * Writes the run as one JUnit XML file (docs/reports.md describes the
 * elements). Returns FG_OK or FG_EIO naming the path.
 */
int report_junit_write(const char *path, const struct fg_run *run,
		       enum report_junit_profile profile, struct fg_error *err);

/* ---------------------------------------------------------------------- */
/* Markdown and GitHub Actions (reporters/markdown.c)                      */
/* ---------------------------------------------------------------------- */

/*
 * Returns the compact Markdown summary (verdict, counts, failures with the
 * tail of their output in <details>, flaky tests). It stays under the
 * 1 MiB GitHub step-summary limit: past REPORT_MARKDOWN_MAX bytes the
 * lists are cut with a note. Caller frees.
 */
#define REPORT_MARKDOWN_MAX (512 * 1024)
char *report_markdown(const struct fg_run *run,
		      const struct an_verdict *v);

/* Writes report_markdown() to path ("-": stdout); append adds to the end. */
int report_markdown_write(const char *path, bool append,
			  const struct fg_run *run,
			  const struct an_verdict *v,
			  struct fg_error *err);

/*
 * Prints one GitHub Actions workflow command per real failure (at most
 * REPORT_ANNOTATIONS_MAX; GitHub shows only the first few per step):
 * "::error file=F,line=N,title=T::message" with the values escaped as the
 * runner expects (%25, %0D, %0A, and %3A/%2C in properties).
 */
#define REPORT_ANNOTATIONS_MAX 50
void report_github_annotations(FILE *out, const struct fg_run *run);

/* ---------------------------------------------------------------------- */
/* HTML (reporters/html.c)                                                 */
/* ---------------------------------------------------------------------- */

/*
 * Per-test extras the analyzer will provide (recent history strip, rate
 * and its interval). The HTML reporter asks this hook for every flaky or
 * failed test; with no hook (NULL) those columns are left out.
 * `strip` is outcome letters, oldest first ("PPFPF": P passed, F failed,
 * K flaky, S skipped, Q quarantined); `rate_lo..rate_hi` the interval.
 */
struct report_test_extra {
	const char *strip;        /* borrowed until the next call, or NULL */
	double rate, rate_lo, rate_hi; /* < 0: unknown */
};
struct report_html_opts {
	const char *title;        /* NULL: "flakeguard report" */
	/* The quarantine list to show in full (reason, owner, dates), or NULL */
	const struct history_quarantine_list *quarantine;
	/* Recent runs, oldest first, for the duration trend (may be NULL) */
	const struct history_run_brief *recent;
	size_t nrecent;
	bool (*extra)(void *ctx, const struct fg_test *t,
		      struct report_test_extra *out);
	void *extra_ctx;
};

/* Writes the self-contained HTML report. FG_OK or FG_EIO naming path. */
int report_html_write(const char *path, const struct fg_run *run,
		      const struct an_verdict *v,
		      const struct report_html_opts *opts,
		      struct fg_error *err);

/* ---------------------------------------------------------------------- */
/* All at once (the run and report commands)                               */
/* ---------------------------------------------------------------------- */

struct report_outputs {
	const char *json, *junit, *junit_profile, *html, *markdown;
	/* Active quarantine entries, for the HTML list; NULL: none shown */
	const struct history_quarantine_list *quarantine;
	/* Recent runs (oldest first) for the HTML duration trend, or NULL */
	const struct history_run_brief *recent;
	size_t nrecent;
	bool github; /* annotations on stdout + append to $GITHUB_STEP_SUMMARY */
};

/*
 * Writes every requested report (NULL paths are skipped): json, junit (with
 * junit_profile, NULL = surefire), html, markdown; with o->github also the
 * workflow annotations (stdout) and the Markdown appended to the file
 * named by GITHUB_STEP_SUMMARY when that is set. Tries them all; returns
 * the first error (FG_EINVAL for an unknown profile, FG_EIO).
 */
int report_write_all(const struct report_outputs *o, const struct fg_run *run,
		     const struct an_verdict *v, struct fg_error *err);

#endif /* FG_REPORT_H */
