/* SPDX-License-Identifier: MIT */
/*
 * history/idset.c - a set of 64-bit identity hashes for the readers
 * (history/internal.h): the JUnit stream's tests that left its window,
 * the TAP reader's test names. Bounded: HIST_IDSET_MAX slots at most.
 */
#include "history/internal.h"
#include "core/core.h"

#include <stdlib.h>

bool hist_idset_add(struct hist_idset *s, uint64_t h)
{
	h = h ? h : 1;
	if (hist_idset_has(s, h))
		return false;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *slot;

		if (cap > HIST_IDSET_MAX) {
			s->full = true;
			return true;
		}
		slot = fg_xcalloc(cap, sizeof(*slot));
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				slot[hist_idset_pos(slot, cap, s->slot[i])] =
					s->slot[i];
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	s->slot[hist_idset_pos(s->slot, s->cap, h)] = h;
	s->n++;
	return true;
}

void hist_idset_release(struct hist_idset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
	s->full = false;
}
