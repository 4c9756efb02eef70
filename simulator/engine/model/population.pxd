cimport cython

from simulator.engine.core.resources cimport Resource
from simulator.engine.model.child cimport Child, new_child
from simulator.engine.model.state cimport RunState

cpdef assign_attributes(Child c, row)

cpdef assign_row(Child c, tuple cols, Py_ssize_t i)

# the attributes of many children as typed columns (population.py: AttributeRows)
cdef class AttributeRows:
    cdef tuple requesters, needs, settings, capacities
    cdef Py_ssize_t[::1] req, need, pref, cap
    cdef int[::1] gid, pid
    cdef unsigned char[::1] flags
    cdef double[::1] born
    cdef public object born_days

    @cython.locals(f=int)
    cpdef assign(self, Child c, Py_ssize_t i)

@cython.locals(k=Py_ssize_t)
cdef inline Py_ssize_t _choose(const double *cum, Py_ssize_t n, double u) noexcept

@cython.locals(i=Py_ssize_t, j=Py_ssize_t, n=Py_ssize_t, nb=Py_ssize_t, ne=Py_ssize_t, r=Py_ssize_t,
               k=Py_ssize_t, band=Py_ssize_t, school=Py_ssize_t, post16=Py_ssize_t, req=Py_ssize_t, need=Py_ssize_t,
               cap=Py_ssize_t, f=int, u=double, age=double, p_sc="const double *", p_16="const double *",
               p_rq="const double *", p_nd="const double *", p_cp="const double *", n_sc=Py_ssize_t,
               n_16=Py_ssize_t, n_rq=Py_ssize_t, n_nd=Py_ssize_t, n_cp=Py_ssize_t)
cdef void _fill_rows(AttributeRows rows, Py_ssize_t i0, const double[:, ::1] us, const double[:, ::1] age_cum,
                     bint by_row, const double[::1] lo, const double[::1] hi, const double[::1] ends, const double[::1] at,
                     const Py_ssize_t[::1] region, Py_ssize_t n_regions, Py_ssize_t n_requesters, Py_ssize_t n_needs,
                     const double[::1] c_school, const double[::1] c_post16, const double[::1] c_req,
                     const double[::1] c_need, const double[::1] c_cap, double p_s41, double p_health,
                     double p_social, double p_exception, double days_per_year) noexcept

# `[kids[i] for i in order]`, the indices read as C integers
@cython.locals(out=list, j=Py_ssize_t)
cpdef list _take(list kids, const long long[::1] order)
