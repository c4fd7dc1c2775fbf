/* SPDX-License-Identifier: MIT */
/*
 * reporters/junit_out.c - the run as one merged JUnit XML file, for the test
 * widgets of Jenkins, GitLab and the GitHub actions (docs/reports.md).
 *
 * Retries are written the Surefire/nextest way (shared/JUNIT-DIALECTS.md
 * sections 3 and 4.10), which Jenkins' junit plugin and quick-junit read:
 *
 *   flaky (failed, then passed):  <testcase> with no <failure>, one
 *       <flakyFailure>/<flakyError> per failed attempt;
 *   failed on every attempt:      <failure>/<error> for the LAST attempt
 *       (the one flakeguard reports everywhere), then one
 *       <rerunFailure>/<rerunError> per earlier attempt, in order;
 *   quarantined:                  <skipped message="quarantined: ...">
 *       plus the testcase property flakeguard.outcome=quarantined, so the
 *       failure is visible but never counted as one.
 *
 * Surefire puts the first run in <failure>; we put the last, because that
 * is the attempt the verdict is about and our reader (history/junit.c)
 * then gives back the attempts in their original order.
 *
 * Consumers that cannot read the rerun elements get a profile:
 * "attempts" writes every attempt as its own <testcase> with the same name
 * (what action-junit-report's check_retries and our reader fold back into
 * one test), "plain" only the final status.
 *
 * Text: libxml2's xmlTextWriter escapes markup ('<', '&', ']]>' becomes
 * "]]&gt;"), but it passes through bytes XML 1.0 forbids, so every string
 * goes through reporters__clean_text() first. Times are seconds with
 * millisecond precision. Run metadata is a <properties> block in every
 * <testsuite> (Jenkins shows suite properties; it ignores the root's).
 *
 * To add a profile: extend enum report_junit_profile, profile_names[] and
 * write_case() below.
 */
#include "reporters/report.h"
#include "reporters/internal.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

static const char *const profile_names[] = {
	[REPORT_JUNIT_SUREFIRE] = "surefire",
	[REPORT_JUNIT_ATTEMPTS] = "attempts",
	[REPORT_JUNIT_PLAIN] = "plain",
};

int report_junit_profile_parse(const char *s)
{
	if (!s || !*s)
		return REPORT_JUNIT_SUREFIRE;
	for (size_t i = 0; i < sizeof(profile_names) / sizeof(*profile_names); i++)
		if (!strcmp(s, profile_names[i]))
			return (int)i;
	return -1;
}

/* The writer and the first libxml2 error (any call returning < 0). */
struct jw {
	xmlTextWriterPtr w;
	int failed;
	enum report_junit_profile profile;
};

static void ok(struct jw *j, int rc)
{
	if (rc < 0)
		j->failed = 1;
}

static void start(struct jw *j, const char *el)
{
	ok(j, xmlTextWriterStartElement(j->w, BAD_CAST el));
}

static void end(struct jw *j)
{
	ok(j, xmlTextWriterEndElement(j->w));
}

static void attr(struct jw *j, const char *name, const char *value)
{
	char *v = reporters__clean_text(value);

	ok(j, xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST v));
	free(v);
}

static void attr_size(struct jw *j, const char *name, size_t n)
{
	ok(j, xmlTextWriterWriteFormatAttribute(j->w, BAD_CAST name, "%zu", n));
}

static void attr_time(struct jw *j, const char *name, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	ok(j, xmlTextWriterWriteFormatAttribute(j->w, BAD_CAST name,
						 "%lld.%03lld",
						 (long long)(ms / 1000),
						 (long long)(ms % 1000)));
}

static void text(struct jw *j, const char *s)
{
	char *v = reporters__clean_text(s);

	ok(j, xmlTextWriterWriteString(j->w, BAD_CAST v));
	free(v);
}

/* <name>text</name>, skipped when s is NULL or empty. */
static void text_element(struct jw *j, const char *name, const char *s)
{
	if (!s || !*s)
		return;
	start(j, name);
	text(j, s);
	end(j);
}

static void property(struct jw *j, const char *name, const char *value)
{
	if (!value)
		return;
	start(j, "property");
	attr(j, "name", name);
	attr(j, "value", value);
	end(j);
}

/* ---------------------------------------------------------------------- */
/* Attempts as elements                                                    */
/* ---------------------------------------------------------------------- */

