/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_analyzer.c - every analyzer rule with worked numbers
 * (docs/analyzer.md), on hand-built histories; then the database edge
 * (schema 2 -> 3 migration, the quarantine table, the scan) and the
 * quarantine file on real files in a mkdtemp() directory.
 */
#include "analyzer/analyzer.h"
#include "history/history.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static const enum fg_astatus PASS[] = { FG_A_PASSED };
static const enum fg_astatus FAIL[] = { FG_A_FAILED };
static const enum fg_astatus FLIP[] = { FG_A_FAILED, FG_A_PASSED };
static const enum fg_astatus HARD3[] = { FG_A_FAILED, FG_A_FAILED,
					 FG_A_FAILED };

/* Appends n runs with the given attempts, one commit each from *c on. */
static void runs(struct an_test *t, int n, const enum fg_astatus *st,
		 size_t nst, const char *msg, int *c)
{
	for (int i = 0; i < n; i++) {
		char commit[32];

		snprintf(commit, sizeof(commit), "c%04d", (*c)++);
		an_test_add(t, *c, 1000LL * *c, commit, "main", st, nst,
			    10, msg);
	}
}

static void close_to(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("%.6f is not %.6f (+-%g)", got, want, tol);
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */
/* ---------------------------------------------------------------------- */

static void test_wilson_1_of_20(void **state)
{
	struct an_interval iv;
	char buf[96];

	(void)state;
	an_wilson(1, 20, &iv);
	close_to(iv.lo, 0.0089, 0.0005);
	close_to(iv.hi, 0.2361, 0.0005);
	assert_string_equal(an_format_p(buf, sizeof(buf), &iv, 20),
			    "p = 5.0% [0.9%, 23.6%], n = 20");
	an_wilson(0, 0, &iv);
	close_to(iv.hi, 1, 1e-12);
	/* rule of three: 0 of 100 -> upper bound about 3.7% (Wilson) */
	an_wilson(0, 100, &iv);
	close_to(iv.lo, 0, 1e-12);
	close_to(iv.hi, 0.0370, 0.0005);
}

static void test_beta_posterior(void **state)
{
	(void)state;
	close_to(an_beta_inc(1, 1, 0.3), 0.3, 1e-9);       /* uniform */
	close_to(an_beta_inc(2, 3, 0.4), 0.5248, 1e-4);    /* by hand */
	/* Jeffreys: 3 failures in 20 runs makes p > 1% near certain, but
	 * 1 in 20 does not make p > 5% likely enough to quarantine. */
	assert_true(an_prob_above(3, 20, 0.01) > 0.99);
	assert_true(an_prob_above(1, 20, 0.05) < 0.95);
	assert_true(an_prob_above(5, 20, 0.05) >= 0.95);
}

static void test_sprt_59_clean_runs(void **state)
{
	struct an_policy p;
	double s = 0;

	(void)state;
	an_policy_defaults(&p);
	close_to(an_sprt_pass(&p.release), 0.050292, 1e-6);
	close_to(an_sprt_fail(&p.release), -3.912023, 1e-6);
	close_to(an_sprt_upper(&p.release), 2.944439, 1e-6);
	assert_int_equal(an_sprt_clean_runs(&p.release, 0), 59);
	/* one failure outweighs 77 clean runs; the 78th makes up for it */
	s = an_sprt_fail(&p.release) + 77 * an_sprt_pass(&p.release);
	assert_true(s < 0);
	assert_true(s + an_sprt_pass(&p.release) > 0);
}

static void test_sprt_release_in_policy(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	struct history_quarantine q = { .name = "x", .mode = "run",
					.source = "auto", .since_ms = 1 };
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	runs(&t, 58, PASS, 1, NULL, &c);
	an_evaluate(&t, t.nobs, 1, &p);
	an_decide(&t, &q, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	assert_int_equal(t.ev.clean_needed, 1);
	runs(&t, 1, PASS, 1, NULL, &c);
	an_evaluate(&t, t.nobs, 1, &p);
	an_decide(&t, &q, false, 0, &p, &d);
	assert_int_equal(d.action, AN_LEAVE);
	assert_string_equal(d.rule, "sprt");
	/* a failure in the middle restarts the count */
	runs(&t, 1, FLIP, 2, "boom", &c);
	an_evaluate(&t, t.nobs, 1, &p);
	an_decide(&t, &q, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	an_test_release(&t);
}

/* ---------------------------------------------------------------------- */
/* Signatures                                                              */
/* ---------------------------------------------------------------------- */

static void sig_is(const char *msg, const char *want)
{
	char *s = an_signature(msg);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_signature_masking(void **state)
{
	(void)state;
	sig_is("timeout after 1503ms waiting for 0x7ffd3a2c at /tmp/x/t.c:42",
	       "timeout after Nms waiting for <addr> at <path>:N");
	sig_is("timeout after 998ms waiting for 0x55d0e1 at /tmp/yy/t.c:42",
	       "timeout after Nms waiting for <addr> at <path>:N");
	sig_is("  2026-11-28T05:21:00.123Z   connect   refused  (pid 4242)\nstack",
	       "<time> connect refused (pid N)");
	sig_is("expected 3 got 4 in run 5f3e2a9c1b7d", "expected N got N in run <hex>");
	sig_is("at 12:01:02 tests/math.c failed", "at <time> <path> failed");
	sig_is("v2 protocol 1.5x", "vN protocol Nx");
	assert_null(an_signature(NULL));
	assert_null(an_signature("   \n"));
}

/* ---------------------------------------------------------------------- */
/* Categories                                                              */
/* ---------------------------------------------------------------------- */

static void test_change_point_broken(void **state)
{
	struct an_policy p;
	struct an_test t;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "parse");
	runs(&t, 100, PASS, 1, NULL, &c);
	runs(&t, 2, HARD3, 3, "expected 3 got 4", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	/* q = Wilson upper bound of 0/100 = 3.70%; 0.037^2 = 0.00137 */
	close_to(t.ev.broken_chance, 0.00137, 0.00002);
	assert_int_not_equal(t.cat, AN_BROKEN);
	runs(&t, 1, HARD3, 3, "expected 3 got 4", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	/* 0.037^3 = 5.1e-5 < 0.001: broken since the first failing commit */
	close_to(t.ev.broken_chance, 5.07e-5, 0.2e-5);
	assert_int_equal(t.cat, AN_BROKEN);
	assert_string_equal(t.obs[t.ev.broken_from - 1].commit, "c0100");
	assert_non_null(strstr(t.reason, "since commit c0100"));
	/* fixed: passes again */
	runs(&t, 2, PASS, 1, NULL, &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_FIXED);
	assert_string_equal(t.obs[t.ev.fixed_at - 1].commit, "c0103");
	an_test_release(&t);
}

static void test_broken_never_quarantined(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	/* flaky on two commits, then fails every attempt for 5 runs */
	runs(&t, 20, PASS, 1, NULL, &c);
	runs(&t, 2, FLIP, 2, "boom", &c);
	runs(&t, 20, PASS, 1, NULL, &c);
	runs(&t, 5, HARD3, 3, "regression", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_BROKEN);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	assert_string_equal(d.rule, "never");
	an_test_release(&t);
}

static void test_hyper_tail(void **state)
{
	(void)state;
	/* both of 2 failures among the last 15 of 80 runs: C(15,2)/C(80,2) */
	close_to(an_hyper_tail(2, 15, 2, 80), 105.0 / 3160, 1e-12);
	/* all 4 among the last 12 of 112: C(12,4)/C(112,4) = 495/6210820 */
	close_to(an_hyper_tail(4, 12, 4, 112), 495.0 / 6210820, 1e-15);
	close_to(an_hyper_tail(0, 5, 3, 10), 1, 1e-12);
	close_to(an_hyper_tail(4, 3, 4, 10), 0, 1e-12);
	/* 3 failures in 10 runs, 8 drawn: at least 1 is certain */
	close_to(an_hyper_tail(1, 8, 3, 10), 1, 1e-12);
	/* 1 of 2 in the last 5 of 10: 1 - C(5,2)/C(10,2) = 1 - 10/45 */
	close_to(an_hyper_tail(1, 5, 2, 10), 35.0 / 45, 1e-12);
}

static void test_intermittent(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "race");
	runs(&t, 100, PASS, 1, NULL, &c);
	/* from c0100 on it fails 1 run in 3 (and passes on retry) */
	for (int i = 0; i < 4; i++) {
		runs(&t, 1, FLIP, 2, "lost write", &c);
		runs(&t, 2, PASS, 1, NULL, &c);
	}
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_INTERMITTENT);
	assert_string_equal(t.obs[t.ev.change_at - 1].commit, "c0100");
	/* all 4 failures among the last 12 of 112 runs: C(12,4)/C(112,4);
	 * 2 candidate splits (c0100, and c0103 with 1 of 103 before) */
	close_to(t.ev.change_p, 495.0 / 6210820, 1e-12);
	assert_int_equal(t.ev.change_splits, 2);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	assert_string_equal(d.rule, "never");
	an_test_release(&t);

	/* two failures after 100 clean runs: onset, blocked, not (yet)
	 * intermittent: C(4,2)/C(104,2) = 6/5356 = 0.00112 >= 0.001 */
	an_test_init(&t, "s", "", "race");
	c = 0;
	runs(&t, 100, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "lost write", &c);
	runs(&t, 2, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "lost write", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_FLAKY);
	close_to(t.ev.change_p, 6.0 / 5356, 1e-12);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	assert_string_equal(d.rule, "onset");
	an_test_release(&t);
}

/*
 * Issue 12: a test clean for 64 runs that fails at run 65 and again at
 * run 79 (the latest). The best-scoring split was "the last run alone",
 * with one failure before it, and 1 > 79/100 = 0 in integer division
 * skipped the onset block: the test was quarantined. Every split point
 * is a candidate now, and 1 of 79 is more than 1%: the split at run 65
 * blocks the entry.
 */
static void test_onset_every_split(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s2", "s2", "t019");
	runs(&t, 64, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "race", &c);
	runs(&t, 13, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "race", &c);
	runs(&t, 1, PASS, 1, NULL, &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.ev.incons_commits, 2);
	assert_string_equal(t.obs[t.ev.change_at - 1].commit, "c0064");
	assert_int_equal(t.ev.before_runs, 64);
	assert_int_equal(t.ev.after_fails, 2);
	/* both failures among the last 16 of 80: C(16,2)/C(80,2) */
	close_to(t.ev.change_p, 120.0 / 3160, 1e-12);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	assert_string_equal(d.rule, "onset");
	an_test_release(&t);
}

static void test_flaky_enters_same_commit(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	runs(&t, 3, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "t/o", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_FLAKY);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE); /* 1 of 2 commits */
	runs(&t, 2, PASS, 1, NULL, &c);
	runs(&t, 1, FLIP, 2, "t/o", &c);
	an_evaluate(&t, t.nobs, 0, &p);
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_ENTER);
	assert_string_equal(d.rule, "same-commit");
	assert_non_null(strstr(d.why, "p = 28.6% [8.2%, 64.1%], n = 7"));
	/* an expired entry blocks re-entry */
	an_decide(&t, NULL, true, 0, &p, &d);
	assert_int_equal(d.action, AN_NONE);
	an_test_release(&t);
}

static void test_flaky_across_runs_probability(void **state)
{
	struct an_policy p;
	struct an_test t;
	struct an_decision d;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	/* no retries: fail on one commit, pass on it in the next run */
	for (int i = 0; i < 5; i++) {
		char commit[16];

		snprintf(commit, sizeof(commit), "k%d", i);
		c++, an_test_add(&t, c, c, commit, "main", FAIL, 1, 1, "x");
		c++, an_test_add(&t, c, c, commit, "main", PASS, 1, 1, NULL);
		c++, an_test_add(&t, c, c, commit, "main", PASS, 1, 1, NULL);
	}
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.ev.incons_commits, 5);
	close_to(t.ev.flip_rate, 9.0 / 14, 1e-9);
	assert_int_equal(t.cat, AN_FLAKY);
	/* K = 6 commits: then the probability rule decides */
	p.enter_commits = 6;
	an_decide(&t, NULL, false, 0, &p, &d);
	assert_int_equal(d.action, AN_ENTER);
	assert_string_equal(d.rule, "probability");
	an_test_release(&t);
}

