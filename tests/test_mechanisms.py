"""The reform mechanisms, one child at a time with every duration fixed: mediation outcomes, tailored lists, the
White Paper's remittal, school-level plans by need, and commencement dates.

Each test builds a quiet copy of small_la (no other children's disputes, no stock, fixed working times), pins
the probabilities that matter to 0 or 1, and reads the child's event log, so the expected route is worked out by
hand from the statute and the rule set, not from the program's output.
"""

from __future__ import annotations

import datetime as dt

import yaml

from simulator.analysis.runs.runner import simulate
from simulator.engine.model.records import Recorder
from simulator.rules.scenario import load_scenario

from .conftest import one_child_fixed, pin, write_scenario


def base(small_dict: dict) -> dict:
    return one_child_fixed(small_dict)


def run_one(tmp_path, doc: dict, rules: str, name: str = "s.yaml", **child) -> list:
    loaded = load_scenario(write_scenario(tmp_path, doc, name), rules)
    rows: list = []
    rec = Recorder(rows.extend, chunk=1)
    kid = {}

    def add(j):
        kid["c"] = j.add_request(0.0, **child)

    j = simulate(loaded, 1, 0, recorder=rec, prepare=add)
    return [r for r in rows if r.child == kid["c"].id], j, kid["c"]


def events(rows: list) -> list[str]:
    return [f"{r.step}:{r.event}" for r in rows]


def reform(tmp_path, name: str, changes: list[dict]) -> str:
    """A one-switch reform over current law, in force from the start."""
    rules = tmp_path / "rules"
    write_scenario(tmp_path, {}, "unused.yaml") if not rules.exists() else None
    doc = {"name": name, "label": name, "description": "test", "baseline": "current_2014",
           "switches": {name: {"label": name, "source": "test fixture", "in_force": "start",
                               "in_force_source": "test fixture",
                               "changes": [{**c, "source": "test fixture"} for c in changes]}}}
    (rules / f"{name}.yaml").write_text(yaml.safe_dump(doc))
    return name


def test_a_partial_agreement_at_mediation_ends_with_less_than_the_family_sought(tmp_path, small_dict):
    """The family asks for a special school, the LA names mainstream, the family mediates and agrees in part: the
    setting named stands (mainstream), the dispute ends as a partial agreement, and no appeal follows."""
    d = base(small_dict)
    r = d["redress"]
    pin(r["dispute_probability"]["placement"], 1.0)
    pin(r["mediation_chosen_probability"], 1.0)
    pin(r["mediation_settles_probability"], 1.0)
    pin(r["mediation_agreement_for_family_share"], 0.0)
    pin(r["mediation_partial_agreement_share"], 1.0)
    pin(d["naming"]["refuse_requested_setting_probability"]["maintained_special"], 1.0)
    rows, j, c = run_one(tmp_path, d, "current_2014", preferred="maintained_special")
    ev = events(rows)
    assert "mediation:settled_partial" in ev
    assert not any(e.startswith("appeal:") for e in ev)
    assert c.setting == "mainstream" and c.status == "plan"  # what the LA named
    assert [x.outcome for x in j.disputes_ended if x.child is c] == ["partial"]
    # the same child with an agreement in the family's favour gets the special school
    pin(r["mediation_agreement_for_family_share"], 1.0)
    pin(r["mediation_partial_agreement_share"], 0.0)
    rows, j, c = run_one(tmp_path, d, "current_2014", "s2.yaml", preferred="maintained_special")
    assert "mediation:settled" in events(rows) and c.setting == "maintained_special"


