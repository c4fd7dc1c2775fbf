/* SPDX-License-Identifier: MIT */
/*
 * core/config.c - flakeguard.json, read with jansson.
 *
 * Syntax errors carry jansson's line and column ("file:3:17: ..."). jansson
 * keeps no positions for values, so semantic errors name the JSON path
 * instead ("file: suites[1].timeout: invalid duration '9x'"). Unknown keys
 * are errors too: a typo in CI config must not be silently ignored.
 *
 * To add a key: parse it in load_top() or apply_suite(), add the field to
 * struct fg_config / fg_suite_cfg in core.h, document it in
 * docs/configuration.md and docs/flakeguard.schema.json.
 *
 * Imported tests ("from": CTest, Meson; core/buildsys.c) are suites too:
 * an entry of "suites" with an imported test's name is kept as its JSON
 * (fg_suite_cfg.overlay) and applied over that test by fg_config_layer(),
 * through the same apply_suite() as a plain entry, so a key means the
 * same everywhere.
 */
#include "core/config.h"
#include "core/core.h"

#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

void fg_config_init(struct fg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->retries = -1;
	cfg->new_test_runs = -1;
	cfg->dir = fg_xstrdup(".");
}

static void suite_release(struct fg_suite_cfg *s)
{
	free(s->name);
	fg_strv_free(s->argv);
	fg_strv_free(s->env);
	free(s->cwd);
	free(s->junit);
	fg_strv_free(s->cases_list);
	fg_strv_free(s->cases_run);
	fg_strv_free(s->locks);
	free(s->group);
	free(s->disabled);
	fg_strv_free(s->labels);
	fg_strv_free(s->rerun);
	fg_strv_free(s->fixtures_setup);
	fg_strv_free(s->fixtures_cleanup);
	fg_strv_free(s->fixtures_required);
	fg_strv_free(s->depends);
	fg_strv_free(s->pass_regex);
	fg_strv_free(s->fail_regex);
	fg_strv_free(s->skip_regex);
	fg_strv_free(s->required_files);
	fg_strv_free(s->env_unset);
	free(s->broken);
	free(s->overlay);
}

const struct fg_group_cfg *fg_config_group(const struct fg_config *cfg,
					   const char *name)
{
	for (size_t i = 0; name && i < cfg->ngroups; i++)
		if (!strcmp(cfg->groups[i].name, name))
			return &cfg->groups[i];
	return NULL;
}

void fg_config_release(struct fg_config *cfg)
{
	for (size_t i = 0; i < cfg->nsuites; i++)
		suite_release(&cfg->suites[i]);
	free(cfg->suites);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->db);
	free(cfg->quarantine);
	for (size_t i = 0; i < cfg->ngroups; i++)
		free(cfg->groups[i].name);
	free(cfg->groups);
	for (size_t i = 0; i < cfg->noverrides; i++) {
		free(cfg->overrides[i].filter);
		suite_release(&cfg->overrides[i].v);
	}
	free(cfg->overrides);
	free(cfg->from_ctest);
	free(cfg->from_meson);
	memset(cfg, 0, sizeof(*cfg));
	cfg->retries = -1;
	cfg->new_test_runs = -1;
}

struct fg_suite_cfg *fg_config_new_suite(struct fg_config *cfg)
{
	struct fg_suite_cfg *s;

	fg_xgrow((void **)&cfg->suites, &cfg->suites_cap, cfg->nsuites + 1,
		 sizeof(*cfg->suites));
	s = &cfg->suites[cfg->nsuites++];
	memset(s, 0, sizeof(*s));
	s->retries = -1;
	s->slots = 1;
	s->leak_fails = -1;
	s->skip_codes[0] = 77;
	s->nskip_codes = 1;
	s->error_codes[0] = 99;
	s->nerror_codes = 1;
	return s;
}

/* A program path's last component, used as its suite name. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

void fg_config_add_program(struct fg_config *cfg, const char *program)
{
	struct fg_suite_cfg *s = fg_config_new_suite(cfg);
	const char *base = base_name(program);
	int n = 1;

	s->name = fg_xstrdup(base);
	/* Two programs with one base name (a/t, b/t) stay apart: t, t#2. */
	for (size_t i = 0; i + 1 < cfg->nsuites; i++) {
		if (strcmp(cfg->suites[i].name, s->name))
			continue;
		free(s->name);
		s->name = fg_xasprintf("%s#%d", base, ++n);
		i = (size_t)-1;
	}
	s->argv = fg_xcalloc(2, sizeof(char *));
	s->argv[0] = fg_xstrdup(program);
}

/* ---------------------------------------------------------------------- */

struct ctx {
	const char *path;
	struct fg_error *err;
};

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fg_fail(c->err, FG_ECONFIG, "%s: %s: %s", c->path, where, what);
}

