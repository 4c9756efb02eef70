"""The children: the stock of plans in force at the start, every request of the horizon, and their attributes.

Speed lives here, apart from the law: attributes and the first pass's draws are made in bulk with numpy (the
same keyed numbers as one by one, `engine.core.streams`), and the stock's first reviews are gathered into the
windows in which they are decided in bulk (`route/review_windows.py`).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
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
from .child import AGE_RANGES, ATTRIBUTES, PHASE_ENDS, Child
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


class Population:
    """The children: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child, res=Resource, stock_la=list, stock_setting=list, dated=list, places=list,
                   kids=list, pl=dict, i=cython.Py_ssize_t, n_stock=cython.Py_ssize_t, cols=tuple)
    def populate(self) -> None:
        """Create the stock of plans in force at the start and schedule every request of the horizon."""
        stock_la, stock_setting, runs = [], [], []
        for la in self.las:
            s = la.spec
            for setting, n in (("mainstream", s.stock_mainstream), ("resourced_provision", s.stock_resourced_provision),
                               ("maintained_special", s.stock_maintained_special),
                               ("independent_special", s.stock_independent_special), ("post16", s.stock_post16),
                               ("alternative_provision", s.stock_alternative_provision),
                               ("mainstream", s.stock_other)):
                stock_la.extend([la.idx] * n)
                stock_setting.extend([setting] * n)
                runs.append((la.idx, n))
        n_stock = len(stock_la)
        ids = np.arange(n_stock, dtype=np.int64)
        # the authorities as an array made from the runs (the values `np.asarray(stock_la)` gives, without numpy's
        # per-item discovery of a list, about 240 instructions a child)
        la_arr = np.repeat(np.array([k for k, _ in runs], dtype=np.int64), np.array([n for _, n in runs], dtype=np.int64))
        attrs = self._attributes(ids, np.zeros(n_stock), self._stock_age_cum(stock_la), la_arr)
        first_review = uniform_array(self.rng.stock_review, ids) * self.law.annual_review_days
        # the phase transfer and the end at 25 are scheduled one by one as before, but only for the children
        # whose steps can fall in the run (`may_date_steps`: a superset, with a margin; most have none)
        dated = self.may_date_steps(attrs["born_days"], 0.0).tolist()
        places = [la.places for la in self.las]
        kids = self.children
        cols = _columns(attrs, n_stock)
        for i in range(n_stock):
            la = stock_la[i]
            c = Child(i, la, True)
            assign_row(c, cols, i)
            c.status = "plan"
            c.setting = setting = stock_setting[i]
            c.provision_at = 0.0
            c.setting_since = 0.0
            kids.append(c)
            pl = places[la]
            res = pl.get(setting)
            if res is not None:
                c.place_res = res
                c.place_job = res.seize(c, noop)
            if dated[i]:
                self._schedule_transfer(c, 0.0)
                self.schedule_plan_end(c)
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
        kids = self.children
        for c, due in zip(kids, first_review.tolist(), strict=True):  # the stock's first review, as a plan's next
            c.review_due = due  # (a transfer re-dates it by reg 15's later-of rule: route/moves.py)
        # (the days taken by the array of indices: by the list, numpy converted each index on its own)
        self.hold_in_windows([kids[i] for i in order.tolist()], first_review[order], decided[order])
        only = np.flatnonzero((decided >= self.horizon) & (first_review < self.horizon))
        for i, due in zip(only.tolist(), first_review[only].tolist(), strict=True):
            self.engine.at(due, self._cb_review_meeting_only, kids[i])
        self._n_generated = 0
        t_arr, la_arr, id_arr = self._arrival_arrays()
        new_attrs = self._attributes(id_arr, t_arr, self.cum_age_request, la_arr)
        times, las, new_ids = t_arr.tolist(), la_arr.tolist(), id_arr.tolist()
        self._new_rows = _columns(new_attrs, len(new_ids))  # the arrivals' attributes, a row each, in order
        self._arrivals = (times, las, new_ids)
        self._arr_i = 0
        self._prefetch_draws()
        self._population_moves()
        self._extra = 0
        if times:
            self.engine.at(times[0], self._cb_arrive, None)
        for y, day in self.cal.year_starts():
            if 0.0 <= day <= self.horizon:
                self.engine.at(day, self._snapshot, y)
        self.tribunal_backlog_at_start()

    @cython.locals(self=RunState)
    def _stock_age_cum(self, stock_la: list[int]) -> list[float] | np.ndarray:
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
        return np.asarray(rows)[np.asarray(stock_la, dtype=np.int64)] if stock_la else np.zeros((0, len(AGE_BANDS)))

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
        all_t, all_la = [], []
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
                t = np.sort(g.uniform(lo, hi, n))
                all_t.append(t)
                all_la.append(np.full(n, la.idx, dtype=np.int64))
        if self.lead_in:
            y = self.cal.start.year
            for la in self.las:
                g = self.streams.generator(ARRIVALS_LEAD_IN, la.idx, y)
                # the lead-in runs in the year before the start, at that year's rate
                lam = la.spec.requests_in_year(y - 1, base_year, growth) * self.lead_in / DAYS_PER_YEAR * OVERSAMPLE
                n = int(g.poisson(lam))
                all_t.append(np.sort(g.uniform(-self.lead_in, 0.0, n)))
                all_la.append(np.full(n, la.idx, dtype=np.int64))
        if not all_t:
            return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        t = np.concatenate(all_t)
        la_idx = np.concatenate(all_la)
        order = np.lexsort((la_idx, t))
        t, la_idx = t[order], la_idx[order]
        # arrivals are drawn at OVERSAMPLE x the rate, then thinned: a rule set that changes demand keeps
        # every other child's identity (id and draws), so comparisons stay paired
        ids = np.arange(self.n_stock, self.n_stock + t.size, dtype=np.int64)
        self._n_generated = t.size
        mult = np.array([la.fx.requests_multiplier for la in self.las])[la_idx]  # by authority (scoped switches)
        keep = uniform_array(self.rng.request_made, ids) < mult / OVERSAMPLE
        return t[keep], la_idx[keep], ids[keep]

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

    @cython.locals(self=RunState, c=Child, times=list, las=list, ids=list, i=cython.Py_ssize_t)
    def _arrive(self, _: Any) -> None:
        times, las, ids = self._arrivals
        i = self._arr_i
        c = Child(ids[i], las[i], False)
        assign_row(c, self._new_rows, i)
        i += 1
        self._arr_i = i
        if i < len(times):
            self.engine.at(times[i], self._cb_arrive, None)
        self.children.append(c)
        self._cb_identify_need(c)
