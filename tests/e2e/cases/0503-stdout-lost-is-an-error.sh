# Output that cannot reach stdout (disk full, stdout closed) is said on
# stderr and is exit 3, for every command: never a silent success.
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "quick", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
fg run --db t.db
expect_rc 0
for cmd in "list" "run --db t.db" "history --db t.db quick" "run --help" \
	   "--version"; do
	set +e
	"$FLAKEGUARD" $cmd >/dev/full 2>err; rc=$?
	set -e
	expect_rc 3
	contains err "cannot write to standard output"
	set +e
	"$FLAKEGUARD" $cmd >&- 2>err; rc=$?
	set -e
	expect_rc 3
	contains err "cannot write to standard output"
done
# A failed test stays exit 1 (the worse news) but the loss is still said.
set +e
"$FLAKEGUARD" run --db t.db -- "$MISBEHAVE" >/dev/full 2>err; rc=$?
set -e
expect_rc 1
contains err "cannot write to standard output"
