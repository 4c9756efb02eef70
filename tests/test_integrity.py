"""Comparisons that do not flatter a reform: one capacity logic under every rule set, dispute measures that say how a
dispute ended, the tribunal path in two parts, and placement appeals that keep voluntary mediation.

The hand-worked tests use the quiet copy of small_la from test_mechanisms (one child, every duration fixed) and read
the child's events and the metrics of its replication; the capacity test runs the whole of small_la twice.
"""

from __future__ import annotations

from simulator.analysis.runs.metrics import replication_metrics
from simulator.analysis.runs.runner import simulate
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario

from .conftest import pin, write_scenario
from .test_mechanisms import base, events, reform, run_one


def _refusal_to_assess(small_dict: dict) -> dict:
    """A refusal to assess on day 21, always disputed, by a family that would not choose mediation."""
    d = base(small_dict)
    pin(d["durations"]["panel_decision_days"], 21, distribution="fixed")
    r = d["redress"]
    pin(r["dispute_probability"]["refusal_to_assess"], 1.0)
    pin(r["mediation_chosen_probability"], 0.0)
    pin(r["mediation_settles_compelled_probability"], 0.0)
    d["local_authorities"]["items"][0]["refuse_to_assess_probability"] = 1.0
    d["population"]["requester"] = {"values": {"school": 1.0, "parent": 0.0, "young_person": 0.0, "other": 0.0},
                                    "source": "test fixture"}
    return d


def test_the_appeal_is_lodged_later_under_mandatory_mediation_and_the_measure_says_so(tmp_path, small_dict):
    """Current law: refused on day 21 (Tuesday 22 January 2019), appeal lodged on day 54 (certificate 3 working days
    later, Friday 25 January, day 24, then 30 days). Mandatory mediation: meeting on day 46 (a Saturday), not
    settled, certificate on Wednesday 20 February (day 50), appeal on day 80. Weeks from the dispute to the appeal:
    33/7 and 59/7; the dispute is not counted as ended before the tribunal decides."""
    d = _refusal_to_assess(small_dict)
    _, j_now, _ = run_one(tmp_path, d, "current_2014")
    _, j_mm, c = run_one(tmp_path, d, "current_2014+mandatory_mediation", "s2.yaml")
    now, mm = replication_metrics(j_now)["metrics"], replication_metrics(j_mm)["metrics"]
    assert abs(now["weeks_dispute_to_appeal_lodged_median"] - 33 / 7) < 1e-9
    assert abs(mm["weeks_dispute_to_appeal_lodged_median"] - 59 / 7) < 1e-9
    assert abs(mm["weeks_dispute_to_appeal_lodged_mean"] - 59 / 7) < 1e-9
    # the decision, when it comes, is paired with the lodging: the tribunal's part is the same under both
    if now["weeks_appeal_to_decision_median"] is not None:
        assert abs(now["weeks_appeal_to_decision_median"] - mm["weeks_appeal_to_decision_median"]) < 1e-9
    ended = [x for x in j_mm.disputes_ended if x.child is c]
    assert all(x.compelled_unsettled for x in ended)


def test_a_family_that_gives_up_stops_when_the_mediation_would_be_held_and_is_no_remedy(tmp_path, small_dict):
    """Compelled to mediate and giving up (drop-out probability 1): the dispute ends on day 46, when the meeting
    would have been held (25 days after the refusal), not on the day it began; it ends as 'gave up at mediation',
    counts in disputes_ended_gave_up_pct, and is not an outcome in the family's favour."""
    d = _refusal_to_assess(small_dict)
    for v in d["redress"]["drop_out_at_compelled_rung_probability"].values():
        pin(v, 1.0)
    rows, j, c = run_one(tmp_path, d, "current_2014+mandatory_mediation")
    gave_up = [x.day for x in rows if f"{x.step}:{x.event}" == "redress:family_gave_up"]
    assert gave_up == [46.0] and c.status == "refused"
    [end] = [x for x in j.disputes_ended if x.child is c]
    assert (end.outcome, end.ending, end.ended_at - end.disputed_at) == ("dropped_out_mediation", "gave_up", 25.0)
    m = replication_metrics(j)["metrics"]
    assert m["disputes_ended"] == 1.0 and m["disputes_ended_gave_up_pct"] == 100.0
    assert m["disputes_gave_up_at_mediation"] == 1.0
    assert abs(m["weeks_dispute_to_end_median"] - 25 / 7) < 1e-9
    assert m["weeks_dispute_to_remedy_median"] is None  # giving up is no remedy
    assert not any(x.step == "appeal" for x in rows)


