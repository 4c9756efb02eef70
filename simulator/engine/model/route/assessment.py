"""The request and the EHC needs assessment: CFA 2014 s.36, SEND Regulations 2014 regs 3-10.

The LA decides whether to assess within 6 weeks of the request (reg 5(1)); if it assesses it seeks advice from the
school, an educational psychologist, and health and social care where relevant, each due within 6 weeks (reg 8);
then it decides whether to issue a plan (within 16 weeks, reg 10(1)).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.

Why this module is long: the request's and the assessment's steps call each other as C functions of one module
(`cpdef`, assessment.pxd); split across modules, a chain such as `_advice_in` -> `authority_delay` ->
`late_share` -> `lateness` would need cimports between stages that import each other.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

import datetime as dt
from math import inf, log, log1p, nan

from ....schema.scenario import LocalAuthority
from ....schema.vocabulary import (
    EPS,
    FAMILY,
    ICB,
    LA,
    REQUESTERS,
    SCHOOL,
    SOCIAL,
)
from ..capacity import CaseworkBacklog, LAState
from ..child import Child
from ..costs import cost
from ..records import (
    ASSESSED_NO_PLAN,
    ASSESSMENT_LAPSED,
    ASSESSMENT_WITHDRAWN,
    DECIDED_TO_ASSESS,
    DECIDED_TO_ISSUE,
    ISP_ESCALATIONS,
    REFUSED,
    REFUSED_BY_REQUEST_YEAR,
    REQUEST_WITHDRAWN,
    REQUESTS,
    SCHOOL_SUPPORT_PLANS,
)
from ..state import RunState
from ..streams import CARRY_RELEASE
from .redress import dispute_or_accept

LN2 = log(2.0)



SEN2_WEEKS_DAYS = 140.0  # the 20 weeks SEN2 times plans against (timeliness_20_week.csv), from the request

# the request's log event by requester, made once (an f-string made at every request cost about 300 instructions,
# with the event log off as well); a requester not in the vocabulary (none in a run) still gets its own string
_RECEIVED_FROM = {r: f"received_from_{r}" for r in REQUESTERS}


# The steps that other steps of this stage call are module functions, `cpdef` in assessment.pxd, so that a
# compiled step calls them in C; each is also the class's method of that name (the event list, other stages, tests).
@cython.locals(self=RunState, c=Child, la=LAState)
def request_assessment(self, c: Child) -> None:
    """A would-be request: met by a school-level plan where a reform diverts it (counted there, not as a request
    for an EHC needs assessment), else a request (counted once; an escalation from a school-level plan is one
    request, when it happens)."""
    c.t0 = now = self.engine.now
    c.final_deadline = now + self.law_final_plan_days
    p_isp = 0.0 if c.escalated else self._p_isp.get(c.need, 0.0)
    if p_isp and self.rng.school_support_plan.u(c.id) < p_isp:
        self.school_support_plan(c)
        return
    self.counters.count(c, REQUESTS, now)
    self.counters.add_la(c.la, REQUESTS, now)  # per authority, for the per-authority backtest
    if self.rec is not None:  # (no recorder: `log` writes nothing, so its row's fields are not made)
        self.log(c, "request", _RECEIVED_FROM.get(c.requester) or f"received_from_{c.requester}", LA)
    panel = self.duration("panel_decision_days", self.rng.panel, c.id)
    la = self.las[c.la]
    la.panel.serve(c, panel, self._cb_decide_to_assess)


@cython.locals(self=RunState, la=LAState, p=cython.double, conv=cython.double, nat=cython.double, fx=cython.double,
               rr=cython.double, decided=cython.double, q=cython.double)
def refusal_probability(self, la: LAState, requester: str) -> float:
    """The LA's refusal rate, moved toward the national rate and scaled as the rule set says, by requester.
    (Compiled, on C doubles: the same IEEE operations in the same order as on the floats, without a float made for
    each intermediate.)"""
    p = la.p_refuse
    conv = la.fx_convergence
    nat = self.national_refusal
    fx = la.fx_refuse
    rr = self.refusal_rr[requester]
    decided = self._p_decided
    p += conv * (nat - p)
    # the published rate is of all requests; withdrawn ones never reach the decision
    q = p * fx * rr / decided
    return min(1.0, q)


@cython.locals(self=RunState, c=Child)
def withdraw(self, c: Child, step: str, what: str) -> None:
    """The family or young person withdraws before the LA's decision (they move away, the need is met another
    way): SEN2 counts these apart from refusals and plans."""
    c.status = "withdrawn"
    self.counters.count(c, what, self.engine.now)
    self.log(c, step, what, FAMILY)


@cython.locals(self=RunState, c=Child, la=LAState)
def gather_advice(self, c: Child) -> None:
    """Advice requested from school, EP, and health and social care where relevant (6 weeks each)."""
    c.assessed = True
    cost(self, c, "assessment", self.engine.now)
    la = self.las[c.la]
    i = c.id
    c.advice_pending = 2 + c.health + c.social
    extra = self.d["exception_extra_days"] if c.exception else 0.0
    occ = c.disputes
    self.engine.schedule(self.duration("school_advice_days", self.rng.school_advice, i, occ) + extra,
                         self._cb_advice_in, (c, "school_advice", SCHOOL, self.engine.now))
    la.ep.serve(c, self.duration("ep_advice_days", self.rng.ep_advice, i, occ),
                self._cb_ep_in, None)
    c.decision_at = self.engine.now  # advice requested
    if c.health:
        la.health.serve(c, self.duration("health_advice_days", self.rng.health_advice, i, occ),
                        self._cb_health_in)
    if c.social:
        la.social.serve(c, self.duration("social_care_advice_days", self.rng.social_advice, i, occ),
                        self._cb_social_in)


@cython.locals(self=RunState, c=Child)
def _advice_in(self, arg: tuple) -> None:
    c, step, duty, asked = arg
    advice_received(self, c, step, duty, asked)


@cython.locals(self=RunState, c=Child, la=LAState, team=CaseworkBacklog)
def advice_received(self, c: Child, step: str, duty: str, asked: float) -> None:
    """One piece of advice is in (`_advice_in`'s tuple as arguments: the EP's, health's and social care's steps call
    it directly, with no tuple); after the last, the decision whether to issue."""
    if self.rec is not None:  # (no recorder: `log` writes nothing, so its row's fields are not made)
        now = self.engine.now
        deadline = asked + self.law_advice_days
        self.log(c, step, "received", duty, deadline, now <= deadline)
    c.advice_pending -= 1
    if c.advice_pending == 0:
        la = self.las[c.la]
        team = la.casework
        if team is not None:  # waits: backlog
            team.join(c, self._cb_taken_up)
            return
        self.engine.schedule(self.duration("decide_to_issue_days", self.rng.decide_issue, c.id, c.disputes)
                             + authority_delay(self, c), self._cb_decide_to_issue, c)


@cython.locals(self=RunState)
def lapse_probability(self, now: float) -> float:
    """The chance that an assessment lapses, in `now`'s calendar year (`p_lapse.in_year`): kept with the days of
    that year (`_lapse_span`, from `Counters.year_span`), so the scenario's model is asked once a year, not once a
    decision (its `in_year` makes and searches a list of its years: about 8,000 instructions a call)."""
    lo, hi, p = self._lapse_span
    if not lo <= now < hi:
        lo, hi, year = self.counters.year_span(now)
        p = self.p_lapse.in_year(year)
        self._lapse_span = (lo, hi, p)
    return p


@cython.locals(self=RunState, c=Child, la=LAState)
def authority_delay(self, c: Child) -> float:
    """The authority's own delay before it decides whether to issue (waits for panels, EPs, writers that the
    statistics show but do not break down): Weibull with the authority's calibrated median for the year and a
    national shape; a shape below 1 gives the long tail of plans issued many months late.

    The year whose median applies is the year in which the child reaches 20 weeks from its request, not the year the advice came
    in: SEN2 reads timeliness by the year a plan is issued, and a plan issued on time is issued in the weeks
    before its deadline, so indexing by the deadline puts each year's on-time plans under that year's delay.
    Indexed by the advice's year (about 10-14 weeks earlier), a year's first months were issued under the year
    before's delay, and the fit of a year that was much slower or faster than the one before ran into the
    delay's bounds (Walsall 2022 at 600 days, MODEL.md 3.3)."""
    due = c.t0 + SEN2_WEEKS_DAYS  # SEN2's fixed 20 weeks, not the rule set's limit: a reform that changes the
    #                                 limit must not change which year's delay a child draws
    la = self.las[c.la]
    if la.late_by_year:  # (`spec.late_share_by_year` is not empty: copied when the authority is made)
        return lateness(self, c, late_share(self, la, self.counters.year(due if due == due else
                                                                                    self.engine.now)), due)
    median = la.spec.delay_in_year(self.counters.year(due if due == due else self.engine.now))
    if median <= 0.0:
        return 0.0
    u = self.rng.la_delay.u(c.id, c.disputes)
    return median * (-log1p(-u) / LN2) ** self.inv_delay_shape


