/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - `flakeguard COMMAND [OPTIONS]`: dispatch and global help.
 *
 * To add a command: write cli/cmd_<name>.c exporting a struct cli_command,
 * declare it in cli.h, list it in commands[] below, and document it in
 * README.md and docs/flakeguard.1 (a test checks they agree).
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command *const commands[] = {
	&cli_cmd_run,
	&cli_cmd_stress,
	&cli_cmd_list,
	&cli_cmd_verify,
	&cli_cmd_export,
	&cli_cmd_import_history,
	&cli_cmd_import,
	&cli_cmd_history,
	&cli_cmd_merge,
	&cli_cmd_gc,
	&cli_cmd_report,
	&cli_cmd_analyze,
	&cli_cmd_quarantine,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *cli_safe(const char *s)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % 8];

	free(*slot);
	*slot = fg_text_escape(s ? s : "(null)", NULL, 0);
	return *slot;
}

int cli_error(const struct fg_error *err)
{
	/* messages name files, suites and tests: text from outside */
	fputs("flakeguard: ", stderr);
	fg_text_write(stderr, err->msg, NULL, 0);
	fputc('\n', stderr);
	return fg_exit_code(err->code);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	char *msg;

	fputs("flakeguard: ", stderr);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	fg_text_write(stderr, msg ? msg : fmt, NULL, 0);
	free(msg);
	fprintf(stderr, "\nusage: %s\nTry 'flakeguard %s --help'.\n",
		cmd->usage, cmd->name);
	return FG_EXIT_USAGE;
}

int cli_help(const struct cli_command *cmd)
{
	printf("usage: %s\n\n%s\n\n%s", cmd->usage, cmd->summary,
	       cmd->help ? cmd->help : "");
	if (cmd->options) {
		printf("%sOptions:\n", cmd->help && *cmd->help ? "\n" : "");
		cli_options_help(stdout, cmd->options);
	}
	if (cmd->help_after)
		printf("\n%s", cmd->help_after);
	return FG_EXIT_OK;
}

static void main_help(FILE *out)
{
	fprintf(out,
		"usage: flakeguard COMMAND [OPTIONS]\n"
		"       flakeguard --help | --version\n\n"
		"Runs test suites in parallel, records every result in a "
		"history database,\nand tells flaky tests from real "
		"failures.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-15s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out,
		"\n'flakeguard COMMAND --help' describes a command.\n\n"
		"Exit codes: 0 nothing real failed, 1 a test failed, 2 usage "
		"or config error,\n3 infrastructure error (database, spawn, "
		"disk), 129/130/143 interrupted.\n");
}

/*
 * What a command printed must have reached stdout: a full disk, a closed
 * stdout (>&-) or a reader gone (| head) is said, once, and is an
 * infrastructure error when nothing worse happened.
 */
static int check_stdout(int exit_code)
{
	int e = fflush(stdout) ? errno : 0;

	if (!e && !ferror(stdout))
		return exit_code;
	if (e)
		fprintf(stderr, "flakeguard: cannot write to standard output: "
			"%s\n", strerror(e));
	else
		fprintf(stderr, "flakeguard: cannot write to standard "
			"output\n");
	return exit_code == FG_EXIT_OK ? FG_EXIT_INFRA : exit_code;
}

static int run_main(int argc, char **argv)
{
	const char *name;

	/* A closed stdout (| head) must be an error, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		main_help(stderr);
		return FG_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			for (size_t i = 0; i < NCOMMANDS; i++)
				if (!strcmp(commands[i]->name, argv[2]))
					return cli_help(commands[i]);
		}
		main_help(stdout);
		return FG_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("flakeguard %s\n", FG_VERSION);
		return FG_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i]->fn(argc - 1, argv + 1);
	{
		const char *names[NCOMMANDS], *near;

		for (size_t i = 0; i < NCOMMANDS; i++)
			names[i] = commands[i]->name;
		near = cli_nearest(name, names, NCOMMANDS);
		fprintf(stderr, "flakeguard: unknown command '%s'", name);
		if (near)
			fprintf(stderr, " (did you mean '%s'?)", near);
		fprintf(stderr, "\nTry 'flakeguard --help'.\n");
	}
	return FG_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct fg_ci *ci = fg_ci_detect();

	/* Nothing from a test may become a command of the CI we run in. */
	fg_text_set_ci(ci ? ci->commands : 0);
	return check_stdout(run_main(argc, argv));
}
