/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_import.c - `flakeguard import PATH...`: JUnit XML or TAP written
 * by any other tool, recorded as one run.
 *
 * PATHs are files, directories (every *.xml, and *.tap, below, recursively,
 * in sorted order) or glob patterns (for shells that did not expand them).
 * --format says how to read them; auto (the default) looks at each file
 * (is_tap()). Every
 * file is read into one run; a test that appears in several files gets one
 * attempt per appearance (reruns written to separate files). A file that
 * cannot be read is reported with the reader's "file:line" and the rest of
 * the batch is still imported; its status shows in the exit code. Zero
 * test cases in all is never a silent success.
 *
 * Without --json the files are streamed: the reader hands each test to the
 * store as soon as it is complete (history_store_run_begin .. _end, which
 * merges a test met again into more attempts), which stages it in a
 * temporary file, so memory stays flat however big the files are; a mark
 * per file lets a damaged file's second pass start over. The history is
 * written, and its write lock taken, only at the end, in one short
 * transaction: other pipelines are not kept waiting while the files are
 * read. --json needs the whole run
 * for its report: then every file is read into memory first and the run
 * written at the end, as `run` does.
 */
#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "history/history.h"
#include "reporters/report.h"

#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum import_format { FORMAT_AUTO, FORMAT_JUNIT, FORMAT_TAP };

struct import_opts {
	const char *format_arg;    /* --format */
	enum import_format format;
	const char *db;
	const char *json;
	const char *commit;
	const char *branch;
	const char *name;
	bool no_fail;
	bool quiet;
};

/* The files to read, in order, without duplicates. */
struct file_list {
	char **v;
	size_t n, cap;
};

