/* SPDX-License-Identifier: MIT */
/*
 * reporters/term.c - the summary at the bottom of a CI log.
 *
 * Order matters to a reader scrolling up from the end: the verdict is the
 * last line, the counts just above it, real failures (with their message
 * and the tail of their output) above those, flaky tests in between.
 * Everything that came from a test (names, files, messages, output) is
 * printed through core/text.h: control characters, C1 and bidi controls
 * escaped, and the CI's own command syntax neutralised, so a test can
 * neither move our cursor nor issue a CI command.
 */
#include "reporters/report.h"
#include "reporters/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

int report_color_choose(const char *mode, FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (!mode || !strcmp(mode, "auto"))
		return !(nc && *nc) && isatty(fileno(f));
	if (!strcmp(mode, "always"))
		return 1;
	if (!strcmp(mode, "never"))
		return 0;
	return -1;
}

static const char *c(bool color, const char *code)
{
	return color ? code : "";
}

/*
 * Writes s (a message or output from a test) as a block: every line
 * indented, escaped and neutralised (core/text.h), ending with a newline.
 */
static void put_escaped(FILE *out, const char *s, const char *indent)
{
	size_t n = strlen(s);

	fputs(indent, out);
	fg_text_write(out, s, indent, FG_TEXT_BLOCK |
		      (indent[strspn(indent, " ")] ? 0 : FG_TEXT_AT_BOL));
	if (!n || s[n - 1] != '\n')
		fputc('\n', out);
}

/* A name or other single line from outside, in the middle of a line. */
static void put_text(FILE *out, const char *s)
{
	fg_text_write(out, s, NULL, 0);
}

/* The last n lines of s (a pointer into s). */
static const char *last_lines(const char *s, int n)
{
	const char *p = s + strlen(s);

	while (p > s && (p[-1] == '\n' || p[-1] == '\r'))
		p--;
	while (p > s) {
		if (p[-1] == '\n' && --n <= 0)
			break;
		p--;
	}
	return p;
}

static void test_label(FILE *out, const struct fg_test *t)
{
	put_text(out, t->suite);
	if (!strcmp(t->name, t->suite) && !*t->classname)
		return;
	fputs(": ", out);
	if (*t->classname) {
		put_text(out, t->classname);
		fputc('.', out);
	}
	put_text(out, t->name);
}

static const char *status_tag(enum fg_astatus s)
{
	static const char *tags[FG_A_COUNT] = {
		"PASS", "FAIL", "ERROR", "SKIP", "TIMEOUT", "CRASH", "LEAK",
		"XFAIL", "XPASS",
	};
	return (unsigned)s < FG_A_COUNT ? tags[s] : "?";
}

void report_term_attempt(FILE *out, const struct fg_test *t,
			 const struct fg_attempt *a, bool color)
{
	char d[32];
	const char *col = a->status == FG_A_PASSED  ? GREEN :
			  a->status == FG_A_SKIPPED ? DIM : RED;

	fprintf(out, "%s%7s%s %9s  ", c(color, col), status_tag(a->status),
		c(color, RESET), fg_duration_format(a->duration_ms, d, sizeof(d)));
	test_label(out, t);
	if (a->number > 1)
		fprintf(out, " (attempt %d)", a->number);
	fputc('\n', out);
}

/* ✓/✗ per attempt; a '|' before the stress runs (run --new-test-runs) */
static void attempt_strip(FILE *out, const struct fg_test *t, bool color)
{
	for (size_t i = 0; i < t->nattempts; i++) {
		bool ok = !fg_astatus_is_failure(t->attempts[i].status);

		if (t->attempts[i].stress && (!i || !t->attempts[i - 1].stress))
			fputc('|', out);

		fprintf(out, "%s%s%s", c(color, ok ? GREEN : RED),
			ok ? "\u2713" : "\u2717", c(color, RESET));
	}
}

/*
 * The whole kept output of a failure in a collapsed section of the CI log.
 * Under GitHub Actions test output must not be able to issue workflow
 * commands (a line "::error::..." or "::add-mask::..." in a test's
 * output): ::stop-commands:: with a one-off token turns them off inside.
 */
