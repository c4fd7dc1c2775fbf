/* SPDX-License-Identifier: MIT */
/*
 * core/buf.c - a capped head+tail buffer for captured test output.
 *
 * A test that writes a gigabyte must not grow the runner: we keep the first
 * head_max bytes as they came and the last tail_max bytes in a ring, and
 * count the rest (curl's dynbuf "toobig", but keeping both ends, because the
 * head shows how a test started and the tail how it died).
 */
#include "core/buf.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

void fg_buf_init(struct fg_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->head_max = max / 2;
	b->tail_max = max - b->head_max;
}

void fg_buf_append(struct fg_buf *b, const void *data, size_t len)
{
	const char *p = data;

	b->total += len;
	if (b->head_len < b->head_max) {
		size_t n = b->head_max - b->head_len;

		if (n > len)
			n = len;
		if (!b->head)
			b->head = fg_xmalloc(b->head_max);
		memcpy(b->head + b->head_len, p, n);
		b->head_len += n;
		p += n;
		len -= n;
	}
	if (!len || !b->tail_max)
		return;
	if (!b->tail)
		b->tail = fg_xmalloc(b->tail_max);
	if (len >= b->tail_max) {
		memcpy(b->tail, p + len - b->tail_max, b->tail_max);
		b->tail_len = b->tail_max;
		b->tail_pos = 0;
		return;
	}
	while (len) {
		size_t n = b->tail_max - b->tail_pos;

		if (n > len)
			n = len;
		memcpy(b->tail + b->tail_pos, p, n);
		b->tail_pos = (b->tail_pos + n) % b->tail_max;
		if (b->tail_len < b->tail_max)
			b->tail_len = b->tail_len + n > b->tail_max ?
					      b->tail_max :
					      b->tail_len + n;
		p += n;
		len -= n;
	}
}

uint64_t fg_buf_dropped(const struct fg_buf *b)
{
	return b->total - b->head_len - b->tail_len;
}

/* Copies the ring's content in order into dst (tail_len bytes). */
static void tail_copy(const struct fg_buf *b, char *dst)
{
	size_t start = b->tail_len < b->tail_max ? 0 : b->tail_pos;
	size_t first = b->tail_len < b->tail_max ? b->tail_len :
						   b->tail_max - start;

	memcpy(dst, b->tail + start, first);
	memcpy(dst + first, b->tail, b->tail_len - first);
}

size_t fg_buf_last(const struct fg_buf *b, char *dst, size_t k)
{
	size_t from_tail, from_head = 0;
	char *ring;

	/* the ring, and the head's end when nothing between was dropped */
	if (k > b->tail_len + (fg_buf_dropped(b) ? 0 : b->head_len))
		k = b->tail_len + (fg_buf_dropped(b) ? 0 : b->head_len);
	from_tail = k < b->tail_len ? k : b->tail_len;
	from_head = k - from_tail;
	memcpy(dst, b->head + b->head_len - from_head, from_head);
	if (from_tail) {
		ring = fg_xmalloc(b->tail_len);
		tail_copy(b, ring);
		memcpy(dst + from_head, ring + b->tail_len - from_tail,
		       from_tail);
		free(ring);
	}
	return k;
}

char *fg_buf_text(const struct fg_buf *b)
{
	char marker[64] = "";
	size_t mlen, n;
	char *s;

	if (fg_buf_dropped(b))
		snprintf(marker, sizeof(marker),
			 "\n[... %llu bytes truncated ...]\n",
			 (unsigned long long)fg_buf_dropped(b));
	mlen = strlen(marker);
	s = fg_xmalloc(b->head_len + mlen + b->tail_len + 1);
	if (b->head_len)
		memcpy(s, b->head, b->head_len);
	memcpy(s + b->head_len, marker, mlen);
	n = b->head_len + mlen;
	if (b->tail_len)
		tail_copy(b, s + n);
	s[n + b->tail_len] = '\0';
	return s;
}

char *fg_buf_tail_text(const struct fg_buf *b, size_t max)
{
	char *all = fg_buf_text(b);
	size_t len = strlen(all);
	char *s;

	if (len <= max)
		return all;
	s = fg_xstrdup(all + len - max);
	free(all);
	return s;
}

void fg_buf_release(struct fg_buf *b)
{
	free(b->head);
	free(b->tail);
	memset(b, 0, sizeof(*b));
}
