/* SPDX-License-Identifier: MIT */
/*
 * history/quarantine.c - what the analyzer reads and writes: a streaming
 * scan of every test's recent runs, and the quarantine table.
 *
 * The scan reads one row per attempt (run_tests joined with its results)
 * and folds the attempts of one (test, run) into one history_scan_row, so
 * the analyzer sees runs, not attempts. Only the newest N runs of a test
 * are read: a window function numbers each test's runs newest first.
 *
 * The quarantine table keeps its history: an entry is never deleted, it is
 * ended (released_at, released_reason), and at most one entry per test is
 * active (a partial unique index enforces it).
 *
 * API: history/history.h, section "Analysis scan and quarantine table".
 */
#include "history/history.h"
#include "history/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* The scan                                                                */
/* ---------------------------------------------------------------------- */

#define SCAN_COLUMNS \
	"SELECT t.id, t.suite, t.classname, t.name, rt.run_id, ru.started_at," \
	" ru.commit_sha, ru.branch, rt.outcome, rt.duration_ms, r.attempt," \
	" r.status, r.message"

static const char scan_all_sql[] =
	"WITH rt AS (SELECT run_id, test_id, outcome, duration_ms,"
	"  row_number() OVER (PARTITION BY test_id ORDER BY run_id DESC) AS rn"
	"  FROM run_tests)"
	SCAN_COLUMNS
	" FROM rt JOIN tests t ON t.id = rt.test_id"
	" JOIN runs ru ON ru.id = rt.run_id"
	" LEFT JOIN results r ON r.run_id = rt.run_id AND r.test_id = rt.test_id"
	" WHERE rt.rn <= ?1"
	" ORDER BY t.suite, t.classname, t.name, rt.run_id, r.attempt";

static const char scan_one_sql[] =
	"WITH rt AS (SELECT run_id, test_id, outcome, duration_ms"
	"  FROM run_tests WHERE test_id = (SELECT id FROM tests"
	"   WHERE suite = ?2 AND classname = ?3 AND name = ?4)"
	"  ORDER BY run_id DESC LIMIT ?1)"
	SCAN_COLUMNS
	" FROM rt JOIN tests t ON t.id = rt.test_id"
	" JOIN runs ru ON ru.id = rt.run_id"
	" LEFT JOIN results r ON r.run_id = rt.run_id AND r.test_id = rt.test_id"
	" ORDER BY rt.run_id, r.attempt";

/* The row being folded; strings are copies (column text dies at step). */
struct scan_acc {
	struct history_scan_row row;
	char *suite, *classname, *name, *commit, *branch, *message;
	enum fg_astatus *statuses;
	size_t cap;
	bool open;
};

static void acc_clear(struct scan_acc *a)
{
	free(a->suite);
	free(a->classname);
	free(a->name);
	free(a->commit);
	free(a->branch);
	free(a->message);
	a->suite = a->classname = a->name = NULL;
	a->commit = a->branch = a->message = NULL;
	a->row.nattempts = 0;
	a->open = false;
}

static char *col(sqlite3_stmt *s, int i)
{
	return fg_xstrdup((const char *)sqlite3_column_text(s, i));
}

static void acc_start(struct scan_acc *a, sqlite3_stmt *s)
{
	acc_clear(a);
	a->row.test_id = sqlite3_column_int64(s, 0);
	a->suite = col(s, 1);
	a->classname = col(s, 2);
	a->name = col(s, 3);
	a->row.run_id = sqlite3_column_int64(s, 4);
	a->row.started_at_ms = sqlite3_column_int64(s, 5);
	a->commit = col(s, 6);
	a->branch = col(s, 7);
	a->row.outcome = (enum fg_outcome)sqlite3_column_int(s, 8);
	a->row.duration_ms = sqlite3_column_int64(s, 9);
	a->open = true;
}

static void acc_attempt(struct scan_acc *a, sqlite3_stmt *s)
{
	enum fg_astatus st;

	if (sqlite3_column_type(s, 10) == SQLITE_NULL)
		return; /* a run_tests row without results */
	st = (enum fg_astatus)sqlite3_column_int(s, 11);
	fg_xgrow((void **)&a->statuses, &a->cap, a->row.nattempts + 1,
		 sizeof(*a->statuses));
	a->statuses[a->row.nattempts++] = st;
	if (!a->message && fg_astatus_is_failure(st) &&
	    sqlite3_column_type(s, 12) != SQLITE_NULL)
		a->message = col(s, 12);
}

