"""The event log's columnar path: the Recorder's flat chunks, the columns a columnar sink receives, the rows any
other sink receives, and the Parquet file read back as the rows that were logged (rows written by hand here)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from simulator.analysis.runs.outputs import ParquetSink
from simulator.engine.model.records import (
    EVENT_COLUMNS,
    MET_NONE,
    MET_TRUE,
    TYPED_COLUMNS,
    EventRow,
    Recorder,
    fields_of,
    journey_arrays,
    small_codes,
)

ROWS = [
    EventRow(0, 1, 0.0, "request", "received", "LA", 42.0, None),
    EventRow(7, 0, 41.5, "decide_to_assess", "agreed", "LA", 42.0, True),
    EventRow(7, 2, 150.25, "final_plan", "issued", "LA", 140.0, False),
    EventRow(3, 1, 366.0, "sen_support", "started", "school"),
    EventRow(9, 0, 400.9, "tribunal", "registered", "tribunal", math.nan, None),
]


class _Columns:
    """A columnar sink that keeps each chunk's typed columns, read back as lists of Python values."""

    columnar = True

    def __init__(self) -> None:
        self.chunks: list[list[list]] = []
        self.types: list[list[str]] = []

    def arrays(self, n: int, bufs: tuple, names: list) -> None:
        cols = [np.frombuffer(b, dtype=np.dtype(code))[:n] for b, (_name, code) in zip(bufs, TYPED_COLUMNS,
                                                                                          strict=True)]
        self.types.append([c.dtype.name for c in cols])
        child, la, day, step, event, duty, deadline, met = (c.tolist() for c in cols)
        self.chunks.append([child, la, day, [names[k] for k in step], [names[k] for k in event],
                            [names[k] for k in duty], deadline, [{MET_NONE: None, MET_TRUE: True}.get(m, False)
                                                                 for m in met]])


def test_a_columnar_sink_gets_each_chunk_as_typed_columns_in_event_column_order():
    sink = _Columns()
    rec = Recorder(sink, chunk=2)
    for r in ROWS:
        rec.add(r)
    rec.flush()
    assert [len(c[0]) for c in sink.chunks] == [2, 2, 1]  # chunks of 2 rows, the rest at the end
    assert all(len(c) == len(EVENT_COLUMNS) == 8 for c in sink.chunks)
    # child int64, authority int32, days float64, three string codes int32, deadline float64, met one byte
    assert sink.types[0] == ["int64", "int32", "float64", "int32", "int32", "int32", "float64", "int8"]
    assert sink.chunks[1][0] == [7, 3] and sink.chunks[1][3] == ["final_plan", "sen_support"]
    assert sink.chunks[1][2] == [150.25, 366.0]
    assert sink.chunks[1][6][0] == 140.0 and math.isnan(sink.chunks[1][6][1])  # the default deadline: NaN
    assert sink.chunks[0][7] == [None, True] and sink.chunks[1][7] == [False, None]
    assert sink.chunks[2][5] == ["tribunal"] and sink.chunks[2][7] == [None]
    # each string has one code for the whole log, in the order first met (request, received, LA, decide_to_...)
    assert rec.names[:4] == ["request", "received", "LA", "decide_to_assess"]
    assert len(rec.names) == len(set(rec.names)) == 12  # 12 different strings in ROWS


def test_any_other_sink_gets_event_rows_as_before():
    got: list[EventRow] = []
    rec = Recorder(got.extend, chunk=3)
    for r in ROWS:
        rec.add(r)
    rec.flush()
    assert all(type(r) is EventRow for r in got)
    assert [r.child for r in got] == [0, 7, 7, 3, 9] and got[3].duty_holder == "school"


