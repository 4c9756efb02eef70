#!/usr/bin/env python3
"""Build the shipped scenarios and targets from DfE's SEN2 files in data/sen2/.

Run again when DfE publishes a new year, or after `sendsim calibrate`:  python scripts/build_scenarios.py
(`--data DIR` reads the SEN2 files from another folder, `--out DIR` writes there instead of scenarios/; the national
behaviour and the calibration are read from scenarios/ either way).

No data year is written here: the calendar years of activity are the time periods of requests.csv (assessments.csv
and timeliness_20_week.csv must have the same, else the build stops in one line naming the file and the year), and the
January caseloads those of caseload.csv (January of every activity year and of the year after the last: a release
brings both). With the files shipped: activity 2019-2023, January caseloads 2019-2024 (written "L" below: the last
activity year; "E" = L + 2, the England scenario's end, so that the origin L - 1 has two years to project).

Writes:
- scenarios/england.yaml: every authority, January 2019 to December E, one national tribunal;
- scenarios/small_la.yaml: one median-sized authority, 2019-2020 (examples and fast tests);
- scenarios/england_from_<Y>.yaml and small_la_from_<Y>.yaml: from 1 January of the latest January caseload in the
  data (Y; 2024 with the files shipped) to 2035, every authority reporting it (the median one by plans in force), its
  stock by setting and age, its own requests and rates to the last activity year, and the declared projections
  (`projection:` central/low/high, see simulator/rules/projection.py) beyond it;
- scenarios/targets/england.csv: the national official figures the backtest compares with (metric names of
  ../shared/domain/calibration_targets.csv, with source, period and tolerance), every activity year and January;
- scenarios/targets/england_by_la.csv: each authority's own figures 2019-L (the per-authority backtest).

What comes from where:
- per authority, from the official files: requests per year 2019-L (requests.csv), refusals to assess per year
  (requests.csv), assessed without a plan per year (assessments.csv), plans in force in January 2019 by setting
  (caseload.csv), % within 20 weeks 2019 (timeliness_20_week.csv); suppressed cells fall back to the authority's
  nearest year, else the national rate, and the file says so;
- authorities reorganised after January 2019 are kept as the January 2019 units' successors: Bournemouth and Poole
  -> Bournemouth, Christchurch and Poole (839), Dorset county -> Dorset (838) (Christchurch's few plans stay with
  Dorset, a stated simplification); Northamptonshire from 2021 = North + West Northamptonshire; Cumbria from 2023 =
  Cumberland + Westmorland and Furness;
- requests in L+1 and L+2 follow each authority's own trend (`requests_trend_pct_per_year`, else
  `demand.requests_growth_pct_per_year`, stated in national_behaviour.yaml);
- staffing (servers) is derived from each authority's own 2019 demand by a stated rule (utilisation 0.8) and
  kept in step with its requests; each authority's own late share or delay per year and the national parameters
  fitted by `sendsim calibrate` come from scenarios/calibration/england.yaml (if that file exists); a year the
  calibration has no value for is a year beyond the fitted ones (the lapse carries the latest fitted value), and the
  scenario says which years are not fitted yet;
- national behaviour (who asks, ages, disputes, durations) from scenarios/national_behaviour.yaml.

Why this module is long: every shipped scenario and target file is written here, each number beside its source, so
that one run rebuilds them all from the same reading of the files.
"""

from __future__ import annotations

if __name__ == "__main__":  # the script run, not a test importing it
    # Ctrl-C, SIGTERM or SIGHUP while the script's modules load or it checks the SEN2 files (about 2 s; nothing is
    # written yet): one line, exit 128 + the signal, as later in the build; it printed Python's KeyboardInterrupt
    # traceback (sixth held-out round). `main` puts its own handlers in place before it writes anything.
    from simulator.schema import early_signals

    early_signals.install("nothing was written; run the same command again")

import argparse  # noqa: E402
import copy  # noqa: E402
import csv  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import yaml  # noqa: E402

from simulator.analysis.fit.capacity import fit_backlog_document  # noqa: E402
from simulator.schema import early_signals  # noqa: E402
from simulator.schema.by_year import latest  # noqa: E402
from simulator.schema.files import UTF16, InputError, utf16  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"  # the inputs (national behaviour, calibration) are read here
DATA = ROOT / "data" / "sen2"  # --data
OUT = SCENARIOS  # --out
CALIBRATION = SCENARIOS / "calibration" / "england.yaml"
BASE_YEAR = 2019  # the England scenario starts with the January 2019 units and their stock
# calendar-year files that must have the same years (the first names them); the January caseloads: caseload.csv
ACTIVITY_FILES = ("requests.csv", "assessments.csv", "timeliness_20_week.csv")
CASELOAD_FILE = "caseload.csv"
SMALL_LA_CODE = "212"  # Wandsworth
# plans transferred between authorities: the rates per authority, built by scripts/build_plan_transfers.py
PLAN_TRANSFERS = "plan_transfers.yaml"
WAITS = "fitted_delay"  # the scenario's default waits model (backlog once it beats fitted_delay on the backtest)

# staffing rule (assumption): servers = flow per day x mean working days / utilisation, kept in step with the flow each stage serves (panel: requests; advice and writers: assessments)
UTIL = 0.80
# requests before 1 January 2019 simulated (at the 2018 rate) so that the cases in progress at the start, late ones
# included, are there: two years, because a slow authority's late plans (SEN2 2023: 5.2% of plans over a year;
# authorities at 5-20% within 20 weeks issue most plans 6-18 months after the request) were missing from 2019 with
# the earlier 273 days, and the fit pushed their 2019 delay to its 600-day bound (Walsall, Bristol; MODEL.md 3.3)
LEAD_IN_DAYS = 730.0
SHARE_HEALTH = 0.40  # population.health_needs_probability
SHARE_SOCIAL = 0.25  # population.social_care_needs_probability

# successor authorities: the January 2019 unit -> (the first calendar year its successors report, their codes); they
# report for it in every activity year from then on (`Official.codes`)
SUCCESSORS: dict[str, tuple[int, list[str]]] = {
    "928": (2021, ["940", "941"]),  # Northamptonshire (North and West Northamptonshire from April 2021)
    "909": (2023, ["942", "943"]),  # Cumbria (Cumberland, Westmorland and Furness from April 2023)
}
# January 2019 units replaced in April 2019: new code -> (name, the old codes whose stock it takes)
REPLACED = {"838": ("Dorset", ["835"]), "839": ("Bournemouth, Christchurch and Poole", ["836", "837"])}
GONE = {"835", "836", "837"}


PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # how DfE writes a cell: digits, a decimal point


class DataError(Exception):
    """The SEN2 files cannot be built from: one line naming the file (and line), the year and what is allowed."""


def num(x: str | None) -> float | None:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@functools.cache
def _read(path: Path) -> list[dict[str, str]]:
    """Every row of a file, read once per build (the build asks for the same files about a hundred times); of rows
    that differ only in breakdown columns a later release adds (`extra_breakdowns`), the total alone (`check_cells`
    refuses a file where it is not one row)."""
    with open(path, newline="", encoding="utf-8-sig") as f:  # a spreadsheet's byte-order mark is not text
        reader = csv.DictReader(f)
        every = list(reader)
        extra = extra_breakdowns(reader.fieldnames or [], every)
    if not extra:
        return every
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for r in every:
        groups.setdefault(tuple(r.get(k, "") for k in ROW_KEY), []).append(r)
    return [r for r in every if len(groups[tuple(r.get(k, "") for k in ROW_KEY)]) == 1
            or all(is_total(r.get(c)) for c in extra)]


# The columns that say which row a row is, in SEN2's files as shipped: the period, the place and the breakdown. A
# later release may add breakdown columns (a sex or phase beside `breakdown`, text like "Total" or "Female"): each
# column that is not a count the build reads and holds text is one too (`extra_breakdowns`), so that a row is a
# duplicate only when every identifying column matches, and of rows differing in it the total is read (fourth
# held-out round: such rows were refused as repeats, or the last one read).
ROW_KEY = ("time_period", "geographic_level", "region_code", "old_la_code", "breakdown_topic", "breakdown")
PLACE_COLUMNS = ("time_identifier", "country_code", "country_name", "region_name", "new_la_code", "la_name")
TOTAL_WORDS = ("all", "total", "z", "not applicable", "n/a", "")


def is_total(v: str | None) -> bool:
    """A breakdown value that stands for every child: empty, 'Total', 'All ...', not applicable."""
    v = (v or "").strip().lower()
    return v in TOTAL_WORDS or v.startswith(("all ", "total ", "all_", "total_"))


def _is_number_or_mark(v: str) -> bool:
    v = v.strip()
    if not v or v.lower() in MARKS:
        return True
    try:
        float(v)
    except ValueError:
        return False
    return True


def extra_breakdowns(fields: list[str], every: list[dict[str, str]]) -> list[str]:
    """The columns beyond SEN2's shipped identifying ones that hold text, not counts: breakdowns a later release
    added."""
    cand = [c for c in fields if c and c not in ROW_KEY and c not in PLACE_COLUMNS and c not in NUMBER_COLUMNS
            and not c.startswith(NUMBER_PREFIXES)]
    return [c for c in cand if any(not _is_number_or_mark(r.get(c) or "") for r in every)]


def rows(name: str, level: str = "Local authority") -> list[dict[str, str]]:
    return [r for r in _read(DATA / name) if r["geographic_level"] == level
            and r.get("breakdown_topic", "All").startswith("All")]


def by_la(name: str, period: str) -> dict[str, dict[str, str]]:
    return {r["old_la_code"]: r for r in rows(name) if r["time_period"] == period}


def national(name: str, period: str) -> dict[str, str]:
    return next(r for r in rows(name, "National") if r["time_period"] == period)


def caseload_period(year: int) -> str:
    """SEN2's label for the January `year` caseload (202324 = January 2024)."""
    return f"{year - 1}{str(year)[2:]}"


def sen2_release() -> str:
    """The SEN2 release the files come from, for the sources: 'release N', N the year after the files' last January
    caseload (a release brings January N-1 and calendar N-2: data-guidance-release2025.txt with January 2024 as
    shipped), whose data guidance data-guidance-releaseN.txt must be beside them (DfE publishes it with each
    release). Why: a new release's rows dropped in without its guidance were sourced to the older release named by
    the newest guidance file there (fourth held-out round); a guidance newer than the rows named a release the rows
    are not from."""
    if _RELEASE.get(DATA) is None:
        _RELEASE[DATA] = release_of(data_years().caseload[-1])
    return _RELEASE[DATA]


_RELEASE: dict[Path, str] = {}  # the release of each --data folder, worked out once a build


def release_of(last_january: int) -> str:
    """'release N' for files whose last January caseload is N-1; DataError if data-guidance-releaseN.txt is not
    there (the newest one there named)."""
    n = last_january + 1
    if (DATA / f"data-guidance-release{n}.txt").is_file():
        return f"release {n}"
    found = sorted(int(p.stem.removeprefix("data-guidance-release")) for p in DATA.glob("data-guidance-release*.txt")
                   if p.stem.removeprefix("data-guidance-release").isdigit() and p.is_file())
    there = (f"; the newest there, data-guidance-release{found[-1]}.txt, is release {found[-1]}'s, for January "
             f"{found[-1] - 1}" if found else "")
    raise DataError(f"{DATA}: no data-guidance-release{n}.txt for {CASELOAD_FILE}'s last January caseload, "
                    f"{last_january}{there} (allowed: the data guidance DfE publishes with release {n}, which names "
                    "it in every source)")


@dataclass(frozen=True)
class DataYears:
    """The years the SEN2 files hold: calendar years of activity and January caseloads (`data_years`)."""
    activity: tuple[int, ...]  # consecutive, from BASE_YEAR
    caseload: tuple[int, ...]  # January of every activity year and of the year after the last

    @property
    def last(self) -> int:
        return self.activity[-1]

    @property
    def end(self) -> int:
        """The England scenario's last year: two beyond the data, so that the origin `last - 1` has two to project."""
        return self.last + 2

    @property
    def span(self) -> str:
        return f"{self.activity[0]}-{self.last}"


# The cells the build reads as numbers (the caseload's placement columns by their prefixes), what a count may be, and
# the marks DfE and the ONS use for a figure not published (x: not available, c: confidential, z: not applicable,
# u: low reliability, low: a small count, ":" and "..": not available; in brackets in newer releases), read as missing.
NUMBER_COLUMNS = ("requests_received_in_year", "requests_decided_not_to_assess", "assess_issued", "assess_not_issued",
                  "PC_plans_issued_20_weeks_ex", "plans_issued_20_weeks_ex", "plans_issued_den_ex",
                  "PC_plans_issued_gt_1_year_ex", "plans_issued_gt_1_year_ex", "ehcplans",
                  "transfer", "DisleaEHC")  # the last two: scripts/build_plan_transfers.py's
