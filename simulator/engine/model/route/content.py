"""The plan's content: its sections and items, a dispute over an item, and personal budgets: SEND Regs 2014 reg 12;
CFA 2014 s.21(5), s.49, s.51; SEND (Personal Budgets) Regulations 2014.

- A dispute names the section and the item (reg 12(1): B-D needs, E outcomes, F-H2 provision, I the setting, J
  the budget). An item of G or H that the family says educates or trains is an F/G question (s.21(5): such health
  or social care provision is special educational provision).
- The tribunal's power follows the section: a binding order on B, F and I (s.51(2); the LA's absolute duty under
  s.42(2) then holds for the item); on C, D, G and H only a recommendation, and only with an education part
  appealed, which the commissioner answers in writing within 5 weeks (errata.md 1); E and J have no power of their
  own.
- A dispute none of whose items is in B, F or I (health, social care, outcomes or the budget alone) has no
  tribunal route: the tribunal hears a contents appeal only on B, F and I (s.51(2)(c)) and recommends on health and
  social care only with one of those appealed too (errata.md 1). Each item goes to the route open to it: health (C,
  G) an NHS complaint, then the Parliamentary and Health Service Ombudsman; social care (D, H1, H2) the LA's social
  care complaints, then the Local Government and Social Care Ombudsman; E and J a complaint to the LA, then the LGSCO
  (timeline.md 1.1 row 8 and 1.5; practice.md). No appeal, hearing or order; the bodies' times and outcomes are the
  rule set's ranged assumptions (`beyond_school`), UNVERIFIED. Steps: `complaint_no_tribunal`, then `phso_no_tribunal` or
  `lgsco_no_tribunal` (each Ombudsman its own step: one duty holder each).
- A personal budget is a duty when the family asks for one at the draft plan or at a review (s.49(1); Personal
  Budgets Regs reg 4). A direct payment for provision on a school's or college's premises needs its agreement; a
  refused direct payment gets written reasons and a review on request, then a complaint, the Ombudsman or judicial
  review: no tribunal route for the budget (the provision in the plan stays appealable).

Only case studies give a child items or a budget (`Child.content`), so no other child's route or draw changes.
The steps are methods of the `Journey`; this class only groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from typing import Any

from ....schema.vocabulary import FAMILY, ICB, LA, ORDER_SECTIONS, RECOMMEND_SECTIONS, SOCIAL, TRIBUNAL
from ..child import Child
from ..records import NO_TRIBUNAL_FOR_FAMILY, NO_TRIBUNAL_STANDS
from ..state import RunState

ROUTE_WORDS = {"complaint_la": "complaint_to_the_council", "lgsco": "ombudsman_lgsco", "judicial_review": "judicial_review"}
RECOMMENDATION_OCCURRENCE = 1000  # the draws of item recommendations, apart from the drawn ones (occurrence k)
# a disputed item with no tribunal route (its section, as the family says): (the complaint, the body that answers it,
# the Ombudsman after it) (timeline.md 1.5: LGSCO for the LA and social care, PHSO for the NHS; rules: accountability
# routes complaint_nhs, complaint_la, phso, lgsco)
NO_TRIBUNAL_ROUTES = {"C": ("complaint_nhs", ICB, "phso"), "G": ("complaint_nhs", ICB, "phso"),
                      "D": ("complaint_la", SOCIAL, "lgsco"), "H1": ("complaint_la", SOCIAL, "lgsco"),
                      "H2": ("complaint_la", SOCIAL, "lgsco"), "E": ("complaint_la", LA, "lgsco"),
                      "J": ("complaint_la", LA, "lgsco")}
COMPLAINT_OCCURRENCE = 16  # a route's draws: the child's dispute number times this, plus the route's index


class PlanContentSteps:
    """The plan's items, a dispute over them, and personal budgets: the steps of this stage (mixed into `Journey`)."""

    @staticmethod
    @cython.locals(c=Child)
    def disputed_items(c: Child) -> list[dict[str, Any]]:
        """The items a contents dispute is about (a case file's `plan.disputes`), or none."""
        if c.content is None or c.dispute != "contents":
            return []
        return c.content["disputes"]

    @cython.locals(self=RunState, c=Child)
    def name_disputed_items(self, c: Child) -> None:
        """The dispute names each item and its section; an item the family says belongs elsewhere names both (an
        item of G said to be F: the F/G question of CFA s.21(5))."""
        for d in self.disputed_items(c):
            moved = f"_claimed_for_{d['family_says']}" if d["family_says"] != d["section"] else ""
            self.log(c, "plan_item_dispute", f"section_{d['section']}_item_{d['item']}{moved}", FAMILY)

    @staticmethod
    @cython.locals(c=Child)
    def without_tribunal(c: Child) -> bool:
        """Is this a contents dispute of items none of which the tribunal can hear (none the family says is in B, F
        or I: CFA s.51(2)(c); errata.md 1)?"""
        items = PlanContentSteps.disputed_items(c)
        return bool(items) and not any(d["family_says"] in ORDER_SECTIONS for d in items)

    @cython.locals(self=RunState, c=Child)
    def complaints_route(self, c: Child) -> None:
        """The routes open to a dispute with no tribunal route, one for each body the items fall to (in the order
        of the items): the family complains (no mediation certificate is needed and no appeal can be registered);
        the body answers after the rule set's `beyond_school.complaint_response`; not upheld, the family goes to
        the Ombudsman, which decides after `beyond_school.ombudsman_decision` and finds fault or not (a finding is a
        recommendation: it binds no one). The dispute ends when every route has ended: for the family if any
        complaint was upheld or any Ombudsman found fault, else the plan stands."""
        routes: list = []
        for d in self.disputed_items(c):
            r = NO_TRIBUNAL_ROUTES[d["family_says"]]
            if r not in routes:
                routes.append(r)
        c.content["routes_open"] = len(routes)
        c.content["routes_for_family"] = False
        law, now = self.law, self.engine.now
        for j, (route, body, ombudsman) in enumerate(routes):
            items = "_".join(d["item"] for d in self.disputed_items(c) if NO_TRIBUNAL_ROUTES[d["family_says"]][0]
                             == route and NO_TRIBUNAL_ROUTES[d["family_says"]][1] == body)
            self.log(c, "complaint_no_tribunal", f"{route}_items_{items}_no_tribunal_route", FAMILY)
            k = c.disputes * COMPLAINT_OCCURRENCE + j
            days = self.rng.complaint_days.exponential(law.complaint_response_days, c.id, k)
            self.engine.schedule(days, self._complaint_answered, (c, c.disputes, route, body, ombudsman, k, now))

    @cython.locals(self=RunState, c=Child)
    def _complaint_answered(self, arg: tuple) -> None:
        c, n, route, body, ombudsman, k, since = arg
        if c.disputes != n or c.dispute != "contents":
            return
        upheld = self.rng.complaint_upheld.u(c.id, k) < self.law.complaint_upheld
        self.log(c, "complaint_no_tribunal", f"{route}_upheld" if upheld else f"{route}_not_upheld", body)
        if upheld:
            self._no_tribunal_route_ends(c, True)
            return
        self.log(c, f"{ombudsman}_no_tribunal", f"{ombudsman}_referred", FAMILY)
        days = self.rng.ombudsman_days.exponential(self.law.ombudsman_decision_days, c.id, k)
        self.engine.schedule(days, self._ombudsman_decided, (c, n, ombudsman, k))

    @cython.locals(self=RunState, c=Child)
    def _ombudsman_decided(self, arg: tuple) -> None:
        c, n, ombudsman, k = arg
        if c.disputes != n or c.dispute != "contents":
            return
        fault = self.rng.ombudsman_fault.u(c.id, k) < self.law.ombudsman_fault_found
        self.log(c, f"{ombudsman}_no_tribunal", f"{ombudsman}_fault_found_recommends" if fault else
                 f"{ombudsman}_no_fault", ombudsman)
        self._no_tribunal_route_ends(c, fault)

    @cython.locals(self=RunState, c=Child)
    def _no_tribunal_route_ends(self, c: Child, for_family: bool) -> None:
        """One route has ended; the dispute ends with the last (`records.ENDING_OF`: for the family, or the plan
        stands as the family accepting it; no order, so nothing for the LA to comply with)."""
        c.content["routes_open"] -= 1
        c.content["routes_for_family"] = c.content["routes_for_family"] or for_family
        if c.content["routes_open"] <= 0:
            self._cb_end_dispute(c, NO_TRIBUNAL_FOR_FAMILY if c.content["routes_for_family"] else NO_TRIBUNAL_STANDS)

    @cython.locals(self=RunState, c=Child)
    def section_powers(self, c: Child, for_family: bool) -> None:
        """The tribunal's decision on each disputed item, by the section the family wants it in: an order on B, F
        or I (binding: the LA amends within the compliance period, SEND Regs 2014 reg 44); a recommendation on C,
        D, G or H if an education part is appealed too (errata.md 1), answered by the ICB or social care in writing
        within 5 weeks; no power on E or J of their own."""
        items = self.disputed_items(c)
        education = any(d["family_says"] in ORDER_SECTIONS for d in items)
        now = self.engine.now
        for j, d in enumerate(items):
            to, item = d["family_says"], d["item"]
            if to in ORDER_SECTIONS:
                event = f"order_{item}_in_section_{to}" if for_family else f"no_order_{item}_stays_in_{d['section']}"
                self.log(c, "section_order", event, TRIBUNAL, now + self.law.compliance_days["contents"], None)
            elif to in RECOMMEND_SECTIONS and not education:
                self.log(c, "tribunal_recommendation", f"not_available_{item}_no_education_part", TRIBUNAL)
            elif to in RECOMMEND_SECTIONS and for_family:
                self.log(c, "tribunal_recommendation", f"made_on_item_{item}_in_section_{to}", TRIBUNAL)
                self.answer_recommendation(c, ICB if to in ("C", "G") else SOCIAL, RECOMMENDATION_OCCURRENCE + j)
            elif to in RECOMMEND_SECTIONS:
                self.log(c, "tribunal_recommendation", f"not_made_{item}", TRIBUNAL)
            else:
                self.log(c, "section_order", f"no_power_on_section_{to}_{item}", TRIBUNAL)

    @cython.locals(self=RunState, c=Child)
    def personal_budget(self, c: Child, at: str) -> None:
        """CFA s.49(1); Personal Budgets Regs reg 4: asked for at the draft plan or at a review, the LA must prepare
        a personal budget (set out in Section J of the final plan, or with the review's decision)."""
        budget = c.content["budget"] if c.content else None
        if budget is None or budget["asked_at"] != at or budget.get("done"):
            return
        budget["done"] = True
        now = self.engine.now
        deadline = c.final_deadline if at == "draft" else now
        self.log(c, "personal_budget", f"asked_at_{at}_la_must_prepare", LA, deadline,
                 None if at == "draft" else True)
        if budget["direct_payment"] is not None:
            self.direct_payment(c, budget["direct_payment"])

    @cython.locals(self=RunState, c=Child)
    def budget_at_review(self, c: Child) -> None:
        if c.status == "plan":
            self.personal_budget(c, "review")

    @cython.locals(self=RunState, c=Child)
    def direct_payment(self, c: Child, dp: dict[str, Any]) -> None:
        """A direct payment for items of the budget: refused where it would pay for provision on a school's or
        college's premises and the setting does not agree (Personal Budgets Regs); else the LA's decision (the
        file's, or agreed)."""
        items = "_".join(dp["items"])
        if dp["on_premises"] and not dp["setting_agrees"]:
            reason = "setting_did_not_agree"
        elif dp["decision"] == "refused":
            reason = "conditions_not_met"
        else:
            self.log(c, "direct_payment", f"agreed_{items}", LA)
            return
        self.log(c, "direct_payment", f"refused_{items}_{reason}", LA)
        self.direct_payment_refused(c, dp)

    @cython.locals(self=RunState, c=Child)
    def direct_payment_refused(self, c: Child, dp: dict[str, Any]) -> None:
        """A refusal comes with written reasons and the right to ask for a review (Personal Budgets Regs); the
        family asks after the file's interval (their own time)."""
        self.log(c, "direct_payment_review", "written_reasons_and_right_to_review", LA)
        if dp["review"]:
            self.engine.schedule(dp["ask_after_days"], self.direct_payment_review_asked, (c, dp))

    @cython.locals(self=RunState, c=Child)
    def direct_payment_review_asked(self, arg: tuple) -> None:
        c, dp = arg
        self.log(c, "direct_payment_review", "requested", FAMILY)
        days = self.law.direct_payment_review_days
        self.engine.schedule(days, self.direct_payment_reviewed, (c, dp, self.engine.now + days))

    @cython.locals(self=RunState, c=Child)
    def direct_payment_reviewed(self, arg: tuple) -> None:
        """The LA reviews its refusal and answers in writing (a ranged assumption for how long: the rule set's
        beyond_school.direct_payment_review); upheld, the family's routes are a complaint, the Ombudsman or judicial
        review, never the tribunal (the plan's provision can still be appealed)."""
        c, dp, deadline = arg
        now = self.engine.now
        self.log(c, "direct_payment_review", dp["review_outcome"], LA, deadline, now <= deadline + 1e-9)
        if dp["review_outcome"] == "upheld":
            for route in dp["then"]:
                self.log(c, "direct_payment_redress", f"{ROUTE_WORDS[route]}_no_tribunal_route", FAMILY)
