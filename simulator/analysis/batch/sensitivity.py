"""Which assumptions drive a result: Morris and Sobol indices from a finished batch, and "keeps its sign".

For each chosen output, the value at a point is the mean over its replications (common random numbers, so the
noise is the same at every point and does not pass for an effect of a parameter). Indices are computed for each
rule set's level and for each rule set's paired difference from the first (the reform's effect), over the unit
positions of the design, so Morris `mu_star` is the mean absolute change of the output when a parameter moves by
its whole declared range (with a bootstrap 95% half-width, `mu_star_conf`) and Sobol `S1`/`ST` are shares of the
output's variance. For every difference, whether its sign is the same at every point of the design says whether
the reform's direction survives every combination of assumptions tried.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..runs.metrics import METRIC_LABELS
from ..runs.table import HORIZON
from .plan import BatchResult

RESAMPLES = 1000


def point_means(res: BatchResult, metric: str) -> np.ndarray:
    """points x rule sets: the output's mean over replications (NaN where a replication has no value)."""
    p = res.plan
    acc = np.zeros((len(p.unit), len(p.rules)))
    cnt = np.zeros_like(acc)
    bad = np.zeros_like(acc, dtype=bool)
    for t, rows in zip(p.tasks(), res.rows, strict=True):
        v = next((r.value for r in rows if r.metric == metric and r.period == HORIZON and r.group_by == HORIZON), None)
        if v is None:
            bad[t.point, t.rules] = True
        else:
            acc[t.point, t.rules] += v
            cnt[t.point, t.rules] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        out = acc / cnt
    out[bad] = np.nan
    return out


def _indices(res: BatchResult, y: np.ndarray) -> list[dict[str, Any]] | None:
    p = res.plan
    k = len(p.parameters)
    problem = {"num_vars": k, "names": [q.name for q in p.parameters], "bounds": [[0.0, 1.0]] * k}
    if p.design.kind == "morris":
        from SALib.analyze import morris

        a = morris.analyze(problem, p.unit, y, num_resamples=RESAMPLES, conf_level=0.95,
                           num_levels=p.design.morris_levels, seed=p.design.seed)
        rows = [{"parameter": q.name, "mu_star": float(a["mu_star"][j]),
                 "mu_star_conf": float(a["mu_star_conf"][j]), "mu": float(a["mu"][j]),
                 "sigma": float(a["sigma"][j])} for j, q in enumerate(p.parameters)]
        return sorted(rows, key=lambda r: (-r["mu_star"], r["parameter"]))
    if p.design.kind == "sobol":
        from SALib.analyze import sobol

        a = sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=0.95,
                          seed=p.design.seed)
        rows = [{"parameter": q.name, "S1": float(a["S1"][j]), "S1_conf": float(a["S1_conf"][j]),
                 "ST": float(a["ST"][j]), "ST_conf": float(a["ST_conf"][j])} for j, q in enumerate(p.parameters)]
        return sorted(rows, key=lambda r: (-r["ST"], r["parameter"]))
    return None


def _entry(res: BatchResult, metric: str, of: str, kind: str, y: np.ndarray) -> dict[str, Any]:
    ok = bool(np.all(np.isfinite(y)))
    e: dict[str, Any] = {"metric": metric, "label": METRIC_LABELS.get(metric, metric), "of": of, "kind": kind,
                         "points": int(len(y)), "min": float(np.nanmin(y)) if np.any(np.isfinite(y)) else None,
                         "max": float(np.nanmax(y)) if np.any(np.isfinite(y)) else None}
    if kind == "difference":
        e["keeps_sign"] = bool(ok and (np.all(y > 0) or np.all(y < 0)))
    if not ok:
        e["indices"] = None
        e["note"] = "no value at some point (e.g. a percentage of zero cases): no indices"
        return e
    e["indices"] = _indices(res, y)
    return e


def sensitivity(res: BatchResult) -> dict[str, Any]:
    """Indices of every chosen output, for levels and for each rule set's difference from the first."""
    p = res.plan
    out: list[dict[str, Any]] = []
    for metric in p.outputs:
        y = point_means(res, metric)
        for r, name in enumerate(p.rules):
            out.append(_entry(res, metric, name, "level", y[:, r]))
        for r in range(1, len(p.rules)):
            out.append(_entry(res, metric, f"{p.rules[r]} - {p.rules[0]}", "difference", y[:, r] - y[:, 0]))
    return {"design": p.design.kind, "parameters": [q.name for q in p.parameters], "points": len(p.unit),
            "replications": p.replications, "outputs": out}
