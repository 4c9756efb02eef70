"""Review of the third held-out round's work: the resume commands `report` gives for an interrupted folder, and what
makes a comparison's run under --from-start another run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.analysis.runs.folder import write_marker
from simulator.cli import main
from simulator.rules.scenario import load_scenario

from .conftest import ROOT

SMALL = str(ROOT / "simulator" / "data" / "scenarios" / "small_la.yaml")


def _report(folder: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["report", folder])
    return r.exit_code, r.stderr


def _run(folder: Path, rules: str, in_force: dict, metrics: dict, summary: bool = False) -> None:
    (folder / "replications" / "rep-000").mkdir(parents=True)
    (folder / "replications" / "rep-000" / "metrics.json").write_text(json.dumps(metrics))
    (folder / "manifest.json").write_text(json.dumps({
        "merged_rules": {}, "scenario_file": SMALL, "rules": rules, "seed": 42, "replications": 2, "engine": "heap",
        "event_log": False, "end_date": "2019-03-31", "scenario_parameters": {"in_force": in_force}}))
    if summary:
        (folder / "summary.json").write_text("{}")


MORE = {"by_group": {"la": {}, "phase": {}, "region": {}}}


def test_the_resume_of_a_run_kept_with_more_groups_says_more_groups(tmp_path, monkeypatch):
    """A run with --more-groups interrupted: the command `report` gave had no --more-groups, and the run it started
    kept none of the finished replications ("not reused (kept with the phase and region groups)"): it ran them all
    again, and its summary lost the phase and region groups."""
    monkeypatch.chdir(tmp_path)
    _run(tmp_path / "run", "current_2014", {}, MORE)
    code, err = _report("run")
    assert code == 2 and (f"resume it with: sendsim run {SMALL} --rules current_2014 -n 2 --seed 42 --until "
                          "2019-03-31 --more-groups --no-events --out run --resume,") in err, err


def test_the_resume_of_a_comparison_reads_from_start_and_more_groups_from_every_rule_set(tmp_path, monkeypatch):
    """A comparison of current_2014 (no switch) and improvement_plan_2023 under --from-start and --more-groups,
    interrupted: --from-start was read from the first rule set's manifest only (current_2014 has no switch, so it was
    never there) and --more-groups not at all; the command given ran every replication again under the switches'
    own dates. The second run folder's own hint said `sendsim run ... --from-start`, an option `run` does not have."""
    monkeypatch.chdir(tmp_path)
    write_marker(tmp_path / "cmp", "comparison", {"rules": ["current_2014", "improvement_plan_2023"], "seed": 42})
    _run(tmp_path / "cmp" / "1-current_2014", "current_2014", {}, MORE, summary=True)
    _run(tmp_path / "cmp" / "2-improvement_plan_2023", "improvement_plan_2023",
         {"multi_agency_panels": "start", "strengthened_mediation": "start"}, MORE)
    resume = (f"sendsim compare {SMALL} --rules current_2014 --rules improvement_plan_2023 -n 2 --seed 42 --until "
              "2019-03-31 --from-start --more-groups --out cmp --resume")
    code, err = _report("cmp")
    assert code == 2 and f"resume it with: {resume}," in err, err
    code, err = _report("cmp/2-improvement_plan_2023")
    assert code == 2 and err.startswith("error: cmp/2-improvement_plan_2023: a rule set's run of the comparison cmp; "
                                        "cmp: an interrupted comparison") and f"resume it with: {resume}," in err, err
    assert "sendsim run" not in err


def test_from_start_is_another_run_for_a_rule_set_with_switches():
    """--from-start changed the law in force but not the run's identity (scenario_sha256, rules_sha256): `compare
    --from-start --resume` on a comparison run without it (or the other way round) kept its replications and ran only
    the missing ones under the other law, a run of two laws mixed without a word. A rule set without switches is the
    same run either way."""
    with_dates = load_scenario("small_la", "improvement_plan_2023")
    from_start = load_scenario("small_la", "improvement_plan_2023", from_start=True)
    assert with_dates.scenario_sha256 != from_start.scenario_sha256
    assert load_scenario("small_la", "current_2014").scenario_sha256 == \
        load_scenario("small_la", "current_2014", from_start=True).scenario_sha256


