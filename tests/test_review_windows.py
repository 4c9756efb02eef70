"""Annual reviews decided in bulk (`engine.model.route.review_windows`): the outcome rule and the draws.

Values are worked out by hand from the rule in `ReviewSteps._review_decision` (cease if u < p_cease; else the rest
of u, rescaled, moves a mainstream plan to special if below p_move; else, rescaled again, amends if below p_amend)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from simulator.engine.core import accelerator as acc
from simulator.engine.core.loop import Clock
from simulator.engine.core.streams import Streams
from simulator.engine.model.child import Child
from simulator.engine.model.route.review_windows import (
    AMEND,
    CEASE,
    MAINTAIN,
    MOVE,
    REVIEW_WINDOW_DAYS,
    HeldReviews,
    ReviewWindows,
    Window,
    band_probability,
    cease_table,
    draws_at,
    review_outcome,
    review_outcomes,
    window_of,
)
from simulator.engine.model.state import RunState
from simulator.engine.model.streams import RouteStreams

# p_cease by band: under 5, 5-10, 11-15, 16-19, 20-25
P_CEASE = np.array([0.10, 0.02, 0.05, 0.20, 0.40])


def outcomes(u: list[float], age: list[float], mainstream: list[bool], under5_fraction: float = 1.0) -> list[int]:
    return review_outcomes(np.array(u), np.array(age), np.array(mainstream), P_CEASE, 0.10, 0.30,
                           under5_fraction).tolist()


def test_each_outcome_by_hand() -> None:
    # age 8 (p_cease 0.02): u 0.01 < 0.02 ceases
    # u 0.05: rest (0.05-0.02)/0.98 = 0.0306 < 0.10 moves (mainstream); in special, p_move 0: then 0.0306 < 0.30 amends
    # u 0.30: rest 0.2857; (0.2857-0.10)/0.90 = 0.2063 < 0.30 amends
    # u 0.40: rest 0.3878; (0.3878-0.10)/0.90 = 0.3197 >= 0.30 maintains (in special: 0.3878 >= 0.30 maintains too)
    assert outcomes([0.01, 0.05, 0.05, 0.30, 0.40, 0.40], [8.0] * 6, [True, True, False, True, True, False]) == \
        [CEASE, MOVE, AMEND, AMEND, MAINTAIN, MAINTAIN]


def test_age_bands_at_their_bounds() -> None:
    # u 0.15: below p_cease at 4.99 (0.10)? no; at 16.0 (0.20) yes; at 15.99 (0.05) no; at 20.0 (0.40) yes
    got = outcomes([0.15] * 4, [4.99, 16.0, 15.99, 20.0], [False] * 4)
    assert got[1] == CEASE and got[3] == CEASE
    assert got[0] != CEASE and got[2] != CEASE


def test_under5_cycle_spreads_the_yearly_chance() -> None:
    # reviews every 6 months: 1 - (1 - 0.10) ** 0.5 = 0.05132 per review under 5; u 0.06 no longer ceases
    p = 1.0 - math.sqrt(0.9)
    assert outcomes([p - 1e-9, p + 1e-9, 0.06], [3.0, 3.0, 3.0], [False] * 3, 0.5)[:2] == [CEASE, AMEND]
    assert outcomes([0.06], [3.0], [False], 0.5) != [CEASE]
    assert outcomes([0.06], [3.0], [False], 1.0) == [CEASE]  # the yearly chance when reviews are yearly
    assert outcomes([0.06], [7.0], [False], 0.5) != [CEASE]  # over 5: the yearly chance (0.02) applies


def test_bulk_draws_are_the_one_by_one_draws() -> None:
    rng = RouteStreams(Streams(7, 3))
    ids = np.array([0, 5, 17, 123456, 9])
    occ = np.array([1, 1, 2, 3, 1])
    bulk = draws_at(rng.review_outcome, ids, occ).tolist()
    assert bulk == [rng.review_outcome.u(int(i), int(o)) for i, o in zip(ids, occ, strict=True)]
    assert draws_at(rng.review_outcome, np.array([4, 8]), np.array([2, 2])).tolist() == \
        [rng.review_outcome.u(4, 2), rng.review_outcome.u(8, 2)]


class _Engine(Clock):
    """Records what is scheduled (time, callback, argument), in order. A `Clock`, as the run's engine field is
    declared in the compiled core (state.pxd); its own `at` overrides the base's."""

    def __init__(self) -> None:
        self.now, self.calls = -30.0, []

    def at(self, t: float, fn, arg) -> None:
        self.calls.append((t, fn, arg))


class _Windows(ReviewWindows, RunState):  # the journey's data as slots: compiled, the steps' `self` is typed
    def __init__(self) -> None:
        self.engine = _Engine()
        self._windows = HeldReviews(self.engine.now)

    def _decide_window(self, k: float) -> None:  # never run here: only its scheduling is compared
        raise AssertionError


