/* SPDX-License-Identifier: MIT */
/*
 * analyzer/analyzer.h - from recorded results to decisions: is a test
 * stable, flaky, broken or intermittent, should it enter or leave
 * quarantine, and does this run fail. docs/analyzer.md states every rule
 * with its numbers.
 *
 * The analyzer is pure computation over what its caller hands it: the
 * core model (struct fg_run) and history rows already read (cli/analysis.c
 * reads the database with history_store_scan() and fills struct an_test);
 * it never opens the database, prints or exits. It knows core and the
 * history's record types (struct history_quarantine), nothing above.
 *
 * Entry points, in the order a run meets them:
 *   an_policy_defaults(), an_policy_apply_json(), an_policy_set()
 *                        the quarantine policy (policy.c)
 *   an_test_init(), an_test_add(), an_test_add_run()
 *                        one test's runs, oldest first, this run last
 *                        (evidence.c)
 *   an_judge()           a whole run: evidence, category, the monitor,
 *                        the policy's decisions, each test's judgement and
 *                        the verdict (policy.c)
 *   an_verdict(), an_verdict_counts()
 *                        the plain verdict without history (verdict.c)
 *   an_qfile_read(), an_qfile_write()
 *                        flakeguard-quarantine.json (qfile.c)
 *   an_backtest_test()   a test's history replayed under a policy
 *                        (backtest.c)
 * Below them: statistics (stats.c), the rate monitor (monitor.c) and
 * failure signatures (signature.c), public for the tests and bench/sim.
 *
 * Ownership: struct an_test and struct an_run own what they point to and
 * are freed with an_test_release() and an_run_release(); the caller owns
 * the structs themselves. an_judge() writes its findings into the
 * run's tests (owned strings: reason, note, since, strip; category is
 * static). Strings returned as char * (an_signature(), an_evidence_json())
 * are the caller's to free(3).
 *
 * Names: every public name starts an_ (AN_ for constants).
 */
#ifndef FG_ANALYZER_H
#define FG_ANALYZER_H

#include "core/core.h"
#include "history/history.h"

struct an_verdict_opts {
	bool flaky_fails;      /* --flaky-result fail: flaky tests fail the run */
};

struct an_verdict {
	int exit_code;         /* FG_EXIT_OK or FG_EXIT_FAILED */
	size_t real_failures;  /* tests that count against the run */
	char reason[256];      /* one line: why this exit code */
};

/*
 * Settles every test's outcome (fg_test_settle) and decides the run's exit
 * code: 1 when a test failed (or, with flaky_fails, was flaky), else 0.
 * Interrupted runs and infrastructure errors are the caller's to overrule.
 */
void an_verdict(struct fg_run *run, const struct an_verdict_opts *opts,
		      struct an_verdict *v);
/* The same decision from outcome counts alone (streamed imports). */
void an_verdict_counts(const struct fg_summary *sum,
			     const struct an_verdict_opts *opts,
			     struct an_verdict *v);

/* ====================================================================== */
/* Statistics (analyzer/stats.c); docs/analyzer.md gives the formulas.     */
/* ====================================================================== */

struct an_interval {
	double p, lo, hi;      /* estimate k/n and its 95% interval */
};

/* Wilson score interval, z = 1.96. n == 0 gives p 0, [0, 1]. */
void an_wilson(unsigned long k, unsigned long n, struct an_interval *out);
/* The regularised incomplete beta function I_x(a, b). */
double an_beta_inc(double a, double b, double x);
/* The q-quantile of Beta(a, b): x with I_x(a, b) = q (bisection). */
double an_beta_quantile(double a, double b, double q);
/* P(p > theta | k of n) under the Jeffreys prior Beta(1/2, 1/2). */
double an_prob_above(unsigned long k, unsigned long n, double theta);
/*
 * P(X >= x) for X ~ Hypergeometric(total, failures, drawn): the chance
 * that, with `failures` failing runs among `total` placed at random (a
 * constant rate), at least x fall among a given `drawn` runs (the last
 * ones, say). Exact, from log-binomials.
 */
double an_hyper_tail(unsigned long x, unsigned long drawn,
		     unsigned long failures, unsigned long total);
