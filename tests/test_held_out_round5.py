"""Held-out cases, fifth round: what a fifth round of trying found (new personas, bad files of every kind, a later
SEN2 release laid out otherwise, flags and signals). Each expected value is worked out by hand in its docstring.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, exit_and_err, one_refusal
from .test_held_out_round3 import _build_refused, _release

# ============================================================================ a later SEN2 release


def _wandsworth_2024_row(raw: bytes, column: str, value: str) -> bytes:
    """requests.csv with Wandsworth's (212) 2024 total row's `column` set to `value`."""
    rows = list(csv.reader(raw.decode().splitlines()))
    head = rows[0]
    at = [i for i, r in enumerate(rows) if i and r[0] == "2024" and r[head.index("old_la_code")] == "212"]
    rows[at[-1]][head.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_a_release_with_a_cell_longer_than_csv_reads_is_one_line(tmp_path, capsys):
    """A cell of 200,000 characters (a damaged download, or a note pasted into a name) stopped the build inside the
    csv module with a traceback (`_csv.Error: field larger than field limit (131072)`). Now one line naming the file
    and the line of the row (the header is line 1; the row is the file's last), exit 2, nothing written."""
    p = _release(tmp_path, lambda raw: _wandsworth_2024_row(raw, "la_name", "W" * 200_000))
    line = len(p.read_text().splitlines())
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}:{line}: not valid CSV: field larger than field limit (131072) (allowed: "), err


def test_a_column_named_twice_in_a_releases_header_is_named(tmp_path, capsys):
    """A header naming `requests_received_in_year` twice (a spreadsheet's column copied over another, here over
    `request_assess_pc`) was read through csv.DictReader, which keeps the last of the two: the build compared the
    refusals with a percentage and said "requests_decided_not_to_assess: got 33141, more than
    requests_received_in_year 67.3" of England's row, a figure the file never gave as requests. Now the header's
    line names the column and how often it appears."""
    def twice(raw: bytes) -> bytes:
        head, rest = raw.split(b"\n", 1)
        return head.replace(b"request_assess_pc", b"requests_received_in_year") + b"\n" + rest

    p = _release(tmp_path, twice)
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}:1: column requests_received_in_year is named 2 times in the header (allowed: "
                          "each column once"), err


