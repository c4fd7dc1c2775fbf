/* SPDX-License-Identifier: MIT */
/*
 * cli/select.c - running some of a suite's tests: which framework a suite
 * is, and the command that runs just the tests named.
 *
 * Frameworks know how to select: GoogleTest (--gtest_filter=A.B:C.D),
 * pytest (node ids), CTest (-R '^(a|b)$'); a "cases" suite runs one case
 * by its run template. A suite may also say how itself, with a "rerun"
 * template holding {failed} (issue 11). This file turns a test of the run
 * model back into the framework's own id and builds the argv; `run` uses
 * it for a copy-pastable line that reproduces a failure alone.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

enum cli_framework cli_suite_framework(const struct fg_suite_cfg *s)
{
	if (s->cases_gtest)
		return CLI_FW_GTEST;
	for (char **e = s->env; e && *e; e++)
		if (!strncmp(*e, "GTEST_OUTPUT=", 13))
			return CLI_FW_GTEST;
	for (char **a = s->argv; a && *a; a++) {
		const char *base = strrchr(*a, '/') ? strrchr(*a, '/') + 1 : *a;

		if (!strcmp(base, "pytest") || !strcmp(base, "py.test") ||
		    !strncmp(base, "pytest-", 7) ||
		    (!strcmp(*a, "pytest") && a != s->argv))
			return CLI_FW_PYTEST;
		if (!strcmp(*a, "-m") && a[1] && !strcmp(a[1], "pytest"))
			return CLI_FW_PYTEST;
		if (a == s->argv && !strcmp(base, "ctest"))
			return CLI_FW_CTEST;
		if (!strncmp(*a, "--gtest_", 8))
			return CLI_FW_GTEST;
	}
	if (s->cases_list)
		return CLI_FW_CASES;
	return CLI_FW_NONE;
}

/*
 * pytest's node id from its JUnit identity: file "tests/test_x.py",
 * classname "tests.test_x.TestPipe", name "test_y[p]" ->
 * "tests/test_x.py::TestPipe::test_y[p]". Without a file, the classname's
 * module part is taken as the path. Caller frees.
 */
static char *pytest_id(const struct fg_test *t)
{
	char *module, *path, *id;
	const char *classes = "";
	size_t mlen;

	if (t->file && strlen(t->file) > 3 &&
	    !strcmp(t->file + strlen(t->file) - 3, ".py")) {
		path = fg_xstrdup(t->file);
		module = fg_xstrndup(path, strlen(path) - 3);
		for (char *c = module; *c; c++)
			if (*c == '/')
				*c = '.';
	} else {
		/* "pkg.mod.Class": assume classes are capitalised */
		const char *cap = t->classname;

		for (const char *d = t->classname; (d = strchr(d, '.')); d++)
			if (d[1] >= 'A' && d[1] <= 'Z') {
				cap = d;
				break;
			}
		module = fg_xstrndup(t->classname, cap == t->classname ?
					 strlen(t->classname) :
					 (size_t)(cap - t->classname));
		path = fg_xasprintf("%s.py", module);
		for (char *c = path; *c && c < path + strlen(path) - 3; c++)
			if (*c == '.')
				*c = '/';
	}
	mlen = strlen(module);
	if (!strncmp(t->classname, module, mlen) && t->classname[mlen] == '.')
		classes = t->classname + mlen + 1;
	id = fg_xstrdup(path);
	/* each class of "Outer.Inner" is its own "::" part */
	while (*classes) {
		size_t n = strcspn(classes, ".");
		char *next = fg_xasprintf("%s::%.*s", id, (int)n, classes);

		free(id);
		id = next;
		classes += n + (classes[n] == '.');
	}
	{
		char *next = fg_xasprintf("%s::%s", id, t->name);

		free(id);
		id = next;
	}
	free(module);
	free(path);
	return id;
}

