"""The plain-language summary of a run or a comparison, in a declared order a parent can follow.

Why a declared order, not the largest relative changes: ranking by relative change led a Walsall report with
"mediations not held within the 30-day limit" and left out weeks to a plan. A parent asks, in this order:
how long until a plan and provision (1), how long a dispute takes to a remedy and how disputes end (2), who loses,
by the family's capacity to seek redress (3), what it costs and who pays (4), and then the rest (5). `section_of`
puts any registered metric in one of these, by name, so a new metric (the dispute measures of another issue, say)
finds its place without an edit here.

Each effect is one sentence with both values, the difference and its 95% interval in words ("between 1.2 and 3.4
weeks shorter"); rule sets by their short names (the legend with their full names is said once, at the top);
effects on small counts are marked.
When nothing that changed is in force within the run, the summary says exactly that, and which horizon would show
it, never "no clear difference".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..analysis.runs.results import Results, unit_of
from .names import MINUS, SMALL_COUNT, metric_label, money, plain, rule_set_short, switch_label

SECTIONS = ("How long until a plan and provision", "Disputes: weeks to a remedy, and how they end",
            "Who loses, by the family's capacity to seek redress", "What it costs, and who pays", "Everything else")
ALWAYS = {  # shown in their section whether or not the difference is clear (a parent asks for them by name)
    0: ("weeks_to_final_plan_median", "weeks_to_provision_median", "within_20_weeks_pct"),
    1: ("weeks_dispute_to_remedy_median", "weeks_dispute_to_end_median", "disputes_ended_gave_up_pct",
        "disputes_ended_accepted_pct", "appeals_registered"),
    3: ("cost_total_gbp",),
}
DISPUTE_KEYS = ("appeals_registered", "conceded_before_hearing_pct", "withdrawn_pct", "decided_for_family_pct",
                "weeks_to_hearing_mean", "tribunal_backlog_end", "independent_reviews", "dropped_out_at_rung")
LOSS_KEYS = ("dropped_out_at_rung", "disputes_ended_gave_up_pct", "decided_for_family_pct", "placement_outside_list_no_appeal",
             "withdrawn_pct", "weeks_to_final_plan_median", "appeals_registered")  # compared within each group
GROUP_METRICS = ("within_20_weeks_pct", "weeks_to_final_plan_median", "weeks_dispute_to_remedy_median",
                 "appeals_registered")  # the outcomes the differences-by-capacity chart draws
DENOMINATOR = {"mediation": "mediations", "conceded": "appeals_registered", "withdrawn": "appeals_registered",
               "decided_for_family": "appeals_registered", "disputes_": "disputes_ended"}
# the cases a median, mean or share of weeks is taken over: a council of a dozen requests (15 new plans a run) had its
# weeks to a plan and its % within 20 weeks said without "small numbers" (sixth held-out round)
OF_CASES = {"within_20_weeks": "new_plans", "weeks_to_final_plan": "new_plans", "weeks_to_provision": "new_plans",
            "weeks_dispute_": "disputes_ended", "weeks_appeal_": "appeals_registered",
            "weeks_to_hearing": "appeals_registered"}
CAPACITY_WORDS = {"low": "low", "medium": "medium", "high": "high"}
REST_SHOWN = 6


def section_of(key: str) -> int:
    """The summary section (0-4) of any metric, by its name."""
    if key.startswith(("weeks_to_final_plan", "weeks_to_provision", "weeks_without_provision")) \
            or key == "within_20_weeks_pct":
        return 0
    if key.startswith(("weeks_dispute_", "disputes_", "mediation", "appeals_")) or key in DISPUTE_KEYS \
            or "gave_up" in key or "remedy" in key:
        return 1
    if key.startswith("cost_"):
        return 3
    return 4


def count_decimals(point: float | None) -> int:
    """The decimals of a count and of every bound shown with it, chosen once from the point estimate (a range's
    larger end): whole numbers from 100 up, one decimal below (a mean over runs of 2.3 appeals is not 2). A count's
    interval read '-265 (-379.35 to -150.65)' in the `compare` text and 'between 83.5 and 132 fewer' in the report:
    each bound at its own precision."""
    return 0 if point is None or abs(point) >= 100 else 1


def shared_like(*values: float | None) -> float | None:
    """The one precision of values read side by side (each rule set's mean of a metric): the finer of theirs (the
    smaller in size), so two means read alike: '99.5 under A, 100 under B' is '99.5 under A, 100.2 under B'."""
    xs = [abs(v) for v in values if v is not None]
    return min(xs) if xs else None


def number(v: float | None, unit: str, like: float | None = None) -> str:
    """A value as a reader says it: money as '£1.2m' or '−£450k', percentages with one decimal, weeks to one; a
    count whole from 100 up, to one decimal below, its precision taken from `like` (the point estimate an interval's
    bound goes with) when given, so a count and its interval read alike (`count_decimals`)."""
    if v is None:
        return "not available"
    if unit == "GBP":
        return money(v)
    if unit == "percent":
        text = f"{v:.1f}%"
    elif unit == "weeks":
        text = f"{v:.1f} weeks"
    else:
        text = f"{v:,.{count_decimals(v if like is None else like)}f}"
    return unsigned_zero(text).replace("-", MINUS)


def unsigned_zero(text: str) -> str:
    """A number that rounds to zero without a sign: '-0.03' shown to one decimal is '0.0', not '−0.0' (the report's
    differences read '+0.0 weeks (−0.0 weeks to 0.0 weeks)')."""
    return text.lstrip("-+") if not re.search(r"[1-9]", text) else text


def difference(v: float | None, unit: str, like: float | None = None) -> str:
    """A difference as a reader says it, with its sign: two percentages differ by percentage points ('+4.1
    percentage points'), not by a per cent ('+4.1%' reads as 4.1% of the first value); other units as `number`."""
    if v is None:
        return "not available"
    if unit == "GBP":
        return money(v, signed=True)
    if unit == "percent":
        return unsigned_zero(f"{v:+.1f}").replace("-", MINUS) + " percentage points"
    text = number(v, unit, like)
    return "+" + text if v > 0 and re.search(r"[1-9]", text) else text


def amount(v: float, unit: str, like: float | None = None) -> str:
    """The size of a difference, without its sign ('2.2 weeks', '4.1 percentage points', '£450k'); a count at the
    precision of `like` (its point estimate and interval, `number`)."""
    a = abs(v)
    if unit == "percent":
        return f"{a:.1f} percentage points"
    return number(a, unit, like)


def direction(v: float, unit: str) -> str:
    if unit == "count":
        return "fewer" if v < 0 else "more"
    if unit == "weeks":
        return "shorter" if v < 0 else "longer"
    if unit == "GBP":
        return "less" if v < 0 else "more"
    return "lower" if v < 0 else "higher"


def interval_words(lo: float | None, hi: float | None, unit: str, point: float | None = None) -> str:
    """'between 1.2 and 3.4 weeks shorter', or 'between 0.5 weeks shorter and 1.1 weeks longer: not clear'; a count's
    bounds at its point estimate's precision ('between 84 and 132 fewer' for 108 fewer, not 'between 83.5 and 132')."""
    if lo is None or hi is None:
        return "no interval (too few replications)"
    if lo == hi == 0:
        return "no difference in any replication"
    like = point if point is not None else max(lo, hi, key=abs)
    if lo > 0 or hi < 0:
        small, big = sorted((abs(lo), abs(hi)))
        way = direction(hi if hi < 0 else lo, unit)
        return f"between {amount(small, unit, like).split(' ')[0] if unit != 'GBP' else money(small)} and " \
               f"{amount(big, unit, like)} {way}"
    return (f"between {_way(lo, unit, like)} and {_way(hi, unit, like)}: not a clear difference")


def _way(v: float, unit: str, like: float | None = None) -> str:
    """'0.5 weeks shorter'; a value that rounds to zero without a direction ('0.0 percentage points', not '0.0
    percentage points lower' for -0.03)."""
    a = amount(v, unit, like)
    return f"{a} {direction(v, unit)}" if re.search(r"[1-9]", a) else a


def clear(m: dict[str, Any]) -> bool:
    lo, hi = (m.get("diff_ci95") or [None, None])[:2]
    return m.get("diff") is not None and lo is not None and hi is not None and not lo <= 0 <= hi


def _keys(pair: dict[str, Any]) -> tuple[str, str]:
    a, b = pair["rules"]
    return (a, b) if a != b else ("a", "b")


def small(key: str, metrics: dict[str, Any], ka: str, kb: str) -> bool:
    """An effect on small numbers: a count under SMALL_COUNT a run under both, or a share, a median or a mean of so
    few cases (new plans for the weeks to a plan and the % within 20 weeks, disputes ended, appeals)."""
    base = key
    if unit_of(key) == "percent" or key.startswith(tuple(OF_CASES)):
        base = next((den for pre, den in (DENOMINATOR | OF_CASES).items() if key.startswith(pre)), "")
        if not base:
            return False
    elif unit_of(key) != "count":
        return False
    m = metrics.get(base) or {}
    vals = [(m.get(k) or {}).get("mean") for k in (ka, kb)]
    vals = [v for v in vals if v is not None]
    return bool(vals) and max(vals) < SMALL_COUNT


def effect_sentence(key: str, m: dict[str, Any], ka: str, kb: str, sa: str, sb: str, years: float,
                    small_numbers: bool = False) -> str:
    """'Weeks from request to final plan (median): 31.2 weeks under Current law, 29.0 weeks under Green Paper,
    2.2 weeks shorter (95% interval: between 1.2 and 3.4 weeks shorter).'"""
    unit = unit_of(key)
    va, vb = (m.get(ka) or {}).get("mean"), (m.get(kb) or {}).get("mean")
    d = m.get("diff")
    lo, hi = (m.get("diff_ci95") or [None, None])[:2]
    when = f" over the {years:.1f} years" if unit in ("count", "GBP") and not key.endswith("_end") else ""
    like = shared_like(va, vb)  # both means at one precision
    head = f"{metric_label(key)}: {number(va, unit, like)} under {sa}, {number(vb, unit, like)} under {sb}{when}"
    if d is None:
        text = f"{head} (no difference can be computed)."
    elif d == 0 and lo == hi == 0:
        text = f"{head}: the same under both."
    else:
        size = _way(d, unit, d) if re.search(r"[1-9]", amount(d, unit, d)) else \
            "no difference at the precision shown"
        text = f"{head}: {size} (95% interval: {interval_words(lo, hi, unit, d)})."
    if small_numbers:
        text += " Small numbers (under 20 a run): read with care."
    return text


def _pair_sections(results: Results, pair: dict[str, Any], sa: str, sb: str) -> list[dict[str, Any]]:
    ka, kb = _keys(pair)
    metrics = pair["metrics"]
    out = []
    for s, title in enumerate(SECTIONS):
        items: list[str] = []
        if s == 2:
            items = loss_sentences(results, pair, sa, sb)
        else:
            keys = [k for k in metrics if section_of(k) == s]
            always = [k for k in ALWAYS.get(s, ()) if k in metrics]
            chosen = always + [k for k in keys if k not in always and clear(metrics[k])]
            more = 0
            if len(chosen) > REST_SHOWN:
                more, chosen = len(chosen) - REST_SHOWN, chosen[:REST_SHOWN]
            items = [effect_sentence(k, metrics[k], ka, kb, sa, sb, results.years, small(k, metrics, ka, kb))
                     for k in chosen]
            if s == 3:
                items += unbooked_payers(metrics, ka, kb)
            if more:
                items.append(f"And {more} more clear {'difference' if more == 1 else 'differences'} of this kind: "
                             "see \"Every measure\".")
        out.append({"title": title, "items": items})
    return out


def date_words(iso: Any) -> str:
    """'2030-09-01' as a reader says it: '1 September 2030' (anything else as given)."""
    try:
        d = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{d.day} {d:%B %Y}"


def nothing_in_force_words(comp: dict[str, Any]) -> str:
    """The comparison's "nothing in force" sentence as a reader says it ('' when something is in force).

    Why not the comparison file's own sentence: that one names the switch by its code, gives ISO dates and a
    command-line flag (`--until`), which mean nothing on the forum page or in the report. The same facts, from the
    same fields: the first change dated after the run's end (earliest date, then name, as the file's sentence picks
    it), its in-force date, and the horizon that shows it (three years after that date, at 31 December)."""
    if not comp.get("nothing_in_force"):
        return ""
    try:
        end = dt.date.fromisoformat(str(comp["end_date"]))
        later = {k: dt.date.fromisoformat(str(v)) for k, v in (comp.get("switch_dates") or {}).items()}
    except (KeyError, ValueError):
        return plain(comp["nothing_in_force"])  # an older comparison file: its own sentence, code names made plain
    later = {k: d for k, d in later.items() if d > end}
    if not later:
        return plain(comp["nothing_in_force"])
    name, first = min(later.items(), key=lambda kv: (kv[1], kv[0]))
    horizon = dt.date(first.year + 3, 12, 31)
    return (f"Nothing that changed is in force within the years run (to {date_words(end.isoformat())}): the first "
            f"change, {switch_label(name)}, comes into force on {date_words(first.isoformat())}. A run to "
            f"{date_words(horizon.isoformat())} would show it; until then the two rule sets run the same law and "
            "every difference is zero.")


def in_force_sentences(comp: dict[str, Any]) -> list[str]:
    """Each change's in-force date beside it, in words: 'Tiered support plans: in force from 1 September 2030'; a
    change no one has dated, modelled from the first day of the run (the Green Paper's, or `--from-start`), said
    so, as the web page's form says it, not as if that day were its date."""
    out = []
    for r in comp.get("in_force") or []:
        when = r.get("in_force")
        later = (comp.get("switch_dates") or {}).get(r["switch"])
        hypothetical = "hypothetical" in str(r.get("source") or "") and when == comp.get("start_date")
        out.append(f"{switch_label(r['switch'])}: " + (
            f"modelled from the first day of the run, {date_words(when)} (a hypothetical: not a date anyone "
            "proposed)" if when and hypothetical else
            f"in force from {date_words(when)}" if when else
            f"in force from {date_words(later)}, after the run's end ({date_words(comp.get('end_date'))})" if later else
            f"not in force within the run (to {date_words(comp.get('end_date'))})"))
    return out


def _unit(key: str) -> str:
    return "% a year" if key.endswith("_pct_per_year") else " years" if key.endswith("_years") else ""


def projection_sentences(report: dict[str, Any], limit: int = 10) -> list[str]:
    """The projection past the last year with figures in a reader's words: each assumption by what it is, its value
    with its unit, whether it is assumed, and its range; never the parameter's code name (the command line's
    `describe` keeps those for an analyst)."""
    lines = [plain(f"Projection beyond {report['last_data_year']}: {report['name']} ({report['description']})")]
    for a in report.get("assumptions", []):
        why = plain(a.get("source") or a.get("assumption") or "").strip()
        why = re.sub(r"not in \.\./[\w/.-]+", "no source found", why)
        u = _unit(str(a["parameter"]))
        rng = a.get("range")
        kind = "assumed" if a.get("assumption") and not a.get("source") else "from the data"
        lines.append(f"{why[:1].upper()}{why[1:]}: {a['value']:g}{u} ({kind}"
                     + (f"; range {rng[0]:g} to {rng[1]:g}{u}" if rng else "") + ")")
    for _k, why in (report.get("held") or {}).items():
        w = plain(why).strip()
        lines.append(w[:1].upper() + w[1:])
    warnings = report.get("warnings") or []
    lines += [f"Warning: {plain(w)}" for w in warnings[:limit]]
    if len(warnings) > limit:
        lines.append(f"Warning: and {len(warnings) - limit} more values outside their stated ranges")
    return lines


def unbooked_payers(metrics: dict[str, Any], ka: str, kb: str) -> list[str]:
    """'No costed item is booked to social care under either rule set' (instead of '£0k')."""
    out = []
    for k, m in metrics.items():
        if k.startswith("cost_") and k not in ("cost_total_gbp", "cost_per_child_gbp"):
            vals = [(m.get(x) or {}).get("mean") for x in (ka, kb)]
            if all(v in (0, 0.0, None) for v in vals):
                who = metric_label(k).replace("Cost to ", "")
                out.append(f"No costed item is booked to {who} under either rule set: the model has no unit cost "
                           "for that payer, so this is not a saving.")
    return out


def loss_sentences(results: Results, pair: dict[str, Any], sa: str, sb: str) -> list[str]:
    """The clear differences within each family redress-capacity group (low first) among the ways a family loses."""
    groups = (pair.get("by_group") or {}).get("redress_capacity") or {}
    ka, kb = _keys(pair)
    out = []
    for cap in ("low", "medium", "high"):
        ms = groups.get(cap) or {}
        keys = [k for k in LOSS_KEYS if k in ms] + [k for k in ms if "gave_up" in k and k not in LOSS_KEYS]
        for k in keys:
            if clear(ms[k]):
                text = effect_sentence(k, ms[k], ka, kb, sa, sb, results.years, small(k, ms, ka, kb))
                out.append(f"Families with {CAPACITY_WORDS.get(cap, cap)} capacity: {text[0].lower()}{text[1:]}")
    if not out and groups:
        out.append("Within each group of families (low, medium, high capacity), no difference in these outcomes is "
                   "clear: every 95% interval includes no difference.")
    return out


def group_sentences(results: Results, n: int = 3) -> list[str]:
    """The who-loses sentences of the first comparison (at most `n`); [] for a run."""
    if results.comparison is None:
        return []
    ra, rb = results.runs[0], results.runs[1]
    got = loss_sentences(results, results.comparison, rule_set_short(ra.name, ra.label),
                         rule_set_short(rb.name, rb.label))
    return [g for g in got if g.startswith("Families with")][:n]


def summary(results: Results) -> dict[str, Any]:
    """{"compared": sentence, "contrasts": [{"title", "sections": [{"title", "items"}]}], "assumptions": rows,
    "no_clear_difference": bool} for a comparison; a run has "effects" (its headline figures) instead."""
    r0 = results.runs[0]
    s = r0.summary
    from .names import place

    what = (f"{place(r0)}, {date_words(s['start_date'])} to {date_words(s['end_date'])} ({results.years:.1f} years), "
            f"{s['replications']} runs of every child")
    if results.comparison is None:
        keys = ("weeks_to_final_plan_median", "weeks_to_provision_median", "within_20_weeks_pct", "requests",
                "appeals_registered", "cost_total_gbp")
        lines = []
        for k in keys:
            m = s["metrics"].get(k)
            if m and m["mean"] is not None:
                lo, hi = m["ci95"]
                like = m["mean"]
                ci = f" (95% interval {number(lo, unit_of(k), like)} to {number(hi, unit_of(k), like)})" \
                    if lo is not None else ""
                lines.append(f"{metric_label(k)}: {number(m['mean'], unit_of(k), like)}{ci}.")
        return {"compared": f"One rule set, {rule_set_short(r0.name, r0.label)}, in {what}.", "effects": lines,
                "no_clear_difference": False, "assumptions": [], "contrasts": []}
    base = rule_set_short(r0.name, r0.label)
    nothing = nothing_in_force_words(results.comparison or {}) or None
    contrasts = []
    any_clear = False
    for i, pair in enumerate(results.comparisons or [results.comparison], start=1):
        rb = results.runs[i]
        sb = rule_set_short(rb.name, rb.label)
        contrasts.append({"title": f"{sb} against {base}", "sections": _pair_sections(results, pair, base, sb)})
        any_clear |= any(clear(m) for m in pair["metrics"].values())
    seen, assumptions = set(), []
    for pair in results.comparisons or [results.comparison]:
        for r in pair["what_changed"]:
            if r.get("assumption") and r["parameter"] not in seen:
                seen.add(r["parameter"])
                assumptions.append(r)
    others = ", ".join(rule_set_short(r.name, r.label) for r in results.runs[1:])
    return {"compared": f"{others} against {base}, in {what}. The same children meet the same chance events under "
                        "each rule set, so each difference comes from the rules, not from luck.",
            "contrasts": contrasts, "no_clear_difference": not any_clear and not nothing,
            "nothing_in_force": nothing, "in_force": in_force_sentences(results.comparison or {}),
            "assumptions": assumptions, "groups": group_sentences(results), "effects": []}