def test_the_parquet_file_reads_back_as_the_logged_rows_whichever_way_it_was_fed(tmp_path):
    codes = ["E06000001", "E06000002", "E06000003"]
    start = np.datetime64("2019-01-01", "D")
    by_columns = ParquetSink(tmp_path / "a.parquet", codes, start)
    rec = Recorder(by_columns, chunk=2)
    for r in ROWS:
        rec.add(r)
    rec.flush()
    by_columns.close()
    by_rows = ParquetSink(tmp_path / "b.parquet", codes, start)
    for i in range(0, len(ROWS), 2):  # the same chunks, handed over as rows
        by_rows(ROWS[i:i + 2])
    by_rows.close()
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    f = pq.ParquetFile(tmp_path / "a.parquet")
    assert f.metadata.num_row_groups == 3
    back = f.read().to_pylist()
    assert [r["la"] for r in back] == ["E06000002", "E06000001", "E06000003", "E06000002", "E06000001"]
    # day 150.25 from 1 January 2019 is 31 May 2019; day 366 is 2 January 2020
    assert [r["date"] for r in back][2:4] == [dt.date(2019, 5, 31), dt.date(2020, 1, 2)]
    assert [r["deadline_day"] for r in back] == [42.0, 42.0, 140.0, None, None]  # NaN is written as missing
    assert [r["deadline_met"] for r in back] == [None, True, False, None, None]
    assert [(r["child"], r["step"], r["event"], r["duty_holder"]) for r in back] == [
        (r.child, r.step, r.event, r.duty_holder) for r in ROWS]


class _Child:
    __slots__ = ("id", "la", "setting")

    def __init__(self, cid: int, la: int) -> None:
        self.id, self.la = cid, la


def test_log_writes_the_row_add_would_with_the_clock_s_day():
    """`Recorder.log` (the journey's steps' way in) gives the sink the same columns as `add` of the row's tuple,
    the day read from the engine's clock at the call."""
    from simulator.engine.core.loop import HeapEngine

    by_add, by_log = _Columns(), _Columns()
    added, logged = Recorder(by_add, chunk=2), Recorder(by_log, chunk=2)
    logged.clock = clock = HeapEngine()
    for r in ROWS:
        added.add(r)
        clock.now = r.day
        if r.deadline_met is None and math.isnan(r.deadline_day):
            logged.log(_Child(r.child, r.la), r.step, r.event, r.duty_holder)  # the defaults: NaN and None
        else:
            logged.log(_Child(r.child, r.la), r.step, r.event, r.duty_holder, r.deadline_day, r.deadline_met)
    added.flush()
    logged.flush()
    assert [len(c[0]) for c in by_log.chunks] == [2, 2, 1]
    for a, b in zip(by_add.chunks, by_log.chunks, strict=True):
        assert [[repr(v) for v in col] for col in a] == [[repr(v) for v in col] for col in b]
    assert by_log.chunks[1][2] == [150.25, 366.0] and by_log.chunks[1][5] == ["LA", "school"]


def test_a_journey_s_log_hands_a_child_s_row_to_its_recorder_as_add_would():
    """`RunState.log` (every step's call) with a `Recorder` as the run's (`_log_to`: compiled, a C call of
    `Recorder.log`, which reads a `Child`'s id and authority as struct fields) gives the sink the same columns as
    `add` of each row's tuple, for a columnar sink and for a sink of rows."""
    from simulator.engine.core.loop import HeapEngine
    from simulator.engine.model.child import Child
    from simulator.engine.model.state import RunState

    for columnar in (True, False):
        by_add = _Columns() if columnar else []
        by_log = _Columns() if columnar else []
        added = Recorder(by_add if columnar else by_add.extend, chunk=2)
        logged = Recorder(by_log if columnar else by_log.extend, chunk=2)
        logged.clock = clock = HeapEngine()
        st = RunState()
        st.rec = st._log_to = logged
        for r in ROWS:
            added.add(r)
            clock.now = r.day
            c = Child(r.child, r.la, False)
            if r.deadline_met is None and math.isnan(r.deadline_day):
                st.log(c, r.step, r.event, r.duty_holder)
            else:
                st.log(c, r.step, r.event, r.duty_holder, r.deadline_day, r.deadline_met)
        added.flush()
        logged.flush()
        if columnar:
            assert [len(c[0]) for c in by_log.chunks] == [2, 2, 1]
            assert [[[repr(v) for v in col] for col in ch] for ch in by_add.chunks] == \
                [[[repr(v) for v in col] for col in ch] for ch in by_log.chunks]
            assert by_log.chunks[0][0] == [0, 7] and by_log.chunks[0][1] == [1, 0]  # the children's ids, authorities
        else:
            assert [repr(r) for r in by_log] == [repr(r) for r in by_add] == [repr(r) for r in ROWS]


