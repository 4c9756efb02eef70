"""Three leftovers users met, worked by hand on one child in a quiet scenario (tests/test_case_beyond_school.py's
fixture: small_la with no other requests and every working time fixed; days from 1 January 2019 = day 0).

1. A dispute of health or social care items alone has no tribunal route (CFA s.51(2): a contents appeal is on B, F
   or I; errata.md 1: recommendations on C, D, G, H only with one of those appealed too): the route goes to an NHS
   complaint then the PHSO (health), the LA's social care complaints then the LGSCO (social care), never to an
   appeal, a hearing or an order (engine/model/route/content.py).
2. A new request after a plan ceased (CFA s.45, then s.36(1)); for a child home-educated by the parents' choice (the
   LA's duties to a child in its area, CFA s.22, s.24); for a child in a hospital school (a special school or PRU,
   Education Act 1996 s.19). Each is a step on the route; what is still inexpressible is refused in one line.
3. The compiled Child's C-typed fields never read None (engine/model/child.py's docstring).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.runs.case_study import load_case, run_case_child
from simulator.cli import main
from simulator.engine.core.streams import Streams
from simulator.engine.model.child import Child
from simulator.engine.model.route.content import COMPLAINT_OCCURRENCE

from .conftest import ROOT, one_child_fixed, pin, write_scenario

SMALL = ROOT / "scenarios" / "small_la.yaml"
TRIBUNAL_STEPS = ("mediation_advice", "mediation", "mediation_certificate", "appeal", "hearing", "tribunal_decision",
                  "comply", "section_order", "tribunal_recommendation", "recommendation_response")


def _write(tmp_path, small_dict, case: dict) -> object:
    d = one_child_fixed(small_dict)
    pin(d["reviews"]["review_late_probability"], 0.0)
    write_scenario(tmp_path, d, "quiet.yaml")
    doc = {"name": "t", "title": "T", "summary": "x", "sources": ["test"], "scenario": "quiet.yaml", **case}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def _run(tmp_path, small_dict, case: dict, **law) -> tuple[list, Child]:
    """The case's rows and child in one run (seed 1, run 0), with the rule set's `law` values replaced."""
    c, loaded, la, start = load_case(_write(tmp_path, small_dict, case))
    if law:
        loaded = dataclasses.replace(loaded, law=dataclasses.replace(loaded.law, **law))
    return run_case_child(c, loaded, la, start, 1, 0)


def _steps(rows: list, step: str) -> list[tuple[float, str, str]]:
    return [(r.day, r.event, r.duty_holder) for r in rows if r.step == step]


HEALTH_ONLY = {"start_date": "2019-01-07", "child": {"age": 9.0, "need": "PD", "health": True, "social": True},
               "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed"},
               "plan": {"items": [{"id": "h1", "section": "G", "text": "weekly physiotherapy"},
                                  {"id": "f1", "section": "F", "text": "a teaching assistant"}],
                        "disputes": [{"item": "h1", "why": "hours"}]}}


def test_a_dispute_of_a_health_item_alone_goes_to_an_nhs_complaint_then_the_phso_never_to_a_hearing(
        tmp_path, small_dict):
    """Only G item h1 is disputed (its wording, not its section): no education part, so no appeal can be registered
    (CFA s.51(2)). Complaint not upheld (the rule set's share set to 0), the Ombudsman finds fault (set to 1). The
    dispute starts the day the final plan is issued (day F); the family complains to the NHS that day; the ICB
    answers after -84 ln(u1) days (u1: the child's draw of stream complaint_days at occurrence 1 x 16 + 0: its first
    dispute, its first route); not upheld, the family refers it to the PHSO that day, which finds fault after
    -182 ln(u2) days (ombudsman_days, same occurrence). No mediation, appeal, hearing, order or recommendation."""
    rows, child = _run(tmp_path, small_dict, HEALTH_ONLY, complaint_upheld=0.0, ombudsman_fault_found=1.0,
                       complaint_response_days=84.0, ombudsman_decision_days=182.0)
    (final,) = [r.day for r in rows if r.step == "final_plan" and r.event == "issued"]
    assert _steps(rows, "redress") == [(final, "dispute_contents", "family")]
    assert _steps(rows, "plan_item_dispute") == [(final, "section_G_item_h1", "family")]
    k = 1 * COMPLAINT_OCCURRENCE + 0
    s = Streams(1, 0)
    answered = final - 84.0 * math.log(s.uniform("complaint_days", child.id, k))
    decided = answered - 182.0 * math.log(s.uniform("ombudsman_days", child.id, k))
    complaint = _steps(rows, "complaint_no_tribunal")
    assert complaint[0] == (final, "complaint_nhs_items_h1_no_tribunal_route", "family")
    assert complaint[1][1:] == ("complaint_nhs_not_upheld", "integrated_care_board")
    assert complaint[1][0] == pytest.approx(answered)
    ombudsman = _steps(rows, "phso_no_tribunal")
    assert ombudsman[0][1:] == ("phso_referred", "family") and ombudsman[0][0] == pytest.approx(answered)
    assert ombudsman[1][1:] == ("phso_fault_found_recommends", "phso") and ombudsman[1][0] == pytest.approx(decided)
    assert not [r for r in rows if r.step in TRIBUNAL_STEPS]
    assert child.dispute == "" and child.appeals == 0  # ended, with no appeal registered


def test_health_and_social_care_items_go_to_their_own_bodies_and_end_together(tmp_path, small_dict):
    """A G item (health) and an H1 item (social care) disputed: two routes, each to its own body: an NHS complaint
    answered by the ICB, and the LA's social care complaints answered by social care (timeline.md 1.5). Both upheld
    (share 1): no Ombudsman; the dispute ends at the later answer, for the family (records.ENDING_OF)."""
    case = {**HEALTH_ONLY, "plan": {"items": [{"id": "h1", "section": "G", "text": "x"},
                                              {"id": "s1", "section": "H1", "text": "y"}],
                                    "disputes": [{"item": "h1"}, {"item": "s1"}]}}
    rows, child = _run(tmp_path, small_dict, case, complaint_upheld=1.0)
    complaint = _steps(rows, "complaint_no_tribunal")
    assert [e[1:] for e in complaint[:2]] == [("complaint_nhs_items_h1_no_tribunal_route", "family"),
                                              ("complaint_la_items_s1_no_tribunal_route", "family")]
    assert sorted(e[1:] for e in complaint[2:]) == [("complaint_la_upheld", "social_care"),
                                                    ("complaint_nhs_upheld", "integrated_care_board")]
    assert not _steps(rows, "phso_no_tribunal") and not _steps(rows, "lgsco_no_tribunal")
    assert not [r for r in rows if r.step in TRIBUNAL_STEPS]
    assert child.dispute == ""


def test_a_g_item_said_to_be_f_is_an_education_part_and_still_goes_to_the_tribunal(tmp_path, small_dict):
    """The same G item said to educate or train (family_says F: CFA s.21(5)) is an education part: the appeal is
    heard (pinned) and the tribunal orders it into F; no complaint route."""
    case = {**HEALTH_ONLY, "pinned": {**HEALTH_ONLY["pinned"], "mediation": "declined", "appeal_outcome": "heard",
                                      "hearing": "for_family"},
            "plan": {**HEALTH_ONLY["plan"], "disputes": [{"item": "h1", "family_says": "F"}]}}
    rows, _child = _run(tmp_path, small_dict, case)
    assert [e[1] for e in _steps(rows, "hearing")] == ["heard"]
    assert [e[1] for e in _steps(rows, "section_order")] == ["order_h1_in_section_F"]
    assert not _steps(rows, "complaint_no_tribunal")


def test_the_case_output_names_the_bodies_and_holds_no_hearing(tmp_path):
    """The case study's summary for a G and an H1 item alone: no route of any run has an appeal or a hearing; the
    note names the NHS complaint and the PHSO, the social care complaints and the LGSCO; the step table names the
    ICB and social care as the complaint's duty holders, and each Ombudsman after it as its step's only one."""
    from simulator.api import case_study

    doc = {"name": "hs", "title": "t", "summary": "s", "sources": ["test"], "scenario": str(SMALL),
           "start_date": "2019-01-07", "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue"},
           "plan": {"items": [{"id": "h1", "section": "G", "text": "x"}, {"id": "s1", "section": "H1", "text": "y"}],
                    "disputes": [{"item": "h1"}, {"item": "s1"}]},
           "child": {"age": 9.0, "need": "PD", "health": True, "social": True}}
    p = tmp_path / "hs.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = case_study(p, ["current_2014"], replications=4).summary
    res = out["results"][0]
    for t in res["top_routes"]:
        assert not [x for x in t["route"] if x.split(":")[0] in TRIBUNAL_STEPS], t
    note = out["disputes_note"]
    assert "no appeal, hearing or order" in note
    assert "an NHS complaint, then the Parliamentary and Health Service Ombudsman (health)" in note
    assert "the Local Government and Social Care Ombudsman (social care)" in note
    steps = {s["step"]: s for s in res["steps"]}
    assert steps["complaint_no_tribunal"]["duty_holder"] == ["integrated_care_board", "social_care", "local_authority"]
    ombudsmen = {k: v for k, v in steps.items() if k in ("phso_no_tribunal", "lgsco_no_tribunal")}
    assert ombudsmen, "no run's commonest route reached an Ombudsman"
    for k, v in ombudsmen.items():  # one duty holder each: no false "duty split" or "cannot bind" gap
        assert v["duty_holder"] == [k.split("_")[0]] and v["gaps"] == [], v


# ------------------------------------------------------------------------------------------ 2. new requests


def test_a_new_request_after_a_plan_ceased_at_16_is_a_new_request_with_its_own_20_weeks(tmp_path, small_dict):
    """A plan ceased at 16 when the young person left education (CFA s.45); at 18, back at college, the young
    person asks again: a new request under s.36(1). The route's first day (day 6, 7 January) logs the request and
    the earlier cessation; the final plan's deadline is 20 weeks (140 days) from this request: day 146."""
    case = {"start_date": "2019-01-07", "previous_plan": {"ceased_age": 16, "reason": "left_education"},
            "child": {"age": 18.0, "current_setting": "post16", "requester": "young_person", "preferred": "post16"},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue"}}
    rows, _child = _run(tmp_path, small_dict, case)
    assert _steps(rows, "request") == [(6.0, "received_from_young_person", "local_authority")]
    assert _steps(rows, "cessation") == [(6.0, "earlier_plan_ceased_at_16_left_education_new_request_s36",
                                          "local_authority")]
    (final,) = [r for r in rows if r.step == "final_plan"]
    assert final.deadline_day == 146.0


def test_a_home_educated_child_is_assessed_and_the_plan_lifts_the_duty_while_home_education_lasts(
        tmp_path, small_dict):
    """A child of 9 educated at home by the parents' choice: the LA is responsible for the child in its area (CFA
    s.24) and assesses as for any child; no school attends, so the educational advice comes from a person the LA
    asks (SEND Regs 2014 reg 6(1)(b)). The plan names the setting decided (mainstream, agreed), which the child does
    not take up: at the final plan the LA's duty is lifted while the arrangements are suitable (s.42(5)); no place is
    taken up (no provision row)."""
    case = {"start_date": "2019-01-07", "child": {"age": 9.0, "current_setting": "none", "requester": "parent"},
            "education": {"arrangement": "elective_home_education"},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed",
                       "dispute_contents": False}}
    rows, child = _run(tmp_path, small_dict, case)
    (final,) = [r.day for r in rows if r.step == "final_plan"]
    assert _steps(rows, "elective_home_education") == [
        (6.0, "home_educated_at_request_la_responsible_s24", "local_authority"),
        (final, "duty_lifted_arrangements_suitable", "local_authority")]
    assert not _steps(rows, "provision")
    assert child.setting == "elective_home_education" and child.status == "plan"


def test_home_education_ending_before_the_plan_sends_the_child_to_school_and_the_plan_names_a_place(
        tmp_path, small_dict):
    """Home education until 1 April 2019 (day 90), then mainstream school: logged that day; the plan, final later,
    secures its named place as for any child (a provision row), with no duty lifted."""
    case = {"start_date": "2019-01-07", "child": {"age": 9.0, "current_setting": "none", "requester": "parent"},
            "education": {"arrangement": "elective_home_education", "until": "2019-04-01",
                          "setting_after": "mainstream"},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed",
                       "dispute_contents": False}}
    rows, _child = _run(tmp_path, small_dict, case)
    assert _steps(rows, "elective_home_education") == [
        (6.0, "home_educated_at_request_la_responsible_s24", "local_authority"),
        (90.0, "ended_before_the_plan_goes_to_mainstream", "local_authority")]
    assert [e[1] for e in _steps(rows, "provision")] == ["in_place_mainstream"]


