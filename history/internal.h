/* SPDX-License-Identifier: MIT */
/*
 * history/internal.h - what history/store.c shares with the other files of
 * history/ (the analysis scan and the quarantine table in
 * history/quarantine.c). Never included from outside history/.
 */
#ifndef FG_HISTORY_INTERNAL_H
#define FG_HISTORY_INTERNAL_H

#include <sqlite3.h>

struct history_store;

/* The store's connection (busy timeout, foreign keys and WAL set). */
sqlite3 *history_store_db(struct history_store *st);
/* The path the store was opened with, for messages. */
const char *history_store_path(const struct history_store *st);

#endif /* FG_HISTORY_INTERNAL_H */