def test_an_authority_named_with_a_no_break_space_is_a_name(tmp_path):
    """A name copied from a spreadsheet or a web page ("Bath and North East Somerset" with a no-break space) was
    refused as holding "the control character '\\xa0'" (a space, and spaces are allowed); a direction mark or a
    zero-width space is still refused."""
    from simulator.schema.scenario import name_problem

    for ok in ("King's Lynn and West Norfolk", "St. Helens", "Ynys Môn", "Bath\xa0and North East Somerset",
               "Kingston upon Hull, City of", "King\u2019s Lynn", "Narrow\u202fspace"):
        assert name_problem(ok) is None, ok
    for bad in ("Bath\u202eSomerset", "Zero\u200bwidth", "Line\u2028break", "Tab\there"):
        assert name_problem(bad) is not None, bad


def test_la_scenario_refuses_the_name_a_scenario_refuses_before_it_fits(tmp_path):
    """`la-scenario --name` checked control characters only (category Cc): a right-to-left override passed, the
    fitting ran, and the file it wrote was then refused naming its staging file (la1/.sendsim-council-xxx/...yaml:74),
    which the user never wrote and which is gone afterwards. Now the --name line, before anything runs."""
    from simulator.analysis.fit.la_scenario import forum
    from simulator.schema.files import InputError, read_yaml

    england = read_yaml(ROOT / "simulator" / "data" / "scenarios" / "england.yaml")[0]
    try:
        forum(england, "Bath\u202eSomerset", 2023, 900, 25, 50, 3000)
    except InputError as e:
        assert e.lines == ["--name: 'Bath\\u202eSomerset' (allowed: 1 to 80 characters, any letters, no control "
                           "characters)"], e.lines
    else:
        raise AssertionError("a right-to-left override in --name was accepted")


def test_a_comparison_refused_at_its_second_rule_set_leaves_the_first_run_whole(tmp_path):
    """`run_together` opened and started each run in turn: a refusal of the second run's folder (it holds another run:
    its reform file was edited, say) came after the first run's `start` had removed its summary.json, so a finished
    run was left looking interrupted. Every folder is now opened (and refused) before any is started."""
    import datetime as dt

    import pytest

    from simulator.analysis.runs.run import RunPlan, run_together
    from simulator.schema.files import InputError

    until = dt.date(2019, 3, 1)
    a = load_scenario("small_la", "current_2014", until)
    b = load_scenario("small_la", "green_paper_2022", until)
    run_together([RunPlan(a, 1, 1, tmp_path / "1-a", events=False), RunPlan(b, 1, 2, tmp_path / "2-b", events=False)])
    assert (tmp_path / "1-a" / "summary.json").is_file()
    with pytest.raises(InputError, match="holds another run"):  # the second folder was written with seed 2
        run_together([RunPlan(a, 1, 1, tmp_path / "1-a", events=False, resume=True),
                      RunPlan(b, 1, 1, tmp_path / "2-b", events=False, resume=True)])
    assert (tmp_path / "1-a" / "summary.json").is_file()


def test_a_program_run_with_dash_m_that_imports_the_cli_keeps_its_own_ctrl_c(tmp_path):
    """simulator.cli took over SIGINT, SIGTERM and SIGHUP in any process whose argv[0] was a `__main__.py` (meant for
    `python -m simulator.cli`): `python -m pytest` on tests importing it, or a user's `python -m mytool`, had Ctrl-C
    turned into "interrupted (Ctrl-C): nothing was kept; run the same command again" and exit 130, its own
    KeyboardInterrupt handling skipped. Only the command itself takes them now."""
    import os
    import subprocess
    import sys

    (tmp_path / "mytool").mkdir()
    (tmp_path / "mytool" / "__main__.py").write_text(
        # Python's own Ctrl-C handler set first: a test run in the background of a non-interactive shell (`.ci/run`
        # under nohup) starts with SIGINT ignored, which the program would inherit
        "import os, signal, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\nimport simulator.cli\ntry:\n    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\nexcept KeyboardInterrupt:\n    print('handled by mytool')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    r = subprocess.run([sys.executable, "-m", "mytool"], capture_output=True, text=True, env=env, timeout=60,
                       cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "handled by mytool\n"), r.stderr


