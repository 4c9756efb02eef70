"""Held-out cases, ninth round: what a ninth round of trying found (a reg 15 transfer after a review whose next
falls past the run's end, the case text's "lapsed", a probability's years and the messages of a range and of
shares; and new personas whose dates are worked by hand). Each expected value is worked out by hand in its
docstring, from the statute and the project's calendar, never copied from the program's output.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import refused_line, scenario_copy


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)


def _one_line(p: subprocess.CompletedProcess, code: int = 2) -> str:
    err = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode == code and len(err) == 1 and "Traceback" not in p.stderr, (p.returncode, p.stderr)
    return err[0]


def _rows(tmp_path: Path, text: str, seed: int = 3):
    """One run of a case file's child: its event rows, the child, and a function from a date to the run's day."""
    from simulator.analysis.runs.case_study import prepare_case, run_case_child

    f = tmp_path / "persona.yaml"
    f.write_text(textwrap.dedent(text))
    cr = prepare_case(f)
    rows, child = run_case_child(cr.case, cr.loaded, cr.la, cr.start, seed, 0)
    start = cr.loaded.scenario.start_date
    return rows, child, (lambda y, m, d: float((dt.date(y, m, d) - start).days))


# ============================================================================ reg 15: the later-of rule after a review

MOVER = """\
    name: mover_after_review
    title: a move after the year's review
    summary: the plan was reviewed in April; the family moves in May and the plan transfers
    sources: [SEND Regs 2014 reg 15]
    scenario: small_la
    start_date: 2020-01-06
    existing_plan: {{setting: mainstream, first_review_day: 90}}
    authorities: {{home: Wandsworth, host: Lambeth}}
    moves:
      - {{date: {learned}, to: host, old_authority_learned: {learned}}}
    child: {{age: 9.0, need: SLCN, preferred: mainstream}}
    pinned: {{review_outcome: maintain}}
