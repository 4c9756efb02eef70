"""Annual reviews resolved in bulk, one time window at a time: the decisions that touch nothing shared.

Why: a national year reviews about 350,000 plans, and most reviews end in "maintain" or "amend" without a dispute:
a cost booked, the review counted, the next review held. As one event each, they were the largest single block of
a national year's time. So reviews are gathered by the window of days (`REVIEW_WINDOW_DAYS`) in which their
decision falls, and at the window's start one event decides them all with numpy, from the same named draws at the
same occurrences as one by one (`review_outcome`, `contents_dispute_review`). Only the reviews whose decision
interacts with the rest of the run (a cessation, a move to a special school, an amendment disputed) go on the event
list, at their own decision day, through the same step as before (`ReviewSteps._review_decision`), which draws the
same numbers again. So is every review of a child whose state is not plain at the window's start (a pending move,
asked-for content, a case study's pins, a plan no longer in force), and every review of a window a commencement
falls in (the law may change inside it).

What this changes (docs/MODEL.md, "Annual reviews in bulk"): a maintained or amended plan's review is decided on
the child's state at the window's start, up to `REVIEW_WINDOW_DAYS` before its decision day; the review's cost is
still booked on its due day and the event log still has its row on its decision day. A child whose plan ceases
for another reason between the window's start and the decision day keeps that one review (a review held within
days of a cessation, which happens). With the event log on, each bulk review still writes its row (and an
amendment's final plan) at its own day, so the log is in time order; with it off, those rows are not made.

Why this module is long: a window's storage (`Window`, `HeldReviews`, `window_of`), the holding of a review in it,
its decision one at a time (`decide_each`) and by numpy call each other as C functions of one module (`cpdef`,
review_windows.pxd); split across modules they would need cimports between stages that import each other.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from array import array

import numpy as np

from ....schema.units import DAYS_PER_YEAR
from ....schema.vocabulary import AGE_BANDS, LA
from ...core.loop import Clock
from ...core.streams import Draw, uniform_array
from ..capacity import LAState  # noqa: F401 - decide_each's `la` (review_windows.pxd)
from ..child import Child
from ..records import Counters
from ..state import RunState
from ..streams import RouteStreams
from .redress import _dispute_p

if cython.compiled:  # C's fmod, floor and copysign (`window_of`); an array's growth (`Window.add`) and making
    from cython.cimports.cpython.array import clone as _clone  # (`plain_reviews`' columns)
    from cython.cimports.cpython.array import resize_smart as _resize_smart
    from cython.cimports.libc.math import copysign as _c_copysign
    from cython.cimports.libc.math import floor as _c_floor
    from cython.cimports.libc.math import fmod as _c_fmod

REVIEW_WINDOW_DAYS = 7.0  # a week: short enough that a state change inside it is rare, long enough to batch
AGE_EDGES = np.array([5.0, 11.0, 16.0, 20.0])  # `child.age_band`'s bounds: band i holds AGE_EDGES[i-1] <= age < [i]
SCHOOL_AGE = (5.0, 16.0)  # as reviews.SCHOOL_AGE: reviewed at phase transfer only under the White Paper (WP4)

# outcome codes of `review_outcomes`
MAINTAIN, AMEND, CEASE, MOVE = 0, 1, 2, 3


def cease_probabilities(age: np.ndarray, p_cease_by_band: np.ndarray, under5_fraction: float) -> np.ndarray:
    """Each review's chance of ceasing, by its age band; spread over the shorter under-5 cycle when
    `under5_fraction` = under-5 interval / yearly interval < 1."""
    band = np.searchsorted(AGE_EDGES, age, side="right")
    p_cease = p_cease_by_band[band]
    if under5_fraction < 1.0:  # a band's spread chance once, by Python's float power (the C library's pow, as
        # `_review_decision` takes it one by one), not numpy's array power, whose vector code on an AVX-512
        # machine differs in the last bit for about 6% of values (streams.log_array says why that matters)
        spread = np.array([1.0 - (1.0 - p) ** under5_fraction for p in p_cease_by_band.tolist()], dtype=np.float64)
        p_cease = np.where(age < 5.0, spread[band], p_cease)
    return p_cease


def review_outcomes(u: np.ndarray, age: np.ndarray, mainstream: np.ndarray, p_cease_by_band: np.ndarray,
                    p_move: float, p_amend: float, under5_fraction: float) -> np.ndarray:
    """Each review's outcome from its one draw `u`, as `_review_decision` reads it: cease if u < p_cease (by age
    band; spread over the shorter under-5 cycle when `under5_fraction` = under-5 interval / yearly interval < 1),
    else a move to special (mainstream only) on the rest of u rescaled, else amend on what is left, else maintain."""
    p_cease = cease_probabilities(age, p_cease_by_band, under5_fraction)
    live = p_cease < 1.0
    u2 = np.where(live, (u - p_cease) / np.where(live, 1.0 - p_cease, 1.0), 0.0)
    pm = np.where(mainstream, p_move, 0.0)
    u3 = np.where(pm < 1.0, (u2 - pm) / np.where(pm < 1.0, 1.0 - pm, 1.0), 1.0)
    out = np.where(u3 < p_amend, AMEND, MAINTAIN)
    out = np.where(u2 < pm, MOVE, out)
    return np.where(u < p_cease, CEASE, out)


# one age of each band (AGE_EDGES' lower bounds): `cease_probabilities` of these is each band's chance
BAND_AGES = np.array([0.0, *AGE_EDGES.tolist()])
# below this many plain reviews, a window's reviews are decided one at a time (`decide_each`) in pure Python too;
# compiled, always (C arithmetic on each review beats numpy's per-call cost at any size)
EACH_BELOW = 64


_CEASE_TABLES: dict[tuple[bytes, float], tuple[float, ...]] = {}


def cease_table(p_cease_by_band: np.ndarray, under5_fraction: float) -> tuple[float, ...]:
    """Each age band's chance of ceasing at a review (`cease_probabilities` of one age of each band: the same
    values, the C library's power), kept by the bands' chances and the fraction (a window asks for it once)."""
    key = (p_cease_by_band.tobytes(), under5_fraction)
    table = _CEASE_TABLES.get(key)
    if table is None:
        table = _CEASE_TABLES[key] = tuple(cease_probabilities(BAND_AGES, p_cease_by_band, under5_fraction).tolist())
    return table


def band_probability(age: float, p0: float, p1: float, p2: float, p3: float, p4: float) -> float:
    """The chance of age band `searchsorted(AGE_EDGES, age, side="right")` of the five given (a NaN age: the last)."""
    if age < 5.0:
        return p0
    if age < 11.0:
        return p1
    if age < 16.0:
        return p2
    if age < 20.0:
        return p3
    return p4


def review_outcome(u: float, p_cease: float, mainstream: bool, p_move: float, p_amend: float) -> int:
    """`review_outcomes` of one review, given its chance of ceasing: the same operations on the same doubles."""
    if u < p_cease:
        return CEASE
    u2 = (u - p_cease) / (1.0 - p_cease) if p_cease < 1.0 else 0.0
    pm = p_move if mainstream else 0.0
    if u2 < pm:
        return MOVE
    u3 = (u2 - pm) / (1.0 - pm) if pm < 1.0 else 1.0
    return AMEND if u3 < p_amend else MAINTAIN


def draws_at(draw: Draw, ids: np.ndarray, occurrences: np.ndarray) -> np.ndarray:
    """`draw.u(id, occurrence)` for many children whose occurrences differ (one bulk draw per occurrence)."""
    if ids.size == 0:
        return np.zeros(0)
    first = int(occurrences[0])
    if (occurrences == first).all():
        return uniform_array(draw, ids, first)
    out = np.empty(ids.size)
    for o in np.unique(occurrences).tolist():
        m = occurrences == o
        out[m] = uniform_array(draw, ids[m], o)
    return out


# the windows kept in a list by their number counted from the first (`HeldReviews.k0`), up to this many; a window
# outside them (before the first, or a run of thousands of years) is kept by its key, as all were before
LISTED_WINDOWS = 1 << 20  # (written as the literal 1048576.0 in `HeldReviews`' tests: a C comparison, compiled)


def window_of(day: float) -> float:
    """`day // REVIEW_WINDOW_DAYS`, the window of a decision day. Compiled, Python's floor division of two floats done
    on C doubles as CPython does it (`_float_div_mod`: `fmod`, the quotient of what is left, one less if the
    remainder's sign differs from the divisor's, snapped to the nearest integer; a zero quotient takes the sign of
    the true one), so the same float, without a float made and the division called through Python."""
    if not cython.compiled:
        return day // REVIEW_WINDOW_DAYS
    w = REVIEW_WINDOW_DAYS
    # below 2**49 in size (the days of any run), one division, its floor put right by exact products: the exact
    # floor, which is what CPython's steps give there (a zero's sign as theirs); the quotient is within one of it
    if -562949953421312.0 < day < 562949953421312.0:
        fl = _c_floor(day / w)
        if fl * w > day:
            fl -= 1.0
        elif (fl + 1.0) * w <= day:
            fl += 1.0
        return fl
    return floor_div(day, w)


def floor_div(a: float, b: float) -> float:
    """`a // b` for two floats. Compiled, CPython's own steps (`_float_div_mod`: `fmod`, the quotient of what is left,
    one less if the remainder's sign differs from the divisor's, snapped to the nearest integer; a zero quotient takes
    the sign of the true one) on C doubles, so the same float without one made or the division called through
    Python. Shared by `window_of` (beyond its fast range) and `reviews._whole_years` (a child's age in years)."""
    if not cython.compiled:
        return a // b
    mod = _c_fmod(a, b)
    div = (a - mod) / b
    if mod != 0.0 and (b < 0.0) != (mod < 0.0):
        div -= 1.0
    if div != 0.0:
        fl = _c_floor(div)
        if div - fl > 0.5:
            fl += 1.0
    else:
        fl = _c_copysign(0.0, a / b)
    return fl


class Window:
    """One window's held reviews, as columns in the order they were held: the children, their due days and their
    decision days (the days as doubles, `array('d')`: the same values as the floats the steps handed on). Why
    columns: a tuple a review (made, tracked by the collector, untracked and freed when the window is decided, months
    later, cold) cost more than the three list entries; and why doubles: a decision day's float, made for the window
    alone, was freed cold too, when the window was decided up to a year later (issue 28's sixteenth round)."""

    __slots__ = ("kids", "dues", "decs")

    def __init__(self) -> None:
        self.kids: list[Child] = []
        self.dues = array("d")
        self.decs = array("d")

    def add(self, c: Child, due: float, decided: float) -> None:
        """One review held: its child, due day and decision day appended (compiled, the days stored as C doubles)."""
        self.kids.append(c)
        if cython.compiled:
            n = len(self.decs)
            _resize_smart(self.dues, n + 1)
            _resize_smart(self.decs, n + 1)
            self.dues.data.as_doubles[n] = due
            self.decs.data.as_doubles[n] = decided
        else:
            self.dues.append(due)
            self.decs.append(decided)


class HeldReviews:
    """The windows that hold reviews not yet decided, by window number: a list indexed from `k0` (the clock's window
    when the run's windows opened), so a review finds its window by a C index rather than a float key's hash; a
    window outside the list (`LISTED_WINDOWS`) by its key in `far`. A window decided is taken out (a review held
    in it later, a plan's first, opens it again, as before)."""

    __slots__ = ("k0", "held", "far")

    def __init__(self, now: float) -> None:
        self.k0 = window_of(now)
        self.held: list[Window | None] = []
        self.far: dict[float, Window] = {}

    def get(self, k: float) -> Window | None:
        x = k - self.k0
        if 0.0 <= x < 1048576.0:
            j = int(x)
            held = self.held
            return held[j] if j < len(held) else None
        return self.far.get(k)

    def put(self, k: float, w: Window) -> None:
        x = k - self.k0
        if 0.0 <= x < 1048576.0:
            j = int(x)
            held = self.held
            if j >= len(held):
                held.extend([None] * (max(j + 1, 2 * len(held)) - len(held)))
            held[j] = w
        else:
            self.far[k] = w

    def pop(self, k: float) -> Window:
        x = k - self.k0
        if 0.0 <= x < 1048576.0:
            j = int(x)
            held = self.held
            w = held[j]
            held[j] = None
            return w
        return self.far.pop(k)

    def held_keys(self) -> list[float]:
        """The windows held, in order (a test's view)."""
        return sorted([self.k0 + j for j, w in enumerate(self.held) if w is not None] + list(self.far))


@cython.locals(self=RunState, ws=HeldReviews, w=Window)
def _window(self, k: float) -> Window:
    """Window `k`'s batch; opened, and its event scheduled, when its first review arrives (at once, if the window has
    begun)."""
    ws = self._windows
    w = ws.get(k)
    if w is None:
        w = Window()
        ws.put(k, w)
        kk = k  # (a Python float: the window's start and key as the old code made them)
        start = kk * REVIEW_WINDOW_DAYS
        now = self.engine.now
        self.engine.at(max(start, now), self._decide_window, kk)
    return w


# A review's meeting held and its decision put in its window: module functions, `cpdef` in review_windows.pxd,
# so that `_apply_bulk` (for each plan it decides) and the steps of reviews.py call them in C; each is also the
# journey's method of that name.
@cython.locals(self=RunState, c=Child, w=Window)
def hold_in_window(self, c: Child, due: float, decided: float) -> None:
    """A review whose decision falls on `decided` (before the horizon) joins its window's batch; the window's
    event is scheduled when its first review arrives (at once, if the window has begun)."""
    w = _window(self, window_of(decided))
    w.add(c, due, decided)


@cython.locals(self=RunState, c=Child, rng=RouteStreams)
def _review_held(self, c: Child, due: float) -> None:
    """The meeting is held (late in some authorities) and its decision gathered into its window's batch
    (decided in bulk unless it interacts), which books the meeting's cost; a meeting whose
    decision falls after the horizon is booked alone. (Compiled, the days are C doubles: the same IEEE sums and
    product as Python's floats.) A review due after the run's end is not held, but its date is kept: a plan
    transfer's later-of rule reads it (reg 15, route/moves.py)."""
    c.review_due = due
    hz = self.horizon
    if due >= hz:
        return
    i, k = c.id, c.reviews
    rng = self.rng
    meeting = due
    p_late = self._p_review_late
    if rng.review_late.u(i, k) < p_late:
        meeting += rng.review_late_days.exponential(self._review_late_days, i, k)
    days = self.law_review_decision_days
    decided = meeting + days * rng.review_decision.u(i, k)
    if decided < hz:
        hold_in_window(self, c, due, decided)
    else:
        self.engine.at(due, self._cb_review_meeting_only, c)


# empty templates of `plain_reviews`' columns (compiled, each column is a C copy of one: `clone`)
_LONGS, _DOUBLES, _BYTES = array("q"), array("d"), array("B")


def plain_reviews(kids_in: list[Child], dues_in: array, decs_in: array) -> tuple:
    """A window's reviews split, in order: the plain ones (a plan in force, no case study's pins, no content asked
    for, no move pending), as a list of their children, with their due and decision days and birth days as doubles,
    each child's id and next review's occurrence (`reviews + 1`) as int64 and whether its setting is mainstream (1 or
    0, an `array('B')`), in arrays as long as the window (the first `len(children)` entries filled); and the others'
    places in the window, in order. Why one pass: each child is read once while it is in the cache (the window's
    filter and its columns were two passes over thousands of children, each of them scattered in memory, in a long
    run). Compiled, the columns are read and written through their arrays' C data pointers: a typed memoryview of
    each (eight a window, and six more in `decide_each`) cost about 1,500 instructions to take, per window, and most
    windows hold a few reviews (issue 28's eighteenth round)."""
    n = len(kids_in)
    if cython.compiled:  # (C copies of empty templates, filled below through their data pointers)
        ids, occ = _clone(_LONGS, n, False), _clone(_LONGS, n, False)
        born, dues, decs = _clone(_DOUBLES, n, False), _clone(_DOUBLES, n, False), _clone(_DOUBLES, n, False)
        mainstream = _clone(_BYTES, n, True)
        iv, ov = ids.data.as_longlongs, occ.data.as_longlongs
        bv, dv, tv = born.data.as_doubles, dues.data.as_doubles, decs.data.as_doubles
        mv = mainstream.data.as_uchars
        dvi, tvi = dues_in.data.as_doubles, decs_in.data.as_doubles
    else:
        ids = array("q", [0]) * n
        occ = array("q", [0]) * n
        born = array("d", [0.0]) * n
        dues = array("d", [0.0]) * n
        decs = array("d", [0.0]) * n
        mainstream = array("B", [0]) * n
        iv, ov, bv, mv = ids, occ, born, mainstream
        dv, tv, dvi, tvi = dues, decs, dues_in, decs_in
    kids, others = [], []
    m = 0
    for i in range(n):
        if cython.compiled:
            _prefetch_kid(kids_in, i + 8)  # noqa: F821 - review_windows.pxd
        c = kids_in[i]
        if c.status == "plan" and c.pins is None and c.content is None and c.review_after != c.review_after:
            kids.append(c)
            dv[m] = dvi[i]
            tv[m] = tvi[i]
            iv[m] = c.id
            ov[m] = c.reviews + 1
            bv[m] = c.born
            mv[m] = 1 if c.setting == "mainstream" else 0
            m += 1
        else:
            others.append(i)
    return kids, dues, decs, others, ids, occ, born, mainstream


def decide_each(self, kids: list[Child], dues: array, decs: array, ids: array, occ: array, born_a: array,
                main_a: bytearray) -> None:
    """A window's plain reviews decided one at a time, with what `_decide_window`'s numpy passes and `_apply_bulk`
    do, in the same order: the same draws (`Draw.u` gives `uniform_array`'s numbers), the same double operations
    on the same values (`review_outcome`; a band's chance of ceasing is `cease_probabilities` of that band's age,
    numpy's own value), so the same outcomes, next reviews and effects. The columns (`plain_reviews`) are read
    before any review takes effect, as the numpy passes read them. Why: most windows hold a few reviews (a plan's
    first, held when its meeting falls in a window already decided): numpy's fixed cost a call, about 40 calls a
    window, was the largest part of the review windows' time in a long run."""
    one_by_one = self._review_decision
    engine, counters = self.engine, self.counters
    costs = self._review_costs
    logged = self._review_logged if self.rec is not None else None
    under5, every = self._review_every_under5, self._review_every
    shorter = self._review_every_under5 < self._review_every
    table = cease_table(self._p_cease_by_band, self._review_every_under5 / self._review_every)
    p0, p1, p2, p3, p4 = table[0], table[1], table[2], table[3], table[4]
    p_move, p_amend = self._p_move_to_special, self._p_amend
    wp4 = bool(self.fx.reviews_at_phase_transfer_only)
    outcome_draw, dispute_draw = self.rng.review_outcome, self.rng.contents_dispute_review
    if cython.compiled:  # (the columns' C data pointers: no typed memoryview taken for each, `plain_reviews`)
        iv, ov, bv, mv = ids.data.as_longlongs, occ.data.as_longlongs, born_a.data.as_doubles, main_a.data.as_uchars
        dv, tv = dues.data.as_doubles, decs.data.as_doubles
    else:
        iv, ov, bv, mv, dv, tv = ids, occ, born_a, main_a, dues, decs
    amend, cease = AMEND, CEASE  # (compiled: C ints, compared in C)
    n_seen = 0  # (compiled: the chances of a contents dispute met so far, `seen_*`)
    year = DAYS_PER_YEAR  # (compiled: a C double, so the ages are C divisions, the same IEEE quotients)
    n = len(kids)
    for i in range(n):
        if cython.compiled:  # (a hint: the child four reviews ahead; its `review_due` is a C double in those lines)
            _prefetch_kid(kids, i + 4)  # noqa: F821 - review_windows.pxd
        c = kids[i]
        t = tv[i]
        born = bv[i]
        k = ov[i]
        age = (t - born) / year
        pc = band_probability(age, p0, p1, p2, p3, p4)
        u = outcome_draw.u(iv[i], k)
        o = review_outcome(u, pc, mv[i] != 0, p_move, p_amend)
        if o == amend:
            if cython.compiled:
                ud = dispute_draw.u(iv[i], k)
                # `_dispute_p(self, c, "contents")` depends on the child only through its authority's effects
                # (`la.fx`) and its capacity: kept for each pair of those objects met in this window (by identity;
                # nothing changes them while a window is decided), as the same double
                la = self.las[c.la]
                fxp = cython.cast(cython.p_void, la.fx)
                capp = cython.cast(cython.p_void, c.capacity)
                j = 0
                while j < n_seen and (seen_fx[j] != fxp or seen_cap[j] != capp):  # noqa: F821 - C arrays, .pxd
                    j += 1
                if j < n_seen:
                    pd = seen_p[j]  # noqa: F821
                else:
                    pd = _dispute_p(self, c, "contents")
                    if n_seen < 16:
                        seen_fx[n_seen] = fxp  # noqa: F821
                        seen_cap[n_seen] = capp  # noqa: F821
                        seen_p[n_seen] = pd  # noqa: F821
                        n_seen += 1
                if ud < pd:
                    o = cease  # an amendment the family disputes starts a dispute: one by one
            elif dispute_draw.u(iv[i], k) < _dispute_p(self, c, "contents"):
                o = cease
        if o > amend:
            engine.at(t, one_by_one, (c, dv[i]))
            continue
        c.reviews = k
        counters.count_each(c, costs, dv[i])
        step = every  # `review_interval`: the under-5 cycle if the child is under 5 at the next review
        if shorter and (t + under5 - born) / year < 5.0:
            step = under5
        nx = t + step
        if not (wp4 and SCHOOL_AGE[0] <= age < SCHOOL_AGE[1]):
            _review_held(self, c, nx)  # (past the run's end: its date kept for a transfer, reg 15)
        if logged is not None:
            engine.at(t, logged, (c, o, k))


class ReviewWindows:
    """Reviews gathered by window and decided in bulk: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState)
    def _open_review_windows(self) -> None:
        """No review gathered yet; the commencement days, in whose windows every review goes one by one."""
        self._windows = HeldReviews(self.engine.now)
        self._commence_days = [day for day, _law in self.law_schedule]
        bands = self.p_cease
        self._p_cease_by_band = np.array([bands[b] for b in AGE_BANDS])

    hold_in_window = hold_in_window
    _review_held = _review_held

    @cython.locals(self=RunState)
    def hold_in_windows(self, kids: list[Child], due: np.ndarray, decided: np.ndarray) -> None:
        """`hold_in_window` for many reviews at once (the stock's first ones), `decided` in increasing order: the same
        windows (numpy's floor division is Python's, a test checks), scheduled in the same order, each with the same
        list of reviews in the same order."""
        ks = np.floor_divide(decided, REVIEW_WINDOW_DAYS)
        if ks.size == 0:
            return
        bounds = [0, *(np.flatnonzero(np.diff(ks)) + 1).tolist(), ks.size]
        keys = ks[bounds[:-1]].tolist()  # each window's key, the same float as `ks.tolist()[a]`
        # the days appended as their bytes (the same doubles): `array.extend` of a list of floats parses each item
        # (about 350 million instructions for a national year's stock, a tenth of the set-up; issue 28)
        due = np.ascontiguousarray(due, dtype=np.float64)
        decided = np.ascontiguousarray(decided, dtype=np.float64)
        for key, a, b in zip(keys, bounds[:-1], bounds[1:], strict=True):
            w = _window(self, key)
            w.kids.extend(kids[a:b])
            w.dues.frombytes(memoryview(due[a:b]).cast("B"))
            w.decs.frombytes(memoryview(decided[a:b]).cast("B"))

    @cython.locals(self=RunState, c=Child, engine=Clock, w=Window, wk=list, j=cython.Py_ssize_t)
    def _decide_window(self, k: float) -> None:
        """Decide a window's reviews: the plain ones in bulk, the rest on the event list at their decision day."""
        w = self._windows.pop(k)
        engine = self.engine  # (compiled: a `Clock`, so `engine.at` is a C call through its method table)
        now = engine.now
        one_by_one = self._review_decision
        end = (k + 1.0) * REVIEW_WINDOW_DAYS
        wk, wd, wt = w.kids, w.dues, w.decs
        if any(now < d < end for d in self._commence_days):  # the law changes inside the window
            for j in range(len(wk)):
                engine.at(wt[j], one_by_one, (wk[j], wd[j]))
            return
        kids, dues, decs, others, ids_a, occ_a, born_a, main_a = plain_reviews(wk, wd, wt)
        for j in others:  # not plain: decided at its day, on its state then
            engine.at(wt[j], one_by_one, (wk[j], wd[j]))
        if not kids:
            return
        if cython.compiled or len(kids) < EACH_BELOW:
            decide_each(self, kids, dues, decs, ids_a, occ_a, born_a, main_a)
            return
        m = len(kids)
        ids = np.frombuffer(ids_a, dtype=np.int64)[:m]
        occ = np.frombuffer(occ_a, dtype=np.int64)[:m]
        born = np.frombuffer(born_a, dtype=np.float64)[:m]
        mainstream = np.frombuffer(main_a, dtype=np.bool_)[:m]
        decided = np.frombuffer(decs, dtype=np.float64)[:m]  # (the values `np.asarray` gave of the floats)
        age = (decided - born) / DAYS_PER_YEAR
        outcome = review_outcomes(draws_at(self.rng.review_outcome, ids, occ), age, mainstream,
                                  self._p_cease_by_band, self._p_move_to_special, self._p_amend,
                                  self._review_every_under5 / self._review_every)
        amend = outcome == AMEND
        if amend.any():  # an amendment the family disputes starts a dispute: one by one
            dispute_u = draws_at(self.rng.contents_dispute_review, ids[amend], occ[amend]).tolist()
            idx = np.flatnonzero(amend).tolist()
            disputed = [j for j, u in zip(idx, dispute_u, strict=True) if u < _dispute_p(self, kids[j], "contents")]
            if disputed:
                outcome[disputed] = CEASE  # (any code that goes one by one)
        # the next review (`review_interval`, and none for a school-age plan under WP4), for all at once
        under5, every = self._review_every_under5, self._review_every
        nxt = decided + (np.where((decided + under5 - born) / DAYS_PER_YEAR < 5.0, under5, every)
                         if under5 < every else every)
        again = np.ones(m, dtype=bool)
        if self.fx.reviews_at_phase_transfer_only:
            again &= ~((SCHOOL_AGE[0] <= age) & (age < SCHOOL_AGE[1]))
        self._apply_bulk(kids, dues[:m].tolist(), decs[:m].tolist(), occ.tolist(), outcome.tolist(),
                         np.where(again, nxt, np.nan).tolist())

    @cython.locals(self=RunState, c=Child, engine=Clock, counters=Counters)
    def _apply_bulk(self, kids: list[Child], dues: list[float], decs: list[float], occ: list[int],
                    outcome: list[int], nxt: list[float]) -> None:
        """Each review's effects, as `_review_decision` has them: counted, costed on its due day, the next review
        held (`nxt`: NaN for none); an interacting outcome goes on the event list at its decision day instead."""
        one_by_one = self._review_decision
        engine, counters = self.engine, self.counters  # (compiled: typed, so `at` and `count_each` are C calls)
        costs = self._review_costs
        logged = self._review_logged if self.rec is not None else None
        for c, due, t, k, o, n in zip(kids, dues, decs, occ, outcome, nxt, strict=True):
            if o > AMEND:
                engine.at(t, one_by_one, (c, due))
                continue
            c.reviews = k
            counters.count_each(c, costs, due)
            if n == n:
                _review_held(self, c, n)  # (past the run's end: its date kept for a transfer, reg 15)
            if logged is not None:
                engine.at(t, logged, (c, o, k))

    @cython.locals(self=RunState, c=Child)
    def _review_logged(self, arg: tuple) -> None:
        """The event log's row of a review decided in bulk, on its decision day (and an amendment's final plan)."""
        c, outcome, k = arg
        if outcome == AMEND:
            self.log(c, "annual_review", "amend", LA)
            self._propose_amendments(c, k)
        else:
            self.log(c, "annual_review", "maintain", LA)
