/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_store.c - the history database, on real SQLite files
 * and, with FG_TEST_DB_URL set to a PostgreSQL database, on a real server.
 *
 * One suite, two backends: the cases in common[] run on either, each on a
 * fresh store (a mkdtemp() directory's file, or a schema of its own in the
 * server's database, dropped afterwards); sqlite_only[] and pg_only[] test
 * what only one backend has (file identity checks, WAL and lock waits;
 * connection errors, server-side schema checks). `make check` runs the
 * binary twice, once without FG_TEST_DB_URL and once against a throwaway
 * cluster (tests/pg/cluster.sh).
 *
 * Results are read back with plain SQL through a separate connection,
 * never through the store, so a test checks what is in the database
 * rather than what the store believes. The concurrency and crash cases
 * fork real processes: writers at once, quarantine decisions at once, and
 * a writer SIGKILLed in the middle of a big transaction.
 */
#include "history/history.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* FG_TEST_DB_URL: the PostgreSQL database to test in; NULL: SQLite. */
static const char *pg_base;

struct fixture {
	char dir[64];
	char db[512];      /* the store under test: a path or a URL */
	char schema[48];   /* PostgreSQL: the prefix of this case's schemas */
};

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static bool is_pg(const char *where)
{
	return history_store_is_url(where);
}

static PGconn *pg_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", url, PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

/*
 * Another history of this case: dir/NAME.db, or on PostgreSQL the schema
 * <case>_NAME of the test database (created by whoever writes it first).
 */
static void db_named(const struct fixture *fx, const char *name, char *out,
		     size_t n)
{
	if (!pg_base)
		snprintf(out, n, "%s/%s.db", fx->dir, name);
	else
		snprintf(out, n, "%s%soptions=-csearch_path%%3D%s_%s", pg_base,
			 strchr(pg_base, '?') ? "&" : "?", fx->schema, name);
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int fixture_setup(void **state)
{
	static unsigned seq;
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/fg-store-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->schema, sizeof(fx->schema), "fgt%d_%u", (int)getpid(),
		 ++seq);
	db_named(fx, "history", fx->db, sizeof(fx->db));
	*state = fx;
	return 0;
}

/* Drops every schema this case made (prefix fx->schema). */
static void drop_schemas(const struct fixture *fx)
{
	PGconn *c = pg_connect(pg_base);
	char sql[256];
	PGresult *r;

	snprintf(sql, sizeof(sql), "SELECT quote_ident(nspname) FROM "
		 "pg_namespace WHERE nspname LIKE '%s\\_%%'", fx->schema);
	r = PQexec(c, sql);
	for (int i = 0; i < PQntuples(r); i++) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE",
			 PQgetvalue(r, i, 0));
		PQclear(PQexec(c, sql));
	}
	PQclear(r);
	PQfinish(c);
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	chmod(fx->dir, 0700);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (pg_base)
		drop_schemas(fx);
	free(fx);
	return 0;
}

/* Runs one query on its own connection; the first column as text. */
static char *pg_text(const char *url, const char *sql, bool *null)
{
	PGconn *c = pg_connect(url);
	PGresult *r = PQexec(c, sql);
	char *v = NULL;

	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	*null = !PQntuples(r) || PQgetisnull(r, 0, 0);
	if (!*null)
		v = fg_xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}

/* Runs one query on its own connection; returns the first column. */
static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	if (is_pg(path)) {
		bool null;
		char *t = pg_text(path, sql, &null);

		v = null ? -1 : strtoll(t, NULL, 10);
		free(t);
		return v;
	}
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Like sql_int() for a text result; the caller frees it. */
static char *sql_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *v = NULL;

	if (is_pg(path)) {
		bool null;

		return pg_text(path, sql, &null);
	}
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = fg_xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	if (is_pg(path)) {
		PGconn *c = pg_connect(path);
		PGresult *r = PQexec(c, sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return;
	}
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/*
 * SQLite: integrity_check and foreign_key_check. PostgreSQL enforces its
 * foreign keys itself; check that no row dangles all the same.
 */
static void assert_integrity(const char *path)
{
	char *ok;

	if (is_pg(path)) {
		assert_int_equal(sql_int(path, "SELECT count(*) FROM results r"
					 " WHERE NOT EXISTS (SELECT 1 FROM"
					 " run_tests rt WHERE rt.run_id ="
					 " r.run_id AND rt.test_id = r.test_id)"),
				 0);
		assert_int_equal(sql_int(path, "SELECT count(*) FROM run_tests"
					 " rt WHERE NOT EXISTS (SELECT 1 FROM"
					 " runs WHERE id = rt.run_id)"), 0);
		return;
	}
	ok = sql_text(path, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM "
				 "pragma_foreign_key_check"), 0);
}

/* FNV-1a over the file's bytes, mixed with its size and mtime. */
static uint64_t file_sum(const char *path)
{
	struct stat sb;
	unsigned char buf[4096];
	uint64_t h = 1469598103934665603ULL;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	return h ^ (uint64_t)sb.st_size ^ ((uint64_t)sb.st_mtim.tv_nsec << 20);
}

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* No -wal, -shm or -journal was left beside path. */
static void assert_no_sidecars(const char *path)
{
	static const char *const ext[] = { "-wal", "-shm", "-journal" };
	char p[256];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		assert_false(exists(p));
	}
}

/*
 * A run of n tests "s<k>/c<k%7>/t<k>" for k in [0, n). Every 10th test is
 * flaky (fail, then pass), every 25th fails twice; output_len bytes of
 * output on each attempt make big runs big.
 */
static void make_run(struct fg_run *run, size_t n, size_t output_len)
{
	char suite[32], cls[32], name[32];
	char *out = NULL;

	fg_run_init(run);
	run->commit = fg_xstrdup("0123abcd");
	run->branch = fg_xstrdup("main");
	run->host = fg_xstrdup("builder-1");
	run->shard = fg_xstrdup("1/2");
	run->started_at_ms = 1700000000000;
	run->duration_ms = 4321;
	if (output_len) {
		out = fg_xmalloc(output_len + 1);
		memset(out, 'o', output_len);
		out[output_len] = '\0';
	}
	for (size_t k = 0; k < n; k++) {
		struct fg_test *t;

		snprintf(suite, sizeof(suite), "s%zu", k % 3);
		snprintf(cls, sizeof(cls), "c%zu", k % 7);
		snprintf(name, sizeof(name), "t%zu", k);
		t = fg_run_add_test(run, suite, cls, name);
		if (k % 10 == 1) {
			/* a failure beside others, its retry alone */
			struct fg_attempt *a = fg_test_add_attempt(
				t, FG_A_FAILED, 30, "boom", out);

			a->beside = 3;
			a->beside_names = fg_xstrdup("s1::port\ns2::x");
		}
		if (k % 25 == 2) {
			fg_test_add_attempt(t, FG_A_FAILED, 40, "x", out);
			fg_test_add_attempt(t, FG_A_TIMEOUT, 50, "y", out);
		} else {
			fg_test_add_attempt(t, FG_A_PASSED, 10 + (int)(k % 5),
					    NULL, out)->beside = k % 10 == 1 ? 0 : -1;
		}
		fg_test_settle(t);
	}
	free(out);
}

static struct history_store *open_ok(const char *path)
{
	struct history_store *st = NULL;
	struct fg_error err = { 0 };

	if (history_store_open(path, &st, &err) != FG_OK)
		fail_msg("open: %s", err.msg);
	return st;
}

static void write_ok(struct history_store *st, struct fg_run *run)
{
	struct fg_error err = { 0 };

	if (history_store_write_run(st, run, &err) != FG_OK)
		fail_msg("write_run: %s", err.msg);
	assert_true(run->id > 0);
}

/* Opens path expecting FG_EDB with `needle` (and the path) in the message. */
static void open_refused(const char *path, const char *needle)
{
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	int rc = history_store_open(path, &st, &err);

	assert_int_equal(rc, err.code);
	assert_null(st);
	assert_true(err.code == FG_EDB || err.code == FG_EDBUNAVAIL);
	if (!strstr(err.msg, needle) || !strstr(err.msg, path))
		fail_msg("message \"%s\" lacks \"%s\" or the path", err.msg,
			 needle);
}

static int64_t count(const char *path, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return sql_int(path, sql);
}

/* ---------------------------------------------------------------------- */
/* Creating, writing, reading back                                        */
/* ---------------------------------------------------------------------- */

static void test_store_create_write_read(void **state)
{
	struct fixture *fx = *state;
	char path[600];
	struct history_store *st;
	struct fg_run run;
	struct fg_test *t;
	char *s;

	/* A missing parent directory is created (mkdir -p); a missing
	 * schema on PostgreSQL. */
	if (pg_base)
		snprintf(path, sizeof(path), "%s", fx->db);
	else
		snprintf(path, sizeof(path), "%s/a/b/c/history.db", fx->dir);
	st = open_ok(path);
	assert_string_equal(history_store_backend(st),
			    pg_base ? "postgresql" : "sqlite");

	fg_run_init(&run);
	run.commit = fg_xstrdup("deadbeef");
	run.branch = fg_xstrdup("feature/x");
	run.host = fg_xstrdup("ci-7");
	run.ci_job = fg_xstrdup("https://ci/job/9");
	run.shard = fg_xstrdup("2/4");
	run.started_at_ms = 1712345678901;
	run.duration_ms = 9876;
	run.exit_code = 1;
	run.interrupted = true;
	t = fg_run_add_test(&run, "unit", "math", "adds");
	t->file = fg_xstrdup("tests/math.c");
	t->line = 42;
	fg_test_add_attempt(t, FG_A_PASSED, 12, NULL, NULL)->started_at_ms = 5;
	fg_test_settle(t);
	t = fg_run_add_test(&run, "unit", "net", "connects");
	fg_test_add_attempt(t, FG_A_TIMEOUT, 3000, "timed out", "waiting...");
	fg_test_add_attempt(t, FG_A_PASSED, 20, NULL, "ok");
	fg_test_settle(t);
	t = fg_run_add_test(&run, "unit", NULL, "broken");
	fg_test_add_attempt(t, FG_A_FAILED, 7, "assert x == 1", "x = 2");
	fg_test_add_attempt(t, FG_A_CRASHED, 8, "SIGSEGV", NULL);
	fg_test_settle(t);
	t = fg_run_add_test(&run, "e2e", "", "skipped");
	fg_test_add_attempt(t, FG_A_SKIPPED, 0, "not on this OS", NULL);
	fg_test_settle(t);

	write_ok(st, &run);
	history_store_close(st);

	assert_int_equal(history_store_schema_version(), 8);
	if (pg_base) {
		assert_int_equal(sql_int(path, "SELECT version FROM "
					 "flakeguard_schema"),
				 history_store_schema_version());
	} else {
		assert_int_equal(sql_int(path, "PRAGMA user_version"),
				 history_store_schema_version());
		/* big pages (history/store_sqlite.c STORE_PAGE_SIZE) */
		assert_int_equal(sql_int(path, "PRAGMA page_size"), 16384);
		s = sql_text(path, "PRAGMA journal_mode");
		assert_string_equal(s, "wal");
		free(s);
	}
	assert_integrity(path);

	assert_int_equal(count(path, "runs"), 1);
	assert_int_equal(sql_int(path, "SELECT id FROM runs"), run.id);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM runs WHERE "
				 "started_at = 1712345678901 AND duration_ms = "
				 "9876 AND commit_sha = 'deadbeef' AND branch = "
				 "'feature/x' AND host = 'ci-7' AND ci_job = "
				 "'https://ci/job/9' AND shard = '2/4' AND "
				 "exit_code = 1 AND interrupted = 1"), 1);
	s = sql_text(path, "SELECT fg_version FROM runs");
	assert_string_equal(s, FG_VERSION);
	free(s);

	assert_int_equal(count(path, "tests"), 4);
	assert_int_equal(sql_int(path, "SELECT line FROM tests WHERE suite = "
				 "'unit' AND classname = 'math' AND name = "
				 "'adds' AND file = 'tests/math.c'"), 42);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM tests WHERE "
				 "classname = '' AND file IS NULL"), 2);

	assert_int_equal(count(path, "run_tests"), 4);
	assert_int_equal(count(path, "results"), 6);
	assert_int_equal(sql_int(path, "SELECT rt.outcome FROM run_tests rt "
				 "JOIN tests t ON t.id = rt.test_id WHERE "
				 "t.name = 'connects'"), FG_O_FLAKY);
	assert_int_equal(sql_int(path, "SELECT rt.attempts FROM run_tests rt "
				 "JOIN tests t ON t.id = rt.test_id WHERE "
				 "t.name = 'broken' AND rt.outcome = 1"), 2);
	assert_int_equal(sql_int(path, "SELECT outcome FROM run_tests rt "
				 "JOIN tests t ON t.id = rt.test_id WHERE "
				 "t.name = 'skipped'"), FG_O_SKIPPED);
	assert_int_equal(sql_int(path, "SELECT status FROM results r JOIN "
				 "tests t ON t.id = r.test_id WHERE t.name = "
				 "'connects' AND r.attempt = 1"), FG_A_TIMEOUT);
	assert_int_equal(sql_int(path, "SELECT duration_ms FROM results r "
				 "JOIN tests t ON t.id = r.test_id WHERE "
				 "t.name = 'connects' AND r.attempt = 2"), 20);
	assert_int_equal(sql_int(path, "SELECT started_at FROM results r JOIN "
				 "tests t ON t.id = r.test_id WHERE "
				 "t.name = 'adds'"), 5);
	s = sql_text(path, "SELECT message || '|' || output FROM results r "
		     "JOIN tests t ON t.id = r.test_id WHERE t.name = 'broken' "
		     "AND r.attempt = 1");
	assert_string_equal(s, "assert x == 1|x = 2");
	free(s);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM results WHERE "
				 "message IS NULL AND output IS NULL"), 1);
	fg_run_release(&run);
}

