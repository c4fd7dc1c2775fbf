/* SPDX-License-Identifier: MIT */
/*
 * core/core.h - the public face of core, one include for all of it:
 * errors (core/error.h), logging (log.h), memory and strings (mem.h),
 * durations and clocks (time.h), the capped output buffer (buf.h), the run
 * model (model.h), the configuration (config.h), build systems' tests
 * (buildsys.h), suites' dependencies (deps.h), the CI table (ci.h) and
 * text from outside (text.h). A file that needs only one of them may
 * include that one.
 *
 * core depends on nothing of ours; every other module includes this header.
 *
 * Ownership in one paragraph: a non-const char * returned by a core function
 * belongs to the caller and is freed with free(3). Records (struct fg_run,
 * struct fg_test, struct fg_attempt) own every string they point to;
 * fg_run_release() frees all of it. fg_xmalloc() and friends never return
 * NULL: on out-of-memory they print a message and exit(3), so callers never
 * handle OOM.
 */
#ifndef FG_CORE_H
#define FG_CORE_H

#include "core/error.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "core/buf.h"
#include "core/model.h"
#include "core/config.h"
#include "core/buildsys.h"
#include "core/deps.h"
#include "core/ci.h"
#include "core/text.h"

#endif /* FG_CORE_H */
