/* SPDX-License-Identifier: MIT */
/*
 * cli/run.h - what the files of the `run` command share: its options, the
 * state of each item and of the run. Never included outside cli/run*.c
 * and cli/cmd_run.c.
 *
 *   cli/cmd_run.c      options, preparing attempts, the runner's
 *                      callbacks, verdict and reports
 *   cli/run_results.c  from a finished attempt to tests and attempts
 *   cli/run_progress.c the live status line and per-attempt lines
 *   cli/run_files.c    the run's temporary directory and TEST_TMPDIRs
 *   cli/cmd_stress.c   stress runs: `run --new-test-runs`, `stress`
 */
#ifndef FG_CLI_RUN_H
#define FG_CLI_RUN_H

#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "history/history.h"
#include "reporters/report.h"
#include "runner/runner.h"

struct run_opts {
	const char *config;
	struct cli_select sel;   /* --ctest, --meson, --label */
	const char *db;
	const char *json;
	const char *junit;
	const char *junit_profile;
	const char *html;
	const char *markdown;
	const char *commit;
	const char *branch;
	const char *color;
	const char *shard;
	const char *plan;
	const char *log_dir;
	const char *flaky_result; /* "pass" or "fail" */
	const char *log_max_arg; /* --log-max SIZE */
	uint64_t log_max;        /* bytes per attempt log */
	int jobs;
	int retries;
	int max_fail;            /* 0: no limit */
	int max_retry_failures;  /* -1: no limit */
	int64_t timeout_ms;
	int64_t kill_grace_ms;
	int64_t leak_timeout_ms;
	bool timeout_forced;     /* from the flag or environment: over suites' */
	bool retries_forced;
	bool flaky_fails;
	bool no_capture;
	bool keep_tmp;
	int verbosity;       /* -1 quiet, 0 normal, 1 verbose */
	/* the analyzer (issue 5) */
	const char *qfile;       /* --quarantine FILE */
	bool no_auto_quarantine;
	bool strict_quarantine;
	struct cli_list policy;  /* --policy KEY=VALUE, in order */
	struct cli_list suites;  /* --suite GLOB */
	struct cli_list filter;  /* --filter EXPR */
	/* stress runs (cli/cmd_stress.c, issue 12 point 5) */
	int new_test_runs;       /* run: extra runs of each new test (0: off) */
	int64_t stress_budget_ms; /* their wall time, at most (0: no limit) */
	int stress_runs;         /* `stress`: runs of every test (0: `run`) */
	bool until_fail;         /* `stress --until-fail` */
	bool record;             /* `stress --record` */
	bool strict;             /* --strict: missing tests fail the run */
	bool rerun_failed;       /* --rerun-failed */
};

/* A test of a suite, by classname and name (the suite is the item's). */
struct run_test_ref {
	char *classname, *name;
};

struct item_state {
	struct run_state *rs;
	const struct runner_item *item;
	const struct fg_suite_cfg *cfg; /* the suite's, or own_cfg */
	struct fg_suite_cfg *own_cfg;   /* the suite's with "overrides"
					 * applied (shallow: the strings are
					 * the config's), or NULL */
	size_t index;
	int attempt;          /* number of the attempt running or last run */
	int max_attempts;
	char *cwd;
	char *junit;          /* where this attempt's XML is expected */
	char *tap_file;       /* where this attempt's TAP goes ({tap}), or
			       * NULL: a "format": "tap" suite's stdout */
	struct history_tap *tap; /* reading this attempt's stdout as TAP */
	struct fg_run tap_run;   /* the tests it read */
	/*
	 * Retrying only what failed: the tests that failed in the last
	 * attempt (read from its XML or TAP), and the tests this attempt was
	 * asked to rerun, each of which must come back with a result.
	 */
	struct run_test_ref *failed_now;
	size_t nfailed_now;
	struct run_test_ref *asked;
	size_t nasked;
	bool *seen_asked;      /* per asked test: this attempt reported it */
	/*
	 * A batch (cli/run_batch.c): many GoogleTest cases of one suite in
	 * one process. It is an item_state of its own, with a runner_item of
	 * its own (batch_item); members index rs->items.
	 */
	size_t *members;
	size_t nmembers;
	struct runner_item batch_item;
	bool batched;          /* a member whose first attempt is a batch's */
	bool fixed_junit;     /* the suite names its own XML path */
	char *tmpdir;         /* this attempt's TEST_TMPDIR */
	char *log_path;       /* this attempt's --log-dir file */
	char **argv;          /* this attempt's argv */
	char **env;           /* this attempt's complete environment */
	char *self_name;      /* the item-level test's name */
	char *self_class;     /* and classname ("" but for GoogleTest
			       * cases: "Suite" of "Suite.Test", so a case
			       * that crashed keeps its XML identity) */
	bool has_self_test;   /* an item-level test exists in the run */
	bool failed;          /* the last attempt failed */
	bool ran;             /* finished for good, not cancelled/interrupted */
	struct runner_job job;
	/* cli/run_deps.c: fixtures and dependencies */
	struct runner_job **after; /* jobs to wait for (NULL-terminated), or NULL */
	struct run_need *needs; /* setups that must not have failed */
	size_t nneeds;
	bool fixture_skipped; /* not run: a fixture's setup failed */
	bool in_deps;         /* waits for others, or others for it: its
			       * job must run as itself (never batched) */
	enum fg_astatus not_run_status; /* declined by run_deps_ready(): */
	char *why_not;        /* the status and why, owned */
	/*
	 * Company of the attempt running or last run (issue 12 point 3):
	 * attempts of other items that overlapped it in time, and up to
	 * FG_BESIDE_MAX of their item ids, distinct (borrowed: job names,
	 * which live as long as the plan). A failed attempt that had company
	 * gets its next attempt alone (exclusive: all of -j).
	 */
	int beside;
	const char *beside_ids[FG_BESIDE_MAX];
	size_t nbeside_ids;
};

