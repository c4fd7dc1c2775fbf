/* SPDX-License-Identifier: MIT */
/*
 * analyzer/qfile.c - flakeguard-quarantine.json, the quarantine list as a
 * file to commit and review:
 *
 *   { "flakeguard_quarantine": 1,
 *     "tests": [ { "suite": "...", "classname": "...", "name": "...",
 *                  "reason": "...", "source": "auto", "owner": null,
 *                  "issue": null, "mode": "run",
 *                  "since": "2026-11-28T05:21:00.123Z", "expires": null,
 *                  "evidence": { ... } } ] }
 *
 * Written sorted by identity with sorted keys and one entry per test, so
 * that a change is a clean diff. Read by `quarantine import` and by
 * `run --quarantine FILE` (which needs no database).
 */
#include "analyzer/analyzer.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t an_parse_date(const char *s)
{
	struct tm tm = { 0 }, back;
	int ms = 0, n = 0;
	time_t t;
	char *end;

	if (!s)
		return -1;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -1;
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (!end)
			return -1;
		if (*end == '.' && sscanf(end + 1, "%3d%n", &ms, &n) == 1)
			end += 1 + n;
		if (*end == 'Z')
			end++;
	}
	if (*end)
		return -1;
	/* strptime takes 2027-02-31; timegm would make it 2027-03-03 */
	back = tm;
	t = timegm(&back);
	if (back.tm_mday != tm.tm_mday || back.tm_mon != tm.tm_mon)
		return -1;
	return (int64_t)t * 1000 + ms;
}

static json_t *opt_str(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

static json_t *opt_time(int64_t ms)
{
	char ts[40];

	return ms ? json_string(fg_time_iso8601(ms, ts, sizeof(ts))) :
		    json_null();
}

static int cmp_entry(const void *a, const void *b)
{
	const struct history_quarantine *x = *(const struct history_quarantine *const *)a;
	const struct history_quarantine *y = *(const struct history_quarantine *const *)b;
	int c = strcmp(x->suite, y->suite);

	if (!c)
		c = strcmp(x->classname ? x->classname : "",
			   y->classname ? y->classname : "");
	return c ? c : strcmp(x->name, y->name);
}

static json_t *entry_json(const struct history_quarantine *q)
{
	json_t *o = json_object();
	json_t *ev = q->evidence ? json_loads(q->evidence, 0, NULL) : NULL;

	json_object_set_new(o, "suite", opt_str(q->suite));
	json_object_set_new(o, "classname",
			    opt_str(q->classname ? q->classname : ""));
	json_object_set_new(o, "name", opt_str(q->name));
	json_object_set_new(o, "reason", opt_str(q->reason));
	json_object_set_new(o, "source", opt_str(q->source ? q->source :
							      "manual"));
	json_object_set_new(o, "owner", opt_str(q->owner));
	json_object_set_new(o, "issue", opt_str(q->issue));
	json_object_set_new(o, "mode", opt_str(q->mode ? q->mode : "run"));
	json_object_set_new(o, "since", opt_time(q->since_ms));
	json_object_set_new(o, "expires", opt_time(q->expires_ms));
	json_object_set_new(o, "evidence", ev ? ev : json_null());
	return o;
}

int an_qfile_write(const char *path, const struct history_quarantine_list *l,
		   struct fg_error *err)
{
	const struct history_quarantine **v = fg_xcalloc(l->n + 1, sizeof(*v));
	json_t *root = json_object(), *tests = json_array();
	char *tmp = fg_xasprintf("%s.tmp", path);
	FILE *f;
	int rc = FG_OK;

	for (size_t i = 0; i < l->n; i++)
		v[i] = &l->items[i];
	qsort(v, l->n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < l->n; i++)
		if (!i || cmp_entry(&v[i - 1], &v[i]))
			json_array_append_new(tests, entry_json(v[i]));
	json_object_set_new(root, "flakeguard_quarantine", json_integer(1));
	json_object_set_new(root, "tests", tests);
	f = fopen(tmp, "w");
	if (!f || json_dumpf(root, f, JSON_INDENT(2) | JSON_SORT_KEYS |
				 JSON_REAL_PRECISION(6)) ||
	    fputc('\n', f) == EOF || fflush(f))
		rc = fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			     strerror(errno));
	if (f && fclose(f) && !rc)
		rc = fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			     strerror(errno));
	if (!rc && rename(tmp, path))
		rc = fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			     strerror(errno));
	if (rc)
		remove(tmp);
	free(tmp);
	free(v);
	json_decref(root);
	return rc;
}

