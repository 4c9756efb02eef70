"""A child's statutory route through the SEND system, one small named function per step.

Each step is a plain method of `Journey` that takes a child, records what happened (with
the body holding the duty and the statutory deadline), and schedules the next step on the
engine. The order and content of steps is the law's (from the compiled rule set); the
probabilities, durations and capacities are the scenario's. Randomness comes from named,
child-keyed streams (`random_streams.py`), so a child meets the same draws under any rule set.

Clock: days from the scenario's start date. `t0` is the day the LA received the request.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import Engine, Job, Resource
from .loading import LoadedScenario
from .random_streams import Draw, Streams, StreamSet, choice_array, uniform_array
from .sourced import AGE_BANDS, CAPACITIES, REQUESTERS, SETTINGS
from .units import DAYS_PER_YEAR, Calendar

OVERSAMPLE = 1.5  # requests are drawn at 1.5x the rate and thinned (see _arrival_times)
AGE_RANGES = {"under_5": (2.0, 5.0), "age_5_10": (5.0, 11.0), "age_11_15": (11.0, 16.0),
              "age_16_19": (16.0, 20.0), "age_20_25": (20.0, 25.0)}
TRANSFER_AGES = (4, 11, 16)  # age on 1 September when entering reception, year 7, year 12
CAPACITY_SETTINGS = ("resourced_provision", "maintained_special", "alternative_provision")

# duty holders stamped on every event
LN2 = math.log(2.0)
LA, EPS, ICB, SOCIAL, SCHOOL, FAMILY, MEDIATION, TRIBUNAL, SETTING = (
    "local_authority", "educational_psychology_service", "integrated_care_board", "social_care",
    "school_or_setting", "family", "mediation_service", "tribunal", "named_setting")

# every step the journey records; the accountability map of each rule set must describe each one
STEPS = (
    "sen_support", "request", "school_support_plan", "decide_to_assess", "school_advice", "psychological_advice",
    "health_advice", "social_care_advice", "decide_to_issue", "draft_plan", "family_comments", "name_setting",
    "name_setting_outside_list", "final_plan", "provision", "redress", "mediation_advice", "mediation",
    "mediation_certificate", "independent_review", "appeal", "hearing", "tribunal_decision", "comply",
    "reconsideration", "annual_review", "phase_transfer", "cessation", "cessation_post19",
)

# streams drawn in bulk (Journey._prefetch_draws): the stock's first review, and a new request's first pass
# (the review's decision draws at occurrence 1: the review count has gone up by then)
# (the stock's first review meeting and decision day are drawn in bulk in populate, so their streams are not here)
STOCK_REVIEW_STREAMS = {"review_outcome": 2, "contents_dispute_review": 2, "transfer_late": 1,
                        "transfer_preference": 1}
FIRST_PASS_STREAMS = ("refuse_assess", "la_delay", "no_plan", "naming", "grounds", "contents_dispute",
                      "dispute_refusal_to_assess", "dispute_refusal_to_issue", "dispute_placement",
                      "request_withdrawn", "assessment_withdrawn", "assessment_lapsed")
FIRST_PASS_DURATIONS = ("panel", "school_advice", "ep_advice", "health_advice", "social_advice", "decide_issue",
                        "draft", "consult", "finalise", "place_start")

# what an appeal decides, and which step follows a decision for the family
SEND_BACK = {"refusal_to_assess": "assess", "refusal_to_issue": "issue", "contents": "amend",
             "placement": "rename", "cessation": "continue"}


# a child's attributes drawn at creation (Journey._attributes), in the order Journey._assign reads them
ATTRIBUTES = ("requester", "born", "need", "preferred", "on_s41", "capacity", "health", "social", "exception")


def age_band(age: float) -> str:
    if age < 5:
        return "under_5"
    if age < 11:
        return "age_5_10"
    if age < 16:
        return "age_11_15"
    if age < 20:
        return "age_16_19"
    return "age_20_25"


def cumulative(shares: list[float]) -> list[float]:
    out, acc = [], 0.0
    for s in shares:
        acc += s
        out.append(acc)
    out[-1] = 1.0
    return out


class Child:
    """One child or young person: attributes that drive the journey, and what happened to them."""

    __slots__ = (
        "id", "la", "stock", "born", "requester", "need", "preferred", "on_s41", "capacity", "health", "social",
        "exception", "t0", "status", "refused", "assessed", "no_plan", "advice_pending", "final_at",
        "final_deadline", "setting", "named_against_wish", "provision_at", "place_job", "place_res",
        "waiting_since", "days_without_provision", "appeals", "mediations", "disputes", "reviews", "ceased_at",
        "dispute", "ladder", "rung", "must_certify", "decision_at", "job", "concede_at", "hearing_at",
        "pending_setting", "transfers", "ordered", "registered_at", "cert_at", "place_seq", "named_ground", "setting_since", "pins",
    )

    def __init__(self, cid: int, la: int, stock: bool):
        self.id = cid
        self.la = la
        self.stock = stock
        self.t0 = math.nan
        self.status = "in_progress"
        self.refused = False
        self.assessed = False
        self.no_plan = False
        self.final_at = math.nan
        self.final_deadline = math.nan
        self.provision_at = math.nan
        self.place_job: Job | None = None
        self.place_res: Resource | None = None
        self.waiting_since = math.nan
        self.days_without_provision = 0.0
        self.appeals = 0
        self.mediations = 0
        self.disputes = 0
        self.reviews = 0
        self.ceased_at = math.nan
        self.dispute = ""
        self.ladder: tuple = ()
        self.rung = 0
        self.must_certify = False
        self.decision_at = 0.0
        self.job: Job | None = None
        self.concede_at = math.nan
        self.hearing_at = math.nan
        self.pending_setting = ""
        self.transfers = 0
        self.named_against_wish = False
        self.ordered = False
        self.exception = False
        self.registered_at = math.nan
        self.cert_at = math.nan
        self.place_seq = 0
        self.named_ground = ""
        self.setting_since = math.nan
        self.pins: dict[str, Any] | None = None  # outcomes fixed by a case study


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
        special = spec.stock_maintained_special * (1 + naming.special_places_headroom_pct.value / 100.0) \
            * places_multiplier
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


class Recorder:
    """The event log: rows kept in memory in chunks and handed to a sink (e.g. a Parquet writer)."""

    __slots__ = ("rows", "sink", "chunk", "enabled")

    def __init__(self, sink: Callable[[list[tuple]], None] | None, chunk: int = 200_000):
        self.rows: list[tuple] = []
        self.sink = sink
        self.chunk = chunk
        self.enabled = sink is not None

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows and self.sink is not None:
            self.sink(self.rows)
        self.rows = []


class Counters:
    """Counts by (metric, period): calendar year, and September-August academic year for the tribunal.

    Kept as one dict of metrics per period (the clock moves forward, so nearly every count lands in the period of
    the last one); `counts` gives the flat (metric, period) view the metrics read once the run is over."""

    def __init__(self, cal: Calendar, from_day: float = 0.0):
        self.cal = cal
        self.from_day = from_day
        ys = cal.year_starts()
        self._year_days = [d for _, d in ys]
        self._years = [y for y, _ in ys]
        self._ac_days = [cal.day(dt.date(y - 1, 9, 1)) for y in range(cal.start.year, cal.end.year + 2)]
        self._ac_years = list(range(cal.start.year, cal.end.year + 2))
        self._by: dict[str, dict[str, float]] = {}
        self._span: tuple[float, float, dict[str, float]] = (1.0, 0.0, {})  # the year last counted: [start, end)

    @property
    def counts(self) -> dict[tuple[str, str], float]:
        return {(metric, period): v for period, d in self._by.items() for metric, v in d.items()}

    def year(self, day: float) -> int:
        return self._years[max(0, bisect.bisect_right(self._year_days, day) - 1)]

    def _year_counts(self, day: float) -> dict[str, float]:
        i = max(0, bisect.bisect_right(self._year_days, day) - 1)
        hi = self._year_days[i + 1] if i + 1 < len(self._year_days) else float("inf")
        lo = self._year_days[i] if day >= self._year_days[0] else float("-inf")
        d = self._by.setdefault(str(self._years[i]), {})
        self._span = (lo, hi, d)
        return d

    def academic(self, day: float) -> str:
        i = bisect.bisect_right(self._ac_days, day) - 1
        y = self._ac_years[max(0, i)]
        return f"{y - 1}/{str(y)[2:]}"

    def add(self, metric: str, day: float, n: float = 1.0, academic: bool = False) -> None:
        if day < self.from_day:
            return  # the lead-in and warm-up are not counted
        lo, hi, d = self._span
        if not lo <= day < hi:
            d = self._year_counts(day)
        d[metric] = d.get(metric, 0.0) + n
        if academic:
            a = self._by.setdefault(self.academic(day), {})
            a[metric] = a.get(metric, 0.0) + n


class Journey:
    """Runs every child of one replication through the rule set on one engine."""

    def __init__(self, loaded: LoadedScenario, engine: Engine, streams: Streams,
                 recorder: Recorder | None = None):
        sc = loaded.scenario
        self.sc = sc
        self.law = loaded.law
        self.engine = engine
        self.streams = streams
        self.rec = recorder
        self.cal = Calendar(sc.start_date, sc.end_date)
        self.horizon = self.cal.horizon_days
        self.warmup = sc.warmup_days
        self.lead_in = sc.lead_in_days
        if self.lead_in:
            engine.start_at(-self.lead_in)
        self.counters = Counters(self.cal, self.warmup)
        self.children: list[Child] = []
        self.plans_in_force = 0
        self.plans_ceased = 0
        self.snapshots: list[dict[str, Any]] = []
        self.las = [LAState(i, la, engine, self.warmup, sc.naming, self.law.effects["special_places_multiplier"])
                    for i, la in enumerate(sc.local_authorities.items)]
        self._compile_parameters()
        self.tribunal = Resource(engine, "tribunal", 1, self.warmup)
        self.hearing_days = 1.0
        self._set_tribunal_capacity(sc.start_date.year)
        self.rng = StreamSet(streams)
        engine.horizon = self.horizon  # events at or after the horizon are never scheduled

    def hearings_in_year(self, year: int) -> float:
        """Hearing capacity in a calendar year: given years, geometric between them, the trend beyond."""
        t = self.sc.tribunal
        given = dict(sorted(t.hearings_per_year_by_year.items()))
        g = 1.0 + t.hearings_growth_pct_per_year.value / 100.0
        if not given:
            return t.hearings_per_year.value * g ** (year - self.sc.start_date.year)
        if year in given:
            return given[year]
        years = list(given)
        if year < years[0]:
            return given[years[0]]
        if year > years[-1]:
            return given[years[-1]] * g ** (year - years[-1])
        lo = max(y for y in years if y < year)
        hi = min(y for y in years if y > year)
        return given[lo] * (given[hi] / given[lo]) ** ((year - lo) / (hi - lo))

    def _set_tribunal_capacity(self, year: int) -> None:
        # a hearing occupies one of `servers` panels for `hearing_days`; capacity = servers / hearing_days a day
        per_day = self.hearings_in_year(year) / DAYS_PER_YEAR
        servers = max(1, round(per_day))
        self.hearing_days = servers / per_day
        self.tribunal.set_servers(servers)

    def _apply_year(self, year: int) -> None:
        """New calendar year: staffing, special places and hearing capacity follow their stated trends."""
        k = year - self.sc.start_date.year
        g = (1.0 + self.sc.demand.capacity_growth_pct_per_year.value / 100.0) ** k
        gs = (1.0 + self.sc.naming.special_places_growth_pct_per_year.value / 100.0) ** k
        for la in self.las:
            s = la.spec
            g = s.capacity_in_year(year, self.sc.start_date.year, self.sc.demand.capacity_growth_pct_per_year.value)
            la.p_refuse, la.p_no_plan = s.refuse_in_year(year), s.no_plan_in_year(year)
            la.panel.set_servers(max(1, round(s.panel_servers * s.requests_in_year(year, self.sc.start_date.year, self.sc.demand.requests_growth_pct_per_year.value) / max(s.requests_per_year, 1.0))))  # decisions keep pace with requests
            la.ep.set_servers(max(1, round(s.ep_servers * g)))
            la.health.set_servers(max(1, round(s.health_advice_servers * g)))
            la.social.set_servers(max(1, round(s.social_care_advice_servers * g)))
            la.writers.set_servers(max(1, round(s.plan_writer_servers * g)))
            sp = la.places["maintained_special"]
            if sp is not None:
                sp.set_servers(max(1, round(la.special_base * gs)))
        if (dg := self.sc.redress.dispute_growth_pct_per_year) is not None:  # disputes per decision trend (calibrated)
            self.p_dispute = {a: v.value * (1.0 + dg.value / 100.0) ** k for a, v in self.sc.redress.dispute_probability.items()}
        self._set_tribunal_capacity(year)

    # ------------------------------------------------------------------ set-up
    def _compile_parameters(self) -> None:
        sc = self.sc
        pop = sc.population
        self.cum_requester = cumulative([pop.requester.get(r) for r in REQUESTERS])
        rr = {r: pop.refusal_relative_risk[r].value if r in pop.refusal_relative_risk else 1.0 for r in REQUESTERS}
        norm = sum(pop.requester.get(r) * rr[r] for r in REQUESTERS) or 1.0
        self.refusal_rr = {r: rr[r] / norm for r in REQUESTERS}
        self.cum_age_request = cumulative([pop.age_at_request.get(a) for a in AGE_BANDS])
        self.cum_age_stock = cumulative([pop.age_of_plans_in_force.get(a) for a in AGE_BANDS])
        self.needs = list(pop.primary_need.values)
        self.cum_need = cumulative([pop.primary_need.values[n] for n in self.needs])
        self.cum_pref_school = cumulative([pop.preferred_setting_school_age.get(s) for s in SETTINGS])
        self.cum_pref_post16 = cumulative([pop.preferred_setting_post16.get(s) for s in SETTINGS])
        self.cum_capacity = cumulative([pop.redress_capacity.get(c) for c in CAPACITIES])
        self.p_health = pop.health_needs_probability.value
        self.p_social = pop.social_care_needs_probability.value
        self.p_exception = pop.regulation_10_4_exception_probability.value
        self.p_s41 = pop.independent_on_s41_list_probability.value
        self.d = {k: v.value for k, v in sc.durations}
        self._shape = {k: getattr(v, "distribution", "fixed") for k, v in sc.durations}
        self.p_withdraw_request = pop.request_withdrawn_probability.value
        self.p_withdraw_assessment = pop.assessment_withdrawn_probability.value
        self._p_decided = 1.0 - self.p_withdraw_request
        self.p_lapse = pop.assessment_lapsed_probability
        self.inv_delay_shape = 1.0 / sc.durations.authority_delay_shape.value
        for k in ("mediation_held_days", "decision_to_appeal_days"):
            v = getattr(sc.redress, k)
            self.d[k], self._shape[k] = v.value, v.distribution
        n = sc.naming
        self.p_refuse_setting = {s: n.refuse_requested_setting_probability[s].value
                                 if s in n.refuse_requested_setting_probability else 0.0 for s in SETTINGS}
        self.grounds = list(n.refusal_grounds.values)
        self.cum_grounds = cumulative([n.refusal_grounds.values[g] for g in self.grounds])
        self.p_refuse_s9 = n.refuse_non_s41_independent_probability.value
        r = sc.redress
        self.p_dispute = {k: v.value for k, v in r.dispute_probability.items()}
        self.cap_mult = {c: r.capacity_multiplier[c].value if c in r.capacity_multiplier else 1.0 for c in CAPACITIES}
        law = self.law
        self.fx = law.effects
        if not 0.0 <= self.fx["requests_multiplier"] <= OVERSAMPLE:
            raise ValueError(f"effects.requests_multiplier must be between 0 and {OVERSAMPLE}")
        reqs = [la.spec.requests_per_year for la in self.las]
        self.national_refusal = (sum(r * la.p_refuse for r, la in zip(reqs, self.las, strict=True))
                                 / (sum(reqs) or 1.0))
        self.resolves = {st.name: (st.resolves if isinstance(st.resolves, float) else self._scenario_value(st.resolves))
                         for st in law.ladder}
        for st in law.ladder:
            if st.servers_per_1000_requests > 0 and st.name != "tribunal":
                for la in self.las:
                    n = max(1, round(st.servers_per_1000_requests * la.spec.requests_per_year / 1000.0))
                    la.rungs[st.name] = Resource(self.engine, f"{la.spec.code}.{st.name}", n, self.warmup)
        # unit costs with each payer's counter made once: process steps by item, placements by setting
        by_payer = {k: tuple((amount, f"cost_{payer}") for amount, payer in v) for k, v in law.costs.items()}
        self._costs = {k: v for k, v in by_payer.items() if not k.startswith("placement.")}
        self._review_costs = self._costs.get("annual_review", ())
        self._placement_costs = {k.removeprefix("placement."): v for k, v in by_payer.items()
                                 if k.startswith("placement.")}
        self._accrue_from = max(self.counters.from_day, 0.0)
        self._transfers = self._transfer_calendar()  # placements are costed from day 0, after warm-up
        rv = sc.reviews
        self.p_cease = {a: rv.cease_probability_per_year[a].value if a in rv.cease_probability_per_year else 0.0
                        for a in AGE_BANDS}
        self._p_review_late = rv.review_late_probability.value
        self._review_late_days = rv.review_late_extra_days.value
        self._p_move_to_special = rv.move_to_special_probability.value
        self._p_amend = rv.amend_probability.value
        self._review_every = self.law.annual_review_days


    @staticmethod
    def pinned(c: Child, key: str) -> Any:
        """The outcome a case study fixes for this decision, or None to draw it."""
        return None if c.pins is None else c.pins.get(key)

    def _scenario_value(self, dotted: str) -> float:
        node: Any = self.sc
        for part in dotted.split("."):
            node = getattr(node, part)
        return float(node.value)

    def cost(self, item: str, day: float) -> None:
        """Book the unit costs of one process step to each payer (rule set's `costs`)."""
        for amount, metric in self._costs.get(item, ()):
            self.counters.add(metric, day, amount)

    def accrue_placement(self, c: Child, until: float) -> None:
        """Book a placement's cost from when the child started there until `until` (never before day 0)."""
        start = c.setting_since
        if start != start:
            return
        if start < self._accrue_from:
            start = self._accrue_from
        if until > start:
            years = (until - start) / DAYS_PER_YEAR
            for amount, metric in self._placement_costs.get(c.setting, ()):  # cost per year, by payer
                self.counters.add(metric, until, amount * years)
        c.setting_since = math.nan

    def duration(self, name: str, stream: Draw, child: int, occurrence: int = 0) -> float:
        """A working time from the scenario's `durations.<name>` with its stated distribution."""
        shape = self._shape[name]
        if shape == "erlang2":
            return stream.gamma2(self.d[name], child, occurrence)
        if shape == "exponential":
            return stream.exponential(self.d[name], child, occurrence)
        return self.d[name]

    # ------------------------------------------------------------------ recording
    def log(self, c: Child, step: str, event: str, duty: str, deadline: float = math.nan, met: bool | None = None
            ) -> None:
        if self.rec is not None:
            self.rec.add((c.id, c.la, self.engine.now, step, event, duty, deadline, met))

    # ------------------------------------------------------------------ population
    def populate(self) -> None:
        """Create the stock of plans in force at the start and schedule every request of the horizon."""
        stock_la, stock_setting = [], []
        for la in self.las:
            s = la.spec
            for setting, n in (("mainstream", s.stock_mainstream), ("resourced_provision", s.stock_resourced_provision),
                               ("maintained_special", s.stock_maintained_special),
                               ("independent_special", s.stock_independent_special), ("post16", s.stock_post16),
                               ("alternative_provision", s.stock_alternative_provision),
                               ("mainstream", s.stock_other)):
                stock_la.extend([la.idx] * n)
                stock_setting.extend([setting] * n)
        n_stock = len(stock_la)
        ids = np.arange(n_stock, dtype=np.int64)
        attrs = self._attributes(ids, np.zeros(n_stock), self.cum_age_stock)
        first_review = uniform_array(self.rng.stock_review, ids) * self.law.annual_review_days
        for i, row in enumerate(zip(*(attrs[k] for k in ATTRIBUTES), strict=True)):
            c = Child(i, stock_la[i], True)
            self._assign(c, row)
            c.status = "plan"
            c.setting = stock_setting[i]
            c.provision_at = 0.0
            c.setting_since = 0.0
            self.children.append(c)
            res = self.las[c.la].places.get(c.setting)
            if res is not None:
                c.place_res = res
                c.place_job = res.seize(c, _noop)
            self._schedule_transfer(c, 0.0)
        self.plans_in_force += n_stock
        self.n_stock = n_stock
        self.disputes_at_start()
        # first reviews of the stock: each one's decision day (the meeting, late in some authorities, then the
        # decision within 4 weeks; the same draws as _review_held), fed to the engine in time order as the clock
        # reaches them, one event per review
        rv = self.sc.reviews
        late = np.where(uniform_array(self.rng.review_late, ids) < rv.review_late_probability.value,
                        -rv.review_late_extra_days.value * np.log(uniform_array(self.rng.review_late_days, ids)), 0.0)
        decided = first_review + late + self.law.review_decision_days * uniform_array(self.rng.review_decision, ids)
        meeting_only = decided >= self.horizon  # the decision falls after the horizon: only the meeting is booked
        at = np.where(meeting_only, first_review, decided)
        order = np.argsort(at, kind="stable")  # stable: equal days keep the children's order
        order = order[at[order] < self.horizon].tolist()
        self._feed = (at[order].tolist(), [self.children[i] for i in order], first_review[order].tolist(),
                      meeting_only[order].tolist())
        self._feed_i = 0
        if order:
            self.engine.at(self._feed[0][0], self._feed_review, None)
        self._n_generated = 0
        times, las, new_ids = self._arrival_times()
        new_attrs = self._attributes(np.asarray(new_ids, dtype=np.int64), np.asarray(times, dtype=float),
                                     self.cum_age_request)
        self._new_rows = zip(*(new_attrs[k] for k in ATTRIBUTES), strict=True)  # one per arrival, in order
        self._arrivals = (times, las, new_ids)
        self._arr_i = 0
        self._prefetch_draws()
        self._extra = 0
        if times:
            self.engine.at(times[0], self._arrive, None)
        for y, day in self.cal.year_starts():
            if 0.0 <= day <= self.horizon:
                self.engine.at(day, self._snapshot, y)
        self.tribunal_backlog_at_start()

    def disputes_at_start(self) -> None:
        """Disputes about existing plans already under way on the start date (a lead-in of new requests cannot make
        them): they reach mediation or appeal over the first weeks, as the remaining time of a dispute in progress."""
        r = self.sc.redress
        n = int(r.disputes_in_progress_at_start.value)
        if n <= 0 or self.n_stock == 0:
            return
        ids = np.arange(n, dtype=np.int64)
        who = (uniform_array(self.rng.dispute_at_start_child, ids) * self.n_stock).astype(np.int64).tolist()
        when = (uniform_array(self.rng.dispute_at_start_day, ids) * r.disputes_in_progress_window_days.value).tolist()
        for i, t in zip(who, when, strict=True):
            self.engine.at(t, self._dispute_at_start, self.children[i])

    def _dispute_at_start(self, c: Child) -> None:
        if c.status == "plan":
            self.start_dispute(c, "contents")

    def _prefetch_draws(self) -> None:
        """Draw in bulk the numbers most children will use (the same numbers, only faster to read).

        The stock's first annual review and phase transfer; a new request's first pass through assessment, plan and placement
        (occurrence 0, and 1 for the second draw of a two-draw duration). Later occurrences are drawn one by one.
        """
        stock, new = (0, self.n_stock), (self.n_stock, self.n_stock + self._n_generated)
        for name, occurrences in STOCK_REVIEW_STREAMS.items():
            self.rng.get(name).prefetch(*stock, occurrences=occurrences)
        for name in FIRST_PASS_STREAMS:
            self.rng.get(name).prefetch(*new)
        for name in FIRST_PASS_DURATIONS:
            self.rng.get(name).prefetch(*new, occurrences=2)

    def _feed_review(self, _: Any) -> None:
        times, kids, due, meeting_only = self._feed
        i = self._feed_i
        self._feed_i = i + 1
        if i + 1 < len(times):
            self.engine.at(times[i + 1], self._feed_review, None)
        if meeting_only[i]:
            self._review_meeting_only(kids[i])
        else:
            self._review_decision((kids[i], due[i]))

    def _arrival_times(self) -> tuple[list[float], list[int], list[int]]:
        """Poisson requests per authority and calendar year, merged in time order (ties by authority)."""
        growth = self.sc.demand.requests_growth_pct_per_year.value
        base_year = self.sc.start_date.year
        all_t, all_la = [], []
        for y, y0 in self.cal.year_starts():
            y1 = self.cal.day(dt.date(y + 1, 1, 1))
            lo, hi = max(0.0, y0), min(self.horizon, y1)
            if hi <= lo:
                continue
            frac = (hi - lo) / (y1 - y0)
            for la in self.las:
                g = self.streams.generator("arrivals", la.idx, y)
                lam = la.spec.requests_in_year(y, base_year, growth) * frac * OVERSAMPLE
                n = int(g.poisson(lam))
                t = np.sort(g.uniform(lo, hi, n))
                all_t.append(t)
                all_la.append(np.full(n, la.idx, dtype=np.int64))
        if self.lead_in:
            y = self.cal.start.year
            for la in self.las:
                g = self.streams.generator("arrivals_lead_in", la.idx, y)
                # the lead-in runs in the year before the start, at that year's rate
                lam = la.spec.requests_in_year(y - 1, base_year, growth) * self.lead_in / DAYS_PER_YEAR * OVERSAMPLE
                n = int(g.poisson(lam))
                all_t.append(np.sort(g.uniform(-self.lead_in, 0.0, n)))
                all_la.append(np.full(n, la.idx, dtype=np.int64))
        if not all_t:
            return [], [], []
        t = np.concatenate(all_t)
        la_idx = np.concatenate(all_la)
        order = np.lexsort((la_idx, t))
        t, la_idx = t[order], la_idx[order]
        # arrivals are drawn at OVERSAMPLE x the rate, then thinned: a rule set that changes demand keeps
        # every other child's identity (id and draws), so comparisons stay paired
        ids = np.arange(self.n_stock, self.n_stock + t.size, dtype=np.int64)
        self._n_generated = t.size
        keep = uniform_array(self.rng.request_made, ids) < self.fx["requests_multiplier"] / OVERSAMPLE
        return t[keep].tolist(), la_idx[keep].tolist(), ids[keep].tolist()

    def _attributes(self, ids: np.ndarray, at: np.ndarray, age_cum: list[float]) -> dict[str, list]:
        """Attributes of many children at once: identical to drawing them one by one (same keyed streams)."""
        r = self.rng
        band = choice_array(r.age_band, age_cum, ids)
        lo = np.array([AGE_RANGES[b][0] for b in AGE_BANDS])[band]
        hi = np.array([AGE_RANGES[b][1] for b in AGE_BANDS])[band]
        age = lo + (hi - lo) * uniform_array(r.age, ids)
        pref_school = choice_array(r.preferred, self.cum_pref_school, ids)
        pref_post16 = choice_array(r.preferred, self.cum_pref_post16, ids)
        return {
            "requester": [REQUESTERS[i] for i in choice_array(r.requester, self.cum_requester, ids).tolist()],
            "born": (at - age * DAYS_PER_YEAR).tolist(),
            "need": [self.needs[i] for i in choice_array(r.need, self.cum_need, ids).tolist()],
            "preferred": [SETTINGS[i] for i in np.where(age >= 16, pref_post16, pref_school).tolist()],
            "on_s41": (uniform_array(r.on_s41, ids) < self.p_s41).tolist(),
            "capacity": [CAPACITIES[i] for i in choice_array(r.capacity, self.cum_capacity, ids).tolist()],
            "health": (uniform_array(r.health, ids) < self.p_health).tolist(),
            "social": (uniform_array(r.social, ids) < self.p_social).tolist(),
            "exception": (uniform_array(r.exception, ids) < self.p_exception).tolist(),
        }

    @staticmethod
    def _assign(c: Child, row: tuple) -> None:
        """A child's attributes from one row of `_attributes`, in the order of ATTRIBUTES."""
        c.requester, c.born, c.need, c.preferred, c.on_s41, c.capacity, c.health, c.social, c.exception = row

    def tribunal_backlog_at_start(self) -> None:
        """Appeals already waiting at the start: they occupy the hearing queue ahead of new ones."""
        n = int(self.sc.tribunal.backlog_at_start.value)
        for k in range(n):
            placeholder = Child(-1 - k, 0, True)
            placeholder.status = "backlog"
            self.tribunal.seize(placeholder, self._backlog_heard)

    def _backlog_heard(self, c: Child) -> None:
        self.engine.schedule(self.hearing_days, _release, self.tribunal)

    def _arrive(self, _: Any) -> None:
        times, las, ids = self._arrivals
        i = self._arr_i
        c = Child(ids[i], las[i], False)
        self._assign(c, next(self._new_rows))
        self._arr_i = i + 1
        if self._arr_i < len(times):
            self.engine.at(times[self._arr_i], self._arrive, None)
        self.children.append(c)
        self.identify_need(c)

    # ------------------------------------------------------------------ before the request
    def identify_need(self, c: Child) -> None:
        """Need emerges and is identified; SEN support runs in the setting (no statutory clock)."""
        if self.rec is not None:
            support = self.rng.sen_support.exponential(self.sc.demand.sen_support_days_before_request.value, c.id)
            self.rec.add((c.id, c.la, self.engine.now - support, "sen_support", "started", SCHOOL, math.nan, None))
        self.request_assessment(c)

    # ------------------------------------------------------------------ assessment
    def request_assessment(self, c: Child) -> None:
        c.t0 = now = self.engine.now
        c.final_deadline = now + self.law.final_plan_days
        self.counters.add("requests", now)
        self.counters.add(f"la{c.la}.requests", now)  # per authority, for the per-authority backtest
        self.log(c, "request", f"received_from_{c.requester}", LA)
        if self.fx["school_support_plan_share"] and \
                self.rng.school_support_plan.u(c.id) < self.fx["school_support_plan_share"]:
            self.school_support_plan(c)
            return
        panel = self.duration("panel_decision_days", self.rng.panel, c.id)
        self.las[c.la].panel.serve(c, panel, self.decide_to_assess)

    def school_support_plan(self, c: Child) -> None:
        """Needs met by a school-level plan instead: no EHC needs assessment, and no appeal to the tribunal."""
        c.status = "school_support_plan"
        self.counters.add("school_support_plans", self.engine.now)
        self.cost("school_support_plan", self.engine.now)
        self.log(c, "school_support_plan", "made_no_tribunal_route", SCHOOL)

    def refusal_probability(self, la: LAState, requester: str) -> float:
        """The LA's refusal rate, moved toward the national rate and scaled as the rule set says, by requester."""
        p = la.p_refuse
        p += self.fx["la_refusal_convergence"] * (self.national_refusal - p)
        # the published rate is of all requests; withdrawn ones never reach the decision
        return min(1.0, p * self.fx["refuse_to_assess_multiplier"] * self.refusal_rr[requester] / self._p_decided)

    def decide_to_assess(self, c: Child) -> None:
        la = self.las[c.la]
        now = self.engine.now
        deadline = c.t0 + self.law.decide_to_assess_days
        pin = self.pinned(c, "decide_to_assess")
        if not pin and self.p_withdraw_request and self.rng.request_withdrawn.u(c.id) < self.p_withdraw_request:
            self.withdraw(c, "decide_to_assess", "request_withdrawn")
            return
        if (pin == "refused") if pin else self.rng.refuse_assess.u(c.id) < self.refusal_probability(la, c.requester):
            c.refused = True
            self.counters.add("refused", now)
            self.counters.add(f"la{c.la}.refused", c.t0)  # by the year of the request, as SEN2 counts refusals
            self.counters.add("refused_by_request_year", c.t0)
            self.log(c, "decide_to_assess", "refused", LA, deadline, now <= deadline)
            self.dispute_or_accept(c, "refusal_to_assess")
        else:
            self.log(c, "decide_to_assess", "agreed", LA, deadline, now <= deadline)
            self.gather_advice(c)

    def withdraw(self, c: Child, step: str, what: str) -> None:
        """The family or young person withdraws before the LA's decision (they move away, the need is met another
        way): SEN2 counts these apart from refusals and plans."""
        c.status = "withdrawn"
        self.counters.add(what, self.engine.now)
        self.log(c, step, what, FAMILY)

    def gather_advice(self, c: Child) -> None:
        """Advice requested from school, EP, and health and social care where relevant (6 weeks each)."""
        c.assessed = True
        self.cost("assessment", self.engine.now)
        la = self.las[c.la]
        i = c.id
        c.advice_pending = 2 + c.health + c.social
        extra = self.d["exception_extra_days"] if c.exception else 0.0
        occ = c.disputes
        self.engine.schedule(self.duration("school_advice_days", self.rng.school_advice, i, occ) + extra,
                             self._advice_in, (c, "school_advice", SCHOOL, self.engine.now))
        la.ep.serve(c, self.duration("ep_advice_days", self.rng.ep_advice, i, occ),
                    self._ep_in, None)
        c.decision_at = self.engine.now  # advice requested
        if c.health:
            la.health.serve(c, self.duration("health_advice_days", self.rng.health_advice, i, occ),
                            self._health_in)
        if c.social:
            la.social.serve(c, self.duration("social_care_advice_days", self.rng.social_advice, i, occ),
                            self._social_in)

    def _ep_in(self, c: Child) -> None:
        self._advice_in((c, "psychological_advice", EPS, c.decision_at))

    def _health_in(self, c: Child) -> None:
        self._advice_in((c, "health_advice", ICB, c.decision_at))

    def _social_in(self, c: Child) -> None:
        self._advice_in((c, "social_care_advice", SOCIAL, c.decision_at))

    def _advice_in(self, arg: tuple) -> None:
        c, step, duty, asked = arg
        now = self.engine.now
        deadline = asked + self.law.advice_days
        self.log(c, step, "received", duty, deadline, now <= deadline)
        c.advice_pending -= 1
        if c.advice_pending == 0:
            self.engine.schedule(self.duration("decide_to_issue_days", self.rng.decide_issue, c.id, c.disputes)
                                 + self.authority_delay(c), self.decide_to_issue, c)

    def authority_delay(self, c: Child) -> float:
        """The authority's own delay before it decides whether to issue (waits for panels, EPs, writers that the
        statistics show but do not break down): Weibull with the authority's calibrated median for the year and a
        national shape; a shape below 1 gives the long tail of plans issued many months late."""
        median = self.las[c.la].spec.delay_in_year(self.counters.year(self.engine.now))
        if median <= 0.0:
            return 0.0
        u = self.rng.la_delay.u(c.id, c.disputes)
        return median * (-math.log1p(-u) / LN2) ** self.inv_delay_shape

    def decide_to_issue(self, c: Child) -> None:
        now = self.engine.now
        deadline = c.t0 + self.law.decide_to_issue_days
        pin = self.pinned(c, "decide_to_issue")
        if not pin and not c.ordered and self.p_withdraw_assessment and \
                self.rng.assessment_withdrawn.u(c.id) < self.p_withdraw_assessment:
            self.withdraw(c, "decide_to_issue", "assessment_withdrawn")
            return
        if not pin and not c.ordered and \
                self.rng.assessment_lapsed.u(c.id) < self.p_lapse.in_year(self.counters.year(now)):
            self.withdraw(c, "decide_to_issue", "assessment_lapsed")
            return
        if not c.ordered and ((pin == "not_to_issue") if pin else
                              self.rng.no_plan.u(c.id) < self.las[c.la].p_no_plan * self.fx["no_plan_multiplier"]):
            c.no_plan = True
            self.counters.add("assessed_no_plan", now)
            self.log(c, "decide_to_issue", "not_to_issue", LA, deadline, now <= deadline)
            self.dispute_or_accept(c, "refusal_to_issue")
            return
        self.counters.add("decided_to_issue", now)
        self.log(c, "decide_to_issue", "to_issue", LA, deadline, now <= deadline)
        self.write_draft(c)

    def write_draft(self, c: Child) -> None:
        draft = self.duration("draft_writing_days", self.rng.draft, c.id, c.disputes) * \
            self.fx["draft_writing_multiplier"]
        self.las[c.la].writers.serve(c, draft, self.issue_draft)

    def issue_draft(self, c: Child) -> None:
        """The draft goes to the family, who have 15 days to comment and request a setting."""
        self.log(c, "draft_plan", "issued", LA)
        self.engine.schedule(self.law.draft_comment_days, self.consult_setting, c)

    def consult_setting(self, c: Child) -> None:
        self.log(c, "family_comments", f"requested_{c.preferred}", FAMILY)
        days = self.duration("setting_consultation_days", self.rng.consult, c.id, c.disputes)
        self.engine.schedule(days, self.name_setting, c)

    def name_setting(self, c: Child) -> None:
        """Section I: s.39 (must name unless a ground applies), s.33 mainstream presumption, s.9 for the rest."""
        named, refused, ground = self.decide_setting(c, c.preferred, 0)
        c.setting = named
        c.named_against_wish = refused
        c.named_ground = ground
        self.log(c, "name_setting", f"named_{named}" + (f"_refused_{ground}" if refused else ""), LA)
        days = self.duration("finalise_days", self.rng.finalise, c.id, c.disputes)
        self.engine.schedule(days, self.finalise_plan, c)

    def decide_setting(self, c: Child, wanted: str, occurrence: int) -> tuple[str, bool, str]:
        """Return (setting named, whether the family's request was refused, the ground)."""
        law = self.law
        pin = self.pinned(c, "setting_request")
        if law.tailored_list:
            # the family states a preference from the LA's list; a kind of setting not on it cannot be requested
            # every list includes a local mainstream school and college (Green Paper: "including mainstream")
            if (pin == "agreed") if pin else (wanted in ("mainstream", "post16")
                                              or self.rng.on_list.u(c.id, occurrence) < law.list_covers_preference):
                return wanted, False, ""
            return self.la_alternative(wanted, c), True, "not_on_tailored_list"
        u = self.rng.naming.u(c.id, occurrence)
        if wanted in law.s9_regard_only and not (c.on_s41 and wanted in law.s39_settings):
            refuse, ground = u < self.p_refuse_s9, "s9_unreasonable_public_expenditure"
        elif wanted in law.s39_settings:
            refuse = u < self.p_refuse_setting[wanted]
            ground = self.grounds[self.rng.grounds.choice(self.cum_grounds, c.id, occurrence)]
        else:
            refuse, ground = u < self.p_refuse_setting.get(wanted, 0.0), "not_a_s38_setting"
        if pin:
            refuse = pin == "refused"
        if not refuse:
            return wanted, False, ""
        return self.la_alternative(wanted, c), True, ground

    def la_alternative(self, wanted: str, c: Child) -> str:
        """What the LA names instead: the next less costly kind, mainstream first under s.33."""
        if wanted == "independent_special":
            return "maintained_special"
        if wanted in ("maintained_special", "resourced_provision"):
            return "mainstream" if self.law.mainstream_presumption else "resourced_provision"
        if wanted == "mainstream":
            return "resourced_provision"
        if wanted == "post16":
            return "post16"
        return "mainstream"

    def finalise_plan(self, c: Child) -> None:
        now = self.engine.now
        c.final_at = now
        if now < 0.0:
            # a plan made during the lead-in is already in the January caseload (the stock): its journey ends here
            c.status = "in_stock_at_start"
            self.log(c, "final_plan", "issued_before_start", LA, c.final_deadline, now <= c.final_deadline)
            return
        c.status = "plan"
        deadline = c.final_deadline
        met = now <= deadline
        self.plans_in_force += 1
        self.counters.add("new_plans", now)
        self.counters.add(f"la{c.la}.new_plans", now)
        if not c.exception and not c.ordered:
            self.counters.add("new_plans_excl_exceptions", now)
            self.counters.add(f"la{c.la}.new_plans_excl_exceptions", now)
            if met:
                self.counters.add("within_20_weeks_excl_exceptions", now)
                self.counters.add(f"la{c.la}.within_20_weeks_excl_exceptions", now)
            elif now - c.t0 > DAYS_PER_YEAR:
                self.counters.add("over_1_year_excl_exceptions", now)
        self.log(c, "final_plan", "issued", LA, deadline, met)
        self.secure_place(c, c.setting)
        self.engine.schedule(self.law.annual_review_days, self.annual_review, c)
        self._schedule_transfer(c, now)
        if c.named_against_wish and c.named_ground == "not_on_tailored_list" and not self.law.outside_list_appealable:
            self.counters.add("placement_outside_list_no_appeal", now)
            self.log(c, "name_setting_outside_list", "no_appeal_against_setting_named", LA)
        elif c.named_against_wish:
            self.dispute_or_accept(c, "placement")
        elif (self.pinned(c, "dispute_contents") if self.pinned(c, "dispute_contents") is not None
              else self.rng.contents_dispute.u(c.id, c.disputes) < self._dispute_p(c, "contents")):
            self.start_dispute(c, "contents")

    # ------------------------------------------------------------------ places
    def secure_place(self, c: Child, setting: str) -> None:
        """The LA must secure the provision; a place in a full setting means a wait without suitable provision."""
        self.accrue_placement(c, self.engine.now)
        if c.place_res is not None:
            res, job = c.place_res, c.place_job
            c.place_res = c.place_job = None
            if job is not None and job.started:
                res.release()
            elif job is not None:
                res.cancel(job)
        c.setting = setting
        if c.waiting_since != c.waiting_since:
            c.waiting_since = self.engine.now
        c.place_seq += 1
        res = self.las[c.la].places.get(setting)
        if res is None:
            self.engine.schedule(self.duration("place_start_days", self.rng.place_start, c.id, c.transfers),
                                 self.provision_in_place, (c, c.place_seq))
        else:
            c.place_res = res
            c.place_job = res.seize(c, self._place_granted)

    def _place_granted(self, c: Child) -> None:
        self.engine.schedule(self.duration("place_start_days", self.rng.place_start, c.id, c.transfers),
                             self.provision_in_place, (c, c.place_seq))

    def provision_in_place(self, arg: tuple) -> None:
        c, seq = arg
        if c.status != "plan" or seq != c.place_seq:
            return  # superseded by a later decision about the setting
        now = self.engine.now
        if math.isnan(c.provision_at):
            c.provision_at = now
        c.setting_since = now
        c.days_without_provision += now - c.waiting_since
        c.waiting_since = math.nan
        self.log(c, "provision", f"in_place_{c.setting}", SETTING)

    # ------------------------------------------------------------------ redress
    def _dispute_p(self, c: Child, kind: str) -> float:
        p = self.p_dispute.get(kind, 0.0) * self.cap_mult[c.capacity]
        if kind == "contents":
            p *= self.fx["contents_dispute_multiplier"]
        elif kind == "placement":
            p *= self.fx["placement_dispute_multiplier"]
        return min(1.0, p)

    def dispute_or_accept(self, c: Child, kind: str) -> None:
        """After an appealable decision: the family disputes it, or the decision stands."""
        if c.dispute:
            return  # one dispute at a time: a decision made while another is open is not separately appealed
        pin = self.pinned(c, f"dispute_{kind}")
        if pin if pin is not None else self.rng.get(f"dispute_{kind}").u(c.id, c.disputes) < self._dispute_p(c, kind):
            self.start_dispute(c, kind)
        else:
            self.decision_stands(c, kind)

    def start_dispute(self, c: Child, kind: str) -> None:
        if c.dispute:
            return
        c.dispute = kind
        c.disputes += 1
        c.decision_at = self.engine.now
        c.ladder = self.law.steps_for(kind)  # type: ignore[arg-type]
        c.rung = 0
        c.must_certify = False
        self.log(c, "redress", f"dispute_{kind}", FAMILY)
        self.next_rung(c)

    def next_rung(self, c: Child) -> None:
        if c.rung >= len(c.ladder):
            self.lodge_appeal(c)
            return
        step = c.ladder[c.rung]
        c.rung += 1
        getattr(self, step.name)(c, step)

    def mediation_advice(self, c: Child, step: Any) -> None:
        """The family must contact a mediation adviser before appealing (unless exempt)."""
        self.log(c, "mediation_advice", "adviser_contacted", MEDIATION)
        c.must_certify = step.mandatory
        self.next_rung(c)

    def mediation(self, c: Child, step: Any) -> None:
        """Mediation if it is mandatory or the family chooses it; the LA must arrange it within the limit."""
        i, occ = c.id, c.disputes
        pin = self.pinned(c, "mediation")
        chosen = step.mandatory or ((pin == "chosen") if pin else self.rng.mediation_chosen.u(i, occ) <
                                    self.sc.redress.mediation_chosen_probability.value
                                    * self.fx["mediation_chosen_multiplier"])
        if not chosen:
            if c.must_certify:
                cert = self._ladder_limit("mediation_advice")
                self.engine.schedule(cert, self._certificate, c)
            else:
                self.next_rung(c)
            return
        r = self.sc.redress
        # held within the limit, unless this LA is late (then the limit plus a delay)
        held = min(self.duration("mediation_held_days", self.rng.mediation_days, i, occ), step.time_limit_days)
        if self.rng.mediation_late.u(i, occ) < r.mediation_held_late_probability.value:
            held = step.time_limit_days + self.rng.mediation_late_days.exponential(r.mediation_held_days.value,
                                                                                   i, occ)
        c.mediations += 1
        res = self.las[c.la].rungs.get(step.name)
        if res is not None:  # a mediation service of finite capacity: the family waits for a mediator
            res.serve(c, self.rng.mediation_service.exponential(r.mediation_held_days.value, i, occ),
                      self._mediation_held)
        else:
            self.engine.schedule(held, self._mediation_held, c)

    def _mediation_held(self, c: Child) -> None:
        step = c.ladder[c.rung - 1]
        now = self.engine.now
        deadline = c.decision_at + step.time_limit_days
        self.counters.add("mediations", now)
        self.cost("mediation", now)
        pin = self.pinned(c, "mediation_outcome")
        if (pin == "settled") if pin else self.rng.mediation_settles.u(c.id, c.disputes) < self.resolves["mediation"]:
            self.counters.add("mediations_settled", now)
            self.log(c, "mediation", "settled", MEDIATION, deadline, now <= deadline)
            self.resolve_for_family(c, "mediation")
        else:
            self.log(c, "mediation", "not_settled", MEDIATION, deadline, now <= deadline)
            self.engine.schedule(self._ladder_limit("mediation_advice"), self._certificate, c)

    def independent_review(self, c: Child, step: Any) -> None:
        """An independent review between mediation and tribunal (a reform's rung): decided within its limit."""
        if not step.mandatory:
            self.next_rung(c)  # optional reviews are assumed not taken up: the family goes on to appeal
            return
        self.log(c, "independent_review", "referred", MEDIATION)
        days = step.time_limit_days * self.rng.review_days.u(c.id, c.disputes)
        res = self.las[c.la].rungs.get(step.name)
        if res is not None:
            res.serve(c, days, self._after_review)
        else:
            self.engine.schedule(days, self._after_review, c)

    def _after_review(self, c: Child) -> None:
        step = c.ladder[c.rung - 1]
        now = self.engine.now
        self.counters.add("independent_reviews", now)
        self.cost("independent_review", now)
        deadline = c.decision_at + step.time_limit_days
        if self.rng.review_resolves.u(c.id, c.disputes) < self.resolves["independent_review"]:
            self.log(c, "independent_review", "resolved_for_family", MEDIATION, deadline, now <= deadline)
            self.resolve_for_family(c, "independent_review")
        else:
            self.log(c, "independent_review", "not_resolved", MEDIATION, deadline, now <= deadline)
            self.next_rung(c)

    def _ladder_limit(self, name: str) -> float:
        for s in self.law.ladder:
            if s.name == name:
                return s.time_limit_days
        return 0.0

    def _certificate(self, c: Child) -> None:
        self.log(c, "mediation_certificate", "issued", MEDIATION)
        c.cert_at = self.engine.now
        self.next_rung(c)

    def lodge_appeal(self, c: Child) -> None:
        """The family appeals by the later of 2 months from the decision and 1 month from the certificate."""
        law = self.law
        now = self.engine.now
        deadline = c.decision_at + law.appeal_after_decision_days
        if c.must_certify or c.mediations:
            deadline = max(deadline, c.cert_at + law.appeal_after_certificate_days)
        wait = self.duration("decision_to_appeal_days", self.rng.appeal_days, c.id, c.disputes)
        lodged = min(now + wait, max(deadline, now))
        self.engine.at(lodged, self._register, c)

    def _register(self, c: Child) -> None:
        now = self.engine.now
        c.appeals += 1
        c.registered_at = now
        kind = c.dispute
        self.counters.add("appeals_registered", now, academic=True)
        self.counters.add(f"appeals_{kind}", now, academic=True)
        self.log(c, "appeal", f"lodged_{kind}", FAMILY)
        self.engine.schedule(self.law.registration_days, self._registered, c)

    def _registered(self, c: Child) -> None:
        """Registered: the LA may concede, the family may withdraw, or the appeal waits for a hearing."""
        r = self.sc.redress
        i, occ = c.id, c.disputes
        now = self.engine.now
        self.log(c, "appeal", "registered", TRIBUNAL, now - self.law.registration_days + self.law.la_response_days,
                 None)
        c.hearing_at = math.nan
        c.concede_at = math.nan
        u = self.rng.appeal_end.u(i, occ)
        pin = self.pinned(c, "appeal_outcome")
        if pin:  # the draw's outcomes lie in order: withdrawn, conceded, heard
            u = {"withdrawn": -1.0, "conceded": r.withdrawn_probability.value, "heard": 2.0}[pin]
        if u < r.withdrawn_probability.value:
            c.concede_at = -1.0  # marks a withdrawal before the hearing
        elif u < r.withdrawn_probability.value + r.la_concedes_probability.value:
            if self.rng.concede_early.u(i, occ) < r.la_concedes_early_share.value:
                t = self.rng.concede_time.u(i, occ) * self.law.la_response_days
                self.engine.schedule(t, self._concede_early, (c, c.disputes))
            else:
                c.concede_at = 1.0  # concedes late: on the eve of the hearing
        prep = self.sc.tribunal.earliest_hearing_days.value
        self.engine.schedule(prep, self._join_hearing_list, (c, c.disputes))

    def _join_hearing_list(self, arg: tuple) -> None:
        c, n = arg
        if c.disputes != n or not c.dispute:
            return  # conceded already
        c.job = self.tribunal.seize(c, self._hearing)

    def _concede_early(self, arg: tuple) -> None:
        c, n = arg
        if c.disputes != n or not c.dispute or (c.job is not None and c.job.started):
            return
        if c.job is not None:
            self.tribunal.cancel(c.job)
        self.counters.add("appeals_conceded", self.engine.now, academic=True)
        self.cost("appeal_conceded", self.engine.now)
        self.log(c, "appeal", "conceded_by_la", LA)
        self.resolve_for_family(c, "concession")

    def _hearing(self, c: Child) -> None:
        now = self.engine.now
        c.job = None
        if c.concede_at == 1.0 or c.concede_at == -1.0:
            withdrawn = c.concede_at == -1.0
            self.tribunal.release()  # too late to list another case? the slot is reused
            if withdrawn:
                self.counters.add("appeals_withdrawn", now, academic=True)
                self.log(c, "appeal", "withdrawn", FAMILY)
                self.decision_stands(c, c.dispute)
            else:
                self.counters.add("appeals_conceded", now, academic=True)
                self.cost("appeal_conceded", now)
                self.log(c, "appeal", "conceded_by_la", LA)
                self.resolve_for_family(c, "concession")
            return
        c.hearing_at = now
        self.counters.add("hearings", now, academic=True)
        self.cost("hearing", now)
        self.counters.add("weeks_to_hearing_sum", now, (now - c.registered_at) / 7.0, academic=True)
        self.log(c, "hearing", "heard", TRIBUNAL)
        self.engine.schedule(self.hearing_days, _release, self.tribunal)
        self.engine.schedule(self.law.written_decision_days, self._tribunal_decision, c)

    def _tribunal_decision(self, c: Child) -> None:
        now = self.engine.now
        pin = self.pinned(c, "hearing")
        if (pin == "for_family") if pin else self.rng.hearing_outcome.u(c.id, c.disputes) < self.resolves["tribunal"]:
            self.counters.add("decided_for_family", now, academic=True)
            self.log(c, "tribunal_decision", "for_family", TRIBUNAL)
            self.resolve_for_family(c, "order")
        else:
            self.counters.add("decided_for_la", now, academic=True)
            self.log(c, "tribunal_decision", "for_la", TRIBUNAL)
            self.decision_stands(c, c.dispute)

    def resolve_for_family(self, c: Child, how: str) -> None:
        """The LA must now do what the family asked, within the compliance deadline for the appeal type."""
        kind = c.dispute
        c.dispute = ""
        limit = self.law.compliance_days[kind]
        r = self.sc.redress
        days = limit * self.rng.comply.u(c.id, c.disputes)
        if self.rng.comply_late.u(c.id, c.disputes) < r.la_late_compliance_probability.value:
            days = limit + self.rng.comply_late_days.exponential(r.la_late_compliance_extra_days.value, c.id,
                                                                     c.disputes)
        deadline = self.engine.now + limit
        action = SEND_BACK[kind]
        if action == "assess":
            c.ordered = True
            c.refused = False
            c.final_deadline = deadline
            self.log(c, "comply", f"assess_after_{how}", LA, self.engine.now + self.law.compliance_days[
                "assess_notify"], True)
            self.gather_advice(c)
        elif action == "issue":
            c.ordered = True
            c.no_plan = False
            c.final_deadline = deadline
            self.log(c, "comply", f"make_plan_after_{how}", LA)
            self.write_draft(c)
        else:
            self.engine.schedule(days, self._complied, (c, action, deadline))

    def _complied(self, arg: tuple) -> None:
        c, action, deadline = arg
        now = self.engine.now
        self.log(c, "comply", action, LA, deadline, now <= deadline)
        if c.status != "plan":
            return
        if action == "rename":
            want = c.pending_setting or c.preferred
            c.named_against_wish = False
            c.pending_setting = ""
            if self.law.placement_power == "remit":
                # the tribunal can only send the decision back: the LA decides again, and may refuse again
                named, refused, ground = self.decide_setting(c, want, 200 + c.disputes)
                self.log(c, "reconsideration", f"named_{named}" + (f"_refused_{ground}" if refused else ""), LA)
                if refused:
                    c.pending_setting = want
                    if c.disputes < 4:
                        self.dispute_or_accept(c, "placement")
                    return
            self.secure_place(c, want)
        elif action == "continue":
            pass

    def decision_stands(self, c: Child, kind: str) -> None:
        c.dispute = ""
        if kind == "refusal_to_assess":
            c.status = "refused"
        elif kind == "refusal_to_issue":
            c.status = "no_plan"
        elif kind == "cessation":
            self.cease(c)

    # ------------------------------------------------------------------ plans in force
    def annual_review(self, c: Child) -> None:
        """Review the plan; the LA decides within 4 weeks to maintain, amend or cease."""
        if c.status != "plan":
            return
        self._review_held(c, self.engine.now)

    def _review_held(self, c: Child, due: float) -> None:
        """The meeting is held (late in some authorities) and its decision scheduled: one event per review, at the
        decision, which books the meeting's cost; a meeting whose decision falls after the horizon is booked alone."""
        i, k = c.id, c.reviews
        rng = self.rng
        meeting = due
        if rng.review_late.u(i, k) < self._p_review_late:
            meeting += rng.review_late_days.exponential(self._review_late_days, i, k)
        decided = meeting + self.law.review_decision_days * rng.review_decision.u(i, k)
        if decided < self.horizon:
            self.engine.at(decided, self._review_decision, (c, due))
        elif due < self.horizon:
            self.engine.at(due, self._review_meeting_only, c)

    def _review_meeting_only(self, c: Child) -> None:
        if c.status == "plan":
            c.reviews += 1
            self.cost("annual_review", self.engine.now)

    def _review_decision(self, arg: tuple) -> None:
        c, due = arg
        if c.status != "plan":
            return
        c.reviews = k = c.reviews + 1
        for amount, metric in self._review_costs:
            self.counters.add(metric, due, amount)
        now = self.engine.now
        age = (now - c.born) / DAYS_PER_YEAR
        if now + self._review_every < self.horizon:
            self._review_held(c, now + self._review_every)
        pin = None if c.pins is None else c.pins.get("review_outcome")
        if pin == "maintain":
            self.log(c, "annual_review", "maintain", LA)
            return
        # one draw decides the review's outcome: cease, move to special, amend, or maintain (in that order)
        u = self.rng.review_outcome.u(c.id, k)
        p_cease = self.p_cease[age_band(age)]
        if age >= 25.0 or pin == "cease" or (pin is None and u < p_cease):
            self.log(c, "annual_review", "cease", LA)
            self.dispute_or_accept(c, "cessation")
            return
        u = (u - p_cease) / (1.0 - p_cease) if p_cease < 1.0 else 0.0  # uniform again, given not ceased
        p_move = self._p_move_to_special if c.setting == "mainstream" else 0.0
        if pin is None and u < p_move:
            self.log(c, "annual_review", "amend_setting", LA)
            self._rename(c, "maintained_special", k)
            return
        u = (u - p_move) / (1.0 - p_move) if p_move < 1.0 else 1.0
        if pin == "amend" or (pin is None and u < self._p_amend):
            self.log(c, "annual_review", "amend", LA)
            if self.rng.contents_dispute_review.u(c.id, k) < self._dispute_p(c, "contents"):
                self.start_dispute(c, "contents")
            return
        self.log(c, "annual_review", "maintain", LA)

    def _rename(self, c: Child, wanted: str, occurrence: int) -> None:
        named, refused, ground = self.decide_setting(c, wanted, occurrence + 1)
        c.transfers += 1
        self.log(c, "name_setting", f"named_{named}" + (f"_refused_{ground}" if refused else ""), LA)
        if named != c.setting:
            self.secure_place(c, named)
        if refused:
            c.pending_setting = wanted
            self.dispute_or_accept(c, "placement")

    def _transfer_calendar(self) -> list[tuple[float, float, float]]:
        """(1 September, school deadline, post-16 deadline) as day offsets, for every year of the horizon."""
        law = self.law
        return [(self.cal.day(dt.date(y, 9, 1)), self.cal.day(dt.date(y, *law.phase_transfer_school)),
                 self.cal.day(dt.date(y, *law.phase_transfer_post16)))
                for y in range(self.cal.start.year - 1, self.cal.end.year + 1)]

    def _schedule_transfer(self, c: Child, now: float) -> None:
        """Phase transfer: the plan must name the next setting by 15 February (31 March for post-16)."""
        for sept, school, post16 in self._transfers:
            if sept <= now:
                continue
            age = int((sept - c.born) // DAYS_PER_YEAR)
            if age in TRANSFER_AGES:
                deadline = post16 if age == 16 else school
                if now < deadline < self.horizon:
                    self.engine.at(deadline, self.phase_transfer, (c, deadline, age))
                return

    def phase_transfer(self, arg: tuple) -> None:
        c, deadline, age = arg
        if c.status != "plan":
            return
        rv = self.sc.reviews
        i, k = c.id, c.transfers
        late = self.rng.transfer_late.u(i, k) < rv.phase_transfer_late_probability.value
        delay = self.rng.transfer_late_days.exponential(rv.phase_transfer_late_extra_days.value, i, k) \
            if late else 0.0
        self.engine.schedule(delay, self._transfer_named, (c, deadline, age))

    def _transfer_named(self, arg: tuple) -> None:
        c, deadline, age = arg
        if c.status != "plan":
            return
        now = self.engine.now
        cum = self.cum_pref_post16 if age >= 16 else self.cum_pref_school
        wanted = SETTINGS[self.rng.transfer_preference.choice(cum, c.id, c.transfers)]
        self.log(c, "phase_transfer", f"review_age_{age}", LA, deadline, now <= deadline + 1e-9)
        step_down = self.fx["step_down_at_phase_transfer"]
        protected = self.fx["protect_special_places"] and c.setting in ("maintained_special", "independent_special")
        if step_down and not protected and self.rng.step_down.u(c.id, c.transfers) < step_down:
            self.log(c, "phase_transfer", "reassessed_plan_to_cease", LA)
            self.dispute_or_accept(c, "cessation")
            return
        self._rename(c, wanted, 100 + c.transfers)
        self._schedule_transfer(c, now + 200.0)

    def cease(self, c: Child) -> None:
        now = self.engine.now
        self.accrue_placement(c, now)
        c.status = "ceased"
        c.ceased_at = now
        self.plans_in_force -= 1
        self.plans_ceased += 1
        self.counters.add("plans_ceased", now)
        if c.place_res is not None and c.place_job is not None:
            if c.place_job.started:
                c.place_res.release()
            else:
                c.place_res.cancel(c.place_job)
            c.place_res = c.place_job = None
        if (now - c.born) / DAYS_PER_YEAR >= 19.0:
            self.log(c, "cessation_post19", "plan_ceased", LA)
        else:
            self.log(c, "cessation", "plan_ceased", LA)

    # ------------------------------------------------------------------ calendar snapshots
    def _snapshot(self, year: int) -> None:
        if year != self.sc.start_date.year:
            self._apply_year(year)
        waiting_place = sum(la.places[s].waiting for la in self.las for s in CAPACITY_SETTINGS
                            if la.places[s] is not None)
        self.snapshots.append({"period": str(year), "plans_in_force_january": self.plans_in_force,
                               "tribunal_backlog": self.tribunal.waiting + self.tribunal.busy,
                               "waiting_for_place": waiting_place})

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
        c.born = at_day - age * DAYS_PER_YEAR
        self.children.append(c)
        self.engine.at(at_day, self.identify_need, c)
        return c

    def add_existing_plan(self, setting: str, la: int = 0, age: float = 10.0, first_review_day: float = 180.0,
                          **attributes: Any) -> Child:
        """Add one child who already has a plan on day 0, in `setting` (case studies)."""
        c = self.add_request(math.inf, la, age, **attributes)  # never requests: the plan exists
        c.born = -age * DAYS_PER_YEAR
        c.stock = True
        c.status = "plan"
        c.setting = setting
        c.provision_at = 0.0
        c.setting_since = 0.0
        self.plans_in_force += 1
        res = self.las[la].places.get(setting)
        if res is not None:
            c.place_res = res
            c.place_job = res.seize(c, _noop)
        self.engine.at(first_review_day, self.annual_review, c)
        self._schedule_transfer(c, max(self.engine.now, 0.0))
        return c

    def run(self) -> None:
        self.populate()
        self.simulate()

    def simulate(self) -> None:
        self.engine.run(self.horizon)
        for c in self.children:
            if c.status == "plan":
                self.accrue_placement(c, self.horizon)
        self._snapshot(self.cal.end.year + 1)
        self.snapshots[-1]["period"] = "end"
        if self.rec is not None:
            self.rec.flush()


def _noop(_: Any) -> None:
    return None


def _release(res: Resource) -> None:
    res.release()
