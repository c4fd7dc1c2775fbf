/* SPDX-License-Identifier: MIT */
/*
 * bench/phases.c - times the phases of `flakeguard import` on one file:
 * JUnit read (history_junit_read) and database write
 * (history_store_write_run), with RSS after each. Built by bench/ingest.sh.
 */
#include "history/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	struct history_junit_stats stats = { 0 };
	struct history_store *st = NULL;
	struct fg_error err = { 0 };
	struct fg_run run;
	uint64_t t0, t1, t2;

	if (argc != 3) {
		fprintf(stderr, "usage: phases FILE.xml DB\n");
		return 2;
	}
	fg_run_init(&run);
	t0 = fg_monotonic_ns();
	if (history_junit_read(argv[1], NULL, &run, &stats, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t1 = fg_monotonic_ns();
	printf("read:  %.3f s  %zu cases  peak RSS %ld KiB\n",
	       (t1 - t0) / 1e9, stats.cases, rss_kb());
	if (history_store_open(argv[2], &st, &err) ||
	    history_store_write_run(st, &run, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 3;
	}
	t2 = fg_monotonic_ns();
	printf("write: %.3f s  peak RSS %ld KiB\n", (t2 - t1) / 1e9, rss_kb());
	history_store_close(st);
	fg_run_release(&run);
	return 0;
}
