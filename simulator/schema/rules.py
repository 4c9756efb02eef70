"""The rule-set files: the law as data (a baseline), and reforms as named deltas over it.

A baseline rule set (`scenarios/rules/current_2014.yaml`) holds every parameter the journey uses, each with its
value, unit, label and reference (the OpenFisca/PolicyEngine idea). A reform (`green_paper_2022.yaml`, ...) names
its baseline and a set of **switches**; each switch lists the parameters it changes, the new value and the
source, and, where the size of an effect is an assumption, the plausible range. These are the pydantic models of
those files; `rules.law` compiles a validated rule set into the `Law` the engine reads.

Why this module is long: the rule set's every section and the reform's switch are one schema that the loader, the
JSON Schema export and the resolver read together; split, their cross-checks (paths, units, scopes) would be too.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .accountability import AccountabilityMap
from .paths import get_path
from .sourced import Strict
from .text import Cited, Said, shown_char
from .units import TIME_UNITS, to_days
from .vocabulary import APPEAL_TYPES, OTHER_UNITS, PAYERS, SETTINGS, Rung, Setting


def _iso_date(v: object) -> bool:
    try:
        dt.date.fromisoformat(str(v))
    except ValueError:
        return False
    return isinstance(v, str)

RUNGS = Rung  # the ladder's keys (kept under its old name for readers of the rule-set schema)

# Physical upper bounds of a parameter by unit, so an absurd value is refused when the file is read, never inside a
# run (`lead_in_days: 1e308` used to reach the event loop). Each is far beyond any value the law or a reform could
# set: a statutory period of a century, a unit cost of GBP 10 million a year (an independent special place is about
# GBP 62,000), a multiplier of 100, a thousand servers per thousand requests.
MAX_PERIOD_DAYS = 36525.0  # 100 years
MAX_BY_UNIT = {"gbp_per_year": 1e7, "gbp": 1e7, "multiplier": 100.0, "servers_per_1000_requests": 1000.0}

# The effects are checked at validation with bounds of their own (they multiply behaviour): requests are drawn at
# `REQUESTS_MULTIPLIER_MAX` times the rate and thinned (engine/model/population.py), so more is impossible; the other
# multipliers scale probabilities and times, and 10x is far beyond any proposal's stated effect (0.5-1.5).
REQUESTS_MULTIPLIER_MAX = 1.5
EFFECT_BOUNDS: dict[str, tuple[float, float]] = {
    "requests_multiplier": (0.0, REQUESTS_MULTIPLIER_MAX),
    "refuse_to_assess_multiplier": (0.0, 10.0),
    "no_plan_multiplier": (0.0, 10.0),
    "draft_writing_multiplier": (0.0, 10.0),
    "contents_dispute_multiplier": (0.0, 10.0),
    "placement_dispute_multiplier": (0.0, 10.0),
    "special_places_multiplier": (0.0, 10.0),
    "casework_staff_multiplier": (0.0, 10.0),
    "mediation_chosen_multiplier": (0.0, 10.0),
    "la_late_compliance_multiplier": (0.0, 10.0),
}


# the effects the engine reads for each child's authority, so a switch may be scoped to some authorities
SCOPABLE_EFFECTS = ("requests_multiplier", "refuse_to_assess_multiplier", "la_refusal_convergence",
                    "no_plan_multiplier", "draft_writing_multiplier", "contents_dispute_multiplier",
                    "placement_dispute_multiplier", "mediation_chosen_multiplier")


def effect_problem(name: str, value: object) -> str | None:
    """Why an effect's value is out of its bounds (`EFFECT_BOUNDS`), or None."""
    if name not in EFFECT_BOUNDS or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    lo, hi = EFFECT_BOUNDS[name]
    if not lo <= value <= hi:
        return f"got {value!r} (allowed: a number from {lo:g} to {hi:g})"
    return None


