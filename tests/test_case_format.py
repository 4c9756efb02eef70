"""The richer case-study format (issue 12): contradictions refused with one line naming the field (exit 2), an
impossible date refused, pins by occurrence, a pinned late phase transfer, an overridden pin said out loud, and the
route distribution as top routes with shares."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.runs.case_study import case_study
from simulator.cli import main

from .test_statutory_route import run_plans
from .test_timeline import events_of, fixed_scenario

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
BASE = {"name": "x", "title": "x", "summary": "x", "sources": ["test"], "scenario": str(ROOT / "scenarios" /
                                                                                        "small_la.yaml")}
NEW = {**BASE, "request_date": "2019-04-01", "child": {"age": 8.0}}
PLAN = {**BASE, "existing_plan": {"setting": "mainstream"}, "child": {"age": 8.0}}

BAD = {
    "assessment pinned for a plan in force": ({**PLAN, "pinned": {"decide_to_assess": "refused"}},
                                              "pinned.decide_to_assess: cannot happen"),
    "dispute of an agreed assessment": ({**NEW, "pinned": {"decide_to_assess": "agreed",
                                                           "dispute_refusal_to_assess": True}}, "pinned"),
    "appeal after every mediation settles": ({**NEW, "pinned": {"mediation_outcome": "for_family",
                                                                "appeal_outcome": "heard"}}, "pinned"),
    "mediation with every dispute pinned false": (
        {**NEW, "pinned": {"dispute_refusal_to_assess": False, "dispute_refusal_to_issue": False,
                           "dispute_placement": False, "dispute_contents": False, "dispute_cessation": False,
                           "mediation": "chosen"}}, "pinned"),
    "year group against age": ({**NEW, "child": {"age": 8.0, "year_group": 6}}, "child.year_group"),
    "out of school but in a school": ({**NEW, "child": {"age": 14.0, "out_of_school": True,
                                                        "current_setting": "mainstream"}}, "child.current_setting"),
    "early years at 9": ({**NEW, "child": {"age": 9.0, "current_setting": "early_years"}}, "child.current_setting"),
    "specialist college at 12": ({**NEW, "child": {"age": 12.0, "preferred": "specialist_college"}},
                                 "child.preferred"),
    "cessation with reviews pinned to maintain": (
        {**PLAN, "cessation": {"reason": "needs_met"}, "pinned": {"review_outcome": "maintain"}}, "cessation"),
    "age 25 reason at 17": ({**PLAN, "child": {"age": 17.0}, "cessation": {"reason": "age_25"}},
                            "cessation.reason"),
    "impossible date": ({**NEW, "request_date": "2019-02-30"}, "request_date: 2019-02-30 is not a date"),
    "pin occurrence of no pin": ({**NEW, "pinned": {"occurrence": {"shoe_size": "first"}}}, "occurrence"),
}


@pytest.mark.parametrize("why", list(BAD))
def test_contradictions_exit_2_with_one_line_naming_the_field(tmp_path, why):
    doc, field = BAD[why]
    p = tmp_path / "case.yaml"
    text = yaml.safe_dump(doc)
    p.write_text(text.replace("'2019-02-30'", "2019-02-30"))  # a YAML date, as a user would write it
    r = CliRunner().invoke(main, ["case-study", str(p), "--rules", "current_2014", "--runs", "1"])
    assert r.exit_code == 2, (why, r.output)
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in r.output, (why, r.output)


def test_pin_for_the_first_occurrence_only(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)  # amendments never drawn: only a pin amends
    first = {"review_outcome": "amend", "__first_only__": {"review_outcome"}}
    (once, every), rows = run_plans(loaded, [("mainstream", 9.0, 30.0, {"pins": first}),
                                             ("mainstream", 9.0, 30.0, {"pins": {"review_outcome": "amend"}})])
    outcome = {c.id: [e for _t, s, e, _d, _m in events_of(rows, c.id) if s == "annual_review"] for c in (once, every)}
    assert outcome[once.id] == ["amend", "maintain"]
    assert outcome[every.id] == ["amend", "amend"]


def test_pinned_late_phase_transfer_misses_15_february(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    # 10.5 on 1 January 2019: 11 on 1 September 2019, so the secondary transfer is due by 15 February 2019 (day 45)
    (late, on_time), rows = run_plans(loaded, [
        ("mainstream", 10.5, 300.0, {"pins": {"phase_transfer": "late", "transfer_preferred": "maintained_special"}}),
        # (the on-time child stays in mainstream, so the one special place of this quiet scenario is free)
        ("mainstream", 10.5, 300.0, {"pins": {"phase_transfer": "on_time", "transfer_preferred": "mainstream"}})])
    ev = {c.id: next((t, e, dl, m) for t, s, e, dl, m in events_of(rows, c.id) if s == "phase_transfer")
          for c in (late, on_time)}
    assert ev[late.id][2] == 45.0 and ev[late.id][0] > 45.0 and ev[late.id][3] is False
    assert ev[on_time.id][0] == 45.0 and ev[on_time.id][3] is True
    named = [e for _t, s, e, _d, _m in events_of(rows, late.id) if s == "name_setting"]
    assert named and named[0].startswith("named_maintained_special")  # the file's preference, not a draw


def test_overridden_pin_is_said_and_routes_have_shares(tmp_path):
    p = tmp_path / "case.yaml"
    shutil.copy(ROOT / "case_studies" / "refusal_to_assess_parent_request.yaml", p)
    p.write_text(p.read_text().replace("../scenarios/small_la.yaml", str(ROOT / "scenarios" / "small_la.yaml")))
    res = case_study(p, ["current_2014", "current_2014+mandatory_mediation"], runs=3, seed=1)
    cur, mm = res["results"]
    assert cur["pins_overridden"] == []
    assert mm["pins_overridden"] and "mandatory" in mm["pins_overridden"][0]
    for r in (cur, mm):
        shares = [t["share_pct"] for t in r["top_routes"]]
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 100.0 + 1e-9
        assert (r["route_note"] == "no route above 20.0% of runs") == (shares[0] <= 20.0)


def test_the_files_preference_is_taken_at_the_next_phase_transfer(tmp_path, small_dict):
    from .conftest import quiet, write_scenario  # noqa: PLC0415

    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    write_scenario(tmp_path, d, "quiet.yaml")
    case = {**BASE, "scenario": "quiet.yaml", "existing_plan": {"setting": "mainstream", "first_review_day": 300},
            "child": {"age": 10.6, "year_group": 6, "preferred": "maintained_special"},
            "pinned": {"phase_transfer": "on_time", "review_outcome": "maintain"}}
    p = tmp_path / "transfer.yaml"
    p.write_text(yaml.safe_dump(case))
    res = case_study(p, ["current_2014"], runs=3, seed=1)
    for top in res["results"][0]["top_routes"]:
        assert "name_setting:named_maintained_special" in top["route"], top
