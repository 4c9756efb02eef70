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

import contextlib
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ...schema.files import InputError
from ..runs.outputs import versions
from ..runs.table import COLUMNS as TABLE_COLUMNS
from ..runs.table import SCHEMA as TABLE_SCHEMA
from ..runs.table import Span, kind_only
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


METRIC_COLUMNS = ("run_id", "batch_id", "task_id", "scenario", "point", "seed", "replication", "parameters",
                  *TABLE_COLUMNS[8:])  # the tidy table's columns, `rules` as the partition, the values applied


def _metrics_schema(p: Plan) -> pa.Schema:
    return pa.schema([pa.field("parameters", _params_type(p)) if n == "parameters" else TABLE_SCHEMA.field(n)
                      for n in METRIC_COLUMNS])


def metric_columns(res: BatchResult) -> dict[int, dict[str, list[Any]]]:
    """The tidy rows of a batch by rule set (index): every task's every group and period, stat "value"."""
    p = res.plan
    bid = p.identity()
    span: Span | None = getattr(p.model, "span", None)
    by_rules: dict[int, dict[str, list[Any]]] = {}
    for t, rows in zip(p.tasks(), res.rows, strict=True):
        tid, rid = p.task_id(t), p.run_id(t.point, t.rules)
        vals = p.values(t.point, t.rules)
        cols = by_rules.setdefault(t.rules, {k: [] for k in METRIC_COLUMNS})
        fixed = (("run_id", rid), ("batch_id", bid), ("task_id", tid), ("scenario", p.scenario), ("point", t.point),
                 ("seed", p.seed), ("replication", t.replication), ("parameters", vals))
        for r in rows:
            kind, partial = span.describe(r.metric, r.period) if span is not None else kind_only(r.metric, r.period)
            for k, v in (*fixed, ("metric", r.metric), ("period", r.period), ("period_kind", kind),
                         ("partial", partial), ("group_by", r.group_by), ("group", r.group), ("stat", "value"),
                         ("value", None if r.value is None else float(r.value)), ("contrast", None)):
                cols[k].append(v)
    return by_rules


def metrics_table(res: BatchResult) -> pa.Table:
    """Every rule set's tidy rows in one table (the `rules` column in its place), as `read_metrics` gives them."""
    p = res.plan
    schema = _metrics_schema(p)
    out = []
    for r, cols in sorted(metric_columns(res).items()):
        t = pa.table(cols, schema=schema)
        out.append(t.add_column(4, "rules", pa.array([p.rules[r]] * t.num_rows, pa.string())))
    return pa.concat_tables(out)


def timings_table(res: BatchResult, folder: BatchFolder | None = None) -> pa.Table:
    """Per task: wall and CPU seconds (this call's, or read back from `timings/` of a resumed folder; null when
    unknown). Kept out of the metrics and runs tables, which must be the same bytes on any machine."""
    p = res.plan
    cols: dict[str, list[Any]] = {k: [] for k in ("task_id", "run_id", "batch_id", "rules", "point", "replication",
                                                  "wall_seconds", "cpu_seconds")}
    first: dict[str, int] = {}
    for t in p.tasks():
        tid = p.task_id(t)
        first.setdefault(tid, t.index)
        got = res.timings.get(first[tid])
        if got is None and folder is not None:
            f = folder.root / "timings" / f"{tid}.json"
            try:
                d = json.loads(f.read_text())
                got = (float(d["wall_seconds"]), float(d["cpu_seconds"]))
            except (OSError, ValueError, KeyError, TypeError):
                got = None
        for k, v in (("task_id", tid), ("run_id", p.run_id(t.point, t.rules)), ("batch_id", p.identity()),
                     ("rules", p.rules[t.rules]), ("point", t.point), ("replication", t.replication),
                     ("wall_seconds", got[0] if got else None), ("cpu_seconds", got[1] if got else None)):
            cols[k].append(v)
    return pa.table(cols, schema=pa.schema([
        ("task_id", pa.string()), ("run_id", pa.string()), ("batch_id", pa.string()), ("rules", pa.string()),
        ("point", pa.int32()), ("replication", pa.int32()), ("wall_seconds", pa.float64()),
        ("cpu_seconds", pa.float64())]))


SENSITIVITY_SCHEMA = pa.schema([("batch_id", pa.string()), ("design", pa.string()), ("metric", pa.string()),
                                ("of", pa.string()), ("kind", pa.string()), ("keeps_sign", pa.bool_()),
                                ("parameter", pa.string()), ("index", pa.string()), ("value", pa.float64())])


