"""Batches: a sweep file planned into tasks (point x rule set x replication), run on any executor, kept, resumed.

Why this shape:
- a design point is a position `u` in the unit hypercube; each parameter maps it into its own range, and each
  rule set into the range it declares (two reforms may give one effect different ranges). SALib analyses work on
  `u` directly, so indices are per full range of each assumption.
- every task uses the seed of the batch and its replication number at every point and under every rule set
  (common random numbers): a difference between rule sets or points reflects them, not the dice.
- identifiers are hashes of what determines the numbers (scenario file, rule-set files, the values applied, seed,
  replication), never of time, folder or executor, so a resumed or redistributed batch finds its finished tasks.
- the model is a plug-in (`Model`): the SEND simulation by default, or any picklable callable of the parameter
  values, so a function of known sensitivity indices can go through this same runner in a test.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ...rules.law import compile_law
from ...rules.projection import project
from ...rules.resolve import resolve_rules
from ...rules.scenario import LoadedScenario, commencement
from ...schema.files import InputError
from ...schema.paths import get_path
from ...schema.rules import RuleSet
from ...schema.scenario import Scenario
from ...schema.sweep import Design
from ..runs.metrics import replication_metrics
from ..runs.runner import Executor, ProcessExecutor, simulate
from ..runs.table import Record, Span, records
from .folder import BatchFolder

Row = Record  # metric, period, group_by, group, value: every group's numbers, not only everyone's
IN_FORCE = "in_force."  # a varied in-force date: `in_force.<switch>+<switch>...`, its value a day number


@dataclass(frozen=True)
class Parameter:
    """A varied parameter: its name, and per rule set the range it maps `u` into (None: not varied there, the
    rule set's own value `fixed` stays)."""

    name: str
    ranges: tuple[tuple[float, float] | None, ...]
    fixed: tuple[float | None, ...]

    def value(self, u: float, rules: int) -> float | None:
        r = self.ranges[rules]
        if r is None:
            return self.fixed[rules]
        lo, hi = r
        return float(min(hi, max(lo, lo * (1.0 - u) + hi * u)))  # exact at both ends, never outside


class Model(Protocol):
    """What a task evaluates: the metrics of one replication at the given parameter values under one rule set."""

    identity: tuple[str, ...]  # per rule set: a hash of the files the numbers depend on

    def __call__(self, values: dict[str, float | None], rules: int, seed: int,
                 replication: int) -> list[Row]: ...


@dataclass
class SendModel:
    """The SEND simulation: the base scenario and rule sets, a point's values written into copies of them."""

    base: tuple[LoadedScenario, ...]
    scenario_doc: dict[str, Any]
    rules_docs: tuple[dict[str, Any], ...]
    identity: tuple[str, ...]
    _cache: dict[Any, LoadedScenario] = field(default_factory=dict, repr=False, compare=False)

    def loaded(self, values: dict[str, float | None], rules: int) -> LoadedScenario:
        """The base scenario and rule set with the point's values in place, validated again (cached)."""
        key = (rules, tuple(sorted(values.items())))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        base = self.base[rules]
        sc_vals = {k.removeprefix("scenario."): v for k, v in values.items() if k.startswith("scenario.")}
        ru_vals = {k.removeprefix("rules."): v for k, v in values.items() if k.startswith("rules.") and v is not None}
        # an in-force date drawn over its stated range (`in_force.A+B`: the switches commenced together), as a day
        # number (date.toordinal), written as the scenario's own override of those switches' dates
        dates = {sw: dt.date.fromordinal(int(round(v))) for k, v in values.items()
                 if k.startswith(IN_FORCE) and v is not None for sw in k.removeprefix(IN_FORCE).split("+")}
        sc, rs, law = base.scenario, base.rules, base.law
        if sc_vals:
            doc = copy.deepcopy(self.scenario_doc)  # YAML may hold dates: not a JSON round trip
            for path, v in sc_vals.items():
                get_path(doc, path)["value"] = v
            sc = Scenario.model_validate(doc)
            if base.until is not None:
                sc = sc.model_copy(update={"end_date": base.until})
            # a declared projection is written into the yearly inputs again, from the point's values
            sc, _report = project(sc, base.projection["name"] if base.projection else None)
        if dates:
            sc = sc.model_copy(update={"in_force": {**sc.in_force, **dates}})
        schedule, in_force, changes = base.law_schedule, base.in_force, base.changes
        if ru_vals or dates:
            if ru_vals:
                doc = copy.deepcopy(self.rules_docs[rules])
                for path, v in ru_vals.items():
                    get_path(doc, path)["value"] = v
                rs = RuleSet.model_validate(doc)
                law = compile_law(rs)
            if dates or base.law_schedule or any(ch.in_force != "start" for ch in base.changes):
                # a dated reform: the point's values go into its switches (and the baseline's own parameters), and
                # the law in force is worked out again date by date, never the whole reform from day 0
                changes = tuple(dataclasses.replace(ch, value=ru_vals[ch.path]) if ch.path in ru_vals else ch
                                for ch in base.changes)
                bdoc = resolve_rules(base.baseline, base.path)[0].model_dump(mode="json")
                for path, v in ru_vals.items():
                    if all(ch.path != path for ch in changes):
                        get_path(bdoc, path)["value"] = v
                law, schedule, in_force = commencement(sc, RuleSet.model_validate(bdoc), changes, rs.name)
        tag = json.dumps(sorted(values.items()))
        out = dataclasses.replace(base, scenario=sc, rules=rs, law=law, law_schedule=schedule, in_force=in_force,
                                  changes=changes,
                                  scenario_sha256=_sha(base.scenario_sha256, tag),
                                  rules_sha256=_sha(base.rules_sha256, tag))
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = out
        return out

    def __call__(self, values: dict[str, float | None], rules: int, seed: int, replication: int) -> list[Row]:
        return records(replication_metrics(simulate(self.loaded(values, rules), seed, replication), more_groups=True))

    @property
    def span(self) -> Span:
        """The dates the runs count (the base scenario's, `until` applied): what `partial` is judged on."""
        return Span.of(self.base[0])

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": {}}


@dataclass(frozen=True)
class Task:
    index: int
    point: int
    rules: int
    replication: int


@dataclass
class Plan:
    """Everything a batch computes, decided before anything runs."""

    name: str
    rules: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    design: Design
    unit: np.ndarray  # points x parameters, in [0, 1]
    seed: int
    replications: int
    outputs: tuple[str, ...]
    model: Model
    scenario: str = ""
    source: str = ""  # the sweep file

    def values(self, point: int, rules: int) -> dict[str, float | None]:
        return {p.name: p.value(float(self.unit[point, j]), rules) for j, p in enumerate(self.parameters)}

    def tasks(self) -> list[Task]:
        it = itertools.product(range(len(self.unit)), range(len(self.rules)), range(self.replications))
        return [Task(i, pt, r, rep) for i, (pt, r, rep) in enumerate(it)]

    def run_id(self, point: int, rules: int) -> str:
        return _sha(self.model.identity[rules], json.dumps(sorted(self.values(point, rules).items())),
                    str(self.seed))[:16]

    def task_id(self, t: Task) -> str:
        return _sha(self.run_id(t.point, t.rules), str(t.replication))[:16]

    def identity(self) -> str:
        """The batch's identity: every task's identifier, in order (a resumed batch must have the same)."""
        return _sha(*(self.task_id(t) for t in self.tasks()))[:16]


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class TaskOutput:
    """A task's rows and what it cost (wall and CPU seconds: kept apart from the rows, which never depend on the
    machine)."""

    rows: list[Row]
    wall_seconds: float
    cpu_seconds: float


PACKED = "blocks-1"


def pack(rows: list[Row]) -> dict[str, Any]:
    """A task's rows as its file keeps them: each metric name once, and each run of rows sharing (period, group_by,
    group) as one block of values. Why: a task has about 2,000 rows (every group of every dimension), which as a
    list of rows is about 150 kB a task; blocks are about 15 kB, and decode to the same rows in the same order."""
    names: dict[str, int] = {}
    keysets: dict[tuple[int, ...], int] = {}
    blocks: list[list[Any]] = []
    start = 0
    while start < len(rows):
        r = rows[start]
        end = start
        while end < len(rows) and (rows[end].period, rows[end].group_by, rows[end].group) == (r.period, r.group_by,
                                                                                              r.group):
            end += 1
        ks = tuple(names.setdefault(x.metric, len(names)) for x in rows[start:end])
        k = keysets.setdefault(ks, len(keysets))
        blocks.append([r.period, r.group_by, r.group, k, [x.value for x in rows[start:end]]])
        start = end
    return {"format": PACKED, "metrics": list(names), "keysets": [list(k) for k in keysets], "blocks": blocks}


def unpack(obj: Any) -> list[Row] | None:
    """The rows of a task file (`pack`); None for anything else (an older format or a damaged file: run again)."""
    if not isinstance(obj, dict) or obj.get("format") != PACKED:
        return None
    try:
        names, keysets = obj["metrics"], obj["keysets"]
        rows = [Record(names[m], period, group_by, group, v) for period, group_by, group, k, values in obj["blocks"]
                for m, v in zip(keysets[k], values, strict=True)]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not all(_plausible(r) for r in rows):  # an edited file: true for a count, 1e308, a list for a name
        return None
    return rows


def _plausible(r: Record) -> bool:
    """A row as `pack` writes it: names as text, the value a finite number within any metric's reach, or null."""
    v = r.value
    return (all(isinstance(x, str) for x in (r.metric, r.period, r.group_by, r.group))
            and (v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= 1e15)))