static int acc_emit(struct scan_acc *a, history_scan_fn fn, void *ctx)
{
	a->row.suite = a->suite;
	a->row.classname = a->classname;
	a->row.name = a->name;
	a->row.commit = a->commit;
	a->row.branch = a->branch;
	a->row.message = a->message;
	a->row.statuses = a->statuses;
	return fn(ctx, &a->row);
}

int history_store_scan(struct history_store *st, int max_runs,
		       const char *suite, const char *classname,
		       const char *name, history_scan_fn fn, void *ctx,
		       struct fg_error *err)
{
	sqlite3 *db = history_store_db(st);
	struct scan_acc a = { 0 };
	sqlite3_stmt *s;
	int rc, cb = 0;

	/* One test at a time is the run command's hot path: keep it prepared. */
	s = suite ? history_store_cached(st, HISTORY_SLOT_SCAN_ONE, scan_one_sql) :
		    NULL;
	if (!suite && sqlite3_prepare_v2(db, scan_all_sql, -1, &s, NULL) !=
			      SQLITE_OK)
		s = NULL;
	if (!s)
		return fg_fail(err, FG_EDB, "cannot scan '%s': %s",
			       history_store_path(st), sqlite3_errmsg(db));
	sqlite3_bind_int(s, 1, max_runs < 1 ? 1 : max_runs);
	if (suite) {
		sqlite3_bind_text(s, 2, suite, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, classname ? classname : "", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(s, 4, name, -1, SQLITE_STATIC);
	}
	while (!cb && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!a.open || a.row.test_id != sqlite3_column_int64(s, 0) ||
		    a.row.run_id != sqlite3_column_int64(s, 4)) {
			if (a.open && (cb = acc_emit(&a, fn, ctx)))
				break;
			acc_start(&a, s);
		}
		acc_attempt(&a, s);
	}
	if (!cb && rc == SQLITE_DONE && a.open)
		cb = acc_emit(&a, fn, ctx);
	if (!cb && rc != SQLITE_DONE)
		cb = fg_fail(err, FG_EDB, "cannot scan '%s': %s",
			     history_store_path(st), sqlite3_errmsg(db));
	if (suite) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else {
		sqlite3_finalize(s);
	}
	acc_clear(&a);
	free(a.statuses);
	return cb;
}

/* ---------------------------------------------------------------------- */
/* The quarantine table                                                    */
/* ---------------------------------------------------------------------- */

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static char *col_or_null(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL : col(s, i);
}

void history_quarantine_clear(struct history_quarantine *q)
{
	free(q->suite);
	free(q->classname);
	free(q->name);
	free(q->reason);
	free(q->source);
	free(q->owner);
	free(q->issue);
	free(q->mode);
	free(q->evidence);
	free(q->released_reason);
	memset(q, 0, sizeof(*q));
}

