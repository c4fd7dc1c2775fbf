/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_quarantine.c - `flakeguard quarantine list|add|remove|export|
 * import`: the quarantine list, reviewable.
 *
 * TEST is spelled as for `flakeguard history`: suite::classname::name,
 * suite::name, or a name alone when it is unique. A test the database has
 * never seen can still be added with suite::name or suite::classname::name
 * (so a list can be prepared before the first run). `add` snapshots the
 * test's evidence from its history; `export` writes the active entries as
 * flakeguard-quarantine.json (sorted, one entry per test), `import` adds a
 * file's entries (replacing a test's active entry).
 */
#include "analyzer/analyzer.h"
#include "cli/cli.h"
#include "cli/json.h"
#include "history/history.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct q_opts {
	const char *db;
	const char *reason, *owner, *expires, *issue, *mode;
	bool json;
};

/* The identity spec means: a known test, or the spelled-out one. */
static int resolve(struct history_store *st, const char *spec,
		   struct history_test_id *out, struct fg_error *err)
{
	struct history_test_ids ids = { 0 };
	int top = 0, ntop = 0, rc;
	const struct history_test_id *best = NULL;
	const char *a, *b;

	if ((rc = cli_find_tests(st, spec, &ids, err)))
		return cli_error(err);
	for (size_t i = 0; i < ids.n; i++) {
		if (ids.items[i].rank > top) {
			top = ids.items[i].rank;
			ntop = 0;
		}
		if (ids.items[i].rank == top && ++ntop)
			best = &ids.items[i];
	}
	if (ntop > 1) {
		fprintf(stderr, "flakeguard: '%s' is ambiguous; it could be:\n",
			cli_safe(spec));
		for (size_t i = 0; i < ids.n; i++)
			if (ids.items[i].rank == top) {
				fputs("  ", stderr);
				cli_test_label(stderr, ids.items[i].suite,
					       ids.items[i].classname,
					       ids.items[i].name);
				fputc('\n', stderr);
			}
		history_test_ids_release(&ids);
		return FG_EXIT_USAGE;
	}
	if (best) {
		out->suite = fg_xstrdup(best->suite);
		out->classname = fg_xstrdup(best->classname);
		out->name = fg_xstrdup(best->name);
		history_test_ids_release(&ids);
		return FG_EXIT_OK;
	}
	history_test_ids_release(&ids);
	if (!(a = strstr(spec, "::")) || a == spec || !a[2]) {
		fprintf(stderr, "flakeguard: no test '%s' in the history; "
			"spell it suite::name or suite::classname::name\n",
			cli_safe(spec));
		return FG_EXIT_USAGE;
	}
	b = strstr(a + 2, "::");
	out->suite = fg_xstrndup(spec, (size_t)(a - spec));
	out->classname = b ? fg_xstrndup(a + 2, (size_t)(b - a - 2)) :
			     fg_xstrdup("");
	out->name = fg_xstrdup(b ? b + 2 : a + 2);
	return FG_EXIT_OK;
}

static void id_release(struct history_test_id *id)
{
	free(id->suite);
	free(id->classname);
	free(id->name);
}

static int add_row(void *ctx, const struct history_scan_row *r)
{
	an_test_add_row(ctx, r);
	return 0;
}

/* The test's evidence from its history, as JSON text. Caller frees. */
static char *snapshot(struct history_store *st, const struct history_test_id *id)
{
	struct an_policy p;
	struct an_test t;
	char *json;

	an_policy_defaults(&p);
	an_test_init(&t, id->suite, id->classname, id->name);
	history_store_scan(st, p.window, id->suite, id->classname, id->name,
			   add_row, &t, NULL);
	an_evaluate(&t, t.nobs, 0, &p);
	json = an_evidence_json(&t);
	an_test_release(&t);
	return json;
}

static int do_add(struct history_store *st, const struct q_opts *o,
		  const char *spec)
{
	struct history_test_id id = { 0 };
	struct history_quarantine q = { 0 };
	struct fg_error err = { 0 };
	int rc;

	if (!o->reason || !*o->reason)
		return cli_usage_error(&cli_cmd_quarantine, "add needs --reason");
	if (o->mode && strcmp(o->mode, "run") && strcmp(o->mode, "skip"))
		return cli_usage_error(&cli_cmd_quarantine, "invalid --mode "
				       "'%s' (expected run or skip)", o->mode);
	if (o->expires && an_parse_date(o->expires) < 0)
		return cli_usage_error(&cli_cmd_quarantine, "invalid --expires "
				       "'%s' (expected YYYY-MM-DD)", o->expires);
	if ((rc = resolve(st, spec, &id, &err)))
		return rc;
	q = (struct history_quarantine){
		.suite = id.suite, .classname = id.classname, .name = id.name,
		.reason = (char *)o->reason, .source = "manual",
		.owner = (char *)o->owner, .issue = (char *)o->issue,
		.mode = (char *)(o->mode ? o->mode : "run"),
		.expires_ms = o->expires ? an_parse_date(o->expires) : 0,
	};
	q.evidence = snapshot(st, &id);
	rc = history_quarantine_add(st, &q, &err);
	if (!rc) {
		printf("quarantined ");
		cli_test_label(stdout, id.suite, id.classname, id.name);
		printf(": %s\n", cli_safe(o->reason));
	}
	free(q.evidence);
	id_release(&id);
	return rc ? cli_error(&err) : FG_EXIT_OK;
}