def evaluate(plan: Plan, task: Task) -> TaskOutput:
    """One task: the module-level function every executor runs (picklable by reference)."""
    w, c = time.perf_counter(), time.process_time()
    rows = plan.model(plan.values(task.point, task.rules), task.rules, plan.seed, task.replication)
    return TaskOutput([Record(*r) for r in rows], time.perf_counter() - w, time.process_time() - c)


# --- the design ---------------------------------------------------------------------------------------------

MAX_POINTS = 100_000  # points of a design: the unit array and every point's parameter values stay in memory
MAX_TASKS = 1_000_000  # points x rule sets x replications: one small JSON file and its rows each


def design_points(design: Design, k: int) -> int:
    """How many points the design has over `k` parameters, computed before any is sampled."""
    if design.kind == "grid":
        return design.levels ** k
    if design.kind == "lhs":
        return design.samples
    if design.kind == "morris":
        return design.trajectories * (k + 1)
    return design.samples * (k + 2)  # sobol, first order: N (k + 2)


def check_design_size(design: Design, k: int, rules: int, replications: int, where: str = "sweep") -> None:
    """Refuse a design too large to run (points, tasks, memory) before sampling it: one line with the limit and
    the knob that lowers it (a 65,536-sample Sobol design over every parameter otherwise exhausted memory)."""
    if k == 0:
        raise InputError([f"{where}: parameters: no parameter to vary"])
    n = design_points(design, k)
    knob = {"grid": "design.levels", "lhs": "design.samples", "morris": "design.trajectories",
            "sobol": "design.samples"}[design.kind]
    if n > MAX_POINTS:
        per = n / ({"grid": 1, "lhs": design.samples, "morris": design.trajectories, "sobol": design.samples}
                   [design.kind])
        if design.kind == "grid":
            fit = max(2, int(MAX_POINTS ** (1 / k))) if k else 2
            how = (f"lower {knob} to {fit}" if fit ** k <= MAX_POINTS else "use lhs or morris") + \
                " or list fewer `parameters`"
        elif design.kind == "sobol":
            fit = 1 << max(1, int(np.log2(MAX_POINTS / per)))
            how = f"lower {knob} to {fit:,} or list fewer `parameters`" if MAX_POINTS / per >= 2 else \
                "list fewer `parameters`"
        else:
            how = f"lower {knob} to {max(1, int(MAX_POINTS / per)):,} or list fewer `parameters`"
        count = f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"
        raise InputError([f"{where}: design: a {design.kind} design over {k} parameters has {count} points "
                          f"(allowed: at most {MAX_POINTS:,}; {how})"])
    tasks = n * rules * replications
    if tasks > MAX_TASKS:
        raise InputError([f"{where}: design: {n:,} points x {rules} rule sets x {replications} replications = "
                          f"{tasks:,} tasks (allowed: at most {MAX_TASKS:,}; lower {knob} or `replications`, or "
                          "name fewer rule sets)"])


