/* SPDX-License-Identifier: MIT */
/*
 * history/stage.c - where a streamed run waits for its commit: a private,
 * temporary SQLite database (sqlite3_open_v2("") makes one in TMPDIR that
 * is deleted when closed), whatever the history's backend.
 *
 * Why: `import` of a big file used to write straight into the history
 * inside one open transaction, so the database's write lock was held for
 * the whole parse (seconds to minutes), and a concurrent writer gave up
 * (issue 13: 2 of 12 concurrent 200,000-case imports lost). Staged, the
 * parse touches only this file; the history sees one short transaction at
 * the end that copies the staged rows (history/store.c).
 *
 * What the stage does that a plain list could not: it keeps memory flat
 * (a small page cache, the rest spills to the temporary file), finds a
 * test met again by identity (a UNIQUE index) to append its attempts and
 * re-settle it, and rewinds to a mark (a savepoint) when a damaged file is
 * read a second time.
 *
 * Tables: t, one row per test in first-seen order (seq), with its outcome
 * so far and attempt count; a, one row per attempt, rowids growing, so
 * "attempts since the mark" is rowid > the largest rowid at the mark.
 */
#include "history/history.h"
#include "history/internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The stage's page cache: the rest of a big run spills to the file. */
#define STAGE_CACHE "PRAGMA cache_size = -8192"

static const char stage_schema[] =
	"PRAGMA journal_mode = TRUNCATE;"
	"PRAGMA synchronous = OFF;"
	STAGE_CACHE ";"
	"CREATE TABLE t (seq INTEGER PRIMARY KEY, suite TEXT NOT NULL,"
	" classname TEXT NOT NULL, name TEXT NOT NULL, file TEXT,"
	" line INTEGER NOT NULL, outcome INTEGER NOT NULL,"
	" duration_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	" UNIQUE (suite, classname, name));"
	"CREATE TABLE a (seq INTEGER NOT NULL, attempt INTEGER NOT NULL,"
	" status INTEGER NOT NULL, duration_ms INTEGER NOT NULL,"
	" started_at INTEGER NOT NULL, message TEXT, output TEXT);"
	"CREATE INDEX a_by_test ON a (seq, attempt);"
	"BEGIN;";

enum stage_stmt {
	SG_ADD,
	SG_FIND,
	SG_UPDATE,
	SG_ATTEMPT,
	SG_MAX_ROWID,
	SG_PART,
	SG_EACH,
	SG_SET_OUTCOME,
	SG_COUNT
};

static const char *const stage_sql[SG_COUNT] = {
	[SG_ADD] = "INSERT OR IGNORE INTO t (suite, classname, name, file,"
		   " line, outcome, duration_ms, attempts)"
		   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SG_FIND] = "SELECT seq, outcome, attempts FROM t"
		    " WHERE suite = ?1 AND classname = ?2 AND name = ?3",
	[SG_UPDATE] = "UPDATE t SET outcome = ?2, duration_ms = ?3,"
		      " attempts = ?4, file = coalesce(?5, file),"
		      " line = CASE WHEN ?6 > 0 THEN ?6 ELSE line END"
		      " WHERE seq = ?1",
	[SG_ATTEMPT] = "INSERT INTO a (seq, attempt, status, duration_ms,"
		       " started_at, message, output)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SG_MAX_ROWID] = "SELECT coalesce(max(rowid), 0) FROM a",
	[SG_PART] = "SELECT status FROM a WHERE seq = ?1 AND rowid > ?2"
		    " ORDER BY attempt",
	[SG_EACH] = "SELECT t.seq, t.suite, t.classname, t.name, t.file,"
		    " t.line, t.outcome, t.duration_ms, a.attempt, a.status,"
		    " a.duration_ms, a.started_at, a.message, a.output"
		    " FROM t LEFT JOIN a ON a.seq = t.seq"
		    " ORDER BY t.seq, a.attempt",
	[SG_SET_OUTCOME] = "UPDATE t SET outcome = ?2 WHERE seq = ?1",
};

struct history_stage {
	sqlite3 *db;
	sqlite3_stmt *s[SG_COUNT];
	bool merge;                 /* duplicates become more attempts */
	struct fg_summary sum, sum_mark; /* outcomes so far, at the mark */
	struct fg_summary part;     /* outcomes over attempts since it */
	int64_t mark_rowid;         /* a's largest rowid at the mark */
	bool mark_start;            /* the mark is the run's start */
	bool savepoint;             /* a savepoint is open */
};

