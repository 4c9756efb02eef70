"""The results catalogue: a batch's numbers as tidy long tables any dataset reader can query across batches.

Why long format and Hive partitions: one row per (task, metric, period, group) with the columns that say where it
came from (run_id, scenario, rules, point, parameter values, seed, replication) means a query over many batches
is a `select`, not a script; partitioning by rule set (`metrics/rules=NAME/part-0.parquet`) lets `pyarrow.dataset`
and DuckDB read a whole folder of batches at once and skip the rule sets a query does not ask for.

Layout added to a batch folder:
  metrics/rules=NAME/part-0.parquet   run_id, task_id, batch_id, scenario, point, seed, replication, parameters
                                      (a struct: one field per varied parameter, the value applied under that rule
                                      set), metric, period, group, value; `rules` is the partition column
  runs.parquet                        one row per task: task_id, run_id, batch_id, scenario, rules, point, seed,
                                      replication, parameters
  manifest.json                       the batch; every run (rule set, points, seed, parameter values) and every
                                      task (run, point, replication, file and its SHA-256)

`query(DIR, SQL)` runs SQL (DuckDB, optional extra `sendsim[results]`) over views `metrics` and `runs` of every
batch under DIR; `read_metrics(DIR)` returns the metrics as an Arrow table (`.to_pandas()` with pandas).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ...schema.files import InputError
from ..runs.outputs import versions
from .folder import BatchFolder
from .plan import BatchResult, Plan

INSTALL = "pip install 'sendsim[results]'"


class MissingExtra(Exception):
    """An optional package is not installed: the CLI prints the install command and exits 1."""


def _params_type(p: Plan) -> pa.DataType:
    return pa.struct([pa.field(q.name, pa.float64()) for q in p.parameters])


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def identity(p: Plan) -> dict[str, Any]:
    """What identifies a batch (written first, checked on resume): the plan, not the time or the executor."""
    return {"name": p.name, "batch_id": p.identity(), "scenario": p.scenario, "rules": list(p.rules),
            "seed": p.seed, "replications": p.replications, "design": p.design.model_dump(mode="json"),
            "points": len(p.unit), "tasks": len(p.tasks()), "sweep_file": p.source,
            "parameters": [{"name": q.name, "ranges": [list(r) if r else None for r in q.ranges],
                            "fixed": list(q.fixed)} for q in p.parameters]}


def write_catalogue(res: BatchResult, folder: BatchFolder) -> None:
    """The tidy tables and the manifest of a finished batch."""
    p = res.plan
    tasks = p.tasks()
    bid = p.identity()
    by_rules: dict[int, dict[str, list[Any]]] = {}
    runs: dict[str, list[Any]] = {k: [] for k in ("task_id", "run_id", "batch_id", "scenario", "rules", "point",
                                                  "seed", "replication", "parameters")}
    man_tasks: list[dict[str, Any]] = []
    man_runs: dict[str, dict[str, Any]] = {}  # a run's parameters once, not once a replication
    for t, rows in zip(tasks, res.rows, strict=True):
        tid, rid = p.task_id(t), p.run_id(t.point, t.rules)
        vals = p.values(t.point, t.rules)
        for k, v in (("task_id", tid), ("run_id", rid), ("batch_id", bid), ("scenario", p.scenario),
                     ("rules", p.rules[t.rules]), ("point", t.point), ("seed", p.seed),
                     ("replication", t.replication), ("parameters", vals)):
            runs[k].append(v)
        cols = by_rules.setdefault(t.rules, {k: [] for k in ("run_id", "task_id", "batch_id", "scenario", "point",
                                                             "seed", "replication", "parameters", "metric",
                                                             "period", "group", "value")})
        for metric, period, group, value in rows:
            for k, v in (("run_id", rid), ("task_id", tid), ("batch_id", bid), ("scenario", p.scenario),
                         ("point", t.point), ("seed", p.seed), ("replication", t.replication),
                         ("parameters", vals), ("metric", metric), ("period", period), ("group", group),
                         ("value", None if value is None else float(value))):
                cols[k].append(v)
        f = folder.root / "tasks" / f"{tid}.json"
        man_runs.setdefault(rid, {"run_id": rid, "rules": p.rules[t.rules], "points": [], "seed": p.seed,
                                  "parameters": vals})
        if t.point not in man_runs[rid]["points"]:
            man_runs[rid]["points"].append(t.point)
        man_tasks.append({"task_id": tid, "run_id": rid, "point": t.point, "replication": t.replication,
                          "file": f"tasks/{tid}.json", "sha256": hashlib.sha256(f.read_bytes()).hexdigest()})
    ptype = _params_type(p)
    schema = pa.schema([("run_id", pa.string()), ("task_id", pa.string()), ("batch_id", pa.string()),
                        ("scenario", pa.string()), ("point", pa.int32()), ("seed", pa.int64()),
                        ("replication", pa.int32()), ("parameters", ptype), ("metric", pa.string()),
                        ("period", pa.string()), ("group", pa.string()), ("value", pa.float64())])
    for r, cols in sorted(by_rules.items()):
        folder.write_bytes(f"metrics/rules={p.rules[r]}/part-0.parquet",
                           _parquet(pa.table(cols, schema=schema)))
    run_schema = pa.schema([("task_id", pa.string()), ("run_id", pa.string()), ("batch_id", pa.string()),
                            ("scenario", pa.string()), ("rules", pa.string()), ("point", pa.int32()),
                            ("seed", pa.int64()), ("replication", pa.int32()), ("parameters", ptype)])
    folder.write_bytes("runs.parquet", _parquet(pa.table(runs, schema=run_schema)))
    man = {**identity(p), "versions": versions(), "runs": list(man_runs.values()), "tasks": man_tasks}
    folder.write_text("manifest.json", json.dumps(man, indent=1, sort_keys=True, allow_nan=False) + "\n")


def _globs(root: Path) -> tuple[list[str], list[str]]:
    if not root.is_dir():
        raise InputError([f"{root}: not a folder"])
    metrics = sorted(str(f) for f in root.glob("**/metrics/rules=*/*.parquet"))
    runs = sorted(str(f) for f in root.glob("**/runs.parquet"))
    if not metrics:
        raise InputError([f"{root}: no batch results here (looked for metrics/rules=*/*.parquet below it)"])
    for f in metrics:
        _check_table(Path(f), METRIC_COLUMNS)
    for f in runs:
        _check_table(Path(f), RUN_COLUMNS)
    return metrics, runs


METRIC_COLUMNS = {"metric": "string", "period": "string", "group": "string", "value": "double", "run_id": "string"}
RUN_COLUMNS = {"task_id": "string", "run_id": "string", "rules": "string"}


def _check_table(path: Path, columns: dict[str, str]) -> None:
    """A catalogue table read back: readable Parquet with the columns (and types) queries rely on; one line naming
    the file otherwise (a damaged table used to surface as a DuckDB error blamed on --sql)."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as e:
        first = (str(e).splitlines() or [type(e).__name__])[0][:120]
        raise InputError([f"{path}: not a readable Parquet table ({first}) (allowed: a table sendsim batch wrote; "
                          "damaged? run the batch again with --resume into a new folder)"]) from None
    bad = [f"{c} ({t})" for c, t in columns.items()
           if c not in schema.names or str(schema.field(c).type) != t]
    if bad:
        raise InputError([f"{path}: missing or mistyped column(s) {', '.join(bad)} (allowed: a table sendsim batch "
                          "wrote; written by another version, or damaged?)"])


