"""Held-out cases, second round: the three failures the first round left (a later SEN2 release whose median authority
is suppressed, a staffing range of 1e308, an in-force date of 1800 or 2099), then what a second round of trying found
(unusual but lawful case studies, a later SEN2 year with new councils, sweeps and batch files with edge values, the
forum page's form, reports on partial folders, flag combinations). Each expected value is worked out by hand in its
docstring; most tests run no simulation.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main
from simulator.rules.scenario import load_scenario
from simulator.schema.files import InputError

from .conftest import ROOT, refused_line, scenario_copy, sweep_refusal

SMALL = ROOT / "scenarios" / "small_la.yaml"
SMALL_2024 = ROOT / "scenarios" / "small_la_from_2024.yaml"


_scenario, _refused = scenario_copy, refused_line  # (tests/conftest.py)


def _validate(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["validate", *args])
    return r.exit_code, r.stdout, r.stderr


# ------------------------------------------------------------------------------------------ the first round's three


def _release_with_two_new_years(dst: Path, suppressed: str) -> None:
    """The shipped SEN2 files cut to test_build_years' handful of authorities, with calendar 2024 and 2025 (and
    January 2025 and 2026) made from 2023 (January 2024) by test_build_years' LATER factors; authority `suppressed`
    has its requests marked "low" (DfE's mark for a suppressed small count) in both new years."""
    from .test_build_years import KEEP, LATER, SEN2, later

    dst.mkdir(parents=True)
    for name in ("release2022_sen2_mi.csv", "data-guidance-release2025.txt"):
        shutil.copy(SEN2 / name, dst / name)
    (dst / "data-guidance-release2027.txt").write_text("synthetic: two releases after 2025\n")
    for name, old in (("requests.csv", "2023"), ("assessments.csv", "2023"), ("timeliness_20_week.csv", "2023"),
                      ("caseload.csv", "202324")):
        with open(SEN2 / name, newline="") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or [])
            rows = [r for r in reader if r["geographic_level"] == "National"
                    or (r["geographic_level"] == "Local authority" and r["old_la_code"] in KEEP)]
        base = [r for r in rows if r["time_period"] == old]
        for k in (1, 2):
            period = f"{2023 + k}{24 + k}" if name == "caseload.csv" else str(2023 + k)
            for r in base:
                n = dict(r, time_period=period)
                for col, factor in LATER[name].items():
                    n[col] = later(r[col], factor)
                if name == "requests.csv" and r["geographic_level"] == "Local authority" \
                        and r["old_la_code"] == suppressed:
                    n["requests_received_in_year"] = "low"
                rows.append(n)
        with open(dst / name, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def test_a_release_whose_median_authority_is_suppressed_in_every_new_year_builds(tmp_path):
    """Wandsworth (212) is the authority whose route times the forward scenario's waits (SMALL_LA_CODE). With its
    requests "low" in 2024 and 2025, its line has 2019-2023 and 2025 (the latest year it reported, 2023's 515, stands
    for the last year) and no 2024; the route's one-authority scenario then had England's requests 0 in 2024, the
    tribunal's hearings grew by 0/515 - 1 = -100% to 0 a year, and the build died dividing by them. Now a year with no
    authority's figures shows no growth: the build completes."""
    from .test_build_years import load_builder, shipped

    _release_with_two_new_years(tmp_path / "sen2", suppressed="212")
    load_builder().main(["--data", str(tmp_path / "sen2"), "--out", str(tmp_path / "out")])
    doc = yaml.safe_load((tmp_path / "out" / "england_from_2026.yaml").read_text())
    wand = next(it for it in doc["local_authorities"]["items"] if it["code"] == "212")
    assert 2024 not in wand["requests_by_year"]
    assert wand["requests_by_year"][2025] == shipped("requests.csv", "2023", "Local authority",
                                                     "requests_received_in_year", "212") == 515.0


def test_a_year_no_authority_reports_carries_the_tribunal_and_staffing(tmp_path):
    """small_la_from_2024 (Wandsworth alone; hearings 29.51 in 2022, hearings_vs_requests 1.0): without its 2023
    request count, England's 2023 total is 0. Before, 2023's hearings were 29.51 x (1 + 1.0 x (0 / 490 - 1)) = 0 and
    every run divided by zero; now 2023 carries 2022's 29.51. An authority with no requests at all (every year 0)
    has no growth to follow: its staffing stays at the last data year's 1.0 and the hearings at 29.51 to 2035 (before:
    ZeroDivisionError in `validate`)."""
    def drop_2023(doc):
        del doc["local_authorities"]["items"][0]["requests_by_year"][2023]

    sc = load_scenario(_scenario(tmp_path, SMALL_2024, "no2023.yaml", drop_2023)).scenario
    assert sc.tribunal.hearings_per_year_by_year[2022] == sc.tribunal.hearings_per_year_by_year[2023] == 29.51

    def no_requests(doc):
        la = doc["local_authorities"]["items"][0]
        la["requests_per_year"] = 0.0
        la["requests_by_year"] = {y: 0.0 for y in la["requests_by_year"]}

    sc = load_scenario(_scenario(tmp_path, SMALL_2024, "zero.yaml", no_requests)).scenario
    cap = sc.local_authorities.items[0].capacity_by_year
    assert all(cap[y] == 1.0 for y in range(2023, 2036))
    assert set(sc.tribunal.hearings_per_year_by_year.values()) == {29.51}


@pytest.mark.parametrize("column, rng, allowed", [
    ("panel_servers", [0.5, 1e308], "allowed: 0 to 100, a multiplier of the staffing"),
    ("plan_writer_servers", [0.5, 101.0], "allowed: 0 to 100, a multiplier of the staffing"),
    ("late_share_by_year", [0.0, 2.0], "allowed: 0 to 1, a share"),
    ("casework_responsiveness_per_week", [0.01, 1e308], "allowed: 0 to 1, cases a week per case of backlog"),
])
def test_a_provenance_range_beyond_what_its_column_may_be_is_refused(tmp_path, column, rng, allowed):
    """A staffing column's range is a multiplier of the establishment (MODEL.md 3.1: x0.5 to 2), bounded as
    capacity_by_year is (100); a share's at 1; cases a week per case of backlog at 1 (MAX_RESPONSIVENESS). The range
    is read by no run, so 1e308 passed before. One line, at the range's own line."""
    def edit(doc):
        doc["local_authorities"]["provenance"][column]["range"] = rng

    path = _scenario(tmp_path, edit=edit)
    line = _refused(path)
    text = path.read_text().splitlines()
    at = next(i for i, t in enumerate(text, 1) if t.strip() == f"{column}:" and i < 120)
    want = next(i for i, t in enumerate(text, 1) if i > at and t.strip() == "range:")
    assert line.startswith(f"{path}:{want}: local_authorities.provenance.{column}.range: "), line
    assert allowed in line


def test_a_provenance_range_at_its_bound_is_kept(tmp_path):
    """[0.5, 100] is the most a staffing range may reach: valid."""
    def edit(doc):
        doc["local_authorities"]["provenance"]["panel_servers"]["range"] = [0.5, 100.0]

    assert load_scenario(_scenario(tmp_path, edit=edit)).scenario.local_authorities.provenance["panel_servers"].range \
        == (0.5, 100.0)


@pytest.mark.parametrize("day, ok", [
    (dt.date(1800, 1, 1), False), (dt.date(2101, 1, 1), False), (dt.date(2014, 8, 31), False),
    (dt.date(2021, 1, 1), True), (dt.date(2099, 1, 1), True), (dt.date(2014, 9, 1), True),
    (dt.date(2020, 12, 31), True), ("start", True),
])
def test_a_scenarios_in_force_date_must_lie_in_the_acts_era(tmp_path, day, ok):
    """CFA 2014 Part 3 came into force on 1 September 2014: no change to it can be in force before. A date after the
    scenario's own horizon (small_la: end_date 2020-12-31, no projection) is kept, as a reform file's is: a run of it
    says the switch was not in force (the third held-out round refused it for a while; its review put it back). Past
    2100-12-31, the last day any scenario may run to, is a mistyped year."""
    def edit(doc):
        doc["in_force"] = {"advisory_tailored_lists": day}

    path = _scenario(tmp_path, edit=edit)
    if ok:
        load_scenario(path)
        return
    line = _refused(path)
    lineno = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "advisory_tailored_lists:" in t)
    assert line == (f"{path}:{lineno}: in_force.advisory_tailored_lists: got {day} (allowed: a date from 2014-09-01 "
                    "(CFA 2014 Part 3 in force) to 2100-12-31 (the last day a scenario may run to), or start)")