static void files_add(struct file_list *fl, const char *path)
{
	for (size_t i = 0; i < fl->n; i++)
		if (!strcmp(fl->v[i], path))
			return;
	fg_xgrow((void **)&fl->v, &fl->cap, fl->n + 1, sizeof(*fl->v));
	fl->v[fl->n++] = fg_xstrdup(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* nftw() passes no user data: the walk in progress collects here. */
static struct file_list *walk_list;
static enum import_format walk_format;

static int walk_one(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	size_t n = strlen(path);
	bool xml = n > 4 && !strcmp(path + n - 4, ".xml");
	bool tap = n > 4 && !strcmp(path + n - 4, ".tap");

	(void)sb, (void)ftw;
	if (flag == FTW_F && ((xml && walk_format != FORMAT_TAP) ||
			      (tap && walk_format != FORMAT_JUNIT))) {
		fg_xgrow((void **)&walk_list->v, &walk_list->cap,
			 walk_list->n + 1, sizeof(*walk_list->v));
		walk_list->v[walk_list->n++] = fg_xstrdup(path);
	}
	return 0;
}

/* Adds every *.xml (or *.tap) below dir, sorted; 0 when there is none. */
static size_t add_dir(struct file_list *fl, const char *dir,
		      enum import_format format)
{
	struct file_list found = { 0 };

	walk_list = &found;
	walk_format = format;
	nftw(dir, walk_one, 32, FTW_PHYS);
	walk_list = NULL;
	if (found.n)
		qsort(found.v, found.n, sizeof(*found.v), cmp_str);
	for (size_t i = 0; i < found.n; i++) {
		files_add(fl, found.v[i]);
		free(found.v[i]);
	}
	free(found.v);
	return found.n;
}

static const char *const format_files[] = {
	[FORMAT_AUTO] = "*.xml or *.tap", [FORMAT_JUNIT] = "*.xml",
	[FORMAT_TAP] = "*.tap",
};

/* Adds one argument; returns false (after saying why) when it gives none. */
static bool add_arg(struct file_list *fl, const char *arg,
		    enum import_format format)
{
	struct stat sb;
	glob_t g;
	bool any = false;

	if (stat(arg, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			files_add(fl, arg);
			return true;
		}
		if (add_dir(fl, arg, format))
			return true;
		fprintf(stderr, "flakeguard: '%s': no %s file in this "
			"directory\n", arg, format_files[format]);
		return false;
	}
	if (!strpbrk(arg, "*?[") || glob(arg, 0, NULL, &g) != 0) {
		fprintf(stderr, "flakeguard: cannot read '%s': %s\n", arg,
			strpbrk(arg, "*?[") ? "no file matches" :
			strerror(errno));
		return false;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			any |= add_dir(fl, g.gl_pathv[i], format) > 0;
		else
			files_add(fl, g.gl_pathv[i]), any = true;
	}
	globfree(&g);
	if (!any)
		fprintf(stderr, "flakeguard: '%s': no %s file matches\n",
			arg, format_files[format]);
	return any;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */
/* ---------------------------------------------------------------------- */

struct file_counts {
	size_t failed, flaky, skipped, xfailed;
};

static void count_tests(const struct fg_run *run, size_t from,
			struct file_counts *c)
{
	for (size_t i = from; i < run->ntests; i++) {
		struct fg_test *t = &run->tests[i];

		fg_test_settle(t);
		c->failed += t->outcome == FG_O_FAILED;
		c->flaky += t->outcome == FG_O_FLAKY;
		c->skipped += t->outcome == FG_O_SKIPPED;
		c->xfailed += t->outcome == FG_O_XFAILED;
	}
}

/*
 * Prints a file's line ("path: N test cases, F failed, ...") and any
 * error; with --quiet only problems. Returns whether the file was read.
 */
static bool file_line(FILE *human, const char *path,
		      const struct import_opts *o, int rc,
		      const struct fg_error *err,
		      const struct history_junit_stats *stats,
		      const struct file_counts *c)
{
	if (rc != FG_OK)
		cli_error(err);
	if (o->quiet && rc == FG_OK)
		return true;
	fprintf(human, "%s: %zu test case%s, %zu failed, %zu flaky, "
		"%zu skipped", path, stats->cases,
		stats->cases == 1 ? "" : "s", c->failed, c->flaky, c->skipped);
	if (c->xfailed)
		fprintf(human, ", %zu xfailed", c->xfailed);
	fprintf(human, "%s%s\n",
		stats->partial ? " (partial: the file is damaged)" : "",
		rc != FG_OK ? " (not read: see above)" : "");
	return rc == FG_OK;
}


/* ---------------------------------------------------------------------- */
/* TAP                                                                     */
/* ---------------------------------------------------------------------- */

/*
 * --format auto: a file whose first non-blank byte is '<' is JUnit XML;
 * one with a TAP line ("TAP version", "1..", "ok", "not ok", "Bail out!")
 * among its first 4 KiB is TAP; anything else goes to the JUnit reader,
 * whose message says what it is not.
 */
static bool is_tap(const char *path, enum import_format format)
{
	char buf[4096], *p;
	FILE *f;
	size_t n;

	if (format != FORMAT_AUTO)
		return format == FORMAT_TAP;
	if (!(f = fg_fopen_input(path)))
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = buf + strspn(buf, " \t\r\n");
	if (*p == '<' || (n >= 4 && !memcmp(buf, "\xEF\xBB\xBF<", 4)))
		return false;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "TAP version ", 12) || !strncmp(p, "1..", 3) ||
		    !strncmp(p, "ok ", 3) || !strncmp(p, "not ok ", 7) ||
		    !strncmp(p, "Bail out!", 9) || !strcmp(p, "ok") ||
		    !strncmp(p, "ok\n", 3))
			return true;
	}
	return false;
}

/* A TAP file's suite without --name: its base name without extension. */
static char *tap_suite(const char *path)
{
	const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *dot = strrchr(b, '.');

	return fg_xstrndup(b, dot && dot > b ? (size_t)(dot - b) : strlen(b));
}

/* Reads a TAP file into sink, with its figures as a JUnit file's. */
static int read_tap(const char *path, const struct import_opts *o,
		    const struct history_junit_sink *sink,
		    struct history_junit_stats *stats, struct fg_error *err)
{
	struct history_tap_stats ts = { 0 };
	char *suite = o->name ? fg_xstrdup(o->name) : tap_suite(path);
	int rc = history_tap_read_file(path, suite, sink, &ts, err);

