"""Backtest: run a scenario and set its results beside the official figures in a targets file.

A targets file (CSV, or YAML with a `targets:` list) has one row per official figure: `metric`, `period`, `value`,
`tolerance`, `tolerance_kind` (`absolute`: points, or `relative`: % of the value), `source` and optional `unit`,
`note`. Metric names are those of ../shared/domain/calibration_targets.csv. Each metric is measured on the period
the statistic uses: calendar years ("2019") for DfE activity, the January caseload ("2020" = January 2020) for plans
in force, September-August years ("2019/20") for the tribunal. A file with an unknown metric, a period outside the
scenario's horizon or a malformed number is refused, one line per problem (`InputError`), before anything runs.

The model's value for every target is computed on each replication and summarised as a mean with a 95% t-interval
(`metrics.summarise`), so ratio metrics are averaged over replications, not formed from averaged counts. For every
metric the backtest also reports each later period of the horizon with no observed value: the projection, read the
same way. Per-authority figures (`england_by_la.csv`) are compared the same way, one authority at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...rules.scenario import LoadedScenario
from ...schema.files import InputError, decode, read_bytes, read_yaml
from ..runs.metrics import LA_METRICS, TARGET_METRICS, TargetMetric, la_period_metrics, period_metrics
from ..runs.runner import map_shared, simulate
from ..runs.stats import bounds, summarise

METRICS = TARGET_METRICS  # the official figures a targets file may name
MetricSpec = TargetMetric


TOLERANCE_KINDS = ("absolute", "relative")


@dataclass(frozen=True)
class Target:
    metric: str
    period: str
    value: float
    tolerance: float
    tolerance_kind: str
    source: str
    unit: str = ""
    la_code: str = ""

    def within(self, model: float) -> bool:
        allowed = self.tolerance if self.tolerance_kind == "absolute" else abs(self.value) * self.tolerance / 100.0
        return abs(model - self.value) <= allowed + 1e-9

    def error(self, model: float) -> float:
        """Model minus observed: points for absolute tolerances, % of the observed value for relative ones."""
        if self.tolerance_kind == "absolute":
            return model - self.value
        return 100.0 * (model - self.value) / self.value if self.value else math.nan


# the marks DfE and MoJ releases put in a cell whose figure is withheld or not available (as scripts/build_scenarios.py
# reads them in a SEN2 release)
SUPPRESSED = frozenset({"x", "c", "z", "u", "low", ":", "..", "*", "[x]", "[c]", "[z]", "[u]", "[low]"})
THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")  # "13,658", "1,234.5": a comma that groups thousands


# The lowest published figure of each percentage measure that is measured only nationally (no authority's figure in
# the shipped data), with its source: a file whose every value of such a measure is at most 1 (and one above 0) wrote
# it as a fraction (0.983 for 98.3%), which was read as 0.983% without a word (ileftE). The two measures that have
# authorities' own figures (requests_refused_pct, within_20_weeks_pct) are not checked: an authority's can be under
# 1% (Barking and Dagenham refused 0.26% of requests in 2019, SEN2), so a value at most 1 is not unambiguous there;
# nor is tribunal_appeals_placement_pct (no published figure in the sources). docs/MODEL.md 5 (targets) says so.
PUBLISHED_LOWEST = {
    "assessed_no_plan_pct": (4.9, "DfE SEN2 assessments.csv, England 2020"),
    "plans_issued_over_1_year_pct": (5.2, "DfE SEN2 timeliness_20_week.csv, England 2023"),
    "tribunal_decided_in_favour_pct": (95.0, "MoJ Tribunal Statistics Quarterly, 2019/20"),
    "tribunal_appeals_refusal_to_assess_pct": (27.9, "MoJ Tribunal Statistics Quarterly, 2022/23"),
    "tribunal_appeals_refusal_to_issue_pct": (8.5, "MoJ Tribunal Statistics Quarterly, 2022/23"),
    "tribunal_appeals_contents_pct": (58.0, "MoJ Tribunal Statistics Quarterly, 2022/23"),
    "tribunal_appeals_reaching_decision_pct": (58.0, "MoJ Tribunal Statistics Quarterly, 2022/23"),
    "mediation_settled_without_tribunal_pct": (74.0, "DfE, PQ 1562 (2022), 2021"),
    "mediation_followed_by_appeal_pct": (25.1, "DfE SEN2 release 2022 (sen2_mi.csv), 2019"),
}


def fractions_for_percentages(path: Path, given: dict[str, list[tuple[int, Any, float]]]) -> list[str]:
    """One line per percentage measure written as a fraction: every value of it in the file at most 1, one above 0,
    where the lowest published figure is above 1 (`PUBLISHED_LOWEST`). `given`: metric -> (line, as written, value)."""
    out = []
    for metric, rows in given.items():
        if metric in PUBLISHED_LOWEST and all(x <= 1 for _l, _r, x in rows) and any(x > 0 for _l, _r, x in rows):
            line, raw, x = next(r for r in rows if r[2] > 0)
            low, source = PUBLISHED_LOWEST[metric]
            out.append(f"{path}:{line}: value: got {raw} for {metric}, a fraction where a percentage is read (allowed: "
                       f"a percentage from 0 to 100, e.g. {100 * x:g} for {100 * x:g}%; every value of {metric} in the "
                       f"file is at most 1, and the lowest published is {low:g}%, {source})")
    return out


def _figure(raw: Any, percentage: bool) -> float | None:
    """A targets file's number as written: "13,658" (thousands grouped) is 13658; a percentage's "98.3%" is 98.3, as
    a figure copied from a published table is written (the metric is already in percent); None if it is no number."""
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if percentage and text.endswith("%"):
        text = text[:-1].strip()
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def period_bounds(kind: str, period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a period covers (a January caseload is the 1 January count), or None if malformed."""
    try:
        if kind == "academic":
            a, b = period.split("/")
            y1, y2 = int(a), int(b)
            if len(a) != 4 or len(b) != 2 or (y1 + 1) % 100 != y2:
                return None
            return dt.date(y1, 9, 1), dt.date(y1 + 1, 8, 31)
        if len(period) != 4:
            return None
        y = int(period)
        if kind == "january":
            return dt.date(y, 1, 1), dt.date(y, 1, 1)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    except ValueError:
        return None


