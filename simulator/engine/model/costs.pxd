from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState

cpdef cost(RunState self, Child c, item, day)
cpdef accrue_placement(RunState self, Child c, until)
