"""The presentation leftovers users found (ileftB): code names, flags, raw dates, a difference of percentages in '%',
a label crossed by a line, a successor council's missing January caseload. Each test fails on the code before."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

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


def _batch() -> dict:
    out = {"metric": "within_20_weeks_pct", "label": "New plans within 20 weeks (%, excl. exceptions)",
           "kind": "difference", "of": "green_paper_2022 - current_2014", "min": -2.5, "max": 4.1,
           "keeps_sign": False, "indices": [{"parameter": "effects.requests_multiplier", "mu_star": 3.2,
                                             "mu_star_conf": 0.5, "sigma": 1.0}]}
    value = {**out, "kind": "value", "of": "current_2014", "min": 40.0, "max": 55.0, "indices": None}
    return {"identity": {"design": {"kind": "morris"}, "points": 4, "replications": 1, "name": "b",
                         "rules": ["current_2014", "green_paper_2022"], "parameters": []},
            "sensitivity": {"design": "morris", "points": 4, "parameters": ["effects.requests_multiplier"],
                            "replications": 1, "outputs": [out, value]}}


def test_a_difference_of_percentages_is_in_percentage_points_in_the_batch_outputs(tmp_path: Path) -> None:
    """The batch report's 'keeps its sign' table said a difference of two percentages ran 'from −2.5% to 4.1%'
    (a per cent of what?); the batch text gave bare numbers; the tornado's axis said 'units of the output'."""
    from simulator.report.batch_tables import format_sensitivity
    from simulator.report.folder_reports import batch_html, tornado_chart

    b = _batch()
    html = batch_html(b, tmp_path)
    assert "−2.5 percentage points to +4.1 percentage points" in html and "4.1%" not in html
    assert "40.0% to 55.0%" in html  # a value of a percentage stays in %
    text = format_sensitivity(b["sensitivity"])
    assert "in percentage points: from -2.5 to 4.1" in text and "current_2014, in %: from 40 to 55" in text
    chart = tornado_chart(b["sensitivity"], {})
    assert chart is not None and chart.figure.axes[0].get_xlabel() == "Morris mu* (percentage points)"


def test_the_compare_text_gives_a_difference_of_percentages_in_pp_and_says_what_pp_is() -> None:
    from simulator.report.tables import format_comparison

    res = json.loads((GOLDEN / "compare-current_2014-vs-green_paper_2022.json").read_text())
    text = format_comparison(res)
    assert "a difference of two percentages is in percentage points (pp" in text.splitlines()[0]
    line = next(x for x in text.splitlines() if x.startswith("New plans within 20 weeks"))
    assert line.endswith(" pp")
    line = next(x for x in text.splitlines() if x.startswith("Appeals registered"))
    assert not line.endswith(" pp")  # a count's difference is a count


def _crossing(ax, box) -> int:
    """Points of every drawn line of the axes (data lines and lines across the axes, each in its own transform)
    inside `box`, 33 points a segment."""
    import numpy as np

    n = 0
    for line in ax.get_lines():
        if line.get_linestyle() in ("None", "none", "", " "):
            continue
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
        for a, b in zip(xy[:-1], xy[1:], strict=True):
            for t in np.linspace(0, 1, 33):
                px, py = a + t * (b - a)
                n += bool(box.x0 <= px <= box.x1 and box.y0 <= py <= box.y1)
    return n


@pytest.mark.parametrize("marks", [[2019.3], [2019.3, 2019.6], [2019.9, 2020.2]])
def test_the_by_year_limit_label_is_clear_of_the_in_force_lines(small_comparison, monkeypatch, marks) -> None:
    """Wandsworth from 2024 to 2033 under the White Paper: the in-force dates' dotted lines (1 September 2029 and
    2030) and the council's own 94% ran through 'the law: every plan within the limit', drawn at the top left
    whatever crossed it. In-force dates are put across the label's old place here (small_la's run is 2019-2020)."""
    from simulator.analysis.runs.results import load_results
    from simulator.report import charts
    from simulator.report.style import text_problems

    monkeypatch.setattr(charts, "in_force_marks", lambda _r: [(x, f"{int(x + 0.5)}-09-01") for x in marks])
    with charts.house():
        fig = charts.over_time_chart(load_results(small_comparison, journeys=False)).figure
        fig.canvas.draw()
        ax, label = next((a, t) for a in fig.axes for t in a.texts if "within the limit" in t.get_text())
        box = label.get_window_extent()
        assert _crossing(ax, box) == 0, (label.get_text(), label.get_position())
        assert text_problems(fig) == []
        inside = ax.get_window_extent()
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1


def _sen2_january(council: str, year: int) -> float:
    """A council's own January caseload read straight from DfE's file (data/sen2/caseload.csv, as in ../shared/data/
    sen2/): the 'All EHC plans' row of January `year` (time period 202324 for January 2024)."""
    import csv

    with open(ROOT / "data" / "sen2" / "caseload.csv", newline="", encoding="utf-8-sig") as f:
        return next(float(r["ehcplans"]) for r in csv.DictReader(f)
                    if r["time_period"] == f"{year - 1}{str(year)[2:]}" and r["geographic_level"] == "Local authority"
                    and r["la_name"] == council and r["breakdown_topic"] == "All EHC plans")


@pytest.mark.parametrize("council", ["Cumberland", "Westmorland and Furness", "North Northamptonshire",
                                     "West Northamptonshire"])
