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
    from ...analysis.runs.case_study import case_study, final_plan_limits, load_case
    from ...analysis.runs.folder import claim_folder, write_marker
    from ...analysis.runs.rundir import check_out_path, write_atomic
    from ...report.tables import format_case, safe_dumps
    from ...report.timeline import StatutoryLimit, case_timeline
    from ..util import fail as _fail
    from ..util import warn_replications

    out_dir = check_out_path(out) if out is not None else None
    warn_replications(runs)
    case, loaded0, _la, _start = load_case(file)
    if seed is None:
        seed = loaded0.scenario.seed
    files = [out_dir / f"{case.name}.json", out_dir / f"{case.name}.png"] if out_dir is not None else []
    if out_dir is not None:  # the folder contract: only a new folder or one sendsim marked for case studies
        claim_folder(out_dir, "case_study", accumulate=True)
    if not force and any(f.exists() for f in files):  # checked before anything runs
        raise InputError([f"--out: {files[0]} exists; refusing to overwrite it (allowed: another --out, or "
                          "--force)"])
    try:
        res = case_study(file, list(rules), runs, seed)
    except InputError as e:
        _fail(e)
    if out_dir is not None:
        write_marker(out_dir, "case_study", {})
        write_atomic(files[0], safe_dumps(res, indent=2, default=str) + "\n")
        out = out_dir
        limits = {r: StatutoryLimit(w, ref) for r, (w, ref) in final_plan_limits(file, list(rules)).items()}
        res["chart"] = str(case_timeline(res, out / f"{res['case']}.png", limits))
    click.echo(safe_dumps(res, indent=2, default=str) if as_json else format_case(res))
