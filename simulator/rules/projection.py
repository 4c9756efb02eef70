"""A scenario's declared projection turned into yearly values, the warnings it raises, and what is left undeclared.

Why here (the rules layer, before the engine): the engine already reads every projected input by year (requests,
rates, staffing, delays, hearings, disputes). Writing the projection into those yearly fields once, when the scenario
is loaded, keeps one engine for data years and projection years, and keeps the rule of each projected input in one
readable place. The rules, for the k-th year after the last data year (k = 1, 2, ...), with the variant's
parameters (schema/projection.py):

- damping d_k = max(0, 1 - (k - 1) / damping_years): the first projection year carries the whole trend, and the
  trend is gone (population growth only) after `damping_years`;
- requests grow at p + trend_weight x (g - p) x d_k % a year, where g is the authority's own trend
  (`requests_trend_pct_per_year`; England's where it has none) and p is population growth;
- refusal and no-plan rates move by rate_trend_weight x t x d_k points a year (t: the authority's own trend in points),
  held within 0-1;
- staffing grows at `staffing_vs_requests` x the authority's requests growth; the tribunal's hearings at
  `hearings_vs_requests` x England's requests growth (from the tribunal's own last year with figures);
- the authority's extra delay is `delay_vs_fitted_median` x the median of its fitted yearly delays (not the last
  fitted year carried forward: a single year fitted at 0 would otherwise stand for ten);
- under `waits: backlog`, the decide-and-issue team's base casework grows at p + (c - p) x d_k % a year, c the
  variant's `casework_growth_pct_per_year`: staff, stated, never following the projected requests (issue 21);
- disputes per decision: the fitted growth x dispute_trend_weight x d_k, compounding from the last data year;
- special places grow at the variant's stated rate.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from ..schema.by_year import grow, interpolated
from ..schema.projection import PROJECTED_INPUTS, RULED_INPUTS, Variant
from ..schema.scenario import Scenario


@dataclass(frozen=True)
class ProjectionReport:
    """What a run past its data rests on: printed with every result beyond the last data year."""

    name: str
    last_data_year: int
    description: str
    assumptions: tuple[dict[str, Any], ...]
    held: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "last_data_year": self.last_data_year, "description": self.description,
                "assumptions": list(self.assumptions), "held": dict(self.held), "warnings": list(self.warnings)}


def last_data_year(sc: Scenario) -> int:
    """The last calendar year with official figures: the projection's, else the latest year of requests given."""
    if sc.projection is not None:
        return sc.projection.last_data_year
    years = [y for la in sc.local_authorities.items for y in la.requests_by_year]
    return max(years) if years else sc.start_date.year


def undeclared(sc: Scenario) -> list[str]:
    """Inputs used past the last data year without a declared projection (empty when the run ends by then)."""
    last = last_data_year(sc)
    if sc.end_date.year <= last:
        return []
    unused = "delay" if sc.waits == "backlog" else "casework"  # the waits model not in use reads no input
    if sc.projection is None:
        return [f"{k}: {v}, {last + 1}-{sc.end_date.year} (no `projection:` block)" for k, v in PROJECTED_INPUTS.items()
                if k != unused]
    declared = set(RULED_INPUTS) | set(sc.projection.held)
    if sc.projection.variants[sc.projection.use].casework_growth_pct_per_year is not None:
        declared.add("casework")
    return [f"{k}: {v}, {last + 1}-{sc.end_date.year}" for k, v in PROJECTED_INPUTS.items()
            if k not in declared and k != unused]


def _ratio(now: float, before: float) -> float:
    """The growth factor from `before` to `now`; 1 (no growth) when either is 0: a year no authority has figures for
    (every one suppressed in a release, "low" or "x") or an authority with no requests gives nothing to grow from,
    and a ratio to 0 made 0 hearings or divided by zero."""
    return now / before if now and before else 1.0


def _england_growth(las: list, before: int, now: int) -> float | None:
    """England's growth factor of requests from `before` to `now`, read over the authorities with figures in both
    years (like for like); None when none has both (no growth to read).

    Why like for like: England's total of a year is the sum over the scenario's authorities, and an authority with
    no figure that year (a council formed later: Cumberland and Westmorland and Furness report from 2023, North and
    West Northamptonshire from 2021; a figure suppressed in a release) was counted as 0, so the total grew by its
    whole count the year it appeared (England's 2022-2023 growth read 22.30% where the authorities reporting both
    years grew 21.42%, and the tribunal's hearings followed it). Carrying its first figure back instead would say
    its area did not grow in the years before it reported; like for like says it grew as the rest of England did."""
    a = b = 0.0
    for la in las:
        r = la.requests_by_year
        if before in r and now in r:
            a += r[now]
            b += r[before]
    return a / b if a and b else None