def test_fields_of_reads_each_named_field_of_each_object_as_columns():
    kids = [_Child(4, 2), _Child(9, 0), _Child(1, 1)]
    kids[1].setting = "special"
    assert fields_of(kids, ("la", "id")) == [[2, 0, 1], [4, 9, 1]]
    assert fields_of([kids[1]], ("setting",)) == [["special"]]
    assert fields_of([], ("id", "la")) == [[], []]


def test_a_parquet_sink_whose_writer_fails_raises_at_close(tmp_path):
    """The row groups are written in the sink's own thread: an error there (here, no folder to write the file in)
    reaches the run, at the next chunk or at `close`, not lost in the thread."""
    sink = ParquetSink(tmp_path / "missing" / "events.parquet", ["E06000001", "E06000002"],
                       np.datetime64("2019-01-01", "D"))
    sink(ROWS[:1])
    with pytest.raises(OSError):
        sink(ROWS[1:2])
        sink.close()
    assert not (tmp_path / "missing").exists()


def test_small_codes_index_each_value_in_first_seen_order_and_give_up_past_256():
    names: list = ["LA"]
    assert list(small_codes(["school", "LA", None, "school", "tribunal"], names)) == [1, 0, 2, 1, 3]
    assert names == ["LA", "school", None, "tribunal"]
    assert small_codes([str(i) for i in range(256)], []) is not None
    assert small_codes([str(i) for i in range(257)], []) is None  # 257 different values: not one byte each


def test_a_string_column_is_a_dictionary_of_its_sorted_strings_by_codes_or_one_by_one():
    import pyarrow as pa

    from simulator.analysis.runs.outputs import _strings, dictionary_column

    few = ["received", "agreed", None, "received", "issued"] * 3
    many = [f"step_{i}" for i in range(300)] + [None]
    for values in (few, many, []):
        got = _strings(values)
        assert pa.types.is_dictionary(got.type) and got.cast(pa.string()).equals(pa.array(values, pa.string()))
        assert got.to_pylist() == values
        assert got.dictionary.to_pylist() == sorted({v for v in values if v is not None})
    # the same array from the run's codes (every string of the run, as first met) as from one chunk's
    run_names = ["issued", "other", None, "received", "agreed", "unused"]
    codes = np.array([run_names.index(v) for v in few], dtype=np.int32)
    assert dictionary_column(codes, run_names).equals(_strings(few))
    # nulls where asked, besides None
    null = np.array([v == "issued" for v in few])
    assert dictionary_column(codes, run_names, null).to_pylist() == [None if v == "issued" else v for v in few]



