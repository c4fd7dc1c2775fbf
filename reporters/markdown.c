/* SPDX-License-Identifier: MIT */
/*
 * reporters/markdown.c - the compact summary for PR comments and GitHub's
 * job summary ($GITHUB_STEP_SUMMARY), and GitHub Actions annotations.
 *
 * A reader sees the verdict first, then the counts, real failures (name,
 * status, message, file:line, the tail of the output folded in
 * <details>), flaky tests with their attempts, quarantined tests. GitHub
 * refuses step summaries over 1 MiB and PR comments over 64 KiB, so the
 * lists are cut (with "... and N more") well before REPORT_MARKDOWN_MAX.
 *
 * Strings from tests are untrusted: in running text, characters that
 * Markdown or HTML would interpret are escaped (md_text); output goes in a
 * code fence longer than any run of backticks inside it.
 */
#include "reporters/report.h"
#include "reporters/internal.h"

#include <stdlib.h>
#include <string.h>

#define MD_FAILURES_DETAILED 20  /* failures shown with their output */
#define MD_LIST_MAX 100          /* names listed per section at most */
#define MD_TAIL_LINES 20
#define MD_TAIL_BYTES 4096

/* Text on one line: Markdown punctuation escaped, HTML made inert. */
static void md_text(FILE *f, const char *s)
{
	char *c = reporters__clean_text(s);

	for (const char *p = c; *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '\n': case '\r': case '\t': fputc(' ', f); break;
		/* Our text never starts a line, so '#', '-', '1.' are safe. */
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '~':
			fputc('\\', f);
			fputc(*p, f);
			break;
		default:
			fputc(*p, f);
		}
	}
	free(c);
}

/* The first line of s, at most 200 bytes (on a character boundary). */
static char *first_line(const char *s)
{
	size_t n = strcspn(s, "\r\n");

	if (n > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return fg_xstrndup(s, n);
}

static void md_label(FILE *f, const struct fg_test *t)
{
	char *l = reporters__test_label(t);

	md_text(f, l);
	free(l);
}

static void md_strip(FILE *f, const struct fg_test *t)
{
	for (size_t i = 0; i < t->nattempts; i++)
		fputs(fg_astatus_is_failure(t->attempts[i].status) ? "\u2717" :
		      "\u2713", f);
}

/* The last MD_TAIL_LINES lines (and MD_TAIL_BYTES bytes) of s. */
static const char *tail_of(const char *s)
{
	const char *end = s + strlen(s), *p = end;
	int n = 0;

	while (p > s && (p[-1] == '\n' || p[-1] == '\r'))
		p--;
	while (p > s && end - p < MD_TAIL_BYTES) {
		if (p[-1] == '\n' && ++n >= MD_TAIL_LINES)
			break;
		p--;
	}
	while (((unsigned char)*p & 0xc0) == 0x80)
		p++;
	return p;
}

/* A fenced code block that no backtick run in s can close. */
static void md_code(FILE *f, const char *s)
{
	char *c = reporters__clean_text(s);
	size_t run = 0, longest = 0;

	for (const char *p = c; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		fputc('`', f);
	fputc('\n', f);
	fputs(c, f);
	if (*c && c[strlen(c) - 1] != '\n')
		fputc('\n', f);
	for (size_t i = 0; i < longest; i++)
		fputc('`', f);
	fputc('\n', f);
	free(c);
}

/* "  - hint: memory error: ..." under a test (analyzer/hint.c). */
static void md_hint(FILE *f, const struct fg_test *t)
{
	if (!reporters__hint_shown(t))
		return;
	fputs("  - hint: ", f);
	md_text(f, t->hint);
	fputc('\n', f);
}

static void md_incidents(FILE *f, const struct fg_run *run)
{
	for (size_t k = 0; k < run->nincidents; k++) {
		const struct fg_incident *inc = &run->incidents[k];
		size_t shown = 0;

		fprintf(f, "\n### Incident: %zu of %zu failed tests failed "
			"alike\n\n", inc->ntests, inc->nfailed);
		fputs("One cause (a service down, a full disk) is likelier "
		      "than that many bugs: ", f);
		md_text(f, inc->signature);
		fputs("\n\n", f);
		for (size_t i = 0; i < run->ntests && shown < MD_LIST_MAX; i++) {
			if (run->tests[i].incident != k + 1)
				continue;
			fputs("- ", f);
			md_label(f, &run->tests[i]);
			fputc('\n', f);
			shown++;
		}
		if (inc->ntests > shown)
			fprintf(f, "- \u2026 and %zu more\n",
				inc->ntests - shown);
	}
}

static void md_failure(FILE *f, const struct fg_test *t, bool detailed)
{
	const struct fg_attempt *a = reporters__last_attempt(t);

	fputs("- **", f);
	md_label(f, t);
	fprintf(f, "** \u2014 %s", a ? fg_astatus_name(a->status) : "failed");
	if (t->nattempts > 1) {
		fputs(" ", f);
		md_strip(f, t);
	}
	if (t->file) {
		fputs(" at ", f);
		md_text(f, t->file);
		if (t->line > 0)
			fprintf(f, ":%d", t->line);
	}
	if (a && a->message && *a->message) {
		char *m = first_line(a->message);

		fputs(": ", f);
		md_text(f, m);
		free(m);
	}
	fputc('\n', f);
	md_hint(f, t);
	if (t->repro) {
		fputs("  reproduce:\n\n", f);
		md_code(f, t->repro);
	}
	if (detailed && a && a->output && *a->output) {
		fputs("  <details><summary>output</summary>\n\n", f);
		md_code(f, tail_of(a->output));
		fputs("\n  </details>\n", f);
	}
}

/* One section: the tests with outcome o, each written by fn. */
static void md_section(FILE *f, const struct fg_run *run, enum fg_outcome o,
		       const char *title, size_t count)
{
	size_t shown = 0;

	if (!count)
		return;
	fprintf(f, "\n### %s (%zu)\n\n", title, count);
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];

		if (t->outcome != o)
			continue;
		if (shown == MD_LIST_MAX || ftell(f) > REPORT_MARKDOWN_MAX) {
			fprintf(f, "- \u2026 and %zu more\n", count - shown);
			return;
		}
		if (o == FG_O_FAILED) {
			md_failure(f, t, shown < MD_FAILURES_DETAILED);
		} else {
			fputs("- ", f);
			md_strip(f, t);
			fputs(" ", f);
			md_label(f, t);
			if (o == FG_O_QUARANTINED && t->nattempts &&
			    t->attempts[t->nattempts - 1].message) {
				char *m = first_line(t->attempts[t->nattempts - 1].message);

				fputs(": ", f);
				md_text(f, m);
				free(m);
			}
			fputc('\n', f);
			md_hint(f, t);
		}
		shown++;
	}
}

