cimport cython
from cpython cimport array as carray

from simulator.engine.model.route.redress cimport _dispute_p
from simulator.engine.model.capacity cimport LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams

cdef extern from *:
    """
    /* review_windows.py: the first two cache lines of a window's child a few reviews ahead, asked for before they are
       read (a hint to the processor: it reads nothing a step can see; `plain_reviews`, `decide_each`). A window's
       children are scattered among millions, each a cache miss when its review is decided. */
    static CYTHON_INLINE void sendsim_prefetch_kid(PyObject *list, Py_ssize_t i) {
    #if defined(__GNUC__) || defined(__clang__)
        if (i < PyList_GET_SIZE(list)) {
            const char *p = (const char *)PyList_GET_ITEM(list, i);
            __builtin_prefetch(p);
            __builtin_prefetch(p + 64);
        }
    #endif
    }
    """
    void _prefetch_kid "sendsim_prefetch_kid" (list kids, Py_ssize_t i)

# a window's held reviews as columns, the windows by their number (`HeldReviews`: a list, C indices)
cdef class Window:
    cdef public list kids
    cdef public carray.array dues
    cdef public carray.array decs
    @cython.locals(n=Py_ssize_t)
    cpdef add(self, Child c, double due, double decided)

cdef class HeldReviews:
    cdef public double k0
    cdef public list held
    cdef public dict far
    @cython.locals(x=double, j=Py_ssize_t, held=list)
    cpdef Window get(self, double k)
    @cython.locals(x=double, j=Py_ssize_t, held=list)
    cpdef put(self, double k, Window w)
    @cython.locals(x=double, j=Py_ssize_t, held=list)
    cpdef Window pop(self, double k)

@cython.locals(w=double, mod=double, div=double, fl=double)
cpdef double window_of(double day) noexcept
@cython.locals(mod=double, div=double, fl=double)
cpdef double floor_div(double a, double b) noexcept
cpdef Window _window(RunState self, double k)
cpdef hold_in_window(RunState self, Child c, double due, double decided)
@cython.locals(meeting=double, decided=double, p_late=double, days=double, hz=double, i=cython.longlong)
cpdef _review_held(RunState self, Child c, double due)
from simulator.engine.model.records cimport Counters
from simulator.engine.core.loop cimport Clock
from simulator.engine.core.streams cimport Draw

# a window's reviews decided one at a time (`decide_each`): the split, each review's band and outcome in C doubles
cpdef double band_probability(double age, double p0, double p1, double p2, double p3, double p4) noexcept
@cython.locals(u2=double, u3=double, pm=double)
cpdef int review_outcome(double u, double p_cease, bint mainstream, double p_move, double p_amend) except? -1

@cython.locals(c=Child, engine=Clock, counters=Counters, outcome_draw=Draw, dispute_draw=Draw, table=tuple,
               n=Py_ssize_t, i=Py_ssize_t, t=double, born=double, age=double,
               u=double, pc=double, p0=double, p1=double, p2=double,
               p3=double, p4=double, p_move=double, p_amend=double,
               under5=double, every=double, nx=double, step=double,
               shorter=bint, wp4=bint, o=int, amend=int, cease=int, k=cython.longlong, year=double,
               dv="double *", tv="double *", iv="long long *", ov="long long *", bv="double *",
               mv="unsigned char *", la=LAState, ud=double, pd=double, j=Py_ssize_t, n_seen=Py_ssize_t,
               fxp="void *", capp="void *", seen_fx="void *[16]", seen_cap="void *[16]", seen_p="double[16]")
cpdef decide_each(RunState self, list kids, carray.array dues, carray.array decs, carray.array ids,
                  carray.array occ, carray.array born_a, carray.array main_a)

# (the columns through their C data pointers, made by `clone` of the module's empty templates)
cdef carray.array _LONGS, _DOUBLES, _BYTES
@cython.locals(c=Child, n=Py_ssize_t, i=Py_ssize_t, m=Py_ssize_t, kids=list, others=list,
               ids=carray.array, occ=carray.array, born=carray.array, dues=carray.array, decs=carray.array,
               mainstream=carray.array, iv="long long *", ov="long long *", bv="double *", mv="unsigned char *",
               dv="double *", tv="double *", dvi="double *", tvi="double *")
cpdef tuple plain_reviews(list kids_in, carray.array dues_in, carray.array decs_in)
