"""Summaries over replications: the t-interval, and what a metric can be."""

from __future__ import annotations

import pytest

from simulator.analysis.runs.stats import bounds, summarise


def test_t_interval_of_two_replications_by_hand():
    # mean 5, sd 7.0711, t(1) = 12.706: half-width 12.706 x 7.0711 / sqrt(2) = 63.53
    s = summarise([0.0, 10.0])
    assert s["mean"] == 5.0 and s["ci95"] == [pytest.approx(-58.53, abs=0.01), pytest.approx(68.53, abs=0.01)]


def test_a_count_or_a_percentage_never_gets_an_impossible_interval():
    assert summarise([0.0, 10.0], bounds("appeals_registered"))["ci95"] == [0.0, pytest.approx(68.53, abs=0.01)]
    assert summarise([99.0, 100.0], bounds("within_20_weeks_pct"))["ci95"][1] == 100.0
    assert summarise([-3.0, 4.0])["ci95"][0] < 0  # a difference between rule sets keeps its sign


def _child(cid: int, gid: int, pid: int, **fields):
    from simulator.engine.model.child import Child

    c = Child(cid, 0, False)
    c.gid, c.pid = gid, pid
    for k, v in fields.items():
        setattr(c, k, v)
    return c


def test_each_group_s_state_at_the_end_by_hand():
    """Five children in two groups: stock, plans in force, one waiting for a place whose job has not started, an
    open dispute registered at the tribunal with no hearing or decision yet (the backlog), and one whose case is
    held back ("backlog" status: not an open dispute); by `gid`, then by `pid` (all in one)."""
    from types import SimpleNamespace

    from simulator.engine.model.records import state_by_group

    nan = float("nan")
    kids = [
        _child(0, 1, 7, stock=True, status="plan"),
        _child(1, 1, 7, status="plan", waiting_since=30.0, place_job=SimpleNamespace(started=False)),
        _child(2, 1, 7, status="plan", waiting_since=30.0, place_job=SimpleNamespace(started=True)),
        _child(3, 2, 7, status="in_progress", dispute=object(), registered_at=10.0, decided_at=nan, hearing_at=nan),
        _child(4, 2, 7, status="backlog", dispute=object(), registered_at=10.0, decided_at=nan, hearing_at=nan),
    ]
    # stock, waiting, backlog, in force, open disputes
    assert state_by_group(kids, "gid") == {1: [1, 1, 0, 3, 0], 2: [0, 0, 1, 0, 1]}
    assert state_by_group(kids, "pid") == {7: [1, 1, 1, 3, 1]}


def test_a_group_s_disputes_appeals_and_hearings_are_the_run_s_in_the_same_order():
    """`Redress.select` keeps the run's order (so sums and quantiles are made from the same values as the whole's)
    and only what ended after the warm-up (day 100); each dispute's fields and codes are its own."""
    from types import SimpleNamespace

    from simulator.analysis.runs.metrics import Redress
    from simulator.engine.model.records import ENDINGS, DisputeEnd

    a, b, c = _child(0, 1, 5), _child(1, 2, 5), _child(2, 1, 6)
    nan = float("nan")
    ended = [DisputeEnd(x, 1, kind, t - 30.0, t, outcome, decided, lodged, False)
             for x, t, kind, outcome, decided, lodged in (
                 (c, 150.0, "contents", "concession", nan, nan), (b, 120.0, "placement", "order", 110.0, 60.0),
                 (a, 90.0, "contents", "withdrawn", nan, 70.0), (a, 200.0, "health", "withdrawn", nan, 180.0))]
    j = SimpleNamespace(disputes_ended=ended, warmup=100.0, appeals_lodged=[(a, 50.0, 130.0), (c, 10.0, 99.0)],
                        hearings_held=[(c, 3.0), (b, 4.0), (a, 5.0)])
    r = Redress(j, ("gid", "pid"))
    assert r.n == 3 and r.ended.tolist() == [150.0, 120.0, 200.0] and r.disputed.tolist() == [120.0, 90.0, 170.0]
    assert [ENDINGS[e] for e in r.ending.tolist()] == ["for_family", "tribunal_for_family", "gave_up"]
    assert r.gave_up.tolist() == [-1, -1, 2] and r.kind.tolist()[2] == -1  # withdrawn: at the tribunal; no such kind
    assert r.decided.tolist()[1] == 110.0 and r.lodged_at.tolist()[1:] == [60.0, 180.0]
    g1 = r.select("gid", {1})
    assert g1.n == 2 and g1.ended.tolist() == [150.0, 200.0] and g1.gave_up.tolist() == [-1, 2]
    assert (g1.since.tolist(), g1.at.tolist()) == ([50.0], [130.0]) and g1.to_hearing.tolist() == [3.0, 5.0]
    assert r.select("pid", {5}).ended.tolist() == [120.0, 200.0]
    assert r.select("gid", {3}).n == 0


