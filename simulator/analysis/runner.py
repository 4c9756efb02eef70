"""One replication runner and one executor: every command that runs replications goes through here.

`simulate` runs one replication's `Journey` (run, backtest, calibrate, case study, la-scenario all call it), with
the garbage collector paused: a replication allocates millions of long-lived objects and no cycles worth
collecting, so a collection pass over them is pure cost.

`map_shared` runs a function over jobs, in this process or in worker processes, with one shared object (the loaded
scenario) handed to each worker once; results come back in the order of the jobs, so they never depend on the
number of workers or the order jobs finish in. Workers are forked where the platform can (they inherit the object
without copying); elsewhere the object is pickled to them (every schema object, the loaded scenario and the
compiled Law can be pickled: a test round-trips them).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from ..engine.core.loop import make_engine
from ..engine.core.streams import Streams
from ..engine.model.journey import Journey
from ..engine.model.records import Recorder
from ..rules.scenario import LoadedScenario

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (reference counting still frees what is dropped)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def simulate(loaded: LoadedScenario, seed: int, replication: int, engine: str = "heap",
             recorder: Recorder | None = None, prepare: Callable[[Journey], None] | None = None) -> Journey:
    """Run one replication and return its finished Journey (counts, children, snapshots).

    `prepare(journey)` runs after the population is made and before the clock starts (a case study adds its
    child there)."""
    eng = make_engine(engine)
    j = Journey(loaded, eng, Streams(seed, replication), recorder)
    with collector_paused():
        j.populate()
        if prepare is not None:
            prepare(j)
        j.simulate()
    return j


_SHARED: Any = None


def _install(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call(fn: Callable[[Any, Any], Any], job: Any) -> Any:
    return fn(_SHARED, job)


def _context() -> Any:
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def default_workers(jobs: int) -> int:
    """One worker per job, up to the machine's CPUs."""
    return max(1, min(jobs, os.cpu_count() or 1))


def map_shared(fn: Callable[[S, J], R], shared: S, jobs: Sequence[J], workers: int = 1) -> Iterator[R]:
    """`fn(shared, job)` for every job, in the order of `jobs`, in `workers` processes (1: this process)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield fn(shared, job)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=_context(), initializer=_install,
                             initargs=(shared,)) as pool:
        futures = [pool.submit(_call, fn, job) for job in jobs]
        for f in futures:
            yield f.result()
