/* SPDX-License-Identifier: MIT */
/*
 * core/file.c - opening the files users hand us (config, plan, quarantine
 * list, JSON Lines) for reading, without hanging on a FIFO that nobody
 * writes to and without reading a directory as an empty file.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *fg_fopen_input(const char *path)
{
	struct stat st;
	FILE *f;
	int fd, e;

	/*
	 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer, for ever if none comes. Reads block again afterwards, so a
	 * pipe with a writer (-c <(generate)) is read whole, and a FIFO
	 * without one reads as empty.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (!(f = fdopen(fd, "r"))) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
