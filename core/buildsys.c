/* SPDX-License-Identifier: MIT */
/*
 * core/buildsys.c - tests declared by build systems, as suites: what
 * `ctest --show-only=json-v1` and `meson introspect --tests` print.
 *
 * cli/buildsys.c runs those commands (runner_capture) and hands their
 * output here; this file only reads JSON, so it is tested with hostile
 * input without processes (tests/unit/test_core.c).
 *
 * CTest. Each test becomes a suite run directly, not through ctest, with
 * its argv, WORKING_DIRECTORY (default the build dir), ENVIRONMENT and
 * ENVIRONMENT_MODIFICATION, TIMEOUT, SKIP_RETURN_CODE, WILL_FAIL,
 * DISABLED, RESOURCE_LOCK, RUN_SERIAL, PROCESSORS, LABELS, FIXTURES_*,
 * DEPENDS, the three REGULAR_EXPRESSIONs and REQUIRED_FILES. CTest knows
 * neither 77 nor 99: an imported test has no skip or error exit codes
 * but its SKIP_RETURN_CODE. A test without a command (its program was not
 * built) is not run and counts as an error, as ctest counts it. Every test
 * gets GTEST_OUTPUT=xml:{junit}, so a GoogleTest binary reports its cases
 * (other programs ignore the variable).
 *
 * Meson. cmd, env, workdir (null: the build dir), timeout, is_parallel
 * false (runs alone), priority (higher first), suite (labels), and the
 * protocol: exitcode (77 skip, 99 error), tap (TAP on stdout), gtest
 * (GTEST_OUTPUT), rust (the exit status). Names repeat across Meson
 * suites; suite names here are unique by one rule, in meson_names().
 *
 * Input that is not what these tools print is an FG_ECONFIG error naming
 * `what` (the command and build dir) and the test; a property this file
 * does not implement is named in a warning, never silently dropped.
 */
#include "core/buildsys.h"
#include "core/core.h"

#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define CTEST_DISABLED_REASON "DISABLED in CTest"

struct imp {
	const char *what;        /* "ctest --show-only=json-v1 in 'build'" */
	const char *test;        /* the test being read, for messages */
	struct fg_error *err;
};

static int bad(struct imp *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct imp *m, const char *fmt, ...)
{
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (m->test)
		return fg_fail(m->err, FG_ECONFIG, "%s: test '%.200s': %s",
			       m->what, m->test, what);
	return fg_fail(m->err, FG_ECONFIG, "%s: %s", m->what, what);
}

/* A non-empty array of strings as a new strv; NULL when v is not one. */
static char **strv_of(json_t *v, bool allow_empty)
{
	size_t i;
	json_t *item;
	char **out;

	if (!json_is_array(v) || (!allow_empty && !json_array_size(v)))
		return NULL;
	out = fg_xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) {
		if (!json_is_string(item)) {
			fg_strv_free(out);
			return NULL;
		}
		out[i] = fg_xstrdup(json_string_value(item));
	}
	return out;
}

/* A list property: an array of strings, or one string (CMake's lists). */
static int get_list(struct imp *m, const char *prop, json_t *v, char ***out)
{
	char **l = json_is_string(v) ? NULL : strv_of(v, true);

	if (json_is_string(v)) {
		l = fg_xcalloc(2, sizeof(char *));
		l[0] = fg_xstrdup(json_string_value(v));
	}
	if (!l)
		return bad(m, "%s: expected a list of strings", prop);
	/* empty items mean nothing to CTest: drop them */
	for (size_t i = 0; l[i];) {
		if (*l[i]) {
			i++;
			continue;
		}
		free(l[i]);
		for (size_t k = i; l[k]; k++)
			l[k] = l[k + 1];
	}
	fg_strv_free(*out);
	*out = l;
	return FG_OK;
}