/* Tests that ran in the baseline run and not in this one. */
static void md_missing(FILE *f, const struct fg_run *run)
{
	if (!run->nmissing)
		return;
	fprintf(f, "\n### Missing since run %lld (%zu)\n\n",
		(long long)run->missing_since, run->nmissing);
	for (size_t i = 0; i < run->nmissing; i++) {
		const struct fg_missing *m = &run->missing[i];

		if (i == MD_LIST_MAX || ftell(f) > REPORT_MARKDOWN_MAX) {
			fprintf(f, "- \u2026 and %zu more\n", run->nmissing - i);
			return;
		}
		fputs("- ", f);
		md_text(f, m->suite);
		fputs("::", f);
		if (*m->classname) {
			md_text(f, m->classname);
			fputs("::", f);
		}
		md_text(f, m->name);
		fputc('\n', f);
	}
}

/*
 * Tests that fail beside others and pass alone (category interference):
 * who was beside them, and the override that keeps them apart.
 */
static void md_interference(FILE *f, const struct fg_run *run)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < run->ntests; i++)
		n += run->tests[i].category &&
		     !strcmp(run->tests[i].category, "interference");
	if (!n)
		return;
	fprintf(f, "\n### Interference: fail beside other tests, pass alone "
		"(%zu)\n\n", n);
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];

		if (!t->category || strcmp(t->category, "interference"))
			continue;
		if (shown++ == MD_LIST_MAX) {
			fprintf(f, "- \u2026 and %zu more\n", n - MD_LIST_MAX);
			return;
		}
		fputs("- ", f);
		md_label(f, t);
		fputs(": beside its failures", f);
		for (size_t k = 0; k < t->nculprits; k++) {
			fputs(k ? ", " : " ", f);
			md_text(f, t->culprits[k].name);
			fprintf(f, " (%u run%s)", t->culprits[k].runs,
				t->culprits[k].runs == 1 ? "" : "s");
		}
		if (!t->nculprits)
			fputs(" (not recorded)", f);
		fputc('\n', f);
		if (t->suggestion) {
			fputs("  - ", f);
			md_text(f, t->suggestion);
			fputc('\n', f);
		}
	}
}

