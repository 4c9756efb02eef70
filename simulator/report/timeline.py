"""The case-study timeline: one child's typical route under each rule set, step by step, on a weeks axis.

What a reader must see without the table: which steps are work and which are waiting (solid: the step's typical
working time from the scenario; hatched: the wait before it, in a queue, on the authority's own delay or for a date);
who acts (one colour per body, "school or setting" apart from "named setting"); the decisions that go against the
family, the statutory deadlines missed, the key dates of the school year; the rule set's statutory line; and what
the family loses (an appeal, a choice, weeks in a setting it did not choose), marked on the chart and said in words
in each panel's title. Rule sets whose typical route is the same share one panel (the footnote says so and why).
Why this module is long: one figure's layout (panels, key dates, limits, legend) and the words it needs (losses,
pins, titles) belong together, and each helper is small. Every label is laid out so that
no text overlaps or is clipped (`style.text_problems`, run on every case study by the tests).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import A4_WIDTH_IN, FOOT_PT, SOURCE, STATUTORY, house, new_figure, save

BODY_COLOURS = {  # Okabe-Ito; the named setting is a hue of its own, apart from the school or setting
    "local_authority": "#0072B2", "educational_psychology_service": "#56B4E9", "school_or_setting": "#009E73",
    "named_setting": "#F0E442", "integrated_care_board": "#CC79A7", "social_care": "#E69F00",
    "adult_social_care": "#E69F00", "mediation_service": "#999999", "independent_review_panel": "#999999",
    "tribunal": "#D55E00", "family": "#FFFFFF", "nhs_england": "#000000",
}
BODY_NAMES = {
    "local_authority": "Local authority", "educational_psychology_service": "Educational psychologist",
    "school_or_setting": "School or setting (current)", "named_setting": "Named setting (the new place)",
    "integrated_care_board": "Health (ICB)", "social_care": "Social care", "adult_social_care": "Adult social care",
    "mediation_service": "Mediation or review", "independent_review_panel": "Mediation or review",
    "tribunal": "Tribunal", "family": "Family", "nhs_england": "Health in custody (NHS England)",
    "phso": "Health Ombudsman (PHSO)", "lgsco": "Local Government and Social Care Ombudsman",
}
SETTINGS = {"mainstream": "mainstream school", "resourced_provision": "resourced provision",
            "maintained_special": "maintained special school", "independent_special": "independent special school",
            "alternative_provision": "alternative provision", "post16": "college",
            "otherwise_than_in_school": "education otherwise than in a school"}
ARRANGED = ("otherwise_than_in_school",)  # an arrangement the family agreed, not a setting it did not choose
PIN_WORDS = {
    ("decide_to_assess", "refused"): "the LA refuses to assess", ("decide_to_assess", "agreed"): "the LA agrees "
    "to assess", ("dispute_refusal_to_assess", True): "the family disputes the refusal",
    ("decide_to_issue", "issue"): "the LA decides to issue a plan",
    ("decide_to_issue", "not_to_issue"): "the LA decides not to issue a plan",
    ("dispute_refusal_to_issue", True): "the family disputes the refusal to issue",
    ("setting_request", "refused"): "the family's requested setting is refused",
    ("setting_request", "agreed"): "the family's requested setting is agreed",
    ("dispute_placement", True): "the family disputes the placement",
    ("dispute_contents", True): "the family disputes the plan's contents",
    ("mediation", "chosen"): "the family chooses mediation", ("mediation", "declined"): "the family declines "
    "mediation", ("mediation_outcome", "settled"): "mediation settles",
    ("mediation_outcome", "not_settled"): "mediation does not settle",
    ("appeal_outcome", "conceded"): "the LA concedes the appeal", ("appeal_outcome", "withdrawn"): "the family "
    "withdraws the appeal", ("appeal_outcome", "heard"): "the appeal is heard",
    ("hearing", "for_family"): "the tribunal decides for the family",
    ("hearing", "for_la"): "the tribunal decides for the LA",
    ("review_outcome", "maintain"): "the review keeps the plan", ("review_outcome", "amend"): "the review amends "
    "the plan", ("review_outcome", "cease"): "the review ceases the plan",
    ("dispute_cessation", True): "the family disputes the cessation",
    ("transfer_keeps_setting", True): "a special school named spans both phases (all-through): the LA names it "
    "again at the phase transfer (an assumption)",
    ("transfer_keeps_setting", False): "the next phase's setting is named afresh at the phase transfer",
}
ROW_IN = 0.25  # height of one step's row, inches


@dataclass(frozen=True)
class StatutoryLimit:
    """A limit to draw as a line: where (weeks from the request) and the law it comes from."""

    weeks: float
    reference: str


SHORT = {"appeal": "Appeal", "redress": "Dispute", "comply": "LA complies", "mediation_advice": "Mediation advice",
         "moved_authority": "The child moves to the other authority's area", "plan_transfer": "The plan transfers",
         "transfer_notice": "The new authority's notice"}


def short_label(label: str, step: str = "") -> str:
    """'Provision in place: education (Section F, ...)' -> 'Provision in place' (the map's label up to its first
    colon, semicolon or bracket; a few steps whose map label names only one of their events get a shorter one)."""
    return SHORT.get(step) or re.split(r"[:;(]", label)[0].strip()


def row_label(s: dict[str, Any]) -> str:
    """A step's row: its display name and what happened, the event left out where the name already says it."""
    name = short_label(s.get("label", s["step"]), s["step"])
    what = event_words(s["step"], s["event"]) + (" (under-5 review)" if s.get("under5") else "")
    where = (s.get("authority_of") or {}).get("local_authority")  # two authorities: the one that acted
    name = f"{name} [{where}]" if where else name
    return name if what.lower() in name.lower() else f"{name}: {what}"