static int get_duration(struct ctx *c, const char *where, json_t *v,
			int64_t *ms)
{
	struct fg_error e;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*ms = json_integer_value(v) * 1000;
		return FG_OK;
	}
	if (json_is_real(v) && json_real_value(v) >= 0) {
		*ms = (int64_t)(json_real_value(v) * 1000);
		return FG_OK;
	}
	if (!json_is_string(v))
		return bad(c, where, "expected a duration like \"90s\"");
	if (fg_duration_parse(json_string_value(v), ms, &e))
		return bad(c, where, "%s", e.msg);
	return FG_OK;
}

static int get_int(struct ctx *c, const char *where, json_t *v, int min,
		   int max, int *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(c, where, "expected an integer from %d to %d", min,
			   max);
	*out = (int)json_integer_value(v);
	return FG_OK;
}

static int get_string(struct ctx *c, const char *where, json_t *v, char **out)
{
	if (!json_is_string(v) || !*json_string_value(v))
		return bad(c, where, "expected a non-empty string");
	free(*out);
	*out = fg_xstrdup(json_string_value(v));
	return FG_OK;
}

/* An argv: an array of strings, or a string run with /bin/sh -c. */
static int load_argv(struct ctx *c, const char *where, json_t *v,
		     char ***out)
{
	size_t i;
	json_t *item;

	fg_strv_free(*out);
	*out = NULL;
	if (json_is_string(v) && *json_string_value(v)) {
		*out = fg_xcalloc(4, sizeof(char *));
		(*out)[0] = fg_xstrdup("/bin/sh");
		(*out)[1] = fg_xstrdup("-c");
		(*out)[2] = fg_xstrdup(json_string_value(v));
		return FG_OK;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return bad(c, where,
			   "expected a non-empty array of strings or a string");
	*out = fg_xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return bad(c, where, "item %zu is not a string", i);
		(*out)[i] = fg_xstrdup(json_string_value(item));
	}
	if (!*(*out)[0])
		return bad(c, where, "the program name is empty");
	return FG_OK;
}

static int load_command(struct ctx *c, const char *where, json_t *v,
			struct fg_suite_cfg *s)
{
	return load_argv(c, where, v, &s->argv);
}

/* "cases": "gtest" or {"list": argv, "run": argv with {case}}. */
static int load_cases(struct ctx *c, const char *where, json_t *v,
		      struct fg_suite_cfg *s)
{
	char w[220];
	int rc;

	fg_strv_free(s->cases_list);
	fg_strv_free(s->cases_run);
	s->cases_list = s->cases_run = NULL;
	s->cases_gtest = false;
	if (json_is_string(v) && !strcmp(json_string_value(v), "gtest")) {
		s->cases_gtest = true;
		return FG_OK;
	}
	if (!json_is_object(v) || !json_object_get(v, "list") ||
	    !json_object_get(v, "run") || json_object_size(v) != 2)
		return bad(c, where, "expected \"gtest\" or an object with "
			   "\"list\" and \"run\"");
	snprintf(w, sizeof(w), "%s.list", where);
	if ((rc = load_argv(c, w, json_object_get(v, "list"), &s->cases_list)))
		return rc;
	snprintf(w, sizeof(w), "%s.run", where);
	if ((rc = load_argv(c, w, json_object_get(v, "run"), &s->cases_run)))
		return rc;
	for (char **a = s->cases_run; *a; a++)
		if (strstr(*a, "{case}"))
			return FG_OK;
	return bad(c, w, "must contain \"{case}\"");
}

static int load_locks(struct ctx *c, const char *where, json_t *v,
		      struct fg_suite_cfg *s)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return bad(c, where, "expected an array of lock names");
	fg_strv_free(s->locks);
	s->locks = fg_xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || !*json_string_value(item))
			return bad(c, where, "item %zu is not a lock name", i);
		s->locks[i] = fg_xstrdup(json_string_value(item));
	}
	return FG_OK;
}

/* An array of non-empty strings (locks, labels, fixtures). */
static int load_names(struct ctx *c, const char *where, json_t *v,
		      char ***out)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v))
		return bad(c, where, "expected an array of names");
	fg_strv_free(*out);
	*out = fg_xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || !*json_string_value(item))
			return bad(c, where, "item %zu is not a name", i);
		(*out)[i] = fg_xstrdup(json_string_value(item));
	}
	return FG_OK;
}

/* "skip_exit_codes": [77], "error_exit_codes": [99]: exit statuses. */
static int load_codes(struct ctx *c, const char *where, json_t *v,
		      int *codes, int *n)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v) || json_array_size(v) > FG_EXIT_CODES_MAX)
		return bad(c, where, "expected an array of at most %d exit "
			   "statuses", FG_EXIT_CODES_MAX);
	json_array_foreach(v, i, item) {
		if (!json_is_integer(item) || json_integer_value(item) < 1 ||
		    json_integer_value(item) > 255)
			return bad(c, where, "item %zu is not an exit status "
				   "from 1 to 255", i);
		codes[i] = (int)json_integer_value(item);
	}
	*n = (int)json_array_size(v);
	return FG_OK;
}

