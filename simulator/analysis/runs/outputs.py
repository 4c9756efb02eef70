"""The files of a run folder: the manifest, one replication's tables (Parquet) and JSON written atomically.

Layout of a run directory (`outputs/<run-id>/` unless `--out` names another):
  manifest.json                       scenario hash, merged rules, seed, versions
  summary.json                        every metric: mean, 95% interval, per-period values
  replications/rep-000/metrics.json   one replication's metrics (written last: marks it complete)
  replications/rep-000/journeys.parquet   one row per child
  replications/rep-000/events.parquet     the event log (unless switched off)
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ... import __version__
from ...engine.model.journey import Journey
from ...engine.model.records import MET_NONE, MET_TRUE, TYPED_COLUMNS, EventRow, fields_of, small_codes
from ...rules.scenario import LoadedScenario
from .rundir import identity, write_atomic

__all__ = ["dumps", "manifest", "versions", "write_atomic", "ParquetSink", "write_journeys", "identity"]


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "sendsim": __version__}
    for pkg in ("numpy", "pydantic", "simpy", "pyarrow", "PyYAML", "click"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def manifest(loaded: LoadedScenario, seed: int, replications: int, engine: str, events: bool) -> dict[str, Any]:
    return {
        "scenario": loaded.scenario.name,
        "scenario_file": str(loaded.path),
        "scenario_sha256": loaded.scenario_sha256,
        "rules": loaded.law.name,
        "rules_sha256": loaded.rules_sha256,
        "seed": seed,
        "replications": replications,
        "engine": engine,
        "event_log": events,
        "start_date": loaded.scenario.start_date.isoformat(),
        "end_date": loaded.scenario.end_date.isoformat(),
        "merged_rules": loaded.rules.model_dump(mode="json"),
        "scenario_parameters": loaded.scenario.model_dump(mode="json", exclude={"local_authorities"}),
        "local_authorities": len(loaded.scenario.local_authorities.items),
        "places": [la.name for la in loaded.scenario.local_authorities.items[:3]],  # the report's official names
        "versions": versions(),
    }


def dumps(obj: Any) -> str:
    """JSON as every output file writes it: indented, keys sorted, no NaN."""
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _strings(values: list[Any]) -> Any:
    """A column of strings (or None) as an Arrow string array: taken by one-byte codes from its few different values
    (`records.small_codes`), or converted one by one if there are more than 256 of them. The same array either way."""
    import pyarrow as pa

    names: list[Any] = []
    codes = small_codes(values, names)
    if codes is None:
        return pa.array(values, pa.string())
    return pa.array(names, pa.string()).take(pa.array(np.frombuffer(codes, dtype=np.uint8)))


def _column(values: list[Any]) -> Any:
    """A column of journeys.parquet as `pa.array(values)` infers it: a column whose values are strings (or None) is
    taken by codes from its few different strings (`_strings`: the same array, about a quarter of the cost), any
    other as pyarrow converts it."""
    import pyarrow as pa

    first = next((v for v in values if v is not None), None)
    if isinstance(first, str):
        names: list[Any] = []
        codes = small_codes(values, names)
        if codes is not None and all(v is None or type(v) is str for v in names):
            return pa.array(names, pa.string()).take(pa.array(np.frombuffer(codes, dtype=np.uint8)))
    return pa.array(values)


class ParquetSink:
    """Streams event-log chunks to one Parquet file (so a national run never holds every event).

    Why it is written this way: it takes each chunk (`Recorder.chunk` rows, one Parquet row group) as the
    `Recorder`'s typed columns (`arrays`: the child as int64, the day and deadline as doubles, whether it was met as
    one byte, the step, event and duty as codes of the strings met so far), which numpy and Arrow read without
    converting a value at a time; the strings are a `take` from the array of those strings by code, and the
    authority column a `take` from the array of authority codes by index. A chunk given as rows (`__call__`) or as
    lists of Python values (`columns`) is converted as before (`np.fromiter`, `_strings`). The table handed to the
    writer holds the same values with the same types and row groups either way, so the file's bytes are the same
    (the golden outputs, and `tests/test_event_log.py`, which writes the same rows both ways, check this).

    Why a writer thread: encoding and compressing a row group is about half of what the sink costs, and pyarrow
    does it without holding the interpreter lock, so one thread of the sink's own writes each table while the run
    goes on (on a second core, if there is one). Tables are written one at a time, in the order they were made, by
    that one thread, so the file is the same, byte for byte; at most one table waits, so memory stays at two
    chunks. An error of the writer is raised in the run at the next chunk or at `close`."""

    columnar = True  # `Recorder` hands it typed columns (`arrays`), not rows

    def __init__(self, path: Path, la_codes: list[str], start: np.datetime64):
        import pyarrow as pa

        self.path = path
        self.la_codes = pa.array(la_codes, pa.string())
        self.start = start
        self.schema = pa.schema([
            ("child", pa.int64()), ("la", pa.string()), ("day", pa.float64()), ("date", pa.date32()),
            ("step", pa.string()), ("event", pa.string()), ("duty_holder", pa.string()),
            ("deadline_day", pa.float64()), ("deadline_met", pa.bool_())])
        self.writer = None
        self._thread: ThreadPoolExecutor | None = None
        self._pending: list[Future] = []  # the writes handed to the thread and not yet seen finished

    def __call__(self, rows: list[EventRow]) -> None:
        """A chunk given as rows (`EventRow`s)."""
        if rows:
            self.columns(list(zip(*rows, strict=True)))

    def columns(self, cols: list[list[Any]]) -> None:
        """A chunk given as lists of Python values, in `EVENT_COLUMNS` order (one row group)."""
        import pyarrow as pa

        child, la, day, step, event, duty, deadline, met = cols
        n = len(child)
        if not n:
            return
        self._table(np.fromiter(child, dtype=np.int64, count=n), np.fromiter(la, dtype=np.int32, count=n),
                    np.fromiter(day, dtype=float, count=n), _strings(step), _strings(event), _strings(duty),
                    np.fromiter(deadline, dtype=float, count=n), pa.array(met, pa.bool_()))

    def arrays(self, n: int, bufs: tuple, names: list[Any]) -> None:
        """A chunk of `n` rows as the `Recorder`'s typed columns (`records.TYPED_COLUMNS`: buffers of at least `n`
        values each; the step, event and duty as indices of `names`), one row group: numpy and Arrow read the
        buffers without converting a value at a time, and the strings are taken from `names` by their codes."""
        import pyarrow as pa

        if not n:
            return
        child, la, day, step, event, duty, deadline, met = (
            np.frombuffer(b, dtype=np.dtype(code))[:n] for b, (_name, code) in zip(bufs, TYPED_COLUMNS, strict=True))
        strings = pa.array(names, pa.string())
        self._table(child, la, day, strings.take(pa.array(step)), strings.take(pa.array(event)),
                    strings.take(pa.array(duty)), deadline, pa.array(met == MET_TRUE, mask=met == MET_NONE))

    def _table(self, child: np.ndarray, la: np.ndarray, days: np.ndarray, step: Any, event: Any, duty: Any,
               deadlines: np.ndarray, met: Any) -> None:
        """One row group's table from its columns (NaN deadlines are written as missing), handed to the writer."""
        import pyarrow as pa

        dates = (self.start + np.floor(days).astype("timedelta64[D]")).astype("datetime64[D]")
        table = pa.table({
            "child": pa.array(child),
            "la": self.la_codes.take(pa.array(la)),
            "day": pa.array(days),
            "date": pa.array(dates),
            "step": step,
            "event": event,
            "duty_holder": duty,
            "deadline_day": pa.array(deadlines, mask=np.isnan(deadlines)),
            "deadline_met": met,
        }, schema=self.schema)
        self._wait()  # (at most one table waits: memory stays at two chunks)
        self.later(lambda: self._write(table))

    def later(self, write: Callable[[], None]) -> None:
        """Another file's write, done in the sink's thread after its row groups (`close` waits for it; its error is
        raised there): `write_journeys`, so that it is written while the run frees the journey."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sendsim-events")
        self._pending.append(self._thread.submit(write))

    def _write(self, table: Any) -> None:
        """One row group (in the writer thread)."""
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table)

    def _wait(self) -> None:
        """Until every write handed to the thread is done (the first error, if any, raised here)."""
        pending, self._pending = self._pending, []
        for p in pending:
            p.result()

    def close(self) -> None:
        import pyarrow.parquet as pq

        try:
            self._wait()
        finally:
            if self._thread is not None:
                self._thread.shutdown()
                self._thread = None
        if self.writer is None:
            pq.write_table(self.schema.empty_table(), self.path)
        else:
            self.writer.close()


# the fields of a child that journeys.parquet reads, in the order `write_journeys` unpacks them
_JOURNEY_FIELDS = ("id", "la", "stock", "t0", "requester", "need", "born", "preferred", "capacity", "health", "social",
                   "exception", "status", "refused", "assessed", "no_plan", "ordered", "final_at", "final_deadline",
                   "provision_at", "days_without_provision", "waiting_since", "disputes", "mediations", "appeals",
                   "reviews", "ceased_at")


def write_journeys(j: Journey, path: Path, later: Callable[[Callable[[], None]], None] | None = None) -> None:
    """One row per child.

    Why it reads the children this way: a national year has over half a million children, and a list comprehension
    per column read each child's slots one Python step at a time (about 2 s of a national year with the event log
    on). `records.fields_of` reads every field used (`_JOURNEY_FIELDS`) in one pass over the children (in C in the
    compiled core); the columns that combine fields are then made from those columns. The lists hold the
    same values as before, so the file's bytes are the same (the golden outputs check this). With `later` (a run
    that writes the event log: `ParquetSink.later`), the table made is written by that function, in another thread."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    whole = pa.table(table)
    if later is None:
        pq.write_table(whole, path, compression="zstd")
    else:  # (the file's encoding and compression, in another thread: `ParquetSink.later`)
        later(lambda: pq.write_table(whole, path, compression="zstd"))
