cimport cython

from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.records cimport year_after

# the day a plan's family moves (`move_day`, the hazard's knots searched and the day computed on C doubles) and its
# draw (`draw_plan_move`): module functions called in C by `finalise_plan` (plan.py) and `_plan_received`
@cython.locals(target=double)
cpdef double move_day(RunState self, Py_ssize_t la, double since, double e) except? -1
@cython.locals(u=double, day=double)
cpdef draw_plan_move(RunState self, Child c, since)