@pytest.mark.parametrize("old, new, says", [
    ("in_force: 2030-09-01", "in_force: 2101-09-01", "switches.tiered_support_plans.in_force: got 2101-09-01"),
    ("in_force: 2030-09-01", "in_force: 1800-09-01", "switches.tiered_support_plans.in_force: got 1800-09-01"),
    ("in_force_range: [2030-09-01, 2035-09-01]", "in_force_range: [2035-09-01, 2030-09-01]",
     "switches.tiered_support_plans.in_force_range: [2035-09-01, 2030-09-01] (allowed: [earliest, latest]"),
    ("in_force_range: [2030-09-01, 2035-09-01]", "in_force_range: [2030-09-01, 2101-09-01]",
     "switches.tiered_support_plans.in_force_range: got 2101-09-01"),
    ("in_force: 2030-09-01", "in_force: 2036-09-01",
     "switches.tiered_support_plans.in_force: 2036-09-01 lies outside its in_force_range [2030-09-01, 2035-09-01]"),
])
def test_a_reforms_in_force_date_must_lie_in_the_acts_era(tmp_path, old, new, says):
    """A reform file beside a scenario (its `rules/` folder) with the White Paper's first switch moved: the date
    outside 2014-09-01 to 2100-12-31, a range given latest first, a date outside its own range. One line for the
    first switch (line 17 for in_force, 19 for in_force_range), exit 2. (A reform file stands apart from any
    scenario: its dates may reach 2100-12-31, the last day a scenario may run to; the third held-out round.)"""
    (tmp_path / "rules").mkdir()
    text = (ROOT / "scenarios" / "rules" / "white_paper_2026.yaml").read_text()
    text = text.replace("name: white_paper_2026", "name: wp_moved").replace(old, new, 1)
    (tmp_path / "rules" / "wp_moved.yaml").write_text(text)
    path = _scenario(tmp_path)
    code, _out, err = _validate(str(path), "--rules", "wp_moved")
    assert code == 2
    first = err.splitlines()[0]
    lineno = 17 if old.startswith("in_force:") else 19
    assert first.startswith(f"error: {tmp_path / 'rules' / 'wp_moved.yaml'}:{lineno}: {says}"), first
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------------ second round: case files


