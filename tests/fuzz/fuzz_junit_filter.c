/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_junit_filter.c - the repairing filter alone
 * (history/internal.h: jf_open, jf_read, jf_line_map, jf_report,
 * jf_close), read in chunks of sizes drawn from the input. Checks: the
 * stream ends, its size is bounded, its lines map into the input, the
 * report is consistent.
 */
#include "fuzz.h"
#include "history/internal.h"

#include <fcntl.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(fuzz_file(data, size), O_RDONLY | O_CLOEXEC);
	struct jfilter *f;
	struct jf_report rep;
	char buf[8192];
	uint64_t out = 0, lines = 1;
	uint32_t seed = (uint32_t)size * 2654435761u;
	long in_lines = 1;
	int n;

	FUZZ_CHECK(fd >= 0);
	f = jf_open(fd);
	do {
		int want;

		seed = seed * 1103515245u + 12345u;
		want = 1 + (int)(seed >> 16) % (int)sizeof(buf);
		n = jf_read(f, buf, want);
		FUZZ_CHECK(n <= want);
		if (n > 0) {
			out += (uint64_t)n;
			for (int i = 0; i < n; i++)
				lines += buf[i] == '\n';
		}
		/* the filter cannot produce more than a bounded multiple */
		FUZZ_CHECK(out <= 16 * (uint64_t)size + (1u << 20));
	} while (n > 0);
	FUZZ_CHECK(n == 0);
	jf_report(f, &rep);
	FUZZ_CHECK(rep.io_errno == 0);
	FUZZ_CHECK(rep.in_bytes <= size);
	FUZZ_CHECK(rep.nrepairs >= 0 && rep.nrepairs <= JF_REPAIR_KINDS);
	FUZZ_CHECK(rep.finished || !size);
	for (int k = 0; k < rep.nrepairs; k++)
		FUZZ_CHECK(rep.repairs[k].count > 0 && rep.repairs[k].what);
	/* output lines map to lines of the input (a truncation marker's
	 * own two lines map near the text they stand in) */
	for (size_t i = 0; i < size; i++)
		in_lines += data[i] == '\n';
	for (uint64_t l = 1; l <= lines && l < 4096; l++) {
		long in = jf_line_map(f, (long)l);

		FUZZ_CHECK(in >= -1 && in <= in_lines + 2);
	}
	jf_close(f);
	close(fd);
	return 0;
}
