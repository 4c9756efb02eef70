"""Issue 25 (where a child is educated; the plan's content), worked by hand on one child in a quiet scenario.

Days are counted from small_la's first day (1 January 2019 = day 0); every working time is fixed at small_la's
central value (one_child_fixed): panel 14, school advice 14, EP advice 28, decide to issue 7, draft 10, place start
21 days; reviews are never late. What the law says is in each test's docstring; the numbers are worked out here.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from simulator.analysis.runs.case_study import load_case, run_case_child
from simulator.rules.accountability import map_document
from simulator.rules.resolve import resolve_rules
from simulator.schema.files import InputError

from .conftest import ROOT, one_child_fixed, pin, write_scenario

START = dt.date(2019, 1, 1)


def day(d: dt.date) -> int:
    return (d - START).days


def run(tmp_path, small_dict, case: dict, seed: int = 1, runs: int = 1) -> list[list]:
    """The case's event rows (one list per run) in the quiet scenario."""
    d = one_child_fixed(small_dict)
    pin(d["reviews"]["review_late_probability"], 0.0)
    pin(d["redress"]["la_late_compliance_probability"], 0.0)
    pin(d["redress"]["recommendation_response_late_probability"], 0.0)
    write_scenario(tmp_path, d, "quiet.yaml")
    doc = {"name": "t", "title": "T", "summary": "x", "sources": ["test"], "scenario": "quiet.yaml", **case}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    c, loaded, la, start = load_case(p)
    return [run_case_child(c, loaded, la, start, seed, r)[0] for r in range(runs)]


def events(rows: list, step: str) -> list[tuple[float, str]]:
    return [(r.day, r.event) for r in rows if r.step == step]


def map_row(step: str) -> dict:
    rs = resolve_rules("current_2014")[0]
    return next(r for r in map_document(rs)["steps"] if r["step"] == step)


def test_elective_home_education_lifts_the_duty_and_the_plan_is_still_reviewed(tmp_path, small_dict):
    """CFA s.42(5): home education from 4 March 2019 (day 62), arrangements suitable: the LA's duty is lifted and the
    school place given up (no provision event after it); s.44: the plan is still reviewed. Start 7 January (day 6),
    first review 180 days later: due day 186, decided within 4 weeks (day 186 to 214); the next is due 365 days after
    that decision (day 551 to 579) and decided within 4 weeks (by day 607), both within the 730-day run."""
    assert day(dt.date(2019, 3, 4)) == 62 and day(dt.date(2019, 1, 7)) == 6
    case = {"start_date": "2019-01-07", "existing_plan": {"setting": "mainstream", "first_review_day": 180},
            "child": {"age": 9.3, "need": "ASD", "preferred": "mainstream"},
            "education": {"arrangement": "elective_home_education", "since": "2019-03-04"},
            "pinned": {"review_outcome": "maintain"}}
    rows = run(tmp_path, small_dict, case)[0]
    assert events(rows, "elective_home_education") == [(62.0, "duty_lifted_arrangements_suitable")]
    reviews = events(rows, "annual_review")
    assert [e for _d, e in reviews] == ["maintain", "maintain"]
    assert 186 <= reviews[0][0] <= 214 and reviews[0][0] + 365 <= reviews[1][0] <= reviews[0][0] + 365 + 28
    assert not [r for r in rows if r.step == "provision" and r.day >= 62]
    row = map_row("elective_home_education")
    assert row["duty_strength"] == {"local_authority": "lifted"}
    # not suitable: the duty is not lifted (s.42(2) stands), and the plan is reviewed all the same
    case["education"]["suitable"] = False
    rows = run(tmp_path, small_dict, case)[0]
    assert events(rows, "elective_home_education") == [(62.0, "arrangements_unsuitable_duty_remains")]
    assert len(events(rows, "annual_review")) == 2


