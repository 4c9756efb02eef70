"""The house's layers: imports only go downward, there is no import circle, and modules stay small.

schema <- rules <- engine.core <- engine.bench <- engine.model <- analysis <- report <- api <- web <- cli (`api`: the Python
functions every command calls, returning tidy tables). A module may import
its own layer and the ones below; `engine.core` (the generic event core) imports nothing of the project outside itself,
so it can never come to know of SEND; `schema` imports nothing but `schema`; `engine.bench` (the generic benchmark
network) drives the core and never the SEND model.

The analysis layer has three rooms: `runs` (replications, run folders, metrics, compare, case study, results), `fit`
(calibration, backtest, la-scenario) and `batch` (sweeps, executors, catalogue, sensitivity). `fit` and `batch` may
import `runs`; `runs` imports neither; `fit` and `batch` do not import each other; no module sits loose beside them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "simulator"
LAYERS = ("schema", "rules", "engine.core", "engine.bench", "engine.model", "analysis", "report", "api", "web", "cli")
MAX_LINES = 400
LONG_REASON = "Why this module is long:"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> int | None:
    """Rank of a project module's layer; None for the package root (`simulator`, its version)."""
    rest = module.removeprefix("simulator").lstrip(".")
    for rank in range(len(LAYERS) - 1, -1, -1):
        name = LAYERS[rank]
        if rest == name or rest.startswith(name + "."):
            return rank
    if rest == "engine":
        return LAYERS.index("engine.core")
    return None


def project_imports(path: Path) -> set[str]:
    """Every project module a file imports (relative imports resolved), wherever the import statement is."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "simulator"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "simulator":
                continue
            for a in node.names:  # `from . import x` may name a module
                sub = f"{target}.{a.name}"
                out.add(sub if (ROOT / (sub.replace(".", "/") + ".py")).is_file()
                        or (ROOT / sub.replace(".", "/")).is_dir() else target)
    return out


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def test_every_module_belongs_to_a_layer():
    stray = [m for m in modules() if layer(m) is None and m not in ("simulator",)]
    assert not stray, f"modules outside the layers: {stray}"


def test_imports_only_go_downward():
    wrong = []
    for mod, path in modules().items():
        own = layer(mod)
        for imp in project_imports(path):
            other = layer(imp)
            if other is None:
                continue  # the package root: its version
            if own is not None and other > own:
                wrong.append(f"{mod} ({LAYERS[own]}) imports {imp} ({LAYERS[other]})")
            if own == LAYERS.index("engine.core") and other != own:
                wrong.append(f"{mod} is the generic engine core but imports {imp}")
    assert not wrong, "\n".join(wrong)


def test_no_import_circle():
    graph = {m: {i for i in project_imports(p) if i in modules() and i != m} for m, p in modules().items()}
    # a package's __init__ is imported with any of its modules: count only explicit edges
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            circle = visit(m)
            assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The layer rule above can fail: an engine module importing the analysis layer is caught."""
    bad = PKG / "engine" / "model" / "_probe_for_test.py"
    bad.write_text("from ...analysis.runs import metrics\n")
    try:
        imports = project_imports(bad)
        assert imports == {"simulator.analysis.runs.metrics"}
        assert layer("simulator.analysis.runs.metrics") > layer(module_name(bad))
    finally:
        bad.unlink()


def test_modules_stay_small_or_say_why():
    long = []
    for mod, path in modules().items():
        text = path.read_text()
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > MAX_LINES and LONG_REASON not in doc:
            long.append(f"{mod}: {n} lines")
    assert not long, f"modules over {MAX_LINES} lines with no stated reason ({LONG_REASON!r}): {long}"


def test_every_module_says_why_it_exists():
    missing = [m for m, p in modules().items() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, f"modules without a docstring: {missing}"


ROOMS = ("runs", "fit", "batch")
# which rooms each room may import (its own always)
ROOM_MAY_IMPORT = {"runs": set(), "fit": {"runs"}, "batch": {"runs"}}


def room(module: str) -> str | None:
    """The analysis room of a module (`simulator.analysis.fit.backtest` -> "fit"); None outside the rooms."""
    parts = module.split(".")
    if parts[:2] == ["simulator", "analysis"] and len(parts) >= 3 and parts[2] in ROOMS:
        return parts[2]
    return None


def room_violations(mods: dict[str, Path]) -> list[str]:
    wrong = []
    for mod, path in mods.items():
        own = room(mod)
        if own is None:
            continue
        for imp in project_imports(path):
            other = room(imp)
            if other is not None and other != own and other not in ROOM_MAY_IMPORT[own]:
                wrong.append(f"{mod} ({own}) imports {imp} ({other})")
    return wrong


def test_analysis_has_three_rooms_and_nothing_loose():
    analysis = PKG / "analysis"
    assert all((analysis / r / "__init__.py").is_file() for r in ROOMS)
    loose = sorted(p.name for p in analysis.glob("*.py") if p.name != "__init__.py")
    assert not loose, f"modules loose beside the rooms: {loose}"
    others = sorted(p.name for p in analysis.iterdir() if p.is_dir() and p.name not in ROOMS and p.name != "__pycache__")
    assert not others, f"folders in analysis/ that are not rooms: {others}"


def test_rooms_import_only_what_they_may():
    wrong = room_violations(modules())
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_room_climbing():
    """The room rule can fail: `runs` importing `fit`, or `batch` importing `fit`, is caught."""
    probes = {PKG / "analysis" / "runs" / "_probe_for_test.py": "from ..fit import backtest\n",
              PKG / "analysis" / "batch" / "_probe_for_test2.py": "from ..fit.calibrate import clip\n"}
    try:
        for p, text in probes.items():
            p.write_text(text)
        wrong = room_violations({module_name(p): p for p in probes})
        assert len(wrong) == 2, wrong
        assert any("(runs) imports simulator.analysis.fit" in w for w in wrong)
        assert any("(batch) imports simulator.analysis.fit.calibrate" in w for w in wrong)
    finally:
        for p in probes:
            p.unlink(missing_ok=True)


def test_the_api_sits_between_report_and_web_and_every_command_calls_it():
    """`simulator.api` is above report, below web and cli; an api module importing web would be caught; the CLI's
    run, compare, case-study, batch and backtest import their function from it (the same code for both)."""
    api = layer("simulator.api")
    assert LAYERS.index("report") < api < LAYERS.index("web") < LAYERS.index("cli")
    assert layer("simulator.web.app") > api and layer("simulator.report.tables") < api
    assert {i for i in project_imports(PKG / "api.py") if layer(i) is not None and layer(i) > api} == set()
    calls = {"__init__.py": "run", "commands/compare.py": "compare", "commands/case_study.py": "case_study",
             "commands/batch.py": "batch", "commands/backtest.py": "backtest"}
    for rel, fn in calls.items():
        imports = project_imports(PKG / "cli" / rel)
        assert "simulator.api" in imports, f"cli/{rel} does not call simulator.api.{fn}"
        assert f"import {fn} as" in (PKG / "cli" / rel).read_text()