def _case_line(tmp_path: Path, child: dict, **fields) -> str | None:
    """The one line a case file with this child is refused with, or None when it is accepted."""
    from simulator.analysis.runs.case_study import prepare_case

    doc = {"name": "held_out", "title": "t", "summary": "s", "sources": ["a test"], "scenario": str(SMALL),
           "start_date": dt.date(2019, 2, 4), "child": child, **fields}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        prepare_case(p)
    except InputError as e:
        assert len(e.lines) == 1, e.lines
        return e.lines[0]
    return None


@pytest.mark.parametrize("age, out_of_school, setting, refused", [
    (22.0, True, "none", "child.out_of_school: the LA's duty to arrange education (Education Act 1996 s.19(1)) is "
                         "owed to a child of compulsory school age, 5 to the end of the school year the child turns 16 "
                         "(at most 16.8), not at 22 (allowed: false"),
    (3.0, True, "none", "not at 3 (allowed: false"),
    (22.0, False, "none", None),  # a young person out of education: no s.19 duty, and no setting
    (17.0, False, "none", None),  # before: "current_setting: none (no school) needs out_of_school: true"
    (12.0, False, "none", "child.current_setting: none (no school) needs out_of_school: true"),
    (12.0, True, "none", None),
    # Year 11, the youngest (born 31 August) are 15.8 at its last Friday in June and the oldest (born 1 September)
    # 16.8: a Year 11 child of 15.6 or 16.5 out of school may be owed the duty; at 16.9 nobody is
    (15.6, True, "none", None),
    (16.5, True, "none", None),
    (16.9, True, "none", "not at 16.9 (allowed: false"),
    (15.6, False, "none", "child.current_setting: none (no school) needs out_of_school: true"),
])
def test_the_s19_duty_is_owed_to_a_child_of_compulsory_school_age(tmp_path, age, out_of_school, setting, refused):
    """Education Act 1996 s.19(1): the LA's duty to arrange suitable education for a child out of school is owed to
    children of compulsory school age (5 to the last Friday in June of the school year they turn 16: 15.8 to 16.8
    years old by birthday; a case gives an age, so refused only from 16.8). A young person of 22 asking for an assessment herself, out of education, was described as owed
    it, and her route began with 'education_out_of_school (s19 duty arises)'; a 17-year-old with no setting could not
    be described without it."""
    child = {"age": age, "requester": "young_person" if age >= 16 else "parent", "need": "SLD",
             "current_setting": setting, "out_of_school": out_of_school,
             "preferred": "post16" if age >= 16 else "mainstream"}
    line = _case_line(tmp_path, child)
    if refused is None:
        assert line is None
    else:
        assert line is not None and refused in line, line


def test_a_move_during_an_assessment_says_what_is_allowed(tmp_path):
    """A move while a new request is assessed is not modelled: refused in one line that says what is allowed."""
    child = {"age": 8.0, "requester": "parent", "need": "ASD", "current_setting": "mainstream", "preferred": "mainstream"}
    line = _case_line(tmp_path, child, authorities={"home": "Wandsworth", "host": "Lambeth"},
                      moves=[{"date": dt.date(2019, 3, 4), "to": "host"}])
    assert "moves[0]: a move transfers a plan in force" in line and "(allowed: moves with existing_plan)" in line


# ------------------------------------------------------------------------------------------ files of the wrong kind


def test_a_plan_transfers_file_given_as_a_scenario_is_one_line():
    """`sendsim validate scenarios/plan_transfers.yaml` printed 20 lines of missing and unknown fields; it is a
    plan-transfers file, said so in one line at its own field (line 13: national_out_rate_by_year)."""
    path = ROOT / "scenarios" / "plan_transfers.yaml"
    code, _out, err = _validate(str(path))
    assert code == 2
    assert err == (f"error: {path}:13: national_out_rate_by_year: this is a plan-transfers file, not a scenario "
                   "(allowed: a scenario; a plan-transfers file is read by a scenario's plan_transfers: FILE)\n")


def test_a_scenario_given_as_the_plan_transfers_file_is_one_line(tmp_path):
    """A scenario whose plan_transfers: names a file that is itself a scenario: 29 lines before; one now."""
    shutil.copy(SMALL, tmp_path / "small_la.yaml")
    shutil.copy(SMALL, tmp_path / "plan_transfers.yaml")
    code, _out, err = _validate(str(tmp_path / "small_la.yaml"))
    assert code == 2 and err.count("\n") == 1
    assert "plan_transfers.yaml:15: local_authorities: this is a scenario, not a plan-transfers file" in err


def test_the_calibration_file_given_as_a_scenario_is_one_line():
    path = ROOT / "scenarios" / "calibration" / "england.yaml"
    code, _out, err = _validate(str(path))
    assert code == 2 and err.count("\n") == 1 and "this is a calibration file, not a scenario" in err


# ------------------------------------------------------------------------------------------ rule-set expressions


def test_a_switch_named_twice_is_applied_once():
    """mainstream_inclusion multiplies requests by 0.97 and compounds with the multiplier in force (`multiply: true`).
    Named twice (`current_2014+mainstream_inclusion+mainstream_inclusion`) it gave 0.97 x 0.97 = 0.94; named beside the
    Green Paper that has it already (its own 0.9 x 0.97 = 0.873), 0.873 x 0.97 = 0.847. A switch in force is in force
    once."""
    from simulator.rules.resolve import resolve_rules

    once = resolve_rules("current_2014+mainstream_inclusion")[0].effects.requests_multiplier.value
    twice = resolve_rules("current_2014+mainstream_inclusion+mainstream_inclusion")[0].effects.requests_multiplier.value
    assert once == twice == 0.97
    gp = resolve_rules("green_paper_2022")[0].effects.requests_multiplier.value
    assert resolve_rules("green_paper_2022+mainstream_inclusion")[0].effects.requests_multiplier.value == gp == 0.873


