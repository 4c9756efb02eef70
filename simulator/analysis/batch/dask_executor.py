"""The `dask.distributed` executor: the same replication function on a local cluster or an existing one.

`DaskExecutor("local")` starts a `LocalCluster` of worker processes on this machine; `DaskExecutor("tcp://HOST:PORT")`
connects to a running scheduler (one started by `dask scheduler`, `dask-jobqueue` on a batch system, or the Dask
Kubernetes operator: every worker needs the same sendsim installed). The shared object (the batch plan) is sent to
every worker once (`scatter(broadcast=True)`); each task is one future. Workers running another sendsim version
are refused before any task is sent, since they could compute other numbers under the same identifiers.

Dask is an optional extra (`pip install 'sendsim[dask]'`); without it, or with an unreachable scheduler, the
executor raises `ExecutorError` (one line; the CLI exits 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ... import __version__
from ..runs.runner import ExecutorError, _worker_version

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")

INSTALL = "pip install 'sendsim[dask]'"
CONNECT_TIMEOUT_S = 10


class DaskExecutor:
    """A `dask.distributed` client: `address` is `local` (a LocalCluster of `workers` processes) or a scheduler."""

    def __init__(self, address: str = "local", workers: int = 2):
        self.address = address
        self.workers = max(1, workers)
        self.name = f"dask:{address}"
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            import dask.config
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(f"dask.distributed is not installed: {INSTALL}") from None
        dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT_S}s"})
        try:
            if self.address == "local":
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.CRITICAL)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError, RuntimeError) as e:
            self.__exit__(None, None, None)
            raise ExecutorError(f"cannot reach the Dask scheduler at {self.address}: "
                                f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
        theirs = self._client.run(_worker_version)
        other = sorted({v for v in theirs.values() if v != __version__})
        if other:
            self.__exit__(None, None, None)
            raise ExecutorError(f"Dask workers at {self.address} run sendsim {', '.join(other)}, this is "
                                f"{__version__}: install the same version on every worker")
        if not theirs:
            self.__exit__(None, None, None)
            raise ExecutorError(f"the Dask scheduler at {self.address} has no workers")
        return self

    def __exit__(self, *exc: object) -> None:
        # closing mid-task (Ctrl-C, SIGTERM) makes the in-process scheduler log tracebacks of the comms it cuts:
        # the user asked for the stop, so the one line the CLI prints is the whole story
        names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("distributed", "tornado")]
        for name in ("distributed", "tornado", "asyncio", *names):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def completed(self, fn: Callable[[S, J], R], shared: S, jobs: Sequence[J]) -> Iterator[tuple[int, R]]:
        from distributed import as_completed

        if self._client is None:
            raise ExecutorError("DaskExecutor used outside `with`")
        if not jobs:
            return
        shared_f = self._client.scatter(shared, broadcast=True)
        # one future a job: measured on 2 cores, grouping jobs into chunks was no faster (the scheduler's cost is
        # about a millisecond a task, a small_la year a tenth of a second) and balanced the end of a batch worse
        futures = [self._client.submit(fn, shared_f, job, pure=False) for job in jobs]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in as_completed(futures):
                yield index[f.key], f.result()
        finally:
            self._client.cancel(futures)

