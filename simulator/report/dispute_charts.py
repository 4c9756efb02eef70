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

from ..analysis.runs.results import Results, label_of
from ..schema.vocabulary import APPEAL_TYPES
from .style import OKABE_ITO, SERIES, Chart, new_figure
from .summary import GROUP_METRICS

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
    fig = new_figure(1.9 + 0.22 * len(keys) * len(results.runs) + 1.0, note)
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
                label=textwrap.fill(run.label, 48))
        ax.errorbar(vals[ok, 0], yy[ok], xerr=[vals[ok, 0] - vals[ok, 1], vals[ok, 2] - vals[ok, 0]], fmt="none",
                    ecolor="#333333", elinewidth=0.8, capsize=2)
        for yv, good in zip(yy, ok, strict=True):
            if not good:
                ax.text(0.3, yv, "no dispute of this kind ended", va="center", fontsize=6, color="#555555")
        rows += [{"measure": key, "label": lab, "rule_set": run.name, "rule_set_label": run.label,
                  "mean_weeks": None if np.isnan(v[0]) else v[0], "ci95_low": None if np.isnan(v[1]) else v[1],
                  "ci95_high": None if np.isnan(v[2]) else v[2]} for (key, lab), v in zip(keys, vals, strict=True)]
    ax.set_yticks(y, [lab for _k, lab in keys])
    ax.set_xlim(0, max(np.nanmax([r["ci95_high"] or 0 for r in rows] + [10.0]) * 1.1, 10.0))
    ax.set_xlabel("weeks from the disputed decision")
    ax.set_title("Weeks from a disputed decision: to its end, a remedy, the tribunal", loc="left")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    fig.legend(loc="outside upper center", ncols=min(2, k), frameon=False)
    return Chart("dispute-to-end", "Weeks from a disputed decision to its end, to a remedy, and to the tribunal", fig,
                 rows)


def mediation_chart(results: Results, note: str) -> Chart:
    """How mediations end under each rule set: stacked shares of those held (mean over replications)."""
    fig = new_figure(3.2, note)
    ax = fig.subplots()
    rows: list[dict[str, Any]] = []
    names = [textwrap.fill(r.label, 34) for r in results.runs]
    y = np.arange(len(results.runs))[::-1].astype(float)
    left = np.zeros(len(results.runs))
    for key, lab, colour in MEDIATION:
        vals = np.array([_m(run.summary, key)[0] for run in results.runs])
        vals = np.nan_to_num(vals)
        ax.barh(y, vals, left=left, height=0.55, color=colour, edgecolor="white", linewidth=0.6, label=lab)
        for v, x0, yv in zip(vals, left, y, strict=True):
            if v >= 7:
                ax.text(x0 + v / 2, yv, f"{v:.0f}%", ha="center", va="center", fontsize=7,
                        color="white" if colour in (OKABE_ITO[5], OKABE_ITO[2]) else "black")
        rows += [{"outcome": key, "label": lab, "rule_set": run.name, "rule_set_label": run.label,
                  "mean_pct": float(v), "mediations": _m(run.summary, "mediations")[0]}
                 for run, v in zip(results.runs, vals, strict=True)]
        left = left + vals
    held = [_m(run.summary, "mediations")[0] for run in results.runs]
    ax.set_yticks(y, [f"{n}\n({h:,.0f} mediations)" if not np.isnan(h) else n for n, h in zip(names, held,
                                                                                               strict=True)])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of mediations held")
    ax.set_title("How mediations end", loc="left")
    fig.legend(loc="outside upper center", ncols=2, frameon=False)
    return Chart("mediation-outcomes", "How mediations end", fig, rows)


def group_chart(results: Results, note: str) -> Chart | None:
    """The paired difference (reform minus baseline) for families of low, medium and high redress capacity, with
    its 95% interval; None for a single run (nothing paired)."""
    comp = results.comparison
    groups = (comp or {}).get("by_group", {}).get("redress_capacity")
    if not groups:
        return None
    caps = [c for c in CAPACITY_NAMES if c in groups]
    fig = new_figure(3.6, note)
    axes = fig.subplots(1, len(GROUP_METRICS), sharey=True)
    rows: list[dict[str, Any]] = []
    y = np.arange(len(caps))[::-1].astype(float)
    for ax, key in zip(axes, GROUP_METRICS, strict=True):
        for yy, c in zip(y, caps, strict=True):
            m = groups[c].get(key) or {}
            d = m.get("diff")
            lo, hi = (m.get("diff_ci95") or [None, None])[:2]
            rows.append({"metric": key, "label": label_of(key), "redress_capacity": c, "diff": d,
                         "diff_ci95_low": lo, "diff_ci95_high": hi})
            if d is None:
                ax.text(0, yy, "n/a", ha="center", va="center", fontsize=6.5, color="#555555")
                continue
            clear = lo is not None and hi is not None and not lo <= 0 <= hi
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [yy, yy], color="#333333", linewidth=1.2)
            ax.plot([d], [yy], marker="o", markersize=5, color=SERIES[1] if clear else "#999999",
                    markeredgecolor="#333333", linestyle="none")
        ax.axvline(0, color="#000000", linewidth=0.8)
        ax.set_title(textwrap.fill(label_of(key), 22), loc="left", fontsize=7.5)
        unit = {"within_20_weeks_pct": "points", "appeals_registered": "appeals"}.get(key, "weeks")
        ax.set_xlabel(f"difference ({unit})", fontsize=7.5)
        ax.margins(x=0.25)
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    axes[0].set_yticks(y, [CAPACITY_NAMES[c] for c in caps])
    axes[0].set_ylabel("family redress capacity")
    axes[0].set_ylim(-0.6, len(caps) - 0.4)
    ra, rb = results.runs
    fig.suptitle(textwrap.fill(f"{rb.label} minus {ra.label}", 110) + "\nPaired difference by the family's "
                 "capacity to seek redress, with its 95% interval (orange: the interval excludes 0)", fontsize=8)
    return Chart("differences-by-capacity", "Differences by family redress capacity", fig, rows)