def _range_problem(unit: str, rng: tuple[float, float]) -> str | None:
    """Why a parameter's plausible range is impossible for its unit (reversed, negative, beyond the bounds)."""
    lo, hi = rng
    if lo > hi:
        return f"range {list(rng)} must be [low, high] with low <= high"
    if unit == "probability":
        top = 1.0
    elif unit in TIME_UNITS:
        top = MAX_PERIOD_DAYS / to_days(1.0, unit)
    else:
        top = MAX_BY_UNIT.get(unit)
    if top is not None and (lo < 0 or hi > top):
        return f"range {list(rng)} goes beyond what a value in {unit} may be (allowed: from 0 to {top:g})"
    return None


def date_problem(v: object) -> str | None:
    """Why a rule-set date (`MM-DD`, a day of every year) is not a real day, or None. Why not 29 February: the
    date is set in each year the run reaches (a plan's end, a phase transfer's deadline), and '02-29' stopped a run
    reaching 2019 with an internal error (ValueError: day is out of range for month), exit 1 (ninth held-out
    round)."""
    if not (isinstance(v, str) and len(v) == 5 and v[2] == "-" and v[:2].isdigit() and v[3:].isdigit()):
        return f"a date needs 'MM-DD' (got {v!r})"
    if v == "02-29":
        return ("'02-29' is a day only in a leap year (allowed: a day every year has, as 'MM-DD', e.g. '02-28' or "
                "'03-01')")
    try:
        dt.date(2001, int(v[:2]), int(v[3:]))
    except ValueError:
        return f"no such day {v!r} (allowed: a day of the year as 'MM-DD', e.g. '02-15')"
    return None


