"""Held-out cases, fourth round: the three leftovers of the third (a new SEN2 release without its data guidance, the
educational advice of a young person in alternative provision, the duplicate-row key of a later release's
breakdowns), then what a fourth round of trying found. Each expected value is worked out by hand in its docstring.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main

from .conftest import ROOT, exit_and_err, refused_line, scenario_copy

SMALL = ROOT / "scenarios" / "small_la.yaml"


def _cli(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def _build(data: Path, out: Path, capsys) -> tuple[int, str]:
    from .test_build_years import load_builder

    return exit_and_err(load_builder().main, ["--data", str(data), "--out", str(out)], capsys)


def _targets(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(path, newline="") as f:
        return {(t["metric"], t["period"]): t for t in csv.DictReader(line for line in f if not line.startswith("#"))}


# ------------------------------------------------------------- (a) a new release without its data guidance


def test_a_new_release_without_its_data_guidance_is_refused_naming_the_file(tmp_path, capsys):
    """Calendar 2024 and January 2025 added to the files (test_build_years' later release), but only
    data-guidance-release2025.txt beside them (the 2026 one not copied): the sources said "release 2025", the
    release of January 2024, for rows that release does not hold. A release brings January N-1 (January 2024 in
    release 2025, as shipped), so these rows are release 2026's: refused in one line naming the missing
    data-guidance-release2026.txt; nothing written."""
    from .test_build_years import write_release

    write_release(tmp_path / "sen2")
    (tmp_path / "sen2" / "data-guidance-release2026.txt").unlink()
    code, err = _build(tmp_path / "sen2", tmp_path / "out", capsys)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "no data-guidance-release2026.txt" in err and "January caseload, 2025" in err, err
    assert "data-guidance-release2025.txt, is release 2025's, for January 2024" in err
    assert not (tmp_path / "out").exists()


def test_a_guidance_newer_than_the_rows_does_not_name_the_release(tmp_path, capsys):
    """The shipped rows (January 2024: release 2025) with data-guidance-release2026.txt dropped beside them (the
    guidance of a release whose rows were not added): the sources named release 2026. They name release 2025, the
    release the rows are from."""
    from .test_build_years import write_release

    write_release(tmp_path / "sen2", add=False)
    assert (tmp_path / "sen2" / "data-guidance-release2026.txt").is_file()
    code, err = _build(tmp_path / "sen2", tmp_path / "out", capsys)
    assert code == 0, err
    row = _targets(tmp_path / "out" / "targets" / "england.csv")[("initial_requests_for_assessment", "2023")]
    assert "(release 2025)" in row["source"] and "2026" not in row["source"], row["source"]


# --------------------------------------------------- (b) a young person of 16 or over in alternative provision


def _advice_row(tmp_path: Path, child: dict) -> dict:
    from simulator.api import case_study

    doc = {"name": "advice", "title": "t", "summary": "s", "sources": ["held-out round 4"], "scenario": str(SMALL),
           "start_date": "2019-03-04", "child": child, "pinned": {"decide_to_assess": "agreed"}}
    p = tmp_path / "advice.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    res = case_study(p, ["current_2014"], replications=3).summary["results"][0]
    (row,) = [s for s in res["steps"] if s["step"] == "school_advice"]
    return row


def test_a_young_person_in_a_pupil_referral_unit_gets_the_settings_advice(tmp_path):
    """A young person of 16.2, out of school (the s.19 duty, owed to 16.8 here) and attending alternative
    provision only (`current_setting: alternative_provision`): told the advice came "from a teacher of young people
    with SEN whom the LA asks (no school or college attends)". A pupil referral unit is a school (Education Act 1996
    s.19(2)); SEND Regs 2014 reg 6(1)(b): the head of the school attended gives it: the map's row. The same young
    person with no setting at all (`current_setting: none`) keeps the LA's teacher."""
    row = _advice_row(tmp_path, {"age": 16.2, "out_of_school": True, "current_setting": "alternative_provision",
                                 "need": "SEMH", "preferred": "post16"})
    assert row["label"] == "Educational advice from the school or setting"
    assert row["duty_holder"] == ["school_or_setting"]
    row = _advice_row(tmp_path, {"age": 16.2, "out_of_school": True, "current_setting": "none", "need": "SEMH",
                                 "preferred": "post16"})
    assert row["label"].startswith("Educational advice from a teacher of young people with SEN whom the LA asks")


