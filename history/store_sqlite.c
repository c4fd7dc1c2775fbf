/* SPDX-License-Identifier: MIT */
/*
 * history/store_sqlite.c - the SQLite backend of the history store: one
 * file, one writer at a time, any number of readers (WAL).
 *
 * Opening never modifies a file that is not ours: the 16-byte SQLite magic
 * is checked with plain read(2) before SQLite sees the file, and the
 * identity checks (application_id, user_version, known tables) run before
 * the first write (switching to WAL is a write). Only then is the schema
 * migrated forward, in one BEGIN IMMEDIATE transaction, re-reading
 * user_version inside it so that two processes opening a new database at
 * once migrate it exactly once.
 *
 * A write is one BEGIN IMMEDIATE transaction: concurrent writers queue for
 * the write lock instead of failing with SQLITE_BUSY halfway, and a failure
 * (or a SIGKILL: SQLite's journal does the rest) leaves nothing of it. The
 * queue is our busy handler, not sqlite3_busy_timeout(): it waits up to the
 * store's lock timeout (minutes) and tells the caller once a second that it
 * is waiting, so a CI log shows why a finished run has not been recorded
 * yet. Statements are prepared once per store with
 * SQLITE_PREPARE_PERSISTENT and finalized by close.
 *
 * The schema and the migration rule are documented in
 * docs/internals/history-schema.md. To change the schema: append a step to
 * schema_steps[] here AND to history/store_pg.c's (never edit a released
 * one), bump HISTORY_SCHEMA_VERSION, then update that document.
 */
#include "history/history.h"
#include "history/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef FG_VERSION
#define FG_VERSION "unknown"
#endif

/* PRAGMA application_id of our databases: "FGHD" (flakeguard history db). */
#define STORE_APPLICATION_ID 0x46474844
/*
 * Page size of new databases. SQLite's default is 4 KiB; rows carry output
 * excerpts (up to 64 KiB) and a run inserts into several B-trees per test
 * at scattered keys, where bigger pages split less and spill fewer frames.
 * Measured on a 200,000-test import (bench/README.md): 4 KiB 2.38 s,
 * 8 KiB 2.24 s, 16 KiB 2.19 s, 32 KiB 2.09 s, 64 KiB 2.13 s; database size
 * and `history` latency unchanged. Not 32 KiB: every table and index holds
 * at least one page, so an empty history would be ~450 KB (16 KiB: ~230 KB,
 * which `gc --max-size` limits of a few hundred KB still leave room above).
 */
#define STORE_PAGE_SIZE "16384"

/* ====================================================================== */
/* Schema                                                                  */
/* ====================================================================== */

/*
 * schema_steps[i] migrates a database from user_version i to i + 1. Steps
 * are applied in order inside one transaction at open. Released steps are
 * never edited: a change is a new step appended at the end (here and in
 * history/store_pg.c, with the same meaning).
 */
static const char *const schema_steps[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"          /* epoch ms */
	"  duration_ms INTEGER NOT NULL,"
	"  commit_sha TEXT,"
	"  branch TEXT,"
	"  host TEXT,"
	"  ci_job TEXT,"
	"  shard TEXT,"                           /* \"K/N\" */
	"  exit_code INTEGER NOT NULL,"
	"  interrupted INTEGER NOT NULL CHECK (interrupted IN (0, 1)),"
	"  fg_version TEXT NOT NULL"
	");"
	"CREATE INDEX runs_started_at ON runs (started_at);"
	"CREATE TABLE tests ("
	"  id INTEGER PRIMARY KEY,"
	"  suite TEXT NOT NULL,"
	"  classname TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  file TEXT,"
	"  line INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (suite, classname, name)"
	");"
	"CREATE TABLE run_tests ("
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  test_id INTEGER NOT NULL REFERENCES tests (id) ON DELETE CASCADE,"
	"  outcome INTEGER NOT NULL CHECK (outcome BETWEEN 0 AND 4),"
	"  duration_ms INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, test_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX run_tests_by_test ON run_tests (test_id, run_id);"
	"CREATE TABLE results ("
	"  run_id INTEGER NOT NULL,"
	"  test_id INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL CHECK (attempt >= 1),"
	"  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 6),"
	"  duration_ms INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT,"
	"  output TEXT,"
	"  PRIMARY KEY (run_id, test_id, attempt),"
	"  FOREIGN KEY (run_id, test_id) REFERENCES run_tests (run_id, test_id)"
	"    ON DELETE CASCADE"
	");"
	"CREATE INDEX results_by_test ON results (test_id, run_id, attempt);"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY,"
	"  test_id INTEGER NOT NULL REFERENCES tests (id) ON DELETE CASCADE,"
	"  since INTEGER NOT NULL,"               /* epoch ms */
	"  reason TEXT NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),"
	"  owner TEXT,"
	"  expires_at INTEGER,"                   /* epoch ms, NULL = never */
	"  released_at INTEGER"                   /* epoch ms, NULL = active */
	");"
	"CREATE INDEX quarantine_by_test ON quarantine (test_id);"
	"CREATE UNIQUE INDEX quarantine_active ON quarantine (test_id)"
	"  WHERE released_at IS NULL;",
	/*
	 * 1 -> 2: runs get a stable identity, so that `merge` can tell a run
	 * it already has from a new one. Runs written before get a random
	 * one here (32 hex digits; new runs get a formatted UUIDv4).
	 */
	"ALTER TABLE runs ADD COLUMN uuid TEXT;"
	"UPDATE runs SET uuid = lower(hex(randomblob(16)));"
	"CREATE UNIQUE INDEX runs_uuid ON runs (uuid);"
	/* `flakeguard history NAME` finds a test by its bare name. */
	"CREATE INDEX tests_by_name ON tests (name);",
	/*
	 * 2 -> 3: quarantine entries carry what a reviewer needs (issue
	 * link, run or skip mode, an evidence snapshot as JSON) and why an
	 * entry ended (released_reason: "sprt", "removed", "expired").
	 */
	"ALTER TABLE quarantine ADD COLUMN issue TEXT;"
	"ALTER TABLE quarantine ADD COLUMN mode TEXT NOT NULL DEFAULT 'run';"
	"ALTER TABLE quarantine ADD COLUMN evidence TEXT;"
	"ALTER TABLE quarantine ADD COLUMN released_reason TEXT;",
	/*
	 * 3 -> 4: results_by_test goes. A test's history is found through
	 * run_tests_by_test (test_id, run_id) and then the results primary
	 * key (run_id, test_id, attempt); the index cost every import one
	 * more B-tree insert per attempt (200,000-test import: -5%).
	 */
	"DROP INDEX IF EXISTS results_by_test;",
	/*
	 * 4 -> 5: attempt statuses xfailed (7) and xpassed (8), and the
	 * outcomes of the same names (5, 6). SQLite cannot change a CHECK
	 * constraint in place, so both tables are rebuilt (migrate() turns
	 * foreign keys off around the transaction, as SQLite's ALTER TABLE
	 * recipe asks). The checks now leave room up to 31 so that a later
	 * status needs no rebuild.
	 */
	"CREATE TABLE run_tests_v5 ("
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  test_id INTEGER NOT NULL REFERENCES tests (id) ON DELETE CASCADE,"
	"  outcome INTEGER NOT NULL CHECK (outcome BETWEEN 0 AND 31),"
	"  duration_ms INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, test_id)"
	") WITHOUT ROWID;"
	"INSERT INTO run_tests_v5 SELECT run_id, test_id, outcome, duration_ms,"
	"  attempts FROM run_tests;"
	"DROP TABLE run_tests;"
	"ALTER TABLE run_tests_v5 RENAME TO run_tests;"
	"CREATE INDEX run_tests_by_test ON run_tests (test_id, run_id);"
	"CREATE TABLE results_v5 ("
	"  run_id INTEGER NOT NULL,"
	"  test_id INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL CHECK (attempt >= 1),"
	"  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 31),"
	"  duration_ms INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT,"
	"  output TEXT,"
	"  PRIMARY KEY (run_id, test_id, attempt),"
	"  FOREIGN KEY (run_id, test_id) REFERENCES run_tests (run_id, test_id)"
	"    ON DELETE CASCADE"
	");"
	"INSERT INTO results_v5 SELECT run_id, test_id, attempt, status,"
	"  duration_ms, started_at, message, output FROM results;"
	"DROP TABLE results;"
	"ALTER TABLE results_v5 RENAME TO results;",
	/*
	 * 5 -> 6: a run records what was selected (config, suites, labels,
	 * --filter, --rerun-failed), so that "missing tests" compares a run
	 * only with runs of the same branch, shard and selection; runs
	 * recorded before have none (NULL) and are never compared.
	 */
	"ALTER TABLE runs ADD COLUMN selection TEXT;"
	"CREATE INDEX runs_by_branch ON runs (branch, started_at);",
	/*
	 * 6 -> 7: an attempt's company (issue 12 point 3): how many attempts
	 * of other items overlapped it (0: it ran alone; NULL: not known, as
	 * for imported results and every attempt written before), and up to
	 * 8 of their item ids, '\n'-separated.
	 */
	"ALTER TABLE results ADD COLUMN beside INTEGER;"
	"ALTER TABLE results ADD COLUMN beside_names TEXT;",
	/*
	 * 7 -> 8: per-test summaries (history/summary.c), folded into in
	 * every run's transaction. Existing tests start without one and are
	 * built from their results: each at its next run, or all at once by
	 * the first `analyze` (cli/cmd_analyze.c).
	 */
	"CREATE TABLE IF NOT EXISTS test_summary ("
	"  test_id INTEGER PRIMARY KEY REFERENCES tests (id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL"
	");",
};

