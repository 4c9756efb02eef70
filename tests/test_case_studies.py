"""Case studies and the accountability map."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from simulator.analysis.runs.case_study import case_study, load_case
from simulator.rules.accountability import map_document
from simulator.rules.resolve import resolve_rules
from simulator.schema.files import InputError
from simulator.schema.vocabulary import STEPS

from .conftest import ROOT, pin, quiet, write_scenario

RULE_SETS = sorted(p.stem for p in (ROOT / "scenarios" / "rules").glob("*.yaml"))
CASES = sorted((ROOT / "case_studies").glob("*.yaml"))


def journey_steps_in_source() -> set[str]:
    src = "\n".join(f.read_text() for f in sorted((ROOT / "simulator" / "engine" / "model").rglob("*.py")))
    logged = set(re.findall(r'self\.log\(c, "([a-z0-9_]+)"', src))
    advice = set(re.findall(r'\(c, "([a-z_]+_advice)", ', src))
    return logged | advice | {"sen_support"}


def test_every_step_the_journey_records_is_registered():
    """A new step added to the journey without registering it (and so without a map entry) fails here."""
    found = journey_steps_in_source()
    assert len(found) > 20  # the route modules were read
    assert found <= set(STEPS)


def test_every_step_a_run_logs_is_registered():
    """The same, from what a run really logs (no regex that could match nothing): every step in the event log of a
    small_la replication under each rule set is a registered step, and the log covers most of them."""
    from simulator.analysis.runs.runner import simulate
    from simulator.engine.model.records import Recorder
    from simulator.rules.scenario import load_scenario

    logged: set[str] = set()
    for rules in ("current_2014", "white_paper_2026"):
        loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml", rules)
        simulate(loaded, 3, 0, recorder=Recorder(lambda rows: logged.update(r.step for r in rows)))
    assert len(logged) >= 20
    assert logged <= set(STEPS), logged - set(STEPS)


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_step_has_duty_holder_and_payer_or_is_flagged(name):
    rs, _c, base, _h = resolve_rules(name)
    steps = rs.accountability.steps
    missing = set(STEPS) - set(steps)
    assert not missing, f"{name}: steps without a map entry: {missing}"
    doc = map_document(rs, resolve_rules(base)[0] if base != name else None)
    assert len(doc["steps"]) > 20  # rows were produced (the loop below runs)
    for row in doc["steps"]:
        assert bool(row["duty_holder"]) or "no duty holder" in row["gaps"], row
        assert bool(row["payer"]) or "no payer" in row["gaps"], row


def test_a_step_without_duty_holder_or_payer_is_flagged():
    """The branch the test above may never meet in the shipped rule sets, made to happen: a step stripped of its
    duty holder and payer is flagged with both gaps (and an untouched step is not)."""
    from simulator.schema.rules import RuleSet

    rs = resolve_rules("current_2014")[0]
    doc = rs.model_dump(mode="json")
    victim, other = sorted(doc["accountability"]["steps"])[:2]
    doc["accountability"]["steps"][victim].update(duty_holder=[], payer=[])
    rows = {r["step"]: r for r in map_document(RuleSet.model_validate(doc))["steps"]}
    assert "no duty holder" in rows[victim]["gaps"] and "no payer" in rows[victim]["gaps"]
    assert "no duty holder" not in rows[other]["gaps"]


def test_map_flags_the_gaps_reforms_open():
    base = resolve_rules("current_2014")[0]
    gp = map_document(resolve_rules("green_paper_2022")[0], base)
    row = next(r for r in gp["steps"] if r["step"] == "name_setting_outside_list")
    assert "redress lost against the baseline: tribunal_appeal" not in row["gaps"]  # DfE: tribunal still possible
    fear = map_document(resolve_rules("green_paper_2022+no_appeal_outside_list")[0], base)
    row = next(r for r in fear["steps"] if r["step"] == "name_setting_outside_list")
    assert "redress lost against the baseline: tribunal_appeal" in row["gaps"]
    wp = map_document(resolve_rules("white_paper_2026")[0], base)
    row = next(r for r in wp["steps"] if r["step"] == "school_support_plan")
    assert "decision about provision with no appeal to the tribunal" in row["gaps"]
    cur = map_document(base)
    assert "name_setting_outside_list" not in {r["step"] for r in cur["steps"]}  # no lists in current law
    post19 = next(r for r in cur["steps"] if r["step"] == "cessation_post19")
    # not a split duty (the LA ceases the plan, adult social care holds its own Care Act duty: errata.md 4), but adult
    # care has no tribunal route (HL v SSHSC [2023])
    assert not any("no one accountable for the whole" in g for g in post19["gaps"])
    assert any("tribunal cannot bind adult_social_care" in g for g in post19["gaps"])


def test_at_least_eight_case_studies_load():
    assert len(CASES) >= 8
    for f in CASES:
        load_case(f)


def test_placement_outside_the_list_stays_appealable_unless_the_sensitivity_switch_removes_it():
    """DfE: parents 'will still be able to go to tribunal if necessary' (PQ 2329): the Green Paper keeps the appeal;
    only the named sensitivity case (the seed's fear) loses it, and the map says so."""
    res = case_study(ROOT / "case_studies" / "independent_special_outside_list.yaml",
                     ["current_2014", "green_paper_2022", "green_paper_2022+no_appeal_outside_list"], runs=6, seed=2)
    cur, gp, fear = res["results"]
    cur_steps = {s["step"] for s in cur["steps"]}
    fear_steps = {s["step"]: s for s in fear["steps"]}
    assert "appeal" in cur_steps and "name_setting_outside_list" not in cur_steps
    # the list does not take the appeal away: a placement appeal on some route (the route now carries every review
    # and the place starting in September, so six runs need not share a modal route); the sensitivity case has none
    assert any("appeal:lodged_placement" in t["route"] for t in gp["top_routes"])
    assert not any("appeal:lodged_placement" in t["route"] for t in fear["top_routes"])
    assert "appeal" not in fear_steps
    assert "redress lost against the baseline: tribunal_appeal" in fear_steps["name_setting_outside_list"]["gaps"]
    assert any("redress lost" in x for x in res["what_changes"][1])


def fixed_case(tmp_path, small_dict) -> Path:
    """A scenario with every duration fixed and nobody else in the system, and a case with every event pinned."""
    d = quiet(small_dict)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    for k in [k for k in d["durations"] if k.endswith("_days")]:
        pin(d["durations"][k], {"panel_decision_days": 21, "ep_advice_days": 35, "school_advice_days": 21,
                                "decide_to_issue_days": 10, "draft_writing_days": 14,
                                "setting_consultation_days": 12, "finalise_days": 8,
                                "place_start_days": 21}.get(k, d["durations"][k]["value"]), distribution="fixed")
    pin(d["redress"]["decision_to_appeal_days"], 30, distribution="fixed")
    write_scenario(tmp_path, d, "fixed.yaml")
    case = {"name": "fixed", "title": "Fixed", "summary": "x", "sources": ["test"], "scenario": "fixed.yaml",
            "request_date": "2019-01-11",
            "child": {"age": 8.0, "preferred": "mainstream", "requester": "school"},
            "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "setting_request": "agreed",
                       "dispute_contents": False, "review_outcome": "maintain"}}
    p = tmp_path / "fixed_case.yaml"
    p.write_text(yaml.safe_dump(case))
    return p


