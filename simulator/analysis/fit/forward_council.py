"""One council from the latest January caseload: an authority of the forward England scenario (england_from_<year>)
on its own, with its share of the national tribunal, run on to the projection's horizon.

Why a builder of its own beside `la_scenario.build_council`: that builder makes a council from the 2019 England
scenario (its fitted delays, 2019-2023), which ends before any change of the 2026 White Paper is in force. A volunteer
asking what the White Paper would change needs the council from its latest caseload, with the declared projection
beyond the last year with figures: the forward scenario has both, for every authority. The council is cut out of it
by `la_scenario.cut_out` (every council's cut), the way the build script cuts out `small_la_from_<year>`
(scripts/build_scenarios.py): the authority's own entry as it is, the national behaviour and projection as they are,
and the tribunal, its backlog and the disputes in progress at the start scaled by the authority's share of the last
year's requests, so that Wandsworth cut out here is small_la_from_<year> but for its name, description, seed and
replications (a test checks).
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .la_scenario import cut_out, find_authority, slug


def forward_document(forward: dict[str, Any], name: str, seed: int = 42) -> dict[str, Any]:
    """The council's scenario document (nothing written): `name` an authority's name or code in `forward`."""
    la = find_authority(forward, name)
    items = forward["local_authorities"]["items"]
    share = la["requests_per_year"] / sum(x["requests_per_year"] for x in items)
    start = str(forward["start_date"])[:4]
    last = forward.get("projection", {}).get("last_data_year", "the last year")
    doc = {k: v for k, v in forward.items() if k != "local_authorities"}
    doc = copy.deepcopy(doc)
    doc["local_authorities"] = {"provenance": copy.deepcopy(forward["local_authorities"]["provenance"]),
                                "items": [la]}
    doc["name"] = f"{slug(la['name'])}_from_{start}"
    doc["description"] = (f"{la['name']} ({la['code']}) from its January {start} caseload (DfE SEN2, by setting and "
                          f"age), its own requests and rates to {last}, then the declared projection; its share of "
                          f"England's {last} requests ({share:.4%}) of the national tribunal. Taken "
                          f"from the England scenario that starts in January {start}.")
    doc["seed"] = seed
    doc["replications"] = 5
    note = f" x this authority's share of {last} requests ({share:.4%})"
    b = forward["tribunal"]["backlog_at_start"]
    d = forward["redress"]["disputes_in_progress_at_start"]
    doc["tribunal"], doc["redress"] = cut_out(forward, share, note, 2,
                                              f"England's assumed backlog ({b['value']:,}){note}. {b['assumption']}",
                                              f"England's {d['value']:,}{note}")
    cut = doc["redress"]["disputes_in_progress_at_start"]  # its range before its assumption, as this page wrote it
    doc["redress"]["disputes_in_progress_at_start"] = {k: cut[k] for k in ("value", "range", "assumption")}
    return doc


SUCCESSORS_FILE = "england_successors_by_la.csv"  # beside england_by_la.csv (scripts/build_scenarios.py writes both)


def official_january(by_la: Path, code: str, year: int) -> float | None:
    """The authority's own January caseload of `year` (SEN2 caseload.csv): from england_by_la.csv, else, for a
    council formed after January 2019 (Cumberland, Westmorland and Furness, North and West Northamptonshire), whose
    figures that file sums into their predecessor's, from england_successors_by_la.csv beside it; None where neither
    has it."""
    for path in (by_la, by_la.parent / SUCCESSORS_FILE):
        if not path.is_file():
            continue
        with open(path, newline="") as f:
            for r in csv.DictReader(ln for ln in f if not ln.startswith("#")):
                if r["la_code"] == code and r["metric"] == "plans_in_force_january" and r["period"] == str(year):
                    return float(r["value"])
    return None


def build_forward_council(forward: dict[str, Any], by_la: Path, place: Callable[[str], Path], name: str,
                          seed: int = 42) -> tuple[Path, Path, int]:
    """Write the council's scenario where `place(name)` says and its targets (its January caseload of the start
    year, for the page's check of the start) beside it: (scenario, targets, start year)."""
    doc = forward_document(forward, name, seed)
    path = place(doc["name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Written by sendsim serve from {forward['name']} (simulator/analysis/fit/forward_council.py).\n"
                    "# Every number carries a source or an assumption; the authority's own figures say so.\n"
                    + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
    start = int(str(doc["start_date"])[:4])
    la = doc["local_authorities"]["items"][0]
    jan = official_january(by_la, la["code"], start)
    tpath = path.parent / "targets" / f"{doc['name']}.csv"
    tpath.parent.mkdir(parents=True, exist_ok=True)
    with open(tpath, "w", newline="") as f:
        f.write(f"# Written by sendsim serve: {la['name']}'s own January {start} caseload.\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["metric", "period", "value", "unit", "tolerance", "tolerance_kind", "source", "note"])
        if jan is not None:
            w.writerow(["plans_in_force_january", start, jan, "plans", 5, "relative",
                        f"DfE SEN2 caseload.csv ({la['name']})", "the authority's own figure"])
    return path, tpath, start
