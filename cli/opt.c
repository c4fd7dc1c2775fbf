/* SPDX-License-Identifier: MIT */
/*
 * cli/opt.c - the option parser, help generator and resolve step behind
 * every command's option table (cli/opt.h).
 *
 * Why not getopt_long: it accepts any unambiguous prefix of a long
 * option, so `--retry 2` silently meant --retries and a misspelling could
 * never be answered with "did you mean". The syntax accepted is getopt's
 * otherwise (long options with = or a separate argument, short options
 * bundled or with an attached argument, "--" to end them).
 */
#include "cli/cli.h"
#include "cli/opt.h"

#include <stdlib.h>
#include <string.h>

const char *const cli_color_choices[] = { "auto", "always", "never", NULL };
const char *const cli_profile_choices[] = {
	"surefire", "attempts", "plain", NULL,
};

/* ---------------------------------------------------------------------- */
/* Suggestions                                                             */
/* ---------------------------------------------------------------------- */

/* Optimal string alignment distance (Levenshtein plus transpositions). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = fg_xcalloc((la + 1) * (lb + 1), sizeof(*d));
	size_t r;

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = D(i - 1, j) + 1;

			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *cli_nearest(const char *s, const char *const *list, size_t n)
{
	size_t best = (size_t)-1, limit = (strlen(s) + 1) / 2;
	const char *found = NULL;

	if (limit < 1)
		limit = 1;
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!list[i])
			continue;
		/* "--retr" for --retries: a prefix is as near as it gets */
		d = !strncmp(list[i], s, strlen(s)) ? 1 :
		    edit_distance(s, list[i]);
		if (d < best) {
			best = d;
			found = list[i];
		}
	}
	return best <= limit ? found : NULL;
}

/* ---------------------------------------------------------------------- */
/* Storing a value                                                         */
/* ---------------------------------------------------------------------- */

static size_t nopts(const struct cli_opt *t)
{
	size_t n = 0;

	while (t && t[n].kind != CLI_OPT_END)
		n++;
	if (n > CLI_OPT_MAX)
		FG_BUG("more than CLI_OPT_MAX options in one table");
	return n;
}

#define FIELD(p, o, type) ((type *)((char *)(p) + (o)->off))

static bool is_choice(const struct cli_opt *o, const char *arg)
{
	for (size_t i = 0; o->choices && o->choices[i]; i++)
		if (!strcmp(o->choices[i], arg))
			return true;
	return false;
}

static void choices_text(const struct cli_opt *o, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; o->choices && o->choices[i]; i++) {
		const char *sep = !i ? "" : o->choices[i + 1] ? ", " : " or ";
		int w = snprintf(buf + len, size - len, "%s%s", sep,
				 o->choices[i]);

		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
}

/*
 * Stores arg into the option's field. `what` names where it came from in
 * messages: "--jobs", "FLAKEGUARD_JOBS". Returns 0 or an exit code.
 */
static int store(const struct cli_command *cmd, const struct cli_opt *o,
		 struct cli_parsed *p, const char *what, const char *arg)
{
	struct fg_error err;
	char list[256];

	switch (o->kind) {
	case CLI_OPT_FLAG:
		*FIELD(p->opts, o, bool) = true;
		return 0;
	case CLI_OPT_SET:
		*FIELD(p->opts, o, int) = (int)o->min;
		return 0;
	case CLI_OPT_PATH:
		if (!*arg)
			return cli_usage_error(cmd, "%s needs a non-empty value",
					       what);
		/* fall through */
	case CLI_OPT_STRING:
		*FIELD(p->opts, o, const char *) = arg;
		return 0;
	case CLI_OPT_INT:
		if (cli_int_arg(arg, (int)o->min, (int)o->max,
				FIELD(p->opts, o, int)))
			return cli_usage_error(cmd, "invalid %s '%s' (expected "
					       "%lld to %lld)", what, arg,
					       o->min, o->max);
		return 0;
	case CLI_OPT_DURATION:
		if (fg_duration_parse(arg, FIELD(p->opts, o, int64_t), &err))
			return cli_usage_error(cmd, "%s: %s", what, err.msg);
		return 0;
	case CLI_OPT_CHOICE:
		if (!is_choice(o, arg)) {
			choices_text(o, list, sizeof(list));
			return cli_usage_error(cmd, "invalid %s '%s' (expected "
					       "%s)", what, arg, list);
		}
		*FIELD(p->opts, o, const char *) = arg;
		return 0;
	case CLI_OPT_LIST: {
		struct cli_list *l = FIELD(p->opts, o, struct cli_list);

		l->v = fg_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = arg;
		return 0;
	}
	case CLI_OPT_HELP:
	case CLI_OPT_END:
		break;
	}
	FG_BUG("option kind %d cannot store a value", (int)o->kind);
	return FG_EXIT_USAGE;
}

/* ---------------------------------------------------------------------- */
/* Parsing                                                                 */
/* ---------------------------------------------------------------------- */

static bool takes_arg(const struct cli_opt *o)
{
	return o->kind != CLI_OPT_FLAG && o->kind != CLI_OPT_SET &&
	       o->kind != CLI_OPT_HELP;
}

