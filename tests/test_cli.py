"""The command line: bad input gets one line per problem naming file, line and field; exit 2; nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = (ROOT / "scenarios" / "small_la.yaml").read_text()


def bad(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SMALL
    (tmp_path / "rules").symlink_to(ROOT / "scenarios" / "rules")
    p = tmp_path / "bad.yaml"
    p.write_text(SMALL.replace(old, new, 1))
    return p


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def check_rejected(tmp_path: Path, path: Path, field: str, allowed: str):
    out = tmp_path / "out"
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(out)]):
        r = invoke(*cmd)
        assert r.exit_code == 2, r.output
        lines = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1, r.output
        assert str(path) in lines[0] and field in lines[0] and allowed in lines[0]
        assert not out.exists()


def test_typo_in_field_name(tmp_path):
    p = bad(tmp_path, "mediation_chosen_probability:", "mediation_chosen_probabilty:")
    r = invoke("validate", str(p))
    assert r.exit_code == 2
    text = r.output
    assert "unknown field 'mediation_chosen_probabilty'" in text and "allowed:" in text
    line = next(i for i, ln in enumerate(p.read_text().splitlines(), 1) if "mediation_chosen_probabilty:" in ln)
    assert "mediation_chosen_probability" in text and f"bad.yaml:{line}:" in text  # the line number of the typo


def test_negative_rate(tmp_path):
    p = bad(tmp_path, "requests_per_year: 419.0", "requests_per_year: -5")
    check_rejected(tmp_path, p, "requests_per_year", "greater than or equal to 0")


def test_probability_above_one(tmp_path):
    p = bad(tmp_path, "refuse_to_assess_probability: 0.1671", "refuse_to_assess_probability: 1.5")
    check_rejected(tmp_path, p, "refuse_to_assess_probability", "a fraction from 0 to 1")


def test_missing_file(tmp_path):
    r = invoke("run", str(tmp_path / "nowhere.yaml"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert r.output.strip() == f"error: {tmp_path / 'nowhere.yaml'}: file not found"
    assert not (tmp_path / "out").exists()


def test_unknown_rule_set(tmp_path):
    p = bad(tmp_path, "rules: current_2014", "rules: current_2041")
    check_rejected(tmp_path, p, "current_2041", "(did you mean current_2014?) (allowed: current_2014")


def test_every_error_at_once(tmp_path):
    p = bad(tmp_path, "seed: 42", "sed: 42")
    text = p.read_text().replace("refuse_to_assess_probability: 0.1671", "refuse_to_assess_probability: 2")
    p.write_text(text)
    r = invoke("validate", str(p))
    assert r.exit_code == 2
    assert len([ln for ln in r.output.splitlines() if ln.startswith("error:")]) == 2


def test_schema_is_json_schema():
    r = invoke("schema")
    assert r.exit_code == 0
    s = json.loads(r.output)
    assert s["additionalProperties"] is False and "local_authorities" in s["properties"]


def test_run_json_and_table(tmp_path):
    r = invoke("run", str(ROOT / "scenarios" / "small_la.yaml"), "-n", "2", "--seed", "3", "--json",
               "--no-events", "--out", str(tmp_path / "o"))
    assert r.exit_code == 0, r.output
    js = json.loads(r.output[r.output.index("{"):])
    w = js["metrics"]["within_20_weeks_pct"]
    assert w["n"] == 2 and w["ci95"][0] <= w["mean"] <= w["ci95"][1]
    assert (tmp_path / "o" / "manifest.json").is_file()
    assert not (tmp_path / "o" / "replications" / "rep-000" / "events.parquet").exists()


def test_console_script_installed():
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "validate" in r.stdout


def test_until_shortens_the_run_and_is_checked(tmp_path):
    r = invoke("run", str(ROOT / "scenarios" / "small_la.yaml"), "-n", "2", "--until", "2019-06-30", "--json",
               "--no-events", "--out", str(tmp_path / "u"))
    assert r.exit_code == 0, r.output
    js = json.loads(r.output[r.output.index("{"):])
    assert js["end_date"] == "2019-06-30"
    r = invoke("run", str(ROOT / "scenarios" / "small_la.yaml"), "--until", "2031-01-01", "--out",
               str(tmp_path / "v"))
    assert r.exit_code == 2 and "--until" in r.output and not (tmp_path / "v").exists()
