"""Charts of a run or a comparison, for consultation responses: drawn from the folder's results, never the engine.

Every chart has labelled axes with units (from the metric registry), the rule sets by their display names (each
rule set's `label`), the statutory line from the rule set where one applies, the source and the assumptions as a
plain-text footnote, and the data behind it (`Chart.rows`, saved as CSV). The house style is `style.py`; the
case-study timeline is `timeline.py`. Figures use matplotlib's object API only (no backend chosen at import).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.runs.results import (
    CAPACITIES,
    CAPACITY_OUTCOMES,
    Results,
    RunData,
    by_capacity,
    cumulative_share,
    label_of,
    over_time,
    unit_of,
    weeks_to,
)
from ..schema.vocabulary import PAYERS
from .names import comparison_words, money, place, plain, rule_set_long, rule_set_short
from .style import (
    SERIES,
    SOURCE,
    STATUTORY,
    Chart,
    clear_of_lines,
    clear_of_step_lines,
    house,
    new_figure,
    outside_legend,
    save,
)
from .style import heading as style_heading
from .summary import date_words

UNIT_AXIS = {"count": "number", "percent": "%", "weeks": "weeks", "GBP": "£ million"}
OVER_TIME = ("requests", "new_plans", "within_20_weeks_pct", "appeals_registered")
OFFICIAL = {"requests": "initial_requests_for_assessment", "new_plans": "new_plans_issued",
            "within_20_weeks_pct": "within_20_weeks_pct", "appeals_registered": "tribunal_appeals_registered_calendar"}


def official_figures(run: RunData) -> dict[str, dict[str, float]]:
    """{metric: {calendar year: the official figure}} from the targets file beside the run's scenario (DfE SEN2,
    MoJ), where one exists; {} otherwise (a folder moved to another machine still draws, without the points)."""
    import csv

    from ..schema.files import InputError, decode, read_bytes

    f = Path(str(run.manifest.get("scenario_file", ""))).parent / "targets" / f"{run.scenario}.csv"
    if not f.is_file():
        return {}
    try:
        text = decode(f, read_bytes(f))
    except (InputError, OSError):
        return {}
    want = {v: k for k, v in OFFICIAL.items()}
    out: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        key = want.get(row.get("metric", ""))
        if key and str(row.get("period", "")).isdigit():
            try:
                out.setdefault(key, {})[row["period"]] = float(row["value"])
            except (TypeError, ValueError):
                continue
    return out
PAYER_LABELS = {"la_high_needs": "LA high-needs budget", "la_general_fund": "LA general fund",
                "school_notional_sen": "Schools' notional SEN budgets",
                "integrated_care_board": "Integrated care boards", "social_care": "Social care",
                "tribunal_service": "Tribunal service", "family": "Families"}
CAPACITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}


def _legend_label(run: RunData, width: int = 44) -> str:
    return textwrap.fill(rule_set_short(run.name, run.label), width)


def heading(fig: Any, results: Results, what: str) -> None:
    """The chart's title: what it shows, then the place and the comparison."""
    style_heading(fig, f"{what}. {comparison_words(results)}")


def _what(results: Results) -> str:
    r0 = results.runs[0]
    s = r0.summary
    base = (f"{place(r0)}, {date_words(s['start_date'])} to {date_words(s['end_date'])}, {s['replications']} runs of "
            "every child")
    return base + ("; every rule set on the same children with the same chance events." if len(results.runs) > 1
                   else ".")


def _assumptions(results: Results) -> str:
    if results.comparison is None:
        return "Effect sizes of reforms are assumptions with ranges stated in the rule set files."
    rows = [r for pair in (results.comparisons or [results.comparison]) for r in pair["what_changed"]
            if r.get("assumption")]
    rows = list({r["parameter"]: r for r in rows}.values())
    if not rows:
        return "No assumed effect separates the two rule sets (only sourced parameters)."
    parts = [f"{r['label'] or 'a parameter'}: {plain(r['assumption'])}" for r in rows[:3]]
    more = f" (and {len(rows) - 3} more: see the report)" if len(rows) > 3 else ""
    return "Assumed effects: " + "; ".join(parts) + more + "."


def _note(results: Results, extra: str = "") -> str:
    return " ".join(x for x in (extra, _what(results), _assumptions(results), SOURCE) if x)


def _statutory_label(run: RunData) -> str:
    return f"{run.final_plan_weeks:g}-week limit ({run.final_plan_reference})"


