# Cython declarations for records.py (the compiled core): read only when the accelerator is built; records.py itself
# stays plain Python and is the pure path. `Counters` becomes an extension type whose fields are C struct slots (no
# instance dictionary to look up at each of a national year's two million counts); every count is still a Python
# float added with Python's own addition, in the same order, so the sums are the pure path's to the last bit. The
# index of a count is a C integer (an index into a list only).
cimport cython


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

    @cython.locals(row=list, i=Py_ssize_t, x=list)
    cpdef count(self, c, metric, day, n=*, academic=*)

    @cython.locals(row=list, i=Py_ssize_t, g=list, x=list, ids=dict)
    cpdef count_each(self, c, pairs, day, scale=*)

    cpdef add(self, metric, day, n=*, academic=*)
