/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_analyze.c - `flakeguard analyze`: every test's evidence and
 * category from the history, the ranked table of unstable tests, what the
 * quarantine policy changes now (applied unless --dry-run), and with
 * --backtest a replay of the whole history under the policy.
 *
 * Each test's runs come from its summary (history/summary.c,
 * analyzer/summary.c: its window, kept per test in every run's
 * transaction) where the summary holds what the results would give, so
 * the cost is one short row per test, whatever the history holds; from
 * the results (history_store_scan, the newest `history` runs) otherwise,
 * and for every test with --rebuild or --backtest. One struct an_test at
 * a time: memory stays at one test's window. Summaries found missing or
 * short are written back afterwards from what the results gave (with
 * --rebuild: all of them), unless --dry-run.
 */
#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "cli/json.h"
#include "history/history.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct analyze_opts {
	const char *db, *config, *qfile;
	struct cli_list policy;
	bool json, dry_run, backtest, all, rebuild;
};

/* A summary to write back (history_store_summary_replace()). */
struct put {
	char *suite, *classname, *name, *state;
};

/* One analysed test, kept for ranking. */
struct analyze_state {
	const struct analyze_opts *o;
	struct an_policy p;
	struct cli_quarantine q;
	struct history_store *st;
	struct an_test cur;
	int64_t cur_id;
	bool have;
	struct cli_analysis_row *rows;
	size_t n, cap;
	size_t tests, quarantined;
	struct an_backtest bt;
	int64_t now;
	size_t load;             /* runs per test: max(history, window) */
	size_t from_summary, from_results; /* tests read each way */
	bool put_cur;            /* write a summary of the current test */
	struct put *puts;
	size_t nputs, cap_puts;
	struct history_run_info *runs; /* the runs summaries name */
	size_t nruns;
};

static int rank(const struct cli_analysis_row *r)
{
	static const int order[AN_CATEGORY_COUNT] = {
		[AN_BROKEN] = 0, [AN_INTERMITTENT] = 1, [AN_NEW_FLAKY] = 1,
		[AN_INTERFERENCE] = 1, [AN_MEMORY] = 1, [AN_FLAKY] = 2, [AN_FIXED] = 3,
		[AN_SLOW] = 4, [AN_NEW] = 5, [AN_STABLE] = 6,
	};
	return order[r->t.cat];
}

static int cmp_rows(const void *a, const void *b)
{
	const struct cli_analysis_row *x = a, *y = b;

	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	if (x->t.ev.p.p != y->t.ev.p.p)
		return x->t.ev.p.p < y->t.ev.p.p ? 1 : -1;
	return strcmp(x->t.name, y->t.name);
}

/* Evaluates the finished test in s->cur and keeps it if it matters. */
static void finish_test(struct analyze_state *s)
{
	struct an_test *t = &s->cur;
	const struct history_quarantine *q, *ended;
	struct an_decision dec;
	bool blocked;

	if (!s->have)
		return;
	s->have = false;
	s->tests++;
	if (s->put_cur) {
		struct put *pu;

		fg_xgrow((void **)&s->puts, &s->cap_puts, s->nputs + 1,
			 sizeof(*s->puts));
		pu = &s->puts[s->nputs++];
		pu->suite = fg_xstrdup(t->suite);
		pu->classname = fg_xstrdup(t->classname);
		pu->name = fg_xstrdup(t->name);
		/* fewer runs than asked for: they are all it has */
		pu->state = an_summary_of(t, t->nobs < s->load);
	}
	q = cli_quarantine_find(&s->q.active, t->suite, t->classname, t->name);
	blocked = cli_quarantine_find(&s->q.expired, t->suite, t->classname,
				      t->name);
	if (s->o->backtest)
		an_backtest_test(t, &s->p, &s->bt);
	ended = cli_quarantine_find(&s->q.ended, t->suite, t->classname,
				    t->name);
	an_evaluate(t, t->nobs, q ? q->since_ms :
				ended ? ended->released_ms : 0, &s->p);
	an_decide(t, q, blocked, s->now, &s->p, &dec);
	s->quarantined += q != NULL;
	if (s->o->all || q || dec.action != AN_NONE ||
	    (t->cat != AN_STABLE && t->cat != AN_NEW)) {
		struct cli_analysis_row *r;

		fg_xgrow((void **)&s->rows, &s->cap, s->n + 1, sizeof(*s->rows));
		r = &s->rows[s->n++];
		memset(r, 0, sizeof(*r));
		r->q = q;
		r->dec = dec;
		if (t->ev.last_fail) {
			r->last_fail_ms = t->obs[t->ev.last_fail - 1].started_at_ms;
			r->last_fail_commit = fg_xstrdup(
				t->obs[t->ev.last_fail - 1].commit);
		}
		r->t = *t; /* moves the evidence and the observations */
		memset(t, 0, sizeof(*t));
		return;
	}
	an_test_release(t);
}

