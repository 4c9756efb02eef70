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


@pytest.mark.parametrize(("kind", "signals"), [("scenario", 1), ("case_study", 1), ("scenario", 3)])
def test_sigterm_of_schema_blocked_on_a_full_pipe_exits_143_in_one_line(kind, signals):
    """`sendsim schema` writing into a pipe nobody reads (made 4 KB, smaller than any schema) and sent SIGTERM while
    blocked: exit 143, the one interruption line on stderr, no traceback, and the process gone (not killed by the
    signal, -15, nor held by a flush into the full pipe), also when SIGTERM comes three times."""
    import fcntl
    import struct
    import termios

    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ (Linux): a pipe of one page
    proc = subprocess.Popen([*SENDSIM, "schema", "--kind", kind], stdout=w, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    os.close(w)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:  # blocked: the page is full and the process still runs
            time.sleep(0.2)
            waiting = struct.unpack("i", fcntl.ioctl(r, termios.FIONREAD, b"\0\0\0\0"))[0]
            if waiting >= 4096 or proc.poll() is not None:
                break
        time.sleep(0.5)
        assert proc.poll() is None, "the schema fitted the pipe: nothing blocked"
        for _ in range(signals):  # a second SIGTERM while it leaves (a supervisor repeating itself) changes nothing
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.005)
        rc = proc.wait(timeout=30)
        err = proc.stderr.read()
    finally:
        os.close(r)
        if proc.poll() is None:
            proc.kill()
    assert rc == 143
    assert err.strip() == "interrupted (SIGTERM): nothing was kept; run the same command again"
    assert "Traceback" not in err
