/* SPDX-License-Identifier: MIT */
/*
 * core/mem.h - memory and strings: fg_x* allocators that never return NULL
 * (out of memory exits 3), string vectors, opening a user's input file.
 *
 * A non-const char * returned here belongs to the caller (free(3)).
 */
#ifndef FG_CORE_MEM_H
#define FG_CORE_MEM_H

#include <stddef.h>
#include <stdio.h>

void *fg_xmalloc(size_t n);
void *fg_xcalloc(size_t n, size_t size);
/* For allocators that are not ours (open_memstream): exits 3, as fg_x*. */
_Noreturn void fg_out_of_memory(void);
void *fg_xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of size sz) to hold at least need elements. */
void fg_xgrow(void **p, size_t *cap, size_t need, size_t sz);
char *fg_xstrdup(const char *s);           /* NULL in, NULL out */
char *fg_xstrndup(const char *s, size_t n);
char *fg_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees a NULL-terminated vector of strings and the vector itself. */
void fg_strv_free(char **v);
size_t fg_strv_len(char *const *v);
char **fg_strv_dup(char *const *v);

/*
 * Opens a file the user named for reading, like fopen(path, "r"), except
 * that a FIFO with no writer reads as empty instead of blocking for ever,
 * and a directory fails with EISDIR. NULL with errno set on failure.
 */
FILE *fg_fopen_input(const char *path);

#endif /* FG_CORE_MEM_H */
