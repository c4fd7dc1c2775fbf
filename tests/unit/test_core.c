/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_core.c - durations, the capped buffer, the model's
 * outcome rules, and flakeguard.json loading (real files in a temp dir).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Durations                                                               */
/* ---------------------------------------------------------------------- */

static void test_duration_parse_units(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} ok[] = {
		{ "90s", 90000 }, { "5m", 300000 }, { "1500ms", 1500 },
		{ "1h", 3600000 }, { "2.5s", 2500 }, { "12", 12000 },
		{ "0", 0 }, { "3min", 180000 },
	};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(fg_duration_parse(ok[i].in, &ms, NULL), FG_OK);
		assert_int_equal(ms, ok[i].ms);
	}
}

static void test_duration_parse_rejects(void **state)
{
	const char *bad[] = { "", "s", "-1s", "5x", "1e400", "nan", "5 s",
			      "ms5" };
	struct fg_error err;
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(fg_duration_parse(bad[i], &ms, &err),
				 FG_EINVAL);
	fg_duration_parse("5x", &ms, &err);
	assert_non_null(strstr(err.msg, "'5x'"));
}

static void test_duration_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(fg_duration_format(12, b, sizeof(b)), "12ms");
	assert_string_equal(fg_duration_format(1234, b, sizeof(b)), "1.234s");
	assert_string_equal(fg_duration_format(123000, b, sizeof(b)), "2m03s");
}

/* ---------------------------------------------------------------------- */
/* Capped buffer                                                           */
/* ---------------------------------------------------------------------- */

static void test_buf_keeps_all_when_small(void **state)
{
	struct fg_buf b;
	char *s;

	(void)state;
	fg_buf_init(&b, 64);
	fg_buf_append(&b, "hello ", 6);
	fg_buf_append(&b, "world", 5);
	s = fg_buf_text(&b);
	assert_string_equal(s, "hello world");
	assert_int_equal(fg_buf_dropped(&b), 0);
	free(s);
	fg_buf_release(&b);
}

static void test_buf_keeps_head_and_tail(void **state)
{
	struct fg_buf b;
	char chunk[16];
	char *s;

	(void)state;
	fg_buf_init(&b, 20); /* 10 head + 10 tail */
	for (int i = 0; i < 1000; i++) {
		snprintf(chunk, sizeof(chunk), "%06d", i);
		fg_buf_append(&b, chunk, 6);
	}
	assert_int_equal(b.total, 6000);
	assert_int_equal(fg_buf_dropped(&b), 5980);
	s = fg_buf_text(&b);
	/* head: "0000000000", tail: last 10 bytes of "...000998000999" */
	assert_int_equal(strncmp(s, "0000000000", 10), 0);
	assert_non_null(strstr(s, "[... 5980 bytes truncated ...]"));
	assert_string_equal(s + strlen(s) - 10, "0998000999");
	free(s);
	s = fg_buf_tail_text(&b, 4);
	assert_string_equal(s, "0999");
	free(s);
	fg_buf_release(&b);
}

static void test_buf_one_huge_append(void **state)
{
	struct fg_buf b;
	char *big = malloc(100000);
	char *s;

	(void)state;
	memset(big, 'a', 100000);
	big[99999] = 'z';
	fg_buf_init(&b, 100);
	fg_buf_append(&b, big, 100000);
	fg_buf_append(&b, "!", 1);
	s = fg_buf_text(&b);
	assert_int_equal(s[strlen(s) - 1], '!');
	assert_int_equal(s[strlen(s) - 2], 'z');
	assert_int_equal(fg_buf_dropped(&b), 100001 - 100);
	free(s);
	free(big);
	fg_buf_release(&b);
}

/* ---------------------------------------------------------------------- */
/* Model                                                                   */
/* ---------------------------------------------------------------------- */

static enum fg_outcome settle(const enum fg_astatus *st, size_t n)
{
	struct fg_run run;
	struct fg_test *t;
	enum fg_outcome o;

	fg_run_init(&run);
	t = fg_run_add_test(&run, "s", NULL, "t");
	for (size_t i = 0; i < n; i++)
		fg_test_add_attempt(t, st[i], 5, i ? NULL : "m", NULL);
	fg_test_settle(t);
	o = t->outcome;
	assert_string_equal(t->classname, "");
	fg_run_release(&run);
	return o;
}

