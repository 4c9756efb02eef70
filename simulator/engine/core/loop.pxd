# Cython declarations for loop.py (the compiled core): read only when the accelerator is built; loop.py itself stays
# plain Python and is the pure path. `now` stays a Python object; a pending event's time is a C double holding exactly
# the float the pure path stores (a time that is not a Python float is kept as its own object: `_Window.odd`), and
# the clock is set to a Python float of it, so the compiled loop runs the same events at the same values, of the
# same types, as the pure one.
cimport cython
from cpython.object cimport PyObject

cdef extern from *:
    """
    /* loop.py, the compiled run: the clock's float given a new value in place when the engine holds the only
       reference to it (nothing else can see the change), and a list's item taken out of its slot, None left there
       (the list's reference handed to the caller; the index is in range by construction) */
    static CYTHON_INLINE int sendsim_float_in_place(PyObject *o, double v) {
        if (Py_REFCNT(o) == 1 && PyFloat_CheckExact(o)) {
            ((PyFloatObject *)o)->ob_fval = v;
            return 1;
        }
        return 0;
    }
    static CYTHON_INLINE PyObject *sendsim_list_take(PyObject *list, Py_ssize_t i) {
        PyObject *o = PyList_GET_ITEM(list, i);
        Py_INCREF(Py_None);
        PyList_SET_ITEM(list, i, Py_None);
        return o;
    }
    /* Memory prefetches for the events a window runs next (`_run_windows`): hints to the processor only, which
       read nothing a step can see and change no value. A later window's event was scheduled months before it
       runs, so its list slot, its argument and the child that argument holds are all far from the cache when
       it runs (about one cache miss each, in a run of millions of children); asked for a few events ahead, they
       arrive while the events before them run. Each stage reads only what an earlier stage asked for. */
    #if defined(__GNUC__) || defined(__clang__)
    #define SENDSIM_PREFETCH(p) __builtin_prefetch((const void *)(p))
    #else
    #define SENDSIM_PREFETCH(p) ((void)0)
    #endif
    /* an object's memory, its collector's header included, up to 512 bytes (a `Child`) */
    static CYTHON_INLINE void sendsim_prefetch_object(PyObject *o) {
        PyTypeObject *tp = Py_TYPE(o);
        Py_ssize_t size = tp->tp_basicsize;
        const char *p = (const char *)o;
        const char *end;
        if (tp->tp_itemsize)
            size += tp->tp_itemsize * Py_SIZE(o);
        if (size > 512)
            size = 512;
        end = p + size;
        if (PyType_IS_GC(tp))
            p -= 2 * sizeof(void *);  /* the collector's header before the object (CPython 3.8-3.12) */
        for (; p < end; p += 64)
            SENDSIM_PREFETCH(p);
        SENDSIM_PREFETCH(end - 1);
    }
    /* stage 1: the list slot of an event's argument (its callback is beside it) */
    static CYTHON_INLINE void sendsim_prefetch_slot(PyObject *list, Py_ssize_t k) {
        SENDSIM_PREFETCH(&PyList_GET_ITEM(list, k));
    }
    /* stage 2: the argument's first line */
    static CYTHON_INLINE void sendsim_prefetch_head(PyObject *list, Py_ssize_t k) {
        SENDSIM_PREFETCH(PyList_GET_ITEM(list, k));
    }
    /* stage 3: the argument's whole memory, and if it is a tuple (a child with its days), its items' first lines
       and its two neighbours in the cyclic collector's list: the tuple is freed after its step, and freeing a
       tracked object unlinks it from that list, writing the headers of the objects tracked just before and after it
       when it was made (as cold as it is, in a long run). Its header (the two words before the object, CPython
       3.8-3.12; stage 2 asked for the line) holds the next object's header address, zero if untracked, and the
       previous one's with two flag bits. */
    #if defined(__GNUC__) || defined(__clang__)
    #define SENDSIM_PREFETCH_W(p) __builtin_prefetch((const void *)(p), 1)
    #else
    #define SENDSIM_PREFETCH_W(p) ((void)0)
    #endif
    /* the header is read (not only prefetched) only where its place and layout are known */
    #if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x030D0000 && !defined(Py_GIL_DISABLED)
    #define SENDSIM_GC_HEAD_BEFORE 1
    #else
    #define SENDSIM_GC_HEAD_BEFORE 0
    #endif
    static CYTHON_INLINE void sendsim_prefetch_body(PyObject *list, Py_ssize_t k) {
        PyObject *o = PyList_GET_ITEM(list, k);
        Py_ssize_t j, n;
        sendsim_prefetch_object(o);
        if (PyTuple_CheckExact(o)) {
            const uintptr_t *h = (const uintptr_t *)o - 2;
            n = PyTuple_GET_SIZE(o);
            for (j = 0; j < n && j < 4; j++)
                SENDSIM_PREFETCH(PyTuple_GET_ITEM(o, j));
            if (SENDSIM_GC_HEAD_BEFORE && h[0]) {
                SENDSIM_PREFETCH_W(h[0]);
                SENDSIM_PREFETCH_W(h[1] & ~(uintptr_t)3);
            }
        }
    }
    /* stage 4: a tuple argument's items' whole memory (the child) */
    static CYTHON_INLINE void sendsim_prefetch_items(PyObject *list, Py_ssize_t k) {
        PyObject *o = PyList_GET_ITEM(list, k);
        Py_ssize_t j, n;
        if (PyTuple_CheckExact(o)) {
            n = PyTuple_GET_SIZE(o);
            for (j = 0; j < n && j < 4; j++)
                sendsim_prefetch_object(PyTuple_GET_ITEM(o, j));
        }
    }
    """
    bint _float_in_place "sendsim_float_in_place" (PyObject *o, double v)
    object _list_take "sendsim_list_take" (list lst, Py_ssize_t i)
    void _pf_slot "sendsim_prefetch_slot" (list lst, Py_ssize_t k)
    void _pf_head "sendsim_prefetch_head" (list lst, Py_ssize_t k)
    void _pf_body "sendsim_prefetch_body" (list lst, Py_ssize_t k)
    void _pf_items "sendsim_prefetch_items" (list lst, Py_ssize_t k)

