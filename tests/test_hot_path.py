"""The hot path's shortcuts (issue 28) keep what they replace: a new child's fields, and the costs counted a step
at a time (`Counters.count_each`) instead of one count a payer. Values are worked by hand."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from types import SimpleNamespace

import numpy as np

from simulator.analysis.runs.runner import simulate
from simulator.engine.core.calendar import Calendar
from simulator.engine.core.loop import Clock
from simulator.engine.model.child import _FRESH_FIELDS, ATTRIBUTES, Child
from simulator.engine.model.records import COST_BY_PAYER, Counters
from simulator.engine.model.route.reviews import TRANSFER_AGES
from simulator.rules.scenario import load_scenario
from simulator.schema.units import DAYS_PER_YEAR

from .conftest import SMALL, quiet, write_scenario


def test_a_new_child_has_every_field_set_in_the_declared_order():
    c = Child(7, 3, True)
    assert (c.id, c.la, c.stock) == (7, 3, True)
    for name, value in _FRESH_FIELDS:  # the tuple is unpacked in this order: a shifted name would get its neighbour's
        got = getattr(c, name)
        # (a day held as a C double in the compiled core, child.pxd, reads back as a new float of the same value)
        assert got is value or (type(value) is float and type(got) is float
                                and (got == value or (math.isnan(value) and math.isnan(got)))), name
    assert c.status == "in_progress" and c.reviews == 0 and math.isnan(c.t0) and c.ladder == () and c.pins is None
    # only what the population draws (ATTRIBUTES), the setting named later and the advice awaited are left unset
    # (pure Python: no value; the compiled core's extension type reads an unset field as None)
    fresh_none = {name for name, value in _FRESH_FIELDS if value is None}
    unset = [s for s in Child.__slots__ if getattr(c, s, None) is None and s not in fresh_none]
    # (the birth day is NaN until drawn: compiled, a C double, which cannot read None)
    assert set(unset) == (set(ATTRIBUTES) - {"exception", "gid", "pid", "born"}) | {"setting", "advice_pending"}


def _counters() -> Counters:
    return Counters(Calendar(dt.date(2020, 1, 1), dt.date(2021, 12, 31)), from_day=10.0, groups=2, cross_groups=3)


def test_count_each_adds_each_payers_amount_times_scale_as_single_counts_would():
    la, icb = COST_BY_PAYER["la_high_needs"], COST_BY_PAYER["integrated_care_board"]
    child = SimpleNamespace(gid=1, pid=2)
    each = _counters()
    each.count_each(child, ((1000.0, la), (250.0, icb)), 400.0, 0.5)  # half a year: 500 and 125, in 2021
    each.count_each(child, ((80.0, la),), 20.0)  # unscaled: 80 in 2020
    each.count_each(child, ((80.0, la),), 5.0)  # before from_day (warm-up): not counted
    each.count_each(child, (), 800.0)  # no payers: nothing, not even a period for 2022
    assert each.counts == {(la, "2021"): 500.0, (icb, "2021"): 125.0, (la, "2020"): 80.0}
    assert each.groups[1] == {la: 580.0, icb: 125.0} and each.groups[0] == {}
    assert each.cross[2] == {la: 580.0, icb: 125.0}
    one = _counters()
    one.count(child, la, 400.0, 500.0)
    one.count(child, icb, 400.0, 125.0)
    one.count(child, la, 20.0, 80.0)
    assert (one.counts, one.groups, one.cross) == (each.counts, each.groups, each.cross)


class _Scheduled(Clock):
    """Stands in for the engine while a child's dated steps are asked for: records what they schedule. A `Clock`,
    as the run's engine field is declared in the compiled core (state.pxd); its own `at` overrides the base's."""

    def __init__(self, now: float) -> None:
        self.now, self.calls = now, []

    def at(self, t: float, fn, arg) -> None:
        self.calls.append(t)


def test_the_stocks_dated_steps_are_skipped_only_where_they_schedule_nothing(small_dict: dict, tmp_path):
    """`may_date_steps` picks the plans whose phase transfer or end at 25 can fall in the run (the start skips the
    others): over births at each bound (a transfer age reached on 1 September, 25 reached at the horizon) and a
    spread of ages, every child whose `_schedule_transfer` or `schedule_plan_end` schedules something is picked,
    and most of the spread (ages 0-26; three transfer ages a year) is not, in runs of one year and of three (where a
    transfer two Septembers away is in the run)."""
    seen = {}

    def check(j) -> None:
        edges = [sept - a * DAYS_PER_YEAR for sept, _school, _post16 in j._transfers for a in TRANSFER_AGES]
        edges += [sept - (a + 1) * DAYS_PER_YEAR for sept, _school, _post16 in j._transfers for a in TRANSFER_AGES]
        edges.append(j.horizon - j.law.plan_end_age * DAYS_PER_YEAR)
        born = [b + d for b in edges for d in (-1.0, -1e-9, 0.0, 1e-9, 1.0)]
        born += np.linspace(-26 * DAYS_PER_YEAR, 0.0, 5000).tolist()
        may = j.may_date_steps(np.asarray(born), 0.0).tolist()
        real = j.engine
        hits = []
        for i, b in enumerate(born):
            c = Child(10**9 + i, 0, True)
            c.born = b
            j.engine = _Scheduled(real.now)
            j._schedule_transfer(c, 0.0)
            j.schedule_plan_end(c)
            hits.append(bool(j.engine.calls))
        j.engine = real
        seen.update(may=may, hits=hits)

    for end, share in (("2019-12-31", 0.3), ("2021-12-31", 0.6)):  # a child 9 in 2019 transfers at 11 in 2021
        d = dict(quiet(small_dict), end_date=end)  # no lead-in, no stock: only these children are looked at
        simulate(load_scenario(write_scenario(tmp_path, d)), 1, 0, prepare=check)
        may, hits = seen["may"], seen["hits"]
        assert all(m for m, h in zip(may, hits, strict=True) if h), end  # never skips a step that schedules
        assert sum(hits) > 500 and sum(may) < share * len(may)  # steps in the run exist, most children are skipped


def test_add_counts_nationally_only_as_count_does_for_a_child():
    """`add` (no child) is `count` without the groups: the national counts of the day's calendar year and, for the
    tribunal, of its September-August year; nothing before `from_day`; no group or phase x region total."""
    hearings, child = "hearings", SimpleNamespace(gid=0, pid=1)
    national = _counters()
    national.add(hearings, 400.0, 2.0, academic=True)  # 4 February 2021: calendar 2021, academic 2020/21
    national.add(hearings, 250.0)  # 7 September 2020: calendar 2020 only
    national.add(hearings, 9.0)  # before from_day (warm-up): not counted
    assert national.counts == {(hearings, "2021"): 2.0, (hearings, "2020/21"): 2.0, (hearings, "2020"): 1.0}
    assert national.groups == [{}, {}] and national.cross == [{}, {}, {}]
    one = _counters()
    one.count(child, hearings, 400.0, 2.0, academic=True)
    one.count(child, hearings, 250.0)
    one.count(child, hearings, 9.0)
    assert one.counts == national.counts and one.groups[0] == {hearings: 3.0} and one.cross[1] == {hearings: 3.0}


def test_la_counts_are_the_dictionary_of_tuple_keys_they_replace():
    """`add_la` keeps each calendar year's per-authority counts in an array by (authority, count id); `la_counts`
    reads them back as the {(authority, metric): get(key, 0.0) + n} dictionary did, in the order each key was first
    counted: authorities out of order and growing the array, a -0.0 first addition (0.0 + -0.0 is 0.0), keys outside
    the array (a negative authority, an undeclared metric), two years, nothing before `from_day`."""
    req, plans = "requests", "new_plans"
    adds = [(3, req, 20.0, 1.0), (0, plans, 30.0, 2.5), (3, req, 40.0, 1.0), (150, req, 50.0, -0.0),
            (-1, req, 60.0, 1.0), (0, "not_declared", 70.0, 4.0), (3, plans, 400.0, 0.1), (0, req, 5.0, 9.0),
            (3, plans, 420.0, 0.2), (-1, req, 65.0, 2.0)]
    got = _counters()
    ref: dict[str, dict] = {}
    for la, metric, day, n in adds:
        got.add_la(la, metric, day, n)
        if day >= 10.0:
            d = ref.setdefault(str(got.year(day)), {})
            d[(la, metric)] = d.get((la, metric), 0.0) + n
    got.count(None, req, 20.0)  # a national count opens no authority's
    want = {(la, metric, period): v for period, d in ref.items() for (la, metric), v in d.items()}
    assert list(got.la_counts.items()) == list(want.items())
    assert math.copysign(1.0, got.la_counts[(150, req, "2020")]) > 0.0  # counted, and +0.0


def test_pickled_counters_count_on_as_the_original():
    """A `Counters` pickled and loaded (its id table with it) counts on exactly as the one it was made from."""
    child = SimpleNamespace(gid=1, pid=2)
    one = _counters()
    one.count(child, "requests", 20.0)
    one.add_la(3, "requests", 20.0)
    two = pickle.loads(pickle.dumps(one))
    for c in (one, two):
        c.count(child, "requests", 30.0, 2.0)
        c.count(child, "new_plans", 400.0, academic=True)
        c.add_la(3, "requests", 30.0)
    assert (two.counts, two.groups, two.cross, two.la_counts) == (one.counts, one.groups, one.cross, one.la_counts)
    assert two.counts[("requests", "2020")] == 3.0 and two.la_counts[(3, "requests", "2020")] == 2.0


def test_a_disputes_rungs_are_made_once_per_appeal_type_and_are_the_ladders_rungs():
    """`Law.steps_for` keeps each appeal type's rungs: the same rungs as made afresh (the tribunal left out; a rung
    the appeal type is exempt from kept, not compulsory), one tuple for every dispute of the type, and the law's
    equality untouched by what it keeps. The ladder is made by hand here."""
    import dataclasses

    from simulator.rules.law import LadderStep

    advice = LadderStep("mediation_advice", True, frozenset({"placement"}), 14.0, 1.0, 0.5)
    mediation = LadderStep("mediation", False, frozenset(), 30.0, 1.0, 0.3)
    tribunal = LadderStep("tribunal", True, frozenset(), 140.0, 1.0, 0.9)
    law = dataclasses.replace(load_scenario(SMALL).law, ladder=(advice, mediation, tribunal))
    fresh = dataclasses.replace(law)
    contents = law.steps_for("contents")
    assert contents == (advice, mediation) and contents[0] is advice
    placement = law.steps_for("placement")
    assert placement == (dataclasses.replace(advice, mandatory=False), mediation)
    assert law.steps_for("contents") is contents and law.steps_for("placement") is placement
    assert law == fresh and law.steps_for("placement") == fresh.steps_for("placement")
