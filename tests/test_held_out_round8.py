"""Held-out cases, eighth round: what an eighth round of trying found (a warm-up as long as the run, the LA's step on
an order to assess, a later targets file with suppressed cells or two headers, an overloaded benchmark network, a
transfer before the old authority knew of the move, an empty file name, a folder deleted under the command, counts
typed with a point between thousands, a results query reading other files, the case report's deadlines, a setting
named at a review; and new personas whose dates are worked by hand). Each expected value is worked out by hand in its
docstring, from the statute and the project's calendar, never copied from the program's output.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.schema.files import InputError

from .conftest import ROOT, refused_line, scenario_copy


def _cli(tmp_path: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=cwd or tmp_path, capture_output=True,
                          text=True, timeout=600)


def _one_line(p: subprocess.CompletedProcess, code: int = 2) -> str:
    err = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode == code and len(err) == 1 and "Traceback" not in p.stderr, (p.returncode, p.stderr)
    return err[0]


def _weeks(start: dt.date, day: dt.date) -> float:
    return round((day - start).days / 7, 1)


# ============================================================================ a scenario's warm-up


def test_a_warm_up_as_long_as_the_run_is_refused(tmp_path):
    """small_la runs 2019-01-01 to 2020-12-31, both days included (engine.core.calendar: end - start + 1): 365 days
    of 2019 and 366 of 2020 (a leap year), 731 days. A warm-up of 731 days measured nothing, yet the run printed every
    count 0 under "total over 2019-2020". Now refused naming the field and the 731 days; 730 leaves the last day."""
    def warm(days):
        return lambda doc: doc.update(warmup_days=days)

    line = refused_line(scenario_copy(tmp_path, edit=warm(731.0)))
    assert ": warmup_days: 731 days leaves nothing to measure in a run of 731 days (2019-01-01 to 2020-12-31) " \
           "(allowed: fewer than 731 days, or a later end_date)" in line, line
    from simulator.rules.scenario import load_scenario

    assert load_scenario(scenario_copy(tmp_path, name="ok.yaml", edit=warm(730.0))).scenario.warmup_days == 730.0


def test_an_until_inside_the_warm_up_is_refused(tmp_path):
    """A warm-up of 60 days from 1 January 2019 ends on 2 March 2019 (31 days of January, 28 of February: day 60 is
    2 March). --until 2019-03-01 runs 60 days (1 January to 1 March), all of them warm-up: refused, saying 2 March or
    later; --until 2019-03-02 runs 61 days and measures the last."""
    from simulator.rules.scenario import load_scenario

    p = scenario_copy(tmp_path, edit=lambda doc: doc.update(warmup_days=60.0))
    with pytest.raises(InputError) as e:
        load_scenario(p, until=dt.date(2019, 3, 1))
    assert e.value.lines == [f"{p}: --until: 2019-03-01 leaves nothing to measure after the scenario's warm-up of 60 "
                             "days from 2019-01-01 (allowed: 2019-03-02 or later)"]
    assert load_scenario(p, until=dt.date(2019, 3, 2)).scenario.end_date == dt.date(2019, 3, 2)


# ============================================================================ personas: the order to assess, reg 44

ISLA = """\
    name: isla_order_to_assess
    title: "Isla, 7, refused an assessment: mediation, then the tribunal"
    summary: "Refused; her parents choose mediation, which does not settle; they appeal and win."
    sources: ["timeline.md 1.3"]
    scenario: small_la
    start_date: 2019-01-07
    child: {age: 7.0, requester: parent, need: ASD, preferred: mainstream}
    pinned: {decide_to_assess: refused, dispute_refusal_to_assess: true, mediation: chosen,
             mediation_outcome: not_settled, appeal_outcome: heard, hearing: for_family}
