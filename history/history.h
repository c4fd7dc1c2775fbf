/* SPDX-License-Identifier: MIT */
/*
 * history/history.h - the JUnit XML reader (libxml2, streaming), the TAP
 * reader and the history database (a SQLite file, or a PostgreSQL
 * database shared by many pipelines).
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
 * Test cases of one identity in the file are attempts of one test, with
 * a warning; names longer than 64 KiB keep a hash of the part cut
 * (docs/json-format.md), so distinct names never become one test.
 * Returns FG_OK, FG_EIO (cannot open/read) or FG_EXML (nothing usable:
 * not XML, not JUnit) with "path:line:column: reason" in err; tests read
 * before a fatal error stay in the run (stats->partial is set).
 */
int history_junit_read(const char *path, const char *suite_fallback,
		       struct fg_run *run, struct history_junit_stats *stats,
		       struct fg_error *err);

/*
 * Where history_junit_stream() hands tests. test() gets each test settled
 * (fg_test_settle) and borrowed until it returns; a test that comes again
 * later in the file (a rerun in another testsuite) comes again with only
 * its new attempts, numbered from 1, to be appended to what it had.
 * rewind() means: forget every test handed on from this file, it is read
 * again (a damaged file's second pass). A non-zero return from either
 * stops the read, and history_junit_stream() returns that value (err is
 * left alone then).
 */
struct history_junit_sink {
	int (*test)(void *ctx, struct fg_test *t);
	int (*rewind)(void *ctx);
	void *ctx;
};

/*
 * history_junit_read() with flat memory: the same reader, the same
 * results, but tests go to `sink` as soon as nothing later in the file can
 * change them (at the latest when their outermost <testsuite> ends), so
 * memory does not grow with the file (but for up to 16 bytes per test
 * handed on, 16 MiB at most, to recognise a test met again after it went:
 * it is warned about as history_junit_read() does). stats->tests counts
 * tests handed on (a test handed on twice counts twice).
 */
int history_junit_stream(const char *path, const char *suite_fallback,
			 const struct history_junit_sink *sink,
			 struct history_junit_stats *stats,
			 struct fg_error *err);

/* ====================================================================== */
/* TAP reader (history/tap.c)                                              */
/* ====================================================================== */

/*
 * The Test Anything Protocol, versions 12, 13 and 14, read incrementally
 * from bytes in any chunking (a pipe, a file), with bounded memory, into
 * the same sink as history_junit_stream(). docs/internals/readers.md has
 * the rules in full; in short:
 *
 *   - `ok` / `not ok` [number] [-] [description] [# SKIP|TODO reason]:
 *     one test (suite: the reader's, classname: "" or the subtest path,
 *     name: the description, or "#N" without one), one attempt: passed,
 *     failed, skipped, xfailed (`not ok # TODO`) or xpassed (`ok # TODO`);
 *     durations are 0 unless a YAML block gives duration_ms;
 *   - the lines after a test point until the next TAP line (comments with
 *     their "# " dropped, anything that is not TAP) are its output; a
 *     failed test's message is its YAML `message:` (else the whole YAML
 *     block), else its first comment line; a skip's or todo's, the reason;
 *   - a YAML block (`---` .. `...`, indented 2 more than its test point)
 *     is the test's diagnostics; subtests (TAP 14, indented by 4 per
 *     level, named by `# Subtest: name`) are tests whose classname is the
 *     path of subtest names joined by '/';
 *   - `1..N` first or last; `1..0 # SKIP why` (or any 1..0) makes the
 *     stream one skipped test named after the suite; planned tests that
 *     never came are error tests "#N" ("planned but never reported");
 *   - `Bail out! reason` is an error test "[suite-error]", and every
 *     planned test not yet reported is an error test;
 *   - a description met twice at one level gets " #K" appended (K: its
 *     position at the level; a warning): TAP test points are distinct
 *     tests however they are described.
 *
 * Tests go to sink->test() settled, each exactly once, borrowed until it
 * returns; a test is handed on when the next TAP line shows it is
 * complete, or at finish. sink->rewind() is never called (one pass). A
 * non-zero return from sink->test() is returned by every later feed()
 * and by finish(), and nothing more is handed on.
 *
 * Memory: lines are cut at 64 KiB (the rest is counted, and a cut
 * description keeps a hash of the cut part, as JUnit names do), output at
 * 64 KiB per test (head and tail), a YAML block at 64 KiB; with the sets
 * of test numbers (a bitmap of at most 128 KiB per subtest level, 16
 * levels) and of names (16 bytes a test, 16 MiB at most), a reader never
 * holds more than about 20 MiB, and about 0.5 MiB for typical streams.
 *
 * Garbage: every byte sequence is accepted. Invalid UTF-8 becomes U+FFFD
 * and control characters "\xNN" (as in JUnit); lines that are not TAP
 * are output; warnings (fg_log, "label:line: ...", at most 3 per kind
 * then a count) name what was odd. history_tap_finish() returns FG_ETAP
 * with "label:line: reason" when the stream held no TAP at all, or when
 * it was malformed (planned tests missing without a bail out, more tests
 * than planned, a second plan, a test after a closing plan); the tests
 * read are handed on all the same, and stats->partial says that some may
 * be missing.
 */
