"""A late plan held past the end of its deadline's year (`assessment.held_into_next_year`, MODEL.md 3.3).

An authority fitted late share q(y) for children whose deadline falls in y holds them past the deadline; SEN2 counts
a late plan in the year it is issued. A held child whose plan would be issued in y + 1 is held on with the chance
q(y + 1) / q(y) (at most 1), otherwise released: decided at a uniform day between its deadline and the last day from
which the route's mean working times still issue the plan in y, or, if that day has passed, not held at all.

Worked by hand on the small scenario (start 1 January 2019, so 1 January 2020 is day 365): from the end of the holding
to the final plan the route's mean working times are the decision's 7 days, the draft's 10, the family's 15 days to
comment (the Act's rule set), the setting's consultation 8 and the final plan 5: 45 days, so the last release day of
2019 is day 365 - 45 = 320.
"""

from __future__ import annotations

import pytest

from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.rules.scenario import load_scenario

from .conftest import pin, quiet, write_scenario

RELEASE_BY = 365.0 - (7 + 10 + 15 + 8 + 5)  # 320
N = 20_000


def _journey(tmp_path, small_dict, shares: dict[int, float]) -> Journey:
    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["late_share_by_year"] = shares
    for k, v in {"decide_to_issue_days": 7, "draft_writing_days": 10, "setting_consultation_days": 8,
                 "finalise_days": 5}.items():
        pin(d["durations"][k], v, distribution=d["durations"][k].get("distribution", "fixed"))
    j = Journey(load_scenario(write_scenario(tmp_path, d)), HeapEngine(), Streams(3, 0), None)
    j.populate()
    return j


def _decided(j: Journey, due: float, decide_at: float, n: int = N) -> list[float]:
    share = j.late_share(j.las[0], j.counters.year(due))  # the deadline year's share, as the child was held with
    return [j.held_into_next_year(j.add_request(0.0), due, decide_at, share) for _ in range(n)]


def test_a_plan_issued_within_its_deadline_year_is_untouched(tmp_path, small_dict):
    j = _journey(tmp_path, small_dict, {2019: 0.8, 2020: 0.0})
    # decided on day 319: final plan about day 364, still 2019
    assert _decided(j, 200.0, 319.0, 50) == [319.0] * 50


def test_a_year_as_late_as_the_last_holds_every_carried_plan(tmp_path, small_dict):
    j = _journey(tmp_path, small_dict, {2019: 0.5, 2020: 0.7})
    assert _decided(j, 250.0, 400.0, 200) == [400.0] * 200


def test_a_faster_year_releases_carried_plans_in_proportion(tmp_path, small_dict):
    # 0.8 then 0.2: a quarter held on to day 400; three quarters released uniformly on days 250-320 (mean 285)
    j = _journey(tmp_path, small_dict, {2019: 0.8, 2020: 0.2})
    got = _decided(j, 250.0, 400.0)
    held = [x for x in got if x == 400.0]
    released = [x for x in got if x != 400.0]
    assert len(held) / N == pytest.approx(0.25, abs=0.015)  # binomial sd 0.003
    assert min(released) >= 250.0 and max(released) <= RELEASE_BY
    assert sum(released) / len(released) == pytest.approx(285.0, abs=1.0)  # sd of the mean about 0.17


def test_a_year_with_no_late_plans_carries_none(tmp_path, small_dict):
    j = _journey(tmp_path, small_dict, {2019: 0.8, 2020: 0.0})
    got = _decided(j, 250.0, 400.0, 2_000)
    assert max(got) <= RELEASE_BY
    # a deadline after the last release day of the year: not held at all, decided now (day 0 here)
    assert _decided(j, 340.0, 420.0, 50) == [0.0] * 50