def in_force_marks(results: Results) -> list[tuple[float, str]]:
    """Each distinct in-force date within a comparison's run, as a position on a calendar-year axis (the year's
    point at its middle) and as a date; [] for a run, or when nothing changed comes into force within it."""
    comp = results.comparison
    if comp is None or not comp.get("what_changed"):
        return []
    dates = sorted({r["in_force"] for r in comp.get("in_force") or [] if r.get("in_force")})
    out = []
    for d in dates:
        day = dt.date.fromisoformat(d)
        out.append((day.year - 0.5 + (day.timetuple().tm_yday - 1) / 365.25, d))
    return out


# ------------------------------------------------------------------------------------------------- the charts
def over_time_chart(results: Results) -> Chart:
    """Four headline metrics by calendar year under each rule set, with the 95% interval as a band."""
    years = {str(y) for y in range(int(results.runs[0].summary["start_date"][:4]),
                                   int(results.runs[0].summary["end_date"][:4]) + 1)}
    marks = in_force_marks(results)
    shade = (f" Grey: the reform's window, from its first in-force date ({date_words(marks[0][1])}); dotted lines: "
             f"each in-force date ({', '.join(date_words(d) for _x, d in marks)}); each year's point stands for the "
             "whole year.") if marks else ""
    fig = new_figure(5.6, _note(results, "Lines: mean over replications; bands: 95% confidence interval. "
                                         "Calendar years (January to December)." + shade))
    axes = fig.subplots(2, 2)
    rows: list[dict[str, Any]] = []
    official = official_figures(results.runs[0])
    placed: list[tuple[Any, Any, list[tuple[float, float, str, str, str]]]] = []  # the limit's label, its places
    for ax, metric in zip(axes.flat, OVER_TIME, strict=True):
        pts = sorted((int(p), v) for p, v in official.get(metric, {}).items() if p in years)
        if pts:
            ax.plot([p for p, _v in pts], [v for _p, v in pts], linestyle="none", marker="D", markersize=6,
                    markerfacecolor="white", markeredgecolor="#000000", markeredgewidth=1.3, zorder=5,
                    label="Official figure (DfE SEN2, MoJ)" if not any(
                        r.get("rule_set") == "official" for r in rows) else None)
            rows += [{"metric": metric, "label": label_of(metric), "unit": unit_of(metric), "rule_set": "official",
                      "rule_set_label": "Official figure", "year": str(p), "mean": v, "ci95_low": None,
                      "ci95_high": None} for p, v in pts]
        for i, run in enumerate(results.runs):
            pts = [(p, v) for p, v in over_time(run, metric) if p in years]
            if not pts:
                continue
            x = np.array([int(p) for p, _v in pts])
            m = np.array([v["mean"] for _p, v in pts], dtype=float)
            lo = np.array([v["ci95"][0] if v["ci95"][0] is not None else v["mean"] for _p, v in pts], dtype=float)
            hi = np.array([v["ci95"][1] if v["ci95"][1] is not None else v["mean"] for _p, v in pts], dtype=float)
            c = SERIES[i % len(SERIES)]
            ax.fill_between(x, lo, hi, color=c, alpha=0.18, linewidth=0)
            ax.plot(x, m, color=c, marker="o", markersize=4, linewidth=1.6,
                    label=_legend_label(run) if metric == OVER_TIME[0] else None)
            rows += [{"metric": metric, "label": label_of(metric), "unit": unit_of(metric), "rule_set": run.name,
                      "rule_set_label": rule_set_long(run), "year": p, "mean": v["mean"], "ci95_low": v["ci95"][0],
                      "ci95_high": v["ci95"][1]} for p, v in pts]
            ax.set_xticks(x, [str(v) for v in x], rotation=90 if len(x) > 6 else 0,
                          ha="center")
        if metric == "within_20_weeks_pct":
            ax.axhline(100, color=STATUTORY, linestyle="--", linewidth=1)
            words = "the law: every plan within the limit"
            two = "the law: every plan\nwithin the limit"
            foot = "dashed line: the law,\nevery plan within the limit"  # at the foot, away from its line
            limit = ax.text(0.02, 96, words, transform=ax.get_yaxis_transform(), fontsize=8, va="top",
                            color=STATUTORY)
            # under the line, left or right, on one line or two, wherever no in-force date or data line crosses it
            placed.append((ax, limit, [(0.02, 96, "left", "top", words), (0.02, 96, "left", "top", two),
                                       (0.98, 96, "right", "top", words), (0.98, 96, "right", "top", two),
                                       (0.02, 3, "left", "bottom", foot), (0.98, 3, "right", "bottom", foot)]))
            ax.set_ylim(0, 108)
        else:
            # room above the highest value drawn, an official diamond's included: the autoscaled top sat on it
            # (matplotlib's margin is 5% of the data's span, less than the marker), so its top half was cut off
            drawn = [v for r in rows if r["metric"] == metric
                     for v in (r["mean"], r["ci95_high"]) if v is not None and np.isfinite(v)]
            ax.set_ylim(0, max([ax.get_ylim()[1], *(v * 1.08 for v in drawn)]))
        ax.set_title(textwrap.fill(label_of(metric), 48), loc="left")
        ax.set_ylabel(UNIT_AXIS[unit_of(metric)])
        ax.set_xlabel("calendar year")
        ax.margins(x=0.15)
        if marks:  # each point stands for its calendar year: the year's span is [year - 0.5, year + 0.5]
            right = max(int(y) for y in years) + 0.5
            ax.axvspan(marks[0][0], right, color="#999999", alpha=0.15, linewidth=0, zorder=0)
            for x, _d in marks:
                ax.axvline(x, color=STATUTORY, linestyle=":", linewidth=1)
    outside_legend(fig, loc="outside upper center", ncols=min(2, len(results.runs)), frameon=False)
    heading(fig, results, "Headline figures by year")
    clear_of_lines(fig, placed)
    alt = (f"Four small charts by calendar year: requests, new plans, % of new plans within 20 weeks and appeals, "
           f"one line per rule set{' with the official figures as diamonds' if official else ''}"
           f"{'; the shaded span is when the reform is in force' if marks else ''}.")
    return Chart("by-year", "Headline figures by year", fig, rows, alt)