def _damp(k: int, v: Variant) -> float:
    return max(0.0, 1.0 - (k - 1) / v.damping_years.value)


def project(sc: Scenario, name: str | None = None) -> tuple[Scenario, ProjectionReport | None]:
    """The scenario with every projected input written year by year to its end, and the report of the projection
    used (None when the scenario declares none)."""
    pj = sc.projection
    if pj is None:
        return sc, None
    use = name or pj.use
    v = pj.variants[use]
    last, end = pj.last_data_year, sc.end_date.year
    years = list(range(last + 1, end + 1))
    pop, w, wr = v.population_growth_pct_per_year.value, v.trend_weight.value, v.rate_trend_weight.value
    warnings: list[str] = []
    rng = {k: p.range for k, p in pj.ranges.items()}

    left: dict[tuple[str, str, str, str], list] = {}  # (what, where, range, kind) -> [first year, worst, ref, year]

    def check(what: str, la: str, year: int, value: float, ref: float, key: str, kind: str) -> None:
        lo, hi = rng[key]  # type: ignore[misc]
        rel = value / ref if kind == "x" and ref else (value - ref) * 100.0 if kind == "pts" else None
        if rel is not None and not lo <= rel <= hi:
            w = left.setdefault((what, la, key, kind), [year, value, ref, year, rel])
            if abs(rel - (lo + hi) / 2) > abs(w[4] - (lo + hi) / 2):
                w[1], w[3], w[4] = value, year, rel

    # England's own requests trend: where an authority has none, and for the tribunal
    las_in = sc.local_authorities.items
    g4 = _england_growth(las_in, last - 4, last)
    nat_g = 100.0 * (g4 ** 0.25 - 1.0) if g4 is not None else pop
    las = []
    nat_req = {y: 0.0 for y in [last, *years]}
    for la in las_in:
        req = dict(la.requests_by_year)
        ref = dict(la.refuse_to_assess_by_year)
        nop = dict(la.no_plan_after_assessment_by_year)
        cap = dict(la.capacity_by_year)
        dly = dict(la.delay_days_by_year)
        cw = dict(la.casework_per_week_by_year)
        cw_g = v.casework_growth_pct_per_year.value if v.casework_growth_pct_per_year is not None else None
        cw_prev = cw_base = la.casework_in_year(last, 0.0) if cw and cw_g is not None else None
        base_req = req.get(last, la.requests_per_year)
        base_ref = ref.get(last, la.refuse_to_assess_probability)
        base_nop = nop.get(last, la.no_plan_after_assessment_probability)
        g = la.requests_trend_pct_per_year.value if la.requests_trend_pct_per_year is not None else nat_g
        tr = (la.refuse_trend_pts_per_year.value if la.refuse_trend_pts_per_year else 0.0) / 100.0
        tn = (la.no_plan_trend_pts_per_year.value if la.no_plan_trend_pts_per_year else 0.0) / 100.0
        fitted = [d for y, d in la.delay_days_by_year.items() if y <= last]
        delay = v.delay_vs_fitted_median.value * statistics.median(fitted) if fitted else None
        # late shares (lateness apart from the share on time): the median of the fitted years' shares carries on
        # (a share is not scaled by the delay's multiplier, which is a ratio of days)
        shares = [q for y, q in la.late_share_by_year.items() if y <= last]
        late = dict(la.late_share_by_year)
        share = statistics.median(shares) if shares else None
        r_prev, c_prev = base_req, cap.get(last, 1.0)
        rf, nf = base_ref, base_nop
        nat_req[last] += base_req
        for k, y in enumerate(years, start=1):
            d = _damp(k, v)
            r = r_prev * (1.0 + (pop + w * (g - pop) * d) / 100.0)
            c = c_prev * (1.0 + v.staffing_vs_requests.value * (_ratio(r, r_prev) - 1.0))
            rf = min(1.0, max(0.0, rf + wr * tr * d))
            nf = min(1.0, max(0.0, nf + wr * tn * d))
            req[y], cap[y], ref[y], nop[y] = round(r, 3), round(c, 5), round(rf, 5), round(nf, 5)
            if delay is not None:
                dly[y] = round(delay, 2)
            if share is not None:
                late[y] = round(share, 4)
            if cw_prev is not None:
                cw_prev *= 1.0 + (pop + (cw_g - pop) * d) / 100.0
                cw[y] = round(cw_prev, 3)
                check("casework", la.name, y, cw_prev, cw_base,
                      "staffing_vs_last_data_year", "x")
            nat_req[y] += r
            check("requests", la.name, y, r, base_req, "requests_vs_last_data_year", "x")
            check("staffing", la.name, y, c, cap.get(last, 1.0), "staffing_vs_last_data_year", "x")
            check("refusal rate", la.name, y, rf, base_ref, "refusal_pts_from_last_data_year", "pts")
            check("no-plan rate", la.name, y, nf, base_nop, "no_plan_pts_from_last_data_year", "pts")
            r_prev, c_prev = r, c
        upd: dict[str, Any] = {"requests_by_year": req, "refuse_to_assess_by_year": ref,
                               "no_plan_after_assessment_by_year": nop, "capacity_by_year": cap}
        if delay is not None:
            upd["delay_days_by_year"] = dly
        if share is not None:
            upd["late_share_by_year"] = late
        if cw_prev is not None:
            upd["casework_per_week_by_year"] = cw
        las.append(la.model_copy(update=upd))
    # the tribunal: from its own last year with figures, hearing capacity follows England's requests
    t = sc.tribunal
    hby = dict(t.hearings_per_year_by_year) or {sc.start_date.year: t.hearings_per_year.value}
    for y in range(max(hby) + 1, last + 1):  # years after the tribunal's figures with England's requests known
        # England's requests growth in the last five data years; a year before them, or a year no authority reports
        # with the year before, gives none: carried
        g1 = _england_growth(las_in, y - 1, y) if y - 1 >= last - 4 else None
        growth = (g1 if g1 is not None else 1.0) - 1.0
        hby[y] = round(hby[y - 1] * (1.0 + v.hearings_vs_requests.value * growth), 2)
    h_base = hby[last] if last in hby else interpolated(hby, last, t.hearings_growth_pct_per_year.value)
    hby = {y: h for y, h in hby.items() if y <= last}
    hby[last] = h_base
    for y in years:
        hby[y] = round(hby[y - 1] * (1.0 + v.hearings_vs_requests.value * (_ratio(nat_req[y], nat_req[y - 1]) - 1.0)), 2)
        check("hearings", "the tribunal", y, hby[y], h_base, "hearings_vs_last_data_year", "x")
    tribunal = t.model_copy(update={"hearings_per_year_by_year": hby})
    # disputes per decision: the fitted growth to the last data year, then damped
    r = sc.redress
    dg = r.dispute_growth_pct_per_year.value if r.dispute_growth_pct_per_year is not None else 0.0
    start = sc.start_date.year
    lvl: dict[int, float] = {}
    level = 1.0
    for y in range(min(start, last + 1), end + 1):
        if y <= last:
            level = grow(1.0, dg, y - start)
        else:
            level *= 1.0 + dg * v.dispute_trend_weight.value * _damp(y - last, v) / 100.0
        if y >= start:
            lvl[y] = round(level, 6)
    redress = r.model_copy(update={"dispute_level_by_year": lvl})
    for (what, la_name, key, kind), (first, worst, ref, when, rel) in left.items():
        lo, hi = rng[key]  # type: ignore[misc]
        shown = f"{worst:,.1f} in {when} ({rel:.2f}x {last}'s {ref:,.1f})" if kind == "x" else \
            f"{worst:.1%} in {when} ({rel:+.1f} points from {last}'s {ref:.1%})"
        unit = "x" if kind == "x" else " points"
        warnings.append(f"projection {use}: {what} of {la_name} leaves its stated range {lo:g} to {hi:g}{unit} "
                        f"(projection.ranges.{key}) from {first}: {shown}")
    naming = sc.naming.model_copy(update={"special_places_growth_pct_per_year": v.special_places_growth_pct_per_year})
    out = sc.model_copy(update={
        "local_authorities": sc.local_authorities.model_copy(update={"items": las}),
        "tribunal": tribunal, "redress": redress, "naming": naming})
    assumptions = []
    for key in Variant.model_fields:
        p = getattr(v, key)
        if key == "description" or p is None:
            continue
        assumptions.append({"parameter": key, "value": p.value, "source": p.source, "assumption": p.assumption,
                            "range": list(p.range) if p.range else None})
    report = ProjectionReport(use, last, v.description, tuple(assumptions), tuple(sorted(pj.held.items())),
                              tuple(warnings))
    return out, report


def describe(report: dict[str, Any], limit: int = 10) -> list[str]:
    """The projection in lines of text, for every result past the last data year."""
    lines = [f"Projection beyond {report['last_data_year']}: {report['name']} ({report['description']})"]
    for a in report["assumptions"]:
        why = a["source"] or a["assumption"]
        rng = f" [range {a['range'][0]:g} to {a['range'][1]:g}]" if a.get("range") else ""
        lines.append(f"  {a['parameter']} = {a['value']:g}{rng}: {why}")
    for k, why in report.get("held", {}).items():
        lines.append(f"  {k}: held ({why})")
    w = report.get("warnings", [])
    for line in w[:limit]:
        lines.append(f"  warning: {line}")
    if len(w) > limit:
        lines.append(f"  warning: ... and {len(w) - limit} more values outside their stated ranges (see the JSON)")
    return lines