char *cli_framework_id(enum cli_framework fw, const struct fg_test *t)
{
	switch (fw) {
	case CLI_FW_GTEST:
		return *t->classname ? fg_xasprintf("%s.%s", t->classname,
						    t->name) :
				       fg_xstrdup(t->name);
	case CLI_FW_PYTEST:
		return pytest_id(t);
	case CLI_FW_CTEST:
	case CLI_FW_CASES:
	case CLI_FW_NONE:
		break;
	}
	return fg_xstrdup(t->name);
}

/* The regex metacharacters of POSIX ERE escaped, for ctest -R. */
static char *ere_escape(const char *s)
{
	char *out = fg_xmalloc(strlen(s) * 2 + 1), *o = out;

	for (; *s; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * pytest's options that take their value as the next argument ("-p X",
 * "--deselect X"): that argument is no test path. From pytest 7 and 8's
 * --help and the common plugins (xdist, cov, timeout, rerunfailures,
 * hypothesis, randomly); another option's value must be given with '='.
 */
static const char *const pytest_valued[] = {
	"-k", "-m", "-p", "-c", "-o", "-W", "-r", "-n", "--maxfail", "--tb",
	"--durations", "--durations-min", "--capture", "--show-capture",
	"--import-mode", "--rootdir", "--basetemp", "--confcutdir",
	"--ignore", "--ignore-glob", "--deselect", "--junitxml",
	"--junit-xml", "--junit-prefix", "--log-level", "--log-format",
	"--log-date-format", "--log-cli-level", "--log-cli-format",
	"--log-cli-date-format", "--log-file", "--log-file-level",
	"--log-file-format", "--log-file-date-format", "--log-file-mode",
	"--log-auto-indent", "--color", "--code-highlight", "--pastebin",
	"--pdbcls", "--doctest-glob", "--doctest-report", "--assert",
	"--config-file", "--override-ini", "--pythonwarnings", "--lfnf",
	"--last-failed-no-failures", "--verbosity", "--dist", "--maxprocesses",
	"--tx", "--rsyncdir", "--cov", "--cov-report", "--cov-config",
	"--cov-fail-under", "--timeout", "--timeout-method", "--reruns",
	"--reruns-delay", "--only-rerun", "--hypothesis-seed",
	"--hypothesis-profile", "--hypothesis-verbosity", "--randomly-seed",
	NULL
};

static bool pytest_takes_value(const char *a)
{
	for (const char *const *o = pytest_valued; *o; o++)
		if (!strcmp(a, *o))
			return true;
	return false;
}

/*
 * Selecting by node id must not also collect what the suite's command
 * names: "pytest -q tests tests/t.py::test_x" runs all of tests/ and
 * test_x twice. Drops the test paths (the arguments after pytest that
 * are neither options nor an option's value, and all after "--") from a
 * NULL-terminated argv in place; returns its new length.
 */
static size_t pytest_drop_paths(char **argv)
{
	size_t k = 0, i = 0;
	bool after = false, dashdash = false;

	for (; argv[i]; i++) {
		const char *a = argv[i];
		const char *base = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;

		if (!after) {
			argv[k++] = argv[i];
			after = !strcmp(base, "pytest") ||
				!strcmp(base, "py.test") ||
				!strncmp(base, "pytest-", 7);
			continue;
		}
		if (!dashdash && !strcmp(a, "--")) {
			dashdash = true;
			free(argv[i]);
			continue;
		}
		if (!dashdash && a[0] == '-') {
			argv[k++] = argv[i];
			if (pytest_takes_value(a) && argv[i + 1])
				argv[k++] = argv[++i];
			continue;
		}
		free(argv[i]);
	}
	for (size_t j = k; j < i; j++)
		argv[j] = NULL;
	return k;
}

char **cli_select_argv(const struct fg_suite_cfg *s, enum cli_framework fw,
		       const char *const *ids, size_t n)
{
	size_t argc = fg_strv_len(s->argv);
	char **argv = fg_xcalloc(argc + n + 2, sizeof(char *));
	char *joined = NULL;

	for (size_t i = 0; i < argc; i++)
		argv[i] = fg_xstrdup(s->argv[i]);
	switch (fw) {
	case CLI_FW_GTEST:
		for (size_t i = 0; i < n; i++) {
			char *j = fg_xasprintf("%s%s%s", joined ? joined : "",
					       i ? ":" : "", ids[i]);

			free(joined);
			joined = j;
		}
		argv[argc] = fg_xasprintf("--gtest_filter=%s", joined ? joined :
					  "");
		break;
	case CLI_FW_PYTEST:
		argc = pytest_drop_paths(argv);
		for (size_t i = 0; i < n; i++)
			argv[argc + i] = fg_xstrdup(ids[i]);
		break;
	case CLI_FW_CTEST:
		for (size_t i = 0; i < n; i++) {
			char *e = ere_escape(ids[i]);
			char *j = fg_xasprintf("%s%s%s", joined ? joined : "",
					       i ? "|" : "", e);

			free(e);
			free(joined);
			joined = j;
		}
		argv[argc] = fg_xstrdup("-R");
		argv[argc + 1] = fg_xasprintf("^(%s)$", joined ? joined : "");
		break;
	case CLI_FW_CASES:
	case CLI_FW_NONE:
		fg_strv_free(argv);
		free(joined);
		return NULL;
	}
	free(joined);
	return argv;
}

/* s quoted for a POSIX shell when it needs it. Caller frees. */
static char *shell_quote(const char *s)
{
	char *out, *o;

	if (*s && !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
			   "VWXYZ0123456789-_./=:,+@%")])
		return fg_xstrdup(s);
	out = o = fg_xmalloc(strlen(s) * 4 + 3);
	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

