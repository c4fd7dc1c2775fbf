/* SPDX-License-Identifier: MIT */
/*
 * bench/capture-loop.c - the floor the runner benchmarks compare against:
 * a bare loop that runs commands N at a time and reads their output.
 *
 *   capture-loop [-j N] FILE
 *
 * FILE holds one command per line, its arguments separated by spaces (no
 * quoting). Each command is started with posix_spawn in its own session
 * (POSIX_SPAWN_SETSID, as flakeguard does), stdin from /dev/null, stdout
 * and stderr into one pipe; the loop poll()s the pipes, counts and drops
 * what they write, and reaps each child when its pipe closes. Prints
 * "<commands> <bytes>" on stdout. Exit 1 if a command failed.
 *
 * No event library, no bookkeeping: what any runner must do at least.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct slot {
	pid_t pid;
	int fd;
};

static char **split(char *line)
{
	size_t n = 0, cap = 8;
	char **argv = malloc(cap * sizeof(*argv));
	char *save = NULL;

	if (!argv)
		abort();
	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n + 2 > cap) {
			cap *= 2;
			argv = realloc(argv, cap * sizeof(*argv));
			if (!argv)
				abort();
		}
		argv[n++] = t;
	}
	argv[n] = NULL;
	return argv;
}

static int start(char **argv, struct slot *s)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	rc = posix_spawn(&s->pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		return rc;
	}
	s->fd = p[0];
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	int jobs = 2, failed = 0, opt;
	char *line = NULL;
	size_t cap = 0, ncmd = 0, next = 0, running = 0;
	char ***cmds = NULL;
	unsigned long long bytes = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "j:")) != -1) {
		if (opt != 'j' || (jobs = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: capture-loop [-j N] FILE\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: capture-loop [-j N] FILE\n");
		return 2;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return 2;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		cmds = realloc(cmds, (ncmd + 1) * sizeof(*cmds));
		if (!cmds)
			abort();
		cmds[ncmd++] = split(strdup(line));
	}
	fclose(f);

	struct slot *slots = calloc((size_t)jobs, sizeof(*slots));
	struct pollfd *pfd = calloc((size_t)jobs, sizeof(*pfd));

	if (!slots || !pfd)
		abort();
	for (int i = 0; i < jobs; i++)
		slots[i].fd = -1;
	for (;;) {
		for (int i = 0; i < jobs && next < ncmd; i++) {
			if (slots[i].fd >= 0)
				continue;
			int rc = start(cmds[next], &slots[i]);

			if (rc) {
				fprintf(stderr, "capture-loop: %s: %s\n",
					cmds[next][0], strerror(rc));
				failed = 1;
			} else {
				running++;
			}
			next++;
		}
		if (!running)
			break;
		for (int i = 0; i < jobs; i++) {
			pfd[i].fd = slots[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 2;
		}
		for (int i = 0; i < jobs; i++) {
			if (slots[i].fd < 0 || !pfd[i].revents)
				continue;
			ssize_t n = read(slots[i].fd, buf, sizeof(buf));

			if (n > 0) {
				bytes += (unsigned long long)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			int st;

			close(slots[i].fd);
			slots[i].fd = -1;
			while (waitpid(slots[i].pid, &st, 0) < 0 &&
			       errno == EINTR)
				;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				failed = 1;
			running--;
		}
	}
	printf("%zu %llu\n", ncmd, bytes);
	return failed;
}