"""


@pytest.mark.parametrize("learned, transfer, notice", [
    # Tuesday 5 May 2020 (the early May bank holiday moved from Monday 4 to Friday 8 May, VE day; spring bank
    # holiday Monday 25 May): 5-7 (3), 11-15 (8), 18-22 (13), 26-27 (15): Wednesday 27 May; the notice within 6
    # weeks beginning 27 May: 27 May + 41 days = 7 July
    ("2020-05-05", (2020, 5, 27), (2020, 7, 7)),
    # Monday 4 May 2020, a working day that year: 4-7 (4), 11-15 (9), 18-22 (14), 26 (15): Tuesday 26 May; notice
    # 26 May + 41 days = 6 July
    ("2020-05-04", (2020, 5, 26), (2020, 7, 6)),
])
def test_a_transfer_after_the_years_review_keeps_the_next_review_12_months_on(tmp_path, learned, transfer, notice):
    """The plan's first review is due 90 days from Monday 6 January 2020: 5 April 2020 (held at the meeting's own
    date, drawn). Its next review is due 12 months after that review, in April 2021, past the run's end (31 December
    2020). The family moves in May and the plan transfers; reg 15 has the new authority review the plan by the later
    of the date it was due anyway (April 2021) and 3 months beginning with the transfer (late August 2020): April
    2021. The model took the review already held (5 April) as the one due, moved it to 3 months after the transfer
    and held an extra review in 2020. Now no review is held in the run after the transfer, and the next is due at
    least 12 months after the last one."""
    rows, child, day = _rows(tmp_path, MOVER.format(learned=learned))
    reviews = [r.day for r in rows if r.step == "annual_review"]
    t = next(r for r in rows if r.step == "plan_transfer")
    assert (t.day, t.deadline_day, t.deadline_met) == (day(*transfer), day(*transfer), True)
    assert next(r for r in rows if r.step == "transfer_notice").day == day(*notice)
    assert len(reviews) == 1 and day(2020, 4, 5) <= reviews[0] < t.day, reviews
    assert not [r for r in rows if r.step == "annual_review" and r.day > t.day]
    assert child.review_after != child.review_after  # not moved: NaN
    assert child.review_due >= reviews[0] + 365.0 and child.review_due >= day(2021, 4, 5)


# ============================================================================ the case text's words


def test_an_assessment_that_lapsed_is_said_in_words_not_lapsed_in_capitals():
    """The event `assessment_lapsed` read "assessment LApsed" in the case text and report: the LA's capitals were
    put on any "la" after a space. Now only the word "la" becomes "LA"."""
    from simulator.report.timeline import _words, event_words

    assert _words("assessment_lapsed") == "assessment lapsed"
    assert _words("la_concedes") == "LA concedes" and _words("for_la") == "for LA"
    assert "LA" not in event_words("decide_to_issue", "assessment_lapsed")


# ============================================================================ a scenario's numbers


def test_a_probabilitys_year_outside_1990_to_2100_is_refused(tmp_path):
    """A scenario's by-year keys are years 1990-2100 (README); a probability's `by_year` took `1800: 0.1` without a
    word (never read: the run starts in 2019). Now refused naming the field and the bound."""
    def edit(doc):
        doc["population"]["assessment_lapsed_probability"]["by_year"] = {1800: 0.1}

    line = refused_line(scenario_copy(tmp_path, edit=edit))
    assert "population.assessment_lapsed_probability.by_year[1800]" in line and \
           "(allowed: a number greater than or equal to 1990)" in line, line


@pytest.mark.parametrize("edit, words", [
    (lambda doc: doc["population"]["health_needs_probability"].update(range=[0.8, 0.2]),
     "population.health_needs_probability.range: [0.8, 0.2] (allowed: [low, high], low first)"),
    (lambda doc: doc["population"]["health_needs_probability"].update(value=0.9),
     "population.health_needs_probability: value 0.9 lies outside its stated range [0.2, 0.8] (allowed: a value "
     "within its range)"),
    (lambda doc: doc["population"]["redress_capacity"]["values"].update(high=0.35),
     "population.redress_capacity: shares must sum to 1 (they sum to 1.100000) (allowed: shares summing to 1)"),
])
def test_a_reversed_range_a_value_outside_it_and_shares_not_summing_to_one_say_what_is_allowed(tmp_path, edit,
                                                                                            words):
    """0.25 + 0.5 + 0.25 = 1; with high 0.35 the shares sum to 1.1. The three messages named the problem but not
    what is allowed (the standard's "what is allowed"); a rule set's range already said it."""
    line = refused_line(scenario_copy(tmp_path, edit=edit))
    assert line.endswith(words), line


# ============================================================================ odd command lines


@pytest.mark.parametrize("address", ["tcp://localhost", "tcp://127.0.0.1:0", "tcp://127.0.0.1:99999", "tcp://:8786"])
def test_a_dask_address_without_a_port_is_bad_input_at_once(tmp_path, address):
    """`--dask tcp://localhost` (no port) got past the check, waited 10 s for a scheduler and left with exit 1, as if
    the machine had failed; a port of 0 or above 65535 (the largest TCP port) too. Now exit 2 at once naming the
    flag, and nothing is written."""
    from .test_batch import write_sweep

    p = _cli(tmp_path, "batch", str(write_sweep(tmp_path)), "--dask", address, "--out", str(tmp_path / "b"))
    line = _one_line(p)
    assert line.startswith(f"error: --dask: {address!r}: ") and "(allowed: local, or tcp:// or tls:// then a host " \
           "and a port 1-65535, e.g. tcp://127.0.0.1:8786)" in line, line
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("csv", ["scenarios/targets/small_la.csv", "data/sen2/requests.csv"])
def test_a_csv_file_given_where_a_yaml_file_is_meant_is_named_as_csv(tmp_path, csv):
    """`sendsim validate scenarios/targets/small_la.csv` said "(top level): the file is a single value (allowed: a
    mapping of fields)", and a SEN2 release's CSV given to case-study the same or "not valid YAML". Now it is named
    as a CSV file, with the command that reads official figures."""
    from .conftest import ROOT

    for args in (["validate", str(ROOT / csv)], ["case-study", str(ROOT / csv), "--rules", "current_2014"]):
        line = _one_line(_cli(tmp_path, *args))
        assert line == f"error: {ROOT / csv}:1: (file): this is a CSV file, not YAML (allowed: a YAML file of " \
                       "`name: value` lines; a CSV file of official figures is a backtest's targets: sendsim " \
                       "backtest --targets FILE)", line


# ============================================================================ later official figures: a targets file


@pytest.mark.parametrize("source", ["", "   "])
def test_an_official_figure_with_a_blank_source_is_refused(tmp_path, source):
    """Every number carries its source (README; a scenario's and a reform's blank source are refused). A targets row
    with its source left blank ran, and the backtest set a figure citing nothing beside the model. Now one line
    naming the line and the field; the shipped targets files all give theirs."""
    from simulator.analysis.fit.backtest import load_targets
    from simulator.schema.files import InputError

    p = tmp_path / "t.csv"
    p.write_text("metric,period,value,unit,tolerance,tolerance_kind,source,note\n"
                 f"initial_requests_for_assessment,2019,419,,5,relative,{source},\n")
    with pytest.raises(InputError) as e:
        load_targets(p, dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    assert e.value.lines == [f"{p}:2: source: is blank: say where the figure comes from (allowed: the publication, "
                             "table and year, e.g. DfE SEN2 requests.csv 2019)"]


# ============================================================================ later official figures: a SEN2 release


@pytest.mark.parametrize("kind", ["Financial year", "Academic year"])
def test_a_release_row_of_another_kind_of_year_is_one_line(tmp_path, capsys, kind):
    """requests.csv counts calendar years (its rows' time_identifier "Calendar year"; the January caseloads of
    caseload.csv are "Academic year"). A later release's row marked "Financial year" (April-March) or "Academic year"
    was read as the calendar year of its time_period, without a word. Now one line naming the file, its line, the
    column and the kind allowed; nothing written."""
    from .test_held_out_round3 import _build_refused, _release, _wandsworth_2024

    p = _release(tmp_path, _wandsworth_2024("time_identifier", kind))
    err = _build_refused(tmp_path, capsys)
    n = len(p.read_text().splitlines())  # Wandsworth's 2024 row is the file's last line
    assert err == f"error: {p}:{n}: time_identifier: got {kind!r} (allowed: 'Calendar year', the periods of " \
                  "requests.csv)\n", err


# ============================================================================ the web page's form


def test_a_change_ticked_twice_is_one_change_on_the_page():
    """A form (or a script) sending a change twice, `switches=mandatory_mediation,mandatory_mediation`, ran the rule
    set "current_2014+mandatory_mediation+mandatory_mediation": applied once (second round), but named twice in the
    page's summary. Now the change is taken once."""
    from simulator.web.app import validate

    form = {"source": "figures", "requests_per_year": "1200", "refused_pct": "25", "within_20_weeks_pct": "50",
            "plans_in_force": "4000", "switches": "mandatory_mediation,mandatory_mediation", "replications": "5"}
    job, errors = validate(form, ["Wandsworth"], ["white_paper_2026"], ["mandatory_mediation"], (2025, 2040))
    assert errors == {} and job["rules_b"] == "current_2014+mandatory_mediation"