# ------------------------------------------------------------------------------------------ the forum page's form


def _form(**fields) -> tuple[dict, dict]:
    from simulator.web.app import validate

    base = {"source": "figures", "requests_per_year": "1200", "refused_pct": "25", "within_20_weeks_pct": "50",
            "plans_in_force": "4000", "reform": "white_paper_2026", "replications": "5"}
    return validate({**base, **fields}, ["Wandsworth"], ["white_paper_2026"], ["mandatory_mediation"], (2025, 2040),
                    ["Wandsworth"])


@pytest.mark.parametrize("horizon", ["\u00b2", "9" * 5000, "\u00b9\u2070\u00b2\u2075"])
def test_an_end_year_python_cannot_read_is_a_message_not_a_500(horizon):
    """"²" passes str.isdigit() but int() refuses it, and 5,000 digits exceed int()'s 4,300: both raised ValueError
    inside the request, which the page answered 500 "internal error"; each is the field's message now."""
    job, errors = _form(source="council", council="Wandsworth", horizon=horizon)
    assert errors == {"horizon": f"Years to run: the end year, 2025 to 2040 (not {horizon[:20]!r})"}


def test_a_whole_number_too_large_for_a_float_is_out_of_range():
    """400 nines is inf as a float; the whole-number check int(inf) raised OverflowError (a 500). Now it is out of
    range, and the message quotes at most 20 characters of what was typed."""
    _job, errors = _form(plans_in_force="9" * 400)
    assert errors == {"plans_in_force": f"EHC plans in force (January): {'9' * 20} is out of range (allowed: 0 to "
                                        "1e+07)"}


# ------------------------------------------------------------------------------------------ flags


def test_la_scenario_year_2100_is_refused_by_the_flag(tmp_path, monkeypatch):
    """The scenario runs the year and the next; a scenario's dates end in 2100, so --year 2100 built a file ending
    2101-12-31 and failed on it, naming a hidden folder that no longer existed. The flag now stops at 2099."""
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["la-scenario", "--name", "T", "--year", "2100", "--requests-per-year", "500",
                                  "--refused-pct", "20", "--within-20-weeks-pct", "50", "--plans-in-force", "2000",
                                  "--no-calibrate"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "2019<=x<=2099" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ sweeps


def _sweep_lines(tmp_path: Path, edit) -> list[str]:
    """The lines `plan_sweep` refuses the shipped mediation sweep with after `edit(doc)` (file prefix removed)."""
    return sweep_refusal(tmp_path, edit)


def test_a_sweep_seed_beyond_a_scenarios_is_refused_before_any_task(tmp_path):
    """`seed: 10**30` ran all 12 tasks, then failed with 'internal error (OverflowError ...)'. A scenario's seed is
    at most 2**63 - 1 (MAX_SEED); the sweep's is the scenario's, so the same bound, refused when the file is read.
    (yaml.safe_dump writes the keys in the file's order and seed last: line 27, after outputs and its 5 items.)"""
    def edit(doc):
        doc["seed"] = 10**30

    lines = _sweep_lines(tmp_path, edit)
    assert len(lines) == 1 and lines[0].startswith("27: seed: got 1000000000000000000000000000000 (allowed: "), lines


@pytest.mark.parametrize("edit, want", [
    (lambda d: d.update(rules=["current_2014", "current_2014"]), "9: rules: current_2014 is named twice (allowed: "
                                                                 "each rule set once)"),
    (lambda d: d.update(parameters=[]), "16: parameters: none given (allowed: at least one parameter, or "
                                        "`parameters: all`)"),
    (lambda d: d.update(design={"kind": "sobol", "samples": 3}), "15: design.samples: got 3 (allowed: a power of 2 "
                                                                 "for a sobol design)"),
    (lambda d: d.update(design={"kind": "morris", "trajectories": 10, "morris_levels": 3}),
     "16: design.morris_levels: got 3 (allowed: an even number for a morris design)"),
    (lambda d: d.update(design={"kind": "morris", "trajectories": 10}, replications=1),
     "12: replications: got 1 (allowed: at least 2 replications per point for a morris design)"),
    (lambda d: d.update(outputs=["mediations", "mediations"]),  # was accepted, each computed and tabled twice
     "21: outputs: named twice: mediations (allowed: each metric once)"),
])
def test_a_sweeps_cross_field_mistakes_point_at_their_field(tmp_path, edit, want):
    """These were said at line 1, "(top level)", or at the design block, and said nothing of what is allowed."""
    assert _sweep_lines(tmp_path, edit) == [want]


# ------------------------------------------------------------------------------------------ councils through the builder


def test_two_councils_of_one_name_are_told_apart_by_code():
    """A later release in which a council reports under a new code beside its old one (synthetic: Wandsworth copied
    as 998) put two 'Wandsworth' in the forward England; `--la Wandsworth` said "allowed: one of Wandsworth,
    Wandsworth", which no one can choose from. The codes are listed with the names."""
    from simulator.analysis.fit.la_scenario import find_authority

    doc = yaml.safe_load(SMALL_2024.read_text())
    wand = doc["local_authorities"]["items"][0]
    doc["local_authorities"]["items"].append({**wand, "code": "998"})
    with pytest.raises(InputError) as e:
        find_authority(doc, "Wandsworth")
    assert e.value.lines == ["--la: 'Wandsworth' matches several local authorities (allowed: one of Wandsworth (212), "
                             "Wandsworth (998), by name or code)"]
    assert find_authority(doc, "998")["code"] == "998"


def test_a_council_with_no_figures_of_its_own_is_refused_in_one_line(tmp_path, monkeypatch):
    """`la-scenario --la Cumberland --england england_from_2024`: Cumberland (942) reports from 2023, and the targets
    (england_by_la.csv) are by the January 2019 units (Cumbria, 909), so it has no rows there; the builder wrote the
    targets file from an empty list and failed with 'internal error (IndexError)'. Now one line, exit 2, nothing
    written."""
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["la-scenario", "--la", "Cumberland", "--england", "england_from_2024"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("error: --la: Cumberland (942) has no official figures of its own in ")
    assert "(allowed: an authority with figures there" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [
    ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "--until", "2019-01-20", "-n",
     "2", "--resume", "--force", "--out", "o"],
    ["run", "small_la", "--until", "2019-01-20", "-n", "1", "--resume", "--force", "--out", "o"],
])
def test_resume_with_force_is_one_line_and_leaves_no_folder(tmp_path, monkeypatch, args):
    """compare refused the pair inside the folder lock, which had already made the empty folder `o`; run printed its
    "running ... writing o" progress line before the refusal (two lines). Both refuse first now."""
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--resume and --force: give one" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_start_on_the_scenarios_last_day_says_the_day_before_is_the_last(tmp_path, monkeypatch):
    """small_la runs 2019-01-01 to 2020-12-31; a route needs a day, so --start-date 2020-12-31 is refused, but the
    message said "outside scenario small_la (2019-01-01 to 2020-12-31) (allowed: a date within the scenario)", which
    2020-12-31 seems to be. It now gives the last allowed day, 2020-12-30."""
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014",
                                  "--start-date", "2020-12-31", "-n", "2"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "(allowed: 2019-01-01 to 2020-12-30, or a --scenario whose horizon covers it)" in r.stderr, r.stderr


