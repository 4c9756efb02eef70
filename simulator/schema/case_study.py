"""The case-study file: one child's attributes, the family's choices, and events pinned ("the LA refuses to assess").

The rest of the system runs as in the scenario the file names, so the child waits in the same queues as everyone
else (`analysis.case_study`). Pins that cannot all happen are refused when the file is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .sourced import Strict
from .vocabulary import Need, RedressCapacity, Requester, Setting


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
    mediation_outcome: Literal["settled", "not_settled"] | None = None
    appeal_outcome: Literal["conceded", "withdrawn", "heard"] | None = None
    hearing: Literal["for_family", "for_la"] | None = None
    review_outcome: Literal["maintain", "amend", "cease"] | None = None
    dispute_cessation: bool | None = None

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
        if problems:
            raise ValueError("impossible pinned events: " + "; ".join(problems))
        return self


class CaseChild(Strict):
    age: Annotated[float, Field(ge=0.0, le=25.0)]
    requester: Requester = "school"
    need: Need = "ASD"
    preferred: Setting = "mainstream"
    on_s41: bool = False
    capacity: RedressCapacity = "medium"
    health: bool = False
    social: bool = False
    exception: bool = False


class ExistingPlan(Strict):
    setting: Setting
    first_review_day: Annotated[float, Field(ge=0.0)] = 90.0


class CaseStudy(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    summary: str
    sources: list[str]
    scenario: str
    local_authority: str | None = None
    request_date: dt.date | None = None
    existing_plan: ExistingPlan | None = None
    child: CaseChild
    pinned: Pins = Pins()

    @model_validator(mode="after")
    def _start(self):
        if (self.request_date is None) == (self.existing_plan is None):
            raise ValueError("give either request_date (a new request) or existing_plan (a plan already in force)")
        return self
