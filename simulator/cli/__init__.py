"""The `sendsim` command. Thin: every command calls a function of the Python API.

Exit codes: 0 success; 2 bad input (one line per problem, naming file, line, field and what
is allowed; nothing written); 1 an unexpected failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..report.tables import format_summary
from ..rules.scenario import load_scenario
from ..schema.files import InputError
from .util import fail, progress

_fail = fail
_progress = progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sendsim")
def main() -> None:
    """sendsim: simulate children's routes through England's SEND system under current and proposed rules."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check a scenario file (and the rule set it names); report every error at once."""
    try:
        loaded = load_scenario(scenario)
    except InputError as e:
        _fail(e)
    sc = loaded.scenario
    click.echo(f"{scenario}: valid ({len(sc.local_authorities.items)} local authorities, rules {loaded.law.name}, "
               f"{sc.start_date} to {sc.end_date})")


@main.command()
@click.option("--kind", type=click.Choice(["scenario", "rules", "sweep"]), default="scenario", show_default=True)
def schema(kind: str) -> None:
    """Print the JSON Schema of scenario (or rule set, or sweep) files, for editors."""
    from ..schema.rules import RuleSet
    from ..schema.scenario import Scenario
    from ..schema.sweep import Sweep

    model = {"scenario": Scenario, "rules": RuleSet, "sweep": Sweep}[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--replications", "-n", type=click.IntRange(min=1), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Master seed (default: the scenario's).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Run directory (default: outputs/<run-id>).")
@click.option("--rules", default=None, help="Rule set to use instead of the scenario's.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes running replications in parallel (results do not depend on it).")
@click.option("--engine", type=click.Choice(["heap", "simpy"]), default="heap", show_default=True,
              help="Event loop: the lean heap loop or the SimPy reference (identical results).")
@click.option("--no-events", is_flag=True, help="Do not write the event log (faster for national runs).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="End the run on this date instead of the scenario's end_date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def run(scenario: Path, replications: int | None, seed: int | None, out: Path | None, rules: str | None,
        workers: int, engine: str, no_events: bool, until, as_json: bool) -> None:
    """Run a scenario: a summary table of every metric, mean and 95% CI over replications."""
    from ..analysis.run import default_out_dir
    from ..analysis.run import run as run_api

    try:
        loaded = load_scenario(scenario, rules, until.date() if until else None)
    except InputError as e:
        _fail(e)
    reps = replications or loaded.scenario.replications
    sd = loaded.scenario.seed if seed is None else seed
    out_dir = out or default_out_dir(loaded, sd, reps)
    _progress(f"running {loaded.scenario.name} under {loaded.law.name}: {reps} replications, seed {sd}, "
              f"{workers} worker(s), writing {out_dir}")
    res = run_api(loaded, reps, sd, out_dir, workers, engine, not no_events, _progress)
    if as_json:
        click.echo(json.dumps(res.summary, indent=2, sort_keys=True))
    else:
        click.echo(format_summary(res.summary))
        click.echo(f"\noutputs: {out_dir}")


def _register_commands() -> None:
    import importlib

    from .commands import COMMANDS

    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.commands.{name}":
                continue
            raise
        main.add_command(mod.command)


_register_commands()
