# Cython declarations for bench.py (the compiled core): read only when the accelerator is built; bench.py itself
# stays plain Python and is the pure path. The model's counters are C fields; times stay Python objects.
cimport cython

from .core.loop cimport HeapEngine
from .core.resources cimport Resource


cdef class BenchModel


cdef class _Stage:
    cdef public Resource res
    cdef public object svc
    cdef public object route
    cdef public BenchModel model
    cdef public object done_cb

    @cython.locals(to=_Stage)
    cpdef done(self, who)


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
    cdef public _Stage _entry

    cpdef _leave(self, who)

    cdef public object _gaps
    cdef public object _arrive_cb

    @cython.locals(eng=HeapEngine, entry=_Stage)
    cpdef _arrive(self, _)
