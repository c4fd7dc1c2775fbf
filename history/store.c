/* SPDX-License-Identifier: MIT */
/*
 * history/store.c - the history database (SQLite): open and migrate, write
 * runs atomically, and the queries later stages need (durations for the
 * scheduler, a test's recent attempts).
 *
 * Opening never modifies a file that is not ours: the 16-byte SQLite magic
 * is checked with plain read(2) before SQLite sees the file, and the
 * identity checks (application_id, user_version, known tables) run before
 * the first write (switching to WAL is a write). Only then is the schema
 * migrated forward, in one BEGIN IMMEDIATE transaction, re-reading
 * user_version inside it so that two processes opening a new database at
 * once migrate it exactly once.
 *
 * A run is written in one BEGIN IMMEDIATE transaction: concurrent writers
 * queue on the busy timeout instead of failing with SQLITE_BUSY halfway, and
 * a failure (or a SIGKILL: SQLite's journal does the rest) leaves nothing of
 * the run. The hot statements are prepared once per store with
 * SQLITE_PREPARE_PERSISTENT and finalized by history_store_close().
 *
 * The schema and the migration rule are documented in
 * docs/internals/history-schema.md. To change the schema: append a step to
 * schema_steps[] (never edit a released one), then update that document.
 */
#include "history/history.h"
#include "history/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FG_VERSION
#define FG_VERSION "unknown"
#endif

#define STORE_BUSY_TIMEOUT_MS 10000
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
 * never edited: a change is a new step appended at the end.
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
};

#define SCHEMA_VERSION ((int)(sizeof(schema_steps) / sizeof(schema_steps[0])))

int history_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* ====================================================================== */
/* The store and its statements                                            */
/* ====================================================================== */

enum store_stmt {
	SS_BEGIN,
	SS_COMMIT,
	SS_ROLLBACK,
	SS_RUN_INSERT,
	SS_TEST_FIND,
	SS_TEST_UPDATE,
	SS_RUN_TEST_INSERT,
	SS_RESULT_INSERT,
	SS_DUR_TESTS,
	SS_DUR_SAMPLES,
	SS_TEST_HISTORY,
	SS_LOAD_RUN,
	SS_LOAD_LATEST,
	SS_LOAD_TESTS,
	SS_FIND_BY_NAME,
	SS_TEST_ADD,
	SS_RUN_TEST_GET,
	SS_RUN_TEST_UPDATE,
	SS_RUN_FINISH,
	SS_SAVEPOINT,
	SS_RELEASE,
	SS_ROLLBACK_TO,
	SS_MAX_RESULT,
	SS_PART_STATUSES,
	SS_COUNT
};

static const char *const stmt_sql[SS_COUNT] = {
	[SS_BEGIN] = "BEGIN IMMEDIATE",
	[SS_COMMIT] = "COMMIT",
	[SS_ROLLBACK] = "ROLLBACK",
	[SS_RUN_INSERT] =
		"INSERT INTO runs (started_at, duration_ms, commit_sha, branch,"
		" host, ci_job, shard, exit_code, interrupted, fg_version, uuid)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[SS_TEST_FIND] = "SELECT id, file, line FROM tests"
			 " WHERE suite = ?1 AND classname = ?2 AND name = ?3",
	[SS_TEST_UPDATE] = "UPDATE tests SET file = coalesce(?2, file),"
			   " line = CASE WHEN ?3 > 0 THEN ?3 ELSE line END"
			   " WHERE id = ?1",
	[SS_RUN_TEST_INSERT] =
		"INSERT INTO run_tests (run_id, test_id, outcome, duration_ms,"
		" attempts) VALUES (?1, ?2, ?3, ?4, ?5)",
	[SS_RESULT_INSERT] =
		"INSERT INTO results (run_id, test_id, attempt, status,"
		" duration_ms, started_at, message, output)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SS_DUR_TESTS] = "SELECT id, suite, classname, name FROM tests"
			 " ORDER BY suite, classname, name",
	[SS_DUR_SAMPLES] = "SELECT duration_ms FROM run_tests"
			   " WHERE test_id = ?1 AND outcome IN (0, 2)"
			   " ORDER BY run_id DESC LIMIT ?2",
	[SS_TEST_HISTORY] =
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
	/*
	 * Tried before SS_TEST_FIND while new tests keep coming (the first
	 * import of a suite): one index probe instead of two. A known test
	 * changes nothing and SS_TEST_FIND follows. (Not ON CONFLICT DO
	 * NOTHING RETURNING: that statement needs a statement journal, which
	 * wrote every page a second time, 8x the write calls.)
	 */
	[SS_TEST_ADD] = "INSERT OR IGNORE INTO tests"
			" (suite, classname, name, file, line)"
			" VALUES (?1, ?2, ?3, ?4, ?5)",
	[SS_RUN_TEST_GET] = "SELECT outcome, attempts FROM run_tests"
			    " WHERE run_id = ?1 AND test_id = ?2",
	[SS_RUN_TEST_UPDATE] = "UPDATE run_tests SET outcome = ?3,"
			       " duration_ms = ?4, attempts = ?5"
			       " WHERE run_id = ?1 AND test_id = ?2",
	[SS_RUN_FINISH] = "UPDATE runs SET duration_ms = ?2, exit_code = ?3,"
			  " interrupted = ?4 WHERE id = ?1",
	[SS_SAVEPOINT] = "SAVEPOINT fg_part",
	[SS_RELEASE] = "RELEASE fg_part",
	[SS_ROLLBACK_TO] = "ROLLBACK TO fg_part",
	[SS_MAX_RESULT] = "SELECT coalesce(max(rowid), 0) FROM results",
	/* A test's attempts written since the mark (rowids only grow). */
	[SS_PART_STATUSES] = "SELECT status FROM results WHERE run_id = ?1"
			     " AND test_id = ?2 AND rowid > ?3 ORDER BY attempt",
	/* ?2: the whole spec, ?1 what precedes the name (NULL: nothing). */
	[SS_FIND_BY_NAME] =
		"SELECT suite, classname, name,"
		" CASE WHEN ?1 IS NULL THEN 1"
		"  WHEN suite = ?1 THEN 2 ELSE 3 END"
		" FROM tests WHERE name = ?2 AND (?1 IS NULL OR suite = ?1"
		"  OR (classname <> '' AND suite || '::' || classname = ?1))",
#define LOAD_RUN_COLUMNS \
	"SELECT id, started_at, duration_ms, commit_sha, branch, host," \
	" ci_job, shard, exit_code, interrupted, uuid FROM runs"
	[SS_LOAD_RUN] = LOAD_RUN_COLUMNS " WHERE id = ?1",
	[SS_LOAD_LATEST] = LOAD_RUN_COLUMNS " ORDER BY id DESC LIMIT 1",
#undef LOAD_RUN_COLUMNS
	/*
	 * One row per attempt (a test without attempts gives one row of
	 * NULLs from the LEFT JOIN), tests in identity order.
	 */
	[SS_LOAD_TESTS] =
		"SELECT t.suite, t.classname, t.name, t.file, t.line,"
		" rt.outcome, rt.duration_ms, rt.test_id, r.attempt, r.status,"
		" r.duration_ms, r.started_at, r.message, r.output"
		" FROM run_tests rt"
		" JOIN tests t ON t.id = rt.test_id"
		" LEFT JOIN results r ON r.run_id = rt.run_id"
		"  AND r.test_id = rt.test_id"
		" WHERE rt.run_id = ?1"
		" ORDER BY t.suite, t.classname, t.name, r.attempt",
};

