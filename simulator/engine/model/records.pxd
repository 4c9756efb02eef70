# Cython declarations for records.py (the compiled core): read only when the accelerator is built; records.py itself
# stays plain Python and is the pure path. `Counters` becomes an extension type whose fields are C struct slots (no
# instance dictionary to look up at each of a national year's two million counts); every count is the IEEE double
# addition Python's float `+` makes, in the same order, so the sums are the pure path's to the last bit. The index of
# a count is a C integer.
cimport cython
from cpython cimport array as carray

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
    cdef Py_ssize_t _cap  # the rows the typed arrays hold (the shortest one's length), for `_put`'s one check
    cdef long long* _idp  # the typed arrays' first values (`_fresh`): `_put` stores through them
    cdef int* _lap
    cdef double* _dayp
    cdef int* _stepp
    cdef int* _eventp
    cdef int* _dutyp
    cdef double* _deadlinep
    cdef signed char* _metp
    cdef public list _code_refs
    cdef int _code_of[1024]  # (records.py: `_CODE_SLOTS`)
    cdef size_t _code_at[1024]  # (the address of the string whose code `_code_of` holds in each slot; 0: none)

    cpdef Py_ssize_t _new_code(self, value) except -1

    @cython.locals(at=cython.size_t, slot=Py_ssize_t)
    cdef inline Py_ssize_t _code(self, value) except -1

    @cython.locals(k=Py_ssize_t)
    cdef Py_ssize_t _code_miss(self, value, size_t at, Py_ssize_t slot) except -1

    @cython.locals(rows=list)
    cpdef add(self, row)

    @cython.locals(codes=dict, n=Py_ssize_t, k=object)
    cdef int _put(self, long long child, int la, double day, step, event, duty, double deadline, met) except -1

    @cython.locals(rows=list, ch=Child)
    cpdef log(self, c, step, event, duty, deadline=*, met=*)

    @cython.locals(ch=Child)
    cpdef log_at(self, c, day, step, event, duty)


# The counts' rows are `array('d')`s (`carray.array`): a count adds to its entry in place through the array's data
# pointer, `data.as_doubles[i] += n`, the C double addition a Python float's `+` makes (no float made or freed); the
# bounds of the year last counted are C doubles, so that the test of each count's day is two C comparisons.
cdef class Counters:
    cdef public object cal
    cdef public dict _ids
    cdef public list _names
    cdef public Py_ssize_t _la_stride
    cdef public list _g
    cdef public list _x
    cdef public object from_day
    cdef public double _from
    cdef public list _year_days
    cdef public list _years
    cdef public list _ac_days
    cdef public list _ac_years
    cdef public dict _by
    cdef public dict _la_by
    cdef public double _lo
    cdef public double _hi
    cdef public carray.array _now
    cdef public carray.array _la_vals
    cdef public bytearray _la_seen
    cdef public list _la_order
    cdef public dict _la_more
    cdef public double _ac_lo
    cdef public double _ac_hi
    cdef public carray.array _ac_now
    cdef public list _id_refs
    cdef Py_ssize_t _id_of[256]  # (records.py: `_ID_SLOTS`)

    @cython.locals(at=cython.size_t, slot=Py_ssize_t, i=Py_ssize_t, refs=list)
    cdef inline Py_ssize_t _id(self, metric) except -1

    @cython.locals(row=carray.array, i=Py_ssize_t, ch=Child, gi=Py_ssize_t, pi=Py_ssize_t)
    cpdef count(self, c, metric, double day, double n=*, academic=*)

    @cython.locals(row=carray.array, i=Py_ssize_t, g=carray.array, x=carray.array, ids=dict, ch=Child,
                   gi=Py_ssize_t, pi=Py_ssize_t, n=double, s=double, scaled=bint)
    cpdef count_each(self, c, pairs, double day, scale=*)

    @cython.locals(days=list, i=Py_ssize_t, row=carray.array)
    cpdef carray.array _academic_row(self, day)

    cpdef add(self, metric, day, n=*, academic=*)

    @cython.locals(i=Py_ssize_t, li=Py_ssize_t, stride=Py_ssize_t, k=Py_ssize_t, grow=Py_ssize_t, vals=carray.array,
                   seen=bytearray, more=dict, key=tuple)
    cpdef add_la(self, la, metric, double day, double n=*)

    cpdef year(self, day)

    @cython.locals(days=list, i=Py_ssize_t)
    cpdef tuple year_span(self, day)


@cython.locals(lo=Py_ssize_t, hi=Py_ssize_t, mid=Py_ssize_t, v=double, xd=double)
cpdef Py_ssize_t year_after(list days, day) except -1

# an event's name of a word and a value, made once for each value (the caller's dictionary of names)
@cython.locals(got=str)
cpdef str name_of(dict memo, str prefix, value)

@cython.locals(by=dict, got=str)
cpdef str name_of2(dict memo, str prefix, first, str infix, second)

@cython.locals(cols=list, k=Py_ssize_t, i=Py_ssize_t, col=list)
cpdef list fields_of(list objs, tuple names)

@cython.locals(index=dict, out=bytearray, k=Py_ssize_t, code=Py_ssize_t)
cpdef object small_codes(values, list names)

# whether any of four C ints is outside 0 to k - 1 (`codes_present`, `remap_codes`)
@cython.locals(kk=cython.size_t)
cdef inline bint _any_outside4(const int *cp, Py_ssize_t i, Py_ssize_t k) noexcept

# a chunk's string codes: which occur, and each one's index into the chunk's dictionary (C loops over int32 buffers)
@cython.locals(seen=bytearray, sv=cython.uchar[::1], cv=cython.int[::1], n=Py_ssize_t, i=Py_ssize_t, c=int,
               cp=cython.p_int, sp=cython.p_uchar)
cpdef object codes_present(codes, Py_ssize_t k)

@cython.locals(cv=cython.int[::1], rv=cython.int[::1], ov=cython.int[::1], n=Py_ssize_t, k=Py_ssize_t, i=Py_ssize_t,
               c=int, cp=cython.p_int, rp=cython.p_int, op=cython.p_int)
cpdef bint remap_codes(codes, remap, out) except -1

# the event log's dates from its days: one C pass over doubles into C ints
@cython.locals(dv=cython.double[::1], ov=cython.int[::1], n=Py_ssize_t, i=Py_ssize_t, d=double, v=cython.longlong,
               dp=cython.p_double, op=cython.p_int)
cpdef bint day_numbers(days, long long start, out) except -1

# the children's fields of journeys.parquet, each a struct read of the `Child` stored by C into the typed columns
@cython.locals(c=Child, n=Py_ssize_t, i=Py_ssize_t, k=Py_ssize_t, f=Py_ssize_t, index=list, names=list, seen=dict,
               ivm=cython.longlong[::1], bvm=cython.uchar[::1], fvm=cython.double[::1], cvm=cython.uchar[::1],
               mvm=cython.uchar[::1], atm=cython.ulonglong[::1], iv=cython.p_longlong, bv=cython.p_uchar,
               fv=cython.p_double, cv=cython.p_uchar, mv=cython.p_uchar, ap=cython.p_ulonglong,
               strings=tuple, refs=list, at=cython.size_t, slot=Py_ssize_t)
cpdef object journey_arrays(list children)

# each group's counts of the state at the end, each field a struct read of the `Child`
@cython.locals(c=Child, per=dict, row=list, by_pid=bint)
cpdef dict state_by_group(list children, str key)

