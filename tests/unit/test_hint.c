/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_hint.c - the root-cause hint of a failed attempt
 * (analyzer/hint.c) on real reports: the sanitizer outputs below were
 * printed by gcc 12's ASan, LSan, TSan and UBSan on Debian 12 (the
 * programs are in the comments); then incidents across a run and the
 * memory-error rule of the analyzer (never quarantined, never covered).
 */
#include "analyzer/analyzer.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static enum an_hint_kind hint(enum fg_astatus st, const char *msg,
			      const char *out, char *buf)
{
	return an_hint(st, msg, out, buf, AN_HINT_MAX);
}

/* int *p = malloc(10 * sizeof *p); free(p); return p[3]; */
static const char ASAN_UAF[] =
	"starting\n"
	"=================================================================\n"
	"==12240==ERROR: AddressSanitizer: heap-use-after-free on address "
	"0x60400000001c at pc 0x55d4ea5411d6 bp 0x7ffcf0823200 sp "
	"0x7ffcf08231f8\n"
	"READ of size 4 at 0x60400000001c thread T0\n"
	"    #0 0x55d4ea5411d5 in main /tmp/hintx/uaf.c:3\n"
	"    #1 0x7f745d645249 in __libc_start_call_main ../sysdeps/nptl/"
	"libc_start_call_main.h:58\n"
	"\n"
	"0x60400000001c is located 12 bytes inside of 40-byte region "
	"[0x604000000010,0x604000000038)\n"
	"freed by thread T0 here:\n"
	"    #0 0x7f745d8b76a8 in __interceptor_free ../../../../src/"
	"libsanitizer/asan/asan_malloc_linux.cpp:52\n"
	"\n"
	"SUMMARY: AddressSanitizer: heap-use-after-free /tmp/hintx/uaf.c:3 "
	"in main\n"
	"Shadow bytes around the buggy address:\n"
	"  0x0c087fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"=>0x0c087fff8000: fa fa fd[fd]fd fd fd fa fa fa fa fa fa fa fa fa\n"
	"  ASan internal:           fe\n"
	"==12240==ABORTING\n";

/* char *p = malloc(8); p[8] = 1; (the output cut after its header) */
static const char ASAN_OVERFLOW_CUT[] =
	"=================================================================\n"
	"==13006==ERROR: AddressSanitizer: heap-buffer-overflow on address "
	"0x602000000018 at pc 0x5609d072e1cb bp 0x7ffd87f3dcd0 sp "
	"0x7ffd87f3dcc8\n"
	"WRITE of size 1 at 0x602000000018 thread T0\n"
	"[... 20480 bytes truncated ...]\n";

/* volatile int *p = 0; return *p; */
static const char ASAN_SEGV[] =
	"AddressSanitizer:DEADLYSIGNAL\n"
	"=================================================================\n"
	"==13080==ERROR: AddressSanitizer: SEGV on unknown address "
	"0x000000000000 (pc 0x55c6f67bf1a4 bp 0x7fffe47e3eb0 sp "
	"0x7fffe47e3ea0 T0)\n"
	"==13080==The signal is caused by a READ memory access.\n"
	"==13080==Hint: address points to the zero page.\n"
	"    #0 0x55c6f67bf1a4 in main /tmp/hintx/segv.c:1\n"
	"SUMMARY: AddressSanitizer: SEGV /tmp/hintx/segv.c:1 in main\n"
	"==13080==ABORTING\n";

/* void *p = malloc(40); p = 0; return 0; */
static const char LSAN[] =
	"\n=================================================================\n"
	"==12271==ERROR: LeakSanitizer: detected memory leaks\n"
	"\n"
	"Direct leak of 40 byte(s) in 1 object(s) allocated from:\n"
	"    #0 0x7f8c52eb89cf in __interceptor_malloc ../../../../src/"
	"libsanitizer/asan/asan_malloc_linux.cpp:69\n"
	"    #1 0x559ad9cd416a in main /tmp/hintx/lk.c:2\n"
	"\n"
	"SUMMARY: AddressSanitizer: 40 byte(s) leaked in 1 allocation(s).\n";