@cython.locals(self=RunState, la=LAState)
def late_share(self, la: LAState, year: int) -> float:
    """The share of the year's children the authority holds late, under this run's load against its capacity.

    The fitted share q (`late_share_by_year`) says how many of the year's assessments the authority could carry
    through on time at the load SEN2 saw: (1 - q) x D. Under a rule set that changes the load (more or fewer
    requests, more or fewer refused: `effects.requests_multiplier`, `refuse_to_assess_multiplier`,
    `la_refusal_convergence`) or the staff (`effects.casework_staff_multiplier`, a capacity reform expressed as
    staff), the same capacity meets the new load: q' = 1 - min(1, (1 - q) x staff / (D' / D)). So rising requests
    slow a council down and added staff speed it up, while the fitted years, under the rules they were fitted
    under, keep their share exactly (the ratio is then 1). UNVERIFIED form: on-time throughput proportional to
    staff (no economies of scale), and D' / D from the year's refusal rate alone (the requester mix and
    withdrawals ignored).

    Kept per (authority, year, refusal rate in force) until the law changes (`Journey._use_law` clears it): a
    national year asks about 180,000 times for a few hundred different values. The refusal rate is in the key
    because a held child asks for next year's share under this year's rate."""
    key = (la.idx, year, la.p_refuse)  # (the authority by its index: one key each, as by its code)
    share = self._late_shares.get(key)
    if share is None:
        share = self._late_shares[key] = _late_share_under_law(self, la, year)
    return share


