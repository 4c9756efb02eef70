# Cython declarations for streams.py (the compiled core): read only when the accelerator is built; streams.py itself
# stays plain Python and is the pure path. The SplitMix64 steps run on C unsigned 64-bit integers, which wrap
# modulo 2**64 exactly as the pure path's `& _M64` does (a child id or occurrence below zero wraps there as its
# two's complement does here). A draw is returned as a C double, and gamma2's mean taken as one: the same values as
# the pure path's floats, with the same operations in the same order (an int mean is converted as Python's
# float * int converts it). `exponential` keeps its mean a Python object: `-mean` of an int 0 is an int 0, whose
# product with a negative log is +0.0 in C but -0.0 in Python.
cimport cython

cdef unsigned long long _M64, _GOLDEN, _OCC, _MIX1, _MIX2
cdef double _INV53

cdef double _ln(double x) noexcept  # C's log

# uniform_array's loop: each id's SplitMix64 and double, stored in `out`
@cython.locals(i=Py_ssize_t, z="unsigned long long", base="unsigned long long")
cdef void _fill_uniform(double[::1] out, const long long[::1] ids, unsigned long long key,
                        unsigned long long occurrence) noexcept

# log_array's loop: C's log of each value, stored in `out`
@cython.locals(i=Py_ssize_t)
cdef void _fill_log(double[::1] out, const double[::1] u) noexcept


cdef class Draw:
    cdef public unsigned long long key
    cdef public Py_ssize_t _lo
    cdef public Py_ssize_t _n
    cdef public Py_ssize_t _nocc
    cdef double[::1] _pre  # the prefetched values (an array('d')), read as C doubles

    @cython.locals(z="unsigned long long", j=Py_ssize_t)
    cpdef double u(self, long long child, long long occurrence=*)

    cpdef bernoulli(self, p, long long child, long long occurrence=*)

    cpdef exponential(self, mean, long long child, long long occurrence=*)

    @cython.locals(j=Py_ssize_t, o="long long")
    cpdef gamma2(self, double mean, long long child, long long occurrence=*)

    @cython.locals(o="long long")
    cpdef lognormal(self, median, sigma, long long child, long long occurrence=*)

    @cython.locals(u=double, c=double, i=Py_ssize_t)
    cpdef choice(self, cumulative, long long child, long long occurrence=*)


cdef class StreamSet:
    cdef object _streams
    cdef frozenset _names

    cpdef Draw get(self, name)
