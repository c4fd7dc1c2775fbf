# --help, --version, per-command help, and usage errors exit 2.
fg --help; expect_rc 0; contains out "run"; contains out "Exit codes"
fg --version; expect_rc 0; contains out "flakeguard "
fg run --help; expect_rc 0; contains out "--jobs"; contains out "--json FILE"
fg help run; expect_rc 0; contains out "--timeout"
fg; expect_rc 2
fg frobnicate; expect_rc 2; contains err "unknown command 'frobnicate'"
fg run --no-such-option; expect_rc 2; contains err "Try 'flakeguard run --help'"
fg run -j 0 -- true; expect_rc 2; contains err "invalid --jobs '0'"
fg run --timeout 5x -- true; expect_rc 2; contains err "invalid duration '5x'"
fg run --color sometimes -- true; expect_rc 2
