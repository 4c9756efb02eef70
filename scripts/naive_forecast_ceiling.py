#!/usr/bin/env python3
"""How far can any forecast from the official figures beat persistence on an authority's % within 20 weeks?

Why this script: issue 21 asks the model's one-year-ahead forecast of each authority's % of new plans issued within
20 weeks to beat the better of persistence (last year's figure) and trend, by mean absolute error over authorities.
Before reading the model's error it helps to know the ceiling: how well simple statistical forecasts do that use
only what was published up to the origin. If none of them beats persistence by more than a fraction of a point, a
simulation that adds replication noise to the same information cannot be expected to beat it either, and a loss by
a point or two says more about the series than about the mechanism.

Each forecaster sees only figures up to the origin Y (every parameter below is fitted on year pairs up to Y):

- persistence: the authority's value at Y;
- trend: the value at Y plus its change from Y-1, held within 0-100;
- own mean: the mean of the authority's years up to Y;
- toward England (least squares): England's % at Y plus b x the authority's gap to England at Y, b the
  least-squares slope through 0 of next year's gap on this year's over every authority-year pair up to Y (the same
  rule as the shipped `capacity_gap_persistence_per_year`, fitted on the current series);
- toward England (least absolute deviations): the same with b fitted by least absolute deviations, the estimator
  whose loss is the issue's (mean absolute error);
- shrink 0.1: 0.9 x the authority's value at Y + 0.1 x England's.

Source: DfE SEN2 `timeliness_20_week.csv` (PC_plans_issued_20_weeks_ex: excluding regulation 10(4) exceptions, as
DfE's headline), authorities as published (no successor summing). It prints one row per origin with the mean
absolute error of each forecaster (and the root mean square error, which favours shrinkage), and needs no
simulation: a later DfE release adds its origin row by itself.

    python scripts/naive_forecast_ceiling.py            # table
    python scripts/naive_forecast_ceiling.py --json     # the same as JSON
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "sen2"
COLUMN = "PC_plans_issued_20_weeks_ex"
BREAKDOWN = "All EHC plans issued"


def read_series(path: Path) -> tuple[dict[str, dict[int, float]], dict[int, float]]:
    """Each authority's % within 20 weeks by calendar year, and England's."""
    la: dict[str, dict[int, float]] = {}
    nat: dict[int, float] = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["breakdown"] != BREAKDOWN:
                continue
            try:
                v = float(r[COLUMN])
            except ValueError:  # suppressed ("x", "c", "z")
                continue
            y = int(str(r["time_period"])[:4])
            if r["geographic_level"] == "National":
                nat[y] = v
            elif r["geographic_level"] == "Local authority":
                la.setdefault(r["new_la_code"], {})[y] = v
    return la, nat


def gap_pairs(la: Mapping[str, Mapping[int, float]], nat: Mapping[int, float], up_to: int) -> tuple[np.ndarray,
                                                                                                    np.ndarray]:
    """(gap in year y, gap in year y+1) for every authority and every y+1 <= up_to."""
    xs, ys = [], []
    for by in la.values():
        for y in sorted(by):
            if y + 1 <= up_to and y + 1 in by and y in nat and y + 1 in nat:
                xs.append(by[y] - nat[y])
                ys.append(by[y + 1] - nat[y + 1])
    return np.asarray(xs), np.asarray(ys)


def slope_least_squares(xs: np.ndarray, ys: np.ndarray) -> float:
    """Least-squares slope through 0."""
    return float(xs @ ys / (xs @ xs))


def slope_least_absolute(xs: np.ndarray, ys: np.ndarray) -> float:
    """Slope through 0 minimising sum |y - b x|: the weighted median of y/x with weights |x|."""
    keep = xs != 0
    ratio, weight = ys[keep] / xs[keep], np.abs(xs[keep])
    order = np.argsort(ratio)
    cum = np.cumsum(weight[order])
    return float(ratio[order][np.searchsorted(cum, cum[-1] / 2.0)])


def forecasters(la: Mapping[str, Mapping[int, float]], nat: Mapping[int, float], origin: int
                ) -> dict[str, Callable[[Mapping[int, float]], float]]:
    """The forecasters of year origin+1, each fitted on figures up to the origin only."""
    xs, ys = gap_pairs(la, nat, origin)
    b_ls, b_lad = slope_least_squares(xs, ys), slope_least_absolute(xs, ys)
    n = nat[origin]
    return {
        "persistence": lambda by: by[origin],
        "trend": lambda by: min(100.0, max(0.0, 2 * by[origin] - by.get(origin - 1, by[origin]))),
        "own mean": lambda by: float(np.mean([v for y, v in by.items() if y <= origin])),
        f"toward England, least squares (b={b_ls:.2f})": lambda by: n + b_ls * (by[origin] - n),
        f"toward England, least absolute (b={b_lad:.2f})": lambda by: n + b_lad * (by[origin] - n),
        "shrink 0.1 toward England": lambda by: 0.9 * by[origin] + 0.1 * n,
    }


def ceiling(la: Mapping[str, Mapping[int, float]], nat: Mapping[int, float]) -> list[dict]:
    """One row per origin with a following year: each forecaster's mean absolute and root mean square error."""
    rows = []
    years = sorted(nat)
    for origin in years[1:-1]:
        cases = [by for by in la.values() if origin in by and origin + 1 in by]
        out = {"origin": origin, "projected": origin + 1, "authorities": len(cases), "mae": {}, "rmse": {}}
        for name, f in forecasters(la, nat, origin).items():
            err = np.asarray([f(by) - by[origin + 1] for by in cases])
            out["mae"][name] = round(float(np.mean(np.abs(err))), 2)
            out["rmse"][name] = round(float(math.sqrt(np.mean(err ** 2))), 2)
        rows.append(out)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA / "timeliness_20_week.csv")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = ceiling(*read_series(args.data))
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(f"origin {r['origin']} -> {r['projected']} ({r['authorities']} authorities): mean absolute error, "
              "points (root mean square)")
        for name, mae in sorted(r["mae"].items(), key=lambda kv: kv[1]):
            print(f"  {name:45s} {mae:6.2f}  ({r['rmse'][name]:.2f})")


if __name__ == "__main__":
    main()
