"""Case studies: one child, many runs, under each rule set, read against the accountability map.

A case-study file fixes a child's attributes and the family's choices, and may pin events
("the LA refuses to assess"). The rest of the system runs as in the scenario the file names, so
the child waits in the same queues as everyone else. For each rule set the child is run many
times; the report gives the distribution of weeks to a final plan and to provision, the most
likely route, and a step-by-step table of who holds the duty, the deadline, the typical time,
who pays, what redress the family has, and the gaps the map flags.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .accountability import deadline_value, gaps
from .engine import HeapEngine
from .journey import Journey
from .loading import InputError, LoadedScenario, load_scenario, parse_model
from .random_streams import Streams
from .sourced import AgeBand, Need, RedressCapacity, Requester, Setting, Strict  # noqa: F401
from .units import DAYS_PER_WEEK


class Pins(Strict):
    """Outcomes fixed for this child; anything not pinned is drawn as for every other child."""

    decide_to_assess: Literal["agreed", "refused"] | None = None
    dispute_refusal_to_assess: bool | None = None
    decide_to_issue: Literal["issue", "not_to_issue"] | None = None
    dispute_refusal_to_issue: bool | None = None
    setting_request: Literal["agreed", "refused"] | None = None
    dispute_placement: bool | None = None
    dispute_contents: bool | None = None
    mediation: Literal["chosen", "declined"] | None = None
    mediation_outcome: Literal["settled", "not_settled"] | None = None
    appeal_outcome: Literal["conceded", "withdrawn", "heard"] | None = None
    hearing: Literal["for_family", "for_la"] | None = None
    review_outcome: Literal["maintain", "amend", "cease"] | None = None
    dispute_cessation: bool | None = None

    @model_validator(mode="after")
    def _possible(self):
        """Refuse pins that cannot all happen: a step after a route the other pins close."""
        problems = []
        if self.decide_to_assess == "refused" and self.dispute_refusal_to_assess is False:
            for later in ("decide_to_issue", "setting_request", "dispute_placement", "dispute_contents"):
                if getattr(self, later) is not None:
                    problems.append(f"{later} cannot happen: the LA refuses to assess and the family does not "
                                    "dispute it (both pinned)")
        if self.decide_to_issue == "not_to_issue" and self.dispute_refusal_to_issue is False:
            for later in ("setting_request", "dispute_placement", "dispute_contents"):
                if getattr(self, later) is not None:
                    problems.append(f"{later} cannot happen: no plan is issued and the family does not dispute it")
        if self.mediation == "declined" and self.mediation_outcome is not None:
            problems.append("mediation_outcome cannot happen: mediation is declined (pinned)")
        if self.appeal_outcome in ("conceded", "withdrawn") and self.hearing is not None:
            problems.append(f"hearing cannot happen: the appeal is {self.appeal_outcome} before it (pinned)")
        if self.setting_request == "agreed" and self.dispute_placement is True:
            problems.append("dispute_placement cannot happen: the requested setting is agreed (pinned)")
        if self.review_outcome in ("maintain", "amend") and self.dispute_cessation is not None:
            problems.append("dispute_cessation cannot happen: the review does not cease the plan (pinned)")
        if problems:
            raise ValueError("impossible pinned events: " + "; ".join(problems))
        return self


class CaseChild(Strict):
    age: Annotated[float, Field(ge=0.0, le=25.0)]
    requester: Requester = "school"
    need: Need = "ASD"
    preferred: Setting = "mainstream"
    on_s41: bool = False
    capacity: RedressCapacity = "medium"
    health: bool = False
    social: bool = False
    exception: bool = False


class ExistingPlan(Strict):
    setting: Setting
    first_review_day: Annotated[float, Field(ge=0.0)] = 90.0


class CaseStudy(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    summary: str
    sources: list[str]
    scenario: str
    local_authority: str | None = None
    request_date: dt.date | None = None
    existing_plan: ExistingPlan | None = None
    child: CaseChild
    pinned: Pins = Pins()

    @model_validator(mode="after")
    def _start(self):
        if (self.request_date is None) == (self.existing_plan is None):
            raise ValueError("give either request_date (a new request) or existing_plan (a plan already in force)")
        return self


def load_case(path: str | Path) -> tuple[CaseStudy, LoadedScenario, int, float]:
    """The case, its scenario, the authority's index and the start day; every problem reported as InputError."""
    path = Path(path)
    case, lines, _raw = parse_model(path, CaseStudy)
    sc_path = (path.parent / case.scenario).resolve()
    if not sc_path.is_file():
        raise InputError([f"{path}:{lines.get(('scenario',), '?')}: scenario: file not found: {case.scenario} "
                          f"(resolved to {sc_path})"])
    loaded = load_scenario(sc_path)
    items = loaded.scenario.local_authorities.items
    la = 0
    if case.local_authority is not None:
        names = [x.name for x in items]
        if case.local_authority not in names:
            raise InputError([f"{path}:{lines.get(('local_authority',), '?')}: local_authority: "
                              f"{case.local_authority!r} is not in {case.scenario} (allowed: "
                              f"{', '.join(names[:10])}{'...' if len(names) > 10 else ''})"])
        la = names.index(case.local_authority)
    start = 0.0
    if case.request_date is not None:
        start = float((case.request_date - loaded.scenario.start_date).days)
        horizon = float((loaded.scenario.end_date - loaded.scenario.start_date).days)
        if not 0 <= start < horizon:
            raise InputError([f"{path}:{lines.get(('request_date',), '?')}: request_date: must fall within the "
                              f"scenario ({loaded.scenario.start_date} to {loaded.scenario.end_date})"])
    return case, loaded, la, start


