/* SPDX-License-Identifier: MIT */
/*
 * runner/runner.h - the process pool: run jobs in parallel under one libuv
 * loop, each in its own session and process group, with captured output,
 * timeouts that always end the test, and leak detection.
 *
 * The runner knows core only. It is handed jobs (argv, environment, cwd,
 * timeout) in the order they should start, and hands back what happened to
 * each; it never reads JUnit or the database (cli/ wires those in).
 *
 * Caller recipe:
 *   1. runner_new(&opts, &r, &err);
 *   2. runner_submit(r, job) for each job (the caller owns `job` and keeps
 *      it alive until its on_done callback has returned);
 *   3. runner_run(r): blocks until every submitted job has finished or the
 *      run was interrupted; on_done may runner_submit() more jobs (retries);
 *   4. runner_free(r).
 * All callbacks run on the calling thread, inside runner_run().
 */
#ifndef FG_RUNNER_H
#define FG_RUNNER_H

#include "core/core.h"

#include <sys/types.h>

/* How an attempt ended. */
enum runner_end {
	RUNNER_EXITED,      /* the process exited; see exit_code */
	RUNNER_SIGNALED,    /* killed by term_signal (not by us) */
	RUNNER_TIMEOUT,     /* we killed it: it ran past its timeout */
	RUNNER_SPAWN_FAILED,/* could not be started; see spawn_errno */
	RUNNER_INTERRUPTED, /* we killed it because the run was interrupted */
	RUNNER_CANCELLED,   /* we killed it: runner_cancel() (--fail-fast) */
	RUNNER_NOT_STARTED, /* never started: on_ready said no */
};

struct runner_result {
	enum runner_end end;
	int exit_code;        /* RUNNER_EXITED */
	int term_signal;      /* RUNNER_SIGNALED */
	int spawn_errno;      /* RUNNER_SPAWN_FAILED */
	bool leaked;          /* exited, but descendants held its output open
			       * past the leak timeout; the group was killed */
	char leaked_procs[160]; /* then: those left in its group, as
				 * "name[pid], ..." (from /proc), or "" */
	int log_errno;        /* the log_path file could not be written
			       * (open or write: errno), or 0 */
	uint64_t log_dropped; /* bytes left out of the log by log_max */
	pid_t pid;
	int64_t started_at_ms;  /* epoch ms */
	int64_t duration_ms;
	struct fg_buf output;   /* stdout and stderr interleaved, capped;
				 * owned by the job: runner_job_release() */
};

struct runner_job {
	/* Filled in by the caller; borrowed until on_done returns. */
	const char *name;       /* for progress display */
	char *const *argv;      /* argv[0] is looked up in PATH if it has no '/' */
	char *const *env;       /* the complete environment of the child */
	const char *cwd;        /* NULL: flakeguard's */
	int64_t timeout_ms;     /* 0: no timeout */
	int slots;              /* job slots it takes (<= 0: 1; capped at -j) */
	char *const *locks;     /* NULL-terminated lock names, or NULL: no two
				 * running jobs hold one lock at once */
	int group;              /* 1 + index into runner_opts.group_max;
				 * 0: no group */
	const char *log_path;   /* also write the full output here, or NULL */
	uint64_t log_max;       /* cap on that file: its head, a marker, and
				 * its last bytes (up to 64 KiB); 0: none */
	bool no_capture;        /* inherit our stdout/stderr, capture nothing */
	/*
	 * Every chunk of output as it arrives, whole (the capture keeps only
	 * its head and tail): for results read from a stream (TAP). May be
	 * NULL.
	 */
	void (*on_output)(struct runner_job *job, const char *bytes,
			  size_t len);
	size_t output_max;      /* bytes of output kept; 0: the runner's */
	/*
	 * Jobs that must be over before this one starts: NULL-terminated,
	 * each submitted to this runner and over once its on_done returned
	 * without submitting it again (a retry is not the end). NULL: none.
	 * What became of them is the caller's to judge in on_ready.
	 */
	struct runner_job *const *after;
	enum runner_stderr {
		RUNNER_STDERR_MERGE = 0, /* into the captured output */
		RUNNER_STDERR_INHERIT,   /* to ours (a lister's complaints) */
		RUNNER_STDERR_NULL,      /* to /dev/null */
	} stderr_to;
	void *data;             /* the caller's */
	/* Filled in by the runner before on_done. */
	struct runner_result result;
	/* private: where the runner has it (enum in runner/pool.c), and how
	 * many of `after` are known to be over */
	int state_;
	size_t after_over_;
};

