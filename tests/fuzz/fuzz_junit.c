/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_junit.c - the whole JUnit pipeline (repairing filter,
 * libxml2, reader) on one input, both ways: history_junit_read() into a
 * run, and history_junit_stream() into a sink that counts, as `import`
 * reads. Checks: names and messages are valid UTF-8, every test has an
 * attempt, the stream hands on what the read holds.
 */
#include "fuzz.h"
#include "history/history.h"

struct count {
	size_t tests, attempts;
};

static int count_test(void *ctx, struct fg_test *t)
{
	struct count *c = ctx;

	FUZZ_CHECK(t->nattempts > 0);
	FUZZ_CHECK(fuzz_utf8(t->name) && fuzz_utf8(t->classname) &&
		   fuzz_utf8(t->suite));
	c->tests++;
	c->attempts += t->nattempts;
	return 0;
}

static int count_rewind(void *ctx)
{
	memset(ctx, 0, sizeof(struct count));
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct history_junit_stats rs, ss;
	struct count c = { 0 };
	const struct history_junit_sink sink = { count_test, count_rewind, &c };
	struct fg_run run;
	size_t attempts = 0;
	int r1, r2;

	fg_run_init(&run);
	/* an odd size reads under a configured suite name */
	r1 = history_junit_read(path, size & 1 ? "fuzz" : NULL, &run, &rs,
				NULL);
	for (size_t i = 0; i < run.ntests; i++) {
		const struct fg_test *t = &run.tests[i];

		FUZZ_CHECK(t->nattempts > 0);
		FUZZ_CHECK(fuzz_utf8(t->name) && fuzz_utf8(t->classname) &&
			   fuzz_utf8(t->suite));
		for (size_t k = 0; k < t->nattempts; k++)
			FUZZ_CHECK(fuzz_utf8(t->attempts[k].message));
		attempts += t->nattempts;
	}
	r2 = history_junit_stream(path, size & 1 ? "fuzz" : NULL, &sink, &ss,
				  NULL);
	FUZZ_CHECK(r1 == r2);
	FUZZ_CHECK(rs.cases == ss.cases);
	FUZZ_CHECK(c.attempts == attempts);
	FUZZ_CHECK(c.tests >= run.ntests);
	fg_run_release(&run);
	return 0;
}