def _words(x: str) -> str:
    for k, v in SETTINGS.items():
        x = x.replace(k, v.replace(" ", "~"))
    return re.sub(r"\bla\b", "LA", x.replace("_", " ").replace("~", " "))  # 'la concedes', never 'lapsed' -> 'LApsed'


def event_words(step: str, event: str) -> str:
    """An event as a reader says it: 'named_maintained_special_refused_not_on_tailored_list' -> 'maintained special
    school named; the family's choice refused (not on tailored list)'."""
    m = re.fullmatch(r"named_(.+?)(?:_refused_(.+))?", event)
    if m:
        named = _words(m.group(1))
        return f"{named} named" + (f"; choice refused ({_words(m.group(2))})" if m.group(2) else "")
    if step == "name_setting" and event.startswith("kept_") and event.endswith("_all_through"):
        return f"{_words(event[len('kept_'):-len('_all_through')])} kept for the next phase (all-through)"
    if (step, event) == ("hearing", "still_waiting_at_route_end"):
        return "still waiting for a hearing when the route's 18 months end"
    if event.startswith("in_place_"):
        return "in " + _words(event[len("in_place_"):])
    if event.startswith("lodged_"):
        return "lodged by the family (" + _words(event[len("lodged_"):]) + ")"
    if event.startswith("dispute_"):
        return _words(event[len("dispute_"):])
    if step in ("complaint_no_tribunal", "phso_no_tribunal", "lgsco_no_tribunal"):  # a dispute the tribunal cannot hear
        return _no_tribunal_words(event)
    if event.endswith(NO_TRIBUNAL):  # a refused direct payment taken further (route/content.py: ROUTE_WORDS)
        route = event[:-len(NO_TRIBUNAL)]
        return f"{REDRESS_EVENT_WORDS.get(route, _words(route))} (no tribunal route)"
    return _words(event)


NO_TRIBUNAL = "_no_tribunal_route"
REDRESS_EVENT_WORDS = {"complaint_to_the_council": "a complaint to the council",
                       "ombudsman_lgsco": "the Local Government and Social Care Ombudsman",
                       "judicial_review": "judicial review"}  # 'ombudsman lgsco no tribunal route' before


# the complaints and Ombudsmen of a dispute with no tribunal route (route/content.py: NO_TRIBUNAL_ROUTES)
NO_TRIBUNAL_BODY_WORDS = {"complaint_nhs": "an NHS complaint", "complaint_la": "a complaint to the council",
                          "phso": "the Parliamentary and Health Service Ombudsman",
                          "lgsco": "the Local Government and Social Care Ombudsman"}