NUMBER_PREFIXES = ("mainstream_", "special_", "fe_", "ap_pru_")
MARKS = frozenset({"x", "c", "z", "u", "low", ":", "..", "*", "[x]", "[c]", "[z]", "[u]", "[low]"})
MAX_COUNT = 10_000_000  # a count in SEN2 (England's plans in force: 576,474 in January 2024)
LEVELS = ("National", "Regional", "Local authority")
ENGLAND_CODE = "E92000001"  # country_code of every SEN2 row (ONS code of England)
# the columns the build reads from each file (a release that renamed one was read as empty: "None in England's row")
REQUIRED_COLUMNS = {
    "requests.csv": ("old_la_code", "requests_received_in_year", "requests_decided_not_to_assess"),
    "assessments.csv": ("old_la_code", "assess_issued", "assess_not_issued"),
    "timeliness_20_week.csv": ("old_la_code", "PC_plans_issued_20_weeks_ex", "plans_issued_20_weeks_ex",
                               "plans_issued_den_ex"),
    "caseload.csv": ("old_la_code", "ehcplans"),
    "ceased_plans.csv": ("old_la_code", "la_name", "breakdown", "transfer"),  # scripts/build_plan_transfers.py
    "release2022_sen2_mi.csv": ("old_la_code", "DisleaEHC"),
}
# (a part, its whole) in one row: the part is at most the whole
PARTS = (("requests_decided_not_to_assess", "requests_received_in_year"),
         ("plans_issued_20_weeks_ex", "plans_issued_den_ex"), ("plans_issued_gt_1_year_ex", "plans_issued_den_ex"))


def check_cells(path: Path) -> None:
    """DataError (file:line: column: the value, what is allowed) for a file the build cannot read as SEN2: not UTF-8,
    a row of another width than its header, an unknown geographic level, a row given twice, or a number cell that is
    negative, not finite, beyond any count, a percentage above 100, or neither a number nor a suppression mark. Why:
    a later release re-saved by a spreadsheet ("1,234", a byte-order mark, Latin-1) or damaged (-5, NaN, 1e20, a row
    twice) failed inside the build with a traceback, after writing some files, or was read as suppressed without a
    word."""
    if not path.is_file():
        return  # `_periods` names it
    raw = path.read_bytes()
    if utf16(raw):  # a spreadsheet's "Unicode Text": not a binary file, as it was called (seventh held-out round)
        raise DataError(f"{path}:1: {UTF16} (allowed: UTF-8 text, as DfE publishes it; save the file as CSV UTF-8)")
    if b"\x00" in raw:
        at = raw[:raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(f"{path}:{at}: a NUL byte: a binary file, not CSV text "
                        "(allowed: the SEN2 CSV file as DfE publishes it)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        at = raw[:e.start].count(b"\n") + 1
        raise DataError(f"{path}:{at}: byte 0x{raw[e.start]:02x} is not UTF-8 text "
                        "(allowed: UTF-8 text, as DfE publishes it; save the file as CSV UTF-8)") from None
    head = text.split("\n", 1)[0].rstrip("\r")
    by_comma, by_semicolon = next(csv.reader([head])), next(csv.reader([head], delimiter=";"))
    if len(by_semicolon) > len(by_comma) and not {"time_period", "geographic_level"} <= set(by_comma):
        # a release re-saved where the comma is the decimal mark (Excel's "CSV" in much of Europe): it said only "no
        # time_period or geographic_level column" (ileftE)
        raise DataError(f"{path}:1: the columns are separated by semicolons (;), not commas (allowed: comma-separated "
                        "values, as DfE publishes the file; save it as \"CSV UTF-8 (Comma delimited)\", or download "
                        "it again)")
    first = csv.DictReader(io.StringIO(text, newline=""))
    try:  # a cell longer than the csv module takes (131,072 characters) was a traceback (fifth held-out round); the
        # reader counts the lines read before the one it could not parse
        every = list(first)
    except csv.Error as e:
        raise DataError(f"{path}:{first.line_num + 1}: not valid CSV: {e} (allowed: the SEN2 CSV file as DfE publishes "
                        "it, a header line then one row per line)") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    twice = sorted({c for c in fields if fields.count(c) > 1})
    if twice:  # csv.DictReader keeps the last of two columns of one name: the build read the wrong one without a word
        raise DataError(f"{path}:1: column {twice[0]} is named {fields.count(twice[0])} times in the header (allowed: "
                        "each column once, as DfE publishes the file)")
    if "time_period" not in fields or "geographic_level" not in fields:
        return  # not SEN2's header (another separator, an empty file): `_periods` names it
    need = [c for c in REQUIRED_COLUMNS.get(path.name, ()) if c not in fields]
    if need:
        raise DataError(f"{path}:1: no column {need[0]} (allowed: SEN2's header, which names it; a release that "
                        f"renamed it is read once the column is given its SEN2 name, {need[0]})")
    cols = [c for c in fields if c in NUMBER_COLUMNS or c.startswith(NUMBER_PREFIXES)]
    parts = [(a, b) for a, b in PARTS if a in fields and b in fields]
    extra = extra_breakdowns(fields, [r for r in every if None not in r and None not in r.values()])
    seen: dict[tuple[str, ...], int] = {}
    totals: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}  # the total row of each ROW_KEY, its line
    split: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}  # a row the build reads that is not the total
    size: dict[tuple[str, ...], int] = {}  # rows of each ROW_KEY (several: a later release's breakdowns)
    for r in reader:
        line = reader.line_num
        if None in r or any(v is None for v in r.values()):
            width = len([v for k, v in r.items() if k is not None and v is not None]) + len(r.get(None) or [])
            raise DataError(f"{path}:{line}: the row has {width} fields, the header {len(fields)} (allowed: one field "
                            "per column of the header)")
        if "geographic_level" in r and r["geographic_level"] not in LEVELS:
            raise DataError(f"{path}:{line}: geographic_level: got {r['geographic_level']!r} (allowed: "
                            f"{', '.join(LEVELS)})")
        if r["geographic_level"] == "Local authority" and not re.fullmatch(r"\d{3}", r.get("old_la_code", "")):
            raise DataError(f"{path}:{line}: old_la_code: got {r.get('old_la_code')!r} (allowed: DfE's three-digit "
                            "code of the authority, e.g. 212)")
        # SEN2 counts England's authorities only: a Welsh, Scottish or Northern Irish row (another country's figures
        # pasted in, or a UK-wide file) was built as one more English council, and could be small_la (sixth held-out
        # round); Wales's additional learning needs are another law (ALN Act 2018), not the CFA 2014
        where = (r.get("country_code") or "").strip()
        if where and where != ENGLAND_CODE:
            name = (r.get("country_name") or "").strip()
            raise DataError(f"{path}:{line}: country_code: got {where!r}{f' ({name})' if name else ''} (allowed: "
                            f"{ENGLAND_CODE}, England: SEN2 counts England's authorities only, under the Children and "
                            "Families Act 2014)")
        code = (r.get("new_la_code") or "").strip()
        if r["geographic_level"] == "Local authority" and code and not code.startswith("E"):
            raise DataError(f"{path}:{line}: new_la_code: got {code!r} (allowed: an English authority's ONS code, "
                            "E06, E08, E09 or E10 then six digits, e.g. E09000032; SEN2 counts England's authorities "
                            "only)")
        base = tuple(r.get(k, "") for k in ROW_KEY)
        key = base + tuple(r.get(c, "") for c in extra)
        if key in seen:
            also = "".join(f", {c} {r.get(c)!r}" for c in extra)
            raise DataError(f"{path}:{line}: the row repeats line {seen[key]} (time_period {key[0]}, "
                            f"{key[1]}{' ' + key[3] if key[3] else ''}, {key[5] or key[4]}{also}) (allowed: each "
                            "authority's row once a period)")
        seen[key] = line
        if extra and all(is_total(r.get(c)) for c in extra):
            if base in totals:
                first, other = totals[base]
                diff = next((c for c in extra if other.get(c) != r.get(c)), extra[0])
                raise DataError(f"{path}:{line}: {diff}: got {r.get(diff)!r}, and {other.get(diff)!r} on line "
                                f"{first}: two totals of time_period {key[0]}, {key[1]}"
                                f"{' ' + key[3] if key[3] else ''}, {key[5] or key[4]} (allowed: one row whose "
                                f"{', '.join(extra)} {'is' if len(extra) == 1 else 'are'} the total: Total, All ..."
                                " or empty, beside its breakdowns)")
            totals[base] = (line, r)
        elif extra and r.get("breakdown_topic", "All").startswith("All"):
            split.setdefault(base, (line, r))
        size[base] = size.get(base, 0) + 1
        for c in cols:
            v = r[c].strip()
            if not v or v.lower() in MARKS:
                continue
            pct = c.startswith("PC_")
            allowed = (f"(allowed: {'a percentage from 0 to 100' if pct else f'a count from 0 to {MAX_COUNT:,}'}, "
                       "empty, or a suppression mark: x, c, z, u, low)")
            try:
                # a plain decimal only: Python's float() also takes '1_000', '+512', '1e3', ' nan' and 'infinity'
                x = float(v) if PLAIN_DECIMAL.fullmatch(v) else float("nan")
            except ValueError:
                x = float("nan")
            if math.isnan(x):
                why = " (numbers are written without thousands separators)" if "," in v else ""
                raise DataError(f"{path}:{line}: {c}: got {v!r}{why} {allowed}") from None
            if not math.isfinite(x) or x < 0 or x > (100.0 if pct else MAX_COUNT):
                raise DataError(f"{path}:{line}: {c}: got {v!r} {allowed}")
        read = r.get("breakdown_topic", "All").startswith("All") and all(is_total(r.get(c)) for c in extra)
        for a, b in parts if read else ():  # the rows the build reads:
            # a part above its whole gave a share above 100% (27,777.5% within 20 weeks) or an empty route (traceback)
            x, y = num(r[a].strip()), num(r[b].strip())
            if x is not None and y is not None and x > y and not (y == 0 and r["geographic_level"] == "National"):
                # (an England total of 0 is named as such by `national_numbers`)
                raise DataError(f"{path}:{line}: {a}: got {r[a].strip()}, more than {b} {r[b].strip()} (allowed: "
                                f"at most {b}, of which it is a part)")
    for base, (line, r) in split.items():
        if base not in totals and size[base] > 1:
            c = next(c for c in extra if not is_total(r.get(c)))
            raise DataError(f"{path}:{line}: {c}: got {r.get(c)!r} and no row of time_period {base[0]}, {base[1]}"
                            f"{' ' + base[3] if base[3] else ''}, {base[5] or base[4]} is its total (allowed: a "
                            f"row whose {c} is Total, All ... or empty, which the build reads)")


def _periods(name: str, identifier: str) -> tuple[dict[str, int], dict[str, int]]:
    """(time period -> first line, of every row; of the National rows) of a file; DataError if it is missing, or a
    row's `time_identifier` (where the file has one) is not the file's kind of period, `identifier` (why: a row of a
    later release marked "Financial year" in requests.csv was read as the calendar year of its time_period)."""
    path = DATA / name
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise DataError(f"{path}: {what} (allowed: a folder holding DfE SEN2's {', '.join(ACTIVITY_FILES)} "
                        f"and {CASELOAD_FILE}, as data/sen2/)")
    every: dict[str, int] = {}
    nat: dict[str, int] = {}
    check_cells(path)  # every cell the build reads: a number, a suppression mark or empty; one line otherwise
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "time_period" not in (reader.fieldnames or []) or "geographic_level" not in (reader.fieldnames or []):
            raise DataError(f"{path}:1: no time_period or geographic_level column (allowed: the SEN2 file's header)")
        for r in reader:
            kind = (r.get("time_identifier") or "").strip()
            if kind and kind != identifier:
                raise DataError(f"{path}:{reader.line_num}: time_identifier: got {kind!r} (allowed: {identifier!r}, "
                                f"the periods of {name})")
            every.setdefault(r["time_period"], reader.line_num)
            if r["geographic_level"] == "National":
                nat.setdefault(r["time_period"], reader.line_num)
    return every, nat


