/* SPDX-License-Identifier: MIT */
/*
 * cli/plan.c - the plan `run` and `list` share: suites expanded into items,
 * estimated from history, ordered, and cut to this CI node's share.
 *
 * The runner never reads the database and history never schedules; this
 * file is where the two meet: history's per-test median durations become
 * per-item estimates (a whole suite: the sum of its tests; a case: its
 * test; a shard: the suite's sum over the shard count).
 */
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

#define DEFAULT_ESTIMATE_MS 1000

char *cli_suite_cwd(const struct fg_config *cfg, const struct fg_suite_cfg *s)
{
	if (!s->cwd)
		return fg_xstrdup(cfg->dir);
	if (s->cwd[0] == '/' || !strcmp(cfg->dir, "."))
		return fg_xstrdup(s->cwd);
	return fg_xasprintf("%s/%s", cfg->dir, s->cwd);
}

char *cli_subst(const char *s, const char *key, const char *value)
{
	const char *p = value ? strstr(s, key) : NULL;
	char *head, *rest, *out;

	if (!p)
		return fg_xstrdup(s);
	head = fg_xstrndup(s, (size_t)(p - s));
	rest = cli_subst(p + strlen(key), key, value);
	out = fg_xasprintf("%s%s%s", head, value, rest);
	free(head);
	free(rest);
	return out;
}

void cli_env_set(char ***env, const char *kv)
{
	size_t n = fg_strv_len(*env), klen = strcspn(kv, "=");

	for (size_t i = 0; i < n; i++) {
		if (!strncmp((*env)[i], kv, klen) && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = fg_xstrdup(kv);
			return;
		}
	}
	*env = fg_xrealloc(*env, (n + 2) * sizeof(char *));
	(*env)[n] = fg_xstrdup(kv);
	(*env)[n + 1] = NULL;
}

char **cli_suite_env(const struct fg_suite_cfg *s, const char *junit,
		     const char *tap)
{
	char **env = fg_strv_dup(environ);

	if (!env)
		env = fg_xcalloc(1, sizeof(char *));
	for (char **e = s->env; e && *e; e++) {
		char *v = cli_subst(*e, "{junit}", junit);
		char *w = cli_subst(v, "{tap}", tap);

		cli_env_set(&env, w);
		free(w);
		free(v);
	}
	/* CTest's ENVIRONMENT_MODIFICATION unset: gone from the child's */
	for (char **u = s->env_unset; u && *u; u++) {
		size_t k = strlen(*u), n = 0;

		for (size_t i = 0; env[i]; i++)
			if (strncmp(env[i], *u, k) || env[i][k] != '=')
				env[n++] = env[i];
			else
				free(env[i]);
		env[n] = NULL;
	}
	return env;
}

bool cli_suite_uses(const struct fg_suite_cfg *s, const char *key)
{
	for (char **a = s->argv; a && *a; a++)
		if (strstr(*a, key))
			return true;
	for (char **e = s->env; e && *e; e++)
		if (strstr(*e, key))
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* Estimates from history                                                  */
/* ---------------------------------------------------------------------- */

struct estimates {
	const struct fg_config *cfg;
	const struct history_durations *d;
	int64_t *suite_total;   /* per config suite: sum of its tests */
	bool *suite_known;
};

static bool estimate(void *ctx, const struct runner_item *it, int64_t *ms)
{
	struct estimates *e = ctx;
	const struct fg_suite_cfg *s = &e->cfg->suites[it->suite];
	const struct history_duration *h;

	if (it->case_name) {
		const char *dot = strchr(it->case_name, '.');

		h = history_durations_find(e->d, s->name, "", it->case_name);
		if (!h && dot && s->cases_gtest) {
			char *cls = fg_xstrndup(it->case_name,
						(size_t)(dot - it->case_name));

			h = history_durations_find(e->d, s->name, cls, dot + 1);
			free(cls);
		}
		if (!h)
			return false;
		*ms = h->median_ms;
		return true;
	}
	if (!e->suite_known[it->suite])
		return false;
	*ms = e->suite_total[it->suite] / (it->nshards > 1 ? it->nshards : 1);
	return true;
}

static void sum_suites(struct estimates *e)
{
	const struct history_durations *d = e->d;
	size_t n = e->cfg->nsuites;

	e->suite_total = fg_xcalloc(n + 1, sizeof(*e->suite_total));
	e->suite_known = fg_xcalloc(n + 1, sizeof(*e->suite_known));
	/* The list is sorted by suite: one pass, one lookup per suite run. */
	for (size_t i = 0; i < d->n;) {
		const char *name = d->items[i].suite;
		int64_t total = 0;
		size_t j = i;

		for (; j < d->n && !strcmp(d->items[j].suite, name); j++)
			total += d->items[j].median_ms;
		for (size_t k = 0; k < n; k++) {
			if (strcmp(e->cfg->suites[k].name, name))
				continue;
			e->suite_total[k] = total;
			e->suite_known[k] = true;
		}
		i = j;
	}
}

/*
 * A fixture's setup and cleanup must run where the suites requiring it
 * run: on another CI node they would set up nothing here. So the items of
 * the setups and cleanups node k's items need (and what those need) run
 * on node k too, marked `support`: node k does not count them among the
 * items it ran, so `verify` still finds each planned item on one node,
 * while each node records the results of what it ran. This is what ctest
 * does when a selection (-R, -I, -L) takes a test that requires a fixture.
 */
static void pull_fixtures(const struct fg_config *cfg,
			  struct runner_plan *plan, int k)
{
	bool *need = fg_xcalloc(cfg->nsuites + 1, sizeof(bool));

	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].node == k)
			need[plan->items[i].suite] = true;
	if (fg_fixtures_close(cfg, need))
		for (size_t i = 0; i < plan->n; i++)
			plan->items[i].support = plan->items[i].node != k &&
						 need[plan->items[i].suite];
	free(need);
}

