/* SPDX-License-Identifier: MIT */
/*
 * core/time.c - durations ("90s", "5m", "1500ms") and clocks.
 */
#include "core/time.h"
#include "core/core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int fg_duration_parse(const char *s, int64_t *ms, struct fg_error *err)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "min", 60000 },
		{ "h", 3600000 }, { "", 1000 },
	};
	char *end;
	double v;

	if (!s || !*s)
		return fg_fail(err, FG_EINVAL, "empty duration");
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].ms;
		if (v > 1e15)
			goto bad;
		*ms = (int64_t)llround(v);
		return FG_OK;
	}
bad:
	return fg_fail(err, FG_EINVAL,
		       "invalid duration '%s' (expected e.g. 1500ms, 90s, 5m, 1h)",
		       s);
}

char *fg_duration_format(int64_t ms, char *buf, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(buf, n, "%dms", (int)ms);
	else if (ms < 60000)
		snprintf(buf, n, "%.3fs", (double)ms / 1000.0);
	else if (ms < 3600000)
		snprintf(buf, n, "%dm%02ds", (int)(ms / 60000),
			 (int)(ms % 60000 / 1000));
	else
		snprintf(buf, n, "%dh%02dm", (int)(ms / 3600000),
			 (int)(ms % 3600000 / 60000));
	return buf;
}

int64_t fg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t fg_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

char *fg_time_iso8601(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", tmp, (int)(ms % 1000));
	return buf;
}
