/* SPDX-License-Identifier: MIT */
/*
 * reporters/html.c - the run as one self-contained HTML page: inline CSS,
 * JS and SVG, nothing fetched, openable from a CI artifact.
 *
 * Layout, top to bottom: the verdict and summary cards; real failures,
 * each a <details> with message, file:line and the tail of its output;
 * flaky tests with their attempts strip (plus, through opts->extra, the
 * analyzer's history strip and rate); quarantined tests; an SVG bar chart
 * of the slowest tests; the table of all tests with a filter box.
 *
 * Size and speed at 50,000 tests (docs/reports.md has the figures): only
 * the sections above the table are HTML. The table's data is one compact
 * JSON array in a <script type="application/json"> block, about 60 bytes
 * a test, and the page's script renders the first rows of whatever the
 * filter matches (more on demand), so first paint never waits for 50,000
 * rows. Failure output is cut to its last HTML_TAIL_BYTES bytes and only
 * the first HTML_FAILURES_DETAILED failures carry it.
 *
 * Escaping: every string from a test is cleaned (reporters__clean_text)
 * and HTML-escaped in C (html_text); in the JSON block '<', '>' and '&' are
 * \u escapes, so "</script>" in a test name cannot end the block; the
 * script only ever sets textContent. tests/e2e/cases/0200-html-in-browser.sh
 * checks this in Chromium.
 *
 * To add a section: write a static void section_<name>(FILE *, ...) and
 * call it from report_html_write(); to show more analyzer results, extend
 * struct report_test_extra (reporters/report.h) and flaky_row().
 */
#include "reporters/report.h"
#include "reporters/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HTML_FAILURES_DETAILED 200 /* failures shown with their output */
#define HTML_FAILURES_OPEN 5      /* ... and unfolded */
#define HTML_LIST_MAX 1000         /* rows per section above the table */
#define HTML_TAIL_BYTES 8192       /* output kept per failure */
#define HTML_SLOWEST 20            /* bars in the duration chart */

/* Cleaned, then & < > " ' as entities: safe in text and in attributes. */
static void html_text(FILE *f, const char *s)
{
	char *c = reporters__clean_text(s);

	for (const char *p = c; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f);
		}
	}
	free(c);
}

/* A JSON string whose bytes are safe inside a <script> element. */
static void json_text(FILE *f, const char *s)
{
	char *c = reporters__clean_text(s);

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)c; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	free(c);
}

static void html_label(FILE *f, const struct fg_test *t)
{
	char *l = reporters__test_label(t);

	html_text(f, l);
	free(l);
}

static const char *astatus_class(enum fg_astatus s)
{
	return fg_astatus_is_failure(s) ? "bad" : s == FG_A_SKIPPED ? "skip" :
	       "good";
}

/* The attempts as ✓/✗ with the status and message in a tooltip. */
static void attempts_strip(FILE *f, const struct fg_test *t)
{
	char d[32];

	fputs("<span class=\"strip\">", f);
	for (size_t i = 0; i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];

		fprintf(f, "<span class=\"%s\" title=\"attempt %d%s: %s, %s",
			astatus_class(a->status), a->number,
			a->stress ? " (stress run)" : "",
			fg_astatus_name(a->status),
			fg_duration_format(a->duration_ms, d, sizeof(d)));
		if (a->message && *a->message) {
			fputs(": ", f);
			html_text(f, a->message);
		}
		fprintf(f, "\">%s</span>",
			fg_astatus_is_failure(a->status) ? "\u2717" :
			a->status == FG_A_SKIPPED ? "\u2013" : "\u2713");
	}
	fputs("</span>", f);
}

/* The last HTML_TAIL_BYTES of s, starting on a line if one is near. */
static const char *tail_of(const char *s, bool *cut)
{
	size_t n = strlen(s);
	const char *p;

	*cut = n > HTML_TAIL_BYTES;
	if (!*cut)
		return s;
	p = s + n - HTML_TAIL_BYTES;
	for (const char *q = p; q < p + 200 && *q; q++)
		if (*q == '\n')
			return q + 1;
	while (((unsigned char)*p & 0xc0) == 0x80)
		p++;
	return p;
}

/* ---------------------------------------------------------------------- */
/* Sections                                                                */
/* ---------------------------------------------------------------------- */

