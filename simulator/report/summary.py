"""The plain-language summary of a run or a comparison: what was compared, the largest clear effects in words with
their intervals, and the assumptions they rest on.

Why words: a consultation writer or a forum volunteer quotes a sentence, not a table of 40 metrics. The effects
chosen are the three largest relative to the baseline among those whose paired 95% interval excludes 0
(`analysis.runs.results.largest_effects`); when none does, the summary says there is no clear difference, except
when nothing that changed is in force within the run: then it says exactly that, and which horizon would show it.
"""

from __future__ import annotations

from typing import Any

from ..analysis.runs.results import Results, label_of, largest_effects, unit_of


def number(v: float | None, unit: str) -> str:
    """A value as a reader says it: £ in thousands or millions, percentages with one decimal, weeks to one."""
    if v is None:
        return "not available"
    if unit == "GBP":
        a = abs(v)
        if a >= 1e6:
            return f"£{v / 1e6:,.1f} million"
        if a >= 1e3:
            return f"£{v / 1e3:,.0f} thousand"
        return f"£{v:,.0f}"
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "weeks":
        return f"{v:.1f} weeks"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"


def _amount(v: float, unit: str) -> str:
    """The size of a difference, without its sign."""
    a = abs(v)
    if unit == "percent":
        return f"{a:.1f} percentage points"
    return number(a, unit)


def _direction(v: float, unit: str) -> str:
    if unit == "count":
        return "fewer" if v < 0 else "more"
    if unit == "weeks":
        return "shorter" if v < 0 else "longer"
    if unit == "GBP":
        return "less" if v < 0 else "more"
    return "lower" if v < 0 else "higher"


def effect_sentence(e: dict[str, Any], a: str, b: str, label_a: str, label_b: str, years: float) -> str:
    """'Appeals registered: 76 under current law, 19 under the reform: 57 fewer (95% interval 50 to 64 fewer)'."""
    unit = unit_of(e["metric"])
    d, (lo, hi) = e["diff"], e["diff_ci95"]
    way = _direction(d, unit)
    span = f"{_amount(lo, unit)} to {_amount(hi, unit)}" if abs(lo) <= abs(hi) else \
        f"{_amount(hi, unit)} to {_amount(lo, unit)}"
    when = f" over the {years:.1f} years" if unit in ("count", "GBP") and not e["metric"].endswith("_end") else ""
    rel = f", {abs(e['relative']) * 100:.0f}% {'lower' if d < 0 else 'higher'} than under {label_a}" \
        if unit != "percent" else ""
    return (f"{label_of(e['metric'])}: {number(e[a]['mean'], unit)} under {label_a}, "
            f"{number(e[b]['mean'], unit)} under {label_b}{when}: {_amount(d, unit)} {way} "
            f"(95% interval {span} {way}){rel}.")


GROUP_METRICS = ("within_20_weeks_pct", "weeks_to_final_plan_median", "weeks_dispute_to_remedy_median",
                 "appeals_registered")  # the outcomes compared within each family redress capacity group


def group_sentences(results: Results, n: int = 3) -> list[str]:
    """The `n` largest clear differences within a redress-capacity group (relative to that group's baseline mean,
    among those whose paired 95% interval excludes 0), in words; [] for a run or when none is clear."""
    comp = results.comparison
    if comp is None:
        return []
    groups = comp.get("by_group", {}).get("redress_capacity") or {}
    a, b = comp["rules"]
    ka, kb = (a, b) if a != b else ("a", "b")
    found = []
    for c, ms in groups.items():
        for key in GROUP_METRICS:
            m = ms.get(key) or {}
            lo, hi = (m.get("diff_ci95") or [None, None])[:2]
            base = (m.get(ka) or {}).get("mean")
            if m.get("diff") is None or lo is None or hi is None or not base or lo <= 0 <= hi:
                continue
            found.append((-abs(m["diff"] / base), c, key, {**m, "metric": key, "relative": m["diff"] / abs(base)}))
    found.sort(key=lambda t: t[:3])
    ra, rb = results.runs
    out = []
    for _r, c, _k, m in found[:n]:
        text = effect_sentence(m, ka, kb, ra.label, rb.label, results.years)
        out.append(f"Families with {c} redress capacity: {text[0].lower()}{text[1:]}")
    return out


def in_force_sentences(comp: dict[str, Any]) -> list[str]:
    """Each change's in-force date beside it, in words: 'tiered_support_plans: in force from 2030-09-01'."""
    out = []
    for r in comp.get("in_force") or []:
        when = r.get("in_force")
        later = (comp.get("switch_dates") or {}).get(r["switch"])
        out.append(f"{r['switch']} ({r['rules']}): " + (f"in force from {when}" if when else
                                                       f"in force from {later}, after the run's end "
                                                       f"({comp.get('end_date')})" if later else
                                                       f"not in force within the run (to {comp.get('end_date')})"))
    return out


def summary(results: Results) -> dict[str, Any]:
    """{"compared": sentence, "effects": [sentences] or [], "no_clear_difference": bool, "assumptions": rows,
    "groups": [sentences on the largest clear differences within a family redress capacity group]}."""
    r0 = results.runs[0]
    s = r0.summary
    what = (f"{r0.scenario}, {s['start_date']} to {s['end_date']} ({results.years:.1f} years), "
            f"{s['replications']} replications, seed {s['seed']}")
    if results.comparison is None:
        keys = ("requests", "within_20_weeks_pct", "weeks_to_final_plan_median", "appeals_registered",
                "cost_total_gbp")
        lines = []
        for k in keys:
            m = s["metrics"].get(k)
            if m and m["mean"] is not None:
                lo, hi = m["ci95"]
                ci = f" (95% interval {number(lo, unit_of(k))} to {number(hi, unit_of(k))})" if lo is not None else ""
                lines.append(f"{label_of(k)}: {number(m['mean'], unit_of(k))}{ci}.")
        return {"compared": f"One rule set, {r0.label}, on {what}.", "effects": lines, "no_clear_difference": False,
                "assumptions": []}
    comp = results.comparison
    a, b = comp["rules"]
    ka, kb = (a, b) if a != b else ("a", "b")
    ra, rb = results.runs
    effects = [effect_sentence(e, ka, kb, ra.label, rb.label, results.years) for e in largest_effects(comp)]
    assumptions = [r for r in comp["what_changed"] if r.get("assumption")]
    nothing = comp.get("nothing_in_force")
    return {"compared": f"{rb.label} against {ra.label} (the baseline), on {what}; the same children and the same "
                        "random draws under both, so each difference is paired replication by replication.",
            "effects": effects, "no_clear_difference": not effects and not nothing, "nothing_in_force": nothing,
            "in_force": in_force_sentences(comp), "assumptions": assumptions,
            "groups": group_sentences(results),
            "changed": len(comp["what_changed"])}
