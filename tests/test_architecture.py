"""The house's layers: imports only go downward, there is no import circle, and modules stay small.

schema <- rules <- engine.core <- engine.model <- analysis <- report <- web <- cli. A module may import its own layer and
the ones below; `engine.core` (the generic event core) imports nothing of the project outside itself, so it can
never come to know of SEND; `schema` imports nothing but `schema`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "simulator"
LAYERS = ("schema", "rules", "engine.core", "engine.model", "analysis", "report", "web", "cli")
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
    bad.write_text("from ...analysis import metrics\n")
    try:
        imports = project_imports(bad)
        assert imports == {"simulator.analysis.metrics"}
        assert layer("simulator.analysis.metrics") > layer(module_name(bad))
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
