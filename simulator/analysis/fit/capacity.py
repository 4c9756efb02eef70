"""Each authority's decide-and-issue capacity (`waits: backlog`) and its own trends, fitted from its official series.

Why a fit of its own, and analytic: under `waits: backlog` (engine/model/capacity.py `CaseworkBacklog`) a team
working at `base + r x backlog` cases a week, with `lam` cases a week arriving, settles where they balance: backlog
B = (lam - base) / r, and each case waits W = B / lam weeks (Little's law). So the base capacity that gives the
wait an authority's own % within 20 weeks implies is base = lam x (1 - r x W), one line per authority-year, with no
simulation; the wait W is read off the route's own time without a backlog (`route_weeks_without_wait`, one quiet
simulation of one authority with unlimited casework): W = 20 weeks - the time within which the published share of
plans would finish with no wait. The responsiveness `r` is one national assumption with a range.

The trends (requests, refusals, no-plan rates beyond an authority's last year with figures) are each authority's
own least-squares trend, shrunk toward the national trend by empirical Bayes: the weight on its own trend is
tau^2 / (tau^2 + se^2), where se is the standard error of its own slope (small authorities' series jump, so their se
is large and they take the national trend) and tau^2 the spread of true trends between authorities (method of
moments: the variance of the slopes less their mean se^2). Nothing here is tuned to a backtest origin: given the
series up to any year, the same rules give the fit.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ...rules.scenario import load_scenario
from ..runs.runner import simulate

WEEKS_PER_YEAR = 365.25 / 7.0
LIMIT_WEEKS = 20.0  # reg 13(2): the final plan within 20 weeks of the request
BASE_FLOOR = 0.05  # the team always does at least 5% of its demand at base (else the fit divides by nothing)
PRIOR_DOF = 2.0  # how many years' worth of the pooled residual variance each authority's own variance borrows


@dataclass(frozen=True)
class Trend:
    """A fitted trend: the shrunk value, the authority's own, its standard error, the weight on its own and the
    plausible range (the shrunk value +- 2 posterior standard deviations)."""

    value: float
    own: float
    se: float
    weight: float
    low: float
    high: float


def route_weeks_without_wait(scenario: Mapping, la_code: str, replications: int = 4, seed: int = 1) -> np.ndarray:
    """Weeks from request to final plan of every new plan (regulation 10(4) exceptions excluded, as DfE's
    headline) of one authority whose decide-and-issue team never keeps anyone waiting: the route's own time (panel,
    advice, decision, draft, comments, consultation), against which a backlog's wait is measured."""
    d = copy.deepcopy(dict(scenario))
    items = [la for la in d["local_authorities"]["items"] if la["code"] == la_code]
    la = items[0]
    d["local_authorities"]["items"] = [la]
    year = int(str(d["start_date"])[:4])
    d["end_date"] = f"{year}-12-31"
    d["waits"] = "backlog"
    d["capacity_projection_pct_per_year"] = {"value": 0.0, "source": "unused: one year"}
    la["casework_per_week_by_year"] = {year: 10_000.0}
    la["casework_responsiveness_per_week"] = 0.0
    la["backlog_at_start"] = 0
    prov = d["local_authorities"]["provenance"]
    prov["casework_per_week_by_year"] = {"source": "unlimited: the route's time without a backlog"}
    prov["casework_responsiveness_per_week"] = {"source": "unlimited: the route's time without a backlog"}
    weeks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "route.yaml"
        path.write_text(yaml.safe_dump(d, sort_keys=False))
        loaded = load_scenario(path)
        for rep in range(replications):
            j = simulate(loaded, seed, rep)
            weeks.extend((c.final_at - c.t0) / 7.0 for c in j.children
                         if not c.stock and c.t0 >= 0.0 and c.final_at == c.final_at and not c.exception
                         and not c.ordered)
    return np.sort(np.asarray(weeks, dtype=float))