/* two threads doing g++ (gcc -fsanitize=thread) */
static const char TSAN[] =
	"==================\n"
	"WARNING: ThreadSanitizer: data race (pid=12290)\n"
	"  Read of size 4 at 0x55b3024a105c by thread T2:\n"
	"    #0 f /tmp/hintx/tsan.c:4 (ts+0x11e0)\n"
	"\n"
	"  Previous write of size 4 at 0x55b3024a105c by thread T1:\n"
	"    #0 f /tmp/hintx/tsan.c:4 (ts+0x11f8)\n"
	"\n"
	"SUMMARY: ThreadSanitizer: data race /tmp/hintx/tsan.c:4 in f\n"
	"==================\n"
	"2\n"
	"ThreadSanitizer: reported 1 warnings\n";

/* int x = INT_MAX; x += argc; (gcc: no SUMMARY line) */
static const char UBSAN_GCC[] =
	"ub.c:4:54: runtime error: signed integer overflow: 2147483647 + 1 "
	"cannot be represented in type 'int'\n";

/* clang prints a summary after it */
static const char UBSAN_CLANG[] =
	"test.c:5:3: runtime error: load of null pointer of type 'int'\n"
	"SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior test.c:5:3 "
	"in \n";

static void test_asan_reports(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1", ASAN_UAF,
			      buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: AddressSanitizer: "
			    "heap-use-after-free at /tmp/hintx/uaf.c:3 in main");
	assert_string_equal(an_hint_kind_name(AN_HINT_MEMORY), "memory-error");
	/* cut before its summary: the header alone */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1",
			      ASAN_OVERFLOW_CUT, buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: AddressSanitizer: "
			    "heap-buffer-overflow");
	/* ASan's SEGV: a memory error rather than a bare signal */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1", ASAN_SEGV,
			      buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: AddressSanitizer: SEGV at "
			    "/tmp/hintx/segv.c:1 in main");
	/* with abort_on_error=1 it ends by SIGABRT: the report wins */
	assert_int_equal(hint(FG_A_CRASHED, "killed by signal 6 (Aborted)",
			      ASAN_UAF, buf), AN_HINT_MEMORY);
	/* in a framework's failure message rather than the output */
	assert_int_equal(hint(FG_A_FAILED, ASAN_UAF, NULL, buf),
			 AN_HINT_MEMORY);
}

static void test_other_sanitizers(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1", LSAN, buf),
			 AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: LeakSanitizer: detected "
			    "memory leaks (40 byte(s) leaked in 1 "
			    "allocation(s).)");
	assert_int_equal(hint(FG_A_FAILED, "exited with status 66", TSAN,
			      buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: ThreadSanitizer: data race "
			    "at /tmp/hintx/tsan.c:4 in f");
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1", UBSAN_GCC,
			      buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: UndefinedBehaviorSanitizer: "
			    "signed integer overflow: 2147483647 + 1 cannot "
			    "be represented in type 'int' at ub.c:4:54");
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1",
			      UBSAN_CLANG, buf), AN_HINT_MEMORY);
	assert_string_equal(buf, "memory error: UndefinedBehaviorSanitizer: "
			    "load of null pointer of type 'int' at "
			    "test.c:5:3");
}

/* What looks like a sanitizer and is not one. */
static void test_not_sanitizers(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	/* Go: "panic: runtime error:" has no file:line:col before it */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 2",
			      "panic: runtime error: index out of range [5] "
			      "with length 3\n\ngoroutine 1 [running]:\n"
			      "main.main()\n", buf), AN_HINT_EXIT);
	assert_string_equal(buf, "exit: exited with status 2; last output: "
			    "\"main.main()\"");
	/* a log line naming a sanitizer */
	assert_int_equal(hint(FG_A_FAILED, "expected 3, got 2",
			      "built with AddressSanitizer: yes\n"
			      "ThreadSanitizer disabled\n", buf),
			 AN_HINT_FAILURE);
	assert_string_equal(buf, "failure: expected 3, got 2");
	/* passed attempts have no hint */
	assert_int_equal(hint(FG_A_PASSED, NULL, ASAN_UAF, buf),
			 AN_HINT_NONE);
	assert_string_equal(buf, "");
}