def sensitivity_table(res: BatchResult) -> pa.Table:
    """The Morris or Sobol indices as a long table: one row per output, level or difference, parameter and index
    (mu_star, mu_star_conf, mu, sigma; S1, S1_conf, ST, ST_conf). An output with no indices has no rows."""
    sens = res.sensitivity or {}
    cols: dict[str, list[Any]] = {k: [] for k in SENSITIVITY_SCHEMA.names}
    for e in sens.get("outputs", []):
        for ix in e.get("indices") or []:
            for name, v in ix.items():
                if name == "parameter":
                    continue
                for k, x in (("batch_id", res.plan.identity()), ("design", sens.get("design")),
                             ("metric", e["metric"]), ("of", e["of"]), ("kind", e["kind"]),
                             ("keeps_sign", e.get("keeps_sign")), ("parameter", ix["parameter"]), ("index", name),
                             ("value", v)):
                    cols[k].append(x)
    return pa.table(cols, schema=SENSITIVITY_SCHEMA)


def write_catalogue(res: BatchResult, folder: BatchFolder) -> None:
    """The tidy tables, the timings, the sensitivity indices and the manifest of a finished batch."""
    p = res.plan
    tasks = p.tasks()
    bid = p.identity()
    runs: dict[str, list[Any]] = {k: [] for k in ("task_id", "run_id", "batch_id", "scenario", "rules", "point",
                                                  "seed", "replication", "parameters")}
    man_tasks: list[dict[str, Any]] = []
    man_runs: dict[str, dict[str, Any]] = {}  # a run's parameters once, not once a replication
    for t in tasks:
        tid, rid = p.task_id(t), p.run_id(t.point, t.rules)
        vals = p.values(t.point, t.rules)
        for k, v in (("task_id", tid), ("run_id", rid), ("batch_id", bid), ("scenario", p.scenario),
                     ("rules", p.rules[t.rules]), ("point", t.point), ("seed", p.seed),
                     ("replication", t.replication), ("parameters", vals)):
            runs[k].append(v)
        f = folder.root / "tasks" / f"{tid}.json"
        man_runs.setdefault(rid, {"run_id": rid, "rules": p.rules[t.rules], "points": [], "seed": p.seed,
                                  "parameters": vals})
        if t.point not in man_runs[rid]["points"]:
            man_runs[rid]["points"].append(t.point)
        man_tasks.append({"task_id": tid, "run_id": rid, "point": t.point, "replication": t.replication,
                          "file": f"tasks/{tid}.json", "sha256": hashlib.sha256(f.read_bytes()).hexdigest()})
    ptype = _params_type(p)
    schema = _metrics_schema(p)
    for r, cols in sorted(metric_columns(res).items()):
        folder.write_bytes(f"metrics/rules={p.rules[r]}/part-0.parquet", _parquet(pa.table(cols, schema=schema)))
    run_schema = pa.schema([("task_id", pa.string()), ("run_id", pa.string()), ("batch_id", pa.string()),
                            ("scenario", pa.string()), ("rules", pa.string()), ("point", pa.int32()),
                            ("seed", pa.int64()), ("replication", pa.int32()), ("parameters", ptype)])
    folder.write_bytes("runs.parquet", _parquet(pa.table(runs, schema=run_schema)))
    folder.write_bytes("timings.parquet", _parquet(timings_table(res, folder)))
    folder.write_bytes("sensitivity.parquet", _parquet(sensitivity_table(res)))
    man = {**identity(p), "versions": versions(), "runs": list(man_runs.values()), "tasks": man_tasks}
    folder.write_text("manifest.json", json.dumps(man, indent=1, sort_keys=True, allow_nan=False) + "\n")


def _globs(root: Path) -> tuple[list[str], list[str]]:
    if not root.is_dir():
        raise InputError([f"{root}: not a folder (allowed: a folder holding batches written by `sendsim batch "
                          "--out`)"])
    metrics = sorted(str(f) for f in root.resolve().glob("**/metrics/rules=*/*.parquet"))
    runs = sorted(str(f) for f in root.resolve().glob("**/runs.parquet"))
    if not metrics:
        raise InputError([f"{root}: no batch results here (looked for metrics/rules=*/*.parquet below it)"])
    for f in metrics:
        _check_table(Path(f), CHECKED_METRICS)
    for f in runs:
        _check_table(Path(f), CHECKED_RUNS)
    return metrics, runs


# the columns (and Arrow types) a query over the catalogue relies on, checked before DuckDB reads a file
CHECKED_METRICS = {"metric": "string", "period": "string", "group": "string", "value": "double", "run_id": "string"}
CHECKED_RUNS = {"task_id": "string", "run_id": "string", "rules": "string"}


READ_ONLY = ("select", "with", "from", "describe", "show", "summarize", "pivot", "unpivot", "values", "explain",
             "table", "(")


