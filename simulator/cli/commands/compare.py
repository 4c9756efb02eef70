"""`sendsim compare`: two rule sets (or more, against the first), the same children, paired differences;
`--sensitivity N` adds a Morris screening (N trajectories) of every declared assumption's effect on them."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ...analysis.compare import compare, compare_many
from ...report.tables import format_comparison, to_json
from ...schema.files import InputError


@click.command("compare")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--rules", "rules", multiple=True, required=True,
              help="A rule set, reform, or NAME+switch+switch; give it twice or more (first is the baseline).")
@click.option("--replications", "-n", type=click.IntRange(min=2), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Master seed (default: the scenario's).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Folder for both runs and compare.json.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--events", is_flag=True, help="Also write the event logs.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="End both runs on this date instead of the scenario's end_date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--sensitivity", "trajectories", type=click.IntRange(min=10), default=None, metavar="N",
              help="Also screen every declared assumption (Morris, N >= 10 trajectories, 2 replications a point).")
def command(scenario: Path, rules: tuple[str, ...], replications: int | None, seed: int | None, out: Path | None,
            workers: int, events: bool, until, as_json: bool, trajectories: int | None) -> None:
    """Compare rule sets on the same children: what changed, then each metric and the paired difference."""
    from ..util import fail as _fail

    if len(rules) < 2:
        click.echo(f"error: --rules: give at least two rule sets (got {len(rules)})", err=True)
        raise SystemExit(2)

    def progress(msg: str) -> None:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {msg}", err=True)

    day = until.date() if until else None
    plan = None
    if trajectories is not None:
        from ...analysis.sweep_plan import screening_plan

        try:
            plan = screening_plan(scenario, list(rules), trajectories, seed, day)
        except InputError as e:
            _fail(e)
    try:
        if len(rules) == 2:
            res = compare(scenario, rules[0], rules[1], replications, seed, out, workers, events, progress, day)
        else:
            res = compare_many(scenario, rules, replications, seed, out, workers, events, progress, day)
    except InputError as e:
        _fail(e)
    sens_text = ""
    if plan is not None:
        from ...analysis.batch_run import run_sweep
        from ...report.batch_tables import format_sensitivity

        br = run_sweep(plan, out / "sensitivity" if out is not None else None, workers, None, False, progress)
        res = {**res, "sensitivity": br.sensitivity}
        sens_text = "\n\n" + format_sensitivity(br.sensitivity or {})
    if as_json:
        click.echo(to_json(res))
    elif "comparisons" in res:
        click.echo("\n\n".join(format_comparison(c) for c in res["comparisons"]) + sens_text)
    else:
        click.echo(format_comparison(res) + sens_text)
