"""The compiled core: whether the engine's hot modules run compiled, and the way back to pure Python.

Why: the event loop, the resources, the random streams, the benchmark model, the counts (`model/records.py`) and
the route's steps (`model/journey.py`, `population.py`, `costs.py`, `route/*.py`, with `Child` and `Journey`'s data,
`model/child.py` and `model/state.py`, and an authority's state, `model/capacity.py`, as extension types) run every
event of every run, and CPython's cost per operation is most of their time. `pip install` compiles those modules
(`MODULES`) with Cython from their own .py files (see setup.py; each `.pxd` beside a .py declares its C types) into
extension modules next to them, and Python's import system takes an extension module before a .py of the same name.
The .py files are both the source of the compiled modules and the pure path: the same code, so both give identical
results, byte for byte (tests/test_accelerator.py checks the benchmark and a run of small_la).

The pure .py modules are imported instead when
- SENDSIM_PURE_PYTHON=1 is set (to compare, to profile with cProfile, to debug), silently; or
- the compiled core cannot be used: a module was not built (no C compiler, or the build failed), or, in a source
  checkout, a .py or .pxd changed after the build (an editable install does not rebuild by itself: without this
  an edit of loop.py would silently not run). Then one line on stderr says so, once (child processes inherit
  the note that it was shown).
All of them are switched together: compiled modules use each other's C types, so a mixture cannot load.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import IO, Any

# in import order: a compiled module refers to the C types of the ones before it
MODULES = (
    "simulator.engine.core.loop", "simulator.engine.core.resources", "simulator.engine.core.streams",
    "simulator.engine.bench", "simulator.engine.model.records", "simulator.engine.model.streams",
    "simulator.engine.model.child", "simulator.engine.model.state", "simulator.engine.model.capacity",
    "simulator.engine.model.costs", "simulator.engine.model.population",
    *(f"simulator.engine.model.route.{m}" for m in ("content", "placement", "redress", "assessment",
                                                     "review_windows", "reviews", "elsewhere", "moves", "plan",
                                                     "tribunal")),
    "simulator.engine.model.journey")
ENV_PURE = "SENDSIM_PURE_PYTHON"
_ENV_NOTICE = "SENDSIM_CORE_NOTICE_SHOWN"
_ROOT = Path(__file__).resolve().parents[3]  # the folder that holds the `simulator` package


def source_file(module: str, root: Path = _ROOT) -> Path:
    """The .py file of one of the compiled modules."""
    return root.joinpath(*module.split(".")).with_suffix(".py")


def compiled_file(module: str, root: Path = _ROOT) -> Path | None:
    """The extension module built from it (e.g. loop.cpython-311-x86_64-linux-gnu.so), or None if there is none."""
    src = source_file(module, root)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = src.with_name(src.stem + suffix)
        if p.is_file():
            return p
    return None


def pure_requested(env: MutableMapping[str, str] | None = None) -> bool:
    """SENDSIM_PURE_PYTHON set to anything but empty or 0."""
    env = os.environ if env is None else env
    return env.get(ENV_PURE, "").strip() not in ("", "0")


def unusable(root: Path = _ROOT, modules: Sequence[str] = MODULES) -> str | None:
    """Why the compiled core cannot be used, or None if every module is built and up to date.

    Up to date is checked only in a source checkout (pyproject.toml beside the package: an editable install), where
    a file can change after the build; an installed wheel's files are written at install time, in no set order.
    """
    checkout = (root / "pyproject.toml").is_file()
    for m in modules:
        so = compiled_file(m, root)
        if so is None:
            return f"the compiled core is not built ({m} has no extension module)"
        if checkout:
            src = source_file(m, root)
            built = so.stat().st_mtime
            for f in (src, src.with_suffix(".pxd")):
                if f.is_file() and f.stat().st_mtime > built:
                    return (f"the compiled core is older than its source ({f.name} changed after the build; "
                            f"`pip install -e .` rebuilds it)")
    return None


class PureFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' .py files before Python's own finder would find their extension modules."""

    def __init__(self, root: Path = _ROOT, modules: Sequence[str] = MODULES):
        self.root = root
        self.modules = frozenset(modules)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, source_file(fullname, self.root))


def install(env: MutableMapping[str, str] | None = None, stream: IO[str] | None = None, root: Path = _ROOT,
            meta_path: list[Any] | None = None) -> bool:
    """Choose the core before any of its modules is imported; True if the compiled one will be used.

    Called by `simulator.engine`'s __init__, so it runs before `core.loop` or `bench` can be imported.
    """
    env = os.environ if env is None else env
    meta_path = sys.meta_path if meta_path is None else meta_path
    if pure_requested(env):
        reason = ""
    else:
        reason = unusable(root) or ""
        if not reason:
            return True
    if not any(isinstance(f, PureFinder) for f in meta_path):
        meta_path.insert(0, PureFinder(root))
    if reason and not env.get(_ENV_NOTICE):
        print(f"sendsim: {reason}; running the pure-Python core (same results, slower)",
              file=sys.stderr if stream is None else stream)
        env[_ENV_NOTICE] = "1"
    return False


def compiled() -> bool:
    """Whether the core in use is the compiled one (the loaded event loop is an extension module)."""
    from . import loop

    return not str(loop.__file__).endswith(".py")
