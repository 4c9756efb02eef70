"""Tables for people: every text a command prints (run summary, comparison, backtest, map, case study, bench).

Plain text, fixed-width columns; the numbers come from the analysis layer unchanged. Charts are in `charts.py`.

Why this module is long: it is the one place every command's printed text is made (run, compare with its windows and
in-force table, backtest and rolling origin, map, case study, bench), so the wording stays consistent; splitting it
by command would scatter the shared column and number formatting.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

from ..analysis.runs.metrics import METRIC_LABELS, REGISTRY, TARGET_METRICS
from ..rules.projection import describe
from ..schema.units import DAYS_PER_MONTH


def format_value(v: float | None, digits: int = 1) -> str:
    """A number for a summary table: thousands with separators, the rest to `digits` decimals."""
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    text = f"{v:.{digits}f}"
    return text.lstrip("-") if not re.search(r"[1-9]", text) else text  # -0.0 and -0.04 read '0.0', not '-0.0'


def fmt(v: Any) -> str:
    """A value for a comparison table: numbers to 2 decimals (trailing zeros dropped), lists in brackets."""
    if v is None:
        return "-"
    if isinstance(v, float):
        text = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text  # a difference under 0.005 below zero: '-0 (-0 to -0)' before
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def interval(point: Any, lo: Any, hi: Any, unit: str = "") -> str:
    """'point (lo to hi)' for the texts (`compare`, its years, windows and uncertainty; `run`): a count and its
    bounds at one precision chosen from the point (`summary.count_decimals`: whole from 100 up, one decimal below;
    none in every run, '0 (0 to 0)', whole), a sum of money in whole pounds; other units as `fmt`. '-265 (-379.35 to
    -150.65)' and '-40.54 (-407.94 to 326.85)' before."""
    if unit in ("count", "GBP") and isinstance(point, int | float):
        from .summary import count_decimals

        d = 0 if unit == "GBP" or point == lo == hi == 0 else count_decimals(point)

        def show(v: Any) -> str:
            if v is None:
                return "-"
            text = f"{float(v):,.{d}f}"
            return text.lstrip("-") if not re.search(r"[1-9]", text) else text  # '-0' and '-0.0' read '0', '0.0'
    else:
        show = fmt
    return f"{show(point)} ({show(lo)} to {show(hi)})" if lo is not None else show(point)


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


PP_NOTE = "a difference of two percentages is in percentage points (pp: 45% against 52% is 7 pp)"


def pp(key: str) -> str:
    """' pp' after a difference of two percentages (a metric in percent): '7.1 (-5.5 to 19.7)' read as 7.1%."""
    from ..analysis.runs.results import unit_of

    return " pp" if key and unit_of(key) == "percent" else ""


def format_what_changed(rows: list[dict[str, Any]], a: str, b: str, words: bool = False) -> str:
    """The parameters that differ: by code (`rules diff`, the analyst's table) or, with `words`, by what each is,
    its values as a reader says them and its source in plain words (the `compare` text)."""
    from .names import plain, value_text

    na, nb = _two_names(a, b) if words else (a, b)
    if not rows:
        return f"What changed: nothing ({na} and {nb} have the same parameters)."
    body = [["What it is" if words else "Parameter", na, nb, "Source"]]
    for r in rows:
        src = r["source"] or ""
        if r.get("assumption"):
            rng = r["range"]
            src += (f" [assumption: {r['assumption']}; range {fmt(rng[0])} to {fmt(rng[1])}]" if words and rng
                    else f" [assumption: {r['assumption']}; range {fmt(rng)}]")
        if words:
            body.append([r.get("label") or plain(r["parameter"]), value_text(r[a]), value_text(r[b]), plain(src)])
        else:
            body.append([r["parameter"], fmt(r[a]), fmt(r[b]), src])
    return "What changed\n" + table(body)


def _two_names(a: str, b: str) -> tuple[str, str]:
    """The two rule sets by display name ('Current law', 'Green Paper'); one compared with itself as A and B."""
    from .names import rule_set_short

    na, nb = rule_set_short(a), rule_set_short(b)
    return (f"{na} (A)", f"{nb} (B)") if na == nb else (na, nb)


GROUP_WORDS = {"redress_capacity": "the family's capacity to seek redress", "requester": "who asked for the assessment"}


