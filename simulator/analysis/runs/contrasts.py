"""Paired differences by calendar year, over each changed rule's in-force window, and over the whole horizon.

Why: a reform in force from September 2030 compared over 2024-2035 has its effect diluted by six years in which it
cannot act, and a total over the horizon hides when the difference starts. So every comparison also gives the paired
difference year by year (exactly 0 before the first commencement: the same children meet the same draws under the
same law) and totals over each window in which a changed rule is in force, beside the whole horizon. The same
figures are tidy rows (`contrast`, `period`, `period_kind`, ...), the shape of the results tables.

Counts are kept by calendar year, so a window's totals are over the calendar years it touches (for a window from
2030-09-01: 2030 to the end). Before the first in-force date every paired difference is 0, so for the first
window this equals the exact window; for a later one the months of its first year also carry the earlier switches'
effects, and the row says which calendar years it sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .stats import summarise

# by-year figures that add up over years (window totals); the January caseload is a state, read at the window's end
WINDOW_TOTALS = ("requests", "new_plans", "appeals_registered", "mediations", "plans_ceased", "cost_total_gbp")


def by_year(reps_a: list[dict[str, Any]], reps_b: list[dict[str, Any]], start: dt.date, end: dt.date,
            paired: Callable[[list, list, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{year: {metric: paired difference}} for every calendar year of the run (January caseloads included)."""
    out: dict[str, dict[str, Any]] = {}
    for year in range(start.year, end.year + 1):
        y = str(year)
        keys = sorted({k for r in reps_a + reps_b for k in r["by_period"].get(y, {})})
        out[y] = {k: paired([r["by_period"].get(y, {}).get(k) for r in reps_a],
                            [r["by_period"].get(y, {}).get(k) for r in reps_b], k) for k in keys}
    return out


def windows(in_force: list[dict[str, Any]], start: dt.date, end: dt.date, reps_a: list[dict[str, Any]],
            reps_b: list[dict[str, Any]], paired: Callable[[list, list, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """One window per in-force date within the run (from that date to the end), with the switches starting then
    and the paired totals over its calendar years."""
    dates: dict[str, list[str]] = {}
    for r in in_force:
        if r["in_force"]:
            dates.setdefault(r["in_force"], [])
            if r["switch"] not in dates[r["in_force"]]:
                dates[r["in_force"]].append(r["switch"])
    out = []
    for when in sorted(dates):
        d0 = dt.date.fromisoformat(when)
        years = [str(y) for y in range(d0.year, end.year + 1)]

        def tot(reps: list[dict[str, Any]], key: str, years: list[str] = years) -> list[float | None]:
            vals = []
            for r in reps:
                xs = [r["by_period"].get(y, {}).get(key) for y in years]
                vals.append(None if any(x is None for x in xs) else sum(xs))
            return vals

        metrics = {k: paired(tot(reps_a, k), tot(reps_b, k), k) for k in WINDOW_TOTALS
                   if any(k in r["by_period"].get(years[0], {}) for r in reps_a)}
        out.append({"period": f"{when}/{end}", "from": when, "to": str(end), "switches": dates[when],
                    "calendar_years": f"{years[0]}-{years[-1]}", "metrics": metrics,
                    "note": ("totals over the calendar years the window touches; before the first in-force date "
                             "every paired difference is 0" if when == min(dates) else
                             f"totals over {years[0]}-{years[-1]}: the months of {years[0]} before {when} also carry "
                             "the effects of switches in force earlier")})
    return out


def tidy(contrast: str, years: dict[str, dict[str, Any]], wins: list[dict[str, Any]], horizon: dict[str, Any],
         start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The same figures as rows: metric, contrast ("B - A"), period, period_kind, the mean paired difference, its 95%
    interval and the number of replications. The words are the results table's (issue 19, analysis/runs/table.py):
    period "all" with kind "horizon", a year "2031" with kind "calendar" ("january" for the January caseload), and
    one kind of this module's, "in_force_window", whose period is "FROM/TO" (ISO dates)."""
    rows: list[dict[str, Any]] = []

    def add(metric: str, period: str, kind: str, m: dict[str, Any]) -> None:
        lo, hi = (m.get("diff_ci95") or [None, None])[:2]
        rows.append({"metric": metric, "contrast": contrast, "period": period, "period_kind": kind,
                     "mean": m.get("diff"), "ci95_low": lo, "ci95_high": hi, "n": m.get("n")})

    for y, ms in years.items():
        for k, m in ms.items():
            add(k, y, "january" if k == "plans_in_force_january" else "calendar", m)
    for w in wins:
        for k, m in w["metrics"].items():
            add(k, w["period"], "in_force_window", m)
    for k, m in horizon.items():
        add(k, "all", "horizon", m)
    return rows


def nothing_in_force(in_force: list[dict[str, Any]], dates: dict[str, dt.date], changed: bool,
                     end: dt.date) -> str | None:
    """The sentence for a comparison in which no changed rule comes into force within the run (None otherwise):
    it says so in those words, and which horizon would show the first change (its in-force date plus three years),
    never "no clear difference"."""
    if not changed or not in_force or any(r["in_force"] for r in in_force):
        return None
    later = {k: d for k, d in dates.items() if d > end}
    if not later:
        return None
    first_switch, first = min(later.items(), key=lambda kv: (kv[1], kv[0]))
    horizon = dt.date(first.year + 3, 12, 31)
    return (f"Nothing that changed is in force within the years run (to {end}): the first change "
            f"({first_switch}) comes into force on {first}. A horizon to {horizon} (--until {horizon}) would show "
            "it; until then the two rule sets run the same law and every difference is zero.")


def paired_summary(ka: str, kb: str, labels: dict[str, str], bounds: Callable[[str], tuple[float, float]]
                   ) -> Callable[[list, list, str], dict[str, Any]]:
    """The paired-difference row of `compare` (each side's mean and interval, the difference and its interval)."""
    def paired(xa: list, xb: list, key: str) -> dict[str, Any]:
        diffs = [None if (x is None or y is None) else y - x for x, y in zip(xa, xb, strict=True)]
        sd_ = summarise(diffs)
        return {"label": labels.get(key, key), ka: summarise(xa, bounds(key)), kb: summarise(xb, bounds(key)),
                "diff": sd_["mean"], "diff_ci95": sd_["ci95"], "n": sd_["n"]}
    return paired
