"""Waits that respond to load (`waits: backlog`): the decide-and-issue team's FIFO backlog, its fitted capacity and
the authorities' own trends.

Expected values are worked by hand: completion times of a few cases at a known pace, the backlog where demand meets
capacity ((lam - base) / r, Little's law for the wait), least-squares slopes of exact series. The small_la test runs
the whole model with common random numbers and asks only for the sign of the paired difference, with its interval.
"""

from __future__ import annotations

import copy
import math
import statistics

import numpy as np
import pytest

from simulator.analysis.fit.capacity import base_for_wait, shrunk_trends, wait_for_share
from simulator.analysis.runs.metrics import replication_metrics
from simulator.analysis.runs.runner import simulate
from simulator.engine.core.loop import make_engine
from simulator.engine.model.capacity import CaseworkBacklog
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError
from simulator.schema.scenario import LocalAuthority, TrendPts, rate_then_trend

from .conftest import write_scenario

T_975_7 = 2.3646  # Student's t, 97.5% point, 7 degrees of freedom (8 paired replications)


def _finish_times(base: float, r: float, arrivals: list[float], in_hand: int = 0) -> list[float]:
    eng = make_engine()
    team = CaseworkBacklog(eng, base, r, in_hand)
    done: list[float] = []
    for t in arrivals:
        eng.at(t, lambda _x: team.join(None, lambda _c: done.append(eng.now)), None)
    eng.run(10_000.0)
    return done


def test_fixed_pace_serves_in_order():
    # 7 cases a week = one a day; three cases at day 0 finish on days 1, 2, 3
    assert _finish_times(7.0, 0.0, [0.0, 0.0, 0.0]) == pytest.approx([1.0, 2.0, 3.0])


def test_pace_rises_with_backlog():
    # base 3.5, r 0.5: the first case is taken up alone (1 in hand: 4 a week, 7/4 days); the other two wait, so the
    # second is taken up with 2 in hand (4.5 a week, 7/4.5 days) and the third alone again (7/4 days)
    expect = np.cumsum([7 / 4.0, 7 / 4.5, 7 / 4.0])
    assert _finish_times(3.5, 0.5, [0.0, 0.0, 0.0]) == pytest.approx(list(expect))


def test_work_in_hand_comes_first():
    # two cases in hand at one a day: a child arriving on day 0 is finished on day 3
    assert _finish_times(7.0, 0.0, [0.0], in_hand=2) == pytest.approx([3.0])


def test_backlog_settles_where_demand_meets_capacity():
    # 10 cases a week arriving evenly, base 6, r 0.1: backlog (10 - 6) / 0.1 = 40, so each waits 40 / 10 = 4 weeks
    lam, weeks = 10.0, 300
    arrivals = [i * 7.0 / lam for i in range(int(lam * weeks))]
    done = _finish_times(6.0, 0.1, arrivals)
    late = [d - a for a, d in zip(arrivals, done, strict=True) if a > 150 * 7.0]
    assert statistics.mean(late) / 7.0 == pytest.approx(4.0, rel=0.03)
    # and the fitted base that gives a 4-week wait at 10 a week with r = 0.1 is that same 6
    assert base_for_wait(10.0, 4.0, 0.1) == pytest.approx(6.0)


def test_wait_for_share_reads_the_route_quantile():
    route = np.linspace(10.0, 20.0, 10_001)  # the route alone takes 10-20 weeks, uniformly
    assert wait_for_share(route, 50.0) == pytest.approx(5.0, abs=1e-3)  # median 15 -> 5 weeks to the limit
    # shares are read between 0.5% and 99.5% (a sample's extreme quantile is noise): 99.9% -> 19.95 -> 0.05 weeks
    assert wait_for_share(route, 99.9) == pytest.approx(0.05, abs=1e-3)
    assert wait_for_share(route, 5.0) == pytest.approx(9.5, abs=1e-3)


