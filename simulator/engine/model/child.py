"""One child or young person: the attributes that drive the journey, and what has happened to them so far.

A plain slotted object (a national run holds about 1.3 million of them): the route modules read and write its
fields; `analysis.runs.outputs` writes one row per child from them at the end of a replication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...schema.vocabulary import CAPACITIES, NEEDS, PHASES, REQUESTERS
from ..core.resources import Job, Resource

# a child's attributes drawn at creation (Population._attributes), in the order Population._assign reads them
ATTRIBUTES = ("requester", "born", "need", "preferred", "on_s41", "capacity", "health", "social", "exception", "gid",
              "pid")
# the age (years) at which each phase of PHASES but the last ends: compulsory school age at 5, secondary transfer
# at 11, post-16 at 16, post-19 at 19 (CFA 2014 s.46: a plan may run to 25)
PHASE_ENDS = (5.0, 11.0, 16.0, 19.0)
UNKNOWN_REGION = "unknown"
AGE_RANGES = {"under_5": (2.0, 5.0), "age_5_10": (5.0, 11.0), "age_11_15": (11.0, 16.0),
              "age_16_19": (16.0, 20.0), "age_20_25": (20.0, 25.0)}




def age_band(age: float) -> str:
    if age < 5:
        return "under_5"
    if age < 11:
        return "age_5_10"
    if age < 16:
        return "age_11_15"
    if age < 20:
        return "age_16_19"
    return "age_20_25"


def cumulative(shares: list[float]) -> list[float]:
    out, acc = [], 0.0
    for s in shares:
        acc += s
        out.append(acc)
    out[-1] = 1.0
    return out


class Child:
    """One child or young person: attributes that drive the journey, and what happened to them."""

    __slots__ = (
        "id", "la", "stock", "born", "requester", "need", "preferred", "on_s41", "capacity", "health", "social",
        "exception", "t0", "status", "refused", "assessed", "no_plan", "advice_pending", "final_at",
        "final_deadline", "setting", "named_against_wish", "provision_at", "place_job", "place_res",
        "waiting_since", "days_without_provision", "appeals", "mediations", "disputes", "reviews", "ceased_at",
        "dispute", "ladder", "rung", "must_certify", "decision_at", "job", "concede_at", "hearing_at",
        "pending_setting", "transfers", "ordered", "registered_at", "cert_at", "place_seq", "named_ground", "setting_since", "pins",
        "gid", "pid", "disputed_at", "decided_at", "compelled", "compelled_unsettled", "escalated", "how",
        "draft_deadline", "term_start", "place_due", "out_since", "days_awaiting", "days_out",
        "review_due", "review_after",
        "elsewhere", "content",  # a case child educated elsewhere, and its plan's items and budget (issue 25)
        "moved",  # the plan's transfers between authorities (route/moves.py)
    )

    def __init__(self, cid: int, la: int, stock: bool):
        self.id = cid
        self.la = la
        self.stock = stock
        self.elsewhere: dict[str, Any] | None = None
        self.content: dict[str, Any] | None = None
        self.t0 = math.nan
        self.status = "in_progress"
        self.refused = False
        self.assessed = False
        self.no_plan = False
        self.final_at = math.nan
        self.final_deadline = math.nan
        self.provision_at = math.nan
        self.place_job: Job | None = None
        self.place_res: Resource | None = None
        self.waiting_since = math.nan
        self.days_without_provision = 0.0
        self.appeals = 0
        self.mediations = 0
        self.disputes = 0
        self.reviews = 0
        self.ceased_at = math.nan
        self.dispute = ""
        self.ladder: tuple = ()
        self.rung = 0
        self.must_certify = False
        self.decision_at = 0.0
        self.job: Job | None = None
        self.concede_at = math.nan
        self.hearing_at = math.nan
        self.pending_setting = ""
        self.transfers = 0
        self.named_against_wish = False
        self.ordered = False
        self.exception = False
        self.registered_at = math.nan
        self.cert_at = math.nan
        self.place_seq = 0
        self.named_ground = ""
        self.setting_since = math.nan
        self.pins: dict[str, Any] | None = None  # outcomes fixed by a case study
        self.draft_deadline = math.nan  # after an order to make a plan: the draft within 5 weeks (reg 44)
        self.gid = 0  # the child's group: family capacity x requester x need (Population.group_id)
        self.pid = 0  # the child's other group: phase when the route began x the authority's region
        self.disputed_at = math.nan  # the day the open dispute began
        # the school calendar (route/reviews.py): the 1 September on which a setting named for the next phase starts
        # (nan: none pending), the day a scheduled place starts, the day an out-of-school spell began, and the days
        # awaiting a placement (a plan in force, no setting in place) and out of school (no education at all)
        self.term_start = math.nan
        self.place_due = math.nan
        self.out_since = math.nan
        self.days_awaiting = 0.0
        self.days_out = 0.0
        self.decided_at = math.nan  # the day the tribunal decided the open dispute
        self.compelled = False  # in mediation only because it is mandatory
        self.compelled_unsettled = False  # the open dispute went through a compelled mediation that did not settle
        self.escalated = False  # asked for an assessment after a school-level plan
        self.how = ""  # how the last dispute ended for the family (order, concession, mediation, ...)
        # the next review's due day where it is known (nan: a plan in force at the start before its first review),
        # and, after a transfer to another authority (route/moves.py), the day before which no review is held
        self.review_due = math.nan
        self.review_after = math.nan
        # each transfer of the plan to another authority: (day, authority before, authority after; OUTSIDE_RUN for
        # one outside the run), in order; None: never moved (route/moves.py; the per-authority caseloads read it)
        self.moved: list[tuple[float, int, int]] | None = None


def phase_index(age: float) -> int:
    """The index in PHASES of a child of this age (years)."""
    return sum(1 for end in PHASE_ENDS if age >= end)


@dataclass(frozen=True)
class GroupIndex:
    """Children's groups for the equity measures: every combination of family capacity, requester and primary need
    is one integer (`Child.gid`), so a count is kept per group with one list index, and each dimension's groups are
    sums over the combinations. Phase and region are a second, separate combination (`Child.pid`, counted apart),
    so the first one's sums never change order when they are added."""

    needs: tuple[str, ...]
    regions: tuple[str, ...] = (UNKNOWN_REGION,)
    la_region: tuple[int, ...] = ()  # per authority index: its region's index in `regions`

    @property
    def size(self) -> int:
        return len(CAPACITIES) * len(REQUESTERS) * len(self.needs)

    @property
    def cross_size(self) -> int:
        return len(PHASES) * len(self.regions)

    def gid(self, capacity: str, requester: str, need: str) -> int:
        return (CAPACITIES.index(capacity) * len(REQUESTERS) + REQUESTERS.index(requester)) * len(self.needs) \
            + self.needs.index(need)

    def pid(self, age: float, la: int) -> int:
        return phase_index(age) * len(self.regions) + (self.la_region[la] if self.la_region else 0)

    def members(self) -> dict[str, dict[str, list[int]]]:
        """{dimension: {group value: [gid, ...]}} for redress_capacity, requester and primary_need."""
        out: dict[str, dict[str, list[int]]] = {"redress_capacity": {}, "requester": {}, "primary_need": {}}
        for cap in CAPACITIES:
            for req in REQUESTERS:
                for need in self.needs:
                    g = self.gid(cap, req, need)
                    out["redress_capacity"].setdefault(cap, []).append(g)
                    out["requester"].setdefault(req, []).append(g)
                    out["primary_need"].setdefault(need, []).append(g)
        return out

    def cross_members(self) -> dict[str, dict[str, list[int]]]:
        """{dimension: {group value: [pid, ...]}} for phase and region."""
        out: dict[str, dict[str, list[int]]] = {"phase": {}, "region": {}}
        for k, phase in enumerate(PHASES):
            for r, region in enumerate(self.regions):
                p = k * len(self.regions) + r
                out["phase"].setdefault(phase, []).append(p)
                out["region"].setdefault(region, []).append(p)
        return out


def group_index(scenario_needs: list[str], la_regions: list[str] | None = None) -> GroupIndex:
    """The groups of a scenario: its needs, and any need of the vocabulary it does not name (a case-study child);
    its authorities' regions in order of first appearance (an authority with none: "unknown")."""
    names = [r or UNKNOWN_REGION for r in (la_regions or [])]
    regions = tuple(dict.fromkeys(names)) or (UNKNOWN_REGION,)
    return GroupIndex(tuple(dict.fromkeys([*scenario_needs, *NEEDS])), regions,
                      tuple(regions.index(r) for r in names))
