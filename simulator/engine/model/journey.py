"""A child's statutory route through the SEND system: the `Journey` of one replication.

Each step is a small named method, in the module of its statutory stage (`route/`: assessment, plan, placement,
redress, tribunal, reviews); it takes a child, records what happened (with the body holding the duty and the
statutory deadline), and schedules the next step on the engine. The order and content of the steps is the law's
(the compiled rule set, `rules.law.Law`); the probabilities, durations and capacities are the scenario's.
Randomness comes from declared, child-keyed streams (`streams.py`), so a child meets the same draws under any rule
set. Population, capacity and costs are modules of their own (`population.py`, `capacity.py`, `costs.py`).

This module holds the run's state and what every step shares: the compiled parameters, the case-study hooks
(`add_request`, `add_existing_plan`) and the run itself; `duration`, `pinned` and `log`, which every stage calls,
are methods of the run's data (`state.py`), so that a compiled step calls them in C.

Clock: days from the scenario's start date. `t0` is the day the LA received the request.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ..core.cython_shim import cython

import math
from typing import Any

import numpy as np

from ...rules.law import Law
from ...rules.scenario import LoadedScenario
from ...schema.paths import get_attr_path
from ...schema.units import DAYS_PER_MONTH, DAYS_PER_YEAR
from ...schema.vocabulary import AGE_BANDS, CAPACITIES, REQUESTERS, SETTINGS
from ..core.calendar import Calendar
from ..core.loop import Engine
from ..core.resources import Resource, noop
from ..core.streams import Streams
from .capacity import CapacityPlan, LAState
from .child import Child, cumulative, group_index
from .costs import Costing
from .population import OVERSAMPLE, Population
from .records import COST_BY_PAYER, Counters, DisputeEnd, EventRow, Recorder
from .route.assessment import AssessmentSteps
from .route.content import PlanContentSteps
from .route.elsewhere import ElsewhereSteps
from .route.moves import MoveSteps
from .route.placement import PlacementSteps
from .route.plan import PlanSteps
from .route.redress import RedressSteps
from .route.review_windows import ReviewWindows
from .route.reviews import ReviewSteps
from .route.tribunal import TribunalSteps
from .state import FIXED, SHAPE_CODES, RunState
from .streams import RouteStreams

_new_row = tuple.__new__


class Journey(AssessmentSteps, PlanSteps, PlacementSteps, RedressSteps, TribunalSteps, ReviewSteps, MoveSteps,
              Population, CapacityPlan, Costing, ElsewhereSteps, PlanContentSteps, ReviewWindows, RunState):
    """Runs every child of one replication through the rule set on one engine."""

    @cython.locals(self=RunState)
    def __init__(self, loaded: LoadedScenario, engine: Engine, streams: Streams,
                 recorder: Recorder | None = None):
        sc = loaded.scenario
        self.sc = sc
        self.law = loaded.law
        self.engine = engine
        self.streams = streams
        # the steps most often handed to the engine or a resource as callbacks, each bound once here: a step reads the
        # field (a struct read, compiled) instead of making a new bound method at every event (a look-up on the
        # journey's class and instance dictionary, then an object made and freed: about 300 instructions)
        self._cb_advice_in = self._advice_in
        self._cb_annual_review = self.annual_review
        self._cb_arrive = self._arrive
        self._cb_consult_setting = self.consult_setting
        self._cb_decide_to_assess = self.decide_to_assess
        self._cb_decide_to_issue = self.decide_to_issue
        self._cb_ep_in = self._ep_in
        self._cb_finalise_plan = self.finalise_plan
        self._cb_health_in = self._health_in
        self._cb_issue_draft = self.issue_draft
        self._cb_name_setting = self.name_setting
        self._cb_phase_transfer = self.phase_transfer
        self._cb_provision_in_place = self.provision_in_place
        self._cb_social_in = self._social_in
        self._cb_term_starts = self._term_starts
        self._cb_transfer_named = self._transfer_named
        # and the steps called by name on many children (a look-up and a bound method each, as above)
        self._cb_amended_plan_issued = self._amended_plan_issued
        self._cb_decision_stands = self.decision_stands
        self._cb_draw_plan_move = self.draw_plan_move
        self._cb_end_dispute = self.end_dispute
        self._cb_end_spells_without_place = self.end_spells_without_place
        self._cb_family_moves = self._family_moves
        self._cb_identify_need = self.identify_need
        self._cb_la_alternative = self.la_alternative
        self._cb_next_term = self.next_term
        self._cb_place_granted = self._place_granted
        self._cb_plan_arrives = self._plan_arrives
        self._cb_plan_end_25 = self._plan_end_25
        self._cb_review_meeting_only = self._review_meeting_only
        self._cb_review_superseded = self.review_superseded
        self._cb_taken_up = self._taken_up
        self._cb_write_draft = self.write_draft
        self.rec = recorder
        # how a row reaches the recorder: `Recorder.add` takes a plain tuple of the fields (it keeps them in a flat
        # list, and makes `EventRow`s only for a sink that wants rows), so no `EventRow` is made per event; any
        # other recorder (a case study's, `analysis.runs.case_study`) is handed an `EventRow`
        self._add_row = recorder.add if type(recorder) is Recorder else self._add_event_row
        self._log_to = None
        if type(recorder) is Recorder:  # each step's row straight to the recorder (`Recorder.log`: the same row)
            recorder.clock = engine
            # compiled: `RunState.log` (state.py) calls `Recorder.log` in C (`_log_to`, typed in state.pxd), with
            # no look-up of an override in the instance dictionary; pure Python: `Recorder.log` in the instance
            # dictionary, over `RunState.log`, by `setattr` (`log` is a method of the slotted base)
            self._log_to = recorder
            if not cython.compiled:
                setattr(self, "log", recorder.log)  # noqa: B010
        elif getattr(recorder, "one_child", False):  # a case study's: the other children's rows are never made
            setattr(self, "log", self._log_one_child)  # noqa: B010
        self.cal = Calendar(sc.start_date, sc.end_date)
        self.horizon = self.cal.horizon_days
        self.warmup = sc.warmup_days
        self.lead_in = sc.lead_in_days
        if self.lead_in:
            engine.start_at(-self.lead_in)
        self.needs = list(sc.population.primary_need.values)
        self.group_index = group_index(self.needs, [la.region for la in sc.local_authorities.items])
        self.counters = Counters(self.cal, self.warmup, self.group_index.size, self.group_index.cross_size)
        self.disputes_ended: list[DisputeEnd] = []
        self.appeals_lodged: list[tuple[Child, float, float]] = []  # (child, disputed at, lodged at)
        self.hearings_held: list[tuple[Child, float]] = []  # (child, weeks from registration to the hearing)
        self.children: list[Child] = []
        self.plans_in_force = 0
        self.plans_ceased = 0
        self.snapshots: list[dict[str, Any]] = []
        self.las = [LAState(i, la, engine, self.warmup, sc.naming, self.law.effects.special_places_multiplier)
                    for i, la in enumerate(sc.local_authorities.items)]
        self._compile_parameters()
        self._open_backlogs()
        self._open_staff_reviews()
        self.special_growth = 1.0  # special places' growth factor of the current year (CapacityPlan._apply_year)
        self.tribunal = Resource(engine, "tribunal", 1, self.warmup)
        self.hearing_days = 1.0
        self._set_tribunal_capacity(sc.start_date.year)
        self.rng = RouteStreams(streams)
        engine.horizon = self.horizon  # events at or after the horizon are never scheduled
        self.law_schedule = loaded.law_schedule
        for day, later in loaded.law_schedule:  # commencements inside the run: before any event of that day
            engine.at(day, self._commence, later)
        self._open_review_windows()
        self._open_plan_transfers(loaded.plan_transfers)

    @cython.locals(self=RunState)
    def _compile_parameters(self) -> None:
        sc = self.sc
        pop = sc.population
        self.cum_requester = cumulative([pop.requester.get(r) for r in REQUESTERS])
        rr = {r: pop.refusal_relative_risk[r].value if r in pop.refusal_relative_risk else 1.0 for r in REQUESTERS}
        norm = sum(pop.requester.get(r) * rr[r] for r in REQUESTERS) or 1.0
        self.refusal_rr = {r: rr[r] / norm for r in REQUESTERS}
        self.cum_age_request = cumulative([pop.age_at_request.get(a) for a in AGE_BANDS])
        self.cum_age_stock = cumulative([pop.age_of_plans_in_force.get(a) for a in AGE_BANDS])
        self.cum_need = cumulative([pop.primary_need.values[n] for n in self.needs])
        self.cum_pref_school = cumulative([pop.preferred_setting_school_age.get(s) for s in SETTINGS])
        self.cum_pref_post16 = cumulative([pop.preferred_setting_post16.get(s) for s in SETTINGS])
        self.cum_capacity = cumulative([pop.redress_capacity.get(c) for c in CAPACITIES])
        self.p_health = pop.health_needs_probability.value
        self.p_social = pop.social_care_needs_probability.value
        self.p_exception = pop.regulation_10_4_exception_probability.value
        self.p_s41 = pop.independent_on_s41_list_probability.value
        # the SEN support row's mean (`identify_need`, with the event log): read once, not through three pydantic
        # attributes at each request
        self._sen_support_mean = sc.demand.sen_support_days_before_request.value
        self.d = {k: v.value for k, v in sc.durations if v is not None}
        self._shape = {k: getattr(v, "distribution", "fixed") for k, v in sc.durations if v is not None}
        self.p_withdraw_request = pop.request_withdrawn_probability.value
        self.p_withdraw_assessment = pop.assessment_withdrawn_probability.value
        self._p_decided = 1.0 - self.p_withdraw_request
        self.p_lapse = pop.assessment_lapsed_probability
        self._lapse_span = (1.0, 0.0, None)  # its value in the calendar year last asked (`assessment.lapse_probability`)
        self.inv_delay_shape = 1.0 / sc.durations.authority_delay_shape.value
        for k in ("mediation_held_days", "decision_to_appeal_days"):
            v = getattr(sc.redress, k)
            self.d[k], self._shape[k] = v.value, v.distribution
        # `duration`'s one look-up: each duration's distribution (by code) and mean, the same objects as in `d`
        self._dur = {k: (SHAPE_CODES.get(shape, FIXED), self.d[k]) for k, shape in self._shape.items()}
        n = sc.naming
        self.p_refuse_setting = {s: n.refuse_requested_setting_probability[s].value
                                 if s in n.refuse_requested_setting_probability else 0.0 for s in SETTINGS}
        self.grounds = list(n.refusal_grounds.values)
        self.cum_grounds = cumulative([n.refusal_grounds.values[g] for g in self.grounds])
        self.p_refuse_s9 = n.refuse_non_s41_independent_probability.value
        r = sc.redress
        self.p_dispute = {k: v.value for k, v in r.dispute_probability.items()}
        self.cap_mult = {c: r.capacity_multiplier[c].value if c in r.capacity_multiplier else 1.0 for c in CAPACITIES}
        reqs = [la.spec.requests_per_year for la in self.las]
        self.national_refusal = (sum(r * la.p_refuse for r, la in zip(reqs, self.las, strict=True))
                                 / (sum(reqs) or 1.0))
        self._accrue_from = max(self.counters.from_day, 0.0)  # placements are costed from day 0, after warm-up
        r = sc.redress
        self.p_drop_out = {k: v.value for k, v in r.drop_out_at_compelled_rung_probability.items()}
        self._use_law(self.law)
        rv = sc.reviews
        self.p_cease = {a: rv.cease_probability_per_year[a].value if a in rv.cease_probability_per_year else 0.0
                        for a in AGE_BANDS}
        self._p_review_late = rv.review_late_probability.value
        self._review_late_days = rv.review_late_extra_days.value
        self._p_move_to_special = rv.move_to_special_probability.value
        self._p_amend = rv.amend_probability.value
        self._p_transfer_late = rv.phase_transfer_late_probability.value  # (phase_transfer: read once, not per plan)
        self._transfer_late_days = rv.phase_transfer_late_extra_days.value

    @cython.locals(self=RunState)
    def _use_law(self, law: Law) -> None:
        """Everything the steps read from the law, compiled once: at the start and at each commencement."""
        self.law = law
        self.fx = fx = law.effects
        # the law's numbers that the steps read on every request, plan or review, copied into the run's own fields
        # (struct reads, compiled, instead of a look-up in the law's instance dictionary): the same objects, refreshed
        # here at every change of law (a commencement mid-run), so a step reads the law in force as before
        self.law_final_plan_days = law.final_plan_days
        self.law_advice_days = law.advice_days
        self.law_decide_to_assess_days = law.decide_to_assess_days
        self.law_decide_to_issue_days = law.decide_to_issue_days
        self.law_draft_comment_days = law.draft_comment_days
        self.law_review_decision_days = law.review_decision_days
        self.law_plan_end_age = law.plan_end_age
        self.law_plan_end = law.plan_end
        self.law_tailored_list = law.tailored_list
        self.law_s39_settings = law.s39_settings
        self.law_s9_regard_only = law.s9_regard_only
        self.law_mainstream_presumption = law.mainstream_presumption
        self.fx_reviews_at_transfer_only = fx.reviews_at_phase_transfer_only
        self.fx_protect_special_places = fx.protect_special_places
        self._late_shares: dict[tuple[int, int, float], float] = {}  # route/assessment.py late_share, under this law
        if not 0.0 <= fx.requests_multiplier <= OVERSAMPLE:
            raise ValueError(f"effects.requests_multiplier must be between 0 and {OVERSAMPLE}")
        self.resolves = {st.name: (st.resolves if isinstance(st.resolves, float)
                                   else float(get_attr_path(self.sc, st.resolves).value)) for st in law.ladder}
        for st in law.ladder:
            if st.servers_per_1000_requests > 0 and st.name != "tribunal":
                for la in self.las:
                    if st.name not in la.rungs:
                        n = max(1, round(st.servers_per_1000_requests * la.spec.requests_per_year / 1000.0))
                        la.rungs[st.name] = Resource(self.engine, f"{la.spec.code}.{st.name}", n, self.warmup)
        # unit costs with each payer's counter made once: process steps by item, placements by setting
        by_payer = {k: tuple((amount, COST_BY_PAYER[payer]) for amount, payer in v) for k, v in law.costs.items()}
        self._costs = {k: v for k, v in by_payer.items() if not k.startswith("placement.")}
        self._review_costs = self._costs.get("annual_review", ())
        self._placement_costs = {k.removeprefix("placement."): v for k, v in by_payer.items()
                                 if k.startswith("placement.")}
        self._transfers = self._transfer_calendar()
        self._transfer_septs = [sept for sept, _school, _post16 in self._transfers]  # in order (`records.year_after`)
        self._review_every = law.annual_review_days
        self._review_every_under5 = self.sc.reviews.under5_review_interval_months.value * DAYS_PER_MONTH
        self._p_amend_late = self.sc.reviews.amendment_late_probability.value
        self._amend_late_days = self.sc.reviews.amendment_late_extra_days.value
        self._destination_cum = {band: {group: list(zip(mix.values, np.cumsum(list(mix.values.values())).tolist(),
                                                         strict=True)) for group, mix in by.items()}
                                 for band, by in self.sc.reviews.destinations.items()}
        self._p_late_comply = self.sc.redress.la_late_compliance_probability.value * fx.la_late_compliance_multiplier
        self._p_isp = {n: fx.school_support_plan_share * law.isp_eligible_by_need.get(n, 1.0) for n in self.needs}
        self._p_step_down = {n: fx.step_down_at_phase_transfer * law.isp_eligible_by_need.get(n, 1.0)
                             for n in self.group_index.needs}
        lock = law.triple_lock_measured_on
        self._triple_lock = (self.cal.day(lock), law.triple_lock_year_group)
        for la in self.las:
            la.places_multiplier = fx.special_places_multiplier
            la.fx = law.la_effects.get(la.spec.code, fx)  # a switch scoped to some authorities (Change Programme)
            la.use_effects()  # and the authority's copies of the multipliers its steps read

    @cython.locals(self=RunState)
    def _commence(self, law: Law) -> None:
        """A reform's switches come into force: steps from today follow the new law (disputes, plans and requests
        already under way keep what they were given, as transitional provisions usually say)."""
        self._use_law(law)
        year = self.counters.year(self.engine.now)
        for la in self.las:
            la.resize_special(self.special_growth)
            if la.casework is not None:
                la.casework.base = self._casework_base(la, year)

    @cython.locals(self=RunState, c=Child)
    def _log_one_child(self, c: Child, step: str, event: str, duty: str, deadline: float = math.nan,
                       met: bool | None = None) -> None:
        """`log` for a recorder that keeps one child's rows (`one_child`, its `child` the id): the same row for
        that child; for the half a million others, no tuple and no `EventRow` (a case study runs the whole
        authority 20 times and keeps one child's rows)."""
        if c.id == self.rec.child:
            self.rec.add(_new_row(EventRow, (c.id, c.la, self.engine.now, step, event, duty, deadline, met)))

    @cython.locals(self=RunState)
    def _add_event_row(self, row: tuple) -> None:
        """A row for a recorder that reads `EventRow` fields by name: made by tuple.__new__ (the same row, without a
        Python-level __new__)."""
        self.rec.add(_new_row(EventRow, row))

    @cython.locals(self=RunState, c=Child)
    def add_request(self, at_day: float, la: int = 0, age: float = 8.0, **attributes: Any) -> Child:
        """Add one child whose request reaches the LA on `at_day` (case studies, hand-worked tests).

        Call after `populate()` and before `simulate()`. Attributes not given take plain defaults.
        """
        c = Child(self.n_stock + self._n_generated + self._extra, la, False)
        self._extra += 1
        defaults = {"requester": "school", "need": "ASD", "preferred": "mainstream", "on_s41": False,
                    "capacity": "medium", "health": False, "social": False, "exception": False, "pins": None}
        unknown = set(attributes) - set(defaults)
        if unknown:
            raise ValueError(f"unknown child attribute(s): {', '.join(sorted(unknown))}; allowed: "
                             f"{', '.join(defaults)}")
        for k, v in {**defaults, **attributes}.items():
            setattr(c, k, v)
        c.gid = self.group_index.gid(c.capacity, c.requester, c.need)
        c.pid = self.group_index.pid(age, la)
        c.born = at_day - age * DAYS_PER_YEAR
        self.children.append(c)
        self.engine.at(at_day, self._cb_identify_need, c)
        return c

    @cython.locals(self=RunState, c=Child)
    def add_existing_plan(self, setting: str, la: int = 0, age: float = 10.0, first_review_day: float = 180.0,
                          at_day: float = 0.0, **attributes: Any) -> Child:
        """Add one child who already has a plan in `setting` on `at_day` (day 0 by default), aged `age` that day;
        the first review falls `first_review_day` days later (case studies)."""
        c = self.add_request(math.inf, la, age, **attributes)  # never requests: the plan exists
        c.born = at_day - age * DAYS_PER_YEAR
        c.stock = True
        c.setting = setting
        if at_day <= max(self.engine.now, 0.0):
            self._plan_in_force((c, first_review_day))
        else:  # the child joins the run on its start date: a plan in force from then
            c.status = "not_yet"
            self.engine.at(at_day, self._plan_in_force, (c, first_review_day))
        return c

    @cython.locals(self=RunState, c=Child)
    def _plan_in_force(self, arg: tuple) -> None:
        c, first_review_day = arg
        now = max(self.engine.now, 0.0)
        c.status = "plan"
        c.provision_at = now
        c.setting_since = now
        self.plans_in_force += 1
        res = self.las[c.la].places.get(c.setting)
        if res is not None:
            c.place_res = res
            c.place_job = res.seize(c, noop)
        c.review_due = now + first_review_day
        self.engine.at(c.review_due, self._cb_annual_review, c)
        self._schedule_transfer(c, now)
        self.schedule_plan_end(c)

    @cython.locals(self=RunState)
    def run(self) -> None:
        self.populate()
        self.simulate()

    @cython.locals(self=RunState)
    def simulate(self) -> None:
        self.engine.run(self.horizon)
        self.close_at_end()
        self._snapshot(self.cal.end.year + 1)
        self.snapshots[-1]["period"] = "end"
        if self.rec is not None:
            self.rec.flush()
