"""Advice services and plan writers staffed by the work in hand (`staffing.follows: work_in_hand`, MODEL.md 3.3).

A backlog of 20 assessments reaches the educational psychologists at once; the dates each EP advice comes in are
worked by hand from the fixed working times, the review dates and the staffing rule, once with the staff following
the year's assessments (the establishment of 2 EPs) and once following the work in hand.
"""

from __future__ import annotations

import copy

import pytest

from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError

from .conftest import pin, quiet, write_scenario
from .test_timeline import FIXED

N = 20  # requests on day 1: with a 21-day panel (20 panels, no queue) all 20 reach the EPs on day 22
EP_DAYS = FIXED["ep_advice_days"]  # 35, fixed


def _staffing(follows: str) -> dict:
    def num(v):
        return {"value": v, "source": "test fixture"}
    return {"follows": follows, "review_days": num(10.0), "clear_weeks": num(5.0), "utilisation": num(1.0),
            "floor": num(1.0), "ceiling": num(5.0)}


def _scenario(tmp_path, small_dict, follows: str | None):
    d = quiet(small_dict)
    la = d["local_authorities"]["items"][0]
    la["requests_per_year"] = 0
    for k in ("panel_servers", "health_advice_servers", "social_care_advice_servers", "plan_writer_servers"):
        la[k] = N  # never a queue there
    la["ep_servers"] = 2  # the establishment: 2 EPs
    for k, v in FIXED.items():
        pin(d["durations"][k], v, distribution="fixed")
    for k in ("review_late_probability", "amend_probability", "move_to_special_probability"):
        pin(d["reviews"][k], 0.0)
    d.pop("staffing", None)
    if follows is not None:
        d["staffing"] = _staffing(follows)
    return load_scenario(write_scenario(tmp_path, d, f"staff_{follows}.yaml"))


def _ep_advice_days(loaded) -> list[float]:
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=10)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    kids = {j.add_request(1.0).id for _ in range(N)}
    j.simulate()
    rec.flush()
    return sorted(round(r[2], 6) for r in rows if r[0] in kids and r[3] == "psychological_advice")


def test_a_backlog_waits_for_the_establishment_when_staff_follow_assessments(tmp_path, small_dict):
    # 2 EPs, 35 days each: pairs of advice on days 22 + 35k, k = 1..10; the last on day 372
    expect = sorted([22.0 + EP_DAYS * k for k in range(1, N // 2 + 1)] * 2)
    assert _ep_advice_days(_scenario(tmp_path, small_dict, "assessments")) == pytest.approx(expect)
    # no staffing block is the same rule
    assert _ep_advice_days(_scenario(tmp_path, small_dict, None)) == pytest.approx(expect)


def test_a_backlog_is_cleared_when_staff_follow_the_work_in_hand(tmp_path, small_dict):
    # Reviews every 10 days; need = max(a x 35 / 1.0, busy) + waiting x 35 / 35, between 2 and 10 EPs (ceiling 5x).
    # Day 22: 2 start (done 57), 18 wait. Day 30: 20 arrived in the period, a = 2 a day -> 70 + 18 = 88 -> 10 EPs:
    # 8 more start (done 65), 10 wait. Days 40 and 50: 10 busy + 10 waiting -> 10. Day 57: 2 done, 2 start (done 92).
    # Day 60: 10 + 8 -> 10. Day 65: 8 done, the last 8 start (done 100).
    expect = [57.0] * 2 + [65.0] * 8 + [92.0] * 2 + [100.0] * 8
    got = _ep_advice_days(_scenario(tmp_path, small_dict, "work_in_hand"))
    assert got == pytest.approx(expect)
    assert max(got) < 22.0 + N / 2 * EP_DAYS  # cleared in 78 days from arrival, not 350


def test_staffing_bounds_are_checked(tmp_path, small_dict):
    d = copy.deepcopy(small_dict)
    d["staffing"] = _staffing("work_in_hand")
    d["staffing"]["floor"]["value"] = 3.0  # a floor above the ceiling
    d["staffing"]["ceiling"]["value"] = 2.0
    with pytest.raises(InputError, match="staffing.floor"):
        load_scenario(write_scenario(tmp_path, d, "bad_staff.yaml"))


def test_a_review_more_often_than_daily_is_refused(tmp_path, small_dict):
    d = copy.deepcopy(small_dict)
    d["staffing"] = _staffing("work_in_hand")
    d["staffing"]["review_days"]["value"] = 0.001  # 3 million reviews in a 8-year run
    with pytest.raises(InputError, match="staffing.review_days.*at least 1 day"):
        load_scenario(write_scenario(tmp_path, d, "bad_review.yaml"))
