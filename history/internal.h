/* SPDX-License-Identifier: MIT */
/*
 * history/internal.h - what the files of history/ share: the JUnit
 * repairing filter (history/junit_filter.c) for the reader
 * (history/junit.c), helpers the readers share, and the history store's
 * insides: the store object, the backend interface (one table of
 * operations per backend), and the staging area of a streamed run. Never
 * included from outside history/ (fuzz harnesses aside).
 *
 * Who does what in the store:
 *   history/store.c         the public store API, backend-neutral: opening
 *                           by path or URL, the write transaction driver
 *                           (retries), folding rows into records
 *                           (durations, histories, runs), merge between
 *                           any two backends
 *   history/quarantine.c    the analysis scan and the quarantine table,
 *                           backend-neutral
 *   history/summary.c       per-test summaries: folded into in each
 *                           write transaction, read by the analysis
 *   history/stage.c         a streamed run staged in a private temporary
 *                           SQLite database (merging reruns, marks)
 *   history/store_sqlite.c  the SQLite backend: all of its SQL
 *   history/store_pg.c      the PostgreSQL backend (libpq): all of its SQL
 *
 * SQL lives only in the backend files. Shared code names a read by
 * enum history_query and gets rows as arrays of cells; it writes through
 * the tx_* operations. To add a query: a value below, its SQL in both
 * backends' tables (same columns, same order), and a unit test that runs
 * on both (tests/unit/test_store.c with FG_TEST_DB_URL).
 */
#ifndef FG_HISTORY_INTERNAL_H
#define FG_HISTORY_INTERNAL_H

#include "history/history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ====================================================================== */
/* The JUnit repairing filter (history/junit_filter.c)                     */
/* ====================================================================== */

/*
 * A byte filter between a JUnit file and libxml2: what it reads from the
 * file descriptor comes out of jf_read() as well-formed-enough XML for
 * libxml2's reader (invalid UTF-8 and control characters replaced, junk,
 * comments and DOCTYPEs dropped, raw '<' '&' and quotes escaped, long
 * texts and attributes cut), every root element of the file inside one
 * element named JF_WRAP. Bounded memory whatever the input; never fails
 * on content, only on read(2).
 */
#define JF_WRAP "flakeguard-wrap"

/*
 * Attribute values (names among them) longer than JF_ATTR_MAX bytes keep
 * their first JF_ATTR_MAX bytes (never splitting a UTF-8 sequence or a
 * reference), followed by " [... N bytes truncated, hash H ...]" where H
 * is the 64-bit FNV-1a of the N bytes cut, as written in the file, in 16
 * hex digits: names that differ only past the limit stay distinct.
 */
#define JF_ATTR_MAX (64 * 1024)

struct jfilter; /* opaque */

/*
 * A filter reading fd from its current offset. The caller keeps fd open
 * until jf_close() and closes it itself. Never NULL.
 */
struct jfilter *jf_open(int fd);
/*
 * Up to len filtered bytes into buf, in the shape of libxml2's
 * xmlInputReadCallback: the count, 0 at the end, -1 when read(2) failed
 * (jf_report() says with what errno).
 */
int jf_read(struct jfilter *f, char *buf, int len);
/*
 * The line of the file that line `line` (1-based) of the filtered stream
 * came from: the filter drops newlines (comments, a DOCTYPE, a cut
 * attribute) and adds some (a truncation marker), and remembers where.
 */
long jf_line_map(const struct jfilter *f, long line);

/* A kind of repair the filter made: what, how often, first where. */
struct jf_repair {
	const char *what;  /* "escaped raw '<' characters", static */
	uint64_t count;
	long line;         /* input line of the first one */
	bool benign;       /* expected of some producers (cmocka's several
			      roots): worth a note, not a warning */
};

#define JF_REPAIR_KINDS 12

