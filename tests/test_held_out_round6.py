"""Held-out cases, sixth round: what a sixth round of trying found (a later SEN2 release with another country's rows,
a council of a dozen requests in the report, a child whose council was reorganised). Each expected value is worked
out by hand in its docstring.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from .test_held_out_round3 import _build_refused, _release
from .test_held_out_round5 import _ceased_plans, _transfers_build

# ============================================================================ a later SEN2 release


def _with_another_country(raw: bytes, country: str, name: str, code: str) -> tuple[bytes, int]:
    """The file with a copy of its first authority row appended as `name`'s row in `country` (its ONS `code`): a
    Welsh or Scottish authority's figures pasted into DfE's file. Returns the file and the new row's line."""
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    head = rows[0]
    first = next(r for r in rows[1:] if r[head.index("geographic_level")] == "Local authority")
    new = list(first)
    new[head.index("country_code")], new[head.index("country_name")] = country, name.split(":")[0]
    new[head.index("new_la_code")], new[head.index("old_la_code")] = code, "660"
    new[head.index("la_name")] = name.split(":")[-1]
    rows.append(new)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(), len(rows)


def test_a_welsh_authoritys_row_in_a_later_release_is_one_line(tmp_path, capsys):
    """A release with a Welsh authority's row (country_code W92000004, Wales; ONS code W06000001, Isle of Anglesey)
    was built as one more English council: england.yaml had 6 authorities instead of 5, england_by_la.csv 180
    figures instead of 150, and the Isle of Anglesey became small_la_from_2025, the median authority, exit 0. SEN2
    counts England's authorities only, under the CFA 2014 (Wales's additional learning needs are the ALN Act 2018).
    Now one line naming the file, the row's line (the header is line 1, the new row the file's last) and the
    column, exit 2, nothing written."""
    line = {}

    def change(raw: bytes) -> bytes:
        raw, line["n"] = _with_another_country(raw, "W92000004", "Wales:Isle of Anglesey", "W06000001")
        return raw

    p = _release(tmp_path, change)
    err = _build_refused(tmp_path, capsys)
    assert err == (f"error: {p}:{line['n']}: country_code: got 'W92000004' (Wales) (allowed: E92000001, England: "
                   "SEN2 counts England's authorities only, under the Children and Families Act 2014)\n"), err


def test_an_english_row_with_a_scottish_authoritys_code_is_one_line(tmp_path, capsys):
    """A row that says England (E92000001) but carries a Scottish council's ONS code (S12000033, Aberdeen City) was
    read as an English council too. An English authority's code starts E (E06, E08, E09, E10): one line, exit 2."""
    line = {}

    def change(raw: bytes) -> bytes:
        raw, line["n"] = _with_another_country(raw, "E92000001", "England:Aberdeen City", "S12000033")
        return raw

    p = _release(tmp_path, change)
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}:{line['n']}: new_la_code: got 'S12000033' (allowed: an English authority's "
                          "ONS code, E06, E08, E09 or E10 then six digits, e.g. E09000032"), err


def test_the_plan_transfers_build_refuses_a_welsh_row_too(tmp_path, capsys):
    """scripts/build_plan_transfers.py reads ceased_plans.csv through the same check: a Welsh row there is the same
    one line, and plan_transfers.yaml is not written."""
    line = {}

    def change(raw: bytes) -> bytes:
        raw, line["n"] = _with_another_country(raw, "W92000004", "Wales:Isle of Anglesey", "W06000001")
        return raw

    p = _ceased_plans(tmp_path, change)
    code, err = _transfers_build(p.parent, tmp_path / "pt.yaml", capsys)
    assert code == 2 and err.startswith(f"error: {p}:{line['n']}: country_code: got 'W92000004' (Wales)"), err
    assert err.count("\n") == 1 and not (tmp_path / "pt.yaml").exists()


# ============================================================================ the report for a tiny council


