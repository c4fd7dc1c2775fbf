/* SPDX-License-Identifier: MIT */
/*
 * cli/json.c - every command's JSON document but `run`'s (which is
 * reporters/json.c's): analyze, history, list (plans) and quarantine list.
 *
 * The commands gather their data and hand it here; nothing here reads the
 * database or decides anything. Each document is dumped indented with a
 * newline after it; numbers keep 6 significant digits where they are
 * rates.
 */
#include "cli/json.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Strings from test output may not be UTF-8; jansson refuses those. */
static json_t *text(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (!j) {
		char *copy = fg_xstrdup(s);

		for (unsigned char *p = (unsigned char *)copy; *p; p++)
			if (*p >= 0x80)
				*p = '?';
		j = json_string(copy);
		free(copy);
	}
	return j;
}

/* Dumps doc (taking it) and a newline; -1 when out failed. */
static int dump(FILE *out, json_t *doc, size_t flags)
{
	int rc = json_dumpf(doc, out, flags);

	json_decref(doc);
	if (fputc('\n', out) == EOF)
		rc = -1;
	return rc ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* analyze --json                                                          */
/* ---------------------------------------------------------------------- */

static json_t *row_json(const struct cli_analysis_row *r)
{
	char when[40];
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:I, s:I, s:I, s:f, "
		"s:b, s:s?, s:s?}",
		"suite", r->t.suite, "classname", r->t.classname, "name",
		r->t.name, "category", an_category_name(r->t.cat), "reason",
		r->t.reason, "p", r->t.ev.p.p, "p_low", r->t.ev.p.lo, "p_high",
		r->t.ev.p.hi, "runs", (json_int_t)r->t.ev.runs, "failed_runs",
		(json_int_t)r->t.ev.fail_runs, "inconsistent_commits",
		(json_int_t)r->t.ev.incons_commits, "flip_rate",
		r->t.ev.flip_rate, "quarantined", r->q != NULL, "owner",
		r->q ? r->q->owner : NULL, "quarantine_source",
		r->q ? r->q->source : NULL);

	if (r->last_fail_ms) {
		json_object_set_new(o, "last_failure", json_string(
			fg_time_iso8601(r->last_fail_ms, when, sizeof(when))));
		json_object_set_new(o, "last_failure_commit",
				    str_or_null(r->last_fail_commit));
	}
	if (r->t.cat == AN_INTERFERENCE) {
		json_t *b = json_array();
		char *sug = an_interference_suggestion(&r->t);

		for (size_t i = 0; i < r->t.ev.nculprits; i++)
			json_array_append_new(b, json_pack(
				"{s:s?, s:I}", "name", r->t.ev.culprits[i].name,
				"runs", (json_int_t)r->t.ev.culprits[i].runs));
		json_object_set_new(o, "beside", b);
		json_object_set_new(o, "interfered_runs", json_integer(
			(json_int_t)r->t.ev.interfered_runs));
		json_object_set_new(o, "suggestion", str_or_null(sug));
		free(sug);
	}
	if (r->dec.action != AN_NONE)
		json_object_set_new(o, "change", json_pack(
			"{s:s, s:s, s:s}", "action",
			r->dec.action == AN_ENTER ? "quarantine" :
			r->dec.action == AN_LEAVE ? "release" : "expire",
			"rule", r->dec.rule, "why", r->dec.why));
	return o;
}

int cli_json_analysis(FILE *out, const struct cli_analysis_row *rows,
		      size_t n, size_t tests, size_t quarantined, bool dry_run,
		      const struct an_backtest *bt)
{
	json_t *list = json_array(), *root;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, row_json(&rows[i]));
	root = json_pack("{s:I, s:I, s:b, s:o}", "tests_analysed",
			 (json_int_t)tests, "quarantined",
			 (json_int_t)quarantined, "dry_run", dry_run,
			 "tests", list);
	if (bt)
		json_object_set_new(root, "backtest", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"runs", (json_int_t)bt->runs,
			"quarantined", (json_int_t)bt->entered,
			"released", (json_int_t)bt->released,
			"hidden", (json_int_t)bt->hidden,
			"hidden_broken", (json_int_t)bt->hidden_broken,
			"missed", (json_int_t)bt->missed,
			"red_without_policy", (json_int_t)bt->red_naive,
			"red_with_policy", (json_int_t)bt->red_policy));
	return dump(out, root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
}

