"""The law compiled for the journey: a validated rule set with every duration in days.

The engine reads a `Law`, never the files: a reform is a change of data, not of engine code. Every field is a
declared name (a typo is an AttributeError at once, not a silently missing effect), and the analysis reads its
statutory limits from here too (the case study's "within the limit", the chart's statutory line), so a reform
that changes `timeline.final_plan` changes the model, the case study and the chart together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace

from ..schema.rules import Param, RuleSet
from ..schema.units import DAYS_PER_WEEK
from ..schema.vocabulary import AppealType

# Ages the statute fixes (not in the rule-set files: no reform of them is proposed; `rules show` lists the files)
PLAN_END_AGE = 25.0  # CFA 2014 s.46: a plan can be maintained until the young person is 25
POST19_AGE = 19.0  # CFA 2014 s.44(5), s.46 and Code of Practice 9.152: cessation after 19 has its own tests


@dataclass(frozen=True, slots=True)
class EffectSizes:
    """What a rule set does to behaviour (1 or 0 in current law): the assumed size of each reform's effect.

    The fields are those of `schema.rules.Effects`, compiled to floats (a flag is 1.0 or 0.0); a test checks the two
    lists agree."""

    requests_multiplier: float
    refuse_to_assess_multiplier: float
    la_refusal_convergence: float
    no_plan_multiplier: float
    draft_writing_multiplier: float
    contents_dispute_multiplier: float
    placement_dispute_multiplier: float
    special_places_multiplier: float
    casework_staff_multiplier: float
    mediation_chosen_multiplier: float
    school_support_plan_share: float
    step_down_at_phase_transfer: float
    protect_special_places: float
    la_late_compliance_multiplier: float
    mainstream_restriction_share: float
    reviews_at_phase_transfer_only: float


EFFECT_NAMES = tuple(f.name for f in fields(EffectSizes))


@dataclass(frozen=True)
class LadderStep:
    name: str
    mandatory: bool
    exempt: frozenset[str]
    time_limit_days: float
    servers_per_1000_requests: float
    resolves: float | str  # a probability, or the dotted name of a scenario field holding it
    binding: bool = True  # a finding for the family binds the LA (else it may ignore it)
    # the limit as a count of working days when the rule set gives it so (0 otherwise): counted on the calendar of
    # England's bank holidays where the route has a date (the mediation certificate), not at 7/5 of a day each
    time_limit_working_days: int = 0


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
    plan_end: tuple[int, int]
    transfer_working_days: int  # reg 15(2): the plan transferred within this many working days of learning
    transfer_notice_weeks: int  # reg 15: the new authority's notice to the family, in weeks from the transfer
    transfer_review_months: int  # reg 15: the next review no earlier than this many months after the transfer
    s39_settings: frozenset[str]
    s9_regard_only: frozenset[str]
    mainstream_presumption: bool
    tailored_list: bool
    list_coverage: dict[str, float]
    outside_list_accepted: float
    outside_list_appealable: bool
    ladder: tuple[LadderStep, ...]
    appeal_after_decision_days: float
    appeal_after_certificate_days: float
    registration_days: float
    la_response_days: float
    written_decision_days: float
    placement_power: str
    reconsideration_days: float
    compliance_days: dict[str, float]
    effects: EffectSizes
    costs: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    isp_eligible_by_need: dict[str, float] = field(default_factory=dict)
    isp_escalation: float = 0.0
    isp_escalation_delay_days: float = 0.0
    triple_lock_measured_on: dt.date = dt.date(2029, 9, 1)
    triple_lock_year_group: int = 3
    plan_end_age: float = PLAN_END_AGE
    post19_age: float = POST19_AGE
    direct_payment_review_days: float = 0.0  # a refused direct payment reviewed on request (rule set beyond_school)
    # a dispute with no tribunal route (route/content.py): the complaint's and the Ombudsman's mean times and outcomes
    complaint_response_days: float = 0.0
    complaint_upheld: float = 0.0
    ombudsman_decision_days: float = 0.0
    ombudsman_fault_found: float = 0.0
    # the effects in authorities where a switch scoped to them is in force, by authority code (elsewhere `effects`)
    la_effects: dict[str, EffectSizes] = field(default_factory=dict)

    @property
    def final_plan_weeks(self) -> float:
        """The limit from the request to the final plan, in weeks (20 in current law)."""
        return self.final_plan_days / DAYS_PER_WEEK

    def steps_for(self, appeal_type: AppealType) -> tuple[LadderStep, ...]:
        """The rungs before the tribunal that a family must or may climb for this appeal type. An exempt appeal type
        is exempt from the rung's compulsion only: the rung stays, not compulsory for it (a placement-only appeal
        needs no mediation certificate, CFA s.55, yet the family may still mediate it, CFA s.52).

        Made once per appeal type and kept (every dispute asks: about 16,000 times a national year, 1-2 us each to
        make): the law is frozen and its rungs too, so the same tuple serves every child (the route only reads it).
        Kept in the instance's dictionary, outside the dataclass's fields (equality, `replace` and `asdict` do not
        see it)."""
        made = self.__dict__.setdefault("_steps_for", {})
        steps = made.get(appeal_type)
        if steps is None:
            steps = made[appeal_type] = tuple(s if appeal_type not in s.exempt else replace(s, mandatory=False)
                                              for s in self.ladder if s.name != "tribunal")
        return steps


def _mmdd(p: Param) -> tuple[int, int]:
    m, d = str(p.value).split("-")
    return int(m), int(d)


def _count(p: Param, unit: str) -> int:
    """A whole number of `unit` (the schema checks the unit): counted on the calendar, not converted to days."""
    return int(p.value)  # type: ignore[arg-type]


def _whole_working_days(p: Param) -> int:
    """A limit in a whole number of working days, as that count (0 for another unit, or a fraction of a working day,
    which the calendar cannot count: such a limit keeps its conversion at 7/5 of a day)."""
    v = p.value
    if p.unit != "working_days" or isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer():
        return 0
    return int(v)


def compile_law(rs: RuleSet) -> Law:
    t, n, a, c, sp = rs.timeline, rs.naming, rs.appeal, rs.compliance, rs.support_plans
    ladder = tuple(
        LadderStep(name, bool(s.mandatory.value), frozenset(s.exempt_appeal_types.value),  # type: ignore[arg-type]
                   s.time_limit.days(), float(s.servers_per_1000_requests.value),  # type: ignore[arg-type]
                   str(s.resolves_probability.value) if s.resolves_probability.unit == "scenario_field"
                   else float(s.resolves_probability.value),  # type: ignore[arg-type]
                   bool(s.binding.value),
                   _whole_working_days(s.time_limit))
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
        plan_end=_mmdd(t.plan_end),
        transfer_working_days=_count(t.plan_transfer, "working_days"),
        transfer_notice_weeks=_count(t.transfer_notice, "weeks"),
        transfer_review_months=_count(t.transfer_review, "months"),
        s39_settings=frozenset(n.s39_settings.value),  # type: ignore[arg-type]
        s9_regard_only=frozenset(n.s9_regard_only.value),  # type: ignore[arg-type]
        mainstream_presumption=bool(n.mainstream_presumption.value),
        tailored_list=bool(n.tailored_list.value),
        list_coverage={k: float(v.value) for k, v in n.list_coverage.items()},  # type: ignore[arg-type]
        outside_list_accepted=float(n.outside_list_accepted.value),  # type: ignore[arg-type]
        outside_list_appealable=bool(n.outside_list_appealable.value),
        ladder=ladder,
        appeal_after_decision_days=a.deadline_after_decision.days(),
        appeal_after_certificate_days=a.deadline_after_certificate.days(),
        registration_days=a.registration.days(),
        la_response_days=a.la_response.days(),
        written_decision_days=a.written_decision.days(),
        placement_power=str(a.placement_power.value),
        reconsideration_days=a.reconsideration_time.days(),
        compliance_days={
            "assess_notify": c.assess_notify.days(),
            "assess_no_plan": c.assess_no_plan.days(),
            "recommendation_response": c.recommendation_response.days(),
            "refusal_to_assess": c.assess_final.days(),
            "refusal_to_issue": c.issue_final.days(),
            "make_plan_draft": c.issue_draft.days(),
            "contents": c.contents_amend.days(),
            "placement": c.placement_amend.days(),
            "cessation": 0.0,
            "cessation_deferred": c.cessation_deferred.days(),
            "cessation_undisputed": c.cessation_undisputed.days(),
        },
        effects=EffectSizes(**{k: float(v.value) for k, v in rs.effects}),  # type: ignore[arg-type]
        costs=costs,
        isp_eligible_by_need={k: float(v.value) for k, v in sp.eligible_by_need.items()},  # type: ignore[arg-type]
        isp_escalation=float(sp.escalation.value),  # type: ignore[arg-type]
        isp_escalation_delay_days=sp.escalation_delay.days(),
        triple_lock_measured_on=dt.date.fromisoformat(str(sp.triple_lock_measured_on.value)),
        triple_lock_year_group=int(sp.triple_lock_year_group.value),  # type: ignore[arg-type]
        direct_payment_review_days=rs.beyond_school.direct_payment_review.days(),
        complaint_response_days=rs.beyond_school.complaint_response.days(),
        complaint_upheld=float(rs.beyond_school.complaint_upheld.value),  # type: ignore[arg-type]
        ombudsman_decision_days=rs.beyond_school.ombudsman_decision.days(),
        ombudsman_fault_found=float(rs.beyond_school.ombudsman_fault_found.value),  # type: ignore[arg-type]
    )
