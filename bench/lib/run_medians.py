#!/usr/bin/env python3
"""Medians over repeated ../shared/perf/compare.sh runs.

    run_medians.py DIR...   (each DIR: one compare.sh --out directory)

Reads the JSON summary line loadgen leaves last in each server's <server>.txt and prints one
JSON object per server: the median (and min, max) of every figure issue 15's targets use.
"""
import json
import statistics
import sys
from pathlib import Path

FIGURES = {
    "p50_us": lambda r: r["lat_us"]["p50"],
    "p99_us": lambda r: r["lat_us"]["p99"],
    "srv_us_per_deliv": lambda r: r["server_cpu_us_per_delivery"],
    "all_us_per_deliv": lambda r: r["server_all_cpu_us_per_delivery"],
    "missing": lambda r: r["missing"] + r["duplicates"] + r["unexpected"],
    "ready": lambda r: r["ready"],
    "clients": lambda r: r["clients"],
    "bytes_per_conn": lambda r: r["pids"][0]["bytes_per_conn"],
    "setup_s": lambda r: r["setup_s"],
}


def figure(get, summary):
    try:
        return get(summary)
    except KeyError:  # an idle-only run has no latencies, a load run no bytes per connection
        return None


def last_json(path):
    for line in reversed(path.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def main(dirs):
    runs = {}
    for d in dirs:
        for txt in sorted(Path(d).glob("*.txt")):
            if ".noisy" in txt.name or txt.name == "table.md":
                continue
            summary = last_json(txt)
            if summary is not None:
                runs.setdefault(txt.stem, []).append(summary)
    for server, summaries in runs.items():
        out = {"server": server, "runs": len(summaries)}
        for name, get in FIGURES.items():
            values = [v for v in (figure(get, s) for s in summaries) if v is not None]
            if values:
                out[name] = statistics.median(values)
                out[name + "_min"] = min(values)
                out[name + "_max"] = max(values)
        print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