/* ---------------------------------------------------------------------- */
/* history --json                                                          */
/* ---------------------------------------------------------------------- */

static json_t *run_json(const struct cli_run_slice *r)
{
	const struct history_attempt_rec *a = r->first;
	json_t *attempts = json_array();
	char when[40];

	fg_time_iso8601(a->run_started_at_ms, when, sizeof(when));
	for (size_t k = r->n; k-- > 0;) {
		const struct fg_attempt *t = &r->first[k].attempt;

		json_array_append_new(attempts, json_pack(
			"{s:i, s:s, s:I, s:o}", "number", t->number,
			"status", fg_astatus_name(t->status),
			"duration_ms", (json_int_t)t->duration_ms,
			"message", text(t->message)));
	}
	return json_pack("{s:I, s:s, s:o, s:o, s:s, s:o}",
			 "run_id", (json_int_t)a->run_id, "started_at", when,
			 "commit", str_or_null(a->commit),
			 "branch", str_or_null(a->branch),
			 "outcome", fg_outcome_name(a->outcome),
			 "attempts", attempts);
}

int cli_json_history(FILE *out, const struct history_test_id *id,
		     const struct cli_run_slice *r, size_t n)
{
	json_t *runs = json_array();

	for (size_t i = n; i-- > 0;)
		json_array_append_new(runs, run_json(&r[i]));
	return dump(out, json_pack("{s:{s:s, s:s, s:s}, s:o}", "test",
				   "suite", id->suite, "classname",
				   id->classname, "name", id->name, "runs",
				   runs), JSON_INDENT(2));
}

/* ---------------------------------------------------------------------- */
/* list --json: a plan                                                     */
/* ---------------------------------------------------------------------- */

int cli_json_plan(FILE *out, const struct fg_config *cfg,
		  const struct runner_plan *plan, int shards)
{
	json_t *root = json_object(), *tests = json_array();

	json_object_set_new(root, "shards", json_integer(shards));
	for (size_t i = 0; i < plan->n; i++) {
		const struct runner_item *it = &plan->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "suite",
				    json_string(cfg->suites[it->suite].name));
		json_object_set_new(o, "classname", json_string(""));
		json_object_set_new(o, "name",
				    json_string(it->case_name ? it->case_name :
					it->shard >= 0 ? it->id :
					cfg->suites[it->suite].name));
		json_object_set_new(o, "id", json_string(it->id));
		json_object_set_new(o, "estimate_ms",
				    json_integer(it->estimate_ms));
		json_object_set_new(o, "known", json_boolean(it->known));
		json_object_set_new(o, "shard", json_integer(it->node));
		if (it->support) /* another node's, a fixture this one needs */
			json_object_set_new(o, "support", json_true());
		json_array_append_new(tests, o);
	}
	json_object_set_new(root, "tests", tests);
	return dump(out, root, JSON_INDENT(2));
}

/* ---------------------------------------------------------------------- */
/* quarantine list --json                                                  */
/* ---------------------------------------------------------------------- */

static json_t *entry_json(const struct history_quarantine *q)
{
	json_t *ev = q->evidence ? json_loads(q->evidence, 0, NULL) : NULL;
	char since[40], exp[40];

	fg_time_iso8601(q->since_ms, since, sizeof(since));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, "
			 "s:s?, s:o}", "suite", q->suite, "classname",
			 q->classname, "name", q->name, "reason", q->reason,
			 "source", q->source, "since", since, "owner", q->owner,
			 "issue", q->issue, "mode", q->mode, "expires",
			 q->expires_ms ? fg_time_iso8601(q->expires_ms, exp,
							 sizeof(exp)) : NULL,
			 "evidence", ev ? ev : json_null());
}

int cli_json_quarantine(FILE *out, const struct history_quarantine_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, entry_json(&l->items[i]));
	return dump(out, a, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
}