def test_a_placement_appeal_keeps_voluntary_mediation_when_mediation_becomes_mandatory(tmp_path, small_dict):
    """B1: the Green Paper's mandatory mediation exempts placement-only appeals from the compulsion. The family who
    chooses mediation of a placement decision under current law still can: the exemption is from the compulsion
    (and from the certificate, CFA s.55), never from mediation (CFA s.52)."""
    d = base(small_dict)
    r = d["redress"]
    pin(r["dispute_probability"]["placement"], 1.0)
    pin(r["mediation_chosen_probability"], 1.0)
    pin(r["mediation_settles_probability"], 0.0)
    pin(d["naming"]["refuse_requested_setting_probability"]["maintained_special"], 1.0)
    for rules, name in (("current_2014", "s.yaml"), ("current_2014+mandatory_mediation", "s2.yaml")):
        rows, _, _ = run_one(tmp_path, d, rules, name, preferred="maintained_special")
        ev = events(rows)
        assert "redress:dispute_placement" in ev, rules
        assert "mediation:not_settled" in ev, rules  # mediated, by choice
        assert "mediation_advice:adviser_contacted" not in ev, rules  # no certificate needed for placement
        assert "appeal:lodged_placement" in ev, rules
    # a family that would not choose it is not compelled: straight to the appeal
    pin(r["mediation_chosen_probability"], 0.0)
    rows, _, _ = run_one(tmp_path, d, "current_2014+mandatory_mediation", "s3.yaml", preferred="maintained_special")
    assert not any(e.startswith("mediation") for e in events(rows)) and "appeal:lodged_placement" in events(rows)


def _no_naming_refusals(small_dict: dict) -> dict:
    d = {**small_dict}
    naming = {**d["naming"]}
    naming["refuse_requested_setting_probability"] = {
        k: {"value": 0.0, "source": "test fixture"} for k in naming["refuse_requested_setting_probability"]}
    naming["refuse_non_s41_independent_probability"] = {"value": 0.0, "source": "test fixture"}
    d["naming"] = naming
    return d


def test_current_law_and_a_list_covering_every_setting_check_capacity_alike(tmp_path, small_dict):
    """One capacity logic: current law against a tailored list with coverage 1.0 for every kind of setting, on the
    whole of small_la with no refusal on other grounds (so both name what the family asks for), gives the same
    children waiting for a place and the same weeks without provision, replication by replication; and capacity
    does bind (some requests are refused because the setting is full)."""
    d = _no_naming_refusals(small_dict)
    write_scenario(tmp_path, d, "s.yaml")
    name = reform(tmp_path, "full_list", [{"path": "naming.tailored_list", "value": True},
                                          *({"path": f"naming.list_coverage.{k}", "value": 1.0}
                                            for k in d["naming"]["refuse_requested_setting_probability"])])
    out = {}
    full = 0
    for rules in ("current_2014", name):
        loaded = load_scenario(tmp_path / "s.yaml", rules)
        for rep in range(2):
            rows: list = []
            j = simulate(loaded, 3, rep, recorder=Recorder(rows.extend))
            m = replication_metrics(j)["metrics"]
            out[rules, rep] = (m["waiting_for_place_end"], m["weeks_without_provision_mean"], m["new_plans"])
            if rules == "current_2014":
                full += sum(1 for x in rows if x.step == "name_setting" and "_refused_incompatible" in x.event)
    for rep in range(2):
        assert out["current_2014", rep] == out[name, rep]
    assert full > 0, "no setting was full: the test would not show the capacity logic"


def test_a_sensitivity_switch_that_needs_a_list_is_refused_without_one():
    """B3: `no_appeal_outside_list` over current law used to build a list covering every setting by itself (and so
    raise independent placements); it now needs the tailored list and says how to name it."""
    import pytest

    from simulator.rules.resolve import resolve_rules
    from simulator.schema.files import InputError

    with pytest.raises(InputError, match="needs switch 'tailored_lists'"):
        resolve_rules("current_2014+no_appeal_outside_list")
    rs = resolve_rules("current_2014+tailored_lists+no_appeal_outside_list")[0]
    assert rs.naming.tailored_list.value is True and rs.naming.list_coverage["independent_special"].value == 0.25
    assert rs.naming.outside_list_appealable.value is False


