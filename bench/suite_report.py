#!/usr/bin/env python3
"""Report of bench/suite.sh (standard library only).

    bench/suite_report.py RUN.json RESULTS_DIR

Prints RUN.json as a Markdown table (steps, then usermatch's ratios to each peer), writes the same
next to it as RUN.md, and redraws RESULTS_DIR/suite.svg: seconds (log scale) and F1 against the
number of users for usermatch dedupe and each peer, per series and size from the newest
suite-<level>-*.json that has it (so `small` then `medium` gives a two-point curve). A timed-out peer is drawn at its
cap with a hollow marker; a peer that never finished has no F1 point.
"""
import glob
import json
import math
import os
import sys


def fmt(v, digits=None):
    if v is None:
        return "–"
    if isinstance(v, float) and digits is not None:
        return f"{v:.{digits}f}"
    if isinstance(v, (int, float)) and abs(v) >= 1000:
        return f"{v:,.0f}"
    return str(v)


def markdown(run):
    out = [f"## usermatch benchmark suite: level {run['level']} ({run['users']:,} users)", "",
           f"{run['machine'].lstrip('# ')}; usermatch.threads = {run['usermatch_threads']}; "
           f"peer time cap {run['peer_timeout']}.", "",
           f"Data: `{run['generator']}`. Reproduce: `{run['command']}`.", "",
           "| step | tool | status | records | seconds | records/s | pairs | pairs/s | peak backend MB | precision | recall | F1 | note |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in run["steps"]:
        out.append("| " + " | ".join([
            s["step"], s["tool"], s["status"], fmt(s["records"]), fmt(s["seconds"]), fmt(s["records_per_s"]),
            fmt(s["pairs"]), fmt(s["pairs_per_s"]), fmt(s["peak_mb"]), fmt(s["precision"]), fmt(s["recall"]),
            fmt(s["f1"]), (s["note"] or "").replace("|", "\\|")]) + " |")
    if run["ratios"]:
        out += ["", "Ratios (time: peer seconds / usermatch seconds, above 1 = usermatch faster; "
                "F1: usermatch F1 / peer F1):", "",
                "| usermatch step | peer | peer status | time ratio | F1 ratio |", "|---|---|---|---:|---:|"]
        for r in run["ratios"]:
            t = r["time_ratio"]
            t = "–" if t is None else (f">= {t}" if r["time_ratio_is_lower_bound"] else str(t))
            out.append(f"| {r['step']} | {r['peer']} | {r['peer_status']} | {t} | {fmt(r['f1_ratio'])} |")
    wall = run.get("wall_seconds")
    if wall:
        out += ["", f"Wall time of the whole run: {wall['total']:.0f} s (of which, per phase: "
                + ", ".join(f"{p['phase']} {p['seconds']:.0f} s" for p in wall["phases"])
                + "; a step's wall time includes its untimed preparation and warm-up, load the peers' inputs, "
                "quality the untimed scoring and the peers' oracle tuning)."]
    out += ["", "Each step runs in a fresh backend after an untimed 100-row warm-up (one-off start-up costs). "
            "Peak backend MB is the VmHWM of that backend; "
            "it includes the shared buffers that backend touched. pairs = pairs output (for the peers: "
            "pairs accepted at their oracle-tuned threshold); the peers' F1 is an upper bound for them."]
    return "\n".join(out) + "\n"


SERIES = [("usermatch", "dedupe", "#1f77b4", "usermatch dedupe"),
          ("usermatch", "dedupe_trained", "#17becf", "usermatch dedupe, trained profile"),
          ("pg_trgm", "peer_trgm", "#d62728", "pg_trgm GIN self-join"),
          ("fuzzystrmatch", "peer_fuzzy", "#2ca02c", "fuzzystrmatch, dmetaphone blocks"),
          ("exact keys", "peer_exact", "#9467bd", "exact keys, block cap")]


def points(runs):
    """{series label: [(users, seconds, f1, timed_out)]}: per series and size, the newest run that has it."""
    pts = {}
    for tool, step, _, label in SERIES:
        best = {}
        for run in runs:
            for s in run["steps"]:
                if s["tool"] == tool and s["step"] == step and s["status"] in ("ok", "timed out"):
                    if run["users"] not in best or run["date"] >= best[run["users"]][0]:
                        best[run["users"]] = (run["date"], s)
        pts[label] = [(users, s["seconds"], s["f1"], s["status"] == "timed out")
                      for users, (_, s) in sorted(best.items())]
    return pts


def svg(pts):
    w, h, pad_l, pad_r, pad_t, pad_b, gap = 900, 380, 70, 20, 40, 90, 80
    pw = (w - pad_l - pad_r - gap) / 2
    ph = h - pad_t - pad_b
    xs = [p[0] for ps in pts.values() for p in ps] or [10000]
    ts = [p[1] for ps in pts.values() for p in ps if p[1] and p[1] > 0] or [1]
    xlo, xhi = math.log10(min(xs)) - 0.2, math.log10(max(xs)) + 0.2
    tlo, thi = math.floor(math.log10(min(ts))), math.ceil(math.log10(max(ts)))
    if thi == tlo:
        thi += 1
    el = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
          f'<rect width="{w}" height="{h}" fill="white"/>']

    def X(x, ox):
        return ox + (math.log10(x) - xlo) / (xhi - xlo) * pw

    def panel(ox, title, ylabel, yticks, Y):
        el.append(f'<text x="{ox + pw / 2}" y="{pad_t - 15}" text-anchor="middle" font-weight="bold">{title}</text>')
        el.append(f'<rect x="{ox}" y="{pad_t}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
        for v, label in yticks:
            y = Y(v)
            el.append(f'<line x1="{ox}" x2="{ox + pw}" y1="{y}" y2="{y}" stroke="#eee"/>')
            el.append(f'<text x="{ox - 5}" y="{y + 4}" text-anchor="end">{label}</text>')
        for e in range(math.ceil(xlo), math.floor(xhi) + 1):
            x = X(10 ** e, ox)
            el.append(f'<line x1="{x}" x2="{x}" y1="{pad_t}" y2="{pad_t + ph}" stroke="#eee"/>')
            el.append(f'<text x="{x}" y="{pad_t + ph + 15}" text-anchor="middle">{10 ** e:,}</text>')
        el.append(f'<text x="{ox + pw / 2}" y="{pad_t + ph + 32}" text-anchor="middle">users (log scale)</text>')
        el.append(f'<text transform="translate({ox - 50},{pad_t + ph / 2}) rotate(-90)" text-anchor="middle">{ylabel}</text>')

    def Yt(t):
        return pad_t + ph - (math.log10(max(t, 10 ** tlo)) - tlo) / (thi - tlo) * ph

    fs = [p[2] for ps in pts.values() for p in ps if p[2] is not None] or [0.5]
    flo = max(0.0, math.floor(min(fs) * 10) / 10 - 0.1)

    def Yf(f):
        return pad_t + ph - (f - flo) / (1 - flo) * ph

    ox1, ox2 = pad_l, pad_l + pw + gap
    panel(ox1, "time", "seconds (log scale)", [(10 ** e, f"{10 ** e:g}") for e in range(tlo, thi + 1)], Yt)
    panel(ox2, "pairwise F1", "F1", [(v / 10, f"{v / 10:.1f}") for v in range(round(flo * 10), 11)], Yf)
    for _, _, colour, label in SERIES:
        ps = pts[label]
        for ox, Y, idx in ((ox1, Yt, 1), (ox2, Yf, 2)):
            q = [(X(p[0], ox), Y(p[idx]), p[3]) for p in ps if p[idx] is not None]
            if len(q) > 1:
                el.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                          + " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in q) + '"/>')
            for x, y, timed_out in q:
                fill = "white" if timed_out else colour
                el.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{colour}" stroke-width="2"/>')
    for i, (_, _, colour, label) in enumerate(SERIES):
        x, y = pad_l + (i % 3) * 270, h - 35 + (i // 3) * 18
        el.append(f'<rect x="{x}" y="{y - 9}" width="14" height="10" fill="{colour}"/>')
        el.append(f'<text x="{x + 20}" y="{y}">{label}</text>')
    el.append(f'<text x="{w - pad_r}" y="{h - 5}" text-anchor="end" fill="#666">hollow marker: timed out at its cap '
              '(time is a lower bound); peers\' F1 oracle-tuned</text>')
    el.append("</svg>")
    return "\n".join(el) + "\n"


def main():
    path, results = sys.argv[1], sys.argv[2]
    with open(path) as f:
        run = json.load(f)
    md = markdown(run)
    with open(os.path.splitext(path)[0] + ".md", "w") as f:
        f.write(md)
    print(md)
    runs = []
    for p in sorted(glob.glob(os.path.join(results, "suite-*.json"))):
        try:
            with open(p) as f:
                runs.append(json.load(f))
        except (OSError, ValueError):
            print(f"(skipped unreadable {p})")
    with open(os.path.join(results, "suite.svg"), "w") as f:
        f.write(svg(points(runs)))
    print(f"written: {path}, {os.path.splitext(path)[0]}.md, {os.path.join(results, 'suite.svg')} "
          f"({len(runs)} run(s) of {len({r['users'] for r in runs})} size(s))")


if __name__ == "__main__":
    main()