def test_a_compelled_family_that_does_not_settle_appeals_later_by_the_mediation_time(tmp_path, small_dict):
    """Refusal to assess on day 21 (panel: Tuesday 22 January 2019). Current law: mediation declined, certificate 3
    working days later (Friday 25 January, day 24), appeal 30 days later (54). Mandatory mediation: compelled,
    meeting 25 days after the refusal (46: Saturday 16 February), certificate 3 working days later (Wednesday 20
    February, day 50), appeal 30 days later (80): later by the 25 days of mediation and the day a weekend adds to the
    certificate (it was 4.2 days after each before the working-day calendar: 55.2 and 80.2)."""
    d = base(small_dict)
    pin(d["durations"]["panel_decision_days"], 21, distribution="fixed")
    r = d["redress"]
    pin(r["dispute_probability"]["refusal_to_assess"], 1.0)
    pin(r["mediation_chosen_probability"], 0.0)  # would not choose mediation
    pin(r["mediation_settles_compelled_probability"], 0.0)
    d["local_authorities"]["items"][0]["refuse_to_assess_probability"] = 1.0
    d["population"]["requester"] = {"values": {"school": 1.0, "parent": 0.0, "young_person": 0.0, "other": 0.0},
                                    "source": "test fixture"}
    now, _, _ = run_one(tmp_path, d, "current_2014")
    mm, j, c = run_one(tmp_path, d, "current_2014+mandatory_mediation", "s2.yaml")
    t_now = {f"{x.step}:{x.event}": x.day for x in now}
    t_mm = {f"{x.step}:{x.event}": x.day for x in mm}
    assert abs(t_now["appeal:lodged_refusal_to_assess"] - 54.0) < 1e-9
    assert t_mm["mediation:not_settled"] == 46.0
    assert abs(t_mm["appeal:lodged_refusal_to_assess"] - 80.0) < 1e-9
    assert j.counters.counts[("mediations_compelled", "2019")] == 1.0
    # a family with little capacity gives up at the compulsory step instead (drop-out probability 1)
    for v in r["drop_out_at_compelled_rung_probability"].values():
        pin(v, 1.0)
    gave_up, _, c = run_one(tmp_path, d, "current_2014+mandatory_mediation", "s3.yaml")
    assert "redress:family_gave_up" in events(gave_up) and c.status == "refused"
    assert not any(x.step == "appeal" for x in gave_up)


def test_a_tailored_list_gives_the_next_preference_when_the_first_is_full(tmp_path, small_dict):
    """The family's first preference (a special school) is on the list but has no free place: the LA allocates
    the next preference on the list with a free place (resourced provision), as in school admissions."""
    d = base(small_dict)
    la = d["local_authorities"]["items"][0]
    la["stock_maintained_special"] = 1  # one special place, taken by the child already there
    pin(d["naming"]["special_places_headroom_pct"], 0.0)
    pin(d["naming"]["special_places_growth_pct_per_year"], 0.0)
    la["stock_resourced_provision"] = 0
    pin(d["naming"]["resourced_places_headroom_pct"], 0.0)
    name = reform(tmp_path, "full_lists", [
        {"path": "naming.tailored_list", "value": True},
        {"path": "naming.list_coverage.maintained_special", "value": 1.0},
        {"path": "naming.list_coverage.resourced_provision", "value": 1.0}])
    rows, _, c = run_one(tmp_path, d, name, preferred="maintained_special")
    named = [e for e in events(rows) if e.startswith("name_setting:")]
    assert named == ["name_setting:named_resourced_provision_refused_first_preference_full"]
    # with a free special place the first preference is named
    la["stock_maintained_special"] = 0
    rows, _, c = run_one(tmp_path, d, name, "s2.yaml", preferred="maintained_special")
    assert [e for e in events(rows) if e.startswith("name_setting:")] == ["name_setting:named_maintained_special"]