static bool is_error_kind(enum fg_astatus s)
{
	return fg_astatus_is_failure(s) && s != FG_A_FAILED;
}

/* A short message for an attempt that has none. */
static const char *attempt_message(const struct fg_attempt *a)
{
	if (a->message && *a->message)
		return a->message;
	return fg_astatus_name(a->status);
}

/* <failure>/<error>: message, type, the message again as body (Jenkins
 * shows the body as the stack trace). */
static void result_element(struct jw *j, const struct fg_attempt *a)
{
	start(j, is_error_kind(a->status) ? "error" : "failure");
	attr(j, "message", attempt_message(a));
	attr(j, "type", fg_astatus_name(a->status));
	if (a->message && *a->message)
		text(j, a->message);
	end(j);
}

/* flakyFailure, rerunError, ...: Surefire's complex retry elements. */
static void retry_element(struct jw *j, const char *prefix,
			  const struct fg_attempt *a)
{
	char name[32];

	snprintf(name, sizeof(name), "%s%s", prefix,
		 is_error_kind(a->status) ? "Error" : "Failure");
	start(j, name);
	attr(j, "message", attempt_message(a));
	attr(j, "type", fg_astatus_name(a->status));
	attr_time(j, "time", a->duration_ms);
	start(j, "stackTrace");
	text(j, attempt_message(a));
	end(j);
	text_element(j, "system-out", a->output);
	end(j);
}

/*
 * Every failed attempt of kind `errors` as <prefix...>: the earlier ones,
 * and the last too with last_too (a flaky test can end on a failure: a
 * stress run, or a suite rerun for a neighbour).
 */
static void retries(struct jw *j, const struct fg_test *t, const char *prefix,
		    bool errors, bool last_too)
{
	for (size_t i = 0; i + !last_too < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];

		if (fg_astatus_is_failure(a->status) &&
		    is_error_kind(a->status) == errors)
			retry_element(j, prefix, a);
	}
}

static void quarantine_skip(struct jw *j, const struct fg_attempt *a)
{
	char *m = fg_xasprintf("quarantined: %s",
			       a ? attempt_message(a) : "no attempt");

	start(j, "skipped");
	attr(j, "message", m);
	end(j);
	free(m);
}

static void skipped(struct jw *j, const struct fg_attempt *a)
{
	start(j, "skipped");
	/* pytest's form, which readers (ours included) know as xfail. */
	if (a && a->status == FG_A_XFAILED)
		attr(j, "type", "pytest.xfail");
	if (a && a->message && *a->message)
		attr(j, "message", a->message);
	end(j);
}

/* ---------------------------------------------------------------------- */
/* Test cases                                                              */
/* ---------------------------------------------------------------------- */

/* Opens <testcase> with its attributes and, when it has any, properties. */
static void case_open(struct jw *j, const struct fg_test *t, int64_t ms,
		      const char *outcome_prop, int attempt)
{
	start(j, "testcase");
	attr(j, "name", t->name);
	attr(j, "classname", t->classname);
	attr_time(j, "time", ms);
	if (t->file) {
		attr(j, "file", t->file);
		if (t->line > 0)
			ok(j, xmlTextWriterWriteFormatAttribute(j->w,
				BAD_CAST "line", "%d", t->line));
	}
	if (outcome_prop || attempt) {
		char num[16];

		start(j, "properties");
		property(j, "flakeguard.outcome", outcome_prop);
		snprintf(num, sizeof(num), "%d", attempt);
		if (attempt)
			property(j, "flakeguard.attempt", num);
		end(j);
	}
}

/* The Surefire profile: one <testcase> per test (file comment). */
static void case_surefire(struct jw *j, const struct fg_test *t)
{
	const struct fg_attempt *last = reporters__last_attempt(t);

	switch (t->outcome) {
	case FG_O_FAILED:
		case_open(j, t, t->duration_ms, NULL, 0);
		if (last && !is_error_kind(last->status))
			result_element(j, last);
		retries(j, t, "rerun", false, false);
		if (last && is_error_kind(last->status))
			result_element(j, last);
		retries(j, t, "rerun", true, false);
		break;
	case FG_O_FLAKY:
		case_open(j, t, t->duration_ms, "flaky", 0);
		retries(j, t, "flaky", false, true);
		if (last && last->status == FG_A_SKIPPED)
			skipped(j, last);
		retries(j, t, "flaky", true, true);
		break;
	case FG_O_QUARANTINED:
		case_open(j, t, t->duration_ms, "quarantined", 0);
		quarantine_skip(j, last);
		break;
	case FG_O_SKIPPED:
		case_open(j, t, t->duration_ms, NULL, 0);
		skipped(j, last);
		break;
	case FG_O_XFAILED:
		case_open(j, t, t->duration_ms, "xfailed", 0);
		skipped(j, last);
		break;
	case FG_O_XPASSED:
		case_open(j, t, t->duration_ms, "xpassed", 0);
		break;
	case FG_O_PASSED:
	default:
		case_open(j, t, t->duration_ms, NULL, 0);
		break;
	}
	if (last)
		text_element(j, "system-out", last->output);
	end(j);
}

