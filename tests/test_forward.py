"""Forward to 2035: scenarios from the latest January caseload, declared projections, and comparisons by year and by
in-force window.

Expected values are worked out here from the official CSV files and from the projection's stated rule, never read
back from the program's output.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.runs.compare import compare
from simulator.cli import main
from simulator.rules.projection import undeclared
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError

from .conftest import ROOT, write_scenario

FWD = ROOT / "scenarios" / "small_la_from_2024.yaml"
ENGLAND_FWD = ROOT / "scenarios" / "england_from_2024.yaml"
DATA = ROOT / "data" / "sen2"


def _caseload(period: str, level: str = "Local authority") -> dict[str, int]:
    with open(DATA / "caseload.csv", newline="") as f:
        return {(r["old_la_code"] or "England"): int(r["ehcplans"]) for r in csv.DictReader(f)
                if r["time_period"] == period and r["geographic_level"] == level
                and r["breakdown_topic"].startswith("All")}


@pytest.fixture(scope="module")
def reform_to_2033() -> dict:
    """Current law against the White Paper on the median authority from 1 January 2024 to 2033 (3 replications)."""
    return compare(FWD, "current_2014", "white_paper_2026", replications=3, seed=3, workers=2,
                   until=dt.date(2033, 12, 31))


def test_nothing_moves_before_commencement_and_the_reform_shows_after(reform_to_2033: dict) -> None:
    """Every paired by-year difference before 2029 is exactly 0 (same children, same draws, same law); from 2031 the
    White Paper's new plans and plans in force in January differ with 95% intervals excluding 0."""
    by_year = reform_to_2033["by_year"]
    assert sorted(by_year) == [str(y) for y in range(2024, 2034)]
    for y in range(2024, 2029):
        for key, m in by_year[str(y)].items():
            assert m["diff"] in (0, None), (y, key, m["diff"])
    for y in range(2031, 2034):
        for key in ("new_plans", "plans_in_force_january"):
            lo, hi = by_year[str(y)][key]["diff_ci95"]
            assert hi < 0, (y, key, lo, hi)  # fewer plans under the White Paper, clearly


def test_windows_and_tidy_rows(reform_to_2033: dict) -> None:
    """One window per in-force date (1 September 2029 and 1 September 2030 to the end), totals over the calendar
    years they touch equal to the sum of the by-year differences, and the same figures as tidy rows."""
    wins = reform_to_2033["windows"]
    assert [w["from"] for w in wins] == ["2029-09-01", "2030-09-01"]
    assert "tiered_support_plans" in wins[1]["switches"] and "phase_transfer_reassessment" in wins[0]["switches"]
    by_year = reform_to_2033["by_year"]
    summed = sum(by_year[str(y)]["new_plans"]["diff"] for y in range(2030, 2034))
    assert wins[1]["metrics"]["new_plans"]["diff"] == pytest.approx(summed, rel=1e-5)
    rows = reform_to_2033["contrasts"]
    kinds = {r["period_kind"] for r in rows}
    assert kinds == {"calendar", "january", "in_force_window", "horizon"}
    row = next(r for r in rows if r["metric"] == "new_plans" and r["period"] == "2031")
    assert row["contrast"] == "white_paper_2026 - current_2014"
    assert row["mean"] == by_year["2031"]["new_plans"]["diff"] and row["n"] == 3
    assert reform_to_2033["nothing_in_force"] is None
    assert reform_to_2033["projection"]["name"] == "central"


def test_nothing_in_force_says_so_and_names_the_horizon() -> None:
    """A run that ends before the first commencement says so in those words and names a horizon that shows it (the
    first in-force date, 1 September 2029, plus three years: 2032-12-31)."""
    res = compare(FWD, "current_2014", "white_paper_2026", replications=1, seed=1, until=dt.date(2024, 6, 30))
    text = res["nothing_in_force"]
    assert text.startswith("Nothing that changed is in force within the years run")
    assert "2029-09-01" in text and "--until 2032-12-31" in text
    assert "no clear difference" not in text.lower()
    out = CliRunner().invoke(main, ["-q", "compare", str(FWD), "--rules", "current_2014", "--rules",
                                    "white_paper_2026", "-n", "2", "--until", "2024-03-31"])
    assert out.exit_code == 0 and "Nothing that changed is in force" in out.output


