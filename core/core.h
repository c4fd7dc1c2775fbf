/* SPDX-License-Identifier: MIT */
/*
 * core/core.h - the public face of core: errors, memory, strings, durations,
 * logging, the capped output buffer, the run model and the configuration.
 *
 * core depends on nothing of ours; every other module includes this header.
 *
 * Ownership in one paragraph: a non-const char * returned by a core function
 * belongs to the caller and is freed with free(3). Records (struct fg_run,
 * struct fg_test, struct fg_attempt) own every string they point to;
 * fg_run_release() frees all of it. fg_xmalloc() and friends never return
 * NULL: on out-of-memory they print a message and exit(3), so callers never
 * handle OOM.
 */
#ifndef FG_CORE_H
#define FG_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ci.h"
#include "core/text.h"

/* ====================================================================== */
/* Errors                                                                  */
/* ====================================================================== */

/*
 * One table gives the codes, fg_strerror() and fg_status_name(). Codes are
 * negative; add new ones at the end, never renumber (they show in JSON).
 */
#define FG_STATUS_MAP(XX)                                                  \
	XX(EINVAL, -1, "invalid argument")                                 \
	XX(ECONFIG, -2, "configuration error")                             \
	XX(EXML, -3, "malformed JUnit XML")                                \
	XX(EDB, -4, "history database error")                              \
	XX(ESPAWN, -5, "could not start test process")                     \
	XX(E2BIG, -6, "input exceeds limit")                               \
	XX(EIO, -7, "I/O error")                                           \
	XX(EINTR, -8, "interrupted")                                       \
	XX(ETAP, -9, "malformed TAP")                                      \
	XX(EDBUNAVAIL, -10, "history database cannot be written now")
/*
 * FG_EDBUNAVAIL vs FG_EDB: UNAVAIL means the database is sound but cannot
 * be reached or written now (another writer held the lock past the lock
 * timeout, disk full, read-only file or transaction, a PostgreSQL server
 * that is down or refuses the login); what was to be written is good and
 * can be kept and written later. EDB is everything else: not a flakeguard
 * database, damaged, of a newer schema, a constraint broken by a bug.
 */

enum fg_status {
	FG_OK = 0,
#define FG_XX(name, val, msg) FG_##name = val,
	FG_STATUS_MAP(FG_XX)
#undef FG_XX
};

/* Optional out-parameter, always the last argument; NULL means "don't care". */
struct fg_error {
	enum fg_status code;
	char msg[1024]; /* "path:line: what went wrong", lowercase, no period */
};

