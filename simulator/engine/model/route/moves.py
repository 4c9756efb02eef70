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

Population flows (MODEL.md 2.6e): in a run with a `plan_transfers:` file (schema/transfers.py), every plan in
force of the population (the stock, every new plan, every plan that arrives) has a day its family moves, drawn from
its authority's yearly rate as a hazard (stream `plan_move`, occurrence = the plan's transfers so far); the move
goes through the same `moved_authority` and `transfer_plan` steps as a case study's. In a run of several
authorities the plan goes to another of them (stream `plan_move_destination`, in proportion to plans in force at the
start, UNVERIFIED); in a run of one it leaves the run (`_plan_left_run`), and plans arrive from outside at the
file's stated in-rate (`_transfers_in_year`, `_plan_arrives`, UNVERIFIED) through the same receiving step
(`_plan_received`). A child with a dispute open or educated elsewhere is not moved that time (a simplification:
the dispute's steps are the old authority's). Children a case study adds are never moved by the population flows.

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.

Why this module is long: reg 15's dates, the population flows' hazard (`move_day`, `draw_plan_move`: module functions
that `finalise_plan` and the receiving step call in C, moves.pxd) and the steps of a move belong to one stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

import datetime as dt
from bisect import bisect_right
from math import ceil, inf, log, nan
from typing import NamedTuple

import numpy as np

from ....schema.transfers import PlanTransfers
from ....schema.units import DAYS_PER_YEAR
from ....schema.vocabulary import LA
from ...core.streams import log_array, uniform_array
from ...core.workdays import last_day_of_months, nth_working_day, working_days_between
from ..child import ATTRIBUTES, Child
from ..records import OUTSIDE_RUN, PLANS_TRANSFERRED_IN, PLANS_TRANSFERRED_OUT, year_after
from ..state import RunState
from ..streams import TRANSFERS_IN

if cython.compiled:  # C's log (`draw_plan_move`: the libm function `math.log` calls for a positive float)
    from cython.cimports.libc.math import log as _c_log

TRANSFER_IN_IDS = 1 << 40  # ids of children arriving with a plan from outside the run (no other child has them)
STOCK_SETTINGS = (("mainstream", "stock_mainstream"), ("resourced_provision", "stock_resourced_provision"),
                  ("maintained_special", "stock_maintained_special"),
                  ("independent_special", "stock_independent_special"), ("post16", "stock_post16"),
                  ("alternative_provision", "stock_alternative_provision"), ("mainstream", "stock_other"))


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


# `move_day` and `draw_plan_move` are module functions, `cpdef` in moves.pxd, so that a compiled step calls them in C
# (`finalise_plan` and `_plan_received` for every new or received plan; called through Python, with `move_day` a
# method looked up on the journey, each cost about 3,200 instructions); each is also the class's method of that name.
@cython.locals(self=RunState, knots=list, cum=list, rates=list, i=cython.Py_ssize_t, j=cython.Py_ssize_t,
               last=cython.Py_ssize_t)
def move_day(self, la: int, since: float, e: float) -> float:
    """The day on which the cumulative hazard of authority `la` from `since` reaches `e` (a unit exponential),
    or infinity if not before the horizon. (Compiled, the knots and sums are compared as C doubles, `year_after`
    being `bisect_right` on them, and the day is the same IEEE sums, product and quotient.)"""
    knots, cum, rates = self._pt_knots, self._pt_cum[la], self._pt_rates[la]
    last = len(rates) - 1
    i = min(max(year_after(knots, since) - 1, 0), last)
    target = cum[i] + (since - knots[i]) * rates[i] + e
    if target >= cum[-1]:
        return inf
    j = min(year_after(cum, target) - 1, last)
    return knots[j] + (target - cum[j]) / rates[j]


