"""One tidy long table for every result: a run, a comparison, a case study's summary, a backtest and a batch.

Why one shape: a policy analyst asks "which families lose, by how much, how sure are we" of every result, and the
answer should be one filter of one table (pandas, DuckDB, Arrow), not fifteen lines flattening nested dicts that
differ by command. Every row is one number with the columns that say where it came from:

  run_id, batch_id, task_id, scenario, rules, point, seed, replication   where it came from (null where none)
  metric, period, period_kind, partial                                     what and when
  group_by, group                                                          whose ("all"/"all": everyone)
  stat, value                                                              which statistic, and its value
  contrast                                                                 "B - A" for a paired difference, else null

`period` is "all" for the whole horizon (period_kind "horizon"), a calendar year "2019" ("calendar"), a
September-August year "2019/20" ("academic"), or the January of a year for caseloads ("january"). `partial` says
the run (after its warm-up) does not cover the whole period, so a partial year is never read as a full one.

Metrics come from the registry's computed dicts as they are, so a metric another change registers joins the table
with no change here. The groups are whatever dimensions `replication_metrics` reports under `by_group`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyarrow as pa

from ...rules.scenario import LoadedScenario
from .registry import TARGET_METRICS
from .stats import summarise

HORIZON = "all"  # the period (and the group) meaning "the whole horizon" ("everyone")
PERIOD_KINDS = ("horizon", "calendar", "academic", "january")
STATS = ("value", "mean", "ci95_low", "ci95_high", "n", "observed")
# metrics read from the January snapshot of a year (a point in time, not a count over the year)
JANUARY_METRICS = frozenset({"plans_in_force_january"})

SCHEMA = pa.schema([
    ("run_id", pa.string()), ("batch_id", pa.string()), ("task_id", pa.string()), ("scenario", pa.string()),
    ("rules", pa.string()), ("point", pa.int32()), ("seed", pa.int64()), ("replication", pa.int32()),
    ("metric", pa.string()), ("period", pa.string()), ("period_kind", pa.string()), ("partial", pa.bool_()),
    ("group_by", pa.string()), ("group", pa.string()), ("stat", pa.string()), ("value", pa.float64()),
    ("contrast", pa.string()),
])
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
ID_COLUMNS = COLUMNS[:8]


class Record(NamedTuple):
    """One number of one replication (or one task of a batch): the batch's row and the table's core."""

    metric: str
    period: str
    group_by: str
    group: str
    value: float | None


@dataclass(frozen=True)
class Span:
    """The dates a run counts: from its start plus the warm-up to its last day (what `partial` is judged on)."""

    start: dt.date
    end: dt.date
    warmup_days: float = 0.0

    @classmethod
    def of(cls, loaded: LoadedScenario) -> Span:
        sc = loaded.scenario
        return cls(sc.start_date, sc.end_date, float(sc.warmup_days or 0.0))

    def describe(self, metric: str, period: str) -> tuple[str, bool]:
        """(period_kind, partial) of a metric's period."""
        if period == HORIZON:
            return "horizon", False
        kind = "january" if metric in JANUARY_METRICS else "academic" if "/" in period else "calendar"
        return kind, self.partial(kind, period)

    def partial(self, kind: str, period: str) -> bool:
        """Whether the run (after its warm-up) misses part of the period; a January caseload is a point in time,
        partial only when outside the run."""
        y = int(period[:4])
        if kind == "january":
            return not (self.start <= dt.date(y, 1, 1) <= self.end)
        lo, hi = (dt.date(y, 9, 1), dt.date(y + 1, 8, 31)) if kind == "academic" else (dt.date(y, 1, 1),
                                                                                       dt.date(y, 12, 31))
        return lo < self.start + dt.timedelta(days=max(0.0, self.warmup_days)) or hi > self.end


def kind_only(metric: str, period: str) -> tuple[str, bool | None]:
    """(period_kind, partial) when the run's dates are not known (a test model): partial unknown but for the
    horizon."""
    if period == HORIZON:
        return "horizon", False
    if metric in JANUARY_METRICS:
        return "january", None
    return ("academic" if "/" in period else "calendar"), None


