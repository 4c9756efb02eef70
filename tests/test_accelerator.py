"""The compiled core (setup.py, simulator/engine/core/accelerator.py): identical results to the pure path, and the
fall-back to pure Python when it is not built, is out of date, or is switched off.

The comparisons run `sendsim` twice in child processes, once as installed and once with SENDSIM_PURE_PYTHON=1: the
compiled modules cannot be unloaded from this process. Where the core is not built (no C compiler) they are
skipped, except in CI (CI=true), whose install must build it.
"""

from __future__ import annotations

import ast
import importlib.machinery
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.engine.core import accelerator as acc

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ("wall_seconds", "children_per_second", "events_per_second")
FILES = ("loop", "resources", "streams")
EVERY = tuple(m.rsplit(".", 1)[1] for m in acc.MODULES)  # every compiled module's file stem


def _sendsim(*args: str, pure: bool, cwd: Path = ROOT, pythonpath: Path | None = None,
            without_cython: bool = False) -> subprocess.CompletedProcess:
    """`sendsim ARGS` in a child process; `without_cython`: as on a machine where Cython is not installed (the
    route modules then take their decorators from `core/cython_shim.py`)."""
    env = {k: v for k, v in os.environ.items() if k not in (acc.ENV_PURE, "SENDSIM_CORE_NOTICE_SHOWN")}
    if pure:
        env[acc.ENV_PURE] = "1"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    code = "from simulator.cli import main; main()"
    if without_cython:
        code = "import sys; sys.modules['cython'] = None; " + code  # `import cython` raises ImportError
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def _need_compiled() -> None:
    if acc.unusable() is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the compiled core: {acc.unusable()}")
        pytest.skip(f"no compiled core here: {acc.unusable()}")


def test_compiled_and_pure_bench_print_the_same_figures():
    """Everything `sendsim bench --json` prints but the timings is the same, to the last digit, on both cores."""
    _need_compiled()
    args = ("bench", "benchmarks/reference_network.yaml", "--children", "20000", "--seed", "4", "--json")
    out = {}
    for pure in (False, True):
        r = _sendsim(*args, pure=pure)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        out[pure] = json.loads(r.stdout)
    for d in out.values():
        for k in TIMINGS:
            d.pop(k)
    assert out[False]["children"] == 20000 and out[False]["events_processed"] > 20000
    assert json.dumps(out[False], sort_keys=True) == json.dumps(out[True], sort_keys=True)


def test_compiled_and_pure_run_write_the_same_files(tmp_path):
    """A year of small_la (one replication, event log on): every file of the run folder is the same bytes on both
    cores, but the manifest's clock readings; and the summary printed is the same."""
    _need_compiled()
    printed, files = {}, {}
    for pure in (False, True):
        out = tmp_path / ("pure" if pure else "compiled")
        r = _sendsim("run", "scenarios/small_la.yaml", "-n", "1", "--seed", "3", "--until", "2019-12-31", "--json",
                     "-q", "--workers", "1", "--out", str(out), pure=pure)
        assert r.returncode == 0, r.stderr
        printed[pure] = r.stdout
        files[pure] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert printed[False] == printed[True]
    assert set(files[False]) == set(files[True]) and "replications/rep-000/events.parquet" in files[False]
    differ = [f for f in files[False] if files[False][f] != files[True][f]]
    assert differ == [] or differ == ["manifest.json"], differ
    if differ:  # only when and how long it ran may differ
        a, b = (json.loads(files[p]["manifest.json"]) for p in (False, True))
        assert {k for k in a if a[k] != b.get(k)} <= {"created", "finished", "wall_seconds", "started"}