def test_under_the_white_paper_a_concession_stands_and_only_an_order_is_reconsidered(tmp_path, small_dict):
    d = base(small_dict)
    d["in_force"] = {"tribunal_remit_placement": "start"}  # the scenario brings the White Paper's remittal forward
    r = d["redress"]
    pin(r["dispute_probability"]["placement"], 1.0)
    pin(r["mediation_chosen_probability"], 0.0)
    pin(d["naming"]["refuse_requested_setting_probability"]["maintained_special"], 1.0)
    rules = "current_2014+tribunal_remit_placement"
    pin(r["la_concedes_probability"], 1.0)
    pin(r["la_concedes_early_share"], 1.0)
    rows, _, c = run_one(tmp_path, d, rules, preferred="maintained_special")
    ev = events(rows)
    assert "appeal:conceded_by_la" in ev
    assert not any(e.startswith("reconsideration:") for e in ev)  # the concession is carried out as agreed
    assert c.setting == "maintained_special"
    # an order for the family is sent back: the LA reconsiders (and, here, refuses again)
    pin(r["la_concedes_probability"], 0.0)
    pin(r["family_wins_at_hearing_probability"], 1.0)
    rows, _, c = run_one(tmp_path, d, rules, "s2.yaml", preferred="maintained_special")
    ev = events(rows)
    assert "tribunal_decision:for_family" in ev
    recon = [e for e in ev if e.startswith("reconsideration:")]
    assert recon and recon[0].startswith("reconsideration:named_mainstream_refused_")  # refusal probability 1


def test_a_pmld_child_is_never_diverted_to_a_school_support_plan(tmp_path, small_dict):
    d = base(small_dict)
    d["in_force"] = {"tiered_support_plans": "start"}
    la = d["local_authorities"]["items"][0]
    la["requests_per_year"] = 400.0
    la["requests_by_year"] = {}
    d["population"]["primary_need"] = {"values": {"PMLD": 0.5, "SLCN": 0.5}, "source": "test fixture"}
    loaded = load_scenario(write_scenario(tmp_path, d, "pmld.yaml"), "current_2014+tiered_support_plans")
    j = simulate(loaded, 3, 0)
    isp = {"PMLD": 0, "SLCN": 0}
    requests = {"PMLD": 0, "SLCN": 0}
    for c in j.children:
        if not c.stock:
            requests[c.need] += 1
            isp[c.need] += c.status == "school_support_plan" or c.escalated
    assert requests["PMLD"] > 200 and requests["SLCN"] > 200
    assert isp["PMLD"] == 0
    # SLCN: eligible with probability 1, diverted at the switch's share of 0.3 (binomial: 3 sd either side)
    n = requests["SLCN"]
    assert abs(isp["SLCN"] - 0.3 * n) < 3 * (n * 0.3 * 0.7) ** 0.5


def test_a_switch_with_an_in_force_date_changes_nothing_before_it(tmp_path, small_dict):
    """Mandatory mediation commencing on 1 January 2020: every event before that day is the same as under
    current law (the same children, the same draws); after it, disputes go to mediation."""
    d = yaml.safe_load(yaml.safe_dump(small_dict))
    d["in_force"] = {"mandatory_mediation": dt.date(2020, 1, 1)}
    path = write_scenario(tmp_path, d, "dated.yaml")
    day = (dt.date(2020, 1, 1) - dt.date.fromisoformat(str(d["start_date"]))).days
    logs = {}
    for rules in ("current_2014", "current_2014+mandatory_mediation"):
        rows: list = []
        loaded = load_scenario(path, rules)
        simulate(loaded, 7, 0, recorder=Recorder(rows.extend, chunk=1000))
        logs[rules] = rows
    before = [[r for r in rows if r.day < day] for rows in logs.values()]
    assert len(before[0]) > 1000 and before[0] == before[1]
    after = [[r for r in rows if r.day >= day] for rows in logs.values()]
    assert after[0] != after[1]
    loaded = load_scenario(path, "current_2014+mandatory_mediation")
    assert loaded.law.ladder[1].mandatory is False and loaded.law_schedule[0][0] == float(day)
    assert loaded.law_schedule[0][1].ladder[1].mandatory is True
    assert ("mandatory_mediation", dt.date(2020, 1, 1), "scenario in_force", "") in loaded.in_force


