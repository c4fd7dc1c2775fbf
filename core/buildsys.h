/* SPDX-License-Identifier: MIT */
/*
 * core/buildsys.h - tests declared by build systems (CTest, Meson) as suites
 * of a struct fg_config (core/buildsys.c).
 *
 * fg_import_ctest(), fg_import_meson().
 */
#ifndef FG_CORE_BUILDSYS_H
#define FG_CORE_BUILDSYS_H

#include <stddef.h>

#include "core/config.h"

/*
 * Appends a suite per test of `ctest --show-only=json-v1` output (len
 * bytes of json; build_dir absolute: the default working directory) to
 * out->suites. `what` names the source in errors ("ctest
 * --show-only=json-v1 in 'build'"). FG_ECONFIG for anything that is not
 * ctest's list, for a list without tests, and for a property flakeguard
 * cannot take (an invalid regular expression, ...), naming the test.
 * Suites appended before an error stay in out (the caller drops out).
 */
int fg_import_ctest(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err);
/* The same for `meson introspect --tests` output. */
int fg_import_meson(struct fg_config *out, const char *json, size_t len,
		    const char *build_dir, const char *what,
		    struct fg_error *err);

#endif /* FG_CORE_BUILDSYS_H */
