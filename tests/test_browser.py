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
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException  # noqa: E402
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


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(drv) -> list[str]:
    """WCAG violations found by axe-core, shipped inside the axe-selenium-python package (nothing fetched). Its
    axe-core knows the WCAG 2.0/2.1 A and AA rules; the tags it does not know (2.2 AA, in a newer axe) are skipped,
    not failed."""
    import axe_selenium_python

    js = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    drv.execute_script(js.read_text(encoding="utf-8"))
    drv.set_script_timeout(240)
    res = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const known = new Set(axe.getRules().flatMap(r => r.tags));"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0].filter(t => known.has(t))}})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ' at '"
        " + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ') + ')')))"
        ".catch(e => done(['axe failed: ' + e]));", AXE_TAGS)
    return res


def visible_before_method(drv) -> str:
    """The text a reader sees, up to the method section (descriptions, which are the user's own data, left out)."""
    return drv.execute_script(
        "const c = document.body.cloneNode(true);"
        "c.querySelectorAll('#method, .description, script, style').forEach(e => e.remove());"
        "c.querySelectorAll('details').forEach(d => d.open = true);"
        "document.body.append(c); const t = c.innerText; c.remove(); return t;")


def test_three_way_report_renders_every_rule_set_prints_to_a4_and_passes_axe(browser, tmp_path, small_dict):
    from simulator.report.names import find_code_names

    sc = write_scenario(tmp_path, dict(small_dict, description=EVIL), "small_la.yaml")
    out = tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", str(sc), "--rules", "current_2014", "--rules", "green_paper_2022",
                                  "--rules", "current_2014+mandatory_mediation", "-n", "2", "--seed", "2",
                                  "--until", "2019-09-30", "--workers", "2", "--out", str(out)])
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
    assert len(imgs) >= 5
    widths = [browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i) for i in imgs]
    assert all(w and w > 500 for w in widths), widths
    assert all(i.get_attribute("alt") for i in imgs)
    assert "What was compared" in browser.find_element(By.ID, "summary").text
    assert all(n.startswith(("data:", "file:")) for n in _resources(browser)), _resources(browser)
    text = visible_before_method(browser)
    assert find_code_names(text) == [], find_code_names(text)
    tables = " ".join(browser.execute_script(
        "return [...document.querySelectorAll('#charts details table')].map(t => t.textContent)"))
    for name in ("Current law", "SEND Green Paper 2022", "Mediation compulsory before any appeal"):
        assert name in tables, name  # every rule set is in the charts' data
    assert axe_violations(browser) == []
    browser.save_screenshot(str(shots(tmp_path) / "report.png"))
    # print: at the A4 text width (180 mm = 680 CSS px) no table or figure is wider than the page, and Chromium's
    # PDF has A4 pages only
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.set_window_size(680 + (browser.execute_script("return window.outerWidth - window.innerWidth") or 0), 1600)
    wide = browser.execute_script(
        "const w = document.documentElement.clientWidth;"
        "return [...document.querySelectorAll('table, th, td, figure, img, pre, h1, p')]"
        ".filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w + 1)"
        ".map(e => e.tagName + ' ' + e.getBoundingClientRect().right.toFixed(0) + ' > ' + w);")
    assert wide == [], wide
    import base64
    import re

    from selenium.webdriver.common.print_page_options import PrintOptions

    po = PrintOptions()
    po.page_width, po.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(po))
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes[:3]
    (shots(tmp_path) / "report.pdf").write_bytes(pdf)


