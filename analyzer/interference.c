/* SPDX-License-Identifier: MIT */
/*
 * analyzer/interference.c - "fails beside others, passes alone" (issue 12
 * point 3): tests that break because of the tests running next to them.
 *
 * `run` records each attempt's company (struct fg_attempt: beside, the
 * number of attempts of other items that overlapped it in time, 0 when it
 * ran alone, and up to FG_BESIDE_MAX of their item ids), and a retry of a
 * failure that had company runs alone (exclusive). A run of a test is
 * *interfered* when an attempt failed beside others and a later attempt
 * passed alone. Over the evidence window, a test is `interference` when
 * at least `interference_runs` (2) runs were interfered and its attempts
 * fail with company more often than alone beyond chance: at one failure
 * rate for both, the failures would fall on the attempts with company at
 * least this often with probability (exact, hypergeometric) below
 * `interference_alpha` (0.01). Without that test every flaky test at -j2
 * would qualify: its first attempt nearly always has company, and its
 * retry alone usually passes (evidence.c, categorize()).
 *
 * The culprits are the item ids beside its failed attempts in the
 * interfered runs, ranked by the number of such runs they were in. The
 * suggestion is the override that keeps the test and its first culprit
 * apart: one lock both take (docs/configuration.md, "Overrides").
 *
 * API: an_obs_company() (an_test_add_row() and an_test_add_run() call
 * it) and an_interference_suggestion() in analyzer/analyzer.h;
 * an__interference() (analyzer/internal.h) for an_evaluate().
 */
#include "analyzer/analyzer.h"
#include "analyzer/internal.h"

#include <stdlib.h>
#include <string.h>

static void add_name(char ***v, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && !memcmp((*v)[i], s, len))
			return;
	*v = fg_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = fg_xstrndup(s, len);
}

/* The '\n'-separated names into the run's list (distinct). */
static void add_names(struct an_obs *o, const char *names)
{
	while (names && *names) {
		const char *end = strchr(names, '\n');
		size_t len = end ? (size_t)(end - names) : strlen(names);

		if (len)
			add_name(&o->beside, &o->nbeside, names, len);
		names = end ? end + 1 : NULL;
	}
}

static void free_names(struct an_obs *o)
{
	for (size_t i = 0; i < o->nbeside; i++)
		free(o->beside[i]);
	free(o->beside);
	o->beside = NULL;
	o->nbeside = 0;
}

void an_obs_company(struct an_obs *o, const enum fg_astatus *statuses,
		    const int *beside, const char *const *names, size_t n)
{
	bool failed_beside = false;

	free_names(o);
	o->interfered = o->failed_alone = false;
	o->alone = o->alone_failed = o->beside_n = o->beside_failed = 0;
	for (size_t i = 0; beside && i < n; i++) {
		bool failed = fg_astatus_is_failure(statuses[i]);

		if (statuses[i] == FG_A_SKIPPED || beside[i] < 0 ||
		    (!failed && !fg_astatus_is_pass(statuses[i])))
			continue; /* tells nothing / not known */
		if (beside[i]) {
			o->beside_n += o->beside_n < UINT16_MAX;
			o->beside_failed += failed && o->beside_failed < UINT16_MAX;
		} else {
			o->alone += o->alone < UINT16_MAX;
			o->alone_failed += failed && o->alone_failed < UINT16_MAX;
		}
		if (failed) {
			if (!beside[i]) {
				o->failed_alone = true;
				continue;
			}
			failed_beside = true;
			add_names(o, names ? names[i] : NULL);
		} else if (fg_astatus_is_pass(statuses[i]) && !beside[i] &&
			   failed_beside) {
			o->interfered = true;
		}
	}
	if (!o->interfered)
		free_names(o);
}

void an__obs_release(struct an_obs *o)
{
	free_names(o);
}

static int cmp_culprits(const void *a, const void *b)
{
	const struct an_culprit *x = a, *y = b;

	if (x->runs != y->runs)
		return x->runs < y->runs ? 1 : -1;
	return strcmp(x->name, y->name);
}

