/* SPDX-License-Identifier: MIT */
/*
 * cli/json.h - the JSON documents of the commands other than `run`, built
 * in one place (cli/json.c), as `run`'s is in reporters/json.c.
 *
 * Each writer prints one document (indented, a newline after it) to out;
 * it returns 0, or -1 when out could not take it. Fields are only ever
 * added, never renamed: CI scripts parse them (docs/json-format.md,
 * `--help` of each command). A run as one JSON line (export, spool,
 * import-history) is cli/runline.c's, which also reads it back.
 */
#ifndef FG_CLI_JSON_H
#define FG_CLI_JSON_H

#include "analyzer/analyzer.h"
#include "cli/cli.h"

#include <stdio.h>

/* `analyze --json`: one test's row of the ranking. */
struct cli_analysis_row {
	struct an_test t;            /* evidence (observations freed) */
	const struct history_quarantine *q; /* its active entry, or NULL */
	struct an_decision dec;      /* the policy's change, if any */
	int64_t last_fail_ms;        /* 0: never failed in the window */
	char *last_fail_commit;      /* owned by the row; may be NULL */
};

/* `analyze --json`; bt NULL: without --backtest. */
int cli_json_analysis(FILE *out, const struct cli_analysis_row *rows,
		      size_t n, size_t tests, size_t quarantined, bool dry_run,
		      const struct an_backtest *bt);

/* `history --json`: one run's attempts of the test, newest first. */
struct cli_run_slice {
	const struct history_attempt_rec *first; /* newest attempt */
	size_t n;
};

/* `history --json`: the test and its runs r[0..n) (newest first). */
int cli_json_history(FILE *out, const struct history_test_id *id,
		     const struct cli_run_slice *r, size_t n);

/* `list --json`: the plan (a plan file for `run --plan`). */
int cli_json_plan(FILE *out, const struct fg_config *cfg,
		  const struct runner_plan *plan, int shards);

/* `quarantine list --json`: the entries, with their evidence. */
int cli_json_quarantine(FILE *out, const struct history_quarantine_list *l);

#endif /* FG_CLI_JSON_H */