def test_the_refusal_case_under_mandatory_mediation_no_longer_gets_its_plan_sooner_when_mediation_fails():
    """The family who declines mediation today (case study refusal_to_assess_parent_request) is compelled to
    mediate; when the mediation does not settle, its appeal and so its plan come later than under current law."""
    import statistics

    from simulator.analysis.runs.case_study import load_case, run_child

    case, loaded0, la, start = load_case("refusal_to_assess_parent_request")
    cur = load_scenario(loaded0.path, "current_2014")
    mm = load_scenario(loaded0.path, "current_2014+mandatory_mediation")
    later = []
    for run in range(12):
        a, b = run_child(case, cur, la, start, 1, run), run_child(case, mm, la, start, 1, run)
        assert any(r.event == "declined_but_mandatory" for r in b)  # the pinned choice is overridden, and said so
        if any(r.step == "mediation" and r.event.startswith("settled") for r in b) or \
                any(r.event == "family_gave_up" for r in b):
            continue  # settled, or the family stopped after the compelled mediation: no appeal, no plan to compare
        fa = next(r.day for r in a if r.step == "final_plan")
        fb = next(r.day for r in b if r.step == "final_plan")
        later.append(fb - fa)
    assert len(later) >= 5
    assert statistics.median(later) > 0


def test_the_white_paper_is_not_in_force_within_a_run_that_ends_before_2030_unless_asked():
    """Its legal changes come 'not before September 2030' (addendum 7.4): on small_la (2019-2020) nothing of it
    applies, and the in-force table says so; `from_start` applies it as a hypothetical from day 0."""
    dated = load_scenario("small_la", "white_paper_2026")
    assert not dated.law.tailored_list
    assert dated.law.effects.school_support_plan_share == 0.0 and dated.law_schedule == ()
    assert all(when is None for _sw, when, _src, _where in dated.in_force)
    now = load_scenario("small_la", "white_paper_2026", from_start=True)
    assert now.law.tailored_list and now.law.effects.school_support_plan_share == 0.3
    assert all(when == dt.date(2019, 1, 1) and "hypothetical" in src for _sw, when, src, _where in now.in_force)


def test_white_paper_reviews_at_phase_transfer_only_and_the_mainstream_preference(tmp_path, small_dict):
    """WP4: an 8-year-old's plan in force is reviewed once (the first review already booked), then not again
    until the next phase transfer; under current law every 12 months. WP5 (share 1): a preference for a special
    school is restricted to mainstream."""
    d = base(small_dict)
    d["end_date"] = "2021-12-31"
    path = write_scenario(tmp_path, d, "reviews.yaml")
    reviews = {}
    for rules in ("current_2014", "current_2014+reviews_at_phase_transfer"):
        loaded = load_scenario(path, rules, from_start=True)
        rows: list = []
        kid = {}

        def add(j, kid=kid):
            kid["c"] = j.add_existing_plan("mainstream", 0, 8.0, 30.0, pins={"review_outcome": "maintain"})

        simulate(loaded, 1, 0, recorder=Recorder(rows.extend, chunk=1), prepare=add)
        reviews[rules] = [r.day for r in rows if r.child == kid["c"].id and r.step == "annual_review"]
    # current law: day 30 + k x 365.25 (decision within 4 weeks: the event is the decision) for 3 years
    assert len(reviews["current_2014"]) == 3
    assert len(reviews["current_2014+reviews_at_phase_transfer"]) == 1
    name = reform(tmp_path, "restricted", [{"path": "naming.tailored_list", "value": True},
                                           {"path": "effects.mainstream_restriction_share", "value": 1.0}])
    rows, _, c = run_one(tmp_path, base(small_dict), name, "s5.yaml", preferred="maintained_special")
    assert [e for e in events(rows) if e.startswith("name_setting:")] == [
        "name_setting:named_mainstream_refused_can_follow_mainstream_curriculum"]
