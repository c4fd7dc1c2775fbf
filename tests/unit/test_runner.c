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

/*
 * Under valgrind, glibc's posix_spawn (CLONE_VFORK) runs as a plain fork:
 * the exec error cannot come back to the parent, and the child exits 127
 * the way a shell reports "command not found".
 */
static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

static void assert_not_started(const struct runner_job *job, int err)
{
	if (under_valgrind()) {
		assert_int_equal(job->result.end, RUNNER_EXITED);
		assert_int_equal(job->result.exit_code, 127);
		return;
	}
	assert_int_equal(job->result.end, RUNNER_SPAWN_FAILED);
	if (err)
		assert_int_equal(job->result.spawn_errno, err);
}

static void test_spawn_failure(void **state)
{
	char *argv[] = { "/nonexistent/program", NULL };
	char *argv2[] = { "no-such-program-in-path-xyz", NULL };
	struct runner_job job = { .name = "t", .argv = argv };

	(void)state;
	run_one(&job, 0, 1000, 0);
	assert_not_started(&job, ENOENT);
	runner_job_release(&job);
	job.argv = argv2;
	run_one(&job, 0, 1000, 0);
	assert_not_started(&job, 0);
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

/* ---------------------------------------------------------------------- */
/* Locks, groups and slots                                                 */
/* ---------------------------------------------------------------------- */

struct excl {
	int running_a;     /* jobs holding lock "a" now */
	int max_a;
	int running_g;     /* jobs of group 1 now */
	int max_g;
	int running, max_running;
};

static void excl_start(struct runner *r, struct runner_job *job, void *data)
{
	struct excl *e = data;

	(void)r;
	if (job->locks && ++e->running_a > e->max_a)
		e->max_a = e->running_a;
	if (job->group == 1 && ++e->running_g > e->max_g)
		e->max_g = e->running_g;
	if (++e->running > e->max_running)
		e->max_running = e->running;
}

static void excl_done(struct runner *r, struct runner_job *job, void *data)
{
	struct excl *e = data;

	(void)r;
	if (job->locks)
		e->running_a--;
	if (job->group == 1)
		e->running_g--;
	e->running--;
}

static void test_locks_and_groups_exclude(void **state)
{
	char *argv[] = { misbehave, "sleep", "30", NULL };
	char *lock_a[] = { "a", NULL };
	int group_max[] = { 2 };
	struct runner_job jobs[12];
	struct excl e = { 0 };
	struct runner_opts o = {
		.jobs = 4, .group_max = group_max, .ngroups = 1,
		.on_start = excl_start, .on_done = excl_done, .data = &e,
	};
	struct runner *r;

	(void)state;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	for (int i = 0; i < 12; i++) {
		jobs[i] = (struct runner_job){ .name = "x", .argv = argv,
					       .env = environ };
		if (i % 3 == 0)
			jobs[i].locks = lock_a;
		else if (i % 3 == 1)
			jobs[i].group = 1;
		runner_submit(r, &jobs[i]);
	}
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
	assert_int_equal(e.max_a, 1);
	assert_true(e.max_g <= 2);
	/* Blocked jobs were passed over: more than lock+group ran at once. */
	assert_true(e.max_running >= 3);
	for (int i = 0; i < 12; i++)
		runner_job_release(&jobs[i]);
}

static void test_slots_are_capped_at_jobs(void **state)
{
	char *argv[] = { misbehave, "pass", NULL };
	struct runner_job big = { .name = "big", .argv = argv, .env = environ,
				  .slots = 64 };
	struct runner_job small = { .name = "s", .argv = argv, .env = environ };
	struct counts c = { 0 };
	struct runner_opts o = {
		.jobs = 2, .on_start = on_start, .on_done = on_done, .data = &c,
	};
	struct runner *r;

	(void)state;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	runner_submit(r, &big);
	runner_submit(r, &small);
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
	/* The big job took every slot: it never ran beside the small one. */
	assert_int_equal(c.max_running, 1);
	assert_int_equal(c.done, 2);
	runner_job_release(&big);
	runner_job_release(&small);
}

static void cancel_on_fail(struct runner *r, struct runner_job *job, void *d)
{
	(void)d;
	if (job->result.end == RUNNER_EXITED && job->result.exit_code)
		runner_cancel(r);
}

static void test_cancel_terminates_running(void **state)
{
	char *fail[] = { misbehave, "fail", NULL };
	char *hang[] = { misbehave, "hang", NULL };
	struct runner_job a = { .name = "f", .argv = fail, .env = environ };
	struct runner_job b = { .name = "h", .argv = hang, .env = environ };
	struct runner_job c = { .name = "q", .argv = hang, .env = environ };
	struct runner_opts o = { .jobs = 2, .kill_grace_ms = 300,
				 .on_done = cancel_on_fail };
	struct runner *r;

	(void)state;
	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	runner_submit(r, &b);
	runner_submit(r, &a);
	runner_submit(r, &c);
	assert_int_equal(runner_run(r), FG_OK);
	assert_int_equal(runner_dropped(r), 1);
	runner_free(r);
	assert_int_equal(b.result.end, RUNNER_CANCELLED);
	assert_false(alive(b.result.pid));
	runner_job_release(&a);
	runner_job_release(&b);
}

static void test_log_file_and_no_capture(void **state)
{
	char *argv[] = { misbehave, "print", "to-the-log", NULL };
	char path[] = "/tmp/fg-runner-log-XXXXXX";
	struct runner_job job = { .name = "t", .argv = argv, .log_path = path };
	char buf[64] = "";
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	run_one(&job, 0, 1000, 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "to-the-log\n");
	runner_job_release(&job);

	job = (struct runner_job){ .name = "t", .argv = argv,
				   .no_capture = true };
	run_one(&job, 0, 1000, 0);
	assert_int_equal(job.result.output.total, 0);
	assert_int_equal(job.result.exit_code, 0);
	runner_job_release(&job);
}

/* ---------------------------------------------------------------------- */
/* The plan: order and partition                                           */
/* ---------------------------------------------------------------------- */

static bool est_from_name(void *ctx, const struct runner_item *it,
			  int64_t *ms)
{
	(void)ctx;
	/* items named "kNNN" are known with NNN ms; others unknown */
	if (it->id[0] != 'k')
		return false;
	*ms = atoll(it->id + 1);
	return true;
}

static void make_plan(struct runner_plan *p, size_t n, uint64_t seed)
{
	runner_plan_init(p);
	for (size_t i = 0; i < n; i++) {
		struct fg_suite_cfg s = { .name = NULL };
		char name[32];

		/* lognormal-ish skew from a fixed LCG: deterministic */
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if (i % 10 == 9)
			snprintf(name, sizeof(name), "u%zu", i);
		else
			snprintf(name, sizeof(name), "k%llu",
				 (unsigned long long)(1 + (seed >> 33) % 1000 *
						      ((seed >> 20) % 7 == 0 ? 20 : 1)));
		s.name = name;
		assert_int_equal(runner_plan_add_suite(p, i, &s, NULL, NULL,
						       1000, NULL), FG_OK);
		/* ids must be unique: suffix the index */
		free(p->items[p->n - 1].id);
		p->items[p->n - 1].id = fg_xasprintf("%s.%zu", name, i);
	}
}

static void test_plan_order_longest_first_unknown_first(void **state)
{
	struct runner_plan p;

	(void)state;
	make_plan(&p, 50, 7);
	runner_plan_order(&p, est_from_name, NULL, 500);
	for (size_t i = 1; i < p.n; i++) {
		const struct runner_item *a = &p.items[i - 1], *b = &p.items[i];

		if (a->known == b->known)
			assert_true(a->estimate_ms >= b->estimate_ms);
		else
			assert_false(a->known); /* unknown before known */
	}
	runner_plan_release(&p);
}

static void test_partition_deterministic_complete_balanced(void **state)
{
	struct runner_plan p, q;
	int64_t load[4] = { 0 }, total = 0, longest = 0, max = 0;

	(void)state;
	make_plan(&p, 200, 42);
	make_plan(&q, 200, 42);
	runner_plan_order(&p, est_from_name, NULL, 500);
	runner_plan_order(&q, est_from_name, NULL, 500);
	runner_plan_partition(&p, 4);
	runner_plan_partition(&q, 4);
	for (size_t i = 0; i < p.n; i++) {
		assert_string_equal(p.items[i].id, q.items[i].id);
		assert_int_equal(p.items[i].node, q.items[i].node);
		assert_true(p.items[i].node >= 1 && p.items[i].node <= 4);
		load[p.items[i].node - 1] += p.items[i].estimate_ms;
		total += p.items[i].estimate_ms;
		if (p.items[i].estimate_ms > longest)
			longest = p.items[i].estimate_ms;
	}
	for (int k = 0; k < 4; k++)
		if (load[k] > max)
			max = load[k];
	/* Greedy LPT: within the longest item of the ideal share. */
	assert_true(max <= total / 4 + longest);
	runner_plan_release(&p);
	runner_plan_release(&q);
}

static void test_partition_unknown_by_stable_hash(void **state)
{
	struct runner_plan p, q;

	(void)state;
	/* An unknown item's node does not depend on the rest of the plan. */
	make_plan(&p, 30, 1);
	make_plan(&q, 60, 99);
	free(q.items[0].id);
	q.items[0].id = fg_xstrdup(p.items[9].id); /* a "u" item of p */
	runner_plan_order(&p, est_from_name, NULL, 500);
	runner_plan_order(&q, est_from_name, NULL, 500);
	runner_plan_partition(&p, 3);
	runner_plan_partition(&q, 3);
	for (size_t i = 0; i < p.n; i++)
		for (size_t j = 0; j < q.n; j++)
			if (!p.items[i].known && !q.items[j].known &&
			    !strcmp(p.items[i].id, q.items[j].id))
				assert_int_equal(p.items[i].node,
						 q.items[j].node);
	runner_plan_release(&p);
	runner_plan_release(&q);
}

static void test_shard_parse_and_env(void **state)
{
	int k, n;

	(void)state;
	assert_int_equal(runner_shard_parse("2/5", &k, &n, NULL), FG_OK);
	assert_int_equal(k, 2);
	assert_int_equal(n, 5);
	assert_int_equal(runner_shard_parse("0/5", &k, &n, NULL), FG_EINVAL);
	assert_int_equal(runner_shard_parse("6/5", &k, &n, NULL), FG_EINVAL);
	assert_int_equal(runner_shard_parse("1/", &k, &n, NULL), FG_EINVAL);
	assert_int_equal(runner_shard_parse("x", &k, &n, NULL), FG_EINVAL);
	setenv("CIRCLE_NODE_INDEX", "0", 1);
	setenv("CIRCLE_NODE_TOTAL", "4", 1);
	assert_true(runner_shard_from_env(&k, &n));
	assert_int_equal(k, 1);
	assert_int_equal(n, 4);
	unsetenv("CIRCLE_NODE_INDEX");
	unsetenv("CIRCLE_NODE_TOTAL");
}

/* runner_capture: one helper process, its whole output, judged. */
static void test_capture_output_and_status(void **state)
{
	char *argv_fail[] = { misbehave, "fail", NULL };
	char *argv_print[] = { misbehave, "print", "a", "b", NULL };
	char *argv_hang[] = { misbehave, "hang", NULL };
	char *argv_flood[] = { misbehave, "flood", "100000", NULL };
	char *argv_none[] = { "/nonexistent/lister", NULL };
	struct runner_captured cap;
	struct fg_error err;

	(void)state;
	/* stdout only; stderr to /dev/null; the exit status is the caller's */
	assert_int_equal(runner_capture(argv_fail, NULL, NULL, 10000, 4096,
					RUNNER_STDERR_NULL, &cap, &err), FG_OK);
	assert_int_equal(cap.end, RUNNER_EXITED);
	assert_int_equal(cap.exit_code, 1);
	assert_string_equal(cap.output, "misbehave: about to fail\n");
	runner_captured_release(&cap);
	/* merged: both streams */
	assert_int_equal(runner_capture(argv_fail, NULL, NULL, 10000, 4096,
					RUNNER_STDERR_MERGE, &cap, &err), FG_OK);
	assert_non_null(strstr(cap.output, "failing on purpose"));
	runner_captured_release(&cap);
	assert_int_equal(runner_capture(argv_print, NULL, NULL, 10000, 4096,
					RUNNER_STDERR_NULL, &cap, &err), FG_OK);
	assert_int_equal(cap.exit_code, 0);
	assert_non_null(strstr(cap.output, "a"));
	runner_captured_release(&cap);
	/* a hang is killed at the timeout and named */
	assert_int_equal(runner_capture(argv_hang, NULL, NULL, 200, 4096,
					RUNNER_STDERR_NULL, &cap, &err),
			 FG_ESPAWN);
	assert_non_null(strstr(err.msg, "did not finish within 0.200s"));
	/* more output than allowed is an error, never a silent cut */
	assert_int_equal(runner_capture(argv_flood, NULL, NULL, 10000, 1000,
					RUNNER_STDERR_NULL, &cap, &err),
			 FG_E2BIG);
	assert_non_null(strstr(err.msg, "more than 1000 bytes"));
	if (under_valgrind()) {
		/* valgrind's posix_spawn reports a failed exec as exit 127 */
		assert_int_equal(runner_capture(argv_none, NULL, NULL, 10000,
						1000, RUNNER_STDERR_NULL, &cap,
						&err), FG_OK);
		assert_int_equal(cap.exit_code, 127);
		runner_captured_release(&cap);
		return;
	}
	assert_int_equal(runner_capture(argv_none, NULL, NULL, 10000, 1000,
					RUNNER_STDERR_NULL, &cap, &err),
			 FG_ESPAWN);
	assert_non_null(strstr(err.msg, "could not start '/nonexistent/lister'"));
}


/* ---------------------------------------------------------------------- */
/* Jobs that wait for others (CTest fixtures and DEPENDS, cli/run_deps.c)  */
/* ---------------------------------------------------------------------- */

struct dep_job {
	struct runner_job job;
	struct runner_job *after[4];
	struct dep_job *setup;  /* declined when this one's last attempt failed */
	int started, over;      /* on_start calls; on_done calls that ended it */
	int order;              /* when it was over, 1-based; 0: never */
	bool after_over_at_start; /* every `after` job was over at on_start */
	int retries;            /* resubmit this many times from on_done */
	char **retry_argv;      /* argv of the retries */
};

struct dep_run {
	int over;
	int declined;
};

static void dep_start(struct runner *r, struct runner_job *job, void *data)
{
	struct dep_job *d = job->data;

	(void)r;
	(void)data;
	d->started++;
	d->after_over_at_start = true;
	for (int i = 0; d->after[i]; i++)
		if (!((struct dep_job *)d->after[i]->data)->order)
			d->after_over_at_start = false;
}

static bool dep_ready(struct runner *r, struct runner_job *job, void *data)
{
	struct dep_job *d = job->data;
	struct dep_run *run = data;

	(void)r;
	if (d->setup) {
		const struct runner_result *res = &d->setup->job.result;

		/* the setup is over by now: `after` names it */
		assert_int_not_equal(d->setup->order, 0);
		if (res->end != RUNNER_EXITED || res->exit_code != 0) {
			run->declined++;
			return false;
		}
	}
	return true;
}

static void dep_done(struct runner *r, struct runner_job *job, void *data)
{
	struct dep_job *d = job->data;
	struct dep_run *run = data;

	if (d->retries > 0) {
		d->retries--;
		job->argv = d->retry_argv;
		runner_job_release(job);
		runner_submit(r, job);
		return;
	}
	d->over++;
	d->order = ++run->over;
}

/* Submits jobs[order[0]], jobs[order[1]], ... and runs them all. */
static void dep_run_all(struct dep_job *jobs, const int *order, int n,
			int slots, struct dep_run *run)
{
	struct runner_opts o = {
		.jobs = slots, .on_ready = dep_ready, .on_start = dep_start,
		.on_done = dep_done, .data = run,
	};
	struct runner *r;

	assert_int_equal(runner_new(&o, &r, NULL), FG_OK);
	for (int i = 0; i < n; i++) {
		struct dep_job *d = &jobs[order[i]];

		d->job.env = environ;
		d->job.data = d;
		d->job.after = d->after;
		runner_submit(r, &d->job);
	}
	assert_int_equal(runner_run(r), FG_OK);
	runner_free(r);
}

/*
 * A fixture: the setup fails, so its two dependents are declined by
 * on_ready and never start; the cleanup waits for all three and runs
 * anyway; an unrelated job is not held up. The waiting jobs are queued
 * first: they are passed over, never block the queue.
 */
static void test_after_fixture_setup_fails(void **state)
{
	char *fail[] = { misbehave, "fail", NULL };
	char *pass[] = { misbehave, "pass", NULL };
	struct dep_job j[5] = {
		{ .job = { .name = "setup", .argv = fail } },
		{ .job = { .name = "dep1", .argv = pass } },
		{ .job = { .name = "dep2", .argv = pass } },
		{ .job = { .name = "cleanup", .argv = pass } },
		{ .job = { .name = "other", .argv = pass } },
	};
	const int order[] = { 3, 1, 2, 0, 4 };
	struct dep_run run = { 0 };

	(void)state;
	j[1].after[0] = j[2].after[0] = &j[0].job;
	j[1].setup = j[2].setup = &j[0];
	j[3].after[0] = &j[0].job;
	j[3].after[1] = &j[1].job;
	j[3].after[2] = &j[2].job;
	dep_run_all(j, order, 5, 2, &run);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(j[i].over, 1);
		runner_job_release(&j[i].job);
	}
	assert_int_equal(run.declined, 2);
	assert_int_equal(j[0].job.result.exit_code, 1);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(j[i].started, 0);
		assert_int_equal(j[i].job.result.end, RUNNER_NOT_STARTED);
		assert_true(j[i].order > j[0].order);
	}
	assert_int_equal(j[3].started, 1);
	assert_true(j[3].after_over_at_start);
	assert_int_equal(j[3].job.result.end, RUNNER_EXITED);
	assert_int_equal(j[4].job.result.end, RUNNER_EXITED);
}

