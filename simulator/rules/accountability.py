"""The accountability map of a resolved rule set: rows with deadlines resolved and gaps flagged.

For every step: who holds the duty, the deadline, who pays, who inspects, what redress the family has and the
incentive the duty holder faces (data in each rule set, `schema.accountability`). Here the gaps are found: a step
with no duty holder, payer or deadline, split duties with no lead, a decision about provision with no appeal, and
redress the baseline had and this rule set lost. Formatting is in `report.tables`.
"""

from __future__ import annotations

from typing import Any

from ..schema.accountability import BodyInfo, MapStep
from ..schema.paths import get_path


def deadline_value(rules_doc: dict, path: str) -> str:
    """The deadline a map entry points to, as text ('6 weeks'), or 'none'."""
    if path == "none":
        return "none"
    node: Any = get_path(rules_doc, path)
    if node["unit"] == "date":
        return f"by {node['value']} (MM-DD)"
    return f"{node['value']:g} {node['unit'].replace('_', ' ')}"


def gaps(steps: dict[str, MapStep], baseline: dict[str, MapStep] | None = None,
         bodies: dict[str, BodyInfo] | None = None, placement_power: str = "name") -> dict[str, list[str]]:
    """Gap flags for every step: missing duty holder, payer, deadline or redress; split duties with no lead;
    a decision about provision with no appeal to the tribunal; redress the baseline had and this rule set lost."""
    out: dict[str, list[str]] = {}
    for name, st in steps.items():
        g: list[str] = []
        if not st.in_force:
            out[name] = g
            continue
        if not st.duty_holder:
            g.append("no duty holder")
        if not st.payer:
            g.append("no payer")
        if st.deadline == "none" and st.decides_provision:
            g.append("no statutory deadline")
        if not st.redress and st.decides_provision:
            g.append("no redress")
        if len(st.duty_holder) > 1 and (st.lead in (None, "none")):
            g.append("duty split between " + " and ".join(st.duty_holder) + ", no one accountable for the whole")
        if st.decides_provision and "tribunal_appeal" not in st.redress:
            g.append("decision about provision with no appeal to the tribunal")
        elif st.decides_provision and bodies is not None:
            unbound = [b for b in st.duty_holder if b in bodies and not bodies[b].tribunal_binds and b != "family"]
            if unbound:
                g.append("the tribunal cannot bind " + " or ".join(unbound) + " (recommendations or other routes only)")
        if name == "tribunal_decision" and placement_power == "remit":
            g.append("remedy reduced to reconsideration: the tribunal can only send a placement back to the LA")
        if name == "reconsideration" and st.deadline == "none":
            g.append("no reconsideration deadline")
        if baseline is not None and name in baseline:
            lost = [r for r in baseline[name].redress if r not in st.redress]
            if lost:
                g.append("redress lost against the baseline: " + ", ".join(lost))
        out[name] = g
    return out


def map_rows(rules: Any, baseline: Any | None = None) -> list[dict[str, Any]]:
    """The map of a resolved rule set as rows (steps in force), with deadlines resolved and gaps flagged."""
    doc = rules.model_dump(mode="json")
    acc = rules.accountability
    flags = gaps(acc.steps, baseline.accountability.steps if baseline is not None else None, acc.bodies,
                 str(rules.appeal.placement_power.value))
    rows = []
    for name, st in acc.steps.items():
        if not st.in_force:
            continue
        rows.append({
            "step": name, "label": st.label, "duty_holder": list(st.duty_holder),
            "lead": st.lead, "deadline": deadline_value(doc, st.deadline), "payer": list(st.payer),
            "inspected_by": list(st.inspected_by), "redress": list(st.redress), "incentive": st.incentive,
            "reference": st.reference, "gaps": flags[name],
        })
    return rows


def map_document(rules: Any, baseline: Any | None = None) -> dict[str, Any]:
    acc = rules.accountability
    return {"rules": rules.name, "label": rules.label,
            "bodies": {k: v.model_dump() for k, v in acc.bodies.items()},
            "steps": map_rows(rules, baseline),
            "gap_count": sum(len(r["gaps"]) for r in map_rows(rules, baseline))}
