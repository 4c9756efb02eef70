from simulator.engine.model.route.placement cimport secure_place
from simulator.engine.model.route.redress cimport dispute_or_accept
from simulator.engine.model.costs cimport cost
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams
from simulator.engine.model.records cimport name_of, name_of2

# the log's names of a word and a value, made once (`records.name_of`): `get` a C call
cdef dict _LODGED_AS
cdef dict _ASSESS_AFTER_AS
cdef dict _MAKE_PLAN_AFTER_AS
cdef dict _NAMED_AS
cdef dict _REFUSED_AS
