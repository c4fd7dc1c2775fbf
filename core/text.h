/* SPDX-License-Identifier: MIT */
/*
 * core/text.h - printing text that flakeguard did not write.
 *
 * Test names, messages, output, file attributes and even suite names
 * from a config come from outside. On a terminal they could move the
 * cursor, set the title or reorder the line (C0 and C1 controls, bidi
 * overrides); in a CI log they could be obeyed as commands ("::error::",
 * "##[", "##vso[", "##teamcity[": core/ci.h). Everything flakeguard
 * prints of such text goes through here. HTML, JSON and JUnit keep the
 * exact text, escaped for their own format, and never come here.
 *
 * Escapes: invalid UTF-8 bytes and C0 controls other than tab (and
 * newline in a block) as \xNN; newline in a single line as \n; DEL as
 * \x7f; C1 controls (U+0080..U+009F) and the bidi controls U+202A..U+202E
 * and U+2066..U+2069 as \uNNNN. CI commands of the syntaxes set with
 * fg_text_set_ci() get a zero-width space (U+200B) inside their marker,
 * which keeps them readable and no longer a command.
 */
#ifndef FG_CORE_TEXT_H
#define FG_CORE_TEXT_H

#include <stdio.h>

#define FG_TEXT_BLOCK  0x1u /* keep newlines; else they are escaped */
#define FG_TEXT_AT_BOL 0x2u /* only whitespace precedes s on its line */

/*
 * The CI command syntaxes (FG_CI_CMD_* bits) to neutralise from now on,
 * process-wide: main() sets those of the CI it runs under.
 */
void fg_text_set_ci(unsigned commands);
unsigned fg_text_ci(void);

/*
 * Writes s to f, escaped. In a block, each line after a newline starts
 * with indent (NULL: none), and the indent counts for FG_TEXT_AT_BOL.
 */
void fg_text_write(FILE *f, const char *s, const char *indent,
		   unsigned flags);
/* The same as a string. Caller frees. */
char *fg_text_escape(const char *s, const char *indent, unsigned flags);

#endif /* FG_CORE_TEXT_H */
