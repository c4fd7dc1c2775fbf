/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_report.c - the file reporters (JUnit, JSON, Markdown,
 * HTML, GitHub annotations) on one model full of hostile strings: markup,
 * "</script>", "]]>", control characters, invalid UTF-8, non-ASCII.
 *
 * JUnit, JSON and Markdown are compared with golden files in
 * tests/fixtures/report/ (FG_UPDATE_EXPECTED=1 rewrites them; review the
 * diff). The JUnit file is also validated against
 * tests/fixtures/report/junit-surefire.xsd with libxml2's schema validator
 * and read back with our own reader, history_junit_read(): the same tests
 * with the same outcomes (the round trip). The HTML is checked for
 * escaping here and in a real browser by tests/e2e/cases/0200-*.
 */
#include "reporters/report.h"
#include "reporters/internal.h"
#include "history/history.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

static char tmpdir[256];

static const char *srcdir(void)
{
	const char *d = getenv("FG_SRCDIR");

	return d && *d ? d : ".";
}

static char *fixture(const char *rel)
{
	return fg_xasprintf("%s/tests/fixtures/report/%s", srcdir(), rel);
}

static char *tmp(const char *name)
{
	return fg_xasprintf("%s/%s", tmpdir, name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = fg_xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(f);
	return s;
}

static void spill(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	assert_int_equal(fclose(f), 0);
}

static int rm_entry(const char *p, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fg-report-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	if (!getenv("FLAKEGUARD_LOG"))
		fg_log_set_level(FG_LOG_ERROR);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	xmlCleanupParser();
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The model                                                               */
/* ---------------------------------------------------------------------- */

#define XSS_IMG "<img src=x onerror=alert(1)>"
#define XSS_SCRIPT "</script><script>alert(2)</script>"
#define OUTPUT_HOSTILE \
	"line one\nctrl:\x01\x1b[31mred\x1b[0m\ninvalid utf-8:\xff\xfe|" \
	"\xc3(|end\ncdata end ]]> and </script> & <b>bold</b>\n"

static struct fg_test *add(struct fg_run *run, const char *suite,
			   const char *cls, const char *name)
{
	return fg_run_add_test(run, suite, cls, name);
}

/* One test of every outcome, every attempt status that matters. */
static void build_run(struct fg_run *run, struct an_verdict *v)
{
	struct fg_test *t;

	fg_run_init(run);
	run->id = 42;
	run->commit = fg_xstrdup("3f1c2e9d0b7a4c1e8f6a5b3c2d1e0f9a8b7c6d5e");
	run->branch = fg_xstrdup("feature/<b>&\"quotes\"");
	run->host = fg_xstrdup("ci-runner-7");
	run->started_at_ms = 1764307260123;
	run->duration_ms = 83456;
	run->exit_code = 1;

	t = add(run, "ringbuf", "ringbuf", "test_push_pop");
	t->file = fg_xstrdup("tests/ringbuf_test.c");
	t->line = 57;
	fg_test_add_attempt(t, FG_A_PASSED, 3, NULL, NULL);

	t = add(run, "ringbuf", "", XSS_IMG);
	t->file = fg_xstrdup("tests/x,y:z.c");
	t->line = 12;
	fg_test_add_attempt(t, FG_A_FAILED, 1500, "expected ]]> got </script>",
			    OUTPUT_HOSTILE);
	fg_test_add_attempt(t, FG_A_FAILED, 1501, "expected ]]> got </script>",
			    "second try\n");
	fg_test_add_attempt(t, FG_A_FAILED, 1502,
			    "expected ]]> got </script> (3rd)", OUTPUT_HOSTILE);

	t = add(run, "ringbuf", "x", XSS_SCRIPT);
	fg_test_add_attempt(t, FG_A_FAILED, 20, "boom & bust\x07", "flaky out\n");
	fg_test_add_attempt(t, FG_A_FAILED, 21, "boom again", NULL);
	fg_test_add_attempt(t, FG_A_PASSED, 19, NULL, NULL);

	t = add(run, "ringbuf", "ringbuf", "test_skip_on_arm");
	fg_test_add_attempt(t, FG_A_SKIPPED, 0, "not on this platform", NULL);

	t = add(run, "ringbuf", "ringbuf", "test_known_bug");
	fg_test_add_attempt(t, FG_A_FAILED, 7, "known bug #12", "q out\n");

	t = add(run, "\xd1\x82\xd0\xb5\xd1\x81\xd1\x82 suite", "k\xc3\xbcmmel",
		"na\xc3\xafve \xe2\x9c\x93 ctrl\x1b name bad\xff");
	fg_test_add_attempt(t, FG_A_PASSED, 12345, NULL, NULL);

	t = add(run, "slow-shell", "", "slow-shell");
	fg_test_add_attempt(t, FG_A_TIMEOUT, 60000,
			    "timed out after 1m00s", "waiting...\n");

	for (size_t i = 0; i < run->ntests; i++)
		fg_test_settle(&run->tests[i]);
	/* root-cause hints, as the verdict sets them (analyzer/hint.c) */
	an_hints_apply(run);
	/* The analyzer's quarantine policy will set this; we set it by hand. */
	fg_run_find_test(run, "ringbuf", "ringbuf", "test_known_bug")->outcome =
		FG_O_QUARANTINED;

	memset(v, 0, sizeof(*v));
	v->exit_code = FG_EXIT_FAILED;
	v->real_failures = 2;
	snprintf(v->reason, sizeof(v->reason), "2 tests failed");
}

/* Compares the file at got_path with the golden file `name`. */
static void golden(const char *got_path, const char *name)
{
	char *want_path = fixture(name);
	char *got = slurp(got_path), *want;

	assert_non_null(got);
	if (getenv("FG_UPDATE_EXPECTED")) {
		spill(want_path, got);
	} else {
		want = slurp(want_path);
		if (!want || strcmp(got, want)) {
			print_error("%s differs from %s; got:\n%s\n", got_path,
				    want_path, got);
			fail();
		}
		free(want);
	}
	free(got);
	free(want_path);
}

/* ---------------------------------------------------------------------- */
/* JUnit                                                                   */
/* ---------------------------------------------------------------------- */

static void validate_xsd(const char *path)
{
	char *xsd = fixture("junit-surefire.xsd");
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr schema = xmlSchemaParse(pc);
	xmlSchemaValidCtxtPtr vc;

	assert_non_null(schema);
	vc = xmlSchemaNewValidCtxt(schema);
	assert_int_equal(xmlSchemaValidateFile(vc, path, 0), 0);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	free(xsd);
}

static void test_junit_golden_and_schema(void **state)
{
	static const char *const profiles[] = { "surefire", "attempts", "plain" };
	struct fg_run run;
	struct an_verdict v;

	(void)state;
	build_run(&run, &v);
	for (size_t i = 0; i < 3; i++) {
		char *name = fg_xasprintf("junit-%s.xml", profiles[i]);
		char *path = tmp(name);
		struct fg_error err = { 0 };
		char *xml;

		assert_int_equal(report_junit_write(path, &run,
			report_junit_profile_parse(profiles[i]), &err), FG_OK);
		golden(path, name);
		validate_xsd(path);
		xml = slurp(path);
		/* Never raw markup from a test, never a forbidden character. */
		assert_null(strstr(xml, "<img"));
		assert_null(strstr(xml, "]]>"));
		assert_null(strstr(xml, "\x1b"));
		assert_null(strstr(xml, "\xff"));
		assert_non_null(strstr(xml, "&lt;img src=x onerror=alert(1)&gt;"));
		assert_non_null(strstr(xml, "name=\"flakeguard.run_id\" value=\"42\""));
		free(xml);
		free(path);
		free(name);
	}
	assert_int_equal(report_junit_profile_parse(NULL), REPORT_JUNIT_SUREFIRE);
	assert_int_equal(report_junit_profile_parse("nope"), -1);
	fg_run_release(&run);
}

/* What the reader gives back for an attempt status (no timeout element). */
static enum fg_astatus as_read(enum fg_astatus s)
{
	return fg_astatus_is_failure(s) && s != FG_A_FAILED ? FG_A_ERROR : s;
}

/* Reads path back and checks every test against `run` under profile p. */
static void check_round_trip(const struct fg_run *run, const char *path,
			     enum report_junit_profile p)
{
	struct fg_run back;
	struct history_junit_stats st = { 0 };
	struct fg_error err = { 0 };

	fg_run_init(&back);
	assert_int_equal(history_junit_read(path, NULL, &back, &st, &err), FG_OK);
	assert_false(st.partial);
	assert_int_equal(back.ntests, run->ntests);
	for (size_t i = 0; i < run->ntests; i++) {
		const struct fg_test *t = &run->tests[i];
		char *s = reporters__clean_text(t->suite);
		char *c = reporters__clean_text(t->classname);
		char *n = reporters__clean_text(t->name);
		struct fg_test *b = fg_run_find_test(&back, s, c, n);
		enum fg_outcome want = t->outcome;
		size_t nat = t->nattempts;

		if (!b)
			fail_msg("test %zu (%s) not read back", i, n);
		/* Documented: quarantine reads back as skipped; "plain" keeps
		 * only the final status. */
		if (want == FG_O_QUARANTINED)
			want = FG_O_SKIPPED, nat = 1;
		if (p == REPORT_JUNIT_PLAIN) {
			nat = 1;
			if (want == FG_O_FLAKY)
				want = FG_O_PASSED;
		}
		if (b->outcome != want || b->nattempts != nat)
			print_error("profile %d, %s: outcome %d/%d attempts %zu/%zu\n",
				    p, n, b->outcome, want, b->nattempts, nat);
		assert_int_equal(b->outcome, want);
		assert_int_equal(b->nattempts, nat);
		assert_int_equal(b->duration_ms, t->duration_ms);
		if (nat == t->nattempts && t->outcome != FG_O_QUARANTINED) {
			for (size_t k = 0; k < nat; k++) {
				assert_int_equal(b->attempts[k].status,
						 as_read(t->attempts[k].status));
				assert_int_equal(b->attempts[k].duration_ms,
						 t->attempts[k].duration_ms);
			}
		}
		if (want == FG_O_FAILED) {
			char *m = reporters__clean_text(
				t->attempts[t->nattempts - 1].message);

			assert_string_equal(b->attempts[b->nattempts - 1].message, m);
			free(m);
		}
		free(s);
		free(c);
		free(n);
	}
	fg_run_release(&back);
}

static void test_junit_round_trip(void **state)
{
	struct fg_run run;
	struct an_verdict v;

	(void)state;
	build_run(&run, &v);
	for (int p = REPORT_JUNIT_SUREFIRE; p <= REPORT_JUNIT_PLAIN; p++) {
		char *path = fg_xasprintf("%s/rt-%d.xml", tmpdir, p);

		assert_int_equal(report_junit_write(path, &run, p, NULL), FG_OK);
		check_round_trip(&run, path, p);
		free(path);
	}
	fg_run_release(&run);
}

static void test_junit_empty_run(void **state)
{
	struct fg_run run;
	char *path = tmp("empty.xml");
	char *xml;

	(void)state;
	fg_run_init(&run);
	assert_int_equal(report_junit_write(path, &run, REPORT_JUNIT_SUREFIRE,
					    NULL), FG_OK);
	validate_xsd(path);
	xml = slurp(path);
	assert_non_null(strstr(xml, "tests=\"0\""));
	free(xml);
	free(path);
	fg_run_release(&run);
}

/* ---------------------------------------------------------------------- */
/* JSON, Markdown, annotations                                             */
/* ---------------------------------------------------------------------- */

static void test_json_golden(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("report.json");

	(void)state;
	build_run(&run, &v);
	assert_int_equal(report_json_write(path, &run, NULL), FG_OK);
	golden(path, "report.json");
	free(path);
	fg_run_release(&run);
}

static void test_markdown_golden(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("report.md");
	char *md;

	(void)state;
	build_run(&run, &v);
	assert_int_equal(report_markdown_write(path, false, &run, &v, NULL),
			 FG_OK);
	golden(path, "report.md");
	md = slurp(path);
	assert_null(strstr(md, "<img"));
	assert_null(strstr(md, "<script"));
	assert_null(strstr(md, "\x1b"));
	free(md);
	/* Append mode (the step summary) adds, never truncates. */
	assert_int_equal(report_markdown_write(path, true, &run, &v, NULL), FG_OK);
	md = slurp(path);
	assert_non_null(strstr(strstr(md, "## ") + 1, "## "));
	free(md);
	free(path);
	fg_run_release(&run);
}

static void test_github_annotations(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("annotations.txt");
	FILE *f;

	(void)state;
	build_run(&run, &v);
	f = fopen(path, "w");
	assert_non_null(f);
	report_github_annotations(f, &run);
	fclose(f);
	golden(path, "annotations.txt");
	free(path);
	fg_run_release(&run);
}

/* ---------------------------------------------------------------------- */
/* HTML and report_write_all                                               */
/* ---------------------------------------------------------------------- */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_html_escapes_everything(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("report.html");
	char *html;

	(void)state;
	build_run(&run, &v);
	assert_int_equal(report_html_write(path, &run, &v, NULL, NULL), FG_OK);
	html = slurp(path);
	/* Our two </script> (the data block, the page script) and no other. */
	assert_int_equal(count(html, "</script>"), 2);
	assert_int_equal(count(html, "<script"), 2);
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "\x1b"));
	assert_null(strstr(html, "\xff"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(html, "\\u003c/script\\u003e"));
	assert_non_null(strstr(html, "id=\"n-failed\">2<"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	free(html);
	free(path);
	fg_run_release(&run);
}

/* Adds a missing test named `name` (hostile) to the run. */
static void add_missing_test(struct fg_run *run, const char *name)
{
	run->missing = fg_xrealloc(run->missing, (run->nmissing + 1) *
				   sizeof(*run->missing));
	run->missing[run->nmissing].suite = fg_xstrdup("s<b>");
	run->missing[run->nmissing].classname = fg_xstrdup("");
	run->missing[run->nmissing].name = fg_xstrdup(name);
	run->nmissing++;
	run->missing_since = 41;
}

/*
 * Missing tests in every report, names escaped for each: HTML, Markdown,
 * JSON, and the terminal (no escape sequence gets through).
 */
static void test_missing_in_every_report(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("missing.html"), *jpath = tmp("missing.json");
	char *html, *md, *json, *term = NULL;
	size_t tlen = 0;
	FILE *f;

	(void)state;
	build_run(&run, &v);
	add_missing_test(&run, "<img src=x onerror=alert(1)>");
	add_missing_test(&run, "esc\x1b[31m*md*|");
	assert_int_equal(report_html_write(path, &run, &v, NULL, NULL), FG_OK);
	html = slurp(path);
	assert_non_null(strstr(html, "Missing since run 41 (2)"));
	assert_non_null(strstr(html, "<code>s&lt;b&gt;::&lt;img src=x "
			       "onerror=alert(1)&gt;</code>"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "\x1b"));
	md = report_markdown(&run, &v);
	assert_non_null(strstr(md, "### Missing since run 41 (2)"));
	assert_non_null(strstr(md, "- s&lt;b&gt;::&lt;img src=x "
			       "onerror=alert(1)&gt;"));
	assert_non_null(strstr(md, "\\*md\\*\\|"));
	assert_int_equal(report_json_write(jpath, &run, NULL), FG_OK);
	json = slurp(jpath);
	assert_non_null(strstr(json, "\"since_run\": 41"));
	assert_non_null(strstr(json, "\"count\": 2"));
	assert_non_null(strstr(json, "\"name\": \"esc\\u001B[31m*md*|\""));
	f = open_memstream(&term, &tlen);
	assert_non_null(f);
	report_term_missing(f, &run, false);
	fclose(f);
	assert_non_null(strstr(term, "2 tests missing since run #41"));
	assert_non_null(strstr(term, "    s<b>::<img src=x onerror=alert(1)>\n"));
	assert_null(strstr(term, "\x1b"));
	free(term);
	free(json);
	free(md);
	free(html);
	free(jpath);
	free(path);
	fg_run_release(&run);
}

static bool fake_extra(void *ctx, const struct fg_test *t,
		       struct report_test_extra *out)
{
	(void)t;
	++*(int *)ctx;
	out->strip = "PPFKP";
	out->rate = 0.2, out->rate_lo = 0.05, out->rate_hi = 0.5;
	return true;
}

static void test_html_extension_point(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *path = tmp("extra.html");
	int calls = 0;
	struct report_html_opts o = { .extra = fake_extra, .extra_ctx = &calls };
	char *html;

	(void)state;
	build_run(&run, &v);
	assert_int_equal(report_html_write(path, &run, &v, &o, NULL), FG_OK);
	html = slurp(path);
	assert_int_equal(calls, 2); /* the flaky and the quarantined test */
	assert_non_null(strstr(html, "20.0%"));
	assert_non_null(strstr(html, "<th>history</th>"));
	free(html);
	free(path);
	fg_run_release(&run);
}

static void test_write_all(void **state)
{
	struct fg_run run;
	struct an_verdict v;
	char *json = tmp("all.json"), *junit = tmp("all.xml"),
	     *html = tmp("all.html"), *md = tmp("all.md"),
	     *summary = tmp("summary.md");
	struct report_outputs o = { .json = json, .junit = junit,
				    .junit_profile = "attempts", .html = html,
				    .markdown = md };
	struct fg_error err = { 0 };
	char *s;

	(void)state;
	build_run(&run, &v);
	unsetenv("GITHUB_STEP_SUMMARY");
	assert_int_equal(report_write_all(&o, &run, &v, &err), FG_OK);
	assert_int_equal(access(json, R_OK) | access(junit, R_OK) |
			 access(html, R_OK) | access(md, R_OK), 0);
	s = slurp(junit);
	assert_non_null(strstr(s, "flakeguard.attempt"));
	free(s);

	/* The step summary is appended to, whatever was there before. */
	spill(summary, "earlier step\n");
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	o = (struct report_outputs){ .github = true };
	assert_int_equal(report_write_all(&o, &run, &v, &err), FG_OK);
	unsetenv("GITHUB_STEP_SUMMARY");
	s = slurp(summary);
	assert_true(!strncmp(s, "earlier step\n## ", 16));
	free(s);

	o = (struct report_outputs){ .junit = junit, .junit_profile = "nope" };
	assert_int_equal(report_write_all(&o, &run, &v, &err), FG_EINVAL);
	assert_non_null(strstr(err.msg, "nope"));

	o = (struct report_outputs){ .html = "/nonexistent/dir/r.html",
				     .json = json };
	assert_int_equal(report_write_all(&o, &run, &v, &err), FG_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/r.html"));

	free(json), free(junit), free(html), free(md), free(summary);
	fg_run_release(&run);
}

static void test_clean_text(void **state)
{
	char *s;

	(void)state;
	s = reporters__clean_text("a\x01" "b\xff" "c\xed\xa0\x80" "d\xef\xbf\xbe"
				  "e\xc0\xaf" "f\t\n\r\x7f" "\xf0\x9f\x98\x80");
	assert_string_equal(s, "a\\x01b\xef\xbf\xbd" "c\xef\xbf\xbd"
			    "d\xef\xbf\xbd" "e\xef\xbf\xbd"
			    "\xef\xbf\xbd" "f\t\n\r\\x7f\xf0\x9f\x98\x80");
	free(s);
	s = reporters__clean_text(NULL);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_text),
		cmocka_unit_test(test_junit_golden_and_schema),
		cmocka_unit_test(test_junit_round_trip),
		cmocka_unit_test(test_junit_empty_run),
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_markdown_golden),
		cmocka_unit_test(test_github_annotations),
		cmocka_unit_test(test_html_escapes_everything),
		cmocka_unit_test(test_html_extension_point),
		cmocka_unit_test(test_missing_in_every_report),
		cmocka_unit_test(test_write_all),
	};

	return cmocka_run_group_tests_name("report", tests, group_setup,
					   group_teardown);
}