# ------------------------------------------------------- (c) a later release's breakdown columns in the row key


def _with_sex_column(data: Path, rows_for: dict[str, list[tuple[str, float]]]) -> None:
    """requests.csv of `data` with a `sex` column after `breakdown`: every row "Total", and for each row of the
    2023 total of authority code (or "National") in `rows_for`, a copy per (sex, factor of its requests) added
    after it."""
    path = data / "requests.csv"
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        old = list(reader)
    fields.insert(fields.index("breakdown") + 1, "sex")
    out = []
    for r in old:
        out.append(dict(r, sex="Total"))
        who = "National" if r["geographic_level"] == "National" else r["old_la_code"]
        if r["time_period"] == "2023" and r["breakdown_topic"].startswith("All") and who in rows_for \
                and r["geographic_level"] in ("National", "Local authority"):
            for sex, f in rows_for[who]:
                out.append(dict(r, sex=sex, requests_received_in_year=str(round(float(r["requests_received_in_year"])
                                                                                 * f))))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


def test_a_later_releases_breakdown_column_is_part_of_the_row_key_and_the_total_is_read(tmp_path, capsys):
    """A later release adds a `sex` column beside `breakdown`: Wandsworth's and England's 2023 totals ("Total") are
    followed by a "Female" and a "Male" row (40% and 60% of the requests). They are not repeats (they differ in an
    identifying column), and the build reads the totals: England's 2023 requests target is the shipped national
    figure, as without the column. It refused the Female row as a repeat of the total's line."""
    from .test_build_years import shipped, write_release

    write_release(tmp_path / "sen2", add=False)
    _with_sex_column(tmp_path / "sen2", {"212": [("Female", 0.4), ("Male", 0.6)],
                                         "National": [("Female", 0.4), ("Male", 0.6)]})
    code, err = _build(tmp_path / "sen2", tmp_path / "out", capsys)
    assert code == 0, err
    row = _targets(tmp_path / "out" / "targets" / "england.csv")[("initial_requests_for_assessment", "2023")]
    assert float(row["value"]) == shipped("requests.csv", "2023", "National", "requests_received_in_year")
    with open(tmp_path / "out" / "targets" / "england_by_la.csv", newline="") as f:
        (mine,) = [r for r in csv.DictReader(ln for ln in f if not ln.startswith("#")) if r["la_code"] == "212"
                   and r["metric"] == "initial_requests_for_assessment" and r["period"] == "2023"]
    assert float(mine["value"]) == shipped("requests.csv", "2023", "Local authority", "requests_received_in_year",
                                           "212")


