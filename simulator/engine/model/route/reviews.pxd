from simulator.engine.model.route.review_windows cimport _review_held
from simulator.engine.model.costs cimport accrue_placement, cost
from simulator.engine.model.route.redress cimport _dispute_p
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams
