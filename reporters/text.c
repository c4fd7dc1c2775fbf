/* SPDX-License-Identifier: MIT */
/*
 * reporters/text.c - text hygiene shared by the file reporters (JUnit,
 * HTML, Markdown): strings from tests are arbitrary bytes, but every
 * output format wants valid UTF-8 without control characters.
 */
#include "reporters/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Length of the valid UTF-8 sequence at u (1..4); 0 if u[0] starts no
 * well-formed sequence; -n for a well-formed n-byte sequence of a code
 * point XML forbids (surrogate, overlong, U+FFFE/U+FFFF), which becomes
 * one U+FFFD.
 */
static int utf8_len(const unsigned char *u)
{
	uint32_t cp;
	int n;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, cp = u[0] & 0x1f;
	else if ((u[0] & 0xf0) == 0xe0)
		n = 3, cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, cp = u[0] & 0x07;
	else
		return 0;
	for (int k = 1; k < n; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[k] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, the two non-characters. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    cp == 0xfffe || cp == 0xffff)
		return -n;
	return n;
}

char *reporters__clean_text(const char *s)
{
	char *out, *o;

	if (!s)
		return fg_xstrdup("");
	/* Worst case: every byte becomes "\xNN" (4) or U+FFFD (3). */
	out = o = fg_xmalloc(strlen(s) * 4 + 1);
	while (*s) {
		const unsigned char *u = (const unsigned char *)s;
		int n = utf8_len(u);

		if (n == 1 && u[0] < 0x20 && u[0] != '\t' && u[0] != '\n' &&
		    u[0] != '\r') {
			o += snprintf(o, 5, "\\x%02x", u[0]);
		} else if (n == 1 && u[0] == 0x7f) {
			memcpy(o, "\\x7f", 4);
			o += 4;
		} else if (n > 0) {
			memcpy(o, s, (size_t)n);
			o += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			n = n ? -n : 1;
		}
		s += n;
	}
	*o = '\0';
	return out;
}

char *reporters__strndup_utf8(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (s[n])
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return fg_xstrndup(s, n);
}

char *reporters__test_label(const struct fg_test *t)
{
	if (!strcmp(t->name, t->suite) && !*t->classname)
		return fg_xstrdup(t->suite);
	if (*t->classname)
		return fg_xasprintf("%s: %s.%s", t->suite, t->classname, t->name);
	return fg_xasprintf("%s: %s", t->suite, t->name);
}

size_t reporters__note_len(const char *note, const char *reason)
{
	size_t n = note ? strlen(note) : 0, r = reason ? strlen(reason) : 0;

	if (r && n >= r + 2 && !strcmp(note + n - r, reason) &&
	    !strncmp(note + n - r - 2, ": ", 2))
		return n - r - 2;
	return n;
}

bool reporters__hint_shown(const struct fg_test *t)
{
	if (!t->hint || !*t->hint || !t->hint_kind)
		return false;
	if (!strcmp(t->hint_kind, "failure"))
		return false;
	/* "exit: exited with status 1" and nothing it printed */
	return strcmp(t->hint_kind, "exit") ||
	       strstr(t->hint, "; last output: ") != NULL;
}

const struct fg_attempt *reporters__last_attempt(const struct fg_test *t)
{
	return t->nattempts ? &t->attempts[t->nattempts - 1] : NULL;
}

static mode_t current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

int reporters__file_open(struct rfile *rf, const char *path,
			 struct fg_error *err)
{
	const char *slash = strrchr(path, '/');
	int fd;

	rf->path = path;
	rf->tmp = NULL;
	rf->failed = false;
	if (!strcmp(path, "-")) {
		rf->f = stdout;
		return FG_OK;
	}
	rf->tmp = slash ? fg_xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path),
				       path, slash + 1) :
			  fg_xasprintf(".%s.XXXXXX", path);
	fd = mkstemp(rf->tmp);
	if (fd < 0 || !(rf->f = fdopen(fd, "w"))) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(rf->tmp);
		}
		free(rf->tmp);
		rf->tmp = NULL;
		return fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			       strerror(e));
	}
	/* mkstemp's 0600 would make a report others cannot read */
	fchmod(fd, 0644 & ~current_umask());
	return FG_OK;
}

int reporters__file_close(struct rfile *rf, struct fg_error *err)
{
	int rc = FG_OK, e = 0;

	errno = 0;
	if (rf->failed || ferror(rf->f) || fflush(rf->f))
		e = errno ? errno : EIO;
	if (!rf->tmp)
		goto out;
	if (fclose(rf->f) && !e)
		e = errno;
	if (!e && rename(rf->tmp, rf->path) < 0)
		e = errno;
	if (e)
		unlink(rf->tmp);
	free(rf->tmp);
	rf->tmp = NULL;
out:
	if (e)
		rc = fg_fail(err, FG_EIO, "cannot write '%s': %s", rf->path,
			     strerror(e));
	return rc;
}

int reporters__write_file(const char *path, const char *data, size_t len,
			  bool append, struct fg_error *err)
{
	struct rfile rf;
	FILE *f;
	int rc;

	if (!append) {
		if ((rc = reporters__file_open(&rf, path, err)))
			return rc;
		fwrite(data, 1, len, rf.f);
		return reporters__file_close(&rf, err);
	}
	/* $GITHUB_STEP_SUMMARY is appended to: it cannot be replaced */
	f = fopen(path, "a");
	if (!f)
		return fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
	if (fwrite(data, 1, len, f) != len || fflush(f)) {
		int e = errno;

		fclose(f);
		return fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			       strerror(e));
	}
	if (fclose(f))
		return fg_fail(err, FG_EIO, "cannot write '%s': %s", path,
			       strerror(errno));
	return FG_OK;
}