struct history_store {
	sqlite3 *db;
	char *path;                     /* as given, for messages */
	sqlite3_stmt *stmt[SS_COUNT];   /* prepared on first use */
	sqlite3_stmt *ext[HISTORY_STMT_SLOTS]; /* other files' (internal.h) */
	/* The run being written (history_store_run_begin() .. _end()). */
	int64_t run_id;                 /* 0: no run open */
	bool merge;                     /* duplicates become more attempts */
	bool last_new;                  /* the last test written was new */
	struct fg_summary sum, sum_mark; /* outcomes so far, at the mark */
	struct fg_summary part;         /* outcomes over attempts since it */
	int64_t mark_rowid;             /* results rowid at the mark */
	bool mark_start;                /* the mark is the run's start */
	struct fg_run *run;             /* as given to run_begin */
};

/* Returns the prepared statement, or NULL with the error in the db handle. */
sqlite3_stmt *history_store_cached(struct history_store *st, int slot,
				   const char *sql)
{
	if (slot < 0 || slot >= HISTORY_STMT_SLOTS)
		FG_BUG("statement slot %d out of range", slot);
	if (!st->ext[slot] &&
	    sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &st->ext[slot], NULL) != SQLITE_OK)
		return NULL;
	return st->ext[slot];
}

static sqlite3_stmt *stmt_get(struct history_store *st, enum store_stmt id)
{
	if (!st->stmt[id] &&
	    sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &st->stmt[id],
			       NULL) != SQLITE_OK)
		return NULL;
	return st->stmt[id];
}

/* Steps a statement that returns no rows and resets it. */
static int stmt_run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int exec_stmt(struct history_store *st, enum store_stmt id)
{
	sqlite3_stmt *s = stmt_get(st, id);

	return s ? stmt_run(s) : sqlite3_errcode(st->db);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static char *column_strdup(sqlite3_stmt *s, int i)
{
	return fg_xstrdup((const char *)sqlite3_column_text(s, i));
}

void history_store_close(struct history_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < SS_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (int i = 0; i < HISTORY_STMT_SLOTS; i++)
		sqlite3_finalize(st->ext[i]);
	/* Checkpoints the WAL and removes -wal/-shm when we are the last. */
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
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
			rc = fg_fail(err, FG_EDB,
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
		return fg_fail(err, FG_EDB, "cannot open history database "
			       "'%s': %s", path, strerror(errno));
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
			return fg_fail(err, FG_EDB, "cannot read history "
				       "database '%s': %s", path, strerror(e));
		}
		n += r;
	}
	close(fd);
	if (n == 0 || (n == sizeof(buf) && !memcmp(buf, magic, sizeof(buf))))
		return FG_OK;
	return not_ours(path, "file is not a database", err);
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

/* Wraps the connection's last error, naming the path. */
static int store_fail(struct history_store *st, const char *what,
		      struct fg_error *err)
{
	int code = sqlite3_errcode(st->db);
	int sys = sqlite3_system_errno(st->db);

	if ((code & 0xff) == SQLITE_CANTOPEN)
		sys = cantopen_errno(st->path, sys);

	if ((code & 0xff) == SQLITE_NOTADB)
		return not_ours(st->path, "file is not a database", err);
	if (sys && ((code & 0xff) == SQLITE_CANTOPEN ||
		    (code & 0xff) == SQLITE_IOERR))
		return fg_fail(err, FG_EDB, "%s '%s': %s (%s)", what, st->path,
			       sqlite3_errmsg(st->db), strerror(sys));
	return fg_fail(err, FG_EDB, "%s '%s': %s", what, st->path,
		       sqlite3_errmsg(st->db));
}

static int pragma_int(struct history_store *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

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
	int app = 0, uv = 0, nobj = 0, ours = 0, rc;

	/* One read transaction: a concurrent migration is all or nothing. */
	rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "PRAGMA user_version", &uv);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "SELECT count(*) FROM sqlite_master", &nobj);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "SELECT count(*) FROM sqlite_master WHERE "
				"type = 'table' AND name IN ('runs', 'tests', "
				"'results')", &ours);
	if (rc != SQLITE_OK) {
		rc = store_fail(st, "cannot read history database", err);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (app != 0 && app != STORE_APPLICATION_ID)
		return not_ours(st->path, "it belongs to another application",
				err);
	if (uv > SCHEMA_VERSION)
		return fg_fail(err, FG_EDB,
			       "history database '%s' was created by a newer "
			       "flakeguard (schema version %d, this one knows "
			       "up to %d)",
			       st->path, uv, SCHEMA_VERSION);
	if (uv == 0 && nobj > 0)
		return not_ours(st->path, "it has tables flakeguard does not "
				"know", err);
	if (uv > 0 && app == 0 && ours < 3)
		return not_ours(st->path, "it has a user_version but none of "
				"flakeguard's tables", err);
	*version = uv;
	return FG_OK;
}

/* Runs "PRAGMA journal_mode = WAL" once; *wal tells whether it took. */
static int try_wal(struct history_store *st, bool *wal)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1,
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
	bool wal = false;
	int rc;

	/*
	 * A new database gets STORE_PAGE_SIZE pages; an existing file keeps
	 * the size in its header (the pragma is a no-op there). It has to come
	 * before the switch to WAL, which writes the first page.
	 */
	sqlite3_exec(st->db, "PRAGMA page_size = " STORE_PAGE_SIZE, NULL, NULL,
		     NULL);
	/*
	 * Switching a new database to WAL needs an exclusive lock, and SQLite
	 * returns SQLITE_BUSY there without calling the busy handler when
	 * another process is opening the same new file: retry by hand, for
	 * as long as the busy timeout.
	 */
	for (int waited = 0;; waited += 10) {
		rc = try_wal(st, &wal);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= STORE_BUSY_TIMEOUT_MS)
			break;
		usleep(10 * 1000);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL;"
				  "PRAGMA foreign_keys = ON;"
				  "PRAGMA cache_size = -32768;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, "cannot configure history database", err);
	if (!wal)
		fg_log(FG_LOG_WARN, "history", "'%s': WAL journal not available "
		       "here; concurrent runs will wait for each other",
		       st->path);
	return FG_OK;
}

