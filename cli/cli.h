/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - the command table. Each cli/cmd_<name>.c exports one
 * command; main.c dispatches and prints --help from the table, so names,
 * usage and summaries live in one place (git's commands[], tmux cmd_entry).
 *
 * Only cli/ prints errors and picks exit codes (enum fg_exit).
 */
#ifndef FG_CLI_H
#define FG_CLI_H

#include "core/core.h"

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);  /* returns an exit code */
	const char *usage;    /* "flakeguard run [OPTIONS] [--] [PROGRAM...]" */
	const char *summary;  /* one line for `flakeguard --help` */
	const char *help;     /* the options block for `flakeguard CMD --help` */
};

extern const struct cli_command cli_cmd_run;

/* Prints "flakeguard: <msg>" to stderr and returns fg_exit_code(code). */
int cli_error(const struct fg_error *err);
/* Prints usage error and the hint to use --help; returns FG_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the command's usage and options to stdout; returns 0. */
int cli_help(const struct cli_command *cmd);

/* Run metadata: commit, branch, host, CI job, from flags, CI env or git. */
void cli_detect_meta(struct fg_run *run, const char *dir);

#endif /* FG_CLI_H */