/*
 * A retry is not the end: a job waiting for a setup that fails once and
 * is resubmitted from on_done starts only after the retry, and on_ready
 * sees the retry's pass.
 */
static void test_after_waits_for_retries(void **state)
{
	char *fail[] = { misbehave, "fail", NULL };
	char *pass[] = { misbehave, "pass", NULL };
	struct dep_job j[2] = {
		{ .job = { .name = "setup", .argv = fail }, .retries = 1,
		  .retry_argv = pass },
		{ .job = { .name = "dep", .argv = pass } },
	};
	const int order[] = { 1, 0 };
	struct dep_run run = { 0 };

	(void)state;
	j[1].after[0] = &j[0].job;
	j[1].setup = &j[0];
	dep_run_all(j, order, 2, 2, &run);
	assert_int_equal(j[0].started, 2);
	assert_int_equal(j[0].job.result.exit_code, 0);
	assert_int_equal(j[1].started, 1);
	assert_true(j[1].after_over_at_start);
	assert_int_equal(run.declined, 0);
	assert_int_equal(j[1].job.result.end, RUNNER_EXITED);
	for (int i = 0; i < 2; i++)
		runner_job_release(&j[i].job);
}

/*
 * A job that cannot even be spawned is over too: what waits for it
 * starts, though nothing else is running to wake the loop. A chain runs in
 * order with one slot.
 */
