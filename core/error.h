/* SPDX-License-Identifier: MIT */
/*
 * core/error.h - errors: the status codes (one X-macro table: FG_STATUS_MAP),
 * struct fg_error, the exit codes of the binary, FG_BUG().
 *
 * Library code returns an enum fg_status and fills the caller's struct
 * fg_error ("file:line: reason"); only cli/ prints it and picks the exit
 * code (fg_exit_code()). FG_BUG() is for broken invariants.
 */
#ifndef FG_CORE_ERROR_H
#define FG_CORE_ERROR_H

#include <stdarg.h>

/*
 * One table gives the codes, fg_strerror() and fg_status_name(). Codes are
 * negative; add new ones at the end, never renumber (they show in JSON).
 */
#define FG_STATUS_MAP(XX)                                                  \
	XX(EINVAL, -1, "invalid argument")                                 \
	XX(ECONFIG, -2, "configuration error")                             \
	XX(EXML, -3, "malformed JUnit XML")                                \
	XX(EDB, -4, "history database error")                              \
	XX(ESPAWN, -5, "could not start test process")                     \
	XX(E2BIG, -6, "input exceeds limit")                               \
	XX(EIO, -7, "I/O error")                                           \
	XX(EINTR, -8, "interrupted")                                       \
	XX(ETAP, -9, "malformed TAP")                                      \
	XX(EDBUNAVAIL, -10, "history database cannot be written now")
/*
 * FG_EDBUNAVAIL vs FG_EDB: UNAVAIL means the database is sound but cannot
 * be reached or written now (another writer held the lock past the lock
 * timeout, disk full, read-only file or transaction, a PostgreSQL server
 * that is down or refuses the login); what was to be written is good and
 * can be kept and written later. EDB is everything else: not a flakeguard
 * database, damaged, of a newer schema, a constraint broken by a bug.
 */

enum fg_status {
	FG_OK = 0,
#define FG_XX(name, val, msg) FG_##name = val,
	FG_STATUS_MAP(FG_XX)
#undef FG_XX
};

/* Optional out-parameter, always the last argument; NULL means "don't care". */
struct fg_error {
	enum fg_status code;
	char msg[1024]; /* "path:line: what went wrong", lowercase, no period */
};

/* Records code and message in err (if non-NULL) and returns code. */
int fg_fail(struct fg_error *err, enum fg_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *fg_strerror(int code);
const char *fg_status_name(int code);

/*
 * Exit codes of the flakeguard binary (documented in README and the man
 * page). fg_exit_code() maps an fg_status to one of them.
 */
enum fg_exit {
	FG_EXIT_OK = 0,        /* nothing real failed */
	FG_EXIT_FAILED = 1,    /* a (non-quarantined) test failed */
	FG_EXIT_USAGE = 2,     /* usage or configuration error */
	FG_EXIT_INFRA = 3,     /* database, spawn, disk */
	FG_EXIT_SIGHUP = 129,  /* interrupted by SIGHUP */
	FG_EXIT_SIGINT = 130,  /* interrupted by SIGINT */
	FG_EXIT_SIGTERM = 143, /* interrupted by SIGTERM */
};
int fg_exit_code(int status);

#define FG_BUG(...) fg_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void fg_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* FG_CORE_ERROR_H */