# ------------------------------------------------------------------------------------------ signals


def _sighup_default() -> None:
    """In the child before it runs sendsim: SIGHUP at its default, whatever the test run inherited (a suite started
    under `nohup` passes SIGHUP ignored to every child, and sendsim rightly keeps it ignored then)."""
    import signal

    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _hup_after_first_replication(tmp_path: Path, args: list[str], disposition: str) -> tuple[int, str]:
    """Run sendsim with `args` (a run of n replications), its SIGHUP at `disposition` ("default", or "ignored" as
    under `nohup`) whatever the test run inherited, send it SIGHUP once its first replication is done; its exit code
    and stderr."""
    import signal
    import subprocess
    import sys
    import time

    def start_with() -> None:  # in the child, before sendsim runs
        if disposition == "ignored":
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        else:
            _sighup_default()

    first = f"replication 1/{args[args.index('-n') + 1]} done"
    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", *args], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=start_with)
    try:
        seen, deadline = "", time.time() + 120
        while first not in seen and time.time() < deadline:
            seen += proc.stderr.readline()
        proc.send_signal(signal.SIGHUP)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


def test_a_run_under_nohup_keeps_sighup_ignored(tmp_path):
    """`nohup sendsim run ...` (SIGHUP ignored when sendsim starts): a closed terminal does not stop the run; it
    finishes every replication (exit 0)."""
    args = ["run", "small_la", "-n", "8", "--workers", "1", "--out", str(tmp_path / "o")]
    code, err = _hup_after_first_replication(tmp_path, args, "ignored")
    assert code == 0, err
    assert (tmp_path / "o" / "summary.json").exists()


def test_sighup_is_an_interruption_with_the_command_that_resumes(tmp_path):
    """A terminal closed under a run sends SIGHUP: the run died where it stood (exit 129, no word, its last
    replications left half-written). It is now handled as SIGTERM is: exit 128 + 1 = 129, one line saying what was
    kept and the command that resumes; the resume finishes the run."""
    args = ["run", "small_la", "-n", "4", "--workers", "1", "--out", str(tmp_path / "o")]
    code, err = _hup_after_first_replication(tmp_path, args, "default")
    assert code == 129, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last == f"interrupted (SIGHUP): complete replications are kept; resume with: sendsim {' '.join(args)} " \
                   "--resume", last
    r = CliRunner().invoke(main, [*args, "--resume"])
    assert r.exit_code == 0, r.stderr


def test_a_council_name_with_a_control_character_is_refused_beside_the_field():
    """The page accepted "a\\x01b" (202), and the job then failed with the builder's command-line words: "--name:
    'a\\x01b' (allowed: 1 to 80 characters, ... no control characters)", a flag the page has not got. It is now the
    name field's own message, before any job."""
    job, errors = _form(name="a\x01b<script>")
    assert errors == {"name": "a name without control characters (tabs, line breaks, direction marks)"}
    assert _form(name="Tower Hamlets <&> \u00e9\u00e8")[1] == {}


