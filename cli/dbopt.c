/* SPDX-License-Identifier: MIT */
/*
 * cli/dbopt.c - the history database of every command (where it is comes
 * from the option tables: --db, FLAKEGUARD_DB, the config): how it is
 * opened (created, existing only, read-only where it is not writable),
 * how long a write waits for another writer (FLAKEGUARD_DB_TIMEOUT) and
 * the line that says so while it waits, how it is named in messages (a
 * URL without its password), and the warning about a password given
 * anywhere but in FLAKEGUARD_DB. Also small helpers the history commands
 * share (integer and size option values, tests as frameworks name them).
 */
#include "analyzer/analyzer.h"
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

const char *cli_db_label(const char *where)
{
	static char *label, *of;

	if (!of || strcmp(of, where)) {
		free(label);
		free(of);
		label = history_store_label(where);
		of = fg_xstrdup(where);
	}
	return cli_safe(label);
}

/*
 * The command line is visible to every user of the machine (ps, /proc)
 * and often ends up in CI logs, and a config file in the repository;
 * FLAKEGUARD_DB (a CI secret) and libpq's password file are not.
 */
static void warn_password(const char *where)
{
	static bool warned;
	const char *env = getenv("FLAKEGUARD_DB");

	if (warned || (env && !strcmp(env, where)) ||
	    !history_store_url_has_password(where))
		return;
	fprintf(stderr, "flakeguard: warning: the --db URL holds a password, "
		"which others can read on the command line; put it in "
		"PGPASSWORD or a password file (~/.pgpass, PGPASSFILE), or pass "
		"the whole URL in FLAKEGUARD_DB\n");
	warned = true;
}

/*
 * While a write waits for another flakeguard's lock: on a terminal one
 * line kept up to date, elsewhere (CI logs) a line after a second and then
 * every ten, and a last line when the wait is over.
 */
static void waiting(void *ctx, int64_t waited_ms, bool done)
{
	bool tty = isatty(STDERR_FILENO);
	int64_t s = waited_ms / 1000;

	(void)ctx;
	if (done) {
		fprintf(stderr, "%sflakeguard: waited %llds for the history "
			"database lock\n", tty ? "\r\033[K" : "", (long long)s);
		return;
	}
	if (!tty && s != 1 && s % 10)
		return;
	fprintf(stderr, "%sflakeguard: waiting for the history database lock "
		"(another flakeguard is writing): %llds%s", tty ? "\r\033[K" : "",
		(long long)s, tty ? "" : "\n");
}

/* The summarizer of every store we open (analyzer/summary.c). */
static char *summary_fold(void *ctx, const char *state,
			  const struct history_scan_row *row, bool first)
{
	(void)ctx;
	return an_summary_fold(state, row, first);
}

int cli_db_open(const char *where, enum cli_db_mode mode,
		struct history_store **st, struct fg_error *err)
{
	struct history_open_opts o = { .waiting = waiting };
	const char *t = getenv("FLAKEGUARD_DB_TIMEOUT");
	int rc;

	*st = NULL;
	warn_password(where);
	if (t && *t) {
		struct fg_error e;

		if (fg_duration_parse(t, &o.lock_timeout_ms, &e) != FG_OK ||
		    o.lock_timeout_ms <= 0)
			return fg_fail(err, FG_EINVAL, "invalid "
				       "FLAKEGUARD_DB_TIMEOUT '%s' (a duration: "
				       "90s, 5m, 1h)", t);
	}
	switch (mode) {
	case CLI_DB_CREATE:
		o.mode = HISTORY_OPEN_CREATE;
		break;
	case CLI_DB_IF_EXISTS:
		o.missing_ok = true;
		/* fall through */
	case CLI_DB_EXISTING:
		o.mode = HISTORY_OPEN_EXISTING;
		break;
	case CLI_DB_READ:
		o.mode = HISTORY_OPEN_EXISTING;
		if (!history_store_is_url(where)) {
			char *dir = fg_xstrdup(where), *slash = strrchr(dir, '/');
			bool writable;

			if (slash)
				slash[slash == dir] = '\0';
			/* Writable file in a writable directory: the usual
			 * open (which migrates); else read-only. */
			writable = access(where, W_OK) == 0 &&
				   access(slash ? dir : ".", W_OK) == 0;
			free(dir);
			if (!writable && access(where, F_OK) == 0)
				o.mode = HISTORY_OPEN_READONLY;
		}
		break;
	}
	rc = history_store_open_with(where, &o, st, err);
	/* Every write keeps the analyzer's per-test summaries true. */
	if (rc == FG_OK && *st)
		history_store_set_summarizer(*st, summary_fold, NULL,
					     AN_SUMMARY_LONG);
	return rc;
}

int cli_open_existing_db(const char *path, struct history_store **st,
			 struct fg_error *err)
{
	return cli_db_open(path, CLI_DB_EXISTING, st, err);
}

int cli_open_history_to_read(const char *path, struct history_store **st,
			     struct fg_error *err)
{
	return cli_db_open(path, CLI_DB_READ, st, err);
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
