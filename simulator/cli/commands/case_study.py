"""`sendsim case-study FILE --rules A --rules B`: one child, many runs, under each rule set."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ...schema.files import InputError
from ..util import MAX_REPLICATIONS, SCENARIO_ALLOWED, InputPath, IsoDate, NonEmpty


@click.command("case-study")
@click.argument("file", type=InputPath("a case-study file or a shipped case's name, e.g. sam_autistic_mainstream_specialist"))
@click.option("--rules", "rules", multiple=True, required=True, help="Rule sets to compare (give one or more).")
@click.option("--replications", "-n", "--runs", "runs", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=50, show_default=True,
              help="Runs per rule set (--runs is the old name).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Master seed (default: the scenario's).")
@click.option("--out", type=str, default=None, help="Folder for the JSON result and the timeline chart (PNG, SVG and the CSV behind it).")
@click.option("--scenario", "scenario", type=NonEmpty(SCENARIO_ALLOWED), default=None,
              help="Scenario to run the child in (a shipped name or a path), overriding the file's.")
@click.option("--start-date", "start_date", type=IsoDate(), default=None,
              help="The child's start date (YYYY-MM-DD), overriding the file's; must fall within the scenario.")
@click.option("--from-start", is_flag=True,
              help="Hypothetical: every reform switch in force from the first day of the run, whatever its date.")
@click.option("--force", is_flag=True, help="Overwrite the case's files in --out.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(file: Path, rules: tuple[str, ...], runs: int, seed: int | None, out: str | None, scenario: str | None,
            start_date: dt.datetime | None, from_start: bool, force: bool, as_json: bool) -> None:
    """One child through each rule set: timings, the likely route, who is accountable at each step.

    \b
    Example: sendsim case-study sam_autistic_mainstream_specialist --rules current_2014 --rules white_paper_2026
    \b
    A reform in force: sendsim case-study phase_transfer_year6 --rules current_2014 --rules white_paper_2026
      --scenario small_la_from_2024 --start-date 2031-01-01
    """
    from ...api import case_study as case_study_api
    from ...report.tables import format_case, safe_dumps
    from ..util import fail as _fail
    from ..util import warn_replications

    if force and out is None:  # without --out nothing is written: the flag would do nothing
        _fail(InputError(["--force: replaces the case's files in the folder given with --out, and none is given "
                          "(allowed: --force with --out FOLDER; without --out nothing is written)"]))
    warn_replications(runs)
    day = start_date.date() if start_date is not None else None
    try:
        res = case_study_api(file, list(rules), replications=runs, seed=seed, out=out, force=force,
                             scenario=scenario, start_date=day, from_start=from_start).summary
    except InputError as e:
        _fail(e)
    click.echo(safe_dumps(res, indent=2, default=str) if as_json else format_case(res))
