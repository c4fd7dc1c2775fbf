#!/usr/bin/python3
"""ci_commands.py CI FILE... - print the lines of FILE that CI would obey
as log commands but that flakeguard did not mean to issue (one per line,
prefixed with the file name). Exit 1 if there is any.

The parsing rules, per CI (their documentation):
  github    a line whose first non-blank characters are "::" is a workflow
            command; "##[" anywhere in a line is a (legacy) command
  azure     "##vso[" or "##[" anywhere in a line
  teamcity  "##teamcity[" anywhere in a line
  buildkite a line starting with "--- ", "+++ ", "~~~ " or "^^^ +++"

flakeguard's own commands are allowed by shape: its fold markers
(::group::full output of ..., ::endgroup::, ::stop-commands::fg<hex>,
::fg<hex>::, ##[group]/##[endgroup], ##teamcity[blockOpened/Closed
name='flakeguard output N'], "--- full output of", "+++ flakeguard
summary") and its annotations "::error [file=F,[line=N,]]title=T::M" whose
properties are escaped (no raw ':' or ',').
"""
import re
import sys

OURS = {
    "github": [r"::group::full output of ", r"::endgroup::$",
               r"::stop-commands::fg[0-9a-f]+$", r"::fg[0-9a-f]+::$",
               r"::error (file=[^:,]*,(line=\d+,)?)?title=[^:,]*::[^\n]*$"],
    "azure": [r"##\[group\]full output of ", r"##\[endgroup\]$"],
    "teamcity": [r"##teamcity\[block(Opened|Closed) name='flakeguard output \d+'\]$"],
    "buildkite": [r"--- full output of ", r"\+\+\+ flakeguard summary$"],
}


def is_command(ci, line):
    if ci == "github":
        return line.lstrip(" \t").startswith("::") or "##[" in line
    if ci == "azure":
        return "##vso[" in line or "##[" in line
    if ci == "teamcity":
        return "##teamcity[" in line
    if ci == "buildkite":
        return line.startswith(("--- ", "+++ ", "~~~ ", "^^^ +++"))
    raise SystemExit("unknown CI " + ci)


def ours(ci, line):
    # an annotation's message may carry "##[" only neutralised (ZWSP)
    return any(re.match(p, line) for p in OURS[ci]) and (
        ci != "github" or "##[" not in line)


def main():
    ci, files = sys.argv[1], sys.argv[2:]
    bad = 0
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh.read().split("\n"):
                if is_command(ci, line) and not ours(ci, line):
                    print("%s: %s" % (f, line))
                    bad += 1
    sys.exit(1 if bad else 0)


main()
