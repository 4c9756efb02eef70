"""The accountability map of a resolved rule set: rows with deadlines resolved and gaps flagged.

For every step: who holds the duty (and, for the parts of a plan, the lead for each section), the deadline, who
pays, who inspects, what redress the family has, where a missed deadline can go, and the incentive the duty holder
faces (data in each rule set, `schema.accountability`). Here the gaps are found, from that data only, never from
a list of known gaps: a step with no duty holder, payer or deadline (unless the law sets none on purpose); a duty
split with no lead; a decision about provision with no appeal; a body the tribunal cannot bind; a deadline nothing
enforces; a remedy that binds no one; a body accountable to no one; a queue with no limit and nowhere to take the
wait; redress the baseline had and this rule set lost, or that a step taking another's place for some children
does not give (compared by route, not by step name). Formatting is in `report.tables`.
"""

from __future__ import annotations

from typing import Any

from ..schema.accountability import AccountabilityMap, MapStep
from ..schema.paths import get_path

UNACCOUNTABLE = ("", "not defined", "none")  # `accountable_to` values that mean no one


def deadline_value(rules_doc: dict, path: str) -> str:
    """The deadline a map entry points to, as text ('6 weeks'), or 'none'."""
    if path == "none":
        return "none"
    node: Any = get_path(rules_doc, path)
    if node["unit"] == "date":
        return f"by {node['value']} (MM-DD)"
    return f"{node['value']:g} {node['unit'].replace('_', ' ')}"


def assumed_period_text(rules_doc: dict, path: str) -> str:
    """A period no source here gives, as the route assumes it: 'not in the sources: assumed 12 weeks (range 4 to 26
    weeks), UNVERIFIED'."""
    node: Any = get_path(rules_doc, path)
    unit = node["unit"].replace("_", " ")
    lo_hi = node.get("range")
    span = f" (range {lo_hi[0]:g} to {lo_hi[1]:g} {unit})" if lo_hi else ""
    return f"not in the sources: assumed {node['value']:g} {unit}{span}, UNVERIFIED"


def step_deadline(rules_doc: dict, st: MapStep, case: str | None = None) -> str:
    """A step's deadline as the map prints it: per case when the law sets one per case (reg 44 orders), or the one
    case asked for ('' for the plain one); 'at least' for a period the duty holder must allow; 'by design' when the law sets none."""
    if case is not None and case in st.deadline_by_case:
        return deadline_value(rules_doc, st.deadline_by_case[case])
    if st.deadline_by_case and case != "":  # "" asks for the step's plain deadline (no special case applies)
        return "; ".join(f"{k.replace('_', ' ')}: {deadline_value(rules_doc, p)}"
                         for k, p in st.deadline_by_case.items())
    text = deadline_value(rules_doc, st.deadline)
    if st.deadline == "none" and st.assumed_period:
        return assumed_period_text(rules_doc, st.assumed_period)
    if st.deadline == "none" and st.no_deadline_reason:
        return "none (by design)"
    if st.deadline_kind == "end":
        return f"ends {text}"
    return f"at least {text}" if st.deadline_kind == "minimum" else text


def _flag(rules_doc: dict, value: bool | str) -> bool:
    return bool(get_path(rules_doc, value)["value"]) if isinstance(value, str) else bool(value)


