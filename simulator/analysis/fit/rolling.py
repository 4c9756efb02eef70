"""Rolling-origin backtest: calibrate on what was known at the end of year Y, project Y+1 and Y+2, and set every
authority's projection beside its official figure and beside two naive forecasts on the same rows.

Why this exists: the in-sample backtest (`backtest.py`) checks the model against figures it was fitted to, so it
cannot say whether the model forecasts. Here the scenario is cut at the origin Y before anything runs:

* every figure given by year (each authority's requests, refusal and no-plan rates, staffing, fitted delays; the
  yearly assessment lapse; the tribunal's hearings) keeps only the years up to Y; later years follow the rule each
  figure already has for years beyond the data (`schema.by_year`: rates carried forward, demand by the trend);
* the national growth of requests (and of staffing, which keeps pace with it) is recomputed from the national
  requests up to Y (compound growth from the first year to Y), not the 2019-2023 value the scenario ships with;
* targets (national and per authority) keep only periods ending by 31 December of Y (a January caseload of year P
  counts as period P);
* then `rounds` joint calibration rounds (`calibrate.py`: each authority-year's delay from its own % within 20
  weeks, the national ratio updates, each year's lapse from new plans) run on the model cut at 31 December of Y,
  from the values the scenario ships with, against those targets only;
* the replications run from the scenario's start to 31 December of Y+2.

What is not refitted is listed in the result (`not_refitted`): national parameters whose fitting targets all lie
after Y keep the shipped calibration. None of them is among the five per-authority measures' direct inputs.

The model's forecast is scored in two forms: its own value (`mae_model`), and anchored to the last figure
(`mae_anchored`, `anchored`): the model's change from Y to Y+h applied to the authority's published value at Y (counts
times the model's ratio, percentages plus its change in points), as a forecaster restarting from the known state
would; a run that starts in 2019 has drifted from each authority's level by Y, and the model's information is in
the change it predicts.

Naive forecasts, for the same authority and measure: persistence (the value at Y) and trend (counts: the value at
Y times its growth from Y-1; percentages: the value at Y plus its change from Y-1 in points, within 0-100). Errors
are in points for percentages and in % of the observed value for counts (the tolerance kinds of the targets).

The entry point, for the CLI and for later issues that must beat the naive forecasts:

    rolling_origin(scenario, origin, replications=None, seed=None, workers=1, rounds=2, targets_path=None,
                   progress=None) -> dict

returns {"origin", "horizons", "scenario", "seed", "replications", "rounds", "calibration", "not_refitted",
"rows" (national targets at Y+1, Y+2), "by_la": {"summary": one row per measure at Y+1, "summary_horizon_2": the
same at Y+2, "rows": every authority x measure x horizon, "replication_note"}}. Each summary row: metric, label,
horizon, period, error_unit, authorities, mae_model, mae_model_ci95, mae_persistence, mae_trend, mae_anchored,
mae_anchored_ci95, within_tolerance_share (model), persistence_within_share, trend_within_share,
anchored_within_share, interval_narrower_share.

Why this module is long: cutting a scenario at an origin, refitting it and scoring it against naive
forecasts are one procedure whose parts read each other's state; each function is small.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ...rules.scenario import LoadedScenario, load_scenario
from ...schema.scenario import Scenario
from ..runs.metrics import LA_METRICS
from ..runs.stats import bounds, summarise
from .backtest import (
    METRICS,
    Target,
    backtest_replication,
    default_targets,
    load_la_targets,
    load_targets,
    period_bounds,
    run_replications,
)
from .calibrate import (
    LAPSE,
    SHAPE,
    clip,
    get_node,
    joint_gain,
    national_update,
    update_delays,
    update_lapse,
    update_late_shares,
)
from .capacity import fit_backlog_document, refine_casework

BOOTSTRAP = 400  # resamples of the replications for the interval of the model's mean absolute error
LA_BY_YEAR = ("requests_by_year", "refuse_to_assess_by_year", "no_plan_after_assessment_by_year", "capacity_by_year",
              "delay_days_by_year", "late_share_by_year", "casework_per_week_by_year")


def known_by(target: Target, origin: int) -> bool:
    """Whether a figure's period ends by 31 December of the origin year (a January caseload: its own year)."""
    b = period_bounds(METRICS[target.metric].kind, target.period)
    return b is not None and b[1] <= dt.date(origin, 12, 31)


