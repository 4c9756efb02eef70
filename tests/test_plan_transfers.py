"""Plans transferred between authorities in a population run (SEND Regs 2014 reg 15; MODEL.md 2.6e): the rates'
rules, the hazard, the flows of a tiny two-authority run and of a run of one authority against binomial and Poisson
intervals worked out by hand, conservation of plans, reg 15's dates on the calendar, and bad input."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.runs.metrics import la_period_metrics, replication_metrics
from simulator.analysis.runs.runner import simulate
from simulator.cli import main
from simulator.engine.model.child import Child
from simulator.engine.model.records import EventRow, Recorder
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError, parse_model
from simulator.schema.transfers import PlanTransfers

from .conftest import ROOT, pin, quiet, write_scenario

SHIPPED = ROOT / "scenarios" / "plan_transfers.yaml"
D = dt.date
Z = 3.29  # two-sided 99.9%: a correct model fails one run in a thousand


def _assumption(value: float, lo: float, hi: float) -> dict:
    return {"value": value, "assumption": "UNVERIFIED test fixture", "range": [lo, hi]}


def transfers_doc(rates: dict[str, dict[int, float]], in_ratio: float = 1.0) -> dict:
    return {"description": "test", "source": "test fixture",
            "national_out_rate_by_year": {2019: 0.02, 2020: 0.02, 2021: 0.02, 2022: 0.03, 2023: 0.03},
            "national_out_of_sample": {"value": 0.025, "source": "test fixture"},
            "shrinkage_weight": {"value": 0.8, "source": "test fixture"},
            "same_region_weight": _assumption(1.0, 1.0, 10.0),
            "single_authority_in_ratio": _assumption(in_ratio, 0.5, 1.5),
            "learned_days_before_move": _assumption(0.0, 0.0, 21.0),
            "authorities": {code: {"name": code, "out_rate_by_year": r, "out_of_sample": 0.05}
                            for code, r in rates.items()}}


def test_the_shipped_rates_by_hand():
    """England 2022: 9,400 transferred (ceased_plans.csv) / the mean of 473,255 (January 2022) and 517,049 (January
    2023) plans in force = 9,400 / 495,152 = 1.898%; Gateshead (390) 2022: 29 / ((1,439 + 1,513) / 2 = 1,476) =
    1.965%; England 2019: 5,871 (release 2022 DisleaEHC) / ((353,995 + 390,109) / 2 = 372,052) = 1.578%."""
    pt, _lines, _raw = parse_model(SHIPPED, PlanTransfers)
    assert pt.national_out_rate_by_year[2022] == pytest.approx(0.01898, abs=1e-5)
    assert pt.national_out_rate_by_year[2019] == pytest.approx(0.01578, abs=1e-5)
    assert pt.authorities["390"].out_rate_by_year[2022] == pytest.approx(0.01965, abs=1e-5)
    assert "UNVERIFIED" in pt.same_region_weight.assumption
    assert "UNVERIFIED" in pt.single_authority_in_ratio.assumption
    # every authority of the shipped scenarios has its own rates
    for name in ("england", "england_from_2024"):
        codes = set(re.findall(r"^    - \{name: .*?, code: '(\w+)'", (ROOT / "scenarios" / f"{name}.yaml").read_text(),
                               re.M))
        assert len(codes) > 150
        assert codes <= set(pt.authorities), sorted(codes - set(pt.authorities))


def test_which_years_rate():
    pt = PlanTransfers.model_validate(transfers_doc({"A": {2020: 0.01, 2022: 0.04}}))
    assert pt.out_rate("A", 2020) == 0.01  # its own year
    assert pt.out_rate("A", 2018) == 0.01  # before its first year: the nearest
    assert pt.out_rate("A", 2021) == 0.01  # a gap: the nearest, the earlier on a tie
    assert pt.out_rate("A", 2023) == 0.04  # after its last year, within England's: the nearest
    assert pt.out_rate("A", 2024) == 0.05  # after England's last year (2023): its shrunk mean
    assert pt.out_rate("Z", 2019) == 0.02 and pt.out_rate("Z", 2031) == 0.025  # not in the file: England's


def _stock_only_year(small_dict: dict) -> tuple[dict, dict]:
    """small_la cut to 2019 with a stock and nothing else: no requests, no cessation, no disputes, every plan aged
    5-10 (no plan ends at 25); returns the scenario and its one authority, to be edited."""
    d = quiet(small_dict)
    d["end_date"] = "2019-12-31"
    for band in d["reviews"]["cease_probability_per_year"].values():
        pin(band, 0.0)
    d["population"]["age_of_plans_in_force"]["values"] = {"age_5_10": 1.0}
    la = d["local_authorities"]["items"][0]
    la.update(requests_per_year=0.0, requests_by_year={})
    return d, la


def _two_authorities(tmp_path: Path, small_dict: dict, n_a: int, rate_a: float) -> Path:
    """Two authorities, A with `n_a` plans moving at `rate_a` a year, B with 500 that never move; no requests, no
    cessation, no disputes, every plan aged 5-10 (no plan ends at 25), one calendar year."""
    d, la = _stock_only_year(small_dict)
    a, b = copy.deepcopy(la), copy.deepcopy(la)
    a.update(name="A", code="A", stock_mainstream=n_a)
    b.update(name="B", code="B", stock_mainstream=500)
    d["local_authorities"]["items"] = [a, b]
    (tmp_path / "moves.yaml").write_text(yaml.safe_dump(transfers_doc({"A": {2019: rate_a}, "B": {2019: 0.0}})))
    d["plan_transfers"] = "moves.yaml"
    return write_scenario(tmp_path, d)


def test_hazard_by_hand(tmp_path: Path, small_dict: dict):
    """A's rate 0.1 a year in 2019 then (nearest year) 0.1 again, as a hazard of 0.1 / 365.25 a day: a unit
    exponential of 0.05 is reached on day 0.05 / (0.1 / 365.25) = 182.625; from day 100, 0.05 more on day 282.625;
    B's rate 0: never."""
    loaded = load_scenario(_two_authorities(tmp_path, small_dict, 10, 0.1))
    seen = {}
    simulate(loaded, 1, 0, prepare=lambda j: seen.update(
        a=j.move_day(0, 0.0, 0.05), b=j.move_day(0, 100.0, 0.05), never=j.move_day(1, 0.0, 0.05),
        late=j.move_day(0, 0.0, 0.0999316)))  # 0.1 x 365 / 365.25 = 0.0999316 is reached on day 365 = the horizon
    assert seen["a"] == pytest.approx(182.625) and seen["b"] == pytest.approx(282.625)
    assert seen["never"] == math.inf and seen["late"] == math.inf