def weeks_chart(results: Results) -> Chart:
    """How many weeks new requests wait for a final plan and for provision: cumulative % by week, per rule set."""
    fig = new_figure(3.9, _note(results, "Every new request in the horizon counts in the denominator (refused, "
                                         "withdrawn and unfinished ones never reach the line's top). Pooled over "
                                         "replications."))
    axes = fig.subplots(1, 2, sharey=True)
    rows: list[dict[str, Any]] = []
    top = 0.0
    data = {}
    for what in ("final_plan", "provision"):
        for run in results.runs:
            w, n = weeks_to(run, what)
            data[(what, run.name)] = (w, n)
            if w.size:
                top = max(top, float(np.quantile(w, 0.95)))
    top = float(np.ceil(max(top, 30.0) / 10.0) * 10.0)
    grid = np.arange(0.0, top + 0.5, 1.0)
    titles = {"final_plan": "Weeks from request to final plan", "provision": "Weeks from request to provision "
                                                                              "in place"}
    labels: list[tuple[Any, Any, float]] = []  # (axes, the statutory limit's label, its place at the top)
    for ax, what in zip(axes, ("final_plan", "provision"), strict=True):
        for i, run in enumerate(results.runs):
            w, n = data[(what, run.name)]
            share = cumulative_share(w, n, grid)
            ax.step(grid, share, where="post", color=SERIES[i % len(SERIES)], linewidth=1.6,
                    label=_legend_label(run) if what == "final_plan" else None)
            rows += [{"measure": what, "rule_set": run.name, "rule_set_label": rule_set_long(run), "week": float(g),
                      "pct_of_new_requests_reached": round(float(s), 3), "new_requests": n}
                     for g, s in zip(grid, share, strict=True)]
        drawn: dict[float, RunData] = {}
        for run in results.runs:
            drawn.setdefault(run.final_plan_weeks, run)
        for k, (wk, run) in enumerate(sorted(drawn.items())):
            ax.axvline(wk, color=STATUTORY, linestyle="--", linewidth=1)
            if what == "final_plan":  # at the foot of the line; moved to the top below if the lines cross it
                labels.append((ax, ax.text(wk + 0.8, 4 + 11 * k, textwrap.fill(_statutory_label(run), 20), fontsize=8,
                                           color=STATUTORY, va="bottom"), 96 - 11 * k))
        ax.set_xlim(0, top)
        ax.set_ylim(0, 100)
        ax.set_title(titles[what], loc="left")
        ax.set_xlabel("weeks since the request")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes[0].set_ylabel("% of new requests\nreached by then")
    outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
    heading(fig, results, "Weeks to a final plan and to provision")
    clear_of_step_lines(fig, labels)
    alt = ("Two step charts: the share of new requests with a final plan, and with provision in place, by week "
           "since the request, one line per rule set, with the statutory limit as a dashed line.")
    return Chart("weeks-to-plan-and-provision", "Weeks to a final plan and to provision", fig, rows, alt)