def _read_only(sql: str) -> None:
    """`--sql` is a query, one statement: `results` reads tables and never writes a file (DuckDB's COPY, EXPORT,
    ATTACH or INSTALL would write wherever the text says). The statements are DuckDB's own parse where it parses
    (why: a query opening with a comment, `-- appeals\nselect ...`, was refused, and so was a ';' inside a quoted
    text, `like '%;%'`; `with a as (select 1) insert into ...` passed the first word's check); else the first word
    (a query DuckDB cannot parse gets DuckDB's own message when it runs)."""
    import duckdb

    text = sql.strip().rstrip(";").strip()
    try:
        kinds = [s.type.name for s in duckdb.extract_statements(text)] if text else []
    except duckdb.Error:
        kinds = None
    words = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S).split(None, 1)
    first = words[0].lower() if words else ""
    if kinds is not None:
        ok = len(kinds) == 1 and (kinds[0] in ("SELECT", "EXPLAIN") or (kinds[0] == "MULTI" and first in
                                                                        ("pivot", "unpivot")))
    else:
        ok = bool(text) and ";" not in text and (first in READ_ONLY or first.startswith("("))
    if not ok:
        raise InputError([f"--sql: {sql.strip()[:60]!r}: one query (allowed: a single SELECT, WITH, FROM, DESCRIBE "
                          "or SUMMARIZE statement; results never writes files)"])


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


def folder_of(root: Path, batch_dir: Path) -> str:
    """A batch folder as the `folder` column gives it: relative to the folder queried ("." for that folder)."""
    rel = batch_dir.resolve().relative_to(root.resolve())
    return rel.as_posix() if rel.parts else "."


def duplicate_batches(root: Path) -> list[str]:
    """One line per batch id found in more than one folder under `root` (copies: a query over all of them counts
    each row once per copy unless it filters or groups on `folder`)."""
    seen: dict[str, list[str]] = {}
    for f in sorted(root.resolve().glob("**/batch.json")):
        try:
            bid = str(json.loads(f.read_text()).get("batch_id"))
        except (OSError, ValueError, AttributeError):
            continue
        seen.setdefault(bid, []).append(folder_of(root, f.parent))
    return [f"batch {bid} is in {len(dirs)} folders ({', '.join(dirs)}): its rows are counted once per copy; "
            "filter or group on the `folder` column" for bid, dirs in sorted(seen.items()) if len(dirs) > 1]


def read_metrics(root: Path) -> pa.Table:
    """Every metrics row of every batch under `root`, as one Arrow table (the rule set a column again, and the
    batch's folder relative to `root`)."""
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
        t = t.append_column("folder", pa.array([folder_of(root, Path(f).parents[2])] * t.num_rows, pa.string()))
        out.append(t)
    return pa.concat_tables(out, promote_options="permissive")


def query(root: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run SQL over the views `metrics`, `runs`, `timings` and `sensitivity` of every batch under `root` (each with
    a `folder` column: the batch's folder relative to `root`): (column names, rows)."""
    try:
        import duckdb
    except ImportError:
        raise MissingExtra(f"duckdb is not installed: {INSTALL}") from None
    _read_only(sql)
    metrics, runs = _globs(root)
    base = str(root.resolve())
    con = duckdb.connect()
    # DuckDB reads a Python variable of the caller named like a missing table (`from runs` with no runs.parquet
    # scanned this function's list of files: "Need a DataFrame with at least one column"): tables only
    con.execute("SET python_enable_replacements = false")

    def lst(files: list[str]) -> str:
        return "[" + ", ".join(_lit(f) for f in files) + "]"

    def folder(depth: int) -> str:
        d = "filename"
        for _ in range(depth):
            d = f"regexp_replace({d}, '/[^/]*$', '')"
        return f"(case when {d} = {_lit(base)} then '.' else substr({d}, {len(base) + 2}) end) as folder"

    con.execute(f"create view metrics as select * exclude (filename), {folder(3)} from read_parquet({lst(metrics)}, "
                "hive_partitioning = true, union_by_name = true, filename = true)")
    read = list(metrics)
    for view, name in (("runs", "runs.parquet"), ("timings", "timings.parquet"),
                       ("sensitivity", "sensitivity.parquet")):
        files = sorted(str(f) for f in root.resolve().glob(f"**/{name}"))
        if files:
            con.execute(f"create view {view} as select * exclude (filename), {folder(1)} from read_parquet("
                        f"{lst(files)}, union_by_name = true, filename = true)")
            read += files
    # the query reads the batch tables and nothing else: read_csv('/etc/...'), glob('/root/*') or a URL (which made
    # DuckDB download and load its httpfs extension) were answered (eighth held-out round); a DuckDB without these
    # settings (before 1.1) keeps the views as they were
    with contextlib.suppress(duckdb.Error):
        con.execute(f"SET allowed_paths = {lst(read)}")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
    except duckdb.Error as e:
        msg = " ".join(str(e).split())
        if "disabled by configuration" in msg:
            msg = (f"{msg.split(' - ')[0].removeprefix('Permission Error: ')}: results reads the batch tables only "
                   "(allowed: the tables metrics, runs, timings and sensitivity)")
        raise InputError([f"--sql: {msg}"]) from None
    cols = [d[0] for d in cur.description] if cur.description else []
    return cols, rows


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
