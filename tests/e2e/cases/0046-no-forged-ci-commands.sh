# Nothing a test controls becomes a CI log command (issue 13): output
# lines, failure messages, test names and file attributes with newlines,
# under GitHub Actions, Azure Pipelines, TeamCity and Buildkite rules, from
# run, report and import. flakeguard's own commands (folds, annotations)
# stay.
check=$CASEDIR/../tools/ci_commands.py
cat > payloads.txt <<'P'
::error::forged 1
    ::error title=Forged::forged 2
##[error]forged 3
out | ##[warning]forged 4
::add-mask::forged5
::stop-commands::forged6
	::notice::forged 7
::set-output name=x::forged 8
##vso[task.logissue type=error]forged 9
##vso[task.complete result=Failed]forged 10
##teamcity[buildProblem description='forged 11']
--- forged 12
+++ forged 13
~~~ forged 14
^^^ +++ forged 15
::warning file=forged,line=1::forged 16
P
cat > suite.sh <<'SH'
#!/bin/sh
cat "$1/payloads.txt"
seq 1 30   # longer than the shown tail: the whole output is folded too
cat "$1/payloads.txt"
# JUnit with the payloads in attributes, newlines included (&#10;)
cat > "$FLAKEGUARD_JUNIT" <<X
<testsuite name="s" tests="3">
 <testcase classname="c" name="t1&#10;::error::forged by test name" file="x.c&#10;::warning::forged by file attr" line="3">
  <failure message="m&#10;::error::forged by message&#10;##vso[task.complete result=Failed]forged&#10;##teamcity[message text='forged']">body</failure>
 </testcase>
 <testcase classname="c&#10;--- forged classname" name="t2"><failure message="##[error]forged in message"/></testcase>
 <testcase classname="c" name="t3"><failure message="x"><![CDATA[
::error::forged in body
##[error]forged in body
]]></failure><system-out>$(cat "$1/payloads.txt")</system-out></testcase>
</testsuite>
X
exit 1
SH
chmod +x suite.sh
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "hostile", "command": ["./suite.sh", "$PWD"] } ] }
JSON
# Long output so that the folded section is printed too.
for ci in github azure teamcity buildkite; do
	case $ci in
	github) env="GITHUB_ACTIONS=true" ;;
	azure) env="TF_BUILD=True" ;;
	teamcity) env="TEAMCITY_VERSION=2024.1" ;;
	buildkite) env="BUILDKITE=true" ;;
	esac
	rc=0
	env -u GITHUB_ACTIONS -u TF_BUILD -u TEAMCITY_VERSION -u BUILDKITE \
		-u GITLAB_CI $env GITHUB_STEP_SUMMARY=summary.md \
		"$FLAKEGUARD" run --db h.db --markdown md.md -v >run.out \
		2>run.err || rc=$?
	[ $rc = 1 ] || fail "$ci: run exited $rc, expected 1"
	grep -q "forged" run.out || fail "$ci: the payloads should be shown"
	python3 "$check" $ci run.out run.err || fail "$ci: forged commands from run"
	env -u GITHUB_ACTIONS -u TF_BUILD -u TEAMCITY_VERSION -u BUILDKITE \
		$env GITHUB_STEP_SUMMARY=summary.md \
		"$FLAKEGUARD" report --db h.db --markdown md.md >rep.out \
		2>rep.err || fail "$ci: report failed"
	python3 "$check" $ci rep.out rep.err || fail "$ci: forged commands from report"
done
# flakeguard's own annotations are still there (GitHub), one per failure.
env -u TF_BUILD -u TEAMCITY_VERSION -u BUILDKITE GITHUB_ACTIONS=true \
	GITHUB_STEP_SUMMARY=summary.md "$FLAKEGUARD" report --db h.db \
	--markdown md.md >rep.out 2>&1 || true
[ "$(grep -c '^::error title=' rep.out)" -ge 2 ] || fail "own annotations lost"
grep -q '^::group::full output of' rep.out || fail "no folded output"

# import of the same hostile JUnit
FLAKEGUARD_JUNIT=$PWD/hostile.xml ./suite.sh "$PWD" >/dev/null || true
for ci in github azure; do
	case $ci in
	github) env="GITHUB_ACTIONS=true" ;;
	azure) env="TF_BUILD=True" ;;
	esac
	env -u GITHUB_ACTIONS -u TF_BUILD $env "$FLAKEGUARD" import --db i.db \
		hostile.xml >imp.out 2>imp.err || true
	python3 "$check" $ci imp.out imp.err || fail "$ci: forged commands from import"
done
# Without a CI the text is shown as it is (escaped only for the terminal).
env -u GITHUB_ACTIONS -u TF_BUILD -u TEAMCITY_VERSION -u BUILDKITE \
	"$FLAKEGUARD" report --db h.db >plain.out 2>&1 || true
grep -qF '| ::error::forged 1' plain.out || fail "plain output changed"
grep -qF 't1\n::error::forged by test name' plain.out ||
	fail "newline in a name not escaped"