def test_nothing_in_force_reads_in_words_for_readers() -> None:
    """The report, the forum page and the `compare` text say the "nothing in force" sentence in words: the first
    change dated after the run by its label (the White Paper's earliest in-force date is 1 September 2029, two
    switches on it; by name, phase_transfer_reassessment comes first, labelled "Reassessment at each phase transfer"
    in white_paper_2026.yaml), dates as a reader says them and the horizon as a date (2029 + 3 = 31 December 2032),
    not a command-line flag a page reader cannot type."""
    from simulator.report.names import find_code_names
    from simulator.report.summary import nothing_in_force_words
    from simulator.report.tables import format_comparison

    res = compare(FWD, "current_2014", "white_paper_2026", replications=1, seed=1, until=dt.date(2024, 6, 30))
    words = nothing_in_force_words(res)
    assert words == ("Nothing that changed is in force within the years run (to 30 June 2024): the first change, "
                     "Reassessment at each phase transfer (from 2029), comes into force on 1 September 2029. A run "
                     "to 31 December 2032 would show it; until then the two rule sets run the same law and every "
                     "difference is zero.")
    assert find_code_names(words) == [] and "--until" not in words
    assert words in format_comparison(res)
    assert nothing_in_force_words({**res, "nothing_in_force": None}) == ""  # something in force: no sentence


def test_until_reaches_the_projection_limit_only() -> None:
    """--until may go past end_date up to the projection's until_limit (2040), never beyond; a scenario without a
    projection keeps its end_date as the limit."""
    assert load_scenario(FWD, until=dt.date(2040, 12, 31)).scenario.end_date == dt.date(2040, 12, 31)
    with pytest.raises(InputError, match="until_limit"):
        load_scenario(FWD, until=dt.date(2041, 1, 1))
    with pytest.raises(InputError, match="no later than 2020-12-31"):
        load_scenario(ROOT / "scenarios" / "small_la.yaml", until=dt.date(2021, 6, 30))
    r = CliRunner().invoke(main, ["compare", str(FWD), "--rules", "current_2014", "--rules", "white_paper_2026",
                                  "--until", "2041-01-01"])
    assert r.exit_code == 2 and "until_limit" in r.output and "Traceback" not in r.output


def _month_of_new_plans(code: str, year: int, lapse: float) -> float:
    """A month of the authority's new plans at its own `year` rates, worked from the SEN2 files: requests x (1 -
    refused share) x (1 - lapse) x (1 - not-issued share of assessments) / 12."""
    with open(DATA / "requests.csv", newline="") as f:
        (q,) = [r for r in csv.DictReader(f) if r["time_period"] == str(year) and r["old_la_code"] == code
                and r["geographic_level"] == "Local authority" and r["breakdown_topic"].startswith("All")]
    with open(DATA / "assessments.csv", newline="") as f:
        (a,) = [r for r in csv.DictReader(f) if r["time_period"] == str(year) and r["old_la_code"] == code
                and r["geographic_level"] == "Local authority" and r["breakdown_topic"].startswith("All")]
    n = float(q["requests_received_in_year"])
    refused = float(q["requests_decided_not_to_assess"]) / n
    not_issued = float(a["assess_not_issued"]) / (float(a["assess_not_issued"]) + float(a["assess_issued"]))
    return n * (1 - refused) * (1 - lapse) * (1 - not_issued) / 12


