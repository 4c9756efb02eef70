from simulator.engine.model.route.redress cimport dispute_or_accept
from simulator.engine.model.costs cimport cost
from simulator.engine.model.capacity cimport CaseworkBacklog, LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState

cdef dict _RECEIVED_FROM  # (its `get` a C call)

cpdef request_assessment(RunState self, Child c)
cpdef refusal_probability(RunState self, LAState la, requester)
cpdef withdraw(RunState self, Child c, step, what)
cpdef gather_advice(RunState self, Child c)
cpdef _advice_in(RunState self, arg)
cpdef advice_received(RunState self, Child c, step, duty, asked)
cpdef authority_delay(RunState self, Child c)
cpdef lapse_probability(RunState self, now)
cpdef late_share(RunState self, LAState la, year)
cpdef _late_share_under_law(RunState self, LAState la, year)
cpdef lateness(RunState self, Child c, late_share, due)
cpdef held_into_next_year(RunState self, Child c, due, decide_at, now_share)
cpdef issue_lead_days(RunState self)
