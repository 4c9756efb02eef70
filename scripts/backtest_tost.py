#!/usr/bin/env python3
"""Equivalence of two versions of the model on every backtest target: two one-sided tests (TOST).

Why: a change that moves the random-stream layout (issue 28: the stock's annual reviews resolved in bulk) cannot keep
outputs byte-identical, so it must show that it changes nothing that matters. "Nothing that matters" is made exact
here: for every backtest target, the mean difference (after - before) is shown to lie within +/- a margin of half
that target's tolerance (`scenarios/targets/`), at 5% for each one-sided test (so the 90% interval of the difference
lies inside the margin).

The replications are paired: replication r of both versions uses the same seed and named streams (common random
numbers), so the test is on the per-replication differences (a paired t-test each side), which is the right test
for paired data and the tighter one.

    python scripts/backtest_tost.py run scenarios/england.yaml -n 20 --out before.json   # on the old version
    python scripts/backtest_tost.py run scenarios/england.yaml -n 20 --out after.json    # on the new version
    python scripts/backtest_tost.py run scenarios/england.yaml -n 20 --out after.json --resume  # add reps 5-19 to
                                                                                          # a file holding 0-4
    python scripts/backtest_tost.py compare before.json after.json                       # the table; exit 1 if any
                                                                                          # target is not shown equivalent
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import sys
from pathlib import Path
from typing import Any


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (Lentz's method)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betai(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_sf(t: float, df: int) -> float:
    """P(T > t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _betai(df / 2.0, 0.5, df / (df + t * t))
    return tail if t > 0 else 1.0 - tail


def t_quantile(p: float, df: int) -> float:
    """The t value with P(T <= t) = p (bisection on `t_sf`: exact enough for a table)."""
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 1.0 - t_sf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def tost(diffs: list[float], margin: float, alpha: float = 0.05) -> dict[str, Any]:
    """Paired TOST: H0 mean <= -margin or mean >= +margin; equivalent when both one-sided p-values < alpha."""
    n = len(diffs)
    mean = sum(diffs) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1)) if n > 1 else math.inf
    se = sd / math.sqrt(n)
    df = n - 1
    if se == 0.0:  # identical in every replication: equivalent iff the (constant) difference is inside the margin
        p_lo = 0.0 if mean > -margin else 1.0
        p_hi = 0.0 if mean < margin else 1.0
        half = 0.0
    else:
        p_lo = t_sf((mean + margin) / se, df)  # H0: mean <= -margin
        p_hi = 1.0 - t_sf((mean - margin) / se, df)  # H0: mean >= +margin
        half = t_quantile(1.0 - alpha, df) * se
    return {"n": n, "mean_diff": mean, "ci90": (mean - half, mean + half), "p_lower": p_lo, "p_upper": p_hi,
            "equivalent": max(p_lo, p_hi) < alpha}


def run(scenario: str, replications: int, seed: int | None, out: Path, resume: bool = False) -> None:
    """Every target's value in every replication, replication 0, 1, ... one at a time; `out` is rewritten after
    each, so a run stopped early still leaves its first replications (compared as pairs with the other file's).
    `resume`: keep the replications `out` already holds (same scenario, seed and targets) and run only the next ones:
    replication r is the same whether run in one go or resumed (its draws are keyed by seed and replication)."""
    from simulator.analysis.fit.backtest import METRICS, backtest_replication, default_targets, load_targets
    from simulator.rules.scenario import load_scenario

    loaded = load_scenario(scenario)
    sc = loaded.scenario
    sd = sc.seed if seed is None else seed
    targets = load_targets(default_targets(loaded.path, sc.name), sc.start_date, sc.end_date)
    rows = [{"metric": t.metric, "period": t.period, "observed": t.value, "tolerance": t.tolerance,
             "tolerance_kind": t.tolerance_kind, "values": []} for t in targets]
    first = 0
    if resume and out.exists():
        kept = json.loads(out.read_text())
        same = kept.get("scenario") == scenario and kept.get("seed") == sd and \
            [(k["metric"], k["period"]) for k in kept["rows"]] == [(k["metric"], k["period"]) for k in rows]
        if not same:
            raise SystemExit(f"error: {out}: another scenario, seed or set of targets; resume needs the same ones")
        rows, first = kept["rows"], int(kept["replications"])
        print(f"resuming: {first} of {replications} replications already in {out}", file=sys.stderr, flush=True)
    for r in range(first, replications):
        rep = backtest_replication(loaded, sd, r)
        gc.collect()  # a replication's journey holds reference cycles: without this, memory grows ~1 GB a replication
        for row in rows:
            row["values"].append(METRICS[row["metric"]].value(rep["by_period"].get(row["period"], {})))
        out.write_text(json.dumps({"scenario": scenario, "seed": sd, "replications": r + 1, "rows": rows}, indent=1))
        print(f"replication {r + 1}/{replications} done", file=sys.stderr, flush=True)


def margin_of(row: dict[str, Any]) -> float:
    """Half the target's tolerance, in the metric's own units (a relative tolerance is % of the observed value)."""
    tol = float(row["tolerance"])
    if row["tolerance_kind"] == "relative":
        tol = abs(float(row["observed"])) * tol / 100.0
    return tol / 2.0


def compare(before: Path, after: Path) -> int:
    b, a = json.loads(before.read_text()), json.loads(after.read_text())
    if b["seed"] != a["seed"]:
        raise SystemExit("before and after must use the same seed (the replications are paired)")
    n = min(b["replications"], a["replications"])  # the replications both have (a run may have been stopped)
    after_rows = {(r["metric"], r["period"]): r for r in a["rows"]}
    print(f"paired TOST, {n} replications, seed {b['seed']}, margin = half the target's tolerance, "
          f"alpha 0.05 each side")
    print(f"{'metric':<44} {'period':>7} {'before':>10} {'after':>10} {'diff':>9} {'90% CI of diff':>21} "
          f"{'margin':>8} {'p max':>7}  equivalent")
    bad = 0
    for rb in b["rows"]:
        ra = after_rows[(rb["metric"], rb["period"])]
        pairs = [(x, y) for x, y in zip(rb["values"][:n], ra["values"][:n], strict=True)
                 if x is not None and y is not None]
        m = margin_of(rb)
        t = tost([y - x for x, y in pairs], m)
        mb = sum(x for x, _ in pairs) / len(pairs)
        ma = sum(y for _, y in pairs) / len(pairs)
        lo, hi = t["ci90"]
        ok = t["equivalent"]
        bad += not ok
        print(f"{rb['metric']:<44} {rb['period']:>7} {mb:>10.4g} {ma:>10.4g} {t['mean_diff']:>9.3g} "
              f"[{lo:>9.3g}, {hi:>9.3g}] {m:>8.3g} {max(t['p_lower'], t['p_upper']):>7.2g}  {'yes' if ok else 'NO'}")
    print(f"{len(b['rows']) - bad}/{len(b['rows'])} targets shown equivalent")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the backtest's replications and keep every target's per-replication value")
    r.add_argument("scenario")
    r.add_argument("-n", "--replications", type=int, default=20)
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--resume", action="store_true", help="keep the replications --out holds; run the next ones")
    c = sub.add_parser("compare", help="the TOST table of two `run` files")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    a = ap.parse_args(argv)
    if a.cmd == "run":
        run(a.scenario, a.replications, a.seed, a.out, a.resume)
        return 0
    return compare(a.before, a.after)


if __name__ == "__main__":
    sys.exit(main())
