"""Which changed rules were in force during one child's route, and the rule set that applied.

A reform's switches come into force on their own dates (`rules.scenario.commencement`); a case study reads a child's
route over a window from its start date. A rule set whose switches all commence after the window is, for this child,
the baseline law: its gaps and its name must not be shown as if it applied. This module says, for each rule set, the
switches in force at the start, those commencing during the route and those not in force, and builds the rule set
in force (the baseline with the switches in force by the end of the window) for the accountability map's gaps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...rules.law import Law
from ...rules.resolve import apply_change, resolve_rules
from ...rules.scenario import LoadedScenario
from ...schema.rules import RuleSet


def in_force_during(lo: LoadedScenario, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The switches of a rule set, by whether they were in force during [start, end]: `at_start` (in force on the
    start date), `during` ([switch, date] commencing inside the window), `not_in_force` (after the window, or after
    the run), and whether the dates are hypothetical (`--from-start`)."""
    at_start, during, never = [], [], []
    hypothetical = False
    for switch, when, src, _where in lo.in_force:
        hypothetical = hypothetical or "hypothetical" in (src or "")
        if when is not None and when <= start:
            at_start.append(switch)
        elif when is not None and when <= end:
            during.append([switch, str(when)])
        else:
            never.append(switch)
    return {"at_start": at_start, "during": during, "not_in_force": never, "hypothetical": hypothetical,
            "applied": bool(at_start or during), "reform": bool(lo.in_force)}


def rules_in_force(lo: LoadedScenario, status: dict[str, Any]) -> RuleSet:
    """The rule set this child met: the baseline with every switch in force at some point of the route (a switch
    never in force during the route leaves the baseline's map, and so its gaps, as they were)."""
    if not status["reform"] or not status["not_in_force"]:
        return lo.rules
    applied = set(status["at_start"]) | {sw for sw, _d in status["during"]}
    base = resolve_rules(lo.baseline, lo.path)[0]
    doc = base.model_dump(mode="json")
    for ch in lo.changes:
        if ch.switch in applied:
            apply_change(doc, ch)
    doc["name"] = lo.rules.name
    return RuleSet.model_validate(doc)


def in_force_words(name: str, label: str, status: dict[str, Any], start: dt.date, end: dt.date) -> str:
    """One line a reader can check: what was in force for this rule set during the route, and what was not."""
    span = f"{start} to {end}"
    if not status["reform"]:
        return f"{label} ({name}): the law as it stands; no changed rules to be in force ({span})."
    parts = []
    if status["hypothetical"]:
        parts.append("HYPOTHETICAL: every switch as if in force from the first day of the run (--from-start)")
    if status["at_start"]:
        parts.append("in force from the start of the route: " + ", ".join(status["at_start"]))
    if status["during"]:
        parts.append("coming into force during the route: " + ", ".join(f"{s} on {d}" for s, d in status["during"]))
    if status["not_in_force"]:
        parts.append("not in force during this route: " + ", ".join(status["not_in_force"]))
    head = (f"{label} ({name})" if status["applied"] else
            f"{label} ({name}) was not in force during this route ({span}): the baseline law applied")
    return f"{head}; " + "; ".join(parts) + "."


def display_label(label: str, status: dict[str, Any]) -> str:
    """A panel title's rule-set name that never names a reform that did not apply."""
    if status["reform"] and not status["applied"]:
        return f"{label} (not in force during this route: the baseline law applied)"
    if status["hypothetical"]:
        return f"{label} (hypothetical: in force from the start)"
    return label


def law_at(lo: LoadedScenario, day: float) -> Law:
    """The compiled law in force on a day of the run (the start's, or the last commencement's before it)."""
    law = lo.law
    for d, later in lo.law_schedule:
        if d <= day:
            law = later
    return law
