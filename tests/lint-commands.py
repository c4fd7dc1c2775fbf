#!/usr/bin/python3
"""tests/lint-commands.py - every command the tests and the demo run is one
tests/deps.sh guarantees.

Reads the shell scripts of tests/ (e2e cases, lib.sh, the run scripts,
deps.sh), of the demo (examples/demo.sh, examples/scripts/), the CI
template script the e2e cases run (examples/ci/) and the bash completion
(0033 runs it); parses each with shfmt (its syntax tree as JSON), and
collects the external commands they run:

  - the command word of every simple command, wherever it sits (pipelines,
    $(...), `...`, if/while conditions, functions, subshells);
  - what wrappers run: command, exec, env, nohup, setsid, time, timeout,
    xargs, and the script of sh/bash -c and script -c (parsed in turn);
  - variables that name a command: py=/usr/bin/python3, or
    browser=$(command -v chromium || ...) (the first command probed);
  - what flakeguard runs from the tests: the programs after `run --` and
    the argv of "command", "list" and "run" in JSON configs (heredocs,
    quoted strings, examples/*.json), including their sh -c scripts.

A bare probe (`command -v X || fail ...`) is not a use: the script copes.
Shell builtins, functions the scripts define (in any of them: they source
each other), and words that are not a plain name (a path such as ./prog,
or a $variable) are not commands to install. Every other name must be one
`sh tests/deps.sh --commands` prints; each one that is not is reported as
FILE:LINE, and the exit status is 1. Run by `make lint`; `--list` prints every command found, with
where it is first used.
"""
import glob
import json
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPTS = ["tests/*.sh", "tests/e2e/*.sh", "tests/e2e/cases/*.sh",
           "tests/unit/*.sh", "examples/demo.sh", "examples/scripts/*.sh",
           "examples/ci/*.sh", "docs/flakeguard.bash"]
CONFIGS = ["examples/*.json"]

# POSIX special and regular builtins, dash's and bash's: never installed.
BUILTINS = set("""
. : [ alias bg break builtin caller cd command compgen complete continue
declare dirs disown echo enable eval exec exit export false fc fg getopts
hash help history jobs kill let local logout mapfile popd printf pushd pwd
read readarray readonly return set shift shopt source suspend test times
trap true type typeset ulimit umask unalias unset wait
""".split())

# Not to install: flakeguard itself (built by make), and what a script
# can do without, falling back on its own.
NOT_INSTALLED = {
    "flakeguard",
    "_init_completion",     # bash-completion's; docs/flakeguard.bash copes
}

