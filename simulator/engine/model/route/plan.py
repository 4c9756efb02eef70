"""The draft and the final EHC plan: CFA 2014 ss.37-39, SEND Regulations 2014 regs 11-14.

The draft goes to the family, who have 15 days to comment and ask for a setting (reg 13(1)); the LA consults the
setting and issues the final plan within 20 weeks of the request (reg 13(2)); then it must secure the provision.

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from math import isnan, nan

from ....schema.units import DAYS_PER_YEAR
from ....schema.vocabulary import (
    FAMILY,
    LA,
)
from ..capacity import LAState
from ..child import Child
from ..records import (
    NEW_PLANS,
    NEW_PLANS_EXCL_EXCEPTIONS,
    OVER_1_YEAR_EXCL_EXCEPTIONS,
    PLACEMENT_OUTSIDE_LIST_NO_APPEAL,
    WITHIN_LIMIT_EXCL_EXCEPTIONS,
    name_of,
)
from ..state import RunState
from .moves import draw_plan_move
from .placement import secure_place
from .redress import _dispute_p, dispute_or_accept, start_dispute
from .reviews import review_interval, schedule_plan_end, transfer_for_new_plan

# the log's names of a word and a value, each string made once (`records.name_of`, `name_of2`: the same values)
_REQUESTED_AS: dict = {}


class PlanSteps:
    """The draft and the final EHC plan: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child, la=LAState)
    def write_draft(self, c: Child) -> None:
        la = self.las[c.la]
        draft = self.duration("draft_writing_days", self.rng.draft, c.id, c.disputes) * la.fx_draft
        la.writers.serve(c, draft, self._cb_issue_draft)

    @cython.locals(self=RunState, c=Child)
    def issue_draft(self, c: Child) -> None:
        """The draft goes to the family, who have 15 days to comment and request a setting."""
        if isnan(c.draft_deadline):
            if self.rec is not None:  # (no recorder: `log` writes nothing)
                self.log(c, "draft_plan", "issued", LA)
        else:  # after an order to make a plan: the draft within 5 weeks of the order (reg 44)
            now = self.engine.now
            self.log(c, "draft_plan", "issued_after_order", LA, c.draft_deadline, now <= c.draft_deadline + 1e-9)
            c.draft_deadline = nan
        if c.content is not None:
            self.personal_budget(c, "draft")  # asked for with the draft (s.49(1); content.py)
        self.engine.schedule(self.law_draft_comment_days, self._cb_consult_setting, c)

    @cython.locals(self=RunState, c=Child)
    def consult_setting(self, c: Child) -> None:
        if self.rec is not None:  # (no recorder: `log` writes nothing, so its event's string is not made)
            self.log(c, "family_comments", name_of(_REQUESTED_AS, "requested_", c.preferred), FAMILY)
        days = self.duration("setting_consultation_days", self.rng.consult, c.id, c.disputes)
        self.engine.schedule(days, self._cb_name_setting, c)

    @cython.locals(self=RunState, c=Child)
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
        self.counters.count(c, NEW_PLANS, now)
        self.counters.add_la(c.la, NEW_PLANS, now)
        if not c.exception and not c.ordered:
            self.counters.count(c, NEW_PLANS_EXCL_EXCEPTIONS, now)
            self.counters.add_la(c.la, NEW_PLANS_EXCL_EXCEPTIONS, now)
            if met:
                self.counters.count(c, WITHIN_LIMIT_EXCL_EXCEPTIONS, now)
                self.counters.add_la(c.la, WITHIN_LIMIT_EXCL_EXCEPTIONS, now)
            elif now - c.t0 > DAYS_PER_YEAR:
                self.counters.count(c, OVER_1_YEAR_EXCL_EXCEPTIONS, now)
        if self.rec is not None:  # (no recorder: `log` writes nothing)
            self.log(c, "final_plan", "issued", LA, deadline, met)
        transfer_for_new_plan(self, c, now)
        if c.elsewhere is not None and c.elsewhere.get("pending"):  # home-educated at the request (elsewhere.py)
            self.plan_made_while_elsewhere(c)
        else:
            secure_place(self, c, c.setting)
        every = review_interval(self, c, now)
        c.review_due = now + every  # the same sum as the engine's (route/moves.py reads it)
        self.engine.schedule(every, self._cb_annual_review, c)
        self._schedule_transfer(c, now)
        schedule_plan_end(self, c)
        if self._pt is not None and c.id < self._pt_end:  # the day its family moves away (route/moves.py)
            draw_plan_move(self, c, now)
        no_appeal = c.named_against_wish and c.named_ground == "not_on_tailored_list" \
            and not self.law.outside_list_appealable
        if no_appeal:  # the setting cannot be appealed; the plan's contents still can
            self.counters.count(c, PLACEMENT_OUTSIDE_LIST_NO_APPEAL, now)
            self.log(c, "name_setting_outside_list", "no_appeal_against_setting_named", LA)
        if c.named_against_wish and not no_appeal:
            dispute_or_accept(self, c, "placement")
        elif (pin if (pin := self.pinned(c, "dispute_contents")) is not None
              else self.rng.contents_dispute.u(c.id, c.disputes) < _dispute_p(self, c, "contents")):
            start_dispute(self, c, "contents")