/* Bernoulli log-likelihood of k in n at the estimate k/n (0 log 0 = 0). */
double an_bern_ll(unsigned long k, unsigned long n);
/* "p = 4.2% [1.1%, 9.8%], n = 57" into buf. Returns buf. */
char *an_format_p(char *buf, size_t size, const struct an_interval *iv,
		  unsigned long n);

/* Wald's SPRT for release: H_release p = p0 against H_keep p = p1. */
struct an_sprt {
	double p0, p1, alpha, beta;
};
double an_sprt_pass(const struct an_sprt *s);   /* ln((1-p0)/(1-p1)) */
double an_sprt_fail(const struct an_sprt *s);   /* ln(p0/p1) */
double an_sprt_upper(const struct an_sprt *s);  /* ln((1-beta)/alpha) */
double an_sprt_lower(const struct an_sprt *s);  /* ln(beta/(1-alpha)) */
/* Clean runs needed from score `from` to reach the upper bound. */
int an_sprt_clean_runs(const struct an_sprt *s, double from);

/* ====================================================================== */
/* The rate monitor (analyzer/monitor.c)                                   */
/* ====================================================================== */

/*
 * A Bernoulli CUSUM in integer units: a clean run moves the statistic s
 * down (not below 0), a failing run r up; it alarms at h. One unit is
 * `unit` = ln((1-p0)/(1-p1)) / s of log-likelihood ratio.
 */
struct an_cusum {
	double p0, p1;         /* in-control rate, and the rate to detect */
	int s, r, h;           /* clean and failure scores, threshold: units */
	double unit;
};

/* Average run length until an alarm, from 0, at true rate p (exact). */
double an_cusum_arl(int s, int r, int h, double p);
/* P(an alarm within t runs) from 0 at rate p (exact). */
double an_cusum_within(int s, int r, int h, double p, int t);
/* The median run length at rate p, or -1 if above max. */
int an_cusum_median(int s, int r, int h, double p, int max);
/*
 * The design for in-control rate p0 and p1 = p0 + rise (at most 0.999):
 * r/s = ln(p1/p0) / ln((1-p0)/(1-p1)) within 3% (s <= 8), and the
 * smallest h whose ARL at p0 is >= arl0. false when there is nothing to
 * watch for (p1 <= p0).
 */
bool an_cusum_design(double p0, double rise, double arl0, struct an_cusum *c);
/*
 * The design when p0 is known through k failures in n runs: r from the
 * Jeffreys mean, h the smallest whose alarm rate averaged over the
 * posterior of p0 is <= 1/arl0.
 */
bool an_cusum_design_post(unsigned long k, unsigned long n, double rise,
			  double arl0, struct an_cusum *c);
/* The Jeffreys posterior mean (k + 1/2) / (n + 1). */
double an_jeffreys(unsigned long k, unsigned long n);
/*
 * The chance that all `attempts` attempts of a run fail when the test's
 * rate is what base_fails of base_runs say: E[p^a] under the Jeffreys
 * posterior, (k+1/2)(k+3/2).../((n+1)(n+2)...).
 */
double an_hard_chance(unsigned long base_fails, unsigned long base_runs,
		      int attempts);

struct an_monitor_cfg {
	double rise;           /* p1 - p0 (policy rise, 0.2) */
	double arl0;           /* in-control ARL per test: alarm_runs x tests */
	int min_base;          /* baseline runs before it watches (min_before) */
	double fix_alpha;      /* raised rate explaining the clean runs (0.001) */
	double back_alpha;     /* an alarm clears when the runs since favour
				  the old rate by a likelihood ratio of
				  1/back_alpha (0.05) */
};

/*
 * One test's monitor: what issue 14 stores per test and updates per run.
 * Run references (`ref`) are the caller's: an_evaluate() passes obs
 * index + 1; a stored state would pass run ids.
 */
