# Issue 12: a stable test that starts failing intermittently (fail, then
# pass on retry) is red in the runs it fails in once the rate monitor's
# alarm stands, and is never quarantined; a quarantined test at a low rate
# that turns hard-broken is red in its first failing run.
cat > flakeguard.json <<JSON
{ "suites": [
  { "name": "race", "command": ["sh", "-c",
    "test -f $PWD/race && test \"\$FLAKEGUARD_ATTEMPT\" = 1 && test \$(( \$(cat $PWD/n) % 2 )) = 0 && exit 1; exit 0"] },
  { "name": "q", "command": ["sh", "-c",
    "test -f $PWD/broken && exit 1; test -f $PWD/flake && test \"\$FLAKEGUARD_ATTEMPT\" = 1 && exit 1; exit 0"] },
  { "name": "solid", "command": ["$MISBEHAVE", "pass"] }
] }
JSON
run() { # run COMMIT [ARGS]: one run with retries, n counts runs
	echo $(( $(cat n 2>/dev/null || echo 0) + 1 )) > n
	c=$1; shift
	fg run --db t.db --retries 2 --commit "$c" --json r.json "$@"
}
i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	rm -f flake; [ $i = 11 ] || [ $i = 32 ] && touch flake
	run "c$i" -q
	expect_rc 0
done
sql_is t.db "SELECT t.name FROM quarantine q JOIN tests t ON t.id = q.test_id WHERE q.released_at IS NULL" q
rm -f flake
# race: from c41 on, every other run fails its first attempt
touch race
red=0 first=
while [ $i -lt 60 ]; do
	i=$((i + 1))
	run "c$i" -q
	cat=$(jq -r '.tests[] | select(.name=="race") | .category' r.json)
	q=$(jq -r '.tests[] | select(.name=="race") | .quarantined' r.json)
	[ "$q" = false ] || fail "race was quarantined at c$i"
	if [ "$rc" = 1 ]; then
		red=$((red + 1)); [ -n "$first" ] || first=$i
		[ "$cat" = intermittent ] || fail "red at c$i but category $cat"
		contains out "INTERMITTENT race::race: began failing intermittently at commit c4"
	fi
done
[ -n "$first" ] && [ "$first" -le 50 ] || fail "intermittent not red by c50 (first: $first)"
[ "$red" -ge 5 ] || fail "only $red red runs"
sql_is t.db "SELECT count(*) FROM quarantine q JOIN tests t ON t.id = q.test_id WHERE t.name = 'race'" 0
# q (quarantined, 2 of 60 runs failing) fails all three attempts: red now
rm -f race
touch broken
run c61
expect_rc 1
jq_is r.json '.tests[] | select(.name=="q") | .quarantined' true
jq_is r.json '.tests[] | select(.name=="q") | .counts' true
contains out "UNCOVERED q::q: quarantined at 3.3%, but failed all 3 attempts"
contains out "q (quarantined, every attempt failed)"
# The reports show the category and its evidence; the trend chart has run
# and time labels and a colour per verdict.
rm -f broken; touch race
run c62 --html r.html
contains r.html 'id="analysis"'
contains r.html '<span class="cat intermittent">intermittent</span>'
contains r.html 'n = 62, k = '
contains r.html ', since c42'
contains r.html '>run 62</text>'
contains r.html ' UTC</text>'
contains r.html '<i style="background:#e53935"></i>failed</span>'
contains r.html '<i style="background:#4caf50"></i>passed</span>'
jq_is r.json '.tests[] | select(.name=="race") | .history.since' c42
jq_is r.json '.tests[] | select(.name=="race") | .reason | startswith("began failing intermittently at commit c42")' true
contains out "intermittent, n = 62, k = "
