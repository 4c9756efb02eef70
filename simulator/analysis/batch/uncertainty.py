"""`compare --uncertainty N`: paired differences with an interval over the declared assumptions and the replications
together, beside the replication-only interval of the comparison.

Why: a comparison's 95% interval says how much the dice move a difference, with every assumption held at its
central value. Beyond the data, and for a reform whose effect sizes nobody has measured, the assumptions move it more.
Here N points of a Latin hypercube are drawn over the declared ranges (the projection in use, and every ranged effect
of the switches that differ), both rule sets run at each point with common random numbers (same seed, same
replications), and the 2.5th-97.5th percentiles of all the paired differences (points x replications) are the
interval over assumptions and replications. An in-force date the rule set states as an assumption with a range (the
White Paper's legal changes: "not before September 2030", assumed 1 September 2030, range to 2035) is drawn too, as
a day in its range; switches that share one date and one range (one commencement) are drawn together, and a
scenario's own `in_force:` date for a switch is kept as stated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from ...rules.scenario import LoadedScenario, load_scenario
from ...schema.files import InputError
from ...schema.projection import Variant
from ...schema.sweep import Sweep
from .plan import IN_FORCE, BatchResult, Parameter, Plan, unit_points
from .sweep_plan import plan

# the figures reported with both intervals: headline totals and states, and the same by calendar year
UNCERTAINTY_METRICS = ("requests", "new_plans", "plans_in_force_end", "within_20_weeks_pct", "appeals_registered",
                       "cost_total_gbp")
BY_YEAR = ("new_plans", "plans_in_force_january", "requests", "appeals_registered", "cost_total_gbp")


def uncertainty_plan(scenario: str | Path, rules_a: str, rules_b: str, n: int, seed: int | None = None,
                     until: dt.date | None = None, replications: int = 2) -> Plan:
    """The Latin hypercube over the projection in use and the ranged effects of both rule sets' switches."""
    la = load_scenario(scenario, rules_a, until)
    lb = load_scenario(scenario, rules_b, until)
    paths: list[str] = []
    sc = la.scenario
    if sc.projection is not None and sc.end_date.year > sc.projection.last_data_year:
        use = la.projection["name"] if la.projection else sc.projection.use
        v = sc.projection.variants[use]
        for key in Variant.model_fields:
            node = getattr(v, key)
            if key != "description" and node.range is not None and node.range[0] < node.range[1]:
                paths.append(f"scenario.projection.variants.{use}.{key}")
    for side in (la, lb):
        for ch in side.changes:
            if ch.range is not None and ch.range[0] < ch.range[1] and isinstance(ch.value, (int, float)) \
                    and not isinstance(ch.value, bool) and f"rules.{ch.path}" not in paths:
                paths.append(f"rules.{ch.path}")
    if not paths:
        raise InputError(["--uncertainty: nothing to vary: neither the projection nor the changed rules declare a "
                          "range"])
    sc_path = Path(scenario)
    fields: dict[str, Any] = {"name": "compare-uncertainty",
                              "scenario": str(sc_path.resolve()) if sc_path.is_file() else str(scenario),
                              "rules": [rules_a, rules_b], "until": until, "seed": seed if seed is not None else sc.seed,
                              "replications": replications, "design": {"kind": "lhs", "samples": n, "seed": 0},
                              "parameters": [{"path": p} for p in paths], "outputs": list(UNCERTAINTY_METRICS)}
    try:
        sweep = Sweep.model_validate(fields)
    except Exception as e:
        raise InputError([f"--uncertainty: {' '.join(str(e).split())}"]) from None
    p = plan(sweep, Path(f"--uncertainty {n}"))
    dated = in_force_parameters(la, lb)
    if not dated:
        return p
    params = (*p.parameters, *dated)
    return dataclasses.replace(p, parameters=params, unit=unit_points(p.design, len(params)))