struct an_monitor {
	uint32_t runs;               /* runs folded */
	uint32_t base_runs, base_fails; /* the in-control baseline */
	uint32_t stat;               /* CUSUM statistic, in units */
	uint32_t exc_runs, exc_fails; /* since it last left 0 */
	int64_t exc_from;            /* ref of the excursion's first run */
	int s, r, h;                 /* design of the excursion (its p0) */
	double unit;                 /* ... one unit of it in nats */
	double llr_pass, llr_fail;   /* ... ln((1-p0)/(1-p1)), ln(p0/p1) */
	bool raised;                 /* an alarm stands */
	uint32_t alarms;             /* alarms so far */
	int64_t raised_from;         /* ref where the raised segment begins */
	uint32_t post_runs, post_fails; /* runs, failing runs since then */
	uint32_t post_last;          /* runs since then up to its last failure */
	uint32_t clean;              /* clean runs in a row while raised */
	double back;                 /* since the alarm, the log-likelihood
					ratio of p0 against p1 (Wald's) */
	uint32_t cleared;            /* alarms cleared that way */
	int64_t clean_from;          /* ref of the first of them */
	int64_t fixed_from;          /* the last raised segment ended: ref of
					its first clean run; 0 after a failure */
	uint32_t since_fixed;        /* clean runs since the fix was confirmed */
	bool last_in_base;           /* the last run folded joined the baseline */
};

enum an_mon_event {
	AN_MON_NONE, AN_MON_ALARM, AN_MON_FIXED, AN_MON_CLEARED,
};

void an_monitor_init(struct an_monitor *m);
/* The primitive: fold one run in (failed: any attempt failed). */
enum an_mon_event an_monitor_update(struct an_monitor *m,
				    const struct an_monitor_cfg *c,
				    bool failed, int64_t ref);
/* Clean runs in a row that end the raised segment now. */
unsigned an_monitor_fix_runs(const struct an_monitor *m,
			     const struct an_monitor_cfg *c);

/* ====================================================================== */
/* Failure signatures (analyzer/signature.c)                               */
/* ====================================================================== */

/*
 * The message's first non-empty line with numbers ("N"), addresses
 * ("<addr>"), long hex ids ("<hex>"), paths ("<path>") and timestamps
 * ("<time>") masked and blanks squeezed, at most 160 bytes: one recurring
 * flake keeps one signature. NULL for NULL or blank. Caller frees.
 */
char *an_signature(const char *message);

/* ====================================================================== */
/* Root-cause hints and incidents (analyzer/hint.c, analyzer/incident.c)   */
/* ====================================================================== */

/* What a failed attempt's hint says; the names are in JSON: never rename. */
enum an_hint_kind {
	AN_HINT_NONE,       /* not a failure */
	AN_HINT_MEMORY,     /* a sanitizer report: "memory-error" */
	AN_HINT_TIMEOUT,    /* killed at its timeout */
	AN_HINT_LEAKED,     /* left processes holding its output */
	AN_HINT_SIGNAL,     /* killed by a signal (named) */
	AN_HINT_ASSERTION,  /* the first assertion-looking line */
	AN_HINT_EXIT,       /* an exit status, and its last output line */
	AN_HINT_FAILURE,    /* any other message: its first line */
};
#define AN_HINT_KIND_COUNT 8
#define AN_HINT_MAX 320
const char *an_hint_kind_name(enum an_hint_kind k);
/*
 * The hint for one attempt from what is recorded of it (status, message,
 * output excerpt; both may be NULL), as one line into buf ("memory error:
 * AddressSanitizer: heap-use-after-free at t.c:8 in main", "crash: SIGSEGV
 * (segmentation fault: ...)"); docs/analyzer.md lists the rules. Text of
 * the test's is copied as it is: print it through fg_text.
 */
enum an_hint_kind an_hint(enum fg_astatus st, const char *message,
			  const char *output, char *buf, size_t size);
/*
 * Sets the hint of every failed attempt of the run, each test's hint (a
 * memory error of any attempt, else its last failed attempt's), and the
 * run's incidents: when at least AN_INCIDENT_MIN tests with a failed
 * attempt, and at least AN_INCIDENT_SHARE of them, failed with one
 * signature (an_signature of the message; of the last output line when
 * the message is only an exit status), they are one incident
 * (fg_run.incidents). Called
 * by an_verdict() and an_judge(); calling it again recomputes.
 */
#define AN_INCIDENT_MIN 3
#define AN_INCIDENT_SHARE 0.5
void an_hints_apply(struct fg_run *run);
/* Whether any failed attempt of t has a memory-error hint (computed). */
bool an_test_memory_error(const struct fg_test *t);
/* " One incident: 4 tests failed alike: \"...\"" for verdict lines. */
void an_incidents_describe(const struct fg_run *run, char *buf, size_t size);