static int on_row(void *ctx, const struct history_scan_row *r)
{
	struct analyze_state *s = ctx;

	if (!s->have || s->cur_id != r->test_id) {
		finish_test(s);
		an_test_init(&s->cur, r->suite, r->classname, r->name);
		s->cur_id = r->test_id;
		s->have = true;
	}
	an_test_add_row(&s->cur, r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* From the summaries                                                      */
/* ---------------------------------------------------------------------- */

struct sum_item {
	char *suite, *classname, *name, *state;
};

struct sum_list {
	struct sum_item *v;
	size_t n, cap;
	int64_t min_run;
};

static int sum_row(void *ctx, const char *suite, const char *classname,
		   const char *name, const char *state)
{
	struct sum_list *l = ctx;
	struct sum_item *it;
	struct an_summary_head h;

	fg_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	it = &l->v[l->n++];
	it->suite = fg_xstrdup(suite);
	it->classname = fg_xstrdup(classname);
	it->name = fg_xstrdup(name);
	it->state = fg_xstrdup(state);
	if (state && !an_summary_head(state, &h) && h.nobs &&
	    h.min_run_id < l->min_run)
		l->min_run = h.min_run_id;
	return 0;
}

static int cur_row(void *ctx, const struct history_scan_row *r)
{
	an_test_add_row(ctx, r);
	return 0;
}

/* Whether the summary gives what the newest s->load runs would. */
static bool summary_serves(const struct analyze_state *s, const char *state)
{
	struct an_summary_head h;

	return state && !an_summary_head(state, &h) &&
	       (an_summary_covers(&h, s->load) ||
		an_summary_covers_clean(&h, s->load, (size_t)s->p.window));
}

static int analyse_one(struct analyze_state *s, const struct sum_item *it,
		       struct fg_error *err)
{
	int rc = FG_OK;

	an_test_init(&s->cur, it->suite, it->classname, it->name);
	s->have = true;
	s->put_cur = false;
	if (!summary_serves(s, it->state) ||
	    an_summary_load(&s->cur, it->state, s->load, s->runs, s->nruns)) {
		s->put_cur = !s->o->dry_run;
		s->from_results++;
		rc = history_store_scan(s->st, (int)s->load, it->suite,
					it->classname, it->name, cur_row,
					&s->cur, err);
	} else {
		s->from_summary++;
	}
	if (rc == FG_OK)
		finish_test(s);
	s->put_cur = false;
	return rc;
}

static int from_summaries(struct analyze_state *s, struct fg_error *err)
{
	struct sum_list l = { .min_run = INT64_MAX };
	int rc = history_store_summary_each(s->st, sum_row, &l, err);

	if (rc == FG_OK && l.min_run != INT64_MAX)
		rc = history_store_run_info(s->st, l.min_run, &s->runs,
					    &s->nruns, err);
	for (size_t i = 0; rc == FG_OK && i < l.n; i++)
		rc = analyse_one(s, &l.v[i], err);
	fg_log(FG_LOG_DEBUG, "analyze", "%zu tests read from their summary, "
	       "%zu from the results", s->from_summary, s->from_results);
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].suite);
		free(l.v[i].classname);
		free(l.v[i].name);
		free(l.v[i].state);
	}
	free(l.v);
	return rc;
}

/* The summaries found missing (or all, with --rebuild), written back. */
static int write_summaries(struct analyze_state *s, int64_t latest,
			   struct fg_error *err)
{
	struct history_summary_put *v;
	bool written = false;
	int rc;