def test_a_chunk_s_codes_present_and_their_indices_by_hand():
    """The compiled C passes `dictionary_column` uses for the event log's int32 codes: which codes occur, and each
    one's index by a remapping; None and False (numpy's way then) in pure Python or for a code out of range."""
    from simulator.engine.model.records import codes_present, remap_codes

    codes = np.array([3, 0, 3, 5], dtype=np.int32)
    flags = codes_present(codes, 6)
    if flags is None:  # the pure path: numpy's bincount and take in dictionary_column
        assert remap_codes(codes, np.arange(6, dtype=np.int32), np.empty(4, dtype=np.int32)) is False
        return
    assert list(flags) == [1, 0, 0, 1, 0, 1]  # 0, 3 and 5 occur
    assert codes_present(np.array([6], dtype=np.int32), 6) is None  # past the last code
    assert codes_present(np.array([-1], dtype=np.int32), 6) is None
    remap = np.array([0, -1, -1, 1, -1, 2], dtype=np.int32)  # 0 -> 0, 3 -> 1, 5 -> 2
    out = np.empty(4, dtype=np.int32)
    assert remap_codes(codes, remap, out) and list(out) == [1, 0, 1, 2]
    assert not remap_codes(np.array([7], dtype=np.int32), remap, np.empty(1, dtype=np.int32))  # not an index
    assert not remap_codes(codes, remap, np.empty(3, dtype=np.int32))  # `out` of another length
    # (the passes take four codes a turn, then the rest one by one: a code out of range is found in either part, at
    # any place of a turn, and every length from 1 to 9 gives the flags and indices worked out by hand here)
    for length in range(1, 10):
        codes = np.array([(5 * i + 2) % 6 for i in range(length)], dtype=np.int32)  # 2, 1, 0, 5, 4, 3, 2, 1, 0
        want_flags = [1 if c in {(5 * i + 2) % 6 for i in range(length)} else 0 for c in range(6)]
        assert list(codes_present(codes, 6)) == want_flags
        out = np.empty(length, dtype=np.int32)
        assert remap_codes(codes, np.array([10, 11, 12, 13, 14, 15], dtype=np.int32), out)
        assert list(out) == [10 + (5 * i + 2) % 6 for i in range(length)]
        for bad in range(length):
            for wrong in (-1, 6, -2 ** 31):
                odd = codes.copy()
                odd[bad] = wrong
                assert codes_present(odd, 6) is None
                assert not remap_codes(odd, np.arange(6, dtype=np.int32), np.empty(length, dtype=np.int32))



def test_the_log_s_dates_are_the_start_plus_each_day_s_floor():
    """`records.day_numbers` (compiled: the events' date column in one C pass): 1 January 2019 is day 17,897 since
    1970 (49 years, 12 of them leap years: 49 * 365 + 12); a day's fraction is dropped toward the past, so half a day
    before the start is 31 December 2018. Not a finite day, or a date beyond date32, is left to numpy (False)."""
    from simulator.engine.model.records import day_numbers

    days = np.array([0.0, 0.5, 364.99, 365.0, -0.5, -1.0, -1.5], dtype=np.float64)
    out = np.empty(len(days), dtype=np.int32)
    if not day_numbers(days, 17_897, out):  # the pure path: numpy's way in ParquetSink._table
        return
    assert list(out) == [17_897, 17_897, 18_261, 18_262, 17_896, 17_896, 17_895]
    for bad in (math.nan, math.inf, -math.inf, 3e9):
        assert not day_numbers(np.array([1.0, bad]), 17_897, np.empty(2, dtype=np.int32))
    assert not day_numbers(np.array([2_147_483_647.0 - 17_897 + 1]), 17_897, np.empty(1, dtype=np.int32))
    assert not day_numbers(days, 17_897, np.empty(3, dtype=np.int32))  # `out` of another length

def test_a_chunk_of_int32_codes_is_the_dictionary_column_of_its_strings():
    """A chunk of the run's codes (int32, as the Recorder's buffers) makes the array of its strings: the strings
    present, sorted, each row its string's index (worked out here with Python's sorted and index)."""
    import pyarrow as pa

    from simulator.analysis.runs.outputs import dictionary_column

    names = [f"s{i:02d}" for i in range(40)][::-1]  # codes in an order other than the strings'
    rng = np.random.default_rng(7)
    codes = rng.integers(5, 30, 2_000).astype(np.int32)  # some codes never used
    got = dictionary_column(codes, names)
    present = sorted({names[c] for c in codes})
    assert got.dictionary.to_pylist() == present
    assert got.indices.to_pylist() == [present.index(names[c]) for c in codes]
    assert got.null_count == 0 and got.cast(pa.string()).to_pylist() == [names[c] for c in codes]