@cython.locals(self=RunState, c=Child)
def draw_plan_move(self, c: Child, since: float) -> None:
    """The day the family of a plan in force moves away from its authority (the authority's yearly rates as a
    hazard from `since`), scheduled if before the horizon."""
    k = len(c.moved) if c.moved else 0
    u = self.rng.plan_move.u(c.id, k)
    day = move_day(self, c.la, since, -(_c_log(u) if cython.compiled else log(u)))  # noqa: F821 - compiled only
    if day < self.horizon:
        self.engine.at(day, self._cb_family_moves, (c, k))


class MoveSteps:
    """A child moving authority: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
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

    @cython.locals(self=RunState, c=Child)
    def transfer_plan(self, c: Child, mv: Move) -> None:
        """Reg 15(2): the old authority transfers the plan on the day of the move, or within 15 working days of
        learning of it; scheduled on the day it transfers (the last lawful day unless a case pins another)."""
        law = self.law
        deadline = reg15_transfer_date(mv.moved, mv.learned, law.transfer_working_days)
        on = mv.transferred_on or deadline
        self.engine.at(max(self.cal.day(on), self.engine.now), self._plan_transferred,
                       (c, mv, self.cal.day(deadline)))

    @cython.locals(self=RunState, c=Child)
    def _plan_transferred(self, arg: tuple[Child, Move, float]) -> None:
        """The plan is the new authority's from today, as if made on its original date (reg 15(3)): its issue date
        and deadlines stand; the new authority must secure the provision (s.42), in its own places; it tells the
        family within 6 weeks what it will do, and the next review is re-dated by the later-of rule. A plan moving
        out of a run of one authority leaves the run here (`_plan_left_run`)."""
        c, mv, deadline = arg
        if c.status != "plan":
            return
        now = self.engine.now
        old = c.la
        self.log(c, "plan_transfer", "transferred", LA, deadline,
                 now <= deadline + 1e-9)
        self.counters.count(c, PLANS_TRANSFERRED_OUT, now)
        self.counters.add_la(old, PLANS_TRANSFERRED_OUT, now)
        c.moved = [*(c.moved or ()), (now, old, mv.to_la)]
        if mv.to_la == OUTSIDE_RUN:
            self._plan_left_run(c)
            return
        self.counters.count(c, PLANS_TRANSFERRED_IN, now)
        self.counters.add_la(mv.to_la, PLANS_TRANSFERRED_IN, now)
        self._plan_received(c, mv, self.cal.date(now))

    @cython.locals(self=RunState, c=Child)
    def _plan_received(self, c: Child, mv: Move, today: dt.date) -> None:
        """The receiving authority's part of reg 15: the plan is its own (`Child.la`); it secures a place of the
        same kind in its area unless the child keeps the old school, tells the family within 6 weeks, and reviews
        the plan by the later-of date; a plan of the population then has its next move drawn."""
        c.la = mv.to_la
        if not mv.keeps_school:  # else the old school is kept: its place stays, now the new authority's to fund
            self.secure_place(c, c.setting)  # the same kind of setting, in the new authority's places
        notice = self.cal.day(reg15_notice_date(today, self.law.transfer_notice_weeks))
        if notice < self.horizon:
            self.engine.at(notice, self._transfer_notice, (c, mv, notice))
        self._redate_review(c, today)
        if self._pt is not None and self.moves_with_population(c):
            draw_plan_move(self, c, self.engine.now)

    @cython.locals(self=RunState, c=Child)
    def _redate_review(self, c: Child, transferred: dt.date) -> None:
        """The later-of rule: the review the plan was due (12 months from the last review or issue) stands if it
        falls 3 months or more after the transfer; else the review moves to 3 months after it, and the earlier one
        is not held (`Child.review_after`)."""
        due = c.review_due
        if due != due:  # a plan in force at the start before its first review: the next anniversary of its start
            due = c.provision_at
            while due <= self.engine.now:
                due += self._review_every
        review_due = self.cal.date(ceil(due - 1e-9))
        later = reg15_review_date(review_due, transferred, self.law.transfer_review_months)
        if later > review_due:
            day = self.cal.day(later)
            c.review_after = c.review_due = day
            if day < self.horizon:
                self.engine.at(day, self._cb_annual_review, c)

    @cython.locals(self=RunState, c=Child)
    def _transfer_notice(self, arg: tuple[Child, Move, float]) -> None:
        """The new authority's notice to the family (reg 15): the plan has transferred, and whether it will make an
        EHC needs assessment or review the plan (the case's choice; a reassessment's own route is not modelled: the
        plan stays in force and is reviewed by the later-of date either way)."""
        c, mv, deadline = arg
        if c.status == "plan":
            self.log(c, "transfer_notice", mv.notice, LA, deadline, self.engine.now <= deadline + 1e-9)

    @cython.locals(self=RunState, c=Child)
    def review_superseded(self, c: Child, due: float) -> bool:
        """A review due before the day a transfer moved it to is not held (reg 15's later-of rule)."""
        return c.review_after == c.review_after and due < c.review_after - 1e-6

    # ------------------------------------------------------------------ population flows (MODEL.md 2.6e)

    @cython.locals(self=RunState)
    def _open_plan_transfers(self, pt: PlanTransfers | None) -> None:
        """Compile the rates of the run's authorities into a cumulative hazard at each 1 January (a day's hazard is
        the year's rate / 365.25), and the destinations' weights by the origin's region."""
        self._pt = pt
        self._pt_end = 0  # children with an id below this (and arrivals) are the population's (set in populate)
        if pt is None:
            return
        starts = self.cal.year_starts()
        knots = [0.0] + [d for _, d in starts[1:] if 0.0 < d < self.horizon] + [self.horizon]
        years = [self.counters.year(k) for k in knots[:-1]]
        self._pt_knots = knots
        self._pt_rates, self._pt_cum = [], []
        for la in self.las:
            rates = [pt.out_rate(la.spec.code, y) / DAYS_PER_YEAR for y in years]
            cum = [0.0]
            for i, r in enumerate(rates):
                cum.append(cum[-1] + r * (knots[i + 1] - knots[i]))
            self._pt_rates.append(rates)
            self._pt_cum.append(cum)
        self._pt_open = len(self.las) == 1
        self._pt_learned = dt.timedelta(days=int(pt.learned_days_before_move.value))
        weight = pt.same_region_weight.value
        plans = [float(la.spec.plans_in_force_at_start) for la in self.las]
        dest: dict[str, np.ndarray] = {}
        for region in {la.spec.region for la in self.las}:
            w = [p * (weight if la.spec.region == region else 1.0) for p, la in zip(plans, self.las, strict=True)]
            dest[region] = np.cumsum(w)
        self._pt_weights = {region: [float(x) for x in np.diff(cum, prepend=0.0)] for region, cum in dest.items()}
        # the cumulative weights as lists of the same floats: `_move_destination` reads and searches them as C
        # doubles (numpy's scalar reads and `searchsorted` of one value cost about 1,500 instructions each)
        self._pt_dest: dict[str, list[float]] = {region: cum.tolist() for region, cum in dest.items()}
        self._n_arrived = 0

    @cython.locals(self=RunState, c=Child)
    def moves_with_population(self, c: Child) -> bool:
        """Whether the population flows move this child: the stock, the requests and the plans that arrived, never a
        child a case study added (its route is the case's)."""
        return c.id < self._pt_end or c.id >= TRANSFER_IN_IDS

    move_day = move_day

    @cython.locals(self=RunState)
    def move_days(self, la: int, since: float, e: np.ndarray) -> np.ndarray:
        """`move_day(la, since, x)` for every x of `e` at once (the stock's moves at the start): the same float
        operations in the same order, element by element, so the same days (tests/test_plan_transfers.py checks
        them against `move_day` over a large sample)."""
        knots, cum, rates = self._pt_knots, self._pt_cum[la], self._pt_rates[la]
        i = min(max(bisect_right(knots, since) - 1, 0), len(rates) - 1)
        target = (cum[i] + (since - knots[i]) * rates[i]) + e
        out = np.full(e.size, inf)
        live = np.flatnonzero(target < cum[-1])
        if live.size:
            t = target[live]
            j = np.minimum(np.searchsorted(np.asarray(cum), t, side="right") - 1, len(rates) - 1)
            out[live] = np.asarray(knots)[j] + (t - np.asarray(cum)[j]) / np.asarray(rates)[j]
        return out

    draw_plan_move = draw_plan_move

    @cython.locals(self=RunState)
    def _population_moves(self, las: np.ndarray) -> None:
        """At the start: the stock's moves (the same draws as `draw_plan_move`, in bulk) and, in a run of one
        authority, the plans that arrive from outside each year. `las` is the stock's authorities (int64, child by
        child), which `populate` made the stock from: handed over rather than read back from the half a million
        children (a generator over them cost about 170 million instructions a national year)."""
        if self._pt is None:
            return
        self._pt_end = self.n_stock + self._n_generated
        n = self.n_stock
        if las.shape[0] != n:
            raise ValueError(f"{las.shape[0]} authorities for a stock of {n}")
        if n:  # the days by authority with numpy (`move_days`), scheduled in the children's order as one by one
            e = -log_array(uniform_array(self.rng.plan_move, np.arange(n, dtype=np.int64), 0))
            # `engine` an object here, so `at` is bound once as a Python method (Cython cannot bind a typed field's
            # C method)
            engine = self.engine
            kids, at, moves = self.children, engine.at, self._cb_family_moves
            by_la = np.argsort(las, kind="stable")  # the stock is made authority by authority: already in order
            cuts = np.flatnonzero(np.diff(las[by_la])) + 1
            days = np.empty(n)
            for m in np.split(by_la, cuts):
                days[m] = self.move_days(int(las[m[0]]), 0.0, e[m])
            soon = np.flatnonzero(days < self.horizon)
            for i, day in zip(soon.tolist(), days[soon].tolist(), strict=True):
                at(day, moves, (kids[i], 0))
        if self._pt_open:
            for y, day in self.cal.year_starts():
                if 0.0 <= day < self.horizon:
                    self.engine.at(day, self._transfers_in_year, y)

    @cython.locals(self=RunState, c=Child)
    def _family_moves(self, arg: tuple[Child, int]) -> None:
        """A family with a plan moves to another authority's area today (the population flows): the destination
        drawn among the run's other authorities, or outside a run of one; then the case studies' step."""
        c, k = arg
        if c.status != "plan" or (len(c.moved) if c.moved else 0) != k or c.dispute or c.elsewhere is not None:
            return  # ceased, moved already, or not moved this time (a dispute open, educated elsewhere)
        today = self.cal.date(self.engine.now)
        to = OUTSIDE_RUN if self._pt_open else self._move_destination(c, k)
        self.moved_authority((c, Move(to, today, today - self._pt_learned)))

    @cython.locals(self=RunState, c=Child, cum=list, w=cython.double, before=cython.double, x=cython.double)
    def _move_destination(self, c: Child, k: int) -> int:
        """Another authority of the run, in proportion to its weight (plans in force at the start x the same-region
        weight), the origin left out: one draw scaled onto the other authorities' total. (The authority is the
        first whose cumulative weight is above the draw: `bisect_right`, as numpy's `searchsorted(side="right")` of
        the same doubles; compiled, `year_after` on C doubles.)"""
        region = self.las[c.la].spec.region
        cum, w = self._pt_dest[region], self._pt_weights[region][c.la]
        before = cum[c.la] - w
        x = self.rng.plan_move_destination.u(c.id, k) * (cum[-1] - w)
        if x >= before:
            x += w
        return min(year_after(cum, x), len(self.las) - 1)

    @cython.locals(self=RunState, c=Child)
    def _plan_left_run(self, c: Child) -> None:
        """A plan transferred to an authority outside a run of one authority: no longer this run's (not ceased:
        `plans_ceased` keeps its meaning); its place is given up and its waits end uncounted."""
        self.give_up_place(c)
        c.status = "transferred_out"
        c.waiting_since = c.term_start = c.out_since = nan
        self.plans_in_force -= 1
        self.log(c, "plan_transfer", "left_the_run", LA)

    @cython.locals(self=RunState, c=Child)
    def _transfers_in_year(self, year: int) -> None:
        """1 January in a run of one authority: the plans that will arrive from outside this year, Poisson with
        mean = in-ratio x the authority's out-rate x its plans in force today (x the part of the year in the run),
        on uniform days; each child's age and attributes as the stock's, its setting in the authority's proportions
        at the start, its next review due within the coming 12 months."""
        la = self.las[0]
        now = self.engine.now
        end = min(self.horizon, self.cal.day(dt.date(year + 1, 1, 1)))
        frac = (end - now) / (self.cal.day(dt.date(year + 1, 1, 1)) - now)
        lam = (self._pt.single_authority_in_ratio.value * self._pt.out_rate(la.spec.code, year)
               * self.plans_in_force * frac)
        g = self.streams.generator(TRANSFERS_IN, la.idx, year)
        n = int(g.poisson(lam))
        if not n:
            return
        days = np.sort(g.uniform(now, end, n))
        shares = np.array([float(getattr(la.spec, f)) for _s, f in STOCK_SETTINGS])
        cum = np.cumsum(shares / shares.sum()) if shares.sum() else np.linspace(1.0, 1.0, len(shares))
        setting = np.minimum(np.searchsorted(cum, g.random(n), side="right"), len(shares) - 1)
        review_in = g.random(n) * self._review_every
        ids = np.arange(TRANSFER_IN_IDS + self._n_arrived, TRANSFER_IN_IDS + self._n_arrived + n, dtype=np.int64)
        self._n_arrived += n
        attrs = self._attributes(ids, days, self.cum_age_stock, np.zeros(n, dtype=np.int64))
        rows = zip(*(attrs[k] for k in ATTRIBUTES), strict=True)
        for cid, t, s, r, row in zip(ids.tolist(), days.tolist(), setting.tolist(), review_in.tolist(), rows,
                                     strict=True):
            c = Child(cid, la.idx, False)
            self._assign(c, row)
            c.status = "arriving"
            self.children.append(c)
            self.engine.at(t, self._cb_plan_arrives, (c, STOCK_SETTINGS[s][0], r))

    @cython.locals(self=RunState, c=Child)
    def _plan_arrives(self, arg: tuple[Child, str, float]) -> None:
        """A plan made by another authority arrives with its family (reg 15): in force here from today as if made on
        its original date (its review falls when it was due, by the later-of rule), counted in, then received as a
        transfer between the run's authorities is (`_plan_received`: a place of its kind, the 6-week notice)."""
        c, setting, review_in = arg
        now = self.engine.now
        c.status = "plan"
        c.setting = setting
        self.plans_in_force += 1
        c.moved = [(now, OUTSIDE_RUN, c.la)]
        self.counters.count(c, PLANS_TRANSFERRED_IN, now)
        self.counters.add_la(c.la, PLANS_TRANSFERRED_IN, now)
        self.log(c, "plan_transfer", "arrived_from_outside_the_run", LA)
        c.review_due = now + review_in
        if c.review_due < self.horizon:
            self.engine.at(c.review_due, self._cb_annual_review, c)
        self._schedule_transfer(c, now)
        self.schedule_plan_end(c)
        today = self.cal.date(now)
        self._plan_received(c, Move(c.la, today, today), today)