static void test_store_reopen_and_query(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct history_durations d = { 0 };
	struct history_test_history h = { 0 };
	const struct history_duration *e;
	struct fg_error err = { 0 };
	struct fg_run run;
	int64_t first;

	make_run(&run, 50, 0);
	write_ok(st, &run);
	first = run.id;
	fg_run_release(&run);
	history_store_close(st);

	/* Reopen: same tests again, with a known file for one of them. */
	st = open_ok(fx->db);
	make_run(&run, 50, 0);
	free(run.commit);
	run.commit = fg_xstrdup("feedf00d");
	run.tests[0].file = fg_xstrdup("t0.c");
	run.tests[0].line = 3;
	run.tests[0].attempts[0].duration_ms = 100;
	fg_test_settle(&run.tests[0]);
	write_ok(st, &run);
	assert_true(run.id > first);
	fg_run_release(&run);

	assert_int_equal(count(fx->db, "runs"), 2);
	assert_int_equal(count(fx->db, "tests"), 50);
	assert_int_equal(count(fx->db, "run_tests"), 100);
	assert_int_equal(sql_int(fx->db, "SELECT line FROM tests WHERE "
				 "name = 't0' AND file = 't0.c'"), 3);

	/* Durations: passing runs only, median of the newest window. */
	assert_int_equal(history_store_durations(st, 5, &d, &err), FG_OK);
	/* Tests with k % 25 == 2 never passed: 50 - 2. */
	assert_int_equal(d.n, 48);
	e = history_durations_find(&d, "s0", "c0", "t0");
	assert_non_null(e);
	assert_int_equal(e->samples, 2);
	assert_int_equal(e->median_ms, 10); /* lower middle of {10, 100} */
	assert_null(history_durations_find(&d, "s2", "c2", "t2"));
	assert_null(history_durations_find(&d, "nope", NULL, "t0"));
	e = history_durations_find(&d, "s1", "c1", "t1"); /* flaky: passes */
	assert_non_null(e);
	assert_int_equal(e->median_ms, 11);
	for (size_t i = 0; i < d.n; i++)
		assert_ptr_equal(history_durations_find(&d, d.items[i].suite,
							d.items[i].classname,
							d.items[i].name),
				 &d.items[i]);
	history_durations_release(&d);
	assert_int_equal(history_store_durations(st, 1, &d, &err), FG_OK);
	assert_int_equal(history_durations_find(&d, "s0", "c0", "t0")->median_ms,
			 100);
	history_durations_release(&d);

	/* A flaky test's history: newest run first, last attempt first. */
	assert_int_equal(history_store_test_history(st, "s1", "c1", "t1", 3,
						    &h, &err), FG_OK);
	assert_int_equal(h.n, 3);
	assert_true(h.items[0].run_id > first);
	assert_string_equal(h.items[0].commit, "feedf00d");
	assert_string_equal(h.items[0].branch, "main");
	assert_int_equal(h.items[0].outcome, FG_O_FLAKY);
	assert_int_equal(h.items[0].attempt.number, 2);
	assert_int_equal(h.items[0].attempt.status, FG_A_PASSED);
	assert_int_equal(h.items[1].attempt.number, 1);
	assert_string_equal(h.items[1].attempt.message, "boom");
	assert_int_equal(h.items[2].run_id, first);
	assert_int_equal(h.items[2].run_started_at_ms, 1700000000000);
	history_test_history_release(&h);
	assert_int_equal(history_store_test_history(st, "s1", "c1", "nope", 10,
						    &h, &err), FG_OK);
	assert_int_equal(h.n, 0);
	history_test_history_release(&h);

	history_store_close(st);
	history_store_close(NULL);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* Refusing what is not ours, untouched                                    */
/* ---------------------------------------------------------------------- */

static void test_store_refuses_text_file(void **state)
{
	struct fixture *fx = *state;
	static const char text[] = "this is my shopping list\n- eggs\n";
	uint64_t sum;

	write_file(fx->db, text, sizeof(text) - 1);
	sum = file_sum(fx->db);
	open_refused(fx->db, "is not a flakeguard history database (file is "
		     "not a database)");
	assert_int_equal(file_sum(fx->db), sum);
	assert_no_sidecars(fx->db);
}

static void test_store_refuses_random_bytes(void **state)
{
	struct fixture *fx = *state;
	unsigned char buf[8192];
	uint32_t x = 2463534242u;
	uint64_t sum;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	write_file(fx->db, buf, sizeof(buf));
	sum = file_sum(fx->db);
	open_refused(fx->db, "(file is not a database)");
	assert_int_equal(file_sum(fx->db), sum);
	assert_no_sidecars(fx->db);

	/* The SQLite magic followed by garbage: SQLite itself says no. */
	memcpy(buf, "SQLite format 3", 16);
	write_file(fx->db, buf, sizeof(buf));
	sum = file_sum(fx->db);
	open_refused(fx->db, "is not a flakeguard history database");
	assert_int_equal(file_sum(fx->db), sum);
}

static void test_store_refuses_foreign_sqlite(void **state)
{
	struct fixture *fx = *state;
	uint64_t sum;

	sql_exec(fx->db, "CREATE TABLE customers (id INTEGER, name TEXT);"
		 "INSERT INTO customers VALUES (1, 'ada');");
	sum = file_sum(fx->db);
	open_refused(fx->db, "it has tables flakeguard does not know");
	assert_int_equal(file_sum(fx->db), sum);
	assert_int_equal(count(fx->db, "customers"), 1);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), 0);

	/* Another application's id is refused even when empty. */
	remove(fx->db);
	sql_exec(fx->db, "PRAGMA application_id = 1234; VACUUM;");
	sum = file_sum(fx->db);
	open_refused(fx->db, "belongs to another application");
	assert_int_equal(file_sum(fx->db), sum);
}

static void test_store_refuses_newer_version(void **state)
{
	struct fixture *fx = *state;
	char want[64];
	uint64_t sum;

	history_store_close(open_ok(fx->db));
	snprintf(want, sizeof(want), "PRAGMA user_version = %d",
		 history_store_schema_version() + 1);
	sql_exec(fx->db, want);
	sum = file_sum(fx->db);
	open_refused(fx->db, "created by a newer flakeguard");
	assert_int_equal(file_sum(fx->db), sum);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
			 history_store_schema_version() + 1);
}

/*
 * Opens dir/rel as a user without write permission on dir, expecting
 * `needle`. Root ignores permissions, so as root the check runs in a child
 * that has dropped to nobody (65534).
 */
static void as_unprivileged(const char *dir, const char *rel,
			    const char *needle)
{
	char path[320];
	pid_t pid;
	int ws;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (geteuid() != 0) {
		open_refused(path, needle);
		assert_false(exists(path));
		return;
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct history_store *st = NULL;
		struct fg_error err = { 0 };
		int rc;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		rc = history_store_open(path, &st, &err);
		if (rc != FG_EDBUNAVAIL || st || !strstr(err.msg, needle) ||
		    !strstr(err.msg, path)) {
			fprintf(stderr, "unexpected: %d \"%s\"\n", rc, err.msg);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_false(exists(path));
}

static void test_store_unwritable_paths(void **state)
{
	struct fixture *fx = *state;
	char path[320], dir[128];

	open_refused("/proc/flakeguard-nope/y.db", "No such file or directory");

	/* A regular file where a directory should be. */
	snprintf(dir, sizeof(dir), "%s/plain", fx->dir);
	write_file(dir, "x", 1);
	snprintf(path, sizeof(path), "%s/sub/h.db", dir);
	open_refused(path, "is not a directory");

	/* The path is a directory. */
	open_refused(fx->dir, "is a directory");

	/* A directory we may not write to, as an unprivileged user. */
	snprintf(dir, sizeof(dir), "%s/ro", fx->dir);
	assert_int_equal(mkdir(dir, 0555), 0);
	assert_int_equal(chmod(fx->dir, 0711), 0);
	as_unprivileged(dir, "h.db", "unable to open database file "
			"(Permission denied)");
	as_unprivileged(dir, "sub/h.db", "cannot create directory");
	assert_no_sidecars(fx->db);
}

/* ---------------------------------------------------------------------- */
/* Migrations                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Forward migration from version 0. When a version 2 appears, add a case
 * that builds a version-1 database with real rows (the SQL of
 * schema_steps[0] as released), opens it, and checks the rows survived.
 */
static void test_store_migrates_empty_v0(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st;
	struct fg_run run;

	/* A real SQLite file at user_version 0 with no schema objects. */
	sql_exec(fx->db, "CREATE TABLE scratch (x); DROP TABLE scratch;");
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), 0);
	assert_int_equal(count(fx->db, "sqlite_master"), 0);

	st = open_ok(fx->db);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
			 history_store_schema_version());
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM sqlite_master "
				 "WHERE type = 'table' AND name IN ('runs', "
				 "'tests', 'run_tests', 'results', "
				 "'quarantine')"), 5);
	make_run(&run, 3, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);

	/* A zero-length file is a new, empty database too. */
	remove(fx->db);
	write_file(fx->db, "", 0);
	history_store_close(open_ok(fx->db));
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
			 history_store_schema_version());
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* Failures, concurrency, crashes                                          */
/* ---------------------------------------------------------------------- */

static void assert_empty_history(const char *path)
{
	assert_int_equal(count(path, "runs"), 0);
	assert_int_equal(count(path, "tests"), 0);
	assert_int_equal(count(path, "run_tests"), 0);
	assert_int_equal(count(path, "results"), 0);
}

