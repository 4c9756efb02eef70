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
from ..schema.shipped import closest, locate
from .law import Law, compile_law
from .resolve import AppliedChange, apply_change, resolve_rules, switch_names


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
    # later commencements: (day from the start, the Law in force from that day); `law` is the one at the start
    law_schedule: tuple[tuple[float, Law], ...] = ()
    # every switch applied: (switch, effective in-force date or None if not within the run, where the date comes from)
    in_force: tuple[tuple[str, dt.date | None, str], ...] = ()


FROM_START = "start"


def _effective(date: str, override: dt.date | str | None, start: dt.date) -> dt.date:
    """When a switch takes effect in a run: the scenario's override, else its source's date; `start` is day 0."""
    d = override if override is not None else date
    return start if d == "start" else (d if isinstance(d, dt.date) else dt.date.fromisoformat(d))


def commencement(sc: Scenario, base: RuleSet, changes: tuple[AppliedChange, ...], name: str
                 ) -> tuple[Law, tuple[tuple[float, Law], ...], tuple[tuple[str, dt.date | None, str], ...]]:
    """The law at the start of the run, the laws that follow each later commencement inside the run, and when each
    switch comes into force (None: after the run's end, so never within it).

    Each law is the baseline with the changes of every switch in force by then, applied in their order; a change
    made before the start of the run is in force from day 0."""
    when: dict[str, dt.date] = {}
    report: list[tuple[str, dt.date | None, str]] = []
    for ch in changes:
        if ch.switch in when:
            continue
        d = _effective(ch.in_force, sc.in_force.get(ch.switch), sc.start_date)
        when[ch.switch] = max(d, sc.start_date)
        src = ("scenario in_force" + (" (as if in force from the start: hypothetical)"
                                      if sc.in_force[ch.switch] == FROM_START else "")
               if ch.switch in sc.in_force else (ch.in_force_source or "no date given"))
        report.append((ch.switch, when[ch.switch] if d <= sc.end_date else None, src))
    dates = sorted({d for d in when.values() if d <= sc.end_date})

    def law_at(day: dt.date) -> Law:
        doc = base.model_dump(mode="json")
        for ch in changes:
            if when[ch.switch] <= day:
                apply_change(doc, ch)
        doc["name"] = name
        return compile_law(RuleSet.model_validate(doc))

    first = law_at(sc.start_date)
    later = tuple(((d - sc.start_date).days * 1.0, law_at(d)) for d in dates if d > sc.start_date)
    return first, later, tuple(report)


def load_scenario(path: str | Path, rules: str | None = None, until: dt.date | None = None,
                  from_start: bool = False) -> LoadedScenario:
    """Load and validate a scenario and the rule set it names (or `rules`, to override).

    `until` ends the run earlier than the scenario's `end_date` (a shorter look at a long scenario). `from_start`
    puts every switch in force from the first day of the run, whatever its commencement date: a hypothetical
    ("what if it applied now"), said so in the in-force table.
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
    changes_t = tuple(changes)
    if sc.in_force:  # a mistyped switch would be ignored silently: every name must be a switch of some reform
        known = switch_names(path)
        bad = [k for k in sc.in_force if k not in known]
        if bad:
            raise InputError([f"{path}:{lines.get(('in_force', k), lines.get(('in_force',), '?'))}: in_force.{k}: "
                              f"no switch named {k!r}{closest(k, known)} (allowed: a switch of a reform, see "
                              "`sendsim rules list`)" for k in bad])
    if from_start:
        sc = sc.model_copy(update={"in_force": {ch.switch: FROM_START for ch in changes_t}})
    if any(ch.in_force != "start" or ch.switch in sc.in_force for ch in changes_t):
        base_rs = resolve_rules(base, path)[0]
        law, schedule, in_force = commencement(sc, base_rs, changes_t, rs.name)
    else:  # every switch from the first day (or none): the merged rule set as it is
        law, schedule = compile_law(rs), ()
        in_force = tuple((sw, sc.start_date, src) for sw, src in dict.fromkeys(
            (ch.switch, ch.in_force_source) for ch in changes_t))
    return LoadedScenario(path, sc, rs, law, hashlib.sha256(raw).hexdigest(), rules_hash, changes_t, base, until,
                          schedule, in_force)