def wait_for_share(route_weeks: np.ndarray, pct: float, limit_weeks: float = LIMIT_WEEKS) -> float:
    """The backlog wait (weeks) at which `pct`% of plans finish within the limit: the limit less the route's own
    time at that quantile; 0 where the route alone is already that slow or slower."""
    p = min(max(pct / 100.0, 0.005), 0.995)
    return max(0.0, limit_weeks - float(np.quantile(route_weeks, p)))


def base_for_wait(lam_per_week: float, wait_weeks: float, responsiveness: float) -> float:
    """Base weekly capacity at which the backlog settles to `wait_weeks`: lam x (1 - r x W), never below
    `BASE_FLOOR` x lam."""
    return max(BASE_FLOOR * lam_per_week, lam_per_week * (1.0 - responsiveness * wait_weeks))


def arrivals_per_week(requests: float, refused: float, withdrawn: float) -> float:
    """Assessments reaching the decide-and-issue team a week: requests neither refused nor withdrawn."""
    return max(requests * (1.0 - refused - withdrawn), 0.0) / WEEKS_PER_YEAR


def fit_casework(requests: Mapping[int, float], refused: Mapping[int, float], within_pct: Mapping[int, float],
                 route_weeks: np.ndarray, responsiveness: float, withdrawn: float) -> dict[int, float]:
    """An authority's base casework per week for each year with a published % within 20 weeks."""
    out = {}
    for y, pct in sorted(within_pct.items()):
        if y not in requests:
            continue
        lam = arrivals_per_week(requests[y], refused.get(y, 0.0), withdrawn)
        if lam <= 0:
            continue
        out[y] = round(base_for_wait(lam, wait_for_share(route_weeks, pct), responsiveness), 3)
    return out


def backlog_at_start(requests_first: float, refused_first: float, within_first: float, route_weeks: np.ndarray,
                     withdrawn: float, back_growth_pct: float) -> int:
    """Cases in hand when the run (its lead-in) starts: the settled backlog lam x W at the year before's rate."""
    lam = arrivals_per_week(requests_first / (1.0 + back_growth_pct / 100.0), refused_first, withdrawn)
    return int(round(lam * wait_for_share(route_weeks, within_first)))


def projection_pct(casework: Mapping[str, Mapping[int, float]]) -> tuple[float, float, float]:
    """National compound growth of the summed base casework over the fitted years, and the inter-quartile range of
    the authorities' own compound growth (the plausible range of the projection)."""
    years = sorted({y for by in casework.values() for y in by})
    first, last = years[0], years[-1]
    span = last - first
    both = [by for by in casework.values() if first in by and last in by]
    total = (sum(by[last] for by in both) / sum(by[first] for by in both)) ** (1.0 / span) - 1.0
    own = [(by[last] / by[first]) ** (1.0 / span) - 1.0 for by in both]
    q1, q3 = np.quantile(own, [0.25, 0.75])
    return 100.0 * total, 100.0 * float(min(q1, total)), 100.0 * float(max(q3, total))


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """The sum of products, correctly rounded (math.fsum of the exact-rounded products): the same double on every
    machine. `a @ b` is the BLAS library's dot, whose kernel (and so its order of additions) depends on the CPU, so
    the last bit of a fitted trend, and a scenario built from it, could depend on the machine."""
    return math.fsum((a * b).tolist())


