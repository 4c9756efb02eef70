"""`sendsim backtest`: does the model reproduce what actually happened? Official figures beside the model's."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ...analysis.fit.backtest import METRICS
from ...analysis.fit.rolling import rolling_origin
from ...analysis.runs.runner import default_workers
from ...report.tables import format_rolling, format_rows
from ...schema.files import InputError
from ..util import (
    EXIT_TARGETS_MISSED,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_WORKERS,
    SCENARIO_ALLOWED,
    TARGETS_ALLOWED,
    InputPath,
    progress,
)
from ..util import fail as _fail


@click.command("backtest")
@click.argument("scenario", type=InputPath(SCENARIO_ALLOWED))
@click.option("--targets", "targets_path", type=InputPath(TARGETS_ALLOWED), default=None,
              help="Targets file (default: scenarios/targets/<scenario name>.csv next to the scenario).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=None, help="Master seed (default: the scenario's).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              help="Processes (default: one per replication up to the CPUs; results do not depend on it).")
@click.option("--by-la", "by_la", is_flag=True,
              help="Also compare every authority's own figures (targets/<name>_by_la.csv).")
@click.option("--origin", type=int, default=None,
              help="Rolling origin: calibrate on figures up to this year only, project the next two years, and set "
                   "every authority beside its official figures, persistence and trend (docs/MODEL.md 7.7).")
@click.option("--rounds", type=click.IntRange(min=0, max=20), default=2, show_default=True,
              help="--origin: joint calibration rounds on the figures up to the origin (0: none).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {rows: targets, projections: later periods, by_la: ...}.")
def command(scenario: Path, targets_path: Path | None, replications: int | None, seed: int | None,
            workers: int | None, by_la: bool, origin: int | None, rounds: int, as_json: bool) -> None:
    """Compare a run with the official figures: observed, model mean and 95% CI, tolerance.

    \b
    Example: sendsim backtest england --json
    Exit code 3 when a target is missed.

    Every target is checked before anything runs (unknown metric, period outside the horizon, malformed number:
    one line per problem, exit code 2). After the targets, every later period of each metric is shown with no
    observed value: the scenario's projection.

    With --origin YEAR: a rolling-origin backtest (calibrated on figures up to YEAR, YEAR+1 and YEAR+2 projected;
    per authority beside persistence and trend; exit 0 whatever the errors: it measures, it does not pass or fail).
    """
    if origin is not None:
        _rolling(scenario, targets_path, replications, seed, workers, origin, rounds, as_json)
        return
    from ...api import backtest as backtest_api

    try:
        r = backtest_api(scenario, targets=targets_path, replications=replications, seed=seed, workers=workers,
                         by_la=by_la, progress=progress)
    except InputError as e:
        _fail(e)
    out, sc = r.summary, r.raw["loaded"].scenario
    sd, reps = out["seed"], out["replications"]
    if as_json:
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        _exit_if_missed(out)
        return
    click.echo(f"{sc.name} under {out['rules']}: {sc.start_date} to {sc.end_date}, {reps} replications, seed {sd}"
               f"\n")
    click.echo(format_rows(out["rows"]))
    click.echo(f"\n{out['within']} of {out['targets']} targets within tolerance.\n\nProjections (no official "
               "figure):\n")
    click.echo(format_rows(out["projections"]))
    if by_la:
        s = out["by_la"]["summary"]
        click.echo(f"\nPer authority: {s['authorities_all_within']} of {s['authorities']} authorities have all their "
                   f"own figures within tolerance; {s['figures_within']} of {s['figures']} figures within.")
        for m, v in s["by_metric"].items():
            click.echo(f"  {METRICS[m].label}: {v['within']} of {v['figures']}")
    click.echo(f"\n({out['wall_seconds']} s)")
    _exit_if_missed(out)


def _rolling(scenario: Path, targets_path: Path | None, replications: int | None, seed: int | None,
             workers: int | None, origin: int, rounds: int, as_json: bool) -> None:
    """`backtest --origin YEAR`: the rolling-origin measure (analysis.fit.rolling), printed or as JSON."""
    t0 = time.perf_counter()
    say = progress  # a progress line on stderr, unless -q (sixth held-out round: -q printed them)
    try:
        out = rolling_origin(scenario, origin, replications, seed, workers or default_workers(replications or 2),
                             rounds, targets_path, say)
    except InputError as e:
        _fail(e)
    out["wall_seconds"] = round(time.perf_counter() - t0, 1)
    if as_json:
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        return
    click.echo(f"{out['scenario']}: rolling origin {origin} (figures up to {origin}; {out['rounds']} calibration "
               f"rounds), projected {', '.join(map(str, out['horizons']))}; {out['replications']} replications, seed "
               f"{out['seed']}\n")
    for line in out["cut"]:
        click.echo(f"  cut: {line}")
    if out["not_refitted"]:
        click.echo(f"  kept from the shipped calibration (no figure up to {origin} to refit them): "
                   + ", ".join(out["not_refitted"]))
    click.echo("\nNational figures:\n")
    click.echo(format_rows(out["rows"]))
    for key, title in (("summary", "one year ahead"), ("summary_horizon_2", "two years ahead")):
        rows = out["by_la"][key]
        if not rows:
            continue
        click.echo(f"\nPer authority, {title}: mean absolute error (points, or % of the observed value)\n")
        click.echo(format_rolling(rows))
    click.echo(f"\n{out['by_la']['replication_note']}\n({out['wall_seconds']} s)")


def _exit_if_missed(out: dict[str, Any]) -> None:
    """Exit code 3 when the run worked but targets were missed (so a script or CI can tell)."""
    if out["within"] < out["targets"]:
        click.echo(f"targets missed: {out['targets'] - out['within']} of {out['targets']} outside tolerance "
                   "(exit code 3)", err=True)
        sys.exit(EXIT_TARGETS_MISSED)
