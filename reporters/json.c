/* SPDX-License-Identifier: MIT */
/*
 * reporters/json.c - the run as a JSON document (docs/json-format.md).
 *
 * Fields are only ever added, never renamed: CI scripts parse this.
 */
#include "reporters/report.h"
#include "reporters/internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/*
 * Strings from tests may hold invalid UTF-8, which jansson refuses: such
 * bytes become U+FFFD. Valid strings (nearly all) take the fast path.
 */
static json_t *text(const char *s)
{
	json_t *j;
	char *fixed, *o;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	fixed = o = fg_xmalloc(strlen(s) * 3 + 1);
	while (*s) {
		const unsigned char *u = (const unsigned char *)s;
		int n = u[0] < 0x80 ? 1 : (u[0] & 0xe0) == 0xc0 ? 2 :
			(u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 0;
		int k = 1;

		while (n > 1 && k < n && (u[k] & 0xc0) == 0x80)
			k++;
		json_t *probe = n && k == n ? json_stringn(s, (size_t)n) : NULL;

		if (probe) {
			json_decref(probe);
			memcpy(o, s, (size_t)n);
			o += n;
			s += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			s += 1;
		}
	}
	*o = '\0';
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_string("");
}

static json_t *attempt_json(const struct fg_attempt *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string(fg_astatus_name(a->status)));
	json_object_set_new(o, "duration_ms", json_integer(a->duration_ms));
	json_object_set_new(o, "message", text(a->message));
	if (a->hint) {
		json_object_set_new(o, "hint", text(a->hint));
		json_object_set_new(o, "hint_kind", json_string(a->hint_kind));
	}
	if (a->stress)
		json_object_set_new(o, "stress", json_true());
	/* company (issue 12 point 3): absent when not known */
	if (a->beside >= 0) {
		json_t *names = json_array();
		const char *p = a->beside_names;

		while (p && *p) {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			char *one = fg_xstrndup(p, len);

			json_array_append_new(names, text(one));
			free(one);
			p = end ? end + 1 : NULL;
		}
		json_object_set_new(o, "alone", json_boolean(!a->beside));
		json_object_set_new(o, "beside_count",
				    json_integer(a->beside));
		json_object_set_new(o, "beside", names);
	}
	return o;
}

static json_t *test_json(const struct fg_test *t)
{
	json_t *o = json_object(), *attempts = json_array();

	json_object_set_new(o, "suite", text(t->suite));
	json_object_set_new(o, "classname", text(t->classname));
	json_object_set_new(o, "name", text(t->name));
	json_object_set_new(o, "outcome", json_string(fg_outcome_name(t->outcome)));
	json_object_set_new(o, "duration_ms", json_integer(t->duration_ms));
	/* The analyzer's view (docs/analyzer.md); null when not analysed. */
	json_object_set_new(o, "quarantined", json_boolean(t->quarantined));
	json_object_set_new(o, "category", str_or_null(t->category));
	if (t->category) {
		json_object_set_new(o, "counts", json_boolean(t->counts));
		json_object_set_new(o, "reason", text(t->reason));
		json_object_set_new(o, "note", text(t->note));
	}
	/* Hints come from the attempts, analysed or not (analyzer/hint.c). */
	json_object_set_new(o, "hint", text(t->hint));
	json_object_set_new(o, "hint_kind", str_or_null(t->hint_kind));
	if (t->incident)
		json_object_set_new(o, "incident",
				    json_integer((json_int_t)t->incident));
	if (t->nculprits || t->suggestion) {
		json_t *c = json_array();

		for (size_t i = 0; i < t->nculprits; i++) {
			json_t *one = json_object();

			json_object_set_new(one, "name", text(t->culprits[i].name));
			json_object_set_new(one, "runs",
					    json_integer(t->culprits[i].runs));
			json_array_append_new(c, one);
		}
		json_object_set_new(o, "culprits", c);
		json_object_set_new(o, "suggestion", text(t->suggestion));
	}
	if (t->hist_runs) {
		json_t *h = json_object();

		json_object_set_new(h, "runs", json_integer(t->hist_runs));
		json_object_set_new(h, "failures", json_integer(t->hist_fails));
		json_object_set_new(h, "since", text(t->since));
		json_object_set_new(h, "rate", json_real(t->rate));
		json_object_set_new(h, "rate_low", json_real(t->rate_lo));
		json_object_set_new(h, "rate_high", json_real(t->rate_hi));
		json_object_set_new(h, "recent", str_or_null(t->strip));
		json_object_set_new(o, "history", h);
	}
	if (t->file)
		json_object_set_new(o, "file", text(t->file));
	if (t->line)
		json_object_set_new(o, "line", json_integer(t->line));
	if (t->repro)
		json_object_set_new(o, "reproduce", text(t->repro));
	for (size_t i = 0; i < t->nattempts; i++)
		json_array_append_new(attempts, attempt_json(&t->attempts[i]));
	json_object_set_new(o, "attempts", attempts);
	return o;
}

