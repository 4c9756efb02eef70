"""Appeals to the First-tier Tribunal (SEND) and compliance with its orders: CFA 2014 s.51; SEND Regs 2014 reg 44.

The family appeals within 2 months of the decision or 1 month of the mediation certificate (reg 33); the LA may
concede, the family withdraw, or the tribunal hears it; an order for the family sets the LA a compliance deadline
that depends on what the appeal was about (reg 44).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from math import nan

from ....schema.vocabulary import (
    FAMILY,
    ICB,
    LA,
    SOCIAL,
    TRIBUNAL,
)
from ...core.resources import release
from ..child import Child
from ..costs import cost
from ..records import (
    APPEALS_BY_TYPE,
    APPEALS_CONCEDED,
    APPEALS_REGISTERED,
    APPEALS_WITHDRAWN,
    DECIDED_FOR_FAMILY,
    DECIDED_FOR_LA,
    HEARINGS,
    RECOMMENDATIONS_ANSWERED,
    RECOMMENDATIONS_ANSWERED_ON_TIME,
    RECOMMENDATIONS_FOLLOWED,
    RECOMMENDATIONS_MADE,
    WEEKS_TO_HEARING_SUM,
    name_of,
    name_of2,
)
from ..state import RunState
from ..streams import RECONSIDERATION_NAMING, RouteStreams
from .placement import secure_place
from .redress import dispute_or_accept

# the log's names of a word and a value, each string made once (`records.name_of`, `name_of2`: the same values)
_LODGED_AS: dict = {}
_ASSESS_AFTER_AS: dict = {}
_MAKE_PLAN_AFTER_AS: dict = {}
_NAMED_AS: dict = {}
_REFUSED_AS: dict = {}

# what an appeal decides, and which step follows a decision for the family
EDUCATION_APPEALS = ("contents", "placement", "refusal_to_issue")  # B/F/I or a refusal to issue (errata.md 1)
SEND_BACK = {"refusal_to_assess": "assess", "refusal_to_issue": "issue", "contents": "amend",
             "placement": "rename", "cessation": "continue"}


class TribunalSteps:
    """Appeals to the First-tier Tribunal (SEND) and compliance with its orders: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
    def lodge_appeal(self, c: Child) -> None:
        """The family appeals by the later of 2 months from the decision and 1 month from the certificate."""
        if c.content is not None and c.dispute == "contents" and self.without_tribunal(c):
            # (unreachable from start_dispute, which sends such a dispute to its complaints: a guard) the tribunal
            # cannot hear a contents appeal with no item in B, F or I (CFA s.51(2))
            self.complaints_route(c)
            return
        law = self.law
        now = self.engine.now
        deadline = c.decision_at + law.appeal_after_decision_days
        if c.must_certify or c.mediations:
            deadline = max(deadline, c.cert_at + law.appeal_after_certificate_days)
        wait = self.duration("decision_to_appeal_days", self.rng.appeal_days, c.id, c.disputes)
        lodged = min(now + wait, max(deadline, now))
        self.engine.at(lodged, self._register, c)

    @cython.locals(self=RunState, c=Child)
    def _register(self, c: Child) -> None:
        now = self.engine.now
        c.appeals += 1
        c.registered_at = now
        self.appeals_lodged.append((c, c.disputed_at, now))
        kind = c.dispute
        self.counters.count(c, APPEALS_REGISTERED, now, n=1.0, academic=True)
        self.counters.count(c, APPEALS_BY_TYPE[kind], now, n=1.0, academic=True)
        self.log(c, "appeal", name_of(_LODGED_AS, "lodged_", kind), FAMILY)
        self.engine.schedule(self.law.registration_days, self._registered, c)

    @cython.locals(self=RunState, c=Child)
    def _registered(self, c: Child) -> None:
        """Registered: the LA may concede, the family may withdraw, or the appeal waits for a hearing."""
        r = self.sc.redress
        i, occ = c.id, c.disputes
        now = self.engine.now
        self.log(c, "appeal", "registered", TRIBUNAL, now - self.law.registration_days + self.law.la_response_days,
                 None)
        c.hearing_at = nan
        c.concede_at = nan
        u = self.rng.appeal_end.u(i, occ)
        pin = self.pinned(c, "appeal_outcome")
        if pin is None and c.pins is not None and c.pins.get("hearing") is not None:
            pin = "heard"  # the case pins the hearing's decision: the appeal is heard, not withdrawn or conceded
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

    @cython.locals(self=RunState, c=Child)
    def _join_hearing_list(self, arg: tuple) -> None:
        c, n = arg
        if c.disputes != n or not c.dispute:
            return  # conceded already
        c.job = self.tribunal.seize(c, self._hearing)

    @cython.locals(self=RunState, c=Child)
    def _concede_early(self, arg: tuple) -> None:
        c, n = arg
        if c.disputes != n or not c.dispute or (c.job is not None and c.job.started):
            return
        if c.job is not None:
            self.tribunal.cancel(c.job)
        self.counters.count(c, APPEALS_CONCEDED, self.engine.now, n=1.0, academic=True)
        cost(self, c, "appeal_conceded", self.engine.now)
        self.log(c, "appeal", "conceded_by_la", LA)
        self.resolve_for_family(c, "concession")

    @cython.locals(self=RunState, c=Child)
    def _hearing(self, c: Child) -> None:
        now = self.engine.now
        c.job = None
        if c.concede_at == 1.0 or c.concede_at == -1.0:
            withdrawn = c.concede_at == -1.0
            self.tribunal.release()  # too late to list another case? the slot is reused
            if withdrawn:
                self.counters.count(c, APPEALS_WITHDRAWN, now, n=1.0, academic=True)
                self.log(c, "appeal", "withdrawn", FAMILY)
                self._cb_decision_stands(c, c.dispute, "withdrawn")
            else:
                self.counters.count(c, APPEALS_CONCEDED, now, n=1.0, academic=True)
                cost(self, c, "appeal_conceded", now)
                self.log(c, "appeal", "conceded_by_la", LA)
                self.resolve_for_family(c, "concession")
            return
        c.hearing_at = now
        self.counters.count(c, HEARINGS, now, n=1.0, academic=True)
        cost(self, c, "hearing", now)
        self.counters.count(c, WEEKS_TO_HEARING_SUM, now, (now - c.registered_at) / 7.0, academic=True)
        if now >= self.warmup:
            self.hearings_held.append((c, (now - c.registered_at) / 7.0))
        self.log(c, "hearing", "heard", TRIBUNAL)
        self.engine.schedule(self.hearing_days, release, self.tribunal)
        self.engine.schedule(self.law.written_decision_days, self._tribunal_decision, c)

    @cython.locals(self=RunState, c=Child)
    def _tribunal_decision(self, c: Child) -> None:
        now = self.engine.now
        c.decided_at = now
        items = self.disputed_items(c)  # a case file's items: the power follows each item's section (content.py)
        if (c.health or c.social) and c.dispute in EDUCATION_APPEALS and not items:
            self._recommendations(c)
        pin = self.pinned(c, "hearing")
        if (pin == "for_family") if pin else self.rng.hearing_outcome.u(c.id, c.disputes) < self.resolves["tribunal"]:
            self.counters.count(c, DECIDED_FOR_FAMILY, now, n=1.0, academic=True)
            self.log(c, "tribunal_decision", "for_family", TRIBUNAL)
            if items:
                self.section_powers(c, True)
            self.resolve_for_family(c, "order")
        else:
            self.counters.count(c, DECIDED_FOR_LA, now, n=1.0, academic=True)
            self.log(c, "tribunal_decision", "for_la", TRIBUNAL)
            if items:
                self.section_powers(c, False)
            self._cb_decision_stands(c, c.dispute, "for_la")

    @cython.locals(self=RunState, c=Child, rng=RouteStreams)
    def _recommendations(self, c: Child) -> None:
        """The extended powers (continued after the trial: errata.md 1): with an education appeal heard, the tribunal
        may recommend health or social care provision; the commissioner answers in writing within 5 weeks, giving
        the steps it will take or its reasons. Non-binding: a refusal can go only to the PHSO (health), the LGSCO
        (social care) or judicial review. Logged and counted (made, answered on time, followed): no later draw of
        the child changes."""
        i, k, r, rng = c.id, c.disputes, self.sc.redress, self.rng
        if rng.extended_powers.u(i, k) >= r.extended_powers_share.value:
            return
        if rng.recommendation_made.u(i, k) >= r.recommendation_made_probability.value:
            self.log(c, "tribunal_recommendation", "not_made", TRIBUNAL)
            return
        self.log(c, "tribunal_recommendation", "made", TRIBUNAL)
        self.counters.count(c, RECOMMENDATIONS_MADE, self.engine.now)
        self.answer_recommendation(c, ICB if c.health else SOCIAL, k)

    @cython.locals(self=RunState, c=Child, rng=RouteStreams)
    def answer_recommendation(self, c: Child, who: str, k: int) -> None:
        """The commissioner `who` (the ICB for health, social care for social care) answers a recommendation in
        writing within 5 weeks, following it or giving reasons (errata.md 1; the scenario's shares). Draws come from
        the child's `k`-th occurrence of the recommendation streams, so each recommendation has its own numbers."""
        r, rng, i = self.sc.redress, self.rng, c.id
        limit = self.law.compliance_days["recommendation_response"]
        days = limit * rng.recommendation_days.u(i, k)
        if rng.recommendation_late.u(i, k) < r.recommendation_response_late_probability.value:
            days = limit + rng.recommendation_late_days.exponential(r.recommendation_response_late_extra_days.value,
                                                                    i, k)
        followed = rng.recommendation_followed.u(i, k) < r.recommendation_followed_probability.value
        if self.engine.now + days < self.horizon:
            self.engine.schedule(days, self._recommendation_answered, (c, self.engine.now + limit, followed, who))

    @cython.locals(self=RunState, c=Child)
    def _recommendation_answered(self, arg: tuple) -> None:
        c, deadline, followed, who = arg
        now = self.engine.now
        on_time = now <= deadline + 1e-9
        self.log(c, "recommendation_response", "followed" if followed else "not_followed_reasons_given", who,
                 deadline, on_time)
        self.counters.count(c, RECOMMENDATIONS_ANSWERED, now)
        if on_time:
            self.counters.count(c, RECOMMENDATIONS_ANSWERED_ON_TIME, now)
        if followed:
            self.counters.count(c, RECOMMENDATIONS_FOLLOWED, now)

    @cython.locals(self=RunState, c=Child)
    def resolve_for_family(self, c: Child, how: str) -> None:
        """The LA must now do what the family asked, within the compliance deadline for the appeal type."""
        kind = c.dispute
        self._cb_end_dispute(c, how)
        c.how = how
        limit = self.law.compliance_days[kind]
        r = self.sc.redress
        days = limit * self.rng.comply.u(c.id, c.disputes)
        if self.rng.comply_late.u(c.id, c.disputes) < self._p_late_comply:
            days = limit + self.rng.comply_late_days.exponential(r.la_late_compliance_extra_days.value, c.id,
                                                                     c.disputes)
        deadline = self.engine.now + limit
        action = SEND_BACK[kind]
        if action == "assess":
            # an order, a concession or a full agreement to assess: reg 44 sets the LA 10 weeks to say no plan will
            # follow, else 14 to issue it; a partial agreement to assess leaves the plan as uncertain as any other
            # assessment's (not `ordered`: it may lapse, be withdrawn or end without a plan)
            c.ordered = how != "partial"
            c.refused = False
            c.final_deadline = deadline
            self.log(c, "comply", name_of(_ASSESS_AFTER_AS, "assess_after_", how), LA, self.engine.now + self.law.compliance_days[
                "assess_notify"], True)
            self.gather_advice(c)
        elif action == "issue":
            c.ordered = True
            c.no_plan = False
            c.final_deadline = deadline
            c.draft_deadline = self.engine.now + self.law.compliance_days["make_plan_draft"]
            self.log(c, "comply", name_of(_MAKE_PLAN_AFTER_AS, "make_plan_after_", how), LA)
            self._cb_write_draft(c)
        elif action == "rename" and how == "order" and self.law.placement_power == "remit":
            # the tribunal can only send the decision back: the LA reconsiders, with no deadline in any source
            # (a concession or a mediated agreement stands: only an order is a remittal)
            days = self.rng.reconsideration_days.exponential(self.law.reconsideration_days, c.id, c.disputes)
            self.engine.schedule(days, self._reconsidered, c)
        else:
            self.engine.schedule(days, self._complied, (c, action, deadline))

    @cython.locals(self=RunState, c=Child)
    def _reconsidered(self, c: Child) -> None:
        """The LA decides the placement again after a remittal, and may refuse again (the family may appeal again)."""
        if c.status != "plan":
            return
        want = c.pending_setting or c.preferred
        c.named_against_wish = False
        c.pending_setting = ""
        named, refused, ground = self.decide_setting(c, want, RECONSIDERATION_NAMING + c.disputes)
        self.log(c, "reconsideration", name_of2(_REFUSED_AS, "named_", named, "_refused_", ground) if refused
                 else name_of(_NAMED_AS, "named_", named), LA)
        if refused:
            c.pending_setting = want
            if c.disputes < 4:
                dispute_or_accept(self, c, "placement")
            return
        secure_place(self, c, want)

    @cython.locals(self=RunState, c=Child)
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
            secure_place(self, c, want)
        elif action == "continue":
            pass
