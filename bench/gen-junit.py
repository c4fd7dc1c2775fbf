#!/usr/bin/python3
"""bench/gen-junit.py N OUT - writes a JUnit XML file with N test cases.

About 500 bytes per case (200,000 cases: ~100 MB): 2% fail with a message
and a body, 1% are skipped, 40% carry ~800 bytes of system-out; 100 cases
per suite.
Deterministic (no randomness), so runs are comparable.
"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
pad = "x" * 120
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    for k in range(n):
        if k % 100 == 0:
            if k:
                f.write('</testsuite>\n')
            f.write('<testsuite name="suite%d" tests="100">\n' % (k // 100))
        attrs = 'classname="pkg.module%d.TestClass%d" name="test_case_%d_%s" time="%d.%03d" file="tests/m%d.py" line="%d"' % (
            k % 50, k % 7, k, pad[: k % 40], k % 3, k % 1000, k % 50, k % 900 + 1)
        if k % 50 == 7:
            f.write('<testcase %s><failure message="assert %d == %d">Traceback (most recent call last):\n  File &quot;tests/m.py&quot;, line 10\nAssertionError: %s &lt;x&gt;</failure></testcase>\n' % (attrs, k, k + 1, pad))
        elif k % 100 == 3:
            f.write('<testcase %s><skipped message="not on this platform"/></testcase>\n' % attrs)
        elif k % 5 in (1, 3):
            f.write('<testcase %s><system-out>%s\nline two of output %d %s</system-out></testcase>\n' % (attrs, pad * 3, k, pad * 3))
        else:
            f.write('<testcase %s/>\n' % attrs)
    f.write('</testsuite>\n</testsuites>\n')
