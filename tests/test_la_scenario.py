"""One authority: from the figures a forum gives (or the official ones), calibrated so they come back out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
ENGLAND = ROOT / "scenarios" / "england.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _here(tmp_path: Path) -> Path:
    (tmp_path / "rules").symlink_to(ROOT / "scenarios" / "rules")
    return tmp_path


def test_forum_figures_come_back_out_of_the_backtest(tmp_path):
    out = _here(tmp_path) / "our_council.yaml"
    r = invoke("la-scenario", "--name", "Our Council", "--year", "2023", "--requests-per-year", "400",
               "--refused-pct", "20", "--within-20-weeks-pct", "70", "--plans-in-force", "2000",
               "--special-places", "600", "--england", str(ENGLAND), "--out", str(out))
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load(out.read_text())
    prov = doc["local_authorities"]["provenance"]
    assert "given by the user" in prov["requests_per_year"]["source"]
    assert "national value" in prov["no_plan_after_assessment_probability"]["source"]
    la = doc["local_authorities"]["items"][0]
    assert sum(v for k, v in la.items() if k.startswith("stock_")) == 2000
    b = invoke("backtest", str(out), "--json", "--workers", "1")
    assert b.exit_code == 0, b.output
    rows = json.loads(b.stdout)["rows"]
    assert {x["metric"] for x in rows} == {"initial_requests_for_assessment", "requests_refused_pct",
                                           "within_20_weeks_pct", "plans_in_force_january"}
    assert all(x["within_tolerance"] for x in rows), rows


def test_official_authority_scenario_uses_its_own_figures(tmp_path):
    out = _here(tmp_path) / "wandsworth.yaml"
    r = invoke("la-scenario", "--la", "wandsworth", "--england", str(ENGLAND), "--out", str(out), "--no-calibrate")
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load(out.read_text())
    la = doc["local_authorities"]["items"][0]
    assert la["name"] == "Wandsworth" and la["requests_by_year"][2023] > 0
    assert doc["start_date"] == "2019-01-01" and doc["end_date"] == "2025-12-31"
    assert (tmp_path / "targets" / "wandsworth.csv").read_text().count("within_20_weeks_pct") == 5


def test_bad_requests_are_one_line_each_exit_2(tmp_path):
    r = invoke("la-scenario", "--la", "Atlantis", "--england", str(ENGLAND), "--out", str(tmp_path / "a.yaml"))
    assert r.exit_code == 2
    assert [ln for ln in r.output.splitlines() if ln.startswith("error:")][0].startswith("error: --la: 'Atlantis'")
    r = invoke("la-scenario", "--name", "X", "--requests-per-year", "100", "--england", str(ENGLAND),
               "--out", str(tmp_path / "x.yaml"))
    assert r.exit_code == 2
    assert len([ln for ln in r.output.splitlines() if ln.startswith("error:")]) == 3
    r = invoke("la-scenario", "--name", "X", "--requests-per-year", "100", "--refused-pct", "140",
               "--within-20-weeks-pct", "50", "--plans-in-force", "10", "--england", str(ENGLAND),
               "--out", str(tmp_path / "x.yaml"))
    assert r.exit_code == 2 and "--refused-pct: 140.0 is out of range (allowed: 0 to 100)" in r.output
    assert not (tmp_path / "x.yaml").exists()


def test_an_england_council_keeps_the_late_shares_the_england_calibration_fitted(tmp_path):
    out = _here(tmp_path) / "walsall.yaml"
    r = invoke("la-scenario", "--la", "Walsall", "--england", str(ENGLAND), "--out", str(out))
    assert r.exit_code == 0, r.output
    england = yaml.load(ENGLAND.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    walsall = next(la for la in england["local_authorities"]["items"] if la["name"] == "Walsall")
    doc = yaml.safe_load(out.read_text())
    assert walsall["late_share_by_year"]  # England gives late shares (MODEL.md 3.3), not Weibull delays
    assert doc["local_authorities"]["items"][0]["late_share_by_year"] == walsall["late_share_by_year"]
    assert doc["population"]["assessment_lapsed_probability"] == england["population"]["assessment_lapsed_probability"]
    assert doc["seed"] == 42


def test_the_web_page_builds_the_same_file_as_la_scenario(tmp_path):
    from simulator.web.app import App, Job

    out = _here(tmp_path) / "cli" / "walsall.yaml"
    r = invoke("la-scenario", "--la", "Walsall", "--out", str(out))
    assert r.exit_code == 0, r.output
    app = App(tmp_path / "web")
    job = Job("0" * 12, {"council": "Walsall", "horizon": "history"}, tmp_path / "web" / "job")
    path, until, last = app.scenario(job)
    assert path.read_bytes() == out.read_bytes()
    assert (path.parent / "targets" / "walsall.csv").read_bytes() == (out.parent / "targets" / "walsall.csv").read_bytes()
    assert last == app.latest_year == 2023 and str(until) == "2023-12-31"  # SEN2 figures to 2023 (england_by_la.csv)


def test_a_return_with_no_requests_in_a_year_of_new_plans_is_not_read_as_no_demand():
    """SEN2 records West Berkshire 2022 with 0 requests and 0 decisions while it issued 176 plans (an incomplete
    return): the shipped scenario takes that year as not returned, geometric between 2021's 270 and 2023's 407
    (sqrt(270 x 407) = 331.5), staffs it accordingly, and offers no 0 as a figure to check forecasts against."""
    england = yaml.safe_load((ROOT / "scenarios" / "england.yaml").read_text())
    wb = next(la for la in england["local_authorities"]["items"] if la["name"] == "West Berkshire")
    assert wb["requests_by_year"][2022] == pytest.approx(331.5, abs=0.05)
    assert wb["capacity_by_year"][2022] > wb["capacity_by_year"][2021]
    by_la = (ROOT / "scenarios" / "targets" / "england_by_la.csv").read_text().splitlines()
    assert not [r for r in by_la if r.startswith("869,West Berkshire,initial_requests_for_assessment,2022,")]
    assert "869,West Berkshire,new_plans_issued,2022,176.0,DfE SEN2 assessments.csv assess_issued" in by_la


def test_an_authority_with_no_request_in_2019_gets_its_share_of_every_year(tmp_path):
    """The Isles of Scilly made no request in 2019 (SEN2: 0, then 2, 3, 1, 8 in 2020-2023), so its 2019 share of the
    tribunal was 0 hearings a year: la-scenario exited 2 naming lines of a file it had itself just written, and left
    it there. Its share is now of 2019-2023: 14 / (82,329 + 75,951 + 93,302 + 114,813.5 + 137,307 = 503,702.5) =
    0.0000278; 3,800 hearings in 2019 x that = 0.106, 7,968 in 2022 = 0.221."""
    r = invoke("la-scenario", "--la", "Isles of Scilly", "--england", str(ENGLAND), "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    t = yaml.safe_load((tmp_path / "isles_of_scilly.yaml").read_text())["tribunal"]
    assert t["hearings_per_year"]["value"] == pytest.approx(0.106)
    assert t["hearings_per_year_by_year"] == {2019: pytest.approx(0.106), 2022: pytest.approx(0.221)}
    assert "2019-2023 requests" in t["hearings_per_year"]["source"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["isles_of_scilly.yaml", "targets"]  # no staging left


def test_an_interrupted_or_failed_build_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C during the fit (minutes with --name) used to leave an unfitted scenario and its targets, which the
    next run refused to overwrite, while the message said nothing was kept. Folders the build made go too."""
    import simulator.analysis.fit.la_scenario as ls

    def stop(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ls, "calibrate_delay", stop)
    eng = yaml.safe_load(ENGLAND.read_text())
    out = tmp_path / "new" / "deeper" / "ours.yaml"
    with pytest.raises(KeyboardInterrupt):
        ls.build_council(eng, ENGLAND.parent / "targets" / "england_by_la.csv", lambda _n: out,
                         figures=ls.Figures("Ours", 2023, 400, 20, 70, 2000))
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(KeyboardInterrupt):
        ls.build_council(eng, ENGLAND.parent / "targets" / "england_by_la.csv", lambda _n: tmp_path / "mine" / "o.yaml",
                         figures=ls.Figures("Ours", 2023, 400, 20, 70, 2000))
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]  # the user's folder and file kept


@pytest.mark.parametrize(("value", "words"), [
    ("", "--la: an empty name (allowed: a name or DfE three-digit code"),
    ("E06000053", "an ONS code: give the authority's name or its DfE three-digit code instead"),
])
def test_an_empty_name_or_an_ons_code_is_said_plainly(tmp_path, value, words):
    """An empty --la listed all 151 authorities as "matches several"; the message offered E09000032 as an example of a
    code, which was never accepted (the figures carry DfE's codes: Wandsworth is 212)."""
    r = invoke("la-scenario", "--la", value, "--england", str(ENGLAND), "--out", str(tmp_path))
    assert r.exit_code == 2 and words in r.output and len(r.output.strip().splitlines()) == 1, r.output
    assert "E09000032" not in r.output and list(tmp_path.iterdir()) == []
    r = invoke("la-scenario", "--la", "212", "--england", str(ENGLAND), "--out", str(tmp_path), "--no-calibrate")
    assert r.exit_code == 0 and (tmp_path / "wandsworth.yaml").is_file()
