"""Numbers that carry their provenance.

Every number in a shipped scenario is either an official or published figure (`source`) or
an assumption (`assumption`, with the plausible `range` the analyst should vary it over).
A value with neither is refused, so an unexplained number cannot enter a scenario.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .by_year import latest
from .text import Cited

K = TypeVar("K")

# The calendar years any file may name, declared once (scenario.py, projection.py and transfers.py read these):
# wide on purpose, a guard against a typed year ("20219", "219") rather than a statement about the data. The
# official series here start in the 2010s (the 2014 Act's plans from 2014-15) and the projections stop at
# 2040 (a scenario's `until_limit`), so a year outside 1990-2100 can only be a mistake; one inside them but outside
# a file's own years is checked where that file is read.
FIRST_YEAR, LAST_YEAR = 1990, 2100


class Strict(BaseModel):
    """Base for everything read from disk: unknown fields are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Provenance(Strict):
    source: Cited | None = None
    assumption: Cited | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _explained(self):
        if not self.source and not self.assumption:
            raise ValueError("give a `source` (document, table, year) or an `assumption` with its `range`")
        if self.assumption and self.range is None:
            raise ValueError("an `assumption` needs a plausible `range: [low, high]`")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range: [{self.range[0]:g}, {self.range[1]:g}] (allowed: [low, high], low first)")
        return self


_WORDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


class Sourced(Provenance):
    value: float

    @model_validator(mode="after")
    def _in_range(self):
        if self.range is not None and not (self.range[0] <= self.value <= self.range[1]):
            raise ValueError(f"value {self.value:g} lies outside its stated range [{self.range[0]:g}, {self.range[1]:g}] "
                             "(allowed: a value within its range)")
        if self.range is not None:  # the plausible range must itself be possible (a negative count is not)
            for c in type(self).model_fields["value"].metadata:
                for attr, ok in (("ge", lambda x, b: x >= b), ("gt", lambda x, b: x > b), ("le", lambda x, b: x <= b),
                                 ("lt", lambda x, b: x < b)):
                    b = getattr(c, attr, None)
                    if b is not None and not all(ok(x, b) for x in self.range):
                        raise ValueError(f"range {list(self.range)} goes beyond what the value may be (allowed: "
                                         f"{_WORDS[attr]} {b:g})")
        return self


class Probability(Sourced):
    value: Annotated[float, Field(ge=0.0, le=1.0)]


class ProbabilityByYear(Probability):
    """A probability that may change by calendar year: `by_year` where given, else the latest earlier year's,
    else `value` (years before the first given one)."""

    # why bounded: `1800: 0.1` was accepted as a year (the scenario's by-year keys are bounded to 1990-2100)
    by_year: dict[Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)], Annotated[float, Field(ge=0.0, le=1.0)]] = {}

    def in_year(self, year: int) -> float:
        return latest(self.by_year, year, self.value)


class NonNegative(Sourced):
    value: Annotated[float, Field(ge=0.0)]


class Positive(Sourced):
    value: Annotated[float, Field(gt=0.0)]


# Physical upper bounds (why: a value beyond them is a typo or an attack, and used to reach the event loop as
# `1e308` and fail there or quietly change results). Each is stated once, with its reason, and is far beyond any
# real figure: England's whole system is the yardstick.
MAX_STEP_DAYS = 3652.5  # a single step or wait of ten years (the longest real step is months)
MAX_MULTIPLIER = 100.0  # a relative risk or capacity multiplier of 100 (real ones are 0.2-5)
MAX_PCT = 1000.0  # a headroom of 1,000% (real ones are 2-5%)
MAX_SHAPE = 100.0  # a Weibull shape of 100 is already a fixed delay
MAX_COUNT = 100_000.0  # appeals or disputes in progress, hearings a year: 10x England's (3,300 open; 7,968 hearings)
MAX_GROWTH_PCT = 100.0  # a yearly growth of +-100% (England's fastest, tribunal hearings, was 28%)


class Days(Sourced):
    """A duration or wait in days: positive, at most `MAX_STEP_DAYS`."""

    value: Annotated[float, Field(gt=0.0, le=MAX_STEP_DAYS)]


class NonNegativeDays(Sourced):
    value: Annotated[float, Field(ge=0.0, le=MAX_STEP_DAYS)]


class Multiplier(Sourced):
    value: Annotated[float, Field(ge=0.0, le=MAX_MULTIPLIER)]


class Pct(Sourced):
    value: Annotated[float, Field(ge=0.0, le=MAX_PCT)]


class Shape(Sourced):
    value: Annotated[float, Field(gt=0.0, le=MAX_SHAPE)]


class Count(Sourced):
    """A count of cases (national): at most `MAX_COUNT`."""

    value: Annotated[float, Field(ge=0.0, le=MAX_COUNT)]


class PositiveCount(Sourced):
    value: Annotated[float, Field(gt=0.0, le=MAX_COUNT)]


class Growth(Sourced):
    """A yearly growth rate in %, from -100 to +100 (may be negative)."""

    value: Annotated[float, Field(ge=-MAX_GROWTH_PCT, le=MAX_GROWTH_PCT)]


class Mix(Provenance, Generic[K]):
    """A categorical distribution: shares in [0, 1] over a fixed set of categories, summing to 1."""

    values: dict[K, Annotated[float, Field(ge=0.0, le=1.0)]]

    @model_validator(mode="after")
    def _sums_to_one(self):
        if self.range is not None and self.range[0] < 0:
            raise ValueError(f"range {list(self.range)} is negative (allowed: at least 0)")
        if self.range is not None and self.range[1] > 1:  # a share's plausible range is a share too
            raise ValueError(f"range {list(self.range)} goes beyond what a share may be (allowed: at most 1)")
        total = sum(self.values.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {total:.6f}) (allowed: shares summing to 1)")
        return self

    def get(self, key, default: float = 0.0) -> float:
        return self.values.get(key, default)