@pytest.mark.parametrize("key, den, mean, want", [
    ("within_20_weeks_pct", "new_plans", 15.33, True),  # a dozen requests a year: 15.3 new plans in two years
    ("weeks_to_final_plan_median", "new_plans", 15.33, True),
    ("weeks_to_provision_median", "new_plans", 19.99, True),
    ("weeks_to_final_plan_median", "new_plans", 20.0, False),  # SMALL_COUNT is 20: 20 is not under it
    ("weeks_dispute_to_end_median", "disputes_ended", 3.0, True),
    ("weeks_to_hearing_median", "appeals_registered", 2.0, True),
    ("weeks_to_final_plan_median", "new_plans", 412.0, False),  # small_la: hundreds of plans a run
])
def test_a_median_or_share_of_so_few_plans_is_said_to_be_small_numbers(key, den, mean, want):
    """The report's summary marks an effect on counts under 20 a run "Small numbers (under 20 a run): read with
    care" (README), and a share of so few disputes. A council of a dozen requests a year (la-scenario --name with
    --requests-per-year 12, 2023-2024, 3 runs: 15.3 new plans a run) had its weeks to a final plan (20.4), weeks to
    provision (25.2) and % within 20 weeks (52.9%) said without it: each of the 15 plans moves the % by 6.5 points.
    Now a median, mean or share of weeks is small numbers when the cases it is taken over (new plans, disputes ended,
    appeals registered) are under 20 a run under both rule sets."""
    from simulator.report.summary import effect_sentence, small

    m = {den: {"a": {"mean": mean}, "b": {"mean": mean}},
         key: {"a": {"mean": 20.4}, "b": {"mean": 20.4}, "diff": 0.0, "diff_ci95": [0.0, 0.0]}}
    assert small(key, m, "a", "b") is want
    said = effect_sentence(key, m[key], "a", "b", "Current law", "White Paper", 2.0, small(key, m, "a", "b"))
    assert said.endswith("Small numbers (under 20 a run): read with care.") is want, said


# ============================================================================ a child whose council was reorganised


def _case(tmp_path, **fields) -> Path:
    import yaml

    doc = {"name": "nia", "title": "Nia, 12", "summary": "A request in a reorganised council.", "sources": ["SEN2"],
           "scenario": "england", "start_date": "2021-02-01",
           "child": {"age": 12.0, "requester": "parent", "need": "ASD", "capacity": "medium"}}
    doc.update(fields)
    p = tmp_path / "nia.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


@pytest.mark.parametrize("fields, says", [
    ({"local_authority": "North Northamptonshire"},
     "local_authority: 'North Northamptonshire' is not in england: england keeps Northamptonshire as one authority "
     "with its successors' figures summed (North Northamptonshire and West Northamptonshire replaced it on 1 April "
     "2021, the Northamptonshire (Structural Changes) Order 2020) (did you mean Northamptonshire?) (allowed: "
     "Northamptonshire, or the scenario from January 2024, england_from_2024, which names North Northamptonshire)"),
    ({"local_authority": "Northamptonshire", "scenario": "england_from_2024", "start_date": "2024-03-04"},
     "local_authority: 'Northamptonshire' is not in england_from_2024: North Northamptonshire and West "
     "Northamptonshire replaced it on 1 April 2021 (the Northamptonshire (Structural Changes) Order 2020) (allowed: "
     "the one the child lives in, North Northamptonshire or West Northamptonshire)"),
    ({"local_authority": "Poole"},
     "local_authority: 'Poole' is not in england: Bournemouth, Christchurch and Poole replaced it on 1 April 2019 "
     "(allowed: Bournemouth, Christchurch and Poole)"),
    ({"scenario": "small_la", "start_date": "2019-09-02", "authorities": {"home": "Wandsworth", "host": "Cumberland"},
      "moves": [{"date": "2019-12-02", "to": "host"}], "existing_plan": {"setting": "mainstream"}},
     "authorities: 'Cumberland' is neither in the scenario nor among England's authorities in england (from 2019): "
     "england keeps Cumbria as one authority with its successors' figures summed (Cumberland and Westmorland and "
     "Furness replaced it on 1 April 2023, the Cumbria (Structural Changes) Order 2022) (did you mean Cumbria?) "
     "(allowed: Cumbria, or the scenario from January 2024, england_from_2024, which names Cumberland)"),
])
def test_a_council_named_as_it_was_before_or_after_a_reorganisation_says_which_to_name(tmp_path, fields, says):
    """North Northamptonshire in the 2019-2025 England scenario was "not in england (... did you mean
    Northamptonshire or North Yorkshire or North East Lincolnshire?)", with no word that the scenario keeps the
    January 2019 council, its two successors' figures summed; Northamptonshire in england_from_2024 (the councils of
    January 2024) and Poole (part of Bournemouth, Christchurch and Poole since 1 April 2019, before any scenario's
    figures) were the same guess. Now the one line says which council replaced which, when, and what to write."""
    from simulator.analysis.runs.case_study import prepare_case
    from simulator.schema.files import InputError

    p = _case(tmp_path, **fields)
    key = says.split(":")[0]
    line = next(i for i, ln in enumerate(p.read_text().splitlines(), 1) if ln.startswith(f"{key}:"))
    with pytest.raises(InputError) as e:
        prepare_case(p)
    assert e.value.lines == [f"{p}:{line}: {says}"], e.value.lines


