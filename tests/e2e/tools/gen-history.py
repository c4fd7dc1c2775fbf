#!/usr/bin/python3
"""tests/e2e/tools/gen-history.py RUNS [FIRST] - a history as runlines.

Prints RUNS runs ("flakeguard-run/1" JSON lines, for `flakeguard
import-history`) of a small suite whose tests do everything the analyzer
tells apart, deterministically (a fixed-seed generator), numbered from
FIRST (default 1) so that later batches continue a history:

  stable*      always pass (durations vary a little);
  slowdown     passes, 10x slower from run 900 on;
  flaky*       fail their first attempt at 10-30% and pass the retry;
  hardflaky    fails every attempt at 5% (no retry);
  memerr       a sanitizer's use-after-free at 2%, passing its retry;
  regress      fails hard from run 700 to 760, then passes (broken, fixed);
  intermit     fails its first attempt at 40% from run 1000 on;
  oldflake     flaked before run 60, clean since (out of every window);
  gone         ran until run 300 only;
  late         appears in the last 3 runs;
  skipped      always skipped; sometimes  skipped in one run of 4.

Commits: a new one every 1-3 runs (so a commit often runs twice: same-
commit inconsistency); branches main and topic-N alternate.
"""
import json
import random
import sys

runs = int(sys.argv[1])
first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(20261206 + first)
T0 = 1_780_000_000_000


def attempt(status, ms, msg=None):
    return {"status": status, "started_at_ms": 0, "duration_ms": ms,
            "message": msg, "output": None}


def test(name, attempts, outcome, suite="unit", cls="c"):
    return {"suite": suite, "classname": cls, "name": name, "file": None,
            "line": 0, "outcome": outcome,
            "duration_ms": attempts[-1]["duration_ms"] if attempts else 0,
            "attempts": attempts}


def passing(name, ms, **kw):
    return test(name, [attempt("passed", ms)], "passed", **kw)


def flip(name, p, ms, msg):
    if rng.random() < p:
        return test(name, [attempt("failed", ms, msg % rng.randint(1, 999)),
                           attempt("passed", ms)], "flaky")
    return passing(name, ms)


last = first + runs - 1
commit = None
for r in range(first, first + runs):
    if commit is None or rng.random() < 0.5:
        commit = "%040x" % rng.getrandbits(160)
    branch = "main" if r % 3 else "topic-%d" % (r % 7)
    tests = [passing("stable%d" % i, 10 + rng.randint(0, 5)) for i in range(12)]
    tests.append(passing("slowdown", (300 if r >= 900 else 30) + rng.randint(0, 3)))
    tests.append(flip("flaky1", 0.3, 20, "timeout after %d ms"))
    tests.append(flip("flaky2", 0.1, 20, "expected 0 got %d at 0x7ffe12"))
    tests.append(flip("flaky3", 0.2, 20, "connection reset (try %d)"))
    if rng.random() < 0.05:
        tests.append(test("hardflaky", [attempt("failed", 5, "assert %d" % r)],
                          "failed"))
    else:
        tests.append(passing("hardflaky", 5))
    if rng.random() < 0.02:
        tests.append(test("memerr", [
            attempt("failed", 6, "==%d==ERROR: AddressSanitizer: "
                    "heap-use-after-free on address 0x6020%04x" % (r, r)),
            attempt("passed", 6)], "flaky"))
    else:
        tests.append(passing("memerr", 6))
    if 700 <= r < 760:
        tests.append(test("regress", [attempt("failed", 7, "boom at line 42"),
                                      attempt("failed", 7, "boom at line 42")],
                          "failed"))
    else:
        tests.append(passing("regress", 7))
    if r >= 1000 and rng.random() < 0.4:
        tests.append(test("intermit", [attempt("failed", 9, "race %d" % r),
                                       attempt("passed", 9)], "flaky"))
    else:
        tests.append(passing("intermit", 9))
    if r < 60:
        tests.append(flip("oldflake", 0.3, 4, "old %d"))
    else:
        tests.append(passing("oldflake", 4))
    if r <= 300:
        tests.append(passing("gone", 3, suite="legacy"))
    if r > last - 3:
        tests.append(passing("late", 3, suite="legacy"))
    tests.append(test("skipped", [attempt("skipped", 0, "not here")], "skipped"))
    if r % 4 == 0:
        tests.append(test("sometimes", [attempt("skipped", 0, None)], "skipped"))
    else:
        tests.append(passing("sometimes", 2))
    line = {"format": "flakeguard-run/1", "uuid": "gen-%08d" % r,
            "commit": commit, "branch": branch, "host": "gen", "ci_job": None,
            "shard": None, "started_at_ms": T0 + r * 60_000,
            "duration_ms": 1000, "exit_code": 0, "interrupted": False,
            "tests": tests}
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