static void test_new_and_slow(void **state)
{
	struct an_policy p;
	struct an_test t;
	int c = 0;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	runs(&t, 3, PASS, 1, NULL, &c);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_NEW);
	for (int i = 0; i < 20; i++)
		c++, an_test_add(&t, c, c, "z", "main", PASS, 1,
			    i < 15 ? 100 : 450, NULL);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.cat, AN_SLOW);
	assert_int_equal(t.ev.dur_recent_ms, 450);
	assert_int_equal(t.ev.dur_before_ms, 100);
	an_test_release(&t);
}

/* ---------------------------------------------------------------------- */
/* The verdict                                                             */
/* ---------------------------------------------------------------------- */

/* A run of one test with the given attempts, and its history. */
static void one_test_run(struct fg_run *run, struct an_run *ar,
			 const enum fg_astatus *st, size_t n, const char *msg,
			 bool quarantined, int history_flakes)
{
	struct fg_test *t;
	int c = 0;

	fg_run_init(run);
	run->commit = fg_xstrdup("head");
	run->started_at_ms = 1000000;
	t = fg_run_add_test(run, "s", "", "x");
	for (size_t i = 0; i < n; i++)
		fg_test_add_attempt(t, st[i], 1, fg_astatus_is_failure(st[i]) ?
				    msg : NULL, NULL);
	memset(ar, 0, sizeof(*ar));
	ar->n = 1;
	ar->t = calloc(1, sizeof(*ar->t));
	an_test_init(&ar->t[0].an, "s", "", "x");
	for (int i = 0; i < history_flakes; i++) {
		runs(&ar->t[0].an, 5, PASS, 1, NULL, &c);
		runs(&ar->t[0].an, 1, FLIP, 2, "timeout after 10ms", &c);
	}
	fg_test_settle(t);
	an_test_add_run(&ar->t[0].an, run, t);
	if (quarantined) {
		ar->t[0].q.suite = fg_xstrdup("s");
		ar->t[0].q.classname = fg_xstrdup("");
		ar->t[0].q.name = fg_xstrdup("x");
		ar->t[0].q.reason = fg_xstrdup("known flake");
		ar->t[0].q.source = fg_xstrdup("manual");
		ar->t[0].q.mode = fg_xstrdup("run");
		ar->t[0].q.since_ms = 500000;
		ar->quarantined_total = 1;
	}
}

