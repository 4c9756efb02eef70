"""Case studies: one child, many runs, under each rule set, read against the accountability map.

A case-study file fixes a child's attributes and the family's choices, and may pin events
("the LA refuses to assess"). The rest of the system runs as in the scenario the file names, so
the child waits in the same queues as everyone else. For each rule set the child is run many
times; the report gives the distribution of weeks to a final plan and to provision, the most
likely route, and a step-by-step table of who holds the duty, the deadline, the typical time,
who pays, what redress the family has, and the gaps the map flags. A child with two authorities (a move, a
looked-after child placed out of area) runs the same way: `case_authorities` adds the second authority and the moves.

Why this module is long: it is the one place that turns a case file into runs and runs into the per-rule-set
summary (timings, routes, the step table against the map); its helpers already live in case_calendar, case_in_force,
case_words and case_authorities.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...engine.model.child import Child
from ...engine.model.journey import Journey
from ...engine.model.records import EventRow
from ...rules.accountability import deadline_value, gaps, step_deadline
from ...rules.scenario import LoadedScenario, load_scenario
from ...schema.case_study import MODELLED_AS, CaseStudy, plan_ended, year_group_of
from ...schema.files import InputError, non_file_problem, parse_model
from ...schema.rules import RuleSet
from ...schema.shipped import closest, locate, not_found, shipped_dir, shipped_names
from ...schema.units import DAYS_PER_MONTH, DAYS_PER_WEEK
from .case_authorities import (
    authority_names,
    bodies_by_authority,
    council_hint,
    extra_authorities,
    index_of,
    moves,
    moves_too_close,
    outside_england,
    reorganised_hint,
    reorganised_note,
    responsible_at_start,
    roles,
    transfers_after_end,
    with_authorities,
)
from .case_calendar import (
    calendar_words,
    no_education_part,
    pins_effect,
    pins_overridden,
    review_under5,
    time_without_school,
    transfer_before_start,
    under5_deadline,
)
from .case_dates import custody_past_eighteen, has_dates, outside_route, shifted, transfer_pins_never_apply
from .case_in_force import display_label, in_force_during, in_force_words, law_at, rules_in_force
from .case_words import at_request, describe_child, differences, educational_advice
from .runner import simulate

CASE_YEARS = 2  # a case runs to two years after its start at most (its route is read over the first 18 months)


@dataclass(frozen=True)
class CaseRun:
    """What one run of a case study needs: the rule sets loaded over the case's window, and where the child starts."""

    case: CaseStudy
    loaded: LoadedScenario  # the scenario with the file's own rule set (validation, names, dates)
    la: int
    start: float  # the child's start, in days from the scenario's first day
    start_date: dt.date
    until: dt.date | None  # the run ends here (None: the scenario's end)
    from_start: bool = False
    extra: tuple = ()  # authorities the case names that its scenario lacks (from England's), added to every run
    dates_moved_days: int = 0  # `--start-date` moved the file's start, and its dated events with it, by this much


def _scenario_path(path: Path, case: CaseStudy, lines: dict, override: str | None) -> Path:
    """The scenario: `--scenario` (a shipped name or a path), else the file's `scenario:`, read as the CLI reads a
    name (small_la) or as a path relative to the case file."""
    if override is not None:
        p = locate(override, "scenarios")
        if not p.is_file():
            raise InputError([f"--scenario: {non_file_problem(p) or not_found(override, 'scenarios')}"])
        return p
    near = path.parent / case.scenario
    if near.is_file():
        return near.resolve()
    if (problem := non_file_problem(near)) is not None:  # a folder, a device or a FIFO: named as such
        raise InputError([f"{path}:{lines.get(('scenario',), '?')}: scenario: {problem} (allowed: a shipped "
                          "scenario's name, e.g. small_la, or a path relative to this file)"])
    p = locate(case.scenario, "scenarios")
    if p.is_file():
        return p
    hint = closest(Path(case.scenario).stem, shipped_names("scenarios"))
    raise InputError([f"{path}:{lines.get(('scenario',), '?')}: scenario: file not found: {case.scenario}{hint} "
                      "(allowed: a shipped scenario's name, e.g. small_la, or a path relative to this file)"])


