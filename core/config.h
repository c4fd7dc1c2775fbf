/* SPDX-License-Identifier: MIT */
/*
 * core/config.h - the configuration (flakeguard.json): suites, groups,
 * overrides, the quarantine policy's object; loading, layering, checks.
 *
 * struct fg_config owns its suites and everything in them
 * (fg_config_release()); errors are FG_ECONFIG naming file:line:column.
 */
#ifndef FG_CORE_CONFIG_H
#define FG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

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

#endif /* FG_CORE_CONFIG_H */