static void write_refused(struct history_store *st, struct fg_run *run,
			  const char *needle)
{
	struct fg_error err = { 0 };

	assert_int_equal(history_store_write_run(st, run, &err), FG_EDB);
	assert_null(strstr(err.msg, "password"));
	assert_int_equal(run->id, 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_store_failed_write_leaves_nothing(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct fg_run run;
	struct fg_test *t;

	/* 1. Test 700 of 1000 repeats the identity of test 100. */
	make_run(&run, 1000, 16);
	t = &run.tests[700];
	free(t->suite), free(t->classname), free(t->name);
	t->suite = fg_xstrdup("s1"), t->classname = fg_xstrdup("c2");
	t->name = fg_xstrdup("t100");
	write_refused(st, &run, pg_base ? "test 's1/c2/t100': the run has it "
		      "twice" : "test 's1/c2/t100': UNIQUE constraint failed");
	assert_empty_history(fx->db);
	fg_run_release(&run);

	/* 2. An attempt status outside the enum breaks a CHECK. */
	make_run(&run, 1000, 0);
	run.tests[999].attempts[0].status = (enum fg_astatus)42;
	write_refused(st, &run, pg_base ? "violates check constraint" :
		      "CHECK constraint failed");
	assert_empty_history(fx->db);
	fg_run_release(&run);

	/*
	 * 3. A trigger, installed by another connection while the store is
	 * open with its statements prepared, aborts the 500th insert.
	 */
	if (pg_base)
		sql_exec(fx->db, "CREATE FUNCTION inject() RETURNS trigger "
			 "LANGUAGE plpgsql AS $$ BEGIN IF NEW.message = "
			 "'poison' THEN RAISE 'injected failure'; END IF; "
			 "RETURN NEW; END $$; CREATE TRIGGER inject BEFORE "
			 "INSERT ON results FOR EACH ROW EXECUTE FUNCTION "
			 "inject()");
	else
		sql_exec(fx->db, "CREATE TRIGGER inject BEFORE INSERT ON "
			 "results WHEN NEW.message = 'poison' BEGIN "
			 "SELECT RAISE(ABORT, 'injected failure'); END;");
	make_run(&run, 1000, 0);
	free(run.tests[500].attempts[0].message);
	run.tests[500].attempts[0].message = fg_xstrdup("poison");
	write_refused(st, &run, "injected failure");
	assert_empty_history(fx->db);
	fg_run_release(&run);

	/* The store is still usable after the failures. */
	make_run(&run, 1000, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), 1);
	assert_int_equal(count(fx->db, "run_tests"), 1000);
	assert_integrity(fx->db);
}

#define WRITER_RUNS 15
#define WRITER_TESTS 300

/* A child process: its own store, WRITER_RUNS runs. Never returns. */
static void writer_child(const char *path, int tag)
{
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	int status = 0;

	if (history_store_open(path, &st, &err) != FG_OK) {
		fprintf(stderr, "writer %d: %s\n", tag, err.msg);
		_exit(2);
	}
	for (int i = 0; i < WRITER_RUNS && !status; i++) {
		struct fg_run run;

		make_run(&run, WRITER_TESTS, 64);
		free(run.host);
		run.host = fg_xasprintf("writer-%d", tag);
		if (history_store_write_run(st, &run, &err) != FG_OK) {
			fprintf(stderr, "writer %d: %s\n", tag, err.msg);
			status = 1;
		}
		fg_run_release(&run);
	}
	history_store_close(st);
	_exit(status);
}

static void test_store_concurrent_writers(void **state)
{
	struct fixture *fx = *state;
	pid_t pid[2];
	int ws;

	/* Both children start at once on a database neither has created. */
	fflush(NULL);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0)
			writer_child(fx->db, i);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &ws, 0), pid[i]);
		assert_true(WIFEXITED(ws));
		assert_int_equal(WEXITSTATUS(ws), 0);
	}
	assert_int_equal(count(fx->db, "runs"), 2 * WRITER_RUNS);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM runs WHERE "
				 "host = 'writer-1'"), WRITER_RUNS);
	assert_int_equal(count(fx->db, "tests"), WRITER_TESTS);
	assert_int_equal(count(fx->db, "run_tests"),
			 2 * WRITER_RUNS * WRITER_TESTS);
	assert_int_equal(sql_int(fx->db, "SELECT count(DISTINCT run_id) FROM "
				 "results"), 2 * WRITER_RUNS);
	assert_integrity(fx->db);
}

#define BIG_TESTS 40000

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

static void test_store_sigkill_mid_write(void **state)
{
	struct fixture *fx = *state;
	char wal[600];
	struct fg_run run;
	int64_t attempts = 0, nruns;
	int pfd[2], ws;
	pid_t pid;
	char c;

	/* Earlier history that must survive the crash. */
	struct history_store *st = open_ok(fx->db);

	make_run(&run, 10, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);

	make_run(&run, BIG_TESTS, 1024);
	for (size_t i = 0; i < run.ntests; i++)
		attempts += (int64_t)run.tests[i].nattempts;
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	assert_int_equal(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fg_error err = { 0 };

		close(pfd[0]);
		if (history_store_open(fx->db, &st, &err) != FG_OK)
			_exit(2);
		if (write(pfd[1], "r", 1) != 1)
			_exit(3);
		history_store_write_run(st, &run, &err);
		/* Killed before here, normally; if not, the run is whole. */
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	/*
	 * The transaction is far bigger than SQLite's page cache, so pages
	 * spill into the WAL while it is still open: a growing WAL means we
	 * are in the middle of it. Kill there (or after 60 s, whatever state
	 * the writer is in).
	 */
	for (int i = 0; i < 6000 && file_size(wal) < (2 << 20); i++)
		poll(NULL, 0, 10);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFSIGNALED(ws));

	assert_integrity(fx->db);
	nruns = count(fx->db, "runs");
	if (nruns == 1) {
		assert_int_equal(count(fx->db, "run_tests"), 10);
	} else {
		/* Whole, or not at all. */
		assert_int_equal(nruns, 2);
		assert_int_equal(count(fx->db, "run_tests"), 10 + BIG_TESTS);
		assert_int_equal(count(fx->db, "results"),
				 sql_int(fx->db, "SELECT count(*) FROM results "
					 "WHERE run_id = 1") + attempts);
	}
	/* And the database takes the next run. */
	st = open_ok(fx->db);
	fg_run_release(&run);
	make_run(&run, 10, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), nruns + 1);
	assert_integrity(fx->db);
}

/*
 * Schema version 1 exactly as released (schema_steps[0] of the first
 * store), kept here so that the migration from it stays tested after the
 * store's own copy is long buried under later steps.
 */
static const char schema_v1[] =
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
	"  WHERE released_at IS NULL;";

static void test_store_migrates_v1(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st;
	struct fg_error err = { 0 };
	struct fg_run run;
	char sql[4096];

	snprintf(sql, sizeof(sql), "%s PRAGMA user_version = 1;"
		 "PRAGMA application_id = %d;", schema_v1, 0x46474844);
	sql_exec(fx->db, sql);
	sql_exec(fx->db,
		 "INSERT INTO runs VALUES (1, 1700000000000, 500, 'abc', 'main',"
		 " 'h', NULL, NULL, 1, 0, '0.0.1');"
		 "INSERT INTO runs VALUES (2, 1700000100000, 600, 'def', 'main',"
		 " 'h', NULL, '1/2', 0, 0, '0.0.1');"
		 "INSERT INTO tests VALUES (1, 'unit', 'c', 'a', 'a.c', 9);"
		 "INSERT INTO run_tests VALUES (1, 1, 2, 20, 2);"
		 "INSERT INTO run_tests VALUES (2, 1, 0, 10, 1);"
		 "INSERT INTO results VALUES (1, 1, 1, 1, 30, 0, 'boom', 'out');"
		 "INSERT INTO results VALUES (1, 1, 2, 0, 20, 0, NULL, NULL);"
		 "INSERT INTO results VALUES (2, 1, 1, 0, 10, 0, NULL, NULL);");
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"), 1);

	st = open_ok(fx->db);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
			 history_store_schema_version());
	/* Every old run got its own identity; the rows are all there. */
	assert_int_equal(sql_int(fx->db, "SELECT count(DISTINCT uuid) FROM "
				 "runs WHERE length(uuid) = 32"), 2);
	assert_int_equal(count(fx->db, "results"), 3);
	assert_int_equal(history_store_load_run(st, 1, &run, &err), FG_OK);
	assert_int_equal(run.ntests, 1);
	assert_string_equal(run.tests[0].file, "a.c");
	assert_int_equal(run.tests[0].outcome, FG_O_FLAKY);
	assert_int_equal(run.tests[0].nattempts, 2);
	assert_string_equal(run.tests[0].attempts[0].message, "boom");
	assert_int_equal(run.exit_code, 1);
	fg_run_release(&run);
	/* New runs are written next to them. */
	make_run(&run, 3, 0);
	write_ok(st, &run);
	assert_int_equal(run.id, 3);
	fg_run_release(&run);
	history_store_close(st);
	assert_integrity(fx->db);
}

/* The released SQL of schema steps 1 -> 2 and 2 -> 3, after schema_v1. */
static const char schema_v3_steps[] =
	"ALTER TABLE runs ADD COLUMN uuid TEXT;"
	"UPDATE runs SET uuid = lower(hex(randomblob(16)));"
	"CREATE UNIQUE INDEX runs_uuid ON runs (uuid);"
	"CREATE INDEX tests_by_name ON tests (name);"
	"ALTER TABLE quarantine ADD COLUMN issue TEXT;"
	"ALTER TABLE quarantine ADD COLUMN mode TEXT NOT NULL DEFAULT 'run';"
	"ALTER TABLE quarantine ADD COLUMN evidence TEXT;"
	"ALTER TABLE quarantine ADD COLUMN released_reason TEXT;";

/* 3 -> 4 drops results_by_test: rows stay, history still answers. */
static void test_store_migrates_v3(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st;
	struct fg_error err = { 0 };
	struct history_test_history h = { 0 };
	struct fg_run run;
	char sql[8192];

	snprintf(sql, sizeof(sql), "%s %s PRAGMA user_version = 3;"
		 "PRAGMA application_id = %d;", schema_v1, schema_v3_steps,
		 0x46474844);
	sql_exec(fx->db, sql);
	sql_exec(fx->db,
		 "INSERT INTO runs VALUES (1, 1700000000000, 500, 'abc', 'main',"
		 " 'h', NULL, NULL, 1, 0, '0.0.1', 'u1');"
		 "INSERT INTO runs VALUES (2, 1700000100000, 600, 'def', 'main',"
		 " 'h', NULL, '1/2', 0, 0, '0.0.1', 'u2');"
		 "INSERT INTO tests VALUES (1, 'unit', 'c', 'a', 'a.c', 9);"
		 "INSERT INTO run_tests VALUES (1, 1, 2, 20, 2);"
		 "INSERT INTO run_tests VALUES (2, 1, 0, 10, 1);"
		 "INSERT INTO results VALUES (1, 1, 1, 1, 30, 0, 'boom', 'out');"
		 "INSERT INTO results VALUES (1, 1, 2, 0, 20, 0, NULL, NULL);"
		 "INSERT INTO results VALUES (2, 1, 1, 0, 10, 0, NULL, NULL);"
		 "INSERT INTO quarantine (test_id, since, reason, source, mode)"
		 " VALUES (1, 1700000000000, 'flaky', 'auto', 'skip');");
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM sqlite_master"
				 " WHERE name = 'results_by_test'"), 1);

	st = open_ok(fx->db);
	assert_int_equal(sql_int(fx->db, "PRAGMA user_version"),
			 history_store_schema_version());
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM sqlite_master"
				 " WHERE name = 'results_by_test'"), 0);
	assert_int_equal(count(fx->db, "results"), 3);
	assert_int_equal(count(fx->db, "run_tests"), 2);
	assert_int_equal(count(fx->db, "quarantine"), 1);
	/* Newest first: run 2's attempt, then run 1's attempts 2 and 1. */
	assert_int_equal(history_store_test_history(st, "unit", "c", "a", 10,
						    &h, &err), FG_OK);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.items[0].run_id, 2);
	assert_int_equal(h.items[0].outcome, FG_O_PASSED);
	assert_int_equal(h.items[1].run_id, 1);
	assert_int_equal(h.items[1].attempt.number, 2);
	assert_int_equal(h.items[2].attempt.number, 1);
	assert_int_equal(h.items[2].outcome, FG_O_FLAKY);
	assert_string_equal(h.items[2].attempt.message, "boom");
	assert_string_equal(h.items[2].commit, "abc");
	history_test_history_release(&h);
	assert_int_equal(history_store_load_run(st, 1, &run, &err), FG_OK);
	assert_int_equal(run.ntests, 1);
	assert_int_equal(run.tests[0].nattempts, 2);
	/* 5 -> 6: attempts from before say nothing of their company */
	assert_int_equal(run.tests[0].attempts[0].beside, -1);
	assert_null(run.tests[0].attempts[0].beside_names);
	fg_run_release(&run);
	/* 4 -> 5 rebuilt both tables: xfailed/xpassed fit, and the foreign
	 * keys still cascade a run's deletion down to its results. */
	sql_exec(fx->db, "PRAGMA foreign_keys = ON;"
		 "UPDATE results SET status = 8 WHERE run_id = 2;"
		 "UPDATE run_tests SET outcome = 6 WHERE run_id = 2;"
		 "DELETE FROM runs WHERE id = 1;");
	assert_int_equal(count(fx->db, "run_tests"), 1);
	assert_int_equal(count(fx->db, "results"), 1);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM sqlite_master"
				 " WHERE name LIKE '%_v5'"), 0);
	make_run(&run, 3, 0);
	write_ok(st, &run);
	assert_int_equal(run.id, 3);
	fg_run_release(&run);
	history_store_close(st);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* Loading a run back                                                      */