static int get_bool(struct ctx *c, const char *where, json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return bad(c, where, "expected true or false");
	*out = json_is_true(v);
	return FG_OK;
}

static int load_format(struct ctx *c, const char *where, json_t *v,
		       struct fg_suite_cfg *s)
{
	const char *f = json_string_value(v);

	if (!f || (strcmp(f, "junit") && strcmp(f, "tap")))
		return bad(c, where, "expected \"junit\" or \"tap\"");
	s->format = !strcmp(f, "tap") ? FG_FORMAT_TAP : FG_FORMAT_JUNIT;
	return FG_OK;
}

/* "fixtures": {"setup": [...], "cleanup": [...], "requires": [...]}. */
static int load_fixtures(struct ctx *c, const char *where, json_t *v,
			 struct fg_suite_cfg *s)
{
	const char *key;
	json_t *item;
	char w[400];
	int rc;

	if (!json_is_object(v))
		return bad(c, where, "expected an object with \"setup\", "
			   "\"cleanup\" and/or \"requires\"");
	json_object_foreach(v, key, item) {
		snprintf(w, sizeof(w), "%s.%s", where, key);
		if (!strcmp(key, "setup"))
			rc = load_names(c, w, item, &s->fixtures_setup);
		else if (!strcmp(key, "cleanup"))
			rc = load_names(c, w, item, &s->fixtures_cleanup);
		else if (!strcmp(key, "requires"))
			rc = load_names(c, w, item, &s->fixtures_required);
		else
			rc = bad(c, w, "unknown key (expected setup, cleanup, "
				 "requires)");
		if (rc)
			return rc;
	}
	return FG_OK;
}

static int load_rerun(struct ctx *c, const char *where, json_t *v,
		      struct fg_suite_cfg *s)
{
	int rc = load_argv(c, where, v, &s->rerun);

	for (char **a = s->rerun; !rc && a && *a; a++)
		if (strstr(*a, "{failed"))
			return FG_OK;
	return rc ? rc : bad(c, where, "must contain \"{failed}\" (or "
			     "\"{failed:SEP}\")");
}

static int load_leak(struct ctx *c, const char *where, json_t *v,
		     struct fg_suite_cfg *s);

/* One override: "filter" and the suite keys it may set. */
static int load_override(struct ctx *c, const char *where, json_t *obj,
			 struct fg_override *o)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return bad(c, where, "expected an object");
	json_object_foreach(obj, key, v) {
		char w[200];
		unsigned bit = 0;

		snprintf(w, sizeof(w), "%s.%s", where, key);
		if (!strcmp(key, "filter"))
			rc = get_string(c, w, v, &o->filter);
		else if ((bit = FG_OV_TIMEOUT, !strcmp(key, "timeout")))
			rc = get_duration(c, w, v, &o->v.timeout_ms);
		else if ((bit = FG_OV_RETRIES, !strcmp(key, "retries")))
			rc = get_int(c, w, v, 0, 100, &o->v.retries);
		else if ((bit = FG_OV_LOCKS, !strcmp(key, "locks")))
			rc = load_names(c, w, v, &o->v.locks);
		else if ((bit = FG_OV_GROUP, !strcmp(key, "group")))
			rc = get_string(c, w, v, &o->v.group);
		else if ((bit = FG_OV_SLOTS, !strcmp(key, "slots")))
			rc = get_int(c, w, v, 1, 4096, &o->v.slots);
		else if ((bit = FG_OV_EXCLUSIVE, !strcmp(key, "exclusive")))
			rc = get_bool(c, w, v, &o->v.exclusive);
		else if ((bit = FG_OV_SKIP, !strcmp(key, "skip_exit_codes")))
			rc = load_codes(c, w, v, o->v.skip_codes,
					&o->v.nskip_codes);
		else if ((bit = FG_OV_ERROR, !strcmp(key, "error_exit_codes")))
			rc = load_codes(c, w, v, o->v.error_codes,
					&o->v.nerror_codes);
		else if ((bit = FG_OV_LEAK, !strcmp(key, "leak")))
			rc = load_leak(c, w, v, &o->v);
		else if ((bit = 0, key[0] == '_' || !strcmp(key, "description")))
			rc = FG_OK;
		else
			rc = bad(c, w, "unknown key (expected filter, timeout, "
				 "retries, locks, group, slots, exclusive, "
				 "skip_exit_codes, error_exit_codes, leak)");
		if (rc)
			return rc;
		o->set |= bit;
	}
	if (!o->filter)
		return bad(c, where, "missing \"filter\"");
	return FG_OK;
}

