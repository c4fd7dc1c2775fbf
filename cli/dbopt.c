/* SPDX-License-Identifier: MIT */
/*
 * cli/dbopt.c - small helpers the history commands share: integer option
 * values, and opening a database that must already exist (`history` and
 * `gc` never create an empty one by accident).
 */
#include "cli/cli.h"
#include "history/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_int_arg(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_open_existing_db(const char *path, struct history_store **st,
			 struct fg_error *err)
{
	struct stat sb;

	*st = NULL;
	if (stat(path, &sb) != 0)
		return fg_fail(err, FG_EDB, "no history database at '%s' (%s); "
			       "`flakeguard run` or `import` creates it",
			       path, strerror(errno));
	return history_store_open(path, st, err);
}

int cli_open_history_to_read(const char *path, struct history_store **st,
			     struct fg_error *err)
{
	char *dir = fg_xstrdup(path), *slash = strrchr(dir, '/');
	bool writable;

	*st = NULL;
	if (slash)
		slash[slash == dir] = '\0';
	/* Writable file in a writable directory: the usual open (migrates). */
	writable = access(path, W_OK) == 0 &&
		   access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	if (writable || access(path, F_OK) != 0)
		return cli_open_existing_db(path, st, err);
	return history_store_open_readonly(path, st, err);
}

/* "200M", "1G", "512k", "1048576" -> bytes; -1 when malformed. */
int64_t cli_size_parse(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mult = 1;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = 1024 * 1024; end++; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	return *end ? -1 : (int64_t)(v * (double)mult);
}

/* ---------------------------------------------------------------------- */
/* Tests as the frameworks name them                                       */
/* ---------------------------------------------------------------------- */

/*
 * Keeps the tests of `from` named `name` whose classname is `cls`,
 * appending them to out with rank r.
 */
static void keep_class(const struct history_test_ids *from, const char *cls,
		       const char *name, int r, struct history_test_ids *out)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct history_test_id *id = &from->items[i];
		struct history_test_id *to;

		if (strcmp(id->classname, cls) || strcmp(id->name, name))
			continue;
		fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
			 sizeof(*out->items));
		to = &out->items[out->n++];
		to->suite = fg_xstrdup(id->suite);
		to->classname = fg_xstrdup(id->classname);
		to->name = fg_xstrdup(id->name);
		to->rank = r;
	}
}

/* Tests named name whose classname is cls, into out. */
static int by_class(struct history_store *st, const char *cls,
		    const char *name, struct history_test_ids *out,
		    struct fg_error *err)
{
	struct history_test_ids named = { 0 };
	int rc = history_store_find_tests(st, name, &named, err);

	if (rc == FG_OK)
		keep_class(&named, cls, name, 3, out);
	history_test_ids_release(&named);
	return rc;
}

/*
 * A pytest node id: "tests/test_x.py::TestPipe::test_y[param]" is the
 * classname "tests.test_x.TestPipe" and the name "test_y[param]" in
 * pytest's JUnit XML.
 */
static int pytest_node(struct history_store *st, const char *spec,
		       struct history_test_ids *out, struct fg_error *err)
{
	const char *py = strstr(spec, ".py::"), *last;
	char *cls, *name;
	int rc;

	if (!py || strstr(spec, "::") != py + 3)
		return FG_OK;
	last = spec + strlen(spec);
	/* the name is after the last "::" that is not inside [params] */
	for (const char *p = py + 3; (p = strstr(p, "::")); p += 2)
		if (!memchr(py, '[', (size_t)(p - py)))
			last = p;
	name = fg_xstrdup(last + 2);
	/* the path without ".py", '/' as '.', then ".Class" per "::Class" */
	cls = fg_xstrndup(spec, (size_t)(py - spec));
	for (char *c = cls; *c; c++)
		if (*c == '/')
			*c = '.';
	if (py + 3 < last) {
		char *classes = fg_xstrndup(py + 5, (size_t)(last - py - 5));
		char *joined;

		for (char *c; (c = strstr(classes, "::"));)
			memmove(c, c + 1, strlen(c + 1) + 1);
		joined = fg_xasprintf("%s.%s", cls, classes);
		free(cls);
		free(classes);
		cls = joined;
	}
	rc = by_class(st, cls, name, out, err);
	free(cls);
	free(name);
	return rc;
}

/* GoogleTest's "Suite.Test" (also "Prefix/Suite.Test/0"): class.name. */
static int dotted(struct history_store *st, const char *spec,
		  struct history_test_ids *out, struct fg_error *err)
{
	int rc = FG_OK;

	for (const char *dot = strchr(spec, '.'); !rc && dot && dot[1];
	     dot = strchr(dot + 1, '.')) {
		char *cls = fg_xstrndup(spec, (size_t)(dot - spec));

		rc = by_class(st, cls, dot + 1, out, err);
		free(cls);
	}
	return rc;
}

int cli_find_tests(struct history_store *st, const char *spec,
		   struct history_test_ids *out, struct fg_error *err)
{
	int rc = history_store_find_tests(st, spec, out, err);

	if (rc || out->n)
		return rc;
	rc = pytest_node(st, spec, out, err);
	if (!rc && !out->n)
		rc = dotted(st, spec, out, err);
	if (rc)
		history_test_ids_release(out);
	return rc;
}
