"""Named, keyed random numbers for common random numbers (CRN).

Every random decision has its own stream name. A draw is a pure function of
(master seed, replication, stream name, child id, occurrence): the same child meets the
same underlying number at the same decision whatever else happens in the run, whatever
rule set is applied, whatever order events are processed in and however many workers run.
This is what makes a paired comparison between two rule sets tight, and what makes a run
byte-for-byte reproducible.

The generator is counter-based (SplitMix64 finaliser over a 64-bit key), seeded from a
numpy SeedSequence; bulk draws (arrival times, attributes of many children at once) use
numpy Generators spawned from the same SeedSequence by stream name.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: the pure path
    from .cython_shim import cython

import math
import zlib
from array import array

import numpy as np

if cython.compiled:  # C's log (streams.pxd: `_ln`)
    from cython.cimports.libc.math import log as _c_log

_M64 = 0xFFFFFFFFFFFFFFFF  # 2**64 - 1
_GOLDEN = 0x9E3779B97F4A7C15
_OCC = 0xD1B54A32D192ED03  # the step between a child's occurrences of one stream
_MIX1 = 0xBF58476D1CE4E5B9  # SplitMix64's two multipliers
_MIX2 = 0x94D049BB133111EB
_INV53 = 2.0 ** -53


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _ln(x: float) -> float:
    """math.log of a positive float. Compiled, C's `log` itself: the libm function that math.log calls for a
    positive finite float, so the same double, without a Python call (math.log parses an argument tuple: about
    800 instructions a call). Every caller passes a product of uniforms in (0, 1), never 0. In pure Python this
    name is `math.log` itself (below), so the pure path pays no extra call."""
    return _c_log(x)


if not cython.compiled:  # the pure path (Cython drops this branch when it compiles the module)
    _ln = math.log  # noqa: F811


def stream_id(name: str) -> int:
    """Stable 32-bit id of a stream name (crc32: identical on every platform and Python)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Random numbers for one replication of one run."""

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)
        ss = np.random.SeedSequence([self.seed, self.replication])
        self._base = int(ss.generate_state(2, dtype=np.uint64)[0]) & _M64
        self._keys: dict[str, int] = {}

    def key(self, name: str) -> int:
        k = self._keys.get(name)
        if k is None:
            k = _mix((self._base ^ (stream_id(name) * _GOLDEN)) & _M64)
            self._keys[name] = k
        return k

    def generator(self, name: str, *ids: int) -> np.random.Generator:
        """A numpy Generator for bulk draws, seeded by (seed, replication, stream name, ids)."""
        ss = np.random.SeedSequence([self.seed, self.replication, stream_id(name), *[int(i) for i in ids]])
        return np.random.default_rng(ss)

    def uniform(self, name: str, child: int, occurrence: int = 0) -> float:
        """U(0,1) in (0, 1): the draw of `child` at its `occurrence`-th use of stream `name`."""
        z = (self.key(name) + (child + 1) * _GOLDEN + occurrence * 0xD1B54A32D192ED03) & _M64
        return ((_mix(z) >> 11) + 0.5) * _INV53


class Draw:
    """Fast draws from one stream: bind the stream once, call many times (the hot path).

    One draw in pure Python costs a dozen operations on 64-bit integers. When most children of a
    range will use a stream, `prefetch` computes their first few occurrences at once with numpy
    (`uniform_array`: the same numbers) and `u` then just reads them; other draws are computed.
    The prefetched values are one flat `array('d')`, occurrence after occurrence: in the compiled core
    (streams.pxd) it is read through a typed memoryview, a C load of the same double; here, an index.
    """

    __slots__ = ("key", "_lo", "_n", "_nocc", "_pre")

    def __init__(self, streams: Streams, name: str):
        self.key = streams.key(name)
        self._lo = self._n = self._nocc = 0  # prefetched: children lo .. lo + n - 1, occurrences 0 .. nocc - 1
        self._pre = array("d")  # occurrence o of child lo + j at o * n + j

    def prefetch(self, lo: int, hi: int, occurrences: int = 1) -> None:
        """Draw occurrences 0 .. `occurrences` - 1 of children `lo` .. `hi` - 1 in bulk (identical values)."""
        ids = np.arange(lo, hi, dtype=np.int64)
        pre = array("d")
        for o in range(occurrences):  # one occurrence at a time: no temporary of them all
            pre.frombytes(uniform_array(self, ids, o).tobytes())
        self._pre = pre
        self._lo, self._n, self._nocc = lo, max(0, hi - lo), occurrences

    def u(self, child: int, occurrence: int = 0) -> float:
        if occurrence < self._nocc:
            j = child - self._lo
            if 0 <= j < self._n:
                return self._pre[occurrence * self._n + j]
        z = (self.key + (child + 1) * _GOLDEN + occurrence * _OCC) & _M64
        z = ((z ^ (z >> 30)) * _MIX1) & _M64
        z = ((z ^ (z >> 27)) * _MIX2) & _M64
        return (((z ^ (z >> 31)) >> 11) + 0.5) * _INV53

    def bernoulli(self, p: float, child: int, occurrence: int = 0) -> bool:
        return self.u(child, occurrence) < p

    def exponential(self, mean: float, child: int, occurrence: int = 0) -> float:
        return -mean * _ln(self.u(child, occurrence))

    def gamma2(self, mean: float, child: int, occurrence: int = 0) -> float:
        """Erlang-2 with the given mean (CV 0.71): a duration with a mode above zero."""
        if occurrence == 0 and self._nocc > 1:  # both draws prefetched? (as `u`, read directly)
            j = child - self._lo
            if 0 <= j < self._n:
                return -0.5 * mean * _ln(self._pre[j] * self._pre[self._n + j])
        o = 2 * occurrence
        return -0.5 * mean * _ln(self.u(child, o) * self.u(child, o + 1))

    def lognormal(self, median: float, sigma: float, child: int, occurrence: int = 0) -> float:
        o = 2 * occurrence
        z = math.sqrt(-2.0 * math.log(self.u(child, o))) * math.cos(2.0 * math.pi * self.u(child, o + 1))
        return median * math.exp(sigma * z)

    def choice(self, cumulative: list[float], child: int, occurrence: int = 0) -> int:
        """Index drawn from a cumulative probability list (last entry 1.0)."""
        u = self.u(child, occurrence)
        for i, c in enumerate(cumulative):
            if u < c:
                return i
        return len(cumulative) - 1


_G = np.uint64(_GOLDEN)
_C2 = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _fill_uniform(out: np.ndarray, ids: np.ndarray, key: int, occurrence: int) -> None:
    """`uniform_array` in one C loop (the compiled core only: streams.pxd types it): for each id, `Draw.u`'s
    SplitMix64 on C unsigned 64-bit integers, which wrap as numpy's uint64 arithmetic does, and the same double
    operations in the same order (the top 53 bits, exact as a double, plus 0.5, times 2**-53), so the same numbers
    as the numpy passes below, without their eleven temporaries' passes over memory."""
    base = key + occurrence * _OCC
    for i in range(ids.shape[0]):
        z = ids[i]
        z = (z + 1) * _GOLDEN + base
        z = (z ^ (z >> 30)) * _MIX1
        z = (z ^ (z >> 27)) * _MIX2
        z = z ^ (z >> 31)
        out[i] = ((z >> 11) + 0.5) * _INV53


