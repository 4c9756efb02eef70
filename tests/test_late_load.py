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
