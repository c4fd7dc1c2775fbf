/* SPDX-License-Identifier: MIT */
/*
 * core/mem.c - allocation that never returns NULL, and small string helpers.
 *
 * Out of memory is an infrastructure failure: print and exit(3), as tmux's
 * and git's xmalloc do, so no error path has to handle it.
 */
#include "core/mem.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "flakeguard: out of memory allocating %zu bytes\n", n);
	exit(FG_EXIT_INFRA);
}

void fg_out_of_memory(void)
{
	oom(0);
}

void *fg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *fg_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *fg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void fg_xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	*p = fg_xrealloc(*p, ncap * sz);
	memset((char *)*p + *cap * sz, 0, (ncap - *cap) * sz);
	*cap = ncap;
}

char *fg_xstrdup(const char *s)
{
	return s ? fg_xstrndup(s, strlen(s)) : NULL;
}

char *fg_xstrndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	n = strnlen(s, n); /* never read past a shorter string */
	d = fg_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *fg_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(strlen(fmt));
	return s;
}

void fg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t fg_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **fg_strv_dup(char *const *v)
{
	size_t n = fg_strv_len(v);
	char **d;

	if (!v)
		return NULL;
	d = fg_xcalloc(n + 1, sizeof(*d));
	for (size_t i = 0; i < n; i++)
		d[i] = fg_xstrdup(v[i]);
	return d;
}
