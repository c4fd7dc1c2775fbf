# Broken configs: one line naming file, line and column (or the JSON path),
# exit 2, nothing run, nothing recorded.
printf '{\n  "suites": [\n    {"command": ["true"],}\n  ]\n}\n' > flakeguard.json
fg run --db t.db
expect_rc 2
contains err "flakeguard.json:3:"
[ ! -f t.db ] || sql_is t.db "select count(*) from runs" 0
printf '{"suites": [{"command": "true", "timeout": "soon"}]}' > bad.json
fg run -c bad.json --db t.db
expect_rc 2
contains err "bad.json: suites[0].timeout: invalid duration 'soon'"
fg run -c missing.json
expect_rc 2
contains err "missing.json"
mkdir empty && cd empty
fg run
expect_rc 2
contains err "no programs given and no flakeguard.json"