class Param(Strict):
    """One parameter: value, unit, what it is, and where it comes from (law, document or assumption)."""

    value: float | bool | str | list[str]
    unit: str
    label: Said
    reference: Cited
    assumption: Cited | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _unit_fits(self):
        v = self.value
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if self.unit in TIME_UNITS or self.unit in ("multiplier", "gbp_per_year", "gbp", "servers_per_1000_requests"):
            if not number or v < 0 or not math.isfinite(v):
                raise ValueError(f"a value in {self.unit} needs a number >= 0 (got {v!r})")
            if self.unit in TIME_UNITS and to_days(v, self.unit) > MAX_PERIOD_DAYS:
                raise ValueError(f"got {v!r} {self.unit} (allowed: at most {MAX_PERIOD_DAYS:g} days, a century)")
            if self.unit in MAX_BY_UNIT and v > MAX_BY_UNIT[self.unit]:
                raise ValueError(f"got {v!r} (allowed: a number in {self.unit} from 0 to {MAX_BY_UNIT[self.unit]:g})")
        elif self.unit == "probability":
            if not number or not 0.0 <= v <= 1.0:  # 45 for 0.45: how a percentage is written
                pct = f": a percentage, {v:g}%, is written {v / 100:g}" if number and 1.0 < v <= 100.0 else ""
                raise ValueError(f"got {f'{v:g}' if number else repr(v)} (allowed: a probability, a fraction from 0 to 1{pct})")
        elif self.unit == "flag" and not isinstance(v, bool):
            raise ValueError(f"a flag needs true or false (got {v!r})")
        elif self.unit == "date" and date_problem(v):
            raise ValueError(date_problem(v))
        elif self.unit == "iso_date" and not _iso_date(v):
            raise ValueError(f"a date needs 'YYYY-MM-DD' (got {v!r})")
        elif self.unit == "year_group" and not (number and v == int(v) and -1 <= v <= 14):
            raise ValueError(f"a year group needs a whole number from -1 (nursery) to 14 (got {v!r})")
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
        if self.range is not None:
            why = _range_problem(self.unit, self.range)
            if why:
                raise ValueError(why)
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
    # a post-16 to post-16 move at another time (reg 18(1): at least 5 months before): the accountability map's
    # deadline for it; the route has no such move and does not read it (docs/MODEL.md 2.6c)
    post16_transfer_notice: Param
    health_mediation_inform: Param
    plan_end: Param
    # a plan that moves with the child to another authority (SEND Regs 2014 reg 15, under CFA s.47)
    plan_transfer: Param  # working days from the old authority learning of the move (or the day of the move)
    transfer_notice: Param  # the new authority tells the family whether it will reassess or review
    transfer_review: Param  # the next review: the later of 12 months from the last review and this after the transfer

    # each field checked on its own, so a file with two bad ones gets a line for each (`validate` lists every error;
    # as checks across the block they stopped at the first)
    @field_validator("plan_transfer", "transfer_notice", "transfer_review")
    @classmethod
    def _transfer_units(cls, p: Param, info: ValidationInfo) -> Param:
        """The reg 15 limits are counted on the calendar (working days with bank holidays, calendar months), so each
        needs its own unit and a whole number."""
        unit = {"plan_transfer": "working_days", "transfer_notice": "weeks", "transfer_review": "months"}[info.field_name]
        v = p.value
        if p.unit != unit or not isinstance(v, (int, float)) or isinstance(v, bool) or not float(v).is_integer() \
                or v < 1:
            raise ValueError(f"a whole number of {unit} of at least 1 (got {p.value!r} {p.unit})")
        return p

    @field_validator("phase_transfer_school_deadline", "phase_transfer_post16_deadline")
    @classmethod
    def _before_september(cls, p: Param) -> Param:
        """The next setting is named before the 1 September its phase starts (reg 18): a deadline from 1 September on
        ("10-15") fell after the move it names the setting for, and a case study stopped with an internal error
        (IndexError) (eighth held-out round)."""
        v = p.value
        if isinstance(v, str) and date_problem(v) is None and v >= "09-01":
            raise ValueError(f"{v} falls on or after 1 September, when the new phase starts (allowed: a day from 01-01 "
                             "to 08-31 of the year of the transfer, e.g. 02-15 or 03-31)")
        return p

    @field_validator("decide_to_issue", "final_plan")
    @classmethod
    def _in_the_routes_order(cls, p: Param, info: ValidationInfo) -> Param:
        """The three limits counted from the request come in the route's order (timeline.md 1.1: the decision to
        assess within 6 weeks, the decision to issue within 16, the final plan within 20; SEND Regs 2014 regs 5(1),
        10(1), 13(2)): a final plan due in 10 weeks, before the decision to issue it (16 weeks), was accepted and
        run. Each limit may equal the one before (a reform may merge two steps), never fall before it."""
        before = {"decide_to_issue": "decide_to_assess", "final_plan": "decide_to_issue"}[info.field_name]
        prev = info.data.get(before)
        if prev is None or p.unit not in TIME_UNITS or prev.unit not in TIME_UNITS:
            return p  # the earlier one has its own error, or a unit's error comes from Param itself
        if p.days() < prev.days():
            raise ValueError(f"{p.value:g} {p.unit.replace('_', ' ')} is before timeline.{before} "
                             f"({prev.value:g} {prev.unit.replace('_', ' ')}), the step it follows (allowed: at least "
                             f"{prev.value:g} {prev.unit.replace('_', ' ')}; both are counted from the request)")
        return p

    @field_validator("annual_review_interval")
    @classmethod
    def _review_interval_positive(cls, p: Param) -> Param:
        """A review every 0 months was accepted, and a run stopped with an internal error (ZeroDivisionError)
        (ninth held-out round)."""
        v = p.value
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v <= 0:
            raise ValueError(f"{v:g} {p.unit} (allowed: more than 0; a plan is reviewed within 12 months of the last "
                             "review, CFA s.44(1))")
        return p


class Naming(Strict):
    s39_settings: Param
    s9_regard_only: Param
    mainstream_presumption: Param
    tailored_list: Param
    list_coverage: dict[Setting, Param]  # the chance a family's preferred kind of setting is on its list
    outside_list_accepted: Param  # an out-of-list preference the LA accepts (a setting that can deliver the package)
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
    binding: Param  # does a resolution for the family bind the LA (else it may ignore it and the dispute goes on)
    reference: Cited


class Appeal(Strict):
    deadline_after_decision: Param
    deadline_after_certificate: Param
    registration: Param
    la_response: Param
    written_decision: Param
    placement_power: Param
    reconsideration_time: Param  # under `remit`: how long the LA takes to reconsider a placement sent back to it