def records(res: dict[str, Any]) -> list[Record]:
    """Every number of one replication's metrics: the horizon for everyone, each period, each group's horizon."""
    out = [Record(m, HORIZON, HORIZON, HORIZON, v) for m, v in res["metrics"].items()]
    for period, row in res.get("by_period", {}).items():
        out += [Record(m, period, HORIZON, HORIZON, v) for m, v in row.items()]
    for dim, groups in (res.get("by_group") or {}).items():
        for group, row in groups.items():
            out += [Record(m, HORIZON, dim, group, v) for m, v in (row or {}).items()]
    return out


def short_hash(*parts: object) -> str:
    """A 16-hex identifier of what determines a result (never of time or folder)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def run_id_of(loaded: LoadedScenario, seed: int) -> str:
    """A run's identifier: its scenario and rule-set files and seed (the same children, the same numbers)."""
    return short_hash(loaded.scenario_sha256, loaded.rules_sha256, seed)


class Builder:
    """Collects rows column by column, then gives one Arrow table in `SCHEMA`."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}

    def add(self, ids: dict[str, Any], metric: str, period: str, kind: str, partial: bool | None, group_by: str,
            group: str, stat: str, value: float | None, contrast: str | None = None) -> None:
        c = self.cols
        for k in ID_COLUMNS:
            c[k].append(ids.get(k))
        for k, v in (("metric", metric), ("period", period), ("period_kind", kind), ("partial", partial),
                     ("group_by", group_by), ("group", group), ("stat", stat),
                     ("value", None if value is None else float(value)), ("contrast", contrast)):
            c[k].append(v)

    def add_summary(self, ids: dict[str, Any], metric: str, period: str, kind: str, partial: bool | None,
                    group_by: str, group: str, s: dict[str, Any], contrast: str | None = None) -> None:
        """The four statistics of a `stats.summarise` result: mean, the 95% interval's ends, n."""
        lo, hi = s.get("ci95") or (None, None)
        for stat, v in (("mean", s.get("mean")), ("ci95_low", lo), ("ci95_high", hi), ("n", s.get("n"))):
            self.add(ids, metric, period, kind, partial, group_by, group, stat, v, contrast)

    def table(self) -> pa.Table:
        return pa.table(self.cols, schema=SCHEMA)


def _summary_items(summary: dict[str, Any]) -> Iterator[tuple[str, str, str, str, dict[str, Any]]]:
    """(metric, period, group_by, group, summarise-dict) of a run summary (`stats.aggregate`)."""
    for m, s in summary.get("metrics", {}).items():
        yield m, HORIZON, HORIZON, HORIZON, s
    for period, row in summary.get("by_period", {}).items():
        for m, s in row.items():
            yield m, period, HORIZON, HORIZON, s
    for dim, groups in (summary.get("by_group") or {}).items():
        for group, row in groups.items():
            for m, s in row.items():
                yield m, HORIZON, dim, group, s


def add_run(b: Builder, loaded: LoadedScenario, seed: int, replications: Iterable[dict[str, Any]],
            summary: dict[str, Any]) -> dict[str, Any]:
    """A run's rows: every replication's values (stat "value") and the summary's statistics (replication null).
    Returns the run's identifying columns."""
    span = Span.of(loaded)
    ids = {"run_id": run_id_of(loaded, seed), "scenario": loaded.scenario.name, "rules": loaded.law.name,
           "seed": seed}
    for res in replications:
        rep = int(res["replication"])
        rids = {**ids, "replication": rep, "task_id": short_hash(ids["run_id"], rep)}
        for r in records(res):
            kind, partial = span.describe(r.metric, r.period)
            b.add(rids, r.metric, r.period, kind, partial, r.group_by, r.group, "value", r.value)
    for m, period, dim, group, s in _summary_items(summary):
        kind, partial = span.describe(m, period)
        b.add_summary(ids, m, period, kind, partial, dim, group, s)
    return ids