static void test_verdict_quarantine(void **state)
{
	static const enum fg_astatus F2[] = { FG_A_FAILED, FG_A_FAILED };
	struct an_policy p;
	struct fg_run run;
	struct an_run ar;
	struct analyzer_verdict v;

	(void)state;
	an_policy_defaults(&p);
	/* a quarantined failure with a known signature: not counted */
	one_test_run(&run, &ar, F2, 2, "timeout after 99ms", true, 4);
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(v.exit_code, FG_EXIT_OK);
	assert_int_equal(run.tests[0].outcome, FG_O_QUARANTINED);
	assert_true(run.tests[0].quarantined);
	assert_string_equal(run.tests[0].category, "flaky");
	assert_int_equal(ar.t[0].j, AN_J_QUARANTINED);
	assert_non_null(strstr(v.reason, "1 quarantined failure not counted"));
	an_run_release(&ar);
	fg_run_release(&run);

	/* a new signature: suspicious; --strict-quarantine: counts */
	one_test_run(&run, &ar, F2, 2, "segfault in parse()", true, 4);
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(ar.t[0].j, AN_J_SUSPICIOUS);
	assert_int_equal(v.exit_code, FG_EXIT_OK);
	an_run_release(&ar);
	fg_run_release(&run);
	p.strict = true;
	one_test_run(&run, &ar, F2, 2, "segfault in parse()", true, 4);
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(v.exit_code, FG_EXIT_FAILED);
	an_run_release(&ar);
	fg_run_release(&run);
	p.strict = false;

	/* not quarantined: a failure counts, a flaky pass does not */
	one_test_run(&run, &ar, F2, 2, "timeout after 5ms", false, 1);
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(v.exit_code, FG_EXIT_FAILED);
	assert_int_equal(run.tests[0].outcome, FG_O_FAILED);
	an_run_release(&ar);
	fg_run_release(&run);
	one_test_run(&run, &ar, FLIP, 2, "timeout after 5ms", false, 1);
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(v.exit_code, FG_EXIT_OK);
	/* this run is the second same-commit flake: it enters at once */
	assert_int_equal(ar.t[0].dec.action, AN_ENTER);
	assert_true(run.tests[0].quarantined);
	an_run_release(&ar);
	fg_run_release(&run);
}

