"""In a real browser (headless Chromium from Debian, driven by Selenium): the report and the web page.

`.ci/run` installs `chromium` and `chromium-driver` when they are missing; without them these tests are skipped
with the reason. Screenshots go to $SENDSIM_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

from .conftest import write_scenario

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium and chromium-driver not installed "
                                                                   "(apt-get install -y chromium chromium-driver)")
EVIL = "<script>alert(1)</script> evil description"


def shots(tmp_path: Path) -> Path:
    d = Path(os.environ.get("SENDSIM_SCREENSHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                 "--window-size=1200,1600"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def _resources(drv) -> list[str]:
    return drv.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")


def test_report_renders_its_charts_shows_markup_as_text_and_loads_nothing(browser, tmp_path, small_dict):
    sc = write_scenario(tmp_path, dict(small_dict, description=EVIL), "small_la.yaml")
    out = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", str(sc), "--rules", "current_2014", "--rules", "green_paper_2022",
                                  "-n", "3", "--seed", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "report.html")])
    assert r.exit_code == 0, r.output
    browser.get((tmp_path / "report.html").as_uri())
    with pytest.raises(NoAlertPresentException):  # the description's script did not run
        browser.switch_to.alert.text  # noqa: B018
    desc = browser.find_element(By.ID, "scenario-description").text
    assert desc == EVIL  # shown as text, not run
    assert browser.find_elements(By.CSS_SELECTOR, "#scenario-description script") == []
    imgs = browser.find_elements(By.CSS_SELECTOR, "#charts img")
    assert len(imgs) >= 3
    widths = [browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i) for i in imgs]
    assert all(w and w > 500 for w in widths), widths
    assert "What was compared" in browser.find_element(By.ID, "summary").text
    assert all(n.startswith(("data:", "file:")) for n in _resources(browser)), _resources(browser)
    browser.save_screenshot(str(shots(tmp_path) / "report.png"))


def _start_server(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("sendsim", path=str(Path(sys.executable).parent)) or shutil.which("sendsim")
    assert exe, "sendsim is not installed"
    proc = subprocess.Popen([exe, "serve", "--port", "0", "--workdir", str(tmp_path / "work")],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()  # the ready line
    assert "ready at http://" in line, line
    return proc, line.split("ready at ")[1].split()[0]


def test_web_page_takes_the_four_figures_runs_and_shows_charts_and_summary(browser, tmp_path):
    proc, url = _start_server(tmp_path)
    try:
        browser.get(url)
        fill = {"name": "Testshire", "requests_per_year": "1200", "refused_pct": "250", "within_20_weeks_pct": "50",
                "plans_in_force": "4000"}
        for k, v in fill.items():
            el = browser.find_element(By.ID, k)
            el.clear()
            el.send_keys(v)
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "err-refused_pct").text)
        assert "out of range" in browser.find_element(By.ID, "err-refused_pct").text  # inline, beside the field
        el = browser.find_element(By.ID, "refused_pct")
        el.clear()
        el.send_keys("25")
        t0 = time.perf_counter()
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "results").is_displayed())
        seconds = time.perf_counter() - t0
        assert browser.find_element(By.ID, "err-refused_pct").text == ""
        imgs = browser.find_elements(By.CSS_SELECTOR, "#charts img")
        assert len(imgs) >= 3
        WebDriverWait(browser, 20).until(lambda d: all(d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 500", i) for i in imgs))
        summary = browser.find_element(By.ID, "summary").text
        assert "What was compared" in summary and "Testshire".lower() in summary.lower()
        assert "SEND Green Paper 2022" in summary or "Schools White Paper" in summary or "Improvement" in summary
        href = browser.find_element(By.ID, "download").get_attribute("href")
        assert href.startswith(url) and href.endswith("report.html")
        assert all(n.startswith(url) for n in _resources(browser)), _resources(browser)
        assert seconds < 30, f"first result after {seconds:.1f} s"
        browser.save_screenshot(str(shots(tmp_path) / "web-form.png"))
        browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "results"))
        browser.save_screenshot(str(shots(tmp_path) / "web-results.png"))
        print(f"web page: first result in {seconds:.1f} s")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=15)
    assert rc == 0
    assert "stopped" in proc.stderr.read()


def test_a_council_picked_on_the_page_matches_la_scenario_and_its_backtest(browser, tmp_path):
    """Walsall from the list: the page builds the file `la-scenario --la Walsall` writes, byte for byte, and its %
    within 20 weeks in the latest year with figures is the backtest's of that file (same seed, replications)."""
    (tmp_path / "rules").symlink_to(Path(__file__).resolve().parent.parent / "scenarios" / "rules")
    r = CliRunner().invoke(main, ["la-scenario", "--la", "Walsall", "--out", str(tmp_path / "walsall.yaml")])
    assert r.exit_code == 0, r.output
    b = CliRunner().invoke(main, ["backtest", str(tmp_path / "walsall.yaml"), "-n", "2", "--workers", "2", "--json"])
    assert b.exit_code in (0, 3), b.output
    (row,) = [x for x in json.loads(b.stdout)["rows"] if x["metric"] == "within_20_weeks_pct" and x["period"] == "2023"]
    proc, url = _start_server(tmp_path)
    try:
        browser.get(url)
        browser.find_element(By.CSS_SELECTOR, "input[name=source][value=council]").click()
        assert "2019-2023" in browser.find_element(By.ID, "council-year").text  # the latest year with figures
        Select(browser.find_element(By.ID, "council")).select_by_visible_text("Walsall")
        reps = browser.find_element(By.ID, "replications")
        reps.clear()
        reps.send_keys("2")
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 240).until(lambda d: d.find_element(By.ID, "results").is_displayed())
        assert browser.find_element(By.ID, "baseline-year").text == "2023"
        cells = browser.find_element(By.ID, "baseline-within_20_weeks_pct")
        assert cells.find_element(By.CLASS_NAME, "observed").text == "60.2"  # SEN2: Walsall 2023, 60.2%
        assert cells.find_element(By.CLASS_NAME, "model").text == f"{row['model_mean']:.1f}"
        built = list((tmp_path / "work").glob("*/scenario/walsall.yaml"))
        assert len(built) == 1 and built[0].read_bytes() == (tmp_path / "walsall.yaml").read_bytes()
        browser.save_screenshot(str(shots(tmp_path) / "web-walsall.png"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
