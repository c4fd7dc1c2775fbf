#!/bin/sh
# examples/ci/flakeguard-ci.sh - the three steps of a sharded CI pipeline,
# shared by the GitHub Actions, GitLab CI and Jenkins templates beside it
# (and by the test that runs them locally as N simulated nodes).
#
#   flakeguard-ci.sh plan N          first job: plan.json for N nodes
#   flakeguard-ci.sh shard K N       node K of N: run its share
#   flakeguard-ci.sh merge           last job: verify, merge, report, verdict
#
# Environment: FLAKEGUARD (the binary, default: flakeguard on PATH),
# FG_CONFIG (default flakeguard.json), FG_DB (the history database the CI
# caches, default .flakeguard/history.db), FG_OUT (where artifacts go,
# default flakeguard-out), FG_RETRIES (default 2), FG_NEW_TEST_RUNS and
# FG_STRESS_BUDGET (default 10 and 60s: every test the history has never
# seen runs 10 more times, within 60 s per node, and one failure makes it
# new-flaky, which fails the pipeline; FG_NEW_TEST_RUNS=0 turns it off).
#
# Shared history: with FLAKEGUARD_DB set (a postgresql:// URL, from a CI
# secret; the *-shared templates), every step uses that one database, which
# every pipeline shares: nodes write their runs to it directly, no history
# goes up as an artifact or into a cache, and merge has nothing to fold.
# The URL is never put on a command line (flakeguard reads the variable).
#
# Exit status: plan and merge exit like flakeguard (0 nothing real failed,
# 1 a real failure or a coverage gap, 2 usage, 3 infrastructure); shard
# exits 0 unless flakeguard itself failed (2, 3, 130, 143): test failures
# are judged once, by merge, over the whole pipeline.
set -u
fg=${FLAKEGUARD:-flakeguard}
cfg=${FG_CONFIG:-flakeguard.json}
db=${FG_DB:-.flakeguard/history.db}
shared=""
case ${FLAKEGUARD_DB:-} in
postgres://* | postgresql://*) shared=1 ;;
esac
out=${FG_OUT:-flakeguard-out}
retries=${FG_RETRIES:-2}
new_runs=${FG_NEW_TEST_RUNS:-10}
budget=${FG_STRESS_BUDGET:-60s}
mkdir -p "$out"

case ${1:-} in
plan)
	n=${2:?usage: flakeguard-ci.sh plan N}
	# Estimates come from the cached history; every node obeys this one
	# plan, so a node with a cold cache still runs exactly its share.
	if [ -n "$shared" ]; then
		"$fg" list -c "$cfg" --shards "$n" --json > "$out/plan.json" || exit
		"$fg" list -c "$cfg" --shards "$n"
	else
		"$fg" list -c "$cfg" --db "$db" --shards "$n" --json > "$out/plan.json" || exit
		"$fg" list -c "$cfg" --db "$db" --shards "$n"
	fi
	;;
shard)
	k=${2:?usage: flakeguard-ci.sh shard K N}
	n=${3:?usage: flakeguard-ci.sh shard K N}
	if [ -n "$shared" ]; then
		"$fg" run -c "$cfg" --plan "$out/plan.json" --shard "$k/$n" \
			--retries "$retries" --new-test-runs "$new_runs" \
			--stress-budget "$budget" \
			--json "$out/shard-$k.json" --junit "$out/shard-$k.xml"
		rc=$?
	else
		"$fg" run -c "$cfg" --plan "$out/plan.json" --shard "$k/$n" \
			--db "$db" --retries "$retries" \
			--new-test-runs "$new_runs" --stress-budget "$budget" \
			--json "$out/shard-$k.json" --junit "$out/shard-$k.xml"
		rc=$?
		# The node's history goes up as an artifact for the merge job.
		cp "$db" "$out/shard-$k.db" || exit 3
	fi
	case $rc in 0 | 1) exit 0 ;; *) exit "$rc" ;; esac
	;;
merge)
	# 1. Every planned item ran on exactly one node.
	"$fg" verify --plan "$out/plan.json" "$out"/shard-*.json || exit
	# 2. Fold the nodes' new runs into the cached history (idempotent).
	#    A shared history has them already.
	if [ -z "$shared" ]; then
		"$fg" merge -q --db "$db" "$out"/shard-*.db || exit
	fi
	# 3. One report for the whole pipeline, from the nodes' JUnit files.
	rm -f "$out/pipeline.db"
	"$fg" import -q --db "$out/pipeline.db" --json "$out/pipeline.json" \
		"$out"/shard-*.xml
	rc=$?
	# 4. A test a node's analyzer counted against its run fails the
	#    pipeline too: a new-flaky test (or an intermittent one) passed
	#    in the end, so its JUnit alone reads as merely flaky.
	for f in "$out"/shard-*.json; do
		if grep -q '"counts": true' "$f"; then
			echo "flakeguard-ci: $f: a test counts against the run" \
				"(new-flaky, intermittent or failed; see its tests)" >&2
			[ "$rc" != 0 ] || rc=1
		fi
	done
	"$fg" report --db "$out/pipeline.db" --html "$out/report.html" \
		--junit "$out/report.xml" --markdown "$out/report.md" || exit
	exit "$rc"
	;;
*)
	echo "usage: flakeguard-ci.sh plan N | shard K N | merge" >&2
	exit 2
	;;
esac
