"""The case-study file: one child's attributes, the family's choices, and events pinned ("the LA refuses to assess").

The rest of the system runs as in the scenario the file names, so the child waits in the same queues as everyone
else (`analysis.runs.case_study`). Pins that cannot all happen are refused when the file is read.

Why this module is long: one file kind is one schema, with the checks across its fields that only the whole file
can make (pins that cannot all happen; where the child is educated, the plan's items and the budget, issue 25).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .sourced import Strict
from .text import Cited, Said
from .vocabulary import (
    MEDIATION_OUTCOMES,
    Arrangement,
    AuthorityRole,
    Need,
    PlanSection,
    RedressCapacity,
    Requester,
    Setting,
)

MediationOutcomePin = Literal[("settled", *MEDIATION_OUTCOMES)]  # type: ignore[valid-type]
# settings a case file may name that the engine models as one of its own (stated in the case's output)
CaseSetting = Literal[("early_years", "specialist_college", "none", *Setting.__args__)]  # type: ignore[attr-defined]
MODELLED_AS = {"early_years": "mainstream", "specialist_college": "independent_special"}
# where a child is at a new request, besides the settings a plan can name: a hospital school (a special school or a
# pupil referral unit in a hospital: Education Act 1996 s.19; its head gives the educational advice); only the
# request's start (`child.current_setting`), as the engine draws nothing from it
HOSPITAL_SCHOOL = "hospital_school"
CurrentSetting = Literal[(HOSPITAL_SCHOOL, *CaseSetting.__args__)]  # type: ignore[attr-defined]
# why a plan ceased before a new request (CFA s.45; regs 29-31): each but age 25 (CFA s.46), after which no request
CeasedBecause = Literal["needs_met", "left_education", "employment", "higher_education", "moved_away",
                        "no_longer_benefits"]


class Pins(Strict):
    """Outcomes fixed for this child; anything not pinned is drawn as for every other child. A pin is honoured where
    its event happens: a pinned appeal (`appeal_outcome` or `hearing`) takes the dispute to the tribunal, so a drawn
    mediation or independent review does not settle it first and a compelled family does not give up (MODEL.md
    2.6d-i)."""

    decide_to_assess: Literal["agreed", "refused"] | None = None
    dispute_refusal_to_assess: bool | None = None
    decide_to_issue: Literal["issue", "not_to_issue"] | None = None
    dispute_refusal_to_issue: bool | None = None
    setting_request: Literal["agreed", "refused"] | None = None
    dispute_placement: bool | None = None
    dispute_contents: bool | None = None
    mediation: Literal["chosen", "declined"] | None = None
    mediation_outcome: MediationOutcomePin | None = None
    appeal_outcome: Literal["conceded", "withdrawn", "heard"] | None = None
    hearing: Literal["for_family", "for_la"] | None = None
    review_outcome: Literal["maintain", "amend", "cease"] | None = None
    dispute_cessation: bool | None = None
    phase_transfer: Literal["on_time", "late"] | None = None  # the next setting named after 15 Feb / 31 Mar
    transfer_preferred: Setting | None = None  # the family's preference at a phase transfer (else drawn)
    # the special school named (maintained or independent, a tribunal's order, say) is all-through: at the next
    # phase transfer the LA names the same school and the place is kept; false or unset: the next phase's setting is
    # named afresh, a new decision under reg 18 (whether a school spans both phases is an assumption no source here
    # gives: MODEL.md 2.6j); a child in any other setting has its next setting named afresh either way
    transfer_keeps_setting: bool | None = None
    # a pin holds for every occurrence of its event unless named here as "first" (later occurrences are drawn);
    # in the file either `review_outcome: cease` or `review_outcome: {value: cease, occurrence: first}`
    occurrence: dict[str, Literal["first", "every"]] = {}

    @model_validator(mode="before")
    @classmethod
    def _by_occurrence(cls, data):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        occ = data.get("occurrence") or {}
        if not isinstance(occ, dict):
            raise ValueError(f"occurrence: got {occ!r} (allowed: a mapping from a pin to first or every, e.g. "
                             "occurrence: {review_outcome: first})")
        occ = dict(occ)
        for k, v in list(data.items()):
            if k != "occurrence" and isinstance(v, dict):
                extra = set(v) - {"value", "occurrence"}
                if "value" not in v or extra:
                    raise ValueError(f"{k}: a pin is a value or {{value: ..., occurrence: first|every}}")
                data[k] = v["value"]
                occ[k] = v.get("occurrence", "every")
        data["occurrence"] = occ
        return data

    def engine_pins(self) -> dict:
        """The pins as the journey reads them: {event: value}, and the events pinned for their first time only."""
        pins = {k: v for k, v in self.model_dump(exclude={"occurrence"}).items() if v is not None}
        first = {k for k, o in self.occurrence.items() if o == "first" and k in pins}
        if first:
            pins["__first_only__"] = first
        return pins

    @model_validator(mode="after")
    def _possible(self):
        """Refuse pins that cannot all happen: a step after a route the other pins close."""
        problems = []
        if self.decide_to_assess == "refused" and self.dispute_refusal_to_assess is False:
            for later in ("decide_to_issue", "setting_request", "dispute_placement", "dispute_contents"):
                if getattr(self, later) is not None:
                    problems.append(f"{later} cannot happen: the LA refuses to assess and the family does not "
                                    "dispute it (both pinned)")
        if self.decide_to_issue == "not_to_issue" and self.dispute_refusal_to_issue is False:
            for later in ("setting_request", "dispute_placement", "dispute_contents"):
                if getattr(self, later) is not None:
                    problems.append(f"{later} cannot happen: no plan is issued and the family does not dispute it")
        if self.mediation == "declined" and self.mediation_outcome is not None:
            problems.append("mediation_outcome cannot happen: mediation is declined (pinned)")
        if self.appeal_outcome in ("conceded", "withdrawn") and self.hearing is not None:
            problems.append(f"hearing cannot happen: the appeal is {self.appeal_outcome} before it (pinned)")
        if self.setting_request == "agreed" and self.dispute_placement is True:
            problems.append("dispute_placement cannot happen: the requested setting is agreed (pinned)")
        if self.review_outcome in ("maintain", "amend") and self.dispute_cessation is not None:
            problems.append("dispute_cessation cannot happen: the review does not cease the plan (pinned)")
        unknown = [k for k in self.occurrence if k not in type(self).model_fields or k == "occurrence"]
        if unknown:
            problems.append(f"occurrence: {', '.join(unknown)} is not a pin")
        if self.decide_to_assess == "agreed" and self.dispute_refusal_to_assess is not None:
            problems.append("dispute_refusal_to_assess cannot happen: the LA agrees to assess (pinned)")
        if self.decide_to_issue == "issue" and self.dispute_refusal_to_issue is not None:
            problems.append("dispute_refusal_to_issue cannot happen: the LA issues a plan (pinned)")
        if self.mediation_outcome is not None and self.appeal_outcome is not None \
                and self.mediation_outcome != "not_settled" and self.occurrence.get("mediation_outcome") != "first":
            problems.append(f"appeal_outcome cannot happen: every mediation is {self.mediation_outcome} (pinned), "
                            "so no appeal follows")
        disputes = ("dispute_refusal_to_assess", "dispute_refusal_to_issue", "dispute_placement", "dispute_contents",
                    "dispute_cessation")
        if all(getattr(self, d) is False for d in disputes):
            later = [k for k in ("mediation", "mediation_outcome", "appeal_outcome", "hearing") if getattr(self, k)]
            if later:
                problems.append(f"{', '.join(later)} cannot happen: every dispute is pinned false")
        if problems:
            raise ValueError("impossible pinned events: " + "; ".join(problems))
        return self


class CaseChild(Strict):
    age: Annotated[float, Field(ge=0.0, le=26.0)]
    # the year group at the start (Reception = 0, nursery -1 and -2, Year 12-14 post-16); checked against the age
    year_group: Annotated[int, Field(ge=-2, le=14)] | None = None
    # where the child is now (for a new request; for a plan in force it is the plan's setting): "none" = out of
    # school; early years settings are modelled as mainstream places and independent specialist colleges as
    # independent special places (s.39 if on the s.41 list, else s.9: MODELLED_AS)
    current_setting: CurrentSetting | None = None
    out_of_school: bool = False  # the LA's s.19 duty to arrange education applies (Education Act 1996 s.19)
    excluded: Literal["permanent", "suspended", "part_time_timetable"] | None = None
    requester: Requester = "school"
    need: Need = "ASD"
    preferred: CaseSetting = "mainstream"
    on_s41: bool = False
    capacity: RedressCapacity = "medium"
    health: bool = False
    social: bool = False
    exception: bool = False


REVIEW_INTERVAL_DAYS_MAX = 366.0  # a plan is reviewed at least every 12 months (CFA s.44(1); a leap year's 366 days)


class ExistingPlan(Strict):
    setting: CaseSetting
    # days from the start to the plan's next annual review: within 12 months of the last one (CFA s.44(1)), so at most
    # a year away; a review further off than that is already overdue, not scheduled
    first_review_day: Annotated[float, Field(ge=0.0, le=REVIEW_INTERVAL_DAYS_MAX)] = 90.0


class CessationProposal(Strict):
    """The LA proposes to cease the plan at a review (CFA s.45; regs 29-31), for a stated reason."""

    reason: Literal["needs_met", "left_education", "employment", "higher_education", "moved_away",
                    "no_longer_benefits", "age_25"]
    at_review: Literal["first", "every"] = "first"


class PreviousPlan(Strict):
    """A plan the child had that ceased before this new request (CFA s.45): e.g. ceased at 16 on leaving education,
    then a request at 18 on returning to college. The request is a new request under CFA s.36(1), with its own
    20 weeks (SEND Regs 2014 reg 13(2)); the earlier plan gives it no head start and no right of its own."""

    ceased_age: Annotated[float, Field(ge=0.0, le=26.0)]  # the child's age when the plan ceased
    reason: CeasedBecause


class Education(Strict):
    """Where the child is educated other than at a school the plan names, from `since` (default: the start) to
    `until` (a release from custody, a discharge from hospital, a return to school; default: the run's end)."""

    arrangement: Arrangement  # elective_home_education (CFA s.42(5)), otherwise_than_in_school (s.61),
    # hospital (Education Act 1996 s.19), youth_custody (CFA ss.70-75)
    since: dt.date | None = None
    until: dt.date | None = None
    suitable: bool = True  # elective home education: the parents' arrangements are suitable (s.42(5))
    remanded: bool = False  # youth custody on remand: the child is looked after (LASPO 2012 s.104; CFA s.70(5))
    setting_after: CaseSetting | None = None  # the setting named at `until` (default: the one before)

    @model_validator(mode="after")
    def _fits(self):
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError(f"until: {self.until} is not after since: {self.since}")
        if not self.suitable and self.arrangement != "elective_home_education":
            raise ValueError("suitable: applies to elective_home_education only (CFA s.42(5))")
        if self.remanded and self.arrangement != "youth_custody":
            raise ValueError("remanded: applies to youth_custody only (LASPO 2012 s.104)")
        if self.setting_after is not None and self.until is None:
            raise ValueError("setting_after: give until (the day the setting is named)")
        if self.setting_after == "none":
            raise ValueError("setting_after: none is not a setting (allowed: a setting the plan can name)")
        return self


class PlanItem(Strict):
    """One item of the plan, in its section (SEND Regs 2014 reg 12(1))."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+$")]
    section: PlanSection
    text: str


class ItemDispute(Strict):
    """The family disputes an item: its wording, or its section (`family_says`: an item of G said to educate or
    train belongs in F, CFA s.21(5))."""

    item: str
    family_says: PlanSection | None = None  # default: the item's own section (the wording is disputed)
    why: str = ""


class PlanContent(Strict):
    items: list[PlanItem]
    disputes: list[ItemDispute] = []


class DirectPayment(Strict):
    """A direct payment asked for some items of the budget (CFA s.49(3); Personal Budgets Regs 2014)."""

    items: Annotated[list[str], Field(min_length=1)]
    on_premises: bool = False  # pays for provision on a school's or college's premises: its agreement is needed
    setting_agrees: bool | None = None
    decision: Literal["agreed", "refused"] | None = None  # the LA's (default: agreed unless the setting refuses)
    review: bool = True  # the family asks for a review of a refusal
    ask_after_weeks: Annotated[float, Field(ge=0.0, le=52.0)] = 2.0  # the family's own time to ask
    review_outcome: Literal["upheld", "overturned"] = "upheld"
    then: list[Literal["complaint_la", "lgsco", "judicial_review"]] = ["complaint_la", "lgsco"]


class PersonalBudget(Strict):
    """A personal budget asked for at the draft plan or at a review (CFA s.49(1); Personal Budgets Regs reg 4)."""

    asked_at: Literal["draft", "review"]
    items: Annotated[list[str], Field(min_length=1)]
    direct_payment: DirectPayment | None = None


class Authorities(Strict):
    """Two authorities for one child: `home` (the plan's authority at the start; for a looked-after child usually the
    one that looks after it) and `host` (where the family moves, or where a looked-after child is placed). A name the
    scenario lacks is added to the run from the England scenario, with its own official figures."""

    home: str
    host: str


class Move(Strict):
    """The family moves to the other authority's area with a plan in force: the plan transfers (SEND Regs 2014
    reg 15, under CFA s.47), it is not ceased."""

    date: dt.date
    to: AuthorityRole = "host"
    old_authority_learned: dt.date | None = None  # when the old authority learned of the move (default: the day)
    keeps_school: bool = False  # a short move: the child stays at the school the plan names
    transferred_on: dt.date | None = None  # the day the old authority actually transferred it (default: the last
    notice: Literal["review", "reassess"] = "review"  # lawful day); what the new authority proposes in its notice


class LookedAfter(Strict):
    """A looked-after child (Children Act 1989 s.22): `by` is the corporate parent, which runs the virtual school head;
    `placed_in` is where the child lives, whose authority maintains the plan under CFA s.24 (JG v Kent [2016] EWHC
    1102 (Admin); contested). `since`: the placement's date (default: before the start); a placement after the start
    moves a plan in force as a move does."""

    by: AuthorityRole = "home"
    placed_in: AuthorityRole = "host"
    since: dt.date | None = None
    placement_planned: dt.date | None = None  # when the placing authority decided it (it knew of the move then)


# fields a case-study author may reach for that the model cannot follow honestly: refused in one line saying why and
# what to write instead (docs/MODEL.md 2.6i)
_ONE_CHILD = ("a case file follows one child: twins or siblings are not modelled together (the family's shared "
              "capacity, two requests and two appeals at once are not in the route); write one file per child with "
              "the same moves and dates")
_CLOSES = ("a setting that closes is not modelled: the LA's early review on the change of circumstances, its "
           "proposed amendments and the new setting named (appealable) have no step yet; say the closure in the "
           "summary and pin the next review's outcome (pinned: review_outcome: amend)")
NOT_MODELLED = {"twin": _ONE_CHILD, "twins": _ONE_CHILD, "sibling": _ONE_CHILD, "siblings": _ONE_CHILD,
                "setting_closes": _CLOSES, "school_closes": _CLOSES, "setting_closed": _CLOSES}


class CaseStudy(Strict):
    NOT_MODELLED: ClassVar[dict[str, str]] = NOT_MODELLED
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: Said  # the first line a parent reads (the text, the report, the chart): blank, it was an empty heading
    summary: Said  # (eighth held-out round)
    # where the case's facts come from: at least one, none blank (why: `sources: []` or a blank one ran and the
    # case report's Sources said nothing; ninth held-out round)
    sources: Annotated[list[Cited], Field(min_length=1)]
    # a shipped scenario's name (small_la) or a path relative to this file; `case-study --scenario` overrides it
    scenario: str
    local_authority: str | None = None
    # the day the child's route starts: the request for a new request, else the day the plan in force is taken up
    # (default: the scenario's first day); it may fall anywhere within the scenario (a projection to 2035 included).
    # `request_date` is the older name for a new request's start; `case-study --start-date` overrides either
    start_date: dt.date | None = None
    request_date: dt.date | None = None
    existing_plan: ExistingPlan | None = None
    previous_plan: PreviousPlan | None = None  # a plan that ceased before this new request (CFA s.45, s.36)
    child: CaseChild
    cessation: CessationProposal | None = None
    pinned: Pins = Pins()
    authorities: Authorities | None = None  # a second authority (a move, or a looked-after child placed out of area)
    looked_after: LookedAfter | None = None
    moves: list[Move] = []
    education: Education | None = None  # educated elsewhere than at a named school (issue 25)
    plan: PlanContent | None = None  # the plan's items by section, and the items disputed
    personal_budget: PersonalBudget | None = None

    @model_validator(mode="after")
    def _start(self):
        if self.request_date is not None and self.start_date is not None:
            raise ValueError("request_date: give start_date or request_date (its older name), not both")
        if self.existing_plan is not None and self.request_date is not None:
            raise ValueError("request_date: a plan already in force (existing_plan) has no request; use start_date")
        if self.existing_plan is None and self.request_date is None and self.start_date is None:
            raise ValueError("start_date: give start_date (the day of the request) for a new request, or "
                             "existing_plan (a plan already in force)")
        problems = _contradictions(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def is_request(self) -> bool:
        """A new request (rather than a plan already in force)."""
        return self.existing_plan is None

    @property
    def start(self) -> dt.date | None:
        """The route's start date as the file gives it (None: the scenario's first day)."""
        return self.start_date or self.request_date

    def pins(self) -> dict:
        """The pins the journey reads, with the cessation proposal as a pinned review outcome (and a contents
        dispute when items are disputed)."""
        pins = self.pinned.engine_pins()
        if self.plan is not None and self.plan.disputes:
            pins.setdefault("dispute_contents", True)
        if self.cessation is not None:
            pins["review_outcome"] = "cease"
            if self.cessation.at_review == "first":
                pins.setdefault("__first_only__", set()).add("review_outcome")
        return pins


    def engine_content(self) -> dict | None:
        """The plan's disputed items and the budget as the journey reads them (`Child.content`; a fresh copy for
        each run, since the journey marks the budget done)."""
        if self.plan is None and self.personal_budget is None:
            return None
        ids = {i.id: i.section for i in self.plan.items} if self.plan is not None else {}
        disputes = [{"item": d.item, "section": ids[d.item], "family_says": d.family_says or ids[d.item]}
                    for d in (self.plan.disputes if self.plan is not None else [])]
        pb, budget = self.personal_budget, None
        if pb is not None:
            dp = None
            if pb.direct_payment is not None:
                dp = pb.direct_payment.model_dump()
                dp["ask_after_days"] = dp.pop("ask_after_weeks") * 7.0
            budget = {"asked_at": pb.asked_at, "items": list(pb.items), "direct_payment": dp}
        return {"items": ids, "disputes": disputes, "budget": budget}

    def engine_elsewhere(self, scenario_start: dt.date, start: dt.date) -> tuple[float, dict] | None:
        """(the day the arrangement starts, its spec) in days from the scenario's first day, or None."""
        ed = self.education
        if ed is None:
            return None
        on = ed.since or start
        until = None if ed.until is None else float((ed.until - scenario_start).days)
        return float((on - scenario_start).days), {
            "arrangement": ed.arrangement, "suitable": ed.suitable, "remanded": ed.remanded, "until_day": until,
            "at_request": self.is_request,
            "setting_after": MODELLED_AS.get(ed.setting_after, ed.setting_after) if ed.setting_after else None}


