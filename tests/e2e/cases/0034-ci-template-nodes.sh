# The CI templates' steps (examples/ci/flakeguard-ci.sh, which the GitHub
# Actions, GitLab CI and Jenkins templates call) run here as 3 simulated
# nodes, each with its own working copy and database; the merged pipeline
# report must equal a single-machine run of the same project.
top=$(cd "$CASEDIR/../../.." && pwd)
ci=$top/examples/ci/flakeguard-ci.sh
for f in github-actions.yml gitlab-ci.yml Jenkinsfile; do
	grep -q "flakeguard-ci.sh" "$top/examples/ci/$f" || fail "$f does not use flakeguard-ci.sh"
done
export FLAKEGUARD
mkdir project
cd project
i=0
{
	echo '{ "suites": ['
	while [ $i -lt 9 ]; do
		echo "{\"name\": \"p$i\", \"command\": [\"$MISBEHAVE\", \"junit-pass\"]},"
		i=$((i + 1))
	done
	echo "{\"name\": \"xmlfail\", \"command\": [\"$MISBEHAVE\", \"junit-fail\"]},"
	echo "{\"name\": \"flip\", \"command\": [\"$MISBEHAVE\", \"flaky\", \"100\", \"state\"]},"
	echo "{\"name\": \"plain\", \"command\": [\"$MISBEHAVE\", \"pass\"]}"
	echo '] }'
} > flakeguard.json
cd ..
# One machine.
cp -r project single
(cd single && "$FLAKEGUARD" run --db h.db --retries 2 --junit all.xml >/dev/null 2>&1) || true
"$FLAKEGUARD" import -q --db single.db --json single.json single/all.xml || true
# The pipeline: plan on one node, three test nodes, merge on a fourth.
cp -r project planner
(cd planner && sh "$ci" plan 3 >/dev/null) || fail "plan step failed"
for k in 1 2 3; do
	cp -r project node$k
	mkdir -p node$k/flakeguard-out && cp planner/flakeguard-out/plan.json node$k/flakeguard-out/
	(cd node$k && sh "$ci" shard $k 3 >/dev/null 2>&1) || fail "shard $k step failed"
done
cp -r project merger
mkdir -p merger/flakeguard-out
cp planner/flakeguard-out/plan.json node*/flakeguard-out/shard-* merger/flakeguard-out/
set +e
(cd merger && sh "$ci" merge >../merge.out 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] || { cat merge.out; fail "merge exited $rc, expected 1 (xmlfail)"; }
contains merge.out "12 planned item(s): 12 ran once, 0 missing"
for f in report.html report.xml report.md pipeline.json; do
	[ -s merger/flakeguard-out/$f ] || fail "merge did not write $f"
done
norm='[.tests[] | "\(.suite)|\(.classname)|\(.name)|\(.outcome)|\(.attempts|length)"] | sort | join("\n")'
jq -r "$norm" single.json > a
jq -r "$norm" merger/flakeguard-out/pipeline.json > b
diff a b || fail "the merged pipeline differs from a single-machine run"
grep -q "|flaky|2" b || fail "the flaky test's retry was lost on the way"
# The history now holds the three shard runs; merging again adds nothing.
sql_is merger/.flakeguard/history.db "select count(*) from runs" 3
(cd merger && "$FLAKEGUARD" merge -q --db .flakeguard/history.db flakeguard-out/shard-*.db) >/dev/null
sql_is merger/.flakeguard/history.db "select count(*) from runs" 3
# A node that never reported is caught by name.
rm merger/flakeguard-out/shard-2.json
set +e
(cd merger && sh "$ci" merge >../merge2.out 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] || fail "a missing node went unnoticed"
contains merge2.out "ran on no node"