def test_a_partial_agreement_to_assess_leaves_the_plan_uncertain_and_an_order_can_still_end_without_one(
        tmp_path, small_dict):
    """B2 and reg 44: an LA whose assessments always end without a plan (no-plan probability 1). A partial agreement
    at mediation (day 46) to assess: the assessment runs and ends without a plan, as any of this LA's (it used to
    give a plan for certain). A full agreement at mediation is an agreement to assess on reg 44's terms: the notice
    that no plan will follow is due 10 weeks after it (day 46 + 70 = 116)."""
    d = _refusal_to_assess(small_dict)
    r = d["redress"]
    pin(r["mediation_chosen_probability"], 1.0)
    pin(r["mediation_settles_probability"], 1.0)
    pin(r["mediation_agreement_for_family_share"], 0.0)
    pin(r["mediation_partial_agreement_share"], 1.0)
    d["local_authorities"]["items"][0]["no_plan_after_assessment_probability"] = 1.0
    rows, _, c = run_one(tmp_path, d, "current_2014")
    ev = events(rows)
    assert "mediation:settled_partial" in ev and "decide_to_issue:not_to_issue" in ev
    assert "final_plan:issued" not in ev and c.status != "plan"
    pin(r["mediation_agreement_for_family_share"], 1.0)
    pin(r["mediation_partial_agreement_share"], 0.0)
    rows, _, c = run_one(tmp_path, d, "current_2014", "s2.yaml")
    [settled] = [x.day for x in rows if x.step == "mediation"]
    [notice] = [x for x in rows if f"{x.step}:{x.event}" == "decide_to_issue:not_to_issue"]
    assert settled == 46.0 and abs(notice.deadline_day - (46.0 + 70.0)) < 1e-9


def test_a_cessation_agreed_in_part_is_deferred_not_reversed(tmp_path, small_dict):
    """B2: a plan the LA proposes to cease at its first review; the family mediates and agrees in part: the plan is
    kept for the rule set's deferral (12 months of 365.25/12 days: 365.25 days) after the agreement, then ceased."""
    d = base(small_dict)
    r = d["redress"]
    pin(r["mediation_chosen_probability"], 1.0)
    pin(r["mediation_settles_probability"], 1.0)
    loaded = load_scenario(write_scenario(tmp_path, d), "current_2014")
    rows: list = []
    kid = {}

    def add(j):
        kid["c"] = j.add_existing_plan("mainstream", age=10.0, first_review_day=100.0, pins={
            "review_outcome": "cease", "dispute_cessation": True, "mediation": "chosen",
            "mediation_outcome": "partial", "__first_only__": ("review_outcome", "dispute_cessation")})

    simulate(loaded, 1, 0, recorder=Recorder(rows.extend, chunk=1), prepare=add)
    c = kid["c"]
    mine = [x for x in rows if x.child == c.id]
    [agreed] = [x.day for x in mine if f"{x.step}:{x.event}" == "mediation:settled_partial"]
    [deferred] = [x for x in mine if f"{x.step}:{x.event}" == "cessation:deferred_by_agreement"]
    assert abs(deferred.deadline_day - agreed - 365.25) < 1e-6
    assert c.status == "ceased" and abs(c.ceased_at - agreed - 365.25) < 1e-6


def _scoped_reform(tmp_path, name: str, authorities: list[str]) -> str:
    import yaml
    doc = {"name": name, "label": name, "description": "test", "baseline": "current_2014",
           "switches": {name: {"label": name, "source": "test fixture", "in_force": "start",
                               "in_force_source": "test fixture", "authorities": authorities,
                               "authorities_source": "test fixture",
                               "changes": [{"path": "effects.requests_multiplier", "value": 0.5,
                                            "source": "test fixture", "assumption": "test", "range": [0.5, 0.5]}]}}}
    (tmp_path / "rules" / f"{name}.yaml").write_text(yaml.safe_dump(doc))
    return name


