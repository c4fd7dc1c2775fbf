/* SPDX-License-Identifier: MIT */
/*
 * history/history.h - the JUnit XML reader (libxml2, streaming) and the
 * history database (SQLite).
 *
 * history knows core only; it never includes runner/ (the `run` command in
 * cli/ wires the two). Both halves speak the core model (struct fg_run).
 */
#ifndef FG_HISTORY_H
#define FG_HISTORY_H

#include "core/core.h"

/* ====================================================================== */
/* JUnit XML reader                                                        */
/* ====================================================================== */

/* What one file yielded, for per-file reports and warnings. */
struct history_junit_stats {
	size_t cases;     /* <testcase> elements read */
	size_t tests;     /* tests added to the run (retries fold into one) */
	size_t warnings;  /* repairs and oddities reported through fg_log */
	bool partial;     /* the file was damaged: some cases may be missing */
};

/*
 * Reads the JUnit XML file at `path` with libxml2's streaming reader (never
 * a DOM; no DTD, no entities, no network) and appends its test cases to
 * `run`: one struct fg_test per distinct (suite, classname, name), each
 * <testcase> (and each flakyFailure/rerunFailure retry element) one attempt.
 * Suite names come from the enclosing <testsuite name>; `suite_fallback`
 * (may be NULL) is used when the file names none, and when non-NULL it is
 * also used as the suite of every test so that a configured suite's tests
 * stay grouped under the configured name. Tests are settled
 * (fg_test_settle) before return.
 *
 * Recoverable damage is repaired with a warning (fg_log, naming
 * "path:line") and stats->partial set when cases may have been lost.
 * Returns FG_OK, FG_EIO (cannot open/read) or FG_EXML (nothing usable:
 * not XML, not JUnit) with "path:line:column: reason" in err; tests read
 * before a fatal error stay in the run (stats->partial is set).
 */
int history_junit_read(const char *path, const char *suite_fallback,
		       struct fg_run *run, struct history_junit_stats *stats,
		       struct fg_error *err);

/* ====================================================================== */
/* History database                                                        */
/* ====================================================================== */

struct history_store; /* opaque */

/*
 * Opens (creating it and its parent directory if needed) the database at
 * path: WAL, busy_timeout, foreign keys, schema migrated forward to the
 * current PRAGMA user_version. A file that is not a flakeguard/SQLite
 * database gets FG_EDB with a clear message and is never modified.
 * On success *out is a new store that history_store_close() frees.
 */
int history_store_open(const char *path, struct history_store **out,
		       struct fg_error *err);
void history_store_close(struct history_store *st); /* NULL is fine */

/*
 * Writes the run, its tests and every attempt in one transaction and sets
 * run->id. On failure nothing of the run is stored (FG_EDB).
 */
int history_store_write_run(struct history_store *st, struct fg_run *run,
			    struct fg_error *err);

#endif /* FG_HISTORY_H */