_Static_assert(sizeof(schema_steps) / sizeof(schema_steps[0]) ==
		       HISTORY_SCHEMA_VERSION,
	       "one SQLite schema step per version");

/* ====================================================================== */
/* Statements                                                              */
/* ====================================================================== */

static const char *const query_sql[HQ_COUNT] = {
	[HQ_TEST_HISTORY] =
		"SELECT r.run_id, ru.started_at, ru.commit_sha, ru.branch,"
		" rt.outcome, r.attempt, r.status, r.started_at,"
		" r.duration_ms, r.message, r.output"
		" FROM tests t"
		" JOIN run_tests rt ON rt.test_id = t.id"
		" JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" JOIN runs ru ON ru.id = rt.run_id"
		" WHERE t.suite = ?1 AND t.classname = ?2 AND t.name = ?3"
		" ORDER BY rt.run_id DESC, r.attempt DESC LIMIT ?4",
#define LOAD_RUN_COLUMNS \
	"SELECT id, started_at, duration_ms, commit_sha, branch, host," \
	" ci_job, shard, exit_code, interrupted, uuid, selection FROM runs"
	[HQ_LOAD_RUN] = LOAD_RUN_COLUMNS " WHERE id = ?1",
	[HQ_LOAD_LATEST] = LOAD_RUN_COLUMNS " ORDER BY id DESC LIMIT 1",
#undef LOAD_RUN_COLUMNS
	[HQ_LOAD_TESTS] =
		"SELECT t.suite, t.classname, t.name, t.file, t.line,"
		" rt.outcome, rt.duration_ms, rt.test_id, r.attempt, r.status,"
		" r.duration_ms, r.started_at, r.message, r.output, r.beside,"
		" r.beside_names"
		" FROM run_tests rt"
		" JOIN tests t ON t.id = rt.test_id"
		" LEFT JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" WHERE rt.run_id = ?1"
		" ORDER BY t.suite, t.classname, t.name, r.attempt",
	/* ?2: the name, ?1 what precedes it (NULL: nothing). */
	[HQ_FIND_BY_NAME] =
		"SELECT suite, classname, name,"
		" CASE WHEN ?1 IS NULL THEN 1"
		"  WHEN suite = ?1 THEN 2 ELSE 3 END"
		" FROM tests WHERE name = ?2 AND (?1 IS NULL OR suite = ?1"
		"  OR (classname <> '' AND suite || '::' || classname = ?1))",
	[HQ_COUNT_RUNS] = "SELECT count(*) FROM runs",
	[HQ_RUN_IDS] = "SELECT id FROM runs WHERE started_at >= ?1"
		       " ORDER BY started_at, id",
	[HQ_RECENT_RUNS] = "SELECT id, started_at, duration_ms, exit_code"
			   " FROM runs ORDER BY started_at DESC, id DESC"
			   " LIMIT ?1",
	[HQ_HAS_RUN] = "SELECT 1 FROM runs WHERE uuid = ?1",
/*
 * The last column: a failed attempt's output around its first sanitizer
 * report (2 KiB from 512 bytes before "Sanitizer" or ": runtime error: "),
 * else NULL. The analyzer's hint needs no more (analyzer/hint.c), and the
 * scan does not carry whole outputs.
 */
#define SCAN_COLUMNS \
	"SELECT t.id, t.suite, t.classname, t.name, rt.run_id, ru.started_at," \
	" ru.commit_sha, ru.branch, rt.outcome, rt.duration_ms, r.attempt," \
	" r.status, r.message," \
	" CASE WHEN r.status IN (1, 2, 4, 5, 6) AND" \
	"  (instr(r.output, 'Sanitizer') > 0 OR" \
	"   instr(r.output, ': runtime error: ') > 0)" \
	" THEN substr(r.output, max(1, coalesce(nullif(instr(r.output," \
	"  'Sanitizer'), 0), instr(r.output, ': runtime error: ')) - 512), 2048)" \
	" END, r.beside, r.beside_names"
	/* A window function numbers each test's runs newest first. */
	[HQ_SCAN_ALL] =
		"WITH rt AS (SELECT run_id, test_id, outcome, duration_ms,"
		"  row_number() OVER (PARTITION BY test_id ORDER BY run_id DESC)"
		"  AS rn FROM run_tests)"
		SCAN_COLUMNS
		" FROM rt JOIN tests t ON t.id = rt.test_id"
		" JOIN runs ru ON ru.id = rt.run_id"
		" LEFT JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" WHERE rt.rn <= ?1"
		" ORDER BY t.suite, t.classname, t.name, rt.run_id, r.attempt",
	[HQ_SCAN_ONE] =
		"WITH rt AS (SELECT run_id, test_id, outcome, duration_ms"
		"  FROM run_tests WHERE test_id = (SELECT id FROM tests"
		"   WHERE suite = ?2 AND classname = ?3 AND name = ?4)"
		"  ORDER BY run_id DESC LIMIT ?1)"
		SCAN_COLUMNS
		" FROM rt JOIN tests t ON t.id = rt.test_id"
		" JOIN runs ru ON ru.id = rt.run_id"
		" LEFT JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" ORDER BY rt.run_id, r.attempt",
#undef SCAN_COLUMNS
	[HQ_QUARANTINE_LIST] =
		"SELECT t.suite, t.classname, t.name, q.since, q.reason,"
		" q.source, q.owner, q.expires_at, q.issue, q.mode, q.evidence,"
		" q.released_at, q.released_reason"
		" FROM quarantine q JOIN tests t ON t.id = q.test_id"
		" WHERE ?1 OR q.released_at IS NULL"
		" ORDER BY t.suite, t.classname, t.name, q.since, q.id",
	[HQ_MERGE_RUNS] = "SELECT id, uuid FROM runs ORDER BY started_at, id",
	[HQ_FIND_RUN] =
		"SELECT id FROM runs WHERE branch IS ?1 AND shard IS ?2"
		" AND (?4 OR selection = ?3) AND (NOT ?5 OR interrupted = 0)"
		" ORDER BY started_at DESC, id DESC LIMIT 1",
	[HQ_RUN_TEST_IDS] =
		"SELECT t.suite, t.classname, t.name, rt.outcome"
		" FROM run_tests rt JOIN tests t ON t.id = rt.test_id"
		" WHERE rt.run_id = ?1 ORDER BY t.suite, t.classname, t.name",
	[HQ_SUMMARY_FOLD] =
		"SELECT rt.test_id, t.suite, t.classname, t.name, s.state,"
		" CASE WHEN s.state = '' THEN EXISTS (SELECT 1 FROM run_tests o"
		"  WHERE o.test_id = rt.test_id AND o.run_id <> rt.run_id)"
		"  ELSE 0 END,"
		" rt.duration_ms, r.attempt, r.status, r.message,"
		" CASE WHEN r.status IN (1, 2, 4, 5, 6) AND"
		"  (instr(r.output, 'Sanitizer') > 0 OR"
		"   instr(r.output, ': runtime error: ') > 0)"
		" THEN substr(r.output, max(1, coalesce(nullif(instr(r.output,"
		"  'Sanitizer'), 0), instr(r.output, ': runtime error: ')) - 512),"
		"  2048) END, r.beside, r.beside_names"
		" FROM run_tests rt"
		" JOIN tests t ON t.id = rt.test_id"
		" JOIN test_summary s ON s.test_id = rt.test_id"
		" LEFT JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" WHERE rt.run_id = ?1"
		" ORDER BY rt.test_id, r.attempt",
	[HQ_SUMMARY_ONE] =
		"SELECT s.state FROM tests t JOIN test_summary s"
		" ON s.test_id = t.id"
		" WHERE t.suite = ?1 AND t.classname = ?2 AND t.name = ?3",
	[HQ_SUMMARY_ALL] =
		"SELECT t.suite, t.classname, t.name, s.state FROM tests t"
		" LEFT JOIN test_summary s ON s.test_id = t.id"
		" WHERE EXISTS (SELECT 1 FROM run_tests rt"
		"  WHERE rt.test_id = t.id)"
		" ORDER BY t.suite, t.classname, t.name",
	[HQ_RUN_INFO] = "SELECT id, started_at, commit_sha, branch FROM runs"
			" WHERE id >= ?1 ORDER BY id",
	[HQ_COUNT_TESTS] = "SELECT count(*) FROM tests t WHERE EXISTS"
			   " (SELECT 1 FROM run_tests rt WHERE rt.test_id = t.id)",
	[HQ_LATEST_RUN_ID] = "SELECT coalesce(max(id), 0) FROM runs",
	[HQ_FIRST_RUN] =
		"SELECT coalesce(min(rt.run_id), 0) FROM run_tests rt"
		" JOIN tests t ON t.id = rt.test_id"
		" WHERE t.suite = ?1 AND t.classname = ?2 AND t.name = ?3",
};

