/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - the command table. Each cli/cmd_<name>.c exports one
 * command; main.c dispatches and prints --help from the table, so names,
 * usage and summaries live in one place (git's commands[], tmux cmd_entry).
 *
 * Only cli/ prints errors and picks exit codes (enum fg_exit).
 */
#ifndef FG_CLI_H
#define FG_CLI_H

#include "core/core.h"
#include "history/history.h"
#include "runner/runner.h"
#include "cli/opt.h"

struct cli_opt;

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);  /* returns an exit code */
	const char *usage;    /* "flakeguard run [OPTIONS] [--] [PROGRAM...]" */
	const char *summary;  /* one line for `flakeguard --help` */
	const char *help;     /* `flakeguard CMD --help`: what comes before
			       * the generated "Options:" block */
	const char *help_after; /* and after it (exit codes, ...), or NULL */
	const struct cli_opt *options; /* cli/opt.h; NULL: help is all */
	unsigned flags;       /* CLI_STOP_AT_ARG */
};

/* The first positional argument ends the options (run's PROGRAM...). */
#define CLI_STOP_AT_ARG 1u

extern const struct cli_command cli_cmd_run;
extern const struct cli_command cli_cmd_list;
extern const struct cli_command cli_cmd_verify;
extern const struct cli_command cli_cmd_export;
extern const struct cli_command cli_cmd_import_history;
extern const struct cli_command cli_cmd_import;
extern const struct cli_command cli_cmd_history;
extern const struct cli_command cli_cmd_merge;
extern const struct cli_command cli_cmd_gc;
extern const struct cli_command cli_cmd_report;
extern const struct cli_command cli_cmd_analyze;
extern const struct cli_command cli_cmd_quarantine;
extern const struct cli_command cli_cmd_stress;

/* Prints "flakeguard: <msg>" to stderr and returns fg_exit_code(code). */
int cli_error(const struct fg_error *err);
/* Prints usage error and the hint to use --help; returns FG_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * s escaped for a terminal or CI log (core/text.h), for printf's %s. The
 * string is borrowed: valid until the eighth call after this one.
 */
const char *cli_safe(const char *s);
/* Prints the command's usage and options to stdout; returns 0. */
int cli_help(const struct cli_command *cmd);

/* ---- cli/plan.c: shared by `run` and `list` ---------------------------- */

struct history_store;
struct runner_plan;

/*
 * Expands the config's suites into items (listing cases), estimates them
 * from the store's history (store may be NULL), orders them, and keeps
 * only node shard_k's share when shard_n > 1 (shard_k 0: every node's,
 * each item's node set). With plan_file (from `list --shards N --json`)
 * order, estimates and nodes come from that file instead, and any
 * mismatch with the configuration is an FG_ECONFIG error.
 */
int cli_plan_build(const struct fg_config *cfg, struct history_store *store,
		   const char *plan_file, int shard_k, int shard_n,
		   struct runner_plan *plan, struct fg_error *err);
/* The suite's working directory. Caller frees. */
char *cli_suite_cwd(const struct fg_config *cfg, const struct fg_suite_cfg *s);
/* environ plus the suite's env ({junit}, {tap} substituted when
 * non-NULL), less its env_unset. strv. */
char **cli_suite_env(const struct fg_suite_cfg *s, const char *junit,
		     const char *tap);
/* Whether the suite's command or env mentions key ("{tap}"). */
bool cli_suite_uses(const struct fg_suite_cfg *s, const char *key);
/* s with every `key` replaced by value (value NULL: unchanged). Caller frees. */
char *cli_subst(const char *s, const char *key, const char *value);
/* Sets "KEY=VALUE" in a heap strv, replacing KEY. */
void cli_env_set(char ***env, const char *kv);

/* Where suites come from besides -c, and which: run's and list's flags. */
struct cli_select {
	const char *ctest;       /* --ctest DIR: ctest's tests */
	const char *meson;       /* --meson DIR: meson's tests */
	struct cli_list labels;  /* --label L: only suites labelled L */
};

