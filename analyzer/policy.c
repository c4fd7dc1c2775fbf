/* SPDX-License-Identifier: MIT */
/*
 * analyzer/policy.c - the quarantine policy and the verdict that uses it.
 *
 * an_decide() is the policy for one test: enter (same-commit
 * inconsistency on K commits, or P(p > theta) >= confidence; only for the
 * flaky category, and never while the failure rate has just risen),
 * leave (Wald's SPRT over the runs since the entry), or expire (the entry's
 * date passed: its failures count again until a reviewer renews it, and
 * automatic entry is blocked for that test). an_judge() applies it to
 * every test of a run and decides how each failure counts:
 *
 *   failed, not quarantined          counts (the run fails)
 *   failed, quarantined              outcome "quarantined", does not count,
 *                                    unless the test is broken now, or its
 *                                    failure signature is new (suspicious;
 *                                    counts with strict)
 *   flaky (failed, passed on retry)  does not count, unless --flaky-result
 *                                    fail, or the test is intermittent
 *                                    (or new-flaky)
 *
 * Every decision carries its rule and numbers in a sentence.
 */
#include "analyzer/analyzer.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24LL * 60 * 60 * 1000)
#define CAP_MIN_FOR_PERCENT 5

void an_policy_defaults(struct an_policy *p)
{
	*p = (struct an_policy){
		.auto_quarantine = true,
		.enter_commits = 2,
		.threshold = 0.05,
		.confidence = 0.95,
		.release = { .p0 = 0.001, .p1 = 0.05, .alpha = 0.05,
			     .beta = 0.05 },
		.expire_days = 90,
		.max_count = 50,
		.max_percent = 5,
		.window = 200,
		.min_runs = 5,
		.broken_runs = 2,
		.broken_alpha = 0.001,
		.rise = 0.2,
		.alarm_runs = 500,
		.onset_alpha = 0.1,
		.history = 1000,
		.min_before = 20,
		.slow_factor = 2,
		.slow_min_ms = 100,
		.new_flaky_fails = true,
		.interference_runs = 2,
		.interference_alpha = 0.01,
		.interference_watch = 0, /* off: see docs/analyzer.md */
		.interference = AN_IF_FAIL,
	};
}

/* ---------------------------------------------------------------------- */
/* Parsing                                                                 */
/* ---------------------------------------------------------------------- */