def test_rate_and_casework_trends_beyond_the_figures():
    assert rate_then_trend({2022: 0.20, 2023: 0.25}, 2025, 0.0, TrendPts(value=2.0, source="t")) == \
        pytest.approx(0.29)
    assert rate_then_trend({2022: 0.20, 2023: 0.25}, 2023, 0.0, TrendPts(value=2.0, source="t")) == 0.25
    assert rate_then_trend({2023: 0.01}, 2026, 0.0, TrendPts(value=-1.0, source="t")) == 0.0  # kept at 0
    la = LocalAuthority(name="x", code="1", requests_per_year=100.0, requests_by_year={2019: 100.0, 2023: 200.0},
                        refuse_to_assess_probability=0.2, no_plan_after_assessment_probability=0.05,
                        panel_servers=1, ep_servers=1, health_advice_servers=1, social_care_advice_servers=1,
                        plan_writer_servers=1, casework_per_week_by_year={2019: 10.0, 2020: 12.0},
                        requests_trend_pct_per_year={"value": 10.0, "source": "t"})
    assert la.requests_in_year(2025, 2019, 13.8) == pytest.approx(200.0 * 1.1 ** 2)  # its own trend, not 13.8
    assert la.requests_in_year(2018, 2019, 13.8) == pytest.approx(100.0 / 1.138)  # back-projection: national
    assert la.casework_in_year(2022, 5.0) == pytest.approx(12.0 * 1.05 ** 2)
    assert la.casework_in_year(2018, 5.0) == 10.0
    # the load both the casework gap and the late share beyond the data size capacity against: requests less the
    # refused (no refusal figure by year here: the 0.2 rate) and the withdrawn
    assert la.assessments_in_year(2025, 2019, 13.8) == pytest.approx(200.0 * 1.1 ** 2 * 0.8)
    assert la.assessments_in_year(2023, 2019, 13.8, withdrawn=0.05) == pytest.approx(200.0 * 0.75)


def test_trends_shrink_by_evidence():
    years = range(2019, 2024)
    national = {y: 1000.0 * 1.10 ** (y - 2019) for y in years}
    series = {"a": {y: 100.0 * 1.20 ** (y - 2019) for y in years},  # exact series: no noise, own trend kept
              "b": {y: 50.0 * 1.05 ** (y - 2019) for y in years},
              "short": {2022: 10.0, 2023: 30.0}}  # two years: the national trend
    t = shrunk_trends(series, national, log=True)
    assert t["a"].value == pytest.approx(20.0) and t["a"].weight == pytest.approx(1.0)
    assert t["b"].value == pytest.approx(5.0)
    assert t["short"].value == pytest.approx(10.0) and t["short"].weight == 0.0
    # a noisy authority among exact ones: its residuals give it a standard error, so it moves toward the national
    noisy = dict(series, c={2019: 100.0, 2020: 160.0, 2021: 110.0, 2022: 190.0, 2023: 150.0})
    tc = shrunk_trends(noisy, national, log=True)["c"]
    assert 0.0 < tc.weight < 1.0 and min(tc.own, 10.0) < tc.value < max(tc.own, 10.0)


def _small_backlog(small_dict: dict, base_scale: float = 1.0, requests_scale: float = 1.0) -> dict:
    d = copy.deepcopy(small_dict)
    d["end_date"] = "2019-12-31"
    d["waits"] = "backlog"
    la = d["local_authorities"]["items"][0]
    la["casework_per_week_by_year"] = {y: v * base_scale for y, v in la["casework_per_week_by_year"].items()}
    la["requests_per_year"] *= requests_scale
    la["requests_by_year"] = {y: v * requests_scale for y, v in la["requests_by_year"].items()}
    return d


def _within(tmp_path, doc: dict, name: str, reps: int = 8) -> list[float]:
    loaded = load_scenario(write_scenario(tmp_path, doc, name))
    return [replication_metrics(simulate(loaded, 42, r))["by_period"]["2019"]["within_20_weeks_pct"]
            for r in range(reps)]


def _interval(diffs: list[float]) -> tuple[float, float]:
    m, s = statistics.mean(diffs), statistics.stdev(diffs)
    half = T_975_7 * s / math.sqrt(len(diffs))
    return m - half, m + half


def test_small_la_capacity_and_load(tmp_path, small_dict):
    """Doubling the team's base capacity raises % within 20 weeks; 30% more requests with capacity fixed lowers it
    (8 replications, common random numbers: paired differences and their 95% t-interval)."""
    assert small_dict["local_authorities"]["items"][0]["casework_per_week_by_year"], "small_la has fitted casework"
    base = _within(tmp_path, _small_backlog(small_dict), "base.yaml")
    doubled = _within(tmp_path, _small_backlog(small_dict, base_scale=2.0), "doubled.yaml")
    busier = _within(tmp_path, _small_backlog(small_dict, requests_scale=1.3), "busier.yaml")
    lo, _ = _interval([b - a for a, b in zip(base, doubled, strict=True)])
    _, hi = _interval([b - a for a, b in zip(base, busier, strict=True)])
    assert lo > 0.0
    assert hi < 0.0


def test_backlog_needs_its_capacity(tmp_path, small_dict):
    d = copy.deepcopy(small_dict)
    d["waits"] = "backlog"
    del d["local_authorities"]["items"][0]["casework_per_week_by_year"]
    with pytest.raises(InputError) as e:
        load_scenario(write_scenario(tmp_path, d))
    assert len(e.value.lines) == 1 and "casework_per_week_by_year" in e.value.lines[0]