def _journey_of(kids: list, horizon: float = 365.0):
    from types import SimpleNamespace

    las = [SimpleNamespace(spec=SimpleNamespace(code="E06000001")), SimpleNamespace(spec=SimpleNamespace(code="E2"))]
    return SimpleNamespace(children=kids, las=las, horizon=horizon)


def _kid(cid: int, stock: bool, t0: float = math.nan, final_at: float = math.nan, waiting: float = math.nan):
    from simulator.engine.model.child import Child

    c = Child(cid, cid % 2, stock)
    c.requester, c.need, c.preferred, c.capacity = "parent", "ASD", "mainstream", "high"
    c.health = c.social = False
    c.born = 10.0 - 8.0 * 365.25  # 8 years old on day 10
    c.t0, c.final_at, c.final_deadline, c.waiting_since = t0, final_at, t0 + 140.0, waiting
    c.days_without_provision = 7.0
    return c


@pytest.fixture(params=["typed", "lists"])
def journeys_path(request, monkeypatch):
    """write_journeys by the children's typed columns, or forced down the lists' path (a field of another type)."""
    from simulator.analysis.runs import journeys as outputs

    if request.param == "lists":
        monkeypatch.setattr(outputs, "_typed_columns", lambda j: None)
    return request.param


@pytest.mark.parametrize("stock_first", [False, True])
def test_journeys_float_columns_by_hand_whichever_child_comes_first(tmp_path, stock_first, journeys_path):
    """journeys.parquet's computed float columns (made with numpy): a request on day 10 by a child born 8 years
    before (age 8.0), its final plan on day 150 (20.0 weeks), waiting for a place since day 330 at a horizon of
    365 (7 + 35 days without provision: 6.0 weeks); a plan in force at the start (no request: missing)."""
    from simulator.analysis.runs.journeys import write_journeys

    kids = [_kid(0, False, 10.0, 150.0, 330.0), _kid(1, True)]
    if stock_first:
        kids.reverse()
    write_journeys(_journey_of(kids), tmp_path / "j.parquet")
    got = {r["child"]: r for r in pq.read_table(tmp_path / "j.parquet").to_pylist()}
    assert got[0]["age_at_request"] == 8.0 and got[1]["age_at_request"] is None
    assert got[0]["request_day"] == 10.0 and got[1]["request_day"] is None
    assert got[0]["weeks_to_final_plan"] == 20.0 and got[1]["weeks_to_final_plan"] is None
    assert got[0]["weeks_without_provision"] == 6.0 and got[1]["weeks_without_provision"] == 1.0
    assert got[0]["within_20_weeks"] is True and got[1]["within_20_weeks"] is None
    assert got[0]["la"] == "E06000001" and got[1]["la"] == "E2" and got[1]["requester"] is None


def test_journeys_of_plans_in_force_only_keep_a_column_of_nulls_for_the_age(tmp_path, journeys_path):
    """No child with a request: the age column is all missing, of the type pyarrow gives a list of None."""
    import pyarrow as pa

    from simulator.analysis.runs.journeys import write_journeys

    write_journeys(_journey_of([_kid(1, True), _kid(3, True)]), tmp_path / "j.parquet")
    t = pq.read_table(tmp_path / "j.parquet")
    assert t.schema.field("age_at_request").type == pa.null()
    assert t.column("request_day").to_pylist() == [None, None]


