/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_history.c - `flakeguard history TEST`: one test's recent runs as
 * a strip of attempts, oldest run first:
 *
 *   unit::math::adds  (tests/math.c:42)
 *   ✓ ✓ ✗✓ ✓ ✗✗        5 runs: 3 passed, 1 flaky, 1 failed
 *     #12  2026-11-28 05:21  0123abc  main    ✓      12ms  passed
 *     ...
 *
 * TEST is `suite::classname::name`, `suite::name` or a bare name; the
 * store finds the candidates (history_store_find_tests()). The most
 * specific spelling wins; a tie lists the candidates and exits 2.
 */
#include "cli/cli.h"
#include "cli/json.h"
#include "history/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HISTORY_DEFAULT_RUNS 20

struct history_opts {
	const char *db;
	int last;      /* runs to show */
	bool json;
};

/* One run of the test: a slice of the history (attempts newest first). */
static const char *mark(enum fg_astatus s)
{
	if (s == FG_A_SKIPPED)
		return "-";
	return fg_astatus_is_failure(s) ? "\xe2\x9c\x97" : "\xe2\x9c\x93";
}

/* Splits h (newest first) into runs; returns how many (at most max). */
static size_t slice_runs(const struct history_test_history *h,
			 struct cli_run_slice *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (n && out[n - 1].first->run_id == h->items[i].run_id) {
			out[n - 1].n++;
			continue;
		}
		if (n == max)
			break;
		out[n].first = &h->items[i];
		out[n++].n = 1;
	}
	return n;
}

/*
 * Fetches the newest `runs` runs' attempts: attempts per run are unknown,
 * so ask for a few per run and ask again with more while the answer was
 * cut short.
 */
static int fetch(struct history_store *st, const struct history_test_id *id,
		 int runs, struct history_test_history *h,
		 struct fg_error *err)
{
	size_t limit = (size_t)runs * 4;

	for (;;) {
		size_t got_runs = 0;
		int rc = history_store_test_history(st, id->suite,
						    id->classname, id->name,
						    limit, h, err);

		if (rc != FG_OK)
			return rc;
		for (size_t i = 0; i < h->n; i++)
			got_runs += !i || h->items[i].run_id !=
						  h->items[i - 1].run_id;
		if (h->n < limit || got_runs > (size_t)runs)
			return FG_OK;
		history_test_history_release(h);
		limit *= 4;
	}
}

static void print_strip(const struct history_test_id *id,
			const struct cli_run_slice *r, size_t n)
{
	size_t count[FG_O_COUNT] = { 0 };

	printf("%s::%s%s%s\n", cli_safe(id->suite), cli_safe(id->classname),
	       *id->classname ? "::" : "", cli_safe(id->name));
	for (size_t i = n; i-- > 0;) {
		for (size_t k = r[i].n; k-- > 0;)
			fputs(mark(r[i].first[k].attempt.status), stdout);
		putchar(i ? ' ' : '\n');
		count[r[i].first->outcome]++;
	}
	printf("%zu run%s", n, n == 1 ? "" : "s");
	for (int o = 0, first = 1; o < FG_O_COUNT; o++)
		if (count[o]) {
			printf("%s %zu %s", first ? ":" : ",", count[o],
			       fg_outcome_name(o));
			first = 0;
		}
	putchar('\n');
	for (size_t i = n; i-- > 0;) {
		const struct history_attempt_rec *a = r[i].first;
		char when[32], dur[32];
		int width = 0;

		fg_time_iso8601(a->run_started_at_ms, when, sizeof(when));
		when[16] = '\0';
		when[10] = ' ';
		fg_duration_format(a->attempt.duration_ms, dur, sizeof(dur));
		printf("  #%-5lld %s  %-8.8s %-12.12s ", (long long)a->run_id,
		       when, cli_safe(a->commit ? a->commit : "-"),
		       cli_safe(a->branch ? a->branch : "-"));
		for (size_t k = r[i].n; k-- > 0; width++)
			fputs(mark(r[i].first[k].attempt.status), stdout);
		printf("%*s %8s  %s", width < 6 ? 6 - width : 0, "", dur,
		       fg_outcome_name(a->outcome));
		if (a->attempt.message &&
		    fg_astatus_is_failure(a->attempt.status)) {
			size_t len = strcspn(a->attempt.message, "\n");
			char *m = fg_xstrndup(a->attempt.message,
					      len > 60 ? 60 : len);

			printf(": %s", cli_safe(m));
			free(m);
		}
		putchar('\n');
	}
}

