"""The shipped waits model responds to load (`assessment.late_share`, MODEL.md 3.3): issue 21's small_la test.

small_la ships `waits: fitted_delay` with late shares q by year: the authority carries (1 - q) of the year's
assessments through on time. A capacity reform expressed as staff (`effects.casework_staff_multiplier` 2) doubles
that throughput; 30% more requests (`effects.requests_multiplier` 1.3) with capacity fixed spreads it over 1.3 times
the cases. Worked by hand: the share on time scales by min(1, 2 (1 - q)) / (1 - q) and by 1 / 1.3 (the route's own
share on time, whatever it is, cancels in the ratio). Eight replications with common random numbers: the paired
differences and their 95% t-interval, as the issue asks, and the ratios of the means against the hand values.
"""

from __future__ import annotations

import copy
import statistics

import pytest

from simulator.analysis.runs.metrics import replication_metrics
from simulator.analysis.runs.runner import simulate
from simulator.rules.scenario import load_scenario

from .conftest import write_scenario
from .test_mechanisms import reform
from .test_waits import _interval

REPS = 8


def _within(tmp_path, small_dict, rules: str) -> list[float]:
    d = copy.deepcopy(small_dict)
    d["end_date"] = "2019-12-31"
    loaded = load_scenario(write_scenario(tmp_path, d, f"{rules}.yaml"), rules)
    return [replication_metrics(simulate(loaded, 42, r))["by_period"]["2019"]["within_20_weeks_pct"]
            for r in range(REPS)]


def test_added_staff_speed_a_council_up_and_more_requests_slow_it_down(tmp_path, small_dict):
    la = small_dict["local_authorities"]["items"][0]
    assert small_dict.get("waits", "fitted_delay") == "fitted_delay" and la["late_share_by_year"]
    q = la["late_share_by_year"][2019]
    staff = reform(tmp_path, "staff_x2", [{"path": "effects.casework_staff_multiplier", "value": 2.0}])
    busier = reform(tmp_path, "requests_x1_3", [{"path": "effects.requests_multiplier", "value": 1.3}])
    base = _within(tmp_path, small_dict, "current_2014")
    doubled = _within(tmp_path, small_dict, staff)
    more = _within(tmp_path, small_dict, busier)
    lo, _ = _interval([b - a for a, b in zip(base, doubled, strict=True)])
    _, hi = _interval([b - a for a, b in zip(base, more, strict=True)])
    assert lo > 0.0
    assert hi < 0.0
    m = statistics.mean(base)
    assert statistics.mean(doubled) / m == pytest.approx(min(1.0, 2 * (1 - q)) / (1 - q), rel=0.08)
    assert statistics.mean(more) / m == pytest.approx(1 / 1.3, rel=0.08)


def _journey(tmp_path, small_dict, requests_growth: float, capacity_growth: float):
    from simulator.engine.core.loop import HeapEngine
    from simulator.engine.core.streams import Streams
    from simulator.engine.model.journey import Journey

    from .conftest import pin, quiet

    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["late_share_by_year"] = {2019: 0.5}
    pin(d["demand"]["requests_growth_pct_per_year"], requests_growth)
    pin(d["demand"]["capacity_growth_pct_per_year"], capacity_growth)
    j = Journey(load_scenario(write_scenario(tmp_path, d)), HeapEngine(), Streams(1, 0), None)
    j.populate()
    return j


def test_beyond_the_fitted_years_capacity_grows_at_its_stated_rate_not_with_requests(tmp_path, small_dict):
    """Half on time in 2019; requests then grow 20% a year and capacity 10%: by hand the share held late is
    1 - 0.5 x 1.1 / 1.2 = 0.541667 in 2020 and 1 - 0.5 x 1.21 / 1.44 = 0.579861 in 2021. Capacity growing faster
    (30%) than requests lowers it, to 0 once the throughput covers every assessment: 0.5 x (1.3 / 1.2) ** k reaches 1
    at k = ln 2 / ln(1.3 / 1.2) = 8.7, so 2027 still holds 1 - 0.5 x 1.8971 = 0.0515 and 2028 none."""
    j = _journey(tmp_path, small_dict, 20.0, 10.0)
    spec = j.las[0].spec
    assert j.projected_late_share(spec, 2019) == 0.5
    assert j.projected_late_share(spec, 2020) == pytest.approx(0.541667, abs=1e-6)
    assert j.projected_late_share(spec, 2021) == pytest.approx(0.579861, abs=1e-6)
    faster = _journey(tmp_path, small_dict, 20.0, 30.0)
    assert faster.projected_late_share(spec, 2020) == pytest.approx(1 - 0.5 * 1.3 / 1.2, abs=1e-9)
    assert faster.projected_late_share(faster.las[0].spec, 2027) == pytest.approx(0.0515, abs=1e-4)
    assert faster.projected_late_share(faster.las[0].spec, 2028) == 0.0