def test_switch_to_pure_python_imports_the_py_files_silently():
    code = ("import importlib, sys; mods = sys.argv[1:];"
            " print(*(importlib.import_module(m).__file__ for m in mods))")
    env = {**os.environ, acc.ENV_PURE: "1"}
    r = subprocess.run([sys.executable, "-c", code, *acc.MODULES], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == ""
    assert [Path(f).name for f in r.stdout.split()] == [f"{stem}.py" for stem in EVERY]
    assert EVERY[:5] == ("loop", "resources", "streams", "bench", "records") and "child" in EVERY and "journey" in EVERY


def test_compiled_core_compiles_the_child_and_the_route():
    """As installed, every module of the list is an extension module, and `Child` an extension type (no instance
    dictionary, its fields C slots): the route modules read them as C struct fields."""
    _need_compiled()
    code = ("import importlib, sys; from simulator.engine.model.child import Child;"
            " print(*(importlib.import_module(m).__file__ for m in sys.argv[1:]));"
            " print(Child.__module__, type(Child.__dict__['status']).__name__, hasattr(Child(1, 0, False), '__dict__'))")
    env = {k: v for k, v in os.environ.items() if k != acc.ENV_PURE}
    r = subprocess.run([sys.executable, "-c", code, *acc.MODULES], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    files, child = r.stdout.splitlines()
    assert [Path(f).suffix for f in files.split()] == [".so"] * len(EVERY)
    assert child.split() == ["simulator.engine.model.child", "getset_descriptor", "False"]


def test_without_a_build_sendsim_runs_pure_with_one_notice(tmp_path):
    """A copy of the package with no extension modules and no Cython (as after an install without a C compiler):
    sendsim says so in one line on stderr, runs on the .py files (the route's `cython.locals` from the shim), and
    prints the same figures: the benchmark's, and a run's of small_la."""
    shutil.copytree(ROOT / "simulator", tmp_path / "simulator",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__"))
    args = ("bench", str(ROOT / "benchmarks" / "reference_network.yaml"), "--children", "3000", "--seed", "2",
            "--json")
    r = _sendsim(*args, pure=False, cwd=tmp_path, pythonpath=tmp_path, without_cython=True)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sendsim: the compiled core is not built") and "pure-Python" in lines[0]
    got = json.loads(r.stdout)
    ref = json.loads(_sendsim(*args, pure=True).stdout)
    for d in (got, ref):
        for k in TIMINGS:
            d.pop(k)
    assert got == ref
    run = ("run", str(ROOT / "scenarios" / "small_la.yaml"), "-n", "1", "--seed", "5", "--until", "2019-06-30",
           "--json", "-q", "--workers", "1", "--out")
    r = _sendsim(*run, str(tmp_path / "nobuild"), pure=False, cwd=tmp_path, pythonpath=tmp_path, without_cython=True)
    assert r.returncode == 0 and "pure-Python" in r.stderr, r.stderr
    assert r.stdout == _sendsim(*run, str(tmp_path / "compiled"), pure=False).stdout


def _fake_tree(root: Path, built: tuple[str, ...]) -> list[str]:
    """A package tree with the compiled modules as .py files, and an (empty) extension module for those in `built`."""
    (root / "pyproject.toml").write_text("")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for m in acc.MODULES:
        src = acc.source_file(m, root)
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text("X = 1\n")
        os.utime(src, (1_000_000, 1_000_000))
        if src.stem in built:
            so = src.with_name(src.stem + suffix)
            so.write_bytes(b"")
            os.utime(so, (2_000_000, 2_000_000))
    return list(acc.MODULES)


def test_unusable_names_a_missing_or_stale_module(tmp_path):
    _fake_tree(tmp_path, EVERY)
    assert acc.unusable(tmp_path) is None
    loop_pxd = acc.source_file(acc.MODULES[0], tmp_path).with_suffix(".pxd")
    loop_pxd.write_text("")
    os.utime(loop_pxd, (3_000_000, 3_000_000))  # edited after the build
    assert acc.unusable(tmp_path) == ("the compiled core is older than its source (loop.pxd changed after the "
                                      "build; `pip install -e .` rebuilds it)")
    (tmp_path / "pyproject.toml").unlink()  # an installed wheel: times are those of the install, not checked
    assert acc.unusable(tmp_path) is None
    so = acc.compiled_file("simulator.engine.core.streams", tmp_path)
    assert so is not None
    so.unlink()
    assert acc.unusable(tmp_path) == "the compiled core is not built (simulator.engine.core.streams has no extension module)"


def test_install_falls_back_once_with_one_line(tmp_path):
    _fake_tree(tmp_path, ("loop", "resources"))  # streams and bench failed to build
    env: dict[str, str] = {}
    err = io.StringIO()
    meta: list = []
    assert acc.install(env, err, tmp_path, meta) is False
    assert acc.install(env, err, tmp_path, meta) is False  # a second import (or a worker that inherits env)
    assert err.getvalue() == ("sendsim: the compiled core is not built (simulator.engine.core.streams has no extension "
                              "module); running the pure-Python core (same results, slower)\n")
    assert len(meta) == 1 and isinstance(meta[0], acc.PureFinder)
    spec = meta[0].find_spec("simulator.engine.core.loop", None)
    assert spec is not None and spec.origin == str(acc.source_file("simulator.engine.core.loop", tmp_path))
    assert meta[0].find_spec("simulator.engine.core.calendar", None) is None  # only the compiled modules


def test_install_uses_a_complete_build_and_the_switch_overrides_it(tmp_path):
    _fake_tree(tmp_path, EVERY)
    err, meta = io.StringIO(), []
    assert acc.install({}, err, tmp_path, meta) is True and meta == [] and err.getvalue() == ""
    for value, pure in (("1", True), ("yes", True), ("0", False), ("", False)):
        meta = []
        assert acc.install({acc.ENV_PURE: value}, err, tmp_path, meta) is (not pure)
        assert len(meta) == int(pure)
    assert err.getvalue() == ""  # asked for: no notice


def test_run_state_holds_every_field_the_steps_assign():
    """`RunState`'s slots (engine/model/state.py) are every attribute a stage's mixin assigns on `self` (read as C
    struct fields by the compiled steps), and no mixin shadows one, or one of `RunState`'s methods, with a class
    attribute or a method: the compiled steps read the slot directly, so a class-level name of the same spelling
    would differ from the pure path."""
    import ast

    from simulator.engine.model.journey import Journey
    from simulator.engine.model.state import RunState

    mixins = [k for k in Journey.__mro__ if k not in (RunState, object)]
    assigned = set()
    for k in mixins:  # from the .py files (a compiled class has no source to inspect)
        tree = ast.parse(acc.source_file(k.__module__).read_text())
        cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == k.__name__)
        for node in ast.walk(cls):
            if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name) and node.value.id == "self"):
                assigned.add(node.attr)
    methods = {name for k in mixins for name, v in vars(k).items() if callable(v) or isinstance(v, staticmethod)}
    own = {"duration", "pinned", "log"}  # RunState's methods: C methods of the compiled core (state.pxd)
    assert own <= set(vars(RunState))
    assert assigned - methods == set(RunState.__slots__)  # (`log` is replaced by `setattr`, in the instance dictionary)
    assert not [name for k in mixins for name in vars(k) if name in RunState.__slots__ or name in own]


