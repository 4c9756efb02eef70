"""A plan that moves with the child (SEND Regs 2014 reg 15) and a looked-after child placed out of area: the dates
worked out by hand on the calendar (weekends and England's bank holidays counted), then the journey's own dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from simulator.analysis.runs.case_study import case_study, prepare_case, run_case_child
from simulator.engine.core.workdays import bank_holidays, nth_working_day, working_days_between
from simulator.engine.model.route.moves import reg15_notice_date, reg15_review_date, reg15_transfer_date
from simulator.schema.files import InputError

from .conftest import ROOT

D = dt.date
SMALL_LA = ROOT / "scenarios" / "small_la.yaml"


def test_bank_holidays_of_2019_and_2020_by_hand():
    # gov.uk/bank-holidays: 2019 Easter 21 April; 2020's early May moved to Friday 8 May (VE day), Boxing Day a
    # Saturday so Monday 28 December
    assert sorted(bank_holidays(2019)) == [D(2019, 1, 1), D(2019, 4, 19), D(2019, 4, 22), D(2019, 5, 6),
                                           D(2019, 5, 27), D(2019, 8, 26), D(2019, 12, 25), D(2019, 12, 26)]
    assert sorted(bank_holidays(2020)) == [D(2020, 1, 1), D(2020, 4, 10), D(2020, 4, 13), D(2020, 5, 8),
                                           D(2020, 5, 25), D(2020, 8, 31), D(2020, 12, 25), D(2020, 12, 28)]
    assert D(2022, 1, 3) in bank_holidays(2022) and D(2022, 9, 19) in bank_holidays(2022)  # 1 Jan a Saturday


def test_fifteen_working_days_beginning_with_a_day():
    # Monday 4 March 2019: 4-8 (5), 11-15 (10), 18-22 (15): Friday 22 March
    assert nth_working_day(D(2019, 3, 4), 15) == D(2019, 3, 22)
    # Monday 15 April 2019: 15-18 (4), Good Friday 19 and Easter Monday 22 skipped, 23-26 (8), 29-30 (10),
    # 1-3 May (13), the early May bank holiday 6 May skipped, 7 (14), 8 May (15)
    assert nth_working_day(D(2019, 4, 15), 15) == D(2019, 5, 8)
    # a Saturday: the period begins with the next working day, Monday 9 March 2019 ... Friday 29 March
    assert nth_working_day(D(2019, 3, 9), 15) == D(2019, 3, 29)
    assert working_days_between(D(2019, 4, 18), D(2019, 4, 23)) == 2  # Thursday and Tuesday



def test_nth_working_day_is_the_count_day_by_day():
    """`nth_working_day` (found in each year's list of working days) gives the day that counting one day at a time
    from the start gives: every start over three years (Easter, the 2020 and 2022 proclamations, a year's end) and
    limits up to past a year."""
    def stepped(start, n):
        d, k = start, 0
        while True:
            if d.weekday() < 5 and d not in bank_holidays(d.year):
                k += 1
                if k == n:
                    return d
            d += dt.timedelta(days=1)

    for i in range(3 * 366):
        start = D(2019, 12, 1) + dt.timedelta(days=i)
        for n in (1, 2, 5, 15, 20) if i % 7 else (1, 15, 260, 300):
            assert nth_working_day(start, n) == stepped(start, n), (start, n)
    with pytest.raises(ValueError):
        nth_working_day(D(2019, 3, 4), 0)

def test_reg15_transfer_date_by_hand():
    # learned on the day of the move (Monday 4 March 2019): 15 working days beginning that day, 22 March
    assert reg15_transfer_date(D(2019, 3, 4), D(2019, 3, 4), 15) == D(2019, 3, 22)
    # learned Friday 1 February, 16 working days before the move (1; 4-8; 11-15; 18-22 ... 1 March): on the day
    assert reg15_transfer_date(D(2019, 3, 4), D(2019, 2, 1), 15) == D(2019, 3, 4)
    # learned Wednesday 13 February: 13-15 (3), 18-22 (8), 25 Feb-1 Mar (13) before the move: too few, so 15 working
    # days beginning 13 February: 4 March (14), 5 March (15)
    assert reg15_transfer_date(D(2019, 3, 4), D(2019, 2, 13), 15) == D(2019, 3, 5)
    # learned after the move, Tuesday 23 April 2019: 23-26 (4), 29-30 (6), 1-3 May (9), 6 May a bank holiday,
    # 7-10 (13), 13-14 (15): Tuesday 14 May
    assert reg15_transfer_date(D(2019, 4, 1), D(2019, 4, 23), 15) == D(2019, 5, 14)


def test_reg15_notice_and_review_by_hand():
    # 6 weeks beginning with Friday 22 March 2019: 42 days counting the 22nd as the first, so Thursday 2 May
    assert reg15_notice_date(D(2019, 3, 22), 6) == D(2019, 5, 2)
    # the review: later of the due date (7 April) and 3 months beginning 22 March (to 21 June): 21 June
    assert reg15_review_date(D(2019, 4, 7), D(2019, 3, 22), 3) == D(2019, 6, 21)
    # a review due 3 November stays: 12 months from the last review is later than 21 June
    assert reg15_review_date(D(2019, 11, 3), D(2019, 3, 22), 3) == D(2019, 11, 3)
    # 3 months beginning 30 November 2019: to 29 February 2020 (a leap year)
    assert reg15_review_date(D(2019, 12, 1), D(2019, 11, 30), 3) == D(2020, 2, 29)


def _case(tmp_path: Path, first_review_day: int, move: str, extra: str = "", name: str = "mover") -> Path:
    f = tmp_path / f"{name}.yaml"
    f.write_text(f"""name: {name}
title: a move
summary: a move with the plan in force
sources: [SEND Regs 2014 reg 15]
scenario: {SMALL_LA}
start_date: 2019-01-07
existing_plan: {{setting: mainstream, first_review_day: {first_review_day}}}
authorities: {{home: Wandsworth, host: Lambeth}}
moves:
  - {move}
child: {{age: 9.0, need: SLCN, preferred: mainstream}}
pinned: {{review_outcome: maintain}}
{extra}""")
    return f


def _rows(path: Path, run: int = 0):
    cr = prepare_case(path)
    rows, child = run_case_child(cr.case, cr.loaded, cr.la, cr.start, 3, run)
    day = {r.step: r for r in reversed(rows)}  # the first row of each step
    return cr, rows, child, day


def test_a_move_transfers_the_plan_on_the_reg15_dates(tmp_path):
    """Start 7 January 2019 with the first review due 90 days later, 7 April; the family moves on Monday 4 March and
    tells Wandsworth that day. By hand: transferred Friday 22 March (day 80), notice by Thursday 2 May (day 121),
    the review moved to 21 June (day 171), and none held on 7 April."""
    f = _case(tmp_path, 90, "{date: 2019-03-04, to: host, old_authority_learned: 2019-03-04}")
    cr, rows, child, first = _rows(f)
    start = cr.loaded.scenario.start_date
    d = lambda x: float((x - start).days)  # noqa: E731
    names = [la.name for la in cr.loaded.scenario.local_authorities.items]
    assert names == ["Wandsworth", "Lambeth"]  # Lambeth added from England's scenario
    assert cr.la == 0 and child.la == 1 and child.status == "plan"  # maintained by Lambeth, not ceased
    assert first["moved_authority"].day == d(D(2019, 3, 4)) == 62.0
    t = first["plan_transfer"]
    assert (t.day, t.deadline_day, t.deadline_met, t.la) == (80.0, 80.0, True, 0)  # Wandsworth transfers
    n = first["transfer_notice"]
    assert (n.day, n.event, n.la, n.deadline_met) == (d(D(2019, 5, 2)), "review", 1, True)
    reviews = [r for r in rows if r.step == "annual_review"]
    assert reviews and reviews[0].la == 1
    assert reviews[0].day >= d(D(2019, 6, 21)) == 171.0  # not on 7 April: the later-of rule
    assert child.review_after == 171.0
    assert not any(r.step in ("cessation", "plan_end_25") for r in rows)  # the plan is not lost
    # the new place is Lambeth's, sought from the transfer: 21 days' lead time (the scenario's mean, a draw)
    p = next(r for r in rows if r.step == "provision" and r.day > 80.0)
    assert p.la == 1


def test_the_twelve_month_limb_keeps_the_review(tmp_path):
    """The review due 300 days after 7 January 2019 (3 November) is later than 3 months after the transfer (21
    June): it stays where it was, and the transfer adds no review."""
    f = _case(tmp_path, 300, "{date: 2019-03-04, to: host}")
    cr, rows, child, _first = _rows(f)
    reviews = [r for r in rows if r.step == "annual_review"]
    assert reviews[0].day >= 306.0  # day of 3 November 2019
    assert child.review_after != child.review_after  # nothing re-dated
    assert len([r for r in reviews if r.day < 306.0 + 60]) == 1


def test_known_in_advance_and_a_late_transfer(tmp_path):
    """Told on 1 February (16 working days ahead): transferred on the day of the move. A transfer pinned to 3 June
    after learning on 23 April (deadline 14 May by hand) is late: its deadline is shown missed."""
    early = _case(tmp_path, 90, "{date: 2019-03-04, to: host, old_authority_learned: 2019-02-01}", name="early")
    _cr, _rows_, _c, first = _rows(early)
    assert first["plan_transfer"].day == first["moved_authority"].day == 62.0
    late = _case(tmp_path, 200, "{date: 2019-04-01, old_authority_learned: 2019-04-23, keeps_school: true, "
                 "transferred_on: 2019-06-03, notice: reassess}", name="late")
    cr, rows, child, first = _rows(late)
    start = cr.loaded.scenario.start_date
    t = first["plan_transfer"]
    assert t.day == float((D(2019, 6, 3) - start).days) and t.deadline_day == float((D(2019, 5, 14) - start).days)
    assert t.deadline_met is False
    assert first["transfer_notice"].event == "reassess"
    assert not any(r.step == "provision" for r in rows)  # the school is kept: no new place
    assert child.la == 1


def test_a_looked_after_placement_moves_the_plan_and_names_both_roles(tmp_path):
    """Kayla (shipped): placed in Lambeth on 1 May 2019, decided on 1 April (more than 15 working days before: 1-5,
    8-12, 15-18, 23-26 April = 18), so the plan transfers on 1 May; Wandsworth stays corporate parent with the
    virtual school head; the map of roles says the s.24 reading is contested and who pays is uncertain."""
    f = ROOT / "case_studies" / "kayla_looked_after_placed_out_of_area.yaml"
    cr, rows, child, first = _rows(f)
    start = cr.loaded.scenario.start_date
    assert first["plan_transfer"].day == float((D(2019, 5, 1) - start).days)
    assert first["moved_authority"].event == "placed_out_of_area" and child.la == 1
    res = case_study(f, ["current_2014"], runs=2, seed=3)
    home, host = res["authorities"]
    assert (home["authority"], host["authority"]) == ("Wandsworth", "Lambeth")
    assert any("virtual school head" in d for d in home["duties"]) and any("corporate parent" in d
                                                                          for d in home["duties"])
    assert any("CONTESTED" in d and "JG v Kent" in d for d in host["duties"])
    assert host["uncertain"] and home["uncertain"]
    steps = {s["step"]: s for s in res["results"][0]["steps"]}
    assert steps["plan_transfer"]["authority_of"]["local_authority"] == "Wandsworth"
    assert steps["transfer_notice"]["authority_of"]["local_authority"] == "Lambeth"
    assert steps["transfer_notice"]["authority_of"]["social_care"] == "Wandsworth"  # the corporate parent's


def test_a_looked_after_child_placed_before_the_start_asks_the_host():
    """Theo (shipped): placed in Lambeth before the start, so Lambeth decides his request (CFA s.24)."""
    cr, rows, child, first = _rows(ROOT / "case_studies" / "theo_looked_after_out_of_area_request.yaml")
    assert cr.la == 1 and first["request"].la == 1 and child.la == 1


@pytest.mark.parametrize("text,why", [
    ("moves: [{date: 2019-03-04}]", "authorities"),
    ("authorities: {home: Wandsworth, host: Nowhere}", "Nowhere"),
    ("authorities: {home: Wandsworth, host: Lambeth}\nmoves: [{date: 2018-03-04}]", "before the start"),
    ("cessation: {reason: moved_away}", "reg 15"),
])
def test_bad_two_authority_files_are_one_line(tmp_path, text, why):
    f = tmp_path / "bad.yaml"
    f.write_text(f"""name: bad
title: t
summary: s
sources: [x]
scenario: {SMALL_LA}
start_date: 2019-01-07
existing_plan: {{setting: mainstream}}
child: {{age: 9.0}}
{text}
""")
    with pytest.raises(InputError) as e:
        prepare_case(f)
    assert why in str(e.value) and len(e.value.lines) == 1
