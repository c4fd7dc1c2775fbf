/* SPDX-License-Identifier: MIT */
/*
 * runner/pool.c - the libuv process pool: spawn, capture, time out, reap.
 *
 * Spawning: posix_spawn with POSIX_SPAWN_SETSID, not uv_spawn. libuv forks
 * on Linux, and fork costs grow with our resident memory (page tables are
 * copied); glibc's posix_spawn uses CLONE_VFORK and stays flat, which
 * measured about 2x faster per trivial test. The loop still watches
 * everything: the output pipe through uv_pipe_t, exits through a SIGCHLD
 * uv_signal_t, timeouts through uv_timer_t.
 *
 * Every attempt is its own session and process group (pgid == pid), so a
 * timeout or Ctrl-C signals -pgid and takes the whole tree down. We peek at
 * a child's exit with waitid(WNOWAIT) and keep it a zombie until its group
 * has been killed: while the zombie exists its pgid cannot be reused, so
 * kill(-pgid) never hits a stranger. Children still holding our pipe after
 * the main process exited are "leaked": after leak_timeout_ms the group is
 * killed and the attempt marked. As a child subreaper we adopt orphans of
 * the group and reap them.
 *
 * One attempt's life (struct slot):
 *   RUNNING --timeout--> TERMINATING (SIGTERM) --grace--> KILLED (SIGKILL)
 *   RUNNING --main exited, pipe still open--> LEAK_WAIT --leak timeout-->
 *   KILLED; finished once the main process exited and the pipe hit EOF (or
 *   the pipe is abandoned after SIGKILL plus another leak timeout).
 *
 * Order: jobs start in queue order, a job that cannot start now (slots,
 * locks, group, or `after` jobs not over) passed over for the next. A job
 * whose `after` jobs are over is offered to on_ready first, which may end
 * it unstarted (RUNNER_NOT_STARTED): CTest's fixtures (a setup failed:
 * skip its dependents) are that and nothing more here; what a dependency
 * means is the caller's business.
 *
 * API: runner_new(), runner_submit(), runner_run(), runner_free().
 */
#include "runner/runner.h"
#include "runner/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

enum phase { PH_RUNNING, PH_TERMINATING, PH_LEAK_WAIT, PH_KILLED, PH_DONE };

/*
 * Where a job is (runner_job.state_). OVER is set before on_done is
 * called, and runner_submit() from on_done (a retry) makes it QUEUED
 * again, so a job is over for its dependents only once nothing more will
 * come of it.
 */
enum job_state { JOB_NEW = 0, JOB_QUEUED, JOB_RUNNING, JOB_OVER };

struct slot {
	struct runner *r;
	struct runner_job *job;
	pid_t pid;             /* also the pgid */
	uv_pipe_t pipe;
	uv_timer_t timer;      /* timeout, grace or leak, by phase */
	int open_handles;      /* handles not yet closed; free at 0 */
	enum phase phase;
	bool exited;           /* main process exited (still a zombie) */
	bool eof;              /* output pipe at EOF (or abandoned) */
	bool timed_out;
	bool interrupted;
	bool cancelled;
	int log_fd;            /* full output log, or -1 */
	uint64_t log_len;      /* bytes written to it */
	uint64_t paused_left;  /* ms left on the timer while stopped (^Z) */
	siginfo_t info;        /* how the main process ended */
	uint64_t t0;           /* monotonic start */
};

struct runner {
	uv_loop_t loop;
	uv_signal_t sigchld, sigint, sigterm, sighup, sigtstp, sigcont;
	uv_timer_t tick;
	struct runner_opts opts;
	struct runner_job **queue;   /* in start order; blocked jobs wait */
	size_t qlen, qcap;
	int slots_used;              /* sum of running jobs' slots */
	int *group_running;          /* per group: running jobs */
	struct slot **running;
	size_t nrunning, running_cap;
	pid_t *reap;           /* pgids of finished groups to reap orphans of */
	size_t nreap, reap_cap;
	posix_spawnattr_t attr;
	int signal;            /* first SIGINT/SIGTERM/SIGHUP received, or 0 */
	int nsignals;
	bool stopped;
	bool cancelled;
	size_t dropped;
	char rbuf[64 * 1024];  /* read buffer, used by one read at a time */
};

