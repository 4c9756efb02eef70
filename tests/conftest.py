"""Shared helpers: scenario variants written to a temporary folder beside a copy of the rule sets; and the order in
which pytest's two workers (pytest-xdist, pyproject's addopts) take the tests."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"


# How pytest's two workers (pytest-xdist, pyproject's addopts) share the tests out.
#
# ONE_WORKER: tests that share a costly fixture of their module, or a cache of their process, run on one worker, so it
# is built once (a module fixture is built once per worker that runs a test of the module). Every other test is a unit
# of its own. (pytest-xdist's own `--dist loadgroup` marks do not group under pytest 9.2: they rename the test's
# node id, which pytest 9.2 no longer lets them do; hence this scheduler, which reads the node ids.)
ONE_WORKER = {
    "tests/test_robustness.py::test_signal_": "signals",  # the clean run they compare with (_clean_summary)
    "tests/test_install.py::": "install",  # the wheel, built and installed once (compiles the core)
    "tests/test_plain_report.py::": "plain_report",
    "tests/test_readback.py::": "readback",
    "tests/test_report.py::": "report",
    "tests/test_forward.py::": "forward",
    "tests/test_server_hardening.py::": "server",
}
# LONGEST_FIRST: the longest tests and groups first, longest first (measured on 2 cores): the workers take units in
# collection order as they free up, so the long ones start at once and the many short ones even out the end. Each entry
# is the start of a test id; a test that matches none keeps its place after these.
LONGEST_FIRST = (
    "tests/test_robustness.py::test_signal_",
    "tests/test_install.py::",
    "tests/test_browser.py::test_web_page_scrolls",
    "tests/test_browser.py::test_a_listed_council",
    "tests/test_plain_report.py::",
    "tests/test_bench.py::test_bench_drives",
    "tests/test_browser.py::test_three_way_report",
    "tests/test_batch.py::test_dask_local",
    "tests/test_readback.py::",
    "tests/test_report.py::",
    "tests/test_browser.py::",
    "tests/test_forward.py::",
    "tests/test_golden.py::test_golden_outputs_are_byte_identical[bench]",
    "tests/test_golden.py::test_golden_outputs_are_byte_identical[compares]",
    "tests/test_golden.py::test_golden_outputs_are_byte_identical[runs]",
    "tests/test_golden.py::",
)


def _first_match(nodeid: str, prefixes) -> int:
    return next((i for i, p in enumerate(prefixes) if nodeid.startswith(p)), len(prefixes))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first (a stable sort: the same order in every worker, as pytest-xdist requires)."""
    items.sort(key=lambda it: _first_match(it.nodeid, LONGEST_FIRST))


def pytest_xdist_make_scheduler(config, log):
    """With `--dist load` (pyproject's addopts): load balancing in collection order, each ONE_WORKER group one unit."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((g for p, g in ONE_WORKER.items() if nodeid.startswith(p)), nodeid)

    return OneWorkerGroups(config, log)


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


def scenario_copy(tmp_path: Path, base: Path = SMALL, name: str = "held_out.yaml", edit=None) -> Path:
    """A copy of a shipped scenario, changed by `edit(doc)`, beside the shipped plan-transfer file it names."""
    doc = yaml.safe_load(base.read_text())
    if edit is not None:
        edit(doc)
    if doc.get("plan_transfers"):
        shutil.copy(base.parent / doc["plan_transfers"], tmp_path / doc["plan_transfers"])
    p = tmp_path / name
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def one_refusal(load, path: Path) -> str:
    """The one line `load(path)` refuses the file with (an `InputError` of exactly one line)."""
    from simulator.schema.files import InputError

    with pytest.raises(InputError) as e:
        load(path)
    assert len(e.value.lines) == 1, e.value.lines
    return e.value.lines[0]


def refused_line(path: Path) -> str:
    """The one line `load_scenario` refuses the file with."""
    from simulator.rules.scenario import load_scenario

    return one_refusal(load_scenario, path)


def exit_and_err(main, args: list[str], capsys) -> tuple[int, str]:
    """A script's `main(args)` run in this process: its exit code (0 when it returns) and its standard error."""
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


@pytest.fixture(scope="session")
def small_comparison(tmp_path_factory) -> Path:
    """small_la under current law and the Green Paper, 2 replications, saved (the chart and report tests read it;
    a module may define its own of another size)."""
    from simulator.api import compare

    out = tmp_path_factory.mktemp("cmp2") / "cmp"
    compare("small_la", rules=["current_2014", "green_paper_2022"], replications=2, out=str(out), workers=1)
    return out


def pin(node: dict, value: float, **extra) -> None:
    """Set a sourced number for a test: the value, and 'test fixture' as its source."""
    keep = {k: node[k] for k in ("distribution",) if k in node}
    node.clear()
    node.update({"value": value, "source": "test fixture", **keep, **extra})


def quiet(doc: dict) -> dict:
    """A copy of a scenario with no stock, no disputes, no refusals and no growth: a clean slate."""
    d = copy.deepcopy(doc)
    d["lead_in_days"] = 0.0
    d.pop("plan_transfers", None)  # no plans moving in or out (route/moves.py's population flows)
    d.pop("staffing", None)  # staff by the year's assessments: fixed servers, so hand-worked queues hold
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


# the working times a one-child test fixes at their central values, so its dates can be worked out by hand
FIXED_WORKING_TIMES = ("panel_decision_days", "ep_advice_days", "health_advice_days", "social_care_advice_days",
                       "school_advice_days", "decide_to_issue_days", "draft_writing_days",
                       "setting_consultation_days", "finalise_days", "place_start_days")


def one_child_fixed(doc: dict) -> dict:
    """A quiet scenario for one child at a time: no other requests, every working time fixed at its central value,
    mediation held at day 25 and an appeal lodged at day 30 after a decision, and no lateness, withdrawal,
    concession or drop-out (the shared fixture of the mechanism and rule tests)."""
    d = quiet(doc)
    d["local_authorities"]["items"][0]["requests_per_year"] = 0
    for k in FIXED_WORKING_TIMES:
        pin(d["durations"][k], d["durations"][k]["value"], distribution="fixed")
    r = d["redress"]
    pin(r["mediation_held_days"], 25, distribution="fixed")
    pin(r["decision_to_appeal_days"], 30, distribution="fixed")
    for k in ("mediation_held_late_probability", "withdrawn_probability", "la_concedes_probability"):
        pin(r[k], 0.0)
    for v in r["drop_out_at_compelled_rung_probability"].values():
        pin(v, 0.0)
    return d


def sweep_refusal(tmp: Path, edit) -> list[str]:
    """The lines `plan_sweep` refuses the shipped mediation sweep with after `edit(doc)`, the file's name removed
    (the held-out sweep tests)."""
    from simulator.analysis.batch.sweep_plan import plan_sweep
    from simulator.schema.files import InputError

    doc = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    edit(doc)
    p = tmp / "sweep.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as e:
        plan_sweep(p)
    return [ln.replace(f"{p}:", "") for ln in e.value.lines]
