"""`sendsim backtest`: does the model reproduce what actually happened? Official figures beside the model's."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ...analysis.fit.backtest import (
    METRICS,
    compare,
    compare_by_la,
    default_targets,
    la_summary,
    load_la_targets,
    load_targets,
    run_replications,
)
from ...analysis.runs.runner import default_workers
from ...report.tables import format_rows
from ...rules.scenario import load_scenario
from ...schema.files import InputError
from ..util import EXIT_TARGETS_MISSED, MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from ..util import fail as _fail


@click.command("backtest")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--targets", "targets_path", type=click.Path(path_type=Path), default=None,
              help="Targets file (default: scenarios/targets/<scenario name>.csv next to the scenario).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=None, help="Master seed (default: the scenario's).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              help="Processes (default: one per replication up to the CPUs; results do not depend on it).")
@click.option("--by-la", "by_la", is_flag=True,
              help="Also compare every authority's own figures (targets/<name>_by_la.csv).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {rows: targets, projections: later periods, by_la: ...}.")
def command(scenario: Path, targets_path: Path | None, replications: int | None, seed: int | None,
            workers: int | None, by_la: bool, as_json: bool) -> None:
    """Compare a run with the official figures: observed, model mean and 95% CI, tolerance.

    \b
    Example: sendsim backtest england --json
    Exit code 3 when a target is missed.

    Every target is checked before anything runs (unknown metric, period outside the horizon, malformed number:
    one line per problem, exit code 2). After the targets, every later period of each metric is shown with no
    observed value: the scenario's projection.
    """
    try:
        loaded = load_scenario(scenario)
        sc = loaded.scenario
        tpath = targets_path or default_targets(loaded.path, sc.name)
        targets = load_targets(tpath, sc.start_date, sc.end_date)
        la_targets = []
        if by_la:
            la_targets = load_la_targets(tpath.with_name(tpath.stem + "_by_la" + tpath.suffix), loaded, targets)
    except InputError as e:
        _fail(e)
    reps = replications or sc.replications
    sd = sc.seed if seed is None else seed
    w = workers or default_workers(reps)
    t0 = time.perf_counter()
    click.echo(f"[{time.strftime('%H:%M:%S')}] backtest {sc.name}: {len(targets)} targets from {tpath}, {reps} "
               f"replications, seed {sd}, {w} worker(s)", err=True)
    results = run_replications(loaded, reps, sd, w, by_la,
                               lambda m: click.echo(f"[{time.strftime('%H:%M:%S')}] {m}", err=True))
    rows, projections = compare(targets, results, sc.start_date, sc.end_date)
    out: dict[str, Any] = {"rows": rows, "projections": projections, "scenario": sc.name, "rules": loaded.law.name,
                           "seed": sd, "replications": reps, "targets_file": str(tpath),
                           "within": sum(bool(r["within_tolerance"]) for r in rows), "targets": len(rows),
                           "wall_seconds": round(time.perf_counter() - t0, 1)}
    if by_la:
        la_rows = compare_by_la(la_targets, results)
        out["by_la"] = {"summary": la_summary(la_rows), "rows": la_rows}
    if as_json:
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        _exit_if_missed(out)
        return
    click.echo(f"{sc.name} under {loaded.law.name}: {sc.start_date} to {sc.end_date}, {reps} replications, seed {sd}"
               f"\n")
    click.echo(format_rows(rows))
    click.echo(f"\n{out['within']} of {out['targets']} targets within tolerance.\n\nProjections (no official "
               "figure):\n")
    click.echo(format_rows(projections))
    if by_la:
        s = out["by_la"]["summary"]
        click.echo(f"\nPer authority: {s['authorities_all_within']} of {s['authorities']} authorities have all their "
                   f"own figures within tolerance; {s['figures_within']} of {s['figures']} figures within.")
        for m, v in s["by_metric"].items():
            click.echo(f"  {METRICS[m].label}: {v['within']} of {v['figures']}")
    click.echo(f"\n({out['wall_seconds']} s)")
    _exit_if_missed(out)


def _exit_if_missed(out: dict[str, Any]) -> None:
    """Exit code 3 when the run worked but targets were missed (so a script or CI can tell)."""
    if out["within"] < out["targets"]:
        click.echo(f"targets missed: {out['targets'] - out['within']} of {out['targets']} outside tolerance "
                   "(exit code 3)", err=True)
        sys.exit(EXIT_TARGETS_MISSED)
