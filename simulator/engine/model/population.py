"""The children: the stock of plans in force at the start, every request of the horizon, and their attributes.

Speed lives here, apart from the law: attributes and the first pass's draws are made in bulk with numpy (the
same keyed numbers as one by one, `engine.core.streams`), or, compiled, by one C loop into typed columns
(`AttributeRows`), and the stock's first reviews are gathered into the windows in which they are decided in bulk
(`route/review_windows.py`).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.

Why this module is long: the compiled core's attribute columns (`AttributeRows`, `_fill_rows`) must give exactly
the values of the numpy `_attributes` and its lists, the pure path's; they sit beside them, so that a change to one
is seen beside the other (tests/test_population_rows.py checks them against the draws one by one).
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ..core.cython_shim import cython

import datetime as dt
from typing import Any

import numpy as np

from ...schema.rules import REQUESTS_MULTIPLIER_MAX
from ...schema.units import DAYS_PER_YEAR
from ...schema.vocabulary import (
    AGE_BANDS,
    CAPACITIES,
    REQUESTERS,
    SETTINGS,
)
from ..core.resources import Resource, noop, release
from ..core.streams import choice_array, log_array, uniform_array
from .child import AGE_RANGES, ATTRIBUTES, PHASE_ENDS, Child, new_child
from .state import RunState
from .streams import (
    ARRIVALS,
    ARRIVALS_LEAD_IN,
    FIRST_PASS_DURATION_PREFETCH,
    FIRST_PASS_PREFETCH,
    STOCK_REVIEW_PREFETCH,
)

OVERSAMPLE = REQUESTS_MULTIPLIER_MAX  # 1.5: requests are drawn at 1.5x the rate and thinned (see _arrival_times)


@cython.locals(c=Child)
def assign_attributes(c: Child, row: tuple) -> None:
    """A child's attributes from one row of `_attributes`, in the order of ATTRIBUTES (a module function: a C call
    from the compiled loops below, once a child)."""
    (c.requester, c.born, c.need, c.preferred, c.on_s41, c.capacity, c.health, c.social, c.exception,
     c.gid, c.pid) = row


@cython.locals(c=Child, col=list)
def assign_row(c: Child, cols: tuple, i: int) -> None:
    """A child's attributes from row `i` of `_attributes`'s columns, given in the order of ATTRIBUTES (one list each):
    what `assign_attributes` of that row sets, without making the row (a zip's tuple a child, then unpacked); a C
    function, once a child (tests/test_hot_path.py checks the two agree). Each column is read as a list (compiled:
    a list's own item read, not the generic `[]` of an object)."""
    col = cols[0]
    c.requester = col[i]
    col = cols[1]
    c.born = col[i]
    col = cols[2]
    c.need = col[i]
    col = cols[3]
    c.preferred = col[i]
    col = cols[4]
    c.on_s41 = col[i]
    col = cols[5]
    c.capacity = col[i]
    col = cols[6]
    c.health = col[i]
    col = cols[7]
    c.social = col[i]
    col = cols[8]
    c.exception = col[i]
    col = cols[9]
    c.gid = col[i]
    col = cols[10]
    c.pid = col[i]


def _columns(attrs: dict[str, list], n: int) -> tuple[list, ...]:
    """`_attributes`'s lists in the order of ATTRIBUTES (for `assign_row`), each checked to hold `n` rows (as the zip
    of them with `strict=True` did)."""
    cols = tuple(attrs[k] for k in ATTRIBUTES)
    if any(len(col) != n for col in cols):
        raise ValueError(f"attribute columns of lengths {[len(col) for col in cols]}, not {n}")
    return cols


def _names(names: tuple[str, ...] | list[str]) -> np.ndarray:
    """`names` as a numpy array of the same objects (taking from it by an array of indices gives the objects
    `names[i]` gives)."""
    out = np.empty(len(names), dtype=object)
    out[:] = list(names)
    return out


class AttributeRows:
    """The attributes of many children as typed columns (the compiled core's `_attributes`): what `_attributes`'s
    lists hold, as indices into the names, doubles and bits, written by one C loop (`_fill_rows`) and set on a child
    by `assign` (C stores: the birth day a C double into the child's C double, a name the vocabulary tuple's own str
    object, a yes/no the same True or False).

    Why: the lists cost, for each child, an object made and freed per attribute (a float for the birth day, ints for
    the groups), numpy's per-item `tolist`, `choice_array`'s searches and a dozen array passes, then a list read per
    attribute: about 2,600 instructions a child, for the 350,000 plans in force and 180,000 requests of a national
    year. Compiled only: the pure path keeps the lists (`_columns`, `assign_row`), whose values these equal
    (tests/test_population_rows.py)."""

    def __init__(self, n: int, needs: tuple[str, ...]):
        self.requesters, self.needs, self.settings, self.capacities = REQUESTERS, needs, SETTINGS, CAPACITIES
        self.req = np.empty(n, dtype=np.intp)  # indices into the four tuples above
        self.need = np.empty(n, dtype=np.intp)
        self.pref = np.empty(n, dtype=np.intp)
        self.cap = np.empty(n, dtype=np.intp)
        self.gid = np.empty(n, dtype=np.intc)
        self.pid = np.empty(n, dtype=np.intc)
        self.flags = np.empty(n, dtype=np.uint8)  # bits: on_s41 1, health 2, social 4, exception 8
        self.born_days = np.empty(n, dtype=np.float64)  # the array (for `may_date_steps`), and `born` its C view
        self.born = self.born_days

    @cython.locals(c=Child)  # (f: a C int, population.pxd)
    def assign(self, c: Child, i: int) -> None:
        """Child `c`'s attributes from row `i`: the values `assign_row` sets from `_attributes`'s lists."""
        c.requester = self.requesters[self.req[i]]
        c.born = self.born[i]
        c.need = self.needs[self.need[i]]
        c.preferred = self.settings[self.pref[i]]
        f = self.flags[i]
        c.on_s41 = (f & 1) != 0
        c.capacity = self.capacities[self.cap[i]]
        c.health = (f & 2) != 0
        c.social = (f & 4) != 0
        c.exception = (f & 8) != 0
        c.gid = self.gid[i]
        c.pid = self.pid[i]


def _choose(cum: Any, n: int, u: float) -> int:
    """`Draw.choice` on the `n` cumulative shares at `cum` (a C pointer): the first index whose share exceeds `u`, else
    the last (for a non-decreasing list, the count of shares <= u: what `choice_array`'s searchsorted gives)."""
    k = 0
    while k < n and cum[k] <= u:
        k += 1
    return min(k, n - 1)


def _fill_rows(rows: AttributeRows, i0: int, us: Any, age_cum: Any, by_row: bool, lo: Any, hi: Any, ends: Any,
               at: Any, region: Any, n_regions: int, n_requesters: int, n_needs: int, c_school: Any, c_post16: Any,
               c_req: Any, c_need: Any, c_cap: Any, p_s41: float, p_health: float, p_social: float,
               p_exception: float, days_per_year: float) -> None:
    """`_attributes`'s arithmetic for each child of a chunk in one C loop (compiled only), on the same uniforms (`us`,
    a row a stream in `_ROW_STREAMS`'s order, from `uniform_array`) with the same double operations in the same
    order: the age band (by the child's own row of `age_cum`, or its first row for all), the age, the preferred
    setting, the group, the other group (phase x region), the birth day and the four yes/no draws. The chunk's
    children are rows `i0`, `i0 + 1`, ... of `rows`; `us`, `at`, `region` (and `age_cum`, by row) are the chunk's
    own. (The shares are read through C pointers: a memoryview handed to a function is counted in and out, an
    atomic operation each.)"""
    n = us.shape[1]
    nb = age_cum.shape[1]
    ne = ends.shape[0]
    p_sc, n_sc = cython.address(c_school[0]), c_school.shape[0]
    p_16, n_16 = cython.address(c_post16[0]), c_post16.shape[0]
    p_rq, n_rq = cython.address(c_req[0]), c_req.shape[0]
    p_nd, n_nd = cython.address(c_need[0]), c_need.shape[0]
    p_cp, n_cp = cython.address(c_cap[0]), c_cap.shape[0]
    # no bounds checks: every index is below the arrays' lengths, which `_attribute_rows` makes alike (compiled
    # only: the pure path never calls this function, so Cython's shadow module or the shim is never asked)
    with cython.boundscheck(False), cython.wraparound(False):
        for i in range(n):
            u = us[0, i]
            r = i if by_row else 0
            band = _choose(cython.address(age_cum[r, 0]), nb, u)  # as `(age_cum <= u).sum()`, at most the last band
            age = lo[band] + (hi[band] - lo[band]) * us[1, i]
            school = _choose(p_sc, n_sc, us[2, i])
            post16 = _choose(p_16, n_16, us[2, i])
            req = _choose(p_rq, n_rq, us[3, i])
            need = _choose(p_nd, n_nd, us[4, i])
            cap = _choose(p_cp, n_cp, us[5, i])
            j = i0 + i
            rows.req[j] = req
            rows.need[j] = need
            rows.cap[j] = cap
            rows.pref[j] = post16 if age >= 16 else school
            rows.gid[j] = (cap * n_requesters + req) * n_needs + need
            k = 0
            while k < ne and ends[k] <= age:  # searchsorted(PHASE_ENDS, age, side="right")
                k += 1
            rows.pid[j] = k * n_regions + region[i]
            rows.born[j] = at[i] - age * days_per_year  # (a C double: DAYS_PER_YEAR)
            f = 0
            if us[6, i] < p_s41:
                f |= 1
            if us[7, i] < p_health:
                f |= 2
            if us[8, i] < p_social:
                f |= 4
            if us[9, i] < p_exception:
                f |= 8
            rows.flags[j] = f


def _take(kids: list, order: np.ndarray) -> list:
    """`[kids[i] for i in order]` (`order` an int64 array). Compiled, each index read from the array as a C integer
    and the child by it: no int object made an index (`order.tolist()`: 322,000 of them for the stock's reviews of a
    national year, most above the small ints Python keeps), and no generic item read (a comprehension's variable)."""
    if cython.compiled:
        out = []
        for j in range(order.shape[0]):
            out.append(kids[order[j]])
        return out
    return [kids[i] for i in order.tolist()]


# the streams `_attributes` draws, in `_fill_rows`'s row order
_ROW_STREAMS = ("age_band", "age", "preferred", "requester", "need", "capacity", "on_s41", "health", "social",
                "exception")
# children a chunk of `_attribute_rows`: its uniforms (10 x 4,096 doubles, 320 kB) stay in the cache between being
# drawn and being read, and are one small block used again for every chunk. Why: drawn for all the children at once
# (28 MB for the 350,000 plans in force of a national year) they were fresh memory that numpy asks the kernel to back
# with huge pages (4 MB and over), and faulting those in (2 MB zeroed at a time) cost 0.08-0.25 CPU s a national
# year, more than the draws themselves (perf at 1x: `clear_page_erms` under `_fill_uniform`, 3.6% of the process)
_CHUNK = 4096


class Population:
    """The children: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child, res=Resource, runs=list, dated=list, places=list, kids=list,
                   i=cython.Py_ssize_t, i0=cython.Py_ssize_t, n=cython.Py_ssize_t, n_stock=cython.Py_ssize_t, cols=tuple,
                   rows=AttributeRows, dues=list)
    def populate(self) -> None:
        """Create the stock of plans in force at the start and schedule every request of the horizon."""
        runs = []  # the stock, authority by authority: (authority, setting, plans), the children in this order
        for la in self.las:
            s = la.spec
            for setting, n in (("mainstream", s.stock_mainstream), ("resourced_provision", s.stock_resourced_provision),
                               ("maintained_special", s.stock_maintained_special),
                               ("independent_special", s.stock_independent_special), ("post16", s.stock_post16),
                               ("alternative_provision", s.stock_alternative_provision),
                               ("mainstream", s.stock_other)):
                runs.append((la.idx, setting, n))
        # each child's authority, as an array made from the runs (without numpy's per-item discovery of a list)
        stock_la = np.repeat(np.array([k for k, _, _ in runs], dtype=np.int64),
                             np.array([n for _, _, n in runs], dtype=np.int64))
        n_stock = stock_la.shape[0]
        ids = np.arange(n_stock, dtype=np.int64)
        if cython.compiled:  # the attributes as typed columns (AttributeRows), else as lists (the same values)
            rows = self._attribute_rows(ids, np.zeros(n_stock), self._stock_age_cum(stock_la), stock_la)
            born_days = rows.born_days
        else:
            attrs = self._attributes(ids, np.zeros(n_stock), self._stock_age_cum(stock_la), stock_la)
            born_days = attrs["born_days"]
            cols = _columns(attrs, n_stock)
        first_review = uniform_array(self.rng.stock_review, ids) * self.law.annual_review_days
        # the phase transfer and the end at 25 are scheduled one by one as before, but only for the children
        # whose steps can fall in the run (`may_date_steps`: a superset, with a margin; most have none)
        dated = self.may_date_steps(born_days, 0.0).tolist()
        places = [la.places for la in self.las]
        kids = self.children
        dues = first_review.tolist()
        i0 = 0
        for la, setting, n in runs:  # a run's authority, setting and place (its Resource, if any) looked up once
            res = places[la].get(setting)
            for i in range(i0, i0 + n):
                c = new_child(i, la, True)
                if cython.compiled:
                    rows.assign(c, i)
                else:
                    assign_row(c, cols, i)
                c.status = "plan"
                c.setting = setting
                c.provision_at = 0.0
                c.setting_since = 0.0
                kids.append(c)
                if res is not None:
                    c.place_res = res
                    c.place_job = res.seize(c, noop)
                c.review_due = dues[i]  # the first review, as a plan's next (a transfer re-dates it by reg 15's
                # later-of rule: route/moves.py; set here, before the first review is scheduled below: no step between
                # reads it)
                if dated[i]:
                    self._schedule_transfer(c, 0.0)
                    self.schedule_plan_end(c)
            i0 += n
        self.plans_in_force += n_stock
        self.n_stock = n_stock
        self.disputes_at_start()
        # first reviews of the stock: each one's decision day (the meeting, late in some authorities, then the
        # decision within 4 weeks; the same draws as _review_held), gathered into the windows in which they are
        # decided in bulk (route/review_windows.py); a meeting whose decision falls after the horizon is booked alone
        rv = self.sc.reviews
        late = np.where(uniform_array(self.rng.review_late, ids) < rv.review_late_probability.value,
                        -rv.review_late_extra_days.value * log_array(uniform_array(self.rng.review_late_days, ids)), 0.0)
        decided = first_review + late + self.law.review_decision_days * uniform_array(self.rng.review_decision, ids)
        order = np.argsort(decided, kind="stable")  # stable: equal days keep the children's order
        order = order[decided[order] < self.horizon]
        # (the days taken by the array of indices: by the list, numpy converted each index on its own)
        self.hold_in_windows(_take(kids, order), first_review[order], decided[order])
        only = np.flatnonzero((decided >= self.horizon) & (first_review < self.horizon))
        for i, due in zip(only.tolist(), first_review[only].tolist(), strict=True):
            self.engine.at(due, self._cb_review_meeting_only, kids[i])
        self._n_generated = 0
        t_arr, la_arr, id_arr = self._arrival_arrays()
        times, las, new_ids = t_arr.tolist(), la_arr.tolist(), id_arr.tolist()
        # the arrivals' attributes, a row each, in order (AttributeRows compiled, else `_attributes`'s lists)
        if cython.compiled:
            self._new_rows = self._attribute_rows(id_arr, t_arr, self.cum_age_request, la_arr)
        else:
            self._new_rows = _columns(self._attributes(id_arr, t_arr, self.cum_age_request, la_arr), len(new_ids))
        self._arrivals = (times, las, new_ids)
        self._arr_i = 0
        self._prefetch_draws()
        self._population_moves(stock_la)
        self._extra = 0
        if times:
            self.engine.at(times[0], self._cb_arrive, None)
        for y, day in self.cal.year_starts():
            if 0.0 <= day <= self.horizon:
                self.engine.at(day, self._snapshot, y)
        self.tribunal_backlog_at_start()

    @cython.locals(self=RunState)
    def _stock_age_cum(self, stock_la: np.ndarray) -> list[float] | np.ndarray:
        """The age mix each plan in force at the start is drawn from: its authority's own January counts by age
        (`stock_age`) where the scenario gives them, else the national mix (one shared list: the old, faster path)."""
        if not any(la.spec.stock_age for la in self.las):
            return self.cum_age_stock
        rows = []
        for la in self.las:
            n = sum(la.spec.stock_age.values())
            if n:
                shares = [la.spec.stock_age.get(a, 0) / n for a in AGE_BANDS]
                rows.append(np.cumsum(shares))
            else:
                rows.append(np.asarray(self.cum_age_stock, dtype=float))
        return np.asarray(rows)[stock_la] if stock_la.size else np.zeros((0, len(AGE_BANDS)))

    @cython.locals(self=RunState)
    def disputes_at_start(self) -> None:
        """Disputes about existing plans already under way on the start date (a lead-in of new requests cannot make
        them): they reach mediation or appeal over the first weeks, as the remaining time of a dispute in progress."""
        r = self.sc.redress
        n = int(r.disputes_in_progress_at_start.value)
        if n <= 0 or self.n_stock == 0:
            return
        ids = np.arange(n, dtype=np.int64)
        who = (uniform_array(self.rng.dispute_at_start_child, ids) * self.n_stock).astype(np.int64).tolist()
        when = (uniform_array(self.rng.dispute_at_start_day, ids) * r.disputes_in_progress_window_days.value).tolist()
        for i, t in zip(who, when, strict=True):
            self.engine.at(t, self._dispute_at_start, self.children[i])

    @cython.locals(self=RunState, c=Child)
    def _dispute_at_start(self, c: Child) -> None:
        if c.status == "plan":
            self.start_dispute(c, "contents")

    @cython.locals(self=RunState)
    def _prefetch_draws(self) -> None:
        """Draw in bulk the numbers most children will use (the same numbers, only faster to read).

        The stock's first annual review and phase transfer; a new request's first pass through assessment, plan and placement
        (occurrence 0, and 1 for the second draw of a two-draw duration). Later occurrences are drawn one by one.

        Compiled, nothing is drawn ahead: `Draw.u` is SplitMix64 on C integers, a few multiplications, cheaper than
        reading the prefetched array (22 arrays of the run's children, read at random: a cache miss a draw) and
        without it (about 250 bytes a child held for the whole run: 0.7 GB in England 2024-2035). The numbers are
        the same either way (`uniform_array` is `u`, a test checks), so the pure path, where `u` is Python
        arithmetic, keeps the prefetch.
        """
        if cython.compiled:
            return
        stock, new = (0, self.n_stock), (self.n_stock, self.n_stock + self._n_generated)
        for name, occurrences in STOCK_REVIEW_PREFETCH.items():
            self.rng.get(name).prefetch(*stock, occurrences=occurrences)
        for name in FIRST_PASS_PREFETCH:
            self.rng.get(name).prefetch(*new)
        for name in FIRST_PASS_DURATION_PREFETCH:
            self.rng.get(name).prefetch(*new, occurrences=2)

    @cython.locals(self=RunState)
    def _arrival_times(self) -> tuple[list[float], list[int], list[int]]:
        """Poisson requests per authority and calendar year, merged in time order (ties by authority): their days,
        authorities and ids as lists."""
        t, la_idx, ids = self._arrival_arrays()
        return t.tolist(), la_idx.tolist(), ids.tolist()

    @cython.locals(self=RunState)
    def _arrival_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`_arrival_times` as numpy arrays (float64, int64, int64), which `populate` hands to `_attributes` as they
        are (converting the lists back cost numpy's per-item discovery)."""
        growth = self.sc.demand.requests_growth_pct_per_year.value
        base_year = self.sc.start_date.year
        by_la = {la.idx: [] for la in self.las}  # each authority's days, a sorted array a year (then the lead-in's)
        for y, y0 in self.cal.year_starts():
            y1 = self.cal.day(dt.date(y + 1, 1, 1))
            lo, hi = max(0.0, y0), min(self.horizon, y1)
            if hi <= lo:
                continue
            frac = (hi - lo) / (y1 - y0)
            for la in self.las:
                g = self.streams.generator(ARRIVALS, la.idx, y)
                lam = la.spec.requests_in_year(y, base_year, growth) * frac * OVERSAMPLE
                n = int(g.poisson(lam))
                by_la[la.idx].append(np.sort(g.uniform(lo, hi, n)))
        if self.lead_in:
            y = self.cal.start.year
            for la in self.las:
                g = self.streams.generator(ARRIVALS_LEAD_IN, la.idx, y)
                # the lead-in runs in the year before the start, at that year's rate
                lam = la.spec.requests_in_year(y - 1, base_year, growth) * self.lead_in / DAYS_PER_YEAR * OVERSAMPLE
                n = int(g.poisson(lam))
                by_la[la.idx].append(np.sort(g.uniform(-self.lead_in, 0.0, n)))
        chunks = [(k, x) for k in sorted(by_la) for x in by_la[k]]
        if not chunks:
            return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # in time order, ties by authority, then by year (the lead-in last): the order `np.lexsort((la, t))` gives
        # over the days gathered year by year, from one stable sort by day alone over them gathered authority by
        # authority (a tie keeps this order), which costs half the two passes of the lexsort
        t = np.concatenate([x for _, x in chunks])
        la_idx = np.repeat(np.array([k for k, _ in chunks], dtype=np.int64),
                           np.array([x.shape[0] for _, x in chunks], dtype=np.int64))
        order = np.argsort(t, kind="stable")
        t, la_idx = t[order], la_idx[order]
        # arrivals are drawn at OVERSAMPLE x the rate, then thinned: a rule set that changes demand keeps
        # every other child's identity (id and draws), so comparisons stay paired
        ids = np.arange(self.n_stock, self.n_stock + t.size, dtype=np.int64)
        self._n_generated = t.size
        mult = np.array([la.fx.requests_multiplier for la in self.las])[la_idx]  # by authority (scoped switches)
        keep = uniform_array(self.rng.request_made, ids) < mult / OVERSAMPLE
        return t[keep], la_idx[keep], ids[keep]

    @cython.locals(self=RunState, rows=AttributeRows)
    def _attribute_rows(self, ids: np.ndarray, at: np.ndarray, age_cum: list[float] | np.ndarray, las: np.ndarray
                        ) -> AttributeRows:
        """`_attributes` as typed columns (the compiled core: `AttributeRows`, `_fill_rows`), the same values: the
        same uniforms (`uniform_array`, a row a stream), then one C loop, `_CHUNK` children at a time."""
        n = ids.shape[0]
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        r = self.rng
        draws = [r.get(name) for name in _ROW_STREAMS]
        by_row = isinstance(age_cum, np.ndarray)
        cum = np.ascontiguousarray(age_cum, dtype=np.float64).reshape(-1, len(AGE_BANDS) if by_row else len(age_cum))
        gi = self.group_index
        region = np.ascontiguousarray(np.asarray(gi.la_region, dtype=np.intp)[las] if gi.la_region and las.size
                                      else np.zeros(n, dtype=np.intp), dtype=np.intp)
        at = np.ascontiguousarray(at, dtype=np.float64)
        if at.shape[0] != n or region.shape[0] != n or (by_row and cum.shape[0] != n):  # (`_fill_rows` reads unchecked)
            raise ValueError(f"{n} children, {at.shape[0]} days, {region.shape[0]} authorities, {cum.shape[0]} age mixes")
        rows = AttributeRows(n, tuple(self.needs))
        lo = np.array([AGE_RANGES[b][0] for b in AGE_BANDS])
        hi = np.array([AGE_RANGES[b][1] for b in AGE_BANDS])
        ends = np.asarray(PHASE_ENDS, dtype=np.float64)
        c_school, c_post16 = (np.asarray(self.cum_pref_school, dtype=np.float64),
                              np.asarray(self.cum_pref_post16, dtype=np.float64))
        c_req, c_need, c_cap = (np.asarray(self.cum_requester, dtype=np.float64),
                                np.asarray(self.cum_need, dtype=np.float64),
                                np.asarray(self.cum_capacity, dtype=np.float64))
        us = np.empty((len(_ROW_STREAMS), min(n, _CHUNK)))
        for a in range(0, n, _CHUNK):  # chunk by chunk (`_CHUNK`): the same uniforms and arithmetic, child by child
            b = min(a + _CHUNK, n)
            if b - a != us.shape[1]:  # the last, shorter chunk (`_fill_rows` takes a C-contiguous table)
                us = np.empty((len(_ROW_STREAMS), b - a))
            part = ids[a:b]
            for k in range(len(draws)):
                uniform_array(draws[k], part, 0, us[k])
            _fill_rows(rows, a, us, cum[a:b] if by_row else cum, by_row, lo, hi, ends, at[a:b], region[a:b],
                       len(gi.regions), len(REQUESTERS), len(gi.needs), c_school, c_post16, c_req, c_need, c_cap,
                       self.p_s41, self.p_health, self.p_social, self.p_exception, DAYS_PER_YEAR)
        return rows

    @cython.locals(self=RunState)
    def _attributes(self, ids: np.ndarray, at: np.ndarray, age_cum: list[float] | np.ndarray, las: np.ndarray
                    ) -> dict[str, list]:
        """Attributes of many children at once: identical to drawing them one by one (same keyed streams). `age_cum`
        is one cumulative age mix for all, or one row per child (the stock, by its authority's own ages)."""
        r = self.rng
        if isinstance(age_cum, np.ndarray):  # the same rule as choice_array: the first band whose cumulative share > u
            u = uniform_array(r.age_band, ids)
            band = np.minimum((age_cum <= u[:, None]).sum(axis=1), len(AGE_BANDS) - 1)
        else:
            band = choice_array(r.age_band, age_cum, ids)
        lo = np.array([AGE_RANGES[b][0] for b in AGE_BANDS])[band]
        hi = np.array([AGE_RANGES[b][1] for b in AGE_BANDS])[band]
        age = lo + (hi - lo) * uniform_array(r.age, ids)
        pref_school = choice_array(r.preferred, self.cum_pref_school, ids)
        pref_post16 = choice_array(r.preferred, self.cum_pref_post16, ids)
        req = choice_array(r.requester, self.cum_requester, ids)
        need = choice_array(r.need, self.cum_need, ids)
        cap = choice_array(r.capacity, self.cum_capacity, ids)
        # the group: capacity x requester x need, as GroupIndex.gid (the scenario's needs come first in its order)
        gid = (cap * len(REQUESTERS) + req) * len(self.group_index.needs) + need
        # the other group: phase at the request (or at the start, for a plan in force) x the authority's region
        gi = self.group_index
        region = np.asarray(gi.la_region, dtype=np.int64)[las] if gi.la_region and las.size else np.zeros_like(las)
        pid = np.searchsorted(np.asarray(PHASE_ENDS), age, side="right") * len(gi.regions) + region
        born = at - age * DAYS_PER_YEAR
        return {  # the names by a take from an object array: the same str objects as indexing the tuples one by one
            "requester": _names(REQUESTERS)[req].tolist(),
            "born": born.tolist(),
            "born_days": born,  # (the same days as an array, for `may_date_steps`)
            "need": _names(self.needs)[need].tolist(),
            "preferred": _names(SETTINGS)[np.where(age >= 16, pref_post16, pref_school)].tolist(),
            "on_s41": (uniform_array(r.on_s41, ids) < self.p_s41).tolist(),
            "capacity": _names(CAPACITIES)[cap].tolist(),
            "health": (uniform_array(r.health, ids) < self.p_health).tolist(),
            "social": (uniform_array(r.social, ids) < self.p_social).tolist(),
            "exception": (uniform_array(r.exception, ids) < self.p_exception).tolist(),
            "gid": gid.tolist(),
            "pid": pid.tolist(),
        }

    _assign = staticmethod(assign_attributes)

    @cython.locals(self=RunState)
    def tribunal_backlog_at_start(self) -> None:
        """Appeals already waiting at the start: they occupy the hearing queue ahead of new ones."""
        n = int(self.sc.tribunal.backlog_at_start.value)
        for k in range(n):
            placeholder = Child(-1 - k, 0, True)
            placeholder.status = "backlog"
            self.tribunal.seize(placeholder, self._backlog_heard)

    @cython.locals(self=RunState, c=Child)
    def _backlog_heard(self, c: Child) -> None:
        self.engine.schedule(self.hearing_days, release, self.tribunal)

    @cython.locals(self=RunState, c=Child, times=list, las=list, ids=list, i=cython.Py_ssize_t, rows=AttributeRows)
    def _arrive(self, _: Any) -> None:
        times, las, ids = self._arrivals
        i = self._arr_i
        c = new_child(ids[i], las[i], False)
        if cython.compiled:
            rows = self._new_rows
            rows.assign(c, i)
        else:
            assign_row(c, self._new_rows, i)
        i += 1
        self._arr_i = i
        if i < len(times):
            self.engine.at(times[i], self._cb_arrive, None)
        self.children.append(c)
        self._cb_identify_need(c)