def test_a_child_in_a_hospital_school_is_a_new_request_whose_school_gives_the_advice(tmp_path):
    """A child of 12 in a hospital school (a special school or PRU in a hospital: Education Act 1996 s.19): the
    route's first day logs it; the educational advice is the map's row (the head of the school attended, reg
    6(1)(b)); the child's description says so."""
    from simulator.api import case_study

    doc = {"name": "hosp", "title": "t", "summary": "s", "sources": ["test"], "scenario": str(SMALL),
           "start_date": "2019-03-04", "pinned": {"decide_to_assess": "agreed"},
           "child": {"age": 12.0, "current_setting": "hospital_school", "requester": "parent"}}
    p = tmp_path / "hosp.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = case_study(p, ["current_2014"], replications=3).summary
    steps = {s["step"]: s for s in out["results"][0]["steps"]}
    assert steps["hospital_education"]["event"] == "at_hospital_school_at_request_s19"
    assert steps["hospital_education"]["weeks_from_start"] == 0.0
    assert steps["school_advice"]["label"] == "Educational advice from the school or setting"
    assert out["child"][0].startswith("at a hospital school (a special school or pupil referral unit")


def test_the_home_educated_childs_advice_comes_from_a_person_the_la_asks(tmp_path):
    from simulator.api import case_study

    doc = {"name": "ehe", "title": "t", "summary": "s", "sources": ["test"], "scenario": str(SMALL),
           "start_date": "2019-03-04", "pinned": {"decide_to_assess": "agreed"},
           "child": {"age": 9.0, "current_setting": "none", "requester": "parent"},
           "education": {"arrangement": "elective_home_education"}}
    p = tmp_path / "ehe.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = case_study(p, ["current_2014"], replications=3).summary
    (row,) = [s for s in out["results"][0]["steps"] if s["step"] == "school_advice"]
    assert row["label"].startswith("Educational advice from a person with experience of teaching children with SEN "
                                   "whom the LA asks (the child is educated at home by the parents")


