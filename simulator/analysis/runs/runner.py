"""One replication runner and one executor: every command that runs replications goes through here.

`simulate` runs one replication's `Journey` (run, backtest, calibrate, case study, la-scenario all call it), with
the garbage collector paused: a replication allocates millions of long-lived objects and no cycles worth
collecting, so a collection pass over them is pure cost.

`map_shared` runs a function over jobs, in this process or in worker processes, with one shared object (the loaded
scenario) handed to each worker once; results come back in the order of the jobs, so they never depend on the
number of workers or the order jobs finish in. Workers are forked where the platform can (they inherit the object
without copying); elsewhere the object is pickled to them (every schema object, the loaded scenario and the
compiled Law can be pickled: a test round-trips them).

Workers die with their parent, whatever kills it. Each worker ignores SIGINT (Ctrl-C reaches the whole process
group; the parent decides), asks Linux to send it SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`), and
watches its parent's pid from a thread as well (other systems, or a parent that died before the `prctl`). When the
parent is interrupted (KeyboardInterrupt, or SIGTERM turned into `Interrupted` by `interrupt_on_sigterm`),
`map_shared` cancels what has not started and kills its workers before the exception goes on, so no worker outlives
the command or keeps writing.

A batch needs more than one machine can give, so the same replication function also runs on other executors:
`Executor` is the interface (results as they finish, with the index of their job), `ProcessExecutor` the local
pool, and `analysis.batch.dask_executor.DaskExecutor` a `dask.distributed` cluster (optional extra `sendsim[dask]`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from ...engine.core.loop import make_engine
from ...engine.core.streams import Streams
from ...engine.model.journey import Journey
from ...engine.model.records import Recorder
from ...rules.scenario import LoadedScenario

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


def release(j: Journey) -> None:
    """Drop everything a finished Journey holds. Why: the journey is in reference cycles (queued jobs hold its
    bound methods, resources their own), so dropping it frees nothing until the cyclic collector traverses every
    object of the run (about 0.8 s for a national year); with its attributes cleared, its children, events and
    counts are freed at once by reference counting, and only a few small cycles are left to the collector. Its
    instance dictionary and its slots (`engine.model.state.RunState`) both."""
    vars(j).clear()
    j.drop_state()


_SHARED: Any = None
PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM); the CLI reports it like Ctrl-C, with how to resume."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


LAST_SIGNAL = 0  # the last SIGTERM or SIGHUP `interrupt_on_sigterm`'s handler turned into `Interrupted` (0: none)


def interrupt_on_sigterm() -> None:
    """SIGTERM, and SIGHUP (the terminal closed) unless ignored (`nohup`), raise `Interrupted` in the main thread, so
    the same clean-up runs as for Ctrl-C (a SIGHUP used to kill the run where it stood: exit 129, no message)."""

    def handler(signum: int, _frame: object) -> None:
        global LAST_SIGNAL
        LAST_SIGNAL = signum
        raise Interrupted(signum)

    signal.signal(signal.SIGTERM, handler)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, handler)


def _die_with(parent: int) -> None:
    """In a worker: be killed when the parent dies (Linux), and exit if it is gone (every platform)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _install(shared: Any, parent: int | None = None) -> None:
    global _SHARED
    _SHARED = shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if parent is not None:
        _die_with(parent)


def _call(fn: Callable[[Any, Any], Any], job: Any) -> Any:
    return fn(_SHARED, job)


def _context() -> Any:
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def default_workers(jobs: int) -> int:
    """One worker per job, up to the machine's CPUs."""
    return max(1, min(jobs, os.cpu_count() or 1))


def map_shared(fn: Callable[[S, J], R], shared: S, jobs: Sequence[J], workers: int = 1) -> Iterator[R]:
    """`fn(shared, job)` for every job, in the order of `jobs`, in `workers` processes (1: this process): the
    in-order view of `ProcessExecutor` (results are yielded as soon as every earlier job has finished)."""
    return ProcessExecutor(workers).ordered(fn, shared, jobs)


@contextmanager
def _worker_pool(workers: int, shared: Any) -> Iterator[ProcessPoolExecutor]:
    """The one local pool every executor view uses: workers that get the shared object once, ignore Ctrl-C and die
    with this process (`_die_with` its pid); on an interruption, a failure or an early stop, queued jobs are
    cancelled and the workers killed before the exception goes on."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_install,
                               initargs=(shared, os.getpid()))
    finished = False
    try:
        yield pool
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # interrupted, failed, or the consumer stopped early: no worker may go on
            _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued jobs and kill its workers (a running replication is not waited for)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    # In a thread, joined for at most 2 s: a SIGTERM raised in the main thread while it held one of the pool's
    # locks (in `submit`, say) would otherwise leave `shutdown` waiting for that lock for ever. The workers are
    # killed either way, and the pool's own threads see them go.
    stopper = threading.Thread(target=pool.shutdown, kwargs={"wait": False, "cancel_futures": True},
                               name="pool-shutdown", daemon=True)
    stopper.start()
    stopper.join(timeout=2)
    for p in procs:
        if p.is_alive():
            p.kill()
    for p in procs:
        p.join(timeout=5)


class ExecutorError(Exception):
    """An executor cannot run (its optional package is missing, its cluster is unreachable or runs another
    sendsim): the CLI prints the one line and exits 1."""


class Executor(Protocol):
    """Runs `fn(shared, job)` for every job and yields `(index of the job, result)` as each one finishes.

    The order results arrive in depends on the executor; anything that keeps results orders them by index, so
    what is written never depends on the executor. A caller that stops early (an interrupted batch) closes the
    iterator, and the executor cancels what has not started."""

    name: str

    def completed(self, fn: Callable[[S, J], R], shared: S, jobs: Sequence[J]) -> Iterator[tuple[int, R]]: ...


class ProcessExecutor:
    """This process (1 worker) or a pool of local processes, the shared object handed to each worker once."""

    def __init__(self, workers: int = 1):
        self.workers = max(1, workers)
        self.name = f"processes:{self.workers}"

    def completed(self, fn: Callable[[S, J], R], shared: S, jobs: Sequence[J]) -> Iterator[tuple[int, R]]:
        if self.workers <= 1 or len(jobs) <= 1:
            for i, job in enumerate(jobs):
                yield i, fn(shared, job)
            return
        with _worker_pool(min(self.workers, len(jobs)), shared) as pool:
            futures = {pool.submit(_call, fn, job): i for i, job in enumerate(jobs)}
            for f in as_completed(futures):
                yield futures[f], f.result()

    def ordered(self, fn: Callable[[S, J], R], shared: S, jobs: Sequence[J]) -> Iterator[R]:
        """Results in the order of the jobs, each as soon as it and every earlier one are done (a run's progress
        and its replication folders follow the replications' order)."""
        if self.workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                yield fn(shared, job)
            return
        with _worker_pool(min(self.workers, len(jobs)), shared) as pool:
            futures = [pool.submit(_call, fn, job) for job in jobs]
            for f in futures:
                yield f.result()


def in_order(executor: Executor, fn: Callable[[S, J], R], shared: S, jobs: Sequence[J]) -> list[R]:
    """Every result, in the order of the jobs, whatever order the executor finished them in."""
    out: dict[int, R] = dict(executor.completed(fn, shared, jobs))
    return [out[i] for i in range(len(jobs))]


def _worker_version() -> str:
    from ... import __version__

    return __version__
