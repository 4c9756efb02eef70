"""Rule sets: the law as data, and reforms as named deltas over a baseline.

A baseline rule set (`scenarios/rules/current_2014.yaml`) holds every parameter the journey
uses, each with its value, unit, label and reference (the OpenFisca/PolicyEngine idea). A
reform (`green_paper_2022.yaml`, ...) names its baseline and a set of **switches**; each switch
lists the parameters it changes, the new value and the source, and, where the size of an effect
is an assumption, the plausible range. Switches apply alone (`current_2014+mandatory_mediation`)
so an analyst can attribute an effect to one proposal. The engine reads a compiled `Law`
(every duration in days), never the files: a reform is a change of data, not of engine code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .accountability import AccountabilityMap
from .sourced import APPEAL_TYPES, SETTINGS, AppealType, Strict
from .units import TIME_UNITS, to_days

OTHER_UNITS = ("flag", "date", "settings", "choice", "appeal_types", "probability", "multiplier", "gbp_per_year",
               "gbp", "servers_per_1000_requests", "scenario_field", "payer")
PAYERS = ("la_high_needs", "school_notional_sen", "integrated_care_board", "social_care", "tribunal_service",
          "family")


class Param(Strict):
    """One parameter: value, unit, what it is, and where it comes from (law, document or assumption)."""

    value: float | bool | str | list[str]
    unit: str
    label: str
    reference: str
    assumption: str | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _unit_fits(self):
        v = self.value
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if self.unit in TIME_UNITS or self.unit in ("multiplier", "gbp_per_year", "gbp", "servers_per_1000_requests"):
            if not number or v < 0:
                raise ValueError(f"a value in {self.unit} needs a number >= 0 (got {v!r})")
        elif self.unit == "probability":
            if not number or not 0.0 <= v <= 1.0:
                raise ValueError(f"a probability needs a number from 0 to 1 (got {v!r})")
        elif self.unit == "flag" and not isinstance(v, bool):
            raise ValueError(f"a flag needs true or false (got {v!r})")
        elif self.unit == "date" and not (isinstance(v, str) and len(v) == 5 and v[2] == "-"):
            raise ValueError(f"a date needs 'MM-DD' (got {v!r})")
        elif self.unit == "settings" and not (isinstance(v, list) and set(v) <= set(SETTINGS)):
            raise ValueError(f"settings must be a list of: {', '.join(SETTINGS)} (got {v!r})")
        elif self.unit == "appeal_types" and not (isinstance(v, list) and set(v) <= set(APPEAL_TYPES)):
            raise ValueError(f"appeal types must be a list of: {', '.join(APPEAL_TYPES)} (got {v!r})")
        elif self.unit == "payer" and v not in PAYERS:
            raise ValueError(f"payer must be one of: {', '.join(PAYERS)} (got {v!r})")
        elif self.unit not in (*TIME_UNITS, *OTHER_UNITS):
            raise ValueError(f"unknown unit {self.unit!r}; allowed: {', '.join((*TIME_UNITS, *OTHER_UNITS))}")
        if self.assumption and self.range is None:
            raise ValueError("an assumption needs a plausible `range: [low, high]`")
        return self

    def days(self) -> float:
        return to_days(float(self.value), self.unit)  # type: ignore[arg-type]


class Timeline(Strict):
    decide_to_assess: Param
    advice_response: Param
    decide_to_issue: Param
    draft_comment_period: Param
    setting_consultation: Param
    final_plan: Param
    annual_review_interval: Param
    review_decision: Param
    amendment_final: Param
    phase_transfer_school_deadline: Param
    phase_transfer_post16_deadline: Param


class Naming(Strict):
    s39_settings: Param
    s9_regard_only: Param
    mainstream_presumption: Param
    tailored_list: Param
    list_covers_preference: Param
    outside_list_appealable: Param


class RedressStep(Strict):
    """A rung of the redress ladder: place, whether it is in force and compulsory, limit, capacity, resolution."""

    position: Annotated[int, Field(ge=1)]
    enabled: Param
    mandatory: Param
    exempt_appeal_types: Param
    time_limit: Param
    servers_per_1000_requests: Param
    resolves_probability: Param
    reference: str


class Appeal(Strict):
    deadline_after_decision: Param
    deadline_after_certificate: Param
    registration: Param
    la_response: Param
    written_decision: Param
    placement_power: Param


class Compliance(Strict):
    assess_notify: Param
    assess_final: Param
    issue_final: Param
    contents_amend: Param
    placement_amend: Param


class Effects(Strict):
    """What a rule set does to behaviour (neutral in current law): the assumed size of each reform's effect."""

    requests_multiplier: Param
    refuse_to_assess_multiplier: Param
    la_refusal_convergence: Param
    no_plan_multiplier: Param
    draft_writing_multiplier: Param
    contents_dispute_multiplier: Param
    placement_dispute_multiplier: Param
    special_places_multiplier: Param
    mediation_chosen_multiplier: Param
    school_support_plan_share: Param
    step_down_at_phase_transfer: Param
    protect_special_places: Param