def prepare_case(path: str | Path, scenario: str | None = None, start_date: dt.date | None = None,
                 from_start: bool = False) -> CaseRun:
    """The case, its scenario (or `scenario`), the authority and the start date (or `start_date`), checked before
    anything runs; every problem reported as InputError, in one line each."""
    path = locate(path, "case_studies")
    if not path.is_file():
        raise InputError([non_file_problem(path) or not_found(path, "case_studies")])
    case, lines, _raw = parse_model(path, CaseStudy)
    loaded = load_scenario(_scenario_path(path, case, lines, scenario))
    extra = extra_authorities(case, loaded, f"{path}:{lines.get(('authorities',), '?')}")
    loaded = with_authorities(loaded, extra)
    sc = loaded.scenario
    items = sc.local_authorities.items
    la = 0
    if case.local_authority is not None:
        names = [x.name for x in items]
        if case.local_authority not in names:
            if (line := outside_england(case.local_authority, f"{path}:{lines.get(('local_authority',), '?')}",
                                        "local_authority")) is not None:
                raise InputError([line])
            if (hint := reorganised_hint(case.local_authority, names, sc.name)) is not None:
                raise InputError([f"{path}:{lines.get(('local_authority',), '?')}: local_authority: "
                                  f"{case.local_authority!r} is not in {sc.name}: {hint[0]} (allowed: {hint[1]})"])
            raise InputError([f"{path}:{lines.get(('local_authority',), '?')}: local_authority: "
                              f"{case.local_authority!r} is not in {sc.name} (allowed: "
                              f"{', '.join(names[:10])}{'...' if len(names) > 10 else ''}"
                              f"{council_hint(case.local_authority, loaded)})"])
        la = names.index(case.local_authority)
    on = start_date or case.start or sc.start_date
    if not sc.start_date <= on < sc.end_date:
        key = "start_date" if case.start_date is not None else "request_date"
        where = "--start-date" if start_date is not None else f"{path}:{lines.get((key,), '?')}: {key}"
        last = sc.end_date - dt.timedelta(days=1)  # the route needs a day: its end date itself is too late
        raise InputError([f"{where}: {on} is outside scenario {sc.name} ({sc.start_date} to {sc.end_date}) "
                          f"(allowed: {sc.start_date} to {last}, or a --scenario whose horizon covers it)"])
    if case.child.year_group is not None and case.child.year_group != year_group_of(case.child.age, on):
        raise InputError([f"{path}:{lines.get(('child', 'year_group'), lines.get(('child',), '?'))}: "
                          f"child.year_group: {case.child.year_group} does not fit age {case.child.age:g} on {on} "
                          f"(allowed: {year_group_of(case.child.age, on)}, the year group of that age on that day)"])
    ended = plan_ended(case, on)  # the file's start was checked when it was read; --start-date or none here
    if ended:
        raise InputError([f"{path}:{lines.get(('child', 'age'), lines.get(('child',), '?'))}: {ended}"])
    moved = 0
    if start_date is not None and (case.start is not None or has_dates(case)):
        # the file's own start: its start_date, else the first day of its own scenario (not --scenario's)
        own = case.start or (sc.start_date if scenario is None else
                             load_scenario(_scenario_path(path, case, lines, None)).scenario.start_date)
        moved = (on - own).days
    case = shifted(case, moved)  # the file's dated events keep their distance from its start (case_dates)
    cut = dt.date(on.year + CASE_YEARS, on.month, min(on.day, 28))
    until = cut if cut < sc.end_date else None
    route_end = min(on + dt.timedelta(days=round(ROUTE_WINDOW_DAYS)), until or sc.end_date)  # what the run covers
    problems = outside_route(case, on, route_end, str(path), lines)
    problems += custody_past_eighteen(case, on, until or sc.end_date, str(path), lines)
    problems += moves_too_close(case, loaded, on, str(path), lines)
    problems += transfers_after_end(case, loaded, on, route_end, str(path), lines)
    problems += transfer_pins_never_apply(case, on, route_end, str(path), lines)
    if problems:
        raise InputError(problems)
    if case.authorities is not None:
        la = index_of(loaded, responsible_at_start(case, on) or case.authorities.home)
    return CaseRun(case, loaded, la, float((on - sc.start_date).days), on, until, from_start, extra,
                   moved if has_dates(case) else 0)