static void test_verdict_expired_counts(void **state)
{
	static const enum fg_astatus F1[] = { FG_A_FAILED };
	struct an_policy p;
	struct fg_run run;
	struct an_run ar;
	struct analyzer_verdict v;

	(void)state;
	an_policy_defaults(&p);
	one_test_run(&run, &ar, F1, 1, "timeout after 1ms", true, 4);
	ar.t[0].q.expires_ms = 1500000;
	analyzer_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(ar.t[0].dec.action, AN_EXPIRED);
	assert_int_equal(v.exit_code, FG_EXIT_FAILED);
	assert_true(ar.t[0].blocked);
	an_run_release(&ar);
	fg_run_release(&run);
}

/* ---------------------------------------------------------------------- */
/* The database edge and the file                                          */
/* ---------------------------------------------------------------------- */

static char dir[64];

static int dir_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/fg-analyzer-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int scan_count(void *ctx, const struct history_scan_row *r)
{
	int *n = ctx;

	assert_string_equal(r->name, "x");
	assert_int_equal(r->nattempts, 2);
	assert_int_equal(r->statuses[0], FG_A_FAILED);
	assert_string_equal(r->message, "m1");
	(*n)++;
	return 0;
}

static void test_store_migrates_v2_quarantine(void **state)
{
	char path[128];
	struct history_store *st;
	struct history_quarantine_list l = { 0 };
	struct history_quarantine q = {
		.suite = "s", .classname = "", .name = "x",
		.reason = "new", .owner = "ana", .issue = "https://x/1",
		.mode = "skip", .evidence = "{\"runs\":3}",
	};
	struct fg_run run;
	struct fg_test *t;
	struct fg_error err;
	bool removed = false;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/v2.db", dir);
	/* a version 2 database: create at 3, then take version 3 back off */
	assert_int_equal(history_store_open(path, &st, &err), FG_OK);
	history_store_close(st);
	exec_sql(path, "DROP INDEX quarantine_active; DROP INDEX quarantine_by_test;"
		 "DROP TABLE quarantine;"
		 "CREATE TABLE quarantine (id INTEGER PRIMARY KEY,"
		 " test_id INTEGER NOT NULL REFERENCES tests (id) ON DELETE CASCADE,"
		 " since INTEGER NOT NULL, reason TEXT NOT NULL,"
		 " source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),"
		 " owner TEXT, expires_at INTEGER, released_at INTEGER);"
		 "CREATE INDEX quarantine_by_test ON quarantine (test_id);"
		 "CREATE UNIQUE INDEX quarantine_active ON quarantine (test_id)"
		 " WHERE released_at IS NULL;"
		 "INSERT INTO tests (suite, classname, name) VALUES ('s','','old');"
		 "INSERT INTO quarantine (test_id, since, reason, source)"
		 " VALUES (1, 5, 'kept', 'manual');"
		 "PRAGMA user_version = 2;");
	assert_int_equal(history_store_open(path, &st, &err), FG_OK);
	assert_int_equal(history_quarantine_list(st, false, &l, &err), FG_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].reason, "kept");
	assert_string_equal(l.items[0].mode, "run");
	assert_null(l.items[0].issue);
	history_quarantine_list_release(&l);

	assert_int_equal(history_quarantine_add(st, &q, &err), FG_OK);
	q.reason = "again";
	assert_int_equal(history_quarantine_add(st, &q, &err), FG_OK);
	assert_int_equal(history_quarantine_list(st, false, &l, &err), FG_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1].name, "x");
	assert_string_equal(l.items[1].reason, "again");
	assert_string_equal(l.items[1].mode, "skip");
	assert_string_equal(l.items[1].issue, "https://x/1");
	assert_string_equal(l.items[1].evidence, "{\"runs\":3}");
	history_quarantine_list_release(&l);
	assert_int_equal(history_quarantine_remove(st, "s", "", "x", 0, NULL,
						   &removed, &err), FG_OK);
	assert_true(removed);
	assert_int_equal(history_quarantine_list(st, true, &l, &err), FG_OK);
	assert_int_equal(l.n, 3); /* replaced, removed, and the old one */
	assert_string_equal(l.items[1].released_reason, "replaced");
	assert_string_equal(l.items[2].released_reason, "removed");
	history_quarantine_list_release(&l);

	/* the scan folds attempts into runs */
	for (int i = 0; i < 3; i++) {
		fg_run_init(&run);
		run.commit = fg_xstrdup("c");
		t = fg_run_add_test(&run, "s", "", "x");
		fg_test_add_attempt(t, FG_A_FAILED, 1, "m1", NULL);
		fg_test_add_attempt(t, FG_A_PASSED, 1, NULL, NULL);
		fg_test_settle(t);
		assert_int_equal(history_store_write_run(st, &run, &err), FG_OK);
		fg_run_release(&run);
	}
	assert_int_equal(history_store_scan(st, 2, "s", "", "x", scan_count,
					    &n, &err), FG_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(history_store_scan(st, 10, NULL, NULL, NULL,
					    scan_count, &n, &err), FG_OK);
	assert_int_equal(n, 3);
	history_store_close(st);
}

