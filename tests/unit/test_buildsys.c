/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_buildsys.c - tests of build systems as suites
 * (core/buildsys.c), the config's "from" and its entries laid over them
 * (core/config.c), and what suites wait for (core/deps.c).
 *
 * The JSON here is what ctest 3.25 and meson 1.0 print for small
 * projects (docs in /work/shared/BUILD-SYSTEMS.md), then broken on
 * purpose. The e2e cases run the real tools (tests/e2e/cases/006x).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WHAT "ctest --show-only=json-v1 in 'build'"

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fg-test-bs-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const struct fg_suite_cfg *find(const struct fg_config *cfg,
				       const char *name)
{
	long i = fg_config_find(cfg, name);

	if (i < 0)
		fail_msg("no suite '%s'", name);
	return &cfg->suites[i];
}

/* The value of KEY in a suite's env, or NULL. */
static const char *env_of(const struct fg_suite_cfg *s, const char *key)
{
	size_t k = strlen(key);

	for (char **e = s->env; e && *e; e++)
		if (!strncmp(*e, key, k) && (*e)[k] == '=')
			return *e + k + 1;
	return NULL;
}

static bool has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static int import_ctest(struct fg_config *cfg, const char *json,
			struct fg_error *err)
{
	return fg_import_ctest(cfg, json, strlen(json), "/abs/build", WHAT,
			       err);
}

/* ---------------------------------------------------------------------- */
/* CTest                                                                   */
/* ---------------------------------------------------------------------- */

#define CTEST_HEAD "{\"kind\": \"ctestInfo\", \"version\": {\"major\": 1, " \
		   "\"minor\": 0}, \"backtraceGraph\": {}, \"tests\": ["
#define CTEST_TAIL "]}"

static void test_ctest_properties(void **state)
{
	const char *json = CTEST_HEAD
		"{\"name\": \"plain\", \"command\": [\"/b/t\", \"-x\"],"
		" \"properties\": [{\"name\": \"WORKING_DIRECTORY\","
		" \"value\": \"/abs/build\"}]},"
		"{\"name\": \"all\", \"command\": [\"/usr/bin/sh\", \"-c\", \"x\"],"
		" \"properties\": ["
		"  {\"name\": \"COST\", \"value\": 3.0},"
		"  {\"name\": \"ENVIRONMENT\", \"value\": [\"FOO=bar\", \"R=base\"]},"
		"  {\"name\": \"LABELS\", \"value\": [\"fast\", \"unit\"]},"
		"  {\"name\": \"PROCESSORS\", \"value\": 2},"
		"  {\"name\": \"RUN_SERIAL\", \"value\": true},"
		"  {\"name\": \"TIMEOUT\", \"value\": 7.5},"
		"  {\"name\": \"SKIP_RETURN_CODE\", \"value\": 4},"
		"  {\"name\": \"WILL_FAIL\", \"value\": \"ON\"},"
		"  {\"name\": \"RESOURCE_LOCK\", \"value\": [\"port\", \"x\"]},"
		"  {\"name\": \"FIXTURES_REQUIRED\", \"value\": [\"db\"]},"
		"  {\"name\": \"DEPENDS\", \"value\": [\"plain\", \"gone\"]},"
		"  {\"name\": \"PASS_REGULAR_EXPRESSION\", \"value\": [\"hel+o\"]},"
		"  {\"name\": \"FAIL_REGULAR_EXPRESSION\", \"value\": \"bad\"},"
		"  {\"name\": \"SKIP_REGULAR_EXPRESSION\", \"value\": [\"skip(me)?\"]},"
		"  {\"name\": \"REQUIRED_FILES\", \"value\": [\"a.txt\"]},"
		"  {\"name\": \"WORKING_DIRECTORY\", \"value\": \"/tmp\"}]},"
		"{\"name\": \"off\", \"command\": [\"/bin/false\"],"
		" \"properties\": [{\"name\": \"DISABLED\", \"value\": true},"
		"  {\"name\": \"FIXTURES_SETUP\", \"value\": [\"db\"]},"
		"  {\"name\": \"FIXTURES_CLEANUP\", \"value\": [\"db2\"]}]},"
		"{\"name\": \"unbuilt\", \"properties\": []}"
		CTEST_TAIL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	const struct fg_suite_cfg *s;

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(import_ctest(&cfg, json, &err), FG_OK);
	assert_int_equal(cfg.nsuites, 4);
	s = find(&cfg, "plain");
	assert_string_equal(s->argv[0], "/b/t");
	assert_string_equal(s->argv[1], "-x");
	assert_string_equal(s->cwd, "/abs/build");
	/* CTest knows neither 77 nor 99 */
	assert_int_equal(s->nskip_codes, 0);
	assert_int_equal(s->nerror_codes, 0);
	assert_string_equal(env_of(s, "GTEST_OUTPUT"), "xml:{junit}");
	assert_null(s->broken);
	assert_null(s->disabled);

	s = find(&cfg, "all");
	assert_string_equal(s->cwd, "/tmp");
	assert_string_equal(env_of(s, "FOO"), "bar");
	assert_true(has(s->labels, "fast") && has(s->labels, "unit"));
	assert_int_equal(s->slots, 2);
	assert_true(s->exclusive);
	assert_int_equal(s->timeout_ms, 7500);
	assert_int_equal(s->nskip_codes, 1);
	assert_int_equal(s->skip_codes[0], 4);
	assert_true(s->will_fail);
	assert_true(has(s->locks, "port") && has(s->locks, "x"));
	assert_true(has(s->fixtures_required, "db"));
	/* DEPENDS on a test that does not exist: dropped, as ctest does */
	assert_true(has(s->depends, "plain"));
	assert_false(has(s->depends, "gone"));
	assert_string_equal(s->pass_regex[0], "hel+o");
	assert_string_equal(s->fail_regex[0], "bad"); /* one string: a list */
	assert_string_equal(s->skip_regex[0], "skip(me)?");
	assert_string_equal(s->required_files[0], "a.txt");

	s = find(&cfg, "off");
	assert_string_equal(s->disabled, "DISABLED in CTest");
	assert_true(has(s->fixtures_setup, "db"));
	assert_true(has(s->fixtures_cleanup, "db2"));

	/* no command: ctest could not find its program; run, it is an error */
	s = find(&cfg, "unbuilt");
	assert_non_null(s->broken);
	assert_non_null(strstr(s->broken, "no command"));
	assert_non_null(s->argv);
	fg_config_release(&cfg);
}

