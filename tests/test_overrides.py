"""No silent no-ops: tribunal capacity reads hearings_per_year; values never read are stated, and not swept."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.analysis.batch.sweep_plan import plan_sweep
from simulator.analysis.runs.runner import simulate
from simulator.cli import main
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError
from simulator.schema.overrides import notes
from simulator.schema.scenario import Tribunal

from .conftest import SMALL, write_scenario


def _tribunal(hpy: float, by_year: dict[int, float]) -> Tribunal:
    return Tribunal.model_validate({
        "hearings_per_year": {"value": hpy, "source": "test"}, "hearings_per_year_by_year": by_year,
        "hearings_growth_pct_per_year": {"value": 10.0, "source": "test"},
        "earliest_hearing_days": {"value": 70, "source": "test"}, "backlog_at_start": {"value": 0, "source": "test"}})


def test_hearings_per_year_sets_the_level_of_the_by_year_profile() -> None:
    t = _tribunal(200.0, {2019: 100.0, 2021: 400.0})  # twice the profile's first figure: every year doubles
    assert t.hearings_in_year(2019, 2019) == pytest.approx(200.0)
    assert t.hearings_in_year(2020, 2019) == pytest.approx(400.0)  # geometric between 100 and 400: 200, x2
    assert t.hearings_in_year(2022, 2019) == pytest.approx(880.0)  # 400 x 1.10 after the last figure, x2
    same = _tribunal(100.0, {2019: 100.0, 2021: 400.0})  # where they agree (every shipped scenario): the profile
    assert same.hearings_in_year(2021, 2019) == 400.0
    flat = _tribunal(200.0, {})
    assert flat.hearings_in_year(2021, 2019) == pytest.approx(242.0)  # 200 x 1.1^2


def test_a_run_reads_hearings_per_year(small_dict: dict) -> None:
    """The tribunal's capacity in a run moves with hearings_per_year (it used to be replaced by the by-year one)."""
    base = load_scenario(SMALL, until=__import__("datetime").date(2019, 3, 31))
    t = base.scenario.tribunal
    low = t.model_copy(update={"hearings_per_year": t.hearings_per_year.model_copy(
        update={"value": t.hearings_per_year.value / 4})})
    cut = dataclasses.replace(base, scenario=base.scenario.model_copy(update={"tribunal": low}))
    rate = []
    for ld in (base, cut):
        j = simulate(ld, 1, 0)
        rate.append(j.tribunal.servers / j.hearing_days * 365.25)
    assert rate[1] == pytest.approx(rate[0] / 4)  # a quarter of the hearings: a quarter of the capacity


def test_validate_states_a_value_never_read(tmp_path: Path, small_dict: dict) -> None:
    doc = copy.deepcopy(small_dict)
    doc["tribunal"]["hearings_per_year"]["value"] = doc["tribunal"]["hearings_per_year"]["value"] * 2
    p = write_scenario(tmp_path, doc)
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 0
    assert "population.assessment_lapsed_probability.value (0) is never read" in r.output  # by_year gives 2019
    assert "tribunal.hearings_per_year_by_year is scaled by hearings_per_year / its first figure" in r.output
    assert "x2" in r.output
    # and small_la's waits: fitted_delay leaves the backlog model's values unread (MODEL.md 3.3a), and its late
    # shares leave the Weibull delay's shape unread (3.3)
    assert [n.path for n in notes(load_scenario(p).scenario) if n.unread] == [
        "population.assessment_lapsed_probability.value", "capacity_projection_pct_per_year.value",
        "capacity_gap_persistence_per_year.value", "durations.authority_delay_shape.value",
        "local_authorities.items.*.casework_per_week_by_year",
        "local_authorities.items.*.casework_responsiveness_per_week", "local_authorities.items.*.backlog_at_start"]


def test_a_sweep_over_a_value_never_read_is_refused(tmp_path: Path) -> None:
    sweep = {"name": "noop", "scenario": str(SMALL), "until": "2019-12-31", "rules": ["current_2014"],
             "replications": 1, "design": {"kind": "grid", "levels": 2},
             "parameters": [{"path": "scenario.population.assessment_lapsed_probability", "range": [0.0, 0.1]}],
             "outputs": ["new_plans"]}
    p = tmp_path / "noop.yaml"
    p.write_text(yaml.safe_dump(sweep))
    with pytest.raises(InputError, match="is never read by the run, so a sweep over it changes nothing"):
        plan_sweep(p)
    sweep["parameters"] = [{"path": "scenario.tribunal.hearings_per_year", "range": [50, 400]}]
    p.write_text(yaml.safe_dump(sweep))
    assert [q.name for q in plan_sweep(p).parameters] == ["scenario.tribunal.hearings_per_year"]