void history_quarantine_list_release(struct history_quarantine_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		history_quarantine_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void history_quarantine_copy(struct history_quarantine *dst,
			     const struct history_quarantine *src)
{
	*dst = *src;
	dst->suite = fg_xstrdup(src->suite);
	dst->classname = fg_xstrdup(src->classname ? src->classname : "");
	dst->name = fg_xstrdup(src->name);
	dst->reason = fg_xstrdup(src->reason);
	dst->source = fg_xstrdup(src->source);
	dst->owner = fg_xstrdup(src->owner);
	dst->issue = fg_xstrdup(src->issue);
	dst->mode = fg_xstrdup(src->mode);
	dst->evidence = fg_xstrdup(src->evidence);
	dst->released_reason = fg_xstrdup(src->released_reason);
}

int history_quarantine_list(struct history_store *st, bool all,
			    struct history_quarantine_list *out,
			    struct fg_error *err)
{
	sqlite3 *db = history_store_db(st);
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db,
		"SELECT t.suite, t.classname, t.name, q.since, q.reason,"
		" q.source, q.owner, q.expires_at, q.issue, q.mode, q.evidence,"
		" q.released_at, q.released_reason"
		" FROM quarantine q JOIN tests t ON t.id = q.test_id"
		" WHERE ?1 OR q.released_at IS NULL"
		" ORDER BY t.suite, t.classname, t.name, q.since, q.id",
		-1, &s, NULL) != SQLITE_OK)
		return fg_fail(err, FG_EDB, "cannot read quarantine in '%s': %s",
			       history_store_path(st), sqlite3_errmsg(db));
	sqlite3_bind_int(s, 1, all);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct history_quarantine *q;

		fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
			 sizeof(*out->items));
		q = &out->items[out->n++];
		memset(q, 0, sizeof(*q));
		q->suite = col(s, 0);
		q->classname = col(s, 1);
		q->name = col(s, 2);
		q->since_ms = sqlite3_column_int64(s, 3);
		q->reason = col(s, 4);
		q->source = col(s, 5);
		q->owner = col_or_null(s, 6);
		q->expires_ms = sqlite3_column_int64(s, 7);
		q->issue = col_or_null(s, 8);
		q->mode = col(s, 9);
		q->evidence = col_or_null(s, 10);
		q->released_ms = sqlite3_column_int64(s, 11);
		q->released_reason = col_or_null(s, 12);
	}
	if (rc != SQLITE_DONE) {
		rc = fg_fail(err, FG_EDB, "cannot read quarantine in '%s': %s",
			     history_store_path(st), sqlite3_errmsg(db));
		history_quarantine_list_release(out);
	} else {
		rc = FG_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Runs sql with the given text/int64 parameters ("t" / "i" in types). */
static int exec_params(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 't')
			bind_str(s, i + 1, va_arg(ap, const char *));
		else
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static const char end_sql[] =
	"UPDATE quarantine SET released_at = ?4, released_reason = ?5"
	" WHERE released_at IS NULL AND test_id = (SELECT id FROM tests"
	"  WHERE suite = ?1 AND classname = ?2 AND name = ?3)";

/*
 * Commits (rc == SQLITE_OK) or rolls back. A failed COMMIT counts as a
 * failure; the first error's message is kept in msg before ROLLBACK can
 * replace it ("database is locked", not "no transaction is active").
 */
static int tx_end(sqlite3 *db, int rc, char *msg, size_t n)
{
	if (rc == SQLITE_OK &&
	    (rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) == SQLITE_OK)
		return SQLITE_OK;
	snprintf(msg, n, "%s", sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int history_quarantine_add(struct history_store *st,
			   const struct history_quarantine *q,
			   struct fg_error *err)
{
	sqlite3 *db = history_store_db(st);
	const char *cls = q->classname ? q->classname : "";
	int64_t now = q->since_ms ? q->since_ms : fg_now_ms();
	char msg[256];
	int rc;

	if (!q->reason || !*q->reason)
		return fg_fail(err, FG_EINVAL, "quarantine of '%s' needs a "
			       "reason", q->name);
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = exec_params(db, "INSERT OR IGNORE INTO tests (suite,"
				 " classname, name) VALUES (?1, ?2, ?3)", "ttt",
				 q->suite, cls, q->name);
	if (rc == SQLITE_OK)
		rc = exec_params(db, end_sql, "tttit", q->suite, cls, q->name,
				 now, "replaced");
	if (rc == SQLITE_OK)
		rc = exec_params(db,
			"INSERT INTO quarantine (test_id, since, reason, source,"
			" owner, expires_at, issue, mode, evidence)"
			" SELECT id, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9, ?10, ?11"
			" FROM tests WHERE suite = ?1 AND classname = ?2"
			" AND name = ?3", "tttitttittt", q->suite, cls, q->name,
			now, q->reason, q->source ? q->source : "manual",
			q->owner, q->expires_ms, q->issue,
			q->mode ? q->mode : "run", q->evidence);
	if (tx_end(db, rc, msg, sizeof(msg)) != SQLITE_OK)
		return fg_fail(err, FG_EDB, "cannot quarantine '%s' in '%s': %s",
			       q->name, history_store_path(st), msg);
	return FG_OK;
}

int history_quarantine_remove(struct history_store *st, const char *suite,
			      const char *classname, const char *name,
			      int64_t when_ms, const char *why, bool *removed,
			      struct fg_error *err)
{
	sqlite3 *db = history_store_db(st);
	int rc = exec_params(db, end_sql, "tttit", suite,
			     classname ? classname : "", name,
			     when_ms ? when_ms : fg_now_ms(),
			     why ? why : "removed");

	if (rc != SQLITE_OK)
		return fg_fail(err, FG_EDB, "cannot release '%s' in '%s': %s",
			       name, history_store_path(st),
			       sqlite3_errmsg(db));
	if (removed)
		*removed = sqlite3_changes(db) > 0;
	return FG_OK;
}
