"""The third "Left (found, not fixed)" list (ileftF): each test's expected values are worked by hand from the sources
(timeline.md, the Regulations, ../shared/domain, the rule set's own figures), never copied from the program's output.

Why this module is long: one small test per item of the list, in the list's order."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import ROOT


# ------------------------------------------------------------------ 1. the case report's "How long" line
def _how_long(html: str) -> str:
    part = html.split("How long, under each rule set</h3>", 1)[1]
    return re.sub(r"<[^>]+>", "", part.split("</ul>", 1)[0])


def _case(start: str, final: dict | None, provision: dict | None) -> dict:
    empty = {"median": None, "p10": None, "p90": None, "reached_pct": 0.0}
    return {"case": "x", "title": "X", "summary": "", "start": start, "runs": 10,
            "results": [{"rules": "current_2014", "label": "Current law", "steps": [],
                         "weeks_to_final_plan": final or empty, "weeks_to_provision": provision or empty}]}


def test_the_how_long_line_reads_right_for_every_starting_state(tmp_path: Path) -> None:
    """The report's "How long" line read "a final plan after not reached in the runs" for a child whose plan is in
    force at the start (cessation_proposed_at_22): there is no final plan to wait for. Each starting state now reads
    as the case text does: a plan in force (a new setting, or none in any run), a request whose plan is reached (its
    weeks), a request with no plan in any run (a refusal to assess)."""
    from simulator.analysis.runs.case_study import case_study
    from simulator.report.folder_reports import case_study_html

    res = case_study(ROOT / "case_studies" / "cessation_proposed_at_22.yaml", ["current_2014"], runs=3, seed=5)
    line = _how_long(case_study_html([res], tmp_path))
    assert "not reached" not in line and "a final plan after" not in line
    assert "a plan is in force at the start: there is no final plan to wait for" in line

    # a plan in force whose child moves to a new setting: the weeks to it (23.4 reads 23, 19.6 reads 20, 30.4 reads 30)
    moved = _case("existing plan on 2019-01-07", None,
                  {"median": 23.4, "p10": 19.6, "p90": 30.4, "reached_pct": 80.0})
    assert _how_long(case_study_html([moved], tmp_path)) == (
        "Current law: a plan is in force at the start: there is no final plan to wait for; a new setting in place "
        "after 23 weeks (most runs between 20 and 30; reached in 80% of runs).")
    stays = _case("existing plan on 2019-01-07", None, None)
    assert _how_long(case_study_html([stays], tmp_path)) == (
        "Current law: a plan is in force at the start: there is no final plan to wait for; no new setting in place "
        "within the run in any run.")
    # a request: the final plan and provision in weeks
    req = _case("2019-02-04", {"median": 26.0, "p10": 21.2, "p90": 40.0, "reached_pct": 100.0},
                {"median": 30.0, "p10": 25.0, "p90": 44.0, "reached_pct": 90.0})
    assert _how_long(case_study_html([req], tmp_path)) == (
        "Current law: a final plan after 26 weeks (most runs between 21 and 40; reached in 100% of runs); provision "
        "in place after 30 weeks (most runs between 25 and 44; reached in 90% of runs).")
    # a request refused in every run: no plan and no provision, said so
    refused = _case("2019-02-04", None, None)
    assert _how_long(case_study_html([refused], tmp_path)) == (
        "Current law: no final plan in any run; no provision in place within the run in any run.")
