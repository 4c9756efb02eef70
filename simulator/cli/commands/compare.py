"""`sendsim compare`: two rule sets (or more, against the first), the same children, paired differences;
`--sensitivity N` adds a Morris screening (N trajectories) of every declared assumption's effect on them."""

from __future__ import annotations

from pathlib import Path

import click

from ...report.tables import format_comparison, to_json
from ...schema.files import InputError
from ..util import MAX_REPLICATIONS, MAX_WORKERS, SCENARIO_ALLOWED, InputPath, IsoDate


@click.command("compare")
@click.argument("scenario", type=InputPath(SCENARIO_ALLOWED))
@click.option("--rules", "rules", multiple=True, required=True,
              help="A rule set, reform, or NAME+switch+switch; give it twice or more (first is the baseline).")
@click.option("--replications", "-n", type=click.IntRange(min=2, max=MAX_REPLICATIONS), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Master seed (default: the scenario's).")
@click.option("--out", type=str, default=None, help="Folder for both run folders, compare.json and the charts (PNG, SVG, CSV).")
@click.option("--resume", is_flag=True, help="Continue the runs in --out (same scenario, rules, seed).")
@click.option("--force", is_flag=True, help="Delete the runs in --out and start again.")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              help="Processes (default: the CPUs; results do not depend on it).")
@click.option("--events/--no-events", default=False, show_default=True, help="Write the event logs (with --out).")
@click.option("--until", type=IsoDate(), default=None,
              help="End both runs on this date instead of the scenario's end_date (YYYY-MM-DD).")
@click.option("--from-start", "from_start", is_flag=True,
              help="Every switch as if in force from the first day of the run, whatever its commencement date "
                   "(a hypothetical: the in-force table says so).")
@click.option("--more-groups", "more_groups", is_flag=True,
              help="Results also by phase (when the route began) and by region, beside capacity, requester, need.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--sensitivity", "trajectories", type=click.IntRange(min=10, max=10_000), default=None, metavar="N",
              help="Also screen every declared assumption (Morris, N >= 10 trajectories, 2 replications a point).")
@click.option("--uncertainty", "draws", type=click.IntRange(min=2, max=1000), default=None, metavar="N",
              help="Also draw N sets of the declared ranges (the projection, the changed effects; a Latin "
                   "hypercube), run both rule sets at each with common random numbers (2 replications a draw), and "
                   "give each difference an interval over assumptions and replications beside the replication-only "
                   "one.")
def command(scenario: Path, rules: tuple[str, ...], replications: int | None, seed: int | None, out: str | None,
            resume: bool, force: bool, workers: int | None, events: bool, until, from_start: bool,
            more_groups: bool, as_json: bool, trajectories: int | None, draws: int | None) -> None:
    """Rule sets on the same children: what changed, each metric, the paired difference.

    Two rule sets give one comparison; three or more compare each with the first (the baseline).

    \b
    Example: sendsim compare small_la --rules current_2014 --rules green_paper_2022 -n 5"""
    from ...analysis.runs.rundir import check_out_path
    from ...api import compare as compare_api
    from ..util import default_workers, progress, set_resume_hint, warn_replications

    if len(rules) < 2:
        raise InputError([f"--rules: give at least two rule sets (got {len(rules)})"])
    if out is None and (resume or force):  # without --out nothing is written: the flag would do nothing
        flag = "--resume" if resume else "--force"
        raise InputError([f"{flag}: acts on the folder given with --out, and none is given (allowed: {flag} with "
                          "--out FOLDER; without --out nothing is written)"])
    out_dir = check_out_path(out) if out is not None else None
    if replications:
        warn_replications(replications)
    if out_dir is not None:
        set_resume_hint(out_dir)
    r = compare_api(scenario, list(rules), replications=replications, seed=seed, out=out_dir, resume=resume,
                    force=force, workers=workers or default_workers(), events=events, until=until,
                    from_start=from_start, sensitivity=trajectories, more_groups=more_groups, progress=progress)
    res = r.summary
    sens_text = ""
    if trajectories is not None:
        from ...report.batch_tables import format_sensitivity

        sens_text = "\n\n" + format_sensitivity(res.get("sensitivity") or {})
    if draws is not None:
        if len(rules) != 2:
            raise InputError(["--uncertainty: give exactly two rule sets"])
        from ...analysis.batch.sweep import run_sweep
        from ...analysis.batch.uncertainty import summarise_uncertainty, uncertainty_plan
        from ...report.tables import format_uncertainty

        day = until.date() if until else None
        up = uncertainty_plan(scenario, rules[0], rules[1], draws, seed, day)
        ur = run_sweep(up, out_dir / "uncertainty" if out_dir is not None else None, workers or default_workers(),
                       None, False, progress)
        res = {**res, "uncertainty": summarise_uncertainty(ur, res)}
        sens_text += "\n\n" + format_uncertainty(res)
    if as_json:
        click.echo(to_json(res))
    else:
        raw = r.raw
        places = [la.name for la in raw.loaded[0].scenario.local_authorities.items] if getattr(
            raw, "loaded", None) else None  # the councils by name in the text's first line
        if "comparisons" in res:
            click.echo("\n\n".join(format_comparison(c, places) for c in res["comparisons"]) + sens_text)
        else:
            click.echo(format_comparison(res, places) + sens_text)
    if out_dir is None:
        if not as_json:
            click.echo("nothing saved: give --out FOLDER to keep both runs, compare.json and the charts", err=True)
        return
    if "comparisons" in res:
        click.echo(f"saved: {out_dir}/compare.json, the runs in {out_dir}, and {len(r.files)} chart files (PNG, SVG, "
                   f"CSV) in {out_dir / 'charts'}; `sendsim report {out_dir}` makes the HTML report", err=True)
        return
    click.echo(f"saved: {out_dir}/compare.json, the two runs {out_dir}/1-{res['rules'][0]}/ and "
               f"{out_dir}/2-{res['rules'][1]}/, and {len(r.files)} chart files (PNG, SVG, CSV) in {out_dir / 'charts'}; "
               f"`sendsim report {out_dir}` makes the HTML report", err=True)
