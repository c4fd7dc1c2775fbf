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
 * The files are streamed: the reader hands each test to the store as
 * soon as it is complete (history_store_run_begin .. _end, which merges a
 * test met again into more attempts), which stages it in a temporary
 * file, so memory stays flat however big the files are; a mark per file
 * lets a damaged file's second pass start over. Then the run is judged as
 * `run` judges its own (cli/analysis.c): the staged tests without their
 * output are handed to the analyzer with their history and the quarantine
 * in force, a slice at a time (memory stays flat here too), a covered
 * failure is staged as quarantined, and the verdict gives the exit code. The history is written, and its write lock taken,
 * only at the end, in one short transaction with the quarantine decisions:
 * other pipelines are not kept waiting while the files are read. --json
 * writes the run as the database then holds it (loaded back), with the
 * analyzer's figures.
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
#include <unistd.h>

enum import_format { FORMAT_AUTO, FORMAT_JUNIT, FORMAT_TAP };

struct import_opts {
	const char *format_arg;    /* --format */
	enum import_format format;
	const char *db;
	const char *json;
	const char *commit;
	const char *branch;
	const char *name;
	const char *config;        /* -c: the quarantine policy's file */
	const char *qfile;         /* --quarantine */
	struct cli_list policy;    /* --policy KEY=VALUE */
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
	CLI_PATH('c', "config", I, config, "FILE",
		 "quarantine policy from FILE's \"quarantine\"\n"
		 "object (default: flakeguard.json when\n"
		 "present)"),
	CLI_PATH(0, "quarantine", I, qfile, "FILE",
		 "honour a committed quarantine list\n"
		 "(flakeguard-quarantine.json) besides the\n"
		 "database's"),
	CLI_LIST(0, "policy", I, policy, "KEY=VALUE",
		 "override a quarantine policy key\n"
		 "(docs/analyzer.md; repeatable)"),
	CLI_CHOICE(0, "format", I, format_arg, "F", format_choices,
		   "tap, junit or auto (default: by content)"),
	CLI_FLAG('q', "quiet", I, quiet,
		 "print only problems, the analyzer's\n"
		 "decisions and the last line"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef I

/* ---------------------------------------------------------------------- */
/* Streaming: files into the store's staged run, judged, then committed    */
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

/* Streams one file into the open run and prints its line. */
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

/*
 * What the run is judged with, loaded before any file is read (a broken
 * policy or quarantine file is said before the work, as `run` does).
 */
struct import_judge {
	struct an_policy policy;
	struct cli_quarantine q;
};

static int judge_load(struct history_store *st, const struct import_opts *o,
		      const struct fg_config *cfg, struct import_judge *j)
{
	struct fg_error err = { 0 };

	if (cli_policy_build(cfg, o->policy.v, o->policy.n, &j->policy, &err))
		return err.code == FG_EINVAL ?
		       cli_usage_error(&cli_cmd_import, "%s", err.msg) :
		       cli_error(&err);
	if (cli_quarantine_load(st, o->qfile, &j->q, &err))
		return cli_error(&err);
	return FG_EXIT_OK;
}

/*
 * Judging the staged run as `run` judges its own, a slice of tests at a
 * time so that memory stays flat however big the run: each slice is
 * loaded from the stage (message and output excerpt only where an attempt
 * failed), given its history (cli_analysis_prepare) and judged
 * (an_judge) with the run's size as the policy's N and the count of
 * quarantined tests carried over, so every test is judged as in one go;
 * the verdict and the cap are summed (an_tally, an_cap_check). The
 * decisions are kept as changes, the tests it quarantined as identities,
 * and both are applied once the stage is read.
 */
#define JUDGE_SLICE 1024

struct judging {
	struct history_store *st;
	struct import_judge *j;
	const struct import_opts *o;
	const struct fg_run *meta;   /* the run: commit, branch, start */
	FILE *human;
	int64_t now;
	struct an_policy p;          /* j->policy with the run's N */
	size_t known;                /* tests in the run (the cap's base) */
	size_t quarantined_total;    /* active entries, carried over */
	size_t cap_refused;          /* summed over the slices */
	struct fg_run slice;         /* the slice being gathered */
	struct fg_run quarantined;   /* identities to stage as quarantined */
	struct fg_run *keep;         /* --json: the judged tests, or NULL */
	struct an_tally tally;
	struct cli_changes ch;
	bool said;                   /* the "Analysis:" heading is out */
	bool raw_said;               /* tests without a summary: said */
	bool plain;                  /* no analysis: the plain verdict */
	struct fg_error err;
};

static void slice_start(struct judging *jg)
{
	fg_run_init(&jg->slice);
	jg->slice.commit = fg_xstrdup(jg->meta->commit);
	jg->slice.branch = fg_xstrdup(jg->meta->branch);
	jg->slice.started_at_ms = jg->meta->started_at_ms;
}

/* Judges the gathered slice; non-zero: the history could not be read. */
static int slice_judge(struct judging *jg)
{
	struct an_verdict v;
	struct an_run ar = { 0 };
	int rc;

	if (!jg->slice.ntests)
		return 0;
	if ((rc = cli_analysis_prepare(jg->st, &jg->j->q, &jg->slice, &jg->p,
				       &ar, &jg->err))) {
		an_run_release(&ar);
		return rc;
	}
	ar.known_tests = jg->known;
	ar.quarantined_total = jg->quarantined_total;
	ar.raw_said = jg->raw_said; /* once for the import, not per slice */
	an_judge(&jg->slice, &ar, jg->now, &jg->p, &v);
	cli_analysis_load_failed(&ar);
	jg->raw_said = ar.raw_said;
	jg->quarantined_total = ar.quarantined_total;
	jg->cap_refused += ar.cap_refused;
	ar.cap_exceeded = false; /* said once, for the whole run */
	an_tally_add(&jg->tally, &jg->slice, &ar);
	cli_analysis_changes(&ar, &jg->j->q, jg->now, &jg->ch);
	cli_analysis_print(jg->human, &jg->slice, &ar, jg->o->qfile,
			   jg->o->quiet, &jg->said);
	for (size_t i = 0; i < jg->slice.ntests; i++) {
		struct fg_test *t = &jg->slice.tests[i];

		if (t->outcome == FG_O_QUARANTINED)
			fg_run_add_test(&jg->quarantined, t->suite,
					t->classname, t->name);
		if (jg->keep)
			fg_test_take_analysis(fg_run_add_test(jg->keep,
				t->suite, t->classname, t->name), t);
	}
	an_run_release(&ar);
	fg_run_release(&jg->slice);
	slice_start(jg);
	return 0;
}

/* A staged test into the slice: a passing attempt without its texts. */
static int slice_add(void *ctx, const struct fg_test *t)
{
	struct judging *jg = ctx;
	struct fg_test *d = fg_run_add_test(&jg->slice, t->suite, t->classname,
					    t->name);

	d->file = fg_xstrdup(t->file);
	d->line = t->line;
	d->outcome = t->outcome;
	d->duration_ms = t->duration_ms;
	for (size_t i = 0; i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];
		struct fg_attempt *c;

		/* a failure keeps its message and output excerpt: the
		 * signature and the root-cause hint read them */
		c = fg_test_add_attempt(d, a->status, a->duration_ms,
					fg_astatus_is_failure(a->status) ?
					a->message : NULL,
					fg_astatus_is_failure(a->status) ?
					a->output : NULL);
		c->number = a->number;
		c->started_at_ms = a->started_at_ms;
	}
	return jg->slice.ntests < JUDGE_SLICE ? 0 : slice_judge(jg);
}

/*
 * Judges the staged run; fills v. FG_EIO (jg->err) when the stage
 * failed. A history that cannot be read leaves the plain verdict from
 * the outcome counts, with no decision, as `run` does.
 */
static int judge_run(struct judging *jg, const struct fg_summary *sum,
		     struct an_verdict *v)
{
	struct an_run total = { 0 };
	int rc;

