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
	line = cli_shell_line(cwd, argv);
	fg_strv_free(argv);
	return line;
}
