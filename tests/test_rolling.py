"""The rolling-origin backtest: no leakage from after the origin, the naive forecasts, the summary's arithmetic.

The scenario is tiny on purpose (two small authorities of the England scenario, Rutland and Hartlepool, one
replication, one calibration round): the national run is a benchmark (docs/MODEL.md 7.7), not a test.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
import yaml

from simulator.analysis.fit.backtest import Target
from simulator.analysis.fit.rolling import anchored, la_rows, naive, rolling_origin, summary

from .conftest import ROOT, write_scenario

KEEP = ("Rutland", "Hartlepool")
TOL = {"initial_requests_for_assessment": (5, "relative"), "requests_refused_pct": (2, "absolute"),
       "new_plans_issued": (5, "relative"), "within_20_weeks_pct": (3, "absolute"),
       "plans_in_force_january": (5, "relative")}


@pytest.fixture(scope="module")
def england() -> dict:
    return yaml.load((ROOT / "scenarios" / "england.yaml").read_text(), Loader=getattr(yaml, "CSafeLoader",
                                                                                            yaml.SafeLoader))


def tiny(tmp: Path, england: dict, edit=None, edit_rows=None) -> Path:
    """Two authorities with their own official figures; national targets are the two authorities' sums."""
    doc = copy.deepcopy(england)
    doc["name"] = "tiny"
    doc["replications"] = 1
    doc["local_authorities"]["items"] = [la for la in doc["local_authorities"]["items"] if la["name"] in KEEP]
    if edit:
        edit(doc)
    codes = {la["code"] for la in doc["local_authorities"]["items"]}
    with open(ROOT / "scenarios" / "targets" / "england_by_la.csv", newline="") as f:
        rows = [r for r in csv.DictReader(ln for ln in f if not ln.startswith("#")) if r["la_code"] in codes]
    if edit_rows:
        edit_rows(rows)
    path = write_scenario(tmp, doc, "tiny.yaml")
    (tmp / "targets").mkdir(exist_ok=True)
    with open(tmp / "targets" / "tiny_by_la.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["la_code", "metric", "period", "value", "source"])
        w.writeheader()
        w.writerows({k: r[k] for k in w.fieldnames} for r in rows)
    sums: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        sums.setdefault((r["metric"], r["period"]), []).append(float(r["value"]))
    with open(tmp / "targets" / "tiny.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["metric", "period", "value", "tolerance", "tolerance_kind", "source"])
        w.writeheader()
        for (m, p), v in sorted(sums.items()):
            w.writerow({"metric": m, "period": p, "value": sum(v) / (len(v) if m.endswith("_pct") else 1),
                        "tolerance": TOL[m][0], "tolerance_kind": TOL[m][1], "source": "test: the two authorities"})
    return path


def projection(res: dict) -> dict:
    """What the origin's model projects: every authority row's replications and every national model value."""
    la = {(r["la_code"], r["metric"], r["period"]): r["model_replications"] for r in res["by_la"]["rows"]}
    nat = {(r["metric"], r["period"]): r["model_mean"] for r in res["rows"]}
    return {"la": la, "national": nat}


def _change_year(year: int):
    def edit(doc: dict) -> None:
        for la in doc["local_authorities"]["items"]:
            la["requests_by_year"][year] *= 3
            la["refuse_to_assess_by_year"][year] = 0.9
            if la.get("late_share_by_year"):  # England's late shares (MODEL.md 3.3)
                la["late_share_by_year"][year] = 0.95
            else:
                la["delay_days_by_year"][year] = 500.0
        doc["population"]["assessment_lapsed_probability"]["by_year"][year] = 0.15

    def edit_rows(rows: list[dict]) -> None:
        for r in rows:
            if r["period"] == str(year):
                r["value"] = str(float(r["value"]) * 2 + 1)
    return edit, edit_rows


def test_changing_the_year_after_the_origin_leaves_the_projection_unchanged(tmp_path: Path, england: dict) -> None:
    base = rolling_origin(tiny(tmp_path / "a", england), 2021, replications=1, rounds=1)
    edit, edit_rows = _change_year(2022)
    changed = rolling_origin(tiny(tmp_path / "b", england, edit, edit_rows), 2021, replications=1, rounds=1)
    assert projection(changed) == projection(base)
    # the change did reach the files: the observed 2022 figures differ (2x + 1), so the comparison used them
    obs_a = {(r["la_code"], r["metric"]): r["observed"] for r in base["by_la"]["rows"] if r["period"] == "2022"}
    obs_b = {(r["la_code"], r["metric"]): r["observed"] for r in changed["by_la"]["rows"] if r["period"] == "2022"}
    assert obs_a and all(obs_b[k] == pytest.approx(2 * v + 1) for k, v in obs_a.items())
    # and the same change to the origin year itself does move the projection (the test can fail)
    edit, edit_rows = _change_year(2021)
    moved = rolling_origin(tiny(tmp_path / "c", england, edit, edit_rows), 2021, replications=1, rounds=1)
    assert projection(moved)["la"] != projection(base)["la"]


def test_origin_outside_the_scenario_is_refused(tmp_path: Path, england: dict) -> None:
    from simulator.schema.files import InputError

    with pytest.raises(InputError, match="--origin: 2019 is outside"):
        rolling_origin(tiny(tmp_path, england), 2019, replications=1, rounds=0)


def test_naive_forecasts() -> None:
    # counts: persistence is the origin's value; trend multiplies by the last growth once per year ahead
    assert naive("new_plans_issued", {2020: 100.0, 2021: 150.0}, 2021, 1) == (150.0, 225.0)
    assert naive("new_plans_issued", {2020: 100.0, 2021: 150.0}, 2021, 2) == (150.0, pytest.approx(337.5))
    # percentages: the change in points carries on, within 0-100
    assert naive("within_20_weeks_pct", {2020: 40.0, 2021: 50.0}, 2021, 1) == (50.0, 60.0)
    assert naive("within_20_weeks_pct", {2020: 40.0, 2021: 80.0}, 2021, 1) == (80.0, 100.0)
    assert naive("within_20_weeks_pct", {2021: 80.0}, 2021, 1) == (80.0, None)


def test_anchored_forecast_applies_the_models_change_to_the_last_figure() -> None:
    # counts: published 200 at the origin; the model went 160 -> 180 (+12.5%), so 200 x 1.125 = 225
    assert anchored("new_plans_issued", 200.0, 160.0, 180.0) == pytest.approx(225.0)
    # percentages: published 40 at the origin; the model went 30 -> 25 (-5 points), so 35; kept within 0-100
    assert anchored("within_20_weeks_pct", 40.0, 30.0, 25.0) == pytest.approx(35.0)
    assert anchored("within_20_weeks_pct", 95.0, 50.0, 70.0) == 100.0
    assert anchored("within_20_weeks_pct", 3.0, 50.0, 40.0) == 0.0
    # nothing to anchor to: no figure, no model value at the origin, or a count of 0 there
    assert anchored("new_plans_issued", None, 160.0, 180.0) is None
    assert anchored("new_plans_issued", 200.0, None, 180.0) is None
    assert anchored("new_plans_issued", 200.0, 0.0, 180.0) is None


def test_rows_anchor_each_replication_on_its_own_origin_value() -> None:
    # published new plans 100, 200, 250 in 2020-2022; origin 2021. Replication 1 went 160 -> 180, replication 2
    # 200 -> 240: anchored 200 x 180/160 = 225 and 200 x 240/200 = 240, mean 232.5, 7% below 250; own mean 210
    ts = [Target("new_plans_issued", str(y), v, 5, "relative", "", la_code="A")
          for y, v in ((2020, 100.0), (2021, 200.0), (2022, 250.0))]
    reps = [{"by_la": {"A": {"2021": {"new_plans": a}, "2022": {"new_plans": b}}}} for a, b in ((160, 180), (200, 240))]
    (row,) = la_rows(ts, reps, 2021, (1,))
    assert row["model_mean"] == pytest.approx(210.0)
    assert row["anchored_replications"] == [pytest.approx(225.0), pytest.approx(240.0)]
    assert row["error_anchored"] == pytest.approx(7.0)
    assert (row["persistence"], row["trend"]) == (200.0, 400.0)


def test_summary_mean_absolute_errors() -> None:
    # two authorities, new plans (relative, 5%): observed 100 and 200; model 110 and 190 (errors 10% and 5%),
    # persistence 100 and 100 (0% and 50%), trend 120 and 300 (20% and 50%)
    ts = [Target("new_plans_issued", "2022", 100.0, 5, "relative", "", la_code="A"),
          Target("new_plans_issued", "2022", 200.0, 5, "relative", "", la_code="B")]
    rows = []
    # anchored 104 (reps 98 and 110: errors 4%) and 220 (reps 220, 220: 10%)
    for t, model, reps, pers, trend, anch in ((ts[0], 110.0, [100.0, 120.0], 100.0, 120.0, [98.0, 110.0]),
                                              (ts[1], 190.0, [190.0, 190.0], 100.0, 300.0, [220.0, 220.0])):
        rows.append({"la_code": t.la_code, "metric": t.metric, "period": t.period, "horizon": 1,
                     "observed": t.value, "model_mean": model, "model_ci95": [None, None],
                     "model_replications": reps, "persistence": pers, "trend": trend, "tolerance": 5,
                     "tolerance_kind": "relative", "error_model": abs(model - t.value) / t.value * 100,
                     "error_persistence": abs(pers - t.value) / t.value * 100,
                     "error_trend": abs(trend - t.value) / t.value * 100,
                     "anchored": sum(anch) / 2, "anchored_replications": anch,
                     "error_anchored": abs(sum(anch) / 2 - t.value) / t.value * 100,
                     "within_tolerance": t.within(model), "interval_narrower_than_tolerance": None})
    (s,) = summary(rows, ts, 1, 2)
    assert s["mae_model"] == pytest.approx(7.5)
    assert s["mae_persistence"] == pytest.approx(25.0)
    assert s["mae_trend"] == pytest.approx(35.0)
    assert s["within_tolerance_share"] == 0.5  # B's 5% is on the edge, A's 10% is not
    assert s["persistence_within_share"] == 0.5
    assert s["trend_within_share"] == 0.0
    lo, hi = s["mae_model_ci95"]  # resampling A's two replications: A's error is 0, 10 or 20%; B's is 5%
    assert 2.5 <= lo <= 7.5 <= hi <= 12.5
    assert s["mae_anchored"] == pytest.approx(7.0)  # (4 + 10) / 2
    assert s["anchored_within_share"] == 0.5  # A's 4% is within 5%, B's 10% is not
    lo, hi = s["mae_anchored_ci95"]  # A's anchored error is 2, 4 or 10%; B's is 10%
    assert 6.0 <= lo <= 7.0 <= hi <= 10.0


def test_one_council_without_a_by_la_file_is_measured_on_its_own_figures(tmp_path: Path, england: dict) -> None:
    def one(doc: dict) -> None:
        doc["local_authorities"]["items"] = doc["local_authorities"]["items"][:1]

    path = tiny(tmp_path, england, one)
    (tmp_path / "targets" / "tiny_by_la.csv").unlink()  # as `la-scenario` writes a council: one targets file
    code = yaml.safe_load(path.read_text())["local_authorities"]["items"][0]["code"]
    res = rolling_origin(path, 2021, replications=1, rounds=0)
    rows = res["by_la"]["rows"]
    assert {r["la_code"] for r in rows} == {code}
    with open(tmp_path / "targets" / "tiny.csv", newline="") as f:  # the national file is the council's own
        own = {(r["metric"], r["period"]): float(r["value"]) for r in csv.DictReader(f)}
    assert rows and all(r["observed"] == pytest.approx(own[(r["metric"], r["period"])]) for r in rows)
