/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_config.c - the configuration loader (core/config.c,
 * fg_config_load) on one flakeguard.json. Checks: success or
 * FG_ECONFIG/FG_EIO with a message, and a loaded config is whole (every
 * suite has a name and a command).
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_config cfg;
	struct fg_error err = { 0 };
	int rc;

	fg_config_init(&cfg);
	rc = fg_config_load(&cfg, fuzz_file(data, size), &err);
	FUZZ_CHECK(rc == FG_OK || rc == FG_ECONFIG || rc == FG_EIO);
	if (rc) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		FUZZ_CHECK(cfg.nsuites == 0);
	}
	for (size_t i = 0; i < cfg.nsuites; i++) {
		const struct fg_suite_cfg *s = &cfg.suites[i];

		FUZZ_CHECK(s->name && s->argv && s->argv[0]);
		FUZZ_CHECK(s->slots >= 1);
	}
	fg_config_release(&cfg);
	return 0;
}
