"""The forum volunteer's page: a small WSGI app (standard library only) that runs one council's comparison.

Why this module is long: the job (build the council, a first summary, the rest of the runs, the charts one by one)
and the WSGI routes that serve it share the job's state and its path-hiding; the request parsing is in `server.py`
and the form's checks in `page.py`.

Why a WSGI app on the standard library: a volunteer installs sendsim and types `sendsim serve`; no framework, no
extra to install, nothing fetched from the internet by the page. The page posts the figures; a bad figure comes
back as a message beside its field; a good request becomes a job run in a background thread (one at a time: the
machine is a laptop) whose progress the page polls; the result is the plain summary, the charts and the report
to download, all made by the report layer from the job's comparison folder.

A council from the list starts, by default, from its latest January caseload: the authority cut out of the forward
England scenario (`analysis.fit.forward_council`, as the build script cuts out small_la_from_<year>), run to the
end of the third year after the chosen change's last in-force date (`horizon`: the White Paper, in force from
September 2029 and 2030, runs to 2033), so that what a reform changes is seen where it applies; the volunteer may
choose another end year, up to the projection's limit, or the years with official figures (2019 to the latest),
where the council is the one council builder's (`analysis.fit.la_scenario.build_council`, as `sendsim la-scenario
--la NAME`, byte for byte) and the model is set beside the council's latest year with figures. For figures a
volunteer types the builder fits the council's delay to its own % within 20 weeks (about 2 s; the joint rounds
`la-scenario --name` adds are skipped), run over that year and the next. 5 replications by default. Each change's
in-force date is said beside it in the form, and the result has the paired differences year by year.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml

from ..analysis.fit.backtest import METRICS
from ..analysis.fit.forward_council import build_forward_council
from ..analysis.fit.la_scenario import FORUM_MAX_PLANS, FORUM_MAX_REQUESTS, Figures, build_council
from ..analysis.runs.compare import compare
from ..analysis.runs.folder import claim_folder, write_marker
from ..analysis.runs.results import load_results
from ..report.charts import run_charts
from ..report.html import report_html, summary_html
from ..report.names import plain
from ..report.style import save
from ..rules.resolve import rules_dirs
from ..rules.scenario import load_scenario, switch_dates
from ..schema.files import InputError
from ..schema.shipped import locate, shipped_names
from ..schema.text import shown_char, thousands_point
from .page import page

BASELINE = "current_2014"
FORWARD_PREFIX = "england_from_"  # the scenarios a listed council is cut out of: england_from_<January year>


def latest_forward(names: list[str]) -> str:
    """The forward scenario of the latest January caseload among the shipped `names`: `england_from_2025` once DfE's
    next release is built beside `england_from_2024` (README, "When DfE publishes a new year": a new file), so the
    page starts every council from the latest caseload without an edit here."""
    years = [n.removeprefix(FORWARD_PREFIX) for n in names if n.startswith(FORWARD_PREFIX)]
    years = [y for y in years if y.isdigit() and f"small_la_from_{y}" in names]
    if not years:
        raise InputError([f"no {FORWARD_PREFIX}<year> scenario with its small_la_from_<year> is shipped (run "
                          "scripts/build_scenarios.py)"])
    return FORWARD_PREFIX + max(years, key=int)


FORWARD = latest_forward(shipped_names("scenarios"))  # england_from_2024 with the files shipped
HISTORY = "history"  # the horizon value for the years with official figures (the model beside them)
AFTER_IN_FORCE_YEARS = 3  # the default horizon: the chosen change's window plus this many years
BY_YEAR_METRICS = {"new_plans": "New plans issued in the year",  # the page's year-by-year differences
                   "plans_in_force_january": "Plans in force in January"}
FIGURES = (  # (form field, label, lowest, highest, integer?): `sendsim la-scenario --name`'s four figures
    ("requests_per_year", "Requests for an EHC needs assessment per year", 1.0, FORUM_MAX_REQUESTS, True),  # a count
    ("refused_pct", "% of requests refused", 0.0, 100.0, False),
    ("within_20_weeks_pct", "% of new plans issued within 20 weeks", 0.0, 100.0, False),
    ("plans_in_force", "EHC plans in force (January)", 0.0, FORUM_MAX_PLANS, True),
)
MAX_REPLICATIONS = 30
FIRST = 2  # replications of the first, partial summary (the rest extend the same runs: the final figures are those
# of one run of all the replications, byte for byte, since a replication's draws depend only on its number)
# the latest year's figures the page sets beside the model; not % refused: DfE counts refusals by the year of the
# request, and the run ends with that year, so requests decided the next January would be missing from it
BASELINE_METRICS = ("initial_requests_for_assessment", "new_plans_issued", "within_20_weeks_pct")
EXAMPLES = {"requests_per_year": "1200", "refused_pct": "25", "within_20_weeks_pct": "50", "plans_in_force": "4000"}
Start = Callable[[str, list[tuple[str, str]]], Any]
MAX_BODY = 100_000  # bytes of a form: the longest real one (every switch ticked) is under 2 KB
BODY_SECONDS = 30.0  # the whole body must arrive within this (each read also has the socket's timeout)


def reforms() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """([(rule set, label)] other than the baseline, [(switch, its reform, label)]) from the rule-set files."""
    sets, switches, seen = [], [], set()
    for d in rules_dirs():
        for f in sorted(d.glob("*.yaml")):
            if f.stem in seen:
                continue
            seen.add(f.stem)
            data = yaml.safe_load(f.read_text())
            if f.stem != BASELINE:
                sets.append((f.stem, str(data.get("label", f.stem))))
            for name, sw in (data.get("switches") or {}).items():
                switches.append((name, f.stem, str(sw.get("label", name))))
    return sets, switches


def switch_needs() -> dict[str, str]:
    """{switch: the switch it needs first} as the rule-set files state it (`needs:`): a change ticked without the one
    it needs was accepted, and its run failed at once with the command line's words."""
    out: dict[str, str] = {}
    for d in rules_dirs():
        for f in sorted(d.glob("*.yaml")):
            for name, sw in (yaml.safe_load(f.read_text()).get("switches") or {}).items():
                if sw.get("needs"):
                    out.setdefault(name, str(sw["needs"]))
    return out


