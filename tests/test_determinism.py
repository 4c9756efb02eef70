"""Same scenario and seed: the same results, byte for byte, whatever the engine or number of workers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq

from simulator.analysis.runs.run import run
from simulator.rules.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_same_seed_same_summary_bytes_any_workers(tmp_path):
    loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml")
    run(loaded, replications=3, seed=11, out_dir=tmp_path / "a", workers=1)
    run(loaded, replications=3, seed=11, out_dir=tmp_path / "b", workers=2)
    a = (tmp_path / "a" / "summary.json").read_bytes()
    b = (tmp_path / "b" / "summary.json").read_bytes()
    assert a == b
    ja = pq.read_table(tmp_path / "a" / "replications" / "rep-002" / "journeys.parquet")
    jb = pq.read_table(tmp_path / "b" / "replications" / "rep-002" / "journeys.parquet")
    assert ja.equals(jb)


def test_different_seed_different_results(tmp_path):
    loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml")
    a = run(loaded, replications=2, seed=1).summary["metrics"]["requests"]["mean"]
    b = run(loaded, replications=2, seed=2).summary["metrics"]["requests"]["mean"]
    assert a != b


def test_simpy_reference_and_heap_engine_agree(tmp_path):
    """The SimPy driver and the lean heap loop run the same journey code to the same event log."""
    loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml")
    run(loaded, replications=1, seed=5, out_dir=tmp_path / "heap", engine="heap")
    run(loaded, replications=1, seed=5, out_dir=tmp_path / "simpy", engine="simpy")
    eh = pq.read_table(tmp_path / "heap" / "replications" / "rep-000" / "events.parquet")
    es = pq.read_table(tmp_path / "simpy" / "replications" / "rep-000" / "events.parquet")
    assert eh.num_rows > 5000
    assert eh.equals(es)
    mh = json.loads((tmp_path / "heap" / "summary.json").read_text())
    ms = json.loads((tmp_path / "simpy" / "summary.json").read_text())
    assert mh["metrics"] == ms["metrics"]


def test_resume_reruns_only_a_replication_without_metrics(tmp_path):
    """A replication folder without its metrics.json (written last) is incomplete: resume runs it again and keeps
    the others. (The real interruption, by signals, is in test_robustness.py.)"""
    loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml")
    out = tmp_path / "run"
    full = run(loaded, replications=3, seed=4, out_dir=out)
    rep2 = out / "replications" / "rep-002"
    (rep2 / "metrics.json").unlink()
    marker = out / "replications" / "rep-000" / "journeys.parquet"
    before = marker.stat().st_mtime_ns
    lines: list[str] = []
    again = run(loaded, replications=3, seed=4, out_dir=out, progress=lines.append, resume=True)
    assert marker.stat().st_mtime_ns == before  # replication 0 was not run again
    assert any("resuming: 2 of 3" in x for x in lines)
    assert again.summary == full.summary


def test_bulk_draws_are_the_keyed_draws():
    """uniform_array and Draw.prefetch give exactly the numbers Draw computes one by one (speed only)."""
    import numpy as np

    from simulator.engine.core.streams import Draw, Streams, uniform_array

    s = Streams(3, 1)
    ids = np.array([0, 1, 99, 100, 4999, 2**40], dtype=np.int64)
    for name in ("panel", "naming", "review_outcome"):
        ref, fast = Draw(s, name), Draw(s, name)
        for o in (0, 1, 7):
            assert uniform_array(ref, ids, o).tolist() == [ref.u(int(i), o) for i in ids]
        # compiled, int64 ids take one C loop and other arrays numpy's passes: the same numbers either way, for ids
        # below zero or near 2**63 (both wrap), a strided view, ids of another integer type and an empty array
        odd = np.array([-7, -1, 2**63 - 1, -(2**63), 12345], dtype=np.int64)
        assert uniform_array(ref, odd, 3).tolist() == [ref.u(int(i), 3) for i in odd]
        assert uniform_array(ref, ids[::2], 2).tolist() == [ref.u(int(i), 2) for i in ids[::2]]
        assert uniform_array(ref, ids[:5].astype(np.int32), 1).tolist() == uniform_array(ref, ids[:5], 1).tolist()
        assert uniform_array(ref, ids[:0], 0).dtype == np.float64 and len(uniform_array(ref, ids[:0], 0)) == 0
        fast.prefetch(100, 5000, occurrences=2)
        for c in (0, 99, 100, 101, 2500, 4999, 5000):
            assert [fast.u(c, o) for o in range(4)] == [ref.u(c, o) for o in range(4)]
            assert fast.gamma2(3.0, c, 0) == ref.gamma2(3.0, c, 0) and fast.gamma2(3.0, c, 1) == ref.gamma2(3.0, c, 1)


def test_a_comparison_runs_every_rule_set_in_one_pool_with_the_files_of_runs_alone(tmp_path, monkeypatch):
    """2 rule sets x 3 replications on 2 workers: one pool of 2 for the 6 replications (run one rule set after the
    other, the odd replication of each left a core idle: 4 rounds instead of 3), and each rule set's files are
    those of that rule set run alone on one worker."""
    from simulator.analysis.runs import runner
    from simulator.analysis.runs.compare import compare_runs

    pools: list[int] = []
    real = runner._worker_pool

    def counted(workers, shared):
        pools.append(workers)
        return real(workers, shared)

    monkeypatch.setattr(runner, "_worker_pool", counted)
    scen = ROOT / "scenarios" / "small_la.yaml"
    rules = ["current_2014", "green_paper_2022"]
    c = compare_runs(scen, rules, replications=3, seed=5, out_dir=tmp_path / "cmp", workers=2,
                     until=dt.date(2019, 6, 30))
    assert pools == [2]
    for i, r in enumerate(rules, start=1):
        run(load_scenario(scen, r, dt.date(2019, 6, 30)), replications=3, seed=5,
            out_dir=tmp_path / f"alone-{r}", workers=1, events=False)
        folder = tmp_path / "cmp" / f"{i}-{c.loaded[i - 1].law.name}"
        assert (folder / "summary.json").read_bytes() == (tmp_path / f"alone-{r}" / "summary.json").read_bytes()
        for rep in range(3):
            name = f"rep-{rep:03d}"
            assert (folder / "replications" / name / "journeys.parquet").read_bytes() == \
                (tmp_path / f"alone-{r}" / "replications" / name / "journeys.parquet").read_bytes()


def test_bulk_logs_and_powers_are_the_c_librarys_on_any_cpu():
    """The bulk draws take the C library's log and pow (math.log's, and Python's float power), never numpy's
    vector code, which on an AVX-512 machine differs in the last bit for a fraction of values: the bulk draws
    must equal the one-by-one draws they stand for (`draw_plan_move`, `_review_decision`), on every machine."""
    import math

    import numpy as np

    from simulator.engine.core.streams import Draw, Streams, log_array, uniform_array
    from simulator.engine.model.route.review_windows import AGE_EDGES, cease_probabilities

    u = uniform_array(Draw(Streams(11, 1), "plan_move"), np.arange(200_000, dtype=np.int64))
    got = log_array(u)
    assert got.dtype == np.float64 and got.tolist() == [math.log(x) for x in u.tolist()]
    assert log_array(u[::3]).tolist() == [math.log(x) for x in u[::3].tolist()]  # a strided view
    assert log_array(u[:0]).shape == (0,)
    # a yearly chance of ceasing spread over a 6-month cycle under 5 (1 - (1 - p) ** 0.5), as reviews.py takes it
    bands = np.array([0.013, 0.021, 0.037, 0.055, 0.24, 0.31, 0.45][: len(AGE_EDGES) + 1])
    age = np.linspace(0.0, 25.0, 5_001)
    p = cease_probabilities(age, bands, 0.5)
    band = np.searchsorted(AGE_EDGES, age, side="right")
    yearly = bands.tolist()
    want = [1.0 - (1.0 - yearly[b]) ** 0.5 if a < 5.0 else yearly[b]
            for a, b in zip(age.tolist(), band.tolist(), strict=True)]
    assert p.tolist() == want
    # by hand: half a year's share of a 1.3% yearly chance, 1 - sqrt(0.987) = 0.65213%
    assert abs(p[0] - (1.0 - math.sqrt(1.0 - 0.013))) < 1e-15 and abs(p[0] - 0.0065213) < 1e-7


_ONE_RUN = r"""
import hashlib, sys, tempfile
from pathlib import Path
from simulator.analysis.runs.run import run_replication
from simulator.rules.scenario import load_scenario
with tempfile.TemporaryDirectory() as d:
    run_replication(load_scenario(sys.argv[1]), 5, 0, rep_dir=Path(d), events=True)
    print(" ".join(f"{f.name}:{hashlib.sha256(f.read_bytes()).hexdigest()}" for f in sorted(Path(d).iterdir())))
"""


def test_same_results_whatever_the_cpus_vector_instructions():
    """A small authority over 2024-2035 (its stock's moves and late reviews drawn in bulk) gives the same bytes
    with numpy's vector code on and with it switched off (`NPY_DISABLE_CPU_FEATURES`): results do not depend on
    the machine. On a machine without AVX-512 the two runs are trivially the same; on one with it, this run's
    events.parquet differed (5b8645c, np.log) before the bulk draws took the C library's log."""
    import os
    import subprocess
    import sys

    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    scen = str(ROOT / "scenarios" / "small_la_from_2024.yaml")
    off = ",".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f))
    outs = []
    for extra in ({}, {"NPY_DISABLE_CPU_FEATURES": off} if off else {}):
        env = {**os.environ, **extra}
        o = subprocess.run([sys.executable, "-c", _ONE_RUN, scen], capture_output=True, text=True, cwd=ROOT, env=env)
        assert o.returncode == 0, o.stderr
        outs.append(o.stdout.split())
    assert len(outs[0]) >= 3 and outs[0] == outs[1]
