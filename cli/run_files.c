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

/*
 * A process's start time (clock ticks since boot, /proc/PID/stat field
 * 22): with the pid it names one process, even after the pid is reused.
 * 0 when the process does not exist.
 */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "(comm)", which may hold anything: field 3 is the state */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
		   "%*u %*d %*d %*d %*d %*d %*d %llu", &t) != 1)
		return 0;
	return t;
}

/*
 * Temporary directories of flakeguard processes that died without
 * cleaning up (kill -9, OOM, a hard cancel) are swept here: each holds an
 * "owner" file with the pid and start time of the process that made it,
 * and goes when that process no longer exists.
 */
static void sweep_dead_tmpdirs(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	size_t swept = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *dir, *owner;
		unsigned long long t;
		int pid;
		FILE *f;

		if (strncmp(e->d_name, "flakeguard-", 11) || strlen(e->d_name) != 17)
			continue;
		dir = fg_xasprintf("%s/%s", base, e->d_name);
		owner = fg_xasprintf("%s/owner", dir);
		if ((f = fopen(owner, "r"))) {
			if (fscanf(f, "%d %llu", &pid, &t) == 2 && pid > 0 &&
			    start_time((pid_t)pid) != t) {
				run_remove_tree(dir);
				swept++;
			}
			fclose(f);
		}
		free(owner);
		free(dir);
	}
	closedir(d);
	if (swept)
		fg_log(FG_LOG_INFO, "run", "removed %zu temporary director%s "
		       "left by flakeguard processes that died", swept,
		       swept == 1 ? "y" : "ies");
}

int run_make_tmpdir(struct run_state *rs, struct fg_error *err)
{
	const char *base = getenv("TMPDIR");
	unsigned char rnd[8] = { 0 };
	char *tmpl, *owner;
	FILE *f;

	if (!base || !*base)
		base = "/tmp";
	sweep_dead_tmpdirs(base);

	tmpl = fg_xasprintf("%s/flakeguard-XXXXXX", base);
	if (!mkdtemp(tmpl)) {
		fg_fail(err, FG_EIO, "cannot create a directory in '%s': %s",
			base, strerror(errno));
		free(tmpl);
		return FG_EIO;
	}
	rs->tmpdir = tmpl;
	owner = fg_xasprintf("%s/owner", tmpl);
	if ((f = fopen(owner, "w"))) {
		fprintf(f, "%d %llu\n", (int)getpid(), start_time(getpid()));
		fclose(f);
	}
	free(owner);
	if (getrandom(rnd, sizeof(rnd), 0) < 0)
		memcpy(rnd, &rs->t0, sizeof(rnd) < sizeof(rs->t0) ?
				     sizeof(rnd) : sizeof(rs->t0));
	snprintf(rs->run_id, sizeof(rs->run_id),
		 "%llx-%02x%02x%02x%02x%02x%02x%02x%02x",
		 (unsigned long long)fg_now_ms(), rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return FG_OK;
}