def test_a_council_formed_after_2019_has_its_official_january_caseload_beside_the_models_start(tmp_path, council):
    """england_by_la.csv keeps the 2019 geography (Cumberland's plans summed into Cumbria's), so the forum page's
    check of the start showed '-' for Cumberland's official January 2024 caseload: SEN2 gives 2,656."""
    import yaml

    from simulator.analysis.fit.forward_council import build_forward_council
    from simulator.schema.shipped import locate
    from simulator.web.app import FORWARD, baseline

    official = _sen2_january(council, 2024)
    if council == "Cumberland":
        assert official == 2656
    by_la = locate("england", "scenarios").parent / "targets" / "england_by_la.csv"
    forward = yaml.safe_load(locate(FORWARD, "scenarios").read_text())
    path, targets, start = build_forward_council(forward, by_la, lambda n: tmp_path / f"{n}.yaml", council)
    summary = {"by_period": {"2024": {"plans_in_force_january": {"mean": 2600.0}}}}
    row = baseline(summary, targets, start, ("plans_in_force_january",))["rows"][0]
    assert (row["observed"], row["model"]) == (official, 2600.0)
    assert row["source"] == "DfE SEN2, Education, health and care plans: the caseload, January 2024"
    assert row["label"].startswith("Plans in force in January 2024")  # the year: it said 'in January' alone


def test_a_runs_text_names_its_place_rule_set_and_dates_in_words() -> None:
    """`sendsim run small_la` began 'small_la under current_2014: 2019-01-01 to 2020-12-31, 2 replications, seed 42'."""
    from simulator.report.tables import format_summary

    summary = json.loads((GOLDEN / "run-heap.stdout.json").read_text())
    first = format_summary(summary, ["Wandsworth"]).splitlines()[0]
    assert first.startswith("Wandsworth under Current law, 1 January 2019 to 31 December 2020: 2 replications")
    words = first.split("(scenario")[0]
    assert CODE.findall(words) == [] and ISO.findall(words) == []


def test_the_report_gives_differences_of_percentages_in_percentage_points(small_comparison) -> None:
    """The report's 'Every measure' wrote '+0.2 points (−2.7 to 3.2)' and the chart of differences by capacity
    'difference (points)': points of what? Now 'pp', said in the column's heading, and 'percentage points'."""
    from simulator.analysis.runs.results import load_results
    from simulator.report import dispute_charts
    from simulator.report.html import report_html
    from simulator.report.style import house

    results = load_results(small_comparison, journeys=False)
    html = report_html(results)
    table = html.split(">Every measure</h2>")[1]
    assert "pp: percentage points" in table and " points<br>" not in table
    assert re.search(r"[+−]?\d+\.\d pp<br><span class=small>\([−\d.]+ to [−\d.]+ pp\)", table)
    with house():
        chart = dispute_charts.group_chart(results, "")
        labels = [ax.get_xlabel().replace("\n", " ") for ax in chart.figure.axes]
    assert "difference (percentage points)" in labels and "difference (points)" not in labels


def test_assumptions_give_their_range_in_the_unit_of_their_sentence() -> None:
    """'40% fewer contents disputes (range 0.3, 1)' and '85% on the list (range 0.6, 0.95)': a multiplier and a share
    shown bare beside a value in %."""
    from simulator.report.html import range_words

    assert range_words({"parameter": "effects.contents_dispute_multiplier", "range": [0.3, 1.0]}) == \
        "0.3 to 1 times the scenario's"
    assert range_words({"parameter": "naming.list_coverage.maintained_special", "range": [0.5, 0.95]}) == "50% to 95%"
    assert range_words({"parameter": "effects.something_in_days", "range": [7, 60]}) == "7 to 60"


def test_the_report_explains_every_abbreviation_and_names_its_table_columns_in_words(small_comparison) -> None:
    """A volunteer met 'ISP', 'TSQ', 'SENCo', 'WP4' unexplained, and the numbers behind each chart under headings such
    as 'ci95 low gbp', 'mean pct', 'diff'."""
    import html as html_lib

    from simulator.analysis.runs.results import load_results
    from simulator.report.html import report_html
    from simulator.report.names import ABBREVIATIONS

    page = report_html(load_results(small_comparison, journeys=False))
    assert "<section id=abbreviations" in page
    reader, glossary = page.split("<section id=abbreviations")[0], page.split("<section id=abbreviations")[1]
    glossary = glossary.split("</section>")[0]
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", reader, flags=re.S)))
    used = set(re.findall(r"(?<![\w-])[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*(?![\w-])", text)) | (
        {"pp"} if re.search(r"\bpp\b", text) else set())
    assert used, text[:200]
    for a in used:
        assert a in ABBREVIATIONS or re.fullmatch(r"(GP|WP|IP)\d+", a), a
        assert f"<dt>{a}</dt>" in glossary, a
    heads = re.findall(r"<th scope=col>([^<]*)</th>", page.split("The numbers behind this chart")[1])
    assert not [h for h in heads if re.search(r"ci95|\bpct\b|\bgbp\b|^diff|_", h)], heads


def test_the_forum_page_lists_every_abbreviation_it_uses(tmp_path) -> None:
    """The form's labels say 'SENCo', 'AP', 'EHCP', 'LA', and the summary inserted after a run 'ISP' or 'pp': each is
    in the page's list of abbreviations."""
    import html as html_lib

    from simulator.report.names import ABBREVIATIONS
    from simulator.web.app import App
    from simulator.web.page import page

    app = App(workdir=tmp_path / "work")
    text = page(app.councils, app.sets, app.switches, (), {}, app.latest_year, app.dates, app.defaults(),
                (app.start_year, app.limit_year))
    assert "Abbreviations used here" in text
    listed = set(re.findall(r"<dt>([^<]+)</dt>", text))
    assert listed == set(ABBREVIATIONS)
    visible = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)))
    used = set(re.findall(r"(?<![\w-])[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*(?![\w-])", visible))
    assert used and used <= listed, used - listed
