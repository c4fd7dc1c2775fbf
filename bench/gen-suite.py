#!/usr/bin/python3
"""bench/gen-suite.py N RUN OUT - one run of a synthetic suite as JUnit XML.

N tests in suites of 100 (names like a real project's, ~60 bytes of
identity); about 1% of them flaky (each fails in a run with probability
0.3, with a short assertion message), 3 broken from run 100 on; no captured
output for passing tests. The shape of the suite in issue 14 ("10,000
tests, 1% flaky, 3 broken"); RUN picks which flaky tests fail this time,
deterministically (no randomness), so runs are comparable.
"""
import sys

n, run, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def fails(k):
    if k in (17, 4242, 9001) and run >= 100:
        return True
    if k % 97 != 5:
        return False
    return (k * 2654435761 + run * 40503) % 1000 < 300


with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    for k in range(n):
        if k % 100 == 0:
            if k:
                f.write('</testsuite>\n')
            f.write('<testsuite name="pkg%d.module%d">\n' % (k // 1000, k // 100))
        attrs = 'classname="pkg%d.module%d.TestThing%d" name="test_behaviour_%d" time="0.%03d"' % (
            k // 1000, k // 100, k % 7, k, k % 997)
        if fails(k):
            f.write('<testcase %s><failure message="assert %d == %d">AssertionError</failure></testcase>\n'
                    % (attrs, k, k + 1))
        else:
            f.write('<testcase %s/>\n' % attrs)
    f.write('</testsuite>\n</testsuites>\n')