def test_report_from_elsewhere_on_a_run_of_a_relative_scenario_path_gives_no_wrong_command(tmp_path, monkeypatch):
    """`sendsim run s.yaml --until 2019-02-01 --out r` is interrupted, and `report` is run from another folder: the
    manifest's scenario file is `s.yaml`, relative to where the run started. The command given was `sendsim run s.yaml
    ... --resume` without --until (the file could not be read to compare its end_date): from there it found no file,
    and from the right folder it was refused as another run. Now: where to run it from, and no command."""
    (tmp_path / "start").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "start" / "s.yaml").write_text(Path(SMALL).read_text())
    run = tmp_path / "start" / "r"
    (run / "replications" / "rep-000").mkdir(parents=True)
    (run / "replications" / "rep-000" / "metrics.json").write_text("{}")
    (run / "manifest.json").write_text(json.dumps({
        "merged_rules": {}, "scenario_file": "s.yaml", "rules": "current_2014", "seed": 42, "replications": 1,
        "engine": "heap", "event_log": False, "end_date": "2019-02-01", "scenario_parameters": {"in_force": {}}}))
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, err = _report(str(run))
    assert code == 2 and "sendsim run" not in err and ("run the command that started it again with --resume, from the "
                                                       "folder it was started in (its scenario file s.yaml cannot be "
                                                       "read from here)") in err, err
    monkeypatch.chdir(tmp_path / "start")
    code, err = _report("r")
    assert code == 2 and "sendsim run s.yaml --rules current_2014 -n 1 --seed 42 --until 2019-02-01 --no-events " \
                         "--out r --resume" in err, err


def test_a_switch_label_with_a_no_break_space_is_a_label():
    """A reform switch's label with a no-break space (pasted from a document) was refused as a control character;
    a direction mark still is."""
    import pytest
    import yaml

    from simulator.schema.rules import Switch

    f = ROOT / "simulator" / "data" / "scenarios" / "rules" / "green_paper_2022.yaml"
    sw = next(iter(yaml.safe_load(f.read_text())["switches"].values()))
    assert Switch.model_validate({**sw, "label": "Mandatory\xa0mediation"}).label == "Mandatory\xa0mediation"
    with pytest.raises(ValueError, match="without control characters"):
        Switch.model_validate({**sw, "label": "Bad\u202elabel"})


