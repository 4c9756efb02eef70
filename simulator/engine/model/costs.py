"""Costs: each process step's unit costs and each placement's yearly cost, booked to the payer the rule set names.

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ..core.cython_shim import cython

from math import nan

from ...schema.units import DAYS_PER_YEAR
from .child import Child
from .state import RunState


# `cost` and `accrue_placement` are module functions, `cpdef` in costs.pxd, so that a compiled step (in any
# route module) calls them in C; each is also `Costing`'s method of that name (the event list, tests).
@cython.locals(self=RunState, c=Child)
def cost(self, c: Child, item: str, day: float) -> None:
    """Book the unit costs of one process step to each payer (rule set's `costs`)."""
    self.counters.count_each(c, self._costs.get(item, ()), day)


@cython.locals(self=RunState, c=Child)
def accrue_placement(self, c: Child, until: float) -> None:
    """Book a placement's cost from when the child started there until `until` (never before day 0)."""
    start = c.setting_since
    if start != start:
        return
    if start < self._accrue_from:
        start = self._accrue_from
    if until > start:
        years = (until - start) / DAYS_PER_YEAR
        self.counters.count_each(c, self._placement_costs.get(c.setting, ()), until, years)  # yearly, by payer
    c.setting_since = nan


class Costing:
    """Costs: the steps of this stage (mixed into `Journey`)."""

    cost = cost
    accrue_placement = accrue_placement
