"""`sendsim case-study FILE --rules A --rules B`: one child, many runs, under each rule set."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...schema.files import InputError


@click.command("case-study")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--rules", "rules", multiple=True, required=True, help="Rule sets to compare (give one or more).")
@click.option("--runs", type=click.IntRange(min=1), default=50, show_default=True, help="Runs per rule set.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the JSON result and the timeline chart (PNG, SVG and the CSV behind it).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(file: Path, rules: tuple[str, ...], runs: int, seed: int, out: Path | None, as_json: bool) -> None:
    """Run a case-study child through each rule set: timings, the likely route, who is accountable at each step."""
    from ...analysis.case_study import case_study, final_plan_limits
    from ...report.tables import format_case
    from ...report.timeline import StatutoryLimit, case_timeline
    from ..util import fail as _fail

    try:
        res = case_study(file, list(rules), runs, seed)
    except InputError as e:
        _fail(e)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{res['case']}.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
        limits = {r: StatutoryLimit(w, ref) for r, (w, ref) in final_plan_limits(file, list(rules)).items()}
        res["chart"] = str(case_timeline(res, out / f"{res['case']}.png", limits))
    click.echo(json.dumps(res, indent=2, default=str) if as_json else format_case(res))
