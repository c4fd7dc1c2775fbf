# Runs outside git have no commit: a reason that names the commit says
# "(unknown)" whole; it printed "(unknown com", cut at the 12 characters
# of a short hash (seen on libuv's runs in a plain directory).
cat > flakeguard.json <<JSON
{ "suites": [ { "name": "red", "command": ["$MISBEHAVE", "fail"] } ] }
JSON
for i in 1 2 3 4 5; do
	fg run --db h.db
	expect_rc 1
done
fg analyze --db h.db
expect_rc 0
contains out "broken"
contains out "(unknown)"
lacks out "(unknown com"
