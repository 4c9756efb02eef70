"""Values of a scenario that another value overrides, said once, for `sendsim validate` and for sweeps.

Why this module: a number in a scenario file that the run never reads is a silent no-op. Someone who edits it, or
sweeps it, sees no effect and nothing says why (a sweep over tribunal capacity once gave Morris mu* of exactly 0 on
every output because the by-year hearings replaced it). The rules of which value wins live in `schema.scenario`
and `schema.by_year`; this module states their consequences for one scenario: `notes(sc)` lists every value that is
never read (and what is read instead) and every value read through another (a scaling), so `validate` can print
them and the batch room can refuse a sweep over an unread value before it runs. It sits in `schema` so both the
batch and the fit rooms can use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .scenario import Scenario
from .sourced import ProbabilityByYear


@dataclass(frozen=True)
class Note:
    """A value of the scenario that is not read as written: `unread` (never read) or read through another."""

    path: str  # dotted path in the scenario file, e.g. population.assessment_lapsed_probability.value
    unread: bool
    message: str


def _by_year_nodes(model: BaseModel, prefix: str = "") -> list[tuple[str, ProbabilityByYear]]:
    out = []
    for name in type(model).model_fields:
        v = getattr(model, name)
        p = f"{prefix}{name}"
        if isinstance(v, ProbabilityByYear):
            out.append((p, v))
        elif isinstance(v, BaseModel):
            out.extend(_by_year_nodes(v, p + "."))
        elif isinstance(v, dict):
            for k, x in v.items():
                if isinstance(x, ProbabilityByYear):
                    out.append((f"{p}.{k}", x))
                elif isinstance(x, BaseModel):
                    out.extend(_by_year_nodes(x, f"{p}.{k}."))
    return out


def notes(sc: Scenario) -> list[Note]:
    """Every value of `sc` that the run never reads, or reads scaled by another, with what is read instead."""
    start = sc.start_date.year
    out: list[Note] = []
    for path, node in _by_year_nodes(sc):
        covered = [y for y in node.by_year if y <= start]
        if covered:
            out.append(Note(f"{path}.value", True, f"{path}.value ({node.value:g}) is never read: {path}.by_year "
                            f"gives {max(covered)}, so every year of the run from {start} takes a by-year figure "
                            "(value applies only to years before the first by-year figure)"))
    pairs = (("refuse_to_assess_probability", "refuse_to_assess_by_year"),
             ("no_plan_after_assessment_probability", "no_plan_after_assessment_by_year"))
    for i, la in enumerate(sc.local_authorities.items):
        for scalar, by in pairs:
            # the start year takes the scalar (engine.model.capacity.LAState), except in a projected scenario, whose
            # start year has its own figures (capacity._snapshot applies the start year's)
            if start in getattr(la, by) and sc.projection is None:
                out.append(Note(f"local_authorities.items.{i}.{by}.{start}", True,
                                f"local_authorities.items.{i}.{by}.{start} ({la.name}) is never read: the start "
                                f"year {start} takes {scalar} ({getattr(la, scalar):g}); the by-year figures are "
                                "read from the year after the start"))
    out.extend(_waits_notes(sc))
    if sc.staffing is not None and sc.staffing.follows == "assessments":
        for name in ("review_days", "clear_weeks", "utilisation", "floor", "ceiling"):
            out.append(Note(f"staffing.{name}.value", True, f"staffing.{name} is never read: staffing follows "
                                                             "assessments (read when it follows work_in_hand)"))
    t = sc.tribunal
    if t.hearings_per_year_by_year and t.profile_scale() != 1.0:
        first = min(t.hearings_per_year_by_year)
        out.append(Note("tribunal.hearings_per_year_by_year", False,
                        f"tribunal.hearings_per_year_by_year is scaled by hearings_per_year / its first figure "
                        f"({t.hearings_per_year.value:g} / {t.hearings_per_year_by_year[first]:g} for {first} = "
                        f"x{t.profile_scale():.3g}): hearings_per_year sets the level of every year"))
    return out


def _waits_notes(sc: Scenario) -> list[Note]:
    """The values of the waits model the scenario does not use (`waits:`, MODEL.md 3.3a)."""
    out: list[Note] = []
    if sc.waits == "fitted_delay":
        for name in ("capacity_projection_pct_per_year", "capacity_gap_persistence_per_year"):
            if getattr(sc, name) is not None:
                out.append(Note(f"{name}.value", True, f"{name} is never read: waits is fitted_delay (read under "
                                                       "waits: backlog)"))
        unused = ("casework_per_week_by_year", "casework_responsiveness_per_week", "backlog_at_start")
        why = "waits is fitted_delay (read under waits: backlog)"
        late = [la.name for la in sc.local_authorities.items if la.late_share_by_year]
        items = sc.local_authorities.items
        if late and len(late) == len(items):
            out.append(Note("durations.authority_delay_shape.value", True, "durations.authority_delay_shape is never "
                            "read: every authority gives late_share_by_year (lateness apart from the share on time)"))
        both = [la.name for la in items if la.late_share_by_year and la.delay_days_by_year]
        if both:
            out.append(Note("local_authorities.items.*.delay_days_by_year", True,
                            f"local_authorities.items.*.delay_days_by_year ({len(both)} authorities, e.g. {both[0]}) "
                            "is never read where the authority gives late_share_by_year"))
        if not late and sc.durations.authority_lateness_days is not None:
            out.append(Note("durations.authority_lateness_days.value", True, "durations.authority_lateness_days is "
                            "never read: no authority gives late_share_by_year"))
    else:
        out.append(Note("durations.authority_delay_shape.value", True, "durations.authority_delay_shape is never "
                        "read: waits is backlog (the team's backlog makes the wait, not a drawn delay)"))
        if sc.durations.authority_lateness_days is not None:
            out.append(Note("durations.authority_lateness_days.value", True, "durations.authority_lateness_days is "
                            "never read: waits is backlog (the team's backlog makes the wait)"))
        unused, why = ("delay_days_by_year", "late_share_by_year"), "waits is backlog"
    for name in unused:  # one note per column, however many authorities give it
        given = [la.name for la in sc.local_authorities.items if getattr(la, name)]
        if given:
            out.append(Note(f"local_authorities.items.*.{name}", True,
                            f"local_authorities.items.*.{name} ({len(given)} authorities, e.g. {given[0]}) is never "
                            f"read: {why}"))
    return out


def unread(sc: Scenario, path: str) -> Note | None:
    """The note saying `path` (a dotted scenario path, as a sweep names it without `scenario.`) is never read."""
    for n in notes(sc):
        if n.unread and (n.path == path or n.path == f"{path}.value"):
            return n
    return None