static int load_overrides(struct ctx *c, struct fg_config *cfg, json_t *v)
{
	size_t i;
	json_t *item;
	int rc;

	if (!json_is_array(v))
		return bad(c, "overrides", "expected an array of objects");
	cfg->overrides = fg_xcalloc(json_array_size(v) + 1,
				    sizeof(*cfg->overrides));
	json_array_foreach(v, i, item) {
		char w[64];

		snprintf(w, sizeof(w), "overrides[%zu]", i);
		cfg->noverrides = i + 1;
		if ((rc = load_override(c, w, item, &cfg->overrides[i])))
			return rc;
	}
	return FG_OK;
}

/* An array of POSIX extended regular expressions, each checked now. */
static int load_regex(struct ctx *c, const char *where, json_t *v,
		      char ***out)
{
	int rc = load_names(c, where, v, out);

	for (size_t i = 0; !rc && (*out)[i]; i++) {
		char why[256];
		regex_t re;
		int e = regcomp(&re, (*out)[i], REG_EXTENDED | REG_NOSUB);

		if (!e) {
			regfree(&re);
			continue;
		}
		regerror(e, &re, why, sizeof(why));
		rc = bad(c, where, "item %zu: invalid regular expression "
			 "'%s': %s", i, (*out)[i], why);
	}
	return rc;
}

/* "disabled": "why" (not run, skipped), or false (run after all). */
static int load_disabled(struct ctx *c, const char *where, json_t *v,
			 struct fg_suite_cfg *s)
{
	if (json_is_false(v)) {
		free(s->disabled);
		s->disabled = NULL;
		return FG_OK;
	}
	if (!json_is_string(v) || !*json_string_value(v))
		return bad(c, where, "expected a reason (a non-empty string) "
			   "or false");
	return get_string(c, where, v, &s->disabled);
}

static int load_leak(struct ctx *c, const char *where, json_t *v,
		     struct fg_suite_cfg *s)
{
	const char *r = json_string_value(v);

	if (!r || (strcmp(r, "pass") && strcmp(r, "fail")))
		return bad(c, where, "expected \"pass\" or \"fail\"");
	s->leak_fails = !strcmp(r, "fail");
	return FG_OK;
}

static int load_groups(struct ctx *c, struct fg_config *cfg, json_t *v)
{
	const char *key;
	json_t *g;

	if (!json_is_object(v))
		return bad(c, "groups", "expected an object of groups");
	json_object_foreach(v, key, g) {
		char w[200];
		json_t *max = json_object_get(g, "max");
		struct fg_group_cfg *gc;

		snprintf(w, sizeof(w), "groups.%s", key);
		if (!json_is_object(g) || !max || json_object_size(g) != 1)
			return bad(c, w, "expected {\"max\": N}");
		fg_xgrow((void **)&cfg->groups, &cfg->groups_cap,
			 cfg->ngroups + 1, sizeof(*cfg->groups));
		gc = &cfg->groups[cfg->ngroups++];
		gc->name = fg_xstrdup(key);
		snprintf(w, sizeof(w), "groups.%s.max", key);
		if (get_int(c, w, max, 1, 4096, &gc->max))
			return FG_ECONFIG;
	}
	return FG_OK;
}

/* Removes entry i of a NULL-terminated heap vector. */
static void strv_remove(char **v, size_t i)
{
	free(v[i]);
	for (; v[i]; i++)
		v[i] = v[i + 1];
}

/* The index of "KEY=..." (or "KEY") in v, or -1. */
static long strv_find_key(char *const *v, const char *key, size_t klen)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strncmp(v[i], key, klen) &&
		    (v[i][klen] == '=' || !v[i][klen]))
			return (long)i;
	return -1;
}

void fg_suite_env_set(struct fg_suite_cfg *s, const char *kv)
{
	size_t klen = strcspn(kv, "="), n = fg_strv_len(s->env);
	long i;

	if ((i = strv_find_key(s->env_unset, kv, klen)) >= 0)
		strv_remove(s->env_unset, (size_t)i);
	if ((i = strv_find_key(s->env, kv, klen)) >= 0) {
		free(s->env[i]);
		s->env[i] = fg_xstrdup(kv);
		return;
	}
	s->env = fg_xrealloc(s->env, (n + 2) * sizeof(char *));
	s->env[n] = fg_xstrdup(kv);
	s->env[n + 1] = NULL;
}

void fg_suite_env_unset(struct fg_suite_cfg *s, const char *key)
{
	size_t n = fg_strv_len(s->env_unset);
	long i;

	if ((i = strv_find_key(s->env, key, strlen(key))) >= 0)
		strv_remove(s->env, (size_t)i);
	if (strv_find_key(s->env_unset, key, strlen(key)) >= 0)
		return;
	s->env_unset = fg_xrealloc(s->env_unset, (n + 2) * sizeof(char *));
	s->env_unset[n] = fg_xstrdup(key);
	s->env_unset[n + 1] = NULL;
}

