# Cython declarations for streams.py (the compiled core): read only when the accelerator is built; streams.py itself
# stays plain Python and is the pure path. The SplitMix64 steps run on C unsigned 64-bit integers, which wrap
# modulo 2**64 exactly as the pure path's `& _M64` does.
cimport cython

cdef unsigned long long _M64, _MIX1, _MIX2
cdef double _INV53


cdef class Draw:
    cdef public object key
    cdef public Py_ssize_t _lo
    cdef public Py_ssize_t _n
    cdef public Py_ssize_t _nocc
    cdef public tuple _pre

    @cython.locals(z="unsigned long long", j=Py_ssize_t)
    cpdef u(self, child, occurrence=*)

    cpdef exponential(self, mean, child, occurrence=*)

    @cython.locals(j=Py_ssize_t, pre=tuple)
    cpdef gamma2(self, mean, child, occurrence=*)
