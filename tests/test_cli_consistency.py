"""One command line: the same flags mean the same thing everywhere, and every exit code is the documented one.

Why: flags used to disagree across commands (`--runs` vs `--replications`, opposite `--events` defaults), some
commands had no `--json`, help summaries were cut with "...", `backtest` exited 0 with targets missed and
`la-scenario` silently replaced the shipped scenario. Each test states the contract and checks it by running the
command.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import SHORT_HELP, main

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"
ENGLAND = ROOT / "scenarios" / "england.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _commands() -> list[tuple[str, ...]]:
    out = []
    for name, cmd in main.commands.items():
        out.append((name,))
        for sub in getattr(cmd, "commands", {}):
            out.append((name, sub))
    return out


def test_help_summaries_are_whole_and_every_command_has_an_example():
    r = invoke("--help")
    assert r.exit_code == 0
    commands = r.output.split("Commands:", 1)[1].split("Examples:", 1)[0]
    listed = [ln for ln in commands.splitlines() if ln.strip()]
    assert "..." not in commands
    assert "Exit codes: 0 ok; 1" in r.output and "2 bad input" in r.output and "3 backtest" in r.output
    for path in _commands():
        h = invoke(*path, "--help")
        assert h.exit_code == 0, path
        assert "sendsim " + path[0] in h.output.split("Example", 1)[-1], f"{path}: no example"
        assert " ".join(path) in SHORT_HELP
    assert len(listed) >= len(main.commands)


@pytest.mark.parametrize("path", [("run",), ("compare",), ("case-study",), ("validate",), ("rules", "list"),
                                  ("rules", "show"), ("rules", "diff"), ("map",), ("backtest",), ("calibrate",),
                                  ("la-scenario",), ("bench",)])
def test_every_reporting_command_has_json_quiet_verbose(path: tuple[str, ...]):
    h = invoke(*path, "--help").output
    for flag in ("--json", "-q, --quiet", "-v, --verbose"):
        assert flag in h, (path, flag)


@pytest.mark.parametrize("path", [("run",), ("compare",), ("case-study",), ("backtest",)])
def test_replications_and_seed_are_named_alike(path: tuple[str, ...]):
    h = invoke(*path, "--help").output
    assert "-n, --replications" in h
    assert "--seed" in h and "default: the scenario's" in h.replace("\n", " ").replace("  ", " ")


@pytest.mark.parametrize("path", [("run",), ("compare",), ("backtest",), ("calibrate",)])
def test_workers_default_to_the_cpus(path: tuple[str, ...]):
    h = " ".join(invoke(*path, "--help").output.split())
    assert "--workers" in h and ("default: the CPUs" in h or "up to the CPUs" in h)


def test_events_flags_on_run_and_compare():
    for path in (("run",), ("compare",)):
        assert "--events / --no-events" in invoke(*path, "--help").output


def test_case_study_runs_is_an_alias_of_replications():
    a = invoke("case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014", "--runs", "3",
               "--seed", "2", "--json")
    b = invoke("case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014", "-n", "3",
               "--seed", "2", "--json")
    assert a.exit_code == b.exit_code == 0, a.output
    assert json.loads(a.stdout) == json.loads(b.stdout)
    assert json.loads(a.stdout)["runs"] == 3


def test_map_json_is_format_json():
    a = invoke("map", "--rules", "green_paper_2022", "--json")
    b = invoke("map", "--rules", "green_paper_2022", "--format", "json")
    assert a.exit_code == 0 and a.stdout == b.stdout


def test_validate_json(tmp_path: Path):
    r = invoke("validate", str(SMALL), "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["valid"] is True and doc["local_authorities"] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("seed: 42", "seed: -1"))
    r = invoke("validate", str(bad), "--json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["valid"] is False and len(doc["errors"]) == 1 and ":10: seed: got -1" in doc["errors"][0]


def test_rules_json_matches_the_tables():
    shown = json.loads(invoke("rules", "show", "current_2014", "--json").stdout)
    table = invoke("rules", "show", "current_2014").stdout
    assert len(shown["parameters"]) > 50
    assert all(p["parameter"] in table for p in shown["parameters"])
    listed = json.loads(invoke("rules", "list", "--json").stdout)
    assert {r["name"] for r in listed["rule_sets"]} >= {"current_2014", "green_paper_2022", "white_paper_2026"}
    assert "mandatory_mediation" in {s["name"] for s in listed["switches"]}
    diff = json.loads(invoke("rules", "diff", "current_2014", "current_2014+mandatory_mediation", "--json").stdout)
    assert [d["parameter"] for d in diff] == ["redress_ladder.mediation.exempt_appeal_types",
                                              "redress_ladder.mediation.mandatory"]


def test_progress_goes_to_stderr_and_quiet_silences_it(tmp_path: Path):
    r = CliRunner().invoke(main, ["run", str(SMALL), "-n", "1", "--workers", "1", "--no-events", "--json",
                                  "--out", str(tmp_path / "a")])
    assert r.exit_code == 0
    json.loads(r.stdout)  # stdout is the JSON alone
    assert "replication 1/1 done" in r.stderr
    q = CliRunner().invoke(main, ["run", str(SMALL), "-n", "1", "--workers", "1", "--no-events", "--json", "-q",
                                  "--out", str(tmp_path / "b")])
    assert q.exit_code == 0 and q.stderr == "" and json.loads(q.stdout) == json.loads(r.stdout)


def test_a_bad_rules_option_is_blamed_on_the_option_not_the_file():
    r = invoke("run", str(SMALL), "--rules", "green_papr_2022", "-n", "1")
    assert r.exit_code == 2
    (line,) = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert line.startswith("error: --rules: no rule set named 'green_papr_2022' (did you mean green_paper_2022")
    assert str(SMALL) not in line


@pytest.mark.parametrize("args,hint", [
    (("run", "smal_la", "-n", "1"), "did you mean small_la"),  # or small_la_from_2024
    (("case-study", "sam_autistc", "--rules", "current_2014"), "did you mean sam_autistic_mainstream_specialist?"),
    (("run", str(SMALL), "--rules", "current_2014+mandatory_mediaton"), "did you mean mandatory_mediation"),
    (("la-scenario", "--la", "Lincs", "--no-calibrate"), "did you mean Lincolnshire?"),
    (("la-scenario", "--la", "Wandswoth", "--no-calibrate"), "did you mean Wandsworth?"),
])
def test_did_you_mean(tmp_path: Path, args: tuple[str, ...], hint: str):
    r = CliRunner().invoke(main, [*args, *(["--out", str(tmp_path)] if args[0] == "la-scenario" else [])])
    assert r.exit_code == 2 and hint in r.output, r.output
    assert len([ln for ln in r.output.splitlines() if ln.startswith("error:")]) == 1
    assert len(r.output) < 800  # no list of 150 names


def test_backtest_exit_codes(tmp_path: Path):
    head = "metric,period,value,unit,tolerance,tolerance_kind,source,note\n"
    met = tmp_path / "met.csv"  # the January 2019 stock is the scenario's input: met exactly
    met.write_text(head + "plans_in_force_january,2019,2042,plans,1,relative,SEN2,\n")
    missed = tmp_path / "missed.csv"  # 419 requests in the scenario; 1 is missed whatever the draws
    missed.write_text(head + "initial_requests_for_assessment,2019,1,requests,1,relative,SEN2,\n")
    r = invoke("backtest", str(SMALL), "--targets", str(met), "-n", "1", "--workers", "1", "--json")
    assert r.exit_code == 0, r.output
    r = invoke("backtest", str(SMALL), "--targets", str(missed), "-n", "1", "--workers", "1", "--json")
    assert r.exit_code == 3 and json.loads(r.stdout)["within"] == 0
    assert "targets missed: 1 of 1" in r.stderr


def test_replication_warning():
    r = CliRunner().invoke(main, ["case-study", "nowhere_case", "--rules", "current_2014", "-n", "5000"])
    assert "warning: 5,000 replications (more than 1,000)" in r.stderr
    assert r.exit_code == 2  # and the bad case name is still refused
    r = CliRunner().invoke(main, ["case-study", "nowhere_case", "--rules", "current_2014", "-n", "1000000"])
    assert r.exit_code == 2 and "1<=x<=100000" in r.stderr  # beyond a scenario's bound: refused at once


def test_la_scenario_never_overwrites_nor_writes_into_the_package(tmp_path: Path):
    shipped = ROOT / "simulator" / "data" / "scenarios" / "small_la.yaml"
    before = shipped.read_bytes()
    r = invoke("la-scenario", "--name", "Small LA", "--requests-per-year", "400", "--refused-pct", "20",
               "--within-20-weeks-pct", "50", "--plans-in-force", "2000", "--no-calibrate", "--out",
               str(ROOT / "scenarios"))
    assert r.exit_code == 2 and "inside the installed sendsim package" in r.output
    assert shipped.read_bytes() == before
    r = invoke("la-scenario", "--la", "Wandsworth", "--england", str(ENGLAND), "--no-calibrate", "--out",
               str(tmp_path))
    assert r.exit_code == 0, r.output
    mine = tmp_path / "wandsworth.yaml"
    mine.write_text(mine.read_text() + "# my own notes\n")
    r = invoke("la-scenario", "--la", "Wandsworth", "--england", str(ENGLAND), "--no-calibrate", "--out",
               str(tmp_path))
    assert r.exit_code == 2 and "exists; refusing to overwrite" in r.output
    assert mine.read_text().endswith("# my own notes\n")
    r = invoke("la-scenario", "--la", "Wandsworth", "--england", str(ENGLAND), "--no-calibrate", "--out",
               str(tmp_path), "--force", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["scenario_file"] == str(mine)
    assert not mine.read_text().endswith("# my own notes\n")


@pytest.mark.parametrize("value", ["", "../../etc/passwd", "current_2014+", "current_2014++mandatory_mediation"])
def test_a_rules_value_that_is_not_a_name_is_bad_input(value: str):
    """An empty --rules used to fall back to the scenario's; a path used to be read as a rule-set file."""
    r = invoke("run", str(SMALL), "-n", "1", "--rules", value)
    assert r.exit_code == 2
    (line,) = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert line.startswith("error: --rules: ") and "is not a rule-set or switch name" in line


def test_workers_are_bounded():
    r = invoke("run", str(SMALL), "-n", "1", "--workers", "99999999")
    assert r.exit_code == 2 and "1<=x<=512" in r.output