static int do_remove(struct history_store *st, const char *spec)
{
	struct history_test_id id = { 0 };
	struct fg_error err = { 0 };
	bool removed = false;
	int rc;

	if ((rc = resolve(st, spec, &id, &err)))
		return rc;
	rc = history_quarantine_remove(st, id.suite, id.classname, id.name, 0,
				       "removed", &removed, &err);
	if (!rc && !removed) {
		fprintf(stderr, "flakeguard: '%s' is not quarantined\n",
			cli_safe(spec));
		rc = -1;
	} else if (!rc) {
		printf("released ");
		cli_test_label(stdout, id.suite, id.classname, id.name);
		putchar('\n');
	}
	id_release(&id);
	return rc < 0 ? FG_EXIT_USAGE : rc ? cli_error(&err) : FG_EXIT_OK;
}

static void print_entry(const struct history_quarantine *q)
{
	json_t *ev = q->evidence ? json_loads(q->evidence, 0, NULL) : NULL;
	const char *lf = ev ? json_string_value(json_object_get(
				      ev, "last_failure_at")) : NULL;
	char since[40], exp[40];

	fg_time_iso8601(q->since_ms, since, sizeof(since));
	since[10] = '\0';
	if (q->expires_ms) {
		fg_time_iso8601(q->expires_ms, exp, sizeof(exp));
		exp[10] = '\0';
	}
	cli_test_label(stdout, q->suite, q->classname, q->name);
	printf("\n    %s, %s since %s, expires %s, owner %s, mode %s\n",
	       q->source, q->source && !strcmp(q->source, "auto") ?
	       "entered automatically" : "added", since,
	       q->expires_ms ? exp : "never",
	       cli_safe(q->owner ? q->owner : "-"),
	       cli_safe(q->mode ? q->mode : "run"));
	if (ev)
		printf("    evidence: %lld runs, %lld failed, p = %.1f%% "
		       "[%.1f%%, %.1f%%], last failure %.10s\n",
		       (long long)json_integer_value(json_object_get(ev, "runs")),
		       (long long)json_integer_value(json_object_get(
			       ev, "failed_runs")),
		       100 * json_number_value(json_object_get(ev, "p")),
		       100 * json_number_value(json_object_get(ev, "p_low")),
		       100 * json_number_value(json_object_get(ev, "p_high")),
		       lf ? lf : "-");
	if (q->issue)
		printf("    issue: %s\n", cli_safe(q->issue));
	printf("    reason: %s\n", cli_safe(q->reason));
	json_decref(ev);
}

static int do_list(struct history_store *st, const struct q_opts *o)
{
	struct history_quarantine_list l = { 0 };
	struct fg_error err = { 0 };

	if (history_quarantine_list(st, false, &l, &err))
		return cli_error(&err);
	if (o->json) {
		cli_json_quarantine(stdout, &l);
	} else {
		for (size_t i = 0; i < l.n; i++)
			print_entry(&l.items[i]);
		printf("%zu test%s quarantined\n", l.n, l.n == 1 ? "" : "s");
	}
	history_quarantine_list_release(&l);
	return fflush(stdout) ? FG_EXIT_INFRA : FG_EXIT_OK;
}

static int do_export(struct history_store *st, const char *path)
{
	struct history_quarantine_list l = { 0 };
	struct fg_error err = { 0 };
	int rc = history_quarantine_list(st, false, &l, &err);

	if (!rc)
		rc = an_qfile_write(path, &l, &err);
	if (!rc)
		printf("%zu entr%s written to %s\n", l.n, l.n == 1 ? "y" : "ies",
		       path);
	history_quarantine_list_release(&l);
	return rc ? cli_error(&err) : FG_EXIT_OK;
}

static int do_import(struct history_store *st, const char *path)
{
	struct history_quarantine_list l = { 0 };
	struct fg_error err = { 0 };
	int rc = an_qfile_read(path, &l, &err);

	for (size_t i = 0; !rc && i < l.n; i++)
		rc = history_quarantine_add(st, &l.items[i], &err);
	if (!rc)
		printf("%zu entr%s imported from %s\n", l.n,
		       l.n == 1 ? "y" : "ies", path);
	history_quarantine_list_release(&l);
	return rc ? cli_error(&err) : FG_EXIT_OK;
}

