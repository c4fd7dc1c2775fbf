/* SPDX-License-Identifier: MIT */
/*
 * cli/spool.c - a finished run is never lost.
 *
 * When the history database cannot take a run (locked past the busy
 * timeout, disk full, read-only, a server down), the run goes to a spool
 * file beside it instead: <dir of the database>/pending/<uuid>.json (for
 * a server URL, .flakeguard/pending/), one "flakeguard-run/1" object
 * (cli/runline.c), written to a temporary name and renamed into place so
 * a crash never leaves half a file. The next `run` or `import` that opens
 * the database folds every spooled run in, idempotently by uuid (a run
 * already there is not added twice), and removes the file.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cli_spool_dir(const char *db)
{
	const char *slash;

	if (strstr(db, "://"))
		return fg_xstrdup(".flakeguard/pending");
	slash = strrchr(db, '/');
	if (!slash)
		return fg_xstrdup("pending");
	return fg_xasprintf("%.*s/pending", (int)(slash - db), db);
}

int cli_spool_write(const char *db, struct fg_run *run, char **path_out,
		    struct fg_error *err)
{
	char *dir = cli_spool_dir(db), *tmp, *path;
	json_t *line;
	FILE *f;
	int rc = FG_OK;

	if (!run->uuid)
		run->uuid = fg_uuid_new();
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = fg_fail(err, FG_EIO, "cannot create '%s': %s", dir,
			     strerror(errno));
		free(dir);
		return rc;
	}
	path = fg_xasprintf("%s/%s.json", dir, run->uuid);
	tmp = fg_xasprintf("%s/.%s.json.tmp", dir, run->uuid);
	line = cli_run_line(run);
	if (!(f = fopen(tmp, "w")) ||
	    json_dumpf(line, f, JSON_COMPACT) || fputc('\n', f) == EOF ||
	    fflush(f) || fsync(fileno(f)) || fclose(f) || (f = NULL) ||
	    rename(tmp, path)) {
		rc = fg_fail(err, FG_EIO, "cannot spool the run to '%s': %s",
			     path, strerror(errno));
		if (f)
			fclose(f);
		unlink(tmp);
	}
	json_decref(line);
	free(tmp);
	free(dir);
	if (rc || !path_out)
		free(path);
	else
		*path_out = path;
	return rc;
}

/* Folds one spooled file; 1 when a run was added, 0 when it was there. */
static int fold_file(struct history_store *st, const char *path,
		     struct fg_error *err)
{
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr);
	struct fg_run run;
	const char *bad;
	bool has = false;
	int rc;

	if (!o)
		return fg_fail(err, FG_EINVAL, "%s:%d: %s", path, jerr.line,
			       jerr.text);
	fg_run_init(&run);
	bad = cli_run_from_line(o, &run);
	json_decref(o);
	if (bad) {
		rc = fg_fail(err, FG_EINVAL, "%s: %s", path, bad);
	} else if ((rc = history_store_has_run(st, run.uuid, &has, err)) ==
		   FG_OK && !has) {
		rc = history_store_write_run(st, &run, err);
		if (rc == FG_OK)
			rc = 1;
	}
	fg_run_release(&run);
	return rc;
}

static bool spooled_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && !strcmp(n + len - 5, ".json");
}

int cli_spool_fold(struct history_store *st, const char *db, FILE *human)
{
	char *dir = cli_spool_dir(db);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t added = 0, kept = 0;

	if (!d) {
		free(dir);
		return FG_OK;
	}
	while ((e = readdir(d))) {
		struct fg_error err = { 0 };
		char *path;
		int rc;

		if (!spooled_name(e->d_name))
			continue;
		path = fg_xasprintf("%s/%s", dir, e->d_name);
		rc = fold_file(st, path, &err);
		if (rc >= 0) {
			added += rc == 1;
			if (unlink(path) < 0)
				fg_log(FG_LOG_WARN, "spool", "cannot remove "
				       "'%s': %s", path, strerror(errno));
		} else {
			/* kept for the next time: a locked database now, a
			 * damaged file for a human to look at */
			kept++;
			fg_log(FG_LOG_WARN, "spool", "%s (kept)", err.msg);
		}
		free(path);
	}
	closedir(d);
	if (added && human)
		fprintf(human, "flakeguard: folded %zu spooled run%s from "
			"'%s' into %s\n", added, added == 1 ? "" : "s",
			cli_safe(dir), cli_db_label(db));
	free(dir);
	return kept ? FG_EDB : FG_OK;
}
