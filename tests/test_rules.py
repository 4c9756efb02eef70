"""Rule sets as data, reforms as deltas, and `compare` with common random numbers."""

from __future__ import annotations

import copy
import math
import shutil

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simulator.analysis.runs.compare import compare
from simulator.analysis.runs.run import run
from simulator.analysis.runs.stats import summarise
from simulator.cli import main
from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.engine.model.records import Recorder
from simulator.rules.resolve import resolve_rules
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError

from .conftest import ROOT, one_child_fixed, pin, write_scenario

SMALL = ROOT / "scenarios" / "small_la.yaml"


def test_every_reform_resolves_and_names_its_changes():
    for name in ("green_paper_2022", "improvement_plan_2023", "white_paper_2026"):
        rs, changes, base, _ = resolve_rules(name)
        assert base == "current_2014" and changes
        assert all(c.source for c in changes)
        assert all(c.range is not None for c in changes if c.assumption)


def test_switch_applies_alone():
    rs, changes, _, _ = resolve_rules("current_2014+mandatory_mediation")
    assert {c.path for c in changes} == {"redress_ladder.mediation.mandatory",
                                         "redress_ladder.mediation.exempt_appeal_types"}
    assert rs.redress_ladder["mediation"].mandatory.value is True
    assert rs.naming.tailored_list.value is False  # nothing else from the Green Paper


def _delta(tmp_path, text: str):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "scenarios" / "rules", rules)
    (rules / "bad_reform.yaml").write_text(text)
    return rules


def _one_change(tmp_path, path: str, value: str) -> InputError:
    """A reform with one switch of one change; return the error resolving it raises."""
    rules = _delta(tmp_path, "name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2014\nswitches:\n"
                             "  oops:\n    label: x\n    source: x\n    in_force: start\n    in_force_source: x\n    changes:\n"
                             f"      - {{path: {path}, value: {value}, source: x}}\n")
    with pytest.raises(InputError) as e:
        resolve_rules("bad_reform", rules.parent / "x.yaml")
    return e.value


def test_unknown_parameter_rejected_with_path_of_bad_entry(tmp_path):
    line = _one_change(tmp_path, "redress_ladder.mediaton.mandatory", "true").lines[0]
    assert "bad_reform.yaml:12" in line and "switches.oops.changes[0].path" in line
    assert "redress_ladder.mediaton.mandatory" in line


def test_missing_baseline_rejected_before_anything_runs(tmp_path):
    rules = _delta(tmp_path, "name: bad_reform\nlabel: x\ndescription: x\nbaseline: current_2041\nswitches: {}\n")
    with pytest.raises(InputError) as e:
        resolve_rules("bad_reform", rules.parent / "x.yaml")
    assert "bad_reform.yaml:4: baseline: no rule set named 'current_2041'" in e.value.lines[0]


def test_bad_value_rejected(tmp_path):
    line = _one_change(tmp_path, "naming.list_coverage.maintained_special", "1.7").lines[0]
    assert "switches.oops.changes[0].value" in line and "from 0 to 1" in line


def test_compare_against_itself_is_exactly_zero(tmp_path):
    res = compare(SMALL, "green_paper_2022", "green_paper_2022", replications=3, seed=5)
    assert res["what_changed"] == []
    for m in res["metrics"].values():
        if m["diff"] is not None:  # a rare measure seen in one replication only has no interval
            assert m["diff"] == 0.0 and m["diff_ci95"] == ([0.0, 0.0] if m["a"]["n"] > 1 else [None, None])


def test_children_who_never_reach_the_changed_step_are_untouched(tmp_path, small_dict):
    """Mandatory mediation changes only what follows a dispute. With capacity that never binds (so no
    queue carries the change to others), every child who never disputes has the same journey, row for row."""
    d = copy.deepcopy(small_dict)
    la = d["local_authorities"]["items"][0]
    for k in ("panel_servers", "ep_servers", "health_advice_servers", "social_care_advice_servers",
              "plan_writer_servers"):
        la[k] = 10_000
    pin(d["naming"]["special_places_headroom_pct"], 1000)
    pin(d["naming"]["resourced_places_headroom_pct"], 1000)
    pin(d["naming"]["alternative_provision_places_headroom_pct"], 1000)
    p = write_scenario(tmp_path, d)
    tables = {}
    for r in ("current_2014", "current_2014+mandatory_mediation"):
        run(load_scenario(p, r), replications=1, seed=9, out_dir=tmp_path / r)
        tables[r] = pq.read_table(tmp_path / r / "replications" / "rep-000" / "journeys.parquet").to_pylist()
    a, b = tables.values()
    assert len(a) == len(b)
    untouched = [(x, y) for x, y in zip(a, b, strict=True) if x["disputes"] == 0 and y["disputes"] == 0]
    assert len(untouched) > 1000
    assert all(x == y for x, y in untouched)
    disputed = [(x, y) for x, y in zip(a, b, strict=True) if x["disputes"] > 0]
    assert sum(x["mediations"] for x, _ in disputed) < sum(y["mediations"] for _, y in disputed)


