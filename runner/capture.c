/* SPDX-License-Identifier: MIT */
/*
 * runner/capture.c - run one helper command and keep what it printed.
 *
 * Listing a suite's cases, asking git for the commit, reading
 * `ctest --show-only` or `meson introspect`: each is one process whose
 * output we need whole. They go through the same pool as the tests
 * (git's capture_command() on top of start_command()), so they get the
 * same process group, timeout with SIGTERM then SIGKILL, leak handling
 * and Ctrl-C forwarding, and the libuv loop does the waiting.
 *
 * API: runner_capture(), runner_captured_release() (runner/runner.h).
 */
#include "runner/runner.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

struct capture_state {
	struct runner_job job;
	bool done;
};

static void on_done(struct runner *r, struct runner_job *job, void *data)
{
	struct capture_state *cs = data;

	(void)r;
	(void)job;
	cs->done = true;
}

/* Output beyond max_output (the pool keeps head and tail) is an error. */
static int take_output(struct runner_job *job, size_t max_output,
		       struct runner_captured *res, struct fg_error *err)
{
	if (job->result.output.total > max_output)
		return fg_fail(err, FG_E2BIG, "'%s' printed more than %zu "
			       "bytes", job->argv[0], max_output);
	res->output = fg_buf_text(&job->result.output);
	res->len = strlen(res->output);
	return FG_OK;
}

static int judge(struct runner_job *job, int64_t timeout_ms,
		 size_t max_output, struct runner_captured *res,
		 struct fg_error *err)
{
	const struct runner_result *rr = &job->result;

	switch (rr->end) {
	case RUNNER_SPAWN_FAILED:
		return fg_fail(err, FG_ESPAWN, "could not start '%s': %s",
			       job->argv[0], strerror(rr->spawn_errno));
	case RUNNER_TIMEOUT:
		return fg_fail(err, FG_ESPAWN, "'%s' did not finish within "
			       "%lld.%03llds", job->argv[0],
			       (long long)timeout_ms / 1000,
			       (long long)timeout_ms % 1000);
	case RUNNER_INTERRUPTED:
	case RUNNER_CANCELLED:
		return fg_fail(err, FG_EINTR, "'%s' was interrupted",
			       job->argv[0]);
	case RUNNER_NOT_STARTED:
		FG_BUG("a capture has no on_ready to decline it");
	case RUNNER_EXITED:
	case RUNNER_SIGNALED:
		break;
	}
	res->end = rr->end;
	res->exit_code = rr->exit_code;
	res->term_signal = rr->term_signal;
	return take_output(job, max_output, res, err);
}

int runner_capture(char *const *argv, const char *cwd, char *const *env,
		   int64_t timeout_ms, size_t max_output,
		   enum runner_stderr stderr_to, struct runner_captured *res,
		   struct fg_error *err)
{
	struct capture_state cs = {
		.job = {
			.name = argv[0],
			.argv = argv,
			.env = env ? env : environ,
			.cwd = cwd,
			.timeout_ms = timeout_ms,
			.stderr_to = stderr_to,
		},
	};
	struct runner_opts ro = {
		.jobs = 1,
		/* the pool keeps head + tail; one byte more tells it dropped */
		.output_max = max_output + 1,
		.on_done = on_done,
		.data = &cs,
	};
	struct runner *r;
	int rc;

	memset(res, 0, sizeof(*res));
	if (timeout_ms <= 0)
		FG_BUG("runner_capture without a timeout");
	if ((rc = runner_new(&ro, &r, err)))
		return rc;
	runner_submit(r, &cs.job);
	rc = runner_run(r);
	runner_free(r);
	if (!cs.done)
		return fg_fail(err, FG_EINTR, "'%s' was interrupted", argv[0]);
	rc = judge(&cs.job, timeout_ms, max_output, res, err);
	runner_job_release(&cs.job);
	return rc;
}

void runner_captured_release(struct runner_captured *res)
{
	free(res->output);
	memset(res, 0, sizeof(*res));
}