static int stage_fail(struct history_stage *sg, struct fg_error *err)
{
	return fg_fail(err, FG_EIO, "cannot stage the run in a temporary "
		       "database (TMPDIR): %s", sg->db ? sqlite3_errmsg(sg->db) :
		       "out of memory");
}

static sqlite3_stmt *get(struct history_stage *sg, enum stage_stmt id)
{
	if (!sg->s[id] &&
	    sqlite3_prepare_v3(sg->db, stage_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &sg->s[id],
			       NULL) != SQLITE_OK)
		return NULL;
	return sg->s[id];
}

static int run_stmt(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int history__stage_new(bool merge, struct history_stage **out,
		       struct fg_error *err)
{
	struct history_stage *sg = fg_xcalloc(1, sizeof(*sg));

	*out = NULL;
	sg->merge = merge;
	sg->mark_rowid = INT64_MAX; /* no mark: nothing is "since" */
	if (sqlite3_open_v2("", &sg->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(sg->db, stage_schema, NULL, NULL, NULL) != SQLITE_OK) {
		int rc = stage_fail(sg, err);

		history__stage_free(sg);
		return rc;
	}
	*out = sg;
	return FG_OK;
}

void history__stage_free(struct history_stage *sg)
{
	if (!sg)
		return;
	for (int i = 0; i < SG_COUNT; i++)
		sqlite3_finalize(sg->s[i]);
	sqlite3_close_v2(sg->db);
	free(sg);
}

static void sum_count(struct fg_summary *sum, enum fg_outcome o, int delta)
{
	size_t *c[FG_O_COUNT] = { &sum->passed, &sum->failed, &sum->flaky,
				  &sum->skipped, &sum->quarantined,
				  &sum->xfailed, &sum->xpassed };

	if ((unsigned)o < FG_O_COUNT)
		*c[o] += (size_t)delta;
}

enum fg_outcome history__merge_outcome(enum fg_outcome before,
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

static int add_attempts(struct history_stage *sg, int64_t seq,
			const struct fg_test *t, int64_t renumber_from)
{
	sqlite3_stmt *s = get(sg, SG_ATTEMPT);
	int rc = s ? SQLITE_OK : SQLITE_ERROR;

	for (size_t i = 0; rc == SQLITE_OK && i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];

		sqlite3_bind_int64(s, 1, seq);
		sqlite3_bind_int64(s, 2, renumber_from ?
				   renumber_from + (int64_t)i : a->number);
		sqlite3_bind_int(s, 3, (int)a->status);
		sqlite3_bind_int64(s, 4, a->duration_ms);
		sqlite3_bind_int64(s, 5, a->started_at_ms);
		bind_text(s, 6, a->message);
		bind_text(s, 7, a->output);
		rc = run_stmt(s);
	}
	return rc;
}

/*
 * The part's counts (what the test's attempts since the mark come to)
 * when attempts settling as `more` are added to a known test: its
 * attempts since the mark, if any, are settled again with them.
 */
static int part_merge(struct history_stage *sg, int64_t seq,
		      enum fg_outcome more)
{
	sqlite3_stmt *s = get(sg, SG_PART);
	bool any = false, failed = false, passed = false, skipped = true;
	enum fg_astatus last = FG_A_PASSED;
	enum fg_outcome before;
	int rc;

	if (!s)
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int64(s, 2, sg->mark_rowid);
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
		sg->part.total++;
		sum_count(&sg->part, more, 1);
		return SQLITE_OK;
	}
	before = skipped ? FG_O_SKIPPED : failed && passed ? FG_O_FLAKY :
		 fg_astatus_is_failure(last) ?
		 FG_O_FAILED : failed ? FG_O_FLAKY :
		 last == FG_A_XFAILED ? FG_O_XFAILED :
		 last == FG_A_XPASSED ? FG_O_XPASSED : FG_O_PASSED;
	sum_count(&sg->part, before, -1);
	sum_count(&sg->part, history__merge_outcome(before, more), 1);
	return SQLITE_OK;
}

/*
 * A test the stage already has: t's attempts are appended after the
 * staged ones and the test re-settled.
 */
static int merge_test(struct history_stage *sg, const struct fg_test *t)
{
	sqlite3_stmt *s = get(sg, SG_FIND);
	enum fg_outcome before, after;
	int64_t seq, n0;
	int rc;

	if (!s)
		return SQLITE_ERROR;
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname);
	bind_text(s, 3, t->name);
	rc = sqlite3_step(s);
	seq = sqlite3_column_int64(s, 0);
	before = (enum fg_outcome)sqlite3_column_int(s, 1);
	n0 = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	if (!t->nattempts)
		return SQLITE_OK;
	after = history__merge_outcome(before, t->outcome);
	if ((rc = part_merge(sg, seq, t->outcome)) != SQLITE_OK ||
	    (rc = add_attempts(sg, seq, t, n0 + 1)) != SQLITE_OK)
		return rc;
	if (!(s = get(sg, SG_UPDATE)))
		return SQLITE_ERROR;
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int(s, 2, (int)after);
	sqlite3_bind_int64(s, 3, t->duration_ms);
	sqlite3_bind_int64(s, 4, n0 + (int64_t)t->nattempts);
	bind_text(s, 5, t->file);
	sqlite3_bind_int(s, 6, t->line);
	rc = run_stmt(s);
	sum_count(&sg->sum, before, -1);
	sum_count(&sg->sum, after, 1);
	return rc;
}