static const char page_css[] =
	":root{--good:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#57606a;"
	"--line:#d0d7de;--bg2:#f6f8fa}"
	"*{box-sizing:border-box}"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328}"
	"h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;"
	"border-bottom:1px solid var(--line);padding-bottom:4px}"
	".meta{color:var(--mute)}.meta span+span:before{content:'\\00b7';margin:0 6px}"
	".verdict{font-size:18px;font-weight:600;padding:10px 14px;"
	"border-radius:6px;margin:12px 0;border:1px solid}"
	".verdict.ok{color:var(--good);background:#dafbe1;border-color:#aceebb}"
	".verdict.fail{color:var(--bad);background:#ffebe9;border-color:#ffcecb}"
	".cards{display:flex;gap:10px;flex-wrap:wrap}"
	".card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;"
	"min-width:110px}.card b{display:block;font-size:22px}"
	".card.failed b,.bad{color:var(--bad)}.card.flaky b{color:var(--warn)}"
	".card.passed b,.good{color:var(--good)}.skip{color:var(--mute)}"
	"details.failure{border:1px solid var(--line);border-left:4px solid "
	"var(--bad);border-radius:4px;margin:6px 0;padding:4px 10px}"
	"summary{cursor:pointer}.tag{font:600 11px ui-monospace,monospace;"
	"padding:1px 5px;border-radius:3px;background:var(--bg2);"
	"margin-right:6px}.msg{white-space:pre-wrap;font-family:ui-monospace,"
	"monospace;margin:6px 0}"
	"pre{background:var(--bg2);padding:8px;overflow:auto;max-height:320px;"
	"font-size:12px;white-space:pre-wrap;word-break:break-all}"
	".strip{font-family:ui-monospace,monospace;letter-spacing:1px}"
	"table{border-collapse:collapse;width:100%}td,th{text-align:left;"
	"padding:3px 8px;border-bottom:1px solid var(--line);"
	"vertical-align:top}th{background:var(--bg2)}td.num{text-align:right;"
	"white-space:nowrap}.name{word-break:break-word}"
	".o-failed{color:var(--bad)}.o-flaky{color:var(--warn)}"
	".o-passed{color:var(--good)}.o-skipped,.o-quarantined{color:var(--mute)}"
	"#filterbar{display:flex;gap:8px;align-items:center;margin:8px 0}"
	"#filter{flex:1;padding:6px 8px;font-size:14px}"
	"svg text{font:12px system-ui,sans-serif}.bar{fill:#54aeff}"
	".hidden{display:none}"
	".an{margin:4px 0;font-size:13px}.an .ev{color:var(--mute)}"
	".cat{font:600 11px ui-monospace,monospace;padding:1px 5px;"
	"border-radius:3px;border:1px solid var(--line)}"
	".cat.broken,.cat.intermittent,.cat.interference,.cat.new-flaky,"
	".cat.memory-error"
	"{color:var(--bad);border-color:var(--bad)}"
	".cat.flaky{color:var(--warn)}.legend span{margin-right:12px}"
	".hint.memory-error{color:var(--bad)}"
	".legend i{display:inline-block;width:10px;height:10px;"
	"margin-right:4px;vertical-align:middle}";

static void page_head(FILE *f, const struct fg_run *run,
		      const struct an_verdict *v, const char *title)
{
	char d[32], ts[40];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,"
	      "initial-scale=1\">\n"
	      /* Nothing may be fetched: no network, even by accident. */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\""
	      "default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:\">\n<title>", f);
	html_text(f, title);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>", page_css);
	html_text(f, title);
	fputs("</h1>\n<div class=\"meta\">", f);
	if (run->id)
		fprintf(f, "<span>run %lld</span>", (long long)run->id);
	if (run->commit) {
		fputs("<span>commit <code>", f);
		html_text(f, run->commit);
		fputs("</code></span>", f);
	}
	if (run->branch) {
		fputs("<span>branch <code>", f);
		html_text(f, run->branch);
		fputs("</code></span>", f);
	}
	if (run->host) {
		fputs("<span>", f);
		html_text(f, run->host);
		fputs("</span>", f);
	}
	if (run->shard) {
		fputs("<span>shard ", f);
		html_text(f, run->shard);
		fputs("</span>", f);
	}
	if (run->ci_job) {
		/* A link only for http(s): anything else stays text. */
		bool url = !strncmp(run->ci_job, "https://", 8) ||
			   !strncmp(run->ci_job, "http://", 7);

		fputs("<span>CI job ", f);
		if (url) {
			fputs("<a href=\"", f);
			html_text(f, run->ci_job);
			fputs("\">", f);
		}
		html_text(f, run->ci_job);
		fputs(url ? "</a></span>" : "</span>", f);
	}
	fprintf(f, "<span>%s</span><span>%s</span></div>\n",
		fg_time_iso8601(run->started_at_ms, ts, sizeof(ts)),
		fg_duration_format(run->duration_ms, d, sizeof(d)));
	fprintf(f, "<div id=\"verdict\" class=\"verdict %s\">%s: ",
		v->exit_code ? "fail" : "ok", v->exit_code ? "FAILED" : "OK");
	html_text(f, v->reason);
	if (run->interrupted)
		fputs(" (interrupted: results are partial)", f);
	fputs("</div>\n", f);
}

static void cards(FILE *f, const struct fg_run *run)
{
	struct fg_summary s;

	fg_run_summarize(run, &s);
	fprintf(f, "<div class=\"cards\">"
		"<div class=\"card total\"><b id=\"n-total\">%zu</b>tests</div>"
		"<div class=\"card passed\"><b id=\"n-passed\">%zu</b>passed</div>"
		"<div class=\"card failed\"><b id=\"n-failed\">%zu</b>failed</div>"
		"<div class=\"card flaky\"><b id=\"n-flaky\">%zu</b>flaky</div>"
		"<div class=\"card skipped\"><b id=\"n-skipped\">%zu</b>skipped</div>"
		"<div class=\"card quarantined\"><b id=\"n-quarantined\">%zu</b>"
		"quarantined</div>",
		s.total, s.passed, s.failed, s.flaky, s.skipped, s.quarantined);
	if (s.xfailed || s.xpassed)
		fprintf(f, "<div class=\"card skipped\"><b id=\"n-xfailed\">%zu"
			"</b>xfailed</div><div class=\"card passed\"><b "
			"id=\"n-xpassed\">%zu</b>xpassed</div>", s.xfailed,
			s.xpassed);
	fputs("</div>\n", f);
}

