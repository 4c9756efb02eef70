"""The engine against queueing theory: a scenario reduced to one M/M/c stage (the LA's panel).

Every request is refused and never disputed, so each child visits only the panel: Poisson
arrivals, exponential service, c servers, FIFO. Erlang C gives the mean wait in queue:
  P(wait) = C(c, a) with a = lambda/mu, and Wq = C(c, a) / (c mu - lambda).
"""

from __future__ import annotations

import math

from simulator.analysis.runs.stats import t975
from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.rules.scenario import load_scenario

from .conftest import pin, quiet, write_scenario


def erlang_c_wait(lam: float, mean_service: float, c: int) -> float:
    a = lam * mean_service
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c / mean_service - lam)


def mmc_scenario(tmp_path, small_dict, lam_per_day: float, mean_service: float, c: int, years: int):
    d = quiet(small_dict)
    la = d["local_authorities"]["items"][0]
    la["requests_per_year"] = lam_per_day * 365.25  # one year of 365 days in 2019; see the rate check below
    la["refuse_to_assess_probability"] = 1.0
    la["panel_servers"] = c
    d["population"]["requester"] = {"values": {"school": 1.0, "parent": 0.0, "young_person": 0.0, "other": 0.0},
                                    "source": "test fixture"}
    pin(d["durations"]["panel_decision_days"], mean_service, distribution="exponential")
    d["start_date"] = "2021-01-01"
    d["end_date"] = f"{2021 + years - 1}-12-31"
    d["warmup_days"] = 60.0
    return load_scenario(write_scenario(tmp_path, d))


def replicate(loaded, reps: int):
    waits, little = [], []
    for r in range(reps):
        j = Journey(loaded, HeapEngine(), Streams(7, r))
        j.run()
        panel = j.las[0].panel
        waits.append(panel.mean_wait())
        lq, _busy = panel.time_average(j.horizon)
        span = j.horizon - j.warmup
        little.append((lq, panel.wait_n / span * panel.mean_wait()))
    return waits, little


def mean_ci(xs):
    n = len(xs)
    m = sum(xs) / n
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = t975(n - 1) * s / math.sqrt(n)
    return m, m - h, m + h


def test_mmc_stage_matches_erlang_c(tmp_path, small_dict):
    # lambda = 2 a day, mean service 1.6 days, c = 4: a = 3.2, rho = 0.8. By hand:
    # sum_{k<4} a^k/k! = 1 + 3.2 + 5.12 + 5.4613 = 14.7813; a^4/4!/(1-rho) = 21.8453;
    # C = 21.8453 / 36.6267 = 0.59643; Wq = C / (4/1.6 - 2) = 1.19286 days
    lam, s, c = 2.0, 1.6, 4
    expected = erlang_c_wait(lam, s, c)
    assert abs(expected - 1.19286) < 1e-4
    # 365 days a year but 365.25 requested: the true rate is 2 * 365.25 / 365 (calendar years differ)
    loaded = mmc_scenario(tmp_path, small_dict, lam, s, c, years=25)
    waits, _ = replicate(loaded, 24)
    m, lo, hi = mean_ci(waits)
    rate = 2.0 * 365.25 / 365.0
    expected_rate = erlang_c_wait(rate, s, c)
    assert lo <= expected_rate <= hi, (m, lo, hi, expected_rate)
    assert (hi - lo) / 2 < 0.1 * expected_rate  # the interval is tight: not luck with a wide interval


def test_littles_law_on_the_panel_queue(tmp_path, small_dict):
    """L = lambda W on the queue: time-average number waiting equals throughput x mean wait."""
    loaded = mmc_scenario(tmp_path, small_dict, 1.5, 2.0, 4, years=3)
    _, little = replicate(loaded, 4)
    for lq, lam_w in little:
        assert abs(lq - lam_w) / lam_w < 0.03