def test_journey_arrays_lay_out_each_field_by_kind_field_after_field():
    """Two children: each kind's columns field-major (field k of child i at k * 2 + i), the strings as codes in
    order of first meeting, None among them."""
    a, b = _kid(4, False, 10.0, 150.0), _kid(9, True)
    a.disputes, b.reviews, b.need, b.setting, a.setting = 3, 2, "SEMH", "post16", None
    ints, bools, floats, codes, names = journey_arrays([a, b])
    assert list(ints) == [4, 9, 0, 1, 3, 0, 0, 0, 0, 0, 0, 2]  # id, la (id % 2), disputes, mediations, ...
    assert list(bools[:2]) == [0, 1] and not any(bools[2:])  # stock, then health ... ordered all False
    born = 10.0 - 8.0 * 365.25
    # t0, born, final_at, final_deadline (t0 + 140), then provision_at ... of the two children
    assert [repr(x) for x in floats[:8]] == [repr(x) for x in [10.0, math.nan, born, born, 150.0, math.nan, 150.0,
                                                                 math.nan]]
    assert floats[10:12].tolist() == [7.0, 7.0]  # days without provision
    assert names[1] == ["ASD", "SEMH"] and list(codes[2:4]) == [0, 1]  # need
    assert names[5] == [None, "post16"] and list(codes[10:12]) == [0, 1]  # setting
    assert journey_arrays([]) == (array_q(), bytearray(), array_d(), bytearray(), [[], [], [], [], [], []])


def array_q():
    from array import array

    return array("q")


def array_d():
    from array import array

    return array("d")


@pytest.mark.parametrize("odd", ["bool_count", "int_day", "number_need", "huge_id"])
def test_a_field_of_another_type_is_not_read_as_typed_columns(odd):
    """A value not of its column's one type (a count given as True, a day as an int, a need as a number, an id
    beyond 64 bits) is not forced into the column's type: `journey_arrays` gives None, for the lists' path."""
    kids = [_kid(0, False, 10.0, 150.0, 330.0), _kid(1, True)]
    if odd == "bool_count":
        kids[1].disputes = True
    elif odd == "int_day":
        kids[0].provision_at = 200
    elif odd == "number_need":
        kids[1].need = 7
    else:
        try:
            kids[1].id = 2**70
        except OverflowError:  # compiled, a child's id is a C 64-bit integer (child.pxd): no such id can be held
            return
    assert journey_arrays(kids) is None


def test_a_day_given_as_a_whole_number_is_written_as_pyarrow_infers_the_list(tmp_path):
    """The lists' path in a run: a day held as an int (200) among floats is the float 200.0, as from the list."""
    from simulator.analysis.runs.journeys import write_journeys

    kids = [_kid(0, False, 10.0, 150.0, 330.0), _kid(1, True)]
    kids[0].provision_at = 200
    write_journeys(_journey_of(kids), tmp_path / "j.parquet")
    t = pq.read_table(tmp_path / "j.parquet")
    assert t.column("provision_in_place_day").to_pylist()[0] == 200.0
    assert t.column("weeks_to_final_plan").to_pylist() == [20.0, None]


def test_a_run_s_journeys_are_the_same_bytes_by_typed_columns_or_by_lists(tmp_path, monkeypatch):
    """small_la's journey written both ways: the same file, byte for byte (the golden files pin the typed one)."""
    from simulator.analysis.runs import journeys as outputs
    from simulator.analysis.runs.runner import simulate
    from simulator.rules.scenario import load_scenario

    from .conftest import SMALL

    j = simulate(load_scenario(SMALL), 3, 0, "heap", None)
    outputs.write_journeys(j, tmp_path / "typed.parquet")
    monkeypatch.setattr(outputs, "_typed_columns", lambda j: None)
    outputs.write_journeys(j, tmp_path / "lists.parquet")
    assert (tmp_path / "typed.parquet").read_bytes() == (tmp_path / "lists.parquet").read_bytes()


