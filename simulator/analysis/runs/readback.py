"""The files sendsim reads back from its own folders (summary.json, compare.json, manifest.json, the journeys
tables), checked like any input: a damaged or foreign file is one line naming the file, the field and the problem
(exit 2), never a traceback deep in a chart.

Why: a folder on disk is input too. It may be truncated by a full disk, edited by hand, written by another version,
or crafted; `report`, `compare --out` and the web page used to trust it and failed with "internal error" (a list
for summary.json, a string for `replications`, a mean of 1e308 reaching matplotlib). The models below state what
the readers rely on, strictly (no string for a number, no boolean for a count); other fields pass through.
Numbers are bounded by `ABSURD`: no count, percent, week or cost sendsim writes comes near it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ...schema.files import InputError
from ...schema.scenario import MAX_REPLICATIONS

ABSURD = 1e15  # |number| in a summary: England's whole cost over decades is about 1e12 GBP
MAX_JSON_BYTES = 256 * 1024 * 1024  # a national summary with every group is a few MB

Num = Annotated[float, Field(ge=-ABSURD, le=ABSURD, allow_inf_nan=False)] | None
Count = Annotated[int, Field(ge=0, strict=True)]


class _Read(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Stat(_Read):
    """A metric over replications: mean, 95% interval, number of replications (None: not defined)."""

    mean: Num = None
    ci95: tuple[Num, Num] = (None, None)
    n: Count = 0


class _RunHeader(_Read):
    """What every summary.json and two-way compare.json says of its run: scenario, seed, replications, horizon."""

    scenario: str
    seed: Count
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS, strict=True)]
    start_date: dt.date
    end_date: dt.date


class Summary(_RunHeader):
    """summary.json of a run folder."""

    rules: str
    metrics: dict[str, Stat]
    by_period: dict[str, dict[str, Stat]] = {}
    by_group: dict[str, dict[str, dict[str, Stat]]] = {}

    @model_validator(mode="after")
    def _dates(self) -> Summary:
        if not (1990 <= self.start_date.year <= 2100 and self.start_date <= self.end_date
                and self.end_date.year <= 2100):
            raise ValueError(f"start_date {self.start_date} and end_date {self.end_date}: not a run's horizon "
                             "(allowed: start before end, years 1990-2100)")
        return self


class Change(_Read):
    """One row of `what_changed` in compare.json."""

    parameter: str
    label: str | None = None
    source: str | None = None
    assumption: str | None = None
    switch: str | None = None
    range: list[Num] | None = None


class PairedMetric(_Read):
    """One metric of compare.json: the paired difference (each rule set's Stat is checked by `Comparison`)."""

    diff: Num = None
    diff_ci95: tuple[Num, Num] = (None, None)
    label: str = ""


class Comparison(_RunHeader):
    """compare.json of a comparison folder (two rule sets)."""

    rules: Annotated[list[str], Field(min_length=2, max_length=2)]
    metrics: dict[str, PairedMetric]
    what_changed: list[Change] = []
    in_force: list[dict[str, Any]] = []
    by_group: dict[str, dict[str, dict[str, PairedMetric]]] = {}

    @model_validator(mode="after")
    def _both_sides(self) -> Comparison:
        keys = ("a", "b") if self.rules[0] == self.rules[1] else tuple(self.rules)
        for name, m in self.metrics.items():
            for k in keys:
                try:
                    Stat.model_validate_json(json.dumps((m.model_extra or {}).get(k)))
                except ValidationError as e:
                    err = e.errors()[0]
                    where = ".".join(str(p) for p in err["loc"])
                    raise ValueError(f"metrics.{name}.{k}{'.' + where if where else ''}: {err['msg']}") from None
        return self


class ManyComparisons(_Read):
    """compare.json of three or more rule sets: each against the first (`compare_many`)."""

    rules: Annotated[list[str], Field(min_length=3)]
    baseline: str
    scenario: str
    seed: Count
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS, strict=True)]
    comparisons: list[Comparison]


class Manifest(_Read):
    """manifest.json of a run folder: what the report shows of it."""

    merged_rules: dict[str, Any]
    scenario: str = ""
    scenario_parameters: dict[str, Any] = {}
    scenario_sha256: str = ""
    rules_sha256: str = ""


def read_json_model(path: Path, model: type[_Read], when: dict[str, type[_Read]] | None = None) -> dict[str, Any]:
    """A JSON file of a sendsim folder as a dict, checked against `model` (or `when[key]` if the object has that
    key: a file with two shapes); InputError in one line otherwise."""
    hint = "a file sendsim wrote: damaged, edited, or written by another version?"
    try:
        if not path.is_file():
            raise InputError([f"{path}: missing (allowed: {hint})"])
        if path.stat().st_size > MAX_JSON_BYTES:
            raise InputError([f"{path}: {path.stat().st_size:,} bytes (allowed: at most {MAX_JSON_BYTES:,})"])
        raw = path.read_bytes()
    except OSError as e:
        raise InputError([f"{path}: cannot be read ({e.strerror or e})"]) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as e:
        why = str(e).split(":")[0] if isinstance(e, json.JSONDecodeError) else str(e) or type(e).__name__
        raise InputError([f"{path}: not valid JSON ({why}) (allowed: {hint})"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: (top level): a {type(data).__name__}, not an object of fields (allowed: {hint})"])
    model = next((m for k, m in (when or {}).items() if k in data), model)
    try:
        model.model_validate_json(raw)  # JSON mode: strict types, dates and pairs as JSON writes them
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        got = repr(err.get("input"))
        got = "" if not loc else f" (got {got})" if len(got) <= 40 else f" (got {got[:37]}...)"
        more = f" (and {e.error_count() - 1} more problems)" if e.error_count() > 1 else ""
        raise InputError([f"{path}: {loc + ': ' if loc else ''}{msg}{got}{more} ({hint})"]) from None
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