def year_group_of(age: float, on: dt.date) -> int:
    """The year group of a child of `age` on the date `on`: Reception (0) for those aged 4 on the last 1 September
    (the school year follows the age on 1 September)."""
    sept = dt.date(on.year if on.month >= 9 else on.year - 1, 9, 1)
    return int(age - (on - sept).days / 365.25 + 1e-9) - 4


def _contradictions(case: CaseStudy) -> list[str]:
    """Combinations a case file cannot mean: each names the field and why."""
    ch, p, out = case.child, case.pinned, []
    age = ch.age
    setting = ch.current_setting if case.existing_plan is None else case.existing_plan.setting
    where = "child.current_setting" if case.existing_plan is None else "existing_plan.setting"  # the field set
    if (ch.out_of_school or ch.excluded == "permanent") and setting not in (None, "none", "alternative_provision"):
        why = "child.out_of_school: true" if ch.out_of_school else "child.excluded: permanent"
        out.append(f"{where}: {setting} contradicts {why} (use none or alternative_provision)")
    for field, value in ((where, setting), ("child.preferred", ch.preferred)):
        if value == "early_years" and age >= 5.5:
            out.append(f"{field}: early_years is for children under compulsory school age (age {age:g})")
        if value in ("specialist_college", "post16") and age < 15.5:
            out.append(f"{field}: {value} is a post-16 setting (age {age:g})")
    if ch.preferred == "none":
        out.append("child.preferred: none is not a setting a family can request")
    lo, hi = YOUNG_PERSON_AGES
    if ch.requester == "young_person" and age < lo:  # CFA s.36(1): the request of a child is made by its parent
        out.append(f"child.requester: young_person is for a young person over compulsory school age (16 to 25), not "
                   f"a child of {age:g} (allowed: parent, school or other)")
    if case.existing_plan is not None and case.start is not None:
        ended = plan_ended(case, case.start)
        if ended:
            out.append(ended)
    if case.existing_plan is None and age >= hi:
        out.append(f"child.age: a request for a young person of {age:g} (allowed: under {hi:g}: requests are for "
                   "children and young people up to 25, CFA s.36(1); a plan already in force is given by existing_plan)")
    lo_s, hi_s = COMPULSORY_SCHOOL_AGES
    home_educated = case.education is not None and case.education.arrangement == "elective_home_education"
    if case.existing_plan is None and ch.current_setting == "none" and not ch.out_of_school and lo_s <= age < hi_s \
            and not home_educated:
        out.append("child.current_setting: none (no school) needs out_of_school: true, the LA's duty to arrange "
                   "education for a child of compulsory school age with none (Education Act 1996 s.19) (allowed: "
                   "out_of_school: true, or a setting; a child educated at home by the parents' choice is written "
                   "education: {arrangement: elective_home_education}, with existing_plan if a plan is in force: "
                   "out_of_school would count weeks with no education)")
    if case.existing_plan is not None and ch.current_setting == HOSPITAL_SCHOOL:
        out.append("child.current_setting: hospital_school is where a child is at a new request; a plan in force "
                   "names its setting in existing_plan.setting (a stay in hospital with a plan in force is education: "
                   "{arrangement: hospital})")
    out += _previous_plan(case)
    if ch.out_of_school and not lo_s <= age < COMPULSORY_SCHOOL_END_LATEST:
        out.append(f"child.out_of_school: the LA's duty to arrange education (Education Act 1996 s.19(1)) is owed to a "
                   f"child of compulsory school age, {lo_s:g} to the end of the school year the child turns 16 (at "
                   f"most {COMPULSORY_SCHOOL_END_LATEST:g}), not at {age:g} (allowed: false; no setting is "
                   "current_setting: none)")
    if case.existing_plan is not None:
        for k in ("decide_to_assess", "dispute_refusal_to_assess", "decide_to_issue", "dispute_refusal_to_issue"):
            if getattr(p, k) is not None:
                out.append(f"pinned.{k} cannot happen: the plan is already in force (existing_plan)")
        if case.existing_plan.setting == "none":
            out.append("existing_plan.setting: a plan in force names a setting (none is not one)")
    if case.cessation is not None:
        if case.existing_plan is None and p.decide_to_issue == "not_to_issue":
            out.append("cessation: no plan is issued (pinned decide_to_issue: not_to_issue)")
        if p.review_outcome in ("maintain", "amend"):
            out.append(f"cessation: the reviews are pinned to {p.review_outcome}")
        if case.cessation.reason == "age_25" and age < 24.0:
            out.append(f"cessation.reason: age_25 for a young person of {age:g}")
        if case.cessation.reason in YOUNG_PERSON_REASONS and age < lo:
            # fifth held-out round: "employment" for a child of 8 ran, its plan ceased at the first review
            out.append(f"cessation.reason: {case.cessation.reason} is a young person's (over compulsory school age), "
                       f"not a child of {age:g}'s (allowed: needs_met or no_longer_benefits; a child educated at home "
                       "keeps the plan: education: {arrangement: elective_home_education})")
    out += _authority_contradictions(case)
    out += _beyond_school(case)
    if p.dispute_cessation is not None and p.review_outcome is None and case.cessation is None:
        out.append("pinned.dispute_cessation: no cessation is pinned or proposed, so it may never apply")
    return out


