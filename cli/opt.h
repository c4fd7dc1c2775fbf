/* SPDX-License-Identifier: MIT */
/*
 * cli/opt.h - each command declares its options once, in one table.
 *
 * The table (git's parse-options, tmux's args) gives, per option: its
 * names, where its value goes (an offset into the command's options
 * struct), how the argument is checked, its help text, and which
 * environment variable and flakeguard.json key may also set it. From it
 * come the parser, the "Options:" block of --help, the record of which
 * options were given, and one resolve step with one precedence rule:
 *
 *     built-in default < flakeguard.json < environment < command line
 *
 * The default is whatever the struct holds before cli_parse(). Nothing
 * else in cli/ decides precedence.
 *
 * Recipe:
 *   static const struct cli_opt run_options[] = {
 *       CLI_INT('j', "jobs", struct run_opts, jobs, "N", 1, 4096,
 *               "run N at once (default: usable cores)"),
 *       ...
 *       CLI_END,
 *   };
 *   and .options = run_options in the struct cli_command. Then:
 *   rc = cli_parse(&cli_cmd_run, argc, argv, &o, &parsed);
 *   ... load the config ...
 *   rc = cli_resolve(&cli_cmd_run, &o, &parsed, &cfg);
 */
#ifndef FG_CLI_OPT_H
#define FG_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cli_command;
struct fg_config;

enum cli_opt_kind {
	CLI_OPT_END = 0,
	CLI_OPT_FLAG,     /* bool: true when given */
	CLI_OPT_SET,      /* int: set to .min when given (-q: verbosity -1) */
	CLI_OPT_STRING,   /* const char *: the argument, borrowed from argv */
	CLI_OPT_PATH,     /* like STRING, but never empty */
	CLI_OPT_INT,      /* int in [min, max] */
	CLI_OPT_DURATION, /* int64_t milliseconds ("90s", "1500ms", "5m") */
	CLI_OPT_CHOICE,   /* const char *: one of .choices */
	CLI_OPT_LIST,     /* struct cli_list: every occurrence, in order */
	CLI_OPT_HELP,     /* prints the command's help */
};

/* flakeguard.json keys an option may take its value from. */
enum cli_cfg_key {
	CLI_CFG_NONE = 0,
	CLI_CFG_JOBS,
	CLI_CFG_TIMEOUT,
	CLI_CFG_RETRIES,
	CLI_CFG_DB,
	CLI_CFG_NEW_TEST_RUNS,
	CLI_CFG_STRESS_BUDGET,
};

struct cli_opt {
	enum cli_opt_kind kind;
	int short_name;          /* 'j', or 0 */
	const char *long_name;   /* "jobs" */
	size_t off;              /* offsetof(options struct, field) */
	const char *arg;         /* the argument in help: "N"; NULL: none */
	const char *help;        /* '\n' starts a continuation line */
	long long min, max;      /* CLI_OPT_INT range; CLI_OPT_SET value */
	const char *const *choices; /* CLI_OPT_CHOICE, NULL-terminated */
	const char *env;         /* environment variable that sets it */
	enum cli_cfg_key cfg;    /* flakeguard.json key that sets it */
};

/* A repeatable option's values (borrowed from argv). Freed by cli_parsed_release(). */
struct cli_list {
	const char **v;
	size_t n;
};

#define CLI_OPT_MAX 64

/* Where an option's value came from. */
enum cli_source {
	CLI_FROM_DEFAULT = 0,
	CLI_FROM_CONFIG,
	CLI_FROM_ENV,
	CLI_FROM_FLAG,
};

struct cli_parsed {
	char **args;     /* the positional arguments, in order (argv's) */
	int nargs;
	unsigned char from[CLI_OPT_MAX]; /* enum cli_source, per table row */
	void *opts;      /* the struct given to cli_parse() */
};

/* Returned by cli_parse() after --help was printed: exit 0. */
#define CLI_HELP_SHOWN (-1)

/*
 * Parses argv[1..] (argv[0] is the command's name) into opts. Long
 * options must be spelled out (no prefixes): an unknown one is a usage
 * error that suggests the nearest ("did you mean --retries?"). "--opt=v"
 * and "--opt v", "-j4" and "-j 4", and bundles of short flags ("-qv")
 * work; "--" ends the options. Positional arguments are collected in
 * p->args; with CLI_STOP_AT_ARG in the command's flags the first one ends
 * the options (run's programs keep their own options).
 *
 * Returns 0, CLI_HELP_SHOWN, or an exit code after printing the usage
 * error. p is valid for cli_parsed_release() in every case.
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      void *opts, struct cli_parsed *p);
/*
 * Fills in, for each option not given on the command line, its
 * environment variable's value, else the config's (cfg may be NULL).
 * Returns 0 or an exit code (a bad value names the variable or key).
 */
int cli_resolve(const struct cli_command *cmd, struct cli_parsed *p,
		const struct fg_config *cfg);
/* Where option `long_name` came from (CLI_FROM_DEFAULT: nowhere). */
enum cli_source cli_opt_source(const struct cli_command *cmd,
			       const struct cli_parsed *p,
			       const char *long_name);
void cli_parsed_release(const struct cli_command *cmd, struct cli_parsed *p);

/* The "Options:" block of --help, generated from the table. */
void cli_options_help(FILE *out, const struct cli_opt *options);

/* Choices shared by several commands. */
extern const char *const cli_color_choices[];   /* auto, always, never */
extern const char *const cli_profile_choices[]; /* surefire, attempts, plain */

/* The name among list[0..n) nearest to s, or NULL if none is near. */
const char *cli_nearest(const char *s, const char *const *list, size_t n);

/*
 * ---- declaring options --------------------------------------------------
 * Extra designated initializers may follow the help text:
 *   CLI_INT(0, "retries", struct run_opts, retries, "N", 0, 100, "...",
 *           .cfg = CLI_CFG_RETRIES, .env = "FLAKEGUARD_RETRIES")
 */

#define CLI_END { .kind = CLI_OPT_END }
#define CLI_FLAG(s, l, T, f, h, ...) \
	{ .kind = CLI_OPT_FLAG, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .help = (h), __VA_ARGS__ }
#define CLI_SET(s, l, T, f, value, h, ...) \
	{ .kind = CLI_OPT_SET, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .min = (value), .help = (h), __VA_ARGS__ }
#define CLI_STRING(s, l, T, f, a, h, ...) \
	{ .kind = CLI_OPT_STRING, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_PATH(s, l, T, f, a, h, ...) \
	{ .kind = CLI_OPT_PATH, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_INT(s, l, T, f, a, lo, hi, h, ...) \
	{ .kind = CLI_OPT_INT, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = (a), .min = (lo), .max = (hi), \
	  .help = (h), __VA_ARGS__ }
#define CLI_DURATION(s, l, T, f, h, ...) \
	{ .kind = CLI_OPT_DURATION, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = "DURATION", .help = (h), __VA_ARGS__ }
#define CLI_CHOICE(s, l, T, f, a, c, h, ...) \
	{ .kind = CLI_OPT_CHOICE, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = (a), .choices = (c), .help = (h), __VA_ARGS__ }
#define CLI_LIST(s, l, T, f, a, h, ...) \
	{ .kind = CLI_OPT_LIST, .short_name = (s), .long_name = (l), \
	  .off = offsetof(T, f), .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_HELP_OPT \
	{ .kind = CLI_OPT_HELP, .short_name = 'h', .long_name = "help", \
	  .help = "this help" }

#endif /* FG_CLI_OPT_H */
