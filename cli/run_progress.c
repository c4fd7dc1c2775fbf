/* SPDX-License-Identifier: MIT */
/*
 * cli/run_progress.c - what `run` shows while it works.
 *
 * On a terminal: one live status line (done/total, elapsed, failures,
 * flaky, ETA from history estimates, the running items), redrawn on a
 * tick and cleared before any other output; failures still get a line of
 * their own. Elsewhere: one line per finished attempt.
 */
#include "cli/run.h"

#include <stdlib.h>

#include <string.h>

void run_clear_live(struct run_state *rs)
{
	if (rs->line_drawn)
		fputs("\r\033[K", rs->human);
	rs->line_drawn = false;
}

void run_draw_live(struct run_state *rs)
{
	size_t running = rs->runner ? runner_running(rs->runner) : 0;
	int64_t elapsed = (int64_t)((fg_monotonic_ns() - rs->t0) / 1000000);
	char line[512], d[32];
	int n;

	if (!rs->live || rs->o->verbosity < 0)
		return;
	n = snprintf(line, sizeof(line), "[%zu/%zu] %s, %zu failed, %zu flaky",
		     rs->done, rs->plan.n,
		     fg_duration_format(elapsed, d, sizeof(d)),
		     rs->failed_items, rs->flaky_items);
	if (rs->estimate_left_ms > 0 && rs->jobs > 0) {
		int64_t left = rs->estimate_left_ms, now = fg_now_ms();

		/* Running items are partly done: count what they have left. */
		for (size_t i = 0; i < running; i++) {
			const struct runner_job *j =
				runner_running_job(rs->runner, i);
			const struct item_state *is = j->data;
			int64_t ran = now - j->result.started_at_ms;

			left -= ran < is->item->estimate_ms ?
					ran : is->item->estimate_ms;
		}
		if (left > 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
				      ", ETA %s", fg_duration_format(
					      left / rs->jobs, d, sizeof(d)));
	}
	for (size_t i = 0; i < running && n < 100; i++) {
		char *name = fg_text_escape(runner_running_job(rs->runner,
							       i)->name,
					    NULL, 0);

		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s",
			      i ? ", " : " | ", name);
		free(name);
	}
	if (n > 110)
		memcpy(line + 107, "...", 4);
	fprintf(rs->human, "\r\033[K%s", line);
	fflush(rs->human);
	rs->line_drawn = true;
}

void run_on_tick(struct runner *r, void *data)
{
	(void)r;
	run_draw_live(data);
}

void run_print_progress(struct item_state *is, enum fg_astatus st,
			   long xml_failures)
{
	struct run_state *rs = is->rs;
	struct fg_attempt a = {
		.number = is->attempt,
		.status = xml_failures > 0 && st == FG_A_PASSED ? FG_A_FAILED :
								  st,
		.duration_ms = is->job.result.duration_ms,
	};
	struct fg_test t = {
		.suite = (char *)is->item->id, .classname = "",
		.name = (char *)is->item->id,
	};

	if (rs->o->verbosity < 0)
		return;
	/*
	 * On a TTY only failures get a line; the live line shows the rest.
	 * Stress runs passing are told in the summary's stress block.
	 */
	if ((rs->live || run_stress_active(rs)) &&
	    !fg_astatus_is_failure(a.status) && rs->o->verbosity < 1)
		return;
	run_clear_live(rs);
	report_term_attempt(rs->human, &t, &a, rs->color);
	fflush(rs->human);
}
