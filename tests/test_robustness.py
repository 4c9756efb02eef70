"""The run folder under interruption and concurrency: real signals, two runs at once, damaged files, a full disk.

Why real processes: an interrupted run used to be tested by deleting a file; what breaks in practice is a signal to a
process with workers (orphans that keep writing) and two processes writing one folder (mixed seeds). Each test here
starts `sendsim` as a user would and checks the folder and the processes afterwards.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"
SENDSIM = [sys.executable, "-m", "simulator.cli"]


def _run_args(out: Path, n: int, seed: int, workers: int = 2, *extra: str) -> list[str]:
    return ["run", str(SMALL), "-n", str(n), "--seed", str(seed), "--workers", str(workers), "--no-events",
            "--out", str(out), *extra]


def _start(args: list[str]) -> subprocess.Popen:
    """sendsim in a session of its own (so its process group can be inspected and signalled), at a lower priority
    than the test: on a busy 2-core machine a run of small replications (0.1-0.3 s each) could otherwise finish
    before the test, starved of the CPU by the run's own workers, sees its third replication and signals it."""
    return subprocess.Popen([*SENDSIM, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_child_setup)


def _child_setup() -> None:
    """In the child before exec: a lower priority, and Ctrl-C's default action. A test run in the background of a
    shell without job control inherits SIGINT ignored, and so would sendsim (Python keeps an ignored SIGINT): the
    run would then not be a Ctrl-C'd run at all."""
    os.nice(10)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _group_alive(pgid: int) -> list[int]:
    """Pids still alive in a process group (zombies excluded)."""
    alive = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(d.name))
    return alive