# compulsory school age (Education Act 1996 s.8): from 5 to the last Friday in June of the school year in which the
# child turns 16, so it ends between 15.8 years old (a birthday on 31 August) and 16.8 (on 1 September); a case gives an
# age, not a birthday: a child of 5 to 15.8 is certainly of it (no school then needs out_of_school: true), and the
# s.19 duty to a child out of school (s.19(1)) may be owed up to 16.8, refused only from there
COMPULSORY_SCHOOL_AGES = (5.0, 15.8)
COMPULSORY_SCHOOL_END_LATEST = 16.8
# a young person: over compulsory school age (which ends in the school year the child turns 16: 15.5 here, as the
# post-16 settings above) and under 25 (shared/domain/timeline.md row 1: "young person (16-25)", CFA s.36(1))
YOUNG_PERSON_AGES = (15.5, 25.0)
PLAN_END_MMDD = (7, 31)  # the end of the academic year a plan may run to after the 25th birthday (CFA s.46)
# cessation reasons that only a young person can have: a child of compulsory school age is not employed, in higher
# education or out of education (the plan of a child educated at home stays, CFA s.42(5))
YOUNG_PERSON_REASONS = ("employment", "higher_education", "left_education")
BUDGET_SECTIONS = ("F", "G", "H1", "H2")  # the provision a personal budget may cover (CFA s.49; reg 12)
YOUTH_CUSTODY_AGES = (10.0, 18.0)  # the age of criminal responsibility to 18 (relevant youth accommodation, s.70)