/* "5 min": a bare number followed by a unit word is a usage error. */
static bool unit_word(const char *s)
{
	static const char *const units[] = {
		"ms", "s", "sec", "secs", "second", "seconds", "m", "min",
		"mins", "minute", "minutes", "h", "hour", "hours",
	};

	for (size_t i = 0; s && i < sizeof(units) / sizeof(*units); i++)
		if (!strcmp(s, units[i]))
			return true;
	return false;
}

static bool bare_number(const char *s)
{
	char *end;

	(void)strtod(s, &end);
	return end != s && !*end;
}

static int unknown_long(const struct cli_command *cmd, const char *name,
			size_t len)
{
	const struct cli_opt *t = cmd->options;
	const char *names[CLI_OPT_MAX];
	char *want = fg_xstrndup(name, len);
	const char *near;
	size_t n = nopts(t);
	int rc;

	for (size_t i = 0; i < n; i++)
		names[i] = t[i].long_name;
	near = cli_nearest(want, names, n);
	if (near)
		rc = cli_usage_error(cmd, "unknown option '--%s' (did you mean "
				     "--%s?)", want, near);
	else
		rc = cli_usage_error(cmd, "unknown option '--%s'", want);
	free(want);
	return rc;
}

/* Applies option number i, whose argument is *arg (may consume argv). */
static int apply(const struct cli_command *cmd, struct cli_parsed *p,
		 size_t i, const char *arg, int argc, char **argv, int *k)
{
	const struct cli_opt *o = &cmd->options[i];
	char what[96];
	int rc;

	if (o->kind == CLI_OPT_HELP) {
		cli_help(cmd);
		return CLI_HELP_SHOWN;
	}
	if (o->long_name)
		snprintf(what, sizeof(what), "--%s", o->long_name);
	else
		snprintf(what, sizeof(what), "-%c", o->short_name);
	if (takes_arg(o) && !arg) {
		if (*k + 1 >= argc)
			return cli_usage_error(cmd, "%s needs a value%s%s", what,
					       o->arg ? ": " : "",
					       o->arg ? o->arg : "");
		arg = argv[++*k];
		if (o->kind == CLI_OPT_DURATION && bare_number(arg) &&
		    *k + 1 < argc && unit_word(argv[*k + 1]))
			return cli_usage_error(cmd, "invalid %s '%s %s': write "
					       "it as one word, '%s%s'", what,
					       arg, argv[*k + 1], arg,
					       argv[*k + 1]);
	}
	if ((rc = store(cmd, o, p, what, arg)))
		return rc;
	p->from[i] = CLI_FROM_FLAG;
	return 0;
}

static int parse_long(const struct cli_command *cmd, struct cli_parsed *p,
		      int argc, char **argv, int *k)
{
	const char *name = argv[*k] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *t = cmd->options;

	for (size_t i = 0; i < nopts(t); i++) {
		if (!t[i].long_name || strlen(t[i].long_name) != len ||
		    strncmp(t[i].long_name, name, len))
			continue;
		if (eq && !takes_arg(&t[i]))
			return cli_usage_error(cmd, "--%s takes no value",
					       t[i].long_name);
		return apply(cmd, p, i, eq ? eq + 1 : NULL, argc, argv, k);
	}
	return unknown_long(cmd, name, len);
}