def format_comparison(res: dict[str, Any], places: list[str] | None = None) -> str:
    """The `compare` text (the analyst's view) in the report's words: the place, the rule sets, switches, parameters
    and groups by display name, dates in words; the code names a command takes only in its last line."""
    from .names import short_label, switch_label
    from .summary import date_words, nothing_in_force_words, projection_sentences

    a, b = res["rules"]
    ka, kb = (a, b) if a != b else ("a", "b")
    na, nb = _two_names(a, b)

    from ..analysis.runs.results import unit_of

    def ci(s: dict[str, Any], key: str) -> str:
        lo, hi = s["ci95"]
        return interval(s["mean"], lo, hi, unit_of(key))

    def diff(m: dict[str, Any], key: str = "") -> str:
        lo, hi = m["diff_ci95"]
        return interval(m["diff"], lo, hi, unit_of(key) if key else "") + pp(key)

    period = period_label(res.get("start_date"), res.get("end_date"))
    rows = [["Metric", f"{na}: mean (95% CI)", f"{nb}: mean (95% CI)", f"Difference {nb} - {na} (95% CI)"]]
    for key, m in res["metrics"].items():
        rows.append([label_with_period(key, m["label"], period), ci(m[ka], key), ci(m[kb], key), diff(m, key)])
    scenario = str(res["scenario"])
    where = (places[0] if len(places) == 1 else f"England ({len(places)} councils)"
             if scenario.startswith("england") else f"{len(places)} councils") if places else \
        scenario.replace("_", " ")
    head = (f"{where}, {date_words(res.get('start_date'))} to {date_words(res.get('end_date'))}: {na} against {nb}, "
            f"{res['replications']} replications, the same children and the same random draws under both (paired "
            "differences); " + PP_NOTE)
    parts = [head, nothing_in_force_words(res),
             format_in_force(res.get("in_force") or [], res.get("start_date"), res.get("end_date"), words=True),
             format_what_changed(res["what_changed"], a, b, words=True), table(rows),
             format_by_year(res, (na, nb)), format_windows(res, lambda s: short_label(switch_label(s))),
             "\n".join(projection_sentences(res["projection"])) if res.get("projection") else ""]
    groups = res.get("by_group") or {}
    for dim in ("redress_capacity", "requester"):
        if dim not in groups:
            continue
        values = list(groups[dim])
        grows = [["Metric", *[f"{v.replace('_', ' ')}: {nb} - {na}" for v in values]]]
        for key in GROUP_HEADLINE:
            if key in res["metrics"]:
                grows.append([res["metrics"][key]["label"], *[diff(groups[dim][v][key], key) for v in values]])
        parts.append(f"Difference by {GROUP_WORDS.get(dim, dim.replace('_', ' '))} (95% CI; every metric by group "
                     "is in --json: by_group)\n" + table(grows))
    parts.append(f"(scenario {scenario}, rules {a} and {b}, seed {res['seed']}: the names and seed a command takes "
                 "to make the same results again)")
    return "\n\n".join(p for p in parts if p)


# the by-year differences `compare` prints (every metric by year is in --json: by_year, contrasts)
BY_YEAR_HEADLINE = ("requests", "new_plans", "plans_in_force_january", "within_20_weeks_pct", "appeals_registered",
                    "cost_total_gbp")


def _short(key: str) -> str:
    """A column heading: the metric's label without its parenthesis."""
    return "Plans in force in January" if key == "plans_in_force_january" else \
        METRIC_LABELS.get(key, key).split(" (")[0]


def format_by_year(res: dict[str, Any], names: tuple[str, str] | None = None) -> str:
    """The paired difference (B - A, 95% CI) of the headline measures in each calendar year of the run (the rule
    sets by `names` where given)."""
    years = res.get("by_year") or {}
    if not years:
        return ""
    from ..analysis.runs.results import unit_of

    a, b = names or res["rules"]
    keys = [k for k in BY_YEAR_HEADLINE if any(k in ms for ms in years.values())]
    rows = [["Year", *[_short(k) for k in keys]]]
    for y, ms in years.items():
        cells = []
        for k in keys:
            m = ms.get(k)
            if m is None or m.get("diff") is None:
                cells.append("-")
                continue
            lo, hi = m["diff_ci95"]
            cells.append(interval(m["diff"], lo, hi, unit_of(k)) + pp(k))
        rows.append([y, *cells])
    return (f"Difference {b} - {a} by calendar year (95% CI; plans in force as at 1 January; every metric by year is "
            "in --json: by_year)\n" + table(rows))


def format_windows(res: dict[str, Any], switch_name: Any = None) -> str:
    """Totals of the paired difference over each changed rule's in-force window, beside the whole horizon (each
    switch by `switch_name(code)` where given)."""
    wins = res.get("windows") or []
    if not wins:
        return ""
    keys = [k for k in ("requests", "new_plans", "appeals_registered", "cost_total_gbp") if k in res["metrics"]]
    rows = [["Period", "Switches from then", *[_short(k) for k in keys]]]

    from ..analysis.runs.results import unit_of

    def cell(m: dict[str, Any] | None, key: str) -> str:
        if not m or m.get("diff") is None:
            return "-"
        lo, hi = m["diff_ci95"]
        return interval(m["diff"], lo, hi, unit_of(key))

    from .summary import date_words

    day = date_words if switch_name else str  # in words with the switches' names (the `compare` text)
    for w in wins:
        sw = [switch_name(x) for x in w["switches"]] if switch_name else w["switches"]
        rows.append([f"{day(w['from'])} to {day(w['to'])} ({w['calendar_years']})",
                     ", ".join(sw[:2]) + (f" +{len(sw) - 2} more" if len(sw) > 2 else ""),
                     *[cell(w["metrics"].get(k), k) for k in keys]])
    rows.append([f"whole horizon {day(res.get('start_date'))} to {day(res.get('end_date'))}", "",
                 *[cell(res["metrics"].get(k), k) for k in keys]])
    return "Totals of the difference in each in-force window and over the whole horizon (95% CI)\n" + table(rows)


