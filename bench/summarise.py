#!/usr/bin/env python3
"""Collects bench/run.sh's measurements and prints them as Markdown.

    summarise.py record RESULTS_JSONL TOOL SIZE RUNS HYPERFINE_JSON TIME_LOG OUTPUT_DIR [STAGES_LOG]
    summarise.py table RESULTS_JSONL HEADER_FILE

`record` reads one tool's runs at one size and appends a JSON line:
  - wall: the median of hyperfine's measured runs (seconds);
  - cpu: the median over the same runs of user + system time, and rss: the
    largest "Maximum resident set size", both from the last RUNS reports of
    `/usr/bin/time -v` in TIME_LOG (a warm-up run, if any, comes first);
  - the output's size in bytes and files (regular files under OUTPUT_DIR);
  - for trede, the median of each `--verbose` stage time over the last RUNS
    runs in STAGES_LOG (`  loading            0.434s`).

`table` prints HEADER_FILE, then the tables: every measurement, the ratio of
trede to Hugo per size (same run only), and trede's stage times.
"""

import json
import os
import re
import statistics
import sys

STAGE = re.compile(r"^  (\S.*?)\s+([0-9]+(?:\.[0-9]+)?)s$")


def time_reports(path):
    """(user+sys seconds, max RSS kB) of each `/usr/bin/time -v` report."""
    reports, current = [], {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Command being timed:") and current:
                reports.append(current)
                current = {}
            key, _, value = line.partition(": ")
            if key == "User time (seconds)":
                current["user"] = float(value)
            elif key == "System time (seconds)":
                current["sys"] = float(value)
            elif key == "Maximum resident set size (kbytes)":
                current["rss"] = int(value)
            elif key == "Exit status":
                current["status"] = int(value)
    if current:
        reports.append(current)
    return reports


def stage_runs(path):
    """Each run's stages, as a list of {stage: seconds}; a run starts at `loading`."""
    runs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = STAGE.match(line.rstrip("\n"))
            if not m:
                continue
            name, seconds = m.group(1), float(m.group(2))
            if name == "loading" or not runs:
                runs.append({})
            runs[-1][name] = seconds
    return runs


def tree_size(path):
    files = size = 0
    for base, _, names in os.walk(path):
        for name in names:
            full = os.path.join(base, name)
            if os.path.isfile(full) and not os.path.islink(full):
                files += 1
                size += os.path.getsize(full)
    return files, size


def record(args):
    jsonl, tool, size, runs, hyperfine_json, time_log, output = args[:7]
    stages_log = args[7] if len(args) > 7 else None
    size, runs = int(size), int(runs)
    with open(hyperfine_json, encoding="utf-8") as f:
        result = json.load(f)["results"][0]
    times = result["times"][-runs:]
    reports = time_reports(time_log)[-runs:]
    if len(reports) < runs or any(r.get("status", 0) != 0 for r in reports):
        sys.exit(f"summarise: {time_log}: expected {runs} successful runs, found {reports}")
    files, nbytes = tree_size(output)
    entry = {
        "tool": tool,
        "size": size,
        "runs": len(times),
        "wall": statistics.median(times),
        "wall_min": min(times),
        "wall_max": max(times),
        "cpu": statistics.median(r["user"] + r["sys"] for r in reports),
        "rss_kb": max(r["rss"] for r in reports),
        "files": files,
        "bytes": nbytes,
    }
    if stages_log:
        per_run = stage_runs(stages_log)[-runs:]
        names = []
        for run in per_run:
            names += [n for n in run if n not in names]
        entry["stages"] = {
            n: statistics.median(run.get(n, 0.0) for run in per_run) for n in names
        }
    with open(jsonl, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
    print(
        f"summarise: {tool} {size}: median {entry['wall']:.2f} s, cpu {entry['cpu']:.2f} s, "
        f"peak RSS {entry['rss_kb'] / 1024:.0f} MB, {files} files, {nbytes} bytes",
        file=sys.stderr,
    )


def n(x):
    return f"{x:,}"


def table(args):
    jsonl, header = args
    entries = []
    if os.path.exists(jsonl):
        with open(jsonl, encoding="utf-8") as f:
            entries = [json.loads(line) for line in f if line.strip()]
    out = [open(header, encoding="utf-8").read().rstrip(), ""]
    out += [
        "| tool | organisations | runs | wall, median (s) | min-max (s) | CPU user+sys, median (s) | peak RSS (MB) | output bytes | output files | bytes per organisation |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in sorted(entries, key=lambda e: (e["size"], e["tool"] != "trede")):
        out.append(
            f"| {e['tool']} | {n(e['size'])} | {e['runs']} | {e['wall']:.2f} | "
            f"{e['wall_min']:.2f}-{e['wall_max']:.2f} | {e['cpu']:.2f} | {e['rss_kb'] / 1024:,.0f} | "
            f"{n(e['bytes'])} | {n(e['files'])} | {n(round(e['bytes'] / e['size']))} |"
        )
    by = {(e["tool"], e["size"]): e for e in entries}
    sizes = sorted({e["size"] for e in entries})
    pairs = [s for s in sizes if ("trede", s) in by and ("hugo", s) in by]
    if pairs:
        out += [
            "",
            "trede relative to Hugo, measured in the same run (below 1: trede is faster):",
            "",
            "| organisations | trede wall (s) | Hugo wall (s) | wall ratio trede/Hugo | CPU ratio trede/Hugo | peak RSS ratio trede/Hugo |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for s in pairs:
            t, h = by[("trede", s)], by[("hugo", s)]
            out.append(
                f"| {n(s)} | {t['wall']:.2f} | {h['wall']:.2f} | {t['wall'] / h['wall']:.2f} | "
                f"{t['cpu'] / h['cpu']:.2f} | {t['rss_kb'] / h['rss_kb']:.2f} |"
            )
    staged = [by[("trede", s)] for s in sizes if ("trede", s) in by and by[("trede", s)].get("stages")]
    if staged:
        names = []
        for e in staged:
            names += [k for k in e["stages"] if k not in names]
        out += [
            "",
            "trede's stages (`trede build -v`, median per stage over the same runs, seconds); "
            "`loading` + `computing` is the ladder engine: reading, parsing and validating "
            "every record, then the registry-wide checks and every level:",
            "",
            "| organisations | " + " | ".join(names) + " | loading + computing |",
            "|---:|" + "---:|" * (len(names) + 1),
        ]
        for e in staged:
            st = e["stages"]
            engine = st.get("loading", 0.0) + st.get("computing", 0.0)
            out.append(
                f"| {n(e['size'])} | "
                + " | ".join(f"{st.get(k, 0.0):.3f}" for k in names)
                + f" | {engine:.3f} |"
            )
    print("\n".join(out))


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("record", "table"):
        sys.exit(__doc__)
    {"record": record, "table": table}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
