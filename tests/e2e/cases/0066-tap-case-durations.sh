# libuv's tests run one per process ("cases" with "format": "tap"): TAP
# carries no timing, so each case's one test point takes its process's
# duration; with 0 ms for all 513 (as first recorded for libuv), `list`
# estimated 18 s for a minute of work and could not order or balance
# them. Skips (exit 7) stay skipped, failures keep their diagnostics.
fx=$(cd "$CASEDIR/../../fixtures/tap/libuv" && pwd)
cat > uv_run_tests <<SH
#!/bin/sh
# as libuv's runner: --list, or one test: its TAP line, exit 0/6/7
case \$1 in
--list) printf 'loop_alive\ntty\ntcp_connect_timeout\n'; exit 0 ;;
loop_alive) sleep 0.3; cat $fx/loop_alive.tap ;;
tty) cat $fx/tty.tap; exit 7 ;;
tcp_connect_timeout) sleep 0.2; cat $fx/tcp_connect_timeout.tap; exit 6 ;;
esac
SH
chmod +x uv_run_tests
cat > flakeguard.json <<'JSON'
{ "suites": [
  { "name": "uv", "command": ["./uv_run_tests"], "format": "tap",
    "skip_exit_codes": [7],
    "cases": { "list": ["./uv_run_tests", "--list"],
               "run": ["./uv_run_tests", "{case}"] } }
] }
JSON
fg run --db h.db --json r.json -j2
expect_rc 1
jq_is r.json '.tests | length' 3
jq_is r.json '.tests[] | select(.name == "tty") | .outcome' skipped
jq_is r.json '.tests[] | select(.name == "tcp_connect_timeout") | .outcome' failed
contains out "status == UV_ECANCELED"
# at least the sleep: the process's time, not TAP's nothing
ms=$(jq -r '.tests[] | select(.name == "loop_alive") | .duration_ms' r.json)
[ "$ms" -ge 300 ] || fail "loop_alive took ${ms}ms"
ms=$(jq -r '.tests[] | select(.name == "loop_alive") | .attempts[0].duration_ms' r.json)
[ "$ms" -ge 300 ] || fail "loop_alive's attempt took ${ms}ms"
ms=$(sqlite3 h.db "SELECT duration_ms FROM results JOIN tests ON tests.id = results.test_id WHERE tests.name = 'loop_alive'")
[ "$ms" -ge 300 ] || fail "loop_alive recorded with ${ms}ms"
# the plan knows it (the failed and the skipped case have no passing time)
fg list --db h.db
expect_rc 0
est=$(awk '$2 == "uv::loop_alive" { print $1 }' out)
case $est in *[0-9]ms) ;; *) fail "loop_alive's estimate: $(cat out)" ;; esac
[ "${est%ms}" -ge 300 ] || fail "loop_alive estimated at $est"
