# The HTML report lists the whole quarantine list (reason, owner, dates,
# issue link); an issue link that is not http(s) stays text.
fg run --db t.db -- "$MISBEHAVE"; expect_rc 1
fg quarantine add --db t.db misbehave --reason "races <on> the port" \
	--owner "team-a" --expires 2099-12-31 --issue "https://bugs.example/42"
expect_rc 0
fg run --db t.db --html r.html -- "$MISBEHAVE"
contains r.html 'id="quarantine-list"'
contains r.html "races &lt;on&gt; the port"
contains r.html "team-a"
contains r.html "2099-12-31"
contains r.html '<a href="https://bugs.example/42">'
fg quarantine remove --db t.db misbehave; expect_rc 0
fg quarantine add --db t.db misbehave --reason r --issue "javascript:alert(1)"; expect_rc 0
fg report --db t.db --html r2.html; expect_rc 0
contains r2.html "javascript:alert(1)"
lacks r2.html 'href="javascript'
