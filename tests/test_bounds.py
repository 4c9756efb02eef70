"""Bounds (issue 27): a flag is bounded like the file field it overrides; a sweep design's size is checked before a
point is sampled; a benchmark network is bounded like a scenario. Each refusal is exit 2 in one line, nothing
written, at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("cmd", [
    ["run", "small_la", "-n", "1000000000000"],
    ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "-n", "1000000000000"],
    ["backtest", "small_la", "-n", "1000000000000"],
    ["case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014", "-n", "1000000000000"],
])
def test_absurd_replications_exit_2_at_once_and_write_nothing(tmp_path, cmd):
    t0 = time.time()
    r = invoke(*cmd, "--out", str(tmp_path / "out")) if cmd[0] in ("run", "compare") else invoke(*cmd)
    assert r.exit_code == 2, r.output
    assert time.time() - t0 < 10
    assert "100000" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def _sweep(tmp_path: Path, design: dict, replications: int = 2, rules: list[str] | None = None) -> Path:
    p = tmp_path / "sw.yaml"
    p.write_text(yaml.safe_dump({"name": "big", "scenario": "small_la", "until": "2019-12-31",
                                 "rules": rules or ["current_2014"], "replications": replications,
                                 "design": design, "parameters": "all"}))
    return p


@pytest.mark.parametrize(("design", "reps", "says"), [
    ({"kind": "sobol", "samples": 65536}, 2, "lower design.samples to"),
    ({"kind": "grid", "levels": 50}, 2, "points (allowed: at most 100,000"),
    # 800 trajectories x (about 104 parameters + 1) stays under 100,000 points; x 20 replications passes 1,000,000 tasks
    ({"kind": "morris", "trajectories": 800, "morris_levels": 4}, 20, "tasks (allowed: at most 1,000,000; lower design.trajectories"),
    ({"kind": "lhs", "samples": 65536}, 1000, "tasks (allowed: at most 1,000,000; lower design.samples or"),
])
def test_every_design_is_sized_before_sampling(tmp_path, design, reps, says):
    p = _sweep(tmp_path, design, reps)
    t0 = time.time()
    r = invoke("batch", str(p), "--out", str(tmp_path / "b"))
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {p}:") and says in lines[0], r.output
    assert time.time() - t0 < 20
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(("old", "new", "says"), [
    ("arrival_rate: 10.0 ", "arrival_rate: 1.0e308", "arrival_rate"),
    ("{servers: 2, mean_service: 2.1333", "{servers: 1000000000, mean_service: 2.1333", "servers"),
    ("mean_service: 0.32,", "mean_service: 1.0e300,", "mean_service"),
    ("routes: {exit: 1.0}}", "routes: {exit: 0.000001, tribunal: 0.999999}}", "visits this stage"),
])
def test_bench_networks_are_bounded(tmp_path, old, new, says):
    src = (ROOT / "benchmarks" / "reference_network.yaml").read_text()
    assert old in src
    p = tmp_path / "net.yaml"
    p.write_text(src.replace(old, new, 1))
    r = invoke("bench", str(p), "--children", "100")
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "allowed" in lines[0], r.output
    r = invoke("bench", str(ROOT / "benchmarks" / "reference_network.yaml"), "--children", "10000000000")
    assert r.exit_code == 2 and "--children" in r.output


@pytest.mark.parametrize("cmd", [
    ["bench", "benchmarks/reference_network.yaml", "--warmup", "nan"],
    ["batch", "scenarios/sweeps/mediation_settle_rates.yaml", "--workers", "100000"],
    ["serve", "--workers", "100000"],
    ["backtest", "small_la", "--seed", str(2**70)],
])
def test_number_flags_refuse_nan_inf_and_absurd_values(cmd, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = invoke(*cmd)
    assert r.exit_code == 2 and "Invalid value" in r.output, r.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("flag", "value"), [("--eps", "nan"), ("--eps", "inf"), ("--requests-per-year", "inf"),
                                             ("--refused-pct", "nan")])
def test_la_scenario_figures_refuse_nan_and_inf_in_one_line(tmp_path, flag, value):
    args = {"--requests-per-year": "100", "--refused-pct": "10", "--within-20-weeks-pct": "50",
            "--plans-in-force": "10", flag: value}
    r = invoke("la-scenario", "--name", "x", *[x for kv in args.items() for x in kv], "--no-calibrate", "--out",
               str(tmp_path / "o"))
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}: {value}") and "out of range" in lines[0], r.output
    assert not (tmp_path / "o").exists()