# a new request for a child educated elsewhere than at a school, refused with why (ileftE): the arrangement is a
# plan's, or the request is another route the model does not have
NEW_REQUEST_REFUSED = {
    "otherwise_than_in_school": (
        "education otherwise than in a school is the plan's own arrangement (Section I naming no school, EOTAS: "
        "addendum 7.2; CFA s.61), so it needs a plan in force (allowed: existing_plan; a child with no school at the "
        "request is child.current_setting: none with out_of_school: true, the LA's duty under Education Act 1996 "
        "s.19, practice.md: the s.19 row and 'Kai', or current_setting: alternative_provision)"),
    "youth_custody": (
        "for a detained child the home authority assesses the needs the child will have on release (CFA s.71; "
        "not in the shared sources: UNVERIFIED), a route of its own that the model does not have (allowed: "
        "existing_plan, a plan kept while the child is detained, CFA s.74; or the request made after the release, "
        "a request_date after it)"),
}


def _beyond_school(case: CaseStudy) -> list[str]:
    """Contradictions in the fields of issue 25: where the child is educated, the plan's items, the budget."""
    out, ed, plan, pb = [], case.education, case.plan, case.personal_budget
    if ed is not None:
        if case.existing_plan is None and ed.arrangement in NEW_REQUEST_REFUSED:
            out.append(f"education: {ed.arrangement} at a new request: {NEW_REQUEST_REFUSED[ed.arrangement]}")
        elif case.existing_plan is None and ed.arrangement != "elective_home_education":
            where = (" (a child in a hospital school at the request is child.current_setting: hospital_school)"
                     if ed.arrangement == "hospital" else "")
            out.append(f"education: {ed.arrangement} applies to a plan in force (give existing_plan){where}; a new "
                       "request takes elective_home_education only (allowed: elective_home_education, or "
                       "existing_plan)")
        elif case.existing_plan is None:
            out += _home_educated_request(case, ed)
        start = case.start
        if ed.since is not None and start is not None and ed.since < start:
            out.append(f"education.since: {ed.since} is before start_date {start}")
        if ed.since is None and ed.until is not None and start is not None and ed.until <= start:
            # fifth held-out round: an until before the start (since left to the start) ran a spell of no days
            out.append(f"education.until: {ed.until} is not after start_date {start}, when the arrangement begins "
                       f"(no since given) (allowed: a date after {start})")
        lo, hi = YOUTH_CUSTODY_AGES
        if ed.arrangement == "youth_custody" and not lo <= case.child.age < hi:
            out.append(f"education.arrangement: youth_custody is for ages {lo:g} to {hi - 1:g} (age {case.child.age:g})")
    ids = {i.id: i.section for i in plan.items} if plan is not None else {}
    if plan is not None:
        if len(ids) != len(plan.items):
            out.append("plan.items: two items share an id")
        for d in plan.disputes:
            if d.item not in ids:
                out.append(f"plan.disputes: no item {d.item!r} (allowed: {', '.join(ids) or 'none'})")
        if plan.disputes and case.pinned.dispute_contents is False:
            out.append("plan.disputes: the family disputes items, but pinned.dispute_contents is false")
    if pb is not None:
        if pb.asked_at == "draft" and case.existing_plan is not None:
            out.append("personal_budget.asked_at: draft needs a new request (the plan is in force: use review)")
        for k in pb.items:
            if k not in ids:
                out.append(f"personal_budget.items: no item {k!r} in plan.items (allowed: {', '.join(ids) or 'none'})")
            elif ids[k] not in BUDGET_SECTIONS:
                out.append(f"personal_budget.items: {k} is in section {ids[k]} (allowed: items of "
                           f"{', '.join(BUDGET_SECTIONS)})")
        dp = pb.direct_payment
        if dp is not None:
            extra = [k for k in dp.items if k not in pb.items]
            if extra:
                out.append(f"personal_budget.direct_payment.items: {', '.join(extra)} not in the budget's items")
            if dp.on_premises and dp.setting_agrees is None:
                out.append("personal_budget.direct_payment.setting_agrees: give true or false (provision on a "
                           "school's or college's premises needs its agreement)")
            if dp.on_premises and dp.setting_agrees is False and dp.decision == "agreed":
                out.append("personal_budget.direct_payment.decision: agreed cannot happen: the setting does not agree "
                           "to provision on its premises")
            if dp.on_premises and dp.setting_agrees is False and dp.review_outcome == "overturned":
                out.append("personal_budget.direct_payment.review_outcome: overturned cannot happen: the setting does "
                           "not agree to provision on its premises, which the LA's review cannot change (allowed: "
                           "upheld, or setting_agrees: true)")
    return out


