"""A case study's school calendar and time without a school, read from the child's runs.

The engine starts a setting named for the next phase on the 1 September that phase begins, and a place secured
mid-year after the scenario's lead time (`durations.place_start_days`); it counts the days a child awaits a place
with a plan in force, and the days with no education at all (`engine.model.route.reviews`). This module reads those
figures, per run, for one child: the four measures of time without a school, each as a mean over the runs with the
share of runs in which it was above zero; the under-5 reviews; and, for each pin, in how many runs it took effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ...engine.model.child import Child
from ...engine.model.records import EventRow
from ...rules.scenario import LoadedScenario
from ...schema.case_study import CaseStudy
from ...schema.units import DAYS_PER_WEEK, DAYS_PER_YEAR

# the four measures of time without a school (docs/MODEL.md, "Time without a school")
WITHOUT_SCHOOL = {
    "weeks_out_of_school": "out of school, with no education at all",
    "weeks_awaiting_placement": "awaiting a placement: a plan in force and no setting in place",
    "weeks_without_provision": "without the named provision in place (the current setting may serve meanwhile)",
    "weeks_without_named_school_at_transfer": "after the phase-transfer deadline with no setting named",
}


def review_under5(age: float, start: float, day: float) -> bool:
    """A review held while the child is under 5 (the Code of Practice's 3-6 monthly reviews, 9.178)."""
    return age + (day - start) / DAYS_PER_YEAR < 5.0


def under5_deadline(deadline: str, loaded: LoadedScenario) -> str:
    """The deadline of a review held while the child is under 5, in the words a reader needs: the statutory limit
    stays 12 months from the last review (CFA s.44(1)), and the Code of Practice (9.178: guidance, not a limit;
    timeline.md 1.5, practice.md 4.3 persona 5) says an LA should consider reviewing a child under 5 every 3 to 6
    months, which the scenario's `reviews.under5_review_interval_months` follows. Why: the case showed only "review
    within 12 months: 12 months" beside a review held six months after the last (last session's leftover)."""
    every = loaded.scenario.reviews.under5_review_interval_months.value
    held = f"this scenario holds one every {every:g} months" if every < 12 else \
        "this scenario holds only the annual review"
    note = (" (the statutory limit, CFA s.44(1); for a child under 5 the Code of Practice, 9.178, asks the LA to "
            f"consider a review every 3 to 6 months: guidance, not a limit; {held})")
    head, sep, rest = deadline.partition(";")
    return f"{head}{note}{sep}{rest}"


def _child_weeks(rows: list[EventRow], c: Child, end: float) -> dict[str, float]:
    waiting = c.days_without_provision + ((end - c.waiting_since) if c.waiting_since == c.waiting_since else 0.0)
    late = sum(max(0.0, r.day - r.deadline_day) for r in rows
               if r.step == "phase_transfer" and r.event.startswith("review_age_") and r.deadline_day == r.deadline_day)
    return {"weeks_out_of_school": c.days_out / DAYS_PER_WEEK,
            "weeks_awaiting_placement": c.days_awaiting / DAYS_PER_WEEK,
            "weeks_without_provision": waiting / DAYS_PER_WEEK,
            "weeks_without_named_school_at_transfer": late / DAYS_PER_WEEK}


def time_without_school(runs: list[tuple[list[EventRow], Child]], loaded: LoadedScenario) -> dict[str, Any]:
    """Each measure: its mean over the runs (weeks, to the run's end) and the share of runs in which it was above
    zero."""
    end = float((loaded.scenario.end_date - loaded.scenario.start_date).days)
    per = [_child_weeks(rows, c, end) for rows, c in runs]
    n = len(per) or 1
    return {k: {"mean": round(sum(p[k] for p in per) / n, 1),
                "runs_with_any_pct": round(100.0 * sum(1 for p in per if p[k] > 1e-9) / n, 1),
                "meaning": words} for k, words in WITHOUT_SCHOOL.items()}


def calendar_words(loaded: LoadedScenario) -> str:
    """The calendar rules a reader needs to read a case's dates, with the lead time's source or range."""
    lead = loaded.scenario.durations.place_start_days
    src = f"assumption, range {lead.range[0]:g}-{lead.range[1]:g} days" if getattr(lead, "range", None) else \
        str(getattr(lead, "source", "") or "the scenario")
    return (f"School calendar: a setting named for a phase transfer starts on 1 September of the new school year; "
            f"a place secured mid-year starts after {lead.value:g} days (the scenario's lead time to a place: {src}); "
            "reviews of a child under 5 are marked as under-5 reviews.")


TRANSFER_WORDS = {4: "Reception", 11: "secondary school (Year 7)", 16: "post-16 (Year 12)"}


def transfer_before_start(case: CaseStudy, school: tuple[int, int], post16: tuple[int, int],
                          start: dt.date) -> str | None:
    """What a plan in force taken up after its phase transfer's deadline (15 February, 31 March: SEND Regs 2014
    reg 18(1)) and before that 1 September should say: the next setting was due to be named before the route starts,
    so the runs hold no transfer (the engine schedules a transfer from its deadline, `_schedule_transfer`). Why: a
    Year 6 child whose case starts on 1 March showed no move to secondary school at all, and no word of it (fourth
    held-out round)."""
    if case.existing_plan is None or case.education is not None:
        return None
    sept = dt.date(start.year if start < dt.date(start.year, 9, 1) else start.year + 1, 9, 1)
    age = int((case.child.age * DAYS_PER_YEAR + (sept - start).days) // DAYS_PER_YEAR)
    if age not in TRANSFER_WORDS:
        return None
    deadline = dt.date(sept.year, *(post16 if age == 16 else school))
    if deadline > start:
        return None
    return (f"Phase transfer: the setting for {TRANSFER_WORDS[age]} from 1 September {sept.year} was to be named by "
            f"{deadline.day} {deadline:%B %Y} (SEND Regs 2014 reg 18(1)), on or before this route's start on {start}: "
            f"it is not in these runs (the plan's setting is kept; give a start_date before {deadline} to follow the "
            "transfer).")


def no_education_part(case: CaseStudy) -> str | None:
    """What a case should say when every item the family disputes is health, social care or another section the
    tribunal cannot order (CFA s.51(2): an appeal on the plan's contents is on B, F or I; its recommendations on C,
    D, G and H need one of those appealed too, errata.md 1): the runs take such a dispute to the routes open to it
    (route/content.py: complaints, then the Ombudsman), never to an appeal or a hearing. Why: a dispute of a G and an
    H1 item alone showed a hearing "for the family" and "comply: amend within 5 weeks", an order the tribunal cannot
    make (fourth held-out round); the note said so, and now the route itself follows the law."""
    plan = case.plan
    if plan is None or not plan.disputes:
        return None
    sections = {i.id: i.section for i in plan.items}
    says = [(d.item, d.family_says or sections.get(d.item, "")) for d in plan.disputes]
    if any(sec in ("B", "F", "I") for _i, sec in says):
        return None
    items = ", ".join(f"{i} ({sec})" for i, sec in says)
    routes = []
    if any(sec in ("C", "G") for _i, sec in says):
        routes.append("an NHS complaint, then the Parliamentary and Health Service Ombudsman (health)")
    if any(sec in ("D", "H1", "H2") for _i, sec in says):
        routes.append("the council's social care complaints, then the Local Government and Social Care Ombudsman "
                      "(social care)")
    if any(sec in ("E", "J") for _i, sec in says):
        routes.append("a complaint to the council, then the Local Government and Social Care Ombudsman (the plan's "
                      "outcomes or budget)")
    return (f"Every disputed item is outside sections B, F and I ({items}): the tribunal hears an appeal on a plan's "
            "contents only on an education part (CFA s.51(2)), and recommends on health or social care only with one "
            "appealed too (errata.md 1). So these runs hold no appeal, hearing or order for it: the dispute goes to "
            f"{'; and '.join(routes)}. An Ombudsman's finding is a recommendation; mediation (voluntary, CFA ss.53-54) "
            "and judicial review are open too. How long the complaints and the Ombudsman take, and how often a "
            "complaint is upheld, are assumptions with ranges (UNVERIFIED: not in the sources); the Ombudsman finds "
            "fault at the LGSCO's published rate (84% of its education and children's services investigations, "
            "2022-23).")


def _named(rows: list[EventRow], refused: bool) -> bool:
    return any(r.step == "name_setting" and ("_refused_" in r.event) == refused for r in rows)


def _logged(step: str, event: str) -> Callable[[list[EventRow]], bool]:
    return lambda rows: any(r.step == step and r.event == event for r in rows)


# a pin's value -> the rows that show it took effect (pins without one, such as a family's preference, are skipped)
PIN_SEEN: dict[tuple[str, Any], Callable[[list[EventRow]], bool]] = {
    ("decide_to_assess", "refused"): _logged("decide_to_assess", "refused"),
    ("decide_to_assess", "agreed"): _logged("decide_to_assess", "agreed"),
    ("decide_to_issue", "issue"): _logged("decide_to_issue", "to_issue"),
    ("decide_to_issue", "not_to_issue"): _logged("decide_to_issue", "not_to_issue"),
    ("setting_request", "refused"): lambda rows: _named(rows, True),
    ("setting_request", "agreed"): lambda rows: _named(rows, False),
    ("appeal_outcome", "conceded"): _logged("appeal", "conceded_by_la"),
    ("appeal_outcome", "withdrawn"): _logged("appeal", "withdrawn"),
    ("appeal_outcome", "heard"): _logged("hearing", "heard"),
    ("hearing", "for_family"): _logged("tribunal_decision", "for_family"),
    ("hearing", "for_la"): _logged("tribunal_decision", "for_la"),
    ("review_outcome", "maintain"): _logged("annual_review", "maintain"),
    ("review_outcome", "amend"): _logged("annual_review", "amend"),
    ("review_outcome", "cease"): _logged("annual_review", "cease"),
    **{(f"dispute_{k}", True): _logged("redress", f"dispute_{k}")
       for k in ("refusal_to_assess", "refusal_to_issue", "placement", "contents", "cessation")},
}


def pins_effect(case: CaseStudy, runs: list[list[EventRow]]) -> dict[str, int]:
    """For each pin whose effect shows in the event log: the number of runs in which it took effect (a rule set
    that removes the step, or decides it otherwise, shows fewer than the law it is read against)."""
    pins = case.pinned.model_dump(exclude={"occurrence"})
    if case.cessation is not None:
        pins["review_outcome"] = "cease"
    out = {}
    for k, v in pins.items():
        seen = PIN_SEEN.get((k, v))
        if seen is not None:
            out[f"{k}: {v}"] = sum(1 for rows in runs if seen(rows))
    return out


def pins_overridden(first: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Pins that took effect in fewer runs under `other` than under `first` (the rule set changed that step)."""
    out = []
    for pin, k in other.get("pins_effect", {}).items():
        k0 = first.get("pins_effect", {}).get(pin)
        if k0 is not None and k < k0:
            out.append(f"pinned {pin} took effect in {k} of {other['runs']} runs under {other['rules']} "
                       f"({k0} under {first['rules']}): this rule set changes or removes that step")
    return out
