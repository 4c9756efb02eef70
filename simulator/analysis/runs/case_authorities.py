"""A case study with two authorities: the second one in the run, the moves as the journey reads them, and the map
of each authority's roles (who holds which duty, who pays for what, and what is uncertain).

A second authority is data: it is added to the case's scenario as the England scenario describes it (its own
official figures and fitted delays, the row `la-scenario --la` starts from), with the tribunal's capacity and
starting cases scaled to both authorities' share, so its queues are its own; the child then meets the same route
steps under whichever authority is responsible (`engine/model/route/moves.py` changes `Child.la`, nothing else).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ...engine.core.workdays import nth_working_day
from ...engine.model.route.moves import Move, reg15_transfer_date
from ...rules.scenario import LoadedScenario, load_scenario
from ...schema.case_study import CaseStudy
from ...schema.files import InputError
from ...schema.scenario import LocalAuthority
from ...schema.shipped import closest, locate, shipped_names

ENGLAND = "england"  # the shipped scenario every authority of England is taken from

# Councils reorganised since the SEN2 series began: the council as the 2019 scenarios keep it -> (the day its
# successors took over, the successors, the order). The 2019-2025 scenarios keep the January 2019 council (its
# successors' figures summed, scripts/build_scenarios.py SUCCESSORS); the scenarios from 2024 name the successors.
# Bournemouth, Poole and Dorset county were replaced on 1 April 2019, before any scenario's figures: every scenario
# names Bournemouth, Christchurch and Poole and the new Dorset.
REORGANISED: dict[str, tuple[dt.date, tuple[str, ...], str]] = {
    "Northamptonshire": (dt.date(2021, 4, 1), ("North Northamptonshire", "West Northamptonshire"),
                         "the Northamptonshire (Structural Changes) Order 2020"),
    "Cumbria": (dt.date(2023, 4, 1), ("Cumberland", "Westmorland and Furness"),
                "the Cumbria (Structural Changes) Order 2022"),
}
# The councils of Wales (22 principal areas), Scotland (32 council areas) and Northern Ireland (one Education
# Authority): the EHC plan route the model follows is England's (CFA 2014 Part 3; SEN2 counts the plans of English
# authorities only and gives "moved outside England" as a reason a plan ceased: 841 in 2023, addendum.md 4.5). A case
# naming one of them, as either authority, is refused in one line saying so and what to write instead (MODEL.md 2.6i).
OUTSIDE_ENGLAND: dict[str, str] = {
    **dict.fromkeys((
        "Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Carmarthenshire", "Ceredigion", "Conwy",
        "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Anglesey", "Merthyr Tydfil", "Monmouthshire",
        "Neath Port Talbot", "Newport", "Pembrokeshire", "Powys", "Rhondda Cynon Taf", "Swansea", "Torfaen",
        "Vale of Glamorgan", "Wrexham", "Wales"), "Wales"),
    **dict.fromkeys((
        "Aberdeen City", "Aberdeen", "Aberdeenshire", "Angus", "Argyll and Bute", "City of Edinburgh", "Edinburgh",
        "Clackmannanshire", "Dumfries and Galloway", "Dundee City", "Dundee", "East Ayrshire", "East Dunbartonshire",
        "East Lothian", "East Renfrewshire", "Falkirk", "Fife", "Glasgow City", "Glasgow", "Highland", "Inverclyde",
        "Midlothian", "Moray", "Na h-Eileanan Siar", "Western Isles", "North Ayrshire", "North Lanarkshire",
        "Orkney Islands", "Orkney", "Perth and Kinross", "Renfrewshire", "Scottish Borders", "Shetland Islands",
        "Shetland", "South Ayrshire", "South Lanarkshire", "Stirling", "West Dunbartonshire", "West Lothian",
        "Scotland"), "Scotland"),
    **dict.fromkeys(("Northern Ireland", "Education Authority", "Belfast"), "Northern Ireland"),
}


def _bare(name: str) -> str:
    """A council's name as compared: lower case, without 'council', 'county borough', 'city and county of' and the
    like, so 'Cardiff Council' and 'City and County of Swansea' are found."""
    s = " ".join(name.lower().replace(",", " ").split())
    for w in ("city and county of ", "county borough council", "county borough", "county council", " council",
              "council of the ", "council "):
        s = s.replace(w, " ")
    return " ".join(s.split())


_OUTSIDE = {_bare(k): (k, v) for k, v in OUTSIDE_ENGLAND.items()}


def outside_england(name: str, where: str, field: str) -> str | None:
    """The one line refusing a council of Wales, Scotland or Northern Ireland as a case's authority, or None."""
    hit = _OUTSIDE.get(_bare(name))
    if hit is None:
        return None
    nation = hit[1]
    return (f"{where}: {field}: {name!r} is in {nation}, where the EHC plan route modelled here (Children and "
            "Families Act 2014 Part 3, England's) does not apply: a plan does not transfer across the border; SEN2 "
            "counts a family moving outside England as a plan ceased "
            "(allowed: a case within England: a move out of England as the route's end, with one authority and no "
            "`moves` and the move said in the summary; a child arriving from "
            f"{nation} as a new request to the English "
            "authority, `start_date` on or after the arrival, no `existing_plan`)")