def _wait_for_reps(out: Path, k: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    t = time.time()
    while time.time() - t < timeout:
        if len(list((out / "replications").glob("rep-[0-9][0-9][0-9]/metrics.json"))) >= k:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no replication finished in time")


_CLEAN: dict[tuple[int, int], bytes] = {}


def _clean_summary(tmp: Path, n: int, seed: int) -> bytes:
    """The uninterrupted one-worker run's summary, computed once per (n, seed) for the module: the three signals'
    tests compare against the same clean run (each cost 10-12 s of a 2-core CI)."""
    if (n, seed) not in _CLEAN:
        out = tmp / f"clean-{seed}-{n}"
        r = CliRunner().invoke(main, _run_args(out, n, seed, 1))
        assert r.exit_code == 0, r.output
        _CLEAN[(n, seed)] = (out / "summary.json").read_bytes()
    return _CLEAN[(n, seed)]


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL, signal.SIGTERM], ids=["SIGINT", "SIGKILL", "SIGTERM"])
def test_signal_with_two_workers_leaves_no_process_and_resume_is_identical(tmp_path: Path, sig: signal.Signals):
    # 30 replications: the signal comes after the third, so 27 (over 1.3 s of the run's two workers at 0.1 s each)
    # are still to do when the test, at a higher priority and looking every 0.05 s, sends it
    n, seed = 30, 13
    out = tmp_path / "run"
    proc = _start(_run_args(out, n, seed))
    pgid = proc.pid
    try:
        _wait_for_reps(out, 3, proc)
        if sig == signal.SIGINT:
            os.killpg(pgid, sig)  # Ctrl-C reaches the whole process group
        else:
            os.kill(proc.pid, sig)  # the parent alone: the workers must notice and die
        deadline = time.time() + 10
        while _group_alive(pgid) and time.time() < deadline:
            time.sleep(0.1)
        left = _group_alive(pgid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # a failing test leaves no process behind either
    assert left == [], "workers outlived their parent"
    _stdout, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr
    if sig != signal.SIGKILL:
        assert proc.returncode == 128 + sig, stderr
        assert "resume with: sendsim run" in stderr and "--resume" in stderr
    assert not (out / "summary.json").exists()
    # complete replications only: a killed worker can leave `rep-NNN.partial/metrics.json` (written, not yet moved in
    # place), which the resume rightly does not count (this glob once matched it and the test failed now and then)
    done = len(list((out / "replications").glob("rep-[0-9][0-9][0-9]/metrics.json")))
    assert 3 <= done < n
    # the folder is refused without --resume, and resuming completes it to the clean run's bytes
    r = CliRunner().invoke(main, _run_args(out, n, seed))
    assert r.exit_code == 2 and "--resume" in r.output
    r = CliRunner().invoke(main, _run_args(out, n, seed, 2, "--resume"))
    assert r.exit_code == 0, r.output
    assert f"resuming: {done} of {n}" in r.output
    assert (out / "summary.json").read_bytes() == _clean_summary(tmp_path, n, seed)
    assert not list(out.rglob("*.tmp")) and not list(out.rglob("*.partial"))


def test_two_concurrent_runs_into_one_folder(tmp_path: Path):
    """Seed 7 and seed 8 started together: one writes the folder, the other is refused in one line; the folder
    holds exactly the clean run of the winner's seed."""
    out = tmp_path / "shared"
    a = _start(_run_args(out, 20, 7))
    b = _start(_run_args(out, 20, 8))
    ra, rb = a.communicate(timeout=120), b.communicate(timeout=120)
    codes = sorted([a.returncode, b.returncode])
    assert codes == [0, 2], (ra, rb)
    loser = ra if a.returncode == 2 else rb
    assert "Traceback" not in loser[1] + ra[1] + rb[1]
    errors = [ln for ln in loser[1].splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and ("another sendsim run" in errors[0] or "already holds a run" in errors[0])
    seed = 7 if a.returncode == 0 else 8
    assert (out / "summary.json").read_bytes() == _clean_summary(tmp_path, 20, seed)
    seeds = {json.loads(f.read_text())["run"]["seed"] for f in out.glob("replications/*/metrics.json")}
    assert seeds == {seed}


def test_locked_folder_is_refused_in_one_line(tmp_path: Path):
    from simulator.analysis.runs.rundir import RunFolder

    out = tmp_path / "locked"
    with RunFolder(out, {}).open():
        r = CliRunner().invoke(main, _run_args(out, 1, 1, 1))
    assert r.exit_code == 2
    assert [ln for ln in r.output.splitlines() if ln.startswith("error")] == [
        f"error: --out: {out} is being written by another sendsim run (pid {os.getpid()}); wait for it to finish "
        "or choose another --out"]
    assert not (out / "manifest.json").exists()


def test_resume_ignores_replications_of_another_run_and_damaged_ones(tmp_path: Path):
    out = tmp_path / "run"
    assert CliRunner().invoke(main, _run_args(out, 3, 5, 1)).exit_code == 0
    m0 = out / "replications" / "rep-000" / "metrics.json"
    doc = json.loads(m0.read_text())
    doc["run"]["seed"] = 6  # a replication of another run (what concurrent runs used to leave)
    doc["metrics"]["requests"] = 1.0
    m0.write_text(json.dumps(doc))
    (out / "replications" / "rep-001" / "metrics.json").write_text('{"metrics": {"requ')  # truncated
    (out / "summary.json").unlink()
    r = CliRunner().invoke(main, _run_args(out, 3, 5, 1, "--resume"))
    assert r.exit_code == 0, r.output
    assert "not reused (damaged or of another run): rep-000, rep-001" in r.output
    assert "resuming: 1 of 3" in r.output
    assert (out / "summary.json").read_bytes() == _clean_summary(tmp_path, 3, 5)


def test_resume_of_another_run_and_damaged_manifest_are_refused(tmp_path: Path):
    out = tmp_path / "run"
    assert CliRunner().invoke(main, _run_args(out, 2, 5, 1)).exit_code == 0
    r = CliRunner().invoke(main, _run_args(out, 2, 9, 1, "--resume"))
    assert r.exit_code == 2 and "holds another run (seed 5 there, 9 now)" in r.output
    (out / ".sendsim-folder.json").write_text('{"scen')  # the marker holds the run's identity
    r = CliRunner().invoke(main, _run_args(out, 2, 5, 1, "--resume"))
    assert r.exit_code == 2 and "not a readable sendsim folder marker" in r.output and "Traceback" not in r.output
    (out / ".sendsim-folder.json").unlink()
    r = CliRunner().invoke(main, _run_args(out, 2, 5, 1, "--force"))  # no marker: read as format 0, never deleted
    assert r.exit_code == 2 and "before folders carried a marker (format 0)" in r.output
    from simulator.analysis.runs.folder import write_marker

    write_marker(out, "run", {})
    r = CliRunner().invoke(main, _run_args(out, 2, 9, 1, "--force"))
    assert r.exit_code == 0, r.output
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9


def test_force_never_deletes_a_folder_that_is_not_a_run(tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    for extra in ((), ("--force",), ("--resume",)):
        r = CliRunner().invoke(main, _run_args(out, 1, 1, 1, *extra))
        assert r.exit_code == 2, r.output
    assert (out / "thesis.docx").read_text() == "precious"


@pytest.mark.parametrize("lookalike", ["manifest.json", "replications"])
def test_force_never_deletes_a_folder_that_only_looks_like_a_run(tmp_path: Path, lookalike: str):
    """A web app's folder with its own manifest.json (or any folder with a replications/ folder) is not sendsim's:
    without sendsim's marker, --force and --resume refuse in one line and every file stays."""
    out = tmp_path / "app"
    out.mkdir()
    if lookalike == "manifest.json":
        (out / "manifest.json").write_text('{"name": "pwa"}')
    else:
        (out / "replications").mkdir()
    (out / "thesis.docx").write_text("precious")
    before = sorted(p.name for p in out.iterdir())
    for extra in (("--force",), ("--resume",)):
        r = CliRunner().invoke(main, _run_args(out, 1, 1, 1, *extra))
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        assert len([ln for ln in r.output.splitlines() if ln.startswith("error:")]) == 1
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "thesis.docx").read_text() == "precious"


def test_compare_into_a_run_folder_is_refused_and_its_marker_names_its_kind(tmp_path: Path):
    out = tmp_path / "run"
    assert CliRunner().invoke(main, _run_args(out, 1, 1, 1)).exit_code == 0
    marker = json.loads((out / ".sendsim-folder.json").read_text())
    assert marker["sendsim_folder"] == "run" and marker["format"] == 1 and marker["identity"]["seed"] == 1
    r = CliRunner().invoke(main, ["compare", str(SMALL), "--rules", "current_2014", "--rules", "current_2014",
                                  "-n", "2", "--until", "2019-01-31", "--out", str(out), "--force"])
    assert r.exit_code == 2 and "holds a run written by sendsim, not a comparison" in r.output, r.output
    assert (out / "summary.json").is_file()


def test_a_marker_of_a_newer_format_is_refused_naming_its_version(tmp_path: Path):
    from simulator.analysis.runs.folder import MARKER

    out = tmp_path / "run"
    out.mkdir()
    (out / MARKER).write_text(json.dumps({"sendsim_folder": "run", "format": 99, "written_by": "sendsim 9.0.0",
                                          "identity": {}}))
    r = CliRunner().invoke(main, _run_args(out, 1, 1, 1, "--force"))
    assert r.exit_code == 2 and "format 99 written by sendsim 9.0.0" in r.output, r.output


def test_out_that_is_a_file_or_empty_is_bad_input(tmp_path: Path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    for out, what in ((str(f), "is a file"), ("", "an empty name"), (str(f / "sub"), "is a file")):
        r = CliRunner().invoke(main, ["run", str(SMALL), "-n", "1", "--out", out])
        assert r.exit_code == 2, r.output
        assert what in r.output and "Traceback" not in r.output
    assert f.read_text() == "x"


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_disk_full_permission_read_only_are_one_line_exit_1(tmp_path: Path, monkeypatch, err: int):
    """The environment fails while writing: one line, exit 1, no temporary file left."""
    import simulator.analysis.runs.folder as folder

    real = os.replace

    def failing(src, dst):
        if str(dst).endswith("summary.json"):
            raise OSError(err, os.strerror(err), str(dst))
        return real(src, dst)

    monkeypatch.setattr(folder.os, "replace", failing)
    out = tmp_path / "run"
    r = CliRunner().invoke(main, _run_args(out, 1, 1, 1))
    assert r.exit_code == 1, r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and os.strerror(err) in lines[0] and "summary.json" in lines[0]
    assert "Traceback" not in r.output
    assert not list(out.rglob("*.tmp"))


def test_a_long_scenario_name_gets_a_default_folder_the_file_system_accepts(tmp_path: Path):
    import yaml

    doc = yaml.safe_load(SMALL.read_text())
    doc["name"] = "x" * 300
    (tmp_path / "rules").symlink_to(ROOT / "scenarios" / "rules")
    p = tmp_path / "long.yaml"
    p.write_text(yaml.safe_dump(doc))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(main, ["run", str(p), "-n", "1", "--workers", "1", "--no-events"])
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    (folder,) = (tmp_path / "outputs").iterdir()
    assert len(folder.name) < 200 and (folder / "summary.json").is_file()


def test_an_interrupted_extension_leaves_no_stale_summary(tmp_path: Path, monkeypatch):
    """Extending a finished run (more replications, --resume) and stopping it: the old summary.json is gone (it
    would describe fewer replications than the new manifest), and resuming gives the clean run's bytes."""
    import simulator.analysis.runs.run as run_mod

    out = tmp_path / "run"
    assert CliRunner().invoke(main, _run_args(out, 2, 5, 1)).exit_code == 0
    real = run_mod.map_shared

    def stops_after_one(fn, shared, jobs, workers=1):
        it = real(fn, shared, jobs, workers)
        yield next(it)
        it.close()
        raise KeyboardInterrupt

    monkeypatch.setattr(run_mod, "map_shared", stops_after_one)
    r = CliRunner().invoke(main, _run_args(out, 4, 5, 1, "--resume"))
    assert r.exit_code == 130 and "Traceback" not in r.output
    hint = r.output.split("resume with: ", 1)[1].strip()
    assert hint == "sendsim " + " ".join([*_run_args(out, 4, 5, 1), "--resume"])
    assert not (out / "summary.json").exists()
    assert json.loads((out / "manifest.json").read_text())["replications"] == 4
    monkeypatch.setattr(run_mod, "map_shared", real)
    r = CliRunner().invoke(main, _run_args(out, 4, 5, 1, "--resume"))
    assert r.exit_code == 0 and "resuming: 3 of 4" in r.output
    assert (out / "summary.json").read_bytes() == _clean_summary(tmp_path, 4, 5)


def test_sigkill_of_a_batch_leaves_no_worker_behind(tmp_path: Path):
    """`batch --workers 2` killed with SIGKILL (its workers get no signal): both workers are gone within 10 s,
    because every local pool's workers watch their parent (the one executor, `runs.runner._worker_pool`)."""
    import yaml

    sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    sweep.update(name="long_for_kill", replications=40)
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(sweep))
    proc = subprocess.Popen([*SENDSIM, "batch", str(tmp_path / "long.yaml"), "--workers", "2", "--out",
                             str(tmp_path / "b")], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        kids: list[int] = []
        while time.time() < deadline and len(kids) < 2:
            time.sleep(0.2)
            kids = [p for p in _group_alive(proc.pid) if p != proc.pid]
        assert len(kids) >= 2, "the batch never started its two workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 10
        while [k for k in kids if Path(f"/proc/{k}").exists() and _group_alive(proc.pid)] and time.time() < deadline:
            time.sleep(0.1)
        left = [k for k in _group_alive(proc.pid)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert left == [], f"batch workers outlived their parent: {left}"
