#!/usr/bin/env python3
"""National benchmark: one replication of England, its wall time, peak memory and scaling.

Why: calibration and sensitivity analysis run the national scenario thousands of times, so what one
replication costs decides what can be asked. The targets (issue 28; issue 6 set 10 s and 2x): one
national calendar year in at most 3 s and 1 GB with the event log off, time linear in the number of
children (CPU time at 2x over 1x at most 2.2), and the event log costing at most 1.3x. Times are CPU
times (`time.process_time`) as well as wall times: the machine is shared, and CPU time is the less
disturbed figure; compare versions in alternating runs.

Each measurement runs in a fresh process (so peak memory is that run's alone, and nothing is cached
between runs). The scaled scenarios are copies of `scenarios/england.yaml` with every authority's
requests (`requests_per_year`, `requests_by_year`) and plans in force (`stock_*`) multiplied, written
to a temporary folder beside a copy of `scenarios/rules`. By default the copies are cut to the first
calendar year (`--years 1`, the issue's "national year"); `--years 0` keeps the scenario's own span.

    python benchmarks/bench_national.py                    # table: scaling, event log on vs off
    python benchmarks/bench_national.py --profile 25       # and the top functions by own time
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENGLAND = ROOT / "scenarios" / "england.yaml"


def _scale_sourced(node: Any, factor: float, integer: bool = False) -> Any:
    """A number, or a sourced number ({value: ..., source: ...}), multiplied by `factor`."""
    if isinstance(node, dict) and "value" in node:
        return {**node, "value": _scale_sourced(node["value"], factor, integer)}
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return max(1, int(round(node * factor))) if integer else float(node) * factor
    return node


def scaled_copy(src: Path, factor: float, years: int, folder: Path, capacity: bool = False) -> Path:
    """A copy of `src` with every authority's requests and stock multiplied by `factor`; first `years` only.

    With `capacity`, the staff (every `*_servers`) and the tribunal's hearings and backlog are scaled too,
    so the system is as loaded as the original rather than overloaded (or idle).
    """
    doc = yaml.safe_load(src.read_text())
    for la in doc["local_authorities"]["items"]:
        if la.get("requests_per_year") is not None:
            la["requests_per_year"] = float(la["requests_per_year"]) * factor
        if la.get("requests_by_year"):
            la["requests_by_year"] = {y: float(v) * factor for y, v in la["requests_by_year"].items()}
        for k in list(la):
            if k.startswith("stock_") and isinstance(la[k], dict):  # counts by age band (`stock_age`)
                la[k] = {band: int(round(v * factor)) for band, v in la[k].items()}
            elif k.startswith("stock_") and la[k] is not None:
                la[k] = int(round(la[k] * factor))
            if capacity and k.endswith("_servers") and la[k] is not None:
                la[k] = _scale_sourced(la[k], factor, integer=True)
    trib = doc.get("tribunal", {})
    if capacity:
        for k in ("hearings_per_year", "backlog_at_start"):
            if k in trib:
                trib[k] = _scale_sourced(trib[k], factor, integer=k == "backlog_at_start")
        if isinstance(trib.get("hearings_per_year_by_year"), dict):
            trib["hearings_per_year_by_year"] = {y: _scale_sourced(v, factor)
                                                 for y, v in trib["hearings_per_year_by_year"].items()}
    if years > 0:
        start = dt.date.fromisoformat(str(doc["start_date"]))
        doc["end_date"] = dt.date(start.year + years - 1, 12, 31).isoformat()
    rules = folder / "rules"
    if not rules.exists():
        shutil.copytree(src.parent / "rules", rules)
    out = folder / f"{src.stem}_x{factor:g}_y{years}{'_cap' if capacity else ''}.yaml"
    out.write_text(yaml.safe_dump(doc, sort_keys=False))
    return out


# one measurement, run in a child process: `python bench_national.py --child SCENARIO MODE`
_CHILD = r"""
import gc, json, resource, sys, time, tracemalloc
from pathlib import Path
from simulator.rules.scenario import load_scenario
from simulator.analysis.runs.run import run_replication

path, mode, seed, trace, prof = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
t0 = time.perf_counter()
loaded = load_scenario(path)
load_s = time.perf_counter() - t0
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if trace:
    tracemalloc.start()
pr = None
if prof:
    import cProfile
    pr = cProfile.Profile()
    pr.enable()
t = time.perf_counter()
c = time.process_time()
if mode in ("events", "tables"):  # the run's files: events.parquet (if "events") and journeys.parquet
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        res = run_replication(loaded, seed, 0, rep_dir=Path(d), events=mode == "events")
        written = sum(f.stat().st_size for f in Path(d).iterdir())
else:
    res = run_replication(loaded, seed, 0, events=False)
    written = 0
wall = time.perf_counter() - t
cpu = time.process_time() - c
if pr is not None:
    pr.disable()
    import io, pstats
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(prof)
    print(s.getvalue(), file=sys.stderr)
peak_traced = tracemalloc.get_traced_memory()[1] if trace else None
out = {"wall_seconds": wall, "cpu_seconds": cpu, "load_seconds": load_s, "children": res["children"],
       "events_processed": res["events_processed"], "written_bytes": written,
       "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "rss_before_run_mb": rss_before / 1024,
       "peak_traced_mb": None if peak_traced is None else peak_traced / 2**20}
