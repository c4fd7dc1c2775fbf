/* SPDX-License-Identifier: MIT */
/*
 * reporters/outputs.c - report_write_all(): every file report a command
 * asked for, in one call, so `run` and `report` cannot drift apart.
 *
 * Each report is attempted even when an earlier one failed (a full disk
 * for the HTML should not cost the JUnit file CI needs); the error names
 * every report that failed ("cannot write 'a': ...; cannot write 'b':
 * ..."), with the first one's code.
 */
#include "reporters/report.h"

#include <stdlib.h>
#include <string.h>

/* Copies src into dst[size], cut to fit, always terminated. */
static void copy_cut(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void keep_first(int *rc, struct fg_error *first, int now,
		       const struct fg_error *e)
{
	size_t len;

	if (!now)
		return;
	if (!*rc) {
		*rc = now;
		*first = *e;
		return;
	}
	len = strlen(first->msg);
	if (len + 2 < sizeof(first->msg)) {
		memcpy(first->msg + len, "; ", 3);
		len += 2;
		/* cut at the buffer's end: fg_error keeps the start */
		copy_cut(first->msg + len, e->msg,
			     sizeof(first->msg) - len);
	}
}

/* The analyzer's figures, as the model carries them (an_judge). */
static bool model_extra(void *ctx, const struct fg_test *t,
			struct report_test_extra *out)
{
	(void)ctx;
	if (!t->hist_runs)
		return false;
	out->strip = t->strip;
	out->rate = t->rate;
	out->rate_lo = t->rate_lo;
	out->rate_hi = t->rate_hi;
	return true;
}

int report_write_all(const struct report_outputs *o, const struct fg_run *run,
		     const struct an_verdict *v, struct fg_error *err)
{
	struct fg_error e = { 0 }, first = { 0 };
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	int profile = report_junit_profile_parse(o->junit_profile);
	int rc = FG_OK;

	if (o->junit && profile < 0)
		return fg_fail(err, FG_EINVAL, "unknown JUnit profile '%s' "
			       "(expected surefire, attempts or plain)",
			       o->junit_profile);
	if (o->json)
		keep_first(&rc, &first, report_json_write(o->json, run, &e), &e);
	if (o->junit)
		keep_first(&rc, &first,
			   report_junit_write(o->junit, run, profile, &e), &e);
	if (o->html) {
		struct report_html_opts ho = { .quarantine = o->quarantine,
					       .recent = o->recent,
					       .nrecent = o->nrecent };

		for (size_t i = 0; i < run->ntests && !ho.extra; i++)
			if (run->tests[i].hist_runs)
				ho.extra = model_extra;
		keep_first(&rc, &first,
			   report_html_write(o->html, run, v, &ho, &e), &e);
	}
	if (o->markdown)
		keep_first(&rc, &first, report_markdown_write(o->markdown,
			   false, run, v, &e), &e);
	if (o->github) {
		report_github_annotations(stdout, run);
		fflush(stdout);
		if (summary && *summary)
			keep_first(&rc, &first, report_markdown_write(summary,
				   true, run, v, &e), &e);
	}
	if (rc && err)
		*err = first;
	return rc;
}