/* The note, without a repetition of the reason. */
static void note_text(FILE *f, const struct fg_test *t)
{
	char *n = fg_xstrndup(t->note, reporters__note_len(t->note, t->reason));

	html_text(f, n);
	free(n);
}

/* "n = 61, k = 10, p = 16.4% [9.2%, 27.6%], since c42" */
static void evidence_text(FILE *f, const struct fg_test *t)
{
	fprintf(f, "n = %u, k = %u, p = %.1f%% [%.1f%%, %.1f%%]",
		t->hist_runs, t->hist_fails, 100 * t->rate, 100 * t->rate_lo,
		100 * t->rate_hi);
	if (t->since) {
		fputs(", since ", f);
		html_text(f, t->since);
	}
}

static void category_tag(FILE *f, const char *cat)
{
	fputs("<span class=\"cat ", f);
	html_text(f, cat);
	fputs("\">", f);
	html_text(f, cat);
	fputs("</span>", f);
}

/* The analyzer's view of a failed test: category, reason, evidence. */
static void analysis_block(FILE *f, const struct fg_test *t)
{
	if (!t->category)
		return;
	fputs("<div class=\"an\">", f);
	category_tag(f, t->category);
	if (t->reason && *t->reason) {
		fputs(" ", f);
		html_text(f, t->reason);
	}
	if (t->hist_runs) {
		fputs("<div class=\"ev\">", f);
		evidence_text(f, t);
		fputs("</div>", f);
	}
	if (t->note && *t->note) {
		fputs("<div>", f);
		note_text(f, t);
		fputs("</div>", f);
	}
	fputs("</div>", f);
}

/* The root-cause hint (analyzer/hint.c), analysed or not. */
static void hint_block(FILE *f, const struct fg_test *t)
{
	if (!reporters__hint_shown(t))
		return;
	fprintf(f, "<div class=\"an hint %s\"><strong>hint:</strong> ",
		t->hint_kind ? t->hint_kind : "");
	html_text(f, t->hint);
	fputs("</div>", f);
}

static void failure_block(FILE *f, const struct fg_test *t, bool detailed,
			  bool open)
{
	const struct fg_attempt *a = reporters__last_attempt(t);

	fprintf(f, "<details class=\"failure row\"%s><summary>"
		"<span class=\"tag bad\">", open ? " open" : "");
	fputs(a ? fg_astatus_name(a->status) : "failed", f);
	fputs("</span><span class=\"name\">", f);
	html_label(f, t);
	fputs("</span> ", f);
	if (t->nattempts > 1)
		attempts_strip(f, t);
	fputs("</summary>\n", f);
	hint_block(f, t);
	analysis_block(f, t);
	if (t->file) {
		fputs("<div class=\"loc\">at <code>", f);
		html_text(f, t->file);
		if (t->line > 0)
			fprintf(f, ":%d", t->line);
		fputs("</code></div>", f);
	}
	if (a && a->message && *a->message) {
		fputs("<div class=\"msg\">", f);
		html_text(f, a->message);
		fputs("</div>", f);
	}
	if (t->repro) {
		fputs("<div class=\"loc\">reproduce: <code class=\"repro\">", f);
		html_text(f, t->repro);
		fputs("</code></div>", f);
	}
	if (detailed && a && a->output && *a->output) {
		bool cut;
		const char *tail = tail_of(a->output, &cut);

		fprintf(f, "<pre class=\"out\">%s", cut ? "[\u2026 earlier "
			"output cut; the full capture is in the history "
			"database]\n" : "");
		html_text(f, tail);
		fputs("</pre>", f);
	}
	fputs("</details>\n", f);
}

static void section_failures(FILE *f, const struct fg_run *run, size_t n)
{
	size_t shown = 0;

	if (!n)
		return;
	fprintf(f, "<section id=\"failures\"><h2>Failures (%zu)</h2>\n", n);
	for (size_t i = 0; i < run->ntests && shown < HTML_LIST_MAX; i++) {
		if (run->tests[i].outcome != FG_O_FAILED)
			continue;
		failure_block(f, &run->tests[i], shown < HTML_FAILURES_DETAILED,
			      shown < HTML_FAILURES_OPEN);
		shown++;
	}
	if (shown < n)
		fprintf(f, "<p>\u2026 and %zu more in the table below.</p>\n",
			n - shown);
	fputs("</section>\n", f);
}