def _slope(years: list[int], values: list[float]) -> tuple[float, float, int]:
    """Least-squares slope, its residual variance and degrees of freedom."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    xc = x - x.mean()
    sxx = _dot(xc, xc)
    b = _dot(xc, y - y.mean()) / sxx
    resid = y - y.mean() - b * xc
    dof = len(years) - 2
    s2 = _dot(resid, resid) / dof if dof > 0 else math.nan
    return b, s2, dof


def shrunk_trends(series: Mapping[str, Mapping[int, float]], national: Mapping[int, float], log: bool,
                  up_to: int | None = None) -> dict[str, Trend]:
    """Each authority's trend (in % a year if `log`, else in the series' own units a year) shrunk toward the
    national series' trend by empirical Bayes; series of fewer than 3 years take the national trend."""
    def prep(by: Mapping[int, float]) -> tuple[list[int], list[float]]:
        ys = sorted(y for y, v in by.items() if (up_to is None or y <= up_to) and (v > 0 or not log))
        return ys, [math.log(by[y]) if log else by[y] for y in ys]

    nat_b, _, _ = _slope(*prep(national))
    own: dict[str, tuple[float, float, float, int]] = {}
    for code, by in series.items():
        ys, vals = prep(by)
        if len(ys) >= 3:
            b, s2, dof = _slope(ys, vals)
            xc = np.asarray(ys, dtype=float) - np.mean(ys)
            own[code] = (b, s2, _dot(xc, xc), dof)
    with_dof = [(s2, dof) for _, s2, _, dof in own.values() if dof > 0]
    pooled = sum(s2 * dof for s2, dof in with_dof) / max(sum(dof for _, dof in with_dof), 1)
    se2 = {}
    for code, (_b, s2, sxx, dof) in own.items():
        s2_own = s2 if dof > 0 else 0.0
        se2[code] = (dof * s2_own + PRIOR_DOF * pooled) / (dof + PRIOR_DOF) / sxx
    slopes = np.asarray([own[c][0] for c in own])
    tau2 = max(0.0, float(np.var(slopes)) - float(np.mean(list(se2.values())))) if own else 0.0
    out = {}
    for code in series:
        if code not in own:
            out[code] = _as_trend(nat_b, nat_b, math.inf, 0.0, 0.0, log)
            continue
        b = own[code][0]
        w = tau2 / (tau2 + se2[code]) if tau2 + se2[code] > 0 else 0.0
        out[code] = _as_trend(nat_b + w * (b - nat_b), b, math.sqrt(se2[code]), w, math.sqrt(w * se2[code]), log)
    return out


def _as_trend(value: float, own: float, se: float, w: float, sd: float, log: bool) -> Trend:
    if log:  # a slope of log requests a year -> % a year
        def pct(v: float) -> float:
            return 100.0 * (math.exp(v) - 1.0)
        return Trend(pct(value), pct(own), 100.0 * se, w, pct(value - 2 * sd), pct(value + 2 * sd))
    return Trend(value, own, se, w, value - 2 * sd, value + 2 * sd)


# waits: backlog: extra cases a week the decide-and-issue team finishes per case in its backlog (national assumption)
RESPONSIVENESS = 0.05
RESPONSIVENESS_RANGE = [0.01, 0.25]

BACKLOG_PROVENANCE = {
    "casework_per_week_by_year": {
        "source": "Fitted (simulator/analysis/fit/capacity.py): the base weekly capacity at which the authority's "
                  "backlog settles to the wait its own % within 20 weeks implies (SEN2 timeliness_20_week.csv; "
                  "suppressed years take the nearest): lam x (1 - r x W), lam its assessments a week (SEN2 "
                  "requests.csv less refusals and withdrawals), W the wait beyond the route's own time; used by "
                  "waits: backlog"},
    "casework_responsiveness_per_week": {
        "assumption": "Extra cases a week the decide-and-issue team finishes per case in its backlog (overtime, "
                      "agency staff, triage): the backlog relaxes over 1/r = 20 weeks, the statutory period. No "
                      "published figure; national, not fitted", "range": RESPONSIVENESS_RANGE},
    "backlog_at_start": {
        "source": "Cases in hand at the start of the lead-in: the settled backlog lam x W at the year before's rate "
                  "(the first year's requests back-projected by demand.requests_growth_pct_per_year) and the first "
                  "year's wait"},
}

TREND_SOURCE = ("{what}: the authority's own least-squares trend {years} ({own}), shrunk toward the authorities' "
                "total ({nat}) by empirical Bayes, weight {w:.2f} on its own (simulator/analysis/fit/capacity.py); "
                "range +-2 posterior sd")