def test_start_stock_is_the_latest_january_caseload() -> None:
    """The median authority's stock on 1 January is its January 2024 caseload less a month of the new plans the
    model issues for it (the count taken as at the end of January), the settings adding up to the rounded total;
    its ages are its own counts."""
    sc = yaml.safe_load(FWD.read_text())
    la = sc["local_authorities"]["items"][0]
    now = _caseload("202324")[la["code"]]
    lapse = sc["population"]["assessment_lapsed_probability"]["by_year"][2023]
    expected = now - _month_of_new_plans(la["code"], 2023, lapse)
    total = sum(v for k, v in la.items() if k.startswith("stock_") and k != "stock_age")
    assert abs(total - expected) <= 0.5 + 1e-6  # the rounded total (rates in the file are rounded to 4 places)
    # the authority is the median of the 153 by plans in force in January 2024
    plans = sorted(_caseload("202324").values())
    assert now == plans[(len(plans) - 1) // 2]
    with open(DATA / "caseload.csv", newline="") as f:
        ages = [r for r in csv.DictReader(f) if r["time_period"] == "202324" and r["old_la_code"] == la["code"]
                and r["breakdown_topic"] == "Child or young persons age"]
    n16_19 = sum(int(r["ehcplans"]) for r in ages if r["breakdown"] in ("age 16", "age 17", "age 18", "age 19"))
    assert la["stock_age"]["age_16_19"] == n16_19
    assert sc["start_date"] == "2024-01-01" and sc["end_date"] == "2035-12-31"


def test_england_from_2024_every_authority_and_every_input_declared() -> None:
    """Every authority of the January 2024 caseload is there, its stock its count less a month of its new plans; nothing past 2023
    runs without a declared projection; the 2019 scenario, which runs to 2025 without one, has every input listed."""
    loaded = load_scenario(ENGLAND_FWD)
    jan = _caseload("202324")
    items = loaded.scenario.local_authorities.items
    lapse = loaded.scenario.population.assessment_lapsed_probability.by_year[2023]
    assert {la.code for la in items} == set(jan)
    for la in items:  # each count less a month of the new plans the model issues there at its 2023 rates
        month = la.requests_per_year * (1 - la.refuse_to_assess_probability) * (1 - lapse) * (
            1 - la.no_plan_after_assessment_probability) / 12
        assert abs(la.plans_in_force_at_start - (jan[la.code] - month)) <= 0.5 + 1e-6, la.name
    total = sum(la.plans_in_force_at_start for la in items)
    # England issued 85,924 plans in 2023 (SEN2 assessments.csv): a month of them is 1.24% of the 576,474 counted
    assert 0.010 < 1.0 - total / _caseload("202324", "National")["England"] < 0.015
    assert undeclared(loaded.scenario) == []
    old = load_scenario(ROOT / "scenarios" / "england.yaml").scenario
    listed = undeclared(old)
    assert len(listed) == 9 and all("2024-2025" in x for x in listed)
    r = CliRunner().invoke(main, ["validate", str(ROOT / "scenarios" / "england.yaml")])
    assert r.exit_code == 0 and "without a declared projection (9)" in r.output


def test_plans_in_force_on_31_january_are_the_caseload_for_the_authorities_that_missed_it(tmp_path: Path) -> None:
    """The four authorities furthest from their count when the start took off their own growth instead of the
    model's January (Plymouth +2.0%, Wirral +1.6%, Portsmouth +1.6%, Blackburn with Darwen +1.5%): run to 31 January
    on the scenario's own seed, each one's plans in force are within 1% of its January 2024 caseload (SEN2)."""
    import math

    from simulator.analysis.runs.runner import simulate

    doc = yaml.safe_load(ENGLAND_FWD.read_text())
    codes = {"879", "344", "851", "889"}
    doc["local_authorities"]["items"] = [la for la in doc["local_authorities"]["items"] if la["code"] in codes]
    loaded = load_scenario(write_scenario(tmp_path, doc), until=dt.date(2024, 1, 31))
    j = simulate(loaded, loaded.scenario.seed, 0)
    code_of = [la.spec.code for la in j.las]
    in_force = dict.fromkeys(codes, 0)
    for c in j.children:
        began = 0.0 if c.stock else c.final_at if c.status in ("plan", "ceased") else math.nan
        ended = c.ceased_at if c.ceased_at == c.ceased_at else math.inf
        if began <= j.horizon < ended:
            in_force[code_of[c.la]] += 1
    jan = _caseload("202324")
    for code in codes:
        assert abs(in_force[code] / jan[code] - 1.0) <= 0.01, (code, in_force[code], jan[code])


def test_a_projection_leaving_its_stated_range_is_a_warning(tmp_path: Path) -> None:
    """Requests growing at the authority's 10% a year, damped over 5 years, population flat: 1.10, 1.188, 1.259,
    1.310, 1.336 times 2023's by 2028 (worked by hand). With a stated range of 0.5-1.2x the value leaves it in 2026,
    and the warning names the value, the authority, the year it is furthest out and the range."""
    doc = yaml.safe_load(FWD.read_text())
    doc = copy.deepcopy(doc)
    la = doc["local_authorities"]["items"][0]
    la["requests_trend_pct_per_year"] = {"value": 10.0, "source": "test fixture"}
    pj = doc["projection"]
    c = pj["variants"]["central"]
    for key, value in (("population_growth_pct_per_year", 0.0), ("damping_years", 5), ("trend_weight", 1.0)):
        c[key]["value"] = value
    pj["ranges"]["requests_vs_last_data_year"]["range"] = [0.5, 1.2]
    path = write_scenario(tmp_path, doc)
    loaded = load_scenario(path, until=dt.date(2030, 12, 31))
    base = la["requests_by_year"][2023]
    got = loaded.scenario.local_authorities.items[0].requests_by_year
    factor = 1.0
    for k, year in enumerate(range(2024, 2031), start=1):
        factor *= 1 + 0.10 * max(0.0, 1 - (k - 1) / 5)
        assert got[year] == pytest.approx(base * factor, rel=1e-4)
    assert math.isclose(factor, 1.1 * 1.08 * 1.06 * 1.04 * 1.02, rel_tol=1e-12)
    warnings = loaded.projection["warnings"]
    req = [w for w in warnings if w.startswith("projection central: requests of Wandsworth")]
    assert len(req) == 1
    assert "from 2026" in req[0] and "in 2028" in req[0] and "(1.34x 2023's" in req[0] and "0.5 to 1.2x" in req[0]
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 0 and "warning: projection central: requests of Wandsworth" in r.output


def test_a_request_met_by_a_school_support_plan_is_not_a_request() -> None:
    """Same children under both rule sets, the White Paper from the start: every would-be request it diverts to a
    school-level plan is not a request, and each escalation is one request. So requests differ by exactly
    escalations - school support plans, replication by replication."""
    res = compare(FWD, "current_2014", "white_paper_2026", replications=1, seed=2, until=dt.date(2024, 12, 31),
                  from_start=True)
    m = res["metrics"]
    ssp = m["school_support_plans"]["white_paper_2026"]["mean"]
    esc = m["isp_escalations"]["white_paper_2026"]["mean"]
    assert ssp > 0 and esc > 0
    assert m["requests"]["diff"] == esc - ssp


def test_charts_mark_each_in_force_date() -> None:
    """The by-year chart's marks: each distinct in-force date within the run, on an axis where a year's point is at
    its middle (1 September 2030 is day 244 of the year: 2029.5 + 243/365.25); none when nothing changed."""
    from types import SimpleNamespace

    from simulator.report.charts import in_force_marks

    comp = {"what_changed": [{"parameter": "x"}],
            "in_force": [{"switch": "a", "in_force": "2030-09-01"}, {"switch": "b", "in_force": "2030-09-01"},
                         {"switch": "c", "in_force": "2029-09-01"}, {"switch": "d", "in_force": None}]}
    marks = in_force_marks(SimpleNamespace(comparison=comp))  # type: ignore[arg-type]
    assert [d for _x, d in marks] == ["2029-09-01", "2030-09-01"]
    assert marks[1][0] == pytest.approx(2029.5 + 243 / 365.25)
    assert in_force_marks(SimpleNamespace(comparison={**comp, "what_changed": []})) == []  # type: ignore[arg-type]
    assert in_force_marks(SimpleNamespace(comparison=None)) == []  # type: ignore[arg-type]


def test_uncertainty_draws_the_declared_ranges_with_common_random_numbers() -> None:
    """`compare --uncertainty 2` over two years before any commencement: the draws vary the projection in use and the
    White Paper's ranged effects (and nothing of current law), and with common random numbers every paired
    difference, whatever the draw, is exactly 0 - so both intervals are [0, 0]."""
    from simulator.analysis.batch.sweep import run_sweep
    from simulator.analysis.batch.uncertainty import summarise_uncertainty, uncertainty_plan

    until = dt.date(2025, 12, 31)
    res = compare(FWD, "current_2014", "white_paper_2026", replications=2, seed=5, until=until)
    up = uncertainty_plan(FWD, "current_2014", "white_paper_2026", 2, 5, until)
    names = {q.name: q.ranges for q in up.parameters}
    assert names["scenario.projection.variants.central.damping_years"] == ((3.0, 10.0), (3.0, 10.0))
    assert names["rules.effects.school_support_plan_share"] == (None, (0.1, 0.5))
    u = summarise_uncertainty(run_sweep(up, None, 2), res)
    assert u["draws"] == 2 and u["replications_per_draw"] == 2
    m = u["metrics"]["new_plans"]
    assert m["assumptions_and_replications"]["interval95"] == [0.0, 0.0] and m["assumptions_and_replications"]["n"] == 4
    assert m["replications_only"]["ci95"] == [0.0, 0.0]



def test_uncertainty_draws_ranged_in_force_dates_one_commencement_at_a_time() -> None:
    """The White Paper states its legal changes as 'not before September 2030' (assumed 1 September 2030, range to 1
    September 2035) and phase-transfer reassessment from September 2029 (range to 1 September 2031): the draw varies
    each commencement as one day number over its range, under the White Paper only; at the top of the range the
    legal changes fall after a run to 2033 (never in force) and reassessment starts on 1 September 2031; at the
    bottom every date is the stated one. Transitional protection (no range) is never drawn."""
    from simulator.analysis.batch.uncertainty import uncertainty_plan

    up = uncertainty_plan(FWD, "current_2014", "white_paper_2026", 2, 5, dt.date(2033, 12, 31))
    dated = {q.name: q for q in up.parameters if q.name.startswith("in_force.")}
    day = lambda y, m, d: float(dt.date(y, m, d).toordinal())  # noqa: E731
    assert dated["in_force.phase_transfer_reassessment"].ranges == (None, (day(2029, 9, 1), day(2031, 9, 1)))
    (legal,) = [q for n, q in dated.items() if "tribunal_remit_placement" in n]
    assert legal.ranges == (None, (day(2030, 9, 1), day(2035, 9, 1)))
    assert {"contents_appeals_narrowed", "local_list_preference", "tiered_support_plans"} <= set(
        legal.name.removeprefix("in_force.").split("+"))
    assert not any("transitional_protection" in n for n in dated)
    assert up.unit.shape == (2, len(up.parameters))
    for u, reassess, legal_day in ((0.0, "2029-09-01", "2030-09-01"), (1.0, "2031-09-01", None)):
        loaded = up.model.loaded({q.name: q.value(u, 1) for q in up.parameters}, 1)
        when = {sw: (str(d) if d else None) for sw, d, *_ in loaded.in_force}
        assert when["phase_transfer_reassessment"] == reassess
        assert when["tribunal_remit_placement"] == legal_day and when["contents_appeals_narrowed"] == legal_day
        assert when["transitional_protection"] == "2029-09-01"
        base = up.model.loaded({q.name: q.value(u, 0) for q in up.parameters}, 0)
        assert base.in_force == ()  # current law: nothing to commence, nothing drawn


def _numbers(x):
    """A document's numbers only (texts dropped): what a run reads, not how its provenance is worded."""
    if isinstance(x, dict):
        return {k: _numbers(v) for k, v in x.items() if not isinstance(v, str)}
    if isinstance(x, list):
        return [_numbers(v) for v in x if not isinstance(v, str)]
    return x


def test_the_page_cuts_a_council_out_of_the_forward_scenario_as_the_build_cuts_out_small_la() -> None:
    """Wandsworth cut out of england_from_2024 for the page has every number of small_la_from_2024 (the build
    script's cut: the tribunal, its backlog and the disputes in progress scaled by the authority's share of 2023
    requests), but for its name, seed and replications."""
    from simulator.analysis.fit.forward_council import forward_document

    doc = forward_document(yaml.safe_load(ENGLAND_FWD.read_text()), "Wandsworth", seed=42)
    small = yaml.safe_load(FWD.read_text())
    assert doc["name"] == "wandsworth_from_2024" and doc["seed"] == 42
    for key in set(doc) | set(small):
        if key not in ("name", "description", "replications"):
            assert _numbers(doc.get(key)) == _numbers(small.get(key)), key


def test_the_page_runs_to_three_years_after_the_last_change_and_checks_the_horizon(tmp_path: Path) -> None:
    """The default horizon from January 2024: the White Paper's last in-force date is 1 September 2030, so 31
    December 2033; the Green Paper (every change from the first day) two years, to 2025; an end year chosen on the
    form must fall in 2025-2040, and a council formed since 2019 has no years with official figures to run."""
    from simulator.web.app import App, Job, horizon, validate

    assert horizon(FWD, "white_paper_2026") == dt.date(2033, 12, 31)
    assert horizon(FWD, "green_paper_2022") == dt.date(2025, 12, 31)
    app = App(tmp_path / "web")
    assert app.defaults()["white_paper_2026"] == 2033 and (app.start_year, app.limit_year) == (2024, 2040)
    form = {"source": "council", "council": "Wandsworth", "reform": "white_paper_2026", "replications": "3"}
    args = (app.councils, [s for s, _l in app.sets], [s for s, _r, _l in app.switches], (2025, 2040), app.history)
    job, err = validate(form, *args)
    assert not err and job["horizon"] == ""
    assert validate({**form, "horizon": "2031"}, *args)[0]["horizon"] == 2031
    assert "2025 to 2040" in validate({**form, "horizon": "2041"}, *args)[1]["horizon"]
    assert "North Northamptonshire" in app.councils and "North Northamptonshire" not in app.history
    assert "formed since" in validate({**form, "council": "North Northamptonshire", "horizon": "history"}, *args)[1][
        "horizon"]
    path, until, year = app.scenario(Job("1" * 12, job | {"rules_b": "white_paper_2026"}, tmp_path / "web" / "j"))
    assert until == dt.date(2033, 12, 31) and year == 2024 and path.name == "wandsworth_from_2024.yaml"
    assert "plans_in_force_january,2024,2988.0" in (path.parent / "targets" / path.with_suffix(".csv").name
                                                     ).read_text()  # SEN2 caseload.csv: Wandsworth, January 2024


def test_projection_waits_come_from_projected_staff_not_a_fitted_delay(tmp_path: Path) -> None:
    """The forward scenarios' waits respond to load (`waits: backlog`): no fitted delay is carried, and the team's
    base casework beyond 2023 grows at the variant's stated rate damped like requests, never with requests. With
    12% a year damped over 4 years and population flat: x1.12, x1.09, x1.06, x1.03, then flat (worked by hand),
    whatever the authority's requests do. A variant that states no casework growth leaves it undeclared."""
    doc = copy.deepcopy(yaml.safe_load(FWD.read_text()))
    assert doc["waits"] == "backlog"
    la = doc["local_authorities"]["items"][0]
    assert "delay_days_by_year" not in la and set(la["casework_per_week_by_year"]) == set(range(2019, 2024))
    c = doc["projection"]["variants"]["central"]
    for key, value in (("population_growth_pct_per_year", 0.0), ("damping_years", 4), ("trend_weight", 1.0),
                       ("casework_growth_pct_per_year", 12.0)):
        c[key]["value"] = value
    la["requests_trend_pct_per_year"] = {"value": 30.0, "source": "test fixture"}
    loaded = load_scenario(write_scenario(tmp_path, doc), until=dt.date(2030, 12, 31))
    got = loaded.scenario.local_authorities.items[0].casework_per_week_by_year
    base = la["casework_per_week_by_year"][2023]
    for year, factor in ((2024, 1.12), (2025, 1.12 * 1.09), (2026, 1.12 * 1.09 * 1.06),
                         (2027, 1.12 * 1.09 * 1.06 * 1.03), (2030, 1.12 * 1.09 * 1.06 * 1.03)):
        assert got[year] == pytest.approx(base * factor, abs=2e-3), year
    assert undeclared(loaded.scenario) == []
    del c["casework_growth_pct_per_year"]
    sub = tmp_path / "undeclared"
    sub.mkdir()
    loaded = load_scenario(write_scenario(sub, doc), until=dt.date(2030, 12, 31))
    assert [x.split(":")[0] for x in undeclared(loaded.scenario)] == ["casework"]