int history__stage_add(struct history_stage *sg, const struct fg_test *t,
		       struct fg_error *err)
{
	sqlite3_stmt *s = get(sg, SG_ADD);

	if (!s)
		return stage_fail(sg, err);
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname ? t->classname : "");
	bind_text(s, 3, t->name);
	bind_text(s, 4, t->file);
	sqlite3_bind_int(s, 5, t->line > 0 ? t->line : 0);
	sqlite3_bind_int(s, 6, (int)t->outcome);
	sqlite3_bind_int64(s, 7, t->duration_ms);
	sqlite3_bind_int64(s, 8, (int64_t)t->nattempts);
	if (run_stmt(s) != SQLITE_OK)
		return stage_fail(sg, err);
	if (sqlite3_changes(sg->db) == 0) {
		if (!sg->merge)
			return fg_fail(err, FG_EDB, "test '%s/%s/%s' appears "
				       "twice in the run", t->suite,
				       t->classname, t->name);
		return merge_test(sg, t) == SQLITE_OK ? FG_OK :
		       stage_fail(sg, err);
	}
	if (add_attempts(sg, sqlite3_last_insert_rowid(sg->db), t, 0) !=
	    SQLITE_OK)
		return stage_fail(sg, err);
	sg->sum.total++;
	sum_count(&sg->sum, t->outcome, 1);
	sg->part.total++;
	sum_count(&sg->part, t->outcome, 1);
	return FG_OK;
}

int history__stage_set_outcome(struct history_stage *sg,
			       const struct fg_test *t, enum fg_outcome o,
			       struct fg_error *err)
{
	sqlite3_stmt *s = get(sg, SG_FIND);
	enum fg_outcome before;
	int64_t seq;
	int rc;

	if (!s)
		return stage_fail(sg, err);
	bind_text(s, 1, t->suite);
	bind_text(s, 2, t->classname ? t->classname : "");
	bind_text(s, 3, t->name);
	rc = sqlite3_step(s);
	seq = sqlite3_column_int64(s, 0);
	before = (enum fg_outcome)sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return fg_fail(err, FG_EINVAL, "test '%s/%s/%s' is not in the "
			       "run", t->suite, t->classname, t->name);
	if (rc != SQLITE_ROW || !(s = get(sg, SG_SET_OUTCOME)))
		return stage_fail(sg, err);
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int(s, 2, (int)o);
	if (run_stmt(s) != SQLITE_OK)
		return stage_fail(sg, err);
	sum_count(&sg->sum, before, -1);
	sum_count(&sg->sum, o, 1);
	return FG_OK;
}