BASE = {"name": "t", "title": "T", "summary": "x", "sources": ["test"], "scenario": "small_la",
        "start_date": "2019-01-07"}


@pytest.mark.parametrize("extra, says", [
    ({"existing_plan": {"setting": "mainstream"}, "start_date": "2019-01-07",
      "previous_plan": {"ceased_age": 8, "reason": "needs_met"}, "child": {"age": 9.0}},
     "previous_plan: a plan that ceased before a new request; a plan in force is existing_plan (give one, not both)"),
    ({"previous_plan": {"ceased_age": 18, "reason": "left_education"}, "child": {"age": 18.0}},
     "previous_plan.ceased_age: 18 is not before the request at age 18 (allowed: below 18)"),
    ({"previous_plan": {"ceased_age": 16, "reason": "age_25"}, "child": {"age": 18.0}},
     "previous_plan.reason: Input should be 'needs_met', 'left_education', 'employment', 'higher_education', "
     "'moved_away' or 'no_longer_benefits' (got 'age_25')"),
    ({"education": {"arrangement": "hospital"}, "child": {"age": 12.0}},
     "education: hospital applies to a plan in force (give existing_plan) (a child in a hospital school at the "
     "request is child.current_setting: hospital_school); a new request takes elective_home_education only"),
    ({"child": {"age": 12.0, "preferred": "hospital_school"}}, "child.preferred: Input should be"),
    ({"education": {"arrangement": "elective_home_education"}, "child": {"age": 9.0, "current_setting": "mainstream"}},
     "child.current_setting: mainstream contradicts education: elective_home_education (a child educated at home "
     "attends no school) (allowed: none)"),
    ({"education": {"arrangement": "elective_home_education"},
      "child": {"age": 9.0, "current_setting": "none", "out_of_school": True}},
     "child.out_of_school: a child educated at home by the parents' choice is receiving education"),
    ({"education": {"arrangement": "elective_home_education", "until": "2019-06-01"},
      "child": {"age": 9.0, "current_setting": "none"}},
     "education.setting_after: give the setting the child goes to at until"),
    ({"existing_plan": {"setting": "mainstream"}, "child": {"age": 12.0, "current_setting": "hospital_school"}},
     "child.current_setting: hospital_school is where a child is at a new request"),
])
def test_what_a_case_file_still_cannot_mean_is_refused_in_one_line(tmp_path, extra, says):
    """Each refused in one line naming the file, its line and the field, with what is allowed; exit 2; nothing
    written."""
    p = tmp_path / "x.yaml"
    p.write_text(yaml.safe_dump({**BASE, **extra}, sort_keys=False))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["case-study", str(p), "--rules", "current_2014", "--runs", "1", "--out", str(out)])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.stderr
    assert f"{p}:" in r.stderr and says in r.stderr, r.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------------- 3. the compiled Child


