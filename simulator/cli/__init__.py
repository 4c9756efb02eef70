"""The `sendsim` command. Thin: every command calls a function of the Python API.

Exit codes (every command): 0 success; 1 the environment failed (disk full, permissions, read-only, internal
error); 2 bad input (one line per problem, naming file, line, field and what is allowed; nothing written);
3 `backtest` targets missed; 130/143 interrupted (SIGINT/SIGTERM; the message says how to resume); 141 the reader of
the output went away (`| head -1`), said nothing. See `util`.
"""

from __future__ import annotations

import os as _os
import sys as _sys

from ..schema import early_signals as _early


def _the_command(argv0: str) -> bool:
    """Whether this process is the `sendsim` command: its script, `python -m simulator.cli` (argv[0] is "-m" while
    the module is found, then the path of simulator/cli/__main__.py). Why not any `__main__.py`: `python -m pytest`
    (or any program run with -m) that imported this module had its Ctrl-C turned into this module's exit 130."""
    name = _os.path.basename(argv0)
    return name in ("sendsim", "-m") or (name == "__main__.py" and _os.path.normpath(argv0).endswith(
        _os.path.join("simulator", "cli", "__main__.py")))


if _sys.argv and _the_command(_sys.argv[0]):  # the command, not a library
    # Ctrl-C, SIGTERM or SIGHUP while the command's modules load (before any file is opened): the same line as an
    # interruption later, without Python's KeyboardInterrupt traceback (a Ctrl-C 0.3 s after `sendsim run` printed
    # one) or a death by the signal. The command's own handlers replace this one when it starts
    # (`util.SafeGroup.invoke`).
    _early.install("nothing was kept; run the same command again", lead="\n")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402

from ..report.tables import format_summary  # noqa: E402
from ..rules.scenario import load_scenario  # noqa: E402
from ..schema.files import InputError  # noqa: E402
from ..schema.overrides import notes  # noqa: E402
from .util import (  # noqa: E402
    MAX_REPLICATIONS,
    MAX_WORKERS,
    SCENARIO_ALLOWED,
    InputPath,
    IsoDate,
    SafeGroup,
    default_workers,
    fail,
    progress,
    set_resume_hint,
    verbosity_options,
    warn_replications,
)

_fail = fail
_progress = progress

EPILOG = """\b
Examples:
  sendsim validate small_la
  sendsim run small_la -n 5 --out outputs/small
  sendsim compare small_la --rules current_2014 --rules green_paper_2022
  sendsim case-study sam_autistic_mainstream_specialist --rules current_2014 --rules white_paper_2026

\b
Exit codes: 0 ok; 1 the environment failed (disk, permissions); 2 bad input (one line per problem);
3 backtest targets missed; 130/143 interrupted (the message says how to resume)."""


def out_option(help_text: str) -> click.Option:
    return click.option("--out", type=str, default=None, help=help_text)


def out_path(out: str | None) -> Path | None:
    """`--out` as given: refused if empty (it would write into the current folder) or a file."""
    if out is None:
        return None
    from ..analysis.runs.rundir import check_out_path

    return check_out_path(out)


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
             epilog=EPILOG, params=verbosity_options())
@click.version_option(package_name="sendsim")
def main() -> None:
    """sendsim: simulate children's routes through England's SEND system under current and proposed rules."""


def console() -> None:
    """The `sendsim` command (and `python -m simulator.cli`): `main` in its own process, which after an interruption
    leaves at once once its clean-up has run (`util._exit_now`)."""
    from . import util

    util.HARD_EXIT = True
    try:
        main()
    except SystemExit as e:
        util.finished(e.code)
        raise