TRENDS = {  # field: (series, what, unit, scale to the field's unit)
    "requests_trend_pct_per_year": ("requests", "requests", "% a year", 1.0),
    "refuse_trend_pts_per_year": ("refused", "refusals to assess", " points a year", 100.0),
    "no_plan_trend_pts_per_year": ("no_plan", "assessed without a plan", " points a year", 100.0),
}


def authority_series(item: Mapping, up_to: int) -> dict[str, dict[int, float]]:
    """An authority's requests, refusal and no-plan rates by year up to `up_to`, from its scenario line."""
    def by(key: str) -> dict[int, float]:
        return {int(y): float(v) for y, v in (item.get(key) or {}).items() if int(y) <= up_to}

    req = by("requests_by_year") or {up_to: float(item["requests_per_year"])}
    first = min(req)
    ref = {first: float(item["refuse_to_assess_probability"]), **by("refuse_to_assess_by_year")}
    noplan = {first: float(item["no_plan_after_assessment_probability"]), **by("no_plan_after_assessment_by_year")}
    return {"requests": req, "refused": ref, "no_plan": noplan}


def total_series(series: Mapping[str, Mapping[str, Mapping[int, float]]]) -> dict[str, dict[int, float]]:
    """The authorities' total requests and their request-weighted refusal and assessment-weighted no-plan rates."""
    years = sorted({y for s in series.values() for y in s["requests"]})
    req, ref, noplan = {}, {}, {}
    for y in years:
        rows = [s for s in series.values() if y in s["requests"]]
        n = sum(s["requests"][y] for s in rows)
        req[y] = n
        ref[y] = sum(s["requests"][y] * s["refused"].get(y, 0.0) for s in rows) / n
        assessed = [(s["requests"][y] * (1 - s["refused"].get(y, 0.0)), s["no_plan"].get(y, 0.0)) for s in rows]
        noplan[y] = sum(a * p for a, p in assessed) / sum(a for a, _ in assessed)
    return {"requests": req, "refused": ref, "no_plan": noplan}


