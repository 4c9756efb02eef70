"""Plans in force: annual reviews, phase transfers and cessation: CFA 2014 ss.44-45; SEND Regs 2014 regs 18-22, 29-31.

The plan is reviewed every 12 months (s.44(1)); the LA decides within 4 weeks of the meeting to maintain, amend or
cease; at a phase transfer the plan must name the next setting by 15 February (31 March for post-16, reg 18); a
plan ceases when no longer needed, or at 25 (s.46).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.

Why this module is long: the steps of a plan in force (reviews, phase transfers, the transfer calendar's
search, cessation) call each other as C functions of one module (`cpdef`, reviews.pxd); split across modules
they would need cimports between stages that import each other.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

import datetime as dt
from math import nan

import numpy as np

from ....schema.units import DAYS_PER_YEAR
from ....schema.vocabulary import (
    LA,
    SETTINGS,
)
from ..child import Child, age_band
from ..costs import accrue_placement, cost
from ..records import (
    AWAITING_PLACEMENT_WEEKS_SUM,
    DESTINATION_COUNTS,
    OUT_OF_SCHOOL_SPELLS,
    OUT_OF_SCHOOL_WEEKS_SUM,
    PLANS_CEASED,
    PLANS_ENDED_16_PLUS,
    TRANSFER_LATE_WEEKS_SUM,
    TRANSFERS_NAMED,
    Counters,
    name_of,
    name_of2,
    year_after,
)
from ..state import RunState
from ..streams import TRANSFER_NAMING, RouteStreams
from .placement import decide_setting, secure_place
from .redress import _dispute_p, dispute_or_accept, start_dispute
from .review_windows import _review_held, floor_div

# the log's names of a word and a value, each string made once (`records.name_of`, `name_of2`: the same values)
_REFUSED_AS: dict = {}
_DESTINATION_AS: dict = {}

COMPLEX_NEEDS = ("SLD", "PMLD", "MSI")  # needs whose destinations after a plan are drawn from the "complex" shares
TRANSFER_AGES = (4, 11, 16)  # age on 1 September when entering reception, year 7, year 12
SCHOOL_AGE = (5.0, 16.0)  # compulsory school age: reviewed at phase transfer only under the White Paper (WP4)
# the log's event names of a phase transfer and a setting named, made once (the same strings the f-strings make)
_REVIEW_AGE = {a: f"review_age_{a}" for a in TRANSFER_AGES}
_NAMED = {s: f"named_{s}" for s in SETTINGS}


# The steps other steps call are module functions, `cpdef` in reviews.pxd, so that compiled steps (here and in the
# stages that import them) call them in C; each is also the class's method of that name (the event list, tests).
@cython.locals(self=RunState, c=Child)
def review_interval(self, c: Child, now: float) -> float:
    """Days to the next review: every 12 months (CFA s.44(1)); for a child who is still under 5 at the next
    review, the LA's practice under the Code of Practice's 3-6 months (9.178: guidance, so a longer gap is not
    logged as a breach)."""
    under5 = self._review_every_under5
    return under5 if under5 < self._review_every and (now + under5 - c.born) / DAYS_PER_YEAR < 5.0 \
        else self._review_every


@cython.locals(self=RunState, c=Child)
def schedule_plan_end(self, c: Child) -> None:
    """The plan ends at the end of the academic year in which the young person turns 25 (CFA s.46; the academic
    year ends on the rule set's `plan_end` date, 31 July), unless it has ceased before. A plan finalised after
    that day (a request made at 24 and decided late) cannot be maintained: it ends on the day it is made."""
    turns = c.born + self.law_plan_end_age * DAYS_PER_YEAR
    if turns >= self.horizon:  # the birthday, and so the end of its academic year, falls after the run
        return
    birthday = self.cal.date(turns)
    month, day = self.law_plan_end
    end = dt.date(birthday.year + (1 if (birthday.month, birthday.day) > (month, day) else 0), month, day)
    at = self.cal.day(end)
    now = self.engine.now
    if now > 0.0 and at < now:  # a plan made after that 31 July (a request at 24, late): it ends on the day it is made
        at = now
    if max(now, 0.0) <= at < self.horizon:
        self.engine.at(at, self._cb_plan_end_25, c)


@cython.locals(self=RunState, c=Child, ts=list, i=cython.Py_ssize_t)
def transfer_for_new_plan(self, c: Child, now: float) -> None:
    """A new plan finalised after the transfer deadline of a phase that begins next September names the setting
    for that phase: its place starts on that 1 September, not within weeks (reg 18's timetable, passed)."""
    ts = self._transfers
    i = year_after(self._transfer_septs, now)  # the first 1 September after `now` (the calendar is in order)
    if i < len(ts):
        sept, school, post16 = ts[i]
        age = _whole_years(sept, c.born)
        if age in TRANSFER_AGES and (post16 if age == 16 else school) < now:
            self._cb_next_term(c, now)


def _whole_years(day: float, born: float) -> int:
    """`int((day - born) // DAYS_PER_YEAR)`: the child's age in whole years on `day`, by `review_windows.floor_div`
    (compiled, Python's float floor division on C doubles: the same integer without two floats made and the division
    and `int` called through Python, about 600 instructions at each 1 September a phase transfer looks at)."""
    return int(floor_div(day - born, DAYS_PER_YEAR))


class ReviewSteps:
    """Plans in force: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
    def annual_review(self, c: Child) -> None:
        """Review the plan; the LA decides within 4 weeks to maintain, amend or cease."""
        if c.status == "detained":
            self.review_while_detained(c)  # the plan is kept, not reviewed (elsewhere.py)
            return
        if c.status != "plan" or self._cb_review_superseded(c, self.engine.now):
            return
        _review_held(self, c, self.engine.now)

    @cython.locals(self=RunState, c=Child)
    def _review_meeting_only(self, c: Child) -> None:
        if c.status == "plan" and not self._cb_review_superseded(c, self.engine.now):
            c.reviews += 1
            cost(self, c, "annual_review", self.engine.now)

    @cython.locals(self=RunState, c=Child)
    def _review_decision(self, arg: tuple) -> None:
        c, due = arg
        if c.status != "plan" or self._cb_review_superseded(c, due):
            return  # ceased, or a review a transfer moved later (route/moves.py)
        c.reviews = k = c.reviews + 1
        # the review a plan transfer re-dated (reg 15's later-of rule, route/moves.py) has a deadline of its own: held
        # by that day, the decision within the review decision's weeks after it; logged with the decision, so a case
        # shows whether the new authority met it (the other reviews' 12 months are not scored)
        dl = nan
        met = None
        if c.review_after == c.review_after and abs(due - c.review_after) < 1e-6:
            dl = due + self.law_review_decision_days
            met = self.engine.now <= dl + 1e-9
        for amount, metric in self._review_costs:
            self.counters.count(c, metric, due, amount)
        now = self.engine.now
        age = (now - c.born) / DAYS_PER_YEAR
        every = review_interval(self, c, now)
        if not (self.fx_reviews_at_transfer_only and SCHOOL_AGE[0] <= age < SCHOOL_AGE[1]):
            # (school-age plans under WP4: at transfers only; past the run's end: its date kept for a transfer)
            _review_held(self, c, now + every)
        if c.content is not None:  # asked for at a review (s.49(1)): answered with its decision (content.py)
            self.engine.schedule(0.0, self.budget_at_review, c)
        pin = self.pinned(c, "review_outcome")
        if pin == "maintain":
            self.log(c, "annual_review", "maintain", LA, dl, met)
            return
        # one draw decides the review's outcome: cease, move to special, amend, or maintain (in that order)
        u = self.rng.review_outcome.u(c.id, k)
        p_cease = self.p_cease[age_band(age)]
        if age < 5.0 and self._review_every_under5 < self._review_every:
            # a yearly chance of ceasing, spread over the shorter under-5 cycle
            p_cease = 1.0 - (1.0 - p_cease) ** (self._review_every_under5 / self._review_every)
        if pin == "cease" or (pin is None and u < p_cease):
            self.log(c, "annual_review", "cease", LA, dl, met)
            dispute_or_accept(self, c, "cessation")
            return
        u = (u - p_cease) / (1.0 - p_cease) if p_cease < 1.0 else 0.0  # uniform again, given not ceased
        p_move = self._p_move_to_special if c.setting == "mainstream" else 0.0
        if pin is None and u < p_move:
            self.log(c, "annual_review", "amend_setting", LA, dl, met)
            self._rename(c, "maintained_special", k)
            return
        u = (u - p_move) / (1.0 - p_move) if p_move < 1.0 else 1.0
        if pin == "amend" or (pin is None and u < self._p_amend):
            self.log(c, "annual_review", "amend", LA, dl, met)
            self._propose_amendments(c, k)
            pin = self.pinned(c, "dispute_contents")  # a case study may fix it (an item disputed: content.py)
            if pin if pin is not None else \
                    self.rng.contents_dispute_review.u(c.id, k) < _dispute_p(self, c, "contents"):
                start_dispute(self, c, "contents")
            return
        self.log(c, "annual_review", "maintain", LA, dl, met)

    review_interval = review_interval

    @cython.locals(self=RunState, c=Child, rng=RouteStreams, i=cython.longlong)
    def _propose_amendments(self, c: Child, k: int) -> None:
        """Proposed amendments go with the decision; the final amended plan is due within 8 weeks (reg 22), late in
        some authorities. Only logged: the appeal right already runs from the decision (the dispute started there),
        so the amended plan changes no later draw."""
        i, rng = c.id, self.rng
        limit = self.law.amendment_final_days
        days = limit * rng.amendment_final.u(i, k)
        if rng.amendment_late.u(i, k) < self._p_amend_late:
            days = limit + rng.amendment_late_days.exponential(self._amend_late_days, i, k)
        deadline = self.engine.now + limit
        if self.engine.now + days < self.horizon:
            self.engine.schedule(days, self._cb_amended_plan_issued, (c, deadline))

    @cython.locals(self=RunState, c=Child)
    def _amended_plan_issued(self, arg: tuple) -> None:
        c, deadline = arg
        if c.status == "plan":
            now = self.engine.now
            self.log(c, "amended_plan", "issued", LA, deadline, now <= deadline + 1e-9)

    schedule_plan_end = schedule_plan_end

    @cython.locals(self=RunState, c=Child)
    def _plan_end_25(self, c: Child) -> None:
        if c.status == "plan":
            self.log(c, "plan_end_25", "plan_ended", LA)
            self.cease(c)

    @cython.locals(self=RunState, c=Child)
    def _rename(self, c: Child, wanted: str, occurrence: int) -> None:
        named, refused, ground = decide_setting(self, c, wanted, occurrence + 1)
        c.transfers += 1
        event = None if refused else _NAMED.get(named)  # (the log's name, made once where it can be)
        if event is None:
            event = name_of2(_REFUSED_AS, "named_", named, "_refused_", ground) if refused else f"named_{named}"
        self.log(c, "name_setting", event, LA)
        if named != c.setting:
            secure_place(self, c, named)
        if refused:
            c.pending_setting = wanted
            dispute_or_accept(self, c, "placement")

    @cython.locals(self=RunState)
    def _transfer_calendar(self) -> list[tuple[float, float, float]]:
        """(1 September, school deadline, post-16 deadline) as day offsets, for every year of the horizon."""
        law = self.law
        return [(self.cal.day(dt.date(y, 9, 1)), self.cal.day(dt.date(y, *law.phase_transfer_school)),
                 self.cal.day(dt.date(y, *law.phase_transfer_post16)))
                for y in range(self.cal.start.year - 1, self.cal.end.year + 1)]

    @cython.locals(self=RunState)
    def may_date_steps(self, born: np.ndarray, now: float) -> np.ndarray:
        """Which plans in force from `now` (children born on `born`) may have a phase transfer (`_schedule_transfer`)
        or their end at 25 (`schedule_plan_end`) in the run: every one that has, and a few that have not (a margin
        of a day around each bound, against rounding), so that skipping the others skips only steps that schedule
        nothing. Why: the stock's 350,000 plans each called both at the start, and most fall after a one-year run."""
        may = born + self.law.plan_end_age * DAYS_PER_YEAR < self.horizon + 1.0
        margin = 1.0 / DAYS_PER_YEAR
        for sept, school, post16 in self._transfers:  # every 1 September whose deadlines can fall in the run
            if sept > now and min(school, post16) < self.horizon + 1.0:
                age = (sept - born) / DAYS_PER_YEAR
                for a in TRANSFER_AGES:
                    may |= (a - margin <= age) & (age < a + 1 + margin)
        return may

    @cython.locals(self=RunState, c=Child, ts=list, i=cython.Py_ssize_t, age=cython.Py_ssize_t)
    def _schedule_transfer(self, c: Child, now: float) -> None:
        """Phase transfer: the plan must name the next setting by 15 February (31 March for post-16)."""
        ts = self._transfers
        for i in range(year_after(self._transfer_septs, now), len(ts)):  # each 1 September after `now`, in order
            sept, school, post16 = ts[i]
            age = _whole_years(sept, c.born)
            if age == 4 or age == 11 or age == 16:  # (TRANSFER_AGES, compared as C integers when compiled)
                deadline = post16 if age == 16 else school
                if now < deadline < self.horizon:
                    self.engine.at(deadline, self._cb_phase_transfer, (c, deadline, age))
                return

    @cython.locals(self=RunState, c=Child, septs=list)
    def next_term(self, c: Child, deadline: float) -> None:
        """The setting named for the next phase starts on the 1 September after the transfer deadline (the school
        year the phase begins): held in `c.term_start` for `place_lead_time`, and checked on that day."""
        septs = self._transfer_septs
        sept = septs[year_after(septs, deadline)]  # the first after the deadline (the calendar is in order)
        c.term_start = sept
        if sept < self.horizon:
            self.engine.at(sept, self._cb_term_starts, (c, sept))

    @cython.locals(self=RunState, c=Child)
    def _term_starts(self, arg: tuple) -> None:
        """1 September of a phase transfer: a child whose setting for the new phase has not started has no school
        (the engine models no interim education under s.19, so this is out of school as well as awaiting a place)."""
        c, sept = arg
        if c.status != "plan" or c.term_start != sept or c.place_due == sept:
            return  # placed already, superseded, or starting today
        self.log(c, "education_out_of_school", "no_place_at_term_start", LA)
        if c.out_since != c.out_since:
            c.out_since = sept

    @cython.locals(self=RunState, c=Child)
    def end_spells_without_place(self, c: Child, now: float) -> None:
        """A setting is in place: the weeks awaiting it since the new phase began (1 September) and the weeks out
        of school end here, and are counted."""
        if c.term_start == c.term_start:
            if now > c.term_start:
                gap = now - c.term_start
                c.days_awaiting += gap
                self.counters.count(c, AWAITING_PLACEMENT_WEEKS_SUM, now, gap / 7.0)
            c.term_start = nan
        if c.out_since == c.out_since:
            gap = now - c.out_since
            c.days_out += gap
            self.counters.count(c, OUT_OF_SCHOOL_SPELLS, now)
            self.counters.count(c, OUT_OF_SCHOOL_WEEKS_SUM, now, gap / 7.0)
            c.out_since = nan
            self.log(c, "education_out_of_school", "ended_setting_in_place", LA)
        c.place_due = nan

    @cython.locals(self=RunState, c=Child, counters=Counters)
    def close_at_end(self) -> None:
        """The end of the run: what is still open is booked to its last day, never dropped: each plan's placement
        (its cost, `accrue_placement`), a plan's wait for its named place since a term began, and a spell out of
        school; child by child, in that order.

        Why one pass here, each test written once: it visits every child of the run (about 580,000 in a national
        year, a few dozen with a spell open), so the tests are inline rather than a call per child to ask; a spell's
        start is NaN when none is open, and NaN is never less than the horizon."""
        end = self.horizon
        last = end - 1e-6  # the run's last instant: counted in its final period
        counters = self.counters  # (compiled: a `Counters`, so `counters.count` is a C call through its method table)
        for c in self.children:
            if c.status == "plan":
                accrue_placement(self, c, end)  # (does nothing where no placement is under way)
                if c.term_start < end:  # awaiting the named place since a term began
                    gap = end - c.term_start
                    c.days_awaiting += gap
                    counters.count(c, AWAITING_PLACEMENT_WEEKS_SUM, last, gap / 7.0)
            if c.out_since < end:  # out of school
                gap = end - c.out_since
                c.days_out += gap
                counters.count(c, OUT_OF_SCHOOL_SPELLS, last)
                counters.count(c, OUT_OF_SCHOOL_WEEKS_SUM, last, gap / 7.0)

    transfer_for_new_plan = transfer_for_new_plan

    @cython.locals(self=RunState, c=Child, i=cython.longlong)
    def phase_transfer(self, arg: tuple) -> None:
        c, deadline, age = arg
        if c.status != "plan" or c.elsewhere is not None:
            return  # (a child educated elsewhere: no next school to name while it lasts, elsewhere.py)
        self._cb_next_term(c, deadline)
        i, k = c.id, c.transfers
        pin = self.pinned(c, "phase_transfer")
        late = (pin == "late") if pin else self.rng.transfer_late.u(i, k) < self._p_transfer_late
        delay = self.rng.transfer_late_days.exponential(self._transfer_late_days, i, k) if late else 0.0
        self.engine.schedule(delay, self._cb_transfer_named, (c, deadline, age))

    @cython.locals(self=RunState, c=Child)
    def _transfer_named(self, arg: tuple) -> None:
        c, deadline, age = arg
        if c.status != "plan":
            return
        now = self.engine.now
        cum = self.cum_pref_post16 if age >= 16 else self.cum_pref_school
        wanted = self.pinned(c, "transfer_preferred") or SETTINGS[self.rng.transfer_preference.choice(
            cum, c.id, c.transfers)]
        event = _REVIEW_AGE.get(age) if type(age) is int else None  # (the log's name, made once)
        if event is None:
            event = f"review_age_{age}"
        self.log(c, "phase_transfer", event, LA, deadline, now <= deadline + 1e-9)
        self.counters.count(c, TRANSFERS_NAMED, now)
        if now > deadline:  # weeks without a named setting for the next phase
            self.counters.count(c, TRANSFER_LATE_WEEKS_SUM, now, (now - deadline) / 7.0)
        # the White Paper's reassessment steps a plan down by need, as an ISP is eligible by need (PMLD, MSI: never)
        step_down = self._p_step_down.get(c.need, 0.0)
        protected = self.fx_protect_special_places and (self.special_place_in_2029(c) or self.triple_locked(c, age))
        if step_down and not protected and self.rng.step_down.u(c.id, c.transfers) < step_down:
            c.term_start = nan  # the child moves on with the school-level plan; no named place to await
            self.log(c, "phase_transfer", "reassessed_plan_to_cease", LA)
            dispute_or_accept(self, c, "cessation")
            return
        if c.setting in ("maintained_special", "independent_special") and self.pinned(c, "transfer_keeps_setting"):
            # a case's switch (MODEL.md 2.6j): the special school named (a tribunal's order, say) spans both phases
            # (all-through): the LA names it again for the next phase; a child in its place keeps it (no new place
            # to await on 1 September), a child still awaiting it goes on awaiting the same place
            if c.waiting_since != c.waiting_since:
                c.term_start = nan
            self.log(c, "name_setting", f"kept_{c.setting}_all_through", LA)
            self._schedule_transfer(c, now + 200.0)
            if self.fx_reviews_at_transfer_only and age >= SCHOOL_AGE[1] and now + self._review_every < self.horizon:
                _review_held(self, c, now + self._review_every)
            return
        seq = c.place_seq
        self._rename(c, wanted, TRANSFER_NAMING + c.transfers)
        if c.place_seq == seq:  # a setting of the same kind: a new school all the same, from the new phase
            c.place_seq += 1
            if c.waiting_since != c.waiting_since:
                c.waiting_since = self.waiting_from(c)
            self.engine.schedule(self.place_lead_time(c), self._cb_provision_in_place, (c, c.place_seq))
        self._schedule_transfer(c, now + 200.0)
        if self.fx_reviews_at_transfer_only and age >= SCHOOL_AGE[1] and now + self._review_every < self.horizon:
            _review_held(self, c, now + self._review_every)  # post-16: annual reviews again

    @cython.locals(self=RunState, c=Child)
    def special_place_in_2029(self, c: Child) -> bool:
        """'Every child with a special school place in 2029 keeps it' (WP7): a child in a special school since the
        triple lock's date or before; a child who moves into one later is not protected."""
        return c.setting in ("maintained_special", "independent_special") and c.setting_since <= self._triple_lock[0]

    @cython.locals(self=RunState, c=Child)
    def triple_locked(self, c: Child, age: int) -> bool:
        """The White Paper's triple lock: a child in the named year group or above on the date is not moved to a
        school-level plan before finishing secondary (the transfer at 16 is the end of secondary)."""
        day, year_group = self._triple_lock
        return age < 16 and int((day - c.born) // DAYS_PER_YEAR) - 4 >= year_group

    @cython.locals(self=RunState, c=Child)
    def cease(self, c: Child) -> None:
        now = self.engine.now
        accrue_placement(self, c, now)
        c.status = "ceased"
        c.ceased_at = now
        c.term_start = nan  # no plan: no named place to await
        self.plans_in_force -= 1
        self.plans_ceased += 1
        self.counters.count(c, PLANS_CEASED, now)
        if c.place_res is not None and c.place_job is not None:
            if c.place_job.started:
                c.place_res.release()
            else:
                c.place_res.cancel(c.place_job)
            c.place_res = c.place_job = None
        if (now - c.born) / DAYS_PER_YEAR >= self.law.post19_age:
            self.log(c, "cessation_post19", "plan_ceased", LA)
        else:
            self.log(c, "cessation", "plan_ceased", LA)
        age = (now - c.born) / DAYS_PER_YEAR
        if age >= 16.0:
            self._destination(c, age)

    @cython.locals(self=RunState, c=Child)
    def _destination(self, c: Child, age: float) -> None:
        """Where the young person goes when the plan ends at 16 or over, drawn by age and need (ranged assumptions
        in the scenario); the map gives each destination's duty holder and redress (adult care: Care Act, LGSCO)."""
        shares = self._destination_cum["age_16_19" if age < 20.0 else "age_20_25"][
            "complex" if c.need in COMPLEX_NEEDS else "other"]
        u = self.rng.destination.u(c.id, 0)
        d = next((k for k, cum in shares if u < cum), shares[-1][0])
        self.counters.count(c, PLANS_ENDED_16_PLUS, self.engine.now)
        self.counters.count(c, DESTINATION_COUNTS[d], self.engine.now)
        self.log(c, name_of(_DESTINATION_AS, "destination_", d), "plan_ended", LA)
