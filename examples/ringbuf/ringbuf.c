/* SPDX-License-Identifier: MIT */
/*
 * ringbuf.c - a bounded FIFO: one mutex, two condition variables.
 *
 * `head` is the next slot to pop, `len` the number of items; the next slot
 * to push is (head + len) % capacity, so a full and an empty ring never look
 * alike. Waiters use CLOCK_MONOTONIC deadlines, so a wall-clock jump cannot
 * stretch or cut a timeout, and loop on their predicate because condition
 * variables may wake spuriously. Each slot carries its push time in whole
 * milliseconds (8 bytes instead of a 16-byte timespec), which is all a lag
 * gauge needs.
 */
#include "ringbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct slot {
	int value;
	int64_t pushed_ms;         /* CLOCK_MONOTONIC at push, whole ms */
};

struct ringbuf {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;  /* signalled on push and on close */
	pthread_cond_t not_full;   /* signalled on pop and on close */
	size_t head;               /* index of the oldest item */
	size_t len;                /* items stored, 0..capacity */
	size_t capacity;
	int closed;                /* set once by ringbuf_close() */
	struct slot slots[];       /* capacity items */
};

struct ringbuf *ringbuf_new(size_t capacity)
{
	struct ringbuf *rb;
	pthread_condattr_t attr;

	if (capacity == 0 || capacity > SIZE_MAX / sizeof(struct slot) / 2) {
		errno = EINVAL;
		return NULL;
	}
	rb = calloc(1, sizeof(*rb) + capacity * sizeof(struct slot));
	if (!rb)
		return NULL;
	rb->capacity = capacity;
	pthread_mutex_init(&rb->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&rb->not_empty, &attr);
	pthread_cond_init(&rb->not_full, &attr);
	pthread_condattr_destroy(&attr);
	return rb;
}

void ringbuf_free(struct ringbuf *rb)
{
	if (!rb)
		return;
	pthread_cond_destroy(&rb->not_full);
	pthread_cond_destroy(&rb->not_empty);
	pthread_mutex_destroy(&rb->lock);
	free(rb);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Absolute CLOCK_MONOTONIC time timeout_ms from now. */
static struct timespec deadline_in(long timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Wait on `cond` until the deadline (NULL: forever); 0 or ETIMEDOUT. */
static int wait_on(struct ringbuf *rb, pthread_cond_t *cond,
		   const struct timespec *deadline)
{
	if (!deadline)
		return pthread_cond_wait(cond, &rb->lock);
	return pthread_cond_timedwait(cond, &rb->lock, deadline);
}

/* Called with the lock held and room in the ring. */
static void put_locked(struct ringbuf *rb, int value)
{
	struct slot *s = &rb->slots[(rb->head + rb->len) % rb->capacity];

	s->value = value;
	s->pushed_ms = now_ms();
	rb->len++;
	pthread_cond_signal(&rb->not_empty);
}

/* Called with the lock held and an item in the ring. */
static int take_locked(struct ringbuf *rb)
{
	int value = rb->slots[rb->head].value;

	rb->head = (rb->head + 1) % rb->capacity;
	rb->len--;
	pthread_cond_signal(&rb->not_full);
	return value;
}

int ringbuf_push_timed(struct ringbuf *rb, int value, long timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	if (timeout_ms >= 0)
		deadline = deadline_in(timeout_ms);
	pthread_mutex_lock(&rb->lock);
	while (!rb->closed && rb->len == rb->capacity && rc == 0) {
		if (timeout_ms == 0)
			rc = EAGAIN;
		else
			rc = wait_on(rb, &rb->not_full,
				     timeout_ms > 0 ? &deadline : NULL);
	}
	if (rb->closed) {
		rc = EPIPE;
	} else if (rb->len < rb->capacity) {
		/* Room may have come just as the wait timed out: take it. */
		put_locked(rb, value);
		rc = 0;
	}
	pthread_mutex_unlock(&rb->lock);
	return rc;
}

int ringbuf_pop_timed(struct ringbuf *rb, int *out, long timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	if (timeout_ms >= 0)
		deadline = deadline_in(timeout_ms);
	pthread_mutex_lock(&rb->lock);
	while (!rb->closed && rb->len == 0 && rc == 0) {
		if (timeout_ms == 0)
			rc = EAGAIN;
		else
			rc = wait_on(rb, &rb->not_empty,
				     timeout_ms > 0 ? &deadline : NULL);
	}
	if (rb->len > 0) {
		/* Drain before reporting close, and beat a late timeout. */
		*out = take_locked(rb);
		rc = 0;
	} else if (rb->closed) {
		rc = EPIPE;
	}
	pthread_mutex_unlock(&rb->lock);
	return rc;
}

int ringbuf_try_push(struct ringbuf *rb, int value)
{
	return ringbuf_push_timed(rb, value, 0);
}

int ringbuf_try_pop(struct ringbuf *rb, int *out)
{
	return ringbuf_pop_timed(rb, out, 0);
}

void ringbuf_close(struct ringbuf *rb)
{
	pthread_mutex_lock(&rb->lock);
	rb->closed = 1;
	pthread_cond_broadcast(&rb->not_empty);
	pthread_cond_broadcast(&rb->not_full);
	pthread_mutex_unlock(&rb->lock);
}

size_t ringbuf_len(struct ringbuf *rb)
{
	size_t len;

	pthread_mutex_lock(&rb->lock);
	len = rb->len;
	pthread_mutex_unlock(&rb->lock);
	return len;
}

long ringbuf_lag_ms(struct ringbuf *rb)
{
	long lag = -1;

	pthread_mutex_lock(&rb->lock);
	if (rb->len > 0)
		lag = (long)(now_ms() - rb->slots[rb->head].pushed_ms);
	pthread_mutex_unlock(&rb->lock);
	return lag;
}

size_t ringbuf_capacity(const struct ringbuf *rb)
{
	return rb->capacity;
}
