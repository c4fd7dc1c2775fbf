# The HTML report shows the recent runs' durations (this run outlined, a
# failed run red); the CI job's URL is in the HTML and Markdown headers.
printf '#!/bin/sh\nexit 0\n' > ok; printf '#!/bin/sh\nexit 1\n' > bad; chmod +x ok bad
fg run --db t.db -- ./ok; expect_rc 0
fg run --db t.db -- ./bad; expect_rc 1
CI_JOB_URL=https://ci.example/jobs/77 fg run --db t.db --html r.html --markdown r.md -- ./ok
expect_rc 0
contains r.html 'id="trend"'
contains r.html "Recent runs (3)"
contains r.html 'fill="#e53935"'
contains r.html 'stroke="#000"'
contains r.html '<a href="https://ci.example/jobs/77">'
contains r.md "job https://ci.example/jobs/77"
fg report --db t.db --run 2 --html r2.html; expect_rc 0
contains r2.html "Recent runs (3)"
