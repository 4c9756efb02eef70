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
from pathlib import Path
from typing import Any

import numpy as np

from ... import __version__
from ...engine.model.journey import Journey
from ...engine.model.records import EventRow
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


class ParquetSink:
    """Streams event-log chunks to one Parquet file (so a national run never holds every event).

    Why it is written this way: it takes each chunk (`Recorder.chunk` rows, one Parquet row group) as columns
    (`columns`: the `Recorder` slices them from its flat list, so no tuple per row is transposed); the numeric
    columns go to numpy by `np.fromiter` (no intermediate lists), and the authority column is a `take` from the
    array of authority codes by index, not a Python list of 1.8 million code strings. The table handed to the
    writer holds the same values with the same types and row groups as the row-by-row version it replaces, so the
    file's bytes are the same (the golden outputs check this)."""

    columnar = True  # `Recorder` hands it columns (`columns`), not rows

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

    def __call__(self, rows: list[EventRow]) -> None:
        """A chunk given as rows (`EventRow`s)."""
        if rows:
            self.columns(list(zip(*rows, strict=True)))

    def columns(self, cols: list[list[Any]]) -> None:
        """A chunk given as columns, in `EVENT_COLUMNS` order (one row group)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        child, la, day, step, event, duty, deadline, met = cols
        n = len(child)
        if not n:
            return
        days = np.fromiter(day, dtype=float, count=n)
        dates = (self.start + np.floor(days).astype("timedelta64[D]")).astype("datetime64[D]")
        deadlines = np.fromiter(deadline, dtype=float, count=n)
        table = pa.table({
            "child": pa.array(np.fromiter(child, dtype=np.int64, count=n)),
            "la": self.la_codes.take(pa.array(np.fromiter(la, dtype=np.int32, count=n))),
            "day": pa.array(days),
            "date": pa.array(dates),
            "step": pa.array(step, pa.string()),
            "event": pa.array(event, pa.string()),
            "duty_holder": pa.array(duty, pa.string()),
            "deadline_day": pa.array(deadlines, mask=np.isnan(deadlines)),
            "deadline_met": pa.array(met, pa.bool_()),
        }, schema=self.schema)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(table)

    def close(self) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            pq.write_table(self.schema.empty_table(), self.path)
        else:
            self.writer.close()


def write_journeys(j: Journey, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ch = j.children
    nan = float("nan")
    codes = [la.spec.code for la in j.las]
    end = j.horizon
    cols = {
        "child": [c.id for c in ch],
        "la": [codes[c.la] for c in ch],
        "stock_plan_at_start": [c.stock for c in ch],
        # no request: a plan in force at the start, or one that arrived from outside the run (route/moves.py)
        "requester": [None if c.stock or c.t0 != c.t0 else c.requester for c in ch],
        "primary_need": [c.need for c in ch],
        "age_at_request": [None if c.stock or c.t0 != c.t0 else (c.t0 - c.born) / 365.25 for c in ch],
        "preferred_setting": [c.preferred for c in ch],
        "redress_capacity": [c.capacity for c in ch],
        "health_needs": [c.health for c in ch],
        "social_care_needs": [c.social for c in ch],
        "regulation_10_4_exception": [c.exception for c in ch],
        "request_day": [nan if c.stock else c.t0 for c in ch],
        "status_at_end": [c.status for c in ch],
        "refused_to_assess": [c.refused for c in ch],
        "assessed": [c.assessed for c in ch],
        "no_plan_after_assessment": [c.no_plan for c in ch],
        "plan_after_appeal": [c.ordered for c in ch],
        "final_plan_day": [c.final_at for c in ch],
        "weeks_to_final_plan": [(c.final_at - c.t0) / 7.0 if not c.stock else nan for c in ch],
        "within_20_weeks": [None if c.stock or c.final_at != c.final_at else (c.final_at <= c.final_deadline)
                            for c in ch],
        "setting_named": [getattr(c, "setting", None) if c.status in ("plan", "ceased") else None for c in ch],
        "provision_in_place_day": [c.provision_at for c in ch],
        "weeks_without_provision": [
            (c.days_without_provision + ((end - c.waiting_since) if c.waiting_since == c.waiting_since else 0.0)) / 7.0
            for c in ch],
        "waiting_for_place_at_end": [c.waiting_since == c.waiting_since and c.status == "plan" for c in ch],
        "disputes": [c.disputes for c in ch],
        "mediations": [c.mediations for c in ch],
        "appeals": [c.appeals for c in ch],
        "annual_reviews": [c.reviews for c in ch],
        "ceased_day": [c.ceased_at for c in ch],
    }
    table = {}
    for k, v in cols.items():
        if v and isinstance(v[0], float):
            a = np.array(v, dtype=float)
            table[k] = pa.array(a, mask=np.isnan(a))  # missing is null, not NaN
        else:
            table[k] = pa.array(v)
    pq.write_table(pa.table(table), path, compression="zstd")
