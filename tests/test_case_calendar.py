"""The school calendar in a child's route, worked by hand: a setting named for the next phase starts on 1 September,
a place named after the new phase began counts its weeks awaiting placement from 1 September, and under-5 reviews
come every six months. Also the case study's start date, the rules in force it prints, and its messages."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml

from simulator.analysis.runs.case_study import case_study, load_case
from simulator.schema.files import InputError

from .conftest import ROOT, pin, quiet, write_scenario
from .test_case_studies import fixed_case

START = dt.date(2019, 1, 1)  # small_la's first day: day 0


def day(d: dt.date) -> int:
    return (d - START).days


def _case(tmp_path, small_dict, **changes) -> str:
    """The fixed case (every duration fixed, nobody else in the system) with fields changed."""
    p = fixed_case(tmp_path, small_dict)
    doc = yaml.safe_load(p.read_text())
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    p.write_text(yaml.safe_dump(doc))
    return str(p)


def test_year6_setting_named_in_march_starts_on_1_september_with_no_weeks_awaiting(tmp_path, small_dict):
    """A Year 6 child whose request reaches the LA on 20 November 2019: by hand (fixed durations, days from the
    request) the setting is named on day 107 and the plan is final on day 115, 14 March 2020, after the 15 February
    transfer deadline, so the plan names the secondary school, which starts on 1 September 2020 (day 609 of the run,
    286 days = 40.9 weeks after the request), not 21 days after the final plan. The child stays in the primary school
    until then: 0 weeks awaiting a placement, 0 out of school."""
    request = dt.date(2019, 11, 20)
    assert request + dt.timedelta(days=115) == dt.date(2020, 3, 14)
    p = _case(tmp_path, small_dict, request_date=str(request),
              child={"age": 10.3, "year_group": 6, "preferred": "mainstream", "requester": "school"})
    res = case_study(p, ["current_2014"], runs=2, seed=1)
    r = res["results"][0]
    prov = [s for s in r["steps"] if s["step"] == "provision"]
    assert prov[0]["weeks_from_start"] == round((day(dt.date(2020, 9, 1)) - day(request)) / 7, 1) == 40.9
    final = next(s for s in r["steps"] if s["step"] == "final_plan")
    assert final["weeks_from_start"] == round(115 / 7, 1)
    tw = r["time_without_school"]
    assert tw["weeks_awaiting_placement"]["mean"] == 0.0 and tw["weeks_out_of_school"]["mean"] == 0.0


def test_the_same_request_in_october_is_placed_after_the_lead_time(tmp_path, small_dict):
    """Mid-year (no transfer ahead: a Year 4 child), the place starts after the lead time: final plan on day 115,
    place on day 115 + 21 = 136 (19.4 weeks), as before the calendar."""
    p = _case(tmp_path, small_dict, request_date="2019-10-01",
              child={"age": 8.3, "preferred": "mainstream", "requester": "school"})
    r = case_study(p, ["current_2014"], runs=2, seed=1)["results"][0]
    assert next(s for s in r["steps"] if s["step"] == "provision")["weeks_from_start"] == round(136 / 7, 1)


def _journey(small_dict, tmp_path):
    from simulator.engine.core.loop import HeapEngine
    from simulator.engine.core.streams import Streams
    from simulator.engine.model.journey import Journey
    from simulator.engine.model.records import Recorder
    from simulator.rules.scenario import load_scenario

    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    pin(d["durations"]["place_start_days"], 21, distribution="fixed")
    loaded = load_scenario(write_scenario(tmp_path, d))
    rows: list = []
    j = Journey(loaded, HeapEngine(), Streams(1, 0), Recorder(rows.extend))
    j.populate()
    return j, rows


def test_a_transfer_named_in_october_counts_weeks_awaiting_placement_from_1_september(tmp_path, small_dict):
    """The move to secondary school in September 2019 (transfer deadline 15 February 2019), with the secondary
    setting named only on 15 October 2019, after an appeal: the child has no school from 1 September (day 243), and
    the place starts 21 days after the naming (day 287 + 21 = 308). By hand: 65 days = 9.29 weeks awaiting a
    placement, the same out of school, both counted from 1 September; one out-of-school spell."""
    from simulator.engine.model import records as rc

    j, rows = _journey(small_dict, tmp_path)
    j._schedule_transfer = lambda c, now: None  # the transfer is driven by hand below
    c = j.add_existing_plan("mainstream", 0, 10.6, first_review_day=10_000.0)
    deadline, sept, october = day(dt.date(2019, 2, 15)), day(dt.date(2019, 9, 1)), day(dt.date(2019, 10, 15))
    assert (sept, october) == (243, 287)
    j.engine.at(deadline, lambda _a: j.next_term(c, deadline), None)
    j.engine.at(october, lambda _a: j.secure_place(c, "maintained_special"), None)
    j.simulate()
    mine = [(r.day, r.step, r.event) for r in rows if r.child == c.id]
    assert (243.0, "education_out_of_school", "no_place_at_term_start") in mine
    assert (308.0, "provision", "in_place_maintained_special") in mine
    assert c.days_awaiting == c.days_out == 308 - 243
    counts = j.counters.counts

    def total(metric: str) -> float:
        return sum(v for (m, _period), v in counts.items() if m == metric)

    assert math.isclose(total(rc.AWAITING_PLACEMENT_WEEKS_SUM), 65 / 7)
    assert math.isclose(total(rc.OUT_OF_SCHOOL_WEEKS_SUM), 65 / 7) and total(rc.OUT_OF_SCHOOL_SPELLS) == 1


def test_a_transfer_place_ready_on_1_september_has_no_gap(tmp_path, small_dict):
    """Named on time (15 February) with a place free: the place starts on 1 September itself, no gap logged."""
    j, rows = _journey(small_dict, tmp_path)
    j._schedule_transfer = lambda c, now: None
    c = j.add_existing_plan("mainstream", 0, 10.6, first_review_day=10_000.0)
    deadline = day(dt.date(2019, 2, 15))
    j.engine.at(deadline, lambda _a: j.next_term(c, deadline), None)
    j.engine.at(deadline, lambda _a: j.secure_place(c, "maintained_special"), None)
    j.simulate()
    mine = [(r.day, r.step, r.event) for r in rows if r.child == c.id]
    assert (243.0, "provision", "in_place_maintained_special") in mine
    assert not any(s == "education_out_of_school" for _d, s, _e in mine)
    assert c.days_awaiting == 0.0 and c.days_out == 0.0 and c.days_without_provision == 0.0


def test_under5_reviews_come_every_six_months_and_are_labelled(tmp_path, small_dict):
    """A child of 2 with a plan: the first review on day 30, each later one six months (182.6 days, the scenario's
    under-5 interval) after the last decision, each decided within 4 weeks of its meeting. In the 18-month window:
    reviews decided in days [30, 58], [212.6, 268.6] and [395.2, 479.2]: three, every one an under-5 review, each
    shown with its outcome (maintain, pinned)."""
    pin(small_dict["reviews"]["review_late_probability"], 0.0)  # meetings on the day they are due
    p = _case(tmp_path, small_dict, request_date=None, existing_plan={"setting": "early_years", "first_review_day": 30},
              child={"age": 2.0, "preferred": "early_years", "requester": "parent"},
              pinned={"review_outcome": "maintain"})
    r = case_study(p, ["current_2014"], runs=3, seed=1)["results"][0]
    reviews = [s for s in r["steps"] if s["step"] == "annual_review"]
    assert [s["event"] for s in reviews] == ["maintain"] * 3
    assert all(s.get("under5") for s in reviews)
    lo = [30.0, 30 + 182.6, 30 + 2 * 182.6]
    for s, low in zip(reviews, lo, strict=True):
        assert low / 7 - 0.05 <= s["weeks_from_start"] <= (low + 28 * (1 + lo.index(low))) / 7 + 0.05


def test_start_date_moves_the_child_and_is_checked(tmp_path, small_dict):
    """`start_date` (or --start-date) places an existing-plan child on that day; a date outside the scenario is
    refused in one line naming the option and the scenario's horizon."""
    p = _case(tmp_path, small_dict, request_date=None, existing_plan={"setting": "mainstream", "first_review_day": 30},
              start_date="2019-06-01", child={"age": 7.0, "preferred": "mainstream", "requester": "school"},
              pinned={"review_outcome": "maintain"})
    _case_, _lo, _la, start = load_case(p)
    assert start == day(dt.date(2019, 6, 1))
    res = case_study(p, ["current_2014"], runs=2, seed=1)
    first = next(s for s in res["results"][0]["steps"] if s["step"] == "annual_review")
    assert 30 / 7 - 0.05 <= first["weeks_from_start"] <= 58 / 7 + 0.05  # from the start date, not from day 0
    with pytest.raises(InputError) as e:
        load_case(p, start_date=dt.date(2031, 1, 1))
    assert len(e.value.lines) == 1 and e.value.lines[0].startswith("--start-date: 2031-01-01 is outside scenario")
    assert "2020-12-31" in e.value.lines[0]


