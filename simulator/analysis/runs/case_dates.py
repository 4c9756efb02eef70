"""The dated events of a case file (a move, a looked-after placement, a spell in custody or hospital) against the
child's route: moved with the start when `--start-date` moves it, and refused when they fall outside the route.

Why: a date is written against the file's own start ("moves on 4 March 2019" for a route from 7 January 2019). When
`case-study --start-date 2031-01-06` moves the start, a move left in 2019 would fall before the route and silently
never happen, while the output still described it; so every date of the file moves by the same number of days as the
start, keeping its distance from it, and the output says so. A date after the route's end (the 18 months a case study
reads) would be as silent a no-op, so it is refused in one line naming the field and the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...schema.case_study import YOUTH_CUSTODY_AGES, CaseStudy
from ...schema.units import DAYS_PER_YEAR

# a phase transfer: the child's age on the 1 September it enters Reception, Year 7 and Year 12 (the engine's
# `route.reviews.TRANSFER_AGES`); its deadline (15 February, 31 March for post-16: SEND Regs 2014 reg 18) falls at
# most about 7 months before that September, whatever a rule set moves it to
TRANSFER_AGES = (4, 11, 16)
DEADLINE_BEFORE_SEPTEMBER_DAYS = 214

# the fields whose date starts something in the route; the others (`until`, `transferred_on`,
# `old_authority_learned`, `placement_planned`) are read against these and may fall outside the route
STARTS = ("date", "since")


def _dated(case: CaseStudy) -> Iterator[tuple[tuple, str, str, dt.date]]:
    """(key in the file's line map, field as the user wrote it, its last name, date) of every date but the start."""
    for i, m in enumerate(case.moves):
        for f in ("date", "old_authority_learned", "transferred_on"):
            if getattr(m, f) is not None:
                yield ("moves", i, f), f"moves[{i}].{f}", f, getattr(m, f)
    for block, fields in (("looked_after", ("since", "placement_planned")), ("education", ("since", "until"))):
        model = getattr(case, block)
        for f in fields if model is not None else ():
            if getattr(model, f) is not None:
                yield (block, f), f"{block}.{f}", f, getattr(model, f)


def has_dates(case: CaseStudy) -> bool:
    """Does the file date anything besides its start?"""
    return next(_dated(case), None) is not None


def shifted(case: CaseStudy, days: int) -> CaseStudy:
    """The case with every date of the file (its start and its dated events) `days` later."""
    if days == 0:
        return case
    d = dt.timedelta(days=days)

    def move(model, fields):  # noqa: ANN001, ANN202 (a pydantic model and its date fields)
        return model.model_copy(update={f: getattr(model, f) + d for f in fields if getattr(model, f) is not None})

    update: dict = {"moves": [move(m, ("date", "old_authority_learned", "transferred_on")) for m in case.moves]}
    if case.start_date is not None:
        update["start_date"] = case.start_date + d
    if case.request_date is not None:
        update["request_date"] = case.request_date + d
    if case.looked_after is not None:
        update["looked_after"] = move(case.looked_after, ("since", "placement_planned"))
    if case.education is not None:
        update["education"] = move(case.education, ("since", "until"))
    return case.model_copy(update=update)


def outside_route(case: CaseStudy, start: dt.date, route_end: dt.date, where: str, lines: dict) -> list[str]:
    """One line for each dated event that would start before the route or after its end: it would never happen in
    the route the case study shows."""
    out = []
    for key, field, name, day in _dated(case):
        if name == "transferred_on" and day > route_end:
            # the transfer would never happen in the route while the output described the host receiving the plan
            # (last session's leftover): refused as a start after the end is
            line = lines.get(key, lines.get(key[:2], lines.get(key[:1], "?")))
            move = case.moves[key[1]].date
            out.append(f"{where}:{line}: {field}: {day} is after the route's end (allowed: a date from the move "
                       f"{move} to {route_end}, the 18 months a case study reads or to the scenario's end; a "
                       "transfer after them is not in the route)")
            continue
        if name not in STARTS:
            continue
        if field == "looked_after.since" and day <= start:  # placed before the start: where the child lives
            continue
        if start <= day <= route_end:
            continue
        line = lines.get(key, lines.get(key[:2], lines.get(key[:1], "?")))
        when = "before the route's start" if day < start else "after the route's end"
        out.append(f"{where}:{line}: {field}: {day} is {when} (allowed: a date from {start} to {route_end}, the 18 "
                   "months a case study reads or to the scenario's end; move the start with --start-date or "
                   "start_date)")
    return out


def custody_past_eighteen(case: CaseStudy, start: dt.date, run_end: dt.date, where: str, lines: dict) -> list[str]:
    """A spell in youth custody (CFA ss.70-75: a detained person is under 18, in relevant youth accommodation) that
    would last past the child's 18th birthday: refused, since the steps of ss.70-75 (the plan kept, reviews not held,
    NHS England's health care) would go on for an adult. Without `until` the spell lasts to the run's end."""
    ed = case.education
    if ed is None or ed.arrangement != "youth_custody":
        return []
    eighteen = start + dt.timedelta(days=round((YOUTH_CUSTODY_AGES[1] - case.child.age) * 365.25))
    end = ed.until or run_end
    if end <= eighteen:
        return []
    key = ("education", "until") if ed.until is not None else ("education",)
    given = f"{ed.until}" if ed.until is not None else f"none given, so the run's end {run_end}"
    return [f"{where}:{lines.get(key, lines.get(('education',), '?'))}: education.until: {given} is after the child's "
            f"18th birthday (about {eighteen}; youth custody under CFA ss.70-75 is for those under 18) (allowed: "
            f"until on or before {eighteen})"]


def transfer_pins_never_apply(case: CaseStudy, start: dt.date, route_end: dt.date, where: str,
                              lines: dict) -> list[str]:
    """A pin of the phase transfer (`phase_transfer`, `transfer_preferred`) for a child with no transfer in the route:
    refused, since it would never apply while the output said "Fixed for this child in every run: phase transfer:
    late" (fifth held-out round: a child of 8, whose move to Year 7 is three years off). A transfer is in the route
    when its September comes after the start and its deadline (at most about 7 months before that September) on or
    before the route's end."""
    pins = [k for k in ("phase_transfer", "transfer_preferred", "transfer_keeps_setting")
            if getattr(case.pinned, k) is not None]
    if not pins:
        return []
    born = start - dt.timedelta(days=case.child.age * DAYS_PER_YEAR)
    nxt = None
    for year in range(start.year, start.year + 30):
        sept = dt.date(year, 9, 1)
        age = int((sept - born).days // DAYS_PER_YEAR)
        if sept <= start or age not in TRANSFER_AGES:
            continue
        if (sept - route_end).days <= DEADLINE_BEFORE_SEPTEMBER_DAYS:
            return []
        nxt = (sept, age)
        break
    key = ("pinned", pins[0])
    line = lines.get(key, lines.get(("pinned",), "?"))
    nxt_text = (f"; the next enters {({4: 'Reception', 11: 'Year 7', 16: 'Year 12'})[nxt[1]]} on {nxt[0]}"
                if nxt else "; none is left at this age")
    return [f"{where}:{line}: pinned.{pins[0]}: no phase transfer falls in the route ({start} to {route_end}) of a "
            f"child of {case.child.age:g}{nxt_text} (allowed: no {pins[0]} pin, or a start with --start-date or "
            "start_date whose 18 months reach the transfer deadline)"]