struct history_tap;

struct history_tap_stats {
	size_t points;    /* test points read (ok / not ok), subtests too */
	size_t tests;     /* tests handed to the sink, synthetic ones too */
	size_t warnings;  /* oddities reported through fg_log */
	bool bailed;      /* the stream said Bail out! */
	bool partial;     /* tests may be missing (bail out, short plan) */
};

/*
 * A reader for one TAP stream. `suite` is every test's suite (required);
 * `label` names the stream in messages ("path", "uv: stdout"). Both are
 * copied; sink is copied too, its ctx borrowed until history_tap_free().
 * Never NULL.
 */
struct history_tap *history_tap_new(const char *suite, const char *label,
				    const struct history_junit_sink *sink);
/* Reads the next len bytes of the stream: FG_OK, or the sink's value. */
int history_tap_feed(struct history_tap *tap, const void *bytes, size_t len);
/*
 * The end of the stream: hands on what is left (and the synthetic tests)
 * and fills `stats` (may be NULL). FG_OK, FG_ETAP (see above, err says
 * why) or the sink's value. Only history_tap_free() may follow.
 */
int history_tap_finish(struct history_tap *tap,
		       struct history_tap_stats *stats, struct fg_error *err);
void history_tap_free(struct history_tap *tap); /* NULL is fine */

/*
 * new + feed + finish + free over the file at path (a regular file: a
 * FIFO or a directory is FG_EIO, as for JUnit), label = path. FG_EIO
 * when it cannot be read, else as history_tap_finish().
 */
int history_tap_read_file(const char *path, const char *suite,
			  const struct history_junit_sink *sink,
			  struct history_tap_stats *stats,
			  struct fg_error *err);

/* ====================================================================== */
/* History database                                                        */
/* ====================================================================== */

/*
 * One interface, two backends. `where` is either the path of a SQLite file
 * (the default, .flakeguard/history.db) or a PostgreSQL database given as a
 * libpq URL, "postgresql://[user@]host[:port]/dbname[?param=value...]"
 * ("postgres://" too): one history that many pipelines write at once. Every
 * function below behaves the same on both unless it says otherwise: the
 * same schema and version numbers, the same migrations, the same results
 * (docs/internals/history-schema.md). On PostgreSQL the history lives in
 * the connection's current schema (the first of search_path, e.g.
 * "?options=-csearch_path%3Dteam_a"), created when missing.
 */
struct history_store; /* opaque */

/* Whether `where` names a PostgreSQL database rather than a SQLite file. */
bool history_store_is_url(const char *where);
/* Whether `where` is a URL that carries a password (user:pw@ or password=). */
bool history_store_url_has_password(const char *where);
/*
 * `where` fit to print: a path as it is, a URL without its password (the
 * ":pw" of its userinfo and any password= parameter). Caller frees.
 */
char *history_store_label(const char *where);

/*
 * Called while a write waits for another writer's lock (SQLite's write
 * lock): about once a second with the time waited so far, then once with
 * done set when the wait is over (got the lock or gave up). Runs inside the
 * store call, on the caller's thread; it must not use the store.
 */
typedef void (*history_wait_fn)(void *ctx, int64_t waited_ms, bool done);