"""


def test_the_las_step_on_an_order_to_assess_has_its_two_weeks(tmp_path):
    """After the tribunal orders an assessment, reg 44(2) (as amended by SI 2015/359; timeline.md 1.3) gives the LA
    2 weeks to say it will assess, then 10 weeks from the order to say no plan, or 14 to issue the final plan. The
    case table put "14 weeks" beside "LA complies: assess after order", the final plan's period (its own row says
    "14 weeks from the order or concession"), while the engine timed that step's deadline 2 weeks after it."""
    from simulator.analysis.runs.case_study import case_study

    f = tmp_path / "isla.yaml"
    f.write_text(textwrap.dedent(ISLA))
    res = case_study(f, ["current_2014"], runs=4, seed=42)
    rows = [s for s in res["results"][0]["steps"] if s["step"] == "comply"]
    assert rows and all(s["deadline"] == "2 weeks" for s in rows), rows
    for s in rows:  # the deadline the engine logged: 2 weeks after the order (the same day as the comply step)
        assert abs(s["deadline_week"] - (s["weeks_from_start"] + 2.0)) <= 0.1, s
    final = next(s for s in res["results"][0]["steps"] if s["step"] == "final_plan")
    assert final["deadline"] == "14 weeks from the order or concession"


# ============================================================================ later official figures: a targets file