/* Releases what the runner put into job->result (the output buffer). */
void runner_job_release(struct runner_job *job);

struct runner;

struct runner_opts {
	int jobs;                /* parallel slots; <= 0: available cores */
	int64_t kill_grace_ms;   /* SIGTERM -> SIGKILL; default 5000 */
	int64_t leak_timeout_ms; /* default 200 */
	size_t output_max;       /* bytes kept per attempt; default 128 KiB */
	const int *group_max;    /* per group (0-based): max running at once */
	size_t ngroups;
	int64_t tick_ms;         /* call on_tick this often while running */
	void (*on_tick)(struct runner *r, void *data);
	/*
	 * A job could start now: its `after` jobs are over and its slots,
	 * locks and group are free. Return false to end it without starting:
	 * result.end is RUNNER_NOT_STARTED and on_done is called at once (a
	 * fixture's setup failed, a required file is missing). May be NULL:
	 * every job starts.
	 */
	bool (*on_ready)(struct runner *r, struct runner_job *job, void *data);
	/* A job started (may be NULL). */
	void (*on_start)(struct runner *r, struct runner_job *job, void *data);
	/* A job finished; job->result is complete. May call runner_submit(). */
	void (*on_done)(struct runner *r, struct runner_job *job, void *data);
	void *data;
};

/* Creates a runner with its own libuv loop. *out is freed by runner_free(). */
int runner_new(const struct runner_opts *opts, struct runner **out,
	       struct fg_error *err);
/*
 * Queues a job behind those already queued. Jobs start in queue order,
 * except that a job whose locks, group or slots cannot be had now, or
 * whose `after` jobs are not over, is passed over for the next one that
 * can run (no core idles while work waits). A job must never wait, through
 * `after`, for itself or for a job that is not submitted: that is a bug of
 * the caller, and runner_run() stops on it with FG_BUG naming the job.
 */
void runner_submit(struct runner *r, struct runner_job *job);
/*
 * Runs until nothing is queued or running. Returns FG_OK, or FG_EINTR when a
 * SIGINT/SIGTERM/SIGHUP arrived (SIGHUP only when not ignored, as under
 * nohup): running jobs were signalled (SIGTERM, then SIGKILL
 * after the grace) and finished with RUNNER_INTERRUPTED, queued jobs were
 * dropped (runner_dropped() says how many). runner_signal() tells which.
 * Once it returned FG_OK, jobs may be submitted and runner_run() called
 * again on the same runner (stress runs: cli/cmd_stress.c).
 */
int runner_run(struct runner *r);
int runner_signal(const struct runner *r);
size_t runner_dropped(const struct runner *r);
/* Stops scheduling queued jobs; running ones finish. */
void runner_stop(struct runner *r);
/*
 * Stops scheduling and terminates running jobs (SIGTERM, SIGKILL after the
 * grace); they end RUNNER_CANCELLED. For --fail-fast. Queued jobs are
 * dropped and counted in runner_dropped().
 */
void runner_cancel(struct runner *r);
/* Jobs running now and queued, for progress displays. */
size_t runner_running(const struct runner *r);
size_t runner_queued(const struct runner *r);
/* The i-th running job (0 <= i < runner_running()). */
const struct runner_job *runner_running_job(const struct runner *r, size_t i);
void runner_free(struct runner *r);

/* Number of usable cores (uv_available_parallelism). */
int runner_default_jobs(void);

/*
 * runner_capture() - run one helper command to its end and keep its
 * output: case listers, `git`, `ctest --show-only`, `meson introspect`.
 * It is the pool underneath (runner/capture.c): the same spawn, process
 * group, timeout (SIGTERM, then SIGKILL), leak handling and signal
 * forwarding as a test, on a libuv loop that waits (no sleep loops).
 */