	if (s->o->dry_run || (!s->nputs && !s->o->rebuild))
		return FG_OK;
	v = fg_xcalloc(s->nputs + 1, sizeof(*v));
	for (size_t i = 0; i < s->nputs; i++) {
		v[i].suite = s->puts[i].suite;
		v[i].classname = s->puts[i].classname;
		v[i].name = s->puts[i].name;
		v[i].state = s->puts[i].state;
	}
	rc = history_store_summary_replace(s->st, latest, s->o->rebuild, v,
					   s->nputs, &written, err);
	free(v);
	if (rc == FG_OK && !written)
		fg_log(FG_LOG_INFO, "analyze", "summaries not written: a run "
		       "was recorded meanwhile");
	return rc;
}

static const char *qstate(const struct cli_analysis_row *r)
{
	if (!r->q)
		return "-";
	return r->q->source && !strcmp(r->q->source, "auto") ? "auto" :
								 "manual";
}

/* Interference: every test beside its failures, and the suggestion. */
static void print_interference(const struct an_test *t)
{
	char *sug = an_interference_suggestion(t);

	if (t->cat != AN_INTERFERENCE)
		return;
	printf("           beside its failures:");
	for (size_t i = 0; i < t->ev.nculprits; i++)
		printf("%s %s (%lu run%s)", i ? "," : "",
		       cli_safe(t->ev.culprits[i].name), t->ev.culprits[i].runs,
		       t->ev.culprits[i].runs == 1 ? "" : "s");
	printf("%s\n", t->ev.nculprits ? "" : " (not recorded)");
	if (sug)
		printf("           suggestion: %s\n", cli_safe(sug));
	free(sug);
}

static void print_table(const struct analyze_state *s)
{
	char ps[96], when[40];
	size_t changes = 0;

	printf("%-10s %-34s %-10s %-7s %-7s %s\n", "CATEGORY",
	       "P [95% INTERVAL], N", "LAST FLAKE", "OWNER", "QUAR.", "TEST");
	for (size_t i = 0; i < s->n; i++) {
		const struct cli_analysis_row *r = &s->rows[i];

		an_format_p(ps, sizeof(ps), &r->t.ev.p, r->t.ev.runs);
		if (r->last_fail_ms) {
			fg_time_iso8601(r->last_fail_ms, when, sizeof(when));
			when[10] = '\0';
		}
		printf("%-10s %-34s %-10s %-7.7s %-7s ",
		       an_category_name(r->t.cat), ps,
		       r->last_fail_ms ? when : "-",
		       cli_safe(r->q && r->q->owner ? r->q->owner : "-"),
		       qstate(r));
		cli_test_label(stdout, r->t.suite, r->t.classname, r->t.name);
		printf("\n           %s\n", cli_safe(r->t.reason));
		print_interference(&r->t);
	}
	printf("\n%zu tests analysed, %zu unstable or quarantined shown, %zu "
	       "quarantined\n", s->tests, s->n, s->quarantined);
	for (size_t i = 0; i < s->n; i++) {
		const struct cli_analysis_row *r = &s->rows[i];
		const char *what = r->dec.action == AN_ENTER ? "quarantine" :
				   r->dec.action == AN_LEAVE ? "release" :
				   r->dec.action == AN_EXPIRED ? "expire" : NULL;

		if (!what)
			continue;
		if (!changes++)
			printf("\nPolicy changes%s:\n", s->o->dry_run ?
			       " (dry run: not applied)" : "");
		printf("  %s ", what);
		cli_test_label(stdout, r->t.suite, r->t.classname, r->t.name);
		printf(": %s\n", cli_safe(r->dec.why));
	}
	if (!changes)
		printf("\nPolicy changes: none\n");
}

static void print_backtest(const struct analyze_state *s)
{
	const struct an_backtest *b = &s->bt;

	printf("\nBacktest over %lu test runs: would have quarantined %lu "
	       "time%s, released %lu; hidden %lu failing runs (%lu of tests "
	       "broken now); missed %lu failing runs of flaky tests that "
	       "still failed a run; red test runs: %lu without policy, %lu "
	       "with\n", b->runs, b->entered, b->entered == 1 ? "" : "s",
	       b->released, b->hidden, b->hidden_broken, b->missed,
	       b->red_naive, b->red_policy);
}

