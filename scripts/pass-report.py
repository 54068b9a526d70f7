#!/usr/bin/env python3
"""Reads one test pass's output (swift test, swift-testing's console format) on stdin and, if the pass printed no
"Test run with" line (its test process crashed or was killed), prints what identifies the culprit: the tests that
started and never finished, and the pass's last lines. Prints nothing for a pass that ran to its end.

    scripts/pass-report.py NAME EXIT_STATUS < pass-output
"""
import re
import sys

name, status = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().splitlines()
if any(re.match(r"^(✔|✘) Test run with", l) for l in lines):
    sys.exit(0)
started, finished = [], set()
for l in lines:
    m = re.match(r'^◇ Test "(.*)" started\.$', l)
    if m:
        started.append(m.group(1))
        continue
    m = re.match(r'^(?:✔|✘) Test "(.*)" (?:passed|failed|with \d+ test cases? (?:passed|failed))', l)
    if m:
        finished.add(m.group(1))
print(f'✘ Pass "{name}" ended without a test-run line (exit {status}): its test process crashed or was killed.')
running = [t for t in dict.fromkeys(started) if t not in finished]
print(f"  Tests started and not finished ({len(running)}):")
for t in running[:40]:
    print(f"    {t}")
print("  Its last lines:")
for l in lines[-30:]:
    print(f"    {l[:300]}")