def test_the_stocks_move_days_in_bulk_are_the_one_by_one_days(tmp_path: Path, small_dict: dict):
    """`move_days` (numpy, the stock's moves at the start) gives exactly `move_day`'s floats, element by element, over
    three years whose rates differ (0.1, then 0 in 2020: a year no plan moves in, then 0.3), from several starting days
    and for 50,000 unit exponentials, many past the horizon (infinity); B's rate 0: never."""
    path = _two_authorities(tmp_path, small_dict, 10, 0.1)
    d = yaml.safe_load(path.read_text())
    d["end_date"] = "2021-12-31"
    path.write_text(yaml.safe_dump(d))
    (tmp_path / "moves.yaml").write_text(yaml.safe_dump(transfers_doc({"A": {2019: 0.1, 2020: 0.0, 2021: 0.3},
                                                                       "B": {2019: 0.0}})))
    e = -np.log(np.random.default_rng(5).random(50_000)) * 0.3  # half reach the hazard of the three years (0.4)
    seen = {}

    def both(j):
        assert len(j._pt_knots) == 4  # 1 January 2019, 2020, 2021 and the horizon
        for la in (0, 1):
            for since in (0.0, 100.0, 400.5, 900.0):
                seen[(la, since)] = (j.move_days(la, since, e).tolist(), [j.move_day(la, since, x) for x in e.tolist()])

    simulate(load_scenario(path), 1, 0, prepare=both)
    for (la, since), (bulk, one) in seen.items():
        assert bulk == one, (la, since)  # the same floats (infinity where the hazard is not reached)
        finite = sum(1 for x in one if x < math.inf)
        assert (finite == 0) if la == 1 else 0 < finite < len(one)