static void test_ctest_environment_modification(void **state)
{
	const char *json = CTEST_HEAD
		"{\"name\": \"m\", \"command\": [\"/b/t\"], \"properties\": ["
		" {\"name\": \"ENVIRONMENT_MODIFICATION\", \"value\": ["
		"  \"FGT_P=path_list_prepend:/x\", \"FGT_P=path_list_append:/y\","
		"  \"FGT_S=set:1\", \"FGT_S=string_append:2\","
		"  \"FGT_S=string_prepend:0\","
		"  \"FGT_U=unset:\","
		"  \"FGT_R=set:zz\", \"FGT_R=reset:\","
		"  \"FGT_L=cmake_list_append:a\", \"FGT_L=cmake_list_prepend:b\","
		"  \"FGT_E=path_list_append:only\"]},"
		" {\"name\": \"ENVIRONMENT\", \"value\": [\"FGT_R=base\"]}]}"
		CTEST_TAIL;
	struct fg_config cfg;
	struct fg_error err = { 0 };
	const struct fg_suite_cfg *s;

	(void)state;
	setenv("FGT_P", "/a", 1);
	setenv("FGT_U", "gone", 1);
	unsetenv("FGT_E");
	fg_config_init(&cfg);
	assert_int_equal(import_ctest(&cfg, json, &err), FG_OK);
	s = &cfg.suites[0];
	/* ENVIRONMENT first, whatever order the properties come in */
	assert_string_equal(env_of(s, "FGT_P"), "/x:/a:/y");
	assert_string_equal(env_of(s, "FGT_S"), "012");
	assert_null(env_of(s, "FGT_U"));
	assert_true(has(s->env_unset, "FGT_U"));
	assert_string_equal(env_of(s, "FGT_R"), "base");
	assert_string_equal(env_of(s, "FGT_L"), "b;a");
	assert_string_equal(env_of(s, "FGT_E"), "only");
	fg_config_release(&cfg);
	unsetenv("FGT_P");
	unsetenv("FGT_U");
}

