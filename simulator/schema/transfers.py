"""The plan-transfers file: each authority's yearly rate of plans transferred to another authority (SEND Regs 2014
reg 15), and the assumptions that turn the rates into flows of children between the authorities of a run.

Why a file of its own, referenced from a scenario by one line (`plan_transfers: plan_transfers.yaml`): the rates
are one generated table for every authority of England (scripts/build_plan_transfers.py, from SEN2), shared by the
national scenario, the single-council scenarios and the forward scenarios, so it is built once, regenerated on its
own, and a scenario that is regenerated (scripts/build_scenarios.py) only has to keep the one line.

A rate is a hazard: plans transferred out in a calendar year / the authority's plans in force over that year (the
mean of its January counts either side), so a plan in force for the whole year moves with probability about the
rate. Which year's rate a run uses (`out_rate`): the authority's own figure in a year with one; before its first
year, its first year's (nearest year); in a gap inside the series, the nearest year's; after the series, its own
mean shrunk toward England's (`out_of_sample`). An authority not in the file (a council built from a user's own
figures) takes England's rates.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .sourced import FIRST_YEAR, LAST_YEAR, Multiplier, NonNegativeDays, Probability, Sourced, Strict
from .text import Cited, Said

MAX_RATE = 0.5  # half of an authority's plans moving away in a year: 20x the largest authority's rate (~10%)

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Rate = Annotated[float, Field(ge=0.0, le=MAX_RATE)]


class TransferRate(Sourced):
    """A yearly rate of plans transferred out (fraction of plans in force), with where it comes from."""

    value: Rate


class AuthorityTransfers(Strict):
    """One authority's rates: its own years with figures, and the rate beyond them (its mean shrunk toward
    England's); `note` says what the builder did where a year was missing."""

    name: Said  # shown in every table of moves: a blank name showed as an empty cell
    out_rate_by_year: Annotated[dict[Year, Rate], Field(min_length=1)]
    out_of_sample: Rate
    note: str = ""


class PlanTransfers(Strict):
    """The plan-transfers file (scenarios/plan_transfers.yaml): national and per-authority rates and the
    assumptions of the flows (marked UNVERIFIED where no source gives them)."""

    description: Said
    source: Cited
    national_out_rate_by_year: Annotated[dict[Year, Rate], Field(min_length=1)]
    national_out_of_sample: TransferRate
    shrinkage_weight: Probability  # the weight of an authority's own mean in its out-of-sample rate
    # the destination of a plan that moves inside a run of several authorities: another authority of the run, drawn
    # in proportion to its plans in force at the start x this weight if it is in the origin's region (1: in
    # proportion to plans in force alone)
    same_region_weight: Multiplier
    # a run of one authority: plans transferred in a year = this ratio x the authority's out-rate x its plans in
    # force on 1 January (England's transfers in equal its transfers out)
    single_authority_in_ratio: Multiplier
    # how long before the move the old authority learns of it (reg 15(2): 15 working days or more: the plan moves
    # on the day of the move; fewer: within 15 working days of learning)
    learned_days_before_move: NonNegativeDays
    authorities: dict[str, AuthorityTransfers]

    @model_validator(mode="after")
    def _weights(self):
        if self.same_region_weight.value < 1.0 or (self.same_region_weight.range or (1.0, 1.0))[0] < 1.0:
            raise ValueError("same_region_weight: below 1 (allowed: at least 1; 1 = in proportion to plans in force)")
        return self

    def out_rate(self, code: str, year: int) -> float:
        """The authority's rate of plans transferred out in `year` (England's for an authority not in the file):
        its own figure; before its first year the first (nearest year); in a gap the nearest year's (the earlier
        on a tie); after England's last year with figures, its shrunk mean (`out_of_sample`)."""
        la = self.authorities.get(code)
        by = la.out_rate_by_year if la is not None else self.national_out_rate_by_year
        if year in by:
            return by[year]
        if year > max(self.national_out_rate_by_year):
            return la.out_of_sample if la is not None else self.national_out_of_sample.value
        return by[min(by, key=lambda y: (abs(y - year), y))]
