"""Calibration: reproducible per-authority staffing fits, and ratio updates that move parameters the right way."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.fit.backtest import Target
from simulator.analysis.fit.calibrate import clip, fit_authority, national_update, update_delays, update_lapse
from simulator.cli import main
from simulator.rules.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "scenarios" / "small_la.yaml"


def test_delay_fit_reaches_the_authoritys_figure_and_is_reproducible():
    loaded = load_scenario(SMALL)
    code = loaded.scenario.local_authorities.items[0].code
    a = fit_authority(loaded, code, {2019: 60.0}, seed=3, years=[2019])
    b = fit_authority(loaded, code, {2019: 60.0}, seed=3, years=[2019])
    assert a == b  # fixed seed, fixed steps: the same calibration every time
    assert abs(a["model"][2019] - 60.0) <= 3.0
    assert 0.0 < a["delays"][2019] <= 1500.0


def test_a_slower_authority_gets_a_longer_delay_and_a_fast_one_none():
    loaded = load_scenario(SMALL)
    code = loaded.scenario.local_authorities.items[0].code
    low = fit_authority(loaded, code, {2019: 40.0}, seed=3, years=[2019])
    high = fit_authority(loaded, code, {2019: 80.0}, seed=3, years=[2019])
    assert low["delays"][2019] > high["delays"][2019] > 0.0
    fastest = fit_authority(loaded, code, {2019: 100.0}, seed=3, years=[2019])
    assert fastest["delays"][2019] == 0.0 and fastest["model"][2019] < 100.0  # the model cannot be faster than no delay


def _doc() -> dict:
    p = lambda v, r=(0.0, 1.0): {"value": v, "assumption": "test", "range": list(r)}  # noqa: E731
    return {"redress": {"dispute_probability": {"refusal_to_assess": p(0.2), "refusal_to_issue": p(0.4),
                                                "contents": p(0.05)},
                        "mediation_chosen_probability": {"value": 0.4, "source": "test"},
                        "family_wins_at_hearing_probability": {"value": 0.9, "source": "test"}},
            "reviews": {"cease_probability_per_year": {"age_5_10": p(0.02, (0.0, 0.06))}}}


def _t(metric: str, period: str, value: float) -> Target:
    return Target(metric, period, value, 5.0, "relative", "test")


def test_ratio_updates_move_each_parameter_toward_its_targets():
    targets = [_t("tribunal_appeals_registered", "2022/23", 1000), _t("tribunal_appeals_contents_pct", "2022/23", 60),
               _t("tribunal_appeals_refusal_to_assess_pct", "2022/23", 30),
               _t("tribunal_decided_in_favour_pct", "2022/23", 95.0), _t("mediation_cases_held", "2021", 500)]
    rows = {"2022/23": {"appeals_registered": 2000, "appeals_contents": 1200, "appeals_refusal_to_assess": 150,
                        "decided_for_family_pct": 90.0},
            "2021": {"mediations": 1000}}
    new, used = national_update(_doc(), targets, rows)
    assert new["redress.dispute_probability.contents"] == pytest.approx(0.05 * 600 / 1200)
    assert new["redress.dispute_probability.refusal_to_assess"] == pytest.approx(0.2 * 300 / 150)
    assert new["redress.mediation_chosen_probability"] == pytest.approx(0.2)
    assert new["redress.family_wins_at_hearing_probability"] == pytest.approx(0.95)
    assert "refusal_to_issue" not in str(new)  # no target for it: not fitted
    assert len(new) <= sum(len(v) for v in used.values())  # never more parameters than the targets they use


def test_calibrated_values_stay_inside_their_stated_range():
    doc = _doc()
    assert clip(doc, "reviews.cease_probability_per_year.age_5_10", 0.5) == 0.06
    assert clip(doc, "redress.mediation_chosen_probability", 1.7) == 1.0


def test_joint_round_moves_each_authority_year_toward_its_own_figure():
    """A slower-than-observed year loses delay, a faster one gains it, by (model - observed) / 35 in log(1 + d);
    a figure stuck at 0% halves the delay; a year without a figure is left alone."""
    delays = {"A": {2019: 99.0, 2020: 99.0}, "B": {2019: 399.0}}
    by_la = {"A": {"2019": {"within_20_weeks_pct": 40.0}, "2020": {"within_20_weeks_pct": 75.0}},
             "B": {"2019": {"within_20_weeks_pct": 0.0}}}
    observed = {"A": {2019: 75.0, 2020: 40.0}, "B": {2019: 10.0}, "C": {2019: 50.0}}
    updated, within = update_delays(delays, by_la, observed, 1.0 / 35.0)
    assert (updated, within) == (3, 0)
    assert delays["A"][2019] == pytest.approx(100 * math.exp(-1.0) - 1, abs=0.05)  # 35 points too slow: e^-1
    assert delays["A"][2020] == pytest.approx(100 * math.exp(1.0) - 1, abs=0.05)
    assert delays["B"][2019] == pytest.approx(199.0)  # (1 + 399) / 2 - 1
    assert "C" not in by_la and delays.get("C") == {}


def test_lapse_scales_plans_by_the_share_not_lapsing():
    """10% too many plans with no lapse: 1 - 1/1.1 of assessments must lapse; too few plans cannot go below 0."""
    targets = [_t("new_plans_issued", "2023", 1000), _t("new_plans_issued", "2019", 1000)]
    rows = {"2023": {"new_plans": 1100.0}, "2019": {"new_plans": 900.0}}
    out, used = update_lapse({}, targets, rows, hi=0.15)
    assert out[2023] == pytest.approx(1 - 1000 / 1100, abs=1e-5)
    assert out[2019] == 0.0
    assert len(used) == 2
    out, _ = update_lapse({2023: 0.1}, targets[:1], {"2023": {"new_plans": 2000.0}}, hi=0.15)
    assert out[2023] == 0.15  # capped at the stated range


def test_joint_stage_is_reproducible_and_writes_provenance(tmp_path):
    """Same scenario and seed: the same calibration file, byte for byte; every fitted value says how and from what,
    and no more parameters than targets."""
    files = []
    for k in range(2):
        out = tmp_path / f"cal{k}.yaml"
        r = CliRunner().invoke(main, ["calibrate", str(SMALL), "--stage", "joint", "--rounds", "2", "--out", str(out)])
        assert r.exit_code == 0, r.output
        files.append(out.read_text())
    assert files[0] == files[1]
    doc = yaml.safe_load(files[0])
    # small_la gives late shares (lateness apart from the share on time), so the joint rounds fit those, each a share
    # of the year's children, and write no Weibull delay
    assert "la_delay_days" not in doc
    assert set(doc["la_late_share"]) == {"212"} and {2019, 2020} <= set(doc["la_late_share"]["212"])
    assert all(0.0 <= q <= 1.0 for q in doc["la_late_share"]["212"].values())
    lapse = doc["national"]["population.assessment_lapsed_probability"]
    assert lapse["calibrated"].startswith("calibrated: ") and "new_plans_issued 2019" in lapse["calibrated"]
    assert all(0.0 <= v <= 0.15 for v in lapse["by_year"].values())  # inside the stated range
    fit = doc["fit"]["joint"]
    assert fit["parameters"] <= fit["targets"]


def test_a_second_round_steps_along_the_secant_of_the_two_rounds():
    """Round 1 at d = e^1 - 1 gave 80%; round 2 at d = e^1.5 - 1 gives 70% against 50% observed: the figure fell
    20 points per unit of log(1 + d), so the secant moves x by (70 - 50) / 20 = 1.0, to 2.5 (the fixed gain of
    1/70 would have moved it 0.29). A secant whose figure rose with the delay (noise) is not used."""
    history = {("A", 2019): (1.0, 80.0)}
    delays = {"A": {2019: round(math.expm1(1.5), 1)}}
    update_delays(delays, {"A": {"2019": {"within_20_weeks_pct": 70.0}}}, {"A": {2019: 50.0}}, 1.0 / 70.0, history)
    assert delays["A"][2019] == pytest.approx(math.expm1(2.5), rel=0.02)  # d rounded to 0.1 day
    assert history[("A", 2019)][1] == 70.0  # the round just read is the next one's previous
    history = {("B", 2019): (1.0, 60.0)}  # smaller delay, faster figure before: a wrong-signed slope
    delays = {"B": {2019: round(math.expm1(1.5), 1)}}
    update_delays(delays, {"B": {"2019": {"within_20_weeks_pct": 70.0}}}, {"B": {2019: 50.0}}, 1.0 / 70.0, history)
    assert delays["B"][2019] == pytest.approx(math.expm1(1.5 + 20 / 70), rel=0.02)