char *report_markdown(const struct fg_run *run,
		      const struct an_verdict *v)
{
	struct fg_summary sum;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char d[32];

	if (!f)
		fg_out_of_memory();
	fg_run_summarize(run, &sum);
	fprintf(f, "## %s flakeguard: ", v->exit_code ? "\u274c" :
		sum.flaky ? "\u26a0\ufe0f" : "\u2705");
	md_text(f, v->reason);
	fprintf(f, "\n\n**%zu** tests: %zu passed \u00b7 **%zu failed** \u00b7 "
		"%zu flaky \u00b7 %zu skipped \u00b7 %zu quarantined",
		sum.total, sum.passed, sum.failed, sum.flaky, sum.skipped,
		sum.quarantined);
	if (sum.xfailed)
		fprintf(f, " \u00b7 %zu xfailed", sum.xfailed);
	if (sum.xpassed)
		fprintf(f, " \u00b7 %zu xpassed", sum.xpassed);
	fprintf(f, " \u00b7 %s\n",
		fg_duration_format(run->duration_ms, d, sizeof(d)));
	if (run->id || run->commit || run->branch) {
		fputc('\n', f);
		if (run->id)
			fprintf(f, "run %lld", (long long)run->id);
		if (run->commit) {
			char *c = reporters__strndup_utf8(run->commit, 12);

			fputs(run->id ? " \u00b7 commit " : "commit ", f);
			md_text(f, c);
			free(c);
		}
		if (run->branch) {
			fputs(run->id || run->commit ? " \u00b7 branch " :
			      "branch ", f);
			md_text(f, run->branch);
		}
		if (run->shard) {
			fputs(" \u00b7 shard ", f);
			md_text(f, run->shard);
		}
		if (run->ci_job) {
			fputs(" \u00b7 job ", f);
			md_text(f, run->ci_job);
		}
		fputc('\n', f);
	}
	if (run->interrupted)
		fputs("\n**Interrupted**: results are partial.\n", f);
	md_section(f, run, FG_O_FAILED, "Failed", sum.failed);
	md_interference(f, run);
	md_section(f, run, FG_O_FLAKY, "Flaky (failed, then passed on retry)",
		   sum.flaky);
	md_section(f, run, FG_O_QUARANTINED,
		   "Quarantined (failures not counted)", sum.quarantined);
	md_incidents(f, run);
	md_missing(f, run);
	fclose(f);
	return buf;
}

int report_markdown_write(const char *path, bool append,
			  const struct fg_run *run,
			  const struct an_verdict *v,
			  struct fg_error *err)
{
	char *md = report_markdown(run, v);
	int rc = FG_OK;

	if (!strcmp(path, "-")) {
		if (fputs(md, stdout) == EOF || fflush(stdout))
			rc = fg_fail(err, FG_EIO, "cannot write the Markdown "
				     "summary to standard output");
	} else {
		rc = reporters__write_file(path, md, strlen(md), append, err);
	}
	free(md);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* GitHub Actions workflow commands                                        */
/* ---------------------------------------------------------------------- */

/* Escapes as actions/toolkit's command.ts does (escapeData/escapeProperty). */
static void gh_escape(FILE *out, const char *s, bool property)
{
	char *c = reporters__clean_text(s);

	for (const char *p = c; *p; p++) {
		if (*p == '%')
			fputs("%25", out);
		else if (*p == '\r')
			fputs("%0D", out);
		else if (*p == '\n')
			fputs("%0A", out);
		else if (property && *p == ':')
			fputs("%3A", out);
		else if (property && *p == ',')
			fputs("%2C", out);
		else if (p[0] == '#' && p[1] == '#' && p[2] == '[')
			fputs("#\xe2\x80\x8b", out); /* the runner obeys "##[" anywhere */
		else
			fputc(*p, out);
	}
	free(c);
}

void report_github_annotations(FILE *out, const struct fg_run *run)
{
	size_t n = 0;

	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		const struct fg_attempt *a = reporters__last_attempt(t);
		char *label;

		if (t->outcome != FG_O_FAILED)
			continue;
		if (n++ == REPORT_ANNOTATIONS_MAX)
			break;
		fputs("::error ", out);
		if (t->file) {
			fputs("file=", out);
			gh_escape(out, t->file, true);
			if (t->line > 0)
				fprintf(out, ",line=%d", t->line);
			fputc(',', out);
		}
		label = reporters__test_label(t);
		fputs("title=", out);
		gh_escape(out, label, true);
		free(label);
		fputs("::", out);
		gh_escape(out, a && a->message && *a->message ? a->message :
			  a ? fg_astatus_name(a->status) : "failed", false);
		if (reporters__hint_shown(t)) {
			gh_escape(out, "\n\nhint: ", false);
			gh_escape(out, t->hint, false);
		}
		fputc('\n', out);
	}
}