def test_rows_differing_in_a_new_column_with_no_total_or_two_totals_are_refused_in_one_line(tmp_path, capsys):
    """Two rows of Wandsworth's 2023 total differ only in the new `sex` column and neither is the total (no row
    "Total"): the build cannot tell which to read, refused in one line naming the column and the value; two rows
    identical in every identifying column are still a repeat."""
    from .test_build_years import write_release

    write_release(tmp_path / "a", add=False)
    path = tmp_path / "a" / "requests.csv"
    _with_sex_column(tmp_path / "a", {"212": [("Female", 0.4), ("Male", 0.6)]})
    text = path.read_text().splitlines()
    # the 2023 Wandsworth total's sex made "Female" too: a repeat of the Female row (every identifying column)
    i = next(i for i, ln in enumerate(text) if ",212," in ln and ln.startswith("2023,") and ",Total," in ln
             and "All requests" in ln)
    text[i] = text[i].replace(",Total,", ",Female,", 1)
    path.write_text("\n".join(text) + "\n")
    code, err = _build(tmp_path / "a", tmp_path / "out", capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"requests.csv:{i + 2}: the row repeats line {i + 1}" in err and "sex 'Female'" in err, err
    # no total at all: Female and Male only
    write_release(tmp_path / "b", add=False)
    _with_sex_column(tmp_path / "b", {"212": [("Female", 0.4), ("Male", 0.6)]})
    path = tmp_path / "b" / "requests.csv"
    text = path.read_text().splitlines()
    i = next(i for i, ln in enumerate(text) if ",212," in ln and ln.startswith("2023,") and ",Total," in ln
             and "All requests" in ln)
    del text[i]
    path.write_text("\n".join(text) + "\n")
    code, err = _build(tmp_path / "b", tmp_path / "out", capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"requests.csv:{i + 1}: sex: got 'Female' and no row of time_period 2023" in err, err
    assert not (tmp_path / "out").exists()


# ============================================================================ the fourth round: flags


def test_run_or_compare_into_a_run_of_their_own_prints_only_the_refusal(tmp_path, monkeypatch):
    """`run --out r` again on a finished run, and `--resume` of it with another seed, printed the "running ...
    writing r" progress line before the refusal (two lines on a refused command); `compare --resume --seed 9` of a
    comparison run with seed 42 printed "2 rule sets ... x 2 replications" first. Each is now the one line, exit 2,
    and the folder is as it was."""
    monkeypatch.chdir(tmp_path)
    until = ["--until", "2019-01-10"]
    assert _cli("run", "small_la", "-n", "1", "--out", "r", *until)[0] == 0
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "r").rglob("*"))
    code, _o, err = _cli("run", "small_la", "-n", "1", "--out", "r", *until)
    assert (code, err) == (2, "error: --out: r already holds a run; add --resume to continue it or --force to delete "
                              "it and start again\n")
    code, _o, err = _cli("run", "small_la", "-n", "1", "--out", "r", "--resume", "--seed", "7", *until)
    assert (code, err) == (2, "error: --resume: r holds another run (seed 42 there, 7 now); use --force to replace "
                              "it or choose another --out\n")
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "r").rglob("*")) == before
    two = ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "-n", "2", "--out", "c",
           *until]
    assert _cli(*two)[0] == 0
    code, _o, err = _cli(*two, "--resume", "--seed", "9")
    assert (code, err) == (2, "error: --resume: c/1-current_2014 holds another run (seed 42 there, 9 now); use "
                              "--force to replace it or choose another --out\n")


# ============================================================================ the fourth round: scenario files


def test_a_scenario_starting_before_ehc_plans_existed_is_refused(tmp_path):
    """small_la with start_date 2013-01-01 was accepted (years 1990-2100) and ran EHC needs assessments, plans and
    tribunals in 2013, before CFA 2014 Part 3 came into force on 1 September 2014 (SEN statements then). Refused at
    the field, one line; 2014-09-01 itself is the first day allowed (the scenario then loads)."""
    line = refused_line(scenario_copy(tmp_path, edit=lambda d: d.update(start_date="2013-01-01")))
    assert line.endswith(":6: start_date: got 2013-01-01 (allowed: from 2014-09-01, when EHC needs assessments and "
                         "plans began: CFA 2014 Part 3 in force; before it SEN statements under the Education Act "
                         "1996, which sendsim does not model)"), line
    line = refused_line(scenario_copy(tmp_path, edit=lambda d: d.update(start_date="2014-08-31")))
    assert "start_date: got 2014-08-31" in line
    from simulator.rules.scenario import load_scenario

    ok = scenario_copy(tmp_path, edit=lambda d: d.update(start_date="2014-09-01"))
    assert str(load_scenario(ok).scenario.start_date) == "2014-09-01"


# a boolean said as the file wrote it, "true", not Python's "True" (tenth held-out round, fb79776)
@pytest.mark.parametrize("value, got", [("soon", "'soon'"), ("5", "5"), ("[1]", "[1]"), ("true", "true"),
                                        ("Start", "'Start'")])
def test_an_in_force_value_neither_a_date_nor_start_is_one_line(tmp_path, value, got):
    """`in_force: {mandatory_mediation: soon}` gave two lines for one mistake (".date: got 'soon' (allowed: a date
    ...)" and "Input should be 'start'"); one line now saying both forms allowed."""
    p = scenario_copy(tmp_path, edit=lambda d: d.update(in_force={"mandatory_mediation": "PLACEHOLDER"}))
    p.write_text(p.read_text().replace("PLACEHOLDER", value))
    line = refused_line(p)
    assert line.endswith(f".yaml:1131: in_force.mandatory_mediation: got {got} (allowed: a date written YYYY-MM-DD "
                         "or start)"), line