enum history_open_mode {
	HISTORY_OPEN_CREATE,   /* create and migrate as needed */
	HISTORY_OPEN_EXISTING, /* no history there is an error; may migrate */
	HISTORY_OPEN_READONLY, /* existing, never created, migrated or written */
};

/* How long a write waits for another writer by default: 5 minutes. */
#define HISTORY_LOCK_TIMEOUT_MS (5 * 60 * 1000)

struct history_open_opts {
	enum history_open_mode mode;
	/*
	 * EXISTING and READONLY: when there is no history at `where` (no
	 * file; on PostgreSQL no flakeguard tables in the schema), return
	 * FG_OK with *out NULL instead of FG_EDB.
	 */
	bool missing_ok;
	/*
	 * How long a write waits for another writer's lock before it fails
	 * with FG_EDBUNAVAIL; 0 means HISTORY_LOCK_TIMEOUT_MS. On SQLite that
	 * is the database's one write lock; on PostgreSQL, writers do not
	 * exclude each other, and this bounds any single row or table lock
	 * wait (lock_timeout).
	 */
	int64_t lock_timeout_ms;
	history_wait_fn waiting; /* may be NULL */
	void *waiting_ctx;
};

/*
 * Opens the history at `where` as `o` says (NULL: HISTORY_OPEN_CREATE and
 * the defaults) and on success sets *out to a new store that
 * history_store_close() frees.
 *
 * SQLite (CREATE): the file and its parent directories are created if
 * needed; WAL, foreign keys; the schema migrated forward. A file that is
 * not a flakeguard/SQLite database gets FG_EDB and is never modified.
 * PostgreSQL: libpq connects (connect_timeout 10 s unless the URL or
 * PGCONNECT_TIMEOUT says otherwise; PGPASSWORD, ~/.pgpass and the other
 * PG* variables apply); the schema is created and migrated forward under
 * an advisory lock, so that pipelines starting at once migrate it once. A
 * schema holding tables of ours without our version table is refused.
 *
 * Errors name `where` as history_store_label() prints it, never a
 * password: FG_EDBUNAVAIL when the database cannot be reached or written
 * now (server down, login refused, locked, read-only, disk full), FG_EDB
 * otherwise (not ours, damaged, a newer schema: "created by a newer
 * flakeguard"), FG_EINVAL for a URL libpq cannot parse.
 */
int history_store_open_with(const char *where,
			    const struct history_open_opts *o,
			    struct history_store **out, struct fg_error *err);
/* history_store_open_with(where, NULL, ...). */
int history_store_open(const char *where, struct history_store **out,
		       struct fg_error *err);
/*
 * Opens an existing database for reading only (a CI artifact, a read-only
 * mount): nothing is created, configured or migrated; a database of an
 * older schema is FG_EDB with what to do. Writing through it fails.
 */
int history_store_open_readonly(const char *where, struct history_store **out,
				struct fg_error *err);
void history_store_close(struct history_store *st); /* NULL is fine */
/* What the store was opened on, fit to print (history_store_label()). */
const char *history_store_name(const struct history_store *st);
/* "sqlite" or "postgresql". */
const char *history_store_backend(const struct history_store *st);

/*
 * A change to the quarantine table decided from what the database held
 * earlier (an analysis), applied only if it still makes sense: the check
 * and the change are atomic with respect to every other flakeguard
 * writing the same database, so two pipelines that decide the same thing
 * at once never both make it.
 */
struct history_quarantine; /* below */

enum history_qop {
	HISTORY_Q_ENTER,   /* enter, unless the test has an active entry */
	HISTORY_Q_REPLACE, /* enter, ending any active entry ("replaced") */
	HISTORY_Q_END,     /* end the active entry if it is the one expected */
};

struct history_quarantine_change {
	enum history_qop op;
	/*
	 * ENTER, REPLACE: the new entry (since_ms 0: now; source NULL
	 * "manual"; mode NULL "run"; a reason is required). END: the test
	 * (suite, classname, name) and the since_ms of the entry to end, as
	 * the decision saw it (0: whichever entry is active).
	 */
	const struct history_quarantine *q;
	int64_t when_ms;  /* END: the release time (0: now) */
	const char *why;  /* END: released_reason (NULL: "removed") */
	bool applied;     /* out: made; false: already made by another
			     writer, or the entry changed since */
};

