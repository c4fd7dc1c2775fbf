/* SPDX-License-Identifier: MIT */
/*
 * core/text.c - escaping text from outside for terminals and CI logs
 * (core/text.h).
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static unsigned ci_commands;

void fg_text_set_ci(unsigned commands)
{
	ci_commands = commands;
}

unsigned fg_text_ci(void)
{
	return ci_commands;
}

struct out {
	char *s;
	size_t len, cap;
	bool bol;        /* only whitespace so far on this output line */
};

static void put(struct out *o, const char *s, size_t n)
{
	fg_xgrow((void **)&o->s, &o->cap, o->len + n + 1, 1);
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void putf(struct out *o, const char *fmt, unsigned v)
{
	char b[16];
	int n = snprintf(b, sizeof(b), fmt, v);

	put(o, b, (size_t)n);
	o->bol = false;
}

#define ZWSP "\xe2\x80\x8b"

/* Length of a valid UTF-8 sequence at s with its code point, or 0. */
static size_t utf8(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], n, min;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	*cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static bool dangerous_cp(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* A CI command marker at s: how many bytes to write before a ZWSP. */
static size_t command_at(const char *s, bool bol)
{
	if ((ci_commands & FG_CI_CMD_COLONS) && bol && !strncmp(s, "::", 2))
		return 1;
	if (s[0] == '#' && s[1] == '#' &&
	    (((ci_commands & FG_CI_CMD_HASH) && s[2] == '[') ||
	     ((ci_commands & FG_CI_CMD_VSO) && !strncmp(s + 2, "vso[", 4)) ||
	     ((ci_commands & FG_CI_CMD_TEAMCITY) &&
	      !strncmp(s + 2, "teamcity[", 9))))
		return 1;
	if ((ci_commands & FG_CI_CMD_GROUPS) && bol &&
	    (!strncmp(s, "--- ", 4) || !strncmp(s, "+++ ", 4) ||
	     !strncmp(s, "~~~ ", 4) || !strncmp(s, "^^^ +++", 7)))
		return 1;
	return 0;
}

static void put_indent(struct out *o, const char *indent)
{
	if (!indent)
		return;
	put(o, indent, strlen(indent));
	o->bol = indent[strspn(indent, " \t")] == '\0';
}

char *fg_text_escape(const char *s, const char *indent, unsigned flags)
{
	struct out o = { .bol = (flags & FG_TEXT_AT_BOL) != 0 };
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	put(&o, "", 0);
	while (*p) {
		unsigned cp;
		size_t n, cmd;

		if (*p == '\n' && (flags & FG_TEXT_BLOCK)) {
			put(&o, "\n", 1);
			p++;
			o.bol = true;
			if (*p)
				put_indent(&o, indent);
			continue;
		}
		if (*p == '\r' && (flags & FG_TEXT_BLOCK)) {
			p++;  /* CRLF, or a progress bar's return */
			continue;
		}
		if (*p == '\n') {
			put(&o, "\\n", 2);
			o.bol = false;
			p++;
			continue;
		}
		if (*p == '\t' || *p == ' ') {
			put(&o, (const char *)p++, 1);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			putf(&o, "\\x%02x", *p++);
			continue;
		}
		if (*p < 0x80) {
			if ((cmd = command_at((const char *)p, o.bol))) {
				put(&o, (const char *)p, cmd);
				put(&o, ZWSP, sizeof(ZWSP) - 1);
				p += cmd;
			}
			put(&o, (const char *)p++, 1);
			o.bol = false;
			continue;
		}
		if (!(n = utf8(p, &cp))) {
			putf(&o, "\\x%02x", *p++);
			continue;
		}
		if (dangerous_cp(cp))
			putf(&o, "\\u%04x", cp);
		else
			put(&o, (const char *)p, n);
		o.bol = false;
		p += n;
	}
	return o.s;
}

void fg_text_write(FILE *f, const char *s, const char *indent,
		   unsigned flags)
{
	char *e = fg_text_escape(s, indent, flags);

	fputs(e, f);
	free(e);
}
