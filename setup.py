"""Build of the optional compiled core: Cython compiles the engine's hot modules from their own .py files.

Why a setup.py beside pyproject.toml: the project's metadata stays in pyproject.toml; this file only declares the
extension modules. `pip install -e .` (or `pip install .`) compiles

    simulator/engine/core/loop.py, resources.py, streams.py, simulator/engine/bench.py,
    simulator/engine/model/records.py (the counts), streams.py (the route's typed stream set), child.py and
    state.py (`Child` and `Journey`'s data as extension types), capacity.py (an authority's resources and
    rates), and the route: journey.py, population.py, costs.py and route/*.py

with Cython (a build requirement, from PyPI), each with its `.pxd` beside it declaring the types, into extension
modules next to the .py files. The route's steps are methods of plain Python classes, which a `.pxd` cannot type:
they declare their `self` and child in the .py itself, `@cython.locals(self=RunState, c=Child)`, which Cython reads
when it compiles and which does nothing in pure Python (Cython's own shadow module, or `core/cython_shim.py` where
Cython is not installed). The .py files stay plain Python and are the pure path: Python imports the extension
when it is there, and `simulator/engine/core/accelerator.py` falls back to the .py files (SENDSIM_PURE_PYTHON=1, or
no usable build) with a notice.

Floating point stays byte-identical to the pure path: no -ffast-math, and -ffp-contract=off so that the C compiler
never fuses a multiply and an add into one FMA (rounded once instead of twice, as Python rounds them).

Where there is no C compiler, or the build fails for any other reason, the install goes on without the extension
modules (a warning in pip's log) and sendsim runs the pure-Python core.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

# the compiled modules are the ones the accelerator switches (one list, in import order): read from its file, which
# imports only the standard library, without importing the package (its dependencies may not be installed yet)
COMPILED = runpy.run_path(str(Path(__file__).resolve().parent / "simulator" / "engine" / "core" / "accelerator.py"))[
    "MODULES"]
CFLAGS = ["-ffp-contract=off", "-fno-fast-math"]
DIRECTIVES = {
    "language_level": 3,
    "annotation_typing": False,  # the .py's annotations are for readers and type checkers, not C types
    "binding": True,             # functions keep Python's introspection (signatures, docstrings)
    "embedsignature": True,
    "boundscheck": True,         # the same IndexError as Python
    "wraparound": True,
    "cdivision": False,          # Python's division semantics (ZeroDivisionError, floor of negatives)
    "infer_types": False,        # only the types the .pxd files declare: no silent change of an int to a C long
}


def _warn(msg: str) -> None:
    print(f"sendsim: {msg}; the pure-Python core will be used (same results, slower)", file=sys.stderr)


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError as e:
        _warn(f"Cython is not available ({e}), so the compiled core is not built")
        return []
    exts = [Extension(name, [name.replace(".", "/") + ".py"], extra_compile_args=CFLAGS) for name in COMPILED]
    try:
        return cythonize(exts, compiler_directives=DIRECTIVES, quiet=True)
    except Exception as e:  # noqa: BLE001 - a Cython error must not stop the install: the pure path works
        _warn(f"Cython could not translate the core ({e})")
        return []


class OptionalBuildExt(build_ext):
    """build_ext that never fails the install: a module that does not compile is left out (pure Python instead)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 - no compiler at all (DistutilsPlatformError) and the like
            _warn(f"the compiled core could not be built ({e})")

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001 - a compiler error in one module
            _warn(f"{ext.name} could not be compiled ({e})")


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