def add_contrast(b: Builder, a: LoadedScenario, bb: LoadedScenario, seed: int, reps_a: list[dict[str, Any]],
                 reps_b: list[dict[str, Any]]) -> None:
    """Paired differences B - A over the whole horizon, for everyone and by group: each replication's difference
    (stat "value") and their mean and 95% interval, as `compare` computes them (`rules` is B's, `contrast` names
    both)."""
    contrast = f"{bb.law.name} - {a.law.name}"
    ids = {"scenario": bb.scenario.name, "rules": bb.law.name, "seed": seed}
    pa_ = {int(r["replication"]): {(x.metric, x.group_by, x.group): x.value for x in records(r)
                                   if x.period == HORIZON} for r in reps_a}
    keys: dict[tuple[str, str, str], list[float | None]] = {}
    for r in reps_b:
        rep = int(r["replication"])
        rids = {**ids, "replication": rep}
        for x in records(r):
            if x.period != HORIZON:
                continue
            va = pa_.get(rep, {}).get((x.metric, x.group_by, x.group))
            d = None if (va is None or x.value is None) else x.value - va
            keys.setdefault((x.metric, x.group_by, x.group), []).append(d)
            b.add(rids, x.metric, HORIZON, "horizon", False, x.group_by, x.group, "value", d, contrast)
    for (m, dim, group), diffs in keys.items():
        b.add_summary(ids, m, HORIZON, "horizon", False, dim, group, summarise(diffs), contrast)


def add_case_study(b: Builder, result: dict[str, Any]) -> None:
    """A case study's summary, one row per figure and rule set: the child's weeks to a plan and to provision
    (median, 10th and 90th percentiles, % reached), % within the limit, and how settled its route is."""
    for r in result.get("results", []):
        ids = {"scenario": result.get("scenario"), "rules": r["rules"], "seed": result.get("seed")}
        figures: dict[str, float | None] = {}
        for what in ("weeks_to_final_plan", "weeks_to_provision"):
            for k, v in (r.get(what) or {}).items():
                figures[f"{what}_{k}" if k != "reached_pct" else f"{what.removeprefix('weeks_to_')}_reached_pct"] = v
        for k in ("within_20_weeks_pct", "route_share_pct", "routes_seen"):
            figures[k] = r.get(k)
        for m, v in figures.items():
            b.add(ids, m, HORIZON, "horizon", False, "case", result.get("case", ""), "value", v)
        b.add(ids, "runs", HORIZON, "horizon", False, "case", result.get("case", ""), "n", r.get("runs"))


def add_backtest(b: Builder, out: dict[str, Any], span: Span | None = None) -> None:
    """A backtest: for every target its observed figure (stat "observed") and the model's mean, 95% interval and
    replications; projections (no official figure) without `observed`; an authority's own figures by
    group_by "local_authority"."""
    ids = {"scenario": out.get("scenario"), "rules": out.get("rules"), "seed": out.get("seed")}
    n = out.get("replications")
    for row in [*out.get("rows", []), *out.get("projections", [])]:
        metric, period = row["metric"], str(row["period"])
        tm = TARGET_METRICS.get(metric)
        kind = tm.kind if tm is not None else ("academic" if "/" in period else "calendar")
        partial = span.partial(kind, period) if span is not None else None
        group_by, group = ("local_authority", row["la_code"]) if row.get("la_code") else (HORIZON, HORIZON)
        if row.get("observed") is not None:
            b.add(ids, metric, period, kind, partial, group_by, group, "observed", row["observed"])
        lo, hi = row.get("model_ci95") or (None, None)
        b.add_summary(ids, metric, period, kind, partial, group_by, group,
                      {"mean": row.get("model_mean"), "ci95": [lo, hi], "n": n})


def run_table(loaded: LoadedScenario, seed: int, replications: list[dict[str, Any]],
              summary: dict[str, Any]) -> pa.Table:
    """The tidy table of one run."""
    b = Builder()
    add_run(b, loaded, seed, replications, summary)
    return b.table()


def comparison_table(loaded: list[LoadedScenario], seed: int, replications: list[list[dict[str, Any]]],
                     summaries: list[dict[str, Any]]) -> pa.Table:
    """The tidy table of a comparison: every rule set's run, then each rule set's paired differences from the
    first."""
    b = Builder()
    for lo, reps, s in zip(loaded, replications, summaries, strict=True):
        add_run(b, lo, seed, reps, s)
    for i in range(1, len(loaded)):
        add_contrast(b, loaded[0], loaded[i], seed, replications[0], replications[i])
    return b.table()
