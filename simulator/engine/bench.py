"""The speed benchmark: an open network of FIFO multi-server stages run on the journeys' own engine core.

Why it exists: calibration and national sweeps need thousands of runs, so the engine's speed is a
feature; this measures it on a network whose answer is known (an open Jackson network: Poisson
arrivals, exponential service, Markov routing, so each stage is an M/M/c queue with the arrival
rate from the traffic equations and Erlang C gives its mean wait). The model is the same event loop
(`HeapEngine`), the same `Resource` (queue, servers, waiting-time sums) as the journeys, not a toy.

Random numbers are drawn in numpy batches, one stream per purpose (arrivals, each stage's service,
each stage's routing) spawned from one `SeedSequence`, and consumed in the order they are needed:
the same seed gives the same run, byte for byte.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any

import numpy as np

from ..schema.files import InputError, Loc, parse_model
from ..schema.network import EXIT, MAX_VISITS, Network, Stage
from ..schema.shipped import locate
from .core.loop import HeapEngine
from .core.resources import Resource

CHUNK = 1 << 16  # random numbers drawn per numpy call: large enough to amortise the call, small in memory



def _where(path: Path, lines: dict[Loc, int], loc: Loc) -> str:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return f"{path}:{lines[loc[:n]]}"
    return f"{path}:?"


def load_network(path: Path) -> Network:
    """Read and check a network file; every problem is one line `FILE:LINE: field: problem` in an InputError."""
    path = locate(path, "benchmarks")
    try:
        net, lines, _ = parse_model(path, Network)
    except InputError as e:  # a stage's unknown field: name the allowed ones (the loader cannot see inside a dict)
        allowed = f" (allowed: {', '.join(Stage.model_fields)})"
        raise InputError([ln + allowed if ln.startswith(f"{path}:") and ": stages." in ln
                          and ": unknown field" in ln and "(allowed:" not in ln else ln for ln in e.lines]) from None
    errors = []
    if net.entry not in net.stages:
        errors.append(f"{_where(path, lines, ('entry',))}: entry: unknown stage {net.entry!r} "
                      f"(allowed: {', '.join(net.stages)})")
    for name, st in net.stages.items():
        loc = ("stages", name, "routes")
        if not st.routes:
            errors.append(f"{_where(path, lines, loc)}: stages.{name}.routes: no route (give at least 'exit: 1.0')")
            continue
        for to in st.routes:
            if to != EXIT and to not in net.stages:
                errors.append(f"{_where(path, lines, (*loc, to))}: stages.{name}.routes.{to}: unknown stage "
                              f"(allowed: {', '.join([*net.stages, EXIT])})")
        total = sum(st.routes.values())
        if abs(total - 1.0) > 1e-6:
            errors.append(f"{_where(path, lines, loc)}: stages.{name}.routes: probabilities add up to {total:g}, "
                          f"not 1")
    if EXIT in net.stages:
        errors.append(f"{_where(path, lines, ('stages', EXIT))}: stages.{EXIT}: '{EXIT}' is where children leave, "
                      f"not a stage name")
    if not errors:  # open network: every stage must lead to the exit, or children would circulate for ever
        leads_out = {EXIT}
        grew = True
        while grew:
            grew = False
            for name, st in net.stages.items():
                if name not in leads_out and any(q > 0 and to in leads_out for to, q in st.routes.items()):
                    leads_out.add(name)
                    grew = True
        for name in net.stages:
            if name not in leads_out:
                errors.append(f"{_where(path, lines, ('stages', name, 'routes'))}: stages.{name}.routes: "
                              f"no route from here ever reaches '{EXIT}' (the network must be open)")
    if not errors:  # routing loops that almost never exit: a child would visit a stage for ever
        try:
            rates = stage_rates(net)
        except np.linalg.LinAlgError:
            rates = dict.fromkeys(net.stages, math.inf)
        for name, lam in rates.items():
            visits = lam / net.arrival_rate
            if not visits <= MAX_VISITS:
                errors.append(f"{_where(path, lines, ('stages', name, 'routes'))}: stages.{name}.routes: a child "
                              f"visits this stage {visits:.3g} times on average (allowed: at most {MAX_VISITS:,}; "
                              f"raise the probability of leaving the loop)")
    if errors:
        raise InputError(errors)
    return net


# ------------------------------------------------------------------------------------------ theory
def erlang_c_wait(lam: float, mean_service: float, servers: int) -> float | None:
    """Mean wait in queue of an M/M/c queue (Erlang C); None if the queue is unstable (rho >= 1)."""
    a = lam * mean_service
    if a >= servers:
        return None
    if a == 0:
        return 0.0
    # stable recursion for the Erlang B blocking probability, then C from B
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    rho = a / servers
    c = b / (1.0 - rho + rho * b)
    return c / (servers / mean_service - lam)


def stage_rates(net: Network) -> dict[str, float]:
    """Arrival rate at each stage from the traffic equations lambda = lambda0 e + lambda P."""
    names = list(net.stages)
    idx = {s: i for i, s in enumerate(names)}
    p = np.zeros((len(names), len(names)))
    for s, st in net.stages.items():
        for to, q in st.routes.items():
            if to != EXIT:
                p[idx[s], idx[to]] += q
    ext = np.zeros(len(names))
    ext[idx[net.entry]] = net.arrival_rate
    lam = np.linalg.solve(np.eye(len(names)) - p.T, ext)
    return {s: float(lam[idx[s]]) for s in names}


def theory(net: Network) -> dict[str, dict[str, float | None]]:
    """Per stage: arrival rate, utilisation and Erlang C mean wait (a Jackson network's stages are M/M/c)."""
    out: dict[str, dict[str, float | None]] = {}
    for s, lam in stage_rates(net).items():
        st = net.stages[s]
        out[s] = {"arrival_rate": lam, "utilisation": lam * st.mean_service / st.servers,
                  "mean_wait": erlang_c_wait(lam, st.mean_service, st.servers)}
    return out


# ------------------------------------------------------------------------------------------ model
def _exponentials(rng: np.random.Generator, mean: float, chunk: int) -> Iterator[float]:
    """An endless stream of exponential draws, made `chunk` at a time by numpy (next() is a C call).

    numpy draws the same sequence whatever the chunk size, so the chunk changes speed, never results.
    """
    return chain.from_iterable(iter(lambda: rng.exponential(mean, chunk).tolist(), None))


def _routes(rng: np.random.Generator, targets: list[Any], probs: list[float], chunk: int) -> Iterator[Any]:
    """An endless stream of next stages drawn with the given probabilities (a constant if only one)."""
    live = [(t, p) for t, p in zip(targets, probs, strict=True) if p > 0]
    if len(live) == 1:
        return repeat(live[0][0])
    objs = [t for t, _ in live]
    cum = np.cumsum([p for _, p in live])
    cum[-1] = 1.0

    def draw() -> list[Any]:
        k = np.minimum(np.searchsorted(cum, rng.random(chunk), side="right"), len(objs) - 1)
        return [objs[i] for i in k.tolist()]

    return chain.from_iterable(iter(draw, None))


class _Stage:
    """One stage of the network: its resource, its service times and its routing; `done` when a service ends.

    The stage is an object of its own (not a closure) so that, compiled, ending a service and joining the next
    stage are direct calls between declared types.
    """

    __slots__ = ("res", "svc", "route", "model", "done_cb")

    def __init__(self, res: Resource, svc: Iterator[float], model: BenchModel):
        self.res = res
        self.svc = svc
        self.route: Iterator[_Stage | None] = iter(())  # set once every stage exists (routes may point forward)
        self.model = model
        self.done_cb = self.done  # bound once: the callback handed to the resource at every service

    def done(self, who: float) -> None:
        """A service here ends: draw the next stage and join it (or leave)."""
        to = next(self.route)
        if to is None:
            self.model._leave(who)
        else:
            to.res.serve(who, next(to.svc), to.done_cb)


class BenchModel:
    """The network built on one HeapEngine: a Resource per stage, one `_Stage` per stage for routing.

    A child is represented by its arrival time alone (the `who` handed to the resources): that is all
    the statistics need, so no per-child object is made.
    """

    def __init__(self, net: Network, seed: int, warmup: float = 0.0, chunk: int = CHUNK):
        self.net = net
        self.chunk = chunk
        self.warmup = warmup
        self.engine = HeapEngine()
        names = list(net.stages)
        ss = np.random.SeedSequence(seed)
        streams = [np.random.default_rng(s) for s in ss.spawn(1 + 2 * len(names))]
        self._arrival_rng = streams[0]
        self.resources = {s: Resource(self.engine, s, net.stages[s].servers, stats_from=warmup) for s in names}
        self.done = 0         # children who left after arriving at or after the warm-up
        self.left = 0         # every child who left
        self.sys_sum = 0.0    # their total time in the system
        self.last_exit = 0.0
        stages = {s: _Stage(self.resources[s], _exponentials(streams[1 + 2 * i], net.stages[s].mean_service, chunk),
                            self) for i, s in enumerate(names)}
        for i, s in enumerate(names):
            st = net.stages[s]
            targets = [None if t == EXIT else stages[t] for t in st.routes]
            stages[s].route = _routes(streams[2 + 2 * i], targets, list(st.routes.values()), chunk)
        self._entry = stages[net.entry]
        self._gaps: Iterator[float] = iter(())  # the arrival gaps still to come (set by `run`)
        self._arrive_cb = self._arrive  # bound once

    def _leave(self, who: float) -> None:
        self.left += 1
        now = self.engine.now
        self.last_exit = now
        if who >= self.warmup:
            self.done += 1
            self.sys_sum += now - who

    def run(self, children: int) -> None:
        """Exactly `children` Poisson arrivals, then run until every one of them has left."""
        self._gaps = islice(_exponentials(self._arrival_rng, 1.0 / self.net.arrival_rate, self.chunk), children)
        gap = next(self._gaps, None)
        if gap is not None:
            self.engine.schedule(gap, self._arrive_cb, None)
            self.engine.run(math.inf)

    def _arrive(self, _: Any) -> None:
        """A child arrives: schedule the next arrival, then join the entry stage."""
        eng = self.engine
        now = eng.now  # the child's arrival time is all it carries
        gap = next(self._gaps, None)
        if gap is not None:
            eng.schedule(gap, self._arrive_cb, None)
        entry = self._entry
        entry.res.serve(now, next(entry.svc), entry.done_cb)


def run_bench(net: Network, children: int = 200_000, seed: int = 1, warmup: float = 0.0) -> dict[str, Any]:
    """Build and run the model; the figures `sendsim bench --json` prints.

    `wall_seconds` covers building the model (streams, resources) and running it, not reading the file
    or importing: the same span the SimPy baseline times. `mean_wait` per stage counts the visits that
    join the stage's queue at or after `warmup` (the `Resource` statistics the journeys use);
    `mean_time_in_system` the children who arrive at or after it.
    """
    t0 = time.perf_counter()  # the garbage collector stays on, as in the SimPy baseline
    model = BenchModel(net, seed, warmup, chunk=min(CHUNK, max(1024, children)))
    model.run(children)
    wall = time.perf_counter() - t0
    th = theory(net)
    res = model.resources
    return {
        "children": children,
        "seed": seed,
        "warmup": warmup,
        "time_unit": net.time_unit,
        "engine": "heap",
        "wall_seconds": wall,
        "children_per_second": children / wall if wall > 0 else None,
        "events_processed": model.engine.events_processed,
        "events_per_second": model.engine.events_processed / wall if wall > 0 else None,
        "simulated_time": model.last_exit,
        "mean_wait": {s: r.mean_wait() for s, r in res.items()},
        "erlang_c_mean_wait": {s: th[s]["mean_wait"] for s in res},
        "utilisation": {s: th[s]["utilisation"] for s in res},
        "visits": {s: r.wait_n for s, r in res.items()},  # those whose wait counts (queued after the warm-up)
        "visits_all": {s: r.started for s, r in res.items()},
        "children_counted": model.done,
        "mean_time_in_system": model.sys_sum / model.done if model.done else None,
    }
