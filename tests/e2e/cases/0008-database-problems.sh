# An unwritable database path or a file that is not a database: exit 3
# before any test runs, and the file is never touched.
printf '#!/bin/sh\ntouch ran\n' > t; chmod +x t
fg run --db /proc/nope/history.db -- ./t
expect_rc 3
contains err "/proc/nope/history.db"
[ ! -f ran ] || fail "tests ran although results could not be kept"
echo "not a database, just text" > notes.db
sum=$(cksum < notes.db)
fg run --db notes.db -- ./t
expect_rc 3
contains err "notes.db"
[ "$(cksum < notes.db)" = "$sum" ] || fail "notes.db was modified"
[ ! -f ran ] || fail "tests ran although results could not be kept"