def test_a_capacity_reform_is_staff(tmp_path, small_dict):
    """A reform that doubles every team's staff (effects.casework_staff_multiplier 2) gives exactly the run of the
    scenario with its base casework doubled: the same children (common random numbers), the same deterministic team."""
    from .test_mechanisms import reform

    name = reform(tmp_path, "more_caseworkers", [{"path": "effects.casework_staff_multiplier", "value": 2.0}])
    d = _small_backlog(small_dict)
    d["end_date"] = "2019-06-30"
    by_reform = load_scenario(write_scenario(tmp_path, d, "r.yaml"), name)
    doubled = copy.deepcopy(d)
    la = doubled["local_authorities"]["items"][0]
    la["casework_per_week_by_year"] = {y: 2 * v for y, v in la["casework_per_week_by_year"].items()}
    by_scenario = load_scenario(write_scenario(tmp_path, doubled, "d.yaml"))
    def finals(loaded) -> list[float]:
        return [c.final_at if c.final_at == c.final_at else -1.0 for c in simulate(loaded, 42, 0).children]

    a, b = finals(by_reform), finals(by_scenario)
    assert a == b and sum(x >= 0 for x in a) > 100
    assert finals(load_scenario(write_scenario(tmp_path, d, "p.yaml"))) != a  # and the reform does change the run


def test_projected_capacity_closes_its_gap_to_the_scenario_ratio():
    """Beyond the fitted years each base moves toward the scenario's ratio of base to demand: two authorities with
    the same demand (1,000 requests, none refused or withdrawn: 1000/52.18 a week) and bases 10 and 30 a week have a
    summed ratio of 40 / (2 x 19.165) = 1.0436, so gaps of 2.087 and 0.696; with half the gap kept each year the
    factor is 0.5 + 0.5 x gap one year on and 0.25 + 0.75 x gap two years on."""
    from types import SimpleNamespace

    from simulator.engine.model.capacity import CapacityPlan
    from simulator.schema.sourced import Probability

    def la(code: str, base: float) -> SimpleNamespace:
        spec = LocalAuthority(name=code, code=code, requests_per_year=1000.0, requests_by_year={2023: 1000.0},
                              refuse_to_assess_probability=0.0, no_plan_after_assessment_probability=0.0,
                              panel_servers=1, ep_servers=1, health_advice_servers=1, social_care_advice_servers=1,
                              plan_writer_servers=1, casework_per_week_by_year={2022: 5.0, 2023: base})
        return SimpleNamespace(spec=spec)

    a, b = la("a", 10.0), la("b", 30.0)
    sc = SimpleNamespace(start_date=SimpleNamespace(year=2019),
                         demand=SimpleNamespace(requests_growth_pct_per_year=SimpleNamespace(value=10.0)),
                         population=SimpleNamespace(request_withdrawn_probability=SimpleNamespace(value=0.0)),
                         capacity_gap_persistence_per_year=Probability(value=0.5, source="t"), projection=None)
    plan = SimpleNamespace(sc=sc, las=[a, b])
    CapacityPlan._casework_gaps(plan)
    lam = 1000.0 / (365.25 / 7.0)
    ratio = 40.0 / (2 * lam)
    assert a.casework_gap == pytest.approx(ratio / (10.0 / lam)) and b.casework_gap == pytest.approx(ratio / (30 / lam))
    assert CapacityPlan._converged(plan, a, 2023) == 1.0
    assert CapacityPlan._converged(plan, a, 2024) == pytest.approx(0.5 + 0.5 * a.casework_gap)
    assert CapacityPlan._converged(plan, b, 2025) == pytest.approx(0.25 + 0.75 * b.casework_gap)


def test_the_unused_waits_model_is_said_to_be_unread(tmp_path, small_dict):
    """No silent no-op: under fitted_delay the backlog's values are never read, under backlog the fitted delays."""
    from simulator.schema.overrides import unread

    delay = load_scenario(write_scenario(tmp_path, small_dict, "f.yaml")).scenario
    assert unread(delay, "capacity_projection_pct_per_year") is not None
    # small_la gives late shares (MODEL.md 3.3): its lateness is read, the Weibull delay's shape is not
    assert unread(delay, "durations.authority_lateness_days") is None
    assert unread(delay, "durations.authority_delay_shape") is not None
    backlog = load_scenario(write_scenario(tmp_path, _small_backlog(small_dict), "b.yaml")).scenario
    assert unread(backlog, "capacity_projection_pct_per_year") is None
    assert unread(backlog, "durations.authority_delay_shape") is not None