def _no_tribunal_words(event: str) -> str:
    """'complaint_nhs_items_h1_no_tribunal_route' -> 'an NHS complaint about item h1 (no tribunal route)';
    'complaint_nhs_not_upheld' -> 'an NHS complaint: not upheld'; 'phso_fault_found_recommends' -> 'the
    Parliamentary and Health Service Ombudsman finds fault and recommends a remedy (not binding)'."""
    for code, words in NO_TRIBUNAL_BODY_WORDS.items():
        if not event.startswith(code + "_"):
            continue
        rest = event[len(code) + 1:]
        if rest.startswith("items_") and rest.endswith(NO_TRIBUNAL):
            items = rest[len("items_"):-len(NO_TRIBUNAL)].split("_")
            return f"{words} about item{'s' if len(items) > 1 else ''} {', '.join(items)} (no tribunal route)"
        return {"upheld": f"{words}: upheld", "not_upheld": f"{words}: not upheld",
                "referred": f"referred to {words}",
                "fault_found_recommends": f"{words} finds fault and recommends a remedy (not binding)",
                "no_fault": f"{words} finds no fault"}.get(rest, f"{words}: {_words(rest)}")
    return _words(event)


def losses(res: dict[str, Any], r: dict[str, Any]) -> list[tuple[int, str]]:
    """(row of the step, words) for what the family loses on this route: a decision against it, an appeal lost or
    given up, a choice refused, weeks in a setting it did not choose."""
    steps = _rows(r)
    wanted = _wanted(steps, res.get("preferred"))
    out = []
    for i, s in enumerate(steps):
        step, ev = s["step"], s["event"]
        if reversed_later(steps, i):
            continue  # the LA concedes, or the tribunal orders, later on this route: not a loss
        if step == "decide_to_assess" and ev == "refused":
            out.append((i, "the assessment refused"))
        elif step == "decide_to_issue" and ev == "not_to_issue":
            out.append((i, "a plan refused"))
        elif "_refused_" in ev:
            out.append((i, "its choice of setting refused (" + _words(ev.split("_refused_", 1)[1]) + ")"))
        elif step == "tribunal_decision" and ev == "for_la":
            out.append((i, "the appeal (the tribunal decided for the LA)"))
        elif (step, ev) in (("appeal", "withdrawn"), ("redress", "family_gave_up")) or ev == "dropped_out":
            out.append((i, "its challenge (given up)"))
        elif step == "independent_review" and ev == "finding_not_followed_by_la":
            out.append((i, "the review's finding (not followed by the LA)"))
        elif step == "direct_payment" and ev.startswith("refused_"):
            out.append((i, "a direct payment (refused; no tribunal route for the budget)"))
        elif step == "provision" and wanted and ev.startswith("in_place_") and ev[len("in_place_"):] != wanted \
                and ev[len("in_place_"):] not in ARRANGED:
            nxt = next((t["weeks_from_start"] for t in steps[i + 1:] if t["step"] == "provision"), None)
            how_long = f"{nxt - s['weeks_from_start']:g} weeks" if nxt is not None else "the rest of the route"
            out.append((i, f"{how_long} in a {SETTINGS.get(ev[len('in_place_'):], ev)} it did not choose"))
    return out


REVERSED_BY = {"decide_to_assess": "assess_after_", "decide_to_issue": "make_plan_after_",
               "name_setting": "rename", "reconsideration": "rename"}


def reversed_later(steps: list[dict[str, Any]], i: int) -> bool:
    """A decision against the family that the LA undoes later on the route (a concession, a mediated agreement or a
    tribunal order complied with): the refusal, the plan refused, or the setting refused."""
    prefix = REVERSED_BY.get(steps[i]["step"])
    return prefix is not None and any(t["step"] == "comply" and t["event"].startswith(prefix) for t in steps[i + 1:])


def _wanted(steps: list[dict[str, Any]], preferred: str | None) -> str | None:
    """The setting the family wanted: the one placed after the LA renames on a concession or an order (that is the
    family's request); else the one it asked for in its comments on the draft; else the case's preference. (At a
    phase transfer the engine draws the family's wish afresh, so the case's preference alone can be wrong.)"""
    for i, s in enumerate(steps):
        if (s["step"], s["event"]) == ("comply", "rename"):
            nxt = next((t for t in steps[i + 1:] if t["step"] == "provision"), None)
            if nxt is not None and nxt["event"].startswith("in_place_"):
                return nxt["event"][len("in_place_"):]
    return next((s["event"][len("requested_"):] for s in steps if s["step"] == "family_comments"
                 and s["event"].startswith("requested_")), preferred)


