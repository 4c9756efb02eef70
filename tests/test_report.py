"""Charts, the HTML report and the web page's checks, without a browser (the browser tests are test_browser.py).

A comparison folder of small_la with a description containing markup is made once; every test reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from simulator.analysis.runs.results import largest_effects, load_results
from simulator.cli import main
from simulator.report.charts import run_charts
from simulator.report.style import text_problems
from simulator.web.app import App, validate

from .conftest import write_scenario

EVIL = "<script>alert(1)</script> & an evil description"


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, small_dict) -> Path:
    tmp = tmp_path_factory.mktemp("cmp")
    d = dict(small_dict, description=EVIL)
    sc = write_scenario(tmp, d, "small_la.yaml")
    out = tmp / "cmp"
    r = CliRunner().invoke(main, ["compare", str(sc), "--rules", "current_2014", "--rules", "green_paper_2022",
                                  "-n", "3", "--seed", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "chart files" in r.stderr and str(out / "charts") in r.stderr
    return out


def test_compare_says_nothing_is_saved_without_out():
    r = CliRunner().invoke(main, ["compare", "scenarios/small_la.yaml", "--rules", "current_2014", "--rules",
                                  "current_2014", "-n", "2", "--until", "2019-03-31"])
    assert r.exit_code == 0
    assert "nothing saved" in r.stderr


def test_compare_out_writes_each_chart_as_png_svg_and_csv(comparison):
    names = {p.stem for p in (comparison / "charts").iterdir()}
    assert len(names) >= 4
    for n in names:
        for ext in ("png", "svg", "csv"):
            f = comparison / "charts" / f"{n}.{ext}"
            assert f.is_file() and f.stat().st_size > 100, f
        assert (comparison / "charts" / f"{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_chart_has_overlapping_or_clipped_text(comparison):
    res = load_results(comparison)
    charts = run_charts(res)
    problems = {c.name: text_problems(c.figure) for c in charts}
    assert all(not p for p in problems.values()), problems
    single = load_results(comparison / "1-current_2014")
    assert all(not text_problems(c.figure) for c in run_charts(single))


def test_the_layout_check_finds_overlap_and_clipping():
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.text(0.5, 0.5, "first label here")
    ax.text(0.52, 0.5, "second label")
    ax.text(0.9, 0.1, "sticks out of the figure on the right", transform=fig.transFigure)
    found = text_problems(fig)
    assert any(p.startswith("overlap") for p in found)
    assert any(p.startswith("clipped") for p in found)


def test_charts_use_display_names_and_the_statutory_line(comparison):
    res = load_results(comparison)
    weeks = next(c for c in run_charts(res) if c.name == "weeks-to-plan-and-provision")
    texts = [t.get_text() for t in weeks.figure.findobj(lambda a: hasattr(a, "get_text"))]
    joined = " ".join(texts)
    assert "Current law" in joined and "current_2014" not in joined
    assert "20-week limit" in joined.replace("\n", " ")
    assert res.runs[0].final_plan_weeks == 20.0


def test_report_of_a_comparison_folder(comparison, tmp_path):
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", str(comparison), "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert EVIL not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; an evil description" in text
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', text)) >= 4
    assert not re.search(r'(src|href)="(https?:)?//', text)
    sections = re.findall(r"<section id=([a-z-]+)[ >]", text)
    assert sections == ["summary", "charts", "tables", "what-changed", "abbreviations", "method"]
    assert "How to read this" in text and "The assumptions these rest on" in text
    heads = re.findall(r"<h3>(\d)\. ", text.split("id=charts")[0])  # the summary's declared order, 1 first
    assert heads and heads == sorted(heads) and heads[0] == "1", heads
    method = text.split("id=method")[1]
    assert "sendsim compare" in method and "--seed 2" in method and "sendsim report" in method


def test_report_of_a_run_folder_and_bad_folders(comparison, tmp_path):
    r = CliRunner().invoke(main, ["report", str(comparison / "2-green_paper_2022"), "--out", str(tmp_path / "a.html")])
    assert r.exit_code == 0, r.output
    assert "SEND Green Paper 2022" in (tmp_path / "a.html").read_text()
    r = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b.html")])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "not a folder" in r.stderr
    assert not (tmp_path / "b.html").exists()
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(main, ["report", str(tmp_path / "empty")])
    assert r.exit_code == 2 and "summary.json missing" in r.stderr


def test_largest_effects_only_those_whose_interval_excludes_zero(comparison):
    comp = load_results(comparison, journeys=False).comparison
    eff = largest_effects(comp)
    assert 1 <= len(eff) <= 3
    for e in eff:
        lo, hi = e["diff_ci95"]
        assert not (lo <= 0 <= hi)
    rel = [abs(e["relative"]) for e in eff]
    assert rel == sorted(rel, reverse=True)
    same = {**comp, "metrics": {k: {**m, "diff": 0.0, "diff_ci95": [0.0, 0.0]} for k, m in comp["metrics"].items()}}
    assert largest_effects(same) == []


def test_web_form_validation_names_each_bad_figure():
    councils, sets, sws = ["Leeds"], ["green_paper_2022"], ["mandatory_mediation"]
    good = {"source": "figures", "requests_per_year": "1,200", "refused_pct": "25", "within_20_weeks_pct": "50",
            "plans_in_force": "4000", "reform": "green_paper_2022", "replications": "5"}
    job, err = validate(good, councils, sets, sws)
    assert not err and job["requests_per_year"] == 1200.0 and job["rules_b"] == "green_paper_2022"
    job, err = validate({**good, "switches": "mandatory_mediation"}, councils, sets, sws)
    assert job["rules_b"] == "current_2014+mandatory_mediation"
    _job, err = validate({**good, "refused_pct": "120", "plans_in_force": "12.5", "within_20_weeks_pct": ""},
                         councils, sets, sws)
    assert set(err) == {"refused_pct", "plans_in_force", "within_20_weeks_pct"}
    assert "out of range" in err["refused_pct"] and "whole number" in err["plans_in_force"]
    _job, err = validate({"source": "council", "council": "Atlantis", "reform": "x"}, councils, sets, sws)
    assert set(err) == {"council", "reform"}


def test_web_app_lists_every_council_and_reform(tmp_path):
    app = App(tmp_path)
    assert len(app.councils) > 100 and "Leeds" in app.councils
    assert "green_paper_2022" in [s for s, _l in app.sets]
    assert "mandatory_mediation" in [s for s, _r, _l in app.switches]


def test_the_same_folder_gives_the_same_chart_bytes(comparison, tmp_path):
    from simulator.report.charts import write_charts

    a = write_charts(load_results(comparison), tmp_path / "a")
    b = write_charts(load_results(comparison), tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_charts_of_the_mechanism_measures(comparison):
    """compare --out draws disputes to their end, mediation outcomes and the differences by redress capacity; the
    last one's CSV is compare.json's by_group, and a single run (nothing paired) has no such chart."""
    import csv
    import json

    names = {p.stem for p in (comparison / "charts").iterdir()}
    assert {"dispute-to-end", "mediation-outcomes", "differences-by-capacity"} <= names
    comp = json.loads((comparison / "compare.json").read_text())
    rows = list(csv.DictReader((comparison / "charts" / "differences-by-capacity.csv").read_text().splitlines()))
    assert {r["redress_capacity"] for r in rows} == {"low", "medium", "high"}
    for r in rows:
        want = comp["by_group"]["redress_capacity"][r["redress_capacity"]][r["metric"]]["diff"]
        assert (r["diff"] == "" and want is None) or abs(float(r["diff"]) - want) < 1e-9
    med = list(csv.DictReader((comparison / "charts" / "mediation-outcomes.csv").read_text().splitlines()))
    for rule in comp["rules"]:
        total = sum(float(r["mean_pct"]) for r in med if r["rule_set"] == rule)
        assert total == 0 or abs(total - 100) < 0.5, total  # the four outcomes of mediations held add up to 100%
    single = [c.name for c in run_charts(load_results(comparison / "1-current_2014"))]
    assert "dispute-to-end" in single and "differences-by-capacity" not in single


def test_group_sentences_pick_the_largest_clear_group_differences(comparison):
    from simulator.report.summary import group_sentences

    res = load_results(comparison)
    a, b = res.comparison["rules"]

    def m(base, diff, lo, hi):
        return {a: {"mean": base}, b: {"mean": base + diff}, "diff": diff, "diff_ci95": [lo, hi], "label": "x"}

    res.comparison = {**res.comparison, "by_group": {"redress_capacity": {
        "low": {"appeals_registered": m(10.0, -8.0, -9.0, -7.0), "weeks_to_final_plan_median": m(30, 3, -1, 7)},
        "high": {"appeals_registered": m(10.0, -2.0, -3.0, -1.0)}}}}
    got = group_sentences(res)
    assert len(got) == 2  # the weeks difference's interval includes 0
    assert got[0].startswith("Families with low capacity: appeals registered") and "8.0 fewer" in got[0]
    assert "between 7.0 and 9.0 fewer" in got[0]
    assert got[1].startswith("Families with high capacity")
    html_text = __import__("simulator.report.html", fromlist=["summary_html"]).summary_html(res)
    assert "Who loses, by the family" in html_text


def test_web_form_takes_percent_signs_caps_runs_and_says_the_queue(tmp_path):
    import time as _time

    from simulator.web.app import Job

    councils, sets, sws = ["Leeds"], ["green_paper_2022"], []
    good = {"source": "figures", "requests_per_year": "1200", "refused_pct": "25%", "within_20_weeks_pct": "50 %",
            "plans_in_force": "4000", "reform": "green_paper_2022", "replications": "5"}
    job, err = validate(good, councils, sets, sws)
    assert not err and job["refused_pct"] == 25.0 and job["within_20_weeks_pct"] == 50.0
    _job, err = validate({**good, "replications": "100"}, councils, sets, sws)
    assert "at most 30" in err["replications"]
    _job, err = validate({**good, "requests_per_year": "1200%"}, councils, sets, sws)
    assert "requests_per_year" in err  # a % sign only where the figure is a percentage
    app = App(tmp_path / "work")
    now = _time.perf_counter()
    done = Job("a" * 12, {}, tmp_path / "a", state="done", seconds=20.0)
    running = Job("b" * 12, {}, tmp_path / "b", state="running", started=now - 5.0, submitted=now - 6)
    first = Job("c" * 12, {}, tmp_path / "c", submitted=now - 2)
    second = Job("d" * 12, {}, tmp_path / "d", submitted=now - 1)
    app.jobs = {j.id: j for j in (done, running, first, second)}
    q = app.queue_of(second)
    assert q["ahead"] == 2 and 30.0 <= q["estimate_s"] <= 36.0  # about 15 s left of the running one, then 20 s
    assert app.queue_of(running) == {}
