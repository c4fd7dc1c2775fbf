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
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/*
 * The commit and branch git knows for dir, from one `git rev-parse` run
 * directly (no shell): two processes fewer than asking twice through
 * popen, which counts when a run is a thousand trivial tests. Either may
 * come back NULL (not a repository, detached HEAD, no git).
 */
static void git_head(const char *dir, char **commit, char **branch)
{
	char *argv[] = { "git", "-C", (char *)dir, "rev-parse", "HEAD",
			 "--abbrev-ref", "HEAD", NULL };
	posix_spawn_file_actions_t fa;
	char buf[1024], *nl;
	size_t len = 0;
	ssize_t n;
	int fds[2];
	pid_t pid;

	*commit = *branch = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	       (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	if (!(nl = strchr(buf, '\n')) || nl == buf)
		return;
	*nl = '\0';
	*commit = fg_xstrdup(buf);
	buf[len - (buf[len - 1] == '\n')] = '\0';
	if (*(nl + 1) && strcmp(nl + 1, "HEAD"))
		*branch = fg_xstrdup(nl + 1);
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