static int parse_short(const struct cli_command *cmd, struct cli_parsed *p,
		       int argc, char **argv, int *k)
{
	const char *s = argv[*k] + 1;
	const struct cli_opt *t = cmd->options;

	while (*s) {
		size_t i, n = nopts(t);
		int rc;

		for (i = 0; i < n && t[i].short_name != *s; i++)
			;
		if (i == n)
			return cli_usage_error(cmd, "unknown option '-%c'", *s);
		if (takes_arg(&t[i]))
			return apply(cmd, p, i, s[1] ? s + 1 : NULL, argc, argv,
				     k);
		if ((rc = apply(cmd, p, i, NULL, argc, argv, k)))
			return rc;
		s++;
	}
	return 0;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      void *opts, struct cli_parsed *p)
{
	bool options_done = false;

	memset(p, 0, sizeof(*p));
	p->opts = opts;
	p->args = fg_xcalloc((size_t)argc + 1, sizeof(char *));
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		int rc;

		if (options_done || a[0] != '-' || !a[1]) {
			p->args[p->nargs++] = argv[k];
			if (cmd->flags & CLI_STOP_AT_ARG)
				options_done = true;
			continue;
		}
		if (!strcmp(a, "--")) {
			options_done = true;
			continue;
		}
		rc = a[1] == '-' ? parse_long(cmd, p, argc, argv, &k) :
				   parse_short(cmd, p, argc, argv, &k);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Resolving: default < config < environment < command line                */
/* ---------------------------------------------------------------------- */

static const char *cfg_key_name(enum cli_cfg_key k)
{
	switch (k) {
	case CLI_CFG_JOBS: return "jobs";
	case CLI_CFG_TIMEOUT: return "timeout";
	case CLI_CFG_RETRIES: return "retries";
	case CLI_CFG_DB: return "db";
	case CLI_CFG_NEW_TEST_RUNS: return "new_test_runs";
	case CLI_CFG_STRESS_BUDGET: return "stress_budget";
	case CLI_CFG_NONE: break;
	}
	return "?";
}

/* The config's value for key, if it sets one. */
static bool from_config(const struct cli_opt *o, const struct fg_config *cfg,
			void *opts)
{
	switch (o->cfg) {
	case CLI_CFG_JOBS:
		if (cfg->jobs <= 0)
			return false;
		*FIELD(opts, o, int) = cfg->jobs;
		return true;
	case CLI_CFG_TIMEOUT:
		if (cfg->timeout_ms <= 0)
			return false;
		*FIELD(opts, o, int64_t) = cfg->timeout_ms;
		return true;
	case CLI_CFG_RETRIES:
		if (cfg->retries < 0)
			return false;
		*FIELD(opts, o, int) = cfg->retries;
		return true;
	case CLI_CFG_DB:
		if (!cfg->db)
			return false;
		*FIELD(opts, o, const char *) = cfg->db;
		return true;
	case CLI_CFG_NEW_TEST_RUNS:
		if (cfg->new_test_runs < 0)
			return false;
		*FIELD(opts, o, int) = cfg->new_test_runs;
		return true;
	case CLI_CFG_STRESS_BUDGET:
		if (cfg->stress_budget_ms <= 0)
			return false;
		*FIELD(opts, o, int64_t) = cfg->stress_budget_ms;
		return true;
	case CLI_CFG_NONE:
		break;
	}
	return false;
}

static void check_cfg_kind(const struct cli_opt *o)
{
	static const enum cli_opt_kind want[] = {
		[CLI_CFG_JOBS] = CLI_OPT_INT, [CLI_CFG_TIMEOUT] = CLI_OPT_DURATION,
		[CLI_CFG_RETRIES] = CLI_OPT_INT, [CLI_CFG_DB] = CLI_OPT_PATH,
		[CLI_CFG_NEW_TEST_RUNS] = CLI_OPT_INT,
		[CLI_CFG_STRESS_BUDGET] = CLI_OPT_DURATION,
	};

	if (o->cfg && want[o->cfg] != o->kind)
		FG_BUG("--%s cannot take flakeguard.json's \"%s\"",
		       o->long_name, cfg_key_name(o->cfg));
}

int cli_resolve(const struct cli_command *cmd, struct cli_parsed *p,
		const struct fg_config *cfg)
{
	const struct cli_opt *t = cmd->options;

	for (size_t i = 0; i < nopts(t); i++) {
		const char *v = t[i].env ? getenv(t[i].env) : NULL;
		int rc;

		check_cfg_kind(&t[i]);
		if (p->from[i] == CLI_FROM_FLAG)
			continue;
		if (v && *v) {
			if ((rc = store(cmd, &t[i], p, t[i].env, v)))
				return rc;
			p->from[i] = CLI_FROM_ENV;
		} else if (cfg && t[i].cfg && from_config(&t[i], cfg, p->opts)) {
			p->from[i] = CLI_FROM_CONFIG;
		}
	}
	return 0;
}

enum cli_source cli_opt_source(const struct cli_command *cmd,
			       const struct cli_parsed *p,
			       const char *long_name)
{
	const struct cli_opt *t = cmd->options;

	for (size_t i = 0; i < nopts(t); i++)
		if (t[i].long_name && !strcmp(t[i].long_name, long_name))
			return (enum cli_source)p->from[i];
	FG_BUG("no option --%s in '%s'", long_name, cmd->name);
	return CLI_FROM_DEFAULT;
}

void cli_parsed_release(const struct cli_command *cmd, struct cli_parsed *p)
{
	const struct cli_opt *t = cmd->options;

	for (size_t i = 0; p->opts && i < nopts(t); i++) {
		if (t[i].kind == CLI_OPT_LIST) {
			struct cli_list *l = FIELD(p->opts, &t[i],
						   struct cli_list);

			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
	free(p->args);
	p->args = NULL;
	p->nargs = 0;
}

/* ---------------------------------------------------------------------- */
/* Help                                                                    */
/* ---------------------------------------------------------------------- */

#define HELP_COLUMN 27

void cli_options_help(FILE *out, const struct cli_opt *t)
{
	for (size_t i = 0; i < nopts(t); i++) {
		const struct cli_opt *o = &t[i];
		const char *h = o->help, *nl;
		int w;

		if (o->short_name && o->long_name)
			w = fprintf(out, "  -%c, --%s", o->short_name,
				    o->long_name);
		else if (o->long_name)
			w = fprintf(out, "      --%s", o->long_name);
		else
			w = fprintf(out, "  -%c", o->short_name);
		if (o->arg)
			w += fprintf(out, " %s", o->arg);
		if (w < HELP_COLUMN - 1)
			fprintf(out, "%*s", HELP_COLUMN - w, "");
		else
			fputs("  ", out);
		while ((nl = strchr(h, '\n'))) {
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h,
				HELP_COLUMN, "");
			h = nl + 1;
		}
		fprintf(out, "%s\n", h);
	}
}
