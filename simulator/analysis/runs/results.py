"""Reading a finished run folder or comparison folder back, and the numbers its charts and summary need.

Why a module of its own: `sendsim report`, `sendsim compare --out` and the web page all draw from folders on disk,
never from a live engine, so a report can be made again from the files alone (and from a colleague's folder).
A run folder has `summary.json`, `manifest.json` and `replications/rep-NNN/journeys.parquet`; a comparison folder
(`compare --out`) has `compare.json` and the two run folders `1-<A>/` and `2-<B>/`.

Everything here is a number with its interval over replications (`stats.summarise`); the words and pictures are
the report layer's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...rules.law import compile_law
from ...schema.files import InputError
from ...schema.rules import RuleSet
from .folder import read_marker
from .interrupted import comparison_hint, run_hint
from .metrics import REGISTRY
from .readback import Comparison, Manifest, ManyComparisons, Summary, read_json_model
from .stats import bounds, summarise

JOURNEY_COLUMNS = ("request_day", "stock_plan_at_start", "final_plan_day", "provision_in_place_day",
                   "redress_capacity", "appeals", "disputes", "refused_to_assess", "plan_after_appeal",
                   "status_at_end")
CAPACITIES = ("low", "medium", "high")  # family redress capacity, as the population draws it


@dataclass
class RunData:
    """One rule set's run folder: its summary, its manifest, and the new requests' journeys."""

    folder: Path
    name: str  # the rule set's name (current_2014, green_paper_2022+switch)
    label: str  # the rule set's display name, from the rule set file
    scenario: str
    description: str  # the scenario's own text (untrusted: escape before showing it)
    summary: dict[str, Any]
    manifest: dict[str, Any]
    final_plan_weeks: float
    final_plan_reference: str
    journeys: list[dict[str, np.ndarray]] = field(default_factory=list)  # one dict of columns per replication


@dataclass
class Results:
    """A run (one rule set) or a comparison (baseline first)."""

    kind: str  # "run" or "comparison"
    folder: Path
    runs: list[RunData]
    comparison: dict[str, Any] | None = None  # the first pair (baseline and the second rule set)
    comparisons: list[dict[str, Any]] = field(default_factory=list)  # every pair, each against the baseline

    @property
    def years(self) -> float:
        s = self.runs[0].summary
        d0 = np.datetime64(s["start_date"], "D")
        d1 = np.datetime64(s["end_date"], "D")
        return float((d1 - d0).astype(int) + 1) / 365.25


def _columns(path: Path) -> dict[str, np.ndarray]:
    """The journeys table's columns the charts use; a damaged, truncated or foreign file is one line naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
        missing = [c for c in JOURNEY_COLUMNS if c not in names]
        if missing:
            raise InputError([f"{path}: missing column(s) {', '.join(missing)} (allowed: a journeys table sendsim "
                              "wrote; damaged, or written by another version?)"])
        t = pq.read_table(path, columns=list(JOURNEY_COLUMNS))
        out: dict[str, np.ndarray] = {}
        for name in JOURNEY_COLUMNS:
            col = t.column(name)
            if name in ("redress_capacity", "status_at_end"):
                out[name] = np.array([str(v) for v in col.to_pylist()], dtype=object)
            elif name in ("stock_plan_at_start", "refused_to_assess", "plan_after_appeal"):
                out[name] = np.array([bool(v) for v in col.to_pylist()], dtype=bool)
            else:
                out[name] = np.array([math.nan if v is None else float(v) for v in col.to_pylist()], dtype=float)
                if np.any(np.abs(out[name][~np.isnan(out[name])]) > 1e9):
                    raise InputError([f"{path}: {name}: a value beyond any day or count sendsim writes (allowed: "
                                      "a journeys table sendsim wrote)"])
    except (pa.ArrowException, OSError, ValueError, TypeError) as e:
        first = (str(e).splitlines() or [type(e).__name__])[0][:120]
        raise InputError([f"{path}: not a readable journeys table ({first}) (allowed: a Parquet file sendsim "
                          "wrote; damaged, or written by another version?)"]) from None
    return out