	jg->p = jg->j->policy;
	jg->known = sum->total;
	if (!jg->p.tests)
		jg->p.tests = jg->known;
	jg->quarantined_total = jg->j->q.active.n;
	slice_start(jg);
	rc = history_store_run_each(jg->st, slice_add, jg, &jg->err);
	if (!rc)
		rc = slice_judge(jg);
	fg_run_release(&jg->slice);
	if (rc && jg->err.code == FG_EIO)
		return rc;
	if (rc) {
		struct an_verdict_opts ao = { 0 };

		fprintf(stderr, "flakeguard: %s (no analysis: plain verdict)\n",
			cli_safe(jg->err.msg));
		jg->plain = true;
		cli_changes_release(&jg->ch);
		fg_run_release(&jg->quarantined);
		an_verdict_counts(sum, &ao, v);
		return FG_OK;
	}
	an_tally_verdict(&jg->tally, v);
	total.n = total.known_tests = jg->known;
	total.quarantined_total = jg->quarantined_total;
	total.cap_refused = jg->cap_refused;
	an_cap_check(&total, &jg->p);
	if (total.cap_exceeded)
		fprintf(jg->human, "\nWARNING: %s\n", total.cap_note);
	return FG_OK;
}

/* The tests the analyzer quarantined, staged so. */
static int stage_quarantined(struct judging *jg, struct fg_error *err)
{
	for (size_t i = 0; i < jg->quarantined.ntests; i++) {
		int rc = history_store_run_set_outcome(
			jg->st, &jg->quarantined.tests[i], FG_O_QUARANTINED,
			err);

		if (rc)
			return rc;
	}
	return FG_OK;
}

/*
 * --json: the run as the database holds it, with the analyzer's figures
 * from the judged tests (by identity).
 */
static int write_json(struct history_store *st, int64_t id,
		      struct fg_run *judged, const char *path)
{
	struct fg_error err = { 0 };
	struct fg_run stored;
	int rc;