	stats->cases = ts.points;
	stats->tests = ts.tests;
	stats->warnings = ts.warnings;
	stats->partial = ts.partial && !ts.bailed; /* a bail out is said */
	free(suite);
	return rc;
}

/* A sink into a run in memory (--json): attempts of one test add up. */
static int run_sink_test(void *ctx, struct fg_test *t)
{
	struct fg_run *run = ctx;
	struct fg_test *d = fg_run_find_test(run, t->suite, t->classname,
					     t->name);

	if (!d)
		d = fg_run_add_test(run, t->suite, t->classname, t->name);
	for (size_t i = 0; i < t->nattempts; i++)
		fg_test_add_attempt(d, t->attempts[i].status,
				    t->attempts[i].duration_ms,
				    t->attempts[i].message,
				    t->attempts[i].output);
	return 0;
}

static int run_sink_rewind(void *ctx)
{
	(void)ctx;
	return 0; /* the TAP reader never rewinds */
}

/*
 * Reads one file into run and prints its line. The first file is read
 * straight into the run; later ones through a run of their own, so that
 * their counts are theirs. Returns false when the file could not be read
 * (whatever it yielded before the error is kept).
 */
static bool import_file(const char *path, const struct import_opts *o,
			struct fg_run *run, FILE *human)
{
	struct history_junit_stats stats = { 0 };
	struct file_counts c = { 0 };
	struct fg_error err = { 0 };
	struct fg_run own, *into = run->ntests ? &own : run;
	int rc;

	fg_run_init(&own);
	if (is_tap(path, o->format)) {
		const struct history_junit_sink sink = { run_sink_test,
							 run_sink_rewind,
							 into };

		rc = read_tap(path, o, &sink, &stats, &err);
	} else {
		rc = history_junit_read(path, o->name, into, &stats, &err);
	}
	count_tests(into, 0, &c);
	if (into == &own)
		fg_run_absorb(run, &own);
	fg_run_release(&own);
	return file_line(human, path, o, rc, &err, &stats, &c);
}

/* ---------------------------------------------------------------------- */
/* Options and the command                                                 */
/* ---------------------------------------------------------------------- */

static const char *const format_choices[] = { "auto", "junit", "tap", NULL };

