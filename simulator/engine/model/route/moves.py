"""A plan that moves with the child to another authority: SEND Regulations 2014 reg 15, under CFA 2014 s.47.

Why a module of its own: the move is not a review (reviews.py) nor a naming (placement.py), and it is the only step
that changes which authority is responsible for a child. It changes `Child.la` and nothing else about the route:
the same review, naming and redress steps then run for the new authority (its queues, places and tribunal cases),
so a second authority is data, never a second copy of the journey.

The law it follows (reg 15; CFA s.24 for which authority a child belongs to):

- the old authority transfers the plan on the day of the move if it knew of the move at least 15 working days
  before it, else within 15 working days beginning with the day it learned of it (reg 15(2));
- the plan is then treated as made by the new authority on the date it was first made, and the new authority must
  maintain it and secure its provision (reg 15(3)): the issue date is kept, so no limit restarts;
- the new authority tells the family, within 6 weeks beginning with the transfer, that the plan has transferred and
  whether it will make an EHC needs assessment or review the plan;
- the next review falls by the later of 12 months from the last review (or the plan's issue) and 3 months beginning
  with the transfer.

A looked-after child placed in another authority's area is moved the same way: under CFA s.24 the authority that
maintains the plan is the one whose area the child is in (JG v Kent CC [2016] EWHC 1102 (Admin); contested), while
the placing authority stays the corporate parent (the case study's map of roles says so).

Working days are counted on the calendar of England's bank holidays (`engine.core.workdays`), and months as calendar
months, so a hand-worked date is the model's date. The authorities are assumed to act on the last lawful day (no
source gives how quickly they do): a case study may pin a late transfer (`transferred_on`).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

from ....schema.vocabulary import LA
from ...core.workdays import last_day_of_months, nth_working_day, working_days_between
from ..child import Child
from ..records import PLANS_TRANSFERRED_IN, PLANS_TRANSFERRED_OUT


class Move(NamedTuple):
    """A child moving to another authority's area: where to, when, when the old authority learned of it, why (the
    family moves, or a looked-after child is placed there), whether the child keeps the old school (a short move),
    the day the plan actually transferred if a case pins it (else the last lawful day), and what the new authority
    proposes in its notice (review or reassess)."""

    to_la: int
    moved: dt.date
    learned: dt.date
    reason: str = "family_moved"  # or "placed_out_of_area" (a looked-after child)
    keeps_school: bool = False
    transferred_on: dt.date | None = None
    notice: str = "review"  # or "reassess"


def reg15_transfer_date(moved: dt.date, learned: dt.date, working_days: int) -> dt.date:
    """The last lawful day of the transfer (reg 15(2)): the day of the move where the old authority knew of it at
    least `working_days` working days before; else the last of `working_days` working days beginning with the day it
    learned (never before the move)."""
    if learned < moved and working_days_between(learned, moved - dt.timedelta(days=1)) >= working_days:
        return moved
    return max(moved, nth_working_day(learned, working_days))


def reg15_notice_date(transferred: dt.date, weeks: int) -> dt.date:
    """The last day of `weeks` weeks beginning with the transfer (the transfer day is the first of them)."""
    return transferred + dt.timedelta(days=7 * weeks - 1)


def reg15_review_date(review_due: dt.date, transferred: dt.date, months: int) -> dt.date:
    """The next review after a transfer: the later of the date it was due anyway (12 months from the last review
    or the plan's issue: the plan is treated as made on its original date) and the last day of `months` calendar
    months beginning with the transfer."""
    return max(review_due, last_day_of_months(transferred, months))


class MoveSteps:
    """A child moving authority: the steps of this stage (mixed into `Journey`)."""

    def moved_authority(self, arg: tuple[Child, Move]) -> None:
        """The child is now in the new authority's area (CFA s.24). A plan in force moves under reg 15; the old place
        is out of reach unless the child keeps the old school, so the child waits for provision from today."""
        c, mv = arg
        if c.status != "plan":
            return  # no plan in force: nothing to transfer (a case study moves only a plan in force)
        self.log(c, "moved_authority", mv.reason, LA)
        if not mv.keeps_school and c.waiting_since != c.waiting_since:
            c.waiting_since = self.engine.now
        self.transfer_plan(c, mv)

    def transfer_plan(self, c: Child, mv: Move) -> None:
        """Reg 15(2): the old authority transfers the plan on the day of the move, or within 15 working days of
        learning of it; scheduled on the day it transfers (the last lawful day unless a case pins another)."""
        law = self.law
        deadline = reg15_transfer_date(mv.moved, mv.learned, law.transfer_working_days)
        on = mv.transferred_on or deadline
        self.engine.at(max(self.cal.day(on), self.engine.now), self._plan_transferred,
                       (c, mv, self.cal.day(deadline)))

    def _plan_transferred(self, arg: tuple[Child, Move, float]) -> None:
        """The plan is the new authority's from today, as if made on its original date (reg 15(3)): its issue date
        and deadlines stand; the new authority must secure the provision (s.42), in its own places; it tells the
        family within 6 weeks what it will do, and the next review is re-dated by the later-of rule."""
        c, mv, deadline = arg
        if c.status != "plan":
            return
        now = self.engine.now
        old = c.la
        self.log(c, "plan_transfer", "transferred", LA, deadline,
                 now <= deadline + 1e-9)
        self.counters.count(c, PLANS_TRANSFERRED_OUT, now)
        self.counters.add_la(old, PLANS_TRANSFERRED_OUT, now)
        self.counters.add_la(mv.to_la, PLANS_TRANSFERRED_IN, now)
        c.la = mv.to_la
        if not mv.keeps_school:  # else the old school is kept: its place stays, now the new authority's to fund
            self.secure_place(c, c.setting)  # the same kind of setting, in the new authority's places
        today = self.cal.date(now)
        notice = self.cal.day(reg15_notice_date(today, self.law.transfer_notice_weeks))
        if notice < self.horizon:
            self.engine.at(notice, self._transfer_notice, (c, mv, notice))
        self._redate_review(c, today)

    def _redate_review(self, c: Child, transferred: dt.date) -> None:
        """The later-of rule: the review the plan was due (12 months from the last review or issue) stands if it
        falls 3 months or more after the transfer; else the review moves to 3 months after it, and the earlier one
        is not held (`Child.review_after`)."""
        due = c.review_due
        if due != due:  # a plan in force at the start before its first review: the next anniversary of its start
            due = c.provision_at
            while due <= self.engine.now:
                due += self._review_every
        review_due = self.cal.date(math.ceil(due - 1e-9))
        later = reg15_review_date(review_due, transferred, self.law.transfer_review_months)
        if later > review_due:
            day = self.cal.day(later)
            c.review_after = c.review_due = day
            if day < self.horizon:
                self.engine.at(day, self.annual_review, c)

    def _transfer_notice(self, arg: tuple[Child, Move, float]) -> None:
        """The new authority's notice to the family (reg 15): the plan has transferred, and whether it will make an
        EHC needs assessment or review the plan (the case's choice; a reassessment's own route is not modelled: the
        plan stays in force and is reviewed by the later-of date either way)."""
        c, mv, deadline = arg
        if c.status == "plan":
            self.log(c, "transfer_notice", mv.notice, LA, deadline, self.engine.now <= deadline + 1e-9)

    def review_superseded(self, c: Child, due: float) -> bool:
        """A review due before the day a transfer moved it to is not held (reg 15's later-of rule)."""
        return c.review_after == c.review_after and due < c.review_after - 1e-6
