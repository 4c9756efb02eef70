"""`sendsim case-study FILE --rules A --rules B`: one child, many runs, under each rule set."""

from __future__ import annotations

from pathlib import Path

import click

from ...schema.files import InputError
from ..util import MAX_REPLICATIONS


@click.command("case-study")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--rules", "rules", multiple=True, required=True, help="Rule sets to compare (give one or more).")
@click.option("--replications", "-n", "--runs", "runs", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=50, show_default=True,
              help="Runs per rule set (--runs is the old name).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Master seed (default: the scenario's).")
@click.option("--out", type=str, default=None, help="Folder for the JSON result and the timeline chart (PNG, SVG and the CSV behind it).")
@click.option("--force", is_flag=True, help="Overwrite the case's files in --out.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(file: Path, rules: tuple[str, ...], runs: int, seed: int | None, out: str | None, force: bool,
            as_json: bool) -> None:
    """One child through each rule set: timings, the likely route, who is accountable at each step.

    \b
    Example: sendsim case-study sam_autistic_mainstream_specialist --rules current_2014 --rules white_paper_2026
    """
    from ...api import case_study as case_study_api
    from ...report.tables import format_case, safe_dumps
    from ..util import fail as _fail
    from ..util import warn_replications

    warn_replications(runs)
    try:
        res = case_study_api(file, list(rules), replications=runs, seed=seed, out=out, force=force).summary
    except InputError as e:
        _fail(e)
    click.echo(safe_dumps(res, indent=2, default=str) if as_json else format_case(res))