/*
 * Writes the run, its tests and every attempt, and applies `qc` (may be
 * NULL when nqc is 0), all in one transaction, and sets run->id. A run
 * without a uuid gets a new random one (run->uuid, owned by the run); a
 * uuid already in the database is FG_EDB. On failure nothing of the run
 * and none of the changes is stored, run->id stays 0, and the status is
 * FG_EDBUNAVAIL or FG_EDB as for history_store_open_with().
 * The tests of a run must have distinct identities (suite, classname,
 * name); a duplicate is FG_EDB naming it. Tests are stored with the outcome
 * and duration_ms they carry (settle them first).
 * SQLite: the write takes the database's write lock (BEGIN IMMEDIATE); a
 * concurrent writer waits up to the lock timeout, calling the open
 * options' waiting() meanwhile, then fails with FG_EDBUNAVAIL.
 * PostgreSQL: writers run side by side; a transaction that deadlocks or
 * loses a race with `gc` is retried (a few times) from the start.
 */
int history_store_record_run(struct history_store *st, struct fg_run *run,
			     struct history_quarantine_change *qc, size_t nqc,
			     struct fg_error *err);
/* history_store_record_run() without quarantine changes. */
int history_store_write_run(struct history_store *st, struct fg_run *run,
			    struct fg_error *err);

/*
 * Writing a run test by test (`import` of big files, with flat memory):
 *
 *   history_store_run_begin()     a new staged run (run->uuid set when
 *                                 NULL); the database is not touched
 *   history_store_run_add_test()  per test (settled), as they come
 *   history_store_run_mark()      optional: a point to rewind to
 *   history_store_run_rewind()    drops what was added since the mark
 *   history_store_run_end()       commit: the staged run is written as
 *                                 history_store_write_run() writes one,
 *                                 with duration_ms, exit_code and
 *                                 interrupted from `run`; sets run->id.
 *                                 Or, without commit, dropped.
 *
 * Tests are staged in a private temporary SQLite database (in TMPDIR) with
 * a bounded page cache, so memory stays flat however big the run, and the
 * history database is written in one short transaction at the end: the
 * write lock is not held while the caller parses. Nothing of the run is
 * visible to others before the commit; an error anywhere (or a crash)
 * leaves nothing of it. After an error of add_test/mark/rewind the caller
 * must still call _end (commit false). One run at a time per store.
 * With `merge`, a test that the run already has (same identity) gets t's
 * attempts appended (renumbered after the staged ones) and its outcome
 * re-settled as fg_test_settle() would over all attempts; without, it is
 * FG_EDB, as in history_store_write_run(). Attempts are stored with the
 * number they carry (merge: renumbered). history_store_run_summary() gives
 * the outcomes of the run's tests so far (after merging) in `sum`, and in
 * `part` those of the tests written since the mark as their attempts since
 * the mark alone settle (one file's own counts). Either may be NULL.
 * Staging failures (TMPDIR full) are FG_EIO; _end's are those of
 * history_store_write_run().
 */
int history_store_run_begin(struct history_store *st, struct fg_run *run,
			    bool merge, struct fg_error *err);
int history_store_run_add_test(struct history_store *st,
			       const struct fg_test *t, struct fg_error *err);
int history_store_run_mark(struct history_store *st, struct fg_error *err);
int history_store_run_rewind(struct history_store *st, struct fg_error *err);
void history_store_run_summary(const struct history_store *st,
			       struct fg_summary *sum, struct fg_summary *part);
int history_store_run_end(struct history_store *st, struct fg_run *run,
			  bool commit, struct fg_error *err);

/*
 * A streamed run analysed before its commit (`import`, as `run` judges its
 * run), between the last _add_test and the end:
 *
 *   history_store_run_each()         hands each staged test to fn, in
 *                                    the order first staged, with its
 *                                    settled outcome and every attempt
 *                                    (borrowed until fn returns); fn's
 *                                    non-zero value stops it and is
 *                                    returned. Nothing may be staged or
 *                                    changed meanwhile.
 *   history_store_run_set_outcome()  the outcome a staged test (found by
 *                                    t's identity) is written with, e.g.
 *                                    the analyzer's FG_O_QUARANTINED;
 *                                    FG_EINVAL when it is not staged
 *   history_store_run_record_end()   the commit, with the quarantine
 *                                    changes `qc` in the same transaction,
 *                                    as history_store_record_run() applies
 *                                    them; the stage is gone afterwards
 *                                    whatever the status
 *
 * Staging failures are FG_EIO, as above.
 */
