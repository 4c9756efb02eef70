"""A scenario for one local authority: the one council builder (`build_council`), from the authority's official
figures in the England scenario or from the few figures a forum can give.

Why one builder: `sendsim la-scenario --la NAME`, `la-scenario --name ...` and the web page used to build a council
each their own way, and the page dropped the authority's fitted delay (Walsall showed 96% of plans within 20 weeks
against 4.5% observed). Now every path calls `build_council`, so a council picked on the page and the same council
from `la-scenario --la` are the same file byte for byte.

Both start from the shipped England scenario (scenarios/england.yaml), which holds every authority's official SEN2
figures, its fitted delays (joint rounds on the full national model, `sendsim calibrate --stage joint`) and the
national behaviour with its calibrated values, so an authority's scenario uses exactly the numbers the national
model uses for it. What is the authority's own is marked as such; everything else is national and its provenance
says so. The authority's share of the national tribunal is its share of 2019 requests (of 2019-2023's for an
authority with none in 2019: the Isles of Scilly). The files are built in a hidden folder beside the target and moved
into place only when complete and valid (`staged`), so an interrupted or failed build leaves nothing behind.

Figures a forum types have no fitted delay: the builder fits it (simulator/analysis/fit/calibrate.py, stage 1:
bisection on the authority's median delay, one year at a time) on the scenario's own seed and replications, so that
its own % within 20 weeks comes back out of `sendsim backtest`. `rounds` > 0 adds joint rounds on the authority
alone (`refine`: its delay, its own lapse, the cessation scale), as `la-scenario --name` does by default. A targets
file with the authority's own figures is written next to the scenario.

Why this module is long: one builder for every path (England authority, forum figures, web) with its
fits and provenance; each function is small.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import hashlib
import math
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...rules.scenario import load_scenario
from ...schema.files import InputError
from ...schema.scenario import LocalAuthority, Scenario, name_problem
from ...schema.shipped import closest
from ..runs.case_authorities import predecessor_of
from .backtest import load_targets
from .calibrate import (
    LAPSE,
    SHAPE,
    clip,
    fit_authority,
    get_node,
    joint_gain,
    national_update,
    period_rows,
    update_delays,
    update_lapse,
    update_late_shares,
)

ENGLAND_REQUESTS_2019 = 82329.0  # DfE SEN2 requests.csv, England 2019
NATIONAL_SHARES = {  # plans in force, January 2023, by placement (SEN2 caseload.csv; statistics addendum 3.1)
    "stock_mainstream": 0.374, "stock_resourced_provision": 0.039, "stock_maintained_special": 0.282,
    "stock_independent_special": 0.050, "stock_post16": 0.148, "stock_alternative_provision": 0.008,
    "stock_other": 0.099,
}
EP_ADVICES_PER_FTE = 40.0  # assumption: statutory advices one EP FTE completes a year (range 20-80)


def slug(name: str) -> str:
    """A safe file and scenario name for any display name: accents folded to ASCII (Ynys Môn -> ynys_mon), other
    letters (日本語) to a short stable hash, at most 60 characters. The display name itself is kept as typed
    (the authority's `name`, the description)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:60].strip("_")
    if len(s) < 2 or len(re.sub(r"[\s\W_]+", "", folded)) < len(re.sub(r"[\s\W_]+", "", name)) / 2:
        digest = hashlib.sha256(name.strip().encode()).hexdigest()[:8]
        s = f"{s}_{digest}" if s else f"council_{digest}"
    return s


def _words(name: str) -> str:
    """A name's words, lower case, without punctuation, '&' read as 'and': "St. Helens" -> "st helens"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split())


def find_authority(england: dict[str, Any], name: str) -> dict[str, Any]:
    """The authority whose name or code matches `name` (case-insensitive); a clear error otherwise."""
    items = england["local_authorities"]["items"]
    key = name.strip().lower()
    example = next((f"{la['name']} or {la['code']}" for la in items if la["name"] == "Wandsworth"),
                   f"{items[0]['name']} or {items[0]['code']}")
    allowed = (f"allowed: a name or DfE three-digit code of the {len(items)} authorities in "
               f"{england.get('name', 'england')}.yaml, e.g. {example}")
    if not key:
        raise InputError([f"--la: an empty name ({allowed})"])
    hits = [la for la in items if la["name"].lower() == key or la["code"] == key]
    if not hits:
        hits = [la for la in items if key in la["name"].lower()]
    if not hits:  # the name as a forum types it: "St Helens", "Brighton & Hove", "Southend on Sea" (ninth round:
        words = _words(key)  # refused with a did-you-mean though only the punctuation differed)
        hits = [la for la in items if words and f" {words} " in f" {_words(la['name'])} "]
    if len(hits) > 1:
        # with its code: two authorities of one name (a later release's new code for a council) are told apart by it
        names = ", ".join(sorted(f"{la['name']} ({la['code']})" for la in hits))
        raise InputError([f"--la: {name!r} matches several local authorities (allowed: one of {names}, by name "
                          "or code)"])
    if not hits and (was := predecessor_of(name)) is not None and any(la["name"] == was[0] for la in items):
        old, day, new, order = was
        code = next(la["code"] for la in items if la["name"] == old)
        raise InputError([f"--la: {name!r} is not in {england.get('name', 'england')}, which keeps {old} ({code}) "
                          f"as one authority with its successors' figures summed ({' and '.join(new)} replaced it "
                          f"on {day.day} {day:%B %Y}, {order}) (allowed: {old} or {code}; the web page's list starts "
                          f"each successor from its own January 2024 caseload)"])
    if not hits:
        hint = closest(name.strip(), sorted(la["name"] for la in items))
        if re.fullmatch(r"[ew]\d{8}", key):  # an ONS (GSS) code: the figures carry DfE's codes, not ONS's
            hint = " (an ONS code: give the authority's name or its DfE three-digit code instead)"
        raise InputError([f"--la: {name!r} matches no local authority{hint} ({allowed})"])
    return copy.deepcopy(hits[0])


def cut_out(national: dict[str, Any], share: float, note: str, digits: int, backlog: str, disputes: str
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The national tribunal and redress cut to one authority by its `share` of requests: the hearings a year and by
    year (to `digits` places), the appeals waiting at the start and the disputes in progress at the start, each
    scaled by the share; the rest national. `note` ends the hearings' source, `backlog` and `disputes` are those
    figures' assumptions: each builder says whose share of which year's requests it is. Every council is cut out
    here (`official`, `forum`, and `forward_council` from the forward scenario)."""
    t = copy.deepcopy(national["tribunal"])
    h = t["hearings_per_year"]
    t["hearings_per_year"] = {"value": round(h["value"] * share, digits), "source": h["source"] + note}
    t["hearings_per_year_by_year"] = {y: round(v * share, digits) for y, v in t["hearings_per_year_by_year"].items()}
    b = t["backlog_at_start"]
    t["backlog_at_start"] = {"value": round(b["value"] * share), "assumption": backlog,
                             "range": [round(x * share) for x in b["range"]]}
    r = copy.deepcopy(national["redress"])
    d = r["disputes_in_progress_at_start"]
    r["disputes_in_progress_at_start"] = {"value": round(d["value"] * share), "assumption": disputes,
                                          "range": [round(x * share) for x in d["range"]]}
    return t, r


def _cut_out_2019(england: dict[str, Any], share: float, years: str = "2019", why: str = ""
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """`cut_out` of the England scenario by the authority's share of England's 2019 requests (or of the `years`
    `share_of_requests` chose, saying `why`)."""
    note = f" x this authority's share of England's {years} requests ({share:.4%}{why})"
    disputes = england["redress"]["disputes_in_progress_at_start"]["value"]
    return cut_out(england, share, note, 3, "England's assumed backlog" + note, f"England's assumed {disputes:,}{note}")


def share_of_requests(england: dict[str, Any], la: dict[str, Any]) -> tuple[float, str, str]:
    """(share, its years, why) of England's requests that are the authority's: of 2019's, as every council is cut
    out; an authority with no request in 2019 (the Isles of Scilly: 0, then 2, 3, 1 and 8 in 2020-2023) would get
    no tribunal at all (0 hearings a year, which no scenario may have), so its share is of every year with figures
    (SEN2 requests.csv, the England scenario's authorities summed by year)."""
    if la["requests_per_year"] > 0:
        return la["requests_per_year"] / ENGLAND_REQUESTS_2019, "2019", ""
    totals: dict[int, float] = {}
    for item in england["local_authorities"]["items"]:
        for y, v in (item.get("requests_by_year") or {}).items():
            totals[int(y)] = totals.get(int(y), 0.0) + float(v)
    own = {int(y): float(v) for y, v in (la.get("requests_by_year") or {}).items()}
    years = sorted(y for y in own if y in totals)
    share = sum(own[y] for y in years) / sum(totals[y] for y in years) if years else 0.0
    if share <= 0:
        raise InputError([f"--la: {la['name']} has no request for assessment in any year with figures "
                          f"({', '.join(map(str, years)) or 'none'}), so no share of the tribunal can be cut out "
                          "(allowed: an authority with requests; or --name with your own figures)"])
    return share, f"{years[0]}-{years[-1]}", "; it had no request in 2019"


def official(england: dict[str, Any], la_targets: Path, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Scenario and targets of an authority from its official figures (2019-2025, its own 2019-2023 figures)."""
    la = find_authority(england, name)  # with its delays as the England scenario's calibration fitted them
    doc = copy.deepcopy(england)
    share, years, why = share_of_requests(england, la)
    doc["name"] = slug(la["name"])
    doc["description"] = (f"{la['name']} ({la['code']}) from its own official figures (DfE SEN2: requests, refusals, "
                          "no-plan decisions 2019-2023, plans in force January 2019), national behaviour and the "
                          "authority's share of the national tribunal; its own delay as the England scenario's "
                          "calibration fitted it to its own % within 20 weeks (sendsim la-scenario).")
    doc["local_authorities"]["items"] = [la]
    doc["tribunal"], doc["redress"] = _cut_out_2019(england, share, years, why)
    doc["replications"] = 5
    tol = {"initial_requests_for_assessment": (5, "relative"), "requests_refused_pct": (2, "absolute"),
           "new_plans_issued": (5, "relative"), "within_20_weeks_pct": (3, "absolute"),
           "plans_in_force_january": (5, "relative")}
    targets = []
    with open(la_targets, newline="") as f:
        for r in csv.DictReader(ln for ln in f if not ln.startswith("#")):
            if r["la_code"] == la["code"]:
                t, k = tol[r["metric"]]
                targets.append({"metric": r["metric"], "period": r["period"], "value": r["value"], "unit": "",
                                "tolerance": t, "tolerance_kind": k, "source": f"{r['source']} ({la['name']})",
                                "note": "the authority's own figure"})
    if not targets:  # a council formed since the targets' units (Cumberland in a forward England): nothing to check
        raise InputError([f"--la: {la['name']} ({la['code']}) has no official figures of its own in {la_targets} "
                          "(allowed: an authority with figures there, e.g. of the shipped england scenario; or --name "
                          "with the council's own figures)"])
    return doc, targets


# The most requests a year a forum's figures may give: 500,000 is 3.6x England's 138,242 (SEN2 2023; the largest
# council, Kent, had 4,047). Why not 1,000,000 as before: the staffing rule then sized about 96,000 concurrent EP
# advices, beyond a scenario's MAX_SERVERS (50,000), and the build failed on its own file in a hidden folder.
FORUM_MAX_REQUESTS = 500_000.0
FORUM_MAX_PLANS = 1e7


def forum(england: dict[str, Any], name: str, year: int, requests: float, refused_pct: float,
          within_pct: float, plans: int, eps: float | None = None, special_places: int | None = None
          ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Scenario and targets from the figures a forum supplies, for calendar `year` and the year after."""
    errors = []
    for field, v, lo, hi in (("--requests-per-year", requests, 1, FORUM_MAX_REQUESTS),
                             ("--refused-pct", refused_pct, 0, 100), ("--within-20-weeks-pct", within_pct, 0, 100),
                             ("--plans-in-force", plans, 0, FORUM_MAX_PLANS)):
        if not (lo <= v <= hi):
            errors.append(f"{field}: {v} is out of range (allowed: {lo:g} to {hi:g})")
        elif field == "--requests-per-year" and not float(v).is_integer():  # an SEN2 count: 404.5 requests was taken
            errors.append(f"{field}: {v:g} is not a whole number (allowed: a count of requests, e.g. 1200)")
    if eps is not None and not 0 < eps <= 100_000:  # NaN and infinity fail this too
        errors.append(f"--eps: {eps} is out of range (allowed: more than 0, at most 100,000)")
    shown = name.strip()
    # as a scenario's authority name (`name_problem`): a direction mark or a zero-width space passed here and the
    # written file was then refused, naming a staging file the user never saw
    if not shown or len(shown) > 80 or name_problem(shown) is not None:
        errors.append(f"--name: {name[:40]!r} (allowed: 1 to 80 characters, any letters, no control characters)")
    if special_places is not None and not (0 <= special_places <= plans):
        errors.append(f"--special-places: {special_places} is out of range (allowed: 0 to --plans-in-force)")
    if errors:
        raise InputError(errors)
    # a typed "-0" is in range (-0.0 >= 0) and was written as `refuse_to_assess_probability: -0.0` and a target of
    # -0.0%; adding 0.0 turns only a negative zero into 0.0 (tenth held-out round)
    refused_pct, within_pct = refused_pct + 0.0, within_pct + 0.0
    doc = copy.deepcopy(england)
    median = sorted(doc["local_authorities"]["items"], key=lambda x: x["requests_per_year"])
    ref_la = median[len(median) // 2]
    given = "given by the user (sendsim la-scenario --name)"
    stock = {k: int(round(plans * s)) for k, s in NATIONAL_SHARES.items()}
    if special_places is not None:
        headroom = doc["naming"]["special_places_headroom_pct"]["value"]
        stock["stock_maintained_special"] = min(plans, int(round(special_places / (1 + headroom / 100.0))))
        rest = plans - stock["stock_maintained_special"]
        others = {k: s for k, s in NATIONAL_SHARES.items() if k != "stock_maintained_special"}
        tot = sum(others.values())
        stock.update({k: int(round(rest * s / tot)) for k, s in others.items()})
    stock["stock_other"] += plans - sum(stock.values())
    p_ref = refused_pct / 100.0
    nat_noplan = ref_la["no_plan_after_assessment_probability"]
    assessed = requests * (1 - p_ref)
    d = {k: v["value"] for k, v in doc["durations"].items()}
    util = 0.8  # staff pools sized as the England build rule does; the authority's delay carries its slowness

    def servers(flow: float, days: float, u: float) -> int:
        return max(1, math.ceil(flow / 365.25 * days / u))

    la = {
        "name": name, "code": "U" + slug(name)[:8].upper(), "region": "",
        "requests_per_year": float(requests), "requests_by_year": {year: float(requests)},
        "refuse_to_assess_probability": round(p_ref, 4),
        "no_plan_after_assessment_probability": nat_noplan,
        **stock,
        "panel_servers": servers(requests, d["panel_decision_days"], 0.8),
        "ep_servers": servers(eps * EP_ADVICES_PER_FTE, d["ep_advice_days"], 1.0) if eps
        else servers(assessed, d["ep_advice_days"], util),
        "health_advice_servers": servers(assessed * 0.4, d["health_advice_days"], 0.8),
        "social_care_advice_servers": servers(assessed * 0.25, d["social_care_advice_days"], 0.8),
        "plan_writer_servers": servers(assessed * (1 - nat_noplan), d["draft_writing_days"], util),
        "observed_within_20_weeks_pct": within_pct,
    }
    prov = doc["local_authorities"]["provenance"]
    for k in ("refuse_to_assess_by_year", "no_plan_after_assessment_by_year", "capacity_by_year",
              "delay_days_by_year", "late_share_by_year"):
        prov.pop(k, None)
    prov["requests_per_year"] = {"source": f"{given}: requests for assessment in {year}"}
    prov["requests_by_year"] = {"source": f"{given} for {year}; later years follow the national trend "
                                          "demand.requests_growth_pct_per_year"}
    prov["refuse_to_assess_probability"] = {"source": f"{given}: % of requests refused in {year}"}
    prov["no_plan_after_assessment_probability"] = {"source": "national value: the median-sized authority's SEN2 "
                                                              "rate in the England scenario (not given)"}
    prov["stock"] = {"source": f"{given}: plans in force in January {year}, split by the national placement shares "
                               "of January 2023 (SEN2 caseload.csv)"
                               + ("; special places given: maintained special plans = places / (1 + national "
                                  "headroom)" if special_places is not None else "")}
    prov["observed_within_20_weeks_pct"] = {"source": f"{given}: % of new plans within 20 weeks in {year}"}
    if eps:
        prov["ep_servers"] = {"assumption": f"{given}: {eps:g} educational psychologists (FTE) x "
                                            f"{EP_ADVICES_PER_FTE:g} statutory advices a year each x "
                                            "durations.ep_advice_days / 365 (advices per FTE assumed)",
                              "range": [0.5, 2.0]}
    share = requests / ENGLAND_REQUESTS_2019
    doc["name"] = slug(name)
    doc["description"] = (f"{name}: figures supplied by a parent carer forum or user for {year} (requests, % "
                          "refused, % within 20 weeks, plans in force" + (", EPs" if eps else "")
                          + (", special places" if special_places is not None else "")
                          + "); national values for everything else; the authority's delay calibrated to the given % within "
                            "20 weeks (sendsim la-scenario --name).")
    doc["start_date"] = f"{year}-01-01"
    doc["end_date"] = f"{year + 1}-12-31"
    doc["replications"] = 5
    doc["local_authorities"]["items"] = [la]
    doc["tribunal"], doc["redress"] = _cut_out_2019(england, share)
    src = "given by the user"
    targets = [
        {"metric": "initial_requests_for_assessment", "period": str(year), "value": requests, "unit": "requests",
         "tolerance": 5, "tolerance_kind": "relative", "source": src, "note": ""},
        {"metric": "requests_refused_pct", "period": str(year), "value": refused_pct, "unit": "percent",
         "tolerance": 2, "tolerance_kind": "absolute", "source": src, "note": ""},
        {"metric": "within_20_weeks_pct", "period": str(year), "value": within_pct, "unit": "percent",
         "tolerance": 3, "tolerance_kind": "absolute", "source": src, "note": ""},
        {"metric": "plans_in_force_january", "period": str(year), "value": plans, "unit": "plans",
         "tolerance": 5, "tolerance_kind": "relative", "source": src, "note": "the initial stock (input)"},
    ]
    return doc, targets


@dataclass(frozen=True)
class Figures:
    """The figures a forum can give for one calendar year (`la-scenario --name`, the web page's form)."""

    name: str
    year: int
    requests_per_year: float
    refused_pct: float
    within_20_weeks_pct: float
    plans_in_force: int
    eps: float | None = None
    special_places: int | None = None


@dataclass(frozen=True)
class Council:
    """A council's scenario as written: its files, the latest year with figures, and what was fitted."""

    path: Path
    targets_path: Path
    name: str
    last_year: int  # the latest calendar year with one of the council's own figures
    fit: dict[str, Any] | None  # the delay fit of typed figures (None: the England scenario's fitted delays)
    rounds: dict[str, Any] | None  # joint rounds on the council alone, if asked


def council_document(england: dict[str, Any], by_la: Path, la: str | None = None, figures: Figures | None = None,
                     seed: int = 42) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The council's scenario document and targets (nothing written): exactly one of `la` or `figures`."""
    if (la is None) == (figures is None):
        raise InputError(["la-scenario: give exactly one of --la NAME (official figures) or --name NAME (your figures)"])
    if la is not None:
        doc, targets = official(england, by_la, la)
    else:
        assert figures is not None
        doc, targets = forum(england, figures.name, figures.year, figures.requests_per_year, figures.refused_pct,
                             figures.within_20_weeks_pct, figures.plans_in_force, figures.eps, figures.special_places)
    doc["seed"] = seed  # the backtest's replications start with the ones any fit used
    return doc, targets


def build_council(england: dict[str, Any], by_la: Path, place: Callable[[str], Path], la: str | None = None,
                  figures: Figures | None = None, seed: int = 42, fit: bool = True, rounds: int = 0,
                  progress: Callable[[str], None] | None = None) -> Council:
    """The one council builder: the document (`council_document`), written where `place(name)` says, then fitted.

    An England authority keeps the delays the England scenario's calibration fitted (nothing to fit); typed figures
    get their delay fitted to their % within 20 weeks (unless `fit` is False); `rounds` > 0 adds joint rounds on the
    council alone. The same arguments give the same files byte for byte."""
    doc, targets = council_document(england, by_la, la, figures, seed)
    final = place(doc["name"])
    with staged(final) as path:
        write(doc, targets, path)
        delay_fit = None
        if figures is not None and fit:
            if progress:
                progress("fitting the council's delay to its % within 20 weeks")
            delay_fit = calibrate_delay(path, targets, seed)
        ref = None
        if rounds:
            if progress:
                progress(f"{rounds} joint rounds on the council alone (its delay, its own lapse, the cessation scale)")
            ref = refine(path, seed, rounds)
        try:
            load_scenario(path)  # a scenario that cannot be read back is never left behind
        except InputError as e:
            raise InputError([f"{ln.replace(str(path), str(final))} (the council's scenario was not written)"
                              for ln in e.lines]) from None
    last = max(int(str(t["period"])[:4]) for t in targets if t["metric"] != "plans_in_force_january")
    return Council(final, final.parent / "targets" / f"{doc['name']}.csv", doc["name"], last, delay_fit, ref)


@contextlib.contextmanager
def staged(final: Path) -> Iterator[Path]:
    """Where to build the council: a hidden folder beside `final`, moved into place (scenario and targets) only when
    the build and its fits are done and the scenario reads back. Why: the fits take minutes; a Ctrl-C, a SIGTERM or
    a scenario that does not validate used to leave a half-built scenario behind (which the next run then refused to
    overwrite), while the message said nothing was kept. On any failure the folder, and every folder this build
    created for `final`, are removed."""
    created = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".sendsim-council-", dir=final.parent))
    done = False
    try:
        yield stage / final.name
        (final.parent / "targets").mkdir(exist_ok=True)
        for f in sorted((stage / "targets").iterdir()):
            os.replace(f, final.parent / "targets" / f.name)
        os.replace(stage / final.name, final)
        done = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not done and created:
            shutil.rmtree(created[-1], ignore_errors=True)  # the outermost folder this build made


def write(doc: dict[str, Any], targets: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """The scenario (YAML) and its targets (targets/<name>.csv beside it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Written by `sendsim la-scenario` (simulator/la_scenario.py) from scenarios/england.yaml.\n"
              "# Every number carries a source or an assumption; the authority's own figures say so.\n")
    out.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
    tpath = out.parent / "targets" / f"{doc['name']}.csv"
    tpath.parent.mkdir(parents=True, exist_ok=True)
    with open(tpath, "w", newline="") as f:
        f.write(f"# Written by `sendsim la-scenario`: the figures {doc['name']} must reproduce.\n")
        w = csv.DictWriter(f, fieldnames=list(targets[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(targets)
    return out, tpath


def calibrate_delay(path: Path, targets: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    """Fit the authority's own delay to its own % within 20 weeks and write it into the scenario file."""
    loaded = load_scenario(path)
    sc = loaded.scenario
    la = sc.local_authorities.items[0]
    obs = {int(t["period"]): float(t["value"]) for t in targets if t["metric"] == "within_20_weeks_pct"}
    years = [y for y in range(sc.start_date.year, sc.end_date.year + 1) if y in obs]
    fit = fit_authority(loaded, la.code, obs, seed, years, reps=sc.replications)
    doc = yaml.safe_load(path.read_text())
    doc["seed"] = seed  # the backtest's replications start with the ones the fit used
    item = doc["local_authorities"]["items"][0]
    item["delay_days_by_year"] = {y: d for y, d in fit["delays"].items()}
    doc["local_authorities"]["provenance"]["delay_days_by_year"] = {
        "assumption": "Median extra days (each child draws a Weibull with this median and durations.authority_delay_shape) between the last advice and the decision to issue, fitted by "
                      f"sendsim la-scenario (bisection, 9 steps, seed {seed}, {sc.replications} replications) to the "
                      "authority's own % within 20 weeks; the last year carries forward",
        "range": [0.0, 1500.0]}
    header = "".join(ln + "\n" for ln in path.read_text().splitlines() if ln.startswith("#"))
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
    LocalAuthority.model_validate(item)
    return fit


def refine(path: Path, seed: int, rounds: int = 6) -> dict[str, Any]:
    """Joint rounds on the authority's own scenario, with the replications its backtest runs (same seed: common
    random numbers): its delay per year from its % within 20 weeks, its own yearly assessment lapse from its new
    plans, and the cessation scale from its plans in force. What the first fit (the authority alone, without
    disputes or stock) leaves, this takes up; what no parameter can reach (more plans than its requests allow, a
    figure faster than the fastest working times) stays, and the backtest shows it."""
    doc = yaml.safe_load(path.read_text())
    loaded = load_scenario(path)
    sc = loaded.scenario
    tpath = path.parent / "targets" / f"{sc.name}.csv"
    targets = load_targets(tpath, sc.start_date, sc.end_date)
    item = doc["local_authorities"]["items"][0]
    code = item["code"]
    observed = {code: {int(t.period): t.value for t in targets if t.metric == "within_20_weeks_pct"}}
    late = bool(item.get("late_share_by_year"))  # lateness apart from the share on time (MODEL.md 3.3)
    column = "late_share_by_year" if late else "delay_days_by_year"
    delays = {code: {int(y): float(v) for y, v in (item.get(column) or {}).items()}}
    lapse_node = get_node(doc, LAPSE)
    lapse = {int(y): float(v) for y, v in (lapse_node.get("by_year") or {}).items()}  # the national one to start
    lapse_used: list[str] = []
    history = []
    for r in range(rounds):
        item[column] = dict(sorted(delays[code].items()))
        lapse_node["by_year"] = dict(sorted(lapse.items()))
        rows = period_rows(dataclasses.replace(loaded, scenario=Scenario.model_validate(doc)), seed,
                           reps=sc.replications)
        if late:
            updated, within = update_late_shares(delays, {code: rows}, observed)
        else:
            updated, within = update_delays(delays, {code: rows}, observed,
                                            joint_gain(get_node(doc, SHAPE)["value"], r))
        lapse, lapse_used = update_lapse(lapse, targets, rows, (lapse_node.get("range") or [0.0, 1.0])[1])
        new, _ = national_update(doc, targets, rows)
        for p, v in new.items():
            if p.startswith("reviews.cease_probability_per_year."):
                get_node(doc, p)["value"] = round(clip(doc, p, v), 5)
        history.append({"round": r + 1, "within_3_points": within, "of": updated})
    item[column] = dict(sorted(delays[code].items()))
    lapse_node["by_year"] = dict(sorted(lapse.items()))
    note = (f"fitted by sendsim la-scenario to this authority's own figures ({rounds} joint rounds, seed {seed}, "
            f"{sc.replications} replications)")
    if lapse_used:
        lapse_node["assumption"] = f"{lapse_node.get('assumption', '')} For this authority: {note}, from its new plans."
    for node in get_node(doc, "reviews.cease_probability_per_year").values():
        node.setdefault("assumption", "")
        node["assumption"] = f"{node['assumption']} Scale {note}, from its plans in force.".strip()
    doc["local_authorities"]["provenance"][column]["assumption"] += f"; then {note}"
    header = "".join(ln + "\n" for ln in path.read_text().splitlines() if ln.startswith("#"))
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
    load_scenario(path)  # still a valid scenario
    return {"rounds": history}