def test_a_string_field_of_256_values_and_a_null_writes_as_the_lists_do(tmp_path, monkeypatch):
    """256 different settings named (the most one-byte codes hold) and one child not in a plan, whose setting is
    missing: the 257th value, None, still reads as a null, and the file is the lists' own, byte for byte."""
    from simulator.analysis.runs import journeys

    kids = [_kid(i, True) for i in range(257)]
    for i, c in enumerate(kids):
        c.status, c.setting = "plan", f"setting {i % 256}"
    kids[256].status = "in_progress"
    journeys.write_journeys(_journey_of(kids), tmp_path / "typed.parquet")
    t = pq.read_table(tmp_path / "typed.parquet")
    assert t.column("setting_named").to_pylist() == [f"setting {i}" for i in range(256)] + [None]
    monkeypatch.setattr(journeys, "_typed_columns", lambda j: None)
    journeys.write_journeys(_journey_of(kids), tmp_path / "lists.parquet")
    assert (tmp_path / "typed.parquet").read_bytes() == (tmp_path / "lists.parquet").read_bytes()


def test_arrow_arrays_are_pa_array_s_own_and_write_the_same_bytes(tmp_path):
    """`outputs.arrow` (an Arrow array made from the numpy array's buffers, so that pyarrow never imports pandas) is
    `pa.array(values, mask=mask)`: the same type, values and nulls (a NaN kept as a value, a NaT day a null), and a
    Parquet column of it is the same bytes."""
    import pyarrow as pa

    from simulator.analysis.runs.outputs import arrow

    rng = np.random.default_rng(5)
    n = 1000
    floats = rng.normal(size=n)
    floats[::7] = np.nan
    days = (np.datetime64("2019-01-01", "D") + np.floor(rng.uniform(0, 800, n)).astype("timedelta64[D]"))
    days_nat = days.copy()
    days_nat[::9] = np.datetime64("NaT")
    some = rng.uniform(size=n) < 0.3
    cases = [rng.integers(-5, 10**12, n), rng.integers(0, 50, n).astype(np.int32), rng.integers(0, 9, n).astype(np.uint8),
             floats, rng.uniform(size=n) < 0.5, days, days_nat, np.zeros(0), np.zeros(0, np.bool_), floats[:3],
             (rng.uniform(size=13) < 0.5)]
    for i, v in enumerate(cases):
        for mask in (None, np.zeros(len(v), np.bool_), some[:len(v)]):
            got, want = arrow(v, mask=mask), pa.array(v, mask=mask)
            assert got.type == want.type and got.null_count == want.null_count, (i, mask)
            assert repr(got.to_pylist()) == repr(want.to_pylist()), (i, mask)  # (NaN: equal as text)
            pq.write_table(pa.table({"x": got}), tmp_path / "got.parquet", compression="zstd")
            pq.write_table(pa.table({"x": want}), tmp_path / "want.parquet", compression="zstd")
            assert (tmp_path / "got.parquet").read_bytes() == (tmp_path / "want.parquet").read_bytes(), (i, mask)


def test_arrow_strings_are_pa_array_s_own():
    import pyarrow as pa

    from simulator.analysis.runs.outputs import arrow_strings

    for values in (["LA", "school", None, "tribunal", "é ü"], [], [None], ["E06000001"]):
        got, want = arrow_strings(values), pa.array(values, pa.string())
        assert got.type == want.type and got.null_count == want.null_count and got.equals(want)