/* ---------------------------------------------------------------------- */

#define assert_str_or_null(got, want)                                   \
	do {                                                            \
		const char *g_ = (got), *w_ = (want);                   \
		if (!w_ && g_)                                          \
			fail_msg("%s: got '%s', expected NULL", #got, g_); \
		else if (w_)                                            \
			assert_string_equal(g_, w_);                    \
	} while (0)

/* Every field the store keeps came back equal (tests in identity order). */
static void assert_same_run(const struct fg_run *got, const struct fg_run *want)
{
	assert_int_equal(got->id, want->id);
	assert_str_or_null(got->commit, want->commit);
	assert_str_or_null(got->branch, want->branch);
	assert_str_or_null(got->host, want->host);
	assert_str_or_null(got->ci_job, want->ci_job);
	assert_str_or_null(got->shard, want->shard);
	assert_string_equal(got->uuid, want->uuid);
	assert_int_equal(got->started_at_ms, want->started_at_ms);
	assert_int_equal(got->duration_ms, want->duration_ms);
	assert_int_equal(got->exit_code, want->exit_code);
	assert_int_equal(got->interrupted, want->interrupted);
	assert_int_equal(got->ntests, want->ntests);
	for (size_t i = 0; i < got->ntests; i++) {
		const struct fg_test *g = &got->tests[i];
		const struct fg_test *w = fg_run_find_test(
			(struct fg_run *)want, g->suite, g->classname, g->name);

		assert_non_null(w);
		assert_str_or_null(g->file, w->file);
		assert_int_equal(g->line, w->line);
		assert_int_equal(g->outcome, w->outcome);
		assert_int_equal(g->duration_ms, w->duration_ms);
		assert_int_equal(g->nattempts, w->nattempts);
		for (size_t k = 0; k < g->nattempts; k++) {
			const struct fg_attempt *ga = &g->attempts[k];
			const struct fg_attempt *wa = &w->attempts[k];

			assert_int_equal(ga->number, wa->number);
			assert_int_equal(ga->status, wa->status);
			assert_int_equal(ga->duration_ms, wa->duration_ms);
			assert_int_equal(ga->started_at_ms, wa->started_at_ms);
			assert_str_or_null(ga->message, wa->message);
			assert_str_or_null(ga->output, wa->output);
			assert_int_equal(ga->beside, wa->beside);
			assert_str_or_null(ga->beside_names, wa->beside_names);
		}
		if (i > 0) {
			const struct fg_test *p = &got->tests[i - 1];
			int c = strcmp(p->suite, g->suite);

			if (!c)
				c = strcmp(p->classname, g->classname);
			if (!c)
				c = strcmp(p->name, g->name);
			assert_true(c < 0);
		}
	}
}

struct company_seen {
	size_t rows;
	int beside[2];
	char *names[2];
};

static int company_row(void *ctx, const struct history_scan_row *r)
{
	struct company_seen *c = ctx;

	assert_int_equal(r->nattempts, 2);
	c->rows++;
	for (size_t i = 0; i < 2; i++) {
		c->beside[i] = r->beside[i];
		free(c->names[i]);
		c->names[i] = fg_xstrdup(r->beside_names[i]);
	}
	return 0;
}

/* The scan hands the analyzer each attempt's company (issue 12.3). */
static void test_store_scan_company(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct fg_error err = { 0 };
	struct company_seen c = { 0 };
	struct fg_run run;

	make_run(&run, 12, 0); /* t1, t11: failed beside 3, passed alone */
	write_ok(st, &run);
	fg_run_release(&run);
	assert_int_equal(history_store_scan(st, 10, "s2", "c4", "t11",
					    company_row, &c, &err), FG_OK);
	assert_int_equal(c.rows, 1);
	assert_int_equal(c.beside[0], 3);
	assert_string_equal(c.names[0], "s1::port\ns2::x");
	assert_int_equal(c.beside[1], 0);
	assert_null(c.names[1]);
	free(c.names[0]);
	free(c.names[1]);
	history_store_close(st);
}

static void test_store_load_run(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct fg_error err = { 0 };
	struct fg_run a, b, got;
	struct fg_test *t;

	make_run(&a, 60, 100);
	a.ci_job = fg_xstrdup("https://ci/job/1");
	a.exit_code = 1;
	a.interrupted = true;
	a.tests[7].file = fg_xstrdup("t7.c"); /* not in b */
	a.tests[7].line = 77;
	a.tests[4].attempts[0].started_at_ms = 1700000000123;
	a.tests[5].outcome = FG_O_QUARANTINED; /* stored, never re-settled */
	t = fg_run_add_test(&a, "s0", "", "no-attempts");
	t->outcome = FG_O_SKIPPED;
	write_ok(st, &a);
	assert_non_null(a.uuid);
	assert_int_equal(strlen(a.uuid), 36);
	assert_int_equal(a.uuid[14], '4');

	make_run(&b, 5, 0);
	b.uuid = fg_xstrdup("my-own-uuid");
	write_ok(st, &b);
	assert_string_equal(b.uuid, "my-own-uuid");

	assert_int_equal(history_store_load_run(st, a.id, &got, &err), FG_OK);
	assert_same_run(&got, &a);
	fg_run_release(&got);
	/* 0 is the newest run. */
	assert_int_equal(history_store_load_run(st, 0, &got, &err), FG_OK);
	assert_same_run(&got, &b);
	fg_run_release(&got);

	/* A run that is not there: FG_EINVAL naming it and the file. */
	assert_int_equal(history_store_load_run(st, 999, &got, &err),
			 FG_EINVAL);
	assert_int_equal(got.ntests, 0);
	assert_null(got.commit);
	assert_non_null(strstr(err.msg, "no run 999 in '"));
	assert_non_null(strstr(err.msg, fx->db));

	/* The same uuid twice is refused, and leaves nothing. */
	fg_run_release(&b);
	make_run(&b, 2, 0);
	b.uuid = fg_xstrdup("my-own-uuid");
	write_refused(st, &b, pg_base ? "unique constraint \"runs_uuid\"" :
		      "UNIQUE");
	fg_run_release(&b);
	history_store_close(st);

	/* An empty history has no newest run. */
	{
		char empty[512];

		db_named(fx, "empty", empty, sizeof(empty));
		st = open_ok(empty);
	}
	assert_int_equal(history_store_load_run(st, 0, &got, &err), FG_EINVAL);
	assert_non_null(strstr(err.msg, "history is empty"));
	history_store_close(st);
	fg_run_release(&a);
}

/* ---------------------------------------------------------------------- */
/* Merge and retention                                                     */
/* ---------------------------------------------------------------------- */

/* Writes `nruns` runs of `ntests` tests into a new database at path. */
static void make_db(const char *path, int nruns, size_t ntests,
		    int64_t started_at)
{
	struct history_store *st = open_ok(path);
	struct fg_run run;

	for (int i = 0; i < nruns; i++) {
		make_run(&run, ntests, 0);
		run.started_at_ms = started_at + i * 1000;
		write_ok(st, &run);
		fg_run_release(&run);
	}
	history_store_close(st);
}

static void test_store_merge(void **state)
{
	struct fixture *fx = *state;
	struct history_merge_stats ms = { 0 };
	struct fg_error err = { 0 };
	struct history_store *st;
	struct fg_run a, b;
	char in1[512], in2[512], nope[512];

	db_named(fx, "shard1", in1, sizeof(in1));
	db_named(fx, "shard2", in2, sizeof(in2));
	db_named(fx, "nope", nope, sizeof(nope));
	make_db(in1, 2, 20, 1700000000000);  /* tests t0..t19 */
	make_db(in2, 3, 30, 1600000000000);  /* t0..t29, older runs */
	make_db(fx->db, 1, 5, 1800000000000);

	st = open_ok(fx->db);
	assert_int_equal(history_store_merge(st, in1, &ms, &err), FG_OK);
	assert_int_equal(ms.runs_added, 2);
	assert_int_equal(ms.runs_skipped, 0);
	assert_int_equal(ms.tests_added, 15);
	assert_int_equal(ms.results_added,
			 sql_int(in1, "SELECT count(*) FROM results"));
	assert_int_equal(history_store_merge(st, in2, &ms, &err), FG_OK);
	assert_int_equal(ms.runs_added, 5);
	assert_int_equal(count(fx->db, "runs"), 6);
	assert_int_equal(count(fx->db, "tests"), 30);
	assert_int_equal(count(fx->db, "results"),
			 sql_int(in1, "SELECT count(*) FROM results") +
			 sql_int(in2, "SELECT count(*) FROM results") + 7);

	/* Again: nothing new. */
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(history_store_merge(st, in1, &ms, &err), FG_OK);
	assert_int_equal(history_store_merge(st, in2, &ms, &err), FG_OK);
	assert_int_equal(ms.runs_added, 0);
	assert_int_equal(ms.runs_skipped, 5);
	assert_int_equal(ms.results_added, 0);
	assert_int_equal(count(fx->db, "runs"), 6);

	/* A merged run reads back the same as in its shard. */
	assert_int_equal(history_store_load_run(st, 2, &a, &err), FG_OK);
	{
		struct history_store *src = open_ok(in1);

		assert_int_equal(history_store_load_run(src, 1, &b, &err),
				 FG_OK);
		history_store_close(src);
	}
	b.id = a.id;
	assert_same_run(&a, &b);
	fg_run_release(&a);
	fg_run_release(&b);

	/* Refusals: missing input (never created), itself, not ours. */
	assert_int_equal(history_store_merge(st, nope, &ms, &err), FG_EDB);
	assert_non_null(strstr(err.msg, nope));
	if (pg_base)
		assert_int_equal(sql_int(pg_base, "SELECT count(*) FROM "
					 "pg_namespace WHERE nspname LIKE "
					 "'%\\_nope'"), 0);
	else
		assert_false(exists(nope));
	assert_int_equal(history_store_merge(st, fx->db, &ms, &err), FG_EINVAL);
	assert_non_null(strstr(err.msg, "into itself"));
	if (!pg_base) {
		write_file(nope, "hello", 5);
		assert_int_equal(history_store_merge(st, nope, &ms, &err),
				 FG_EDB);
		assert_non_null(strstr(err.msg, "not a flakeguard history "
				       "database"));
	}
	assert_int_equal(count(fx->db, "runs"), 6);
	history_store_close(st);
	assert_integrity(fx->db);
}

static void test_store_merge_v1_input(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st;
	struct fg_error err = { 0 };
	char in[192], sql[4096];

	snprintf(in, sizeof(in), "%s/old.db", fx->dir);
	snprintf(sql, sizeof(sql), "%s PRAGMA user_version = 1;"
		 "PRAGMA application_id = %d;"
		 "INSERT INTO runs VALUES (1, 5, 1, 'c', 'b', 'h', NULL, NULL,"
		 " 0, 0, '0.0.1');"
		 "INSERT INTO tests VALUES (1, 's', '', 'x', NULL, 0);"
		 "INSERT INTO run_tests VALUES (1, 1, 0, 3, 1);"
		 "INSERT INTO results VALUES (1, 1, 1, 0, 3, 0, NULL, NULL);",
		 schema_v1, 0x46474844);
	sql_exec(in, sql);
	st = open_ok(fx->db);
	assert_int_equal(history_store_merge(st, in, NULL, &err), FG_OK);
	assert_int_equal(history_store_merge(st, in, NULL, &err), FG_OK);
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), 1);
	assert_int_equal(count(fx->db, "results"), 1);
	assert_int_equal(sql_int(in, "PRAGMA user_version"),
			 history_store_schema_version());
}

