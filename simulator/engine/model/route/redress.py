"""Disputes and the redress ladder before the tribunal: CFA 2014 ss.51-57, SEND Regulations 2014 regs 32-42.

After an appealable decision the family may dispute it. The rule set's ladder (`redress_ladder`) orders the rungs:
mediation advice and the certificate (s.55), mediation (reg 37: within 30 days), an independent review where a
reform adds one; each rung is one handler, found through `RUNG_STEPS` (tested against the vocabulary's rungs).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....rules.law import LadderStep
from ....schema.vocabulary import (
    FAMILY,
    MEDIATION,
)
from ..child import Child
from ..records import INDEPENDENT_REVIEWS, MEDIATIONS, MEDIATIONS_SETTLED


class RedressSteps:
    """Disputes and the redress ladder before the tribunal: the steps of this stage (mixed into `Journey`)."""

    def _dispute_p(self, c: Child, kind: str) -> float:
        p = self.p_dispute.get(kind, 0.0) * self.cap_mult[c.capacity]
        if kind == "contents":
            p *= self.fx.contents_dispute_multiplier
        elif kind == "placement":
            p *= self.fx.placement_dispute_multiplier
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
        RUNG_STEPS[step.name](self, c, step)

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
                                    * self.fx.mediation_chosen_multiplier)
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
        self.counters.add(MEDIATIONS, now)
        self.cost("mediation", now)
        pin = self.pinned(c, "mediation_outcome")
        if (pin == "settled") if pin else self.rng.mediation_settles.u(c.id, c.disputes) < self.resolves["mediation"]:
            self.counters.add(MEDIATIONS_SETTLED, now)
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
        self.counters.add(INDEPENDENT_REVIEWS, now)
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

    def decision_stands(self, c: Child, kind: str) -> None:
        c.dispute = ""
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