def test_common_random_numbers_narrow_the_interval_of_a_difference(small_dict, tmp_path):
    """Paired (same seed) against independent seeds: the CI of a difference is markedly narrower."""
    a = load_scenario(SMALL, "current_2014")
    b = load_scenario(SMALL, "current_2014+digital_ehcp")
    n = 8
    ra = run(a, n, seed=100).replications
    rb_same = run(b, n, seed=100).replications
    rb_indep = run(b, n, seed=200).replications
    ratios = []
    for key in ("weeks_to_final_plan_median", "new_plans", "appeals_contents"):
        paired = summarise([y["metrics"][key] - x["metrics"][key] for x, y in zip(ra, rb_same, strict=True)])
        indep = summarise([y["metrics"][key] - x["metrics"][key] for x, y in zip(ra, rb_indep, strict=True)])
        wp = paired["ci95"][1] - paired["ci95"][0]
        wi = indep["ci95"][1] - indep["ci95"][0]
        ratios.append(wp / wi)
    # the paired interval is narrower for every metric (its variance at most ~half the independent one) and a
    # small fraction of it for most; the median of weeks to plan keeps the most noise (the reform's own effect
    # differs between replications: -0.23 to -0.55 weeks)
    assert max(ratios) < 0.75, ratios
    assert sorted(ratios)[1] < 0.5, ratios


def mediation_child(tmp_path, small_dict, rules: str, kind: str):
    """One child, every duration fixed, whose family disputes a decision of `kind` and never settles."""
    d = one_child_fixed(small_dict)
    la = d["local_authorities"]["items"][0]
    pin(d["durations"]["panel_decision_days"], 21, distribution="fixed")
    r = d["redress"]
    for k in ("mediation_chosen_probability", "mediation_settles_probability",
              "mediation_settles_compelled_probability"):
        pin(r[k], 0.0)
    pin(r["dispute_probability"][kind], 1.0)
    if kind == "refusal_to_assess":
        la["refuse_to_assess_probability"] = 1.0
        d["population"]["requester"] = {"values": {"school": 1.0, "parent": 0.0, "young_person": 0.0,
                                                   "other": 0.0}, "source": "test fixture"}
    else:
        pin(d["naming"]["refuse_requested_setting_probability"]["maintained_special"], 1.0)
    loaded = load_scenario(write_scenario(tmp_path, d, f"{kind}.yaml"), rules)
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=1)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    c = j.add_request(0.0, preferred="maintained_special")
    j.simulate()
    return {(r[3], r[4]): r[2] for r in rows if r[0] == c.id}


def test_mandatory_mediation_adds_the_mediation_days_hand_worked(tmp_path, small_dict):
    # refusal to assess on day 21 (Tuesday 22 January 2019). Current law: adviser contacted, mediation declined,
    # certificate 3 working days later (Wed, Thu, Fri) on day 24; appeal lodged 30 days later, 54 (deadline
    # max(21 + 60.875, 24 + 30.44)).
    now = mediation_child(tmp_path, small_dict, "current_2014", "refusal_to_assess")
    assert now[("decide_to_assess", "refused")] == 21.0
    assert math.isclose(now[("mediation_certificate", "issued")], 24.0)
    assert math.isclose(now[("appeal", "lodged_refusal_to_assess")], 54.0)
    # mandatory mediation: the meeting 25 days after the dispute (46, Saturday 16 February), certificate 3 working
    # days later (Mon, Tue, Wed: day 50), appeal 30 days later: 80. Added: the 25 days of mediation and one day
    # (the certificate 4 days after a Saturday, 3 after a Tuesday; 4.2 after each before the working-day calendar).
    mm = mediation_child(tmp_path, small_dict, "current_2014+mandatory_mediation", "refusal_to_assess")
    assert mm[("mediation", "not_settled")] == 46.0
    assert math.isclose(mm[("appeal", "lodged_refusal_to_assess")], 80.0)
    assert math.isclose(mm[("appeal", "lodged_refusal_to_assess")] - now[("appeal", "lodged_refusal_to_assess")],
                        26.0)


def test_mandatory_mediation_adds_a_step_where_the_law_lets_families_skip_it(tmp_path, small_dict):
    # placement appeals need no certificate today: the family appeals 30 days after the final plan.
    now = mediation_child(tmp_path, small_dict, "current_2014", "placement")
    final = now[("final_plan", "issued")]
    assert ("mediation_certificate", "issued") not in now
    assert math.isclose(now[("appeal", "lodged_placement")], final + 30)
    # the Green Paper's mandatory mediation keeps placement-only appeals exempt (coverage UNVERIFIED, addendum 6.1)
    gp = mediation_child(tmp_path, small_dict, "current_2014+mandatory_mediation", "placement")
    assert math.isclose(gp[("appeal", "lodged_placement")], final + 30)
    # mediation made mandatory for placement too: the appeal waits for mediation (25) and a certificate 3 working
    # days later: the final plan on day 94 (Friday 5 April 2019), mediation on day 119 (Tuesday 30 April), the
    # certificate Friday 3 May (3 days; 4.2 before the working-day calendar), the appeal 30 days after
    mm = mediation_child(tmp_path, small_dict, "current_2014+mandatory_mediation_placement", "placement")
    assert final == 94.0 and mm[("final_plan", "issued")] == final
    assert math.isclose(mm[("appeal", "lodged_placement")], final + 25 + 3 + 30)


def test_rules_commands(tmp_path):
    r = CliRunner().invoke(main, ["rules", "diff", "current_2014", "green_paper_2022"])
    assert r.exit_code == 0
    assert "redress_ladder.mediation.mandatory" in r.output and "naming.tailored_list" in r.output
    r = CliRunner().invoke(main, ["rules", "show", "current_2014"])
    assert "SEND Regs 2014 reg 13(2)" in r.output
    r = CliRunner().invoke(main, ["rules", "show", "current_2041"])
    assert r.exit_code == 2 and "no rule set named 'current_2041'" in r.output
