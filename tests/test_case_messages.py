"""Each confusing case-study message of issue 24, fixed: one test per message, with the words a user must (and must
not) see."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from simulator.analysis.runs.case_study import differences, load_case
from simulator.report.tables import format_case
from simulator.report.timeline import _title, losses, pins_in_words
from simulator.schema.files import InputError

from .conftest import ROOT

SAM = ROOT / "case_studies" / "sam_autistic_mainstream_specialist.yaml"


def _copy(tmp_path, src=SAM, **changes):
    doc = yaml.safe_load(src.read_text())
    doc.update(changes)
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_scenario_by_name_in_a_case_file_is_read_as_the_cli_reads_it(tmp_path):
    """`scenario: small_la` names the shipped scenario (it used to be resolved against the case file's folder)."""
    case, loaded, _la, _start = load_case(_copy(tmp_path, scenario="small_la"))
    assert loaded.scenario.name == "small_la"


def test_a_bad_occurrence_says_what_is_allowed(tmp_path):
    doc = yaml.safe_load(SAM.read_text())
    doc["pinned"] = {**(doc.get("pinned") or {}), "occurrence": "first"}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as e:
        load_case(p)
    line = e.value.lines[0]
    assert "dictionary update sequence" not in line
    assert "occurrence" in line and "allowed: a mapping from a pin to first or every" in line


def test_a_contradiction_names_the_field_the_user_set(tmp_path):
    """A plan in force in a mainstream school for a child out of school: the file set existing_plan.setting (not
    child.current_setting, which it never mentions)."""
    doc = yaml.safe_load((ROOT / "case_studies" / "phase_transfer_year6.yaml").read_text())
    doc["child"]["out_of_school"] = True
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as e:
        load_case(p)
    line = e.value.lines[0]
    assert "existing_plan.setting: mainstream contradicts child.out_of_school: true" in line
    assert "current_setting" not in line


def _existing_result() -> dict:
    r = {"rules": "current_2014", "label": "Current law", "runs": 4, "routes_seen": 1, "route_note": "x",
         "route_share_pct": 100.0, "within_20_weeks_pct": 0.0, "top_routes": [], "steps": [], "pins_overridden": [],
         "weeks_to_final_plan": {"median": None, "p10": None, "p90": None, "reached_pct": 0.0},
         "weeks_to_provision": {"median": 34.7, "p10": 34.7, "p90": 36.0, "reached_pct": 100.0}}
    return {"title": "T", "summary": "S", "scenario": "small_la", "runs": 4, "seed": 1, "pinned": {},
            "start": "existing plan on 2019-01-01", "results": [r], "what_changes": []}


def test_an_existing_plan_does_not_print_a_final_plan_that_cannot_come():
    text = format_case(_existing_result())
    assert "median None" not in text and "reached in 0.0%" not in text
    assert "A plan is in force at the start: there is no final plan to wait for." in text
    assert "Weeks to a new setting in place: median 34.7" in text


def test_pins_in_words_have_no_code_values():
    """PNG footers said 'occurrence: None' and 'dispute cessation: False'."""
    words = pins_in_words({"review_outcome": "cease", "dispute_cessation": False,
                           "occurrence": {"review_outcome": "first"}})
    assert "None" not in words and "False" not in words and "occurrence" not in words
    assert "the review ceases the plan (the first time only)" in words
    assert "the family does not dispute the cessation" in words


def test_a_pin_a_rule_set_overrides_is_listed():
    """A pin that took effect under current law in 4 of 4 runs and under the White Paper in 1 is listed as overridden
    under the White Paper (it was missing from pins_overridden)."""
    from simulator.analysis.runs.case_calendar import pins_effect, pins_overridden
    from simulator.engine.model.records import EventRow
    from simulator.schema.case_study import CaseStudy

    case = CaseStudy.model_validate(yaml.safe_load((ROOT / "case_studies" / "phase_transfer_year6.yaml").read_text()))

    def row(step, event):
        return EventRow(1, 0, 10.0, step, event, "local_authority", float("nan"), None)

    appealed = [row("name_setting", "named_mainstream_refused_unsuitable"), row("redress", "dispute_placement")]
    stepped_down = [row("phase_transfer", "reassessed_plan_to_cease")]
    a = {"rules": "current_2014", "runs": 4, "pins_effect": pins_effect(case, [appealed] * 4)}
    b = {"rules": "white_paper_2026", "runs": 4, "pins_effect": pins_effect(case, [appealed] + [stepped_down] * 3)}
    assert a["pins_effect"] == {"setting_request: refused": 4, "dispute_placement: True": 4}
    notes = pins_overridden(a, b)
    assert len(notes) == 2 and notes[0].startswith("pinned setting_request: refused took effect in 1 of 4 runs")
    assert pins_overridden(a, a) == []


def test_a_won_cessation_appeal_lists_only_its_own_deadline():
    from simulator.analysis.runs.case_study import step_deadline_text
    from simulator.rules.resolve import resolve_rules

    rs = resolve_rules("current_2014")[0]
    doc = rs.model_dump(mode="json")
    st = rs.accountability.steps["comply"]
    text = step_deadline_text(doc, st, "comply", "continue")
    assert text.startswith("immediately") and "assess" not in text and "make plan" not in text
    assert step_deadline_text(doc, st, "comply", "rename") == "2 weeks"  # reg 44(2): Section I order, 2 weeks


def test_a_post16_student_refused_a_specialist_college_is_offered_a_college(tmp_path, small_dict):
    """A Year 12 student refused an independent specialist college is named a further education college, not a
    maintained special school; a child of 10 refused an independent special school is named a maintained one."""
    from simulator.engine.core.loop import HeapEngine
    from simulator.engine.core.streams import Streams
    from simulator.engine.model.journey import Journey
    from simulator.rules.scenario import load_scenario

    from .conftest import quiet, write_scenario

    j = Journey(load_scenario(write_scenario(tmp_path, quiet(small_dict))), HeapEngine(), Streams(1, 0))
    j.populate()
    older = j.add_request(10.0, 0, 16.5, preferred="independent_special")
    younger = j.add_request(10.0, 0, 10.0, preferred="independent_special")
    assert j.la_alternative("independent_special", older) == "post16"
    assert j.la_alternative("independent_special", younger) == "maintained_special"


def test_each_new_gap_is_said_once():
    step = {"step": "appeal", "gaps": ["no redress for delay"]}
    a = {"rules": "a", "most_likely_route": ["x:y"], "steps": [],
         "weeks_to_final_plan": {"median": 1}, "weeks_to_provision": {"median": 1}}
    b = {**a, "rules": "b", "steps": [step, dict(step), dict(step)]}
    lines = [x for x in differences(a, b) if x.startswith("New gap")]
    assert lines == ["New gap under b at appeal: no redress for delay."]


def test_routes_that_differ_only_in_an_event_are_printed_differently():
    res = _existing_result()
    res["results"][0]["top_routes"] = [
        {"route": ["name_setting:named_mainstream_refused_unsuitable", "provision:in_place_mainstream"],
         "share_pct": 13.3},
        {"route": ["name_setting:named_mainstream_refused_inefficient_use_of_resources",
                   "provision:in_place_mainstream"], "share_pct": 13.3}]
    lines = [x for x in format_case(res).splitlines() if "13.3%" in x]
    assert len(lines) == 2 and lines[0] != lines[1]
    assert "unsuitable" in lines[0] and "inefficient use of resources" in lines[1]


def test_a_panel_title_gives_the_final_plan_week_of_the_route_it_draws():
    """The refusal case's Green Paper panel said 'final plan at week 30.7' (the median over all runs) while the
    route it draws reaches its final plan at week 36."""
    r = {"rules": "green_paper_2022", "label": "Green Paper", "runs": 10, "route_share_pct": 30.0,
         "within_20_weeks_pct": 10.0, "weeks_to_final_plan": {"median": 30.7},
         "steps": [{"step": "decide_to_assess", "event": "agreed", "weeks_from_start": 6.0},
                   {"step": "final_plan", "event": "issued", "weeks_from_start": 36.0}]}
    title = _title({"preferred": "mainstream"}, [r], False).replace("\n", " ")
    assert "final plan at week 36 on this route" in title and "median over all 10 runs: week 30.7" in title


def test_a_refusal_the_la_later_concedes_is_not_a_loss():
    def st(step, event, w):
        return {"step": step, "event": event, "weeks_from_start": w}

    r = {"steps": [st("decide_to_assess", "refused", 6.0), st("appeal", "conceded_by_la", 20.0),
                   st("comply", "assess_after_concession", 20.5), st("final_plan", "issued", 40.0)]}
    assert not any("assessment refused" in w for _i, w in losses({"preferred": "mainstream"}, r))
    r["steps"] = r["steps"][:1]  # not reversed: a loss
    assert [w for _i, w in losses({"preferred": "mainstream"}, r)] == ["the assessment refused"]


def test_merged_panels_say_why():
    from simulator.report.timeline import merged_because

    a = {"rules": "current_2014", "rule_set_label": "Current law", "in_force": {"reform": False, "applied": False}}
    b = {"rules": "white_paper_2026", "rule_set_label": "White Paper",
         "in_force": {"reform": True, "applied": False}}
    why = merged_because([a, b])
    assert why.startswith("Current law and White Paper share one panel: the same typical route")
    assert "(White Paper: not in force during this route)" in why
    assert merged_because([a]) == ""


def test_schema_has_a_case_study_kind():
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, ["schema", "--kind", "case_study"])
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert doc["title"] == "CaseStudy" and {"start_date", "scenario", "pinned"} <= set(doc["properties"])


def test_start_date_and_request_date_together_are_refused(tmp_path):
    p = _copy(tmp_path, start_date="2019-03-01")
    with pytest.raises(InputError) as e:
        load_case(p)
    assert "give start_date or request_date (its older name), not both" in e.value.lines[0]


def test_a_scenario_option_that_does_not_exist_is_one_line(tmp_path):
    from click.testing import CliRunner

    from simulator.cli import main

    out = tmp_path / "o"
    shutil.rmtree(out, ignore_errors=True)
    r = CliRunner().invoke(main, ["case-study", str(SAM), "--rules", "current_2014", "--scenario", "nowhere_la",
                                  "--out", str(out)])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "--scenario: nowhere_la: file not found" in r.output
    assert not out.exists()