def test_a_reform_not_in_force_is_never_named_as_applying():
    """small_la ends in 2020; the White Paper's switches commence from 2029: the output says so, and no White Paper
    gap (remedy reduced to reconsideration) appears on the route; the panel label says it did not apply."""
    res = case_study(ROOT / "case_studies" / "phase_transfer_year6.yaml", ["current_2014", "white_paper_2026"],
                     runs=4, seed=2)
    wp = res["results"][1]
    assert not wp["in_force"]["applied"] and "tribunal_remit_placement" in wp["in_force"]["not_in_force"]
    assert "not in force during this route" in wp["label"]
    assert any("was not in force during this route" in x for x in res["in_force"])
    assert not any("reconsideration" in g for s in wp["steps"] for g in s["gaps"])
    assert not any("reconsideration" in x for x in res["what_changes"][0])


def test_from_start_is_labelled_hypothetical_and_applies_the_reform():
    res = case_study(ROOT / "case_studies" / "phase_transfer_year6.yaml", ["current_2014", "white_paper_2026"],
                     runs=3, seed=2, from_start=True)
    wp = res["results"][1]
    assert wp["in_force"]["applied"] and wp["in_force"]["hypothetical"]
    assert "hypothetical" in wp["label"] and any("HYPOTHETICAL" in x for x in res["in_force"])
