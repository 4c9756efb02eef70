"""Calibration: fit the assumed parameters of a scenario to the official figures in its targets file.

Three stages, chosen so that a national calibration is affordable (a 7-year England replication takes minutes):

1. **Each authority's own delay, per year.** Authorities share nothing but the national tribunal, so each one's
   median extra delay d(y) (Weibull, national shape, between the last advice and the decision to issue: the waiting for EP advice,
   panels and plan writers that the statistics show but do not break down) is fitted on that authority alone, with
   no stock of plans and no disputes, to its own % of plans within 20 weeks in year y. Years are fitted in order (a
   year's late cases carry into the next): the first trial is no delay (if the authority is slower than observed
   even then, d = 0), then bisection on log(1 + d) in [0, log 601], 9 steps, one replication with a fixed seed
   (common random numbers: every trial sees the same children). Years without a published figure keep the previous
   year's delay. Staffing queues are sized to keep pace with requests and are not the binding constraint: fitting
   staff numbers instead made the % within 20 weeks a knife-edge (an M/M/c stage with many servers and long service
   switches from ~95% to ~5% within 10% of staffing; see docs/MODEL.md). Parameters: one per authority-year with a
   figure.
2. **National behaviour.** A few national parameters, each moved by a ratio (fixed-point) update computed from the
   mean of two full replications of the whole scenario with a fixed seed, for a fixed number of rounds:
   - `reviews.cease_probability_per_year` (one common scale) <- plans in force each January;
   - `redress.dispute_growth_pct_per_year` <- the trend of appeals registered, calendar 2019-2023 (log-linear);
   - `redress.dispute_probability` for refusal to assess, refusal to issue and contents <- appeals of each type
     in 2022/23 (type mix x appeals registered); placement and cessation (one common scale) <- the rest of the mix;
   - `redress.mediation_chosen_probability` <- mediations held 2019-2021;
   - `redress.family_wins_at_hearing_probability` <- the % of hearings decided for the family (all years).
   Every value is clipped to its stated `range`, so a calibrated value never leaves its assumption's bounds.
3. **Joint rounds** (`--stage joint`), from the values stages 1 and 2 left in the scenario: one full replication per
   round moves everything at once: each authority-year's delay from its own % within 20 weeks in the full model
   (where assessments ordered on appeal share the queues), the national parameters as in stage 2, and each year's
   `population.assessment_lapsed_probability` from that year's new plans issued (see docs/MODEL.md 3.3).

The fitted values are written to a calibration file (scenarios/calibration/<name>.yaml) with
`calibrated: <date>, <method>, <targets>` provenance; scripts/build_scenarios.py reads it, so the shipped scenario is
rebuilt with them. The report says how many parameters were fitted from how many targets: never more parameters than
targets (checked).

Why this module is long: the three stages' update rules and the joint rounds' two forms of
wait (Weibull delay, late share) share their helpers and constants; each function is small.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ...engine.model.records import NEW_PLANS_EXCL_EXCEPTIONS, WITHIN_LIMIT_EXCL_EXCEPTIONS
from ...rules.scenario import LoadedScenario
from ...schema.paths import get_path
from ...schema.scenario import LocalAuthorities, LocalAuthority
from ...schema.sourced import NonNegative
from ..runs.folder import write_atomic
from ..runs.runner import map_shared, simulate
from .backtest import METRICS, Target, backtest_replication, periods_in_horizon, run_replications

MAX_DELAY, STEPS = 600.0, 9
CAPACITY_METHOD = ("per-authority bisection on log(1 + mean delay days) in [0, log 601], 9 steps per year (the first "
                   "at no delay), years in order, one replication, fixed seed, authority alone without stock or "
                   "disputes")
NATIONAL_METHOD = "ratio (fixed-point) updates from full replications (mean of 2) per round, fixed seed"


# ------------------------------------------------------------------ stage 1: each authority's own delay

def one_authority(loaded: LoadedScenario, la: LocalAuthority, delays: dict[int, float], end_year: int
                  ) -> LoadedScenario:
    """The scenario reduced to one authority with the given delays, no stock, no disputes, ending `end_year`.

    The delays are the Weibull form's (`delay_days_by_year`), so the authority's late shares are dropped: where they
    are given the Weibull delay is never read, and a fit of it would move nothing."""
    sc = loaded.scenario
    upd: dict[str, Any] = {k: 0 for k in LocalAuthority.model_fields if k.startswith("stock_")}
    upd["delay_days_by_year"] = dict(delays)
    upd["late_share_by_year"] = {}
    la1 = la.model_copy(update=upd)
    las = LocalAuthorities.model_construct(provenance=sc.local_authorities.provenance, items=[la1])
    redress = sc.redress.model_copy(update={"dispute_probability": {}})
    tribunal = sc.tribunal.model_copy(update={"backlog_at_start": NonNegative(value=0, source="calibration run")})
    sc1 = sc.model_copy(update={"local_authorities": las, "redress": redress, "tribunal": tribunal,
                                "end_date": dt.date(end_year, 12, 31)})
    return dataclasses.replace(loaded, scenario=sc1)


def within_20(loaded: LoadedScenario, seed: int, year: int, reps: int = 1) -> float | None:
    """% of the authority's plans (excl. exceptions) issued within 20 weeks in `year`, pooled over replications."""
    num = den = 0.0
    for r in range(reps):
        c = simulate(loaded, seed, r).counters.la_counts
        den += c.get((0, NEW_PLANS_EXCL_EXCEPTIONS, str(year)), 0.0)
        num += c.get((0, WITHIN_LIMIT_EXCL_EXCEPTIONS, str(year)), 0.0)
    return 100.0 * num / den if den else None


