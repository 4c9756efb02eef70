"""Last session's route leftovers: an appeal still waiting for a hearing at the end of a case's route (the
tribunal's list in a projection longer than the 18 months read), and the case-file fields added or refused."""

from __future__ import annotations

import pytest

from simulator.analysis.runs.case_study import _dedup, still_waiting_pct
from simulator.engine.model.records import EventRow


def _rows(*events: tuple[float, str, str]) -> list[EventRow]:
    return [EventRow(7, 0, day, step, event, "x") for day, step, event in events]


# the window: 18 months of 365.25 / 12 days = 547.875 days from the request
REQUEST, END = 100.0, 100.0 + 547.875


def test_an_appeal_registered_and_not_heard_in_the_window_ends_the_route_still_waiting():
    rows = _rows((REQUEST, "request", "received_from_school"), (250.0, "appeal", "lodged_placement"),
                 (264.0, "appeal", "registered"), (600.0, "annual_review", "maintain"),
                 (700.0, "hearing", "heard"))  # heard after the window (day 647.875)
    route = _dedup(rows, REQUEST)
    assert [(r.step, r.event) for r in route][-3:] == [("appeal", "registered"), ("annual_review", "maintain"),
                                                       ("hearing", "still_waiting_at_route_end")]
    assert route[-1].day == pytest.approx(647.875)
    assert route[-1].duty_holder == "tribunal"


@pytest.mark.parametrize("end", [("hearing", "heard"), ("appeal", "conceded_by_la"), ("appeal", "withdrawn")])
def test_an_appeal_ended_in_the_window_is_not_waiting(end):
    rows = _rows((REQUEST, "request", "received_from_school"), (264.0, "appeal", "registered"),
                 (500.0, *end), (600.0, "annual_review", "maintain"))
    assert ("hearing", "still_waiting_at_route_end") not in [(r.step, r.event) for r in _dedup(rows, REQUEST)]


def test_the_share_of_runs_still_waiting():
    waiting = _rows((REQUEST, "request", "x"), (264.0, "appeal", "registered"))
    heard = _rows((REQUEST, "request", "x"), (264.0, "appeal", "registered"), (400.0, "hearing", "heard"))
    none = _rows((REQUEST, "request", "x"))
    runs = [(waiting, None), (heard, None), (none, None), (waiting, None)]
    assert still_waiting_pct(runs, REQUEST) == 50.0  # 2 of 4 runs


def test_the_event_in_words():
    from simulator.report.timeline import event_words

    assert event_words("hearing", "still_waiting_at_route_end") == \
        "still waiting for a hearing when the route's 18 months end"


ELLA = """name: ella_test
title: t
summary: s
sources: [s]
scenario: small_la
start_date: 2019-01-07
existing_plan: {setting: mainstream, first_review_day: 90}
authorities: {home: Wandsworth, host: Lambeth}
moves:
  - {date: 2019-03-04, to: host, old_authority_learned: 2019-03-04%s}
child: {age: 9.0, requester: parent, need: SLCN, preferred: mainstream, capacity: medium}
"""


def _case(tmp_path, text: str):
    p = tmp_path / "case.yaml"
    p.write_text(text)
    return p


def test_a_transfer_after_the_routes_end_is_refused_in_one_line(tmp_path):
    from simulator.analysis.runs.case_study import prepare_case
    from tests.conftest import one_refusal

    p = _case(tmp_path, ELLA % ", transferred_on: 2020-12-01")
    # the route: 7 January 2019 + round(18 x 365.25 / 12) = 548 days = 8 July 2020
    assert one_refusal(prepare_case, p) == (
        f"{p}:10: moves[0].transferred_on: 2020-12-01 is after the route's end (allowed: a date from the move "
        "2019-03-04 to 2020-07-08, the 18 months a case study reads or to the scenario's end; a transfer after them "
        "is not in the route)")
    prepare_case(_case(tmp_path, ELLA % ", transferred_on: 2020-07-08"))  # the last day of the route: kept