def test_a_child_of_a_council_replaced_during_or_before_the_route_is_told_so():
    """A child of Northamptonshire whose request is made on 1 February 2021 was run and shown as that council's to
    August 2022 without a word that North and West Northamptonshire replaced it on 1 April 2021 (the route runs 547
    days: 1 February 2021 + 547 days = 2 August 2022, after 1 April 2021); a child of Cumbria from 1 May 2023 the
    same, a month after Cumbria ended. Now the case says when the council was replaced, that the scenario keeps it as
    one (its successors' figures summed) and that the duties then fall to the successor the child lives in. A route
    that ends before the reorganisation (Cumbria, 2 September 2019 to March 2021; replaced 1 April 2023), and a
    council never reorganised, say nothing."""
    import datetime as dt

    from simulator.analysis.runs.case_authorities import reorganised_note

    d = dt.date
    during = reorganised_note(["Northamptonshire"], d(2021, 2, 1), d(2021, 2, 1) + dt.timedelta(days=547))
    assert during.startswith("Northamptonshire was replaced by North Northamptonshire and West Northamptonshire on "
                             "1 April 2021 (the Northamptonshire (Structural Changes) Order 2020), during this route: "
                             "the scenario keeps Northamptonshire as one authority, its successors' figures summed, "
                             "so from 1 April 2021 the duties shown as Northamptonshire's fall to whichever of the two "
                             "the child lives in"), during
    assert during.endswith("The projection from the January 2024 caseload names the councils as they are now.")
    assert "_" not in during  # no code name in the case's words (the scenario's file name is not one)
    before = reorganised_note(["Cumbria"], d(2023, 5, 1), d(2024, 10, 29))
    assert before.startswith("Cumbria was replaced by Cumberland and Westmorland and Furness on 1 April 2023 (the "
                             "Cumbria (Structural Changes) Order 2022), before this route began (1 May 2023)"), before
    assert reorganised_note(["Cumbria"], d(2019, 9, 2), d(2021, 3, 2)) is None
    assert reorganised_note(["Wandsworth", "Lambeth"], d(2021, 2, 1), d(2022, 8, 2)) is None
    # the day itself: a route ending on 31 March 2021 is before it, one ending on 1 April 2021 reaches it
    assert reorganised_note(["Northamptonshire"], d(2020, 1, 6), d(2021, 3, 31)) is None
    assert reorganised_note(["Northamptonshire"], d(2020, 1, 6), d(2021, 4, 1)) is not None


def test_the_case_text_and_report_print_the_reorganisation(tmp_path):
    """The note is printed by the case-study text (as the calendar's and the disputes' notes are) and by the case
    report (Ella's shipped result with a note added: the printers read the key, whatever the case)."""
    import json

    from simulator.report.folder_reports import case_study_html
    from simulator.report.tables import format_case

    from .conftest import ROOT

    res = json.loads((ROOT / "tests/golden/small_la/case-ella_family_moves_plan_transfers.json").read_text())
    res.pop("chart", None)
    res["reorganised"] = "Cumbria was replaced by Cumberland and Westmorland and Furness on 1 April 2023."
    assert res["reorganised"] in format_case(res).splitlines()
    assert f"<p class=meta>{res['reorganised']}</p>" in case_study_html([res], tmp_path)


@pytest.mark.parametrize("given, old, code", [("North Northamptonshire", "Northamptonshire", "928"),
                                              ("940", "Northamptonshire", "928"),
                                              ("westmorland and furness", "Cumbria", "909")])
def test_la_scenario_for_a_successor_council_says_which_council_holds_its_figures(given, old, code):
    """`la-scenario --la "North Northamptonshire"` (or its DfE code 940) said "matches no local authority (did you
    mean Northamptonshire or North Yorkshire ...?)", and 940 had no hint at all: the 2019-2025 England scenario keeps
    the January 2019 council, its successors' figures summed. Now the line names the council and its code."""
    import yaml

    from simulator.analysis.fit.la_scenario import find_authority
    from simulator.schema.files import InputError

    from .conftest import ROOT

    england = yaml.safe_load((ROOT / "scenarios/england.yaml").read_text())
    with pytest.raises(InputError) as e:
        find_authority(england, given)
    assert len(e.value.lines) == 1
    assert e.value.lines[0].startswith(f"--la: {given!r} is not in england, which keeps {old} ({code}) as one "
                                       "authority with its successors' figures summed ("), e.value.lines
    assert e.value.lines[0].endswith(f"(allowed: {old} or {code}; the web page's list starts each successor from "
                                     "its own January 2024 caseload)"), e.value.lines