@cython.locals(self=RunState, la=LAState)
def _late_share_under_law(self, la: LAState, year: int) -> float:
    """`late_share` worked out (its docstring says how)."""
    q = self.projected_late_share(la.spec, year)
    fx = la.fx
    p = la.p_refuse
    run = min(1.0, (p + fx.la_refusal_convergence * (self.national_refusal - p)) * fx.refuse_to_assess_multiplier)
    load = fx.requests_multiplier * ((1.0 - run) / (1.0 - p) if p < 1.0 else 1.0)
    staff = self.law.effects.casework_staff_multiplier
    ratio = load / staff if staff else inf
    if ratio == 1.0:
        return q
    return 1.0 - min(1.0, (1.0 - q) / ratio)


@cython.locals(self=RunState, c=Child)
def lateness(self, c: Child, late_share: float, due: float) -> float:
    """Lateness apart from the share on time (`late_share_by_year`): with the year's late share the authority
    holds the child past its 20-week deadline, deciding `durations.authority_lateness_days` (a national
    distribution) after it; otherwise it adds nothing to the route's own working times and queues.

    Why not the Weibull median: to reach a slow year's share on time the median had to grow to hundreds of days,
    so the slow year's plans were issued one to two years later, under a faster year's figures (Norfolk 2019:
    600-day median, its 2021 at 0% modelled against 53.5%). Held apart, the share late follows the year's figure
    and how late a late plan is follows SEN2's national share of plans over a year, so a slow year's late plans
    reach the next year only by the months of lateness. A child whose deadline is unknown (not a request: none
    take this path) is treated as due now."""
    if late_share <= 0.0 or self.rng.la_delay.u(c.id, c.disputes) >= late_share:
        return 0.0
    now = self.engine.now
    due = due if due == due else now
    held = max(due, now) + self.duration("authority_lateness_days", self.rng.la_lateness, c.id, c.disputes)
    return held_into_next_year(self, c, due, held, late_share) - now


@cython.locals(self=RunState, c=Child)
def held_into_next_year(self, c: Child, due: float, decide_at: float, now_share: float) -> float:
    """The day a held child is decided when its plan would be issued in the year after its deadline's: held on
    into that year with the chance next year's late share / this year's (at most 1); otherwise released, so
    that its plan is issued before 1 January, or, if that is no longer possible (its deadline falls in the last
    weeks of the year), not held at all.

    Why: the share held late is fitted by the year of the deadline, but SEN2 counts a late plan in the year it
    is issued. An authority whose next year is almost all on time (Suffolk 2020, East Sussex 2020, Lewisham
    2023: 90-100% within 20 weeks after a slower year) issued almost none of its earlier late plans in that
    year; held regardless, 84 days on average past the deadline, the slow year's last late plans made the fast
    year too slow however low its own share was fitted (17 authority-years outside 10 points, MODEL.md 7.10).
    Releasing in proportion keeps the rule continuous in the fitted shares (a fit that moves a share a little
    moves the carried plans a little) and changes nothing where the share does not fall. "Before 1 January"
    counts back the route's mean working times from the decision to the final plan (`issue_lead_days`); the
    plan writers' queue is not counted, so a few released plans still reach the new year."""
    year = self.counters.year(due)
    lead = issue_lead_days(self)
    if self.counters.year(decide_at + lead) <= year:
        return decide_at
    next_share = late_share(self, self.las[c.la], year + 1)  # `now_share`: the deadline year's, as held
    if next_share >= now_share or self.rng.la_carry.u(c.id, c.disputes) < next_share / now_share:
        return decide_at
    start = max(due, self.engine.now)
    release_by = self.cal.day(dt.date(year + 1, 1, 1)) - lead
    if release_by < start:
        return self.engine.now
    return min(decide_at, start + self.rng.la_carry.u(c.id, CARRY_RELEASE + c.disputes) * (release_by - start))


