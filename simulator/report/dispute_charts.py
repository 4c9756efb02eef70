"""Charts of the reform mechanisms' measures: disputes to their end, mediation outcomes, and outcomes by family.

Drawn from the summaries a run or a comparison wrote (`summary.json`'s metrics, `compare.json`'s `by_group`), in
the house style of `style.py`: the rule sets by their display names, 95% intervals, source and assumptions in a
plain-text footnote, the data behind each chart as its `rows` (saved as CSV). Kept apart from `charts.py` so each
module stays under 400 lines.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from ..analysis.runs.results import Results, label_of, unit_of
from ..schema.vocabulary import APPEAL_TYPES
from .names import comparison_words, rule_set_long, rule_set_short
from .style import OKABE_ITO, SERIES, Chart, heading, new_figure, outside_legend
from .summary import GROUP_METRICS

RESOLUTION = ("End: the dispute ends in any way (an agreement of any kind, the council conceding, the family "
              "withdrawing or giving up, or a tribunal decision); remedy: an outcome in the family's favour or "
              "partly (agreement, concession, order) only; weeks counted from the council's decision the family "
              "disputes.")

DISPUTE_TYPES = {"refusal_to_assess": "Refusal to assess", "refusal_to_issue": "Refusal to issue a plan",
                 "contents": "Plan's contents", "placement": "Placement (setting named)",
                 "cessation": "Plan ceased"}
MEDIATION = (("mediation_for_family_pct", "Agreement for the family", OKABE_ITO[2]),
             ("mediation_partial_pct", "Partial agreement", OKABE_ITO[1]),
             ("mediation_family_accepts_pct", "Family accepts the LA's position", OKABE_ITO[0]),
             ("mediation_not_settled_pct", "Not settled", OKABE_ITO[5]))
CAPACITY_NAMES = {"low": "Low", "medium": "Medium", "high": "High"}


def _m(summary: dict[str, Any], key: str) -> tuple[float, float, float]:
    m = summary["metrics"].get(key) or {}
    mean = m.get("mean")
    lo, hi = (m.get("ci95") or [None, None])[:2]
    f = (lambda v: np.nan if v is None else float(v))  # noqa: E731
    return f(mean), f(lo if lo is not None else mean), f(hi if hi is not None else mean)


def dispute_chart(results: Results, note: str) -> Chart:
    """Weeks from a disputed decision to its end (every ending, giving up included), to an outcome in the family's
    favour, and along the tribunal path (to the appeal, then to the decision), all disputes and by type."""
    keys = [("weeks_dispute_to_end_median", "Every ending, giving up included (median)"),
            ("weeks_dispute_to_end_mean", "Every ending, giving up included (mean)"),
            ("weeks_dispute_to_end_p90", "Every ending, giving up included (90th percentile)"),
            ("weeks_dispute_to_remedy_median", "To an outcome in the family's favour (median)"),
            ("weeks_dispute_to_appeal_lodged_median", "To the appeal being lodged (median)"),
            ("weeks_appeal_to_decision_median", "Appeal lodged to the tribunal's decision (median)"),
            ("weeks_dispute_to_tribunal_decision_median", "To the tribunal's decision (median)")]
    keys += [(f"weeks_dispute_to_end_median_{t}", DISPUTE_TYPES.get(t, t) + ", every ending (median)")
             for t in APPEAL_TYPES if f"weeks_dispute_to_end_median_{t}" in results.runs[0].summary["metrics"]]
    fig = new_figure(2.2 + 0.24 * len(keys) * len(results.runs) + 1.0, RESOLUTION + " " + note)
    ax = fig.subplots()
    k = len(results.runs)
    h = 0.8 / k
    y = np.arange(len(keys))[::-1].astype(float)
    rows: list[dict[str, Any]] = []
    for i, run in enumerate(results.runs):
        vals = np.array([_m(run.summary, key) for key, _l in keys])
        yy = y + (k - 1) / 2 * h - i * h
        ok = ~np.isnan(vals[:, 0])
        ax.barh(yy[ok], vals[ok, 0], height=h * 0.9, color=SERIES[i % len(SERIES)],
                label=textwrap.fill(rule_set_short(run.name, run.label), 48))
        ax.errorbar(vals[ok, 0], yy[ok], xerr=[vals[ok, 0] - vals[ok, 1], vals[ok, 2] - vals[ok, 0]], fmt="none",
                    ecolor="#333333", elinewidth=0.8, capsize=2)
        for yv, good in zip(yy, ok, strict=True):
            if not good:
                ax.text(0.3, yv, "no dispute of this kind ended", va="center", fontsize=8, color="#444444")
        rows += [{"measure": key, "label": lab, "rule_set": run.name, "rule_set_label": rule_set_long(run),
                  "mean_weeks": None if np.isnan(v[0]) else v[0], "ci95_low": None if np.isnan(v[1]) else v[1],
                  "ci95_high": None if np.isnan(v[2]) else v[2]} for (key, lab), v in zip(keys, vals, strict=True)]
    ax.set_yticks(y, [lab for _k, lab in keys])
    ax.set_xlim(0, max(np.nanmax([r["ci95_high"] or 0 for r in rows] + [10.0]) * 1.1, 10.0))
    ax.set_xlabel("weeks from the disputed decision")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
    heading(fig, f"Weeks from a disputed decision: to its end (in any way, giving up included), to a remedy, and "
                 f"along the tribunal path. {comparison_words(results)}")
    alt = ("Horizontal bars: weeks from a disputed decision to its end (median, mean, 90th centile), to an outcome in "
           "the family's favour, to the appeal being lodged, from the appeal to the decision, and by the type of "
           "decision disputed, one bar per rule set, with 95% intervals.")
    return Chart("dispute-to-end", "Weeks from a disputed decision to its end, to a remedy, and to the tribunal", fig,
                 rows, alt)


def mediation_chart(results: Results, note: str) -> Chart:
    """How mediations end under each rule set: stacked shares of those held (mean over replications)."""
    fig = new_figure(2.0 + 0.75 * len(results.runs), note)
    ax = fig.subplots()
    rows: list[dict[str, Any]] = []
    names = [textwrap.fill(rule_set_short(r.name, r.label), 30) for r in results.runs]
    y = np.arange(len(results.runs))[::-1].astype(float)
    left = np.zeros(len(results.runs))
    for key, lab, colour in MEDIATION:
        vals = np.array([_m(run.summary, key)[0] for run in results.runs])
        vals = np.nan_to_num(vals)
        ax.barh(y, vals, left=left, height=0.55, color=colour, edgecolor="white", linewidth=0.6, label=lab)
        for v, x0, yv in zip(vals, left, y, strict=True):
            if v >= 7:
                ax.text(x0 + v / 2, yv, f"{v:.0f}%", ha="center", va="center", fontsize=8,
                        color="white" if colour in (OKABE_ITO[5], OKABE_ITO[2]) else "black")
        rows += [{"outcome": key, "label": lab, "rule_set": run.name, "rule_set_label": rule_set_long(run),
                  "mean_pct": float(v), "mediations": _m(run.summary, "mediations")[0]}
                 for run, v in zip(results.runs, vals, strict=True)]
        left = left + vals
    held = [_m(run.summary, "mediations")[0] for run in results.runs]
    ax.set_yticks(y, [f"{n}\n({h:,.0f} mediations)" if not np.isnan(h) else n for n, h in zip(names, held,
                                                                                               strict=True)])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of mediations held")
    outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
    heading(fig, f"How mediations end. {comparison_words(results)}")
    alt = ("Stacked bars, one per rule set: the shares of mediations ending in agreement for the family, partial "
           "agreement, the family accepting the council's position, and not settled.")
    return Chart("mediation-outcomes", "How mediations end", fig, rows, alt)


def _per_100(m: dict[str, Any], requests: float | None, key: str) -> tuple[Any, Any, Any]:
    """A count's paired difference as a rate per 100 requests of the group (groups differ in size); other units
    as they are."""
    d = m.get("diff")
    lo, hi = (m.get("diff_ci95") or [None, None])[:2]
    if unit_of(key) != "count":
        return d, lo, hi
    if not requests:
        return None, None, None
    f = 100.0 / requests
    return (None if d is None else d * f), (None if lo is None else lo * f), (None if hi is None else hi * f)


def group_chart(results: Results, note: str) -> Chart | None:
    """The paired difference (each rule set minus the baseline) for families of low, medium and high redress
    capacity, with its 95% interval: counts per 100 requests of the group; a clear difference (interval excluding
    0) drawn as a filled marker, an unclear one hollow, so colour is never the only sign. None for a single run."""
    pairs = [p for p in (results.comparisons or ([results.comparison] if results.comparison else []))
             if (p.get("by_group") or {}).get("redress_capacity")]
    if not pairs:
        return None
    groups0 = pairs[0]["by_group"]["redress_capacity"]
    caps = [c for c in CAPACITY_NAMES if c in groups0]
    fig = new_figure(3.9 + 0.3 * (len(pairs) - 1), note + " Filled marker: a clear difference (its 95% interval "
                     "excludes zero); hollow: not clear.")
    axes = fig.subplots(1, len(GROUP_METRICS), sharey=True)
    rows: list[dict[str, Any]] = []
    y = np.arange(len(caps))[::-1].astype(float)
    n = len(pairs)
    off = [(n - 1) / 2 * 0.25 - i * 0.25 for i in range(n)]
    r0 = results.runs[0]
    for ax, key in zip(axes, GROUP_METRICS, strict=True):
        for pi, pair in enumerate(pairs):
            a, _b = pair["rules"]
            ka = a if pair["rules"][0] != pair["rules"][1] else "a"
            run = results.runs[pi + 1]
            colour = SERIES[(pi + 1) % len(SERIES)]
            for yy, c in zip(y, caps, strict=True):
                ms = pair["by_group"]["redress_capacity"].get(c) or {}
                m = ms.get(key) or {}
                req = ((ms.get("requests") or {}).get(ka) or {}).get("mean")
                d, lo, hi = _per_100(m, req, key)
                rows.append({"metric": key, "label": label_of(key), "redress_capacity": c, "rule_set": run.name,
                             "rule_set_label": rule_set_long(run), "diff": m.get("diff"), "diff_ci95_low": (
                                 m.get("diff_ci95") or [None, None])[0], "diff_ci95_high": (
                                 m.get("diff_ci95") or [None, None])[1], "diff_per_100_requests": d})
                yv = yy + off[pi]
                if d is None:
                    ax.text(0, yv, "n/a", ha="center", va="center", fontsize=8, color="#444444")
                    continue
                clear = lo is not None and hi is not None and not lo <= 0 <= hi
                if lo is not None and hi is not None:
                    ax.plot([lo, hi], [yv, yv], color=colour, linewidth=1.4)
                ax.plot([d], [yv], marker="o", markersize=6, markerfacecolor=colour if clear else "white",
                        markeredgecolor=colour, markeredgewidth=1.5, linestyle="none",
                        label=(textwrap.fill(f"{rule_set_short(run.name, run.label)} minus "
                                             f"{rule_set_short(r0.name, r0.label)}", 50)
                               if key == GROUP_METRICS[0] and c == caps[0] else None))
        ax.axvline(0, color="#000000", linewidth=0.8)
        ax.set_title(textwrap.fill(label_of(key), 20), loc="left", fontsize=8.5)
        unit = {"percent": "percentage points", "count": "per 100 requests", "weeks": "weeks"}.get(unit_of(key), "")
        ax.set_xlabel(textwrap.fill(f"difference ({unit})", 18), fontsize=8.5)
        ax.margins(x=0.25)
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    axes[0].set_yticks(y, [CAPACITY_NAMES[c] for c in caps])
    axes[0].set_ylabel("family redress capacity")
    axes[0].set_ylim(-0.6, len(caps) - 0.4)
    outside_legend(fig, loc="outside upper center", ncols=min(2, n), frameon=False)
    heading(fig, f"Differences by the family's capacity to seek redress. {comparison_words(results)}")
    alt = ("Dot-and-whisker charts by family redress capacity (low, medium, high): the difference each rule set makes "
           "against the baseline in four outcomes, appeals per 100 requests; filled dots are clear differences.")
    return Chart("differences-by-capacity", "Differences by family redress capacity", fig, rows, alt)