/* SQLITE_CONSTRAINT when a foreign key dangles (after a rebuild step). */
static int fk_check(struct history_store *st)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s,
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
	char sql[96];
	int uv = 0, rc;

	/*
	 * Steps that rebuild a table (4 -> 5) must not cascade the DROP into
	 * the tables that reference it: foreign keys are off while migrating
	 * (the pragma is a no-op inside a transaction, hence out here) and
	 * checked before the commit.
	 */
	sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) {
		sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			     NULL);
		return store_fail(st, "cannot migrate history database", err);
	}
	/* Another process may have migrated it since check_identity(). */
	rc = pragma_int(st, "PRAGMA user_version", &uv);
	for (int v = uv; rc == SQLITE_OK && v < SCHEMA_VERSION; v++) {
		rc = sqlite3_exec(st->db, schema_steps[v], NULL, NULL, NULL);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		 STORE_APPLICATION_ID);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK && uv < SCHEMA_VERSION)
		rc = fk_check(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int frc = store_fail(st, "cannot migrate history database", err);

		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			     NULL);
		return frc;
	}
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (uv < SCHEMA_VERSION)
		fg_log(FG_LOG_INFO, "history", "'%s': schema migrated from "
		       "version %d to %d", st->path, uv, SCHEMA_VERSION);
	return FG_OK;
}

static int open_db(struct history_store *st, struct fg_error *err)
{
	int version = 0, rc;

	/*
	 * NOMUTEX: a store is only ever used by one thread at a time, so
	 * SQLite's per-call connection mutex is pure cost (~3% of a bulk
	 * import).
	 */
	rc = sqlite3_open_v2(st->path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, "cannot open history database", err);
	if (sqlite3_db_readonly(st->db, "main") == 1)
		return fg_fail(err, FG_EDB, "cannot open history database "
			       "'%s': the file is not writable", st->path);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	rc = check_identity(st, &version, err);
	if (rc == FG_OK)
		rc = configure(st, err);
	if (rc == FG_OK && version < SCHEMA_VERSION)
		rc = migrate(st, err);
	return rc;
}

int history_store_open(const char *path, struct history_store **out,
		       struct fg_error *err)
{
	struct history_store *st;
	int rc;

	*out = NULL;
	if (!path || !*path)
		return fg_fail(err, FG_EDB, "history database path is empty");
	rc = make_parent_dirs(path, err);
	if (rc == FG_OK)
		rc = check_magic(path, err);
	if (rc != FG_OK)
		return rc;
	st = fg_xcalloc(1, sizeof(*st));
	st->path = fg_xstrdup(path);
	rc = open_db(st, err);
	if (rc != FG_OK) {
		history_store_close(st);
		return rc;
	}
	*out = st;
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

int history_store_open_readonly(const char *path, struct history_store **out,
				struct fg_error *err)
{
	static const char *const modes[] = { "mode=ro", "immutable=1" };
	struct history_store *st = NULL;
	int version = 0, rc = FG_EDB;

	*out = NULL;
	if (!path || !*path)
		return fg_fail(err, FG_EDB, "history database path is empty");
	if ((rc = check_magic(path, err)) != FG_OK)
		return rc;
	/*
	 * mode=ro still wants the WAL index (-shm), which a read-only
	 * directory cannot hold; immutable=1 reads the file as it is (fine
	 * for an artifact nobody writes).
	 */
	for (size_t i = 0; i < 2; i++) {
		char *uri = file_uri(path, modes[i]);

		history_store_close(st);
		st = fg_xcalloc(1, sizeof(*st));
		st->path = fg_xstrdup(path);
		rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY |
				     SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
		if (rc != SQLITE_OK) {
			rc = store_fail(st, "cannot open history database", err);
			continue;
		}
		sqlite3_extended_result_codes(st->db, 1);
		sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
		if ((rc = check_identity(st, &version, err)) == FG_OK)
			break;
	}
	if (rc == FG_OK && version != SCHEMA_VERSION)
		rc = fg_fail(err, FG_EDB, "'%s' has schema version %d and is "
			     "read-only here: open it once where it is writable "
			     "(any flakeguard command) to migrate it to %d",
			     path, version, SCHEMA_VERSION);
	if (rc != FG_OK) {
		history_store_close(st);
		return rc;
	}
	*out = st;
	return FG_OK;
}

/* ====================================================================== */
/* Writing a run                                                           */
/* ====================================================================== */

/*
 * A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
 * getrandom(2) never fails for 16 bytes once the pool is initialised; if it
 * does anyway, SQLite's PRNG (seeded from /dev/urandom) stands in.
 */
static char *new_uuid(void)
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		sqlite3_randomness((int)sizeof(b), b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return fg_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			    "%02x%02x%02x%02x%02x%02x",
			    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
			    b[8], b[9], b[10], b[11], b[12], b[13], b[14],
			    b[15]);
}

/* Formats the failure now: any later call may reset sqlite3_errmsg(). */
static int write_fail(struct history_store *st, const struct fg_test *t,
		      struct fg_error *err)
{
	if (!t)
		return fg_fail(err, FG_EDB, "cannot write run to '%s': %s",
			       st->path, sqlite3_errmsg(st->db));
	return fg_fail(err, FG_EDB, "cannot write run to '%s': test "
		       "'%s/%s/%s': %s", st->path, t->suite, t->classname,
		       t->name, sqlite3_errmsg(st->db));
}

static int insert_run(struct history_store *st, const struct fg_run *run,
		      int64_t *id)
{
	sqlite3_stmt *s = stmt_get(st, SS_RUN_INSERT);
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
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
	rc = stmt_run(s);
	*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* Refreshes file/line of a known test when the run knows better. */
static int update_test_location(struct history_store *st,
				const struct fg_test *t, int64_t id)
{
	sqlite3_stmt *s = stmt_get(st, SS_TEST_UPDATE);

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, t->file);
	sqlite3_bind_int(s, 3, t->line);
	return stmt_run(s);
}

/* Inserts the identity row of a test not known yet; *id 0 if it is known. */
static int add_test_row(struct history_store *st, const struct fg_test *t,
			int64_t *id)
{
	sqlite3_stmt *s = stmt_get(st, SS_TEST_ADD);
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname);
	bind_text(s, 3, t->name);
	bind_text(s, 4, t->file);
	sqlite3_bind_int(s, 5, t->line > 0 ? t->line : 0);
	rc = stmt_run(s);
	*id = rc == SQLITE_OK && sqlite3_changes(st->db) == 1 ?
		      sqlite3_last_insert_rowid(st->db) : 0;
	return rc;
}

/*
 * Finds or inserts the test's identity row. SELECT first in steady state
 * (every test already known: an index probe is cheaper than an upsert);
 * while new tests keep coming, INSERT .. ON CONFLICT DO NOTHING first,
 * which saves the probe that would miss. No race: we hold the write lock.
 */
static int upsert_test(struct history_store *st, const struct fg_test *t,
		       int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if (st->last_new) {
		rc = add_test_row(st, t, id);
		if (rc != SQLITE_OK || *id)
			return rc;
	}
	s = stmt_get(st, SS_TEST_FIND);
	if (!s)
		return sqlite3_errcode(st->db);
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
		st->last_new = false;
		return stale ? update_test_location(st, t, *id) : SQLITE_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	st->last_new = true;
	return add_test_row(st, t, id);
}

