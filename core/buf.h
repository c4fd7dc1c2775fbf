/* SPDX-License-Identifier: MIT */
/*
 * core/buf.h - the capped buffer (captured output): head and tail kept,
 * the middle counted.
 *
 * fg_buf_init/_append/_text/_release; the caller owns the struct, the
 * buffer its bytes; fg_buf_text() copies are the caller's.
 */
#ifndef FG_CORE_BUF_H
#define FG_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A buffer that keeps at most `max` bytes: the first max/2 bytes (head) and
 * the last max/2 bytes (tail) of everything appended, counting what it
 * dropped. Appending never fails and never grows past max. With max == 0
 * nothing is kept but the total count.
 */
struct fg_buf {
	char *head;       /* first bytes, up to head_max */
	size_t head_len;
	size_t head_max;
	char *tail;       /* ring of the last bytes, up to tail_max */
	size_t tail_len;
	size_t tail_pos;  /* next write position in the ring */
	size_t tail_max;
	uint64_t total;   /* bytes appended in all */
};

void fg_buf_init(struct fg_buf *b, size_t max);
void fg_buf_append(struct fg_buf *b, const void *data, size_t len);
/*
 * Copies the last k bytes appended (fewer when not all are kept: at most
 * the tail, plus the head when nothing was dropped) into dst, raw.
 * Returns how many.
 */
size_t fg_buf_last(const struct fg_buf *b, char *dst, size_t k);
/* Bytes dropped between head and tail. */
uint64_t fg_buf_dropped(const struct fg_buf *b);
/*
 * Returns a NUL-terminated copy of what is kept, with the marker
 * "\n[... N bytes truncated ...]\n" between head and tail when bytes were
 * dropped. Caller frees.
 */
char *fg_buf_text(const struct fg_buf *b);
/* The last `max` bytes kept (for "tail of the output" displays). Caller frees. */
char *fg_buf_tail_text(const struct fg_buf *b, size_t max);
void fg_buf_release(struct fg_buf *b);

#endif /* FG_CORE_BUF_H */