static void test_outcome_rules(void **state)
{
	const enum fg_astatus pass[] = { FG_A_PASSED };
	const enum fg_astatus fail[] = { FG_A_FAILED };
	const enum fg_astatus flaky[] = { FG_A_FAILED, FG_A_PASSED };
	const enum fg_astatus flaky2[] = { FG_A_TIMEOUT, FG_A_CRASHED,
					   FG_A_PASSED };
	const enum fg_astatus twice[] = { FG_A_FAILED, FG_A_FAILED };
	const enum fg_astatus regress[] = { FG_A_PASSED, FG_A_LEAKED };
	const enum fg_astatus skip[] = { FG_A_SKIPPED };
	/* a retry cancelled by --max-fail: it never passed, so not flaky */
	const enum fg_astatus cancelled[] = { FG_A_TIMEOUT, FG_A_SKIPPED };
	const enum fg_astatus flaky3[] = { FG_A_FAILED, FG_A_PASSED,
					   FG_A_SKIPPED };

	(void)state;
	assert_int_equal(settle(pass, 1), FG_O_PASSED);
	assert_int_equal(settle(fail, 1), FG_O_FAILED);
	assert_int_equal(settle(flaky, 2), FG_O_FLAKY);
	assert_int_equal(settle(flaky2, 3), FG_O_FLAKY);
	assert_int_equal(settle(twice, 2), FG_O_FAILED);
	/* the settle rule: a pass and a failure in one run is flaky, in
	 * either order (a rerun the test did not need cannot turn it red) */
	assert_int_equal(settle(regress, 2), FG_O_FLAKY);
	assert_int_equal(settle(skip, 1), FG_O_SKIPPED);
	assert_int_equal(settle(cancelled, 2), FG_O_FAILED);
	assert_int_equal(settle(flaky3, 3), FG_O_FLAKY);
}

static void test_status_names_roundtrip(void **state)
{
	(void)state;
	for (int i = 0; i < FG_A_COUNT; i++)
		assert_int_equal(fg_astatus_parse(fg_astatus_name(i)), i);
	for (int i = 0; i < FG_O_COUNT; i++)
		assert_int_equal(fg_outcome_parse(fg_outcome_name(i)), i);
	assert_int_equal(fg_astatus_parse("bogus"), -1);
	assert_int_equal(fg_exit_code(FG_ECONFIG), 2);
	assert_int_equal(fg_exit_code(FG_EDB), 3);
	assert_string_equal(fg_status_name(FG_EXML), "EXML");
}

/* ---------------------------------------------------------------------- */
/* Config                                                                  */
/* ---------------------------------------------------------------------- */

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/fg-test-core-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

/* Writes text to tmpdir/name; returns the path (static buffer). */
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

static void test_config_loads_suites(void **state)
{
	const char *path = write_file("ok.json",
		"{\n"
		"  \"jobs\": 3, \"timeout\": \"2m\", \"retries\": 1,\n"
		"  \"suites\": [\n"
		"    {\"name\": \"unit\", \"command\": [\"bin/t\", \"--x\"],\n"
		"     \"env\": {\"A\": \"1\", \"F\": \"{junit}\"},\n"
		"     \"timeout\": \"30s\", \"cwd\": \"sub\", \"retries\": 2},\n"
		"    {\"command\": \"echo hi && exit 0\"}\n"
		"  ]\n"
		"}\n");
	struct fg_config cfg;
	struct fg_error err = { 0 };

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_OK);
	assert_int_equal(cfg.nsuites, 2);
	assert_int_equal(cfg.jobs, 3);
	assert_int_equal(cfg.timeout_ms, 120000);
	assert_int_equal(cfg.retries, 1);
	assert_string_equal(cfg.dir, tmpdir);
	assert_string_equal(cfg.suites[0].name, "unit");
	assert_string_equal(cfg.suites[0].argv[1], "--x");
	assert_null(cfg.suites[0].argv[2]);
	assert_string_equal(cfg.suites[0].env[1], "F={junit}");
	assert_int_equal(cfg.suites[0].timeout_ms, 30000);
	assert_int_equal(cfg.suites[0].retries, 2);
	assert_string_equal(cfg.suites[0].cwd, "sub");
	assert_string_equal(cfg.suites[1].argv[0], "/bin/sh");
	assert_string_equal(cfg.suites[1].argv[2], "echo hi && exit 0");
	assert_string_equal(cfg.suites[1].name, "sh");
	assert_int_equal(cfg.suites[1].retries, -1);
	fg_config_release(&cfg);
}

