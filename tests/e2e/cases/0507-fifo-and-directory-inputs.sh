# A FIFO nobody writes to, given as a config, plan, quarantine list or
# JSON Lines file, is read as empty (a clear error) instead of blocking
# for ever; a directory is "Is a directory", not an empty file. A real pipe
# (process substitution) still works.
printf '#!/bin/sh\nexit 0\n' > t; chmod +x t
mkfifo pipe
mkdir adir
run_bounded() {
	set +e
	timeout 20 "$FLAKEGUARD" "$@" >out 2>err; rc=$?
	set -e
	[ "$rc" != 124 ] || fail "flakeguard $* hung"
}
run_bounded run --db t.db -c pipe
expect_rc 2
contains err "pipe:1"
run_bounded run --db t.db --plan pipe -- ./t
expect_rc 2
run_bounded run --db t.db --quarantine pipe -- ./t
expect_rc 2
run_bounded verify --plan pipe r.json
expect_rc 2
run_bounded import-history --db t.db pipe
expect_rc 0
run_bounded run --db t.db -c adir
expect_rc 2
contains err "Is a directory"
run_bounded run --db t.db --plan adir -- ./t
expect_rc 2
contains err "Is a directory"
run_bounded quarantine --db t.db import adir
expect_rc 3
contains err "Is a directory"
echo '{ "suites": [ { "name": "t", "command": ["'"$PWD"'/t"] } ] }' > cfg.json
set +e
timeout 20 "$FLAKEGUARD" run --db t.db -c /dev/stdin < cfg.json >out 2>err; rc=$?
set -e
expect_rc 0