/* Tests that ran in the baseline run and not in this one. */
static void section_missing(FILE *f, const struct fg_run *run)
{
	size_t n = run->nmissing;

	if (!n)
		return;
	fprintf(f, "<section id=\"missing\"><h2>Missing since run %lld "
		"(%zu)</h2>\n<p>These tests ran in run %lld (same branch, "
		"shard and selection) and did not run now. The next run "
		"compares with this one.</p>\n<ul>\n",
		(long long)run->missing_since, n,
		(long long)run->missing_since);
	for (size_t i = 0; i < n && i < HTML_LIST_MAX; i++) {
		const struct fg_missing *m = &run->missing[i];

		fputs("<li><code>", f);
		html_text(f, m->suite);
		fputs("::", f);
		if (*m->classname) {
			html_text(f, m->classname);
			fputs("::", f);
		}
		html_text(f, m->name);
		fputs("</code></li>\n", f);
	}
	if (n > HTML_LIST_MAX)
		fprintf(f, "<li>\u2026 and %zu more</li>\n", n - HTML_LIST_MAX);
	fputs("</ul></section>\n", f);
}

/* The analyzer's extras (history strip, rate), when a hook gives them. */
static void extra_cells(FILE *f, const struct fg_test *t,
			const struct report_html_opts *o)
{
	struct report_test_extra x = { NULL, -1, -1, -1 };

	if (!o->extra)
		return;
	if (!o->extra(o->extra_ctx, t, &x))
		x = (struct report_test_extra){ NULL, -1, -1, -1 };
	fputs("<td class=\"strip history\">", f);
	for (const char *p = x.strip ? x.strip : ""; *p; p++)
		fprintf(f, "<span class=\"%s\">%s</span>",
			*p == 'F' ? "bad" : *p == 'K' ? "o-flaky" :
			*p == 'P' ? "good" : "skip",
			*p == 'F' ? "\u2717" : *p == 'K' ? "\u2248" :
			*p == 'P' ? "\u2713" : "\u2013");
	fputs("</td><td class=\"num\">", f);
	if (x.rate >= 0)
		fprintf(f, "%.1f%%", 100 * x.rate);
	if (x.rate_lo >= 0 && x.rate_hi >= 0)
		fprintf(f, " <span class=\"skip\">(%.1f\u2013%.1f%%)</span>",
			100 * x.rate_lo, 100 * x.rate_hi);
	if (t->hist_runs)
		fprintf(f, "<br><span class=\"skip\">%u of %u runs</span>",
			t->hist_fails, t->hist_runs);
	if (t->category) {
		fputs("<br>", f);
		category_tag(f, t->category);
	}
	fputs("</td>", f);
}

static void flaky_row(FILE *f, const struct fg_test *t,
		      const struct report_html_opts *o)
{
	const struct fg_attempt *first_fail = NULL;

	for (size_t i = 0; i < t->nattempts && !first_fail; i++)
		if (fg_astatus_is_failure(t->attempts[i].status))
			first_fail = &t->attempts[i];
	fputs("<tr class=\"row\"><td>", f);
	attempts_strip(f, t);
	fputs("</td><td class=\"name\">", f);
	html_label(f, t);
	fputs("</td>", f);
	extra_cells(f, t, o);
	fputs("<td class=\"msg\">", f);
	if (first_fail && first_fail->message)
		html_text(f, first_fail->message);
	hint_block(f, t);
	if (t->note && *t->note) {
		fputs("<div class=\"an\">", f);
		html_text(f, t->note);
		fputs("</div>", f);
	}
	fputs("</td></tr>\n", f);
}

/*
 * The analyzer's findings that matter beyond this run's outcome: tests
 * whose category is a regression or an isolation problem (broken,
 * intermittent, interference, new-flaky), and tests whose failure counted
 * or was suspicious for a reason the outcome does not show (a quarantined
 * test whose rate rose, ...). Each with its evidence.
 */
static bool notable(const struct fg_test *t)
{
	static const char *const cats[] = { "broken", "intermittent",
					    "interference", "new-flaky",
					    "memory-error" };

	if (!t->category)
		return false;
	for (size_t i = 0; i < sizeof(cats) / sizeof(*cats); i++)
		if (!strcmp(t->category, cats[i]))
			return true;
	return t->note && (t->counts || t->outcome == FG_O_FLAKY) &&
	       t->outcome != FG_O_QUARANTINED;
}

/* Interference: who ran beside its failures, and the override to add. */
static void interference_text(FILE *f, const struct fg_test *t)
{
	char n[24];

	if (!t->nculprits && !t->suggestion)
		return;
	fputs("<div class=\"an\">beside its failures:", f);
	for (size_t i = 0; i < t->nculprits; i++) {
		fputs(i ? ", " : " ", f);
		html_text(f, t->culprits[i].name);
		snprintf(n, sizeof(n), " (%u run%s)", t->culprits[i].runs,
			 t->culprits[i].runs == 1 ? "" : "s");
		fputs(n, f);
	}
	fputs("</div>", f);
	if (t->suggestion) {
		fputs("<div class=\"an\">suggestion: ", f);
		html_text(f, t->suggestion);
		fputs("</div>", f);
	}
}

