#!/usr/bin/env python3
"""bench/sim/simulate.py [FLAKEGUARD] - the analyzer against ground truth.

A linear history of COMMITS commits, one CI run each (two on every fourth),
each run the REAL `flakeguard run --retries 2` over one suite whose cases
are tiny bash scripts (bench/sim/case.sh) failing with a known probability
per commit:

  stable        never fail
  flaky         0.5% to 30%, from the start
  regressions   stable tests that fail every attempt from commit X (some
                fixed at Y), one of them in a flaky test
  intermittent  stable tests that fail 10-30% from commit X

Reports: precision and recall of `flaky` (final category or quarantine),
runs until detection, regressions hidden (never made a run red nor reported
broken/intermittent while active: must be 0), and pipelines red for no real
reason, naive `make test` (any first attempt failing) against flakeguard.
"""
import json, os, shutil, subprocess, sys, tempfile, time, statistics

here = os.path.dirname(os.path.abspath(__file__))
fg = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                     os.path.join(here, "..", "..", "flakeguard"))
COMMITS = int(os.environ.get("SIM_COMMITS", "150"))

# name -> (kind, list of (from_commit, to_commit_exclusive, prob, msgkind))
tests = {}
for i in range(20):
    tests[f"stable{i:02d}"] = ("stable", [])
for name, p in [("flaky0.5", .005), ("flaky1", .01), ("flaky2a", .02),
                ("flaky2b", .02), ("flaky5a", .05), ("flaky5b", .05),
                ("flaky10a", .10), ("flaky10b", .10), ("flaky20", .20),
                ("flaky30", .30)]:
    tests[name] = ("flaky", [(0, 10**9, p, "flake")])
regressions = [("regr30", 30, 34), ("regr60", 60, 70), ("regr90", 90, 95),
               ("regr120", 120, None)]
for name, x, y in regressions:
    tests[name] = ("regression", [(x, y or 10**9, 1.0, "regress")])
intermittent = [("intm50", 50, 65, .20), ("intm80", 80, 120, .10),
                ("intm110", 110, None, .30)]
for name, x, y, p in intermittent:
    tests[name] = ("intermittent", [(x, y or 10**9, p, "regress")])
# a flaky test that also regresses for a while
tests["flakyregr"] = ("flaky", [(0, 100, .10, "flake"), (100, 106, 1.0, "regress"),
                                (106, 10**9, .10, "flake")])
real_events = [(n, x, y) for n, x, y in regressions] + \
              [(n, x, y) for n, x, y, _ in intermittent] + [("flakyregr", 100, 106)]


def prob(name, commit):
    for a, b, p, kind in tests[name][1]:
        if a <= commit < b:
            return p, kind
    return 0.0, "flake"