# ============================================================================ a phase transfer's deadline


@pytest.mark.parametrize("case, due, said", [("phase_transfer_year6", "by 02-15 (MM-DD)", "by 15 February"),
                                              ("zara_year11_to_college_31_march", "by 03-31 (MM-DD)", "by 31 March")])
def test_the_setting_named_at_a_phase_transfer_carries_the_transfers_deadline(case, due, said):
    """Riley (Year 6, plan in force, 1 January 2019): the plan must name the secondary school by 15 February 2019
    (reg 18); the route's "Setting named" step, at week 6.4 (1 January + 44.8 days = 14 February), was shown with a
    deadline of "20 weeks", a new plan's, which would have fallen on 21 May. Zara (Year 11 to college): by 31 March.
    Now the step carries the transfer's own deadline, and the text writes it in words ("by 15 February", not the rule
    set's "by 02-15 (MM-DD)"). A setting named after the family's comments on a new draft keeps the 20 weeks."""
    from simulator.api import case_study
    from simulator.report.tables import format_case

    res = case_study(case, rules=["current_2014"], replications=5).summary
    steps = res["results"][0]["steps"]
    after = [(steps[i - 1]["step"], s["deadline"]) for i, s in enumerate(steps) if s["step"] == "name_setting"]
    assert after and all(d == (due if prev == "phase_transfer" else "20 weeks") for prev, d in after), after
    assert ("phase_transfer", due) in after
    text = format_case(res)
    assert said in text and "(MM-DD)" not in text


def test_a_suppressed_january_total_keeps_the_plans_outside_the_named_settings(tmp_path, capsys):
    """Wandsworth's January 2025 total plans (`ehcplans`) suppressed ("c") in a later release, its settings given:
    the forward scenario took its plans outside the named settings (other arrangements, education elsewhere, not in
    education) as 0 without a word (stock_other 0 instead of 477 in the synthetic release). Now they are taken at
    its latest earlier January's share, and the scenario says so. Worked by hand from the shipped caseload.csv,
    Wandsworth January 2024: total 2,988; in the named settings 2,865 (mainstream_total + special_la_maintained +
    special_academy_free + special_independent + special_non_maintained + fe_total + ap_pru_total); outside them
    123 = 4.3% of 2,865. The synthetic January 2025 keeps January 2024's settings, so 4.3% of 2,865 = 123 again."""
    import yaml

    from .test_build_years import load_builder

    def change(d: Path) -> None:
        p = d / "caseload.csv"
        rows = list(csv.reader(p.read_text().splitlines()))
        head = rows[0]
        for r in rows[1:]:
            if r[0] == "202425" and r[head.index("old_la_code")] == "212" and r[head.index("breakdown")].startswith(
                    "All"):
                r[head.index("ehcplans")] = "c"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        p.write_text(out.getvalue())

    _release(tmp_path, whole=True)
    change(tmp_path / "sen2")
    load_builder().main(["--data", str(tmp_path / "sen2"), "--out", str(tmp_path / "out")])
    doc = yaml.safe_load((tmp_path / "out" / "england_from_2025.yaml").read_text())
    assert ("Wandsworth: January 2025 total plans suppressed, plans outside the named settings taken at its January "
            "2024 share (4.3% of those in them: 123)") in doc["description"]
    la = next(x for x in doc["local_authorities"]["items"] if x["code"] == "212")
    named = sum(v for k, v in la.items() if k.startswith("stock_") and k not in ("stock_other", "stock_age"))
    # start_stock takes January's new plans off every setting in proportion: the share outside stays 4.3%
    assert la["stock_other"] / named == pytest.approx(123 / 2865, abs=0.002), (la["stock_other"], named)


# ============================================================================ a targets file, and backtest -q


