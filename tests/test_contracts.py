"""Contracts between the layers, declared by name: streams, counts, rungs, effects, metrics, legal values, pickling.

Each contract is a list in one module; these tests fail when code uses a name the list does not declare, or when
two lists that must agree drift apart.
"""

from __future__ import annotations

import ast
import pickle
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from simulator.analysis.runs.case_study import case_study, final_plan_limits, load_case
from simulator.analysis.runs.metrics import METRICS, REGISTRY, TARGET_METRICS
from simulator.analysis.runs.run import run_replication
from simulator.engine.core.streams import Streams
from simulator.engine.model import records
from simulator.engine.model.route.redress import RUNG_STEPS
from simulator.engine.model.streams import (
    FIRST_PASS_DURATION_PREFETCH,
    FIRST_PASS_PREFETCH,
    STOCK_REVIEW_PREFETCH,
    STREAMS,
    RouteStreams,
)
from simulator.rules.law import EffectSizes
from simulator.rules.scenario import load_scenario
from simulator.schema.case_study import CaseStudy
from simulator.schema.files import parse_model
from simulator.schema.network import Network
from simulator.schema.rules import Effects, RuleDelta
from simulator.schema.vocabulary import RUNGS

from .conftest import ROOT, write_scenario

MODEL = ROOT / "simulator" / "engine" / "model"


