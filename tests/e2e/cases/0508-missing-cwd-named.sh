# A suite whose "cwd" does not exist: the error names the directory, not
# the program (posix_spawn says ENOENT for both).
printf '#!/bin/sh\nexit 0\n' > t; chmod +x t
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "a", "command": ["$PWD/t"], "cwd": "$PWD/gone" } ] }
JSON
fg run --db t.db
expect_rc 3
contains err "working directory '$PWD/gone' is missing"
lacks err "No such file or directory"
