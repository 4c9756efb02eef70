"""The event loop: a clock and the future events, in two drivers that give identical results.

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

Why this module is long: it is one of the compiled core's modules (loop.pxd), and the compiled `HeapEngine` keeps
its windows and the heap of the window under way in C (`_Window`, `_push_near`, `_pop_near`, `_run_windows`) beside
the pure path's lists of tuples, which are the reference it is tested against (tests/test_accelerator.py); the
two drivers share one interface here.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Protocol

try:
    import cython
except ImportError:  # no Cython at run time: the pure path
    from .cython_shim import cython

if cython.compiled:  # a window's times as C doubles, the near heap as C structs (loop.pxd: `_Ev`, `_Near`)
    from cython.cimports.cpython.object import PyObject
    from cython.cimports.libc.stdlib import free, malloc, realloc
    from cython.cimports.libc.string import memcpy

Callback = Callable[[Any], None]

_heappush = heapq.heappush
_heappop = heapq.heappop
_time = itemgetter(0)
# Windows from the first one (the clock's when the engine starts) to this many after it are found by their index in
# a list (`HeapEngine._wins`); any other (a run of thousands of years, or a very narrow width) by its key in a
# dictionary (`HeapEngine._far`).
_LISTED_WINDOWS = 65536.0


class Engine(Protocol):
    now: float
    horizon: float
    events_processed: int

    def start_at(self, time: float) -> None: ...

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None: ...

    def at(self, time: float, fn: Callback, arg: Any) -> None: ...

    def run(self, until: float) -> None: ...


class Clock:
    """What a `Resource` and the route's steps need of their engine: the time `now`, `schedule` and `at`. Both
    engines derive from it.

    Why a base class and not only the `Engine` protocol: when the compiled core is built, the resources and the
    route's steps (`RunState.engine`, state.pxd) read `now` and call `schedule` and `at` of a declared type directly
    in C instead of looking them up by name on every service and step.
    """

    __slots__ = ("now",)

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        raise NotImplementedError

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        raise NotImplementedError


# a window's sort in the compiled core (`_Window.sort`): runs of this many events put in order by insertion, then merged
_RUN = 16


class _Window:
    """A window's events in the compiled core: each event's time a C double in a C array (`_Ev`: the time and the
    event's place in `objs`), its callback and argument in one Python list (`objs`: callback, argument, callback,
    argument, ... in the order they were scheduled). Scheduling an event into a later window allocates no tuple and
    no float (two appends and a C store), and the run reads a double. Not used by the pure path, whose windows are
    lists of (time, callback, argument) tuples: the same order, the same times.

    The order: `sort` is a stable sort of the C array on the time alone (already in order, as most windows that are
    scheduled in time order are, it is one pass; otherwise an insertion sort of runs of `_RUN` events, then merges
    that take the earlier run's event on a tie), so events of equal time keep the order they were scheduled in,
    exactly as Python's stable sort of the tuples by time does. A time that is not a Python float (a clock started
    or stopped at an int, say) is kept as the object itself: its callback's entry in `objs` is (time, callback), the
    window marked `odd`, and the run sets the clock to that object; its double orders it.

    Why `objs` is a Python list and not C pointers beside the times: the cyclic garbage collector sees a list's
    references (a journey's bound methods refer back to the journey, which holds the engine), and a list's slot is
    cleared after the event runs, while the child is still in cache, as the tuples were.
    """

    def __cinit__(self) -> None:
        self.ev = cython.NULL
        self.n = 0
        self.cap = 0
        self.odd = False
        self.objs = []

    def __dealloc__(self) -> None:
        free(self.ev)

    def __len__(self) -> int:
        return self.n

    def add(self, d: float, t: Any, fn: Callback, arg: Any) -> int:
        n = self.n
        if n == self.cap:
            cap = 2 * n if n else 8
            p = realloc(self.ev, cap * cython.sizeof(_Ev))  # noqa: F821 - _Ev: loop.pxd
            if p == cython.NULL:
                raise MemoryError()
            self.ev = cython.cast(_EvP, p)  # noqa: F821 - _EvP: loop.pxd
            self.cap = cap
        self.ev[n].t = d
        self.ev[n].i = n
        if t is not None:
            self.odd = True
            fn = (t, fn)
        self.objs.append(fn)
        self.objs.append(arg)
        self.n = n + 1
        return 0

    def sort(self) -> int:
        n = self.n
        a = self.ev
        j = 1
        while j < n and not a[j].t < a[j - 1].t:
            j += 1
        if j >= n:
            return 0  # already in time order (ties in the order scheduled)
        lo = 0
        while lo < n:  # runs of _RUN in order, by insertion: an event moves before strictly later ones only
            hi = min(lo + _RUN, n)
            j = lo + 1
            while j < hi:
                x = a[j]
                m = j
                while m > lo and x.t < a[m - 1].t:
                    a[m] = a[m - 1]
                    m -= 1
                a[m] = x
                j += 1
            lo = hi
        if n <= _RUN:
            return 0
        b = cython.cast(_EvP, malloc(n * cython.sizeof(_Ev)))  # noqa: F821 - loop.pxd
        if b == cython.NULL:
            raise MemoryError()
        src, dst = a, b
        width = _RUN
        while width < n:  # merges of neighbouring runs: on a tie the earlier run's event first
            lo = 0
            while lo < n:
                mid = min(lo + width, n)
                hi = min(lo + 2 * width, n)
                i = lo
                j = mid
                o = lo
                if mid < hi and src[mid].t < src[mid - 1].t:
                    while i < mid and j < hi:
                        if src[j].t < src[i].t:
                            dst[o] = src[j]
                            j += 1
                        else:
                            dst[o] = src[i]
                            i += 1
                        o += 1
                if i < mid:
                    memcpy(dst + o, src + i, (mid - i) * cython.sizeof(_Ev))  # noqa: F821 - loop.pxd
                    o += mid - i
                if j < hi:
                    memcpy(dst + o, src + j, (hi - j) * cython.sizeof(_Ev))  # noqa: F821 - loop.pxd
                lo = hi
            src, dst = dst, src
            width *= 2
        if src == b:  # the sorted events are in the new array: keep it
            free(a)
            self.ev = b
            self.cap = n
        else:
            free(b)
        return 0


class HeapEngine(Clock):
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
    The default width is a quarter of a day (issue 28's thirteenth round: a day's window left about a seventh of
    a projection's events to the heap, scheduled into the day already under way; a quarter day cut the run's
    instructions by 1.6%, a sixteenth no further). `bucket_width=math.inf` gives a single plain heap. A window's list is found by its number counted from the
    first window (`_k0`), an index into a list (`_wins`), rather than by its float key in a dictionary (a float's
    hash and comparison cost most of a `schedule`); windows beyond `_LISTED_WINDOWS` of the first are kept by
    key in `_far`. Which of the two holds a window changes nothing of the order: the windows are taken in the
    order of their keys (`_far_keys`), each list in the order its events were scheduled.

    The compiled core (issue 28's fifteenth round) keeps the same windows and the same order without a tuple or a
    float per event: a later window is a `_Window` (its times as C doubles, its callbacks and arguments in one list,
    a stable C sort), and the heap of the window under way holds C entries (time, sequence, slot), its callbacks
    and arguments in `_nobjs`; `schedule` and `at` add two floats as C doubles (the same IEEE addition Python
    makes), and the run sets `now` to a new Python float of the event's double, the value the tuple held. The pure
    path (the code after each `if cython.compiled:` branch: lists of tuples) is the reference;
    tests/test_accelerator.py runs both and compares every event's time and type.
    """

    __slots__ = ("horizon", "_heap", "_seq", "events_processed", "_end", "_width", "_far", "_far_keys",
                 "_cur", "_i", "_wins", "_k0")

    def __init__(self, bucket_width: float = 0.25) -> None:
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
        self._wins: list[list[tuple[float, Callback, Any]] | None] = []  # window k's list at k - _k0, or None
        self._k0 = 0.0 if math.isinf(self._width) else self.now // self._width  # the first window (the clock's)
        # the current window's events, sorted (compiled: a `_Window`, whose `len` is its number of events)
        self._cur: list[tuple[float, Callback, Any] | None] | _Window = _Window() if cython.compiled else []
        self._i = 0  # the next of them to run
        if cython.compiled:  # the heap of events scheduled into the window under way, in C (`_push_near`)
            self._nh = cython.NULL
            self._nn = 0
            self._ncap = 0
            self._nfree = cython.NULL
            self._nf = 0
            self._nobjs = []
            self._nodd = False

    def start_at(self, time: float) -> None:
        """Set the clock before anything is scheduled (a run may start before day 0: the lead-in)."""
        assert not self._heap and not self._far_keys and not self._cur, \
            "start_at must come before any event is scheduled"
        if cython.compiled:
            assert self._nn == 0, "start_at must come before any event is scheduled"
        self.now = time
        if not math.isinf(self._width):
            self._k0 = time // self._width  # no event is ever scheduled before the clock: k - _k0 >= 0

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        if cython.compiled:  # the time as a C double (a float's own addition); `t` None: a Python float of it
            now = self.now
            if type(now) is float and type(delay) is float:
                nd = now
                dd = delay
                d = nd + dd
                t = None
            else:
                t = now + delay
                d = t
                if type(t) is float:
                    t = None
            self._put(d, t, fn, arg)
            return
        t = self.now + delay
        self._place(t, fn, arg)

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        # now + (time - now), not time: the same float arithmetic as a SimPy timeout, so both engines agree
        now = self.now
        if cython.compiled:  # as `schedule`: the same float arithmetic on C doubles when both times are floats
            if type(now) is float and type(time) is float:
                nd = now
                dd = time
                d = nd + (dd - nd if dd > nd else 0.0)
                t = None
            else:
                t = now + (time - now if time > now else 0.0)
                d = t
                if type(t) is float:
                    t = None
            self._put(d, t, fn, arg)
            return
        t = now + (time - now if time > now else 0.0)
        self._place(t, fn, arg)

    def _place(self, t: Any, fn: Callback, arg: Any) -> None:
        """(pure Python) `schedule` and `at`: an event at time `t` into the heap of the window under way, or into its
        later window's list (by the window's number, listed or far); the same choices as the compiled `_put`."""
        if t < self.horizon:
            if t < self._end:
                self._seq = s = self._seq + 1
                _heappush(self._heap, (t, s, fn, arg))
            else:  # a later window (most events of a national run), kept in that window's list
                k = t // self._width  # exact: the width is a power of two
                x = k - self._k0
                if 0.0 <= x < _LISTED_WINDOWS:
                    j = int(x)
                    wins = self._wins
                    if j >= len(wins):
                        wins.extend([None] * (max(j + 1, 2 * len(wins)) - len(wins)))
                    b = wins[j]
                    if b is None:
                        wins[j] = [(t, fn, arg)]
                        _heappush(self._far_keys, k)
                    else:
                        b.append((t, fn, arg))
                else:
                    b = self._far.get(k)
                    if b is None:
                        self._far[k] = [(t, fn, arg)]
                        _heappush(self._far_keys, k)
                    else:
                        b.append((t, fn, arg))

    def _put(self, d: float, t: Any, fn: Callback, arg: Any) -> int:
        """(compiled) `schedule` and `at`: an event at the double `d` (`t`: its time if not a Python float) into the
        heap of the window under way or into its window's `_Window`; the same choices as the pure path's."""
        if d < self.horizon:
            if d < self._end:
                self._push_near(d, t, fn, arg)
            else:  # a later window (most events of a national run)
                k = d // self._width  # exact: the width is a power of two
                x = k - self._k0
                if 0.0 <= x < _LISTED_WINDOWS:
                    j = int(x)
                    wins = self._wins
                    if j >= len(wins):
                        wins.extend([None] * (max(j + 1, 2 * len(wins)) - len(wins)))
                    w = wins[j]
                    if w is None:
                        w = _Window()
                        wins[j] = w
                        _heappush(self._far_keys, k)
                else:
                    w = self._far.get(k)
                    if w is None:
                        w = _Window()
                        self._far[k] = w
                        _heappush(self._far_keys, k)
                w.add(d, t, fn, arg)
        return 0

    def __dealloc__(self) -> None:
        free(self._nh)
        free(self._nfree)

    def _push_near(self, d: float, t: Any, fn: Callback, arg: Any) -> int:
        """(compiled) An event scheduled into the window under way, onto the C heap `_nh` ordered by (time, order of
        scheduling), as the pure path's heap of (time, sequence, callback, argument) tuples is: entries of (time,
        sequence, slot), the callback and argument at `_nobjs[2 slot]` and `[2 slot + 1]` (a slot is reused once its
        event has run; `_nfree` holds the free ones). A time that is not a Python float as in `_Window.add`."""
        if t is not None:
            self._nodd = True
            fn = (t, fn)
        objs = self._nobjs
        if self._nf:
            self._nf -= 1
            slot = self._nfree[self._nf]
            objs[2 * slot] = fn
            objs[2 * slot + 1] = arg
        else:
            slot = len(objs) // 2
            objs.append(fn)
            objs.append(arg)
        m = self._nn
        if m == self._ncap:
            cap = 2 * m if m else 64
            p = realloc(self._nh, cap * cython.sizeof(_Near))  # noqa: F821 - _Near: loop.pxd
            if p == cython.NULL:
                raise MemoryError()
            self._nh = cython.cast(cython.pointer(_Near), p)  # noqa: F821 - loop.pxd
            p = realloc(self._nfree, cap * cython.sizeof(cython.Py_ssize_t))
            if p == cython.NULL:
                raise MemoryError()
            self._nfree = cython.cast(cython.pointer(cython.Py_ssize_t), p)
            self._ncap = cap
        self._seq = s = self._seq + 1
        h = self._nh
        self._nn = m + 1
        while m > 0:  # sift up: the new event has the largest sequence, so only a strictly later time is passed
            q = (m - 1) >> 1
            if d < h[q].t:
                h[m] = h[q]
                m = q
            else:
                break
        h[m].t = d
        h[m].s = s
        h[m].slot = slot
        return 0

    def _pop_near(self) -> int:
        """(compiled) The earliest of `_nh` (by time, then sequence) off the heap: its slot, which is then free."""
        h = self._nh
        slot = h[0].slot
        self._nn -= 1
        n = self._nn
        if n > 0:
            last = h[n]
            m = 0
            while True:  # sift down
                c = 2 * m + 1
                if c >= n:
                    break
                if c + 1 < n and (h[c + 1].t < h[c].t or (h[c + 1].t == h[c].t and h[c + 1].s < h[c].s)):
                    c += 1
                if h[c].t < last.t or (h[c].t == last.t and h[c].s < last.s):
                    h[m] = h[c]
                    m = c
                else:
                    break
            h[m] = last
        self._nfree[self._nf] = slot
        self._nf += 1
        return slot

    def run(self, until: float) -> None:
        if cython.compiled:
            self._run_windows(until)
            return
        near = self._heap  # events scheduled into the current window after it was sorted
        cur, i = self._cur, self._i
        ncur = len(cur)
        pop = _heappop
        n = 0
        u = until  # compiled, `u`, `t` and `tn` are C doubles: times compared without a Python object
        while True:
            if i < ncur:
                ev = cur[i]
                t = ev[0]
                if near:
                    tn = near[0][0]
                    if tn < t:  # a tie goes to `cur`: scheduled before anything in `near`
                        if tn >= u:
                            break
                        ev = pop(near)
                        self.now = ev[0]
                        ev[2](ev[3])
                        n += 1
                        continue
                if t >= u:
                    break
                cur[i] = None  # freed after it runs, while still in cache
                i += 1
                self.now = ev[0]
                ev[1](ev[2])
            elif near:
                ev = near[0]
                tn = ev[0]
                if tn >= u:
                    break
                pop(near)
                self.now = ev[0]
                ev[2](ev[3])
            elif self._far_keys:  # the window is done: sort the next one with events
                k = _heappop(self._far_keys)
                x = k - self._k0
                if 0.0 <= x < _LISTED_WINDOWS:
                    j = int(x)
                    cur = self._cur = self._wins[j]
                    self._wins[j] = None
                else:
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

    def _fire_near(self) -> int:
        """(compiled) The earliest event of the near heap (`_nh`) runs: taken off the heap, its callback and argument
        taken out of their slots (None left there), the clock set to its time, and its callback called."""
        tn = self._nh[0].t
        k = 2 * self._pop_near()
        nobjs = self._nobjs
        fn = _list_take(nobjs, k)  # noqa: F821 - loop.pxd
        arg = _list_take(nobjs, k + 1)  # noqa: F821 - loop.pxd
        if self._nodd and type(fn) is tuple:
            self.now = fn[0]
            fn = fn[1]
        elif not _float_in_place(cython.cast(cython.pointer(PyObject), self.now), tn):  # noqa: F821 - loop.pxd
            self.now = tn
        fn(arg)
        return 0

    def _run_windows(self, until: float) -> None:
        """(compiled) `run` on `_Window`s: the same order and the same clock as the pure path's lists of tuples; the
        clock is set to a Python float of the event's double (the same value the tuple held), or to the time's own
        object if it was not a float (`_Window.odd`).

        The clock's float is written in place when the engine holds the only reference to it (no step kept the time
        it read: `_float_in_place`, loop.pxd), else replaced by a new one; either way `now` is a float of that value
        and no other object changes. An event's callback and argument are taken out of their list slots
        (`_list_take`: the list's references handed over, None left behind, no bounds check: the slots exist by
        construction), so they are freed after the step, while still in cache."""
        w = self._cur
        i = self._i
        ncur = w.n
        a = w.ev
        objs = w.objs
        odd = w.odd
        n = 0
        u = until
        while True:
            if i < ncur:
                t = a[i].t
                if self._nn and self._nh[0].t < t:  # a tie goes to the window: scheduled before anything in the heap
                    if self._nh[0].t >= u:
                        break
                    self._fire_near()
                    n += 1
                    continue
                if t >= u:
                    break
                k = 2 * a[i].i
                fn = _list_take(objs, k)  # noqa: F821 - loop.pxd
                arg = _list_take(objs, k + 1)  # noqa: F821 - loop.pxd
                i += 1
                # the next events' memory asked for ahead, a stage every event or two (loop.pxd: hints only; many
                # events are shorter than a memory access, so one event between the stages was too little)
                if i + 6 < ncur:
                    _pf_slot(objs, 2 * a[i + 6].i + 1)  # noqa: F821 - loop.pxd
                if i + 4 < ncur:
                    _pf_head(objs, 2 * a[i + 4].i + 1)  # noqa: F821 - loop.pxd
                if i + 2 < ncur:
                    _pf_body(objs, 2 * a[i + 2].i + 1)  # noqa: F821 - loop.pxd
                if i < ncur:
                    _pf_items(objs, 2 * a[i].i + 1)  # noqa: F821 - loop.pxd
                if odd and type(fn) is tuple:
                    self.now = fn[0]
                    fn = fn[1]
                elif not _float_in_place(cython.cast(cython.pointer(PyObject), self.now), t):  # noqa: F821 - loop.pxd
                    self.now = t
                fn(arg)
            elif self._nn:
                if self._nh[0].t >= u:
                    break
                self._fire_near()
            elif self._far_keys:  # the window is done: sort the next one with events
                kw = _heappop(self._far_keys)
                x = kw - self._k0
                if 0.0 <= x < _LISTED_WINDOWS:
                    j = int(x)
                    w = self._wins[j]
                    self._wins[j] = None
                else:
                    w = self._far.pop(kw)
                self._cur = w
                w.sort()
                i, ncur, a, objs, odd = 0, w.n, w.ev, w.objs, w.odd
                self._end = (kw + 1.0) * self._width
                continue
            else:
                break
            n += 1
        self._i = i
        self.events_processed += n
        self.now = until


class SimpyEngine(Clock):
    """The same interface on SimPy's environment: each event is a `Timeout` with a callback.

    `now` is SimPy's clock as a float, copied whenever SimPy's clock can have moved (before each callback and
    after each `run`), so that reading it is a plain attribute as on `HeapEngine`.
    """

    def __init__(self) -> None:
        import simpy

        self.env = simpy.Environment()
        self.now = float(self.env.now)
        self.events_processed = 0
        self.horizon = math.inf

    def start_at(self, time: float) -> None:
        import simpy

        self.env = simpy.Environment(initial_time=time)
        self.now = float(self.env.now)

    def schedule(self, delay: float, fn: Callback, arg: Any) -> None:
        if self.env.now + delay < self.horizon:
            ev = self.env.timeout(delay)
            ev.callbacks.append(lambda _ev: self._fire(fn, arg))

    def at(self, time: float, fn: Callback, arg: Any) -> None:
        self.schedule(max(0.0, time - self.env.now), fn, arg)

    def _fire(self, fn: Callback, arg: Any) -> None:
        self.events_processed += 1
        self.now = float(self.env.now)
        fn(arg)

    def run(self, until: float) -> None:
        if until > self.env.now:
            self.env.run(until=until)
        self.now = float(self.env.now)


ENGINES: dict[str, type] = {"heap": HeapEngine, "simpy": SimpyEngine}


def make_engine(name: str = "heap") -> Engine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; allowed: {', '.join(ENGINES)}") from None
