"""The case-study file: one child's attributes, the family's choices, and events pinned ("the LA refuses to assess").

The rest of the system runs as in the scenario the file names, so the child waits in the same queues as everyone
else (`analysis.runs.case_study`). Pins that cannot all happen are refused when the file is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .sourced import Strict
from .vocabulary import MEDIATION_OUTCOMES, AuthorityRole, Need, RedressCapacity, Requester, Setting

MediationOutcomePin = Literal[("settled", *MEDIATION_OUTCOMES)]  # type: ignore[valid-type]
# settings a case file may name that the engine models as one of its own (stated in the case's output)
CaseSetting = Literal[("early_years", "specialist_college", "none", *Setting.__args__)]  # type: ignore[attr-defined]
MODELLED_AS = {"early_years": "mainstream", "specialist_college": "independent_special"}


class Pins(Strict):
    """Outcomes fixed for this child; anything not pinned is drawn as for every other child."""

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
    age: Annotated[float, Field(ge=0.0, le=25.0)]
    # the year group at the start (Reception = 0, nursery -1 and -2, Year 12-14 post-16); checked against the age
    year_group: Annotated[int, Field(ge=-2, le=14)] | None = None
    # where the child is now (for a new request; for a plan in force it is the plan's setting): "none" = out of
    # school; early years settings are modelled as mainstream places and independent specialist colleges as
    # independent special places (s.39 if on the s.41 list, else s.9: MODELLED_AS)
    current_setting: CaseSetting | None = None
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


class ExistingPlan(Strict):
    setting: CaseSetting
    first_review_day: Annotated[float, Field(ge=0.0)] = 90.0


class CessationProposal(Strict):
    """The LA proposes to cease the plan at a review (CFA s.45; regs 29-31), for a stated reason."""

    reason: Literal["needs_met", "left_education", "employment", "higher_education", "moved_away",
                    "no_longer_benefits", "age_25"]
    at_review: Literal["first", "every"] = "first"


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


class CaseStudy(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    summary: str
    sources: list[str]
    # a shipped scenario's name (small_la) or a path relative to this file; `case-study --scenario` overrides it
    scenario: str
    local_authority: str | None = None
    # the day the child's route starts: the request for a new request, else the day the plan in force is taken up
    # (default: the scenario's first day); it may fall anywhere within the scenario (a projection to 2035 included).
    # `request_date` is the older name for a new request's start; `case-study --start-date` overrides either
    start_date: dt.date | None = None
    request_date: dt.date | None = None
    existing_plan: ExistingPlan | None = None
    child: CaseChild
    cessation: CessationProposal | None = None
    pinned: Pins = Pins()
    authorities: Authorities | None = None  # a second authority (a move, or a looked-after child placed out of area)
    looked_after: LookedAfter | None = None
    moves: list[Move] = []

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
        """The pins the journey reads, with the cessation proposal as a pinned review outcome."""
        pins = self.pinned.engine_pins()
        if self.cessation is not None:
            pins["review_outcome"] = "cease"
            if self.cessation.at_review == "first":
                pins.setdefault("__first_only__", set()).add("review_outcome")
        return pins


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
    if case.existing_plan is None and ch.current_setting == "none" and not ch.out_of_school and age >= 5.0:
        out.append("child.current_setting: none (no school) needs out_of_school: true")
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
    out += _authority_contradictions(case)
    if p.dispute_cessation is not None and p.review_outcome is None and case.cessation is None:
        out.append("pinned.dispute_cessation: no cessation is pinned or proposed, so it may never apply")
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
                       "not modelled")
        if start is not None and m.date < start:
            out.append(f"moves[{i}].date: {m.date} is before the start {start}")
        if m.transferred_on is not None and m.transferred_on < m.date:
            out.append(f"moves[{i}].transferred_on: {m.transferred_on} is before the move {m.date}")
    lac = case.looked_after
    if lac is not None:
        if lac.since is not None and start is not None and lac.since > start and lac.placed_in == "host" \
                and case.existing_plan is None:
            out.append("looked_after.since: a placement after the start moves a plan in force (existing_plan)")
        if lac.placement_planned is not None and lac.since is not None and lac.placement_planned > lac.since:
            out.append("looked_after.placement_planned: after the placement (looked_after.since)")
    return out
