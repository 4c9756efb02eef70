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
