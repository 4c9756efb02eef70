"""Capacity-limited resources on the event loop: a multi-server FIFO station, and the job that waits at it.

Generic queueing (servers, a queue, waits and time-averaged occupancy); it knows nothing of SEND. The journeys use
it for panels, educational psychologists, plan writers, school places, mediators and the tribunal; the benchmark
(`sendsim bench`) checks it against Erlang C.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from .loop import Callback, Clock


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
                 "stats_from", "_area_q", "_area_busy", "started", "completed", "_done_cb", "_done_pair_cb", "_then")

    def __init__(self, engine: Clock, name: str, servers: int | None, stats_from: float = 0.0):
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
        # bound once: reading `self._done` makes a new bound method each time
        self._done_cb = self._done
        self._done_pair_cb = self._done_pair
        # the first `on_done` a service names (a resource's services almost always name one, the next step): the end
        # of a service with that one is scheduled with the job's `who` alone (`_done`), any other's with the pair
        # (`_done_pair`), so that most services make no tuple (the same events, at the same times, in the same order)
        self._then = None

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
            then = self._then
            if then is None:
                then = self._then = on_done
            if then is not None and on_done is then:
                eng.schedule(service, self._done_cb, who)
            else:
                eng.schedule(service, self._done_pair_cb, (who, on_done))
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
        if job.service is not None:  # as in `serve`: the job's `who` alone if its `on_done` is the resource's first
            then = self._then
            if then is None:
                then = self._then = job.on_done
            if then is not None and job.on_done is then:
                self.engine.schedule(job.service, self._done_cb, job.who)
            else:
                self.engine.schedule(job.service, self._done_pair_cb, (job.who, job.on_done))

    def _done(self, who: Any) -> None:
        """A service ends whose `on_done` is the resource's first (`_then`): its server goes to the next job waiting,
        then `on_done(who)`."""
        self._hand_over()
        self._then(who)

    def _done_pair(self, arg: tuple[Any, Callback | None]) -> None:
        """A service ends with any other `on_done` (or none): as `_done`, the job's (who, on_done) in a tuple."""
        self._hand_over()
        who, on_done = arg
        if on_done is not None:
            on_done(who)

    def _hand_over(self) -> int:
        """The end of a service: the server goes to the next job still waiting, or is freed."""
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
        return 0

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


def noop(_: Any) -> None:
    """A callback that does nothing (a seized place that needs no action when granted)."""
    return None


def release(res: Resource) -> None:
    """A callback that frees one server of `res` (a hearing's panel at the end of the hearing day)."""
    res.release()