def test_a_change_ticked_without_the_one_it_needs_is_refused_beside_the_field():
    """'no_appeal_outside_list' needs 'tailored_lists' (green_paper_2022.yaml: needs). Ticked alone, the page
    accepted it and the run failed at once ("rules: switch ... needs switch 'tailored_lists' first (allowed:
    current_2014+tailored_lists+...)"), words of the command line. Now the switches field says so, with the label."""
    from simulator.web.app import switch_needs

    assert switch_needs() == {"no_appeal_outside_list": "tailored_lists"}
    needs = {"no_appeal_outside_list": ("tailored_lists", "Tailored lists")}
    from simulator.web.app import validate

    form = {"source": "figures", "requests_per_year": "1200", "refused_pct": "25", "within_20_weeks_pct": "50",
            "plans_in_force": "4000", "replications": "5"}
    sw = ["no_appeal_outside_list", "tailored_lists"]
    _job, errors = validate({**form, "switches": "no_appeal_outside_list"}, [], [], sw, needs=needs)
    assert errors == {"switches": 'this change needs "Tailored lists" ticked too'}
    for ticked in ("tailored_lists,no_appeal_outside_list", "no_appeal_outside_list,tailored_lists"):
        job, errors = validate({**form, "switches": ticked}, [], [], sw, needs=needs)
        assert errors == {} and job["rules_b"] == "current_2014+tailored_lists+no_appeal_outside_list"


@pytest.mark.parametrize("age, education, want", [
    (17.95, {"arrangement": "youth_custody", "remanded": True},
     "education.until: none given, so the run's end 2020-12-31 is after the child's 18th birthday (about 2019-01-25"),
    (17.0, {"arrangement": "youth_custody", "since": dt.date(2019, 2, 4), "until": dt.date(2020, 3, 2)},
     "education.until: 2020-03-02 is after the child's 18th birthday (about 2020-01-07"),
    (17.0, {"arrangement": "youth_custody", "since": dt.date(2019, 2, 4), "until": dt.date(2020, 1, 6)}, None),
])
def test_youth_custody_ends_by_the_18th_birthday(tmp_path, age, education, want):
    """CFA ss.70-75 are for a detained person under 18 (relevant youth accommodation). A child of 17.95 on
    2019-01-07 turns 18 about 0.05 x 365.25 = 18 days later (2019-01-25); with no `until` the spell lasted to the
    run's end (small_la: 2020-12-31), and a 19-year-old's plan was "kept, review not held while detained" under
    s.74. A 17-year-old on 2019-01-07 turns 18 about 365 days later (2020-01-07): until 2020-01-06 is kept."""
    from simulator.analysis.runs.case_study import prepare_case

    doc = {"name": "held_out", "title": "t", "summary": "s", "sources": ["a test"], "scenario": str(SMALL),
           "start_date": dt.date(2019, 1, 7), "existing_plan": {"setting": "post16", "first_review_day": 200},
           "child": {"age": age, "need": "SEMH", "preferred": "post16"}, "education": education}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    if want is None:
        prepare_case(p)
        return
    with pytest.raises(InputError) as e:
        prepare_case(p)
    assert len(e.value.lines) == 1 and want in e.value.lines[0], e.value.lines
    assert "(allowed: until on or before " in e.value.lines[0]


# ------------------------------------------------------------------------------------------ hostile and odd files


@pytest.mark.parametrize("written", ["2019-1-1", "'2019-01-01 '", "7 Jan 2019"])
def test_a_date_written_another_way_says_how_to_write_it(tmp_path, written):
    """'2019-1-1', a trailing space, '7 Jan 2019': pydantic's "input should be a valid date or datetime, input is too
    short" said nothing of what is allowed; now "(allowed: a date written YYYY-MM-DD, e.g. 2019-09-01)"."""
    text = SMALL.read_text().replace("start_date: '2019-01-01'", f"start_date: {written}", 1)
    shutil.copy(SMALL.parent / "plan_transfers.yaml", tmp_path / "plan_transfers.yaml")
    p = tmp_path / "s.yaml"
    p.write_text(text)
    line = _refused(p)
    assert line.startswith(f"{p}:8: start_date: got ") and line.endswith(
        "(allowed: a date written YYYY-MM-DD, e.g. 2019-09-01)"), line


