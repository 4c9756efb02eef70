"""`sendsim bench`: right against queueing theory, reproducible, strict about its input; and the engine's order.

The bench runs an open Jackson network, so each stage is an M/M/c queue whose arrival rate comes
from the traffic equations; Erlang C is computed here independently (the direct formula with
factorials, not the bench's recursion) and must fall inside the 95% interval over replications.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from simulator.analysis.runs.stats import t975
from simulator.cli import main
from simulator.engine.bench import BenchModel, load_network, run_bench
from simulator.engine.core.loop import HeapEngine, SimpyEngine
from simulator.engine.core.resources import Resource

SMALL = """\
time_unit: days
arrival_rate: 4.0
entry: triage
stages:
  triage: {servers: 3, mean_service: 0.5, routes: {specialist: 0.5, exit: 0.5}}
  specialist: {servers: 2, mean_service: 0.7, routes: {exit: 1.0}}
"""


def erlang_c_wait(lam: float, mean_service: float, c: int) -> float:
    a = lam * mean_service
    top = a ** c / math.factorial(c) / (1 - a / c)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c / mean_service - lam)


def write(tmp_path: Path, text: str, name: str = "net.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def mean_ci(xs: list[float]) -> tuple[float, float, float]:
    n = len(xs)
    m = sum(xs) / n
    h = t975(n - 1) * math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1)) / math.sqrt(n)
    return m, m - h, m + h


def test_mean_waits_match_erlang_c_within_the_interval(tmp_path):
    net = load_network(write(tmp_path, SMALL))
    # traffic equations: triage 4/day, specialist 2/day. By hand: triage a = 2, C = 4 / (5 + 4) = 0.4444,
    # Wq = 0.4444 / (6 - 4) = 0.2222; specialist a = 1.4, C = 3.2667 / 5.6667 = 0.5765, Wq = 0.5765 / 0.8571 = 0.6725
    expected = {"triage": erlang_c_wait(4.0, 0.5, 3), "specialist": erlang_c_wait(2.0, 0.7, 2)}
    assert abs(expected["triage"] - 0.2222) < 1e-4 and abs(expected["specialist"] - 0.6725) < 1e-4
    runs = [run_bench(net, children=30_000, seed=s, warmup=50.0) for s in range(12)]
    for stage, ec in expected.items():
        m, lo, hi = mean_ci([r["mean_wait"][stage] for r in runs])
        assert lo <= ec <= hi, (stage, m, lo, hi, ec)
        assert (hi - lo) / 2 < 0.1 * ec  # a tight interval, not luck with a wide one
    # time in system = visits x (wait + service) summed over stages (1 triage, 0.5 specialist per child)
    t_sys = expected["triage"] + 0.5 + 0.5 * (expected["specialist"] + 0.7)
    m, lo, hi = mean_ci([r["mean_time_in_system"] for r in runs])
    assert lo <= t_sys <= hi, (m, lo, hi, t_sys)


def test_json_has_the_fields_and_counts(tmp_path):
    p = write(tmp_path, SMALL)
    r = CliRunner().invoke(main, ["bench", str(p), "--children", "5000", "--seed", "3", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    for key in ("children", "wall_seconds", "children_per_second", "mean_wait", "mean_time_in_system",
                "erlang_c_mean_wait", "visits", "events_processed"):
        assert key in out, key
    assert out["children"] == 5000 and out["visits"]["triage"] == 5000
    assert set(out["mean_wait"]) == {"triage", "specialist"}
    assert out["children_per_second"] > 0 and out["mean_time_in_system"] > 0.5
    # every child arrives once and has one service per visit: events = arrivals + services
    assert out["events_processed"] == 5000 + sum(out["visits"].values())
    model = BenchModel(load_network(p), 1)
    assert isinstance(model.engine, HeapEngine)  # the journeys' engine core, not a separate loop
    assert all(isinstance(x, Resource) for x in model.resources.values())


def test_same_seed_same_output_and_another_seed_differs(tmp_path):
    p = write(tmp_path, SMALL)

    def once(seed: str) -> dict:
        r = CliRunner().invoke(main, ["bench", str(p), "--children", "3000", "--seed", seed, "--json"])
        out = json.loads(r.output)
        for k in ("wall_seconds", "children_per_second", "events_per_second"):
            out.pop(k)
        return out

    a, b, c = once("7"), once("7"), once("8")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["mean_wait"] != c["mean_wait"]
    text = CliRunner().invoke(main, ["bench", str(p), "--children", "3000"]).output
    assert "Erlang C" in text and "triage" in text


def test_bad_network_files_give_one_line_naming_file_and_field(tmp_path):
    cases = [
        (SMALL.replace("servers: 2,", "servers: 0,"), "stages.specialist.servers", "greater than or equal to 1"),
        (SMALL.replace("arrival_rate: 4.0", "arrival_rate: -1"), "arrival_rate", "greater than 0"),
        (SMALL.replace("{specialist: 0.5,", "{specialst: 0.5,"), "stages.triage.routes.specialst", "unknown stage"),
        (SMALL.replace("exit: 0.5}", "exit: 0.4}"), "stages.triage.routes", "add up to 0.9"),
        (SMALL.replace("entry: triage", "entry: triag"), "entry", "unknown stage"),
        (SMALL.replace("time_unit: days", "time_unit: fortnights"), "time_unit", "weeks"),
        (SMALL.replace("routes: {exit: 1.0}", "routes: {specialist: 1.0}"), "stages.specialist.routes", "ever reaches"),
    ]
    for i, (text, field, problem) in enumerate(cases):
        p = write(tmp_path, text, f"bad{i}.yaml")
        r = CliRunner().invoke(main, ["bench", str(p), "--children", "100"])
        assert r.exit_code == 2, (field, r.output)
        lines = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1, (field, r.output)
        assert str(p) in lines[0] and field in lines[0] and problem in lines[0], lines[0]
    # a typo is two problems (an unknown field, a required one missing): a line each, the typo's with its line
    p = write(tmp_path, SMALL.replace("mean_service: 0.5,", "mean_sevice: 0.5,"), "typo.yaml")
    r = CliRunner().invoke(main, ["bench", str(p)])
    assert r.exit_code == 2
    assert f"{p}:5: stages.triage.mean_sevice: unknown field 'mean_sevice' (allowed: servers, mean_service, routes)" \
        in r.output
    r = CliRunner().invoke(main, ["bench", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "missing.yaml: file not found" in r.output


def _trace(engine, horizon: float, seed: int) -> list[tuple[float, int]]:
    """Events with many exact ties, scheduled from callbacks with `schedule` and `at`, run in two parts."""
    rng = random.Random(seed)
    log: list[tuple[float, int]] = []
    engine.horizon = horizon
    count = [0]

    def fire(tag: int) -> None:
        log.append((engine.now, tag))
        for _ in range(rng.choice((0, 1, 1, 2))):
            count[0] += 1
            kind = rng.random()
            if kind < 0.3:
                engine.schedule(0.0, fire, count[0])  # same time: after every event already due then
            elif kind < 0.6:
                engine.at(math.floor(engine.now) + rng.randint(0, 40) * 0.25, fire, count[0])
            else:
                engine.schedule(rng.choice((0.5, 1.0, 3.0, 7.25, 30.0)) * rng.randint(1, 4), fire, count[0])

    for i in range(200):
        engine.at(rng.randint(0, 60) * 0.5, fire, -i)
    engine.run(horizon / 2)  # stop part-way: events at the stop time must wait, in order
    engine.run(horizon)
    return log


def test_engine_order_is_time_then_fifo_whatever_the_windows():
    ref = _trace(SimpyEngine(), 150.0, 1)
    assert len(ref) > 2000 and any(a[0] == b[0] for a, b in zip(ref, ref[1:], strict=False))
    for width in (0.1, 1.0, 7.0, math.inf):
        assert _trace(HeapEngine(width), 150.0, 1) == ref, width


def test_bench_drives_the_same_event_loop_and_resources_as_run(tmp_path, monkeypatch):
    """`sendsim bench` measures the engine the journeys run on: the same `HeapEngine` loop and the same `Resource`
    queues. Both the command and a replication of small_la are run with those classes' methods counted: each must
    go through `HeapEngine.run` and `Resource.serve` (no other loop or queue of its own), and the bench's engine
    is what `make_engine` gives a run by default.

    The methods of the compiled core's classes cannot be wrapped (extension types are immutable), so when the
    compiled core is loaded the counting runs in a child process on the pure core (the same source files), and
    `test_compiled_bench_and_run_share_the_compiled_loop` checks the compiled classes by their own counters."""
    from simulator.engine.core import accelerator

    if accelerator.compiled():
        env = {**os.environ, accelerator.ENV_PURE: "1"}
        r = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
                            f"{__file__}::test_bench_drives_the_same_event_loop_and_resources_as_run"],
                           env=env, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)
        assert r.returncode == 0 and "1 passed" in r.stdout, r.stdout[-3000:] + r.stderr[-2000:]
        return
    from simulator.analysis.runs.runner import simulate
    from simulator.engine.core.loop import make_engine
    from simulator.rules.scenario import load_scenario

    calls: dict[str, int] = {}

    def counted(cls: type, name: str) -> None:
        inner = getattr(cls, name)

        def wrapper(self, *a, **k):
            calls[f"{cls.__name__}.{name}"] = calls.get(f"{cls.__name__}.{name}", 0) + 1
            return inner(self, *a, **k)

        monkeypatch.setattr(cls, name, wrapper)

    for cls, name in ((HeapEngine, "run"), (HeapEngine, "schedule"), (Resource, "serve"), (Resource, "_done")):
        counted(cls, name)
    assert type(make_engine()) is type(BenchModel(load_network(write(tmp_path, SMALL)), 1).engine) is HeapEngine
    r = CliRunner().invoke(main, ["bench", str(write(tmp_path, SMALL)), "--children", "300", "--json"])
    assert r.exit_code == 0, r.output
    bench = dict(calls)
    calls.clear()
    j = simulate(load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "small_la.yaml"), 1, 0)
    run = dict(calls)
    for key in ("HeapEngine.run", "HeapEngine.schedule", "Resource.serve", "Resource._done"):
        assert bench.get(key, 0) >= 1 and run.get(key, 0) >= 1, (key, bench, run)
    # every child of the bench visits the entry stage once: at least 300 services through Resource.serve
    assert bench["Resource.serve"] >= 300
    assert type(j.engine) is HeapEngine and isinstance(j.tribunal, Resource)


def test_compiled_bench_and_run_share_the_compiled_loop(tmp_path):
    """With whichever core is loaded, the bench's model and a run of small_la use the one `HeapEngine` class that
    `make_engine` gives and the one `Resource` class, and every event of the bench goes through that loop: its
    count is exactly one arrival per child plus one end of service per visit (worked out from the model: nothing
    else is scheduled), and the visits are the resources' own counts of services started and completed."""
    from simulator.analysis.runs.runner import simulate
    from simulator.engine.core.loop import make_engine
    from simulator.rules.scenario import load_scenario

    model = BenchModel(load_network(write(tmp_path, SMALL)), 1)
    model.run(300)
    assert type(model.engine) is type(make_engine()) is HeapEngine
    assert all(type(r) is Resource for r in model.resources.values())
    started = sum(r.started for r in model.resources.values())
    assert started == sum(r.completed for r in model.resources.values()) >= 300
    assert model.left == 300 and model.engine.events_processed == 300 + started
    j = simulate(load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "small_la.yaml"), 1, 0)
    assert type(j.engine) is HeapEngine and type(j.tribunal) is Resource and j.engine.events_processed > 0
