"""`sendsim compare`: two rule sets, the same children, paired differences."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ...analysis.compare import compare
from ...report.tables import format_comparison, to_json
from ...schema.files import InputError


@click.command("compare")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--rules", "rules", multiple=True, required=True,
              help="A rule set, reform, or NAME+switch+switch; give it twice (first is the baseline).")
@click.option("--replications", "-n", type=click.IntRange(min=2), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Master seed (default: the scenario's).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Folder for both runs, compare.json and the charts (PNG, SVG, CSV).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--events", is_flag=True, help="Also write the event logs.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="End both runs on this date instead of the scenario's end_date (YYYY-MM-DD).")
@click.option("--from-start", "from_start", is_flag=True,
              help="Every switch as if in force from the first day of the run, whatever its commencement date "
                   "(a hypothetical: the in-force table says so).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(scenario: Path, rules: tuple[str, ...], replications: int | None, seed: int | None, out: Path | None,
            workers: int, events: bool, until, from_start: bool, as_json: bool) -> None:
    """Compare two rule sets on the same children: what changed, then each metric and the paired difference."""
    from ..util import fail as _fail

    if len(rules) != 2:
        click.echo(f"error: --rules: give exactly two rule sets (got {len(rules)})", err=True)
        raise SystemExit(2)

    def progress(msg: str) -> None:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {msg}", err=True)

    try:
        res = compare(scenario, rules[0], rules[1], replications, seed, out, workers, events, progress,
                      until.date() if until else None, from_start)
    except InputError as e:
        _fail(e)
    click.echo(to_json(res) if as_json else format_comparison(res))
    if out is None:
        click.echo("nothing saved: give --out FOLDER to keep both runs, compare.json and the charts", err=True)
        return
    from ...analysis.results import load_results
    from ...report.charts import write_charts

    files = write_charts(load_results(out), out / "charts")
    click.echo(f"saved: {out}/compare.json, the two runs {out}/1-{res['rules'][0]}/ and {out}/2-{res['rules'][1]}/, "
               f"and {len(files)} chart files (PNG, SVG, CSV) in {out / 'charts'}; "
               f"`sendsim report {out}` makes the HTML report", err=True)