def fit_authority(loaded: LoadedScenario, code: str, observed: dict[int, float], seed: int,
                  years: list[int], reps: int = 1) -> dict[str, Any]:
    """The authority's mean delay, year by year, fitted to its own % within 20 weeks (bisection, fixed seed)."""
    la = next(x for x in loaded.scenario.local_authorities.items if x.code == code)
    delay: dict[int, float] = {}
    fit: dict[int, float | None] = {}
    prev = 0.0
    for y in years:
        if y not in observed:
            delay[y] = prev
            continue
        lo, hi = 0.0, math.log1p(MAX_DELAY)
        best: tuple[float, float, float | None] = (math.inf, prev, None)
        for step in range(STEPS):
            x = 0.0 if step == 0 else (lo + hi) / 2  # first try no delay: the best the authority can do
            trial = {**delay, y: math.expm1(x)}
            got = within_20(one_authority(loaded, la, trial, y), seed, y, reps)
            err = (got if got is not None else 0.0) - observed[y]  # no plan at all that year: far too slow
            if abs(err) < best[0]:
                best = (abs(err), math.expm1(x), got)
            if step == 0 and err <= 0:
                break  # even with no delay the authority is not faster than observed
            if err > 0:
                lo = x
            else:
                hi = x
        delay[y] = round(best[1], 1)
        fit[y] = best[2]
        prev = delay[y]
    return {"code": code, "delays": delay, "model": fit, "observed": observed}


def _fit_job(loaded: LoadedScenario, job: tuple) -> dict[str, Any]:
    code, observed, seed, years = job
    return fit_authority(loaded, code, observed, seed, years)


def fit_delays(loaded: LoadedScenario, la_targets: list[Target], seed: int, workers: int = 1,
                 codes: list[str] | None = None, progress: Callable[[str], None] | None = None
                 ) -> list[dict[str, Any]]:
    """Stage 1 for every authority (or those in `codes`), in parallel processes if asked."""
    sc = loaded.scenario
    years = [y for y in range(sc.start_date.year, sc.end_date.year + 1)
             if any(t.period == str(y) and t.metric == "within_20_weeks_pct" for t in la_targets)]
    obs: dict[str, dict[int, float]] = {}
    for t in la_targets:
        if t.metric == "within_20_weeks_pct":
            obs.setdefault(t.la_code, {})[int(t.period)] = t.value
    todo = [la.code for la in sc.local_authorities.items if (codes is None or la.code in codes)]
    jobs = [(c, obs.get(c, {}), seed, years) for c in todo]
    out = []
    for k, res in enumerate(map_shared(_fit_job, loaded, jobs, workers)):
        out.append(res)
        if progress and (k + 1) % 10 == 0:
            progress(f"delays fitted for {k + 1}/{len(jobs)} authorities")
    return out


