"""A planned batch run end to end: the executor chosen, the folder locked, tasks run, catalogue and indices written.

One function the CLI and `compare --sensitivity` both call, so the order (executor reachable before anything is
written; the catalogue only after every task finished) is decided once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from ..runs.runner import Executor, ProcessExecutor
from .catalogue import identity, write_catalogue
from .folder import BatchFolder
from .plan import BatchResult, Plan, run_batch
from .sensitivity import sensitivity


def make_executor(stack: ExitStack, workers: int, dask_address: str | None) -> Executor:
    """Local processes, or a Dask client (entered on `stack`, so it closes with it)."""
    if dask_address is None:
        return ProcessExecutor(workers)
    from .dask_executor import DaskExecutor

    return stack.enter_context(DaskExecutor(dask_address, workers if workers > 1 else 2))


def run_sweep(p: Plan, out: Path | None, workers: int = 1, dask_address: str | None = None,
              resume: bool = False, progress: Callable[[str], None] | None = None) -> BatchResult:
    """Run every missing task of `p` into the folder `out` (or only in memory if None); write the tidy tables, the
    manifest and sensitivity.json; return the result with its sensitivity."""
    with ExitStack() as stack:
        ex = make_executor(stack, workers, dask_address)
        folder = stack.enter_context(BatchFolder(out, identity(p), resume)) if out is not None else None
        res = run_batch(p, ex, folder, progress)
        res.sensitivity = sensitivity(res)
        if folder is not None:
            write_catalogue(res, folder)
            folder.write_text("sensitivity.json", json.dumps(res.sensitivity, indent=2, sort_keys=True,
                                                             allow_nan=False) + "\n")
    return res