def load_run(folder: Path, journeys: bool = True) -> RunData:
    """A run folder; InputError naming the file that is missing, unreadable or not what sendsim writes."""
    hint = run_hint(folder)  # interrupted: its manifest and no summary yet
    if hint is not None:
        raise InputError([hint])
    for f in ("summary.json", "manifest.json"):
        if not (folder / f).is_file():
            raise InputError([f"{folder}: not a run folder ({f} missing; allowed: a folder written by `sendsim run "
                              "--out` or `sendsim compare --out`)"])
    summary = read_json_model(folder / "summary.json", Summary)
    man = read_json_model(folder / "manifest.json", Manifest)
    try:
        rs = RuleSet.model_validate(man["merged_rules"])
        law = compile_law(rs)
    except (KeyError, ValueError, TypeError):
        raise InputError([f"{folder / 'manifest.json'}: merged_rules: not a rule set (written by another "
                          "version of sendsim?)"]) from None
    params = man.get("scenario_parameters", {})
    try:
        warm = float(params.get("warmup_days", 0.0) or 0.0)
        if not 0 <= warm <= 1e5:
            raise ValueError
    except (TypeError, ValueError):
        raise InputError([f"{folder / 'manifest.json'}: scenario_parameters.warmup_days: not a number of days "
                          "(allowed: 0 to 100000)"]) from None
    run = RunData(folder, rs.name, rs.label, str(man.get("scenario", "")), str(params.get("description", "")),
                  summary, man, law.final_plan_weeks, rs.timeline.final_plan.reference.split(";")[0].strip())
    if journeys:
        for r in range(int(summary["replications"])):
            p = folder / "replications" / f"rep-{r:03d}" / "journeys.parquet"
            if not p.is_file():
                raise InputError([f"{p}: missing (every replication's journeys are needed for the charts)"])
            cols = _columns(p)
            keep = ~cols["stock_plan_at_start"] & (cols["request_day"] >= warm)  # new requests in the horizon
            run.journeys.append({k: v[keep] for k, v in cols.items()})
    return run


def load_results(folder: str | Path, journeys: bool = True) -> Results:
    """A comparison folder (compare.json and its two runs) or a run folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"{folder}: not a folder (allowed: a folder written by `sendsim run --out` or "
                          "`sendsim compare --out`)"])
    marker = read_marker(folder)  # a damaged marker, or one of a newer format: one line naming the version
    if marker is not None and marker.sendsim_folder == "comparison" and not (folder / "compare.json").is_file():
        raise InputError([comparison_hint(folder, marker)])  # interrupted: say how to resume it
    if (folder / "compare.json").is_file():
        comp = read_json_model(folder / "compare.json", Comparison, {"comparisons": ManyComparisons})
        runs = []
        for i, name in enumerate(comp["rules"], start=1):
            sub = folder / f"{i}-{name}"
            if "/" in name or name in ("", ".", "..") or not sub.is_dir():
                what = "is a file, not a run folder" if sub.is_file() else "missing"  # (it said "missing" of a file)
                raise InputError([f"{sub}: {what} (compare.json names rule set {name!r}; the comparison folder "
                                  "must hold every run as a folder)"])
            runs.append(load_run(sub, journeys))
        pairs = comp.get("comparisons") or [comp]  # three or more: each against the first
        return Results("comparison", folder, runs, pairs[0], list(pairs))
    return Results("run", folder, [load_run(folder, journeys)])


# ------------------------------------------------------------------------------------------------- the numbers
def largest_effects(comparison: dict[str, Any], n: int = 3) -> list[dict[str, Any]]:
    """The `n` metrics whose paired difference is largest relative to the baseline's mean, among those whose 95%
    interval excludes 0 (ties broken by the registry's order). Totals that are sums of others (costs by payer
    add up to the total cost; appeals by type to appeals registered) compete like any other metric."""
    a = comparison["rules"][0]
    key_a = a if comparison["rules"][0] != comparison["rules"][1] else "a"
    out = []
    for order, (name, m) in enumerate(comparison["metrics"].items()):
        lo, hi = m["diff_ci95"]
        base = m[key_a]["mean"]
        if lo is None or hi is None or m["diff"] is None or not base or (lo <= 0 <= hi):
            continue
        out.append({"metric": name, "relative": m["diff"] / abs(base), "order": order, **m})
    out.sort(key=lambda e: (-abs(e["relative"]), e["order"]))
    return out[:n]


def over_time(run: RunData, metric: str) -> list[tuple[str, dict[str, Any]]]:
    """(calendar year, mean and interval) of a metric from the summary's periods (calendar years only)."""
    rows = []
    for p, vals in run.summary.get("by_period", {}).items():
        if p.isdigit() and metric in vals and vals[metric]["mean"] is not None:
            rows.append((p, vals[metric]))
    return rows


