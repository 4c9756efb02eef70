"""The Python API: every command as a function that returns a result object with one tidy table.

Why a module of its own, above `report` and below `web` and `cli`: an analyst in a notebook and the command line
must get the same numbers from the same code, so each CLI command calls the function here and only formats what it
returns. Every function takes a shipped scenario's name or a path, with keyword arguments named as the CLI's flags
(`replications`, `seed`, `out`, `workers`, `until`, ...), and returns a `Result`:

  .table()      a `pyarrow.Table` in the tidy schema (`analysis.runs.table.SCHEMA`; a batch adds `parameters`)
  .to_pandas()  the same as a pandas DataFrame (when pandas is installed)
  .summary      the dict the command prints with --json (today's shape, unchanged)
  .folder       the folder written (None when nothing was written)

    >>> from simulator.api import compare
    >>> r = compare("small_la", rules=["current_2014", "green_paper_2022"], replications=2, until="2019-06-30")
    >>> t = r.table()   # rows by group_by/group, stat, and contrast rows "green_paper_2022 - current_2014"
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from .rules.scenario import LoadedScenario, load_scenario
from .schema.files import InputError

__all__ = ["Result", "backtest", "batch", "case_study", "compare", "run"]

Progress = Callable[[str], None] | None
Day = str | dt.date | dt.datetime | None


@dataclass
class Result:
    """What a command produced: the tidy table (made on first use), the summary dict and the folder written."""

    kind: str  # "run", "compare", "case_study", "batch" or "backtest"
    summary: dict[str, Any]
    folder: Path | None
    make_table: Callable[[], pa.Table] = field(repr=False)
    raw: Any = field(default=None, repr=False)  # the analysis layer's own result (RunResult, Comparison, ...)
    files: list[Path] = field(default_factory=list)  # other files written (charts)
    _table: pa.Table | None = field(default=None, init=False, repr=False)

    def table(self) -> pa.Table:
        if self._table is None:
            self._table = self.make_table()
        return self._table

    def to_pandas(self) -> Any:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install pandas (or use .table(), an Arrow table)") \
                from None
        return self.table().to_pandas()


def _day(until: Day, name: str = "until") -> dt.date | None:
    """`until` (or the argument `name`) as the CLI's --until takes it: a date, or text YYYY-MM-DD."""
    if until is None or (isinstance(until, dt.date) and not isinstance(until, dt.datetime)):
        return until
    if isinstance(until, dt.datetime):
        return until.date()
    try:
        return dt.date.fromisoformat(str(until))
    except ValueError:
        raise InputError([f"{name}: {until!r} is not a date (allowed: YYYY-MM-DD)"]) from None


def _path(out: str | Path | None) -> Path | None:
    if out is None:
        return None
    from .analysis.runs.rundir import check_out_path

    return check_out_path(str(out))


def run(scenario: str | Path | LoadedScenario, *, rules: str | None = None, replications: int | None = None,
        seed: int | None = None, out: str | Path | None = None, resume: bool = False, force: bool = False,
        workers: int = 1, engine: str = "heap", events: bool = True, until: Day = None, more_groups: bool = True,
        progress: Progress = None) -> Result:
    """One scenario under one rule set (`sendsim run`); nothing written unless `out`. `more_groups`: results by
    phase and region too (the CLI's `--more-groups`, off there).

    >>> run("small_la", replications=2, until="2019-06-30").table()"""
    from .analysis.runs.run import run as run_scenario
    from .analysis.runs.table import run_table

    if isinstance(scenario, LoadedScenario) and (rules is not None or until is not None):
        raise ValueError("run(): a loaded scenario already has its rule set and end date: pass its name or path "
                         "with rules= and until=")
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario, rules, _day(until))
    reps = replications or loaded.scenario.replications
    sd = loaded.scenario.seed if seed is None else seed
    out_dir = _path(out)
    res = run_scenario(loaded, reps, sd, out_dir, workers, engine, events, progress, resume, force, more_groups)
    return Result("run", res.summary, out_dir, lambda: run_table(loaded, sd, res.replications, res.summary), res)


