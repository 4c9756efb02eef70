"""The files of a run folder: the manifest, one replication's tables (Parquet) and JSON written atomically.

Layout of a run directory (`outputs/<run-id>/` unless `--out` names another):
  manifest.json                       scenario hash, merged rules, seed, versions
  summary.json                        every metric: mean, 95% interval, per-period values
  replications/rep-000/metrics.json   one replication's metrics (written last: marks it complete)
  replications/rep-000/journeys.parquet   one row per child
  replications/rep-000/events.parquet     the event log (unless switched off)

Why this module is long: the Parquet files' bytes are one contract, kept in one place: the Arrow arrays made from
their buffers, the writer's options and the writer itself (`parquet_options`, `parquet_writer`), the string columns as
dictionaries, and the event log's sink.
"""

from __future__ import annotations

import contextlib
import json
import platform
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ... import __version__
from ...engine.model.records import (
    MET_NONE,
    MET_TRUE,
    TYPED_COLUMNS,
    EventRow,
    codes_present,
    day_numbers,
    remap_codes,
    small_codes,
)
from ...rules.scenario import LoadedScenario
from .rundir import identity, write_atomic

__all__ = ["dumps", "manifest", "versions", "write_atomic", "ParquetSink", "identity"]


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


# Arrow arrays made from their buffers (`arrow`, `arrow_strings`) rather than by `pa.array`. Why: `pa.array` asks
# pyarrow's pandas shim whether its argument is a pandas object, which imports pandas, when it is installed, at the
# first call (about 0.2 CPU s, 0.66 billion instructions: as much as a 0.1x national year's whole event log costs
# beyond its rows); a run folder's files need nothing of pandas. Each array is the one `pa.array` makes from the same
# values (its type, values, nulls: tests/test_event_log.py), so the Parquet files are the same, byte for byte.


def _bitmap(bits: np.ndarray) -> Any:
    """A numpy bool array as an Arrow bitmap (least significant bit first, as Arrow lays out bits)."""
    import pyarrow as pa

    return pa.py_buffer(np.packbits(bits, bitorder="little"))


