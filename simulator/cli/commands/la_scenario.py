"""`sendsim la-scenario`: a calibrated scenario for one local authority (official figures or a forum's own)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...analysis.fit.la_scenario import Figures, build_council, slug
from ...analysis.runs.folder import claim_file
from ...report.tables import safe_dumps
from ...rules.scenario import load_scenario
from ...schema.files import InputError, non_file_problem, read_yaml
from ...schema.scenario import LAST_YEAR
from ...schema.shipped import data_root, locate
from ..util import MAX_SEED, SCENARIO_ALLOWED, CountText, InputPath, PercentText


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(2)


@click.command("la-scenario")
@click.option("--la", "la_name", default=None, help="An English local authority (name or code): its official figures.")
@click.option("--name", default=None, help="A name for a scenario built from figures you supply (with the options "
                                           "below).")
# the scenario runs the year and the next, and a scenario's dates end in LAST_YEAR: 2100 built a file that ended 2101
@click.option("--year", type=click.IntRange(2019, LAST_YEAR - 1), default=2023, show_default=True,
              help="--name: the calendar year the figures describe (the scenario runs it and the year after).")
@click.option("--requests-per-year", type=CountText(), default=None, help="--name: requests for assessment that year.")
@click.option("--refused-pct", type=PercentText(), default=None, help="--name: % of requests refused.")
@click.option("--within-20-weeks-pct", type=PercentText(), default=None, help="--name: % of new plans within 20 weeks.")
@click.option("--plans-in-force", type=int, default=None, help="--name: plans in force in January of that year.")
@click.option("--eps", type=float, default=None, help="--name, optional: educational psychologists (FTE).")
@click.option("--special-places", type=int, default=None, help="--name, optional: special school places.")
@click.option("--england", type=InputPath(SCENARIO_ALLOWED.replace("small_la", "england")), default=None,
              help="The national scenario national values come from (default: the shipped england scenario).")
@click.option("--out", type=str, default=None,
              help="Folder to write <name>.yaml and targets/<name>.csv into (default: the current folder); a path "
                   "ending .yaml names the scenario file itself. Never the installed package.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written (and the fit) as one JSON object.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=42, show_default=True,
              help="The scenario's seed (and the fit's): the web page uses 42 too.")
@click.option("--no-calibrate", is_flag=True, help="--name: write the scenario without fitting its delay.")
@click.option("--rounds", type=click.IntRange(min=0, max=20), default=None,
              help="Joint rounds on the council alone after the build (default: 6 with --name, 0 with --la, whose "
                   "delays the England scenario's calibration already fitted on the full model).")
def command(la_name: str | None, name: str | None, year: int, requests_per_year: float | None,
            refused_pct: float | None, within_20_weeks_pct: float | None, plans_in_force: int | None,
            eps: float | None, special_places: int | None, england: Path | None, out: str | None, force: bool,
            as_json: bool, seed: int, no_calibrate: bool, rounds: int | None) -> None:
    """Write a scenario for one authority (the council builder the web page uses too).

    --la NAME: the authority of the England scenario as it is there: its official SEN2 figures 2019-2023, its
    delays as the England calibration fitted them, national behaviour; run 2019-2025. The web page builds the same
    file for the same council.
    --name NAME with --requests-per-year, --refused-pct, --within-20-weeks-pct, --plans-in-force (and optionally
    --eps, --special-places): from figures a parent carer forum can give; national values for the rest, each
    marked as such; its delay fitted to its % within 20 weeks, then joint rounds on the council alone.

    \b
    Example: sendsim la-scenario --la Wandsworth --out my_scenarios/
    """
    if (la_name is None) == (name is None):
        _fail(["la-scenario: give exactly one of --la NAME (official figures) or --name NAME (your figures)"])
    if la_name is not None:  # the typed figures' flags describe --name's council: with --la they were ignored silently
        ctx = click.get_current_context()
        given = [f"--{p.replace('_', '-')}" for p in ("year", "requests_per_year", "refused_pct", "within_20_weeks_pct",
                                                      "plans_in_force", "eps", "special_places")
                 if ctx.get_parameter_source(p) not in (None, click.core.ParameterSource.DEFAULT)]
        if given:
            _fail([f"{', '.join(given)}: for a council built with --name; --la {la_name} takes its official "
                   "figures from the England scenario (allowed: --la NAME alone, or --name NAME with the figures)"])
    figures = None
    if name is not None:
        missing = [f for f, v in (("--requests-per-year", requests_per_year), ("--refused-pct", refused_pct),
                                  ("--within-20-weeks-pct", within_20_weeks_pct),
                                  ("--plans-in-force", plans_in_force)) if v is None]
        if missing:
            _fail([f"{m}: required with --name (allowed: a number)" for m in missing])
        assert requests_per_year is not None and refused_pct is not None
        assert within_20_weeks_pct is not None and plans_in_force is not None
        figures = Figures(name, year, requests_per_year, refused_pct, within_20_weeks_pct, plans_in_force, eps,
                          special_places)
    england = locate(england or "england", "scenarios")
    if not england.is_file():  # a folder or a device is named as such (it said "file not found")
        _fail([f"--england: {non_file_problem(england) or f'{england}: file not found'} (the national scenario is "
               "needed for national values)"])
    try:
        eng, _lines, _raw = read_yaml(england)
        load_scenario(england)  # a case study, a sweep or a damaged scenario given as --england: one line, not a
        # KeyError of the builder's (fourth held-out round: "internal error (KeyError: 'local_authorities')", exit 1)
    except InputError as e:
        _fail(e.lines)
    n_rounds = rounds if rounds is not None else (0 if la_name is not None or no_calibrate else 6)
    say = (lambda _m: None) if as_json else click.echo

    def place(doc_name: str) -> Path:
        path = _target_path(out, f"{doc_name or slug(name or '')}.yaml")
        _check_writable([path, path.parent / "targets" / f"{doc_name}.csv"], force)
        return path

    try:
        built = build_council(eng, england.parent / "targets" / "england_by_la.csv", place, la_name, figures, seed,
                              not no_calibrate, n_rounds, say)
        load_scenario(built.path)
    except InputError as e:
        _fail(e.lines)
    report: dict = {"scenario_file": str(built.path), "targets_file": str(built.targets_path),
                    "last_year_with_figures": built.last_year}
    say(f"wrote {built.path} and {built.targets_path} (figures to {built.last_year})")
    if built.fit:
        for y, v in built.fit["model"].items():
            got = "-" if v is None else f"{v:.1f}"
            say(f"  {y}: % within 20 weeks observed {built.fit['observed'][y]:.1f}, model {got} "
                f"(the authority's median delay {built.fit['delays'][y]:.0f} days)")
        report["delay_fit"] = built.fit
    if built.rounds:
        last = built.rounds["rounds"][-1]
        say(f"  last joint round: {last['within_3_points']} of {last['of']} years within 3 points of its % within "
            "20 weeks")
        report["last_round"] = last
    say(f"check it with: sendsim backtest {built.path}")
    if as_json:
        click.echo(safe_dumps(report, indent=2, default=str))


def _target_path(out: str | None, filename: str) -> Path:
    """The scenario file to write: `--out` a folder (the default: the current one), or a path ending .yaml."""
    if out is not None and out.strip() == "":
        _fail(["--out: an empty name (allowed: a folder, or a file name ending .yaml)"])
    if out is None:
        return Path.cwd() / filename
    p = Path(out)
    if p.suffix in (".yaml", ".yml") and not p.is_dir():
        return p
    if p.exists() and not p.is_dir():
        _fail([f"--out: {p} is a file (allowed: a folder, or a file name ending .yaml)"])
    return p / filename


def _check_writable(paths: list[Path], force: bool) -> None:
    """Refuse (exit 2, nothing written) to overwrite a file without --force, and to write into the package."""
    root = data_root().resolve()
    for p in paths:
        inside = p.resolve().is_relative_to(root)
        if inside and not force:
            _fail([f"--out: {p} is inside the installed sendsim package ({root}); write your scenario elsewhere "
                   "(allowed: any folder outside it; --force to write there anyway)"])
        try:
            claim_file(p, force, allowed="a new file name")  # a device, FIFO, folder or too long a name: refused
        except InputError as e:
            _fail(e.lines)
