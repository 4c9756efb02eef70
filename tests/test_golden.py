"""The golden outputs of small_la (tests/golden/): every command's results byte for byte, so a refactor that
changes one number fails here. See tests/golden/generate.py for what is kept and how to regenerate on purpose.

Each unit of tests/golden/generate.py (a case study, the runs, the comparisons, ...) is made afresh and compared as a
test of its own, so pytest's workers share the units out; together the tests check every golden file, and that the
set of files made is the set kept (each unit makes exactly the kept files that belong to it, and every kept file
belongs to a unit)."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.golden.generate import GOLDEN, ROOT, VERSIONED, produce_unit, unit_names, unit_of


def _golden_files() -> list[str]:
    return sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())


def _same_parquet(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    ta, tb = pq.read_table(a), pq.read_table(b)
    return ta.schema.equals(tb.schema) and ta.equals(tb)


def test_every_golden_file_belongs_to_one_unit_and_every_unit_has_files():
    golden = _golden_files()
    assert len(golden) > 60
    units = unit_names()
    assert len(units) == len(set(units))
    owners = {rel: unit_of(rel) for rel in golden}
    assert sorted(rel for rel, u in owners.items() if u not in units) == [], "golden files no unit makes"
    assert sorted(set(units) - set(owners.values())) == [], "units with no golden file"


@pytest.mark.parametrize("unit", unit_names())
def test_golden_outputs_are_byte_identical(unit: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the units name the shipped files by paths relative to the repository's root
    fresh = tmp_path / "golden"
    produce_unit(unit, fresh)
    recorded = json.loads((GOLDEN / "versions.json").read_text())
    golden = [rel for rel in _golden_files() if unit_of(rel) == unit]
    made = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert made == golden, "the set of golden files changed"
    differ = []
    for rel in golden:
        if rel == "versions.json":
            continue
        a, b = GOLDEN / rel, fresh / rel
        lib = VERSIONED.get(Path(rel).suffix)
        if lib is not None and recorded.get(lib) != version(lib):
            # another library version writes other metadata: compare content (tables), or skip (images)
            if rel.endswith(".parquet") and not _same_parquet(a, b):
                differ.append(rel)
            continue
        if a.read_bytes() != b.read_bytes():
            differ.append(rel)
    assert not differ, f"golden outputs changed: {differ}"
