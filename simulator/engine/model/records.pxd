# Cython declarations for records.py (the compiled core): read only when the accelerator is built; records.py itself
# stays plain Python and is the pure path. `Counters` becomes an extension type whose fields are C struct slots (no
# instance dictionary to look up at each of a national year's two million counts); every count is still a Python
# float added with Python's own addition, in the same order, so the sums are the pure path's to the last bit. The
# index of a count is a C integer (an index into a list only).
cimport cython

from ..core.loop cimport Clock
from .child cimport Child


# `Recorder.log` writes one row's fields straight into the chunk's typed arrays (typed memoryviews over the `array`s
# the .py makes; the strings as the C int code of a dictionary look-up, the engine's `now` read from its struct), or,
# for a sink of rows, appends them to the flat list by C calls: the same values, in the same order, as the pure path.
@cython.auto_pickle(False)
cdef class Recorder:
    cdef public list rows
    cdef public object sink
    cdef public Py_ssize_t chunk
    cdef public bint enabled
    cdef public bint columnar
    cdef public Py_ssize_t _limit
    cdef public Clock clock
    cdef public Py_ssize_t n
    cdef public list names
    cdef public dict _codes
    cdef public tuple _bufs
    cdef long long[::1] _id
    cdef int[::1] _la
    cdef double[::1] _day
    cdef int[::1] _step
    cdef int[::1] _event
    cdef int[::1] _duty
    cdef double[::1] _deadline
    cdef signed char[::1] _met

    cpdef Py_ssize_t _new_code(self, value) except -1

    @cython.locals(rows=list)
    cpdef add(self, row)

    @cython.locals(codes=dict, n=Py_ssize_t, k=object)
    cpdef _put(self, child, la, day, step, event, duty, deadline, met)

    @cython.locals(rows=list, ch=Child)
    cpdef log(self, c, step, event, duty, deadline=*, met=*)


cdef class Counters:
    cdef public object cal
    cdef public dict _ids
    cdef public list _names
    cdef public list _g
    cdef public list _x
    cdef public object from_day
    cdef public list _year_days
    cdef public list _years
    cdef public list _ac_days
    cdef public list _ac_years
    cdef public dict _by
    cdef public dict _la_by
    cdef public tuple _span
    cdef public tuple _ac_span

    # `n` and each entry's value `v` are C doubles: the entries are floats, and a float plus `n` (a float or an int,
    # which Python's float addition converts as C does) is the same IEEE sum; the entry is stored back as a float
    @cython.locals(row=list, i=Py_ssize_t, x=list, g=list, ac=list, ch=Child, gi=Py_ssize_t, pi=Py_ssize_t, v=double)
    cpdef count(self, c, metric, day, double n=*, academic=*)

    @cython.locals(row=list, i=Py_ssize_t, g=list, x=list, ids=dict, ch=Child, gi=Py_ssize_t, pi=Py_ssize_t, v=double,
                   n=double)
    cpdef count_each(self, c, pairs, day, scale=*)

    @cython.locals(days=list, i=Py_ssize_t, row=list)
    cpdef list _academic_row(self, day)

    cpdef add(self, metric, day, n=*, academic=*)

    @cython.locals(d=dict)
    cpdef add_la(self, la, metric, day, n=*)

    cpdef year(self, day)

    @cython.locals(days=list, i=Py_ssize_t)
    cpdef tuple year_span(self, day)


@cython.locals(lo=Py_ssize_t, hi=Py_ssize_t, mid=Py_ssize_t, v=double, xd=double)
cpdef Py_ssize_t _year_after(list days, day) except -1

@cython.locals(cols=list, k=Py_ssize_t, i=Py_ssize_t, col=list)
cpdef list fields_of(list objs, tuple names)

@cython.locals(index=dict, out=bytearray, k=Py_ssize_t, code=Py_ssize_t)
cpdef object small_codes(values, list names)

# the children's fields of journeys.parquet, each a struct read of the `Child` stored by C into the typed columns
@cython.locals(c=Child, n=Py_ssize_t, i=Py_ssize_t, k=Py_ssize_t, f=Py_ssize_t, index=list, names=list, seen=dict,
               iv=cython.longlong[::1], bv=cython.uchar[::1], fv=cython.double[::1], cv=cython.uchar[::1])
cpdef object journey_arrays(list children)

# the new requests' children, and each group's counts of the state at the end: each field a struct read of the `Child`
@cython.locals(c=Child)
cpdef list new_requests(list children, warm)

# each group's counts of the state at the end, each field a struct read of the `Child`
@cython.locals(c=Child, per=dict, row=list, by_pid=bint)
cpdef dict state_by_group(list children, str key)

# the metrics' fields of the new requests: struct reads of the `Child` stored by C into typed columns (`array`s and a
# `bytearray` made by the .py)
@cython.locals(c=Child, n=Py_ssize_t, i=Py_ssize_t, fv=cython.double[::1], pv=cython.uchar[::1],
               gv=cython.longlong[::1])
cpdef tuple request_columns(list children)