SUCCESSOR_CODES = {"940": "North Northamptonshire", "941": "West Northamptonshire", "942": "Cumberland",
                   "943": "Westmorland and Furness"}  # DfE's codes of the successors (SEN2 new councils)


def predecessor_of(name: str) -> tuple[str, dt.date, tuple[str, ...], str] | None:
    """(the council it replaced, the day, the successors, the order) for a successor's name or DfE code (any case),
    else None."""
    key = name.strip().lower()
    key = SUCCESSOR_CODES.get(key, key).lower()
    for old, (day, new, order) in REORGANISED.items():
        if key in (n.lower() for n in new):
            return old, day, new, order
    return None


FORMED_2019 = {"Bournemouth": "Bournemouth, Christchurch and Poole", "Poole": "Bournemouth, Christchurch and Poole",
               "Christchurch": "Bournemouth, Christchurch and Poole"}


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def reorganised_hint(name: str, have: list[str], scenario: str) -> tuple[str, str] | None:
    """(why, what to write) for a council the scenario lacks because it was reorganised: a successor named in a
    scenario that keeps its predecessor (North Northamptonshire in `england`), or the predecessor named in one that
    has the successors (Northamptonshire in `england_from_2024`). None for any other name. (Sixth held-out round:
    "North Northamptonshire is not in england ... did you mean Northamptonshire or North Yorkshire?", no word of why.)"""
    for old, (day, new, order) in REORGANISED.items():
        if name in new and old in have:
            return (f"{scenario} keeps {old} as one authority with its successors' figures summed ({' and '.join(new)} "
                    f"replaced it on {_day(day)}, {order}) (did you mean {old}?)",
                    f"{old}, or the scenario from January 2024, england_from_2024, which names {name}")
        if name == old and all(n in have for n in new):
            return (f"{' and '.join(new)} replaced it on {_day(day)} ({order})",
                    f"the one the child lives in, {' or '.join(new)}")
    if name in FORMED_2019 and FORMED_2019[name] in have:
        return f"{FORMED_2019[name]} replaced it on 1 April 2019", FORMED_2019[name]
    return None


def reorganised_note(names: list[str], start: dt.date, end: dt.date) -> str | None:
    """A sentence for a child whose council the scenario keeps as it was before a reorganisation that falls before
    the route's end (Northamptonshire from 1 April 2021): the duties then fall to a successor the run does not name.
    (Sixth held-out round: a child of Northamptonshire from February 2021, or of Cumbria from May 2023, was run and
    shown as that council's without a word that it no longer existed.)"""
    out = []
    for name in names:
        if name not in REORGANISED or REORGANISED[name][0] > end:
            continue
        day, new, order = REORGANISED[name]
        when = (f"before this route began ({_day(start)})" if day <= start else "during this route")
        out.append(f"{name} was replaced by {' and '.join(new)} on {_day(day)} ({order}), {when}: the scenario "
                   f"keeps {name} as one authority, its successors' figures summed, so from {_day(day)} the duties "
                   f"shown as {name}'s fall to whichever of the two the child lives in (the order passes the old "
                   "council's functions on; no transfer step or new deadline is modelled). The projection from the "
                   "January 2024 caseload names the councils as they are now.")
    return " ".join(out) or None


def authority_names(case: CaseStudy) -> list[str]:
    """The authorities the case names (home first), or [] for a one-authority case."""
    a = case.authorities
    return [a.home, a.host] if a is not None else []