def in_force_parameters(*sides: LoadedScenario) -> list[Parameter]:
    """One parameter per commencement whose date is a ranged assumption and falls after the run's start: the
    switches sharing a stated date and range, named `in_force.A+B`, valued in day numbers over the range in each
    rule set that has them (None: not varied there). A date the scenario states for a switch is not drawn."""
    groups: dict[tuple[str, tuple[str, str]], list[str]] = {}
    for side in sides:
        sc = side.scenario
        for ch in side.changes:
            r = ch.in_force_range
            if r is None or ch.in_force == "start" or ch.switch in sc.in_force or r[0] >= r[1] \
                    or dt.date.fromisoformat(r[1]) <= sc.start_date:
                continue
            names = groups.setdefault((ch.in_force, r), [])
            if ch.switch not in names:
                names.append(ch.switch)
    out = []
    for (_date, (lo, hi)), names in sorted(groups.items()):
        rng = (float(dt.date.fromisoformat(lo).toordinal()), float(dt.date.fromisoformat(hi).toordinal()))
        has = [any(ch.switch in names for ch in side.changes) for side in sides]
        out.append(Parameter(IN_FORCE + "+".join(sorted(names)), tuple(rng if h else None for h in has),
                             tuple(None for _ in sides)))
    return out


def _shown(q: Parameter) -> list[Any]:
    """A parameter's ranges as the summary shows them: in-force dates as ISO dates, other values as they are."""
    dated = q.name.startswith(IN_FORCE)
    return [None if r is None else [dt.date.fromordinal(int(x)).isoformat() for x in r] if dated else list(r)
            for r in q.ranges]


def _interval(xs: list[float]) -> dict[str, Any]:
    a = np.asarray(xs, dtype=float)
    return {"mean": float(f"{a.mean():.6g}"), "interval95": [float(f"{np.quantile(a, 0.025):.6g}"),
                                                             float(f"{np.quantile(a, 0.975):.6g}")], "n": int(a.size)}


def summarise_uncertainty(res: BatchResult, comparison: dict[str, Any]) -> dict[str, Any]:
    """Each metric's paired difference over assumptions and replications (mean, 2.5-97.5 percentiles of every
    point x replication), beside the comparison's replication-only interval; the same by calendar year."""
    p = res.plan
    tasks = p.tasks()
    values: dict[tuple[int, int, int], dict[tuple[str, str], float | None]] = {}
    for t, rows in zip(tasks, res.rows, strict=True):
        # rows are the tidy records (metric, period, group_by, group, value): everyone's numbers only
        values[(t.point, t.rules, t.replication)] = {(r[0], r[1]): r[-1] for r in rows if r[-2] == "all"}
    points, reps = len(p.unit), p.replications

    def diffs(metric: str, period: str) -> list[float]:
        out = []
        for pt in range(points):
            for rep in range(reps):
                a = values[(pt, 0, rep)].get((metric, period))
                b = values[(pt, 1, rep)].get((metric, period))
                if a is not None and b is not None:
                    out.append(b - a)
        return out

    metrics = {}
    for m in UNCERTAINTY_METRICS:
        xs = diffs(m, "all")
        if xs:
            base = comparison["metrics"].get(m, {})
            metrics[m] = {"assumptions_and_replications": _interval(xs),
                          "replications_only": {"mean": base.get("diff"), "ci95": base.get("diff_ci95")}}
    by_year: dict[str, dict[str, Any]] = {}
    for y in comparison.get("by_year", {}):
        for m in BY_YEAR:
            xs = diffs(m, y)
            if xs:
                base = comparison["by_year"][y].get(m, {})
                by_year.setdefault(y, {})[m] = {"assumptions_and_replications": _interval(xs),
                                                "replications_only": {"mean": base.get("diff"),
                                                                      "ci95": base.get("diff_ci95")}}
    return {"draws": points, "replications_per_draw": reps, "design": "Latin hypercube",
            "parameters": [{"name": q.name, "ranges": _shown(q)} for q in p.parameters],
            "note": ("interval over assumptions and replications: 2.5th-97.5th percentiles of the paired differences "
                     "of every draw and replication (same seed and replications under both rule sets); "
                     "in-force dates stated as ranged assumptions drawn over their ranges"
                     if any(q.name.startswith(IN_FORCE) for q in p.parameters) else
                     "interval over assumptions and replications: 2.5th-97.5th percentiles of the paired differences "
                     "of every draw and replication (same seed and replications under both rule sets); "
                     "no in-force date is a ranged assumption here"),
            "metrics": metrics, "by_year": by_year}