static void section_analysis(FILE *f, const struct fg_run *run)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < run->ntests; i++)
		n += notable(&run->tests[i]);
	if (!n)
		return;
	fprintf(f, "<section id=\"analysis\"><h2>Regressions and unstable "
		"tests (%zu)</h2>\n<table><thead><tr><th>category</th>"
		"<th>test</th><th>evidence</th><th>why</th></tr></thead>"
		"<tbody>\n", n);
	for (size_t i = 0; i < run->ntests && shown < HTML_LIST_MAX; i++) {
		const struct fg_test *t = &run->tests[i];

		if (!notable(t))
			continue;
		shown++;
		fputs("<tr class=\"row\"><td>", f);
		category_tag(f, t->category);
		fputs("</td><td class=\"name\">", f);
		html_label(f, t);
		fputs("</td><td class=\"num\">", f);
		if (t->hist_runs)
			evidence_text(f, t);
		fputs("</td><td class=\"msg\">", f);
		html_text(f, t->reason ? t->reason : "");
		if (t->note && *t->note) {
			fputs("<div class=\"an\">", f);
			note_text(f, t);
			fputs("</div>", f);
		}
		hint_block(f, t);
		interference_text(f, t);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

/* Many tests that failed alike: one incident each (analyzer/incident.c). */
static void section_incidents(FILE *f, const struct fg_run *run)
{
	if (!run->nincidents)
		return;
	fputs("<section id=\"incidents\"><h2>Incidents</h2>\n", f);
	for (size_t k = 0; k < run->nincidents; k++) {
		const struct fg_incident *inc = &run->incidents[k];
		size_t shown = 0;

		fprintf(f, "<div class=\"incident\"><p><strong>%zu of %zu failed "
			"tests failed alike</strong>: one cause (a service down, a "
			"full disk) is likelier than %zu bugs.</p><pre class="
			"\"out\">", inc->ntests, inc->nfailed, inc->ntests);
		html_text(f, inc->signature);
		fputs("</pre><ul>", f);
		for (size_t i = 0; i < run->ntests && shown < HTML_LIST_MAX;
		     i++) {
			if (run->tests[i].incident != k + 1)
				continue;
			fputs("<li class=\"name\">", f);
			html_label(f, &run->tests[i]);
			fputs("</li>", f);
			shown++;
		}
		if (inc->ntests > shown)
			fprintf(f, "<li>\u2026 and %zu more</li>",
				inc->ntests - shown);
		fputs("</ul></div>\n", f);
	}
	fputs("</section>\n", f);
}

/* Flaky or quarantined tests as a table. */
static void section_table(FILE *f, const struct fg_run *run, size_t n,
			  enum fg_outcome o, const struct report_html_opts *opts)
{
	size_t shown = 0;
	bool flaky = o == FG_O_FLAKY;

	if (!n)
		return;
	fprintf(f, "<section id=\"%s\"><h2>%s (%zu)</h2>\n<table><thead><tr>"
		"<th>attempts</th><th>test</th>%s<th>%s</th></tr></thead>"
		"<tbody>\n", flaky ? "flaky" : "quarantine",
		flaky ? "Flaky: failed, then passed on retry" :
			"Quarantined: failures not counted", n,
		opts->extra ? "<th>history</th><th>failure rate</th>" : "",
		flaky ? "first failure" : "reason");
	for (size_t i = 0; i < run->ntests && shown < HTML_LIST_MAX; i++) {
		if (run->tests[i].outcome != o)
			continue;
		flaky_row(f, &run->tests[i], opts);
		shown++;
	}
	fputs("</tbody></table>\n", f);
	if (shown < n)
		fprintf(f, "<p>\u2026 and %zu more in the table below.</p>\n",
			n - shown);
	fputs("</section>\n", f);
}

/* The HTML_SLOWEST longest tests as horizontal SVG bars. */
static void date_cell(FILE *f, int64_t ms)
{
	char ts[40];

	fputs("<td>", f);
	if (ms > 0)
		fprintf(f, "%.10s", fg_time_iso8601(ms, ts, sizeof(ts)));
	else
		fputs("\u2013", f);
	fputs("</td>", f);
}

/* The whole quarantine list, as reviewers audit it. */
static void section_quarantine_list(FILE *f,
				    const struct history_quarantine_list *l)
{
	if (!l || !l->n)
		return;
	fprintf(f, "<section id=\"quarantine-list\"><h2>Quarantine list "
		"(%zu)</h2>\n<table><thead><tr><th>test</th><th>reason</th>"
		"<th>owner</th><th>source</th><th>since</th><th>expires</th>"
		"<th>mode</th><th>issue</th></tr></thead><tbody>\n", l->n);
	for (size_t i = 0; i < l->n && i < HTML_LIST_MAX; i++) {
		const struct history_quarantine *q = &l->items[i];

		fputs("<tr class=\"row\"><td class=\"name\">", f);
		html_text(f, q->suite ? q->suite : "");
		fputs(": ", f);
		if (q->classname && *q->classname) {
			html_text(f, q->classname);
			fputs(".", f);
		}
		html_text(f, q->name ? q->name : "");
		fputs("</td><td class=\"msg\">", f);
		html_text(f, q->reason ? q->reason : "");
		fputs("</td><td>", f);
		html_text(f, q->owner ? q->owner : "\u2013");
		fputs("</td><td>", f);
		html_text(f, q->source ? q->source : "");
		fputs("</td>", f);
		date_cell(f, q->since_ms);
		date_cell(f, q->expires_ms);
		fputs("<td>", f);
		html_text(f, q->mode ? q->mode : "run");
		fputs("</td><td>", f);
		/* A link only for http(s): a javascript: URL must stay text. */
		if (q->issue && (!strncmp(q->issue, "https://", 8) ||
				 !strncmp(q->issue, "http://", 7))) {
			fputs("<a href=\"", f);
			html_text(f, q->issue);
			fputs("\">", f);
			html_text(f, q->issue);
			fputs("</a>", f);
		} else if (q->issue) {
			html_text(f, q->issue);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

/* A run's verdict from its exit code: name and bar colour. */
static const char *run_verdict(int exit_code, const char **fill)
{
	if (exit_code == 0) {
		*fill = "#4caf50";
		return "passed";
	}
	if (exit_code == 1) {
		*fill = "#e53935";
		return "failed";
	}
	if (exit_code >= 128) {
		*fill = "#9e9e9e";
		return "interrupted";
	}
	*fill = "#fb8c00";
	return exit_code == 2 ? "usage error" : "infrastructure error";
}

#define TREND_LABELS 6 /* runs labelled under the bars, at most */

/*
 * Recent runs' wall time as bars, oldest left, coloured by the run's
 * verdict (legend below); this run outlined. Under the bars, a few runs
 * are labelled with their id and start time (UTC), evenly spaced; every
 * bar's tooltip has all of it. Inline SVG, nothing fetched.
 */
static void section_trend(FILE *f, const struct fg_run *run,
			  const struct history_run_brief *r, size_t n)
{
	int64_t max = 1;
	double w;
	char d[32], ts[40];
	bool seen[4] = { false, false, false, false };
	static const char *const names[4] = { "passed", "failed",
					      "interrupted", "error" };
	static const char *const fills[4] = { "#4caf50", "#e53935",
					      "#9e9e9e", "#fb8c00" };

	if (!r || n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (r[i].duration_ms > max)
			max = r[i].duration_ms;
	w = 960.0 / (double)n;
	fprintf(f, "<section id=\"trend\"><h2>Recent runs (%zu)</h2>\n"
		"<svg class=\"trend\" viewBox=\"0 0 960 165\" width=\"100%%\" "
		"height=\"165\" role=\"img\" aria-label=\"duration and verdict "
		"of the last %zu runs\">\n", n, n);
	for (size_t i = 0; i < n; i++) {
		double h = 110.0 * (double)r[i].duration_ms / (double)max + 1;
		const char *fill, *verdict = run_verdict(r[i].exit_code, &fill);

		seen[r[i].exit_code == 0 ? 0 : r[i].exit_code == 1 ? 1 :
		     r[i].exit_code >= 128 ? 2 : 3] = true;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"%s\"%s><title>run %lld, %s, "
			"%s, %s (exit %d)</title></rect>\n", i * w + 1,
			120.0 - h, w > 3 ? w - 2 : w, h, fill,
			r[i].id == run->id ? " stroke=\"#000\" "
					     "stroke-width=\"2\"" : "",
			(long long)r[i].id,
			fg_time_iso8601(r[i].started_at_ms, ts, sizeof(ts)),
			fg_duration_format(r[i].duration_ms, d, sizeof(d)),
			verdict, r[i].exit_code);
	}
	/* labels: the first and last run and evenly spaced ones between */
	for (size_t k = 0; k < TREND_LABELS && k < n; k++) {
		size_t i = n <= TREND_LABELS ? k :
			   k * (n - 1) / (TREND_LABELS - 1);
		double x = i * w + w / 2;
		const char *anchor = i == 0 ? "start" : i == n - 1 ? "end" :
					     "middle";

		if (n <= TREND_LABELS && k >= n)
			break;
		fg_time_iso8601(r[i].started_at_ms, ts, sizeof(ts));
		/* "2026-11-28T05:21:00.123Z" -> "11-28 05:21" */
		ts[16] = '\0';
		ts[10] = ' ';
		fprintf(f, "<line x1=\"%.1f\" y1=\"121\" x2=\"%.1f\" "
			"y2=\"125\" stroke=\"#57606a\"/><text x=\"%.1f\" "
			"y=\"138\" font-size=\"11\" text-anchor=\"%s\">run "
			"%lld</text><text x=\"%.1f\" y=\"152\" font-size=\"10\" "
			"fill=\"#57606a\" text-anchor=\"%s\">%s UTC</text>\n",
			x, x, x, anchor, (long long)r[i].id, x, anchor, ts + 5);
	}
	fprintf(f, "<text x=\"960\" y=\"10\" font-size=\"10\" "
		"text-anchor=\"end\">longest: %s</text></svg>\n"
		"<div class=\"legend\">",
		fg_duration_format(max, d, sizeof(d)));
	for (int i = 0; i < 4; i++)
		if (seen[i])
			fprintf(f, "<span><i style=\"background:%s\"></i>%s"
				"</span>", fills[i], names[i]);
	fputs("<span><i style=\"border:2px solid #000\"></i>this run</span>"
	      "</div></section>\n", f);
}

static void section_slowest(FILE *f, const struct fg_run *run)
{
	size_t top[HTML_SLOWEST], n = 0;
	int64_t max;
	char d[32];

	for (size_t i = 0; i < run->ntests; i++) {
		size_t k;

		/* 0 ms is mostly "not timed" (TAP, a skip): nothing to rank */
		if (run->tests[i].duration_ms <= 0)
			continue;
		k = n < HTML_SLOWEST ? n++ : HTML_SLOWEST;
		if (k == HTML_SLOWEST) {
			if (run->tests[i].duration_ms <=
			    run->tests[top[HTML_SLOWEST - 1]].duration_ms)
				continue;
			k = HTML_SLOWEST - 1;
		}
		while (k > 0 && run->tests[top[k - 1]].duration_ms <
				run->tests[i].duration_ms) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = i;
	}
	if (!n)
		return;
	max = run->tests[top[0]].duration_ms > 0 ?
	      run->tests[top[0]].duration_ms : 1;
	fprintf(f, "<section id=\"slowest\"><h2>Slowest tests</h2>\n"
		"<svg role=\"img\" aria-label=\"slowest tests\" width=\"100%%\" "
		"height=\"%zu\" viewBox=\"0 0 1000 %zu\" "
		"preserveAspectRatio=\"xMinYMin meet\">\n", n * 22, n * 22);
	for (size_t i = 0; i < n; i++) {
		const struct fg_test *t = &run->tests[top[i]];
		int64_t w = t->duration_ms * 560 / max;

		fputs("<g><title>", f);
		html_label(f, t);
		fprintf(f, "</title><text x=\"0\" y=\"%zu\">", i * 22 + 15);
		{
			char *l = reporters__test_label(t);

			/* Long names are cut for the chart; the title has all. */
			if (strlen(l) > 60) {
				size_t c = 57;

				while (c > 0 && ((unsigned char)l[c] & 0xc0) == 0x80)
					c--;
				memcpy(l + c, "\u2026", sizeof("\u2026"));
			}
			html_text(f, l);
			free(l);
		}
		fprintf(f, "</text><rect class=\"bar\" x=\"400\" y=\"%zu\" "
			"width=\"%lld\" height=\"16\"/><text x=\"%lld\" y=\"%zu\">"
			"%s</text></g>\n", i * 22 + 3, (long long)(w ? w : 1),
			(long long)(405 + w), i * 22 + 15,
			fg_duration_format(t->duration_ms, d, sizeof(d)));
	}
	fputs("</svg></section>\n", f);
}

/* The table of all tests: its frame here, its rows from the JSON below. */
static void section_all(FILE *f, const struct fg_run *run)
{
	fprintf(f, "<section id=\"all\"><h2>All tests (%zu)</h2>\n"
		"<div id=\"filterbar\"><input id=\"filter\" type=\"search\" "
		"placeholder=\"filter by name or message\" "
		"aria-label=\"filter\"><select id=\"status\" aria-label=\"status\">"
		"<option value=\"\">any status</option>"
		"<option>failed</option><option>flaky</option>"
		"<option>passed</option><option>skipped</option>"
		"<option>quarantined</option></select>"
		"<span id=\"shown\"></span></div>\n"
		"<table id=\"tests\"><thead><tr><th>outcome</th><th>suite</th>"
		"<th>test</th><th>time</th><th>attempts</th></tr></thead>"
		"<tbody></tbody></table>\n"
		"<p><button id=\"more\" class=\"hidden\">show more</button></p>"
		"\n<noscript><p>The table needs JavaScript; failures and flaky "
		"tests are listed above.</p></noscript></section>\n",
		run->ntests);
}

/*
 * {"o":[outcome names], "s":[suites], "t":[[suite, classname, name,
 * outcome, ms, attempts, message], ...]}: suites by index, since a run has
 * few and they repeat on every row.
 */
static void data_block(FILE *f, const struct fg_run *run)
{
	const char **suites = NULL;
	size_t nsuites = 0, cap = 0, last = 0;

	fputs("<script type=\"application/json\" id=\"data\">{\"o\":[", f);
	for (int o = 0; o < FG_O_COUNT; o++)
		fprintf(f, "%s\"%s\"", o ? "," : "", fg_outcome_name(o));
	fputs("],\"t\":[", f);
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		const struct fg_attempt *a = reporters__last_attempt(t);
		size_t s = last;

		/* Tests of a suite are mostly adjacent: check the last first. */
		if (s >= nsuites || strcmp(suites[s], t->suite)) {
			for (s = 0; s < nsuites && strcmp(suites[s], t->suite); s++)
				;
			if (s == nsuites) {
				fg_xgrow((void **)&suites, &cap, nsuites + 1,
					 sizeof(*suites));
				suites[nsuites++] = t->suite;
			}
		}
		last = s;
		fprintf(f, "%s\n[%zu,", i ? "," : "", s);
		json_text(f, t->classname);
		fputc(',', f);
		json_text(f, t->name);
		fprintf(f, ",%d,%lld,%zu", (int)t->outcome,
			(long long)t->duration_ms, t->nattempts);
		if (t->outcome != FG_O_PASSED && a && a->message) {
			char *m = reporters__strndup_utf8(a->message, 300);

			fputc(',', f);
			json_text(f, m);
			free(m);
		}
		fputc(']', f);
	}
	fputs("],\"s\":[", f);
	for (size_t i = 0; i < nsuites; i++) {
		if (i)
			fputc(',', f);
		json_text(f, suites[i]);
	}
	fputs("]}</script>\n", f);
	free(suites);
}

/*
 * The page's script: renders PAGE rows of the tests matching the filter
 * (text in suite, classname, name or message; status), more on "show
 * more"; filters the rows of the sections above too. textContent only.
 */
static const char page_js[] =
	"(function(){'use strict';\n"
	"var D=JSON.parse(document.getElementById('data').textContent);\n"
	"var PAGE=500,tb=document.querySelector('#tests tbody'),"
	"fi=document.getElementById('filter'),st=document.getElementById('status'),"
	"more=document.getElementById('more'),shown=document.getElementById('shown'),"
	"hit=[],limit=PAGE,hay=null;\n"
	"function ms(n){return n<1000?n+'ms':n<60000?(n/1000).toFixed(3)+'s':"
	"Math.floor(n/60000)+'m'+('0'+Math.floor(n%60000/1000)).slice(-2)+'s';}\n"
	"function td(tr,text,cls){var c=document.createElement('td');"
	"c.textContent=text;if(cls)c.className=cls;tr.appendChild(c);return c;}\n"
	"function row(t){var tr=document.createElement('tr'),o=D.o[t[3]];"
	"td(tr,o,'o-'+o);td(tr,D.s[t[0]]);"
	"var n=td(tr,t[1]?t[1]+'.'+t[2]:t[2],'name');"
	"if(t[6]){var m=document.createElement('div');m.className='msg skip';"
	"m.textContent=t[6];n.appendChild(m);}"
	"td(tr,ms(t[4]),'num');td(tr,String(t[5]),'num');return tr;}\n"
	"function render(){var f=document.createDocumentFragment(),"
	"end=Math.min(hit.length,limit);"
	"for(var i=tb.rows.length;i<end;i++)f.appendChild(row(D.t[hit[i]]));"
	"tb.appendChild(f);shown.textContent=hit.length+' of '+D.t.length+"
	"' tests'+(end<hit.length?', first '+end+' shown':'');"
	"more.className=end<hit.length?'':'hidden';}\n"
	"function apply(){var q=fi.value.toLowerCase(),s=st.value,"
	"k=s?D.o.indexOf(s):-1;if(q&&!hay){hay=D.t.map(function(t){"
	"return (D.s[t[0]]+' '+t[1]+'.'+t[2]+' '+(t[6]||'')).toLowerCase();});}"
	"hit=[];for(var i=0;i<D.t.length;i++){var t=D.t[i];"
	"if(k>=0&&t[3]!==k)continue;if(q&&hay[i].indexOf(q)<0)continue;hit.push(i);}"
	"tb.textContent='';limit=PAGE;render();"
	"document.querySelectorAll('.row').forEach(function(r){"
	"var okq=!q||r.textContent.toLowerCase().indexOf(q)>=0;"
	"var sec=r.closest('section').id;var oks=!s||(s==='failed'&&sec==="
	"'failures')||(s==='flaky'&&sec==='flaky')||(s==='quarantined'&&sec==="
	"'quarantine');r.classList.toggle('hidden',!(okq&&oks));});}\n"
	"var timer;fi.addEventListener('input',function(){clearTimeout(timer);"
	"timer=setTimeout(apply,120);});st.addEventListener('change',apply);\n"
	"more.addEventListener('click',function(){limit+=PAGE*4;render();});\n"
	"var h=location.hash.match(/^#status=(\\w+)$/);"
	"if(h&&D.o.indexOf(h[1])>=0)st.value=h[1];\n"
	"apply();document.documentElement.setAttribute('data-rendered','1');\n"
	"})();\n";

int report_html_write(const char *path, const struct fg_run *run,
		      const struct an_verdict *v,
		      const struct report_html_opts *opts,
		      struct fg_error *err)
{
	static const struct report_html_opts none = { 0 };
	const struct report_html_opts *o = opts ? opts : &none;
	struct rfile rf;
	struct fg_summary s;
	FILE *f;
	int rc;

	if ((rc = reporters__file_open(&rf, path, err)))
		return rc;
	f = rf.f;
	fg_run_summarize(run, &s);
	page_head(f, run, v, o->title ? o->title : "flakeguard report");
	cards(f, run);
	section_failures(f, run, s.failed);
	section_missing(f, run);
	section_analysis(f, run);
	section_incidents(f, run);
	section_table(f, run, s.flaky, FG_O_FLAKY, o);
	section_table(f, run, s.quarantined, FG_O_QUARANTINED, o);
	section_quarantine_list(f, o->quarantine);
	section_trend(f, run, o->recent, o->nrecent);
	section_slowest(f, run);
	section_all(f, run);
	data_block(f, run);
	fprintf(f, "<script>%s</script>\n</body></html>\n", page_js);
	return reporters__file_close(&rf, err);
}
