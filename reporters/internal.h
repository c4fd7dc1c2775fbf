/* SPDX-License-Identifier: MIT */
/*
 * reporters/internal.h - helpers shared by the reporters' .c files; never
 * included from outside reporters/.
 */
#ifndef FG_REPORTERS_INTERNAL_H
#define FG_REPORTERS_INTERNAL_H

#include "core/core.h"

/*
 * Returns a copy of s (NULL -> "") that is valid UTF-8 and holds no
 * character XML 1.0 forbids: invalid UTF-8 bytes, surrogates and
 * U+FFFE/U+FFFF become U+FFFD; control characters other than TAB, LF and
 * CR become the four characters "\xNN" (the same spelling the JUnit
 * reader uses, so a report re-read gives the same text). Caller frees.
 */
char *reporters__clean_text(const char *s);

/*
 * A copy of at most max bytes of s, cut back to a UTF-8 character
 * boundary. (fg_xstrndup copies n bytes whatever strlen(s) is.) Caller frees.
 */
char *reporters__strndup_utf8(const char *s, size_t max);

/* "suite: classname.name", "suite: name" or "suite" (as the terminal shows). */
char *reporters__test_label(const struct fg_test *t);

/* The last attempt of t, or NULL when it has none. */
const struct fg_attempt *reporters__last_attempt(const struct fg_test *t);

/*
 * How many bytes of the analyzer's note to show beside its reason: a note
 * that ends in ": <reason>" is shown without that repetition.
 */
size_t reporters__note_len(const char *note, const char *reason);

/*
 * Whether the test's root-cause hint is worth a line in a human report:
 * not when there is none, nor when it only repeats the message shown
 * beside it (kind "failure", or "exit" with no output line; JSON keeps
 * them).
 */
bool reporters__hint_shown(const struct fg_test *t);

/* Writes len bytes to f; FG_EIO naming path on a short write. */
/*
 * A report being written: to a temporary file beside path, renamed over
 * path only once complete (reporters__file_close), so a full disk or a
 * crash never leaves a 0-byte or cut report (an older one stays). "-" is
 * stdout.
 */
struct rfile {
	FILE *f;
	char *tmp;         /* NULL for stdout */
	const char *path;
	bool failed;       /* set by the writer: the close fails */
};
int reporters__file_open(struct rfile *rf, const char *path,
			 struct fg_error *err);
/* Flushes, closes and renames; on any error removes the temp file. */
int reporters__file_close(struct rfile *rf, struct fg_error *err);
int reporters__write_file(const char *path, const char *data, size_t len,
			  bool append, struct fg_error *err);

#endif /* FG_REPORTERS_INTERNAL_H */
