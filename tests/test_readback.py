"""Files sendsim reads back from its folders (issue 27): a damaged summary.json, compare.json, manifest.json or
journeys table makes `report` exit 2 in one line naming the file, never "internal error"; absurd numbers are refused
before a chart is drawn; a file the report did not write is never overwritten without --force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def cmp_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rb") / "cmp"
    r = invoke("compare", "small_la", "--rules", "current_2014", "--rules", "current_2014+mandatory_mediation",
               "-n", "2", "--until", "2019-03-31", "--workers", "1", "--out", str(out), "-q")
    assert r.exit_code == 0, r.output
    return out


def _copy(cmp_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "c"
    shutil.copytree(cmp_dir, dst)
    return dst


def _one_line_exit_2(r, *needles: str) -> None:
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert "internal error" not in r.output and "Traceback" not in r.output
    for n in needles:
        assert n in lines[0], lines[0]


SUMMARY_DAMAGE = [
    ("list_top", lambda d: [1, 2], "(top level)"),
    ("not_json", None, "not valid JSON"),
    ("start_date_word", lambda d: {**d, "start_date": "soon"}, "start_date"),
    ("replications_string", lambda d: {**d, "replications": "2"}, "replications"),
    ("replications_bool", lambda d: {**d, "replications": True}, "replications"),
    ("seed_bool", lambda d: {**d, "seed": True}, "seed"),
    ("mean_1e308", lambda d: {**d, "metrics": {k: {**v, "mean": 1e308} for k, v in d["metrics"].items()}},
     "mean"),
    ("metrics_missing", lambda d: {k: v for k, v in d.items() if k != "metrics"}, "metrics"),
    ("ci_word", lambda d: {**d, "metrics": {k: {**v, "ci95": "wide"} for k, v in d["metrics"].items()}}, "ci95"),
]


@pytest.mark.parametrize(("name", "damage", "says"), SUMMARY_DAMAGE, ids=[d[0] for d in SUMMARY_DAMAGE])
def test_a_damaged_summary_makes_report_exit_2_in_one_line(cmp_dir, tmp_path, name, damage, says):
    c = _copy(cmp_dir, tmp_path)
    f = c / "1-current_2014" / "summary.json"
    f.write_text("{not json" if damage is None else json.dumps(damage(json.loads(f.read_text()))))
    out = tmp_path / "r.html"
    _one_line_exit_2(invoke("report", str(c), "--out", str(out)), str(f), says)
    assert not out.exists()


COMPARE_DAMAGE = [
    ("list", lambda d: ["x"], "(top level)"),
    ("one_rule", lambda d: {**d, "rules": ["current_2014"]}, "rules"),
    ("diff_huge", lambda d: {**d, "metrics": {k: {**v, "diff": 1e308} for k, v in d["metrics"].items()}}, "diff"),
    ("side_huge", lambda d: {**d, "metrics": {k: {**v, "current_2014": {"mean": 1e308, "ci95": [0, 1], "n": 2}}
                                              for k, v in d["metrics"].items()}}, "current_2014"),
    ("rules_path", lambda d: {**d, "rules": ["../../etc", "x"]}, "compare.json"),
]


@pytest.mark.parametrize(("name", "damage", "says"), COMPARE_DAMAGE, ids=[d[0] for d in COMPARE_DAMAGE])
def test_a_damaged_compare_json_makes_report_exit_2_in_one_line(cmp_dir, tmp_path, name, damage, says):
    c = _copy(cmp_dir, tmp_path)
    f = c / "compare.json"
    f.write_text(json.dumps(damage(json.loads(f.read_text()))))
    _one_line_exit_2(invoke("report", str(c), "--out", str(tmp_path / "r.html")), says)


def test_damaged_journeys_and_manifest_are_named(cmp_dir, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    c = _copy(cmp_dir, tmp_path)
    j = c / "2-current_2014+mandatory_mediation" / "replications" / "rep-001" / "journeys.parquet"
    j.write_bytes(bytes(range(256)) * 40)
    _one_line_exit_2(invoke("report", str(c), "--out", str(tmp_path / "r.html")), str(j))
    t = pq.read_table(c / "1-current_2014" / "replications" / "rep-000" / "journeys.parquet")
    pq.write_table(t.drop_columns(["final_plan_day"]), j)
    _one_line_exit_2(invoke("report", str(c), "--out", str(tmp_path / "r.html")), str(j), "final_plan_day")
    pq.write_table(pa.table({"x": [1]}), j)
    _one_line_exit_2(invoke("report", str(c), "--out", str(tmp_path / "r.html")), "missing column")
    m = c / "1-current_2014" / "manifest.json"
    m.write_text(json.dumps({"merged_rules": [1]}))
    _one_line_exit_2(invoke("report", str(c), "--out", str(tmp_path / "r.html")), str(m))


def test_report_replaces_its_own_file_but_never_a_users_without_force(cmp_dir, tmp_path):
    out = tmp_path / "report.html"
    assert invoke("report", str(cmp_dir), "--out", str(out)).exit_code == 0
    assert invoke("report", str(cmp_dir), "--out", str(out)).exit_code == 0  # its own: replaced
    mine = tmp_path / "mine.html"
    mine.write_text("<html>my thesis</html>")
    _one_line_exit_2(invoke("report", str(cmp_dir), "--out", str(mine)), "--force")
    assert mine.read_text() == "<html>my thesis</html>"
    assert invoke("report", str(cmp_dir), "--out", str(mine), "--force").exit_code == 0
    assert "sendsim report" in mine.read_text()
    _one_line_exit_2(invoke("report", str(cmp_dir), "--out", str(tmp_path)), "is a folder")
    _one_line_exit_2(invoke("report", str(cmp_dir), "--out", "/dev/null", "--force"), "device")


def test_compare_out_into_a_run_folder_is_refused(cmp_dir, tmp_path):
    run = _copy(cmp_dir, tmp_path) / "1-current_2014"
    before = sorted(p.name for p in run.iterdir())
    r = invoke("compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "-n", "2",
               "--until", "2019-02-28", "--out", str(run), "--force")
    assert r.exit_code == 2 and "a run" in r.output, r.output
    assert sorted(p.name for p in run.iterdir()) == before


def _catalogue(root: Path, value: float = 1.0) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = root / "metrics" / "rules=current_2014"
    d.mkdir(parents=True)
    pq.write_table(pa.table({"run_id": ["r"], "task_id": ["t"], "metric": ["m"], "period": ["all"],
                             "group": ["all"], "value": pa.array([value], pa.float64())}), d / "part-0.parquet")
    pq.write_table(pa.table({"task_id": ["t"], "run_id": ["r"], "rules": ["current_2014"]}), root / "runs.parquet")
    return d / "part-0.parquet"


def test_results_names_a_damaged_table_in_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    part = _catalogue(tmp_path / "b")
    assert invoke("results", str(tmp_path / "b"), "--sql", "select * from metrics").exit_code == 0
    part.write_bytes(b"PAR1 garbage " * 50)
    _one_line_exit_2(invoke("results", str(tmp_path / "b")), str(part), "not a readable Parquet table")
    pq.write_table(pa.table({"metric": ["m"], "value": ["a string"]}), part)
    _one_line_exit_2(invoke("results", str(tmp_path / "b")), str(part), "column")
    _catalogue(tmp_path / "c")
    (tmp_path / "c" / "runs.parquet").write_text("no")
    _one_line_exit_2(invoke("results", str(tmp_path / "c")), "runs.parquet", "not a readable Parquet table")


def test_results_json_is_standard_json_with_the_reason_for_a_null(tmp_path):
    _catalogue(tmp_path / "b", float("nan"))
    r = invoke("results", str(tmp_path / "b"), "--sql", "select metric, value, 1e308 * 10 as big from metrics",
               "--format", "json")
    assert r.exit_code == 0, r.output
    assert "NaN" not in r.output.replace('"NaN"', "") and "Infinity" not in r.output.replace('"Infinity"', "")
    rows = json.loads(r.output)
    assert rows[0]["value"] is None and rows[0]["not_finite"]["value"] == "NaN"
    assert rows[0]["big"] is None and rows[0]["not_finite"]["big"] == "Infinity"


def test_a_damaged_batch_task_file_is_computed_again_not_trusted(tmp_path):
    import copy

    from simulator.analysis.batch.folder import BatchFolder
    from simulator.analysis.batch.plan import pack, unpack
    from simulator.analysis.runs.table import Record

    rows = [Record("m", "all", "all", "all", 1.0), Record("n", "all", "all", "all", None)]
    with BatchFolder(tmp_path / "b", {"batch_id": "x", "name": "n"}) as f:
        f.write_task("t1", pack(rows))
        assert unpack(f.read_task("t1")) == rows
        good = json.loads((tmp_path / "b" / "tasks" / "t1.json").read_text())
        bad_values = []
        for v in (True, 1e308, "12"):
            d = copy.deepcopy(good)
            d["rows"]["blocks"][0][4][0] = v
            bad_values.append(json.dumps(d))
        for bad in (*bad_values, "[1, 2]", "{not json", json.dumps({**good, "task_id": "t2"})):
            (tmp_path / "b" / "tasks" / "t1.json").write_text(bad)
            assert unpack(f.read_task("t1")) is None, bad


@pytest.mark.parametrize("sql", ["copy (select 1) to 'OUT'", "select 1; copy (select 1) to 'OUT'",
                                 "export database 'OUT'", "attach 'OUT' as x"])
def test_results_sql_never_writes_a_file(tmp_path, sql):
    _catalogue(tmp_path / "b")
    out = tmp_path / "written"
    r = invoke("results", str(tmp_path / "b"), "--sql", sql.replace("OUT", str(out)))
    assert r.exit_code == 2 and "--sql" in r.output, r.output
    assert not out.exists()