static void test_after_spawn_failure_and_chains(void **state)
{
	char *none[] = { "/nonexistent/setup", NULL };
	char *pass[] = { misbehave, "pass", NULL };
	struct dep_job j[4] = {
		{ .job = { .name = "broken", .argv = none } },
		{ .job = { .name = "c", .argv = pass } },
		{ .job = { .name = "b", .argv = pass } },
		{ .job = { .name = "a", .argv = pass } },
	};
	const int order[] = { 1, 2, 3, 0 };
	struct dep_run run = { 0 };

	(void)state;
	j[3].after[0] = &j[0].job;   /* a after broken */
	j[2].after[0] = &j[3].job;   /* b after a */
	j[1].after[0] = &j[2].job;   /* c after b */
	j[1].after[1] = &j[0].job;
	dep_run_all(j, order, 4, 1, &run);
	assert_not_started(&j[0].job, ENOENT); /* valgrind: exit 127 */
	assert_int_equal(j[0].order, 1);
	assert_int_equal(j[3].order, 2);
	assert_int_equal(j[2].order, 3);
	assert_int_equal(j[1].order, 4);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(j[i].job.result.end, RUNNER_EXITED);
		assert_true(j[i].after_over_at_start);
	}
	for (int i = 0; i < 4; i++)
		runner_job_release(&j[i].job);
}