char *cli_shell_line(const char *cwd, char *const *argv)
{
	char *line = cwd && strcmp(cwd, ".") ? NULL : fg_xstrdup("");

	if (!line) {
		char *q = shell_quote(cwd);

		line = fg_xasprintf("cd %s && ", q);
		free(q);
	}
	for (size_t i = 0; argv && argv[i]; i++) {
		char *q = shell_quote(argv[i]);
		char *l = fg_xasprintf("%s%s%s", line, i ? " " : "", q);

		free(q);
		free(line);
		line = l;
	}
	return line;
}

static void join(char **acc, const char *sep, const char *item);

static bool is_shell_name(const char *s, size_t n)
{
	if (!n || (*s >= '0' && *s <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/*
 * The suite's "env" in front of the command line: a
 * line run without the PYTHONPATH or the LD_LIBRARY_PATH the suite had
 * tests something else. Variables holding {junit} or {tap} are
 * flakeguard's plumbing and stay out. Takes line; caller frees the result.
 */
static char *with_env(char *line, char *const *env)
{
	char *vars = NULL, *out;
	bool plain = true;

	for (char *const *e = env; e && *e; e++)
		plain &= is_shell_name(*e, strcspn(*e, "="));
	for (char *const *e = env; e && *e; e++) {
		size_t klen = strcspn(*e, "=");
		char *q, *v;

		if (strstr(*e, "{junit}") || strstr(*e, "{tap}"))
			continue;
		q = shell_quote(plain ? *e + klen + ((*e)[klen] == '=') : *e);
		v = plain ? fg_xasprintf("%.*s=%s", (int)klen, *e, q) :
			    fg_xstrdup(q);
		join(&vars, " ", v);
		free(v);
		free(q);
	}
	if (!vars)
		return line;
	out = fg_xasprintf("%s%s %s", plain ? "" : "env ", vars, line);
	free(vars);
	free(line);
	return out;
}

char *cli_repro_line(const struct fg_suite_cfg *s, const char *cwd,
		     const struct fg_test *t)
{
	enum cli_framework fw = cli_suite_framework(s);
	bool self = !*t->classname && !strcmp(t->name, s->name);
	char **argv = NULL, *line;

	if (fw == CLI_FW_CASES && !self) {
		size_t n = fg_strv_len(s->cases_run);

		argv = fg_xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			argv[i] = cli_subst(s->cases_run[i], "{case}", t->name);
	} else if (fw != CLI_FW_NONE && fw != CLI_FW_CASES && !self) {
		char *id = cli_framework_id(fw, t);
		const char *ids[] = { id };

		argv = cli_select_argv(s, fw, ids, 1);
		free(id);
	}
	if (!argv)
		argv = fg_strv_dup(s->argv);
	/* {junit} and {tap} are flakeguard's plumbing, not the user's */
	for (size_t i = 0, k = 0;; i++) {
		if (argv[i] && (strstr(argv[i], "{junit}") ||
				strstr(argv[i], "{tap}"))) {
			free(argv[i]);
			continue;
		}
		argv[k++] = argv[i];
		if (!argv[i])
			break;
	}
	line = with_env(cli_shell_line(NULL, argv), s->env);
	fg_strv_free(argv);
	if (cwd && strcmp(cwd, ".")) {
		char *q = shell_quote(cwd), *l = fg_xasprintf("cd %s && %s", q,
							      line);

		free(q);
		free(line);
		line = l;
	}
	return line;
}

/* ---------------------------------------------------------------------- */
/* Choosing what runs                                                      */
/* ---------------------------------------------------------------------- */

#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

/* Removes suite i from cfg (its position taken by the ones after it). */
static void drop_suite(struct fg_config *cfg, size_t i)
{
	struct fg_config one = { 0 };

	/* release it through the config's own code */
	one.suites = fg_xcalloc(1, sizeof(*one.suites));
	one.suites[0] = cfg->suites[i];
	one.nsuites = one.suites_cap = 1;
	fg_config_release(&one);
	memmove(cfg->suites + i, cfg->suites + i + 1,
		(cfg->nsuites - i - 1) * sizeof(*cfg->suites));
	cfg->nsuites--;
}

/* "a, b, c" of the suites' names, at most 400 bytes. Caller frees. */
static char *suite_names(const struct fg_config *cfg)
{
	char *s = fg_xstrdup("");

	for (size_t i = 0; i < cfg->nsuites && strlen(s) < 400; i++) {
		char *t = fg_xasprintf("%s%s%s", s, i ? ", " : "",
				       cfg->suites[i].name);

		free(s);
		s = t;
	}
	return s;
}

static int no_such_suite(const struct cli_command *cmd,
			 const struct fg_config *cfg, const char *what,
			 const char *glob)
{
	const char **names = fg_xcalloc(cfg->nsuites + 1, sizeof(char *));
	const char *near;
	char *all = suite_names(cfg);
	int rc;

	for (size_t i = 0; i < cfg->nsuites; i++)
		names[i] = cfg->suites[i].name;
	near = cli_nearest(glob, names, cfg->nsuites);
	rc = cli_usage_error(cmd, "%s '%s' matches no suite%s%s%s (there are: "
			     "%s)", what, glob, near ? " (did you mean '" : "",
			     near ? near : "", near ? "'?)" : "", all);
	free(all);
	free(names);
	return rc;
}

int cli_keep_suites(const struct cli_command *cmd, struct fg_config *cfg,
		    const char *const *globs, size_t n)
{
	bool *keep;
	int rc = 0;

	if (!n)
		return 0;
	keep = fg_xcalloc(cfg->nsuites + 1, sizeof(bool));
	for (size_t g = 0; g < n && !rc; g++) {
		bool any = false;

		for (size_t i = 0; i < cfg->nsuites; i++)
			if (!fnmatch(globs[g], cfg->suites[i].name, 0))
				keep[i] = any = true;
		if (!any)
			rc = no_such_suite(cmd, cfg, "suite", globs[g]);
	}
	/* the setups and cleanups of their fixtures come along (ctest -R) */
	fg_fixtures_close(cfg, keep);
	for (size_t i = cfg->nsuites; !rc && i-- > 0;)
		if (!keep[i])
			drop_suite(cfg, i);
	free(keep);
	return rc;
}

/* Whether s names a program: a path that exists, or a name in PATH. */
static bool is_program(const char *s)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(s, '/'))
		return stat(s, &st) == 0;
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");
		char *f = fg_xasprintf("%.*s/%s", (int)n, n ? p : ".", s);
		bool ok = access(f, X_OK) == 0;

		free(f);
		if (ok)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

bool cli_all_programs(int nargs, char **args)
{
	for (int i = 0; i < nargs; i++)
		if (!is_program(args[i]))
			return false;
	return true;
}

int cli_args_are_suites(const struct cli_command *cmd, struct fg_config *cfg,
			int nargs, char **args, bool *selected)
{
	size_t nmatch = 0;

	*selected = false;
	for (int i = 0; i < nargs; i++)
		for (size_t k = 0; k < cfg->nsuites; k++)
			if (!fnmatch(args[i], cfg->suites[k].name, 0)) {
				nmatch++;
				break;
			}
	if (nmatch == (size_t)nargs) {
		*selected = true;
		return cli_keep_suites(cmd, cfg, (const char *const *)args,
				       (size_t)nargs);
	}
	for (int i = 0; i < nargs; i++) {
		bool suite = false;

		for (size_t k = 0; k < cfg->nsuites && !suite; k++)
			suite = !fnmatch(args[i], cfg->suites[k].name, 0);
		if (!suite && !is_program(args[i]))
			return no_such_suite(cmd, cfg, "it is no program, and",
					     args[i]);
	}
	return 0; /* programs: they replace the config's suites */
}

/* ---------------------------------------------------------------------- */
/* --filter                                                                */
/* ---------------------------------------------------------------------- */

/* One pattern against one test's ids: suite::classname::name, suite::name,
 * classname.name, classname::name, name. */
static bool pattern_matches(const char *pat, const char *suite,
			    const char *classname, const char *name)
{
	char *forms[5];
	size_t n = 0;
	bool hit = false;

	forms[n++] = *classname ? fg_xasprintf("%s::%s::%s", suite, classname,
					       name) :
				  fg_xasprintf("%s::%s", suite, name);
	if (*classname) {
		forms[n++] = fg_xasprintf("%s::%s", suite, name);
		forms[n++] = fg_xasprintf("%s.%s", classname, name);
		forms[n++] = fg_xasprintf("%s::%s", classname, name);
	}
	forms[n++] = fg_xstrdup(name);
	for (size_t i = 0; i < n; i++) {
		hit |= !fnmatch(pat, forms[i], 0);
		free(forms[i]);
	}
	return hit;
}

bool cli_filter_match(const char *const *pats, size_t n, const char *suite,
		      const char *classname, const char *name)
{
	bool any_positive = false, positive = false;

	for (size_t i = 0; i < n; i++) {
		if (pats[i][0] == '!') {
			if (pattern_matches(pats[i] + 1, suite, classname, name))
				return false;
			continue;
		}
		any_positive = true;
		positive |= pattern_matches(pats[i], suite, classname, name);
	}
	return !any_positive || positive;
}

/* A pattern for suite s without its "s::" prefix, "::" as '.'. */
static char *local_pattern(const char *pat, const char *suite)
{
	size_t n = strlen(suite);
	char *p;

	if (!strncmp(pat, suite, n) && !strncmp(pat + n, "::", 2))
		pat += n + 2;
	p = fg_xstrdup(pat);
	for (char *c; (c = strstr(p, "::"));)
		memmove(c, c + 1, strlen(c + 1) + 1), *c = '.';
	return p;
}

/* fnmatch glob -> POSIX ERE, anchored. Caller frees. */
static char *glob_to_ere(const char *g)
{
	char *out = fg_xmalloc(strlen(g) * 2 + 3), *o = out;

	*o++ = '^';
	for (; *g; g++) {
		if (*g == '*') {
			*o++ = '.';
			*o++ = '*';
		} else if (*g == '?') {
			*o++ = '.';
		} else {
			if (strchr("\\^$.|+()[]{}", *g))
				*o++ = '\\';
			*o++ = *g;
		}
	}
	*o++ = '$';
	*o = '\0';
	return out;
}

/* Appends "sep item" to *acc (a heap string, may be NULL). */
static void join(char **acc, const char *sep, const char *item)
{
	char *s = fg_xasprintf("%s%s%s", *acc ? *acc : "", *acc ? sep : "",
			       item);

	free(*acc);
	*acc = s;
}

/* The longest run of characters without a glob metacharacter. */
static char *literal_core(const char *pat)
{
	const char *best = pat;
	size_t best_n = 0;

	for (const char *p = pat; *p;) {
		size_t n = strcspn(p, "*?[]");

		if (n > best_n) {
			best = p;
			best_n = n;
		}
		p += n + (p[n] != '\0');
	}
	return fg_xstrndup(best, best_n);
}

char **cli_filter_argv(const struct fg_suite_cfg *s,
		       const char *const *pats, size_t n)
{
	enum cli_framework fw = cli_suite_framework(s);
	char *pos = NULL, *neg = NULL, *extra1 = NULL, *extra2 = NULL;
	size_t argc = fg_strv_len(s->argv);
	char **argv;

	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool not = pats[i][0] == '!';
		char *local = local_pattern(pats[i] + not, s->name), *x;

		switch (fw) {
		case CLI_FW_GTEST:
			join(not ? &neg : &pos, ":", local);
			break;
		case CLI_FW_CTEST:
			x = glob_to_ere(local);
			join(not ? &neg : &pos, "|", x);
			free(x);
			break;
		case CLI_FW_PYTEST:
			/* pytest -k matches substrings: narrow, then filter */
			x = literal_core(local);
			if (*x)
				join(not ? &neg : &pos, not ? " and not " :
				     " or ", x);
			free(x);
			break;
		case CLI_FW_CASES:
		case CLI_FW_NONE:
			break;
		}
		free(local);
	}
	switch (fw) {
	case CLI_FW_GTEST:
		extra1 = fg_xasprintf("--gtest_filter=%s%s%s", pos ? pos : "*",
				      neg ? "-" : "", neg ? neg : "");
		break;
	case CLI_FW_CTEST:
		if (pos)
			extra1 = fg_xasprintf("-R\x1f(%s)", pos);
		if (neg)
			extra2 = fg_xasprintf("-E\x1f(%s)", neg);
		break;
	case CLI_FW_PYTEST:
		if (pos || neg)
			extra1 = fg_xasprintf("-k\x1f%s%s%s%s%s", pos ? "(" : "",
					      pos ? pos : "", pos ? ")" : "",
					      pos && neg ? " and not " :
					      neg ? "not " : "", neg ? neg : "");
		break;
	case CLI_FW_CASES:
	case CLI_FW_NONE:
		break;
	}
	free(pos);
	free(neg);
	if (!extra1 && !extra2)
		return NULL;
	/* "-R\x1fREGEX" is two arguments */
	argv = fg_xcalloc(argc + 5, sizeof(char *));
	for (size_t i = 0; i < argc; i++)
		argv[i] = fg_xstrdup(s->argv[i]);
	for (char *e = extra1; e; e = e == extra1 ? extra2 : NULL) {
		char *us = strchr(e, '\x1f');

		if (us) {
			argv[argc++] = fg_xstrndup(e, (size_t)(us - e));
			argv[argc++] = fg_xstrdup(us + 1);
		} else {
			argv[argc++] = fg_xstrdup(e);
		}
	}
	free(extra1);
	free(extra2);
	return argv;
}
