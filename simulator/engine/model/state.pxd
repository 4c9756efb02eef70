# Cython declarations for state.py (the compiled core): read only when the accelerator is built; state.py itself
# stays plain Python and is the pure path. `RunState`, `Journey`'s base, becomes an extension type whose fields are
# C struct slots; every field but six stays a Python object. The route modules cimport it and declare `self` as it.
# `engine` is a `Clock` (either engine, or a test's subclass of it) and `counters` a `Counters`, so that the steps'
# `self.engine.now`, `.schedule`, `.at` and `self.counters.count`, `.add_la`, `.count_each` are C reads and C calls;
# `rng` is the route's typed stream set, so that `self.rng.NAME.u(...)` is a struct read and a C call; `d` and `_shape`
# (the durations' means and distributions, read by `duration`) are dictionaries, and so (issue 28's thirteenth round)
# are the tables the steps read by key (`_costs`, `_placement_costs`, `_late_shares`, `_p_isp`, `_p_step_down`,
# `p_dispute`: their `get` a C call); `_transfer_septs` is a list and `_lapse_span` a tuple. `duration`, `pinned` and
# `log` are C methods (cpdef: still callable from Python); `log` hands a row to `_log_to`, the run's `Recorder`, by a
# C call of its `log` (a case study's recorder still replaces `log` by an entry of the journey's dictionary).

cimport cython

from simulator.engine.core.loop cimport Clock
from simulator.engine.core.streams cimport Draw
from simulator.engine.model.child cimport Child
from simulator.engine.model.records cimport Counters, Recorder
from simulator.engine.model.streams cimport RouteStreams

cdef class RunState:
    cdef public object _cb_advice_in
    cdef public object _cb_amended_plan_issued
    cdef public object _cb_annual_review
    cdef public object _cb_arrive
    cdef public object _cb_consult_setting
    cdef public object _cb_decide_to_assess
    cdef public object _cb_decide_to_issue
    cdef public object _cb_decision_stands
    cdef public object _cb_draw_plan_move
    cdef public object _cb_end_dispute
    cdef public object _cb_end_spells_without_place
    cdef public object _cb_ep_in
    cdef public object _cb_family_moves
    cdef public object _cb_finalise_plan
    cdef public object _cb_health_in
    cdef public object _cb_identify_need
    cdef public object _cb_issue_draft
    cdef public object _cb_la_alternative
    cdef public object _cb_name_setting
    cdef public object _cb_next_term
    cdef public object _cb_phase_transfer
    cdef public object _cb_place_granted
    cdef public object _cb_plan_arrives
    cdef public object _cb_plan_end_25
    cdef public object _cb_provision_in_place
    cdef public object _cb_review_meeting_only
    cdef public object _cb_review_superseded
    cdef public object _cb_social_in
    cdef public object _cb_taken_up
    cdef public object _cb_term_starts
    cdef public object _cb_transfer_named
    cdef public object _cb_write_draft
    cdef public object _accrue_from
    cdef public object _add_row
    cdef public object _amend_late_days
    cdef public object _arr_i
    cdef public object _arrivals
    cdef public object _commence_days
    cdef public dict _costs
    cdef public object _destination_cum
    cdef public dict _dur
    cdef public object _extra
    cdef public dict _late_shares
    cdef public object _n_arrived
    cdef public object _n_generated
    cdef public object _new_rows
    cdef public object _p_amend
    cdef public object _p_amend_late
    cdef public object _p_cease_by_band
    cdef public object _p_decided
    cdef public dict _p_isp
    cdef public object _p_late_comply
    cdef public object _p_move_to_special
    cdef public object _p_review_late
    cdef public dict _p_step_down
    cdef public object _p_transfer_late
    cdef public object _transfer_late_days
    cdef public dict _placement_costs
    cdef public object _pt
    cdef public object _pt_cum
    cdef public object _pt_dest
    cdef public object _pt_end
    cdef public object _pt_knots
    cdef public object _pt_learned
    cdef public object _pt_open
    cdef public object _pt_rates
    cdef public object _pt_weights
    cdef public object _review_costs
    cdef public object _review_every
    cdef public object _review_every_under5
    cdef public object _review_late_days
    cdef public dict _shape
    cdef public object _transfers
    cdef public list _transfer_septs
    cdef public object _triple_lock
    cdef public object _windows
    cdef public tuple _lapse_span
    cdef public object appeals_lodged
    cdef public object cal
    cdef public object cap_mult
    cdef public object children
    cdef public Counters counters
    cdef public object cum_age_request
    cdef public object cum_age_stock
    cdef public object cum_capacity
    cdef public object cum_grounds
    cdef public object cum_need
    cdef public object cum_pref_post16
    cdef public object cum_pref_school
    cdef public object cum_requester
    cdef public dict d
    cdef public object disputes_ended
    cdef public Clock engine
    cdef public object fx
    cdef public object grounds
    cdef public object group_index
    cdef public object hearing_days
    cdef public object hearings_held
    cdef public object horizon
    cdef public object inv_delay_shape
    cdef public object las
    cdef public object law
    cdef public object law_advice_days
    cdef public object law_decide_to_assess_days
    cdef public object law_decide_to_issue_days
    cdef public object law_draft_comment_days
    cdef public object law_final_plan_days
    cdef public object law_mainstream_presumption
    cdef public object law_plan_end
    cdef public object law_plan_end_age
    cdef public object law_review_decision_days
    cdef public object law_s39_settings
    cdef public object law_s9_regard_only
    cdef public object law_tailored_list
    cdef public object fx_protect_special_places
    cdef public object fx_reviews_at_transfer_only
    cdef public object law_schedule
    cdef public object lead_in
    cdef public object n_stock
    cdef public object national_refusal
    cdef public object needs
    cdef public object p_cease
    cdef public dict p_dispute
    cdef public object p_drop_out
    cdef public object p_exception
    cdef public object p_health
    cdef public object p_lapse
    cdef public object p_refuse_s9
    cdef public object p_refuse_setting
    cdef public object p_s41
    cdef public object p_social
    cdef public object p_withdraw_assessment
    cdef public object p_withdraw_request
    cdef public object plans_ceased
    cdef public object plans_in_force
    cdef public object rec
    cdef public Recorder _log_to  # the run's `Recorder`, if that is its recorder: `log` calls its C method
    cdef public object refusal_rr
    cdef public object resolves
    cdef public RouteStreams rng
    cdef public object sc
    cdef public object snapshots
    cdef public object special_growth
    cdef public object streams
    cdef public object tribunal
    cdef public object warmup

    @cython.locals(kind=int)
    cpdef duration(self, name, Draw stream, long long child, long long occurrence=*)

    cpdef pinned(self, Child c, key)

    @cython.locals(to=Recorder)
    cpdef log(self, Child c, step, event, duty, deadline=*, met=*)
