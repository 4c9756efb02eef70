from simulator.engine.model.costs cimport accrue_placement
from simulator.engine.core.resources cimport Resource
from simulator.engine.model.capacity cimport LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.records cimport name_of, name_of2

cpdef decide_setting(RunState self, Child c, wanted, occurrence)
cpdef with_place(RunState self, Child c, wanted, named, refused, ground, occurrence, full_ground)
cpdef _place_free(RunState self, Child c, setting)
cpdef give_up_place(RunState self, Child c)
cpdef secure_place(RunState self, Child c, setting)
cpdef place_lead_time(RunState self, Child c)
cpdef waiting_from(RunState self, Child c)

# the log's names of a word and a value, made once (`records.name_of`): `get` a C call
cdef dict _NAMED_AS
cdef dict _REFUSED_AS
cdef dict _IN_PLACE_AS