static int insert_run_test(struct history_store *st, int64_t run_id,
			   int64_t test_id, const struct fg_test *t)
{
	sqlite3_stmt *s = stmt_get(st, SS_RUN_TEST_INSERT);

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, (int)t->outcome);
	sqlite3_bind_int64(s, 4, t->duration_ms);
	sqlite3_bind_int64(s, 5, (int64_t)t->nattempts);
	return stmt_run(s);
}

static int insert_attempt(struct history_store *st, int64_t run_id,
			  int64_t test_id, const struct fg_attempt *a,
			  int number)
{
	sqlite3_stmt *s = stmt_get(st, SS_RESULT_INSERT);

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, number);
	sqlite3_bind_int(s, 4, (int)a->status);
	sqlite3_bind_int64(s, 5, a->duration_ms);
	sqlite3_bind_int64(s, 6, a->started_at_ms);
	bind_text(s, 7, a->message);
	bind_text(s, 8, a->output);
	return stmt_run(s);
}

/*
 * What a test comes to when `more` (settled over its own attempts) follows
 * attempts that came to `before`: fg_test_settle() over all of them, from
 * the two outcomes alone (skipped = all skipped; failed or flaky = some
 * attempt failed; the last attempt is more's).
 */
static enum fg_outcome merge_outcome(enum fg_outcome before,
				     enum fg_outcome more)
{
	bool failed_before = before == FG_O_FAILED || before == FG_O_FLAKY;

	/*
	 * As fg_test_settle(): the last attempt that ran decides, so skipped
	 * attempts appended after a failure leave it a failure (never flaky).
	 */
	if (more == FG_O_SKIPPED)
		return before;
	if (before == FG_O_SKIPPED)
		return more;
	/* the settle rule: a pass anywhere and a failure anywhere is flaky */
	if (more == FG_O_FAILED)
		return before == FG_O_FAILED ? FG_O_FAILED : FG_O_FLAKY;
	if (failed_before || more == FG_O_FLAKY)
		return FG_O_FLAKY;
	return more == FG_O_XFAILED || more == FG_O_XPASSED ? more :
	       FG_O_PASSED;
}

static void sum_count(struct fg_summary *sum, enum fg_outcome o, int delta)
{
	size_t *c[FG_O_COUNT] = { &sum->passed, &sum->failed, &sum->flaky,
				  &sum->skipped, &sum->quarantined,
				  &sum->xfailed, &sum->xpassed };

	if ((unsigned)o < FG_O_COUNT)
		*c[o] += (size_t)delta;
}

/*
 * The part's counts (what the test's attempts since the mark come to)
 * when attempts settling as `more` are added to a known test: its
 * attempts since the mark, if any, are settled again with them.
 */
static int part_merge(struct history_store *st, int64_t test_id,
		      enum fg_outcome more)
{
	sqlite3_stmt *s = stmt_get(st, SS_PART_STATUSES);
	bool any = false, failed = false, passed = false, skipped = true;
	enum fg_astatus last = FG_A_PASSED;
	enum fg_outcome before;
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, st->run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int64(s, 3, st->mark_rowid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		last = (enum fg_astatus)sqlite3_column_int(s, 0);
		any = true;
		failed |= fg_astatus_is_failure(last);
		passed |= fg_astatus_is_pass(last);
		skipped &= last == FG_A_SKIPPED;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rc;
	if (!any) {
		st->part.total++;
		sum_count(&st->part, more, 1);
		return SQLITE_OK;
	}
	before = skipped ? FG_O_SKIPPED : failed && passed ? FG_O_FLAKY :
		 fg_astatus_is_failure(last) ?
		 FG_O_FAILED : failed ? FG_O_FLAKY :
		 last == FG_A_XFAILED ? FG_O_XFAILED :
		 last == FG_A_XPASSED ? FG_O_XPASSED : FG_O_PASSED;
	sum_count(&st->part, before, -1);
	sum_count(&st->part, merge_outcome(before, more), 1);
	return SQLITE_OK;
}

/*
 * A test this run already has (the run_tests key is taken): t's attempts
 * are appended after the stored ones and the run_tests row re-settled.
 */
static int merge_test(struct history_store *st, int64_t test_id,
		      const struct fg_test *t)
{
	sqlite3_stmt *s = stmt_get(st, SS_RUN_TEST_GET);
	enum fg_outcome before, after;
	int64_t n0;
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, st->run_id);
	sqlite3_bind_int64(s, 2, test_id);
	rc = sqlite3_step(s);
	before = (enum fg_outcome)sqlite3_column_int(s, 0);
	n0 = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	if (!t->nattempts)
		return SQLITE_OK;
	after = merge_outcome(before, t->outcome);
	rc = part_merge(st, test_id, t->outcome);
	if (rc != SQLITE_OK)
		return rc;
	for (size_t i = 0; i < t->nattempts; i++) {
		rc = insert_attempt(st, st->run_id, test_id, &t->attempts[i],
				    (int)(n0 + 1 + (int64_t)i));
		if (rc != SQLITE_OK)
			return rc;
	}
	s = stmt_get(st, SS_RUN_TEST_UPDATE);
	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, st->run_id);
	sqlite3_bind_int64(s, 2, test_id);
	sqlite3_bind_int(s, 3, (int)after);
	sqlite3_bind_int64(s, 4, t->duration_ms);
	sqlite3_bind_int64(s, 5, n0 + (int64_t)t->nattempts);
	rc = stmt_run(s);
	sum_count(&st->sum, before, -1);
	sum_count(&st->sum, after, 1);
	return rc;
}

static int write_test(struct history_store *st, const struct fg_test *t)
{
	int64_t test_id = 0;
	int rc = upsert_test(st, t, &test_id);

	if (rc == SQLITE_OK)
		rc = insert_run_test(st, st->run_id, test_id, t);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY && st->merge)
		return merge_test(st, test_id, t);
	for (size_t i = 0; rc == SQLITE_OK && i < t->nattempts; i++)
		rc = insert_attempt(st, st->run_id, test_id, &t->attempts[i],
				    t->attempts[i].number);
	if (rc == SQLITE_OK) {
		st->sum.total++;
		sum_count(&st->sum, t->outcome, 1);
		st->part.total++;
		sum_count(&st->part, t->outcome, 1);
	}
	return rc;
}

/*
 * While a run is written the page cache is kept small: a big import spills
 * dirty pages to the WAL instead of growing the process (peak RSS flat in
 * the file's size), at no measurable cost since the rows are appended.
 */
#define STORE_WRITE_CACHE_KIB "4096"
#define STORE_AFTER_WRITE "PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768"

/* Ends the open write transaction, if any, and forgets the run. */
static void run_abort(struct history_store *st)
{
	/* A failed statement or COMMIT can leave it open, or not. */
	if (!sqlite3_get_autocommit(st->db))
		exec_stmt(st, SS_ROLLBACK);
	st->run_id = 0;
	sqlite3_exec(st->db, STORE_AFTER_WRITE, NULL, NULL, NULL);
}

