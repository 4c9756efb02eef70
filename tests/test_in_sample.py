"""Issue 21's in-sample bar (simulator/analysis/fit/in_sample.py) and the year whose delay a child draws.

The scoring is checked on hand-made authorities whose errors are worked out on paper; the delay's year on one child
with every working time fixed (conftest.one_child_fixed), so the day of its decision to issue is known by hand.
"""

from __future__ import annotations

import datetime as dt

from simulator.analysis.fit.backtest import Target
from simulator.analysis.fit.in_sample import AuthorityFit, authority_fits, summary
from simulator.analysis.runs.runner import simulate
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario

from .conftest import one_child_fixed, write_scenario


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


def _decision_day(tmp_path, small_dict, request: dt.date, late: bool = False) -> tuple[float, float]:
    """(day the last advice came in, day of the decision to issue) of one child requested on `request`, in an
    authority with no delay in 2019 and a median of 400 days from 2020; or, `late`, none held late in 2019 and all
    from 2020, each 30 days (fixed) past the 20-week deadline."""
    d = one_child_fixed(small_dict)
    d["end_date"] = "2021-12-31"
    la = d["local_authorities"]["items"][0]
    if late:
        la.pop("delay_days_by_year", None)
        la["late_share_by_year"] = {2019: 0.0, 2020: 1.0}
        d["local_authorities"]["provenance"]["late_share_by_year"] = {"assumption": "test", "range": [0.0, 1.0]}
        d["durations"]["authority_lateness_days"] = {"value": 30.0, "distribution": "fixed", "source": "test"}
    else:
        la.pop("late_share_by_year", None)
        la["delay_days_by_year"] = {2019: 0.0, 2020: 400.0}
        d["local_authorities"]["provenance"]["delay_days_by_year"] = {"assumption": "test", "range": [0.0, 1500.0]}
    loaded = load_scenario(write_scenario(tmp_path, d, f"s{request.month}{late}.yaml"))
    day = (request - loaded.scenario.start_date).days
    rows: list = []
    kid = {}

    def add(j):
        kid["c"] = j.add_request(float(day))

    simulate(loaded, 1, 0, recorder=Recorder(rows.extend, chunk=1), prepare=add)
    mine = [r for r in rows if r.child == kid["c"].id]
    advice = max(r.day for r in mine if r.step.endswith("_advice") and r.event == "received")
    decision = next(r.day for r in mine if r.step == "decide_to_issue")
    return advice, decision


def test_the_delay_is_the_year_of_the_childs_20_week_deadline(tmp_path, small_dict):
    """Requested on 1 March 2019 (deadline 19 July 2019): 2019's median, no delay, so the decision follows the
    last advice by exactly durations.decide_to_issue_days. Requested on 1 October 2019: its advice is in before
    the end of 2019, but its deadline (18 February 2020) is in 2020, so it draws from 2020's 400-day median and
    waits longer (a Weibull draw is positive with probability 1)."""
    work = small_dict["durations"]["decide_to_issue_days"]["value"]
    advice, decision = _decision_day(tmp_path, small_dict, dt.date(2019, 3, 1))
    assert decision - advice == work
    advice, decision = _decision_day(tmp_path, small_dict, dt.date(2019, 10, 1))
    assert advice < (dt.date(2020, 1, 1) - dt.date(2019, 1, 1)).days  # the advice came in during 2019
    assert decision - advice > work


def test_a_child_held_late_is_decided_its_lateness_past_the_20_week_deadline(tmp_path, small_dict):
    """Late shares (lateness apart from the share on time): requested 1 March 2019, 2019's share is 0, so the
    decision follows the last advice by exactly durations.decide_to_issue_days. Requested 1 October 2019 (deadline
    18 February 2020, 140 days on), 2020's share is 1: the authority holds it until the deadline, then its 30 days
    of lateness, then the decision's working time: request day + 140 + 30 + work, whenever the advice came in."""
    work = small_dict["durations"]["decide_to_issue_days"]["value"]
    advice, decision = _decision_day(tmp_path, small_dict, dt.date(2019, 3, 1), late=True)
    assert decision - advice == work
    request = (dt.date(2019, 10, 1) - dt.date(2019, 1, 1)).days
    advice, decision = _decision_day(tmp_path, small_dict, dt.date(2019, 10, 1), late=True)
    assert advice < request + 140
    assert decision == request + 140 + 30 + work


def test_late_shares_carry_forward_and_back_to_the_lead_in():
    """A year without a share takes the latest earlier one; a year before the first (the lead-in) the first's."""
    from simulator.schema.scenario import LocalAuthority

    la = LocalAuthority.model_construct(late_share_by_year={2020: 0.3, 2022: 0.5})
    assert [la.late_share_in_year(y) for y in (2018, 2019, 2020, 2021, 2022, 2023)] == [0.3, 0.3, 0.3, 0.3, 0.5, 0.5]
    assert LocalAuthority.model_construct(late_share_by_year={}).late_share_in_year(2020) == 0.0


def test_late_share_rounds_step_by_the_route_then_by_the_secant():
    """Round 1: share 0.4, model 60% against 50% observed: the route's own share on time is 60 / 0.6 = 100 points
    per unit share, so the share moves up by 10 / 100 = 0.1. Round 2 at 0.5 reads 52%: the secant through
    (0.4, 60) and (0.5, 52) is 80 points per unit, so the share moves by 2 / 80 = 0.025. An authority already
    too slow with no share held late stays at 0."""
    from simulator.analysis.fit.calibrate import update_late_shares

    shares = {"1": {2019: 0.4}, "2": {2019: 0.0}}
    history: dict = {}
    obs = {"1": {2019: 50.0}, "2": {2019: 70.0}}
    updated, within = update_late_shares(shares, {"1": {"2019": {"within_20_weeks_pct": 60.0}},
                                                  "2": {"2019": {"within_20_weeks_pct": 55.0}}}, obs, history)
    assert (updated, within) == (2, 0) and shares["1"][2019] == 0.5 and shares["2"][2019] == 0.0
    update_late_shares(shares, {"1": {"2019": {"within_20_weeks_pct": 52.0}}}, {"1": {2019: 50.0}}, history)
    assert shares["1"][2019] == 0.525