static void test_qfile_round_trip(void **state)
{
	char path[128];
	struct history_quarantine e[2] = {
		{ .suite = "z", .classname = "", .name = "b", .reason = "r2",
		  .source = "auto", .since_ms = 1764307260123LL,
		  .evidence = "{\"p\":0.25,\"runs\":4}" },
		{ .suite = "a", .classname = "k", .name = "a", .reason = "r1",
		  .source = "manual", .owner = "ana", .mode = "skip",
		  .expires_ms = an_parse_date("2027-01-31") },
	};
	struct history_quarantine_list l = { .items = e, .n = 2 }, back;
	struct fg_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/q.json", dir);
	assert_int_equal(an_qfile_write(path, &l, &err), FG_OK);
	assert_int_equal(an_qfile_read(path, &back, &err), FG_OK);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.items[0].suite, "a"); /* sorted */
	assert_string_equal(back.items[0].owner, "ana");
	assert_string_equal(back.items[0].mode, "skip");
	assert_int_equal(back.items[0].expires_ms, 1801353600000LL);
	assert_int_equal(back.items[1].since_ms, 1764307260123LL);
	assert_string_equal(back.items[1].evidence, "{\"p\":0.25,\"runs\":4}");
	history_quarantine_list_release(&back);
	assert_int_equal(an_parse_date("nope"), -1);
}

