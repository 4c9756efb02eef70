"""The presentation leftovers users found (ileftB): code names, flags, raw dates, a difference of percentages in '%',
a label crossed by a line, a successor council's missing January caseload. Each test fails on the code before."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "small_la"
CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")  # a code name: words joined by underscores
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _case_text(res: dict) -> tuple[str, str]:
    """(everything but the last line, the last line) of a case study printed as text."""
    from simulator.report.tables import format_case

    text = format_case(res)
    body, _, last = text.rpartition("\n")
    return body, last


def test_case_study_text_words_an_undated_proposal_and_uses_no_code_names() -> None:
    """The analyst's case-study text said '(--from-start)' for the Green Paper, which was never dated (nobody gave
    the flag), and 'decide_to_assess', 'local_authority', 'la_general_fund', 'national_standards', '2019-03-04'."""
    res = json.loads((GOLDEN / "case-sam_autistic_mainstream_specialist.json").read_text())
    body, last = _case_text(res)
    assert "--from-start" not in body and "HYPOTHETICAL" not in body
    assert "no date proposed: every change modelled as in force from the first day of the run, a hypothetical" in body
    assert CODE.findall(body) == [] and ISO.findall(body) == []
    assert "Decision whether to assess: agreed" in body and "the council's general fund" in body
    assert "National SEND standards" in body and "4 March 2019" in body
    assert last.startswith("To make the same results again") and "--rules green_paper_2022" in last
    asked = copy.deepcopy(res)
    asked["from_start"] = True  # the flag given: said as a hypothetical asked for, the flag only in the command
    body, last = _case_text(asked)
    assert "--from-start" not in body and "whatever its date" in body and last.endswith("--seed 2") \
        and "--from-start" in last
