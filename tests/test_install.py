"""Installed as a wheel (not editable) and run from a folder outside the repository, sendsim finds its rule sets,
shipped scenarios and case studies by name, and writes only where it is told to."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("install")
    wheels = tmp / "wheels"
    # the compiled core without the optimiser's passes or debug symbols (CFLAGS come after Python's own -O3 -g, so
    # they win): a fifth of the compile time, and what this module checks (the wheel carries the extension modules,
    # the installed copy runs them) does not depend on them; the same sources compiled with -O3 are the editable
    # install's, and compiled runs write the pure ones' bytes (tests/test_accelerator.py)
    build_env = {**os.environ, "CFLAGS": f"{os.environ.get('CFLAGS', '')} -O0 -g0".strip()}
    # from a copy of the sources: pip builds in the tree it is given, and its unoptimised objects left in the
    # checkout's build/ were taken by the next `setup.py build_ext --inplace` as up to date (a -O0 core measured)
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "outputs", "*.so", "*.pyd", "*.c", "__pycache__", "*.egg-info", ".venv*", ".pytest_cache",
        ".ruff_cache"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                       capture_output=True, text=True, env=build_env)
    assert r.returncode == 0, r.stderr
    whl = next(wheels.glob("sendsim-*.whl"))
    site = tmp / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(whl)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}  # the wheel's copy first; its dependencies from this environment
    return whl, env


def sendsim(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd)


def test_the_wheel_carries_the_shipped_files(installed):
    whl, _env = installed
    names = set(zipfile.ZipFile(whl).namelist())
    for f in ("simulator/data/scenarios/rules/current_2014.yaml", "simulator/data/scenarios/small_la.yaml",
              "simulator/data/scenarios/england.yaml", "simulator/data/scenarios/targets/small_la.csv",
              "simulator/data/case_studies/sam_autistic_mainstream_specialist.yaml",
              "simulator/data/benchmarks/reference_network.yaml"):
        assert f in names, f


def test_installed_sendsim_works_by_name_from_any_folder(installed, tmp_path):
    _whl, env = installed
    where = sendsim(env, tmp_path, "--version")
    assert where.returncode == 0
    probe = subprocess.run([sys.executable, "-c", "import simulator; print(simulator.__file__)"], env=env,
                           cwd=tmp_path, capture_output=True, text=True)
    assert str(ROOT) not in probe.stdout  # the installed copy, not the repository's
    r = sendsim(env, tmp_path, "rules", "list")
    assert r.returncode == 0, r.stderr
    for name in ("current_2014", "green_paper_2022", "improvement_plan_2023", "white_paper_2026",
                 "mandatory_mediation", "tailored_lists"):
        assert name in r.stdout
    r = sendsim(env, tmp_path, "run", "small_la", "--replications", "1", "--out", "X", "--no-events")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "X" / "summary.json").is_file()
    r = sendsim(env, tmp_path, "case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014",
                "--rules", "green_paper_2022", "--runs", "5")
    assert r.returncode == 0, r.stderr
    assert "Weeks to final plan" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]  # nothing written but what was asked for
    r = sendsim(env, tmp_path, "run", "no_such_scenario")
    assert r.returncode == 2 and "no_such_scenario: file not found" in r.stderr


def test_the_wheel_carries_the_compiled_core(installed, tmp_path):
    """Where the compiled core builds (always in CI), the wheel holds its extension modules (accelerator.MODULES), and the installed
    sendsim runs them without a notice (an installed wheel is never taken for a stale build)."""
    from simulator.engine.core import accelerator as acc

    if acc.unusable() is not None and not os.environ.get("CI"):
        pytest.skip(f"no compiled core here: {acc.unusable()}")
    whl, env = installed
    names = zipfile.ZipFile(whl).namelist()
    for m in acc.MODULES:
        stem = m.replace(".", "/") + "."
        assert any(n.startswith(stem) and n.endswith((".so", ".pyd")) for n in names), m
    probe = subprocess.run([sys.executable, "-c", "import simulator.engine.core.accelerator as a, simulator.engine.bench as b;"
                            " print(b.__file__, a.compiled())"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert probe.returncode == 0 and probe.stderr == "", probe.stderr
    where, compiled = probe.stdout.split()
    assert str(ROOT) not in where and compiled == "True"