def test_a_switch_scoped_to_authorities_applies_only_there_and_says_where(tmp_path, small_dict):
    """B4: a switch scoped to a list of authorities changes the law of their children only. small_la's one authority
    (Wandsworth, code 212): scoped to it, half the requests are kept (the thinning draw is shared, so exactly the
    children whose draw falls below 0.5/OVERSAMPLE); scoped to another authority, nothing changes; the in-force
    table says where."""
    write_scenario(tmp_path, small_dict, "s.yaml")
    here = _scoped_reform(tmp_path, "here", ["Wandsworth"])
    there = _scoped_reform(tmp_path, "there", ["Leeds"])
    runs = {}
    for rules in ("current_2014", here, there):
        loaded = load_scenario(tmp_path / "s.yaml", rules)
        runs[rules] = (loaded, replication_metrics(simulate(loaded, 3, 0))["metrics"]["requests"])
    assert runs[there][1] == runs["current_2014"][1]
    assert 0.4 < runs[here][1] / runs["current_2014"][1] < 0.6
    assert runs[here][0].law.la_effects["212"].requests_multiplier == 0.5
    assert runs[here][0].law.effects.requests_multiplier == 1.0 and runs[there][0].law.la_effects == {}
    where = {sw: w for sw, _when, _src, w in runs[there][0].in_force}
    assert where["there"].startswith("1 authorities only") and "in this scenario: 0 of 1" in where["there"]


def test_a_scoped_switch_may_change_only_effects_read_per_authority(tmp_path):
    import pytest
    from pydantic import ValidationError

    from simulator.schema.rules import Switch

    with pytest.raises(ValidationError, match="may change only the effects"):
        Switch.model_validate({"label": "x", "source": "x", "in_force": "start", "in_force_source": "x",
                               "authorities": ["Leeds"], "authorities_source": "x",
                               "changes": [{"path": "redress_ladder.mediation.mandatory", "value": True,
                                            "source": "x"}]})


def _transfer_events(tmp_path, small_dict, rules: str, name: str, **child) -> list[str]:
    d = base(small_dict)
    loaded = load_scenario(write_scenario(tmp_path, d, name), rules)
    rows: list = []
    kid = {}

    def add(j):
        kid["c"] = j.add_existing_plan(child.pop("setting", "mainstream"), age=10.5, first_review_day=400.0,
                                       **child)

    simulate(loaded, 1, 0, recorder=Recorder(rows.extend, chunk=1), prepare=add)
    return [f"{x.step}:{x.event}" for x in rows if x.child == kid["c"].id]


def test_the_white_papers_step_down_at_phase_transfer_goes_by_need(tmp_path, small_dict):
    """B5: reassessment at phase transfer steps a plan down with the switch's probability times the need's ISP
    eligibility: with the probability 1, an SLCN child (eligibility 1) is stepped down at the transfer to
    secondary; a PMLD child (eligibility 0) never is."""
    write_scenario(tmp_path, {}, "unused.yaml")
    name = reform(tmp_path, "step_down_all", [{"path": "effects.step_down_at_phase_transfer", "value": 1.0,
                                               "assumption": "test", "range": [1.0, 1.0]}])
    slcn = _transfer_events(tmp_path, small_dict, name, "s1.yaml", need="SLCN")
    pmld = _transfer_events(tmp_path, small_dict, name, "s2.yaml", need="PMLD")
    assert "phase_transfer:reassessed_plan_to_cease" in slcn
    assert any(e.startswith("phase_transfer:review_age_11") for e in pmld)
    assert "phase_transfer:reassessed_plan_to_cease" not in pmld


def test_the_triple_lock_protects_a_special_place_held_on_its_date_not_one_taken_later(tmp_path, small_dict):
    """B5: 'every child with a special school place in 2029 keeps it'. With the lock's date moved to 1 January 2018
    and its year group out of reach (14), a child in a special school since the run began (2019) holds no place from
    the lock's date and is stepped down; with the date at 1 January 2019 (day 0), the same child is protected."""
    write_scenario(tmp_path, {}, "unused.yaml")
    common = [{"path": "effects.step_down_at_phase_transfer", "value": 1.0, "assumption": "test",
               "range": [1.0, 1.0]},
              {"path": "effects.protect_special_places", "value": True},
              {"path": "support_plans.triple_lock_year_group", "value": 14}]
    late = reform(tmp_path, "lock_2018", [*common, {"path": "support_plans.triple_lock_measured_on",
                                                    "value": "2018-01-01"}])
    held = reform(tmp_path, "lock_2019", [*common, {"path": "support_plans.triple_lock_measured_on",
                                                    "value": "2019-01-01"}])
    before = _transfer_events(tmp_path, small_dict, late, "s1.yaml", need="SLCN", setting="maintained_special")
    during = _transfer_events(tmp_path, small_dict, held, "s2.yaml", need="SLCN", setting="maintained_special")
    assert "phase_transfer:reassessed_plan_to_cease" in before
    assert "phase_transfer:reassessed_plan_to_cease" not in during


