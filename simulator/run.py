"""Running a scenario: replications (in parallel if asked), outputs on disk, summary with intervals.

Layout of a run directory (`outputs/<run-id>/` unless `--out` names another):
  manifest.json                       scenario hash, merged rules, seed, versions
  summary.json                        every metric: mean, 95% interval, per-period values
  replications/rep-000/metrics.json   one replication's metrics (written last: marks it complete)
  replications/rep-000/journeys.parquet   one row per child
  replications/rep-000/events.parquet     the event log (unless switched off)
A replication whose metrics.json exists for the same manifest is not run again, so an
interrupted run resumes where it stopped. Results depend only on (scenario, rules, seed,
replication), never on the number of workers or the order replications finish.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .engine import make_engine
from .journey import Journey, Recorder
from .loading import LoadedScenario, load_scenario
from .metrics import aggregate, replication_metrics
from .random_streams import Streams

EVENT_COLUMNS = ("child", "la", "day", "step", "event", "duty_holder", "deadline_day", "deadline_met")


@dataclass
class RunResult:
    out_dir: Path | None
    summary: dict[str, Any]
    manifest: dict[str, Any]
    replications: list[dict[str, Any]]


def run_id(loaded: LoadedScenario, seed: int, replications: int) -> str:
    h = hashlib.sha256((loaded.scenario_sha256 + loaded.rules_sha256).encode()).hexdigest()[:8]
    return f"{loaded.scenario.name}-{loaded.law.name}-seed{seed}-r{replications}-{h}"


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "sendsim": __version__}
    for pkg in ("numpy", "pydantic", "simpy", "pyarrow", "PyYAML", "click"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def manifest(loaded: LoadedScenario, seed: int, replications: int, engine: str, events: bool) -> dict[str, Any]:
    return {
        "scenario": loaded.scenario.name,
        "scenario_file": str(loaded.path),
        "scenario_sha256": loaded.scenario_sha256,
        "rules": loaded.law.name,
        "rules_sha256": loaded.rules_sha256,
        "seed": seed,
        "replications": replications,
        "engine": engine,
        "event_log": events,
        "start_date": loaded.scenario.start_date.isoformat(),
        "end_date": loaded.scenario.end_date.isoformat(),
        "merged_rules": loaded.rules.model_dump(mode="json"),
        "scenario_parameters": loaded.scenario.model_dump(mode="json", exclude={"local_authorities"}),
        "local_authorities": len(loaded.scenario.local_authorities.items),
        "versions": _versions(),
    }


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class ParquetSink:
    """Streams event-log chunks to one Parquet file (so a national run never holds every event)."""

    def __init__(self, path: Path, la_codes: list[str], start: np.datetime64):
        import pyarrow as pa

        self.path = path
        self.la_codes = np.array(la_codes, dtype=object)
        self.start = start
        self.schema = pa.schema([
            ("child", pa.int64()), ("la", pa.string()), ("day", pa.float64()), ("date", pa.date32()),
            ("step", pa.string()), ("event", pa.string()), ("duty_holder", pa.string()),
            ("deadline_day", pa.float64()), ("deadline_met", pa.bool_())])
        self.writer = None

    def __call__(self, rows: list[tuple]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = list(zip(*rows, strict=True))
        day = np.array(cols[2], dtype=float)
        dates = (self.start + np.floor(day).astype("timedelta64[D]")).astype("datetime64[D]")
        deadline = np.array(cols[6], dtype=float)
        table = pa.table({
            "child": pa.array(cols[0], pa.int64()),
            "la": pa.array(self.la_codes[np.array(cols[1], dtype=np.int64)].tolist(), pa.string()),
            "day": pa.array(day),
            "date": pa.array(dates),
            "step": pa.array(cols[3], pa.string()),
            "event": pa.array(cols[4], pa.string()),
            "duty_holder": pa.array(cols[5], pa.string()),
            "deadline_day": pa.array(deadline, mask=np.isnan(deadline)),
            "deadline_met": pa.array(cols[7], pa.bool_()),
        }, schema=self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table)

    def close(self) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            pq.write_table(self.schema.empty_table(), self.path)
        else:
            self.writer.close()


def write_journeys(j: Journey, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ch = j.children
    nan = float("nan")
    codes = [la.spec.code for la in j.las]
    end = j.horizon
    cols = {
        "child": [c.id for c in ch],
        "la": [codes[c.la] for c in ch],
        "stock_plan_at_start": [c.stock for c in ch],
        "requester": [None if c.stock else c.requester for c in ch],
        "primary_need": [c.need for c in ch],
        "age_at_request": [None if c.stock else (c.t0 - c.born) / 365.25 for c in ch],
        "preferred_setting": [c.preferred for c in ch],
        "redress_capacity": [c.capacity for c in ch],
        "health_needs": [c.health for c in ch],
        "social_care_needs": [c.social for c in ch],
        "regulation_10_4_exception": [c.exception for c in ch],
        "request_day": [nan if c.stock else c.t0 for c in ch],
        "status_at_end": [c.status for c in ch],
        "refused_to_assess": [c.refused for c in ch],
        "assessed": [c.assessed for c in ch],
        "no_plan_after_assessment": [c.no_plan for c in ch],
        "plan_after_appeal": [c.ordered for c in ch],
        "final_plan_day": [c.final_at for c in ch],
        "weeks_to_final_plan": [(c.final_at - c.t0) / 7.0 if not c.stock else nan for c in ch],
        "within_20_weeks": [None if c.stock or c.final_at != c.final_at else (c.final_at <= c.final_deadline)
                            for c in ch],
        "setting_named": [getattr(c, "setting", None) if c.status in ("plan", "ceased") else None for c in ch],
        "provision_in_place_day": [c.provision_at for c in ch],
        "weeks_without_provision": [
            (c.days_without_provision + ((end - c.waiting_since) if c.waiting_since == c.waiting_since else 0.0)) / 7.0
            for c in ch],
        "waiting_for_place_at_end": [c.waiting_since == c.waiting_since and c.status == "plan" for c in ch],
        "disputes": [c.disputes for c in ch],
        "mediations": [c.mediations for c in ch],
        "appeals": [c.appeals for c in ch],
        "annual_reviews": [c.reviews for c in ch],
        "ceased_day": [c.ceased_at for c in ch],
    }
    table = {}
    for k, v in cols.items():
        if v and isinstance(v[0], float):
            a = np.array(v, dtype=float)
            table[k] = pa.array(a, mask=np.isnan(a))  # missing is null, not NaN
        else:
            table[k] = pa.array(v)
    pq.write_table(pa.table(table), path, compression="zstd")


def run_replication(loaded: LoadedScenario, seed: int, replication: int, engine: str = "heap",
                    rep_dir: Path | None = None, events: bool = True) -> dict[str, Any]:
    """Run one replication; write its tables to `rep_dir` if given; return its metrics."""
    t = time.perf_counter()
    eng = make_engine(engine)
    sink = None
    if rep_dir is not None and events:
        start = np.datetime64(loaded.scenario.start_date.isoformat(), "D")
        sink = ParquetSink(rep_dir / "events.parquet", [la.code for la in loaded.scenario.local_authorities.items],
                           start)
    rec = Recorder(sink) if sink is not None else None
    j = Journey(loaded, eng, Streams(seed, replication), rec)
    gc_was = gc.isenabled()
    gc.disable()  # a run allocates millions of long-lived objects and no cycles worth collecting
    try:
        j.run()
    finally:
        # the run's objects live until the replication is done: frozen, the collector does not traverse them
        # as young objects (a pass over millions, twice); they join the oldest generation at the end
        gc.freeze()
        if gc_was:
            gc.enable()
    try:
        if sink is not None:
            sink.close()
        result = replication_metrics(j)
        result["replication"] = replication
        result["children"] = len(j.children)
        result["events_processed"] = eng.events_processed
        if rep_dir is not None:
            write_journeys(j, rep_dir / "journeys.parquet")
            _atomic_write(rep_dir / "metrics.json", _dump(result))
    finally:
        gc.unfreeze()
    result["wall_seconds"] = time.perf_counter() - t
    return result


def _worker(args: tuple) -> dict[str, Any]:
    loaded, seed, rep, engine, rep_dir, events = args
    if isinstance(loaded, tuple):  # in a worker process: load the same files again (and check they are the same)
        path, rules, until, digest = loaded
        loaded = load_scenario(path, rules, until)
        if loaded.scenario_sha256 + loaded.rules_sha256 != digest:
            raise RuntimeError(f"{path} changed while the run was in progress")
    tmp = None
    if rep_dir is not None:
        tmp = Path(str(rep_dir) + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    res = run_replication(loaded, seed, rep, engine, tmp, events)
    if tmp is not None:
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
        _atomic_write(out_dir / "manifest.json", _dump(man))
        (out_dir / "replications").mkdir(exist_ok=True)
    todo = [r for r in range(replications) if r not in done]
    if progress and done:
        progress(f"resuming: {len(done)} of {replications} replications already complete")
    jobs = [(loaded, seed, r, engine, (out_dir / "replications" / f"rep-{r:03d}") if out_dir else None, events)
            for r in todo]
    t0 = time.perf_counter()
    if workers > 1 and len(jobs) > 1:
        ref = (loaded.path, loaded.law.name, loaded.until, loaded.scenario_sha256 + loaded.rules_sha256)
        jobs = [(ref, *job[1:]) for job in jobs]
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            for res in pool.map(_worker, jobs):
                done[res["replication"]] = res
                if progress:
                    progress(f"replication {res['replication'] + 1}/{replications} done "
                             f"({res['children']:,} children, {res['wall_seconds']:.1f} s)")
    else:
        for job in jobs:
            res = _worker(job)
            done[res["replication"]] = res
            if progress:
                progress(f"replication {res['replication'] + 1}/{replications} done "
                         f"({res['children']:,} children, {res['wall_seconds']:.1f} s)")
    reps = [done[r] for r in range(replications)]
    agg = aggregate(reps)
    summary = {"scenario": sc.name, "rules": loaded.law.name, "seed": seed, "replications": replications,
               "start_date": sc.start_date.isoformat(), "end_date": sc.end_date.isoformat(), **agg}
    if out_dir is not None:
        _atomic_write(out_dir / "summary.json", _dump(summary))
    if progress:
        progress(f"all replications done in {time.perf_counter() - t0:.1f} s")
    return RunResult(out_dir, summary, man, reps)


def default_out_dir(loaded: LoadedScenario, seed: int, replications: int) -> Path:
    return Path("outputs") / run_id(loaded, seed, replications)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the `sendsim` command")
