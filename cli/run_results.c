/* SPDX-License-Identifier: MIT */
/*
 * cli/run_results.c - from a finished attempt to tests and attempts.
 *
 * The attempt's JUnit XML gives one test per test case; an item-level test
 * (named after the suite, the case or "shard K/N") records the process
 * itself when it tells more than the XML: no XML, unreadable XML, an
 * abnormal end (timeout, signal, leak, could not start), or a non-zero
 * exit while the XML shows no failure — never a silent pass.
 */
#include "cli/run.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool has_code(const int *codes, int n, int code)
{
	for (int i = 0; i < n; i++)
		if (codes[i] == code)
			return true;
	return false;
}

/* The first of the patterns that matches text, or NULL. */
static const char *regex_find(char *const *patterns, const char *text)
{
	for (; patterns && *patterns; patterns++) {
		regex_t re;
		bool hit;

		/* checked when the config or ctest's list was read */
		if (regcomp(&re, *patterns, REG_EXTENDED | REG_NOSUB))
			continue;
		hit = !regexec(&re, text, 0, NULL, 0);
		regfree(&re);
		if (hit)
			return *patterns;
	}
	return NULL;
}

/*
 * CTest's judgement with regular expressions (cmCTestRunTest::EndTest):
 * no pass_regex match fails, and a match passes whatever the exit status;
 * a fail_regex match fails; a skip_regex match skips (before the rest);
 * will_fail swaps pass and fail. Matched over the output kept (16 MiB for
 * these suites: cli/run_deps.c); a message says when some was not kept.
 */
static enum fg_astatus regex_status(struct item_state *is, int code,
				    char *msg, size_t n)
{
	const struct fg_suite_cfg *s = is->cfg;
	const struct fg_buf *b = &is->job.result.output;
	char *out = fg_buf_text(b);
	const char *hit;
	bool force_fail = false, success;
	enum fg_astatus st;

	msg[0] = '\0';
	if (s->pass_regex && !regex_find(s->pass_regex, out)) {
		force_fail = true;
		snprintf(msg, n, "exited with status %d; its output matches no "
			 "pass_regex", code);
	}
	if (s->fail_regex && (hit = regex_find(s->fail_regex, out))) {
		force_fail = true;
		snprintf(msg, n, "exited with status %d; its output matches "
			 "fail_regex '%.200s'", code, hit);
	}
	if (s->skip_regex && (hit = regex_find(s->skip_regex, out))) {
		snprintf(msg, n, "skipped: its output matches skip_regex "
			 "'%.200s'", hit);
		st = FG_A_SKIPPED;
	} else {
		success = !force_fail && (code == 0 || s->pass_regex);
		st = success != s->will_fail ? FG_A_PASSED : FG_A_FAILED;
		if (st == FG_A_FAILED && !msg[0])
			snprintf(msg, n, success ? "exited with status %d, but "
				 "it is expected to fail (will_fail)" :
				 "exited with status %d", code);
		if (st == FG_A_PASSED)
			msg[0] = '\0';
	}
	free(out);
	if (fg_buf_dropped(b) && st != FG_A_PASSED)
		snprintf(msg + strlen(msg), n - strlen(msg), " (%llu bytes of "
			 "its output were not kept, nor searched)",
			 (unsigned long long)fg_buf_dropped(b));
	return st;
}

/*
 * What an exit status means for suite s: its skip and error codes (77 and
 * 99 by default, as Automake and Meson), and will_fail (CTest WILL_FAIL),
 * which turns a clean exit into the failure and a failure into the pass.
 */
static enum fg_astatus exit_status(struct item_state *is, int code,
				   char *msg, size_t n)
{
	const struct fg_suite_cfg *s = is->cfg;

	if (code && has_code(s->skip_codes, s->nskip_codes, code)) {
		snprintf(msg, n, "exited with status %d: skipped", code);
		return FG_A_SKIPPED;
	}
	if (code && has_code(s->error_codes, s->nerror_codes, code)) {
		snprintf(msg, n, "exited with status %d: a hard error", code);
		return FG_A_ERROR;
	}
	if (s->pass_regex || s->fail_regex || s->skip_regex)
		return regex_status(is, code, msg, n);
	if (s->will_fail) {
		if (code)
			return FG_A_PASSED;
		snprintf(msg, n, "exited with status 0, but it is expected to "
			 "fail (will_fail)");
		return FG_A_FAILED;
	}
	if (code) {
		snprintf(msg, n, "exited with status %d", code);
		return FG_A_FAILED;
	}
	return FG_A_PASSED;
}