class _OnlyChild:
    """A recorder that keeps only the case child's events (the rest of the system is not logged)."""

    def __init__(self) -> None:
        self.child = -10**12
        self.rows: list[tuple] = []
        self.enabled = True

    def add(self, row: tuple) -> None:
        if row[0] == self.child:
            self.rows.append(row)

    def flush(self) -> None:
        pass


def run_child(case: CaseStudy, loaded: LoadedScenario, la: int, start: float, seed: int,
              run: int) -> list[tuple]:
    """One run: the whole scenario, with the case child added; returns the child's event rows."""
    rec = _OnlyChild()
    j = Journey(loaded, HeapEngine(), Streams(seed, run), rec)  # type: ignore[arg-type]
    j.populate()
    attrs = case.child.model_dump()
    age = attrs.pop("age")
    pins = {k: v for k, v in case.pinned.model_dump().items() if v is not None}
    if case.existing_plan is not None:
        c = j.add_existing_plan(case.existing_plan.setting, la, age, case.existing_plan.first_review_day,
                                pins=pins or None, **attrs)
    else:
        c = j.add_request(start, la, age, pins=pins or None, **attrs)
    rec.child = c.id
    j.simulate()
    return rec.rows


ROUTE_WINDOW_DAYS = 18 * 30.4375  # the route is read over the first 18 months after the start
ROUTINE = {("annual_review", "maintain")}  # routine events that do not make a route different


def _route(rows: list[tuple]) -> tuple[str, ...]:
    return tuple(f"{r[3]}:{r[4]}" for r in _dedup(rows))