# a module constant as a C double, so that a window's test (`0.0 <= x < _LISTED_WINDOWS`) is a C comparison: as a
# Python global it made a float of `x`, looked the name up and compared two objects at every `schedule` and `at`
cdef double _LISTED_WINDOWS
cdef Py_ssize_t _RUN


# an event of a later window (`_Window`): its time, and its place in the order of scheduling (its callback at
# `objs[2 i]`, its argument at `objs[2 i + 1]`)
ctypedef struct _Ev:
    double t
    Py_ssize_t i

ctypedef _Ev* _EvP

# an event scheduled into the window under way (`HeapEngine._nh`, a binary heap by (t, s)): its callback and argument
# at `_nobjs[2 slot]` and `[2 slot + 1]`
ctypedef struct _Near:
    double t
    long long s
    Py_ssize_t slot


cdef class _Window:
    cdef _Ev* ev
    cdef Py_ssize_t n
    cdef Py_ssize_t cap
    cdef bint odd
    cdef list objs

    @cython.locals(n=Py_ssize_t, cap=Py_ssize_t, p="void *")
    cdef int add(self, double d, object t, object fn, object arg) except -1

    @cython.locals(n=Py_ssize_t, a=_EvP, b=_EvP, src=_EvP, dst=_EvP, x=_Ev, i=Py_ssize_t, j=Py_ssize_t, m=Py_ssize_t,
                   o=Py_ssize_t, lo=Py_ssize_t, mid=Py_ssize_t, hi=Py_ssize_t, width=Py_ssize_t)
    cdef int sort(self) except -1


cdef class Clock:
    cdef public object now

    cpdef schedule(self, delay, fn, arg)

    cpdef at(self, time, fn, arg)


cdef class HeapEngine(Clock):
    cdef public double horizon
    cdef public list _heap
    cdef public long long _seq
    cdef public object events_processed
    cdef public double _end
    cdef public double _width
    cdef public dict _far
    cdef public list _far_keys
    cdef public object _cur
    cdef public Py_ssize_t _i
    cdef public list _wins
    cdef public double _k0
    cdef _Near* _nh
    cdef Py_ssize_t _nn
    cdef Py_ssize_t _ncap
    cdef Py_ssize_t* _nfree
    cdef Py_ssize_t _nf
    cdef list _nobjs
    cdef bint _nodd

    @cython.locals(d=double, nd=double, dd=double)
    cpdef schedule(self, delay, fn, arg)

    @cython.locals(d=double, nd=double, dd=double)
    cpdef at(self, time, fn, arg)

    @cython.locals(k=double, x=double, j=Py_ssize_t, wins=list, w=_Window)
    cdef int _put(self, double d, object t, object fn, object arg) except -1

    @cython.locals(objs=list, slot=Py_ssize_t, m=Py_ssize_t, q=Py_ssize_t, cap=Py_ssize_t, p="void *", s="long long",
                   h="_Near *")
    cdef int _push_near(self, double d, object t, object fn, object arg) except -1

    @cython.locals(h="_Near *", slot=Py_ssize_t, n=Py_ssize_t, m=Py_ssize_t, c=Py_ssize_t, last=_Near)
    cdef Py_ssize_t _pop_near(self)

    @cython.locals(near=list, cur=list, i=Py_ssize_t, ncur=Py_ssize_t, n=Py_ssize_t, ev=tuple, u=double, t=double,
                   tn=double, x=double, j=Py_ssize_t)
    cpdef run(self, until)

    @cython.locals(tn=double, k=Py_ssize_t, nobjs=list)
    cdef int _fire_near(self) except -1

    @cython.locals(w=_Window, i=Py_ssize_t, ncur=Py_ssize_t, a=_EvP, objs=list, odd=bint, n=Py_ssize_t,
                   u=double, t=double, k=Py_ssize_t, kw=double, x=double, j=Py_ssize_t)
    cdef _run_windows(self, until)