def compare(scenario: str | Path, rules: Sequence[str], *, replications: int | None = None, seed: int | None = None,
            out: str | Path | None = None, resume: bool = False, force: bool = False, workers: int = 1,
            events: bool = False, until: Day = None, from_start: bool = False, sensitivity: int | None = None,
            more_groups: bool = True, progress: Progress = None) -> Result:
    """Two or more rule sets on the same children, each against the first (`sendsim compare`); the table has every
    rule set's rows and the paired differences (`contrast`); with `out`, the runs, compare.json and the charts.
    `sensitivity=N` adds a Morris screening of every declared assumption (N trajectories) to the summary.

    >>> compare("small_la", rules=["current_2014", "green_paper_2022"], replications=2).to_pandas()"""
    from .analysis.runs.compare import compare_runs
    from .analysis.runs.table import comparison_table

    rules = [rules] if isinstance(rules, str) else list(rules)
    if len(rules) < 2:
        raise InputError([f"--rules: give at least two rule sets (got {len(rules)})"])
    out_dir = _path(out)
    day = _day(until)
    plan = None
    if sensitivity is not None:
        from .analysis.batch.sweep_plan import screening_plan

        plan = screening_plan(scenario, rules, sensitivity, seed, day)  # checked before anything runs
    c = compare_runs(scenario, rules, replications, seed, out_dir, workers, events, progress, day, resume, force,
                     from_start, more_groups=more_groups)
    summary = c.result
    if plan is not None:
        from .analysis.batch.sweep import run_sweep

        br = run_sweep(plan, out_dir / "sensitivity" if out_dir is not None else None, workers, None, False, progress)
        summary = {**summary, "sensitivity": br.sensitivity}
    files: list[Path] = []
    if out_dir is not None:  # two rule sets or more: each chart draws every rule set, the report compares each
        from .analysis.runs.results import load_results
        from .report.charts import write_charts

        files = list(write_charts(load_results(out_dir), out_dir / "charts"))

    def make() -> pa.Table:
        return comparison_table(c.loaded, c.seed, [r.replications for r in c.runs], [r.summary for r in c.runs])

    return Result("compare", summary, out_dir, make, c, files)


def case_study(file: str | Path, rules: Sequence[str], *, replications: int = 50, seed: int | None = None,
               out: str | Path | None = None, force: bool = False, scenario: str | Path | None = None,
               start_date: Day = None, from_start: bool = False) -> Result:
    """One child many times under each rule set (`sendsim case-study`); with `out`, its JSON and timeline chart.
    `scenario` and `start_date` override the file's; `from_start` puts every reform switch in force from the first
    day (a hypothetical, labelled so).

    >>> case_study("sam_autistic_mainstream_specialist", rules=["current_2014", "white_paper_2026"]).summary"""
    import json

    from .analysis.runs.case_study import case_study as run_case
    from .analysis.runs.case_study import final_plan_limits, load_case
    from .analysis.runs.folder import claim_folder, write_marker
    from .analysis.runs.rundir import write_atomic
    from .analysis.runs.table import Builder, add_case_study

    rules = [rules] if isinstance(rules, str) else list(rules)
    out_dir = _path(out)
    sc = str(scenario) if scenario is not None else None
    start_date = _day(start_date, "start_date")  # text YYYY-MM-DD as --start-date takes it, or a date
    case, loaded0, _la, _start = load_case(file, sc, start_date)
    sd = loaded0.scenario.seed if seed is None else seed
    files = [out_dir / f"{case.name}.json", out_dir / f"{case.name}.png"] if out_dir is not None else []
    if out_dir is not None:  # the folder contract: only a new folder or one sendsim marked for case studies
        claim_folder(out_dir, "case_study", accumulate=True)
    if not force and any(f.exists() for f in files):  # checked before anything runs
        raise InputError([f"--out: {files[0]} exists; refusing to overwrite it (allowed: another --out, or "
                          "--force)"])
    res = run_case(file, rules, replications, sd, sc, start_date, from_start)
    written: list[Path] = []
    if out_dir is not None:
        from .report.timeline import StatutoryLimit, case_timeline

        write_marker(out_dir, "case_study", {})
        write_atomic(files[0], json.dumps(res, indent=2, default=str) + "\n")
        limits = {r: StatutoryLimit(w, ref) for r, (w, ref) in final_plan_limits(file, rules, sc, start_date,
                                                                                    from_start).items()}
        res["chart"] = str(case_timeline(res, out_dir / f"{res['case']}.png", limits))
        written = [files[0], Path(res["chart"])]

    def make() -> pa.Table:
        b = Builder()
        add_case_study(b, res)
        return b.table()

    return Result("case_study", res, out_dir, make, res, written)


