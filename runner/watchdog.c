/* SPDX-License-Identifier: MIT */
/*
 * runner/watchdog.c - no test outlives flakeguard.
 *
 * Tests run in their own sessions (so a timeout can kill a whole tree),
 * which also means nothing kills them when flakeguard itself dies hard:
 * kill -9, the OOM killer, a CI's hard cancel. PR_SET_PDEATHSIG reaches
 * only a direct child, and setting it needs code in the child before exec
 * (posix_spawn runs none); an exec shim per test would cost an exec of a
 * dynamically linked binary per attempt (~3x a trivial test here).
 *
 * Instead one watchdog process is forked once, before the first test. It
 * holds the read end of a pipe whose only writer is flakeguard: every test
 * group is announced (+pgid) when it starts and withdrawn (-pgid) before
 * its leader is reaped, so a registered pgid is always held by a zombie or
 * a live leader and never reused. When flakeguard exits, however it exits,
 * the kernel closes the write end; the watchdog reads EOF and sends
 * SIGKILL to every group still registered, then exits. It lives in its
 * own process group, so a kill of flakeguard's group does not take it
 * too, and keeps no descriptor but its pipe.
 *
 * After a normal exit no group is registered and the watchdog just leaves.
 */
#include "runner/runner.h"
#include "runner/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define WATCH_MAX 65536   /* groups at once: -j is at most 4096 */

static int watch_fd = -1;
static pid_t watch_pid;

/* The watchdog's life: never returns. Async-signal-safe calls only. */
static _Noreturn void watch(int fd)
{
	static pid_t groups[WATCH_MAX];
	size_t n = 0;
	int32_t rec;
	struct rlimit rl;
	int maxfd = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
			    rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;

	for (int i = 0; i < maxfd; i++)
		if (i != fd)
			close(i);
	open("/dev/null", O_RDONLY);  /* 0, 1, 2: nothing of ours held */
	open("/dev/null", O_WRONLY);
	open("/dev/null", O_WRONLY);
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	for (;;) {
		ssize_t r = read(fd, &rec, sizeof(rec));

		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(rec))
			break; /* EOF: flakeguard is gone */
		if (rec > 0 && n < WATCH_MAX) {
			groups[n++] = rec;
		} else if (rec < 0) {
			for (size_t i = 0; i < n; i++)
				if (groups[i] == -rec) {
					groups[i] = groups[--n];
					break;
				}
		}
	}
	for (size_t i = 0; i < n; i++)
		kill(-groups[i], SIGKILL);
	_exit(0);
}

void runner__watch_start(void)
{
	int fds[2];
	pid_t pid;

	if (watch_fd >= 0)
		return;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fg_log(FG_LOG_WARN, "runner", "no watchdog (pipe: %s): tests "
		       "may outlive a killed flakeguard", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		fg_log(FG_LOG_WARN, "runner", "no watchdog (fork: %s): tests "
		       "may outlive a killed flakeguard", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0)
		watch(fds[0]);
	close(fds[0]);
	watch_fd = fds[1];
	watch_pid = pid;
}

pid_t runner__watch_pid(void)
{
	return watch_pid;
}

static void tell(int32_t rec)
{
	ssize_t w;

	if (watch_fd < 0)
		return;
	do
		w = write(watch_fd, &rec, sizeof(rec));
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(rec)) {
		/* the watchdog died: say so once, carry on without it */
		fg_log(FG_LOG_WARN, "runner", "watchdog gone: tests may "
		       "outlive a killed flakeguard");
		close(watch_fd);
		watch_fd = -2;
	}
}

void runner__watch_add(pid_t pgid)
{
	tell((int32_t)pgid);
}

void runner__watch_del(pid_t pgid)
{
	tell(-(int32_t)pgid);
}