def in_force_dates() -> dict[str, str]:
    """Each switch's in-force date as its rule-set file states it (ISO, or 'start' for a proposal modelled from the
    first day): what the form says beside each change."""
    out: dict[str, str] = {}
    for d in rules_dirs():
        for f in sorted(d.glob("*.yaml")):
            for name, sw in (yaml.safe_load(f.read_text()).get("switches") or {}).items():
                out.setdefault(name, str(sw.get("in_force", "start")))
    return out


def horizon(path: Path, rules: str) -> dt.date:
    """The default end of a run from the latest caseload: 31 December of the third year after the chosen change's
    last in-force date within reach (its window plus three years), no later than the projection's limit; two
    calendar years when every change applies from the first day."""
    loaded = load_scenario(path, rules)
    sc = loaded.scenario
    limit = max(sc.end_date, sc.projection.until_limit) if sc.projection is not None else sc.end_date
    dates = [d for d in switch_dates(loaded).values() if sc.start_date < d <= limit]
    if not dates:
        return min(dt.date(sc.start_date.year + 1, 12, 31), limit)
    return min(dt.date(max(dates).year + AFTER_IN_FORCE_YEARS, 12, 31), limit)


def by_year_rows(comparison: dict[str, Any], rules_b: str) -> list[dict[str, Any]]:
    """The paired differences year by year the page shows (new plans in the year, plans in force in January): each
    rule set's mean, the difference and its 95% interval, and whether the interval is all on one side of 0."""
    from ..report.summary import count_decimals

    rows = []
    for year, by in sorted((comparison.get("by_year") or {}).items()):
        for m in BY_YEAR_METRICS:
            d = by.get(m)
            if not d or d.get("diff") is None:
                continue
            lo, hi = (d.get("diff_ci95") or [None, None])[:2]
            rows.append({"year": year, "metric": m, "label": BY_YEAR_METRICS[m],
                         "a": (d.get(BASELINE) or {}).get("mean"), "b": (d.get(rules_b) or {}).get("mean"),
                         "diff": d["diff"], "lo": lo, "hi": hi,
                         # the difference and its bounds at one precision (counts: summary.count_decimals)
                         "digits": 0 if d["diff"] == lo == hi == 0 else count_decimals(d["diff"]),
                         "clear": lo is not None and hi is not None and (lo > 0 or hi < 0),
                         "same": d["diff"] == 0 and lo == 0 and hi == 0})
    return rows


LIST_FIELDS = frozenset({"switches"})  # a field that holds a list: given twice, its values join ("a,b")


