"""What a replication records: the event log (one named row per event) and the counts the metrics are made of.

Both are contracts with the analysis layer, so both are declared here: an event row is an `EventRow` with named
fields, and every count has a declared name (below) that the metric registry (`analysis.runs.metrics`) reads back.
A count the journey adds under an undeclared name would never reach a metric; a test checks every name the
route modules count is declared here.

Why this module is long: it is one of the compiled core's modules (records.pxd), so what a replication records on
its hot paths lives here together: the event log (`Recorder`, and the helpers that turn its rows and the children
into columns cheaply: `fields_of`, `journey_arrays`, `small_codes`), the declared count names and the counts (`Counters`).
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: `cython.compiled` is False (the pure path)
    from ..core.cython_shim import cython

import datetime as dt
from array import array
from bisect import bisect_right
from collections.abc import Callable
from math import copysign, nan
from typing import Any, NamedTuple

from ...schema.units import DAYS_PER_WEEK
from ...schema.vocabulary import APPEAL_TYPES, DESTINATIONS, MEDIATION_OUTCOMES, PAYERS
from ..core.calendar import Calendar
from .child import Child


class EventRow(NamedTuple):
    """One event of a child's journey: who, where, when, which step, what happened, who held the duty, and the
    statutory deadline with whether it was met (NaN and None where the step has no deadline)."""

    child: int
    la: int
    day: float
    step: str
    event: str
    duty_holder: str
    deadline_day: float = nan
    deadline_met: bool | None = None


EVENT_COLUMNS = EventRow._fields


class DisputeEnd(NamedTuple):
    """One dispute that ended: whose, about what, when it began and ended, how (`outcome`, the step's own word),
    when an appeal was lodged and decided (NaN if never), and whether, under this rule set, the family went through
    a compelled mediation that did not settle (the group a comparison pairs with the same disputes under the
    baseline). `ending` classes `outcome` for the measures of how disputes end (`ENDING_OF`)."""

    child: Any
    number: int  # the child's dispute count when this one began (its disputes are one at a time)
    kind: str
    disputed_at: float
    ended_at: float
    outcome: str
    decided_at: float
    lodged_at: float
    compelled_unsettled: bool

    @property
    def ending(self) -> str:
        return ENDING_OF[self.outcome]

    @property
    def key(self) -> int:
        """The dispute's identity across rule sets (common random numbers): the child and its dispute's number."""
        return self.child.id * 64 + min(self.number, 63)


# how a dispute ended, from the outcome word of the step that ended it: for the family (an agreement, a concession, a
# review followed), partly (a partial agreement), the family accepting the LA's position, the family giving up (at a
# compelled step, or withdrawing its appeal), or the tribunal's decision (wholly or partly for the family: no source
# splits the two; or for the LA). Disputes open at the end are counted apart (`disputes_open_end`).
ENDINGS = ("for_family", "partial", "accepted", "gave_up", "tribunal_for_family", "tribunal_for_la")
GAVE_UP_AT = {"dropped_out_mediation": "mediation", "dropped_out_independent_review": "independent_review",
              "withdrawn": "tribunal"}
# a dispute with no tribunal route (health, social care, outcomes or the budget alone: CFA s.51(2); route/content.py)
# ends at its complaints and Ombudsman: for the family if a complaint was upheld or the Ombudsman found fault, else the
# plan stands as it is (classed with the family accepting the LA's position: no further step short of judicial review)
NO_TRIBUNAL_FOR_FAMILY, NO_TRIBUNAL_STANDS = "no_tribunal_route_for_family", "no_tribunal_route_plan_stands"
ENDING_OF = {"mediation": "for_family", "independent_review": "for_family", "concession": "for_family",
             "partial": "partial", "family_accepts": "accepted", **dict.fromkeys(GAVE_UP_AT, "gave_up"),
             "order": "tribunal_for_family", "for_la": "tribunal_for_la",
             NO_TRIBUNAL_FOR_FAMILY: "for_family", NO_TRIBUNAL_STANDS: "accepted"}
REMEDY_ENDINGS = frozenset({"for_family", "partial", "tribunal_for_family"})  # an outcome in the family's favour

# ---------------------------------------------------------------------------------------------- counts
# demand and assessment
REQUESTS = "requests"
REFUSED = "refused"  # by the day of the decision
REFUSED_BY_REQUEST_YEAR = "refused_by_request_year"  # by the day of the request, as SEN2 counts refusals
DECIDED_TO_ASSESS = "decided_to_assess"
REQUEST_WITHDRAWN = "request_withdrawn"
ASSESSMENT_WITHDRAWN = "assessment_withdrawn"
ASSESSMENT_LAPSED = "assessment_lapsed"
ASSESSED_NO_PLAN = "assessed_no_plan"
DECIDED_TO_ISSUE = "decided_to_issue"
SCHOOL_SUPPORT_PLANS = "school_support_plans"
ISP_ESCALATIONS = "isp_escalations"  # requests for an assessment after a school-level plan
# plans
NEW_PLANS = "new_plans"
NEW_PLANS_EXCL_EXCEPTIONS = "new_plans_excl_exceptions"
WITHIN_LIMIT_EXCL_EXCEPTIONS = "within_20_weeks_excl_exceptions"  # within the rule set's final-plan limit
OVER_1_YEAR_EXCL_EXCEPTIONS = "over_1_year_excl_exceptions"
PLACEMENT_OUTSIDE_LIST_NO_APPEAL = "placement_outside_list_no_appeal"
PLANS_CEASED = "plans_ceased"
# plans that moved to another authority with the child (SEND Regs 2014 reg 15): not ceased, counted apart; SEN2
# counts them among plans ceased (`ceased_plans.csv` column `transfer`), so a comparison adds the two
PLANS_TRANSFERRED_OUT = "plans_transferred_out"
PLANS_TRANSFERRED_IN = "plans_transferred_in"
OUTSIDE_RUN = -1  # the authority, in `Child.moved`, of a plan that left or arrived from outside a run of one authority
PLANS_ENDED_16_PLUS = "plans_ended_16_plus"  # plans ceased or ended at 16 or over: the destinations' denominator
DESTINATION_COUNTS = {d: f"destination_{d}" for d in DESTINATIONS}
PLACEMENTS_INDEPENDENT_SPECIAL = "placements_independent_special"  # places taken up in an independent special school
TRANSFERS_NAMED = "transfers_named"  # phase transfers at which the next setting was named
TRANSFER_LATE_WEEKS_SUM = "transfer_late_weeks_sum"  # weeks after the deadline before the next setting was named
AWAITING_PLACEMENT_WEEKS_SUM = "awaiting_placement_weeks_sum"  # weeks from 1 September of a transfer to a place
OUT_OF_SCHOOL_SPELLS = "out_of_school_spells"  # spells with no education at all, ended (or open at the end)
OUT_OF_SCHOOL_WEEKS_SUM = "out_of_school_weeks_sum"
# redress (tribunal counts are kept by September-August year too)
MEDIATIONS = "mediations"
MEDIATIONS_SETTLED = "mediations_settled"
MEDIATION_BY_OUTCOME = {o: f"mediations_{o}" for o in MEDIATION_OUTCOMES}
MEDIATIONS_COMPELLED = "mediations_compelled"  # held only because mediation was mandatory
MEDIATION_LIMIT_MISSED = "mediation_limit_missed"  # not held within the limit: the certificate was issued
DROPPED_OUT = "dropped_out_at_rung"  # families who gave up at a compulsory rung
INDEPENDENT_REVIEWS = "independent_reviews"
APPEALS_REGISTERED = "appeals_registered"
APPEALS_BY_TYPE = {k: f"appeals_{k}" for k in APPEAL_TYPES}
APPEALS_CONCEDED = "appeals_conceded"
APPEALS_WITHDRAWN = "appeals_withdrawn"
HEARINGS = "hearings"
WEEKS_TO_HEARING_SUM = "weeks_to_hearing_sum"
DECIDED_FOR_FAMILY = "decided_for_family"
DECIDED_FOR_LA = "decided_for_la"
# the tribunal's recommendations on health and social care (extended powers) and the commissioners' answers
RECOMMENDATIONS_MADE = "recommendations_made"
RECOMMENDATIONS_ANSWERED = "recommendations_answered"
RECOMMENDATIONS_ANSWERED_ON_TIME = "recommendations_answered_on_time"  # within the 5 weeks
RECOMMENDATIONS_FOLLOWED = "recommendations_followed"
# costs, by payer
COST_BY_PAYER = {p: f"cost_{p}" for p in PAYERS}

COUNTS = frozenset({
    REQUESTS, REFUSED, REFUSED_BY_REQUEST_YEAR, REQUEST_WITHDRAWN, ASSESSMENT_WITHDRAWN, ASSESSMENT_LAPSED,
    ASSESSED_NO_PLAN, DECIDED_TO_ISSUE, SCHOOL_SUPPORT_PLANS, NEW_PLANS, NEW_PLANS_EXCL_EXCEPTIONS,
    PLANS_ENDED_16_PLUS, *DESTINATION_COUNTS.values(),
    WITHIN_LIMIT_EXCL_EXCEPTIONS, OVER_1_YEAR_EXCL_EXCEPTIONS, PLACEMENT_OUTSIDE_LIST_NO_APPEAL, PLANS_CEASED,
    PLANS_TRANSFERRED_OUT, PLANS_TRANSFERRED_IN,
    DECIDED_TO_ASSESS, ISP_ESCALATIONS, PLACEMENTS_INDEPENDENT_SPECIAL, TRANSFERS_NAMED, TRANSFER_LATE_WEEKS_SUM,
    AWAITING_PLACEMENT_WEEKS_SUM, OUT_OF_SCHOOL_SPELLS, OUT_OF_SCHOOL_WEEKS_SUM,
    *MEDIATION_BY_OUTCOME.values(), MEDIATIONS_COMPELLED, MEDIATION_LIMIT_MISSED, DROPPED_OUT,
    MEDIATIONS, MEDIATIONS_SETTLED, INDEPENDENT_REVIEWS, APPEALS_REGISTERED, *APPEALS_BY_TYPE.values(),
    APPEALS_CONCEDED, APPEALS_WITHDRAWN, HEARINGS, WEEKS_TO_HEARING_SUM, DECIDED_FOR_FAMILY, DECIDED_FOR_LA,
    RECOMMENDATIONS_MADE, RECOMMENDATIONS_ANSWERED, RECOMMENDATIONS_ANSWERED_ON_TIME, RECOMMENDATIONS_FOLLOWED,
    *COST_BY_PAYER.values()})
# counted for each authority as well (the per-authority backtest)
LA_COUNTS = frozenset({REQUESTS, REFUSED, NEW_PLANS, NEW_PLANS_EXCL_EXCEPTIONS, WITHIN_LIMIT_EXCL_EXCEPTIONS})


_WIDTH = len(EVENT_COLUMNS)
_CODE_SLOTS = 1024  # the slots of `Recorder._code`'s table (a power of two; records.pxd sizes its C array by it)
_EMPTY = object()  # an empty slot of those tables (never a value logged, unlike None)
MET_NONE, MET_TRUE, MET_FALSE = 2, 1, 0  # `deadline_met` None, True, False, as one byte of the typed columns

# the typed columns a columnar sink receives (`Recorder.flush`), with their `array` type codes: child (int64),
# authority index (C int), day (double), the codes of step, event and duty (C int, indices of `Recorder.names`),
# deadline (double) and whether it was met (one byte: `MET_TRUE`, `MET_FALSE` or `MET_NONE`)
TYPED_COLUMNS = (("child", "q"), ("la", "i"), ("day", "d"), ("step", "i"), ("event", "i"), ("duty_holder", "i"),
                 ("deadline_day", "d"), ("deadline_met", "b"))


class Recorder:
    """The event log: rows kept in memory in chunks of `chunk` rows and handed to a sink (e.g. a Parquet writer).

    Why typed columns: a national year logs about 2.4 million events. For a sink that declares `columnar = True`
    (`analysis.runs.outputs.ParquetSink`), each row's fields are written straight into eight typed arrays of the
    chunk's length (`TYPED_COLUMNS`: the child as an int64, the day and the deadline as doubles, whether the deadline
    was met as one byte), and the step, event and duty strings as the index of the string in `names` (one dictionary
    look-up of the string object; a string first met is appended). So no Python object is kept per row, and a chunk
    reaches the sink as ready arrays (`arrays`), which numpy and Arrow read without copying or converting value by
    value (the earlier flat list of Python objects cost `np.fromiter`, a code look-up and pyarrow's conversion per
    value at each chunk). Compiled (records.pxd), the arrays are typed memoryviews and a row is eight C stores.

    Any other sink (a test's `list.extend`, a callback) receives a list of `EventRow`s, as before: its rows' fields
    are kept as the objects given, one after another in one flat list (`rows`).

    Why `log`: the journey's steps write their rows through it (`Journey` binds it as its `log` once `clock`, the
    engine, is set), so that in the compiled core one event's row is one C call, instead of a Python method that
    builds a tuple and calls `add`. `add` takes a row made elsewhere (a tuple of the fields in `EVENT_COLUMNS`
    order); both keep the same values."""

    __slots__ = ("rows", "sink", "chunk", "enabled", "columnar", "_limit", "clock", "n", "names", "_codes",
                 "_bufs", "_id", "_la", "_day", "_step", "_event", "_duty", "_deadline", "_met", "_code_refs")

    def __init__(self, sink: Callable[[list[tuple]], None] | None, chunk: int = 200_000):
        self.rows: list[Any] = []  # (a sink of rows) the fields of the chunk's rows, one after another
        self.sink = sink
        self.chunk = chunk
        self._limit = chunk * _WIDTH
        self.enabled = sink is not None
        self.columnar = bool(getattr(sink, "columnar", False))
        self.clock: Any = None  # the engine whose `now` is each row's day (`log`); set by the `Journey`
        self.n = 0  # (a columnar sink) rows held in the typed arrays
        self.names: list[Any] = []  # the step, event and duty strings met so far, indexed by their codes
        self._codes: dict[Any, int] = {}  # each of `names` -> its index
        self._code_refs: list[Any] = [_EMPTY] * _CODE_SLOTS  # (compiled) the strings whose codes `_code` holds, by slot
        self._bufs: tuple = ()
        if self.columnar:
            self._fresh()

    def _fresh(self, spare: tuple | None = None) -> None:
        """Typed arrays for the next chunk: `spare`, a chunk's arrays the sink has finished reading (`flush`), else new
        ones (the sink may still be reading the last chunk's, in another thread). Why reuse: each chunk's eight arrays
        are about 8 MB (200,000 rows), and new ones were filled with zeros by a copy and then faulted in page by page
        at every chunk (24 million instructions a chunk, callgrind), for values the next rows overwrite; the sink reads
        only a chunk's first `n` values, so what a reused array held beyond them is never read."""
        if spare is None:
            n = self.chunk
            spare = tuple(array(code, [0]) * n for _name, code in TYPED_COLUMNS)
        self._bufs = bufs = spare
        (self._id, self._la, self._day, self._step, self._event, self._duty, self._deadline, self._met) = bufs
        self.n = 0
        if cython.compiled:  # (`_put`'s C pointers to the arrays' values, and the rows they all hold)
            self._cap = min(self._id.shape[0], self._la.shape[0], self._day.shape[0], self._step.shape[0],
                            self._event.shape[0], self._duty.shape[0], self._deadline.shape[0], self._met.shape[0])
            if self._cap > 0:
                self._idp = cython.address(self._id[0])
                self._lap = cython.address(self._la[0])
                self._dayp = cython.address(self._day[0])
                self._stepp = cython.address(self._step[0])
                self._eventp = cython.address(self._event[0])
                self._dutyp = cython.address(self._duty[0])
                self._deadlinep = cython.address(self._deadline[0])
                self._metp = cython.address(self._met[0])

    def _new_code(self, value: Any) -> int:
        """The code of a step, event or duty string not met before: its index in `names`."""
        k = self._codes[value] = len(self.names)
        self.names.append(value)
        return k

    def _code(self, value: Any) -> int:
        """The code of a step, event or duty string (compiled only: the pure path looks it up in `_codes` inline).
        The strings logged are the route's constants, the same few dozen objects at every row, so the code is cached
        in a small direct-mapped table, as `Counters._id` caches a count's id: the slot from the object's address, a
        hit when the slot holds that very object (`_code_refs`, which keeps it alive, so no other object can have its
        address meanwhile) and its code in `_code_of` (a C array). A few C operations, where each of the row's three
        dictionary look-ups was about 140 instructions (callgrind); a string met as another object of the same value
        gets the same code from `_codes`, as before."""
        at = cython.cast(cython.size_t, cython.cast(cython.p_void, value))
        # the slot: bits 4-13 of the address xor bits 14-23 (C shifts of a size_t), which spread the strings over the
        # 1,024 slots (bits 4-9 alone put strings of one size class, a multiple of 64 bytes apart, in a quarter of the
        # slots: 42% misses, measured; 64 slots for the 150 or so different strings of a national year missed 23% of
        # the look-ups, callgrind)
        slot = ((at >> 4) ^ (at >> 14)) & 1023  # (`_CODE_SLOTS` - 1, as a C constant)
        # a hit: the slot's address (`_code_at`, a C array: no list item read, no bounds check) is the object's; the
        # object at that address is the one `_code_refs` keeps alive there, so the same object (0, an empty slot's
        # address, is no object's)
        if self._code_at[slot] == at:
            return self._code_of[slot]
        return self._code_miss(value, at, slot)

    def _code_miss(self, value: Any, at: int, slot: int) -> int:
        """`_code` of a string not in its slot: its code from `_codes` (or a new one), then kept in the slot. A
        function of its own so that `_code`, which `_put` calls three times a row, is small enough for the C compiler
        to put in `_put`'s body (no call a string: about 15 instructions each, callgrind)."""
        k = self._codes.get(value, -1)
        if k < 0:
            k = self._new_code(value)
        self._code_of[slot] = k
        self._code_at[slot] = at
        self._code_refs[slot] = value
        return k

    def add(self, row: tuple) -> None:
        """One event: an `EventRow` (or a tuple of its fields in its order)."""
        if self.columnar:
            child, la, day, step, event, duty, deadline, met = row
            self._put(child, la, day, step, event, duty, deadline, met)
            return
        rows = self.rows
        rows.extend(row)
        if len(rows) >= self._limit:
            self.flush()

    def _put(self, child: int, la: int, day: float, step: Any, event: Any, duty: Any, deadline: float,
             met: bool | None) -> None:
        """One row into the typed arrays (`add` and `log`). Compiled, a C function whose child, authority, day and
        deadline are C values (records.pxd), so `log` hands over the child's id and the clock's day as they are stored,
        with no Python int made for the id: the same values stored."""
        n = self.n
        if cython.compiled:
            # the eight values stored through the arrays' C pointers (`_fresh`), the row checked once against the rows
            # they hold (`_cap`), where each memoryview store checked its own index (about 50 instructions a row); the
            # codes from `_code`'s table: the same codes, the same values stored
            if n < 0 or n >= self._cap:
                raise IndexError("the event log's chunk arrays are full")
            self._idp[n] = child
            self._lap[n] = la
            self._dayp[n] = day
            self._stepp[n] = self._code(step)
            self._eventp[n] = self._code(event)
            self._dutyp[n] = self._code(duty)
            self._deadlinep[n] = deadline
            self._metp[n] = 2 if met is None else 1 if met else 0  # MET_NONE, MET_TRUE, MET_FALSE
        else:
            self._id[n] = child
            self._la[n] = la
            self._day[n] = day
            codes = self._codes
            k = codes.get(step)
            self._step[n] = self._new_code(step) if k is None else k
            k = codes.get(event)
            self._event[n] = self._new_code(event) if k is None else k
            k = codes.get(duty)
            self._duty[n] = self._new_code(duty) if k is None else k
            self._deadline[n] = deadline
            self._met[n] = 2 if met is None else 1 if met else 0  # MET_NONE, MET_TRUE, MET_FALSE
        self.n = n = n + 1
        if n >= self.chunk:
            self.flush()

    def log(self, c: Any, step: str, event: str, duty: str, deadline: float = nan, met: bool | None = None
            ) -> None:
        """One event of child `c` now (`clock.now`): the same fields, in the same order, as `add` of
        `(c.id, c.la, clock.now, step, event, duty, deadline, met)`."""
        if self.columnar:
            if type(c) is Child:  # (compiled: struct reads of the child's id and authority; a test's stand-in below)
                ch = c
                self._put(ch.id, ch.la, self.clock.now, step, event, duty, deadline, met)
            else:
                self._put(c.id, c.la, self.clock.now, step, event, duty, deadline, met)
            return
        rows = self.rows
        rows.append(c.id)
        rows.append(c.la)
        rows.append(self.clock.now)
        rows.append(step)
        rows.append(event)
        rows.append(duty)
        rows.append(deadline)
        rows.append(met)
        if len(rows) >= self._limit:
            self.flush()

    def log_at(self, c: Any, day: float, step: str, event: str, duty: str) -> None:
        """One event of child `c` dated `day` rather than now (the SEN support that began before a request,
        `identify_need`): the same row as `add` of `(c.id, c.la, day, step, event, duty, nan, None)`; compiled, for
        a `Child` and a columnar sink, a C call with no tuple made."""
        if self.columnar and type(c) is Child:
            ch = c
            self._put(ch.id, ch.la, day, step, event, duty, nan, None)
            return
        self.add((c.id, c.la, day, step, event, duty, nan, None))

    def columns(self) -> list[list[Any]]:
        """The rows held for a sink of rows, as columns in `EVENT_COLUMNS` order."""
        rows = self.rows
        return [rows[i::_WIDTH] for i in range(_WIDTH)]

    def flush(self) -> None:
        if self.columnar:
            spare = None
            if self.n and self.sink is not None:  # (the sink hands back the arrays of a chunk it has written, if any)
                spare = self.sink.arrays(self.n, self._bufs, self.names)  # type: ignore[union-attr]
            elif not self.n:
                return  # (nothing logged since the last chunk: its arrays are still this chunk's)
            self._fresh(spare)
            return
        if self.rows and self.sink is not None:
            self.sink([EventRow._make(r) for r in zip(*self.columns(), strict=True)])
        self.rows = []


def name_of(memo: dict[Any, str], prefix: str, value: Any) -> str:
    """An event's name made of a word and a value, `f"{prefix}{value}"` (the setting named, the kind of dispute, ...),
    made once for each string `value` and kept in `memo` (one dictionary for each `prefix`, the caller's).

    Why: a new string at every row cost its formatting, and then missed the `Recorder`'s cache of string codes
    (`Recorder._code` knows a string by its object): the string hashed and looked up in `_codes`, and freed after
    (about 700 instructions a row in all, callgrind; some 45,000 rows of a 0.1x national year). The same string object
    each time hits the cache. The names are the same values: a value that is not exactly a `str` (whose formatting is
    itself) is formatted each time, as before."""
    if type(value) is not str:
        return f"{prefix}{value}"
    got = memo.get(value)
    if got is None:
        got = memo[value] = f"{prefix}{value}"
    return got


def name_of2(memo: dict[Any, dict[Any, str]], prefix: str, first: Any, infix: str, second: Any) -> str:
    """`f"{prefix}{first}{infix}{second}"` (a setting named against the family's wish, with the ground), made once
    for each pair of strings as `name_of` makes its names (`memo`: `first` -> `second` -> the name)."""
    if type(first) is not str or type(second) is not str:
        return f"{prefix}{first}{infix}{second}"
    by = memo.get(first)
    if by is None:
        by = memo[first] = {}
    got = by.get(second)
    if got is None:
        got = by[second] = f"{prefix}{first}{infix}{second}"
    return got


def fields_of(objs: list[Any], names: tuple[str, ...]) -> list[list[Any]]:
    """The attributes `names` of each of `objs`, as one list per name (a column), in the order of `objs`.

    Why here: `analysis.runs.journeys.write_journeys` writes one row per child, half a million of them in a national
    year, and reading their slots a column at a time in Python (or transposing a tuple per child) cost about 1 s of
    it. In the compiled core (records.pxd) this is one pass over the children in C, each child's fields read while
    its object is in the cache."""
    cols: list[list[Any]] = [[] for _ in names]
    k = len(names)
    for o in objs:
        for i in range(k):
            cols[i].append(getattr(o, names[i]))
    return cols


# journeys.parquet's fields by the kind of column each makes (`journey_arrays`): whole numbers, yes/no, days, strings
JOURNEY_INTS = ("id", "la", "disputes", "mediations", "appeals", "reviews")
JOURNEY_BOOLS = ("stock", "health", "social", "exception", "refused", "assessed", "no_plan", "ordered")
JOURNEY_FLOATS = ("t0", "born", "final_at", "final_deadline", "provision_at", "days_without_provision",
                  "waiting_since", "ceased_at")
JOURNEY_STRINGS = ("requester", "need", "preferred", "capacity", "status", "setting")


def journey_arrays(children: list[Child]) -> tuple[array, bytearray, array, bytearray, list[list[Any]]] | None:
    """The children's fields of journeys.parquet as typed columns, or None if a value is not of its column's one type.

    Returns, each field-major (field `k` of child `i` at `k * n + i`, n children): the `JOURNEY_INTS` as int64
    (`array('q')`), the `JOURNEY_BOOLS` as bytes 0/1, the `JOURNEY_FLOATS` as doubles, the `JOURNEY_STRINGS` as
    one-byte codes, with each string field's list of different values (None among them) in order of first meeting.

    Why: `fields_of` made a Python list per column, which `write_journeys` then read again into numpy and Arrow;
    with half a million children a national year, reading each child's slots by name was about 0.4 s and the
    lists' conversions and comprehensions as much again. Here (compiled, records.pxd) each field is a struct read of
    the `Child`, stored as a C value. A value only counts if it is exactly of its column's type (an int, not a bool;
    a float; True or False; a str or None), so the columns hold what pyarrow would infer from the lists; else (or
    over 256 different strings, or a whole number beyond 64 bits) None, and the writer converts the lists as before."""
    n = len(children)
    ints = array("q", [0]) * (n * len(JOURNEY_INTS))
    bools = bytearray(n * len(JOURNEY_BOOLS))
    floats = array("d", [0.0]) * (n * len(JOURNEY_FLOATS))
    codes = bytearray(n * len(JOURNEY_STRINGS))
    names: list[list[Any]] = [[] for _ in JOURNEY_STRINGS]
    index: list[dict[Any, int]] = [{} for _ in JOURNEY_STRINGS]
    # (compiled) each string field's codes cached by the object's address, as `Recorder._code`: a field holds a few
    # objects (the route's constants) over and over, so a direct-mapped slot that holds that very object (kept alive
    # in `refs`; its address in `slot_at`) gives its code without the dictionary's look-up of a string
    refs: list[Any] = [_EMPTY] * (len(JOURNEY_STRINGS) * 64)
    memo = bytearray(len(JOURNEY_STRINGS) * 64)
    slot_at = array("Q", [0]) * (len(JOURNEY_STRINGS) * 64)
    if n == 0:
        return ints, bools, floats, codes, names
    ivm, bvm, fvm, cvm, mvm, atm = ints, bools, floats, codes, memo, slot_at
    if cython.compiled:
        # the stores through C pointers to the columns' first values: every index below is within its column by
        # construction (field `k` of child `i < n` at `k * n + i`; a slot below 6 * 64), where each memoryview store
        # checked its own, about 30 a child, and each slot's object was read from `refs` as a list item (a 0.1x
        # national year: this pass 74.8 -> 57.2 million instructions, callgrind)
        iv = cython.address(ivm[0])
        bv = cython.address(bvm[0])
        fv = cython.address(fvm[0])
        cv = cython.address(cvm[0])
        mv = cython.address(mvm[0])
        ap = cython.address(atm[0])
    else:
        iv, bv, fv, cv, mv, ap = ints, bools, floats, codes, memo, slot_at
    try:
        for i in range(n):
            c = children[i]
            # each field read and stored on its own line, in `JOURNEY_INTS`, `JOURNEY_BOOLS` and `JOURNEY_FLOATS`
            # order (a tuple of the fields a kind, iterated, cost a tuple and a Python int and float a child, compiled:
            # about 2,400 instructions a child, callgrind); the same checks, the same values stored. Each field is
            # tested and stored as it is read (`type(c.la)`, `c.stock is True`), not first put in a local: compiled,
            # a field read so is the struct's own reference, where a local took a reference and gave up the one
            # before, twice a field (about 250 instructions a child, callgrind)
            if cython.compiled:  # (a C integer and a C double in the compiled `Child`)
                iv[i] = c.id
                fv[n + i] = c.born
            else:
                if type(c.id) is not int:
                    return None
                iv[i] = c.id
                if type(c.born) is not float:
                    return None
                fv[n + i] = c.born
            if type(c.la) is not int:
                return None
            iv[n + i] = c.la
            if type(c.disputes) is not int:
                return None
            iv[2 * n + i] = c.disputes
            if type(c.mediations) is not int:
                return None
            iv[3 * n + i] = c.mediations
            if type(c.appeals) is not int:
                return None
            iv[4 * n + i] = c.appeals
            if type(c.reviews) is not int:
                return None
            iv[5 * n + i] = c.reviews
            if c.stock is True:
                bv[i] = 1
            elif c.stock is not False:
                return None
            if c.health is True:
                bv[n + i] = 1
            elif c.health is not False:
                return None
            if c.social is True:
                bv[2 * n + i] = 1
            elif c.social is not False:
                return None
            if c.exception is True:
                bv[3 * n + i] = 1
            elif c.exception is not False:
                return None
            if c.refused is True:
                bv[4 * n + i] = 1
            elif c.refused is not False:
                return None
            if c.assessed is True:
                bv[5 * n + i] = 1
            elif c.assessed is not False:
                return None
            if c.no_plan is True:
                bv[6 * n + i] = 1
            elif c.no_plan is not False:
                return None
            if c.ordered is True:
                bv[7 * n + i] = 1
            elif c.ordered is not False:
                return None
            if type(c.t0) is not float:
                return None
            fv[i] = c.t0
            if type(c.final_at) is not float:
                return None
            fv[2 * n + i] = c.final_at
            if type(c.final_deadline) is not float:
                return None
            fv[3 * n + i] = c.final_deadline
            if type(c.provision_at) is not float:
                return None
            fv[4 * n + i] = c.provision_at
            if type(c.days_without_provision) is not float:
                return None
            fv[5 * n + i] = c.days_without_provision
            if type(c.waiting_since) is not float:
                return None
            fv[6 * n + i] = c.waiting_since
            if type(c.ceased_at) is not float:
                return None
            fv[7 * n + i] = c.ceased_at
            k = i
            # (a slot not yet set: None; compiled, the struct's field, which is None until set) each string field in
            # `JOURNEY_STRINGS` order, read in turn (no tuple of the six made and freed a child)
            for f in range(6):
                if f == 0:
                    v = c.requester
                elif f == 1:
                    v = c.need
                elif f == 2:
                    v = c.preferred
                elif f == 3:
                    v = c.capacity
                elif f == 4:
                    v = c.status
                else:
                    v = c.setting if cython.compiled else getattr(c, "setting", None)
                if cython.compiled:
                    at = cython.cast(cython.size_t, cython.cast(cython.p_void, v))
                    slot = f * 64 + (((at >> 4) ^ (at >> 10)) & 63)
                    if ap[slot] == at:  # (that very object: `refs` keeps the slot's object alive, so its address is its)
                        cv[k] = mv[slot]
                        k += n
                        continue
                if v is not None and type(v) is not str:
                    return None
                seen = index[f]  # (compiled: a `dict`, so `get` is a C look-up, not a method called through Python)
                got = seen.get(v)
                if got is None:
                    got = len(names[f])
                    if got > 255:
                        return None
                    seen[v] = got
                    names[f].append(v)
                cv[k] = got
                if cython.compiled:
                    refs[slot] = v
                    ap[slot] = at
                    mv[slot] = got
                k += n
    except OverflowError:  # a whole number beyond int64 (pyarrow would not make it int64 either)
        return None
    return ints, bools, floats, codes, names


def state_by_group(children: list[Child], key: str) -> dict[int, list[int]]:
    """For each group number (`key`: "gid" or "pid") met among `children`, its counts of the state at the end: plans in
    force at the start (stock), waiting for a place, disputes waiting for a hearing (tribunal backlog), plans in
    force, open disputes; in that order.

    Why here: the metrics of every group (`analysis.runs.metrics`) read these of every child, over half a million a
    national year; compiled (records.pxd), each field is a struct read of the `Child`."""
    per: dict[int, list[int]] = {}
    by_pid = key == "pid"
    for c in children:
        g = c.pid if by_pid else c.gid
        row = per.get(g)
        if row is None:
            row = per[g] = [0, 0, 0, 0, 0]  # stock, waiting, backlog, in force, open disputes
        if c.stock:
            row[0] += 1
        if c.status == "plan":
            row[3] += 1
            if c.waiting_since == c.waiting_since and c.place_job is not None and not c.place_job.started:
                row[1] += 1
        if c.dispute and c.status != "backlog":
            row[4] += 1
            if c.registered_at == c.registered_at and c.decided_at != c.decided_at and c.hearing_at != c.hearing_at:
                row[2] += 1
    return per


@cython.locals(c=Child, n=cython.Py_ssize_t, i=cython.Py_ssize_t, k=cython.Py_ssize_t, g=cython.longlong,
               w=cython.double, per=dict, row=list, fv="double[::1]", pv="unsigned char[::1]", gv="long long[::1]")
def request_state(children: list[Child], warm: float) -> tuple[array, bytearray, array, int, dict[int, list[int]]]:
    """In one pass over the children: the columns of the new requests (the children who came by a request on or after
    `warm`, not the stock; those the headline metrics measure, `analysis.runs.metrics.NewRequests`), k of them, with
    room for all n children: field `f` of the `i`th new request at `f * n + i`, as doubles `final_at`, `t0`,
    `provision_at`, `waiting_since`, `days_without_provision`; whether its status is "in_progress" (1 or 0); its `gid`
    and `pid` as int64 (the same layout); then k; and `state_by_group(children, "gid")`, each `gid`'s counts of the
    state at the end.

    Why one pass: the metrics read the whole run's children three times (3.2 million in England 2024-2035, scattered
    over its memory: each pass is about two cache misses a child), and these fields share the child's cache lines."""
    n = len(children)
    floats = array("d", [0.0]) * (5 * n)
    busy = bytearray(n)
    groups = array("q", [0]) * (2 * n)
    fv, pv, gv = floats, busy, groups  # (typed views in the compiled core: stores are C stores)
    per: dict[int, list[int]] = {}
    k = 0
    w = warm  # (compiled, a C double compared with the child's C double `t0`: the same comparison as of the floats)
    for i in range(n):
        c = children[i]
        g = c.gid
        row = per.get(g)
        if row is None:
            row = per[g] = [0, 0, 0, 0, 0]  # stock, waiting, backlog, in force, open disputes (`state_by_group`)
        if c.stock:
            row[0] += 1
        if c.status == "plan":
            row[3] += 1
            if c.waiting_since == c.waiting_since and c.place_job is not None and not c.place_job.started:
                row[1] += 1
        if c.dispute and c.status != "backlog":
            row[4] += 1
            if c.registered_at == c.registered_at and c.decided_at != c.decided_at and c.hearing_at != c.hearing_at:
                row[2] += 1
        if not c.stock and c.t0 >= w:  # a new request, its fields
            fv[k] = c.final_at
            fv[n + k] = c.t0
            fv[2 * n + k] = c.provision_at
            fv[3 * n + k] = c.waiting_since
            fv[4 * n + k] = c.days_without_provision
            if c.status == "in_progress":
                pv[k] = 1
            gv[k] = g
            gv[n + k] = c.pid
            k += 1
    return floats, busy, groups, k, per


@cython.locals(c=Child, n=cython.Py_ssize_t, m=cython.Py_ssize_t, i=cython.Py_ssize_t, k=cython.Py_ssize_t,
               w=cython.double, e=cython.double, d=tuple, done=list, ending_code=dict, gave_up_code=dict,
               kind_code=dict, dd=cython.double, dc=cython.double, fv="double[::1]", cv="long long[::1]", lv="double[::1]",
               lg="long long[::1]", hv="double[::1]", hg="long long[::1]")  # (strings: no C type in pure Python)
def redress_columns(ended: list[DisputeEnd], lodged: list[tuple[Any, float, float]], heard: list[tuple[Any, float]],
                    warm: float, ending_code: dict[str, int], gave_up_code: dict[str, int],
                    kind_code: dict[str, int]) -> tuple[Any, ...]:
    """The redress measures' columns, each dispute, appeal and hearing read once (`analysis.runs.metrics.Redress`):
    of the disputes ended on or after `warm`, in the order they ended (n of them), field-major as doubles
    (`disputed_at`, `ended_at`, `decided_at`, `lodged_at`; field `k` of dispute `i` at `k * n + i`), as int64 the
    ending's, gave-up and kind codes (`ending_code[outcome]`, `gave_up_code.get(outcome, -1)`,
    `kind_code.get(kind, -1)`) and the child's `gid` and `pid` (the same layout); the two lists of
    `metrics.dispute_keys` (each compelled unsettled dispute's [key, child], each decided one's [key, child, weeks
    from the disputed decision to the decision]; `dispute_keys` puts the child's capacity in the child's place); of the appeals lodged on or after `warm` (m), `since` and `at`
    as doubles and the child's `gid` and `pid` as int64; of each hearing held, its weeks and the child's `gid` and
    `pid`.

    Why here: the metrics read these in a dozen Python passes (the ended disputes listed, their fields transposed,
    one list of floats a column, each child's group by `attrgetter`), each touching the run's tuples and floats again;
    in a long run they are scattered among millions of objects made years apart, so each pass was cache misses
    (Redress was about 40% of England 2024-2035's metrics). Compiled (records.py in the core), one pass reads each
    tuple, float and child once, into the columns by C stores; the same values (a double holds the float Python
    holds, the weeks the same IEEE subtraction and division). A `DisputeEnd` is read as the tuple it is (compiled, a
    cast: its items by index in C, where indexing the NamedTuple subclass went through its type's slot, a Python
    call of `__getitem__` for each item)."""
    w = warm
    done = []
    for x in ended:
        d = cython.cast(tuple, x) if cython.compiled else x
        if d[4] >= w:  # (`DisputeEnd.ended_at`)
            done.append(d)
    n = len(done)
    floats = array("d", [0.0]) * (4 * n)
    codes = array("q", [0]) * (5 * n)
    fv, cv = floats, codes  # (typed views in the compiled core: stores are C stores)
    unsettled: list[list[Any]] = []
    decided: list[list[Any]] = []
    for i in range(n):
        d = cython.cast(tuple, done[i]) if cython.compiled else done[i]
        c = d[0]
        fv[i] = d[3]
        e = d[4]
        fv[n + i] = e
        dd = d[6]
        fv[2 * n + i] = dd
        fv[3 * n + i] = d[7]
        outcome = d[5]
        cv[i] = ending_code[outcome]
        cv[n + i] = gave_up_code.get(outcome, -1)
        cv[2 * n + i] = kind_code.get(d[2], -1)
        cv[3 * n + i] = c.gid
        cv[4 * n + i] = c.pid
        if d[8] or dd == dd:
            key = c.id * 64 + min(d[1], 63)  # (`DisputeEnd.key`)
            if d[8]:
                unsettled.append([key, c])
            if dd == dd:
                dc = fv[i]
                decided.append([key, c, (dd - dc) / DAYS_PER_WEEK])
    got = [a for a in lodged if a[2] >= w]
    m = len(got)
    lfloats = array("d", [0.0]) * (2 * m)
    lgroups = array("q", [0]) * (2 * m)
    lv, lg = lfloats, lgroups
    for k in range(m):
        a = got[k]
        c = a[0]
        lv[k] = a[1]
        lv[m + k] = a[2]
        lg[k] = c.gid
        lg[m + k] = c.pid
    m = len(heard)
    weeks = array("d", [0.0]) * m
    hgroups = array("q", [0]) * (2 * m)
    hv, hg = weeks, hgroups
    for k in range(m):
        h = heard[k]
        c = h[0]
        hv[k] = h[1]
        hg[k] = c.gid
        hg[m + k] = c.pid
    return floats, codes, unsettled, decided, lfloats, lgroups, weeks, hgroups


def small_codes(values: list[Any], names: list[Any]) -> bytearray | None:
    """Each of `values` as its index in `names`, one byte each (a value not in `names` is appended to it), or None
    if there would be more than 256 different values.

    Why: the event log's step, event and duty columns hold a few dozen different strings, repeated over 2.4 million
    rows a national year. Converting each Python str to Arrow costs about four times what looking it up here does
    (in C in the compiled core); the sink then takes the column's strings from `names` by these codes
    (`analysis.runs.outputs.ParquetSink`), the same strings in the same places."""
    index: dict[Any, int] = {v: i for i, v in enumerate(names)}
    out = bytearray(len(values))
    for k, v in enumerate(values):
        got = index.get(v)
        if got is None:
            code = len(names)
            if code > 255:
                return None
            index[v] = code
            names.append(v)
        else:
            code = got
        out[k] = code
    return out



def _any_outside4(cp: Any, i: int, k: int) -> bool:
    """Whether any of the four C ints `cp[i]` to `cp[i + 3]` (a C pointer) is outside 0 to `k` - 1 (compiled only).

    Why: `codes_present` and `remap_codes` take four codes a turn and check them at once, each by one unsigned
    comparison, `c < 0 or c >= k` (a negative C int cast to a size_t is beyond any `k`), `|` not `or` so there is one
    branch: about half the instructions of one code a turn with two comparisons (callgrind)."""
    kk = cython.cast(cython.size_t, k)
    return bool((cython.cast(cython.size_t, cp[i]) >= kk) | (cython.cast(cython.size_t, cp[i + 1]) >= kk)
                | (cython.cast(cython.size_t, cp[i + 2]) >= kk) | (cython.cast(cython.size_t, cp[i + 3]) >= kk))


def codes_present(codes: Any, k: int) -> bytearray | None:
    """Which of the codes 0 to `k` - 1 occur in `codes` (a C-contiguous buffer of C ints: the event log's int32
    columns of string codes), one byte each (1: present), or None if a code is outside 0 to `k` - 1 or the core is
    not compiled (the caller then asks numpy's `bincount`, whose flags these are).

    Why: a chunk's dictionary is the strings its rows use (`analysis.runs.outputs.dictionary_column`), and numpy's
    `bincount` found them at about 25 instructions a value (each int32 code cast to an intp copy, its minimum and
    maximum found, then counted: a fifth of a 0.1x national year's events.parquet beyond its writer, callgrind); one
    C pass that only marks each code seen is a few instructions a value."""
    if not cython.compiled:
        return None
    seen = bytearray(k)
    sv = seen
    cv = codes
    n = cv.shape[0]
    if n == 0 or k == 0:
        return seen if n == 0 else None
    # (through the buffers' C pointers: each code is checked against 0 and `k` here, so the loop needs none of the
    # memoryviews' own checks, which doubled its instructions)
    cp = cython.address(cv[0])
    sp = cython.address(sv[0])
    # (four codes a turn, checked by `_any_outside4`)
    i = 0
    while i + 4 <= n:
        if _any_outside4(cp, i, k):
            return None
        sp[cp[i]] = 1
        sp[cp[i + 1]] = 1
        sp[cp[i + 2]] = 1
        sp[cp[i + 3]] = 1
        i += 4
    while i < n:
        c = cp[i]
        if cython.cast(cython.size_t, c) >= cython.cast(cython.size_t, k):
            return None
        sp[c] = 1
        i += 1
    return seen


def remap_codes(codes: Any, remap: Any, out: Any) -> bool:
    """`out[i] = remap[codes[i]]` for every `i` (C-contiguous buffers of C ints, `out` as long as `codes`), True; or
    False if the core is not compiled or a code is not an index of `remap` (`out` then holds nothing to use): the
    caller then uses numpy's `take`, whose values these are, by a loop of C loads and stores instead of numpy's
    general gather."""
    if not cython.compiled:
        return False
    cv = codes
    rv = remap
    ov = out
    n = cv.shape[0]
    k = rv.shape[0]
    if ov.shape[0] != n:
        return False
    if n == 0:
        return True
    if k == 0:
        return False
    cp = cython.address(cv[0])  # (C pointers, as in `codes_present`: each code checked here, four a turn)
    rp = cython.address(rv[0])
    op = cython.address(ov[0])
    i = 0
    while i + 4 <= n:
        if _any_outside4(cp, i, k):
            return False
        op[i] = rp[cp[i]]
        op[i + 1] = rp[cp[i + 1]]
        op[i + 2] = rp[cp[i + 2]]
        op[i + 3] = rp[cp[i + 3]]
        i += 4
    while i < n:
        c = cp[i]
        if cython.cast(cython.size_t, c) >= cython.cast(cython.size_t, k):
            return False
        op[i] = rp[c]
        i += 1
    return True


def day_numbers(days: Any, start: int, out: Any) -> bool:
    """`out[i] = start + floor(days[i])` for every `i` (`days` a C-contiguous buffer of doubles, `out` one of C ints
    as long), True: the event log's dates as days since 1970 (`start`, the run's first day so), Arrow's date32; or
    False if the core is not compiled, a day is not a finite number or a date falls outside date32's range (`out` then
    holds nothing to use): the caller then makes them with numpy, as before, whose values these are (numpy's floor,
    then the whole number of days added to the start).

    Why: numpy made each chunk's dates in six passes (floor, the cast to days, the addition, the test for NaT, the
    minimum and maximum for date32's range, the cast to int32), about 50 instructions a row, for a column read from the
    day column; one C pass is a few (a double's floor by C's truncation toward zero, one less for a negative day with
    a fraction: the same whole number as `floor` for every finite double of date32's range)."""
    if not cython.compiled:
        return False
    dv = days
    ov = out
    n = dv.shape[0]
    if ov.shape[0] != n:
        return False
    if n == 0:
        return True
    dp = cython.address(dv[0])
    op = cython.address(ov[0])
    for i in range(n):
        d = dp[i]
        if not (-4e9 < d < 4e9):  # (NaN, an infinity or a day far outside date32: numpy's way, which knows them)
            return False
        v = cython.cast(cython.longlong, d)  # (toward zero)
        if v > d:
            v -= 1  # (a negative day with a fraction: its floor is one less)
        v += start
        if v < -2147483648 or v > 2147483647:
            return False
        op[i] = v
    return True

# every count's id: its index in the arrays `Counters` keeps (declared names in sorted order; a name counted without
# being declared gets the next id when first counted, so it still works, only a little slower the first time)
COUNT_IDS: dict[str, int] = {name: i for i, name in enumerate(sorted(COUNTS))}

_UNTOUCHED = -0.0  # an array entry no count has reached: -0.0 + n == 0.0 + n for every n but -0.0
_ID_SLOTS = 256  # the slots of `Counters._id`'s table (a power of two; records.pxd sizes its C arrays by it)


def year_after(days: list[float], day: float) -> int:
    """`bisect_right(days, day)` for the year starts (in increasing order): the index of the first one after `day`
    (compiled: compared as C doubles, the same comparisons, where `bisect` compares Python objects, about 700
    instructions a `year`; typed in records.pxd; `route/reviews` finds the next 1 September of its transfer calendar
    with it too).
    Pure Python: `bisect_right` itself (Cython drops this branch when it compiles the module)."""
    if not cython.compiled:
        return bisect_right(days, day)
    xd = day
    lo, hi = 0, len(days)
    while lo < hi:
        mid = (lo + hi) // 2
        v = days[mid]
        if xd < v:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _untouched_row(n: int) -> array:
    """A row of counts no count has reached yet: `n` entries of `_UNTOUCHED`."""
    return array("d", [_UNTOUCHED]) * n


def _touched(v: float) -> bool:
    """Whether an array entry was counted (a count that was reached and is 0.0 is +0.0; see `_UNTOUCHED`)."""
    return v != 0.0 or copysign(1.0, v) > 0.0


class Counters:
    """Counts by (metric, period): calendar year, and September-August academic year for the tribunal.

    Why arrays: a national year counts about two million times, each into the national count of its period and
    the totals of the child's groups. Each count has an id (`COUNT_IDS`, from the names declared above), and each
    period and each group keeps one `array('d')` of C doubles indexed by it, so a count is a few additions of
    doubles in place (compiled: through the array's data pointer, no Python float made) rather than dictionary
    look-ups. An entry no count reached holds -0.0 (`_UNTOUCHED`): the views below leave it out, exactly as the
    dictionaries of names they replace did (a metric never counted is absent, not 0.0), and every sum is made in the
    same order as the same IEEE addition, so the results are the same to the last bit; an array's entry read back
    is the Python float a list of floats held.

    `counts` gives the flat (metric, period) view the metrics read once the run is over, `groups` and `cross`
    the totals by group, and `la_counts` the per-authority counts: each calendar year's kept in one array indexed
    by (authority, count id), `_la_stride` ids an authority, with the (authority, metric) keys in the order they
    were first counted (the order of the dictionary of tuple keys they replace; a key outside the array, a negative
    authority or an undeclared metric, is kept in that year's dictionary `more`)."""

    def __init__(self, cal: Calendar, from_day: float = 0.0, groups: int = 0, cross_groups: int = 0):
        self.cal = cal
        self._ids = dict(COUNT_IDS)
        self._names = list(COUNT_IDS)
        n = len(self._names)
        self._la_stride = n
        self._g: list[array] = [_untouched_row(n) for _ in range(groups)]  # by child group (`Child.gid`)
        self._x: list[array] = [_untouched_row(n) for _ in range(cross_groups)]  # by phase x region (`pid`)
        self.from_day = from_day
        self._from = from_day
        ys = cal.year_starts()
        self._year_days = [d for _, d in ys]
        self._years = [y for y, _ in ys]
        self._ac_days = [cal.day(dt.date(y - 1, 9, 1)) for y in range(cal.start.year, cal.end.year + 2)]
        self._ac_years = list(range(cal.start.year, cal.end.year + 2))
        self._by: dict[str, array] = {}  # period -> the national counts, in the order periods were first met
        # period -> its per-authority counts: (values by authority x id, whether each was counted, the (authority,
        # metric) keys in the order first counted, {key: count} of the keys outside the array)
        self._la_by: dict[str, tuple[array, bytearray, list, dict]] = {}
        # the calendar year last counted: its days [lo, hi), national counts and per-authority counts
        self._lo, self._hi = 1.0, 0.0
        self._now = self._la_vals = array("d")
        self._la_seen = bytearray()
        self._la_order: list[tuple[Any, str]] = []
        self._la_more: dict[tuple[Any, str], float] = {}
        self._ac_lo, self._ac_hi, self._ac_now = 1.0, 0.0, array("d")  # the academic year last counted, as above
        self._id_refs: list[Any] = [None] * _ID_SLOTS  # (compiled) the names whose ids `_id` holds, by slot

    def _id(self, metric: str) -> int:
        """The id of `metric` (compiled only: the pure path looks it up in `_ids` inline). The names counted are the
        module's constants, the same few dozen objects at every call, so the id is cached in a small direct-mapped
        table: the slot from the object's address, a hit when the slot holds that very object (`_id_refs`, which
        keeps it alive, so no other object can have its address meanwhile) and its id in `_id_of` (a C array): a
        few C operations, where the dictionary's look-up of a string was about 110 instructions. The table is
        checked by identity, not by a stored address, so that a `Counters` pickled into another process (where the
        addresses differ; the table goes with it) still finds only the objects it holds."""
        at = cython.cast(cython.size_t, cython.cast(cython.p_void, metric))
        slot = (at >> 4) & 255  # (`_ID_SLOTS` - 1, as a C constant: objects are 16-byte aligned)
        refs = self._id_refs
        if refs[slot] is metric:
            return self._id_of[slot]
        i = self._ids.get(metric, -1)
        if i < 0:
            i = self._new_id(metric)
        self._id_of[slot] = i
        refs[slot] = metric
        return i

    def _view(self, row: array) -> dict[str, float]:
        names = self._names
        return {names[i]: v for i, v in enumerate(row) if _touched(v)}

    @property
    def counts(self) -> dict[tuple[str, str], float]:
        """{(metric, period): count} of the national counts (periods in the order they were first counted)."""
        return {(metric, period): v for period, row in self._by.items() for metric, v in self._view(row).items()}

    @property
    def groups(self) -> list[dict[str, float]]:
        """Totals by child group (`Child.gid`): {metric: count} for each, the metrics counted only."""
        return [self._view(row) for row in self._g]

    @property
    def cross(self) -> list[dict[str, float]]:
        """Totals by phase x region (`Child.pid`), as `groups`."""
        return [self._view(row) for row in self._x]

    @property
    def la_counts(self) -> dict[tuple[int, str, str], float]:
        """{(authority index, metric, calendar year): count} of the counts kept per authority."""
        out: dict[tuple[int, str, str], float] = {}
        ids, stride = self._ids, self._la_stride
        for period in self._by:
            got = self._la_by.get(period)
            if got is None:
                continue
            vals, _seen, order, more = got
            for key in order:
                la, metric = key
                out[(la, metric, period)] = more[key] if key in more else vals[la * stride + ids[metric]]
        return out

    def year(self, day: float) -> int:
        return self._years[max(0, year_after(self._year_days, day) - 1)]

    def year_span(self, day: float) -> tuple[float, float, int]:
        """`year(day)` with the days [lo, hi) that share it (the first year from -inf, the last to inf), as
        `_year_counts` bounds them: a caller keeps a figure of the year until the day leaves its span."""
        days = self._year_days
        i = max(0, year_after(days, day) - 1)
        hi = days[i + 1] if i + 1 < len(days) else float("inf")
        lo = days[i] if day >= days[0] else float("-inf")
        return lo, hi, self._years[i]

    def _row(self, period: str) -> array:
        row = self._by.get(period)
        if row is None:
            row = self._by[period] = _untouched_row(len(self._names))
        return row

    def _year_counts(self, day: float) -> None:
        """Make `day`'s calendar year the one counted into (`_lo`, `_hi`, `_now` and the `_la_` fields)."""
        i = max(0, bisect_right(self._year_days, day) - 1)
        self._hi = self._year_days[i + 1] if i + 1 < len(self._year_days) else float("inf")
        self._lo = self._year_days[i] if day >= self._year_days[0] else float("-inf")
        period = str(self._years[i])
        self._now = self._row(period)
        la = self._la_by.get(period)
        if la is None:
            la = self._la_by[period] = (array("d"), bytearray(), [], {})
        self._la_vals, self._la_seen, self._la_order, self._la_more = la

    def _new_id(self, metric: str) -> int:
        """The id of a name counted without being declared: every array grows by one entry."""
        i = self._ids[metric] = len(self._names)
        self._names.append(metric)
        for rows in (self._by.values(), self._g, self._x):
            for row in rows:
                row.append(_UNTOUCHED)
        return i

    def academic(self, day: float) -> str:
        i = bisect_right(self._ac_days, day) - 1
        y = self._ac_years[max(0, i)]
        return f"{y - 1}/{str(y)[2:]}"

    def _academic_row(self, day: float) -> array:
        """The national counts of `day`'s September-August year (`academic`), its bounds kept in `_ac_lo`, `_ac_hi`
        as the calendar year's are in `_lo`, `_hi`: the period's name made and looked up once a year, not once a
        count."""
        days = self._ac_days
        i = bisect_right(days, day) - 1
        # (a day before the first bound is the first year's, as `academic`)
        self._ac_lo = days[i] if i >= 0 else float("-inf")
        self._ac_hi = days[i + 1] if i + 1 < len(days) else float("inf")
        row = self._ac_now = self._row(self.academic(day))
        return row

    def add(self, metric: str, day: float, n: float = 1.0, academic: bool = False) -> None:
        """A national count only (no child: no group): `count` without a child."""
        self.count(None, metric, day, n, academic)

    def count(self, c: Any, metric: str, day: float, n: float = 1.0, academic: bool = False) -> None:
        """Count for a child: the national count of the day's calendar year (and of its September-August year if
        `academic`) and the total of the child's group (`c.gid`), from which every metric is also reported by
        family capacity, requester and need, and (`c.pid`) by phase and region; `c` None: the national count only.

        Why `add` comes here rather than both sharing a helper: this is the hot path (about two million counts a
        national year), where a helper would be one more call per count on the pure-Python path.
        Each entry is a C double of an `array('d')`, and `+= n` the float addition a list's `+=` made: compiled,
        added in place through the array's data pointer (no Python float made); pure, the array's own `+=`."""
        if day < self._from:
            return  # the lead-in and warm-up are not counted
        if not self._lo <= day < self._hi:
            self._year_counts(day)
        row = self._now
        if cython.compiled:
            i = self._id(metric)
            row.data.as_doubles[i] += n
        else:
            i = self._ids.get(metric, -1)
            if i < 0:
                i = self._new_id(metric)
            row[i] += n
        if academic:
            if not self._ac_lo <= day < self._ac_hi:
                self._academic_row(day)
            row = self._ac_now
            if cython.compiled:
                row.data.as_doubles[i] += n
            else:
                row[i] += n
        if c is None:
            return
        if type(c) is Child:  # (compiled: struct reads of the child's groups, C indices; a test's stand-in below)
            ch = c
            gi = ch.gid
            row = self._g[gi]
            if cython.compiled:
                row.data.as_doubles[i] += n
            else:
                row[i] += n
            if self._x:
                pi = ch.pid
                row = self._x[pi]
                if cython.compiled:
                    row.data.as_doubles[i] += n
                else:
                    row[i] += n
            return
        self._g[c.gid][i] += n
        x = self._x
        if x:
            x[c.pid][i] += n

    def count_each(self, c: Any, pairs: tuple, day: float, scale: Any = None) -> None:
        """`count(c, metric, day, amount)` for each (amount, metric) of `pairs` in turn (the costs of one step, a
        payer each), or `amount * scale` (a placement's yearly costs over `scale` years): one call instead of one a
        payer, the same additions in the same order (C doubles in place, compiled, as `count`)."""
        if not pairs or day < self._from:
            return  # (no pairs: nothing counted, so no period is opened either)
        if not self._lo <= day < self._hi:
            self._year_counts(day)
        row = self._now
        ids = self._ids
        if type(c) is Child:  # (compiled: struct reads of the child's groups, C indices; a test's stand-in below)
            ch = c
            gi = ch.gid
            g = self._g[gi]
            if self._x:
                pi = ch.pid
                x = self._x[pi]
            else:
                x = None
        else:
            g = self._g[c.gid]
            x = self._x[c.pid] if self._x else None
        if cython.compiled:
            scaled = scale is not None
            s = scale if scaled else 1.0  # (`amount * s` in C doubles: the product Python's float `*` makes)
        for amount, metric in pairs:
            if cython.compiled:
                n = amount * s if scaled else amount
                i = self._id(metric)
            else:
                n = amount if scale is None else amount * scale
                i = ids.get(metric, -1)
                if i < 0:
                    i = self._new_id(metric)
            if cython.compiled:
                row.data.as_doubles[i] += n
                g.data.as_doubles[i] += n
                if x is not None:
                    x.data.as_doubles[i] += n
            else:
                row[i] += n
                g[i] += n
                if x is not None:
                    x[i] += n

    def add_la(self, la: int, metric: str, day: float, n: float = 1.0) -> None:
        """Count for one authority (by calendar year): kept beside the national counts, at (authority, id) of the
        year's array (`la_counts`); each entry from 0.0, as the dictionary's `get(key, 0.0) + n` it replaces."""
        if day < self._from:
            return
        if not self._lo <= day < self._hi:
            self._year_counts(day)
        if cython.compiled:
            i = self._id(metric)
        else:
            i = self._ids.get(metric, -1)
            if i < 0:
                i = self._new_id(metric)
        li = la
        stride = self._la_stride
        if li < 0 or i >= stride:  # outside the array (an undeclared name's id is past it): by its key
            key = (la, metric)
            more = self._la_more
            if key not in more:
                self._la_order.append(key)
            more[key] = more.get(key, 0.0) + n
            return
        k = li * stride + i
        vals = self._la_vals
        seen = self._la_seen
        if k >= len(vals):  # a new authority: the array grows by whole authorities, each entry 0.0
            grow = (li + 1) * stride - len(vals)
            vals.extend(array("d", bytes(8 * grow)))
            seen.extend(bytes(grow))
        if not seen[k]:
            seen[k] = 1
            self._la_order.append((la, metric))
        if cython.compiled:
            vals.data.as_doubles[k] += n
        else:
            vals[k] += n
