"""The `projection:` block of a scenario: what every input does beyond the last year with official figures.

Why a block of its own: a scenario that runs past its data extrapolates, and an extrapolation nobody declared is a
silent assumption (a fitted trend of +28% a year carried to 2035, a fitted delay of 0 held for ten years). Here each
projected input follows a named projection (central, low, high, ...), and each of the projection's parameters is a
number with its source or its assumption and range, like every other number in a scenario. The rules that turn the
parameters into yearly values are in `rules/projection.py`; `RANGES` are the stated ranges of the projected values
themselves (a value leaving one is a warning naming it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .sourced import FIRST_YEAR, LAST_YEAR, Growth, Multiplier, Positive, Provenance, Strict

# Every input that can run past the last year with figures, and what it means. A scenario ending after its last data
# year must declare each (by a projection's rule, or as `held`); `sendsim validate` lists those it does not.
PROJECTED_INPUTS: dict[str, str] = {
    "requests": "requests per authority and year (local_authorities.requests_by_year)",
    "refusals": "refusal-to-assess rate per authority and year (refuse_to_assess_by_year)",
    "no_plan": "assessed-but-no-plan rate per authority and year (no_plan_after_assessment_by_year)",
    "staffing": "assessment staffing per authority and year (capacity_by_year)",
    "delay": "the authority's extra delay before the decision to issue (delay_days_by_year; waits: fitted_delay)",
    "casework": "the decide-and-issue team's base casework per authority and year (casework_per_week_by_year; "
                "waits: backlog)",
    "hearings": "the tribunal's hearings per year (tribunal.hearings_per_year_by_year)",
    "special_places": "special school places (naming.special_places_growth_pct_per_year)",
    "disputes": "disputes per appealable decision (redress.dispute_growth_pct_per_year)",
    "assessment_lapsed": "assessments lapsing before a decision (population.assessment_lapsed_probability)",
}
ProjectedInput = Literal[tuple(PROJECTED_INPUTS)]  # type: ignore[valid-type]

# the stated ranges a projected value may take, relative to its value in the last data year (levels) or in points
# from it (rates); a projection-year value outside is a warning in every output, naming the value
RangeName = Literal["requests_vs_last_data_year", "staffing_vs_last_data_year", "hearings_vs_last_data_year",
                    "refusal_pts_from_last_data_year", "no_plan_pts_from_last_data_year"]


class Damping(Positive):
    """Years over which an authority's own trend is damped toward population growth (linearly, to nil)."""

    value: Annotated[float, Field(gt=0.0, le=50.0)]


class Share(Multiplier):
    """A share of another growth followed (1.0: in step)."""


class Variant(Strict):
    """One named projection: its parameters, each sourced or an assumption with its range."""

    description: str
    population_growth_pct_per_year: Growth
    damping_years: Damping
    trend_weight: Multiplier  # how much of the authority's own trend (beyond population growth) carries forward
    rate_trend_weight: Multiplier  # how much of the authority's own trend in refusal and no-plan rates carries forward
    staffing_vs_requests: Share  # LA staffing growth as a share of its requests' growth
    hearings_vs_requests: Share  # tribunal hearing capacity growth as a share of England's requests' growth
    special_places_growth_pct_per_year: Growth
    delay_vs_fitted_median: Multiplier  # delay in projection years: this x the median of the authority's fitted years
    dispute_trend_weight: Multiplier  # share of the fitted dispute trend carried forward (damped like requests)
    # waits: backlog: the decide-and-issue team's casework growth in the first projection year (damped like requests)
    casework_growth_pct_per_year: Growth | None = None


class Projection(Strict):
    """Named projections and the one a run uses (`use`; `compare --projection` may choose another)."""

    use: str
    # the calendar years any file may name (sourced.py's one declaration, with its why): a second copy of
    # the two years here could drift from the scenario's own bounds
    last_data_year: Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
    until_limit: dt.date  # the latest date `--until` may reach with these projections
    variants: Annotated[dict[str, Variant], Field(min_length=1)]
    ranges: dict[RangeName, Provenance]
    held: dict[ProjectedInput, str] = {}  # inputs held at their latest value, and why (a declaration, not silence)

    @model_validator(mode="after")
    def _consistent(self):
        if self.use not in self.variants:
            raise ValueError(f"use: {self.use!r} is not a projection of this file (allowed: "
                             f"{', '.join(sorted(self.variants))})")
        missing = [k for k in RangeName.__args__ if k not in self.ranges]  # type: ignore[attr-defined]
        if missing:
            raise ValueError(f"ranges: missing {', '.join(missing)} (every projected value states its range)")
        for k, p in self.ranges.items():
            if p.range is None:
                raise ValueError(f"ranges.{k}: give `range: [low, high]`")
        return self


# inputs a projection's rules set (the rest must be `held`)
RULED_INPUTS = ("requests", "refusals", "no_plan", "staffing", "delay", "hearings", "special_places", "disputes")