static void test_store_gc(void **state)
{
	struct fixture *fx = *state;
	struct history_gc_opts o = { .keep_days = -1, .keep_runs = -1 };
	struct history_gc_stats g;
	struct fg_error err = { 0 };
	struct history_store *st;
	struct fg_run run;
	int64_t day = 24LL * 3600 * 1000, now = 1800000000000;

	st = open_ok(fx->db);
	/* Runs 1..10, one a day, newest (10) started now - 1 day. */
	for (int i = 1; i <= 10; i++) {
		make_run(&run, i == 1 ? 40 : 20, 0);
		run.started_at_ms = now - (11 - i) * day;
		write_ok(st, &run);
		fg_run_release(&run);
	}
	/* A quarantined test that only run 1 knows survives its results. */
	sql_exec(fx->db, "INSERT INTO quarantine (test_id, since, reason,"
		 " source) SELECT id, 0, 'x', 'manual' FROM tests"
		 " WHERE name = 't39'");

	assert_int_equal(history_store_gc(st, &o, &g, &err), FG_EINVAL);

	o.keep_runs = 8;
	assert_int_equal(history_store_gc(st, &o, &g, &err), FG_OK);
	assert_int_equal(g.runs, 2);
	assert_int_equal(g.tests, 19); /* t20..t39 of run 1, but t39 */
	assert_int_equal(g.results, (40 + 4 + 2) + (20 + 2 + 1));
	assert_int_equal(sql_int(fx->db, "SELECT min(id) FROM runs"), 3);
	assert_int_equal(count(fx->db, "tests"), 21);

	o.keep_runs = -1;
	o.keep_days = 5;  /* runs 7..10 started within 5 days of now */
	o.now_ms = now;
	o.vacuum = true;
	assert_int_equal(history_store_gc(st, &o, &g, &err), FG_OK);
	assert_int_equal(g.runs, 3);
	assert_int_equal(g.tests, 0);
	assert_true(g.bytes_after <= g.bytes_before);
	assert_int_equal(count(fx->db, "runs"), 5);
	assert_int_equal(count(fx->db, "run_tests"), 100);

	/* Nothing left to do: nothing deleted. */
	assert_int_equal(history_store_gc(st, &o, &g, &err), FG_OK);
	assert_int_equal(g.runs + g.tests + g.results, 0);
	history_store_close(st);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* Streaming writes: run_begin .. add_test .. run_end                     */
/* ---------------------------------------------------------------------- */

/* A settled one-test fragment with the given attempt statuses. */
static void frag(struct fg_run *tmp, const char *name, int n,
		 const enum fg_astatus *st)
{
	struct fg_test *t;

	fg_run_init(tmp);
	t = fg_run_add_test(tmp, "s", "c", name);
	for (int i = 0; i < n; i++)
		fg_test_add_attempt(t, st[i], 10 + i, NULL, "out");
	fg_test_settle(t);
}

static void add_frag(struct history_store *st, const char *name, int n,
		     const enum fg_astatus *sts)
{
	struct fg_error err = { 0 };
	struct fg_run tmp;

	frag(&tmp, name, n, sts);
	assert_int_equal(history_store_run_add_test(st, &tmp.tests[0], &err),
			 FG_OK);
	fg_run_release(&tmp);
}

static void test_store_stream_merge_commit(void **state)
{
	struct fixture *fx = *state;
	const enum fg_astatus fail[] = { FG_A_FAILED };
	const enum fg_astatus pass[] = { FG_A_PASSED };
	const enum fg_astatus skip[] = { FG_A_SKIPPED };
	struct history_store *st = open_ok(fx->db);
	struct fg_error err = { 0 };
	struct fg_summary sum, part;
	struct fg_run run;

	fg_run_init(&run);
	run.started_at_ms = 1000;
	assert_int_equal(history_store_run_begin(st, &run, true, &err), FG_OK);
	assert_int_equal(run.id, 0); /* staged: the database is untouched */
	/* Invisible to others until the commit. */
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM runs"), 0);
	add_frag(st, "a", 1, fail);
	add_frag(st, "b", 1, skip);
	add_frag(st, "a", 1, pass);  /* a rerun: a is flaky now */
	add_frag(st, "b", 1, skip);  /* still skipped */
	assert_int_equal(history_store_run_mark(st, &err), FG_OK);
	add_frag(st, "c", 1, pass);
	add_frag(st, "b", 1, fail);  /* skipped, skipped, failed: failed */
	history_store_run_summary(st, &sum, &part);
	assert_int_equal(sum.total, 3);
	assert_int_equal(sum.flaky, 1);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(sum.passed, 1);
	/* Since the mark: c passed and b's own attempt failed. */
	assert_int_equal(part.total, 2);
	assert_int_equal(part.failed, 1);
	assert_int_equal(part.passed, 1);
	run.exit_code = 1;
	run.duration_ms = 77;
	assert_int_equal(history_store_run_end(st, &run, true, &err), FG_OK);
	history_store_close(st);

	assert_int_equal(sql_int(fx->db, "SELECT exit_code * 1000 + duration_ms"
				 " FROM runs"), 1077);
	assert_int_equal(sql_int(fx->db, "SELECT outcome FROM run_tests rt"
				 " JOIN tests t ON t.id = rt.test_id"
				 " WHERE t.name = 'a'"), FG_O_FLAKY);
	assert_int_equal(sql_int(fx->db, "SELECT attempts * 10 + outcome FROM"
				 " run_tests rt JOIN tests t ON t.id ="
				 " rt.test_id WHERE t.name = 'b'"),
			 3 * 10 + FG_O_FAILED);
	assert_true(run.id > 0);
	/* Attempts renumbered 1..3: "1" "3" (skipped), "2" "3", "3" "1" (failed). */
	assert_int_equal(sql_int(fx->db, "SELECT sum((r.attempt * 10 +"
				 " r.status) * CASE r.attempt WHEN 1 THEN 10000"
				 " WHEN 2 THEN 100 ELSE 1 END) FROM results r"
				 " JOIN tests t ON t.id = r.test_id"
				 " WHERE t.name = 'b'"), 132331);
	assert_integrity(fx->db);
	fg_run_release(&run);
}

static int copy_test(void *ctx, const struct fg_test *t)
{
	struct fg_test *d = fg_run_add_test(ctx, t->suite, t->classname,
					    t->name);

	d->outcome = t->outcome;
	for (size_t i = 0; i < t->nattempts; i++)
		fg_test_add_attempt(d, t->attempts[i].status, 0, NULL,
				    t->attempts[i].output)->number =
			t->attempts[i].number;
	return 0;
}

/*
 * A streamed run judged before its commit (import): the staged tests come
 * back in order, merged, one is staged as quarantined, and the commit
 * takes a quarantine change in the same transaction.
 */
static void test_store_stream_judged_commit(void **state)
{
	struct fixture *fx = *state;
	const enum fg_astatus fail_pass[] = { FG_A_FAILED, FG_A_PASSED };
	const enum fg_astatus fail[] = { FG_A_FAILED };
	struct history_store *st = open_ok(fx->db);
	struct history_quarantine q = { .suite = "s", .classname = "c",
					.name = "b", .reason = "flaky" };
	struct history_quarantine_change qc = { .op = HISTORY_Q_ENTER,
						.q = &q };
	struct fg_error err = { 0 };
	struct fg_summary sum;
	struct fg_run run, judged;
	struct fg_test ghost = { .suite = "s", .classname = "c",
				 .name = "ghost" };

	fg_run_init(&run);
	fg_run_init(&judged);
	assert_int_equal(history_store_run_begin(st, &run, true, &err), FG_OK);
	add_frag(st, "a", 2, fail_pass);
	add_frag(st, "b", 1, fail);
	add_frag(st, "a", 1, fail); /* merged: a failed, passed, failed */
	assert_int_equal(history_store_run_each(st, copy_test, &judged, &err),
			 FG_OK);
	assert_int_equal(judged.ntests, 2);
	assert_string_equal(judged.tests[0].name, "a");
	assert_int_equal(judged.tests[0].nattempts, 3);
	assert_int_equal(judged.tests[0].outcome, FG_O_FLAKY);
	assert_int_equal(judged.tests[0].attempts[2].number, 3);
	assert_string_equal(judged.tests[0].attempts[0].output, "out");
	assert_int_equal(judged.tests[1].outcome, FG_O_FAILED);
	assert_int_equal(history_store_run_set_outcome(st, &judged.tests[1],
							FG_O_QUARANTINED,
							&err), FG_OK);
	assert_int_equal(history_store_run_set_outcome(st, &ghost,
							FG_O_QUARANTINED,
							&err), FG_EINVAL);
	history_store_run_summary(st, &sum, NULL);
	assert_int_equal(sum.failed, 0);
	assert_int_equal(sum.quarantined, 1);
	assert_int_equal(history_store_run_record_end(st, &run, &qc, 1, &err),
			 FG_OK);
	assert_true(qc.applied);
	history_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT outcome FROM run_tests rt"
				 " JOIN tests t ON t.id = rt.test_id"
				 " WHERE t.name = 'b'"), FG_O_QUARANTINED);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine q"
				 " JOIN tests t ON t.id = q.test_id"
				 " WHERE t.name = 'b' AND q.released_at IS NULL"),
			 1);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM results WHERE"
				 " output = 'out'"), 4);
	assert_integrity(fx->db);
	fg_run_release(&judged);
	fg_run_release(&run);
}

static void test_store_stream_rollback_and_rewind(void **state)
{
	struct fixture *fx = *state;
	const enum fg_astatus pass[] = { FG_A_PASSED };
	struct history_store *st = open_ok(fx->db);
	struct fg_error err = { 0 };
	struct fg_summary sum;
	struct fg_run run;

	/* Rolled back: nothing of the run, not even its runs row. */
	fg_run_init(&run);
	assert_int_equal(history_store_run_begin(st, &run, true, &err), FG_OK);
	add_frag(st, "x", 1, pass);
	assert_int_equal(history_store_run_end(st, &run, false, &err), FG_OK);
	assert_int_equal(run.id, 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM results"), 0);

	/* Rewind to a mark at the start, and to one after a test. */
	assert_int_equal(history_store_run_begin(st, &run, true, &err), FG_OK);
	assert_int_equal(history_store_run_mark(st, &err), FG_OK);
	add_frag(st, "x", 1, pass);
	assert_int_equal(history_store_run_rewind(st, &err), FG_OK);
	add_frag(st, "y", 1, pass);
	assert_int_equal(history_store_run_mark(st, &err), FG_OK);
	add_frag(st, "z", 1, pass);
	add_frag(st, "y", 1, pass);
	assert_int_equal(history_store_run_rewind(st, &err), FG_OK);
	history_store_run_summary(st, &sum, NULL);
	assert_int_equal(sum.total, 1);
	assert_int_equal(history_store_run_end(st, &run, true, &err), FG_OK);
	history_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(sql_int(fx->db, "SELECT id FROM runs"), run.id);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM results"), 1);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM results r JOIN"
				 " tests t ON t.id = r.test_id WHERE"
				 " t.name = 'y'"), 1);
	assert_integrity(fx->db);
	fg_run_release(&run);
}

