/* SPDX-License-Identifier: MIT */
/*
 * analyzer/signature.c - a failure message reduced to what stays the same
 * from one occurrence of a failure to the next.
 *
 * "timeout after 1503ms waiting for 0x7ffd3a2c at /tmp/x/t.c:42" and
 * "timeout after 998ms waiting for 0x55d0e1 at /tmp/y/t.c:42" both become
 * "timeout after Nms waiting for <addr> at <path>:N". One pass over the
 * first non-empty line; each masked token is matched at a token start so
 * that "v2" stays "vN" rather than vanishing. To mask something new, add a
 * matcher to mask_at() (it returns how many bytes it consumed).
 */
#include "analyzer/analyzer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SIG_MAX 160

static bool is_hex(char c)
{
	return isxdigit((unsigned char)c);
}

static bool is_path_char(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("_./-~+@", c));
}

/* Digits at s, exactly n of them. */
static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A date, a time or both ("2026-11-28T05:21:00.123Z", "05:21:00"). */
static size_t time_len(const char *s)
{
	size_t n = 0;

	if (digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
	    digits(s + 8, 2)) {
		n = 10;
		if (s[n] != 'T' && s[n] != ' ')
			return n;
		if (!(digits(s + n + 1, 2) && s[n + 3] == ':'))
			return n;
		n++;
	}
	if (!(digits(s + n, 2) && s[n + 2] == ':' && digits(s + n + 3, 2)))
		return n;
	n += 5;
	if (s[n] == ':' && digits(s + n + 1, 2))
		n += 3;
	if (s[n] == '.' || s[n] == ',')
		for (n++; isdigit((unsigned char)s[n]); n++)
			;
	if (s[n] == 'Z')
		n++;
	return n;
}

/* How many bytes at s a mask replaces (0: none) and with what. */
static size_t mask_at(const char *s, bool token_start, const char **repl)
{
	size_t n;

	if ((n = time_len(s)) >= 5) {
		*repl = "<time>";
		return n;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && is_hex(s[2])) {
		for (n = 2; is_hex(s[n]); n++)
			;
		*repl = "<addr>";
		return n;
	}
	if (token_start) {
		bool slash = false, digit = false, alpha = false;

		for (n = 0; is_path_char(s[n]); n++)
			slash |= s[n] == '/';
		/* "a/b" but not a lone "/" or a ratio like "1/2" */
		if (slash && n > 1 && !digits(s, 1)) {
			while (n > 1 && s[n - 1] == '.')
				n--;
			*repl = "<path>";
			return n;
		}
		for (n = 0; is_hex(s[n]); n++) {
			digit |= isdigit((unsigned char)s[n]);
			alpha |= !isdigit((unsigned char)s[n]);
		}
		if (n >= 8 && digit && alpha && !isalnum((unsigned char)s[n])) {
			*repl = "<hex>";
			return n;
		}
	}
	if (isdigit((unsigned char)s[0])) {
		for (n = 0; isdigit((unsigned char)s[n]); n++)
			;
		if (s[n] == '.' && isdigit((unsigned char)s[n + 1]))
			for (n++; isdigit((unsigned char)s[n]); n++)
				;
		*repl = "N";
		return n;
	}
	return 0;
}

char *an_signature(const char *message)
{
	char out[SIG_MAX + 8];
	size_t o = 0;
	const char *s = message;

	if (!s)
		return NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	for (bool start = true; *s && *s != '\n' && o < SIG_MAX;) {
		const char *repl;
		size_t n = mask_at(s, start, &repl);

		if (n) {
			size_t rl = strlen(repl);

			if (o + rl > SIG_MAX)
				break;
			/* "NN" from "1 2" is fine; "<addr>N" never happens. */
			memcpy(out + o, repl, rl);
			o += rl;
			s += n;
			start = false;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			while (*s && *s != '\n' && isspace((unsigned char)*s))
				s++;
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			start = true;
			continue;
		}
		start = !isalnum((unsigned char)*s) && *s != '_' && *s != '.';
		out[o++] = *s++;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return fg_xstrdup(out);
}