/* Keeps only node k's items (k == 0: all) and their support, in order. */
static void keep_node(const struct fg_config *cfg, struct runner_plan *plan,
		      int k)
{
	size_t kept = 0;

	if (k)
		pull_fixtures(cfg, plan, k);
	for (size_t i = 0; i < plan->n; i++) {
		if (!k || plan->items[i].node == k || plan->items[i].support) {
			plan->items[kept++] = plan->items[i];
			continue;
		}
		free(plan->items[i].case_name);
		free(plan->items[i].id);
	}
	plan->n = kept;
}

/* The plan's items by id, for lookups in O(log n) (10,000 items). */
struct id_index {
	const char *id;   /* borrowed: stays valid when the item moves */
	size_t idx;
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct id_index *)a)->id,
		      ((const struct id_index *)b)->id);
}

static struct id_index *index_ids(const struct runner_plan *p)
{
	struct id_index *x = fg_xcalloc(p->n + 1, sizeof(*x));

	for (size_t i = 0; i < p->n; i++)
		x[i] = (struct id_index){ p->items[i].id, i };
	qsort(x, p->n, sizeof(*x), by_id);
	return x;
}

/* The item with this id not yet taken (its id still set), or NULL. */
static struct runner_item *find_item(struct runner_plan *p,
				     const struct id_index *x, const char *id)
{
	struct id_index key = { id, 0 };
	const struct id_index *hit = bsearch(&key, x, p->n, sizeof(*x), by_id);

	return hit && p->items[hit->idx].id ? &p->items[hit->idx] : NULL;
}

/*
 * An integer field of a plan from 1 to max, else 0. A plain (int) cast
 * would take "shards": 4294967298 for 2.
 */
static int plan_int(const json_t *v, int max)
{
	json_int_t i = json_integer_value(v);

	return i >= 1 && i <= max ? (int)i : 0;
}

/*
 * Takes order, estimates and nodes from a plan file written by
 * `flakeguard list --shards N --json`, so that every CI node runs its share
 * of the same plan even when their history databases differ.
 */
static int apply_plan_file(struct runner_plan *plan, const char *path,
			   int shard_n, struct fg_error *err)
{
	FILE *f = fg_fopen_input(path);
	json_error_t jerr;
	json_t *root, *tests, *t;
	struct runner_plan ordered;
	struct id_index *byid;
	size_t i;
	int n, rc = FG_OK;

	if (!f)
		return fg_fail(err, FG_ECONFIG, "cannot read plan '%s': %s",
			       path, strerror(errno));
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!root)
		return fg_fail(err, FG_ECONFIG, "%s:%d:%d: %s", path, jerr.line,
			       jerr.column, jerr.text);
	tests = json_object_get(root, "tests");
	n = plan_int(json_object_get(root, "shards"), INT_MAX);
	if (!json_is_array(tests) || n < 1) {
		json_decref(root);
		return fg_fail(err, FG_ECONFIG, "%s: not a plan (expected "
			       "\"shards\" and \"tests\" from `flakeguard "
			       "list --shards N --json`)", path);
	}
	if (shard_n != n) {
		json_decref(root);
		return fg_fail(err, FG_ECONFIG, "%s: the plan has %d shard(s), "
			       "this node was told %d", path, n, shard_n);
	}
	runner_plan_init(&ordered);
	byid = index_ids(plan);
	json_array_foreach(tests, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		struct runner_item *it = id ? find_item(plan, byid, id) : NULL;
		struct runner_item *dst;

		if (!it) {
			rc = fg_fail(err, FG_ECONFIG, "%s: tests[%zu] '%s' is "
				     "not in this configuration, or listed twice "
				     "(was the plan made from another checkout?)",
				     path, i, id ? id : "(no id)");
			break;
		}
		fg_xgrow((void **)&ordered.items, &ordered.cap, ordered.n + 1,
			 sizeof(*ordered.items));
		dst = &ordered.items[ordered.n++];
		*dst = *it;
		it->id = NULL; /* moved */
		it->case_name = NULL;
		dst->node = plan_int(json_object_get(t, "shard"), n);
		dst->estimate_ms = json_integer_value(
			json_object_get(t, "estimate_ms"));
		dst->known = json_is_true(json_object_get(t, "known"));
		if (dst->node < 1 || dst->node > n) {
			rc = fg_fail(err, FG_ECONFIG, "%s: tests[%zu] has no "
				     "valid shard", path, i);
			break;
		}
	}
	for (i = 0; !rc && i < plan->n; i++)
		if (plan->items[i].id)
			rc = fg_fail(err, FG_ECONFIG, "%s: '%s' is configured "
				     "but not in the plan (was the plan made "
				     "from another checkout?)", path,
				     plan->items[i].id);
	free(byid);
	json_decref(root);
	runner_plan_release(plan);
	*plan = ordered;
	return rc;
}