def uniform_array(draw: Draw, ids: np.ndarray, occurrence: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """The same numbers as `draw.u(id, occurrence)` for many children at once (uint64 arithmetic wraps); written into
    `out` when it is given (a contiguous float64 array of the ids' length, such as a row of a table of draws: no
    array made, then copied) and returned."""
    if cython.compiled and type(ids) is np.ndarray and ids.dtype == np.int64 and ids.ndim == 1 and occurrence >= 0:
        if out is None:
            out = np.empty(ids.shape[0], dtype=np.float64)
        elif out.shape[0] != ids.shape[0]:
            raise ValueError(f"{ids.shape[0]} ids, an output of {out.shape[0]}")
        _fill_uniform(out, np.ascontiguousarray(ids), draw.key, occurrence)
        return out
    with np.errstate(over="ignore"):  # in place: a prefetch draws hundreds of thousands at once
        z = ids.astype(np.uint64)
        z += np.uint64(1)
        z *= _G
        z += np.uint64(draw.key) + np.uint64(occurrence) * _C2
        z ^= z >> np.uint64(30)
        z *= _M1
        z ^= z >> np.uint64(27)
        z *= _M2
        z ^= z >> np.uint64(31)
        z >>= np.uint64(11)
    u = z.astype(np.float64)
    u += 0.5
    u *= _INV53
    if out is not None:
        out[...] = u
        return out
    return u


def _fill_log(out: np.ndarray, u: np.ndarray) -> None:
    """`log_array` in one C loop (the compiled core only: streams.pxd types it): C's `log` of each value."""
    for i in range(u.shape[0]):
        out[i] = _ln(u[i])


def log_array(u: np.ndarray) -> np.ndarray:
    """The natural log of each of the positive values `u` (one-dimensional), by the C library's `log`, the function
    math.log calls, never numpy's.

    Why not `np.log`: on a machine with AVX-512, numpy's float64 log (and power) is its own vector code, whose
    result differs in the last bit from the C library's for about 0.35% of values (3,534 of a million uniforms;
    `NPY_DISABLE_CPU_FEATURES` turns it off). The same scenario and seed then gave different results on different
    machines (England 2024-2035: 39,699,153 events on an AVX-512 machine, 39,643,176 on one without), and the bulk
    draws no longer equalled the one-by-one draws they stand for (`draw_plan_move` takes math.log of the same
    uniform). The C library's `log` is one function on every machine a run is compared across."""
    u = np.ascontiguousarray(u, dtype=np.float64)
    if cython.compiled:
        out = np.empty(u.shape[0], dtype=np.float64)
        _fill_log(out, u)
        return out
    return np.fromiter(map(math.log, u.tolist()), np.float64, u.shape[0])


def choice_array(draw: Draw, cumulative: list[float], ids: np.ndarray, occurrence: int = 0) -> np.ndarray:
    """The same indices as `draw.choice(cumulative, id, occurrence)` for many children at once."""
    u = uniform_array(draw, ids, occurrence)
    return np.minimum(np.searchsorted(np.asarray(cumulative), u, side="right"), len(cumulative) - 1)


class StreamSet:
    """Declared streams as attributes: `rng.refuse_assess.u(child)`. Each Draw is made once, when the set is made.

    A base class: a subclass declares its stream names as its slots (in the compiled core, fields typed `Draw`, so
    that a compiled step's `self.rng.refuse_assess.u(...)` is a struct read and a C call), and this class fills them.
    The engine knows no stream's name; the route's set is `engine.model.streams.RouteStreams`.
    Only the names given are streams: any other attribute or `get` is refused (a typo would otherwise make a new,
    unpaired stream and silently break common random numbers between rule sets)."""

    __slots__ = ("_streams", "_names")

    def __init__(self, streams: Streams, names: tuple[str, ...] | list[str]):
        self._streams = streams
        self._names = frozenset(names)
        for name in names:
            setattr(self, name, Draw(streams, name))

    def __getattr__(self, name: str) -> Draw:  # called only for a name that is not a declared stream
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(f"unknown random stream {name!r}: every stream must be declared (declared: "
                             f"{', '.join(sorted(self._names))})")

    def get(self, name: str) -> Draw:
        if name not in self._names:
            raise KeyError(f"unknown random stream {name!r}: every stream must be declared")
        return getattr(self, name)