/*
 * The suites to run: programs from argv, else -c FILE / flakeguard.json,
 * with the tests of --ctest/--meson or the file's "from" (sel may be
 * NULL), then --label. Returns 0 or an exit code (the error printed).
 * *config may be set to the default file name.
 */
int cli_load_suites(const struct cli_command *cmd, const char **config,
		    int nprog, char **progs, const struct cli_select *sel,
		    struct fg_config *cfg);

/* ---- cli/buildsys.c: tests of build systems, labels ------------------ */

/* How long a lister may take: FLAKEGUARD_LIST_TIMEOUT, default 60s. */
int64_t cli_list_timeout_ms(void);
/*
 * Imports the tests of sel's --ctest/--meson build dirs (they replace the
 * config's "from"), else of cfg's "from", as suites, with cfg's own
 * entries laid over them. FG_ECONFIG (exit 2) for a build dir that is
 * missing, not configured, without tests or whose lister fails; FG_ESPAWN
 * (exit 3) when the lister cannot start, hangs or crashes.
 */
int cli_import_tests(struct fg_config *cfg, const struct cli_select *sel,
		     struct fg_error *err);
/*
 * Keeps the suites with one of the labels (and the fixtures they need).
 * Returns 0, or 2 after naming a label no suite has and listing those
 * that exist.
 */
int cli_select_labels(struct fg_config *cfg, const struct cli_list *labels);
/* --shard K/N, else the CI environment, else 1/1. 0 or an exit code. */
int cli_shard_choose(const struct cli_command *cmd, const char *arg, int *k,
		     int *n);

/* Run metadata: commit, branch, host, CI job, from flags, CI env or git. */
void cli_detect_meta(struct fg_run *run, const char *dir);

/* ---- cli/dbopt.c: the history database of every command ------------- */

#define CLI_DEFAULT_DB ".flakeguard/history.db"

/* "200M", "1G", "512k", "1048576" -> bytes; -1 when malformed. */
int64_t cli_size_parse(const char *s);
/* Parses a decimal int in [min, max] into *out; -1 when it is not one. */
int cli_int_arg(const char *s, int min, int max, int *out);
/*
 * `where` (a path or a URL) fit to print: without a password, escaped as
 * cli_safe() escapes. Borrowed as cli_safe()'s result is.
 */
const char *cli_db_label(const char *where);

enum cli_db_mode {
	CLI_DB_CREATE,    /* run, import, merge, ...: created if missing */
	CLI_DB_EXISTING,  /* FG_EDB "no history database at ..." if missing */
	CLI_DB_READ,      /* existing; read-only when not writable here */
	CLI_DB_IF_EXISTS, /* existing, or FG_OK with *st NULL (list) */
};
/*
 * Opens the history at `where` (--db, FLAKEGUARD_DB, the config's "db":
 * a path or a postgresql:// URL) for a command. A write waits for another
 * writer's lock up to $FLAKEGUARD_DB_TIMEOUT (a duration; default 5m,
 * FG_EINVAL when malformed), printing how long it has waited on stderr. A
 * URL holding a password draws a warning (once) unless it came from
 * FLAKEGUARD_DB.
 */
int cli_db_open(const char *where, enum cli_db_mode mode,
		struct history_store **st, struct fg_error *err);
/* cli_db_open(path, CLI_DB_EXISTING / CLI_DB_READ, ...). */
int cli_open_existing_db(const char *path, struct history_store **st,
			 struct fg_error *err);
int cli_open_history_to_read(const char *path, struct history_store **st,
			     struct fg_error *err);

/*
 * The tests a user's spec means: flakeguard's own forms (name,
 * suite::name, suite::classname::name: history_store_find_tests()), else
 * the framework's: a pytest node id ("tests/test_x.py::Class::test[p]")
 * or GoogleTest's "Suite.Test" (CTest names and TAP descriptions are
 * names already). As history_store_find_tests().
 */