def data_years() -> DataYears:
    """The activity years (the time periods of requests.csv) and January caseloads (caseload.csv) in `DATA`,
    checked to agree: the other activity files have the same years, each with a National row, the years run on
    without a gap from BASE_YEAR, and caseload.csv has January of each and of the year after. DataError (one line:
    file, line where there is one, the year, what is allowed) otherwise: a build from files that disagree would
    drop or misplace a year without a word."""
    years: list[int] = []
    for name in ACTIVITY_FILES:
        every, nat = _periods(name, "Calendar year")
        for p, line in every.items():
            if not (len(p) == 4 and p.isdigit()):
                raise DataError(f"{DATA / name}:{line}: time_period {p!r} is not a calendar year (allowed: e.g. 2024)")
            if p not in nat:
                raise DataError(f"{DATA / name}:{line}: time_period {p} has no National row (allowed: every year "
                                "with its England total)")
        found = sorted(int(p) for p in every)
        if not years:
            years = found
            if not found or found[0] != BASE_YEAR:
                raise DataError(f"{DATA / name}: first time_period {found[0] if found else 'none'} (allowed: "
                                f"{BASE_YEAR}, the England scenario's start, and every year after)")
            gap = next((y for y in range(BASE_YEAR, found[-1]) if y not in found), None)
            if gap is not None:
                raise DataError(f"{DATA / name}: no time_period {gap} (allowed: consecutive calendar years "
                                f"{BASE_YEAR}-{found[-1]})")
            continue
        missing = [y for y in years if y not in found]
        extra = [y for y in found if y not in years]
        if missing:
            raise DataError(f"{DATA / name}: no time_period {missing[0]} (allowed: the years of "
                            f"{ACTIVITY_FILES[0]}, {years[0]}-{years[-1]})")
        if extra:
            raise DataError(f"{DATA / name}:{every[str(extra[0])]}: time_period {extra[0]} is not in "
                            f"{ACTIVITY_FILES[0]} (allowed: its years, {years[0]}-{years[-1]})")
    every, nat = _periods(CASELOAD_FILE, "Academic year")
    january: dict[int, int] = {}
    for p, line in every.items():
        if not (len(p) == 6 and p.isdigit() and caseload_period(int(p[:4]) + 1) == p):
            raise DataError(f"{DATA / CASELOAD_FILE}:{line}: time_period {p!r} is not a January caseload (allowed: "
                            "e.g. 202425 for January 2025)")
        if p not in nat:
            raise DataError(f"{DATA / CASELOAD_FILE}:{line}: time_period {p} has no National row (allowed: every "
                            "January with its England total)")
        january[int(p[:4]) + 1] = line
    want = range(BASE_YEAR, years[-1] + 2)
    missing = [y for y in want if y not in january]
    extra = [y for y in sorted(january) if y not in want]
    if missing:
        raise DataError(f"{DATA / CASELOAD_FILE}: no time_period {caseload_period(missing[0])} (January "
                        f"{missing[0]}; allowed: January {BASE_YEAR}-{want[-1]}, {ACTIVITY_FILES[0]}'s years "
                        f"{years[0]}-{years[-1]} and the January after)")
    if extra:
        raise DataError(f"{DATA / CASELOAD_FILE}:{january[extra[0]]}: time_period {caseload_period(extra[0])} "
                        f"(January {extra[0]}) is beyond {ACTIVITY_FILES[0]}'s last year {years[-1]} (allowed: "
                        f"January {BASE_YEAR}-{want[-1]}: a release brings January Y+1 with calendar Y)")
    national_numbers()
    return DataYears(tuple(years), tuple(want))


# England's figures the build divides by or copies (`national`): DfE publishes them unsuppressed, so a mark there
# ("x", "low") or a 0 where the build divides is a damaged file (it was a ValueError, a ZeroDivisionError or a
# KeyError with a traceback). (column, must be above 0)
NATIONAL_NUMBERS = {
    "requests.csv": (("requests_received_in_year", True), ("requests_decided_not_to_assess", False)),
    "assessments.csv": (("assess_issued", True), ("assess_not_issued", False)),
    "timeliness_20_week.csv": (("PC_plans_issued_20_weeks_ex", False), ("plans_issued_20_weeks_ex", False),
                               ("plans_issued_den_ex", True)),
    CASELOAD_FILE: (("ehcplans", True),),
}


