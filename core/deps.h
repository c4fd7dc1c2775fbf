/* SPDX-License-Identifier: MIT */
/*
 * core/deps.h - what each suite waits for: fixtures and "depends"
 * (core/deps.c).
 *
 * fg_deps_build()/fg_deps_release() (the edges are owned by struct
 * fg_deps), fg_fixtures_close().
 */
#ifndef FG_CORE_DEPS_H
#define FG_CORE_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/*
 * The suites a suite must start after: the setups of the fixtures it
 * requires (`fixture` names the fixture: when a setup failed, the suite
 * is not run), its "depends", and for a cleanup, the setups and every
 * suite requiring its fixture (`fixture` NULL: order only). Unknown names
 * in "depends" and fixtures nobody sets up are ignored, as CTest does.
 */
struct fg_dep {
	size_t suite;
	const char *fixture; /* borrowed from the config, or NULL */
};

struct fg_deps {
	struct fg_dep **of;  /* per suite: its edges */
	size_t *n;           /* per suite: how many */
	size_t nsuites;
};

/*
 * Builds the edges of every suite (O(n log n) in names). FG_ECONFIG when
 * they form a cycle, naming it ("a -> b -> a"); d is then empty.
 */
int fg_deps_build(const struct fg_config *cfg, struct fg_deps *d,
		  struct fg_error *err);
void fg_deps_release(struct fg_deps *d);
/*
 * Marks in keep[] (one per suite) the setups and cleanups of every fixture
 * a marked suite requires, and theirs in turn: what `ctest -L` and `-R`
 * add to a selection. Returns how many it marked.
 */
size_t fg_fixtures_close(const struct fg_config *cfg, bool *keep);

#endif /* FG_CORE_DEPS_H */