def form_fields(body: str) -> tuple[dict[str, str], dict[str, str]]:
    """The form's fields, and {field: message} for each field other than a list given more than once. Why: every
    field's values were joined with commas, so "requests_per_year=100&requests_per_year=200" was "100,200", read as
    100,200 requests (a comma between thousands); a second value is now refused, not merged or dropped."""
    form, twice = {}, {}
    for k, v in parse_qs(body, keep_blank_values=True).items():
        form[k] = ",".join(v)
        if len(v) > 1 and k not in LIST_FIELDS:
            twice[k] = f"{k}: given {len(v)} times (allowed: once)"
            form[k] = v[0]
    return form, twice


def _whole(raw: str) -> int:
    """A whole number typed in a field, or -1 when it is none: digits Python's int() refuses (superscripts such as
    "²" pass str.isdigit) or too many of them to convert (over 4,300) answered 500 before."""
    try:
        return int(raw) if len(raw) <= 20 else -1
    except ValueError:
        return -1


def validate(form: dict[str, str], councils: list[str], sets: list[str], switches: list[str],
             years: tuple[int, int] | None = None, history: list[str] | None = None,
             needs: dict[str, tuple[str, str]] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The request as a job's parameters, or {field: message} for every bad field (shown beside it). `years`: the
    end years a council from the list may run to (first, last); `history`: the councils with 2019 figures; `needs`:
    {switch: (the switch it needs, that switch's label)}."""
    errors: dict[str, str] = {}
    job: dict[str, Any] = {}
    source = form.get("source", "figures")
    if source == "council":
        c = form.get("council", "")
        if c not in councils:
            errors["council"] = "pick a council from the list"
        job["council"] = c
        raw_h = (form.get("horizon") or "").strip()
        job["horizon"] = ""  # the default: from the latest caseload to the chosen change's window plus three years
        if raw_h == HISTORY:
            if history is not None and c in councils and c not in history:
                errors["horizon"] = (f"Years to run: {c} has no figures of its own for 2019 (a council formed "
                                     "since); choose an end year instead")
            job["horizon"] = HISTORY
        elif raw_h:
            lo, hi = years or (2000, 2100)
            if not (raw_h.isdigit() and lo <= _whole(raw_h) <= hi):
                errors["horizon"] = f"Years to run: the end year, {lo} to {hi} (not {raw_h[:20]!r})"
            else:
                job["horizon"] = int(raw_h)
    elif source == "figures":
        job["name"] = (form.get("name") or "").strip() or "My council"
        if len(job["name"]) > 80:
            errors["name"] = "a name of at most 80 characters"
        elif not all(shown_char(c) for c in job["name"]):  # as the council builder and a scenario refuse (their words name a
            # flag or a file: the job failed); a right-to-left override (a format character) too, since round 3
            errors["name"] = "a name without control characters (tabs, line breaks, direction marks)"
        for key, label, lo, hi, integer in FIGURES:
            raw = (form.get(key) or "").strip()
            # a comma groups thousands ("1,200"); anywhere else it is a decimal comma ("2,5": 2.5 in much of
            # Europe), which was read as 25, silently, or said "205 is out of range" of "20,5"
            if "," in raw and (key.endswith("_pct") or not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?%?", raw)):
                errors[key] = f"{label}: {raw[:20]} (allowed: a number with a decimal point, e.g. {EXAMPLES[key]})"
                continue
            if not key.endswith("_pct") and thousands_point(raw):  # "1.200": 1.2 requests, "4.000": 4 plans
                errors[key] = (f"{label}: {raw[:20]} (allowed: a whole number without a point between thousands, e.g. "
                               f"{EXAMPLES[key]} or {int(EXAMPLES[key]):,})")
                continue
            raw = raw.replace(",", "")
            if raw.endswith("%") and key.endswith("_pct"):  # "25%" means 25: the field is already a percentage
                raw = raw[:-1].strip()
            try:
                v = float(raw)
                if v != v or (integer and math.isfinite(v) and v != int(v)):  # inf: out of range, below
                    raise ValueError
            except ValueError:
                errors[key] = (f"{label}: a {'whole ' if integer else ''}number, e.g. {EXAMPLES[key]}" if raw
                               else f"{label}: required")
                continue
            if not lo <= v <= hi:
                errors[key] = f"{label}: {raw[:20]} is out of range (allowed: {lo:g} to {hi:g})"
                continue
            job[key] = int(v) if integer else v
    else:
        errors["source"] = "choose a council or type your figures"
    # each change once (why: "mandatory_mediation,mandatory_mediation" ran as "Current law + mediation compulsory
    # before any appeal + mediation compulsory before any appeal": applied once, named twice on the page)
    chosen = list(dict.fromkeys(s for s in form.get("switches", "").split(",") if s))
    bad = [s for s in chosen if s not in switches]
    if bad:
        errors["switches"] = f"unknown switch {bad[0]!r}"
    missing = [(s, *needs[s]) for s in chosen if needs and s in needs and needs[s][0] not in chosen]
    if missing and not bad:
        errors["switches"] = f"this change needs \"{missing[0][2]}\" ticked too"
    reform = form.get("reform", "")
    if chosen:  # a switch after the one it needs, however the form listed them (the rule expression's order)
        def depth(sw: str, seen: int = 0) -> int:
            return 0 if not needs or sw not in needs or seen > len(needs) else 1 + depth(needs[sw][0], seen + 1)
        job["rules_b"] = BASELINE + "+" + "+".join(sorted(chosen, key=depth))
    elif reform in sets:
        job["rules_b"] = reform
    else:
        errors["reform"] = "pick a reform, or tick one or more single changes"
    raw_n = (form.get("replications") or "5").strip()
    try:
        n = int(raw_n)
    except ValueError:
        errors["replications"] = f"Runs of every child: a whole number from 2 to 30 (not {raw_n[:20]!r})"
    else:
        if n > MAX_REPLICATIONS:
            errors["replications"] = (f"Runs of every child: at most {MAX_REPLICATIONS} on this page ({n} would take "
                                      "many minutes); the command line runs more")
        elif n < 2:
            errors["replications"] = "Runs of every child: at least 2 (an interval needs two runs)"
        else:
            job["replications"] = n
    return job, errors


def latest_year(by_la: Path) -> int:
    """The latest calendar year with authorities' own figures (england_by_la.csv): the year the page's list uses."""
    with open(by_la, newline="") as f:
        rows = csv.DictReader(ln for ln in f if not ln.startswith("#"))
        return max(int(r["period"]) for r in rows if METRICS[r["metric"]].kind == "calendar")


def baseline(summary: dict[str, Any], targets: Path, year: int, metrics: tuple[str, ...] = BASELINE_METRICS
             ) -> dict[str, Any]:
    """The council's own figures of `year` beside the model under current law (the mean over replications, read
    as `sendsim backtest` reads it). A run from the latest caseload has no year of figures inside it: the January
    caseload it starts from is set beside the model's plans in force on 1 January (the count less January's new
    plans: `scripts/build_scenarios.py` takes the count as at the end of January)."""
    with open(targets, newline="") as f:
        read = [r for r in csv.DictReader(ln for ln in f if not ln.startswith("#")) if r["period"] == str(year)]
    observed = {r["metric"]: float(r["value"]) for r in read}
    sources = {r["metric"]: r.get("source") or "" for r in read}
    means = {k: v.get("mean") for k, v in summary.get("by_period", {}).get(str(year), {}).items()}
    out = [{"metric": m, "label": METRICS[m].label + (f" {year} (the model: on 1 January, the run's first day)"
                                                      if m == "plans_in_force_january" else ""),
            "observed": observed.get(m), "model": METRICS[m].value(means),
            "source": source_words(sources.get(m, ""), m, year) if m in observed else ""} for m in metrics]
    return {"year": year, "rows": out}


SEN2_FILES = {"caseload.csv": "the caseload", "requests.csv": "requests", "assessments.csv": "assessments",
              "timeliness_20_week.csv": "timeliness"}  # the SEN2 file a figure comes from, in words


def source_words(raw: str, metric: str, year: int) -> str:
    """An official figure's source as the page says it: 'DfE SEN2, Education, health and care plans: the caseload,
    January 2024' (a targets file's source names the file: 'DfE SEN2 caseload.csv ehcplans')."""
    part = next((w for f, w in SEN2_FILES.items() if f in raw), None)
    if not raw.startswith("DfE SEN2") or part is None:
        return plain(raw)
    when = f"January {year}" if metric == "plans_in_force_january" else f"calendar year {year}"
    return f"DfE SEN2, Education, health and care plans: {part}, {when}"


LATEST_METRICS = ("initial_requests_for_assessment", "requests_refused_pct", "new_plans_issued",
                  "within_20_weeks_pct")  # a listed council's latest official figures, shown beside a forward run


def official_latest(by_la: Path, council: str, year: int, metrics: tuple[str, ...] = LATEST_METRICS,
                    scenario: Path | None = None) -> list[dict[str, Any]]:
    """A listed council's own figures of its latest year with figures (england_by_la.csv), as rows of the page's
    table with no model value: a run from the latest caseload starts the January after, so the volunteer can still
    check the council's own % within 20 weeks (it showed only the January caseload).

    A council formed after 2019 (Cumberland, Westmorland and Furness; North and West Northamptonshire) has no rows
    of its own there: england_by_la.csv keeps the 2019 geography the backtest reads, its successors summed into
    their predecessor. Its own figures of that year are then read from `scenario`, the council's cut of the forward
    scenario, which carries its SEN2 requests of each year and its % within 20 weeks of the latest year (the same
    values as england_by_la.csv for every council that has both)."""
    with open(by_la, newline="") as f:
        read = [r for r in csv.DictReader(ln for ln in f if not ln.startswith("#"))
                if r["la_name"] == council and r["period"] == str(year) and r["metric"] in metrics]
    found = {r["metric"]: float(r["value"]) for r in read}
    sources = {r["metric"]: r.get("source") or "" for r in read}
    if not found and scenario is not None:
        found = _own_figures(scenario, council, year, metrics)
        sources = {"initial_requests_for_assessment": "DfE SEN2 requests.csv",
                   "within_20_weeks_pct": "DfE SEN2 timeliness_20_week.csv"}
    return [{"metric": m, "label": f"{METRICS[m].label}, {year} (before the run starts)", "observed": found[m],
             "model": None, "source": source_words(sources.get(m, ""), m, year)} for m in metrics if m in found]


def _own_figures(scenario: Path, council: str, year: int, metrics: tuple[str, ...]) -> dict[str, float]:
    """The council's SEN2 figures of `year` that its scenario carries: requests received, and the % of plans within
    20 weeks when the scenario's latest year of requests is `year` (the year that figure describes)."""
    doc = yaml.safe_load(scenario.read_text())
    la = next((la for la in doc.get("local_authorities", {}).get("items", []) if la.get("name") == council), None)
    if la is None:
        return {}
    by_year = {int(y): v for y, v in (la.get("requests_by_year") or {}).items()}
    out: dict[str, float] = {}
    if "initial_requests_for_assessment" in metrics and year in by_year:
        out["initial_requests_for_assessment"] = float(by_year[year])
    pct = la.get("observed_within_20_weeks_pct")
    if "within_20_weeks_pct" in metrics and pct is not None and by_year and max(by_year) == year:
        out["within_20_weeks_pct"] = float(pct)
    return out


@dataclass
class Job:
    id: str
    params: dict[str, Any]
    folder: Path
    state: str = "queued"  # queued, running, done, failed
    progress: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    submitted: float = field(default_factory=time.perf_counter)
    seconds: float | None = None
    summary: str = ""
    partial: str = ""  # what the summary shown so far rests on, while the run goes on
    first_summary: float | None = None  # seconds from the start to the first summary
    charts: list[tuple[str, str, str]] = field(default_factory=list)  # (file name, title, alt text)
    report: str = ""
    error: str = ""
    baseline: dict[str, Any] = field(default_factory=dict)  # the latest year with figures: official vs model
    period: str = ""  # the run's first and last day, in words
    by_year: list[dict[str, Any]] = field(default_factory=list)  # the paired differences year by year

    def note(self, msg: str) -> None:
        self.progress.append(f"{time.perf_counter() - self.started:5.1f} s  {msg}")


class App:
    """The WSGI application: the form, the job API, the charts and the report of each job."""

    def __init__(self, workdir: Path | None = None, workers: int = 2, seed: int = 42):
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="sendsim-serve-"))
        # the folder contract: the work folder is a new/empty folder or one this page marked before (its jobs'
        # folders accumulate in it); a folder of the user's own is refused when the server starts
        claim_folder(self.workdir, "web_work", accumulate=True)
        write_marker(self.workdir, "web_work", {})
        self.workers = workers
        self.seed = seed
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self.england_path = locate("england", "scenarios")
        self.england = yaml.load(self.england_path.read_text(), Loader=loader)
        self.history = sorted(la["name"] for la in self.england["local_authorities"]["items"])
        # a listed council starts from the latest January caseload (the forward scenario and its projection)
        self.forward = yaml.load(locate(FORWARD, "scenarios").read_text(), Loader=loader)
        self.councils = sorted(la["name"] for la in self.forward["local_authorities"]["items"])
        self.start_year = int(str(self.forward["start_date"])[:4])
        self.limit_year = int(str(self.forward["projection"]["until_limit"])[:4])
        self.by_la = self.england_path.parent / "targets" / "england_by_la.csv"
        self.latest_year = latest_year(self.by_la)
        self.sets, self.switches = reforms()
        self.dates = in_force_dates()
        labels = {name: label for name, _r, label in self.switches}
        self.needs = {s: (n, labels.get(n, n)) for s, n in switch_needs().items()}
        self._defaults: dict[str, int] | None = None
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.queue_lock = threading.Lock()  # one job runs at a time

    # --------------------------------------------------------------------------------------------- the job
    def scenario(self, job: Job) -> tuple[Path, dt.date | None, int]:
        """The council's scenario; (file, the run's end, the year whose official figures the page sets beside the
        model). A council from the list: from its latest January caseload to the chosen end (default: `horizon`),
        or, asked for, the one council builder's file over the years with figures; typed figures: the builder's."""
        p = job.params
        folder = job.folder / "scenario"
        if "council" in p and p.get("horizon", HISTORY) != HISTORY:
            path, _t, start = build_forward_council(self.forward, self.by_la, lambda n: folder / f"{n}.yaml",
                                                    p["council"], self.seed)
            h = p["horizon"]
            until = dt.date(h, 12, 31) if isinstance(h, int) else horizon(path, p["rules_b"])
            return path, until, start
        if "council" in p:
            c = build_council(self.england, self.by_la, lambda n: folder / f"{n}.yaml", la=p["council"],
                              seed=self.seed)
            return c.path, dt.date(c.last_year, 12, 31), c.last_year
        figs = Figures(p["name"], self.latest_year, p["requests_per_year"], p["refused_pct"], p["within_20_weeks_pct"],
                       p["plans_in_force"])
        c = build_council(self.england, self.by_la, lambda n: folder / f"{n or 'council'}.yaml", figures=figs,
                          seed=self.seed, progress=job.note)
        return c.path, None, c.last_year

    def run(self, job: Job) -> None:
        with self.queue_lock:
            job.state = "running"
            job.started = time.perf_counter()
            try:
                job.note("building the council's scenario")
                path, until, last = self.scenario(job)
                start = load_scenario(path).scenario.start_date
                end = until or load_scenario(path).scenario.end_date
                job.period = f"{start:%-d %B %Y} to {end:%-d %B %Y}"
                job.note(f"the run covers {job.period}")
                out = job.folder / "comparison"
                n = job.params["replications"]

                def say(msg: str) -> None:  # progress in display names (rule sets by their short names)
                    job.note(self.public(plain(msg), job))

                if n > FIRST:  # a first summary from FIRST replications, shown while the rest run
                    compare(path, BASELINE, job.params["rules_b"], FIRST, self.seed, out, self.workers, False,
                            say, until)
                    job.summary = self.unrooted(summary_html(load_results(out, journeys=False)), job)
                    job.partial = (f"First results, from {FIRST} of {n} runs: the figures will change a little and "
                                   "the intervals narrow as the other runs finish.")
                    job.first_summary = time.perf_counter() - job.started
                    job.note(f"first summary after {job.first_summary:.1f} s; running the other {n - FIRST} runs")
                compare(path, BASELINE, job.params["rules_b"], n, self.seed, out, self.workers, False, say,
                        until, resume=n > FIRST)
                results = load_results(out)
                forward = "council" in job.params and job.params.get("horizon", HISTORY) != HISTORY
                job.baseline = baseline(results.runs[0].summary, path.parent / "targets" / f"{path.stem}.csv", last,
                                        ("plans_in_force_january",) if forward else BASELINE_METRICS)
                if forward:  # the council's own latest figures too, its % within 20 weeks among them
                    job.baseline["rows"] = (official_latest(self.by_la, job.params["council"], self.latest_year,
                                                           scenario=path)
                                            + job.baseline["rows"])
                job.by_year = by_year_rows(results.comparison or {}, job.params["rules_b"])
                job.summary = self.unrooted(summary_html(results), job)
                job.partial = ""
                if job.first_summary is None:
                    job.first_summary = time.perf_counter() - job.started
                job.note("summary ready; drawing the charts")
                for c in run_charts(results):  # each chart shown as soon as it is drawn
                    save(c, job.folder / "charts")
                    job.charts.append((f"{c.name}.png", c.title, c.alt))
                (job.folder / "report.html").write_text(self.unrooted(report_html(results), job))
                job.report = "report.html"
                job.seconds = time.perf_counter() - job.started
                job.note(f"done in {job.seconds:.1f} s")
                job.state = "done"
            except InputError as e:
                job.error = self.public("; ".join(e.lines), job)
                job.state = "failed"
            except OSError as e:  # the environment (disk full, permissions): say so, without the server's paths
                job.error = f"the server could not write its files ({e.strerror or type(e).__name__})"
                log(f"job {job.id}: {type(e).__name__}: {e}")
                job.state = "failed"
            except Exception as e:  # the page must say what failed, not hang; the details stay in the server's log
                job.error = "an internal error stopped the run; the server's log has the details"
                log(f"job {job.id}: internal error: {type(e).__name__}: {self.public(str(e), job)[:200]}")
                job.state = "failed"

    def defaults(self) -> dict[str, int]:
        """Each reform's default end year from the latest caseload (`horizon`: the same for every council, so worked
        out once on the median one): what the form's horizon says before Run."""
        if self._defaults is None:
            small = locate(FORWARD.replace("england", "small_la"), "scenarios")
            self._defaults = {rs: horizon(small, rs).year for rs, _label in self.sets}
        return self._defaults

    def unrooted(self, text: str, job: Job) -> str:
        """HTML for the page or its download with the server's folders taken out (`scenario/NAME.yaml`, not
        `/tmp/sendsim-serve-.../JOB/scenario/NAME.yaml`); only these exact prefixes, so the markup is untouched."""
        for root in (str(job.folder) + "/", str(self.workdir.resolve()) + "/", str(self.workdir) + "/"):
            text = text.replace(root, "")
        return text

    def public(self, text: str, job: Job) -> str:
        """A message fit for the page: the server's own folders never shown (a job's files by their own names)."""
        for root in (str(job.folder) + "/", str(job.folder), str(self.workdir) + "/", str(self.workdir)):
            text = text.replace(root, "")
        return re.sub(r"(?<![\w.])/(?:[^\s/:'\"]+/)+", "", text)  # any other absolute path: its last part only

    def queue_of(self, job: Job) -> dict[str, Any]:
        """A waiting job's place: the jobs ahead of it (running or queued before it) and an estimate of the wait
        from the jobs done so far (30 s each before any is done)."""
        if job.state != "queued":
            return {}
        with self.lock:
            jobs = list(self.jobs.values())
        ahead = [j for j in jobs if j is not job and (j.state == "running" or (j.state == "queued" and
                                                                              j.submitted < job.submitted))]
        done = [j.seconds for j in jobs if j.seconds]
        each = sum(done) / len(done) if done else 30.0
        running = [j for j in ahead if j.state == "running"]
        left = sum(max(0.0, each - (time.perf_counter() - j.started)) for j in running)
        return {"ahead": len(ahead), "estimate_s": round(left + each * (len(ahead) - len(running)), 1)}

    def submit(self, params: dict[str, Any]) -> Job:
        jid = uuid.uuid4().hex[:12]
        job = Job(jid, params, self.workdir / jid)
        job.folder.mkdir(parents=True)
        with self.lock:
            self.jobs[jid] = job
        threading.Thread(target=self.run, args=(job,), daemon=True).start()
        return job

    # ----------------------------------------------------------------------------------------------- WSGI
    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        """The page's routes. HEAD is answered as GET without the body (a link checker or `curl -I` got 404); a
        known address asked with a method it does not take gets 405 and the methods it takes."""
        if environ["REQUEST_METHOD"] == "HEAD":
            self._route({**environ, "REQUEST_METHOD": "GET"}, start)
            return [b""]
        return self._route(environ, start)

    def _route(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        try:
            allowed = {"/": "GET, HEAD", "/api/run": "POST"}.get(path)
            if allowed is not None and method not in allowed.split(", "):
                return self._send(start, "405 Method Not Allowed", "text/plain; charset=utf-8",
                                  f"{method} is not taken here (allowed: {allowed})".encode()[:200],
                                  [("Allow", allowed)])
            if method == "GET" and path == "/":
                return self._send(start, "200 OK", "text/html; charset=utf-8",
                                  page(self.councils, self.sets, self.switches, FIGURES, EXAMPLES,
                                       self.latest_year, self.dates, self.defaults(),
                                       (self.start_year, self.limit_year)).encode())
            if method == "POST" and path == "/api/run":
                body, problem = read_body(environ)
                if problem:
                    status, why = problem
                    return self._json(start, status, {"errors": {"request": why}})
                form, twice = form_fields(body)
                params, errors = validate(form, self.councils, [s for s, _l in self.sets],
                                          [s for s, _r, _l in self.switches], (self.start_year + 1, self.limit_year),
                                          self.history, self.needs)
                errors.update(twice)
                if errors:
                    return self._json(start, "400 Bad Request", {"errors": errors})
                job = self.submit(params)
                return self._json(start, "202 Accepted", {"job": job.id})
            m = re.fullmatch(r"/api/job/([0-9a-f]{12})", path)
            if method == "GET" and m and m.group(1) in self.jobs:
                j = self.jobs[m.group(1)]
                return self._json(start, "200 OK", {
                    "state": j.state, "progress": j.progress, "seconds": j.seconds, "error": j.error,
                    "summary": j.summary, "partial": j.partial, "first_summary": j.first_summary,
                    "queue": self.queue_of(j), "baseline": j.baseline, "period": j.period, "by_year": j.by_year,
                    "charts": [{"src": f"/job/{j.id}/charts/{n}", "title": t, "alt": a} for n, t, a in j.charts],
                    "report": f"/job/{j.id}/report.html" if j.report else ""})
            m = re.fullmatch(r"/job/([0-9a-f]{12})/(charts/[a-z0-9-]+\.(?:png|svg|csv)|report\.html)", path)
            if method == "GET" and m and m.group(1) in self.jobs:
                f = self.jobs[m.group(1)].folder / m.group(2)
                if f.is_file():
                    kind = {".png": "image/png", ".svg": "image/svg+xml", ".csv": "text/csv; charset=utf-8",
                            ".html": "text/html; charset=utf-8"}[f.suffix]
                    extra = [("Content-Disposition", 'attachment; filename="sendsim-report.html"')] \
                        if f.suffix == ".html" else []
                    return self._send(start, "200 OK", kind, f.read_bytes(), extra)
            return self._send(start, "404 Not Found", "text/plain; charset=utf-8", b"not found")
        except Exception as e:  # a bug: answer 500 in one line (no path, no traceback) and keep serving
            log(f"internal error on {method} {path[:80]!r}: {type(e).__name__}")
            return self._send(start, "500 Internal Server Error", "text/plain; charset=utf-8", b"internal error")

    @staticmethod
    def _send(start: Start, status: str, kind: str, body: bytes, extra: list[tuple[str, str]] | None = None
              ) -> list[bytes]:
        start(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                       ("Cache-Control", "no-store"), *(extra or [])])
        return [body]

    def _json(self, start: Start, status: str, obj: Any) -> list[bytes]:
        return self._send(start, status, "application/json", json.dumps(obj, allow_nan=False).encode())


def log(msg: str) -> None:
    """One line on the server's stderr (never a traceback: the volunteer's terminal is not a debugger)."""
    print(f"sendsim serve: {msg}", file=sys.stderr, flush=True)


def read_body(environ: dict[str, Any]) -> tuple[str, tuple[str, str] | None]:
    """The request body as text, or ("", (status, why)) for a request whose body cannot be taken safely.

    Why so strict: the body is read into memory, so its size must be known and small before a byte is read. A
    Content-Length that is missing, negative, not a number or above `MAX_BODY`, or a chunked body (whose length is
    not announced), is refused without reading; the socket's timeout (server.py) bounds a client that announces
    a length and then stalls."""
    if environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower() not in ("", "identity"):
        return "", ("411 Length Required", "send the form with a Content-Length (no chunked transfer)")
    raw = (environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return "", ("411 Length Required", "send the form with a Content-Length")
    if not raw.isdigit() or len(raw) > 12:
        return "", ("400 Bad Request", "Content-Length: not a whole number of bytes")
    n = int(raw)
    if n > MAX_BODY:
        return "", ("413 Content Too Large", f"the form is {n:,} bytes (allowed: at most {MAX_BODY:,})")
    data, deadline = b"", time.monotonic() + BODY_SECONDS
    try:  # in pieces, against a deadline for the whole body: a client trickling a byte at a time is cut off too
        while len(data) < n:
            piece = environ["wsgi.input"].read(min(16_384, n - len(data)))
            if not piece:
                break
            data += piece
            if time.monotonic() > deadline:
                return "", ("408 Request Timeout", "the form did not arrive in time")
    except (TimeoutError, OSError):
        return "", ("408 Request Timeout", "the form did not arrive in time")
    if len(data) < n:
        return "", ("400 Bad Request", "the form ended before its Content-Length")
    return data.decode("utf-8", "replace"), None

