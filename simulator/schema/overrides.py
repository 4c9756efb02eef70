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
            if start in getattr(la, by):  # the start year takes the scalar (engine.model.capacity.LAState)
                out.append(Note(f"local_authorities.items.{i}.{by}.{start}", True,
                                f"local_authorities.items.{i}.{by}.{start} ({la.name}) is never read: the start "
                                f"year {start} takes {scalar} ({getattr(la, scalar):g}); the by-year figures are "
                                "read from the year after the start"))
    t = sc.tribunal
    if t.hearings_per_year_by_year and t.profile_scale() != 1.0:
        first = min(t.hearings_per_year_by_year)
        out.append(Note("tribunal.hearings_per_year_by_year", False,
                        f"tribunal.hearings_per_year_by_year is scaled by hearings_per_year / its first figure "
                        f"({t.hearings_per_year.value:g} / {t.hearings_per_year_by_year[first]:g} for {first} = "
                        f"x{t.profile_scale():.3g}): hearings_per_year sets the level of every year"))
    return out


def unread(sc: Scenario, path: str) -> Note | None:
    """The note saying `path` (a dotted scenario path, as a sweep names it without `scenario.`) is never read."""
    for n in notes(sc):
        if n.unread and (n.path == path or n.path == f"{path}.value"):
            return n
    return None