@pytest.mark.parametrize(("extra", "field", "why"), [
    ("twin: {age: 9.0}", "twin", "a case file follows one child: twins or siblings are not modelled together"),
    ("siblings: [{age: 7.0}]", "siblings", "a case file follows one child"),
    ("setting_closes: {on: 2019-05-01}", "setting_closes", "a setting that closes is not modelled: the LA's early "
                                                           "review on the change of circumstances"),
])
def test_twins_and_a_closing_setting_are_refused_in_one_line_saying_why(tmp_path, extra, field, why):
    from simulator.analysis.runs.case_study import prepare_case
    from tests.conftest import one_refusal

    p = _case(tmp_path, ELLA % "" + extra + "\n")
    line = one_refusal(prepare_case, p)
    assert line.startswith(f"{p}:12: {field}: {why}")
    assert line.endswith("(allowed: name, title, summary, sources, scenario, local_authority, start_date, "
                         "request_date, existing_plan, previous_plan, child, cessation, pinned, authorities, "
                         "looked_after, moves, education, plan, personal_budget)")


def test_the_cli_refuses_a_twin_with_exit_2_and_writes_nothing(tmp_path):
    from click.testing import CliRunner

    from simulator.cli import main

    p = _case(tmp_path, ELLA % "" + "twin: {age: 9.0}\n")
    res = CliRunner().invoke(main, ["case-study", str(p), "--rules", "current_2014", "-n", "2",
                                    "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


MAYA = """name: maya_test
title: t
summary: s
sources: [s]
scenario: small_la
request_date: 2019-03-04
child: {age: 10.0, requester: parent, need: SpLD, preferred: maintained_special, capacity: medium}
pinned: {decide_to_assess: agreed, decide_to_issue: issue, setting_request: refused, dispute_placement: true,
         appeal_outcome: heard, hearing: for_family%s}
"""


def _maya_events(tmp_path, extra: str, run: int) -> list[tuple[float, str, str]]:
    from simulator.analysis.runs.case_study import prepare_case, run_case_child

    cr = prepare_case(_case(tmp_path, MAYA % extra))
    rows, _c = run_case_child(cr.case, cr.loaded, cr.la, cr.start, 42, run)
    return [(r.day, r.step, r.event) for r in rows]


def test_an_all_through_special_school_ordered_by_the_tribunal_is_kept_at_the_phase_transfer(tmp_path):
    """Maya, 10 on 4 March 2019 (Year 5), wins a maintained special school at the tribunal in January 2020; her
    transfer to Year 7 is decided by 15 February 2020 (reg 18): day 410 from 1 January 2019. Run 0 (seed 42): the
    order is complied with on 23 January; at the transfer the LA names the next phase's setting afresh (mainstream
    again, appealable) unless the case says the special school is all-through."""
    afresh = _maya_events(tmp_path, "", 0)
    kept = _maya_events(tmp_path, ", transfer_keeps_setting: true", 0)
    transfer = 410.0  # 15 February 2020 - 1 January 2019
    assert (transfer, "phase_transfer", "review_age_11") in afresh and (transfer, "phase_transfer", "review_age_11") in kept
    after = lambda ev: [(s, e) for d, s, e in ev if d >= transfer and s == "name_setting"]  # noqa: E731
    assert after(afresh)[0][1].startswith("named_mainstream_refused")  # named afresh: mainstream again
    assert after(kept) == [("name_setting", "kept_maintained_special_all_through")]  # the same school, nothing else
    assert ("provision", "in_place_maintained_special") in [(s, e) for d, s, e in kept if d > transfer]


def test_the_pin_keeps_only_a_special_school(tmp_path):
    """Run 1 (seed 42): at the transfer Maya is still in her mainstream primary (the tribunal decides in June): the
    pin does not keep a mainstream school; the next setting is named afresh."""
    kept = _maya_events(tmp_path, ", transfer_keeps_setting: true", 1)
    assert not any(e.startswith("kept_") for _d, _s, e in kept)


def test_the_pin_in_words():
    from simulator.report.timeline import PIN_WORDS, event_words

    assert event_words("name_setting", "kept_maintained_special_all_through") == \
        "maintained special school kept for the next phase (all-through)"
    assert PIN_WORDS[("transfer_keeps_setting", True)].startswith("a special school named spans both phases")
