/* SPDX-License-Identifier: MIT */
/*
 * core/log.c - developer logging to stderr, levels error..debug.
 *
 * What users read goes through reporters; this is for "what did it do".
 * The level starts from FLAKEGUARD_LOG and -v raises it.
 */
#include "core/log.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static int log_level = -1;

static enum fg_log_level level_from_env(void)
{
	const char *e = getenv("FLAKEGUARD_LOG");

	if (!e)
		return FG_LOG_WARN;
	if (!strcmp(e, "error"))
		return FG_LOG_ERROR;
	if (!strcmp(e, "info"))
		return FG_LOG_INFO;
	if (!strcmp(e, "debug"))
		return FG_LOG_DEBUG;
	return FG_LOG_WARN;
}

void fg_log_set_level(enum fg_log_level level)
{
	log_level = (int)level;
}

enum fg_log_level fg_log_get_level(void)
{
	if (log_level < 0)
		log_level = (int)level_from_env();
	return (enum fg_log_level)log_level;
}

void fg_log(enum fg_log_level level, const char *module, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char *msg;
	va_list ap;

	if (level > fg_log_get_level())
		return;
	if (level <= FG_LOG_WARN)
		fprintf(stderr, "flakeguard: %s: ", names[level]);
	else
		fprintf(stderr, "flakeguard: [%s] %s: ", names[level], module);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* messages name suites, tests and files: text from outside */
	fg_text_write(stderr, msg ? msg : fmt, NULL, 0);
	free(msg);
	fputc('\n', stderr);
}