static void fill(struct runner *r);
static void maybe_finish(struct slot *s);
static void log_finish(struct slot *s);

/* ---------------------------------------------------------------------- */
/* Resources: slots, locks, groups                                         */
/* ---------------------------------------------------------------------- */

static int job_slots(const struct runner *r, const struct runner_job *job)
{
	int n = job->slots > 0 ? job->slots : 1;

	return n > r->opts.jobs ? r->opts.jobs : n;
}

static bool lock_held(const struct runner *r, const char *lock)
{
	for (size_t i = 0; i < r->nrunning; i++)
		for (char *const *l = r->running[i]->job->locks; l && *l; l++)
			if (!strcmp(*l, lock))
				return true;
	return false;
}

/*
 * Every job this one must wait for is over. A job over stays over while
 * others wait for it (only its own on_done could submit it again), so the
 * count of those seen over only grows: a cleanup waiting for 10,000 jobs
 * costs O(10,000) over the whole run, not per scan of the queue.
 */
static bool deps_over(struct runner_job *job)
{
	struct runner_job *const *a = job->after;

	if (!a)
		return true;
	while (a[job->after_over_] && a[job->after_over_]->state_ == JOB_OVER)
		job->after_over_++;
	return !a[job->after_over_];
}

static bool can_start(const struct runner *r, struct runner_job *job)
{
	if (!deps_over(job))
		return false;
	if (r->slots_used + job_slots(r, job) > r->opts.jobs)
		return false;
	if (job->group > 0 && (size_t)job->group <= r->opts.ngroups &&
	    r->group_running[job->group - 1] >= r->opts.group_max[job->group - 1])
		return false;
	for (char *const *l = job->locks; l && *l; l++)
		if (lock_held(r, *l))
			return false;
	return true;
}

static void take(struct runner *r, const struct runner_job *job, int sign)
{
	r->slots_used += sign * job_slots(r, job);
	if (job->group > 0 && (size_t)job->group <= r->opts.ngroups)
		r->group_running[job->group - 1] += sign;
}

int runner_default_jobs(void)
{
	unsigned n = uv_available_parallelism();

	return n ? (int)n : 1;
}

void runner_job_release(struct runner_job *job)
{
	fg_buf_release(&job->result.output);
}

/* ---------------------------------------------------------------------- */
/* Finishing an attempt                                                    */
/* ---------------------------------------------------------------------- */

static void kill_group(struct slot *s, int sig)
{
	if (kill(-s->pid, sig) < 0 && errno != ESRCH)
		fg_log(FG_LOG_DEBUG, "runner", "kill(-%d, %d): %s",
		       (int)s->pid, sig, strerror(errno));
}

/*
 * The processes left in group pgid (but its leader, a zombie by now), as
 * "name[pid], ..." into out: what a leak report can name. Reads
 * /proc/PID/stat ("pid (comm) state ppid pgrp ...").
 */
static void list_group(pid_t pgid, char *out, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t o = 0, more = 0;

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[64], buf[512], *p, *q, state;
		long ppid, pgrp;
		pid_t pid;
		FILE *f;
		size_t n;
		int w;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (pid == pgid || !(f = fopen(path, "r")))
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (!(q = strchr(buf, '(')) || !(p = strrchr(buf, ')')) ||
		    sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3 ||
		    pgrp != pgid || state == 'Z')
			continue;
		w = o + 40 < size ? snprintf(out + o, size - o, "%s%.*s[%d]",
					     o ? ", " : "", (int)(p - q - 1),
					     q + 1, (int)pid) : -1;
		if (w < 0 || (size_t)w >= size - o) {
			out[o] = '\0';
			more++;
			continue;
		}
		o += (size_t)w;
	}
	closedir(d);
	if (more && o + 16 < size)
		snprintf(out + o, size - o, " and %zu more", more);
}