static char *get_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? fg_xstrdup(json_string_value(v)) : NULL;
}

/*
 * An optional field: absent or null leaves *out NULL, a string is copied,
 * anything else is an error. Taken as absent, "expires": 5 would quarantine
 * a test for ever, and "mode": 1 would run a test meant to be skipped.
 */
static int opt_str_field(const char *path, size_t i, json_t *o,
			 const char *k, char **out, struct fg_error *err)
{
	json_t *v = json_object_get(o, k);

	*out = NULL;
	if (!v || json_is_null(v))
		return FG_OK;
	if (!json_is_string(v))
		return fg_fail(err, FG_ECONFIG, "%s: tests[%zu].%s: expected a "
			       "string or null", path, i, k);
	*out = fg_xstrdup(json_string_value(v));
	return FG_OK;
}

static int read_entry(const char *path, size_t i, json_t *o,
		      struct history_quarantine *q, struct fg_error *err)
{
	static const char *const opt_keys[] = { "classname", "source", "owner",
						"issue", "mode" };
	char **opt_dst[] = { &q->classname, &q->source, &q->owner, &q->issue,
			     &q->mode };
	json_t *ev;
	char *s;
	int rc;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(o))
		return fg_fail(err, FG_ECONFIG, "%s: tests[%zu]: expected an "
			       "object", path, i);
	q->suite = get_str(o, "suite");
	q->name = get_str(o, "name");
	q->reason = get_str(o, "reason");
	if (!q->suite || !q->name || !q->reason)
		return fg_fail(err, FG_ECONFIG, "%s: tests[%zu]: \"suite\", "
			       "\"name\" and \"reason\" are required", path, i);
	for (size_t k = 0; k < sizeof(opt_keys) / sizeof(*opt_keys); k++)
		if ((rc = opt_str_field(path, i, o, opt_keys[k], opt_dst[k],
					err)))
			return rc;
	if (!q->classname)
		q->classname = fg_xstrdup("");
	if (!q->source || (strcmp(q->source, "auto") &&
			   strcmp(q->source, "manual"))) {
		free(q->source);
		q->source = fg_xstrdup("manual");
	}
	if (q->mode && strcmp(q->mode, "run") && strcmp(q->mode, "skip"))
		return fg_fail(err, FG_ECONFIG, "%s: tests[%zu].mode: expected "
			       "run or skip", path, i);
	if (!q->mode)
		q->mode = fg_xstrdup("run");
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "expires" : "since";
		int64_t *dst = k ? &q->expires_ms : &q->since_ms;

		if ((rc = opt_str_field(path, i, o, key, &s, err)))
			return rc;
		if (s && (*dst = an_parse_date(s)) < 0) {
			free(s);
			return fg_fail(err, FG_ECONFIG, "%s: tests[%zu].%s: "
				       "expected YYYY-MM-DD or ISO-8601", path,
				       i, key);
		}
		free(s);
	}
	ev = json_object_get(o, "evidence");
	if (ev && !json_is_null(ev) && !json_is_object(ev))
		return fg_fail(err, FG_ECONFIG, "%s: tests[%zu].evidence: "
			       "expected an object or null", path, i);
	if (json_is_object(ev))
		q->evidence = json_dumps(ev, JSON_SORT_KEYS | JSON_COMPACT |
					 JSON_REAL_PRECISION(6));
	return FG_OK;
}

int an_qfile_read(const char *path, struct history_quarantine_list *out,
		  struct fg_error *err)
{
	json_error_t jerr;
	json_t *root, *tests, *o;
	FILE *f;
	size_t i;
	int rc = FG_OK;

	memset(out, 0, sizeof(*out));
	if (!(f = fg_fopen_input(path)))
		return fg_fail(err, FG_EIO, "cannot read quarantine file '%s': "
			       "%s", path, strerror(errno));
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!root)
		return fg_fail(err, FG_ECONFIG, "%s:%d:%d: %s", path,
			       jerr.line, jerr.column, jerr.text);
	tests = json_object_get(root, "tests");
	if (!json_is_array(tests))
		rc = fg_fail(err, FG_ECONFIG, "%s: expected {\"tests\": [...]} "
			     "(a flakeguard quarantine file)", path);
	json_array_foreach(tests, i, o) {
		if (rc)
			break;
		fg_xgrow((void **)&out->items, &out->cap, out->n + 1,
			 sizeof(*out->items));
		rc = read_entry(path, i, o, &out->items[out->n], err);
		out->n++;
	}
	json_decref(root);
	if (rc)
		history_quarantine_list_release(out);
	return rc;
}