/* "env": {"K": "V"}: added to (or replacing) what the suite has. */
static int load_env(struct ctx *c, const char *where, json_t *v,
		    struct fg_suite_cfg *s)
{
	const char *key;
	json_t *val;

	if (!json_is_object(v))
		return bad(c, where, "expected an object of strings");
	json_object_foreach(v, key, val) {
		char *kv;

		if (!*key || strchr(key, '='))
			return bad(c, where, "invalid variable name '%s'", key);
		if (json_is_string(val))
			kv = fg_xasprintf("%s=%s", key, json_string_value(val));
		else if (json_is_integer(val))
			kv = fg_xasprintf("%s=%lld", key,
					  (long long)json_integer_value(val));
		else
			return bad(c, where, "'%s' must be a string", key);
		fg_suite_env_set(s, kv);
		free(kv);
	}
	return FG_OK;
}

/* The keys of one suite object, over what s holds already. */
static int apply_suite(struct ctx *c, struct fg_suite_cfg *s, json_t *obj,
		       const char *where)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(obj, key, v) {
		char w[200];

		snprintf(w, sizeof(w), "%s.%s", where, key);
		if (!strcmp(key, "name"))
			rc = get_string(c, w, v, &s->name);
		else if (!strcmp(key, "command"))
			rc = load_command(c, w, v, s);
		else if (!strcmp(key, "env"))
			rc = load_env(c, w, v, s);
		else if (!strcmp(key, "cwd"))
			rc = get_string(c, w, v, &s->cwd);
		else if (!strcmp(key, "junit"))
			rc = get_string(c, w, v, &s->junit);
		else if (!strcmp(key, "timeout"))
			rc = get_duration(c, w, v, &s->timeout_ms);
		else if (!strcmp(key, "retries"))
			rc = get_int(c, w, v, 0, 100, &s->retries);
		else if (!strcmp(key, "cases"))
			rc = load_cases(c, w, v, s);
		else if (!strcmp(key, "shards"))
			rc = get_int(c, w, v, 1, 1024, &s->shards);
		else if (!strcmp(key, "locks"))
			rc = load_locks(c, w, v, s);
		else if (!strcmp(key, "group"))
			rc = get_string(c, w, v, &s->group);
		else if (!strcmp(key, "slots"))
			rc = get_int(c, w, v, 1, 4096, &s->slots);
		else if (!strcmp(key, "leak"))
			rc = load_leak(c, w, v, s);
		else if (!strcmp(key, "skip_exit_codes"))
			rc = load_codes(c, w, v, s->skip_codes, &s->nskip_codes);
		else if (!strcmp(key, "error_exit_codes"))
			rc = load_codes(c, w, v, s->error_codes,
					&s->nerror_codes);
		else if (!strcmp(key, "will_fail"))
			rc = get_bool(c, w, v, &s->will_fail);
		else if (!strcmp(key, "disabled"))
			rc = load_disabled(c, w, v, s);
		else if (!strcmp(key, "format"))
			rc = load_format(c, w, v, s);
		else if (!strcmp(key, "labels"))
			rc = load_names(c, w, v, &s->labels);
		else if (!strcmp(key, "exclusive"))
			rc = get_bool(c, w, v, &s->exclusive);
		else if (!strcmp(key, "allow_empty"))
			rc = get_bool(c, w, v, &s->allow_empty);
		else if (!strcmp(key, "batch")) {
			bool batch = true;

			rc = get_bool(c, w, v, &batch);
			s->no_batch = !batch;
		}
		else if (!strcmp(key, "fixtures"))
			rc = load_fixtures(c, w, v, s);
		else if (!strcmp(key, "rerun"))
			rc = load_rerun(c, w, v, s);
		else if (!strcmp(key, "depends"))
			rc = load_names(c, w, v, &s->depends);
		else if (!strcmp(key, "priority"))
			rc = get_int(c, w, v, -1000000, 1000000, &s->priority);
		else if (!strcmp(key, "pass_regex"))
			rc = load_regex(c, w, v, &s->pass_regex);
		else if (!strcmp(key, "fail_regex"))
			rc = load_regex(c, w, v, &s->fail_regex);
		else if (!strcmp(key, "skip_regex"))
			rc = load_regex(c, w, v, &s->skip_regex);
		else if (!strcmp(key, "required_files"))
			rc = load_names(c, w, v, &s->required_files);
		else if (key[0] == '_' || !strcmp(key, "description"))
			rc = FG_OK; /* comments */
		else
			rc = bad(c, w, "unknown key (expected name, command, "
				 "env, cwd, timeout, junit, retries, cases, "
				 "shards, locks, group, slots, leak, "
				 "skip_exit_codes, error_exit_codes, will_fail, "
				 "disabled, format, labels, exclusive, "
				 "allow_empty, batch, fixtures, rerun, depends, "
				 "priority, pass_regex, fail_regex, skip_regex, "
				 "required_files)");
		if (rc)
			return rc;
	}
	if (s->shards > 1 && (s->cases_list || s->cases_gtest))
		return bad(c, where, "\"shards\" and \"cases\" exclude "
			   "each other");
	return FG_OK;
}