/* The summary writes (enum history_stmt); NULL: nothing to do here. */
static const char *const stmt_sql[HS_COUNT] = {
	[HS_SUMMARY_PREPARE] =
		"INSERT OR IGNORE INTO test_summary (test_id, state)"
		" SELECT test_id, '' FROM run_tests WHERE run_id = ?1",
	[HS_SUMMARY_LOCK] = NULL, /* the write lock is ours */
	[HS_SUMMARY_PUT] =
		"INSERT OR REPLACE INTO test_summary (test_id, state)"
		" VALUES (?1, ?2)",
	[HS_SUMMARY_PUT_NAMED] =
		"INSERT OR REPLACE INTO test_summary (test_id, state)"
		" SELECT id, ?4 FROM tests"
		" WHERE suite = ?1 AND classname = ?2 AND name = ?3",
	[HS_SUMMARY_DROP_RUN] =
		"DELETE FROM test_summary WHERE test_id IN"
		" (SELECT test_id FROM run_tests WHERE run_id = ?1)",
	[HS_SUMMARY_CLEAR] = "DELETE FROM test_summary",
};

/* Statements of the write path and the scheduler's durations. */
enum sq_stmt {
	SW_BEGIN,
	SW_COMMIT,
	SW_ROLLBACK,
	SW_RUN_INSERT,
	SW_TEST_FIND,
	SW_TEST_UPDATE,
	SW_TEST_ADD,
	SW_RUN_TEST_INSERT,
	SW_RESULT_INSERT,
	SW_DUR_TESTS,
	SW_DUR_SAMPLES,
	SW_Q_TEST,
	SW_Q_END,
	SW_Q_INSERT,
	SW_COUNT
};

static const char *const write_sql[SW_COUNT] = {
	[SW_BEGIN] = "BEGIN IMMEDIATE",
	[SW_COMMIT] = "COMMIT",
	[SW_ROLLBACK] = "ROLLBACK",
	[SW_RUN_INSERT] =
		"INSERT INTO runs (started_at, duration_ms, commit_sha, branch,"
		" host, ci_job, shard, exit_code, interrupted, fg_version, uuid,"
		" selection)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[SW_TEST_FIND] = "SELECT id, file, line FROM tests"
			 " WHERE suite = ?1 AND classname = ?2 AND name = ?3",
	[SW_TEST_UPDATE] = "UPDATE tests SET file = coalesce(?2, file),"
			   " line = CASE WHEN ?3 > 0 THEN ?3 ELSE line END"
			   " WHERE id = ?1",
	/*
	 * Tried before SW_TEST_FIND while new tests keep coming (the first
	 * import of a suite): one index probe instead of two. A known test
	 * changes nothing and SW_TEST_FIND follows. (Not ON CONFLICT DO
	 * NOTHING RETURNING: that statement needs a statement journal, which
	 * wrote every page a second time, 8x the write calls.)
	 */
	[SW_TEST_ADD] = "INSERT OR IGNORE INTO tests"
			" (suite, classname, name, file, line)"
			" VALUES (?1, ?2, ?3, ?4, ?5)",
	[SW_RUN_TEST_INSERT] =
		"INSERT INTO run_tests (run_id, test_id, outcome, duration_ms,"
		" attempts) VALUES (?1, ?2, ?3, ?4, ?5)",
	[SW_RESULT_INSERT] =
		"INSERT INTO results (run_id, test_id, attempt, status,"
		" duration_ms, started_at, message, output, beside,"
		" beside_names) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SW_DUR_TESTS] = "SELECT id, suite, classname, name FROM tests"
			 " ORDER BY suite, classname, name",
	[SW_DUR_SAMPLES] = "SELECT duration_ms FROM run_tests"
			   " WHERE test_id = ?1 AND outcome IN (0, 2)"
			   " ORDER BY run_id DESC LIMIT ?2",
	/* The quarantine table. We hold the write lock: no race. */
	[SW_Q_TEST] = "INSERT OR IGNORE INTO tests (suite, classname, name)"
		      " VALUES (?1, ?2, ?3)",
	/* ?6: the since of the entry to end, 0: whichever is active. */
	[SW_Q_END] = "UPDATE quarantine SET released_at = ?4,"
		     " released_reason = ?5"
		     " WHERE released_at IS NULL AND (?6 = 0 OR since = ?6)"
		     " AND test_id = (SELECT id FROM tests"
		     "  WHERE suite = ?1 AND classname = ?2 AND name = ?3)",
	/* ?12 = 1: only if the test has no active entry (HISTORY_Q_ENTER). */
	[SW_Q_INSERT] =
		"INSERT INTO quarantine (test_id, since, reason, source, owner,"
		" expires_at, issue, mode, evidence)"
		" SELECT id, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9, ?10, ?11"
		" FROM tests WHERE suite = ?1 AND classname = ?2 AND name = ?3"
		" AND NOT (?12 AND EXISTS (SELECT 1 FROM quarantine q"
		"  WHERE q.test_id = tests.id AND q.released_at IS NULL))",
};

struct sq {
	sqlite3 *db;
	sqlite3_stmt *q[HQ_COUNT];      /* prepared on first use */
	sqlite3_stmt *w[SW_COUNT];
	sqlite3_stmt *x[HS_COUNT];
	bool readonly;
	/* The write transaction. */
	int64_t run_id;
	bool last_new;                  /* the last test written was new */
	size_t tests_added;
	/* The busy handler's wait. */
	uint64_t wait_t0;
	int64_t waited_ms;              /* of the last wait; 0: none */
	int64_t reported_s;             /* seconds last reported */
};

static struct sq *sq_of(struct history_store *st)
{
	return st->impl;
}

static sqlite3_stmt *w_get(struct sq *q, enum sq_stmt id)
{
	if (!q->w[id] &&
	    sqlite3_prepare_v3(q->db, write_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &q->w[id],
			       NULL) != SQLITE_OK)
		return NULL;
	return q->w[id];
}