def _year_of(metric: str, period: str) -> int:
    """The year a period is labelled with, for horizons: calendar and January periods by their year."""
    return int(period[:4]) + (1 if METRICS[metric].kind == "academic" else 0)


def origin_document(doc: dict[str, Any], origin: int, targets: list[Target]) -> tuple[dict[str, Any], list[str]]:
    """The scenario document as known at the end of `origin`: by-year figures cut, request growth from data to Y.

    Returns (document, notes saying what was cut and recomputed)."""
    d = copy.deepcopy(doc)
    notes: list[str] = []
    cut = 0
    for item in d["local_authorities"]["items"]:
        for key in LA_BY_YEAR:
            by = item.get(key) or {}
            keep = {y: v for y, v in by.items() if int(y) <= origin}
            cut += len(by) - len(keep)
            if key in item:
                item[key] = keep
    notes.append(f"{cut} authority figures for years after {origin} removed (requests, refusal and no-plan rates, "
                 "staffing, fitted delays); later years follow each figure's rule beyond its data")
    lapse = get_node(d, LAPSE)
    if lapse.get("by_year"):
        lapse["by_year"] = {y: v for y, v in lapse["by_year"].items() if int(y) <= origin}
    hearings = d["tribunal"].get("hearings_per_year_by_year") or {}
    if hearings:
        d["tribunal"]["hearings_per_year_by_year"] = {y: v for y, v in hearings.items() if int(y) <= origin}
    req = {int(t.period): t.value for t in targets if t.metric == "initial_requests_for_assessment"
           and int(t.period) <= origin}
    if len(req) >= 2:
        first, last = min(req), max(req)
        g = round(100.0 * ((req[last] / req[first]) ** (1.0 / (last - first)) - 1.0), 2)
        src = (f"national requests {first}-{last} (targets file, figures up to the origin {origin}): compound "
               f"growth ({req[last]:,.0f}/{req[first]:,.0f})^(1/{last - first}) - 1")
        for key in ("requests_growth_pct_per_year", "capacity_growth_pct_per_year"):
            d["demand"][key] = {"value": g, "source": src}
        notes.append(f"requests and staffing grow {g}% a year after {origin} ({src})")
    return d, notes


def refit_backlog_and_trends(doc: dict[str, Any], origin: int, la_known: list[Target]
                             ) -> tuple[list[str], np.ndarray | None]:
    """Where the scenario states each authority's casework capacity or trends, fit them again from the figures up to
    `origin` (`capacity.fit_backlog_document`): the shipped ones were fitted on every year. Returns notes and the
    route's own weeks (for the joint rounds of `waits: backlog`), or None where nothing was refitted."""
    items = doc["local_authorities"]["items"]
    if not any("casework_per_week_by_year" in it or "requests_trend_pct_per_year" in it for it in items):
        return [], None
    within: dict[str, dict[int, float]] = {}
    for t in la_known:
        if t.metric == "within_20_weeks_pct":
            within.setdefault(t.la_code, {})[int(t.period)] = t.value
    route = fit_backlog_document(doc, within, origin)
    return [f"each authority's base casework, work in hand, trends and the capacity projection "
            f"({doc['capacity_projection_pct_per_year']['value']}% a year) refitted from figures up to {origin}"], route