/* ====================================================================== */
/* Policy (analyzer/policy.c)                                              */
/* ====================================================================== */

struct an_policy {
	bool auto_quarantine;  /* enter and leave automatically (true) */
	int enter_commits;     /* K: same-commit inconsistency on K commits (2) */
	double threshold;      /* theta: enter when P(p > theta) >= confidence
				  (0.05) */
	double confidence;     /* 0.95 */
	struct an_sprt release; /* p0 0.001, p1 0.05, alpha beta 0.05 */
	int expire_days;       /* auto entries expire after N days (90; 0 never) */
	bool skip_mode;        /* mode of auto entries: skip instead of run */
	int max_count;         /* cap: warn above N quarantined tests (50) */
	double max_percent;    /* ... or above this share of tests (5) */
	int window;            /* newest runs per test analysed (200) */
	int history;           /* runs loaded for a test that failed in its
				  window: the onset scan and the monitor see
				  them (1000) */
	int min_runs;          /* fewer runs: category new (5) */
	int broken_runs;       /* trailing all-failed runs for broken (2) */
	double broken_alpha;   /* ... that chance explains with less (0.001) */
	double rise;           /* the monitor's p1 - p0 (0.2) */
	int alarm_runs;        /* suite runs per false alarm, bound (500) */
	size_t tests;          /* tests watched (N; the caller's count, 0: 1):
				  ARL0 per test = alarm_runs x N */
	double onset_alpha;    /* failures this late by chance less often
				  blocks auto entry (0.1) */
	int min_before;        /* clean runs before an onset (20) */
	double slow_factor;    /* slow: recent median > factor x before (2) */
	int64_t slow_min_ms;   /* ... and slower by at least this (100) */
	bool strict;           /* a new failure signature fails the run */
	bool new_flaky_fails;  /* a new-flaky test's flaky pass counts (true) */
	int interference_runs; /* runs failing beside others and passing
				  alone before a test is interference (2) */
	double interference_alpha; /* ... and its attempts fail beside
				  others more often than alone: by chance
				  (one rate) less often than this (0.01) */
	double interference_watch; /* a flaky test whose failures fall
				  beside others by chance less often than
				  this is not quarantined yet (0: off) */
	enum an_interference_mode {
		AN_IF_FAIL,        /* its failures count, never quarantined */
		AN_IF_WARN,        /* a pass alone after a failure beside
				      others does not count */
		AN_IF_QUARANTINE,  /* may enter quarantine as flaky tests do */
	} interference;

	bool flaky_fails;      /* --flaky-result fail */
};

void an_policy_defaults(struct an_policy *p);
/* The monitor's settings from the policy (ARL0 = alarm_runs x tests). */
void an_monitor_cfg_from(const struct an_policy *p, struct an_monitor_cfg *c);
/*
 * Applies a JSON object of policy keys (flakeguard.json "quarantine") or
 * one "key=value" setting. FG_ECONFIG naming `where` and the key.
 */
int an_policy_apply_json(struct an_policy *p, const char *json_text,
			 const char *where, struct fg_error *err);
int an_policy_set(struct an_policy *p, const char *key_eq_value,
		  struct fg_error *err);

/* ====================================================================== */
/* Evidence and categories (analyzer/evidence.c)                           */
/* ====================================================================== */

/*
 * Values are appended, never renumbered. AN_NEW_FLAKY: a test first seen
 * in this run that failed one of its stress runs (issue 12 point 5).
 * AN_INTERFERENCE: fails beside other tests and passes alone (point 3).
 */
enum an_category {
	AN_STABLE, AN_FLAKY, AN_BROKEN, AN_NEW_FLAKY, AN_FIXED, AN_NEW, AN_SLOW,
	AN_INTERMITTENT, AN_INTERFERENCE,
	AN_MEMORY,  /* "memory-error": a sanitizer report in its window */
};
#define AN_CATEGORY_COUNT 10
const char *an_category_name(enum an_category c);