def _q(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarise_rule_set(case: CaseStudy, loaded: LoadedScenario, baseline: LoadedScenario | None,
                       runs: list[list[tuple]], start: float) -> dict[str, Any]:
    """Distributions over runs, the modal route, and its step table against the map."""
    finals, provs = [], []
    for rows in runs:
        f = next((r[2] for r in rows if r[3] == "final_plan" and r[4] == "issued"), None)
        p = next((r[2] for r in rows if r[3] == "provision"), None)
        if f is not None:
            finals.append((f - start) / DAYS_PER_WEEK)
        if p is not None:
            provs.append((p - start) / DAYS_PER_WEEK)
    routes = Counter(_route(rows) for rows in runs)
    route, count = routes.most_common(1)[0]
    on_route = [rows for rows in runs if _route(rows) == route]
    acc = loaded.rules.accountability
    doc = loaded.rules.model_dump(mode="json")
    flags = gaps(acc.steps, baseline.rules.accountability.steps if baseline is not None else None, acc.bodies)
    table = []
    prev_t = start
    for i, key in enumerate(route):
        step, event = key.split(":", 1)
        events = [_dedup(rows)[i] for rows in on_route]
        t = statistics.median(e[2] for e in events)
        actor = Counter(e[5] for e in events).most_common(1)[0][0]
        st = acc.steps.get(step)
        table.append({
            "step": step, "event": event, "acted_by": actor,
            "duty_holder": list(st.duty_holder) if st else [],
            "deadline": deadline_value(doc, st.deadline) if st else "unmapped",
            "weeks_from_start": round((t - start) / DAYS_PER_WEEK, 1),
            "weeks_in_step": round((t - prev_t) / DAYS_PER_WEEK, 1),
            "payer": list(st.payer) if st else [],
            "redress": list(st.redress) if st else [],
            "gaps": flags.get(step, ["step missing from the accountability map"]),
        })
        prev_t = max(prev_t, t)
    n = len(runs)
    return {
        "rules": loaded.law.name,
        "runs": n,
        "weeks_to_final_plan": _dist(finals, n),
        "weeks_to_provision": _dist(provs, n),
        "within_20_weeks_pct": round(100.0 * sum(1 for w in finals if w <= 20.0) / n, 1),
        "most_likely_route": list(route),
        "route_share_pct": round(100.0 * count / n, 1),
        "routes_seen": len(routes),
        "steps": table,
    }


def _dedup(rows: list[tuple]) -> list[tuple]:
    """The events that make the route: in the window, routine ones dropped, repeats merged."""
    out: list[tuple] = []
    t0 = next((r[2] for r in rows if r[3] == "request"), 0.0)
    for r in rows:
        if r[2] > t0 + ROUTE_WINDOW_DAYS or (r[3], r[4]) in ROUTINE:
            continue
        if not out or (out[-1][3], out[-1][4]) != (r[3], r[4]):
            out.append(r)
    return out


def _dist(xs: list[float], n: int) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 1)

    return {"median": r(_q(xs, 0.5)), "p10": r(_q(xs, 0.1)), "p90": r(_q(xs, 0.9)),
            "reached_pct": round(100.0 * len(xs) / n, 1) if n else None}


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Plain-language differences for this child between two rule sets."""
    out = []
    fa, fb = a["weeks_to_final_plan"]["median"], b["weeks_to_final_plan"]["median"]
    if fa != fb:
        out.append(f"Median weeks to a final plan: {fa} under {a['rules']}, {fb} under {b['rules']}.")
    pa, pb = a["weeks_to_provision"]["median"], b["weeks_to_provision"]["median"]
    if pa != pb:
        out.append(f"Median weeks to provision in place: {pa} under {a['rules']}, {pb} under {b['rules']}.")
    sa = [s.split(":")[0] for s in a["most_likely_route"]]
    sb = [s.split(":")[0] for s in b["most_likely_route"]]
    added = [s for s in dict.fromkeys(sb) if s not in sa]
    removed = [s for s in dict.fromkeys(sa) if s not in sb]
    if added:
        out.append(f"Steps on the likely route under {b['rules']} only: {', '.join(added)}.")
    if removed:
        out.append(f"Steps on the likely route under {a['rules']} only: {', '.join(removed)}.")
    ga = {(s["step"], g) for s in a["steps"] for g in s["gaps"]}
    for s in b["steps"]:
        for g in s["gaps"]:
            if (s["step"], g) not in ga:
                out.append(f"New gap under {b['rules']} at {s['step']}: {g}.")
    if not out:
        out.append("No difference on this child's likely route.")
    return out


def case_study(path: str | Path, rules: list[str], runs: int = 50, seed: int = 1) -> dict[str, Any]:
    """Run one case study under each rule set; the first rule set is the one the others are read against."""
    case, loaded0, la, start = load_case(path)
    loaded = [load_scenario(loaded0.path, r) for r in rules]  # all validated before anything runs
    results = []
    for lo in loaded:
        base = loaded[0] if lo is not loaded[0] else None
        rows = [run_child(case, lo, la, start, seed, r) for r in range(runs)]
        results.append(summarise_rule_set(case, lo, base, rows, start))
    changes = [differences(results[0], r) for r in results[1:]]
    return {"case": case.name, "title": case.title, "summary": case.summary, "sources": case.sources,
            "scenario": loaded0.scenario.name, "seed": seed, "runs": runs,
            "start": "existing plan on " + str(loaded0.scenario.start_date) if case.existing_plan
            else str(case.request_date),
            "pinned": {k: v for k, v in case.pinned.model_dump().items() if v is not None},
            "results": results, "what_changes": changes}


def format_case(res: dict[str, Any]) -> str:
    from .compare import table

    out = [f"{res['title']}", res["summary"], f"Scenario {res['scenario']}, {res['runs']} runs per rule set, seed "
           f"{res['seed']}; start: {res['start']}; pinned: {res['pinned'] or 'nothing'}", ""]
    for r in res["results"]:
        f, p = r["weeks_to_final_plan"], r["weeks_to_provision"]
        out.append(f"== {r['rules']}")
        out.append(f"Weeks to final plan: median {f['median']} (10th-90th centile {f['p10']} to {f['p90']}), "
                   f"reached in {f['reached_pct']}% of runs; within 20 weeks in {r['within_20_weeks_pct']}%.")
        out.append(f"Weeks to provision in place: median {p['median']} ({p['p10']} to {p['p90']}), reached in "
                   f"{p['reached_pct']}% of runs.")
        out.append(f"Most likely route ({r['route_share_pct']}% of runs; {r['routes_seen']} routes seen):")
        rows = [["Step", "Event", "Duty holder", "Deadline", "Week (typical)", "Who pays", "Redress", "Gaps"]]
        for s in r["steps"]:
            rows.append([s["step"], s["event"], ", ".join(s["duty_holder"]) or "-", s["deadline"],
                         f"{s['weeks_from_start']}", ", ".join(s["payer"]) or "-",
                         ", ".join(s["redress"]) or "none", "; ".join(s["gaps"]) or "-"])
        out.append(table(rows))
        out.append("")
    for r, ch in zip(res["results"][1:], res["what_changes"], strict=True):
        out.append(f"What changes for this child: {res['results'][0]['rules']} -> {r['rules']}")
        out += [f"  - {x}" for x in ch]
    return "\n".join(out)