def england_for(loaded: LoadedScenario) -> str:
    """The shipped England scenario of the same years as the case's scenario: `england_from_2024` for a scenario
    that starts in January 2024 (its authorities as they were then: West Northamptonshire, Cumberland), else the
    latest one starting before it, else `england` (2019: Northamptonshire, Cumbria)."""
    start = loaded.scenario.start_date
    best, best_start = ENGLAND, None
    for name in shipped_names("scenarios"):
        if name != ENGLAND and not name.startswith(ENGLAND + "_from_"):
            continue
        year = name.removeprefix(ENGLAND + "_from_")
        first = dt.date(int(year), 1, 1) if year.isdigit() else dt.date(2019, 1, 1)
        if first <= start and (best_start is None or first > best_start):
            best, best_start = name, first
    return best


def council_hint(name: str, loaded: LoadedScenario) -> str:
    """'; or that council's own scenario: ...' when `name` is one of England's authorities of the scenario's years:
    a case study on one council runs in seconds on the scenario `la-scenario` builds for it."""
    source = england_for(loaded)
    items = load_scenario(locate(source, "scenarios")).scenario.local_authorities.items
    if name not in {la.name for la in items}:
        return closest(name, sorted(la.name for la in items)).replace(" (did you mean", "; did you mean").rstrip(")")
    if source != ENGLAND:  # la-scenario builds a council's 2019-2025 scenario, not a projection's
        return ""
    return (f"; or that council's own scenario: `sendsim la-scenario --la \"{name}\"`, then `scenario:` the file "
            "it writes")


def extra_authorities(case: CaseStudy, loaded: LoadedScenario, where: str) -> tuple[LocalAuthority, ...]:
    """The authorities the case names that its scenario lacks, from the England scenario of the same years
    (`england_for`; InputError, with the closest names, if it has no such authority either)."""
    have = {la.name for la in loaded.scenario.local_authorities.items}
    missing = [n for n in authority_names(case) if n not in have]
    if not missing:
        return ()
    source = england_for(loaded)
    england = {la.name: la for la in load_scenario(locate(source, "scenarios")).scenario.local_authorities.items}
    unknown = [n for n in missing if n not in england]
    for n in unknown:
        if (line := outside_england(n, where, "authorities")) is not None:
            raise InputError([line])
    if unknown:
        if (hint := reorganised_hint(unknown[0], sorted(england), source)) is not None:
            raise InputError([f"{where}: authorities: {unknown[0]!r} is neither in the scenario nor among England's "
                              f"authorities in {source} (from {loaded.scenario.start_date.year}): {hint[0]} (allowed: "
                              f"{hint[1]})"])
        hint = closest(unknown[0], sorted(england))
        raise InputError([f"{where}: authorities: {unknown[0]!r} is neither in the scenario nor among England's "
                          f"authorities in {source} (from {loaded.scenario.start_date.year}){hint} (allowed: an "
                          f"authority's name as that scenario spells it, e.g. Lambeth)"])
    return tuple(england[n] for n in missing)


def _scaled(node: Any, ratio: float, why: str) -> Any:
    rng = None if node.range is None else tuple(x * ratio for x in node.range)
    upd = {"value": round(node.value * ratio, 2), "range": rng}
    if getattr(node, "source", None):
        upd["source"] = f"{node.source}; {why}"
    elif getattr(node, "assumption", None):
        upd["assumption"] = f"{node.assumption}; {why}"
    return node.model_copy(update=upd)


def with_authorities(loaded: LoadedScenario, extra: tuple[LocalAuthority, ...]) -> LoadedScenario:
    """The scenario with the extra authorities appended, and the tribunal's capacity, its backlog and the disputes
    in progress at the start scaled by the authorities' requests (each scenario's tribunal is its authorities' share
    of the national one)."""
    if not extra:
        return loaded
    sc = loaded.scenario
    items = list(sc.local_authorities.items)
    before = sum(la.requests_per_year for la in items) or 1.0
    ratio = (before + sum(la.requests_per_year for la in extra)) / before
    why = f"x {ratio:.3f}: the case's second authority added (its share of 2019 requests)"
    t = sc.tribunal
    tribunal = t.model_copy(update={
        "hearings_per_year": _scaled(t.hearings_per_year, ratio, why),
        "hearings_per_year_by_year": {y: v * ratio for y, v in t.hearings_per_year_by_year.items()},
        "backlog_at_start": _scaled(t.backlog_at_start, ratio, why)})
    redress = sc.redress.model_copy(update={
        "disputes_in_progress_at_start": _scaled(sc.redress.disputes_in_progress_at_start, ratio, why)})
    las = sc.local_authorities.model_copy(update={"items": [*items, *extra]})
    return replace(loaded, scenario=sc.model_copy(update={"local_authorities": las, "tribunal": tribunal,
                                                          "redress": redress}))