static void test_signals(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	assert_int_equal(hint(FG_A_CRASHED, "killed by signal 11 "
			      "(Segmentation fault)", "step 1\n", buf),
			 AN_HINT_SIGNAL);
	assert_string_equal(buf, "crash: SIGSEGV (segmentation fault: an "
			    "invalid memory access)");
	/* glibc's assert() prints, then aborts */
	assert_int_equal(hint(FG_A_CRASHED, "killed by signal 6 (Aborted)",
			      "t_parse: t.c:5: main: Assertion `x == 1' "
			      "failed.\n", buf), AN_HINT_SIGNAL);
	assert_string_equal(buf, "crash: SIGABRT (aborted: abort(), a failed "
			    "assert() or a detected corruption); after "
			    "assertion: t_parse: t.c:5: main: Assertion "
			    "`x == 1' failed.");
	/* glibc's heap checks abort too, and say what they found */
	assert_int_equal(hint(FG_A_CRASHED, "killed by signal 6 (Aborted)",
			      "free(): double free detected in tcache 2\n",
			      buf), AN_HINT_SIGNAL);
	assert_non_null(strstr(buf, "; glibc: free(): double free detected "
				    "in tcache 2"));
	/* a shell reports its child's death as 128 + N */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 139",
			      "./run.sh: line 3: 4242 Segmentation fault\n",
			      buf), AN_HINT_SIGNAL);
	assert_string_equal(buf, "crash: SIGSEGV (segmentation fault: an "
			    "invalid memory access); exit status 139 = 128 + "
			    "11: a child killed by it, as a shell reports it");
	/* a producer's own words */
	assert_int_equal(hint(FG_A_CRASHED, "Terminated by signal SIGBUS",
			      NULL, buf), AN_HINT_SIGNAL);
	assert_non_null(strstr(buf, "crash: SIGBUS (bus error"));
}

static void test_timeout_and_leak(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	assert_int_equal(hint(FG_A_TIMEOUT, "timed out after 2s",
			      "connecting\nwaiting for lock /tmp/x.lock\n\n",
			      buf), AN_HINT_TIMEOUT);
	assert_string_equal(buf, "timeout: timed out after 2s, its process "
			    "group killed (a hang, a deadlock, or too slow "
			    "under load); last output: \"waiting for lock "
			    "/tmp/x.lock\"");
	assert_int_equal(hint(FG_A_LEAKED, "exited with status 0 but left "
			      "processes holding its output open (leaked); "
			      "they were killed", NULL, buf), AN_HINT_LEAKED);
	assert_string_equal(buf, "leaked processes: it exited, but processes "
			    "it started still held its output open and were "
			    "killed: a server or background job not stopped");
	/* the runner names what it found in the group */
	assert_int_equal(hint(FG_A_LEAKED, "exited with status 0 but left "
			      "processes holding its output open (leaked: "
			      "sleep[4242], my server[4243]); they were killed",
			      NULL, buf), AN_HINT_LEAKED);
	assert_string_equal(buf, "leaked processes: it exited, but processes "
			    "it started still held its output open and were "
			    "killed (sleep[4242], my server[4243]): a server "
			    "or background job not stopped");
}

