# Cython declarations for loop.py (the compiled core): read only when the accelerator is built; loop.py itself stays
# plain Python and is the pure path. Times stay Python objects (`now`, `horizon`, event times), so the compiled
# loop computes and stores exactly the same values, of the same types, as the pure one.
cimport cython

# a module constant as a C double, so that a window's test (`0.0 <= x < _LISTED_WINDOWS`) is a C comparison: as a
# Python global it made a float of `x`, looked the name up and compared two objects at every `schedule` and `at`
cdef double _LISTED_WINDOWS


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
    cdef public list _cur
    cdef public Py_ssize_t _i
    cdef public list _wins
    cdef public double _k0

    @cython.locals(b=list, d=double, s="long long", k=double, x=double, j=Py_ssize_t, wins=list)
    cpdef schedule(self, delay, fn, arg)

    @cython.locals(b=list, d=double, s="long long", k=double, x=double, j=Py_ssize_t, wins=list)
    cpdef at(self, time, fn, arg)

    @cython.locals(near=list, cur=list, i=Py_ssize_t, ncur=Py_ssize_t, n=Py_ssize_t, ev=tuple, u=double, t=double,
                   tn=double, x=double, j=Py_ssize_t)
    cpdef run(self, until)