/* What the filter saw and did so far (final once jf_read() gave 0). */
struct jf_report {
	int io_errno;          /* read(2) failed with this, else 0 */
	uint64_t in_bytes;     /* bytes read from the file */
	bool element;          /* an element was found (the wrapper opened) */
	bool finished;         /* the whole file went through */
	int open_elements;     /* elements not closed at the end */
	uint64_t truncated;    /* texts cut to head and tail */
	struct jf_repair repairs[JF_REPAIR_KINDS]; /* those with count > 0 */
	int nrepairs;
};

void jf_report(const struct jfilter *f, struct jf_report *rep);
/* Frees the filter (not fd). NULL is fine. */
void jf_close(struct jfilter *f);

/* ====================================================================== */
/* Small helpers the readers share (JUnit, TAP)                            */
/* ====================================================================== */

/*
 * 64-bit FNV-1a, for identities that must not collide by accident (long
 * names cut to a limit, tests met again in a stream). Not for security.
 */
#define HIST_FNV_INIT 0xcbf29ce484222325ULL
static inline uint64_t hist_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Length of the valid UTF-8 sequence at p (n bytes available): 2..4, 0 if
 * the bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, or
 * U+FFFE/U+FFFF, which are not XML characters), -1 if the sequence is cut
 * by the end of p. ASCII is not a sequence here: the caller tests it.
 */
static inline int hist_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int len;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	for (int k = 1; k < len; k++) {
		if ((size_t)k >= n)
			return -1;
		if (p[k] < (k == 1 ? lo : 0x80) || p[k] > (k == 1 ? hi : 0xBF))
			return 0;
	}
	if (len == 3 && c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
		return 0;
	return len;
}

/*
 * A set of 64-bit hashes (0 is never stored: hist_idset_add() maps it to
 * 1), open addressing, at most half full, never more than HIST_IDSET_MAX
 * slots (16 MiB): past that, add() stops remembering and says so.
 * Zero-initialised is empty; hist_idset_release() frees it.
 */
#define HIST_IDSET_MAX ((size_t)1 << 21)

struct hist_idset {
	uint64_t *slot;
	size_t cap, n;
	bool full;       /* an add was refused: the set is incomplete */
};

static inline size_t hist_idset_pos(const uint64_t *slot, size_t cap,
				    uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slot[i] && slot[i] != h)
		i = (i + 1) & (cap - 1);
	return i;
}

static inline bool hist_idset_has(const struct hist_idset *s, uint64_t h)
{
	h = h ? h : 1;
	return s->cap && s->slot[hist_idset_pos(s->slot, s->cap, h)] == h;
}

/* Adds h; returns false when it was there already. */
bool hist_idset_add(struct hist_idset *s, uint64_t h);
void hist_idset_release(struct hist_idset *s);

/* ====================================================================== */
/* The history store                                                       */
/* ====================================================================== */

/*
 * The schema version both backends migrate to: each has its own
 * schema_steps[] with this many steps, version i -> i + 1 the same change
 * in both (checked at compile time in each backend file).
 */
#define HISTORY_SCHEMA_VERSION 8

/*
 * A backend operation that hit a transient conflict (a PostgreSQL
 * deadlock, serialization failure, or a test row removed by a concurrent
 * gc) returns this: the whole transaction may succeed if run again. Never
 * returned to callers of history.h.
 */
#define HISTORY_RETRY 1

/* ---------------------------------------------------------------------- */
/* The store                                                               */
/* ---------------------------------------------------------------------- */

struct history_backend;
struct history_stage;

struct history_store {
	const struct history_backend *be;
	void *impl;                 /* the backend's connection state */
	char *name;                 /* history_store_label(where) */
	char *where;                /* as given (may hold a password) */
	int64_t lock_timeout_ms;    /* > 0 */
	history_wait_fn waiting;    /* may be NULL */
	void *waiting_ctx;
	/* The last backend failure: its status and why (no "where"). */
	int fail_code;              /* FG_EDB, FG_EDBUNAVAIL */
	char fail_msg[768];
	/* The streamed run (history_store_run_begin() .. _end()). */
	struct history_stage *stage; /* NULL: no run open */
	/* The summarizer (history_store_set_summarizer()); fold NULL:
	 * writes drop the summaries of the tests they touch. */
	history_summary_fold_fn fold;
	void *fold_ctx;
	int fold_rebuild_runs;
};