def unit_points(design: Design, k: int) -> np.ndarray:
    """The design's points in the unit hypercube [0, 1]^k (SALib for lhs, morris, sobol; seeded, so fixed)."""
    check_design_size(design, k, 1, 1)
    if design.kind == "grid":
        axis = np.linspace(0.0, 1.0, design.levels)
        return np.array(list(itertools.product(axis, repeat=k)), dtype=float)
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    try:
        if design.kind == "lhs":
            from SALib.sample import latin
            return np.asarray(latin.sample(problem, design.samples, seed=design.seed), dtype=float)
        if design.kind == "morris":
            from SALib.sample import morris
            return np.asarray(morris.sample(problem, design.trajectories, num_levels=design.morris_levels,
                                            seed=design.seed), dtype=float)
        from SALib.sample import sobol
        return np.asarray(sobol.sample(problem, design.samples, calc_second_order=False, seed=design.seed),
                          dtype=float)
    except ImportError:
        raise InputError(["sweep: the lhs, morris and sobol designs need SALib: pip install 'sendsim[sweep]'"]) \
            from None


# --- running ------------------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    plan: Plan
    rows: list[list[Row]]  # per task, in task order
    computed: int  # tasks computed in this call (the rest were found finished)
    seconds: float
    folder: Path | None = None
    sensitivity: dict[str, Any] | None = None
    timings: dict[int, tuple[float, float]] = field(default_factory=dict)  # task index: wall, CPU seconds


