"""Shared helpers: scenario variants written to a temporary folder beside a copy of the rule sets."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"


@pytest.fixture(scope="session")
def small_dict() -> dict:
    return yaml.safe_load(SMALL.read_text())


def write_scenario(tmp: Path, doc: dict, name: str = "scenario.yaml") -> Path:
    rules = tmp / "rules"
    if not rules.exists():
        shutil.copytree(ROOT / "scenarios" / "rules", rules)
    p = tmp / name
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def pin(node: dict, value: float, **extra) -> None:
    """Set a sourced number for a test: the value, and 'test fixture' as its source."""
    keep = {k: node[k] for k in ("distribution",) if k in node}
    node.clear()
    node.update({"value": value, "source": "test fixture", **keep, **extra})


def quiet(doc: dict) -> dict:
    """A copy of a scenario with no stock, no disputes, no refusals and no growth: a clean slate."""
    d = copy.deepcopy(doc)
    d["lead_in_days"] = 0.0
    la = d["local_authorities"]["items"][0]
    for k in list(la):
        if k.startswith("stock_"):
            la[k] = 0
    for k in list(la):
        if k.endswith("_by_year"):
            la[k] = {}  # per-year figures would override the values a test sets
    la["refuse_to_assess_probability"] = 0.0
    la["no_plan_after_assessment_probability"] = 0.0
    pin(d["demand"]["requests_growth_pct_per_year"], 0.0)
    pin(d["demand"]["capacity_growth_pct_per_year"], 0.0)
    for v in d["redress"]["dispute_probability"].values():
        pin(v, 0.0)
    for v in d["naming"]["refuse_requested_setting_probability"].values():
        pin(v, 0.0)
    pin(d["tribunal"]["backlog_at_start"], 0)
    pin(d["redress"]["disputes_in_progress_at_start"], 0)
    pin(d["population"]["regulation_10_4_exception_probability"], 0.0)
    pin(d["population"]["request_withdrawn_probability"], 0.0)
    pin(d["population"]["assessment_withdrawn_probability"], 0.0)
    pin(d["population"]["assessment_lapsed_probability"], 0.0, by_year={})
    return d
