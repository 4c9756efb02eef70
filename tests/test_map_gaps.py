"""The accountability map without false or missing gaps (issue 12): each false gap the map used to show, and each
gap it used to miss, pinned against `sendsim map --rules current_2014`; gaps computed from the steps' data."""

from __future__ import annotations

import pytest

from simulator.rules.accountability import map_document
from simulator.rules.resolve import resolve_rules
from simulator.schema.rules import RuleSet


def _rules(name: str = "current_2014"):
    return resolve_rules(name)[0]


def _row(doc: dict, step: str) -> dict:
    return next(r for r in doc["steps"] if r["step"] == step)


@pytest.fixture(scope="module")
def current():
    return map_document(_rules())


def test_no_split_duty_for_provision_each_section_has_its_lead(current):
    row = _row(current, "provision")
    assert not any("duty split" in g for g in row["gaps"])
    assert row["sections"]["F"] == "local_authority"  # CFA s.42(2): absolute, non-delegable
    assert row["sections"]["G"] == "integrated_care_board"  # s.42(3)
    assert row["sections"]["H1"] == "social_care"
    assert "no statutory deadline" not in row["gaps"]


def test_tribunal_cannot_bind_the_icb_is_flagged_for_section_g(current):
    # the old `elif` hid this whenever the step had no tribunal appeal
    assert any("tribunal cannot bind integrated_care_board" in g for g in _row(current, "provision")["gaps"])


def test_cessation_has_no_deadline_by_design(current):
    for step in ("cessation", "cessation_post19"):
        row = _row(current, step)
        assert "no statutory deadline" not in row["gaps"]
        assert row["deadline"] == "none (by design)"
        assert "regs 29-31" in row["no_deadline_reason"]
        assert not any("no one accountable" in g for g in row["gaps"])


def test_comment_period_is_the_las_duty_to_allow_at_least_15_days(current):
    row = _row(current, "family_comments")
    assert row["duty_holder"] == ["local_authority"]
    assert row["deadline"] == "at least 15 days"
    assert row["gaps"] == []  # a minimum period is not a deadline to enforce


@pytest.mark.parametrize("step", ["decide_to_assess", "decide_to_issue", "final_plan", "comply", "phase_transfer"])
def test_a_missed_statutory_limit_has_no_tribunal_remedy(current, step):
    gaps = _row(current, step)["gaps"]
    assert any(g.startswith("deadline without enforcement") and "lgsco" in g for g in gaps), gaps


def test_order_specific_compliance_deadlines_reg_44(current):
    d = _row(current, "comply")["deadline"]
    for part in ("assess notify: 2 weeks", "assess no plan: 10 weeks", "assess final: 14 weeks",
                 "make plan draft: 5 weeks", "make plan final: 11 weeks", "contents: 5 weeks", "placement: 2 weeks"):
        assert part in d
    assert "post16: by 03-31" in _row(current, "phase_transfer")["deadline"]


def test_every_body_in_the_map_is_used_by_a_step(current):
    used = set()
    for r in current["steps"]:
        used.update(r["duty_holder"], r["inspected_by"], r["sections"].values())
    rs = _rules()
    used.update(rs.accountability.routes[x].body for r in current["steps"] for x in (*r["redress"], *r["delay_redress"]))
    assert set(current["bodies"]) <= used
    assert "local_send_partnership" not in current["bodies"] and "regional_director" not in current["bodies"]
    gp = map_document(_rules("green_paper_2022+accountability_intervention+tailored_lists"))
    assert {"local_send_partnership", "regional_director"} <= set(gp["bodies"])


def test_independent_review_is_flagged_non_binding_and_accountable_to_no_one():
    base = _rules()
    row = _row(map_document(_rules("green_paper_2022"), base), "independent_review")
    assert any(g.startswith("non-binding remedy") for g in row["gaps"])
    assert "independent_review_panel accountable to no one (not defined)" in row["gaps"]
    # the seed's alternative: a review whose decision binds the LA ("must have some powers to compel")
    binding = _row(map_document(_rules("current_2014+binding_independent_review"), base), "independent_review")
    assert not any(g.startswith("non-binding remedy") for g in binding["gaps"])


def test_removing_the_lgsco_rung_leaves_no_redress_for_delay():
    doc = _rules().model_dump(mode="json")
    acc = doc["accountability"]
    del acc["routes"]["lgsco"]
    for st in acc["steps"].values():
        st["redress"] = [r for r in st["redress"] if r != "lgsco"]
        st["delay_redress"] = [r for r in st["delay_redress"] if r != "lgsco"]
    without = map_document(RuleSet.model_validate(doc))
    for step in ("decide_to_assess", "decide_to_issue", "final_plan", "comply"):
        gaps = _row(without, step)["gaps"]
        assert any(g.startswith("no redress for delay") for g in gaps), (step, gaps)
        assert not any(g.startswith("deadline without enforcement") for g in gaps)


@pytest.mark.parametrize(("step", "text"), [
    # beyond_school.complaint_response: 12 weeks, range [4, 26]; ombudsman_decision: 26 weeks, range [12, 52]
    ("complaint_no_tribunal", "not in the sources: assumed 12 weeks (range 4 to 26 weeks), UNVERIFIED"),
    ("phso_no_tribunal", "not in the sources: assumed 26 weeks (range 12 to 52 weeks), UNVERIFIED"),
    ("lgsco_no_tribunal", "not in the sources: assumed 26 weeks (range 12 to 52 weeks), UNVERIFIED"),
])
def test_a_complaint_steps_period_is_shown_as_an_unverified_assumption_not_by_design(current, step, text):
    """The complaints regulations' and the Ombudsmen's periods are not in ../shared: the map said "none (by design)",
    which claims the law sets none on purpose; it now shows the period the route assumes, its range, UNVERIFIED."""
    row = _row(current, step)
    assert row["deadline"] == text
    assert "no statutory deadline" not in row["gaps"]


def test_rules_show_says_the_assumed_periods_are_the_complaint_steps_deadlines():
    from click.testing import CliRunner

    from simulator.cli import main

    out = CliRunner().invoke(main, ["rules", "show", "current_2014"]).output
    line = next(ln for ln in out.splitlines() if ln.startswith("beyond_school.complaint_response "))
    assert ("(shown as the deadline of map step complaint_no_tribunal: not in the sources: assumed 12 weeks "
            "(range 4 to 26 weeks), UNVERIFIED)") in line
    line = next(ln for ln in out.splitlines() if ln.startswith("beyond_school.ombudsman_decision "))
    assert "map step phso_no_tribunal, lgsco_no_tribunal: not in the sources: assumed 26 weeks" in line


def test_an_assumed_period_must_name_a_parameter_of_the_rule_set():
    doc = _rules().model_dump(mode="json")
    doc["accountability"]["steps"]["phso_no_tribunal"]["assumed_period"] = "beyond_school.no_such_period"
    with pytest.raises(ValueError, match=r"steps\.phso_no_tribunal\.assumed_period: 'beyond_school\.no_such_period' "
                                         r"is not a parameter"):
        RuleSet.model_validate(doc)