/* Writes the decisions (not with --dry-run, nor for file-only entries). */
/*
 * The policy's changes, in one transaction, each made only if still
 * right (history_quarantine_apply()): an entry only where no other run
 * entered one meanwhile, a release only of the entry decided about.
 */
static int apply(struct analyze_state *s, struct fg_error *err)
{
	struct history_quarantine_change *c;
	struct history_quarantine *qs;
	char **evidence;
	size_t n = 0;
	int rc;

	if (s->o->dry_run || !s->n)
		return FG_OK;
	c = fg_xcalloc(s->n, sizeof(*c));
	qs = fg_xcalloc(s->n, sizeof(*qs));
	evidence = fg_xcalloc(s->n, sizeof(*evidence));
	for (size_t i = 0; i < s->n; i++) {
		struct cli_analysis_row *r = &s->rows[i];
		const struct history_quarantine *seen;

		if (r->dec.action == AN_ENTER) {
			struct history_quarantine q = {
				.suite = r->t.suite, .classname = r->t.classname,
				.name = r->t.name, .reason = r->dec.why,
				.source = "auto",
				.mode = s->p.skip_mode ? "skip" : "run",
				.since_ms = s->now,
				.expires_ms = s->p.expire_days ?
					s->now + s->p.expire_days * 86400000LL : 0,
			};

			q.evidence = evidence[i] = an_evidence_json(&r->t);
			qs[n] = q;
			c[n].op = HISTORY_Q_ENTER;
			c[n].q = &qs[n];
			n++;
		} else if (r->dec.action != AN_NONE &&
			   (seen = cli_quarantine_find(&s->q.stored, r->t.suite,
						       r->t.classname,
						       r->t.name))) {
			qs[n] = *seen;
			c[n].op = HISTORY_Q_END;
			c[n].q = &qs[n];
			c[n].when_ms = s->now;
			c[n].why = r->dec.action == AN_LEAVE ? r->dec.rule :
							       "expired";
			n++;
		}
	}
	rc = n ? history_quarantine_apply(s->st, c, n, err) : FG_OK;
	for (size_t i = 0; rc == FG_OK && i < n; i++) {
		if (c[i].applied)
			continue;
		fprintf(stderr, "flakeguard: ");
		cli_test_label(stderr, c[i].q->suite, c[i].q->classname,
			       c[i].q->name);
		fprintf(stderr, ": %s\n", c[i].op == HISTORY_Q_ENTER ?
			"another run quarantined it first (its entry is kept)" :
			"its quarantine entry was changed by another run "
			"meanwhile (not released here)");
	}
	for (size_t i = 0; i < s->n; i++)
		free(evidence[i]);
	free(evidence);
	free(qs);
	free(c);
	return rc;
}