def test_youth_custody_keeps_the_plan_appropriate_provision_and_maintains_it_on_release(tmp_path, small_dict):
    """CFA ss.70-75: remanded on 11 March 2019 (day 69) to 9 September 2019 (day 251). The plan is kept (s.74), the
    home authority's duty is to use best endeavours for 'appropriate' provision (s.75(2)), health care comes from
    NHS England (s.75(3)), remand makes him looked after (LASPO s.104; s.70(5)). The review due on day 6 + 150 = 156
    falls in custody and is not held. On release the plan is maintained and a college named: in place 21 days later
    (day 272); the next review is due 365 days after the release (day 616), decided by day 644."""
    assert day(dt.date(2019, 3, 11)) == 69 and day(dt.date(2019, 9, 9)) == 251
    case = {"start_date": "2019-01-07", "existing_plan": {"setting": "alternative_provision", "first_review_day": 150},
            "child": {"age": 16.2, "need": "SEMH", "preferred": "post16", "health": True},
            "education": {"arrangement": "youth_custody", "since": "2019-03-11", "until": "2019-09-09",
                          "remanded": True, "setting_after": "post16"},
            "pinned": {"review_outcome": "maintain"}}
    rows = run(tmp_path, small_dict, case)[0]
    assert events(rows, "youth_custody") == [(69.0, "plan_kept_best_endeavours_for_appropriate_provision"),
                                             (156.0, "review_not_held_while_detained")]
    health = [r for r in rows if r.step == "custody_health"]
    assert [(r.day, r.duty_holder) for r in health] == [(69.0, "nhs_england")]
    assert events(rows, "custody_remand") == [(69.0, "looked_after_so_home_authority_looks_after")]
    assert events(rows, "custody_release") == [(251.0, "plan_maintained_named_post16")]
    assert events(rows, "provision") == [(272.0, "in_place_post16")]
    reviews = events(rows, "annual_review")
    assert [e for _d, e in reviews] == ["maintain"] and 616 <= reviews[0][0] <= 644
    assert not [r for r in rows if r.step == "cessation"]  # kept, never ceased
    assert map_row("youth_custody")["duty_strength"] == {"local_authority": "appropriate"}
    h = map_row("custody_health")
    assert h["duty_holder"] == ["nhs_england"] and h["payer"] == ["nhs_england"]
    assert h["duty_strength"] == {"nhs_england": "appropriate"}
    assert "tribunal_appeal" in map_row("youth_custody")["redress"]  # s.73


def fg_case(hearing: str) -> dict:
    return {"start_date": "2019-01-07", "existing_plan": {"setting": "mainstream", "first_review_day": 30},
            "child": {"age": 10.2, "need": "HI", "preferred": "mainstream", "health": True, "capacity": "high"},
            "plan": {"items": [{"id": "F1", "section": "F", "text": "Teacher of the deaf 'regularly'"},
                               {"id": "G1", "section": "G", "text": "Auditory verbal therapy"},
                               {"id": "G2", "section": "G", "text": "Audiology 'as required'"}],
                     "disputes": [{"item": "G1", "family_says": "F"}, {"item": "G2"}]},
            "pinned": {"review_outcome": {"value": "amend", "occurrence": "first"}, "mediation": "declined",
                       "appeal_outcome": "heard", "hearing": hearing}}


def test_an_f_g_dispute_gets_an_order_on_f_and_a_recommendation_on_g(tmp_path, small_dict):
    """The review amends the plan and the family disputes two items: G1 (therapy in G, said to educate: F, CFA
    s.21(5)) and G2 (health provision in G). Decided for the family, the tribunal orders G1 into Section F (binding:
    the LA amends within 5 weeks = 35 days, reg 44) and can only recommend on G2 (errata.md 1: an education part is
    appealed too), which the ICB answers in writing within 5 weeks of the decision."""
    rows = run(tmp_path, small_dict, fg_case("for_family"))[0]
    disputed = [r for r in rows if r.step == "redress" and r.event == "dispute_contents"][0].day
    assert events(rows, "plan_item_dispute") == [(disputed, "section_G_item_G1_claimed_for_F"),
                                                 (disputed, "section_G_item_G2")]
    decided = [r.day for r in rows if r.step == "tribunal_decision" and r.event == "for_family"][0]
    order = [r for r in rows if r.step == "section_order"]
    assert [(r.day, r.event, r.deadline_day) for r in order] == [(decided, "order_G1_in_section_F", decided + 35)]
    assert events(rows, "tribunal_recommendation") == [(decided, "made_on_item_G2_in_section_G")]
    answer = [r for r in rows if r.step == "recommendation_response"][0]
    assert answer.duty_holder == "integrated_care_board" and answer.deadline_day == decided + 35
    assert decided <= answer.day <= decided + 35 and answer.deadline_met
    comply = [r for r in rows if r.step == "comply"][0]
    assert comply.event == "amend" and decided <= comply.day <= decided + 35
    assert map_row("section_order")["duty_strength"] == {"local_authority": "absolute"}
    assert map_row("recommendation_response")["duty_strength"]["integrated_care_board"] == "recommendation"


def test_an_f_g_dispute_decided_for_the_la_gives_no_order_and_no_recommendation(tmp_path, small_dict):
    rows = run(tmp_path, small_dict, fg_case("for_la"))[0]
    assert [e for _d, e in events(rows, "section_order")] == ["no_order_G1_stays_in_G"]
    assert [e for _d, e in events(rows, "tribunal_recommendation")] == ["not_made_G2"]
    assert not events(rows, "comply") and not events(rows, "recommendation_response")