def test_route_streams_have_one_draw_field_per_declared_stream():
    """`RouteStreams` (engine/model/streams.py) holds every stream of `STREAMS` and nothing else: its slots are that
    tuple, and streams.pxd, which makes them fields typed `Draw` in the compiled core, lists the same names in the
    same order (a stream declared in one list only would be missing from the other path). Each field is its own
    name's keyed stream."""
    import re

    from simulator.engine.core.streams import Streams
    from simulator.engine.model.streams import STREAMS, RouteStreams

    pxd = acc.source_file("simulator.engine.model.streams").with_suffix(".pxd").read_text()
    fields = re.findall(r"^    cdef public Draw (\w+)$", pxd, flags=re.M)
    assert tuple(fields) == STREAMS and len(STREAMS) > 40
    assert [line for line in pxd.splitlines() if line.startswith("    ") and "cdef public Draw " not in line] == []
    assert RouteStreams.__slots__ == STREAMS
    s = Streams(2, 1)
    rng = RouteStreams(s)
    assert [getattr(rng, name).key for name in STREAMS] == [s.key(name) for name in STREAMS]
    assert not hasattr(rng, "__dict__")


_NEW_CHILDREN = """
from simulator.engine.model.child import Child
from simulator.engine.model.population import assign_attributes, assign_row
cols = (["parent", "school"], [-10.5, -3.25], ["asd", "slcn"], ["mainstream", "maintained_special"], [True, False],
        ["high", "low"], [False, True], [True, True], [False, True], [3, 17], [0, 5])
out = []
for i in range(2):
    by_row, by_cols = Child(100 + i, 4, i == 1), Child(100 + i, 4, i == 1)
    assign_row(by_cols, cols, i)
    assign_attributes(by_row, tuple(col[i] for col in cols))
    for c in (by_cols, by_row):
        out.append([(s, type(getattr(c, s, None)).__name__, repr(getattr(c, s, None))) for s in Child.__slots__])
print(repr(out))
"""