def fit_backlog_document(doc: dict, within: Mapping[str, Mapping[int, float]], up_to: int,
                         route_la: str | None = None, lead_in_year: int | None = None) -> np.ndarray:
    """Fill a scenario document's `waits: backlog` fields and trends from the figures known at the end of `up_to`
    (in place): each authority's base casework per year and work in hand at the start, the scenario's capacity
    projection, and each authority's requests, refusal and no-plan trends. `within` is each authority's own %
    within 20 weeks by year; years after `up_to` are ignored. The build script calls it on 2019-2023; the
    rolling-origin backtest on the figures up to its origin, so no later figure leaks into a forecast. A projection
    scenario starting after its data (`lead_in_year`: the last data year, whose rates its lead-in runs at) has the
    work in hand settled at that year's demand and wait instead of the first year's back-projected. Returns the
    route's own weeks (for `refine_casework`)."""
    items = doc["local_authorities"]["items"]
    if route_la is None:  # the median authority by first-year requests: the route's own time is national
        ranked = sorted(items, key=lambda it: (float(it["requests_per_year"]), it["code"]))
        route_la = ranked[len(ranked) // 2]["code"]
    small = next(it for it in items if it["code"] == route_la)
    route = route_weeks_without_wait({**doc, "local_authorities": {**doc["local_authorities"], "items": [small]}},
                                     route_la)
    withdrawn = float(doc["population"]["request_withdrawn_probability"]["value"])
    back = float(doc["demand"]["requests_growth_pct_per_year"]["value"])
    series = {it["code"]: authority_series(it, up_to) for it in items}
    casework: dict[str, dict[int, float]] = {}
    for it in items:
        s = series[it["code"]]
        own = {y: v for y, v in (within.get(it["code"]) or {}).items() if y <= up_to}
        filled = {}
        for y in s["requests"]:  # suppressed years: the nearest year's figure, else the scenario's 2019 figure
            near = min(own, key=lambda k: (abs(k - y), k)) if own else None
            filled[y] = own[y] if y in own else (own[near] if near is not None else
                                                 float(it.get("observed_within_20_weeks_pct") or 50.0))
        r = float(it.get("casework_responsiveness_per_week") or RESPONSIVENESS)
        cw = fit_casework(s["requests"], s["refused"], filled, route, r, withdrawn)
        casework[it["code"]] = cw
        it["casework_per_week_by_year"] = cw
        it["casework_responsiveness_per_week"] = r
        first = min(s["requests"]) if lead_in_year is None else lead_in_year
        it["backlog_at_start"] = backlog_at_start(s["requests"][first], s["refused"][first], filled[first], route,
                                                  withdrawn, back if lead_in_year is None else 0.0)
    nat = total_series(series)
    years = f"{min(nat['requests'])}-{max(nat['requests'])}"
    for field, (key, what, unit, scale) in TRENDS.items():
        log = key == "requests"
        by_code = shrunk_trends({c: s[key] for c, s in series.items()}, nat[key], log=log)
        nat_trend = shrunk_trends({"all": nat[key]}, nat[key], log=log)["all"]
        for it in items:
            t = by_code[it["code"]]
            v = round(t.value * scale, 2)
            lo, hi = round(min(t.low * scale, v), 2), round(max(t.high * scale, v), 2)
            it[field] = {"value": v, "source": TREND_SOURCE.format(
                what=what, years=years, own=f"{t.own * scale:+.2f}{unit}", nat=f"{nat_trend.own * scale:+.2f}{unit}",
                w=t.weight), "range": [lo, hi]}
    value, low, high = projection_pct(casework)
    doc["capacity_projection_pct_per_year"] = {
        "value": round(value, 2),
        "source": (f"The compound growth of the authorities' summed fitted base casework {years} "
                   "(casework_per_week_by_year, simulator/analysis/fit/capacity.py); range: the inter-quartile range "
                   "of the authorities' own growth"),
        "range": [round(low, 2), round(high, 2)]}
    doc["local_authorities"]["provenance"].update(copy.deepcopy(BACKLOG_PROVENANCE))
    return route


REFINE_GAIN = 0.7  # share of a year's miss carried into its aim each round (below 1: replication noise is damped)


def refine_casework(doc: dict, aims: dict[str, dict[int, float]], by_la: Mapping[str, Mapping[str, Mapping]],
                    observed: Mapping[str, Mapping[int, float]], route: np.ndarray) -> tuple[int, int]:
    """One joint round for `waits: backlog`: after a full-model run, move each authority-year's aim (the % within
    20 weeks its base casework is fitted for; it starts at the observed figure) by the model's miss, and fit its base
    again: the analytic fit ignores the queue's randomness and the disputes and re-assessments sharing the team.
    `aims` is updated in place. Returns (authority-years updated, authority-years within 3 points before)."""
    withdrawn = float(doc["population"]["request_withdrawn_probability"]["value"])
    updated = within = 0
    for it in doc["local_authorities"]["items"]:
        code = it["code"]
        rows = by_la.get(code, {})
        s = authority_series(it, max(int(y) for y in it["casework_per_week_by_year"]))
        r = float(it["casework_responsiveness_per_week"])
        cw = {int(y): v for y, v in it["casework_per_week_by_year"].items()}
        for y, obs in sorted((observed.get(code) or {}).items()):
            model = (rows.get(str(y)) or {}).get("within_20_weeks_pct")
            if model is None or y not in cw or y not in s["requests"]:
                continue
            within += abs(model - obs) <= 3.0
            aim = aims.setdefault(code, {}).get(y, obs)
            aim = min(max(aim + REFINE_GAIN * (obs - model), 0.5), 99.5)
            aims[code][y] = aim
            lam = arrivals_per_week(s["requests"][y], s["refused"].get(y, 0.0), withdrawn)
            cw[y] = round(base_for_wait(lam, wait_for_share(route, aim), r), 3)
            updated += 1
        it["casework_per_week_by_year"] = cw
    return updated, within