def format_uncertainty(res: dict[str, Any]) -> str:
    """Each difference with its interval over assumptions and replications beside the replication-only one."""
    u = res.get("uncertainty")
    if not u:
        return ""
    a, b = res["rules"]
    rows = [["Metric", "Difference (replications only, 95% CI)", "Difference (assumptions + replications, 95%)"]]

    from ..analysis.runs.results import unit_of

    def pair(m: dict[str, Any], key: str) -> list[str]:
        r, ar = m["replications_only"], m["assumptions_and_replications"]
        lo, hi = r.get("ci95") or [None, None]
        alo, ahi = ar["interval95"]
        return [interval(r.get("mean"), lo, hi, unit_of(key)), interval(ar["mean"], alo, ahi, unit_of(key))]

    for key, m in u["metrics"].items():
        rows.append([METRIC_LABELS.get(key, key), *(x + pp(key) for x in pair(m, key))])
    for y, ms in u["by_year"].items():
        for key in ("new_plans", "plans_in_force_january"):
            if key in ms:
                rows.append([f"{_short(key)}, {y}", *pair(ms[key], key)])
    from .names import design_words

    a, b = _two_names(a, b)
    head = (f"Uncertainty of {b} - {a}: {u['draws']} draws ({design_words(u['design'])}) of {len(u['parameters'])} declared ranges "
            f"x {u['replications_per_draw']} replications; {u['note']}; {PP_NOTE}")
    return head + "\n" + table(rows)


# the measures `compare` prints by group (family capacity, requester): who gains and who loses
GROUP_HEADLINE = ("within_20_weeks_pct", "weeks_to_final_plan_median", "weeks_to_provision_median",
                  "weeks_dispute_to_remedy_median", "disputes_ended_gave_up_pct", "appeals_registered", "new_plans")


def period_label(start: str | None, end: str | None) -> str:
    """'2019-2020' from the run's first and last dates (a total is over this period); '2019' for a run within one
    year (it said 'total over 2019-2019')."""
    if not (start and end):
        return ""
    a, b = str(start)[:4], str(end)[:4]
    return a if a == b else f"{a}-{b}"


def label_with_period(key: str, label: str, period: str) -> str:
    """A total says which period it sums ('total over 2019-2025'); rates, durations and end states need not."""
    metric = REGISTRY.get(key)
    return f"{label}, total over {period}" if metric is not None and metric.kind == "total" and period else label


def format_in_force(rows: list[dict[str, Any]], start: str | None, end: str | None, words: bool = False) -> str:
    """What was in force from when: every switch's commencement in this run (a reform has no effect before); with
    `words`, rule sets and switches by display name, dates in words, the source in plain words."""
    if not rows:
        return ""
    from .names import plain, rule_set_short, short_label, switch_label
    from .summary import date_words

    day = date_words if words else str
    body = [["Rule set", "Switch", "In force in this run", "Date from", "Where"]]
    for r in rows:
        when = r["in_force"]
        shown = "from the start (hypothetical)" if when == start and "hypothetical" in (r["source"] or "") else \
            (f"from {day(when)}" if when else f"not within the run (after {day(end)}): no effect")
        if words:
            body.append([rule_set_short(r["rules"]), short_label(switch_label(r["switch"])), shown,
                         plain(r["source"] or "")[:90], plain(r.get("where") or "every authority")[:110]])
        else:
            body.append([r["rules"], r["switch"], shown, (r["source"] or "")[:90],
                         (r.get("where") or "every authority")[:110]])
    return "What is in force, and from when\n" + table(body)