def _calls(attr: str) -> list[ast.Call]:
    out = []
    for f in sorted(MODEL.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attr:
                out.append(node)
    return out


def test_every_stream_the_route_draws_from_is_declared():
    used = set()
    for f in sorted(MODEL.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            # self.rng.NAME / rng.NAME / r.NAME read as a Draw
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and \
                    node.value.attr == "rng" and isinstance(node.value.value, ast.Name) and node.attr != "get":
                used.add(node.attr)
    assert len(used) > 40
    assert used <= set(STREAMS), sorted(used - set(STREAMS))
    assert len(set(STREAMS)) == len(STREAMS)  # no name declared twice
    prefetched = set(STOCK_REVIEW_PREFETCH) | set(FIRST_PASS_PREFETCH) | set(FIRST_PASS_DURATION_PREFETCH)
    assert prefetched <= set(STREAMS)


def test_an_undeclared_stream_is_refused():
    rng = RouteStreams(Streams(1, 0))
    assert rng.refuse_assess.u(5) == Streams(1, 0).uniform("refuse_assess", 5)  # declared: the keyed draw
    with pytest.raises(AttributeError, match="unknown random stream 'refuse_asess'"):
        rng.refuse_asess  # noqa: B018 - a typo
    with pytest.raises(KeyError, match="unknown random stream"):
        rng.get("dispute_refusal_to_asess")


def test_every_count_the_route_adds_is_declared_and_every_metric_reads_declared_counts():
    names = []
    for call in _calls("add") + _calls("add_la") + _calls("count"):
        if not (isinstance(call.func.value, ast.Attribute) and call.func.value.attr == "counters"):
            continue
        arg = call.args[0] if call.func.attr == "add" else call.args[1]
        names.append(arg)
    consts = {n.id for n in names if isinstance(n, ast.Name) and n.id.isupper()}
    strings = [n.value for n in names if isinstance(n, ast.Constant)]
    assert not strings, f"counts added under bare strings: {strings}"
    for c in consts:
        assert getattr(records, c) in records.COUNTS, c
    assert len(consts) > 15
    # and the metrics read counts only through the declared names
    src = (ROOT / "simulator" / "analysis" / "runs" / "metrics.py").read_text()
    read = {n.attr for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "rc"}
    assert read and all(hasattr(records, r) for r in read)
    assert records.LA_COUNTS <= records.COUNTS


def test_every_rung_has_a_handler():
    assert set(RUNG_STEPS) | {"tribunal"} == set(RUNGS)


def test_compiled_effects_are_the_rule_set_effects():
    assert [f.name for f in fields(EffectSizes)] == list(Effects.model_fields)


def test_the_metric_registry_lists_every_headline_metric_in_order(tmp_path):
    loaded = load_scenario(ROOT / "scenarios" / "small_la.yaml")
    res = run_replication(loaded, 1, 0, events=False)
    assert list(res["metrics"]) == [m.name for m in METRICS]
    for m in METRICS:
        assert m.label and m.how and m.unit in ("count", "percent", "weeks", "GBP")
        assert (m.unit == "percent") == m.name.endswith("_pct")
    assert set(REGISTRY) == {m.name for m in METRICS}
    assert all(t.kind in ("calendar", "january", "academic") for t in TARGET_METRICS.values())
    import csv

    rows = [r for r in csv.DictReader(ln for ln in (ROOT / "scenarios" / "targets" / "england.csv").open()
                                      if not ln.startswith("#"))]
    assert rows and {r["metric"] for r in rows} <= set(TARGET_METRICS)


def test_files_read_from_disk_the_loaded_scenario_and_the_law_can_be_pickled():
    loaded = load_scenario(ROOT / "scenarios" / "england.yaml")
    again = pickle.loads(pickle.dumps(loaded))
    assert again == loaded and again.law == loaded.law and again.scenario == loaded.scenario
    case, _lines, _raw = parse_model(ROOT / "case_studies" / "sam_autistic_mainstream_specialist.yaml", CaseStudy)
    net, _lines, _raw = parse_model(ROOT / "benchmarks" / "reference_network.yaml", Network)
    delta, _lines, _raw = parse_model(ROOT / "scenarios" / "rules" / "green_paper_2022.yaml", RuleDelta)
    for obj in (case, net, delta, loaded.rules):
        assert pickle.loads(pickle.dumps(obj)) == obj


def _limit_reform(tmp: Path, weeks: float) -> str:
    name = f"limit_{int(weeks)}_weeks"
    doc = {"name": name, "label": f"Final plan within {weeks:g} weeks", "description": "test rule set",
           "baseline": "current_2014",
           "switches": {f"final_plan_{int(weeks)}": {"label": "limit", "source": "test fixture", "in_force": "start",
                                                     "in_force_source": "test fixture", "changes": [
               {"path": "timeline.final_plan", "value": weeks, "source": "test fixture"},
               # a final plan due before the 16-week decision to issue it is refused (ileftG): a shorter limit brings
               # the decision's limit down with it, to the decision to assess's 6 weeks at most
               *([{"path": "timeline.decide_to_issue", "value": min(weeks, 6), "source": "test fixture"}]
                 if weeks < 16 else [])]}}}
    (tmp / "rules" / f"{name}.yaml").write_text(yaml.safe_dump(doc))
    return name


def test_case_studies_and_charts_read_the_final_plan_limit_from_the_rule_set(tmp_path, small_dict):
    """A reform of timeline.final_plan moves the case study's 'within the limit' and the chart's line with it."""
    write_scenario(tmp_path, small_dict, "small_la.yaml")
    case = yaml.safe_load((ROOT / "case_studies" / "sam_autistic_mainstream_specialist.yaml").read_text())
    case["scenario"] = "small_la.yaml"
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case))
    short, long = _limit_reform(tmp_path, 8), _limit_reform(tmp_path, 400)
    load_case(path)
    res = case_study(path, ["current_2014", short, long], runs=5, seed=2)
    by = {r["rules"]: r for r in res["results"]}
    # the limit changes no step of the route (the same children, the same draws): only what counts as on time
    assert by[short]["weeks_to_final_plan"] == by["current_2014"]["weeks_to_final_plan"] == by[long][
        "weeks_to_final_plan"]
    assert by["current_2014"]["within_20_weeks_pct"] > 0.0
    assert by[short]["within_20_weeks_pct"] == 0.0  # no plan is made within 8 weeks (draft and consultation alone)
    assert by[long]["within_20_weeks_pct"] == by[long]["weeks_to_final_plan"]["reached_pct"]  # every plan made
    limits = final_plan_limits(path, ["current_2014", short])
    assert limits["current_2014"] == (20.0, "SEND Regs 2014 reg 13(2)")
    assert limits[short][0] == 8.0
