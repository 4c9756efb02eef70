# Cython declarations for resources.py (the compiled core): read only when the accelerator is built; resources.py
# itself stays plain Python and is the pure path. The clock read and the running sums are C doubles, which hold
# exactly the Python floats the pure path uses (IEEE double either way, same operations in the same order; a time
# given as an int is converted exactly, as Python does when it adds an int to a float).
cimport cython

from .loop cimport Clock


cdef class Job:
    cdef public object who
    cdef public object service
    cdef public object on_start
    cdef public object on_done
    cdef public double enqueued
    cdef public bint cancelled
    cdef public bint started


cdef class Resource:
    cdef public Clock engine
    cdef public object name
    cdef public object servers
    cdef public Py_ssize_t busy
    cdef public object queue
    cdef public Py_ssize_t waiting
    cdef public double wait_sum
    cdef public Py_ssize_t wait_n
    cdef public double stats_from
    cdef public double _area_q
    cdef public double _area_busy
    cdef public Py_ssize_t started
    cdef public Py_ssize_t completed
    cdef public object _done_cb
    cdef public object _done_pair_cb
    cdef public object _then

    @cython.locals(now=double, sf=double, eng=Clock, then=object)
    cpdef serve(self, who, service, on_done, on_start=*)

    @cython.locals(now=double, sf=double)
    cpdef seize(self, who, on_granted)

    @cython.locals(sf=double)
    cpdef _enqueue(self, Job job, double now)

    @cython.locals(now=double, sf=double)
    cpdef cancel(self, Job job)

    @cython.locals(sf=double, then=object)
    cpdef _start(self, Job job, double now)

    cpdef _done(self, who)

    cpdef _done_pair(self, arg)

    @cython.locals(now=double, sf=double, job=Job)
    cdef int _hand_over(self) except -1

    @cython.locals(now=double, sf=double, job=Job)
    cpdef release(self)

    @cython.locals(now=double, sf=double, job=Job)
    cpdef _dispatch(self)

    cpdef set_servers(self, servers)