def index_of(loaded: LoadedScenario, name: str) -> int:
    return [la.name for la in loaded.scenario.local_authorities.items].index(name)


def responsible_at_start(case: CaseStudy, on: dt.date) -> str | None:
    """The authority that maintains the plan (or decides the request) on the start date: the host where a
    looked-after child is already placed there (CFA s.24; JG v Kent [2016] EWHC 1102 (Admin), contested), else home."""
    a, lac = case.authorities, case.looked_after
    if a is None:
        return None
    if lac is not None and lac.placed_in == "host" and (lac.since is None or lac.since <= on):
        return a.host
    return a.home


def moves(case: CaseStudy, loaded: LoadedScenario, on: dt.date) -> list[tuple[dt.date, Move]]:
    """Each move of the child (dated): the family's moves, and a looked-after child's placement in the host's area
    after the start, which moves the plan under s.24 in the same way."""
    a = case.authorities
    if a is None:
        return []
    name = {"home": a.home, "host": a.host}
    out = [(m.date, Move(index_of(loaded, name[m.to]), m.date, m.old_authority_learned or m.date, "family_moved",
                         m.keeps_school, m.transferred_on, m.notice)) for m in case.moves]
    lac = case.looked_after
    if lac is not None and lac.placed_in == "host" and lac.since is not None and lac.since > on:
        out.append((lac.since, Move(index_of(loaded, a.host), lac.since, lac.placement_planned or lac.since,
                                    "placed_out_of_area", False, None, "review")))
    return sorted(out, key=lambda x: x[0])


def moves_too_close(case: CaseStudy, loaded: LoadedScenario, on: dt.date, path: str, lines: dict) -> list[str]:
    """A move before the plan has transferred after the move before it (reg 15(2): on the day of that move or
    within 15 working days of the old authority learning of it, or its `transferred_on`). Why: the two transfers
    then ran out of order or on one day (two moves on 2019-05-01, to host and back), and the route showed one move;
    the plan could end with the authority the family had left."""
    dated = moves(case, loaded, on)
    # the file's index of each dated move, in the same (stable) order: the family's moves, then a placement
    index = [k for _d, k in sorted([(m.date, k) for k, m in enumerate(case.moves)] + [(d, None) for d, mv in dated
                                                                                     if mv.reason != "family_moved"],
                                   key=lambda x: x[0])]
    out = []
    for (_d0, m0), (d1, _m1), i in zip(dated[:-1], dated[1:], index[1:], strict=True):
        done = m0.transferred_on or reg15_transfer_date(m0.moved, m0.learned, loaded.law.transfer_working_days)
        if d1 <= done:
            key = ("moves", i, "date") if i is not None else ("looked_after", "since")
            field = f"moves[{i}].date" if i is not None else "looked_after.since"
            out.append(f"{path}:{lines.get(key, lines.get(key[:1], '?'))}: {field}: {d1} is not after the plan "
                       f"has transferred for the move of {m0.moved} (on {done}: reg 15(2), the day of the move or "
                       f"within {loaded.law.transfer_working_days} working days of the old authority learning of "
                       f"it) (allowed: a move after {done})")
    return out


def transfers_after_end(case: CaseStudy, loaded: LoadedScenario, on: dt.date, route_end: dt.date, path: str,
                        lines: dict) -> list[str]:
    """A move (or a placement in the host's area) whose plan transfer the route assumes, with no `transferred_on`
    (reg 15(2): the day of the move, or the last of 15 working days beginning with the day the old authority learned
    of it), on a day after the route's end: refused, as a `transferred_on` after the end is (`case_dates.
    outside_route`). Why: the route would show the move and the child waiting for a place, but never the plan
    reaching the new authority, while the output described the host receiving it (docs/MODEL.md 2.6i)."""
    wd = loaded.law.transfer_working_days
    assumed = [(f"moves[{i}]", ("moves", i, "date"), "old_authority_learned", m.date, m.old_authority_learned or m.date)
               for i, m in enumerate(case.moves) if m.transferred_on is None]
    lac = case.looked_after
    if case.authorities is not None and lac is not None and lac.placed_in == "host" and lac.since is not None \
            and lac.since > on:  # a placement after the start moves the plan as a move does (`moves`)
        assumed.append(("looked_after.since", ("looked_after", "since"), "placement_planned", lac.since,
                        lac.placement_planned or lac.since))
    out = []
    for field, key, learned_field, moved, learned in assumed:
        if moved > route_end:
            continue  # the move itself is after the end: refused for its own date (`case_dates.outside_route`)
        done = reg15_transfer_date(moved, learned, wd)
        if done <= route_end:
            continue
        latest = route_end  # the last day the old authority may learn of the move for a transfer by the route's end
        while nth_working_day(latest, wd) > route_end:
            latest -= dt.timedelta(days=1)
        out.append(f"{path}:{lines.get(key, lines.get(key[:2], lines.get(key[:1], '?')))}: {field}: the plan would "
                   f"transfer on {done} (reg 15(2): the last of {wd} working days beginning with the day the old "
                   f"authority learned of the move, {learned}; no transferred_on given), after the route's end "
                   f"{route_end}: the route would show the move but never the transfer (allowed: the old authority "
                   f"learning of it by {latest} ({learned_field})"
                   + (f", or a transferred_on on or before {route_end})" if key[0] == "moves" else ")"))
    return out


