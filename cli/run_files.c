/* SPDX-License-Identifier: MIT */
/*
 * cli/run_files.c - the run's temporary directory and TEST_TMPDIRs.
 *
 * Every attempt gets an empty TEST_TMPDIR. Creating and deleting one per
 * attempt cost more than a trivial test itself (measured: ext4 with
 * discard), so a directory an attempt leaves empty is reused by the next;
 * one it left files in is removed in-process (nftw, no fork, no shell).
 */
#include "cli/run.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 &&
	    errno != ENOENT)
		fg_log(FG_LOG_WARN, "run", "cannot remove '%s': %s", path,
		       strerror(errno));
	return 0;
}

/* Removes a directory tree in-process (no fork, no shell); best effort. */
void run_remove_tree(const char *path)
{
	if (rmdir(path) == 0 || errno == ENOENT)
		return;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * TEST_TMPDIRs: every attempt gets an empty directory. Creating and
 * deleting one per attempt cost more than the attempt itself for trivial
 * tests (ext4 with discard), so a directory an attempt left empty is
 * reused by the next; one it left files in is removed.
 */
char *run_acquire_dir(struct run_state *rs)
{
	char *dir;

	if (rs->nfree_dirs)
		return rs->free_dirs[--rs->nfree_dirs];
	dir = fg_xasprintf("%s/tmp-%u", rs->tmpdir, rs->next_dir++);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		fg_log(FG_LOG_WARN, "run", "cannot create '%s': %s", dir,
		       strerror(errno));
	return dir;
}

void run_release_dir(struct run_state *rs, char *dir)
{
	if (!dir)
		return;
	if (!rs->o->keep_tmp && dir_is_empty(dir)) {
		fg_xgrow((void **)&rs->free_dirs, &rs->free_dirs_cap,
			 rs->nfree_dirs + 1, sizeof(*rs->free_dirs));
		rs->free_dirs[rs->nfree_dirs++] = dir;
		return;
	}
	if (!rs->o->keep_tmp)
		run_remove_tree(dir);
	free(dir);
}

int run_make_tmpdir(struct run_state *rs, struct fg_error *err)
{
	const char *base = getenv("TMPDIR");
	unsigned char rnd[8] = { 0 };
	char *tmpl;

	tmpl = fg_xasprintf("%s/flakeguard-XXXXXX",
			    base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		fg_fail(err, FG_EIO, "cannot create a directory in '%s': %s",
			base && *base ? base : "/tmp", strerror(errno));
		free(tmpl);
		return FG_EIO;
	}
	rs->tmpdir = tmpl;
	if (getrandom(rnd, sizeof(rnd), 0) < 0)
		memcpy(rnd, &rs->t0, sizeof(rnd) < sizeof(rs->t0) ?
				     sizeof(rnd) : sizeof(rs->t0));
	snprintf(rs->run_id, sizeof(rs->run_id),
		 "%llx-%02x%02x%02x%02x%02x%02x%02x%02x",
		 (unsigned long long)fg_now_ms(), rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return FG_OK;
}