def json_safe(obj: Any, at: str = "") -> tuple[Any, dict[str, str]]:
    """`obj` with every NaN or infinity replaced by null, and {path: "NaN" | "Infinity" | "-Infinity"} of each; a
    zero without its sign ('-0.0' read as a negative nothing).

    Why: Python's json writes bare NaN and Infinity, which no standard JSON reader accepts; the reason a value is
    missing goes into a field of its own (`not_finite`) instead."""
    notes: dict[str, str] = {}
    if isinstance(obj, float) and not math.isfinite(obj):
        notes[at or "(value)"] = "NaN" if obj != obj else ("Infinity" if obj > 0 else "-Infinity")
        return None, notes
    if isinstance(obj, float) and obj == 0.0:  # -0.0 (a difference of two equal means times -1) is written 0.0
        return 0.0, notes
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out[k], n = json_safe(v, f"{at}.{k}" if at else str(k))
            notes.update(n)
        return out, notes
    if isinstance(obj, (list, tuple)):
        items = []
        for i, v in enumerate(obj):
            x, n = json_safe(v, f"{at}[{i}]")
            items.append(x)
            notes.update(n)
        return items, notes
    return obj, notes


def safe_dumps(obj: Any, **kw: Any) -> str:
    """json.dumps with the same arguments, as standard JSON: NaN and infinities null, listed under `not_finite`."""
    safe, notes = json_safe(obj)
    if notes and isinstance(safe, dict):
        safe["not_finite"] = notes
    return json.dumps(safe, allow_nan=False, **kw)


def to_json(res: dict[str, Any]) -> str:
    """One standard JSON object (NaN and infinities as null, listed under `not_finite`)."""
    safe, notes = json_safe(res)
    if notes:
        safe["not_finite"] = notes
    return json.dumps(safe, indent=2, sort_keys=True, default=str, allow_nan=False)


def format_summary(summary: dict, places: list[str] | None = None) -> str:
    """A run as text: its place, rule set and dates in words ('Wandsworth under Current law, 1 January 2019 to 31
    December 2020'; it began 'small_la under current_2014: 2019-01-01 to 2020-12-31'), then every metric; the code
    names a command takes after them, in brackets, for the analyst who runs it again."""
    from ..analysis.runs.results import unit_of
    from .names import rule_set_short
    from .summary import date_words

    rows = [("Metric", "Mean", "95% CI")]
    for k, s in summary["metrics"].items():
        lo, hi = s["ci95"]
        if unit_of(k) in ("count", "GBP") and s["mean"] is not None:  # one precision for a count and its bounds
            mean, _, ci = interval(s["mean"], lo, hi, unit_of(k)).partition(" (")
            ci = ci.rstrip(")") or "-"
        else:
            ci = f"{format_value(lo)} to {format_value(hi)}" if lo is not None else "-"
            mean = format_value(s["mean"])
        rows.append((label_with_period(k, METRIC_LABELS.get(k, k), period_label(summary.get("start_date"),
                                                                               summary.get("end_date"))),
                     mean, ci))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    where = (places[0] if len(places) == 1 else f"England ({len(places)} councils)"
             if str(summary["scenario"]).startswith("england") else f"{len(places)} councils") if places else \
        str(summary["scenario"]).replace("_", " ")
    lines = [f"{where} under {rule_set_short(summary['rules'])}, {date_words(summary['start_date'])} to "
             f"{date_words(summary['end_date'])}: {summary['replications']} replications (scenario "
             f"{summary['scenario']}, rules {summary['rules']}, seed {summary['seed']})", ""]
    if summary.get("projection"):
        lines[1:1] = describe(summary["projection"])
    for i, (a, b, c) in enumerate(rows):
        lines.append(f"{a:<{w0}}  {b:>{w1}}  {c}")
        if i == 0:
            lines.append("-" * (w0 + w1 + 24))
    return "\n".join(lines)


def format_rows(rows: list[dict[str, Any]]) -> str:
    """A readable table: one line per metric and period."""
    head = ("Metric", "Period", "Observed", "Model", "95% CI", "Error", "Tolerance", "Within")
    lines = [head]
    for r in rows:
        lo, hi = r["model_ci95"]
        ci = f"{format_value(lo)} to {format_value(hi)}" if lo is not None else "-"
        if r["tolerance"] is None:
            tol, err = "-", "-"
        elif r["tolerance_kind"] == "relative":
            tol, err = f"±{r['tolerance']:g}%", (f"{r['error']:+.1f}%" if r["error"] is not None else "-")
        else:
            tol, err = f"±{r['tolerance']:g} pts", (f"{r['error']:+.1f}" if r["error"] is not None else "-")
        ok = "-" if r["within_tolerance"] is None else ("yes" if r["within_tolerance"] else "NO")
        label = TARGET_METRICS[r["metric"]].label if r["metric"] in TARGET_METRICS else r["metric"]
        lines.append((label, r["period"], format_value(r["observed"]), format_value(r["model_mean"]), ci, err, tol, ok))
    widths = [max(len(str(x[i])) for x in lines) for i in range(len(head))]
    out = []
    for k, x in enumerate(lines):
        out.append("  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w) for i, (v, w) in enumerate(zip(x, widths,
                                                                                                        strict=True))))
        if k == 0:
            out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    return "\n".join(out)