def calibrate_at_origin(loaded: LoadedScenario, doc: dict[str, Any], origin: int, targets: list[Target],
                        la_targets: list[Target], seed: int, rounds: int,
                        progress: Callable[[str], None] | None = None, route: np.ndarray | None = None
                        ) -> dict[str, Any]:
    """Joint rounds (as `sendsim calibrate --stage joint`) on the model cut at 31 December of `origin`, against
    figures up to `origin` only; `doc` is updated in place. Returns the rounds' history and what was refitted."""
    end = doc["end_date"]
    doc["end_date"] = dt.date(origin, 12, 31)
    observed: dict[str, dict[int, float]] = {}
    for t in la_targets:
        if t.metric == "within_20_weeks_pct":
            observed.setdefault(t.la_code, {})[int(t.period)] = t.value
    items = doc["local_authorities"]["items"]
    delays = {it["code"]: {int(y): float(v) for y, v in (it.get("delay_days_by_year") or {}).items()} for it in items}
    late = any(it.get("late_share_by_year") for it in items)  # lateness apart from the share on time (MODEL.md 3.3)
    if late:
        delays = {it["code"]: {int(y): float(v) for y, v in (it.get("late_share_by_year") or {}).items()}
                  for it in items}
    column = "late_share_by_year" if late else "delay_days_by_year"
    lapse_node = get_node(doc, LAPSE)
    lapse = {int(y): float(v) for y, v in (lapse_node.get("by_year") or {}).items()}
    history: list[dict[str, Any]] = []
    used: dict[str, list[str]] = {}
    aims: dict[str, dict[int, float]] = {}
    secant: dict[tuple[str, int], tuple[float, float]] = {}  # as the joint rounds: each authority-year's last round
    for r in range(rounds):
        lapse_used: list[str] = []
        for it in items:
            if delays.get(it["code"]):
                it[column] = dict(sorted(delays[it["code"]].items()))
        if lapse:
            lapse_node["by_year"] = dict(sorted(lapse.items()))
        ld = dataclasses.replace(loaded, scenario=Scenario.model_validate(doc))
        if progress:
            progress(f"origin {origin}: calibration round {r + 1}/{rounds} (one replication to {doc['end_date']})")
        res = backtest_replication(ld, seed, 0, by_la=True)
        if doc.get("waits") == "backlog" and route is not None:
            updated, within = refine_casework(doc, aims, res["by_la"], observed, route)
        elif late:
            updated, within = update_late_shares(delays, res["by_la"], observed, secant)
        else:
            updated, within = update_delays(delays, res["by_la"], observed,
                                            joint_gain(get_node(doc, SHAPE)["value"], r), secant)
        new, used = national_update(doc, targets, res["by_period"])
        for path, v in new.items():
            get_node(doc, path)["value"] = round(clip(doc, path, v), 5)
        lapse, lapse_used = update_lapse(lapse, targets, res["by_period"], (lapse_node.get("range") or [0.0, 1.0])[1])
        if lapse_used:
            used[LAPSE] = lapse_used
        history.append({"round": r + 1, "authority_years_within_3_points": within, "of": updated})
    for it in items:
        if delays.get(it["code"]):
            it[column] = dict(sorted(delays[it["code"]].items()))
    if lapse:
        lapse_node["by_year"] = dict(sorted(lapse.items()))
    doc["end_date"] = end
    return {"rounds": history, "refitted": sorted(used)}


def naive(metric: str, values: dict[int, float], origin: int, horizon: int) -> tuple[float | None, float | None]:
    """(persistence, trend) forecasts of `origin + horizon` from the authority's own figures at origin and before."""
    last, prev = values.get(origin), values.get(origin - 1)
    if last is None:
        return None, None
    if prev is None:
        return last, None
    if metric.endswith("_pct"):
        return last, min(max(last + horizon * (last - prev), 0.0), 100.0)
    return last, (last * (last / prev) ** horizon if prev > 0 else None)


def anchored(metric: str, official: float | None, model_at_origin: float | None, model_ahead: float | None
             ) -> float | None:
    """The model's forecast restarted from the known state: its own change from the origin to the year ahead,
    applied to the authority's last published figure (counts: times the model's ratio; percentages: plus the model's
    change in points, within 0-100). None where the figure or the model's origin value is missing (or a count is 0).

    Why: a run starts in 2019 and drifts from an authority's published level by the origin (replication noise and
    five years of modelled flows); a forecaster knows that level, and the model's information is in the change it
    predicts (the year's flows, the backlog), not in its own reconstruction of the past. MODEL.md 7.7."""
    if official is None or model_at_origin is None or model_ahead is None:
        return None
    if metric.endswith("_pct"):
        return min(max(official + (model_ahead - model_at_origin), 0.0), 100.0)
    return official * model_ahead / model_at_origin if model_at_origin > 0 else None