# ------------------------------------------------------------------ stage 2: national behaviour

def _val(reps_row: dict[str, Any], metric: str) -> float | None:
    return METRICS[metric].value(reps_row)


def national_update(sc_doc: dict[str, Any], targets: list[Target], by_period: dict[str, dict[str, Any]]
                    ) -> tuple[dict[str, float], dict[str, list[str]]]:
    """One round of ratio updates: new values of the national parameters, and the targets each one used."""
    red = sc_doc["redress"]
    rev = sc_doc["reviews"]
    tg: dict[tuple[str, str], float] = {(t.metric, t.period): t.value for t in targets}
    new: dict[str, float] = {}
    used: dict[str, list[str]] = {}

    def m(metric: str, period: str) -> float | None:
        return _val(by_period.get(period, {}), metric)

    # plans in force: cumulative cessations needed to hit each January
    need, have, names = 0.0, 0.0, []
    ceased_cum = 0.0
    years = sorted(int(p) for (mt, p) in tg if mt == "plans_in_force_january")
    first = min((int(p) for p in by_period if p.isdigit()), default=0)  # the scenario's first calendar year
    for y in years:
        if y <= first:
            continue
        ceased_cum = sum((by_period.get(str(k), {}).get("plans_ceased") or 0.0) for k in range(first, y))
        model = m("plans_in_force_january", str(y))
        if model is None or ceased_cum <= 0:
            continue
        need += ceased_cum + (model - tg[("plans_in_force_january", str(y))])
        have += ceased_cum
        names.append(f"plans_in_force_january {y}")
    if have > 0:
        scale = max(0.2, need / have)
        for band, node in rev["cease_probability_per_year"].items():
            new[f"reviews.cease_probability_per_year.{band}"] = node["value"] * scale
        used["reviews.cease_probability_per_year"] = names

    # appeals: trend (calendar years), then the level of each type (2022/23)
    pts = [(int(p), math.log(tg[(mt, p)] / v)) for (mt, p) in tg if mt == "tribunal_appeals_registered_calendar"
           for v in [m(mt, p)] if v]
    g_old = (red.get("dispute_growth_pct_per_year") or {}).get("value", 0.0)
    g_new = g_old
    if len(pts) >= 2:
        xb = sum(x for x, _ in pts) / len(pts)
        yb = sum(y for _, y in pts) / len(pts)
        slope = sum((x - xb) * (y - yb) for x, y in pts) / sum((x - xb) ** 2 for x, _ in pts)
        g_new = 100.0 * ((1 + g_old / 100.0) * math.exp(slope) - 1.0)
        new["redress.dispute_growth_pct_per_year"] = g_new
        used["redress.dispute_growth_pct_per_year"] = [f"tribunal_appeals_registered_calendar {x}" for x, _ in pts]
    k_mid = 3.67  # 2022/23 lies 3 to 4 years after 2019: the growth factor it carries
    trend_change = ((1 + g_new / 100.0) / (1 + g_old / 100.0)) ** k_mid
    total = tg.get(("tribunal_appeals_registered", "2022/23"))
    for kind in ("refusal_to_assess", "refusal_to_issue", "contents"):
        share = tg.get((f"tribunal_appeals_{kind}_pct", "2022/23"))
        row = by_period.get("2022/23", {})
        model = row.get(f"appeals_{kind}")
        if total and share is not None and model:
            ratio = (total * share / 100.0) / model / trend_change
            new[f"redress.dispute_probability.{kind}"] = red["dispute_probability"][kind]["value"] * ratio
            used[f"redress.dispute_probability.{kind}"] = ["tribunal_appeals_registered 2022/23",
                                                           f"tribunal_appeals_{kind}_pct 2022/23"]
    # placement and cessation appeals (one common scale) <- the rest of the 2022/23 type mix
    shares = [tg.get((f"tribunal_appeals_{k}_pct", "2022/23")) for k in ("refusal_to_assess", "refusal_to_issue",
                                                                         "contents")]
    row = by_period.get("2022/23", {})
    other_model = (row.get("appeals_placement") or 0.0) + (row.get("appeals_cessation") or 0.0)
    if total and all(x is not None for x in shares) and other_model:
        ratio = max(0.0, total * (100.0 - sum(shares)) / 100.0) / other_model / trend_change  # type: ignore[arg-type]
        for kind in ("placement", "cessation"):
            new[f"redress.dispute_probability.{kind}"] = red["dispute_probability"][kind]["value"] * ratio
        used["redress.dispute_probability.placement_and_cessation"] = [
            "tribunal_appeals_registered 2022/23", "the rest of the 2022/23 type mix (100 - the three shares)"]
    # mediations held
    obs_m = [(p, tg[(mt, p)]) for (mt, p) in tg if mt == "mediation_cases_held"]
    mod_m = [m("mediation_cases_held", p) for p, _ in obs_m]
    if obs_m and all(mod_m):
        ratio = sum(v for _, v in obs_m) / sum(mod_m) / ((1 + g_new / 100.0) / (1 + g_old / 100.0))
        new["redress.mediation_chosen_probability"] = red["mediation_chosen_probability"]["value"] * ratio
        used["redress.mediation_chosen_probability"] = [f"mediation_cases_held {p}" for p, _ in obs_m]
    # hearings decided for the family: the mean of the figures (the model reproduces the probability directly)
    fam = [(v, m("tribunal_decided_in_favour_pct", p)) for (mt, p), v in tg.items()
           if mt == "tribunal_decided_in_favour_pct"]
    if fam and all(x for _, x in fam):
        ratio = sum(v for v, _ in fam) / sum(x for _, x in fam)  # type: ignore[misc]
        new["redress.family_wins_at_hearing_probability"] = red["family_wins_at_hearing_probability"]["value"] * ratio
        used["redress.family_wins_at_hearing_probability"] = [f"tribunal_decided_in_favour_pct {p}"
                                                              for (mt, p) in tg if mt == "tribunal_decided_in_favour_pct"]
    return new, used


