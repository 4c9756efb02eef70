"""A corpus of bad files, generated from the shipped ones: every one exits 2 with one line, no traceback, nothing
written.

Why generated: the held-out checks try more files of the same classes than any list of examples, so each class is
produced by a rule (mutate a leaf, repeat a key, nest aliases...) applied to the shipped scenario, rule set, case
study, benchmark network and targets file. The classes are those of issue 13: encoding and structure (empty,
binary, NUL, Latin-1, a list or a scalar at the top, broken YAML), duplicate keys, alias bombs and self-reference,
deep nesting, NaN and infinity, physical bounds, impossible dates, effect bounds, wrong types, unknown and missing
fields.
"""

from __future__ import annotations

import copy
import math
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"
RULES = ROOT / "scenarios" / "rules" / "current_2014.yaml"
REFORM = ROOT / "scenarios" / "rules" / "green_paper_2022.yaml"
CASE = ROOT / "case_studies" / "sam_autistic_mainstream_specialist.yaml"
NETWORK = ROOT / "benchmarks" / "reference_network.yaml"
TARGETS = ROOT / "scenarios" / "targets" / "small_la.csv"

SC = yaml.safe_load(SMALL.read_text())
RS = yaml.safe_load(RULES.read_text())


def _set(doc: dict, path: tuple, value: object) -> dict:
    d = copy.deepcopy(doc)
    node = d
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return d


def _dump(doc: object) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def _bomb(levels: int = 9, width: int = 10) -> str:
    text = "a: &a [" + ",".join(["x"] * width) + "]\n"
    for i in range(1, levels):
        text += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * width) + "]\n"
    return text


LA = ("local_authorities", "items", 0)
T = SMALL.read_text()
R = RULES.read_text()