def test_fully_pinned_case_gives_one_route_and_the_hand_worked_table(tmp_path, small_dict):
    res = case_study(fixed_case(tmp_path, small_dict), ["current_2014"], runs=5, seed=1)
    r = res["results"][0]
    assert r["routes_seen"] == 1 and r["route_share_pct"] == 100.0
    table = [(s["step"], ",".join(s["duty_holder"]), s["deadline"], s["weeks_from_start"], ",".join(s["payer"]))
             for s in r["steps"] if s["step"] not in ("sen_support", "annual_review")]
    # the review that maintains the plan is on the route too (every review is shown with its outcome): the first is
    # due 12 months after the final plan (day 115 + 365 = 480) and decided within 4 weeks (day 480 to 508)
    reviews = [s for s in r["steps"] if s["step"] == "annual_review"]
    assert [s["event"] for s in reviews] == ["maintain"]
    assert 480 / 7 - 0.05 <= reviews[0]["weeks_from_start"] <= 508 / 7 + 0.05
    # by hand (days from the request): decision 21; school advice 21+21=42; EP 21+35=56; decide to issue 66;
    # draft 80; comments 95; named 107; final 115; provision 136 (weeks = days / 7, one decimal); the request, the
    # decision to assess and EP advice are SEN administration, paid from the LA's general fund (errata.md 5)
    assert table == [
        ("request", "local_authority", "none", 0.0, "la_general_fund"),
        ("decide_to_assess", "local_authority", "6 weeks", 3.0, "la_general_fund"),
        ("school_advice", "school_or_setting", "6 weeks", 6.0, "school_notional_sen"),
        ("psychological_advice", "educational_psychology_service", "6 weeks", 8.0, "la_general_fund"),
        ("decide_to_issue", "local_authority", "16 weeks", 9.4, "la_high_needs"),
        ("draft_plan", "local_authority", "none", 11.4, "la_high_needs"),
        ("family_comments", "local_authority", "at least 15 days", 13.6, "family"),  # the LA must allow 15 days
        ("name_setting", "local_authority", "20 weeks", 15.3, "la_high_needs"),
        ("final_plan", "local_authority", "20 weeks", 16.4, "la_high_needs"),
        ("provision", "local_authority,integrated_care_board,social_care,school_or_setting", "none (by design)", 19.4,
         "la_high_needs,school_notional_sen,integrated_care_board,social_care"),
    ]
    assert r["weeks_to_final_plan"]["median"] == 16.4 and r["within_20_weeks_pct"] == 100.0


