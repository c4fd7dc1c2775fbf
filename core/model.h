/* SPDX-License-Identifier: MIT */
/*
 * core/model.h - the run model every stage speaks: attempts, tests, runs,
 * their outcomes and the settle rule.
 *
 * Records own every string they point to: fg_run_release() frees a run,
 * its tests and their attempts. fg_run_add_test() keeps a hash index by
 * identity (fg_run_find_test()).
 */
#ifndef FG_CORE_MODEL_H
#define FG_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	/*
	 * Company (issue 12 point 3): how many attempts of other items
	 * overlapped this one in time: 0 it ran alone, -1 not known
	 * (imported results; fg_test_add_attempt() sets -1). beside_names:
	 * the item ids of up to FG_BESIDE_MAX of them, '\n'-separated, in
	 * the order they met it; owned, or NULL.
	 */
	int beside;
	char *beside_names;
};
#define FG_BESIDE_MAX 8

struct fg_test {
	char *suite;     /* the suite (config name or <testsuite name>) */
	char *classname; /* may be "" but never NULL */
	char *name;      /* never NULL */
	char *file;      /* source file if known, else NULL */
	int line;        /* source line if known, else 0 */
	enum fg_outcome outcome;
	int64_t duration_ms; /* of the last attempt */
	/* Set by the analyzer (an_judge); reporters show them. */
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
	/*
	 * Category interference (set by the analyzer): the tests that ran
	 * beside its failures, most often first, with how many failing runs
	 * each overlapped; and the override that would keep them apart.
	 */
	struct fg_culprit {
		char *name;     /* item id ("suite", "suite::case"), owned */
		unsigned runs;  /* failing runs it overlapped */
	} *culprits;
	size_t nculprits;
	char *suggestion;     /* owned; NULL: none */
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
	/*
	 * What `run` was asked to run, in a canonical form ("config
	 * flakeguard.json --suite a --filter 'x*'"; docs/json-format.md):
	 * runs compare their tests ("missing") only with runs of the same
	 * selection. NULL: not recorded (import, or older flakeguard).
	 */
	char *selection;
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
	/*
	 * Tests that ran in the baseline run (the latest recorded run of the
	 * same branch, shard and selection: missing_since) and not in this
	 * one (`run` only; never stored). missing_since 0: no baseline.
	 */
	struct fg_missing *missing;
	size_t nmissing;
	int64_t missing_since;
};

/* A test's identity, for lists of tests that are not in a run. */
struct fg_missing {
	char *suite, *classname, *name;
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

#endif /* FG_CORE_MODEL_H */