/* Steps a statement that returns no rows and resets it. */
static int stmt_run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int exec_w(struct sq *q, enum sq_stmt id)
{
	sqlite3_stmt *s = w_get(q, id);

	return s ? stmt_run(s) : sqlite3_errcode(q->db);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* ====================================================================== */
/* Errors                                                                  */
/* ====================================================================== */

/*
 * Locked, busy, full, read-only, unopenable or an I/O error: the database
 * cannot be written now, but nothing is wrong with what was to be written.
 */
static int status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		return FG_EDBUNAVAIL;
	default:
		return FG_EDB;
	}
}

/*
 * Why SQLite could not open path. sqlite3_system_errno() is not the answer:
 * after O_CREAT fails with EACCES SQLite retries read-only, and reports
 * that attempt's ENOENT. Ask the file system instead.
 */
static int cantopen_errno(const char *path, int sys)
{
	char *dir;
	char *slash;
	int e = 0;

	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) == 0)
		return sys;
	if (errno != ENOENT)
		return errno;
	dir = fg_xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (faccessat(AT_FDCWD, slash ? dir : ".", W_OK | X_OK,
		      AT_EACCESS) != 0)
		e = errno;
	free(dir);
	return e ? e : sys;
}

/* Records the connection's last error in st; returns its status. */
static int sq_note(struct history_store *st)
{
	struct sq *q = sq_of(st);
	int code = sqlite3_extended_errcode(q->db);
	int sys = sqlite3_system_errno(q->db);

	if ((code & 0xff) == SQLITE_CANTOPEN)
		sys = cantopen_errno(st->where, sys);
	if ((code & 0xff) == SQLITE_BUSY && q->waited_ms) {
		char d[32];

		return history__note(st, FG_EDBUNAVAIL, "%s (another "
				     "flakeguard held the write lock; gave up "
				     "after %s, FLAKEGUARD_DB_TIMEOUT)",
				     sqlite3_errmsg(q->db),
				     fg_duration_format(q->waited_ms, d,
							sizeof(d)));
	}
	if (sys && ((code & 0xff) == SQLITE_CANTOPEN ||
		    (code & 0xff) == SQLITE_IOERR))
		return history__note(st, status_of(code), "%s (%s)",
				     sqlite3_errmsg(q->db), strerror(sys));
	return history__note(st, status_of(code), "%s", sqlite3_errmsg(q->db));
}

/* fg_fail() with the connection's last error: "<what> '<path>': <why>". */
static int sq_fail(struct history_store *st, const char *what,
		   struct fg_error *err)
{
	if ((sqlite3_errcode(sq_of(st)->db) & 0xff) == SQLITE_NOTADB)
		return fg_fail(err, FG_EDB, "'%s' is not a flakeguard history "
			       "database (file is not a database)", st->name);
	sq_note(st);
	return history__fail(st, what, err);
}

/* ====================================================================== */
/* Waiting for the write lock                                              */
/* ====================================================================== */

/*
 * SQLite's busy handler: called while another connection holds the lock
 * we need, with the number of calls so far for this lock event. Sleeps a
 * little longer each time (1, 2, 4 ... 100 ms, so a short wait stays short
 * and a long one costs nothing), gives up after the lock timeout, and
 * reports the wait about once a second.
 */
static int busy_wait(void *ctx, int count)
{
	struct history_store *st = ctx;
	struct sq *q = sq_of(st);
	uint64_t now = fg_monotonic_ns();
	int64_t waited, ms;
	struct timespec ts;

	if (count == 0) {
		q->wait_t0 = now;
		q->reported_s = 0;
	}
	waited = (int64_t)((now - q->wait_t0) / 1000000);
	q->waited_ms = waited > 0 ? waited : 1;
	if (waited >= st->lock_timeout_ms)
		return 0;
	if (st->waiting && waited / 1000 > q->reported_s) {
		q->reported_s = waited / 1000;
		st->waiting(st->waiting_ctx, waited, false);
	}
	ms = count < 7 ? 1 << count : 100;
	if (ms > st->lock_timeout_ms - waited)
		ms = st->lock_timeout_ms - waited;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000;
	nanosleep(&ts, NULL);
	return 1;
}

/* After an operation that may have waited: "done" to the caller. */
static void wait_over(struct history_store *st)
{
	struct sq *q = sq_of(st);

	if (q->reported_s && st->waiting)
		st->waiting(st->waiting_ctx, q->waited_ms, true);
	q->reported_s = 0;
}

/* Runs sql (which may wait for the write lock); reports the end of a wait. */
static int exec_waiting(struct history_store *st, const char *sql)
{
	struct sq *q = sq_of(st);
	int rc;

	q->waited_ms = 0;
	rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	wait_over(st);
	return rc;
}

/* ====================================================================== */
/* Opening                                                                 */
/* ====================================================================== */

