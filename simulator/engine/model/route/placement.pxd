from simulator.engine.model.costs cimport accrue_placement
from simulator.engine.core.resources cimport Resource
from simulator.engine.model.capacity cimport LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState

cpdef decide_setting(RunState self, Child c, wanted, occurrence)
cpdef with_place(RunState self, Child c, wanted, named, refused, ground, occurrence, full_ground)
cpdef _place_free(RunState self, Child c, setting)
cpdef give_up_place(RunState self, Child c)
cpdef secure_place(RunState self, Child c, setting)
cpdef place_lead_time(RunState self, Child c)
cpdef waiting_from(RunState self, Child c)