static const char *const mode_choices[] = { "run", "skip", NULL };

#define Q struct q_opts
static const struct cli_opt quarantine_options[] = {
	CLI_PATH(0, "db", Q, db, "PATH|URL",
		 "history: a file or a postgresql:// URL\n"
		 "(default $FLAKEGUARD_DB, else\n"
		 ".flakeguard/history.db)",
		 .env = "FLAKEGUARD_DB"),
	CLI_FLAG(0, "json", Q, json, "list: print a JSON array"),
	CLI_STRING(0, "reason", Q, reason, "TEXT", "add: why (required)"),
	CLI_STRING(0, "owner", Q, owner, "NAME", "add: who looks after it"),
	CLI_STRING(0, "expires", Q, expires, "DATE",
		   "add: YYYY-MM-DD; its failures count again\n"
		   "from then until renewed"),
	CLI_STRING(0, "issue", Q, issue, "URL", "add: the tracking issue"),
	CLI_CHOICE(0, "mode", Q, mode, "run|skip", mode_choices,
		   "add: run it (default) or do not run it"),
	CLI_HELP_OPT,
	CLI_END,
};
#undef Q

static const char *const subcommands[] = {
	"list", "add", "remove", "export", "import",
};

static int cmd_quarantine(int argc, char **argv)
{
	const struct cli_command *cmd = &cli_cmd_quarantine;
	struct q_opts o = { .db = CLI_DEFAULT_DB };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct cli_parsed p;
	const char *sub, *arg, *near;
	int rc, nargs;

	rc = cli_parse(cmd, argc, argv, &o, &p);
	if (!rc)
		rc = cli_resolve(cmd, &p, NULL);
	if (!rc && !p.nargs)
		rc = cli_usage_error(cmd, "list, add, remove, export or "
				     "import?");
	if (rc) {
		cli_parsed_release(cmd, &p);
		return rc == CLI_HELP_SHOWN ? FG_EXIT_OK : rc;
	}
	sub = p.args[0];
	nargs = p.nargs - 1;
	arg = nargs ? p.args[1] : NULL;
	cli_parsed_release(cmd, &p);
	if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "remove") &&
	    strcmp(sub, "export") && strcmp(sub, "import")) {
		near = cli_nearest(sub, subcommands, sizeof(subcommands) /
						      sizeof(*subcommands));
		if (near)
			return cli_usage_error(cmd, "unknown subcommand '%s' "
					       "(did you mean '%s'?)", sub, near);
		return cli_usage_error(cmd, "unknown subcommand '%s'", sub);
	}
	if (strcmp(sub, "list") && nargs != 1)
		return cli_usage_error(cmd, "'%s' takes one argument", sub);
	if (!strcmp(sub, "list") && nargs)
		return cli_usage_error(cmd, "list takes no argument");
	rc = !strcmp(sub, "list") || !strcmp(sub, "export") ?
		     cli_open_existing_db(o.db, &st, &err) :
		     cli_db_open(o.db, CLI_DB_CREATE, &st, &err);
	if (rc)
		return cli_error(&err);
	if (!strcmp(sub, "list"))
		rc = do_list(st, &o);
	else if (!strcmp(sub, "add"))
		rc = do_add(st, &o, arg);
	else if (!strcmp(sub, "remove"))
		rc = do_remove(st, arg);
	else if (!strcmp(sub, "export"))
		rc = do_export(st, arg);
	else
		rc = do_import(st, arg);
	history_store_close(st);
	return rc;
}

const struct cli_command cli_cmd_quarantine = {
	.name = "quarantine",
	.fn = cmd_quarantine,
	.usage = "flakeguard quarantine list [--json] | add TEST --reason R "
		 "[OPTIONS] | remove TEST | export FILE | import FILE",
	.summary = "review and edit the quarantine list",
	.help =
	"TEST is suite::classname::name, suite::name, or a unique name (as for\n"
	"`flakeguard history`). A quarantined test still runs (mode run): its\n"
	"failures are reported but do not fail `flakeguard run`.\n\n"
	"  list                     active entries with evidence, owner, reason,\n"
	"                           since, expiry and last failure\n"
	"  add TEST --reason R      quarantine TEST by hand (source manual)\n"
	"  remove TEST              release TEST\n"
	"  export FILE              write flakeguard-quarantine.json (sorted, one\n"
	"                           entry per test) for `run --quarantine FILE`\n"
	"  import FILE              add a file's entries to the database\n",
	.help_after =
	"Exit codes: 0 done, 2 usage error or unknown test, 3 database or file\n"
	"error.\n",
	.options = quarantine_options,
};
