/* SPDX-License-Identifier: MIT */
/*
 * history/internal.h - what the files of history/ share: the store's
 * connection for history/quarantine.c (the analysis scan and the
 * quarantine table), and the JUnit repairing filter
 * (history/junit_filter.c) for the reader (history/junit.c). Never
 * included from outside history/ (fuzz harnesses aside).
 */
#ifndef FG_HISTORY_INTERNAL_H
#define FG_HISTORY_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ====================================================================== */
/* The JUnit repairing filter (history/junit_filter.c)                     */
/* ====================================================================== */

/*
 * A byte filter between a JUnit file and libxml2: what it reads from the
 * file descriptor comes out of jf_read() as well-formed-enough XML for
 * libxml2's reader (invalid UTF-8 and control characters replaced, junk,
 * comments and DOCTYPEs dropped, raw '<' '&' and quotes escaped, long
 * texts and attributes cut), every root element of the file inside one
 * element named JF_WRAP. Bounded memory whatever the input; never fails
 * on content, only on read(2).
 */
#define JF_WRAP "flakeguard-wrap"

/*
 * Attribute values (names among them) longer than JF_ATTR_MAX bytes keep
 * their first JF_ATTR_MAX bytes (never splitting a UTF-8 sequence or a
 * reference), followed by " [... N bytes truncated, hash H ...]" where H
 * is the 64-bit FNV-1a of the N bytes cut, as written in the file, in 16
 * hex digits: names that differ only past the limit stay distinct.
 */
#define JF_ATTR_MAX (64 * 1024)

struct jfilter; /* opaque */

/*
 * A filter reading fd from its current offset. The caller keeps fd open
 * until jf_close() and closes it itself. Never NULL.
 */
struct jfilter *jf_open(int fd);
/*
 * Up to len filtered bytes into buf, in the shape of libxml2's
 * xmlInputReadCallback: the count, 0 at the end, -1 when read(2) failed
 * (jf_report() says with what errno).
 */
int jf_read(struct jfilter *f, char *buf, int len);
/*
 * The line of the file that line `line` (1-based) of the filtered stream
 * came from: the filter drops newlines (comments, a DOCTYPE, a cut
 * attribute) and adds some (a truncation marker), and remembers where.
 */
long jf_line_map(const struct jfilter *f, long line);

/* A kind of repair the filter made: what, how often, first where. */
struct jf_repair {
	const char *what;  /* "escaped raw '<' characters", static */
	uint64_t count;
	long line;         /* input line of the first one */
	bool benign;       /* expected of some producers (cmocka's several
			      roots): worth a note, not a warning */
};

#define JF_REPAIR_KINDS 12

/* What the filter saw and did so far (final once jf_read() gave 0). */
struct jf_report {
	int io_errno;          /* read(2) failed with this, else 0 */
	uint64_t in_bytes;     /* bytes read from the file */
	bool element;          /* an element was found (the wrapper opened) */
	bool finished;         /* the whole file went through */
	int open_elements;     /* elements not closed at the end */
	uint64_t truncated;    /* texts cut to head and tail */
	struct jf_repair repairs[JF_REPAIR_KINDS]; /* those with count > 0 */
	int nrepairs;
};

void jf_report(const struct jfilter *f, struct jf_report *rep);
/* Frees the filter (not fd). NULL is fine. */
void jf_close(struct jfilter *f);

/* ====================================================================== */
/* Small helpers the readers share (JUnit, TAP)                            */
/* ====================================================================== */

/*
 * 64-bit FNV-1a, for identities that must not collide by accident (long
 * names cut to a limit, tests met again in a stream). Not for security.
 */
#define HIST_FNV_INIT 0xcbf29ce484222325ULL
static inline uint64_t hist_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Length of the valid UTF-8 sequence at p (n bytes available): 2..4, 0 if
 * the bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, or
 * U+FFFE/U+FFFF, which are not XML characters), -1 if the sequence is cut
 * by the end of p. ASCII is not a sequence here: the caller tests it.
 */
static inline int hist_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int len;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	for (int k = 1; k < len; k++) {
		if ((size_t)k >= n)
			return -1;
		if (p[k] < (k == 1 ? lo : 0x80) || p[k] > (k == 1 ? hi : 0xBF))
			return 0;
	}
	if (len == 3 && c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
		return 0;
	return len;
}

/*
 * A set of 64-bit hashes (0 is never stored: hist_idset_add() maps it to
 * 1), open addressing, at most half full, never more than HIST_IDSET_MAX
 * slots (16 MiB): past that, add() stops remembering and says so.
 * Zero-initialised is empty; hist_idset_release() frees it.
 */
#define HIST_IDSET_MAX ((size_t)1 << 21)

struct hist_idset {
	uint64_t *slot;
	size_t cap, n;
	bool full;       /* an add was refused: the set is incomplete */
};

static inline size_t hist_idset_pos(const uint64_t *slot, size_t cap,
				    uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slot[i] && slot[i] != h)
		i = (i + 1) & (cap - 1);
	return i;
}

static inline bool hist_idset_has(const struct hist_idset *s, uint64_t h)
{
	h = h ? h : 1;
	return s->cap && s->slot[hist_idset_pos(s->slot, s->cap, h)] == h;
}

/* Adds h; returns false when it was there already. */
bool hist_idset_add(struct hist_idset *s, uint64_t h);
void hist_idset_release(struct hist_idset *s);

/* ====================================================================== */
/* The store's connection (history/store.c)                               */
/* ====================================================================== */

struct history_store;

/* The store's connection (busy timeout, foreign keys and WAL set). */
sqlite3 *history_store_db(struct history_store *st);
/* The path the store was opened with, for messages. */
const char *history_store_path(const struct history_store *st);

/*
 * A statement prepared once per store and kept until it closes; each file
 * owns fixed slots (HISTORY_SLOT_*). The caller resets it after use and
 * must not finalize it. NULL when it does not prepare (sqlite3_errmsg).
 */
#define HISTORY_STMT_SLOTS 8
enum { HISTORY_SLOT_SCAN_ONE = 0 };
sqlite3_stmt *history_store_cached(struct history_store *st, int slot,
				   const char *sql);

#endif /* FG_HISTORY_INTERNAL_H */