static void expect_config_error(const char *text, const char *needle)
{
	const char *path = write_file("bad.json", text);
	struct fg_config cfg;
	struct fg_error err = { 0 };

	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, path, &err), FG_ECONFIG);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not contain '%s'", err.msg, needle);
	assert_non_null(strstr(err.msg, "bad.json"));
	assert_int_equal(cfg.nsuites, 0);
	fg_config_release(&cfg);
}

static void test_config_errors_name_file_and_place(void **state)
{
	(void)state;
	/* Syntax errors carry line and column. */
	expect_config_error("{\n  \"suites\": [\n    {\"command\": [\"a\"],}\n",
			    "bad.json:3:");
	expect_config_error("", "bad.json:");
	expect_config_error("[]", "expected an object");
	expect_config_error("{}", "missing \"suites\"");
	expect_config_error("{\"suites\": [{\"name\": \"x\"}]}",
			    "suites[0]: missing \"command\"");
	expect_config_error("{\"suites\": [{\"command\": \"a\", \"timeout\": \"9x\"}]}",
			    "suites[0].timeout: invalid duration '9x'");
	expect_config_error("{\"suites\": [{\"command\": [\"a\", 3]}]}",
			    "suites[0].command: item 1 is not a string");
	expect_config_error("{\"suites\": [{\"command\": \"a\", \"comand\": 1}]}",
			    "suites[0].comand: unknown key");
	expect_config_error("{\"suites\": [], \"jobz\": 2}", "jobz: unknown key");
	expect_config_error("{\"suites\": [{\"command\": \"a\"}, {\"command\": \"a\"}]}",
			    "duplicate suite name 'sh'");
	expect_config_error("{\"suites\": [], \"jobs\": 0}", "jobs: expected an integer");
	expect_config_error("{\"suites\": [], \"suites\": []}", "duplicate");
}

static void test_config_missing_file(void **state)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };

	(void)state;
	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, "/nonexistent/fg.json", &err),
			 FG_ECONFIG);
	assert_non_null(strstr(err.msg, "/nonexistent/fg.json"));
	fg_config_release(&cfg);
}

/* A FIFO with no writer reads as empty at once; a directory is EISDIR. */
static void test_fopen_input_fifo_and_dir(void **state)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	f = fg_fopen_input(path);
	assert_non_null(f);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	errno = 0;
	assert_null(fg_fopen_input(tmpdir));
	assert_int_equal(errno, EISDIR);
	fg_config_init(&cfg);
	assert_int_equal(fg_config_load(&cfg, tmpdir, &err), FG_ECONFIG);
	assert_non_null(strstr(err.msg, "Is a directory"));
	fg_config_release(&cfg);
}

static void test_config_programs(void **state)
{
	struct fg_config cfg;

	(void)state;
	fg_config_init(&cfg);
	fg_config_add_program(&cfg, "./a/t");
	fg_config_add_program(&cfg, "./b/t");
	fg_config_add_program(&cfg, "pass");
	assert_string_equal(cfg.suites[0].name, "t");
	assert_string_equal(cfg.suites[1].name, "t#2");
	assert_string_equal(cfg.suites[2].name, "pass");
	assert_string_equal(cfg.suites[1].argv[0], "./b/t");
	fg_config_release(&cfg);
}

