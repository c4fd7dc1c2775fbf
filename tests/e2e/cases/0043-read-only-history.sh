# A history database nobody may write (a CI artifact, a read-only mount)
# can still be read: history, report and export open it read-only; gc,
# which must write, says the file is not writable.
printf '#!/bin/sh\nexit 0\n' > ok; chmod +x ok
fg run --db ro/h.db -- ./ok; expect_rc 0
# The unprivileged user runs a copy: the checkout may not be theirs to read.
cp "$FLAKEGUARD" ./fg-copy
chmod 755 . ro fg-copy; chmod 444 ro/h.db; chmod 555 ro
FLAKEGUARD=$PWD/fg-copy
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
set +e
as_user "$FLAKEGUARD" history --db ro/h.db ok >out 2>err; rc=$?
set -e
expect_rc 0
contains out "1 passed"
set +e
as_user "$FLAKEGUARD" report --db ro/h.db --json - >out 2>err; rc=$?
set -e
expect_rc 0
jq_is out '.summary.passed' 1
set +e
as_user "$FLAKEGUARD" export --db ro/h.db >out 2>err; rc=$?
set -e
expect_rc 0
jq_is out '.tests[0].name' ok
set +e
as_user "$FLAKEGUARD" gc --db ro/h.db --keep-runs 1 >out 2>err; rc=$?
set -e
expect_rc 3
contains err "not writable"
chmod 755 ro; chmod 644 ro/h.db
