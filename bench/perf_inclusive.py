#!/usr/bin/env python3
"""Inclusive CPU share per function from `perf script` output: perf_inclusive.py perf.data [N]."""
import collections
import re
import subprocess
import sys

data = sys.argv[1] if len(sys.argv) > 1 else "perf.data"
top = int(sys.argv[2]) if len(sys.argv) > 2 else 80
script = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
samples, frames = [], None
for line in script.splitlines():
    if not line.strip():
        if frames:
            samples.append(frames)
        frames = None
    elif line[0] in " \t":
        sym = line.strip().split(" ", 1)[-1]
        sym = re.sub(r"\+0x[0-9a-f]+", "", re.sub(r" \(.*\)$", "", sym))
        frames.append(sym)
    else:
        frames = []
if frames:
    samples.append(frames)
inclusive = collections.Counter()
for s in samples:
    inclusive.update(set(s))
print(f"{len(samples)} samples")
for sym, n in inclusive.most_common(top):
    print(f"{100 * n / len(samples):5.1f}%  {sym[:160]}")