# (name, kind, content): kind says which file is bad; content is text or bytes
SCENARIO_CASES: list[tuple[str, str | bytes]] = [
    # encoding and structure
    ("empty", ""),
    ("whitespace_only", "   \n\n  \n"),
    ("comments_only", "# nothing here\n# at all\n"),
    ("binary", bytes(range(256)) * 8),
    ("nul_byte", T.encode()[:200] + b"\x00" + T.encode()[200:]),
    ("latin1_byte", T.encode() + "\ndescription_note: caf\xe9\n".encode("latin-1")),
    ("latin1_in_value", T.replace("Wandsworth", "Wandsw\xf6rth", 1).encode("latin-1", errors="replace")),
    ("utf16", T.encode("utf-16")),
    ("list_top", "- 1\n- 2\n"),
    ("scalar_top", "just a line of text\n"),
    ("number_top", "42\n"),
    ("broken_yaml_bracket", T + "\nextra: [1, 2\n"),
    ("broken_yaml_indent", "name: x\n  description: y\n rules: z\n"),
    ("two_documents", T + "\n---\nname: other\n"),
    ("tab_indent", "name: x\nlocal_authorities:\n\titems: []\n"),
    # duplicate keys
    ("duplicate_top_key", T + "\nseed: 7\n"),
    ("duplicate_nested_key", T.replace("    panel_servers: ", "    panel_servers: 46\n    panel_servers: ", 1)
     if "    panel_servers: " in T else T + "\nname: again\n"),
    ("duplicate_key_in_flow", "name: x\ndemand: {a: 1, a: 2}\n"),
    # aliases
    ("billion_laughs", _bomb()),
    ("billion_laughs_wide", _bomb(6, 40)),
    ("alias_bomb_in_scenario", _bomb(8, 12) + T),
    ("self_alias", "name: &a [1, *a]\n"),
    ("self_alias_map", "root: &r {child: *r}\n"),
    ("unknown_alias", "name: *nowhere\n"),
    # deep nesting
    ("deep_nesting_list", "name: " + "[" * 5000 + "]" * 5000 + "\n"),
    ("deep_nesting_map", "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v: 1\n"),
    # NaN and infinity
    ("nan_requests", _dump(_set(SC, (*LA, "requests_per_year"), float("nan")))),
    ("inf_requests", _dump(_set(SC, (*LA, "requests_per_year"), float("inf")))),
    ("minus_inf_growth", _dump(_set(SC, ("demand", "requests_growth_pct_per_year", "value"), float("-inf")))),
    ("nan_probability", _dump(_set(SC, ("population", "health_needs_probability", "value"), float("nan")))),
    ("nan_duration", _dump(_set(SC, ("durations", "ep_advice_days", "value"), float("nan")))),
    ("inf_lead_in", _dump(_set(SC, ("lead_in_days",), float("inf")))),
    ("nan_range", _dump(_set(SC, ("demand", "capacity_growth_pct_per_year", "range"), [0.0, float("nan")]))),
    ("nan_string", _dump(_set(SC, (*LA, "requests_per_year"), "nan"))),
    ("inf_string", _dump(_set(SC, ("tribunal", "hearings_per_year", "value"), "Infinity"))),
    ("overflow_literal", re.sub(r"lead_in_days: [0-9.]+", "lead_in_days: 1e400", T, count=1)),
    # physical bounds
    ("requests_1e308", _dump(_set(SC, (*LA, "requests_per_year"), 1e308))),
    ("requests_above_10x_england", _dump(_set(SC, (*LA, "requests_per_year"), 2_000_000.0))),
    ("stock_1e12", _dump(_set(SC, (*LA, "stock_mainstream"), 10**12))),
    ("servers_1e9", _dump(_set(SC, (*LA, "panel_servers"), 10**9))),
    ("servers_zero", _dump(_set(SC, (*LA, "ep_servers"), 0))),
    ("lead_in_1e308", _dump(_set(SC, ("lead_in_days",), 1e308))),
    ("warmup_100_years", _dump(_set(SC, ("warmup_days",), 36525.0))),
    ("growth_1e308", _dump(_set(SC, ("demand", "requests_growth_pct_per_year", "value"), 1e308))),
    ("growth_minus_150", _dump(_set(SC, ("tribunal", "hearings_growth_pct_per_year", "value"), -150.0))),
    ("hearings_1e9", _dump(_set(SC, ("tribunal", "hearings_per_year", "value"), 1e9))),
    ("duration_1e6_days", _dump(_set(SC, ("durations", "panel_decision_days", "value"), 1e6))),
    ("delay_1e6_days", _dump(_set(SC, (*LA, "delay_days_by_year"), {2019: 1e6}))),
    ("capacity_multiplier_1e6", _dump(_set(SC, (*LA, "capacity_by_year"), {2019: 1e6}))),
    ("year_key_3000", _dump(_set(SC, (*LA, "refuse_to_assess_by_year"), {3000: 0.1}))),
    ("replications_1e9", _dump(_set(SC, ("replications",), 10**9))),
    ("seed_2_pow_70", _dump(_set(SC, ("seed",), 2**70))),
    ("negative_requests", _dump(_set(SC, (*LA, "requests_per_year"), -5.0))),
    ("negative_stock", _dump(_set(SC, (*LA, "stock_post16"), -1))),
    ("probability_1_5", _dump(_set(SC, ("population", "request_withdrawn_probability", "value"), 1.5))),
    ("probability_negative", _dump(_set(SC, (*LA, "refuse_to_assess_probability"), -0.1))),
    ("range_negative_for_a_count", _dump(_set(SC, ("tribunal", "backlog_at_start", "range"), [-500.0, 3300.0]))),
    ("provenance_range_negative", _dump(_set(SC, ("local_authorities", "provenance", "panel_servers", "range"),
                                             [-0.5, 2.0]))),
    ("pct_above_100", _dump(_set(SC, (*LA, "observed_within_20_weeks_pct"), 150.0))),
    # dates
    ("date_feb_30", _dump(_set(SC, ("start_date",), "2019-02-30"))),
    ("date_letters", _dump(_set(SC, ("end_date",), "ab-cd"))),
    ("date_month_13", _dump(_set(SC, ("end_date",), "2020-13-01"))),
    ("date_year_9999", _dump(_set(SC, ("end_date",), "9999-12-31"))),
    ("date_horizon_200_years", _dump(_set(SC, ("end_date",), "2219-01-01"))),
    ("end_before_start", _dump(_set(SC, ("end_date",), "2018-01-01"))),
    # types, unknown and missing fields
    ("string_for_number", _dump(_set(SC, (*LA, "requests_per_year"), "twelve"))),
    ("list_for_number", _dump(_set(SC, ("durations", "ep_advice_days", "value"), [1, 2]))),
    ("map_for_list", _dump(_set(SC, ("local_authorities", "items"), {"a": 1}))),
    ("bool_for_date", _dump(_set(SC, ("start_date",), True))),
    ("unknown_field", _dump(_set(SC, ("typo_feild",), 1))),
    ("unknown_nested_field", _dump(_set(SC, ("durations", "ep_advice_dayz"), {"value": 1, "source": "x"}))),
    ("missing_field", _dump({k: v for k, v in SC.items() if k != "tribunal"})),
    ("unknown_rule_set", _dump(_set(SC, ("rules",), "current_2041"))),
    ("bad_name", _dump(_set(SC, ("name",), "../../etc/passwd"))),
]