/*
 * One entry of "suites". With "from", an entry may lack "command": it
 * then only changes the imported test it names. Every entry keeps its
 * JSON for fg_config_layer(): one with a command may also name an
 * imported test, and replace it.
 */
static int load_suite(struct ctx *c, struct fg_config *cfg, size_t idx,
		      json_t *obj, bool from)
{
	struct fg_suite_cfg *s = fg_config_new_suite(cfg);
	char where[128];
	int rc;

	snprintf(where, sizeof(where), "suites[%zu]", idx);
	if (!json_is_object(obj))
		return bad(c, where, "expected an object");
	if ((rc = apply_suite(c, s, obj, where)))
		return rc;
	if (!s->argv && !from)
		return bad(c, where, "missing \"command\"");
	if (!s->argv && !s->name)
		return bad(c, where, "missing \"name\" (an entry without "
			   "\"command\" changes the imported test it names)");
	if (!s->name)
		s->name = fg_xstrdup(base_name(s->argv[0]));
	/* kept for --ctest/--meson too, which import without "from" */
	s->overlay = json_dumps(obj, JSON_COMPACT);
	return FG_OK;
}

static const struct fg_config *sort_cfg; /* qsort has no context argument */

static int by_name_then_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_cfg->suites[x].name, sort_cfg->suites[y].name);

	return c ? c : (x > y) - (x < y);
}

/*
 * Suite names must be unique. Sorting indexes by name finds duplicates in
 * O(n log n): a config of 10,000 suites must not cost 50 million strcmp.
 * The later of two suites with one name is the one reported.
 */
static int check_unique_names(struct ctx *c, const struct fg_config *cfg)
{
	size_t *idx = fg_xcalloc(cfg->nsuites + 1, sizeof(*idx));
	size_t dup = (size_t)-1;
	int rc = FG_OK;

	for (size_t i = 0; i < cfg->nsuites; i++)
		idx[i] = i;
	sort_cfg = cfg;
	qsort(idx, cfg->nsuites, sizeof(*idx), by_name_then_index);
	for (size_t i = 1; i < cfg->nsuites; i++)
		if (!strcmp(cfg->suites[idx[i]].name,
			    cfg->suites[idx[i - 1]].name) &&
		    (dup == (size_t)-1 || idx[i] < dup))
			dup = idx[i];
	if (dup != (size_t)-1) {
		char where[64];

		snprintf(where, sizeof(where), "suites[%zu]", dup);
		rc = bad(c, where, "duplicate suite name '%s'",
			 cfg->suites[dup].name);
	}
	free(idx);
	return rc;
}

/* "from": {"ctest": "build", "meson": "build-meson"}. */
static int load_from(struct ctx *c, struct fg_config *cfg, json_t *v)
{
	const char *key;
	json_t *dir;
	int rc;

	if (!json_is_object(v) || !json_object_size(v))
		return bad(c, "from", "expected {\"ctest\": DIR} and/or "
			   "{\"meson\": DIR}");
	json_object_foreach(v, key, dir) {
		char w[64];

		snprintf(w, sizeof(w), "from.%.40s", key);
		if (!strcmp(key, "ctest"))
			rc = get_string(c, w, dir, &cfg->from_ctest);
		else if (!strcmp(key, "meson"))
			rc = get_string(c, w, dir, &cfg->from_meson);
		else
			rc = bad(c, w, "unknown build system (expected ctest "
				 "or meson)");
		if (rc)
			return rc;
	}
	return FG_OK;
}

static int by_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * "depends" names suites that exist, and nothing waits for itself. Names
 * are looked up sorted: ctest lists a cleanup as depending on every test
 * of its fixture, thousands of names in a big project.
 */
static int check_graph(const char *path, const struct fg_config *cfg,
		       struct fg_error *err)
{
	char **names = fg_xcalloc(cfg->nsuites + 1, sizeof(char *));
	struct fg_deps d;
	int rc = FG_OK;

	for (size_t i = 0; i < cfg->nsuites; i++)
		names[i] = cfg->suites[i].name;
	qsort(names, cfg->nsuites, sizeof(*names), by_strp);
	for (size_t i = 0; i < cfg->nsuites && !rc; i++)
		for (char **n = cfg->suites[i].depends; n && *n && !rc; n++)
			if (!bsearch(n, names, cfg->nsuites, sizeof(*names),
				     by_strp))
				rc = fg_fail(err, FG_ECONFIG, "%s: suite '%s': "
					     "\"depends\" names '%s', which is "
					     "no suite", path,
					     cfg->suites[i].name, *n);
	free(names);
	if (rc)
		return rc;
	if ((rc = fg_deps_build(cfg, &d, err))) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return fg_fail(err, rc, "%s: %s", path, msg);
	}
	fg_deps_release(&d);
	return FG_OK;
}