def test_two_authorities_flows_within_binomial_interval_and_conserve_plans(tmp_path: Path, small_dict: dict):
    """3,000 plans in A at 0.1 a year. The old authority learns on the day of the move and transfers on the 15th
    working day beginning with it: a move on Monday 9 December 2019 transfers on Tuesday 31 December (9-13, 16-20,
    23, 24, 27, 30, 31: 25 and 26 December are bank holidays), one on the 10th on 2 January 2020 (1 January a bank
    holiday), after the run. So a plan transfers within 2019 if it moves before day 343 (10 December):
    p = 1 - exp(-0.1 x 343 / 365.25) = 0.089632; mean 268.9, sd sqrt(3000 p (1 - p)) = 15.64. B never moves, so
    every plan out of A goes to B, and A + B hold 3,500 plans at the end."""
    loaded = load_scenario(_two_authorities(tmp_path, small_dict, 3000, 0.1))
    j = simulate(loaded, 7, 0)
    m = replication_metrics(j)["metrics"]
    p = 1.0 - math.exp(-0.1 * 343 / 365.25)
    mean, sd = 3000 * p, math.sqrt(3000 * p * (1 - p))
    out = m["plans_transferred_out"]
    assert mean - Z * sd <= out <= mean + Z * sd, (out, mean, sd)
    assert m["plans_transferred_in"] == out and m["plans_ceased"] == 0
    assert m["plans_in_force_end"] == 3500
    by_la = la_period_metrics(j)
    assert by_la["A"]["2019"]["plans_transferred_out"] == out and by_la["B"]["2019"]["plans_transferred_in"] == out
    assert by_la["A"]["2020"]["plans_in_force_january"] == 3000 - out
    assert by_la["B"]["2020"]["plans_in_force_january"] == 500 + out
    assert by_la["A"]["2019"]["plans_in_force_january"] == 3000 and by_la["B"]["2019"]["plans_in_force_january"] == 500


def test_destination_by_hand(tmp_path: Path, small_dict: dict):
    """A plan leaving A goes to B, C or D in proportion to their plans in force at the start (10, 30, 60 and 100; the
    same-region weight 1), A left out: the draw u scaled onto the others' 190 plans is walked through B, C and D in
    order, B below 30, C below 90, D below 190 (whole numbers, so the sums are exact); `_move_destination` (its
    compiled path searches C doubles, its pure path `bisect`) gives that authority for 2,000 children's draws, and
    all three occur."""
    d, la = _stock_only_year(small_dict)
    items = []
    for code, n in (("A", 10), ("B", 30), ("C", 60), ("D", 100)):
        x = copy.deepcopy(la)
        x.update(name=code, code=code, stock_mainstream=n)
        items.append(x)
    d["local_authorities"]["items"] = items
    (tmp_path / "moves.yaml").write_text(yaml.safe_dump(transfers_doc({c: {2019: 0.0} for c in "ABCD"})))
    d["plan_transfers"] = "moves.yaml"
    seen = {}

    def pick(j):
        assert [a.spec.plans_in_force_at_start for a in j.las] == [10, 30, 60, 100]
        for i in range(2000):
            c = Child(10**6 + i, 0, False)
            u = j.rng.plan_move_destination.u(c.id, 0)
            seen[i] = (j._move_destination(c, 0), 1 if u * 190 < 30 else 2 if u * 190 < 90 else 3)

    simulate(load_scenario(write_scenario(tmp_path, d)), 1, 0, prepare=pick)
    assert all(got == want for got, want in seen.values())
    assert {want for _, want in seen.values()} == {1, 2, 3}


def _working_day(start: D, n: int) -> D:
    """The n-th working day beginning with `start` (Monday-Friday less 2019's bank holidays, gov.uk), by hand."""
    holidays = {D(2019, 1, 1), D(2019, 4, 19), D(2019, 4, 22), D(2019, 5, 6), D(2019, 5, 27), D(2019, 8, 26),
                D(2019, 12, 25), D(2019, 12, 26)}
    d, k = start, 0
    while True:
        if d.weekday() < 5 and d not in holidays:
            k += 1
            if k == n:
                return d
        d += dt.timedelta(days=1)


def _three_months(t: D) -> D:
    """The last day of 3 calendar months beginning with `t`: the day before the same date 3 months on, or the last
    day of that month where it has no such date (22 March -> 21 June; 30 November 2019 -> 29 February 2020)."""
    y, mo = t.year + (t.month + 2) // 12, (t.month + 2) % 12 + 1
    last = calendar.monthrange(y, mo)[1]
    return D(y, mo, t.day) - dt.timedelta(days=1) if t.day <= last else D(y, mo, last)


