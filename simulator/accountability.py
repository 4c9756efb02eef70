"""The accountability map: for every step, who holds the duty, the deadline, who pays, who inspects,
what redress the family has and the incentive the duty holder faces, per rule set, with gaps flagged.

The map is data inside each rule set (`accountability:`), so a reform that changes a duty or removes
a route of redress changes the map through the same switches that change the journey.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from .sourced import Strict

BODIES = ("local_authority", "educational_psychology_service", "school_or_setting", "integrated_care_board",
          "social_care", "adult_social_care", "mediation_service", "independent_review_panel", "tribunal", "lgsco",
          "phso", "regional_director", "local_send_partnership", "ofsted_cqc", "family")
REDRESS = ("tribunal_appeal", "tribunal_recommendation", "mediation", "complaint_school", "complaint_la",
           "complaint_nhs", "lgsco", "phso", "judicial_review", "independent_panel", "reconsideration_by_la")
PAYER_IDS = ("la_high_needs", "school_notional_sen", "integrated_care_board", "social_care", "tribunal_service",
             "family")

Body = Literal[BODIES]  # type: ignore[valid-type]
Redress = Literal[REDRESS]  # type: ignore[valid-type]
Payer = Literal[PAYER_IDS]  # type: ignore[valid-type]


class BodyInfo(Strict):
    label: str
    kind: Literal["commissioner", "provider", "regulator", "redress", "family"]
    accountable_to: str
    tribunal_binds: bool = False  # can a tribunal order bind this body (not just recommend)?


class MapStep(Strict):
    label: str
    duty_holder: list[Body]
    lead: Body | Literal["none"] | None = None
    deadline: str
    payer: list[Payer]
    inspected_by: list[Body]
    redress: list[Redress]
    decides_provision: bool = False
    in_force: bool = True
    incentive: str
    reference: str


class AccountabilityMap(Strict):
    bodies: dict[Body, BodyInfo]
    steps: dict[str, MapStep]

    @model_validator(mode="after")
    def _bodies_known(self):
        for name, st in self.steps.items():
            missing = [b for b in (*st.duty_holder, *st.inspected_by) if b not in self.bodies]
            if missing:
                raise ValueError(f"steps.{name}: bodies not described in `bodies`: {', '.join(missing)}")
        return self


def deadline_value(rules_doc: dict, path: str) -> str:
    """The deadline a map entry points to, as text ('6 weeks'), or 'none'."""
    if path == "none":
        return "none"
    node: Any = rules_doc
    for part in path.split("."):
        node = node[part]
    if node["unit"] == "date":
        return f"by {node['value']} (MM-DD)"
    return f"{node['value']:g} {node['unit'].replace('_', ' ')}"


def gaps(steps: dict[str, MapStep], baseline: dict[str, MapStep] | None = None,
         bodies: dict[str, BodyInfo] | None = None) -> dict[str, list[str]]:
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
    flags = gaps(acc.steps, baseline.accountability.steps if baseline is not None else None, acc.bodies)
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


def format_map(doc: dict[str, Any], fmt: str) -> str:
    cols = ["step", "duty_holder", "deadline", "payer", "inspected_by", "redress", "gaps"]
    head = ["Step", "Duty holder", "Deadline", "Who pays", "Inspected by", "Redress", "Gaps"]

    def cell(v: Any) -> str:
        if isinstance(v, list):
            return ", ".join(v) if v else "none"
        return str(v)

    rows = [[cell(r[c]) for c in cols] for r in doc["steps"]]
    if fmt == "markdown":
        out = [f"# Accountability map: {doc['label']} (`{doc['rules']}`)", "",
               "| " + " | ".join(head) + " | Incentive |", "|" + "---|" * (len(head) + 1)]
        for r, raw in zip(rows, doc["steps"], strict=True):
            out.append("| " + " | ".join(c.replace("|", "/") for c in r) + f" | {raw['incentive']} |")
        out += ["", f"Gaps flagged: {doc['gap_count']}.", "",
                "Bodies: " + "; ".join(f"**{k}**: {v['label']} (accountable to {v['accountable_to']})"
                                        for k, v in doc["bodies"].items())]
        return "\n".join(out)
    from .compare import table

    return (f"Accountability map: {doc['label']} ({doc['rules']})\n\n" + table([head, *rows])
            + f"\n\nGaps flagged: {doc['gap_count']}")