def _mean(xs: list[float | None]) -> float | None:
    vs = [x for x in xs if x is not None]
    return sum(vs) / len(vs) if vs else None


def _abs_error(t: Target, x: float | None) -> float | None:
    if x is None:
        return None
    e = t.error(x)
    return abs(e) if math.isfinite(e) else None


def la_rows(la_targets: list[Target], reps: list[dict[str, Any]], origin: int, horizons: tuple[int, ...]
            ) -> list[dict[str, Any]]:
    """Every authority x measure x horizon with an official figure: model (mean, 95% interval), persistence, trend."""
    series: dict[tuple[str, str], dict[int, float]] = {}
    period_of: dict[tuple[str, str, int], str] = {}  # the label of each authority's figure of a year
    for t in la_targets:
        series.setdefault((t.la_code, t.metric), {})[_year_of(t.metric, t.period)] = t.value
        period_of[(t.la_code, t.metric, _year_of(t.metric, t.period))] = t.period
    rows = []
    for t in la_targets:
        h = _year_of(t.metric, t.period) - origin
        if h not in horizons:
            continue
        spec = METRICS[t.metric]
        vals = [spec.value(r["by_la"].get(t.la_code, {}).get(t.period, {})) for r in reps]
        s = summarise(vals, bounds(t.metric))
        pers, trend = naive(t.metric, series[(t.la_code, t.metric)], origin, h)
        at_origin = period_of.get((t.la_code, t.metric, origin))
        anch = []  # per replication; the model's own value where it cannot be anchored (no figure, or 0 at Y)
        for r, v in zip(reps, vals, strict=True):
            at = None if at_origin is None else spec.value(r["by_la"].get(t.la_code, {}).get(at_origin, {}))
            a = anchored(t.metric, pers, at, v)
            anch.append(v if a is None else a)
        anch_mean = _mean(anch)
        allowed = t.tolerance if t.tolerance_kind == "absolute" else abs(t.value) * t.tolerance / 100.0
        lo, hi = s["ci95"]
        rows.append({
            "la_code": t.la_code, "metric": t.metric, "period": t.period, "horizon": h, "observed": t.value,
            "model_mean": s["mean"], "model_ci95": s["ci95"], "model_replications": [v for v in vals],
            "persistence": pers, "trend": trend, "tolerance": t.tolerance, "tolerance_kind": t.tolerance_kind,
            "error_model": _abs_error(t, s["mean"]), "error_persistence": _abs_error(t, pers),
            "error_trend": _abs_error(t, trend),
            "anchored": anch_mean, "anchored_replications": anch, "error_anchored": _abs_error(t, anch_mean),
            "within_tolerance": None if s["mean"] is None else t.within(s["mean"]),
            "interval_narrower_than_tolerance": None if lo is None or hi is None else (hi - lo) / 2 <= allowed,
        })
    return rows