print(json.dumps(out))
"""


def measure(scenario: Path, mode: str, seed: int, trace: bool = False, profile: int = 0) -> dict[str, Any]:
    """Run one replication in a fresh interpreter; its figures as a dict (profile text goes to stderr)."""
    cmd = [sys.executable, "-c", _CHILD, str(scenario), mode, str(seed), "1" if trace else "0", str(profile)]
    o = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if o.returncode:
        raise SystemExit(f"run failed ({scenario.name}, {mode}):\n{o.stderr.strip()}")
    if profile:
        print(o.stderr, file=sys.stderr)
    return json.loads(o.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=ENGLAND)
    ap.add_argument("--years", type=int, default=1, help="calendar years kept from the start (0: all)")
    ap.add_argument("--scales", default="0.5,1,2", help="multipliers of children for the scaling table")
    ap.add_argument("--scale-capacity", action="store_true",
                    help="scale staff and tribunal hearings with the children (same load, not an overloaded system)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per row (the one with least CPU time is shown)")
    ap.add_argument("--no-events-row", action="store_true",
                    help="skip the x1 runs that write files (journeys.parquet alone; with the event log)")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also peak Python-heap memory by tracemalloc (slows the run ~2x; separate runs)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile the 1x run with cProfile and print the top N functions by own time")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    a = ap.parse_args(argv)

    scales = [float(x) for x in a.scales.split(",")]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for f in scales:
            path = scaled_copy(a.scenario, f, a.years, folder, a.scale_capacity)
            best = min((measure(path, "off", a.seed) for _ in range(a.repeat)), key=lambda r: r["cpu_seconds"])
            row = {"scale": f, "event_log": "off", **best}
            if a.tracemalloc:
                row["peak_traced_mb"] = measure(path, "off", a.seed, trace=True)["peak_traced_mb"]
            rows.append(row)
            print(f"  x{f:g} event log off: {best['wall_seconds']:.2f} s", file=sys.stderr)
        if not a.no_events_row:
            path = scaled_copy(a.scenario, 1.0, a.years, folder)
            for mode, label in (("tables", "off+files"), ("events", "on")):
                best = min((measure(path, mode, a.seed) for _ in range(a.repeat)), key=lambda r: r["cpu_seconds"])
                rows.append({"scale": 1.0, "event_log": label, **best})
                print(f"  x1 event log {label}: {best['wall_seconds']:.2f} s", file=sys.stderr)
        if a.profile:
            measure(scaled_copy(a.scenario, 1.0, a.years, folder), "off", a.seed, profile=a.profile)

    span = f"first {a.years} calendar year(s)" if a.years else "the scenario's full span"
    what = "requests, stock, staff and hearings" if a.scale_capacity else "requests and stock"
    print(f"{a.scenario.name}, {span}, seed {a.seed}, one replication per row, one core; scale multiplies {what}")
    print(f"{'scale':>5} {'event log':>9} {'children':>10} {'events':>11} {'wall s':>7} {'cpu s':>7} "
          f"{'us/event':>8} {'children/s':>10} {'peak RSS MB':>11} {'traced MB':>9}")
    for r in rows:
        traced = r.get("peak_traced_mb")
        print(f"{r['scale']:>5g} {r['event_log']:>9} {r['children']:>10,} {r['events_processed']:>11,} "
              f"{r['wall_seconds']:>7.2f} {r['cpu_seconds']:>7.2f} "
              f"{1e6 * r['cpu_seconds'] / max(r['events_processed'], 1):>8.2f} "
              f"{r['children'] / r['cpu_seconds']:>10,.0f} {r['peak_rss_mb']:>11.0f} "
              f"{'-' if traced is None else f'{traced:.0f}':>9}")
    off = {r["scale"]: r for r in rows if r["event_log"] == "off"}
    if 1.0 in off:
        base = off[1.0]
        print("\nscaling, relative to x1 (CPU time: less disturbed than wall time by other work on the machine):")
        for f, r in sorted(off.items()):
            print(f"  x{f:g}: children {r['children'] / base['children']:.2f}x, "
                  f"events {r['events_processed'] / base['events_processed']:.2f}x, "
                  f"CPU time {r['cpu_seconds'] / base['cpu_seconds']:.2f}x")
        on = [r for r in rows if r["event_log"] == "on"]
        files = [r for r in rows if r["event_log"] == "off+files"]
        if on:
            print(f"\nevent log on / off at x1: {on[0]['cpu_seconds'] / base['cpu_seconds']:.2f}x CPU time "
                  f"({on[0]['written_bytes'] / 2**20:.1f} MB written: events.parquet and journeys.parquet)")
        if files:
            print(f"journeys.parquet alone (event log off, run folder written) / off: "
                  f"{files[0]['cpu_seconds'] / base['cpu_seconds']:.2f}x CPU time")
        two = off.get(2.0)
        on_ratio = on[0]["cpu_seconds"] / base["cpu_seconds"] if on else None
        print(f"\ntargets (issue 28, CPU time): x1 <= 3 s: {'met' if base['cpu_seconds'] <= 3 else 'NOT met'}; "
              f"peak <= 1 GB: {'met' if base['peak_rss_mb'] <= 1024 else 'NOT met'}"
              + ("" if on_ratio is None else f"; event log on/off <= 1.3: {'met' if on_ratio <= 1.3 else 'NOT met'}")
              + ("" if two is None else f"; x2/x1 <= 2.2: "
                 f"{'met' if two['cpu_seconds'] / base['cpu_seconds'] <= 2.2 else 'NOT met'}"))
    if a.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
