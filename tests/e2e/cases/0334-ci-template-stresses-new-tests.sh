# Issue 12 point 5: the CI templates turn stress runs on (10 runs, 60 s a
# node, examples/ci/flakeguard-ci.sh). A pipeline that adds a test failing
# 1 run in 3 is red at merge, although the node's JUnit shows that test as
# merely flaky; FG_NEW_TEST_RUNS=0 turns it off. One directory plays every
# node, so the history carries over between pipelines as a cache would.
top=$(cd "$CASEDIR/../../.." && pwd)
ci=$top/examples/ci/flakeguard-ci.sh
for f in github-actions.yml github-actions-shared.yml gitlab-ci.yml gitlab-ci-shared.yml Jenkinsfile Jenkinsfile-shared; do
	grep -q "FG_NEW_TEST_RUNS" "$top/examples/ci/$f" || fail "$f does not set FG_NEW_TEST_RUNS"
done
export FLAKEGUARD
pipeline() {
	rm -rf flakeguard-out
	sh "$ci" plan 1 >/dev/null || fail "plan failed"
	sh "$ci" shard 1 1 >shard.out 2>&1 || { cat shard.out; fail "shard failed"; }
	set +e
	sh "$ci" merge >merge.out 2>&1
	rc=$?
	set -e
}
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "p", "command": ["$MISBEHAVE", "pass"] } ] }
JSON
pipeline
[ "$rc" = 0 ] || { cat merge.out; fail "first pipeline: merge exited $rc"; }
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "p", "command": ["$MISBEHAVE", "pass"] },
  { "name": "newflaky", "command": ["sh", "-c", "n=\$(cat $PWD/n 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > $PWD/n; [ \$((n % 3)) != 0 ]"] }
] }
JSON
pipeline
[ "$rc" = 1 ] || { cat shard.out merge.out; fail "merge exited $rc, expected 1 (new-flaky)"; }
contains shard.out "1 of 2 failed  newflaky::newflaky (new and flaky)"
contains merge.out "a test counts against the run"
jq_is flakeguard-out/shard-1.json '.tests[] | select(.name=="newflaky") | .category' new-flaky
jq_is flakeguard-out/pipeline.json '.tests[] | select(.name=="newflaky") | .outcome' flaky
# Turned off, a new test is not stressed.
sed -i 's/"newflaky"/"other"/' flakeguard.json
rm -f n
FG_NEW_TEST_RUNS=0 pipeline
[ "$rc" = 0 ] || { cat shard.out merge.out; fail "merge exited $rc with stress runs off"; }
jq_is flakeguard-out/shard-1.json '.tests[] | select(.name=="other") | .attempts | length' 1