static void fill_result(struct slot *s)
{
	struct runner_result *res = &s->job->result;

	res->pid = s->pid;
	res->duration_ms = (int64_t)((fg_monotonic_ns() - s->t0) / 1000000);
	if (s->interrupted) {
		res->end = RUNNER_INTERRUPTED;
	} else if (s->cancelled) {
		res->end = RUNNER_CANCELLED;
	} else if (s->timed_out) {
		res->end = RUNNER_TIMEOUT;
	} else if (s->info.si_code == CLD_EXITED) {
		res->end = RUNNER_EXITED;
		res->exit_code = s->info.si_status;
	} else {
		res->end = RUNNER_SIGNALED;
		res->term_signal = s->info.si_status;
	}
}

static void remove_running(struct runner *r, struct slot *s)
{
	for (size_t i = 0; i < r->nrunning; i++) {
		if (r->running[i] != s)
			continue;
		r->running[i] = r->running[--r->nrunning];
		return;
	}
	FG_BUG("slot of pid %d not running", (int)s->pid);
}

static void on_close(uv_handle_t *h)
{
	struct slot *s = h->data;
	struct runner *r = s->r;
	struct runner_job *job = s->job;

	if (--s->open_handles > 0)
		return;
	take(r, job, -1);
	remove_running(r, s);
	log_finish(s);
	if (s->log_fd >= 0 && close(s->log_fd) < 0 && !job->result.log_errno)
		job->result.log_errno = errno;
	free(s);
	job->state_ = JOB_OVER;
	if (r->opts.on_done)
		r->opts.on_done(r, job, r->opts.data);
	fill(r);
}

static void add_reap(struct runner *r, pid_t pgid)
{
	fg_xgrow((void **)&r->reap, &r->reap_cap, r->nreap + 1,
		 sizeof(*r->reap));
	r->reap[r->nreap++] = pgid;
}