def test_a_folder_where_a_releases_file_is_meant_is_named_as_a_folder(tmp_path, capsys):
    """requests.csv made a folder (an archive unpacked into a folder of that name) was "no such file", which sends
    the user looking for a missing file that is there. Now it is named as a folder."""
    p = _release(tmp_path)
    p.unlink()
    p.mkdir()
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}: is a folder, not a file (allowed: a folder holding DfE SEN2's "), err


# ============================================================================ scripts/build_plan_transfers.py


def _ceased_plans(tmp_path: Path, change) -> Path:
    """A copy of the SEN2 files build_plan_transfers reads, ceased_plans.csv changed by `change(bytes)`."""
    from .test_build_plan_transfers import FILES, SEN2

    data = tmp_path / "sen2"
    data.mkdir()
    for name in FILES:
        shutil.copy(SEN2 / name, data / name)
    p = data / "ceased_plans.csv"
    p.write_bytes(change(p.read_bytes()))
    return p


def _first_la_transfer(raw: bytes, column: str, value: str) -> tuple[bytes, int]:
    """ceased_plans.csv with the first authority row of 2023 (breakdown "All ceased EHC plans") given `value` in
    `column`; and that row's line."""
    rows = list(csv.reader(raw.decode().splitlines()))
    h = rows[0]
    i = next(i for i, r in enumerate(rows) if i and r[h.index("geographic_level")] == "Local authority"
             and r[0] == "2023" and r[h.index("breakdown")] == "All ceased EHC plans")
    rows[i][h.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(), i + 1


def _transfers_build(data: Path, out: Path, capsys) -> tuple[int, str]:
    from .test_build_plan_transfers import load_builder

    return exit_and_err(load_builder().main, ["--data", str(data), "--out", str(out)], capsys)


@pytest.mark.parametrize("value, says", [
    ("1,234", "transfer: got '1,234' (numbers are written without thousands separators) (allowed: a count from 0 to "
              "10,000,000, empty, or a suppression mark"),
    ("-50", "transfer: got '-50' (allowed: a count from 0 to 10,000,000"),
    ("NaN", "transfer: got 'NaN' (allowed: a count from 0 to 10,000,000"),
    ("1e20", "transfer: got '1e20' (allowed: a count from 0 to 10,000,000"),
    ("1_000", "transfer: got '1_000' (allowed: a count from 0 to 10,000,000"),
    ("+512", "transfer: got '+512' (allowed: a count from 0 to 10,000,000"),
    ("1e3", "transfer: got '1e3' (allowed: a count from 0 to 10,000,000"),
    ("infinity", "transfer: got 'infinity' (allowed: a count from 0 to 10,000,000"),
])
def test_a_later_ceased_plans_value_the_rates_cannot_take_is_one_line(tmp_path, capsys, value, says):
    """scripts/build_plan_transfers.py read ceased_plans.csv with float() and no check: "1,234" (a spreadsheet's
    thousands separator) and NaN were dropped as if suppressed, -50 and 1e20 built a negative rate and one of 1e16 per
    plan into plan_transfers.yaml, exit 0; "1_000", "+512" and "1e3" (Python's float() takes them; DfE never writes
    them) were read as 1000, 512 and 1000. Now each is one line naming the file, line and column, as
    build_scenarios.py names a release's cell, exit 2, and no file is written."""
    line = {}

    def change(raw: bytes) -> bytes:
        raw, line["n"] = _first_la_transfer(raw, "transfer", value)
        return raw

    p = _ceased_plans(tmp_path, change)
    code, err = _transfers_build(p.parent, tmp_path / "pt.yaml", capsys)
    assert code == 2 and err.startswith(f"error: {p}:{line['n']}: {says}"), err
    assert err.count("\n") == 1 and not (tmp_path / "pt.yaml").exists()


@pytest.mark.parametrize("kind, says", [
    ("latin1", ":108: byte 0xe9 is not UTF-8 text"),
    ("period", ":{n}: time_period: got '2023/24' (allowed: a calendar year, e.g. 2023)"),
    ("renamed", ":1: no column transfer (allowed: SEN2's header, which names it"),
    ("short_row", ":10305: the row has 3 fields, the header 23"),
    ("row_twice", ":10305: the row repeats line 10304"),
    ("folder", ": is a folder, not a file (allowed: DfE SEN2's ceased_plans.csv"),
])
def test_a_later_ceased_plans_damaged_is_one_line_not_a_traceback(tmp_path, capsys, kind, says):
    """The same script on a damaged ceased_plans.csv: Latin-1 text (UnicodeDecodeError), a period "2023/24"
    (ValueError from int()), the column `transfer` renamed (KeyError), a short row (AttributeError on None) and a folder
    of that name (IsADirectoryError) were tracebacks; the last row given twice was read twice without a word. Line
    108 holds the first "Wandsworth", 10304 is the file's last row (10,304 lines in all)."""
    line = {"n": 0}

    def change(raw: bytes) -> bytes:
        if kind == "latin1":
            return raw.replace(b"Wandsworth", "Wandsw\xe9rth".encode("latin-1"))
        if kind == "period":
            raw, line["n"] = _first_la_transfer(raw, "time_period", "2023/24")
            return raw
        if kind == "renamed":
            head, rest = raw.split(b"\n", 1)
            return head.replace(b"transfer", b"transferred") + b"\n" + rest
        if kind == "short_row":
            return raw + b"2023,Calendar year,Local authority\n"
        if kind == "row_twice":
            return raw + raw.splitlines(keepends=True)[-1]
        return raw

    p = _ceased_plans(tmp_path, change)
    assert len(p.read_bytes().splitlines()) >= 10304
    if kind == "folder":
        p.unlink()
        p.mkdir()
    code, err = _transfers_build(p.parent, tmp_path / "pt.yaml", capsys)
    assert code == 2 and err.startswith(f"error: {p}{says.format(n=line['n'])}"), err
    assert err.count("\n") == 1 and "Traceback" not in err and not (tmp_path / "pt.yaml").exists()


def test_plan_transfers_out_into_a_new_folder_or_onto_a_folder(tmp_path, capsys):
    """`--out` in a folder that does not exist yet was FileNotFoundError (the build ran, then failed to write); `--out`
    naming a folder was IsADirectoryError after the whole build. Now the first makes the folder and writes the same
    bytes as the shipped file (SEN2 unchanged), the second is refused in one line before anything is read."""
    from .test_build_plan_transfers import SEN2

    out = tmp_path / "new" / "sub" / "pt.yaml"
    code, _err = _transfers_build(SEN2, out, capsys)
    assert code == 0 and out.read_bytes() == (ROOT / "scenarios" / "plan_transfers.yaml").read_bytes()
    assert [p.name for p in out.parent.iterdir()] == ["pt.yaml"]  # no temporary file left beside it
    code, err = _transfers_build(SEN2, tmp_path / "new", capsys)
    assert code == 2 and err == (f"error: {tmp_path / 'new'}: is a folder (allowed: --out FILE, the plan-transfers "
                                 f"file to write, e.g. {tmp_path / 'new' / 'plan_transfers.yaml'}) (nothing was "
                                 "written)\n")


# ============================================================================ case-study files that cannot mean a route


def _case(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "case.yaml"
    p.write_text("name: held_out\ntitle: T\nsummary: S\nsources: [x]\nscenario: small_la\n" + body)
    return p


def _case_refused(p: Path) -> str:
    from simulator.analysis.runs.case_study import prepare_case

    return one_refusal(prepare_case, p)


def test_a_phase_transfer_pin_for_a_child_with_no_transfer_in_the_route_is_refused(tmp_path):
    """`pinned: {phase_transfer: late}` for a child of 8 with a plan on 2019-03-04: born about 2011-03-04, she is 11 on
    1 September 2022, when she enters Year 7; its deadline (15 February 2022) is long after the route's 18 months
    (to 2020-09-02). The case ran, its output saying "Fixed for this child in every run: phase transfer: late", and no
    transfer happened. Now refused on the pin's line (line 9). A child of 10.2 on 2019-03-04 (born about 2008-12-22,
    11.69 on 1 September 2020: Year 7 then, its deadline 15 February 2020 in the route) keeps the pin."""
    plan = "start_date: 2019-03-04\nexisting_plan: {setting: mainstream}\n"
    p = _case(tmp_path, plan + "child: {age: 8.0}\npinned: {phase_transfer: late}\n")
    assert _case_refused(p) == (
        f"{p}:9: pinned.phase_transfer: no phase transfer falls in the route (2019-03-04 to 2020-09-02) of a child of "
        "8; the next enters Year 7 on 2022-09-01 (allowed: no phase_transfer pin, or a start with --start-date or "
        "start_date whose 18 months reach the transfer deadline)")
    from simulator.analysis.runs.case_study import prepare_case

    p = _case(tmp_path, plan + "child: {age: 10.2}\npinned: {phase_transfer: late}\n")
    assert prepare_case(p).case.pinned.phase_transfer == "late"


def test_an_education_spell_ending_before_the_start_is_refused(tmp_path):
    """`education: {arrangement: hospital, until: 2018-01-01}` with no `since` on a route from 2019-03-04: the spell
    begins on the start, so it ended before it began; the case ran, "educated in hospital to 2018-01-01", admitted and
    discharged in week 0. Now refused on the line of `education` (line 8; until is inside its flow mapping)."""
    p = _case(tmp_path, "start_date: 2019-03-04\nexisting_plan: {setting: mainstream}\n"
                        "education: {arrangement: hospital, until: 2018-01-01}\nchild: {age: 9.0}\n")
    line = _case_refused(p)
    assert line == (f"{p}:8: education.until: 2018-01-01 is not after start_date 2019-03-04, when the arrangement "
                    "begins (no since given) (allowed: a date after 2019-03-04)"), line


@pytest.mark.parametrize("reason", ["employment", "higher_education", "left_education"])
def test_a_young_persons_reason_to_cease_for_a_child_is_refused(tmp_path, reason):
    """`cessation: {reason: employment}` for a child of 8 ran, the plan ceased at the first review "for employment".
    Employment, higher education and leaving education end the plan of a young person (over compulsory school age:
    15.5 here, as a young person's request); a child of compulsory school age has none of them (a child educated at
    home keeps the plan, CFA s.42(5)). A young person of 17 may still have each."""
    from simulator.analysis.runs.case_study import prepare_case

    body = f"start_date: 2019-03-04\nexisting_plan: {{setting: mainstream}}\ncessation: {{reason: {reason}}}\n"
    line = _case_refused(_case(tmp_path, body + "child: {age: 8.0}\n"))
    assert f"cessation.reason: {reason} is a young person's (over compulsory school age), not a child of 8's" in line
    ok = _case(tmp_path, body.replace("mainstream", "post16") + "child: {age: 17.0, preferred: post16}\n")
    assert prepare_case(ok).case.cessation.reason == reason


# ============================================================================ flags: a shipped name of another kind


@pytest.mark.parametrize("args, says", [
    (["batch", "small_la"], "small_la is a scenario (sendsim run small_la)"),
    (["case-study", "small_la", "--rules", "current_2014"], "small_la is a scenario (sendsim run small_la)"),
    (["bench", "small_la"], "small_la is a scenario (sendsim run small_la)"),
    (["run", "mediation_settle_rates"], "mediation_settle_rates is a sweep (sendsim batch mediation_settle_rates)"),
    (["run", "current_2014"], "current_2014 is a rule set (--rules current_2014)"),
])
def test_a_shipped_name_of_another_kind_is_said_as_such(tmp_path, monkeypatch, args, says):
    """`sendsim batch small_la` said "small_la: file not found (did you mean small_la or small_la_from_2024 or
    morris_green_paper_small_la ...?)": it suggested the very name typed; `case-study small_la` said only "file not
    found". A bare name that is exactly a shipped file of another kind now says what it is and the command that
    takes it, in one line, exit 2 (run from an empty folder, so no file of that name is there)."""
    from click.testing import CliRunner

    from simulator.cli import main

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert r.stderr == f"error: {args[1]}: file not found ({says}, not a file this command reads)\n", r.stderr


# ============================================================================ a rule set's blank words


@pytest.mark.parametrize("where, says", [
    (("timeline", "plan_end", "reference"), "is blank: say where the figure comes from"),
    (("timeline", "plan_end", "label"), "is blank (allowed: words that say what it is"),
    (("accountability", "steps", "sen_support", "label"), "is blank (allowed: words that say what it is"),
    (("accountability", "steps", "sen_support", "reference"), "is blank: say where the figure comes from"),
    (("label",), "is blank (allowed: words that say what it is"),
])
def test_a_blank_label_or_reference_in_a_rule_set_is_refused(tmp_path, where, says):
    """A rule set beside a scenario (`rules/current_2014.yaml`) with `reference: ""` on a parameter, a blank label
    or a blank map step: read as given, exit 0, shown as an empty cell in `rules show`, the map and the what-changed
    table, though a blank `source` was refused (round four). Now each is one line naming the file, line and field.
    The scenario is a copy of small_la beside the copied rule set."""
    import shutil

    import yaml

    from simulator.rules.scenario import load_scenario
    from simulator.schema.files import InputError

    (tmp_path / "rules").mkdir()
    shutil.copy(ROOT / "scenarios" / "small_la.yaml", tmp_path / "s.yaml")
    shutil.copy(ROOT / "scenarios" / "plan_transfers.yaml", tmp_path / "plan_transfers.yaml")
    doc = yaml.safe_load((ROOT / "scenarios" / "rules" / "current_2014.yaml").read_text())
    node = doc
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = "  "
    (tmp_path / "rules" / "current_2014.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as e:
        load_scenario(tmp_path / "s.yaml")
    assert len(e.value.lines) == 1, e.value.lines
    assert f": {'.'.join(where)}: {says}" in e.value.lines[0], e.value.lines[0]


@pytest.mark.parametrize("args", [["-q", "validate", "small_la", "-v"], ["validate", "small_la", "-v", "--quiet"],
                                  ["--verbose", "-q", "validate", "small_la"]])
def test_quiet_and_verbose_together_is_one_line(args):
    """-q and -v together printed progress (the later flag silently won, so `-q ... -v` was not quiet). Now a usage
    error naming both, exit 2, as any other contradictory flags."""
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert err.strip().count("\n") == 0 and "-q/--quiet and -v/--verbose were both given" in err, err


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_authority_name_in_the_plan_transfers_file_is_refused(tmp_path, blank):
    """An authority's `name: ''` in the plan-transfers file was accepted (ihard5's leftover) and shown as an empty
    cell where moves name their authorities; a blank name is refused in one line naming the file and the field, as
    a blank label or source is."""
    from .conftest import refused_line, scenario_copy

    path = scenario_copy(tmp_path)
    pt = tmp_path / "plan_transfers.yaml"
    doc = yaml.safe_load(pt.read_text())
    code = next(iter(doc["authorities"]))
    doc["authorities"][code]["name"] = blank
    pt.write_text(yaml.safe_dump(doc, sort_keys=False))
    line = refused_line(path)
    assert str(pt) in line and f"authorities.{code}.name" in line and "blank" in line, line