int cli_find_tests(struct history_store *st, const char *spec,
		   struct history_test_ids *out, struct fg_error *err);

/* ---- cli/analysis.c: the analyzer at the database's edge ------------- */

struct an_policy;
struct an_run;

/* Quarantine entries in force, and tests whose last entry expired. */
struct cli_quarantine {
	struct history_quarantine_list active, expired;
	struct history_quarantine_list ended; /* last entry ended otherwise */
	/* The database's own active entries, as loaded (not the file's). */
	struct history_quarantine_list stored;
};

/* Defaults, then cfg's "quarantine" object, then KEY=VALUE settings. */
int cli_policy_build(const struct fg_config *cfg, const char *const *settings,
		     size_t nsettings, struct an_policy *p,
		     struct fg_error *err);
/* The database's entries (st may be NULL) with the file's (may be NULL) over them. */
int cli_quarantine_load(struct history_store *st, const char *file,
			struct cli_quarantine *q, struct fg_error *err);
void cli_quarantine_release(struct cli_quarantine *q);
const struct history_quarantine *
cli_quarantine_find(const struct history_quarantine_list *l, const char *suite,
		    const char *classname, const char *name);
/* History (st may be NULL) plus this run for each test, and its entry. */
int cli_analysis_prepare(struct history_store *st,
			 const struct cli_quarantine *q, struct fg_run *run,
			 const struct an_policy *p, struct an_run *ar,
			 struct fg_error *err);
/* After an_judge(): where the histories came from (a debug line), and
 * one line on stderr when tests were judged on this run alone because
 * their history could not be read. */
void cli_analysis_load_failed(const struct an_run *ar);
/*
 * The quarantine decisions of a judged run (or of its parts), as changes
 * to record: owned copies, so they outlive the struct an_run.
 */
struct cli_changes {
	struct history_quarantine_change *c; /* c[i].q is set when recorded */
	struct history_quarantine *q;        /* the entries, owned */
	size_t n, cap_c, cap_q;
};
/* Appends ar's decisions: entries entered, stored entries ended. */
void cli_analysis_changes(const struct an_run *ar,
			  const struct cli_quarantine *q, int64_t now,
			  struct cli_changes *ch);
void cli_changes_release(struct cli_changes *ch);
/*
 * Records the run and its quarantine decisions in one transaction
 * (history_store_record_run()): entering only if no other run entered the
 * test meanwhile, releasing only the entry the decision saw. A decision
 * another run made first is not made twice; it is noted on stderr.
 * staged: the run's tests are the store's streamed run (`import`, whose
 * judged outcomes are staged already): it is committed
 * (history_store_run_record_end()) instead of run's tests.
 */
int cli_analysis_record(struct history_store *st, struct fg_run *run,
			struct cli_changes *ch, bool staged,
			struct fg_error *err);
/*
 * The analyzer's lines above the summary. With loud_only (-q on a green
 * run) only what CI logs must show: quarantine entries, releases and
 * expiries, and suspicious, broken, intermittent, interference and
 * new-flaky lines, and the cap. said (may be NULL): whether the heading
 * was printed already (a run judged in parts), updated.
 */
void cli_analysis_print(FILE *out, const struct fg_run *run,
			const struct an_run *ar, const char *qfile,
			bool loud_only, bool *said);
/* Tests in the history (the monitor's N for `analyze`). FG_OK or FG_EDB. */
int cli_analysis_count_tests(struct history_store *st, size_t *n,
			     struct fg_error *err);
/* "suite::classname::name" (no classname: "suite::name"). */
void cli_test_label(FILE *out, const char *suite, const char *classname,
		    const char *name);

/* ---- cli/select.c: running some of a suite's tests ---------------------- */