/* Tests that stopped running, or null when nothing was compared. */
static json_t *missing_json(const struct fg_run *run)
{
	json_t *o, *tests;

	if (!run->missing_since)
		return json_null();
	o = json_object();
	tests = json_array();
	json_object_set_new(o, "since_run", json_integer(run->missing_since));
	json_object_set_new(o, "count", json_integer((json_int_t)run->nmissing));
	for (size_t i = 0; i < run->nmissing; i++) {
		json_t *t = json_object();

		json_object_set_new(t, "suite", text(run->missing[i].suite));
		json_object_set_new(t, "classname",
				    text(run->missing[i].classname));
		json_object_set_new(t, "name", text(run->missing[i].name));
		json_array_append_new(tests, t);
	}
	json_object_set_new(o, "tests", tests);
	return o;
}

static json_t *run_json(const struct fg_run *run)
{
	json_t *root = json_object(), *r = json_object(), *s = json_object();
	json_t *tests = json_array();
	struct fg_summary sum;
	char ts[40];

	json_object_set_new(r, "id", json_integer(run->id));
	json_object_set_new(r, "commit", str_or_null(run->commit));
	json_object_set_new(r, "branch", str_or_null(run->branch));
	json_object_set_new(r, "started_at",
			    json_string(fg_time_iso8601(run->started_at_ms, ts,
							sizeof(ts))));
	json_object_set_new(r, "duration_ms", json_integer(run->duration_ms));
	json_object_set_new(r, "exit_code", json_integer(run->exit_code));
	json_object_set_new(r, "interrupted", json_boolean(run->interrupted));
	json_object_set_new(r, "shard", str_or_null(run->shard));
	json_object_set_new(r, "host", str_or_null(run->host));
	json_object_set_new(r, "ci_job", str_or_null(run->ci_job));
	json_object_set_new(r, "selection", text(run->selection));
	json_object_set_new(root, "run", r);

	fg_run_summarize(run, &sum);
	json_object_set_new(s, "total", json_integer((json_int_t)sum.total));
	json_object_set_new(s, "passed", json_integer((json_int_t)sum.passed));
	json_object_set_new(s, "failed", json_integer((json_int_t)sum.failed));
	json_object_set_new(s, "flaky", json_integer((json_int_t)sum.flaky));
	json_object_set_new(s, "skipped", json_integer((json_int_t)sum.skipped));
	json_object_set_new(s, "quarantined",
			    json_integer((json_int_t)sum.quarantined));
	json_object_set_new(s, "xfailed", json_integer((json_int_t)sum.xfailed));
	json_object_set_new(s, "xpassed", json_integer((json_int_t)sum.xpassed));
	json_object_set_new(root, "summary", s);

	for (size_t i = 0; i < run->ntests; i++)
		json_array_append_new(tests, test_json(&run->tests[i]));
	json_object_set_new(root, "tests", tests);
	if (run->nincidents) {
		json_t *incs = json_array();

		for (size_t i = 0; i < run->nincidents; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "id", json_integer((json_int_t)i + 1));
			json_object_set_new(o, "signature",
					    text(run->incidents[i].signature));
			json_object_set_new(o, "tests", json_integer(
				(json_int_t)run->incidents[i].ntests));
			json_object_set_new(o, "failed_tests", json_integer(
				(json_int_t)run->incidents[i].nfailed));
			json_array_append_new(incs, o);
		}
		json_object_set_new(root, "incidents", incs);
	}
	if (run->nitems) {
		json_t *items = json_array();

		for (size_t i = 0; i < run->nitems; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "id", text(run->items[i].id));
			json_object_set_new(o, "shard",
					    json_integer(run->items[i].shard));
			json_object_set_new(o, "ran",
					    json_boolean(run->items[i].ran));
			json_array_append_new(items, o);
		}
		json_object_set_new(root, "items", items);
	}
	json_object_set_new(root, "missing", missing_json(run));
	return root;
}

int report_json_write(const char *path, const struct fg_run *run,
		      struct fg_error *err)
{
	json_t *root;
	struct rfile rf;
	int rc;

	if ((rc = reporters__file_open(&rf, path, err)))
		return rc;
	root = run_json(run);
	if (json_dumpf(root, rf.f, JSON_INDENT(2) | JSON_ENSURE_ASCII) ||
	    fputc('\n', rf.f) == EOF)
		rf.failed = true;
	json_decref(root);
	return reporters__file_close(&rf, err);
}