def arrow(values: np.ndarray, mask: np.ndarray | None = None) -> Any:
    """`pa.array(values, mask=mask)` of a one-dimensional numpy array of numbers, bools or days (datetime64[D], as
    date32; NaT a null when no mask is given), made from its buffers (numbers without a copy). A NaN stays a value, as
    `pa.array` keeps it; nulls are where `mask` is True. Any other dtype goes to `pa.array` itself."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    kind = values.dtype
    if kind == np.bool_:
        typ, data = pa.bool_(), _bitmap(values)
    elif kind == np.dtype("datetime64[D]"):
        days = values.view(np.int64)
        real = days
        if mask is None:  # (NaT is a null unless a mask is given: then `pa.array` reads it as a number, as here)
            nat = np.isnat(values)
            if nat.any():
                mask, real = nat, days[~nat]
        if real.size and (real.min() < -(2 ** 31) or real.max() >= 2 ** 31):  # (beyond date32: `pa.array`'s way)
            return pa.array(values, mask=mask)
        typ, data = pa.date32(), pa.py_buffer(days.astype(np.int32))
    elif kind.kind in "iuf" and kind.isnative:
        typ, data = pa.from_numpy_dtype(kind), pa.py_buffer(values)
    else:
        return pa.array(values, mask=mask)
    if mask is not None:
        nulls = int(np.count_nonzero(mask))
        if nulls:
            return pa.Array.from_buffers(typ, len(values), [_bitmap(~mask), data], null_count=nulls)
    return pa.Array.from_buffers(typ, len(values), [None, data], null_count=0)


def arrow_strings(values: list[Any]) -> Any:
    """`pa.array(values, pa.string())` of a list of strings (or None, a null), made from its buffers: for the few
    different strings of a column (the dictionary of `dictionary_column`)."""
    import pyarrow as pa

    n = len(values)
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    null = np.fromiter((v is None for v in values), dtype=np.bool_, count=n)
    nulls = int(np.count_nonzero(null))
    return pa.Array.from_buffers(pa.string(), n, [_bitmap(~null) if nulls else None, pa.py_buffer(offsets),
                                                  pa.py_buffer(b"".join(encoded))], null_count=nulls)


# The Parquet files' encoding (events.parquet and journeys.parquet; one documented change, issue 28's seventeenth
# round: the decoded tables are the same, the bytes not). Why: encoding was most of what the event log cost (a national
# year: events.parquet's writer about 0.7 CPU s, journeys.parquet's 0.24, beside a run of about 2.7 s without the log),
# and most of that was work the files did not need: each string hashed again into a dictionary the run already had
# (the sink took the strings out of their codes, `take`, for the writer to find the codes again), the smallest and
# largest string of every column chunk compared byte by byte for statistics no reader uses (sendsim reads whole columns;
# no filter), and a dictionary tried, and given up at its page limit, for columns of days and ids that do not repeat.
# Now a string column is handed to the writer as an Arrow dictionary array (`dictionary_column`: the codes and the
# different strings), which Parquet writes as its dictionary page and indices as they are; no column gets statistics;
# only the string columns are dictionary-encoded (the others plain, then zstd as before); and the Arrow schema is not
# stored in the file's metadata (it would name the dictionary type: read back without it, each column has the type
# it had, a string column a string). Measured on a national year's finished files: events.parquet's table and write
# 0.71 -> 0.24 CPU s and 44.4 -> 38.7 MB, journeys.parquet's 0.24 -> 0.10 s and 9.8 -> 8.4 MB; `pq.read_table` of
# each equals main's, schema included (docs/ARCHITECTURE.md, Performance).
#
# Issue 28's eighteenth round (a second documented change of the encoding; the decoded tables the same): the columns of
# doubles (the days, deadlines, weeks and ages) and the child's id are written BYTE_STREAM_SPLIT, each value's bytes
# gathered by position (all first bytes, then all second bytes, ...) before zstd. Why: a double's sign and exponent
# bytes, and the high bytes of an id under a million, repeat from value to value, so zstd finds long runs where the
# interleaved values gave it few matches; it compresses the days and ids with about a quarter less work (a 0.1x
# national year's events.parquet: its writer's instructions 386 -> 298 million) into smaller files (3.83 -> 3.55 MB).
# Readers decode it as any Parquet encoding (Parquet format 2.8 for doubles, 2.11 for integers: pyarrow 17, DuckDB
# 1.1); with a pyarrow older than 17, which cannot write an integer so, the ids are written plain: the same table.
#
# The writer takes each column a page's rows at a time (`write_batch_size`, `PAGE_ROWS`), not pyarrow's default 1,024
# rows; the bytes are the same (issue 28's nineteenth round). Why: each batch costs the writer a fixed round of work
# per column (its levels and values handed on, the dictionary's and the page's size checked), about 3% of
# events.parquet's writer at 1,024 rows (a 0.1x national year: 294 -> 286 million instructions, callgrind). Why the
# bytes stay the same: a data page ends at a batch's end only when its encoded values pass the page size (1 MB), and
# no column of these files comes near that within a page's rows (20,000 values of at most 8 bytes, the strings being
# dictionary indices): every page ends at its 20,000th row (Arrow's `max_rows_per_page`), whatever the batch.
PAGE_ROWS = 20_000  # Arrow's default `max_rows_per_page`: each batch at most one page's rows


def parquet_options(schema: Any) -> dict[str, Any]:
    """The writer's options for a table of `schema` (events.parquet, journeys.parquet): zstd, no statistics, no stored
    Arrow schema, a dictionary for the columns given as dictionary arrays (the strings) and for no other, the doubles
    and the child's id split by byte (`use_byte_stream_split`), a page's rows a batch (`PAGE_ROWS`)."""
    import pyarrow as pa

    split = [f.name for f in schema if pa.types.is_float64(f.type)]
    if "child" in schema.names and int(pa.__version__.split(".")[0]) >= 17:  # (an integer column so: pyarrow 17)
        split.insert(0, "child")
    return {"compression": "zstd", "write_statistics": False, "store_schema": False,
            "use_dictionary": [f.name for f in schema if pa.types.is_dictionary(f.type)],
            "use_byte_stream_split": split, "write_batch_size": PAGE_ROWS}



# the options `pyarrow.parquet.ParquetWriter` hands its file writer beyond those `parquet_options` sets (its own
# defaults, where the file writer's differ or are None: `parquet_writer` gives them, so the bytes are the same)
_PQ_DEFAULTS = {"version": "2.6", "use_deprecated_int96_timestamps": False, "writer_engine_version": "V2",
                "data_page_version": "1.0", "use_compliant_nested_type": True}


def parquet_writer(path: Path, schema: Any) -> Any:
    """A Parquet file writer of `schema` at `path` with `parquet_options`: pyarrow's file writer itself
    (`pyarrow._parquet.ParquetWriter`, which opens the file by its path), as `pyarrow.parquet.ParquetWriter` makes
    it (its defaults, `_PQ_DEFAULTS`), so the same bytes; `write_table` and `close` as that one's.

    Why not `pyarrow.parquet`: importing it imports pyarrow's file systems (S3, GCS, Azure, HDFS, and `ssl` for
    them), about 40 million instructions, a twentieth of what a 0.1x national year's event log cost (callgrind), for
    files a run writes on its own disk by their paths. If pyarrow's file writer does not take these arguments (another
    pyarrow), `pyarrow.parquet`'s writer is used, as before."""
    options = parquet_options(schema)
    try:
        from pyarrow._parquet import ParquetWriter

        return ParquetWriter(str(path), schema, **_PQ_DEFAULTS, **options)
    except (ImportError, TypeError):
        import pyarrow.parquet as pq

        return pq.ParquetWriter(path, schema, **options)


