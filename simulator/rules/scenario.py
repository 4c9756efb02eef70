"""A scenario loaded for a run: the validated scenario file, the rule set it names resolved and compiled, and the
hashes that identify both (the run's identity and the check that files did not change under a run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path

from ..schema.files import InputError, non_file_problem, parse_model
from ..schema.rules import RuleSet
from ..schema.scenario import Scenario
from ..schema.shipped import closest, locate, shipped_dir
from ..schema.transfers import PlanTransfers
from .law import Law, compile_law
from .projection import project
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
    # every switch applied: (switch, effective in-force date or None if not within the run, where the date comes from,
    # where it applies: "" everywhere, else the authorities of this scenario it is scoped to and the scope's source)
    in_force: tuple[tuple[str, dt.date | None, str, str], ...] = ()
    # the projection the run uses beyond its last data year (name, assumptions, warnings), or None
    projection: dict | None = None
    # the rates of plans transferred between authorities (the scenario's `plan_transfers:` file), or None
    plan_transfers: PlanTransfers | None = None


FROM_START = "start"


def _effective(date: str, override: dt.date | str | None, start: dt.date) -> dt.date:
    """When a switch takes effect in a run: the scenario's override, else its source's date; `start` is day 0."""
    d = override if override is not None else date
    return start if d == "start" else (d if isinstance(d, dt.date) else dt.date.fromisoformat(d))


def switch_dates(loaded: LoadedScenario) -> dict[str, dt.date]:
    """Every switch's in-force date for this scenario (the scenario's override, else its source's), whether or not it
    falls within the run: what a horizon must reach to show it."""
    out: dict[str, dt.date] = {}
    for ch in loaded.changes:
        if ch.switch not in out:
            out[ch.switch] = max(_effective(ch.in_force, loaded.scenario.in_force.get(ch.switch),
                                            loaded.scenario.start_date), loaded.scenario.start_date)
    return out


def _where(ch: AppliedChange, scoped: dict[str, set[str]]) -> str:
    """Where a switch applies, in words: everywhere, or the scope's authorities and how many this scenario has."""
    if ch.authorities is None:
        return ""
    return (f"{len(ch.authorities)} authorities only ({ch.authorities_source}); in this scenario: "
            f"{len(scoped[ch.switch])} of {len(ch.authorities)}, current law elsewhere")


def commencement(sc: Scenario, base: RuleSet, changes: tuple[AppliedChange, ...], name: str
                 ) -> tuple[Law, tuple[tuple[float, Law], ...], tuple[tuple[str, dt.date | None, str], ...]]:
    """The law at the start of the run, the laws that follow each later commencement inside the run, and when each
    switch comes into force (None: after the run's end, so never within it).

    Each law is the baseline with the changes of every switch in force by then, applied in their order; a change
    made before the start of the run is in force from day 0."""
    when: dict[str, dt.date] = {}
    report: list[tuple[str, dt.date | None, str, str]] = []
    # the scenario's authorities (by code) each scoped switch applies in
    scoped = {ch.switch: {la.code for la in sc.local_authorities.items
                          if la.code in ch.authorities or la.name in ch.authorities}
              for ch in changes if ch.authorities is not None}
    for ch in changes:
        if ch.switch in when:
            continue
        d = _effective(ch.in_force, sc.in_force.get(ch.switch), sc.start_date)
        when[ch.switch] = max(d, sc.start_date)
        src = ("scenario in_force" + (" (as if in force from the start: hypothetical)"
                                      if sc.in_force[ch.switch] == FROM_START else "")
               if ch.switch in sc.in_force else (ch.in_force_source or "no date given"))
        report.append((ch.switch, when[ch.switch] if d <= sc.end_date else None, src, _where(ch, scoped)))
    dates = sorted({d for d in when.values() if d <= sc.end_date})

    las = [(la.code, {la.code, la.name}) for la in sc.local_authorities.items]

    def compiled(day: dt.date, code: str | None) -> Law:
        """The law in force on `day` everywhere (`code` None), or in one authority (its scoped switches too)."""
        doc = base.model_dump(mode="json")
        for ch in changes:
            if when[ch.switch] <= day and (ch.authorities is None or (code is not None and code in scoped[ch.switch])):
                apply_change(doc, ch)
        doc["name"] = name
        return compile_law(RuleSet.model_validate(doc))

    def law_at(day: dt.date) -> Law:
        law = compiled(day, None)
        here = {c for c, _ in las if any(c in scoped[sw] and when[sw] <= day for sw in scoped)}
        if not here:
            return law
        return replace(law, la_effects={c: compiled(day, c).effects for c in sorted(here)})

    first = law_at(sc.start_date)
    later = tuple(((d - sc.start_date).days * 1.0, law_at(d)) for d in dates if d > sc.start_date)
    return first, later, tuple(report)