def _start_server(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("sendsim", path=str(Path(sys.executable).parent)) or shutil.which("sendsim")
    assert exe, "sendsim is not installed"
    proc = subprocess.Popen([exe, "serve", "--port", "0", "--workdir", str(tmp_path / "work")],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()  # the ready line
    assert "ready at http://" in line, line
    return proc, line.split("ready at ")[1].split()[0]


def test_web_page_scrolls_to_bad_figures_shows_a_first_summary_soon_and_passes_axe(browser, tmp_path):
    from simulator.report.names import find_code_names

    proc, url = _start_server(tmp_path)
    try:
        browser.get(url)
        assert axe_violations(browser) == []
        assert find_code_names(browser.find_element(By.TAG_NAME, "body").text) == []
        fill = {"name": "Testshire", "requests_per_year": "1200", "refused_pct": "250", "within_20_weeks_pct": "50%",
                "plans_in_force": "4000", "replications": "100"}
        for k, v in fill.items():
            el = browser.find_element(By.ID, k)
            el.clear()
            el.send_keys(v)
        browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "err-refused_pct").text)
        assert "out of range" in browser.find_element(By.ID, "err-refused_pct").text  # inline, beside the field
        assert "at most 30" in browser.find_element(By.ID, "err-replications").text  # the cap, said on the page
        assert browser.find_element(By.ID, "err-within_20_weeks_pct").text == ""  # "50%" is accepted
        listed = browser.find_element(By.ID, "errors").text
        assert "out of range" in listed and "at most 30" in listed  # every bad field, beside Run
        assert browser.switch_to.active_element.get_attribute("id") == "refused_pct"  # focus on the first
        top = browser.execute_script("return document.getElementById('refused_pct').getBoundingClientRect().top")
        assert 0 <= top <= browser.execute_script("return window.innerHeight")  # and scrolled to it
        browser.save_screenshot(str(shots(tmp_path) / "web-bad-input.png"))
        for k, v in (("refused_pct", "25"), ("replications", "5")):
            el = browser.find_element(By.ID, k)
            el.clear()
            el.send_keys(v)
        Select = __import__("selenium.webdriver.support.ui", fromlist=["Select"]).Select
        Select(browser.find_element(By.ID, "reform")).select_by_value("white_paper_2026")
        t0 = time.perf_counter()
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "progress").text)
        browser.save_screenshot(str(shots(tmp_path) / "web-progress.png"))
        WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "summary").text.strip())
        first = time.perf_counter() - t0
        WebDriverWait(browser, 90).until(lambda d: d.find_element(By.ID, "status").text.startswith("Done"))
        everything = time.perf_counter() - t0
        imgs = browser.find_elements(By.CSS_SELECTOR, "#charts img")
        assert len(imgs) >= 3
        WebDriverWait(browser, 20).until(lambda d: all(d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 500", i) for i in imgs))
        summary = browser.find_element(By.ID, "summary").text
        assert "What was compared" in summary and "Testshire".lower() in summary.lower()
        assert "White Paper" in summary and "1. How long until a plan and provision" in summary
        assert find_code_names(browser.find_element(By.TAG_NAME, "body").text) == []
        href = browser.find_element(By.ID, "download").get_attribute("href")
        assert href.startswith(url) and href.endswith("report.html")
        assert all(n.startswith(url) for n in _resources(browser)), _resources(browser)
        assert axe_violations(browser) == []
        load = os.getloadavg()[0]
        print(f"web page: first summary {first:.1f} s, everything {everything:.1f} s (load average {load:.1f})")
        assert first < 20 * max(1.0, load / 2), f"first summary after {first:.1f} s at load {load:.1f}"
        browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "results"))
        browser.save_screenshot(str(shots(tmp_path) / "web-result.png"))
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(shots(tmp_path) / "web-form.png"))
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=15)
    assert rc == 0
    assert "stopped" in proc.stderr.read()