def get_node(doc: dict[str, Any], path: str) -> dict[str, Any]:
    """The parameter node at a dotted path of a scenario document (KeyError if there is none)."""
    return get_path(doc, path)


def clip(doc: dict[str, Any], path: str, value: float) -> float:
    """Keep a calibrated value inside its stated range (and a probability inside [0, 1])."""
    try:
        node = get_node(doc, path)
    except KeyError:
        node = {}
    lo, hi = node.get("range") or (-math.inf, math.inf)
    if "probability" in path:
        lo, hi = max(lo, 0.0), min(hi, 1.0)
    return min(max(value, lo), hi)


def period_rows(loaded: LoadedScenario, seed: int, reps: int = 1, workers: int = 1) -> dict[str, dict[str, Any]]:
    """Period rows averaged over `reps` replications (counts and percentages alike: a round's estimate)."""
    runs = run_replications(loaded, reps, seed, workers) if reps > 1 else [backtest_replication(loaded, seed, 0)]
    out: dict[str, dict[str, Any]] = {}
    for period in {p for r in runs for p in r["by_period"]}:
        keys = {k for r in runs for k in r["by_period"].get(period, {})}
        row = {}
        for k in keys:
            vals = [r["by_period"].get(period, {}).get(k) for r in runs]
            vals = [v for v in vals if v is not None]
            row[k] = sum(vals) / len(vals) if vals else None
        out[period] = row
    return out


def n_targets(targets: list[Target], loaded: LoadedScenario) -> int:
    sc = loaded.scenario
    return sum(1 for t in targets if t.period in periods_in_horizon(METRICS[t.metric].kind, sc.start_date,
                                                                    sc.end_date))


def provenance(method: str, targets: list[str], when: dt.date) -> str:
    return f"calibrated: {when.isoformat()}, {method}, targets: {', '.join(targets)}"


def write_calibration(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Written by `sendsim calibrate` (simulator/calibrate.py); read by scripts/build_scenarios.py.\n"
              "# la_delay_days: each authority's median delay (days) by year, fitted to its own % within 20 weeks;\n"
              "# or la_late_share: each authority's share held past its 20-week deadline by year, fitted likewise.\n"
              "# national: fitted national parameters with their `calibrated:` provenance.\n")
    write_atomic(path, header + yaml.safe_dump(data, sort_keys=False, width=120))  # whole or not at all


