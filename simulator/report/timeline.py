"""Charts for consultation responses: labelled axes with units, the statutory line from the rule set, a
colour-blind-safe palette (Okabe-Ito), and the source and assumptions in a footnote.

Figures are drawn on matplotlib's object API (`Figure`), never through pyplot's global state or a backend chosen
at import, so importing the package leaves a notebook's inline plots alone.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch

# Okabe & Ito (2008), safe for the common colour-vision deficiencies
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"]
BODY_COLOURS = {
    "local_authority": "#0072B2", "educational_psychology_service": "#56B4E9", "school_or_setting": "#009E73",
    "integrated_care_board": "#CC79A7", "social_care": "#E69F00", "adult_social_care": "#F0E442",
    "mediation_service": "#999999", "independent_review_panel": "#000000", "tribunal": "#D55E00",
    "family": "#FFFFFF", "named_setting": "#009E73",
}
SOURCE = ("Source: sendsim simulation. Scenario built from DfE 'Education, health and care plans' (SEN2, OGL v3.0); "
          "rule sets and their sources in scenarios/rules/.")


@dataclass(frozen=True)
class StatutoryLimit:
    """A limit to draw as a line: where (weeks from the request) and the law it comes from."""

    weeks: float
    reference: str


def case_timeline(res: dict[str, Any], path: Path, limits: dict[str, StatutoryLimit]) -> Path:
    """Each rule set's typical route for one child as bars along a weeks axis, coloured by the duty holder.

    `limits`: the final-plan limit of each rule set (`analysis.case_study.final_plan_limits`); one line is drawn
    for each different limit."""
    results = res["results"]
    existing = str(res.get("start", "")).startswith("existing plan")
    fig = Figure(figsize=(11, 1.6 + 1.3 * len(results)))
    ax = fig.subplots()
    used: dict[str, str] = {}
    xmax = 24.0
    for row, r in enumerate(results):
        y = len(results) - 1 - row
        prev = 0.0
        for s in r["steps"]:
            end = s["weeks_from_start"]
            if end <= 0:
                continue  # SEN support before the request: no statutory clock, not drawn
            width = max(end - prev, 0.15)
            body = s.get("acted_by") or (s["duty_holder"][0] if s["duty_holder"] else "family")
            colour = BODY_COLOURS.get(body, "#999999")
            used[body] = colour
            ax.barh(y, width, left=prev, height=0.55, color=colour, edgecolor="#333333", linewidth=0.6)
            if width >= 2.5:
                ax.text(prev + width / 2, y, s["step"].replace("_", " "), ha="center", va="center", fontsize=7,
                        color="white" if colour in ("#0072B2", "#D55E00", "#000000", "#CC79A7") else "black",
                        clip_on=True)
            prev = max(prev, end)
        xmax = max(xmax, prev + 2)
        f = r["weeks_to_final_plan"]["median"]
        if existing:
            label = f"{r['rules']}\nplan in force at the start"
        else:
            label = f"{r['rules']}\nfinal plan: " + (f"week {f:g} (median)" if f is not None else "none")
        ax.text(-0.01, y, label, transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=8)
    if not existing:  # the final-plan limit runs from a request; it does not apply to a plan already in force
        drawn = dict.fromkeys(limits[r["rules"]] for r in results if r["rules"] in limits)
        for lim in drawn:
            ax.axvline(lim.weeks, color="#D55E00", linestyle="--", linewidth=1.4)
            ax.text(lim.weeks, len(results) - 0.45, f" {lim.weeks:g}-week statutory limit\n ({lim.reference})",
                    color="#D55E00", fontsize=7.5, va="bottom")
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(results) - 0.1)
    ax.set_xlim(0, xmax)
    ax.set_xlabel("Weeks since the start of the scenario (the plan is already in force)" if existing
                  else "Weeks since the request for an EHC needs assessment")
    ax.set_title(textwrap.fill(res["title"], 100), fontsize=10, loc="left")
    handles = [Patch(facecolor=c, edgecolor="#333333", label=b.replace("_", " ")) for b, c in used.items()]
    ax.legend(handles=handles, title="Who acts in each step", fontsize=7, title_fontsize=7.5, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False)
    note = (f"Typical route: the most frequent route over {res['runs']} runs per rule set (seed {res['seed']}); bar "
            f"ends are median times. Pinned events: {res['pinned'] or 'none'}. Reform effect sizes are assumptions "
            f"with ranges stated in the rule set files. {SOURCE}")
    fig.text(0.01, 0.01, textwrap.fill(note, 160), fontsize=6.5, va="bottom", color="#333333")
    fig.subplots_adjust(left=0.2, right=0.8, bottom=0.3 if len(results) < 3 else 0.22, top=0.85)
    fig.savefig(path, dpi=130)
    return path