def read_metrics(root: Path) -> pa.Table:
    """Every metrics row of every batch under `root`, as one Arrow table (the rule set a column again)."""
    metrics, _runs = _globs(root)
    out = []
    for f in metrics:
        try:
            t = pq.read_table(f)
        except (pa.ArrowException, OSError) as e:
            raise InputError([f"{f}: not a readable Parquet table ({str(e)[:120]})"]) from None
        if "rules" not in t.column_names:  # the Hive partition: the folder name carries it
            rules = Path(f).parent.name.removeprefix("rules=")
            t = t.append_column("rules", pa.array([rules] * t.num_rows, pa.string()))
        out.append(t)
    return pa.concat_tables(out, promote_options="permissive")


def query(root: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run SQL over the views `metrics` and `runs` of every batch under `root`: (column names, rows)."""
    try:
        import duckdb
    except ImportError:
        raise MissingExtra(f"duckdb is not installed: {INSTALL}") from None
    metrics, runs = _globs(root)
    con = duckdb.connect()

    def lst(files: list[str]) -> str:
        return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"

    con.execute(f"create view metrics as select * from read_parquet({lst(metrics)}, hive_partitioning = true, "
                "union_by_name = true)")
    if runs:
        con.execute(f"create view runs as select * from read_parquet({lst(runs)}, union_by_name = true)")
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
    except duckdb.Error as e:
        raise InputError([f"--sql: {' '.join(str(e).split())}"]) from None
    cols = [d[0] for d in cur.description] if cur.description else []
    return cols, rows
