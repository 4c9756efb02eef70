"""The whole statutory route (issue 12): hand-worked timelines for an under-5 review cycle, a late amended plan
(reg 22), the plan ending at the end of the academic year of the 25th birthday (CFA s.46), an ordered assessment
under reg 44 and a post-16 transfer by 31 March (reg 18)."""

from __future__ import annotations

from simulator.analysis.runs.metrics import replication_metrics
from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario
from simulator.schema.units import DAYS_PER_MONTH, DAYS_PER_YEAR

from .conftest import pin, quiet, write_scenario
from .test_timeline import FIXED, events_of, fixed_scenario

MAINTAIN = {"review_outcome": "maintain"}


def run_plans(loaded, plans):
    """Children with a plan already in force on day 0: (setting, age, first review day, attributes)."""
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=10)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    kids = [j.add_existing_plan(s, 0, age, first, **attrs) for s, age, first, attrs in plans]
    j.simulate()
    rec.flush()
    return kids, rows


def _review_days(rows, c):
    return [t for t, step, event, _d, _m in events_of(rows, c.id) if step == "annual_review"]


def test_under_5_reviews_every_6_months_then_yearly_and_never_a_breach(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    (young, older), rows = run_plans(loaded, [("mainstream", 3.0, 30.0, {"pins": MAINTAIN}),
                                              ("mainstream", 4.6, 30.0, {"pins": MAINTAIN})])
    half_year, year, decision = 6 * DAYS_PER_MONTH, DAYS_PER_YEAR, 28.0  # the decision within 4 weeks of the meeting
    days = _review_days(rows, young)
    assert len(days) == 4  # decisions about day 30, 213, 396, 579 in a 731-day run: still under 5 throughout
    for a, b in zip(days, days[1:], strict=False):  # next meeting = last decision + 6 months, decided within 4 weeks
        assert half_year <= b - a <= half_year + decision
    days = _review_days(rows, older)  # 4.6 at the first review: 5.1 at the next, so 12 months
    assert len(days) == 2 and year <= days[1] - days[0] <= year + decision
    assert all(m is None for _t, step, _e, _d, m in events_of(rows, young.id) if step == "annual_review")


def _amending(tmp_path, small_dict, late: float):
    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    pin(d["reviews"]["review_late_probability"], 0.0)
    pin(d["reviews"]["amendment_late_probability"], late)
    for v in d["reviews"]["cease_probability_per_year"].values():
        pin(v, 0.0)
    for k, v in FIXED.items():
        pin(d["durations"][k], v, distribution="fixed")
    return load_scenario(write_scenario(tmp_path, d, f"amend{late}.yaml"))


def test_final_amended_plan_due_8_weeks_after_proposed_amendments(tmp_path, small_dict):
    for late, met in ((0.0, True), (1.0, False)):
        (c,), rows = run_plans(_amending(tmp_path, small_dict, late), [("mainstream", 9.0, 30.0,
                                                                        {"pins": {"review_outcome": "amend"}})])
        ev = events_of(rows, c.id)
        proposed = next(t for t, step, event, _d, _m in ev if (step, event) == ("annual_review", "amend"))
        issued = [(t, dl, m) for t, step, event, dl, m in ev if step == "amended_plan"]
        assert issued, ev
        t, deadline, ok = issued[0]
        assert abs(deadline - (proposed + 56.0)) < 1e-6  # reg 22: 8 weeks from the proposed amendments
        assert ok is met and (t <= deadline) is met


def test_plan_ends_at_the_end_of_the_academic_year_of_the_25th_birthday(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    # run from 1 January 2019: age 24.5 -> 25 on day 182.6 (2 July 2019), so the plan ends on 31 July 2019 (day 211);
    # age 24.4 -> 25 on day 219.2 (8 August 2019), a new academic year: it ends on 31 July 2020 (day 577);
    # age 24.0 -> 25 on 1 January 2020: it ends on 31 July 2020 (day 577)
    kids, rows = run_plans(loaded, [("post16", a, 30.0, {"pins": MAINTAIN}) for a in (24.5, 24.4, 24.0)])
    for c, day in zip(kids, (211.0, 577.0, 577.0), strict=True):
        ev = events_of(rows, c.id)
        assert (day, "plan_end_25", "plan_ended") in [(t, s, e) for t, s, e, _d, _m in ev]
        assert (day, "cessation_post19", "plan_ceased") in [(t, s, e) for t, s, e, _d, _m in ev]
        assert max(t for t, *_ in ev) == day  # nothing after the plan ends (a review at 25 did not cease it)


def test_ordered_assessment_reg_44_notify_2_weeks_final_14_weeks(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=10)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    c = j.add_request(10.0, pins={"decide_to_assess": "refused", "dispute_refusal_to_assess": True,
                                  "mediation": "declined", "appeal_outcome": "heard", "hearing": "for_family",
                                  "decide_to_issue": "issue", "setting_request": "agreed",
                                  "dispute_contents": False})
    j.simulate()
    rec.flush()
    ev = events_of(rows, c.id)
    order = next((t, dl) for t, s, e, dl, _m in ev if s == "comply" and e == "assess_after_order")
    assert abs(order[1] - (order[0] + 14.0)) < 1e-6  # notify within 2 weeks of the order
    final = next((t, dl) for t, s, e, dl, _m in ev if (s, e) == ("final_plan", "issued"))
    assert abs(final[1] - (order[0] + 14 * 7.0)) < 1e-6  # final plan within 14 weeks of the order


def test_post16_transfer_named_by_31_march(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    # 15.5 on 1 January 2019: 16 on 1 September 2019, so the post-16 transfer is due by 31 March 2019 (day 89)
    (c,), rows = run_plans(loaded, [("mainstream", 15.5, 300.0, {"pins": MAINTAIN})])
    ev = [(t, s, e, dl) for t, s, e, dl, _m in events_of(rows, c.id) if s == "phase_transfer"]
    assert ev and ev[0][2] == "review_age_16" and ev[0][3] == 89.0


def _recommending(tmp_path, small_dict, late: float = 0.0):
    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    for k, v in FIXED.items():
        pin(d["durations"][k], v, distribution="fixed")
    for k in ("extended_powers_share", "recommendation_made_probability", "recommendation_followed_probability"):
        pin(d["redress"][k], 1.0)
    pin(d["redress"]["recommendation_response_late_probability"], late)
    return load_scenario(write_scenario(tmp_path, d, f"rec{late}.yaml"))


def _run_requests(loaded, children):
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=10)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    kids = [j.add_request(at, **attrs) for at, attrs in children]
    j.simulate()
    rec.flush()
    return kids, rows, j


HEARD = {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed",
         "dispute_contents": True, "mediation": "declined", "appeal_outcome": "heard", "hearing": "for_family"}


def test_health_recommendation_answered_within_5_weeks_only_with_an_education_appeal_heard(tmp_path, small_dict):
    for late in (0.0, 1.0):
        kids, rows, j = _run_requests(_recommending(tmp_path, small_dict, late), [
            (10.0, {"health": True, "pins": HEARD}),
            # reviews maintain the plan: a pinned contents dispute holds at every occurrence (a review's too), and
            # a second dispute would be a second appeal
            (10.0, {"health": True, "pins": {**HEARD, "appeal_outcome": "conceded", "hearing": None,
                                             "review_outcome": "maintain"}}),
            (10.0, {"health": False, "pins": HEARD}),
            (10.0, {"health": True, "pins": {"decide_to_assess": "refused", "dispute_refusal_to_assess": True,
                                             "mediation": "declined", "appeal_outcome": "heard",
                                             "hearing": "for_la"}})])
        heard, conceded, no_health, refusal_to_assess = (events_of(rows, c.id) for c in kids)
        decided = next(t for t, s, _e, _d, _m in heard if s == "tribunal_decision")
        assert (decided, "tribunal_recommendation", "made") in [(t, s, e) for t, s, e, _d, _m in heard]
        t, dl, met = next((t, dl, m) for t, s, _e, dl, m in heard if s == "recommendation_response")
        assert abs(dl - (decided + 35.0)) < 1e-6  # 5 weeks from the decision (errata.md 1)
        assert met is (late == 0.0) and (t <= dl) is (late == 0.0)
        for ev in (conceded, no_health, refusal_to_assess):  # no education appeal live at a hearing, or no health need
            assert not any(s in ("tribunal_recommendation", "recommendation_response") for _t, s, *_ in ev)
        # and the measures count them: one made, one answered, on time only when not late, followed (probability 1)
        m = replication_metrics(j)["metrics"]
        assert m["tribunal_recommendations_made"] == 1.0
        assert m["recommendations_answered_on_time_pct"] == (100.0 if late == 0.0 else 0.0)
        assert m["recommendations_followed_pct"] == 100.0


def test_destination_when_a_plan_ends_at_25_follows_the_shares_by_age_and_need(tmp_path, small_dict):
    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    for v in d["reviews"]["cease_probability_per_year"].values():
        pin(v, 0.0)
    one = {k: 0.0 for k in ("employment", "further_or_higher_education", "supported_living", "adult_social_care",
                            "no_provision")}
    d["reviews"]["destinations"]["age_20_25"]["complex"]["values"] = {**one, "supported_living": 1.0}
    d["reviews"]["destinations"]["age_20_25"]["other"]["values"] = {**one, "no_provision": 1.0}
    loaded = load_scenario(write_scenario(tmp_path, d, "dest.yaml"))
    (pmld, asd, young), rows = run_plans(loaded, [("post16", 24.5, 300.0, {"need": "PMLD", "pins": MAINTAIN}),
                                                  ("post16", 24.5, 300.0, {"need": "ASD", "pins": MAINTAIN}),
                                                  ("mainstream", 12.0, 300.0, {"pins": MAINTAIN})])
    assert (211.0, "destination_supported_living") in [(t, s) for t, s, *_ in events_of(rows, pmld.id)]
    assert (211.0, "destination_no_provision") in [(t, s) for t, s, *_ in events_of(rows, asd.id)]
    assert not any(s.startswith("destination_") for _t, s, *_ in events_of(rows, young.id))


def test_order_to_make_a_plan_reg_44_draft_5_weeks_final_11_weeks(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    (c,), rows, _j = _run_requests(loaded, [(10.0, {"pins": {
        "decide_to_assess": "agreed", "decide_to_issue": "not_to_issue", "dispute_refusal_to_issue": True,
        "mediation": "declined", "appeal_outcome": "heard", "hearing": "for_family", "setting_request": "agreed",
        "dispute_contents": False}})])
    ev = events_of(rows, c.id)
    order = next(t for t, s, e, _d, _m in ev if s == "comply" and e == "make_plan_after_order")
    draft = next((t, dl, m) for t, s, e, dl, m in ev if (s, e) == ("draft_plan", "issued_after_order"))
    assert abs(draft[1] - (order + 35.0)) < 1e-6 and draft[2] is (draft[0] <= draft[1])  # draft within 5 weeks
    final = next((t, dl) for t, s, e, dl, _m in ev if (s, e) == ("final_plan", "issued"))
    assert abs(final[1] - (order + 77.0)) < 1e-6  # final plan within 11 weeks of the order