void an__interference(const struct an_test *t, const size_t *v, size_t m,
		      struct an_evidence *ev)
{
	for (size_t i = 0; i < m; i++) {
		const struct an_obs *o = &t->obs[v[i]];

		ev->alone_fail_runs += o->failed_alone;
		ev->alone_attempts += o->alone;
		ev->alone_failed += o->alone_failed;
		ev->beside_attempts += o->beside_n;
		ev->beside_failed += o->beside_failed;
		if (!o->interfered)
			continue;
		ev->interfered_runs++;
		for (size_t k = 0; k < o->nbeside; k++) {
			size_t c = 0;

			while (c < ev->nculprits &&
			       strcmp(ev->culprits[c].name, o->beside[k]))
				c++;
			if (c == ev->nculprits) {
				ev->culprits = fg_xrealloc(ev->culprits,
					(c + 1) * sizeof(*ev->culprits));
				ev->culprits[c].name = fg_xstrdup(o->beside[k]);
				ev->culprits[c].runs = 0;
				ev->nculprits++;
			}
			ev->culprits[c].runs++;
		}
	}
	if (ev->nculprits > 1)
		qsort(ev->culprits, ev->nculprits, sizeof(*ev->culprits),
		      cmp_culprits);
	ev->company_p = an_hyper_tail(ev->beside_failed, ev->beside_attempts,
				      ev->beside_failed + ev->alone_failed,
				      ev->beside_attempts + ev->alone_attempts);
}

void an__interference_release(struct an_evidence *ev)
{
	for (size_t i = 0; i < ev->nculprits; i++)
		free(ev->culprits[i].name);
	free(ev->culprits);
	ev->culprits = NULL;
	ev->nculprits = 0;
}

bool an__is_interference(const struct an_evidence *ev,
			 const struct an_policy *p)
{
	unsigned long need = p->interference_runs > 0 ?
			     (unsigned long)p->interference_runs : 1;

	return ev->interfered_runs >= need &&
	       ev->company_p < p->interference_alpha;
}

void an__interference_reason(const struct an_test *t, char *buf, size_t n)
{
	const struct an_evidence *ev = &t->ev;
	size_t len;

	snprintf(buf, n, "fails beside other tests, passes alone: in %lu "
		 "run%s; attempts failed %lu of %lu beside others, %lu of %lu "
		 "alone (by chance: %.2g); beside it", ev->interfered_runs,
		 ev->interfered_runs == 1 ? "" : "s", ev->beside_failed,
		 ev->beside_attempts, ev->alone_failed, ev->alone_attempts,
		 ev->company_p);
	len = strlen(buf);
	for (size_t i = 0; i < ev->nculprits && i < 3 && len < n; i++) {
		snprintf(buf + len, n - len, "%s %s (%lu)", i ? "," : ":",
			 ev->culprits[i].name, ev->culprits[i].runs);
		len += strlen(buf + len);
	}
	if (ev->nculprits > 3 && len < n)
		snprintf(buf + len, n - len, " and %zu more",
			 ev->nculprits - 3);
	else if (!ev->nculprits && len < n)
		snprintf(buf + len, n - len, ": (names not recorded)");
}

/* The test's own filter: its item, as overrides match items. */
static char *own_filter(const struct an_test *t)
{
	if (!*t->classname)
		return !strcmp(t->name, t->suite) ? fg_xstrdup(t->suite) :
		       fg_xasprintf("%s::%s", t->suite, t->name);
	/* a test inside its suite's own XML runs in the suite's process */
	return fg_xstrdup(t->suite);
}

char *an_interference_suggestion(const struct an_test *t)
{
	char *self, *lock, *out;
	const char *culprit;

	if (t->cat != AN_INTERFERENCE || !t->ev.nculprits)
		return NULL;
	self = own_filter(t);
	culprit = t->ev.culprits[0].name;
	/* one name for the pair, the same whichever of the two asks */
	lock = strcmp(self, culprit) < 0 ?
	       fg_xasprintf("%s+%s", self, culprit) :
	       fg_xasprintf("%s+%s", culprit, self);
	out = fg_xasprintf("keep it apart from %s with a lock both take, in "
			   "flakeguard.json: \"overrides\": [{\"filter\": "
			   "\"%s\", \"locks\": [\"%s\"]}, {\"filter\": \"%s\", "
			   "\"locks\": [\"%s\"]}] (or a \"group\" with "
			   "\"max\": 1 for several; docs/configuration.md, "
			   "\"Overrides\")", culprit, self, lock, culprit,
			   lock);
	free(self);
	free(lock);
	return out;
}