class Compliance(Strict):
    assess_notify: Param
    assess_no_plan: Param
    assess_final: Param
    issue_draft: Param
    issue_final: Param
    contents_amend: Param
    placement_amend: Param
    recommendation_response: Param
    cessation_deferred: Param  # a partial agreement on a cessation: the plan kept this long, then ceased
    cessation_undisputed: Param  # a cessation the family does not dispute: the plan kept this long, then ceased


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
    casework_staff_multiplier: Param
    mediation_chosen_multiplier: Param
    school_support_plan_share: Param
    step_down_at_phase_transfer: Param
    protect_special_places: Param
    la_late_compliance_multiplier: Param
    mainstream_restriction_share: Param
    reviews_at_phase_transfer_only: Param

    @field_validator(*EFFECT_BOUNDS)
    @classmethod
    def _bounded(cls, p: Param, info: ValidationInfo) -> Param:
        why = effect_problem(info.field_name or "", p.value)
        if why:
            raise ValueError(why)
        return p


class SupportPlans(Strict):
    """School-level Individual Support Plans (White Paper 2026): who may be diverted to one, who escalates later,
    and the transitional "triple lock" (children in Year 3 or above at the date are not moved to ISP-only)."""

    eligible_by_need: dict[str, Param]  # by primary need: the chance a request is one an ISP could meet
    escalation: Param  # a family or school later asks for an EHC needs assessment after all
    escalation_delay: Param
    triple_lock_measured_on: Param  # iso_date
    triple_lock_year_group: Param


class Cost(Strict):
    amount: Param
    payer: Param


class Costs(Strict):
    """Unit costs and who pays: placements per year, process steps per event."""

    placement_per_year: dict[Setting, list[Cost]]
    assessment: list[Cost]
    annual_review: list[Cost]
    mediation: list[Cost]
    independent_review: list[Cost]
    appeal_conceded: list[Cost]
    hearing: list[Cost]
    school_support_plan: list[Cost]


class BeyondSchool(Strict):
    """Plans of children educated elsewhere, and personal budgets (issue 25): the periods the law leaves open."""

    direct_payment_review: Param  # the LA's review of a refused direct payment, on request
    # a contents dispute with no item in B, F or I has no tribunal route (CFA s.51(2)): its complaints and Ombudsman
    complaint_response: Param  # an NHS or LA (social care) complaint answered, from the family's complaint
    complaint_upheld: Param  # the complaint upheld (else the family goes to the Ombudsman)
    ombudsman_decision: Param  # the PHSO or LGSCO decides, from the family's referral
    ombudsman_fault_found: Param  # the Ombudsman finds fault (a recommendation: it binds no one)


class RuleSet(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_+]+$")]
    label: Said
    description: Said
    timeline: Timeline
    naming: Naming
    redress_ladder: dict[Rung, RedressStep]
    appeal: Appeal
    compliance: Compliance
    effects: Effects
    support_plans: SupportPlans
    costs: Costs
    accountability: AccountabilityMap
    beyond_school: BeyondSchool

    @model_validator(mode="after")
    def _ladder(self):
        if "tribunal" not in self.redress_ladder:
            raise ValueError("redress_ladder needs a tribunal step")
        positions = [s.position for s in self.redress_ladder.values()]
        if len(set(positions)) != len(positions):
            raise ValueError("redress_ladder positions must be distinct")
        doc = self.model_dump(mode="json", exclude={"accountability"})
        acc = self.accountability
        paths = [(f"steps.{n}.deadline", st.deadline) for n, st in acc.steps.items()]
        paths += [(f"steps.{n}.deadline_by_case.{k}", p) for n, st in acc.steps.items()
                  for k, p in st.deadline_by_case.items()]
        paths += [(f"steps.{n}.binds", st.binds) for n, st in acc.steps.items() if st.binds]
        paths += [(f"steps.{n}.assumed_period", st.assumed_period) for n, st in acc.steps.items()
                  if st.assumed_period]
        paths += [(f"routes.{n}.time_limit", rt.time_limit) for n, rt in acc.routes.items()]
        paths += [(f"routes.{n}.binds", rt.binds) for n, rt in acc.routes.items() if isinstance(rt.binds, str)]
        for where, path in paths:
            if path != "none":
                try:
                    node = get_path(doc, path)
                    assert isinstance(node, dict) and "unit" in node
                except (KeyError, AssertionError):
                    raise ValueError(f"accountability.{where}: {path!r} is not a parameter of this rule set "
                                     "(or 'none')") from None
        return self