class Cost(Strict):
    amount: Param
    payer: Param


class Costs(Strict):
    """Unit costs and who pays: placements per year, process steps per event."""

    placement_per_year: dict[Literal["mainstream", "resourced_provision", "maintained_special",
                                     "independent_special", "post16", "alternative_provision"], list[Cost]]
    assessment: list[Cost]
    annual_review: list[Cost]
    mediation: list[Cost]
    independent_review: list[Cost]
    appeal_conceded: list[Cost]
    hearing: list[Cost]
    school_support_plan: list[Cost]


RUNGS = Literal["mediation_advice", "mediation", "independent_review", "tribunal"]


class RuleSet(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_+]+$")]
    label: str
    description: str
    timeline: Timeline
    naming: Naming
    redress_ladder: dict[RUNGS, RedressStep]
    appeal: Appeal
    compliance: Compliance
    effects: Effects
    costs: Costs
    accountability: AccountabilityMap

    @model_validator(mode="after")
    def _ladder(self):
        if "tribunal" not in self.redress_ladder:
            raise ValueError("redress_ladder needs a tribunal step")
        positions = [s.position for s in self.redress_ladder.values()]
        if len(set(positions)) != len(positions):
            raise ValueError("redress_ladder positions must be distinct")
        doc = self.model_dump(mode="json", exclude={"accountability"})
        for name, st in self.accountability.steps.items():
            if st.deadline != "none":
                try:
                    node = get_path(doc, st.deadline)
                    assert isinstance(node, dict) and "unit" in node
                except (KeyError, AssertionError):
                    raise ValueError(f"accountability.steps.{name}.deadline: {st.deadline!r} is not a parameter of "
                                     "this rule set (or 'none')") from None
        return self


class Change(Strict):
    """One parameter a switch changes: the new value and where the change comes from."""

    path: str
    value: float | bool | str | list[str]
    source: str
    assumption: str | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _ranged(self):
        if self.assumption and self.range is None:
            raise ValueError("an assumption needs a plausible `range: [low, high]`")
        return self


class Switch(Strict):
    """One proposal, applicable on its own."""

    label: str
    source: str
    changes: Annotated[list[Change], Field(min_length=1)]


class RuleDelta(Strict):
    """A reform: a named set of switches over a named baseline."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    label: str
    description: str
    baseline: str
    switches: dict[str, Switch]


@dataclass(frozen=True)
class LadderStep:
    name: str
    mandatory: bool
    exempt: frozenset[str]
    time_limit_days: float
    servers_per_1000_requests: float
    resolves: float | str  # a probability, or the dotted name of a scenario field holding it


@dataclass(frozen=True)
class Law:
    """A rule set compiled for the journey: every duration in days, lists as frozensets."""

    name: str
    decide_to_assess_days: float
    advice_days: float
    decide_to_issue_days: float
    draft_comment_days: float
    setting_consultation_days: float
    final_plan_days: float
    annual_review_days: float
    review_decision_days: float
    amendment_final_days: float
    phase_transfer_school: tuple[int, int]
    phase_transfer_post16: tuple[int, int]
    s39_settings: frozenset[str]
    s9_regard_only: frozenset[str]
    mainstream_presumption: bool
    tailored_list: bool
    list_covers_preference: float
    outside_list_appealable: bool
    ladder: tuple[LadderStep, ...]
    appeal_after_decision_days: float
    appeal_after_certificate_days: float
    registration_days: float
    la_response_days: float
    written_decision_days: float
    placement_power: str
    compliance_days: dict[str, float]
    effects: dict[str, float]
    costs: dict[str, list[tuple[float, str]]] = field(default_factory=dict)

    def steps_for(self, appeal_type: AppealType) -> tuple[LadderStep, ...]:
        """The rungs before the tribunal that a family must or may climb for this appeal type."""
        return tuple(s for s in self.ladder if s.name != "tribunal" and appeal_type not in s.exempt)


def _mmdd(p: Param) -> tuple[int, int]:
    m, d = str(p.value).split("-")
    return int(m), int(d)


def compile_law(rs: RuleSet) -> Law:
    t, n, a, c = rs.timeline, rs.naming, rs.appeal, rs.compliance
    ladder = tuple(
        LadderStep(name, bool(s.mandatory.value), frozenset(s.exempt_appeal_types.value),  # type: ignore[arg-type]
                   s.time_limit.days(), float(s.servers_per_1000_requests.value),  # type: ignore[arg-type]
                   str(s.resolves_probability.value) if s.resolves_probability.unit == "scenario_field"
                   else float(s.resolves_probability.value))  # type: ignore[arg-type]
        for name, s in sorted(rs.redress_ladder.items(), key=lambda kv: kv[1].position) if s.enabled.value)
    costs: dict[str, list[tuple[float, str]]] = {}
    for key, items in rs.costs:
        if key == "placement_per_year":
            for setting, lst in items.items():
                costs[f"placement.{setting}"] = [(float(x.amount.value), str(x.payer.value)) for x in lst]
        else:
            costs[key] = [(float(x.amount.value), str(x.payer.value)) for x in items]
    return Law(
        name=rs.name,
        decide_to_assess_days=t.decide_to_assess.days(),
        advice_days=t.advice_response.days(),
        decide_to_issue_days=t.decide_to_issue.days(),
        draft_comment_days=t.draft_comment_period.days(),
        setting_consultation_days=t.setting_consultation.days(),
        final_plan_days=t.final_plan.days(),
        annual_review_days=t.annual_review_interval.days(),
        review_decision_days=t.review_decision.days(),
        amendment_final_days=t.amendment_final.days(),
        phase_transfer_school=_mmdd(t.phase_transfer_school_deadline),
        phase_transfer_post16=_mmdd(t.phase_transfer_post16_deadline),
        s39_settings=frozenset(n.s39_settings.value),  # type: ignore[arg-type]
        s9_regard_only=frozenset(n.s9_regard_only.value),  # type: ignore[arg-type]
        mainstream_presumption=bool(n.mainstream_presumption.value),
        tailored_list=bool(n.tailored_list.value),
        list_covers_preference=float(n.list_covers_preference.value),  # type: ignore[arg-type]
        outside_list_appealable=bool(n.outside_list_appealable.value),
        ladder=ladder,
        appeal_after_decision_days=a.deadline_after_decision.days(),
        appeal_after_certificate_days=a.deadline_after_certificate.days(),
        registration_days=a.registration.days(),
        la_response_days=a.la_response.days(),
        written_decision_days=a.written_decision.days(),
        placement_power=str(a.placement_power.value),
        compliance_days={
            "assess_notify": c.assess_notify.days(),
            "refusal_to_assess": c.assess_final.days(),
            "refusal_to_issue": c.issue_final.days(),
            "contents": c.contents_amend.days(),
            "placement": c.placement_amend.days(),
            "cessation": 0.0,
        },
        effects={k: float(v.value) for k, v in rs.effects},  # type: ignore[arg-type]
        costs=costs,
    )


# ---------------------------------------------------------------------------------------------- files
def rules_dirs(near: Path | None = None) -> list[Path]:
    """Where rule sets are looked for: beside the scenario, then ./scenarios/rules, then the repository's."""
    out = []
    if near is not None:
        out.append(near.parent / "rules")
    out.append(Path.cwd() / "scenarios" / "rules")
    out.append(Path(__file__).resolve().parent.parent / "scenarios" / "rules")
    seen, uniq = set(), []
    for d in out:
        if d.is_dir() and d.resolve() not in seen:
            seen.add(d.resolve())
            uniq.append(d)
    return uniq


