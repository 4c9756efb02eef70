"""Signals on a batch (issue 27): SIGTERM exits 143 on local processes and on Dask, and the message is the exact
command that resumes; SIGKILL of a Dask batch leaves no process behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.test_robustness import _group_alive

ROOT = Path(__file__).resolve().parent.parent
SENDSIM = [sys.executable, "-m", "simulator.cli"]


def _long_sweep(tmp_path: Path) -> Path:
    sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    sweep.update(name="long_for_signals", replications=40)
    p = tmp_path / "long.yaml"
    p.write_text(yaml.safe_dump(sweep))
    return p


def _wait_for(proc: subprocess.Popen, text: str, timeout: float = 60) -> str:
    seen, deadline = "", time.time() + timeout
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if text in line or not line:
            return seen
    return seen


@pytest.mark.parametrize("executor", [["--workers", "2"], ["--dask", "local"]], ids=["local", "dask"])
def test_sigterm_of_a_batch_exits_143_with_the_command_that_resumes(tmp_path, executor):
    sweep, out = _long_sweep(tmp_path), tmp_path / "b"
    args = ["batch", str(sweep), *executor, "--out", str(out)]
    proc = subprocess.Popen([*SENDSIM, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        _wait_for(proc, "tasks to run")
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)  # a batch that hangs after SIGTERM fails here, never hangs the suite
        rc = proc.returncode
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert rc == 143, err
    assert "Traceback" not in err
    hint = err.split("resume with: ", 1)[1].strip()
    assert hint == "sendsim " + " ".join([*args, "--resume"])


def test_sigkill_of_a_dask_batch_leaves_no_process_behind(tmp_path):
    sweep = _long_sweep(tmp_path)
    proc = subprocess.Popen([*SENDSIM, "batch", str(sweep), "--dask", "local", "--out", str(tmp_path / "b")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _wait_for(proc, "tasks to run")
        time.sleep(1.5)
        assert len(_group_alive(proc.pid)) > 1, "the Dask cluster never started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 10
        while _group_alive(proc.pid) and time.time() < deadline:
            time.sleep(0.2)
        left = _group_alive(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert left == [], f"Dask processes outlived their parent: {left}"