def run_batch(p: Plan, executor: Executor | None = None, folder: BatchFolder | None = None,
              progress: Callable[[str], None] | None = None) -> BatchResult:
    """Every task of the plan not already finished in `folder`, on `executor`; finished tasks are written as they
    arrive, so an interrupted batch keeps them."""
    executor = executor or ProcessExecutor(1)
    tasks = p.tasks()
    ids = [p.task_id(t) for t in tasks]
    done: dict[int, list[Row]] = {}
    if folder is not None:
        for i, tid in enumerate(ids):
            got = unpack(folder.read_task(tid))
            if got is not None:  # else missing, damaged or of an older format: computed again
                done[i] = got
    first: dict[str, int] = {}  # tasks of equal identity compute the same numbers: once
    for i, tid in enumerate(ids):
        first.setdefault(tid, i)
    todo = [tasks[i] for tid, i in first.items() if i not in done]
    if progress:
        if done:
            progress(f"resuming: {sum(1 for i in first.values() if i in done)} of {len(first)} tasks already "
                     "complete")
        progress(f"{len(todo)} tasks to run on {executor.name} ({len(p.unit)} points x {len(p.rules)} rule sets "
                 f"x {p.replications} replications; {len(tasks) - len(first)} repeat another task's values)")
    t0 = time.perf_counter()
    last = t0
    timings: dict[int, tuple[float, float]] = {}
    for n, (k, out) in enumerate(executor.completed(evaluate, p, todo), start=1):
        t = todo[k]
        done[t.index] = out.rows
        timings[t.index] = (out.wall_seconds, out.cpu_seconds)
        if folder is not None:
            folder.write_task(ids[t.index], pack(out.rows))  # type: ignore[arg-type]
            folder.write_text(f"timings/{ids[t.index]}.json", json.dumps(
                {"task_id": ids[t.index], "wall_seconds": out.wall_seconds, "cpu_seconds": out.cpu_seconds}))
        now = time.perf_counter()
        if progress and (now - last > 2.0 or n == len(todo)):
            last = now
            rate = n / (now - t0)
            eta = (len(todo) - n) / rate if rate > 0 else math.inf
            progress(f"{n}/{len(todo)} tasks ({rate * 60:.0f}/min), about {eta:.0f} s left")
    return BatchResult(p, [done[first[tid]] for tid in ids], len(todo), time.perf_counter() - t0,
                       folder.root if folder is not None else None, timings=timings)