class Change(Strict):
    """One parameter a switch changes: the new value and where the change comes from."""

    path: str
    value: float | bool | str | list[str]
    source: Cited
    assumption: Cited | None = None
    range: tuple[float, float] | None = None
    multiply: bool = False  # an effect's multiplier compounds with the one in force (two proposals on one lever)

    @model_validator(mode="after")
    def _ranged(self):
        if self.assumption and self.range is None:
            raise ValueError("an assumption needs a plausible `range: [low, high]`")
        if self.multiply and not (self.path.startswith("effects.") and self.path.endswith("_multiplier")):
            raise ValueError("multiply: only an effect's multiplier (effects.*_multiplier) compounds")
        if self.range is not None:  # as a scenario's sourced values (why: [0.5, 0.1], or a value outside its own
            lo, hi = self.range  # range, was accepted and reached the sensitivity runs as stated)
            if lo > hi:
                raise ValueError(f"range: [{lo:g}, {hi:g}] (allowed: [low, high], low first)")
            v = self.value
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not lo <= v <= hi:
                raise ValueError(f"value {v:g} lies outside its stated range [{lo:g}, {hi:g}] (allowed: a value "
                                 "within its range)")
        return self


# The dates a switch may come into force (why: `in_force: 1800-01-01` or `2199-01-01` was accepted and read as "in force
# from the start" or "never", silently). A reform changes the law of the Children and Families Act 2014 Part 3 and the
# SEND Regulations 2014 (the `current_2014` rule set), in force from 1 September 2014: no change to it can be in force
# before. A reform file stands apart from any scenario, so its dates may reach the last day any scenario may run to
# (31 December 2100: a scenario's years end by 2100); a scenario's own `in_force:` dates may reach its own horizon
# (its end_date, or its projection's until_limit, the latest `--until`): a later date could never be seen in its run.
# (Until the third held-out round both stopped at 2040-12-31, the shipped projections' until_limit, which refused a
# date inside a user's own projection to 2073.)
IN_FORCE_FIRST = dt.date(2014, 9, 1)
IN_FORCE_LAST = dt.date(2100, 12, 31)
IN_FORCE_LAST_WHY = "the last day a scenario may run to"


def in_force_allowed(last: dt.date = IN_FORCE_LAST, why: str = IN_FORCE_LAST_WHY) -> str:
    """The allowed window of in-force dates, in words."""
    return f"a date from {IN_FORCE_FIRST} (CFA 2014 Part 3 in force) to {last} ({why})"


def in_force_problem(day: dt.date | str, start: bool = True, last: dt.date = IN_FORCE_LAST,
                     why: str = IN_FORCE_LAST_WHY) -> str | None:
    """Why an in-force date cannot be used ("got 1800-01-01 (allowed: ...)"), or None if it can; `start`: the word
    `start` is allowed too (a date's range has none); `last` and `why`: the latest date allowed and its reason (a
    scenario's own horizon)."""
    if isinstance(day, dt.date) and not IN_FORCE_FIRST <= day <= last:
        return f"got {day} (allowed: {in_force_allowed(last, why)}{', or start' if start else ''})"
    return None


