"""Disputes and the redress ladder before the tribunal: CFA 2014 ss.51-57, SEND Regulations 2014 regs 32-42.

After an appealable decision the family may dispute it. The rule set's ladder (`redress_ladder`) orders the rungs:
mediation advice and the certificate (s.55), mediation (reg 37: within 30 days), an independent review where a
reform adds one; each rung is one handler, found through `RUNG_STEPS` (tested against the vocabulary's rungs).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

import datetime as dt
from collections.abc import Callable
from math import nan
from typing import Any

from ....rules.law import LadderStep
from ....schema.vocabulary import FAMILY, LA, MEDIATION, MEDIATION_OUTCOMES
from ...core.streams import Draw
from ...core.workdays import nth_working_day
from ..capacity import LAState
from ..child import Child
from ..costs import cost
from ..records import (
    DROPPED_OUT,
    INDEPENDENT_REVIEWS,
    MEDIATION_BY_OUTCOME,
    MEDIATION_LIMIT_MISSED,
    MEDIATIONS,
    MEDIATIONS_COMPELLED,
    MEDIATIONS_SETTLED,
    DisputeEnd,
    name_of,
)
from ..state import RunState

# the log's names of a word and a value, each string made once (`records.name_of`, `name_of2`: the same values)
_DISPUTE_AS: dict = {}
_SETTLED_AS: dict = {}


# The steps other steps call (`_dispute_p`, `dispute_or_accept`, `start_dispute`) are module functions, `cpdef` in
# redress.pxd, so that compiled steps (here and in the stages that import them) call them in C; each is also the
# class's method of that name (the event list, other callers, tests).
@cython.locals(self=RunState, c=Child, la=LAState, p=cython.double, mult=cython.double, m=cython.double)
def _dispute_p(self, c: Child, kind: str) -> float:
    """(Compiled, on C doubles: the same IEEE products as on the floats, without a float made for each.)"""
    p = self.p_dispute.get(kind, 0.0)
    mult = self.cap_mult[c.capacity]
    p = p * mult
    la = self.las[c.la]
    fx = la.fx
    if kind == "contents":
        m = fx.contents_dispute_multiplier
        p *= m
    elif kind == "placement":
        m = fx.placement_dispute_multiplier
        p *= m
    return min(1.0, p)


@cython.locals(c=Child)
def appeal_pinned(c: Child) -> bool:
    """Whether a case study pins what the appeal does (`appeal_outcome`, or `hearing`, still to apply): then the
    dispute reaches the tribunal, so a drawn mediation does not settle it and a family compelled to a rung does not
    give up (MODEL.md 2.6d-i: a pinned outcome is honoured; only what is not pinned is drawn)."""
    return c.pins is not None and (c.pins.get("appeal_outcome") is not None or c.pins.get("hearing") is not None)


@cython.locals(self=RunState)
def _dispute_draw(self, kind: str) -> Draw:
    """The stream `dispute_{kind}`: the appeal types' own fields of the stream set (a struct read compiled), the same
    `Draw` that `rng.get` finds by the name it makes (a new string and a look-up, about 400 instructions a call)."""
    rng = self.rng
    if kind == "placement":
        return rng.dispute_placement
    if kind == "refusal_to_assess":
        return rng.dispute_refusal_to_assess
    if kind == "refusal_to_issue":
        return rng.dispute_refusal_to_issue
    if kind == "cessation":
        return rng.dispute_cessation
    return rng.get(f"dispute_{kind}")


@cython.locals(self=RunState, c=Child)
def dispute_or_accept(self, c: Child, kind: str) -> None:
    """After an appealable decision: the family disputes it, or the decision stands."""
    if c.dispute:
        return  # one dispute at a time: a decision made while another is open is not separately appealed
    # (`pinned` is None for a child without pins: its key, a new string, is made only for one that has them)
    pin = None if c.pins is None else self.pinned(c, f"dispute_{kind}")
    if pin if pin is not None else _dispute_draw(self, kind).u(c.id, c.disputes) < _dispute_p(self, c, kind):
        start_dispute(self, c, kind)
    elif kind == "cessation" and self.law.compliance_days["cessation_undisputed"] > 0.0:
        # undisputed: the plan is maintained until the family's time to appeal has passed (an assumption, UNVERIFIED:
        # compliance.cessation_undisputed), then ceased, unless something else has happened to it by then
        days = self.law.compliance_days["cessation_undisputed"]
        self.log(c, "cessation", "decided_plan_kept_until_the_time_to_appeal_ends", LA, self.engine.now + days, None)
        if self.engine.now + days < self.horizon:
            self.engine.schedule(days, self._deferred_cessation, (c, c.disputes))
    else:
        self._cb_decision_stands(c, kind)


@cython.locals(self=RunState, c=Child)
def start_dispute(self, c: Child, kind: str) -> None:
    if c.dispute:
        return
    c.dispute = kind
    c.disputes += 1
    c.decision_at = c.disputed_at = self.engine.now
    c.decided_at = nan
    c.compelled = False
    c.compelled_unsettled = False
    c.registered_at = nan
    c.ladder = self.law.steps_for(kind)  # type: ignore[arg-type]
    c.rung = 0
    c.must_certify = False
    if self.rec is not None:  # (no recorder: `log` writes nothing, so its event's string is not made)
        self.log(c, "redress", name_of(_DISPUTE_AS, "dispute_", kind), FAMILY)
    if c.content is not None:
        self.name_disputed_items(c)  # the section and the item (content.py)
        if kind == "contents" and self.without_tribunal(c):
            # no item in B, F or I: no appeal can be registered (CFA s.51(2)), so no ladder to the tribunal; the
            # routes open to each item instead (content.py: complaints, then the Ombudsman)
            self.complaints_route(c)
            return
    self.next_rung(c)


class RedressSteps:
    """Disputes and the redress ladder before the tribunal: the steps of this stage (mixed into `Journey`)."""

    _dispute_p = _dispute_p

    dispute_or_accept = dispute_or_accept

    start_dispute = start_dispute

    @cython.locals(self=RunState, c=Child)
    def end_dispute(self, c: Child, outcome: str) -> None:
        """The open dispute ends (an agreement, a concession, the family giving up or withdrawing, or a tribunal
        decision): how and when are kept for the measures (`records.DisputeEnd`), by dispute type and group."""
        if c.dispute:
            self.disputes_ended.append(DisputeEnd(c, c.disputes, c.dispute, c.disputed_at, self.engine.now, outcome,
                                                  c.decided_at, c.registered_at, c.compelled_unsettled))
        c.dispute = ""

    @cython.locals(self=RunState, c=Child)
    def next_rung(self, c: Child) -> None:
        if c.rung >= len(c.ladder):
            self.lodge_appeal(c)
            return
        step = c.ladder[c.rung]
        c.rung += 1
        RUNG_STEPS[step.name](self, c, step)

    @cython.locals(self=RunState, c=Child)
    def mediation_advice(self, c: Child, step: Any) -> None:
        """The family must contact a mediation adviser before appealing (unless its appeal type is exempt: then the
        rung is not compulsory for it and is passed by)."""
        if not step.mandatory:
            self.next_rung(c)
            return
        self.log(c, "mediation_advice", "adviser_contacted", MEDIATION)
        c.must_certify = step.mandatory
        self.next_rung(c)

    @cython.locals(self=RunState, c=Child)
    def gives_up(self, c: Child, rung: str, days: float) -> bool:
        """At a compulsory extra rung, a family may give up instead of going on (more often with little capacity). It
        stops when the step would have been held (`days` from now): the dispute ends then, not on the day it began."""
        if c.pins is not None and appeal_pinned(c):
            return False  # the case pins the appeal: the family goes on to it
        if self.rng.drop_out.u(c.id, c.disputes) < self.p_drop_out[c.capacity]:
            self.engine.schedule(days, self._gave_up, (c, c.disputes, rung))
            return True
        return False

    @cython.locals(self=RunState, c=Child)
    def _gave_up(self, arg: tuple) -> None:
        c, n, rung = arg
        if c.disputes != n or not c.dispute:
            return
        self.counters.count(c, DROPPED_OUT, self.engine.now)
        self.log(c, "redress", "family_gave_up", FAMILY)
        self._cb_decision_stands(c, c.dispute, f"dropped_out_{rung}")

    @cython.locals(self=RunState, c=Child)
    def mediation(self, c: Child, step: Any) -> None:
        """Mediation if the family chooses it, or if the rule set makes it mandatory (then families who would not
        have chosen it are compelled: they settle at their own rate, and some give up); the LA must arrange it within
        the limit, and if it does not the certificate is issued and the family may appeal (timeline.md 1.3)."""
        i, occ = c.id, c.disputes
        pin = self.pinned(c, "mediation")
        volunteer = (pin == "chosen") if pin else (self.rng.mediation_chosen.u(i, occ) <
                                                   self.sc.redress.mediation_chosen_probability.value
                                                   * self.las[c.la].fx.mediation_chosen_multiplier)
        r = self.sc.redress
        now = self.engine.now
        limit = step.time_limit_days
        # held within the limit, unless this LA is late
        held = min(self.duration("mediation_held_days", self.rng.mediation_days, i, occ), limit)
        if not volunteer and step.mandatory:
            c.compelled = True
            if pin == "declined":
                self.log(c, "mediation", "declined_but_mandatory", FAMILY)  # the pinned choice is overridden
            if self.gives_up(c, "mediation", held):
                return
        elif not volunteer:
            if c.must_certify:
                self.engine.schedule(self._certificate_after(now), self._certificate, c)
            else:
                self.next_rung(c)
            return
        if self.rng.mediation_late.u(i, occ) < r.mediation_held_late_probability.value:
            if self.rng.mediation_wait.u(i, occ) >= r.mediation_wait_when_late_probability.value:
                # the limit is missed: the certificate is issued (3 working days after it); the family appeals
                self.counters.count(c, MEDIATION_LIMIT_MISSED, now)
                self.log(c, "mediation", "not_held_within_limit", LA, now + limit, False)
                self.engine.schedule(limit + self._certificate_after(now + limit), self._certificate, c)
                return
            held = limit + self.rng.mediation_late_days.exponential(r.mediation_held_days.value, i, occ)
        c.mediations += 1
        if c.compelled:
            self.counters.count(c, MEDIATIONS_COMPELLED, now)
        res = self.las[c.la].rungs.get(step.name)
        if res is not None:  # a mediation service of finite capacity: the family waits for a mediator
            res.serve(c, self.rng.mediation_service.exponential(r.mediation_held_days.value, i, occ),
                      self._mediation_held)
        else:
            self.engine.schedule(held, self._mediation_held, c)

    @cython.locals(self=RunState, c=Child)
    def _mediation_held(self, c: Child) -> None:
        step = c.ladder[c.rung - 1]
        now = self.engine.now
        deadline = c.decision_at + step.time_limit_days
        self.counters.count(c, MEDIATIONS, now)
        cost(self, c, "mediation", now)
        r = self.sc.redress
        pin = self.pinned(c, "mediation_outcome")
        if pin is None and c.pins is not None and appeal_pinned(c):
            pin = "not_settled"  # the case pins the appeal: a drawn mediation does not settle the dispute first
        settle = r.mediation_settles_compelled_probability.value if c.compelled else self.resolves["mediation"]
        if (pin != "not_settled") if pin else self.rng.mediation_settles.u(c.id, c.disputes) < settle:
            self.counters.count(c, MEDIATIONS_SETTLED, now)
            outcome = pin if pin in MEDIATION_OUTCOMES else self._settled_outcome(c)
            self.counters.count(c, MEDIATION_BY_OUTCOME[outcome], now)
            self.log(c, "mediation", "settled" if outcome == "for_family" else name_of(_SETTLED_AS, "settled_", outcome), MEDIATION,
                     deadline, now <= deadline)
            if outcome == "for_family":
                self.resolve_for_family(c, "mediation")
            elif outcome == "partial":
                self.partial_agreement(c)
            else:
                self._cb_decision_stands(c, c.dispute, "family_accepts")
        else:
            self.counters.count(c, MEDIATION_BY_OUTCOME["not_settled"], now)
            c.compelled_unsettled = c.compelled_unsettled or c.compelled
            self.log(c, "mediation", "not_settled", MEDIATION, deadline, now <= deadline)
            self.engine.schedule(self._certificate_after(now), self._certificate, c)

    @cython.locals(self=RunState, c=Child)
    def _settled_outcome(self, c: Child) -> str:
        """How a settled mediation ended: for the family, partly, or the family accepting the LA's position."""
        r = self.sc.redress
        u = self.rng.mediation_outcome.u(c.id, c.disputes)
        f = r.mediation_agreement_for_family_share.value
        if u < f:
            return "for_family"
        return "partial" if u < f + r.mediation_partial_agreement_share.value else "family_accepts"

    @cython.locals(self=RunState, c=Child)
    def partial_agreement(self, c: Child) -> None:
        """Less than the family sought, recorded as partial, never the same as a full win: a refusal to assess is
        reversed on narrower terms (the LA assesses, and whether a plan follows is decided as for any assessment);
        a refusal to issue becomes a plan with less provision than asked (what it holds can be disputed later as any
        plan); a plan's contents are amended in part; a cessation is deferred, not reversed (the plan is kept for
        the rule set's `compliance.cessation_deferred`, then ceased); the setting named stands with extra help there
        (placement)."""
        kind = c.dispute
        if kind in ("refusal_to_assess", "refusal_to_issue"):
            self.resolve_for_family(c, "partial")
        elif kind == "cessation":
            self._cb_end_dispute(c, "partial")
            days = self.law.compliance_days["cessation_deferred"]
            self.log(c, "cessation", "deferred_by_agreement", LA, self.engine.now + days, None)
            if self.engine.now + days < self.horizon:
                self.engine.schedule(days, self._deferred_cessation, (c, c.disputes))
        elif kind == "contents":
            self._cb_end_dispute(c, "partial")
        else:
            self._cb_decision_stands(c, kind, "partial")

    @cython.locals(self=RunState, c=Child)
    def _deferred_cessation(self, arg: tuple) -> None:
        c, n = arg
        if c.status == "plan" and c.disputes == n and not c.dispute:
            self.cease(c)

    @cython.locals(self=RunState, c=Child)
    def independent_review(self, c: Child, step: Any) -> None:
        """An independent review between mediation and tribunal (a reform's rung): decided within its limit."""
        if not step.mandatory:
            self.next_rung(c)  # optional reviews are assumed not taken up: the family goes on to appeal
            return
        days = step.time_limit_days * self.rng.review_days.u(c.id, c.disputes)
        if self.gives_up(c, "independent_review", days):
            return
        self.log(c, "independent_review", "referred", MEDIATION)
        res = self.las[c.la].rungs.get(step.name)
        if res is not None:
            res.serve(c, days, self._after_review)
        else:
            self.engine.schedule(days, self._after_review, c)

    @cython.locals(self=RunState, c=Child)
    def _after_review(self, c: Child) -> None:
        step = c.ladder[c.rung - 1]
        now = self.engine.now
        self.counters.count(c, INDEPENDENT_REVIEWS, now)
        cost(self, c, "independent_review", now)
        deadline = c.decision_at + step.time_limit_days
        if (c.pins is None or not appeal_pinned(c)) and \
                self.rng.review_resolves.u(c.id, c.disputes) < self.resolves["independent_review"]:
            if step.binding or self.rng.review_followed.u(c.id, c.disputes) < \
                    self.sc.redress.la_follows_nonbinding_review_probability.value:
                self.log(c, "independent_review", "resolved_for_family", MEDIATION, deadline, now <= deadline)
                self.resolve_for_family(c, "independent_review")
                return
            self.log(c, "independent_review", "finding_not_followed_by_la", LA, deadline, now <= deadline)
        else:
            self.log(c, "independent_review", "not_resolved", MEDIATION, deadline, now <= deadline)
        self.next_rung(c)

    @cython.locals(self=RunState)
    def _certificate_after(self, told: float) -> float:
        """Days from `told` (the family declines mediation, a mediation ends unsettled, or its 30 days pass) to the
        certificate, which the adviser issues on the last lawful day: "within 3 working days" of being told
        (timeline.md 1.3), the working days after that day on the calendar of England's bank holidays, the time of
        day kept (told on a Friday: Monday, Tuesday, Wednesday, 5 days; on a Monday, 3). It was 3 x 7/5 = 4.2 days
        whatever the weekday (a week's mean is 4.0 days, more over Easter and Christmas). A limit the rule set gives
        in another unit keeps its days. No adviser's rung (a reform removing it): at once, as before."""
        for s in self.law.ladder:
            if s.name == "mediation_advice":
                if s.time_limit_working_days <= 0:
                    return s.time_limit_days
                today = self.cal.date(told)
                last = nth_working_day(today + dt.timedelta(days=1), s.time_limit_working_days)
                return float((last - today).days)
        return 0.0

    @cython.locals(self=RunState, c=Child)
    def _certificate(self, c: Child) -> None:
        self.log(c, "mediation_certificate", "issued", MEDIATION)
        c.cert_at = self.engine.now
        self.next_rung(c)

    @cython.locals(self=RunState, c=Child)
    def decision_stands(self, c: Child, kind: str, outcome: str = "for_la") -> None:
        """The decision stands: undisputed, or the dispute about it ended without a change (`outcome`)."""
        self._cb_end_dispute(c, outcome)
        if kind == "refusal_to_assess":
            c.status = "refused"
        elif kind == "refusal_to_issue":
            c.status = "no_plan"
        elif kind == "cessation":
            self.cease(c)


# the handler of each rung before the tribunal (the tribunal is reached when the ladder runs out: `lodge_appeal`);
# a rung the vocabulary names and this table lacks is a test failure, not a silent skip
RUNG_STEPS: dict[str, Callable[[Any, Child, LadderStep], None]] = {
    "mediation_advice": RedressSteps.mediation_advice,
    "mediation": RedressSteps.mediation,
    "independent_review": RedressSteps.independent_review,
}
