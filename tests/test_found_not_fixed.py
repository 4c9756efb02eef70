"""Last session's "Left (found, not fixed)" list (ileftD): each test's expected values are worked by hand (from the
rounding rule, the Regulations' dates or ../shared), never copied from the program's output."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "small_la"


# ------------------------------------------------------------------ 1. a count and its interval at one precision
def test_a_count_and_its_interval_read_at_the_point_estimates_precision_in_the_texts() -> None:
    """The `compare` text printed '-265 (-379.35 to -150.65)': the point whole, its bounds to two decimals. A count
    reads whole from 100 up and to one decimal below, its bounds with it; money in whole pounds; other units as
    before (two decimals, trailing zeros dropped)."""
    from simulator.report.tables import interval

    assert interval(-265.0, -379.35, -150.65, "count") == "-265 (-379 to -151)"
    assert interval(-72.666, -93.8, -51.54, "count") == "-72.7 (-93.8 to -51.5)"  # 2,524 and 2,451 at the end
    assert interval(3.333, 0.0, 8.5, "count") == "3.3 (0.0 to 8.5)"
    assert interval(1234.5, 999.96, 1469.2, "count") == "1,234 (1,000 to 1,469)"  # 1234.5: half to even
    assert interval(-0.333, -0.04, 0.6, "count") == "-0.3 (0.0 to 0.6)"  # -0.04 to one decimal has no sign
    assert interval(-40.54, -407.94, 326.85, "GBP") == "-41 (-408 to 327)"
    assert interval(6.59, 4.09, 9.09, "percent") == "6.59 (4.09 to 9.09)"  # unchanged
    assert interval(19.5, 16.27, 22.74, "weeks") == "19.5 (16.27 to 22.74)"  # unchanged
    assert interval(12.0, None, None, "count") == "12.0"


def test_the_compare_text_reads_the_golden_comparisons_counts_alike() -> None:
    """small_la's golden comparison, 2 replications: requests 825.5 (717.499 to 933.501) under current law, the
    difference -93.0 (-131.118 to -54.882). By hand: 825.5 is 100 or more, so whole (half to even: 826), 717 and 934;
    -93.0 is under 100, so one decimal: -93.0 (-131.1 to -54.9). Every count row's three numbers share one precision."""
    from simulator.report.tables import format_comparison

    res = json.loads((GOLDEN / "compare-current_2014-vs-green_paper_2022.json").read_text())
    assert res["metrics"]["requests"]["current_2014"] == {"ci95": [717.499, 933.501], "mean": 825.5, "n": 2}
    text = format_comparison(res, ["Wandsworth"])
    row = next(r for r in text.splitlines() if r.startswith("Requests for an EHC needs assessment, total"))
    assert "826 (717 to 934)" in row and row.endswith("-93.0 (-131.1 to -54.9)")
    from simulator.analysis.runs.results import unit_of

    numbers = re.compile(r"(-?[\d,]+(?:\.(\d+))?) \((-?[\d,]+(?:\.(\d+))?) to (-?[\d,]+(?:\.(\d+))?)\)")
    counted = 0
    for key, m in res["metrics"].items():
        if unit_of(key) != "count":
            continue
        row = next(r for r in text.splitlines() if r.startswith(m["label"]))
        for got in numbers.finditer(row):
            places = {len(got.group(i) or "") for i in (2, 4, 6)}
            assert len(places) == 1, (m["label"], got.group(0))
            counted += 1
    assert counted > 40


def test_the_reports_sentences_and_table_give_a_counts_bounds_at_its_points_precision() -> None:
    """The report said '108 fewer (95% interval: between 83.5 and 132 fewer)' for -108 (-132.47 to -83.53): 108 is
    100 or more, so its bounds are whole too (84 and 132); 15 fewer keeps one decimal, its bounds with it."""
    from simulator.report.html import _ci, _diff
    from simulator.report.summary import interval_words, number

    assert interval_words(-132.47, -83.53, "count", -108.0) == "between 84 and 132 fewer"
    assert interval_words(-23.96, -6.04, "count", -15.0) == "between 6.0 and 24.0 fewer"
    assert interval_words(-150.3, 20.4, "count", 95.0) == "between 150.3 fewer and 20.4 more: not a clear difference"
    assert interval_words(-150.3, 20.4, "count") == "between 150 fewer and 20 more: not a clear difference"
    assert number(83.53, "count", -108.0) == "84" and number(83.53, "count") == "83.5"
    assert _diff({"diff": -108.0, "diff_ci95": [-132.47, -83.53]}, "count") == \
        "\u2212108<br><span class=small>(\u2212132 to \u221284)</span>"
    assert _ci({"mean": 95.04, "ci95": [80.33, 210.2]}, "count") == \
        "95.0<br><span class=small>(80.3 to 210.2)</span>"


def test_the_batch_text_and_report_give_an_outputs_range_at_one_precision() -> None:
    """A batch output's 'from MIN to MAX' over the points: each end was at its own precision ('95.04 to 210.4' in
    the text by 4 significant digits, '95.0 to 210' in the report). The larger end (210.4, 100 or more) decides:
    whole numbers, 95 to 210."""
    from simulator.report.batch_tables import _range
    from simulator.report.folder_reports import _ends, _u

    assert _range({"metric": "appeals_registered", "min": 95.04, "max": 210.4}) == "95 to 210"
    assert _range({"metric": "appeals_registered", "min": -12.34, "max": 8.0}) == "-12.3 to 8.0"
    assert _range({"metric": "within_20_weeks_pct", "min": 41.234, "max": 52.5}) == "41.23 to 52.5"  # unchanged
    ends = _ends(95.04, 210.4)
    assert (_u(95.04, "appeals_registered", ends), _u(210.4, "appeals_registered", ends)) == ("95", "210")


def test_the_web_pages_year_by_year_row_carries_one_precision_for_the_difference_and_its_bounds() -> None:
    """The page showed a difference in new plans of -12 beside bounds -15.5 and -8.5 (the script dropped a '.0'):
    the row now carries its precision, chosen from the difference (one decimal under 100, whole from 100)."""
    from simulator.web.app import by_year_rows

    comp = {"by_year": {"2020": {
        "new_plans": {"current_2014": {"mean": 300.0}, "white_paper_2026": {"mean": 288.0}, "diff": -12.0,
                      "diff_ci95": [-15.5, -8.5]},
        "plans_in_force_january": {"current_2014": {"mean": 2500.0}, "white_paper_2026": {"mean": 2350.0},
                                   "diff": -150.0, "diff_ci95": [-170.25, -129.75]}}}}
    rows = {r["metric"]: r for r in by_year_rows(comp, "white_paper_2026")}
    assert rows["new_plans"]["digits"] == 1 and rows["plans_in_force_january"]["digits"] == 0
