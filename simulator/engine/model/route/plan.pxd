from simulator.engine.model.route.moves cimport draw_plan_move
from simulator.engine.model.route.placement cimport secure_place
from simulator.engine.model.route.redress cimport _dispute_p, dispute_or_accept, start_dispute
from simulator.engine.model.route.reviews cimport review_interval, schedule_plan_end, transfer_for_new_plan
from simulator.engine.model.capacity cimport CaseworkBacklog, LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.records cimport name_of

# the log's names of a word and a value, made once (`records.name_of`): `get` a C call
cdef dict _REQUESTED_AS