static int not_ours(const char *path, const char *why, struct fg_error *err)
{
	return fg_fail(err, FG_EDB,
		       "'%s' is not a flakeguard history database (%s)", path,
		       why);
}

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(const char *path, struct fg_error *err)
{
	char *dir = fg_xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = FG_OK;

	if (!slash || slash == dir) {
		free(dir);
		return FG_OK;
	}
	*slash = '\0';
	for (char *p = dir + 1; rc == FG_OK; p++) {
		char c = *p;
		struct stat sb;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			rc = fg_fail(err, errno == EACCES || errno == EROFS ||
				     errno == ENOSPC ? FG_EDBUNAVAIL : FG_EDB,
				     "cannot create directory '%s' for history "
				     "database '%s': %s",
				     dir, path, strerror(errno));
		else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			rc = fg_fail(err, FG_EDB,
				     "cannot create history database '%s': "
				     "'%s' is not a directory",
				     path, dir);
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

/*
 * Checks the SQLite magic with plain read(2), before SQLite opens the file,
 * so that nothing (not even a -wal or -journal file) is created next to a
 * file that is not a database. A missing or empty file is a new database.
 */
static int check_magic(const char *path, struct fg_error *err)
{
	static const char magic[16] = "SQLite format 3";
	char buf[sizeof(magic)];
	struct stat sb;
	ssize_t n = 0, r;
	/* O_NONBLOCK: a FIFO at the path must not hang the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ENOENT)
			return FG_OK;
		return fg_fail(err, errno == EACCES ? FG_EDBUNAVAIL : FG_EDB,
			       "cannot open history database '%s': %s", path,
			       strerror(errno));
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return fg_fail(err, FG_EDB, "cannot open history database "
			       "'%s': is a directory", path);
	}
	if (fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		close(fd);
		return fg_fail(err, FG_EDB, "cannot open history database "
			       "'%s': not a regular file", path);
	}
	while (n < (ssize_t)sizeof(buf) &&
	       (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return fg_fail(err, FG_EDBUNAVAIL, "cannot read history "
				       "database '%s': %s", path, strerror(e));
		}
		n += r;
	}
	close(fd);
	if (n == 0 || (n == sizeof(buf) && !memcmp(buf, magic, sizeof(buf))))
		return FG_OK;
	return not_ours(path, "file is not a database", err);
}

static int pragma_int(struct sq *q, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * Decides, without writing, whether the file is ours: either a new
 * database (no application_id, no user_version, no schema objects) or one
 * with our application_id and a user_version we know.
 */
static int check_identity(struct history_store *st, int *version,
			  struct fg_error *err)
{
	struct sq *q = sq_of(st);
	int app = 0, uv = 0, nobj = 0, ours = 0, rc;

	/* One read transaction: a concurrent migration is all or nothing. */
	rc = sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = pragma_int(q, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(q, "PRAGMA user_version", &uv);
	if (rc == SQLITE_OK)
		rc = pragma_int(q, "SELECT count(*) FROM sqlite_master", &nobj);
	if (rc == SQLITE_OK)
		rc = pragma_int(q, "SELECT count(*) FROM sqlite_master WHERE "
				"type = 'table' AND name IN ('runs', 'tests', "
				"'results')", &ours);
	if (rc != SQLITE_OK) {
		rc = sq_fail(st, "cannot read history database", err);
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	if (app != 0 && app != STORE_APPLICATION_ID)
		return not_ours(st->name, "it belongs to another application",
				err);
	if (uv > HISTORY_SCHEMA_VERSION)
		return fg_fail(err, FG_EDB,
			       "history database '%s' was created by a newer "
			       "flakeguard (schema version %d, this one knows "
			       "up to %d)",
			       st->name, uv, HISTORY_SCHEMA_VERSION);
	if (uv == 0 && nobj > 0)
		return not_ours(st->name, "it has tables flakeguard does not "
				"know", err);
	if (uv > 0 && app == 0 && ours < 3)
		return not_ours(st->name, "it has a user_version but none of "
				"flakeguard's tables", err);
	*version = uv;
	return FG_OK;
}

/* Runs "PRAGMA journal_mode = WAL" once; *wal tells whether it took. */
static int try_wal(struct sq *q, bool *wal)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1,
				    &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);

		*wal = mode && !strcmp(mode, "wal");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static int configure(struct history_store *st, struct fg_error *err)
{
	struct sq *q = sq_of(st);
	bool wal = false;
	int rc;

	/*
	 * A new database gets STORE_PAGE_SIZE pages; an existing file keeps
	 * the size in its header (the pragma is a no-op there). It has to come
	 * before the switch to WAL, which writes the first page.
	 */
	sqlite3_exec(q->db, "PRAGMA page_size = " STORE_PAGE_SIZE, NULL, NULL,
		     NULL);
	/*
	 * Switching a new database to WAL needs an exclusive lock, and SQLite
	 * returns SQLITE_BUSY there without calling the busy handler when
	 * another process is opening the same new file: retry by hand, for
	 * as long as the lock timeout.
	 */
	for (int64_t waited = 0;; waited += 10) {
		rc = try_wal(q, &wal);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= st->lock_timeout_ms)
			break;
		usleep(10 * 1000);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, "PRAGMA synchronous = NORMAL;"
				  "PRAGMA foreign_keys = ON;"
				  "PRAGMA cache_size = -8192;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(st, "cannot configure history database", err);
	if (!wal)
		fg_log(FG_LOG_WARN, "history", "'%s': WAL journal not available "
		       "here; concurrent runs will wait for each other",
		       st->name);
	return FG_OK;
}

/* SQLITE_CONSTRAINT when a foreign key dangles (after a rebuild step). */
static int fk_check(struct sq *q)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA foreign_key_check", -1, &s,
				    NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? SQLITE_CONSTRAINT :
	       rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Applies schema_steps[from..] in one transaction. */
static int migrate(struct history_store *st, struct fg_error *err)
{
	struct sq *q = sq_of(st);
	char sql[96];
	int uv = 0, rc;

	/*
	 * Steps that rebuild a table (4 -> 5) must not cascade the DROP into
	 * the tables that reference it: foreign keys are off while migrating
	 * (the pragma is a no-op inside a transaction, hence out here) and
	 * checked before the commit.
	 */
	sqlite3_exec(q->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if (exec_waiting(st, "BEGIN IMMEDIATE")) {
		rc = sq_fail(st, "cannot migrate history database", err);
		sqlite3_exec(q->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			     NULL);
		return rc;
	}
	/* Another process may have migrated it since check_identity(). */
	rc = pragma_int(q, "PRAGMA user_version", &uv);
	for (int v = uv; rc == SQLITE_OK && v < HISTORY_SCHEMA_VERSION; v++) {
		rc = sqlite3_exec(q->db, schema_steps[v], NULL, NULL, NULL);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		 STORE_APPLICATION_ID);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK && uv < HISTORY_SCHEMA_VERSION)
		rc = fk_check(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int frc = sq_fail(st, "cannot migrate history database", err);

		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(q->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			     NULL);
		return frc;
	}
	sqlite3_exec(q->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (uv < HISTORY_SCHEMA_VERSION)
		fg_log(FG_LOG_INFO, "history", "'%s': schema migrated from "
		       "version %d to %d", st->name, uv,
		       HISTORY_SCHEMA_VERSION);
	return FG_OK;
}

/* "file:" URI for path with ?query; %, ? and # escaped. Caller frees. */
static char *file_uri(const char *path, const char *query)
{
	size_t size = strlen(path) * 3 + strlen(query) + 16;
	char *u = fg_xmalloc(size), *o = u;

	memcpy(o, "file:", 5);
	o += 5;
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += snprintf(o, 4, "%%%02X", (unsigned char)*p);
		else
			*o++ = *p;
	}
	snprintf(o, size - (size_t)(o - u), "?%s", query);
	return u;
}

static void sq_close(struct history_store *st)
{
	struct sq *q = sq_of(st);

	if (!q)
		return;
	for (int i = 0; i < HQ_COUNT; i++)
		sqlite3_finalize(q->q[i]);
	for (int i = 0; i < SW_COUNT; i++)
		sqlite3_finalize(q->w[i]);
	for (int i = 0; i < HS_COUNT; i++)
		sqlite3_finalize(q->x[i]);
	/* Checkpoints the WAL and removes -wal/-shm when we are the last. */
	sqlite3_close_v2(q->db);
	free(q);
	st->impl = NULL;
}

static void sq_connected(struct history_store *st)
{
	struct sq *q = sq_of(st);

	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_handler(q->db, busy_wait, st);
}

static int open_readwrite(struct history_store *st, struct fg_error *err)
{
	struct sq *q = sq_of(st);
	int version = 0, rc;

	/*
	 * NOMUTEX: a store is only ever used by one thread at a time, so
	 * SQLite's per-call connection mutex is pure cost (~3% of a bulk
	 * import).
	 */
	rc = sqlite3_open_v2(st->where, &q->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(st, "cannot open history database", err);
	if (sqlite3_db_readonly(q->db, "main") == 1)
		return fg_fail(err, FG_EDBUNAVAIL, "cannot open history "
			       "database '%s': the file is not writable",
			       st->name);
	sq_connected(st);
	rc = check_identity(st, &version, err);
	if (rc == FG_OK)
		rc = configure(st, err);
	if (rc == FG_OK && version < HISTORY_SCHEMA_VERSION)
		rc = migrate(st, err);
	return rc;
}

static int open_readonly(struct history_store *st, struct fg_error *err)
{
	static const char *const modes[] = { "mode=ro", "immutable=1" };
	struct sq *q = sq_of(st);
	int version = 0, rc = FG_EDB;

	/*
	 * mode=ro still wants the WAL index (-shm), which a read-only
	 * directory cannot hold; immutable=1 reads the file as it is (fine
	 * for an artifact nobody writes).
	 */
	for (size_t i = 0; i < 2; i++) {
		char *uri = file_uri(st->where, modes[i]);

		if (q->db)
			sqlite3_close_v2(q->db);
		q->db = NULL;
		rc = sqlite3_open_v2(uri, &q->db, SQLITE_OPEN_READONLY |
				     SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
		if (rc != SQLITE_OK) {
			rc = sq_fail(st, "cannot open history database", err);
			continue;
		}
		sq_connected(st);
		if ((rc = check_identity(st, &version, err)) == FG_OK)
			break;
	}
	if (rc == FG_OK && version != HISTORY_SCHEMA_VERSION)
		rc = fg_fail(err, FG_EDB, "'%s' has schema version %d and is "
			     "read-only here: open it once where it is writable "
			     "(any flakeguard command) to migrate it to %d",
			     st->name, version, HISTORY_SCHEMA_VERSION);
	q->readonly = true;
	return rc;
}

static int sq_open(struct history_store *st, const struct history_open_opts *o,
		   bool *missing, struct fg_error *err)
{
	struct stat sb;
	int rc;

	if (o->mode != HISTORY_OPEN_CREATE && stat(st->where, &sb) != 0 &&
	    errno == ENOENT) {
		if (o->missing_ok) {
			*missing = true;
			return FG_OK;
		}
		return fg_fail(err, FG_EDB, "no history database at '%s' (%s); "
			       "`flakeguard run` or `import` creates it",
			       st->name, strerror(ENOENT));
	}
	if (o->mode == HISTORY_OPEN_CREATE &&
	    (rc = make_parent_dirs(st->where, err)) != FG_OK)
		return rc;
	if ((rc = check_magic(st->where, err)) != FG_OK)
		return rc;
	st->impl = fg_xcalloc(1, sizeof(struct sq));
	return o->mode == HISTORY_OPEN_READONLY ? open_readonly(st, err) :
						  open_readwrite(st, err);
}

static bool sq_same(struct history_store *st, struct history_store *other)
{
	struct stat a, b;

	return stat(st->where, &a) == 0 && stat(other->where, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ====================================================================== */
/* Reading                                                                 */
/* ====================================================================== */

#define MAX_COLUMNS 16

static void bind_args(sqlite3_stmt *s, const struct history_arg *args,
		      size_t nargs)
{
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].type == 'i')
			sqlite3_bind_int64(s, (int)i + 1, args[i].i);
		else
			bind_text(s, (int)i + 1, args[i].s);
	}
}

/* The row as cells: integers as i, text as s (never converted). */
static void row_cells(sqlite3_stmt *s, struct history_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int type = sqlite3_column_type(s, (int)i);

		c[i].null = type == SQLITE_NULL;
		c[i].i = type == SQLITE_INTEGER ?
				 sqlite3_column_int64(s, (int)i) : 0;
		c[i].s = type == SQLITE_TEXT || type == SQLITE_BLOB ?
				 (const char *)sqlite3_column_text(s, (int)i) :
				 NULL;
	}
}

static int sq_query(struct history_store *st, enum history_query id,
		    const struct history_arg *args, size_t nargs,
		    history_row_fn fn, void *ctx)
{
	struct sq *q = sq_of(st);
	struct history_cell cells[MAX_COLUMNS];
	struct history_row row = { .c = cells };
	sqlite3_stmt *s;
	int rc, cb = 0;

	if (!q->q[id] &&
	    sqlite3_prepare_v3(q->db, query_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &q->q[id],
			       NULL) != SQLITE_OK)
		return sq_note(st);
	s = q->q[id];
	bind_args(s, args, nargs);
	row.n = (size_t)sqlite3_column_count(s);
	if (row.n > MAX_COLUMNS)
		FG_BUG("query %d has %zu columns", (int)id, row.n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_cells(s, cells, row.n);
		if ((cb = fn(ctx, &row)))
			break;
	}
	if (!cb && rc != SQLITE_DONE)
		cb = sq_note(st);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return cb;
}

static void sq_read_begin(struct history_store *st)
{
	sqlite3_exec(sq_of(st)->db, "BEGIN", NULL, NULL, NULL);
}

static void sq_read_end(struct history_store *st)
{
	sqlite3_exec(sq_of(st)->db, "COMMIT", NULL, NULL, NULL);
}

/*
 * Nested statements in one read transaction: the outer walks tests in
 * identity order (the UNIQUE index), the inner probes run_tests_by_test for
 * the newest passing runs of each.
 */
static int sq_durations(struct history_store *st, int window,
			history_row_fn fn, void *ctx)
{
	struct sq *q = sq_of(st);
	sqlite3_stmt *tests = w_get(q, SW_DUR_TESTS);
	sqlite3_stmt *samples = w_get(q, SW_DUR_SAMPLES);
	struct history_cell c[4] = { { 0 } };
	struct history_row row = { .c = c, .n = 4 };
	int rc = SQLITE_ROW, cb = 0;

	if (!tests || !samples)
		return sq_note(st);
	sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL);
	while (!cb && (rc = sqlite3_step(tests)) == SQLITE_ROW) {
		sqlite3_bind_int64(samples, 1, sqlite3_column_int64(tests, 0));
		sqlite3_bind_int(samples, 2, window);
		for (int k = 1; k < 4; k++)
			c[k - 1].s = (const char *)sqlite3_column_text(tests, k);
		while (!cb && (rc = sqlite3_step(samples)) == SQLITE_ROW) {
			c[3].i = sqlite3_column_int64(samples, 0);
			cb = fn(ctx, &row);
		}
		sqlite3_reset(samples);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			break;
		rc = SQLITE_ROW;
	}
	if (!cb && rc != SQLITE_DONE)
		cb = sq_note(st);
	sqlite3_reset(tests);
	sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	return cb;
}

/* ====================================================================== */
/* Writing                                                                 */
/* ====================================================================== */

/*
 * While a run is written the page cache is kept small: a big run spills
 * dirty pages to the WAL instead of growing the process (peak RSS flat in
 * the run's size), at no measurable cost since the rows are appended.
 * Foreign keys are off while we write: every row we insert refers to a row
 * inserted or found just before under the same write lock, so the checks
 * (~12% of a bulk write) cannot fail. Both pragmas are no-ops inside a
 * transaction, hence before BEGIN.
 */
#define STORE_BEFORE_WRITE "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -4096"
#define STORE_AFTER_WRITE "PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192"

static int sq_tx_begin(struct history_store *st)
{
	struct sq *q = sq_of(st);
	sqlite3_stmt *s;
	int rc;

	if (q->readonly)
		return history__note(st, FG_EDBUNAVAIL, "opened read-only");
	sqlite3_exec(q->db, STORE_BEFORE_WRITE, NULL, NULL, NULL);
	if (!(s = w_get(q, SW_BEGIN)))
		return sq_note(st);
	q->waited_ms = 0;
	rc = stmt_run(s);
	wait_over(st);
	return rc == SQLITE_OK ? FG_OK : sq_note(st);
}

static int sq_tx_end(struct history_store *st, bool commit)
{
	struct sq *q = sq_of(st);
	int rc = FG_OK;

	if (commit && exec_w(q, SW_COMMIT) != SQLITE_OK)
		rc = sq_note(st);
	/* A failed statement or COMMIT can leave it open, or not. */
	if (!sqlite3_get_autocommit(q->db))
		exec_w(q, SW_ROLLBACK);
	sqlite3_exec(q->db, STORE_AFTER_WRITE, NULL, NULL, NULL);
	q->run_id = 0;
	return rc;
}

static int sq_tx_run(struct history_store *st, const struct fg_run *run,
		     int64_t *id)
{
	struct sq *q = sq_of(st);
	sqlite3_stmt *s = w_get(q, SW_RUN_INSERT);

	if (!s)
		return sq_note(st);
	sqlite3_bind_int64(s, 1, run->started_at_ms);
	sqlite3_bind_int64(s, 2, run->duration_ms);
	bind_text(s, 3, run->commit);
	bind_text(s, 4, run->branch);
	bind_text(s, 5, run->host);
	bind_text(s, 6, run->ci_job);
	bind_text(s, 7, run->shard);
	sqlite3_bind_int(s, 8, run->exit_code);
	sqlite3_bind_int(s, 9, run->interrupted ? 1 : 0);
	sqlite3_bind_text(s, 10, FG_VERSION, -1, SQLITE_STATIC);
	bind_text(s, 11, run->uuid);
	bind_text(s, 12, run->selection);
	if (stmt_run(s) != SQLITE_OK)
		return sq_note(st);
	*id = q->run_id = sqlite3_last_insert_rowid(q->db);
	q->last_new = false;
	q->tests_added = 0;
	return FG_OK;
}

/* Refreshes file/line of a known test when the run knows better. */
static int update_test_location(struct sq *q, const struct fg_test *t,
				int64_t id)
{
	sqlite3_stmt *s = w_get(q, SW_TEST_UPDATE);

	if (!s)
		return sqlite3_errcode(q->db);
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, t->file);
	sqlite3_bind_int(s, 3, t->line);
	return stmt_run(s);
}

/* Inserts the identity row of a test not known yet; *id 0 if it is known. */
static int add_test_row(struct sq *q, const struct fg_test *t, int64_t *id)
{
	sqlite3_stmt *s = w_get(q, SW_TEST_ADD);
	int rc;

	if (!s)
		return sqlite3_errcode(q->db);
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname);
	bind_text(s, 3, t->name);
	bind_text(s, 4, t->file);
	sqlite3_bind_int(s, 5, t->line > 0 ? t->line : 0);
	rc = stmt_run(s);
	*id = rc == SQLITE_OK && sqlite3_changes(q->db) == 1 ?
		      sqlite3_last_insert_rowid(q->db) : 0;
	q->tests_added += *id != 0;
	return rc;
}

/*
 * Finds or inserts the test's identity row. SELECT first in steady state
 * (every test already known: an index probe is cheaper than an upsert);
 * while new tests keep coming, INSERT OR IGNORE first, which saves the
 * probe that would miss. No race: we hold the write lock.
 */
static int upsert_test(struct sq *q, const struct fg_test *t, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if (q->last_new) {
		rc = add_test_row(q, t, id);
		if (rc != SQLITE_OK || *id)
			return rc;
	}
	s = w_get(q, SW_TEST_FIND);
	if (!s)
		return sqlite3_errcode(q->db);
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname);
	bind_text(s, 3, t->name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *file = (const char *)sqlite3_column_text(s, 1);
		bool stale = (t->file && (!file || strcmp(file, t->file))) ||
			     (t->line > 0 && t->line != sqlite3_column_int(s, 2));

		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		q->last_new = false;
		return stale ? update_test_location(q, t, *id) : SQLITE_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	q->last_new = true;
	return add_test_row(q, t, id);
}

static int insert_run_test(struct sq *q, int64_t test_id,
			   const struct fg_test *t)
{
	sqlite3_stmt *s = w_get(q, SW_RUN_TEST_INSERT);

	if (!s)
		return sqlite3_errcode(q->db);
	sqlite3_bind_int64(s, 1, q->run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, (int)t->outcome);
	sqlite3_bind_int64(s, 4, t->duration_ms);
	sqlite3_bind_int64(s, 5, (int64_t)t->nattempts);
	return stmt_run(s);
}

static int insert_attempt(struct sq *q, int64_t test_id,
			  const struct fg_attempt *a)
{
	sqlite3_stmt *s = w_get(q, SW_RESULT_INSERT);

	if (!s)
		return sqlite3_errcode(q->db);
	sqlite3_bind_int64(s, 1, q->run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, a->number);
	sqlite3_bind_int(s, 4, (int)a->status);
	sqlite3_bind_int64(s, 5, a->duration_ms);
	sqlite3_bind_int64(s, 6, a->started_at_ms);
	bind_text(s, 7, a->message);
	bind_text(s, 8, a->output);
	if (a->beside >= 0)
		sqlite3_bind_int(s, 9, a->beside);
	else
		sqlite3_bind_null(s, 9);
	bind_text(s, 10, a->beside_names);
	return stmt_run(s);
}

static int sq_tx_test(struct history_store *st, const struct fg_test *t)
{
	struct sq *q = sq_of(st);
	int64_t test_id = 0;
	int rc = upsert_test(q, t, &test_id);

	if (rc == SQLITE_OK)
		rc = insert_run_test(q, test_id, t);
	for (size_t i = 0; rc == SQLITE_OK && i < t->nattempts; i++)
		rc = insert_attempt(q, test_id, &t->attempts[i]);
	return rc == SQLITE_OK ? FG_OK : sq_note(st);
}

static int sq_tx_run_done(struct history_store *st, size_t *tests_added)
{
	*tests_added = sq_of(st)->tests_added;
	return FG_OK;
}

/*
 * Inside BEGIN IMMEDIATE we are the only writer: checking the active entry
 * and changing it cannot interleave with another flakeguard's change.
 */
static int sq_tx_exec(struct history_store *st, enum history_stmt id,
		      const struct history_arg *args, size_t nargs)
{
	struct sq *q = sq_of(st);
	sqlite3_stmt *s;

	if (!stmt_sql[id])
		return FG_OK;
	if (!q->x[id] &&
	    sqlite3_prepare_v3(q->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &q->x[id],
			       NULL) != SQLITE_OK)
		return sq_note(st);
	s = q->x[id];
	bind_args(s, args, nargs);
	if (stmt_run(s) != SQLITE_OK) {
		sqlite3_clear_bindings(s);
		return sq_note(st);
	}
	sqlite3_clear_bindings(s);
	return FG_OK;
}

static int sq_tx_quarantine(struct history_store *st,
			    struct history_quarantine_change *c)
{
	struct sq *q = sq_of(st);
	const struct history_quarantine *e = c->q;
	const char *cls = e->classname ? e->classname : "";
	sqlite3_stmt *s;
	int64_t now = fg_now_ms();

	c->applied = false;
	if (c->op == HISTORY_Q_END || c->op == HISTORY_Q_REPLACE) {
		if (!(s = w_get(q, SW_Q_END)))
			return sq_note(st);
		bind_text(s, 1, e->suite);
		bind_text(s, 2, cls);
		bind_text(s, 3, e->name);
		sqlite3_bind_int64(s, 4, c->op == HISTORY_Q_REPLACE ?
				   (e->since_ms ? e->since_ms : now) :
				   c->when_ms ? c->when_ms : now);
		sqlite3_bind_text(s, 5, c->op == HISTORY_Q_REPLACE ? "replaced" :
				  c->why ? c->why : "removed", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, c->op == HISTORY_Q_END ? e->since_ms : 0);
		if (stmt_run(s) != SQLITE_OK)
			return sq_note(st);
		c->applied = sqlite3_changes(q->db) > 0;
		if (c->op == HISTORY_Q_END)
			return FG_OK;
	}
	if (!(s = w_get(q, SW_Q_TEST)))
		return sq_note(st);
	bind_text(s, 1, e->suite);
	bind_text(s, 2, cls);
	bind_text(s, 3, e->name);
	if (stmt_run(s) != SQLITE_OK || !(s = w_get(q, SW_Q_INSERT)))
		return sq_note(st);
	bind_text(s, 1, e->suite);
	bind_text(s, 2, cls);
	bind_text(s, 3, e->name);
	sqlite3_bind_int64(s, 4, e->since_ms ? e->since_ms : now);
	bind_text(s, 5, e->reason);
	sqlite3_bind_text(s, 6, e->source ? e->source : "manual", -1,
			  SQLITE_STATIC);
	bind_text(s, 7, e->owner);
	sqlite3_bind_int64(s, 8, e->expires_ms);
	bind_text(s, 9, e->issue);
	sqlite3_bind_text(s, 10, e->mode ? e->mode : "run", -1, SQLITE_STATIC);
	bind_text(s, 11, e->evidence);
	sqlite3_bind_int(s, 12, c->op == HISTORY_Q_ENTER);
	if (stmt_run(s) != SQLITE_OK)
		return sq_note(st);
	c->applied = sqlite3_changes(q->db) > 0;
	return FG_OK;
}

/* ====================================================================== */
/* Merging another SQLite database in                                      */
/* ====================================================================== */

/*
 * The merge, step by step, inside one write transaction with the input
 * attached as "src". Runs are matched by uuid (the input was migrated when
 * it was opened, so every run has one); tests by identity. ?1 is the
 * highest run id before the merge, so that the map holds only the runs
 * this merge added.
 */
static const char *const merge_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS merge_runs"
	" (src_id INTEGER PRIMARY KEY, dst_id INTEGER NOT NULL)",
	"CREATE TEMP TABLE IF NOT EXISTS merge_tests"
	" (src_id INTEGER PRIMARY KEY, dst_id INTEGER NOT NULL)",
	"DELETE FROM temp.merge_runs",
	"DELETE FROM temp.merge_tests",
	/* 4: tests */
	"INSERT OR IGNORE INTO main.tests (suite, classname, name, file, line)"
	" SELECT suite, classname, name, file, line FROM src.tests"
	" ORDER BY id",
	/* 5: runs */
	"INSERT INTO main.runs (started_at, duration_ms, commit_sha, branch,"
	" host, ci_job, shard, exit_code, interrupted, fg_version, uuid,"
	" selection)"
	" SELECT started_at, duration_ms, commit_sha, branch, host, ci_job,"
	" shard, exit_code, interrupted, fg_version, uuid, selection"
	" FROM src.runs s"
	" WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE m.uuid = s.uuid)"
	" ORDER BY started_at, id",
	"INSERT INTO temp.merge_runs (src_id, dst_id)"
	" SELECT s.id, m.id FROM src.runs s JOIN main.runs m ON m.uuid = s.uuid"
	" WHERE m.id > ?1",
	"INSERT INTO temp.merge_tests (src_id, dst_id)"
	" SELECT s.id, m.id FROM src.tests s JOIN main.tests m"
	" ON m.suite = s.suite AND m.classname = s.classname"
	" AND m.name = s.name",
	"INSERT INTO main.run_tests (run_id, test_id, outcome, duration_ms,"
	" attempts)"
	" SELECT mr.dst_id, mt.dst_id, rt.outcome, rt.duration_ms, rt.attempts"
	" FROM temp.merge_runs mr"
	" JOIN src.run_tests rt ON rt.run_id = mr.src_id"
	" JOIN temp.merge_tests mt ON mt.src_id = rt.test_id",
	/* 9: results */
	"INSERT INTO main.results (run_id, test_id, attempt, status,"
	" duration_ms, started_at, message, output, beside, beside_names)"
	" SELECT mr.dst_id, mt.dst_id, r.attempt, r.status, r.duration_ms,"
	" r.started_at, r.message, r.output, r.beside, r.beside_names"
	" FROM temp.merge_runs mr"
	" JOIN src.results r ON r.run_id = mr.src_id"
	" JOIN temp.merge_tests mt ON mt.src_id = r.test_id",
	/* 10: the summaries of the tests that got runs are untrue now:
	 * dropped, rebuilt from the results (history/summary.c) */
	"DELETE FROM main.test_summary WHERE test_id IN"
	" (SELECT DISTINCT mt.dst_id FROM temp.merge_runs mr"
	"  JOIN src.run_tests rt ON rt.run_id = mr.src_id"
	"  JOIN temp.merge_tests mt ON mt.src_id = rt.test_id)",
};
#define MERGE_TESTS_STEP 4
#define MERGE_RUNS_STEP 5
#define MERGE_RESULTS_STEP 9