int history_store_run_each(struct history_store *st,
			   int (*fn)(void *ctx, const struct fg_test *t),
			   void *ctx, struct fg_error *err);
int history_store_run_set_outcome(struct history_store *st,
				  const struct fg_test *t, enum fg_outcome o,
				  struct fg_error *err);
int history_store_run_record_end(struct history_store *st, struct fg_run *run,
				 struct history_quarantine_change *qc,
				 size_t nqc, struct fg_error *err);

/*
 * Durations for the scheduler: per test identity, the median duration of
 * its most recent passing runs (outcome passed or flaky, i.e. the last
 * attempt passed), newest `window` samples at most.
 */
struct history_duration {
	char *suite, *classname, *name; /* owned by the list */
	int64_t median_ms;  /* median of the samples (lower middle if even) */
	int samples;        /* how many passing runs it is based on, >= 1 */
};

/* Sorted by (suite, classname, name) in strcmp order; see _find(). */
struct history_durations {
	struct history_duration *items;
	size_t n, cap;
};

/*
 * Fills `out` (which the caller zero-initialises) with one entry for each
 * known test that has at least one passing run, using its newest `window`
 * (>= 1) passing runs. Tests never seen passing are absent: the scheduler
 * chooses its own default. FG_OK or FG_EDB; on error `out` is left empty.
 * Free with history_durations_release().
 */
int history_store_durations(struct history_store *st, int window,
			    struct history_durations *out, struct fg_error *err);
/* Binary search by identity (classname NULL = ""); NULL when absent. */
const struct history_duration *
history_durations_find(const struct history_durations *d, const char *suite,
		       const char *classname, const char *name);
void history_durations_release(struct history_durations *d);

/* One stored attempt of a test, with the run it belongs to. */
struct history_attempt_rec {
	int64_t run_id;
	int64_t run_started_at_ms;
	char *commit;              /* the run's commit, or NULL */
	char *branch;              /* the run's branch, or NULL */
	enum fg_outcome outcome;   /* what the test came to in that run */
	struct fg_attempt attempt; /* owns message and output */
};

/* Newest first: by run id (runs are numbered in write order), then attempt. */
struct history_test_history {
	struct history_attempt_rec *items;
	size_t n, cap;
};

/*
 * Fills `out` (zero-initialised by the caller) with the newest `limit`
 * attempts of the test (suite, classname, name); classname NULL means "".
 * An unknown test is FG_OK with out->n == 0. FG_EDB on a database error,
 * with `out` left empty. Free with history_test_history_release().
 */
int history_store_test_history(struct history_store *st, const char *suite,
			       const char *classname, const char *name,
			       size_t limit, struct history_test_history *out,
			       struct fg_error *err);
void history_test_history_release(struct history_test_history *h);

/*
 * Loads run `run_id` (0 = the newest, by id) back into the core model:
 * the run's metadata (commit, branch, host, ci_job, shard, uuid, times,
 * exit_code, interrupted), and each of its tests with file/line, the
 * outcome and duration_ms stored for it in that run (not re-settled), and
 * every attempt in order with status, times, message and output.
 * Tests come in identity order (suite, classname, name).
 *
 * `out` is initialised here (fg_run_init: any content is NOT freed first)
 * and owns everything it points to; free it with fg_run_release(). A
 * missing run is FG_EINVAL ("no run N in 'path'"), a database error
 * FG_EDB; on error `out` is left empty.
 */
int history_store_load_run(struct history_store *st, int64_t run_id,
			   struct fg_run *out, struct fg_error *err);

/* A test identity, as history_store_find_tests() found it. */
struct history_test_id {
	char *suite, *classname, *name; /* owned by the list */
	int rank; /* how it matched: 1 name, 2 suite::name,
		     3 suite::classname::name */
};

struct history_test_ids {
	struct history_test_id *items;
	size_t n, cap;
};