def test_a_refused_direct_payment_gets_reasons_then_review_then_complaint_and_no_tribunal(tmp_path, small_dict):
    """Request on 11 January 2019 (day 10). By hand: decision to assess day 24; school advice 38, EP advice 52;
    decision to issue 59; draft 69. The family asks for a personal budget with the draft: the LA must prepare it
    (s.49(1); reg 4) by the final plan's limit, 20 weeks from the request (day 150). The direct payment would pay a
    tutor in school and the school does not agree: refused on day 69 with written reasons; the family asks for a
    review 2 weeks later (day 83); the LA reviews within 4 weeks (the rule set's assumption): day 111, upheld; then
    a complaint and the Ombudsman, and the map gives the budget no tribunal route."""
    case = {"request_date": "2019-01-11", "child": {"age": 11.4, "need": "SpLD", "preferred": "mainstream"},
            "plan": {"items": [{"id": "F2", "section": "F", "text": "1:1 tuition"},
                               {"id": "G1", "section": "G", "text": "OT"}]},
            "personal_budget": {"asked_at": "draft", "items": ["F2", "G1"],
                                "direct_payment": {"items": ["F2"], "on_premises": True, "setting_agrees": False}},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed",
                       "dispute_contents": False, "review_outcome": "maintain"}}
    rows = run(tmp_path, small_dict, case)[0]
    assert events(rows, "draft_plan") == [(69.0, "issued")]
    budget = [r for r in rows if r.step == "personal_budget"]
    assert [(r.day, r.event, r.deadline_day) for r in budget] == [(69.0, "asked_at_draft_la_must_prepare", 150.0)]
    assert events(rows, "direct_payment") == [(69.0, "refused_F2_setting_did_not_agree")]
    assert events(rows, "direct_payment_review") == [(69.0, "written_reasons_and_right_to_review"),
                                                     (83.0, "requested"), (111.0, "upheld")]
    assert events(rows, "direct_payment_redress") == [(111.0, "complaint_to_the_council_no_tribunal_route"),
                                                      (111.0, "ombudsman_lgsco_no_tribunal_route")]
    for step in ("personal_budget", "direct_payment", "direct_payment_review", "direct_payment_redress"):
        assert "tribunal_appeal" not in map_row(step)["redress"], step
    assert "decision about provision with no appeal to the tribunal" in map_row("direct_payment")["gaps"]
    assert "judicial_review" in map_row("direct_payment_redress")["redress"]
    # the school agrees: the direct payment is made, with no review
    case["personal_budget"]["direct_payment"]["setting_agrees"] = True
    rows = run(tmp_path, small_dict, case)[0]
    assert events(rows, "direct_payment") == [(69.0, "agreed_F2")] and not events(rows, "direct_payment_review")


@pytest.mark.parametrize("change, expected", [
    ({"education": {"arrangement": "youth_custody", "suitable": False}}, "education.suitable: applies to"),
    ({"education": {"arrangement": "hospital", "remanded": True}}, "education.remanded: applies to youth_custody"),
    ({"plan": {"items": [{"id": "F1", "section": "F", "text": "x"}], "disputes": [{"item": "G9"}]}},
     "plan.disputes: no item 'G9'"),
    ({"plan": {"items": [{"id": "F1", "section": "K", "text": "x"}]}}, "plan.items[0].section: Input should be 'B'"),
    ({"personal_budget": {"asked_at": "draft", "items": ["F1"]}, "plan": {"items": [
        {"id": "F1", "section": "F", "text": "x"}]}}, "personal_budget.asked_at: draft needs a new request"),
    ({"plan": {"items": [{"id": "I1", "section": "I", "text": "x"}]},
      "personal_budget": {"asked_at": "review", "items": ["I1"]}}, "personal_budget.items: I1 is in section I"),
])
def test_bad_fields_give_one_line_naming_file_field_and_allowed(tmp_path, small_dict, change, expected):
    d = one_child_fixed(small_dict)
    write_scenario(tmp_path, d, "quiet.yaml")
    doc = {"name": "t", "title": "T", "summary": "x", "sources": ["test"], "scenario": "quiet.yaml",
           "start_date": "2019-01-07", "existing_plan": {"setting": "mainstream"}, "child": {"age": 12.0}, **change}
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as e:
        load_case(p)
    assert len(e.value.lines) == 1 and str(p) in e.value.lines[0] and expected in e.value.lines[0], e.value.lines


def test_schema_shows_the_new_fields():
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, ["schema", "--kind", "case_study"])
    assert r.exit_code == 0
    for field in ("elective_home_education", "youth_custody", "personal_budget", "direct_payment", "family_says",
                  "setting_agrees", "H1"):
        assert field in r.output, field


def test_shipped_cases_cover_each_capability_twice():
    docs = [yaml.safe_load(p.read_text()) for p in (ROOT / "case_studies").glob("*.yaml")]
    arr = [d["education"]["arrangement"] for d in docs if d.get("education")]
    assert arr.count("elective_home_education") >= 2 and arr.count("youth_custody") >= 2
    assert arr.count("hospital") + arr.count("otherwise_than_in_school") >= 2
    assert sum(1 for d in docs if d.get("plan", {}).get("disputes")) >= 2
    assert sum(1 for d in docs if d.get("personal_budget", {}).get("direct_payment")) >= 2