/* ---------------------------------------------------------------------- */
/* Opening modes                                                           */
/* ---------------------------------------------------------------------- */

static void test_store_existing_mode(void **state)
{
	struct fixture *fx = *state;
	struct history_open_opts o = { .mode = HISTORY_OPEN_EXISTING };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };

	/* Nothing there: an error naming it, and nothing is created. */
	assert_int_equal(history_store_open_with(fx->db, &o, &st, &err),
			 FG_EDB);
	assert_null(st);
	assert_non_null(strstr(err.msg, "no history database at"));
	assert_non_null(strstr(err.msg, fx->db));
	o.missing_ok = true;
	assert_int_equal(history_store_open_with(fx->db, &o, &st, &err), FG_OK);
	assert_null(st);
	if (pg_base)
		assert_int_equal(sql_int(pg_base, "SELECT count(*) FROM "
					 "pg_namespace WHERE nspname LIKE "
					 "'fgt%'"), 0);
	else
		assert_false(exists(fx->db));
	/* Once made, it opens; read-only cannot write. */
	history_store_close(open_ok(fx->db));
	o.missing_ok = false;
	assert_int_equal(history_store_open_with(fx->db, &o, &st, &err), FG_OK);
	history_store_close(st);
	assert_int_equal(history_store_open_readonly(fx->db, &st, &err), FG_OK);
	{
		struct fg_run run;

		make_run(&run, 2, 0);
		assert_int_equal(history_store_write_run(st, &run, &err),
				 FG_EDBUNAVAIL);
		assert_int_equal(run.id, 0);
		fg_run_release(&run);
	}
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), 0);
}

/* ---------------------------------------------------------------------- */
/* Quarantine decisions: checked and applied atomically                    */
/* ---------------------------------------------------------------------- */

static struct history_quarantine q_entry(const char *name, int64_t since)
{
	struct history_quarantine q = {
		.suite = (char *)"s0", .classname = (char *)"c0",
		.name = (char *)name, .since_ms = since,
		.reason = (char *)"flaky", .source = (char *)"auto",
	};

	return q;
}

/* Writes a 3-test run with one change; returns whether it applied. */
static bool record_with(struct history_store *st, enum history_qop op,
			const struct history_quarantine *q, int *rc)
{
	struct history_quarantine_change c = { .op = op, .q = q,
					       .why = "sprt" };
	struct fg_error err = { 0 };
	struct fg_run run;

	make_run(&run, 3, 0);
	*rc = history_store_record_run(st, &run, &c, 1, &err);
	if (*rc != FG_OK)
		fprintf(stderr, "record_run: %s\n", err.msg);
	fg_run_release(&run);
	return c.applied;
}

static void test_store_quarantine_changes(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct history_quarantine q1 = q_entry("t0", 1000);
	struct history_quarantine q2 = q_entry("t0", 2000);
	int rc;

	/* Enter: applied once; a second decision finds it made. */
	assert_true(record_with(st, HISTORY_Q_ENTER, &q1, &rc));
	assert_int_equal(rc, FG_OK);
	assert_false(record_with(st, HISTORY_Q_ENTER, &q2, &rc));
	assert_int_equal(rc, FG_OK);
	assert_int_equal(count(fx->db, "quarantine"), 1);
	assert_int_equal(count(fx->db, "runs"), 2); /* the runs are written */
	/* End: only the entry the decision saw (its since), only once. */
	assert_false(record_with(st, HISTORY_Q_END, &q2, &rc));
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine "
				 "WHERE released_at IS NULL"), 1);
	assert_true(record_with(st, HISTORY_Q_END, &q1, &rc));
	assert_false(record_with(st, HISTORY_Q_END, &q1, &rc));
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine "
				 "WHERE released_at IS NULL"), 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine "
				 "WHERE released_reason = 'sprt'"), 1);
	/* Replace (manual add) always applies, ending the active one. */
	assert_true(record_with(st, HISTORY_Q_ENTER, &q1, &rc));
	assert_true(record_with(st, HISTORY_Q_REPLACE, &q2, &rc));
	assert_int_equal(sql_int(fx->db, "SELECT since FROM quarantine "
				 "WHERE released_at IS NULL"), 2000);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine "
				 "WHERE released_reason = 'replaced'"), 1);
	/* A test never seen gets its identity row. */
	{
		struct history_quarantine q3 = q_entry("brand-new", 5);

		assert_true(record_with(st, HISTORY_Q_ENTER, &q3, &rc));
	}
	/* Without a run: the same checks, in a transaction of their own. */
	{
		struct history_quarantine q4 = q_entry("t4", 40);
		struct history_quarantine q5 = q_entry("t4", 50);
		struct history_quarantine_change c[2] = {
			{ .op = HISTORY_Q_ENTER, .q = &q4 },
			{ .op = HISTORY_Q_ENTER, .q = &q5 },
		};
		struct fg_error err = { 0 };

		assert_int_equal(history_quarantine_apply(st, c, 2, &err),
				 FG_OK);
		assert_int_equal(c[0].applied + c[1].applied, 1);
		c[0].op = HISTORY_Q_END;
		c[0].q = &q5; /* not the entry that is active */
		c[1].op = HISTORY_Q_END;
		c[1].q = &q4;
		assert_int_equal(history_quarantine_apply(st, c, 1, &err),
				 FG_OK);
		assert_false(c[0].applied);
		q4.reason = NULL;
		c[0].op = HISTORY_Q_ENTER;
		c[0].q = &q4;
		assert_int_equal(history_quarantine_apply(st, c, 1, &err),
				 FG_EINVAL);
	}
	history_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM tests WHERE "
				 "name = 'brand-new'"), 1);
	assert_integrity(fx->db);
}

#define RACERS 8

/*
 * RACERS processes decide the same change at the same moment (they wait
 * on one pipe, opened by the parent closing its end) and each writes its
 * run with it. Exit status: 0 applied, 1 not applied, 2 failed.
 */
static void race(const char *db, enum history_qop op,
		 const struct history_quarantine *q, int *applied)
{
	pid_t pid[RACERS];
	int go[2], ws;

	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	for (int i = 0; i < RACERS; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct history_store *st = NULL;
			struct fg_error err = { 0 };
			char c;
			bool ok;
			int rc;

			close(go[1]);
			if (history_store_open(db, &st, &err) != FG_OK)
				_exit(2);
			if (read(go[0], &c, 1) < 0)
				_exit(2);
			ok = record_with(st, op, q, &rc);
			history_store_close(st);
			_exit(rc != FG_OK ? 2 : ok ? 0 : 1);
		}
	}
	close(go[0]);
	poll(NULL, 0, 300); /* let them all connect and block on the pipe */
	close(go[1]);
	*applied = 0;
	for (int i = 0; i < RACERS; i++) {
		assert_int_equal(waitpid(pid[i], &ws, 0), pid[i]);
		assert_true(WIFEXITED(ws));
		assert_true(WEXITSTATUS(ws) <= 1);
		*applied += WEXITSTATUS(ws) == 0;
	}
}

static void test_store_quarantine_race(void **state)
{
	struct fixture *fx = *state;
	struct history_quarantine q = q_entry("t1", 777);
	int applied;

	history_store_close(open_ok(fx->db));
	race(fx->db, HISTORY_Q_ENTER, &q, &applied);
	assert_int_equal(applied, 1);
	assert_int_equal(count(fx->db, "quarantine"), 1);
	assert_int_equal(count(fx->db, "runs"), RACERS);
	race(fx->db, HISTORY_Q_END, &q, &applied);
	assert_int_equal(applied, 1);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM quarantine "
				 "WHERE released_at IS NULL"), 0);
	assert_int_equal(count(fx->db, "quarantine"), 1);
	assert_int_equal(count(fx->db, "runs"), 2 * RACERS);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* A streamed run holds no lock while it is read                           */
/* ---------------------------------------------------------------------- */

static void test_store_stream_holds_no_lock(void **state)
{
	struct fixture *fx = *state;
	const enum fg_astatus pass[] = { FG_A_PASSED };
	const struct history_open_opts fast = { .lock_timeout_ms = 1000 };
	struct history_store *a = open_ok(fx->db), *b = NULL;
	struct fg_error err = { 0 };
	struct fg_run streamed, other;

	fg_run_init(&streamed);
	assert_int_equal(history_store_run_begin(a, &streamed, true, &err),
			 FG_OK);
	for (int i = 0; i < 500; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		add_frag(a, name, 1, pass);
	}
	/* Meanwhile another writer writes a whole run, without waiting. */
	assert_int_equal(history_store_open_with(fx->db, &fast, &b, &err),
			 FG_OK);
	make_run(&other, 50, 0);
	assert_int_equal(history_store_write_run(b, &other, &err), FG_OK);
	assert_int_equal(other.id, 1);
	history_store_close(b);
	fg_run_release(&other);
	assert_int_equal(history_store_run_end(a, &streamed, true, &err),
			 FG_OK);
	assert_int_equal(streamed.id, 2);
	history_store_close(a);
	fg_run_release(&streamed);
	assert_int_equal(count(fx->db, "run_tests"), 550);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */
/* SQLite: waiting for another writer's lock                               */
/* ---------------------------------------------------------------------- */

struct waits {
	int calls, done;
	int64_t last;
};

static void on_wait(void *ctx, int64_t waited, bool done)
{
	struct waits *w = ctx;

	w->calls++;
	w->done += done;
	w->last = waited;
}

/*
 * A child takes the write lock and holds it until the parent writes a
 * byte to `release` (or, with hold_ms, for that long).
 */
static pid_t lock_holder(const char *db, int release, int locked,
			 int hold_ms)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pollfd pfd = { .fd = release, .events = POLLIN };
		sqlite3 *h;

		if (sqlite3_open(db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
			    SQLITE_OK)
			_exit(2);
		if (write(locked, "l", 1) != 1)
			_exit(3);
		/* Never longer than a minute, whatever the parent does. */
		poll(&pfd, 1, hold_ms ? hold_ms : 60000);
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(h);
		_exit(0);
	}
	return pid;
}

static void test_store_lock_wait(void **state)
{
	struct fixture *fx = *state;
	struct waits w = { 0 };
	struct history_open_opts o = { .waiting = on_wait, .waiting_ctx = &w };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct fg_run run;
	int rel[2], lk[2], ws;
	pid_t pid;
	char c;

	history_store_close(open_ok(fx->db));
	assert_int_equal(pipe(rel), 0);
	assert_int_equal(pipe(lk), 0);

	/* Held for 2.5 s: the run waits it out, saying so, and is written. */
	pid = lock_holder(fx->db, rel[0], lk[1], 2500);
	assert_int_equal(read(lk[0], &c, 1), 1);
	assert_int_equal(history_store_open_with(fx->db, &o, &st, &err), FG_OK);
	make_run(&run, 20, 0);
	assert_int_equal(history_store_write_run(st, &run, &err), FG_OK);
	assert_true(run.id > 0);
	assert_true(w.calls >= 2);
	assert_int_equal(w.done, 1);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_int_equal(WEXITSTATUS(ws), 0);

	/* Held past a short timeout: FG_EDBUNAVAIL, nothing written. */
	pid = lock_holder(fx->db, rel[0], lk[1], 0);
	assert_int_equal(read(lk[0], &c, 1), 1);
	o.lock_timeout_ms = 300;
	o.waiting = NULL;
	assert_int_equal(history_store_open_with(fx->db, &o, &st, &err), FG_OK);
	make_run(&run, 20, 0);
	assert_int_equal(history_store_write_run(st, &run, &err),
			 FG_EDBUNAVAIL);
	if (!strstr(err.msg, "database is locked") ||
	    !strstr(err.msg, "FLAKEGUARD_DB_TIMEOUT"))
		fail_msg("message: %s", err.msg);
	assert_int_equal(run.id, 0);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(write(rel[1], "r", 1), 1);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_int_equal(count(fx->db, "runs"), 1);
	close(rel[0]), close(rel[1]), close(lk[0]), close(lk[1]);
}