/* The attempt status of the process and a message for it. */
enum fg_astatus run_process_status(struct item_state *is, char *msg,
				      size_t n)
{
	const struct runner_result *res = &is->job.result;
	struct stat st;
	char d[32];

	msg[0] = '\0';
	switch (res->end) {
	case RUNNER_SPAWN_FAILED:
		/*
		 * posix_spawn reports a failed chdir and a failed exec alike:
		 * ENOENT for a missing "cwd" must not blame the program.
		 */
		if (is->cwd && (stat(is->cwd, &st) < 0 ||
				!S_ISDIR(st.st_mode)))
			snprintf(msg, n, "could not start '%s': its working "
				 "directory '%s' is missing or not a directory",
				 is->argv[0], is->cwd);
		else
			snprintf(msg, n, "could not start '%s': %s",
				 is->argv[0], strerror(res->spawn_errno));
		return FG_A_ERROR;
	case RUNNER_INTERRUPTED:
		snprintf(msg, n, "interrupted after %s",
			 fg_duration_format(res->duration_ms, d, sizeof(d)));
		return FG_A_ERROR;
	case RUNNER_CANCELLED:
		snprintf(msg, n, "cancelled after %s (--fail-fast)",
			 fg_duration_format(res->duration_ms, d, sizeof(d)));
		return FG_A_SKIPPED;
	case RUNNER_TIMEOUT:
		snprintf(msg, n, "timed out after %s",
			 fg_duration_format(is->job.timeout_ms, d, sizeof(d)));
		return FG_A_TIMEOUT;
	case RUNNER_SIGNALED:
		snprintf(msg, n, "killed by signal %d (%s)", res->term_signal,
			 strsignal(res->term_signal));
		return FG_A_CRASHED;
	case RUNNER_NOT_STARTED:
		/* declined before it started: cli/run_deps.c says why */
		snprintf(msg, n, "%s", is->why_not ? is->why_not : "not run");
		return is->not_run_status;
	case RUNNER_EXITED:
		break;
	}
	if (res->leaked && is->cfg->leak_fails != 0) {
		snprintf(msg, n, "exited with status %d but left processes "
			 "holding its output open (leaked%s%s); they were "
			 "killed", res->exit_code,
			 res->leaked_procs[0] ? ": " : "", res->leaked_procs);
		return FG_A_LEAKED;
	}
	return exit_status(is, res->exit_code, msg, n);
}

/*
 * Moves the tests of one attempt's XML into the run, as attempts; failures
 * the XML gives no output of their own get the tail of the process's.
 */
void run_refs_free(struct run_test_ref **refs, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*refs)[i].classname);
		free((*refs)[i].name);
	}
	free(*refs);
	*refs = NULL;
	*n = 0;
}

static void ref_add(struct run_test_ref **refs, size_t *n,
		    const struct fg_test *t)
{
	*refs = fg_xrealloc(*refs, (*n + 1) * sizeof(**refs));
	(*refs)[*n].classname = fg_xstrdup(t->classname);
	(*refs)[*n].name = fg_xstrdup(t->name);
	(*n)++;
}

/*
 * Notes what this attempt's results say for retrying: which tests failed
 * in it, and which of the tests it was asked to rerun it reported.
 */
static void note_results(struct item_state *is, const struct fg_run *xml)
{
	for (size_t i = 0; i < xml->ntests; i++) {
		const struct fg_test *t = &xml->tests[i];
		bool failed = false;

		for (size_t k = 0; k < t->nattempts; k++)
			failed |= fg_astatus_is_failure(t->attempts[k].status);
		if (failed)
			ref_add(&is->failed_now, &is->nfailed_now, t);
		for (size_t k = 0; k < is->nasked; k++)
			if (!strcmp(is->asked[k].classname, t->classname) &&
			    !strcmp(is->asked[k].name, t->name))
				is->seen_asked[k] = true;
	}
}

size_t run_check_asked(struct item_state *is)
{
	size_t missing = 0;

	for (size_t k = 0; k < is->nasked; k++) {
		struct fg_test *t;

		if (is->seen_asked[k])
			continue;
		t = fg_run_find_test(&is->rs->run, is->cfg->name,
				     is->asked[k].classname, is->asked[k].name);
		if (!t)
			continue;
		fg_test_add_attempt(t, FG_A_ERROR, is->job.result.duration_ms,
				    "asked to rerun this test, but the rerun "
				    "reported no result for it", NULL);
		t->attempts[t->nattempts - 1].started_at_ms =
			is->job.result.started_at_ms;
		run_company_set(is, &t->attempts[t->nattempts - 1]);
		missing++;
	}
	return missing;
}

static size_t merge_xml(struct item_state *is, struct fg_run *xml,
			const char *output_tail)
{
	for (size_t i = 0; i < xml->ntests; i++)
		for (size_t k = 0; k < xml->tests[i].nattempts; k++)
			run_company_set(is, &xml->tests[i].attempts[k]);
	for (size_t i = 0; output_tail && *output_tail && i < xml->ntests; i++)
		for (size_t k = 0; k < xml->tests[i].nattempts; k++) {
			struct fg_attempt *a = &xml->tests[i].attempts[k];

			if (fg_astatus_is_failure(a->status) && !a->output)
				a->output = fg_xstrdup(output_tail);
		}
	note_results(is, xml);
	return fg_run_absorb(&is->rs->run, xml);
}

