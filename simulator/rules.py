"""Rule sets: the law as data.

A rule set file (`scenarios/rules/NAME.yaml`) holds every statutory parameter the journey
uses, each with its value, unit, label and legal reference (the OpenFisca/PolicyEngine
idea). The engine reads a compiled `Law` (all durations in days), never the file, so a
reform is a change of data, not of engine code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .sourced import APPEAL_TYPES, AppealType, Setting, Strict
from .units import TIME_UNITS, to_days


class Param(Strict):
    """One statutory parameter: value, unit, what it is, and where the law says so."""

    value: float | bool | str | list[str]
    unit: str
    label: str
    reference: str

    @model_validator(mode="after")
    def _unit_fits(self):
        if self.unit in TIME_UNITS:
            if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
                raise ValueError(f"a duration in {self.unit} needs a number")
            if self.value < 0:
                raise ValueError("a duration cannot be negative")
        elif self.unit == "flag" and not isinstance(self.value, bool):
            raise ValueError("a flag needs true or false")
        elif self.unit == "date" and not (isinstance(self.value, str) and len(self.value) == 5):
            raise ValueError("a date needs 'MM-DD'")
        elif self.unit not in (*TIME_UNITS, "flag", "date", "settings", "choice", "appeal_types"):
            raise ValueError(
                f"unknown unit {self.unit!r}; allowed: {', '.join(TIME_UNITS)}, flag, date, settings, choice, "
                "appeal_types")
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


class RedressStep(Strict):
    """A rung of the redress ladder: its place, whether it is compulsory, and who is exempt."""

    position: Annotated[int, Field(ge=1)]
    mandatory: Param
    exempt_appeal_types: Param
    time_limit: Param
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


class RuleSet(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    label: str
    description: str
    timeline: Timeline
    naming: Naming
    redress_ladder: dict[Literal["mediation_advice", "mediation", "independent_review", "tribunal"], RedressStep]
    appeal: Appeal
    compliance: Compliance

    @model_validator(mode="after")
    def _ladder(self):
        if "tribunal" not in self.redress_ladder:
            raise ValueError("redress_ladder needs a tribunal step")
        for name, step in self.redress_ladder.items():
            bad = set(step.exempt_appeal_types.value) - set(APPEAL_TYPES)  # type: ignore[arg-type]
            if bad:
                raise ValueError(f"redress_ladder.{name}: unknown appeal types {sorted(bad)}")
        return self


@dataclass(frozen=True)
class LadderStep:
    name: str
    mandatory: bool
    exempt: frozenset[str]
    time_limit_days: float


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
    ladder: tuple[LadderStep, ...]
    appeal_after_decision_days: float
    appeal_after_certificate_days: float
    registration_days: float
    la_response_days: float
    written_decision_days: float
    placement_power: str
    compliance_days: dict[str, float]

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
                   s.time_limit.days())
        for name, s in sorted(rs.redress_ladder.items(), key=lambda kv: kv[1].position))
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
    )


def rules_dirs(near: Path | None = None) -> list[Path]:
    """Where rule sets are looked for: beside the scenario, then ./scenarios/rules, then the repository's."""
    out = []
    if near is not None:
        out.append(near.parent / "rules")
    out.append(Path.cwd() / "scenarios" / "rules")
    out.append(Path(__file__).resolve().parent.parent / "scenarios" / "rules")
    seen, uniq = set(), []
    for d in out:
        if d.resolve() not in seen and d.is_dir():
            seen.add(d.resolve())
            uniq.append(d)
    return uniq


def find_rules_file(name: str, near: Path | None = None) -> Path | None:
    for d in rules_dirs(near):
        p = d / f"{name}.yaml"
        if p.is_file():
            return p
    return None


Setting_ = Setting  # re-exported for type checkers