def load_case(path: str | Path, scenario: str | None = None, start_date: dt.date | None = None
              ) -> tuple[CaseStudy, LoadedScenario, int, float]:
    """The case, its scenario, the authority's index and the start day (`prepare_case`, as a tuple)."""
    cr = prepare_case(path, scenario, start_date)
    return cr.case, cr.loaded, cr.la, cr.start


class _OnlyChild:
    """A recorder that keeps only the case child's events (the rest of the system is not logged)."""

    one_child = True  # the journey makes rows for `child` only (`Journey._log_one_child`); `add` still filters

    def __init__(self) -> None:
        self.child = -10**12
        self.rows: list[EventRow] = []
        self.enabled = True

    def add(self, row: EventRow) -> None:
        if row.child == self.child:
            self.rows.append(row)

    def flush(self) -> None:
        pass


def run_child(case: CaseStudy, loaded: LoadedScenario, la: int, start: float, seed: int,
              run: int) -> list[EventRow]:
    """One run: the whole scenario, with the case child added; returns the child's event rows."""
    return run_case_child(case, loaded, la, start, seed, run)[0]


def run_case_child(case: CaseStudy, loaded: LoadedScenario, la: int, start: float, seed: int,
                   run: int) -> tuple[list[EventRow], Child]:
    """One run: the whole scenario, with the case child added; the child's event rows and the child at the end."""
    rec = _OnlyChild()
    attrs = case.child.model_dump(exclude={"year_group", "current_setting", "out_of_school", "excluded"})
    age = attrs.pop("age")
    attrs["preferred"] = MODELLED_AS.get(attrs["preferred"], attrs["preferred"])
    pins = case.pins()
    if "transfer_preferred" not in pins and (case.existing_plan is not None or "preferred" in case.child.model_fields_set):
        # the file's preference is the family's wish at the next phase transfer (not a draw); later ones are drawn.
        # A new request's too where the file gives it: a plan made before a transfer's deadline drew the family's
        # wish at that transfer, ignoring the file (last session's leftover; MODEL.md 2.6c)
        pins["transfer_preferred"] = attrs["preferred"]
        pins.setdefault("__first_only__", set()).add("transfer_preferred")
    if case.child.out_of_school:
        pins["out_of_school"] = True  # ends when a setting is in place (the s.19 duty met by the plan)
    held: list[Child] = []

    def add_child(j: Journey) -> None:
        if case.existing_plan is not None:
            setting = MODELLED_AS.get(case.existing_plan.setting, case.existing_plan.setting)
            c = j.add_existing_plan(setting, la, age, case.existing_plan.first_review_day, at_day=start,
                                    pins=pins or None, **attrs)
        else:
            c = j.add_request(start, la, age, pins=pins or None, **attrs)
        rec.child = c.id
        held.append(c)
        if case.child.out_of_school:
            j.engine.at(start, j.out_of_school, c)
        for day, mv in moves(case, loaded, loaded.scenario.start_date + dt.timedelta(days=round(start))):
            j.engine.at(float((day - loaded.scenario.start_date).days), j.moved_authority, (c, mv))
        for step, event in at_request(case):  # a plan ceased before the request, a hospital school: on the route
            j.engine.at(start, j.note_at_request, (c, step, event))
        c.content = case.engine_content()  # the plan's items and the budget (issue 25)
        sc_start = loaded.scenario.start_date
        elsewhere = case.engine_elsewhere(sc_start, sc_start + dt.timedelta(days=round(start)))
        if elsewhere is not None:  # educated elsewhere from the file's date (after the plan is taken up)
            j.engine.at(max(elsewhere[0], start), j.educated_elsewhere, (c, elsewhere[1]))

    simulate(loaded, seed, run, recorder=rec, prepare=add_child)  # type: ignore[arg-type]
    return rec.rows, held[0]


ROUTE_WINDOW_DAYS = 18 * DAYS_PER_MONTH  # the route is read over the first 18 months after the start
TOP_ROUTES = 5  # routes reported with their shares
TYPICAL_SHARE_PCT = 20.0  # a route at or below this share of runs is not called typical


def _route(rows: list[EventRow], start: float) -> tuple[str, ...]:
    return tuple(f"{r.step}:{r.event}" for r in _dedup(rows, start))