static int load_top(struct ctx *c, struct fg_config *cfg, json_t *root)
{
	const char *key;
	json_t *v, *from;
	int rc = FG_OK;

	if (!json_is_object(root))
		return bad(c, "top level", "expected an object");
	from = json_object_get(root, "from");
	if (from && (rc = load_from(c, cfg, from)))
		return rc;
	json_object_foreach(root, key, v) {
		if (!strcmp(key, "suites")) {
			size_t i;
			json_t *s;

			if (!json_is_array(v))
				return bad(c, key, "expected an array");
			json_array_foreach(v, i, s)
				if ((rc = load_suite(c, cfg, i, s, from)))
					return rc;
		} else if (!strcmp(key, "from")) {
			rc = FG_OK; /* read first, above */
		} else if (!strcmp(key, "jobs")) {
			rc = get_int(c, key, v, 1, 4096, &cfg->jobs);
		} else if (!strcmp(key, "timeout")) {
			rc = get_duration(c, key, v, &cfg->timeout_ms);
		} else if (!strcmp(key, "retries")) {
			rc = get_int(c, key, v, 0, 100, &cfg->retries);
		} else if (!strcmp(key, "db")) {
			rc = get_string(c, key, v, &cfg->db);
		} else if (!strcmp(key, "new_test_runs")) {
			rc = get_int(c, key, v, 0, 1000, &cfg->new_test_runs);
		} else if (!strcmp(key, "stress_budget")) {
			rc = get_duration(c, key, v, &cfg->stress_budget_ms);
		} else if (!strcmp(key, "groups")) {
			rc = load_groups(c, cfg, v);
		} else if (!strcmp(key, "overrides")) {
			rc = load_overrides(c, cfg, v);
		} else if (!strcmp(key, "quarantine")) {
			/* The analyzer's policy: checked by analyzer/policy.c. */
			if (!json_is_object(v))
				rc = bad(c, key, "expected an object");
			free(cfg->quarantine);
			cfg->quarantine = json_dumps(v, JSON_COMPACT);
		} else if (key[0] == '_' || !strcmp(key, "$schema") ||
			   !strcmp(key, "description")) {
			rc = FG_OK;
		} else {
			rc = bad(c, key, "unknown key (expected suites, from, "
				 "jobs, timeout, retries, db, new_test_runs, "
				 "stress_budget, groups, overrides, quarantine)");
		}
		if (rc)
			return rc;
	}
	if (!json_object_get(root, "suites") && !from)
		return bad(c, "top level", "missing \"suites\" (or \"from\")");
	if ((rc = check_unique_names(c, cfg)))
		return rc;
	for (size_t i = 0; i < cfg->nsuites; i++) {
		char w[64];

		snprintf(w, sizeof(w), "suites[%zu].group", i);
		if (cfg->suites[i].group &&
		    !fg_config_group(cfg, cfg->suites[i].group))
			return bad(c, w, "no group '%s' in \"groups\"",
				   cfg->suites[i].group);
	}
	for (size_t i = 0; i < cfg->noverrides; i++) {
		char w[64];

		snprintf(w, sizeof(w), "overrides[%zu].group", i);
		if (cfg->overrides[i].v.group &&
		    !fg_config_group(cfg, cfg->overrides[i].v.group))
			return bad(c, w, "no group '%s' in \"groups\"",
				   cfg->overrides[i].v.group);
	}
	/* with "from", "depends" may name tests not imported yet */
	return from ? FG_OK : check_graph(c->path, cfg, c->err);
}

int fg_config_load(struct fg_config *cfg, const char *path,
		   struct fg_error *err)
{
	struct ctx c = { .path = path, .err = err };
	json_error_t jerr;
	json_t *root;
	const char *slash;
	FILE *f;
	int rc;

	f = fg_fopen_input(path);
	if (!f)
		return fg_fail(err, errno == ENOENT || errno == EISDIR ?
			       FG_ECONFIG : FG_EIO,
			       "cannot read config '%s': %s", path,
			       strerror(errno));
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!root)
		return fg_fail(err, FG_ECONFIG, "%s:%d:%d: %s", path,
			       jerr.line, jerr.column, jerr.text);
	rc = load_top(&c, cfg, root);
	json_decref(root);
	if (rc) {
		fg_config_release(cfg);
		fg_config_init(cfg);
		return rc;
	}
	free(cfg->path);
	free(cfg->dir);
	cfg->path = fg_xstrdup(path);
	slash = strrchr(path, '/');
	cfg->dir = slash ? fg_xstrndup(path, (size_t)(slash - path + (slash == path))) :
			   fg_xstrdup(".");
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Imported tests, layered                                                 */
/* ---------------------------------------------------------------------- */

