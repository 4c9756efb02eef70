"""The baseline: the same open network written as idiomatic SimPy (one process per child, one Resource per stage).

Why: a speed claim needs a yardstick an analyst would recognise. This is how the network is usually
written in SimPy: a generator process per child that requests each stage's `simpy.Resource`, holds it
for an exponential service time and picks its next stage at random; arrivals are a process too.
Statistics are the same running sums as `sendsim bench` (waits per stage from the warm-up on, time in
the system of children who arrived after it), so the two print comparable figures.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

from simulator.schema.network import EXIT, Network


def run_simpy(net: Network, children: int = 200_000, seed: int = 1, warmup: float = 0.0) -> dict[str, Any]:
    """Run `children` arrivals to the end on SimPy; the same fields as `simulator.engine.bench.run_bench`."""
    import simpy

    t0 = time.perf_counter()
    rng = random.Random(seed)
    env = simpy.Environment()
    names = list(net.stages)
    res = {s: simpy.Resource(env, capacity=net.stages[s].servers) for s in names}
    rate = {s: 1.0 / net.stages[s].mean_service for s in names}
    routes = {s: (list(st.routes), list(st.routes.values())) for s, st in net.stages.items()}
    wait_sum = dict.fromkeys(names, 0.0)
    wait_n = dict.fromkeys(names, 0)
    totals = {"done": 0, "sys_sum": 0.0, "last": 0.0}

    def child(env: simpy.Environment):
        arrived = env.now
        stage = net.entry
        while stage != EXIT:
            with res[stage].request() as req:
                queued = env.now
                yield req
                if queued >= warmup:
                    wait_sum[stage] += env.now - queued
                    wait_n[stage] += 1
                yield env.timeout(rng.expovariate(rate[stage]))
            targets, weights = routes[stage]
            stage = targets[0] if len(targets) == 1 else rng.choices(targets, weights)[0]
        totals["last"] = env.now
        if arrived >= warmup:
            totals["done"] += 1
            totals["sys_sum"] += env.now - arrived

    def source(env: simpy.Environment):
        for _ in range(children):
            yield env.timeout(rng.expovariate(net.arrival_rate))
            env.process(child(env))

    env.process(source(env))
    env.run()
    wall = time.perf_counter() - t0
    return {
        "children": children, "seed": seed, "warmup": warmup, "time_unit": net.time_unit, "engine": "simpy",
        "wall_seconds": wall, "children_per_second": children / wall,
        "simulated_time": totals["last"],
        "mean_wait": {s: wait_sum[s] / wait_n[s] if wait_n[s] else None for s in names},
        "visits": dict(wait_n),
        "children_counted": totals["done"],
        "mean_time_in_system": totals["sys_sum"] / totals["done"] if totals["done"] else math.nan,
    }