def weeks_to(run: RunData, what: str) -> tuple[np.ndarray, int]:
    """Weeks from the request to `what` ("final_plan" or "provision") of every new request reached in the horizon,
    pooled over replications, and the number of new requests (those not reached are censored at the end)."""
    col = "final_plan_day" if what == "final_plan" else "provision_in_place_day"
    xs, total = [], 0
    for j in run.journeys:
        d = (j[col] - j["request_day"]) / 7.0
        xs.append(d[~np.isnan(d)])
        total += len(d)
    return (np.sort(np.concatenate(xs)) if xs else np.array([])), total


def cumulative_share(weeks: np.ndarray, total: int, grid: np.ndarray) -> np.ndarray:
    """% of all new requests reached by each week of `grid` (a step function, reached ones only count)."""
    if total == 0:
        return np.zeros_like(grid)
    return 100.0 * np.searchsorted(weeks, grid, side="right") / total


CAPACITY_OUTCOMES = (  # (key, label, unit) of the outcomes by family redress capacity
    ("plan_pct", "Requests with a final plan by the end (%)", "percent"),
    ("appealed_pct", "Requests with at least one appeal (%)", "percent"),
    ("weeks_to_final_plan_median", "Weeks from request to final plan (median)", "weeks"),
)


def by_capacity(run: RunData) -> dict[str, dict[str, dict[str, Any]]]:
    """{capacity: {outcome: mean and 95% interval over replications}} for new requests."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for cap in CAPACITIES:
        per: dict[str, list[float | None]] = {k: [] for k, _l, _u in CAPACITY_OUTCOMES}
        for j in run.journeys:
            sel = j["redress_capacity"] == cap
            n = int(sel.sum())
            final = j["final_plan_day"][sel]
            weeks = (final - j["request_day"][sel]) / 7.0
            weeks = weeks[~np.isnan(weeks)]
            per["plan_pct"].append(100.0 * float((~np.isnan(final)).sum()) / n if n else None)
            per["appealed_pct"].append(100.0 * float((j["appeals"][sel] > 0).sum()) / n if n else None)
            per["weeks_to_final_plan_median"].append(float(np.median(weeks)) if weeks.size else None)
        out[cap] = {k: summarise(v, bounds(k)) for k, v in per.items()}
    return out


def unit_of(metric: str) -> str:
    """The registry's unit of a metric (count, percent, weeks, GBP)."""
    m = REGISTRY.get(metric)
    if m is not None:
        return m.unit
    return "percent" if metric.endswith("_pct") else "count"


def label_of(metric: str) -> str:
    m = REGISTRY.get(metric)
    return m.label if m is not None else metric.replace("_", " ")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError([f"{path}: not a readable JSON file ({type(e).__name__})"]) from None


def load_case_studies(folder: str | Path) -> list[dict[str, Any]]:
    """Every case study in a case-study folder (`sendsim case-study --out`): one JSON file per case, by name."""
    folder = Path(folder)
    out = []
    for f in sorted(folder.glob("*.json")):
        if f.name.startswith("."):
            continue
        d = _read_json(f)
        if isinstance(d, dict) and "case" in d and "results" in d:
            out.append(d)
    if not out:
        raise InputError([f"{folder}: no case study in it (allowed: a folder written by `sendsim case-study --out`)"])
    return out