def test_a_new_child_and_its_attributes_are_the_same_on_both_cores():
    """`Child.__init__` (compiled: one C store a field; pure: one tuple unpacked) and `assign_row` (an arrival's
    attributes from the columns, without making its row) give every field the same value of the same type as
    `assign_attributes` of the row, on both cores (a field never set reads None)."""
    _need_compiled()
    printed = {}
    for pure in (False, True):
        env = {k: v for k, v in os.environ.items() if k not in (acc.ENV_PURE, "SENDSIM_CORE_NOTICE_SHOWN")}
        if pure:
            env[acc.ENV_PURE] = "1"
        r = subprocess.run([sys.executable, "-c", _NEW_CHILDREN], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        printed[pure] = r.stdout
    assert printed[False] == printed[True]
    rows = ast.literal_eval(printed[False])
    assert rows[0] == rows[1] and rows[2] == rows[3] and rows[0] != rows[2]
    assert ("gid", "int", "17") in rows[2] and ("born", "float", "-3.25") in rows[2] and ("stock", "bool", "True") in rows[2]


_LOOP_TRACE = r"""
import gc, math, random, weakref
from simulator.engine.core.loop import HeapEngine

def trace(engine, horizon, seed, start, ints):
    rng = random.Random(seed)
    log = []
    engine.horizon = horizon
    if start is not None:
        engine.start_at(start)
    count = [0]
    def fire(tag):
        log.append((repr(engine.now), type(engine.now).__name__, tag))
        for _ in range(rng.choice((0, 1, 1, 2))):
            count[0] += 1
            kind = rng.random()
            if kind < 0.2:
                engine.schedule(0 if ints else 0.0, fire, count[0])  # into the window under way, tied
            elif kind < 0.35:
                engine.at(math.floor(engine.now) + rng.randint(-4, 40) * 0.25, fire, count[0])  # some in the past
            elif kind < 0.45 and ints:
                engine.schedule(rng.randint(0, 30), fire, count[0])
            elif kind < 0.7:
                engine.schedule(rng.random() * 30, fire, count[0])
            else:
                engine.schedule(rng.choice((0.5, 1.0, 3.0, 7.25, 30.0)) * rng.randint(1, 4), fire, count[0])
    for i in range(1500):
        if ints and i % 3 == 0:
            engine.schedule(rng.randint(0, 60), fire, -i)
        else:
            engine.at(rng.randint(0, 60) * 0.5 if i % 2 else rng.random() * 60, fire, -i)
    for stop in (horizon / 3, 40, horizon / 2, horizon):
        engine.run(stop)  # stopped part-way: events at the stop time wait, in order
        log.append(("run", repr(engine.now), engine.events_processed))
    return log

out = []
for width in (2.0 ** -10, 0.25, 1.0, 64.0, math.inf):  # 2 ** -10: windows after 64 days are kept by key (`_far`)
    for start, ints in ((None, False), (0, True), (-5, True), (-2.5, False)):
        out.append((width, start, ints, trace(HeapEngine(width), 120.0, 7, start, ints)))

class Owner:  # a journey's bound method refers back to its engine: the collector must see a pending event's
    def __init__(self):
        self.engine = HeapEngine()
        self.engine.schedule(5.0, self.step, self)
        self.engine.schedule(0.0, self.step, 1)
        self.engine.run(0.05)  # one event pending in a later window, one in the window under way (below)
    def step(self, arg):
        if arg == 1:
            self.engine.schedule(0.1, self.step, 2)
owner = Owner()
ref = weakref.ref(owner)
del owner
gc.collect()
print(repr(out), ref() is None)
"""


def test_the_event_loop_runs_the_same_events_at_the_same_times_on_both_cores():
    """`HeapEngine` compiled (a window's times as C doubles, the near events on a C heap) and pure (lists of tuples):
    the same events in the same order, the clock the same value of the same type (an int clock's times stay ints),
    with windows of many unsorted and tied events, events scheduled into the window under way, at a time already
    past, beyond the listed windows, and runs stopped part-way; an engine whose pending events refer back to it is
    collected."""
    _need_compiled()
    printed = {}
    for pure in (False, True):
        env = {k: v for k, v in os.environ.items() if k not in (acc.ENV_PURE, "SENDSIM_CORE_NOTICE_SHOWN")}
        if pure:
            env[acc.ENV_PURE] = "1"
        r = subprocess.run([sys.executable, "-c", _LOOP_TRACE], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        printed[pure] = r.stdout
    assert printed[False] == printed[True]
    assert printed[False].rstrip().endswith(" True")
    assert "'int'" in printed[False] and "'float'" in printed[False]