/* One run of one test. */
struct an_obs {
	int64_t run_id;        /* 0: the run being judged (not stored yet) */
	int64_t started_at_ms;
	char *commit, *branch; /* owned (borrowed: see below), or NULL */
	bool borrowed;         /* commit and branch belong to someone else
				  (an_summary_load(): the run's info) */
	int attempts;          /* attempts that ran (skipped ones excluded) */
	int failed;            /* of which failed */
	bool last_failed;      /* the final attempt failed */
	int64_t duration_ms;   /* of the last attempt */
	char *signature;       /* an_signature() of the first failure, or NULL */
	bool memory;           /* an attempt's hint is a memory error */
	int stress;            /* of attempts, stress runs (the judged run's
				  only: the history does not keep the mark) */
	int stress_failed;     /* of which failed */
	/* company (an_obs_company): */
	bool interfered;       /* an attempt failed beside others, and a
				  later one passed alone */
	bool failed_alone;     /* an attempt that ran alone failed */
	uint16_t alone, alone_failed;   /* attempts that ran alone, failed */
	uint16_t beside_n, beside_failed; /* attempts with company, failed */
	char **beside;         /* interfered runs: the item ids beside its
				  failed attempts, distinct; owned */
	size_t nbeside;
};

/* A test that ran beside an interference test's failures. */
struct an_culprit {
	char *name;            /* item id, owned */
	unsigned long runs;    /* interfered runs it overlapped a failure */
};

struct an_evidence {
	unsigned long runs;           /* runs that ran (not all skipped) */
	unsigned long attempts, failed_attempts;
	unsigned long fail_runs;      /* runs with a failed attempt */
	unsigned long hard_fails;     /* runs whose every attempt failed */
	unsigned long retry_flakes;   /* runs that failed then passed */
	unsigned long incons_commits; /* commits with a pass and a fail */
	unsigned long flips, flip_pairs; /* same-branch state changes */
	double flip_rate;
	struct an_interval p;         /* per-run failure probability */
	double p_above;               /* P(p > threshold), Jeffreys */
	size_t last_fail;             /* obs index + 1 of the last failure */
	bool last_hard;               /* the newest run failed every attempt */
	/* broken / fixed: a trailing run of all-failed runs, or one healed */
	size_t broken_from;           /* obs index + 1 where it begins */
	unsigned long broken_streak;
	double broken_chance;         /* q_hi^L: how likely by chance */
	size_t fixed_at;              /* obs index + 1 of the first pass after */
	/* onset: the split point, among those after >= min_before runs at
	 * <= 1% failing and starting with a failure, where chance (a
	 * constant rate) puts the failures after it least often */
	size_t change_at;             /* obs index + 1, 0: none */
	double change_p;              /* that chance (an_hyper_tail) */
	unsigned long change_splits;  /* split points considered */
	unsigned long before_runs, before_fails, after_runs, after_fails;
	/* a bump: failures confined to runs [bump_from, bump_to) of obs
	 * indexes + 1, the rest clean (an intermittent regression, fixed) */
	size_t bump_from, bump_to;
	double bump_llr;
	unsigned long bump_runs, bump_fails;
	/* entry: the same counts over the runs since `since` only (after a
	 * release, old evidence must not put a test straight back) */
	unsigned long entry_runs, entry_fails, entry_incons;
	double entry_p_above;
	/* release */
	double sprt;                  /* score since `since` */
	unsigned long sprt_runs;      /* runs it is based on */
	int clean_needed;             /* clean runs still needed to release */
	/* the rate monitor after the last run, and its design */
	struct an_monitor mon;
	struct an_monitor_cfg mon_cfg;
	/* memory errors (sanitizer reports) */
	unsigned long memory_runs;    /* runs with one */
	size_t memory_last;           /* obs index + 1 of the last */
	/* stress runs of the newest run (run --new-test-runs) */
	unsigned long stress_runs, stress_fails;
	/* duration */
	int64_t dur_before_ms, dur_recent_ms;
	/* signatures seen, distinct, in order of first appearance */
	char **signatures;
	size_t nsignatures;
	/* interference: runs where a failure beside others was followed by
	 * a pass alone, runs with a failure alone, and who was beside the
	 * former (most runs first, then by name) */
	unsigned long interfered_runs, alone_fail_runs;
	struct an_culprit *culprits;
	size_t nculprits;
	/* attempts with company and alone (known only), failed; and the
	 * exact chance that, at one rate for both, the failures fall on the
	 * attempts with company at least this often (an_hyper_tail) */
	unsigned long beside_attempts, beside_failed;
	unsigned long alone_attempts, alone_failed;
	double company_p;
};