/* Reads this attempt's XML into the run; returns -1 when there was none. */
long run_read_xml(struct item_state *is, const char *output_tail,
		     char *xml_problem, size_t n)
{
	struct history_junit_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct fg_run xml;
	struct stat st;
	long failures;
	int rc;

	xml_problem[0] = '\0';
	if (stat(is->junit, &st) < 0)
		return -1;
	fg_run_init(&xml);
	rc = history_junit_read(is->junit, is->cfg->name, &xml, &stats, &err);
	if (rc) {
		fg_log(FG_LOG_WARN, "run", "%s", err.msg);
		snprintf(xml_problem, n, "%s", err.msg);
	} else if (!xml.ntests) {
		snprintf(xml_problem, n, "%s: JUnit XML holds no test case",
			 is->junit);
	}
	failures = (long)merge_xml(is, &xml, output_tail);
	if (!xml.ntests && !rc)
		failures = -1;
	fg_run_release(&xml);
	return failures;
}

/* ---------------------------------------------------------------------- */
/* TAP                                                                     */
/* ---------------------------------------------------------------------- */

/* The TAP reader's sink: each settled test into this attempt's tap_run. */
static int tap_test(void *ctx, struct fg_test *t)
{
	struct item_state *is = ctx;
	struct fg_test *to = fg_run_find_test(&is->tap_run, t->suite,
					      t->classname, t->name);

	if (!to) {
		to = fg_run_add_test(&is->tap_run, t->suite, t->classname,
				     t->name);
		to->file = fg_xstrdup(t->file);
		to->line = t->line;
	}
	for (size_t i = 0; i < t->nattempts; i++) {
		struct fg_attempt *a = &t->attempts[i];

		fg_test_add_attempt(to, a->status, a->duration_ms, a->message,
				    a->output)->started_at_ms = a->started_at_ms;
	}
	return FG_OK;
}

void run_tap_start(struct item_state *is)
{
	struct history_junit_sink sink = { .test = tap_test, .ctx = is };
	char *label;

	fg_run_init(&is->tap_run);
	history_tap_free(is->tap);
	is->tap = NULL;
	if (is->cfg->format != FG_FORMAT_TAP || is->tap_file)
		return;
	label = fg_xasprintf("%s: stdout", is->item->id);
	is->tap = history_tap_new(is->cfg->name, label, &sink);
	free(label);
}

void run_tap_output(struct runner_job *job, const char *bytes, size_t len)
{
	struct item_state *is = job->data;

	if (is->tap)
		history_tap_feed(is->tap, bytes, len);
}

long run_read_tap(struct item_state *is, const char *output_tail,
		  char *tap_problem, size_t n)
{
	struct history_junit_sink sink = { .test = tap_test, .ctx = is };
	struct history_tap_stats stats = { 0 };
	struct fg_error err = { 0 };
	struct stat st;
	long failures;
	int rc;

	tap_problem[0] = '\0';
	if (is->tap) {
		rc = history_tap_finish(is->tap, &stats, &err);
		history_tap_free(is->tap);
		is->tap = NULL;
	} else if (is->tap_file && stat(is->tap_file, &st) == 0) {
		rc = history_tap_read_file(is->tap_file, is->cfg->name, &sink,
					   &stats, &err);
	} else {
		return -1;
	}
	if (rc && is->tap_run.ntests)
		snprintf(tap_problem, n, "%s", err.msg);
	else if (!is->tap_run.ntests)
		snprintf(tap_problem, n, "%s: no TAP test point (\"format\": "
			 "\"tap\")", is->tap_file ? is->tap_file : "stdout");
	/*
	 * TAP has no timing. A process that reported one test point (a case
	 * run alone: libuv's "uv_run_tests NAME") took the process's time,
	 * which history needs to order and balance the cases.
	 */
	if (is->tap_run.ntests == 1 && is->tap_run.tests[0].nattempts == 1 &&
	    !is->tap_run.tests[0].attempts[0].duration_ms) {
		struct fg_test *t = &is->tap_run.tests[0];

		t->attempts[0].duration_ms = is->job.result.duration_ms;
		t->attempts[0].started_at_ms = is->job.result.started_at_ms;
		t->duration_ms = is->job.result.duration_ms;
	}
	/* what was read counts, a damaged stream included */
	failures = is->tap_run.ntests ?
		   (long)merge_xml(is, &is->tap_run, output_tail) : -1;
	fg_run_release(&is->tap_run);
	return failures;
}

void run_record_self_test(struct item_state *is, enum fg_astatus st,
			     const char *msg, const char *output)
{
	struct fg_run *run = &is->rs->run;
	struct fg_test *t = NULL;
	struct fg_attempt *a;

	if (is->has_self_test)
		t = fg_run_find_test(run, is->cfg->name, is->self_class,
				     is->self_name);
	if (!t)
		t = fg_run_add_test(run, is->cfg->name, is->self_class,
				    is->self_name);
	/* Retries continue the attempt numbering of the item. */
	while ((int)t->nattempts + 1 < is->attempt)
		fg_test_add_attempt(t, FG_A_SKIPPED, 0, "not run in this "
				    "attempt", NULL);
	is->has_self_test = true;
	a = fg_test_add_attempt(t, st, is->job.result.duration_ms,
				*msg ? msg : NULL,
				fg_astatus_is_failure(st) ? output : NULL);
	a->started_at_ms = is->job.result.started_at_ms;
	run_company_set(is, a);
}
