"""The golden outputs of small_la (tests/golden/): every command's results byte for byte, so a refactor that
changes one number fails here. See tests/golden/generate.py for what is kept and how to regenerate on purpose."""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.golden.generate import GOLDEN, ROOT, VERSIONED, produce


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        produce(out)
    finally:
        os.chdir(cwd)
    return out


def _same_parquet(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    ta, tb = pq.read_table(a), pq.read_table(b)
    return ta.schema.equals(tb.schema) and ta.equals(tb)


def test_golden_outputs_are_byte_identical(fresh: Path):
    recorded = json.loads((GOLDEN / "versions.json").read_text())
    golden = sorted(p.relative_to(GOLDEN) for p in GOLDEN.rglob("*") if p.is_file())
    made = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert made == golden, "the set of golden files changed"
    assert len(golden) > 60
    differ = []
    for rel in golden:
        if rel.name == "versions.json":
            continue
        a, b = GOLDEN / rel, fresh / rel
        lib = VERSIONED.get(rel.suffix)
        if lib is not None and recorded.get(lib) != version(lib):
            # another library version writes other metadata: compare content (tables), or skip (images)
            if rel.suffix == ".parquet" and not _same_parquet(a, b):
                differ.append(str(rel))
            continue
        if a.read_bytes() != b.read_bytes():
            differ.append(str(rel))
    assert not differ, f"golden outputs changed: {differ}"