struct an_test {
	char *suite, *classname, *name;
	struct an_obs *obs;    /* oldest first */
	size_t nobs, cap;
	struct an_evidence ev;
	enum an_category cat;
	char reason[320];      /* one line: why this category */
};

void an_test_init(struct an_test *t, const char *suite, const char *classname,
		  const char *name);
void an_test_release(struct an_test *t);
/* Drops the runs (obs), keeping the identity and the evaluation. */
void an_test_trim(struct an_test *t);
/*
 * Appends a run: statuses of its attempts (skipped ones are ignored) and
 * the first failure's message. Strings are copied.
 */
struct an_obs *an_test_add(struct an_test *t, int64_t run_id,
			   int64_t started_at_ms, const char *commit,
			   const char *branch, const enum fg_astatus *statuses,
			   size_t nstatuses, int64_t duration_ms,
			   const char *message);
/* Appends a run read by history_store_scan (memory from its excerpt,
 * company from its attempts). */
struct an_obs *an_test_add_row(struct an_test *t,
			       const struct history_scan_row *r);
/*
 * Sets a run's company from its attempts: statuses, beside (-1: not
 * known, 0: alone) and names ('\n'-separated, or NULL), n of each.
 */
void an_obs_company(struct an_obs *o, const enum fg_astatus *statuses,
		    const int *beside, const char *const *names, size_t n);
/* Appends a test of a run (the run being judged: run_id 0). */
struct an_obs *an_test_add_run(struct an_test *t, const struct fg_run *run,
			       const struct fg_test *ft);
/*
 * Computes the evidence over the first `nobs` observations (a replay
 * passes fewer than t->nobs), then the category and its reason. since_ms
 * is when the test's active entry began (the release score counts from
 * there) or, with no entry, when its last one ended (the entry counts
 * start there); 0: all runs.
 */
void an_evaluate(struct an_test *t, size_t nobs, int64_t since_ms,
		 const struct an_policy *p);
/*
 * For an interference test with culprits: the override that keeps it
 * apart from its first culprit, as one line ("add a lock ... to
 * flakeguard.json: ..."). NULL otherwise. Caller frees.
 */
char *an_interference_suggestion(const struct an_test *t);
/* The evidence as a JSON object text (sorted keys). Caller frees. */
char *an_evidence_json(const struct an_test *t);
/* Whether sig (may be NULL) is among the signatures of obs [0, upto). */
bool an_signature_known(const struct an_test *t, size_t upto, const char *sig);

/* ====================================================================== */
/* Summaries (analyzer/summary.c): a test's window kept in the database    */
/* ====================================================================== */

/* Runs kept while a failure is among them (the default policy history),
 * and once the test has been clean that long (the default window). */
#define AN_SUMMARY_LONG 1000
#define AN_SUMMARY_SHORT 200
/* The monitor folds at most this many runs back (evidence.c's anchor). */
#define AN_MONITOR_SPAN 200

struct an_summary_head {
	uint64_t seen;          /* runs folded in */
	uint64_t clean;         /* of which after the newest that failed */
	bool complete;          /* started at the test's first run */
	size_t nobs;            /* runs kept, the newest */
	size_t nonskipped;      /* of which some attempt ran */
	size_t upto_newest_ran; /* index + 1 of the newest such run, 0 */
	int64_t min_run_id, max_run_id; /* of the runs kept */
};

/*
 * The summarizer (history_store_set_summarizer()): the state after the
 * test's result in one more run. state NULL: none; first: the run is the
 * test's first. Never NULL; caller frees.
 */
char *an_summary_fold(const char *state, const struct history_scan_row *row,
		      bool first);
/* A state from a test's loaded runs (complete: they are all it has). */
char *an_summary_of(const struct an_test *t, bool complete);
/* Reads the counters; -1 when state is NULL or damaged. */
int an_summary_head(const char *state, struct an_summary_head *h);
/* Whether the kept runs are exactly the test's newest `runs` runs (or
 * all it has, when fewer). */
bool an_summary_covers(const struct an_summary_head *h, size_t runs);
/*
 * Whether evaluating the kept runs gives what evaluating the newest `runs`
 * runs would although fewer are kept: none of those failed, at least
 * `window` kept runs ran, and the monitor's span is kept.
 */