/* Reaps adopted orphans of finished groups; forgets groups with none left. */
static void reap_orphans(struct runner *r)
{
	for (size_t i = 0; i < r->nreap;) {
		pid_t p;

		while ((p = waitpid(-r->reap[i], NULL, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
			r->reap[i] = r->reap[--r->nreap];
		else
			i++;
	}
}

/*
 * Waits (briefly) until every process of the killed group that became our
 * child has died and been reaped, so that "finished" means nothing of the
 * test is left. Descendants are re-parented to us (subreaper) before their
 * parent's exit is reported, so reaping parents uncovers their children.
 * A process stuck in uninterruptible sleep is left to reap_orphans().
 */
static void settle_group(struct runner *r, pid_t pgid)
{
	for (int waited_ms = 0; waited_ms < 2000;) {
		pid_t p = waitpid(-pgid, NULL, WNOHANG);

		if (p > 0)
			continue;
		if (p < 0)
			return; /* ECHILD: none left */
		usleep(1000);
		waited_ms++;
	}
	add_reap(r, pgid);
}

static void maybe_finish(struct slot *s)
{
	if (!s->exited || !s->eof || s->phase == PH_DONE)
		return;
	s->phase = PH_DONE;
	/*
	 * The main process is still a zombie, so the group id is still ours:
	 * take down whatever else of the test is running, then reap.
	 */
	kill_group(s, SIGKILL);
	runner__watch_del(s->pid); /* while the zombie still holds the pgid */
	waitpid(s->pid, NULL, 0);
	settle_group(s->r, s->pid);
	fill_result(s);
	uv_timer_stop(&s->timer);
	if (!uv_is_closing((uv_handle_t *)&s->pipe))
		uv_close((uv_handle_t *)&s->pipe, on_close);
	uv_close((uv_handle_t *)&s->timer, on_close);
}

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct slot *s = h->data;

	(void)hint;
	*buf = uv_buf_init(s->r->rbuf, sizeof(s->r->rbuf));
}

/* The last bytes of a capped log come from the capture at the end. */
static uint64_t log_tail_keep(const struct slot *s)
{
	uint64_t keep = s->job->log_max / 2;

	return keep < s->job->result.output.tail_max ? keep :
	       s->job->result.output.tail_max;
}

static void log_fail(struct slot *s, int e)
{
	/* said once, by the caller, for the whole run: not per write */
	if (!s->job->result.log_errno)
		s->job->result.log_errno = e;
	close(s->log_fd);
	s->log_fd = -1;
}

/* Appends to the log: all of it, or with log_max only its head. */
static void log_write(struct slot *s, const char *p, size_t n)
{
	uint64_t room = UINT64_MAX;

	if (s->log_fd < 0)
		return;
	if (s->job->log_max) {
		uint64_t head = s->job->log_max - log_tail_keep(s);

		room = s->log_len < head ? head - s->log_len : 0;
	}
	if (n > room) {
		s->job->result.log_dropped += n - room;
		n = (size_t)room;
	}
	if (n && write_all(s->log_fd, p, n))
		log_fail(s, errno);
	else
		s->log_len += n;
}

/*
 * A capped log gets its last bytes back from the capture, after a marker
 * saying how much is missing in between.
 */
static void log_finish(struct slot *s)
{
	struct runner_result *res = &s->job->result;
	uint64_t keep = log_tail_keep(s), tail;
	char marker[96], *buf;

	if (s->log_fd < 0 || !res->log_dropped)
		return;
	tail = keep < res->log_dropped ? keep : res->log_dropped;
	buf = fg_xmalloc(tail ? tail : 1);
	tail = fg_buf_last(&res->output, buf, tail);
	res->log_dropped -= tail;
	snprintf(marker, sizeof(marker), "\n[... %llu bytes not kept: "
		 "--log-max ...]\n", (unsigned long long)res->log_dropped);
	if (write_all(s->log_fd, marker, strlen(marker)) ||
	    write_all(s->log_fd, buf, tail))
		log_fail(s, errno);
	free(buf);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct slot *s = stream->data;

	if (n > 0) {
		fg_buf_append(&s->job->result.output, buf->base, (size_t)n);
		log_write(s, buf->base, (size_t)n);
		if (s->job->on_output)
			s->job->on_output(s->job, buf->base, (size_t)n);
		return;
	}
	if (n == 0)
		return;
	if (n != UV_EOF)
		fg_log(FG_LOG_WARN, "runner", "reading output of '%s': %s",
		       s->job->name, uv_strerror((int)n));
	s->eof = true;
	uv_read_stop(stream);
	maybe_finish(s);
}

static void on_timer(uv_timer_t *t);

static void set_timer(struct slot *s, enum phase ph, int64_t ms)
{
	s->phase = ph;
	uv_timer_start(&s->timer, on_timer, (uint64_t)ms, 0);
}

static void on_timer(uv_timer_t *t)
{
	struct slot *s = container_of(t, struct slot, timer);
	struct runner *r = s->r;

	switch (s->phase) {
	case PH_RUNNING:
		s->timed_out = true;
		kill_group(s, SIGTERM);
		set_timer(s, PH_TERMINATING, r->opts.kill_grace_ms);
		break;
	case PH_TERMINATING:
		kill_group(s, SIGKILL);
		set_timer(s, PH_KILLED, r->opts.leak_timeout_ms);
		break;
	case PH_LEAK_WAIT:
		s->job->result.leaked = true;
		list_group(s->pid, s->job->result.leaked_procs,
			   sizeof(s->job->result.leaked_procs));
		kill_group(s, SIGKILL);
		set_timer(s, PH_KILLED, r->opts.leak_timeout_ms);
		break;
	case PH_KILLED:
		/*
		 * Killed, yet the pipe is still open: a descendant escaped
		 * the group (setsid) with our pipe. Stop waiting for it.
		 */
		if (s->exited && !s->eof) {
			fg_log(FG_LOG_WARN, "runner",
			       "'%s': a process outside the test's group keeps "
			       "its output open; no longer reading it",
			       s->job->name);
			s->job->result.leaked = true;
			s->eof = true;
			uv_read_stop((uv_stream_t *)&s->pipe);
			maybe_finish(s);
		} else if (!s->exited) {
			kill_group(s, SIGKILL);
			set_timer(s, PH_KILLED, r->opts.leak_timeout_ms);
		}
		break;
	case PH_DONE:
		break;
	}
}

/* The main process exited (seen through waitid WNOWAIT, still a zombie). */
static void on_exit_seen(struct slot *s)
{
	s->exited = true;
	if (s->eof) {
		maybe_finish(s);
		return;
	}
	if (s->phase == PH_RUNNING)
		set_timer(s, PH_LEAK_WAIT, s->r->opts.leak_timeout_ms);
}

static void on_sigchld(uv_signal_t *h, int signum)
{
	struct runner *r = container_of(h, struct runner, sigchld);

	(void)signum;
	/*
	 * Slots leave r->running only in their close callbacks, never during
	 * this loop, so plain iteration is safe.
	 */
	for (size_t i = 0; i < r->nrunning; i++) {
		struct slot *s = r->running[i];
		siginfo_t info;

		if (s->exited)
			continue;
		memset(&info, 0, sizeof(info));
		if (waitid(P_PID, (id_t)s->pid, &info,
			   WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    info.si_pid != s->pid)
			continue;
		s->info = info;
		on_exit_seen(s);
	}
	reap_orphans(r);
}

/* Drops the queue and signals every running group (SIGKILL: at once). */
static void terminate_all(struct runner *r, int sig, bool interrupt)
{
	r->stopped = true;
	r->dropped += r->qlen;
	r->qlen = 0;
	for (size_t i = 0; i < r->nrunning; i++) {
		struct slot *s = r->running[i];

		if (s->phase == PH_DONE)
			continue;
		if (interrupt)
			s->interrupted = true;
		else
			s->cancelled = true;
		if (s->paused_left)
			kill_group(s, SIGCONT);
		if (sig != SIGKILL) {
			kill_group(s, sig);
			set_timer(s, PH_TERMINATING, r->opts.kill_grace_ms);
		} else {
			kill_group(s, SIGKILL);
			set_timer(s, PH_KILLED, r->opts.leak_timeout_ms);
		}
	}
}

static bool signal_ignored(int signum)
{
	struct sigaction sa;

	return sigaction(signum, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

static void on_interrupt(uv_signal_t *h, int signum)
{
	struct runner *r = h->data;

	r->nsignals++;
	if (r->nsignals == 1) {
		r->signal = signum;
		fg_log(FG_LOG_WARN, "runner",
		       "%s: stopping %zu running test(s) (again to kill now)",
		       strsignal(signum), r->nrunning);
	}
	terminate_all(r, r->nsignals == 1 ? signum : SIGKILL, true);
}

/*
 * ^Z: our tests live in their own sessions, so the terminal's SIGTSTP
 * reaches only us. Stop every group, pause the timers (a stopped test must
 * not time out), then stop ourselves; SIGCONT undoes it in reverse.
 */
static void on_tstp(uv_signal_t *h, int signum)
{
	struct runner *r = h->data;

	(void)signum;
	for (size_t i = 0; i < r->nrunning; i++) {
		struct slot *s = r->running[i];

		if (s->phase == PH_DONE)
			continue;
		kill_group(s, SIGSTOP);
		s->paused_left = uv_is_active((uv_handle_t *)&s->timer) ?
			uv_timer_get_due_in(&s->timer) + 1 : 0;
		uv_timer_stop(&s->timer);
	}
	raise(SIGSTOP);
}

static void on_cont(uv_signal_t *h, int signum)
{
	struct runner *r = h->data;

	(void)signum;
	for (size_t i = 0; i < r->nrunning; i++) {
		struct slot *s = r->running[i];

		if (s->phase == PH_DONE)
			continue;
		kill_group(s, SIGCONT);
		if (s->paused_left)
			uv_timer_start(&s->timer, on_timer, s->paused_left - 1, 0);
		s->paused_left = 0;
	}
}

static void on_tick(uv_timer_t *t)
{
	struct runner *r = container_of(t, struct runner, tick);

	if (r->opts.on_tick)
		r->opts.on_tick(r, r->opts.data);
}

/* ---------------------------------------------------------------------- */
/* Spawning                                                                */
/* ---------------------------------------------------------------------- */

static int spawn(struct runner *r, struct runner_job *job, int *out_fd,
		 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = { -1, -1 }, rc;

	if (!job->no_capture && pipe2(fds, O_CLOEXEC) < 0)
		return errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!job->no_capture) {
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		if (job->stderr_to == RUNNER_STDERR_MERGE)
			posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
		else if (job->stderr_to == RUNNER_STDERR_NULL)
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
							 O_WRONLY, 0);
	}
	if (job->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, job->cwd);
	if (strchr(job->argv[0], '/'))
		rc = posix_spawn(pid, job->argv[0], &fa, &r->attr, job->argv,
				 job->env);
	else
		rc = posix_spawnp(pid, job->argv[0], &fa, &r->attr,
				  job->argv, job->env);
	posix_spawn_file_actions_destroy(&fa);
	if (fds[1] >= 0)
		close(fds[1]);
	if (rc) {
		if (fds[0] >= 0)
			close(fds[0]);
		return rc;
	}
	*out_fd = fds[0];
	return 0;
}

/* Ends a job that never ran (not started, or could not be spawned). */
static void end_unstarted(struct runner *r, struct runner_job *job)
{
	job->state_ = JOB_OVER;
	if (r->opts.on_done)
		r->opts.on_done(r, job, r->opts.data);
}

/*
 * Starts a job, or ends it at once when on_ready declines it or it cannot
 * be spawned. Returns true in that second case: a job is over, so jobs
 * waiting for it may have become ready.
 */
static bool start(struct runner *r, struct runner_job *job)
{
	struct slot *s;
	pid_t pid;
	int fd = -1, rc;

	memset(&job->result, 0, sizeof(job->result));
	fg_buf_init(&job->result.output, job->output_max ? job->output_max :
		    r->opts.output_max);
	job->result.started_at_ms = fg_now_ms();
	if (r->opts.on_ready && !r->opts.on_ready(r, job, r->opts.data)) {
		job->result.end = RUNNER_NOT_STARTED;
		end_unstarted(r, job);
		return true;
	}
	job->state_ = JOB_RUNNING;
	if (r->opts.on_start)
		r->opts.on_start(r, job, r->opts.data);
	rc = spawn(r, job, &fd, &pid);
	if (!rc)
		runner__watch_add(pid);
	if (rc) {
		job->result.end = RUNNER_SPAWN_FAILED;
		job->result.spawn_errno = rc;
		end_unstarted(r, job);
		return true;
	}
	s = fg_xcalloc(1, sizeof(*s));
	s->r = r;
	s->job = job;
	s->pid = pid;
	s->t0 = fg_monotonic_ns();
	s->phase = PH_RUNNING;
	s->log_fd = -1;
	if (job->log_path) {
		s->log_fd = open(job->log_path,
				 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (s->log_fd < 0)
			job->result.log_errno = errno;
	}
	uv_pipe_init(&r->loop, &s->pipe, 0);
	uv_timer_init(&r->loop, &s->timer);
	s->pipe.data = s->timer.data = s;
	s->open_handles = 2;
	fg_xgrow((void **)&r->running, &r->running_cap, r->nrunning + 1,
		 sizeof(*r->running));
	r->running[r->nrunning++] = s;
	take(r, job, +1);
	if (fd < 0) {
		s->eof = true; /* --no-capture: output goes straight to ours */
		rc = 0;
	} else {
		rc = uv_pipe_open(&s->pipe, fd);
		if (!rc)
			rc = uv_read_start((uv_stream_t *)&s->pipe, on_alloc,
					   on_read);
	}
	if (rc) {
		fg_log(FG_LOG_WARN, "runner", "cannot read output of '%s': %s",
		       job->name, uv_strerror(rc));
		close(fd);
		s->eof = true;
	}
	if (job->timeout_ms > 0)
		set_timer(s, PH_RUNNING, job->timeout_ms);
	return false;
}

/*
 * Starts queued jobs in order while slots are free, passing over jobs that
 * wait for a lock, a group or another job: the first job that can run,
 * runs. A job that ends without running (declined, or not spawned) may
 * free jobs queued before it, so the scan starts again from the front.
 */
static void fill(struct runner *r)
{
	for (size_t i = 0; !r->stopped && i < r->qlen &&
			   r->slots_used < r->opts.jobs;) {
		struct runner_job *job = r->queue[i];

		if (!can_start(r, job)) {
			i++;
			continue;
		}
		memmove(r->queue + i, r->queue + i + 1,
			(r->qlen - i - 1) * sizeof(*r->queue));
		r->qlen--;
		if (start(r, job))
			i = 0;
	}
}

/* ---------------------------------------------------------------------- */
/* Public API                                                              */
/* ---------------------------------------------------------------------- */

void runner_submit(struct runner *r, struct runner_job *job)
{
	job->state_ = JOB_QUEUED;
	job->after_over_ = 0;
	fg_xgrow((void **)&r->queue, &r->qcap, r->qlen + 1, sizeof(*r->queue));
	r->queue[r->qlen++] = job;
}

int runner_new(const struct runner_opts *opts, struct runner **out,
	       struct fg_error *err)
{
	struct runner *r = fg_xcalloc(1, sizeof(*r));
	sigset_t none, all;
	int rc;

	r->opts = *opts;
	if (r->opts.jobs <= 0)
		r->opts.jobs = runner_default_jobs();
	if (r->opts.kill_grace_ms <= 0)
		r->opts.kill_grace_ms = 5000;
	if (r->opts.leak_timeout_ms <= 0)
		r->opts.leak_timeout_ms = 200;
	if (!r->opts.output_max)
		r->opts.output_max = 128 * 1024;
	rc = uv_loop_init(&r->loop);
	if (rc) {
		free(r);
		return fg_fail(err, FG_EIO, "cannot start event loop: %s",
			       uv_strerror(rc));
	}
	/* Orphans of our tests are re-parented to us, so we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* And nothing of a test outlives us, however we die. */
	runner__watch_start();

	/* Children start in a new session with default signal handling. */
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_init(&r->attr);
	posix_spawnattr_setflags(&r->attr, POSIX_SPAWN_SETSID |
					   POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&r->attr, &none);
	posix_spawnattr_setsigdefault(&r->attr, &all);

	uv_signal_init(&r->loop, &r->sigchld);
	uv_signal_start(&r->sigchld, on_sigchld, SIGCHLD);
	uv_signal_init(&r->loop, &r->sigint);
	uv_signal_init(&r->loop, &r->sigterm);
	uv_signal_init(&r->loop, &r->sighup);
	r->sigint.data = r->sigterm.data = r->sighup.data = r;
	uv_signal_start(&r->sigint, on_interrupt, SIGINT);
	uv_signal_start(&r->sigterm, on_interrupt, SIGTERM);
	/*
	 * A closed terminal or SSH session (SIGHUP) would otherwise kill us
	 * at once: nothing recorded, and the tests, in their own sessions,
	 * left running. Under nohup (SIGHUP ignored) it stays ignored.
	 */
	if (!signal_ignored(SIGHUP))
		uv_signal_start(&r->sighup, on_interrupt, SIGHUP);
	uv_signal_init(&r->loop, &r->sigtstp);
	uv_signal_init(&r->loop, &r->sigcont);
	r->sigtstp.data = r->sigcont.data = r;
	uv_signal_start(&r->sigtstp, on_tstp, SIGTSTP);
	uv_signal_start(&r->sigcont, on_cont, SIGCONT);
	uv_timer_init(&r->loop, &r->tick);
	uv_unref((uv_handle_t *)&r->tick);
	r->group_running = fg_xcalloc(r->opts.ngroups + 1, sizeof(int));
	*out = r;
	return FG_OK;
}

/*
 * Nothing runs, yet jobs wait: only `after` can hold them (a lone job
 * always has its slots, locks and group), so one waits for a job that
 * will never be over: a cycle, or a job never submitted. Waiting would
 * hang for ever; that is the caller's bug.
 */
static void check_stall(const struct runner *r)
{
	if (r->nrunning || !r->qlen || r->stopped)
		return;
	for (size_t i = 0; i < r->qlen; i++)
		for (struct runner_job *const *a = r->queue[i]->after; a && *a;
		     a++)
			if ((*a)->state_ != JOB_OVER)
				FG_BUG("job '%s' waits for '%s', which will "
				       "never be over", r->queue[i]->name,
				       (*a)->name);
	FG_BUG("%zu job(s) queued and none can start", r->qlen);
}

int runner_run(struct runner *r)
{
	/* (re)started here: runner_run() may run again, with new jobs */
	if (r->opts.on_tick && r->opts.tick_ms > 0)
		uv_timer_start(&r->tick, on_tick, (uint64_t)r->opts.tick_ms,
			       (uint64_t)r->opts.tick_ms);
	fill(r);
	check_stall(r);
	while (r->nrunning || (r->qlen && !r->stopped)) {
		uv_run(&r->loop, UV_RUN_ONCE);
		check_stall(r);
	}
	uv_timer_stop(&r->tick);
	return r->signal ? FG_EINTR : FG_OK;
}

int runner_signal(const struct runner *r)
{
	return r->signal;
}

size_t runner_dropped(const struct runner *r)
{
	return r->dropped + (r->stopped ? r->qlen : 0);
}

void runner_stop(struct runner *r)
{
	r->stopped = true;
}

void runner_cancel(struct runner *r)
{
	if (!r->cancelled && !r->signal)
		terminate_all(r, SIGTERM, false);
	r->cancelled = true;
}

size_t runner_running(const struct runner *r)
{
	return r->nrunning;
}

size_t runner_queued(const struct runner *r)
{
	return r->qlen;
}

const struct runner_job *runner_running_job(const struct runner *r, size_t i)
{
	return i < r->nrunning ? r->running[i]->job : NULL;
}

/*
 * Our children that are not a running job: processes of finished tests that
 * escaped their process group (setsid, double fork) and were re-parented to
 * us as child subreaper. Reads /proc/PID/stat; returns how many it killed.
 */
static size_t kill_escapees(void)
{
	pid_t self = getpid();
	size_t killed = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[64], buf[512], *p, state;
		long ppid;
		pid_t pid;
		FILE *f;
		size_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (!(f = fopen(path, "r")))
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* "pid (comm) state ppid ...": comm may hold spaces and ')' */
		if (!(p = strrchr(buf, ')')) ||
		    sscanf(p + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		/* not ours, already dead (reaped below), or the watchdog */
		if (ppid != self || state == 'Z' || pid == runner__watch_pid())
			continue;
		if (kill(pid, SIGKILL) == 0)
			killed++;
	}
	closedir(d);
	return killed;
}

void runner_free(struct runner *r)
{
	size_t escaped = 0;
	if (!r)
		return;
	uv_close((uv_handle_t *)&r->sigchld, NULL);
	uv_close((uv_handle_t *)&r->sigint, NULL);
	uv_close((uv_handle_t *)&r->sigterm, NULL);
	uv_close((uv_handle_t *)&r->sighup, NULL);
	uv_close((uv_handle_t *)&r->sigtstp, NULL);
	uv_close((uv_handle_t *)&r->sigcont, NULL);
	uv_close((uv_handle_t *)&r->tick, NULL);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&r->loop))
		FG_BUG("runner loop has open handles at exit");
	/*
	 * Every attempt is over: a child of ours now is a test's process that
	 * escaped its group. Kill, reap, repeat (killing a parent hands us its
	 * children), a few rounds at most.
	 */
	for (uint64_t end = fg_monotonic_ns() + 2000000000ull;;) {
		size_t n = kill_escapees();
		pid_t p;

		escaped += n;
		while ((p = waitpid(-1, NULL, WNOHANG)) > 0 &&
		       p != runner__watch_pid())
			;
		if (!n || fg_monotonic_ns() > end)
			break; /* no escapee left (the watchdog stays), or give up */
		usleep(5000);
	}
	if (escaped)
		fg_log(FG_LOG_WARN, "runner", "killed %zu process(es) that "
		       "escaped their test's process group", escaped);
	posix_spawnattr_destroy(&r->attr);
	free(r->queue);
	free(r->running);
	free(r->reap);
	free(r->group_running);
	free(r);
}
