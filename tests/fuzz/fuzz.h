/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz.h - what the libFuzzer harnesses share (`make fuzz`).
 *
 * The readers under test take paths (they open, fstat and read the file
 * themselves, as flakeguard does), so each input goes into a memfd that
 * is reached by its /proc/self/fd path: a regular file, no disk.
 */
#ifndef FG_FUZZ_H
#define FG_FUZZ_H

#include "core/core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The input as a file; the path stays valid for the whole run. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("fg-fuzz", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

/* The input's fd itself, at offset 0 (for jf_open). */
static inline int fuzz_fd(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);

	return (int)strtol(strrchr(path, '/') + 1, NULL, 10);
}

/* Valid UTF-8 (NULL is fine): what the readers promise to store. */
static inline int fuzz_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p && *p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 :
			(*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;

		if (!n || (n > 1 && *p < 0xC2))
			return 0;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

/* An invariant broke: a crash libFuzzer reports with the input. */
#define FUZZ_CHECK(cond)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,   \
				__LINE__, #cond);                        \
			abort();                                         \
		}                                                        \
	} while (0)

/* Quiet: warnings about the damage are expected by the thousand. */
static inline void fuzz_quiet(void)
{
	fg_log_set_level(FG_LOG_ERROR);
	if (getenv("FUZZ_VERBOSE"))
		fg_log_set_level(FG_LOG_DEBUG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* FG_FUZZ_H */