int history_store_run_begin(struct history_store *st, struct fg_run *run,
			    bool merge, struct fg_error *err)
{
	int64_t id = 0;

	if (st->run_id)
		FG_BUG("history_store_run_begin: a run is already open");
	if (!run->uuid)
		run->uuid = new_uuid();
	/*
	 * Foreign keys are off while the run is written: every row we insert
	 * refers to a row inserted or found just before under the same write
	 * lock, so the checks (~12% of a bulk write) cannot fail. The pragma
	 * is a no-op inside a transaction, hence before BEGIN.
	 */
	sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF;"
		     "PRAGMA cache_size = -" STORE_WRITE_CACHE_KIB, NULL, NULL,
		     NULL);
	if (exec_stmt(st, SS_BEGIN) != SQLITE_OK) {
		int rc = write_fail(st, NULL, err);

		run_abort(st);
		return rc;
	}
	if (insert_run(st, run, &id) != SQLITE_OK) {
		int rc = write_fail(st, NULL, err);

		run_abort(st);
		return rc;
	}
	st->run = run;
	st->mark_start = false;
	st->run_id = id;
	st->merge = merge;
	st->last_new = false;
	memset(&st->sum, 0, sizeof(st->sum));
	st->sum_mark = st->part = st->sum;
	st->mark_rowid = INT64_MAX; /* no mark: nothing is "since" */
	run->id = id;
	return FG_OK;
}

int history_store_run_add_test(struct history_store *st,
			       const struct fg_test *t, struct fg_error *err)
{
	if (!st->run_id)
		FG_BUG("history_store_run_add_test: no run open");
	if (write_test(st, t) != SQLITE_OK)
		return write_fail(st, t, err);
	return FG_OK;
}

int history_store_run_mark(struct history_store *st, struct fg_error *err)
{
	if (!st->run_id)
		FG_BUG("history_store_run_mark: no run open");
	/* Releasing an older mark first keeps one savepoint on the stack
	 * (with none, RELEASE fails harmlessly). */
	sqlite3_stmt *s = stmt_get(st, SS_MAX_RESULT);
	int rc;

	/*
	 * Nothing written yet: rewinding is starting over, which needs no
	 * savepoint. A savepoint makes SQLite copy every page it changes to
	 * a sub-journal first (~8% of a big import).
	 */
	st->mark_start = !st->sum.total;
	if (st->mark_start) {
		st->sum_mark = st->sum;
		memset(&st->part, 0, sizeof(st->part));
		st->mark_rowid = 0;
		return FG_OK;
	}
	exec_stmt(st, SS_RELEASE);
	if (!s || exec_stmt(st, SS_SAVEPOINT) != SQLITE_OK)
		return write_fail(st, NULL, err);
	rc = sqlite3_step(s);
	st->mark_rowid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return write_fail(st, NULL, err);
	st->sum_mark = st->sum;
	memset(&st->part, 0, sizeof(st->part));
	return FG_OK;
}

int history_store_run_rewind(struct history_store *st, struct fg_error *err)
{
	int64_t id = 0;

	if (!st->run_id)
		FG_BUG("history_store_run_rewind: no run open");
	if (st->mark_start) {
		/* Start over: the same transaction, a new runs row. */
		if (exec_stmt(st, SS_ROLLBACK) != SQLITE_OK ||
		    exec_stmt(st, SS_BEGIN) != SQLITE_OK ||
		    insert_run(st, st->run, &id) != SQLITE_OK)
			return write_fail(st, NULL, err);
		st->run_id = st->run->id = id;
	} else if (exec_stmt(st, SS_ROLLBACK_TO) != SQLITE_OK) {
		return write_fail(st, NULL, err);
	}
	st->sum = st->sum_mark;
	memset(&st->part, 0, sizeof(st->part));
	st->last_new = false;
	return FG_OK;
}

void history_store_run_summary(const struct history_store *st,
			       struct fg_summary *sum, struct fg_summary *part)
{
	if (sum)
		*sum = st->sum;
	if (part)
		*part = st->part;
}

int history_store_run_end(struct history_store *st, struct fg_run *run,
			  bool commit, struct fg_error *err)
{
	sqlite3_stmt *s;
	int rc = FG_OK;

	if (!st->run_id)
		return commit ? fg_fail(err, FG_EDB, "cannot write run to "
					"'%s': no run open", st->path) : FG_OK;
	if (!commit) {
		run_abort(st);
		run->id = 0;
		return FG_OK;
	}
	s = stmt_get(st, SS_RUN_FINISH);
	if (s) {
		sqlite3_bind_int64(s, 1, st->run_id);
		sqlite3_bind_int64(s, 2, run->duration_ms);
		sqlite3_bind_int(s, 3, run->exit_code);
		sqlite3_bind_int(s, 4, run->interrupted ? 1 : 0);
	}
	if (!s || stmt_run(s) != SQLITE_OK ||
	    exec_stmt(st, SS_COMMIT) != SQLITE_OK)
		rc = write_fail(st, NULL, err);
	if (rc != FG_OK) {
		run_abort(st);
		run->id = 0;
		return rc;
	}
	st->run_id = 0;
	sqlite3_exec(st->db, STORE_AFTER_WRITE, NULL, NULL, NULL);
	return FG_OK;
}

int history_store_write_run(struct history_store *st, struct fg_run *run,
			    struct fg_error *err)
{
	int rc = history_store_run_begin(st, run, false, err);

	for (size_t i = 0; rc == FG_OK && i < run->ntests; i++)
		rc = history_store_run_add_test(st, &run->tests[i], err);
	if (rc == FG_OK)
		return history_store_run_end(st, run, true, err);
	history_store_run_end(st, run, false, NULL);
	return rc;
}

