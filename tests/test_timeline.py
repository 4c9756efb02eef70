"""A child whose every step has a fixed duration meets the dates worked out by hand."""

from __future__ import annotations

import copy
import datetime as dt

import pyarrow.parquet as pq

from simulator.engine.core.loop import HeapEngine
from simulator.engine.core.streams import Streams
from simulator.engine.model.journey import Journey
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario

from .conftest import pin, quiet, write_scenario

# fixed working times (days), and the law's own periods: comments 15 days, 20 weeks = 140 days
FIXED = {"panel_decision_days": 21, "ep_advice_days": 35, "health_advice_days": 28, "social_care_advice_days": 28,
         "school_advice_days": 21, "decide_to_issue_days": 10, "draft_writing_days": 14,
         "setting_consultation_days": 12, "finalise_days": 8, "place_start_days": 21}


def fixed_scenario(tmp_path, small_dict, servers: int = 5):
    d = quiet(small_dict)
    la = d["local_authorities"]["items"][0]
    la["requests_per_year"] = 0
    for k in ("panel_servers", "ep_servers", "health_advice_servers", "social_care_advice_servers",
              "plan_writer_servers"):
        la[k] = servers
    for k, v in FIXED.items():
        pin(d["durations"][k], v, distribution="fixed")
    for k in ("review_late_probability", "amend_probability", "move_to_special_probability"):
        pin(d["reviews"][k], 0.0)
    for v in d["reviews"]["cease_probability_per_year"].values():
        pin(v, 0.0)
    return load_scenario(write_scenario(tmp_path, d))


def run_children(loaded, children):
    rows: list[tuple] = []
    rec = Recorder(rows.extend, chunk=10)
    j = Journey(loaded, HeapEngine(), Streams(1, 0), rec)
    j.populate()
    kids = [j.add_request(at, **attrs) for at, attrs in children]
    j.simulate()
    rec.flush()
    return j, kids, rows


def events_of(rows, child_id):
    return [(round(r[2], 6), r[3], r[4], r[6], r[7]) for r in rows if r[0] == child_id]


def test_fixed_durations_give_hand_worked_dates(tmp_path, small_dict):
    loaded = fixed_scenario(tmp_path, small_dict)
    # request on day 10 (11 January 2019); health and social care advice needed
    j, (c,), rows = run_children(loaded, [(10.0, {"health": True, "social": True, "preferred": "mainstream"})])
    ev = {(step, event): (t, deadline, met) for t, step, event, deadline, met in events_of(rows, c.id)}
    # by hand: panel 21 days -> decision day 31 (deadline 10 + 42 = 52, met)
    assert ev[("decide_to_assess", "agreed")] == (31.0, 52.0, True)
    # advice asked on day 31, deadline 73: school 21 -> 52; health and social 28 -> 59; EP 35 -> 66
    assert ev[("school_advice", "received")] == (52.0, 73.0, True)
    assert ev[("health_advice", "received")] == (59.0, 73.0, True)
    assert ev[("social_care_advice", "received")] == (59.0, 73.0, True)
    assert ev[("psychological_advice", "received")] == (66.0, 73.0, True)
    # decision to issue 10 days after the last advice: day 76 (deadline 10 + 112 = 122)
    assert ev[("decide_to_issue", "to_issue")] == (76.0, 122.0, True)
    # draft written in 14 days: 90; 15 days for comments: 105; consultation 12: 117; finalised 8 later: 125
    assert ev[("draft_plan", "issued")][0] == 90.0
    assert ev[("family_comments", "requested_mainstream")][0] == 105.0
    assert ev[("name_setting", "named_mainstream")][0] == 117.0
    assert ev[("final_plan", "issued")] == (125.0, 150.0, True)
    assert loaded.scenario.start_date + dt.timedelta(days=125) == dt.date(2019, 5, 6)
    # mainstream has no place limit: provision in place 21 days after the final plan
    assert ev[("provision", "in_place_mainstream")][0] == 146.0
    assert (c.final_at - c.t0) / 7 == 115 / 7


def test_queue_delays_the_clock_and_flags_the_missed_deadline(tmp_path, small_dict):
    """One EP, three children asked on the same day: the third waits 70 days for the EP, and misses 20 weeks."""
    loaded = fixed_scenario(tmp_path, small_dict, servers=1)
    d = loaded.scenario.model_dump(mode="json")
    d["local_authorities"]["items"][0]["panel_servers"] = 3
    loaded = load_scenario(write_scenario(tmp_path, d, "three.yaml"))
    j, kids, rows = run_children(loaded, [(0.0, {}), (0.0, {}), (0.0, {})])
    # panel: three servers, all decide on day 21; EP: one server, 35 days each -> advice on 56, 91, 126
    eps = [events_of(rows, c.id) for c in kids]
    ep_days = [next((t, met) for t, step, _e, _d, met in e if step == "psychological_advice") for e in eps]
    assert ep_days == [(56.0, True), (91.0, False), (126.0, False)]  # deadline 21 + 42 = 63
    # after the EP: decide 10, then one plan writer (14 days each, no overlap here), 15 comments, 12, 8
    finals = [c.final_at for c in kids]
    assert finals == [56 + 10 + 14 + 15 + 12 + 8, 91 + 59, 126 + 59]
    within = [c.final_at <= c.final_deadline for c in kids]
    assert within == [True, False, False]  # 115 and 150 and 185 days against 140


def test_event_log_has_the_documented_columns(tmp_path, small_dict):
    from simulator.analysis.runs.run import run

    loaded = load_scenario(write_scenario(tmp_path, copy.deepcopy(small_dict)))
    res = run(loaded, replications=1, seed=3, out_dir=tmp_path / "out")
    t = pq.read_table(tmp_path / "out" / "replications" / "rep-000" / "events.parquet")
    assert t.column_names == ["child", "la", "day", "date", "step", "event", "duty_holder", "deadline_day",
                              "deadline_met"]
    assert t.num_rows > 1000
    journeys = pq.read_table(tmp_path / "out" / "replications" / "rep-000" / "journeys.parquet")
    assert journeys.num_rows == res.replications[0]["children"]
    # children still in the system at the horizon are counted, not dropped
    statuses = set(journeys.column("status_at_end").to_pylist())
    assert "in_progress" in statuses and "plan" in statuses