/* The one test spec means, or an exit code after saying why not. */
static int pick(const struct history_test_ids *ids, const char *spec,
		const char *db, const struct history_test_id **out)
{
	const struct history_test_id *best = NULL;
	int top = 0, ntop = 0;

	for (size_t i = 0; i < ids->n; i++) {
		if (ids->items[i].rank > top) {
			top = ids->items[i].rank;
			ntop = 0;
		}
		if (ids->items[i].rank == top && ++ntop)
			best = &ids->items[i];
	}
	if (ntop == 1) {
		*out = best;
		return FG_EXIT_OK;
	}
	if (!ids->n) {
		fprintf(stderr, "flakeguard: no test '%s' in '%s'\n",
			cli_safe(spec), cli_db_label(db));
		return FG_EXIT_USAGE;
	}
	fprintf(stderr, "flakeguard: '%s' is ambiguous; it could be:\n",
		cli_safe(spec));
	for (size_t i = 0; i < ids->n; i++)
		if (ids->items[i].rank == top)
			fprintf(stderr, "  %s::%s%s%s\n",
				cli_safe(ids->items[i].suite),
				cli_safe(ids->items[i].classname),
				*ids->items[i].classname ? "::" : "",
				cli_safe(ids->items[i].name));
	return FG_EXIT_USAGE;
}

static int show(struct history_store *st, const struct history_opts *o,
		const char *spec)
{
	struct history_test_ids ids = { 0 };
	struct history_test_history h = { 0 };
	const struct history_test_id *id = NULL;
	struct cli_run_slice *runs;
	struct fg_error err = { 0 };
	size_t n;
	int rc;

	if (cli_find_tests(st, spec, &ids, &err) != FG_OK)
		return cli_error(&err);
	if ((rc = pick(&ids, spec, o->db, &id)) == FG_EXIT_OK &&
	    fetch(st, id, o->last, &h, &err) != FG_OK)
		rc = cli_error(&err);
	if (rc == FG_EXIT_OK) {
		runs = fg_xcalloc((size_t)o->last, sizeof(*runs));
		n = slice_runs(&h, runs, (size_t)o->last);
		if (o->json ? cli_json_history(stdout, id, runs, n) != 0 :
			      (print_strip(id, runs, n), 0))
			rc = FG_EXIT_INFRA;
		free(runs);
	}
	if (fflush(stdout) && rc == FG_EXIT_OK)
		rc = FG_EXIT_INFRA;
	history_test_history_release(&h);
	history_test_ids_release(&ids);
	return rc;
}

#define H struct history_opts
static const struct cli_opt history_options[] = {
	CLI_PATH(0, "db", H, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_INT('n', "last", H, last, "N", 1, 100000,
		"the newest N runs (default 20)"),
	CLI_FLAG(0, "json", H, json, "print the history as JSON"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef H

static int cmd_history(int argc, char **argv)
{
	struct history_opts o = { .db = CLI_DEFAULT_DB,
				  .last = HISTORY_DEFAULT_RUNS };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct cli_parsed p;
	int rc;

	rc = cli_parse(&cli_cmd_history, argc, argv, &o, &p);
	if (!rc && p.nargs != 1)
		rc = cli_usage_error(&cli_cmd_history, !p.nargs ?
				     "which test?" : "one test at a time");
	if (!rc)
		rc = cli_resolve(&cli_cmd_history, &p, NULL);
	if (rc) {
		cli_parsed_release(&cli_cmd_history, &p);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	if ((rc = cli_open_history_to_read(o.db, &st, &err)) != FG_OK)
		rc = cli_error(&err);
	else
		rc = show(st, &o, p.args[0]);
	history_store_close(st);
	cli_parsed_release(&cli_cmd_history, &p);
	return rc;
}

const struct cli_command cli_cmd_history = {
	.name = "history",
	.fn = cmd_history,
	.usage = "flakeguard history [OPTIONS] TEST",
	.summary = "show one test's recent runs and attempts",
	.help =
	"TEST is suite::classname::name, suite::name, or a name alone when no\n"
	"other test has it. Each run shows as its attempts, oldest run first:\n"
	"\xe2\x9c\x93 passed, \xe2\x9c\x97 failed (or error, timeout, crash, leak), - skipped.\n",
	.help_after =
	"Exit codes: 0 shown, 2 usage error or no such test (an ambiguous TEST\n"
	"lists the candidates), 3 database error.\n",
	.options = history_options,
};