RS_EFF = ("effects",)
RULE_CASES: list[tuple[str, str | bytes]] = [
    ("rules_date_feb_30", _dump(_set(RS, ("timeline", "phase_transfer_school_deadline", "value"), "02-30"))),
    ("rules_date_letters", _dump(_set(RS, ("timeline", "phase_transfer_post16_deadline", "value"), "ab-cd"))),
    ("rules_date_month_13", _dump(_set(RS, ("timeline", "phase_transfer_school_deadline", "value"), "13-01"))),
    ("rules_requests_multiplier_10", _dump(_set(RS, (*RS_EFF, "requests_multiplier", "value"), 10.0))),
    ("rules_multiplier_negative", _dump(_set(RS, (*RS_EFF, "no_plan_multiplier", "value"), -1.0))),
    ("rules_multiplier_1e9", _dump(_set(RS, (*RS_EFF, "draft_writing_multiplier", "value"), 1e9))),
    ("rules_period_1e308", _dump(_set(RS, ("timeline", "final_plan", "value"), 1e308))),
    ("rules_nan", _dump(_set(RS, ("timeline", "decide_to_assess", "value"), float("nan")))),
    ("rules_inf_cost", _dump(_set(RS, ("costs", "assessment", 0, "amount", "value"), float("inf")))),
    ("rules_cost_1e12", _dump(_set(RS, ("costs", "assessment", 0, "amount", "value"), 1e12))),
    ("rules_probability_1_5", _dump(_set(RS, (*RS_EFF, "school_support_plan_share", "value"), 1.5))),
    ("rules_cost_range_negative", _dump(_set(RS, ("costs", "assessment", 0, "amount", "range"), [-5000.0, 2000.0]))),
    ("rules_cost_range_huge", _dump(_set(RS, ("costs", "assessment", 0, "amount", "range"), [0.0, 1e300]))),
    ("rules_unknown_unit", _dump(_set(RS, ("timeline", "final_plan", "unit"), "fortnights"))),
    ("rules_duplicate_final_plan", R.replace("  final_plan:", "  final_plan: {value: 1, unit: weeks, label: x, "
                                                              "reference: y}\n  final_plan:", 1)),
    ("rules_billion_laughs", _bomb() + R),
    ("rules_latin1", R.encode() + "\n# caf\xe9\n".encode("latin-1")),
    ("rules_list_top", "- current_2014\n"),
    ("rules_empty", ""),
]
assert "  final_plan:" in R

REFORM_CASES: list[tuple[str, str]] = [
    ("reform_requests_multiplier_10", "name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2014\n"
     "switches:\n  boom:\n    label: x\n    source: x\n    in_force: start\n    in_force_source: x\n    changes:\n"
     "      - {path: effects.requests_multiplier, value: 10, source: x}\n"),
    ("reform_date_feb_30", "name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2014\n"
     "switches:\n  late:\n    label: x\n    source: x\n    in_force: start\n    in_force_source: x\n    changes:\n"
     "      - {path: timeline.phase_transfer_school_deadline, value: '02-30', source: x}\n"),
    ("reform_duplicate_switch_key", "name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2014\n"
     "switches:\n  a:\n    label: x\n    label: y\n    source: x\n    in_force: start\n    in_force_source: x\n    changes:\n"
     "      - {path: effects.requests_multiplier, value: 1.2, source: x}\n"),
]

CASE_TEXT = CASE.read_text().replace("scenario: ../scenarios/", f"scenario: {ROOT}/scenarios/", 1)
NET_TEXT = NETWORK.read_text()
TARGET_TEXT = TARGETS.read_text()
first_case_key = next(ln for ln in CASE_TEXT.splitlines() if ln and ln[0].isalpha() and ":" in ln)
first_net_key = next(ln for ln in NET_TEXT.splitlines() if ln and ln[0].isalpha() and ":" in ln)
header = next(ln for ln in TARGET_TEXT.splitlines() if ln and not ln.startswith("#"))
OTHER_CASES: list[tuple[str, str, str | bytes]] = [
    ("case_duplicate_key", "case", CASE_TEXT + "\n" + first_case_key + "\n"),
    ("case_billion_laughs", "case", _bomb() + CASE_TEXT),
    ("case_latin1", "case", CASE_TEXT.encode() + b"\n# caf\xe9\n"),
    ("case_empty", "case", ""),
    ("network_duplicate_key", "network", NET_TEXT + "\n" + first_net_key + "\n"),
    ("network_nan", "network", NET_TEXT + "\nextra_nan: .nan\n"),
    ("network_binary", "network", bytes(range(256))),
    ("targets_latin1", "targets", TARGET_TEXT.encode() + "caf\xe9,1,2\n".encode("latin-1")),
    ("targets_duplicate_column", "targets", TARGET_TEXT.replace(header, header + "," + header.split(",")[0], 1)),
    ("targets_binary", "targets", b"\x00\x01\x02metric,value\n"),
]