static void print_folded(FILE *out, const struct fg_test *t,
			 const char *output, const struct fg_ci *ci)
{
	static unsigned section;
	long now = (long)(fg_now_ms() / 1000);
	char token[32];

	section++;
	switch (ci->fold) {
	case FG_FOLD_GITHUB:
		snprintf(token, sizeof(token), "fg%llx%u",
			 (unsigned long long)fg_monotonic_ns(), section);
		fprintf(out, "::group::full output of ");
		test_label(out, t);
		fprintf(out, "\n::stop-commands::%s\n", token);
		put_escaped(out, output, "");
		fprintf(out, "::%s::\n::endgroup::\n", token);
		break;
	case FG_FOLD_GITLAB:
		fprintf(out, "\033[0Ksection_start:%ld:fg_output_%u"
			"[collapsed=true]\r\033[0Kfull output of ", now, section);
		test_label(out, t);
		fputc('\n', out);
		put_escaped(out, output, "");
		fprintf(out, "\033[0Ksection_end:%ld:fg_output_%u\r\033[0K\n",
			(long)(fg_now_ms() / 1000), section);
		break;
	case FG_FOLD_BUILDKITE:
		fprintf(out, "--- full output of ");
		test_label(out, t);
		fputc('\n', out);
		put_escaped(out, output, "");
		fprintf(out, "+++ flakeguard summary\n");
		break;
	case FG_FOLD_AZURE:
		fprintf(out, "##[group]full output of ");
		test_label(out, t);
		fputc('\n', out);
		put_escaped(out, output, "");
		fprintf(out, "##[endgroup]\n");
		break;
	case FG_FOLD_TEAMCITY:
		fprintf(out, "##teamcity[blockOpened name='flakeguard output "
			"%u']\n", section);
		put_escaped(out, output, "");
		fprintf(out, "##teamcity[blockClosed name='flakeguard output "
			"%u']\n", section);
		break;
	case FG_FOLD_NONE:
		break;
	}
}

/* The analyzer's evidence: "n = 61, k = 10, p = 16.4% [9.2%, 27.6%]". */
static void evidence(FILE *out, const struct fg_test *t)
{
	fprintf(out, "n = %u, k = %u, p = %.1f%% [%.1f%%, %.1f%%]",
		t->hist_runs, t->hist_fails, 100 * t->rate, 100 * t->rate_lo,
		100 * t->rate_hi);
	if (t->since) {
		char *since = fg_xstrndup(t->since, 12);

		fputs(", since ", out);
		put_text(out, since); /* a commit: from outside */
		free(since);
	}
}

/*
 * Under a failure: its category with the rule's reason, the evidence, and
 * how the failure counted, when the analyzer judged the test.
 */
static void print_analysis(FILE *out, const struct fg_test *t,
			   const struct report_term_opts *o)
{
	if (!t->category)
		return;
	fprintf(out, "    %s%s%s", c(o->color, BOLD), t->category,
		c(o->color, RESET));
	/* the analyzer's sentences quote commits and failure signatures */
	if (t->reason && *t->reason) {
		fputs(": ", out);
		put_text(out, t->reason);
	}
	fputc('\n', out);
	if (t->hist_runs) {
		fputs("    ", out);
		evidence(out, t);
		fputc('\n', out);
	}
	if (t->note && *t->note) {
		char *note = fg_xstrndup(t->note, reporters__note_len(t->note,
								  t->reason));

		fputs("    ", out);
		put_text(out, note);
		fputc('\n', out);
		free(note);
	}
}

/* The root-cause hint (analyzer/hint.c): from the test's output. */
static void print_hint(FILE *out, const struct fg_test *t, const char *indent,
		       const struct report_term_opts *o)
{
	if (!reporters__hint_shown(t))
		return;
	fprintf(out, "%s%shint:%s ", indent, c(o->color, BOLD),
		c(o->color, RESET));
	put_text(out, t->hint);
	fputc('\n', out);
}

