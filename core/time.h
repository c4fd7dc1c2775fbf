/* SPDX-License-Identifier: MIT */
/*
 * core/time.h - durations ("90s", "1500ms") and clocks.
 *
 * fg_duration_parse/_format, fg_now_ms (wall), fg_monotonic_ns,
 * fg_time_iso8601; buffers are the caller's.
 */
#ifndef FG_CORE_TIME_H
#define FG_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * Parses "90s", "5m", "1500ms", "1h", "2.5s" or a bare number of seconds
 * into milliseconds. Returns FG_OK or FG_EINVAL (with a message naming s).
 */
int fg_duration_parse(const char *s, int64_t *ms, struct fg_error *err);
/* Formats ms as "1.234s", "12ms", "2m03s" into buf. Returns buf. */
char *fg_duration_format(int64_t ms, char *buf, size_t n);
int64_t fg_now_ms(void);          /* wall clock, ms since the epoch */
uint64_t fg_monotonic_ns(void);   /* monotonic clock */
/* Formats an epoch-ms timestamp as UTC ISO-8601 "2026-11-28T05:21:00.123Z". */
char *fg_time_iso8601(int64_t ms, char *buf, size_t n);

#endif /* FG_CORE_TIME_H */
