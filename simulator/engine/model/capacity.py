"""Capacity over time: each authority's staff and places, and the national tribunal's hearings, year by year.

Why a module of its own: capacity is not a statutory step but it decides how long the steps take. Each 1 January
(the yearly snapshot, which also records the January caseload DfE publishes) staffing, special places and hearing
capacity move to the year's figures or trend; the decision probabilities move to the year's rates.

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

from typing import Any

from ...schema.by_year import grow
from ...schema.units import DAYS_PER_YEAR
from ...schema.vocabulary import (
    SETTINGS,
)
from ..core.loop import Engine
from ..core.resources import Resource

CAPACITY_SETTINGS = ("resourced_provision", "maintained_special", "alternative_provision")


class LAState:
    """An authority at run time: its resources and decision probabilities."""

    def __init__(self, idx: int, spec: Any, engine: Engine, warmup: float, naming: Any, places_multiplier: float):
        self.idx = idx
        self.spec = spec
        self.panel = Resource(engine, f"{spec.code}.panel", spec.panel_servers, warmup)
        self.ep = Resource(engine, f"{spec.code}.ep", spec.ep_servers, warmup)
        self.health = Resource(engine, f"{spec.code}.health", spec.health_advice_servers, warmup)
        self.social = Resource(engine, f"{spec.code}.social", spec.social_care_advice_servers, warmup)
        self.writers = Resource(engine, f"{spec.code}.writers", spec.plan_writer_servers, warmup)
        self.special_raw = spec.stock_maintained_special * (1 + naming.special_places_headroom_pct.value / 100.0)
        self.places_multiplier = places_multiplier
        special = self.special_raw * places_multiplier
        resourced = spec.stock_resourced_provision * (1 + naming.resourced_places_headroom_pct.value / 100.0)
        ap = spec.stock_alternative_provision * (1 + naming.alternative_provision_places_headroom_pct.value / 100.0)
        self.places: dict[str, Resource | None] = {s: None for s in SETTINGS}
        self.special_base = special
        self.places["maintained_special"] = Resource(engine, f"{spec.code}.special", max(1, round(special)), warmup)
        self.places["resourced_provision"] = Resource(engine, f"{spec.code}.resourced", max(1, round(resourced)),
                                                      warmup)
        self.places["alternative_provision"] = Resource(engine, f"{spec.code}.ap", max(1, round(ap)), warmup)
        self.p_refuse = spec.refuse_to_assess_probability
        self.p_no_plan = spec.no_plan_after_assessment_probability
        self.rungs: dict[str, Resource] = {}  # redress rungs with a capacity (from the rule set)

    def resize_special(self, growth: float) -> None:
        """Special places after a change of the law's multiplier (local inclusion plans), at this year's growth."""
        self.special_base = self.special_raw * self.places_multiplier
        sp = self.places["maintained_special"]
        if sp is not None:
            sp.set_servers(max(1, round(self.special_base * growth)))


class CapacityPlan:
    """Capacity over time: the steps of this stage (mixed into `Journey`)."""

    def hearings_in_year(self, year: int) -> float:
        """Hearing capacity in a calendar year (`schema.scenario.Tribunal.hearings_in_year`: the by-year profile at
        the level of hearings_per_year)."""
        return self.sc.tribunal.hearings_in_year(year, self.sc.start_date.year)

    def _set_tribunal_capacity(self, year: int) -> None:
        # a hearing occupies one of `servers` panels for `hearing_days`; capacity = servers / hearing_days a day
        per_day = self.hearings_in_year(year) / DAYS_PER_YEAR
        servers = max(1, round(per_day))
        self.hearing_days = servers / per_day
        self.tribunal.set_servers(servers)

    def _apply_year(self, year: int) -> None:
        """New calendar year: staffing, special places and hearing capacity follow their stated trends."""
        base = self.sc.start_date.year
        k = year - base
        gs = self.special_growth = grow(1.0, self.sc.naming.special_places_growth_pct_per_year.value, k)
        staff_growth = self.sc.demand.capacity_growth_pct_per_year.value
        request_growth = self.sc.demand.requests_growth_pct_per_year.value
        for la in self.las:
            s = la.spec
            g = s.capacity_in_year(year, base, staff_growth)
            la.p_refuse, la.p_no_plan = s.refuse_in_year(year), s.no_plan_in_year(year)
            # decisions keep pace with requests
            requests = s.requests_in_year(year, base, request_growth)
            la.panel.set_servers(max(1, round(s.panel_servers * requests / max(s.requests_per_year, 1.0))))
            la.ep.set_servers(max(1, round(s.ep_servers * g)))
            la.health.set_servers(max(1, round(s.health_advice_servers * g)))
            la.social.set_servers(max(1, round(s.social_care_advice_servers * g)))
            la.writers.set_servers(max(1, round(s.plan_writer_servers * g)))
            sp = la.places["maintained_special"]
            if sp is not None:
                sp.set_servers(max(1, round(la.special_base * gs)))
        if (dg := self.sc.redress.dispute_growth_pct_per_year) is not None:  # disputes per decision trend (calibrated)
            self.p_dispute = {a: grow(v.value, dg.value, k) for a, v in self.sc.redress.dispute_probability.items()}
        self._set_tribunal_capacity(year)

    def _snapshot(self, year: int) -> None:
        if year != self.sc.start_date.year:
            self._apply_year(year)
        waiting_place = sum(la.places[s].waiting for la in self.las for s in CAPACITY_SETTINGS
                            if la.places[s] is not None)
        self.snapshots.append({"period": str(year), "plans_in_force_january": self.plans_in_force,
                               "tribunal_backlog": self.tribunal.waiting + self.tribunal.busy,
                               "waiting_for_place": waiting_place})