/* Fields of the wrong type are errors, never taken as absent. */
static void test_qfile_wrong_types(void **state)
{
	static const char *const bad[] = {
		"\"expires\": 5", "\"mode\": 1", "\"since\": true",
		"\"owner\": []", "\"classname\": 3", "\"evidence\": \"x\"",
		"\"expires\": \"2027-02-31\"",
	};
	struct history_quarantine_list back;
	struct fg_error err;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fprintf(f, "{\"tests\": [{\"suite\": \"s\", \"name\": \"n\", "
			"\"reason\": \"r\", %s}]}\n", bad[i]);
		fclose(f);
		assert_int_equal(an_qfile_read(path, &back, &err), FG_ECONFIG);
		assert_int_equal(back.n, 0);
	}
	assert_int_equal(an_parse_date("2027-02-31"), -1);
	assert_int_equal(an_parse_date("2028-02-29"), 1835395200000LL);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_wilson_1_of_20),
		cmocka_unit_test(test_beta_posterior),
		cmocka_unit_test(test_sprt_59_clean_runs),
		cmocka_unit_test(test_sprt_release_in_policy),
		cmocka_unit_test(test_signature_masking),
		cmocka_unit_test(test_change_point_broken),
		cmocka_unit_test(test_broken_never_quarantined),
		cmocka_unit_test(test_hyper_tail),
		cmocka_unit_test(test_intermittent),
		cmocka_unit_test(test_onset_every_split),
		cmocka_unit_test(test_flaky_enters_same_commit),
		cmocka_unit_test(test_flaky_across_runs_probability),
		cmocka_unit_test(test_new_and_slow),
		cmocka_unit_test(test_verdict_quarantine),
		cmocka_unit_test(test_verdict_expired_counts),
	};
	const struct CMUnitTest edge[] = {
		cmocka_unit_test(test_store_migrates_v2_quarantine),
		cmocka_unit_test(test_qfile_round_trip),
		cmocka_unit_test(test_qfile_wrong_types),
	};
	int rc = cmocka_run_group_tests_name("analyzer", pure, NULL, NULL);

	return rc + cmocka_run_group_tests_name("analyzer_store", edge,
						dir_setup, dir_teardown);
}