class Switch(Strict):
    """One proposal, applicable on its own, and when it comes into force.

    `in_force` is the date its source gives, or `start` for a proposal never legislated that is modelled as if in
    force from the first day of the run (a hypothetical, said so by every comparison); a scenario may override it
    (`in_force:` in the scenario file). An assumed date carries its range."""

    label: str
    source: Cited
    in_force: dt.date | Literal["start"]
    in_force_source: Cited
    in_force_range: tuple[dt.date, dt.date] | None = None
    # a sensitivity case or an alternative beside the proposals (the seed's asks): applied only when named
    # (`green_paper_2022+no_appeal_outside_list`), never as part of the reform itself
    alternative: bool = False
    # a switch that needs another first (a sensitivity case of a list needs the list): refused without it
    needs: str | None = None
    # a switch tested in some authorities only (the Change Programme, addendum Gap 8), by scenario name or code (in
    # the file: a list, or the name of one of the reform's `authority_lists`): current law elsewhere
    authorities: list[str] | None = None
    authorities_source: Cited | None = None
    changes: Annotated[list[Change], Field(min_length=1)]

    @model_validator(mode="after")
    def _scoped(self):

        if not self.label.strip() or not all(shown_char(c) for c in self.label):  # a no-break space is a space
            raise ValueError(f"label: got {self.label!r} (allowed: the switch's name in words, without control "
                             "characters)")
        for name, day in (("in_force", self.in_force), *(("in_force_range", d) for d in self.in_force_range or ())):
            problem = in_force_problem(day, start=name == "in_force")
            if problem:
                raise ValueError(f"{name}: {problem}")
        if self.in_force_range is not None:  # an assumed date's range, as a sourced value's: [earliest, latest] round it
            lo, hi = self.in_force_range
            if lo > hi:
                raise ValueError(f"in_force_range: [{lo}, {hi}] (allowed: [earliest, latest], earliest first)")
            if isinstance(self.in_force, dt.date) and not lo <= self.in_force <= hi:
                raise ValueError(f"in_force: {self.in_force} lies outside its in_force_range [{lo}, {hi}] (allowed: a "
                                 "date within it)")
        paths = [ch.path for ch in self.changes]
        twice = next((k for k, q in enumerate(paths) if q in paths[:k]), None)
        if twice is not None:  # the later change won without a word (eighth held-out round)
            raise ValueError(f"changes[{twice}].path: {paths[twice]} is changed again (first in changes"
                             f"[{paths.index(paths[twice])}]) (allowed: each parameter once in a switch)")
        if self.authorities is not None:
            if not self.authorities or not self.authorities_source:
                raise ValueError("authorities needs at least one authority and an authorities_source")
            bad = [ch.path for ch in self.changes if ch.path.removeprefix("effects.") not in SCOPABLE_EFFECTS]
            if bad:
                raise ValueError(f"a switch scoped to authorities may change only the effects the engine reads per "
                                 f"authority (allowed: {', '.join('effects.' + e for e in SCOPABLE_EFFECTS)}; got "
                                 f"{', '.join(bad)})")
        return self


class AuthorityList(Strict):
    """Authorities a reform's switches may be scoped to (scenario names or codes), with where the list comes from."""

    source: Cited
    authorities: Annotated[list[str], Field(min_length=1)]


class RuleDelta(Strict):
    """A reform: a named set of switches over a named baseline."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
    label: Said
    description: Said
    baseline: str
    authority_lists: dict[str, AuthorityList] = {}
    switches: dict[str, Switch]

    @model_validator(mode="before")
    @classmethod
    def _named_lists(cls, data: Any) -> Any:
        """A switch scoped by the name of a list gets the list and its source (a name no list has is refused)."""
        if not isinstance(data, dict) or not isinstance(data.get("switches"), dict):
            return data
        lists = data.get("authority_lists") or {}
        switches = {}
        for name, sw in data["switches"].items():
            if isinstance(sw, dict) and isinstance(sw.get("authorities"), str):
                lst = lists.get(sw["authorities"])
                if not isinstance(lst, dict):
                    raise ValueError(f"switches.{name}.authorities: no authority list named {sw['authorities']!r} "
                                     f"(allowed: {', '.join(lists) or 'none'})")
                sw = {**sw, "authorities": lst.get("authorities"),
                      "authorities_source": sw.get("authorities_source") or lst.get("source")}
            switches[name] = sw
        return {**data, "switches": switches}