def _home_educated_request(case: CaseStudy, ed: Education) -> list[str]:
    """A new request for a child home-educated by the parents' choice: what it cannot mean."""
    out, ch = [], case.child
    if ch.current_setting not in (None, "none"):
        out.append(f"child.current_setting: {ch.current_setting} contradicts education: elective_home_education (a "
                   "child educated at home attends no school) (allowed: none)")
    if ch.out_of_school:
        out.append("child.out_of_school: a child educated at home by the parents' choice is receiving education (not "
                   "the LA's s.19 duty to a child out of school) (allowed: false)")
    if ed.since is not None and case.start is not None and ed.since != case.start:
        out.append(f"education.since: {ed.since}: a new request for a home-educated child starts home-educated "
                   f"(allowed: {case.start}, the start_date, or leave it out)")
    if ed.until is not None and ed.setting_after is None:
        out.append("education.setting_after: give the setting the child goes to at until (a new request has no "
                   "setting before the plan)")
    return out


def _previous_plan(case: CaseStudy) -> list[str]:
    """A plan that ceased before a new request: what it cannot mean."""
    pp = case.previous_plan
    if pp is None:
        return []
    out = []
    if case.existing_plan is not None:
        out.append("previous_plan: a plan that ceased before a new request; a plan in force is existing_plan (give "
                   "one, not both)")
    if pp.ceased_age >= case.child.age:
        out.append(f"previous_plan.ceased_age: {pp.ceased_age:g} is not before the request at age "
                   f"{case.child.age:g} (allowed: below {case.child.age:g})")
    return out