struct runner_captured {
	char *output;          /* stdout (+ stderr with RUNNER_STDERR_MERGE),
				* NUL-terminated; caller frees */
	size_t len;
	enum runner_end end;   /* RUNNER_EXITED or RUNNER_SIGNALED on FG_OK */
	int exit_code;         /* RUNNER_EXITED */
	int term_signal;       /* RUNNER_SIGNALED */
};

/*
 * Runs argv (PATH lookup without a '/') in cwd (NULL: ours) with env
 * (NULL: ours) and stdin from /dev/null, for at most timeout_ms (> 0).
 * Returns FG_OK when it ran to an end, whatever its exit status (the
 * caller judges *res), with res->output owned by the caller
 * (runner_captured_release()). Errors, each naming argv[0]: FG_ESPAWN
 * (could not start; ran past the timeout), FG_E2BIG (more than
 * max_output bytes), FG_EINTR (SIGINT/SIGTERM/SIGHUP: it was stopped).
 * On error res holds nothing to release.
 */
int runner_capture(char *const *argv, const char *cwd, char *const *env,
		   int64_t timeout_ms, size_t max_output,
		   enum runner_stderr stderr_to, struct runner_captured *res,
		   struct fg_error *err);
void runner_captured_release(struct runner_captured *res);

/* ====================================================================== */
/* The plan: what to run, in which order, on which CI node                 */
/* ====================================================================== */

/*
 * One schedulable unit: a whole suite, one case of a suite that can run its
 * cases one at a time, or one shard of a suite split with the Bazel
 * sharding protocol.
 */
struct runner_item {
	size_t suite;          /* index into the config's suites */
	char *case_name;       /* the case, or NULL */
	int shard;             /* 0-based shard, or -1 */
	int nshards;
	char *id;              /* unique: "suite", "suite::case", "suite#2/4" */
	int64_t estimate_ms;   /* expected duration */
	bool known;            /* estimate_ms came from history */
	int node;              /* CI node (1-based) after partition, else 0 */
	bool empty;            /* a cases suite that listed none: nothing to
				* run, and an error unless allow_empty */
	int priority;          /* the suite's: higher starts first */
	bool support;          /* another node's item run here too: a
				* fixture setup or cleanup this node's items
				* need (cli/plan.c) */
};

struct runner_plan {
	struct runner_item *items;
	size_t n, cap;
};

void runner_plan_init(struct runner_plan *p);
void runner_plan_release(struct runner_plan *p);

/*
 * Adds the items of suite number `index`. A suite with "cases" is listed
 * now: its list command (or --gtest_list_tests) runs in `cwd` with `env`
 * and at most `timeout_ms`; each printed case becomes an item. Listing
 * failures are FG_ESPAWN/FG_ECONFIG naming the suite and the reason.
 */
int runner_plan_add_suite(struct runner_plan *p, size_t index,
			  const struct fg_suite_cfg *s, const char *cwd,
			  char *const *env, int64_t timeout_ms,
			  struct fg_error *err);

/*
 * Sets every item's estimate: fn returns true and *ms when history knows
 * the item; otherwise default_ms. Then orders the plan: higher priority
 * first (Meson's; 0 for most), then items without history (their cost is
 * unknown; starting them early avoids ending on one), then longest
 * expected first; ties by id, so the order is deterministic.
 */
typedef bool (*runner_estimate_fn)(void *ctx, const struct runner_item *it,
				   int64_t *ms);
void runner_plan_order(struct runner_plan *p, runner_estimate_fn fn,
		       void *ctx, int64_t default_ms);

/*
 * Splits the plan over `total` CI nodes, deterministically for the same
 * plan and estimates: items without history go to the node a stable hash
 * of their id picks, then items with history are packed greedily, longest
 * first, onto the least loaded node. Every item gets exactly one node.
 */
void runner_plan_partition(struct runner_plan *p, int total);

/* Parses "K/N" (1 <= K <= N). FG_EINVAL with a message otherwise. */
int runner_shard_parse(const char *s, int *k, int *n, struct fg_error *err);
/*
 * Reads this node's 1-based index and the total from the CI environment
 * (the CI table, core/ci.c: GitLab, Buildkite, CircleCI, Azure). Returns
 * false when none is set.
 */
bool runner_shard_from_env(int *k, int *n);

#endif /* FG_RUNNER_H */
