#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Count subtests over meson test runs: test-summary.py TESTLOG.json...

TAP tests count one per result line ("ok"/"not ok", "# SKIP" as skipped);
a TAP test that failed without reporting a failing line (a crash, a timeout)
adds one failure; other tests count as one each. Prints the failing names,
with the first diagnostic lines under each failing TAP line, then
"N passed, N failed[, N skipped]". Exits 1 if anything failed or
nothing ran.
"""
import json
import re
import sys

RESULT = re.compile(r"^(not )?ok\b(?:\s+\d+)?\s*-?\s*(.*)$")
DIAG_LINES = 8  # enough for the cause; the whole output is in testlog.txt


def diagnostics(lines, i):
    """The "#" lines right after lines[i], at most DIAG_LINES of them."""
    out = []
    for line in lines[i + 1:]:
        if not line.startswith("#") or len(out) == DIAG_LINES:
            break
        out.append(line)
    return out


def main(paths):
    passed = failed = skipped = 0
    failures = []
    entries = []
    for path in paths:
        with open(path, encoding="utf-8") as log:
            entries += [json.loads(line) for line in log if line.strip()]
    for entry in entries:
        name, result = entry["name"], entry["result"]
        tap_failed = tap_total = 0
        lines = (entry.get("stdout") or "").splitlines()
        for i, line in enumerate(lines):
            m = RESULT.match(line)
            if not m:
                continue
            tap_total += 1
            desc = m.group(2)
            if re.search(r"#\s*SKIP", desc, re.I):
                skipped += 1
            elif m.group(1):
                failed += 1
                tap_failed += 1
                failures.append((f"{name}: {desc}", diagnostics(lines, i)))
            else:
                passed += 1
        if tap_total:
            if result not in ("OK", "EXPECTEDFAIL") and not tap_failed:
                failed += 1
                failures.append((f"{name}: {result}", []))
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
            failures.append((f"{name}: {result}", []))
    for what, diag in failures:
        print(f"FAILED: {what}")
        for d in diag:
            print(f"    {d}")
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
