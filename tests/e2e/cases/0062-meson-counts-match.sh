# issue 10: `flakeguard run --meson build` (and "from": {"meson": ...})
# runs a real Meson project's tests itself and judges each one as
# `meson test` does (its meson-logs/testlog.json). The project
# (tests/fixtures/buildsys/meson) has exit codes 0, 1, 77 and 99, env,
# workdir, timeout, is_parallel false, priority, suites, TAP tests, a
# GoogleTest test, two tests named "dup" and one that should fail (which
# meson introspect does not say: flakeguard.json does).
command -v meson >/dev/null || fail "meson is needed: make deps installs it"
command -v ninja >/dev/null || fail "ninja is needed: make deps installs it"
fix=$CASEDIR/../../fixtures/buildsys
. "$CASEDIR/../buildsys-compare.sh"
cp -r "$fix/meson" proj
meson setup build proj >setup.log 2>&1 || { cat setup.log; fail "meson setup"; }
ninja -C build >build.log 2>&1 || { cat build.log; fail "ninja"; }

meson test -C build --num-processes 2 >meson.out 2>&1 || true
[ -s build/meson-logs/testlog.json ] || { cat meson.out; fail "no testlog.json"; }
jq -r '.name' build/meson-logs/testlog.json | sed 's|.* / ||' | sort | uniq -d > repeated.txt
meson_outcomes build/meson-logs/testlog.json repeated.txt > meson.txt
[ "$(wc -l < meson.txt)" = 16 ] || { cat meson.out; fail "meson ran $(wc -l < meson.txt) tests, not 16"; }

cat > flakeguard.json <<'JSON'
{ "from": { "meson": "build" },
  "suites": [ { "name": "xf", "will_fail": true } ] }
JSON
fg run -j2 --db h.db --json r.json
expect_rc 1
fg_outcomes r.json > fg.txt
same "flakeguard's and meson test's outcomes" meson.txt fg.txt

# Repeated names, as meson test prints them.
jq_is r.json '[.tests[] | select(.suite | endswith("/dup")) | .suite] | sort | join(" ")' \
	"fgm:a/dup fgm:b/dup"
# A TAP test is one meson test and one result per test point here.
jq_is r.json '[.tests[] | select(.suite == "mtap") | .outcome] | sort | join(" ")' \
	"failed passed skipped"
jq_is r.json '[.tests[] | select(.suite == "gt")] | length' 3
jq_is r.json '.tests[] | select(.suite == "hard") | .attempts[0].status' error
jq_is r.json '.tests[] | select(.suite == "slow") | .attempts[0].status' timeout
# priority: envt (10) is first in the plan; is_parallel false runs alone
fg list --meson build --db h.db
expect_rc 0
head -n 1 out | grep -q ' envt$' || { cat out; fail "envt (priority 10) is not first"; }
# --label takes Meson's suites: whole, suite part, project part.
fg list --meson build --label tapped --db h.db --json
jq_is out '[.tests[].suite] | sort | join(" ")' "mtap tapok tapskip"
fg list --meson build --label fgm:fast --db h.db --json
jq_is out '[.tests[].suite] | join(" ")' "pass"
fg list --meson build --label fgm --db h.db --json
jq_is out '.tests | length' 16