/* Prepares, binds ?1 (when the statement has it), steps and finalizes. */
static int exec_bound(struct sq *q, const char *sql, int64_t p1, int64_t *one)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, p1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (one)
			*one = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int merge_rows(struct sq *q, struct history_merge_stats *stats)
{
	int64_t max_id = 0, src_runs = 0;
	int rc = exec_bound(q, "SELECT coalesce(max(id), 0) FROM main.runs",
			    0, &max_id);

	if (rc == SQLITE_OK)
		rc = exec_bound(q, "SELECT count(*) FROM src.runs", 0,
				&src_runs);
	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(merge_sql) /
						 sizeof(merge_sql[0]); i++) {
		size_t changed;

		rc = exec_bound(q, merge_sql[i], max_id, NULL);
		changed = (size_t)sqlite3_changes(q->db);
		if (i == MERGE_TESTS_STEP)
			stats->tests_added += changed;
		else if (i == MERGE_RUNS_STEP)
			stats->runs_added += changed;
		else if (i == MERGE_RESULTS_STEP)
			stats->results_added += changed;
	}
	if (rc == SQLITE_OK)
		stats->runs_skipped = (size_t)src_runs - stats->runs_added;
	return rc;
}

static int attach_input(struct history_store *st, const char *path)
{
	struct sq *q = sq_of(st);
	sqlite3_stmt *a;
	int rc = sqlite3_prepare_v2(q->db, "ATTACH ?1 AS src", -1, &a, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(a, 1, path, -1, SQLITE_STATIC);
		rc = sqlite3_step(a) == SQLITE_DONE ? SQLITE_OK
						    : sqlite3_errcode(q->db);
		sqlite3_finalize(a);
	}
	return rc == SQLITE_OK ? FG_OK : sq_note(st);
}