static void test_assertions(void **state)
{
	char buf[AN_HINT_MAX];

	(void)state;
	/* cmocka's JUnit failure text */
	assert_int_equal(hint(FG_A_FAILED, "0x3 != 0x2\ncmocka/sample.c:18: "
			      "error: Failure!", NULL, buf), AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion: 0x3 != 0x2 (cmocka/sample.c:18)");
	/* cmocka on the console */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1",
			      "[ RUN      ] test_push\n[  ERROR   ] --- "
			      "0x3 != 0x2\n[   LINE   ] --- t.c:18: error: "
			      "Failure!\n[  FAILED  ] test_push\n", buf),
			 AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion: 0x3 != 0x2");
	/* GoogleTest on the console */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1",
			      "[ RUN      ] Math.Adds\nt.cc:10: Failure\n"
			      "Expected equality of these values:\n  3\n"
			      "  1 + 1\n    Which is: 2\n[  FAILED  ] "
			      "Math.Adds (0 ms)\n", buf), AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion at t.cc:10: Expected equality of "
			    "these values: / 3 / 1 + 1");
	/* GoogleTest's JUnit message */
	assert_int_equal(hint(FG_A_FAILED, "gtest/sample_test.cc:11\nValue "
			      "of: false\n  Actual: false\nExpected: true",
			      NULL, buf), AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion at gtest/sample_test.cc:11: "
			    "Value of: false / Actual: false / Expected: true");
	/* pytest: its message, or its "E" lines */
	assert_int_equal(hint(FG_A_FAILED, "AssertionError: math is broken\n"
			      "assert (1 + 1) == 3", NULL, buf),
			 AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion: AssertionError: math is broken");
	assert_int_equal(hint(FG_A_FAILED, "exited with status 1",
			      "    def test_x():\n>       assert f() == 2\n"
			      "E       assert 1 == 2\nE        +  where 1 = "
			      "f()\n", buf), AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion: assert 1 == 2");
	/* BSD-style assert(), Rust */
	assert_int_equal(hint(FG_A_FAILED, "exited with status 134",
			      "Assertion failed: (n > 0), function main, file "
			      "t.c, line 5.\n", buf), AN_HINT_SIGNAL);
	assert_non_null(strstr(buf, "; after assertion: Assertion failed: "
				    "(n > 0)"));
	assert_int_equal(hint(FG_A_FAILED, "exited with status 101",
			      "thread 'main' panicked at src/main.rs:3:5:\n"
			      "assertion `left == right` failed\n  left: 1\n",
			      buf), AN_HINT_ASSERTION);
	assert_string_equal(buf, "assertion: assertion `left == right` "
			    "failed");
}

/* ---------------------------------------------------------------------- */
/* Across a run                                                            */
/* ---------------------------------------------------------------------- */

static void add(struct fg_run *run, const char *name, enum fg_astatus st,
		const char *msg, const char *out)
{
	struct fg_test *t = fg_run_add_test(run, "s", "", name);

	fg_test_add_attempt(t, st, 1, msg, out);
}

static void test_incident(void **state)
{
	struct an_verdict v;
	struct fg_run run;

	(void)state;
	fg_run_init(&run);
	/* 4 of 5 failures alike (ports and addresses differ) */
	add(&run, "a", FG_A_FAILED, "connect to 10.0.0.7:5432 failed: "
	    "Connection refused", NULL);
	add(&run, "b", FG_A_FAILED, "connect to 10.0.0.8:5433 failed: "
	    "Connection refused", NULL);
	add(&run, "c", FG_A_ERROR, "connect to 10.0.0.7:5432 failed: "
	    "Connection refused", NULL);
	/* a suite without XML: its exit status says nothing, its output does */
	add(&run, "d", FG_A_FAILED, "exited with status 7", "curl: (7) "
	    "Failed to connect\n");
	add(&run, "e", FG_A_FAILED, "exited with status 7", "curl: (7) "
	    "Failed to connect\n");
	add(&run, "f", FG_A_FAILED, "connect to 10.0.0.9:6000 failed: "
	    "Connection refused", NULL);
	add(&run, "g", FG_A_PASSED, NULL, NULL);
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 1);
	assert_string_equal(run.incidents[0].signature, "connect to N.N:N "
			    "failed: Connection refused");
	assert_int_equal(run.incidents[0].ntests, 4);
	assert_int_equal(run.incidents[0].nfailed, 6);
	assert_int_equal(run.tests[0].incident, 1);
	assert_int_equal(run.tests[3].incident, 0);
	assert_int_equal(run.tests[6].incident, 0);
	assert_string_equal(v.reason, "6 tests failed; one incident: 4 of 6 "
			    "failed tests failed alike: \"connect to "
			    "N.N:N failed: Connection refused\"");
	/* hints are there without an analysis (report from the database) */
	assert_string_equal(run.tests[3].hint, "exit: exited with status 7; "
			    "last output: \"curl: (7) Failed to connect\"");
	assert_string_equal(run.tests[3].attempts[0].hint_kind, "exit");
	assert_null(run.tests[6].hint);

	/* below the share: 4 of 9 is not half */
	add(&run, "h", FG_A_FAILED, "x != y", NULL);
	add(&run, "i", FG_A_FAILED, "y != z", NULL);
	add(&run, "j", FG_A_FAILED, "z != w", NULL);
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 0);
	assert_int_equal(run.tests[0].incident, 0);
	assert_null(strstr(v.reason, "incident"));
	fg_run_release(&run);

	/* below the count: 2 of 2 */
	fg_run_init(&run);
	add(&run, "a", FG_A_TIMEOUT, "timed out after 5s", NULL);
	add(&run, "b", FG_A_TIMEOUT, "timed out after 5s", NULL);
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 0);
	/* exit statuses alike with different outputs: not one incident */
	add(&run, "c", FG_A_FAILED, "exited with status 1", "one\n");
	add(&run, "d", FG_A_FAILED, "exited with status 1", "two\n");
	add(&run, "e", FG_A_FAILED, "exited with status 1", "three\n");
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 0);
	/* bare exit statuses share nothing: 3 of 3 are no incident */
	fg_run_release(&run);
	fg_run_init(&run);
	add(&run, "c", FG_A_FAILED, "exited with status 1", NULL);
	add(&run, "d", FG_A_FAILED, "exited with status 1", NULL);
	add(&run, "e", FG_A_FAILED, "exited with status 1", "\n");
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 0);
	add(&run, "a", FG_A_TIMEOUT, "timed out after 5s", NULL);
	add(&run, "b", FG_A_TIMEOUT, "timed out after 5s", NULL);
	/* a third timeout: 3 of 6 */
	add(&run, "f", FG_A_TIMEOUT, "timed out after 5s", NULL);
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 1);
	assert_string_equal(run.incidents[0].signature,
			    "timed out after Ns");
	fg_run_release(&run);

	/* exit statuses: keyed by the last line they printed */
	fg_run_init(&run);
	add(&run, "a", FG_A_FAILED, "exited with status 7", "GET /\n"
	    "curl: (7) Failed to connect to localhost port 8080\n");
	add(&run, "b", FG_A_FAILED, "exited with status 7", "GET /x\n"
	    "curl: (7) Failed to connect to localhost port 8081\n");
	add(&run, "c", FG_A_FAILED, "exited with status 1", "curl: (7) "
	    "Failed to connect to localhost port 8082\n\n");
	an_verdict(&run, NULL, &v);
	assert_int_equal(run.nincidents, 1);
	assert_string_equal(run.incidents[0].signature, "curl: (N) Failed "
			    "to connect to localhost port N");
	fg_run_release(&run);
}