def periods_in_horizon(kind: str, start: dt.date, end: dt.date) -> list[str]:
    """Every period of a kind that lies wholly inside [start, end], in time order."""
    out = []
    for y in range(start.year - 1, end.year + 1):
        p = f"{y}/{str(y + 1)[2:]}" if kind == "academic" else str(y)
        b = period_bounds(kind, p)
        if b and start <= b[0] and b[1] <= end:
            out.append(p)
    return out


TARGET_COLUMNS = ("la_code", "la_name", "metric", "period", "value", "unit", "tolerance", "tolerance_kind", "source",
                  "note")  # a targets file's columns: another ("tolerence") is refused, not read as empty (round 10)


def _read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV (comment lines start with #) or a YAML file with a `targets:` list."""
    if path.suffix in (".yaml", ".yml"):
        doc, _lines, _raw = read_yaml(path)  # the safe loader: duplicate keys, aliases, NaN refused
        items = doc.get("targets") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise InputError([f"{path}: targets: expected a list of targets (allowed: a `targets:` list)"])
        if not items:
            raise InputError([f"{path}: targets: an empty list (allowed: at least one target)"])
        return [(i + 1, r if isinstance(r, dict) else {}) for i, r in enumerate(items)]
    text = decode(path, read_bytes(path))
    lines = text.splitlines()
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        raise InputError([f"{path}: no targets (allowed: a CSV header line, then one target per line)"])
    try:
        rows = list(csv.DictReader([ln for _, ln in numbered]))
    except csv.Error as e:
        raise InputError([f"{path}: not a valid CSV file: {e} (allowed: a header line, then one target per "
                          "line)"]) from None
    header = next(csv.reader([numbered[0][1]]))
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise InputError([f"{path}:{numbered[0][0]}: (header): duplicate column(s) {', '.join(dup)} (allowed: "
                          "each column once)"])
    missing = [c for c in ("metric", "period", "value") if c not in header]
    if missing and len(header) == 1 and all(c in header[0].split(";") for c in missing):
        raise InputError([f"{path}:{numbered[0][0]}: (header): the columns are separated by ';' (allowed: commas; "
                          "from a spreadsheet, save as CSV with commas)"])
    if missing:
        raise InputError([f"{path}:{numbered[0][0]}: (header): missing column(s) {', '.join(missing)} (allowed: a "
                          "header naming metric, period, value, tolerance, tolerance_kind, source)"])
    if unknown := [h for h in header if h not in TARGET_COLUMNS]:
        raise InputError([f"{path}:{numbered[0][0]}: (header): unknown column(s) {', '.join(map(repr, unknown))} "
                          f"(allowed: {', '.join(TARGET_COLUMNS)})"])
    if not rows:
        raise InputError([f"{path}: a header and no targets (allowed: at least one target line below the header)"])
    errors = []
    for k, row in enumerate(rows):
        width = len(header) + len(row.get(None) or []) - sum(1 for h in header if row.get(h) is None)
        if width != len(header):  # a shifted row would put a value under the wrong column
            errors.append(f"{path}:{numbered[k + 1][0]}: (row): {width} fields under a header of {len(header)} "
                          "columns (allowed: exactly one field per column; quote a field that holds a comma)")
    if errors:
        raise InputError(errors)
    return [(numbered[k + 1][0], row) for k, row in enumerate(rows)]


def load_targets(path: Path, start: dt.date, end: dt.date, known: dict[str, MetricSpec] | None = None,
                 la_codes: set[str] | None = None,
                 defaults: dict[str, tuple[float, str]] | None = None) -> list[Target]:
    """Read and check a targets file against a scenario's horizon: every problem is reported at once.

    `defaults` gives a metric's tolerance and tolerance_kind where a row leaves them out (per-authority files).
    """
    known = METRICS if known is None else known
    defaults = defaults or {}
    errors: list[str] = []
    out: list[Target] = []
    seen: dict[tuple[str, str, str], int] = {}
    given: dict[str, list[tuple[int, Any, float]]] = {}  # a national file's percentages as read (line, raw, value)
    for line, r in _read_rows(path):
        where = f"{path}:{line}"
        bad = len(errors)
        metric = str(r.get("metric") or "").strip()
        period = str(r.get("period") or "").strip()
        if metric == "metric" and str(r.get("value") or "").strip() == "value":  # two files joined, each with its
            # header: four lines about one row (unknown metric 'metric', malformed 'value', ...) (eighth round)
            errors.append(f"{where}: (row): the header line again (allowed: one header line, at the top; joining two "
                          "targets files, keep the first's header only)")
            continue
        if metric not in known:
            errors.append(f"{where}: metric: unknown metric {metric!r} (allowed: {', '.join(sorted(known))})")
        tol_default, kind_default = defaults.get(metric, (None, ""))
        nums: dict[str, float] = {}
        for field in ("value", "tolerance"):
            raw = r.get(field)
            if field == "tolerance" and (raw is None or str(raw).strip() == "") and tol_default is not None:
                raw = tol_default
            x = _figure(raw, field == "value" and metric.endswith("_pct"))
            if isinstance(raw, str) and "," in raw and not THOUSANDS.fullmatch(raw.strip().removesuffix("%").strip()):
                # a comma groups thousands ("13,658"); anywhere else it is a decimal comma ("13,6", "98,3": as much
                # of Europe writes them), which was read as 136 or 983 without a word (seventh held-out round)
                errors.append(f"{where}: {field}: got {raw!r} (allowed: a number with a decimal point, e.g. 98.3; a "
                              "comma only between groups of three digits, e.g. 13,658)")
            elif x is None and field == "value" and str(raw).strip().lower() in SUPPRESSED:
                # a cell a later release suppressed (DfE's c, x, z, low; ":" or ".."): no figure to compare, said as
                # such, not as a malformed number (eighth held-out round)
                errors.append(f"{where}: value: {str(raw).strip()!r} is a suppressed figure, no number to compare "
                              "(allowed: a number; leave out the row of a figure the release suppressed)")
            elif x is None or not math.isfinite(x) or (field == "tolerance" and x < 0):
                what = f"got {raw}" if x is not None and math.isfinite(x) else f"malformed number {raw!r}"
                errors.append(f"{where}: {field}: {what} (allowed: a finite number"
                              + (" >= 0)" if field == "tolerance" else ")"))
            elif (field == "value" and la_codes is None and metric in known
                  and not 0 <= x <= (100 if metric.endswith("_pct") else 1e9)):
                # an official figure is a count or a percentage (sixth held-out round: 116.7% refused, or -5
                # requests, ran and was reported as a target missed); a per-authority file (la_codes) is written by
                # scripts/build_scenarios.py, whose checks of the SEN2 cells bound it already
                errors.append(f"{where}: value: got {raw} for {metric} (allowed: "
                              + ("a percentage from 0 to 100)" if metric.endswith("_pct") else "a count from 0 to 1,000,000,000)"))
            elif field == "value" and metric in known and not metric.endswith("_pct") and not x.is_integer():
                # every official figure that is not a percentage is a count (SEN2's requests, plans, mediations;
                # the tribunal's appeals): 404.5 requests was read as given and compared (held-out round)
                errors.append(f"{where}: value: got {raw} for {metric} (allowed: a whole number: a count from 0 to "
                              "1,000,000,000)")
            else:
                nums[field] = x
                if field == "value" and la_codes is None and metric.endswith("_pct"):
                    given.setdefault(metric, []).append((line, raw, x))
        if not str(r.get("source") or "").strip():  # why: a blank source ran, and the report's figure cited nothing
            errors.append(f"{where}: source: is blank: say where the figure comes from (allowed: the publication, "
                          "table and year, e.g. DfE SEN2 requests.csv 2019)")
        kind = str(r.get("tolerance_kind") or kind_default).strip()
        if kind not in TOLERANCE_KINDS:
            errors.append(f"{where}: tolerance_kind: {kind!r} is not allowed (allowed: {', '.join(TOLERANCE_KINDS)})")
        if metric in known:
            spec = known[metric]
            b = period_bounds(spec.kind, period)
            shape = {"academic": "a September-August year like 2019/20", "january": "a year like 2020 (the January "
                     "caseload)", "calendar": "a calendar year like 2019"}[spec.kind]
            if b is None:
                errors.append(f"{where}: period: {period!r} is malformed for {metric} (allowed: {shape})")
            elif not (start <= b[0] and b[1] <= end):
                inside = periods_in_horizon(spec.kind, start, end)
                errors.append(f"{where}: period: {period} is outside the scenario's horizon {start} to {end} "
                              f"(allowed: {inside[0] + ' to ' + inside[-1] if inside else 'none'})")
        code = str(r.get("la_code") or "").strip()
        if la_codes is not None and code not in la_codes:
            errors.append(f"{where}: la_code: {code!r} is not an authority of the scenario (allowed: the scenario's "
                          "local authority codes)")
        key = (metric, period, code)
        if key in seen:  # the same figure twice would count twice in "N of M targets"
            errors.append(f"{where}: period: {metric} {period}{' for ' + code if code else ''} is given again (first "
                          f"on line {seen[key]}) (allowed: each metric and period once)")
        seen.setdefault(key, line)
        if len(errors) == bad:
            out.append(Target(metric, period, nums["value"], nums["tolerance"], kind, str(r.get("source") or ""),
                              str(r.get("unit") or ""), code))
    errors += fractions_for_percentages(path, given)
    if errors:
        raise InputError(errors)
    return out


def load_la_targets(path: Path, loaded: LoadedScenario, national: list[Target]) -> list[Target]:
    """Per-authority figures (la_code, metric, period, value, source) with the national tolerance of each metric."""
    sc = loaded.scenario
    defaults = {t.metric: (t.tolerance, t.tolerance_kind) for t in national}
    return load_targets(path, sc.start_date, sc.end_date, {m: METRICS[m] for m in LA_METRICS},
                        {la.code for la in sc.local_authorities.items}, defaults)


# ------------------------------------------------------------------ running

def backtest_replication(loaded: LoadedScenario, seed: int, replication: int, by_la: bool = False
                         ) -> dict[str, Any]:
    """One replication: its period rows (and each authority's, if asked). No files written.

    Worker processes get the loaded scenario once (`runner.map_shared`), not the file again: a long run is not
    disturbed by files edited while it runs, and every replication sees the same inputs.
    """
    j = simulate(loaded, seed, replication)
    out: dict[str, Any] = {"by_period": period_metrics(j)}
    if by_la:
        out["by_la"] = la_period_metrics(j)
    return out


def _replication_job(loaded: LoadedScenario, job: tuple[int, int, bool]) -> dict[str, Any]:
    seed, replication, by_la = job
    return backtest_replication(loaded, seed, replication, by_la)


def run_replications(loaded: LoadedScenario, replications: int, seed: int, workers: int = 1, by_la: bool = False,
                     progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Replications 0..n-1 with the scenario's named streams: same results whatever the number of workers."""
    reps = []
    jobs = [(seed, r, by_la) for r in range(replications)]
    for r, res in enumerate(map_shared(_replication_job, loaded, jobs, workers)):
        reps.append(res)
        if progress:
            progress(f"replication {r + 1}/{replications} done")
    return reps


def _row(metric: str, period: str, target: Target | None, values: list[float | None], la_code: str = ""
         ) -> dict[str, Any]:
    s = summarise(values, bounds(metric))
    mean = s["mean"]
    row: dict[str, Any] = {"metric": metric, "period": period}
    if la_code:
        row["la_code"] = la_code
    row.update({"observed": target.value if target else None, "model_mean": mean, "model_ci95": s["ci95"],
                "error": None, "tolerance": None, "tolerance_kind": None, "within_tolerance": None,
                "source": target.source if target else "projection: no official figure"})
    if target is not None:
        row["tolerance"] = target.tolerance
        row["tolerance_kind"] = target.tolerance_kind
        if mean is not None:
            err = target.error(mean)
            row["error"] = round(err, 4) if math.isfinite(err) else None
            row["within_tolerance"] = target.within(mean)
        else:
            row["within_tolerance"] = False
    return row


def compare(targets: list[Target], reps: list[dict[str, Any]], start: dt.date, end: dt.date
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(target rows, projection rows): each target against the model, then every later period of each metric."""
    rows = []
    for t in targets:
        spec = METRICS[t.metric]
        rows.append(_row(t.metric, t.period, t, [spec.value(r["by_period"].get(t.period, {})) for r in reps]))
    projections = []
    for metric in dict.fromkeys(t.metric for t in targets):
        spec = METRICS[metric]
        periods = periods_in_horizon(spec.kind, start, end)
        last = max((periods.index(t.period) for t in targets if t.metric == metric and t.period in periods),
                   default=-1)
        for p in periods[last + 1:]:
            projections.append(_row(metric, p, None, [spec.value(r["by_period"].get(p, {})) for r in reps]))
    return rows, projections


def compare_by_la(targets: list[Target], reps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in targets:
        spec = METRICS[t.metric]
        vals = [spec.value(r["by_la"].get(t.la_code, {}).get(t.period, {})) for r in reps]
        out.append(_row(t.metric, t.period, t, vals, t.la_code))
    return out


def la_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many authorities have every one of their own figures within tolerance, and the share by metric."""
    by_la: dict[str, list[bool]] = {}
    by_metric: dict[str, list[bool]] = {}
    for r in rows:
        ok = bool(r["within_tolerance"])
        by_la.setdefault(r["la_code"], []).append(ok)
        by_metric.setdefault(r["metric"], []).append(ok)
    return {"authorities": len(by_la), "authorities_all_within": sum(all(v) for v in by_la.values()),
            "figures": len(rows), "figures_within": sum(r["within_tolerance"] is True for r in rows),
            "by_metric": {m: {"figures": len(v), "within": sum(v)} for m, v in by_metric.items()}}


def default_targets(scenario_path: Path, name: str) -> Path:
    """scenarios/targets/<scenario name>.csv next to the scenario file."""
    return Path(scenario_path).parent / "targets" / f"{name}.csv"