/* CMake's truth: a JSON boolean, a number, or ON/TRUE/YES/Y/1 (any case). */
static int get_truth(struct imp *m, const char *prop, json_t *v, bool *out)
{
	static const char *const yes[] = { "1", "ON", "YES", "TRUE", "Y" };
	const char *s = json_string_value(v);

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return FG_OK;
	}
	if (json_is_number(v)) {
		*out = json_number_value(v) != 0;
		return FG_OK;
	}
	if (!s)
		return bad(m, "%s: expected true or false", prop);
	*out = false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
		if (!strcasecmp(s, yes[i]))
			*out = true;
	return FG_OK;
}

/* A number (or a numeric string, as CMake may keep it). */
static int get_number(struct imp *m, const char *prop, json_t *v,
		      double *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return FG_OK;
	}
	if (s && *s) {
		*out = strtod(s, &end);
		if (!*end)
			return FG_OK;
	}
	return bad(m, "%s: expected a number", prop);
}

static int check_regexes(struct imp *m, const char *prop, char **l)
{
	for (; l && *l; l++) {
		char why[256];
		regex_t re;
		int e = regcomp(&re, *l, REG_EXTENDED | REG_NOSUB);

		if (!e) {
			regfree(&re);
			continue;
		}
		regerror(e, &re, why, sizeof(why));
		return bad(m, "%s: '%s' is no POSIX extended regular "
			   "expression flakeguard can use: %s", prop, *l, why);
	}
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* ENVIRONMENT_MODIFICATION                                                */
/* ---------------------------------------------------------------------- */

/* The value VAR has for the suite now: its env, unset, or ours. */
static const char *env_now(const struct fg_suite_cfg *s, const char *var)
{
	size_t k = strlen(var);

	for (char **u = s->env_unset; u && *u; u++)
		if (!strcmp(*u, var))
			return NULL;
	for (char **e = s->env; e && *e; e++)
		if (!strncmp(*e, var, k) && (*e)[k] == '=')
			return *e + k + 1;
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, var, k) && (*e)[k] == '=')
			return *e + k + 1;
	return NULL;
}

/*
 * One "VAR=op:value" (cmake_properties ENVIRONMENT_MODIFICATION): reset,
 * set, unset, string_append, string_prepend, path_list_append,
 * path_list_prepend, cmake_list_append, cmake_list_prepend. `base` is
 * the suite's environment before any modification, for reset.
 */
static int env_modify(struct imp *m, struct fg_suite_cfg *s,
		      const struct fg_suite_cfg *base, const char *mod)
{
	const char *eq = strchr(mod, '='), *colon, *op, *val;
	const char *now;
	char *var, *out = NULL;
	size_t oplen;
	int rc = FG_OK;

	if (!eq || eq == mod || !(colon = strchr(eq + 1, ':')))
		return bad(m, "ENVIRONMENT_MODIFICATION: '%s' is not "
			   "VAR=OP:VALUE", mod);
	var = fg_xstrndup(mod, (size_t)(eq - mod));
	op = eq + 1;
	oplen = (size_t)(colon - op);
	val = colon + 1;
	now = env_now(s, var);
#define OP(name) (oplen == strlen(name) && !strncmp(op, name, oplen))
#define JOIN(sep, prepend)                                                  \
	(out = !now || !*now ? fg_xstrdup(val) :                           \
	       (prepend) ? fg_xasprintf("%s%s%s", val, sep, now) :          \
			   fg_xasprintf("%s%s%s", now, sep, val))
	if (OP("reset")) {
		const char *b = env_now(base, var);

		out = b ? fg_xstrdup(b) : NULL;
		if (!out)
			fg_suite_env_unset(s, var);
	} else if (OP("set")) {
		out = fg_xstrdup(val);
	} else if (OP("unset")) {
		fg_suite_env_unset(s, var);
	} else if (OP("string_append")) {
		out = fg_xasprintf("%s%s", now ? now : "", val);
	} else if (OP("string_prepend")) {
		out = fg_xasprintf("%s%s", val, now ? now : "");
	} else if (OP("path_list_append")) {
		JOIN(":", false);
	} else if (OP("path_list_prepend")) {
		JOIN(":", true);
	} else if (OP("cmake_list_append")) {
		JOIN(";", false);
	} else if (OP("cmake_list_prepend")) {
		JOIN(";", true);
	} else {
		rc = bad(m, "ENVIRONMENT_MODIFICATION: unknown operation "
			 "'%.*s' in '%s'", (int)oplen, op, mod);
	}
#undef JOIN
#undef OP
	if (out) {
		char *kv = fg_xasprintf("%s=%s", var, out);

		fg_suite_env_set(s, kv);
		free(kv);
	}
	free(out);
	free(var);
	return rc;
}

