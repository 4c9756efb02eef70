cimport cython

from simulator.engine.model.route.placement cimport decide_setting, secure_place
from simulator.engine.model.route.review_windows cimport _review_held, floor_div
from simulator.engine.model.costs cimport accrue_placement, cost
from simulator.engine.model.route.redress cimport _dispute_p, dispute_or_accept, start_dispute
from simulator.engine.model.child cimport Child
from simulator.engine.model.records cimport Counters, year_after
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams
from simulator.engine.model.records cimport name_of, name_of2

cpdef review_interval(RunState self, Child c, now)
cpdef schedule_plan_end(RunState self, Child c)
cpdef transfer_for_new_plan(RunState self, Child c, now)

# a child's age in whole years on a day: Python's float floor division on C doubles
cpdef long _whole_years(double day, double born) except? -1

# the log's names of a word and a value, made once (`records.name_of`): `get` a C call
cdef dict _REFUSED_AS
cdef dict _DESTINATION_AS