/* ====================================================================== */
/* Queries                                                                 */
/* ====================================================================== */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Reads up to `window` passing durations of one test; returns the count. */
static int duration_samples(sqlite3_stmt *s, int64_t test_id, int window,
			    int64_t *buf, int *n)
{
	int rc;

	*n = 0;
	sqlite3_bind_int64(s, 1, test_id);
	sqlite3_bind_int(s, 2, window);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < window)
		buf[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void durations_add(struct history_durations *d, sqlite3_stmt *t,
			  int64_t *buf, int n)
{
	struct history_duration *e;

	qsort(buf, (size_t)n, sizeof(*buf), cmp_i64);
	fg_xgrow((void **)&d->items, &d->cap, d->n + 1, sizeof(*d->items));
	e = &d->items[d->n++];
	e->suite = column_strdup(t, 1);
	e->classname = column_strdup(t, 2);
	e->name = column_strdup(t, 3);
	e->median_ms = buf[(n - 1) / 2];
	e->samples = n;
}

int history_store_durations(struct history_store *st, int window,
			    struct history_durations *out, struct fg_error *err)
{
	sqlite3_stmt *tests = stmt_get(st, SS_DUR_TESTS);
	sqlite3_stmt *samples = stmt_get(st, SS_DUR_SAMPLES);
	int64_t *buf;
	int rc = SQLITE_OK, status = FG_OK, n;

	if (!tests || !samples)
		return store_fail(st, "cannot read durations from", err);
	if (window < 1)
		window = 1;
	buf = fg_xcalloc((size_t)window, sizeof(*buf));
	/*
	 * Nested statements in one read transaction: the outer walks tests
	 * in identity order (the UNIQUE index), the inner probes
	 * run_tests_by_test for the newest passing runs of each.
	 */
	sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(tests)) == SQLITE_ROW) {
		rc = duration_samples(samples, sqlite3_column_int64(tests, 0),
				      window, buf, &n);
		if (rc == SQLITE_OK && n > 0)
			durations_add(out, tests, buf, n);
	}
	if (rc != SQLITE_DONE)
		status = store_fail(st, "cannot read durations from", err);
	sqlite3_reset(tests);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	free(buf);
	if (status != FG_OK)
		history_durations_release(out);
	return status;
}

static int cmp_identity(const char *suite, const char *classname,
			const char *name, const struct history_duration *e)
{
	int c = strcmp(suite, e->suite);

	if (!c)
		c = strcmp(classname, e->classname);
	return c ? c : strcmp(name, e->name);
}

const struct history_duration *
history_durations_find(const struct history_durations *d, const char *suite,
		       const char *classname, const char *name)
{
	size_t lo = 0, hi = d->n;

	if (!classname)
		classname = "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_identity(suite, classname, name, &d->items[mid]);

		if (!c)
			return &d->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void history_durations_release(struct history_durations *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].suite);
		free(d->items[i].classname);
		free(d->items[i].name);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static void history_add_row(struct history_test_history *h, sqlite3_stmt *s)
{
	struct history_attempt_rec *r;

	fg_xgrow((void **)&h->items, &h->cap, h->n + 1, sizeof(*h->items));
	r = &h->items[h->n++];
	memset(r, 0, sizeof(*r));
	r->run_id = sqlite3_column_int64(s, 0);
	r->run_started_at_ms = sqlite3_column_int64(s, 1);
	r->commit = column_strdup(s, 2);
	r->branch = column_strdup(s, 3);
	r->outcome = (enum fg_outcome)sqlite3_column_int(s, 4);
	r->attempt.number = sqlite3_column_int(s, 5);
	r->attempt.status = (enum fg_astatus)sqlite3_column_int(s, 6);
	r->attempt.started_at_ms = sqlite3_column_int64(s, 7);
	r->attempt.duration_ms = sqlite3_column_int64(s, 8);
	r->attempt.message = column_strdup(s, 9);
	r->attempt.output = column_strdup(s, 10);
}

int history_store_test_history(struct history_store *st, const char *suite,
			       const char *classname, const char *name,
			       size_t limit, struct history_test_history *out,
			       struct fg_error *err)
{
	sqlite3_stmt *s = stmt_get(st, SS_TEST_HISTORY);
	int rc;

	if (!s)
		return store_fail(st, "cannot read test history from", err);
	bind_text(s, 1, suite ? suite : "");
	bind_text(s, 2, classname ? classname : "");
	bind_text(s, 3, name ? name : "");
	sqlite3_bind_int64(s, 4, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		history_add_row(out, s);
	rc = rc == SQLITE_DONE ? FG_OK
			       : store_fail(st, "cannot read test history from",
					    err);
	sqlite3_reset(s);
	if (rc != FG_OK)
		history_test_history_release(out);
	return rc;
}

void history_test_history_release(struct history_test_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->items[i].commit);
		free(h->items[i].branch);
		free(h->items[i].attempt.message);
		free(h->items[i].attempt.output);
	}
	free(h->items);
	memset(h, 0, sizeof(*h));
}

/* ====================================================================== */
/* Loading a run back                                                      */
/* ====================================================================== */

static void load_run_row(sqlite3_stmt *s, struct fg_run *out)
{
	out->id = sqlite3_column_int64(s, 0);
	out->started_at_ms = sqlite3_column_int64(s, 1);
	out->duration_ms = sqlite3_column_int64(s, 2);
	out->commit = column_strdup(s, 3);
	out->branch = column_strdup(s, 4);
	out->host = column_strdup(s, 5);
	out->ci_job = column_strdup(s, 6);
	out->shard = column_strdup(s, 7);
	out->exit_code = sqlite3_column_int(s, 8);
	out->interrupted = sqlite3_column_int(s, 9) != 0;
	out->uuid = column_strdup(s, 10);
}

