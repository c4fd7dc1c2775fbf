# gc: keep the newest N runs, delete tests left without results, vacuum;
# usage errors and a missing database.
# backends: sqlite postgresql
for i in 1 2 3 4 5; do
	printf '<testsuite name="s"><testcase name="always"/><testcase name="only%s"/></testsuite>\n' "$i" > r.xml
	fg import --db h.db r.xml; expect_rc 0
done
sql_is h.db "SELECT count(*) FROM tests" 6
fg gc --db h.db --keep-runs 2 --vacuum
expect_rc 0
contains out "deleted 3 runs, 3 tests and 6 results"
contains out "MiB"
sql_is h.db "SELECT min(id) || ',' || max(id) || ',' || count(*) FROM runs" 4,5,2
sql_is h.db "SELECT count(*) FROM tests WHERE name IN ('always', 'only4', 'only5')" 3
sql_is h.db "SELECT count(*) FROM tests" 3
on_pg || sql_is h.db "PRAGMA integrity_check" ok
fg gc --db h.db --keep-days 1
expect_rc 0
contains out "deleted 0 runs"
fg gc --db h.db
expect_rc 2
fg gc --db h.db --keep-runs x
expect_rc 2
fg gc --db missing.db --keep-runs 1
expect_rc 3
no_db missing.db
