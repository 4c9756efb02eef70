"""Strict input (issue 27): no boolean where a number is meant and no number where a boolean is; a mistyped switch
name in `in_force:` gets a "did you mean"; a targets file with no rows or rows of the wrong width is refused;
special files are named as such; names a user types become safe file names; files sendsim did not write are kept."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.fit.la_scenario import slug
from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = (ROOT / "scenarios" / "small_la.yaml").read_text()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _errors(r) -> list[str]:
    return [ln for ln in r.output.splitlines() if ln.startswith("error:")]


def _scenario(tmp_path: Path, text: str) -> Path:
    if not (tmp_path / "rules").exists():
        (tmp_path / "rules").symlink_to(ROOT / "scenarios" / "rules")
    p = tmp_path / "sc.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(("pattern", "repl", "field", "allowed"), [
    (r"^seed: .*$", "seed: true", "seed", "a number, not true/false"),
    (r"refuse_to_assess_probability: [0-9.]+", "refuse_to_assess_probability: true", "refuse_to_assess_probability",
     "a number, not true/false"),
    (r"^replications: .*$", "replications: true", "replications", "a number, not true/false"),
    (r"^replications: .*$", 'replications: "5"', "replications", "a number, without quotes"),
])
def test_a_boolean_where_a_number_is_meant_is_refused(tmp_path, pattern, repl, field, allowed):
    text, n = re.subn(pattern, repl, SMALL, count=1, flags=re.M)
    assert n == 1
    p = _scenario(tmp_path, text)
    r = invoke("run", str(p), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2, r.output
    errs = _errors(r)
    assert len(errs) == 1 and str(p) in errs[0] and field in errs[0] and allowed in errs[0], r.output
    assert not (tmp_path / "out").exists()


def test_a_boolean_switch_value_on_a_number_is_refused(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "scenarios" / "rules", rules)
    gp = rules / "green_paper_2022.yaml"
    doc = yaml.safe_load(gp.read_text())
    sw = next(iter(doc["switches"].values()))
    ch = next(c for c in sw["changes"] if isinstance(c["value"], float) and not isinstance(c["value"], bool))
    ch["value"] = True
    gp.write_text(yaml.safe_dump(doc, sort_keys=False))
    p = tmp_path / "sc.yaml"
    p.write_text(SMALL)
    r = invoke("validate", str(p), "--rules", "green_paper_2022")
    assert r.exit_code == 2 and "a number, not true/false" in r.output, r.output


def test_a_mistyped_switch_in_in_force_gets_did_you_mean(tmp_path):
    p = _scenario(tmp_path, SMALL + "\nin_force:\n  mandatory_mediaton: start\n")
    r = invoke("validate", str(p))
    assert r.exit_code == 2
    errs = _errors(r)
    assert len(errs) == 1 and "in_force.mandatory_mediaton" in errs[0] and "did you mean mandatory_mediation" in \
        errs[0], r.output
    p = _scenario(tmp_path, SMALL + "\nin_force:\n  mandatory_mediation: start\n")
    assert invoke("validate", str(p)).exit_code == 0


def _targets(tmp_path: Path, rows: list[str]) -> Path:
    src = (ROOT / "scenarios" / "targets" / "small_la.csv").read_text().splitlines()
    header = next(ln for ln in src if ln and not ln.startswith("#"))
    p = tmp_path / "t.csv"
    p.write_text("\n".join([header, *rows]) + "\n")
    return p


@pytest.mark.parametrize(("rows", "says"), [
    ([], "a header and no targets"),
    (["initial_requests_for_assessment,2019,419.0,,5,relative,src,note,extra,extra2"], "10 fields under a header of 8"),
    (["initial_requests_for_assessment,2019,419.0"], "3 fields under a header of 8"),
])
def test_a_targets_file_with_no_rows_or_wrong_width_rows_is_refused(tmp_path, rows, says):
    p = _targets(tmp_path, rows)
    r = invoke("backtest", "small_la", "--targets", str(p))
    assert r.exit_code == 2, r.output
    assert says in r.output and str(p) in r.output, r.output


def test_special_files_are_named_as_such(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for f, what in ((fifo, "named pipe"), (Path("/dev/zero"), "device")):
        r = invoke("validate", str(f))
        assert r.exit_code == 2 and what in r.output and "not found" not in r.output, r.output


@pytest.mark.parametrize(("name", "expect"), [("日本語", r"council_[0-9a-f]{8}"), ("Ynys Môn", "ynys_mon"),
                                              ("Brighton & Hove", "brighton_hove"), ("x" * 200, "x" * 60)])
def test_any_display_name_gets_a_safe_file_name(name, expect):
    s = slug(name)
    assert re.fullmatch(expect, s), s
    assert re.fullmatch(r"[a-z0-9_]+", s) and len(s) <= 70


def test_la_scenario_keeps_a_non_ascii_name_for_display(tmp_path):
    r = invoke("la-scenario", "--name", "日本語", "--requests-per-year", "1000", "--refused-pct", "20",
               "--within-20-weeks-pct", "50", "--plans-in-force", "3000", "--no-calibrate", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    files = list(tmp_path.glob("*.yaml"))
    assert len(files) == 1 and re.fullmatch(r"council_[0-9a-f]{8}\.yaml", files[0].name)
    assert "日本語" in files[0].read_text()
    r = invoke("la-scenario", "--name", " ", "--requests-per-year", "1000", "--refused-pct", "20",
               "--within-20-weeks-pct", "50", "--plans-in-force", "3000", "--no-calibrate", "--out",
               str(tmp_path / "x"))
    assert r.exit_code == 2 and "--name" in r.output and not (tmp_path / "x").exists()


def test_calibrate_never_replaces_a_file_it_did_not_write(tmp_path):
    sc = tmp_path / "sc"
    shutil.copytree(ROOT / "scenarios" / "targets", sc / "targets")
    shutil.copy(ROOT / "scenarios" / "small_la.yaml", sc / "small_la.yaml")
    before = (sc / "small_la.yaml").read_bytes()
    r = invoke("calibrate", str(sc / "small_la.yaml"), "--stage", "joint", "--out", str(sc / "small_la.yaml"))
    assert r.exit_code == 2 and "--force" in r.output, r.output
    assert (sc / "small_la.yaml").read_bytes() == before
    mine = tmp_path / "mine.yaml"
    mine.write_text("my: notes\n")
    r = invoke("calibrate", str(sc / "small_la.yaml"), "--stage", "national", "--out", str(mine))
    assert r.exit_code == 2 and "sendsim did not write it" in r.output and mine.read_text() == "my: notes\n"


def test_calibrate_names_the_file_each_stage_needs(tmp_path):
    r = invoke("calibrate", "small_la", "--out", str(tmp_path))
    assert r.exit_code == 2
    errs = _errors(r)
    assert len(errs) == 1 and "small_la_by_la.csv" in errs[0] and "--stage all needs" in errs[0] \
        and "--stage national" in errs[0], r.output
    assert list(tmp_path.iterdir()) == []


def test_force_on_a_foreign_folder_with_a_manifest_keeps_every_file(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "manifest.json").write_text('{"name": "pwa"}')
    (app / "thesis.docx").write_text("x")
    for cmd in (["run", "small_la", "-n", "1", "--until", "2019-02-28"],
                ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "-n", "2",
                 "--until", "2019-02-28"],
                ["case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014", "-n", "1"]):
        r = invoke(*cmd, "--out", str(app), "--force")
        assert r.exit_code == 2, (cmd, r.output)
        assert len(_errors(r)) == 1
        assert sorted(p.name for p in app.iterdir()) == ["manifest.json", "thesis.docx"]
