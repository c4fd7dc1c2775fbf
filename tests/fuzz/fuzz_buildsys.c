/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_buildsys.c - the build systems' test lists
 * (core/buildsys.c): `ctest --show-only=json-v1` when the input's first
 * byte is even, `meson introspect --tests` when odd; the rest is the JSON.
 * Then what run does next with the suites: their dependency edges
 * (core/deps.c, cycles refused) and the fixture closure of a selection.
 * Checks: success or FG_ECONFIG with a message; on success every appended
 * suite has a name, a command and at least one slot, and names are
 * unique (flakeguard's identity of a CTest or Meson test).
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };
	struct fg_deps deps;
	const char *json;
	bool *keep;
	char **names;
	int rc;

	if (!size)
		return 0;
	json = (const char *)data + 1;
	fg_config_init(&cfg);
	if (data[0] % 2 == 0)
		rc = fg_import_ctest(&cfg, json, size - 1, "/build", "fuzz",
				     &err);
	else
		rc = fg_import_meson(&cfg, json, size - 1, "/build", "fuzz",
				     &err);
	FUZZ_CHECK(rc == FG_OK || rc == FG_ECONFIG);
	if (rc) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		fg_config_release(&cfg);
		return 0;
	}
	FUZZ_CHECK(cfg.nsuites > 0);
	names = calloc(cfg.nsuites, sizeof(*names));
	keep = calloc(cfg.nsuites, sizeof(*keep));
	FUZZ_CHECK(names && keep);
	for (size_t i = 0; i < cfg.nsuites; i++) {
		const struct fg_suite_cfg *s = &cfg.suites[i];

		FUZZ_CHECK(s->name && s->argv && s->argv[0]);
		FUZZ_CHECK(s->slots >= 1);
		names[i] = s->name;
		keep[i] = i % 3 == 0;
	}
	qsort(names, cfg.nsuites, sizeof(*names), by_name);
	for (size_t i = 1; i < cfg.nsuites; i++)
		FUZZ_CHECK(strcmp(names[i - 1], names[i]) != 0);
	FUZZ_CHECK(fg_fixtures_close(&cfg, keep) <= cfg.nsuites);
	memset(&err, 0, sizeof(err));
	rc = fg_deps_build(&cfg, &deps, &err);
	FUZZ_CHECK(rc == FG_OK || rc == FG_ECONFIG);
	if (rc == FG_OK) {
		FUZZ_CHECK(deps.nsuites == cfg.nsuites);
		for (size_t i = 0; i < deps.nsuites; i++)
			for (size_t j = 0; j < deps.n[i]; j++)
				FUZZ_CHECK(deps.of[i][j].suite < cfg.nsuites &&
					   deps.of[i][j].suite != i);
		fg_deps_release(&deps);
	} else {
		FUZZ_CHECK(err.msg[0]);
	}
	free(names);
	free(keep);
	fg_config_release(&cfg);
	return 0;
}
