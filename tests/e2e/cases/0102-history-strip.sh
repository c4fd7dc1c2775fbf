# history: a test with a known pattern over four imports (pass, fail,
# fail-then-pass, pass) shows as a strip, oldest first, with commits; the
# three spellings of a test; ambiguity lists candidates and exits 2.
# backends: sqlite postgresql
junit() { # FILE then testcase bodies ('' = pass)
	f=$1; shift
	{ echo '<testsuite name="unit">'
	  for body in "$@"; do
		echo "<testcase classname=\"math\" name=\"adds\" time=\"0.25\">$body</testcase>"
	  done
	  echo '<testcase classname="net" name="adds" time="0.1"/>'
	  echo '<testcase classname="net" name="pings" time="0.1"/>'
	  echo '</testsuite>'; } > "$f"
}
junit 1.xml ''
junit 2.xml '<failure message="1 + 1 = 3">boom</failure>'
junit 3.xml '<failure message="again">boom</failure>' ''
junit 4.xml ''
i=0
for f in 1.xml 2.xml 3.xml 4.xml; do
	i=$((i + 1))
	fg import --db h.db --no-fail --commit "c0ffee$i$i$i$i" "$f"
	expect_rc 0
done
fg history --db h.db unit::math::adds
expect_rc 0
contains out "unit::math::adds"
contains out "✓ ✗ ✗✓ ✓"
contains out "4 runs: 2 passed, 1 failed, 1 flaky"
contains out "c0ffee11"
contains out "failed: 1 + 1 = 3"
fg history --db h.db --last 2 unit::math::adds
contains out "✗✓ ✓"
lacks out "c0ffee11"
fg history --db h.db --json unit::math::adds
expect_rc 0
jq_is out '.runs | length' 4
jq_is out '.runs[2].outcome' flaky
jq_is out '[.runs[2].attempts[].status] | join(",")' failed,passed
jq_is out '.runs[0].commit' c0ffee1111
# Bare names: unique works, ambiguous lists the candidates.
fg history --db h.db pings
expect_rc 0
contains out "unit::net::pings"
fg history --db h.db adds
expect_rc 2
contains err "ambiguous"
contains err "unit::math::adds"
contains err "unit::net::adds"
fg history --db h.db unit::nope
expect_rc 2
contains err "no test 'unit::nope'"
fg history --db missing.db adds
expect_rc 3
no_db missing.db