def _authority_contradictions(case: CaseStudy) -> list[str]:
    """Two authorities: what a move or a placement cannot mean."""
    a, out = case.authorities, []
    if case.cessation is not None and case.cessation.reason == "moved_away" and case.existing_plan is not None:
        out.append("cessation.reason: moved_away does not end a plan in force: it transfers to the new authority "
                   "(SEND Regs 2014 reg 15); give authorities and moves instead")
    if a is None:
        if case.moves or case.looked_after is not None:
            out.append("authorities: a move or a looked-after placement needs authorities: {home: ..., host: ...}")
        return out
    if a.home == a.host:
        out.append(f"authorities.host: {a.host} is also home (allowed: another authority)")
    if case.local_authority is not None and case.local_authority != a.home:
        out.append(f"local_authority: {case.local_authority} differs from authorities.home {a.home} (give one)")
    start = case.start
    for i, m in enumerate(case.moves):
        if case.existing_plan is None:
            out.append(f"moves[{i}]: a move transfers a plan in force (existing_plan); a move during an assessment is "
                       "not modelled (allowed: moves with existing_plan)")
        if start is not None and m.date < start:
            out.append(f"moves[{i}].date: {m.date} is before the start {start}")
        if m.transferred_on is not None and m.transferred_on < m.date:
            out.append(f"moves[{i}].transferred_on: {m.transferred_on} is before the move {m.date}")
        elif m.transferred_on is not None and m.old_authority_learned is not None \
                and m.transferred_on < m.old_authority_learned:  # ran, the transfer shown days before the old
            # authority knew of the move (eighth held-out round)
            out.append(f"moves[{i}].transferred_on: {m.transferred_on} is before the old authority learned of the move "
                       f"({m.old_authority_learned}): it cannot transfer the plan for a move it does not know of "
                       f"(allowed: {m.old_authority_learned} or later)")
    out += _where_the_child_lives(case)
    lac = case.looked_after
    if lac is not None:
        if lac.since is not None and start is not None and lac.since > start and lac.placed_in == "host" \
                and case.existing_plan is None:
            out.append("looked_after.since: a placement after the start moves a plan in force (existing_plan)")
        if lac.placement_planned is not None and lac.since is not None and lac.placement_planned > lac.since:
            out.append("looked_after.placement_planned: after the placement (looked_after.since)")
    return out