# ============================================================================ the fourth round: a later SEN2 release


def _edit_rows(path: Path, edit) -> int:
    """`edit(row)` applied to every row of a CSV file (a row it returns None for is kept as it was); the line of the
    first row it changed."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    first = 0
    for i, r in enumerate(rows):
        new = edit(dict(r))
        if new is not None and new != r:
            rows[i] = new
            first = first or i + 2
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return first


def _wandsworth_2024(col: str, value: str):
    def edit(r):
        if r["time_period"] == "2024" and r["old_la_code"] == "212" and r["breakdown_topic"].startswith("All"):
            return dict(r, **{col: value})
        return None
    return edit


@pytest.mark.parametrize("file, col, value, whole", [
    ("requests.csv", "requests_decided_not_to_assess", "99999", "requests_received_in_year"),
    ("timeliness_20_week.csv", "plans_issued_20_weeks_ex", "99999", "plans_issued_den_ex"),
])
def test_a_part_above_its_whole_in_a_later_release_is_one_line(tmp_path, capsys, file, col, value, whole):
    """Wandsworth's 2024 refusals given as 99,999 (more than the requests received) ended in an IndexError traceback
    inside the fit of its waits (no assessment left); its plans within 20 weeks as 99,999 of the 360 issued (the
    denominator) gave a target of 27,777.5% within 20 weeks. A part is at most its whole: one line naming the file,
    line and both columns; nothing written."""
    from .test_build_years import write_release

    write_release(tmp_path / "sen2")
    line = _edit_rows(tmp_path / "sen2" / file, _wandsworth_2024(col, value))
    code, err = _build(tmp_path / "sen2", tmp_path / "out", capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{file}:{line}: {col}: got {value}, more than {whole} " in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("file, old, new", [
    ("requests.csv", "requests_received_in_year", "requests_received"),
    ("assessments.csv", "old_la_code", "la_code"),
    ("caseload.csv", "ehcplans", "ehc_plans"),
])
def test_a_column_a_later_release_renamed_is_named_as_missing(tmp_path, capsys, file, old, new):
    """A release that renames a column the build reads was refused as "requests_received_in_year None in England's row
    of 2019" or "old_la_code: got None" at the first row: as if a value were missing. The header lacks the column:
    one line at line 1 naming it."""
    from .test_build_years import write_release

    write_release(tmp_path / "sen2")
    path = tmp_path / "sen2" / file
    text = path.read_text().split("\n", 1)
    path.write_text(text[0].replace(old, new) + "\n" + text[1])
    code, err = _build(tmp_path / "sen2", tmp_path / "out", capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"{file}:1: no column {old} (allowed: SEN2's header, which names it;" in err, err


# ============================================================================ the fourth round: personas


def test_a_child_under_5_in_no_early_years_setting_gets_advice_from_a_person_the_la_asks(tmp_path):
    """A baby of 6 months in no setting (`current_setting: none`): the educational advice was said to come "from the
    school or setting", a school's duty paid from its notional SEN budget. SEND Regs 2014 reg 6(1)(b): from the head
    of the school or the institution attended, else a person the LA is satisfied has experience of teaching children
    with SEN: the LA's (its general fund, errata.md 5). A child of 3 in a nursery (`early_years`) keeps the map's
    row."""
    row = _advice_row(tmp_path, {"age": 0.5, "current_setting": "none", "requester": "parent", "need": "PMLD",
                                 "preferred": "early_years", "health": True})
    assert row["label"] == ("Educational advice from a person with experience of teaching children with SEN whom the "
                            "LA asks (no early years setting or school attends: SEND Regs 2014 reg 6(1)(b))")
    assert (row["duty_holder"], row["payer"]) == (["local_authority"], ["la_general_fund"])
    row = _advice_row(tmp_path, {"age": 3.0, "current_setting": "early_years", "requester": "parent", "need": "PMLD",
                                 "preferred": "early_years"})
    assert row["label"] == "Educational advice from the school or setting"


@pytest.mark.parametrize("case, start, says", [
    ("phase_transfer_year6", "2019-03-01", "secondary school (Year 7) from 1 September 2019 was to be named by 15 "
                                           "February 2019"),
    ("phase_transfer_year6", "2019-02-15", "secondary school (Year 7) from 1 September 2019 was to be named by 15 "
                                           "February 2019"),
    ("zara_year11_to_college_31_march", "2019-04-01", "post-16 (Year 12) from 1 September 2019 was to be named by "
                                                      "31 March 2019"),
    ("phase_transfer_year6", "2019-02-14", None),
])
def test_a_plan_taken_up_after_its_transfer_deadline_says_the_transfer_is_not_in_the_runs(case, start, says):
    """Riley (Year 6, 10.x years old on 1 January 2019) taken up on 1 March 2019: the secondary school for
    1 September 2019 was due by 15 February 2019 (reg 18(1)), before the start, so the runs held no transfer at all
    and the output said nothing of it: a Year 6 child with no move to secondary school. The output now says so and
    how to follow it (a start before the deadline). On the deadline itself the engine schedules nothing either (its
    transfer is due strictly after the start); on 14 February the transfer is in every run and nothing is said.
    Zara (Year 11) on 1 April: the post-16 setting was due by 31 March."""
    import datetime as dt

    from simulator.api import case_study

    res = case_study(case, ["current_2014"], replications=2, start_date=dt.date.fromisoformat(start)).summary
    steps = {s["step"] for s in res["results"][0]["steps"]}
    if says is None:
        assert "transfer_before_start" not in res and "phase_transfer" in steps
        return
    assert says in res["transfer_before_start"], res["transfer_before_start"]
    assert "phase_transfer" not in steps


@pytest.mark.parametrize("age, refused", [(25.3, False), (25.43, False), (25.44, True), (25.9, True)])
def test_a_young_person_just_past_25_keeps_a_plan_to_the_end_of_that_academic_year(tmp_path, age, refused):
    """CFA s.46: the plan may be kept to the end of the academic year in which the young person turns 25 (31 July).
    On 7 January 2019 that academic year began on 1 August 2018, 159 days before: a young person of up to
    25 + 159/365.25 = 25.435 turned 25 in it and keeps the plan to 31 July 2019, 205 days (29.3 weeks) after the
    start. A case of 25.3 was refused ("at most 25"); 25.9 (25th birthday in February 2018) had its plan end on
    31 July 2018, before the start, and is refused naming that date."""
    from simulator.api import case_study

    doc = {"name": "p", "title": "t", "summary": "s", "sources": ["held-out round 4"], "scenario": str(SMALL),
           "start_date": "2019-01-07", "existing_plan": {"setting": "post16", "first_review_day": 300},
           "pinned": {"review_outcome": "maintain"},
           "child": {"age": age, "requester": "young_person", "need": "SLD", "preferred": "post16"}}
    p = tmp_path / "yp.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, _o, err = _cli("case-study", str(p), "--rules", "current_2014", "-n", "2")
    if refused:
        assert code == 2 and err.count("\n") == 1, err
        assert f"child.age: {age:g} on 2019-01-07: the plan ended on 2018-07-31" in err and "at most 25.43" in err
        return
    assert code == 0, err
    res = case_study(p, ["current_2014"], replications=2).summary["results"][0]
    (end,) = [s for s in res["steps"] if s["step"] == "plan_end_25"]
    assert end["weeks_from_start"] == round(205 / 7, 1)


def test_a_start_date_given_on_the_command_line_is_checked_against_the_plans_end_at_25(tmp_path):
    """25.43 on 7 January 2019 keeps the plan to 31 July 2019; the same file with `--start-date 2019-09-02` starts a
    new academic year (from 1 August 2019, 32 days before): the young person turned 25 on 2019-03-29 and the plan
    ended on 31 July 2019, before the start. It ran with the plan kept (a review at week 61.7); refused in one line
    at the file's child.age, the most now 25 + 32/365.25 = 25.08."""
    doc = {"name": "p", "title": "t", "summary": "s", "sources": ["held-out round 4"], "scenario": str(SMALL),
           "start_date": "2019-01-07", "existing_plan": {"setting": "post16", "first_review_day": 300},
           "child": {"age": 25.43, "requester": "young_person", "need": "SLD", "preferred": "post16"}}
    p = tmp_path / "yp.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, _o, err = _cli("case-study", str(p), "--rules", "current_2014", "-n", "2", "--start-date", "2019-09-02")
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"error: {p}:") and "child.age: 25.43 on 2019-09-02: the plan ended on 2019-07-31" in err
    assert "at most 25.08" in err


