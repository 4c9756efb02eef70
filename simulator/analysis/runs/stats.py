"""Means and 95% confidence intervals over replications, and the bounds a metric can take.

Student's t over replications (each replication is one independent draw of the whole system); ratio metrics are
averaged over replications, not formed from averaged counts.
"""

from __future__ import annotations

import math
from typing import Any

# two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (then the normal value)
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]


def t975(df: int) -> float:
    if df <= 0:
        return math.nan
    if df <= 30:
        return _T975[df - 1]
    return 1.960 + 2.4 / df  # within 0.002 of the exact value for df > 30


def bounds(metric: str) -> tuple[float, float]:
    """What a metric can be: every metric here is a count, a duration, a cost (>= 0) or a percentage (0-100)."""
    return (0.0, 100.0) if metric.endswith("_pct") else (0.0, math.inf)


def summarise(values: list[float | None], within: tuple[float, float] | None = None) -> dict[str, Any]:
    """Mean and 95% t-interval over replications (None where a replication had no value). With `within`, the
    interval is cut at what the metric can be (a count's interval from 2 replications can reach below 0)."""
    xs = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    n = len(xs)
    if n == 0:
        return {"mean": None, "ci95": [None, None], "n": 0}
    mean = sum(xs) / n
    if n == 1:
        return {"mean": _r(mean), "ci95": [None, None], "n": 1}
    var = sum((x - mean) ** 2 for x in xs) / (n - 1)
    half = t975(n - 1) * math.sqrt(var / n)
    lo, hi = mean - half, mean + half
    if within is not None:
        lo, hi = max(lo, within[0]), min(hi, within[1])
    return {"mean": _r(mean), "ci95": [_r(lo), _r(hi)], "n": n}


def _r(x: float) -> float:
    return float(f"{x:.6g}") if x == x else x


def aggregate(reps: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(reps[0]["metrics"])
    metrics = {k: summarise([r["metrics"].get(k) for r in reps], bounds(k)) for k in keys}
    periods = sorted({p for r in reps for p in r["by_period"]}, key=_period_key)
    by_period: dict[str, Any] = {}
    for p in periods:
        ks = sorted({k for r in reps for k in r["by_period"].get(p, {})})
        by_period[p] = {k: summarise([r["by_period"].get(p, {}).get(k) for r in reps], bounds(k)) for k in ks}
    out: dict[str, Any] = {"metrics": metrics, "by_period": by_period}
    if any("by_group" in r for r in reps):
        out["by_group"] = {dim: {value: {k: summarise([(r.get("by_group", {}).get(dim, {}).get(value) or {}).get(k)
                                                       for r in reps], bounds(k)) for k in keys}
                                 for value in sorted({v for r in reps for v in r.get("by_group", {}).get(dim, {})})}
                           for dim in dict.fromkeys(d for r in reps for d in r.get("by_group", {}))}
    return out


def _period_key(p: str) -> tuple[int, str]:
    return (int(p[:4]), p)
