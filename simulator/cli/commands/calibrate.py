"""`sendsim calibrate`: fit the scenario's assumed parameters to its targets, reproducibly (analysis/calibration.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ...analysis.fit.calibration import calibrate
from ...report.tables import safe_dumps
from ...schema.files import InputError
from ..util import MAX_SEED, MAX_WORKERS, SCENARIO_ALLOWED, TARGETS_ALLOWED, InputPath, progress
from ..util import fail as _fail


def _say(msg: str) -> None:
    progress(msg)


@click.command("calibrate")
@click.argument("scenario", type=InputPath(SCENARIO_ALLOWED))
@click.option("--targets", "targets_path", type=InputPath(TARGETS_ALLOWED), default=None,
              help="Targets file (default: scenarios/targets/<scenario name>.csv).")
@click.option("--stage", type=click.Choice(["delays", "national", "all", "joint"]), default="all", show_default=True,
              help="delays: each authority's own delay per year, alone; national: national behaviour parameters; "
                   "joint: both (and each year's assessment lapse) on the full model, starting from the values "
                   "already in the scenario.")
@click.option("--rounds", type=click.IntRange(min=1, max=100), default=2, show_default=True,
              help="Rounds of updates: national stage, two full replications each; joint stage, one each.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=None, help="Seed (default: the scenario's).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              help="Processes (default: the CPUs; results do not depend on it).")
@click.option("--la", "codes", multiple=True, help="Fit delays for these authority codes only.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for <scenario name>.yaml, or a file ending .yaml (default: calibration/ beside the "
                   "scenario, read by scripts/build_scenarios.py; the current folder for a shipped one).")
@click.option("--force", is_flag=True, help="Replace the --out file even if sendsim calibrate did not write it "
                                            "(that file only).")
@click.option("--json", "as_json", is_flag=True, help="Print the fit report as JSON.")
def command(scenario: Path, targets_path: Path | None, stage: str, rounds: int, seed: int | None,
            workers: int | None,
            codes: tuple[str, ...], out: Path | None, force: bool, as_json: bool) -> None:
    """Fit each authority's delay per year, and national dispute, mediation, hearing and cessation parameters.

    Reproducible: fixed seeds and a fixed number of steps, so the same inputs give the same calibration file.
    Writes the calibration file with `calibrated: <date, method, targets>` provenance for every value; rebuild the
    shipped scenarios with `python scripts/build_scenarios.py` to use it. Reports the fit and the count of
    parameters against targets (never more parameters than targets).
    """
    from ..util import default_workers

    try:
        report = calibrate(scenario, targets_path, stage, rounds, seed, workers or default_workers(), codes, out,
                           _say, force)
    except InputError as e:
        _fail(e)
    n_params, n_tg, out = report["parameters"], report["targets"], report["calibration_file"]
    if as_json:
        click.echo(safe_dumps(report, indent=2))
    else:
        click.echo(f"calibrated {n_params} parameters from {n_tg} targets; wrote {out}")
        if "delays" in report:
            c = report["delays"]
            click.echo(f"  delays: {c['parameters']} authority-years for {c['authorities']} authorities; "
                       f"{c['authority_years_within_3_points']} within 3 points of their own % within 20 weeks")
        if "national" in report:
            for k, v in report["national"]["values"].items():
                click.echo(f"  {k}: {v}")
        if "joint" in report:
            last = report["joint"]["rounds"][-1]
            click.echo(f"  joint rounds: {len(report['joint']['rounds'])}; last round: "
                       f"{last['authority_years_within_3_points']} of {last['of']} authority-years within 3 points "
                       f"of their % within 20 weeks; new plans {last['new_plans']}; lapse by year "
                       f"{last['lapse_by_year']}")
        click.echo("rebuild the shipped scenarios with: python scripts/build_scenarios.py; then sendsim backtest")