static int sq_merge(struct history_store *st, struct history_store *src,
		    struct history_merge_stats *stats)
{
	struct sq *q = sq_of(st);
	int rc;

	if ((rc = attach_input(st, src->where)) != FG_OK)
		return rc;
	rc = sq_tx_begin(st);
	if (rc == FG_OK && merge_rows(q, stats) != SQLITE_OK)
		rc = sq_note(st);
	if (rc == FG_OK)
		rc = sq_tx_end(st, true);
	else
		sq_tx_end(st, false);
	sqlite3_exec(q->db, "DETACH src", NULL, NULL, NULL);
	return rc;
}

/* ====================================================================== */
/* Retention                                                               */
/* ====================================================================== */

#define DAY_MS (24LL * 60 * 60 * 1000)

static int gc_select(struct sq *q, const struct history_gc_opts *o)
{
	int64_t now = o->now_ms ? o->now_ms : fg_now_ms();
	int rc = exec_bound(q, "CREATE TEMP TABLE IF NOT EXISTS gc_runs"
			    " (id INTEGER PRIMARY KEY)", 0, NULL);

	if (rc == SQLITE_OK)
		rc = exec_bound(q, "DELETE FROM temp.gc_runs", 0, NULL);
	if (rc == SQLITE_OK && o->keep_days >= 0)
		rc = exec_bound(q, "INSERT OR IGNORE INTO temp.gc_runs"
				" SELECT id FROM runs WHERE started_at < ?1",
				now - o->keep_days * DAY_MS, NULL);
	if (rc == SQLITE_OK && o->keep_runs >= 0)
		rc = exec_bound(q, "INSERT OR IGNORE INTO temp.gc_runs"
				" SELECT id FROM runs"
				" ORDER BY started_at DESC, id DESC"
				" LIMIT -1 OFFSET ?1", o->keep_runs, NULL);
	return rc;
}

