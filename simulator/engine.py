"""The event core: a clock, a heap of future events, and capacity-limited resources.

The engine knows times, events and resources; it knows nothing of SEND. Journey steps
(in `journey.py`) are plain functions of a child that schedule what happens next.

Two drivers run the same steps:
- `HeapEngine`: a lean `heapq` loop (the default; no generator or process per child);
- `SimpyEngine`: the same callbacks scheduled as SimPy timeouts (the readable reference).
Both break ties between simultaneous events by the order they were scheduled (FIFO), so
they give identical results for the same seed; `tests/test_determinism.py` checks it.

Speed matters here (calibration and national sweeps run a national year thousands of times;
`sendsim bench` measures it), so the hot paths are written for CPython's per-operation cost:
an event is one flat tuple, a service that starts at once allocates no `Job`, statistics are
running sums updated in O(1) without a separate tick, and a completion hands its server
straight to the next job in the queue.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Protocol

Callback = Callable[[Any], None]

_heappush = heapq.heappush
_heappop = heapq.heappop
_time = itemgetter(0)


class Engine(Protocol):
    now: float
    horizon: float
    events_processed: int

    def start_at(self, time: float) -> None: ...

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None: ...

    def at(self, time: float, fn: Callback, arg: Any) -> None: ...

    def run(self, until: float) -> None: ...


class HeapEngine:
    """Future events ordered by (time, sequence); events at `until` or later are not run.

    The sequence number breaks ties FIFO (as SimPy does) and is never equal for two events, so
    events never compare their callbacks. Events at or after `horizon` are dropped when scheduled.

    A national run keeps most of a million events pending (reviews and transfers months ahead), and a
    binary heap that size costs a cache miss per level on every pop. So events wait, unsorted, in a list
    per time window [k w, (k+1) w), as (time, callback, argument). When the clock reaches a window, its
    list is sorted once by time (a stable sort on float keys: events of equal time keep the order they
    were scheduled in, so they need no sequence number) and read in order; events scheduled into the
    window while it runs go to a small heap as (time, sequence, callback, argument), merged with the
    sorted list one event at a time (on a tie the sorted list goes first: its events were scheduled
    before the window opened). The order is exactly (time, order of scheduling) either way. Sorting a window once costs far less than popping each of its events off a heap (a pop
    compares tuples at every level). The width `w` is rounded to a power of two, so that a window's
    bounds and `t // w` are exact floats and no event can land in the wrong window by rounding.
    `bucket_width=math.inf` gives a single plain heap.
    """

    __slots__ = ("now", "horizon", "_heap", "_seq", "events_processed", "_end", "_width", "_far", "_far_keys",
                 "_cur", "_i")

    def __init__(self, bucket_width: float = 1.0) -> None:
        if not bucket_width > 0:
            raise ValueError(f"bucket_width must be positive (got {bucket_width!r})")
        self.now = 0.0
        self.horizon = math.inf
        self._heap: list[tuple[float, int, Callback, Any]] = []
        self._seq = 0
        self.events_processed = 0
        # a power of two, so t // w and (k + 1) * w are exact: window k holds exactly k w <= t < (k+1) w
        self._width = math.inf if bucket_width > 2.0 ** 512 else 2.0 ** round(math.log2(bucket_width))
        self._end = math.inf if math.isinf(self._width) else -math.inf  # the current window's end
        self._far: dict[float, list[tuple[float, Callback, Any]]] = {}
        self._far_keys: list[float] = []
        self._cur: list[tuple[float, Callback, Any] | None] = []  # the current window's events, sorted
        self._i = 0  # the next of them to run

    def start_at(self, time: float) -> None:
        """Set the clock before anything is scheduled (a run may start before day 0: the lead-in)."""
        assert not self._heap and not self._far and not self._cur, "start_at must come before any event is scheduled"
        self.now = time

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        t = self.now + delay
        if t < self.horizon:
            if t < self._end:
                self._seq = s = self._seq + 1
                _heappush(self._heap, (t, s, fn, arg))
            else:  # a later window (most events of a national run), kept in that window's list
                k = t // self._width
                b = self._far.get(k)
                if b is None:
                    self._far[k] = [(t, fn, arg)]
                    _heappush(self._far_keys, k)
                else:
                    b.append((t, fn, arg))

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        # now + (time - now), not time: the same float arithmetic as a SimPy timeout, so both engines agree
        now = self.now
        t = now + (time - now if time > now else 0.0)
        if t < self.horizon:
            if t < self._end:
                self._seq = s = self._seq + 1
                _heappush(self._heap, (t, s, fn, arg))
            else:  # a later window (most events of a national run), kept in that window's list
                k = t // self._width
                b = self._far.get(k)
                if b is None:
                    self._far[k] = [(t, fn, arg)]
                    _heappush(self._far_keys, k)
                else:
                    b.append((t, fn, arg))

    def run(self, until: float) -> None:
        near = self._heap  # events scheduled into the current window after it was sorted
        cur, i = self._cur, self._i
        ncur = len(cur)
        pop = _heappop
        n = 0
        while True:
            if i < ncur:
                ev = cur[i]
                if near and near[0][0] < ev[0]:  # a tie goes to `cur`: scheduled before anything in `near`
                    ev = near[0]
                    if ev[0] >= until:
                        break
                    pop(near)
                    self.now = ev[0]
                    ev[2](ev[3])
                else:
                    if ev[0] >= until:
                        break
                    cur[i] = None  # freed after it runs, while still in cache
                    i += 1
                    self.now = ev[0]
                    ev[1](ev[2])
            elif near:
                ev = near[0]
                if ev[0] >= until:
                    break
                pop(near)
                self.now = ev[0]
                ev[2](ev[3])
            elif self._far_keys:  # the window is done: sort the next one with events
                k = _heappop(self._far_keys)
                cur = self._cur = self._far.pop(k)
                cur.sort(key=_time)
                i, ncur = 0, len(cur)
                self._end = (k + 1.0) * self._width
                continue
            else:
                break
            n += 1
        self._i = i
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
    """A request waiting at a resource; `cancelled` lets a job leave the queue (e.g. a conceded appeal).

    Only a request that has to queue gets a Job of its own. One that starts at once is answered with
    `STARTED`, a shared Job that is already started: nothing about it can change any more, so callers
    that only test `job.started` or call `cancel`/`release` behave exactly as with a Job of their own,
    and the hot path allocates nothing.
    """

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


STARTED = Job(None, None, None, None, math.nan)
STARTED.started = True


class Resource:
    """A multi-server FIFO station: `servers` parallel servers and one queue.

    A job either holds a server for a service time (`serve`), after which the server passes
    straight to the next job in the queue, or holds it until `release` (`seize`, used for
    school places). `servers=None` means unlimited capacity (no queue ever forms).

    Statistics are running sums from `stats_from` on: waits (`wait_sum`, `wait_n`) and the
    time integrals of the numbers waiting and in service. An integral is kept as
    sum(time a unit leaves) - sum(time a unit arrives), clamped to `stats_from`, so each change
    costs one addition and `time_average` adds the units still present at the end.
    """

    __slots__ = ("engine", "name", "servers", "busy", "queue", "waiting", "wait_sum", "wait_n",
                 "stats_from", "_area_q", "_area_busy", "started", "completed", "_done_cb", "_schedule")

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
        self.started = 0
        self.completed = 0
        # bound once: reading `self._done` or `engine.schedule` makes a new bound method each time
        self._done_cb = self._done
        self._schedule = engine.schedule

    # -- statistics --------------------------------------------------------------------------
    def mean_wait(self) -> float | None:
        return self.wait_sum / self.wait_n if self.wait_n else None

    def time_average(self, until: float) -> tuple[float, float]:
        """(mean number waiting, mean number in service) from `stats_from` to `until`."""
        sf = self.stats_from
        u = until if until > sf else sf
        span = max(until - sf, 1e-12)
        return (self._area_q + self.waiting * u) / span, (self._area_busy + self.busy * u) / span

    # -- requests ----------------------------------------------------------------------------
    def serve(self, who: Any, service: float, on_done: Callback, on_start: Callback | None = None) -> Job:
        """Hold a server for `service`, queueing FIFO if all are busy; then `on_done(who)`."""
        eng = self.engine
        now = eng.now
        s = self.servers
        if s is None or self.busy < s:
            sf = self.stats_from
            if sf <= now:
                self.wait_n += 1
                self._area_busy -= now
            else:
                self._area_busy -= sf
            self.busy += 1
            self.started += 1
            if on_start is not None:
                on_start(who)
            self._schedule(service, self._done_cb, (who, on_done))
            return STARTED
        job = Job(who, service, on_start, on_done, now)
        sf = self.stats_from
        self._area_q -= now if now > sf else sf
        self.queue.append(job)
        self.waiting += 1
        return job

    def seize(self, who: Any, on_granted: Callback) -> Job:
        """Hold a server until `release`; `on_granted(who)` when it is granted (at once if one is free)."""
        now = self.engine.now
        s = self.servers
        if s is None or self.busy < s:
            sf = self.stats_from
            if sf <= now:
                self.wait_n += 1
                self._area_busy -= now
            else:
                self._area_busy -= sf
            self.busy += 1
            self.started += 1
            on_granted(who)
            return STARTED
        return self._enqueue(Job(who, None, on_granted, None, now), now)

    def _enqueue(self, job: Job, now: float) -> Job:
        sf = self.stats_from
        self._area_q -= now if now > sf else sf
        self.queue.append(job)
        self.waiting += 1
        return job

    def cancel(self, job: Job) -> None:
        """Withdraw a queued job; a job already in service is not affected."""
        if not job.cancelled and not job.started:
            now = self.engine.now
            sf = self.stats_from
            self._area_q += now if now > sf else sf
            job.cancelled = True
            self.waiting -= 1

    def _start(self, job: Job, now: float) -> None:
        """A queued job gets a server: count its wait, then as for a job that started at once."""
        self.waiting -= 1
        sf = self.stats_from
        self._area_q += now if now > sf else sf
        if job.enqueued >= sf:
            self.wait_sum += now - job.enqueued
            self.wait_n += 1
        job.started = True
        self.started += 1
        if job.on_start is not None:
            job.on_start(job.who)
        if job.service is not None:
            self._schedule(job.service, self._done_cb, (job.who, job.on_done))

    def _done(self, arg: tuple[Any, Callback | None]) -> None:
        """A service ends: its server goes to the next job waiting, then the job's `on_done`."""
        self.completed += 1
        q = self.queue
        now = self.engine.now
        if q and (self.servers is None or self.busy <= self.servers):
            while q:  # hand the server over: the number busy does not change
                job = q.popleft()
                if not job.cancelled:
                    self._start(job, now)
                    break
            else:
                sf = self.stats_from
                self._area_busy += now if now > sf else sf
                self.busy -= 1
        else:  # as `release`, inlined: this runs once per service
            sf = self.stats_from
            self._area_busy += now if now > sf else sf
            self.busy -= 1
        who, on_done = arg
        if on_done is not None:
            on_done(who)

    def release(self) -> None:
        """Free one server and hand it to the next job still waiting (FIFO)."""
        q = self.queue
        now = self.engine.now
        if q:
            s = self.servers
            if s is None or self.busy <= s:
                while q:  # hand the server over: the number busy does not change
                    job = q.popleft()
                    if not job.cancelled:
                        self._start(job, now)
                        return
        sf = self.stats_from
        self._area_busy += now if now > sf else sf
        self.busy -= 1

    def _dispatch(self) -> None:
        q = self.queue
        now = self.engine.now
        sf = self.stats_from
        while q and (self.servers is None or self.busy < self.servers):
            job = q.popleft()
            if job.cancelled:
                continue
            self._area_busy -= now if now > sf else sf
            self.busy += 1
            self._start(job, now)

    def set_servers(self, servers: int | None) -> None:
        """Change capacity (e.g. a new year's budget); extra servers start on the queue at once."""
        self.servers = servers
        self._dispatch()