# ============================================================================ results --sql


@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory) -> Path:
    """A batch of 4 tasks (small_la to 31 March 2019, 2 points x 2 rule sets x 1 replication): seconds."""
    from simulator.api import batch

    from .test_batch import write_sweep

    d = tmp_path_factory.mktemp("r9batch")
    batch(str(write_sweep(d, until="2019-03-31")), out=d / "b")
    return d / "b"


@pytest.mark.parametrize("sql", ["-- appeals by rule set\nselect count(*) from runs", "/* tasks */ select count(*) "
                                 "from runs", "select count(*) from runs where rules not like '%;%'"])
def test_a_query_opening_with_a_comment_or_quoting_a_semicolon_is_run(tiny_batch, sql):
    """A query pasted with its comment first was refused as "one query (allowed: a single SELECT ...)", and so was a
    ';' inside a quoted text: the check read the first word and looked for any ';'. The batch has 2 points x 2 rule
    sets x 1 replication = 4 tasks, so the count is 4."""
    from simulator.analysis.batch.catalogue import query

    cols, rows = query(tiny_batch, sql)
    assert rows == [(4,)], rows


@pytest.mark.parametrize("sql", ["with a as (select 1) insert into metrics select * from metrics",
                                 "select 1; select 2", "copy (select 1) to 'x.csv'"])
