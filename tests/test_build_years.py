"""scripts/build_scenarios.py takes its years from the SEN2 files: a later release (one more calendar year of activity
and its January caseload, dropped into the same files) is built into the England scenario, its targets and the
rolling origin without editing the script; files whose years disagree are refused in one line.

The later release is synthetic: the shipped 2023 rows copied as 2024 (and the January 2024 caseload as January 2025)
with values changed by rules stated here (`LATER`), for a handful of authorities (Wandsworth, the small_la one;
Northamptonshire and Cumbria, whose successors report for them; the Dorset and BCP units the January 2019 stock
needs), so that the build takes a few seconds. Every expected figure is worked from the rows this file writes.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEN2 = ROOT / "data" / "sen2"
KEEP = {"212", "928", "940", "941", "909", "942", "943", "835", "836", "837", "838", "839"}
# the later year's figures: the 2023 count x the factor, rounded (suppressed cells stay suppressed)
LATER = {"requests.csv": {"requests_received_in_year": 1.10, "requests_decided_not_to_assess": 1.25},
         "assessments.csv": {"assess_issued": 1.05},
         "timeliness_20_week.csv": {"plans_issued_20_weeks_ex": 0.80},
         "caseload.csv": {"ehcplans": 1.12}}


def load_builder():
    spec = importlib.util.spec_from_file_location("build_scenarios_under_test", ROOT / "scripts" / "build_scenarios.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclass looks its module up while it is defined
    spec.loader.exec_module(mod)
    return mod


def number(v: str | None) -> float | None:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def later(v: str, factor: float) -> str:
    try:
        return str(round(float(v) * factor))
    except ValueError:
        return v


def write_release(dst: Path, codes: set[str] | None = KEEP, add: bool = True, skip: tuple[str, ...] = ()) -> None:
    """The shipped SEN2 files (only the authorities `codes`, with every National row), plus, if `add`, calendar 2024
    and January 2025 made from 2023 and January 2024 by `LATER`; the files in `skip` get no new year."""
    dst.mkdir(parents=True)
    for name in ("release2022_sen2_mi.csv", "data-guidance-release2025.txt"):
        shutil.copy(SEN2 / name, dst / name)
    (dst / "data-guidance-release2026.txt").write_text("synthetic: the release after 2025\n")
    for name, old, new in (("requests.csv", "2023", "2024"), ("assessments.csv", "2023", "2024"),
                           ("timeliness_20_week.csv", "2023", "2024"), ("caseload.csv", "202324", "202425")):
        with open(SEN2 / name, newline="") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or [])
            rows = [r for r in reader if r["geographic_level"] == "National"
                    or (r["geographic_level"] == "Local authority" and (codes is None or r["old_la_code"] in codes))]
        if add and name not in skip:
            for r in [r for r in rows if r["time_period"] == old]:
                n = dict(r, time_period=new)
                for col, factor in LATER[name].items():
                    n[col] = later(r[col], factor)
                num, den = number(n.get("plans_issued_20_weeks_ex")), number(r.get("plans_issued_den_ex"))
                if name == "timeliness_20_week.csv" and num is not None and den:
                    n["PC_plans_issued_20_weeks_ex"] = str(round(100.0 * num / den, 1))
                rows.append(n)
        with open(dst / name, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def shipped(name: str, period: str, level: str, col: str, code: str | None = None) -> float:
    with open(SEN2 / name, newline="") as f:
        for r in csv.DictReader(f):
            if (r["time_period"] == period and r["geographic_level"] == level and r["breakdown_topic"].startswith("All")
                    and (code is None or r["old_la_code"] == code)):
                return float(r[col])
    raise LookupError((name, period, code))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("later_release")
    write_release(tmp / "sen2")
    load_builder().main(["--data", str(tmp / "sen2"), "--out", str(tmp / "out")])
    return tmp / "out"


def targets(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_later_year_national_targets(built):
    rows = {(t["metric"], t["period"]): t for t in targets(built / "targets" / "england.csv")}
    n = round(shipped("requests.csv", "2023", "National", "requests_received_in_year") * 1.10)
    refused = round(shipped("requests.csv", "2023", "National", "requests_decided_not_to_assess") * 1.25)
    assert float(rows[("initial_requests_for_assessment", "2024")]["value"]) == n
    assert "(release 2026)" in rows[("initial_requests_for_assessment", "2024")]["source"]
    assert float(rows[("requests_refused_pct", "2024")]["value"]) == round(100 * refused / n, 1)
    issued = round(shipped("assessments.csv", "2023", "National", "assess_issued") * 1.05)
    assert float(rows[("new_plans_issued", "2024")]["value"]) == issued
    assert float(rows[("new_plans_issued", "2023")]["value"]) == 84400  # EES 2024's figure stays with 2023 alone
    num = round(shipped("timeliness_20_week.csv", "2023", "National", "plans_issued_20_weeks_ex") * 0.80)
    den = shipped("timeliness_20_week.csv", "2023", "National", "plans_issued_den_ex")
    assert float(rows[("within_20_weeks_pct", "2024")]["value"]) == round(100 * num / den, 1)
    jan = round(shipped("caseload.csv", "202324", "National", "ehcplans") * 1.12)
    assert float(rows[("plans_in_force_january", "2025")]["value"]) == jan
    assert ("initial_requests_for_assessment", "2025") not in rows


def test_later_year_authority_targets(built):
    rows = {(t["la_code"], t["metric"], t["period"]): float(t["value"])
            for t in targets(built / "targets" / "england_by_la.csv")}
    wand = round(shipped("requests.csv", "2023", "Local authority", "requests_received_in_year", "212") * 1.10)
    assert rows[("212", "initial_requests_for_assessment", "2024")] == wand
    # Northamptonshire's successors report for it in the new year too (North + West)
    north = sum(round(shipped("requests.csv", "2023", "Local authority", "requests_received_in_year", c) * 1.10)
                for c in ("940", "941"))
    assert rows[("928", "initial_requests_for_assessment", "2024")] == north
    issued = sum(round(shipped("assessments.csv", "2023", "Local authority", "assess_issued", c) * 1.05)
                 for c in ("942", "943"))
    assert rows[("909", "new_plans_issued", "2024")] == issued
    # January 2024, now inside the activity years, is the successors' (North + West) count
    jan = sum(shipped("caseload.csv", "202324", "Local authority", "ehcplans", c) for c in ("940", "941"))
    assert rows[("928", "plans_in_force_january", "2024")] == jan
    # January 2021 and January 2023 came before the April reorganisations: the old counties reported them
    assert rows[("928", "plans_in_force_january", "2021")] == shipped("caseload.csv", "202021", "Local authority",
                                                                    "ehcplans", "928")
    assert rows[("909", "plans_in_force_january", "2023")] == shipped("caseload.csv", "202223", "Local authority",
                                                                    "ehcplans", "909")
    # January 2025, the January after the last activity year, is the successors' (Cumberland + Westmorland)
    jan25 = sum(round(shipped("caseload.csv", "202324", "Local authority", "ehcplans", c) * 1.12) for c in ("942", "943"))
    assert rows[("909", "plans_in_force_january", "2025")] == jan25
    assert ("212", "within_20_weeks_pct", "2024") in rows


def test_later_year_england_scenario(built):
    doc = yaml.safe_load((built / "england.yaml").read_text())
    assert str(doc["end_date"]) == "2026-12-31"
    assert "January 2019 to December 2026" in doc["description"]
    assert "Not calibrated yet for 2024" in doc["description"]
    wand = next(it for it in doc["local_authorities"]["items"] if it["code"] == "212")
    assert wand["requests_by_year"][2024] == round(
        shipped("requests.csv", "2023", "Local authority", "requests_received_in_year", "212") * 1.10)
    assert {2024} <= set(wand["refuse_to_assess_by_year"]) & set(wand["no_plan_after_assessment_by_year"]) \
        & set(wand["capacity_by_year"]) & set(wand["casework_per_week_by_year"])
    assert max(wand["late_share_by_year"]) == 2023  # the shipped calibration stops there
    prov = doc["local_authorities"]["provenance"]
    assert "calendar 2019-2024" in prov["requests_by_year"]["source"]
    assert "2025-2026 keep the 2024 value" in prov["refuse_to_assess_by_year"]["source"]
    assert "2024 not fitted yet" in prov["late_share_by_year"]["assumption"]
    lapse = doc["population"]["assessment_lapsed_probability"]
    assert max(lapse["by_year"]) == 2023 and "2024 not fitted yet" in lapse["assumption"]
    forward = yaml.safe_load((built / "england_from_2025.yaml").read_text())
    assert str(forward["start_date"]) == "2025-01-01" and forward["projection"]["last_data_year"] == 2024


def test_later_year_loads_and_origin_2023(built):
    """The scenario loads (a year without a fitted late share or lapse carries the last one), the rolling origin's
    bounds run from start + 1 to end - 1 (2023 among them), and the origin document keeps 2023 and cuts 2024."""
    from simulator.analysis.fit.backtest import load_targets
    from simulator.analysis.fit.rolling import origin_document, rolling_origin
    from simulator.rules.scenario import load_scenario
    from simulator.schema.files import InputError

    path = built / "england.yaml"
    sc = load_scenario(path).scenario
    wand = next(la for la in sc.local_authorities.items if la.code == "212")
    assert wand.late_share_in_year(2024) == wand.late_share_by_year[2023]
    assert sc.population.assessment_lapsed_probability.in_year(2024) == \
        sc.population.assessment_lapsed_probability.by_year[2023]
    with pytest.raises(InputError, match="allowed: 2020 to 2025"):
        rolling_origin(path, 2026, rounds=0)
    known = [t for t in load_targets(built / "targets" / "england.csv", sc.start_date, sc.end_date)
             if int(t.period[:4]) <= 2023]
    cut, _notes = origin_document(yaml.safe_load(path.read_text()), 2023, known)
    w = next(it for it in cut["local_authorities"]["items"] if it["code"] == "212")
    assert max(w["requests_by_year"]) == 2023 and max(w["refuse_to_assess_by_year"]) == 2023


@pytest.mark.parametrize("skip, says", [
    (("assessments.csv",), "assessments.csv: no time_period 2024 (allowed: the years of requests.csv, 2019-2024)"),
    (("caseload.csv",), "caseload.csv: no time_period 202425 (January 2025; allowed: January 2019-2025"),
    (("requests.csv",), "assessments.csv:"),  # the first file names the years: the others' 2024 is extra
])
def test_years_that_disagree_are_refused_in_one_line(tmp_path, capsys, skip, says):
    write_release(tmp_path / "sen2", codes={"212"}, skip=skip)
    with pytest.raises(SystemExit) as e:
        load_builder().main(["--data", str(tmp_path / "sen2"), "--out", str(tmp_path / "out")])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and "2024" in err, err
    assert not (tmp_path / "out").exists()