/* ---------------------------------------------------------------------- */
/* PostgreSQL only                                                         */
/* ---------------------------------------------------------------------- */

static void url_with(const char *base, const char *user_pw, char *out,
		     size_t n)
{
	/* postgresql://fg@host... -> postgresql://USER_PW@host... */
	const char *at = strchr(base, '@');

	snprintf(out, n, "postgresql://%s%s", user_pw, at ? at : "");
}

static void test_store_pg_urls(void **state)
{
	char *l;

	(void)state;
	assert_true(history_store_is_url("postgresql://h/db"));
	assert_true(history_store_is_url("postgres://h/db"));
	assert_false(history_store_is_url("postgresql.db"));
	assert_true(history_store_url_has_password("postgresql://u:pw@h/db"));
	assert_true(history_store_url_has_password(
		"postgresql://u@h/db?password=pw&sslmode=require"));
	assert_false(history_store_url_has_password("postgresql://u@h/db"));
	l = history_store_label("postgresql://u:s3cret@h:5/db?a=1&password="
				"s3cret&b=2");
	assert_string_equal(l, "postgresql://u@h:5/db?a=1&b=2");
	free(l);
	l = history_store_label("postgres://u:s3cret@h/db?password=s3cret");
	assert_string_equal(l, "postgres://u@h/db");
	free(l);
	l = history_store_label("x/history.db");
	assert_string_equal(l, "x/history.db");
	free(l);
	/* A URL libpq cannot parse: a usage error, the password masked. */
	{
		struct history_store *st = NULL;
		struct fg_error err = { 0 };

		assert_int_equal(history_store_open("postgresql://u:s3%zzcret@h/d",
						    &st, &err), FG_EINVAL);
		assert_null(st);
		assert_non_null(strstr(err.msg, "invalid history database URL"));
		assert_null(strstr(err.msg, "s3%zzcret"));
	}
}

static void connect_refused(const char *url, const char *needle,
			    const char *host)
{
	struct history_store *st = NULL;
	struct fg_error err = { 0 };

	assert_int_equal(history_store_open(url, &st, &err), FG_EDBUNAVAIL);
	assert_null(st);
	if (!strstr(err.msg, needle) || !strstr(err.msg, host) ||
	    strstr(err.msg, "s3cret"))
		fail_msg("message \"%s\": wants \"%s\" and \"%s\", never the "
			 "password", err.msg, needle, host);
}

static void test_store_pg_bad_connections(void **state)
{
	const char *tcp = getenv("FG_TEST_PG_TCP_URL");
	char url[512];

	(void)state;
	/* Nothing listens on port 1. */
	connect_refused("postgresql://fg:s3cret@127.0.0.1:1/fgtest",
			"Connection refused", "127.0.0.1");
	/* A wrong password, from the URL and from PGPASSWORD. */
	assert_non_null(tcp);
	url_with(tcp, "fg:s3cret", url, sizeof(url));
	connect_refused(url, "password authentication failed", "127.0.0.1");
	setenv("PGPASSWORD", "s3cret", 1);
	connect_refused(tcp, "password authentication failed", "127.0.0.1");
	/* The right one works; a database that is not there does not. */
	setenv("PGPASSWORD", getenv("FG_TEST_PG_PASSWORD"), 1);
	{
		struct history_store *st = NULL;
		struct fg_error err = { 0 };
		const struct history_open_opts o = {
			.mode = HISTORY_OPEN_EXISTING, .missing_ok = true,
		};

		assert_int_equal(history_store_open_with(tcp, &o, &st, &err),
				 FG_OK);
		history_store_close(st);
	}
	snprintf(url, sizeof(url), "%s_none", tcp);
	connect_refused(url, "does not exist", "127.0.0.1");
	unsetenv("PGPASSWORD");
}

static void test_store_pg_refuses_foreign(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	char sql[512];

	/* Somebody's own "runs" table in the schema: not ours, untouched. */
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s_history; CREATE TABLE "
		 "%s_history.runs (id int, what text); INSERT INTO "
		 "%s_history.runs VALUES (1, 'mine')", fx->schema, fx->schema,
		 fx->schema);
	sql_exec(pg_base, sql);
	assert_int_equal(history_store_open(fx->db, &st, &err), FG_EDB);
	assert_null(st);
	assert_non_null(strstr(err.msg, "has tables flakeguard does not know: "
			       "runs"));
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM pg_tables "
				 "WHERE schemaname = current_schema()"), 1);
	assert_int_equal(sql_int(fx->db, "SELECT id FROM runs"), 1);
}

static void test_store_pg_refuses_newer(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	int v = history_store_schema_version();
	char sql[128], want[128];

	history_store_close(open_ok(fx->db));
	snprintf(sql, sizeof(sql), "UPDATE flakeguard_schema SET version = %d",
		 v + 1);
	sql_exec(fx->db, sql);
	assert_int_equal(history_store_open(fx->db, &st, &err), FG_EDB);
	assert_null(st);
	snprintf(want, sizeof(want), "created by a newer flakeguard (schema "
		 "version %d, this one knows up to %d)", v + 1, v);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "fgtest"));
	assert_int_equal(sql_int(fx->db, "SELECT version FROM "
				 "flakeguard_schema"), v + 1);
	snprintf(sql, sizeof(sql), "UPDATE flakeguard_schema SET version = %d,"
		 " application = 'something-else'", v);
	sql_exec(fx->db, sql);
	assert_int_equal(history_store_open(fx->db, &st, &err), FG_EDB);
	assert_non_null(strstr(err.msg, "belongs to another application"));
}

/*
 * PostgreSQL schema version 4 as released by steps 0 -> 1 .. 3 -> 4 of
 * history/store_pg.c, kept here so that the migration from it stays
 * tested.
 */
static const char pg_schema_v4[] =
	"CREATE TABLE flakeguard_schema (application text NOT NULL,"
	" version integer NOT NULL);"
	"INSERT INTO flakeguard_schema VALUES ('flakeguard-history', 4);"
	"CREATE TABLE runs (id bigint GENERATED BY DEFAULT AS IDENTITY"
	" PRIMARY KEY, started_at bigint NOT NULL, duration_ms bigint NOT NULL,"
	" commit_sha text, branch text, host text, ci_job text, shard text,"
	" exit_code integer NOT NULL, interrupted smallint NOT NULL"
	" CHECK (interrupted IN (0, 1)), fg_version text NOT NULL, uuid text);"
	"CREATE INDEX runs_started_at ON runs (started_at);"
	"CREATE UNIQUE INDEX runs_uuid ON runs (uuid);"
	"CREATE TABLE tests (id bigint GENERATED BY DEFAULT AS IDENTITY"
	" PRIMARY KEY, suite text COLLATE \"C\" NOT NULL, classname text"
	" COLLATE \"C\" NOT NULL, name text COLLATE \"C\" NOT NULL, file text,"
	" line integer NOT NULL DEFAULT 0, UNIQUE (suite, classname, name));"
	"CREATE INDEX tests_by_name ON tests (name);"
	"CREATE TABLE run_tests (run_id bigint NOT NULL REFERENCES runs (id)"
	" ON DELETE CASCADE, test_id bigint NOT NULL REFERENCES tests (id)"
	" ON DELETE CASCADE, outcome smallint NOT NULL CONSTRAINT"
	" run_tests_outcome CHECK (outcome BETWEEN 0 AND 4), duration_ms"
	" bigint NOT NULL, attempts integer NOT NULL,"
	" PRIMARY KEY (run_id, test_id));"
	"CREATE INDEX run_tests_by_test ON run_tests (test_id, run_id);"
	"CREATE TABLE results (run_id bigint NOT NULL, test_id bigint NOT NULL,"
	" attempt integer NOT NULL CHECK (attempt >= 1), status smallint NOT"
	" NULL CONSTRAINT results_status CHECK (status BETWEEN 0 AND 6),"
	" duration_ms bigint NOT NULL, started_at bigint NOT NULL DEFAULT 0,"
	" message text, output text, PRIMARY KEY (run_id, test_id, attempt),"
	" FOREIGN KEY (run_id, test_id) REFERENCES run_tests (run_id, test_id)"
	" ON DELETE CASCADE);"
	"CREATE TABLE quarantine (id bigint GENERATED BY DEFAULT AS IDENTITY"
	" PRIMARY KEY, test_id bigint NOT NULL REFERENCES tests (id) ON DELETE"
	" CASCADE, since bigint NOT NULL, reason text NOT NULL, source text NOT"
	" NULL CHECK (source IN ('auto', 'manual')), owner text, expires_at"
	" bigint, released_at bigint, issue text, mode text NOT NULL DEFAULT"
	" 'run', evidence text, released_reason text);"
	"CREATE INDEX quarantine_by_test ON quarantine (test_id);"
	"CREATE UNIQUE INDEX quarantine_active ON quarantine (test_id)"
	" WHERE released_at IS NULL;";

static void test_store_pg_migrates_v4(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st;
	struct fg_error err = { 0 };
	struct fg_run run;
	char sql[4096];

	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s_history; SET search_path"
		 " = %s_history; %s", fx->schema, fx->schema, pg_schema_v4);
	sql_exec(pg_base, sql);
	sql_exec(fx->db,
		 "INSERT INTO runs VALUES (1, 1700000000000, 500, 'abc', 'main',"
		 " 'h', NULL, NULL, 1, 0, '0.0.1', 'u1');"
		 "INSERT INTO tests VALUES (1, 'unit', 'c', 'a', 'a.c', 9);"
		 "INSERT INTO run_tests VALUES (1, 1, 2, 20, 2);"
		 "INSERT INTO results VALUES (1, 1, 1, 1, 30, 0, 'boom', 'out');"
		 "INSERT INTO results VALUES (1, 1, 2, 0, 20, 0, NULL, NULL);");
	st = open_ok(fx->db);
	assert_int_equal(sql_int(fx->db, "SELECT version FROM "
				 "flakeguard_schema"),
			 history_store_schema_version());
	assert_int_equal(history_store_load_run(st, 1, &run, &err), FG_OK);
	assert_int_equal(run.ntests, 1);
	assert_int_equal(run.tests[0].outcome, FG_O_FLAKY);
	assert_string_equal(run.tests[0].attempts[0].message, "boom");
	assert_int_equal(run.tests[0].attempts[0].beside, -1);
	fg_run_release(&run);
	/* xfailed/xpassed fit now; ids go on after the old ones. */
	sql_exec(fx->db, "UPDATE results SET status = 8 WHERE attempt = 2;"
		 "UPDATE run_tests SET outcome = 6");
	make_run(&run, 3, 0);
	run.tests[0].attempts[0].status = FG_A_XFAILED;
	fg_test_settle(&run.tests[0]);
	sql_exec(fx->db, "SELECT setval(pg_get_serial_sequence('runs', 'id'),"
		 " 1); SELECT setval(pg_get_serial_sequence('tests', 'id'), 1)");
	write_ok(st, &run);
	assert_int_equal(run.id, 2);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(count(fx->db, "results"), 2 + 5);
	assert_integrity(fx->db);
}