def _q(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarise_rule_set(case: CaseStudy, loaded: LoadedScenario, baseline: RuleSet | None,
                       runs: list[tuple[list[EventRow], Child]], start: float, age: float,
                       status: dict[str, Any] | None = None) -> dict[str, Any]:
    """Distributions over runs, the time without a school, the modal route, and its step table against the map of
    the rules in force during the route (`status`, from `case_in_force.in_force_during`)."""
    status = status or {"reform": False, "applied": False, "at_start": [], "during": [], "not_in_force": [],
                        "hypothetical": False}
    finals, provs = [], []
    for rows, _c in runs:
        f = next((r.day for r in rows if r.step == "final_plan" and r.event == "issued"), None)
        p = next((r.day for r in rows if r.step == "provision" and r.day >= start), None)
        if f is not None:
            finals.append((f - start) / DAYS_PER_WEEK)
        if p is not None:
            provs.append((p - start) / DAYS_PER_WEEK)
    routes = Counter(_route(rows, start) for rows, _c in runs)
    route, count = routes.most_common(1)[0]
    on_route = [rows for rows, _c in runs if _route(rows, start) == route]
    in_force = rules_in_force(loaded, status)
    two = case.authorities is not None  # each step names the authority that acted (a move changes it)
    names = [la.name for la in loaded.scenario.local_authorities.items]
    acc = in_force.accountability
    doc = in_force.model_dump(mode="json")
    flags = gaps(in_force, baseline)
    table = []
    prev_t = start
    asked = start  # when the advice steps (asked together, answered in parallel) were asked
    registered = start  # when the route's appeal was registered (an appeal still listed at the end waits from then)
    lodged: tuple[str, float] | None = None  # the open appeal: its kind and the week it was lodged
    came: tuple[str, float] | None = None  # an appealable decision made while it was open: what, and its week
    for i, key in enumerate(route):
        step, event = key.split(":", 1)
        events = [_dedup(rows, start)[i] for rows in on_route]
        t = statistics.median(e.day for e in events)
        if step not in ADVICE:
            asked = t
        if key == "appeal:registered":
            registered = t
        actor = Counter(e.duty_holder for e in events).most_common(1)[0][0]
        st = acc.steps.get(step)
        deadline = step_deadline_text(doc, st, step, event) if st else "unmapped"
        if step == "name_setting" and table and table[-1]["step"] == "phase_transfer":
            # the setting named at a phase transfer is named by the transfer's own date (reg 18: 15 February, or
            # 31 March for post-16), not within the 20 weeks of a new plan (sixth held-out round: "20 weeks")
            deadline = table[-1]["deadline"]
        # the last order or concession complied with, while the plan it leads to is not yet final (a setting named
        # at a later phase transfer or review is due by that step's own date, not the order's period)
        last = next((r for r in reversed(table) if r["step"] in ("comply", "final_plan")), None)
        order = last["event"] if last is not None and last["step"] == "comply" else ""
        period = AFTER_ORDER.get((step, order.split("_after")[0]))
        if period and "_after" in order:
            # after an order or a concession the decision and the plan are due within the order's periods (reg 44(2),
            # reg 45), as the engine logs them, not the request's 16 and 20 weeks (seventh held-out round)
            deadline = f"{deadline_value(doc, 'compliance.' + period)} from the order or concession"
        if step == "name_setting" and table and (table[-1]["step"], table[-1]["event"]) == ("annual_review",
                                                                                             "amend_setting"):
            # a setting named by amending the plan at a review: the amended plan's period (reg 22), not a new plan's
            # 20 weeks from a request there never was (eighth held-out round: "20 weeks" beside an under-5 review's
            # move of setting)
            deadline = f"{deadline_value(doc, 'timeline.amendment_final')} from the proposed amendments"
        transfer_review = step == "annual_review" and any(e.deadline_day == e.deadline_day for e in events)
        if transfer_review:
            # the review a plan transfer re-dated (reg 15's later-of rule): the engine logs its own deadline, the day
            # it was due plus the decision's weeks; it read as any review's 12 months, with nothing met or missed
            deadline = (f"after the transfer (reg 15): reviewed by the later of "
                        f"{deadline_value(doc, 'timeline.annual_review_interval')} from the last review and "
                        f"{deadline_value(doc, 'timeline.transfer_review')} after the transfer; the decision within "
                        f"{deadline_value(doc, 'timeline.review_decision')} of the meeting")
        row = {
            "step": step, "event": event, "acted_by": actor,
            "duty_holder": list(st.duty_holder) if st else [],
            **({"duty_strength": dict(st.duty_strength)} if st and st.duty_strength else {}),
            "deadline": deadline,
            "weeks_from_start": round((t - start) / DAYS_PER_WEEK, 1),
            "weeks_in_step": round((t - prev_t) / DAYS_PER_WEEK, 1),
            "payer": list(st.payer) if st else [],
            "redress": list(st.redress) if st else [],
            "gaps": flags.get(step, ["step missing from the accountability map"]),
            "label": st.label if st else step.replace("_", " "),
            **({"authority_of": bodies_by_authority(case, names[Counter(e.la for e in events).most_common(1)[0][0]])}
               if two else {}),
            # an appeal still listed at the route's end has waited since it was registered, not since the step before
            **_timing(loaded, step, events, (asked if step in ADVICE else registered if (step, event) == STILL_WAITING
                                             else prev_t), t, start),
        }
        if step == "school_advice":  # a young person with no school or college: the advice is not a school's
            row.update(educational_advice(case, age + (t - start) / 365.25))
        if step == "annual_review" and review_under5(age, start, t) and not transfer_review:
            row["under5"] = True  # a review of a child under 5 (the Code's 3-6 monthly reviews, 9.178)
            row["deadline"] = under5_deadline(deadline, loaded)  # the 12 months' limit beside the Code's advice
        week = (t - start) / DAYS_PER_WEEK
        if step == "appeal" and event.startswith("lodged_"):
            lodged, came = (event[len("lodged_"):].replace("_", " "), week), None
        elif lodged is not None and ((step, event) in AFTER_A_LATER_DECISION or step == "comply"):
            if came is not None:
                # one dispute at a time (route/redress.py): a decision made while an appeal is open is not appealed
                # separately, so the tribunal's steps after it are the earlier appeal's, not an appeal of it (the
                # table read as if the family had appealed the later decision, which was never lodged)
                row["appeal_of"] = (f"the {lodged[0]} appeal lodged in week {lodged[1]:.0f}; the {came[0]} in week "
                                    f"{came[1]:.0f} came while it was open and was not appealed separately")
            if (step, event) in APPEAL_CLOSED or step == "comply":
                lodged = came = None
        elif lodged is not None and (what := LATER_DECISION.get((step, event.split("_")[0]))):
            came = came or (what, week)
        table.append(row)
        prev_t = max(prev_t, t)
    n = len(runs)
    law = law_at(loaded, start)
    top = [{"route": list(r), "share_pct": round(100.0 * k / n, 1)} for r, k in routes.most_common(TOP_ROUTES)]
    overridden = sum(1 for rows, _c in runs if any(r.event == "declined_but_mandatory" for r in rows))
    notes = []
    if overridden:
        notes.append(f"mediation is pinned declined, but this rule set makes it mandatory: the family was compelled "
                     f"to mediate in {round(100.0 * overridden / n, 1)}% of runs")
    return {
        "rules": loaded.law.name,
        "label": display_label(loaded.rules.label, status),
        "rule_set_label": loaded.rules.label,
        "in_force": status,
        "top_routes": top,
        "route_note": (f"no route above {TYPICAL_SHARE_PCT}% of runs" if top[0]["share_pct"] <= TYPICAL_SHARE_PCT
                       else f"the commonest route covers {top[0]['share_pct']}% of runs"),
        "pins_overridden": notes,
        "pins_effect": pins_effect(case, [rows for rows, _c in runs]),
        "runs": n,
        "weeks_to_final_plan": _dist(finals, n),
        "weeks_to_provision": _dist(provs, n),
        "within_20_weeks_pct": round(100.0 * sum(1 for w in finals if w <= law.final_plan_weeks) / n, 1),
        "time_without_school": time_without_school(runs, loaded),
        "most_likely_route": list(route),
        "route_share_pct": round(100.0 * count / n, 1),
        "routes_seen": len(routes),
        **({"still_waiting_for_hearing_pct": w} if (w := still_waiting_pct(runs, start)) else {}),
        "steps": table,
    }


# after an order or a concession (reg 44(2), reg 45; timeline.md 1.3) the decision and the final plan are due within
# the order's periods; the setting is named in the final plan (Section I), so within the final plan's period
AFTER_ORDER = {("decide_to_issue", "assess"): "assess_no_plan", ("final_plan", "assess"): "assess_final",
               ("final_plan", "make_plan"): "issue_final", ("name_setting", "assess"): "assess_final",
               ("name_setting", "make_plan"): "issue_final", ("name_setting_outside_list", "assess"): "assess_final",
               ("name_setting_outside_list", "make_plan"): "issue_final"}
ADVICE = ("school_advice", "psychological_advice", "health_advice", "social_care_advice")
WORK = {  # the scenario's typical working time of a step once someone works on it (durations.*, in days)
    "decide_to_assess": "panel_decision_days", "school_advice": "school_advice_days",
    "psychological_advice": "ep_advice_days", "health_advice": "health_advice_days",
    "social_care_advice": "social_care_advice_days", "decide_to_issue": "decide_to_issue_days",
    "draft_plan": "draft_writing_days", "name_setting": "setting_consultation_days", "final_plan": "finalise_days",
    "provision": "place_start_days",
}


def _working_days(loaded: LoadedScenario, step: str) -> float:
    if step == "family_comments":
        return loaded.law.draft_comment_days
    if step == "mediation":
        return float(loaded.scenario.redress.mediation_held_days.value)
    key = WORK.get(step)
    return float(getattr(loaded.scenario.durations, key).value) if key else 0.0


def _timing(loaded: LoadedScenario, step: str, events: list[EventRow], since: float, t: float,
            start: float) -> dict[str, Any]:
    """When the family starts waiting on a step, when its work typically starts, and its statutory deadline.

    The event log has each step's end only; the split of the time before it into waiting (queues, the authority's
    own delay, a review date) and working is read from the scenario's typical working time of the step
    (`durations.*`): the work is drawn as ending at the step's median end, the rest of the interval as waiting. A
    step the family takes (comments, lodging an appeal) is the family's own time throughout. `deadline_met` is True
    when the deadline was met in at least half of the runs on this route, None where the step has no deadline."""
    family = Counter(e.duty_holder for e in events).most_common(1)[0][0] == "family"  # the family's own time
    work = max(t - since, 0.0) if family else min(_working_days(loaded, step), max(t - since, 0.0))
    dl = [e.deadline_day for e in events if e.deadline_day == e.deadline_day]
    met = [e.deadline_met for e in events if e.deadline_met is not None]
    return {"waiting_from_week": round((since - start) / DAYS_PER_WEEK, 1),
            "started_week": round((t - work - start) / DAYS_PER_WEEK, 1),
            "deadline_week": round((statistics.median(dl) - start) / DAYS_PER_WEEK, 1) if dl else None,
            "deadline_met": (2 * sum(met) >= len(met)) if met else None}


def step_deadline_text(doc: dict, st: Any, step: str, event: str) -> str:
    """The deadline of the step an event belongs to: the one case of the step that applies (a cessation appeal won
    means the plan is maintained immediately, reg 44(2): none of the other orders' deadlines applies)."""
    if (step, event) == ("comply", "continue"):
        return "immediately (the plan is maintained: reg 44(2))"
    if (step, event) == ("cessation", "decided_plan_kept_until_the_time_to_appeal_ends"):
        node = doc["compliance"]["cessation_undisputed"]  # no source says when the plan stops (UNVERIFIED)
        unit = node["unit"].replace("_", " ")
        return (f"kept {_one(deadline_value(doc, 'compliance.cessation_undisputed'))} (the family's time to appeal), "
                f"then ceased: not in the sources, an assumption (range {node['range'][0]:g} to {node['range'][1]:g} "
                f"{unit}), UNVERIFIED")
    if step == "appeal" and event.startswith("lodged_"):
        # the family lodges the appeal: its own limit (timeline.md 1.3), not the LA's 30 working days to respond
        return (f"the family's limit: {_one(deadline_value(doc, 'appeal.deadline_after_decision'))} from the "
                f"decision, or {_one(deadline_value(doc, 'appeal.deadline_after_certificate'))} from the mediation "
                "certificate if later")
    if step == "appeal" and st.deadline == "appeal.la_response":
        return f"the LA's response to the appeal: {step_deadline(doc, st, _deadline_case(step, event))}"
    return step_deadline(doc, st, _deadline_case(step, event))


def _one(period: str) -> str:
    """'1 months' -> '1 month' (a period of one, as a reader says it)."""
    return period[:-1] if period.startswith("1 ") and period.endswith("s") else period


def _deadline_case(step: str, event: str) -> str | None:
    """Which of a step's per-case deadlines an event falls under (reg 44: each order has its own; reg 18: school
    or post-16 transfer), from the event the journey logged."""
    if step == "comply":
        if event.startswith("assess_after"):
            # the LA's own step on an order or a concession to assess: notice within 2 weeks that it will assess (reg
            # 44(2)), the deadline the engine logs; the 10 and 14 weeks are the next steps' (eighth held-out round:
            # "14 weeks" stood beside it)
            return "assess_notify"
        if event.startswith("make_plan_after"):
            return "make_plan_final"
        return {"amend": "contents", "rename": "placement"}.get(event)
    if step == "draft_plan":
        return "after_order_to_make_plan" if event == "issued_after_order" else ""
    if step == "decide_to_issue":
        return ""  # from the request; after an order or a concession the caller gives the order's period
    if step == "personal_budget" and event.startswith("asked_at_"):
        return event.split("_")[2]  # asked at the draft or at a review (s.49(1))
    if step == "phase_transfer" and event.startswith("review_age_"):
        return "post16" if event.removeprefix("review_age_").isdigit() and int(event[11:]) >= 16 else "school"
    return None


# the tribunal's steps that belong to the open appeal, and the appealable decisions that can come while it is open
# (each is not appealed separately: route/redress.py, one dispute at a time), by (step, the event's first word)
APPEAL_CLOSED = {("hearing", "still_waiting_at_route_end"), ("appeal", "withdrawn"), ("tribunal_decision", "for_la")}
AFTER_A_LATER_DECISION = {("hearing", "heard"), ("hearing", "still_waiting_at_route_end"), ("appeal", "conceded_by_la"),
                          ("appeal", "withdrawn"), ("tribunal_decision", "for_family"), ("tribunal_decision", "for_la")}
LATER_DECISION = {("name_setting", "named"): "setting named", ("annual_review", "cease"): "review's decision to cease",
                  ("annual_review", "amend"): "review's amendment", ("decide_to_issue", "not"): "decision not to issue",
                  ("decide_to_assess", "refused"): "refusal to assess"}

# what ends an appeal once registered (engine/model/route/tribunal.py): heard, conceded, withdrawn
APPEAL_ENDS = {("hearing", "heard"), ("appeal", "conceded_by_la"), ("appeal", "withdrawn")}
STILL_WAITING = ("hearing", "still_waiting_at_route_end")  # the route's last step when an appeal is still listed


def _dedup(rows: list[EventRow], start: float = 0.0) -> list[EventRow]:
    """The events that make the route: in the window from the start, repeats merged (every review is kept, with
    its outcome: a review that maintains the plan is part of the route, not noise). An appeal registered in the
    window and neither heard, conceded nor withdrawn by its end is still waiting for a hearing (the tribunal's list
    can be longer than the window: docs/MODEL.md 2.6h): the route ends with that, on the window's last day, so it does
    not read as if the next step (a review, a phase transfer) came instead of a hearing."""
    out: list[EventRow] = []
    t0 = next((r.day for r in rows if r.step == "request"), start)
    end = t0 + ROUTE_WINDOW_DAYS
    waiting: EventRow | None = None
    for r in rows:
        if r.day > end or r.day < t0:
            continue
        if (r.step, r.event) == ("appeal", "registered"):
            waiting = r
        elif (r.step, r.event) in APPEAL_ENDS:
            waiting = None
        if not out or (out[-1].step, out[-1].event) != (r.step, r.event) or r.step == "annual_review":
            out.append(r)
    if waiting is not None:
        out.append(EventRow(waiting.child, waiting.la, end, *STILL_WAITING, "tribunal"))
    return out


def still_waiting_pct(runs: list[tuple[list[EventRow], Any]], start: float) -> float:
    """The share of runs (%) whose appeal is still waiting for a hearing when the route's window ends."""
    n = len(runs)
    k = sum(1 for rows, _c in runs if any((e.step, e.event) == STILL_WAITING for e in _dedup(rows, start)))
    return round(100.0 * k / n, 1) if n else 0.0


def _dist(xs: list[float], n: int) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 1)

    return {"median": r(_q(xs, 0.5)), "p10": r(_q(xs, 0.1)), "p90": r(_q(xs, 0.9)),
            "reached_pct": round(100.0 * len(xs) / n, 1) if n else None}


