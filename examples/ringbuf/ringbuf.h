/* SPDX-License-Identifier: MIT */
/*
 * ringbuf.h - a bounded, thread-safe FIFO of ints (flakeguard's demo library).
 *
 * Any number of producers and consumers may share one ring. Pushes block (or
 * fail, for the try_ variants) while the ring is full, pops while it is
 * empty. ringbuf_close() ends the stream: it wakes every waiter, later pushes
 * fail with EPIPE, and pops keep draining what is left before they fail too.
 *
 * Lifecycle:
 *   1. rb = ringbuf_new(capacity);
 *   2. threads call ringbuf_push*() / ringbuf_pop*();
 *   3. one of them calls ringbuf_close(rb) when no more items will come;
 *   4. after every thread is done with it, ringbuf_free(rb).
 *
 * Every item is stamped when it is pushed, so a consumer can watch its lag
 * (how long the oldest item has waited). Stamps have millisecond resolution.
 *
 * Errors are returned as positive errno values (0 = success), like pthreads.
 */
#ifndef RINGBUF_H
#define RINGBUF_H

#include <stddef.h>

struct ringbuf;

/* A ring holding up to `capacity` (>= 1) items; NULL on ENOMEM/EINVAL. */
struct ringbuf *ringbuf_new(size_t capacity);
/* Free a ring nobody uses any more. NULL is fine. */
void ringbuf_free(struct ringbuf *rb);

/* 0, EAGAIN if full, EPIPE if closed. Never blocks. */
int ringbuf_try_push(struct ringbuf *rb, int value);
/* 0, EAGAIN if empty, EPIPE if closed and drained. Never blocks. */
int ringbuf_try_pop(struct ringbuf *rb, int *out);

/*
 * Block up to timeout_ms (< 0: forever) for room or for an item.
 * 0, ETIMEDOUT, or EPIPE as above.
 */
int ringbuf_push_timed(struct ringbuf *rb, int value, long timeout_ms);
int ringbuf_pop_timed(struct ringbuf *rb, int *out, long timeout_ms);

/* No more pushes; wakes all waiters. Idempotent. */
void ringbuf_close(struct ringbuf *rb);

/*
 * How long the oldest item has waited, in milliseconds; -1 if empty.
 * Stamps are whole milliseconds of CLOCK_MONOTONIC, so this is the number of
 * millisecond boundaries crossed since the push: an item pushed 0.2 ms ago
 * reads 1 if a boundary fell in between, and 0 otherwise.
 */
long ringbuf_lag_ms(struct ringbuf *rb);

/* Snapshots: may be stale as soon as they return if other threads run. */
size_t ringbuf_len(struct ringbuf *rb);
size_t ringbuf_capacity(const struct ringbuf *rb);

#endif