enum cli_framework {
	CLI_FW_NONE,    /* selects nothing: the whole suite runs */
	CLI_FW_GTEST,   /* --gtest_filter=A.B:C.D */
	CLI_FW_PYTEST,  /* node ids as arguments */
	CLI_FW_CTEST,   /* -R '^(a|b)$' */
	CLI_FW_CASES,   /* a "cases" suite: its run template, one case */
};

/* Which framework runs suite s (by its command, env and "cases"). */
enum cli_framework cli_suite_framework(const struct fg_suite_cfg *s);
/* The framework's own id of test t ("Suite.Test", a node id). Caller frees. */
char *cli_framework_id(enum cli_framework fw, const struct fg_test *t);
/* s's argv running only the tests ids[0..n); NULL when fw cannot select. */
char **cli_select_argv(const struct fg_suite_cfg *s, enum cli_framework fw,
		       const char *const *ids, size_t n);
/* "cd CWD && ARGV..." quoted for a POSIX shell. Caller frees. */
char *cli_shell_line(const char *cwd, char *const *argv);
/* A shell line that runs test t of suite s (in cwd) alone. Caller frees. */
char *cli_repro_line(const struct fg_suite_cfg *s, const char *cwd,
		     const struct fg_test *t);

/*
 * Keeps the suites of cfg whose name matches one of globs[0..n) (fnmatch);
 * a glob matching none is a usage error naming the suites there are.
 * 0 or an exit code.
 */
int cli_keep_suites(const struct cli_command *cmd, struct fg_config *cfg,
		    const char *const *globs, size_t n);
/*
 * `run -c FILE NAME...`: when every NAME is a suite of cfg (or a glob of
 * some), keeps those and sets *selected. Otherwise the NAMEs are programs
 * to run instead; one that is neither a suite nor a program is a usage
 * error before anything runs. 0 or an exit code.
 */
int cli_args_are_suites(const struct cli_command *cmd, struct fg_config *cfg,
			int nargs, char **args, bool *selected);
/*
 * --filter: whether a test matches pats[0..n) (fnmatch globs over its ids
 * suite::classname::name, suite::name, classname.name and name; "!PAT"
 * excludes; no positive pattern means every test).
 */
bool cli_filter_match(const char *const *pats, size_t n, const char *suite,
		      const char *classname, const char *name);
/*
 * Suite s's argv narrowed to the filter by its framework (GoogleTest
 * --gtest_filter, CTest -R/-E, pytest -k on the patterns' literal
 * parts), or NULL when it cannot narrow; results are matched again
 * afterwards either way. Caller frees.
 */
char **cli_filter_argv(const struct fg_suite_cfg *s,
		       const char *const *pats, size_t n);
/* Whether every one of args is a program (a path that exists, or in PATH). */
bool cli_all_programs(int nargs, char **args);

/* ---- cli/runline.c: a run as one "flakeguard-run/1" JSON object ------ */

typedef struct json_t json_t;
/* The run as a new JSON object (the caller owns the reference). */
json_t *cli_run_line(const struct fg_run *run);
/* Fills run (initialised, empty) from o; NULL, or what is wrong with o. */
const char *cli_run_from_line(json_t *o, struct fg_run *run);

/* ---- cli/spool.c: a finished run is never lost ------------------------ */

/* Where runs for db are spooled: "<db's dir>/pending". Caller frees. */
char *cli_spool_dir(const char *db);
/*
 * Writes run (a uuid is given to it if it has none) to the spool beside
 * db; *path_out (may be NULL) names the file, caller frees. FG_EIO if
 * even that fails.
 */
int cli_spool_write(const char *db, struct fg_run *run, char **path_out,
		    struct fg_error *err);
/*
 * Folds every spooled run into st (idempotent by uuid) and removes its
 * file; says how many on human (may be NULL). A file that cannot be
 * folded is kept and named in a warning; FG_EDB then, else FG_OK.
 */
int cli_spool_fold(struct history_store *st, const char *db, FILE *human);

#endif /* FG_CLI_H */