def find_rules_file(name: str, near: Path | None = None) -> Path | None:
    for d in rules_dirs(near):
        p = d / f"{name}.yaml"
        if p.is_file():
            return p
    return None


@dataclass
class AppliedChange:
    """A line of the what-changed table."""

    switch: str
    path: str
    baseline: Any
    value: Any
    source: str
    assumption: str | None
    range: tuple[float, float] | None


@dataclass
class ResolvedRules:
    """A rule set ready to run: the merged parameters and the record of what changed from the baseline."""

    rules: RuleSet
    baseline: str
    changes: list[AppliedChange]
    files: list[Path]


def get_path(doc: dict, path: str) -> Any:
    """The node at a dotted path; a number indexes a list (costs.hearing.0.amount)."""
    cur: Any = doc
    for part in path.split("."):
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(path)
    return cur


def apply_change(doc: dict, ch: Change) -> Any:
    """Set the value of the parameter at `ch.path` in a rule-set document; return the old value.

    A parameter (value, unit, label, reference) gets a new value; in the accountability map, a plain
    entry (a duty holder list, a redress list, a deadline path) is replaced.
    """
    node = get_path(doc, ch.path)
    if isinstance(node, dict) and "value" in node and "unit" in node:
        old = node["value"]
        node["value"] = ch.value
        return old
    if ch.path.startswith("accountability.") and not isinstance(node, dict):
        parent_path, key = ch.path.rsplit(".", 1)
        parent = get_path(doc, parent_path)
        parent[key] = ch.value
        return node
    raise KeyError(ch.path)


def _parameters(node: Any, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """Every parameter node (value, unit, label) of a rule-set document, with its dotted path."""
    if isinstance(node, dict):
        if "value" in node and "unit" in node and "label" in node:
            yield prefix, node
            return
        for k, v in node.items():
            yield from _parameters(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _parameters(v, f"{prefix}[{i}]")


def flatten(rs: RuleSet) -> dict[str, Any]:
    """Every parameter of a rule set as {dotted path: value}."""
    return {p: n["value"] for p, n in _parameters(rs.model_dump(mode="json", exclude={"name", "label",
                                                                                       "description"}))}


def labels(rs: RuleSet) -> dict[str, tuple[str, str]]:
    """{dotted path: (label, reference)} for every parameter."""
    return {p: (n["label"], n["reference"]) for p, n in _parameters(rs.model_dump(mode="json"))}
