"""journeys.parquet: one row per child of a replication, what happened to them (`write_journeys`).

A national year has over half a million children, so how their fields are read decides what the file costs: as typed
columns (`records.journey_arrays`, struct reads in the compiled core) wherever every value is of its column's one
type, else as lists converted as pyarrow infers them. Both ways make the same table, so the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...engine.model.journey import Journey
from ...engine.model.records import (
    JOURNEY_BOOLS,
    JOURNEY_FLOATS,
    JOURNEY_INTS,
    JOURNEY_STRINGS,
    fields_of,
    journey_arrays,
)
from .outputs import arrow, dictionary_column, string_codes, write_parquet


def _column(values: list[Any]) -> Any:
    """A column of journeys.parquet as `pa.array(values)` infers it, but a column whose values are strings (or None)
    as a dictionary array of them (`outputs.dictionary_column`: written as the typed path writes it, read back as
    strings)."""
    import pyarrow as pa

    first = next((v for v in values if v is not None), None)
    if isinstance(first, str):
        got, names = string_codes(values)
        if all(v is None or type(v) is str for v in names):
            return dictionary_column(got, names)
    return pa.array(values)


_JOURNEY_FIELDS = ("id", "la", "stock", "t0", "requester", "need", "born", "preferred", "capacity", "health", "social",
                   "exception", "status", "refused", "assessed", "no_plan", "ordered", "final_at", "final_deadline",
                   "provision_at", "days_without_provision", "waiting_since", "disputes", "mediations", "appeals",
                   "reviews", "ceased_at")


def write_journeys(j: Journey, path: Path, later: Callable[[Callable[[], None]], None] | None = None) -> None:
    """One row per child.

    Why it reads the children this way: a national year has over half a million children. `records.journey_arrays`
    reads every field used into typed columns in one pass over the children (struct reads in the compiled core), and
    the columns that combine fields are made from those with numpy (`_typed_columns`). Where a field holds a value
    not of its column's one type, the fields are read as lists (`records.fields_of`) and converted as pyarrow
    infers them (`_list_columns`). The two make the same table, so the file's bytes are the same (the golden outputs
    check this; `tests/test_event_log.py` writes one journey both ways and compares the bytes). With `later` (a run
    that writes the event log: `ParquetSink.later`), the table made is written by that function, in another thread."""
    import pyarrow as pa

    table = _typed_columns(j) if j.children else None
    if table is None:
        table = _list_columns(j)
    whole = pa.table(table)
    del table
    # (the string columns as dictionaries, no statistics: `outputs.parquet_options`, by pyarrow's file writer)
    if later is None:
        write_parquet(whole, path)
    else:  # (the file's encoding and compression, in another thread: `ParquetSink.later`)
        later(lambda: write_parquet(whole, path))


def _typed_columns(j: Journey) -> dict[str, Any] | None:
    """journeys.parquet's columns from the children's typed columns (`records.journey_arrays`), or None if a field
    holds a value of another type than its column's. Each column is the Arrow array `_list_columns` makes from the
    same values: whole numbers int64, yes/no bool, days float64 with NaN as null, strings a dictionary array of each
    field's different values (None a null); a derived column the same IEEE operations element by element."""
    import pyarrow as pa

    ch = j.children
    n = len(ch)
    got = journey_arrays(ch)
    if got is None:
        return None
    ints_b, bools_b, floats_b, codes_b, names = got
    ints = dict(zip(JOURNEY_INTS, np.frombuffer(ints_b, np.int64).reshape(len(JOURNEY_INTS), n), strict=True))
    bools = dict(zip(JOURNEY_BOOLS, np.frombuffer(bools_b, np.bool_).reshape(len(JOURNEY_BOOLS), n), strict=True))
    floats = dict(zip(JOURNEY_FLOATS, np.frombuffer(floats_b, np.float64).reshape(len(JOURNEY_FLOATS), n),
                      strict=True))
    codes = dict(zip(JOURNEY_STRINGS, np.frombuffer(codes_b, np.uint8).reshape(len(JOURNEY_STRINGS), n),
                     strict=True))
    values = dict(zip(JOURNEY_STRINGS, names, strict=True))
    nan = float("nan")

    def strings(field: str, null: np.ndarray | None = None) -> Any:
        """A string field's column (null where `null`), as `_column` makes it from the list of its values."""
        found, code = values[field], codes[field]
        if null is not None and null.any():
            if None not in found:
                found = [*found, None]
            code = np.where(null, found.index(None), code.astype(np.int32))  # (None may be the 257th value)
        if None in found and (code == found.index(None)).all():
            return pa.nulls(n)  # (no string at all: pyarrow infers the null type from a list of None)
        return dictionary_column(code, found)

    def days(v: np.ndarray) -> Any:
        return arrow(v, mask=np.isnan(v))  # missing is null, not NaN

    stock, t0, final_at = bools["stock"], floats["t0"], floats["final_at"]
    no_req = stock | np.isnan(t0)  # no request: a plan in force at the start, or one that arrived from outside
    if no_req.all():
        age = pa.nulls(n)
    else:
        age_v = (t0 - floats["born"]) / 365.25
        age = arrow(age_v, mask=no_req) if no_req[0] else days(np.where(no_req, nan, age_v))
    status_names, status = values["status"], codes["status"]
    in_plan = np.isin(status, [k for k, v in enumerate(status_names) if v in ("plan", "ceased")])
    is_plan = np.isin(status, [k for k, v in enumerate(status_names) if v == "plan"])
    not_final = stock | np.isnan(final_at)
    within = (pa.nulls(n) if not_final.all()
              else arrow(final_at <= floats["final_deadline"], mask=not_final))
    waiting = floats["waiting_since"]
    return {
        "child": arrow(ints["id"]),
        "la": dictionary_column(ints["la"], [la.spec.code for la in j.las]),
        "stock_plan_at_start": arrow(stock),
        "requester": strings("requester", no_req),
        "primary_need": strings("need"),
        "age_at_request": age,
        "preferred_setting": strings("preferred"),
        "redress_capacity": strings("capacity"),
        "health_needs": arrow(bools["health"]),
        "social_care_needs": arrow(bools["social"]),
        "regulation_10_4_exception": arrow(bools["exception"]),
        "request_day": days(np.where(stock, nan, t0)),
        "status_at_end": strings("status"),
        "refused_to_assess": arrow(bools["refused"]),
        "assessed": arrow(bools["assessed"]),
        "no_plan_after_assessment": arrow(bools["no_plan"]),
        "plan_after_appeal": arrow(bools["ordered"]),
        "final_plan_day": days(final_at),
        "weeks_to_final_plan": days(np.where(stock, nan, (final_at - t0) / 7.0)),
        "within_20_weeks": within,
        "setting_named": strings("setting", ~in_plan),
        "provision_in_place_day": days(floats["provision_at"]),
        "weeks_without_provision": days((floats["days_without_provision"]
                                         + np.where(waiting == waiting, j.horizon - waiting, 0.0)) / 7.0),
        "waiting_for_place_at_end": arrow((waiting == waiting) & is_plan),
        "disputes": arrow(ints["disputes"]),
        "mediations": arrow(ints["mediations"]),
        "appeals": arrow(ints["appeals"]),
        "annual_reviews": arrow(ints["reviews"]),
        "ceased_day": days(floats["ceased_at"]),
    }