static int gc_delete(struct sq *q, struct history_gc_stats *g)
{
	int64_t n = 0;
	int rc = exec_bound(q, "SELECT count(*) FROM results WHERE run_id IN"
			    " (SELECT id FROM temp.gc_runs)", 0, &n);

	g->results = (size_t)n;
	/* The summaries of tests that lose runs are untrue now: dropped,
	 * rebuilt from what is left (history/summary.c). */
	if (rc == SQLITE_OK)
		rc = exec_bound(q, "DELETE FROM test_summary WHERE test_id IN"
				" (SELECT test_id FROM run_tests WHERE run_id IN"
				"  (SELECT id FROM temp.gc_runs))", 0, NULL);
	/* run_tests and results follow by ON DELETE CASCADE. */
	if (rc == SQLITE_OK)
		rc = exec_bound(q, "DELETE FROM runs WHERE id IN"
				" (SELECT id FROM temp.gc_runs)", 0, NULL);
	g->runs = (size_t)sqlite3_changes(q->db);
	/* A quarantined test stays, results or not: it is a decision. */
	if (rc == SQLITE_OK)
		rc = exec_bound(q, "DELETE FROM tests WHERE NOT EXISTS"
				" (SELECT 1 FROM run_tests rt"
				"  WHERE rt.test_id = tests.id)"
				" AND NOT EXISTS (SELECT 1 FROM quarantine q"
				"  WHERE q.test_id = tests.id)", 0, NULL);
	g->tests = rc == SQLITE_OK ? (size_t)sqlite3_changes(q->db) : 0;
	return rc;
}

static int64_t db_bytes(struct sq *q)
{
	int64_t pages = 0, size = 0;

	exec_bound(q, "PRAGMA page_count", 0, &pages);
	exec_bound(q, "PRAGMA page_size", 0, &size);
	return pages * size;
}

static int sq_gc(struct history_store *st, const struct history_gc_opts *o,
		 struct history_gc_stats *g)
{
	struct sq *q = sq_of(st);
	int rc;

	g->bytes_before = db_bytes(q);
	/*
	 * Foreign keys stay on here (a plain BEGIN IMMEDIATE, not
	 * sq_tx_begin()): the deletion relies on their cascades.
	 */
	q->waited_ms = 0;
	rc = exec_w(q, SW_BEGIN);
	wait_over(st);
	if (rc == SQLITE_OK)
		rc = gc_select(q, o);
	if (rc == SQLITE_OK)
		rc = gc_delete(q, g);
	if (rc == SQLITE_OK)
		rc = exec_w(q, SW_COMMIT);
	if (rc != SQLITE_OK) {
		rc = sq_note(st);
		if (!sqlite3_get_autocommit(q->db))
			exec_w(q, SW_ROLLBACK);
		return rc;
	}
	/* VACUUM cannot run inside a transaction; the deletion is durable. */
	if (o->vacuum &&
	    (exec_waiting(st, "VACUUM") != SQLITE_OK ||
	     sqlite3_exec(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
			  NULL) != SQLITE_OK))
		return sq_note(st);
	g->bytes_after = db_bytes(q);
	return FG_OK;
}

const struct history_backend history__sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.same = sq_same,
	.query = sq_query,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.durations = sq_durations,
	.tx_begin = sq_tx_begin,
	.tx_run = sq_tx_run,
	.tx_test = sq_tx_test,
	.tx_run_done = sq_tx_run_done,
	.tx_quarantine = sq_tx_quarantine,
	.tx_end = sq_tx_end,
	.tx_exec = sq_tx_exec,
	.merge_native = sq_merge,
	.gc = sq_gc,
};