# ------------------------------------------------------------------ joint stage: everything on the full model

JOINT_GAIN = 1.0 / 35.0  # log(1 + median delay) per point of % within 20 weeks, for a Weibull of shape 1: its slope
#                          at the median is -ln2 x 0.5 = -0.35 per unit of log delay (35 points); shape k: 35k points,
#                          so a round divides this gain by the scenario's shape
JOINT_METHOD = ("joint rounds on the full model: one replication of the whole scenario per round (fixed seed); every "
                "authority-year's log(1 + median delay) moves by (model - observed % within 20 weeks) / (35 x the delay's Weibull shape) "
                "(halved after round 3), or by the secant through its last two rounds once they differ (slope "
                "10-300 points per unit, at most 1.5 a round); national parameters by the ratio updates of stage 2; the assessment lapse "
                "probability of each year by 1 - p <- (1 - p) x observed / model new plans")
LAPSE = "population.assessment_lapsed_probability"


def joint_gain(shape: float, round_index: int) -> float:
    """The step of round `round_index` (from 0): JOINT_GAIN for the delay's Weibull shape, halved after round 3."""
    return JOINT_GAIN / shape * (1.0 if round_index < 3 else 0.5)
SHAPE = "durations.authority_delay_shape"


SECANT_MIN_STEP = 0.1  # log(1 + d): two rounds' delays closer than this give no slope worth reading (noise)
SLOPE_RANGE = (10.0, 300.0)  # points of % within 20 weeks per unit of log(1 + d) a secant may use
MAX_STEP = 1.5  # log(1 + d) a round may move one delay (a factor of about 4.5)


def _authority_years(values: dict[str, dict[int, float]], by_la: dict[str, dict[str, dict[str, Any]]],
                     observed: dict[str, dict[int, float]]
                     ) -> Iterator[tuple[str, int, float, float, dict[int, float], float]]:
    """Each authority-year with both an observed and a modelled % within 20 weeks, in year order: (code, year,
    observed, modelled, the authority's table of fitted values, the value in force that year: its own, else the
    nearest earlier year's, else 0). Lazy, so a value the caller writes for one year is in force for the next."""
    for code, years in observed.items():
        rows = by_la.get(code, {})
        table = values.setdefault(code, {})
        for y, obs in sorted(years.items()):
            model = (rows.get(str(y)) or {}).get("within_20_weeks_pct")
            if model is None:
                continue
            earlier = [k for k in table if k <= y]
            yield code, y, obs, model, table, table.get(y, table[max(earlier)] if earlier else 0.0)


def update_delays(delays: dict[str, dict[int, float]], by_la: dict[str, dict[str, dict[str, Any]]],
                  observed: dict[str, dict[int, float]], gain: float,
                  history: dict[tuple[str, int], tuple[float, float]] | None = None) -> tuple[int, int]:
    """Move every authority-year's delay toward its own figure, all at once, from one full-model run.

    The step is (model - observed) x `gain` in log(1 + d), unless `history` holds the same authority-year's
    previous round (log(1 + d), model %): then the secant through the two rounds gives the slope (clipped to
    SLOPE_RANGE), when the two delays differ by at least SECANT_MIN_STEP and the figure fell as the delay grew.
    Why: the fixed gain assumes the slope at the Weibull's median (35 x shape points per unit of log delay); where
    the delay is short beside the route's slack (a few weeks) the figure hardly moves with it, so a fixed gain crept
    for many rounds (Sheffield 2021: 16.6 days after six rounds, 39 points too fast). `history` is updated in place.
    No step exceeds MAX_STEP. Returns (authority-years updated, authority-years already within 3 points before the
    update)."""
    updated = within = 0
    for code, y, obs, model, d, cur in _authority_years(delays, by_la, observed):
        within += abs(model - obs) <= 3.0
        x0 = math.log1p(cur)
        step = gain * (model - obs)  # faster than observed: more delay
        prev = history.get((code, y)) if history is not None else None
        if prev is not None and abs(x0 - prev[0]) >= SECANT_MIN_STEP and (prev[1] - model) / (x0 - prev[0]) > 0:
            slope = min(max((prev[1] - model) / (x0 - prev[0]), SLOPE_RANGE[0]), SLOPE_RANGE[1])
            step = (model - obs) / slope
        x = x0 + min(max(step, -MAX_STEP), MAX_STEP)
        if model <= 0.5 < obs or model >= 99.5 > obs:
            # the figure saturates (no plan on time, or all): it says the direction, not how far; halve or
            # double the delay instead of creeping
            x = x0 + (math.log(0.5) if model <= 0.5 else math.log(2.0))
        if history is not None:
            history[(code, y)] = (x0, model)
        d[y] = round(math.expm1(min(max(x, 0.0), math.log1p(MAX_DELAY))), 1)
        updated += 1
    return updated, within