def test_holding_many_reviews_at_once_is_holding_them_one_by_one() -> None:
    """The stock's first reviews go into their windows in bulk (`hold_in_windows`): the same windows (numpy's floor
    division of the decision day by 7 is Python's, at the bounds too), each scheduled once, in the same order, at
    the same day, with the same reviews in the same order, as `hold_in_window` one review at a time."""
    r = np.random.default_rng(3)
    bounds = np.arange(0.0, 400.0, REVIEW_WINDOW_DAYS)
    decided = np.sort(np.concatenate([r.random(20_000) * 400.0, bounds, np.nextafter(bounds, -1.0),
                                      np.nextafter(bounds, 500.0), [1e-300, 5e-324]]))
    assert np.floor_divide(decided, REVIEW_WINDOW_DAYS).tolist() == [d // REVIEW_WINDOW_DAYS for d in decided.tolist()]
    due = decided - r.random(decided.size) * 28.0
    kids = [Child(i, 0, True) for i in range(decided.size)]  # compiled, the steps' `c` is typed as Child
    one, bulk = _Windows(), _Windows()
    for c, d, t in zip(kids, due.tolist(), decided.tolist(), strict=True):
        one.hold_in_window(c, d, t)
    bulk.hold_in_windows(kids, due, decided)
    assert len(one._windows.held_keys()) == 59  # days 0 to 400: windows 0 to 57, and -1 for the float just below day 0
    assert [(t, arg) for t, _fn, arg in bulk.engine.calls] == [(t, arg) for t, _fn, arg in one.engine.calls]
    assert [k for _t, _fn, k in one.engine.calls] == one._windows.held_keys()  # each window scheduled once, in order
    assert bulk._windows.held_keys() == one._windows.held_keys()
    for k in one._windows.held_keys():
        got, want = bulk._windows.get(k), one._windows.get(k)
        assert len(got.kids) == len(want.kids) and all(a is b for a, b in zip(got.kids, want.kids, strict=True))
        assert got.dues == want.dues and got.decs == want.decs


def test_windows_found_by_index_or_by_key_are_the_same_windows() -> None:
    """`HeldReviews` keeps a window in its list by its number from the first (`k0`) and one outside the list (before
    it, or a window beyond `LISTED_WINDOWS`) by key: either way `get`, `put` and `pop` find the same window for a key,
    and a window taken out is gone (a review held there later opens it again)."""
    ws = HeldReviews(-30.0)
    assert ws.k0 == -5.0
    keys = [-5.0, -6.0, 0.0, -0.0, 3.0, 100.0, float(1 << 21)]
    assert all(ws.get(k) is None for k in keys)
    for k in keys[:3] + keys[4:]:
        w = Window()
        w.decs.append(k)
        ws.put(k, w)
        assert ws.get(k) is w
    assert ws.get(-0.0) is ws.get(0.0)  # the same window (the same number from k0)
    assert ws.held_keys() == sorted(keys[:3] + keys[4:])
    for k in keys[:3] + keys[4:]:
        assert ws.pop(k).decs.tolist() == [k]
        assert ws.get(k) is None


def test_a_days_window_is_pythons_floor_division() -> None:
    """`window_of` (compiled: CPython's float floor division done on C doubles) gives `day // REVIEW_WINDOW_DAYS` for
    random days, at every window's bound and the floats beside it, for negative days, and at zero."""
    r = np.random.default_rng(9)
    days = (r.random(5000) * 40000.0 - 10000.0).tolist()
    for j in range(-300, 3000):
        b = j * REVIEW_WINDOW_DAYS
        days += [b, float(np.nextafter(b, -1e9)), float(np.nextafter(b, 1e9))]
    days += [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 7.0 - 2 ** -50, 1e15 + 0.5, -1e15 - 0.5]
    for big in (7.0 * 2 ** 46, float(2 ** 49), 7.0 * 2 ** 47, 3e14):  # around the bound of the one-division path
        for b in (big, -big):
            days += [b, float(np.nextafter(b, -1e300)), float(np.nextafter(b, 1e300)), b - 3.5, b + 3.5]
    got, want = [window_of(d) for d in days], [d // REVIEW_WINDOW_DAYS for d in days]
    assert got == want
    assert [math.copysign(1.0, g) for g in got] == [math.copysign(1.0, w) for w in want]  # the sign of a zero too


def test_one_review_decided_alone_is_decided_as_in_bulk() -> None:
    """`decide_each` decides a review from `review_outcome` with its band's chance (`band_probability` of
    `cease_table`): the same outcome as `review_outcomes` gives it in any batch, at the bands' bounds and the floats
    beside them, with the under-5 cycle spread (numpy's power, taken from numpy), chances of 0 and 1, and moves that
    always or never happen."""
    r = np.random.default_rng(11)
    edges = np.array([0.0, 5.0, 11.0, 16.0, 20.0, 25.0])
    ages = np.concatenate([r.random(3000) * 26.0, edges, np.nextafter(edges, -1.0), np.nextafter(edges, 30.0)])
    n = ages.size
    u = r.random(n)
    u[:40] = [0.0, 1.0 - 2 ** -53, 0.5, 0.05] * 10
    mainstream = r.random(n) < 0.6
    for bands in (P_CEASE, np.array([0.0, 0.0, 0.0, 1.0, 1.0]), np.array([1.0, 0.3, 0.02, 0.5, 0.999])):
        for fraction in (1.0, 0.5, 0.25, 0.3):
            table = cease_table(bands, fraction)
            for p_move, p_amend in ((0.10, 0.30), (0.0, 0.0), (1.0, 1.0), (0.03, 0.9)):
                bulk = review_outcomes(u, ages, mainstream, bands, p_move, p_amend, fraction).tolist()
                one = [review_outcome(uu, band_probability(a, *table), m, p_move, p_amend)
                       for uu, a, m in zip(u.tolist(), ages.tolist(), mainstream.tolist(), strict=True)]
                assert one == bulk
                # and in a batch of one (a window's first review alone)
                assert [review_outcomes(u[i:i + 1], ages[i:i + 1], mainstream[i:i + 1], bands, p_move, p_amend,
                                        fraction).tolist()[0] for i in range(0, n, 97)] == one[::97]


def _run_pure(out: Path, each_below: int) -> subprocess.CompletedProcess:
    """small_la over two years in pure Python (one replication, event log on), its windows decided by numpy when
    they hold at least `each_below` plain reviews, one at a time (`decide_each`) otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "SENDSIM_CORE_NOTICE_SHOWN"}
    env[acc.ENV_PURE] = "1"
    code = ("import sys; import simulator.engine.model.route.review_windows as rw; rw.EACH_BELOW = int(sys.argv[1]); "
            "from simulator.cli import main; sys.argv[1:2] = []; main()")
    args = ("run", "scenarios/small_la.yaml", "-n", "1", "--seed", "5", "--until", "2020-12-31", "--json", "-q",
            "--workers", "1", "--out", str(out))
    return subprocess.run([sys.executable, "-c", code, str(each_below), *args], cwd=Path(__file__).parent.parent,
                          env=env, capture_output=True, text=True, timeout=600)


def test_windows_decided_one_by_one_write_the_run_numpy_writes(tmp_path) -> None:
    """Every window decided by `decide_each` (what the compiled core always does) or every one by numpy (the pure
    path's large windows): the same events.parquet, journeys.parquet and metrics, byte for byte."""
    files = {}
    for each_below in (0, 10 ** 9):
        out = tmp_path / str(each_below)
        r = _run_pure(out, each_below)
        assert r.returncode == 0, r.stderr
        rep = out / "replications" / "rep-000"
        files[each_below] = {f: (rep / f).read_bytes() for f in ("events.parquet", "journeys.parquet")}
        files[each_below]["metrics"] = json.dumps(json.loads((rep / "metrics.json").read_bytes()).get("metrics"))
    assert len(files[0]["events.parquet"]) > 10_000
    assert files[0] == files[10 ** 9]


def test_age_in_whole_years_is_pythons_floor_division() -> None:
    """`reviews._whole_years` (compiled: CPython's float floor division done on C doubles) gives
    `int((day - born) // DAYS_PER_YEAR)` for random days, at every whole year's bound and the floats beside it, for
    a child not yet born, and at zero."""
    from simulator.engine.model.route.reviews import _whole_years
    from simulator.schema.units import DAYS_PER_YEAR

    r = np.random.default_rng(5)
    born = np.concatenate([r.random(4000) * 20000.0 - 8000.0, [0.0, -0.0, 1e-300, -1e-300, 5e-324]])
    day = r.random(born.size) * 20000.0 - 4000.0
    cases = list(zip(day.tolist(), born.tolist(), strict=True))
    for years in range(-3, 30):
        exact = years * DAYS_PER_YEAR
        for b in (0.0, 17.5, -365.25, 1234.567, 0.1):
            d = b + exact
            cases += [(d, b), (float(np.nextafter(d, -1e9)), b), (float(np.nextafter(d, 1e9)), b)]
    cases += [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (5e-324, 0.0), (-5e-324, 0.0)]
    assert [_whole_years(d, b) for d, b in cases] == [int((d - b) // DAYS_PER_YEAR) for d, b in cases]
