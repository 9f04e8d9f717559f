#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench-report.py JSON DATFILE MACHINE: print dmabuf-bench results as the
Markdown table of docs/benchmarks.md and write DATFILE for bench-plot.gp
(one line per row: label, then each provider relative to ours-system)."""
import datetime
import json
import sys

res = json.load(open(sys.argv[1]))
dat, machine = sys.argv[2], sys.argv[3]
provs = list(res["providers"])
yard = [p for p in provs if not p.startswith("ours-")]


def size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:g} {unit}"
        n /= 1024


def cell(row, p):
    v = row["values"][p]
    if v is None:
        note = row["notes"].get(p)
        if note:
            return note
        return "n/a" if res["providers"][p] else "missing"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


names = {
    "alloc_free": "alloc+free",
    "alloc_warm_pool": "alloc from a warm pool",
    "alloc_free_sustained": "alloc+free, sustained",
    "mmap_first_touch": "mmap + first touch",
    "mmap": "mmap + munmap (untouched)",
    "disk_read_direct": "O_DIRECT read from disk into mapping",
    "disk_read_copy": "O_DIRECT read into heap buffer + memcpy into mapping",
    "write_bw": "write through mapping",
    "read_bw": "read through mapping",
    "sync_start_end": "SYNC start+end",
    "import": "import existing memory",
    "vgem_import": "vgem import (attach+map) + release",
    "vgem_sync_whole": "SYNC start+end of all, vgem-mapped",
    "vgem_sync_part": "start+end for 1/256, vgem-mapped (ours: SYNC_RANGE)",
}
today = datetime.date.today().isoformat()
print(f"Run {today}, kernel {res['kernel']}, {machine}; dmabuf-bench "
      f"{res['version']}, median of {res['reps']} repetitions "
      f"(at least {res['min_time_ms']:g} ms each).\n")
print("| row | size | unit | " + " | ".join(provs) + " | "
      + " | ".join(f"ours vs {p}" for p in yard) + " |")
print("|---" * (3 + len(provs) + len(yard)) + "|")
with open(dat, "w") as d:
    for row in res["results"]:
        label = names.get(row["metric"], row["metric"])
        unit = row["unit"] + (" (lower is better)" if row["better"] == "lower"
                              else "")
        ratios = [row["ours_speedup"].get(p) for p in yard]
        print(f"| {label} | {size(row['size'])} | {unit} | "
              + " | ".join(cell(row, p) for p in provs) + " | "
              + " | ".join(f"{r:.2f}x" if r else "-" for r in ratios) + " |")
        # Plot: speed of each provider relative to ours-system (1 = same).
        ours = row["values"]["ours-system"]
        rel = []
        for p in provs:
            v = row["values"][p]
            if v is None or not ours:
                rel.append("NaN")
            elif row["better"] == "higher":
                rel.append(f"{v / ours:.4g}")
            else:
                rel.append(f"{ours / v:.4g}")
        short = {"vgem_import": "vgem import",
                 "vgem_sync_whole": "sync all, vgem",
                 "vgem_sync_part": "sync 1/256, vgem"}.get(row["metric"],
                                                          label)
        d.write(f'"{short} {size(row["size"])}" ' + " ".join(rel) + "\n")
print("\nSpeed ratio: above 1.00x, ours-system is faster than that yardstick "
      "(latency rows: its time / ours; bandwidth rows: ours / its).")
