/* SPDX-License-Identifier: MIT */
/*
 * core/log.h - logging to stderr (stdout belongs to reports).
 *
 * fg_log(level, module, fmt, ...); the level from FLAKEGUARD_LOG or -v.
 */
#ifndef FG_CORE_LOG_H
#define FG_CORE_LOG_H

enum fg_log_level { FG_LOG_ERROR, FG_LOG_WARN, FG_LOG_INFO, FG_LOG_DEBUG };

/* Level from FLAKEGUARD_LOG (error|warn|info|debug) or -v; default warn. */
void fg_log_set_level(enum fg_log_level level);
enum fg_log_level fg_log_get_level(void);
void fg_log(enum fg_log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* FG_CORE_LOG_H */