def test_bad_case_files_fail_clearly(tmp_path, small_dict):
    good = yaml.safe_load(fixed_case(tmp_path, small_dict).read_text())
    cases = {
        "unknown attribute": ({**good, "child": {**good["child"], "shoe_size": 3}}, "child.shoe_size"),
        "impossible pin": ({**good, "pinned": {"decide_to_assess": "refused", "dispute_refusal_to_assess": False,
                                               "decide_to_issue": "issue"}}, "impossible pinned events"),
        "missing scenario": ({**good, "scenario": "nowhere.yaml"}, "scenario: file not found"),
    }
    for why, (doc, expected) in cases.items():
        p = tmp_path / "bad_case.yaml"
        p.write_text(yaml.safe_dump(doc))
        with pytest.raises(InputError) as e:
            load_case(p)
        assert expected in e.value.lines[0], why
        assert str(p) in e.value.lines[0]


def test_case_study_cli_exit_code_2_and_chart(tmp_path, small_dict):
    from click.testing import CliRunner

    from simulator.cli import main

    p = tmp_path / "bad.yaml"
    shutil.copy(ROOT / "case_studies" / "sam_autistic_mainstream_specialist.yaml", p)
    p.write_text(p.read_text().replace("scenario: ../scenarios/small_la.yaml", "scenario: missing.yaml"))
    r = CliRunner().invoke(main, ["case-study", str(p), "--rules", "current_2014"])
    assert r.exit_code == 2 and "scenario: file not found" in r.output
    out = tmp_path / "cs"
    r = CliRunner().invoke(main, ["case-study", str(ROOT / "case_studies" / "refusal_to_assess_parent_request.yaml"),
                                  "--rules", "current_2014", "--rules", "white_paper_2026", "--runs", "3",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    png = out / "refusal_to_assess_parent_request.png"
    assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"


CASE_RULES = ("current_2014", "green_paper_2022", "improvement_plan_2023", "white_paper_2026")


@pytest.mark.parametrize("case", sorted(p.stem for p in (ROOT / "case_studies").glob("*.yaml")))
def test_every_case_timeline_is_readable(case):
    """Each golden case study's timeline: no overlapping or clipped text, display names only, the pins in words,
    the school or setting and the named setting in different colours, and what the family loses said."""
    import json

    from simulator.analysis.runs.case_study import final_plan_limits
    from simulator.report.style import text_problems
    from simulator.report.timeline import BODY_COLOURS, StatutoryLimit, losses, timeline_figure

    res = json.loads((ROOT / "tests" / "golden" / "small_la" / f"case-{case}.json").read_text())
    limits = {r: StatutoryLimit(w, ref) for r, (w, ref) in
              final_plan_limits(ROOT / "case_studies" / f"{case}.yaml", list(CASE_RULES)).items()}
    fig = timeline_figure(res, limits)
    assert text_problems(fig) == []
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert "current_2014" not in texts and "Current law" in texts
    assert "{" not in texts and "_" not in texts.replace("__", "")  # no dict of pins, no code names
    assert "The family loses" in texts
    assert BODY_COLOURS["school_or_setting"] != BODY_COLOURS["named_setting"]
    def undone(r: dict, prefix: str) -> bool:  # the LA concedes or is ordered later on the drawn route
        return any(s["step"] == "comply" and s["event"].startswith(prefix) for s in r["steps"])

    if case == "independent_special_outside_list":
        for r in res["results"]:
            lost = " ".join(w for _i, w in losses(res, r))
            placed_instead = any(s["event"] == "in_place_maintained_special" for s in r["steps"])
            assert ("did not choose" in lost) == placed_instead  # weeks in the setting named instead are lost
            # a refusal the LA later undoes (a rename) is not a loss; one that stands is
            assert ("choice of setting refused" in lost) != undone(r, "rename")
    if case == "refusal_to_assess_parent_request":
        assert "the LA refuses to assess" in texts
        for r in res["results"]:
            lost = " ".join(w for _i, w in losses(res, r))
            assert ("the assessment refused" in lost) != undone(r, "assess_after_")


def test_what_the_family_loses_follows_the_setting_it_wanted():
    """Weeks in a setting the family did not choose end when the setting it won on appeal is in place; the setting
    won is the family's wish even where the case's own preference says otherwise (a phase transfer draws it)."""
    from simulator.report.timeline import losses

    def st(step, event, w):
        return {"step": step, "event": event, "weeks_from_start": w}

    r = {"steps": [st("name_setting", "named_resourced_provision_refused_unsuitable", 6.4),
                   st("provision", "in_place_resourced_provision", 7.2), st("appeal", "conceded_by_la", 30.6),
                   st("comply", "rename", 33.9), st("provision", "in_place_mainstream", 34.7)]}
    got = [w for _i, w in losses({"preferred": "maintained_special"}, r)]
    # the refusal is undone (the LA concedes and renames): not a loss; the weeks in the other setting are
    assert got == ["27.5 weeks in a resourced provision it did not choose"]
    r["steps"] = r["steps"][:2]  # no appeal won: the case's preference is the wish, and the wait has no end
    got = [w for _i, w in losses({"preferred": "maintained_special"}, r)]
    assert got[0] == "its choice of setting refused (unsuitable)"
    assert got[1] == "the rest of the route in a resourced provision it did not choose"


@pytest.mark.parametrize("start", ["2019-04-15", "2019-04-08", "2019-03-25"])
def test_timeline_labels_never_overlap_with_close_dates(start):
    """The 20-week limit with 1 September up to three weeks from it and a transfer deadline of 8 September a week
    after that (the three labels' lines within a label's width of each other), in each year in view: every label
    drawn, none over another nor clipped; and a step whose label wraps to three lines does not overlap its
    neighbours (the old fixed row height did). Requested 15 April 2019, the 20-week limit is 2 September, a day
    after 1 September."""
    import json

    from simulator.report.style import text_problems
    from simulator.report.timeline import StatutoryLimit, timeline_figure

    res = json.loads((ROOT / "tests" / "golden" / "small_la" /
                      "case-sam_autistic_mainstream_specialist.json").read_text())
    res["start_date"] = res["start"] = start
    r = res["results"][0]
    res["results"] = [r]
    r["steps"] = [dict(s) for s in r["steps"]]
    r["steps"][3]["label"] = "A step whose name is long enough to wrap onto three lines: " * 2
    r["steps"].append({**r["steps"][-1], "step": "phase_transfer", "event": "named",
                       "deadline": "by 09-08 (MM-DD) of the transfer year", "weeks_from_start": 80.0})
    limits = {"current_2014": StatutoryLimit(20.0, "reg 13(2)")}
    fig = timeline_figure(res, limits)
    assert text_problems(fig) == []
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(t.startswith("20-week limit") for t in texts)
    assert sum(t.startswith("1 Sep") for t in texts) == 2 and sum(t.startswith("8 Sep") for t in texts) == 2
