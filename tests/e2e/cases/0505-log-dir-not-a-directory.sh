# --log-dir naming a file (or /dev/null) is refused before any test runs:
# it used to be accepted, and every attempt's log was lost with a warning.
printf '#!/bin/sh\ntouch ran\n' > t; chmod +x t
echo text > afile
fg run --db t.db --log-dir afile -- ./t
expect_rc 3
contains err "cannot use --log-dir 'afile': not a directory"
[ ! -f ran ] || fail "tests ran although their logs could not be kept"
fg run --db t.db --log-dir /dev/null -- ./t
expect_rc 3
[ ! -f ran ] || fail "tests ran although their logs could not be kept"
fg run --db t.db --log-dir logs -- ./t
expect_rc 0
[ -f logs/t.1.log ] || fail "no log written into a new --log-dir"
