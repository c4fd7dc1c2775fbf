/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_hint.c - the root-cause hint (analyzer/hint.c) and the
 * incidents (analyzer/incident.c) on test output, which is anything a test
 * printed. The input: a status byte, then the message up to the first
 * NUL (none: no message), then the output (NULL when empty). Checks: a
 * failure always gets a hint and a pass none; a hint is one line, of its
 * kind's prefix, within AN_HINT_MAX; the same attempt in a run of three
 * gets the same hint, and an incident's three tests are those three.
 */
#include "fuzz.h"
#include "analyzer/analyzer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

static const char *const prefixes[AN_HINT_KIND_COUNT] = {
	[AN_HINT_NONE] = "", [AN_HINT_MEMORY] = "memory error: ",
	[AN_HINT_TIMEOUT] = "timeout: ", [AN_HINT_LEAKED] = "leaked processes: ",
	[AN_HINT_SIGNAL] = "crash: ", [AN_HINT_ASSERTION] = "assertion",
	[AN_HINT_EXIT] = "exit: ", [AN_HINT_FAILURE] = "failure: ",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[AN_HINT_MAX], *msg = NULL, *out = NULL;
	const uint8_t *nul;
	enum fg_astatus st;
	enum an_hint_kind k;
	struct an_verdict v;
	struct fg_run run;

	if (!size)
		return 0;
	st = (enum fg_astatus)(data[0] % FG_A_COUNT);
	data++, size--;
	nul = memchr(data, 0, size);
	if (nul) {
		msg = fg_xstrndup((const char *)data, (size_t)(nul - data));
		size -= (size_t)(nul - data) + 1;
		data = nul + 1;
	}
	if (size)
		out = fg_xstrndup((const char *)data, size);
	k = an_hint(st, msg, out, buf, sizeof(buf));
	FUZZ_CHECK((unsigned)k < AN_HINT_KIND_COUNT);
	FUZZ_CHECK((k == AN_HINT_NONE) == !fg_astatus_is_failure(st));
	FUZZ_CHECK(strlen(buf) < sizeof(buf));
	FUZZ_CHECK(!strchr(buf, '\n') && !strchr(buf, '\r'));
	FUZZ_CHECK(!strncmp(buf, prefixes[k], strlen(prefixes[k])));
	fg_run_init(&run);
	for (int i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%d", i);
		fg_test_add_attempt(fg_run_add_test(&run, "s", "", name), st, 1,
				    msg, out);
	}
	an_verdict(&run, NULL, &v);
	for (size_t i = 0; i < run.ntests; i++) {
		const struct fg_test *t = &run.tests[i];

		FUZZ_CHECK(!t->hint == (k == AN_HINT_NONE));
		FUZZ_CHECK(!t->hint || !strcmp(t->hint, buf));
		FUZZ_CHECK(t->incident <= run.nincidents);
	}
	FUZZ_CHECK(run.nincidents <= 1);
	if (run.nincidents)
		FUZZ_CHECK(run.incidents[0].ntests == 3 &&
			   run.incidents[0].nfailed == 3);
	fg_run_release(&run);
	free(msg);
	free(out);
	return 0;
}
