"""A run or comparison folder that was interrupted, said as such with the command that resumes it.

Why a module of its own: `report` (and `results`) read finished folders; an interrupted one (Ctrl-C, SIGTERM, a
closed terminal, a killed process) has its marker and manifests but not its `summary.json` or `compare.json`, and
"summary.json missing" told the user neither what had happened nor what to do. The command is made again from the
folder's own files (the marker's rule sets and seed, a run's manifest: scenario file, replications, end date, event
log, engine), so a folder written before this module existed is answered too.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path
from typing import Any

from ...schema.files import InputError, read_yaml
from .folder import Marker, read_marker
from .metrics import MORE_GROUPS
from .readback import Manifest, read_json_model


def _manifest(run: Path) -> dict[str, Any] | None:
    try:
        return read_json_model(run / "manifest.json", Manifest)
    except InputError:
        return None


def _finished(run: Path) -> int:
    reps = run / "replications"
    return sum(1 for p in reps.glob("rep-*/metrics.json") if p.is_file()) if reps.is_dir() else 0


def _more_groups(runs: list[Path]) -> bool:
    """Whether the finished replications kept the phase and region groups (`--more-groups`). Why: a resume without the
    flag keeps none of them ("not reused (kept with the phase and region groups)") and runs every one again."""
    for run in runs:
        reps = run / "replications"
        for p in sorted(reps.glob("rep-*/metrics.json")) if reps.is_dir() else []:
            try:
                m = json.loads(p.read_text())
            except (OSError, ValueError):
                continue
            if isinstance(m, dict):
                groups = m.get("by_group")
                return isinstance(groups, dict) and set(MORE_GROUPS) <= set(groups)
    return False


def _scenario_flags(man: dict[str, Any], others: list[dict[str, Any]] | None = None
                    ) -> tuple[str, list[str]] | None:
    """The scenario file and the flags that make its run the manifest's (`--until` when the run ended on another day
    than the file's end_date, `--from-start` when every switch was in force from the first day, in `man` or in the
    manifest of another rule set's run of the same comparison, `others`)."""
    path = man.get("scenario_file")
    end = man.get("end_date")
    if not isinstance(path, str) or not path:
        return None
    flags: list[str] = []
    try:
        doc = read_yaml(Path(path))[0]
    except InputError:
        doc = None
    if not isinstance(doc, dict):  # a path relative to where the run started, read from elsewhere (or the file gone):
        return None  # a command naming it would not find it, and --until cannot be told from the file's end_date
    own = doc.get("end_date")
    own = own.isoformat() if isinstance(own, dt.date) else str(own)
    if isinstance(end, str) and end != own:
        flags += ["--until", end]
    mine = doc.get("in_force") or {}
    for m in (man, *(others or [])):  # a comparison's first rule set may have no switch (current_2014): each is read
        dated = (m.get("scenario_parameters") or {}).get("in_force") or {}
        if isinstance(dated, dict) and dated and isinstance(mine, dict) and \
                any(v == "start" and mine.get(k) != "start" for k, v in dated.items()):
            flags.append("--from-start")
            break
    return path, flags


def _no_command(man: dict[str, Any] | None, command: str) -> str:
    """The words when no command can be made: the scenario file the run names cannot be read from here."""
    path = man.get("scenario_file") if man is not None else None
    where = (f", from the folder it was started in (its scenario file {path} cannot be read from here)"
             if isinstance(path, str) and path else "")
    return f"run the {command}command that started it again with --resume{where}"


def _common(man: dict[str, Any], flags: list[str]) -> list[str]:
    out = []
    if isinstance(man.get("replications"), int) and not isinstance(man.get("replications"), bool):
        out += ["-n", str(man["replications"])]
    if isinstance(man.get("seed"), int) and not isinstance(man.get("seed"), bool):
        out += ["--seed", str(man["seed"])]
    return out + flags


def run_hint(folder: Path) -> str | None:
    """The one line for a run folder with its manifest but no summary.json (None if it is not one)."""
    if (folder / "summary.json").is_file() or not (folder / "manifest.json").is_file():
        return None
    man = _manifest(folder)
    if man is None:
        return None
    total = man.get("replications")
    done = _finished(folder)
    what = f"{done} of {total} replications finished" if isinstance(total, int) else f"{done} replications finished"
    sc = _scenario_flags(man)
    if sc is not None and "--from-start" in sc[1]:  # a comparison's run (`sendsim run` has no --from-start)
        try:
            parent = read_marker(folder.parent)
        except InputError:
            parent = None
        if parent is not None and parent.sendsim_folder == "comparison":
            return f"{folder}: a rule set's run of the comparison {folder.parent}; " + \
                comparison_hint(folder.parent, parent)
        sc = None
    if sc is None:
        how = _no_command(man, "")
    else:
        args = ["sendsim", "run", sc[0]]
        if isinstance(man.get("rules"), str):
            args += ["--rules", man["rules"]]
        args += _common(man, sc[1])
        if _more_groups([folder]):
            args.append("--more-groups")
        if man.get("engine") == "simpy":
            args += ["--engine", "simpy"]
        if man.get("event_log") is False:
            args.append("--no-events")
        how = f"resume it with: {shlex.join([*args, '--out', str(folder), '--resume'])}"
    return (f"{folder}: an interrupted run (summary.json is written once every replication has finished: {what}); "
            f"{how}, then `sendsim report` it again")


def comparison_hint(folder: Path, marker: Marker) -> str:
    """The one line for a comparison folder without compare.json: how many rule sets finished, and the resume."""
    rules = [r for r in marker.identity.get("rules") or [] if isinstance(r, str)]
    seed = marker.identity.get("seed")
    runs = [folder / f"{i}-{name}" for i, name in enumerate(rules, start=1)]
    done = sum(1 for r in runs if (r / "summary.json").is_file())
    mans = [m for m in (_manifest(r) for r in runs if (r / "manifest.json").is_file()) if m is not None]
    man = mans[0] if mans else None
    sc = _scenario_flags(man, mans[1:]) if man is not None else None
    if sc is None or not rules:
        how = _no_command(man, "`sendsim compare` ")
    else:
        args = ["sendsim", "compare", sc[0]]
        for r in rules:
            args += ["--rules", r]
        man = {**man, "seed": seed if isinstance(seed, int) else man.get("seed")}
        args += _common(man, sc[1])
        if man.get("event_log") is True:
            args.append("--events")
        if _more_groups(runs):
            args.append("--more-groups")
        how = f"resume it with: {shlex.join([*args, '--out', str(folder), '--resume'])}"
    return (f"{folder}: an interrupted comparison (compare.json is written once every rule set's runs have finished: "
            f"{done} of {len(rules) or '?'} finished); {how}, then `sendsim report` it again")