def format_rolling(rows: list[dict[str, Any]]) -> str:
    """The rolling-origin summary: per measure, the model's mean absolute error (95% interval over replications),
    its own and anchored to the last figure, beside persistence's and trend's on the same authorities, and the share
    within tolerance."""
    head = ("Measure", "Period", "Unit", "LAs", "Model", "95% CI", "Anchored", "95% CI", "Persistence", "Trend",
            "Within (model)", "Within (anch.)", "Within (pers.)", "Within (trend)")
    lines = [head]

    def ci(pair: list[float | None]) -> str:
        lo, hi = pair
        return f"{lo:.1f} to {hi:.1f}" if lo is not None and hi is not None else "-"

    for r in rows:
        lines.append((r["label"], r["period"], r["error_unit"], str(r["authorities"]), f"{r['mae_model']:.1f}",
                      ci(r["mae_model_ci95"]), f"{r['mae_anchored']:.1f}", ci(r["mae_anchored_ci95"]),
                      f"{r['mae_persistence']:.1f}", f"{r['mae_trend']:.1f}", f"{100 * r['within_tolerance_share']:.0f}%",
                      f"{100 * r['anchored_within_share']:.0f}%", f"{100 * r['persistence_within_share']:.0f}%",
                      f"{100 * r['trend_within_share']:.0f}%"))
    widths = [max(len(str(x[i])) for x in lines) for i in range(len(head))]
    out = []
    for k, x in enumerate(lines):
        out.append("  ".join(str(v).ljust(w) if i < 3 else str(v).rjust(w) for i, (v, w) in enumerate(zip(x, widths,
                                                                                                        strict=True))))
        if k == 0:
            out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    return "\n".join(out)


def format_map(doc: dict[str, Any], fmt: str) -> str:
    cols = ["step", "duty_holder", "deadline", "payer", "inspected_by", "redress", "gaps"]
    head = ["Step", "Duty holder", "Deadline", "Who pays", "Inspected by", "Redress", "Gaps"]

    def cell(v: Any) -> str:
        if isinstance(v, list):
            return ", ".join(v) if v else "none"
        return str(v)

    rows = [[cell(r[c]) for c in cols] for r in doc["steps"]]
    for r, raw in zip(rows, doc["steps"], strict=True):  # how strong each duty is (absolute, lifted, "appropriate")
        if raw.get("duty_strength"):
            r[1] += " (" + ", ".join(f"{b}: {k}" for b, k in raw["duty_strength"].items()) + ")"
    if fmt == "markdown":
        out = [f"# Accountability map: {doc['label']} (`{doc['rules']}`)", "",
               "| " + " | ".join(head) + " | Incentive |", "|" + "---|" * (len(head) + 1)]
        for r, raw in zip(rows, doc["steps"], strict=True):
            if raw.get("sections"):  # the lead for each section of the plan (CFA s.42: no split duty)
                r = [r[0], r[1] + "; leads: " + ", ".join(f"{k}: {v}" for k, v in raw["sections"].items()), *r[2:]]
            elif raw.get("lead"):
                r = [r[0], r[1] + f"; lead: {raw['lead']}", *r[2:]]
            out.append("| " + " | ".join(c.replace("|", "/") for c in r) + f" | {raw['incentive']} |")
        out += ["", f"Gaps flagged: {doc['gap_count']}.", "",
                "Bodies: " + "; ".join(f"**{k}**: {v['label']} (accountable to {v['accountable_to']})"
                                        for k, v in doc["bodies"].items())]
        return "\n".join(out)
    return (f"Accountability map: {doc['label']} ({doc['rules']})\n\n" + table([head, *rows])
            + f"\n\nGaps flagged: {doc['gap_count']}")


def route_cut(res: dict[str, Any]) -> str:
    """A sentence when the scenario ends before the 18 months a case study reads (a start late in a scenario): the
    route is read only to the scenario's end, so a plan or a place "not reached" may only be beyond it."""
    start, end, run_end = (str(res.get(k) or "") for k in ("start_date", "route_end", "run_end"))
    if not (start and end and run_end) or run_end >= end:
        return ""
    months = (dt.date.fromisoformat(run_end) - dt.date.fromisoformat(start)).days / DAYS_PER_MONTH
    return (f"The scenario ends on {run_end}, before this route's 18 months ({start} to {end}): the route is read "
            f"over its first {months:.0f} months only, and a step not reached may fall after the scenario's end.")


def _case_words() -> dict[str, Any]:
    """The display names the case-study report (`folder_reports`) uses, for the text too (`case_words`)."""
    from . import case_words as fr
    from .names import rule_set_short, switch_label
    from .names import short_label as name_short
    from .summary import date_words
    from .timeline import event_words, pins_in_words
    from .timeline import short_label as step_short
    return {"fr": fr, "rule_set_short": rule_set_short, "switch": lambda s: name_short(switch_label(s)),
            "date": date_words, "event": event_words, "pins": pins_in_words, "step": step_short}


