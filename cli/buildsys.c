/* SPDX-License-Identifier: MIT */
/*
 * cli/buildsys.c - suites from build systems, and selection by label.
 *
 * `run --ctest DIR`, `run --meson DIR` and "from" in flakeguard.json ask
 * the build system for its tests: `ctest --show-only=json-v1` (in DIR)
 * and `meson introspect --tests DIR`, each through runner_capture() (own
 * process group, a timeout: FLAKEGUARD_LIST_TIMEOUT, default 60s). Their
 * output becomes suites in core/buildsys.c; flakeguard.json's own entries
 * are laid over the tests they name (fg_config_layer). Nothing is run or
 * written before all of that succeeded, so a broken build dir costs an
 * error message (exit 2 or 3), never a half-recorded run.
 *
 * --label L keeps the suites with label L (CTest LABELS, Meson suites,
 * "labels"), plus the setups and cleanups of the fixtures they require,
 * as `ctest -L` does.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIST_TIMEOUT_MS (60 * 1000)
#define BUILDSYS_OUTPUT_MAX ((size_t)64 << 20)

int64_t cli_list_timeout_ms(void)
{
	const char *v = getenv("FLAKEGUARD_LIST_TIMEOUT");
	struct fg_error err;
	int64_t ms;

	if (!v || !*v)
		return LIST_TIMEOUT_MS;
	if (fg_duration_parse(v, &ms, &err) || ms <= 0) {
		fg_log(FG_LOG_WARN, "cli", "ignoring FLAKEGUARD_LIST_TIMEOUT "
		       "'%s' (expected a duration like 90s)", v);
		return LIST_TIMEOUT_MS;
	}
	return ms;
}

/* DIR must be a directory; *abs gets its absolute path (caller frees). */
static int build_dir(const char *kind, const char *dir, char **abs,
		     struct fg_error *err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return fg_fail(err, FG_ECONFIG, "%s build dir '%s': %s", kind,
			       dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fg_fail(err, FG_ECONFIG, "%s build dir '%s': not a "
			       "directory", kind, dir);
	if (!(*abs = realpath(dir, NULL)))
		return fg_fail(err, FG_ECONFIG, "%s build dir '%s': %s", kind,
			       dir, strerror(errno));
	return FG_OK;
}

/* The first non-blank line of s, cut there (s is changed). */
static const char *first_line(char *s)
{
	s += strspn(s, " \t\r\n");
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/*
 * Runs a lister to its end; its stdout is JSON, its stderr goes to ours
 * (the tool's own complaint is the best explanation). A non-zero exit is
 * a configuration problem (exit 2: wrong dir, not configured); a tool
 * that cannot start, hangs or dies is an infrastructure one (exit 3).
 */
static int capture(char **argv, const char *cwd, const char *what,
		   struct runner_captured *cap, struct fg_error *err)
{
	int rc = runner_capture(argv, cwd, NULL, cli_list_timeout_ms(),
				BUILDSYS_OUTPUT_MAX, RUNNER_STDERR_INHERIT,
				cap, err);

	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return fg_fail(err, rc, "%s: %s", what, msg);
	}
	if (cap->end == RUNNER_SIGNALED)
		rc = fg_fail(err, FG_ESPAWN, "%s: killed by signal %d", what,
			     cap->term_signal);
	else if (cap->exit_code && first_line(cap->output)[0])
		/* meson says why on stdout, which we took for JSON */
		rc = fg_fail(err, FG_ECONFIG, "%s: exited with status %d: "
			     "%.300s", what, cap->exit_code,
			     first_line(cap->output));
	else if (cap->exit_code)
		rc = fg_fail(err, FG_ECONFIG, "%s: exited with status %d (its "
			     "own message is above)", what, cap->exit_code);
	if (rc)
		runner_captured_release(cap);
	return rc;
}

static int import_ctest(struct fg_config *imp, const char *dir,
			struct fg_error *err)
{
	char *argv[] = { "ctest", "--show-only=json-v1", NULL };
	char *abs = NULL, *what, *testfile;
	struct runner_captured cap;
	struct stat st;
	int rc;

	if ((rc = build_dir("ctest", dir, &abs, err)))
		return rc;
	what = fg_xasprintf("ctest --show-only=json-v1 in '%s'", dir);
	testfile = fg_xasprintf("%s/CTestTestfile.cmake", abs);
	if (stat(testfile, &st) < 0)
		rc = fg_fail(err, FG_ECONFIG, "%s: no tests: there is no "
			     "CTestTestfile.cmake (is it a configured CMake "
			     "build dir, with enable_testing()?)", what);
	else if (!(rc = capture(argv, abs, what, &cap, err))) {
		rc = fg_import_ctest(imp, cap.output, cap.len, abs, what, err);
		runner_captured_release(&cap);
	}
	free(testfile);
	free(what);
	free(abs);
	return rc;
}

static int import_meson(struct fg_config *imp, const char *dir,
			struct fg_error *err)
{
	char *argv[] = { "meson", "introspect", "--tests", NULL, NULL };
	char *abs = NULL, *what;
	struct runner_captured cap;
	int rc;

	if ((rc = build_dir("meson", dir, &abs, err)))
		return rc;
	argv[3] = abs;
	what = fg_xasprintf("meson introspect --tests '%s'", dir);
	if (!(rc = capture(argv, NULL, what, &cap, err))) {
		rc = fg_import_meson(imp, cap.output, cap.len, abs, what, err);
		runner_captured_release(&cap);
	}
	free(what);
	free(abs);
	return rc;
}

/* A "from" directory is relative to the config file's. */
static char *from_dir(const struct fg_config *cfg, const char *dir)
{
	if (dir[0] == '/' || !strcmp(cfg->dir, "."))
		return fg_xstrdup(dir);
	return fg_xasprintf("%s/%s", cfg->dir, dir);
}

int cli_import_tests(struct fg_config *cfg, const struct cli_select *sel,
		     struct fg_error *err)
{
	bool flags = sel && (sel->ctest || sel->meson);
	char *ctest = flags ? fg_xstrdup(sel->ctest) :
		      cfg->from_ctest ? from_dir(cfg, cfg->from_ctest) : NULL;
	char *meson = flags ? fg_xstrdup(sel->meson) :
		      cfg->from_meson ? from_dir(cfg, cfg->from_meson) : NULL;
	struct fg_config imp;
	char *origin;
	int rc = FG_OK;

	if (!ctest && !meson)
		return FG_OK;
	fg_config_init(&imp);
	origin = ctest && meson ?
		 fg_xasprintf("ctest '%s' and meson '%s'", ctest, meson) :
		 fg_xasprintf("%s '%s'", ctest ? "ctest" : "meson",
			      ctest ? ctest : meson);
	if (ctest)
		rc = import_ctest(&imp, ctest, err);
	if (!rc && meson)
		rc = import_meson(&imp, meson, err);
	if (!rc)
		rc = fg_config_layer(cfg, &imp, origin, err);
	fg_config_release(&imp);
	free(origin);
	free(ctest);
	free(meson);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* --label                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * A label matches itself; Meson's "project:suite" also matches its suite
 * and its project, as `meson test --suite` does.
 */
static bool label_matches(const char *have, const char *want)
{
	const char *colon = strchr(have, ':');

	if (!strcmp(have, want))
		return true;
	return colon && (!strcmp(colon + 1, want) ||
			 (strlen(want) == (size_t)(colon - have) &&
			  !strncmp(have, want, strlen(want))));
}

static bool has_label(const struct fg_suite_cfg *s, const char *want)
{
	for (char **l = s->labels; l && *l; l++)
		if (label_matches(*l, want))
			return true;
	return false;
}

/* Adds the names of add to the heap strv *set (no repeats). */
static void add_names(char ***set, char *const *add)
{
	for (; add && *add; add++) {
		size_t n = fg_strv_len(*set);
		bool seen = false;

		for (size_t i = 0; i < n && !seen; i++)
			seen = !strcmp((*set)[i], *add);
		if (seen)
			continue;
		*set = fg_xrealloc(*set, (n + 2) * sizeof(char *));
		(*set)[n] = fg_xstrdup(*add);
		(*set)[n + 1] = NULL;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "no suite has label 'x'; labels here: a, b, c", exit 2. */
static int no_such_label(const struct fg_config *cfg, const char *want)
{
	char **all = NULL;
	size_t n;

	for (size_t i = 0; i < cfg->nsuites; i++)
		add_names(&all, cfg->suites[i].labels);
	n = fg_strv_len(all);
	fprintf(stderr, "flakeguard: no suite has label '%s'", cli_safe(want));
	if (!n)
		fprintf(stderr, "; no suite has any label\n");
	else
		fprintf(stderr, "; labels here:");
	if (n)
		qsort(all, n, sizeof(*all), cmp_str);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cli_safe(all[i]));
	if (n)
		fputc('\n', stderr);
	fg_strv_free(all);
	return FG_EXIT_USAGE;
}

int cli_select_labels(struct fg_config *cfg, const struct cli_list *labels)
{
	bool *keep;

	if (!labels || !labels->n)
		return 0;
	for (size_t k = 0; k < labels->n; k++) {
		bool found = false;

		for (size_t i = 0; i < cfg->nsuites && !found; i++)
			found = has_label(&cfg->suites[i], labels->v[k]);
		if (!found)
			return no_such_label(cfg, labels->v[k]);
	}
	keep = fg_xcalloc(cfg->nsuites + 1, sizeof(bool));
	for (size_t i = 0; i < cfg->nsuites; i++)
		for (size_t k = 0; k < labels->n && !keep[i]; k++)
			keep[i] = has_label(&cfg->suites[i], labels->v[k]);
	/* the fixtures they need come along, and what those need */
	fg_fixtures_close(cfg, keep);
	fg_config_keep(cfg, keep);
	free(keep);
	return 0;
}