def test_report_from_elsewhere_on_a_batch_of_a_relative_sweep_path_gives_no_wrong_command(tmp_path, monkeypatch):
    """As for a run: a batch started with `sendsim batch s.yaml` keeps `s.yaml`; `report` on it from another folder
    gave `sendsim batch s.yaml --out ... --resume`, which found no file there."""
    from simulator.analysis.runs.folder import write_marker

    folder = tmp_path / "bi"
    (folder / "tasks").mkdir(parents=True)
    write_marker(folder, "batch", {"batch_id": "c24a2cfca3282c51"})
    (folder / "batch.json").write_text(json.dumps({"batch_id": "c24a2cfca3282c51", "name": "m", "tasks": 10,
                                                   "sweep_file": "s.yaml"}))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["report", str(folder), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 2 and "sendsim batch s.yaml" not in r.stderr and (
        "run the `sendsim batch` command that started it again with --resume, from the folder it was started in (its "
        "sweep file s.yaml cannot be read from here)") in r.stderr, r.stderr


def test_two_authorities_of_one_name_or_one_code_are_refused_naming_both(tmp_path):
    """Two councils of one name (other codes) were accepted: every table by authority and the page's list then named
    two rows alike. Refused now, case and spacing aside, naming both codes; a code given twice names both items (it
    said only "local authority codes must be unique")."""
    import copy

    import yaml

    from tests.test_held_out_round3 import SMALL, _refused, _scenario

    def twin(name: str, code: str):
        def edit(doc):
            first = doc["local_authorities"]["items"][0]
            other = copy.deepcopy(first)
            other["name"], other["code"] = name, code
            doc["local_authorities"]["items"].append(other)
        return edit

    first = yaml.safe_load(SMALL.read_text())["local_authorities"]["items"][0]
    line = _refused(_scenario(tmp_path, edit=twin("  " + first["name"].upper() + " ", "999")))
    assert f"name {'  ' + first['name'].upper() + ' '!r} is given twice (codes {first['code']} and 999; allowed: " \
        "one authority per name)" in line
    line = _refused(_scenario(tmp_path, edit=twin("Another Council", first["code"])))
    assert f"code {first['code']!r} is given twice (items 0 and 1; allowed: one authority per code)" in line


def test_a_missing_scenario_close_to_a_case_study_says_it_is_one_and_how_to_run_it():
    """`sendsim run ivy` suggested `ivy_excluded_year8_s19_refused_assessment` as if it were a scenario (running it
    fails again): a suggestion of another kind now says its kind and the command that takes it; a scenario's is said
    as itself."""
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, ["run", "ivy", "-n", "1"])
    assert r.exit_code == 2
    assert ("did you mean ivy_excluded_year8_s19_refused_assessment (a case study: sendsim case-study "
            "ivy_excluded_year8_s19_refused_assessment)?)") in r.output
    r = CliRunner().invoke(main, ["run", "smal_la", "-n", "1"])
    assert r.exit_code == 2 and "did you mean small_la or small_la_from_2024?)" in r.output


def test_a_comparisons_run_that_is_a_file_is_said_to_be_a_file(tmp_path):
    """A comparison whose run folder was replaced by a file was reported as 'missing'; it is said to be a file."""
    import shutil as sh

    from click.testing import CliRunner

    from simulator.cli import main

    out = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", "small_la", "--rules", "current_2014", "--rules", "green_paper_2022",
                                  "-n", "2", "--until", "2019-03-31", "--out", str(out), "--workers", "1"])
    assert r.exit_code == 0, r.output
    sub = out / "2-green_paper_2022"
    sh.rmtree(sub)
    sub.write_text("not a run")
    r = CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 2
    assert f"{sub}: is a file, not a run folder (compare.json names rule set 'green_paper_2022'" in r.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("remove", ["sensitivity.json", "metrics"])
def test_a_finished_batch_with_a_table_removed_is_refused_and_resume_writes_it_again(tmp_path, remove):
    """A batch folder with sensitivity.json or the metrics removed by hand gave a report without its screening or its
    results by point, exit 0. Refused now in one line naming what is missing and the command that writes it again;
    that command does (no task is run again), and the report is then made."""
    import shutil as sh

    from click.testing import CliRunner

    from simulator.cli import main
    from tests.test_batch import write_sweep

    sweep = write_sweep(tmp_path, until="2019-03-31")
    out = tmp_path / "b"
    assert CliRunner().invoke(main, ["batch", str(sweep), "--out", str(out), "--workers", "1"]).exit_code == 0
    gone = out / remove
    sh.rmtree(gone) if gone.is_dir() else gone.unlink()
    r = CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output
    assert "missing from a finished batch" in r.output and "--resume" in r.output
    assert not (tmp_path / "r.html").exists()
    r = CliRunner().invoke(main, ["batch", str(sweep), "--out", str(out), "--workers", "1", "--resume"])
    assert r.exit_code == 0 and "0 tasks computed" in r.output, r.output
    assert CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "r.html")]).exit_code == 0