@main.command(epilog="\b\nExample: sendsim validate scenarios/small_la.yaml --json")
@click.argument("scenario", type=InputPath(SCENARIO_ALLOWED))
@click.option("--rules", default=None, help="Check against this rule set instead of the scenario's.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def validate(scenario: Path, rules: str | None, as_json: bool) -> None:
    """Check a scenario file and its rule set; report every error at once."""
    try:
        loaded = load_scenario(scenario, rules)
    except InputError as e:
        if as_json:
            click.echo(json.dumps({"file": str(scenario), "valid": False, "errors": e.lines}, indent=2))
        _fail(e)
    sc = loaded.scenario
    stated = notes(sc)  # values never read as written: said here, refused in a sweep
    from ..rules.projection import last_data_year, undeclared

    missing = undeclared(sc)
    warnings = (loaded.projection or {}).get("warnings", [])
    if as_json:
        click.echo(json.dumps({"file": str(scenario), "valid": True, "scenario": sc.name, "rules": loaded.law.name,
                               "local_authorities": len(sc.local_authorities.items),
                               "start_date": sc.start_date.isoformat(), "end_date": sc.end_date.isoformat(),
                               "scenario_sha256": loaded.scenario_sha256,
                               "overrides": [{"path": n.path, "never_read": n.unread, "note": n.message}
                                             for n in stated], "last_data_year": last_data_year(sc),
                               "projection": (loaded.projection or {}).get("name"),
                               "undeclared_projection": missing, "projection_warnings": warnings}, indent=2))
        return
    click.echo(f"{scenario}: valid ({len(sc.local_authorities.items)} local authorities, rules {loaded.law.name}, "
               f"{sc.start_date} to {sc.end_date})")
    if (pt := loaded.plan_transfers) is not None:  # MODEL.md 2.6e: the flows and their UNVERIFIED assumptions
        las = sc.local_authorities.items
        own = sum(1 for la in las if la.code in pt.authorities)
        flows = ("plans leave the run and arrive from outside at "
                 f"{pt.single_authority_in_ratio.value:g} x the out-rate (UNVERIFIED)" if len(las) == 1 else
                 "plans move to another authority of the run in proportion to its plans in force (UNVERIFIED)")
        click.echo(f"  plan transfers: {sc.plan_transfers}, {own} of {len(las)} authorities with their own SEN2 "
                   f"rates (the others England's); {flows}")
    for n in stated:
        click.echo(f"  note: {n.message}")
    if missing:
        click.echo(f"inputs past the last data year ({last_data_year(sc)}) without a declared projection "
                   f"({len(missing)}):")
        for m in missing:
            click.echo(f"  {m}")
    elif loaded.projection is not None:
        click.echo(f"every input past {last_data_year(sc)} follows the declared projection "
                   f"{loaded.projection['name']!r}" + (" or is declared held" if loaded.projection["held"] else ""))
    for w in warnings:
        click.echo(f"warning: {w}")


@main.command(epilog="\b\nExample: sendsim schema --kind rules > rules.schema.json")
@click.option("--kind", type=click.Choice(["scenario", "rules", "sweep", "case_study"]), default="scenario",
              show_default=True)
def schema(kind: str) -> None:
    """Print the JSON Schema of scenario, rule-set, sweep or case-study files, for editors."""
    from ..schema.case_study import CaseStudy
    from ..schema.rules import RuleSet
    from ..schema.scenario import Scenario
    from ..schema.sweep import Sweep

    model = {"scenario": Scenario, "rules": RuleSet, "sweep": Sweep, "case_study": CaseStudy}[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2))


@main.command(epilog="\b\nExample: sendsim run small_la -n 5 --workers 2 --out outputs/small")
@click.argument("scenario", type=InputPath(SCENARIO_ALLOWED))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=MAX_REPLICATIONS), default=None,
              help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="Master seed (default: the scenario's).")
@out_option("Run folder (default: outputs/<run-id>); an existing one needs --resume or --force.")
@click.option("--resume", is_flag=True, help="Continue the run in --out (same scenario, rules, seed, engine).")
@click.option("--force", is_flag=True, help="Delete the run in --out and start again.")
@click.option("--rules", default=None, help="Rule set to use instead of the scenario's.")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None,
              help="Processes (default: the CPUs; results do not depend on it).")
@click.option("--engine", type=click.Choice(["heap", "simpy"]), default="heap", show_default=True,
              help="Event loop: the lean heap loop or the SimPy reference (identical results).")
@click.option("--events/--no-events", default=True, show_default=True, help="Write the event log.")
@click.option("--until", type=IsoDate(), default=None,
              help="End on this date instead of the scenario's end_date (YYYY-MM-DD).")