static int num(json_t *v, double lo, double hi, double *out)
{
	if (!json_is_number(v) || json_number_value(v) < lo ||
	    json_number_value(v) > hi)
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int integer(json_t *v, int lo, int hi, int *out)
{
	double d;

	if (num(v, lo, hi, &d) || d != floor(d))
		return -1;
	*out = (int)d;
	return 0;
}

static int boolean(json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

static int choice(json_t *v, const char *yes, const char *no, bool *out)
{
	if (!json_is_string(v))
		return -1;
	if (!strcmp(json_string_value(v), yes))
		*out = true;
	else if (!strcmp(json_string_value(v), no))
		*out = false;
	else
		return -1;
	return 0;
}

static int interference_mode(json_t *v, enum an_interference_mode *out)
{
	static const char *const names[] = { "fail", "warn", "quarantine" };

	for (size_t i = 0; json_is_string(v) && i < 3; i++)
		if (!strcmp(json_string_value(v), names[i])) {
			*out = (enum an_interference_mode)i;
			return 0;
		}
	return -1;
}

/* One key; -1 bad value, -2 unknown key, -3 a key that was replaced. */
static int set_key(struct an_policy *p, const char *k, json_t *v)
{
	double d;
	int rc;

	if (!strcmp(k, "auto"))
		return boolean(v, &p->auto_quarantine);
	if (!strcmp(k, "enter_commits"))
		return integer(v, 1, 1000, &p->enter_commits);
	if (!strcmp(k, "threshold"))
		return num(v, 1e-6, 0.999, &p->threshold);
	if (!strcmp(k, "confidence"))
		return num(v, 0.5, 0.999999, &p->confidence);
	if (!strcmp(k, "release_p0"))
		return num(v, 1e-6, 0.5, &p->release.p0);
	if (!strcmp(k, "release_p1"))
		return num(v, 1e-6, 0.999, &p->release.p1);
	if (!strcmp(k, "release_alpha"))
		return num(v, 1e-6, 0.5, &p->release.alpha);
	if (!strcmp(k, "release_beta"))
		return num(v, 1e-6, 0.5, &p->release.beta);
	if (!strcmp(k, "expire_days"))
		return integer(v, 0, 100000, &p->expire_days);
	if (!strcmp(k, "mode"))
		return choice(v, "skip", "run", &p->skip_mode);
	if (!strcmp(k, "max_count"))
		return integer(v, 0, 10000000, &p->max_count);
	if (!strcmp(k, "max_percent"))
		return num(v, 0, 100, &p->max_percent);
	if (!strcmp(k, "window"))
		return integer(v, 10, 100000, &p->window);
	if (!strcmp(k, "history"))
		return integer(v, 10, 1000000, &p->history);
	if (!strcmp(k, "min_runs"))
		return integer(v, 1, 100000, &p->min_runs);
	if (!strcmp(k, "broken_runs"))
		return integer(v, 1, 1000, &p->broken_runs);
	if (!strcmp(k, "broken_alpha"))
		return num(v, 1e-12, 0.5, &p->broken_alpha);
	if (!strcmp(k, "rise"))
		return num(v, 0.01, 0.99, &p->rise);
	if (!strcmp(k, "alarm_runs"))
		return integer(v, 1, 1000000000, &p->alarm_runs);
	if (!strcmp(k, "onset_alpha"))
		return num(v, 1e-9, 0.5, &p->onset_alpha);
	if (!strcmp(k, "change_llr") || !strcmp(k, "onset_llr"))
		return -3;
	if (!strcmp(k, "min_before"))
		return integer(v, 1, 100000, &p->min_before);
	if (!strcmp(k, "slow_factor"))
		return num(v, 1, 1000, &p->slow_factor);
	if (!strcmp(k, "slow_min_ms")) {
		rc = num(v, 0, 1e9, &d);
		p->slow_min_ms = rc ? p->slow_min_ms : (int64_t)d;
		return rc;
	}
	if (!strcmp(k, "strict"))
		return boolean(v, &p->strict);
	if (!strcmp(k, "new_flaky"))
		return choice(v, "fail", "warn", &p->new_flaky_fails);
	if (!strcmp(k, "interference_runs"))
		return integer(v, 1, 100000, &p->interference_runs);
	if (!strcmp(k, "interference_alpha"))
		return num(v, 1e-12, 0.5, &p->interference_alpha);
	if (!strcmp(k, "interference_watch"))
		return num(v, 0, 1, &p->interference_watch);
	if (!strcmp(k, "interference"))
		return interference_mode(v, &p->interference);
	return -2;
}

static int apply(struct an_policy *p, json_t *obj, const char *where,
		 struct fg_error *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return fg_fail(err, FG_ECONFIG, "%s: expected an object", where);
	if (p->release.p0 >= p->release.p1)
		return fg_fail(err, FG_ECONFIG, "%s: release_p0 must be below "
			       "release_p1", where);
	json_object_foreach(obj, k, v) {
		int rc = k[0] == '_' ? 0 : set_key(p, k, v);

		if (rc == -2)
			return fg_fail(err, FG_ECONFIG, "%s: unknown key '%s' "
				       "(docs/analyzer.md lists them)", where, k);
		if (rc == -3)
			return fg_fail(err, FG_ECONFIG, "%s: key '%s' was "
				       "replaced: onsets are now judged by their "
				       "chance (onset_alpha, docs/analyzer.md)",
				       where, k);
		if (rc)
			return fg_fail(err, FG_ECONFIG, "%s.%s: invalid value",
				       where, k);
	}
	if (p->release.p0 >= p->release.p1)
		return fg_fail(err, FG_ECONFIG, "%s: release_p0 must be below "
			       "release_p1", where);
	return FG_OK;
}

int an_policy_apply_json(struct an_policy *p, const char *json_text,
			 const char *where, struct fg_error *err)
{
	json_error_t jerr;
	json_t *obj = json_loads(json_text, JSON_DECODE_ANY, &jerr);
	int rc;

	if (!obj)
		return fg_fail(err, FG_ECONFIG, "%s: %s", where, jerr.text);
	rc = apply(p, obj, where, err);
	json_decref(obj);
	return rc;
}

int an_policy_set(struct an_policy *p, const char *kv, struct fg_error *err)
{
	const char *eq = strchr(kv, '=');
	char *key;
	json_t *v, *obj;
	int rc;

	if (!eq || eq == kv)
		return fg_fail(err, FG_EINVAL, "policy setting '%s' is not "
			       "KEY=VALUE", kv);
	key = fg_xstrndup(kv, (size_t)(eq - kv));
	v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	if (!v)
		v = json_string(eq + 1);
	obj = json_object();
	json_object_set_new(obj, key, v ? v : json_null());
	rc = apply(p, obj, "--policy", err);
	if (rc)
		err->code = FG_EINVAL;
	json_decref(obj);
	free(key);
	return rc ? FG_EINVAL : FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Evidence as JSON (snapshots in the quarantine table and file)           */
/* ---------------------------------------------------------------------- */

static double round4(double x)
{
	return round(x * 10000) / 10000;
}

char *an_evidence_json(const struct an_test *t)
{
	const struct an_evidence *ev = &t->ev;
	json_t *o = json_object(), *sigs = json_array();
	char *s;

	json_object_set_new(o, "category", json_string(an_category_name(t->cat)));
	json_object_set_new(o, "runs", json_integer((json_int_t)ev->runs));
	json_object_set_new(o, "failed_runs",
			    json_integer((json_int_t)ev->fail_runs));
	json_object_set_new(o, "attempts", json_integer((json_int_t)ev->attempts));
	json_object_set_new(o, "failed_attempts",
			    json_integer((json_int_t)ev->failed_attempts));
	json_object_set_new(o, "p", json_real(round4(ev->p.p)));
	json_object_set_new(o, "p_low", json_real(round4(ev->p.lo)));
	json_object_set_new(o, "p_high", json_real(round4(ev->p.hi)));
	json_object_set_new(o, "inconsistent_commits",
			    json_integer((json_int_t)ev->incons_commits));
	json_object_set_new(o, "flip_rate", json_real(round4(ev->flip_rate)));
	/* what an entry covers: the rate while in control (the monitor) */
	json_object_set_new(o, "baseline_runs",
			    json_integer((json_int_t)ev->mon.base_runs));
	json_object_set_new(o, "baseline_failed_runs",
			    json_integer((json_int_t)ev->mon.base_fails));
	json_object_set_new(o, "covered_rate", json_real(round4(
		ev->mon.base_runs ? (double)ev->mon.base_fails /
				    ev->mon.base_runs : 0)));
	if (ev->last_fail) {
		const struct an_obs *lf = &t->obs[ev->last_fail - 1];
		char ts[40];

		json_object_set_new(o, "last_failure_commit",
				    lf->commit ? json_string(lf->commit) :
						 json_null());
		json_object_set_new(o, "last_failure_at",
				    json_string(fg_time_iso8601(
					    lf->started_at_ms, ts, sizeof(ts))));
	}
	for (size_t i = 0; i < ev->nsignatures && i < 10; i++) {
		json_t *sj = json_string(ev->signatures[i]);

		if (sj)
			json_array_append_new(sigs, sj);
	}
	json_object_set_new(o, "signatures", sigs);
	if (ev->interfered_runs) {
		/* failed beside others, passed alone (issue 12 point 3) */
		json_t *cj = json_array();

		json_object_set_new(o, "interfered_runs",
				    json_integer((json_int_t)ev->interfered_runs));
		json_object_set_new(o, "alone_failed_runs",
				    json_integer((json_int_t)ev->alone_fail_runs));
		for (size_t i = 0; i < ev->nculprits && i < FG_BESIDE_MAX; i++)
			json_array_append_new(cj, json_pack(
				"{s:s?, s:I}", "name", ev->culprits[i].name,
				"runs", (json_int_t)ev->culprits[i].runs));
		json_object_set_new(o, "beside", cj);
		json_object_set_new(o, "company_p", json_real(round4(
			ev->company_p)));
	}
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(o);
	return s ? s : fg_xstrdup("{}");
}

/* Whether the evidence snapshot lists sig, or lists no signature at all. */
static bool evidence_knows(const char *evidence, const char *sig, bool *any)
{
	json_t *o = evidence ? json_loads(evidence, 0, NULL) : NULL;
	json_t *a = o ? json_object_get(o, "signatures") : NULL;
	bool found = false;
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		*any = true;
		found |= json_is_string(v) && !strcmp(json_string_value(v), sig);
	}
	json_decref(o);
	return found;
}

/* ---------------------------------------------------------------------- */
/* Decisions                                                               */
/* ---------------------------------------------------------------------- */

static void date(int64_t ms, char *buf, size_t n)
{
	fg_time_iso8601(ms, buf, n);
	if (n > 10)
		buf[10] = '\0';
}

static void decide_active(const struct an_test *t,
			  const struct history_quarantine *q, int64_t now,
			  const struct an_policy *p, struct an_decision *d)
{
	const struct an_evidence *ev = &t->ev;
	char day[40];

	if (q->expires_ms && now >= q->expires_ms) {
		date(q->expires_ms, day, sizeof(day));
		d->action = AN_EXPIRED;
		d->rule = "expiry";
		snprintf(d->why, sizeof(d->why), "quarantine expired on %s: "
			 "failures count again until a reviewer renews it "
			 "(quarantine add --expires) or removes it", day);
		return;
	}
	if (!p->auto_quarantine || (q->mode && !strcmp(q->mode, "skip")))
		return;
	/* entered as flaky, known now to break beside others: it is not
	 * flaky, and its failures must show (issue 12 point 3) */
	if (t->cat == AN_INTERFERENCE && p->interference != AN_IF_QUARANTINE &&
	    q->source && !strcmp(q->source, "auto")) {
		d->action = AN_LEAVE;
		d->rule = "interference";
		snprintf(d->why, sizeof(d->why), "released: not flaky but "
			 "interference (%.200s)", t->reason);
		return;
	}
	if (ev->sprt >= an_sprt_upper(&p->release)) {
		d->action = AN_LEAVE;
		d->rule = "sprt";
		snprintf(d->why, sizeof(d->why),
			 "SPRT score %.2f >= ln((1-beta)/alpha) = %.2f over %lu "
			 "runs since it entered: p <= %.1f%% rather than >= "
			 "%.0f%% (alpha = beta = %.0f%%)", ev->sprt,
			 an_sprt_upper(&p->release), ev->sprt_runs,
			 100 * p->release.p0, 100 * p->release.p1,
			 100 * p->release.alpha);
		return;
	}
	d->rule = "sprt";
	snprintf(d->why, sizeof(d->why), "stays: %d more clean run%s release "
		 "it (SPRT score %.2f of %.2f)", ev->clean_needed,
		 ev->clean_needed == 1 ? "" : "s", ev->sprt,
		 an_sprt_upper(&p->release));
}

void an_decide(const struct an_test *t, const struct history_quarantine *q,
	       bool blocked, int64_t now, const struct an_policy *p,
	       struct an_decision *d)
{
	const struct an_evidence *ev = &t->ev;
	char ps[96];

	memset(d, 0, sizeof(*d));
	d->rule = "";
	if (q) {
		decide_active(t, q, now, p, d);
		return;
	}
	if (t->cat == AN_BROKEN || t->cat == AN_INTERMITTENT ||
	    t->cat == AN_NEW_FLAKY || t->cat == AN_MEMORY ||
	    (t->cat == AN_INTERFERENCE &&
	     p->interference != AN_IF_QUARANTINE)) {
		d->rule = "never";
		snprintf(d->why, sizeof(d->why), "%s tests are never "
			 "quarantined automatically", an_category_name(t->cat));
		return;
	}
	/* interference enters as flaky tests do only when the policy
	 * says so ("interference": "quarantine") */
	if (!p->auto_quarantine ||
	    (t->cat != AN_FLAKY && t->cat != AN_INTERFERENCE))
		return;
	if (blocked) {
		d->rule = "expired";
		snprintf(d->why, sizeof(d->why), "its quarantine expired: only "
			 "a reviewer puts it back");
		return;
	}
	if (ev->mon.fixed_from) {
		d->rule = "fixed";
		snprintf(d->why, sizeof(d->why), "not quarantined: its failures "
			 "ended at commit %.12s (a regression that was fixed), "
			 "and none since",
			 t->obs[ev->mon.fixed_from - 1].commit ?
				 t->obs[ev->mon.fixed_from - 1].commit : "?");
		return;
	}
	if (ev->change_at && ev->change_p < p->onset_alpha) {
		d->rule = "onset";
		snprintf(d->why, sizeof(d->why), "not quarantined: its failures "
			 "began at commit %.12s after %lu runs with %lu failing "
			 "(%lu of %lu since; this late by chance: %.2g < %.2g), "
			 "which looks like a regression",
			 t->obs[ev->change_at - 1].commit ?
				 t->obs[ev->change_at - 1].commit : "?",
			 ev->before_runs, ev->before_fails, ev->after_fails,
			 ev->after_runs, ev->change_p, p->onset_alpha);
		return;
	}
	if (t->cat == AN_FLAKY && ev->interfered_runs &&
	    ev->company_p < p->interference_watch) {
		d->rule = "interference?";
		snprintf(d->why, sizeof(d->why), "not quarantined: in %lu "
			 "run%s it failed beside other tests and passed alone "
			 "(attempts failed %lu of %lu beside others, %lu of %lu "
			 "alone; by chance: %.2g < %.2g): it may be interference, "
			 "not flakiness", ev->interfered_runs,
			 ev->interfered_runs == 1 ? "" : "s", ev->beside_failed,
			 ev->beside_attempts, ev->alone_failed,
			 ev->alone_attempts, ev->company_p,
			 p->interference_watch);
		return;
	}
	an_format_p(ps, sizeof(ps), &ev->p, ev->runs);
	if (ev->entry_incons >= (unsigned long)p->enter_commits) {
		d->action = AN_ENTER;
		d->rule = "same-commit";
		snprintf(d->why, sizeof(d->why), "passed and failed on the same "
			 "commit on %lu commits (>= %d); %s", ev->entry_incons,
			 p->enter_commits, ps);
	} else if (ev->entry_fails >= 2 &&
		   ev->entry_runs >= (unsigned long)p->min_runs &&
		   ev->entry_p_above >= p->confidence && !ev->last_hard) {
		/* Not on a hard failure: that may be a regression's first
		 * run, and entering now would hide it. */
		d->action = AN_ENTER;
		d->rule = "probability";
		snprintf(d->why, sizeof(d->why), "P(p > %.1f%%) = %.3f >= %.2f; "
			 "%s", 100 * p->threshold, ev->entry_p_above,
			 p->confidence, ps);
	} else {
		d->rule = "evidence";
		snprintf(d->why, sizeof(d->why), "not yet: same-commit "
			 "inconsistency on %lu of %d commits, P(p > %.1f%%) = "
			 "%.3f < %.2f", ev->entry_incons, p->enter_commits,
			 100 * p->threshold, ev->entry_p_above, p->confidence);
	}
}

/* ---------------------------------------------------------------------- */
/* The verdict                                                             */
/* ---------------------------------------------------------------------- */

static void enter(struct an_run_test *e, int64_t now, const struct an_policy *p)
{
	history_quarantine_clear(&e->q);
	e->q.suite = fg_xstrdup(e->an.suite);
	e->q.classname = fg_xstrdup(e->an.classname);
	e->q.name = fg_xstrdup(e->an.name);
	e->q.since_ms = now;
	e->q.reason = fg_xstrdup(e->dec.why);
	e->q.source = fg_xstrdup("auto");
	e->q.mode = fg_xstrdup(p->skip_mode ? "skip" : "run");
	e->q.expires_ms = p->expire_days ? now + p->expire_days * DAY_MS : 0;
	e->q.evidence = an_evidence_json(&e->an);
}

static bool active(const struct an_run_test *e)
{
	return e->q.name != NULL;
}

/* Whether run `at`'s failure has a signature the test never showed. */
static bool new_signature(const struct an_test *t, size_t at,
			  const char *evidence)
{
	const char *sig = at < t->nobs ? t->obs[at].signature : NULL;
	bool any = false;

	if (!sig || an_signature_known(t, at, sig))
		return false;
	if (evidence_knows(evidence, sig, &any))
		return false;
	for (size_t i = 0; i < at && !any; i++)
		any = t->obs[i].signature != NULL;
	return any; /* no earlier failure at all: nothing to compare with */
}

/*
 * The test's in-control rate as the monitor sees it, without the run
 * being judged (it joins the baseline while the monitor is not armed).
 */
static void base_counts(const struct an_test *t, size_t at, unsigned long *k,
			unsigned long *n)
{
	const struct an_monitor *m = &t->ev.mon;
	bool cur = m->last_in_base && at < t->nobs && t->obs[at].attempts;

	*n = m->base_runs - (cur ? 1 : 0);
	*k = m->base_fails - (cur && t->obs[at].failed ? 1 : 0);
}

static double base_rate(const struct an_test *t)
{
	unsigned long k, n;

	base_counts(t, t->nobs - 1, &k, &n);
	return n ? (double)k / (double)n : 0;
}

static const char *onset_commit(const struct an_test *t, int64_t ref)
{
	const char *c = ref > 0 && (size_t)ref <= t->nobs ?
			t->obs[ref - 1].commit : NULL;

	return c ? c : "(unknown commit)";
}

enum an_cover an_coverage(const struct an_test *t, size_t at,
			  const char *evidence, const struct an_policy *p,
			  double *chance)
{
	const struct an_obs *o = at < t->nobs ? &t->obs[at] : NULL;
	bool failed = o && o->attempts && o->last_failed;
	unsigned long bk, bn;

	base_counts(t, at, &bk, &bn);
	*chance = an_hard_chance(bk, bn, o ? o->attempts : 1);
	if (!o || !o->failed)
		return AN_COVER_NONE;
	if (o->memory)
		return AN_COVER_MEMORY;
	if (failed && t->cat == AN_BROKEN)
		return AN_COVER_BROKEN;
	if (t->ev.mon.raised)
		return AN_COVER_RAISED;
	if (failed && t->ev.last_hard &&
	    (p->strict || *chance < p->broken_alpha))
		return AN_COVER_HARD;
	if (new_signature(t, at, evidence))
		return failed || p->strict ? AN_COVER_NEW : AN_COVER_SUSPICIOUS;
	return AN_COVER_YES;
}

/*
 * A quarantined test that failed (final attempt) or flaked in this run.
 * Coverage is the rate it had while in control (the monitor's baseline);
 * the failure counts when that rate cannot explain it:
 *   broken now;
 *   the monitor's alarm stands: the rate rose since commit X;
 *   every attempt failed, which its rate explains by chance less than
 *   broken_alpha (E[p^a] under the Jeffreys posterior), or at all with
 *   --strict-quarantine;
 *   a failure signature never seen before, on a final failure (with
 *   --strict-quarantine also on a pass after retry; without, suspicious).
 */
static void judge_covered(struct fg_test *ft, struct an_run_test *e,
			  const struct an_policy *p)
{
	const struct an_test *t = &e->an;
	const struct an_monitor *m = &t->ev.mon;
	bool failed = ft->outcome == FG_O_FAILED;
	int attempts = t->nobs ? t->obs[t->nobs - 1].attempts : 1;
	unsigned long bk, bn;
	double chance;
	char since[40], cover[80] = "";
	enum an_cover how = an_coverage(t, t->nobs - 1, e->q.evidence, p,
					&chance);

	base_counts(t, t->nobs - 1, &bk, &bn);
	if (bn)
		snprintf(cover, sizeof(cover), " (covers its rate: %lu of %lu "
			 "runs failing)", bk, bn);
	e->counts = true;
	e->j = AN_J_FAILED;
	switch (how) {
	case AN_COVER_MEMORY:
		e->tag = "quarantined, memory error";
		snprintf(e->note, AN_NOTE_MAX, "quarantined, but a sanitizer "
			 "reported a memory error (%.200s): a bug, never covered "
			 "(counts)", ft->hint ? ft->hint : "see its output");
		return;
	case AN_COVER_BROKEN:
		e->tag = "quarantined, broken now";
		snprintf(e->note, AN_NOTE_MAX, "quarantined, but broken "
			 "now (counts): %s", t->reason);
		return;
	case AN_COVER_RAISED:
		e->tag = "quarantined, rate rose";
		snprintf(e->note, AN_NOTE_MAX, "quarantined, but its rate "
			 "rose from %.1f%% to %.1f%% since commit %.12s (%u of "
			 "%u runs since): counts", 100 * base_rate(t),
			 100.0 * m->post_fails / (m->post_runs ? m->post_runs : 1),
			 onset_commit(t, m->raised_from), m->post_fails,
			 m->post_runs);
		return;
	case AN_COVER_HARD:
		e->tag = "quarantined, every attempt failed";
		snprintf(e->note, AN_NOTE_MAX, "quarantined at %.1f%%, but "
			 "failed all %d attempt%s (by chance at that rate: "
			 "%.1g%s): counts", 100 * base_rate(t), attempts,
			 attempts == 1 ? "" : "s", chance,
			 chance >= p->broken_alpha ? "; --strict-quarantine" : "");
		return;
	case AN_COVER_NEW:
		e->tag = "quarantined, new failure";
		snprintf(e->note, AN_NOTE_MAX, "quarantined, but failed in "
			 "a new way: \"%.120s\" (counts%s)",
			 t->obs[t->nobs - 1].signature,
			 failed ? "" : ": --strict-quarantine");
		return;
	case AN_COVER_SUSPICIOUS:
		e->j = AN_J_SUSPICIOUS;
		snprintf(e->note, AN_NOTE_MAX, "quarantined, flaked in a new "
			 "way: \"%.120s\" (passed on retry; counts with "
			 "--strict-quarantine)", t->obs[t->nobs - 1].signature);
		break;
	case AN_COVER_YES:
	case AN_COVER_NONE:
		if (failed) {
			e->j = AN_J_QUARANTINED;
			date(e->q.since_ms, since, sizeof(since));
			snprintf(e->note, AN_NOTE_MAX, "quarantined since %s "
				 "(%s%s%s): %.200s%s", since,
				 e->q.source ? e->q.source : "manual",
				 e->q.owner ? ", owner " : "",
				 e->q.owner ? e->q.owner : "", e->q.reason,
				 cover);
		} else {
			e->j = AN_J_FLAKY;
		}
		break;
	}
	e->counts = false;
	e->tag = NULL;
	if (failed)
		ft->outcome = FG_O_QUARANTINED;
}

static void judge_one(struct fg_test *ft, struct an_run_test *e,
		      const struct an_policy *p)
{
	const struct an_test *t = &e->an;
	bool loud = t->cat == AN_BROKEN || t->cat == AN_INTERMITTENT ||
		    t->cat == AN_NEW_FLAKY || t->cat == AN_INTERFERENCE ||
		    t->cat == AN_MEMORY;
	bool if_counts = t->cat == AN_INTERFERENCE &&
			 p->interference == AN_IF_FAIL;

	e->j = AN_J_PASSED;
	e->counts = false;
	e->tag = NULL;
	e->note[0] = '\0';
	if (ft->outcome != FG_O_FAILED && ft->outcome != FG_O_FLAKY)
		return;
	if (active(e)) {
		judge_covered(ft, e, p);
		return;
	}
	e->tag = t->cat == AN_MEMORY ? "memory error" :
		 an_category_name(t->cat);
	if (ft->outcome == FG_O_FAILED) {
		e->j = AN_J_FAILED;
		e->counts = true;
		if (!strcmp(e->dec.rule, "cap")) {
			e->tag = "flaky; quarantine full";
			snprintf(e->note, AN_NOTE_MAX, "not quarantined: %s",
				 e->dec.why);
		} else if (loud) {
			snprintf(e->note, AN_NOTE_MAX, "%s: %s",
				 an_category_name(t->cat), t->reason);
		}
		return;
	}
	e->j = AN_J_FLAKY;
	if (t->cat == AN_INTERMITTENT || if_counts ||
	    t->cat == AN_MEMORY ||
	    (t->cat == AN_NEW_FLAKY && p->new_flaky_fails)) {
		e->j = AN_J_FAILED;
		e->counts = true;
		snprintf(e->note, AN_NOTE_MAX, "%s (counts): %s",
			 an_category_name(t->cat), t->reason);
	} else if (p->flaky_fails) {
		e->j = AN_J_FAILED;
		e->counts = true;
		e->tag = "flaky; --flaky-result fail";
		snprintf(e->note, AN_NOTE_MAX, "flaky (counts: "
			 "--flaky-result fail)");
	}
}

/*
 * The most tests that may be quarantined: max_count, and max_percent of
 * the tests (at least CAP_MIN_FOR_PERCENT: 1 of 2 is 50% and says
 * nothing); 0 disables either. SIZE_MAX: no cap.
 */
static size_t cap_limit(const struct an_run *ar, const struct an_policy *p)
{
	size_t known = ar->known_tests > ar->n ? ar->known_tests : ar->n;
	size_t lim = SIZE_MAX;

	if (p->max_count > 0)
		lim = (size_t)p->max_count;
	if (p->max_percent > 0) {
		size_t pl = (size_t)floor((double)known * p->max_percent / 100);

		if (pl < CAP_MIN_FOR_PERCENT)
			pl = CAP_MIN_FOR_PERCENT;
		if (pl < lim)
			lim = pl;
	}
	return lim;
}

static void apply_decision(struct an_run *ar, struct an_run_test *e,
			   int64_t now, const struct an_policy *p)
{
	size_t lim;

	switch (e->dec.action) {
	case AN_ENTER:
		lim = cap_limit(ar, p);
		if (ar->quarantined_total >= lim) {
			char why[sizeof(e->dec.why)];

			/* Enforced: past the cap, a flaky test stays visible. */
			memcpy(why, e->dec.why, sizeof(why));
			e->dec.action = AN_NONE;
			e->dec.rule = "cap";
			if (snprintf(e->dec.why, sizeof(e->dec.why),
				     "quarantine full (%zu of %zu); it would "
				     "enter: %s", ar->quarantined_total, lim,
				     why) >= (int)sizeof(e->dec.why))
				memcpy(e->dec.why + sizeof(e->dec.why) - 4,
				       "...", 4);
			ar->cap_refused++;
			break;
		}
		enter(e, now, p);
		ar->quarantined_total++;
		break;
	case AN_LEAVE:
	case AN_EXPIRED:
		history_quarantine_clear(&e->q);
		e->released_ms = now;
		e->blocked |= e->dec.action == AN_EXPIRED;
		if (ar->quarantined_total)
			ar->quarantined_total--;
		break;
	case AN_NONE:
		break;
	}
}

void an_cap_check(struct an_run *ar, const struct an_policy *p)
{
	size_t known = ar->known_tests > ar->n ? ar->known_tests : ar->n;
	size_t lim = cap_limit(ar, p);
	double pct = known ? 100.0 * (double)ar->quarantined_total /
				     (double)known : 0;

	ar->cap = lim;
	ar->cap_exceeded = ar->quarantined_total > lim || ar->cap_refused;
	if (ar->cap_refused)
		snprintf(ar->cap_note, sizeof(ar->cap_note),
			 "quarantine full (%zu of %zu): %zu flaky test%s not "
			 "quarantined, %s failures count: fix or remove some "
			 "entries, or raise max_count/max_percent",
			 ar->quarantined_total, lim, ar->cap_refused,
			 ar->cap_refused == 1 ? "" : "s",
			 ar->cap_refused == 1 ? "its" : "their");
	else if (ar->cap_exceeded)
		snprintf(ar->cap_note, sizeof(ar->cap_note),
			 "%zu tests are quarantined (%.1f%% of %zu), above the "
			 "cap of %zu (%d tests or %.1f%%): no test enters "
			 "automatically; fix or remove some",
			 ar->quarantined_total, pct, known, lim, p->max_count,
			 p->max_percent);
}

/* Appends to v->reason; false once it is full. */
static bool reason_add(struct an_verdict *v, int *o, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static bool reason_add(struct an_verdict *v, int *o, const char *fmt,
		       ...)
{
	va_list ap;
	int n;

	if ((size_t)*o >= sizeof(v->reason))
		return false;
	va_start(ap, fmt);
	n = vsnprintf(v->reason + *o, sizeof(v->reason) - (size_t)*o, fmt, ap);
	va_end(ap);
	*o += n > 0 ? n : 0;
	return (size_t)*o < sizeof(v->reason);
}

/*
 * "3 tests failed: a (broken), b (memory error), c (flaky; ...)"; tests
 * of an incident are named once, as the incident.
 */
static void verdict_reason(const struct fg_run *run, const struct an_run *ar,
			   struct an_verdict *v)
{
	size_t nq = 0, nf = 0, ns = 0, n = 0, listed = 0;
	char inc[200];
	int o = 0;

	an_incidents_describe(run, inc, sizeof(inc));
	for (size_t i = 0; i < ar->n; i++) {
		nq += ar->t[i].j == AN_J_QUARANTINED;
		nf += ar->t[i].j == AN_J_FLAKY;
		ns += ar->t[i].j == AN_J_SUSPICIOUS;
	}
	if (v->real_failures) {
		reason_add(v, &o, "%zu test%s failed:", v->real_failures,
			   v->real_failures == 1 ? "" : "s");
		if (inc[0]) {
			reason_add(v, &o, " %s", inc);
			for (size_t i = 0; i < ar->n; i++)
				listed += ar->t[i].counts &&
					  run->tests[i].incident;
			n = 1;
		}
		for (size_t i = 0; i < ar->n && n < 3; i++) {
			const struct an_run_test *e = &ar->t[i];

			if (!e->counts || run->tests[i].incident)
				continue;
			if (!reason_add(v, &o, "%s %.60s (%s)", !n ? "" :
					n == 1 && inc[0] ? ";" : ",",
					run->tests[i].name, e->tag ? e->tag :
					an_category_name(e->an.cat)))
				return;
			n++;
			listed++;
		}
		if (v->real_failures > listed)
			reason_add(v, &o, ", ...");
		return;
	}
	reason_add(v, &o, "no real failures");
	if (nq)
		reason_add(v, &o, "; %zu quarantined failure%s not counted", nq,
			   nq == 1 ? "" : "s");
	if (ns)
		reason_add(v, &o, "; %zu suspicious (new failure signature)",
			   ns);
	if (nf)
		reason_add(v, &o, "; %zu flaky test%s passed on retry", nf,
			   nf == 1 ? "" : "s");
	if (!nq && !ns && !nf) {
		struct fg_summary sum;

		fg_run_summarize(run, &sum);
		o = 0;
		reason_add(v, &o, "all %zu tests passed%s",
			   sum.total - sum.skipped,
			   sum.skipped ? " (some skipped)" : "");
	}
	if (inc[0])
		reason_add(v, &o, "; %s", inc);
}

/*
 * The verdict of a run judged in slices (import). NEEDSWORK: it says
 * no incident (verdict_reason() does: an_incidents_describe()), as
 * incidents are found per slice.
 */
void an_tally_add(struct an_tally *t, const struct fg_run *run,
		  const struct an_run *ar)
{
	struct fg_summary sum;

	for (size_t i = 0; i < ar->n && i < run->ntests; i++) {
		const struct an_run_test *e = &ar->t[i];

		t->quarantined += e->j == AN_J_QUARANTINED;
		t->flaky += e->j == AN_J_FLAKY;
		t->suspicious += e->j == AN_J_SUSPICIOUS;
		if (!e->counts)
			continue;
		if (t->named < 3)
			snprintf(t->names[t->named++], sizeof(t->names[0]),
				 "%.60s (%s)", run->tests[i].name,
				 e->tag ? e->tag : an_category_name(e->an.cat));
		t->real++;
	}
	fg_run_summarize(run, &sum);
	t->tests += sum.total;
	t->skipped += sum.skipped;
}

void an_tally_verdict(const struct an_tally *t, struct an_verdict *v)
{
	size_t nq = t->quarantined, nf = t->flaky, ns = t->suspicious, n = 0;
	int o = 0;

	v->real_failures = t->real;
	v->exit_code = t->real ? FG_EXIT_FAILED : FG_EXIT_OK;
	if (v->real_failures) {
		o = snprintf(v->reason, sizeof(v->reason), "%zu test%s failed:",
			     v->real_failures, v->real_failures == 1 ? "" : "s");
		for (; n < t->named; n++) {
			o += snprintf(v->reason + o, sizeof(v->reason) - (size_t)o,
				      "%s %s", n ? "," : "", t->names[n]);
			if ((size_t)o >= sizeof(v->reason))
				return;
		}
		if (v->real_failures > n)
			snprintf(v->reason + o, sizeof(v->reason) - (size_t)o,
				 ", ...");
		return;
	}
	o = snprintf(v->reason, sizeof(v->reason), "no real failures");
	if (nq)
		o += snprintf(v->reason + o, sizeof(v->reason) - (size_t)o,
			      "; %zu quarantined failure%s not counted", nq,
			      nq == 1 ? "" : "s");
	if (ns && (size_t)o < sizeof(v->reason))
		o += snprintf(v->reason + o, sizeof(v->reason) - (size_t)o,
			      "; %zu suspicious (new failure signature)", ns);
	if (nf && (size_t)o < sizeof(v->reason))
		o += snprintf(v->reason + o, sizeof(v->reason) - (size_t)o,
			      "; %zu flaky test%s passed on retry", nf,
			      nf == 1 ? "" : "s");
	if (!nq && !ns && !nf && (size_t)o < sizeof(v->reason))
		snprintf(v->reason, sizeof(v->reason), "all %zu tests passed%s",
			 t->tests - t->skipped, t->skipped ? " (some skipped)" : "");
}

static char *dup_or_null(const char *s)
{
	return s ? fg_xstrdup(s) : NULL;
}

/* Where the category's evidence begins: a commit, or NULL. */
static const char *category_since(const struct an_test *t)
{
	const struct an_evidence *ev = &t->ev;
	size_t at = 0;

	switch (t->cat) {
	case AN_BROKEN:
		at = ev->broken_from;
		break;
	case AN_INTERMITTENT:
		at = (size_t)ev->mon.raised_from;
		break;
	case AN_FIXED:
		at = ev->fixed_at ? ev->fixed_at : (size_t)ev->mon.fixed_from;
		break;
	case AN_FLAKY:
		for (size_t i = 0; i < t->nobs && !at; i++)
			if (t->obs[i].attempts && t->obs[i].failed)
				at = i + 1;
		break;
	case AN_INTERFERENCE:
		for (size_t i = 0; i < t->nobs && !at; i++)
			if (t->obs[i].interfered)
				at = i + 1;
		break;
	default:
		break;
	}
	return at && at <= t->nobs ? t->obs[at - 1].commit : NULL;
}

/* Interference: who ran beside its failures, and how to keep them apart. */
static void set_culprits(struct fg_test *ft, const struct an_test *t)
{
	for (size_t i = 0; i < ft->nculprits; i++)
		free(ft->culprits[i].name);
	free(ft->culprits);
	ft->culprits = NULL;
	ft->nculprits = 0;
	free(ft->suggestion);
	ft->suggestion = NULL;
	if (t->cat != AN_INTERFERENCE || !t->ev.nculprits)
		return;
	ft->culprits = fg_xcalloc(t->ev.nculprits, sizeof(*ft->culprits));
	for (size_t i = 0; i < t->ev.nculprits; i++) {
		ft->culprits[i].name = fg_xstrdup(t->ev.culprits[i].name);
		ft->culprits[i].runs = (unsigned)t->ev.culprits[i].runs;
	}
	ft->nculprits = t->ev.nculprits;
	ft->suggestion = an_interference_suggestion(t);
}

/* The figures reporters show beside a test: rate, interval, strip. */
static void set_stats(struct fg_test *ft, const struct an_test *t)
{
	size_t from = t->nobs > 30 ? t->nobs - 30 : 0;

	ft->hist_runs = (unsigned)t->ev.runs;
	ft->hist_fails = (unsigned)t->ev.fail_runs;
	ft->rate = t->ev.p.p;
	ft->rate_lo = t->ev.p.lo;
	ft->rate_hi = t->ev.p.hi;
	free(ft->strip);
	ft->strip = fg_xcalloc(t->nobs - from + 1, 1);
	for (size_t i = from; i < t->nobs; i++) {
		const struct an_obs *o = &t->obs[i];

		ft->strip[i - from] = !o->attempts ? 'S' :
				      o->last_failed ? 'F' :
				      o->failed ? 'K' : 'P';
	}
	free(ft->since);
	ft->since = dup_or_null(category_since(t));
	free(ft->reason);
	ft->reason = fg_xstrdup(t->reason);
	set_culprits(ft, t);
}

void an_judge(struct fg_run *run, struct an_run *ar, int64_t now,
		    const struct an_policy *pol, struct an_verdict *v)
{
	struct an_policy p = *pol;

	if (!p.tests)
		p.tests = ar->known_tests > ar->n ? ar->known_tests : ar->n;
	memset(v, 0, sizeof(*v));
	an_hints_apply(run);
	ar->cap_refused = 0;
	for (size_t i = 0; i < run->ntests && i < ar->n; i++) {
		struct fg_test *ft = &run->tests[i];
		struct an_run_test *e = &ar->t[i];

		fg_test_settle(ft);
		if (e->deferred) {
			if (!ar->load || ar->load(ar, e, ft, &p)) {
				an_test_trim(&e->an);
				ar->load_failed++;
			}
			an_test_add_run(&e->an, run, ft);
			e->deferred = false;
		}
		an_evaluate(&e->an, e->an.nobs,
			    active(e) ? e->q.since_ms : e->released_ms, &p);
		an_decide(&e->an, active(e) ? &e->q : NULL, e->blocked, now, &p,
			  &e->dec);
		apply_decision(ar, e, now, &p);
		ft->category = an_category_name(e->an.cat);
		ft->quarantined = active(e);
		set_stats(ft, &e->an);
		e->note = ar->note;
		judge_one(ft, e, &p);
		ft->counts = e->counts;
		free(ft->note);
		ft->note = e->note[0] ? fg_xstrdup(e->note) : NULL;
		e->note = NULL;
		v->real_failures += e->counts;
		an_test_trim(&e->an); /* judged: what is shown is in ft */
	}
	an_cap_check(ar, &p);
	v->exit_code = v->real_failures ? FG_EXIT_FAILED : FG_EXIT_OK;
	verdict_reason(run, ar, v);
}

void an_run_release(struct an_run *ar)
{
	for (size_t i = 0; i < ar->n; i++) {
		an_test_release(&ar->t[i].an);
		history_quarantine_clear(&ar->t[i].q);
	}
	free(ar->t);
	history_run_info_free(ar->runs, ar->nruns);
	memset(ar, 0, sizeof(*ar));
}
