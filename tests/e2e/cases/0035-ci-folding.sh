# In CI logs the whole output of a failure follows in a collapsed section
# (GitHub ::group::, GitLab section markers, Buildkite ---), and under
# GitHub Actions a test's output cannot issue workflow commands.
cat > noisy.sh <<'SH'
#!/bin/sh
i=0
while [ $i -lt 40 ]; do echo "line $i"; i=$((i + 1)); done
echo "::add-mask::secret"
echo "::error::forged by the test"
echo "the end"
exit 1
SH
chmod +x noisy.sh
GITHUB_ACTIONS=true fg run --db t.db -- ./noisy.sh
expect_rc 1
contains out "::group::full output of noisy.sh"
contains out "::endgroup::"
contains out "line 0"
token=$(sed -n 's/^::stop-commands::\(.*\)$/\1/p' out)
[ -n "$token" ] || fail "no stop-commands around test output"
# the forged command sits between stop-commands and its token
awk -v t="::$token::" '/^::stop-commands::/{on=1} $0==t{on=0} /^::error::forged/{ if (!on) bad=1 } END{exit bad}' out ||
	fail "test output could issue workflow commands"
GITLAB_CI=true fg run --db t.db -- ./noisy.sh
expect_rc 1
contains out "section_start:"
contains out "[collapsed=true]"
contains out "section_end:"
BUILDKITE=true fg run --db t.db -- ./noisy.sh
contains out "--- full output of noisy.sh"
fg run --db t.db -- ./noisy.sh
lacks out "::group::"
lacks out "line 0"