/* One attempt as a <testcase> of its own (the "attempts" profile). */
static void case_attempt(struct jw *j, const struct fg_test *t,
			 const struct fg_attempt *a)
{
	bool quarantined = t->outcome == FG_O_QUARANTINED;

	case_open(j, t, a->duration_ms, quarantined ? "quarantined" : NULL,
		  t->nattempts > 1 ? a->number : 0);
	if (quarantined && fg_astatus_is_failure(a->status))
		quarantine_skip(j, a);
	else if (fg_astatus_is_failure(a->status))
		result_element(j, a);
	else if (a->status == FG_A_SKIPPED || a->status == FG_A_XFAILED)
		skipped(j, a);
	text_element(j, "system-out", a->output);
	end(j);
}

/* Only the final status (the "plain" profile); flaky reads as passed. */
static void case_plain(struct jw *j, const struct fg_test *t)
{
	const struct fg_attempt *last = reporters__last_attempt(t);

	case_open(j, t, t->duration_ms,
		  t->outcome == FG_O_FLAKY ? "flaky" :
		  t->outcome == FG_O_QUARANTINED ? "quarantined" :
		  t->outcome == FG_O_XFAILED ? "xfailed" :
		  t->outcome == FG_O_XPASSED ? "xpassed" : NULL, 0);
	if (t->outcome == FG_O_FAILED && last)
		result_element(j, last);
	else if (t->outcome == FG_O_QUARANTINED)
		quarantine_skip(j, last);
	else if (t->outcome == FG_O_SKIPPED || t->outcome == FG_O_XFAILED)
		skipped(j, last);
	if (last)
		text_element(j, "system-out", last->output);
	end(j);
}