def _step_gaps(name: str, st: MapStep, acc: AccountabilityMap, doc: dict) -> list[str]:
    g: list[str] = []
    holders = [b for b in dict.fromkeys([*st.duty_holder, *st.sections.values()]) if b != "family"]
    if not st.duty_holder:
        g.append("no duty holder")
    if not st.payer:
        g.append("no payer")
    has_deadline = st.deadline != "none" or bool(st.deadline_by_case)
    if not has_deadline and st.decides_provision and not st.no_deadline_reason:
        g.append("no statutory deadline")
    if not st.redress and st.decides_provision:
        g.append("no redress")
    if st.waits_in_queue and not has_deadline and not st.no_deadline_reason and not st.delay_redress:
        g.append("no statutory limit on the wait and no redress for it: the queue sets how long the family waits")
    if len(st.duty_holder) > 1 and st.lead in (None, "none") and not st.sections:
        g.append("duty split between " + " and ".join(st.duty_holder) + ", no one accountable for the whole")
    if st.decides_provision and "tribunal_appeal" not in st.redress:
        g.append("decision about provision with no appeal to the tribunal")
    if st.decides_provision or st.sections:
        unbound = [b for b in holders if b in acc.bodies and not acc.bodies[b].tribunal_binds]
        if unbound:
            g.append("the tribunal cannot bind " + " or ".join(unbound) + " (recommendations or other routes only)")
    if has_deadline and st.deadline_kind == "limit" and holders:
        outside = [r for r in st.delay_redress if acc.routes[r].hears_delay and acc.routes[r].body not in holders]
        practical = [r for r in outside if not acc.routes[r].last_resort]
        if not outside:
            g.append("no redress for delay: a missed deadline can go nowhere outside the duty holder")
        elif not practical:
            g.append("no redress for delay short of " + ", ".join(outside))
        elif not any(_flag(doc, acc.routes[r].binds) for r in practical):
            g.append("deadline without enforcement: a missed deadline can go only to " + ", ".join(outside)
                     + " (no tribunal remedy for delay; ombudsman findings are recommendations)")
    if st.binds is not None and not _flag(doc, st.binds):
        g.append("non-binding remedy: its finding does not bind " + " or ".join(
            b for b in ("local_authority",) if b in acc.bodies))
    if (st.decides_provision or st.sections) and st.redress and not any(
            _flag(doc, acc.routes[r].binds) for r in st.redress):
        g.append("non-binding remedy only: " + ", ".join(st.redress) + " make recommendations")
    for b in holders:
        if b in acc.bodies and acc.bodies[b].accountable_to.strip().lower() in UNACCOUNTABLE:
            g.append(f"{b} accountable to no one (not defined)")
    return g


def gaps(rules: Any, baseline: Any | None = None) -> dict[str, list[str]]:
    """Gap flags for every step of a resolved rule set (empty for a step not in force), computed from the steps'
    data; `baseline` (a rule set) adds the redress this one lost against it."""
    acc: AccountabilityMap = rules.accountability
    doc = rules.model_dump(mode="json")
    out: dict[str, list[str]] = {}
    for name, st in acc.steps.items():
        if not st.in_force:
            out[name] = []
            continue
        g = _step_gaps(name, st, acc, doc)
        if name == "tribunal_decision" and str(rules.appeal.placement_power.value) == "remit":
            g.append("remedy reduced to reconsideration: the tribunal can only send a placement back to the LA")
        if name == "reconsideration" and st.deadline == "none":
            g.append("no reconsideration deadline")
        for other in st.replaces:  # by redress route, not by step name: what the replaced step gave is lost
            if acc.steps[other].in_force:
                lost = [r for r in acc.steps[other].redress if r not in st.redress]
                if lost:
                    g.append(f"redress lost for the children this step takes from {other}: " + ", ".join(lost))
        if baseline is not None and name in baseline.accountability.steps:
            lost = [r for r in baseline.accountability.steps[name].redress if r not in st.redress]
            if lost:
                g.append("redress lost against the baseline: " + ", ".join(lost))
        out[name] = g
    return out


def map_rows(rules: Any, baseline: Any | None = None) -> list[dict[str, Any]]:
    """The map of a resolved rule set as rows (steps in force), with deadlines resolved and gaps flagged."""
    doc = rules.model_dump(mode="json")
    acc = rules.accountability
    flags = gaps(rules, baseline)
    rows = []
    for name, st in acc.steps.items():
        if not st.in_force:
            continue
        rows.append({
            "step": name, "label": st.label, "duty_holder": list(st.duty_holder),
            "lead": st.lead, "sections": dict(st.sections), "deadline": step_deadline(doc, st),
            "no_deadline_reason": st.no_deadline_reason, "payer": list(st.payer),
            "inspected_by": list(st.inspected_by), "redress": list(st.redress),
            "delay_redress": list(st.delay_redress), "incentive": st.incentive,
            "reference": st.reference, "gaps": flags[name],
            **({"duty_strength": dict(st.duty_strength)} if st.duty_strength else {}),
        })
    return rows


def bodies_in_use(rules: Any) -> list[str]:
    """The bodies some step in force (or a route of its redress) names: the map shows only these."""
    acc = rules.accountability
    used: set[str] = set()
    for st in acc.steps.values():
        if st.in_force:
            used.update(st.duty_holder, st.inspected_by, st.sections.values())
            used.update(acc.routes[r].body for r in (*st.redress, *st.delay_redress))
    return [b for b in acc.bodies if b in used]


def map_document(rules: Any, baseline: Any | None = None) -> dict[str, Any]:
    acc = rules.accountability
    rows = map_rows(rules, baseline)
    return {"rules": rules.name, "label": rules.label,
            "bodies": {k: acc.bodies[k].model_dump() for k in bodies_in_use(rules)},
            "steps": rows,
            "gap_count": sum(len(r["gaps"]) for r in rows)}