static void expect_ctest_error(const char *json, const char *needle)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };

	fg_config_init(&cfg);
	assert_int_equal(import_ctest(&cfg, json, &err), FG_ECONFIG);
	if (!strstr(err.msg, needle) || !strstr(err.msg, WHAT))
		fail_msg("error '%s' lacks '%s' or the command", err.msg,
			 needle);
	fg_config_release(&cfg);
}

static void test_ctest_bad_input(void **state)
{
	(void)state;
	expect_ctest_error("", "not JSON");
	expect_ctest_error("No tests were found!!!\n", "not JSON: line 1");
	expect_ctest_error("{\"kind\": \"ctestInfo\", \"tests\": [", "not JSON");
	expect_ctest_error("[]", "not ctest's test list");
	expect_ctest_error("{\"kind\": \"other\", \"tests\": []}",
			   "not ctest's test list");
	expect_ctest_error("{\"kind\": \"ctestInfo\", \"version\": {\"major\": 2},"
			   " \"tests\": []}", "format version 2");
	expect_ctest_error(CTEST_HEAD CTEST_TAIL, "no tests");
	expect_ctest_error(CTEST_HEAD "{\"command\": [\"a\"]}" CTEST_TAIL,
			   "a test without a name");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": \"a\"}"
			   CTEST_TAIL, "test 't': \"command\" is not a list");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"\"]}"
			   CTEST_TAIL, "test 't'");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": {}}" CTEST_TAIL,
			   "\"properties\" is not a list");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": \"TIMEOUT\"}]}"
			   CTEST_TAIL, "properties[0] is not");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": \"TIMEOUT\", "
			   "\"value\": \"soon\"}]}" CTEST_TAIL,
			   "test 't': TIMEOUT: expected a number");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": \"LABELS\", "
			   "\"value\": [1]}]}" CTEST_TAIL,
			   "LABELS: expected a list of strings");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": "
			   "\"PASS_REGULAR_EXPRESSION\", \"value\": [\"(\"]}]}"
			   CTEST_TAIL, "PASS_REGULAR_EXPRESSION: '('");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": "
			   "\"ENVIRONMENT_MODIFICATION\", \"value\": "
			   "[\"A=frob:1\"]}]}" CTEST_TAIL,
			   "unknown operation 'frob'");
	expect_ctest_error(CTEST_HEAD "{\"name\": \"t\", \"command\": [\"a\"],"
			   " \"properties\": [{\"name\": "
			   "\"ENVIRONMENT_MODIFICATION\", \"value\": "
			   "[\"novalue\"]}]}" CTEST_TAIL, "is not VAR=OP:VALUE");
}

/* Tests of one name in two directories: the later is "name#2". */
static void test_ctest_repeated_names(void **state)
{
	const char *json = CTEST_HEAD
		"{\"name\": \"t\", \"command\": [\"/a/t\"]},"
		"{\"name\": \"u\", \"command\": [\"/a/u\"]},"
		"{\"name\": \"t\", \"command\": [\"/b/t\"]},"
		"{\"name\": \"t\", \"command\": [\"/c/t\"]}"
		CTEST_TAIL;
	struct fg_config cfg;
	struct fg_error err = { 0 };

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(import_ctest(&cfg, json, &err), FG_OK);
	assert_string_equal(cfg.suites[0].name, "t");
	assert_string_equal(cfg.suites[2].name, "t#2");
	assert_string_equal(cfg.suites[2].argv[0], "/b/t");
	assert_string_equal(cfg.suites[3].name, "t#3");
	assert_int_equal(fg_config_check(&cfg, &err), FG_OK);
	fg_config_release(&cfg);
}

/* ---------------------------------------------------------------------- */
/* Meson                                                                   */
/* ---------------------------------------------------------------------- */

