/* SPDX-License-Identifier: MIT */
/*
 * core/error.c - status codes, their names and messages, exit-code mapping.
 *
 * Library code never prints or exits: it records "file:line: reason" in a
 * struct fg_error and returns the code (git's reftable style). Only cli/
 * turns codes into exit statuses, through fg_exit_code().
 */
#include "core/error.h"
#include "core/core.h"

#include <stdlib.h>

int fg_fail(struct fg_error *err, enum fg_status code, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *fg_strerror(int code)
{
	switch (code) {
	case FG_OK:
		return "success";
#define FG_XX(name, val, msg) \
	case FG_##name:       \
		return msg;
		FG_STATUS_MAP(FG_XX)
#undef FG_XX
	}
	return "unknown error";
}

const char *fg_status_name(int code)
{
	switch (code) {
	case FG_OK:
		return "OK";
#define FG_XX(name, val, msg) \
	case FG_##name:       \
		return #name;
		FG_STATUS_MAP(FG_XX)
#undef FG_XX
	}
	return "UNKNOWN";
}

int fg_exit_code(int status)
{
	switch (status) {
	case FG_OK:
		return FG_EXIT_OK;
	case FG_EINVAL:
	case FG_ECONFIG:
		return FG_EXIT_USAGE;
	case FG_EINTR:
		return FG_EXIT_SIGINT;
	default:
		return FG_EXIT_INFRA;
	}
}

void fg_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "flakeguard: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
