"""scripts/build_plan_transfers.py: the shipped rates rebuild byte for byte, and a later release's year of
ceased_plans.csv (with its January caseload) is read by itself, England's rate worked by hand from the rows written.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEN2 = ROOT / "data" / "sen2"
FILES = ("release2022_sen2_mi.csv", "ceased_plans.csv", "caseload.csv", "data-guidance-release2025.txt")


def load_builder():
    spec = importlib.util.spec_from_file_location("build_plan_transfers_under_test",
                                                  ROOT / "scripts" / "build_plan_transfers.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_shipped_rates_rebuild_byte_for_byte(tmp_path):
    load_builder().main(["--data", str(SEN2), "--out", str(tmp_path / "pt.yaml")])
    assert (tmp_path / "pt.yaml").read_bytes() == (ROOT / "scenarios" / "plan_transfers.yaml").read_bytes()


def _add_year(path: Path, old: str, new: str, scale: dict[str, float]) -> list[dict[str, str]]:
    """Copy the `old` period's rows as `new`, each column in `scale` times its factor (rounded); returns the new rows."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    added = []
    for r in rows:
        if r["time_period"] == old:
            n = dict(r, time_period=new)
            for col, k in scale.items():
                with contextlib.suppress(ValueError):  # a suppressed cell stays suppressed
                    n[col] = str(round(float(r[col]) * k))
            added.append(n)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows + added)
    return added


def _england(rows: list[dict[str, str]], col: str) -> float:
    return next(float(r[col]) for r in rows if r["geographic_level"] == "National"
                and r.get("breakdown", "All").startswith("All") and r.get("breakdown_topic", "All").startswith("All"))


def test_a_later_year_is_read_by_itself(tmp_path):
    data = tmp_path / "sen2"
    data.mkdir()
    for name in FILES:
        shutil.copy(SEN2 / name, data / name)
    ceased = _add_year(data / "ceased_plans.csv", "2023", "2024", {"transfer": 1.10})
    january = _add_year(data / "caseload.csv", "202324", "202425", {"ehcplans": 1.12})
    (data / "data-guidance-release2026.txt").write_text("synthetic: the release after 2025\n")  # 2024's release
    with open(SEN2 / "caseload.csv", newline="") as f:
        jan24 = _england([r for r in csv.DictReader(f) if r["time_period"] == "202324"], "ehcplans")
    out = tmp_path / "pt.yaml"
    load_builder().main(["--data", str(data), "--out", str(out)])
    doc = yaml.safe_load(out.read_text())
    # England 2024: transfers / the mean of January 2024 and January 2025 (both as written above)
    expected = round(_england(ceased, "transfer") / ((jan24 + _england(january, "ehcplans")) / 2.0), 5)
    assert doc["national_out_rate_by_year"][2024] == expected
    assert sorted(doc["national_out_rate_by_year"]) == [2019, 2020, 2021, 2022, 2023, 2024]
    assert "(2022-2024;" in doc["source"] and "January 2019-2025" in doc["source"]
    assert "release 2026 column transfer" in doc["source"]