def test_a_run_folder_is_written_without_importing_pandas(tmp_path):
    """A replication's files (events.parquet, journeys.parquet) are made without `pa.array`, whose first call
    imports pandas (about 0.2 CPU s), so a run does not import it; and written by pyarrow's file writer
    (`outputs.parquet_writer`), so a run does not import `pyarrow.parquet` and its file systems either."""
    import subprocess
    import sys

    from .conftest import SMALL

    code = ("import sys; from pathlib import Path; from simulator.rules.scenario import load_scenario; "
            "from simulator.analysis.runs.run import run_replication; "
            f"run_replication(load_scenario({str(SMALL)!r}), 3, 0, rep_dir=Path({str(tmp_path)!r}), events=True); "
            "print('pandas' in sys.modules, 'pyarrow.parquet' in sys.modules, 'pyarrow.fs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False False"
    assert (tmp_path / "events.parquet").exists() and (tmp_path / "journeys.parquet").exists()


def test_an_equal_string_of_another_object_gets_the_same_code():
    """The codes of the event log's strings and of the journeys' string fields are cached by the string object
    (compiled); a string equal to one met before but another object gets the same code."""
    from simulator.engine.core.loop import HeapEngine

    sink = _Columns()
    rec = Recorder(sink, chunk=10)
    rec.clock = HeapEngine()
    other = "".join(["rec", "eived"])  # equal to "received", another object
    assert other == "received" and other is not "received"  # noqa: F632 - the point is that they are two objects
    for event in ("received", other, "received", "agreed", other):
        rec.log(_Child(1, 0), "request", event, "LA")
    rec.flush()
    assert sink.chunks[0][4] == ["received", "received", "received", "agreed", "received"]
    assert rec.names == ["request", "received", "LA", "agreed"]
    a, b = _kid(1, False, 10.0, 150.0), _kid(2, False, 10.0, 150.0)
    a.need, b.need = "ASD", "".join(["A", "SD"])
    _ints, _bools, _floats, codes, names = journey_arrays([a, b, a])
    assert names[1] == ["ASD"] and list(codes[3:6]) == [0, 0, 0]


def test_an_event_name_of_a_word_and_a_value_is_made_once_for_each_string():
    """`name_of` and `name_of2` (the steps' names such as "named_mainstream") give the f-string's value, the same
    object for the same strings after the first call; a value that is not a str is formatted as the f-string does
    each time and not kept (1 and True are equal keys but format differently)."""
    from simulator.engine.model.records import name_of, name_of2

    memo: dict = {}
    first = name_of(memo, "in_place_", "".join(["main", "stream"]))
    assert first == "in_place_mainstream"
    assert name_of(memo, "in_place_", "mainstream") is first
    assert name_of(memo, "lodged_", "contents") == "lodged_contents"  # (a memo is one word's: the caller's own)
    assert name_of({}, "review_age_", 16) == "review_age_16"
    ints: dict = {}
    assert name_of(ints, "x_", 1) == "x_1" and name_of(ints, "x_", True) == "x_True" and ints == {}
    assert name_of({}, "requested_", None) == "requested_None"
    pairs: dict = {}
    refused = name_of2(pairs, "named_", "mainstream", "_refused_", "unsuitable")
    assert refused == "named_mainstream_refused_unsuitable"
    assert name_of2(pairs, "named_", "mainstream", "_refused_", "unsuitable") is refused
    assert name_of2(pairs, "named_", "mainstream", "_refused_", "inefficient_use_of_resources") == (
        "named_mainstream_refused_inefficient_use_of_resources")
    assert name_of2(pairs, "named_", "post16", "_refused_", 3) == "named_post16_refused_3"


def test_pyarrow_s_file_writer_writes_pyarrow_parquet_s_bytes(tmp_path):
    """`outputs.write_parquet` (pyarrow's file writer, without importing `pyarrow.parquet`'s file systems) writes
    the bytes `pq.write_table` writes with the same options: a table with a dictionary column, nulls, doubles split
    by byte, ids, and an empty one."""
    import pyarrow as pa

    from simulator.analysis.runs.outputs import dictionary_column, parquet_options, write_parquet

    table = pa.table({
        "child": pa.array([3, 1, 2, 7], pa.int64()),
        "step": dictionary_column(np.array([1, 0, 1, 2], dtype=np.int32), ["b", "a", "c"]),
        "day": pa.array([0.5, 1.25, math.nan, 3.0]),
        "deadline_day": pa.array([1.0, None, 2.0, None], pa.float64()),
        "met": pa.array([True, None, False, True]),
    })
    for t in (table, table.schema.empty_table()):
        write_parquet(t, tmp_path / "got.parquet")
        pq.write_table(t, tmp_path / "want.parquet", **parquet_options(t.schema))
        assert (tmp_path / "got.parquet").read_bytes() == (tmp_path / "want.parquet").read_bytes()
        assert pq.read_table(tmp_path / "got.parquet").num_rows == t.num_rows
