"""The population's compiled shortcuts (issue 28) keep what they replace: a child's attributes drawn into typed columns
by one C loop (`AttributeRows`, compiled only) are the draws made one by one from the keyed streams, and the lists
`_attributes` makes (the pure path); a child made by `new_child` is the child `Child(...)` makes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simulator.engine.model.population as population
from simulator.engine.core.loop import make_engine
from simulator.engine.core.streams import Streams
from simulator.engine.model.child import AGE_RANGES, ATTRIBUTES, Child, new_child
from simulator.engine.model.journey import Journey
from simulator.rules.scenario import load_scenario
from simulator.schema.units import DAYS_PER_YEAR
from simulator.schema.vocabulary import AGE_BANDS, CAPACITIES, REQUESTERS, SETTINGS

SMALL = Path(__file__).resolve().parent.parent / "scenarios" / "small_la.yaml"
COMPILED = population.__file__.endswith((".so", ".pyd"))


def _one_by_one(j: Journey, cid: int, at: float, la: int, age_cum: list[float]) -> tuple[dict, str]:
    """A child's attributes by the definitions, one draw at a time (`Draw.u`, `Draw.choice`): what both bulk paths
    stand for; and its age band."""
    r = j.rng
    band = AGE_BANDS[r.age_band.choice(age_cum, cid)]
    lo, hi = AGE_RANGES[band]
    age = lo + (hi - lo) * r.age.u(cid)
    requester = REQUESTERS[r.requester.choice(j.cum_requester, cid)]
    need = j.needs[r.need.choice(j.cum_need, cid)]
    capacity = CAPACITIES[r.capacity.choice(j.cum_capacity, cid)]
    preferred = SETTINGS[r.preferred.choice(j.cum_pref_post16 if age >= 16 else j.cum_pref_school, cid)]
    return {"requester": requester, "born": at - age * DAYS_PER_YEAR, "need": need, "preferred": preferred,
            "on_s41": r.on_s41.u(cid) < j.p_s41, "capacity": capacity, "health": r.health.u(cid) < j.p_health,
            "social": r.social.u(cid) < j.p_social, "exception": r.exception.u(cid) < j.p_exception,
            "gid": j.group_index.gid(capacity, requester, need), "pid": j.group_index.pid(age, la)}, band


def _fields(c: Child) -> list[tuple[str, str, str]]:
    return [(k, type(getattr(c, k)).__name__, repr(getattr(c, k))) for k in ATTRIBUTES]


@pytest.mark.skipif(not COMPILED, reason="AttributeRows is the compiled core's (the pure path keeps the lists)")
@pytest.mark.parametrize("chunk", [None, 3, 1000])
def test_attribute_rows_are_the_draws_one_by_one_and_the_lists_of_the_pure_path(chunk, monkeypatch):
    """Drawn chunk by chunk (`_CHUNK` children at a time; here also 3 and 1,000, so that the 2,008 children span many
    chunks and end with a shorter one), each row is still its own child's."""
    if chunk is not None:
        monkeypatch.setattr(population, "_CHUNK", chunk)
    j = Journey(load_scenario(SMALL), make_engine("heap"), Streams(5, 2), None)
    ids = np.array([0, 1, 2, 7, 99, 1000, 123_456, 2**40 + 3, *range(5000, 7000)], dtype=np.int64)
    at = np.linspace(-200.0, 3000.0, ids.size)
    las = np.zeros(ids.size, dtype=np.int64)
    # the stock's own age mix by authority (a row a child) and one mix for all, each band drawn somewhere
    by_row = np.tile(np.cumsum([0.15, 0.25, 0.3, 0.2, 0.1]), (ids.size, 1))
    for age_cum, rows_of in ((j.cum_age_request, None), (by_row, by_row[0].tolist())):
        rows = j._attribute_rows(ids, at, age_cum, las)
        cols = population._columns(j._attributes(ids, at, age_cum, las), ids.size)
        assert rows.born_days.tolist() == j._attributes(ids, at, age_cum, las)["born"]
        seen_bands = set()
        for i, cid in enumerate(ids.tolist()):
            by_rows, by_lists = Child(cid, 0, False), Child(cid, 0, False)
            rows.assign(by_rows, i)
            population.assign_row(by_lists, cols, i)
            want, band = _one_by_one(j, cid, float(at[i]), 0, rows_of or age_cum)
            seen_bands.add(band)
            assert {k: getattr(by_rows, k) for k in ATTRIBUTES} == want, cid
            assert _fields(by_rows) == _fields(by_lists), cid  # the same values of the same types
            assert by_rows.need is want["need"] and by_rows.requester is want["requester"]  # the names' own objects
        assert seen_bands == set(AGE_BANDS)  # every band drawn


def test_a_child_by_new_child_is_the_child_the_call_makes():
    for cid, la, stock in ((0, 0, False), (7, 3, True), (2**40 + 5, 152, False)):
        a, b = Child(cid, la, stock), new_child(cid, la, stock)
        assert type(b) is Child
        for name in Child.__slots__:
            x, y = getattr(a, name, None), getattr(b, name, None)
            assert type(x) is type(y) and (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))), name
        assert (b.id, b.la, b.stock, b.status, b.ladder) == (cid, la, stock, "in_progress", ())


def test_uniform_array_into_a_row_of_a_table_is_the_draws_one_by_one():
    """`uniform_array(..., out=row)` (the attributes' table of draws) writes the numbers `Draw.u` gives one by one."""
    from simulator.engine.core.streams import Draw, uniform_array

    d = Draw(Streams(3, 1), "age")
    ids = np.array([0, 5, 2**33 + 1, 77], dtype=np.int64)
    table = np.zeros((3, ids.size))
    row = table[1]
    assert uniform_array(d, ids, 2, row) is row  # written in place, into the table
    assert table[1].tolist() == [d.u(int(i), 2) for i in ids] and table[0].tolist() == [0.0] * 4 == table[2].tolist()
    with pytest.raises(ValueError):  # an output of another length
        uniform_array(d, ids, 0, np.zeros(3))