@pytest.mark.parametrize("mark", ["c", "x", "[c]", "low", ":", ".."])
def test_a_suppressed_figure_in_a_targets_file_is_named_as_such(tmp_path, mark):
    """A later release's cell withheld (DfE's c, x, low; ':' or '..' in other tables) was "malformed number 'c'
    (allowed: a finite number)", which does not say what to do. Now it is named as suppressed, and the line says to
    leave the row out."""
    from simulator.analysis.fit.backtest import load_targets

    p = tmp_path / "t.csv"
    p.write_text("metric,period,value,unit,tolerance,tolerance_kind,source,note\n"
                 f"initial_requests_for_assessment,2019,{mark},,5,relative,DfE SEN2,\n")
    with pytest.raises(InputError) as e:
        load_targets(p, dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    assert e.value.lines == [f"{p}:2: value: {mark!r} is a suppressed figure, no number to compare (allowed: a number; "
                             "leave out the row of a figure the release suppressed)"]


def test_two_targets_files_joined_with_both_headers_is_one_line(tmp_path):
    """Two releases pasted one under the other keep the second's header as line 4: it was four lines about that one
    row (unknown metric 'metric', malformed number 'value', 'tolerance', 'tolerance_kind'). Now one line: the header
    again."""
    from simulator.analysis.fit.backtest import load_targets

    head = "metric,period,value,unit,tolerance,tolerance_kind,source,note"
    row = "initial_requests_for_assessment,{y},419,,5,relative,DfE SEN2,"
    p = tmp_path / "t.csv"
    p.write_text("\n".join([head, row.format(y=2019), head, row.format(y=2020)]) + "\n")
    with pytest.raises(InputError) as e:
        load_targets(p, dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    assert e.value.lines == [f"{p}:3: (row): the header line again (allowed: one header line, at the top; joining two "
                             "targets files, keep the first's header only)"]


# ============================================================================ a benchmark network overloaded


def test_an_overloaded_benchmark_network_says_it_is_unstable(tmp_path):
    """The reference network at 100 arrivals a week instead of 10: decide 100 x 0.32 / 4 servers = 8.0; assess
    (three quarters go on) 75 x 0.64 / 6 = 8.0; draft and issue 75 x 0.5333 / 5 = 8.0; tribunal (a tenth) 7.5 x 2.1333
    / 2 = 8.0. Each stage has eight times the work its servers can do. It printed "utilisation 8.000" and "-" under
    Erlang C without a word; now a line says which stages are unstable and why. The shipped network (0.8) has none."""
    net = (ROOT / "benchmarks" / "reference_network.yaml").read_text()
    f = tmp_path / "busy.yaml"
    f.write_text(net.replace("arrival_rate: 10.0", "arrival_rate: 100.0"))
    busy = _cli(tmp_path, "bench", str(f), "--children", "1000")
    assert busy.returncode == 0, busy.stderr
    assert "\nunstable: decide, assess, draft_and_issue, tribunal are offered more work than their servers can do " \
           "(utilisation 1 or more" in busy.stdout, busy.stdout
    calm = _cli(tmp_path, "bench", str(ROOT / "benchmarks" / "reference_network.yaml"), "--children", "1000")
    assert calm.returncode == 0 and "unstable" not in calm.stdout


# ============================================================================ case files that cannot mean a route

ELLA = """\
    name: ella_late
    title: "Ella, 9, moves from Wandsworth to Lambeth"
    summary: "The family moves on Monday 4 March 2019."
    sources: ["SEND Regulations 2014 reg 15"]
    scenario: small_la
    start_date: 2019-01-07
    existing_plan: {setting: mainstream, first_review_day: 90}
    authorities: {home: Wandsworth, host: Lambeth}
    moves: [{date: 2019-03-04, to: host, old_authority_learned: 2019-03-11, transferred_on: 2019-03-05}]
    child: {age: 9.0, requester: parent, need: SLCN, preferred: mainstream}
"""


def test_a_transfer_before_the_old_authority_knew_of_the_move_is_refused(tmp_path):
    """Wandsworth learns of the move on Monday 11 March 2019 and is said to have transferred the plan on Tuesday
    5 March, six days before it knew (reg 15(2) counts from the day it learns). It ran, the transfer shown at week
    8.1. Now refused in one line: transferred_on must be 11 March or later."""
    from simulator.analysis.runs.case_study import load_case

    f = tmp_path / "ella.yaml"
    f.write_text(textwrap.dedent(ELLA))
    with pytest.raises(InputError) as e:
        load_case(f)
    assert len(e.value.lines) == 1 and e.value.lines[0].endswith(
        "moves[0].transferred_on: 2019-03-05 is before the old authority learned of the move (2019-03-11): it cannot "
        "transfer the plan for a move it does not know of (allowed: 2019-03-11 or later)"), e.value.lines


@pytest.mark.parametrize("field, line", [("title", 2), ("summary", 3)])
def test_a_blank_title_or_summary_of_a_case_is_refused(tmp_path, field, line):
    """The title is the first line a parent reads (the text, the report's heading, the chart), the summary the
    second: blank, they were empty lines. Refused as a rule set's blank label is."""
    from simulator.analysis.runs.case_study import load_case

    text = textwrap.dedent(ELLA).replace("transferred_on: 2019-03-05", "transferred_on: 2019-03-22")
    text = text.replace('title: "Ella, 9, moves from Wandsworth to Lambeth"' if field == "title"
                        else 'summary: "The family moves on Monday 4 March 2019."', f'{field}: "  "')
    f = tmp_path / "ella.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as e:
        load_case(f)
    assert e.value.lines == [f"{f}:{line}: {field}: is blank (allowed: words that say what it is: a label, a "
                             "description, a legal reference)"]


# ============================================================================ odd paths


@pytest.mark.parametrize("args, name", [
    (["run", ""], "SCENARIO"), (["validate", " "], "SCENARIO"), (["case-study", "", "--rules", "current_2014"], "FILE"),
    (["backtest", "small_la", "--targets", ""], "--targets"), (["bench", ""], "NETWORK"), (["batch", ""], "SWEEP"),
    (["report", ""], "RUN_DIR"), (["results", ""], "FOLDER"),
    (["case-study", "sam_autistic_mainstream_specialist", "--rules", "current_2014", "--scenario", ""], "--scenario"),
    (["la-scenario", "--la", "Wandsworth", "--england", ""], "--england"), (["serve", "--workdir", ""], "--workdir"),
])
def test_an_empty_file_name_is_said_so(tmp_path, args, name):
    """`sendsim run "$SCENARIO"` with the variable unset gives an empty argument, which was the current folder:
    "'.': is a folder, not a file (allowed: a file saved on disk, e.g. <the first YAML file there>)", a file of any
    kind. Now: an empty name, and what the argument takes."""
    (tmp_path / "b01_selfloop.yaml").write_text("x: 1\n")  # the example the old message picked
    line = _one_line(_cli(tmp_path, *args))
    assert line.startswith(f"error: Invalid value for '{name}': an empty name (allowed: "), line
    assert "b01_selfloop" not in line


def test_a_folder_deleted_under_the_command_is_named(tmp_path):
    """A terminal left in a folder since deleted (a test run's temporary folder, a worktree removed): every command
    failed with "error: No such file or directory (the environment ...)", naming nothing. Now the line says the
    current folder no longer exists, exit 1 (the environment), as before."""
    gone = tmp_path / "gone"
    gone.mkdir()
    p = subprocess.run(f"cd {gone} && rmdir {gone} && {sys.executable} -m simulator.cli run small_la -n 1 "
                       "--until 2019-01-31", shell=True, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = _one_line(p, code=1)
    assert line.startswith("error: the current folder no longer exists (deleted or moved since this shell entered "
                           "it; cd to a folder that exists): "), line


# ============================================================================ council builder inputs

BASE_FORM = {"source": "figures", "name": "Testshire", "requests_per_year": "1200", "refused_pct": "25",
             "within_20_weeks_pct": "50", "plans_in_force": "4000", "reform": "white_paper_2026", "replications": "5"}


@pytest.mark.parametrize("field, typed, says", [
    ("plans_in_force", "4.000", "EHC plans in force (January): 4.000 (allowed: a whole number without a point "
                                "between thousands, e.g. 4000 or 4,000)"),
    ("requests_per_year", "1.200", "Requests for an EHC needs assessment per year: 1.200 (allowed: a whole number "
                                   "without a point between thousands, e.g. 1200 or 1,200)"),
    ("plans_in_force", "12.345.678", "EHC plans in force (January): 12.345.678 (allowed: a whole number without a "
                                     "point between thousands, e.g. 4000 or 4,000)"),
])
def test_a_count_typed_with_a_point_between_thousands_is_refused_on_the_page(field, typed, says):
    """A forum volunteer writing four thousand plans as much of Europe does, "4.000", had 4 plans in force run (4.000
    is a whole number as a decimal), and "1.200" requests were 1.2 a year. The decimal comma was refused since the
    third round; its mirror was not. A percentage's "25.000" is still 25."""
    from simulator.web.app import validate

    form = dict(BASE_FORM, **{field: typed})
    _job, errors = validate(form, [], ["white_paper_2026"], [])
    assert errors == {field: says}
    job, errors = validate(dict(BASE_FORM, refused_pct="25.000"), [], ["white_paper_2026"], [])
    assert not errors and job["refused_pct"] == 25.0


def test_la_scenario_refuses_requests_with_a_point_between_thousands(tmp_path):
    """`la-scenario --name ... --requests-per-year 1.200` built a council of 1.2 requests a year, exit 0."""
    p = _cli(tmp_path, "la-scenario", "--name", "Testshire", "--requests-per-year", "1.200", "--refused-pct", "20",
             "--within-20-weeks-pct", "50", "--plans-in-force", "4000", "--no-calibrate", "--out", "t.yaml")
    line = _one_line(p)
    assert "'--requests-per-year': '1.200' groups thousands with a point (allowed: a number without one, e.g. 1200; " \
           "a point is a decimal point)" in line, line
    assert not (tmp_path / "t.yaml").exists()


# ============================================================================ results reads the batch's tables only


def test_results_sql_reads_the_batch_tables_only(tmp_path):
    """`results --sql "select * from read_csv('/etc/hostname')"` printed the machine's name, glob('/root/*') listed
    a home folder and a URL made DuckDB download its httpfs extension: the query answered about files that are not
    the batch's. Now one line, exit 2; the batch's own tables still answer (12 tasks: 3 points x 2 rule sets x 2
    replications of the shipped sweep)."""
    out = tmp_path / "b"
    assert _cli(tmp_path, "batch", "mediation_settle_rates", "--out", str(out)).returncode == 0
    ok = _cli(tmp_path, "results", str(out), "--sql", "select count(*) as n from runs", "--format", "csv")
    assert ok.returncode == 0 and ok.stdout.split() == ["n", "12"], ok.stdout
    for q in ("select * from read_csv('/etc/hostname')", "select * from glob('/*')"):
        line = _one_line(_cli(tmp_path, "results", str(out), "--sql", q))
        assert line.endswith(": results reads the batch tables only (allowed: the tables metrics, runs, timings and "
                             "sensitivity)"), line


# ============================================================================ the case report's deadlines


def test_the_case_reports_step_table_gives_each_deadline_in_words():
    """The report's last column said "Deadline met": "no deadline" beside an annual review (12 months, CFA s.44(1)),
    a setting named (20 weeks) and an appeal registered, whose deadlines the runs do not score but the text's table
    gives. Now the deadline as the text says it, with met or missed where the runs score it; a step with none says
    none. 15 February is the rule set's "02-15"."""
    import re

    from simulator.report.folder_reports import _steps_table

    steps = [{"step": "decide_to_assess", "event": "agreed", "deadline": "6 weeks", "deadline_met": True},
             {"step": "decide_to_issue", "event": "to_issue", "deadline": "16 weeks", "deadline_met": False},
             {"step": "annual_review", "event": "maintain", "deadline": "review within 12 months: 12 months; decision "
              "after meeting: 4 weeks", "deadline_met": None},
             {"step": "phase_transfer", "event": "review_age_11", "deadline": "by 02-15 (MM-DD)", "deadline_met": True},
             {"step": "provision", "event": "in_place_mainstream", "deadline": "none (by design)", "deadline_met": None}]
    html = _steps_table({"steps": steps})
    cells = [re.findall(r"<td>([^<]*)</td>", row)[-1] for row in re.findall(r"<tr>(.*?)</tr>", html)[1:]]
    assert cells == ["6 weeks (met)", "16 weeks (missed)",
                     "review within 12 months: 12 months; decision after meeting: 4 weeks", "by 15 February (met)",
                     "no deadline"], cells
    assert "Deadline (met or missed)" in html


# ============================================================================ personas: the school calendar by hand


def _case(tmp_path: Path, text: str, rules=("current_2014",), runs: int = 6) -> dict:
    from simulator.analysis.runs.case_study import case_study

    f = tmp_path / "case.yaml"
    f.write_text(textwrap.dedent(text))
    return case_study(f, list(rules), runs=runs, seed=42)


ADA = """\
    name: ada_nursery
    title: "Ada, {age}, at nursery with a plan: when does she start Reception?"
    summary: "A plan in force at nursery on Monday 2 September 2024."
    sources: ["timeline.md 1.5"]
    scenario: small_la_from_2024
    start_date: 2024-09-02
    existing_plan: {{setting: early_years, first_review_day: 120}}
    child: {{age: {age}, requester: parent, need: SLCN, preferred: mainstream}}
"""


def test_a_nursery_child_moves_to_reception_the_september_after_she_is_four(tmp_path):
    """Ada is 3.01 on 2 September 2024 (3.01 x 365.25 = 1,099 days: born about 30 August 2021), so 4 on 1 September
    2025: she starts Reception then, and the plan must name her school by 15 February 2025 (reg 18), 166 days after
    the start: week 23.7; the school starts on 1 September 2025, 364 days: week 52.0. At 3.00 (born about
    2 September 2021, after 1 September) she is still 3 on 1 September 2025: no transfer by 15 February 2025.
    A setting named at a later under-5 review that amends the plan is due within the amended plan's 8 weeks
    (reg 22), not the 20 weeks of a new plan (it read "20 weeks")."""
    start = dt.date(2024, 9, 2)
    res = _case(tmp_path, ADA.format(age="3.01"))["results"][0]
    steps = res["steps"]
    transfer = next(s for s in steps if s["step"] == "phase_transfer")
    assert transfer["deadline"] == "by 02-15 (MM-DD)"
    assert transfer["deadline_week"] == _weeks(start, dt.date(2025, 2, 15)) == 23.7
    provision = next(s for s in steps if s["step"] == "provision")
    assert provision["weeks_from_start"] == _weeks(start, dt.date(2025, 9, 1)) == 52.0
    after_review = [s for k, s in enumerate(steps) if s["step"] == "name_setting" and k
                    and (steps[k - 1]["step"], steps[k - 1]["event"]) == ("annual_review", "amend_setting")]
    assert after_review and all(s["deadline"] == "8 weeks from the proposed amendments" for s in after_review)
    younger = _case(tmp_path, ADA.format(age="3.0"))["results"][0]
    early = [s for s in younger["steps"] if s["step"] == "phase_transfer"
             and s["deadline_week"] == _weeks(start, dt.date(2025, 2, 15))]
    assert not early, early


KOFI = """\
    name: kofi_year11
    title: "Kofi, 15, Year 11: his college named by 31 March"
    summary: "Kofi's plan names his secondary school; he moves to a further education college in September 2024."
    sources: ["timeline.md 1.5"]
    scenario: small_la_from_2024
    start_date: 2024-01-08
    existing_plan: {setting: mainstream, first_review_day: 200}
    child: {age: 15.6, year_group: 11, requester: parent, need: MLD, preferred: post16}
"""


def test_a_year_11_plan_names_the_college_by_31_march_and_it_starts_on_1_september(tmp_path):
    """Kofi is in Year 11 on Monday 8 January 2024. A move to post-16 must be named by 31 March of the year of the
    transfer (reg 18(1); timeline.md 1.5): 31 March 2024, 83 days after the start (23 days of January, 29 of
    February in a leap year, 31 of March), week 11.9; the college starts on 1 September 2024, 237 days: week 33.9.
    The step table gives the post-16 deadline ("by 03-31"), not the school's 15 February."""
    start = dt.date(2024, 1, 8)
    res = _case(tmp_path, KOFI)
    steps = res["results"][0]["steps"]
    transfer = next(s for s in steps if s["step"] == "phase_transfer")
    assert transfer["event"] == "review_age_16" and transfer["deadline"] == "by 03-31 (MM-DD)"
    assert transfer["deadline_week"] == _weeks(start, dt.date(2024, 3, 31)) == 11.9
    named = steps[steps.index(transfer) + 1]
    assert named["step"] == "name_setting" and named["deadline"] == "by 03-31 (MM-DD)"
    provision = next(s for s in steps if s["step"] == "provision")
    assert provision["weeks_from_start"] == _weeks(start, dt.date(2024, 9, 1)) == 33.9
    assert json.dumps(res)  # standard JSON throughout


# ============================================================================ rule sets and reforms beside a scenario


def _rules_beside(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """small_la beside a copy of the shipped rule sets, `file`'s text changed from `old` to `new`."""
    import shutil

    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    shutil.copy(ROOT / "scenarios" / "small_la.yaml", tmp_path / "small_la.yaml")
    p = tmp_path / "rules" / file
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    return tmp_path / "small_la.yaml"


@pytest.mark.parametrize("day", ["10-15", "09-01", "12-31"])
def test_a_phase_transfer_deadline_after_the_new_phase_starts_is_refused(tmp_path, day):
    """Reg 18 has the next setting named by 15 February (31 March for post-16) of the year of the transfer, before
    the 1 September the new phase starts. A rule set moving it to 15 October (or 1 September, or 31 December) named
    the setting after the child had moved, and a Year 6 case study under it stopped with an internal error
    (IndexError), exit 1. Now the file is refused, naming the field and 01-01 to 08-31."""
    from simulator.rules.scenario import load_scenario

    p = _rules_beside(tmp_path, "current_2014.yaml", '{value: "02-15"', f'{{value: "{day}"')
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert len(e.value.lines) == 1 and e.value.lines[0].endswith(
        f"timeline.phase_transfer_school_deadline: {day} falls on or after 1 September, when the new phase starts "
        "(allowed: a day from 01-01 to 08-31 of the year of the transfer, e.g. 02-15 or 03-31)"), e.value.lines
    (tmp_path / "ok").mkdir()
    ok = _rules_beside(tmp_path / "ok", "current_2014.yaml", '{value: "02-15"', '{value: "08-31"')
    assert load_scenario(ok).law.name == "current_2014"  # 31 August, the day before the phase starts, is allowed


def test_a_switch_changing_one_parameter_twice_is_refused(tmp_path):
    """The Green Paper's national standards switch with its second change's path made the first's
    (effects.requests_multiplier 0.9, then 0.5 in place of la_refusal_convergence): the later value was applied
    without a word. Now one line naming changes[1]."""
    from simulator.rules.scenario import load_scenario

    p = _rules_beside(tmp_path, "green_paper_2022.yaml", "      - path: effects.la_refusal_convergence",
                      "      - path: effects.requests_multiplier")
    with pytest.raises(InputError) as e:
        load_scenario(p, rules="green_paper_2022")
    assert len(e.value.lines) == 1 and e.value.lines[0].endswith(
        "switches.national_standards.changes[1].path: effects.requests_multiplier is changed again (first in "
        "changes[0]) (allowed: each parameter once in a switch)"), e.value.lines


def test_la_scenario_takes_a_percentage_with_its_sign_as_the_page_does(tmp_path):
    """The page reads "25%" as 25 (the field is already a percentage); `la-scenario --refused-pct 20%` said "'20%' is
    not a valid float". Now the flag reads it as the page does: 20% of requests refused is a probability of 0.2."""
    p = _cli(tmp_path, "la-scenario", "--name", "Pctshire", "--requests-per-year", "500", "--refused-pct", "20%",
             "--within-20-weeks-pct", "50 %", "--plans-in-force", "3000", "--no-calibrate", "--out", "p.yaml")
    assert p.returncode == 0, p.stderr
    import yaml

    la = yaml.safe_load((tmp_path / "p.yaml").read_text())["local_authorities"]["items"][0]
    assert la["refuse_to_assess_probability"] == 0.2
