/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_qfile.c - the quarantine file reader (analyzer/qfile.c,
 * an_qfile_read). Checks: success or an error with a message; entries
 * read have a suite and a name; what was read writes back and reads
 * again (one entry per test).
 */
#include "fuzz.h"
#include "analyzer/analyzer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history_quarantine_list l, again;
	struct fg_error err = { 0 };
	char out[64];
	int rc;

	rc = an_qfile_read(fuzz_file(data, size), &l, &err);
	if (rc) {
		FUZZ_CHECK(err.msg[0]);
		history_quarantine_list_release(&l);
		return 0;
	}
	for (size_t i = 0; i < l.n; i++)
		FUZZ_CHECK(l.items[i].name && l.items[i].suite);
	/* round trip through a file of our own */
	snprintf(out, sizeof(out), "/dev/shm/fg-fuzz-qfile-%d.json",
		 (int)getpid());
	if (an_qfile_write(out, &l, &err) == FG_OK) {
		FUZZ_CHECK(an_qfile_read(out, &again, &err) == FG_OK);
		/* one entry per test is written: duplicates go */
		FUZZ_CHECK(again.n <= l.n && (again.n > 0) == (l.n > 0));
		/* written sorted: every name read back was read before */
		for (size_t i = 0; i < again.n && i < 64; i++) {
			bool found = false;

			for (size_t k = 0; k < l.n && !found; k++)
				found = !strcmp(again.items[i].name,
						l.items[k].name);
			FUZZ_CHECK(found);
		}
		history_quarantine_list_release(&again);
	}
	unlink(out);
	history_quarantine_list_release(&l);
	return 0;
}