def write_parquet(table: Any, path: Path) -> None:
    """`pyarrow.parquet.write_table(table, path, **parquet_options(table.schema))`, by `parquet_writer`: the same
    bytes (one row group of at most pyarrow's default rows, as there); no file left if it fails."""
    writer = parquet_writer(path, table.schema)
    try:
        writer.write_table(table)
        writer.close()
    except BaseException:
        with contextlib.suppress(Exception):  # (the first error is the one raised)
            writer.close()
        Path(path).unlink(missing_ok=True)
        raise


def dictionary_column(codes: np.ndarray, names: list[Any], null: np.ndarray | None = None) -> Any:
    """A column of strings as an Arrow dictionary array: row `i` is `names[codes[i]]` (None, or `null[i]`, a null).

    The dictionary is the column's different strings present, sorted, and the indices int32 into it, so the same
    values make the same array (and file bytes) whichever way their codes were found: the `Recorder`'s codes, which
    number every string of the run as first met, or `records.small_codes` of one chunk's list."""
    import pyarrow as pa

    k = len(names)
    codes = np.asarray(codes)
    if null is None and codes.ndim == 1 and codes.dtype.kind in "iu" and codes.dtype.itemsize < 4:
        codes = codes.astype(np.int32)  # (journeys.parquet's one-byte codes, widened for the C passes: the same values)
    # the event log's int32 codes (no nulls given): which occur, and their indices, by the compiled core's C loops
    # (`records.codes_present`, `remap_codes`; None and False in pure Python or for a code out of range), else numpy:
    # the same flags and indices
    c_codes = (null is None and codes.dtype == np.int32 and codes.ndim == 1 and codes.flags.c_contiguous
               and codes.flags.writeable)  # (a C memoryview takes a writable buffer only)
    flags = codes_present(codes, k) if c_codes else None
    if flags is not None:
        seen = np.frombuffer(flags, dtype=np.bool_)
    else:
        seen = np.bincount(codes if null is None else codes[~null], minlength=k) > 0
    keep = sorted((i for i in range(k) if seen[i] and names[i] is not None), key=names.__getitem__)
    remap = np.full(k, -1, dtype=np.int32)
    remap[keep] = np.arange(len(keep), dtype=np.int32)
    index = None
    if flags is not None:
        index = np.empty(len(codes), dtype=np.int32)
        if not remap_codes(codes, remap, index):
            index = None
    if index is None:
        index = remap.take(codes)  # (`take`: the same values as `remap[codes]`, by numpy's tighter loop)
    if null is None and len(keep) == int(np.count_nonzero(seen)):
        missing = None  # (every code present is a string's: no index is -1, the pass below would find none)
    else:
        missing = index < 0 if null is None else (index < 0) | null
    if missing is not None and missing.any():
        index[missing] = 0  # (a null's index: any valid one)
        indices = arrow(index, mask=missing)
    else:
        indices = arrow(index)
    # (`safe=False`: no check of each index against the dictionary's length, which `remap` makes valid by construction)
    return pa.DictionaryArray.from_arrays(indices, arrow_strings([names[i] for i in keep]), safe=False)


