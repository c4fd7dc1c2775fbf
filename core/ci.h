/* SPDX-License-Identifier: MIT */
/*
 * core/ci.h - what flakeguard knows about CI systems, in one table.
 *
 * One row per CI system (core/ci.c): how to detect it, where it keeps the
 * commit, branch, job URL and id, which node of a parallel job this is
 * (and whether it counts from 0 or 1), how it folds a log section, and
 * which command syntax it obeys in the log (so that test-controlled text
 * can be neutralised: core/text.h). Every part of flakeguard that needs
 * one of these reads this table; to support a new CI, add a row.
 */
#ifndef FG_CORE_CI_H
#define FG_CORE_CI_H

#include <stdbool.h>
#include <stddef.h>

/* How a CI folds a section of its log. */
enum fg_ci_fold {
	FG_FOLD_NONE = 0,
	FG_FOLD_GITHUB,    /* ::group::title / ::endgroup:: */
	FG_FOLD_GITLAB,    /* \e[0Ksection_start:T:id[collapsed=true] */
	FG_FOLD_BUILDKITE, /* "--- title" (collapsed group) */
	FG_FOLD_AZURE,     /* ##[group]title / ##[endgroup] */
	FG_FOLD_TEAMCITY,  /* ##teamcity[blockOpened name='...'] */
};

/* Log command syntaxes a CI obeys (bits). */
#define FG_CI_CMD_COLONS    0x01u /* "::cmd ...::" at the start of a line,
				   * after optional whitespace (GitHub) */
#define FG_CI_CMD_HASH      0x02u /* "##[" anywhere (GitHub, Azure) */
#define FG_CI_CMD_VSO       0x04u /* "##vso[" anywhere (Azure) */
#define FG_CI_CMD_TEAMCITY  0x08u /* "##teamcity[" anywhere */
#define FG_CI_CMD_GROUPS    0x10u /* "--- ", "+++ ", "~~~ ", "^^^ +++" at
				   * the start of a line (Buildkite) */
#define FG_CI_CMD_ALL       0x1fu

struct fg_ci {
	const char *id;            /* "github", "gitlab", ... */
	const char *name;          /* "GitHub Actions" */
	const char *detect;        /* set (to detect_value, if given) under it */
	const char *detect_value;
	const char *commit[3];     /* variables, the first one set wins */
	const char *branch[4];
	const char *job_url[2];    /* a variable holding the job's URL */
	const char *url_fmt;       /* else one made of three variables: */
	const char *url_vars[3];   /* url_fmt's %s, in order */
	const char *job_id[2];     /* else one holding its id */
	const char *node_index;    /* this node of a parallel job */
	const char *node_total;
	int node_base;             /* the first node's index: 0 or 1 */
	enum fg_ci_fold fold;
	unsigned commands;         /* FG_CI_CMD_* */
};

/* The table, in detection order. */
const struct fg_ci *fg_ci_table(size_t *n);
/* The CI this process runs under (from the environment), or NULL. */
const struct fg_ci *fg_ci_detect(void);
/*
 * The commit, branch and job (its URL, else its id) from ci's variables;
 * with ci NULL, the first of any CI's variables that is set. Caller frees;
 * NULL when none is set.
 */
char *fg_ci_commit(const struct fg_ci *ci);
char *fg_ci_branch(const struct fg_ci *ci);
char *fg_ci_job(const struct fg_ci *ci);
/*
 * This node's 1-based index *k and the node count *n from ci's parallel
 * job variables (ci NULL: any CI's). False when none is set or they make
 * no sense (0 < k <= n).
 */
bool fg_ci_node(const struct fg_ci *ci, int *k, int *n);

#endif /* FG_CORE_CI_H */