long fg_config_find(const struct fg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsuites; i++)
		if (!strcmp(cfg->suites[i].name, name))
			return (long)i;
	return -1;
}

void fg_config_keep(struct fg_config *cfg, const bool *keep)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nsuites; i++) {
		if (keep[i])
			cfg->suites[n++] = cfg->suites[i];
		else
			suite_release(&cfg->suites[i]);
	}
	cfg->nsuites = n;
}

/* Suite indexes sorted by name, for lookups in O(log n). */
struct name_ix {
	const char *name;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct name_ix *)a)->name,
		      ((const struct name_ix *)b)->name);
}

/*
 * Checks what spans suites once the suites are all known. Names: unique
 * (the importers make theirs unique; an own suite may still collide).
 */
int fg_config_check(const struct fg_config *cfg, struct fg_error *err)
{
	const char *path = cfg->path ? cfg->path : "the imported tests";
	struct name_ix *ix = fg_xcalloc(cfg->nsuites + 1, sizeof(*ix));
	int rc = FG_OK;

	for (size_t i = 0; i < cfg->nsuites; i++)
		ix[i] = (struct name_ix){ cfg->suites[i].name, i };
	qsort(ix, cfg->nsuites, sizeof(*ix), by_name);
	for (size_t i = 1; i < cfg->nsuites && !rc; i++)
		if (!strcmp(ix[i].name, ix[i - 1].name))
			rc = fg_fail(err, FG_ECONFIG, "%s: two suites are named "
				     "'%s' (an own suite and an imported test? "
				     "give one another name)", path, ix[i].name);
	free(ix);
	for (size_t i = 0; i < cfg->nsuites && !rc; i++)
		if (cfg->suites[i].group &&
		    !fg_config_group(cfg, cfg->suites[i].group))
			rc = fg_fail(err, FG_ECONFIG, "%s: suite '%s': no group "
				     "'%s' in \"groups\"", path,
				     cfg->suites[i].name, cfg->suites[i].group);
	return rc ? rc : check_graph(path, cfg, err);
}

/* Applies an entry's JSON (fg_suite_cfg.overlay) over suite dst. */
static int apply_overlay(const struct fg_config *cfg, size_t entry,
			 const char *overlay, struct fg_suite_cfg *dst,
			 struct fg_error *err)
{
	struct ctx c = { .path = cfg->path ? cfg->path : "flakeguard.json",
			 .err = err };
	json_t *obj = json_loads(overlay, 0, NULL);
	char where[64], *name = dst->name;
	int rc;

	if (!obj)
		FG_BUG("an overlay that was JSON is no longer");
	snprintf(where, sizeof(where), "suites[%zu]", entry);
	dst->name = NULL; /* "name" is what matched: keep the test's */
	rc = apply_suite(&c, dst, obj, where);
	free(dst->name);
	dst->name = name;
	json_decref(obj);
	return rc;
}

int fg_config_layer(struct fg_config *cfg, struct fg_config *imported,
		    const char *origin, struct fg_error *err)
{
	struct fg_suite_cfg *own = cfg->suites;
	size_t nown = cfg->nsuites;
	struct name_ix *ix = fg_xcalloc(imported->nsuites + 1, sizeof(*ix));
	bool *matched = fg_xcalloc(nown + 1, sizeof(bool));
	int rc = FG_OK;

	/* the imported suites first, in their order */
	cfg->suites = imported->suites;
	cfg->nsuites = imported->nsuites;
	cfg->suites_cap = imported->suites_cap;
	imported->suites = NULL;
	imported->nsuites = imported->suites_cap = 0;
	for (size_t i = 0; i < cfg->nsuites; i++)
		ix[i] = (struct name_ix){ cfg->suites[i].name, i };
	qsort(ix, cfg->nsuites, sizeof(*ix), by_name);
	for (size_t e = 0; e < nown && !rc; e++) {
		struct name_ix key = { own[e].name, 0 };
		struct name_ix *hit = bsearch(&key, ix, cfg->nsuites,
					      sizeof(*ix), by_name);

		if (hit && own[e].overlay) {
			rc = apply_overlay(cfg, e, own[e].overlay,
					   &cfg->suites[hit->idx], err);
			matched[e] = true;
		} else if (!own[e].argv) {
			rc = fg_fail(err, FG_ECONFIG, "%s: suites[%zu]: no "
				     "\"command\", and %s has no test named "
				     "'%s'", cfg->path ? cfg->path :
				     "flakeguard.json", e, origin, own[e].name);
		}
	}
	free(ix);
	/* then the own suites that are not about an imported test */
	for (size_t e = 0; e < nown; e++) {
		if (matched[e] || rc) {
			suite_release(&own[e]);
			continue;
		}
		free(own[e].overlay);
		own[e].overlay = NULL;
		*fg_config_new_suite(cfg) = own[e];
	}
	free(own);
	free(matched);
	return rc ? rc : fg_config_check(cfg, err);
}