def test_reg15_dates_of_a_population_transfer(tmp_path: Path, small_dict: dict):
    """Each population move: the plan transfers on the 15th working day beginning with the day of the move
    (learned that day), the notice falls 41 days after the transfer (6 weeks beginning with it), and no review is
    decided between 35 days after the transfer (a review decided in bulk up to a week earlier, its meeting up to 4
    weeks before) and the last day of 3 months beginning with it: the later-of rule moved it."""
    loaded = load_scenario(_two_authorities(tmp_path, small_dict, 400, 0.3))
    rows: list[EventRow] = []
    simulate(loaded, 3, 0, recorder=Recorder(rows.extend))
    start = D(2019, 1, 1)
    day = {}
    by_child: dict[int, list[EventRow]] = {}
    for r in rows:
        by_child.setdefault(r.child, []).append(r)
    checked = 0
    for kid, evs in by_child.items():
        moved = [r for r in evs if r.step == "moved_authority"]
        done = [r for r in evs if r.step == "plan_transfer"]
        notice = [r for r in evs if r.step == "transfer_notice"]
        if not moved or not done:
            continue
        m = start + dt.timedelta(days=int(moved[0].day))
        t = start + dt.timedelta(days=int(done[0].day))
        assert t == _working_day(m, 15), (kid, m, t)
        assert done[0].deadline_met
        if notice:
            assert start + dt.timedelta(days=int(notice[0].day)) == t + dt.timedelta(days=41)
        three = _three_months(t)
        reviews = [start + dt.timedelta(days=int(r.day)) for r in evs if r.step == "annual_review"]
        assert not [d for d in reviews if t + dt.timedelta(days=35) < d < three], (kid, t, three, reviews)
        day[kid] = t
        checked += 1
    assert checked >= 50  # 400 plans at 0.3 a year: about 100 transferred


def test_one_authority_in_and_out(tmp_path: Path, small_dict: dict):
    """One authority (no one else in the run): plans leave it and arrive from outside. 3,000 plans at 0.1 a year,
    in-ratio 1: out as the two-authority test (mean 268.9, sd 15.64); in is Poisson with mean 1 x 0.1 x 3,000 =
    300 (sd 17.3); the plans in force at the end are exactly 3,000 - out + in (no cessation, no new plans)."""
    d, la = _stock_only_year(small_dict)
    la.update(code="A", stock_mainstream=3000)
    (tmp_path / "moves.yaml").write_text(yaml.safe_dump(transfers_doc({"A": {2019: 0.1}})))
    d["plan_transfers"] = "moves.yaml"
    j = simulate(load_scenario(write_scenario(tmp_path, d)), 11, 0)
    m = replication_metrics(j)["metrics"]
    p = 1.0 - math.exp(-0.1 * 343 / 365.25)
    out, inn = m["plans_transferred_out"], m["plans_transferred_in"]
    assert abs(out - 3000 * p) <= Z * math.sqrt(3000 * p * (1 - p)), out
    assert abs(inn - 300) <= Z * math.sqrt(300), inn
    assert m["plans_ceased"] == 0 and m["plans_in_force_end"] == 3000 - out + inn
    assert la_period_metrics(j)["A"]["2020"]["plans_in_force_january"] == 3000 - out + inn


def test_no_file_no_transfers(tmp_path: Path, small_dict: dict):
    """A scenario without `plan_transfers:` moves no plan (the case studies' scenarios pin their own moves)."""
    d = copy.deepcopy(small_dict)
    d.pop("plan_transfers")
    d["end_date"] = "2019-06-30"
    m = replication_metrics(simulate(load_scenario(write_scenario(tmp_path, d)), 1, 0))["metrics"]
    assert m["plans_transferred_out"] == 0 and m["plans_transferred_in"] == 0


@pytest.mark.parametrize("mutate,field", [
    (lambda t: t["authorities"]["A"]["out_rate_by_year"].update({2019: 2.0}), "authorities.A.out_rate_by_year[2019]"),
    (lambda t: t["single_authority_in_ratio"].pop("range"), "single_authority_in_ratio"),
    (lambda t: t.update(destinations="anywhere"), "destinations"),
], ids=["rate_above_bound", "assumption_without_range", "unknown_field"])
def test_bad_plan_transfers_file(tmp_path: Path, small_dict: dict, mutate, field: str):
    """A bad rates file: one line naming the file, the line and the field, exit 2, nothing written."""
    t = transfers_doc({"A": {2019: 0.1}})
    mutate(t)
    bad = tmp_path / "moves.yaml"
    bad.write_text(yaml.safe_dump(t, sort_keys=False))
    d = copy.deepcopy(small_dict)
    d["plan_transfers"] = "moves.yaml"
    sc = write_scenario(tmp_path, d)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["run", str(sc), "-n", "1", "--out", str(out)])
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2 and len(lines) == 1, r.output
    assert lines[0].startswith(f"error: {bad}:") and field in lines[0] and "Traceback" not in r.output
    assert not out.exists()
    with pytest.raises(InputError):
        load_scenario(sc)


def test_a_missing_plan_transfers_file(tmp_path: Path, small_dict: dict):
    d = copy.deepcopy(small_dict)
    d["plan_transfers"] = "nowhere.yaml"
    sc = write_scenario(tmp_path, d)
    r = CliRunner().invoke(main, ["validate", str(sc)])
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2 and len(lines) == 1 and "plan_transfers" in lines[0] and "allowed" in lines[0], r.output
