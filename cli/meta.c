/* SPDX-License-Identifier: MIT */
/*
 * cli/meta.c - what a run is about: commit, branch, host and CI job.
 *
 * Flags win; then the CI's own variables (the CI table, core/ci.c: the
 * detected CI's, else the first any CI sets); then git in the project
 * directory. The CI job is its URL when the CI gives one, else its job
 * id; the shard comes from the CI's parallel-job variables.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

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

void cli_detect_meta(struct fg_run *run, const char *dir)
{
	const struct fg_ci *ci = fg_ci_detect();
	char host[256];
	int k, n;

	if (!run->commit)
		run->commit = fg_ci_commit(ci);
	if (!run->branch)
		run->branch = fg_ci_branch(ci);
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
	if (!run->ci_job)
		run->ci_job = fg_ci_job(ci);
	if (!run->shard && fg_ci_node(ci, &k, &n) && n > 1)
		run->shard = fg_xasprintf("%d/%d", k, n);
	if (!run->host && !gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = '\0';
		run->host = fg_xstrdup(host);
	}
}
