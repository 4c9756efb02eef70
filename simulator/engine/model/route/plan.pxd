from simulator.engine.model.route.redress cimport _dispute_p
from simulator.engine.model.capacity cimport CaseworkBacklog, LAState
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
