"""One child or young person: the attributes that drive the journey, and what has happened to them so far.

A plain slotted object (a national run holds about 1.3 million of them): the route modules read and write its
fields; `analysis.runs.outputs` writes one row per child from them at the end of a replication. In the compiled
core (setup.py) it is an extension type (child.pxd), which the compiled steps read and write as struct fields. Most
fields are Python objects in C struct slots: one never set reads None there, where pure Python raises AttributeError
(no step reads one before setting it). Sixteen are C types: eleven yes/no fields C `bint`s (stock, exception,
refused, assessed, no_plan, named_against_wish, must_certify, ordered, compelled, compelled_unsettled, escalated) and
five whole numbers C `int`s (gid, pid, rung, transfers, place_seq); the id is a C `long long` and the birth day a C
`double` (NaN until the population draws it). These never read None: each is set when the child is made
(`__init__`: the id and stock flag, then `_FRESH_FIELDS`), and read back as the same True, False, int or float the pure
path holds (unset, a C field would read False or 0).
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ..core.cython_shim import cython

import math
from dataclasses import dataclass
from typing import Any

from ...schema.vocabulary import CAPACITIES, NEEDS, PHASES, REQUESTERS

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


# every field of a new child but its id, authority and stock flag, with its first value, in the order
# Child.__init__ sets them (one tuple unpacked: a national year makes half a million children, and a constant
# tuple costs one load instead of one or two a field)
_FRESH_FIELDS: tuple[tuple[str, Any], ...] = (
    ("elsewhere", None),
    ("content", None),
    ("t0", math.nan),
    ("status", "in_progress"),
    ("refused", False),
    ("assessed", False),
    ("no_plan", False),
    ("final_at", math.nan),
    ("final_deadline", math.nan),
    ("provision_at", math.nan),
    ("place_job", None),  # the place held or awaited (a core.resources Job), and its Resource
    ("place_res", None),
    ("waiting_since", math.nan),
    ("days_without_provision", 0.0),
    ("appeals", 0),
    ("mediations", 0),
    ("disputes", 0),
    ("reviews", 0),
    ("ceased_at", math.nan),
    ("dispute", ""),
    ("ladder", ()),
    ("rung", 0),
    ("must_certify", False),
    ("decision_at", 0.0),
    ("job", None),  # the Job of the step under way, if it queues for staff
    ("concede_at", math.nan),
    ("hearing_at", math.nan),
    ("pending_setting", ""),
    ("transfers", 0),
    ("named_against_wish", False),
    ("ordered", False),
    ("exception", False),
    ("registered_at", math.nan),
    ("cert_at", math.nan),
    ("place_seq", 0),
    ("named_ground", ""),
    ("setting_since", math.nan),
    ("pins", None),  # outcomes fixed by a case study
    ("draft_deadline", math.nan),  # after an order to make a plan: the draft within 5 weeks (reg 44)
    ("gid", 0),  # the child's group: family capacity x requester x need (Population.group_id)
    ("pid", 0),  # the child's other group: phase when the route began x the authority's region
    ("disputed_at", math.nan),  # the day the open dispute began
    # the school calendar (route/reviews.py): the 1 September on which a setting named for the next phase starts
    # (nan: none pending), the day a scheduled place starts, the day an out-of-school spell began, and the days
    # awaiting a placement (a plan in force, no setting in place) and out of school (no education at all)
    ("term_start", math.nan),
    ("place_due", math.nan),
    ("out_since", math.nan),
    ("days_awaiting", 0.0),
    ("days_out", 0.0),
    ("decided_at", math.nan),  # the day the tribunal decided the open dispute
    ("compelled", False),  # in mediation only because it is mandatory
    ("compelled_unsettled", False),  # the open dispute went through a compelled mediation that did not settle
    ("escalated", False),  # asked for an assessment after a school-level plan
    ("how", ""),  # how the last dispute ended for the family (order, concession, mediation, ...)
    # the next review's due day where it is known (nan: a plan in force at the start before its first review),
    # and, after a transfer to another authority (route/moves.py), the day before which no review is held
    ("review_due", math.nan),
    ("review_after", math.nan),
    # each transfer of the plan to another authority: (day, authority before, authority after; OUTSIDE_RUN for one
    # outside the run), in order; None: never moved (route/moves.py; the per-authority caseloads read it)
    ("moved", None),
    # the birth day, drawn by the population after the child is made: NaN until then (compiled, a C double, which
    # cannot read None as an unset object field does; set here so that both cores read the same before it is drawn)
    ("born", math.nan),
)
_FRESH = tuple(v for _, v in _FRESH_FIELDS)
if len(_FRESH) != 56:  # `_fresh` reads it without bounds checks, and stores each of these 56 (its fields' count)
    raise ImportError(f"_FRESH_FIELDS has {len(_FRESH)} fields; Child.__init__ and _fresh set 56")


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
        if cython.compiled:  # one C store a field, each of `_FRESH`'s own objects (Cython drops this branch in pure Python)
            _fresh(self)
        else:  # in `_FRESH_FIELDS` order (a test checks it): one tuple unpacked, the fastest in pure Python
            (self.elsewhere, self.content, self.t0, self.status, self.refused, self.assessed, self.no_plan,
             self.final_at, self.final_deadline, self.provision_at, self.place_job, self.place_res,
             self.waiting_since, self.days_without_provision, self.appeals, self.mediations, self.disputes,
             self.reviews, self.ceased_at, self.dispute, self.ladder, self.rung, self.must_certify, self.decision_at,
             self.job, self.concede_at, self.hearing_at, self.pending_setting, self.transfers,
             self.named_against_wish, self.ordered, self.exception, self.registered_at, self.cert_at, self.place_seq,
             self.named_ground, self.setting_since, self.pins, self.draft_deadline, self.gid, self.pid,
             self.disputed_at, self.term_start, self.place_due, self.out_since, self.days_awaiting, self.days_out,
             self.decided_at, self.compelled, self.compelled_unsettled, self.escalated, self.how, self.review_due,
             self.review_after, self.moved, self.born) = _FRESH  # in `_FRESH_FIELDS` order (a test checks it)


@cython.locals(f=tuple)
def _fresh(c: Child) -> None:
    """Every field of `_FRESH_FIELDS` its first value, one C store a field, each of `_FRESH`'s own objects (compiled
    only: `Child.__init__` and `new_child`, on a child just allocated). A field whose first value is None is left as
    the allocation made it, None (tests/test_hot_path.py checks every field of a new child), and `_FRESH` is read
    without bounds checks (56 values, checked at import): a store less a None field, a bounds check less a read, for
    the 350,000 children a national year's start makes."""
    f = _FRESH
    with cython.boundscheck(False), cython.wraparound(False):  # (compiled only: the pure path never calls this)
        c.t0 = f[2]
        c.status = f[3]
        c.refused = f[4]
        c.assessed = f[5]
        c.no_plan = f[6]
        c.final_at = f[7]
        c.final_deadline = f[8]
        c.provision_at = f[9]
        c.waiting_since = f[12]
        c.days_without_provision = f[13]
        c.appeals = f[14]
        c.mediations = f[15]
        c.disputes = f[16]
        c.reviews = f[17]
        c.ceased_at = f[18]
        c.dispute = f[19]
        c.ladder = f[20]
        c.rung = f[21]
        c.must_certify = f[22]
        c.decision_at = f[23]
        c.concede_at = f[25]
        c.hearing_at = f[26]
        c.pending_setting = f[27]
        c.transfers = f[28]
        c.named_against_wish = f[29]
        c.ordered = f[30]
        c.exception = f[31]
        c.registered_at = f[32]
        c.cert_at = f[33]
        c.place_seq = f[34]
        c.named_ground = f[35]
        c.setting_since = f[36]
        c.draft_deadline = f[38]
        c.gid = f[39]
        c.pid = f[40]
        c.disputed_at = f[41]
        c.term_start = f[42]
        c.place_due = f[43]
        c.out_since = f[44]
        c.days_awaiting = f[45]
        c.days_out = f[46]
        c.decided_at = f[47]
        c.compelled = f[48]
        c.compelled_unsettled = f[49]
        c.escalated = f[50]
        c.how = f[51]
        c.review_due = f[52]
        c.review_after = f[53]
        c.born = f[55]


@cython.locals(c=Child)
def new_child(cid: int, la: int, stock: bool) -> Child:
    """`Child(cid, la, stock)`. Compiled, the same child without the call's argument parsing or an int object made for
    the id (a C `long long` to the child's own): the type's allocation (every object field None) and `_fresh`, what
    `Child(...)` runs; about 920 instructions a child by the call (`populate` makes 350,000 in a national year and
    `_arrive` 180,000). Pure Python: the call itself."""
    if cython.compiled:
        c = Child.__new__(Child)
        c.id = cid
        c.la = la
        c.stock = stock
        _fresh(c)
        return c
    return Child(cid, la, stock)


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