static void test_meson_tests(void **state)
{
	const char *json = "["
		"{\"cmd\": [\"/usr/bin/sh\", \"-c\", \"true\"], \"env\": "
		"{\"FOO\": \"bar\"}, \"name\": \"envt\", \"workdir\": \"/tmp\","
		" \"timeout\": 5, \"suite\": [\"fgm\"], \"is_parallel\": false,"
		" \"priority\": 10, \"protocol\": \"exitcode\", \"depends\": []},"
		"{\"cmd\": [\"/bin/true\"], \"env\": {}, \"name\": \"pass\","
		" \"workdir\": null, \"timeout\": 0, \"suite\": [\"fgm:fast\","
		" \"fgm:unit\"], \"is_parallel\": true, \"priority\": 0,"
		" \"protocol\": \"tap\", \"depends\": []},"
		"{\"cmd\": [\"/b/gt\"], \"env\": {}, \"name\": \"gt\","
		" \"workdir\": null, \"timeout\": 30, \"suite\": [\"fgm\"],"
		" \"is_parallel\": true, \"priority\": 0, \"protocol\": \"gtest\","
		" \"depends\": [\"gt@exe\"]},"
		"{\"cmd\": [\"/b/r\"], \"env\": {}, \"name\": \"rs\","
		" \"workdir\": null, \"timeout\": 30, \"suite\": [\"fgm\"],"
		" \"is_parallel\": true, \"priority\": -3, \"protocol\": \"rust\"},"
		"{\"cmd\": [\"/b/d1\"], \"name\": \"dup\", \"suite\": [\"fgm:a\"]},"
		"{\"cmd\": [\"/b/d2\"], \"name\": \"dup\", \"suite\": [\"fgm:b\"]},"
		"{\"cmd\": [\"/b/d3\"], \"name\": \"dup\", \"suite\": [\"fgm:b\"]},"
		"{\"cmd\": [\"/b/d4\"], \"name\": \"dup\", \"suite\": [\"fgm\"]}"
		"]";
	struct fg_config cfg;
	struct fg_error err = { 0 };
	const struct fg_suite_cfg *s;

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(fg_import_meson(&cfg, json, strlen(json), "/abs/b",
					 "meson", &err), FG_OK);
	s = find(&cfg, "envt");
	assert_string_equal(s->cwd, "/tmp");
	assert_string_equal(env_of(s, "FOO"), "bar");
	assert_int_equal(s->timeout_ms, 5000);
	assert_true(s->exclusive);
	assert_int_equal(s->priority, 10);
	assert_int_equal(s->format, FG_FORMAT_JUNIT);
	assert_int_equal(s->nskip_codes, 1);   /* exitcode: 77 and 99 */
	assert_int_equal(s->skip_codes[0], 77);
	assert_int_equal(s->error_codes[0], 99);
	assert_true(has(s->labels, "fgm"));
	s = find(&cfg, "pass");
	assert_string_equal(s->cwd, "/abs/b"); /* workdir null: build dir */
	assert_int_equal(s->timeout_ms, 0);    /* none: the run's */
	assert_false(s->exclusive);
	assert_int_equal(s->format, FG_FORMAT_TAP);
	assert_int_equal(s->nskip_codes, 0);
	assert_null(env_of(s, "GTEST_OUTPUT")); /* TAP on stdout instead */
	assert_true(has(s->labels, "fgm:fast") && has(s->labels, "fgm:unit"));
	s = find(&cfg, "gt");
	assert_string_equal(env_of(s, "GTEST_OUTPUT"), "xml:{junit}");
	s = find(&cfg, "rs");
	assert_int_equal(s->nskip_codes, 0);
	assert_int_equal(s->priority, -3);
	/* repeated names: meson test's own spelling of the suites, then #N */
	assert_string_equal(find(&cfg, "fgm:a/dup")->argv[0], "/b/d1");
	assert_string_equal(find(&cfg, "fgm:b/dup")->argv[0], "/b/d2");
	assert_string_equal(find(&cfg, "fgm:b/dup#2")->argv[0], "/b/d3");
	assert_string_equal(find(&cfg, "fgm/dup")->argv[0], "/b/d4");
	assert_int_equal(fg_config_check(&cfg, &err), FG_OK);
	fg_config_release(&cfg);
}

static void expect_meson_error(const char *json, const char *needle)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };

	fg_config_init(&cfg);
	assert_int_equal(fg_import_meson(&cfg, json, strlen(json), "/b",
					 "meson introspect --tests 'b'", &err),
			 FG_ECONFIG);
	if (!strstr(err.msg, needle) ||
	    !strstr(err.msg, "meson introspect --tests 'b'"))
		fail_msg("error '%s' lacks '%s' or the command", err.msg,
			 needle);
	fg_config_release(&cfg);
}

