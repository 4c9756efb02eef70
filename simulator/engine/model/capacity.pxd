# Cython declarations for capacity.py (the compiled core, since issue 28's ninth round): read only when the
# accelerator is built; capacity.py itself stays plain Python and is the pure path. `LAState` (an authority at run
# time) and `CaseworkBacklog` (its decide-and-issue team under `waits: backlog`) become extension types whose fields
# are C struct slots: the route's steps, which read an authority's resources and rates on every request
# (`la.panel`, `la.ep`, `la.p_refuse`, `la.fx`...), type it (`@cython.locals(la=LAState)`), so that a read is a
# struct read and `la.panel.serve(...)` a C call through `Resource`'s method table. Every field that is not a
# resource or a dictionary stays a Python object, holding the value, of the same type, that the pure path holds.

from simulator.engine.core.loop cimport Clock
from simulator.engine.core.resources cimport Resource
from simulator.engine.model.state cimport RunState


cpdef staff_bounds(floor, ceiling, establishment)


cdef class CaseworkBacklog:
    cdef public Clock engine
    cdef public object base
    cdef public object responsiveness
    cdef public object queue
    cdef public object busy
    cdef public object _done_cb

    cpdef pace_per_week(self, backlog)
    cpdef join(self, who, then)
    cpdef _next(self)
    cpdef _done(self, item)


cdef class LAState:
    cdef public object idx
    cdef public object spec
    cdef public Resource panel
    cdef public Resource ep
    cdef public Resource health
    cdef public Resource social
    cdef public Resource writers
    cdef public object special_raw
    cdef public object places_multiplier
    cdef public dict places
    cdef public object special_base
    cdef public object p_refuse
    cdef public object p_no_plan
    cdef public dict rungs
    cdef public object fx
    cdef public object fx_convergence
    cdef public object fx_refuse
    cdef public object fx_no_plan
    cdef public object fx_draft
    cdef public bint late_by_year
    cdef public object casework
    cdef public object casework_last_year
    cdef public object casework_gap
    cdef public dict establishment
    cdef public dict arrived_at_review

    cpdef use_effects(self)
