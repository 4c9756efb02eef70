"""What the route modules use of Cython's pure-Python mode, for a run without Cython installed.

Why: the route modules (`engine/model/journey.py`, `population.py`, `costs.py`, `route/*.py`) are compiled by
Cython from the .py files themselves (setup.py), with `@cython.locals(c=Child)` on the steps, so that in the compiled
core a child's field is a C struct read. They `import cython` when it is there (a machine that built the core, or
has Cython for another reason: Cython's own shadow module, whose decorators do nothing when the code is not
compiled), and this module when it is not: the same decorators, doing nothing, so the .py files stay plain Python,
the pure path, with no run-time dependency on Cython.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class cython:  # noqa: N801 - named as the module it stands in for
    """The subset of the `cython` module that the compiled modules use: each decorator returns its function."""

    compiled = False
    Py_ssize_t = int  # a C index in the compiled core; a Python int here
    double = float  # a C double in the compiled core (the same IEEE value); a Python float here
    longlong = int  # a C 64-bit integer in the compiled core (a child's id); a Python int here

    @staticmethod
    def locals(**_types: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda f: f