bool an_summary_covers_clean(const struct an_summary_head *h, size_t runs,
			     size_t window);
/*
 * Appends the newest `newest` kept runs to t, oldest first, with start,
 * commit and branch from runs (sorted by id; borrowed: they must outlive
 * t). -1 when the state is damaged or a run is not in runs (t is
 * left as it was).
 */
int an_summary_load(struct an_test *t, const char *state, size_t newest,
		    const struct history_run_info *runs, size_t nruns);
/* The runs a scan for the newest n reads: history_store_scan() reads at
 * least one. */
size_t an_scan_runs(int n);
/* Whether t's loaded runs or this run (ft) hold a failed attempt. */
bool an_test_has_failure(const struct an_test *t, const struct fg_test *ft);
/*
 * The runs `run` judges a test of it against, from its summary alone: the
 * newest window - 1, or history - 1 when one of them or this run (ft)
 * has a failed attempt. -1 when the summary does not hold them (t is left
 * without runs: the caller reads the results).
 */
int an_summary_load_run(struct an_test *t, const char *state,
			const struct fg_test *ft, const struct an_policy *p,
			const struct history_run_info *runs, size_t nruns);

/* ====================================================================== */
/* Quarantine decisions and the verdict (analyzer/policy.c)                */
/* ====================================================================== */

enum an_action { AN_NONE, AN_ENTER, AN_LEAVE, AN_EXPIRED };

struct an_decision {
	enum an_action action;
	const char *rule;      /* "same-commit", "probability", "sprt", ... */
	char why[320];         /* the rule with its numbers */
};

/*
 * What the policy does with test t (evaluated) given its active entry q
 * (NULL: none), whether auto entry is blocked (a former entry expired) and
 * the time now. Pure: nothing is written.
 */
void an_decide(const struct an_test *t, const struct history_quarantine *q,
	       bool blocked, int64_t now_ms, const struct an_policy *p,
	       struct an_decision *d);

/* How a quarantine entry covers a test's last run (an_coverage). */
enum an_cover {
	AN_COVER_NONE,       /* the run did not fail */
	AN_COVER_YES,        /* covered: its rate explains it */
	AN_COVER_SUSPICIOUS, /* covered, but flaked with a new signature */
	AN_COVER_BROKEN,     /* not covered: broken now */
	AN_COVER_RAISED,     /* not covered: the monitor's alarm stands */
	AN_COVER_HARD,       /* not covered: every attempt failed, which the
				covered rate explains by chance less than
				broken_alpha (any chance with strict) */
	AN_COVER_NEW,        /* not covered: a new failure signature on a
				final failure (or, with strict, any) */
	AN_COVER_MEMORY,     /* not covered: a memory error (sanitizer) */
};

/*
 * Whether the quarantine covers test t's run `at` (obs index), t evaluated
 * over the runs up to it; evidence is the entry's snapshot (NULL: none).
 * *chance: E[p^a] of all a attempts failing at the covered rate. Pure;
 * shared by the verdict and the backtest.
 */
enum an_cover an_coverage(const struct an_test *t, size_t at,
			  const char *evidence, const struct an_policy *p,
			  double *chance);

/* How one test of the judged run counts. */
enum an_judgement {
	AN_J_PASSED,       /* nothing to say */
	AN_J_FAILED,       /* counts against the run */
	AN_J_FLAKY,        /* passed on retry; does not count */
	AN_J_QUARANTINED,  /* failed under quarantine; does not count */
	AN_J_SUSPICIOUS,   /* quarantined, but failed in a new way */
};

/* Per test of the run, parallel to run->tests; filled by the caller. */
#define AN_NOTE_MAX 400

struct an_run_test {
	struct an_test an;             /* its history plus this run (last);
					  its runs are dropped once judged */
	/* its history is not loaded yet: an_judge() has an loaded
	 * (an_run.load) when the test's turn comes, so only one test's
	 * runs, and one summary, are in memory at a time */
	bool deferred;
	struct history_quarantine q;   /* active entry (q.name NULL: none) */
	bool blocked;                  /* a former entry expired */
	int64_t released_ms;           /* a former entry ended then, or 0 */
	struct an_decision dec;        /* set by an_judge() */
	enum an_judgement j;
	bool counts;                   /* counts against the run */
	const char *tag;               /* static: why it counts, for the
					  verdict line ("intermittent", ...) */
	/* why it counts or not: the run's scratch (an_run.note) while it
	 * is judged; kept in fg_test.note (10,000 tests held 4 MB of
	 * mostly empty notes) */
	char *note;
};