def _rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps drawn: from the request on (SEN support before it has no statutory clock)."""
    return [s for s in r["steps"] if s["weeks_from_start"] >= 0 and s["step"] not in ("sen_support", "request")]


def _body(s: dict[str, Any]) -> str:
    return s.get("acted_by") or (s["duty_holder"][0] if s["duty_holder"] else "family")


def _key_dates(t0: dt.date, weeks: float, routes: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """1 September of each year in view, and the phase-transfer deadline where the route has one (15 February;
    31 March for a move to post-16), from the step's own deadline."""
    days: dict[tuple[int, int], str] = {(9, 1): "1 Sep: school year starts"}
    for r in routes:
        for s in r["steps"]:
            m = re.search(r"(\d\d)-(\d\d) \(MM-DD\)", str(s["deadline"]))
            if s["step"] == "phase_transfer" and m:
                mo, d = int(m.group(1)), int(m.group(2))
                days[(mo, d)] = f"{dt.date(2000, mo, d):%-d %b}: transfer deadline"
    out = []
    for y in range(t0.year, t0.year + int(weeks / 52) + 2):
        for (mo, d), text in days.items():
            w = (dt.date(y, mo, d) - t0).days / 7.0
            if 0 < w < weeks:
                out.append((w, text))
    return sorted(out)