def _step_names(res: dict[str, Any], step_short: Any) -> dict[str, str]:
    """{step code: its display name}: the steps of each rule set's map (a route may pass steps the likely route does
    not), then those of the likely routes (a case's own labels, e.g. the advice of a young person's college)."""
    from ..rules.resolve import resolve_rules
    from ..schema.files import InputError

    out: dict[str, str] = {}
    for r in res.get("results", []):
        try:
            steps = resolve_rules(r["rules"])[0].accountability.steps
        except (InputError, KeyError, AttributeError):
            continue
        for code, st in steps.items():
            out.setdefault(code, step_short(st.label, code))
    for r in res.get("results", []):
        for s in r.get("steps", []):
            out[s["step"]] = step_short(s.get("label", s["step"]), s["step"])
    return out


def in_force_text(res: dict[str, Any], r: dict[str, Any], w: dict[str, Any]) -> str:
    """One rule set's line of 'Rules in force during this route', in words: its short and full names, each change by
    its label, dates as a reader says them, and a change modelled from the first day of the run said to be a
    hypothetical: the Green Paper's (no date was ever proposed) or every change's when the run asked for it."""
    st = r.get("in_force") or {}
    name = w["rule_set_short"](r["rules"], r.get("rule_set_label", ""))
    full = r.get("rule_set_label") or r.get("label") or ""
    head = full if full and name.lower() in full.lower() else f"{name} ({full})" if full else name
    span = f"{w['date'](res.get('start_date'))} to {w['date'](res.get('route_end'))}"
    if not st.get("reform"):
        return f"{head}: the law as it stands; no changed rules to come into force ({span})."
    sw = lambda xs: ", ".join(w["switch"](x) for x in xs)  # noqa: E731
    parts = []
    if st.get("hypothetical"):
        parts.append("a hypothetical: every change modelled as in force from the first day of the run, whatever its "
                     "date" if res.get("from_start") else
                     "no date proposed: every change modelled as in force from the first day of the run, a "
                     "hypothetical")
    if st.get("at_start"):
        parts.append("in force from the start of the route: " + sw(st["at_start"]))
    if st.get("during"):
        parts.append("coming into force during the route: " + ", ".join(f"{w['switch'](s)} on {w['date'](d)}"
                                                                        for s, d in st["during"]))
    if st.get("not_in_force"):
        parts.append("not in force during this route: " + sw(st["not_in_force"]))
    if not st.get("applied"):
        head += f" was not in force during this route ({span}): the law as it stands applied"
    return f"{head}; " + "; ".join(parts) + "."


def day_words(deadline: str) -> str:
    """A deadline in words: 'by 02-15 (MM-DD)' (a day of every year, as the rule set writes it) as 'by 15 February'
    (sixth held-out round: the case-study text printed the rule set's form)."""
    return re.sub(r"(\d\d)-(\d\d) \(MM-DD\)",
                  lambda m: f"{int(m[2])} {dt.date(2000, int(m[1]), int(m[2])):%B}", str(deadline))


# a year group before Reception (the case file's -1 and -2: schema.case_study.CaseChild.year_group), in words
NURSERY_YEARS = {1: "nursery, the year before Reception", 2: "nursery, two years before Reception"}


def _child_settings() -> dict[str, str]:
    """The settings a case file may give its child, by their names: a plan's settings (`timeline.SETTINGS`) and the
    two the engine models as another (`schema.case_study.MODELLED_AS`), each a code no sentence uses as a word (an
    underscore or a digit: "mainstream" is also a word of the sentences, "post16" and "early_years" never are;
    tenth held-out round: "currently in post16", "early_years modelled as mainstream place")."""
    from .timeline import SETTINGS

    words = {**SETTINGS, "early_years": "early years setting", "specialist_college": "specialist college"}
    return {c: w for c, w in words.items() if re.search(r"[_0-9]", c)}



# What a "How long" line says when no run reached the wait, in plain words ("no new setting in place within the run in
# any run" said "run" twice): one wording for the case text and the case report's line.
NOT_REACHED = {"final_plan": "no final plan in any run",
               "provision": "no provision in place by the end of any run",
               "new_setting": "no new setting in place by the end of any run"}


def how_long_waits(res: dict[str, Any], r: dict[str, Any]) -> tuple[tuple[str, dict[str, Any] | None], ...]:
    """The waits a case's "How long" reads for one rule set's result `r`, each with its weeks (None or a median of None:
    not reached in any run), by the child's start: a plan in force at the start has no final plan to wait for, only a
    new setting; a request waits for its final plan, then its provision. The one owner of that branch, which the case
    text (`format_case`) and the case report (`folder_reports.how_long`) each wrote for themselves."""
    p = r.get("weeks_to_provision")
    if str(res.get("start", "")).startswith("existing plan"):
        return (("new_setting", p),)
    return (("final_plan", r.get("weeks_to_final_plan")), ("provision", p))