/*
 * The known tests a user's spelling can mean: `name`, `suite::name` or
 * `suite::classname::name`, where names may themselves hold "::" (every
 * split is tried, each an index probe on the name). `out` (zero-
 * initialised by the caller) gets each matching identity once, with the
 * most specific form it matched as rank; n == 0 when none. FG_EDB on a
 * database error (out left empty). Free with history_test_ids_release().
 */
int history_store_find_tests(struct history_store *st, const char *spec,
			     struct history_test_ids *out,
			     struct fg_error *err);
void history_test_ids_release(struct history_test_ids *ids);

/* What history_store_merge() did; it adds to the counts it is given. */
struct history_merge_stats {
	size_t runs_added;    /* runs whose uuid was new here */
	size_t runs_skipped;  /* runs already here (same uuid) */
	size_t tests_added;   /* test identities new here */
	size_t results_added; /* attempts copied */
};

/*
 * Folds the history at `where` (a path or a URL, of either backend) into
 * st: every run whose uuid st does not have yet, with its tests and
 * attempts (new run ids, in the input's started_at order), in one
 * transaction. Idempotent: merging the same input again adds nothing.
 * Quarantine rows are not merged. The input goes through the same identity
 * checks as history_store_open() and, if older, is migrated forward (so it
 * is written to then, and only then). A missing input or st's own database
 * is an error (FG_EDB / FG_EINVAL), a database error FG_EDB or
 * FG_EDBUNAVAIL; nothing is merged then. `stats` may be NULL.
 * SQLite into SQLite copies with SQL (ATTACH); any other pair goes run by
 * run through the write path.
 */
int history_store_merge(struct history_store *st, const char *where,
			struct history_merge_stats *stats,
			struct fg_error *err);

struct history_gc_opts {
	int keep_days;   /* delete runs started before now - N days; -1: off */
	int keep_runs;   /* keep only the newest N runs; -1: off */
	bool vacuum;     /* VACUUM afterwards (rewrites the file) */
	int64_t now_ms;  /* "now" for keep_days; 0: the clock (for tests) */
};

struct history_gc_stats {
	size_t runs, tests, results;      /* deleted */
	int64_t bytes_before, bytes_after; /* database size (pages in use) */
};

/*
 * Retention: deletes the runs selected by keep_days and/or keep_runs
 * (both: a run goes when either says so; "newest" by started_at, then id)
 * with their run_tests and results, then tests left with no result and no
 * quarantine row; one transaction. With vacuum, the space is given back
 * after the commit (SQLite: VACUUM, which rewrites the file; PostgreSQL:
 * VACUUM FULL of our tables, which locks each one while it is rewritten).
 * bytes_* are the file's size on SQLite and our tables' total size
 * (pg_total_relation_size) on PostgreSQL. Neither limit set is FG_EINVAL;
 * database errors FG_EDB. `stats` may be NULL.
 */
int history_store_gc(struct history_store *st,
		     const struct history_gc_opts *opts,
		     struct history_gc_stats *stats, struct fg_error *err);

/* How many runs the database holds. FG_OK or FG_EDB. */
int history_store_count_runs(struct history_store *st, int64_t *n,
			     struct fg_error *err);

/*
 * The ids of runs started at or after since_ms, oldest first. *ids is the
 * caller's to free(). FG_OK or FG_EDB.
 */
int history_store_run_ids(struct history_store *st, int64_t since_ms,
			  int64_t **ids, size_t *n, struct fg_error *err);
/* A run in brief, for trends. */
struct history_run_brief {
	int64_t id;
	int64_t started_at_ms;
	int64_t duration_ms;
	int exit_code;
};
/*
 * The newest `limit` runs, returned oldest first. *out is the caller's to
 * free(). FG_OK or FG_EDB.
 */
int history_store_recent_runs(struct history_store *st, size_t limit,
			      struct history_run_brief **out, size_t *n,
			      struct fg_error *err);
/*
 * Which earlier run to find: the newest (by start time) of a branch and
 * shard, of one selection or any (struct fg_run's `selection`).
 */
struct history_run_key {
	const char *branch;    /* NULL matches runs without a branch */
	const char *shard;     /* "K/N"; NULL matches unsharded runs */
	const char *selection; /* NULL: any (runs without one included) */
	bool complete_only;    /* pass over interrupted runs */
};
/* *id: that run, or 0 when there is none. FG_OK or FG_EDB. */
int history_store_find_run(struct history_store *st,
			   const struct history_run_key *k, int64_t *id,
			   struct fg_error *err);