static void test_run_absorb_appends_attempts(void **state)
{
	struct fg_run a, b;
	struct fg_test *t;

	(void)state;
	fg_run_init(&a);
	fg_run_init(&b);
	t = fg_run_add_test(&a, "s", "c", "x");
	fg_test_add_attempt(t, FG_A_FAILED, 5, "first", NULL);
	t = fg_run_add_test(&b, "s", "c", "x");
	t->file = fg_xstrdup("x.c");
	t->line = 7;
	fg_test_add_attempt(t, FG_A_PASSED, 4, NULL, NULL);
	t = fg_run_add_test(&b, "s", "c", "new");
	fg_test_add_attempt(t, FG_A_ERROR, 1, "boom", "out");
	assert_int_equal(fg_run_absorb(&a, &b), 1);
	assert_int_equal(a.ntests, 2);
	t = fg_run_find_test(&a, "s", "c", "x");
	assert_int_equal(t->nattempts, 2);
	assert_int_equal(t->attempts[1].number, 2);
	assert_string_equal(t->file, "x.c");
	fg_test_settle(t);
	assert_int_equal(t->outcome, FG_O_FLAKY);
	t = fg_run_find_test(&a, "s", "c", "new");
	assert_string_equal(t->attempts[0].message, "boom");
	assert_string_equal(t->attempts[0].output, "out");
	fg_run_release(&b);
	fg_run_release(&a);
}

/* Text from outside: controls, C1, bidi and CI commands never pass. */
static void expect_esc(const char *in, const char *indent, unsigned flags,
		       const char *want)
{
	char *got = fg_text_escape(in, indent, flags);

	if (strcmp(got, want))
		fail_msg("escape('%s'): got '%s', want '%s'", in, got, want);
	free(got);
}

static void test_text_escape(void **state)
{
	(void)state;
	fg_text_set_ci(0);
	expect_esc("plain \xc3\xa9t\xc3\xa9 \xe6\x97\xa5", NULL, 0,
		   "plain \xc3\xa9t\xc3\xa9 \xe6\x97\xa5");
	expect_esc("a\nb\tc\rd", NULL, 0, "a\\nb\tc\\x0dd");
	expect_esc("\x1b]0;title\x07", NULL, 0, "\\x1b]0;title\\x07");
	/* C1 CSI and OSC as UTF-8, bidi overrides, invalid bytes */
	expect_esc("x\xc2\x9b" "31m\xc2\x9d", NULL, 0, "x\\u009b31m\\u009d");
	expect_esc("ab\xe2\x80\xae" "cd\xe2\x81\xa6", NULL, 0,
		   "ab\\u202ecd\\u2066");
	expect_esc("\xff\xc3(\xed\xa0\x80", NULL, 0,
		   "\\xff\\xc3(\\xed\\xa0\\x80");
	/* a block keeps newlines, drops CR, indents */
	expect_esc("l1\r\nl2\n", "  | ", FG_TEXT_BLOCK, "l1\n  | l2\n");
	/* no CI: commands untouched */
	expect_esc("::error::x", NULL, FG_TEXT_AT_BOL, "::error::x");
	/* GitHub: "::" at the start of a line (after whitespace), "##[" */
	fg_text_set_ci(FG_CI_CMD_COLONS | FG_CI_CMD_HASH);
	expect_esc("::error::x", NULL, FG_TEXT_AT_BOL,
		   ":\xe2\x80\x8b:error::x");
	expect_esc("   ::add-mask::s", NULL, FG_TEXT_AT_BOL,
		   "   :\xe2\x80\x8b:add-mask::s");
	expect_esc("ok\n  ::stop-commands::t", "    ", FG_TEXT_BLOCK | FG_TEXT_AT_BOL,
		   "ok\n      :\xe2\x80\x8b:stop-commands::t");
	/* mid-line "::" is a C++ or pytest name, kept exactly */
	expect_esc("ns::Class::test", NULL, 0, "ns::Class::test");
	expect_esc("t.py::T::x", NULL, FG_TEXT_AT_BOL, "t.py::T::x");
	/* after a non-blank indent it is not at the start of a line */
	expect_esc("a\n::error::x", "    | ", FG_TEXT_BLOCK,
		   "a\n    | ::error::x");
	expect_esc("out ##[error]boom", NULL, 0,
		   "out #\xe2\x80\x8b#[error]boom");
	/* a newline in a name cannot start a new (command) line */
	expect_esc("name\n::error::forged", NULL, FG_TEXT_AT_BOL,
		   "name\\n::error::forged");
	/* Azure, TeamCity, Buildkite */
	fg_text_set_ci(FG_CI_CMD_ALL);
	expect_esc("x ##vso[task.complete result=Failed]", NULL, 0,
		   "x #\xe2\x80\x8b#vso[task.complete result=Failed]");
	expect_esc("##teamcity[buildStatus text='x']", NULL, 0,
		   "#\xe2\x80\x8b#teamcity[buildStatus text='x']");
	expect_esc("--- hidden\n+++ open", NULL, FG_TEXT_BLOCK | FG_TEXT_AT_BOL,
		   "-\xe2\x80\x8b-- hidden\n+\xe2\x80\x8b++ open");
	fg_text_set_ci(0);
}