struct run_state {
	struct run_opts *o;
	struct fg_config *cfg;
	struct runner_plan plan;
	struct fg_run run;
	struct an_policy policy;          /* config, then flags */
	struct cli_quarantine quarantine; /* database entries + --quarantine */
	struct item_state *items;
	struct item_state *batches;  /* cli/run_batch.c */
	size_t nbatches;
	struct runner *runner;
	char *tmpdir;
	char **free_dirs;     /* empty TEST_TMPDIRs ready for reuse */
	size_t nfree_dirs, free_dirs_cap;
	unsigned next_dir;    /* names new TEST_TMPDIRs */
	char run_id[40];
	FILE *human;          /* where progress and the summary go */
	bool color;
	bool live;            /* a TTY: one live status line */
	bool line_drawn;      /* the live line is on screen */
	size_t spawn_errors;
	size_t log_failures;  /* attempts whose --log-dir file is incomplete */
	int log_errno;        /* the first one's reason */
	size_t done;          /* items finished for good */
	size_t failed_items;  /* items whose last attempt failed for good */
	size_t flaky_items;
	size_t retries_left_items; /* failed items waiting for a retry */
	bool retries_off;     /* --max-retry-failures exceeded */
	bool fail_fast_hit;
	int64_t estimate_left_ms;
	uint64_t t0;
	int jobs;
	struct run_stress *stress; /* cli/cmd_stress.c; NULL: no stress runs */
	struct fg_run rerun;  /* --rerun-failed: the tests to rerun (no
			       * attempts), and rerun.id the run they
			       * failed in (cli/run_missing.c) */
};

/* ---- cli/cmd_run.c, for the files beside it ----------------------------- */

/*
 * The `run` command from argv (argv[0] is its name), with cmd's option
 * table over a struct run_opts starting as *defaults: `run` itself, and
 * `stress` (defaults->stress_runs != 0), which cli/cmd_stress.c declares.
 */
int run_main(const struct cli_command *cmd, const struct run_opts *defaults,
	     int argc, char **argv);

/* The next attempt of an item: its argv, paths and job. */
void run_prepare_attempt(struct item_state *is);
/* Every attempt of is's current one gets its company (beside, names). */
void run_company_set(const struct item_state *is, struct fg_attempt *a);
/* A batch member takes its batch's company (for its retry). */
void run_company_copy(struct item_state *to, const struct item_state *from);
/* Whether an item's failed attempt gets another. */
bool run_want_retry(struct item_state *is);
/* An item is over for good: counts, --fail-fast. */
void run_item_finished(struct item_state *is);

/* ---- cli/cmd_stress.c --------------------------------------------------- */

/*
 * Stress runs: after the run's own attempts, the tests it picks (`run
 * --new-test-runs N`: those the history has never seen; `stress`: all)
 * run again on the same runner, through the per-test selection of
 * cli/select.c, until they have their runs, fail, or the budget is spent.
 *
 * run_stress_begin() before the run (loads the identities the history
 * knows; store may be NULL for `stress`); run_stress_phase() once the
 * run's own work is over (FG_OK or FG_EINTR); run_stress_attempt() from
 * on_item_done(): true when it took the attempt (the stress phase);
 * run_stress_finish() prints what stress found; run_stress_end() frees.
 */
int run_stress_begin(struct run_state *rs, struct history_store *store,
		     struct fg_error *err);
int run_stress_phase(struct run_state *rs);
/* Before the attempt's results are read: true when it is to be dropped
 * (cut short by the budget or an interrupt) and was released here. */
bool run_stress_drop(struct item_state *is);
/* After they are read, in the stress phase: the item's next stress run,
 * or its end. */
void run_stress_attempt(struct runner *r, struct item_state *is);
bool run_stress_active(const struct run_state *rs);
void run_stress_tick(struct runner *r, struct run_state *rs);
/* Runs dropped by the budget (not "items not started"). */
size_t run_stress_dropped(const struct run_state *rs);
/* The "Stress" block of the summary. */
void run_stress_print(struct run_state *rs);
/* `stress`: the per-test table, the record (--record) and the exit code. */
int run_stress_finish(struct run_state *rs, struct history_store *store,
		      int sig);
void run_stress_end(struct run_state *rs);

/* ---- cli/run_batch.c ---------------------------------------------------- */

