# Cython declarations for child.py (the compiled core): read only when the accelerator is built; child.py itself
# stays plain Python and is the pure path. `Child` becomes an extension type whose fields are C struct slots, in
# `__slots__` order; every field stays a Python object, so each holds exactly the value, of the same type, that the
# pure path's slot holds. The route modules (journey.py, population.py, costs.py, route/*.py) cimport it and type
# their child `c` as it (`@cython.locals(c=Child)`), so that a field read there is a struct read, not an attribute
# look-up.

cdef class Child:
    cdef public object id
    cdef public object la
    cdef public object stock
    cdef public object born
    cdef public object requester
    cdef public object need
    cdef public object preferred
    cdef public object on_s41
    cdef public object capacity
    cdef public object health
    cdef public object social
    cdef public object exception
    cdef public object t0
    cdef public object status
    cdef public object refused
    cdef public object assessed
    cdef public object no_plan
    cdef public object advice_pending
    cdef public object final_at
    cdef public object final_deadline
    cdef public object setting
    cdef public object named_against_wish
    cdef public object provision_at
    cdef public object place_job
    cdef public object place_res
    cdef public object waiting_since
    cdef public object days_without_provision
    cdef public object appeals
    cdef public object mediations
    cdef public object disputes
    cdef public object reviews
    cdef public object ceased_at
    cdef public object dispute
    cdef public object ladder
    cdef public object rung
    cdef public object must_certify
    cdef public object decision_at
    cdef public object job
    cdef public object concede_at
    cdef public object hearing_at
    cdef public object pending_setting
    cdef public object transfers
    cdef public object ordered
    cdef public object registered_at
    cdef public object cert_at
    cdef public object place_seq
    cdef public object named_ground
    cdef public object setting_since
    cdef public object pins
    cdef public object gid
    cdef public object pid
    cdef public object disputed_at
    cdef public object decided_at
    cdef public object compelled
    cdef public object compelled_unsettled
    cdef public object escalated
    cdef public object how
    cdef public object draft_deadline
    cdef public object term_start
    cdef public object place_due
    cdef public object out_since
    cdef public object days_awaiting
    cdef public object days_out
    cdef public object review_due
    cdef public object review_after
    cdef public object elsewhere
    cdef public object content
    cdef public object moved