def _where_the_child_lives(case: CaseStudy) -> list[str]:
    """Each move goes to the other authority's area: a move to the area the child already lives in (the first move
    `to: home`, or two moves in a row to the same place) transfers nothing, so it is refused rather than drawn as a
    transfer from the authority the child never lived in. The child starts in the home area, or in the host's where a
    looked-after child is already placed there; a placement after the start moves the child to the host's area."""
    a, lac = case.authorities, case.looked_after
    if a is None or not case.moves:
        return []
    start = case.start or dt.date.min
    placed_host = lac is not None and lac.placed_in == "host"
    here = "host" if placed_host and (lac.since is None or lac.since <= start) else "home"  # type: ignore[union-attr]
    changes: list[tuple[dt.date, int, int | None]] = [(m.date, 1, i) for i, m in enumerate(case.moves)]
    if placed_host and lac.since is not None and lac.since > start:  # type: ignore[union-attr]
        changes.append((lac.since, 0, None))  # type: ignore[union-attr]
    out, name = [], {"home": a.home, "host": a.host}
    for _day, _order, i in sorted(changes, key=lambda c: (c[0], c[1], c[2] or 0)):
        if i is None:
            here = "host"
            continue
        m = case.moves[i]
        if m.to == here:
            other = "host" if here == "home" else "home"
            out.append(f"moves[{i}].to: {m.to} ({name[m.to]}) is where the child already lives on {m.date} (allowed: "
                       f"{other}, the other authority)")
        here = m.to
    return out


