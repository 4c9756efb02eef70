"""Display names where a reader sees them (last session's presentation leftovers): the compare text in words (code
names only in its last line), a sweep's design by name, a parameter quoted in a projection sentence in words."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.report.names import design_words, find_code_names, parameter_words, plain


@pytest.fixture(scope="module")
def compare_text() -> str:
    res = CliRunner().invoke(main, ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022",
                                    "-n", "2", "--seed", "5", "-q"])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_the_compare_text_has_no_code_name_before_its_last_line(compare_text):
    body, last = compare_text.rstrip("\n").rsplit("\n\n", 1)
    assert find_code_names(body) == []
    assert body.startswith("Wandsworth, 1 January 2019 to 31 December 2020: Current law against Green Paper, 2 "
                           "replications")
    assert "Green Paper  Mediation compulsory before any appeal" in body  # the in-force table: names, not codes
    assert "Difference Green Paper - Current law by calendar year" in body
    assert "Difference by the family's capacity to seek redress" in body
    assert "young person: Green Paper - Current law" in body
    assert last == ("(scenario small_la, rules current_2014 and green_paper_2022, seed 5: the names and seed a "
                    "command takes to make the same results again)")


def test_rules_diff_keeps_the_parameters_by_code_for_the_analyst():
    out = CliRunner().invoke(main, ["rules", "diff", "current_2014", "green_paper_2022"]).output
    assert "redress_ladder.mediation.mandatory" in out


@pytest.mark.parametrize(("kind", "words"), [("morris", "Morris (elementary effects)"), ("lhs", "Latin hypercube"),
                                             ("sobol", "Sobol"), ("grid", "grid")])
def test_a_design_by_name(kind, words):
    assert design_words(kind) == words


def test_the_batch_text_and_the_tornado_title_name_the_design():
    from simulator.report.batch_tables import format_sensitivity

    sens = {"design": "morris", "points": 40, "parameters": ["a", "b"], "replications": 2, "outputs": []}
    assert format_sensitivity(sens).startswith("sensitivity: Morris (elementary effects) design (morris), 40 points")
    import inspect

    from simulator.report import folder_reports

    src = inspect.getsource(folder_reports)
    assert "{sens.get('design')} design" not in src and "{e(design.get('kind', '?'))} design" not in src


def test_a_parameter_quoted_in_a_projection_sentence_is_said_in_words():
    text = ("Share of the fitted growth of disputes per decision (redress.dispute_growth_pct_per_year, fitted to the "
            "appeal rate 2019-2023) carried forward")
    assert plain(text) == ("Share of the fitted growth of disputes per decision (the yearly % growth of disputes per "
                           "decision, fitted to the appeal rate 2019-2023) carried forward")
    assert plain("the 2019 value x (1 + dispute_growth_pct_per_year)^4") == \
        "the 2019 value x (1 + the yearly % growth of disputes per decision)^4"
    assert "pct" not in plain("demand.some_rate_pct_per_year grows")
    assert parameter_words("waiting_days") == "waiting, days"


def test_the_projection_sentences_of_a_forward_run_say_no_pct():
    from simulator.report.summary import projection_sentences
    from simulator.rules.scenario import load_scenario

    loaded = load_scenario("small_la_from_2024")
    lines = projection_sentences(loaded.projection)
    assert lines and not any("pct" in ln or "_" in ln for ln in lines), [ln for ln in lines if "pct" in ln or "_" in ln]


def test_a_scenario_parameter_in_the_batch_report_says_LA_and_percent():
    from simulator.analysis.batch.readback import parameter_label

    assert parameter_label("scenario.redress.la_concedes_probability") == "LA concedes probability (redress)"
    assert parameter_label("scenario.redress.dispute_growth_pct_per_year") == "Dispute growth, % a year (redress)"