def _mae(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def _bootstrap_mae(rows: list[dict[str, Any]], targets: dict[tuple[str, str], Target], n: int,
                   key: str = "model_replications") -> list[float | None]:
    """95% interval of the model's mean absolute error over the replications: resample replications (fixed seed).
    `key`: the rows' per-replication values (the model's own, or anchored to the last figure)."""
    if n < 2 or not rows:
        return [None, None]
    rng = random.Random(20)  # fixed: the same rows give the same interval
    out = []
    for _ in range(BOOTSTRAP):
        pick = [rng.randrange(n) for _ in range(n)]
        errs = []
        for r in rows:
            vs = [r[key][k] for k in pick if r[key][k] is not None]
            if vs:
                e = _abs_error(targets[(r["la_code"], r["metric"] + "@" + r["period"])], sum(vs) / len(vs))
                if e is not None:
                    errs.append(e)
        if errs:
            out.append(sum(errs) / len(errs))
    out.sort()
    if not out:
        return [None, None]
    return [round(out[int(0.025 * (len(out) - 1))], 4), round(out[int(0.975 * (len(out) - 1))], 4)]


def summary(rows: list[dict[str, Any]], la_targets: list[Target], horizon: int, replications: int
            ) -> list[dict[str, Any]]:
    """One row per measure at a horizon, on the rows where the model and both naive forecasts have a value."""
    index = {(t.la_code, t.metric + "@" + t.period): t for t in la_targets}
    out = []
    for metric in LA_METRICS:
        same = [r for r in rows if r["metric"] == metric and r["horizon"] == horizon and r["error_model"] is not None
                and r["error_persistence"] is not None and r["error_trend"] is not None]
        if not same:
            continue
        narrower = [r["interval_narrower_than_tolerance"] for r in same
                    if r["interval_narrower_than_tolerance"] is not None]
        out.append({
            "metric": metric, "label": METRICS[metric].label, "horizon": horizon, "period": same[0]["period"],
            "error_unit": "points" if same[0]["tolerance_kind"] == "absolute" else "% of observed",
            "authorities": len(same),
            "mae_model": _mae([r["error_model"] for r in same]),
            "mae_model_ci95": _bootstrap_mae(same, index, replications),
            "mae_persistence": _mae([r["error_persistence"] for r in same]),
            "mae_trend": _mae([r["error_trend"] for r in same]),
            "mae_anchored": _mae([r["error_anchored"] for r in same]),
            "mae_anchored_ci95": _bootstrap_mae(same, index, replications, "anchored_replications"),
            "anchored_within_share": round(sum(r["error_anchored"] <= _allowed_err(r) for r in same) / len(same), 4),
            "within_tolerance_share": round(sum(bool(r["within_tolerance"]) for r in same) / len(same), 4),
            "persistence_within_share": round(sum(r["error_persistence"] <= _allowed_err(r) for r in same)
                                              / len(same), 4),
            "trend_within_share": round(sum(r["error_trend"] <= _allowed_err(r) for r in same) / len(same), 4),
            "interval_narrower_share": round(sum(narrower) / len(narrower), 4) if narrower else None,
        })
    return out


def _allowed_err(row: dict[str, Any]) -> float:
    """The tolerance in the error's unit (points, or % of observed): both are the target's `tolerance`."""
    return float(row["tolerance"]) + 1e-9


def replication_note(rows: list[dict[str, Any]], replications: int) -> str:
    """Whether the per-authority intervals are narrower than the tolerance; if not, how many replications would be."""
    flags = [r for r in rows if r["interval_narrower_than_tolerance"] is not None]
    if not flags:
        return (f"{replications} replication(s): no per-authority interval (2 or more replications are needed); "
                "the model's per-authority figures carry replication noise the output cannot show")
    wide = [r for r in flags if not r["interval_narrower_than_tolerance"]]
    if not wide:
        return f"{replications} replications: every per-authority 95% interval is narrower than its tolerance"
    ratios = sorted(((r["model_ci95"][1] - r["model_ci95"][0]) / 2
                     / (r["tolerance"] if r["tolerance_kind"] == "absolute" else abs(r["observed"]) * r["tolerance"]
                        / 100.0 or 1e-9)) for r in wide)
    need = math.ceil(replications * ratios[len(ratios) // 2] ** 2)
    return (f"{replications} replications: {len(wide)} of {len(flags)} per-authority 95% intervals are wider than "
            f"their tolerance; the median of those would need about {need} replications (width ~ 1/sqrt(n))")


def rolling_origin(scenario: Path | str, origin: int, replications: int | None = None, seed: int | None = None,
                   workers: int = 1, rounds: int = 2, targets_path: Path | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Calibrate on figures up to `origin`, project `origin`+1 and +2, compare with the official figures, persistence
    and trend (module docstring). InputError for a bad scenario, targets file or origin."""
    from ...schema.files import InputError

    loaded = load_scenario(scenario)
    sc = loaded.scenario
    tpath = targets_path or default_targets(loaded.path, sc.name)
    targets = load_targets(tpath, sc.start_date, sc.end_date)
    la_path = tpath.with_name(tpath.stem + "_by_la" + tpath.suffix)
    items = sc.local_authorities.items
    if not la_path.is_file() and len(items) == 1:  # one council (la-scenario): its own figures are its targets
        la_all = [dataclasses.replace(t, la_code=items[0].code) for t in targets if t.metric in LA_METRICS]
    else:
        la_all = load_la_targets(la_path, loaded, targets)
    first, last = sc.start_date.year, sc.end_date.year
    if last - first < 2:  # no year has one before it and one after it: no origin at all, whatever the flag says
        raise InputError([f"--origin: {sc.name} runs {first}-{last}, too short for a rolling origin (allowed: a scenario "
                          "of at least three calendar years, e.g. england, whose origin has a year before it for the "
                          "trend and one after it to project)"])
    if not (first + 1 <= origin <= last - 1):
        raise InputError([f"--origin: {origin} is outside the scenario (allowed: {first + 1} to {last - 1}: a year "
                          "before it for the trend, a year after it to project)"])
    horizons = tuple(h for h in (1, 2) if origin + h <= last)
    known = [t for t in targets if known_by(t, origin)]
    la_known = [t for t in la_all if known_by(t, origin)]
    raw = yaml.load(loaded.path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    doc, notes = origin_document(raw, origin, known)
    refit_notes, route = refit_backlog_and_trends(doc, origin, la_known)
    notes.extend(refit_notes)
    sd = sc.seed if seed is None else seed
    reps = replications or sc.replications
    cal = calibrate_at_origin(loaded, doc, origin, known, la_known, sd, rounds, progress, route) if rounds else \
        {"rounds": [], "refitted": []}
    doc["end_date"] = dt.date(origin + horizons[-1], 12, 31)
    ld = dataclasses.replace(loaded, scenario=Scenario.model_validate(doc))
    results = run_replications(ld, reps, sd, workers, by_la=True, progress=progress)
    fitted_later = [p for p in _calibrated_paths(raw) if not _refitted(p, cal["refitted"])]
    rows_la = la_rows([t for t in la_all if _year_of(t.metric, t.period) - origin in horizons or
                       _year_of(t.metric, t.period) in (origin, origin - 1)], results, origin, horizons)
    national = []
    for t in targets:
        h = _year_of(t.metric, t.period) - origin
        if h in horizons:
            s = summarise([METRICS[t.metric].value(r["by_period"].get(t.period, {})) for r in results],
                          bounds(t.metric))
            national.append({"metric": t.metric, "period": t.period, "horizon": h, "observed": t.value,
                             "model_mean": s["mean"], "model_ci95": s["ci95"], "tolerance": t.tolerance,
                             "tolerance_kind": t.tolerance_kind, "error": None if s["mean"] is None else round(t.error(s["mean"]), 4),
                             "within_tolerance": None if s["mean"] is None else t.within(s["mean"])})
    by_la = {"summary": summary(rows_la, la_all, 1, reps),
             "summary_horizon_2": summary(rows_la, la_all, 2, reps) if 2 in horizons else [],
             "rows": rows_la, "replication_note": replication_note(rows_la, reps)}
    return {"origin": origin, "horizons": [origin + h for h in horizons], "scenario": sc.name, "seed": sd,
            "replications": reps, "rounds": rounds, "targets_file": str(tpath), "cut": notes,
            "calibration": cal, "not_refitted": fitted_later, "rows": national, "by_la": by_la}


def _refitted(path: str, groups: list[str]) -> bool:
    """Whether a parameter belongs to a group the origin's rounds refitted (placement and cessation share one)."""
    for g in groups:
        if g.endswith(".placement_and_cessation"):
            if path.rsplit(".", 1)[-1] in ("placement", "cessation") and path.startswith(g.rsplit(".", 1)[0]):
                return True
        elif path == g or path.startswith(g + "."):
            return True
    return False


def _calibrated_paths(doc: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the scenario's national parameters with `calibrated:` provenance (fitted to targets)."""
    out = []
    for k, v in doc.items():
        if k == "local_authorities":
            continue
        p = f"{prefix}{k}"
        if isinstance(v, dict):
            if "calibrated:" in str(v.get("source", "")):
                out.append(p)
            else:
                out.extend(_calibrated_paths(v, p + "."))
    return out
