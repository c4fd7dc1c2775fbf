/* SPDX-License-Identifier: MIT */
/*
 * core/ci.c - the CI table: one row per CI system (core/ci.h).
 *
 * Sources: each CI's documentation of its predefined variables and log
 * commands (GitHub Actions "workflow commands", GitLab "predefined
 * variables" and collapsible sections, Buildkite "managing log output",
 * CircleCI "built-in environment variables", Jenkins "env-vars.html",
 * Azure Pipelines "logging commands", TeamCity "service messages").
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct fg_ci table[] = {
	{
		.id = "github", .name = "GitHub Actions",
		.detect = "GITHUB_ACTIONS", .detect_value = "true",
		.commit = { "GITHUB_SHA" },
		/* a pull request's own branch, else the ref built */
		.branch = { "GITHUB_HEAD_REF", "GITHUB_REF_NAME" },
		.url_fmt = "%s/%s/actions/runs/%s",
		.url_vars = { "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
			      "GITHUB_RUN_ID" },
		.job_id = { "GITHUB_RUN_ID" },
		/* matrix jobs name their own index: no standard variable */
		.fold = FG_FOLD_GITHUB,
		.commands = FG_CI_CMD_COLONS | FG_CI_CMD_HASH,
	},
	{
		.id = "gitlab", .name = "GitLab CI",
		.detect = "GITLAB_CI", .detect_value = "true",
		.commit = { "CI_COMMIT_SHA" },
		.branch = { "CI_COMMIT_REF_NAME" },
		.job_url = { "CI_JOB_URL" },
		.job_id = { "CI_JOB_ID" },
		.node_index = "CI_NODE_INDEX", .node_total = "CI_NODE_TOTAL",
		.node_base = 1,
		.fold = FG_FOLD_GITLAB,
		/* its section markers need ESC, which core/text.c escapes */
		.commands = 0,
	},
	{
		.id = "buildkite", .name = "Buildkite",
		.detect = "BUILDKITE", .detect_value = "true",
		.commit = { "BUILDKITE_COMMIT" },
		.branch = { "BUILDKITE_BRANCH" },
		.job_url = { "BUILDKITE_BUILD_URL" },
		.job_id = { "BUILDKITE_JOB_ID" },
		.node_index = "BUILDKITE_PARALLEL_JOB",
		.node_total = "BUILDKITE_PARALLEL_JOB_COUNT",
		.node_base = 0,
		.fold = FG_FOLD_BUILDKITE,
		.commands = FG_CI_CMD_GROUPS,
	},
	{
		.id = "circleci", .name = "CircleCI",
		.detect = "CIRCLECI", .detect_value = "true",
		.commit = { "CIRCLE_SHA1" },
		.branch = { "CIRCLE_BRANCH" },
		.job_url = { "CIRCLE_BUILD_URL" },
		.job_id = { "CIRCLE_WORKFLOW_JOB_ID" },
		.node_index = "CIRCLE_NODE_INDEX",
		.node_total = "CIRCLE_NODE_TOTAL",
		.node_base = 0,
		.fold = FG_FOLD_NONE,
		.commands = 0,
	},
	{
		.id = "azure", .name = "Azure Pipelines",
		.detect = "TF_BUILD", .detect_value = "True",
		.commit = { "BUILD_SOURCEVERSION" },
		.branch = { "SYSTEM_PULLREQUEST_SOURCEBRANCH",
			    "BUILD_SOURCEBRANCHNAME" },
		.url_fmt = "%s%s/_build/results?buildId=%s",
		.url_vars = { "SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT",
			      "BUILD_BUILDID" },
		.job_id = { "BUILD_BUILDID" },
		.node_index = "SYSTEM_JOBPOSITIONINPHASE",
		.node_total = "SYSTEM_TOTALJOBSINPHASE",
		.node_base = 1,
		.fold = FG_FOLD_AZURE,
		.commands = FG_CI_CMD_HASH | FG_CI_CMD_VSO,
	},
	{
		.id = "teamcity", .name = "TeamCity",
		.detect = "TEAMCITY_VERSION",
		.commit = { "BUILD_VCS_NUMBER" },
		.job_id = { "BUILD_NUMBER" },
		.fold = FG_FOLD_TEAMCITY,
		.commands = FG_CI_CMD_TEAMCITY,
	},
	{
		/* last: JENKINS_URL is also set on agents outside jobs */
		.id = "jenkins", .name = "Jenkins",
		.detect = "JENKINS_URL",
		.commit = { "GIT_COMMIT" },
		.branch = { "BRANCH_NAME", "GIT_BRANCH" },
		.job_url = { "BUILD_URL" },
		.job_id = { "BUILD_TAG" },
		.fold = FG_FOLD_NONE,
		.commands = 0,
	},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

