"""Backtest: targets files are checked before anything runs; the model is set beside each official figure."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.fit.backtest import (
    METRICS,
    backtest_replication,
    compare,
    load_targets,
    period_bounds,
    periods_in_horizon,
)
from simulator.cli import main
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"
START, END = dt.date(2019, 1, 1), dt.date(2020, 12, 31)
HEADER = "metric,period,value,unit,tolerance,tolerance_kind,source,note\n"


def targets_file(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "targets.csv"
    p.write_text("# a comment line\n" + HEADER + "".join(ln + "\n" for ln in lines))
    return p


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_periods_follow_the_statistics_conventions():
    assert period_bounds("academic", "2019/20") == (dt.date(2019, 9, 1), dt.date(2020, 8, 31))
    assert period_bounds("january", "2020") == (dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    assert period_bounds("calendar", "2019") == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert period_bounds("academic", "2019/21") is None and period_bounds("calendar", "19") is None
    assert periods_in_horizon("academic", START, END) == ["2019/20"]
    assert periods_in_horizon("calendar", START, END) == ["2019", "2020"]


def test_every_problem_in_a_targets_file_is_reported_at_once(tmp_path):
    p = targets_file(tmp_path,
                     "initial_requests_for_assessment,2019,419,requests,5,relative,SEN2,",
                     "requests_per_fortnight,2019,10,requests,5,relative,made up,",
                     "within_20_weeks_pct,2023,50.3,percent,3,absolute,SEN2,",
                     "new_plans_issued,2019,2x50,plans,5,relative,SEN2,",
                     "tribunal_appeals_registered,2018/19,7002,appeals,10,relative,MoJ,")
    with pytest.raises(InputError) as e:
        load_targets(p, START, END)
    lines = e.value.lines
    assert len(lines) == 4
    assert f"{p}:4: metric: unknown metric 'requests_per_fortnight'" in lines[0] and "allowed:" in lines[0]
    assert f"{p}:5: period: 2023 is outside the scenario's horizon" in lines[1] and "allowed: 2019 to 2020" in lines[1]
    assert f"{p}:6: value: malformed number '2x50'" in lines[2] and "allowed: a finite number" in lines[2]
    assert f"{p}:7: period: 2018/19 is outside" in lines[3]


def test_bad_targets_exit_2_one_line_each_nothing_run(tmp_path):
    p = targets_file(tmp_path, "within_20_weeks_pct,2019,abc,percent,3,absolute,SEN2,",
                     "plans_in_force_january,2031,1,plans,5,relative,SEN2,")
    r = invoke("backtest", str(SMALL), "--targets", str(p), "--json")
    assert r.exit_code == 2
    errors = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2 and all(str(p) in ln for ln in errors)
    assert "within_20_weeks_pct" not in r.output.split("error:")[0]  # no table printed before the errors


def test_backtest_json_rows_and_projections(tmp_path):
    p = targets_file(tmp_path,
                     "initial_requests_for_assessment,2019,419,requests,5,relative,SEN2,",
                     "requests_refused_pct,2019,16.7,percent,2,absolute,SEN2,",
                     "plans_in_force_january,2019,2042,plans,5,relative,SEN2,",
                     "tribunal_appeals_registered,2019/20,20,appeals,100,relative,assumed share,")
    r = invoke("backtest", str(SMALL), "--targets", str(p), "-n", "2", "--workers", "1", "--json")
    out = json.loads(r.stdout)
    # exit 0 when every target is within tolerance, 3 when one is missed (the run itself worked)
    assert r.exit_code == (0 if out["within"] == out["targets"] else 3), r.output
    rows = out["rows"]
    assert [x["metric"] for x in rows][:2] == ["initial_requests_for_assessment", "requests_refused_pct"]
    for x in rows:
        assert set(x) >= {"metric", "period", "observed", "model_mean", "model_ci95", "error", "tolerance",
                          "within_tolerance"}
    req = rows[0]
    assert req["within_tolerance"] == (abs(req["model_mean"] - 419) <= 0.05 * 419)
    assert rows[2]["model_mean"] == 2042  # the January 2019 stock is the scenario's input
    proj = {(x["metric"], x["period"]) for x in out["projections"]}
    assert ("initial_requests_for_assessment", "2020") in proj and ("plans_in_force_january", "2020") in proj
    assert all(x["observed"] is None and x["within_tolerance"] is None for x in out["projections"])
    assert out["targets"] == 4


def test_ratio_metrics_are_averaged_over_replications():
    loaded = load_scenario(SMALL)
    reps = [backtest_replication(loaded, 5, r) for r in range(2)]
    t = load_targets(ROOT / "scenarios" / "targets" / "small_la.csv", START, END)
    rows, _ = compare(t, reps, START, END)
    w = next(x for x in rows if x["metric"] == "within_20_weeks_pct" and x["period"] == "2019")
    per_rep = [METRICS["within_20_weeks_pct"].value(r["by_period"]["2019"]) for r in reps]
    assert w["model_mean"] == pytest.approx(sum(per_rep) / 2, rel=1e-5)


def test_per_authority_counts_add_up_to_the_national_ones():
    loaded = load_scenario(SMALL)
    rep = backtest_replication(loaded, 5, 0, by_la=True)
    code = loaded.scenario.local_authorities.items[0].code
    for year in ("2019", "2020"):
        assert rep["by_la"][code][year]["requests"] == rep["by_period"][year]["requests"]
        assert rep["by_la"][code][year]["new_plans"] == rep["by_period"][year]["new_plans"]
        assert rep["by_la"][code][year]["refused_by_request_year_pct"] == \
            rep["by_period"][year]["refused_by_request_year_pct"]
        assert rep["by_la"][code][year]["within_20_weeks_pct"] == rep["by_period"][year]["within_20_weeks_pct"]
    assert rep["by_la"][code]["2020"]["plans_in_force_january"] == rep["by_period"]["2020"]["plans_in_force_january"]


def test_shipped_targets_are_valid_for_england():
    sc = load_scenario(ROOT / "scenarios" / "small_la.yaml").scenario  # horizon check below uses England's dates
    assert sc.name == "small_la"
    t = load_targets(ROOT / "scenarios" / "targets" / "england.csv", dt.date(2019, 1, 1), dt.date(2025, 12, 31))
    metrics = {x.metric for x in t}
    for m in ("initial_requests_for_assessment", "requests_refused_pct", "assessed_no_plan_pct", "new_plans_issued",
              "within_20_weeks_pct", "plans_in_force_january", "tribunal_appeals_registered",
              "tribunal_appeals_contents_pct", "tribunal_decided_in_favour_pct",
              "tribunal_appeals_reaching_decision_pct", "mediation_cases_held",
              "mediation_settled_without_tribunal_pct"):
        assert m in metrics
    assert all(x.source for x in t) and len(t) >= 15