/* ---------------------------------------------------------------------- */
/* Memory errors in the analyzer                                           */
/* ---------------------------------------------------------------------- */

static const enum fg_astatus PASS[] = { FG_A_PASSED };
static const enum fg_astatus FLIP[] = { FG_A_FAILED, FG_A_PASSED };

/*
 * A test that flaked on `flakes` commits before (a same-commit flake each:
 * enough to enter quarantine), then this run: a failed attempt with
 * `out` as its output, then a pass.
 */
static void flaky_history_run(struct fg_run *run, struct an_run *ar,
			      int flakes, const char *out, bool quarantined)
{
	struct fg_test *t;
	int c = 0;

	fg_run_init(run);
	run->commit = fg_xstrdup("head");
	run->started_at_ms = 1000000;
	t = fg_run_add_test(run, "s", "", "x");
	fg_test_add_attempt(t, FG_A_FAILED, 1, "exited with status 1", out);
	fg_test_add_attempt(t, FG_A_PASSED, 1, NULL, NULL);
	memset(ar, 0, sizeof(*ar));
	ar->n = 1;
	ar->t = calloc(1, sizeof(*ar->t));
	an_test_init(&ar->t[0].an, "s", "", "x");
	for (int i = 0; i < flakes * 6; i++) {
		char commit[16];

		snprintf(commit, sizeof(commit), "c%03d", c++);
		an_test_add(&ar->t[0].an, c, 1000LL * c, commit, "main",
			    i % 6 == 5 ? FLIP : PASS, i % 6 == 5 ? 2 : 1, 1,
			    "exited with status 1");
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

static void test_memory_error_never_quarantined(void **state)
{
	struct an_policy p;
	struct fg_run run;
	struct an_run ar;
	struct an_verdict v;

	(void)state;
	an_policy_defaults(&p);
	/* the same history without a sanitizer report: it enters */
	flaky_history_run(&run, &ar, 3, "some output\n", false);
	an_judge(&run, &ar, 2000000, &p, &v);
	assert_string_equal(run.tests[0].category, "flaky");
	assert_int_equal(ar.t[0].dec.action, AN_ENTER);
	assert_int_equal(v.exit_code, FG_EXIT_OK);
	an_run_release(&ar);
	fg_run_release(&run);

	/* with one: red although it passed on retry, and not entered */
	flaky_history_run(&run, &ar, 3, ASAN_UAF, false);
	an_judge(&run, &ar, 2000000, &p, &v);
	assert_string_equal(run.tests[0].category, "memory-error");
	assert_int_equal(run.tests[0].outcome, FG_O_FLAKY);
	assert_int_equal(ar.t[0].dec.action, AN_NONE);
	assert_string_equal(ar.t[0].dec.rule, "never");
	assert_true(run.tests[0].counts);
	assert_int_equal(v.exit_code, FG_EXIT_FAILED);
	assert_string_equal(v.reason, "1 test failed: x (memory error)");
	assert_string_equal(run.tests[0].hint_kind, "memory-error");
	assert_string_equal(run.tests[0].hint, "memory error: "
			    "AddressSanitizer: heap-use-after-free at "
			    "/tmp/hintx/uaf.c:3 in main");
	assert_non_null(strstr(run.tests[0].reason, "a sanitizer reported a "
				"memory error in 1 of 19 runs, the last at "
				"commit head"));
	an_run_release(&ar);
	fg_run_release(&run);

	/* quarantined by hand: a memory error is never covered */
	flaky_history_run(&run, &ar, 3, UBSAN_GCC, true);
	an_judge(&run, &ar, 2000000, &p, &v);
	assert_int_equal(v.exit_code, FG_EXIT_FAILED);
	assert_true(run.tests[0].counts);
	assert_non_null(strstr(run.tests[0].note, "quarantined, but a "
				"sanitizer reported a memory error"));
	assert_non_null(strstr(v.reason, "quarantined, memory error"));
	an_run_release(&ar);
	fg_run_release(&run);
}

/* The history's rows: the scan's excerpt makes the run a memory error. */
static void test_memory_error_from_history_row(void **state)
{
	static const enum fg_astatus st[] = { FG_A_FAILED, FG_A_PASSED };
	struct history_scan_row r = {
		.suite = "s", .classname = "", .name = "x", .run_id = 1,
		.started_at_ms = 1000, .commit = "c1", .nattempts = 2,
		.statuses = st, .message = "exited with status 1",
	};
	struct an_policy p;
	struct an_test t;

	(void)state;
	an_policy_defaults(&p);
	an_test_init(&t, "s", "", "x");
	r.sanitizer = ASAN_UAF + 300; /* an excerpt starts mid-line */
	assert_true(an_test_add_row(&t, &r)->memory);
	r.sanitizer = "Go says: panic: runtime error: nil map\n";
	assert_false(an_test_add_row(&t, &r)->memory);
	r.sanitizer = NULL;
	r.message = UBSAN_CLANG;
	assert_true(an_test_add_row(&t, &r)->memory);
	/* a pass never is */
	r.statuses = st + 1;
	r.nattempts = 1;
	r.sanitizer = ASAN_UAF;
	assert_false(an_test_add_row(&t, &r)->memory);
	an_evaluate(&t, t.nobs, 0, &p);
	assert_int_equal(t.ev.memory_runs, 2);
	assert_int_equal(t.cat, AN_MEMORY);
	an_test_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asan_reports),
		cmocka_unit_test(test_other_sanitizers),
		cmocka_unit_test(test_not_sanitizers),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_timeout_and_leak),
		cmocka_unit_test(test_assertions),
		cmocka_unit_test(test_incident),
		cmocka_unit_test(test_memory_error_never_quarantined),
		cmocka_unit_test(test_memory_error_from_history_row),
	};

	return cmocka_run_group_tests_name("hint", tests, NULL, NULL);
}