def reached(d: dict[str, Any] | None) -> bool:
    """A wait some run reached (its median over the runs that reached it is given)."""
    return bool(d) and d.get("median") is not None  # type: ignore[union-attr]


def format_case(res: dict[str, Any]) -> str:
    """A case study as text, in the words of its report (`folder_reports.case_study_html`): the child, the rules in
    force during the route, and for each rule set the timings, the time without a school, the routes and the step
    table; steps, events, bodies, payers, redress routes, rule sets and changes by their display names, dates as a
    reader says them. Code names only in the last line, the command that makes the same results again."""
    import shlex

    settings = _child_settings()
    w = _case_words()
    fr, date, event_words = w["fr"], w["date"], w["event"]
    steps = _step_names(res, w["step"])
    rs = {r["rules"]: w["rule_set_short"](r["rules"], r.get("rule_set_label", "")) for r in res["results"]}

    def said(text: Any) -> str:  # a sentence the analysis wrote: codes by their names, ISO dates in words
        t = fr.change_words(str(text), steps)
        for code, words in settings.items():
            t = re.sub(rf"(?<![\w+]){code}(?![\w+])", words, t)
        t = re.sub(r"\byear group -([12])\b", lambda m: NURSERY_YEARS[int(m[1])], t)
        return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: date(m.group(0)), t)

    start = said(res.get("start", ""))
    out = [f"{res['title']}", res["summary"],
           f"{res['runs']} runs per rule set; start: {start}"
           + (" (a hypothetical: every change of each reform in force from the first day of the run)"
              if res.get("from_start") else ""),
           w["pins"](res.get("pinned") or {})]
    if res.get("child"):
        out.append("The child: " + "; ".join(said(x) for x in res["child"]) + ".")
    if res.get("dates_moved_days"):
        out.append(f"The file's other dates (moves, placements, custody, hospital) are moved "
                   f"{res['dates_moved_days']:+,} days with its start, keeping their distance from it.")
    cut = route_cut(res)
    if cut:
        out.append(said(cut))
    if res.get("in_force"):
        out.append(f"Rules in force during this route ({date(res.get('start_date'))} to "
                   f"{date(res.get('route_end'))}):")
        out += [f"  - {in_force_text(res, r, w)}" for r in res["results"]]
    for key in ("calendar", "transfer_before_start", "disputes_note", "reorganised"):
        if res.get(key):
            out.append(said(res[key]))
    for a in res.get("authorities", []):  # a child with two authorities: each one's roles, payments, uncertainty
        out.append(said(f"{a['role'].capitalize()} authority, {a['authority']}: " + "; ".join(a["duties"])
                        + ". Pays: " + "; ".join(a["pays"]) + "."
                        + ("".join(f" Uncertain: {u}." for u in a["uncertain"]))))
    out.append("")

    def step_event(step: str, event: str) -> str:
        name = steps.get(step, step.replace("_", " "))
        what = event_words(step, event)
        return name if what.lower() in name.lower() else f"{name}: {what}"

    for r in res["results"]:
        full = r.get("label", r["rules"])  # the panel's title: '(hypothetical: in force from the start)' with it
        out.append(f"== {full}" if rs[r["rules"]].lower() in full.lower() else f"== {rs[r['rules']]}: {full}")
        waits = how_long_waits(res, r)
        if waits[0][0] == "new_setting":
            out.append("A plan is in force at the start: there is no final plan to wait for.")
        for kind, d in waits:
            if not reached(d):
                out.append(NOT_REACHED[kind][0].upper() + NOT_REACHED[kind][1:] + ".")
            elif kind == "new_setting":
                out.append(f"Weeks to a new setting in place: median {d['median']} ({d['p10']} to {d['p90']}), in "
                           f"{d['reached_pct']}% of runs.")
            elif kind == "final_plan":
                out.append(f"Weeks to final plan: median {d['median']} (10th-90th centile {d['p10']} to {d['p90']}), "
                           f"reached in {d['reached_pct']}% of runs; within the limit in {r['within_20_weeks_pct']}%.")
            else:
                out.append(f"Weeks to provision in place: median {d['median']} ({d['p10']} to {d['p90']}), reached "
                           f"in {d['reached_pct']}% of runs.")
        tw = r.get("time_without_school") or {}
        if tw:
            out.append("Time without a school (mean weeks over the runs; % of runs with any): " + "; ".join(
                f"{v['meaning']}: {v['mean']:g} ({v['runs_with_any_pct']:g}%)" for v in tw.values()) + ".")
        for note in r.get("pins_overridden", []):
            out.append(f"Pinned choice overridden: {said(note)}.")
        out.append(f"Routes ({r['routes_seen']} seen; {r['route_note']}), the commonest with their shares:")
        if r.get("still_waiting_for_hearing_pct"):
            out.append(f"In {fmt(r['still_waiting_for_hearing_pct'])}% of runs an appeal registered during the route "
                       "is still waiting for a hearing when its 18 months end: the hearing falls after the part of "
                       "the route read here (registered late in it, or the tribunal's list in this scenario is long; "
                       "a route ending so says it).")
        for t in r["top_routes"]:
            out.append(f"  {t['share_pct']:>5}%  " + " > ".join(step_event(*x.split(":", 1)) for x in t["route"]))
        out.append(f"Steps of the commonest route ({r['route_share_pct']}% of runs):")
        rows = [["Step", "What happened", "Who holds the duty", "Deadline", "Week (typical)", "Who pays", "Redress",
                 "Gaps"]]
        for s in r["steps"]:
            what = (event_words(s["step"], s["event"]) + (" (under-5 review)" if s.get("under5") else "")
                    + (f" ({said(s['appeal_of'])})" if s.get("appeal_of") else ""))  # whose appeal, a decision between
            where = s.get("authority_of") or {}  # two authorities: each body with the authority it belongs to
            strength = s.get("duty_strength") or {}  # how strong each duty is (absolute, lifted, "appropriate")
            holder = ", ".join(fr.body(b) + "".join(f" ({x})" for x in (where.get(b), strength.get(b)) if x)
                               for b in s["duty_holder"]) or "-"
            rows.append([steps.get(s["step"], s["step"].replace("_", " ")), what, holder, day_words(s["deadline"]),
                         f"{s['weeks_from_start']}",
                         ", ".join(fr.PAYER_WORDS.get(x, x.replace("_", " ")) for x in s["payer"]) or "-",
                         ", ".join(fr.ROUTE_WORDS.get(x, fr.body(x)) for x in s["redress"]) or "none",
                         "; ".join(said(g) for g in s["gaps"]) or "-"])
        out.append(table(rows))
        out.append("")
    for r, ch in zip(res["results"][1:], res["what_changes"], strict=True):
        out.append(f"What changes for this child: {rs[res['results'][0]['rules']]} -> {rs[r['rules']]}")
        out += [f"  - {said(x) if isinstance(x, str) else x}" for x in ch]
    rules = " ".join(f"--rules {shlex.quote(r['rules'])}" for r in res["results"])
    given = "".join(f" {flag} {shlex.quote(str(res[key]))}" for flag, key in
                    (("--scenario", "scenario_given"), ("--start-date", "start_date_given")) if res.get(key))
    given += " --from-start" if res.get("from_start") else ""
    out += ["", f"To make the same results again (scenario {res.get('scenario')}, seed {res.get('seed')}): sendsim "
                f"case-study {shlex.quote(str(res.get('file_given') or res.get('case') or 'FILE'))} {rules}{given} "
                f"--runs {res.get('runs')} --seed {res.get('seed')}"]
    return "\n".join(out)


