"""The event core: a clock, a heap of future events, and capacity-limited resources.

The engine knows times, events and resources; it knows nothing of SEND. Journey steps
(in `journey.py`) are plain functions of a child that schedule what happens next.

Two drivers run the same steps:
- `HeapEngine`: a lean `heapq` loop (the default; no generator or process per child);
- `SimpyEngine`: the same callbacks scheduled as SimPy timeouts (the readable reference).
Both break ties between simultaneous events by the order they were scheduled (FIFO), so
they give identical results for the same seed; `tests/test_engine.py` checks it.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

Callback = Callable[[Any], None]


class Engine(Protocol):
    now: float
    horizon: float

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None: ...

    def at(self, time: float, fn: Callback, arg: Any) -> None: ...

    def run(self, until: float) -> None: ...


class HeapEngine:
    """One heap of (time, sequence, callback, argument); events at `until` or later are not run."""

    __slots__ = ("now", "horizon", "_heap", "_seq", "events_processed")

    def __init__(self) -> None:
        self.now = 0.0
        self.horizon = math.inf
        self._heap: list[tuple[float, int, Callback, Any]] = []
        self._seq = 0
        self.events_processed = 0

    def start_at(self, time: float) -> None:
        """Set the clock before anything is scheduled (a run may start before day 0: the lead-in)."""
        assert not self._heap, "start_at must come before any event is scheduled"
        self.now = time

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        t = self.now + delay
        if t < self.horizon:
            self._seq += 1
            heapq.heappush(self._heap, (t, self._seq, fn, arg))

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        # now + (time - now), not time: the same float arithmetic as a SimPy timeout, so both engines agree
        t = self.now + (time - self.now if time > self.now else 0.0)
        if t < self.horizon:
            self._seq += 1
            heapq.heappush(self._heap, (t, self._seq, fn, arg))

    def run(self, until: float) -> None:
        heap = self._heap
        pop = heapq.heappop
        n = 0
        while heap and heap[0][0] < until:
            t, _, fn, arg = pop(heap)
            self.now = t
            fn(arg)
            n += 1
        self.events_processed += n
        self.now = until


class SimpyEngine:
    """The same interface on SimPy's environment: each event is a `Timeout` with a callback."""

    def __init__(self) -> None:
        import simpy

        self.env = simpy.Environment()
        self.events_processed = 0
        self.horizon = math.inf

    def start_at(self, time: float) -> None:
        import simpy

        self.env = simpy.Environment(initial_time=time)

    @property
    def now(self) -> float:  # type: ignore[override]
        return float(self.env.now)

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        if self.env.now + delay < self.horizon:
            ev = self.env.timeout(delay)
            ev.callbacks.append(lambda _ev: self._fire(fn, arg))

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        self.schedule(max(0.0, time - self.env.now), fn, arg)

    def _fire(self, fn: Callback, arg: Any) -> None:
        self.events_processed += 1
        fn(arg)

    def run(self, until: float) -> None:
        if until > self.env.now:
            self.env.run(until=until)


ENGINES: dict[str, type] = {"heap": HeapEngine, "simpy": SimpyEngine}


def make_engine(name: str = "heap") -> Engine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; allowed: {', '.join(ENGINES)}") from None


class Job:
    """A request waiting at a resource; `cancelled` lets a job leave the queue (e.g. a conceded appeal)."""

    __slots__ = ("who", "service", "on_start", "on_done", "enqueued", "cancelled", "started")

    def __init__(self, who: Any, service: float | None, on_start: Callback | None, on_done: Callback | None,
                 enqueued: float):
        self.who = who
        self.service = service
        self.on_start = on_start
        self.on_done = on_done
        self.enqueued = enqueued
        self.cancelled = False
        self.started = False


class Resource:
    """A multi-server FIFO station: `servers` parallel servers and one queue.

    A job either holds a server for a service time (`serve`), after which the server passes
    straight to the next job in the queue, or holds it until `release` (`seize`, used for
    school places). Running sums give mean waits and time-averaged queue length without
    per-job records. `servers=None` means unlimited capacity (no queue ever forms).
    """

    __slots__ = ("engine", "name", "servers", "busy", "queue", "waiting", "wait_sum", "wait_n",
                 "stats_from", "_area_q", "_area_busy", "_last", "started", "completed")

    def __init__(self, engine: Engine, name: str, servers: int | None, stats_from: float = 0.0):
        self.engine = engine
        self.name = name
        self.servers = servers
        self.busy = 0
        self.queue: deque[Job] = deque()
        self.waiting = 0
        self.wait_sum = 0.0
        self.wait_n = 0
        self.stats_from = stats_from
        self._area_q = 0.0
        self._area_busy = 0.0
        self._last = stats_from
        self.started = 0
        self.completed = 0

    # -- statistics --------------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.engine.now
        if now > self._last:
            dt = now - self._last
            self._area_q += self.waiting * dt
            self._area_busy += self.busy * dt
            self._last = now

    def mean_wait(self) -> float | None:
        return self.wait_sum / self.wait_n if self.wait_n else None

    def time_average(self, until: float) -> tuple[float, float]:
        """(mean number waiting, mean number in service) from `stats_from` to `until`."""
        self._tick()
        span = max(until - self.stats_from, 1e-12)
        return self._area_q / span, self._area_busy / span

    # -- requests ----------------------------------------------------------------------------
    def serve(self, who: Any, service: float, on_done: Callback, on_start: Callback | None = None) -> Job:
        return self._request(Job(who, service, on_start, on_done, self.engine.now))

    def seize(self, who: Any, on_granted: Callback) -> Job:
        return self._request(Job(who, None, on_granted, None, self.engine.now))

    def _request(self, job: Job) -> Job:
        if self.servers is None or self.busy < self.servers:
            if self.stats_from <= self.engine.now:
                self._tick()
                self.wait_n += 1
            self.busy += 1
            self._start(job)
        else:
            self._tick()
            self.queue.append(job)
            self.waiting += 1
        return job

    def cancel(self, job: Job) -> None:
        """Withdraw a queued job; a job already in service is not affected."""
        if not job.cancelled and not job.started:
            self._tick()
            job.cancelled = True
            self.waiting -= 1

    def _start(self, job: Job) -> None:
        job.started = True
        self.started += 1
        if job.on_start is not None:
            job.on_start(job.who)
        if job.service is not None:
            self.engine.schedule(job.service, self._finish, job)

    def _finish(self, job: Job) -> None:
        self.completed += 1
        self.release()
        if job.on_done is not None:
            job.on_done(job.who)

    def release(self) -> None:
        """Free one server and hand it to the next job still waiting (FIFO)."""
        self._tick()
        self.busy -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        q = self.queue
        now = self.engine.now
        while q and (self.servers is None or self.busy < self.servers):
            job = q.popleft()
            if job.cancelled:
                continue
            self.waiting -= 1
            if job.enqueued >= self.stats_from:
                self.wait_sum += now - job.enqueued
                self.wait_n += 1
            self.busy += 1
            self._start(job)

    def set_servers(self, servers: int | None) -> None:
        """Change capacity (e.g. a new year's budget); extra servers start on the queue at once."""
        self._tick()
        self.servers = servers
        self._dispatch()