def case_study(path: str | Path, rules: list[str], runs: int = 50, seed: int = 1, scenario: str | None = None,
               start_date: dt.date | None = None, from_start: bool = False) -> dict[str, Any]:
    """Run one case study under each rule set; the first rule set is the one the others are read against.

    `scenario` and `start_date` override the file's; `from_start` puts every reform switch in force from the first
    day of the run (a hypothetical, said so in the output)."""
    cr = prepare_case(path, scenario, start_date, from_start)
    case, loaded0 = cr.case, cr.loaded
    loaded = [with_authorities(load_scenario(loaded0.path, r, cr.until, from_start), cr.extra)
              for r in rules]  # all validated before any run
    route_end = cr.start_date + dt.timedelta(days=round(ROUTE_WINDOW_DAYS))
    statuses = [in_force_during(lo, cr.start_date, route_end) for lo in loaded]
    base = rules_in_force(loaded[0], statuses[0])
    results = []
    for k, (lo, st) in enumerate(zip(loaded, statuses, strict=True)):
        done = [run_case_child(case, lo, cr.la, cr.start, seed, r) for r in range(runs)]
        results.append(summarise_rule_set(case, lo, base if k else None, done, cr.start, case.child.age, st))
    for r in results[1:]:
        r["pins_overridden"] += pins_overridden(results[0], r)
    changes = [differences(results[0], r) for r in results[1:]]
    sc = loaded0.scenario
    return {"case": case.name, "title": case.title, "summary": case.summary, "sources": case.sources,
            "scenario": sc.name, "scenario_start": str(sc.start_date), "seed": seed,
            "runs": runs, "preferred": case.child.preferred,
            "start_date": str(cr.start_date), "route_end": str(route_end),
            "run_end": str(cr.until or sc.end_date), "from_start": from_start,
            **({"dates_moved_days": cr.dates_moved_days} if cr.dates_moved_days else {}),
            # what the command line gave over the file (the report's command to make the same results again)
            **({"file_given": str(path)} if not _shipped(path) else {}),
            **({"scenario_given": str(scenario)} if scenario is not None else {}),
            **({"start_date_given": str(start_date)} if start_date is not None else {}),
            "start": f"existing plan on {cr.start_date}" if case.existing_plan else str(cr.start_date),
            "in_force": [in_force_words(lo.law.name, lo.rules.label, st, cr.start_date, route_end)
                         for lo, st in zip(loaded, statuses, strict=True)],
            "calendar": calendar_words(loaded0),
            **({"transfer_before_start": note} if (note := transfer_before_start(
                case, (law0 := law_at(loaded[0], cr.start)).phase_transfer_school, law0.phase_transfer_post16,
                cr.start_date)) else {}),
            **({"disputes_note": note} if (note := no_education_part(case)) else {}),
            **({"reorganised": note} if (note := reorganised_note(
                [la.name for la in loaded0.scenario.local_authorities.items if la.name in (
                    authority_names(case) or [loaded0.scenario.local_authorities.items[cr.la].name])],
                cr.start_date, route_end)) else {}),
            "pinned": {k: v for k, v in case.pinned.model_dump().items() if v not in (None, {})},
            "child": describe_child(case),
            **({"authorities": roles(case, cr.start_date)} if case.authorities is not None else {}),
            "results": results, "what_changes": changes}


def _shipped(path: str | Path) -> bool:
    """Is the case file one of the shipped ones (so its name alone finds it again)?"""
    p = locate(path, "case_studies").resolve()
    return p.parent == shipped_dir("case_studies").resolve()


def final_plan_limits(path: str | Path, rules: list[str], scenario: str | None = None,
                      start_date: dt.date | None = None, from_start: bool = False) -> dict[str, tuple[float, str]]:
    """{rule set: (final-plan limit in weeks, its legal reference)} for the case's scenario, from each compiled
    rule set in force on the child's start date (a chart draws the statutory line from these, not a number of its
    own)."""
    cr = prepare_case(path, scenario, start_date, from_start)
    out = {}
    for r in rules:
        lo = with_authorities(load_scenario(cr.loaded.path, r, cr.until, from_start), cr.extra)
        law = law_at(lo, cr.start)
        out[law.name] = (law.final_plan_weeks, lo.rules.timeline.final_plan.reference.split(";")[0].strip())
    return out