def batch(sweep: str | Path | Any, *, workers: int = 1, dask: str | None = None, out: str | Path | None = None,
          resume: bool = False, progress: Progress = None) -> Result:
    """Every point x rule set x replication of a sweep file (`sendsim batch`); the table is every task's every
    group and period (with the values applied, `parameters`); the summary is the sensitivity result. Nothing
    written unless `out` (the CLI names a default folder).

    >>> batch("scenarios/sweeps/mediation_settle_rates.yaml", workers=2).table()"""
    from .analysis.batch.catalogue import metrics_table
    from .analysis.batch.plan import Plan
    from .analysis.batch.sweep import run_sweep
    from .analysis.batch.sweep_plan import plan_sweep

    p = sweep if isinstance(sweep, Plan) else plan_sweep(sweep)  # the CLI plans first, for its default folder
    out_dir = Path(out) if out is not None else None
    res = run_sweep(p, out_dir, workers, dask, resume, progress)
    return Result("batch", res.sensitivity or {}, out_dir, lambda: metrics_table(res), res)


def backtest(scenario: str | Path, *, targets: str | Path | None = None, replications: int | None = None,
             seed: int | None = None, workers: int | None = None, by_la: bool = False,
             progress: Progress = None) -> Result:
    """The model against the official figures (`sendsim backtest`): for every target the observed figure, the
    model's mean and 95% interval; then the later periods as projections. Every target is checked before anything
    runs. `summary["within"] < summary["targets"]` when a target is missed (the CLI exits 3).

    >>> backtest("small_la", replications=2).summary["within"]"""
    from .analysis.fit.backtest import compare as compare_targets
    from .analysis.fit.backtest import (
        compare_by_la,
        default_targets,
        la_summary,
        load_la_targets,
        load_targets,
        run_replications,
    )
    from .analysis.runs.runner import default_workers
    from .analysis.runs.table import Builder, Span, add_backtest

    loaded = load_scenario(scenario)
    sc = loaded.scenario
    tpath = Path(targets) if targets is not None else default_targets(loaded.path, sc.name)
    tg = load_targets(tpath, sc.start_date, sc.end_date)
    la_targets = load_la_targets(tpath.with_name(tpath.stem + "_by_la" + tpath.suffix), loaded, tg) if by_la else []
    reps = replications or sc.replications
    sd = sc.seed if seed is None else seed
    w = workers or default_workers(reps)
    t0 = time.perf_counter()
    if progress:
        progress(f"backtest {sc.name}: {len(tg)} targets from {tpath}, {reps} replications, seed {sd}, "
                 f"{w} worker(s)")
    results = run_replications(loaded, reps, sd, w, by_la, progress)
    rows, projections = compare_targets(tg, results, sc.start_date, sc.end_date)
    out: dict[str, Any] = {"rows": rows, "projections": projections, "scenario": sc.name, "rules": loaded.law.name,
                           "seed": sd, "replications": reps, "targets_file": str(tpath),
                           "within": sum(bool(r["within_tolerance"]) for r in rows), "targets": len(rows),
                           "wall_seconds": round(time.perf_counter() - t0, 1)}
    if by_la:
        la_rows = compare_by_la(la_targets, results)
        out["by_la"] = {"summary": la_summary(la_rows), "rows": la_rows}

    def make() -> pa.Table:
        b = Builder()
        span = Span.of(loaded)
        add_backtest(b, out, span)
        add_backtest(b, {**out, "rows": (out.get("by_la") or {}).get("rows", []), "projections": []}, span)
        return b.table()

    return Result("backtest", out, None, make, {"replications": results, "loaded": loaded})
