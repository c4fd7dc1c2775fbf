/* SPDX-License-Identifier: MIT */
/*
 * cli/dbopt.c - small helpers the history commands share: integer option
 * values, and opening a database that must already exist (`history` and
 * `gc` never create an empty one by accident).
 */
#include "cli/cli.h"
#include "history/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_int_arg(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_open_existing_db(const char *path, struct history_store **st,
			 struct fg_error *err)
{
	struct stat sb;

	*st = NULL;
	if (stat(path, &sb) != 0)
		return fg_fail(err, FG_EDB, "no history database at '%s' (%s); "
			       "`flakeguard run` or `import` creates it",
			       path, strerror(errno));
	return history_store_open(path, st, err);
}

int cli_open_history_to_read(const char *path, struct history_store **st,
			     struct fg_error *err)
{
	char *dir = fg_xstrdup(path), *slash = strrchr(dir, '/');
	bool writable;

	*st = NULL;
	if (slash)
		slash[slash == dir] = '\0';
	/* Writable file in a writable directory: the usual open (migrates). */
	writable = access(path, W_OK) == 0 &&
		   access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	if (writable || access(path, F_OK) != 0)
		return cli_open_existing_db(path, st, err);
	return history_store_open_readonly(path, st, err);
}

/* "200M", "1G", "512k", "1048576" -> bytes; -1 when malformed. */
int64_t cli_size_parse(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mult = 1;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = 1024 * 1024; end++; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	return *end ? -1 : (int64_t)(v * (double)mult);
}
