"""Held-out case files a forum volunteer could write, beyond the shipped ones: dated events moved with the start,
dates outside the route, moves to where the child already lives, a review a year or more away, a folder or a device
where a file is expected, bad flags, spreadsheet targets, sweeps, --force over a user's file, a resume's bytes. Each
expected value is worked out by hand in its docstring; most tests run no simulation, the others a few short ones.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from simulator.analysis.runs.case_study import prepare_case
from simulator.schema.files import InputError

from .conftest import ROOT, sweep_refusal

ELLA = ROOT / "case_studies" / "ella_family_moves_plan_transfers.yaml"
SMALL = str(ROOT / "scenarios" / "small_la.yaml")


def _case(tmp_path, **fields) -> os.PathLike:
    doc = {"name": "held_out", "title": "t", "summary": "s", "sources": ["a test"], "scenario": SMALL,
           "child": {"age": 9.0, "requester": "parent", "need": "ASD", "preferred": "mainstream"}, **fields}
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def _one_line(tmp_path, **fields) -> str:
    with pytest.raises(InputError) as e:
        prepare_case(_case(tmp_path, **fields))
    assert len(e.value.lines) == 1, e.value.lines
    return e.value.lines[0]


def test_start_date_moves_the_files_dates_with_it():
    """Ella's file starts Monday 7 January 2019 and moves on Monday 4 March 2019 (56 days later). With --start-date
    2031-01-06 the start moves 12 years (4,383 days, leap days 2020, 2024, 2028) less one day = 4,382 days, so the move
    is on 2019-03-04 + 4,382 days = 2031-03-03, again 56 days after the start; before, it stayed in 2019, before the
    route, and never happened."""
    cr = prepare_case(ELLA, "small_la_from_2024", dt.date(2031, 1, 6))
    assert cr.dates_moved_days == 4382
    assert cr.case.moves[0].date == dt.date(2031, 3, 3)
    assert cr.case.moves[0].old_authority_learned == dt.date(2031, 3, 3)
    assert (cr.case.moves[0].date - cr.start_date).days == 56
    assert prepare_case(ELLA).dates_moved_days == 0  # the file's own start: nothing moved


def test_a_move_after_the_route_is_refused(tmp_path):
    """Start 2019-01-07; the route is read over 18 months (548 days: 2019-01-07 + 365 = 2020-01-07, + 183 = 2020-07-08).
    A move in 2030 would never happen in it (it used to be described as if it did)."""
    line = _one_line(tmp_path, start_date=dt.date(2019, 1, 7), existing_plan={"setting": "mainstream"},
                     authorities={"home": "Wandsworth", "host": "Lambeth"},
                     moves=[{"date": dt.date(2030, 3, 4), "to": "host"}])
    assert "moves[0].date: 2030-03-04 is after the route's end" in line
    assert "2019-01-07 to 2020-07-08" in line


def test_a_placement_or_a_spell_after_the_route_is_refused(tmp_path):
    """A looked-after placement from 2025 and a spell in hospital from 2021 both start after 2020-07-08."""
    line = _one_line(tmp_path, start_date=dt.date(2019, 1, 7), existing_plan={"setting": "mainstream"},
                     authorities={"home": "Wandsworth", "host": "Lambeth"},
                     looked_after={"by": "host", "placed_in": "host", "since": dt.date(2025, 1, 1)})
    assert "looked_after.since: 2025-01-01 is after the route's end" in line
    line = _one_line(tmp_path, start_date=dt.date(2019, 1, 7), existing_plan={"setting": "mainstream"},
                     education={"arrangement": "hospital", "since": dt.date(2021, 1, 4)})
    assert "education.since: 2021-01-04 is after the route's end" in line


def test_a_move_to_where_the_child_already_lives_is_refused(tmp_path):
    """The child starts in the home area: a first move `to: home` transfers nothing (it used to be drawn as a
    transfer from the host, where the child never lived). home -> host -> home is two real moves."""
    common = {"start_date": dt.date(2019, 1, 7), "existing_plan": {"setting": "mainstream"},
              "authorities": {"home": "Wandsworth", "host": "Lambeth"}}
    line = _one_line(tmp_path, **common, moves=[{"date": dt.date(2019, 3, 4), "to": "home"}])
    assert line.endswith("moves[0].to: home (Wandsworth) is where the child already lives on 2019-03-04 "
                         "(allowed: host, the other authority)")
    to_line = (tmp_path / "case.yaml").read_text().splitlines().index("  to: home") + 1
    assert f":{to_line}: moves[0].to" in line  # the move's own line, not "(top level)"
    line = _one_line(tmp_path, **common, moves=[{"date": dt.date(2019, 3, 4), "to": "host"},
                                                {"date": dt.date(2019, 6, 3), "to": "host"}])
    assert "moves[1].to: host (Lambeth) is where the child already lives on 2019-06-03" in line
    ok = prepare_case(_case(tmp_path, **common, moves=[{"date": dt.date(2019, 3, 4), "to": "host"},
                                                       {"date": dt.date(2019, 9, 2), "to": "home"}]))
    assert [m.to for m in ok.case.moves] == ["host", "home"]


def test_a_looked_after_child_placed_in_the_host_area_moves_home_not_to_the_host(tmp_path):
    """Placed in the host's area before the start, the child lives there: a move `to: host` is refused, `to: home`
    is a move."""
    common = {"start_date": dt.date(2019, 1, 7), "existing_plan": {"setting": "mainstream"},
              "authorities": {"home": "Wandsworth", "host": "Lambeth"},
              "looked_after": {"by": "home", "placed_in": "host"}}
    line = _one_line(tmp_path, **common, moves=[{"date": dt.date(2019, 3, 4), "to": "host"}])
    assert "moves[0].to: host (Lambeth) is where the child already lives" in line
    prepare_case(_case(tmp_path, **common, moves=[{"date": dt.date(2019, 3, 4), "to": "home"}]))


def test_the_next_review_is_at_most_a_year_away(tmp_path):
    """CFA s.44(1): a plan is reviewed at least every 12 months, so the next review of a plan in force is at most
    366 days from the start; 5,000 days used to be accepted and hid every review of the route."""
    line = _one_line(tmp_path, start_date=dt.date(2019, 3, 4),
                     existing_plan={"setting": "mainstream", "first_review_day": 5000})
    assert "existing_plan.first_review_day: got 5000 (allowed: a number less than or equal to 366)" in line
    prepare_case(_case(tmp_path, start_date=dt.date(2019, 3, 4),
                       existing_plan={"setting": "mainstream", "first_review_day": 366}))


def test_a_folder_or_a_device_is_named_as_such(tmp_path):
    """The case file, `--scenario` and the file's `scenario:` each name a folder or a device as what it is (they
    said "file not found")."""
    with pytest.raises(InputError) as e:
        prepare_case(tmp_path)
    assert e.value.lines == [f"{tmp_path}: is a folder, not a file (allowed: a file saved on disk)"]
    with pytest.raises(InputError) as e:
        prepare_case(ELLA, "/dev/null")
    assert e.value.lines[0].startswith("--scenario: /dev/null: is a device, not a regular file")
    p = _case(tmp_path, start_date=dt.date(2019, 3, 4))
    p.write_text(p.read_text().replace(SMALL, str(tmp_path)))
    with pytest.raises(InputError) as e:
        prepare_case(p)
    assert f"scenario: {tmp_path}: is a folder, not a file" in e.value.lines[0]


def test_a_second_authority_comes_from_the_england_scenario_of_the_same_years(tmp_path):
    """A case on the forward scenario (from January 2024) takes its second authority from `england_from_2024`:
    Lambeth with its 2023 requests (DfE SEN2 requests.csv: 610; 448 was 2019's), and West Northamptonshire (formed in
    2021, SEN2 code 941) is found; Northamptonshire, abolished in 2021, is refused with its successors named. On the
    2019 scenario it is the other way round."""
    fwd = {"scenario": "small_la_from_2024", "start_date": dt.date(2031, 1, 6),
           "existing_plan": {"setting": "mainstream"}, "moves": [{"date": dt.date(2031, 3, 3), "to": "host"}]}
    cr = prepare_case(_case(tmp_path, **fwd, authorities={"home": "Wandsworth", "host": "Lambeth"}))
    assert [(la.name, la.requests_per_year) for la in cr.extra] == [("Lambeth", 610.0)]
    cr = prepare_case(_case(tmp_path, **fwd, authorities={"home": "Wandsworth", "host": "West Northamptonshire"}))
    assert [(la.name, la.code) for la in cr.extra] == [("West Northamptonshire", "941")]
    line = _one_line(tmp_path, **fwd, authorities={"home": "Wandsworth", "host": "Northamptonshire"})
    assert "'Northamptonshire' is neither in the scenario nor among England's authorities in england_from_2024" in line
    assert "West Northamptonshire" in line and "North Northamptonshire" in line
    old = {**fwd, "scenario": SMALL, "start_date": dt.date(2019, 1, 7), "moves": [{"date": dt.date(2019, 3, 4)}]}
    cr = prepare_case(_case(tmp_path, **old, authorities={"home": "Wandsworth", "host": "Lambeth"}))
    assert [(la.name, la.requests_per_year) for la in cr.extra] == [("Lambeth", 448.0)]
    line = _one_line(tmp_path, **old, authorities={"home": "Wandsworth", "host": "West Northamptonshire"})
    assert "in england (from 2019)" in line and "Northamptonshire" in line.split("did you mean")[1]


@pytest.mark.parametrize(("args", "words"), [
    (["case-study", str(ELLA), "--rules", "current_2014", "-n", "0"],
     "'--replications' / '-n' / '--runs': 0 is not in the range 1<=x<=100000"),
    (["case-study", str(ELLA)], "Missing option '--rules'"),
    (["case-study", str(ELLA), "--rules", "current_2014", "--until", "2019-06-30"], "No such option '--until'"),
    (["run", "small_la", "--engine", "fast"], "'fast' is not one of 'heap', 'simpy'"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
    (["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "--until", "2019-02-29"],
     "2019-02-29 is not a date that exists (allowed: a real day, YYYY-MM-DD)"),  # 2019 is not a leap year
    (["case-study", str(ELLA), "--rules", "current_2014", "--start-date", "2031-13-01"],
     "2031-13-01 is not a date that exists"),
    (["run", "small_la", "--until", "31/12/2019"], "'31/12/2019' is not a date (allowed: YYYY-MM-DD"),
    (["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "--resume"],
     "--resume: acts on the folder given with --out, and none is given"),  # it was silently ignored
    (["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022", "--force"],
     "--force: acts on the folder given with --out"),
    (["case-study", str(ELLA), "--rules", "current_2014", "--force"], "--force: replaces the case's files in the "
                                                                      "folder given with --out, and none is given"),
])
def test_a_bad_flag_is_one_line(args, words, tmp_path, monkeypatch):
    """Click printed four lines for a bad flag (usage, a hint, a blank line, the error); every bad input is one line
    naming the field and what is allowed, exit 2, nothing written."""
    from click.testing import CliRunner

    from simulator.cli import main

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ") and words in r.stderr, r.stderr
    assert "allowed: " in r.stderr
    assert os.listdir(tmp_path) == []


def test_the_page_starts_from_the_latest_forward_scenario():
    """After DfE's next release is built (`england_from_2025.yaml` and `small_la_from_2025.yaml`, new files beside the
    2024 ones), the page cuts councils out of January 2025, not the hard-coded January 2024; a forward England without
    its small_la is not complete and is passed over."""
    from simulator.web.app import FORWARD, latest_forward

    names = ["england", "england_from_2024", "small_la", "small_la_from_2024"]
    assert latest_forward(names) == "england_from_2024" == FORWARD
    assert latest_forward([*names, "england_from_2025", "small_la_from_2025", "england_from_2026"]) == \
        "england_from_2025"
    with pytest.raises(InputError):
        latest_forward(["england", "small_la"])


def test_force_never_deletes_a_users_file_saved_inside_a_run_folder(tmp_path):
    """A marked run folder in which the user saved notes (beside the outputs, in a folder of their own, and deep in a
    replication's folder): `--force` deleted them with the run's files. Now it refuses, exit 2, and every file is
    kept; the same folder without them is replaced as before."""
    from click.testing import CliRunner

    from simulator.analysis.runs.folder import foreign_files
    from simulator.cli import main

    out = tmp_path / "run"
    args = ["run", SMALL, "-n", "1", "--until", "2019-01-31", "--no-events", "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert foreign_files(out, "run") == []
    for left in ("replications/rep-001.partial/metrics.json", ".summary.json.abc.tmp", "manifest.json.tmp123"):
        (out / left).parent.mkdir(parents=True, exist_ok=True)  # what a killed run leaves: sendsim's, for --force
        (out / left).write_text("{}")
    assert foreign_files(out, "run") == []
    mine = {"notes.docx": "mine", "thesis/ch1.tex": "x", "replications/rep-000/mine/metrics.json": "y"}
    for rel, text in mine.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    assert foreign_files(out, "run") == ["notes.docx", "replications/rep-000/mine/metrics.json", "thesis/ch1.tex"]
    r = CliRunner().invoke(main, [*args, "--force"])
    assert r.exit_code == 2 and "--force deletes only sendsim's own files, so nothing was deleted" in r.stderr
    assert [ln for ln in r.stderr.splitlines() if ln.startswith("error")] == [r.stderr.splitlines()[-1]]
    assert all((out / rel).read_text() == text for rel, text in mine.items())
    assert (out / "summary.json").is_file()
    for rel in mine:
        (out / rel).unlink()
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize(("args", "words"), [
    (["validate", str(ELLA)], ":20: child: this is a case-study file, not a scenario"),
    (["case-study", SMALL, "--rules", "current_2014"], "local_authorities: this is a scenario, not a case-study file"),
    (["case-study", str(ELLA), "--rules", "current_2014", "--scenario", str(ELLA)],
     "child: this is a case-study file, not a scenario"),
    (["batch", SMALL], "local_authorities: this is a scenario, not a sweep"),
    (["bench", str(ELLA)], "child: this is a case-study file, not a benchmark network"),
])
def test_a_file_of_another_kind_is_named_in_one_line(args, words):
    """A case file given to `validate` gave 19 lines of "required field is missing" about a scenario; a scenario
    given to `case-study`, 25. The kind is plain from one top-level field (Ella's `child:` is on line 20)."""
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and words in r.stderr, r.stderr


def test_the_api_takes_a_start_date_as_text_as_the_cli_does():
    """`case_study(..., start_date="2031-01-06")` raised a TypeError deep in the run (the API's `until` already took
    text); now it is read as --start-date reads it, and a bad one is one line naming the argument."""
    from simulator.api import case_study

    r = case_study(ELLA.stem, rules=["current_2014"], replications=1, scenario="small_la_from_2024",
                   start_date="2031-01-06")
    assert r.summary["start_date"] == "2031-01-06" and r.summary["dates_moved_days"] == 4382
    with pytest.raises(InputError) as e:
        case_study(ELLA.stem, rules=["current_2014"], replications=1, start_date="6 January 2031")
    assert e.value.lines == ["start_date: '6 January 2031' is not a date (allowed: YYYY-MM-DD)"]


def test_the_case_report_gives_the_command_that_made_it(tmp_path, monkeypatch):
    """A case study run with --scenario and --start-date, and one from the user's own file: the report's method gave
    `sendsim case-study NAME --rules ... --runs --seed --out`, which runs a different child (the file's 2019 start on
    its own scenario) or finds no file at all. It now gives the flags and the file as given, and says the route's
    dates: 18 months = 548 days, so 2019-03-04 + 365 = 2020-03-03 (29 February 2020 between) + 183 = 2020-09-02."""
    import re

    from simulator.report.folder_reports import case_study_html

    monkeypatch.chdir(tmp_path)
    mine = _case(tmp_path, start_date=dt.date(2019, 3, 4))
    from simulator.api import case_study

    a = case_study(ELLA.stem, rules=["current_2014"], replications=1, scenario="small_la_from_2024",
                   start_date="2031-01-06").summary
    b = case_study(mine.name, rules=["current_2014"], replications=1).summary
    html = case_study_html([a, b], tmp_path / "cs")
    cmds = re.findall(r"sendsim case-study [^<]*", html)
    assert cmds[0] == (f"sendsim case-study {ELLA.stem} --rules current_2014 --scenario small_la_from_2024 "
                       "--start-date 2031-01-06 --runs 1 --seed 42 --out cs")
    assert cmds[1] == "sendsim case-study case.yaml --rules current_2014 --runs 1 --seed 42 --out cs"
    assert "The route read here: 6 January 2031 to 7 July 2032; the start was moved" in html
    assert "by +4,382 days" in html and "The route read here: 4 March 2019 to 2 September 2020." in html


def test_a_route_past_the_scenarios_end_says_so_and_refuses_dates_beyond_it(tmp_path):
    """A start on 1 December 2034 in a scenario ending 31 December 2035: the 18 months would end 1 June 2036, but the
    run stops after 395 days (13 months of 30.44 days); the text said the route ran to 2036 and a plan "not reached"
    looked like a wait. A move on 10 January 2036, after the scenario's end, would never happen: refused."""
    from simulator.report.tables import route_cut

    res = {"start_date": "2034-12-01", "route_end": "2036-06-01", "run_end": "2035-12-31"}
    assert route_cut(res).startswith("The scenario ends on 2035-12-31, before this route's 18 months (2034-12-01 to "
                                     "2036-06-01): the route is read over its first 13 months only")
    assert route_cut({**res, "run_end": "2036-12-31"}) == ""
    line = _one_line(tmp_path, scenario="small_la_from_2024", start_date=dt.date(2035, 6, 4),
                     existing_plan={"setting": "mainstream"}, authorities={"home": "Wandsworth", "host": "Lambeth"},
                     moves=[{"date": dt.date(2036, 1, 10), "to": "host"}])
    assert "moves[0].date: 2036-01-10 is after the route's end (allowed: a date from 2035-06-04 to 2035-12-31" in line


def test_a_shares_range_is_a_share_too(tmp_path):
    """A mix of shares (the s.39(4) refusal grounds: 0.3, 0.2, 0.5) with a stated range [0, 1e30] was valid: every
    other range is bounded by what its value may be, and a share is at most 1."""
    from click.testing import CliRunner

    from simulator.cli import main

    doc = yaml.safe_load(Path(SMALL).read_text())
    doc["naming"]["refusal_grounds"]["range"] = [0.0, 1e30]
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "naming.refusal_grounds: range [0.0, 1e+30] goes beyond what a share may be (allowed: at most 1)" in r.stderr


TARGETS = ROOT / "scenarios" / "targets" / "small_la.csv"


def _targets(tmp_path, text: str, raw: bytes = b""):
    from simulator.analysis.fit.backtest import load_targets

    p = tmp_path / "t.csv"
    p.write_bytes(raw + text.encode())
    return lambda: load_targets(p, dt.date(2019, 1, 1), dt.date(2020, 12, 31))


def test_a_targets_file_from_a_spreadsheet(tmp_path):
    """Saved as "CSV UTF-8" a file starts with a byte-order mark, which made the first column "\\ufeffmetric" and the
    file "missing column(s) metric" though it has it: the 9 targets of small_la.csv are read as without it. Saved
    with semicolons, the message says so. A row given twice counted twice; a negative tolerance was "malformed"."""
    text = TARGETS.read_text()
    assert len(_targets(tmp_path, text, b"\xef\xbb\xbf")()) == 9
    with pytest.raises(InputError) as e:
        _targets(tmp_path, text.replace(",", ";"))()
    assert e.value.lines == [f"{tmp_path / 't.csv'}:2: (header): the columns are separated by ';' (allowed: commas; "
                             "from a spreadsheet, save as CSV with commas)"]
    rows = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    with pytest.raises(InputError) as e:
        _targets(tmp_path, "\n".join([rows[0], rows[1], rows[2], rows[1]]) + "\n")()
    assert e.value.lines == [f"{tmp_path / 't.csv'}:4: period: initial_requests_for_assessment 2019 is given again "
                             "(first on line 2) (allowed: each metric and period once)"]
    with pytest.raises(InputError) as e:
        _targets(tmp_path, rows[0] + "\nnew_plans_issued,2019,250,,-5,relative,x,y\n")()
    assert e.value.lines == [f"{tmp_path / 't.csv'}:2: tolerance: got -5 (allowed: a finite number >= 0)"]


def test_a_resumed_comparison_is_byte_identical_to_an_uninterrupted_one(tmp_path):
    """Replications read back by --resume come from metrics.json, whose keys are sorted; fresh ones list their
    metrics in the registry's order and their groups as the group index makes them (capacity high, medium, low).
    The comparison's `contrasts` rows and `run --json` followed whichever came first, so a resume after Ctrl-C gave
    other bytes than an uninterrupted run, against the README's promise."""
    from click.testing import CliRunner

    from simulator.analysis.runs.compare import compare
    from simulator.cli import main

    def both(out, resume=False):
        compare(SMALL, "current_2014", "green_paper_2022", 2, 5, out, until=dt.date(2019, 2, 28), resume=resume)
        return (out / "compare.json").read_bytes()

    whole = both(tmp_path / "whole")
    both(tmp_path / "part")
    for rules in ("1-current_2014", "2-green_paper_2022"):  # as after an interruption: the second replication lost
        (tmp_path / "part" / rules / "replications" / "rep-001" / "metrics.json").unlink()
    assert both(tmp_path / "part", resume=True) == whole
    assert both(tmp_path / "part", resume=True) == whole  # every replication read back

    def run(*extra):
        args = ["-q", "run", SMALL, "-n", "2", "--until", "2019-02-28", "--workers", "1", "--no-events", "--json",
                "--more-groups", "--out", str(tmp_path / "run"), *extra]
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0, r.output
        return r.stdout

    assert run() == run("--resume")


SWEEP = ROOT / "scenarios" / "sweeps" / "mediation_settle_rates.yaml"


def _sweep_errors(tmp_path, **changes) -> list[str]:
    return sweep_refusal(tmp_path, lambda doc: doc.update(changes))


def test_a_sweeps_mistakes_are_one_line_each_at_their_own_field(tmp_path):
    """Held-out sweep files: a missing scenario and an `until` past it were said once per rule set, at the rules'
    lines; a reversed range came with pydantic's own names (`parameters.list[function-after[_ordered(),
    SweepParameter]][0]`) and a second line "Input should be 'all'"; a range past a probability's bound was a
    three-line pydantic dump. (Line numbers: yaml.safe_dump writes name, description, scenario on lines 1-7.)"""
    rng = [{"path": "scenario.redress.mediation_settles_probability", "range": [0.9, 0.5]}]
    assert _sweep_errors(tmp_path, parameters=rng) == ["18: parameters[0].range: [0.9, 0.5] (allowed: [low, high] with "
                                                      "low < high)"]
    errs = _sweep_errors(tmp_path, scenario="no_such_scenario")
    assert len(errs) == 1 and errs[0].startswith("7: scenario: no_such_scenario: file not found")
    errs = _sweep_errors(tmp_path, until="2099-01-01")
    assert errs == ["8: until: 2099-01-01 must fall after start_date 2019-01-01 and no later than 2020-12-31"]
    rng = [{"path": "scenario.redress.mediation_settles_probability", "range": [0.5, 1.9]}]
    errs = _sweep_errors(tmp_path, parameters=rng)
    assert len(errs) == 1 and "redress.mediation_settles_probability.value: got 1.9 (allowed: a fraction from 0 to " \
                               "1: a percentage, 1.9%, is written 0.019)" in errs[0] and "\n" not in errs[0]
    assert _sweep_errors(tmp_path, parameters="allx") == ["16: parameters: got 'allx' (allowed: a list or all)"]


def test_a_number_where_a_date_is_meant(tmp_path):
    """`start_date: 20190401` (a date typed without dashes) was "Datetimes provided to dates should have zero time -
    e.g. be exact dates", pydantic's words for a timestamp."""
    line = _one_line(tmp_path, start_date=20190401)
    assert line.endswith(": start_date: got 20190401 (allowed: a date written YYYY-MM-DD, e.g. 2019-09-01)")


def test_a_young_persons_own_request_fits_the_age_of_a_young_person(tmp_path):
    """shared/domain/timeline.md row 1: a request is made by the parent, the young person (16-25) or the school. A
    3-year-old "young person" requesting, and a request for someone of 25, both ran; a young person of 17 and a plan
    in force at 25 (ceasing at the end of that year) still do."""
    line = _one_line(tmp_path, start_date=dt.date(2019, 3, 4),
                     child={"age": 3.0, "requester": "young_person", "need": "SLD", "preferred": "mainstream"})
    assert "child.requester: young_person is for a young person over compulsory school age (16 to 25), not a " \
           "child of 3 (allowed: parent, school or other)" in line
    line = _one_line(tmp_path, start_date=dt.date(2019, 3, 4),
                     child={"age": 25.0, "requester": "young_person", "need": "SLD", "preferred": "post16"})
    assert "child.age: a request for a young person of 25 (allowed: under 25" in line
    yp = {"age": 17.0, "requester": "young_person", "need": "SLD", "preferred": "post16"}
    prepare_case(_case(tmp_path, start_date=dt.date(2019, 3, 4), child=yp))
    prepare_case(_case(tmp_path, start_date=dt.date(2019, 3, 4), existing_plan={"setting": "post16"},
                       child={**yp, "age": 25.0}))


def test_a_scenario_too_short_for_a_rolling_origin_says_so():
    """small_la runs 2019-2020: no year has one before it and one after it, and --origin 2019 was refused with
    "(allowed: 2020 to 2019: ...)", an empty range."""
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, ["backtest", "small_la", "--origin", "2019", "-n", "1"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "--origin: small_la runs 2019-2020, too short for a rolling origin (allowed: a scenario of at least " \
           "three calendar years" in r.stderr


def test_a_council_not_in_the_scenario_points_to_its_own_scenario(tmp_path):
    """`local_authority: Lambeth` on small_la (Wandsworth alone) said only "allowed: Wandsworth"; a forum volunteer
    with a case in their own council is pointed to the one council builder, and a typo to the name."""
    line = _one_line(tmp_path, start_date=dt.date(2019, 3, 4), local_authority="Lambeth")
    assert line.endswith("local_authority: 'Lambeth' is not in small_la (allowed: Wandsworth; or that council's own "
                         "scenario: `sendsim la-scenario --la \"Lambeth\"`, then `scenario:` the file it writes)")
    line = _one_line(tmp_path, start_date=dt.date(2019, 3, 4), local_authority="Lambeht")
    assert line.endswith("(allowed: Wandsworth; did you mean Lambeth?)")


def test_dates_move_with_the_start_when_the_file_starts_on_its_scenarios_first_day(tmp_path):
    """A plan in force with no start_date starts on its scenario's first day (small_la: 1 January 2019); its move on
    4 March 2019 is 62 days later. With --scenario small_la_from_2024 --start-date 2031-01-06 it moves to 62 days
    after 6 January 2031: 2031-03-09 (the shift is 2019-01-01 -> 2031-01-06, 12 years and 5 days: 4,388 days)."""
    p = _case(tmp_path, existing_plan={"setting": "mainstream"}, authorities={"home": "Wandsworth", "host": "Lambeth"},
              moves=[{"date": dt.date(2019, 3, 4), "to": "host"}])
    cr = prepare_case(p, "small_la_from_2024", dt.date(2031, 1, 6))
    assert cr.dates_moved_days == 4388 and cr.case.moves[0].date == dt.date(2031, 3, 9)


def test_every_file_a_comparison_and_a_batch_write_is_one_force_may_delete(tmp_path):
    """`folder.OWN_FILES` restates the names the writers use; if a writer adds a file and the list does not, `--force`
    would refuse a folder holding only sendsim's files. A comparison (two runs, charts) and a batch, as written now,
    must hold nothing `foreign_files` calls the user's."""
    import yaml
    from click.testing import CliRunner

    from simulator.analysis.runs.folder import foreign_files
    from simulator.cli import main

    cmp = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", SMALL, "--rules", "current_2014", "--rules", "green_paper_2022", "-n", "2",
                                  "--until", "2019-01-31", "--out", str(cmp)])
    assert r.exit_code == 0, r.stderr
    assert foreign_files(cmp, "comparison") == []
    sw = tmp_path / "sw.yaml"
    sw.write_text(yaml.safe_dump({"name": "t", "scenario": "small_la", "until": "2019-01-31", "rules": ["current_2014"],
                                  "replications": 1, "design": {"kind": "grid", "levels": 2},
                                  "parameters": [{"path": "scenario.tribunal.hearings_per_year", "range": [50, 400]}],
                                  "outputs": ["weeks_to_hearing_mean"]}))
    r = CliRunner().invoke(main, ["batch", str(sw), "--workers", "1", "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.stderr
    assert foreign_files(tmp_path / "b", "batch") == []