def test_a_statement_that_is_not_a_query_is_refused_whatever_its_first_word(tiny_batch, sql):
    """`with ... insert` opened with a query's first word and reached DuckDB; it is refused before, as COPY is."""
    from simulator.analysis.batch.catalogue import query
    from simulator.schema.files import InputError

    with pytest.raises(InputError) as e:
        query(tiny_batch, sql)
    assert e.value.lines == [f"--sql: {sql[:60]!r}: one query (allowed: a single SELECT, WITH, FROM, DESCRIBE or "
                             "SUMMARIZE statement; results never writes files)"]


# ============================================================================ rule sets beside a scenario


def _rules_beside(tmp_path: Path, old: str, new: str) -> Path:
    """small_la beside a copy of the shipped rule sets, current_2014.yaml's text changed from `old` to `new`."""
    import shutil

    from .conftest import ROOT

    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    shutil.copy(ROOT / "scenarios" / "small_la.yaml", tmp_path / "small_la.yaml")
    shutil.copy(ROOT / "scenarios" / "plan_transfers.yaml", tmp_path / "plan_transfers.yaml")
    p = tmp_path / "rules" / "current_2014.yaml"
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    return tmp_path / "small_la.yaml"


@pytest.mark.parametrize("old, field", [('{value: "07-31", unit: date', "plan_end"),
                                        ('{value: "02-15", unit: date', "phase_transfer_school_deadline"),
                                        ('{value: "03-31", unit: date', "phase_transfer_post16_deadline")])
