#!/usr/bin/env python3
"""Reference benchmark: `sendsim bench`'s engine against idiomatic SimPy on the same network, same run.

Why: the issue's target is the engine at 3x SimPy's children per second or better, with the same
accuracy against queueing theory. This script measures both in one process, alternating, so the
machine's state is shared: it prints each pair's children/s and their ratio (the median is the
figure), then the mean waits per stage against Erlang C with a 95% interval over replications.

    python benchmarks/bench_reference.py                       # 3 pairs of 200,000 children, 10 replications
    python benchmarks/bench_reference.py --pairs 5 --reps 20 --simpy-reps 5
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the SimPy model beside this file

from simpy_network import run_simpy  # noqa: E402

from simulator.engine.bench import load_network, run_bench, theory  # noqa: E402
from simulator.schema.network import Network  # noqa: E402

# Erlang C mean waits quoted in issue 6 for the reference network (means at exactly 80% utilisation)
ISSUE_ERLANG_C = {"decide": 0.2386, "assess": 0.2761, "draft_and_issue": 0.2955, "tribunal": 3.7926}


def t975(df: int) -> float:
    """Student t quantile 0.975 (table to 30 degrees of freedom, then the normal approximation)."""
    table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
             2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
             2.045, 2.042]
    return table[df - 1] if df <= len(table) else 1.96 + 2.4 / df


def interval(xs: list[float]) -> tuple[float, float, float]:
    m = statistics.fmean(xs)
    h = t975(len(xs) - 1) * statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else math.nan
    return m, m - h, m + h


def accuracy(run: Any, net: Network, reps: int, children: int, seed: int, warmup: float) -> dict[str, Any]:
    """Mean wait per stage over replications (seeds seed, seed+1, ...), with its 95% interval."""
    waits: dict[str, list[float]] = {s: [] for s in net.stages}
    for r in range(reps):
        out = run(net, children, seed + r, warmup)
        for s, w in out["mean_wait"].items():
            if w is not None:
                waits[s].append(w)
    return {s: interval(v) for s, v in waits.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--network", type=Path, default=HERE / "reference_network.yaml")
    ap.add_argument("--children", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=3, help="alternating timing runs of each engine")
    ap.add_argument("--reps", type=int, default=10, help="replications of our engine for the accuracy table")
    ap.add_argument("--simpy-reps", type=int, default=0, help="replications of the SimPy model too (slow)")
    ap.add_argument("--warmup", type=float, default=100.0, help="warm-up for the accuracy table (time units)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object at the end")
    a = ap.parse_args(argv)
    net = load_network(a.network)
    import simpy  # noqa: F401  (import time stays out of the measurement, as for our engine)

    print(f"{a.network.name}: {a.children:,} children, seed {a.seed}, {a.pairs} alternating pairs")
    print(f"{'pair':>4} {'ours children/s':>16} {'SimPy children/s':>17} {'ratio':>6}")
    ours_cps, simpy_cps, ratios = [], [], []
    last: dict[str, dict[str, Any]] = {}
    for i in range(a.pairs):
        o = run_bench(net, a.children, a.seed)
        s = run_simpy(net, a.children, a.seed)
        last = {"ours": o, "simpy": s}
        ours_cps.append(o["children_per_second"])
        simpy_cps.append(s["children_per_second"])
        ratios.append(o["children_per_second"] / s["children_per_second"])
        print(f"{i + 1:>4} {ours_cps[-1]:>16,.0f} {simpy_cps[-1]:>17,.0f} {ratios[-1]:>6.2f}")
    ratio = statistics.median(ratios)
    print(f"median: ours {statistics.median(ours_cps):,.0f}/s, SimPy {statistics.median(simpy_cps):,.0f}/s, "
          f"ratio {ratio:.2f} (target >= 3: {'met' if ratio >= 3 else 'NOT met'})")

    th = theory(net)
    print(f"\nmean wait per stage ({net.time_unit}); one run of each above, warm-up 0:")
    print(f"{'stage':<18} {'ours':>8} {'SimPy':>8} {'Erlang C':>9}")
    for st in net.stages:
        ec = th[st]["mean_wait"]
        print(f"{st:<18} {last['ours']['mean_wait'][st] or math.nan:>8.4f} "
              f"{last['simpy']['mean_wait'][st] or math.nan:>8.4f} {ec if ec is not None else math.nan:>9.4f}")

    acc = {"ours": accuracy(run_bench, net, a.reps, a.children, a.seed, a.warmup)} if a.reps else {}
    if a.simpy_reps:
        acc["simpy"] = accuracy(run_simpy, net, a.simpy_reps, a.children, a.seed, a.warmup)
    for engine, table in acc.items():
        n = a.reps if engine == "ours" else a.simpy_reps
        print(f"\n{engine}: mean wait over {n} replications of {a.children:,} children (seeds {a.seed}..."
              f"{a.seed + n - 1}), warm-up {a.warmup:g}, 95% interval")
        print(f"{'stage':<18} {'mean':>8} {'95% interval':>19} {'Erlang C':>9} {'issue':>7} {'inside':>6}")
        for st, (m, lo, hi) in table.items():
            ec = th[st]["mean_wait"]
            inside = ec is not None and lo <= ec <= hi
            quoted = ISSUE_ERLANG_C.get(st)
            print(f"{st:<18} {m:>8.4f} {lo:>9.4f} to {hi:<7.4f} {ec if ec is not None else math.nan:>9.4f} "
                  f"{quoted if quoted is not None else math.nan:>7.4f} {'yes' if inside else 'NO':>6}")
    if a.json:
        print(json.dumps({"ours_children_per_second": ours_cps, "simpy_children_per_second": simpy_cps,
                          "ratios": ratios, "median_ratio": ratio,
                          "accuracy": {e: {s: list(v) for s, v in t.items()} for e, t in acc.items()},
                          "erlang_c": {s: th[s]["mean_wait"] for s in net.stages}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
