# Cython declarations for bench.py (the compiled core): read only when the accelerator is built; bench.py itself
# stays plain Python and is the pure path. The model's counters are C fields; times stay Python objects.
from .core.loop cimport HeapEngine


cdef class BenchModel:
    cdef public object net
    cdef public object chunk
    cdef public object warmup
    cdef public HeapEngine engine
    cdef public object _arrival_rng
    cdef public dict resources
    cdef public Py_ssize_t done
    cdef public Py_ssize_t left
    cdef public double sys_sum
    cdef public object last_exit
    cdef public object _entry

    cpdef _leave(self, who)