/* A writer killed while the server is taking its rows: whole or nothing. */
static void test_store_pg_sigkill_mid_write(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct fg_run run;
	int64_t nruns;
	int ws;
	pid_t pid;

	make_run(&run, 10, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);
	make_run(&run, BIG_TESTS, 1024);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fg_error err = { 0 };

		if (history_store_open(fx->db, &st, &err) != FG_OK)
			_exit(2);
		history_store_write_run(st, &run, &err);
		pause();
		_exit(0);
	}
	/* Kill once the server is busy with its COPY or INSERTs. */
	for (int i = 0; i < 6000; i++) {
		if (sql_int(pg_base, "SELECT count(*) FROM pg_stat_activity "
			    "WHERE application_name = 'flakeguard' AND state = "
			    "'active' AND (query LIKE 'COPY%' OR query LIKE "
			    "'INSERT INTO results%' OR query LIKE "
			    "'INSERT INTO run_tests%')") > 0)
			break;
		poll(NULL, 0, 10);
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFSIGNALED(ws));
	/* The server notices the closed connection and rolls back. */
	for (int i = 0; i < 500 && sql_int(pg_base, "SELECT count(*) FROM "
			"pg_stat_activity WHERE application_name = "
			"'flakeguard'") > 0; i++)
		poll(NULL, 0, 10);
	nruns = count(fx->db, "runs");
	if (nruns == 1) {
		assert_int_equal(count(fx->db, "run_tests"), 10);
	} else {
		assert_int_equal(nruns, 2);
		assert_int_equal(count(fx->db, "run_tests"), 10 + BIG_TESTS);
	}
	fg_run_release(&run);
	st = open_ok(fx->db);
	make_run(&run, 10, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), nruns + 1);
	assert_integrity(fx->db);
}

/* The server drops the connection while tests run: the store reconnects. */
static void test_store_pg_reconnects(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct history_durations d = { 0 };
	struct fg_error err = { 0 };
	struct fg_run run;
	int64_t n = 0;

	make_run(&run, 20, 0);
	write_ok(st, &run);
	fg_run_release(&run);
	for (int k = 0; k < 2; k++) {
		/* What a pooler's or the server's idle timeout does. */
		assert_true(sql_int(pg_base, "SELECT count(pg_terminate_backend("
				    "pid)) FROM pg_stat_activity WHERE "
				    "application_name = 'flakeguard'") >= 1);
		if (k == 0) {
			assert_int_equal(history_store_count_runs(st, &n, &err),
					 FG_OK);
			assert_int_equal(n, 1);
		} else {
			make_run(&run, 20, 0);
			write_ok(st, &run);
			fg_run_release(&run);
		}
	}
	assert_int_equal(history_store_durations(st, 5, &d, &err), FG_OK);
	assert_true(d.n > 0);
	history_durations_release(&d);
	history_store_close(st);
	assert_int_equal(count(fx->db, "runs"), 2);
}

/* SQLite history into PostgreSQL and back: the same runs. */
static void test_store_merge_across_backends(void **state)
{
	struct fixture *fx = *state;
	struct history_merge_stats ms = { 0 };
	struct fg_error err = { 0 };
	struct history_store *pg, *sq, *back;
	char file[128], file2[128];
	struct fg_run a, b;

	snprintf(file, sizeof(file), "%s/local.db", fx->dir);
	snprintf(file2, sizeof(file2), "%s/back.db", fx->dir);
	make_db(file, 3, 40, 1700000000000);
	pg = open_ok(fx->db);
	assert_int_equal(history_store_merge(pg, file, &ms, &err), FG_OK);
	assert_int_equal(ms.runs_added, 3);
	assert_int_equal(ms.tests_added, 40);
	assert_int_equal(ms.results_added, sql_int(file, "SELECT count(*) "
						   "FROM results"));
	memset(&ms, 0, sizeof(ms));
	assert_int_equal(history_store_merge(pg, file, &ms, &err), FG_OK);
	assert_int_equal(ms.runs_added, 0);
	assert_int_equal(ms.runs_skipped, 3);
	/* ... and back into a new SQLite file. */
	back = open_ok(file2);
	assert_int_equal(history_store_merge(back, fx->db, &ms, &err), FG_OK);
	sq = open_ok(file);
	for (int64_t id = 1; id <= 3; id++) {
		assert_int_equal(history_store_load_run(sq, id, &a, &err), FG_OK);
		assert_int_equal(history_store_load_run(pg, id, &b, &err), FG_OK);
		assert_same_run(&b, &a);
		fg_run_release(&b);
		assert_int_equal(history_store_load_run(back, id, &b, &err),
				 FG_OK);
		assert_same_run(&b, &a);
		fg_run_release(&a);
		fg_run_release(&b);
	}
	history_store_close(sq);
	history_store_close(back);
	history_store_close(pg);
	assert_integrity(fx->db);
	assert_integrity(file2);
}

/* A run of make_run()'s tests with the given branch, shard, selection. */
static int64_t write_keyed(struct history_store *st, const char *branch,
			   const char *shard, const char *selection,
			   bool interrupted, int64_t started)
{
	struct fg_run run;
	int64_t id;

	make_run(&run, 2, 0);
	free(run.branch);
	free(run.shard);
	run.branch = branch ? fg_xstrdup(branch) : NULL;
	run.shard = shard ? fg_xstrdup(shard) : NULL;
	run.selection = selection ? fg_xstrdup(selection) : NULL;
	run.interrupted = interrupted;
	run.started_at_ms = started;
	write_ok(st, &run);
	id = run.id;
	fg_run_release(&run);
	return id;
}

static int64_t find_ok(struct history_store *st, const char *branch,
		       const char *shard, const char *selection,
		       bool complete_only)
{
	const struct history_run_key k = {
		.branch = branch, .shard = shard, .selection = selection,
		.complete_only = complete_only,
	};
	struct fg_error err = { 0 };
	int64_t id = -1;

	if (history_store_find_run(st, &k, &id, &err) != FG_OK)
		fail_msg("find_run: %s", err.msg);
	return id;
}

/*
 * Schema 6: runs keep their selection; the last run of a branch, shard
 * and selection is found (missing tests, --rerun-failed); a version 5
 * history migrates with its runs' selections NULL, never matched.
 */
static void test_store_selection_and_v6(void **state)
{
	struct fixture *fx = *state;
	struct history_store *st = open_ok(fx->db);
	struct fg_error err = { 0 };
	struct fg_run run;
	int64_t a, b, c, d, e;

	a = write_keyed(st, "main", NULL, "config x", false, 1000);
	b = write_keyed(st, "main", NULL, "config x --suite a", false, 2000);
	c = write_keyed(st, "main", NULL, "config x", true, 3000);
	d = write_keyed(st, NULL, NULL, "config x", false, 4000);
	e = write_keyed(st, "main", "1/2", "config x", false, 5000);
	assert_int_equal(find_ok(st, "main", NULL, "config x", true), a);
	assert_int_equal(find_ok(st, "main", NULL, "config x", false), c);
	assert_int_equal(find_ok(st, "main", NULL, NULL, false), c);
	assert_int_equal(find_ok(st, "main", NULL, "config x --suite a", true),
			 b);
	assert_int_equal(find_ok(st, NULL, NULL, "config x", true), d);
	assert_int_equal(find_ok(st, "main", "1/2", "config x", true), e);
	assert_int_equal(find_ok(st, "main", "2/2", NULL, false), 0);
	assert_int_equal(find_ok(st, "topic", NULL, NULL, false), 0);
	assert_int_equal(history_store_load_run(st, b, &run, &err), FG_OK);
	assert_string_equal(run.selection, "config x --suite a");
	fg_run_release(&run);
	assert_int_equal(history_store_run_tests(st, a, &run, &err), FG_OK);
	assert_int_equal(run.ntests, 2);
	assert_int_equal(run.tests[0].nattempts, 0);
	assert_non_null(fg_run_find_test(&run, run.tests[1].suite,
					 run.tests[1].classname,
					 run.tests[1].name));
	fg_run_release(&run);
	history_store_close(st);

	/* version 5: no selection column, no index (and no company: 7) */
	sql_exec(fx->db, pg_base ?
		 "DROP INDEX runs_by_branch; ALTER TABLE runs DROP COLUMN "
		 "selection; ALTER TABLE results DROP COLUMN beside, DROP "
		 "COLUMN beside_names; UPDATE flakeguard_schema SET version = 5" :
		 "DROP INDEX runs_by_branch; ALTER TABLE runs DROP COLUMN "
		 "selection; ALTER TABLE results DROP COLUMN beside; ALTER "
		 "TABLE results DROP COLUMN beside_names; PRAGMA user_version = 5");
	st = open_ok(fx->db);
	assert_int_equal(sql_int(fx->db, pg_base ? "SELECT version FROM "
				 "flakeguard_schema" : "PRAGMA user_version"),
			 history_store_schema_version());
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM runs WHERE "
				 "selection IS NULL"), 5);
	assert_int_equal(find_ok(st, "main", NULL, "config x", true), 0);
	assert_int_equal(find_ok(st, "main", NULL, NULL, true), b);
	c = write_keyed(st, "main", NULL, "config x", false, 6000);
	assert_int_equal(find_ok(st, "main", NULL, "config x", true), c);
	history_store_close(st);
	assert_integrity(fx->db);
}

/* ---------------------------------------------------------------------- */

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, \
					      fixture_teardown)
	/* Both backends. */
	const struct CMUnitTest common[] = {
		T(test_store_create_write_read),
		T(test_store_reopen_and_query),
		T(test_store_existing_mode),
		T(test_store_failed_write_leaves_nothing),
		T(test_store_concurrent_writers),
		T(test_store_load_run),
		T(test_store_scan_company),
		T(test_store_merge),
		T(test_store_gc),
		T(test_store_stream_merge_commit),
		T(test_store_stream_judged_commit),
		T(test_store_stream_rollback_and_rewind),
		T(test_store_stream_holds_no_lock),
		T(test_store_quarantine_changes),
		T(test_store_quarantine_race),
		T(test_store_selection_and_v6),
	};
	const struct CMUnitTest sqlite_only[] = {
		T(test_store_refuses_text_file),
		T(test_store_refuses_random_bytes),
		T(test_store_refuses_foreign_sqlite),
		T(test_store_refuses_newer_version),
		T(test_store_unwritable_paths),
		T(test_store_migrates_empty_v0),
		T(test_store_sigkill_mid_write),
		T(test_store_migrates_v1),
		T(test_store_migrates_v3),
		T(test_store_merge_v1_input),
		T(test_store_lock_wait),
	};
	const struct CMUnitTest pg_only[] = {
		T(test_store_pg_urls),
		T(test_store_pg_bad_connections),
		T(test_store_pg_refuses_foreign),
		T(test_store_pg_refuses_newer),
		T(test_store_pg_migrates_v4),
		T(test_store_pg_sigkill_mid_write),
		T(test_store_merge_across_backends),
		T(test_store_pg_reconnects),
	};
#undef T
	const char *url = getenv("FG_TEST_DB_URL");
	int failed;

	if (url && *url) {
		if (!history_store_is_url(url)) {
			fprintf(stderr, "FG_TEST_DB_URL '%s' is not a "
				"postgresql:// URL\n", url);
			return 2;
		}
		pg_base = url;
		failed = cmocka_run_group_tests_name("history_store_postgresql",
						     common, NULL, NULL);
		return failed + cmocka_run_group_tests_name(
			"history_store_postgresql_only", pg_only, NULL, NULL);
	}
	failed = cmocka_run_group_tests_name("history_store", common, NULL,
					     NULL);
	return failed + cmocka_run_group_tests_name("history_store_sqlite_only",
						    sqlite_only, NULL, NULL);
}