def test_a_rule_set_day_of_29_february_is_refused(tmp_path, old, field):
    """A rule set's MM-DD day is set in each year the run reaches: '02-29' exists only in leap years (2019 is not:
    2019 / 4 leaves 3), and `sendsim run` stopped with "internal error (ValueError: day is out of range for month)",
    exit 1, after writing its folder. Now the file is refused naming the field, as a day every year has."""
    from simulator.rules.scenario import load_scenario
    from simulator.schema.files import InputError

    p = _rules_beside(tmp_path, old, old.replace(old.split('"')[1], "02-29"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert len(e.value.lines) == 1 and e.value.lines[0].endswith(
        f"timeline.{field}: '02-29' is a day only in a leap year (allowed: a day every year has, as 'MM-DD', e.g. "
        "'02-28' or '03-01')"), e.value.lines


def test_a_review_every_0_months_is_refused(tmp_path):
    """CFA s.44(1): a plan is reviewed within 12 months of the last review. A rule set with a review every 0 months
    was accepted and a run stopped with an internal error (ZeroDivisionError), exit 1. Now refused in one line."""
    from simulator.rules.scenario import load_scenario
    from simulator.schema.files import InputError

    old = '{value: 12, unit: months, label: "Review of the plan'
    p = _rules_beside(tmp_path, old, old.replace("12", "0"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert len(e.value.lines) == 1 and e.value.lines[0].endswith(
        "timeline.annual_review_interval: 0 months (allowed: more than 0; a plan is reviewed within 12 months of the "
        "last review, CFA s.44(1))"), e.value.lines


# ============================================================================ case files


@pytest.mark.parametrize("sources, field, why", [
    ("[]", "sources", "got [] (allowed: at least 1 item)"),
    ('["  "]', "sources[0]", "is blank: say where the figure comes from (document, table, year) or what is assumed"),
])
def test_a_case_with_no_source_is_refused(tmp_path, sources, field, why):
    """A case study is worked from its sources (README: a blank source, label or title is refused). `sources: []`
    or a blank one ran, and the report's Sources said nothing. Now one line naming the field; the shipped case
    studies all give theirs."""
    f = tmp_path / "c.yaml"
    f.write_text(f'name: k\ntitle: "K"\nsummary: "k"\nsources: {sources}\nscenario: small_la\nchild: {{age: 8.0}}\n')
    line = _one_line(_cli(tmp_path, "case-study", str(f), "--rules", "current_2014", "-n", "1"))
    assert line == f"error: {f}:4: {field}: {why}", line


# ============================================================================ personas worked by hand


@pytest.mark.parametrize("start, first_review, learned, transfer, notice, review", [
    # Monday 14 April 2025 (Easter Sunday 20 April 2025: Good Friday 18, Easter Monday 21; early May bank holiday
    # Monday 5 May): 14-17 (4), 22-25 (8), 28-30 (11), 1-2 May (13), 6-7 May (15): Wednesday 7 May 2025; the notice
    # 7 May + 41 days = 17 June; the review: due 200 days from 6 January 2025 = 25 July, earlier than the last day
    # of 3 months beginning 7 May (6 August): 6 August 2025
    ("2025-01-06", 200, "2025-04-14", (2025, 5, 7), (2025, 6, 17), (2025, 8, 6)),
    # Monday 14 December 2026 (Christmas Day a Friday; Boxing Day a Saturday, so Monday 28 December; New Year's Day
    # 2027 a Friday): 14-18 (5), 21-24 (9), 29-31 (12), 4-6 January (15): Wednesday 6 January 2027; notice 6 January
    # + 41 days = 16 February; the review due 120 days from 5 October 2026 = 2 February 2027, earlier than the last
    # day of 3 months beginning 6 January (5 April): 5 April 2027
    ("2026-10-05", 120, "2026-12-14", (2027, 1, 6), (2027, 2, 16), (2027, 4, 5)),
])
def test_a_move_over_easter_2025_or_christmas_2026_transfers_on_the_hand_worked_dates(
        tmp_path, start, first_review, learned, transfer, notice, review):
    """Reg 15(2)(b): 15 working days beginning with the day the old authority learned; the bank holidays of 2025
    and 2026 by hand (the seventh round's test covers 2020 and 2027-2030)."""
    rows, child, day = _rows(tmp_path, f"""\
        name: mover
        title: a move
        summary: a move with the plan in force
        sources: [SEND Regs 2014 reg 15]
        scenario: small_la_from_2024
        start_date: {start}
        existing_plan: {{setting: mainstream, first_review_day: {first_review}}}
        authorities: {{home: Wandsworth, host: Lambeth}}
        moves:
          - {{date: {learned}, to: host, old_authority_learned: {learned}}}
        child: {{age: 9.0, need: SLCN, preferred: mainstream}}
        pinned: {{review_outcome: maintain}}
        """)
    t = next(r for r in rows if r.step == "plan_transfer")
    assert (t.day, t.deadline_day, t.deadline_met) == (day(*transfer), day(*transfer), True)
    assert next(r for r in rows if r.step == "transfer_notice").day == day(*notice)
    assert child.review_after == day(*review)


BEA = """\
    name: bea_19_own_request
    title: "Bea, 19, at college, asks for an assessment herself"
    summary: "A young person's own request: 6, 16 and 20 weeks from the request."
    sources: ["CFA 2014 s.36(1); SEND Regs 2014 regs 5, 10, 13"]
    scenario: small_la_from_2024
    start_date: 2024-10-02
    child: {age: 19.0, current_setting: post16, requester: young_person, need: SpLD, preferred: post16}
    pinned: {decide_to_assess: agreed, decide_to_issue: issue}
"""


def test_a_young_persons_own_request_at_19_runs_6_16_and_20_weeks_from_the_request(tmp_path):
    """Bea, 19, asks herself on Wednesday 2 October 2024 (CFA s.36(1): a young person may). The decision whether to
    assess within 6 weeks: 2 October + 42 days = 13 November 2024; whether to issue within 16 weeks: + 112 days =
    22 January 2025; the final plan within 20 weeks: + 140 days = 19 February 2025 (reg 5(1), 10(1), 13(2)); each
    advice within 6 weeks of the LA asking for it, the day it decides to assess (reg 8)."""
    for seed in (1, 2):
        rows, _child, day = _rows(tmp_path, BEA, seed)
        first = {r.step: r for r in reversed(rows)}
        assert first["request"].day == day(2024, 10, 2)
        assert first["decide_to_assess"].deadline_day == day(2024, 11, 13)
        assert first["decide_to_issue"].deadline_day == day(2025, 1, 22)
        assert first["final_plan"].deadline_day == day(2025, 2, 19)
        for advice in ("school_advice", "psychological_advice"):
            assert abs(first[advice].deadline_day - (first["decide_to_assess"].day + 42.0)) < 1e-6


ROSA = """\
    name: rosa_refused_declines_mediation
    title: "Rosa, 6: refused, her parents decline mediation and appeal"
    summary: "Refused an assessment; mediation declined; the appeal is heard and won."
    sources: ["timeline.md 1.3"]
    scenario: small_la
    start_date: 2019-03-04
    child: {age: 6.0, requester: parent, need: SLCN, preferred: mainstream}
    pinned: {decide_to_assess: refused, dispute_refusal_to_assess: true, mediation: declined, appeal_outcome: heard,
             hearing: for_family, decide_to_issue: issue}
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_a_refusal_appealed_after_mediation_declined_runs_the_orders_periods(tmp_path, seed):
    """Rosa's parents ask on Monday 4 March 2019: the decision whether to assess is due 6 weeks later, 15 April 2019.
    Refused; mediation declined, so the adviser's certificate (CFA s.55) before the appeal; the tribunal orders an
    assessment. Reg 44(2) as amended: the LA says it will assess within 2 weeks of the order, decides whether to
    issue within 10 weeks of it and issues the final plan within 14 weeks of it (timeline.md 1.3). Days from the
    order: 14, 70, 98."""
    rows, _child, day = _rows(tmp_path, ROSA, seed)
    first = {r.step: r for r in reversed(rows)}
    assert first["decide_to_assess"].deadline_day == day(2019, 4, 15)
    assert first["mediation_certificate"].day < first["appeal"].day  # the certificate before the appeal
    order = first["tribunal_decision"].day
    assert first["comply"].deadline_day == pytest.approx(order + 14.0)
    assert first["decide_to_issue"].deadline_day == pytest.approx(order + 70.0)
    assert first["final_plan"].deadline_day == pytest.approx(order + 98.0)


OMAR = """\
    name: omar_section_i_only
    title: "Omar, 10: the LA names a school his parents did not ask for; they appeal Section I only"
    summary: "A placement-only appeal: no mediation advice needed; the tribunal orders the parents' school."
    sources: ["CFA 2014 s.39, s.51(2)(c), s.55(5); SEND Regs 2014 reg 44(2)"]
    scenario: small_la
    start_date: 2019-01-14
    child: {age: 10.0, requester: parent, need: ASD, preferred: maintained_special}
    pinned: {decide_to_assess: agreed, decide_to_issue: issue, setting_request: refused, dispute_placement: true,
             dispute_contents: false, appeal_outcome: heard, hearing: for_family}
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_a_section_i_only_appeal_needs_no_mediation_advice_and_the_school_is_named_within_2_weeks(tmp_path, seed):
    """An appeal about the school named alone (Section I) needs no mediation advice first (timeline.md 1.3: "except
    placement-only Section I appeals"); after the order the LA names the school within 2 weeks (reg 44(2)):
    14 days from the tribunal's decision. The request on Monday 14 January 2019: final plan due 20 weeks later,
    3 June 2019."""
    rows, _child, day = _rows(tmp_path, OMAR, seed)
    first = {r.step: r for r in reversed(rows)}
    assert first["final_plan"].deadline_day == day(2019, 6, 3)
    assert first["appeal"].event == "lodged_placement"
    assert not [r for r in rows if r.step in ("mediation_advice", "mediation_certificate")]
    order = first["tribunal_decision"].day
    assert first["comply"].event == "rename" and first["comply"].deadline_day == pytest.approx(order + 14.0)


CAL = """\
    name: cal_cessation_disputed
    title: "Cal, 17: the LA proposes to cease his plan; he appeals"
    summary: "A disputed cessation: the plan stays in force until the tribunal decides."
    sources: ["CFA 2014 s.45; SEND Regs 2014 regs 29-31, 44"]
    scenario: small_la
    start_date: 2019-01-07
    existing_plan: {setting: post16, first_review_day: 30}
    child: {age: 17.0, current_setting: post16, requester: young_person, need: MLD, preferred: post16}
    pinned: {review_outcome: cease, dispute_cessation: true, mediation: declined, appeal_outcome: heard,
             hearing: for_la}
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_a_disputed_cessation_keeps_the_plan_until_the_tribunal_dismisses_the_appeal(tmp_path, seed):
    """The plan stays in force pending the appeal (timeline.md 1.5; CFA s.45); a cessation appeal needs mediation
    advice first (it is not placement-only); the tribunal dismissing it, the LA ceases the plan at once (reg 44(2):
    "cease plan immediately"): on the decision's day, after the review's."""
    rows, _child, _day = _rows(tmp_path, CAL, seed)
    first = {r.step: r for r in reversed(rows)}
    assert first["mediation_advice"].day <= first["appeal"].day
    decided = first["tribunal_decision"]
    assert decided.event == "for_la"
    ceased = next(r for r in rows if r.step == "cessation")
    assert ceased.event == "plan_ceased" and ceased.day == decided.day > first["annual_review"].day


def test_a_plan_held_at_24_and_a_half_ends_on_the_31_july_after_the_25th_birthday(tmp_path):
    """Dan is 24.5 on Monday 7 January 2019: 25 in early July 2019 (24.5 years before 7 January 2019 is early July
    1994), within the academic year 2018/19, which ends on 31 July 2019 (CFA s.46; the rule set's plan_end)."""
    for seed in (1, 2):
        rows, _child, day = _rows(tmp_path, """\
            name: dan_24_college_to_25
            title: "Dan, 24, at a specialist college"
            summary: "A plan kept to the end of the academic year in which he is 25."
            sources: ["CFA 2014 s.46"]
            scenario: small_la
            start_date: 2019-01-07
            existing_plan: {setting: specialist_college, first_review_day: 60}
            child: {age: 24.5, current_setting: specialist_college, requester: young_person, need: SLD,
                    preferred: specialist_college}
            """, seed)
        end = next(r for r in rows if r.step == "plan_end_25")
        assert end.day == day(2019, 7, 31)
        assert not [r for r in rows if r.day > day(2019, 7, 31)]


@pytest.mark.parametrize("typed, name", [("St Helens", "St. Helens"), ("Brighton & Hove", "Brighton and Hove"),
                                         ("Southend on Sea", "Southend-on-Sea")])
def test_a_council_typed_without_its_punctuation_is_found(typed, name):
    """`la-scenario --la "St Helens"` was refused with "did you mean St. Helens?": the name matched but for a point,
    an ampersand or hyphens. The council is found by its words; a name matching two councils is still refused."""
    import yaml

    from simulator.analysis.fit.la_scenario import find_authority
    from simulator.schema.files import InputError

    from .conftest import ROOT

    england = yaml.safe_load((ROOT / "scenarios" / "england.yaml").read_text())
    assert find_authority(england, typed)["name"] == name
    with pytest.raises(InputError):
        find_authority(england, "and")  # Barking and Dagenham, Brighton and Hove, ...


def test_a_reform_change_breaking_a_rule_across_fields_is_said_at_the_change(tmp_path):
    """A switch of the White Paper changing `timeline.annual_review_interval` to 0 (or a transfer deadline to 15
    October) was refused as "rules white_paper_2026:?: timeline: annual_review_interval: ...": no file, no line.
    Now the line is the change's own, in the reform's file."""
    import shutil

    from simulator.rules.scenario import load_scenario
    from simulator.schema.files import InputError

    from .conftest import ROOT

    shutil.copytree(ROOT / "scenarios" / "rules", tmp_path / "rules")
    shutil.copy(ROOT / "scenarios" / "small_la.yaml", tmp_path / "small_la.yaml")
    shutil.copy(ROOT / "scenarios" / "plan_transfers.yaml", tmp_path / "plan_transfers.yaml")
    wp = tmp_path / "rules" / "white_paper_2026.yaml"
    text = wp.read_text()
    anchor = "        range: [0.05, 0.4]\n"
    assert text.count(anchor) >= 1
    text = text.replace(anchor, anchor + "      - path: timeline.annual_review_interval\n        value: 0\n"
                                         "        source: a test\n", 1)
    wp.write_text(text)
    line = text[:text.index("      - path: timeline.annual_review_interval")].count("\n") + 2  # its `value:` line
    with pytest.raises(InputError) as e:
        load_scenario(tmp_path / "small_la.yaml", rules="white_paper_2026")
    assert e.value.lines == [f"{wp}:{line}: switches.tiered_support_plans.changes[2].value: "
                             "timeline.annual_review_interval: 0 months (allowed: more than 0; a plan is reviewed "
                             "within 12 months of the last review, CFA s.44(1))"], e.value.lines