def _panels(results: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rule sets grouped by identical typical routes (same steps, events and times)."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in results:
        key = tuple((s["step"], s["event"], s["weeks_from_start"]) for s in r["steps"])
        groups.setdefault(key, []).append(r)
    return list(groups.values())


def _names(group: list[dict[str, Any]]) -> str:
    """The panel's rule sets: each with its in-force note when alone; merged, by name (`merged_because` says why)."""
    names = [r.get("label") or r["rules"] for r in group] if len(group) == 1 else \
        [(r.get("rule_set_label") or r.get("label") or r["rules"]).split(" (")[0] for r in group]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def merged_because(group: list[dict[str, Any]]) -> str:
    """Why rule sets share a panel: the same typical route step for step, and, where it is so, because a reform's
    changes were not in force during this route."""
    if len(group) < 2:
        return ""
    idle = [(r.get("rule_set_label") or r["rules"]).split(" (")[0] for r in group
            if (r.get("in_force") or {}).get("reform") and not r["in_force"].get("applied")]
    why = f"{_names(group)} share one panel: the same typical route, step for step and week for week"
    if idle:
        why += f" ({', '.join(idle)}: not in force during this route)"
    return why + "."


def _title(res: dict[str, Any], group: list[dict[str, Any]], existing: bool) -> str:
    r = group[0]
    on_route = next((s["weeks_from_start"] for s in _rows(r) if (s["step"], s["event"]) == ("final_plan", "issued")),
                    None)
    f = r["weeks_to_final_plan"]["median"]
    if existing:
        head = f"{_names(group)}: plan in force at the start"
    elif on_route is None and f is None:
        head = f"{_names(group)}: no final plan in any run"
    elif on_route is None:
        head = f"{_names(group)}: no final plan on this route (week {f:g}: the median over the runs that had one)"
    else:
        head = (f"{_names(group)}: final plan at week {on_route:g} on this route (median over all {r['runs']} runs: "
                f"week {f:g}; {r['within_20_weeks_pct']:g}% within the limit)")
    lost = [w for _i, w in losses(res, r)]
    tail = ("The family loses " + "; ".join(lost) + ".") if lost else "The family loses nothing on this route."
    share = f"This route in {r['route_share_pct']:g}% of runs."
    return textwrap.fill(f"{head}. {share} {tail}", 80)


def pins_in_words(pinned: dict[str, Any]) -> str:
    """The pins as a sentence: each in words, 'the first time only' where the file says so (`occurrence`)."""
    words = []
    occurrence = pinned.get("occurrence") or {}
    for k, v in pinned.items():
        if k == "occurrence":
            continue
        when = " (the first time only)" if occurrence.get(k) == "first" else ""
        if isinstance(v, dict):  # a pin by occurrence: {value, occurrence: first | every}
            when = " (the first time only)" if v.get("occurrence") == "first" else ""
            v = v.get("value")
        if v is False and k.startswith("dispute_"):
            text = f"the family does not dispute the {k[len('dispute_'):].replace('_', ' ')}"
        else:
            text = PIN_WORDS.get((k, v), f"{k.replace('_', ' ')}: {str(v).replace('_', ' ')}")
        words.append(text + when)
    return ("Fixed for this child in every run: " + ", ".join(words) + ".") if words else \
        "Nothing is fixed for this child: every event is drawn as for any other child."


def _two_authorities(res: dict[str, Any]) -> str:
    """A child with two authorities: [authority] on each row is the one that acted; who is corporate parent and
    what is contested (the case's roles), in a sentence."""
    rs = res.get("authorities") or []
    if not rs:
        return ""
    words = [f"{r['authority']} ({r['role']}): " + "; ".join(d.split(" (")[0] for d in r["duties"][:3]) for r in rs]
    contested = any("CONTESTED" in d for r in rs for d in r["duties"])
    return ("[Authority]: the one that acted. " + ". ".join(words) + "." +
            (" Which authority maintains a looked-after child's plan out of area is contested (CFA s.24; JG v Kent "
             "[2016] EWHC 1102)." if contested else "") + " ")


def _note(res: dict[str, Any]) -> str:
    return (f"Typical route: the most frequent route over {res['runs']} runs per rule set; "
            "times are medians over the runs that followed it. Solid: the step's typical working time (the "
            "scenario's durations); hatched: waiting before it (a queue, the authority's own delay, other advice, "
            f"or the date of a review). {' '.join(filter(None, map(merged_because, _panels(res['results']))))} "
            f"{res.get('calendar', '')} {pins_in_words(res.get('pinned') or {})} {_two_authorities(res)}"
            "Reform effect sizes are "
            f"assumptions with ranges stated in the rule set files. {SOURCE}")


def case_timeline(res: dict[str, Any], path: Path, limits: dict[str, StatutoryLimit]) -> Path:
    """Draw the timeline and save it as PNG (with SVG and the CSV of the drawn steps beside it); the PNG's path.

    `limits`: the final-plan limit of each rule set (`analysis.runs.case_study.final_plan_limits`)."""
    from .style import Chart

    with house():
        chart = Chart(path.stem, res["title"], timeline_figure(res, limits), timeline_rows(res))
        save(chart, path.parent)
    return path


def timeline_rows(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The data behind the chart, one row per drawn step and rule set."""
    out = []
    for r in res["results"]:
        lost = dict(losses(res, r))
        for i, s in enumerate(_rows(r)):
            out.append({"rule_set": r["rules"], "rule_set_label": r.get("label", r["rules"]), "step": s["step"],
                        "step_label": row_label(s), "event": s["event"],
                        "acted_by": _body(s), "waiting_from_week": s.get("waiting_from_week"),
                        "started_week": s.get("started_week"), "ended_week": s["weeks_from_start"],
                        "deadline_week": s.get("deadline_week"), "deadline_met": s.get("deadline_met"),
                        "family_loses": lost.get(i, "")})
    return out


SPARE_ROWS = 2  # rows under each panel's steps for the labels of the statutory limit and the key dates
MAX_SPARE_ROWS = 12


def timeline_figure(res: dict[str, Any], limits: dict[str, StatutoryLimit]):
    """The figure (matplotlib `Figure`), for saving or for the layout check.

    The labels of the statutory limits and key dates are placed by measuring them (`_place_labels`); where a panel's
    spare rows cannot hold them all apart (dates close together), the figure is drawn again with more spare rows,
    so no label overlaps another, whatever the dates."""
    spare = SPARE_ROWS
    while True:
        fig, short = _timeline_figure(res, limits, spare)
        if not short or spare >= MAX_SPARE_ROWS:
            return fig
        spare = min(spare + short, MAX_SPARE_ROWS)


@dataclass(frozen=True)
class _Label:
    """A label of a vertical line: its x (weeks), its words and colour; limits are placed before key dates."""

    x: float
    text: str
    colour: str
    size: float


def _timeline_figure(res: dict[str, Any], limits: dict[str, StatutoryLimit], spare: int):
    """The figure with `spare` label rows under each panel, and how many more rows the fullest panel needed."""
    results = res["results"]
    existing = str(res.get("start", "")).startswith("existing plan")
    first = res.get("start_date") or (res.get("scenario_start") if existing else res.get("start"))
    t0 = dt.date.fromisoformat(first) if first else None
    groups = _panels(results)
    nrows = [max(len(_rows(g[0])), 1) + spare for g in groups]  # spare rows: the statutory lines', key dates' labels
    tall = [n * _row_pitch(_rows(g[0])) for g, n in zip(groups, nrows, strict=True)]  # in rows of ROW_IN
    note = _note(res)  # the footnote's lines beyond six get their own height (the panels are not squeezed)
    extra = max(0, len(textwrap.wrap(note, int(A4_WIDTH_IN * 72 / (FOOT_PT * 0.56)))) - 6) * FOOT_PT * 1.4 / 72
    height = 2.4 + sum(tall) * ROW_IN + 0.75 * len(groups) + 0.9 + extra
    fig = new_figure(height, note, width=A4_WIDTH_IN)
    fig.suptitle(textwrap.fill(res["title"], 90), fontsize=9.5)
    legend_rows = 1.15 / ROW_IN  # the legend sits in an axes of its own at the top, under the title
    gs = fig.add_gridspec(len(groups) + 1, 1, height_ratios=[legend_rows, *tall])
    lax = fig.add_subplot(gs[0])
    lax.axis("off")
    axes = [fig.add_subplot(gs[1])]
    axes += [fig.add_subplot(gs[k + 2], sharex=axes[0]) for k in range(len(groups) - 1)]
    xmax = max([24.0] + [s["weeks_from_start"] + 2 for r in results for s in _rows(r)])
    used: dict[str, str] = {}
    marks: set[str] = set()
    labels: list[list[_Label]] = []
    for ax, group, n in zip(axes, groups, nrows, strict=True):
        _panel(ax, res, group, n, used, marks)
        ax.set_xlim(0, xmax)
        mine: list[_Label] = []
        if not existing:
            drawn = dict.fromkeys(limits[r["rules"]] for r in group if r["rules"] in limits)
            for lim in drawn:
                ax.axvline(lim.weeks, color=STATUTORY, linestyle="--", linewidth=1.1)
                mine.append(_Label(lim.weeks, f"{lim.weeks:g}-week limit ({lim.reference})", STATUTORY, 6.5))
                marks.add("limit")
        if t0 is not None:
            for w, text in _key_dates(t0, xmax, results):
                ax.axvline(w, color="#777777", linestyle=":", linewidth=1)
                mine.append(_Label(w, text, "#555555", 6.0))
                marks.add("dates")
        labels.append(mine)
    when = f" ({t0:%-d %b %Y})" if t0 is not None else ""
    axes[-1].set_xlabel(f"Weeks since the start{when}; plan already in force" if existing
                        else f"Weeks since the request for an assessment{when}")
    lax.legend(handles=_legend(used, marks), loc="center", ncols=2, fontsize=6.5, frameon=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # the layout: the labels are out of it (set_in_layout(False)), so it does not move with them
    renderer = canvas.get_renderer()
    short = max(_place_labels(renderer, ax, mine, n, spare) for ax, mine, n in zip(axes, labels, nrows, strict=True))
    return fig, short


ROW_LABEL_CHARS, ROW_LABEL_PT = 52, 6.5  # a step's label: wrapped at this width, in this font size


def _row_label_lines(s: dict[str, Any]) -> str:
    return textwrap.fill(row_label(s), ROW_LABEL_CHARS)


def _row_pitch(steps: list[dict[str, Any]]) -> float:
    """Each row's height in rows of ROW_IN: one, or more where a step's label wraps to so many lines that two of
    them would overlap (three lines of 6.5 points need 0.33 inches; a long setting's name does it)."""
    lines = max((_row_label_lines(s).count("\n") + 1 for s in steps), default=1)
    return max(1.0, (lines * ROW_LABEL_PT * 1.2 + 3.0) / 72.0 / ROW_IN)


LANE = 0.5  # rows between two lanes of labels (a row is ROW_IN = 0.25 inches: 9 points, a 6.5-point label fits)


def _place_labels(renderer, ax, labels: list[_Label], n: int, spare: int) -> int:
    """Put each label beside its line in the first lane (from the bottom of the spare rows up) and side (right of
    the line, else left) where, as drawn, it stays inside the axes and touches no label already placed; the number
    of spare rows more this panel needs (0: all placed).

    Why measured: a label's width in weeks depends on the axis's length and the font, and two dates a few weeks
    apart (a limit at week 20 and 1 September at week 21, say) put their labels over each other; a fixed offset
    for "near" labels failed as soon as the case's dates moved."""
    if not labels:
        return 0
    box = ax.get_window_extent(renderer)
    lanes = [n - 1 - LANE * j for j in range(int(spare / LANE) - 1)]  # the top lane stays clear of the last step
    placed: list[Any] = []
    missing = 0
    for lab in sorted(labels, key=lambda lb: (lb.colour != STATUTORY, lb.x)):
        text = ax.text(lab.x, lanes[0], lab.text, fontsize=lab.size, va="center", color=lab.colour)
        text.set_in_layout(False)
        for y, (dx, ha) in ((y, side) for y in lanes for side in ((0.3, "left"), (-0.3, "right"))):
            text.set_position((lab.x + dx, y))
            text.set_horizontalalignment(ha)
            bb = text.get_window_extent(renderer)
            inside = bb.x0 >= box.x0 + 1 and bb.x1 <= box.x1 - 1
            if inside and not any(bb.x0 < p.x1 + 2 and p.x0 < bb.x1 + 2 and bb.y0 < p.y1 + 1 and p.y0 < bb.y1 + 1
                                  for p in placed):
                placed.append(bb)
                break
        else:
            missing += 1
    return math.ceil(missing * LANE) if missing else 0


def _panel(ax, res: dict[str, Any], group: list[dict[str, Any]], n: int, used: dict[str, str],
           marks: set[str]) -> None:
    r = group[0]
    steps = _rows(r)
    lost = dict(losses(res, r))
    for i, s in enumerate(steps):
        y = i
        body = _body(s)
        colour = BODY_COLOURS.get(body, "#999999")
        used[BODY_NAMES.get(body, body)] = colour
        end = s["weeks_from_start"]
        since = s.get("waiting_from_week", end)
        began = s.get("started_week", since)
        if began - since > 0.05:
            ax.barh(y, began - since, left=since, height=0.6, color=colour, alpha=0.3, hatch="////",
                    edgecolor="#555555", linewidth=0.4)
            marks.add("waiting")
        if end - began > 0.05:
            ax.barh(y, end - began, left=began, height=0.6, color=colour, edgecolor="#333333", linewidth=0.6)
        else:
            ax.plot([end], [y], marker="D", markersize=4, color=colour, markeredgecolor="#333333",
                    markeredgewidth=0.6, linestyle="none")
        if i in lost:
            ax.plot([end + 0.5], [y], marker="X", markersize=7, color="#D55E00", markeredgecolor="black",
                    markeredgewidth=0.5, linestyle="none")
            marks.add("lost")
        if s.get("deadline_met") is False and s.get("deadline_week") is not None and s["deadline_week"] < end:
            ax.plot([s["deadline_week"], end], [y, y], color="black", linewidth=0.8, linestyle=(0, (1, 1)))
            ax.plot([s["deadline_week"]], [y], marker="|", markersize=9, markeredgewidth=1.6, color="black",
                    linestyle="none")
            marks.add("late")
    if not steps:
        ax.text(0.5, 0, "no step after the request in the first 18 months", fontsize=7, va="center")
    ax.set_yticks(range(len(steps)), [_row_label_lines(s) for s in steps], fontsize=ROW_LABEL_PT)
    ax.set_ylim(n - 0.5, -0.6)
    ax.set_title(_title(res, group, str(res.get("start", "")).startswith("existing plan")), loc="left", fontsize=7.5)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


def _legend(used: dict[str, str], marks: set[str]) -> list[Any]:
    h: list[Any] = [Patch(facecolor=c, edgecolor="#333333", label=name) for name, c in used.items()]
    if "waiting" in marks:
        h.append(Patch(facecolor="#cccccc", alpha=0.6, hatch="////", edgecolor="#555555", label="Waiting on them"))
    h.append(Line2D([], [], marker="D", color="#777777", markeredgecolor="#333333", linestyle="none", markersize=4,
                    label="A decision or event (no working time)"))
    if "lost" in marks:
        h.append(Line2D([], [], marker="X", color="#D55E00", markeredgecolor="black", linestyle="none",
                        markersize=7, label="The family loses (see the panel's title)"))
    if "late" in marks:
        h.append(Line2D([], [], marker="|", color="black", markeredgewidth=1.6, markersize=9, linestyle=(0, (1, 1)),
                        label="Step's deadline missed (dotted: how late)"))
    if "limit" in marks:
        h.append(Line2D([], [], color=STATUTORY, linestyle="--", label="Statutory limit for the final plan"))
    if "dates" in marks:
        h.append(Line2D([], [], color="#777777", linestyle=":", label="Key dates (school year, transfer deadline)"))
    return h