/*
 * After tx_run_done of run `run_id` (whose metadata is `run`): folds the
 * run into the summaries of its tests (history/summary.c), or drops
 * them when no summarizer is set.
 */
int history__summary_fold(struct history_store *st, const struct fg_run *run,
			  int64_t run_id);

/*
 * Records a backend failure in st (status and reason) and returns the
 * status. Backends call it where the failure happens; shared code adds
 * what was being done and the store's name (history__fail()).
 */
int history__note(struct history_store *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* fg_fail(err, st->fail_code, "<what> '<name>': <reason>"). */
int history__fail(struct history_store *st, const char *what,
		  struct fg_error *err);

/* ---------------------------------------------------------------------- */
/* Rows                                                                    */
/* ---------------------------------------------------------------------- */

/*
 * One column of a row. Integer columns have i; text columns s (NULL when
 * SQL NULL). Borrowed until the row callback returns.
 */
struct history_cell {
	const char *s;
	int64_t i;
	bool null;
};

struct history_row {
	const struct history_cell *c;
	size_t n;
};

/*
 * Gets each row; returns 0 to go on, anything else stops the query and is
 * returned. It must not use the store (a PostgreSQL query is still
 * streaming its rows).
 */
typedef int (*history_row_fn)(void *ctx, const struct history_row *r);

/* A query parameter: 'i' an integer, 't' a text (s NULL: SQL NULL). */
struct history_arg {
	char type;
	int64_t i;
	const char *s;
};
#define HISTORY_I(v) ((struct history_arg){ .type = 'i', .i = (v) })
#define HISTORY_T(v) ((struct history_arg){ .type = 't', .s = (v) })

/*
 * The reads shared code asks for, with their parameters and columns (i:
 * integer, t: text). Identity order is strcmp order of (suite, classname,
 * name) on both backends.
 */
enum history_query {
	/* (suite t, classname t, name t, limit i): the test's newest
	 * attempts, newest run then last attempt first:
	 * run_id i, run started_at i, commit t, branch t, outcome i,
	 * attempt i, status i, started_at i, duration_ms i, message t,
	 * output t */
	HQ_TEST_HISTORY,
	/* (id i) / (): a run, or the newest by id: id i, started_at i,
	 * duration_ms i, commit t, branch t, host t, ci_job t, shard t,
	 * exit_code i, interrupted i, uuid t, selection t */
	HQ_LOAD_RUN,
	HQ_LOAD_LATEST,
	/* (run_id i): one row per attempt in identity then attempt order (a
	 * test without attempts: one row, attempt NULL): suite t,
	 * classname t, name t, file t, line i, outcome i, duration_ms i,
	 * test_id i, attempt i, status i, duration_ms i, started_at i,
	 * message t, output t */
	HQ_LOAD_TESTS,
	/* (prefix t or NULL, name t): history_store_find_tests() for one
	 * split: suite t, classname t, name t, rank i */
	HQ_FIND_BY_NAME,
	HQ_COUNT_RUNS,     /* (): count i */
	HQ_RUN_IDS,        /* (since i): id i, by started_at, id */
	/* (limit i): id i, started_at i, duration_ms i, exit_code i; newest
	 * first by started_at, id */
	HQ_RECENT_RUNS,
	HQ_HAS_RUN,        /* (uuid t): one row when stored */
	/* (max_runs i) / (max_runs i, suite t, classname t, name t): one row
	 * per attempt of the newest max_runs runs of every test / of one:
	 * test_id i, suite t, classname t, name t, run_id i, started_at i,
	 * commit t, branch t, outcome i, duration_ms i, attempt i (NULL: no
	 * attempts), status i, message t, sanitizer excerpt t (see
	 * history_scan_row); by identity, run_id, attempt */
	HQ_SCAN_ALL,
	HQ_SCAN_ONE,
	/* (all i): suite t, classname t, name t, since i, reason t,
	 * source t, owner t, expires_at i, issue t, mode t, evidence t,
	 * released_at i, released_reason t; by identity, since, id */
	HQ_QUARANTINE_LIST,
	/* (): id i, uuid t of every run, by started_at, id (merge input) */
	HQ_MERGE_RUNS,
	/* (branch t, shard t, selection t, any_selection i, complete_only
	 * i): id i of the newest run (by started_at, id) of that branch and
	 * shard (NULL matches NULL), of that selection unless any_selection,
	 * not interrupted when complete_only; no row: none */
	HQ_FIND_RUN,
	/* (run_id i): suite t, classname t, name t, outcome i of each test
	 * of the run, by identity */
	HQ_RUN_TEST_IDS,
	/*
	 * (run_id i): the summaries of the run's tests, after
	 * HS_SUMMARY_PREPARE, one row per attempt: test_id i, suite t,
	 * classname t, name t, state t ('': none yet), older i (state '':
	 * whether the test has other runs; else 0), duration_ms i,
	 * attempt i (NULL: no attempts), status i, message t, sanitizer t
	 * (as HQ_SCAN_ALL's), beside i, beside_names t; by test_id, attempt
	 */
	HQ_SUMMARY_FOLD,
	/* (suite t, classname t, name t): state t (no row: no summary) */
	HQ_SUMMARY_ONE,
	/* (): every test with a run: suite t, classname t, name t, state t
	 * (NULL: none), in identity order */
	HQ_SUMMARY_ALL,
	/* (min_id i): id i, started_at i, commit t, branch t; by id */
	HQ_RUN_INFO,
	HQ_COUNT_TESTS,    /* (): tests with a run: count i */
	HQ_LATEST_RUN_ID,  /* (): the newest run id, 0: none */
	/* (suite t, classname t, name t): the test's oldest run id, 0 */
	HQ_FIRST_RUN,
	HQ_COUNT
};

/*
 * The writes shared code asks for inside a write transaction (tx_exec),
 * with their parameters.
 */
enum history_stmt {
	/* (run_id i): a summary row with state '' for each test of the run
	 * that has none */
	HS_SUMMARY_PREPARE,
	/* (run_id i): lock the summary rows of the run's tests in test_id
	 * order (PostgreSQL; SQLite holds the one write lock already) */
	HS_SUMMARY_LOCK,
	HS_SUMMARY_PUT,       /* (test_id i, state t): insert or replace */
	/* (suite t, classname t, name t, state t): the same by identity */
	HS_SUMMARY_PUT_NAMED,
	HS_SUMMARY_DROP_RUN,  /* (run_id i): delete the run's tests' rows */
	HS_SUMMARY_CLEAR,     /* (): delete every summary */
	HS_COUNT
};

/* ---------------------------------------------------------------------- */
/* The backend interface                                                   */
/* ---------------------------------------------------------------------- */

/*
 * Every operation returns FG_OK, or a status with the reason recorded by
 * history__note() (FG_EDB, FG_EDBUNAVAIL, or HISTORY_RETRY from tx_*), or
 * a row callback's non-zero value. open() alone fills err itself (its
 * messages have their own shapes).
 */
struct history_backend {
	const char *name; /* "sqlite", "postgresql" */
	/*
	 * Connects st->impl to st->where and checks, creates or migrates as
	 * o->mode says. Nothing there with o->missing_ok: FG_OK and *missing.
	 */
	int (*open)(struct history_store *st, const struct history_open_opts *o,
		    bool *missing, struct fg_error *err);
	void (*close)(struct history_store *st);
	/* Whether other is the same database as st (merge into itself). */
	bool (*same)(struct history_store *st, struct history_store *other);

	int (*query)(struct history_store *st, enum history_query q,
		     const struct history_arg *args, size_t nargs,
		     history_row_fn fn, void *ctx);
	/* A consistent snapshot over several queries (load a run). */
	void (*read_begin)(struct history_store *st);
	void (*read_end)(struct history_store *st);
	/*
	 * For the scheduler: rows (suite t, classname t, name t,
	 * duration_ms i) of the newest `window` passing runs (outcome
	 * passed or flaky) of every test, in identity order, a test's rows
	 * together.
	 */
	int (*durations)(struct history_store *st, int window,
			 history_row_fn fn, void *ctx);

	/*
	 * One write transaction: tx_begin (takes the write lock or waits
	 * for it), then for each run tx_run (its runs row, complete: *id),
	 * tx_test per test (distinct identities; attempts numbered), and
	 * tx_run_done (*tests_added: identities that were new); then
	 * tx_quarantine per change; tx_end commits (or, commit false, rolls
	 * back whatever is open and never fails). After a failure the caller
	 * calls tx_end(false) and may start over on HISTORY_RETRY.
	 */
	int (*tx_begin)(struct history_store *st);
	int (*tx_run)(struct history_store *st, const struct fg_run *run,
		      int64_t *id);
	int (*tx_test)(struct history_store *st, const struct fg_test *t);
	int (*tx_run_done)(struct history_store *st, size_t *tests_added);
	int (*tx_quarantine)(struct history_store *st,
			     struct history_quarantine_change *c);
	int (*tx_end)(struct history_store *st, bool commit);
	/* A write by name inside the transaction (enum history_stmt). */
	int (*tx_exec)(struct history_store *st, enum history_stmt s,
		       const struct history_arg *args, size_t nargs);

	/*
	 * A merge of `src` done natively (SQLite into SQLite by ATTACH), or
	 * NULL. Called only when src is of this backend too.
	 */
	int (*merge_native)(struct history_store *st, struct history_store *src,
			    struct history_merge_stats *stats);
	int (*gc)(struct history_store *st, const struct history_gc_opts *o,
		  struct history_gc_stats *g);
};

extern const struct history_backend history__sqlite;
extern const struct history_backend history__pg;

/* PostgreSQL URL helpers (history/store_pg.c). */
bool history__pg_url_has_password(const char *url);
char *history__pg_label(const char *url);

/* ---------------------------------------------------------------------- */
/* The staging area of a streamed run (history/stage.c)                    */
/* ---------------------------------------------------------------------- */

/*
 * history_store_run_begin() .. _end() keep the run here until the commit:
 * a private temporary SQLite database, deleted when closed. Statuses:
 * FG_OK, FG_EDB (a duplicate test without merge: "test 's/c/n' appears
 * twice in the run"), FG_EIO (the temporary database failed).
 */
int history__stage_new(bool merge, struct history_stage **out,
		       struct fg_error *err);
void history__stage_free(struct history_stage *sg); /* NULL is fine */
int history__stage_add(struct history_stage *sg, const struct fg_test *t,
		       struct fg_error *err);
int history__stage_mark(struct history_stage *sg, struct fg_error *err);
/* The outcome a staged test is written with; FG_EINVAL: not staged. */
int history__stage_set_outcome(struct history_stage *sg,
			       const struct fg_test *t, enum fg_outcome o,
			       struct fg_error *err);
int history__stage_rewind(struct history_stage *sg, struct fg_error *err);
void history__stage_summary(const struct history_stage *sg,
			    struct fg_summary *sum, struct fg_summary *part);
/*
 * Hands each staged test, in the order first added, to fn (borrowed until
 * it returns). fn's non-zero value stops it and is returned; FG_EIO with
 * err filled when the staging database fails.
 */
int history__stage_each(struct history_stage *sg,
			int (*fn)(void *ctx, const struct fg_test *t),
			void *ctx, struct fg_error *err);

/* What attempts settling as `more` do to a test that came to `before`. */
enum fg_outcome history__merge_outcome(enum fg_outcome before,
				       enum fg_outcome more);

#endif /* FG_HISTORY_INTERNAL_H */
