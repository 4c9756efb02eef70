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
    """
    bint _float_in_place "sendsim_float_in_place" (PyObject *o, double v)
    object _list_take "sendsim_list_take" (list lst, Py_ssize_t i)

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