struct an_run {
	struct an_run_test *t;         /* run->ntests of them */
	size_t n;
	size_t quarantined_total;      /* active entries of all tests, after */
	size_t known_tests;            /* tests in the history (for the cap) */
	size_t cap;                    /* the most that may be quarantined */
	size_t cap_refused;            /* entries refused: quarantine full */
	bool cap_exceeded;
	char cap_note[200];
	/* the runs the tests' summaries name (an_summary_load()): owned,
	   freed by an_run_release() */
	struct history_run_info *runs;
	size_t nruns;
	int64_t runs_from;             /* the caller's: runs start at it */
	size_t raw_loads;              /* the caller's: tests read from the
					  results, not their summary */
	bool raw_said;                 /* the caller's: said why, once */
	/* loads a deferred test's history into e->an (empty); non-zero: it
	 * could not be read, and the test is judged on this run alone,
	 * counted in load_failed for the caller to say so */
	int (*load)(struct an_run *ar, struct an_run_test *e,
		    const struct fg_test *ft, const struct an_policy *p);
	void *load_ctx;
	size_t load_failed;
	char note[AN_NOTE_MAX];        /* an_run_test.note, one at a time */
};

/*
 * Evaluates every test, applies the policy (entries change in ar: q is
 * filled on entry, cleared on leave), judges each test (outcomes become
 * quarantined where the quarantine covers the failure), sets
 * fg_test.category/quarantined, and decides the exit code with a reason.
 */
void an_judge(struct fg_run *run, struct an_run *ar, int64_t now_ms,
		    const struct an_policy *p, struct an_verdict *v);
void an_run_release(struct an_run *ar);

/*
 * The verdict of a run judged in parts (`import` of a big run judges it
 * a slice of tests at a time, to keep memory flat): an_tally_add() after
 * each part's an_judge(), an_tally_verdict() at the end gives the
 * exit code and reason an_judge() would give for the whole run.
 */
struct an_tally {
	size_t tests, skipped;       /* the run's tests, and of them skipped */
	size_t real;                 /* tests that count against the run */
	size_t quarantined, flaky, suspicious;
	size_t named;                /* of names: the first failures counted */
	char names[3][96];           /* "name (tag)" */
};
void an_tally_add(struct an_tally *t, const struct fg_run *run,
		  const struct an_run *ar);
/*
 * Sets ar->cap, cap_exceeded and cap_note from quarantined_total,
 * cap_refused, known_tests and n. an_judge() calls it; a run judged
 * in parts calls it once more, with their sums.
 */
void an_cap_check(struct an_run *ar, const struct an_policy *p);
void an_tally_verdict(const struct an_tally *t, struct an_verdict *v);

/* ====================================================================== */
/* The quarantine file (analyzer/qfile.c), flakeguard-quarantine.json      */
/* ====================================================================== */

/* Reads a quarantine file. FG_EIO, or FG_ECONFIG naming path:line. */
int an_qfile_read(const char *path, struct history_quarantine_list *out,
		  struct fg_error *err);
/* Writes entries sorted by identity, keys sorted. FG_EIO naming path. */
int an_qfile_write(const char *path, const struct history_quarantine_list *l,
		   struct fg_error *err);
/* "2026-12-31" or ISO-8601 UTC to epoch ms; -1 if neither. */
int64_t an_parse_date(const char *s);

/* ====================================================================== */
/* Backtest (analyzer/backtest.c)                                          */
/* ====================================================================== */

struct an_backtest {
	unsigned long entered, released, hidden, missed, hidden_broken;
	unsigned long red_naive, red_policy, runs;
};

/*
 * Replays test t's history run by run under policy p, starting with no
 * quarantine: counts entries, releases, failures hidden by quarantine
 * (hidden_broken: of those, while the test was broken), and runs the test
 * made red although the test is flaky (missed). Adds to bt.
 */
void an_backtest_test(struct an_test *t, const struct an_policy *p,
		      struct an_backtest *bt);

#endif /* FG_ANALYZER_H */