@pytest.mark.parametrize("old, new, line, says", [
    ("requests_refused_pct,2019,16.7064", "requests_refused_pct,2019,116.7", 4,
     "value: got 116.7 for requests_refused_pct (allowed: a percentage from 0 to 100)"),
    ("initial_requests_for_assessment,2019,419.0", "initial_requests_for_assessment,2019,-5", 3,
     "value: got -5 for initial_requests_for_assessment (allowed: a count from 0 to 1,000,000,000)"),
    ("new_plans_issued,2019,250.0", "new_plans_issued,2019,1e12", 5,
     "value: got 1e12 for new_plans_issued (allowed: a count from 0 to 1,000,000,000)"),
])
def test_an_official_figure_no_count_or_percentage_can_be_is_refused(tmp_path, old, new, line, says):
    """small_la's targets with 116.7% of requests refused (a typing slip for 16.7), -5 requests or 1e12 new plans
    ran the whole backtest and reported "targets missed ... (exit code 3)", as if the model were wrong. An official
    figure is a count (0 or more) or a percentage (0 to 100): now one line naming the file, line and field, before
    anything runs. (The header is line 2, after the file's comment line: the first target is line 3.)"""
    from simulator.analysis.fit.backtest import load_targets

    from .conftest import ROOT, one_refusal

    src = (ROOT / "scenarios/targets/small_la.csv").read_text()
    assert old in src
    p = tmp_path / "t.csv"
    p.write_text(src.replace(old, new))
    import datetime as dt

    said = one_refusal(lambda f: load_targets(f, dt.date(2019, 1, 1), dt.date(2020, 12, 31)), p)
    assert said == f"{p}:{line}: {says}", said


def test_backtest_quiet_prints_no_progress_lines(tmp_path):
    """`sendsim -q backtest small_la` (and `backtest -q`, and `backtest --origin -q`) printed its "[08:07:00]
    backtest small_la: 9 targets ..." and "replication 1/1 done" lines: -q is "no progress lines (results and errors
    only)" on every command, and backtest had its own printer. Now its stderr holds only the missed-targets line."""
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "simulator.cli", "-q", "backtest", "small_la", "-n", "1"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 3, p.stderr
    assert p.stderr.startswith("targets missed: ") and p.stderr.count("\n") == 1, p.stderr
    p = subprocess.run([sys.executable, "-m", "simulator.cli", "backtest", "small_la", "-n", "1"],
                       capture_output=True, text=True, timeout=300)
    assert "replication 1/1 done" in p.stderr, p.stderr


# ============================================================================ a council with no plans at all


def test_the_report_of_a_council_with_no_requests_and_no_plans_prints_no_python_warning(tmp_path):
    """A council with no requests and no plans in force (small_la with every stock 0 and 0 requests a year, named
    "King's Lynn & Ōtautahi") compared under current law and the Green Paper: `sendsim report` printed matplotlib's
    "UserWarning: No artists with labels found to put in legend" twice, with the path and line of the chart code, on
    its stderr (and the web page's job on the server's). Now a chart with nothing labelled draws no legend, the
    report is written and no warning is raised."""
    import warnings

    from simulator.api import compare
    from simulator.report.folder_reports import report_for

    from .conftest import scenario_copy

    def zero(doc: dict) -> None:
        la = doc["local_authorities"]["items"][0]
        la["name"] = "King's Lynn & Ōtautahi"
        for k in list(la):
            if k.startswith("stock_") and k != "stock_age":
                la[k] = 0
        la.pop("stock_age", None)
        la["requests_per_year"] = 0.0
        la["requests_by_year"] = {y: 0.0 for y in la.get("requests_by_year", {})}

    p = scenario_copy(tmp_path, edit=zero)
    out = tmp_path / "cmp"
    compare(str(p), rules=["current_2014", "green_paper_2022"], replications=2, out=str(out), workers=1,
            until="2019-06-30")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text, _what = report_for(out)
    assert "King&#x27;s Lynn &amp; Ōtautahi" in text or "King's Lynn &amp; Ōtautahi" in text


# ============================================================================ Ctrl-C while a build checks its files


@pytest.mark.parametrize("script, out", [("build_scenarios.py", "built"), ("build_plan_transfers.py", "pt.yaml")])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_ctrl_c_while_a_build_loads_or_checks_its_files_is_one_line(tmp_path, script, out, sig):
    """Ctrl-C (or SIGTERM) in the first seconds of `python scripts/build_scenarios.py` or
    `scripts/build_plan_transfers.py`, while they import their modules and check every SEN2 cell (before
    build_scenarios makes its staging folder), printed Python's KeyboardInterrupt traceback (build_plan_transfers at
    any time: it had no handler at all). Now one line, exit 128 + the signal, and nothing written."""
    import signal
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    def default():
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / script), "--out", str(tmp_path / out)],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=default)
    time.sleep(1.0)  # its modules loaded, its checks under way (each build takes 4-6 s)
    proc.send_signal(getattr(signal, sig))
    _out, err = proc.communicate(timeout=60)
    name = "Ctrl-C" if sig == "SIGINT" else sig
    assert proc.returncode == 128 + getattr(signal, sig), err
    assert err == f"interrupted ({name}): nothing was written; run the same command again\n", err
    assert not (tmp_path / out).exists()
    assert not [p for p in tmp_path.iterdir()], list(tmp_path.iterdir())