def string_codes(values: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """Each value's code into the list of the different values, in the order first met (for `dictionary_column`):
    one-byte codes (`records.small_codes`) for a column's few values, int32 codes if there are more than 256."""
    names: list[Any] = []
    codes = small_codes(values, names)
    if codes is not None:
        return np.frombuffer(codes, dtype=np.uint8), names
    index: dict[Any, int] = {}
    got = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    return got, list(index)


def _strings(values: list[Any]) -> Any:
    """A column of strings (or None) as an Arrow dictionary array (`dictionary_column`) of its codes
    (`string_codes`)."""
    return dictionary_column(*string_codes(values))


class ParquetSink:
    """Streams event-log chunks to one Parquet file (so a national run never holds every event).

    Why it is written this way: it takes each chunk (`Recorder.chunk` rows, one Parquet row group) as the
    `Recorder`'s typed columns (`arrays`: the child as int64, the day and deadline as doubles, whether it was met as
    one byte, the step, event and duty as codes of the strings met so far), which numpy and Arrow read without
    converting a value at a time; the strings, and the authority, are dictionary arrays of those codes
    (`dictionary_column`), which the writer stores as they are. A chunk given as rows (`__call__`) or as
    lists of Python values (`columns`) is converted as before (`np.fromiter`, `_strings`). The table handed to the
    writer holds the same values with the same types and row groups either way, so the file's bytes are the same
    (the golden outputs, and `tests/test_event_log.py`, which writes the same rows both ways, check this).

    Why a writer thread: encoding and compressing a row group is about half of what the sink costs, and pyarrow
    does it without holding the interpreter lock, so one thread of the sink's own makes (for typed columns) and
    writes each table while the run goes on (on a second core, if there is one). Tables are written one at a time, in the order they were made, by
    that one thread, so the file is the same, byte for byte; at most one table waits, so memory stays at two
    chunks. An error of the writer is raised in the run at the next chunk or at `close`."""

    columnar = True  # `Recorder` hands it typed columns (`arrays`), not rows

    def __init__(self, path: Path, la_codes: list[str], start: np.datetime64):
        import pyarrow as pa

        self.path = path
        self.la_codes = list(la_codes)
        self.start = start
        self._start_day = int(np.datetime64(start, "D").astype(np.int64))  # (days since 1970: `records.day_numbers`)
        text = pa.dictionary(pa.int32(), pa.string())  # (a string column, given to the writer by codes: read back a string)
        self.schema = pa.schema([
            ("child", pa.int64()), ("la", text), ("day", pa.float64()), ("date", pa.date32()),
            ("step", text), ("event", text), ("duty_holder", text),
            ("deadline_day", pa.float64()), ("deadline_met", pa.bool_())])
        self.writer = None
        self._thread: ThreadPoolExecutor | None = None
        self._pending: list[Future] = []  # the writes handed to the thread and not yet seen finished
        self._last: tuple | None = None  # the buffers of the last chunk handed to the thread (`arrays`)

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
        table = self._table(np.fromiter(child, dtype=np.int64, count=n), np.fromiter(la, dtype=np.int32, count=n),
                            np.fromiter(day, dtype=float, count=n), _strings(step), _strings(event), _strings(duty),
                            np.fromiter(deadline, dtype=float, count=n), pa.array(met, pa.bool_()))
        self._wait()  # (at most one table waits: memory stays at two chunks)
        self.later(lambda: self._write(table))

    def arrays(self, n: int, bufs: tuple, names: list[Any]) -> tuple | None:
        """A chunk of `n` rows as the `Recorder`'s typed columns (`records.TYPED_COLUMNS`: buffers of at least `n`
        values each; the step, event and duty as indices of `names`), one row group: numpy and Arrow read the
        buffers without converting a value at a time, and the strings are dictionary arrays of their codes into
        `names` (`dictionary_column`).

        The table is made in the writer thread too (`_from_buffers`), so that the run goes on meanwhile: the
        `Recorder` fills other buffers for its next chunk (`Recorder._fresh`), so these are read by the thread alone,
        and `names`, to which the run goes on adding strings, is handed over as a copy. Returns the buffers of the
        chunk before, whose table is written by then (`_wait`: nothing reads them any more), for the `Recorder` to
        fill again, or None (the first chunk)."""
        if not n:
            return None
        names = list(names)
        self._wait()  # (at most one chunk waits: memory stays at two chunks)
        done, self._last = self._last, bufs
        self.later(lambda: self._write(self._from_buffers(n, bufs, names)))
        return done

    def _from_buffers(self, n: int, bufs: tuple, names: list[Any]) -> Any:
        """The table of a chunk of typed columns (`arrays`; in the writer thread)."""
        child, la, day, step, event, duty, deadline, met = (
            np.frombuffer(b, dtype=np.dtype(code))[:n] for b, (_name, code) in zip(bufs, TYPED_COLUMNS, strict=True))
        return self._table(child, la, day, dictionary_column(step, names), dictionary_column(event, names),
                           dictionary_column(duty, names), deadline, arrow(met == MET_TRUE, mask=met == MET_NONE))

    def _table(self, child: np.ndarray, la: np.ndarray, days: np.ndarray, step: Any, event: Any, duty: Any,
               deadlines: np.ndarray, met: Any) -> Any:
        """One row group's table from its columns (NaN deadlines are written as missing)."""
        import pyarrow as pa

        n = len(days)
        numbers = np.empty(n, dtype=np.int32)
        c_days = days.dtype == np.float64 and days.ndim == 1 and days.flags.c_contiguous and days.flags.writeable
        if c_days and day_numbers(days, self._start_day, numbers):  # (compiled: one C pass; the values below)
            date = pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer(numbers)], null_count=0)
        else:
            date = arrow((self.start + np.floor(days).astype("timedelta64[D]")).astype("datetime64[D]"))
        return pa.table({
            "child": arrow(child),
            "la": dictionary_column(la, self.la_codes),
            "day": arrow(days),
            "date": date,
            "step": step,
            "event": event,
            "duty_holder": duty,
            "deadline_day": arrow(deadlines, mask=np.isnan(deadlines)),
            "deadline_met": met,
        }, schema=self.schema)

    def later(self, write: Callable[[], None]) -> None:
        """Another file's write, done in the sink's thread after its row groups (`close` waits for it; its error is
        raised there): `write_journeys`, so that it is written while the run frees the journey."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sendsim-events")
        self._pending.append(self._thread.submit(write))

    def _write(self, table: Any) -> None:
        """One row group (in the writer thread)."""
        if self.writer is None:
            self.writer = parquet_writer(self.path, self.schema)
        self.writer.write_table(table)

    def _wait(self) -> None:
        """Until every write handed to the thread is done (the first error, if any, raised here)."""
        pending, self._pending = self._pending, []
        for p in pending:
            p.result()

    def close(self) -> None:
        try:
            self._wait()
        finally:
            if self._thread is not None:
                self._thread.shutdown()
                self._thread = None
        if self.writer is None:
            write_parquet(self.schema.empty_table(), self.path)
        else:
            self.writer.close()


# the fields of a child that journeys.parquet reads, in the order `write_journeys` unpacks them