def test_the_new_requests_and_each_group_s_state_in_one_pass_by_hand():
    """`records.request_state` (the metrics' one pass over the children): each group's state at the end, as the test
    above works it out for the same five children, and the new requests (not the stock, requested on or after the
    warm-up, day 100) as columns in the children's order, with room for all five: child 1 (day 150) and child 3 (day
    100, on the warm-up itself); child 2 asked before it, child 4 never did, child 0 is the stock."""
    from types import SimpleNamespace

    from simulator.engine.model.records import request_state

    nan = float("nan")
    kids = [
        _child(0, 1, 7, stock=True, status="plan", t0=120.0),
        _child(1, 1, 7, status="plan", waiting_since=30.0, place_job=SimpleNamespace(started=False), t0=150.0,
               final_at=170.0, days_without_provision=5.0),
        _child(2, 1, 7, status="plan", waiting_since=30.0, place_job=SimpleNamespace(started=True), t0=50.0),
        _child(3, 2, 8, status="in_progress", dispute=object(), registered_at=10.0, decided_at=nan, hearing_at=nan,
               t0=100.0),
        _child(4, 2, 7, status="backlog", dispute=object(), registered_at=10.0, decided_at=nan, hearing_at=nan),
    ]
    floats, busy, groups, k, per = request_state(kids, 100.0)
    assert per == {1: [1, 1, 0, 3, 0], 2: [0, 0, 1, 0, 1]} and k == 2
    f = [floats[i * 5:i * 5 + 2].tolist() for i in range(5)]  # final plan, request, provision, waiting, without
    assert f[0][0] == 170.0 and f[0][1] != f[0][1] and f[1] == [150.0, 100.0] and f[2][0] != f[2][0]
    assert f[3][0] == 30.0 and f[3][1] != f[3][1] and f[4] == [5.0, 0.0]
    assert list(busy[:2]) == [0, 1] and (groups[0:2].tolist(), groups[5:7].tolist()) == ([1, 2], [7, 8])


def test_the_disputes_a_comparison_pairs_by_hand():
    """`dispute_keys` (read by `Redress` in its one pass): a dispute's key is its child's id x 64 plus its number
    (at most 63); listed are the ones that ended after the warm-up (day 100) through a compelled mediation that did
    not settle, and the ones the tribunal decided, with the weeks from the disputed decision to the decision."""
    from types import SimpleNamespace

    from simulator.analysis.runs.metrics import dispute_keys
    from simulator.engine.model.records import DisputeEnd

    a, b = _child(3, 1, 5, capacity="low"), _child(5, 2, 5, capacity="high")
    nan = float("nan")
    ended = [DisputeEnd(a, 2, "contents", 50.0, 120.0, "concession", nan, nan, True),
             DisputeEnd(b, 70, "placement", 60.0, 130.0, "order", 130.0, 80.0, True),
             DisputeEnd(b, 1, "placement", 10.0, 90.0, "order", 90.0, 40.0, True)]  # (ended before the warm-up)
    j = SimpleNamespace(disputes_ended=ended, warmup=100.0, appeals_lodged=[], hearings_held=[])
    assert dispute_keys(j) == {"compelled_unsettled": [[3 * 64 + 2, "low"], [5 * 64 + 63, "high"]],
                               "to_tribunal_decision": [[5 * 64 + 63, "high", 10.0]]}