/* Finds the run (0 = the newest); SQLITE_DONE when there is none. */
static int load_run_meta(struct history_store *st, int64_t run_id,
			 struct fg_run *out)
{
	sqlite3_stmt *s = stmt_get(st, run_id ? SS_LOAD_RUN : SS_LOAD_LATEST);
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	if (run_id)
		sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		load_run_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void load_attempt(struct fg_test *t, sqlite3_stmt *s)
{
	struct fg_attempt *a = fg_test_add_attempt(
		t, (enum fg_astatus)sqlite3_column_int(s, 9),
		sqlite3_column_int64(s, 10), NULL, NULL);

	a->number = sqlite3_column_int(s, 8);
	a->started_at_ms = sqlite3_column_int64(s, 11);
	a->message = column_strdup(s, 12);
	a->output = column_strdup(s, 13);
}

/* Rows come grouped by test: a new test_id starts a new struct fg_test. */
static int load_tests(struct history_store *st, struct fg_run *out)
{
	sqlite3_stmt *s = stmt_get(st, SS_LOAD_TESTS);
	struct fg_test *t = NULL;
	int64_t last = 0;
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	sqlite3_bind_int64(s, 1, out->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t test_id = sqlite3_column_int64(s, 7);

		if (!t || test_id != last) {
			t = fg_run_add_test(
				out, (const char *)sqlite3_column_text(s, 0),
				(const char *)sqlite3_column_text(s, 1),
				(const char *)sqlite3_column_text(s, 2));
			t->file = column_strdup(s, 3);
			t->line = sqlite3_column_int(s, 4);
			t->outcome = (enum fg_outcome)sqlite3_column_int(s, 5);
			t->duration_ms = sqlite3_column_int64(s, 6);
			last = test_id;
		}
		if (sqlite3_column_type(s, 8) != SQLITE_NULL)
			load_attempt(t, s);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int history_store_load_run(struct history_store *st, int64_t run_id,
			   struct fg_run *out, struct fg_error *err)
{
	int rc, status = FG_OK;

	fg_run_init(out);
	/* One read transaction: the run and its tests from one snapshot. */
	sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	rc = load_run_meta(st, run_id, out);
	if (rc == SQLITE_OK)
		rc = load_tests(st, out);
	if (rc == SQLITE_DONE && run_id)
		status = fg_fail(err, FG_EINVAL, "no run %lld in '%s'",
				 (long long)run_id, st->path);
	else if (rc == SQLITE_DONE)
		status = fg_fail(err, FG_EINVAL, "no run in '%s' (the "
				 "history is empty)", st->path);
	else if (rc != SQLITE_OK)
		status = store_fail(st, "cannot load run from", err);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (status != FG_OK)
		fg_run_release(out);
	return status;
}

/* ====================================================================== */
/* Merging another database in                                             */
/* ====================================================================== */

/*
 * The merge, step by step, inside one write transaction with the input
 * attached as "src". Runs are matched by uuid (the input was migrated by
 * history_store_open(), so every run has one); tests by identity. ?1 is
 * the highest run id before the merge, so that the map holds only the runs
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
	" host, ci_job, shard, exit_code, interrupted, fg_version, uuid)"
	" SELECT started_at, duration_ms, commit_sha, branch, host, ci_job,"
	" shard, exit_code, interrupted, fg_version, uuid FROM src.runs s"
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
	" duration_ms, started_at, message, output)"
	" SELECT mr.dst_id, mt.dst_id, r.attempt, r.status, r.duration_ms,"
	" r.started_at, r.message, r.output"
	" FROM temp.merge_runs mr"
	" JOIN src.results r ON r.run_id = mr.src_id"
	" JOIN temp.merge_tests mt ON mt.src_id = r.test_id",
};
#define MERGE_TESTS_STEP 4
#define MERGE_RUNS_STEP 5
#define MERGE_RESULTS_STEP 9

/* Prepares, binds ?1 (when the statement has it), steps and finalizes. */
static int exec_bound(struct history_store *st, const char *sql, int64_t p1,
		      int64_t *one)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

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

static int merge_rows(struct history_store *st,
		      struct history_merge_stats *stats)
{
	int64_t max_id = 0, src_runs = 0;
	int rc = exec_bound(st, "SELECT coalesce(max(id), 0) FROM main.runs",
			    0, &max_id);

	if (rc == SQLITE_OK)
		rc = exec_bound(st, "SELECT count(*) FROM src.runs", 0,
				&src_runs);
	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(merge_sql) /
						 sizeof(merge_sql[0]); i++) {
		size_t changed;

		rc = exec_bound(st, merge_sql[i], max_id, NULL);
		changed = (size_t)sqlite3_changes(st->db);
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

/* The input must exist (open would create it) and not be our own file. */
static int merge_check_input(struct history_store *st, const char *path,
			     struct fg_error *err)
{
	struct stat in, self;

	if (stat(path, &in) != 0)
		return fg_fail(err, FG_EDB, "cannot merge '%s': %s", path,
			       strerror(errno));
	if (!S_ISREG(in.st_mode))
		return fg_fail(err, FG_EDB, "cannot merge '%s': not a regular "
			       "file", path);
	if (stat(st->path, &self) == 0 && self.st_dev == in.st_dev &&
	    self.st_ino == in.st_ino)
		return fg_fail(err, FG_EINVAL, "cannot merge '%s' into itself",
			       path);
	return FG_OK;
}

static int attach_input(struct history_store *st, const char *path,
			struct fg_error *err)
{
	sqlite3_stmt *a;
	int rc = sqlite3_prepare_v2(st->db, "ATTACH ?1 AS src", -1, &a, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(a, 1, path, -1, SQLITE_STATIC);
		rc = sqlite3_step(a) == SQLITE_DONE ? SQLITE_OK
						    : sqlite3_errcode(st->db);
		sqlite3_finalize(a);
	}
	if (rc != SQLITE_OK)
		return fg_fail(err, FG_EDB, "cannot attach '%s' to '%s': %s",
			       path, st->path, sqlite3_errmsg(st->db));
	return FG_OK;
}

int history_store_merge(struct history_store *st, const char *path,
			struct history_merge_stats *stats, struct fg_error *err)
{
	struct history_store *src = NULL;
	struct history_merge_stats s = { 0 };
	int rc;

	if ((rc = merge_check_input(st, path, err)) != FG_OK)
		return rc;
	/* Identity checks, and migration (uuids) of an older input. */
	if ((rc = history_store_open(path, &src, err)) != FG_OK)
		return rc;
	history_store_close(src);
	if ((rc = attach_input(st, path, err)) != FG_OK)
		return rc;
	rc = exec_stmt(st, SS_BEGIN);
	if (rc == SQLITE_OK)
		rc = merge_rows(st, &s);
	if (rc == SQLITE_OK)
		rc = exec_stmt(st, SS_COMMIT);
	if (rc != SQLITE_OK) {
		rc = fg_fail(err, FG_EDB, "cannot merge '%s' into '%s': %s",
			     path, st->path, sqlite3_errmsg(st->db));
		if (!sqlite3_get_autocommit(st->db))
			exec_stmt(st, SS_ROLLBACK);
	}
	sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL);
	if (rc == FG_OK && stats) {
		stats->runs_added += s.runs_added;
		stats->runs_skipped += s.runs_skipped;
		stats->tests_added += s.tests_added;
		stats->results_added += s.results_added;
	}
	return rc;
}

/* ====================================================================== */
/* Retention                                                               */
/* ====================================================================== */

#define DAY_MS (24LL * 60 * 60 * 1000)

static const char *const gc_sql[] = {
	"CREATE TEMP TABLE IF NOT EXISTS gc_runs (id INTEGER PRIMARY KEY)",
	"DELETE FROM temp.gc_runs",
};

static int gc_select(struct history_store *st,
		     const struct history_gc_opts *o)
{
	int64_t now = o->now_ms ? o->now_ms : fg_now_ms();
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < 2; i++)
		rc = exec_bound(st, gc_sql[i], 0, NULL);
	if (rc == SQLITE_OK && o->keep_days >= 0)
		rc = exec_bound(st, "INSERT OR IGNORE INTO temp.gc_runs"
				" SELECT id FROM runs WHERE started_at < ?1",
				now - o->keep_days * DAY_MS, NULL);
	if (rc == SQLITE_OK && o->keep_runs >= 0)
		rc = exec_bound(st, "INSERT OR IGNORE INTO temp.gc_runs"
				" SELECT id FROM runs"
				" ORDER BY started_at DESC, id DESC"
				" LIMIT -1 OFFSET ?1", o->keep_runs, NULL);
	return rc;
}

static int gc_delete(struct history_store *st, struct history_gc_stats *g)
{
	int64_t n = 0;
	int rc = exec_bound(st, "SELECT count(*) FROM results WHERE run_id IN"
			    " (SELECT id FROM temp.gc_runs)", 0, &n);

	g->results = (size_t)n;
	/* run_tests and results follow by ON DELETE CASCADE. */
	if (rc == SQLITE_OK)
		rc = exec_bound(st, "DELETE FROM runs WHERE id IN"
				" (SELECT id FROM temp.gc_runs)", 0, NULL);
	g->runs = (size_t)sqlite3_changes(st->db);
	/* A quarantined test stays, results or not: it is a decision. */
	if (rc == SQLITE_OK)
		rc = exec_bound(st, "DELETE FROM tests WHERE NOT EXISTS"
				" (SELECT 1 FROM run_tests rt"
				"  WHERE rt.test_id = tests.id)"
				" AND NOT EXISTS (SELECT 1 FROM quarantine q"
				"  WHERE q.test_id = tests.id)", 0, NULL);
	g->tests = rc == SQLITE_OK ? (size_t)sqlite3_changes(st->db) : 0;
	return rc;
}

static int64_t db_bytes(struct history_store *st)
{
	int64_t pages = 0, size = 0;

	exec_bound(st, "PRAGMA page_count", 0, &pages);
	exec_bound(st, "PRAGMA page_size", 0, &size);
	return pages * size;
}

int history_store_gc(struct history_store *st,
		     const struct history_gc_opts *opts,
		     struct history_gc_stats *stats, struct fg_error *err)
{
	struct history_gc_stats g = { 0 };
	int rc;

	if (opts->keep_days < 0 && opts->keep_runs < 0)
		return fg_fail(err, FG_EINVAL, "gc: nothing to do (give a "
			       "number of days or runs to keep)");
	g.bytes_before = db_bytes(st);
	rc = exec_stmt(st, SS_BEGIN);
	if (rc == SQLITE_OK)
		rc = gc_select(st, opts);
	if (rc == SQLITE_OK)
		rc = gc_delete(st, &g);
	if (rc == SQLITE_OK)
		rc = exec_stmt(st, SS_COMMIT);
	if (rc != SQLITE_OK) {
		rc = store_fail(st, "cannot delete old runs from", err);
		if (!sqlite3_get_autocommit(st->db))
			exec_stmt(st, SS_ROLLBACK);
		return rc;
	}
	/* VACUUM cannot run inside a transaction; the deletion is durable. */
	if (opts->vacuum &&
	    (sqlite3_exec(st->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK ||
	     sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
			  NULL) != SQLITE_OK))
		return store_fail(st, "cannot vacuum", err);
	g.bytes_after = db_bytes(st);
	if (stats)
		*stats = g;
	return FG_OK;
}

/* ====================================================================== */
/* Finding a test by what a user types                                     */
/* ====================================================================== */

static void ids_add(struct history_test_ids *out, sqlite3_stmt *s)
{
	struct history_test_id *e;

	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->items[i].suite,
			    (const char *)sqlite3_column_text(s, 0)) &&
		    !strcmp(out->items[i].classname,
			    (const char *)sqlite3_column_text(s, 1)) &&
		    !strcmp(out->items[i].name,
			    (const char *)sqlite3_column_text(s, 2)))
			return;
	fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
		 sizeof(*out->items));
	e = &out->items[out->n++];
	e->suite = column_strdup(s, 0);
	e->classname = column_strdup(s, 1);
	e->name = column_strdup(s, 2);
	e->rank = sqlite3_column_int(s, 3);
}

