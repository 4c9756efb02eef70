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