def plan_ended(case: CaseStudy, start: dt.date) -> str | None:
    """`child.age: ...` when a plan in force on `start` (a case's start, or `--start-date`) would have ended before
    it: CFA s.46 keeps a plan to the end of the academic year in which the young person turns 25 (31 July), so a
    young person of up to about 25.9 may still have one (fourth held-out round: 25.3 was refused though the plan was
    in force, the bound being 25; 25.9 kept a plan that had ended)."""
    age, hi = case.child.age, YOUNG_PERSON_AGES[1]
    if case.existing_plan is None or age <= hi:
        return None
    birthday = start - dt.timedelta(days=round((age - hi) * 365.25))
    end = dt.date(birthday.year + (1 if (birthday.month, birthday.day) > PLAN_END_MMDD else 0), *PLAN_END_MMDD)
    if end >= start:
        return None
    year_began = dt.date(start.year - (1 if (start.month, start.day) <= PLAN_END_MMDD else 0),
                         PLAN_END_MMDD[0] + 1, 1)  # the 1 August the start's academic year began
    most = math.floor((hi + (start - year_began).days / 365.25) * 100) / 100
    return (f"child.age: {age:g} on {start}: the plan ended on {end}, at the end of the academic year in which the "
            f"young person turned 25 (CFA s.46), before the start (allowed: at most {most:g}, a 25th birthday in this "
            "academic year, with the plan in force to 31 July)")
