/* SPDX-License-Identifier: MIT */
/*
 * runner/internal.h - what the files of runner/ share. Never included from
 * outside runner/.
 */
#ifndef FG_RUNNER_INTERNAL_H
#define FG_RUNNER_INTERNAL_H

#include <sys/types.h>

/*
 * The watchdog (runner/watchdog.c): a small process forked once, which
 * kills every test process group still registered when flakeguard dies,
 * however it dies (SIGKILL, OOM killer, a CI's hard cancel, a test that
 * kills its parent). Start it before the first test is spawned; register
 * a group as it starts and drop it before its leader is reaped.
 */
void runner__watch_start(void);
void runner__watch_add(pid_t pgid);
void runner__watch_del(pid_t pgid);
/* The watchdog's pid (a child of ours that is no escaped test), or 0. */
pid_t runner__watch_pid(void);

#endif /* FG_RUNNER_INTERNAL_H */
