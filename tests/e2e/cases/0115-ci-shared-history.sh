# The CI templates' shared-history variant (examples/ci/*-shared,
# FLAKEGUARD_DB from a CI secret): two pipelines at once, each a planner,
# three nodes and a report job, all against one PostgreSQL history. Nodes
# write their runs straight to it (no history artifact, nothing to merge),
# both pipelines' six runs are there, and each report is its own.
# backends: postgresql
top=$(cd "$CASEDIR/../../.." && pwd)
ci=$top/examples/ci/flakeguard-ci.sh
for f in github-actions-shared.yml gitlab-ci-shared.yml Jenkinsfile-shared; do
	grep -q "flakeguard-ci.sh" "$top/examples/ci/$f" || fail "$f does not use flakeguard-ci.sh"
	grep -q "FLAKEGUARD_DB" "$top/examples/ci/$f" || fail "$f does not read FLAKEGUARD_DB"
done
export FLAKEGUARD
FLAKEGUARD_DB=$(dburl shared.db)
export FLAKEGUARD_DB
mkdir project
i=0
{
	echo '{ "suites": ['
	while [ $i -lt 6 ]; do
		echo "{\"name\": \"p$i\", \"command\": [\"$MISBEHAVE\", \"junit-pass\"]},"
		i=$((i + 1))
	done
	echo "{\"name\": \"plain\", \"command\": [\"$MISBEHAVE\", \"pass\"]}"
	echo '] }'
} > project/flakeguard.json
pipeline() { # NAME
	cp -r project "$1-planner"
	(cd "$1-planner" && sh "$ci" plan 3 >/dev/null 2>&1) || return 1
	for k in 1 2 3; do
		cp -r project "$1-node$k"
		mkdir -p "$1-node$k/flakeguard-out"
		cp "$1-planner/flakeguard-out/plan.json" "$1-node$k/flakeguard-out/"
	done
	pids=""
	for k in 1 2 3; do
		(cd "$1-node$k" && sh "$ci" shard $k 3 >out 2>err) &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || return 1; done
	cp -r project "$1-merger"
	mkdir -p "$1-merger/flakeguard-out"
	cp "$1-planner/flakeguard-out/plan.json" "$1"-node*/flakeguard-out/shard-* \
		"$1-merger/flakeguard-out/"
	(cd "$1-merger" && sh "$ci" merge >out 2>&1)
}
pipeline a & pa=$!
pipeline b & pb=$!
wait $pa || { cat a-*/out a-*/err 2>/dev/null; fail "pipeline a failed"; }
wait $pb || { cat b-*/out b-*/err 2>/dev/null; fail "pipeline b failed"; }
for p in a b; do
	contains "$p-merger/out" "7 planned item(s): 7 ran once, 0 missing"
	[ -s "$p-merger/flakeguard-out/report.html" ] || fail "$p wrote no report"
	for k in 1 2 3; do
		[ ! -e "$p-node$k/flakeguard-out/shard-$k.db" ] || fail "a shared node shipped a history file"
		[ ! -e "$p-node$k/.flakeguard" ] || fail "a shared node made a local history"
		lacks "$p-node$k/err" "holds a password"
	done
done
sql_is shared.db "SELECT count(*) FROM runs" 6
sql_is shared.db "SELECT count(DISTINCT shard) FROM runs" 3
sql_is shared.db "SELECT count(*) FROM run_tests" $((2 * (6 * 3 + 1)))