/* The CI table: detection, the detected CI's variables, node base. */
static void test_ci_table(void **state)
{
	const char *vars[] = { "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE",
			       "CIRCLECI", "TF_BUILD", "TEAMCITY_VERSION",
			       "JENKINS_URL", "CI_NODE_INDEX", "CI_NODE_TOTAL",
			       "BUILDKITE_PARALLEL_JOB",
			       "BUILDKITE_PARALLEL_JOB_COUNT", "GITHUB_SHA",
			       "CI_COMMIT_SHA", "GITHUB_SERVER_URL",
			       "GITHUB_REPOSITORY", "GITHUB_RUN_ID" };
	const struct fg_ci *ci;
	char *s;
	int k, n;

	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		unsetenv(vars[i]);
	assert_null(fg_ci_detect());
	setenv("GITLAB_CI", "true", 1);
	setenv("CI_NODE_INDEX", "2", 1);
	setenv("CI_NODE_TOTAL", "3", 1);
	setenv("CI_COMMIT_SHA", "abc", 1);
	ci = fg_ci_detect();
	assert_non_null(ci);
	assert_string_equal(ci->id, "gitlab");
	assert_true(fg_ci_node(ci, &k, &n));
	assert_int_equal(k, 2);
	assert_int_equal(n, 3);
	s = fg_ci_commit(ci);
	assert_string_equal(s, "abc");
	free(s);
	/* a total of 1 is one node, not an error (plan and meta agree) */
	setenv("CI_NODE_INDEX", "1", 1);
	setenv("CI_NODE_TOTAL", "1", 1);
	assert_true(fg_ci_node(ci, &k, &n));
	assert_int_equal(n, 1);
	unsetenv("GITLAB_CI");
	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	/* Buildkite counts nodes from 0 */
	setenv("BUILDKITE", "true", 1);
	setenv("BUILDKITE_PARALLEL_JOB", "0", 1);
	setenv("BUILDKITE_PARALLEL_JOB_COUNT", "4", 1);
	assert_true(fg_ci_node(fg_ci_detect(), &k, &n));
	assert_int_equal(k, 1);
	assert_int_equal(n, 4);
	unsetenv("BUILDKITE");
	/* GitHub's job URL is made of three variables */
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	setenv("GITHUB_REPOSITORY", "o/r", 1);
	setenv("GITHUB_RUN_ID", "42", 1);
	ci = fg_ci_detect();
	assert_string_equal(ci->id, "github");
	assert_true((ci->commands & FG_CI_CMD_COLONS) != 0);
	s = fg_ci_job(ci);
	assert_string_equal(s, "https://github.com/o/r/actions/runs/42");
	free(s);
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		unsetenv(vars[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse_units),
		cmocka_unit_test(test_duration_parse_rejects),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_buf_keeps_all_when_small),
		cmocka_unit_test(test_buf_keeps_head_and_tail),
		cmocka_unit_test(test_buf_one_huge_append),
		cmocka_unit_test(test_outcome_rules),
		cmocka_unit_test(test_status_names_roundtrip),
		cmocka_unit_test(test_run_absorb_appends_attempts),
		cmocka_unit_test(test_config_loads_suites),
		cmocka_unit_test(test_config_errors_name_file_and_place),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_config_programs),
		cmocka_unit_test(test_fopen_input_fifo_and_dir),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_ci_table),
	};

	return cmocka_run_group_tests_name("core", tests, setup_tmp,
					   teardown_tmp);
}