def _map(rules: str) -> dict:
    from simulator.rules.accountability import map_document
    from simulator.rules.resolve import resolve_rules

    return {r["step"]: r for r in map_document(resolve_rules(rules)[0], resolve_rules("current_2014")[0])["steps"]}


def test_the_map_pays_administration_from_the_general_fund_as_the_engine_does():
    """B11 (errata.md 5): assessment, advice, mediation, the certificate, the appeal, the hearing and compliance are
    SEN administration (the LA's general fund); the engine's unit costs book them there too."""
    from simulator.rules.law import compile_law
    from simulator.rules.resolve import resolve_rules

    m = _map("current_2014")
    for step in ("decide_to_assess", "psychological_advice", "mediation_advice", "mediation",
                 "mediation_certificate", "appeal", "hearing", "comply"):
        assert "la_high_needs" not in m[step]["payer"] and "la_general_fund" in m[step]["payer"], step
    costs = compile_law(resolve_rules("current_2014")[0]).costs
    for item in ("assessment", "mediation", "appeal_conceded", "hearing"):
        assert "la_high_needs" not in {payer for _amount, payer in costs[item]}, item
    assert "social_care" in {payer for _amount, payer in costs["assessment"]}  # social care is costed now


def test_the_map_flags_the_gaps_it_missed():
    """The hearing list has no limit and nowhere to take the wait; no source says a mediated agreement binds the LA;
    the review every 12 months (s.44(1)) is a deadline; the White Paper's school-level plan takes some children from
    the decision to assess and its appeal, which is flagged by route although the steps have different names."""
    now, wp = _map("current_2014"), _map("white_paper_2026+tiered_support_plans")
    assert any("no statutory limit on the wait" in g for g in now["hearing"]["gaps"])
    assert any("non-binding remedy" in g for g in now["mediation"]["gaps"])
    assert "review within 12 months: 12 months" in now["annual_review"]["deadline"]
    lost = [g for g in wp["school_support_plan"]["gaps"] if "takes from decide_to_assess" in g]
    assert lost and "tribunal_appeal" in lost[0] and "mediation" in lost[0]
    assert "school_support_plan" not in now  # not in force under current law: no gap to flag


def test_model_md_states_the_ranges_the_files_hold():
    """B11: MODEL.md's ranges of the redress assumptions are written from the files (scripts/model_ranges.py), so a
    range changed in a file and not in the document fails here."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, str(root / "scripts" / "model_ranges.py"), "--check"], capture_output=True)
    assert r.returncode == 0, "docs/MODEL.md's ranges differ from the files: run python scripts/model_ranges.py"


def test_b7_switches_compound_with_the_effects_already_in_force():
    """B7: GP9 (mainstream inclusion) and WP8 (the overspend absorbed, a sensitivity resting on one secondary source)
    act on levers other proposals already move; their multipliers compound (0.9 x 0.97, 1.3 x 0.95) instead of
    replacing them. A multiplying change of anything but an effect's multiplier is refused."""
    import pytest
    from pydantic import ValidationError

    from simulator.rules.resolve import resolve_rules
    from simulator.schema.rules import Change

    gp = resolve_rules("green_paper_2022")[0]
    assert abs(gp.effects.requests_multiplier.value - 0.9 * 0.97) < 1e-12
    wp = resolve_rules("white_paper_2026+high_needs_overspend_absorbed")[0]
    assert abs(wp.effects.refuse_to_assess_multiplier.value - 1.3 * 0.95) < 1e-12
    assert resolve_rules("white_paper_2026")[0].effects.refuse_to_assess_multiplier.value == 1.3  # named only
    with pytest.raises(ValidationError, match="only an effect's multiplier"):
        Change.model_validate({"path": "naming.outside_list_accepted", "value": 0.5, "source": "x",
                               "multiply": True})
