from simulator.engine.model.route.redress cimport _dispute_p
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams

cpdef hold_in_window(RunState self, Child c, due, decided)
cpdef _review_held(RunState self, Child c, due)
from simulator.engine.model.records cimport Counters
from simulator.engine.core.loop cimport Clock
from simulator.engine.core.streams cimport Draw

cpdef double band_probability(double age, double p0, double p1, double p2, double p3, double p4) noexcept
cpdef int review_outcome(double u, double p_cease, bint mainstream, double p_move, double p_amend) except? -1
cpdef decide_each(RunState self, list kids, list dues, list decs, ids, occ, born_a, main_a)
cpdef tuple plain_reviews(list items)
