/* SPDX-License-Identifier: MIT */
/*
 * cli/runline.c - a whole run as one JSON object ("flakeguard-run/1"):
 * every test and attempt with messages and output. `export` writes them
 * as JSON Lines and `import-history` reads them back; a run that could
 * not be written to the database is spooled in the same form
 * (cli/spool.c). docs/json-format.md describes the format.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <limits.h>
#include <string.h>

#define FORMAT "flakeguard-run/1"

static json_t *str(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	/* The store holds valid UTF-8 (the reader repairs it); be safe. */
	return j ? j : json_stringn_nocheck(s, strlen(s));
}

json_t *cli_run_line(const struct fg_run *run)
{
	json_t *o = json_object(), *tests = json_array();

	json_object_set_new(o, "format", json_string(FORMAT));
	json_object_set_new(o, "uuid", str(run->uuid));
	json_object_set_new(o, "commit", str(run->commit));
	json_object_set_new(o, "branch", str(run->branch));
	json_object_set_new(o, "host", str(run->host));
	json_object_set_new(o, "ci_job", str(run->ci_job));
	json_object_set_new(o, "shard", str(run->shard));
	/* since schema 6; a line without it reads as NULL (not recorded) */
	json_object_set_new(o, "selection", str(run->selection));
	json_object_set_new(o, "started_at_ms", json_integer(run->started_at_ms));
	json_object_set_new(o, "duration_ms", json_integer(run->duration_ms));
	json_object_set_new(o, "exit_code", json_integer(run->exit_code));
	json_object_set_new(o, "interrupted", json_boolean(run->interrupted));
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		json_t *jt = json_object(), *atts = json_array();

		json_object_set_new(jt, "suite", str(t->suite));
		json_object_set_new(jt, "classname", str(t->classname));
		json_object_set_new(jt, "name", str(t->name));
		json_object_set_new(jt, "file", str(t->file));
		json_object_set_new(jt, "line", json_integer(t->line));
		json_object_set_new(jt, "outcome",
				    json_string(fg_outcome_name(t->outcome)));
		json_object_set_new(jt, "duration_ms", json_integer(t->duration_ms));
		for (size_t k = 0; k < t->nattempts; k++) {
			const struct fg_attempt *a = &t->attempts[k];
			json_t *ja = json_object();

			json_object_set_new(ja, "status",
					    json_string(fg_astatus_name(a->status)));
			json_object_set_new(ja, "started_at_ms",
					    json_integer(a->started_at_ms));
			json_object_set_new(ja, "duration_ms",
					    json_integer(a->duration_ms));
			json_object_set_new(ja, "message", str(a->message));
			json_object_set_new(ja, "output", str(a->output));
			/* company: absent when not known */
			if (a->beside >= 0)
				json_object_set_new(ja, "beside",
						    json_integer(a->beside));
			if (a->beside_names)
				json_object_set_new(ja, "beside_names",
						    str(a->beside_names));
			json_array_append_new(atts, ja);
		}
		json_object_set_new(jt, "attempts", atts);
		json_array_append_new(tests, jt);
	}
	json_object_set_new(o, "tests", tests);
	return o;
}

static char *jstr(json_t *o, const char *key)
{
	return fg_xstrdup(json_string_value(json_object_get(o, key)));
}

static int64_t jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Whether o[key] is absent, null or a string. */
static bool opt_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return !v || json_is_null(v) || json_is_string(v);
}

/* Whether o[key] is absent or an integer >= 0. */
static bool opt_count(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return !v || (json_is_integer(v) && json_integer_value(v) >= 0);
}

const char *cli_run_from_line(json_t *o, struct fg_run *run)
{
	json_t *tests = json_object_get(o, "tests"), *jt;
	size_t i;

	if (!json_is_object(o) ||
	    strcmp(json_string_value(json_object_get(o, "format")) ?
			   json_string_value(json_object_get(o, "format")) : "",
		   FORMAT))
		return "not a \"" FORMAT "\" line";
	if (!json_is_string(json_object_get(o, "uuid")) || !json_is_array(tests))
		return "missing \"uuid\" or \"tests\"";
	if (!opt_str(o, "commit") || !opt_str(o, "branch") ||
	    !opt_str(o, "host") || !opt_str(o, "ci_job") ||
	    !opt_str(o, "shard") || !opt_str(o, "selection") ||
	    !opt_count(o, "started_at_ms") ||
	    !opt_count(o, "duration_ms"))
		return "a run field has the wrong type or a negative value";
	run->uuid = jstr(o, "uuid");
	run->commit = jstr(o, "commit");
	run->branch = jstr(o, "branch");
	run->host = jstr(o, "host");
	run->ci_job = jstr(o, "ci_job");
	run->shard = jstr(o, "shard");
	run->selection = jstr(o, "selection");
	run->started_at_ms = jint(o, "started_at_ms");
	run->duration_ms = jint(o, "duration_ms");
	run->exit_code = (int)jint(o, "exit_code");
	run->interrupted = json_is_true(json_object_get(o, "interrupted"));
	json_array_foreach(tests, i, jt) {
		const char *name = json_string_value(json_object_get(jt, "name"));
		json_t *atts = json_object_get(jt, "attempts"), *ja;
		int outcome = fg_outcome_parse(
			json_string_value(json_object_get(jt, "outcome")));
		struct fg_test *t;
		size_t k;

		if (!name || outcome < 0 || !json_is_array(atts))
			return "a test lacks name, outcome or attempts";
		if (!json_is_string(json_object_get(jt, "suite")) ||
		    !opt_str(jt, "classname") || !opt_str(jt, "file") ||
		    !opt_count(jt, "line") || !opt_count(jt, "duration_ms"))
			return "a test field has the wrong type or a negative "
			       "value";
		if (fg_run_find_test(run, json_string_value(json_object_get(jt, "suite")),
				     json_string_value(json_object_get(jt, "classname")),
				     name))
			return "a test appears twice";
		t = fg_run_add_test(run, json_string_value(json_object_get(jt, "suite")),
				    json_string_value(json_object_get(jt, "classname")),
				    name);
		t->file = jstr(jt, "file");
		t->line = (int)jint(jt, "line");
		t->outcome = (enum fg_outcome)outcome;
		t->duration_ms = jint(jt, "duration_ms");
		json_array_foreach(atts, k, ja) {
			int st = fg_astatus_parse(
				json_string_value(json_object_get(ja, "status")));
			struct fg_attempt *a;

			if (st < 0)
				return "an attempt has an unknown status";
			if (!opt_str(ja, "message") || !opt_str(ja, "output") ||
			    !opt_count(ja, "duration_ms") ||
			    !opt_count(ja, "started_at_ms") ||
			    !opt_count(ja, "beside") ||
			    !opt_str(ja, "beside_names"))
				return "an attempt field has the wrong type or a "
				       "negative value";
			a = fg_test_add_attempt(t, (enum fg_astatus)st,
				jint(ja, "duration_ms"),
				json_string_value(json_object_get(ja, "message")),
				json_string_value(json_object_get(ja, "output")));
			a->started_at_ms = jint(ja, "started_at_ms");
			if (json_object_get(ja, "beside"))
				a->beside = jint(ja, "beside") > INT_MAX ?
					    INT_MAX : (int)jint(ja, "beside");
			a->beside_names = jstr(ja, "beside_names");
		}
	}
	return NULL;
}