def test_a_child_educated_at_home_with_no_plan_is_told_what_can_be_written(tmp_path):
    """A child of 12 educated at home by the parents' choice, asking for an assessment: `current_setting: none` was
    refused "needs out_of_school: true", and a parent who follows it gets the s.19 duty (the LA's duty to a child
    with no education) and weeks "out of school, with no education at all" counted for a child who is educated.
    The line says what out_of_school means and how home education is written: `education: {arrangement:
    elective_home_education}`, which a new request can now take (tests/test_case_leftovers.py), with existing_plan
    if a plan is in force."""
    from simulator.analysis.runs.case_study import load_case
    from simulator.schema.files import InputError

    doc = {"name": "p", "title": "t", "summary": "s", "sources": ["held-out round 4"], "scenario": str(SMALL),
           "start_date": "2019-01-07", "child": {"age": 12.0, "current_setting": "none", "requester": "parent"}}
    p = tmp_path / "ehe.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as e:
        load_case(p)
    (line,) = e.value.lines
    assert "needs out_of_school: true, the LA's duty to arrange education" in line
    assert ("a child educated at home by the parents' choice is written education: {arrangement: "
            "elective_home_education}, with existing_plan if a plan is in force") in line


@pytest.mark.parametrize("code, says", [
    ("999", "'999' is not the code of an authority in small_la (allowed:"),
    ("Wandsworth", "'Wandsworth' is not the code of an authority in small_la: Wandsworth is the name of the authority "
                   "whose code is 212"),
])
def test_calibrate_for_an_authority_the_scenario_lacks_is_refused(tmp_path, code, says):
    """`calibrate england --stage delays --la 999` fitted nothing, wrote its file and said "calibrated 0 parameters
    from 0 targets", exit 0 ("delays of 1 authorities"); a name given for the code did the same. Refused in one line
    before anything is written."""
    code_, _o, err = _cli("calibrate", "small_la", "--stage", "joint", "--la", code, "--rounds", "1", "--out",
                          str(tmp_path / "x.yaml"))
    assert code_ == 2 and err.count("\n") == 1, err
    assert says in err, err
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("given, says", [
    ("case_studies/phase_transfer_year6.yaml", ":13: child: this is a case-study file, not a scenario"),
    ("scenarios/sweeps/mediation_settle_rates.yaml", ":14: design: this is a sweep, not a scenario"),
])
def test_la_scenario_england_of_another_kind_is_one_line(tmp_path, given, says):
    """`la-scenario --la 212 --england CASE.yaml` failed as "internal error (KeyError: 'local_authorities')", exit 1
    (the environment's code for a bad input). The file is read as a scenario first: one line naming its kind, exit 2,
    nothing written."""
    code, _o, err = _cli("la-scenario", "--la", "212", "--england", str(ROOT / given), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1, err
    assert says in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("items, disputes, noted", [
    ([("h1", "G"), ("s1", "H1")], [{"item": "h1"}, {"item": "s1"}], "(h1 (G), s1 (H1))"),
    ([("f1", "F"), ("h1", "G")], [{"item": "f1"}, {"item": "h1"}], None),
    ([("h1", "G")], [{"item": "h1", "family_says": "F"}], None),
])
def test_a_dispute_of_health_and_social_care_items_alone_says_the_tribunal_cannot_hear_it(tmp_path, items, disputes,
                                                                                          noted):
    """A family disputing only a G (health) and an H1 (social care) item, appeal pinned heard and for the family:
    the output showed "tribunal_decision: for family" and "comply: amend, 5 weeks", an order the tribunal cannot
    make: CFA s.51(2) gives an appeal on B, F and I, and its recommendations on C, D, G and H need an education part
    appealed too (errata.md 1). The case now says so and names the family's other routes. With an F item, or a G
    item the family says belongs in F (s.21(5)), there is an education part: nothing is said."""
    from simulator.api import case_study

    doc = {"name": "hs", "title": "t", "summary": "s", "sources": ["held-out round 4"], "scenario": str(SMALL),
           "start_date": "2019-01-07",
           "pinned": {"decide_to_assess": "agreed", "decide_to_issue": "issue", "appeal_outcome": "heard",
                      "hearing": "for_family"},
           "plan": {"items": [{"id": i, "section": s, "text": "x"} for i, s in items], "disputes": disputes},
           "child": {"age": 9.0, "need": "PD", "health": True, "social": True}}
    p = tmp_path / "hs.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    res = case_study(p, ["current_2014"], replications=2).summary
    if noted is None:
        assert "disputes_note" not in res
        return
    assert res["disputes_note"].startswith(f"Every disputed item is outside sections B, F and I {noted}: the tribunal "
                                           "hears an appeal on a plan's contents only on an education part")


def test_plan_transfers_of_a_new_year_without_its_data_guidance_is_refused(tmp_path, capsys):
    """scripts/build_plan_transfers.py, the same leftover as (a): ceased_plans.csv with calendar 2024 added (release
    2026's year: release 2025 brings 2023, as shipped) and only data-guidance-release2025.txt beside it: the source
    said "release 2025 column transfer (2022-2024; ...)". Refused in one line naming the missing
    data-guidance-release2026.txt; nothing written."""
    from .test_build_plan_transfers import FILES, SEN2, _add_year
    from .test_build_plan_transfers import load_builder as plan_builder

    data = tmp_path / "sen2"
    data.mkdir()
    for name in FILES:
        shutil.copy(SEN2 / name, data / name)
    _add_year(data / "ceased_plans.csv", "2023", "2024", {"transfer": 1.10})
    _add_year(data / "caseload.csv", "202324", "202425", {"ehcplans": 1.12})
    with pytest.raises(SystemExit) as e:
        plan_builder().main(["--data", str(data), "--out", str(tmp_path / "pt.yaml")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no data-guidance-release2026.txt for ceased_plans.csv's last year, 2024" in err
    assert not (tmp_path / "pt.yaml").exists()


# ============================================================================ after the merge: blank provenance


@pytest.mark.parametrize("blank", ["", " ", "\t  "])
def test_a_blank_source_on_a_scenarios_number_is_refused(tmp_path, blank):
    """Every number in a scenario has a source or a ranged assumption. `source: " "` (a space) passed as a source and
    was shown in every output as the figure's provenance; `source: ""` was refused only because the empty string is
    false. Both are now one line naming the field."""
    def edit(doc):
        doc["local_authorities"]["provenance"]["requests_per_year"]["source"] = blank

    path = scenario_copy(tmp_path, SMALL, edit=edit)
    line = refused_line(path)
    assert line.startswith(f"{path}:"), line
    assert "local_authorities.provenance.requests_per_year" in line and "blank" in line, line


@pytest.mark.parametrize("old,new,field", [
    ('    source: "gov.uk press release 23 Feb 2026;', '    source: "  "\n    x_was: "gov.uk press release 23 Feb 2026;',
     "switches.tiered_support_plans.source"),
    ("    in_force_source: \"'legal changes", "    in_force_source: ' '\n    x_was: \"'legal changes",
     "switches.tiered_support_plans.in_force_source"),
])
def test_a_blank_source_in_a_reform_file_is_refused(tmp_path, old, new, field):
    """A reform's switch with a blank source or a blank in-force source (every reform change has a source and an
    in-force date with its source): it was accepted and printed as an empty provenance. The rest of the line (kept
    as an unknown key here, which would also be refused) is dropped so that only the blank source is wrong."""
    (tmp_path / "rules").mkdir()
    text = (ROOT / "scenarios" / "rules" / "white_paper_2026.yaml").read_text()
    text = text.replace("name: white_paper_2026", "name: wp_blank")
    assert old in text
    text = text.replace(old, new, 1)
    text = "\n".join(ln for ln in text.splitlines() if "x_was:" not in ln) + "\n"
    (tmp_path / "rules" / "wp_blank.yaml").write_text(text)
    path = scenario_copy(tmp_path, SMALL)
    code, _out, err = _cli("validate", str(path), "--rules", "wp_blank")
    assert code == 2 and "Traceback" not in err, err
    first = err.splitlines()[0]
    assert first.startswith(f"error: {tmp_path / 'rules' / 'wp_blank.yaml'}:") and field in first, err
    assert "blank" in first, err