const struct fg_ci *fg_ci_table(size_t *n)
{
	*n = NTABLE;
	return table;
}

static const char *env(const char *name)
{
	const char *v = name ? getenv(name) : NULL;

	return v && *v ? v : NULL;
}

const struct fg_ci *fg_ci_detect(void)
{
	for (size_t i = 0; i < NTABLE; i++) {
		const char *v = env(table[i].detect);

		if (v && (!table[i].detect_value ||
			  !strcmp(v, table[i].detect_value)))
			return &table[i];
	}
	return NULL;
}

/* The first of vars (n at most) that is set, in ci's row or any row. */
static const char *first(const struct fg_ci *ci, size_t off, size_t n)
{
	for (size_t i = 0; i < NTABLE; i++) {
		const struct fg_ci *row = ci ? ci : &table[i];
		const char *const *vars =
			(const char *const *)((const char *)row + off);

		for (size_t k = 0; k < n; k++) {
			const char *v = env(vars[k]);

			if (v)
				return v;
		}
		if (ci)
			break;
	}
	return NULL;
}

#define FIRST(ci, field) \
	first((ci), offsetof(struct fg_ci, field), \
	      sizeof(((struct fg_ci *)0)->field) / sizeof(char *))

char *fg_ci_commit(const struct fg_ci *ci)
{
	return fg_xstrdup(FIRST(ci, commit));
}

char *fg_ci_branch(const struct fg_ci *ci)
{
	return fg_xstrdup(FIRST(ci, branch));
}

static char *composed_url(const struct fg_ci *row)
{
	const char *a = env(row->url_vars[0]), *b = env(row->url_vars[1]);
	const char *c = env(row->url_vars[2]);

	if (!row->url_fmt || !a || !b || !c)
		return NULL;
	return fg_xasprintf(row->url_fmt, a, b, c);
}

char *fg_ci_job(const struct fg_ci *ci)
{
	const char *v = FIRST(ci, job_url);
	char *url = NULL;

	if (v)
		return fg_xstrdup(v);
	for (size_t i = 0; !url && i < NTABLE; i++) {
		url = composed_url(ci ? ci : &table[i]);
		if (ci)
			break;
	}
	return url ? url : fg_xstrdup(FIRST(ci, job_id));
}

static bool env_long(const char *name, long *out)
{
	const char *v = env(name);
	char *end;

	if (!v)
		return false;
	*out = strtol(v, &end, 10);
	return !*end;
}

bool fg_ci_node(const struct fg_ci *ci, int *k, int *n)
{
	for (size_t i = 0; i < NTABLE; i++) {
		const struct fg_ci *row = ci ? ci : &table[i];
		long idx, total;

		if (row->node_index && env_long(row->node_index, &idx) &&
		    env_long(row->node_total, &total)) {
			idx += 1 - row->node_base;
			if (total >= 1 && total <= 1000000 && idx >= 1 &&
			    idx <= total) {
				*k = (int)idx;
				*n = (int)total;
				return true;
			}
		}
		if (ci)
			break;
	}
	return false;
}