def costs_chart(results: Results) -> Chart:
    """Costs booked to each payer over the whole horizon under each rule set (95% interval). A payer with no costed
    item under any rule set is named in the footnote ("no costed item"), not drawn as £0; each bar is labelled, so a
    small payer's cost can be read beside a large one's."""
    yrs = results.years
    ms0 = results.runs[0].summary["metrics"]
    present = [p for p in PAYERS if f"cost_{p}_gbp" in ms0]
    unbooked = [p for p in present if all(not (r.summary["metrics"].get(f"cost_{p}_gbp") or {}).get("mean")
                                          for r in results.runs)]
    payers = [p for p in present if p not in unbooked]
    none = (" No costed item is booked to " + ", ".join(PAYER_LABELS.get(p, p).lower() for p in unbooked)
            + " under any rule set (the model has no unit cost for them: not a saving).") if unbooked else ""
    fig = new_figure(2.9 + 0.34 * len(payers) * max(1, len(results.runs) - 1), _note(
        results, f"Totals over the whole horizon ({yrs:.1f} years), not per year: the rule set's unit costs of each "
                 "process step and yearly placement costs. Bars: mean; whiskers: 95% confidence interval." + none))
    ax = fig.subplots()
    k = len(results.runs)
    h = 0.8 / k
    rows: list[dict[str, Any]] = []
    y = np.arange(len(payers))[::-1].astype(float)
    for i, run in enumerate(results.runs):
        ms = [run.summary["metrics"][f"cost_{p}_gbp"] for p in payers]
        mean = np.array([m["mean"] or 0.0 for m in ms]) / 1e6
        lo = np.array([(m["ci95"][0] if m["ci95"][0] is not None else m["mean"] or 0.0) for m in ms]) / 1e6
        hi = np.array([(m["ci95"][1] if m["ci95"][1] is not None else m["mean"] or 0.0) for m in ms]) / 1e6
        yy = y + (k - 1) / 2 * h - i * h
        ax.barh(yy, mean, height=h * 0.9, color=SERIES[i % len(SERIES)], label=_legend_label(run))
        ax.errorbar(mean, yy, xerr=[mean - lo, hi - mean], fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
        for v, top, yv in zip(mean, hi, yy, strict=True):
            ax.text(top, yv, " " + money(v * 1e6), va="center", fontsize=8)
        rows += [{"payer": p, "payer_label": PAYER_LABELS.get(p, p), "rule_set": run.name,
                  "rule_set_label": rule_set_long(run), "mean_gbp": m["mean"], "ci95_low_gbp": m["ci95"][0],
                  "ci95_high_gbp": m["ci95"][1], "years": round(yrs, 3)} for p, m in zip(payers, ms, strict=True)]
    ax.set_yticks(y, [textwrap.fill(PAYER_LABELS.get(p, p), 22) for p in payers])
    ax.set_xlim(0, ax.get_xlim()[1] * 1.22)
    ax.set_xlabel(f"£ million over {yrs:.1f} years")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
    heading(fig, results, "Cost to each payer")
    alt = ("Horizontal bars: the cost to each payer over the whole horizon under each rule set, with 95% intervals"
           + (f"; no costed item for {', '.join(PAYER_LABELS.get(p, p).lower() for p in unbooked)}." if unbooked
              else "."))
    return Chart("costs-by-payer", "Costs by payer", fig, rows, alt)


def capacity_chart(results: Results) -> Chart:
    """Outcomes of new requests by the family's capacity to seek redress (time, money, advice), per rule set."""
    fig = new_figure(3.7, _note(results, "Family redress capacity (low, medium, high) as the scenario's population "
                                         "draws it. Bars: mean over replications; whiskers: 95% confidence "
                                         "interval."))
    axes = fig.subplots(1, len(CAPACITY_OUTCOMES))
    rows: list[dict[str, Any]] = []
    stats = [by_capacity(run) for run in results.runs]
    k = len(results.runs)
    w = 0.8 / k
    x = np.arange(len(CAPACITIES), dtype=float)
    for ax, (key, label, unit) in zip(axes, CAPACITY_OUTCOMES, strict=True):
        for i, (run, st) in enumerate(zip(results.runs, stats, strict=True)):
            ms = [st[c][key] for c in CAPACITIES]
            mean = np.array([m["mean"] if m["mean"] is not None else np.nan for m in ms], dtype=float)
            lo = np.array([m["ci95"][0] if m["ci95"][0] is not None else np.nan for m in ms], dtype=float)
            hi = np.array([m["ci95"][1] if m["ci95"][1] is not None else np.nan for m in ms], dtype=float)
            xx = x - 0.4 + w / 2 + i * w
            ax.bar(xx, mean, width=w * 0.9, color=SERIES[i % len(SERIES)],
                   label=_legend_label(run) if key == CAPACITY_OUTCOMES[0][0] else None)
            ok = ~np.isnan(lo)
            ax.errorbar(xx[ok], mean[ok], yerr=[mean[ok] - lo[ok], hi[ok] - mean[ok]], fmt="none",
                        ecolor="#333333", elinewidth=0.8, capsize=2)
            rows += [{"outcome": key, "label": label, "unit": unit, "capacity": c, "rule_set": run.name,
                      "rule_set_label": rule_set_long(run), "mean": m["mean"], "ci95_low": m["ci95"][0],
                      "ci95_high": m["ci95"][1]} for c, m in zip(CAPACITIES, ms, strict=True)]
        if key == "weeks_to_final_plan_median":
            drawn = sorted({run.final_plan_weeks for run in results.runs})
            for wk in drawn:
                ax.axhline(wk, color=STATUTORY, linestyle="--", linewidth=1)
            ax.text(0.02, 0.98, textwrap.fill(_statutory_label(results.runs[0]), 22), transform=ax.transAxes,
                    fontsize=8, va="top", color=STATUTORY)
            # the label takes the top fifth or so: the bars and whiskers stay under three quarters of the height
            # (a whisker to 29 weeks under a top of 35 ran into it)
            peak = max([float(r[f]) for r in rows if r["outcome"] == key for f in ("mean", "ci95_high")
                        if r[f] is not None and np.isfinite(r[f])] or [0.0])
            ax.set_ylim(0, max(drawn[-1] * 1.6, ax.get_ylim()[1] * 1.15, peak / 0.72))
        else:
            ax.set_ylim(0, 100 if unit == "percent" and key == "plan_pct" else ax.get_ylim()[1] * 1.15)
        ax.set_xticks(x, [CAPACITY_LABELS[c] for c in CAPACITIES])
        ax.set_xlabel("family redress capacity")
        ax.set_ylabel(UNIT_AXIS[unit])
        ax.set_title(textwrap.fill(label, 24), loc="left", fontsize=8.5)
    outside_legend(fig, loc="outside upper center", ncols=2, frameon=False)
    heading(fig, results, "Outcomes by the family's capacity to seek redress")
    alt = ("Three bar charts by family redress capacity (low, medium, high): the share of requests with a final plan, "
           "the share with an appeal, and the median weeks to a final plan, one bar per rule set.")
    return Chart("outcomes-by-capacity", "Outcomes by family redress capacity", fig, rows, alt)


def run_charts(results: Results) -> list[Chart]:
    """Every chart of a run or a comparison, in the report's order."""
    from .dispute_charts import dispute_chart, group_chart, mediation_chart

    with house():
        out = [over_time_chart(results), weeks_chart(results), costs_chart(results), capacity_chart(results)]
        metrics = results.runs[0].summary["metrics"]
        if "weeks_dispute_to_end_median" in metrics:
            out.append(dispute_chart(results, _note(results, "Disputes ended in the horizon (appeals lodged for the "
                                                             "time to the appeal), by the type of the decision "
                                                             "disputed. Bars: mean over runs of each run's median; "
                                                             "whiskers: 95% confidence interval.")))
        if "mediation_for_family_pct" in metrics:
            out.append(mediation_chart(results, _note(results, "Shares of mediations held, mean over "
                                                               "replications; the four outcomes add up to 100%.")))
        g = group_chart(results, _note(results, "Family redress capacity (low, medium, high) as the scenario's "
                                                "population draws it; differences paired run by run. Counts are "
                                                "per 100 requests of the group."))
        if g is not None:
            out.append(g)
        return out


def write_charts(results: Results, folder: Path) -> list[Path]:
    """Each chart as PNG, SVG and CSV in `folder`; the files written."""
    out: list[Path] = []
    for c in run_charts(results):
        out += save(c, folder)
    return out
