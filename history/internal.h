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