@pytest.mark.parametrize("file, column, value, line", [
    ("requests.csv", "requests_received_in_year", "x", "requests_received_in_year 'x' in England's row of 2024 "
                                                       "(allowed: a number above 0"),
    ("requests.csv", "requests_received_in_year", "0", "requests_received_in_year '0' in England's row of 2024"),
    ("assessments.csv", "assess_issued", "c", "assess_issued 'c' in England's row of 2024"),
    ("timeliness_20_week.csv", "PC_plans_issued_20_weeks_ex", "low", "PC_plans_issued_20_weeks_ex 'low' in "
                                                                     "England's row of 2024 (allowed: a number:"),
    ("caseload.csv", "ehcplans", "x", "ehcplans 'x' in England's row of 202425"),
])
def test_a_suppressed_england_total_in_a_later_release_is_one_line(tmp_path, capsys, file, column, value, line):
    """A later release whose England row is marked ("x", "c", "low") or 0 where the build divides: the build died
    in float('x') (ValueError), a division by 0, or a KeyError for England's ages, with a traceback. Now one line
    naming the file, its line, the column and the year, exit 2, before anything is written."""
    from .test_build_years import load_builder, write_release

    write_release(tmp_path / "sen2", codes={"212"})
    p = tmp_path / "sen2" / file
    with open(p, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for r in rows:
        if r["geographic_level"] == "National" and r["time_period"] in ("2024", "202425"):
            r[column] = value
    with open(p, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(SystemExit) as e:
        load_builder().main(["--data", str(tmp_path / "sen2"), "--out", str(tmp_path / "out")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {p}:") and line in err, err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------ reports


def test_a_batch_whose_parameter_only_a_reform_varies_is_reported(tmp_path, monkeypatch):
    """A batch over current law and the Green Paper varying a value only the reform states as an assumption with a
    range (an independent special place's cost, 45,000 to 62,000; a sourced 62,000 under current law): batch.json
    gives that parameter no range under current law (None), and `sendsim report` failed
    reading it ("internal error (TypeError: 'NoneType' object is not iterable)"), so the shipped
    morris_green_paper_small_la batch could not be reported. Each rule set's range is now said by its short name."""
    sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    sweep.update(name="reform_only", until="2019-02-01", replications=1,
                 rules=["current_2014", "green_paper_2022"], design={"kind": "grid", "levels": 2},
                 parameters=[{"path": "rules.costs.placement_per_year.independent_special.0.amount"}])
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["batch", "sweep.yaml", "--workers", "1", "--out", "b"])
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(main, ["report", "b", "--out", "b.html"])
    assert r.exit_code == 0, r.stderr
    html = (tmp_path / "b.html").read_text()
    assert "Current law: not varied; Green Paper: 45,000 to 62,000" in html
    assert "Current law: 62,000; Green Paper: 55,000" in html


def test_a_forums_largest_requests_build_a_valid_scenario(tmp_path, monkeypatch):
    """--requests-per-year 1,000,000 was allowed (1 to 1e+06), but with 0% refused the staffing rule sized
    1e6 / 365.25 x 28 EP days / 0.80 = about 95,800 concurrent EP advices, over a scenario's 50,000, and the build
    failed naming its own hidden folder. The bound is now 500,000 (3.6x England's 138,242; about 47,900 advices):
    1,000,000 is refused by the flag, 500,000 builds."""
    monkeypatch.chdir(tmp_path)
    args = ["la-scenario", "--name", "Edge", "--refused-pct", "0", "--within-20-weeks-pct", "50", "--plans-in-force",
            "4000", "--no-calibrate"]
    r = CliRunner().invoke(main, [*args, "--requests-per-year", "1000000"])
    assert r.exit_code == 2 and r.stderr == ("error: --requests-per-year: 1000000.0 is out of range (allowed: 1 to "
                                             "500000)\n"), r.stderr
    assert list(tmp_path.iterdir()) == []
    r = CliRunner().invoke(main, [*args, "--requests-per-year", "500000"])
    assert r.exit_code == 0, r.stderr
    assert _form(requests_per_year="600000")[1] == {
        "requests_per_year": "Requests for an EHC needs assessment per year: 600000 is out of range (allowed: 1 to "
                             "500000)"}


def test_hearing_figures_older_than_the_request_window_are_carried(tmp_path):
    """A hand-written forward scenario whose tribunal figures stop in 2016 (hearings_per_year_by_year: {2016: 20}):
    the projection grows hearings by England's requests from the year after, but holds requests for the last five
    data years only (2019-2023), and `validate` failed with 'internal error (KeyError: 2017)'. 2017-2019 have no
    requests to follow: carried at 20.0; 2020 follows Wandsworth's 404 / 419: round(20 x 404 / 419, 2) = 19.28."""
    def edit(doc):
        doc["tribunal"]["hearings_per_year_by_year"] = {2016: 20.0}

    hby = load_scenario(_scenario(tmp_path, SMALL_2024, "h2016.yaml", edit)).scenario.tribunal.hearings_per_year_by_year
    assert [hby[y] for y in (2016, 2017, 2018, 2019)] == [20.0] * 4
    assert hby[2020] == round(20.0 * 404 / 419, 2) == 19.28


@pytest.mark.parametrize("limit, until, refused", [
    (dt.date(9999, 12, 31), None, "projection.until_limit: got 9999-12-31 (allowed: at most 2073-12-31: a run ends by "
                                  "2100 and spans at most 50 years)"),
    (dt.date(2150, 12, 31), None, "projection.until_limit: got 2150-12-31"),
    (dt.date(2073, 12, 31), dt.date(2073, 12, 31), None),
])
def test_a_projections_until_limit_is_bounded_as_an_end_date_is(tmp_path, limit, until, refused):
    """`--until` may reach projection.until_limit, which had no bound: 9999-12-31 failed inside the run ('internal
    error (ValueError: year 10000 is out of range)') and `--until 2150-12-31` ran 126 years, where end_date allows
    50 and years to 2100. From 2024-01-01, 50 years of 365.25 days is 18,262 whole days: 2073-12-31, kept."""
    def edit(doc):
        doc["projection"]["until_limit"] = limit

    path = _scenario(tmp_path, SMALL_2024, "ul.yaml", edit)
    if refused:
        assert refused in _refused(path)
    else:
        assert load_scenario(path, until=until).scenario.end_date == until


def test_a_review_cannot_overturn_what_the_setting_refused(tmp_path):
    """A direct payment for provision on a school's premises needs the school's agreement; `decision: agreed` with
    `setting_agrees: false` was refused already, but `review_outcome: overturned` was accepted and the route showed
    the LA's review overturning a refusal only the setting could lift."""
    from simulator.analysis.runs.case_study import prepare_case

    doc = {"name": "held_out", "title": "t", "summary": "s", "sources": ["a test"], "scenario": str(SMALL),
           "start_date": dt.date(2019, 1, 7), "existing_plan": {"setting": "mainstream", "first_review_day": 40},
           "child": {"age": 11.0, "need": "ASD", "preferred": "mainstream"},
           "plan": {"items": [{"id": "F1", "section": "F", "text": "1:1 TA"}]},
           "personal_budget": {"asked_at": "review", "items": ["F1"], "direct_payment": {
               "items": ["F1"], "on_premises": True, "setting_agrees": False, "review_outcome": "overturned"}}}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as e:
        prepare_case(p)
    assert len(e.value.lines) == 1
    assert "personal_budget.direct_payment.review_outcome: overturned cannot happen" in e.value.lines[0]
    assert "(allowed: upheld, or setting_agrees: true)" in e.value.lines[0]


def test_a_new_council_the_build_cannot_place_is_said_not_dropped(tmp_path):
    """A later release in which a new council (synthetic: Wandsworth's 2024 rows copied as code 999, 'Newshire')
    reports requests but has no January caseload and is neither a January 2019 unit nor a known successor: every
    output left it out without a word. Both scenarios' descriptions now say so (the build is otherwise unchanged)."""
    from .test_build_years import load_builder, write_release

    write_release(tmp_path / "sen2")
    for name in ("requests.csv", "assessments.csv", "timeliness_20_week.csv"):
        p = tmp_path / "sen2" / name
        with open(p, newline="") as f:
            reader = csv.DictReader(f)
            fields, rows = list(reader.fieldnames or []), list(reader)
        rows += [dict(r, old_la_code="999", new_la_code="E06009999", la_name="Newshire") for r in rows
                 if r["time_period"] == "2024" and r["geographic_level"] == "Local authority" and r["old_la_code"] == "212"]
        with open(p, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    load_builder().main(["--data", str(tmp_path / "sen2"), "--out", str(tmp_path / "out")])
    england = yaml.safe_load((tmp_path / "out" / "england.yaml").read_text())["description"]
    forward = yaml.safe_load((tmp_path / "out" / "england_from_2025.yaml").read_text())["description"]
    assert ("Newshire (999): requests in 2024 but not a January 2019 unit nor a known successor of one (SUCCESSORS), "
            "left out") in england
    assert "Newshire (999): 2024 requests but no January 2025 caseload, authority left out" in forward


@pytest.mark.parametrize("kind", ["case_study", "batch"])
def test_a_damaged_case_study_or_batch_file_is_one_line(tmp_path, monkeypatch, kind):
    """summary.json and compare.json are validated when read back (one line for a damaged one); a case study's .json
    and batch.json were read as written, so a missing key or a null gave 'internal error (KeyError: 'title')' or
    '(TypeError: 'NoneType' object is not iterable)'. Now one line naming the folder, exit 2, no report written."""
    import json

    monkeypatch.chdir(tmp_path)
    if kind == "case_study":
        r = CliRunner().invoke(main, ["case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014",
                                      "-n", "2", "--out", "f"])
        target = tmp_path / "f" / "sam_autistic_mainstream_specialist.json"
    else:
        sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
        sweep.update(until="2019-02-01", replications=1, design={"kind": "grid", "levels": 2})
        (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False))
        r = CliRunner().invoke(main, ["batch", "sweep.yaml", "--workers", "1", "--out", "f"])
        target = tmp_path / "f" / "batch.json"
    assert r.exit_code == 0, r.stderr
    doc = json.loads(target.read_text())
    target.write_text(json.dumps({k: None for k in doc}))
    r = CliRunner().invoke(main, ["report", "f", "--out", "r.html"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("error: f: its ") and "cannot be read (TypeError" in r.stderr
    assert "(allowed: the files sendsim wrote there" in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_results_reads_tables_only_never_the_programs_own_variables(tmp_path, monkeypatch):
    """A batch folder without runs.parquet (deleted, or copied in part): `results --sql 'select count(*) from runs'`
    answered "Need a DataFrame with at least one column": DuckDB had read the query function's own Python variable
    `runs` (its list of files) in place of the missing table. Now the table is said to be missing."""
    monkeypatch.chdir(tmp_path)
    sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    sweep.update(until="2019-02-01", replications=1, design={"kind": "grid", "levels": 2})
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False))
    assert CliRunner().invoke(main, ["batch", "sweep.yaml", "--workers", "1", "--out", "b"]).exit_code == 0
    (tmp_path / "b" / "runs.parquet").unlink()
    r = CliRunner().invoke(main, ["results", "b", "--sql", "select count(*) from runs"])
    assert r.exit_code == 2 and r.stderr.startswith("error: --sql: Catalog Error: Table with name runs does not exist")


def test_a_batch_into_a_batch_folder_names_no_flag_batch_lacks(tmp_path, monkeypatch):
    """`batch SWEEP --out DIR` on a folder holding this batch said "add --resume to continue it or --force to delete
    it", and `batch --force` is "No such option". The hint now names --resume or another --out."""
    monkeypatch.chdir(tmp_path)
    sweep = yaml.safe_load((ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml").read_text())
    sweep.update(until="2019-02-01", replications=1, design={"kind": "grid", "levels": 2})
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False))
    args = ["batch", "sweep.yaml", "--workers", "1", "--out", "b"]
    assert CliRunner().invoke(main, args).exit_code == 0
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert r.stderr == "error: --out: b already holds a batch; add --resume to continue it, or give another --out\n"


def test_sighup_stops_the_server_as_sigterm_does(tmp_path):
    """`sendsim serve` stops on SIGTERM and Ctrl-C with "sendsim serve: stopped", exit 0. After SIGHUP became an
    interruption for every command, the server said "interrupted (SIGHUP): nothing was kept; run the same command
    again" (exit 129), as if it were a run; it now stops as on SIGTERM (a closed terminal)."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--workdir",
                             str(tmp_path / "work")], stderr=subprocess.PIPE, text=True, preexec_fn=_sighup_default)
    try:
        assert "ready at http://" in proc.stderr.readline()
        proc.send_signal(signal.SIGHUP)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and err.strip().splitlines()[-1] == "sendsim serve: stopped", err
