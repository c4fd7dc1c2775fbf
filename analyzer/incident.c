/* SPDX-License-Identifier: MIT */
/*
 * analyzer/incident.c - hints on a whole run, and the failures it shares.
 *
 * an_hints_apply() gives every failed attempt its hint (analyzer/hint.c)
 * and each test the one to show, then looks across the run: when many of
 * the tests that failed share one normalised failure (an_signature), that
 * is one incident (a server down, a full disk, a broken fixture) rather
 * than N separate bugs, and the verdict says so once. The threshold:
 * AN_INCIDENT_MIN tests and AN_INCIDENT_SHARE of the failed tests. A
 * message that is only an exit status ("exited with status 7") says
 * nothing shared, so such a failure is keyed by its last output line
 * ("curl: (7) Failed to connect ... Connection refused"), which its hint
 * quotes.
 */
#include "analyzer/analyzer.h"

#include <stdlib.h>
#include <string.h>

static bool failed_attempt(const struct fg_attempt *a)
{
	return fg_astatus_is_failure(a->status);
}

static void attempt_hint(struct fg_attempt *a)
{
	char buf[AN_HINT_MAX];
	enum an_hint_kind k;

	free(a->hint);
	a->hint = NULL;
	a->hint_kind = NULL;
	if (!failed_attempt(a))
		return;
	k = an_hint(a->status, a->message, a->output, buf, sizeof(buf));
	if (k == AN_HINT_NONE)
		return;
	a->hint = fg_xstrdup(buf);
	a->hint_kind = an_hint_kind_name(k);
}

/* The attempt whose hint the test shows: a memory error, else the last. */
static const struct fg_attempt *shown(const struct fg_test *t)
{
	const struct fg_attempt *last = NULL;

	for (size_t i = 0; i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];

		if (!a->hint)
			continue;
		if (!strcmp(a->hint_kind, an_hint_kind_name(AN_HINT_MEMORY)))
			return a;
		last = a;
	}
	return last;
}

bool an_test_memory_error(const struct fg_test *t)
{
	for (size_t i = 0; i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];
		char buf[AN_HINT_MAX];

		if (failed_attempt(a) &&
		    an_hint(a->status, a->message, a->output, buf,
			    sizeof(buf)) == AN_HINT_MEMORY)
			return true;
	}
	return false;
}

/*
 * An exit status alone: its last output line ("ConnectionRefusedError:
 * [Errno 111] Connection refused"), which the exit hint quotes; NULL when
 * it printed nothing (so many bare "exited with status 1" are no
 * incident: they share nothing but the status).
 */
static char *exit_key(const struct fg_attempt *a)
{
	static const char mark[] = "; last output: \"";
	const char *q = a->hint ? strstr(a->hint, mark) : NULL;
	char *line, *sig;
	size_t n;

	if (!q)
		return NULL; /* it printed nothing: nothing shared to tell */
	q += strlen(mark);
	n = strlen(q);
	line = fg_xstrndup(q, n && q[n - 1] == '"' ? n - 1 : n);
	sig = an_signature(line);
	free(line);
	return sig;
}

/* The signature a test's failure is grouped by: of its first failure. */
static char *incident_key(const struct fg_test *t)
{
	for (size_t i = 0; i < t->nattempts; i++) {
		const struct fg_attempt *a = &t->attempts[i];

		if (!failed_attempt(a))
			continue;
		if (a->message && strncmp(a->message, "exited with status ",
					  19))
			return an_signature(a->message);
		return exit_key(a);
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return strcmp(x ? x : "", y ? y : "");
}

static void clear_incidents(struct fg_run *run)
{
	for (size_t i = 0; i < run->nincidents; i++)
		free(run->incidents[i].signature);
	free(run->incidents);
	run->incidents = NULL;
	run->nincidents = 0;
	for (size_t i = 0; i < run->ntests; i++)
		run->tests[i].incident = 0;
}

static void find_incidents(struct fg_run *run)
{
	char **keys = fg_xcalloc(run->ntests + 1, sizeof(*keys));
	char **sorted = fg_xcalloc(run->ntests + 1, sizeof(*sorted));
	size_t nfailed = 0;

	clear_incidents(run);
	for (size_t i = 0; i < run->ntests; i++)
		if ((keys[i] = incident_key(&run->tests[i])))
			sorted[nfailed++] = keys[i];
	qsort(sorted, nfailed, sizeof(*sorted), cmp_str);
	for (size_t i = 0, j; i < nfailed; i = j) {
		struct fg_incident *inc;

		for (j = i + 1; j < nfailed && !strcmp(sorted[i], sorted[j]);)
			j++;
		if (j - i < AN_INCIDENT_MIN ||
		    (double)(j - i) < AN_INCIDENT_SHARE * (double)nfailed)
			continue;
		run->incidents = fg_xrealloc(run->incidents,
					     (run->nincidents + 1) *
						     sizeof(*run->incidents));
		inc = &run->incidents[run->nincidents++];
		inc->signature = fg_xstrdup(sorted[i]);
		inc->ntests = j - i;
		inc->nfailed = nfailed;
		for (size_t k = 0; k < run->ntests; k++)
			if (keys[k] && !strcmp(keys[k], sorted[i]))
				run->tests[k].incident = run->nincidents;
	}
	for (size_t i = 0; i < run->ntests; i++)
		free(keys[i]);
	free(keys);
	free(sorted);
}

void an_hints_apply(struct fg_run *run)
{
	for (size_t i = 0; i < run->ntests; i++) {
		struct fg_test *t = &run->tests[i];
		const struct fg_attempt *a;

		for (size_t k = 0; k < t->nattempts; k++)
			attempt_hint(&t->attempts[k]);
		free(t->hint);
		t->hint = NULL;
		t->hint_kind = NULL;
		if ((a = shown(t))) {
			t->hint = fg_xstrdup(a->hint);
			t->hint_kind = a->hint_kind;
		}
	}
	find_incidents(run);
}

void an_incidents_describe(const struct fg_run *run, char *buf, size_t size)
{
	size_t o = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < run->nincidents && o < size; i++) {
		const struct fg_incident *inc = &run->incidents[i];
		int n = snprintf(buf + o, size - o, "%sone incident: %zu of %zu "
				 "failed tests failed alike: \"%.80s%s\"",
				 i ? "; " : "", inc->ntests, inc->nfailed,
				 inc->signature,
				 strlen(inc->signature) > 80 ? "..." : "");

		if (n < 0)
			break;
		o += (size_t)n;
	}
}