def national_numbers() -> None:
    """DataError (file:line, column, period, what is allowed) for the first England total the build cannot use; and
    for a latest January without England's plans by age (the forward scenario's age mix)."""
    for name, cols in NATIONAL_NUMBERS.items():
        with open(DATA / name, newline="", encoding="utf-8-sig") as f:
            every = list(csv.DictReader(f))
        with open(DATA / name, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            extra = extra_breakdowns(reader.fieldnames or [], every)
            ages: dict[str, bool] = {}
            for r in reader:
                if r.get("geographic_level") != "National" or not all(is_total(r.get(c)) for c in extra):
                    continue  # (a breakdown a later release added: its total row is England's)
                topic = r.get("breakdown_topic", "All")
                if name == CASELOAD_FILE and topic == "Child or young persons age":
                    ages[r["time_period"]] = ages.get(r["time_period"], False) or num(r.get("ehcplans")) is not None
                if not topic.startswith("All"):
                    continue
                for col, positive in cols:
                    v = num(r.get(col))
                    if v is None or v < 0 or (positive and v == 0):
                        raise DataError(f"{DATA / name}:{reader.line_num}: {col} {r.get(col)!r} in England's row of "
                                        f"{r['time_period']} (allowed: a number{' above 0' if positive else ''}: DfE "
                                        "publishes England's totals unsuppressed)")
            if name == CASELOAD_FILE and ages and not ages[max(ages)]:
                raise DataError(f"{DATA / name}: no England plans by age in {max(ages)} (allowed: the 'Child or young "
                                "persons age' rows with numbers, for the forward scenario's age mix)")


class Official:
    """The per-authority figures by year, with successors summed into the January 2019 units (`total`).

    The timeliness tables (`tim`, as published: each reporting code its own row) cover the forward scenario's
    activity years too, so that it reads them from here rather than from the file again."""

    def __init__(self, years: DataYears) -> None:
        self.years = years
        self.req = {y: by_la("requests.csv", str(y)) for y in years.activity}
        self.ass = {y: by_la("assessments.csv", str(y)) for y in years.activity}
        self.tim = {y: by_la("timeliness_20_week.csv", str(y)) for y in years.activity}
        self.cas = {y: by_la(CASELOAD_FILE, caseload_period(y)) for y in years.caseload}

    def codes(self, code: str, year: int) -> list[str]:
        """The codes reporting for a January 2019 unit in calendar `year`: its successors in every activity year
        from their first (the reorganisations took effect on 1 April, so the year's returns are the successors')."""
        first, successors = SUCCESSORS.get(code, (None, [code]))
        return successors if first is not None and first <= year <= self.years.last else [code]

    def total(self, table: dict[int, dict[str, dict[str, str]]], code: str, year: int, col: str) -> float | None:
        """Sum of a column over the unit's reporting codes that year; None if any part is missing or suppressed."""
        return self._sum(table, year, self.codes(code, year), col)

    def january(self, code: str, year: int, col: str) -> float | None:
        """A January `year` caseload figure of the unit: reported by the codes in place at the end of `year` - 1
        (Northamptonshire's January 2021 count is still the county's, its successors start in April 2021; Cumbria's
        January 2023 the same; January L+1 is the successors'). Looked up by the calendar year instead, a unit had no
        January figure in its successors' first year nor in January L+1."""
        return self._sum(self.cas, year, self.codes(code, year - 1), col)

    @staticmethod
    def _sum(table: dict[int, dict[str, dict[str, str]]], year: int, codes: list[str], col: str) -> float | None:
        out = 0.0
        for c in codes:
            v = num(table.get(year, {}).get(c, {}).get(col))
            if v is None:
                return None
            out += v
        return out

    def requests(self, code: str, year: int) -> float | None:
        """Requests received in the year; None where the return cannot be right: no request recorded in a year in
        which the authority issued plans. West Berkshire 2022 records 0 requests and 0 decisions while issuing 176
        plans with 1,198 in force, and no timeliness: an incomplete return to the first person-level collection,
        not a year without requests (taken literally, the model made no plan there from mid-2022)."""
        n = self.total(self.req, code, year, "requests_received_in_year")
        if n == 0 and self.total(self.ass, code, year, "assess_issued"):
            return None
        return n


def stock(r: dict[str, str]) -> dict[str, int]:
    g = lambda k: int(num(r.get(k, "")) or 0)  # noqa: E731
    resourced = sum(g(k) for k in r if k.startswith("mainstream_") and (k.endswith("_resourced_provision")
                                                                       or k.endswith("_senunit")))
    out = {
        "stock_mainstream": g("mainstream_total") - resourced,
        "stock_resourced_provision": resourced,
        "stock_maintained_special": g("special_la_maintained") + g("special_academy_free"),
        "stock_independent_special": g("special_independent") + g("special_non_maintained"),
        "stock_post16": g("fe_total"),
        "stock_alternative_provision": g("ap_pru_total"),
    }
    out["stock_other"] = max(0, g("ehcplans") - sum(out.values()))
    return out


def other_share(code: str, year: int) -> tuple[float, str]:
    """The authority's plans outside the named settings (`stock_other`) as a share of those in them, for a January
    whose total plans (`ehcplans`) is suppressed (`stock` cannot count them without it): (share, where it comes from).

    Its latest earlier January with a total, held within the range of its own shares in the Januaries before that
    and England's share of January `year`; with no earlier January (January 2019, the first in the data) its earliest
    later one; else England's of January `year`. Why the range: a council's share moves little from one January to
    the next, so its latest is the best guide in most councils (median error 1.87 points for January 2024, against
    England's 2.71), but a few councils' January 2023 shares jumped and fell back (Redcar and Cleveland's plans
    outside the named settings were 173.6% of those in them, Bristol's 88.8%: the first January of the person-level
    collection), and carrying such a jump made the mean error 4.88 points against England's 3.11. Cut back to the
    nearest end of that range it is 2.52 (median 1.79), better than either (MODEL.md 4.2a)."""
    def share_of(y: int) -> float | None:
        r = by_la("caseload.csv", caseload_period(y)).get(code)
        if r is None or num(r.get("ehcplans")) is None:
            return None
        st = stock(r)
        named = sum(v for k, v in st.items() if k != "stock_other")
        return st["stock_other"] / named if named > 0 else None

    def england(y: int) -> float:
        st = stock(national("caseload.csv", caseload_period(y)))
        named = sum(v for k, v in st.items() if k != "stock_other")
        return st["stock_other"] / named if named else 0.0

    earlier = [(y, s) for y in range(year - 1, BASE_YEAR - 1, -1) if (s := share_of(y)) is not None]
    if len(earlier) >= 2:
        (y, last), before = earlier[0], [s for _, s in earlier[1:]] + [england(year)]
        lo, hi = min(before), max(before)
        if lo <= last <= hi:
            return last, f"its January {y} share"
        held = min(max(last, lo), hi)
        return held, (f"its January {y} share ({100 * last:.1f}%) cut back to the range of its earlier Januaries' "
                      f"and England's January {year} shares")
    if earlier:
        return earlier[0][1], f"its January {earlier[0][0]} share"
    for y in (y for y in data_years().caseload if y > year):
        if (s := share_of(y)) is not None:
            return s, f"its January {y} share"
    return england(year), f"England's January {year} share"


def january_stock(r: dict[str, str], code: str, year: int, name: str) -> tuple[dict[str, int], str | None]:
    """An authority's January `year` stock by setting (`stock`), and the note to give where its total is suppressed:
    the plans outside the named settings (other arrangements, education elsewhere, not in education: 14% of
    Wandsworth's) cannot be counted without the total, and were taken as 0 without a word (sixth held-out round), so
    they are taken at the authority's share of another January (`other_share`), and said. Read wherever a January
    total makes a stock: the forward scenario's latest January and the England scenario's January 2019 (which kept
    the 0 after the forward build was mended)."""
    counts = stock(r)
    if num(r.get("ehcplans")) is not None:
        return counts, None
    share, where = other_share(code, year)
    counts["stock_other"] = round(share * sum(v for k, v in counts.items() if k != "stock_other"))
    return counts, (f"{name}: January {year} total plans suppressed, plans outside the named settings taken at "
                    f"{where} ({100 * share:.1f}% of those in them: {counts['stock_other']:,})")


def add_stock(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def servers(flow_per_year: float, mean_days: float, util: float) -> int:
    return max(1, math.ceil(flow_per_year / 365.25 * mean_days / util))


def staffing_by_year(requests: dict[int, float], refused: dict[int, float], years: DataYears) -> dict[int, float]:
    """Advice and writing staff each year relative to 2019: in step with the year's assessments, not its requests.

    Why: the advice queues (EP, health, social care) and the plan writers serve the assessments the authority
    agrees to, requests x (1 - refused). Sized to requests alone, an authority whose refusals fell (Sheffield 38% in
    2019 to 5% in 2022: assessments x3.1 while requests x2.0; St. Helens 45% to 0%) ran its queues above capacity,
    so even with no delay of its own the model issued almost no plan within 20 weeks while SEN2 shows 80-100%. The
    staffing rule's intent (MODEL.md 3.1: the queues keep pace and do not bind; the authority's delay carries its
    slowness) holds only if staff follow the stage's own flow."""
    base = max(requests[BASE_YEAR] * (1 - refused[BASE_YEAR]), 1.0)
    return {y: round(max(requests[y] * (1 - refused[y]), 1.0) / base, 4) for y in years.activity
            if y != BASE_YEAR and y in requests}


def units(notes: list[str] | None = None) -> list[tuple[str, str, str, dict[str, int]]]:
    """(code, name, region, January 2019 stock) of every unit the England scenario simulates; a suppressed January
    total's note (`january_stock`) appended to `notes` where given."""
    cas = by_la("caseload.csv", caseload_period(BASE_YEAR))
    out = []
    said: list[str] = []
    for code, r in cas.items():
        if code not in GONE:
            st, note = january_stock(r, code, BASE_YEAR, r["la_name"])
            said += [note] if note else []
            out.append((code, r["la_name"], r["region_name"], st))
    for code, (name, olds) in REPLACED.items():
        st = {}
        for o in olds:
            part, note = january_stock(cas[o], o, BASE_YEAR, cas[o]["la_name"])
            said += [note] if note else []
            st = add_stock(st, part)
        region = cas[olds[0]]["region_name"]
        out.append((code, name, region, {k: st[k] for k in sorted(st)}))
    if notes is not None:
        notes.extend(sorted(said))
    return sorted(out, key=lambda u: u[1])


def build_las(behaviour: dict, calibration: dict, off: Official
              ) -> tuple[list[dict], list[str], list[dict], dict[str, dict[str, dict[int, float]]]]:
    """Scenario rows of every authority, the fallbacks used, each authority's own targets, and its own series (by
    authority code: requests, refusals, no-plan rates and % within 20 weeks by year) for the per-authority trends."""
    nat_ref = {y: float(national("requests.csv", str(y))["requests_decided_not_to_assess"])
               / float(national("requests.csv", str(y))["requests_received_in_year"]) for y in off.years.activity}
    nat_noplan = {}
    for y in off.years.activity:
        a = national("assessments.csv", str(y))
        nat_noplan[y] = float(a["assess_not_issued"]) / (float(a["assess_not_issued"]) + float(a["assess_issued"]))
    nat_tim = float(national("timeliness_20_week.csv", str(BASE_YEAR))["PC_plans_issued_20_weeks_ex"])
    d = {k: v["value"] for k, v in behaviour["durations"].items()}
    delays = calibration.get("la_delay_days", {})
    fallbacks: list[str] = []
    las, targets = [], []
    own_series: dict[str, dict[str, dict[int, float]]] = {}
    for code, name, region, st in units(fallbacks):
        by_year: dict[int, float] = {}
        ref: dict[int, float] = {}
        noplan: dict[int, float] = {}
        for y in off.years.activity:
            n = off.requests(code, y)
            if n is not None:
                by_year[y] = n
            refused = off.total(off.req, code, y, "requests_decided_not_to_assess")
            if n and refused is not None:
                ref[y] = round(min(refused / n, 1.0), 4)
            iss = off.total(off.ass, code, y, "assess_issued")
            notiss = off.total(off.ass, code, y, "assess_not_issued")
            if iss is not None and notiss is not None and iss + notiss > 0:
                noplan[y] = round(notiss / (iss + notiss), 4)
        if BASE_YEAR not in by_year:
            fallbacks.append(f"{name}: no {BASE_YEAR} request count, authority left out")
            continue
        gaps = [y for y in off.years.activity if y not in by_year and BASE_YEAR < y < max(by_year)]
        for y in gaps:  # geometric between the years either side, as `by_year.interpolated` does for capacity
            lo, hi = max(g for g in by_year if g < y), min(g for g in by_year if g > y)
            by_year[y] = round(by_year[lo] * (by_year[hi] / by_year[lo]) ** ((y - lo) / (hi - lo)), 1)
        if gaps:
            by_year = dict(sorted(by_year.items()))
            fallbacks.append(f"{name}: requests not validly returned in {', '.join(map(str, gaps))}, "
                             "geometric between the years either side")
        for label, series, nat in (("refusals", ref, nat_ref), ("assessed-no-plan", noplan, nat_noplan)):
            missing = [y for y in off.years.activity if y not in series]
            if missing:
                fallbacks.append(f"{name}: {label} suppressed in {', '.join(map(str, missing))}, "
                                 + ("national rate used" if not series else "nearest year used"))
            for y in missing:
                near = min(series, key=lambda s: (abs(s - y), s)) if series else None
                series[y] = series[near] if near is not None else round(nat[y], 4)
        within = num(off.tim[BASE_YEAR].get(code, {}).get("PC_plans_issued_20_weeks_ex"))
        if within is None:
            within = nat_tim
            fallbacks.append(f"{name}: {BASE_YEAR} timeliness suppressed, national value used")
        n_req = by_year[BASE_YEAR]
        assessed = n_req * (1 - ref[BASE_YEAR])
        plans = assessed * (1 - noplan[BASE_YEAR])
        la: dict[str, Any] = {
            "name": name, "code": code, "region": region,
            "requests_per_year": n_req, "requests_by_year": by_year,
            "refuse_to_assess_probability": ref[BASE_YEAR],
            "no_plan_after_assessment_probability": noplan[BASE_YEAR],
            "refuse_to_assess_by_year": {y: ref[y] for y in off.years.activity if y != BASE_YEAR},
            "no_plan_after_assessment_by_year": {y: noplan[y] for y in off.years.activity if y != BASE_YEAR},
            **st,
            "panel_servers": servers(n_req, d["panel_decision_days"], UTIL),
            "ep_servers": servers(assessed, d["ep_advice_days"], UTIL),
            "health_advice_servers": servers(assessed * SHARE_HEALTH, d["health_advice_days"], UTIL),
            "social_care_advice_servers": servers(assessed * SHARE_SOCIAL, d["social_care_advice_days"], UTIL),
            "plan_writer_servers": servers(plans, d["draft_writing_days"], UTIL),
            "capacity_by_year": staffing_by_year(by_year, ref, off.years),
            "observed_within_20_weeks_pct": within,
        }
        within_by_year = {}
        for y in off.years.activity:
            w_num = off.total(off.tim, code, y, "plans_issued_20_weeks_ex")
            w_den = off.total(off.tim, code, y, "plans_issued_den_ex")
            if w_num is not None and w_den:
                within_by_year[y] = 100.0 * w_num / w_den
        own_series[code] = {"requests": dict(by_year), "refused": dict(ref), "no_plan": dict(noplan),
                        "within": within_by_year}
        delay = delays.get(code)
        late = calibration.get("la_late_share", {}).get(code)
        if late:
            la["late_share_by_year"] = {int(y): float(v) for y, v in late.items()}
        elif delay:
            la["delay_days_by_year"] = {int(y): float(v) for y, v in delay.items()}
        las.append(la)
        targets.extend(la_targets(off, code, name))
    # a code reporting requests that is neither a January 2019 unit nor a known successor of one (a council formed
    # by a later reorganisation) would be left out without a word: said in the scenario's fallbacks
    known = {u[0] for u in units()} | {c for _first, codes in SUCCESSORS.values() for c in codes} | GONE
    for code in sorted({c for y in off.years.activity for c in off.req[y]} - known):
        seen = [y for y in off.years.activity if code in off.req[y]]
        name = next(off.req[y][code].get("la_name", code) for y in seen)
        fallbacks.append(f"{name} ({code}): requests in {', '.join(map(str, seen))} but not a January {BASE_YEAR} "
                         "unit nor a known successor of one (SUCCESSORS), left out")
    return las, fallbacks, targets, own_series


def la_targets(off: Official, code: str, name: str) -> list[dict]:
    """The authority's own published figures in every activity year (and January caseload after 2019), for the
    backtest."""
    out = []

    def add(metric: str, period: int, value: float | None, source: str) -> None:
        if value is not None:
            out.append({"la_code": code, "la_name": name, "metric": metric, "period": str(period),
                        "value": round(value, 4), "source": source})

    for y in off.years.activity:
        n = off.requests(code, y)
        add("initial_requests_for_assessment", y, n, "DfE SEN2 requests.csv requests_received_in_year")
        refused = off.total(off.req, code, y, "requests_decided_not_to_assess")
        if n and refused is not None and n >= 20:
            add("requests_refused_pct", y, 100.0 * refused / n, "DfE SEN2 requests.csv")
        iss = off.total(off.ass, code, y, "assess_issued")
        add("new_plans_issued", y, iss, "DfE SEN2 assessments.csv assess_issued")
        w_num = off.total(off.tim, code, y, "plans_issued_20_weeks_ex")
        w_den = off.total(off.tim, code, y, "plans_issued_den_ex")
        if w_num is not None and w_den and w_den >= 20:
            add("within_20_weeks_pct", y, 100.0 * w_num / w_den, "DfE SEN2 timeliness_20_week.csv")
    for y in off.years.caseload[1:]:
        add("plans_in_force_january", y, off.january(code, y, "ehcplans"), "DfE SEN2 caseload.csv ehcplans")
    return out


def successor_targets(off: Official) -> list[dict]:
    """The January caseloads of the councils formed after January 2019 (SUCCESSORS: North and West Northamptonshire,
    Cumberland, Westmorland and Furness), each under its own code: england_by_la.csv keeps the 2019 geography (their
    figures summed into their predecessor's), so the forum page's check of a forward run's start had no official
    figure for them (sendsim serve: analysis/fit/forward_council.official_january reads this file beside it)."""
    out = []
    for _unit, (_first, codes) in sorted(SUCCESSORS.items()):
        for code in codes:
            for y in off.years.caseload:
                r = off.cas[y].get(code)
                v = num(r.get("ehcplans")) if r else None
                if v is not None:
                    out.append({"la_code": code, "la_name": r["la_name"], "metric": "plans_in_force_january",
                                "period": str(y), "value": round(v, 4), "source": "DfE SEN2 caseload.csv ehcplans"})
    return out


def england_provenance(years: DataYears) -> dict[str, dict[str, Any]]:
    """The sources and assumptions of the England scenario's per-authority fields, with the data's own years."""
    last, end = years.last, years.end
    return {
        "requests_per_year": {"source": f"DfE SEN2 requests.csv ({sen2_release()}), requests_received_in_year, "
                                        "calendar 2019"},
        "requests_by_year": {"source": f"DfE SEN2 requests.csv ({sen2_release()}), requests_received_in_year, "
                                       "calendar "
                                       f"{years.span}, successors summed (person-level from 2022: DfE cautions on "
                                       "comparisons); later years follow demand.requests_growth_pct_per_year"},
        "refuse_to_assess_probability": {"source": "DfE SEN2 requests.csv, requests_decided_not_to_assess / "
                                                   "requests_received_in_year, 2019 (national rate where suppressed)"},
        "refuse_to_assess_by_year": {"source": f"DfE SEN2 requests.csv, the same ratio for {BASE_YEAR + 1}-{last} "
                                               "(nearest year, else national, where suppressed); "
                                               f"{last + 1}-{end} keep the {last} value"},
        "no_plan_after_assessment_probability": {"source": "DfE SEN2 assessments.csv, assess_not_issued / "
                                                           "(assess_issued + assess_not_issued), 2019 (national where "
                                                           "suppressed)"},
        "no_plan_after_assessment_by_year": {"source": "DfE SEN2 assessments.csv, the same ratio for "
                                                       f"{BASE_YEAR + 1}-{last}; {last + 1}-{end} keep the {last} "
                                                       "value"},
        "stock": {"source": "DfE SEN2 caseload.csv, plans in force January 2019 by placement: mainstream (less "
                            "resourced provision and SEN units), resourced provision + SEN units, LA and academy "
                            "special, independent + non-maintained special, FE, AP/PRU, other (educated elsewhere, "
                            "early years, awaiting provision); Bournemouth + Poole -> BCP, Dorset county -> Dorset"},
        "panel_servers": {"assumption": "Concurrent decisions the LA's SEN team can progress: 2019 requests/365 x "
                                        "durations.panel_decision_days / 0.80 utilisation (85% of decisions within 6 "
                                        "weeks in 2023, SEN2)", "range": [0.5, 2.0]},
        "ep_servers": {"assumption": "Concurrent EP advices: 2019 assessments/365 x durations.ep_advice_days / 0.80; "
                                     "EP workforce ~3,500 FTE nationally (statistics.md 3.6). Not the binding "
                                     "constraint: the authority's delay (delay_days_by_year) carries its slowness. "
                                     "Range is a multiplier",
                       "range": [0.5, 2.0]},
        "health_advice_servers": {"assumption": "Concurrent health advices: 40% of assessments x "
                                                "durations.health_advice_days / 0.80", "range": [0.5, 2.0]},
        "social_care_advice_servers": {"assumption": "Concurrent social care advices: 25% of assessments x "
                                                     "durations.social_care_advice_days / 0.80", "range": [0.5, 2.0]},
        "plan_writer_servers": {"assumption": "Concurrent drafts: 2019 expected plans/365 x "
                                              "durations.draft_writing_days / 0.80", "range": [0.5, 2.0]},
        "capacity_by_year": {"source": "Advice and writing staff kept in step with the assessments they serve: the "
                                       "year's requests x (1 - refused) / 2019's (SEN2 requests.csv "
                                       "requests_received_in_year, requests_decided_not_to_assess); "
                                       f"{last + 1}-{end} follow demand.capacity_growth_pct_per_year"},
        "observed_within_20_weeks_pct": {"source": "DfE SEN2 timeliness_20_week.csv, PC_plans_issued_20_weeks_ex, "
                                                   "2019 (for comparison and for the staffing rule; national where "
                                                   "suppressed)"},
    }


def fitted_years(fitted: dict[str, dict[Any, float]]) -> list[int]:
    """The years a per-authority table of the calibration (la_late_share, la_delay_days) has values for."""
    return sorted({int(y) for by in fitted.values() for y in (by or {})})


def not_fitted(years: DataYears, fitted: list[int]) -> list[int]:
    """The activity years a calibration table has no value for (a release newer than the calibration)."""
    return [y for y in years.activity if y not in fitted] if fitted else []


def not_fitted_note(years: DataYears, fitted: list[int], meanwhile: str) -> str:
    """'' when the calibration has every activity year; else which years it lacks and what they take meanwhile."""
    todo = not_fitted(years, fitted)
    if not todo:
        return ""
    return (f"; {', '.join(map(str, todo))} not fitted yet (scenarios/calibration/england.yaml stops at "
            f"{max(fitted)}): {meanwhile} until `sendsim calibrate` is run again")


def delay_provenance(years: DataYears, fitted: list[int]) -> dict[str, dict[str, Any]]:
    first, last = fitted[0], fitted[-1]
    return {
        "delay_days_by_year": {"assumption": "The authority's own median delay (days; each child draws a Weibull with "
                                             "this median and durations.authority_delay_shape) between the last "
                                             "advice and the decision to issue, fitted by `sendsim calibrate` (stage "
                                             "delays, then joint rounds on the full model) to its own % within 20 "
                                             f"weeks (SEN2 timeliness_20_week.csv {first}-{last}); {last + 1}-"
                                             f"{years.end} keep the {last} value"
                                             + not_fitted_note(years, fitted, f"they keep the {last} value"),
                               "range": [0.0, 1500.0]},
    }


def late_provenance(years: DataYears, fitted: list[int]) -> dict[str, dict[str, Any]]:
    first, last = fitted[0], fitted[-1]
    return {
        "late_share_by_year": {"assumption": "The share of the authority's children whose 20-week deadline falls in "
                                             "the year that it holds past the deadline (each then waits "
                                             "durations.authority_lateness_days beyond it), fitted by `sendsim "
                                             "calibrate --stage joint` to its own % within 20 weeks (SEN2 "
                                             f"timeliness_20_week.csv {first}-{last}); years before {first} take "
                                             f"{first}'s; from {last + 1} the share that {last}'s on-time "
                                             "throughput, grown at demand.capacity_growth_pct_per_year, leaves of "
                                             "the year's expected assessments (requests and refusals by their "
                                             "trends; route/assessment.py projected_late_share)"
                                             + not_fitted_note(years, fitted, "treated as years beyond the "
                                                               "fitted ones"),
                               "range": [0.0, 1.0]},
    }


# how advice services and plan writers are staffed (Scenario.staffing; MODEL.md 3.3, 7.10): by the work in hand
STAFFING = {
    "follows": "work_in_hand",
    "review_days": {"value": 30.4375,
                    "assumption": "Advice services and plan writers resized to the work in hand once a month (agency "
                                  "and commissioned staff booked month by month); no published figure (UNVERIFIED)",
                    "range": [7.0, 91.3125]},
    "clear_weeks": {"value": 6.0,
                    "assumption": "Cases waiting for advice or a draft are cleared over 6 weeks, the time the law "
                                  "allows for advice (SEND Regs 2014 reg 8(1)); staff shortage is no lawful exception "
                                  "and an authority without an EP should commission one (IPSEA, 23 Feb 2024; SOSSEN "
                                  "FAQ; domain addendum 4.2). How fast authorities do: no published figure "
                                  "(UNVERIFIED)",
                    "range": [3.0, 26.0]},
    "utilisation": {"value": UTIL,
                    "assumption": "Staff for the cases arriving are sized as the establishment is (ep_servers and the "
                                  "other *_servers: 0.80 utilisation)",
                    "range": [0.6, 0.95]},
    "floor": {"value": 1.0,
              "assumption": "An authority keeps its establishment (staff by the year's assessments) when work is "
                            "light: staff are not laid off month to month (UNVERIFIED)",
              "range": [0.5, 1.0]},
    "ceiling": {"value": 2.0,
                "assumption": "At most twice the establishment: the most an authority issued in a year against that "
                              "year's assessments (SEN2 assessments.csv and requests.csv 2019-2023, 741 "
                              "authority-years with 50 requests or more: median 0.88, 99th percentile 1.43, highest "
                              "2.05, Staffordshire 2020) needs 1.7x an establishment sized at 0.80 utilisation on "
                              "its assessments, and clearing the cases waiting needs more (UNVERIFIED)",
                "range": [1.5, 3.0]},
}

def capacity_growth(years: DataYears) -> dict[str, Any]:
    return {
        "value": 13.8,
        "assumption": f"Yearly growth of LA assessment staffing after {years.last} (the projection): in step with the "
                      "stated growth of requests (demand.requests_growth_pct_per_year), as in "
                      f"{years.span} (capacity_by_year)",
        "range": [0.0, 20.0],
    }


# national figures not in data/sen2, copied from ../shared/domain/calibration_targets.csv (with their sources)
TRIBUNAL_TARGETS = [
    ("tribunal_appeals_registered", "2019/20", 7917, "MoJ Tribunal Statistics Quarterly", 10, "relative"),
    ("tribunal_appeals_registered", "2021/22", 11052, "MoJ Tribunal Statistics Quarterly (via Schools Week, Dec 2023)",
     10, "relative"),
    ("tribunal_appeals_registered", "2022/23", 13658, "MoJ Tribunal Statistics Quarterly (via Schools Week, Dec 2023)",
     10, "relative"),
    ("tribunal_decided_in_favour_pct", "2019/20", 95.0, "MoJ Tribunal Statistics Quarterly", 2, "absolute"),
    ("tribunal_decided_in_favour_pct", "2021/22", 96.4, "MoJ Tribunal Statistics Quarterly", 2, "absolute"),
    ("tribunal_decided_in_favour_pct", "2022/23", 98.3, "MoJ Tribunal Statistics Quarterly (via Schools Week, Dec "
     "2023)", 2, "absolute"),
    ("tribunal_appeals_refusal_to_assess_pct", "2022/23", 27.9, "MoJ Tribunal Statistics Quarterly", 5, "absolute"),
    ("tribunal_appeals_refusal_to_issue_pct", "2022/23", 8.5, "MoJ Tribunal Statistics Quarterly", 5, "absolute"),
    ("tribunal_appeals_contents_pct", "2022/23", 58.0, "MoJ Tribunal Statistics Quarterly", 5, "absolute"),
    ("tribunal_appeals_reaching_decision_pct", "2022/23", 58.0, "MoJ Tribunal Statistics Quarterly (7,968 decided "
     "at hearing of 13,658)", 5, "absolute"),
    ("tribunal_appeals_registered_calendar", "2019", 7385, "DfE/MoJ SEND appeal rate table (calendar years)", 10,
     "relative"),
    ("tribunal_appeals_registered_calendar", "2020", 7843, "DfE/MoJ SEND appeal rate table (calendar years)", 10,
     "relative"),
    ("tribunal_appeals_registered_calendar", "2021", 9184, "DfE/MoJ SEND appeal rate table (calendar years)", 10,
     "relative"),
    ("tribunal_appeals_registered_calendar", "2022", 12796, "DfE/MoJ SEND appeal rate table (calendar years)", 10,
     "relative"),
    ("tribunal_appeals_registered_calendar", "2023", 15615, "DfE/MoJ SEND appeal rate table (calendar years)", 10,
     "relative"),
    ("mediation_cases_held", "2019", 4125, "DfE SEN2 release 2022 (sen2_mi.csv, NewEHCMediation)", 10, "relative"),
    ("mediation_cases_held", "2020", 4135, "DfE SEN2 release 2022 (sen2_mi.csv, NewEHCMediation)", 10, "relative"),
    ("mediation_cases_held", "2021", 5100, "DfE parliamentary answer (PQ 1562, 2022)", 10, "relative"),
    ("mediation_settled_without_tribunal_pct", "2021", 74.0, "DfE parliamentary answer (PQ 1562, 2022)", 5,
     "absolute"),
    ("mediation_followed_by_appeal_pct", "2019", 25.1, "DfE SEN2 release 2022 (sen2_mi.csv, NewEHCTribunal_pc)", 5,
     "absolute"),
    ("mediation_followed_by_appeal_pct", "2021", 25.5, "DfE SEN2 release 2022 (sen2_mi.csv, NewEHCTribunal_pc)", 5,
     "absolute"),
]


def national_targets(years: DataYears) -> list[dict]:
    """England's official figures in every activity year and January caseload, with source and tolerance."""
    out = []

    def add(metric, period, value, unit, source, tol, kind, note=""):
        out.append({"metric": metric, "period": str(period), "value": value, "unit": unit, "tolerance": tol,
                    "tolerance_kind": kind, "source": source, "note": note})

    for y in years.activity:
        r = national("requests.csv", str(y))
        n, refused = float(r["requests_received_in_year"]), float(r["requests_decided_not_to_assess"])
        add("initial_requests_for_assessment", y, int(n), "requests",
            f"DfE SEN2 requests.csv ({sen2_release()}), national",
            5, "relative", "input: the scenario's demand; checks the arrival process")
        add("requests_refused_pct", y, round(100 * refused / n, 1), "percent of initial requests",
            f"DfE SEN2 requests.csv ({int(refused):,} / {int(n):,})", 2, "absolute",
            "authority rates are inputs; checks the decision step and volume mix")
        a = national("assessments.csv", str(y))
        iss, notiss = float(a["assess_issued"]), float(a["assess_not_issued"])
        add("assessed_no_plan_pct", y, round(100 * notiss / (iss + notiss), 1), "percent of assessments",
            f"DfE SEN2 assessments.csv ({int(notiss):,} / {int(iss + notiss):,})", 2, "absolute",
            "authority rates are inputs")
        plans = 84400 if y == 2023 else int(iss)
        src = "DfE EES 2024 release (84,400; release 2025 revised to 85,924)" if y == 2023 else \
            f"DfE SEN2 assessments.csv assess_issued ({sen2_release()})"
        add("new_plans_issued", y, plans, "plans", src, 5, "relative")
        t = national("timeliness_20_week.csv", str(y))
        add("within_20_weeks_pct", y, float(t["PC_plans_issued_20_weeks_ex"]),
            "percent of new plans (excluding exceptions)",
            f"DfE SEN2 timeliness_20_week.csv ({int(float(t['plans_issued_20_weeks_ex'])):,} / "
            f"{int(float(t['plans_issued_den_ex'])):,})", 3, "absolute")
        if t["plans_issued_gt_1_year_ex"] not in ("x", ""):  # published from 2023 (person-level SEN2)
            add("plans_issued_over_1_year_pct", y, float(t["PC_plans_issued_gt_1_year_ex"]),
                "percent of new plans (excluding exceptions)",
                f"DfE SEN2 timeliness_20_week.csv ({int(float(t['plans_issued_gt_1_year_ex'])):,} / "
                f"{int(float(t['plans_issued_den_ex'])):,})", 2, "absolute",
                "the tail of lateness: durations.authority_lateness_days is sized from it by hand (not fitted, but "
                "not an independent check)")
    for y in years.caseload:
        c = national("caseload.csv", caseload_period(y))
        add("plans_in_force_january", y, int(float(c["ehcplans"])), "plans", "DfE SEN2 caseload.csv ehcplans", 5,
            "relative", "January 2019 is the initial stock (input)" if y == BASE_YEAR else "")
    for metric, period, value, source, tol, kind in TRIBUNAL_TARGETS:
        unit = "percent" if metric.endswith("_pct") else ("mediations" if "mediation" in metric else "appeals")
        add(metric, period, value, unit, source, tol, kind,
            "academic year Sept-Aug" if "/" in period else "calendar year")
    return out


GAP_PAIRS_LAST = 2020  # the last year of a pair: figures known at every rolling origin the backtest uses (2021-)


def gap_persistence() -> dict[str, Any]:
    """How much of an authority's gap to England's % within 20 weeks remains a year later: the least-squares slope
    (through 0) of the gap on the year before's, over every authority-year pair of the older management-information
    series (release2022_sen2_mi.csv, NoExc20weekRate, denominators of 20 or more) up to `GAP_PAIRS_LAST`."""
    la: dict[str, dict[int, float]] = {}
    nat: dict[int, float] = {}
    with open(DATA / "release2022_sen2_mi.csv", newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            v, den = num(r.get("NoExc20weekRate")), num(r.get("TotNoExcEHC"))
            y = int(r["time_period"][:4])
            if v is None:
                continue
            if r["geographic_level"] == "National":
                nat[y] = v
            elif r["geographic_level"] == "Local authority" and den is not None and den >= 20:
                la.setdefault(r["old_la_code"], {})[y] = v
    xy = [(by[t] - nat[t], by[t + 1] - nat[t + 1]) for by in la.values() for t in sorted(by)
          if t + 1 in by and t + 1 <= GAP_PAIRS_LAST and t in nat and t + 1 in nat]
    slope = sum(x * y for x, y in xy) / sum(x * x for x, _ in xy)
    first = min(t for by in la.values() for t in by)
    return {"value": round(slope, 3),
            "source": (f"DfE SEN2 release 2022 (release2022_sen2_mi.csv, NoExc20weekRate; denominators of 20 or more): "
                       f"least-squares slope through 0 of each authority's gap to England's % within 20 weeks on "
                       f"the year before's gap, {len(xy)} authority-year pairs {first}-{GAP_PAIRS_LAST} (figures "
                       "before every rolling origin); applied to the ratio of base casework to demand"),
            "range": [round(max(slope - 0.2, 0.0), 3), 1.0]}


def write_csv(path: Path, rows_: list[dict], header: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(header)
        w = csv.DictWriter(f, fieldnames=list(rows_[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows_)


def apply_national_calibration(doc: dict, calibration: dict, years: DataYears) -> None:
    """Put the values `sendsim calibrate` fitted into their places, with `calibrated:` provenance; a value by year
    that lacks an activity year (a release newer than the calibration) says so in its text."""
    for path, entry in calibration.get("national", {}).items():
        node: Any = doc
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        leaf = node.setdefault(keys[-1], {})
        leaf["value"] = entry["value"]
        if "by_year" in entry:
            leaf["by_year"] = {int(y): v for y, v in entry["by_year"].items()}
        before = leaf.get("source")
        leaf["source"] = entry["calibrated"] + (f" (starting value's source: {before})" if before else "")
        if "assumption" in entry:
            leaf["assumption"] = entry["assumption"]
        if "by_year" in entry:
            note = not_fitted_note(years, sorted(leaf["by_year"]), "the latest fitted year's value carries forward")
            if note:
                key = "assumption" if "assumption" in leaf else "source"
                leaf[key] = leaf[key] + note
        if "range" in entry:
            leaf["range"] = entry["range"]


def dump_scenario(path: Path, header: str, doc: dict) -> None:
    """Write a scenario: blocks in a readable order, one line per authority."""
    class Dumper(yaml.SafeDumper):
        pass

    def flow_dict(dumper, data):
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)

    las = doc["local_authorities"]["items"]
    text = [header.rstrip() + "\n"]
    top = {k: v for k, v in doc.items() if k != "local_authorities"}
    first = {k: top.pop(k) for k in ("name", "description", "rules", "start_date", "end_date", "seed",
                                     "replications", "warmup_days", "lead_in_days")}
    text.append(yaml.safe_dump(first, sort_keys=False, width=110, allow_unicode=True))
    text.append("\nlocal_authorities:\n  provenance:\n")
    prov = yaml.safe_dump(doc["local_authorities"]["provenance"], sort_keys=False, width=110)
    text.append("".join("    " + ln + "\n" for ln in prov.splitlines()))
    text.append("  items:\n")
    Dumper.add_representer(dict, flow_dict)
    for la in las:
        line = yaml.dump(la, Dumper=Dumper, sort_keys=False, width=100000, allow_unicode=True).strip()
        text.append(f"    - {line}\n")
    text.append("\n")
    text.append(yaml.safe_dump(top, sort_keys=False, width=110, allow_unicode=True))
    path.write_text("".join(text))



# ------------------------------------------------------------------------------------------------ from the latest year
# The forward scenarios start on 1 January of the latest January caseload in the data and run to the policy horizon.
# No data year is written here: a new DfE release moves the start, the last data year and the trends.
FORWARD_END_YEAR = 2035  # the default horizon: the White Paper's window (Sept 2029 / Sept 2030) plus five years
FORWARD_UNTIL_LIMIT = "2040-12-31"  # the latest `--until` the declared projections are stated for
# SEN2 counts the plans "active at January" (data-guidance-release2025.txt): taken as the plans in force at the end of
# January, so a plan issued during January is in the count (UNVERIFIED: the collection's reference day is not in
# ../shared; range: mid-January to 31 January). The stock on 1 January is the count less the new plans the model
# issues in that time.
CENSUS_OFFSET_YEARS = 1.0 / 12
CENSUS_OFFSET_RANGE_MONTHS = [0.5, 1.0]
AGE_OF_BAND = {"under_5": range(0, 5), "age_5_10": range(5, 11), "age_11_15": range(11, 16),
               "age_16_19": range(16, 20), "age_20_25": range(20, 26)}


def age_counts(period: str) -> dict[str, dict[str, int]]:
    """Plans in force by age band, per authority code and 'England', from caseload.csv's age breakdown."""
    out: dict[str, dict[str, int]] = {}
    with open(DATA / "caseload.csv", newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["time_period"] != period or r["breakdown_topic"] != "Child or young persons age":
                continue
            if r["geographic_level"] not in ("National", "Local authority"):
                continue
            b = r["breakdown"]
            age = 2 if b == "under 3" else int(b.split()[-1]) if b.split()[-1].isdigit() else None
            band = next((k for k, ages in AGE_OF_BAND.items() if age in ages), None) if age is not None else None
            n = num(r["ehcplans"])
            if band is None or n is None:
                continue
            key = "England" if r["geographic_level"] == "National" else r["old_la_code"]
            out.setdefault(key, {}).setdefault(band, 0)
            out[key][band] += int(n)
    return out


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


# the parent of authorities created after 2019, for the fitted delays (calibrated on the January 2019 units)
DELAY_PARENT = {"940": "928", "941": "928", "942": "909", "943": "909"}


def start_stock(counts: dict[str, int], new_plans_per_year: float) -> dict[str, int]:
    """The stock on 1 January from the January caseload by setting: the total less the new plans the model issues
    between 1 January and the count (`CENSUS_OFFSET_YEARS` of the authority's own flow), spread over the settings in
    proportion and rounded so that the settings add up to the rounded total (largest remainders).

    Why the model's own flow and not the authority's observed growth in plans: the model's stock on the count day is
    the start plus the plans it issues by then (its cessations in January are about 0.14% of plans, left out), so the
    start must take off what the model adds; an authority whose cessations the model does not reproduce (Plymouth:
    4.3% a year net growth against a month of new plans of 2.3% of its stock) was otherwise up to 2% too high."""
    total = sum(counts.values())
    if total <= 0:
        return dict(counts)
    target = max(0, round(total - new_plans_per_year * CENSUS_OFFSET_YEARS))
    keep = target / total
    raw = {k: v * keep for k, v in counts.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:target - sum(out.values())]:
        out[k] += 1
    return out


def forward_las(behaviour: dict, calibration: dict, start: int, years: list[int], timeliness: dict[int, dict],
                lapse: float = 0.0) -> tuple[list[dict], list[str]]:
    """Every authority reporting the latest January caseload, with its own history where it reported. `timeliness`:
    the timeliness tables by year (`Official.tim`); `lapse`: the share of assessments that end with no decision in
    the last data year (the model's new plans are the requests less refusals, lapses and no-plan decisions)."""
    last = years[-1]
    req = {y: by_la("requests.csv", str(y)) for y in years}
    ass = {y: by_la("assessments.csv", str(y)) for y in years}
    tim = timeliness[last]
    cas = by_la("caseload.csv", caseload_period(start))
    ages = age_counts(caseload_period(start))
    nat_r = national("requests.csv", str(last))
    nat_ref = float(nat_r["requests_decided_not_to_assess"]) / float(nat_r["requests_received_in_year"])
    nat_a = national("assessments.csv", str(last))
    nat_np = float(nat_a["assess_not_issued"]) / (float(nat_a["assess_not_issued"]) + float(nat_a["assess_issued"]))
    d = {k: v["value"] for k, v in behaviour["durations"].items()}
    delays = calibration.get("la_delay_days", {})
    notes: list[str] = []
    las = []
    for code in sorted(set(req[last]) - set(cas)):  # requests but no January caseload: nothing to start from
        notes.append(f"{req[last][code].get('la_name', code)} ({code}): {last} requests but no January {start} "
                     "caseload, authority left out")
    for code, r in sorted(cas.items(), key=lambda kv: kv[1]["la_name"]):
        name = r["la_name"]
        n_by, ref, nop = {}, {}, {}
        for y in years:
            q = req[y].get(code, {})
            n, refused = num(q.get("requests_received_in_year")), num(q.get("requests_decided_not_to_assess"))
            if n is not None:
                n_by[y] = n
                if n and refused is not None:
                    ref[y] = round(min(refused / n, 1.0), 4)
            a = ass[y].get(code, {})
            iss, notiss = num(a.get("assess_issued")), num(a.get("assess_not_issued"))
            if iss is not None and notiss is not None and iss + notiss > 0:
                noplan = notiss / (iss + notiss)
                nop[y] = round(noplan, 4)
        if last not in n_by:  # suppressed: the latest year it reported stands for it (its plans must be kept)
            if not n_by:
                notes.append(f"{name}: no request count in any year, authority left out")
                continue
            near = max(n_by)
            n_by[last] = n_by[near]
            notes.append(f"{name}: {last} requests suppressed, {near}'s count used")
        for label, series, nat in (("refusals", ref, nat_ref), ("assessed-no-plan", nop, nat_np)):
            if last not in series:
                near = max(series) if series else None
                series[last] = series[near] if near is not None else round(nat, 4)
                notes.append(f"{name}: {label} suppressed in {last}, " + ("latest earlier year used" if near else
                                                                           "national rate used"))
        ys = sorted(n_by)
        trend = None
        if len(ys) >= 4 and all(n_by[y] > 0 for y in ys):
            trend = round(100.0 * (math.exp(_slope(ys, [math.log(n_by[y]) for y in ys])) - 1.0), 2)
        else:
            notes.append(f"{name}: requests reported for {len(ys)} year(s), England's trend used")
        rt = round(_slope(sorted(ref), [100 * ref[y] for y in sorted(ref)]), 3) if len(ref) >= 3 else 0.0
        nt = round(_slope(sorted(nop), [100 * nop[y] for y in sorted(nop)]), 3) if len(nop) >= 3 else 0.0
        n_req = n_by[last]
        assessed = n_req * (1 - ref[last])
        plans = assessed * (1 - nop[last])
        within = num(tim.get(code, {}).get("PC_plans_issued_20_weeks_ex"))
        # the caseload is counted at the end of January, not on the 1st: the stock on 1 January is the caseload less
        # the new plans the model issues in January at the authority's own last-year rates
        counts, note = january_stock(r, code, start, name)  # a suppressed total: said, its others at a share
        notes += [note] if note else []
        st = start_stock(counts, plans * (1.0 - lapse))
        la: dict[str, Any] = {
            "name": name, "code": code, "region": r["region_name"],
            "requests_per_year": n_req, "requests_by_year": n_by,
            "refuse_to_assess_probability": ref[last], "no_plan_after_assessment_probability": nop[last],
            "refuse_to_assess_by_year": {y: ref[y] for y in sorted(ref)},
            "no_plan_after_assessment_by_year": {y: nop[y] for y in sorted(nop)},
            **st,
            "panel_servers": servers(n_req, d["panel_decision_days"], UTIL),
            "ep_servers": servers(assessed, d["ep_advice_days"], UTIL),
            "health_advice_servers": servers(assessed * SHARE_HEALTH, d["health_advice_days"], UTIL),
            "social_care_advice_servers": servers(assessed * SHARE_SOCIAL, d["social_care_advice_days"], UTIL),
            "plan_writer_servers": servers(plans, d["draft_writing_days"], UTIL),
            "capacity_by_year": {y: round(max(n_by[y], 1.0) / max(n_req, 1.0), 4) for y in ys},
        }
        if within is not None:
            la["observed_within_20_weeks_pct"] = within
        if code in ages:
            la["stock_age"] = {b: ages[code].get(b, 0) for b in AGE_OF_BAND}
        delay = delays.get(code) or delays.get(DELAY_PARENT.get(code, ""))
        if delay:
            la["delay_days_by_year"] = {int(y): float(v) for y, v in delay.items()}
            if code in DELAY_PARENT:
                notes.append(f"{name}: fitted delays of its January 2019 predecessor used")
        if trend is not None:
            la["requests_trend_pct_per_year"] = {"value": trend, "source": TREND_SOURCES["requests"]}
        la["refuse_trend_pts_per_year"] = {"value": rt, "source": TREND_SOURCES["refusals"]}
        la["no_plan_trend_pts_per_year"] = {"value": nt, "source": TREND_SOURCES["no_plan"]}
        las.append(la)
    return las, notes


def projection_block(start: int, last: int) -> dict[str, Any]:
    """The named projections (central, low, high): each parameter an assumption with its range."""
    def a(value: float, text: str, rng: list[float]) -> dict[str, Any]:
        return {"value": value, "assumption": text, "range": rng}

    pop = "England's population aged 0-25 a year (UNVERIFIED: not in ../shared; ONS projections show it broadly flat " \
          "to falling into the 2030s)"
    damp = f"Years over which each authority's own {last - 4}-{last} trend fades to population growth (linearly)"
    weight = "Share of the authority's own trend beyond population growth carried into the first projection year"
    staff = (f"LA assessment staffing grows at this share of the authority's requests growth ({last - 4}-{last}: in "
             "step, the build's staffing rule)")
    hear = ("Tribunal hearings grow at this share of England's requests growth (MoJ TSQ: hearings 3,800 in 2019/20 "
            "to 7,968 in 2022/23 while requests grew 82,329 to 138,242)")
    special = (f"Growth of special school places a year (DfE SEN2 caseload.csv: plans in special schools grew 6.2% "
               f"a year, January 2019-{start})")
    delay = ("The authority's extra delay before the decision to issue in projection years: this x the median of its "
             f"fitted delays {last - 4}-{last} (no load response yet: waits otherwise come from projected staffing "
             "queues)")
    rate = (f"Share of the authority's own {last - 4}-{last} slope of its refusal and no-plan rates carried into the "
            "first projection year (damped like requests): rates moved up and down year to year")
    disp = ("Share of the fitted growth of disputes per decision (redress.dispute_growth_pct_per_year, fitted to the "
            f"appeal rate {last - 4}-{last}) carried forward, damped like requests")
    variants = {
        "central": {"description": "each authority's own trend damped to population growth over 5 years; capacity "
                                   "in step with demand",
                    "population_growth_pct_per_year": a(0.0, pop, [-1.0, 0.5]),
                    "damping_years": a(5, damp, [3, 10]), "trend_weight": a(1.0, weight, [0.5, 1.0]),
                    "rate_trend_weight": a(0.5, rate, [0.0, 1.0]),
                    "staffing_vs_requests": a(1.0, staff, [0.5, 1.2]),
                    "hearings_vs_requests": a(1.0, hear, [0.5, 1.5]),
                    "special_places_growth_pct_per_year": a(3.0, special, [0.0, 6.2]),
                    "delay_vs_fitted_median": a(1.0, delay, [0.5, 2.0]),
                    "dispute_trend_weight": a(0.5, disp, [0.0, 1.0])},
        "low": {"description": "half of each authority's trend, damped over 3 years, population falling; disputes "
                               "stop growing",
                "population_growth_pct_per_year": a(-0.5, pop, [-1.0, 0.5]),
                "damping_years": a(3, damp, [3, 10]), "trend_weight": a(0.5, weight, [0.5, 1.0]),
                "rate_trend_weight": a(0.0, rate, [0.0, 1.0]),
                "staffing_vs_requests": a(1.0, staff, [0.5, 1.2]),
                "hearings_vs_requests": a(1.0, hear, [0.5, 1.5]),
                "special_places_growth_pct_per_year": a(1.0, special, [0.0, 6.2]),
                "delay_vs_fitted_median": a(1.0, delay, [0.5, 2.0]),
                "dispute_trend_weight": a(0.0, disp, [0.0, 1.0])},
        "high": {"description": "each authority's whole trend damped over 10 years; staffing and the tribunal lag "
                                "demand; disputes keep their trend",
                 "population_growth_pct_per_year": a(0.5, pop, [-1.0, 0.5]),
                 "damping_years": a(10, damp, [3, 10]), "trend_weight": a(1.0, weight, [0.5, 1.0]),
                 "rate_trend_weight": a(1.0, rate, [0.0, 1.0]),
                 "staffing_vs_requests": a(0.8, staff, [0.5, 1.2]),
                 "hearings_vs_requests": a(0.8, hear, [0.5, 1.5]),
                 "special_places_growth_pct_per_year": a(6.2, special, [0.0, 6.2]),
                 "delay_vs_fitted_median": a(1.5, delay, [0.5, 2.0]),
                 "dispute_trend_weight": a(1.0, disp, [0.0, 1.0])},
    }
    return {
        "use": "central", "last_data_year": last, "until_limit": FORWARD_UNTIL_LIMIT, "variants": variants,
        "ranges": {
            "requests_vs_last_data_year": {"assumption": f"An authority's requests between half and three times its "
                                           f"{last} figure (England grew 1.68x {last - 4}-{last})", "range": [0.5, 3.0]},
            "staffing_vs_last_data_year": {"assumption": f"Staffing between half and three times its {last} level",
                                           "range": [0.5, 3.0]},
            "hearings_vs_last_data_year": {"assumption": f"Tribunal hearings between half and three times {last}'s",
                                           "range": [0.5, 3.0]},
            "refusal_pts_from_last_data_year": {"assumption": f"Refusal rate within 15 points of the authority's {last}"
                                                " rate", "range": [-15.0, 15.0]},
            "no_plan_pts_from_last_data_year": {"assumption": f"No-plan rate within 10 points of the authority's {last}"
                                                " rate", "range": [-10.0, 10.0]},
        },
        "held": {"assessment_lapsed": f"the yearly lapse of assessments fitted to {last} (population."
                                      "assessment_lapsed_probability) is held: no trend was fitted"},
    }


TREND_SOURCES = {
    "requests": "DfE SEN2 requests.csv: the authority's log-linear trend over the years it reported (at least 4; "
                "else England's), % a year; the projection's starting point",
    "refusals": "DfE SEN2 requests.csv: least-squares slope of the refusal rate over the years reported, points a year",
    "no_plan": "DfE SEN2 assessments.csv: least-squares slope of the no-plan rate over the years reported, points a year",
}
def forward_provenance() -> dict[str, dict[str, Any]]:
    """The sources and assumptions of the forward scenarios' per-authority fields (no year: the data's own)."""
    return {
        "requests_per_year": {"source": f"DfE SEN2 requests.csv ({sen2_release()}), requests_received_in_year, the "
                                        "last year with figures (staffing is built on it; the lead-in runs at it)"},
        "requests_by_year": {"source": f"DfE SEN2 requests.csv ({sen2_release()}), requests_received_in_year, every "
                                       "year the authority reported (person-level from 2022: DfE cautions on "
                                       "comparisons); later years: the scenario's projection"},
        "refuse_to_assess_probability": {"source": "DfE SEN2 requests.csv, requests_decided_not_to_assess / "
                                                   "requests_received_in_year, the last year with figures"},
        "refuse_to_assess_by_year": {"source": "DfE SEN2 requests.csv, the same ratio each year reported; later "
                                               "years: the projection"},
        "no_plan_after_assessment_probability": {"source": "DfE SEN2 assessments.csv, assess_not_issued / "
                                                           "(assess_issued + assess_not_issued), the last year with "
                                                           "figures"},
        "no_plan_after_assessment_by_year": {"source": "DfE SEN2 assessments.csv, the same ratio each year reported; "
                                                       "later years: the projection"},
        "stock": {"source": "DfE SEN2 caseload.csv, plans in force in the latest January by placement (the "
                            "authority's own figures): mainstream (less resourced provision and SEN units), resourced "
                            "provision + SEN units, LA and academy special, independent + non-maintained special, FE, "
                            "AP/PRU, other",
                  "assumption": "SEN2 counts the plans 'active at January' (data guidance 2025), not on the 1st: taken "
                                "as those in force at the end of January, so the stock on 1 January is the count less "
                                "a month of the new plans the model issues for the authority (its last year's requests "
                                "x (1 - refusal) x (1 - lapse) x (1 - no plan) / 12; about 1.2% nationally), spread "
                                "over the settings in proportion. UNVERIFIED: the collection's reference day is not in "
                                "../shared. Range: mid-January to 31 January (months)",
                  "range": CENSUS_OFFSET_RANGE_MONTHS},
        "stock_age": {"source": "DfE SEN2 caseload.csv, 'Child or young persons age' breakdown, the latest January, "
                                "the authority's own counts in the model's age bands"},
        "capacity_by_year": {"source": "Staffing kept in step with demand: the year's requests / the last data "
                                       "year's (SEN2 requests.csv); later years: the projection"},
        "observed_within_20_weeks_pct": {"source": "DfE SEN2 timeliness_20_week.csv, PC_plans_issued_20_weeks_ex, the "
                                                   "last year with figures (for comparison)"},
    }


def backlog_waits(doc: dict, years: list[int], timeliness: dict[int, dict]) -> None:
    """A projection's waits respond to load (`waits: backlog`, issue 21): each authority's decide-and-issue team
    fitted to its own % within 20 weeks in every data year (`timeliness`: the tables by year, `Official.tim`), its
    work in hand settled at the last data year's demand and wait (the lead-in runs at that year's rates), and its
    capacity beyond the data projected by the projection's stated casework growth, never from a fitted delay carried
    forward (so the fitted delays are not written)."""
    last = years[-1]
    within: dict[str, dict[int, float]] = {}
    for y in years:
        for code, r in timeliness[y].items():
            n, d = num(r.get("plans_issued_20_weeks_ex")), num(r.get("plans_issued_den_ex"))
            if n is not None and d:
                within.setdefault(code, {})[y] = 100.0 * n / d
    items = doc["local_authorities"]["items"]
    route_la = SMALL_LA_CODE if any(it["code"] == SMALL_LA_CODE for it in items) else None
    fit_backlog_document(doc, within, last, route_la, lead_in_year=last)
    for it in items:
        it.pop("delay_days_by_year", None)
    doc["local_authorities"]["provenance"].pop("delay_days_by_year", None)
    doc["waits"] = "backlog"
    doc["capacity_gap_persistence_per_year"] = gap_persistence()
    doc["plan_transfers"] = PLAN_TRANSFERS
    growth = doc["capacity_projection_pct_per_year"]
    for name, v in doc["projection"]["variants"].items():
        share = CASEWORK_VS_FITTED[name]
        v["casework_growth_pct_per_year"] = {
            "value": round(growth["value"] * share, 2), "range": list(growth["range"]),
            "assumption": (f"Growth of each authority's decide-and-issue casework in the first projection year, "
                           f"damped like requests to population growth: {share:g} x the authorities' summed fitted "
                           f"base casework growth {years[0]}-{last} ({growth['value']}% a year; range: the "
                           "inter-quartile range of the authorities' own growth). Staff, not requests: it never "
                           "follows the projected requests")}


CASEWORK_VS_FITTED = {"central": 1.0, "low": 1.0, "high": 0.8}  # the high projection's staff lag, as its staffing


def build_forward(behaviour: dict, calibration: dict, england: dict, timeliness: dict[int, dict],
                  data: DataYears) -> None:
    """england_from_<latest January>.yaml (every authority) and small_la_from_<...>.yaml (the median authority);
    `timeliness`: the timeliness tables by year (`Official.tim`)."""
    start = data.caseload[-1]
    years = list(data.activity)
    last = years[-1]
    lapsed = england["population"].get("assessment_lapsed_probability", {})
    lapse = float(latest({int(y): v for y, v in (lapsed.get("by_year") or {}).items()}, last,
                         lapsed.get("value", 0.0)))  # a year not fitted yet: the latest fitted one, as the model
    las, notes = forward_las(behaviour, calibration, start, years, timeliness, lapse)
    servers_ = ("panel_servers", "ep_servers", "health_advice_servers", "social_care_advice_servers",
                "plan_writer_servers")
    provenance = {k: v for k, v in england_provenance(data).items() if k in servers_}
    provenance = {k: {**v, "assumption": v["assumption"].replace("2019", str(last))} for k, v in provenance.items()}
    provenance.update(forward_provenance())
    if any("delay_days_by_year" in la for la in las):
        provenance["delay_days_by_year"] = {
            "assumption": "The authority's own median delay (days) between the last advice and the decision to "
                          f"issue, fitted by `sendsim calibrate` to its % within 20 weeks {years[0]}-{last} (an "
                          "authority created since: its predecessor's); projection years: the projection's rule",
            "range": [0.0, 1500.0]}
    nat = national("caseload.csv", caseload_period(start))
    nat_age = age_counts(caseload_period(start))["England"]
    total_age = sum(nat_age.values())
    population = copy.deepcopy(england["population"])
    population["age_of_plans_in_force"] = {
        "values": {b: round(nat_age[b] / total_age, 4) for b in AGE_OF_BAND},
        "source": f"DfE SEN2 caseload.csv, 'Child or young persons age', England, January {start} "
                  f"({', '.join(f'{nat_age[b]:,}' for b in AGE_OF_BAND)} of {total_age:,}); authorities use their own"}
    vals = population["age_of_plans_in_force"]["values"]
    vals["age_11_15"] = round(vals["age_11_15"] + 1.0 - sum(vals.values()), 4)  # rounding into the largest band
    redress = copy.deepcopy(england["redress"])
    dg = redress.get("dispute_growth_pct_per_year", {}).get("value", 0.0)
    base = int(england["start_date"][:4])
    lift = (1.0 + dg / 100.0) ** (last - base)
    for node in redress["dispute_probability"].values():
        node["value"] = round(min(1.0, node["value"] * lift), 5)
        if node.get("range"):
            node["range"] = [round(min(1.0, x * lift), 5) for x in node["range"]]
            node["range"][0] = min(node["range"][0], node["value"])
            node["range"][1] = max(node["range"][1], node["value"])
        note = f"the {base} value x (1 + dispute_growth_pct_per_year)^{last - base} = x{lift:.3f}: {last}'s level"
        if "assumption" in node:
            node["assumption"] = f"{note}. {node['assumption']}"
        else:
            node["source"] = f"{note}. {node['source']}"
    stock_ratio = float(nat["ehcplans"]) / float(national("caseload.csv", caseload_period(base))["ehcplans"])
    node = redress["disputes_in_progress_at_start"]
    node.update({"value": round(node["value"] * stock_ratio), "range": [round(x * stock_ratio) for x in node["range"]],
                 "assumption": f"England's assumed {node['value']:,} on 1 January {base} x the growth of plans in force "
                               f"to January {start} ({stock_ratio:.3f}, SEN2 caseload.csv). {node['assumption']}"})
    registered, wait = 13658, 0.5
    tribunal = {
        "hearings_per_year": {"value": 7968, "source": "MoJ Tribunal Statistics Quarterly 2022/23: 7,968 appeals "
                                                       "decided at a hearing (the latest year with figures)"},
        "hearings_per_year_by_year": {2022: 7968},  # hearings_per_year is the level of the first year given
        "hearings_growth_pct_per_year": england["tribunal"]["hearings_growth_pct_per_year"],
        "earliest_hearing_days": england["tribunal"]["earliest_hearing_days"],
        "backlog_at_start": {"value": round(registered * wait),
                             "assumption": f"Appeals waiting for a hearing on 1 January {start} beyond those the "
                                           f"lead-in makes: MoJ TSQ 2022/23 registrations ({registered:,}, Schools "
                                           "Week Dec 2023) x half a year (hearings 'nearly a year' after registration, "
                                           "Schools Week 2023; the record open caseload was 3,300 in 2020/21). "
                                           "UNVERIFIED: MoJ's open caseload for December 2023 is not in ../shared",
                             "range": [3300, registered]},
    }
    description = (f"England from 1 January {start}: {len(las)} local authorities with their own January {start} "
                   f"caseload by setting and age, requests and rates to {last}, then the declared projection "
                   f"(projection:) to {FORWARD_END_YEAR} (--until up to {FORWARD_UNTIL_LIMIT}). Built by "
                   "scripts/build_scenarios.py from DfE SEN2 files. Notes: " + ("; ".join(notes) or "none") + ".")
    doc = {
        **{k: england[k] for k in ("rules", "seed", "replications", "warmup_days")},
        "name": f"england_from_{start}", "description": description,
        "start_date": f"{start}-01-01", "end_date": f"{FORWARD_END_YEAR}-12-31", "seed": int(f"{start}0101"),
        "replications": 2, "lead_in_days": 273.0,
        "local_authorities": {"provenance": provenance, "items": las},
        "demand": england["demand"], "population": population, "durations": england["durations"],
        "naming": england["naming"], "redress": redress, "tribunal": tribunal, "reviews": england["reviews"],
        "projection": projection_block(start, last),
    }
    backlog_waits(doc, years, timeliness)
    header = ("# GENERATED by scripts/build_scenarios.py from data/sen2 (DfE SEN2, OGL v3.0), the latest January\n"
              "# caseload and activity years found there, scenarios/national_behaviour.yaml and\n"
              "# scenarios/calibration/england.yaml. Edit those and rebuild; do not edit this file by hand.\n")
    dump_scenario(OUT / f"england_from_{start}.yaml", header, doc)
    # the authority of median size by plans in force in the latest January (ties: the lower code)
    plans = {x["code"]: sum(v for k, v in x.items() if k.startswith("stock_") and k != "stock_age") for x in las}
    ranked = sorted(las, key=lambda x: (plans[x["code"]], x["code"]))
    la = ranked[(len(ranked) - 1) // 2]
    share = la["requests_per_year"] / sum(x["requests_per_year"] for x in las)
    small_tribunal = {
        "hearings_per_year": {"value": round(7968 * share, 2),
                              "source": f"MoJ TSQ 2022/23 7,968 hearings x this authority's share of {last} "
                                        f"requests ({share:.4%})"},
        "hearings_per_year_by_year": {2022: round(7968 * share, 2)},
        "hearings_growth_pct_per_year": tribunal["hearings_growth_pct_per_year"],
        "earliest_hearing_days": tribunal["earliest_hearing_days"],
        "backlog_at_start": {"value": round(registered * wait * share),
                             "assumption": f"England's assumed backlog ({round(registered * wait):,}) x the "
                                           f"authority's request share. {tribunal['backlog_at_start']['assumption']}",
                             "range": [round(3300 * share), round(registered * share)]},
    }
    small_redress = copy.deepcopy(redress)
    node = small_redress["disputes_in_progress_at_start"]
    node.update({"value": round(node["value"] * share), "range": [round(v * share) for v in node["range"]],
                 "assumption": f"England's {node['value']:,} x the authority's request share ({share:.4%})"})
    small = {**doc, "name": f"small_la_from_{start}", "seed": 42, "replications": 5,
             "description": (f"One local authority of median size by plans in force in January {start} "
                             f"({la['name']}), its own figures to {last}, its share of the national tribunal, the "
                             f"declared projection to {FORWARD_END_YEAR}: for examples and tests."),
             "local_authorities": {"provenance": provenance, "items": [la]},
             "redress": small_redress, "tribunal": small_tribunal}
    dump_scenario(OUT / f"small_la_from_{start}.yaml", header, small)
    print(f"wrote england_from_{start}.yaml ({len(las)} authorities) and small_la_from_{start}.yaml ({la['name']})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Build the shipped scenarios and targets from DfE's SEN2 files.")
    ap.add_argument("--data", type=Path, default=DATA, help="folder of the SEN2 files (default: data/sen2)")
    ap.add_argument("--out", type=Path, default=OUT, help="folder to write the scenarios and targets/ into "
                                                           "(default: scenarios)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build every scenario and target file from the SEN2 files in --data into --out; files whose years disagree
    are refused in one line (exit 2) before anything is written."""
    global DATA, OUT
    args = parse_args(argv)
    DATA, OUT = args.data, args.out
    _RELEASE.clear()
    try:
        data = data_years()
        sen2_release()
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    # every file is written into a staging folder beside --out and moved into it only when the whole build has
    # succeeded: a build that fails part way (a value a scenario refuses) leaves --out as it was
    final = OUT
    if early_signals.is_early(signal.getsignal(signal.SIGINT)):  # from here Ctrl-C removes the staging folder
        signal.signal(signal.SIGINT, signal.default_int_handler)
    made = not final.exists()  # a folder this build makes is removed again if nothing reaches it
    final.mkdir(parents=True, exist_ok=True)
    OUT = Path(tempfile.mkdtemp(prefix=".build-", dir=final))

    def stop(signum: int, _frame: object) -> None:  # SIGTERM, SIGHUP: as Ctrl-C, so the staging folder is removed
        raise KeyboardInterrupt(signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, stop)
    try:
        _build(data)
    except KeyboardInterrupt as e:
        signum = e.args[0] if e.args and isinstance(e.args[0], int) else signal.SIGINT
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        print(f"interrupted ({name}): nothing was written; run the same command again", file=sys.stderr)
        raise SystemExit(128 + signum) from None
    except (DataError, InputError) as e:
        print(f"error: {(e.lines[0] if isinstance(e, InputError) else e)} (a figure of the SEN2 files in {DATA} the "
              "scenario cannot take; nothing was written)", file=sys.stderr)
        raise SystemExit(2) from None
    else:
        for f in sorted(p for p in OUT.rglob("*") if p.is_file()):
            target = final / f.relative_to(OUT)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, target)
        print(_wrote.replace(str(OUT), str(final)))
    finally:
        shutil.rmtree(OUT, ignore_errors=True)
        OUT = final
        if made and not any(final.iterdir()):
            final.rmdir()


_wrote = ""


def _build(data: DataYears) -> None:
    """The build proper, into `OUT` (main's staging folder)."""
    global _wrote
    behaviour = yaml.safe_load((SCENARIOS / "national_behaviour.yaml").read_text())
    calibration = yaml.safe_load(CALIBRATION.read_text()) if CALIBRATION.is_file() else {}
    behaviour["demand"]["capacity_growth_pct_per_year"] = capacity_growth(data)
    off = Official(data)
    las, fallbacks, la_tg, series = build_las(behaviour, calibration, off)
    n_la = len(las)
    nat_backlog = 1600
    tribunal_national = {
        "hearings_per_year": {"value": 3800, "source": "MoJ Tribunal Statistics Quarterly 2019/20: 3,800 appeals "
                                                       "decided at a hearing (56% of 6,700 outcomes)"},
        "hearings_per_year_by_year": {2019: 3800, 2022: 7968},
        "hearings_growth_pct_per_year": {"value": 28.0, "source": "MoJ TSQ: hearings 3,800 (2019/20) to 7,968 "
                                                                  "(2022/23), compound growth 28% a year; used "
                                                                  "between and after the years given"},
        "earliest_hearing_days": {"value": 84, "source": "IPSEA: hearing formerly about 12 weeks from registration "
                                                         "(tribunal's listing target)"},
        "backlog_at_start": {"value": nat_backlog,
                             "assumption": "Appeals waiting for a hearing on 1 January 2019 beyond those the lead-in "
                                           "makes: MoJ TSQ open caseload was 3,300 in Q2 2020/21 (a record), of which "
                                           "about 1,700 were within 12 weeks of registration (7,385 appeals a year)",
                             "range": [500, 3300]},
    }
    provenance = england_provenance(data)
    fitted = fitted_years(calibration.get("la_late_share") or calibration.get("la_delay_days") or {})
    if any("delay_days_by_year" in la for la in las):
        provenance.update(delay_provenance(data, fitted))
    if any("late_share_by_year" in la for la in las):
        provenance.update(late_provenance(data, fitted))
    cal_note = ""
    if calibration:
        cal_note = f" Calibrated: {calibration.get('calibrated', 'see scenarios/calibration/england.yaml')}."
    todo = not_fitted(data, fitted)
    if todo:
        cal_note += (f" Not calibrated yet for {', '.join(map(str, todo))} (the calibration stops at {max(fitted)}): "
                     "run `sendsim calibrate` and build again (README, 'When DfE publishes a new year').")
    england = {
        "name": "england",
        "description": (f"England at national scale, January 2019 to December {data.end}: {n_la} local authorities "
                        "(the January 2019 units; reorganised authorities summed into them), their own request volumes "
                        f"and refusal and no-plan rates {data.span}, then the national trend, plans in force in "
                        "January 2019, "
                        "one national tribunal. Built by scripts/build_scenarios.py from DfE SEN2 files in data/sen2."
                        f"{cal_note} Fallbacks: {'; '.join(fallbacks) or 'none'}."),
        "rules": "current_2014",
        "start_date": "2019-01-01", "end_date": f"{data.end}-12-31", "seed": 20190101, "replications": 2,
        "warmup_days": 0.0,
        "lead_in_days": LEAD_IN_DAYS,
        "local_authorities": {"provenance": provenance, "items": las},
        **{k: behaviour[k] for k in ("demand", "population", "durations", "naming", "redress")},
        "tribunal": tribunal_national,
        "reviews": behaviour["reviews"],
    }
    apply_national_calibration(england, calibration, data)
    fit_backlog_document(england, {code: s["within"] for code, s in series.items()}, data.last, SMALL_LA_CODE)
    england["waits"] = WAITS
    england["capacity_gap_persistence_per_year"] = gap_persistence()
    england["plan_transfers"] = PLAN_TRANSFERS
    england["staffing"] = STAFFING
    header = ("# GENERATED by scripts/build_scenarios.py from data/sen2 (DfE SEN2, OGL v3.0),\n"
              "# scenarios/national_behaviour.yaml and scenarios/calibration/england.yaml (sendsim calibrate).\n"
              "# Edit those and rebuild; do not edit this file by hand.\n")
    dump_scenario(OUT / "england.yaml", header, england)
    build_forward(behaviour, calibration, england, off.tim, data)

    tg_header = ("# GENERATED by scripts/build_scenarios.py: England's official figures for `sendsim backtest`.\n"
                 "# Metric names as ../shared/domain/calibration_targets.csv; tolerance_kind: absolute (points) or "
                 "relative (% of the value).\n")
    write_csv(OUT / "targets" / "england.csv", national_targets(data), tg_header)
    write_csv(OUT / "targets" / "england_by_la.csv", la_tg,
              "# GENERATED by scripts/build_scenarios.py: each authority's own SEN2 figures (successors summed),\n"
              "# for `sendsim backtest --by-la`. Percentages only where the denominator is at least 20.\n")
    write_csv(OUT / "targets" / "england_successors_by_la.csv", successor_targets(off),
              "# GENERATED by scripts/build_scenarios.py: the January caseloads of the councils formed after January "
              "2019,\n# each under its own code (england_by_la.csv sums them into their predecessor), for sendsim "
              "serve's check of the start.\n")

    # one median-sized authority, for examples and fast tests, two years. Fixed to Wandsworth (the median of 2019
    # requests when first built, 419 against a median of 421 now) so that examples and tests keep their numbers.
    la = dict(next(x for x in las if x["code"] == SMALL_LA_CODE))
    share = la["requests_per_year"] / sum(x["requests_per_year"] for x in las)
    small_tribunal = {
        "hearings_per_year": {"value": round(3800 * share, 2),
                              "source": f"MoJ TSQ 2019/20 3,800 hearings x this authority's share of 2019 "
                                        f"requests ({share:.4%}): the authority's share of the national tribunal"},
        "hearings_per_year_by_year": {2019: round(3800 * share, 2), 2022: round(7968 * share, 2)},
        "hearings_growth_pct_per_year": tribunal_national["hearings_growth_pct_per_year"],
        "earliest_hearing_days": tribunal_national["earliest_hearing_days"],
        "backlog_at_start": {"value": round(nat_backlog * share),
                             "assumption": "England's assumed backlog (1,600) x the authority's request share",
                             "range": [round(500 * share), round(3300 * share)]},
    }
    small_redress = copy.deepcopy(england["redress"])
    node = small_redress["disputes_in_progress_at_start"]
    node.update({"value": round(node["value"] * share), "range": [round(v * share) for v in node["range"]],
                 "assumption": f"England's assumed {node['value']:,} x the authority's request share ({share:.4%})"})
    small = {
        **england,
        "redress": small_redress,
        "name": "small_la",
        "description": (f"One local authority of median size ({la['name']}, {int(la['requests_per_year'])} "
                        "requests in 2019) with its own official figures, two calendar years, and its share of "
                        "the national tribunal. Runs in seconds: for examples and tests."),
        "start_date": "2019-01-01", "end_date": "2020-12-31", "seed": 42, "replications": 5,
        "local_authorities": {"provenance": provenance, "items": [la]},
        "tribunal": small_tribunal,
    }
    dump_scenario(OUT / "small_la.yaml", header, small)
    tol = {t["metric"]: (t["tolerance"], t["tolerance_kind"]) for t in national_targets(data)}
    small_tg = [{"metric": t["metric"], "period": t["period"], "value": t["value"], "unit": "",
                 "tolerance": tol[t["metric"]][0], "tolerance_kind": tol[t["metric"]][1],
                 "source": f"{t['source']} ({la['name']})", "note": "the authority's own figure"}
                for t in la_tg if t["la_code"] == SMALL_LA_CODE and int(t["period"]) <= 2020]
    write_csv(OUT / "targets" / "small_la.csv", small_tg,
              f"# GENERATED by scripts/build_scenarios.py: {la['name']}'s own SEN2 figures 2019-2020, national "
              "tolerances.\n")
    _wrote = (f"wrote {OUT / 'england.yaml'} ({n_la} authorities), {OUT / 'small_la.yaml'} ({la['name']}), "
              f"{OUT / 'targets' / 'england.csv'} and england_by_la.csv ({len(la_tg)} authority figures)")


if __name__ == "__main__":
    main()