/* Records code and message in err (if non-NULL) and returns code. */
int fg_fail(struct fg_error *err, enum fg_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *fg_strerror(int code);
const char *fg_status_name(int code);

/*
 * Exit codes of the flakeguard binary (documented in README and the man
 * page). fg_exit_code() maps an fg_status to one of them.
 */
enum fg_exit {
	FG_EXIT_OK = 0,        /* nothing real failed */
	FG_EXIT_FAILED = 1,    /* a (non-quarantined) test failed */
	FG_EXIT_USAGE = 2,     /* usage or configuration error */
	FG_EXIT_INFRA = 3,     /* database, spawn, disk */
	FG_EXIT_SIGHUP = 129,  /* interrupted by SIGHUP */
	FG_EXIT_SIGINT = 130,  /* interrupted by SIGINT */
	FG_EXIT_SIGTERM = 143, /* interrupted by SIGTERM */
};
int fg_exit_code(int status);

#define FG_BUG(...) fg_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void fg_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ====================================================================== */
/* Logging: stderr only; stdout belongs to reports.                        */
/* ====================================================================== */

enum fg_log_level { FG_LOG_ERROR, FG_LOG_WARN, FG_LOG_INFO, FG_LOG_DEBUG };

/* Level from FLAKEGUARD_LOG (error|warn|info|debug) or -v; default warn. */
void fg_log_set_level(enum fg_log_level level);
enum fg_log_level fg_log_get_level(void);
void fg_log(enum fg_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ====================================================================== */
/* Memory and strings                                                      */
/* ====================================================================== */

void *fg_xmalloc(size_t n);
void *fg_xcalloc(size_t n, size_t size);
/* For allocators that are not ours (open_memstream): exits 3, as fg_x*. */
_Noreturn void fg_out_of_memory(void);
void *fg_xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of size sz) to hold at least need elements. */
void fg_xgrow(void **p, size_t *cap, size_t need, size_t sz);
char *fg_xstrdup(const char *s);           /* NULL in, NULL out */
char *fg_xstrndup(const char *s, size_t n);
char *fg_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees a NULL-terminated vector of strings and the vector itself. */
void fg_strv_free(char **v);
size_t fg_strv_len(char *const *v);
char **fg_strv_dup(char *const *v);

/*
 * Opens a file the user named for reading, like fopen(path, "r"), except
 * that a FIFO with no writer reads as empty instead of blocking for ever,
 * and a directory fails with EISDIR. NULL with errno set on failure.
 */
FILE *fg_fopen_input(const char *path);

/* ====================================================================== */
/* Durations and time                                                      */
/* ====================================================================== */

/*
 * Parses "90s", "5m", "1500ms", "1h", "2.5s" or a bare number of seconds
 * into milliseconds. Returns FG_OK or FG_EINVAL (with a message naming s).
 */
int fg_duration_parse(const char *s, int64_t *ms, struct fg_error *err);
/* Formats ms as "1.234s", "12ms", "2m03s" into buf. Returns buf. */
char *fg_duration_format(int64_t ms, char *buf, size_t n);
int64_t fg_now_ms(void);          /* wall clock, ms since the epoch */
uint64_t fg_monotonic_ns(void);   /* monotonic clock */
/* Formats an epoch-ms timestamp as UTC ISO-8601 "2026-11-28T05:21:00.123Z". */
char *fg_time_iso8601(int64_t ms, char *buf, size_t n);

/* ====================================================================== */
/* Capped buffer (for captured output)                                     */
/* ====================================================================== */

/*
 * A buffer that keeps at most `max` bytes: the first max/2 bytes (head) and
 * the last max/2 bytes (tail) of everything appended, counting what it
 * dropped. Appending never fails and never grows past max. With max == 0
 * nothing is kept but the total count.
 */
struct fg_buf {
	char *head;       /* first bytes, up to head_max */
	size_t head_len;
	size_t head_max;
	char *tail;       /* ring of the last bytes, up to tail_max */
	size_t tail_len;
	size_t tail_pos;  /* next write position in the ring */
	size_t tail_max;
	uint64_t total;   /* bytes appended in all */
};

void fg_buf_init(struct fg_buf *b, size_t max);
void fg_buf_append(struct fg_buf *b, const void *data, size_t len);
/*
 * Copies the last k bytes appended (fewer when not all are kept: at most
 * the tail, plus the head when nothing was dropped) into dst, raw.
 * Returns how many.
 */
size_t fg_buf_last(const struct fg_buf *b, char *dst, size_t k);
/* Bytes dropped between head and tail. */
uint64_t fg_buf_dropped(const struct fg_buf *b);
/*
 * Returns a NUL-terminated copy of what is kept, with the marker
 * "\n[... N bytes truncated ...]\n" between head and tail when bytes were
 * dropped. Caller frees.
 */
char *fg_buf_text(const struct fg_buf *b);
/* The last `max` bytes kept (for "tail of the output" displays). Caller frees. */
char *fg_buf_tail_text(const struct fg_buf *b, size_t max);
void fg_buf_release(struct fg_buf *b);

/* ====================================================================== */
/* The model: attempts, tests, runs                                        */
/* ====================================================================== */

/* One execution of a test. Values are stored in the database: never renumber. */
enum fg_astatus {
	FG_A_PASSED = 0,
	FG_A_FAILED = 1,
	FG_A_ERROR = 2,
	FG_A_SKIPPED = 3,
	FG_A_TIMEOUT = 4,
	FG_A_CRASHED = 5,
	FG_A_LEAKED = 6,
	FG_A_XFAILED = 7,  /* failed as expected (pytest xfail, TAP "not ok # TODO") */
	FG_A_XPASSED = 8,  /* passed although expected to fail (not a failure:
			    * pytest's non-strict XPASS, TAP "ok # TODO") */
};
#define FG_A_COUNT 9
const char *fg_astatus_name(enum fg_astatus s); /* "passed", "timeout", ... */
int fg_astatus_parse(const char *s);            /* -1 if unknown */
bool fg_astatus_is_failure(enum fg_astatus s);  /* failed/error/timeout/crashed/leaked */
/* Ran to a verdict that is not a failure: passed, xfailed or xpassed. */
bool fg_astatus_is_pass(enum fg_astatus s);

/* What a test came to in one run. */
enum fg_outcome {
	FG_O_PASSED = 0,
	FG_O_FAILED = 1,
	FG_O_FLAKY = 2,
	FG_O_SKIPPED = 3,
	FG_O_QUARANTINED = 4,
	FG_O_XFAILED = 5,   /* expected failure: not counted as a failure */
	FG_O_XPASSED = 6,   /* unexpected pass: reported, not a failure */
};
#define FG_O_COUNT 7
const char *fg_outcome_name(enum fg_outcome o);
int fg_outcome_parse(const char *s);

struct fg_attempt {
	int number;            /* 1-based */
	enum fg_astatus status;
	int64_t started_at_ms; /* epoch ms, 0 if unknown */
	int64_t duration_ms;
	char *message;         /* failure message, or NULL */
	char *output;          /* captured output excerpt, or NULL */
	/* Set by the analyzer (an_hints_apply) for failed attempts. */
	char *hint;            /* root-cause hint, owned; NULL: none */
	const char *hint_kind; /* static: "memory-error", "signal", ...; NULL */
	bool stress;           /* a stress run (run --new-test-runs, stress),
				  not a retry; not stored in the history */
};

struct fg_test {
	char *suite;     /* the suite (config name or <testsuite name>) */
	char *classname; /* may be "" but never NULL */
	char *name;      /* never NULL */
	char *file;      /* source file if known, else NULL */
	int line;        /* source line if known, else 0 */
	enum fg_outcome outcome;
	int64_t duration_ms; /* of the last attempt */
	/* Set by the analyzer (analyzer_judge); reporters show them. */
	const char *category; /* static: "stable", "flaky", ...; NULL: none */
	bool quarantined;     /* under quarantine when the run was judged */
	unsigned hist_runs;   /* runs the analysis is based on; 0: none */
	double rate, rate_lo, rate_hi; /* failure probability per run, 95% */
	char *repro;          /* a shell line that runs this test alone, set
			       * by `run` for failures; owned; NULL: none */
	char *strip;          /* recent runs, oldest first (P passed, F failed,
			       * K flaky), owned; NULL: none */
	unsigned hist_fails;  /* of hist_runs, those with a failed attempt */
	char *since;          /* commit where the category's evidence begins
			       * (onset, first hard failure), owned; or NULL */
	char *reason;         /* the category's rule with its numbers, owned */
	char *note;           /* how this run's failure counted, owned; NULL */
	bool counts;          /* counts against the run (the verdict) */
	char *hint;           /* root-cause hint: a memory error of any
			       * attempt, else the last failed attempt's
			       * (an_hints_apply), owned; NULL: none */
	const char *hint_kind; /* static: its kind ("memory-error", ...) */
	size_t incident;      /* 1 + index into run->incidents; 0: none */
	struct fg_attempt *attempts;
	size_t nattempts, attempts_cap;
};

struct fg_run {
	int64_t id;            /* database id, 0 before it is stored */
	char *commit;          /* may be NULL */
	char *branch;          /* may be NULL */
	char *host;
	char *ci_job;          /* CI job id/url, may be NULL */
	char *shard;           /* "K/N" or NULL */
	int64_t started_at_ms;
	int64_t duration_ms;
	int exit_code;
	bool interrupted;      /* the run did not finish: results are partial */
	struct fg_test *tests;
	size_t ntests, tests_cap;
	char *uuid;            /* stable identity across databases (merge);
				  NULL until the store assigns one */
	/* private: identity -> index + 1, kept by fg_run_add_test() */
	size_t *index;
	size_t index_cap;
	/*
	 * The work items this run was given (`run` only): their ids, the CI
	 * node they belong to, and whether they ran to an end. `flakeguard
	 * verify` checks shards against a plan with them.
	 */
	struct fg_run_item *items;
	size_t nitems, items_cap;
	/*
	 * Set by the analyzer (an_hints_apply): many tests of this run that
	 * failed alike, one incident each (docs/analyzer.md).
	 */
	struct fg_incident *incidents;
	size_t nincidents;
};

struct fg_incident {
	char *signature; /* the normalised failure they share, owned */
	size_t ntests;   /* tests of the run that failed so */
	size_t nfailed;  /* of how many tests that failed in the run */
};

struct fg_run_item {
	char *id;     /* "suite", "suite::case", "suite#2/4" */
	int shard;    /* 1-based CI node */
	bool ran;     /* started and finished (not dropped or cancelled) */
};

/* Appends an item record (copies id). */
void fg_run_add_item(struct fg_run *run, const char *id, int shard, bool ran);

struct fg_summary {
	size_t total, passed, failed, flaky, skipped, quarantined;
	size_t xfailed, xpassed;
};

void fg_run_init(struct fg_run *run);
/* A new random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-...". Caller frees. */
char *fg_uuid_new(void);
void fg_run_release(struct fg_run *run);
/*
 * Appends a test with copies of the given strings (classname NULL -> "").
 * Returns a pointer into run->tests, valid until the next fg_run_add_test().
 */
struct fg_test *fg_run_add_test(struct fg_run *run, const char *suite,
				const char *classname, const char *name);
/*
 * Finds a test by identity, or NULL, through a hash index that
 * fg_run_add_test() maintains. Code that reorders or removes run->tests
 * must call fg_run_reindex() afterwards.
 */
struct fg_test *fg_run_find_test(struct fg_run *run, const char *suite,
				 const char *classname, const char *name);
/* Appends an attempt (number = nattempts + 1), taking copies of strings. */
struct fg_attempt *fg_test_add_attempt(struct fg_test *t, enum fg_astatus st,
				       int64_t duration_ms, const char *message,
				       const char *output);
void fg_run_reindex(struct fg_run *run);
/*
 * Moves src's tests into dst: a test dst already has gets src's attempts
 * appended (renumbered after its own), a new one is added with file/line.
 * Messages and outputs move; src stays valid for fg_run_release(). Returns
 * how many failing attempts moved.
 */
size_t fg_run_absorb(struct fg_run *dst, struct fg_run *src);
void fg_test_release(struct fg_test *t);
/*
 * Moves what the analyzer set on src (outcome, category, quarantined,
 * counts, the history figures and their owned strings, repro) onto dst,
 * the same test read another way (loaded back from the database).
 */
void fg_test_take_analysis(struct fg_test *dst, struct fg_test *src);
/*
 * Derives t->outcome and t->duration_ms from the attempts: all skipped ->
 * skipped; a pass (passed, xfailed, xpassed) in one attempt and a failure
 * in another, in either order -> flaky (the settle rule); every attempt
 * that ran failed -> failed; else passed, xfailed or xpassed as the last
 * attempt that ran says. (Quarantine is applied later, by the analyzer.)
 */
void fg_test_settle(struct fg_test *t);
void fg_run_summarize(const struct fg_run *run, struct fg_summary *sum);

/* ====================================================================== */
/* Configuration (flakeguard.json)                                         */
/* ====================================================================== */

#define FG_EXIT_CODES_MAX 16

struct fg_suite_cfg {
	char *name;      /* unique, never NULL */
	char **argv;     /* NULL-terminated; a string command becomes sh -c */
	char **env;      /* NULL-terminated "KEY=VALUE" to add, or NULL */
	char *cwd;       /* relative to the config file's directory, or NULL */
	int64_t timeout_ms; /* 0 = the run's default */
	char *junit;     /* where the suite writes JUnit, or NULL = we choose */
	int retries;     /* -1 = the run's default */
	/*
	 * Cases as processes: how to list the suite's cases and run one.
	 * cases_list NULL and cases_gtest false: the suite is one process.
	 */
	char **cases_list;  /* argv printing one case name per line */
	char **cases_run;   /* argv running one case; "{case}" substituted */
	bool cases_gtest;   /* GoogleTest: --gtest_list_tests/--gtest_filter */
	int shards;         /* split into N processes (Bazel protocol); 0/1: no */
	char **locks;       /* resource locks held while running, or NULL */
	char *group;        /* concurrency group name, or NULL */
	int slots;          /* job slots one attempt takes (default 1) */
	int leak_fails;     /* -1 default (fail), 0 leaked counts as passed */
	/*
	 * Outcomes from the exit status (Automake, Meson, CTest): an exit in
	 * skip_codes is "skipped", in error_codes an "error". Defaults {77}
	 * and {99}; n = 0 when the suite gives an empty list.
	 */
	int skip_codes[FG_EXIT_CODES_MAX], nskip_codes;
	int error_codes[FG_EXIT_CODES_MAX], nerror_codes;
	bool will_fail;     /* pass and fail swap (CTest WILL_FAIL) */
	char *disabled;     /* not run: recorded skipped with this reason */
	enum fg_format {
		FG_FORMAT_JUNIT = 0, /* JUnit XML at {junit}, if written */
		FG_FORMAT_TAP,       /* TAP on stdout, or in the {tap} file */
	} format;
	char **labels;      /* CTest LABELS, Meson suites; for --label */
	bool exclusive;     /* runs alone (CTest RUN_SERIAL, Meson
			     * is_parallel: false) */
	bool allow_empty;   /* a cases suite may list no case */
	bool no_batch;      /* "batch": false: GoogleTest cases one process
			     * each, never batched */
	/*
	 * How to rerun only some tests: an argv where an argument "{failed}"
	 * becomes one argument per test, and "{failed:SEP}" inside an
	 * argument the tests joined by SEP. NULL: the framework's built-in
	 * way (GoogleTest, pytest, CTest), else the whole suite reruns.
	 */
	char **rerun;
	/* CTest fixtures: names this suite sets up, cleans up, needs */
	char **fixtures_setup, **fixtures_cleanup, **fixtures_required;
	char **depends;     /* suites to start after (CTest DEPENDS): order
			     * only, whatever their outcome */
	int priority;       /* higher starts first (Meson); default 0 */
	/*
	 * CTest's regular expressions over the output (POSIX extended,
	 * checked at load): a pass_regex match passes whatever the exit
	 * status (none: fails), a fail_regex match fails, a skip_regex
	 * match skips.
	 */
	char **pass_regex, **fail_regex, **skip_regex;
	char **required_files; /* missing when it would start: not run, an
				* error (CTest REQUIRED_FILES); relative to
				* its working directory */
	char **env_unset;   /* variables removed from its environment (CTest
			     * ENVIRONMENT_MODIFICATION unset:), or NULL */
	char *broken;       /* not run: recorded as an error with this reason
			     * (a CTest test without a command) */
	/* private: this entry's JSON, laid over the imported test of the
	 * same name when the config imports tests ("from") */
	char *overlay;
};

/* A concurrency group: at most `max` attempts of its suites at once. */
struct fg_group_cfg {
	char *name;
	int max;
};

/*
 * "overrides": per-test policy by pattern (nextest's overrides). Each
 * names a glob over test ids and the suite keys it sets for every
 * matching case-level item (a case, or a suite that is one test: CTest,
 * Meson); later overrides win over earlier ones, all over the suite's.
 * A test's identity never depends on them.
 */
#define FG_OV_TIMEOUT   0x001u
#define FG_OV_RETRIES   0x002u
#define FG_OV_LOCKS     0x004u
#define FG_OV_GROUP     0x008u
#define FG_OV_SLOTS     0x010u
#define FG_OV_EXCLUSIVE 0x020u
#define FG_OV_SKIP      0x040u
#define FG_OV_ERROR     0x080u
#define FG_OV_LEAK      0x100u

struct fg_override {
	char *filter;            /* fnmatch glob, "!" to exclude */
	unsigned set;            /* FG_OV_*: the keys it gives */
	struct fg_suite_cfg v;   /* their values (only those in set) */
};

struct fg_config {
	char *path;      /* the file it came from, or NULL */
	char *dir;       /* its directory ("." when none) */
	struct fg_suite_cfg *suites;
	size_t nsuites, suites_cap;
	int jobs;            /* 0 = not set */
	int64_t timeout_ms;  /* 0 = not set */
	int retries;         /* -1 = not set */
	char *db;            /* NULL = not set */
	int new_test_runs;   /* -1 = not set */
	int64_t stress_budget_ms; /* 0 = not set */
	char *quarantine;    /* the "quarantine" policy object as JSON text
				(the analyzer parses it), or NULL */
	struct fg_group_cfg *groups;
	size_t ngroups, groups_cap;
	struct fg_override *overrides;
	size_t noverrides;
	/*
	 * "from": {"ctest": DIR, "meson": DIR}: build dirs whose tests are
	 * suites too (relative to the config's directory, or NULL). Suites
	 * of the file then may lack "command": they are laid over the
	 * imported test of their name (fg_config_layer()).
	 */
	char *from_ctest, *from_meson;
};

/* The group named `name`, or NULL. */
const struct fg_group_cfg *fg_config_group(const struct fg_config *cfg,
					   const char *name);

void fg_config_init(struct fg_config *cfg);
/*
 * Loads a flakeguard.json. Errors name "file:line:column: reason" and return
 * FG_ECONFIG (or FG_EIO when the file cannot be read). On error cfg is left
 * initialised and empty.
 */
int fg_config_load(struct fg_config *cfg, const char *path, struct fg_error *err);
/* Adds a suite made of one program path (for `run -- PROGRAM...`). */
void fg_config_add_program(struct fg_config *cfg, const char *program);
void fg_config_release(struct fg_config *cfg);
/* Sets "KEY=VALUE" in s->env (replacing KEY), and KEY is no longer unset. */
void fg_suite_env_set(struct fg_suite_cfg *s, const char *kv);
/* Removes KEY from s->env and from the suite's environment (env_unset). */
void fg_suite_env_unset(struct fg_suite_cfg *s, const char *key);
/*
 * A new suite at the end of cfg->suites with the defaults (retries -1,
 * slots 1, skip codes [77], error codes [99]) and nothing else set.
 * Valid until the next call.
 */
struct fg_suite_cfg *fg_config_new_suite(struct fg_config *cfg);
/*
 * Moves the suites of `imported` (tests of a build system, named by
 * `origin`: "ctest 'build'") into cfg, in their order, and lays each of
 * cfg's own entries over the imported suite of its name: the keys it
 * gives replace the imported ones ("env" adds to them). Entries naming no
 * imported suite stay suites of their own when they have a "command";
 * otherwise it is an FG_ECONFIG error naming the entry. Then checks the
 * whole (fg_config_check()). `imported` is left empty.
 */
int fg_config_layer(struct fg_config *cfg, struct fg_config *imported,
		    const char *origin, struct fg_error *err);
/*
 * Checks what spans suites: unique names, groups that exist, "depends"
 * naming suites that exist, and no cycle through depends and fixtures
 * (FG_ECONFIG naming the suites of the cycle).
 */
int fg_config_check(const struct fg_config *cfg, struct fg_error *err);
/* Keeps the suites i with keep[i], in order; frees the others. */
void fg_config_keep(struct fg_config *cfg, const bool *keep);
/* The index of the suite named `name`, or -1 (linear). */
long fg_config_find(const struct fg_config *cfg, const char *name);

/* ---- core/buildsys.c: tests declared by build systems ----------------- */

/*
 * Appends a suite per test of `ctest --show-only=json-v1` output (len
 * bytes of json; build_dir absolute: the default working directory) to
 * out->suites. `what` names the source in errors ("ctest
 * --show-only=json-v1 in 'build'"). FG_ECONFIG for anything that is not
 * ctest's list, for a list without tests, and for a property flakeguard
 * cannot take (an invalid regular expression, ...), naming the test.
 * Suites appended before an error stay in out (the caller drops out).
 */
int fg_import_ctest(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err);
/* The same for `meson introspect --tests` output. */
int fg_import_meson(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err);

/* ---- core/deps.c: what each suite waits for ------------------------- */

/*
 * The suites a suite must start after: the setups of the fixtures it
 * requires (`fixture` names the fixture: when a setup failed, the suite
 * is not run), its "depends", and for a cleanup, the setups and every
 * suite requiring its fixture (`fixture` NULL: order only). Unknown names
 * in "depends" and fixtures nobody sets up are ignored, as CTest does.
 */
struct fg_dep {
	size_t suite;
	const char *fixture; /* borrowed from the config, or NULL */
};

struct fg_deps {
	struct fg_dep **of;  /* per suite: its edges */
	size_t *n;           /* per suite: how many */
	size_t nsuites;
};

/*
 * Builds the edges of every suite (O(n log n) in names). FG_ECONFIG when
 * they form a cycle, naming it ("a -> b -> a"); d is then empty.
 */
int fg_deps_build(const struct fg_config *cfg, struct fg_deps *d,
		  struct fg_error *err);
void fg_deps_release(struct fg_deps *d);
/*
 * Marks in keep[] (one per suite) the setups and cleanups of every fixture
 * a marked suite requires, and theirs in turn: what `ctest -L` and `-R`
 * add to a selection. Returns how many it marked.
 */
size_t fg_fixtures_close(const struct fg_config *cfg, bool *keep);

#endif /* FG_CORE_H */
