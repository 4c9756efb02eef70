"""The report speaks plainly: the summary's declared order and wording, display names, no code names outside the
method section, fonts readable in print, and every kind of folder (three-way comparison, case studies, batch)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.runs.results import load_results
from simulator.cli import main
from simulator.report.charts import run_charts
from simulator.report.names import find_code_names, money, rule_set_short, value_text
from simulator.report.style import MIN_PT, rendered_sizes
from simulator.report.summary import effect_sentence, interval_words, section_of


def visible_text(page: str) -> str:
    """What a reader sees before "Method and reproducibility" (scripts, styles and a file's own description
    — the scenario's or sweep's text, which is data — left out)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S | re.I)
    body = re.sub(r'<p class=description[^>]*>.*?</p>', " ", body, flags=re.S)
    body = body.split("<section id=method")[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A three-way comparison, a case-study folder and a batch folder, each small, and their reports."""
    tmp = tmp_path_factory.mktemp("plain")
    run = CliRunner().invoke
    out: dict[str, Path] = {}
    r = run(main, ["compare", "scenarios/small_la.yaml", "--rules", "current_2014", "--rules", "green_paper_2022",
                   "--rules", "current_2014+mandatory_mediation", "-n", "2", "--seed", "2", "--until", "2019-09-30",
                   "--workers", "2", "--out", str(tmp / "c3")])
    assert r.exit_code == 0, r.output
    r = run(main, ["case-study", "case_studies/refusal_to_assess_parent_request.yaml", "--rules", "current_2014",
                   "--rules", "green_paper_2022", "--runs", "3", "--out", str(tmp / "cs")])
    assert r.exit_code == 0, r.output
    r = run(main, ["batch", "scenarios/sweeps/mediation_settle_rates.yaml", "--workers", "2", "--out", str(tmp / "b")])
    assert r.exit_code == 0, r.output
    for k in ("c3", "cs", "b"):
        r = run(main, ["report", str(tmp / k), "--out", str(tmp / f"{k}.html")])
        assert r.exit_code == 0, r.output
        out[k] = tmp / k
        out[k + ".html"] = tmp / f"{k}.html"
    return out


def test_any_metric_finds_its_section_in_the_declared_order():
    assert [section_of(k) for k in ("weeks_to_final_plan_median", "weeks_to_provision_p90", "within_20_weeks_pct")] \
        == [0, 0, 0]
    # the dispute measures of another issue, not yet registered, still go to disputes
    assert {section_of(k) for k in ("weeks_dispute_to_remedy_median", "disputes_ended_gave_up_pct",
                                    "mediation_for_family_pct", "appeals_registered", "dropped_out_at_rung")} == {1}
    assert section_of("cost_family_gbp") == 3 and section_of("plans_in_force_end") == 4
    assert section_of("a_metric_nobody_has_thought_of") == 4


def test_each_effect_is_one_sentence_with_both_values_and_its_interval_in_words():
    m = {"a": {"mean": 31.2}, "b": {"mean": 29.0}, "diff": -2.2, "diff_ci95": [-3.4, -1.2]}
    s = effect_sentence("weeks_to_final_plan_median", m, "a", "b", "Current law", "Green Paper", 2.0)
    assert s == ("Weeks from request to final plan (median): 31.2 weeks under Current law, 29.0 weeks under Green "
                 "Paper: 2.2 weeks shorter (95% interval: between 1.2 and 3.4 weeks shorter).")
    assert interval_words(-1.0, 2.0, "weeks") == ("between 1.0 weeks shorter and 2.0 weeks longer: not a clear "
                                                  "difference")
    small = effect_sentence("dropped_out_at_rung", {"a": {"mean": 0.0}, "b": {"mean": 4.7}, "diff": 4.7,
                                                    "diff_ci95": [0.9, 8.5]}, "a", "b", "A", "B", 2.0, True)
    assert "between 0.9 and 8.5 more" in small and "Small numbers" in small
    cost = effect_sentence("cost_family_gbp", {"a": {"mean": 84_000}, "b": {"mean": 46_000}, "diff": -38_000,
                                               "diff_ci95": [-61_000, -16_000]}, "a", "b", "A", "B", 2.0)
    assert "£38k less" in cost and "between £16k and £61k less" in cost


def test_display_names_money_and_yes_no():
    assert money(-450_000) == "\u2212£450k" and money(1_234_567) == "£1.2m" and money(12) == "£12"
    assert rule_set_short("green_paper_2022") == "Green Paper"
    assert rule_set_short("current_2014+mandatory_mediation") == \
        "Current law + mediation compulsory before any appeal"
    assert value_text(True) == "yes" and value_text(False) == "no"
    assert find_code_names("under green_paper_2022 with seed 42") == ["green_paper_2022", "seed 42"]
    assert find_code_names("Green Paper against Current law") == []


def test_no_code_name_outside_the_method_section_of_any_report(folders):
    for k in ("c3.html", "cs.html", "b.html"):
        text = visible_text(folders[k].read_text(encoding="utf-8"))
        assert find_code_names(text) == [], (k, find_code_names(text))
        assert "Method and reproducibility" in folders[k].read_text(encoding="utf-8")


def test_a_three_way_comparison_has_charts_and_a_report_with_every_rule_set(folders):
    pngs = sorted(p.name for p in (folders["c3"] / "charts").glob("*.png"))
    assert "weeks-to-plan-and-provision.png" in pngs and "differences-by-capacity.png" in pngs
    page = folders["c3.html"].read_text(encoding="utf-8")
    text = visible_text(page)
    for name in ("Current law", "Green Paper", "Current law + mediation compulsory before any appeal"):
        assert name in text
    assert "Green Paper against Current law" in text and \
        "Current law + mediation compulsory before any appeal against Current law" in text
    csv = (folders["c3"] / "charts" / "costs-by-payer.csv").read_text()
    assert {"current_2014", "green_paper_2022", "current_2014+mandatory_mediation"} <= set(re.findall(r"[\w+]+", csv))


def test_case_study_and_batch_folders_give_reports(folders):
    cs = folders["cs.html"].read_text(encoding="utf-8")
    assert "Noah" in cs and "Who holds the duty" in cs and 'src="data:image/png;base64,' in cs
    assert "the council" in visible_text(cs)
    b = folders["b.html"].read_text(encoding="utf-8")
    assert "Does each difference keep its sign?" in b and "Mediation settles probability" in b
    assert "yes: the same direction at every point" in b and "Results by group" in b


def test_every_chart_text_is_at_least_8_pt_at_a4_column_width(folders):
    res = load_results(folders["c3"])
    for c in run_charts(res):
        small = [(t, round(s, 2)) for t, s in rendered_sizes(c.figure) if s < MIN_PT - 1e-9]
        assert not small, (c.name, small[:3])
        title = c.figure.texts[1].get_text() if len(c.figure.texts) > 1 else ""
        assert "Wandsworth" in title and "against Current law" in title.replace("\n", " "), (c.name, title)