	if ((rc = history_store_load_run(st, id, &stored, &err)))
		return cli_error(&err);
	for (size_t i = 0; i < stored.ntests; i++) {
		struct fg_test *t = &stored.tests[i];
		struct fg_test *a = fg_run_find_test(judged, t->suite,
						     t->classname, t->name);

		if (a)
			fg_test_take_analysis(t, a);
	}
	rc = report_json_write(path, &stored, &err);
	fg_run_release(&stored);
	return rc ? cli_error(&err) : FG_EXIT_OK;
}

/* Reads every file into the staged run; false: the store failed. */
static bool stream_all(const struct file_list *fl, const struct import_opts *o,
		       struct import_sink *s, FILE *human, size_t *nbad)
{
	for (size_t i = 0; i < fl->n && !s->failed; i++)
		*nbad += !stream_file(fl->v[i], o, s, human);
	return !s->failed;
}

/* Prints the last line: what was imported, and the verdict's reason. */
static void last_line(FILE *human, const struct import_opts *o,
		      const struct file_list *fl, size_t total, int64_t id,
		      const struct an_verdict *v)
{
	fprintf(human, "imported %zu test%s from %zu file%s as run %lld in "
		"%s%s", total, total == 1 ? "" : "s", fl->n,
		fl->n == 1 ? "" : "s", (long long)id, cli_db_label(o->db),
		o->no_fail ? "" : ": ");
	/* the reason names tests: text from outside (core/text.h) */
	if (!o->no_fail)
		fg_text_write(human, v->reason, NULL, 0);
	fputc('\n', human);
}

static int import_run(const struct file_list *fl, const struct import_opts *o,
		      struct history_store *st, struct import_judge *j,
		      size_t nbad)
{
	FILE *human = o->json && !strcmp(o->json, "-") ? stderr : stdout;
	struct import_sink s = { .st = st };
	struct judging jg = { .st = st, .j = j, .o = o, .human = human };
	struct an_verdict v;
	struct fg_summary sum;
	struct fg_run run, keep;
	int exit_code;
	uint64_t t0 = fg_monotonic_ns();

	fg_run_init(&run);
	fg_run_init(&keep);
	fg_run_init(&jg.quarantined);
	run.commit = fg_xstrdup(o->commit);
	run.branch = fg_xstrdup(o->branch);
	cli_detect_meta(&run, ".");
	run.started_at_ms = fg_now_ms();
	jg.meta = &run;
	jg.now = fg_now_ms();
	jg.keep = o->json ? &keep : NULL;
	if (history_store_run_begin(st, &run, true, &s.err) != FG_OK) {
		fg_run_release(&run);
		return cli_error(&s.err);
	}
	stream_all(fl, o, &s, human, &nbad);
	history_store_run_summary(st, &sum, NULL);
	if (s.failed || !sum.total || judge_run(&jg, &sum, &v) ||
	    stage_quarantined(&jg, &s.err)) {
		if (!s.failed && sum.total && jg.err.code == FG_EIO)
			s.err = jg.err; /* the stage failed while judging */
		history_store_run_end(st, &run, false, NULL);
		exit_code = sum.total || s.failed ? cli_error(&s.err) :
			    FG_EXIT_FAILED;
		if (!sum.total && !s.failed)
			fprintf(stderr, "flakeguard: no test case found in "
				"%zu file%s: nothing imported\n", fl->n,
				fl->n == 1 ? "" : "s");
		goto out;
	}
	exit_code = o->no_fail ? FG_EXIT_OK : v.exit_code;
	if (nbad)
		exit_code = FG_EXIT_FAILED;
	run.exit_code = exit_code;
	run.duration_ms = (int64_t)((fg_monotonic_ns() - t0) / 1000000);
	/* The staged run and the quarantine decisions: one transaction. */
	if (cli_analysis_record(st, &run, &jg.ch, true, &s.err))
		exit_code = cli_error(&s.err);
	if (run.id && o->json && write_json(st, run.id, &keep, o->json))
		exit_code = FG_EXIT_INFRA;
	if (run.id)
		last_line(human, o, fl, sum.total, run.id, &v);
	if (nbad)
		fprintf(stderr, "flakeguard: %zu path%s could not be read\n",
			nbad, nbad == 1 ? "" : "s");
out:
	cli_changes_release(&jg.ch);
	fg_run_release(&jg.quarantined);
	fg_run_release(&keep);
	fg_run_release(&run);
	return exit_code;
}

/*
 * The policy comes from -c FILE's "quarantine" object, or flakeguard.json
 * when present (as `analyze`: a broken default config is `run`'s to
 * judge, and leaves the defaults here).
 */
static int load_config(const struct import_opts *o, struct fg_config *cfg)
{
	struct fg_error err = { 0 };

	fg_config_init(cfg);
	if (o->config && fg_config_load(cfg, o->config, &err))
		return cli_error(&err);
	if (!o->config && !access("flakeguard.json", R_OK))
		fg_config_load(cfg, "flakeguard.json", &err);
	return FG_EXIT_OK;
}

static int import_files(const struct file_list *fl,
			const struct import_opts *o, size_t nbad)
{
	struct import_judge j = { 0 };
	struct history_store *st = NULL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	int rc;

	if ((rc = load_config(o, &cfg)))
		return rc;
	if (cli_db_open(o->db, CLI_DB_CREATE, &st, &err) != FG_OK) {
		rc = cli_error(&err);
	} else {
		cli_spool_fold(st, o->db, stderr);
		rc = judge_load(st, o, &cfg, &j);
		if (!rc)
			rc = import_run(fl, o, st, &j, nbad);
	}
	cli_quarantine_release(&j.q);
	history_store_close(st);
	fg_config_release(&cfg);
	return rc;
}

static int cmd_import(int argc, char **argv)
{
	struct import_opts o = { .db = CLI_DEFAULT_DB };
	struct cli_parsed parsed;
	struct file_list fl = { 0 };
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
	if (!fl.n) {
		fprintf(stderr, "flakeguard: no file to import: nothing "
			"imported\n");
		rc = FG_EXIT_FAILED;
	} else {
		rc = import_files(&fl, &o, nbad); /* o.policy: parsed's */
	}
	cli_parsed_release(&cli_cmd_import, &parsed);
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
	"The run is judged as `run` judges its own: a failure of a quarantined\n"
	"test is imported as quarantined and does not count.\n\n"
	"Exit codes: 0 imported and nothing real failed, 1 a test failed (not\n"
	"quarantined) or a file could not be read (with --no-fail: only the\n"
	"latter) or no test case was found, 2 usage error, 3 database error.\n",
	.options = import_options,
};