def _list_columns(j: Journey) -> dict[str, Any]:
    """journeys.parquet's columns from the children's fields read as lists (`records.fields_of`), converted as
    pyarrow infers them: the way for any values (`write_journeys`)."""
    import pyarrow as pa

    ch = j.children
    nan = float("nan")
    codes = [la.spec.code for la in j.las]
    end = j.horizon
    (ids, las, stock, t0, requester, need, born, preferred, capacity, health, social, exception, status, refused,
     assessed, no_plan, ordered, final_at, final_deadline, provision_at, days_without, waiting, disputes, mediations,
     appeals, reviews, ceased_at) = fields_of(ch, _JOURNEY_FIELDS)
    # no request: a plan in force at the start, or one that arrived from outside the run (route/moves.py)
    no_request = [s or t != t for s, t in zip(stock, t0, strict=True)]
    in_plan = [s in ("plan", "ceased") for s in status]
    # the columns computed from float fields, element by element with numpy (the same IEEE operations as Python's on
    # each value); a column is an array only where the list it replaces would have taken the same path below (its
    # first value a float: NaN masked as missing; or, for the age, a first value None: missing where there is no
    # request), else the list as before
    arrays = {}
    if ch:
        stock_a = np.array(stock, dtype=bool)
        t0_a, final_a = np.array(t0, dtype=float), np.array(final_at, dtype=float)
        waiting_a = np.array(waiting, dtype=float)
        no_req = stock_a | np.isnan(t0_a)
        age = (t0_a - np.array(born, dtype=float)) / 365.25
        if no_req[0] and not no_req.all():  # (pyarrow's inference from a list: None missing, a NaN kept)
            arrays["age_at_request"] = pa.array(age, mask=no_req)
        elif not no_req[0]:
            arrays["age_at_request"] = np.where(no_req, nan, age)
        if stock[0] or isinstance(t0[0], float):
            arrays["request_day"] = np.where(stock_a, nan, t0_a)
        arrays["weeks_to_final_plan"] = np.where(stock_a, nan, (final_a - t0_a) / 7.0)
        arrays["weeks_without_provision"] = (np.array(days_without, dtype=float)
                                             + np.where(waiting_a == waiting_a, end - waiting_a, 0.0)) / 7.0
        del stock_a, t0_a, final_a, waiting_a, no_req, age  # (the peak: only the columns are kept)
    if "age_at_request" not in arrays:
        arrays["age_at_request"] = [None if x else (t - b) / 365.25 for x, t, b in zip(no_request, t0, born,
                                                                                       strict=True)]
    if "request_day" not in arrays:
        arrays["request_day"] = [nan if s else t for s, t in zip(stock, t0, strict=True)]
    if "weeks_to_final_plan" not in arrays:
        arrays["weeks_to_final_plan"] = [(f - t) / 7.0 if not s else nan
                                         for f, t, s in zip(final_at, t0, stock, strict=True)]
    if "weeks_without_provision" not in arrays:
        arrays["weeks_without_provision"] = [(d + ((end - w) if w == w else 0.0)) / 7.0
                                             for d, w in zip(days_without, waiting, strict=True)]
    cols = {
        "child": ids,
        "la": [codes[i] for i in las],
        "stock_plan_at_start": stock,
        "requester": [None if x else r for x, r in zip(no_request, requester, strict=True)],
        "primary_need": need,
        "age_at_request": None,  # (below: as an array)
        "preferred_setting": preferred,
        "redress_capacity": capacity,
        "health_needs": health,
        "social_care_needs": social,
        "regulation_10_4_exception": exception,
        "request_day": None,
        "status_at_end": status,
        "refused_to_assess": refused,
        "assessed": assessed,
        "no_plan_after_assessment": no_plan,
        "plan_after_appeal": ordered,
        "final_plan_day": final_at,
        "weeks_to_final_plan": None,
        "within_20_weeks": [None if s or f != f else (f <= d)
                            for s, f, d in zip(stock, final_at, final_deadline, strict=True)],
        "setting_named": [getattr(c, "setting", None) if p else None for c, p in zip(ch, in_plan, strict=True)],
        "provision_in_place_day": provision_at,
        "weeks_without_provision": None,
        "waiting_for_place_at_end": [w == w and s == "plan" for w, s in zip(waiting, status, strict=True)],
        "disputes": disputes,
        "mediations": mediations,
        "appeals": appeals,
        "annual_reviews": reviews,
        "ceased_day": ceased_at,
    }
    # each list dropped once converted (and the fields read only to make other columns, now), so that the peak
    # holds the children, the lists and the arrays of a few columns at a time rather than of all of them
    del (ids, las, stock, t0, requester, need, born, preferred, capacity, health, social, exception, status, refused,
         assessed, no_plan, ordered, final_at, final_deadline, provision_at, days_without, waiting, disputes,
         mediations, appeals, reviews, ceased_at, no_request, in_plan)
    table = {}
    for k in list(cols):
        v = cols.pop(k)
        if v is None:
            v = arrays.pop(k)
            if isinstance(v, np.ndarray):
                table[k] = pa.array(v, mask=np.isnan(v))  # missing is null, not NaN
                continue
            if not isinstance(v, list):  # (an Arrow array made above)
                table[k] = v
                continue
        if v and isinstance(v[0], float):
            a = np.array(v, dtype=float)
            table[k] = pa.array(a, mask=np.isnan(a))  # missing is null, not NaN
        else:
            table[k] = _column(v)
    return table
