/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_tap.c - the TAP reader on one input, fed in random
 * chunks (their sizes drawn from the input's first bytes), and again in
 * one piece. Checks: both feedings hand on the same tests, every test
 * once with one attempt and valid UTF-8, the counts agree.
 */
#include "fuzz.h"
#include "history/history.h"

struct seen {
	size_t tests;
	uint64_t sum;   /* order-sensitive digest of what was handed on */
};

static int seen_test(void *ctx, struct fg_test *t)
{
	struct seen *s = ctx;
	const struct fg_attempt *a;

	FUZZ_CHECK(t->nattempts == 1);
	a = &t->attempts[0];
	FUZZ_CHECK(fuzz_utf8(t->name) && fuzz_utf8(t->classname));
	FUZZ_CHECK(fuzz_utf8(a->message) && fuzz_utf8(a->output));
	FUZZ_CHECK(!a->message || strlen(a->message) <= 4096);
	FUZZ_CHECK(!a->output || strlen(a->output) <= 64 * 1024 + 64);
	s->tests++;
	s->sum = s->sum * 31 + (uint64_t)a->status + strlen(t->name) * 7 +
		 (a->output ? strlen(a->output) : 0) +
		 (a->message ? strlen(a->message) * 13 : 0);
	return 0;
}

static int seen_rewind(void *ctx)
{
	(void)ctx;
	abort(); /* TAP is one pass */
}

/* Reads data in chunks of 1..max bytes (max 0: whole). */
static int run(const uint8_t *data, size_t size, uint32_t seed, size_t max,
	       struct seen *s, struct history_tap_stats *st)
{
	const struct history_junit_sink sink = { seen_test, seen_rewind, s };
	struct history_tap *tap = history_tap_new("fuzz", "input", &sink);
	size_t off = 0;
	int rc = FG_OK;

	while (off < size && !rc) {
		size_t k = size - off;

		if (max) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 8) % max;
			if (k > size - off)
				k = size - off;
		}
		rc = history_tap_feed(tap, data + off, k);
		off += k;
	}
	rc = history_tap_finish(tap, st, NULL);
	history_tap_free(tap);
	return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen a = { 0 }, b = { 0 };
	struct history_tap_stats sa, sb;
	uint32_t seed = 0;
	size_t max;
	int ra, rb;

	if (size < 2)
		return 0;
	seed = (uint32_t)data[0] << 8 | data[1];
	max = data[0] & 1 ? 1 + data[1] % 16 : 1 + (size_t)seed % 4096;
	ra = run(data + 2, size - 2, seed, max, &a, &sa);
	rb = run(data + 2, size - 2, 0, 0, &b, &sb);
	FUZZ_CHECK(ra == rb);
	FUZZ_CHECK(a.tests == b.tests && a.sum == b.sum);
	FUZZ_CHECK(a.tests == sa.tests && sa.tests == sb.tests);
	FUZZ_CHECK(sa.points == sb.points && sa.points <= sa.tests);
	FUZZ_CHECK(ra == FG_OK || ra == FG_ETAP);
	return 0;
}