# Wrappers: the command they run comes after their own options. The value
# is the set of options that take an argument.
WRAPPERS = {
    "command": set(), "exec": {"-a"}, "nohup": set(), "setsid": set(),
    "time": {"-f", "-o"}, "env": {"-u", "-C", "-S"},
    "timeout": {"-k", "-s", "--kill-after", "--signal"},
    "xargs": {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"},
}
SHELLS = {"sh", "bash", "dash"}


def shfmt_tree(text, name):
    r = subprocess.run(["shfmt", "--to-json", "-ln", "bash", "--filename", name],
                       input=text, capture_output=True, text=True)
    if r.returncode != 0:
        raise SyntaxError("%s: shfmt cannot parse it: %s" % (name, r.stderr.strip()))
    return json.loads(r.stdout)


def literal(word):
    """A word's value when it has no expansion in it, else None."""
    out = []
    for part in word.get("Parts", []):
        t = part.get("Type")
        if t == "Lit":
            out.append(part.get("Value", ""))
        elif t == "SglQuoted":
            out.append(part.get("Value", ""))
        elif t == "DblQuoted":
            inner = literal(part)
            if inner is None:
                return None
            out.append(inner)
        else:
            return None
    return "".join(out)


class Scan:
    def __init__(self):
        self.uses = []          # (file, line, command)
        self.functions = set()

    def use(self, where, line, name):
        self.uses.append((where, line, name))

    def shell(self, where, text, base_line=0):
        tree = shfmt_tree(text, where)
        # shfmt's offsets count bytes.
        src = text.encode("utf-8")
        self.vars = {}
        self.walk(tree, lambda n: self.declare(n, src))
        self.walk(tree, lambda n: self.call_expr(where, n, src, base_line))
        self.configs(where, text, base_line)

    def walk(self, node, visit):
        if isinstance(node, list):
            for n in node:
                self.walk(n, visit)
        elif isinstance(node, dict):
            visit(node)
            for k, v in node.items():
                if k not in ("Pos", "End"):
                    self.walk(v, visit)

    def declare(self, node, src):
        """Functions, and variables that name a command: py=/usr/bin/python3,
        browser=$(command -v chromium || ...) (the first one probed)."""
        if node.get("Type") == "FuncDecl":
            self.functions.add(node["Name"]["Value"])
        if node.get("Type") != "CallExpr":
            return
        for asg in node.get("Assigns") or []:
            value = asg.get("Value")
            if not value or "Name" not in asg:
                continue
            name = command_name(literal(value))
            parts = value.get("Parts", [])
            if not name and len(parts) == 1 and parts[0].get("Type") == "CmdSubst":
                m = re.match(r"\$\(\s*command\s+-v\s+([^\s|;&)]+)", word_text(value, src))
                name = command_name(m.group(1)) if m else None
            if name:
                self.vars.setdefault(asg["Name"]["Value"], set()).add(name)

    def call_expr(self, where, node, src, base_line):
        if node.get("Type") != "CallExpr" or not node.get("Args"):
            return
        words = [(literal(w), word_text(w, src), base_line + w["Pos"]["Line"])
                 for w in node["Args"]]
        self.call(where, words)

    # words: a simple command's (literal value or None, source text, line).
    def call(self, where, words):
        while words:
            name, text, line = words[0]
            if name is None:
                var = re.fullmatch(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?', text)
                var = var.group(1) if var else None
                if var in ("FLAKEGUARD", "FG", "fg"):
                    self.flakeguard_run(where, words[1:])
                for c in sorted(self.vars.get(var, ())):
                    self.use(where, line, c)
                return
            if name == "command":
                if len(words) > 1 and words[1][0] in ("-v", "-V"):
                    return      # a probe: the script copes when it is absent
                words = words[1:]
                continue
            if name in WRAPPERS:
                if len(words) > 1:
                    self.use(where, line, name)
                takes = WRAPPERS[name]
                i = 1
                while i < len(words):
                    w = words[i][0]
                    if w is None or not (w.startswith("-") or
                                         (name == "env" and "=" in w)):
                        break
                    i += 2 if w in takes else 1
                if name == "timeout" and i < len(words):
                    i += 1      # the duration
                words = words[i:]
                continue
            cmd = command_name(name)
            if cmd:
                self.use(where, line, cmd)
            if cmd in SHELLS or cmd == "script":
                self.shell_c(where, words[1:])
            if cmd in ("fg", "flakeguard") or name.endswith("/flakeguard"):
                self.flakeguard_run(where, words[1:])
            return

    def shell_c(self, where, args):
        """sh -c SCRIPT, bash -ec SCRIPT, script -qfec CMD."""
        for i, (w, _, _) in enumerate(args):
            if w is None or not re.fullmatch(r"-[a-z]*c[a-z]*", w):
                continue
            if i + 1 < len(args):
                _, text, line = args[i + 1]
                self.shell(where, unquote(text), line - 1)
            return

    def flakeguard_run(self, where, args):
        """flakeguard run [OPTS] -- PROGRAM...: each program is a suite."""
        vals = [a[0] for a in args]
        if not vals or vals[0] != "run" or "--" not in vals:
            return
        for w, _, line in args[vals.index("--") + 1:]:
            self.command_word(where, line, w)

    def command_word(self, where, line, w):
        name = command_name(w)
        if name:
            self.use(where, line, name)

    def configs(self, where, text, base_line=0):
        """argv arrays of flakeguard configs written by the scripts."""
        for m in re.finditer(r'"(command|list|run)"\s*:\s*(\[[^\]]*\]|"(?:[^"\\]|\\.)*")', text):
            line = base_line + text.count("\n", 0, m.start()) + 1
            items = [unjson(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))]
            if m.group(2).startswith('"'):
                items = items[0].split()[:1]     # "command": "scripts/x.sh"
            if not items:
                continue
            self.command_word(where, line, items[0])
            if items[0] in SHELLS and len(items) > 2 and re.fullmatch(r"-[a-z]*c[a-z]*", items[1]):
                vars_ = self.vars
                self.shell(where, items[2], line - 1)
                self.vars = vars_


def word_text(word, src):
    return src[word["Pos"]["Offset"]:word["End"]["Offset"]].decode("utf-8", "replace")


def command_name(w):
    """The command a word names: a plain name, or the base name of a
    system path (/usr/bin/python3); None for ./prog, $VAR, {case}..."""
    if w is None:
        return None
    if re.match(r"/(usr/)?s?bin/[^/]+$", w):
        w = os.path.basename(w)
    return w if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*", w) else None


def unquote(text):
    """A shell word's source without its outer quotes."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def unjson(s):
    """A JSON string's value; the text may also carry shell escapes (\\$)."""
    s = s.replace("\\$", "$").replace("\\`", "`")
    try:
        return json.loads('"' + s + '"')
    except ValueError:
        return s


def guaranteed():
    r = subprocess.run(["sh", os.path.join(TOP, "tests/deps.sh"), "--commands"],
                       capture_output=True, text=True, check=True)
    return set(r.stdout.split())


def main():
    os.chdir(TOP)
    scan = Scan()
    files = sorted({f for p in SCRIPTS for f in glob.glob(p)})
    for f in files:
        with open(f, encoding="utf-8") as fh:
            scan.shell(f, fh.read())
    for f in sorted({f for p in CONFIGS for f in glob.glob(p)}):
        with open(f, encoding="utf-8") as fh:
            scan.configs(f, fh.read())
    if sys.argv[1:] == ["--list"]:
        first = {}
        for f, line, c in scan.uses:
            if c not in BUILTINS | NOT_INSTALLED | scan.functions:
                first.setdefault(c, (f, line))
        for c in sorted(first):
            print("%-16s %s:%d" % (c, *first[c]))
        return 0
    known = guaranteed()
    bad = [(f, line, c) for f, line, c in scan.uses
           if c not in known | BUILTINS | NOT_INSTALLED | scan.functions]
    for f, line, c in sorted(set(bad)):
        print("%s:%d: '%s' is not a command tests/deps.sh guarantees "
              "(add it there, with its package)" % (f, line, c), file=sys.stderr)
    used = {c for _, _, c in scan.uses} - BUILTINS - NOT_INSTALLED - scan.functions
    if bad:
        return 1
    print("lint-commands: ok (%d files, %d distinct commands, all in tests/deps.sh)"
          % (len(files), len(used)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