/*
 * The tests of run `run_id` with their outcomes only (no attempts, no
 * output): *out is initialised and filled, the caller's to
 * fg_run_release(). FG_OK or FG_EDB.
 */
int history_store_run_tests(struct history_store *st, int64_t run_id,
			    struct fg_run *out, struct fg_error *err);
/* Whether a run with this uuid is stored. FG_OK or FG_EDB. */
int history_store_has_run(struct history_store *st, const char *uuid,
			  bool *has, struct fg_error *err);

/*
 * The schema version this build creates and reads (SQLite: PRAGMA
 * user_version; PostgreSQL: the flakeguard_schema table). Both backends
 * number their versions alike.
 */
int history_store_schema_version(void);

/* ====================================================================== */
/* Analysis scan and quarantine table (history/quarantine.c)               */
/* ====================================================================== */

/*
 * One run of one test, as the analyzer wants it. Every pointer is borrowed
 * until the callback returns.
 */
struct history_scan_row {
	int64_t test_id;
	const char *suite, *classname, *name;
	int64_t run_id;
	int64_t started_at_ms;     /* the run's start */
	const char *commit;        /* the run's commit, or NULL */
	const char *branch;        /* the run's branch, or NULL */
	enum fg_outcome outcome;   /* what the test came to in that run */
	int64_t duration_ms;       /* of its last attempt */
	size_t nattempts;
	const enum fg_astatus *statuses; /* nattempts statuses, in order */
	const char *message;       /* the first failing attempt's message */
	/*
	 * The first failed attempt's output around a sanitizer report: 2 KiB
	 * from 512 bytes before its first "Sanitizer" or ": runtime error: ",
	 * or NULL (what the analyzer's memory-error hint needs).
	 */
	const char *sanitizer;
	/* per attempt, its company (struct fg_attempt): beside (-1: not
	 * known) and the names, '\n'-separated, or NULL */
	const int *beside;
	const char *const *beside_names;
};

/* Returns 0 to go on; anything else stops the scan and is returned. */
typedef int (*history_scan_fn)(void *ctx, const struct history_scan_row *row);

/*
 * Streams the newest `max_runs` (>= 1) runs of every test (or, with suite
 * non-NULL, of the one test (suite, classname, name)), ordered by test
 * identity then by run id (oldest first). Interrupted runs are included.
 * FG_OK, the callback's non-zero value, or FG_EDB.
 */
int history_store_scan(struct history_store *st, int max_runs,
		       const char *suite, const char *classname,
		       const char *name, history_scan_fn fn, void *ctx,
		       struct fg_error *err);

/* ====================================================================== */
/* Per-test summaries (history/summary.c)                                  */
/* ====================================================================== */

/*
 * A summary is one text per test that the caller (the analyzer, through
 * cli/) defines: the store keeps it true by folding every run written into
 * it in the same transaction, through the summarizer set here. The store
 * does not read it.
 *
 * fold: the new state (malloc'd, never NULL) from the old one (NULL: a
 * start) and the test's result in a run (its run metadata included);
 * first: this is the test's first run (state NULL and nothing older). A test whose summary is missing though it has runs (a
 * database migrated to schema 8, or after merge or gc, which drop the
 * summaries they make untrue) is rebuilt by folding its newest
 * rebuild_runs runs from the raw results.
 *
 * Without a summarizer (a store opened by code that does not analyse),
 * a write drops the summaries of the tests it touches: missing, never
 * wrong.
 */
typedef char *(*history_summary_fold_fn)(void *ctx, const char *state,
					 const struct history_scan_row *row,
					 bool first);
void history_store_set_summarizer(struct history_store *st,
				  history_summary_fold_fn fold, void *ctx,
				  int rebuild_runs);
/* The test's summary (*state malloc'd, or NULL: none). FG_OK or FG_EDB. */
int history_store_summary_get(struct history_store *st, const char *suite,
			      const char *classname, const char *name,
			      char **state, struct fg_error *err);
/*
 * Every test with a run, in identity order, with its summary (NULL:
 * none): fn's non-zero value stops and is returned. Strings borrowed.
 */
