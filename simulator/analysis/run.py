"""Running a scenario: replications (in parallel if asked), outputs on disk, summary with intervals.

A replication whose metrics.json exists for the same manifest is not run again, so an interrupted run resumes
where it stopped. Results depend only on (scenario, rules, seed, replication), never on the number of workers or
the order replications finish (`runner.map_shared` returns them in order). The folder's files: `outputs.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.model.records import Recorder
from ..rules.scenario import LoadedScenario
from .metrics import replication_metrics
from .outputs import ParquetSink, dumps, manifest, write_atomic, write_journeys
from .runner import map_shared, simulate
from .stats import aggregate


@dataclass
class RunResult:
    out_dir: Path | None
    summary: dict[str, Any]
    manifest: dict[str, Any]
    replications: list[dict[str, Any]]


def run_id(loaded: LoadedScenario, seed: int, replications: int) -> str:
    h = hashlib.sha256((loaded.scenario_sha256 + loaded.rules_sha256).encode()).hexdigest()[:8]
    return f"{loaded.scenario.name}-{loaded.law.name}-seed{seed}-r{replications}-{h}"


def run_replication(loaded: LoadedScenario, seed: int, replication: int, engine: str = "heap",
                    rep_dir: Path | None = None, events: bool = True) -> dict[str, Any]:
    """Run one replication; write its tables to `rep_dir` if given; return its metrics."""
    t = time.perf_counter()
    sink = None
    if rep_dir is not None and events:
        start = np.datetime64(loaded.scenario.start_date.isoformat(), "D")
        sink = ParquetSink(rep_dir / "events.parquet", [la.code for la in loaded.scenario.local_authorities.items],
                           start)
    j = simulate(loaded, seed, replication, engine, Recorder(sink) if sink is not None else None)
    if sink is not None:
        sink.close()
    result = replication_metrics(j)
    result["replication"] = replication
    result["children"] = len(j.children)
    result["events_processed"] = j.engine.events_processed
    if rep_dir is not None:
        write_journeys(j, rep_dir / "journeys.parquet")
        write_atomic(rep_dir / "metrics.json", dumps(result))
    result["wall_seconds"] = time.perf_counter() - t
    return result


def _replication_job(loaded: LoadedScenario, job: tuple[int, int, str, Path | None, bool]) -> dict[str, Any]:
    """One replication into its own folder: written beside it as `.partial`, then moved in place whole."""
    seed, rep, engine, rep_dir, events = job
    tmp = None
    if rep_dir is not None:
        tmp = Path(str(rep_dir) + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    res = run_replication(loaded, seed, rep, engine, tmp, events)
    if tmp is not None and rep_dir is not None:
        shutil.rmtree(rep_dir, ignore_errors=True)
        os.replace(tmp, rep_dir)
    return res


def run(loaded: LoadedScenario, replications: int | None = None, seed: int | None = None,
        out_dir: Path | None = None, workers: int = 1, engine: str = "heap", events: bool = True,
        progress: Callable[[str], None] | None = None) -> RunResult:
    """Run `replications` of a loaded scenario and write the run directory (if `out_dir`)."""
    sc = loaded.scenario
    seed = sc.seed if seed is None else seed
    replications = sc.replications if replications is None else replications
    man = manifest(loaded, seed, replications, engine, events)
    done: dict[int, dict[str, Any]] = {}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        old = out_dir / "manifest.json"
        if old.is_file():
            prev = json.loads(old.read_text())
            same = all(prev.get(k) == man[k] for k in ("scenario_sha256", "rules_sha256", "seed", "engine",
                                                      "event_log"))
            if same:
                for r in range(replications):
                    f = out_dir / "replications" / f"rep-{r:03d}" / "metrics.json"
                    if f.is_file():
                        done[r] = json.loads(f.read_text())
            else:
                shutil.rmtree(out_dir / "replications", ignore_errors=True)
        write_atomic(out_dir / "manifest.json", dumps(man))
        (out_dir / "replications").mkdir(exist_ok=True)
    todo = [r for r in range(replications) if r not in done]
    if progress and done:
        progress(f"resuming: {len(done)} of {replications} replications already complete")
    jobs = [(seed, r, engine, (out_dir / "replications" / f"rep-{r:03d}") if out_dir else None, events)
            for r in todo]
    t0 = time.perf_counter()
    for res in map_shared(_replication_job, loaded, jobs, workers):
        done[res["replication"]] = res
        if progress:
            progress(f"replication {res['replication'] + 1}/{replications} done "
                     f"({res['children']:,} children, {res['wall_seconds']:.1f} s)")
    reps = [done[r] for r in range(replications)]
    agg = aggregate(reps)
    summary = {"scenario": sc.name, "rules": loaded.law.name, "seed": seed, "replications": replications,
               "start_date": sc.start_date.isoformat(), "end_date": sc.end_date.isoformat(), **agg}
    if out_dir is not None:
        write_atomic(out_dir / "summary.json", dumps(summary))
    if progress:
        progress(f"all replications done in {time.perf_counter() - t0:.1f} s")
    return RunResult(out_dir, summary, man, reps)


def default_out_dir(loaded: LoadedScenario, seed: int, replications: int) -> Path:
    return Path("outputs") / run_id(loaded, seed, replications)
