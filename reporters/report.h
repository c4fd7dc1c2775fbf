/* SPDX-License-Identifier: MIT */
/*
 * reporters/report.h - every way a run is shown: the terminal summary and
 * the JSON document (docs/json-format.md). All reporters are fed the same
 * model (struct fg_run plus the analyzer's verdict), so they never disagree
 * and never query the database.
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
};

/*
 * Prints the summary: one block per real failure (message, tail of output),
 * flaky tests with their attempts, the counts and the verdict.
 */
void report_term(FILE *out, const struct fg_run *run,
		 const struct analyzer_verdict *v,
		 const struct report_term_opts *opts);

/* One line per finished attempt, for progress on a non-TTY. */
void report_term_attempt(FILE *out, const struct fg_test *t,
			 const struct fg_attempt *a, bool color);

/*
 * Writes the run as JSON to path ("-": stdout). Returns FG_OK or FG_EIO
 * naming the path.
 */
int report_json_write(const char *path, const struct fg_run *run,
		      struct fg_error *err);

#endif /* FG_REPORT_H */