int history__stage_mark(struct history_stage *sg, struct fg_error *err)
{
	sqlite3_stmt *s;
	int rc;

	/*
	 * Nothing staged yet: rewinding is starting over, which needs no
	 * savepoint. A savepoint makes SQLite copy every page it changes to
	 * a sub-journal first.
	 */
	sg->mark_start = !sg->sum.total;
	sg->sum_mark = sg->sum;
	memset(&sg->part, 0, sizeof(sg->part));
	if (sg->mark_start) {
		sg->mark_rowid = 0;
		return FG_OK;
	}
	/* One savepoint on the stack: release the older mark first. */
	if (sg->savepoint)
		sqlite3_exec(sg->db, "RELEASE fg_mark", NULL, NULL, NULL);
	sg->savepoint = false;
	if (sqlite3_exec(sg->db, "SAVEPOINT fg_mark", NULL, NULL, NULL) !=
	    SQLITE_OK || !(s = get(sg, SG_MAX_ROWID)))
		return stage_fail(sg, err);
	sg->savepoint = true;
	rc = sqlite3_step(s);
	sg->mark_rowid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? FG_OK : stage_fail(sg, err);
}

int history__stage_rewind(struct history_stage *sg, struct fg_error *err)
{
	if (sg->mark_start) {
		/* Start over: nothing was staged before the mark. */
		if (sqlite3_exec(sg->db, "ROLLBACK; BEGIN", NULL, NULL, NULL) !=
		    SQLITE_OK)
			return stage_fail(sg, err);
		sg->savepoint = false;
	} else if (sqlite3_exec(sg->db, "ROLLBACK TO fg_mark", NULL, NULL,
				NULL) != SQLITE_OK) {
		return stage_fail(sg, err);
	}
	sg->sum = sg->sum_mark;
	memset(&sg->part, 0, sizeof(sg->part));
	return FG_OK;
}

void history__stage_summary(const struct history_stage *sg,
			    struct fg_summary *sum, struct fg_summary *part)
{
	if (sum)
		*sum = sg->sum;
	if (part)
		*part = sg->part;
}

/* The test being rebuilt from the stage: strings owned here. */
static void test_clear(struct fg_test *t)
{
	free(t->suite);
	free(t->classname);
	free(t->name);
	free(t->file);
	for (size_t i = 0; i < t->nattempts; i++) {
		free(t->attempts[i].message);
		free(t->attempts[i].output);
		free(t->attempts[i].beside_names);
	}
	t->suite = t->classname = t->name = t->file = NULL;
	t->nattempts = 0;
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	return fg_xstrdup((const char *)sqlite3_column_text(s, i));
}

static void test_start(struct fg_test *t, sqlite3_stmt *s)
{
	test_clear(t);
	t->suite = dup_col(s, 1);
	t->classname = dup_col(s, 2);
	t->name = dup_col(s, 3);
	t->file = dup_col(s, 4);
	t->line = sqlite3_column_int(s, 5);
	t->outcome = (enum fg_outcome)sqlite3_column_int(s, 6);
	t->duration_ms = sqlite3_column_int64(s, 7);
}

static void test_attempt(struct fg_test *t, sqlite3_stmt *s)
{
	struct fg_attempt *a;

	if (sqlite3_column_type(s, 8) == SQLITE_NULL)
		return;
	fg_xgrow((void **)&t->attempts, &t->attempts_cap, t->nattempts + 1,
		 sizeof(*t->attempts));
	a = &t->attempts[t->nattempts++];
	memset(a, 0, sizeof(*a));
	a->number = sqlite3_column_int(s, 8);
	a->status = (enum fg_astatus)sqlite3_column_int(s, 9);
	a->duration_ms = sqlite3_column_int64(s, 10);
	a->started_at_ms = sqlite3_column_int64(s, 11);
	a->message = dup_col(s, 12);
	a->output = dup_col(s, 13);
}

int history__stage_each(struct history_stage *sg,
			int (*fn)(void *ctx, const struct fg_test *t),
			void *ctx, struct fg_error *err)
{
	sqlite3_stmt *s = get(sg, SG_EACH);
	struct fg_test t = { 0 };
	int64_t seq = 0;
	bool open = false;
	int rc, cb = 0;

	if (!s)
		return stage_fail(sg, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!open || sqlite3_column_int64(s, 0) != seq) {
			if (open && (cb = fn(ctx, &t)))
				break;
			test_start(&t, s);
			seq = sqlite3_column_int64(s, 0);
			open = true;
		}
		test_attempt(&t, s);
	}
	if (!cb && rc == SQLITE_DONE && open)
		cb = fn(ctx, &t);
	else if (!cb && rc != SQLITE_DONE)
		cb = stage_fail(sg, err);
	sqlite3_reset(s);
	test_clear(&t);
	free(t.attempts);
	return cb;
}
