from simulator.engine.model.route.redress cimport _dispute_p
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams

cpdef hold_in_window(RunState self, Child c, due, decided)
cpdef _review_held(RunState self, Child c, due)
from simulator.engine.model.records cimport Counters, review_columns
from simulator.engine.core.loop cimport Clock