static void test_meson_bad_input(void **state)
{
	(void)state;
	expect_meson_error("Current directory is not a meson build directory.",
			   "not JSON");
	expect_meson_error("{}", "not meson's test list");
	expect_meson_error("[]", "no tests");
	expect_meson_error("[{\"cmd\": [\"a\"]}]", "a test without a name");
	expect_meson_error("[{\"name\": \"t\"}]", "test 't': \"cmd\"");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": []}]", "test 't': \"cmd\"");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": [\"a\"], \"protocol\": "
			   "\"junit\"}]", "unknown protocol 'junit'");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": [\"a\"], \"timeout\": "
			   "\"30\"}]", "\"timeout\" is not a number");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": [\"a\"], \"env\": "
			   "{\"A\": 1}}]", "env: 'A'");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": [\"a\"], \"workdir\": 3}]",
			   "\"workdir\"");
	expect_meson_error("[{\"name\": \"t\", \"cmd\": [\"a\"], \"suite\": "
			   "\"x\"}]", "\"suite\" is not a list");
}

/* ---------------------------------------------------------------------- */
/* "from" and the entries laid over imported tests                         */
/* ---------------------------------------------------------------------- */

static void test_layer_entries_over_imported(void **state)
{
	const char *path = write_file("from.json",
		"{\"from\": {\"ctest\": \"build\"}, \"groups\": {\"g\": "
		"{\"max\": 1}},\n"
		" \"suites\": [\n"
		"  {\"name\": \"all\", \"retries\": 3, \"env\": {\"NEW\": \"1\","
		"   \"FOO\": \"mine\"}, \"labels\": [\"slow\"], \"will_fail\": false,"
		"   \"group\": \"g\", \"timeout\": \"9s\"},\n"
		"  {\"name\": \"plain\", \"command\": [\"/other\"], "
		"   \"skip_exit_codes\": [77]},\n"
		"  {\"name\": \"off\", \"disabled\": false},\n"
		"  {\"name\": \"own\", \"command\": [\"/bin/true\"], "
		"   \"depends\": [\"plain\"]}\n"
		" ]}\n");
	const char *json = CTEST_HEAD
		"{\"name\": \"plain\", \"command\": [\"/b/t\"]},"
		"{\"name\": \"all\", \"command\": [\"/b/all\"], \"properties\": ["
		"  {\"name\": \"ENVIRONMENT\", \"value\": [\"FOO=bar\"]},"
		"  {\"name\": \"LABELS\", \"value\": [\"fast\"]},"
		"  {\"name\": \"TIMEOUT\", \"value\": 60},"
		"  {\"name\": \"WILL_FAIL\", \"value\": true}]},"
		"{\"name\": \"off\", \"command\": [\"/b/off\"], \"properties\": ["
		"  {\"name\": \"DISABLED\", \"value\": true}]}"
		CTEST_TAIL;
	struct fg_config cfg, imp;
	struct fg_error err = { 0 };
	const struct fg_suite_cfg *s;

	(void)state;
	fg_config_init(&cfg);
	fg_config_init(&imp);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_OK);
	assert_string_equal(cfg.from_ctest, "build");
	assert_int_equal(import_ctest(&imp, json, &err), FG_OK);
	assert_int_equal(fg_config_layer(&cfg, &imp, "ctest 'build'", &err),
			 FG_OK);
	assert_int_equal(imp.nsuites, 0);
	/* imported first, in ctest's order; then own suites */
	assert_int_equal(cfg.nsuites, 4);
	assert_string_equal(cfg.suites[0].name, "plain");
	assert_string_equal(cfg.suites[3].name, "own");
	s = find(&cfg, "all");
	assert_int_equal(s->retries, 3);
	assert_int_equal(s->timeout_ms, 9000);
	assert_string_equal(env_of(s, "FOO"), "mine");   /* replaced */
	assert_string_equal(env_of(s, "NEW"), "1");      /* added */
	assert_string_equal(env_of(s, "GTEST_OUTPUT"), "xml:{junit}"); /* kept */
	assert_true(has(s->labels, "slow") && !has(s->labels, "fast"));
	assert_false(s->will_fail);
	assert_string_equal(s->group, "g");
	assert_string_equal(s->argv[0], "/b/all");
	s = find(&cfg, "plain");
	assert_string_equal(s->argv[0], "/other");
	assert_int_equal(s->skip_codes[0], 77);
	assert_int_equal(s->nskip_codes, 1);
	assert_string_equal(s->cwd, "/abs/build");
	assert_null(find(&cfg, "off")->disabled);
	assert_true(has(find(&cfg, "own")->depends, "plain"));
	fg_config_release(&cfg);
	fg_config_release(&imp);
}

