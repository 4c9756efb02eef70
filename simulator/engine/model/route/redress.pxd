from simulator.engine.core.streams cimport Draw
from simulator.engine.model.costs cimport cost
from simulator.engine.model.capacity cimport CaseworkBacklog, LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.records cimport name_of

cpdef _dispute_p(RunState self, Child c, kind)
cdef Draw _dispute_draw(RunState self, kind)
cpdef dispute_or_accept(RunState self, Child c, kind)
cpdef start_dispute(RunState self, Child c, kind)

# the log's names of a word and a value, made once (`records.name_of`): `get` a C call
cdef dict _DISPUTE_AS
cdef dict _SETTLED_AS
