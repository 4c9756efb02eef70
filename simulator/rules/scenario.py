"""A scenario loaded for a run: the validated scenario file, the rule set it names resolved and compiled, and the
hashes that identify both (the run's identity and the check that files did not change under a run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..schema.files import InputError, parse_model
from ..schema.rules import RuleSet
from ..schema.scenario import Scenario
from ..schema.shipped import locate
from .law import Law, compile_law
from .resolve import AppliedChange, resolve_rules


@dataclass(frozen=True)
class LoadedScenario:
    path: Path
    scenario: Scenario
    rules: RuleSet
    law: Law
    scenario_sha256: str
    rules_sha256: str
    changes: tuple[AppliedChange, ...] = ()
    baseline: str = ""
    until: dt.date | None = None


def load_scenario(path: str | Path, rules: str | None = None, until: dt.date | None = None) -> LoadedScenario:
    """Load and validate a scenario and the rule set it names (or `rules`, to override).

    `until` ends the run earlier than the scenario's `end_date` (a shorter look at a long scenario).
    """
    path = locate(path, "scenarios")
    sc, lines, raw = parse_model(path, Scenario)
    if until is not None:
        if not sc.start_date < until <= sc.end_date:
            raise InputError([f"{path}: --until: {until} must fall after start_date {sc.start_date} and no later "
                              f"than end_date {sc.end_date}"])
        sc = sc.model_copy(update={"end_date": until})
        raw = raw + f"\n# until {until}".encode()
    name = sc.rules if rules is None else rules
    try:
        rs, changes, base, rules_hash = resolve_rules(name, path)
    except InputError as e:
        if rules is not None:  # the option named the rule set: blame the option, not the file's `rules:` line
            raise InputError([f"--rules: {m.removeprefix('rules: ')}" if m.startswith("rules:") else m
                              for m in e.lines]) from None
        line = lines.get(("rules",), "?")
        raise InputError([f"{path}:{line}: {m}" if m.startswith("rules:") else m for m in e.lines]) from None
    return LoadedScenario(path, sc, rs, compile_law(rs), hashlib.sha256(raw).hexdigest(), rules_hash,
                          tuple(changes), base, until)