/* Many tests that failed alike: one incident, named once. */
static void print_incidents(FILE *out, const struct fg_run *run,
			    const struct report_term_opts *o)
{
	for (size_t k = 0; k < run->nincidents; k++) {
		const struct fg_incident *inc = &run->incidents[k];
		size_t shown = 0;

		fprintf(out, "\n%sIncident%s: %zu of %zu failed tests failed "
			"alike (one cause, such as a service down or a full "
			"disk, is likelier than %zu bugs):\n    ",
			c(o->color, YELLOW BOLD), c(o->color, RESET),
			inc->ntests, inc->nfailed, inc->ntests);
		put_text(out, inc->signature);
		fputc('\n', out);
		for (size_t i = 0; i < run->ntests && shown < 10; i++) {
			if (run->tests[i].incident != k + 1)
				continue;
			fputs("    - ", out);
			test_label(out, &run->tests[i]);
			fputc('\n', out);
			shown++;
		}
		if (inc->ntests > shown)
			fprintf(out, "    - ... and %zu more\n",
				inc->ntests - shown);
	}
}

static void print_failure(FILE *out, const struct fg_test *t,
			  const struct report_term_opts *o)
{
	const struct fg_attempt *a = &t->attempts[t->nattempts - 1];

	fprintf(out, "\n%s%s%s ", c(o->color, BOLD RED),
		status_tag(a->status), c(o->color, RESET));
	test_label(out, t);
	if (t->nattempts > 1) {
		fputs("  ", out);
		attempt_strip(out, t, o->color);
	}
	fputc('\n', out);
	print_hint(out, t, "    ", o);
	print_analysis(out, t, o);
	if (t->file) {
		fputs("    at ", out);
		put_text(out, t->file);
		fprintf(out, ":%d\n", t->line);
	}
	if (t->repro) {
		fputs("    reproduce: ", out);
		put_text(out, t->repro);
		fputc('\n', out);
	}
	if (a->message && *a->message)
		put_escaped(out, a->message, "    ");
	if (a->output && *a->output) {
		fprintf(out, "    %s--- output (last %d lines) ---%s\n",
			c(o->color, DIM), o->tail_lines, c(o->color, RESET));
		put_escaped(out, last_lines(a->output, o->tail_lines), "    | ");
		if (o->ci && o->ci->fold != FG_FOLD_NONE &&
		    last_lines(a->output, o->tail_lines) != a->output)
			print_folded(out, t, a->output, o->ci);
	}
}

/* Quarantined failures: shown, so nothing is hidden, but not counted. */
static void print_quarantined(FILE *out, const struct fg_run *run,
			      const struct report_term_opts *o)
{
	bool any = false;

	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		const struct fg_attempt *a;

		if (t->outcome != FG_O_QUARANTINED || !t->nattempts)
			continue;
		if (!any)
			fprintf(out, "\n%sQuarantined%s (failed; not counted "
				"against the run, see `flakeguard quarantine "
				"list`):\n", c(o->color, YELLOW BOLD),
				c(o->color, RESET));
		any = true;
		a = &t->attempts[t->nattempts - 1];
		fputs("    ", out);
		attempt_strip(out, t, o->color);
		fputc(' ', out);
		test_label(out, t);
		if (a->message && *a->message) {
			size_t n = strcspn(a->message, "\n");
			char *first = fg_xstrndup(a->message, n > 100 ? 100 : n);

			fputs(": ", out);
			put_text(out, first);
			fputs(n > 100 ? "..." : "", out);
			free(first);
		}
		fputc('\n', out);
		print_hint(out, t, "      ", o);
		if (t->hist_runs) {
			fprintf(out, "      %s%s, ", c(o->color, DIM),
				t->category ? t->category : "");
			evidence(out, t);
			fprintf(out, "%s\n", c(o->color, RESET));
		}
	}
}

/* The five slowest tests, when there are enough to make it interesting. */
static void print_slowest(FILE *out, const struct fg_run *run,
			  const struct report_term_opts *o)
{
	const struct fg_test *top[5] = { NULL };
	size_t ntop = 0;
	char d[32];

	if (run->ntests < 10)
		return;
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		size_t k;

		/* 0 ms is mostly "not timed" (TAP, a skip): nothing to rank */
		if (t->duration_ms <= 0)
			continue;
		k = ntop < 5 ? ntop++ : 5;
		/* insertion into a sorted top-5, longest first */
		while (k > 0 && top[k - 1]->duration_ms < t->duration_ms) {
			if (k < 5)
				top[k] = top[k - 1];
			k--;
		}
		if (k < 5)
			top[k] = t;
	}
	if (!ntop)
		return;
	fprintf(out, "\n%sSlowest:%s\n", c(o->color, DIM), c(o->color, RESET));
	for (size_t i = 0; i < ntop; i++) {
		fprintf(out, "  %9s  ", fg_duration_format(top[i]->duration_ms,
							  d, sizeof(d)));
		test_label(out, top[i]);
		fputc('\n', out);
	}
}