@cython.locals(self=RunState)
def issue_lead_days(self) -> float:
    """Mean days from the end of the authority's holding to the final plan on the route's own working times:
    the decision's, the draft's writing, the family's 15 days to comment (the rule set's), the setting's
    consultation, the final plan."""
    d = self.d
    return d["decide_to_issue_days"] + d["draft_writing_days"] + self.law_draft_comment_days + d["setting_consultation_days"] + \
        d["finalise_days"]


class AssessmentSteps:
    """The request and the EHC needs assessment: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
    def identify_need(self, c: Child) -> None:
        """Need emerges and is identified; SEN support runs in the setting (no statutory clock)."""
        if self.rec is not None:
            support = self.rng.sen_support.exponential(self._sen_support_mean, c.id)
            day = self.engine.now - support
            if self._log_to is not None:  # (the run's `Recorder`, typed in state.pxd: compiled, a C call with the
                self._log_to.log_at(c, day, "sen_support", "started", SCHOOL)  # day, no tuple)
            else:
                self._add_row((c.id, c.la, day, "sen_support", "started", SCHOOL, nan, None))
        request_assessment(self, c)

    request_assessment = request_assessment

    @cython.locals(self=RunState, c=Child)
    def school_support_plan(self, c: Child) -> None:
        """Needs met by a school-level plan instead: no EHC needs assessment, and no appeal to the tribunal."""
        c.status = "school_support_plan"
        self.counters.count(c, SCHOOL_SUPPORT_PLANS, self.engine.now)
        cost(self, c, "school_support_plan", self.engine.now)
        self.log(c, "school_support_plan", "made_no_tribunal_route", SCHOOL)
        law = self.law
        if law.isp_escalation and self.rng.isp_escalates.u(c.id) < law.isp_escalation:
            delay = self.rng.isp_escalation_days.exponential(law.isp_escalation_delay_days, c.id)
            self.engine.schedule(delay, self.escalate_from_support_plan, c)

    @cython.locals(self=RunState, c=Child)
    def escalate_from_support_plan(self, c: Child) -> None:
        """The school-level plan does not meet the need: the family or school asks for an EHC needs assessment
        (a new request, with its own 20 weeks); it is not diverted again."""
        if c.status != "school_support_plan":
            return
        c.escalated = True
        c.status = "in_progress"
        self.counters.count(c, ISP_ESCALATIONS, self.engine.now)
        self.log(c, "school_support_plan", "escalated_to_request", FAMILY)
        request_assessment(self, c)

    refusal_probability = refusal_probability

    @cython.locals(self=RunState, c=Child, la=LAState)
    def decide_to_assess(self, c: Child) -> None:
        la = self.las[c.la]
        now = self.engine.now
        pin = None if c.pins is None else self.pinned(c, "decide_to_assess")  # (`pinned` is None without pins)
        if not pin and self.p_withdraw_request and self.rng.request_withdrawn.u(c.id) < self.p_withdraw_request:
            withdraw(self, c, "decide_to_assess", REQUEST_WITHDRAWN)
            return
        if (pin == "refused") if pin else self.rng.refuse_assess.u(c.id) < refusal_probability(self, la, c.requester):
            c.refused = True
            self.counters.count(c, REFUSED, now)
            self.counters.add_la(c.la, REFUSED, c.t0)  # by the year of the request, as SEN2 counts refusals
            self.counters.count(c, REFUSED_BY_REQUEST_YEAR, c.t0)
            if self.rec is not None:  # (no recorder: `log` writes nothing, so its row's fields are not made)
                deadline = c.t0 + self.law_decide_to_assess_days
                self.log(c, "decide_to_assess", "refused", LA, deadline, now <= deadline)
            dispute_or_accept(self, c, "refusal_to_assess")
        else:
            self.counters.count(c, DECIDED_TO_ASSESS, now)
            if self.rec is not None:
                deadline = c.t0 + self.law_decide_to_assess_days
                self.log(c, "decide_to_assess", "agreed", LA, deadline, now <= deadline)
            gather_advice(self, c)

    withdraw = withdraw
    gather_advice = gather_advice

    @cython.locals(self=RunState, c=Child)
    def _ep_in(self, c: Child) -> None:
        advice_received(self, c, "psychological_advice", EPS, c.decision_at)

    @cython.locals(self=RunState, c=Child)
    def _health_in(self, c: Child) -> None:
        advice_received(self, c, "health_advice", ICB, c.decision_at)

    @cython.locals(self=RunState, c=Child)
    def _social_in(self, c: Child) -> None:
        advice_received(self, c, "social_care_advice", SOCIAL, c.decision_at)

    _advice_in = _advice_in
    advice_received = advice_received

    @cython.locals(self=RunState, c=Child)
    def _taken_up(self, c: Child) -> None:
        """The team reaches the case in its backlog: the decision's own working time, then the decision."""
        self.engine.schedule(self.duration("decide_to_issue_days", self.rng.decide_issue, c.id, c.disputes),
                             self._cb_decide_to_issue, c)

    authority_delay = authority_delay
    lapse_probability = lapse_probability
    late_share = late_share
    _late_share_under_law = _late_share_under_law

    @cython.locals(self=RunState)
    def projected_late_share(self, spec: LocalAuthority, year: int) -> float:
        """The fitted late share, and beyond the last fitted year L the share that L's on-time throughput, grown at
        the scenario's stated `demand.capacity_growth_pct_per_year`, leaves of the year's expected assessments
        (the authority's requests x (1 - its refusal rate), each by its own trend): capacity projected at a stated
        rate, never growing with requests by itself. Within the fitted years (and the lead-in) the share as fitted."""
        by = spec.late_share_by_year
        last = max(by)
        if year <= last:
            return spec.late_share_in_year(year)
        base = self.sc.start_date.year
        growth = self.sc.demand.requests_growth_pct_per_year.value
        load = spec.assessments_in_year(year, base, growth) / max(spec.assessments_in_year(last, base, growth), 1e-9)
        capacity = (1.0 + self.sc.demand.capacity_growth_pct_per_year.value / 100.0) ** (year - last)
        q = by[last]
        return 1.0 - min(1.0, (1.0 - q) * capacity / load) if load > 0.0 else 0.0

    lateness = lateness
    held_into_next_year = held_into_next_year
    issue_lead_days = issue_lead_days

    @cython.locals(self=RunState, c=Child, la=LAState)
    def decide_to_issue(self, c: Child) -> None:
        now = self.engine.now
        deadline = c.t0 + self.law_decide_to_issue_days
        pin = None if c.pins is None else self.pinned(c, "decide_to_issue")  # (`pinned` is None without pins)
        if not pin and not c.ordered and self.p_withdraw_assessment and \
                self.rng.assessment_withdrawn.u(c.id) < self.p_withdraw_assessment:
            withdraw(self, c, "decide_to_issue", ASSESSMENT_WITHDRAWN)
            return
        if not pin and not c.ordered and \
                self.rng.assessment_lapsed.u(c.id) < lapse_probability(self, now):
            withdraw(self, c, "decide_to_issue", ASSESSMENT_LAPSED)
            return
        if c.ordered:  # after an order to assess the decision is due within 10 weeks of the order, not 16 weeks
            # from the first request (seventh held-out round: a decision to issue after an order was always shown
            # as missing the request's 16 weeks, which no longer bind the LA once the tribunal has set its periods)
            deadline = c.final_deadline - self.law.compliance_days["refusal_to_assess"] \
                + self.law.compliance_days["assess_no_plan"]
        # the decision whether to issue is the assessment's, after an order too (reg 44(2)(c): the LA may still
        # decide not to make a plan, and says so within 10 weeks of the order)
        la = self.las[c.la]
        if (pin == "not_to_issue") if pin else \
                self.rng.no_plan.u(c.id) < la.p_no_plan * la.fx_no_plan:
            c.no_plan = True
            self.counters.count(c, ASSESSED_NO_PLAN, now)
            if self.rec is not None:  # (no recorder: `log` writes nothing, so its row's fields are not made)
                self.log(c, "decide_to_issue", "not_to_issue", LA, deadline, now <= deadline)
            dispute_or_accept(self, c, "refusal_to_issue")
            return
        self.counters.count(c, DECIDED_TO_ISSUE, now)
        if self.rec is not None:
            self.log(c, "decide_to_issue", "to_issue", LA, deadline, now <= deadline)
        self._cb_write_draft(c)