int cli_plan_build(const struct fg_config *cfg, struct history_store *store,
		   const char *plan_file, int shard_k, int shard_n,
		   struct runner_plan *plan, struct fg_error *err)
{
	struct history_durations d = { 0 };
	struct estimates e = { .cfg = cfg, .d = &d };
	int rc = FG_OK;

	runner_plan_init(plan);
	for (size_t i = 0; i < cfg->nsuites && !rc; i++) {
		const struct fg_suite_cfg *s = &cfg->suites[i];
		char *cwd = cli_suite_cwd(cfg, s);
		char **env = cli_suite_env(s, NULL, NULL);

		rc = runner_plan_add_suite(plan, i, s, cwd, env,
					   cli_list_timeout_ms(), err);
		free(cwd);
		fg_strv_free(env);
	}
	if (rc) {
		runner_plan_release(plan);
		return rc;
	}
	if (plan_file) {
		rc = apply_plan_file(plan, plan_file, shard_n, err);
		if (rc)
			runner_plan_release(plan);
		else
			keep_node(cfg, plan, shard_k);
		return rc;
	}
	if (store && history_store_durations(store, 20, &d, err)) {
		fg_log(FG_LOG_WARN, "plan", "no history estimates: %s",
		       err->msg);
		memset(&d, 0, sizeof(d));
	}
	sum_suites(&e);
	runner_plan_order(plan, estimate, &e, DEFAULT_ESTIMATE_MS);
	free(e.suite_total);
	free(e.suite_known);
	history_durations_release(&d);
	if (shard_n > 1) {
		runner_plan_partition(plan, shard_n);
		keep_node(cfg, plan, shard_k);
	} else {
		for (size_t i = 0; i < plan->n; i++)
			plan->items[i].node = 1;
	}
	return FG_OK;
}

/* ---------------------------------------------------------------------- */
/* Selection shared by run and list                                        */
/* ---------------------------------------------------------------------- */

int cli_load_suites(const struct cli_command *cmd, const char **config,
		    int nprog, char **progs, const struct cli_select *sel,
		    struct fg_config *cfg)
{
	bool import = sel && (sel->ctest || sel->meson);
	const struct cli_list *labels = sel ? &sel->labels : NULL;
	struct fg_error err;
	struct stat st;

	fg_config_init(cfg);
	if (!*config && stat("flakeguard.json", &st) == 0)
		*config = "flakeguard.json";
	if (nprog && (*config || import)) {
		/*
		 * `run -c FILE NAME...`, `run --ctest DIR NAME...`: suites
		 * (imported tests too), or programs
		 */
		bool selected;
		int rc = *config ? fg_config_load(cfg, *config, &err) : FG_OK;

		if (!rc)
			rc = cli_import_tests(cfg, sel, &err);
		/* a broken file or build dir is not in the way of programs */
		if (rc && !cli_all_programs(nprog, progs))
			return cli_error(&err);
		if (!rc && ((rc = cli_args_are_suites(cmd, cfg, nprog, progs,
						      &selected)) || selected))
			return rc ? rc : cli_select_labels(cfg, labels);
		if (import)
			return cli_usage_error(cmd, "programs and --ctest or "
					       "--meson exclude each other");
		fg_config_release(cfg);
		fg_config_init(cfg);
		fprintf(stderr, "flakeguard: programs given: ignoring "
			"the suites of '%s'\n", *config);
	}
	if (nprog) {
		for (int i = 0; i < nprog; i++)
			fg_config_add_program(cfg, progs[i]);
		return cli_select_labels(cfg, labels);
	}
	if (!*config && !import)
		return cli_usage_error(cmd, "no programs given and no "
				       "flakeguard.json here (use -c FILE, "
				       "--ctest DIR or --meson DIR)");
	if (*config && fg_config_load(cfg, *config, &err))
		return cli_error(&err);
	if (cli_import_tests(cfg, sel, &err))
		return cli_error(&err);
	if (!cfg->nsuites) {
		fprintf(stderr, "flakeguard: %s: no suites to run\n",
			*config ? *config : "(none)");
		return FG_EXIT_USAGE;
	}
	return cli_select_labels(cfg, labels);
}

int cli_shard_choose(const struct cli_command *cmd, const char *arg, int *k,
		     int *n)
{
	struct fg_error err;

	*k = *n = 1;
	if (arg) {
		if (runner_shard_parse(arg, k, n, &err))
			return cli_usage_error(cmd, "%s", err.msg);
	} else if (runner_shard_from_env(k, n)) {
		fg_log(FG_LOG_INFO, "run", "shard %d/%d from the CI environment",
		       *k, *n);
	}
	return FG_OK;
}
