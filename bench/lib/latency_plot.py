#!/usr/bin/env python3
"""Latency percentiles against offered rate, as an SVG (no plotting library needed).

    latency_plot.py OUT.svg LABEL=DIR[,DIR...] ...

Each DIR is one compare.sh --out directory of one rate; every <server>.txt in it gives one point
(rate, p50, p99) of the series "<LABEL or server name>". The y axis is logarithmic.
"""
import math
import sys
from pathlib import Path

from run_medians import last_json

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
W, H, L, R, T, B = 760, 440, 70, 190, 30, 50


def main(out, specs):
    series = {}
    for spec in specs:
        label, _, dirs = spec.partition("=")
        for d in dirs.split(","):
            for txt in sorted(Path(d).glob("*.txt")):
                if ".noisy" in txt.name:
                    continue
                s = last_json(txt)
                if not s or s.get("mode") != "load":
                    continue
                name = label if label != "*" else txt.stem
                ok = s["missing"] == 0 and s["ready"] == s["clients"]
                series.setdefault(name, []).append(
                    (s["rate"], s["lat_us"]["p50"], s["lat_us"]["p99"], ok))
    if not series:
        sys.exit("no runs found")
    rates = [p[0] for pts in series.values() for p in pts]
    lats = [v for pts in series.values() for p in pts for v in p[1:3]]
    x0, x1 = 0, max(rates) * 1.05
    y0 = 10 ** math.floor(math.log10(max(min(lats), 1)))
    y1 = 10 ** math.ceil(math.log10(max(lats)))

    def x(v):
        return L + (v - x0) / (x1 - x0) * (W - L - R)

    def y(v):
        return T + (1 - (math.log10(v) - math.log10(y0)) /
                    (math.log10(y1) - math.log10(y0))) * (H - T - B)

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="18">Latency (p50 dashed, p99 solid) against offered rate</text>']
    decade = y0
    while decade <= y1:
        svg.append(f'<line x1="{L}" x2="{W - R}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" '
                   'stroke="#ddd"/>')
        label = f"{decade / 1000:g} ms" if decade >= 1000 else f"{decade:g} µs"
        svg.append(f'<text x="{L - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{label}</text>')
        decade *= 10
    step = 10 ** math.floor(math.log10(x1 / 2))
    tick = 0
    while tick <= x1:
        svg.append(f'<text x="{x(tick):.1f}" y="{H - B + 18}" text-anchor="middle">{tick:g}</text>')
        tick += step
    svg.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">messages/s</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        color = COLORS[i % len(COLORS)]
        pts.sort()
        for col, dash in ((1, ' stroke-dasharray="5,4"'), (2, "")):
            path = " ".join(f"{x(p[0]):.1f},{y(p[col]):.1f}" for p in pts)
            svg.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                       f'stroke-width="2"{dash}/>')
        for p in pts:  # a hollow point: something was missing or a client was not ready
            fill = color if p[3] else "white"
            svg.append(f'<circle cx="{x(p[0]):.1f}" cy="{y(p[2]):.1f}" r="3.5" fill="{fill}" '
                       f'stroke="{color}"/>')
        svg.append(f'<line x1="{W - R + 12}" x2="{W - R + 36}" y1="{T + 20 * i + 10}" '
                   f'y2="{T + 20 * i + 10}" stroke="{color}" stroke-width="2"/>')
        svg.append(f'<text x="{W - R + 42}" y="{T + 20 * i + 14}">{name}</text>')
    svg.append("</svg>")
    Path(out).write_text("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