static void expect_layer_error(const char *config, const char *json,
			       const char *needle)
{
	const char *path = write_file("layer.json", config);
	struct fg_config cfg, imp;
	struct fg_error err = { 0 };

	fg_config_init(&cfg);
	fg_config_init(&imp);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_OK);
	assert_int_equal(import_ctest(&imp, json, &err), FG_OK);
	assert_int_equal(fg_config_layer(&cfg, &imp, "ctest 'build'", &err),
			 FG_ECONFIG);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	fg_config_release(&cfg);
	fg_config_release(&imp);
}

static void test_layer_errors(void **state)
{
	const char *one = CTEST_HEAD "{\"name\": \"t\", \"command\": [\"/t\"]}"
			  CTEST_TAIL;

	(void)state;
	/* an entry without command names no imported test: a typo */
	expect_layer_error("{\"from\": {\"ctest\": \"b\"}, \"suites\": "
			   "[{\"name\": \"tt\", \"retries\": 1}]}", one,
			   "suites[0]: no \"command\", and ctest 'build' has "
			   "no test named 'tt'");
	/* what spans suites is checked once the tests are in */
	expect_layer_error("{\"from\": {\"ctest\": \"b\"}, \"suites\": "
			   "[{\"name\": \"t\", \"depends\": [\"x\"]}]}", one,
			   "\"depends\" names 'x'");
	expect_layer_error("{\"from\": {\"ctest\": \"b\"}, \"suites\": "
			   "[{\"name\": \"u\", \"command\": \"x\", \"depends\": "
			   "[\"t\"]}, {\"name\": \"t\", \"depends\": [\"u\"]}]}",
			   one, "a cycle of dependencies");
}

static void expect_config_error(const char *text, const char *needle)
{
	const char *path = write_file("bad.json", text);
	struct fg_config cfg;
	struct fg_error err = { 0 };

	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_ECONFIG);
	if (!strstr(err.msg, needle) || !strstr(err.msg, "bad.json"))
		fail_msg("error '%s' lacks '%s' or the file", err.msg, needle);
	fg_config_release(&cfg);
}

static void test_config_new_keys(void **state)
{
	(void)state;
	expect_config_error("{\"from\": {\"cmake\": \"b\"}}",
			    "from.cmake: unknown build system");
	expect_config_error("{\"from\": {}}", "from: expected");
	expect_config_error("{\"from\": {\"ctest\": \"\"}}", "from.ctest");
	expect_config_error("{\"suites\": [{\"name\": \"x\"}]}",
			    "suites[0]: missing \"command\"");
	expect_config_error("{\"from\": {\"ctest\": \"b\"}, \"suites\": "
			    "[{\"retries\": 2}]}", "suites[0]: missing \"name\"");
	expect_config_error("{\"suites\": [{\"command\": \"a\", \"fail_regex\": "
			    "[\"a[\"]}]}", "suites[0].fail_regex: item 0: invalid "
			    "regular expression 'a['");
	expect_config_error("{\"suites\": [{\"name\": \"a\", \"command\": "
			    "\"a\", \"depends\": [\"b\"]}]}",
			    "suite 'a': \"depends\" names 'b'");
	expect_config_error("{\"suites\": [{\"name\": \"a\", \"command\": \"a\", "
			    "\"depends\": [\"b\"]}, {\"name\": \"b\", \"command\": "
			    "\"b\", \"fixtures\": {\"requires\": [\"f\"]}}, "
			    "{\"name\": \"c\", \"command\": \"c\", \"fixtures\": "
			    "{\"setup\": [\"f\"]}, \"depends\": [\"a\"]}]}",
			    "a cycle of dependencies");
	expect_config_error("{\"suites\": [{\"command\": \"a\", \"disabled\": "
			    "true}]}", "expected a reason");
	expect_config_error("{\"suites\": [{\"command\": \"a\", \"priority\": "
			    "\"high\"}]}", "suites[0].priority");
}

/* ---------------------------------------------------------------------- */
/* Dependencies                                                            */
/* ---------------------------------------------------------------------- */

static bool edge(const struct fg_deps *d, size_t from, size_t to,
		 const char *fixture)
{
	for (size_t k = 0; k < d->n[from]; k++)
		if (d->of[from][k].suite == to &&
		    (fixture ? d->of[from][k].fixture &&
			       !strcmp(d->of[from][k].fixture, fixture) :
			       !d->of[from][k].fixture))
			return true;
	return false;
}