static int env_modifications(struct imp *m, struct fg_suite_cfg *s,
			     char **mods)
{
	struct fg_suite_cfg base = { .env = fg_strv_dup(s->env),
				     .env_unset = fg_strv_dup(s->env_unset) };
	int rc = FG_OK;

	for (char **p = mods; p && *p && !rc; p++)
		rc = env_modify(m, s, &base, *p);
	fg_strv_free(base.env);
	fg_strv_free(base.env_unset);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* CTest                                                                   */
/* ---------------------------------------------------------------------- */

/* Properties that do not change what runs or how it is judged. */
static const char *const ctest_ignored[] = {
	"ATTACHED_FILES", "ATTACHED_FILES_ON_FAIL", "COST", "MEASUREMENT",
	"GENERATED_RESOURCE_SPEC_FILE", "_BACKTRACE_TRIPLES",
};

static bool ignored(const char *prop)
{
	for (size_t i = 0; i < sizeof(ctest_ignored) / sizeof(*ctest_ignored);
	     i++)
		if (!strcmp(prop, ctest_ignored[i]))
			return true;
	return false;
}

/* What one property sets; the environment ones are left to the caller. */
static int ctest_property(struct imp *m, struct fg_suite_cfg *s,
			  const char *p, json_t *v)
{
	double d;
	bool b;
	int rc = FG_OK;

	if (!strcmp(p, "WORKING_DIRECTORY")) {
		if (!json_is_string(v) || !*json_string_value(v))
			return bad(m, "%s: expected a directory", p);
		free(s->cwd);
		s->cwd = fg_xstrdup(json_string_value(v));
	} else if (!strcmp(p, "TIMEOUT")) {
		if (!(rc = get_number(m, p, v, &d)) && d > 0)
			s->timeout_ms = (int64_t)(d * 1000);
	} else if (!strcmp(p, "SKIP_RETURN_CODE")) {
		if ((rc = get_number(m, p, v, &d)))
			return rc;
		if (d >= 1 && d <= 255 && d == (int)d) {
			s->skip_codes[0] = (int)d;
			s->nskip_codes = 1;
		} else {
			fg_log(FG_LOG_WARN, "ctest", "%s: test '%s': "
			       "SKIP_RETURN_CODE %g is no exit status from 1 "
			       "to 255: ignored", m->what, m->test, d);
		}
	} else if (!strcmp(p, "WILL_FAIL")) {
		rc = get_truth(m, p, v, &s->will_fail);
	} else if (!strcmp(p, "DISABLED")) {
		if (!(rc = get_truth(m, p, v, &b)) && b) {
			free(s->disabled);
			s->disabled = fg_xstrdup(CTEST_DISABLED_REASON);
		}
	} else if (!strcmp(p, "RUN_SERIAL")) {
		rc = get_truth(m, p, v, &s->exclusive);
	} else if (!strcmp(p, "PROCESSORS")) {
		if (!(rc = get_number(m, p, v, &d)))
			s->slots = d < 1 ? 1 : d > 4096 ? 4096 : (int)d;
	} else if (!strcmp(p, "RESOURCE_LOCK")) {
		rc = get_list(m, p, v, &s->locks);
	} else if (!strcmp(p, "LABELS")) {
		rc = get_list(m, p, v, &s->labels);
	} else if (!strcmp(p, "FIXTURES_SETUP")) {
		rc = get_list(m, p, v, &s->fixtures_setup);
	} else if (!strcmp(p, "FIXTURES_CLEANUP")) {
		rc = get_list(m, p, v, &s->fixtures_cleanup);
	} else if (!strcmp(p, "FIXTURES_REQUIRED")) {
		rc = get_list(m, p, v, &s->fixtures_required);
	} else if (!strcmp(p, "DEPENDS")) {
		rc = get_list(m, p, v, &s->depends);
	} else if (!strcmp(p, "REQUIRED_FILES")) {
		rc = get_list(m, p, v, &s->required_files);
	} else if (!strcmp(p, "PASS_REGULAR_EXPRESSION")) {
		if (!(rc = get_list(m, p, v, &s->pass_regex)))
			rc = check_regexes(m, p, s->pass_regex);
	} else if (!strcmp(p, "FAIL_REGULAR_EXPRESSION")) {
		if (!(rc = get_list(m, p, v, &s->fail_regex)))
			rc = check_regexes(m, p, s->fail_regex);
	} else if (!strcmp(p, "SKIP_REGULAR_EXPRESSION")) {
		if (!(rc = get_list(m, p, v, &s->skip_regex)))
			rc = check_regexes(m, p, s->skip_regex);
	} else if (!ignored(p)) {
		fg_log(FG_LOG_WARN, "ctest", "%s: test '%s': property %s is "
		       "not supported by flakeguard: ignored", m->what,
		       m->test, p);
	}
	return rc;
}

/* ENVIRONMENT, then ENVIRONMENT_MODIFICATION, as ctest applies them. */
static int ctest_env(struct imp *m, struct fg_suite_cfg *s, json_t *env,
		     json_t *mods)
{
	char **l = NULL;
	int rc;

	if (env) {
		if ((rc = get_list(m, "ENVIRONMENT", env, &l)))
			return rc;
		for (char **e = l; *e; e++) {
			if (!strchr(*e, '=') || **e == '=') {
				fg_log(FG_LOG_WARN, "ctest", "%s: test '%s': "
				       "ENVIRONMENT '%s' is not VAR=VALUE: "
				       "ignored", m->what, m->test, *e);
				continue;
			}
			fg_suite_env_set(s, *e);
		}
		fg_strv_free(l);
		l = NULL;
	}
	if (!mods)
		return FG_OK;
	if ((rc = get_list(m, "ENVIRONMENT_MODIFICATION", mods, &l)))
		return rc;
	rc = env_modifications(m, s, l);
	fg_strv_free(l);
	return rc;
}

static int ctest_test(struct imp *m, struct fg_config *out, json_t *t,
		      const char *build_dir)
{
	json_t *name = json_object_get(t, "name");
	json_t *cmd = json_object_get(t, "command");
	json_t *props = json_object_get(t, "properties");
	json_t *env = NULL, *mods = NULL, *p;
	struct fg_suite_cfg *s;
	size_t i;
	int rc;

	if (!json_is_object(t) || !json_is_string(name) ||
	    !*json_string_value(name))
		return bad(m, "a test without a name");
	m->test = json_string_value(name);
	if (props && !json_is_array(props))
		return bad(m, "\"properties\" is not a list");
	s = fg_config_new_suite(out);
	s->name = fg_xstrdup(m->test);
	s->nskip_codes = 0;    /* CTest: only SKIP_RETURN_CODE skips */
	s->nerror_codes = 0;
	s->cwd = fg_xstrdup(build_dir);
	fg_suite_env_set(s, "GTEST_OUTPUT=xml:{junit}");
	if (cmd) {
		if (!(s->argv = strv_of(cmd, false)) || !*s->argv[0])
			return bad(m, "\"command\" is not a list of strings");
	} else {
		/* ctest: "Could not find executable", counted Not Run */
		s->argv = fg_xcalloc(2, sizeof(char *));
		s->argv[0] = fg_xstrdup(m->test);
		s->broken = fg_xstrdup("not run: ctest lists no command for "
				       "it (its program was not found: not "
				       "built?)");
	}
	json_array_foreach(props, i, p) {
		json_t *pn = json_object_get(p, "name");
		json_t *pv = json_object_get(p, "value");
		const char *n = json_string_value(pn);

		if (!json_is_object(p) || !n || !pv)
			return bad(m, "properties[%zu] is not {\"name\", "
				   "\"value\"}", i);
		if (!strcmp(n, "ENVIRONMENT"))
			env = pv;
		else if (!strcmp(n, "ENVIRONMENT_MODIFICATION"))
			mods = pv;
		else if ((rc = ctest_property(m, s, n, pv)))
			return rc;
	}
	return ctest_env(m, s, env, mods);
}

/* Suite indexes [from, n) sorted by name, then index (stable). */
struct name_ix {
	const char *name;
	size_t idx;
};

static int by_name_idx(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static struct name_ix *sorted_names(const struct fg_config *out, size_t from)
{
	size_t n = out->nsuites - from;
	struct name_ix *ix = fg_xcalloc(n + 1, sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		ix[i] = (struct name_ix){ out->suites[from + i].name, from + i };
	qsort(ix, n, sizeof(*ix), by_name_idx);
	return ix;
}

/*
 * CTest names repeat only across directories (add_test refuses a repeat
 * in one): the later tests become "name#2", "name#3", with a warning.
 * Sorted, so 10,000 tests cost O(n log n).
 */
static void unique_names(struct fg_config *out, size_t from, const char *what)
{
	size_t n = out->nsuites - from;
	struct name_ix *ix = sorted_names(out, from);
	char **renamed = fg_xcalloc(n + 1, sizeof(char *));

	for (size_t i = 1, run = 1; i < n; i++) {
		run = strcmp(ix[i].name, ix[i - 1].name) ? 1 : run + 1;
		if (run > 1)
			renamed[ix[i].idx - from] =
				fg_xasprintf("%s#%zu", ix[i].name, run);
	}
	free(ix);
	for (size_t i = 0; i < n; i++) {
		struct fg_suite_cfg *s = &out->suites[from + i];

		if (!renamed[i])
			continue;
		fg_log(FG_LOG_WARN, "import", "%s: two tests are named '%s': "
		       "the later is '%s' here", what, s->name, renamed[i]);
		free(s->name);
		s->name = renamed[i];
	}
	free(renamed);
}

/* DEPENDS naming no test of this build dir: ignored, as ctest does. */
static void drop_unknown_depends(struct fg_config *out, size_t from)
{
	size_t n = out->nsuites - from;
	struct name_ix *ix = sorted_names(out, from);

	for (size_t i = from; i < out->nsuites; i++) {
		char **d = out->suites[i].depends;

		for (size_t k = 0; d && d[k];) {
			struct name_ix key = { d[k], 0 };
			size_t lo = 0, hi = n;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (strcmp(ix[mid].name, key.name) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < n && !strcmp(ix[lo].name, key.name)) {
				k++;
				continue;
			}
			free(d[k]);
			for (size_t x = k; d[x]; x++)
				d[x] = d[x + 1];
		}
	}
	free(ix);
}

static json_t *parse(struct imp *m, const char *json, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);

	if (!root)
		bad(m, "not JSON: line %d, column %d: %s", jerr.line,
		    jerr.column, jerr.text);
	return root;
}

int fg_import_ctest(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err)
{
	struct imp m = { .what = what, .err = err };
	json_t *root = parse(&m, json, len), *tests, *t, *ver;
	size_t i, from = out->nsuites;
	int rc = FG_OK;

	if (!root)
		return FG_ECONFIG;
	ver = json_object_get(json_object_get(root, "version"), "major");
	tests = json_object_get(root, "tests");
	if (!json_is_object(root) ||
	    strcmp(json_string_value(json_object_get(root, "kind")) ?
		   json_string_value(json_object_get(root, "kind")) : "",
		   "ctestInfo") || !json_is_array(tests))
		rc = bad(&m, "not ctest's test list (expected {\"kind\": "
			 "\"ctestInfo\", \"tests\": [...]})");
	else if (json_integer_value(ver) != 1)
		rc = bad(&m, "format version %lld: flakeguard reads version 1",
			 (long long)json_integer_value(ver));
	else if (!json_array_size(tests))
		rc = bad(&m, "no tests (is it a CMake build dir with "
			 "enable_testing() and add_test()?)");
	json_array_foreach(tests, i, t) {
		if (rc)
			break;
		m.test = NULL;
		rc = ctest_test(&m, out, t, build_dir);
	}
	json_decref(root);
	if (rc)
		return rc;
	unique_names(out, from, what);
	drop_unknown_depends(out, from);
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Meson                                                                   */
/* ---------------------------------------------------------------------- */

static int meson_env(struct imp *m, struct fg_suite_cfg *s, json_t *env)
{
	const char *k;
	json_t *v;

	if (!env || json_is_null(env))
		return FG_OK;
	if (!json_is_object(env))
		return bad(m, "\"env\" is not an object");
	json_object_foreach(env, k, v) {
		char *kv;

		if (!*k || strchr(k, '=') || !json_is_string(v))
			return bad(m, "env: '%s' is not a variable with a "
				   "string value", k);
		kv = fg_xasprintf("%s=%s", k, json_string_value(v));
		fg_suite_env_set(s, kv);
		free(kv);
	}
	return FG_OK;
}

static int meson_protocol(struct imp *m, struct fg_suite_cfg *s,
			  const char *p)
{
	if (!p || !strcmp(p, "exitcode"))
		return FG_OK;           /* 77 skip, 99 error: the defaults */
	if (!strcmp(p, "gtest"))
		return FG_OK;           /* GTEST_OUTPUT, as every test gets */
	if (!strcmp(p, "tap")) {
		/* meson: any non-zero exit of a TAP test is an error */
		s->format = FG_FORMAT_TAP;
		s->nskip_codes = 0;
		s->nerror_codes = 0;
		return FG_OK;
	}
	if (!strcmp(p, "rust")) {
		/* libtest has no stable JUnit: the exit status decides */
		s->nskip_codes = 0;
		s->nerror_codes = 0;
		return FG_OK;
	}
	return bad(m, "unknown protocol '%s' (expected exitcode, tap, gtest "
		   "or rust)", p);
}

static int meson_test(struct imp *m, struct fg_config *out, json_t *t,
		      const char *build_dir)
{
	json_t *name = json_object_get(t, "name");
	json_t *workdir = json_object_get(t, "workdir");
	json_t *timeout = json_object_get(t, "timeout");
	json_t *par = json_object_get(t, "is_parallel");
	json_t *prio = json_object_get(t, "priority");
	json_t *proto = json_object_get(t, "protocol");
	struct fg_suite_cfg *s;
	int rc;

	if (!json_is_object(t) || !json_is_string(name) ||
	    !*json_string_value(name))
		return bad(m, "a test without a name");
	m->test = json_string_value(name);
	s = fg_config_new_suite(out);
	s->name = fg_xstrdup(m->test);
	if (!(s->argv = strv_of(json_object_get(t, "cmd"), false)) ||
	    !*s->argv[0])
		return bad(m, "\"cmd\" is not a non-empty list of strings");
	if (json_is_string(workdir) && *json_string_value(workdir))
		s->cwd = fg_xstrdup(json_string_value(workdir));
	else if (workdir && !json_is_null(workdir))
		return bad(m, "\"workdir\" is neither a directory nor null");
	else
		s->cwd = fg_xstrdup(build_dir);
	if (timeout && !json_is_number(timeout))
		return bad(m, "\"timeout\" is not a number");
	if (json_number_value(timeout) > 0) /* 0 or less: meson's none */
		s->timeout_ms = (int64_t)(json_number_value(timeout) * 1000);
	if (par && !json_is_boolean(par))
		return bad(m, "\"is_parallel\" is not true or false");
	s->exclusive = json_is_false(par);
	if (prio && !json_is_integer(prio))
		return bad(m, "\"priority\" is not an integer");
	if (prio) {
		json_int_t p = json_integer_value(prio);

		s->priority = p > 1000000 ? 1000000 : p < -1000000 ? -1000000 :
			      (int)p;
	}
	if (json_object_get(t, "suite") &&
	    !(s->labels = strv_of(json_object_get(t, "suite"), true)))
		return bad(m, "\"suite\" is not a list of strings");
	if (proto && !json_is_string(proto))
		return bad(m, "\"protocol\" is not a string");
	if ((rc = meson_protocol(m, s, json_string_value(proto))))
		return rc;
	if (s->format != FG_FORMAT_TAP)
		fg_suite_env_set(s, "GTEST_OUTPUT=xml:{junit}");
	return meson_env(m, s, json_object_get(t, "env"));
}

/*
 * Meson test names repeat across suites (and subprojects). The rule: a
 * name that is unique in the build dir stays as it is; a repeated one
 * becomes "SUITES/NAME", SUITES as meson test prints them
 * ("fgm:a/dup", "fgm:b/dup"; meson test prints "fgm:a / dup"); if that
 * still repeats, the later ones get "#2", "#3" in introspection order.
 * The same build dir always gives the same names.
 */
/*
 * Meson's own way of printing a test's suites (mtest.py
 * get_pretty_suite): the first suite's project, then ':' and the suite
 * parts of all of them joined by '+', when any has one: "fgm:fast+unit",
 * "fgm". No suite at all: "-".
 */
static void meson_pretty_suites(char **labels, char *out, size_t n)
{
	size_t plen;
	bool any = false;

	if (!labels || !*labels) {
		snprintf(out, n, "-");
		return;
	}
	plen = strcspn(labels[0], ":");
	snprintf(out, n, "%.*s", (int)plen, labels[0]);
	for (char **l = labels; *l; l++)
		any |= strchr(*l, ':') && strchr(*l, ':')[1];
	if (!any)
		return;
	for (char **l = labels; *l; l++) {
		const char *c = strchr(*l, ':');

		snprintf(out + strlen(out), n - strlen(out), "%s%s",
			 l == labels ? ":" : "+", c ? c + 1 : "");
	}
}

static void meson_names(struct fg_config *out, size_t from, const char *what)
{
	size_t n = out->nsuites - from;
	struct name_ix *ix = sorted_names(out, from);
	bool *rep = fg_xcalloc(n + 1, sizeof(bool));

	for (size_t i = 1; i < n; i++)
		if (!strcmp(ix[i].name, ix[i - 1].name))
			rep[ix[i].idx - from] = rep[ix[i - 1].idx - from] = true;
	free(ix);
	for (size_t i = 0; i < n; i++) {
		struct fg_suite_cfg *s = &out->suites[from + i];
		char suites[512] = "", *full;

		if (!rep[i])
			continue;
		meson_pretty_suites(s->labels, suites, sizeof(suites));
		full = fg_xasprintf("%s/%s", suites, s->name);
		free(s->name);
		s->name = full;
	}
	free(rep);
	unique_names(out, from, what);
}

int fg_import_meson(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err)
{
	struct imp m = { .what = what, .err = err };
	json_t *root = parse(&m, json, len), *t;
	size_t i, from = out->nsuites;
	int rc = FG_OK;

	if (!root)
		return FG_ECONFIG;
	if (!json_is_array(root))
		rc = bad(&m, "not meson's test list (expected a JSON list of "
			 "tests)");
	else if (!json_array_size(root))
		rc = bad(&m, "no tests (does meson.build declare test()?)");
	json_array_foreach(root, i, t) {
		if (rc)
			break;
		m.test = NULL;
		rc = meson_test(&m, out, t, build_dir);
	}
	json_decref(root);
	if (rc)
		return rc;
	meson_names(out, from, what);
	return FG_OK;
}