void report_term_missing(FILE *out, const struct fg_run *run, bool color)
{
	size_t n = run->nmissing;

	if (!n)
		return;
	fprintf(out, "\n%s%zu test%s missing since run #%lld%s (ran there, "
		"not now; the next run compares with this one):\n",
		c(color, YELLOW BOLD), n, n == 1 ? "" : "s",
		(long long)run->missing_since, c(color, RESET));
	for (size_t i = 0; i < n && i < REPORT_MISSING_SHOWN; i++) {
		const struct fg_missing *m = &run->missing[i];

		fputs("    ", out);
		put_text(out, m->suite);
		fputs("::", out);
		if (*m->classname) {
			put_text(out, m->classname);
			fputs("::", out);
		}
		put_text(out, m->name);
		fputc('\n', out);
	}
	if (n > REPORT_MISSING_SHOWN)
		fprintf(out, "    ... and %zu more (--json FILE lists them "
			"all)\n", n - REPORT_MISSING_SHOWN);
}

void report_term(FILE *out, const struct fg_run *run,
		 const struct an_verdict *v,
		 const struct report_term_opts *opts)
{
	struct report_term_opts o = *opts;
	struct fg_summary sum;
	char d[32];
	bool any_flaky = false;

	if (o.tail_lines <= 0)
		o.tail_lines = 20;
	for (size_t i = 0; i < run->ntests; i++)
		if (run->tests[i].outcome == FG_O_FAILED)
			print_failure(out, &run->tests[i], &o);
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];

		if (t->outcome != FG_O_FLAKY)
			continue;
		if (!any_flaky)
			fprintf(out, "\n%sFlaky%s (failed, then passed on retry):\n",
				c(o.color, YELLOW BOLD), c(o.color, RESET));
		any_flaky = true;
		fputs("    ", out);
		attempt_strip(out, t, o.color);
		fputc(' ', out);
		test_label(out, t);
		if (t->hist_runs) {
			fprintf(out, "  %s%s, ", c(o.color, DIM),
				t->category ? t->category : "");
			evidence(out, t);
			fputs(c(o.color, RESET), out);
		}
		fputc('\n', out);
		print_hint(out, t, "      ", &o);
		if (t->counts && t->note) {
			fputs("      ", out);
			put_text(out, t->note);
			fputc('\n', out);
		}
	}
	print_quarantined(out, run, &o);
	print_incidents(out, run, &o);
	report_term_missing(out, run, o.color);
	print_slowest(out, run, &o);
	fg_run_summarize(run, &sum);
	fprintf(out, "\n%zu tests: %s%zu passed%s, %s%zu failed%s, "
		"%s%zu flaky%s, %zu skipped, %zu quarantined",
		sum.total, c(o.color, GREEN), sum.passed, c(o.color, RESET),
		c(o.color, sum.failed ? RED : ""), sum.failed,
		c(o.color, sum.failed ? RESET : ""),
		c(o.color, sum.flaky ? YELLOW : ""), sum.flaky,
		c(o.color, sum.flaky ? RESET : ""), sum.skipped,
		sum.quarantined);
	if (sum.xfailed)
		fprintf(out, ", %zu xfailed", sum.xfailed);
	if (sum.xpassed)
		fprintf(out, ", %zu xpassed", sum.xpassed);
	fprintf(out, " in %s\n",
		fg_duration_format(run->duration_ms, d, sizeof(d)));
	if (run->interrupted)
		fprintf(out, "%sINTERRUPTED%s: results are partial\n",
			c(o.color, BOLD RED), c(o.color, RESET));
	fprintf(out, "%s%s%s: ",
		c(o.color, BOLD), v->exit_code ? "FAILED" : "OK",
		c(o.color, RESET));
	put_text(out, v->reason);   /* it names tests */
	fputc('\n', out);
}
