"""The tidy table: periods and their partial flag from dates alone, paired differences worked out by hand, no period
outside the run, the API's tables, a batch's groups, timings and sensitivity tables, copies of a batch found, and
the README's notebook example run as written."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
from types import SimpleNamespace

import pyarrow.compute as pc
import pyarrow.dataset as ds
from click.testing import CliRunner

from simulator.analysis.batch.catalogue import duplicate_batches, query, read_metrics, sensitivity_table
from simulator.analysis.batch.sweep import run_sweep
from simulator.analysis.batch.sweep_plan import plan_sweep
from simulator.analysis.runs.table import SCHEMA, Builder, Span, add_contrast, records
from simulator.cli import main

from .conftest import ROOT
from .test_batch import write_sweep


def test_period_kind_and_partial_follow_the_dates_of_the_run():
    year = Span(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert year.describe("requests", "all") == ("horizon", False)
    assert year.describe("requests", "2019") == ("calendar", False)
    assert year.describe("appeals_registered", "2018/19") == ("academic", True)  # began 1 September 2018
    assert year.describe("appeals_registered", "2019/20") == ("academic", True)  # runs to 31 August 2020
    assert year.describe("plans_in_force_january", "2019") == ("january", False)
    warm = Span(dt.date(2019, 1, 1), dt.date(2019, 12, 31), warmup_days=30)
    assert warm.describe("requests", "2019") == ("calendar", True)  # January not counted
    later = Span(dt.date(2019, 3, 1), dt.date(2020, 12, 31))
    assert later.describe("requests", "2019") == ("calendar", True)
    assert later.describe("requests", "2020") == ("calendar", False)
    assert later.describe("appeals_registered", "2019/20") == ("academic", False)  # Sep 2019 - Aug 2020, inside
    assert later.describe("plans_in_force_january", "2019") == ("january", True)  # 1 Jan 2019: before the run


def _rep(rep: int, appeals: float, low: float, pct: float | None) -> dict:
    return {"replication": rep, "metrics": {"appeals_registered": appeals, "withdrawn_pct": pct},
            "by_period": {"2019": {"appeals_registered": appeals}},
            "by_group": {"redress_capacity": {"low": {"appeals_registered": low, "withdrawn_pct": None}}}}


def test_records_and_contrasts_of_hand_made_replications():
    a = [_rep(0, 10.0, 2.0, 50.0), _rep(1, 14.0, 3.0, 40.0)]
    b = [_rep(0, 7.0, 1.0, None), _rep(1, 9.0, 3.0, 45.0)]
    assert sorted(records(a[0])) == sorted([
        ("appeals_registered", "all", "all", "all", 10.0), ("withdrawn_pct", "all", "all", "all", 50.0),
        ("appeals_registered", "2019", "all", "all", 10.0),
        ("appeals_registered", "all", "redress_capacity", "low", 2.0),
        ("withdrawn_pct", "all", "redress_capacity", "low", None)])
    side = SimpleNamespace(law=SimpleNamespace(name="A"), scenario=SimpleNamespace(name="s"))
    other = SimpleNamespace(law=SimpleNamespace(name="B"), scenario=SimpleNamespace(name="s"))
    bld = Builder()
    add_contrast(bld, side, other, 7, a, b)
    t = bld.table()
    assert t.schema == SCHEMA
    rows = t.to_pylist()
    assert {r["contrast"] for r in rows} == {"B - A"} and {r["rules"] for r in rows} == {"B"}
    assert all(r["period"] == "all" and r["period_kind"] == "horizon" for r in rows)  # the horizon only

    def get(metric, group, stat, rep=None):
        return [r["value"] for r in rows if r["metric"] == metric and r["group"] == group and r["stat"] == stat
                and r["replication"] == rep]

    assert get("appeals_registered", "all", "value", 0) == [-3.0] and get("appeals_registered", "all", "value", 1) == [-5.0]
    # mean -4; sd of (-3, -5) is sqrt(2); half-width t(0.975, 1) = 12.706 times sqrt(2) / sqrt(2)
    assert get("appeals_registered", "all", "mean") == [-4.0]
    assert get("appeals_registered", "all", "ci95_low") == [-16.706]
    assert get("appeals_registered", "all", "ci95_high") == [8.706]
    assert get("appeals_registered", "all", "n") == [2.0]
    assert get("appeals_registered", "low", "mean") == [-0.5]  # (1 - 2) and (3 - 3)
    # a difference with a side missing is null, and the summary counts only the pairs that have both
    assert get("withdrawn_pct", "all", "value", 0) == [None] and get("withdrawn_pct", "all", "n") == [1.0]
    assert get("withdrawn_pct", "all", "mean") == [5.0]


def test_no_period_outside_the_run_and_partial_years_marked():
    from simulator.api import run

    r = run("small_la", replications=1, seed=1, until="2019-12-31")
    assert set(r.summary["by_period"]) == {"2018/19", "2019", "2019/20"}  # no 2020
    t = r.table()
    got = {(x["period"], x["period_kind"], x["partial"]) for x in
           t.filter(pc.field("period") != "all").select(["period", "period_kind", "partial"]).to_pylist()}
    assert got == {("2018/19", "academic", True), ("2019", "calendar", False), ("2019", "january", False),
                   ("2019/20", "academic", True)}
    assert r.folder is None


def test_the_api_compare_table_matches_the_comparison_it_returns():
    from simulator.api import compare

    r = compare("small_la", rules=["current_2014", "green_paper_2022"], replications=2, seed=3, until="2019-03-31")
    t = r.table()
    assert t.schema == SCHEMA
    rows = t.to_pylist()
    assert {x["group"] for x in rows if x["group_by"] == "redress_capacity"} == {"low", "medium", "high"}
    assert {x["group_by"] for x in rows} >= {"all", "redress_capacity", "requester", "primary_need"}
    m = r.summary["metrics"]["appeals_registered"]

    def one(**kw):
        got = [x["value"] for x in rows if all(x[k] == v for k, v in kw.items())]
        assert len(got) == 1, (kw, got)
        return got[0]

    c = "green_paper_2022 - current_2014"
    assert one(metric="appeals_registered", group_by="all", stat="mean", contrast=c) == m["diff"]
    assert [one(metric="appeals_registered", group_by="all", stat=s, contrast=c)
            for s in ("ci95_low", "ci95_high")] == m["diff_ci95"]
    for rules in ("current_2014", "green_paper_2022"):
        assert one(metric="appeals_registered", group_by="all", stat="mean", rules=rules, contrast=None,
                   period="all") == m[rules]["mean"]
    low = r.summary["by_group"]["redress_capacity"]["low"]["requests"]
    assert one(metric="requests", group_by="redress_capacity", group="low", stat="mean", contrast=c) == low["diff"]
    # each replication's value of a rule set, and the difference of the two
    a0 = one(metric="requests", group_by="all", stat="value", rules="current_2014", replication=0, contrast=None,
             period="all")
    b0 = one(metric="requests", group_by="all", stat="value", rules="green_paper_2022", replication=0, contrast=None,
             period="all")
    assert one(metric="requests", group_by="all", stat="value", replication=0, contrast=c) == b0 - a0
    df = r.to_pandas()
    assert len(df) == t.num_rows


def test_a_batch_keeps_every_group_with_timings_and_indices_apart(tmp_path):
    sweep = write_sweep(tmp_path, replications=1, until="2019-03-31")
    res = run_sweep(plan_sweep(sweep), tmp_path / "b")
    cols, rows = query(tmp_path, 'select distinct group_by, "group" from metrics order by all')
    got = set(rows)
    assert {("redress_capacity", g) for g in ("low", "medium", "high")} <= got and ("all", "all") in got
    hive = ds.dataset(tmp_path / "b" / "metrics", format="parquet", partitioning="hive").to_table()
    assert hive.num_rows == read_metrics(tmp_path).num_rows
    assert {"group_by", "period_kind", "partial", "stat"} <= set(hive.column_names)
    # timings: one row per task, seconds measured; never in the metrics or runs tables
    _c, t = query(tmp_path, "select count(*), min(wall_seconds) > 0, min(cpu_seconds) > 0 from timings")
    assert t == [(len(res.rows), True, True)]
    for view in ("metrics", "runs"):
        c, _r = query(tmp_path, f"select * from {view} limit 1")
        assert not any("seconds" in x for x in c), c
    # a copy of the batch: both folders in the `folder` column, and `results` warns
    shutil.copytree(tmp_path / "b", tmp_path / "copy")
    assert len(duplicate_batches(tmp_path)) == 1 and "b, copy" in duplicate_batches(tmp_path)[0]
    _c, f = query(tmp_path, "select folder, count(*) from metrics group by folder order by folder")
    assert [x[0] for x in f] == ["b", "copy"] and f[0][1] == f[1][1]
    r = CliRunner().invoke(main, ["results", str(tmp_path), "--format", "csv", "--sql", "select 1 as x"])
    assert r.exit_code == 0 and "warning: batch" in r.stderr and r.stdout == "x\n1\n"


def test_sensitivity_indices_as_a_table():
    res = SimpleNamespace(plan=SimpleNamespace(identity=lambda: "B1"), sensitivity={"design": "morris", "outputs": [
        {"metric": "y", "of": "A", "kind": "level", "indices": [
            {"parameter": "p", "mu_star": 2.0, "mu_star_conf": 0.5, "mu": -2.0, "sigma": 0.1},
            {"parameter": "q", "mu_star": 1.0, "mu_star_conf": 0.2, "mu": 1.0, "sigma": 0.0}]},
        {"metric": "y", "of": "B - A", "kind": "difference", "keeps_sign": True, "indices": None}]})
    t = sensitivity_table(res).to_pylist()
    assert len(t) == 8  # two parameters x four indices; the difference without indices has no rows
    assert {(x["parameter"], x["index"], x["value"]) for x in t if x["parameter"] == "p"} == {
        ("p", "mu_star", 2.0), ("p", "mu_star_conf", 0.5), ("p", "mu", -2.0), ("p", "sigma", 0.1)}
    assert {x["batch_id"] for x in t} == {"B1"} and {x["design"] for x in t} == {"morris"}


def test_the_readme_example_runs_as_written():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- api-example -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README.md has no ```python block after <!-- api-example -->"
    ns: dict = {}
    exec(compile(block.group(1), "README.md", "exec"), ns)  # noqa: S102 - the documentation's own example
    low = ns["low"]
    assert set(low["group"]) == {"low"} and len(low) > 0
    assert not math.isnan(float(low["value"].iloc[0]))


def test_phase_from_age_and_regions_from_the_authorities():
    from simulator.engine.model.child import group_index, phase_index
    from simulator.schema.vocabulary import PHASES

    ages = {4.99: "early_years", 5.0: "primary", 10.99: "primary", 11.0: "secondary", 15.99: "secondary",
            16.0: "post16", 18.99: "post16", 19.0: "post19", 24.5: "post19"}
    assert {a: PHASES[phase_index(a)] for a in ages} == ages
    gi = group_index(["ASD"], ["London", "", "North East", "London"])
    assert gi.regions == ("London", "unknown", "North East") and gi.la_region == (0, 1, 2, 0)
    assert gi.pid(12.0, 2) == 2 * 3 + 2  # secondary, North East
    members = gi.cross_members()
    assert members["region"]["London"] == [0, 3, 6, 9, 12] and members["phase"]["post19"] == [12, 13, 14]


def test_results_by_phase_and_region_add_up_to_everyone():
    from simulator.api import run

    r = run("small_la", replications=1, seed=2, until="2019-06-30")
    rep = r.raw.replications[0]
    g, whole = rep["by_group"], rep["metrics"]
    assert set(g["region"]) == {"London"}  # small_la is one London borough
    for metric in ("requests", "appeals_registered", "new_plans", "mediations", "plans_in_force_end"):
        assert g["region"]["London"][metric] == whole[metric]
        assert sum(v[metric] for v in g["phase"].values()) == whole[metric], metric
    assert set(g["phase"]) <= {"early_years", "primary", "secondary", "post16", "post19"}
    assert {x for x in r.table().column("group_by").to_pylist()} >= {"phase", "region", "redress_capacity"}


def test_a_resumed_run_never_mixes_replications_with_and_without_the_phase_groups(tmp_path):
    from simulator.api import run

    out = tmp_path / "r"
    plain = run("small_la", replications=2, seed=4, until="2019-03-31", out=out, events=False, more_groups=False)
    assert "phase" not in plain.summary["by_group"]
    lines: list[str] = []
    more = run("small_la", replications=2, seed=4, until="2019-03-31", out=out, events=False, resume=True,
               progress=lines.append)
    assert any("not reused" in x and "rep-000, rep-001" in x for x in lines), lines
    assert {v["requests"]["n"] for v in more.summary["by_group"]["phase"].values()} == {2}
    assert more.summary["metrics"] == plain.summary["metrics"]  # the same children: the same numbers


def test_a_task_file_keeps_its_rows_in_blocks_and_gives_them_back_in_order():
    import json

    from simulator.analysis.batch.plan import pack, unpack
    from simulator.analysis.runs.table import Record

    rows = [Record("a", "all", "all", "all", 1.0), Record("b", "all", "all", "all", None),
            Record("a", "2019", "all", "all", 2.0), Record("a", "all", "phase", "primary", 3.0),
            Record("b", "all", "phase", "primary", 4.5)]
    p = pack(rows)
    assert p["metrics"] == ["a", "b"] and p["keysets"] == [[0, 1], [0]]
    assert p["blocks"] == [["all", "all", "all", 0, [1.0, None]], ["2019", "all", "all", 1, [2.0]],
                           ["all", "phase", "primary", 0, [3.0, 4.5]]]
    assert unpack(json.loads(json.dumps(p))) == rows
    assert unpack([["a", "all", "all", "all", 1.0]]) is None  # an older task file: computed again
    assert unpack({**p, "blocks": [["all", "all", "all", 7, [1.0]]]}) is None  # damaged


def test_a_backtest_as_rows_observed_beside_the_model():
    from simulator.analysis.runs.table import add_backtest

    out = {"scenario": "s", "rules": "current_2014", "seed": 1, "replications": 2,
           "rows": [{"metric": "tribunal_appeals_registered", "period": "2019/20", "observed": 30.0,
                     "model_mean": 28.0, "model_ci95": [20.0, 36.0]},
                    {"metric": "plans_in_force_january", "period": "2019", "la_code": "212", "observed": 1900.0,
                     "model_mean": 1950.0, "model_ci95": [1900.0, 2000.0]}],
           "projections": [{"metric": "new_plans_issued", "period": "2020", "observed": None, "model_mean": 300.0,
                            "model_ci95": [280.0, 320.0]}]}
    b = Builder()
    add_backtest(b, out, Span(dt.date(2019, 1, 1), dt.date(2020, 12, 31)))
    rows = b.table().to_pylist()
    assert len(rows) == 2 * 5 + 4  # two targets: observed and four statistics; a projection: no observed
    key = {(r["metric"], r["stat"]): r for r in rows}
    assert key[("tribunal_appeals_registered", "observed")]["value"] == 30.0
    assert key[("tribunal_appeals_registered", "ci95_high")]["value"] == 36.0
    t = key[("tribunal_appeals_registered", "mean")]
    assert (t["period_kind"], t["partial"]) == ("academic", False)  # Sep 2019 - Aug 2020: inside the run
    j = key[("plans_in_force_january", "n")]
    assert (j["period_kind"], j["group_by"], j["group"], j["value"]) == ("january", "local_authority", "212", 2.0)
    assert ("new_plans_issued", "observed") not in key and key[("new_plans_issued", "mean")]["value"] == 300.0


def test_a_case_study_summary_as_rows():
    from simulator.analysis.runs.table import add_case_study

    res = {"case": "sam", "scenario": "small_la", "seed": 2, "results": [
        {"rules": "current_2014", "runs": 5, "weeks_to_final_plan": {"median": 19.0, "p10": 15.0, "p90": 30.0,
                                                                     "reached_pct": 100.0},
         "weeks_to_provision": {"median": 40.0, "p10": None, "p90": 60.0, "reached_pct": 80.0},
         "within_20_weeks_pct": 60.0, "route_share_pct": 20.0, "routes_seen": 4}]}
    b = Builder()
    add_case_study(b, res)
    rows = {r["metric"]: r for r in b.table().to_pylist()}
    assert rows["weeks_to_final_plan_median"]["value"] == 19.0 and rows["provision_reached_pct"]["value"] == 80.0
    assert rows["weeks_to_provision_p10"]["value"] is None and rows["routes_seen"]["value"] == 4.0
    assert rows["runs"]["stat"] == "n" and rows["runs"]["value"] == 5.0
    assert {(r["group_by"], r["group"], r["rules"]) for r in rows.values()} == {("case", "sam", "current_2014")}