#define A struct analyze_opts
static const struct cli_opt analyze_options[] = {
	CLI_PATH(0, "db", A, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB", .cfg = CLI_CFG_DB),
	CLI_PATH('c', "config", A, config, "FILE",
		 "policy from FILE's \"quarantine\" object\n"
		 "(default: flakeguard.json when present)"),
	CLI_LIST(0, "policy", A, policy, "KEY=VALUE",
		 "override a policy key (repeatable)"),
	CLI_PATH(0, "quarantine", A, qfile, "FILE",
		 "also honour a committed quarantine list"),
	CLI_FLAG(0, "json", A, json, "print the analysis as JSON"),
	CLI_FLAG(0, "dry-run", A, dry_run,
		 "show the policy's changes, apply none"),
	CLI_FLAG(0, "backtest", A, backtest,
		 "replay the history under the policy: what\n"
		 "it would have quarantined, released, hidden\n"
		 "and missed"),
	CLI_FLAG(0, "all", A, all, "list stable and new tests too"),
	CLI_FLAG(0, "rebuild", A, rebuild,
		 "read every test's runs from the results,\n"
		 "not from its summary, and rebuild the\n"
		 "summaries"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef A

static int run_analysis(struct analyze_state *s, struct fg_config *cfg)
{
	struct fg_error err = { 0 };
	int64_t latest;
	int rc;

	if ((rc = cli_policy_build(cfg, s->o->policy.v, s->o->policy.n, &s->p,
				   &err)))
		return err.code == FG_EINVAL ?
			cli_usage_error(&cli_cmd_analyze, "%s", err.msg) :
			cli_error(&err);
	s->load = (size_t)(s->p.history > s->p.window ? s->p.history :
			   s->p.window);
	if (cli_open_existing_db(s->o->db, &s->st, &err) ||
	    history_store_latest_run_id(s->st, &latest, &err) ||
	    cli_analysis_count_tests(s->st, &s->p.tests, &err) ||
	    cli_quarantine_load(s->st, s->o->qfile, &s->q, &err))
		return cli_error(&err);
	if (s->o->rebuild || s->o->backtest) {
		s->put_cur = s->o->rebuild && !s->o->dry_run;
		if (history_store_scan(s->st, (int)s->load, NULL, NULL, NULL,
				       on_row, s, &err))
			return cli_error(&err);
		finish_test(s);
	} else if (from_summaries(s, &err)) {
		return cli_error(&err);
	}
	if (write_summaries(s, latest, &err))
		return cli_error(&err);
	if (s->n) /* rows is NULL when no test is unstable */
		qsort(s->rows, s->n, sizeof(*s->rows), cmp_rows);
	if (s->o->json)
		cli_json_analysis(stdout, s->rows, s->n, s->tests,
				  s->quarantined, s->o->dry_run,
				  s->o->backtest ? &s->bt : NULL);
	else
		print_table(s);
	if (s->o->backtest && !s->o->json)
		print_backtest(s);
	if (apply(s, &err))
		return cli_error(&err);
	return fflush(stdout) ? FG_EXIT_INFRA : FG_EXIT_OK;
}

static int cmd_analyze(int argc, char **argv)
{
	struct analyze_opts o = { .db = NULL };
	struct analyze_state s = { .o = &o, .now = fg_now_ms() };
	struct fg_config cfg;
	struct fg_error err = { 0 };
	struct cli_parsed parsed;
	int rc;

	fg_config_init(&cfg);
	rc = cli_parse(&cli_cmd_analyze, argc, argv, &o, &parsed);
	if (!rc && parsed.nargs)
		rc = cli_usage_error(&cli_cmd_analyze, "no arguments expected");
	if (!rc && o.config && fg_config_load(&cfg, o.config, &err))
		rc = cli_error(&err);
	/* A broken default config is not ours to judge here (run will):
	 * fg_config_load() leaves cfg empty on error. */
	if (!rc && !o.config && !access("flakeguard.json", R_OK))
		fg_config_load(&cfg, "flakeguard.json", &err);
	if (!rc)
		rc = cli_resolve(&cli_cmd_analyze, &parsed, &cfg);
	if (rc) {
		cli_parsed_release(&cli_cmd_analyze, &parsed);
		fg_config_release(&cfg);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	if (!o.db)
		o.db = CLI_DEFAULT_DB;
	rc = run_analysis(&s, &cfg);
	for (size_t i = 0; i < s.n; i++) {
		an_test_release(&s.rows[i].t);
		free(s.rows[i].last_fail_commit);
	}
	free(s.rows);
	for (size_t i = 0; i < s.nputs; i++) {
		free(s.puts[i].suite);
		free(s.puts[i].classname);
		free(s.puts[i].name);
		free(s.puts[i].state);
	}
	free(s.puts);
	an_test_release(&s.cur);
	history_run_info_free(s.runs, s.nruns);
	cli_quarantine_release(&s.q);
	history_store_close(s.st);
	fg_config_release(&cfg);
	cli_parsed_release(&cli_cmd_analyze, &parsed);
	return rc;
}

const struct cli_command cli_cmd_analyze = {
	.name = "analyze",
	.fn = cmd_analyze,
	.usage = "flakeguard analyze [OPTIONS]",
	.summary = "rank unstable tests and apply the quarantine policy",
	.help =
	"Reads each test's newest runs from the history, gives it a category\n"
	"(stable, flaky, broken, intermittent, memory-error, fixed, new, slow)\n"
	"with the rule and numbers behind it, and ranks the unstable ones.\n"
	"Then applies the quarantine policy (docs/analyzer.md): enter,\n"
	"release, expire.\n",
	.help_after = "Exit codes: 0 done, 2 usage error, 3 database error.\n",
	.options = analyze_options,
};