def _target_with(field: str, value: str) -> str:
    """The targets file with `field` of its first target (a row without quoted commas) set to `value`."""
    lines = TARGET_TEXT.splitlines()
    cols = next(csv_line for csv_line in lines if csv_line and not csv_line.startswith("#")).split(",")
    i = cols.index(field)
    out, seen_header, done = [], False, False
    for ln in lines:
        if ln and not ln.startswith("#"):
            if seen_header and not done and len(ln.split(",")) == len(cols):
                parts = ln.split(",")
                parts[i] = value
                ln, done = ",".join(parts), True
            seen_header = True
        out.append(ln)
    return "\n".join(out) + "\n"


OTHER_CASES += [("targets_nan_value", "targets", _target_with("value", "nan")),
                ("targets_inf_tolerance", "targets", _target_with("tolerance", "inf"))]


def _write(p: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    return p


def _invoke(args: list[str]):
    return CliRunner().invoke(main, args)


def _check(r, bad: Path, out: Path) -> None:
    text = r.output
    assert r.exit_code == 2, f"exit {r.exit_code}: {text[-2000:]}"
    assert "Traceback" not in text
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    errors = [ln for ln in text.splitlines() if ln.strip()]
    assert 1 <= len(errors) <= 4, text
    assert all(ln.startswith("error: ") for ln in errors), text
    assert str(bad) in errors[0] or "--" in errors[0], text
    assert not out.exists() or not any(out.iterdir()), f"{out} written"


@pytest.mark.parametrize("name,content", SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_file(tmp_path: Path, name: str, content: str | bytes):
    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    bad = _write(tmp_path / f"{name}.yaml", content)
    out = tmp_path / "out"
    t = time.perf_counter()
    for args in (["validate", str(bad)], ["run", str(bad), "-n", "1", "--out", str(out)]):
        _check(_invoke(args), bad, out)
    assert time.perf_counter() - t < 4.0  # two commands; each well under a second


@pytest.mark.parametrize("name,content", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_bad_rule_set(tmp_path: Path, name: str, content: str | bytes):
    """The scenario is fine; the rule set beside it (found first, before the shipped one) is bad."""
    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    bad = _write(tmp_path / "rules" / "current_2014.yaml", content)
    sc = _write(tmp_path / "scenario.yaml", T)
    out = tmp_path / "out"
    for args in (["validate", str(sc)], ["run", str(sc), "-n", "1", "--out", str(out)]):
        r = _invoke(args)
        _check(r, bad, out)
        assert str(bad) in r.output, r.output


@pytest.mark.parametrize("name,content", REFORM_CASES, ids=[c[0] for c in REFORM_CASES])
def test_bad_reform(tmp_path: Path, name: str, content: str):
    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    bad = _write(tmp_path / "rules" / "bad_reform.yaml", content)
    sc = _write(tmp_path / "scenario.yaml", T.replace("rules: current_2014", "rules: bad_reform"))
    out = tmp_path / "out"
    r = _invoke(["run", str(sc), "-n", "1", "--out", str(out)])
    _check(r, bad, out)
    assert str(bad) in r.output


@pytest.mark.parametrize("name,kind,content", OTHER_CASES, ids=[c[0] for c in OTHER_CASES])
def test_bad_other_file(tmp_path: Path, name: str, kind: str, content: str | bytes):
    """Case studies, benchmark networks and targets go through the same reader."""
    out = tmp_path / "out"
    if kind == "case":
        bad = _write(tmp_path / f"{name}.yaml", content)
        args = ["case-study", str(bad), "--rules", "current_2014", "--runs", "1", "--out", str(out)]
    elif kind == "network":
        bad = _write(tmp_path / f"{name}.yaml", content)
        args = ["bench", str(bad), "--children", "100"]
    else:
        bad = _write(tmp_path / f"{name}.csv", content)
        args = ["backtest", str(SMALL), "--targets", str(bad), "-n", "1"]
    _check(_invoke(args), bad, out)


GOOD_REFORM = ("name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2014\nswitches:\n  a:\n    label: x\n"
               "    source: x\n    in_force: start\n    in_force_source: x\n    changes:\n      - {path: effects.requests_multiplier, value: 1.2, source: x}\n")


def test_the_unmutated_bases_are_valid(tmp_path: Path):
    """Each bad file differs from a valid one by its flaw alone, so the flaw is what is refused."""
    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    _write(tmp_path / "rules" / "bad_reform.yaml", GOOD_REFORM)
    sc = _write(tmp_path / "scenario.yaml", T.replace("rules: current_2014", "rules: bad_reform"))
    assert _invoke(["validate", str(sc)]).exit_code == 0
    assert _invoke(["validate", str(_write(tmp_path / "sc.yaml", _dump(SC)))]).exit_code == 0
    _write(tmp_path / "rules" / "current_2014.yaml", _dump(RS))
    assert _invoke(["validate", str(_write(tmp_path / "sc2.yaml", T))]).exit_code == 0
    case = _write(tmp_path / "case.yaml", CASE_TEXT)
    r = _invoke(["case-study", str(case), "--rules", "current_2014", "--runs", "1", "--seed", "1"])
    assert r.exit_code == 0, r.output
    r = _invoke(["bench", str(_write(tmp_path / "net.yaml", NET_TEXT)), "--children", "100"])
    assert r.exit_code == 0, r.output
    r = _invoke(["backtest", str(SMALL), "--targets", str(_write(tmp_path / "t.csv", TARGET_TEXT)), "-n", "1"])
    assert r.exit_code in (0, 3), r.output  # the file is read and the run compared (3: some targets missed)


def test_corpus_size_and_classes():
    """At least 60 bad files, over every class of the issue."""
    n = len(SCENARIO_CASES) + len(RULE_CASES) + len(REFORM_CASES) + len(OTHER_CASES)
    assert n >= 60
    names = " ".join(c[0] for c in [*SCENARIO_CASES, *RULE_CASES, *REFORM_CASES, *OTHER_CASES])
    for cls in ("empty", "binary", "latin1", "list_top", "duplicate", "billion_laughs", "self_alias", "nan", "inf",
                "1e308", "stock_1e12", "growth", "date_feb_30", "requests_multiplier_10", "unknown_field",
                "string_for_number", "probability_1_5", "negative"):
        assert cls in names, cls


def test_alias_bomb_refused_fast():
    """The 10-level bomb would expand to 10^10 values; refused in well under a second."""
    from simulator.schema.files import InputError, read_yaml

    p = Path(__file__).parent / "_bomb.yaml"
    try:
        p.write_text(_bomb(10, 10))
        t = time.perf_counter()
        with pytest.raises(InputError) as e:
            read_yaml(p)
        assert time.perf_counter() - t < 1.0
        assert "10,000" in str(e.value)
    finally:
        p.unlink(missing_ok=True)


def test_shipped_files_still_load_with_their_aliases_and_years():
    """The loader keeps what is legitimate: numeric year keys, a few aliases, merge keys."""
    from simulator.schema.files import read_yaml

    p = Path(__file__).parent / "_ok.yaml"
    try:
        p.write_text("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nby_year: {2019: 1.5, 2020: 2.5}\n")
        data, lines, _ = read_yaml(p)
        assert data == {"base": {"x": 1, "y": 2}, "derived": {"x": 1, "y": 3}, "by_year": {2019: 1.5, 2020: 2.5}}
        assert lines[("by_year", 2020)] == 5
        assert all(math.isfinite(v) for v in data["by_year"].values())
    finally:
        p.unlink(missing_ok=True)



def test_a_file_read_again_gives_fresh_objects_and_a_changed_file_is_read_afresh(tmp_path: Path):
    """Parsed files are kept by their bytes (a case study reads current_2014.yaml 20 times): a caller that changes
    what it got must not change what the next caller gets; quoted values are still reported; a file whose bytes
    changed is parsed again; a file that turns bad is refused again."""
    from simulator.schema.files import InputError, read_yaml

    p = tmp_path / "kept.yaml"
    p.write_text("a: {x: 1}\nlabel: '5'\nwhen: 2019-09-01\n")
    q1: set = set()
    first, lines1, _ = read_yaml(p, q1)
    first["a"]["x"] = 99
    lines1.clear()
    q2: set = set()
    again, lines2, _ = read_yaml(p, q2)
    assert again == {"a": {"x": 1}, "label": "5", "when": __import__("datetime").date(2019, 9, 1)}
    assert lines2[("a", "x")] == 1 and lines2[("when",)] == 3
    assert q1 == q2 == {("label",)}
    p.write_text("a: {x: 2}\nlabel: '5'\nwhen: 2019-09-01\n")
    assert read_yaml(p)[0]["a"]["x"] == 2
    p.write_text("a: {x: 2}\na: {x: 3}\n")
    for _ in range(2):
        with pytest.raises(InputError, match="duplicate key"):
            read_yaml(p)
