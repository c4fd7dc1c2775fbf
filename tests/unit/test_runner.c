/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_runner.c - the process pool against real misbehaving
 * children (tests/fixtures/progs/misbehave.c): exit codes, signals,
 * timeouts that kill whole groups, leaks, floods, spawn failures, and that
 * no process of a test outlives it.
 *
 * The fixture binary is found through FG_PROGS (default build/progs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runner/runner.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char misbehave[4096];

struct counts {
	int running, max_running, done;
};

static void on_start(struct runner *r, struct runner_job *job, void *data)
{
	struct counts *c = data;

	(void)r;
	(void)job;
	if (++c->running > c->max_running)
		c->max_running = c->running;
}

static void on_done(struct runner *r, struct runner_job *job, void *data)
{
	struct counts *c = data;

	(void)r;
	(void)job;
	c->running--;
	c->done++;
}

/* Runs one job to completion with the given options. */
static void run_one(struct runner_job *job, int64_t timeout_ms,
		    int64_t grace_ms, size_t output_max)
{
	struct counts c = { 0 };
	struct runner_opts o = {
		.jobs = 2, .kill_grace_ms = grace_ms, .leak_timeout_ms = 200,
		.output_max = output_max, .on_start = on_start,
		.on_done = on_done, .data = &c,
	};
	struct runner *r;

	job->env = environ;
	job->timeout_ms = timeout_ms;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	runner_submit(r, job);
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
	assert_int_equal(c.done, 1);
}

static char *output_of(struct runner_job *job)
{
	return fg_buf_text(&job->result.output);
}

static void test_pass_and_exit_codes(void **state)
{
	char *argv_pass[] = { misbehave, "pass", NULL };
	char *argv_exit[] = { misbehave, "exit", "7", NULL };
	struct runner_job job = { .name = "t", .argv = argv_pass };

	(void)state;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_EXITED);
	assert_int_equal(job.result.exit_code, 0);
	assert_false(job.result.leaked);
	runner_job_release(&job);

	job.argv = argv_exit;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_EXITED);
	assert_int_equal(job.result.exit_code, 7);
	runner_job_release(&job);
}

static void test_output_captured_both_streams(void **state)
{
	char *argv[] = { misbehave, "fail", NULL };
	char *argv2[] = { misbehave, "print", "hello", "world", NULL };
	struct runner_job job = { .name = "t", .argv = argv };
	char *out;

	(void)state;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.exit_code, 1);
	out = output_of(&job);
	assert_true(strlen(out) > 0); /* fail writes to stderr */
	free(out);
	runner_job_release(&job);

	job.argv = argv2;
	run_one(&job, 0, 1000, 0);
	out = output_of(&job);
	assert_non_null(strstr(out, "hello world"));
	free(out);
	runner_job_release(&job);
}

static void test_crash_is_signaled(void **state)
{
	char *argv[] = { misbehave, "crash", "SIGSEGV", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_SIGNALED);
	assert_int_equal(job.result.term_signal, SIGSEGV);
	runner_job_release(&job);
}

static void test_timeout_kills(void **state)
{
	char *argv[] = { misbehave, "hang", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 200, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_TIMEOUT);
	runner_job_release(&job);
}

static void test_timeout_escalates_to_sigkill(void **state)
{
	char *argv[] = { misbehave, "ignore-term", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 200, 200, 0);
	assert_int_equal(job.result.end, RUNNER_TIMEOUT);
	runner_job_release(&job);
}

static bool alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_timeout_kills_whole_tree(void **state)
{
	char *argv[] = { misbehave, "spawn-tree", "3", NULL };
	struct runner_job job = { .name = "t", .argv = argv };
	char *out, *p;
	int pids = 0;

	(void)state;
	run_one(&job, 300, 500, 0);
	assert_int_equal(job.result.end, RUNNER_TIMEOUT);
	out = output_of(&job);
	for (p = out; *p;) {
		long pid = strtol(p, &p, 10);

		if (pid > 0) {
			assert_false(alive((pid_t)pid));
			pids++;
		}
		while (*p == '\n' || *p == ' ')
			p++;
		if (*p && (*p < '0' || *p > '9'))
			break;
	}
	assert_true(pids >= 3);
	free(out);
	runner_job_release(&job);
}

