"""Issue 21's in-sample bar (simulator/analysis/fit/in_sample.py) and the year whose delay a child draws.

The scoring is checked on hand-made authorities whose errors are worked out on paper; the delay's year on one child
with every working time fixed (conftest.one_child_fixed), so the day of its decision to issue is known by hand.
"""

from __future__ import annotations

from simulator.analysis.fit.backtest import Target
from simulator.analysis.fit.in_sample import AuthorityFit, authority_fits, summary


def test_the_bar_reads_the_mean_within_5_and_every_year_within_10():
    # mean observed (10 + 30) / 2 = 20; model (14 + 35) / 2 = 24.5: error +4.5, within 5; years +4 and +5
    ok = AuthorityFit("1", "A", {2019: 10.0, 2020: 30.0}, {2019: 14.0, 2020: 35.0})
    assert ok.mean_error == 4.5 and ok.mean_within and ok.every_year_within
    # mean error (-11 + 11) / 2 = 0, but each year 11 points out: the mean passes, the years do not
    swing = AuthorityFit("2", "B", {2019: 50.0, 2020: 50.0}, {2019: 39.0, 2020: 61.0})
    assert swing.mean_error == 0.0 and swing.mean_within and not swing.every_year_within
    # a year with no modelled plan at all has no figure: it fails both
    empty = AuthorityFit("3", "C", {2019: 50.0}, {2019: None})
    assert not empty.mean_within and not empty.every_year_within
    s = summary([ok, swing, empty])
    assert (s["mean_within_5"], s["every_year_within_10"], s["both"]) == (2, 1, 1)


def test_a_fall_of_more_than_half_counts_only_where_the_official_figures_do_not_fall_so():
    # model 400 -> 150 (below half); official 300 -> 320: a miss in 2021
    a = AuthorityFit("1", "A", {2020: 50.0}, {2020: 50.0}, {2020: 300, 2021: 320}, {2020: 400, 2021: 150})
    assert a.plan_falls() == [2021]
    # official 300 -> 140 falls by more than half too: not a miss; model 400 -> 200 is exactly half: not a fall
    b = AuthorityFit("2", "B", {2020: 50.0}, {2020: 50.0}, {2020: 300, 2021: 140}, {2020: 400, 2021: 150})
    c = AuthorityFit("3", "C", {2020: 50.0}, {2020: 50.0}, {2020: 300, 2021: 320}, {2020: 400, 2021: 200})
    assert b.plan_falls() == [] and c.plan_falls() == []


def test_authority_fits_average_the_replications_percentages():
    tg = [Target("within_20_weeks_pct", "2019", 40.0, 3.0, "absolute", "t", la_code="9"),
          Target("new_plans_issued", "2019", 100.0, 5.0, "relative", "t", la_code="9")]
    reps = [{"by_la": {"9": {"2019": {"within_20_weeks_pct": 30.0, "new_plans": 90.0}}}},
            {"by_la": {"9": {"2019": {"within_20_weeks_pct": 50.0, "new_plans": 110.0}}}}]
    (f,) = authority_fits(tg, reps, {"9": "Nine"})
    assert (f.name, f.model[2019], f.plans_model[2019], f.mean_error) == ("Nine", 40.0, 100.0, 0.0)
