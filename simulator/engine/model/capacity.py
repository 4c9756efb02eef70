"""Capacity over time: each authority's staff and places, and the national tribunal's hearings, year by year.

Why a module of its own: capacity is not a statutory step but it decides how long the steps take. Each 1 January
(the yearly snapshot, which also records the January caseload DfE publishes) staffing, special places and hearing
capacity move to the year's figures or trend; the decision probabilities move to the year's rates.

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ..core.cython_shim import cython

from collections import deque
from math import ceil
from typing import Any

from ...schema.by_year import grow, latest
from ...schema.units import DAYS_PER_YEAR
from ...schema.vocabulary import (
    SETTINGS,
)
from ..core.loop import Engine
from ..core.resources import Resource
from .state import RunState

CAPACITY_SETTINGS = ("resourced_provision", "maintained_special", "alternative_provision")
DAYS_PER_WEEK = 7.0
# the stages staffed by assessments or by the work in hand (`Scenario.staffing`): the `LAState` resource, the
# authority's base-year servers, and the working time (durations) one case holds a server for
STAFFED_STAGES = (("ep", "ep_servers", "ep_advice_days"),
                  ("health", "health_advice_servers", "health_advice_days"),
                  ("social", "social_care_advice_servers", "social_care_advice_days"),
                  ("writers", "plan_writer_servers", "draft_writing_days"))


def staff_bounds(floor: float, ceiling: float, establishment: int) -> tuple[int, int]:
    """The fewest and most servers a stage may have under `work_in_hand`: `floor` and `ceiling` x the establishment
    (at least one). Kept by its arguments (`_BOUNDS`): each review asks it again for every authority's four stages
    with the same few values (a look-up of the key against two `round`s and their products)."""
    key = (floor, ceiling, establishment)
    got = _BOUNDS.get(key)
    if got is None:
        lo = max(1, round(floor * establishment))
        got = _BOUNDS[key] = (lo, max(lo, round(ceiling * establishment)))
    return got


_BOUNDS: dict[tuple[float, float, int], tuple[int, int]] = {}  # staff_bounds's answers by its arguments


class CaseworkBacklog:
    """The decide-and-issue team of one authority under `waits: backlog`: one FIFO backlog of assessments whose
    advice is in, worked at `base + responsiveness x backlog` cases a week.

    Why this form: a multi-server queue with long working times is a knife-edge (MODEL.md 3.3: 0.70x staffing gave
    6-41% within 20 weeks, 0.80x gave 86-94%). A team whose pace rises with its backlog (overtime, agency staff,
    triage) settles instead: where demand `lam` exceeds `base`, the backlog settles at (lam - base) / responsiveness
    and each case waits about that backlog / lam weeks (Little's law), so more requests or fewer staff lengthen the
    wait smoothly, and throughput (not a fitted delay) decides when plans come out. The pace is set when a case is
    taken up, from the backlog then (the case included); work is deterministic, so the backlog draws no random
    numbers and common random numbers hold across capacities. `backlog_at_start` cases of work already in hand at
    the start of the run (lead-in) occupy the team before the first child.
    """

    __slots__ = ("engine", "base", "responsiveness", "queue", "busy", "_done_cb")

    def __init__(self, engine: Engine, base_per_week: float, responsiveness: float, in_hand: int):
        self.engine = engine
        self.base = base_per_week
        self.responsiveness = responsiveness
        self.queue: deque[tuple[Any, Any] | None] = deque([None] * in_hand)
        self.busy = False
        self._done_cb = self._done
        if self.queue:
            self._next()

    @property
    def backlog(self) -> int:
        """Cases waiting or being worked."""
        return len(self.queue) + self.busy

    def pace_per_week(self, backlog: int) -> float:
        """Cases a week the team finishes with `backlog` cases in hand."""
        return self.base + self.responsiveness * backlog

    def join(self, who: Any, then: Any) -> None:
        """A case whose advice is all in joins the back of the backlog; `then(who)` when the team has decided."""
        self.queue.append((who, then))
        if not self.busy:
            self._next()

    def _next(self) -> None:
        if not self.queue:
            self.busy = False
            return
        self.busy = True
        days = DAYS_PER_WEEK / self.pace_per_week(len(self.queue))
        self.engine.schedule(days, self._done_cb, self.queue.popleft())

    def _done(self, item: tuple[Any, Any] | None) -> None:
        if item is not None:
            who, then = item
            then(who)
        self._next()


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
        self.fx: Any = None  # the law's effects in this authority (`Journey._use_law`): a switch may be scoped
        # the multipliers of `fx` that the steps read on every request, copied (`use_effects`, at every change of law)
        self.fx_convergence = self.fx_refuse = self.fx_no_plan = self.fx_draft = None
        self.late_by_year = bool(spec.late_share_by_year)  # the spec's late shares by year are not empty
        self.casework: CaseworkBacklog | None = None  # the decide-and-issue team under `waits: backlog`
        self.casework_last_year = 0  # its last fitted year, and its gap to the scenario's capacity ratio
        self.casework_gap = 1.0
        # each staffed stage's establishment this year (servers by the year's assessments) and its count of cases
        # arrived (started + waiting) at the last staffing review (`CapacityPlan._review_staff`)
        self.establishment = {stage: getattr(spec, field) for stage, field, _ in STAFFED_STAGES}
        self.arrived_at_review = dict.fromkeys(self.establishment, 0)

    def use_effects(self) -> None:
        """Copy the multipliers of the effects in force here (`fx`) that the steps read on every request into the
        authority's own fields (struct reads, compiled): the same objects, after every change of `fx`."""
        fx = self.fx
        self.fx_convergence = fx.la_refusal_convergence
        self.fx_refuse = fx.refuse_to_assess_multiplier
        self.fx_no_plan = fx.no_plan_multiplier
        self.fx_draft = fx.draft_writing_multiplier

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

    def _open_backlogs(self) -> None:
        """Under `waits: backlog`, each authority's decide-and-issue team with its fitted base capacity for the
        first year (the lead-in works at it too) and its work in hand."""
        if self.sc.waits != "backlog":
            return
        self._casework_gaps()
        year = self.sc.start_date.year
        if self.sc.projection is not None:  # the lead-in runs at the last data year's rates (as its other inputs)
            year = min(year, self.sc.projection.last_data_year)
        for la in self.las:
            s = la.spec
            la.casework = CaseworkBacklog(self.engine, self._casework_base(la, year),
                                          s.casework_responsiveness_per_week, s.backlog_at_start)

    def _casework_gaps(self) -> None:
        """Each authority's ratio of base casework to demand in its last fitted year, against the scenario's (the
        authorities' summed base over their summed demand): beyond that year the gap closes by the scenario's
        `capacity_gap_persistence_per_year`, as authorities' timeliness regresses toward England's (MODEL.md 3.3a).
        Demand is the last fitted year's, so the base never follows later requests."""
        base = self.sc.start_date.year
        growth = self.sc.demand.requests_growth_pct_per_year.value
        withdrawn = self.sc.population.request_withdrawn_probability.value
        rows = []
        data_end = self.sc.projection.last_data_year if self.sc.projection is not None else None
        for la in self.las:
            s = la.spec
            fitted = [y for y in s.casework_per_week_by_year if data_end is None or y <= data_end]
            last = max(fitted or s.casework_per_week_by_year)  # a projection's years are not fitted
            lam = max(s.assessments_in_year(last, base, growth, withdrawn), 1e-9)
            rows.append((la, last, s.casework_per_week_by_year[last], lam / DAYS_PER_YEAR * DAYS_PER_WEEK))
        ratio = sum(r[2] for r in rows) / sum(r[3] for r in rows)
        for la, last, cw, lam in rows:
            la.casework_last_year = last
            la.casework_gap = ratio / (cw / lam)  # the scenario's ratio over the authority's own

    def _converged(self, la: LAState, year: int) -> float:
        """The factor on an authority's projected base `year`: 1 in fitted years, then from 1 toward its gap."""
        keep = self.sc.capacity_gap_persistence_per_year
        k = year - la.casework_last_year
        if keep is None or k <= 0:
            return 1.0
        w = keep.value ** k
        return w + (1.0 - w) * la.casework_gap

    def _casework_base(self, la: LAState, year: int) -> float:
        """The team's base weekly capacity in a year (projected beyond the fitted years, its gap to the scenario's
        ratio closing), times the law's staffing effect (a capacity reform)."""
        proj = self.sc.capacity_projection_pct_per_year
        staff = self.law.effects.casework_staff_multiplier
        own = la.spec.casework_in_year(year, proj.value if proj is not None else 0.0)
        return staff * own * self._converged(la, year)

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
            if la.casework is not None:
                la.casework.base = self._casework_base(la, year)
            # decisions keep pace with requests
            requests = s.requests_in_year(year, base, request_growth)
            la.panel.set_servers(max(1, round(s.panel_servers * requests / max(s.requests_per_year, 1.0))))
            self._staff_establishment(la, g)
            sp = la.places["maintained_special"]
            if sp is not None:
                sp.set_servers(max(1, round(la.special_base * gs)))
        r = self.sc.redress
        if r.dispute_level_by_year:  # a declared projection's yearly level of disputes per decision
            lvl = latest(r.dispute_level_by_year, year, 1.0)
            self.p_dispute = {a: min(1.0, v.value * lvl) for a, v in r.dispute_probability.items()}
        elif (dg := r.dispute_growth_pct_per_year) is not None:  # disputes per decision trend (calibrated)
            self.p_dispute = {a: grow(v.value, dg.value, k) for a, v in r.dispute_probability.items()}
        self._set_tribunal_capacity(year)

    def _staff_establishment(self, la: LAState, g: float) -> None:
        """The year's establishment of each advice service and the plan writers: the base year's servers x the
        year's assessments / the base year's (`g`). Staffed by assessments (the default), that is the staff; staffed
        by the work in hand, the staff stay within the floor and ceiling of it until the next review resizes them."""
        st = self.sc.staffing
        for stage, field, _ in STAFFED_STAGES:
            e = la.establishment[stage] = max(1, round(getattr(la.spec, field) * g))
            res: Resource = getattr(la, stage)
            if st is None or st.follows == "assessments":
                res.set_servers(e)
            else:
                lo, hi = self._staff_bounds(e)
                res.set_servers(min(hi, max(lo, res.servers)))

    def _staff_bounds(self, establishment: int) -> tuple[int, int]:
        """The fewest and most servers a stage may have under `work_in_hand`: floor and ceiling x the establishment
        (at least one)."""
        st = self.sc.staffing
        return staff_bounds(st.floor.value, st.ceiling.value, establishment)

    def _open_staff_reviews(self) -> None:
        """Under `staffing.follows: work_in_hand`, the first review of every authority's staff one review period
        after the run starts (the lead-in's first day), then every period to the horizon."""
        st = self.sc.staffing
        if st is not None and st.follows == "work_in_hand":
            self.engine.schedule(st.review_days.value, self._review_staff, None)

    @cython.locals(self=RunState, la=LAState, res=Resource)
    def _review_staff(self, _: Any) -> None:
        """Each authority's advice services and plan writers resized to the work in hand (`Scenario.staffing`).

        A stage needs max(a x s / u, b) + Q x s / H servers: a the cases a day that arrived in the last review
        period, s the stage's mean working time, u the `utilisation` the establishment is sized at, b the cases in
        service now (a case is not dropped half done: after a surge they outnumber the flow's share), Q the cases
        waiting now, cleared over H = `clear_weeks`; rounded up, then kept between the floor and ceiling x the
        establishment. So a year whose late plans reach the writers all at once (a backlog cleared) is worked at the
        pace they come, and a queue left over is cleared within weeks, not carried at the year's establishment into
        the next year. Work is counted, never drawn: the review uses no random numbers."""
        st = self.sc.staffing
        period = st.review_days.value
        clear = st.clear_weeks.value * DAYS_PER_WEEK
        u = st.utilisation.value
        floor, ceiling = st.floor.value, st.ceiling.value  # (`_staff_bounds`, read once a review)
        d = self.d
        for la in self.las:
            arrived = la.arrived_at_review
            for stage, _, days in STAFFED_STAGES:
                res = getattr(la, stage)
                total = res.started + res.waiting
                rate = (total - arrived[stage]) / period
                arrived[stage] = total
                s = d[days] * (la.fx_draft if stage == "writers" else 1.0)
                need = ceil(max(rate * s / u, res.busy) + res.waiting * s / clear - 1e-9)
                lo, hi = staff_bounds(floor, ceiling, la.establishment[stage])
                res.set_servers(min(hi, max(lo, need)))
        self.engine.schedule(period, self._review_staff, None)

    def _snapshot(self, year: int) -> None:
        # a projected scenario's start year has its own figures (the base fields hold the last data year's, which
        # the lead-in runs at); other scenarios' base fields are their start year's
        if year != self.sc.start_date.year or self.sc.projection is not None:
            self._apply_year(year)
        waiting_place = sum(la.places[s].waiting for la in self.las for s in CAPACITY_SETTINGS
                            if la.places[s] is not None)
        self.snapshots.append({"period": str(year), "plans_in_force_january": self.plans_in_force,
                               "tribunal_backlog": self.tribunal.waiting + self.tribunal.busy,
                               "waiting_for_place": waiting_place})