/* Candidates whose name is spec + off and whose prefix is spec[0..plen). */
static int find_split(struct history_store *st, const char *spec,
		      size_t plen, size_t off, struct history_test_ids *out)
{
	sqlite3_stmt *s = stmt_get(st, SS_FIND_BY_NAME);
	int rc;

	if (!s)
		return sqlite3_errcode(st->db);
	if (off)
		sqlite3_bind_text(s, 1, spec, (int)plen, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, spec + off, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ids_add(out, s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int history_store_find_tests(struct history_store *st, const char *spec,
			     struct history_test_ids *out,
			     struct fg_error *err)
{
	int rc = find_split(st, spec, 0, 0, out);

	/* Every "::" may end the prefix: names may hold "::" themselves. */
	for (const char *p = strstr(spec, "::"); rc == SQLITE_OK && p;
	     p = strstr(p + 1, "::"))
		rc = find_split(st, spec, (size_t)(p - spec),
				(size_t)(p - spec) + 2, out);
	if (rc != SQLITE_OK) {
		history_test_ids_release(out);
		return store_fail(st, "cannot look tests up in", err);
	}
	return FG_OK;
}

void history_test_ids_release(struct history_test_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++) {
		free(ids->items[i].suite);
		free(ids->items[i].classname);
		free(ids->items[i].name);
	}
	free(ids->items);
	memset(ids, 0, sizeof(*ids));
}

/* ====================================================================== */
/* For the other files of history/ (history/internal.h)                    */
/* ====================================================================== */

sqlite3 *history_store_db(struct history_store *st)
{
	return st->db;
}

const char *history_store_path(const struct history_store *st)
{
	return st->path;
}

int history_store_count_runs(struct history_store *st, int64_t *n,
			     struct fg_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM runs", -1, &s,
				NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return FG_OK;
	}
	sqlite3_finalize(s);
	return fg_fail(err, FG_EDB, "%s: counting runs: %s", st->path,
		       sqlite3_errmsg(st->db));
}

int history_store_run_ids(struct history_store *st, int64_t since_ms,
			  int64_t **ids, size_t *n, struct fg_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(st->db, "SELECT id FROM runs WHERE "
				"started_at >= ?1 ORDER BY started_at, id",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, since_ms);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			fg_xgrow((void **)ids, &cap, *n + 1, sizeof(**ids));
			(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return FG_OK;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return fg_fail(err, FG_EDB, "%s: listing runs: %s", st->path,
		       sqlite3_errmsg(st->db));
}

int history_store_has_run(struct history_store *st, const char *uuid,
			  bool *has, struct fg_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "SELECT 1 FROM runs WHERE uuid = ?1",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*has = rc == SQLITE_ROW;
		return FG_OK;
	}
	return fg_fail(err, FG_EDB, "%s: looking up run %s: %s", st->path,
		       uuid, sqlite3_errmsg(st->db));
}

int history_store_recent_runs(struct history_store *st, size_t limit,
			      struct history_run_brief **out, size_t *n,
			      struct fg_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(st->db, "SELECT id, started_at, duration_ms,"
				" exit_code FROM runs ORDER BY started_at DESC,"
				" id DESC LIMIT ?1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)limit);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct history_run_brief *b;

			fg_xgrow((void **)out, &cap, *n + 1, sizeof(**out));
			b = &(*out)[(*n)++];
			b->id = sqlite3_column_int64(s, 0);
			b->started_at_ms = sqlite3_column_int64(s, 1);
			b->duration_ms = sqlite3_column_int64(s, 2);
			b->exit_code = sqlite3_column_int(s, 3);
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		/* oldest first, as charts read */
		for (size_t i = 0; i < *n / 2; i++) {
			struct history_run_brief t = (*out)[i];

			(*out)[i] = (*out)[*n - 1 - i];
			(*out)[*n - 1 - i] = t;
		}
		return FG_OK;
	}
	free(*out);
	*out = NULL;
	*n = 0;
	return fg_fail(err, FG_EDB, "%s: listing runs: %s", st->path,
		       sqlite3_errmsg(st->db));
}