def format_bench(out: dict[str, Any], path: Path | str = "") -> str:
    """A readable table: each stage's simulated mean wait beside the Erlang C value."""
    unit = out["time_unit"]
    lines = [f"{path}: {out['children']:,} children, seed {out['seed']}, warm-up {out['warmup']:g} {unit}",
             f"wall {out['wall_seconds']:.2f} s: {out['children_per_second']:,.0f} children/s, "
             f"{out['events_per_second']:,.0f} events/s", "",
             f"{'stage':<20} {'visits':>9} {'utilisation':>11} {'mean wait':>10} {'Erlang C':>9}"]
    for s, w in out["mean_wait"].items():
        ec = out["erlang_c_mean_wait"][s]
        lines.append(f"{s:<20} {out['visits'][s]:>9,} {out['utilisation'][s]:>11.3f} "
                     f"{'-' if w is None else f'{w:.4f}':>10} {'-' if ec is None else f'{ec:.4f}':>9}")
    m = out["mean_time_in_system"]
    lines.append(f"\nmean time in system: {'-' if m is None else f'{m:.4f}'} {unit}")
    over = [s for s, u in out["utilisation"].items() if u >= 1.0]
    if over:  # an overloaded stage had a '-' under Erlang C and a utilisation of 8.000 without a word (eighth round)
        lines.append(f"unstable: {', '.join(over)} {'is' if len(over) == 1 else 'are'} offered more work than "
                     f"{'its' if len(over) == 1 else 'their'} servers can do (utilisation 1 or more is arrivals x "
                     "mean service / servers, not a share of time busy): the queue grows without bound, so the mean "
                     "wait grows with the number of children and Erlang C has no value; for accuracy keep every "
                     "stage below 1")
    return "\n".join(lines)