def _settled(read, timeout: float = 60.0):
    """`read()` once the page has stopped redrawing: results are drawn twice (a first summary, then the final one),
    so an element found in the first drawing can go stale before it is read."""
    end = time.time() + timeout
    while True:
        try:
            return read()
        except StaleElementReferenceException:
            if time.time() > end:
                raise
            time.sleep(0.25)


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
        Select(browser.find_element(By.ID, "horizon")).select_by_value("history")  # the years with figures
        reps = browser.find_element(By.ID, "replications")
        reps.clear()
        reps.send_keys("2")
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 240).until(lambda d: d.find_element(By.ID, "results").is_displayed())
        assert _settled(lambda: browser.find_element(By.ID, "baseline-year").text) == "2023"

        def cell(kind: str) -> str:
            return browser.find_element(By.ID, "baseline-within_20_weeks_pct").find_element(By.CLASS_NAME, kind).text
        assert _settled(lambda: cell("observed")) == "60.2"  # SEN2: Walsall 2023, 60.2%
        assert _settled(lambda: cell("model")) == f"{row['model_mean']:.1f}"
        built = list((tmp_path / "work").glob("*/scenario/walsall.yaml"))
        assert len(built) == 1 and built[0].read_bytes() == (tmp_path / "walsall.yaml").read_bytes()
        browser.save_screenshot(str(shots(tmp_path) / "web-walsall.png"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_a_listed_council_under_the_white_paper_runs_from_its_latest_caseload_past_the_changes(browser, tmp_path):
    """Wandsworth from the list, the White Paper, 3 runs: the form says each change's in-force date (September 2029
    for reassessment at phase transfer, September 2030 for the legal changes, as white_paper_2026.yaml states) and
    runs by default from January 2024 to 2033 (the last change's year + 3); the page's year-by-year table has a
    difference in plans in force in January for each year after 2031 whose 95% interval excludes 0, and none before
    2029 (the same children, nothing in force yet: exactly 0)."""
    proc, url = _start_server(tmp_path)
    try:
        browser.get(url)
        browser.find_element(By.CSS_SELECTOR, "input[name=source][value=council]").click()
        Select(browser.find_element(By.ID, "council")).select_by_visible_text("Wandsworth")
        Select(browser.find_element(By.ID, "reform")).select_by_value("white_paper_2026")
        listed = browser.find_element(By.ID, "in-force-list").text
        assert "in force from 1 September 2029" in listed and "in force from 1 September 2030" in listed
        assert browser.find_element(By.ID, "horizon-default").text.startswith("From January 2024 to December 2033")
        reps = browser.find_element(By.ID, "replications")
        reps.clear()
        reps.send_keys("3")
        t0 = time.perf_counter()
        browser.find_element(By.ID, "run").click()
        WebDriverWait(browser, 400, poll_frequency=1).until(lambda d: d.find_element(By.ID, "summary").text.strip())
        first = time.perf_counter() - t0
        WebDriverWait(browser, 400, poll_frequency=1).until(
            lambda d: d.find_element(By.ID, "status").text.startswith(("Done", "The run failed")))
        everything = time.perf_counter() - t0
        assert browser.find_element(By.ID, "status").text.startswith("Done"), browser.find_element(By.ID, "status").text
        assert "1 January 2024 to 31 December 2033" in browser.find_element(By.ID, "period").text
        summary = browser.find_element(By.ID, "summary").text
        # the summary's in-force dates, in words as the form says them (ISO dates before tests/test_user_review.py)
        assert "in force from 1 September 2030" in summary and "in force from 1 September 2029" in summary
        for year in range(2032, 2034):  # plans in force in January after 2031: every interval excludes 0
            row = browser.find_element(By.ID, f"by-year-plans_in_force_january-{year}")
            assert row.get_attribute("class") == "clear", row.text
            lo = float(row.find_element(By.CLASS_NAME, "lo").text.replace(",", ""))
            hi = float(row.find_element(By.CLASS_NAME, "hi").text.replace(",", ""))
            assert lo > 0 or hi < 0, row.text
        for year in range(2024, 2029):
            row = browser.find_element(By.ID, f"by-year-plans_in_force_january-{year}")
            assert row.find_element(By.CLASS_NAME, "diff").text == "0", row.text
        load = os.getloadavg()[0]
        print(f"web page, Wandsworth 2024-2033, 3 runs: first summary {first:.1f} s, everything {everything:.1f} s "
              f"(load average {load:.1f})")
        browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "by-year-box"))
        browser.save_screenshot(str(shots(tmp_path) / "web-white-paper-by-year.png"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