def test_the_c_typed_fields_of_a_new_child_are_set_and_never_none():
    """engine/model/child.py: the eleven bint and five int fields are set when a child is made (True/False, an
    int), in the compiled core and the pure path alike; an object field never set reads None (compiled) or raises
    AttributeError (pure)."""
    c = Child(7, 0, False)
    for f in ("stock", "exception", "refused", "assessed", "no_plan", "named_against_wish", "must_certify", "ordered",
              "compelled", "compelled_unsettled", "escalated"):
        assert getattr(c, f) is False, f
    for f in ("gid", "pid", "rung", "transfers", "place_seq"):
        assert type(getattr(c, f)) is int and getattr(c, f) == 0, f
    assert getattr(c, "setting", None) is None  # never set: None compiled, AttributeError (default None) pure
    assert dt.date  # (the module's date import is used by the fixtures' files)


def test_a_plan_made_after_the_31_july_after_the_25th_birthday_ends_on_the_day_it_is_made(tmp_path, small_dict):
    """CFA s.46: a plan may be maintained to the end of the academic year in which the young person turns 25 (31 July).
    A request at 24.9 on 15 June 2019 (days from 1 January 2019, the scenario's start): the birthday falls about 21
    July 2019, so the plan's end is 31 July 2019 (day 211). The final plan comes about 12 weeks after the request (the
    quiet fixture's fixed working times), after that day, so it cannot be maintained: it ends on the day it is made. Before, its end was skipped as past and the plan never ended
    (a plan for a 25.7-year-old, kept in the caseload for ever)."""
    case = {"start_date": "2019-06-15", "child": {"age": 24.9, "need": "SLD", "requester": "young_person"},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed"}}
    rows, c = _run(tmp_path, small_dict, case)
    (final,) = [r.day for r in rows if r.step == "final_plan" and r.event == "issued"]
    end_of_year = (dt.date(2019, 7, 31) - dt.date(2019, 1, 1)).days  # 211
    assert final > end_of_year  # the premise: the plan is made after the 31 July
    ends = [r.day for r in rows if r.step == "plan_end_25"]
    assert ends == [final]
    assert c.status != "plan"


def test_the_timeline_legend_names_the_ombudsmen_in_words():
    """Each body that holds a step of the no-tribunal route is named in the timeline's legend in words: the legend
    showed 'phso' (its code) for Dev's case."""
    from simulator.report.timeline import BODY_NAMES

    rules = yaml.safe_load((ROOT / "scenarios" / "rules" / "current_2014.yaml").read_text())
    found = {}

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("complaint_no_tribunal", "phso_no_tribunal", "lgsco_no_tribunal"):
                    found[k] = v["duty_holder"]
                walk(v)

    walk(rules)
    assert set(found) == {"complaint_no_tribunal", "phso_no_tribunal", "lgsco_no_tribunal"}
    for holders in found.values():
        for h in holders:
            assert h in BODY_NAMES and "_" not in BODY_NAMES[h], h