def main():
    global fg
    work = tempfile.mkdtemp(prefix="fg-sim-")
    os.environ["SIM_DIR"] = work
    # a private copy: a rebuild in the checkout must not pull it away
    shutil.copy(fg, os.path.join(work, "flakeguard"))
    fg = os.path.join(work, "flakeguard")
    with open(os.path.join(work, "cases.txt"), "w") as f:
        f.write("\n".join(sorted(tests)) + "\n")
    cfg = {"retries": 2, "jobs": 4, "suites": [{
        "name": "sim", "timeout": "30s", "command": ["false"],
        "cases": {"list": ["bash", os.path.join(here, "case.sh"), "--list"],
                  "run": ["bash", os.path.join(here, "case.sh"), "{case}"]}}]}
    with open(os.path.join(work, "flakeguard.json"), "w") as f:
        json.dump(cfg, f)
    db = os.path.join(work, "h.db")
    runs = []
    t0 = time.time()
    run_no = 0
    for c in range(COMMITS):
        for rep in range(2 if c % 4 == 0 else 1):
            run_no += 1
            with open(os.path.join(work, "spec"), "w") as f:
                for n in tests:
                    p, kind = prob(n, c)
                    f.write(f"{n} {p} {kind}\n")
            with open(os.path.join(work, "run"), "w") as f:
                f.write(f"{run_no}\n")
            out = os.path.join(work, "r.json")
            r = subprocess.run([fg, "run", "-c", os.path.join(work, "flakeguard.json"),
                                "--db", db, "--commit", f"c{c:04d}",
                                "--branch", "main", "--json", out, "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(out) as f:
                doc = json.load(f)
            runs.append((c, r.returncode, {t["name"]: t for t in doc["tests"]}))
    elapsed = time.time() - t0
    report(runs, elapsed)
    # the backtest of the same history, for the record
    bt = subprocess.run([fg, "analyze", "--db", db, "--dry-run", "--backtest",
                         "--json"], capture_output=True, text=True)
    b = json.loads(bt.stdout).get("backtest", {})
    print(f"analyze --backtest over the same history: {json.dumps(b)}")
    shutil.rmtree(work)


def report(runs, elapsed):
    n = len(runs)
    print(f"{n} runs of {len(tests)} tests over {COMMITS} commits "
          f"(flakeguard run --retries 2), {elapsed:.0f} s")
    # ground-truth reason for red: an active regression failed in the run
    def real_reason(c, t):
        for name, x, y in real_events:
            if x <= c < (y or 10**9):
                a = t[name]["attempts"]
                if any(s["status"] != "passed" for s in a):
                    return True
        return False
    naive_false = fg_false = naive_red = fg_red = real = 0
    for c, rc, t in runs:
        first_fail = any(v["attempts"][0]["status"] != "passed" for v in t.values())
        rr = real_reason(c, t)
        real += rr
        naive_red += first_fail
        fg_red += rc != 0
        naive_false += first_fail and not rr
        fg_false += rc != 0 and not rr
    clean = n - real
    print(f"pipelines with a real reason to be red: {real} of {n}")
    print(f"false-red pipelines (red with no regression failing), of the {clean} "
          f"without a real reason:\n  naive make test: {naive_false} "
          f"({100 * naive_false / clean:.1f}%)\n  flakeguard:      {fg_false} "
          f"({100 * fg_false / clean:.1f}%)")
    # regressions: hidden, and runs until detection
    hidden = 0
    delays = []
    for name, x, y in [e for e in real_events if e[1] < COMMITS]:
        window = [(i, c, rc, t) for i, (c, rc, t) in enumerate(runs)
                  if x <= c < (y or 10**9)]
        det = None
        for k, (i, c, rc, t) in enumerate(window):
            v = t[name]
            failed_here = any(s["status"] != "passed" for s in v["attempts"])
            counted = rc != 0 and (v["outcome"] == "failed" or
                                   v["category"] in ("broken", "new-flaky", "intermittent")) and failed_here
            if counted or v["category"] in ("broken", "new-flaky", "intermittent"):
                det = k + 1
                break
        if det is None:
            hidden += 1
        delays.append((name, det, window[-1][3][name]["category"] if window else "-"))
    print(f"regressions hidden: {hidden} of {len(delays)} "
          f"(runs until red or reported, per regression: " +
          ", ".join(f"{nm} {d if d else 'NEVER'}" for nm, d, _ in delays) + ")")
    # flaky precision / recall on the final state
    last = runs[-1][2]
    truth = {nm for nm, (k, _) in tests.items() if k == "flaky" and nm != "flakyregr"}
    pred = {nm for nm, v in last.items()
            if nm != "flakyregr" and (v["category"] == "flaky" or v["quarantined"])}
    tp = len(pred & truth)
    prec = tp / len(pred) if pred else 1.0
    rec = tp / len(truth)
    print(f"flaky at the end: precision {prec:.2f} ({tp}/{len(pred)}), recall "
          f"{rec:.2f} ({tp}/{len(truth)}); predicted but not flaky: "
          f"{sorted(pred - truth) or 'none'}; missed: {sorted(truth - pred) or 'none'}")
    # runs until first classified flaky, and recall within 100 runs for >= 2%
    first = {}
    for i, (c, rc, t) in enumerate(runs):
        for nm in truth:
            if nm not in first and t[nm]["category"] == "flaky":
                first[nm] = i + 1
    rates = {nm: tests[nm][1][0][2] for nm in truth}
    ge2 = [nm for nm in truth if rates[nm] >= .02]
    within = [nm for nm in ge2 if first.get(nm, 10**9) <= 100]
    print(f"recall within 100 runs for tests flaking >= 2%: "
          f"{len(within) / len(ge2):.2f} ({len(within)}/{len(ge2)})")
    print("runs until first classified flaky: " + ", ".join(
        f"{nm} ({100 * rates[nm]:g}%) {first.get(nm, 'never')}"
        for nm in sorted(truth, key=lambda x: rates[x])))
    quarantined = sorted(nm for nm, v in last.items() if v["quarantined"])
    print(f"quarantined at the end: {', '.join(quarantined) or 'none'}")


main()