def load_scenario(path: str | Path, rules: str | None = None, until: dt.date | None = None,
                  from_start: bool = False, projection: str | None = None) -> LoadedScenario:
    """Load and validate a scenario and the rule set it names (or `rules`, to override).

    `until` ends the run on another date: earlier than the scenario's `end_date`, or later, up to its projection's
    `until_limit`, when the file declares a projection (`projection` names one of its variants; default its `use`). `from_start`
    puts every switch in force from the first day of the run, whatever its commencement date: a hypothetical
    ("what if it applied now"), said so in the in-force table.
    """
    path = locate(path, "scenarios")
    sc, lines, raw = parse_model(path, Scenario)
    transfers = None
    if sc.plan_transfers is not None:
        transfers, t_raw = load_plan_transfers(path, sc.plan_transfers, lines.get(("plan_transfers",), "?"))
        raw = raw + b"\n# plan_transfers " + hashlib.sha256(t_raw).hexdigest().encode()
    if until is not None:
        limit = sc.end_date if sc.projection is None else max(sc.end_date, sc.projection.until_limit)
        if not sc.start_date < until <= limit:
            beyond = "" if sc.projection is None else " (projection.until_limit: the declared projections reach it)"
            raise InputError([f"{path}: --until: {until} must fall after start_date {sc.start_date} and no later "
                              f"than {limit}{beyond}"])
        if sc.warmup_days >= (until - sc.start_date).days + 1:  # the shortened run would measure nothing
            raise InputError([f"{path}: --until: {until} leaves nothing to measure after the scenario's warm-up of "
                              f"{sc.warmup_days:g} days from {sc.start_date} (allowed: "
                              f"{sc.start_date + dt.timedelta(days=math.floor(sc.warmup_days))} or later)"])
        sc = sc.model_copy(update={"end_date": until})
        raw = raw + f"\n# until {until}".encode()
    if projection is not None:
        if sc.projection is None or projection not in sc.projection.variants:
            allowed = ", ".join(sorted(sc.projection.variants)) if sc.projection else "none declared in the file"
            raise InputError([f"--projection: {projection!r} is not a projection of {path} (allowed: {allowed})"])
        raw = raw + f"\n# projection {projection}".encode()
    sc, report = project(sc, projection)
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
        if changes_t:  # another law in force than the file's dates give: another run (its folder's identity, as
            # --until's), so `compare --resume` never mixes replications run with and without --from-start
            raw = raw + b"\n# from_start"
    if any(ch.in_force != "start" or ch.switch in sc.in_force or ch.authorities is not None for ch in changes_t):
        base_rs = resolve_rules(base, path)[0]
        law, schedule, in_force = commencement(sc, base_rs, changes_t, rs.name)
    else:  # every switch from the first day (or none): the merged rule set as it is
        law, schedule = compile_law(rs), ()
        in_force = tuple((sw, sc.start_date, src, "") for sw, src in dict.fromkeys(
            (ch.switch, ch.in_force_source) for ch in changes_t))
    return LoadedScenario(path, sc, rs, law, hashlib.sha256(raw).hexdigest(), rules_hash, changes_t, base, until,
                          schedule, in_force, report.as_dict() if report is not None else None, transfers)


def load_plan_transfers(scenario: Path, name: str, line: int | str) -> tuple[PlanTransfers, bytes]:
    """The plan-transfers file a scenario names: beside the scenario, else the shipped one of that name (so a
    council's scenario written anywhere by `sendsim la-scenario` finds it); its bytes join the scenario's hash."""
    here = scenario.parent / name
    odd = non_file_problem(here)  # a folder or a broken link beside the scenario is not "absent": never the shipped
    if odd is not None:  # file in its place without a word
        raise InputError([f"{scenario}:{line}: plan_transfers: {odd}"])
    path = here if here.is_file() else shipped_dir("scenarios") / name
    if not path.is_file():
        raise InputError([f"{scenario}:{line}: plan_transfers: no file {name!r} beside the scenario or shipped "
                          "(allowed: the name of a plan-transfers file in the scenario's folder, e.g. "
                          "plan_transfers.yaml)"])
    model, _lines, t_raw = parse_model(path, PlanTransfers)
    return model, t_raw