@click.option("--more-groups", "more_groups", is_flag=True,
              help="Results also by phase (when the route began) and by region, beside capacity, requester, need.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def run(scenario: Path, replications: int | None, seed: int | None, out: str | None, resume: bool, force: bool,
        rules: str | None, workers: int | None, engine: str, events: bool, until, more_groups: bool,
        as_json: bool) -> None:
    """Run a scenario: every metric, mean and 95% CI over replications."""
    from ..analysis.runs.run import default_out_dir
    from ..api import run as run_api

    if resume and force:  # before the progress line, so the refusal is the one line printed
        raise InputError(["--resume and --force: give one (resume continues the run; force starts again)"])
    out_dir = out_path(out)
    loaded = load_scenario(scenario, rules, until.date() if until else None)
    reps = replications or loaded.scenario.replications
    warn_replications(reps)
    sd = loaded.scenario.seed if seed is None else seed
    out_dir = out_dir or default_out_dir(loaded, sd, reps)
    if not force:
        from ..analysis.runs.folder import LOCK, claim_folder, read_marker

        # a folder that cannot be written (a user's, another kind's, `/`) is refused before the progress line, so the
        # refusal is the one line printed (this only reads); a run's own folder, or one being written, is the run
        # folder's to judge under its lock
        marker = read_marker(out_dir) if out_dir.is_dir() else None
        if not (out_dir / LOCK).exists() and (marker is None or marker.sendsim_folder != "run" or not resume):
            claim_folder(out_dir, "run", resume)
        elif not (out_dir / LOCK).exists():  # a resume of another run (its seed, rules): refused before the line too
            from ..analysis.runs.rundir import check_same_run, identity

            check_same_run(out_dir, identity(loaded, sd, engine, events))
    workers = workers or default_workers()
    set_resume_hint(out_dir)
    _progress(f"running {loaded.scenario.name} under {loaded.law.name}: {reps} replications, seed {sd}, "
              f"{workers} worker(s), writing {out_dir}")
    res = run_api(loaded, replications=reps, seed=sd, out=out_dir, workers=workers, engine=engine, events=events,
                  progress=_progress, resume=resume, force=force, more_groups=more_groups)
    if as_json:
        # the summary's own order (not sorted): the whole system's metrics come before any group's, so a reader or
        # a script looking for a metric meets the whole first
        click.echo(json.dumps(res.summary, indent=2))
    else:
        click.echo(format_summary(res.summary, [la.name for la in loaded.scenario.local_authorities.items]))
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
    _add_verbosity(main)


# one line per command in `sendsim --help`, whole (click would cut each docstring's first sentence with "...")
SHORT_HELP = {
    "validate": "Check a scenario and its rule set; every error at once.",
    "schema": "Print the JSON Schema of scenario, rule-set, sweep or case-study files.",
    "run": "Run a scenario: every metric with its 95% interval.",
    "compare": "Two rule sets on the same children: paired differences.",
    "case-study": "One child through each rule set: timings and route.",
    "map": "Who holds each duty, the deadline, who pays; gaps flagged.",
    "rules": "List, show and compare rule sets and reform switches.",
    "rules list": "Every rule set and every switch.",
    "rules show": "Every parameter of a rule set, with its reference.",
    "rules diff": "The parameters that differ between two rule sets.",
    "backtest": "Compare a run with the official figures (exit 3: missed).",
    "calibrate": "Fit assumed parameters to the targets, reproducibly.",
    "la-scenario": "Write a calibrated scenario for one local authority.",
    "bench": "Time the engine on a queueing network against Erlang C.",
    "report": "Write one self-contained HTML report of a run or comparison.",
    "serve": "Start the local web page for parent carer forums.",
    "batch": "Run a sweep: points x rule sets x replications, resumable.",
    "results": "Query batch results with SQL (DuckDB): tables metrics, runs.",
}


EXAMPLES = {
    "bench": "sendsim bench benchmarks/reference_network.yaml --children 20000 --json",
    "calibrate": "sendsim calibrate scenarios/small_la.yaml --stage joint --out my_calibration/",
    "rules": "sendsim rules diff current_2014 green_paper_2022",
    "rules list": "sendsim rules list --json",
    "rules show": "sendsim rules show current_2014+mandatory_mediation",
    "rules diff": "sendsim rules diff current_2014 white_paper_2026 --json",
    "report": "sendsim compare small_la --rules current_2014 --rules green_paper_2022 --out cmp && sendsim report cmp",
    "serve": "sendsim serve --port 8000",
    "batch": "sendsim batch scenarios/sweeps/mediation_settle_rates.yaml --workers 2 --out sweep",
    "results": "sendsim results sweep --sql 'select rules, metric, avg(value) from metrics group by all'",
}


def _add_verbosity(group: click.Group, prefix: str = "") -> None:
    """-q/-v on every command and subcommand, so they work before or after the command name; whole summaries."""
    for name, cmd in group.commands.items():
        cmd.params.extend(verbosity_options())
        cmd.short_help = SHORT_HELP.get(prefix + name, cmd.short_help)
        if prefix + name in EXAMPLES and not cmd.epilog:
            cmd.epilog = f"\b\nExample: {EXAMPLES[prefix + name]}"
        if isinstance(cmd, click.Group):
            _add_verbosity(cmd, f"{name} ")


_register_commands()