typedef int (*history_summary_fn)(void *ctx, const char *suite,
				  const char *classname, const char *name,
				  const char *state);
int history_store_summary_each(struct history_store *st, history_summary_fn fn,
			       void *ctx, struct fg_error *err);
/* One stored run's metadata (history_store_run_info()). */
struct history_run_info {
	int64_t id, started_at_ms;
	char *commit, *branch;     /* owned, or NULL */
};
/*
 * The runs with id >= min_id, by id, into a new array *out of *n (free
 * with history_run_info_free()).
 */
int history_store_run_info(struct history_store *st, int64_t min_id,
			   struct history_run_info **out, size_t *n,
			   struct fg_error *err);
void history_run_info_free(struct history_run_info *v, size_t n);
/* Tests that have at least one run (the analysis's N). */
int history_store_count_tests(struct history_store *st, size_t *n,
			      struct fg_error *err);
/*
 * Writes the given summaries (tests by identity; with all, they replace
 * every summary) in one transaction, but only if the newest run is still
 * latest_run_id (a run written meanwhile would be missing from them):
 * *written says.
 */
struct history_summary_put {
	const char *suite, *classname, *name;
	const char *state;
};
int history_store_summary_replace(struct history_store *st,
				  int64_t latest_run_id, bool all,
				  const struct history_summary_put *v, size_t n,
				  bool *written, struct fg_error *err);
/* The newest run's id (0: none). */
int history_store_latest_run_id(struct history_store *st, int64_t *id,
				struct fg_error *err);

/* A row of the quarantine table. Strings are owned by the record. */
struct history_quarantine {
	char *suite, *classname, *name;
	int64_t since_ms;        /* epoch ms */
	char *reason;            /* never NULL once stored */
	char *source;            /* "auto" or "manual" */
	char *owner;             /* or NULL */
	int64_t expires_ms;      /* 0 = never */
	char *issue;             /* link, or NULL */
	char *mode;              /* "run" (default) or "skip" */
	char *evidence;          /* JSON snapshot text, or NULL */
	int64_t released_ms;     /* 0 = active */
	char *released_reason;   /* "sprt", "removed", "expired", or NULL */
};

struct history_quarantine_list {
	struct history_quarantine *items;
	size_t n, cap;
};

/*
 * Active entries (released ones too with all), ordered by identity, then
 * since. `out` is zero-initialised by the caller. FG_OK or FG_EDB.
 */
int history_quarantine_list(struct history_store *st, bool all,
			    struct history_quarantine_list *out,
			    struct fg_error *err);
/*
 * Puts the test under quarantine: the test's identity row is created if
 * unknown; an active entry of the same test is replaced (ended with
 * released_reason "replaced"). since_ms 0 means now; mode NULL "run";
 * source NULL "manual". FG_EINVAL without a reason, else FG_OK or FG_EDB.
 * (A HISTORY_Q_REPLACE change in a transaction of its own.)
 */
int history_quarantine_add(struct history_store *st,
			   const struct history_quarantine *q,
			   struct fg_error *err);
/*
 * Ends the test's active entry at when_ms (0: now) with `why`. *removed
 * (may be NULL) says whether there was one. FG_OK or FG_EDB. (A
 * HISTORY_Q_END change for whichever entry is active.)
 */
int history_quarantine_remove(struct history_store *st, const char *suite,
			      const char *classname, const char *name,
			      int64_t when_ms, const char *why, bool *removed,
			      struct fg_error *err);
/*
 * Applies changes decided without a run (`analyze`, a review) in one
 * transaction of their own, as history_store_record_run() applies a run's:
 * each checked and made atomically with respect to other writers;
 * c[i].applied says which were made. FG_EINVAL when an entry to make has
 * no reason; else FG_OK, FG_EDB or FG_EDBUNAVAIL.
 */
int history_quarantine_apply(struct history_store *st,
			     struct history_quarantine_change *c, size_t n,
			     struct fg_error *err);
/* Frees the record's strings and zeroes it. */
void history_quarantine_clear(struct history_quarantine *q);
void history_quarantine_list_release(struct history_quarantine_list *l);
/* A deep copy of src into dst. */
void history_quarantine_copy(struct history_quarantine *dst,
			     const struct history_quarantine *src);

#endif /* FG_HISTORY_H */