static void test_leak_detected_and_killed(void **state)
{
	char *argv[] = { misbehave, "linger", "60", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 10000, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_EXITED);
	assert_int_equal(job.result.exit_code, 0);
	assert_true(job.result.leaked);
	/* The lingering grandchild was in the group: it must be gone. */
	assert_int_equal(kill(-job.result.pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	runner_job_release(&job);
}

static void test_flood_is_bounded(void **state)
{
	char *argv[] = { misbehave, "flood", "20000000", NULL };
	struct runner_job job = { .name = "t", .argv = argv };
	char *out;

	(void)state;
	run_one(&job, 0, 1000, 64 * 1024);
	assert_int_equal(job.result.end, RUNNER_EXITED);
	assert_int_equal(job.result.output.total, 20000000);
	out = output_of(&job);
	assert_true(strlen(out) < 64 * 1024 + 100);
	assert_non_null(strstr(out, "bytes truncated"));
	free(out);
	runner_job_release(&job);
}

static void test_spawn_failure(void **state)
{
	char *argv[] = { "/nonexistent/program", NULL };
	char *argv2[] = { "no-such-program-in-path-xyz", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_SPAWN_FAILED);
	assert_int_equal(job.result.spawn_errno, ENOENT);
	runner_job_release(&job);
	job.argv = argv2;
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.end, RUNNER_SPAWN_FAILED);
	runner_job_release(&job);
}

static void test_cwd_and_env(void **state)
{
	char *argv[] = { misbehave, "pwd", NULL };
	char *argv2[] = { misbehave, "env", "FG_TEST_VAR", NULL };
	char *env[] = { "FG_TEST_VAR=forty-two", NULL };
	struct runner_job job = { .name = "t", .argv = argv, .cwd = "/tmp" };
	char *out;

	(void)state;
	run_one(&job, 0, 1000, 0);
	out = output_of(&job);
	assert_string_equal(out, "/tmp\n");
	free(out);
	runner_job_release(&job);

	job.argv = argv2;
	job.cwd = NULL;
	{
		struct runner *r;
		struct runner_opts o = { .jobs = 1 };

		job.env = env;
		assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
		runner_submit(r, &job);
		assert_int_equal(runner_run(r), FG_OK);
		runner_free(r);
	}
	out = output_of(&job);
	assert_non_null(strstr(out, "forty-two"));
	free(out);
	runner_job_release(&job);
}

static void test_parallelism_is_capped(void **state)
{
	char *argv[] = { misbehave, "sleep", "50", NULL };
	struct runner_job jobs[6];
	struct counts c = { 0 };
	struct runner_opts o = {
		.jobs = 2, .on_start = on_start, .on_done = on_done, .data = &c,
	};
	struct runner *r;

	(void)state;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	for (int i = 0; i < 6; i++) {
		jobs[i] = (struct runner_job){ .name = "s", .argv = argv,
					       .env = environ };
		runner_submit(r, &jobs[i]);
	}
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
	assert_int_equal(c.done, 6);
	assert_int_equal(c.max_running, 2);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(jobs[i].result.exit_code, 0);
		runner_job_release(&jobs[i]);
	}
}

/* on_done may submit again (how retries work). */
static int resubmits;
static void on_done_retry(struct runner *r, struct runner_job *job, void *d)
{
	(void)d;
	runner_job_release(job);
	if (++resubmits < 3)
		runner_submit(r, job);
}

static void test_resubmit_from_callback(void **state)
{
	char *argv[] = { misbehave, "fail", NULL };
	struct runner_job job = { .name = "t", .argv = argv, .env = environ };
	struct runner_opts o = { .jobs = 1, .on_done = on_done_retry };
	struct runner *r;

	(void)state;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	runner_submit(r, &job);
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
	assert_int_equal(resubmits, 3);
}

int main(void)
{
	const char *progs = getenv("FG_PROGS");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_and_exit_codes),
		cmocka_unit_test(test_output_captured_both_streams),
		cmocka_unit_test(test_crash_is_signaled),
		cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_timeout_escalates_to_sigkill),
		cmocka_unit_test(test_timeout_kills_whole_tree),
		cmocka_unit_test(test_leak_detected_and_killed),
		cmocka_unit_test(test_flood_is_bounded),
		cmocka_unit_test(test_spawn_failure),
		cmocka_unit_test(test_cwd_and_env),
		cmocka_unit_test(test_parallelism_is_capped),
		cmocka_unit_test(test_resubmit_from_callback),
	};

	char rel[4096];

	snprintf(rel, sizeof(rel), "%s/misbehave", progs ? progs : "build/progs");
	if (!realpath(rel, misbehave) || access(misbehave, X_OK)) {
		fprintf(stderr, "test_runner: cannot run '%s' (set FG_PROGS)\n",
			misbehave);
		return 1;
	}
	return cmocka_run_group_tests_name("runner", tests, NULL, NULL);
}
