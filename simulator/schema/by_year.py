"""A value for a given calendar year, from the years a file gives: the rules, each named once.

Scenario files give many figures by year (requests, refusal rates, staffing, hearings, fitted delays), and each kind
of figure is read for the years between and beyond the ones given by a rule of its own. The rules are here, named
for what they do, so a reader sees which one a figure follows and no module writes its own variant.
"""

from __future__ import annotations

from collections.abc import Mapping


def grow(value: float, growth_pct: float, years: float) -> float:
    """`value` after `years` of growth at `growth_pct` a year (compound)."""
    return value * (1.0 + growth_pct / 100.0) ** years


def latest(by_year: Mapping[int, float], year: int, default: float) -> float:
    """A rate carried forward: the year's own figure, else the latest earlier one, else `default` (years before
    the first given one)."""
    if year in by_year:
        return by_year[year]
    earlier = [y for y in by_year if y <= year]
    return by_year[max(earlier)] if earlier else default


def latest_then_trend(by_year: Mapping[int, float], year: int, growth_pct: float, default: float) -> float:
    """A level that follows the trend from the latest figure: the year's own, else the latest earlier one grown by
    the trend, else `default` (years before the first given one)."""
    if year in by_year:
        return by_year[year]
    earlier = [y for y in by_year if y < year]
    if not earlier:
        return default
    last = max(earlier)
    return grow(by_year[last], growth_pct, year - last)


def from_ends_by_trend(by_year: Mapping[int, float], year: int, growth_pct: float) -> float:
    """Demand: the year's own figure; after the last given year the trend carries on from it; before (or between)
    the given years it is projected from the first given one by the same trend."""
    if year in by_year:
        return by_year[year]
    ref = max(by_year) if year > max(by_year) else min(by_year)
    return grow(by_year[ref], growth_pct, year - ref)


def interpolated(by_year: Mapping[int, float], year: int, growth_pct: float) -> float:
    """Capacity with given years: the first figure before them, geometric between them, the trend after them."""
    given = dict(sorted(by_year.items()))
    if year in given:
        return given[year]
    years = list(given)
    if year < years[0]:
        return given[years[0]]
    if year > years[-1]:
        return grow(given[years[-1]], growth_pct, year - years[-1])
    lo = max(y for y in years if y < year)
    hi = min(y for y in years if y > year)
    return given[lo] * (given[hi] / given[lo]) ** ((year - lo) / (hi - lo))