static void write_case(struct jw *j, const struct fg_test *t)
{
	switch (j->profile) {
	case REPORT_JUNIT_ATTEMPTS:
		for (size_t i = 0; i < t->nattempts; i++)
			case_attempt(j, t, &t->attempts[i]);
		if (!t->nattempts)
			case_plain(j, t);
		break;
	case REPORT_JUNIT_PLAIN:
		case_plain(j, t);
		break;
	case REPORT_JUNIT_SUREFIRE:
	default:
		case_surefire(j, t);
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* Counting, the way each profile writes                                   */
/* ---------------------------------------------------------------------- */

struct jcount {
	size_t tests, failures, errors, skipped;
	int64_t ms;
};

static void count_status(struct jcount *c, enum fg_astatus st, bool quar)
{
	c->tests++;
	if (st == FG_A_SKIPPED || st == FG_A_XFAILED ||
	    (quar && fg_astatus_is_failure(st)))
		c->skipped++;
	else if (is_error_kind(st))
		c->errors++;
	else if (st == FG_A_FAILED)
		c->failures++;
}

static void count_test(struct jcount *c, const struct fg_test *t,
		       enum report_junit_profile profile)
{
	const struct fg_attempt *last = reporters__last_attempt(t);
	bool quar = t->outcome == FG_O_QUARANTINED;

	for (size_t i = 0; i < t->nattempts; i++)
		c->ms += t->attempts[i].duration_ms;
	if (profile == REPORT_JUNIT_ATTEMPTS && t->nattempts) {
		for (size_t i = 0; i < t->nattempts; i++)
			count_status(c, t->attempts[i].status, quar);
		return;
	}
	if (t->outcome == FG_O_FAILED && last)
		count_status(c, last->status, false);
	else if (t->outcome == FG_O_SKIPPED || t->outcome == FG_O_XFAILED ||
		 quar)
		count_status(c, FG_A_SKIPPED, false);
	else
		count_status(c, FG_A_PASSED, false);
}

static void count_attrs(struct jw *j, const struct jcount *c)
{
	attr_size(j, "tests", c->tests);
	attr_size(j, "failures", c->failures);
	attr_size(j, "errors", c->errors);
	attr_size(j, "skipped", c->skipped);
	attr_time(j, "time", c->ms);
}

/* ---------------------------------------------------------------------- */
/* The document                                                            */
/* ---------------------------------------------------------------------- */

static void run_properties(struct jw *j, const struct fg_run *run)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", (long long)run->id);
	start(j, "properties");
	property(j, "flakeguard.run_id", id);
	property(j, "flakeguard.commit", run->commit);
	property(j, "flakeguard.branch", run->branch);
	property(j, "flakeguard.host", run->host);
	property(j, "flakeguard.ci_job", run->ci_job);
	property(j, "flakeguard.shard", run->shard);
	if (run->interrupted)
		property(j, "flakeguard.interrupted", "true");
	end(j);
}

static const struct fg_run *sort_run; /* qsort has no context argument */

/* By suite name, then run order: deterministic, and stable for equals. */
static int by_suite(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(sort_run->tests[ia].suite, sort_run->tests[ib].suite);

	return c ? c : (ia > ib) - (ia < ib);
}

static void write_suite(struct jw *j, const struct fg_run *run,
			const size_t *idx, size_t n, const char *ts)
{
	struct jcount c = { 0 };

	for (size_t i = 0; i < n; i++)
		count_test(&c, &run->tests[idx[i]], j->profile);
	start(j, "testsuite");
	attr(j, "name", run->tests[idx[0]].suite);
	count_attrs(j, &c);
	attr(j, "timestamp", ts);
	if (run->host)
		attr(j, "hostname", run->host);
	run_properties(j, run);
	for (size_t i = 0; i < n; i++)
		write_case(j, &run->tests[idx[i]]);
	end(j);
}

static void write_doc(struct jw *j, const struct fg_run *run)
{
	size_t *idx = fg_xcalloc(run->ntests + 1, sizeof(*idx));
	struct jcount all = { 0 };
	char ts[40];

	fg_time_iso8601(run->started_at_ms, ts, sizeof(ts));
	for (size_t i = 0; i < run->ntests; i++) {
		idx[i] = i;
		count_test(&all, &run->tests[i], j->profile);
	}
	sort_run = run;
	qsort(idx, run->ntests, sizeof(*idx), by_suite);
	sort_run = NULL;

	ok(j, xmlTextWriterStartDocument(j->w, NULL, "UTF-8", NULL));
	start(j, "testsuites");
	attr(j, "name", "flakeguard");
	all.ms = run->duration_ms; /* the root's time is the run's wall time */
	count_attrs(j, &all);
	attr(j, "timestamp", ts);
	for (size_t i = 0, k; i < run->ntests; i = k) {
		for (k = i + 1; k < run->ntests &&
		     !strcmp(run->tests[idx[k]].suite, run->tests[idx[i]].suite);
		     k++)
			;
		write_suite(j, run, idx + i, k - i, ts);
	}
	end(j);
	ok(j, xmlTextWriterEndDocument(j->w));
	free(idx);
}

int report_junit_write(const char *path, const struct fg_run *run,
		       enum report_junit_profile profile, struct fg_error *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	struct jw j = { .profile = profile };
	int rc;

	if (!buf)
		return fg_fail(err, FG_EIO, "cannot write '%s': out of memory",
			       path);
	j.w = xmlNewTextWriterMemory(buf, 0);
	if (!j.w) {
		xmlBufferFree(buf);
		return fg_fail(err, FG_EIO, "cannot write '%s': out of memory",
			       path);
	}
	ok(&j, xmlTextWriterSetIndent(j.w, 1));
	ok(&j, xmlTextWriterSetIndentString(j.w, BAD_CAST "  "));
	write_doc(&j, run);
	xmlFreeTextWriter(j.w); /* flushes into buf */
	if (j.failed)
		rc = fg_fail(err, FG_EIO, "cannot write '%s': libxml2 could "
			     "not serialise the report", path);
	else
		rc = reporters__write_file(path,
					   (const char *)xmlBufferContent(buf),
					   (size_t)xmlBufferLength(buf), false,
					   err);
	xmlBufferFree(buf);
	return rc;
}
