"""Running a scenario: replications (in parallel if asked), outputs on disk, summary with intervals.

The folder is a `rundir.RunFolder`: locked while a run writes it; every replication's metrics.json records the run's
identity, and `resume=True` reuses only replications of the same identity, so an interrupted run resumes where it
stopped and never mixes in another run's replications. Results depend only on (scenario, rules, seed, replication), never on the number of workers or
the order replications finish (`runner.map_shared` returns them in order). The folder's files: `outputs.py`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...engine.model.child import group_index
from ...engine.model.records import Recorder
from ...rules.scenario import LoadedScenario
from .journeys import write_journeys
from .metrics import MORE_GROUPS, REGISTRY, replication_metrics
from .outputs import ParquetSink, dumps, manifest
from .rundir import RunFolder, identity, write_atomic
from .runner import collector_paused, map_shared, release, simulate
from .stats import aggregate


@dataclass
class RunResult:
    out_dir: Path | None
    summary: dict[str, Any]
    manifest: dict[str, Any]
    replications: list[dict[str, Any]]


def run_id(loaded: LoadedScenario, seed: int, replications: int) -> str:
    """The default folder name: readable, and short enough for any file system (names are cut, the hash keeps
    it unique)."""
    h = hashlib.sha256((loaded.scenario_sha256 + loaded.rules_sha256).encode()).hexdigest()[:8]
    return f"{loaded.scenario.name[:60]}-{loaded.law.name[:60]}-seed{seed}-r{replications}-{h}"


def run_replication(loaded: LoadedScenario, seed: int, replication: int, engine: str = "heap",
                    rep_dir: Path | None = None, events: bool = True, more_groups: bool = False) -> dict[str, Any]:
    """Run one replication; write its tables to `rep_dir` if given; return its metrics.

    The metrics.json written records the run's identity under `run` (what resume checks); the returned metrics do
    not carry it."""
    t = time.perf_counter()
    # the collector stays off until the Journey is dropped (`release`): its million objects are then freed by
    # reference counting, instead of being traversed by the collections that enabling it would start (about 10%
    # of a national year)
    with collector_paused():
        sink = None
        if rep_dir is not None and events:
            start = np.datetime64(loaded.scenario.start_date.isoformat(), "D")
            sink = ParquetSink(rep_dir / "events.parquet", [la.code for la in loaded.scenario.local_authorities.items],
                               start)
        j = simulate(loaded, seed, replication, engine, Recorder(sink) if sink is not None else None)
        result = replication_metrics(j, more_groups)
        result["replication"] = replication
        result["children"] = len(j.children)
        result["events_processed"] = j.engine.events_processed
        if rep_dir is not None:  # (with the event log, written in the sink's thread)
            write_journeys(j, rep_dir / "journeys.parquet", None if sink is None else sink.later)
        release(j)
        del j
        if sink is not None:  # closed last: its thread writes the last row group and journeys.parquet meanwhile
            sink.close()
        if rep_dir is not None:
            write_atomic(rep_dir / "metrics.json", dumps({**result, "run": identity(loaded, seed, engine, events)}))
    result["wall_seconds"] = time.perf_counter() - t
    return result


def _replication_job(loaded: LoadedScenario, job: tuple[int, int, str, Path | None, bool, bool]) -> dict[str, Any]:
    """One replication into its own folder: written beside it as `.partial`, then moved in place whole."""
    seed, rep, engine, rep_dir, events, more_groups = job
    tmp = None
    if rep_dir is not None:
        tmp = Path(str(rep_dir) + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    try:
        res = run_replication(loaded, seed, rep, engine, tmp, events, more_groups)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if tmp is not None and rep_dir is not None:
        shutil.rmtree(rep_dir, ignore_errors=True)
        os.replace(tmp, rep_dir)
    return res


def registry_order(keys: Any) -> list[str]:
    """The metric names in the registry's order (any other after them, as given). Why: a replication computed now
    lists its metrics in that order, one read back from its metrics.json (after --resume) in alphabetical order, and
    the comparison's `contrasts` rows followed whichever came first, so a resumed comparison was not byte-identical
    to an uninterrupted one."""
    rank = {k: i for i, k in enumerate(REGISTRY)}
    return sorted(keys, key=lambda k: rank.get(k, len(rank)))


def group_order(loaded: LoadedScenario, by_group: dict[str, Any]) -> dict[str, list[str]]:
    """The groups of `by_group` in the order the run's group index makes them (capacity high, medium, low; requester
    school, parent, ...), whatever order they were read back in (a resumed replication's metrics.json is sorted), so
    the text tables of a resumed comparison are those of an uninterrupted one."""
    sc = loaded.scenario
    gi = group_index(list(sc.population.primary_need.values), [la.region for la in sc.local_authorities.items])
    order = {**gi.members(), **gi.cross_members()}
    dims = [d for d in order if d in by_group] + [d for d in by_group if d not in order]
    return {d: [v for v in order.get(d, {}) if v in by_group[d]] + [v for v in by_group[d] if v not in order.get(d, {})]
            for d in dims}


def in_fresh_order(loaded: LoadedScenario, rep: dict[str, Any]) -> dict[str, Any]:
    """A replication read back from its metrics.json (keys sorted) with its metrics and groups in the order a
    replication computed now has them (`registry_order`, `group_order`), so that a resumed run or comparison prints
    and writes the same bytes as an uninterrupted one."""
    out = dict(rep)
    if isinstance(rep.get("metrics"), dict):
        out["metrics"] = {k: rep["metrics"][k] for k in registry_order(rep["metrics"])}
    groups = rep.get("by_group")
    if isinstance(groups, dict):
        out["by_group"] = {d: {v: ({k: groups[d][v][k] for k in registry_order(groups[d][v])}
                                   if isinstance(groups[d][v], dict) else groups[d][v]) for v in values}
                           for d, values in group_order(loaded, groups).items()}
    return out


def run(loaded: LoadedScenario, replications: int | None = None, seed: int | None = None,
        out_dir: Path | None = None, workers: int = 1, engine: str = "heap", events: bool = True,
        progress: Callable[[str], None] | None = None, resume: bool = False, force: bool = False,
        more_groups: bool = False) -> RunResult:
    """Run `replications` of a loaded scenario and write the run directory (if `out_dir`); `more_groups`: results
    also by phase and region (`metrics.MORE_GROUPS`).

    An existing run folder is refused unless `resume` (same identity: its complete replications are kept) or
    `force` (its contents are deleted first); see `rundir`."""
    return run_together([RunPlan(loaded, replications, seed, out_dir, engine, events, resume, force, more_groups)],
                        workers, progress)[0]


@dataclass(frozen=True)
class RunPlan:
    """One run of `run_together`: a loaded scenario and rule set, its replications, seed and folder."""

    loaded: LoadedScenario
    replications: int | None = None
    seed: int | None = None
    out_dir: Path | None = None
    engine: str = "heap"
    events: bool = True
    resume: bool = False
    force: bool = False
    more_groups: bool = False
    label: str = ""  # put before its progress lines when runs share the workers ("current: replication 1/5 done")


def run_together(plans: list[RunPlan], workers: int = 1,
                 progress: Callable[[str], None] | None = None) -> list[RunResult]:
    """Several runs (a comparison's rule sets) with their replications in one pool of `workers` processes.

    Why one pool: a comparison that ran its rule sets one after another left a core idle whenever a rule set's
    replications did not divide by the workers (2 rule sets x 1 replication on 2 cores ran in series; the forum
    page's 5 replications took 3 rounds a rule set). Each run's folder is opened (and refused, if it must be)
    before anything runs, and its summary written when every run is done; each replication's result depends only
    on its run and number, so every file is the one the runs give one at a time."""
    with ExitStack() as stack:
        opened = [_OpenRun(p, progress) for p in plans]
        for o in opened:
            stack.callback(o.close)
        for o in opened:  # every folder opened (refused, if it must be) before any is started: a refusal of the
            o.open()  # second rule set's folder left the first's summary.json removed by `start`
        for o in opened:
            o.begin()
        jobs = [(k, job) for k, o in enumerate(opened) for job in o.jobs()]
        t0 = time.perf_counter()
        # closing(): on an interruption the executor's clean-up (kill the workers) runs now, not when the
        # traceback holding the generator is freed
        with closing(map_shared(_run_job, [p.loaded for p in plans], jobs, workers)) as results:
            for ran, ((k, _job), res) in enumerate(zip(jobs, results, strict=True), start=1):
                eta = (time.perf_counter() - t0) / ran * (len(jobs) - ran)  # over every run's replications
                opened[k].record(res, eta if ran < len(jobs) else None)
        out = [o.finish() for o in opened]
        if progress:
            progress(f"all replications done in {time.perf_counter() - t0:.1f} s")
        return out


def _run_job(loaded: list[LoadedScenario], job: tuple[int, tuple[int, int, str, Path | None, bool, bool]]
             ) -> dict[str, Any]:
    k, rep_job = job
    return _replication_job(loaded[k], rep_job)


class _OpenRun:
    """A run between its folder's opening and its summary: what it has, what it must run, its progress lines."""

    def __init__(self, plan: RunPlan, progress: Callable[[str], None] | None):
        sc = plan.loaded.scenario
        self.plan = plan
        self.seed = sc.seed if plan.seed is None else plan.seed
        self.replications = sc.replications if plan.replications is None else plan.replications
        self.manifest = manifest(plan.loaded, self.seed, self.replications, plan.engine, plan.events)
        self.folder: RunFolder | None = None
        self.done: dict[int, dict[str, Any]] = {}
        self.todo: list[int] = []
        self.prefix = f"{plan.label}: " if plan.label else ""
        self._progress = progress

    def say(self, msg: str) -> None:
        if self._progress:
            self._progress(self.prefix + msg)

    def open(self) -> None:
        p = self.plan
        if p.out_dir is not None:
            self.folder = RunFolder(p.out_dir, identity(p.loaded, self.seed, p.engine, p.events), p.resume,
                                    p.force).open()

    def begin(self) -> None:
        """What the opened folder keeps, then its manifest written (and its old summary removed)."""
        p = self.plan
        if self.folder is not None:
            done = {k: in_fresh_order(p.loaded, m) for k, m in self.folder.completed(self.replications).items()}
            if self.folder.skipped:
                self.say(f"not reused (damaged or of another run): {', '.join(self.folder.skipped)}")
            other = [r for r, m in done.items() if _has_more_groups(m) != p.more_groups]
            for r in other:  # its groups differ (with or without phase and region): run again, never mixed
                del done[r]
            if other:
                self.say(f"not reused (kept {'without' if p.more_groups else 'with'} the phase and region groups): "
                         f"{', '.join(f'rep-{r:03d}' for r in other)}")
            self.folder.start(dumps(self.manifest))
            self.done = done
        self.todo = [r for r in range(self.replications) if r not in self.done]
        if self.done:
            self.say(f"resuming: {len(self.done)} of {self.replications} replications already complete")

    def jobs(self) -> list[tuple[int, int, str, Path | None, bool, bool]]:
        p, f = self.plan, self.folder
        return [(self.seed, r, p.engine, f.rep_dir(r) if f else None, p.events, p.more_groups) for r in self.todo]

    def record(self, res: dict[str, Any], eta: float | None) -> None:
        """A finished replication; `eta`: the seconds left for every run sharing the workers (None: the last)."""
        self.done[res["replication"]] = res
        self.say(f"replication {res['replication'] + 1}/{self.replications} done "
                 f"({res['children']:,} children, {res['wall_seconds']:.1f} s"
                 + (f"; about {eta:.0f} s to go)" if eta is not None else ")"))

    def finish(self) -> RunResult:
        p, sc = self.plan, self.plan.loaded.scenario
        reps = [self.done[r] for r in range(self.replications)]
        agg = aggregate(reps)
        summary = {"scenario": sc.name, "rules": p.loaded.law.name, "seed": self.seed,
                   "replications": self.replications, "start_date": sc.start_date.isoformat(),
                   "end_date": sc.end_date.isoformat(), **agg}
        if p.loaded.projection is not None and sc.end_date.year > p.loaded.projection["last_data_year"]:
            summary["projection"] = p.loaded.projection  # every result past the last data year says what it rests on
        if self.folder is not None:
            write_atomic(self.folder.path / "summary.json", dumps(summary))
        return RunResult(p.out_dir, summary, self.manifest, reps)

    def close(self) -> None:
        if self.folder is not None:
            self.folder.close()


def _has_more_groups(m: dict[str, Any]) -> bool:
    return set(MORE_GROUPS) <= set(m.get("by_group") or {})


def default_out_dir(loaded: LoadedScenario, seed: int, replications: int) -> Path:
    return Path("outputs") / run_id(loaded, seed, replications)