/*
 * Two jobs waiting for each other would hang for ever: runner_run() stops
 * on it as the caller's bug (FG_BUG aborts), naming a job. Run in a child.
 */
static void test_after_cycle_is_a_bug(void **state)
{
	char *pass[] = { misbehave, "pass", NULL };
	int status, errfd[2];
	char buf[512] = "";
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(errfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dep_job j[2] = {
			{ .job = { .name = "a", .argv = pass } },
			{ .job = { .name = "b", .argv = pass } },
		};
		const int order[] = { 0, 1 };
		struct dep_run run = { 0 };

		dup2(errfd[1], 2);
		j[0].after[0] = &j[1].job;
		j[1].after[0] = &j[0].job;
		dep_run_all(j, order, 2, 2, &run);
		_exit(0);
	}
	close(errfd[1]);
	/* to the end: fg_bug() writes its line in pieces */
	for (size_t got = 0; got < sizeof(buf) - 1;) {
		ssize_t n = read(errfd[0], buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(errfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(buf, "waits for"));
}

/* A job's own output_max beats the runner's. */
static void test_job_output_max(void **state)
{
	char *argv[] = { misbehave, "flood", "300000", NULL };
	struct runner_job job = { .name = "f", .argv = argv,
				  .output_max = 1 << 20 };

	(void)state;
	run_one(&job, 10000, 1000, 1000);
	assert_int_equal(job.result.output.total, 300000);
	assert_int_equal(fg_buf_dropped(&job.result.output), 0);
	runner_job_release(&job);
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
		cmocka_unit_test(test_locks_and_groups_exclude),
		cmocka_unit_test(test_slots_are_capped_at_jobs),
		cmocka_unit_test(test_cancel_terminates_running),
		cmocka_unit_test(test_log_file_and_no_capture),
		cmocka_unit_test(test_plan_order_longest_first_unknown_first),
		cmocka_unit_test(test_partition_deterministic_complete_balanced),
		cmocka_unit_test(test_partition_unknown_by_stable_hash),
		cmocka_unit_test(test_shard_parse_and_env),
		cmocka_unit_test(test_capture_output_and_status),
		cmocka_unit_test(test_after_fixture_setup_fails),
		cmocka_unit_test(test_after_waits_for_retries),
		cmocka_unit_test(test_after_spawn_failure_and_chains),
		cmocka_unit_test(test_after_cycle_is_a_bug),
		cmocka_unit_test(test_job_output_max),
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