LATE_METHOD = ("joint rounds on the full model: one replication of the whole scenario per round (fixed seed); every "
               "authority-year's late share moves by (model - observed % within 20 weeks) / slope, the slope the "
               "secant through its last two rounds (30-150 points per unit share) or, before that, the route's own "
               "share on time (model % / (1 - late share), 50-100 points); national parameters by the ratio updates "
               "of stage 2; the assessment lapse probability of each year by 1 - p <- (1 - p) x observed / model new "
               "plans")
LATE_SLOPE_RANGE = (30.0, 150.0)  # points of % within 20 weeks per unit of late share a secant may use
LATE_MAX_STEP = 0.3  # the most a round may move one late share


def first_late_shares(observed: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
    """Starting late shares: 1 - observed % within 20 weeks / 100 (the route's own lateness is left to the rounds)."""
    return {code: {y: round(min(max(1.0 - obs / 100.0, 0.0), 1.0), 4) for y, obs in years.items()}
            for code, years in observed.items()}


def update_late_shares(shares: dict[str, dict[int, float]], by_la: dict[str, dict[str, dict[str, Any]]],
                       observed: dict[str, dict[int, float]],
                       history: dict[tuple[str, int], tuple[float, float]] | None = None) -> tuple[int, int]:
    """Move every authority-year's late share toward its own % within 20 weeks, all at once, from one full run.

    The % on time is close to linear in the late share (the share on time times the route's own share on time,
    plus the late plans of the year before that reach this one), so the step is (model - observed) / slope with
    the slope from the secant through the authority-year's last two rounds when they differ by at least 0.02,
    else the route's own share on time read from this round (model / (1 - share), in points). No step exceeds
    LATE_MAX_STEP; shares stay in [0, 1]. `history` is updated in place. Returns (authority-years updated,
    authority-years already within 3 points before the update)."""
    updated = within = 0
    for code, y, obs, model, q, x0 in _authority_years(shares, by_la, observed):
        within += abs(model - obs) <= 3.0
        slope = min(max(model / (1.0 - x0), 50.0), 100.0) if x0 < 0.9 else 90.0
        prev = history.get((code, y)) if history is not None else None
        if prev is not None and abs(x0 - prev[0]) >= 0.02 and (prev[1] - model) / (x0 - prev[0]) > 0:
            slope = min(max((prev[1] - model) / (x0 - prev[0]), LATE_SLOPE_RANGE[0]), LATE_SLOPE_RANGE[1])
        step = min(max((model - obs) / slope, -LATE_MAX_STEP), LATE_MAX_STEP)
        if history is not None:
            history[(code, y)] = (x0, model)
        q[y] = round(min(max(x0 + step, 0.0), 1.0), 4)
        updated += 1
    return updated, within


def update_lapse(by_year: dict[int, float], targets: list[Target], by_period: dict[str, dict[str, Any]],
                 hi: float) -> tuple[dict[int, float], list[str]]:
    """Each year's lapse probability from that year's new plans: plans scale with the share not lapsing."""
    out = dict(by_year)
    used = []
    for t in targets:
        if t.metric != "new_plans_issued":
            continue
        model = (by_period.get(t.period) or {}).get("new_plans")
        if not model:
            continue
        y = int(t.period)
        earlier = [k for k in out if k <= y]
        p = out.get(y, out[max(earlier)] if earlier else 0.0)  # as ProbabilityByYear.in_year reads it
        out[y] = round(min(max(1.0 - (1.0 - p) * t.value / model, 0.0), hi), 5)
        used.append(f"new_plans_issued {t.period}")
    return out, used

