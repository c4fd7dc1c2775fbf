/* SPDX-License-Identifier: MIT */
/*
 * cli/meta.c - what a run is about: commit, branch, host and CI job.
 *
 * Flags win; then the CI's own variables (GitHub Actions, GitLab CI,
 * Jenkins, Buildkite, CircleCI); then git in the project directory.
 * The CI job is its URL when the CI gives one, else its job id; the shard
 * comes from the CI's parallel-job variables (see ci_shard()).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *first_env(const char *const *names)
{
	for (; *names; names++) {
		const char *v = getenv(*names);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* How long git may take to answer (a slow network filesystem, a lock). */
#define GIT_TIMEOUT_MS 10000

/*
 * The commit and branch git knows for dir, from one `git rev-parse` run
 * directly (no shell): two processes fewer than asking twice through
 * popen, which counts when a run is a thousand trivial tests. Either may
 * come back NULL (not a repository, detached HEAD, no git, git too slow).
 */
static void git_head(const char *dir, char **commit, char **branch)
{
	char *argv[] = { "git", "-C", (char *)dir, "rev-parse", "HEAD",
			 "--abbrev-ref", "HEAD", NULL };
	struct runner_captured cap;
	struct fg_error err;
	char *buf, *nl;

	*commit = *branch = NULL;
	if (runner_capture(argv, NULL, NULL, GIT_TIMEOUT_MS, 4096,
			   RUNNER_STDERR_NULL, &cap, &err)) {
		fg_log(FG_LOG_DEBUG, "meta", "git: %s", err.msg);
		return;
	}
	buf = cap.output;
	if (cap.end == RUNNER_EXITED && (nl = strchr(buf, '\n')) && nl != buf) {
		*nl = '\0';
		*commit = fg_xstrdup(buf);
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		if (nl[1] && strcmp(nl + 1, "HEAD"))
			*branch = fg_xstrdup(nl + 1);
	}
	runner_captured_release(&cap);
}

/*
 * "K/N" (1-based) from the CI's parallelism variables, or NULL: GitLab
 * CI_NODE_INDEX/CI_NODE_TOTAL (1-based), Buildkite BUILDKITE_PARALLEL_JOB
 * and CircleCI CIRCLE_NODE_INDEX (0-based) with their totals. GitHub
 * Actions and Jenkins have no standard variable (matrix jobs name their
 * own). Caller frees.
 */
static char *ci_shard(void)
{
	static const struct {
		const char *index, *total;
		int base;
	} vars[] = {
		{ "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },
		{ "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0 },
		{ "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *k = getenv(vars[i].index);
		const char *n = getenv(vars[i].total);
		char *end1, *end2;
		long ki, ni;

		if (!k || !n || !*k || !*n)
			continue;
		ki = strtol(k, &end1, 10) + (1 - vars[i].base);
		ni = strtol(n, &end2, 10);
		if (*end1 || *end2 || ni < 2 || ki < 1 || ki > ni)
			continue;
		return fg_xasprintf("%ld/%ld", ki, ni);
	}
	return NULL;
}

void cli_detect_meta(struct fg_run *run, const char *dir)
{
	static const char *const commit_vars[] = {
		"GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "BUILDKITE_COMMIT",
		"CIRCLE_SHA1", NULL,
	};
	static const char *const branch_vars[] = {
		"GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME",
		"BRANCH_NAME", "GIT_BRANCH", "BUILDKITE_BRANCH", "CIRCLE_BRANCH",
		NULL,
	};
	static const char *const job_vars[] = {
		"CI_JOB_URL", "BUILD_URL", "BUILDKITE_BUILD_URL",
		"CIRCLE_BUILD_URL", NULL,
	};
	/* When the CI gives no URL, its job id still names the job. */
	static const char *const job_id_vars[] = {
		"CI_JOB_ID", "BUILDKITE_JOB_ID", "CIRCLE_WORKFLOW_JOB_ID",
		"BUILD_TAG", "GITHUB_RUN_ID", NULL,
	};
	char host[256];

	if (!run->commit)
		run->commit = fg_xstrdup(first_env(commit_vars));
	if (!run->branch)
		run->branch = fg_xstrdup(first_env(branch_vars));
	if (!run->commit || !run->branch) {
		char *commit, *branch;

		git_head(dir, &commit, &branch);
		if (!run->commit)
			run->commit = commit;
		else
			free(commit);
		if (!run->branch)
			run->branch = branch;
		else
			free(branch);
	}
	if (!run->ci_job) {
		const char *gh = getenv("GITHUB_RUN_ID");

		run->ci_job = fg_xstrdup(first_env(job_vars));
		if (!run->ci_job && gh && getenv("GITHUB_SERVER_URL") &&
		    getenv("GITHUB_REPOSITORY"))
			run->ci_job = fg_xasprintf("%s/%s/actions/runs/%s",
						   getenv("GITHUB_SERVER_URL"),
						   getenv("GITHUB_REPOSITORY"),
						   gh);
	}
	if (!run->ci_job)
		run->ci_job = fg_xstrdup(first_env(job_id_vars));
	if (!run->shard)
		run->shard = ci_shard();
	if (!run->host && !gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = '\0';
		run->host = fg_xstrdup(host);
	}
}