#define I struct import_opts
static const struct cli_opt import_options[] = {
	CLI_PATH(0, "db", I, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_STRING(0, "commit", I, commit, "SHA",
		   "commit under test (default: CI env or git)"),
	CLI_STRING(0, "branch", I, branch, "NAME",
		   "branch under test (default: CI env or git)"),
	CLI_PATH(0, "name", I, name, "NAME",
		 "record every test under suite NAME\n"
		 "(default: the files' <testsuite> names; a\n"
		 "TAP file's name without its extension)"),
	CLI_PATH(0, "json", I, json, "FILE",
		 "write the run as JSON, as run --json does\n"
		 "(- for stdout)"),
	CLI_FLAG(0, "no-fail", I, no_fail,
		 "only import: exit 0 even if tests failed"),
	CLI_CHOICE(0, "format", I, format_arg, "F", format_choices,
		   "tap, junit or auto (default: by content)"),
	CLI_FLAG('q', "quiet", I, quiet,
		 "print only problems and the last line"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef I

/* Records the run and writes --json; returns FG_EXIT_INFRA on failure. */
static int record(struct history_store *st, struct fg_run *run,
		  const struct import_opts *o)
{
	struct fg_error err = { 0 };
	int exit_code = FG_EXIT_OK;

	if (history_store_write_run(st, run, &err) != FG_OK)
		exit_code = cli_error(&err);
	if (o->json && report_json_write(o->json, run, &err) != FG_OK)
		exit_code = cli_error(&err);
	return exit_code;
}

/* ---------------------------------------------------------------------- */
/* Streaming: files straight into an open store transaction                */
/* ---------------------------------------------------------------------- */

struct import_sink {
	struct history_store *st;
	bool failed;           /* the store failed: err says why */
	struct fg_error err;
};

static int sink_test(void *ctx, struct fg_test *t)
{
	struct import_sink *s = ctx;
	int rc = history_store_run_add_test(s->st, t, &s->err);

	if (rc != FG_OK) {
		s->failed = true;
		return rc;
	}
	return FG_OK;
}

static int sink_rewind(void *ctx)
{
	struct import_sink *s = ctx;
	int rc = history_store_run_rewind(s->st, &s->err);

	s->failed = rc != FG_OK;
	return rc;
}

/* Streams one file into the open run and prints its line, as import_file(). */
static bool stream_file(const char *path, const struct import_opts *o,
			struct import_sink *s, FILE *human)
{
	const struct history_junit_sink sink = { sink_test, sink_rewind, s };
	struct history_junit_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct fg_summary c;
	int rc;

	rc = history_store_run_mark(s->st, &s->err);
	if (rc != FG_OK) {
		s->failed = true;
		return false;
	}
	if (is_tap(path, o->format))
		rc = read_tap(path, o, &sink, &stats, &err);
	else
		rc = history_junit_stream(path, o->name, &sink, &stats, &err);
	if (s->failed)
		return false;
	history_store_run_summary(s->st, NULL, &c);
	{
		struct file_counts fc = { c.failed, c.flaky, c.skipped,
					  c.xfailed };

		return file_line(human, path, o, rc, &err, &stats, &fc);
	}
}

static int stream_files(const struct file_list *fl,
			const struct import_opts *o, struct history_store *st,
			size_t nbad_args)
{
	struct import_sink s = { .st = st };
	struct analyzer_verdict v;
	struct fg_summary sum;
	struct fg_run run;
	size_t nbad = nbad_args;
	int exit_code;
	uint64_t t0 = fg_monotonic_ns();

	fg_run_init(&run);
	run.commit = fg_xstrdup(o->commit);
	run.branch = fg_xstrdup(o->branch);
	cli_detect_meta(&run, ".");
	run.started_at_ms = fg_now_ms();
	if (history_store_run_begin(st, &run, true, &s.err) != FG_OK) {
		fg_run_release(&run);
		return cli_error(&s.err);
	}
	for (size_t i = 0; i < fl->n && !s.failed; i++)
		nbad += !stream_file(fl->v[i], o, &s, stdout);
	history_store_run_summary(st, &sum, NULL);
	if (s.failed || !sum.total) {
		history_store_run_end(st, &run, false, NULL);
		fg_run_release(&run);
		if (s.failed)
			return cli_error(&s.err);
		fprintf(stderr, "flakeguard: no test case found in %zu "
			"file%s: nothing imported\n", fl->n,
			fl->n == 1 ? "" : "s");
		return FG_EXIT_FAILED;
	}
	analyzer_verdict_counts(&sum, NULL, &v);
	exit_code = o->no_fail ? FG_EXIT_OK : v.exit_code;
	if (nbad)
		exit_code = FG_EXIT_FAILED;
	run.exit_code = exit_code;
	run.duration_ms = (int64_t)((fg_monotonic_ns() - t0) / 1000000);
	if (history_store_run_end(st, &run, true, &s.err) != FG_OK)
		exit_code = cli_error(&s.err);
	if (run.id)
		printf("imported %zu test%s from %zu file%s as run %lld in "
		       "%s%s%s\n", sum.total, sum.total == 1 ? "" : "s", fl->n,
		       fl->n == 1 ? "" : "s", (long long)run.id,
		       cli_db_label(o->db),
		       o->no_fail ? "" : ": ", o->no_fail ? "" : v.reason);
	if (nbad)
		fprintf(stderr, "flakeguard: %zu path%s could not be read\n",
			nbad, nbad == 1 ? "" : "s");
	fg_run_release(&run);
	return exit_code;
}

static int import_files(const struct file_list *fl,
			const struct import_opts *o, struct history_store *st,
			size_t nbad_args)
{
	FILE *human = o->json && !strcmp(o->json, "-") ? stderr : stdout;
	struct analyzer_opts ao = { 0 };
	struct analyzer_verdict v;
	struct fg_run run;
	size_t nbad = nbad_args;
	int exit_code, rc;
	uint64_t t0 = fg_monotonic_ns();

	fg_run_init(&run);
	run.commit = fg_xstrdup(o->commit);
	run.branch = fg_xstrdup(o->branch);
	cli_detect_meta(&run, ".");
	run.started_at_ms = fg_now_ms();
	for (size_t i = 0; i < fl->n; i++)
		nbad += !import_file(fl->v[i], o, &run, human);
	run.duration_ms = (int64_t)((fg_monotonic_ns() - t0) / 1000000);
	if (!run.ntests) {
		fprintf(stderr, "flakeguard: no test case found in %zu "
			"file%s: nothing imported\n", fl->n,
			fl->n == 1 ? "" : "s");
		fg_run_release(&run);
		return FG_EXIT_FAILED;
	}
	analyzer_verdict(&run, &ao, &v);
	exit_code = o->no_fail ? FG_EXIT_OK : v.exit_code;
	if (nbad)
		exit_code = FG_EXIT_FAILED;
	run.exit_code = exit_code;
	rc = record(st, &run, o);
	if (rc)
		exit_code = rc;
	if (run.id)
		fprintf(human, "imported %zu test%s from %zu file%s as run "
			"%lld in %s%s%s\n", run.ntests,
			run.ntests == 1 ? "" : "s", fl->n,
			fl->n == 1 ? "" : "s", (long long)run.id,
			cli_db_label(o->db),
			o->no_fail ? "" : ": ", o->no_fail ? "" : v.reason);
	if (nbad)
		fprintf(stderr, "flakeguard: %zu path%s could not be read\n",
			nbad, nbad == 1 ? "" : "s");
	fg_run_release(&run);
	return exit_code;
}

static int cmd_import(int argc, char **argv)
{
	struct import_opts o = { .db = CLI_DEFAULT_DB };
	struct cli_parsed parsed;
	struct file_list fl = { 0 };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	size_t nbad = 0;
	int rc;

	rc = cli_parse(&cli_cmd_import, argc, argv, &o, &parsed);
	if (!rc && !parsed.nargs)
		rc = cli_usage_error(&cli_cmd_import, "no files to import");
	if (!rc)
		rc = cli_resolve(&cli_cmd_import, &parsed, NULL);
	if (rc) {
		cli_parsed_release(&cli_cmd_import, &parsed);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	if (o.format_arg)
		o.format = !strcmp(o.format_arg, "tap") ? FORMAT_TAP :
			   !strcmp(o.format_arg, "junit") ? FORMAT_JUNIT :
			   FORMAT_AUTO;
	for (int i = 0; i < parsed.nargs; i++)
		nbad += !add_arg(&fl, parsed.args[i], o.format);
	cli_parsed_release(&cli_cmd_import, &parsed);
	if (!fl.n) {
		fprintf(stderr, "flakeguard: no file to import: nothing "
			"imported\n");
		rc = FG_EXIT_FAILED;
	} else if (cli_db_open(o.db, CLI_DB_CREATE, &st, &err) != FG_OK) {
		rc = cli_error(&err);
	} else if (cli_spool_fold(st, o.db, stderr), o.json) {
		rc = import_files(&fl, &o, st, nbad);
	} else {
		rc = stream_files(&fl, &o, st, nbad);
	}
	history_store_close(st);
	for (size_t i = 0; i < fl.n; i++)
		free(fl.v[i]);
	free(fl.v);
	return rc;
}

const struct cli_command cli_cmd_import = {
	.name = "import",
	.fn = cmd_import,
	.usage = "flakeguard import [OPTIONS] PATH...",
	.summary = "record JUnit XML or TAP written by other tools as one run",
	.help =
	"Each PATH is a JUnit XML or TAP file, a directory (every *.xml and\n"
	"*.tap below it) or a glob pattern. All of them become one run in the\n"
	"history database.\n",
	.help_after =
	"Exit codes: 0 imported and nothing failed, 1 a test failed or a file\n"
	"could not be read (with --no-fail: only the latter) or no test case was\n"
	"found, 2 usage error, 3 database error.\n",
	.options = import_options,
};
