"""Requests already in progress on the start date: simulated over `lead_in_days` at the rate of the year before."""

from __future__ import annotations

import math
from pathlib import Path

from simulator.engine.core.loop import make_engine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.rules.scenario import load_scenario

SMALL = Path(__file__).resolve().parent.parent / "scenarios" / "small_la.yaml"


def test_lead_in_requests_arrive_at_the_year_befores_rate():
    loaded = load_scenario(SMALL)
    sc = loaded.scenario
    la = sc.local_authorities.items[0]
    growth = sc.demand.requests_growth_pct_per_year.value
    # 2018 is before the authority's first published year: its 2019 figure projected back one year by the trend
    rate_2018 = la.requests_by_year[2019] / (1 + growth / 100.0)
    expected_per_run = rate_2018 * sc.lead_in_days / 365.25
    seeds = range(12)
    got = 0
    for s in seeds:
        j = Journey(loaded, make_engine("heap"), Streams(s, 0), None)
        j.n_stock = 0
        times, _, _ = j._arrival_times()
        got += sum(1 for t in times if t < 0.0)
    expected = expected_per_run * len(seeds)
    assert abs(got - expected) < 4 * math.sqrt(expected), (got, expected)  # Poisson: within 4 standard deviations
