#!/usr/bin/env python3
"""Adds up the test cases meson ran (cmocka and pytest report their own
counts in their output) and prints the closing line 'N passed, M failed'."""
import json
import re
import sys


def count(path):
    passed = failed = 0
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return 0, 1
    for line in lines:
        rec = json.loads(line)
        out = (rec.get("stdout") or "") + (rec.get("stderr") or "")
        ok = rec.get("result") == "OK"
        p = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
        f = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
        # pytest's closing line, with or without its ==== frame (-q)
        for m in re.finditer(r"^=*\s*(\d+ (?:passed|failed|errors?)[^\n]*) in [\d.]+s",
                             out, re.M):
            p += sum(int(n) for n in re.findall(r"(\d+) passed", m.group(1)))
            f += sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", m.group(1)))
        if p == 0 and f == 0:
            # a test binary that printed no counts: count the binary itself
            p, f = (1, 0) if ok else (0, 1)
        elif not ok and f == 0:
            f = 1  # crashed or sanitizer abort after its cases passed
        passed += p
        failed += f
    return passed, failed


def main():
    args = sys.argv[1:]
    extra = 0
    if "--extra-failed" in args:
        i = args.index("--extra-failed")
        extra = int(args[i + 1])
        del args[i:i + 2]
    node_logs = []
    while "--node-log" in args:
        i = args.index("--node-log")
        node_logs.append(args[i + 1])
        del args[i:i + 2]
    total_p = total_f = 0
    for path in node_logs:
        # node --test closes with "ℹ pass N" and "ℹ fail M"
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            text = ""
        p = sum(int(n) for n in re.findall(r"^\S* ?pass (\d+)$", text, re.M))
        f = sum(int(n) for n in re.findall(r"^\S* ?fail (\d+)$", text, re.M))
        if p == 0 and f == 0:
            f = 1
        print(f"{path}: {p} passed, {f} failed")
        total_p += p
        total_f += f
    for path in args:
        p, f = count(path)
        print(f"{path}: {p} passed, {f} failed")
        total_p += p
        total_f += f
    total_f += extra
    print(f"{total_p} passed, {total_f} failed")


if __name__ == "__main__":
    main()