static void test_deps_fixtures_and_depends(void **state)
{
	const char *path = write_file("deps.json",
		"{\"suites\": [\n"
		" {\"name\": \"setup\", \"command\": \"s\", \"fixtures\": "
		"  {\"setup\": [\"db\"], \"requires\": [\"net\"]}},\n"
		" {\"name\": \"use1\", \"command\": \"u\", \"fixtures\": "
		"  {\"requires\": [\"db\"]}},\n"
		" {\"name\": \"use2\", \"command\": \"u\", \"fixtures\": "
		"  {\"requires\": [\"db\", \"nobody\"]}, \"depends\": [\"use1\"]},\n"
		" {\"name\": \"clean\", \"command\": \"c\", \"fixtures\": "
		"  {\"cleanup\": [\"db\"]}},\n"
		" {\"name\": \"net\", \"command\": \"n\", \"fixtures\": "
		"  {\"setup\": [\"net\"], \"requires\": [\"net\"]}},\n"
		" {\"name\": \"alone\", \"command\": \"a\"}\n"
		"]}\n");
	struct fg_config cfg;
	struct fg_error err = { 0 };
	struct fg_deps d;
	bool keep[6] = { false, false, true, false, false, false };

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_OK);
	assert_int_equal(fg_deps_build(&cfg, &d, &err), FG_OK);
	assert_true(edge(&d, 1, 0, "db"));        /* use1 waits for setup */
	assert_true(edge(&d, 2, 0, "db"));
	assert_true(edge(&d, 2, 1, NULL));        /* depends: order only */
	assert_true(edge(&d, 3, 0, NULL));        /* cleanup: the setup, */
	assert_true(edge(&d, 3, 1, NULL));        /* and every user */
	assert_true(edge(&d, 3, 2, NULL));
	assert_int_equal(d.n[3], 3);
	assert_true(edge(&d, 0, 4, "net"));       /* setups chain */
	assert_int_equal(d.n[4], 0);              /* not itself */
	assert_int_equal(d.n[5], 0);
	fg_deps_release(&d);
	/* what a selection of use2 brings along: db's setup and cleanup,
	 * and net's setup, which db's setup requires */
	assert_int_equal(fg_fixtures_close(&cfg, keep), 3);
	assert_true(keep[0] && keep[3] && keep[4]);
	assert_false(keep[1] || keep[5]);
	fg_config_release(&cfg);
}

/* A chain of 20,000 dependencies: no recursion to overflow. */
static void test_deps_long_chain(void **state)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };
	struct fg_deps d;
	size_t n = 20000;

	(void)state;
	fg_config_init(&cfg);
	for (size_t i = 0; i < n; i++) {
		struct fg_suite_cfg *s = fg_config_new_suite(&cfg);

		s->name = fg_xasprintf("t%zu", i);
		s->argv = fg_xcalloc(2, sizeof(char *));
		s->argv[0] = fg_xstrdup("true");
		if (i) {
			s->depends = fg_xcalloc(2, sizeof(char *));
			s->depends[0] = fg_xasprintf("t%zu", i - 1);
		}
	}
	assert_int_equal(fg_deps_build(&cfg, &d, &err), FG_OK);
	fg_deps_release(&d);
	/* close the ring: t0 waits for the last */
	cfg.suites[0].depends = fg_xcalloc(2, sizeof(char *));
	cfg.suites[0].depends[0] = fg_xasprintf("t%zu", n - 1);
	assert_int_equal(fg_deps_build(&cfg, &d, &err), FG_ECONFIG);
	assert_non_null(strstr(err.msg, "a cycle"));
	fg_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctest_properties),
		cmocka_unit_test(test_ctest_environment_modification),
		cmocka_unit_test(test_ctest_bad_input),
		cmocka_unit_test(test_ctest_repeated_names),
		cmocka_unit_test(test_meson_tests),
		cmocka_unit_test(test_meson_bad_input),
		cmocka_unit_test(test_layer_entries_over_imported),
		cmocka_unit_test(test_layer_errors),
		cmocka_unit_test(test_config_new_keys),
		cmocka_unit_test(test_deps_fixtures_and_depends),
		cmocka_unit_test(test_deps_long_chain),
	};

	return cmocka_run_group_tests_name("buildsys", tests, setup_tmp,
					   teardown_tmp);
}