CARE_BODIES = ("social_care", "integrated_care_board")  # follow the corporate parent for a looked-after child


def bodies_by_authority(case: CaseStudy, acting: str) -> dict[str, str]:
    """Each body of a step with the authority whose it is: the local authority (and its EP service, schools and
    plan) of the authority that acted; for a looked-after child, social care and health of the corporate parent's
    area (its care plan; the placing area's ICB stays responsible: UNVERIFIED), else of the acting authority's."""
    a, lac = case.authorities, case.looked_after
    if a is None:
        return {}
    parent = {"home": a.home, "host": a.host}[lac.by] if lac is not None else acting
    return {"local_authority": acting, "educational_psychology_service": acting, "school_or_setting": acting,
            **dict.fromkeys(CARE_BODIES, parent), **({"virtual_school_head": parent} if lac is not None else {})}


def roles(case: CaseStudy, on: dt.date) -> list[dict[str, Any]]:
    """Each authority's roles for this child: the duties it holds, what it pays for, and what is uncertain. The
    law's words, per authority; the map of steps (`sendsim map`) gives each step's duty holder and redress."""
    a = case.authorities
    if a is None:
        return []
    lac = case.looked_after
    out: list[dict[str, Any]] = []
    maintains_from = responsible_at_start(case, on)
    for role, name in (("home", a.home), ("host", a.host)):
        duties, pays, uncertain = [], [], []
        if name == maintains_from:
            duties.append("maintains the plan (or decides the request) from the start (CFA ss.24, 42)")
        for m in case.moves:
            if m.to == role:
                duties += [f"receives the plan transferred after the move of {m.date} as if made on its original "
                           "date; secures its provision (reg 15(3); s.42)",
                           "tells the family within 6 weeks whether it will reassess or review; reviews by the later "
                           "of 12 months from the last review and 3 months after the transfer (reg 15)"]
                pays.append("the plan's provision from the transfer (high-needs block)")
            else:
                duties.append(f"transfers the plan after the move of {m.date}: on the day if it knew 15 working days "
                              "before, else within 15 working days of learning (reg 15(2))")
                pays.append("the plan's provision until the transfer")
        if lac is not None:
            if lac.by == role:
                duties += ["corporate parent of the looked-after child (Children Act 1989 s.22)",
                           "runs the virtual school head: the personal education plan and pupil premium plus "
                           "(Children Act 1989 s.22(3A)-(3B), inserted by CFA 2014 s.99)",
                           "its social care: the care plan and placement (Children Act 1989 ss.22C, 31A)"]
                pays += ["the care placement (social care)", "pupil premium plus (DfE grant, held by the virtual "
                         "school head)"]
                uncertain.append("health care: the ICB of the placing authority's area stays responsible for a "
                                 "looked-after child placed out of area (NHS England 'Who Pays?'; not in "
                                 "/work/shared: UNVERIFIED)")
            if lac.placed_in == role:
                duties.append("the child is in its area: under CFA s.24 it maintains the plan (JG v Kent [2016] "
                              "EWHC 1102 (Admin)); CONTESTED: some authorities and advisers read the placing "
                              "authority as responsible")
                pays.append("the plan's provision (high-needs top-up) while it maintains the plan")
                uncertain.append("who pays the top-up for a looked-after child placed out of area: the maintaining "
                                 "authority in law, often recharged to or agreed with the placing authority in "
                                 "practice (UNVERIFIED: no source in /work/shared)")
        out.append({"role": role, "authority": name, "duties": duties or ["none for this child"],
                    "pays": pays or ["nothing for this child"], "uncertain": uncertain})
    return out