/*
 * Groups the cases of GoogleTest "cases" suites into batches (one
 * process runs many cases through --gtest_filter=A.B:C.D), balanced by
 * their estimates over the cores. Members keep their own item state for
 * retries (run singly) and for the run's record.
 */
void run_make_batches(struct run_state *rs);
/* The argv of a batch's attempt. */
char **run_batch_argv(struct item_state *b);
/* A batch ended: its XML into the run, each member settled or rerun. */
void run_batch_done(struct runner *r, struct item_state *b);
void run_free_batches(struct run_state *rs);

/* ---- cli/run_results.c ------------------------------------------------ */

/* The attempt status of the process and a message for it (msg[n]). */
enum fg_astatus run_process_status(struct item_state *is, char *msg,
				   size_t n);
/*
 * Reads this attempt's JUnit XML into the run (failures without output of
 * their own get output_tail). Returns the failing attempts it held, or -1
 * when there was no XML; xml_problem[n] names what was wrong with it.
 */
long run_read_xml(struct item_state *is, const char *output_tail,
		  char *xml_problem, size_t n);
/* TAP: starts reading this attempt's stdout (a "format": "tap" suite). */
void run_tap_start(struct item_state *is);
void run_tap_output(struct runner_job *job, const char *bytes, size_t len);
/*
 * Ends this attempt's TAP (stdout or the {tap} file) into the run, as
 * run_read_xml() does: the failing attempts, or -1 when there was no TAP;
 * tap_problem[n] names what was wrong with it.
 */
long run_read_tap(struct item_state *is, const char *output_tail,
		  char *tap_problem, size_t n);
/* Forgets a list of test references. */
void run_refs_free(struct run_test_ref **refs, size_t *n);
/*
 * After a selective rerun: each test it was asked for but did not report
 * gets an error attempt (never a silent pass). Returns how many.
 */
size_t run_check_asked(struct item_state *is);
/* Adds this attempt to the item-level test (created on first use). */
void run_record_self_test(struct item_state *is, enum fg_astatus st,
			  const char *msg, const char *output);

/* ---- cli/run_progress.c ----------------------------------------------- */

void run_clear_live(struct run_state *rs);
void run_draw_live(struct run_state *rs);
void run_on_tick(struct runner *r, void *data);
/* One line for a finished attempt (on a TTY: failures only). */
void run_print_progress(struct item_state *is, enum fg_astatus st,
			long xml_failures);

/* ---- cli/run_deps.c --------------------------------------------------- */

/*
 * Sets each item's `after` (the items of the suites it waits for: fixture
 * setups, depends; a cleanup's fixture) and what it needs not to have
 * failed; and a bigger output cap for suites judged by regexes. Call
 * after the items are set up. FG_ECONFIG on a dependency cycle.
 */
int run_deps_wire(struct run_state *rs, struct fg_error *err);
/* runner_opts.on_ready: false (with is->why_not) when it must not run. */
bool run_deps_ready(struct runner *r, struct runner_job *job, void *data);
void run_deps_release(struct item_state *is);

/* ---- cli/run_missing.c ------------------------------------------------ */

/*
 * The run's selection line (struct fg_run's `selection`): the config or
 * programs, --ctest, --meson, --label, --suite and suite names, --filter,
 * --rerun-failed, each list sorted. Caller frees.
 */
char *run_selection(const struct run_opts *o, const struct fg_config *cfg,
		    int nargs, char **args);
/*
 * Fills rs->run.missing: the tests of the newest complete run of the same
 * branch, shard and selection that this run does not have. Not for a
 * partial run or --rerun-failed. A database error is a warning.
 */
void run_find_missing(struct run_state *rs, struct history_store *store);
/* --strict: missing tests make the verdict red, with the reason. */
void run_strict_verdict(const struct run_state *rs,
			struct an_verdict *v);
/*
 * --rerun-failed, before the plan: the failed and flaky tests of the
 * newest run of this branch and shard into rs->rerun, and only their
 * suites (with their fixtures) kept in rs->cfg. Returns 0, an exit code
 * (2: no such run, or none of its tests here; the error printed), or
 * RUN_NOTHING_TO_RERUN after saying that nothing failed (exit 0).
 */
#define RUN_NOTHING_TO_RERUN (-2)
int run_rerun_load(struct run_state *rs, struct history_store *store);
/* --rerun-failed: only the cases to rerun stay in the plan. */
void run_rerun_plan(struct run_state *rs);
/* --rerun-failed: a whole suite's first attempt asks for its tests. */
void run_rerun_ask(struct item_state *is);

/* ---- cli/run_files.c -------------------------------------------------- */

/* The run's private directory (rs->tmpdir) and its id (rs->run_id). */
int run_make_tmpdir(struct run_state *rs, struct fg_error *err);
/* An empty TEST_TMPDIR for an attempt (reused or new). Caller owns it. */
char *run_acquire_dir(struct run_state *rs);
/* Takes back an attempt's directory: reused if empty, else removed. */
void run_release_dir(struct run_state *rs, char *dir);
/* Removes a directory tree in-process; best effort, logged. */
void run_remove_tree(const char *path);

#endif /* FG_CLI_RUN_H */
